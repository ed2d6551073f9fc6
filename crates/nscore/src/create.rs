//! Creating namespaces and processes: `unshare(2)`, `fork(2)` and waiting for a child.
//!
//! These are the crate's process-level `unsafe` sites. Both must run while the process is
//! single-threaded: `unshare(CLONE_NEWUSER)` is refused otherwise, and after `fork` only
//! async-signal-safe work is sound in a child of a threaded parent.
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, unshare, ChildStatus};
//! use nscore::kind::{NsKind, NsKinds};
//! use nscore::NsId;
//!
//! let outside = NsId::from_path("/proc/self/ns/net").unwrap();
//! // A new user and network namespace, in a child: the kernel refuses CLONE_NEWUSER to a
//! // threaded process, and this process keeps its own namespaces.
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User, NsKind::Net])).is_err() {
//!         return 77; // user namespaces are switched off here
//!     }
//!     let inside = NsId::from_path("/proc/self/ns/net").ok();
//!     if inside.is_some() && inside != Some(outside) { 0 } else { 1 }
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
//! assert_eq!(NsId::from_path("/proc/self/ns/net").unwrap(), outside);
//! ```

use rustix::io::Errno;
use rustix::process::{Pid, WaitOptions};
use rustix::thread::UnshareFlags;

use crate::error::{Error, Result};
use crate::kind::NsKinds;

/// `unshare(flags)`: give the calling process new namespaces of `kinds`. See unshare(2).
///
/// The error is the bare errno; util-linux words it `unshare failed: <strerror>`.
pub fn unshare(kinds: NsKinds) -> Result<(), Errno> {
    let flags = UnshareFlags::from_bits_retain(kinds.0);
    // SAFETY: the flags only ever hold CLONE_NEW* bits (NsKinds cannot hold CLONE_FILES), so no
    // file descriptor table is unshared under other threads' feet, which is the hazard that made
    // rustix mark this call unsafe.
    unsafe { rustix::thread::unshare_unsafe(flags) }
}

/// What `fork` returned in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forked {
    /// We are the parent; the child has this PID.
    Parent(i32),
    /// We are the child.
    Child,
}

/// `fork()`. See fork(2).
///
/// Call it only while the process is single-threaded (all nsutils tools are): the child of a
/// threaded parent may find locks held by threads that no longer exist.
pub fn fork() -> Result<Forked> {
    // SAFETY: fork has no memory-safety preconditions of its own; the callers are single-threaded
    // programs, so the child does not inherit locks held by other threads.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => Err(Error::sys(
            "fork failed",
            Errno::from_raw_os_error(std::io::Error::last_os_error().raw_os_error().unwrap_or(0)),
        )),
        0 => Ok(Forked::Child),
        child => Ok(Forked::Parent(child)),
    }
}

/// How a child ended, or that it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
    /// A signal stopped it (only reported when waiting with `untraced`).
    Stopped(i32),
}

impl ChildStatus {
    /// The shell's view of the status: the code, or 128 + the signal.
    pub fn shell_code(self) -> i32 {
        match self {
            ChildStatus::Exited(c) => c,
            ChildStatus::Signaled(s) | ChildStatus::Stopped(s) => 128 + s,
        }
    }
}

/// `waitpid(pid, &status, untraced ? WUNTRACED : 0)`, retried on EINTR. See waitpid(2).
#[doc(alias = "waitpid")]
pub fn wait(pid: i32, untraced: bool) -> Result<ChildStatus> {
    let target = Pid::from_raw(pid).ok_or_else(|| Error::sys("waitpid failed", Errno::CHILD))?;
    let opts = if untraced {
        WaitOptions::UNTRACED
    } else {
        WaitOptions::empty()
    };
    loop {
        match rustix::process::waitpid(Some(target), opts) {
            Ok(Some((_, st))) => {
                if let Some(code) = st.exit_status() {
                    return Ok(ChildStatus::Exited(code));
                }
                if let Some(sig) = st.terminating_signal() {
                    return Ok(ChildStatus::Signaled(sig));
                }
                if let Some(sig) = st.stopping_signal() {
                    return Ok(ChildStatus::Stopped(sig));
                }
            }
            Ok(None) => continue,
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(Error::sys("waitpid failed", errno)),
        }
    }
}

