//! The command line turned into [`Options`]: what to unshare, map, mount and run.
//!
//! util-linux acts on each option as getopt returns it, so a bad value stops the parse at that
//! option (`--bogus -h` fails, `-h --bogus` prints the help) and lookups such as
//! `--map-users=auto` (which reads `/etc/subuid`) happen in command-line order. [`parse`] does
//! the same; everything that touches the system beyond such lookups waits for [`crate::act`].

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use nscore::cmdline::getopt::{Getopt, GetoptError, HasArg, OptDef, Ordering};
use nscore::cmdline::prog;
use nscore::error::Errno;
use nscore::idmap::{self, IdKind, IdRange};
use nscore::kind::{NsKind, NsKinds};
use nscore::mount::Propagation;
use nscore::{timens, Error};

use crate::cli::{usage, Key, OPTIONS};
use crate::Stop;

/// Where binfmt_misc lives in a proc mount.
pub const BINFMT_MISC: &str = "/proc/sys/fs/binfmt_misc";

/// Everything the command line asked for.
#[derive(Debug, Default)]
pub struct Options {
    /// The namespaces to unshare.
    pub kinds: NsKinds,
    /// `--KIND=FILE` targets, at most one per kind (the last one given wins).
    pub persist: Vec<(NsKind, OsString)>,
    /// `-f`, or implied by `--kill-child` / `--forward-signals`.
    pub fork: bool,
    /// `--forward-signals`.
    pub forward_signals: bool,
    /// `--init`: the forked child becomes a small init and runs the program as PID 2.
    pub init: bool,
    /// `--clear-env`, `--whitelist-env`: the program's environment.
    pub env: EnvChange,
    /// `--kill-child[=SIG]`: the signal the child gets when we die.
    pub kill_child: Option<i32>,
    /// `--mount-proc[=DIR]`.
    pub proc_mount: Option<OsString>,
    /// `--mount-binfmt[=DIR]` (also set by `-l`).
    pub binfmt_mount: Option<OsString>,
    /// `-l LINE`: a binfmt_misc register line.
    pub interp: Option<OsString>,
    /// Propagation of `/` in the new mount namespace; `None` for `unchanged`.
    pub propagation: Option<Propagation>,
    /// `--setgroups allow|deny` (true for allow).
    pub setgroups: Option<bool>,
    /// `--keep-caps`.
    pub keep_caps: bool,
    /// `--map-user`, `-r`, `-c`: the uid our euid appears as inside.
    pub map_user: Option<u32>,
    /// `--map-group`, `-r`, `-c`.
    pub map_group: Option<u32>,
    /// `--map-users` ranges in command-line order.
    pub user_ranges: Vec<IdRange>,
    /// `--map-groups` ranges in command-line order.
    pub group_ranges: Vec<IdRange>,
    /// `--owner UID:GID`.
    pub owner: Option<(u32, u32)>,
    /// `-S UID`.
    pub setuid: Option<u32>,
    /// `-G GID`.
    pub setgid: Option<u32>,
    /// `-R DIR`.
    pub root: Option<OsString>,
    /// `-w DIR`.
    pub wd: Option<OsString>,
    /// `--monotonic SECONDS`.
    pub monotonic: Option<i64>,
    /// `--boottime SECONDS`.
    pub boottime: Option<i64>,
    /// The program and its arguments (empty: the login shell).
    pub program: Vec<OsString>,
    /// Our effective uid and gid when we started.
    pub euid: u32,
    /// See `euid`.
    pub egid: u32,
}

/// What becomes of the environment the program is started with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum EnvChange {
    /// Ours, unchanged.
    #[default]
    Keep,
    /// `--clear-env`: none.
    Clear,
    /// `--whitelist-env LIST`: only the variables with these names, in our environment's
    /// order.
    Only(Vec<Vec<u8>>),
}

/// The names of a `--whitelist-env` list: comma-separated, empty items skipped. An item with
/// `=` is no variable's name and matches nothing.
pub fn whitelist(list: &[u8]) -> Vec<Vec<u8>> {
    list.split(|&b| b == b',')
        .filter(|n| !n.is_empty() && !n.contains(&b'='))
        .map(<[u8]>::to_vec)
        .collect()
}

