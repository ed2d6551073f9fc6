//! `--help` option lines rendered from the same [`OptDef`] table that drives parsing.
//!
//! util-linux writes each tool's help by hand, so the layout differs from tool to tool: the
//! description column (27 for `unshare`, 24 for `nsenter` and `lsns`), the indent of long-only
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
    /// The 0-based character position where descriptions start (27 for unshare, 24 for nsenter
    /// and lsns). A label must be shorter than this to share its line with a padding of at least
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
/// spells irregularly (nsenter 2.38 prints ` -W. --wdns <dir>`).
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
    use super::*;
    use std::process::Command;
    use HasArg::{No, Optional, Required};

    /// A table entry for the layout tests.
    const fn e(
        short: Option<char>,
        long: Option<&'static str>,
        has_arg: HasArg,
        value_name: Option<&'static str>,
        help: &'static str,
        group: u8,
    ) -> OptDef<()> {
        OptDef::new((), short, long, has_arg, value_name, help, group)
    }

    // The layout tables below copy the option names, arguments and groups of the originals
    // (their interface), never their descriptions: every description is a placeholder of ours,
    // with as many lines (and the same extra indent on continuation lines) as the original's.

    /// A one-line placeholder description.
    const D: &str = "desc";
    /// A placeholder description whose second line is indented by two more spaces.
    const D2: &str = "desc\n  more";

    /// unshare (util-linux 2.38): `-m` and `-u` take no argument but `--mount` and `--uts` an
    /// optional one, hence the hidden short-only entries first.
    static UNSHARE: &[OptDef<()>] = &[
        e(Some('m'), None, No, None, "", 0),
        e(Some('m'), Some("mount"), Optional, Some("<file>"), D, 0),
        e(Some('u'), None, No, None, "", 0),
        e(Some('u'), Some("uts"), Optional, Some("<file>"), D, 0),
        e(Some('i'), Some("ipc"), Optional, Some("<file>"), D, 0),
        e(Some('n'), Some("net"), Optional, Some("<file>"), D, 0),
        e(Some('p'), Some("pid"), Optional, Some("<file>"), D, 0),
        e(Some('U'), Some("user"), Optional, Some("<file>"), D, 0),
        e(Some('C'), Some("cgroup"), Optional, Some("<file>"), D, 0),
        e(Some('T'), Some("time"), Optional, Some("<file>"), D, 0),
        e(Some('f'), Some("fork"), No, None, D, 1),
        e(
            None,
            Some("map-user"),
            Required,
            Some("=<uid>|<name>"),
            D,
            1,
        ),
        e(
            None,
            Some("map-group"),
            Required,
            Some("=<gid>|<name>"),
            D,
            1,
        ),
        e(Some('r'), Some("map-root-user"), No, None, D, 1),
        e(Some('c'), Some("map-current-user"), No, None, D, 1),
        e(None, Some("map-auto"), No, None, D, 1),
        e(
            None,
            Some("map-users"),
            Required,
            Some("=<outeruid>,<inneruid>,<count>"),
            D,
            1,
        ),
        e(
            None,
            Some("map-groups"),
            Required,
            Some("=<outergid>,<innergid>,<count>"),
            D,
            1,
        ),
        e(None, Some("kill-child"), Optional, Some("<signame>"), D2, 2),
        e(None, Some("mount-proc"), Optional, Some("<dir>"), D, 2),
        e(
            None,
            Some("propagation"),
            Required,
            Some("slave|shared|private|unchanged"),
            D,
            2,
        ),
        e(None, Some("setgroups"), Required, Some("allow|deny"), D, 2),
        e(None, Some("keep-caps"), No, None, D, 2),
        e(Some('R'), Some("root"), Required, Some("=<dir>"), D, 3),
        e(Some('w'), Some("wd"), Required, Some("=<dir>"), D, 3),
        e(Some('S'), Some("setuid"), Required, Some("<uid>"), D, 3),
        e(Some('G'), Some("setgid"), Required, Some("<gid>"), D, 3),
        e(None, Some("monotonic"), Required, Some("<offset>"), D, 3),
        e(None, Some("boottime"), Required, Some("<offset>"), D, 3),
        e(Some('h'), Some("help"), No, None, D, 4),
        e(Some('V'), Some("version"), No, None, D, 4),
    ];

    /// nsenter (util-linux 2.38).
    static NSENTER: &[OptDef<()>] = &[
        e(Some('a'), Some("all"), No, None, D, 0),
        e(Some('t'), Some("target"), Required, Some("<pid>"), D, 0),
        e(Some('m'), Some("mount"), Optional, Some("<file>"), D, 0),
        e(Some('u'), Some("uts"), Optional, Some("<file>"), D, 0),
        e(Some('i'), Some("ipc"), Optional, Some("<file>"), D, 0),
        e(Some('n'), Some("net"), Optional, Some("<file>"), D, 0),
        e(Some('p'), Some("pid"), Optional, Some("<file>"), D, 0),
        e(Some('C'), Some("cgroup"), Optional, Some("<file>"), D, 0),
        e(Some('U'), Some("user"), Optional, Some("<file>"), D, 0),
        e(Some('T'), Some("time"), Optional, Some("<file>"), D, 0),
        e(Some('S'), Some("setuid"), Required, Some("<uid>"), D, 0),
        e(Some('G'), Some("setgid"), Required, Some("<gid>"), D, 0),
        e(None, Some("preserve-credentials"), No, None, D, 0),
        e(Some('r'), Some("root"), Optional, Some("<dir>"), D, 0),
        e(Some('w'), Some("wd"), Optional, Some("<dir>"), D, 0),
        e(Some('W'), Some("wdns"), Required, Some("<dir>"), D, 0),
        e(Some('F'), Some("no-fork"), No, None, D, 0),
        e(Some('Z'), Some("follow-context"), No, None, D, 0),
        e(Some('h'), Some("help"), No, None, D, 1),
        e(Some('V'), Some("version"), No, None, D, 1),
    ];

    /// nsenter spells the `-W` line ` -W. --wdns <dir>` (a dot for the comma).
    fn nsenter_label(opt: &OptDef<()>) -> Option<String> {
        (opt.short == Some('W')).then(|| " -W. --wdns <dir>".to_string())
    }

    /// lsns (util-linux 2.38): `--tree` takes an optional argument but is shown as if required.
    static LSNS: &[OptDef<()>] = &[
        e(Some('J'), Some("json"), No, None, D, 0),
        e(Some('l'), Some("list"), No, None, D, 0),
        e(Some('n'), Some("noheadings"), No, None, D, 0),
        e(Some('o'), Some("output"), Required, Some("<list>"), D, 0),
        e(None, Some("output-all"), No, None, D, 0),
        e(Some('p'), Some("task"), Required, Some("<pid>"), D, 0),
        e(Some('r'), Some("raw"), No, None, D, 0),
        e(Some('u'), Some("notruncate"), No, None, D, 0),
        e(Some('W'), Some("nowrap"), No, None, D, 0),
        e(Some('t'), Some("type"), Required, Some("<name>"), D, 0),
        e(Some('T'), Some("tree"), Optional, Some(" <rel>"), D, 0),
        e(Some('h'), Some("help"), No, None, D, 1),
        e(Some('V'), Some("version"), No, None, D, 1),
    ];

    /// The options block of the installed `tool --help` in the C locale: the lines after
    /// `Options:` up to the next heading (a line not starting with a space), without the blank
    /// lines that end it.
    fn original_options(tool: &str) -> String {
        let out = Command::new(tool)
            .arg("--help")
            .env("LC_ALL", "C")
            .env("LANG", "C")
            .env_remove("LANGUAGE")
            .output()
            .unwrap_or_else(|err| panic!("cannot run `{tool} --help`: {err}"));
        assert!(out.status.success(), "`{tool} --help` failed");
        let text = String::from_utf8(out.stdout).expect("`--help` output is UTF-8");
        let (_, rest) = text
            .split_once("\nOptions:\n")
            .unwrap_or_else(|| panic!("no `Options:` heading in `{tool} --help`"));
        let mut lines: Vec<&str> = rest
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .collect();
        while lines.last() == Some(&"") {
            lines.pop();
        }
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The layout of one line of an options block, without its description text.
    #[derive(Debug, PartialEq, Eq)]
    enum Row {
        /// An empty line (a group break).
        Blank,
        /// A line starting with an option's label, with the column where the description
        /// starts on the same line (`None`: the label is alone on its line).
        Opt {
            label: String,
            desc_col: Option<usize>,
        },
        /// A line of description only (the next-line description of a long label, or a
        /// continuation line), starting after `indent` spaces.
        Text { indent: usize },
    }

    /// The rows of `block`, whose option lines must start with `labels` in that order (a label
    /// matches when followed by a space or the end of the line).
    fn rows(block: &str, labels: &[String]) -> Vec<Row> {
        let mut pending = labels.iter().peekable();
        let mut rows = Vec::new();
        for line in block.lines() {
            if line.is_empty() {
                rows.push(Row::Blank);
                continue;
            }
            let rest = pending
                .peek()
                .and_then(|label| line.strip_prefix(label.as_str()))
                .filter(|rest| rest.is_empty() || rest.starts_with(' '));
            match (rest, pending.peek()) {
                (Some(rest), Some(label)) => {
                    let width = label.chars().count();
                    rows.push(Row::Opt {
                        label: label.to_string(),
                        desc_col: rest.chars().position(|c| c != ' ').map(|i| width + i),
                    });
                    pending.next();
                }
                _ => rows.push(Row::Text {
                    indent: line.chars().take_while(|&c| c == ' ').count(),
                }),
            }
        }
        let missing: Vec<&String> = pending.collect();
        assert!(
            missing.is_empty(),
            "labels not found in\n{block}: {missing:?}"
        );
        rows
    }

    /// The labels of the visible entries of `opts`, as the renderer prints them.
    fn labels(
        opts: &[OptDef<()>],
        style: &HelpStyle,
        label: impl Fn(&OptDef<()>) -> Option<String>,
    ) -> Vec<String> {
        opts.iter()
            .filter(|o| !o.help.is_empty())
            .map(|o| label(o).unwrap_or_else(|| option_label(o, style.long_only_indent)))
            .collect()
    }

    /// Assert that `ours` (rendered from a table with our placeholder descriptions) has the
    /// layout of the installed `tool --help` line by line: same labels, descriptions at the
    /// same columns, same overflow and continuation lines, same blank lines.
    fn assert_same_layout(tool: &str, ours: &str, labels: &[String]) {
        let original = original_options(tool);
        let want = rows(&original, labels);
        let got = rows(ours, labels);
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            assert_eq!(
                g,
                w,
                "`{tool} --help` options line {}\noriginal: {:?}\nours:     {:?}",
                i + 1,
                original.lines().nth(i),
                ours.lines().nth(i),
            );
        }
        assert_eq!(
            got.len(),
            want.len(),
            "line count differs from `{tool} --help`:\n{ours}"
        );
        // The comparison saw every kind of line the original has.
        assert!(want.iter().any(|r| matches!(r, Row::Opt { .. })));
    }

    #[test]
    fn unshare_layout() {
        let style = HelpStyle::new(27, " ");
        let mut out = String::new();
        render_options(&mut out, UNSHARE, 27, " ");
        assert_same_layout("unshare", &out, &labels(UNSHARE, &style, |_| None));
        // The original's quirks are covered: labels that push the description to the next
        // line, a continuation line with extra indent, group breaks.
        let rows = rows(&out, &labels(UNSHARE, &style, |_| None));
        assert!(rows.contains(&Row::Text { indent: 27 }));
        assert!(rows.contains(&Row::Text { indent: 29 }));
        assert_eq!(rows.iter().filter(|r| **r == Row::Blank).count(), 4);
    }

    #[test]
    fn nsenter_layout() {
        let style = HelpStyle::new(24, "     ").with_overflow(Overflow::SameLine);
        let mut out = String::new();
        render_options_with(&mut out, NSENTER, &style, nsenter_label);
        let labels = labels(NSENTER, &style, nsenter_label);
        assert_same_layout("nsenter", &out, &labels);
        // The overlong long-only label keeps its description on its line after one space.
        assert!(rows(&out, &labels).contains(&Row::Opt {
            label: "     --preserve-credentials".to_string(),
            desc_col: Some(28),
        }));
    }

    #[test]
    fn lsns_layout() {
        let style = HelpStyle::new(24, "     ");
        let mut out = String::new();
        render_options(&mut out, LSNS, 24, "     ");
        assert_same_layout("lsns", &out, &labels(LSNS, &style, |_| None));
    }

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
