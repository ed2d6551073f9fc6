//! Values for options: realistic ones chosen by the option's value hint (or, where the hint
//! says nothing, by its name), and odd ones (empty, huge, negative, non-numeric, non-UTF-8,
//! whitespace) that any value may be replaced by.
//!
//! `@NAME@` in a value is a variable of the scene (a PID or a namespace's inode number there;
//! see `scenes.rs`).

use fastrand::Rng;
use nscore::cmdline::doc::ValueHint;

use super::tables::{hint_words, ToolId};

/// Pick one of `v`.
pub fn pick<'a, T>(rng: &mut Rng, v: &'a [T]) -> &'a T {
    &v[rng.usize(..v.len())]
}

/// True with probability `p`.
pub fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}

/// Words any value, operand or argument may be replaced by.
pub fn odd(rng: &mut Rng) -> Vec<u8> {
    match rng.usize(..22) {
        0 => vec![b'x'; 5000],
        1 => vec![b'9'; 300],
        2 => b"\xff\xfe".to_vec(),
        3 => b"a\nb".to_vec(),
        4 => b"\xc3\xa9t\xc3\xa9".to_vec(),
        5 => b"-".to_vec(),
        6 => b"--".to_vec(),
        7 => b"=".to_vec(),
        8 => b"-1".to_vec(),
        9 => b"4294967296".to_vec(),
        10 => b"18446744073709551616".to_vec(),
        11 => b"0x10".to_vec(),
        12 => b" 7".to_vec(),
        13 => b"7 ".to_vec(),
        14 => b"abc".to_vec(),
        15 => b"%s%n".to_vec(),
        16 => b"\t".to_vec(),
        17 => b"-0".to_vec(),
        18 => b"+5".to_vec(),
        19 => b"1e3".to_vec(),
        20 => b"\\x41".to_vec(),
        _ => Vec::new(),
    }
}

/// A namespace kind's name in /proc/PID/ns for an option's long name.
fn proc_ns_name(name: &str) -> &'static str {
    match name {
        "mount" => "mnt",
        "uts" => "uts",
        "ipc" => "ipc",
        "net" => "net",
        "pid" => "pid",
        "user" => "user",
        "cgroup" => "cgroup",
        "time" => "time",
        _ => "net",
    }
}

const PIDS: &[&str] = &[
    "@T1@",
    "@T2@",
    "@T3@",
    "@T2@",
    "1",
    "0",
    "-1",
    "999999",
    "4194305",
    "2147483648",
    "1x",
    " 1",
    "@T2@:1",
    "@T2@:",
    ":1",
    "@T2@:x",
    "01",
];
const USERS: &[&str] = &[
    "0",
    "65534",
    "nobody",
    "root",
    "nosuchuser",
    "-1",
    "4294967295",
    "4294967296",
    "1000",
    "",
    "0x0",
    "1 ",
];
const GROUPS: &[&str] = &[
    "0",
    "65534",
    "nogroup",
    "root",
    "nosuchgroup",
    "-1",
    "4294967295",
    "4294967296",
    "100",
    "",
];
const DIRS: &[&str] = &[
    "/run/w/d",
    "/",
    "/run/w/f",
    "/run/w/none",
    ".",
    "",
    "/proc",
    "d",
    "/run/w/d/",
];
const NETNS_NAMES: &[&str] = &[
    "a", "b", "c", "none", "", "x/y", "..", ".", "-x", "a b", "a\tb", "ab",
];
const SIGNALS: &[&str] = &[
    "SIGTERM",
    "TERM",
    "term",
    "9",
    "0",
    "65",
    "NOPE",
    "SIGKILL",
    "KILL",
    "sigkill",
    "HUP",
    "",
    "SIGRTMIN+1",
    "RTMIN",
    "-9",
];
const OFFSETS: &[&str] = &[
    "0",
    "1",
    "-1",
    "86400",
    "-86400",
    "1.5",
    "99999999999999999999",
    "abc",
    " 5",
    "5x",
    "",
    "9223372036854775807",
    "-9223372036854775808",
];
const OWNERS: &[&str] = &[
    "0:0",
    "65534:65534",
    "1:",
    ":1",
    "x:y",
    "4294967295:0",
    "0",
    "",
    "0:0:0",
    "nobody:nogroup",
    "-1:-1",
];
const FDS: &[&str] = &["0", "1", "2", "3", "99", "-1", "abc", "", "4294967296"];
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "5",
    "-1",
    "abc",
    "",
    "4294967296",
    "0x10",
    "9999999999",
];
const FAMILIES: &[&str] = &[
    "inet", "inet6", "link", "mpls", "bridge", "bogus", "", "help",
];
const COLORS: &[&str] = &["always", "auto", "never", "sometimes", ""];

/// A `--map-users`-style list: `inner:outer:count` ranges, `auto`, `subids`, `all`, and
/// broken variants.
pub fn id_map(rng: &mut Rng) -> Vec<u8> {
    let num = |rng: &mut Rng| -> String {
        pick(
            rng,
            &[
                "0",
                "1",
                "1000",
                "65534",
                "100000",
                "65536",
                "4294967295",
                "4294967296",
                "-1",
                "x",
                "",
                "0x10",
                " 1",
            ],
        )
        .to_string()
    };
    let s = match rng.usize(..10) {
        0 => "auto".to_string(),
        1 => "subids".to_string(),
        2 => "all".to_string(),
        3 => pick(rng, &["AUTO", "au", "auto,auto", "all:1", "sub", ""]).to_string(),
        4 => format!("{}:{}", num(rng), num(rng)),
        5 => format!("{}:{}:{}:{}", num(rng), num(rng), num(rng), num(rng)),
        6 => format!(
            "{}:{}:{},{}:{}:{}",
            num(rng),
            num(rng),
            num(rng),
            num(rng),
            num(rng),
            num(rng)
        ),
        _ => format!("{}:{}:{}", num(rng), num(rng), num(rng)),
    };
    s.into_bytes()
}

