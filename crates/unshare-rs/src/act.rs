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
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nscore::cmdline::report;
use nscore::create::{self, ChildStatus, Forked};
use nscore::error::Errno;
use nscore::idmap::{self, Gate, IdKind, IdRange};
use nscore::kind::NsKind;
use nscore::mount::{self, Flags, Propagation};
use nscore::timens::{self, Clock};
use nscore::{creds, exec, init, signal, Error};

use crate::hints;
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

    /// Let the helper go. When the go-ahead cannot be written, the helper is killed and
    /// reaped (it would wait for ever) and the error returned.
    fn start(self) -> Result<i32, Stop> {
        let pid = self.pid;
        if let Err(e) = self.gate.open() {
            stop_process(pid);
            return Err(e.into());
        }
        Ok(pid)
    }

    /// Let the helper go and wait for it; its non-zero exit status becomes ours.
    fn finish(self) -> Result<(), Stop> {
        let pid = self.start()?;
        wait_success(pid)
    }
}

/// SIGKILL a child of ours and reap it.
fn stop_process(pid: i32) {
    let _ = signal::kill(pid, libc_sigkill());
    let _ = create::wait(pid, false);
}

/// util-linux's `waitchild`: wait for `pid`; a non-zero exit code is passed on, a death by
/// signal is not.
fn wait_success(pid: i32) -> Result<(), Stop> {
    match create::wait_or_kill(pid, false)? {
        ChildStatus::Exited(0) => Ok(()),
        ChildStatus::Exited(code) => Err(Stop::Code(code)),
        _ => Ok(()),
    }
}

/// Bind `/proc/PID/ns/*` of `pid` onto each `--KIND=FILE` target; returns the targets bound.
/// When one bind fails, those done before it are unmounted again.
fn bind_ns_files(pid: i32, persist: &[(NsKind, OsString)]) -> Result<Vec<OsString>, Error> {
    let mut done: Vec<OsString> = Vec::new();
    for (kind, entry) in BIND_ORDER {
        let Some((_, target)) = persist.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let source = format!("/proc/{pid}/{entry}");
        if let Err(errno) = mount::bind(Path::new(&source), Path::new(target)) {
            unbind(&done);
            return Err(Error::Mount {
                what: source.clone(),
                target: target.into(),
                errno,
            });
        }
        done.push(target.clone());
    }
    Ok(done)
}

/// Undo [`bind_ns_files`]: unmount each target (lazily: a namespace file is never busy in a
/// way that matters, and the mount must go).
fn unbind(targets: &[OsString]) {
    for t in targets.iter().rev() {
        let _ = mount::unmount(Path::new(t), true, false);
    }
}

/// What the bind helper hears after binding: keep the binds, or undo them.
const KEEP: u64 = 1;
const UNDO: u64 = 2;

/// The bind helper's work: bind, tell the parent, then keep or undo the binds as the parent
/// says; undo when the parent ends without saying (it failed or was killed).
fn bind_helper(parent: i32, persist: &[(NsKind, OsString)], bound: OwnedFd, ctl: Gate) -> i32 {
    // A parent that died must not kill us through the pipe before we undo.
    signal::ignore(libc_sigpipe());
    let done = match bind_ns_files(parent, persist) {
        Ok(done) => done,
        Err(e) => {
            report(&e);
            return 1;
        }
    };
    let told = create::write_byte(&bound, b'k');
    drop(bound);
    if told.is_err() || ctl.wait_value().ok().flatten() != Some(KEEP) {
        unbind(&done);
    }
    0
}

/// The persistent binds of a run, made by the bind helper or by ourselves, until the run either
/// reaches its program ([`Binds::keep`]) or fails ([`Binds::undo`]).
enum Binds {
    /// The helper made them and waits to hear keep or undo.
    Helper { pid: i32, ctl: Gate },
    /// We made them ourselves (no new mount or user namespace, so we can undo them).
    Direct(Vec<OsString>),
}

impl Binds {
    /// Keep the binds; the helper (if any) exits and is reaped.
    fn keep(self) {
        self.tell(KEEP);
    }

    /// Unmount the binds again.
    fn undo(self) {
        self.tell(UNDO);
    }

