//! The one option table of `unshare-rs`, and `--help` rendered from it.
//!
//! The table is in util-linux's `longopts` order, because glibc lists the candidates of an
//! ambiguous prefix in that order (`--fo` → `'--fork' '--forward-signals'`). `--help` shows the
//! options in the original's order and grouping instead, taken from [`HELP_ORDER`].
//!
//! The namespace flags are special: `-m` takes no argument but `--mount` an optional `=FILE`, so
//! each has a hidden short-only entry first (shorts match the first entry with their letter).

use nscore::cmdline::getopt::{HasArg, OptDef};
use nscore::cmdline::help::render_options;

/// Every option `unshare-rs` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Help,
    Version,
    Mount,
    Uts,
    Ipc,
    Net,
    Pid,
    User,
    Cgroup,
    Time,
    Fork,
    KillChild,
    ForwardSignals,
    MountProc,
    MountBinfmt,
    MapUser,
    MapUsers,
    MapGroup,
    MapGroups,
    MapRoot,
    MapCurrent,
    MapAuto,
    MapSubids,
    Owner,
    Propagation,
    Setgroups,
    KeepCaps,
    Setuid,
    Setgid,
    Root,
    Wd,
    Monotonic,
    Boottime,
    LoadInterp,
    /// `--init` (an nsutils extension; not in [`OPTIONS`], see [`INIT`]).
    Init,
    /// `--clear-env` (util-linux 2.43; not in [`OPTIONS`], see [`EXTENSIONS`]).
    ClearEnv,
    /// `--whitelist-env LIST` (util-linux 2.43; not in [`OPTIONS`], see [`EXTENSIONS`]).
    WhitelistEnv,
}

/// A hidden short-only namespace flag (no argument).
const fn flag(key: Key, c: char) -> OptDef<Key> {
    OptDef::new(key, Some(c), None, HasArg::No, None, "", 0)
}

use HasArg::{No, Optional, Required};

