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

use super::getopt::{HasArg, OptDef};

/// What to do when an option's label leaves no room before the description column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Print the description on the next line, at the column (`unshare`'s
    /// `--propagation slave|shared|private|unchanged`).
    NextLine,
    /// Print the description on the same line after a single space (`nsenter`'s
    /// `--preserve-credentials do not touch uids or gids`).
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
    use HasArg::{No, Optional, Required};

    const fn o<K>(
        key: K,
        short: Option<char>,
        long: Option<&'static str>,
        has_arg: HasArg,
        value_name: Option<&'static str>,
        help: &'static str,
        group: u8,
    ) -> OptDef<K> {
        OptDef {
            key,
            short,
            long,
            has_arg,
            value_name,
            help,
            group,
        }
    }

    /// unshare 2.38.1: `-m` takes no argument, `--mount` an optional one, hence the hidden
    /// short-only entries.
    static UNSHARE: &[OptDef<u8>] = &[
        o(0, Some('m'), None, No, None, "", 0),
        o(
            0,
            Some('m'),
            Some("mount"),
            Optional,
            Some("<file>"),
            "unshare mounts namespace",
            0,
        ),
        o(1, Some('u'), None, No, None, "", 0),
        o(
            1,
            Some('u'),
            Some("uts"),
            Optional,
            Some("<file>"),
            "unshare UTS namespace (hostname etc)",
            0,
        ),
        o(
            2,
            Some('i'),
            Some("ipc"),
            Optional,
            Some("<file>"),
            "unshare System V IPC namespace",
            0,
        ),
        o(
            3,
            Some('n'),
            Some("net"),
            Optional,
            Some("<file>"),
            "unshare network namespace",
            0,
        ),
        o(
            4,
            Some('p'),
            Some("pid"),
            Optional,
            Some("<file>"),
            "unshare pid namespace",
            0,
        ),
        o(
            5,
            Some('U'),
            Some("user"),
            Optional,
            Some("<file>"),
            "unshare user namespace",
            0,
        ),
        o(
            6,
            Some('C'),
            Some("cgroup"),
            Optional,
            Some("<file>"),
            "unshare cgroup namespace",
            0,
        ),
        o(
            7,
            Some('T'),
            Some("time"),
            Optional,
            Some("<file>"),
            "unshare time namespace",
            0,
        ),
        o(
            8,
            Some('f'),
            Some("fork"),
            No,
            None,
            "fork before launching <program>",
            1,
        ),
        o(
            9,
            None,
            Some("map-user"),
            Required,
            Some("=<uid>|<name>"),
            "map current user to uid (implies --user)",
            1,
        ),
        o(
            10,
            None,
            Some("map-group"),
            Required,
            Some("=<gid>|<name>"),
            "map current group to gid (implies --user)",
            1,
        ),
        o(
            11,
            Some('r'),
            Some("map-root-user"),
            No,
            None,
            "map current user to root (implies --user)",
            1,
        ),
        o(
            12,
            Some('c'),
            Some("map-current-user"),
            No,
            None,
            "map current user to itself (implies --user)",
            1,
        ),
        o(
            13,
            None,
            Some("map-auto"),
            No,
            None,
            "map users and groups automatically (implies --user)",
            1,
        ),
        o(
            14,
            None,
            Some("map-users"),
            Required,
            Some("=<outeruid>,<inneruid>,<count>"),
            "map count users from outeruid to inneruid (implies --user)",
            1,
        ),
        o(
            15,
            None,
            Some("map-groups"),
            Required,
            Some("=<outergid>,<innergid>,<count>"),
            "map count groups from outergid to innergid (implies --user)",
            1,
        ),
        o(
            16,
            None,
            Some("kill-child"),
            Optional,
            Some("<signame>"),
            "when dying, kill the forked child (implies --fork)\n  defaults to SIGKILL",
            2,
        ),
        o(
            17,
            None,
            Some("mount-proc"),
            Optional,
            Some("<dir>"),
            "mount proc filesystem first (implies --mount)",
            2,
        ),
        o(
            18,
            None,
            Some("propagation"),
            Required,
            Some("slave|shared|private|unchanged"),
            "modify mount propagation in mount namespace",
            2,
        ),
        o(
            19,
            None,
            Some("setgroups"),
            Required,
            Some("allow|deny"),
            "control the setgroups syscall in user namespaces",
            2,
        ),
        o(
            20,
            None,
            Some("keep-caps"),
            No,
            None,
            "retain capabilities granted in user namespaces",
            2,
        ),
        o(
            21,
            Some('R'),
            Some("root"),
            Required,
            Some("=<dir>"),
            "run the command with root directory set to <dir>",
            3,
        ),
        o(
            22,
            Some('w'),
            Some("wd"),
            Required,
            Some("=<dir>"),
            "change working directory to <dir>",
            3,
        ),
        o(
            23,
            Some('S'),
            Some("setuid"),
            Required,
            Some("<uid>"),
            "set uid in entered namespace",
            3,
        ),
        o(
            24,
            Some('G'),
            Some("setgid"),
            Required,
            Some("<gid>"),
            "set gid in entered namespace",
            3,
        ),
        o(
            25,
            None,
            Some("monotonic"),
            Required,
            Some("<offset>"),
            "set clock monotonic offset (seconds) in time namespaces",
            3,
        ),
        o(
            26,
            None,
            Some("boottime"),
            Required,
            Some("<offset>"),
            "set clock boottime offset (seconds) in time namespaces",
            3,
        ),
        o(
            27,
            Some('h'),
            Some("help"),
            No,
            None,
            "display this help",
            4,
        ),
        o(
            28,
            Some('V'),
            Some("version"),
            No,
            None,
            "display version",
            4,
        ),
    ];

    /// `unshare --help` of util-linux 2.38.1, the options block (observed on this machine).
    const UNSHARE_OUT: &str = " -m, --mount[=<file>]      unshare mounts namespace
 -u, --uts[=<file>]        unshare UTS namespace (hostname etc)
 -i, --ipc[=<file>]        unshare System V IPC namespace
 -n, --net[=<file>]        unshare network namespace
 -p, --pid[=<file>]        unshare pid namespace
 -U, --user[=<file>]       unshare user namespace
 -C, --cgroup[=<file>]     unshare cgroup namespace
 -T, --time[=<file>]       unshare time namespace

 -f, --fork                fork before launching <program>
 --map-user=<uid>|<name>   map current user to uid (implies --user)
 --map-group=<gid>|<name>  map current group to gid (implies --user)
 -r, --map-root-user       map current user to root (implies --user)
 -c, --map-current-user    map current user to itself (implies --user)
 --map-auto                map users and groups automatically (implies --user)
 --map-users=<outeruid>,<inneruid>,<count>
                           map count users from outeruid to inneruid (implies --user)
 --map-groups=<outergid>,<innergid>,<count>
                           map count groups from outergid to innergid (implies --user)

 --kill-child[=<signame>]  when dying, kill the forked child (implies --fork)
                             defaults to SIGKILL
 --mount-proc[=<dir>]      mount proc filesystem first (implies --mount)
 --propagation slave|shared|private|unchanged
                           modify mount propagation in mount namespace
 --setgroups allow|deny    control the setgroups syscall in user namespaces
 --keep-caps               retain capabilities granted in user namespaces

 -R, --root=<dir>          run the command with root directory set to <dir>
 -w, --wd=<dir>            change working directory to <dir>
 -S, --setuid <uid>        set uid in entered namespace
 -G, --setgid <gid>        set gid in entered namespace
 --monotonic <offset>      set clock monotonic offset (seconds) in time namespaces
 --boottime <offset>       set clock boottime offset (seconds) in time namespaces

 -h, --help                display this help
 -V, --version             display version
