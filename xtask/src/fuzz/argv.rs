//! Argument vectors for a tool, built from its option table ([`super::tables`]): short and
//! long forms, abbreviations (unique and ambiguous), values attached (`-xVAL`, `--name=VAL`)
//! and separate, optional arguments given and left out (and then followed by a word that is
//! no longer their value), clusters (`-mUf`), `--`, options after the program, repeated and
//! conflicting options, unknown options, and odd words anywhere.

use fastrand::Rng;
use nscore::cmdline::getopt::HasArg;

use super::tables::{Form, Spelling, Table, ToolId};
use super::values::{self, chance, pick};

/// How many options a vector gets: mostly a few, sometimes none or many.
fn option_count(rng: &mut Rng) -> usize {
    match rng.usize(..20) {
        0 => 0,
        1..=6 => 1,
        7..=12 => 2,
        13..=16 => 3,
        17 | 18 => 4 + rng.usize(..3),
        _ => 7 + rng.usize(..6),
    }
}

/// A prefix of `name` of at least one byte, or the whole name (usually).
fn abbreviate(rng: &mut Rng, name: &str) -> String {
    if name.len() > 1 && chance(rng, 0.25) {
        name[..1 + rng.usize(..name.len() - 1)].to_string()
    } else {
        name.to_string()
    }
}

/// The words of one option given in `form`.
fn option_words(rng: &mut Rng, t: &Table, form: &Form) -> Vec<Vec<u8>> {
    let val = |rng: &mut Rng| values::value(rng, t.tool, form.name, form.hint);
    match form.spelling {
        Spelling::Short(c) => {
            let mut w = vec![b'-', c];
            match form.arg {
                HasArg::No => {
                    // A cluster: more letters after this one.
                    if chance(rng, 0.3) {
                        for _ in 0..1 + rng.usize(..3) {
                            let f = pick(rng, &t.forms);
                            if let Spelling::Short(d) = f.spelling {
                                w.push(d);
                                if f.arg != HasArg::No {
                                    if chance(rng, 0.6) {
                                        w.extend(values::value(rng, t.tool, f.name, f.hint));
                                    }
                                    break;
                                }
                            }
                        }
                    }
                    vec![w]
                }
                HasArg::Required => {
                    if chance(rng, 0.03) {
                        vec![w]
                    } else if chance(rng, 0.5) {
                        w.extend(val(rng));
                        vec![w]
                    } else {
                        vec![w, val(rng)]
                    }
                }
                HasArg::Optional => {
                    if chance(rng, 0.55) {
                        w.extend(val(rng));
                        vec![w]
                    } else if chance(rng, 0.2) {
                        vec![w, val(rng)]
                    } else {
                        vec![w]
                    }
                }
            }
        }
        Spelling::Long(name) => {
            let dashes = "--";
            let mut w = format!("{dashes}{}", abbreviate(rng, name)).into_bytes();
            match form.arg {
                HasArg::No => {
                    if chance(rng, 0.05) {
                        w.push(b'=');
                        w.extend(val(rng));
                    }
                    vec![w]
                }
                HasArg::Required => {
                    if chance(rng, 0.03) {
                        vec![w]
                    } else if chance(rng, 0.5) {
                        w.push(b'=');
                        w.extend(val(rng));
                        vec![w]
                    } else {
                        vec![w, val(rng)]
                    }
                }
                HasArg::Optional => {
                    if chance(rng, 0.55) {
                        w.push(b'=');
                        w.extend(val(rng));
                        vec![w]
                    } else if chance(rng, 0.15) {
                        vec![w, val(rng)]
                    } else {
                        vec![w]
                    }
                }
            }
        }
        Spelling::IpWord { word, exact } => {
            let mut w = if exact {
                word.to_string()
            } else {
                abbreviate(rng, word)
            };
            if chance(rng, 0.1) {
                w.insert(0, '-');
            }
            let mut w = format!("-{w}").into_bytes();
            match form.arg {
                HasArg::No => vec![w],
                HasArg::Optional => {
                    if chance(rng, 0.4) {
                        w.push(b'=');
                        w.extend(val(rng));
                    }
                    vec![w]
                }
                HasArg::Required => {
                    if chance(rng, 0.03) {
                        vec![w]
                    } else {
                        vec![w, val(rng)]
                    }
                }
            }
        }
    }
}

/// An option that is in no table.
fn unknown_option(rng: &mut Rng, t: &Table) -> Vec<u8> {
    let w: &[&str] = if t.tool == ToolId::Netns {
        &["-bogus", "-x", "--", "-", "-j=1", "-colour", "-Versionx"]
    } else {
        &[
            "-q",
            "-?",
            "--bogus",
            "--=x",
            "--",
            "-",
            "---",
            "-\u{e9}",
            "--no-such=1",
        ]
    };
    pick(rng, w).as_bytes().to_vec()
}