/// [`wait`], and should it fail, do not leave the child behind: for any error but ECHILD (the
/// child is no longer ours to wait for, and its PID may already be another process's), the
/// child is sent SIGKILL and reaped before the error is returned. A caller that reports a
/// failed wait and exits would otherwise leave its program running, reparented elsewhere.
///
/// # Example
///
/// ```
/// use nscore::create::{fork, exit_child, wait_or_kill, ChildStatus, Forked};
///
/// match fork()? {
///     Forked::Child => exit_child(7),
///     Forked::Parent(pid) => assert_eq!(wait_or_kill(pid, false)?, ChildStatus::Exited(7)),
/// }
/// # Ok::<(), nscore::Error>(())
/// ```
pub fn wait_or_kill(pid: i32, untraced: bool) -> Result<ChildStatus> {
    let r = wait(pid, untraced);
    if let Err(e) = &r {
        if e.errno() != Some(Errno::CHILD) {
            if let Some(target) = Pid::from_raw(pid) {
                let _ = rustix::process::kill_process(target, rustix::process::Signal::KILL);
                let _ = wait(pid, false);
            }
        }
    }
    r
}

/// Run `f` in a forked child and wait for it: `f`'s return value is the child's exit code
/// (a panic in `f` is exit code 101), and the child ends with `_exit` ([`exit_child`]), so it
/// never runs its copy of the caller's code after `f`.
///
/// The way to change namespaces or credentials from a program that has, or may have, threads
/// (a test harness): the child has one thread, so `unshare(CLONE_NEWUSER)` is allowed there,
/// and the caller's namespaces stay as they were. After a fork in a threaded program only the
/// calling thread exists in the child; keep `f` to system calls and small allocations (glibc
/// makes `malloc` safe in such a child) and take no lock another thread might hold, such as
/// `std::io::stdout()`'s.
///
/// # Example
///
/// ```
/// use nscore::create::{run_in_child, unshare, ChildStatus};
/// use nscore::kind::{NsKind, NsKinds};
///
/// let status = run_in_child(|| {
///     // Only the child gets the new namespaces.
///     match unshare(NsKinds::from_iter([NsKind::User, NsKind::Uts])) {
///         Ok(()) => 0,
///         Err(_) => 77, // user namespaces are switched off here: nothing to show
///     }
/// })
/// .unwrap();
/// assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
/// assert_eq!(run_in_child(|| 3).unwrap(), ChildStatus::Exited(3));
/// ```
pub fn run_in_child(f: impl FnOnce() -> i32) -> Result<ChildStatus> {
    match fork()? {
        Forked::Child => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(101);
            exit_child(code)
        }
        Forked::Parent(pid) => wait(pid, false),
    }
}

/// `_exit(code)`: end a forked child without running the parent's exit handlers or flushing
/// buffers it inherited. See _exit(2).
#[doc(alias = "_exit")]
pub fn exit_child(code: i32) -> ! {
    // SAFETY: _exit has no preconditions; it never returns.
    unsafe { libc::_exit(code) }
}

/// `getpid()`: the calling process's PID. See getpid(2).
pub fn getpid() -> i32 {
    rustix::process::getpid().as_raw_nonzero().get()
}

/// Whether the process behind `pidfd` has already exited: `poll(2)` with a zero timeout on the
/// pidfd, which becomes readable when the process ends (pidfd_open(2)). util-linux
/// `unshare --kill-child` uses it to close the race between `fork` and `PR_SET_PDEATHSIG`.
#[doc(alias = "poll")]
pub fn pidfd_exited(pidfd: impl std::os::fd::AsFd) -> Result<bool, Errno> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    Ok(poll(&mut fds, Some(&zero))? > 0)
}

/// `pipe2(O_CLOEXEC)`: a close-on-exec pipe between a process and a helper it forks, returned
/// as (read end, write end). Error `pipe failed: ...`. See pipe(2).
#[doc(alias = "pipe2")]
pub fn pipe() -> Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|errno| Error::sys("pipe failed", errno))
}

/// Read one byte from `fd`, retrying on EINTR: `Ok(None)` at end of file (every write end
/// closed: the other side exec'd, exited or died).
pub fn read_byte(fd: impl std::os::fd::AsFd) -> Result<Option<u8>, Errno> {
    let mut b = [0u8; 1];
    loop {
        match rustix::io::read(&fd, &mut b) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(b[0])),
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(errno),
        }
    }
}

/// Write one byte to `fd`, retrying on EINTR.
pub fn write_byte(fd: impl std::os::fd::AsFd, byte: u8) -> Result<(), Errno> {
    loop {
        match rustix::io::write(&fd, &[byte]) {
            Ok(_) => return Ok(()),
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(errno),
        }
    }
}
