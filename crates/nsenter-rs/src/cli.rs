//! The command line: the one option table (parsing, `--help`, man page), and the parse step
//! that turns argv into [`Options`].
//!
//! nsenter opens the files it is given while it parses (`--net=FILE`, `--root=DIR`,
//! `--wd=DIR`), so a bad path fails at once with `cannot open PATH: ...`, before the target is
//! even looked at; and the `PID:INODE` form of `--target` is validated (pidfd taken and checked)
//! right there too. Both happen here, in option order, as util-linux does.

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use nscore::cmdline::getopt::{Getopt, GetoptError, HasArg, OptDef, Ordering};
use nscore::cmdline::help::{render_options_with, HelpStyle, Overflow};
use nscore::error::SysErr;
use nscore::kind::NsKind;

use crate::parse::{self, PidArg};

/// What an option is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    All,
    Help,
    Version,
    Target,
    Ns(NsKind),
    NetSocket,
    UserParent,
    SetUid,
    SetGid,
    PreserveCred,
    KeepCaps,
    Root,
    Wd,
    Wdns,
    Env,
    NoFork,
    JoinCgroup,
    FollowContext,
}

use HasArg::{No, Optional, Required};

/// The option table, in the order of util-linux's long options (glibc lists ambiguous prefixes in
/// table order, so this order is visible: `nsenter --=`); [`HELP_ORDER`] gives the `--help` order.
pub static OPTIONS: &[OptDef<Key>] = &[
    OptDef::new(
        Key::All,
        Some('a'),
        Some("all"),
        No,
        None,
        "join every namespace the target has",
        0,
    ),
    OptDef::new(
        Key::Help,
        Some('h'),
        Some("help"),
        No,
        None,
        "show this help",
        1,
    ),
    OptDef::new(
        Key::Version,
        Some('V'),
        Some("version"),
        No,
        None,
        "show the version",
        1,
    ),
    OptDef::new(
        Key::Target,
        Some('t'),
        Some("target"),
        Required,
        Some("<PID>"),
        "the process whose namespaces to join",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Mnt),
        Some('m'),
        Some("mount"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its mount namespace",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Uts),
        Some('u'),
        Some("uts"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its UTS namespace (host and domain name)",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Ipc),
        Some('i'),
        Some("ipc"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its System V IPC namespace",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Net),
        Some('n'),
        Some("net"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its network namespace",
        0,
    ),
    OptDef::new(
        Key::NetSocket,
        Some('N'),
        Some("net-socket"),
        Required,
        Some("<fd>"),
        "join the network namespace of its socket <fd>",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Pid),
        Some('p'),
        Some("pid"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its PID namespace",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::User),
        Some('U'),
        Some("user"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its user namespace",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Cgroup),
        Some('C'),
        Some("cgroup"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its cgroup namespace",
        0,
    ),
    OptDef::new(
        Key::Ns(NsKind::Time),
        Some('T'),
        Some("time"),
        Optional,
        Some("<file>|=:<nsid>"),
        "join its time namespace",
        0,
    ),
    OptDef::new(
        Key::SetUid,
        Some('S'),
        Some("setuid"),
        Required,
        Some("<uid>"),
        "uid to run as inside (or 'follow')",
        0,
    ),
    OptDef::new(
        Key::SetGid,
        Some('G'),
        Some("setgid"),
        Required,
        Some("<gid>"),
        "gid to run as inside (or 'follow')",
        0,
    ),
    OptDef::new(
        Key::Root,
        Some('r'),
        Some("root"),
        Optional,
        Some("<dir>"),
        "chroot to its root, or to <dir>",
        0,
    ),
    OptDef::new(
        Key::Wd,
        Some('w'),
        Some("wd"),
        Optional,
        Some("<dir>"),
        "chdir to its cwd, or to <dir>",
        0,
    ),
    OptDef::new(
        Key::Wdns,
        Some('W'),
        Some("wdns"),
        Optional,
        Some("<dir>"),
        "chdir to <dir> as seen inside",
        0,
    ),
    OptDef::new(
        Key::Env,
        Some('e'),
        Some("env"),
        No,
        None,
        "take over its environment variables",
        0,
    ),
    OptDef::new(
        Key::NoFork,
        Some('F'),
        Some("no-fork"),
        No,
        None,
        "never fork before running <program>",
        0,
    ),
    OptDef::new(
        Key::JoinCgroup,
        Some('c'),
        Some("join-cgroup"),
        No,
        None,
        "move into its cgroup (cgroup v2)",
        0,
    ),
    OptDef::new(
        Key::PreserveCred,
        None,
        Some("preserve-credentials"),
        No,
        None,
        "keep our uid, gid and groups",
        0,
    ),
    OptDef::new(
        Key::KeepCaps,
        None,
        Some("keep-caps"),
        No,
        None,
        "keep capabilities gained in a user namespace",
        0,
    ),
    OptDef::new(
        Key::UserParent,
        None,
        Some("user-parent"),
        No,
        None,
        "join the parent of its user namespace",
        0,
    ),
    OptDef::new(
        Key::FollowContext,
        Some('Z'),
        Some("follow-context"),
        No,
        None,
        "take its SELinux context (ignored here)",
        0,
    ),
];

/// The order of the `--help` lines.
pub const HELP_ORDER: &[Key] = &[
    Key::All,
    Key::Target,
    Key::Ns(NsKind::Mnt),
    Key::Ns(NsKind::Uts),
    Key::Ns(NsKind::Ipc),
    Key::Ns(NsKind::Net),
    Key::NetSocket,
    Key::Ns(NsKind::Pid),
    Key::Ns(NsKind::Cgroup),
    Key::Ns(NsKind::User),
    Key::UserParent,
    Key::Ns(NsKind::Time),
    Key::SetUid,
    Key::SetGid,
    Key::PreserveCred,
    Key::KeepCaps,
    Key::Root,
    Key::Wd,
    Key::Wdns,
    Key::Env,
    Key::NoFork,
    Key::JoinCgroup,
    Key::FollowContext,
    Key::Help,
    Key::Version,
];

/// The option table in `--help` order.
pub fn help_table() -> Vec<OptDef<Key>> {
    nscore::cmdline::help::in_order(OPTIONS, HELP_ORDER)
}

/// Where a namespace comes from.
#[derive(Debug, Default)]
pub enum NsSource {
    /// Not requested.
    #[default]
    Off,
    /// The target's (opened later through the pinned target).
    Target,
    /// A file opened while parsing.
    File(OwnedFd),
}

/// `-S`/`-G`: a number or `follow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdArg {
    Id(u32),
    Follow,
}

/// The parsed command line, with files already opened.
#[derive(Debug, Default)]
pub struct Options {
    pub all: bool,
    pub target: Option<i32>,
    /// A pidfd already validated against `PID:INODE`.
    pub target_pidfd: Option<OwnedFd>,
    /// Per kind, in [`NsKind::ALL`] order.
    pub ns: [NsSource; 8],
    pub net_socket: Option<i32>,
    pub user_parent: bool,
    pub uid: Option<IdArg>,
    pub gid: Option<IdArg>,
    pub preserve_cred: bool,
    pub keep_caps: bool,
    /// `-r` alone: the target's root.
    pub root_target: bool,
    pub root_fd: Option<OwnedFd>,
    /// `-w` alone: the target's cwd.
    pub wd_target: bool,
    pub wd_fd: Option<OwnedFd>,
    pub wdns: Option<OsString>,
    pub env: bool,
    pub no_fork: bool,
    pub join_cgroup: bool,
    pub program: Vec<OsString>,
}

/// Index of `kind` in [`Options::ns`].
pub fn slot(kind: NsKind) -> usize {
    NsKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Why parsing stopped early.
pub enum Stop {
    /// Exit with this status (help, version, or an error already printed).
    Exit(i32),
}

fn fail(msg: impl std::fmt::Display) -> Stop {
    nscore::cmdline::warn(msg);
    Stop::Exit(1)
}

/// Open a file named on the command line, as util-linux's `open_target_fd`.
fn open_file(path: &OsStr) -> Result<OwnedFd, Stop> {
    let p = PathBuf::from(path);
    nscore::pidfd::open_read(&p).map_err(|e| {
        let why = SysErr(e).to_string();
        fail_bytes(&[b"cannot open ", path.as_bytes(), b": ", why.as_bytes()])
    })
}

/// As [`fail`], with the message's bytes as given (a quoted word keeps its bytes, as in C).
fn fail_bytes(parts: &[&[u8]]) -> Stop {
    nscore::cmdline::warn_bytes(parts);
    Stop::Exit(1)
}

/// A namespace option's value: `:NSID` (2.42: the namespace with that 64-bit ID) or a file.
fn open_ns_arg(arg: &OsStr) -> Result<OwnedFd, Stop> {
    let Some(text) = arg.as_bytes().strip_prefix(b":") else {
        return open_file(arg);
    };
    let id = parse::nsid(text).ok_or_else(|| fail_bytes(&[b"failed to parse nsid: ", text]))?;
    // Kernels before 6.18 cannot take IDs: the step that fails, in the release's words.
    nscore::byid::ids_supported().map_err(|e| {
        fail(format_args!(
            "failed to fill namespace file handle: {}",
            SysErr(e)
        ))
    })?;
    // 2.42.4 asks the kernel with an ID-only handle, which 6.18 refuses (ESTALE) even for live
    // namespaces; we find the namespace where the kernel cannot (COMPATIBILITY.md).
    nscore::byid::open_by_id(id).map_err(|e| {
        fail(format_args!(
            "cannot open namespace of id {id}: {}",
            SysErr(e)
        ))
    })
}

/// Drop one leading `=` (`-n=/path`, `--wd==x`), as nsenter 2.42 does for the namespace
/// options, `-w` and `-W` (not for `-r`).
fn strip_eq(arg: &OsStr) -> &OsStr {
    OsStr::from_bytes(arg.as_bytes().strip_prefix(b"=").unwrap_or(arg.as_bytes()))
}

fn long_name(k: Key) -> &'static str {
    OPTIONS
        .iter()
        .find(|o| o.key == k)
        .and_then(|o| o.long)
        .unwrap_or_default()
}

/// Parse `args` (including argv[0]).
pub fn parse(args: &[OsString]) -> Result<Options, Stop> {
    let rest = args.get(1..).unwrap_or_default();
    let mut o = Options::default();
    let mut getopt = Getopt::new(rest, OPTIONS, Ordering::RequireOrder);
    // The one exclusive pair (-w / -W): the first of them seen.
    let mut excl_seen: Option<Key> = None;
    for item in getopt.by_ref() {
        let (key, arg) = match item {
            Ok(x) => x,
            Err(e) => return Err(getopt_error(&e)),
        };
        if matches!(key, Key::Wd | Key::Wdns) {
            match excl_seen {
                Some(first) if first != key => {
                    return Err(fail(format_args!(
                        "options --{} and --{} cannot be combined",
                        long_name(first),
                        long_name(key)
                    )))
                }
                _ => excl_seen = Some(key),
            }
        }
        match key {
            Key::All => o.all = true,
            Key::Help => {
                print_help();
                return Err(Stop::Exit(0));
            }
            Key::Version => {
                nscore::cmdline::print_version();
                return Err(Stop::Exit(0));
            }
            Key::Target => {
                // 2.42.4: the last --target wins; an earlier one's pidfd is closed.
                let text = arg.unwrap_or_default();
                let PidArg {
                    pid,
                    inode,
                    junk_after_inode,
                } = parse::pid_arg(text.as_bytes()).ok_or_else(|| fail("invalid PID argument"))?;
                o.target_pidfd = None;
                if let Some(ino) = inode {
                    let fd = nscore::pidfd::open_checked(pid, Some(ino)).map_err(|e| {
                        let stop = fail(format_args!(
                            "failed to obtain a valid file descriptor for PID {pid}: {}",
                            SysErr(e)
                        ));
                        // ESRCH: no such process, or another one now has the PID.
                        if e == nscore::error::Errno::SRCH {
                            nscore::hint::show(nscore::hint::Cause::TargetExited, "");
                        }
                        stop
                    })?;
                    if junk_after_inode {
                        return Err(fail("invalid PID argument"));
                    }
                    o.target_pidfd = Some(fd);
                }
                o.target = Some(pid);
            }
            Key::Ns(kind) => {
                let s = &mut o.ns[slot(kind)];
                match arg {
                    // A file given before for this kind is closed first, as util-linux does,
                    // so descriptors get the numbers they get there (`pidfd_getfd(N, FD)`).
                    Some(a) => {
                        *s = NsSource::Off;
                        *s = NsSource::File(open_ns_arg(strip_eq(&a))?);
                    }
                    None => {
                        if matches!(s, NsSource::Off) {
                            *s = NsSource::Target;
                        }
                    }
                }
            }
            Key::NetSocket => {
                let text = arg.unwrap_or_default();
                let fd = parse::fd_arg(text.as_bytes()).map_err(|e| {
                    let t = text.as_bytes();
                    let why = e
                        .map(|errno| format!(": {}", SysErr(errno)))
                        .unwrap_or_default();
                    fail_bytes(&[
                        b"failed to parse file descriptor: '",
                        t,
                        b"'",
                        why.as_bytes(),
                    ])
                })?;
                // util-linux checks only the upper bound: a negative number means "no socket".
                o.net_socket = (fd >= 0).then_some(fd as i32);
            }
            Key::UserParent => o.user_parent = true,
            Key::SetUid | Key::SetGid => {
                let text = arg.unwrap_or_default();
                let what = if key == Key::SetUid { "uid" } else { "gid" };
                let v = if text.as_bytes() == b"follow" {
                    IdArg::Follow
                } else {
                    IdArg::Id(parse::id_arg(text.as_bytes()).map_err(|e| {
                        let why = e
                            .map(|errno| format!(": {}", SysErr(errno)))
                            .unwrap_or_default();
                        fail_bytes(&[
                            b"failed to parse ",
                            what.as_bytes(),
                            b": '",
                            text.as_bytes(),
                            b"'",
                            why.as_bytes(),
                        ])
                    })?)
                };
                // util-linux keeps `follow` once given (a flag of its own that a later number
                // does not clear): `-S follow -S 5` follows.
                let slot = if key == Key::SetUid {
                    &mut o.uid
                } else {
                    &mut o.gid
                };
                if *slot != Some(IdArg::Follow) {
                    *slot = Some(v);
                }
            }
            Key::PreserveCred => o.preserve_cred = true,
            Key::KeepCaps => o.keep_caps = true,
            Key::Root => match arg {
                Some(a) => {
                    o.root_fd = None;
                    o.root_fd = Some(open_file(&a)?);
                }
                None => o.root_target = true,
            },
            Key::Wd => match arg {
                Some(a) => {
                    o.wd_fd = None;
                    o.wd_fd = Some(open_file(strip_eq(&a))?);
                }
                None => o.wd_target = true,
            },
            Key::Wdns => o.wdns = arg.map(|a| strip_eq(&a).to_os_string()),
            Key::Env => o.env = true,
            Key::NoFork => o.no_fork = true,
            Key::JoinCgroup => o.join_cgroup = true,
            Key::FollowContext => {}
        }
    }
    o.program = getopt.operands();
    Ok(o)
}

fn getopt_error(e: &GetoptError) -> Stop {
    nscore::cmdline::getopt_error(e);
    Stop::Exit(1)
}

/// The `--help` text: util-linux 2.42's layout, our words.
pub fn help_text() -> String {
    let prog = nscore::cmdline::prog();
    let mut out = format!(
        "\nUsage:\n {prog} [options] [<program> [<argument>...]]\n\n\
         Run a program inside the namespaces of another process.\n\nOptions:\n"
    );
    let style = HelpStyle::new(31, "     ").with_overflow(Overflow::SameLine);
    render_options_with(&mut out, &help_table(), &style, |_| None);
    out.push_str(&nscore::cmdline::help::closing_line(1));
    out
}

fn print_help() {
    nscore::cmdline::out::write_str(&help_text());
}