/// What the command line amounts to: options to act on, or an early exit (help, version, error).
pub type Parsed = Result<Options, Stop>;

/// `--map-user` / `--map-group`: a number (which need not exist) or a name. util-linux 2.42
/// says only `failed to parse uid 'X'` for every failure (no errno): a name that does not exist,
/// a number out of range, trailing bytes, or the "no ID" value 4294967295.
fn lookup_id(s: &OsStr, kind: IdKind) -> Result<u32, Error> {
    let what = match kind {
        IdKind::Uid => "uid",
        IdKind::Gid => "gid",
    };
    let fail = || {
        Error::msg_bytes(&[
            b"failed to parse ",
            what.as_bytes(),
            b" '",
            s.as_bytes(),
            b"'",
        ])
    };
    let id = match nscore::cmdline::num::strtou64(s.as_bytes()) {
        Ok(n) => u32::try_from(n).map_err(|_| fail())?,
        Err(Errno::INVAL) => {
            let name = std::str::from_utf8(s.as_bytes()).map_err(|_| fail())?;
            let found = match kind {
                IdKind::Uid => nscore::users::passwd_by_name(name).map(|p| p.uid),
                IdKind::Gid => nscore::users::group_id(name),
            };
            found.ok_or_else(fail)?
        }
        Err(_) => return Err(fail()),
    };
    if id == u32::MAX {
        return Err(fail());
    }
    Ok(id)
}

/// `-S` / `-G`: util-linux's `strtoul_or_err`, truncated to 32 bits as the C assignment does.
fn numeric_id(s: &OsStr, what: &str) -> Result<u32, Error> {
    Ok(nscore::cmdline::num::strtou64_or_err(s.as_bytes(), what)? as u32)
}

fn parse_offset(s: &OsStr, what: &str) -> Result<i64, Error> {
    timens::parse_seconds(s.as_bytes())
        .map_err(|errno| nscore::cmdline::num::or_err(what, s.as_bytes(), errno))
}

fn ns_kind(key: Key) -> Option<NsKind> {
    Some(match key {
        Key::Mount => NsKind::Mnt,
        Key::Uts => NsKind::Uts,
        Key::Ipc => NsKind::Ipc,
        Key::Net => NsKind::Net,
        Key::Pid => NsKind::Pid,
        Key::User => NsKind::User,
        Key::Cgroup => NsKind::Cgroup,
        Key::Time => NsKind::Time,
        _ => return None,
    })
}

fn ranges(arg: &OsStr, kind: IdKind, euid: u32) -> Result<Vec<IdRange>, Error> {
    Ok(match arg.as_bytes() {
        b"auto" => vec![idmap::read_subid_range(kind, euid, false)?],
        b"subids" => vec![idmap::read_subid_range(kind, euid, true)?],
        b"all" => idmap::kernel_identity_ranges(kind)?,
        other => vec![idmap::parse_range(other)
            .ok_or_else(|| Error::msg_bytes(&[b"invalid mapping '", arg.as_bytes(), b"'"]))?],
    })
}

