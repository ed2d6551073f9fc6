//! ip's global options and the netns subcommands, as ONE table each, with ip's rules for
//! matching a word against them. The tables drive parsing ([`crate::cli`]), `-help` and the
//! `help` subcommand ([`crate::help`]), the generated docs, and the drop-in ip's routing.
//!
//! ip matches options by *prefix* in table order (`-a` is `-all`, `-b` is `-batch`, `-f` is
//! `-family`, not `-force`) and takes `--x` as `-x`. Options that mean nothing to `ip netns`
//! (`-details`, `-4`, ...) are in the table so that they are accepted and ignored; they are
//! hidden from `-help`.

use nscore::cmdline::getopt::{HasArg, OptDef};

/// What a global option does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `-loops N` (flush loops of `ip addr flush`): ignored.
    Loops,
    /// `-family FAMILY`: checked, then ignored.
    Family,
    /// `-4`, `-6`, `-0`, `-M`, `-B` and the other flags with no meaning for netns.
    Ignored,
    /// `-Version`.
    Version,
    /// `-force`: a failing batch line does not stop the batch.
    Force,
    /// `-batch FILE`.
    Batch,
    /// `-json`.
    Json,
    /// `-pretty`.
    Pretty,
    /// `-rcvbuf SIZE`: checked, then ignored.
    Rcvbuf,
    /// `-color[=WHEN]`: ignored (netns output has no colours).
    Color,
    /// `-help`.
    Help,
    /// `-netns NAME`.
    Netns,
    /// `-all`.
    All,
}

/// One global option: its getopt-style definition (`long` is the ip word without its `-`) and
/// whether ip compares it exactly (`strcmp`) rather than by prefix.
pub struct GlobalOpt {
    /// The definition; `help: ""` hides it.
    pub def: OptDef<Key>,
    /// Exact match only (`-4`, `-echo`).
    pub exact: bool,
}

const fn opt(
    key: Key,
    word: &'static str,
    has_arg: HasArg,
    value_name: Option<&'static str>,
    help: &'static str,
) -> GlobalOpt {
    GlobalOpt {
        def: OptDef::new(key, None, Some(word), has_arg, value_name, help, 0),
        exact: false,
    }
}

const fn exact(word: &'static str) -> GlobalOpt {
    let mut o = opt(Key::Ignored, word, HasArg::No, None, "");
    o.exact = true;
    o
}

/// ip's global options in ip's own order (the order decides what a prefix means).
pub static GLOBAL_OPTS: &[GlobalOpt] = &[
    opt(Key::Loops, "loops", HasArg::Required, Some("COUNT"), ""),
    opt(Key::Family, "family", HasArg::Required, Some("FAMILY"), ""),
    exact("4"),
    exact("6"),
    exact("0"),
    exact("M"),
    exact("B"),
    opt(Key::Ignored, "human", HasArg::No, None, ""),
    opt(Key::Ignored, "human-readable", HasArg::No, None, ""),
    opt(Key::Ignored, "iec", HasArg::No, None, ""),
    opt(Key::Ignored, "stats", HasArg::No, None, ""),
    opt(Key::Ignored, "statistics", HasArg::No, None, ""),
    opt(Key::Ignored, "details", HasArg::No, None, ""),
    opt(Key::Ignored, "resolve", HasArg::No, None, ""),
    opt(Key::Ignored, "oneline", HasArg::No, None, ""),
    opt(Key::Ignored, "timestamp", HasArg::No, None, ""),
    opt(Key::Ignored, "tshort", HasArg::No, None, ""),
    opt(
        Key::Version,
        "Version",
        HasArg::No,
        None,
        "show which program and version this is, then stop",
    ),
    opt(
        Key::Force,
        "force",
        HasArg::No,
        None,
        "in batch mode, go on after a failing line",
    ),
    opt(
        Key::Batch,
        "batch",
        HasArg::Required,
        Some("FILE"),
        "run the commands in FILE (\"-\": standard input), one per line",
    ),
    opt(Key::Ignored, "brief", HasArg::No, None, ""),
    opt(
        Key::Json,
        "json",
        HasArg::No,
        None,
        "print JSON (list, list-id, identify, pids)",
    ),
    opt(
        Key::Pretty,
        "pretty",
        HasArg::No,
        None,
        "indent the JSON for people",
    ),
    opt(Key::Rcvbuf, "rcvbuf", HasArg::Required, Some("SIZE"), ""),
    opt(Key::Color, "color", HasArg::Optional, Some("WHEN"), ""),
    opt(
        Key::Help,
        "help",
        HasArg::No,
        None,
        "show this summary, then stop",
    ),
    opt(
        Key::Netns,
        "netns",
        HasArg::Required,
        Some("NAME"),
        "run inside the named namespace, as exec would set it up",
    ),
    opt(Key::Ignored, "Numeric", HasArg::No, None, ""),
    opt(
        Key::All,
        "all",
        HasArg::No,
        None,
        "delete or exec: act on every named namespace",
    ),
    exact("echo"),
];

/// A subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sub {
    /// `list` (also `show`, `lst`).
    List,
    /// `list-id`.
    ListId,
    /// `help`.
    Help,
    /// `add NAME`.
    Add,
    /// `set NAME NETNSID`.
    Set,
    /// `delete NAME`.
    Delete,
    /// `identify [PID]`.
    Identify,
    /// `pids NAME`.
    Pids,
    /// `exec NAME CMD...`.
    Exec,
    /// `monitor`.
    Monitor,
    /// `attach NAME PID`.
    Attach,
}

