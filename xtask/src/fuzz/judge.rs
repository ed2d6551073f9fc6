//! Whether two runs of a case agree: after the test kit's one normalisation
//! ([`nsutils_testkit::normalised`]) stdout, stderr and status must be equal, unless the
//! difference is one that docs/COMPATIBILITY.md lists as deliberate ([`DOCUMENTED`], each rule
//! naming its entry). Crashes and hangs are told apart: ours never may; the original's are
//! counted on their own (not crashing is right), as long as ours ended with a message.

use nsutils_testkit::scene::Ran;
use nsutils_testkit::{normalised, Outcome};

use super::case::Case;
use super::tables::ToolId;

/// What a case came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Same bytes and status.
    Same,
    /// A difference docs/COMPATIBILITY.md lists (the rule's name).
    Documented(&'static str),
    /// The original died of a signal; ours ended normally, with a message if it failed.
    OracleCrash,
    /// The original was killed by the hang guard; ours ended.
    OracleHang,
    /// A difference nothing documents.
    Divergence,
    /// Ours died of a signal or panicked.
    OursCrash,
    /// Ours was killed by the hang guard.
    OursHang,
}

impl Verdict {
    /// A verdict that fails a run.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Verdict::Divergence | Verdict::OursCrash | Verdict::OursHang
        )
    }

    /// Its name in reports.
    pub fn label(&self) -> String {
        match self {
            Verdict::Same => "same".into(),
            Verdict::Documented(r) => format!("documented: {r}"),
            Verdict::OracleCrash => "original crashed".into(),
            Verdict::OracleHang => "original hung".into(),
            Verdict::Divergence => "DIVERGENCE".into(),
            Verdict::OursCrash => "OURS CRASHED".into(),
            Verdict::OursHang => "OURS HUNG".into(),
        }
    }
}

/// Died of a signal that means a bug (not one a program is told to die of): SIGILL, SIGABRT,
/// SIGBUS, SIGFPE, SIGSEGV.
fn crashed(o: &Outcome) -> bool {
    matches!(o.code, 132 | 134 | 135 | 136 | 139)
}

fn panicked(o: &Outcome) -> bool {
    let e = o.err();
    e.contains("panicked at") || e.contains("RUST_BACKTRACE")
}

/// A rule: a documented difference, and how to see that a pair of outcomes is it.
pub struct Rule {
    /// The entry of docs/COMPATIBILITY.md.
    pub name: &'static str,
    pub applies: fn(&Case, &Outcome, &Outcome) -> bool,
}

/// `--help` in our own words, in the original's layout (COMPATIBILITY.md, all tools); what
/// came before it on stdout (lsns `-Q`'s echo of stray bytes) is the same.
fn help(_c: &Case, o: &Outcome, u: &Outcome) -> bool {
    let at = |b: &[u8]| b.windows(8).position(|w| w == b"\nUsage:\n");
    o.code == 0
        && u.code == 0
        && o.stderr == u.stderr
        && at(&o.stdout).is_some()
        && at(&o.stdout) == at(&u.stdout)
        && o.stdout[..at(&o.stdout).unwrap_or(0)] == u.stdout[..at(&u.stdout).unwrap_or(0)]
}

/// `--version` names nsutils (all tools).
fn version(_c: &Case, o: &Outcome, u: &Outcome) -> bool {
    let ov = o.out();
    let uv = u.out();
    o.code == u.code
        && o.stderr == u.stderr
        && (ov.contains("from util-linux 2.42.4") || ov.starts_with("ip utility, iproute2-"))
        && uv.contains(" from nsutils ")
        && ov.lines().count() == 1
        && uv.lines().count() == 1
}

/// ip's `-help`: our own summary in ip's layout, on stderr, status 255 (netns-rs).
fn ip_help(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Netns
        && o.code == 255
        && u.code == 255
        && o.stdout == u.stdout
        && o.stderr.starts_with(b"Usage: ip ")
        && u.stderr.starts_with(b"Usage: ")
}

