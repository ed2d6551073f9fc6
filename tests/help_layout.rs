//! `nscore::cmdline::help` against the released originals' `--help` layout.
//!
//! The renderer has to reproduce three hand-made layouts (util-linux writes each tool's usage
//! text by hand). These tests render tables that hold the originals' option names, arguments
//! and groups (their interface; every description is a placeholder of ours with as many lines)
//! and compare the result line by line with the oracle's `--help` (util-linux 2.42.4): same
//! labels, descriptions at the same columns, the same overflow and continuation lines, the same
//! blank lines. The tools' own `--help` (our words) is tested in each tool's tests.
//!
//! The reference is the oracle, never the installed util-linux, whose layout changes from
//! release to release (2.38 put nsenter's descriptions at column 24, 2.42 at 31).

use nscore::cmdline::getopt::{HasArg, OptDef};
use nscore::cmdline::help::{option_label, render_options_with, HelpStyle, Overflow};
use nsutils_testkit::oracle;
use HasArg::{No, Optional, Required};

/// A table entry.
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

/// A one-line placeholder description.
const D: &str = "desc";
/// A placeholder description whose second line is indented by two more spaces.
const D2: &str = "desc\n  more";

/// unshare 2.42.4.
static UNSHARE: &[OptDef<()>] = &[
    e(Some('m'), Some("mount"), Optional, Some("<file>"), D, 0),
    e(Some('u'), Some("uts"), Optional, Some("<file>"), D, 0),
    e(Some('i'), Some("ipc"), Optional, Some("<file>"), D, 0),
    e(Some('n'), Some("net"), Optional, Some("<file>"), D, 0),
    e(Some('p'), Some("pid"), Optional, Some("<file>"), D, 0),
    e(Some('U'), Some("user"), Optional, Some("<file>"), D, 0),
    e(Some('C'), Some("cgroup"), Optional, Some("<file>"), D, 0),
    e(Some('T'), Some("time"), Optional, Some("<file>"), D, 0),
    e(None, Some("mount-proc"), Optional, Some("<dir>"), D, 1),
    e(None, Some("mount-binfmt"), Optional, Some("<dir>"), D, 1),
    e(
        Some('l'),
        Some("load-interp"),
        Required,
        Some("<file>"),
        D,
        1,
    ),
    e(
        None,
        Some("propagation"),
        Required,
        Some("slave|shared|private|unchanged"),
        D,
        1,
    ),
    e(Some('R'), Some("root"), Required, Some("<dir>"), D, 1),
    e(Some('w'), Some("wd"), Required, Some("<dir>"), D, 1),
    e(Some('S'), Some("setuid"), Required, Some("<uid>"), D, 2),
    e(Some('G'), Some("setgid"), Required, Some("<gid>"), D, 2),
    e(None, Some("map-user"), Required, Some("<uid>|<name>"), D, 2),
    e(
        None,
        Some("map-group"),
        Required,
        Some("<gid>|<name>"),
        D,
        2,
    ),
    e(Some('r'), Some("map-root-user"), No, None, D, 2),
    e(Some('c'), Some("map-current-user"), No, None, D, 2),
    e(None, Some("map-auto"), No, None, D, 2),
    e(None, Some("map-subids"), No, None, D, 2),
    e(
        None,
        Some("map-users"),
        Required,
        Some("<inneruid>:<outeruid>:<count>"),
        D,
        2,
    ),
    e(
        None,
        Some("map-groups"),
        Required,
        Some("<innergid>:<outergid>:<count>"),
        D,
        2,
    ),
    e(None, Some("owner"), Required, Some("<uid>:<gid>"), D, 2),
    e(Some('f'), Some("fork"), No, None, D, 3),
    e(None, Some("kill-child"), Optional, Some("<signame>"), D2, 3),
    e(None, Some("forward-signals"), No, None, D, 3),
    e(None, Some("setgroups"), Required, Some("allow|deny"), D, 4),
    e(None, Some("keep-caps"), No, None, D, 4),
    e(None, Some("monotonic"), Required, Some("<offset>"), D, 5),
    e(None, Some("boottime"), Required, Some("<offset>"), D, 5),
    e(Some('h'), Some("help"), No, None, D, 6),
    e(Some('V'), Some("version"), No, None, D, 6),
];