";

    static NSENTER: &[OptDef<u8>] = &[
        o(
            0,
            Some('a'),
            Some("all"),
            No,
            None,
            "enter all namespaces",
            0,
        ),
        o(
            1,
            Some('t'),
            Some("target"),
            Required,
            Some("<pid>"),
            "target process to get namespaces from",
            0,
        ),
        o(
            2,
            Some('m'),
            Some("mount"),
            Optional,
            Some("<file>"),
            "enter mount namespace",
            0,
        ),
        o(
            3,
            Some('u'),
            Some("uts"),
            Optional,
            Some("<file>"),
            "enter UTS namespace (hostname etc)",
            0,
        ),
        o(
            4,
            Some('i'),
            Some("ipc"),
            Optional,
            Some("<file>"),
            "enter System V IPC namespace",
            0,
        ),
        o(
            5,
            Some('n'),
            Some("net"),
            Optional,
            Some("<file>"),
            "enter network namespace",
            0,
        ),
        o(
            6,
            Some('p'),
            Some("pid"),
            Optional,
            Some("<file>"),
            "enter pid namespace",
            0,
        ),
        o(
            7,
            Some('C'),
            Some("cgroup"),
            Optional,
            Some("<file>"),
            "enter cgroup namespace",
            0,
        ),
        o(
            8,
            Some('U'),
            Some("user"),
            Optional,
            Some("<file>"),
            "enter user namespace",
            0,
        ),
        o(
            9,
            Some('T'),
            Some("time"),
            Optional,
            Some("<file>"),
            "enter time namespace",
            0,
        ),
        o(
            10,
            Some('S'),
            Some("setuid"),
            Required,
            Some("<uid>"),
            "set uid in entered namespace",
            0,
        ),
        o(
            11,
            Some('G'),
            Some("setgid"),
            Required,
            Some("<gid>"),
            "set gid in entered namespace",
            0,
        ),
        o(
            12,
            None,
            Some("preserve-credentials"),
            No,
            None,
            "do not touch uids or gids",
            0,
        ),
        o(
            13,
            Some('r'),
            Some("root"),
            Optional,
            Some("<dir>"),
            "set the root directory",
            0,
        ),
        o(
            14,
            Some('w'),
            Some("wd"),
            Optional,
            Some("<dir>"),
            "set the working directory",
            0,
        ),
        o(
            15,
            Some('W'),
            Some("wdns"),
            Required,
            Some("<dir>"),
            "set the working directory in namespace",
            0,
        ),
        o(
            16,
            Some('F'),
            Some("no-fork"),
            No,
            None,
            "do not fork before exec'ing <program>",
            0,
        ),
        o(
            17,
            Some('Z'),
            Some("follow-context"),
            No,
            None,
            "set SELinux context according to --target PID",
            0,
        ),
        o(
            18,
            Some('h'),
            Some("help"),
            No,
            None,
            "display this help",
            1,
        ),
        o(
            19,
            Some('V'),
            Some("version"),
            No,
            None,
            "display version",
            1,
        ),
    ];

    const NSENTER_OUT: &str = " -a, --all              enter all namespaces
 -t, --target <pid>     target process to get namespaces from
 -m, --mount[=<file>]   enter mount namespace
 -u, --uts[=<file>]     enter UTS namespace (hostname etc)
 -i, --ipc[=<file>]     enter System V IPC namespace
 -n, --net[=<file>]     enter network namespace
 -p, --pid[=<file>]     enter pid namespace
 -C, --cgroup[=<file>]  enter cgroup namespace
 -U, --user[=<file>]    enter user namespace
 -T, --time[=<file>]    enter time namespace
 -S, --setuid <uid>     set uid in entered namespace
 -G, --setgid <gid>     set gid in entered namespace
     --preserve-credentials do not touch uids or gids
 -r, --root[=<dir>]     set the root directory
 -w, --wd[=<dir>]       set the working directory
 -W. --wdns <dir>       set the working directory in namespace
 -F, --no-fork          do not fork before exec'ing <program>
 -Z, --follow-context   set SELinux context according to --target PID

 -h, --help             display this help
 -V, --version          display version