/// Parse `args` (without argv[0]) as util-linux 2.42 `unshare` does.
pub fn parse(args: &[OsString]) -> Parsed {
    let (euid, egid) = nscore::creds::effective_ids();
    let mut o = Options {
        propagation: Some(Propagation::Private),
        euid,
        egid,
        ..Options::default()
    };
    let mut g = Getopt::new(args, OPTIONS, Ordering::RequireOrder);
    while let Some(item) = g.next() {
        let (key, arg) = match item {
            Ok(x) => x,
            Err(GetoptError::UnrecognizedOption(word)) => match extension(&word) {
                Some((def, value)) => {
                    let name = def.long.unwrap_or_default();
                    let value = match (def.has_arg, value) {
                        (HasArg::No, Some(_)) => {
                            return usage_error(&GetoptError::ArgumentNotAllowed(name))
                        }
                        (HasArg::Required, None) => match g.take_argument() {
                            Some(v) => Some(v),
                            None => return usage_error(&GetoptError::LongMissingArgument(name)),
                        },
                        (_, v) => v,
                    };
                    (def.key, value)
                }
                None => return usage_error(&GetoptError::UnrecognizedOption(word)),
            },
            Err(e) => return usage_error(&e),
        };
        step(&mut o, key, arg)?;
    }
    o.program = g.operands();
    if o.init && !(o.fork && o.kinds.contains(NsKind::Pid)) {
        return Err(
            Error::msg("option --init needs --fork and --pid (for example: -fp --init)").into(),
        );
    }
    if (o.monotonic.is_some() || o.boottime.is_some()) && !o.kinds.contains(NsKind::Time) {
        return Err(Error::msg(
            "options --monotonic and --boottime require unsharing of a time namespace (-T)",
        )
        .into());
    }
    Ok(o)
}

/// getopt's message and `Try ... --help`, status 1.
fn usage_error(e: &GetoptError) -> Parsed {
    nscore::cmdline::getopt_error(e);
    Err(Stop::Code(1))
}

/// The option outside getopt's table ([`crate::cli::EXTENSIONS`]) that a word getopt did not
/// recognize names (`--init`, `--in`, `--clear-env=x`, ...), and its `=value` if any.
fn extension(word: &OsStr) -> Option<(&'static OptDef<Key>, Option<OsString>)> {
    let body = word.as_bytes().strip_prefix(b"--")?;
    let (name, value) = match body.iter().position(|&b| b == b'=') {
        Some(i) => (
            &body[..i],
            Some(OsStr::from_bytes(&body[i + 1..]).to_os_string()),
        ),
        None => (body, None),
    };
    crate::cli::EXTENSIONS
        .iter()
        .find(|(def, min)| {
            name.len() >= *min && def.long.is_some_and(|l| l.as_bytes().starts_with(name))
        })
        .map(|(def, _)| (*def, value))
}