/// nsenter 2.42.4 (its help shows `-S` and `-G` with optional arguments, though they take
/// required ones; the layout test copies what the help shows).
static NSENTER: &[OptDef<()>] = &[
    e(Some('a'), Some("all"), No, None, D, 0),
    e(Some('t'), Some("target"), Required, Some("<PID>"), D, 0),
    e(
        Some('m'),
        Some("mount"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(
        Some('u'),
        Some("uts"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(
        Some('i'),
        Some("ipc"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(
        Some('n'),
        Some("net"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(Some('N'), Some("net-socket"), Required, Some("<fd>"), D, 0),
    e(
        Some('p'),
        Some("pid"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(
        Some('C'),
        Some("cgroup"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(
        Some('U'),
        Some("user"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(None, Some("user-parent"), No, None, D, 0),
    e(
        Some('T'),
        Some("time"),
        Optional,
        Some("<file>|=:<nsid>"),
        D,
        0,
    ),
    e(Some('S'), Some("setuid"), Optional, Some("<uid>"), D, 0),
    e(Some('G'), Some("setgid"), Optional, Some("<gid>"), D, 0),
    e(None, Some("preserve-credentials"), No, None, D, 0),
    e(None, Some("keep-caps"), No, None, D, 0),
    e(Some('r'), Some("root"), Optional, Some("<dir>"), D, 0),
    e(Some('w'), Some("wd"), Optional, Some("<dir>"), D, 0),
    e(Some('W'), Some("wdns"), Required, Some("<dir>"), D, 0),
    e(Some('e'), Some("env"), No, None, D, 0),
    e(Some('F'), Some("no-fork"), No, None, D, 0),
    e(Some('c'), Some("join-cgroup"), No, None, D, 0),
    e(Some('Z'), Some("follow-context"), No, None, D, 0),
    e(Some('h'), Some("help"), No, None, D, 1),
    e(Some('V'), Some("version"), No, None, D, 1),
];

/// nsenter's one label that reaches the column is followed by two spaces, not one.
fn nsenter_label(opt: &OptDef<()>) -> Option<String> {
    let style = nsenter_style();
    let label = option_label(opt, style.long_only_indent);
    (label.chars().count() >= style.column).then(|| format!("{label} "))
}

fn nsenter_style() -> HelpStyle {
    HelpStyle::new(31, "     ").with_overflow(Overflow::SameLine)
}

/// lsns 2.42.4.
static LSNS: &[OptDef<()>] = &[
    e(Some('J'), Some("json"), No, None, D, 0),
    e(Some('l'), Some("list"), No, None, D, 0),
    e(Some('n'), Some("noheadings"), No, None, D, 0),
    e(Some('o'), Some("output"), Required, Some("<list>"), D, 0),
    e(None, Some("output-all"), No, None, D, 0),
    e(Some('P'), Some("persistent"), No, None, D, 0),
    e(Some('p'), Some("task"), Required, Some("<pid>"), D, 0),
    e(Some('Q'), Some("filter"), Required, Some("<expr>"), D, 0),
    e(Some('r'), Some("raw"), No, None, D, 0),
    e(Some('u'), Some("notruncate"), No, None, D, 0),
    e(Some('W'), Some("nowrap"), No, None, D, 0),
    e(Some('t'), Some("type"), Required, Some("<name>"), D, 0),
    e(Some('T'), Some("tree"), Optional, Some("<rel>"), D, 0),
    e(Some('H'), Some("list-columns"), No, None, D, 1),
    e(Some('h'), Some("help"), No, None, D, 1),
    e(Some('V'), Some("version"), No, None, D, 1),
];

/// The options block of the oracle's `tool --help` in the C locale: the lines after
/// `Options:` up to the next heading (a line not starting with a space), without the blank
/// lines that end it.
fn original_options(tool: &str) -> String {
    let out = oracle::command(tool, tool)
        .arg("--help")
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .env_remove("LANGUAGE")
        .output()
        .unwrap_or_else(|err| panic!("cannot run the oracle's `{tool} --help`: {err}"));
    assert!(out.status.success(), "the oracle's `{tool} --help` failed");
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
    /// A line starting with an option's label, with the column where the description starts
    /// on the same line (`None`: the label is alone on its line).
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
    let mut pending = labels.iter().map(|l| l.trim_end()).peekable();
    let mut rows = Vec::new();
    for line in block.lines() {
        if line.is_empty() {
            rows.push(Row::Blank);
            continue;
        }
        let rest = pending
            .peek()
            .and_then(|label| line.strip_prefix(label))
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
    let missing: Vec<&str> = pending.collect();
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

/// Render `opts` with `style` and `label`, and assert that the result has the layout of the
/// oracle's `tool --help`; returns the rows of ours.
fn assert_same_layout(
    tool: &str,
    opts: &[OptDef<()>],
    style: &HelpStyle,
    label: impl Fn(&OptDef<()>) -> Option<String> + Copy,
) -> Vec<Row> {
    let mut ours = String::new();
    render_options_with(&mut ours, opts, style, label);
    let labels = labels(opts, style, label);
    let original = original_options(tool);
    let want = rows(&original, &labels);
    let got = rows(&ours, &labels);
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
    assert!(want.iter().any(|r| matches!(r, Row::Opt { .. })));
    got
}

#[test]
fn unshare_layout() {
    oracle::require();
    let rows = assert_same_layout("unshare", UNSHARE, &HelpStyle::new(27, " "), |_| None);
    // The original's quirks are covered: a label that pushes its description to the next
    // line, a continuation line with extra indent, group breaks.
    assert!(rows.contains(&Row::Text { indent: 27 }));
    assert!(rows.contains(&Row::Text { indent: 29 }));
    assert_eq!(rows.iter().filter(|r| **r == Row::Blank).count(), 6);
}

#[test]
fn nsenter_layout() {
    oracle::require();
    let rows = assert_same_layout("nsenter", NSENTER, &nsenter_style(), nsenter_label);
    // The long-only label that fits keeps its description at the column; the overlong one
    // keeps it on its line.
    assert!(rows.contains(&Row::Opt {
        label: "     --preserve-credentials".to_string(),
        desc_col: Some(31),
    }));
    assert!(rows.contains(&Row::Opt {
        label: " -C, --cgroup[=<file>|=:<nsid>]".to_string(),
        desc_col: Some(33),
    }));
}

#[test]
fn lsns_layout() {
    oracle::require();
    assert_same_layout("lsns", LSNS, &HelpStyle::new(24, "     "), |_| None);
}
