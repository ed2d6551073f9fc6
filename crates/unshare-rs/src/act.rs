//! Acting on [`Options`] in util-linux 2.42's exact order (util-linux.md §1.2), from the
//! helpers forked before `unshare(2)` to the final exec.
//!
//! Two helper processes may be forked before `unshare(2)`, each waiting on a
//! [`Gate`](nscore::idmap::Gate) until the main process lets it go:
//! - the *bind helper* (when a `--KIND=FILE` is combined with a new mount or user namespace):
//!   it stays in the original mount and user namespaces, so it may bind `/proc/PID/ns/*` of
//!   the main process where the main process itself no longer can;
//! - the *idmap helper* (for ID ranges): it writes the maps of the main process from outside,
//!   directly as root, otherwise through `newuidmap`/`newgidmap`.
//!
//! A helper whose parent dies before opening its gate dies too, so no failure leaves one behind.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nscore::cmdline::report;
use nscore::create::{self, ChildStatus, Forked};
use nscore::error::Errno;
use nscore::idmap::{self, Gate, IdKind, IdRange};
use nscore::kind::NsKind;
use nscore::mount::{self, Flags, Propagation};
use nscore::timens::{self, Clock};
use nscore::{creds, exec, signal, Error};

use crate::options::{Options, BINFMT_MISC};
use crate::Stop;

/// The order util-linux binds persistent namespaces in, with the `/proc/PID/` entry of each.
const BIND_ORDER: [(NsKind, &str); 8] = [
    (NsKind::User, "ns/user"),
    (NsKind::Cgroup, "ns/cgroup"),
    (NsKind::Ipc, "ns/ipc"),
    (NsKind::Uts, "ns/uts"),
    (NsKind::Net, "ns/net"),
    (NsKind::Pid, "ns/pid_for_children"),
    (NsKind::Mnt, "ns/mnt"),
    (NsKind::Time, "ns/time_for_children"),
];

/// A forked helper waiting for its go-ahead.
struct Helper {
    pid: i32,
    gate: Gate,
}

impl Helper {
    /// Fork a helper that runs `work(parent_pid)` once let go and exits with its result.
    fn spawn(work: impl FnOnce(i32) -> i32) -> Result<Helper, Stop> {
        let gate = Gate::new()?;
        let parent = create::getpid();
        match create::fork()? {
            Forked::Child => {
                let code = match gate.wait(parent, false) {
                    Ok(true) => work(parent),
                    Ok(false) => 1,
                    Err(e) => {
                        report(&e);
                        1
                    }
                };
                create::exit_child(code)
            }
            Forked::Parent(pid) => Ok(Helper { pid, gate }),
        }
    }

    /// Let the helper go and wait for it; its non-zero exit status becomes ours.
    fn finish(self) -> Result<(), Stop> {
        self.gate.open();
        wait_success(self.pid)
    }
}

/// util-linux's `waitchild`: wait for `pid`; a non-zero exit code is passed on, a death by
/// signal is not.
fn wait_success(pid: i32) -> Result<(), Stop> {
    match create::wait(pid, false)? {
        ChildStatus::Exited(0) => Ok(()),
        ChildStatus::Exited(code) => Err(Stop::Code(code)),
        _ => Ok(()),
    }
}

/// Bind `/proc/PID/ns/*` of `pid` onto each `--KIND=FILE` target.
fn bind_ns_files(pid: i32, persist: &[(NsKind, OsString)]) -> Result<(), Error> {
    for (kind, entry) in BIND_ORDER {
        let Some((_, target)) = persist.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let source = format!("/proc/{pid}/{entry}");
        mount::bind(Path::new(&source), Path::new(target)).map_err(|errno| Error::Mount {
            what: source.clone(),
            target: target.into(),
            errno,
        })?;
    }
    Ok(())
}