/// The option table: short flags first, then util-linux's `longopts` order.
pub static OPTIONS: &[OptDef<Key>] = &[
    flag(Key::Mount, 'm'),
    flag(Key::Uts, 'u'),
    flag(Key::Ipc, 'i'),
    flag(Key::Net, 'n'),
    flag(Key::Pid, 'p'),
    flag(Key::User, 'U'),
    flag(Key::Cgroup, 'C'),
    flag(Key::Time, 'T'),
    OptDef::new(
        Key::Help,
        Some('h'),
        Some("help"),
        No,
        None,
        "show this help and exit",
        6,
    ),
    OptDef::new(
        Key::Version,
        Some('V'),
        Some("version"),
        No,
        None,
        "show the version and exit",
        6,
    ),
    OptDef::new(
        Key::Mount,
        Some('m'),
        Some("mount"),
        Optional,
        Some("<file>"),
        "new mount namespace",
        0,
    ),
    OptDef::new(
        Key::Uts,
        Some('u'),
        Some("uts"),
        Optional,
        Some("<file>"),
        "new UTS namespace (host and domain name)",
        0,
    ),
    OptDef::new(
        Key::Ipc,
        Some('i'),
        Some("ipc"),
        Optional,
        Some("<file>"),
        "new IPC namespace (System V IPC, POSIX queues)",
        0,
    ),
    OptDef::new(
        Key::Net,
        Some('n'),
        Some("net"),
        Optional,
        Some("<file>"),
        "new network namespace",
        0,
    ),
    OptDef::new(
        Key::Pid,
        Some('p'),
        Some("pid"),
        Optional,
        Some("<file>"),
        "new PID namespace (for children: add --fork)",
        0,
    ),
    OptDef::new(
        Key::User,
        Some('U'),
        Some("user"),
        Optional,
        Some("<file>"),
        "new user namespace",
        0,
    ),
    OptDef::new(
        Key::Cgroup,
        Some('C'),
        Some("cgroup"),
        Optional,
        Some("<file>"),
        "new cgroup namespace",
        0,
    ),
    OptDef::new(
        Key::Time,
        Some('T'),
        Some("time"),
        Optional,
        Some("<file>"),
        "new time namespace",
        0,
    ),
    OptDef::new(
        Key::Fork,
        Some('f'),
        Some("fork"),
        No,
        None,
        "run <program> in a child process and wait for it",
        3,
    ),
    OptDef::new(
        Key::KillChild,
        None,
        Some("kill-child"),
        Optional,
        Some("<signame>"),
        "signal the child if we die (implies --fork)\n  with SIGKILL unless <signame> is given",
        3,
    ),
    OptDef::new(
        Key::ForwardSignals,
        None,
        Some("forward-signals"),
        No,
        None,
        "pass SIGTERM and SIGINT on to the child (implies --fork)",
        3,
    ),
    OptDef::new(
        Key::MountProc,
        None,
        Some("mount-proc"),
        Optional,
        Some("<dir>"),
        "mount a new proc on <dir>, /proc by default (implies --mount)",
        1,
    ),
    OptDef::new(
        Key::MountBinfmt,
        None,
        Some("mount-binfmt"),
        Optional,
        Some("<dir>"),
        "mount a private binfmt_misc (implies --user and --mount)",
        1,
    ),
    OptDef::new(
        Key::MapUser,
        None,
        Some("map-user"),
        Required,
        Some("<uid>|<name>"),
        "our uid appears as this uid inside (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapUsers,
        None,
        Some("map-users"),
        Required,
        Some("<inneruid>:<outeruid>:<count>"),
        "add a range of <count> uids seen inside from <inneruid> (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapGroup,
        None,
        Some("map-group"),
        Required,
        Some("<gid>|<name>"),
        "our gid appears as this gid inside (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapGroups,
        None,
        Some("map-groups"),
        Required,
        Some("<innergid>:<outergid>:<count>"),
        "add a range of <count> gids seen inside from <innergid> (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapRoot,
        Some('r'),
        Some("map-root-user"),
        No,
        None,
        "be uid and gid 0 inside (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapCurrent,
        Some('c'),
        Some("map-current-user"),
        No,
        None,
        "keep our uid and gid inside (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapAuto,
        None,
        Some("map-auto"),
        No,
        None,
        "map our subordinate id blocks from 0 (implies --user)",
        2,
    ),
    OptDef::new(
        Key::MapSubids,
        None,
        Some("map-subids"),
        No,
        None,
        "map our subordinate id blocks onto themselves (implies --user)",
        2,
    ),
    OptDef::new(
        Key::Owner,
        None,
        Some("owner"),
        Required,
        Some("<uid>:<gid>"),
        "create the user namespace as this owner (implies --user)",
        2,
    ),
    OptDef::new(
        Key::Propagation,
        None,
        Some("propagation"),
        Required,
        Some("slave|shared|private|unchanged"),
        "how mounts propagate under / in the new mount namespace",
        1,
    ),
    OptDef::new(
        Key::Setgroups,
        None,
        Some("setgroups"),
        Required,
        Some("allow|deny"),
        "whether setgroups(2) works in the user namespace",
        4,
    ),
    OptDef::new(
        Key::KeepCaps,
        None,
        Some("keep-caps"),
        No,
        None,
        "let <program> keep the user namespace's capabilities",
        4,
    ),
    OptDef::new(
        Key::Setuid,
        Some('S'),
        Some("setuid"),
        Required,
        Some("<uid>"),
        "become this uid before running <program>",
        2,
    ),
    OptDef::new(
        Key::Setgid,
        Some('G'),
        Some("setgid"),
        Required,
        Some("<gid>"),
        "become this gid before running <program>",
        2,
    ),
    OptDef::new(
        Key::Root,
        Some('R'),
        Some("root"),
        Required,
        Some("<dir>"),
        "run <program> with <dir> as its root directory",
        1,
    ),
    OptDef::new(
        Key::Wd,
        Some('w'),
        Some("wd"),
        Required,
        Some("<dir>"),
        "run <program> in the directory <dir>",
        1,
    ),
    OptDef::new(
        Key::Monotonic,
        None,
        Some("monotonic"),
        Required,
        Some("<offset>"),
        "shift CLOCK_MONOTONIC by <offset> seconds (with --time)",
        5,
    ),
    OptDef::new(
        Key::Boottime,
        None,
        Some("boottime"),
        Required,
        Some("<offset>"),
        "shift CLOCK_BOOTTIME by <offset> seconds (with --time)",
        5,
    ),
    OptDef::new(
        Key::LoadInterp,
        Some('l'),
        Some("load-interp"),
        Required,
        Some("<file>"),
        "register a binfmt_misc interpreter (implies --mount-binfmt)",
        1,
    ),
];

