//! `--help` option lines rendered from the same [`OptDef`] table that drives parsing.
//!
//! util-linux writes each tool's help by hand, so the layout differs from tool to tool: the
//! description column (27 for `unshare`, 31 for `nsenter`, 24 for `lsns`), the indent of long-only
//! options (` --map-auto` in `unshare`, `     --output-all` in `lsns`), and what happens when an
//! option's left part reaches the column (`unshare` moves the description to the next line,
//! `nsenter` keeps it on the same line after one space). [`HelpStyle`] captures those choices so
//! each tool reproduces its original byte for byte with its own table, and the option names
//! shown can never drift from the ones parsed.
//!
//! How an entry's left part (its "label") is built, see [`option_label`]:
//! - short and long: ` -m, --mount`; short only: ` -m`; long only: the style's
//!   `long_only_indent` then `--map-auto`;
//! - then the argument from [`OptDef::value_name`], verbatim when it starts with a space or `[`
//!   (lsns prints its optional `--tree <rel>` as if required: value name `" <rel>"`); otherwise
//!   for [`HasArg::Optional`] `[=<file>]` (`[<file>]` after a short-only option), and for the
//!   others ` <uid>` after a space, or attached when the value name starts with `=` (`"=<dir>"`
//!   gives `--root=<dir>`, as unshare prints it).
//!
//! Entries whose help is `""` are hidden; a blank line separates groups ([`OptDef::group`]);
//! lines after the first of a multi-line help start at the description column.
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::getopt::{HasArg, OptDef};
//! use nscore::cmdline::help::render_options;
//!
//! let opts = [
//!     OptDef::new((), Some('t'), Some("target"), HasArg::Required, Some(" <pid>"),
//!         "target process to get namespaces from", 0),
//!     OptDef::new((), None, Some("preserve-credentials"), HasArg::No, None,
//!         "do not touch uids or gids", 1),
//! ];
//! let mut out = String::new();
//! render_options(&mut out, &opts, 24, "     ");
//! assert_eq!(
//!     out,
//!     " -t, --target <pid>     target process to get namespaces from\n\
//!      \n     --preserve-credentials\n                        do not touch uids or gids\n"
//! );
//! ```

use super::getopt::{HasArg, OptDef};

/// What to do when an option's label leaves no room before the description column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Print the description on the next line, at the column (`unshare`'s
    /// `--propagation slave|shared|private|unchanged`).
    NextLine,
    /// Print the description on the same line after a single space (`nsenter`'s
    /// `--preserve-credentials <description>` on one line).
    SameLine,
}

/// The layout of one tool's option lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelpStyle {
    /// The 0-based character position where descriptions start (27 for unshare, 31 for
    /// nsenter, 24 for lsns). A label must be shorter than this to share its line with a padding of at least
    /// one space.
    pub column: usize,
    /// What starts the line of an option without a short form: `" "` for unshare, `"     "`
    /// (aligned with the long names of the other lines) for nsenter and lsns.
    pub long_only_indent: &'static str,
    /// What to do when a label is too long for the column.
    pub overflow: Overflow,
}

impl HelpStyle {
    /// A style with descriptions at `column`, long-only options starting with
    /// `long_only_indent`, and [`Overflow::NextLine`].
    pub const fn new(column: usize, long_only_indent: &'static str) -> Self {
        HelpStyle {
            column,
            long_only_indent,
            overflow: Overflow::NextLine,
        }
    }

    /// The same style with another [`Overflow`].
    pub const fn with_overflow(self, overflow: Overflow) -> Self {
        HelpStyle { overflow, ..self }
    }
}

/// The value name without the leading `=`, space or brackets that only steer `--help`
/// rendering (`"=<dir>"` gives `"<dir>"`), for man pages and completions.
pub fn value_name_bare<K>(opt: &OptDef<K>) -> Option<&'static str> {
    opt.value_name.map(|v| {
        let v = v.trim_start_matches(['=', ' ']);
        match v.strip_prefix("[=").or_else(|| v.strip_prefix('[')) {
            Some(inner) => inner.strip_suffix(']').unwrap_or(inner),
            None => v,
        }
    })
}