/// Options of `t`, in random forms.
pub fn options(rng: &mut Rng, t: &Table, n: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for _ in 0..n {
        if chance(rng, 0.05) {
            out.push(unknown_option(rng, t));
            continue;
        }
        // Repeat an earlier option now and then (last one wins, or a conflict).
        if !out.is_empty() && chance(rng, 0.08) {
            let again = pick(rng, &out).clone();
            out.push(again);
            continue;
        }
        let form = *pick(rng, &t.forms);
        // --help and --version end the run at once: keep them rare.
        if matches!(form.name, Some("help" | "version" | "Version")) && !chance(rng, 0.1) {
            continue;
        }
        out.extend(option_words(rng, t, &form));
    }
    out
}

/// Sprinkle odd words into `v` (rarely).
fn garnish(rng: &mut Rng, v: &mut Vec<Vec<u8>>) {
    if chance(rng, 0.08) {
        let at = rng.usize(..=v.len());
        v.insert(at, values::odd(rng));
    }
}

/// An argument vector for `t`'s tool.
pub fn argv(rng: &mut Rng, t: &Table) -> Vec<Vec<u8>> {
    let n = option_count(rng);
    let mut v = options(rng, t, n);
    match t.tool {
        ToolId::Unshare | ToolId::Nsenter => {
            if t.tool == ToolId::Nsenter
                && !v.iter().any(|w| w.starts_with(b"-t"))
                && chance(rng, 0.7)
            {
                // Most nsenter runs need a target.
                let at = rng.usize(..=v.len());
                let mut w = b"-t".to_vec();
                let pid = values::pid(rng);
                if chance(rng, 0.5) {
                    w.extend(pid);
                    v.insert(at, w);
                } else {
                    v.insert(at, pid);
                    v.insert(at, w);
                }
            }
            if chance(rng, 0.15) {
                v.push(b"--".to_vec());
            }
            v.extend(values::program(rng));
            if chance(rng, 0.05) {
                // Options after the program belong to the program.
                let more = option_count(rng).min(2);
                v.extend(options(rng, t, more));
            }
        }
        ToolId::Lsns => {
            if chance(rng, 0.2) {
                let at = rng.usize(..=v.len());
                v.insert(at, lsns_namespace(rng));
            }
            if chance(rng, 0.03) {
                v.push(b"--".to_vec());
                v.push(lsns_namespace(rng));
            }
        }
        ToolId::Netns => {
            v.extend(netns_command(rng, t));
        }
    }
    garnish(rng, &mut v);
    v
}

/// A namespace operand for lsns: one of the scene's, or one that does not exist, or junk.
pub fn lsns_namespace(rng: &mut Rng) -> Vec<u8> {
    if chance(rng, 0.1) {
        return values::odd(rng);
    }
    pick(
        rng,
        &[
            "@NSUTS@",
            "@NSNET@",
            "@NSIPC@",
            "@NSUSER3@",
            "4026532999",
            "1",
            "0",
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "abc",
            "4026531835x",
        ],
    )
    .as_bytes()
    .to_vec()
}

/// A netns subcommand and its operands.
fn netns_command(rng: &mut Rng, t: &Table) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = Vec::new();
    if chance(rng, 0.05) {
        return v;
    }
    // A subcommand word, maybe abbreviated; never `monitor`, which waits for events for ever.
    let sub = loop {
        let s = *pick(rng, &t.subcommands);
        if s != "monitor" {
            break s;
        }
    };
    let mut w = abbreviate(rng, sub);
    if w.starts_with('m') {
        w = sub.to_string();
        if w == "monitor" {
            w = "list".into();
        }
    }
    if chance(rng, 0.04) {
        w = pick(rng, &["bogus", "cookie", "", "LIST", "delete-all"]).to_string();
    }
    v.push(w.clone().into_bytes());
    let name = |rng: &mut Rng| values::netns_name(rng);
    let full = t
        .subcommands
        .iter()
        .find(|s| !w.is_empty() && s.starts_with(w.as_str()))
        .copied()
        .unwrap_or("");
    match full {
        "add" | "delete" | "pids" if !chance(rng, 0.1) => v.push(name(rng)),
        "set" => {
            v.push(name(rng));
            if !chance(rng, 0.1) {
                v.push(
                    pick(rng, &["1", "0", "auto", "-1", "x", "2147483648", "7"])
                        .as_bytes()
                        .to_vec(),
                );
            }
        }
        "identify" if chance(rng, 0.7) => v.push(values::pid(rng)),
        "attach" => {
            v.push(name(rng));
            if !chance(rng, 0.1) {
                v.push(values::pid(rng));
            }
        }
        "exec" => {
            if !chance(rng, 0.05) {
                v.push(name(rng));
            }
            v.extend(values::program(rng));
        }
        "list-id" if chance(rng, 0.5) => {
            v.push(
                pick(rng, &["target-nsid", "nsid", "bogus"])
                    .as_bytes()
                    .to_vec(),
            );
            if !chance(rng, 0.1) {
                v.push(
                    pick(rng, &["0", "1", "-1", "7", "x", "4294967296"])
                        .as_bytes()
                        .to_vec(),
                );
            }
        }
        _ => {}
    }
    if chance(rng, 0.05) {
        v.push(values::odd(rng));
    }
    v
}