/// Run one child of `f` to its end as a forked process: errors are reported, the result is
/// the exit status.
fn helper_result(r: Result<(), Stop>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(stop) => stop.report(),
    }
}

/// The idmap helper's work: write the maps of `parent`.
fn map_ids(parent: i32, users: &[IdRange], groups: &[IdRange]) -> Result<(), Stop> {
    if creds::effective_ids().0 == 0 {
        if !users.is_empty() {
            idmap::write_ranges(parent, IdKind::Uid, users)?;
        }
        if !groups.is_empty() {
            idmap::write_ranges(parent, IdKind::Gid, groups)?;
        }
        return Ok(());
    }
    let mut in_child = false;
    if !users.is_empty() && !groups.is_empty() {
        match create::fork()? {
            Forked::Child => in_child = true,
            Forked::Parent(pid) => wait_success(pid)?,
        }
    }
    if !users.is_empty() && (in_child || groups.is_empty()) {
        return Err(run_id_helper(parent, IdKind::Uid, users));
    }
    if !groups.is_empty() {
        return Err(run_id_helper(parent, IdKind::Gid, groups));
    }
    Ok(())
}

/// Exec `newuidmap`/`newgidmap`; returns only on failure.
fn run_id_helper(parent: i32, kind: IdKind, ranges: &[IdRange]) -> Stop {
    let argv = idmap::newidmap_argv(parent, kind, ranges);
    let e = exec::execvp(argv[0].as_os_str(), &argv);
    Stop::Exec(e)
}

/// Write the register line into binfmt_misc at `dir`, as `-l` does.
fn load_interp(dir: &OsString, line: &OsString) -> Result<(), Error> {
    mount::register_binfmt(Path::new(dir), line.as_bytes())
}

fn is_fixed(interp: &OsString) -> bool {
    let b = interp.as_bytes();
    match b.iter().rposition(|&c| c == b':') {
        Some(i) => b[i..].contains(&b'F'),
        None => false,
    }
}

fn mount_special(fstype: &str, dir: &Path) -> Result<(), Error> {
    mount::mount_fs(
        fstype,
        dir,
        fstype,
        Flags::NOSUID | Flags::NOEXEC | Flags::NODEV,
        None,
    )
    .map_err(|errno| Error::sys(format!("mount {} failed", dir.display()), errno))
}

fn sys(op: &str) -> impl Fn(Errno) -> Error + '_ {
    move |errno| Error::sys(op, errno)
}