/// The argument part following a long name (or a short name when `short` is true).
fn arg_suffix(has_arg: HasArg, value_name: &str, short: bool) -> String {
    if value_name.starts_with(['[', ' ']) {
        return value_name.to_string();
    }
    match (has_arg, short) {
        (HasArg::Optional, false) if value_name.starts_with('=') => format!("[{value_name}]"),
        (HasArg::Optional, false) => format!("[={value_name}]"),
        (HasArg::Optional, true) => format!("[{}]", value_name.trim_start_matches('=')),
        (_, false) if value_name.starts_with('=') => value_name.to_string(),
        (_, _) => format!(" {}", value_name.trim_start_matches('=')),
    }
}

/// The left part of an option's help line, e.g. ` -m, --mount[=<file>]`, ` -t <list>` or (with
/// `long_only_indent` `"     "`) `     --output-all`. See the module documentation for the rules.
pub fn option_label<K>(opt: &OptDef<K>, long_only_indent: &str) -> String {
    let mut s = String::new();
    match (opt.short, opt.long) {
        (Some(c), Some(l)) => {
            s.push_str(" -");
            s.push(c);
            s.push_str(", --");
            s.push_str(l);
        }
        (Some(c), None) => {
            s.push_str(" -");
            s.push(c);
        }
        (None, Some(l)) => {
            s.push_str(long_only_indent);
            s.push_str("--");
            s.push_str(l);
        }
        (None, None) => s.push_str(long_only_indent),
    }
    if let Some(v) = opt.value_name {
        s.push_str(&arg_suffix(opt.has_arg, v, opt.long.is_none()));
    }
    s
}

/// The closing line of every tool's `--help` (after a blank line), naming the manual page of
/// the name the program was invoked as: `For more details see unshare(1).` under the drop-in
/// name, `For more details see unshare-rs(1).` under ours, as util-linux words it.
pub fn closing_line(section: u8) -> String {
    format!("\nFor more details see {}({section}).\n", super::prog())
}

/// Append spaces until the line that `out` ends with is `column` characters long.
fn pad_to(out: &mut String, used: usize, column: usize) {
    out.extend(std::iter::repeat_n(' ', column.saturating_sub(used)));
}