/// The text after `failed to apply filter: ` (lsns-rs, "failed to apply filter").
fn without_apply_errno(b: &[u8]) -> Vec<u8> {
    let key: &[u8] = b"failed to apply filter: ";
    let mut out = Vec::with_capacity(b.len());
    let mut rest = b;
    while let Some(i) = rest.windows(key.len()).position(|w| w == key) {
        out.extend_from_slice(&rest[..i + key.len()]);
        out.extend_from_slice(b"ERRNO");
        rest = &rest[i + key.len()..];
        let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    out
}

/// lsns's `failed to apply filter: <whatever errno was left>` (lsns-rs: always EINVAL).
fn apply_errno(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Lsns
        && o.code == u.code
        && o.stdout == u.stdout
        && o.stderr != u.stderr
        && without_apply_errno(&o.stderr) == without_apply_errno(&u.stderr)
}

/// lsns's filters in the namespace-ID mode: util-linux fails them all (lsns-rs, "Filters in
/// namespace-ID mode"); lsns-rs applies them, or reports unknown columns.
fn filter_in_id_mode(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Lsns
        && o.code == 1
        && o.err().contains("failed to apply filter")
        && (u.code == 0 || u.err().ends_with("failed to initialize filter\n"))
}

/// `=~`/`!~` whose right operand is no string: util-linux 2.42.4 says `(null)` (or crashes,
/// counted apart); lsns-rs says what the operand must be (lsns-rs, "A regular expression that
/// is not a string").
fn regex_operand(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Lsns
        && o.code == 1
        && u.code == 1
        && o.stdout == u.stdout
        && o.err().ends_with("\": (null)\n")
        && u.err()
            .ends_with(&format!("\": {}\n", lsns_rs::filter::NOT_A_PATTERN))
}

/// `text` without the row of each lsns-rs extension column in `-H`'s listing (text, raw or
/// JSON).
fn without_extension_rows(text: &str) -> String {
    let mut out = text.to_string();
    for ext in lsns_rs::columns::EXTENSIONS {
        let name = ext.name();
        let key = format!("\"holder\": \"{name}\"");
        if let Some(at) = out.find(&key) {
            // JSON: drop `,{ ... }` around it.
            let start = out[..at].rfind(",{").unwrap_or(at);
            let end = out[at..].find('}').map_or(out.len(), |e| at + e + 1);
            out.replace_range(start..end, "");
            continue;
        }
        out = out
            .split_inclusive('\n')
            .filter(|l| !l.trim_start().starts_with(&format!("{name} ")))
            .collect();
    }
    out
}

/// `-H` lists lsns-rs's extension columns after util-linux's (lsns-rs, "The ID column").
fn list_columns_extension(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Lsns
        && o.code == u.code
        && o.stderr == u.stderr
        && u.out() != without_extension_rows(&u.out())
        && without_extension_rows(&u.out()) == o.out()
}

/// `text` without netns-rs's `"ns_id"` keys (compact and pretty JSON): each from the comma
/// before it to the end of its number.
fn without_ns_id(text: &str) -> String {
    let key = "\"ns_id\":";
    let mut out = text.to_string();
    while let Some(at) = out.find(key) {
        let before = out[..at].trim_end();
        let start = if before.ends_with(',') {
            before.len() - 1
        } else {
            at
        };
        let after = &out[at + key.len()..];
        let value = after.trim_start();
        let digits = value.bytes().take_while(u8::is_ascii_digit).count();
        let end = out.len() - value.len() + digits;
        out.replace_range(start..end, "");
    }
    out
}

/// Whether the case asks ip for JSON (`-j`, `-json`, `--js`, ...).
fn wants_json(c: &Case) -> bool {
    c.args.iter().any(|a| {
        let w = a.strip_prefix(b"--").or_else(|| a.strip_prefix(b"-"));
        w.is_some_and(|w| !w.is_empty() && b"json".starts_with(w))
    })
}

/// netns-rs's JSON: the `"ns_id"` key in `-j list` and `-j identify` (netns-rs, "namespace
/// IDs in JSON"), and JSON for `identify` and `pids` where ip prints text ("-json for identify
/// and pids"): ip's JSON lines must all be there, in order, the rest may differ.
fn netns_json(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    if c.tool != ToolId::Netns || o.code != u.code || o.stderr != u.stderr {
        return false;
    }
    let ours = without_ns_id(&u.out());
    if ours == o.out() {
        return true;
    }
    let mentions = |w: &[u8]| {
        c.args.iter().any(|a| a.windows(w.len()).any(|x| x == w))
            || c.batch
                .as_ref()
                .is_some_and(|b| b.windows(w.len()).any(|x| x == w))
    };
    let sub = c.args.iter().any(|a| {
        matches!(
            netns_rs::opts::find_sub(a),
            Some(netns_rs::opts::Sub::Identify | netns_rs::opts::Sub::Pids)
        )
    });
    if !wants_json(c) || !(sub || mentions(b"id") || mentions(b"pid")) {
        return false;
    }
    let o_out = o.out();
    let mut ours_lines = ours.lines();
    o_out
        .lines()
        .filter(|l| l.starts_with('[') || l.starts_with('{'))
        .all(|l| ours_lines.any(|m| m == l))
}

/// A batch file that cannot be read: ip takes the error for the end of the file (exit 0),
/// netns-rs says so (netns-rs, "batch lines are bounded").
fn batch_read_error(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    c.tool == ToolId::Netns
        && o.code == 0
        && u.code == 1
        && u.err().starts_with("Cannot read file \"")
        && u.stdout.starts_with(&o.stdout)
}

/// unshare with `--KIND=FILE` whose bind fails: util-linux's child (with `--fork`) or the
/// program has run on meanwhile and printed its own output or error; ours makes the child wait
/// for the binds and stops it (unshare-rs, "`--fork` with `--KIND=FILE`: the child waits for
/// the binds"). Our output is the original's without the child's part.
fn child_waits_for_binds(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    let persist = c.args.iter().any(|a| {
        a.starts_with(b"--")
            && a.contains(&b'=')
            && !a.starts_with(b"--map")
            && !a.starts_with(b"--kill")
    });
    let lines =
        |b: &[u8]| -> Vec<Vec<u8>> { b.split(|&x| x == b'\n').map(<[u8]>::to_vec).collect() };
    let (ol, ul) = (lines(&o.stderr), lines(&u.stderr));
    // The original's parent and child write to one stderr at once, and its parent writes the
    // "unshare: " prefix and the message apart, so the child's line can land in between
    // ("unshare: unshare: failed to execute ...\nmount ... failed: ..."): one of our lines is
    // then found as its message without the prefix.
    let found = |l: &Vec<u8>| {
        ol.contains(l) || {
            let msg = l.strip_prefix(b"unshare: ").unwrap_or(l);
            !msg.is_empty() && o.stderr.windows(msg.len()).any(|w| w == msg)
        }
    };
    c.tool == ToolId::Unshare
        && persist
        && o.code == u.code
        && o.code != 0
        && o.stdout.starts_with(&u.stdout)
        && u.err().contains(" failed: ")
        && ul.iter().all(found)
        && (ol.len() > ul.len() || o.stdout != u.stdout)
}

/// A `list-id` after a `delete` in one batch (or `-all delete`): the kernel frees a deleted
/// namespace's nsid asynchronously, so the line for it may be there or gone, for ip and
/// netns-rs alike (COMPATIBILITY.md, netns-rs, "Not differences"). Equal but for `nsid` lines.
fn nsid_freed_later(c: &Case, o: &Outcome, u: &Outcome) -> bool {
    let text = c.batch.clone().unwrap_or_default();
    let has = |w: &[u8]| text.windows(w.len()).any(|x| x == w);
    // Text: the `nsid N ...` lines go; JSON: a `list-id` array, with or without entries, is `[]`.
    let no_nsid = |b: &[u8]| -> Vec<u8> {
        b.split_inclusive(|&x| x == b'\n')
            .filter(|l| !l.starts_with(b"nsid "))
            .flat_map(|l| {
                if l.starts_with(b"[{\"nsid\"") {
                    &b"[]\n"[..]
                } else {
                    l
                }
            })
            .copied()
            .collect()
    };
    // With -j, ours also has the documented JSON ns_id fields ([`netns_json`]).
    let ours = without_ns_id(&String::from_utf8_lossy(&no_nsid(&u.stdout)));
    c.tool == ToolId::Netns
        && (has(b" d") || has(b"del"))
        && has(b"list-id")
        && o.code == u.code
        && o.stderr == u.stderr
        && (no_nsid(&o.stdout) == no_nsid(&u.stdout)
            || String::from_utf8_lossy(&no_nsid(&o.stdout)) == ours)
}

/// The documented differences, in the order they are tried.
pub static DOCUMENTED: &[Rule] = &[
    Rule {
        name: "--help in our own words",
        applies: help,
    },
    Rule {
        name: "--version names nsutils",
        applies: version,
    },
    Rule {
        name: "ip -help: our own summary",
        applies: ip_help,
    },
    Rule {
        name: "lsns: failed to apply filter: the errno",
        applies: apply_errno,
    },
    Rule {
        name: "lsns: filters in namespace-ID mode",
        applies: filter_in_id_mode,
    },
    Rule {
        name: "lsns: =~ with a right operand that is no string",
        applies: regex_operand,
    },
    Rule {
        name: "lsns -H: the ID column",
        applies: list_columns_extension,
    },
    Rule {
        name: "netns: JSON ns_id, and JSON for identify and pids",
        applies: netns_json,
    },
    Rule {
        name: "netns: a batch file read error is reported",
        applies: batch_read_error,
    },
    Rule {
        name: "netns: a deleted namespace's nsid is freed later (kernel)",
        applies: nsid_freed_later,
    },
    Rule {
        name: "unshare: with --KIND=FILE the child waits for the binds",
        applies: child_waits_for_binds,
    },
];

/// The verdict on a case whose original did `orig` and ours `ours`.
pub fn judge(case: &Case, orig: &Ran, ours: &Ran) -> Verdict {
    let (o, u) = (
        normalised(orig.outcome().clone()),
        normalised(ours.outcome().clone()),
    );
    if matches!(ours, Ran::Hung(_)) {
        return Verdict::OursHang;
    }
    if crashed(&u) || panicked(&u) {
        return Verdict::OursCrash;
    }
    if matches!(orig, Ran::Hung(_)) {
        return Verdict::OracleHang;
    }
    if o == u {
        return Verdict::Same;
    }
    if crashed(&o) {
        return Verdict::OracleCrash;
    }
    for r in DOCUMENTED {
        if (r.applies)(case, &o, &u) {
            return Verdict::Documented(r.name);
        }
    }
    Verdict::Divergence
}

/// A short signature of a failing pair, to group many cases that fail alike: the tool, the
/// verdict, and the first line of each side's stderr with digits masked, and the statuses.
pub fn signature(case: &Case, v: &Verdict, orig: &Ran, ours: &Ran) -> String {
    let first = |o: &Outcome| -> String {
        let e = normalised(o.clone()).err();
        let line = e.lines().next().unwrap_or("").to_string();
        let line: String = line
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        // Quoted user input varies; keep the message's shape.
        match line.find(['"', '\'']) {
            Some(i) => line[..i].to_string(),
            None => line,
        }
    };
    format!(
        "{} {} | {} [{}] | {} [{}]",
        case.tool.word(),
        v.label(),
        first(orig.outcome()),
        orig.outcome().code,
        first(ours.outcome()),
        ours.outcome().code
    )
}