/// Do everything, in util-linux's order. Returns the exit status (for a parent that waited for
/// its child, or a failure); on success without `--fork` the process becomes the program.
pub fn run(o: Options) -> Result<i32, Stop> {
    signal::set_default(libc_sigchld());

    let persisting = !o.persist.is_empty();
    let bind_helper =
        if persisting && (o.kinds.contains(NsKind::Mnt) || o.kinds.contains(NsKind::User)) {
            let persist = o.persist.clone();
            Some(Helper::spawn(move |parent| {
                helper_result(bind_ns_files(parent, &persist).map_err(Stop::from))
            })?)
        } else {
            None
        };

    let mut map_user = o.map_user;
    let mut map_group = o.map_group;
    let mut users = o.user_ranges.clone();
    let mut groups = o.group_ranges.clone();
    if !users.is_empty() || (map_user.is_some() && o.owner.is_some()) {
        users = idmap::merge_single(&users, o.euid, map_user);
        map_user = None;
    }
    if !groups.is_empty() || (map_group.is_some() && o.owner.is_some()) {
        groups = idmap::merge_single(&groups, o.egid, map_group);
        map_group = None;
    }
    let idmap_helper = if !users.is_empty() || !groups.is_empty() {
        let (u, g) = (users.clone(), groups.clone());
        Some(Helper::spawn(move |parent| {
            helper_result(map_ids(parent, &u, &g))
        })?)
    } else {
        None
    };

    // util-linux leaves an ID given as 4294967295 (`(uid_t)-1`) unchanged.
    if let Some((uid, gid)) = o.owner {
        if gid != u32::MAX {
            creds::drop_groups().map_err(sys("setgroups failed"))?;
            creds::setgid(gid).map_err(sys("setgid() failed"))?;
        }
        if uid != u32::MAX {
            creds::setuid(uid).map_err(sys("setuid() failed"))?;
        }
    }

    create::unshare(o.kinds).map_err(sys("unshare failed"))?;

    if let Some(h) = idmap_helper {
        h.finish()?;
    }

    if let Some(secs) = o.boottime {
        timens::set_offset(Clock::Boottime, secs)?;
    }
    if let Some(secs) = o.monotonic {
        timens::set_offset(Clock::Monotonic, secs)?;
    }

    // --fork: the child carries on below; the parent binds, waits and reports.
    let mut child: Option<i32> = None;
    let mut parent_pidfd = None;
    let mut child_gate: Option<Gate> = None;
    if o.fork {
        let saved = if o.forward_signals {
            signal::forward(&[libc_sigterm(), libc_sigint()])?;
            signal::block(&[]).map_err(|e| remap(e, "sigprocmask failed"))?
        } else {
            signal::block(&[libc_sigint(), libc_sigterm()])
                .map_err(|e| remap(e, "sigprocmask block failed"))?
        };
        if o.kill_child.is_some() {
            parent_pidfd = Some(
                nscore::enter::pidfd_open(create::getpid()).map_err(sys("pidfd_open failed"))?,
            );
        }
        // With persistent namespaces, the child waits until the parent has bound them, so a
        // failed bind stops the program from running at all (util-linux lets it run).
        let gate = if persisting { Some(Gate::new()?) } else { None };
        let parent = create::getpid();
        match create::fork()? {
            Forked::Child => {
                saved
                    .restore()
                    .map_err(|e| remap(e, "sigprocmask restore failed"))?;
                drop(bind_helper);
                if let Some(g) = gate {
                    if !g.wait(parent, true)? {
                        return Ok(1);
                    }
                }
                return child_and_exec(o, map_user, map_group, parent_pidfd);
            }
            Forked::Parent(pid) => {
                if o.forward_signals {
                    signal::set_forward_target(pid);
                }
                child = Some(pid);
                child_gate = gate;
                drop(parent_pidfd.take());
            }
        }
    }

    if persisting {
        let bound = match bind_helper {
            Some(h) => h.finish(),
            None => bind_ns_files(create::getpid(), &o.persist).map_err(Stop::from),
        };
        if let Err(stop) = bound {
            if let Some(pid) = child {
                let _ = signal::kill(pid, libc_sigkill());
                let _ = create::wait(pid, false);
            }
            return Err(stop);
        }
    }

    let Some(pid) = child else {
        return child_and_exec(o, map_user, map_group, parent_pidfd);
    };
    if let Some(g) = child_gate {
        g.open();
    }
    match create::wait(pid, false)? {
        ChildStatus::Exited(code) => Ok(code),
        ChildStatus::Signaled(sig) | ChildStatus::Stopped(sig) => {
            if sig != libc_sigkill() {
                signal::set_default(sig);
            }
            signal::unblock(&[sig]).map_err(|e| remap(e, "sigprocmask unblock failed"))?;
            let _ = signal::raise(sig);
            Err(Error::sys("child exit failed", Errno::from_raw_os_error(0)).into())
        }
    }
}

fn remap(e: Error, op: &str) -> Error {
    Error::sys(op, e.errno().unwrap_or(Errno::INVAL))
}