";

    static LSNS: &[OptDef<u8>] = &[
        o(
            0,
            Some('J'),
            Some("json"),
            No,
            None,
            "use JSON output format",
            0,
        ),
        o(
            1,
            Some('l'),
            Some("list"),
            No,
            None,
            "use list format output",
            0,
        ),
        o(
            2,
            Some('n'),
            Some("noheadings"),
            No,
            None,
            "don't print headings",
            0,
        ),
        o(
            3,
            Some('o'),
            Some("output"),
            Required,
            Some("<list>"),
            "define which output columns to use",
            0,
        ),
        o(
            4,
            None,
            Some("output-all"),
            No,
            None,
            "output all columns",
            0,
        ),
        o(
            5,
            Some('p'),
            Some("task"),
            Required,
            Some("<pid>"),
            "print process namespaces",
            0,
        ),
        o(
            6,
            Some('r'),
            Some("raw"),
            No,
            None,
            "use the raw output format",
            0,
        ),
        o(
            7,
            Some('u'),
            Some("notruncate"),
            No,
            None,
            "don't truncate text in columns",
            0,
        ),
        o(
            8,
            Some('W'),
            Some("nowrap"),
            No,
            None,
            "don't use multi-line representation",
            0,
        ),
        o(
            9,
            Some('t'),
            Some("type"),
            Required,
            Some("<name>"),
            "namespace type (mnt, net, ipc, user, pid, uts, cgroup, time)",
            0,
        ),
        o(
            10,
            Some('T'),
            Some("tree"),
            Optional,
            Some(" <rel>"),
            "use tree format (parent, owner, or process)",
            0,
        ),
        o(
            11,
            Some('h'),
            Some("help"),
            No,
            None,
            "display this help",
            1,
        ),
        o(
            12,
            Some('V'),
            Some("version"),
            No,
            None,
            "display version",
            1,
        ),
    ];

    const LSNS_OUT: &str = " -J, --json             use JSON output format
 -l, --list             use list format output
 -n, --noheadings       don't print headings
 -o, --output <list>    define which output columns to use
     --output-all       output all columns
 -p, --task <pid>       print process namespaces
 -r, --raw              use the raw output format
 -u, --notruncate       don't truncate text in columns
 -W, --nowrap           don't use multi-line representation
 -t, --type <name>      namespace type (mnt, net, ipc, user, pid, uts, cgroup, time)
 -T, --tree <rel>       use tree format (parent, owner, or process)

 -h, --help             display this help
 -V, --version          display version