/// Append one help entry: `label`, then `help` at the style's column (lines after the first one
/// of a multi-line `help` start at the column too), each line ending with `'\n'`. Use it for
/// lines that are not options, or to place an option's line by hand.
pub fn render_line(out: &mut String, label: &str, help: &str, style: &HelpStyle) {
    let mut lines = help.split('\n');
    let first = lines.next().unwrap_or_default();
    out.push_str(label);
    let width = label.chars().count();
    if !first.is_empty() {
        if width < style.column {
            pad_to(out, width, style.column);
        } else {
            match style.overflow {
                Overflow::NextLine => {
                    out.push('\n');
                    pad_to(out, 0, style.column);
                }
                Overflow::SameLine => out.push(' '),
            }
        }
        out.push_str(first);
    }
    out.push('\n');
    for line in lines {
        if !line.is_empty() {
            pad_to(out, 0, style.column);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// Append the option lines of `opts` in table order: descriptions at `column`, long-only options
/// starting with `long_only_indent`, too-long labels followed by a line break
/// ([`Overflow::NextLine`]), a blank line between groups, hidden entries (`help == ""`) skipped.
pub fn render_options<K>(
    out: &mut String,
    opts: &[OptDef<K>],
    column: usize,
    long_only_indent: &'static str,
) {
    render_options_with(out, opts, &HelpStyle::new(column, long_only_indent), |_| {
        None
    });
}

/// The entries of `opts` in the order of `keys` (each key's entries in table order): the
/// `--help` order of a tool whose table is in the original's long-option order, which glibc's
/// ambiguity messages show (`lsns --=`), while its `--help` lists them otherwise.
pub fn in_order<K: Copy + PartialEq>(opts: &[OptDef<K>], keys: &[K]) -> Vec<OptDef<K>> {
    keys.iter()
        .flat_map(|k| opts.iter().filter(move |o| o.key == *k).copied())
        .collect()
}

/// Append the option lines of `opts` in table order with `style`. `label` may replace an
/// entry's left part (return `None` to keep [`option_label`]'s), for the few lines util-linux
/// spells irregularly (nsenter 2.42 puts two spaces after its one label that reaches the
/// column, ` -C, --cgroup[=<file>|=:<nsid>]`; 2.38 printed ` -W. --wdns <dir>`).
pub fn render_options_with<K>(
    out: &mut String,
    opts: &[OptDef<K>],
    style: &HelpStyle,
    label: impl Fn(&OptDef<K>) -> Option<String>,
) {
    let mut group = None;
    for opt in opts.iter().filter(|o| !o.help.is_empty()) {
        if group.is_some_and(|g| g != opt.group) {
            out.push('\n');
        }
        group = Some(opt.group);
        let text = label(opt).unwrap_or_else(|| option_label(opt, style.long_only_indent));
        render_line(out, &text, opt.help, style);
    }
}

#[cfg(test)]
mod tests {
    //! The renderer's rules on small tables. Its layout against the originals' `--help` is
    //! checked with the oracle in `tests/help_layout.rs`.
    use super::*;
    use HasArg::{No, Optional, Required};

    #[test]
    fn labels_and_edge_cases() {
        let opt = |short, long, has_arg, value_name| {
            OptDef::new(0u8, short, long, has_arg, value_name, "x", 0)
        };
        let cases = [
            (opt(Some('x'), None, Required, Some("<n>")), " -x <n>"),
            (opt(Some('x'), None, Required, Some("=<n>")), " -x <n>"),
            (opt(Some('x'), None, Optional, Some("<n>")), " -x[<n>]"),
            (
                opt(Some('x'), Some("ex"), Optional, Some("=<n>")),
                " -x, --ex[=<n>]",
            ),
            (
                opt(Some('x'), Some("ex"), Optional, Some("[ <n>]")),
                " -x, --ex[ <n>]",
            ),
            (opt(None, Some("ex"), Optional, Some(" <n>")), "  --ex <n>"),
            (opt(None, Some("ex"), Required, Some("<n>")), "  --ex <n>"),
            (opt(None, Some("ex"), Required, Some("=<n>")), "  --ex=<n>"),
            (opt(None, Some("ex"), Required, None), "  --ex"),
            (opt(None, None, No, None), "  "),
        ];
        for (o, want) in cases {
            assert_eq!(option_label(&o, "  "), want);
        }
        assert_eq!(
            value_name_bare(&opt(None, None, Required, Some("=<dir>"))),
            Some("<dir>")
        );
        assert_eq!(
            value_name_bare(&opt(None, None, Optional, Some("[=<n>]"))),
            Some("<n>")
        );
        assert_eq!(
            value_name_bare(&opt(None, None, Optional, Some(" <rel>"))),
            Some("<rel>")
        );

        // Exactly one space of padding fits; empty continuation lines carry no spaces; an entry
        // without description has no trailing spaces.
        let style = HelpStyle::new(6, " ");
        let mut out = String::new();
        render_line(&mut out, "12345", "a\n\n  b", &style);
        render_line(&mut out, "123456", "c", &style);
        render_line(&mut out, "1", "", &style);
        assert_eq!(out, "12345 a\n\n        b\n123456\n      c\n1\n");

        // Hidden entries do not start a group; empty tables render nothing.
        let t = [
            OptDef::new(0u8, Some('a'), None, No, None, "a", 0),
            OptDef::new(1, Some('b'), None, No, None, "", 1),
            OptDef::new(2, Some('c'), None, No, None, "c", 0),
            OptDef::new(3, Some('d'), None, No, None, "d", 2),
        ];
        let mut out = String::new();
        render_options(&mut out, &t, 5, " ");
        assert_eq!(out, " -a  a\n -c  c\n\n -d  d\n");
        let mut out = String::new();
        render_options::<u8>(&mut out, &[], 5, " ");
        assert!(out.is_empty());
    }
}