/// One subcommand: the words that select it by prefix, its synopsis and what it does.
pub struct SubDef {
    /// Which.
    pub sub: Sub,
    /// Words a prefix of which selects it (first match in table order wins).
    pub words: &'static [&'static str],
    /// The synopsis after `netns-rs`.
    pub synopsis: &'static str,
    /// One line on what it does.
    pub help: &'static str,
}

/// The subcommands in ip's matching order.
pub static SUBCOMMANDS: &[SubDef] = &[
    SubDef {
        sub: Sub::List,
        words: &["list", "show", "lst"],
        synopsis: "list",
        help: "name every namespace in /run/netns, with its nsid if it has one",
    },
    SubDef {
        sub: Sub::ListId,
        words: &["list-id"],
        synopsis: "list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]",
        help: "show the nsids this namespace (or the target) has handed out",
    },
    SubDef {
        sub: Sub::Help,
        words: &["help"],
        synopsis: "help",
        help: "print the subcommand summary on standard error",
    },
    SubDef {
        sub: Sub::Add,
        words: &["add"],
        synopsis: "add NAME",
        help: "create a namespace and pin it under NAME",
    },
    SubDef {
        sub: Sub::Set,
        words: &["set"],
        synopsis: "set NAME NETNSID",
        help: "give NAME an nsid (auto: the lowest free one)",
    },
    SubDef {
        sub: Sub::Delete,
        words: &["delete"],
        synopsis: "[-all] delete [NAME]",
        help: "unpin NAME (never through a symlink)",
    },
    SubDef {
        sub: Sub::Identify,
        words: &["identify"],
        synopsis: "identify [PID]",
        help: "which name the namespace of PID (default: ourselves) has",
    },
    SubDef {
        sub: Sub::Pids,
        words: &["pids"],
        synopsis: "pids NAME",
        help: "the processes living in NAME",
    },
    SubDef {
        sub: Sub::Exec,
        words: &["exec"],
        synopsis: "[-all] exec [NAME] cmd ...",
        help: "run a program inside NAME with its /sys and /etc/netns/NAME",
    },
    SubDef {
        sub: Sub::Monitor,
        words: &["monitor"],
        synopsis: "monitor",
        help: "report names as they are added and deleted",
    },
    SubDef {
        sub: Sub::Attach,
        words: &["attach"],
        synopsis: "attach NAME PID",
        help: "pin the namespace of PID under NAME",
    },
];

/// iproute2's `matches(word, full)`: `word` is a non-empty prefix of `full`.
pub fn matches(word: &[u8], full: &str) -> bool {
    !word.is_empty() && full.as_bytes().starts_with(word)
}

/// The subcommand a word selects.
pub fn find_sub(word: &[u8]) -> Option<Sub> {
    SUBCOMMANDS
        .iter()
        .find(|d| d.words.iter().any(|w| matches(word, w)))
        .map(|d| d.sub)
}

/// The global option `word` (one leading `-`, as ip reads `--x` as `-x`) selects, as ip matches
/// it: the first entry of [`GLOBAL_OPTS`] it abbreviates (`-` alone included), exact words only
/// whole, `-color` with a WHEN ip knows. Also the drop-in ip's reading.
pub fn global_opt(word: &[u8]) -> Option<&'static GlobalOpt> {
    GLOBAL_OPTS.iter().find(|o| {
        let name = o.def.long.unwrap_or_default();
        let rest = word.strip_prefix(b"-").unwrap_or(word);
        if o.def.key == Key::Color {
            return ip_color(word);
        }
        if o.exact {
            rest == name.as_bytes()
        } else {
            word.len() > 1 && matches(rest, name) || word == b"-" && !name.is_empty()
        }
    })
}

/// ip's `-color[=WHEN]` test: the name part is a prefix of `-color` and WHEN is one ip knows.
fn ip_color(word: &[u8]) -> bool {
    let (name, value) = match word.iter().position(|&b| b == b'=') {
        Some(i) => (&word[..i], Some(&word[i + 1..])),
        None => (word, None),
    };
    matches(name, "-color")
        && matches!(
            value,
            None | Some(b"") | Some(b"always") | Some(b"auto") | Some(b"never")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommands_match_by_prefix_in_ip_order() {
        assert_eq!(find_sub(b"l"), Some(Sub::List));
        assert_eq!(find_sub(b"s"), Some(Sub::List));
        assert_eq!(find_sub(b"sh"), Some(Sub::List));
        assert_eq!(find_sub(b"li"), Some(Sub::List));
        assert_eq!(find_sub(b"list-"), Some(Sub::ListId));
        assert_eq!(find_sub(b"se"), Some(Sub::Set));
        assert_eq!(find_sub(b"a"), Some(Sub::Add));
        assert_eq!(find_sub(b"at"), Some(Sub::Attach));
        assert_eq!(find_sub(b"d"), Some(Sub::Delete));
        assert_eq!(find_sub(b"e"), Some(Sub::Exec));
        assert_eq!(find_sub(b"i"), Some(Sub::Identify));
        assert_eq!(find_sub(b"p"), Some(Sub::Pids));
        assert_eq!(find_sub(b"m"), Some(Sub::Monitor));
        assert_eq!(find_sub(b"h"), Some(Sub::Help));
        assert_eq!(find_sub(b""), None);
        assert_eq!(find_sub(b"lists"), None);
    }

    #[test]
    fn colour_words() {
        assert!(ip_color(b"-c"));
        assert!(ip_color(b"-color=never"));
        assert!(!ip_color(b"-color=sometimes"));
        assert!(!ip_color(b"-x"));
    }
}
