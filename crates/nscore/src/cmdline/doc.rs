//! A tool's documentation as data: everything `cargo xtask` needs to write its man page and
//! shell completions, taken from the same option table the tool parses with.
//!
//! Each tool crate exposes `pub fn doc() -> ToolDoc`; xtask renders it. Keeping the words next to
//! the option table means `--help`, the man page and the completions cannot drift apart.
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::doc::{opt_docs, ValueHint};
//! use nscore::cmdline::getopt::{HasArg, OptDef};
//!
//! let table = [OptDef::new('t', Some('t'), Some("target"), HasArg::Required, Some(" <pid>"),
//!     "target process", 0)];
//! let hint = |key| if key == 't' { ValueHint::Pid } else { ValueHint::None };
//! let docs = opt_docs(&table, &table, hint);
//! assert_eq!(docs[0].long, Some("target"));
//! assert_eq!(docs[0].hint, ValueHint::Pid);
//! ```

use super::getopt::{HasArg, OptDef};

/// What a value of an option (or an operand) is, so completions can offer candidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueHint {
    /// Nothing to offer.
    None,
    /// A file path.
    File,
    /// A directory path.
    Dir,
    /// A PID of a running process.
    Pid,
    /// A user name or uid.
    User,
    /// A group name or gid.
    Group,
    /// A command and its arguments.
    Command,
    /// One of a fixed list of words.
    Words(&'static [&'static str]),
    /// A comma-separated list of these words (lsns `-o`).
    WordList(&'static [&'static str]),
    /// A named network namespace (entries of /run/netns).
    NetnsName,
}

/// One option, with the tool's key erased, for documentation.
#[derive(Clone, Debug)]
pub struct OptDoc {
    /// Short letter.
    pub short: Option<char>,
    /// Long name without `--` (for netns-rs: the ip-style word without `-`).
    pub long: Option<&'static str>,
    /// Whether it takes an argument (the long form, or the only form).
    pub has_arg: HasArg,
    /// Whether the short letter takes one. It can differ from `has_arg`: unshare's `-m` takes
    /// none while `--mount` takes an optional `=FILE` (a hidden short-only table entry).
    pub short_has_arg: HasArg,
    /// Argument name as in `--help`.
    pub value_name: Option<&'static str>,
    /// Description.
    pub help: &'static str,
    /// What its value is.
    pub hint: ValueHint,
}

/// Turn the option entries `opts` (in the order to document them) into [`OptDoc`]s, skipping
/// hidden entries (help `""`), with `hint` choosing a [`ValueHint`] per option. `parse_table`
/// is the table the tool parses with, which decides what a short letter takes.
pub fn opt_docs<K: Copy>(
    opts: &[OptDef<K>],
    parse_table: &[OptDef<K>],
    hint: impl Fn(K) -> ValueHint,
) -> Vec<OptDoc> {
    // A letter means what the FIRST entry with it says (see `OptDef::short`).
    let short_arg = |c: char| {
        parse_table
            .iter()
            .find(|o| o.short == Some(c))
            .map_or(HasArg::No, |o| o.has_arg)
    };
    opts.iter()
        .filter(|o| !o.help.is_empty())
        .map(|o| OptDoc {
            short: o.short,
            long: o.long,
            has_arg: o.has_arg,
            short_has_arg: o.short.map_or(o.has_arg, short_arg),
            value_name: o.value_name,
            help: o.help,
            hint: hint(o.key),
        })
        .collect()
}

/// A tool's documentation.
#[derive(Clone, Debug)]
pub struct ToolDoc {
    /// Our binary's name (`unshare-rs`).
    pub name: &'static str,
    /// The original it replaces (`unshare`, or `ip netns`).
    pub original: &'static str,
    /// Manual section (1 or 8, as the original's).
    pub section: u8,
    /// One line for the NAME section.
    pub summary: &'static str,
    /// Synopsis lines, without the program name (e.g. `[options] [program [argument...]]`).
    pub synopsis: Vec<&'static str>,
    /// DESCRIPTION paragraphs.
    pub description: Vec<&'static str>,
    /// The options.
    pub options: Vec<OptDoc>,
    /// What operands are, for completions.
    pub operand_hint: ValueHint,
    /// Further sections (title, paragraphs), e.g. netns-rs's subcommands or lsns's columns.
    pub extra_sections: Vec<(&'static str, Vec<&'static str>)>,
    /// EXIT STATUS paragraphs.
    pub exit_status: Vec<&'static str>,
    /// EXAMPLES: (command, what it does).
    pub examples: Vec<(&'static str, &'static str)>,
    /// Differences from the original (see docs/COMPATIBILITY.md).
    pub differences: Vec<&'static str>,
}