    fn tell(self, what: u64) {
        match self {
            Binds::Helper { pid, ctl } => {
                if ctl.send(what).is_err() {
                    stop_process(pid);
                } else {
                    let _ = create::wait(pid, false);
                }
            }
            Binds::Direct(done) => {
                if what == UNDO {
                    unbind(&done);
                }
            }
        }
    }
}

/// The bind helper before it is let go: the helper, its "bound" pipe and its control gate.
struct BindHelper {
    helper: Helper,
    bound: OwnedFd,
    ctl: Gate,
}

impl BindHelper {
    fn spawn(persist: Vec<(NsKind, OsString)>) -> Result<BindHelper, Stop> {
        let (bound_rd, bound_wr) = create::pipe()?;
        let ctl = Gate::new()?;
        let ctl_fd = ctl.try_clone()?;
        // The closure (and with it our copy of the write end) is dropped here once forked, so
        // the read end sees end-of-file when the helper ends.
        let helper = Helper::spawn(move |parent| bind_helper(parent, &persist, bound_wr, ctl_fd))?;
        Ok(BindHelper {
            helper,
            bound: bound_rd,
            ctl,
        })
    }

    /// Let the helper bind; on success it stays to hear keep or undo.
    fn bind(self) -> Result<Binds, Stop> {
        let pid = self.helper.start()?;
        match create::read_byte(&self.bound) {
            Ok(Some(b'k')) => Ok(Binds::Helper { pid, ctl: self.ctl }),
            _ => {
                wait_success(pid)?;
                Ok(Binds::Direct(Vec::new()))
            }
        }
    }
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
    .map_err(|errno| Error::sys_bytes(&[b"mount ", dir.as_os_str().as_bytes(), b" failed"], errno))
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
            Some(BindHelper::spawn(o.persist.clone())?)
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

    if let Err(errno) = create::unshare(o.kinds) {
        let stop = Error::sys("unshare failed", errno).into();
        return Err(hints::unshare_failed(stop, o.kinds, errno, o.euid));
    }