/// The child (or the only process): steps 12 to 22 of util-linux.md §1.2.
fn child_and_exec(
    o: Options,
    map_user: Option<u32>,
    map_group: Option<u32>,
    parent_pidfd: Option<std::os::fd::OwnedFd>,
) -> Result<i32, Stop> {
    if let Some(sig) = o.kill_child {
        creds::set_parent_death_signal(sig).map_err(sys("prctl failed"))?;
        if let Some(fd) = parent_pidfd {
            if create::pidfd_exited(&fd).map_err(sys("poll parent pidfd failed"))? {
                return Ok(1);
            }
        }
    }

    if let Some(uid) = map_user {
        idmap::map_single(IdKind::Uid, uid, o.euid)?;
    }
    if let Some(gid) = map_group {
        if o.setgroups == Some(true) {
            return Err(Error::msg(
                "options --setgroups=allow and --map-group are mutually exclusive",
            )
            .into());
        }
        idmap::write_setgroups(false)?;
        idmap::map_single(IdKind::Gid, gid, o.egid)?;
    }
    if let Some(allow) = o.setgroups {
        idmap::write_setgroups(allow)?;
    }

    if o.kinds.contains(NsKind::Mnt) {
        if let Some(p) = o.propagation {
            mount::set_propagation(Path::new("/"), p, true)
                .map_err(sys("cannot change root filesystem propagation"))?;
        }
    }

    if let (Some(interp), Some(_)) = (&o.interp, &o.root) {
        if is_fixed(interp) {
            mount_special("binfmt_misc", Path::new(BINFMT_MISC))?;
            load_interp(&OsString::from(BINFMT_MISC), interp)?;
        }
    }

    let mut wd = o.wd.clone();
    if let Some(root) = &o.root {
        creds::chroot(Path::new(root)).map_err(|errno| {
            Error::sys(
                format!(
                    "cannot change root directory to '{}'",
                    String::from_utf8_lossy(root.as_bytes())
                ),
                errno,
            )
        })?;
        wd.get_or_insert_with(|| OsString::from("/"));
    }
    if let Some(dir) = &wd {
        creds::chdir(Path::new(dir)).map_err(|errno| {
            Error::sys(
                format!(
                    "cannot change directory to {}",
                    String::from_utf8_lossy(dir.as_bytes())
                ),
                errno,
            )
        })?;
    }

    if let Some(dir) = &o.proc_mount {
        let dir = Path::new(dir);
        if o.root.is_none() && o.propagation != Some(Propagation::Private) {
            match mount::set_propagation(dir, Propagation::Private, true) {
                Ok(()) | Err(Errno::INVAL) => {}
                Err(errno) => {
                    return Err(Error::sys(
                        format!("cannot change {} filesystem propagation", dir.display()),
                        errno,
                    )
                    .into())
                }
            }
        }
        mount_special("proc", dir)?;
    }

    if let Some(dir) = &o.binfmt_mount {
        mount_special("binfmt_misc", Path::new(dir))?;
    }
    if let (Some(interp), Some(dir)) = (&o.interp, &o.binfmt_mount) {
        if !(is_fixed(interp) && o.root.is_some()) {
            load_interp(dir, interp)?;
        }
    }

    if let Some(gid) = o.setgid {
        creds::drop_groups().map_err(sys("setgroups failed"))?;
        creds::setgid(gid).map_err(sys("setgid() failed"))?;
    }
    if let Some(uid) = o.setuid {
        creds::setuid(uid).map_err(sys("setuid() failed"))?;
    }
    if o.keep_caps && o.kinds.contains(NsKind::User) {
        creds::keep_capabilities().map_err(|(op, errno)| Error::sys(op, errno))?;
    }

    Err(Stop::Exec(exec::exec_program_or_shell(&o.program)))
}

fn libc_sigchld() -> i32 {
    nscore::signal::parse_name("CHLD").unwrap_or(17)
}
fn libc_sigkill() -> i32 {
    nscore::signal::parse_name("KILL").unwrap_or(9)
}
fn libc_sigterm() -> i32 {
    nscore::signal::parse_name("TERM").unwrap_or(15)
}
fn libc_sigint() -> i32 {
    nscore::signal::parse_name("INT").unwrap_or(2)
}