/// lsns's `-o` list: column names (any case, a leading `+`), unknown names, empty elements.
pub fn column_list(rng: &mut Rng, columns: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    if chance(rng, 0.3) {
        out.push(b'+');
    }
    let n = 1 + rng.usize(..4);
    for i in 0..n {
        if i > 0 {
            out.push(b',');
        }
        let name = if chance(rng, 0.08) {
            pick(rng, &["BOGUS", "", "N", "ns ", "PIDS"]).to_string()
        } else {
            let c = pick(rng, columns);
            if chance(rng, 0.3) {
                c.to_ascii_lowercase()
            } else {
                c.to_string()
            }
        };
        out.extend_from_slice(name.as_bytes());
    }
    if chance(rng, 0.05) {
        out.push(b',');
    }
    out
}

/// A word of a fixed list (a hint's words), maybe misspelt: a prefix, another case, with
/// junk after it.
fn word_of(rng: &mut Rng, words: &[&str]) -> Vec<u8> {
    if words.is_empty() {
        return odd(rng);
    }
    let w = pick(rng, words);
    match rng.usize(..10) {
        0 => w.as_bytes()[..w.len() / 2].to_vec(),
        1 => w.to_ascii_uppercase().into_bytes(),
        2 => format!("{w}x").into_bytes(),
        _ => w.as_bytes().to_vec(),
    }
}

/// A value for the option named `name` (its long name) of `tool`, with hint `hint`.
pub fn value(rng: &mut Rng, tool: ToolId, name: Option<&str>, hint: ValueHint) -> Vec<u8> {
    if chance(rng, 0.12) {
        return odd(rng);
    }
    let s = |v: &[&str], rng: &mut Rng| pick(rng, v).as_bytes().to_vec();
    let name = name.unwrap_or("");
    match (tool, name) {
        (ToolId::Unshare, "map-users" | "map-groups") => return id_map(rng),
        (ToolId::Unshare, "kill-child") => return s(SIGNALS, rng),
        (ToolId::Unshare, "monotonic" | "boottime") => return s(OFFSETS, rng),
        (ToolId::Unshare, "owner") => return s(OWNERS, rng),
        (ToolId::Nsenter, "net-socket") => return s(FDS, rng),
        (ToolId::Nsenter, "setuid") => return s(&["0", "65534", "follow", "FOLLOW", "-1"], rng),
        (ToolId::Nsenter, "setgid") => return s(&["0", "65534", "follow", "x", "-1"], rng),
        (ToolId::Netns, "loops" | "rcvbuf") => return s(NUMBERS, rng),
        (ToolId::Netns, "family") => return s(FAMILIES, rng),
        (ToolId::Netns, "color") => return s(COLORS, rng),
        _ => {}
    }
    match hint {
        ValueHint::File => match tool {
            ToolId::Nsenter => {
                let kind = proc_ns_name(name);
                let v = match rng.usize(..12) {
                    0..=3 => format!("/proc/@T2@/ns/{kind}"),
                    4 => format!("/proc/@T3@/ns/{kind}"),
                    5 => format!("/proc/self/ns/{kind}"),
                    6 => "/run/w/netns".to_string(),
                    7 => "/run/w/f".to_string(),
                    8 => "/run/w/none".to_string(),
                    9 => pick(rng, &[":1", ":", ":abc", ":4294967296", ":-1", ":0"]).to_string(),
                    10 => "/proc/@T2@/ns/uts".to_string(),
                    _ => String::new(),
                };
                v.into_bytes()
            }
            ToolId::Netns => s(&["/run/w/batch", "/run/w/none", "-", ""], rng),
            _ => s(
                &[
                    "/run/w/f",
                    "/run/w/f",
                    "/run/w/d",
                    "/run/w/none",
                    "f",
                    "",
                    "/proc/self/ns/net",
                    "/dev/null",
                    "/run/w/f2",
                ],
                rng,
            ),
        },
        ValueHint::Dir => s(DIRS, rng),
        ValueHint::Pid => s(PIDS, rng),
        ValueHint::User => s(USERS, rng),
        ValueHint::Group => s(GROUPS, rng),
        ValueHint::NetnsName => s(NETNS_NAMES, rng),
        ValueHint::Words(_) => word_of(rng, hint_words(hint)),
        ValueHint::WordList(_) => {
            let cols: Vec<&str> = hint_words(hint)
                .iter()
                .copied()
                .filter(|c| !super::tables::is_extension_column(c))
                .collect();
            column_list(rng, &cols)
        }
        ValueHint::Command | ValueHint::None => odd(rng),
    }
}

/// A name of a named network namespace, for netns's operands.
pub fn netns_name(rng: &mut Rng) -> Vec<u8> {
    if chance(rng, 0.08) {
        return odd(rng);
    }
    pick(rng, NETNS_NAMES).as_bytes().to_vec()
}

/// A PID, for operands.
pub fn pid(rng: &mut Rng) -> Vec<u8> {
    pick(rng, PIDS).as_bytes().to_vec()
}

/// A program and its arguments to run (or none: the shell).
pub fn program(rng: &mut Rng) -> Vec<Vec<u8>> {
    let words: &[&str] = match rng.usize(..12) {
        0..=3 => &["true"],
        4..=6 => &["id"],
        7 => &["id", "-u"],
        8 => &[],
        9 => &["/run/w/none"],
        10 => &["/run/w/d"],
        _ => &["true", "-m", "--", "x"],
    };
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}