/// Act on one option. `optarg` is `None` when an optional argument was absent (`--mount`),
/// `Some("")` for `--mount=`.
fn step(o: &mut Options, key: Key, optarg: Option<OsString>) -> Result<(), Stop> {
    if let Some(kind) = ns_kind(key) {
        o.kinds.insert(kind);
        if let Some(file) = optarg {
            o.persist.retain(|(k, _)| *k != kind);
            o.persist.push((kind, file));
        }
        return Ok(());
    }
    let given = optarg.is_some();
    let arg = optarg.unwrap_or_default();
    match key {
        Key::Help => {
            nscore::cmdline::out::write_str(&usage(prog()));
            return Err(Stop::Code(0));
        }
        Key::Version => {
            nscore::cmdline::print_version();
            return Err(Stop::Code(0));
        }
        Key::Fork => o.fork = true,
        Key::MountProc => {
            o.kinds.insert(NsKind::Mnt);
            o.proc_mount = Some(if given { arg } else { "/proc".into() });
        }
        Key::MountBinfmt => {
            o.kinds.insert(NsKind::Mnt);
            o.kinds.insert(NsKind::User);
            if given {
                o.binfmt_mount = Some(arg);
            } else {
                if o.proc_mount.is_none() {
                    o.proc_mount = Some("/proc".into());
                }
                o.binfmt_mount = Some(BINFMT_MISC.into());
            }
        }
        Key::MapUser => {
            o.kinds.insert(NsKind::User);
            o.map_user = Some(lookup_id(&arg, IdKind::Uid)?);
        }
        Key::MapGroup => {
            o.kinds.insert(NsKind::User);
            o.map_group = Some(lookup_id(&arg, IdKind::Gid)?);
        }
        Key::MapRoot => {
            o.kinds.insert(NsKind::User);
            o.map_user = Some(0);
            o.map_group = Some(0);
        }
        Key::MapCurrent => {
            o.kinds.insert(NsKind::User);
            o.map_user = Some(o.euid);
            o.map_group = Some(o.egid);
        }
        Key::MapUsers => {
            o.kinds.insert(NsKind::User);
            let r = ranges(&arg, IdKind::Uid, o.euid)?;
            o.user_ranges.extend(r);
        }
        Key::MapGroups => {
            o.kinds.insert(NsKind::User);
            let r = ranges(&arg, IdKind::Gid, o.euid)?;
            o.group_ranges.extend(r);
        }
        Key::MapAuto | Key::MapSubids => {
            o.kinds.insert(NsKind::User);
            let identity = key == Key::MapSubids;
            let u = idmap::read_subid_range(IdKind::Uid, o.euid, identity)?;
            let g = idmap::read_subid_range(IdKind::Gid, o.euid, identity)?;
            o.user_ranges.push(u);
            o.group_ranges.push(g);
        }
        Key::Owner => {
            o.kinds.insert(NsKind::User);
            o.owner = Some(
                idmap::parse_owner(arg.as_bytes())
                    .ok_or_else(|| Error::msg("failed to parse owner"))?,
            );
        }
        Key::Setgroups => {
            o.setgroups = Some(match arg.as_bytes() {
                b"allow" => true,
                b"deny" => false,
                _ => {
                    return Err(Error::msg_bytes(&[
                        b"unsupported --setgroups argument '",
                        arg.as_bytes(),
                        b"'",
                    ])
                    .into())
                }
            })
        }
        Key::Propagation => {
            o.propagation = match arg.as_bytes() {
                b"slave" => Some(Propagation::Slave),
                b"private" => Some(Propagation::Private),
                b"shared" => Some(Propagation::Shared),
                b"unchanged" => None,
                _ => {
                    return Err(Error::msg_bytes(&[
                        b"unsupported propagation mode: ",
                        arg.as_bytes(),
                    ])
                    .into())
                }
            }
        }
        Key::KillChild => {
            o.fork = true;
            o.kill_child = Some(if !given {
                libc_sigkill()
            } else {
                std::str::from_utf8(arg.as_bytes())
                    .ok()
                    .and_then(nscore::signal::parse_name)
                    .ok_or_else(|| Error::msg_bytes(&[b"unknown signal: ", arg.as_bytes()]))?
            });
        }
        Key::KeepCaps => o.keep_caps = true,
        Key::Init => o.init = true,
        Key::ClearEnv => o.env = EnvChange::Clear,
        // A later --clear-env wins over a list, and a later list over an earlier one.
        Key::WhitelistEnv => {
            if o.env != EnvChange::Clear {
                o.env = EnvChange::Only(whitelist(arg.as_bytes()));
            }
        }
        Key::ForwardSignals => {
            o.fork = true;
            o.forward_signals = true;
        }
        Key::Setuid => o.setuid = Some(numeric_id(&arg, "failed to parse uid")?),
        Key::Setgid => o.setgid = Some(numeric_id(&arg, "failed to parse gid")?),
        Key::Root => o.root = Some(arg),
        Key::Wd => o.wd = Some(arg),
        Key::Monotonic => {
            o.monotonic = Some(parse_offset(&arg, "failed to parse monotonic offset")?)
        }
        Key::Boottime => o.boottime = Some(parse_offset(&arg, "failed to parse boottime offset")?),
        Key::LoadInterp => {
            o.kinds.insert(NsKind::Mnt);
            o.kinds.insert(NsKind::User);
            if o.binfmt_mount.is_none() {
                if o.proc_mount.is_none() {
                    o.proc_mount = Some("/proc".into());
                }
                o.binfmt_mount = Some(BINFMT_MISC.into());
            }
            o.interp = Some(arg);
        }
        Key::Mount
        | Key::Uts
        | Key::Ipc
        | Key::Net
        | Key::Pid
        | Key::User
        | Key::Cgroup
        | Key::Time => {}
    }
    Ok(())
}

fn libc_sigkill() -> i32 {
    nscore::signal::parse_name("KILL").unwrap_or(9)
}