    if let Some(h) = idmap_helper {
        h.finish().map_err(|stop| {
            hints::ranges_failed(stop, o.euid, !users.is_empty(), !groups.is_empty())
        })?;
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
    let mut child_failed: Option<OwnedFd> = None;
    let mut init_died_of: Option<OwnedFd> = None;
    if o.fork {
        let saved = if o.forward_signals || o.init {
            // --init: the init passes these on to the program; we pass them on to the init.
            let init_list: &[i32] = &init::FORWARDED;
            let plain = [libc_sigterm(), libc_sigint()];
            let list: &[i32] = if o.init {
                // What a terminal sends reaches the program directly: pass on only what a
                // process sent.
                signal::forward_sent(init_list)?;
                init_list
            } else {
                signal::forward(&plain)?;
                &plain
            };
            // Held until the child's PID is the target: one arriving in between would be
            // passed to nobody and lost.
            signal::block(list).map_err(|e| remap(e, "sigprocmask block failed"))?
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
        // And it tells the parent through a close-on-exec pipe whether it failed before its
        // exec (a byte) or got there (end of file), so the parent keeps or undoes the binds.
        let gate = if persisting { Some(Gate::new()?) } else { None };
        let failed_pipe = if persisting {
            Some(create::pipe()?)
        } else {
            None
        };
        // --init: the init tells us with a byte when the program died of a signal, so we can
        // die of it too (its own exit status can only say 128+N).
        let init_pipe = if o.init { Some(create::pipe()?) } else { None };
        let parent = create::getpid();
        match create::fork()? {
            Forked::Child => {
                saved
                    .restore()
                    .map_err(|e| remap(e, "sigprocmask restore failed"))?;
                drop(bind_helper);
                let failed = failed_pipe.map(|(_, w)| w);
                let guard = Guard::Forked(failed);
                if let Some(g) = gate {
                    match g.wait(parent, true) {
                        Ok(true) => {}
                        Ok(false) => return Ok(1),
                        Err(e) => return Err(guard.failed(e.into())),
                    }
                }
                let init_report = init_pipe.map(|(_, w)| w);
                return child_and_exec(o, map_user, map_group, parent_pidfd, guard, init_report);
            }
            Forked::Parent(pid) => {
                init_died_of = init_pipe.map(|(r, _)| r);
                if o.forward_signals || o.init {
                    signal::set_forward_target(pid);
                    // What arrived since the fork is passed on now.
                    if let Err(e) = saved.restore() {
                        stop_process(pid);
                        return Err(remap(e, "sigprocmask restore failed").into());
                    }
                }
                child = Some(pid);
                child_gate = gate;
                child_failed = failed_pipe.map(|(r, _)| r);
                drop(parent_pidfd.take());
            }
        }
    }

    let mut binds = None;
    if persisting {
        let bound = match bind_helper {
            Some(h) => h.bind(),
            None => bind_ns_files(create::getpid(), &o.persist)
                .map(Binds::Direct)
                .map_err(Stop::from),
        };
        match bound {
            Ok(b) => binds = Some(b),
            Err(stop) => {
                if let Some(pid) = child {
                    stop_process(pid);
                }
                return Err(stop);
            }
        }
    }

    let Some(pid) = child else {
        return child_and_exec(
            o,
            map_user,
            map_group,
            parent_pidfd,
            Guard::Alone(binds),
            None,
        );
    };
    if let Some(g) = child_gate {
        if let Err(e) = g.open() {
            stop_process(pid);
            if let Some(b) = binds {
                b.undo();
            }
            return Err(e.into());
        }
    }
    if let Some(b) = binds {
        // A byte: the child failed before its exec; end of file: it ran the program (or died).
        match child_failed.map(create::read_byte) {
            Some(Ok(Some(_))) => b.undo(),
            _ => b.keep(),
        }
    }
    // A failed wait is reported, and the child does not outlive us (util-linux leaves it).
    match create::wait_or_kill(pid, false)? {
        ChildStatus::Exited(code) => match init_died_of.map(create::read_byte) {
            Some(Ok(Some(sig))) => die_of(i32::from(sig)),
            _ => Ok(code),
        },
        ChildStatus::Signaled(sig) | ChildStatus::Stopped(sig) => die_of(sig),
    }
}

/// Die of the signal `sig` that killed the child (SIGKILL included: 137 for the shell).
fn die_of(sig: i32) -> Result<i32, Stop> {
    if sig != libc_sigkill() {
        signal::set_default(sig);
    }
    signal::unblock(&[sig]).map_err(|e| remap(e, "sigprocmask unblock failed"))?;
    let _ = signal::raise(sig);
    Err(Error::sys("child exit failed", Errno::from_raw_os_error(0)).into())
}

/// `--init`: fork the program as PID 2 and be its init (see [`nscore::init`]); returns the
/// program's exit status, or 128+N when signal N killed it (after telling the parent N on
/// `report`).
fn run_init(o: &Options, report: Option<OwnedFd>) -> Result<i32, Stop> {
    let saved = init::block_signals().map_err(|e| remap(e, "sigprocmask block failed"))?;
    match create::fork()? {
        Forked::Child => {
            drop(report);
            saved
                .restore()
                .map_err(|e| remap(e, "sigprocmask restore failed"))?;
            exec_program(o)
        }
        Forked::Parent(pid) => match init::supervise(pid) {
            ChildStatus::Exited(code) => Ok(code),
            ChildStatus::Signaled(sig) | ChildStatus::Stopped(sig) => {
                if let Some(fd) = report {
                    let _ = create::write_byte(&fd, sig as u8);
                }
                Ok(128 + sig)
            }
        },
    }
}

fn remap(e: Error, op: &str) -> Error {
    Error::sys(op, e.errno().unwrap_or(Errno::INVAL))
}

/// What happens to the persistent binds when the process that will run the program fails
/// before its exec, or gets there.
enum Guard {
    /// We are the only process (no `--fork`) and own the binds: undo them on failure, keep
    /// them before the exec.
    Alone(Option<Binds>),
    /// We are the forked child: on failure, tell the parent (which owns the binds) with a byte
    /// on this close-on-exec pipe; at the exec the pipe closes by itself.
    Forked(Option<OwnedFd>),
}

impl Guard {
    /// A failure before the exec: undo (or have the parent undo) the binds; returns `stop`.
    fn failed(self, stop: Stop) -> Stop {
        match self {
            Guard::Alone(Some(b)) => b.undo(),
            Guard::Forked(Some(fd)) => {
                let _ = create::write_byte(&fd, b'f');
            }
            _ => {}
        }
        stop
    }

    /// Everything before the exec worked: keep the binds.
    fn reached_exec(self) {
        if let Guard::Alone(Some(b)) = self {
            b.keep();
        }
    }
}

/// The child (or the only process): everything after the namespaces exist, up to the exec.
fn child_and_exec(
    o: Options,
    map_user: Option<u32>,
    map_group: Option<u32>,
    parent_pidfd: Option<OwnedFd>,
    guard: Guard,
    init_report: Option<OwnedFd>,
) -> Result<i32, Stop> {
    match prepare(&o, map_user, map_group, parent_pidfd) {
        Ok(None) => {}
        Ok(Some(code)) => {
            guard.failed(Stop::Code(code));
            return Ok(code);
        }
        Err(stop) => return Err(guard.failed(stop)),
    }
    guard.reached_exec();
    if o.init {
        return run_init(&o, init_report);
    }
    exec_program(&o)
}

/// Give the program the environment `--clear-env` or `--whitelist-env` asked for, then run it
/// (or the login shell, which is then looked up without a `SHELL` the environment no longer
/// has). Returns only on failure.
fn exec_program(o: &Options) -> Result<i32, Stop> {
    use crate::options::EnvChange;
    let kept: Vec<(Vec<u8>, Vec<u8>)> = match &o.env {
        EnvChange::Keep => Vec::new(),
        EnvChange::Clear => Vec::new(),
        EnvChange::Only(names) => std::env::vars_os()
            .filter(|(k, _)| names.iter().any(|n| n.as_slice() == k.as_bytes()))
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect(),
    };
    if o.env != EnvChange::Keep {
        let pairs: Vec<(&[u8], &[u8])> = kept
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        exec::replace_environment(&pairs)
            .map_err(|errno| Error::sys("failed to set environment variables", errno))?;
    }
    Err(Stop::Exec(exec::exec_program_or_shell(&o.program)))
}

/// Steps 12 to 21 of util-linux's order: death signal, single ID maps, setgroups,
/// propagation, binfmt, root, working directory, proc, credentials, capabilities. `Some(code)`:
/// stop quietly with that status.
fn prepare(
    o: &Options,
    map_user: Option<u32>,
    map_group: Option<u32>,
    parent_pidfd: Option<OwnedFd>,
) -> Result<Option<i32>, Stop> {
    if let Some(sig) = o.kill_child {
        creds::set_parent_death_signal(sig).map_err(sys("prctl failed"))?;
        if let Some(fd) = parent_pidfd {
            if create::pidfd_exited(&fd).map_err(sys("poll parent pidfd failed"))? {
                return Ok(Some(1));
            }
        }
    }

    if let Some(uid) = map_user {
        idmap::map_single(IdKind::Uid, uid, o.euid)
            .map_err(|e| hints::single_map_failed(e.errno(), o.euid, e.into()))?;
    }
    if let Some(gid) = map_group {
        if o.setgroups == Some(true) {
            return Err(Error::msg(
                "options --setgroups=allow and --map-group are mutually exclusive",
            )
            .into());
        }
        idmap::write_setgroups(false)?;
        idmap::map_single(IdKind::Gid, gid, o.egid)
            .map_err(|e| hints::single_map_failed(e.errno(), o.euid, e.into()))?;
    }
    if let Some(allow) = o.setgroups {
        idmap::write_setgroups(allow).map_err(|e| hints::setgroups_failed(e.errno(), e.into()))?;
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
            Error::sys_bytes(
                &[b"cannot change root directory to '", root.as_bytes(), b"'"],
                errno,
            )
        })?;
        wd.get_or_insert_with(|| OsString::from("/"));
    }
    if let Some(dir) = &wd {
        creds::chdir(Path::new(dir)).map_err(|errno| {
            Error::sys_bytes(&[b"cannot change directory to ", dir.as_bytes()], errno)
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
    Ok(None)
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
fn libc_sigpipe() -> i32 {
    nscore::signal::parse_name("PIPE").unwrap_or(13)
}
