//! Doing it: from parsed [`Options`] to the exec'd program, step by step in util-linux 2.42's
//! order (as observed from the 2.42.4 release), so that every failure happens at the same point
//! with the same words.
//!
//! The target is pinned ([`nscore::pidfd::Pinned`]) the first time anything about it is
//! needed, before anything is read from `/proc/PID`; from then on every `/proc` access goes
//! through the pinned directory, so a target that exits and whose PID is reused is never
//! mistaken for the new process.

use std::ffi::{CStr, OsStr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nscore::create::{ChildStatus, Forked};
use nscore::error::{Errno, SysErr};
use nscore::hint::Cause;
use nscore::kind::{NsKind, NsKinds};
use nscore::pidfd::Pinned;

use crate::cli::{slot, IdArg, NsSource, Options};
use crate::plan::{self, Step};

/// A fatal error: the message (printed with the program name) and exit status 1, and the
/// likely cause when we know one (its hint line follows the message on a terminal only).
pub struct Fatal(pub String, pub Option<Cause>);

impl Fatal {
    /// This error with the hint for `cause`.
    fn because(self, cause: Cause) -> Fatal {
        Fatal(self.0, Some(cause))
    }

    /// This error with the hint for `cause` when there is one.
    fn maybe(self, cause: Option<Cause>) -> Fatal {
        Fatal(self.0, cause.or(self.1))
    }
}

fn fatal(msg: impl std::fmt::Display) -> Fatal {
    Fatal(msg.to_string(), None)
}

/// The target as far as we got with it.
struct Target {
    pid: Option<i32>,
    pidfd: Option<OwnedFd>,
    pinned: Option<Pinned>,
}

impl Target {
    /// Pin the target (once). `what` words a failure as the original's first `/proc` access
    /// at this point would have (the original opened `/proc/PID/...` and met ENOENT where we
    /// meet a vanished pidfd).
    fn pin(&mut self, what: impl FnOnce(i32, Errno) -> String) -> Result<&mut Pinned, Fatal> {
        let Some(pid) = self.pid else {
            return Err(fatal("no target PID specified"));
        };
        if self.pinned.is_none() {
            let p = Pinned::new(pid, self.pidfd.take()).map_err(|e| {
                Fatal(what(pid, gone(e)), None)
                    .maybe((e == Errno::SRCH).then_some(Cause::TargetExited))
            })?;
            self.pinned = Some(p);
        }
        self.pinned
            .as_mut()
            .ok_or_else(|| fatal("no target PID specified"))
    }
}

/// The original met a vanished target as a missing `/proc/PID` (ENOENT); we meet it as a
/// `pidfd_open` that says ESRCH. Word it as the original does. (Files opened under a pinned
/// `/proc/PID` keep their own errno: a zombie's `environ` is ESRCH in both.)
fn gone(e: Errno) -> Errno {
    if e == Errno::SRCH {
        Errno::NOENT
    } else {
        e
    }
}

/// [`Cause::TargetExited`] when the pinned target has exited (a zombie included).
fn exited(p: &Pinned) -> Option<Cause> {
    let pidfd = p.pidfd()?;
    nscore::pidfd::has_exited(pidfd)
        .unwrap_or(false)
        .then_some(Cause::TargetExited)
}

fn cannot_open(pid: i32, rel: &str, e: Errno) -> String {
    format!("cannot open /proc/{pid}/{rel}: {}", SysErr(e))
}

fn rel_str(rel: &CStr) -> &str {
    rel.to_str().unwrap_or_default()
}

/// Open `/proc/PID/<rel>` of the target, or fail as util-linux's `open_target_fd` does.
fn open_target(t: &mut Target, rel: &'static CStr) -> Result<OwnedFd, Fatal> {
    if t.pid.is_none() {
        return Err(fatal(format_args!(
            "neither filename nor target pid supplied for {}",
            rel_str(rel)
        )));
    }
    let p = t.pin(|pid, e| cannot_open(pid, rel_str(rel), e))?;
    let pid = p.pid();
    p.open(rel)
        .map_err(|e| fatal(cannot_open(pid, rel_str(rel), e)).maybe(exited(p)))
}

/// Everything between parsing and exec. Returns the exit status when it ends without exec
/// (the forking parent, or a failed exec).
pub fn run(mut o: Options) -> Result<i32, Fatal> {
    let mut t = Target {
        pid: o.target,
        pidfd: o.target_pidfd.take(),
        pinned: None,
    };

    // 3. --all: every kind the kernel has, except our own user namespace.
    if o.all {
        for kind in nscore::enter::ENTER_ORDER {
            if !matches!(o.ns[slot(kind)], NsSource::Off) {
                continue;
            }
            let mine = nscore::NsId::from_path(format!("/proc/self/ns/{kind}"));
            if let Err(e) = &mine {
                if e.errno() == Some(Errno::NOENT) {
                    continue;
                }
            }
            if kind == NsKind::User {
                let stat_fail = |pid: i32, e: Errno| {
                    format!("stat of /proc/{pid}/ns/user failed: {}", SysErr(e))
                };
                if t.pid.is_none() {
                    return Err(fatal(stat_fail(0, Errno::NOENT)));
                }
                let p = t.pin(stat_fail)?;
                let pid = p.pid();
                let theirs = p
                    .ns_inode(NsKind::User)
                    .map_err(|e| fatal(stat_fail(pid, e)).maybe(exited(p)))?;
                if mine.is_ok_and(|m| m.ino == theirs) {
                    continue;
                }
            }
            o.ns[slot(kind)] = NsSource::Target;
        }
    }

    // 4. The target's namespaces: through its pidfd (kernel >= 5.8) or its /proc files.
    let from_target: Vec<NsKind> = nscore::enter::ENTER_ORDER
        .into_iter()
        .filter(|k| matches!(o.ns[slot(*k)], NsSource::Target))
        .collect();
    let mut use_pidfd = false;
    if !from_target.is_empty() || o.net_socket.is_some() || o.user_parent {
        if t.pid.is_none() {
            return Err(fatal("no target PID specified"));
        }
        if !from_target.is_empty() {
            let first = from_target.first().copied();
            let p = t.pin(|pid, e| match first {
                Some(k) => cannot_open(pid, &format!("ns/{k}"), e),
                None => cannot_open(pid, "ns/user", e),
            })?;
            use_pidfd = p.pidfd().is_some() && nscore::enter::kernel_supports_pidfd_setns();
            if !use_pidfd {
                let pid = p.pid();
                for kind in &from_target {
                    let fd = p.open(kind.proc_entry()).map_err(|e| {
                        fatal(cannot_open(pid, &format!("ns/{kind}"), e)).maybe(exited(p))
                    })?;
                    o.ns[slot(*kind)] = NsSource::File(fd);
                }
            }
        } else {
            // Only --net-socket or --user-parent: util-linux ignores a failed pidfd_open here,
            // and the step that needs the target later says what failed (after -r and -w have
            // opened theirs; --user-parent with a namespace file needs no target at all).
            let _ = t.pin(|pid, e| cannot_open(pid, "ns/user", e));
        }
    }

    // 5. Files of the target opened now, used later.
    if o.root_target {
        o.root_fd = Some(open_target(&mut t, c"root")?);
    }
    if o.wd_target {
        o.wd_fd = Some(open_target(&mut t, c"cwd")?);
    }
    let env_fd = if o.env {
        Some(open_target(&mut t, c"environ")?)
    } else {
        None
    };
    let follow = matches!(o.uid, Some(IdArg::Follow)) || matches!(o.gid, Some(IdArg::Follow));
    // util-linux's `uid_gid_fd`: `/proc/PID/` itself, opened now, looked at after entering.
    let uid_gid_fd = if follow {
        if t.pid.is_none() {
            return Err(fatal("neither filename nor target pid supplied for "));
        }
        let p = t.pin(|pid, e| cannot_open(pid, "", e))?;
        let pid = p.pid();
        Some(
            p.open(c".")
                .map_err(|e| fatal(cannot_open(pid, "", e)).maybe(exited(p)))?,
        )
    } else {
        None
    };

    // 6. --join-cgroup: find the target's cgroup v2 directory and open cgroup.procs now.
    let cgroup_procs = if o.join_cgroup {
        Some(open_cgroup_procs(&mut t)?)
    } else {
        None
    };

    // 7. --user-parent: the owner of a user namespace file.
    if o.user_parent {
        user_parent(&mut o, &mut t)?;
    }

    // 8. --net-socket: the network namespace of a socket of the target.
    if let Some(sock) = o.net_socket {
        let p =
            t.pin(|pid, _| format!("failed to pidfd_open() for {pid}: {}", SysErr(Errno::SRCH)))?;
        let Some(pidfd) = p.pidfd() else {
            // util-linux retries pidfd_open here and fails as it did (a thread ID, an old kernel).
            return Err(fatal(format_args!(
                "failed to pidfd_open() for {}: {}",
                p.pid(),
                SysErr(p.pidfd_error().unwrap_or(Errno::NOSYS))
            )));
        };
        let sk = nscore::pidfd::getfd(pidfd, sock).map_err(|e| {
            fatal(format_args!(
                "pidfd_getfd({}, {sock}): {}",
                pidfd.as_raw_fd(),
                SysErr(e)
            ))
        })?;
        let nsfd = nscore::nsfs::socket_net_ns(&sk).map_err(|e| {
            fatal(format_args!(
                "ioctl({}, SIOCGSKNS): {}",
                sk.as_raw_fd(),
                SysErr(e.errno().unwrap_or(Errno::INVAL))
            ))
        })?;
        drop(sk);
        o.ns[slot(NsKind::Net)] = NsSource::File(nsfd);
    }

    // 9. Something to enter at all?
    let mut requested = NsKinds::EMPTY;
    let mut files = NsKinds::EMPTY;
    for kind in NsKind::ALL {
        match o.ns[slot(kind)] {
            NsSource::Off => {}
            NsSource::Target => requested.insert(kind),
            NsSource::File(_) => {
                requested.insert(kind);
                files.insert(kind);
            }
        }
    }
    if requested.is_empty() {
        return Err(fatal("no namespace specified"));
    }

    // 10. A PID namespace only applies to children: fork unless told not to.
    let do_fork = requested.contains(NsKind::Pid) && !o.no_fork;

    // 11. Entering a user namespace: become uid/gid 0 there unless told otherwise.
    let mut force_uid = o.uid.is_some();
    let mut force_gid = o.gid.is_some();
    let mut setgroups_failed = false;
    if requested.contains(NsKind::User) && !o.preserve_cred {
        force_uid = true;
        force_gid = true;
        setgroups_failed = nscore::creds::drop_groups().is_err();
    }

    // 12. The two passes.
    let pidfd = t.pinned.as_mut().and_then(|p| p.take_pidfd());
    let second = {
        let ns = &o.ns;
        plan::enter_all(requested, files, use_pidfd, |step| match step {
            Step::Mask(mask) => match &pidfd {
                Some(fd) => nscore::enter::setns_pidfd(fd, mask),
                None => Err(Errno::BADF),
            },
            Step::File(kind) => match &ns[slot(kind)] {
                NsSource::File(fd) => nscore::enter::setns(fd, Some(kind)),
                _ => Err(Errno::BADF),
            },
        })
    };
    let second = match second {
        Ok(s) => s,
        Err((step, e)) => {
            let f = match step {
                Step::Mask(_) => fatal(format_args!(
                    "reassociate to namespaces failed: {}",
                    SysErr(e)
                )),
                Step::File(k) => fatal(format_args!(
                    "reassociate to namespace 'ns/{k}' failed: {}",
                    SysErr(e)
                )),
            };
            return Err(f.maybe(setns_cause(step, e, &o, &mut t)));
        }
    };
    drop(pidfd);
    o.ns = Default::default();

    // 13-15. Root and working directory.
    if o.root_fd.is_some() && o.wd_fd.is_none() && o.wdns.is_none() {
        let here = nscore::pidfd::open_read(Path::new(".")).map_err(|e| {
            fatal(format_args!(
                "cannot open current working directory: {}",
                SysErr(e)
            ))
        })?;
        o.wd_fd = Some(here);
    }
    if let Some(root) = o.root_fd.take() {
        nscore::creds::fchdir(&root).map_err(|e| {
            fatal(format_args!(
                "change directory by root file descriptor failed: {}",
                SysErr(e)
            ))
        })?;
        nscore::pidfd::chroot_here().map_err(|(step, e)| match step {
            "chroot" => fatal(format_args!("chroot failed: {}", SysErr(e))),
            _ => fatal(format_args!("cannot change directory to /: {}", SysErr(e))),
        })?;
    }
    if let Some(dir) = o.wdns.take() {
        let fd = nscore::pidfd::open_read(Path::new(&dir)).map_err(|e| {
            fatal(format_args!(
                "cannot open current working directory: {}",
                SysErr(e)
            ))
        })?;
        o.wd_fd = Some(fd);
    }
    if let Some(wd) = o.wd_fd.take() {
        nscore::creds::fchdir(&wd).map_err(|e| {
            fatal(format_args!(
                "change directory by working directory file descriptor failed: {}",
                SysErr(e)
            ))
        })?;
    }

    // 16. The target's environment.
    if let Some(fd) = env_fd {
        set_environment(&fd)?;
    }

    // 17. Join the cgroup.
    if let Some(fd) = cgroup_procs {
        let pid = std::process::id().to_string();
        nscore::pidfd::write_all(&fd, pid.as_bytes())
            .map_err(|e| fatal(format_args!("write cgroup.procs failed: {}", SysErr(e))))?;
    }

    // 18. `follow`: the owner of /proc/PID.
    let (mut uid, mut gid) = (0u32, 0u32);
    if let Some(IdArg::Id(u)) = o.uid {
        uid = u;
    }
    if let Some(IdArg::Id(g)) = o.gid {
        gid = g;
    }
    if let Some(fd) = uid_gid_fd {
        let (ou, og) = nscore::pidfd::owner(&fd)
            .map_err(|e| fatal(format_args!("can not get process stat: {}", SysErr(e))))?;
        if o.uid == Some(IdArg::Follow) {
            uid = ou;
        }
        if o.gid == Some(IdArg::Follow) {
            gid = og;
        }
    }
    drop(t);

    // 19. Fork for the PID namespace; the parent mirrors the child.
    if do_fork {
        if let Some(code) = continue_as_child()? {
            return Ok(code);
        }
    }

    // 20-21. Credentials, capabilities.
    // EPERM here, after entering a user namespace as its uid/gid 0, is that namespace refusing
    // the switch (setgroups denied, 0 not mapped): --preserve-credentials is the way out.
    let cred_cause = |e: Errno| {
        (e == Errno::PERM && requested.contains(NsKind::User) && !o.preserve_cred)
            .then_some(Cause::JoinUserNsDenied)
    };
    if force_gid {
        if let Err(e) = nscore::creds::drop_groups() {
            if setgroups_failed {
                return Err(
                    fatal(format_args!("setgroups failed: {}", SysErr(e))).maybe(cred_cause(e))
                );
            }
        }
        nscore::creds::setgid(gid).map_err(|e| {
            fatal(format_args!("setgid() failed: {}", SysErr(e))).maybe(cred_cause(e))
        })?;
    }
    if force_uid {
        nscore::creds::setuid(uid).map_err(|e| {
            fatal(format_args!("setuid() failed: {}", SysErr(e))).maybe(cred_cause(e))
        })?;
    }
    // Observed in 2.42.4: --keep-caps raises the ambient set only when the user namespace was
    // entered in pass 2 together with at least one other requested kind; `-U --keep-caps`
    // alone (or `--user=FILE --keep-caps`) leaves it empty.
    let mut others = requested;
    others.remove(NsKind::User);
    if o.keep_caps && second.contains(NsKind::User) && !others.is_empty() {
        nscore::creds::keep_capabilities()
            .map_err(|(what, e)| fatal(format_args!("{what}: {}", SysErr(e))))?;
    }

    // 22. Exec.
    let err = nscore::exec::exec_program_or_shell(&o.program);
    err.report();
    Ok(err.exit_code())
}

/// The hint for a failed `setns` of pass 2: the target exited (ESRCH), a user namespace we may
/// not enter (EPERM), or our own user namespace (EINVAL).
fn setns_cause(step: Step, e: Errno, o: &Options, t: &mut Target) -> Option<Cause> {
    let user = match step {
        Step::Mask(m) => m.contains(NsKind::User),
        Step::File(k) => k == NsKind::User,
    };
    match e {
        Errno::SRCH => Some(Cause::TargetExited),
        Errno::PERM if user => Some(Cause::JoinUserNsDenied),
        Errno::INVAL if user => {
            let mine = nscore::NsId::from_path("/proc/self/ns/user").ok()?.ino;
            let theirs = match (step, &o.ns[slot(NsKind::User)]) {
                (Step::File(_), NsSource::File(fd)) => nscore::pidfd::inode(fd).ok()?,
                _ => t.pinned.as_mut()?.ns_inode(NsKind::User).ok()?,
            };
            (mine == theirs).then_some(Cause::JoinOwnUserNs)
        }
        _ => None,
    }
}

fn open_cgroup_procs(t: &mut Target) -> Result<OwnedFd, Fatal> {
    let root = Path::new("/sys/fs/cgroup");
    let v2 = nscore::pidfd::is_cgroup2(root)
        .map_err(|e| fatal(format_args!("statfs /sys/fs/cgroup failed: {}", SysErr(e))))?;
    if !v2 {
        return Err(fatal("--join-cgroup is only supported in cgroup v2"));
    }
    let fd = open_target(t, c"cgroup")?;
    let buf = nscore::pidfd::read_all(&fd)
        .map_err(|e| fatal(format_args!("failed to get cgroup path: {}", SysErr(e))))?;
    let Some(path) = crate::parse::cgroup_path(&buf) else {
        return Err(fatal("failed to get cgroup path"));
    };
    let mut full = b"/sys/fs/cgroup/".to_vec();
    full.extend_from_slice(path);
    full.extend_from_slice(b"/cgroup.procs");
    let full = PathBuf::from(OsStr::from_bytes(&full));
    nscore::pidfd::open_append(&full)
        .map_err(|e| fatal(format_args!("failed to open cgroup.procs: {}", SysErr(e))))
}

/// util-linux's `open_parent_user_ns_fd`: take a user namespace file (the -U file, else the
/// target's user namespace through its pidfd, else the first requested namespace's file, else
/// `/proc/PID/ns/user`), and enter its owner instead of the target's user namespace.
fn user_parent(o: &mut Options, t: &mut Target) -> Result<(), Fatal> {
    let mut local: Option<OwnedFd> = None;
    let mut chosen: Option<usize> = None;
    if let NsSource::File(_) = o.ns[slot(NsKind::User)] {
        chosen = Some(slot(NsKind::User));
    }
    if chosen.is_none() {
        if let Some(p) = &t.pinned {
            if let Some(pidfd) = p.pidfd() {
                local = nscore::pidfd::namespace(pidfd, NsKind::User).ok();
            }
        }
    }
    if chosen.is_none() && local.is_none() {
        // The first requested namespace in util-linux's order, if it has a file.
        if let Some(k) = nscore::enter::ENTER_ORDER
            .into_iter()
            .find(|k| !matches!(o.ns[slot(*k)], NsSource::Off))
        {
            if let NsSource::File(_) = o.ns[slot(k)] {
                chosen = Some(slot(k));
            }
        }
    }
    if chosen.is_none() && local.is_none() {
        local = Some(open_target(t, c"ns/user")?);
    }
    let parent = {
        let fd = match (&local, chosen) {
            (Some(fd), _) => fd.as_fd(),
            (None, Some(i)) => match &o.ns[i] {
                NsSource::File(fd) => fd.as_fd(),
                _ => {
                    return Err(fatal(
                        "failed to open parent namespace: Bad file descriptor",
                    ))
                }
            },
            (None, None) => {
                return Err(fatal(
                    "failed to open parent namespace: Bad file descriptor",
                ))
            }
        };
        nscore::nsfs::owner_user_ns(fd).map_err(|e| {
            fatal(format_args!(
                "failed to open parent namespace: {}",
                SysErr(e.errno().unwrap_or(Errno::INVAL))
            ))
        })?
    };
    o.ns[slot(NsKind::User)] = NsSource::File(parent);
    Ok(())
}

/// `-e`: replace our environment with the target's, as util-linux 2.42.4 does: the C
/// library's environment cleared (every entry, whatever its shape), then the target's
/// `NAME=VALUE` entries set without overwriting, last entry first.
fn set_environment(fd: &OwnedFd) -> Result<(), Fatal> {
    let buf = nscore::pidfd::read_all(fd).map_err(|e| {
        fatal(format_args!(
            "failed to get environment variables: {}",
            SysErr(e)
        ))
    })?;
    let vars = crate::parse::environ(&buf);
    nscore::exec::replace_environment(&vars).map_err(|e| {
        fatal(format_args!(
            "failed to set environment variables: {}",
            SysErr(e)
        ))
    })?;
    Ok(())
}

/// util-linux's `continue_as_child`: fork; the parent waits (also for stops, which it mirrors
/// by stopping itself and continuing the child when it is continued) and returns the child's
/// exit status, or dies of the child's signal. `None` in the child.
fn continue_as_child() -> Result<Option<i32>, Fatal> {
    nscore::signal::set_default(sig("CHLD"));
    let child = match nscore::create::fork() {
        Ok(Forked::Child) => return Ok(None),
        Ok(Forked::Parent(pid)) => pid,
        Err(e) => {
            // Forking into a PID namespace whose init has exited: the kernel says ENOMEM.
            let init_gone = e.errno() == Some(Errno::NOMEM);
            let f = fatal(&e);
            return Err(if init_gone {
                f.because(Cause::PidNsInitGone)
            } else {
                f
            });
        }
    };
    loop {
        match nscore::create::wait_or_kill(child, true) {
            Ok(ChildStatus::Stopped(_)) => {
                let _ = nscore::signal::raise(sig("STOP"));
                let _ = nscore::signal::kill(child, sig("CONT"));
            }
            Ok(ChildStatus::Exited(code)) => return Ok(Some(code)),
            Ok(ChildStatus::Signaled(sig)) => {
                let _ = nscore::signal::raise(sig);
                return Ok(Some(1));
            }
            // util-linux exits 1 silently here, leaving the child; a failure deserves its
            // message, and the child is stopped (wait_or_kill).
            Err(e) => return Err(fatal(&e)),
        }
    }
}

fn sig(name: &str) -> i32 {
    nscore::signal::parse_name(name).unwrap_or(0)
}