/// `--init`, an extension util-linux lacks. It is kept out of [`OPTIONS`] so that getopt's
/// prefix matching stays exactly the original's (`--i` is `--ipc`, and `--=x` lists the same
/// candidates); [`crate::options::parse`] takes a word that getopt does not recognize and that
/// is `--in`, `--ini` or `--init` as this option.
pub static INIT: OptDef<Key> = OptDef::new(
    Key::Init,
    None,
    Some("init"),
    No,
    None,
    "run a small init as PID 1 that starts <program>,\n  reaps orphans, passes signals on and ends the rest\n  with it (needs --fork and --pid; not in util-linux)",
    3,
);

/// `--clear-env` and `--whitelist-env LIST`, which util-linux adds in 2.43. Like [`INIT`] they
/// are kept out of [`OPTIONS`], so that getopt's prefix matching stays 2.42's (`--c` is still
/// `--cgroup`, `--w` still `--wd`); [`crate::options::parse`] takes a word getopt does not
/// recognize that is one of [`EXTENSIONS`]' names or a prefix of it of at least two letters.
pub static CLEAR_ENV: OptDef<Key> = OptDef::new(
    Key::ClearEnv,
    None,
    Some("clear-env"),
    No,
    None,
    "run <program> with an empty environment",
    4,
);

/// See [`CLEAR_ENV`].
pub static WHITELIST_ENV: OptDef<Key> = OptDef::new(
    Key::WhitelistEnv,
    None,
    Some("whitelist-env"),
    Required,
    Some("<list>"),
    "keep only these comma-separated variables\n  in <program>'s environment",
    4,
);

/// The options parsed outside getopt's table, each with the shortest prefix taken for it.
pub static EXTENSIONS: [(&OptDef<Key>, usize); 3] =
    [(&INIT, 2), (&CLEAR_ENV, 2), (&WHITELIST_ENV, 2)];

/// The order of `--help`, as util-linux 2.42 prints its options (groups come from the table).
pub const HELP_ORDER: &[Key] = &[
    Key::Mount,
    Key::Uts,
    Key::Ipc,
    Key::Net,
    Key::Pid,
    Key::User,
    Key::Cgroup,
    Key::Time,
    Key::MountProc,
    Key::MountBinfmt,
    Key::LoadInterp,
    Key::Propagation,
    Key::Root,
    Key::Wd,
    Key::Setuid,
    Key::Setgid,
    Key::MapUser,
    Key::MapGroup,
    Key::MapRoot,
    Key::MapCurrent,
    Key::MapAuto,
    Key::MapSubids,
    Key::MapUsers,
    Key::MapGroups,
    Key::Owner,
    Key::Fork,
    Key::KillChild,
    Key::ForwardSignals,
    Key::Init,
    Key::Setgroups,
    Key::KeepCaps,
    Key::ClearEnv,
    Key::WhitelistEnv,
    Key::Monotonic,
    Key::Boottime,
    Key::Help,
    Key::Version,
];

/// The visible table entries in `--help` order.
pub fn help_entries() -> Vec<OptDef<Key>> {
    HELP_ORDER
        .iter()
        .filter_map(|k| {
            OPTIONS
                .iter()
                .chain(EXTENSIONS.iter().map(|(o, _)| *o))
                .find(|o| o.key == *k && !o.help.is_empty())
                .copied()
        })
        .collect()
}

/// The `--help` text, in util-linux's layout (descriptions at column 27, long-only options
/// indented by one space, too-long labels followed by a line break).
pub fn usage(prog: &str) -> String {
    let mut out = String::new();
    out.push_str("\nUsage:\n");
    out.push_str(&format!(" {prog} [options] [<program> [<argument>...]]\n"));
    out.push_str(
        "\nRun <program> (by default your shell) in new namespaces of the chosen kinds.\n",
    );
    out.push_str("\nOptions:\n");
    render_options(&mut out, &help_entries(), 27, " ");
    out.push_str(&nscore::cmdline::help::closing_line(1));
    out
}