";

    #[test]
    fn unshare_layout() {
        let mut out = String::new();
        render_options(&mut out, UNSHARE, 27, " ");
        assert_eq!(out, UNSHARE_OUT);
    }

    #[test]
    fn nsenter_layout() {
        let style = HelpStyle::new(24, "     ").with_overflow(Overflow::SameLine);
        let mut out = String::new();
        render_options_with(&mut out, NSENTER, &style, |o| {
            (o.short == Some('W')).then(|| " -W. --wdns <dir>".to_string())
        });
        assert_eq!(out, NSENTER_OUT);
    }

    #[test]
    fn lsns_layout() {
        let mut out = String::new();
        render_options(&mut out, LSNS, 24, "     ");
        assert_eq!(out, LSNS_OUT);
    }

    #[test]
    fn labels_and_edge_cases() {
        let opt =
            |short, long, has_arg, value_name| o(0u8, short, long, has_arg, value_name, "x", 0);
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
            o(0u8, Some('a'), None, No, None, "a", 0),
            o(1, Some('b'), None, No, None, "", 1),
            o(2, Some('c'), None, No, None, "c", 0),
            o(3, Some('d'), None, No, None, "d", 2),
        ];
        let mut out = String::new();
        render_options(&mut out, &t, 5, " ");
        assert_eq!(out, " -a  a\n -c  c\n\n -d  d\n");
        let mut out = String::new();
        render_options::<u8>(&mut out, &[], 5, " ");
        assert!(out.is_empty());
    }
}
