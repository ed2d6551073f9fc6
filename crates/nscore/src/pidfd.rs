//! pidfds beyond `setns`: pinning a target process before anything is read from `/proc/PID`,
//! checking a `PID:INODE` pair, stealing a socket with `pidfd_getfd(2)`, and the few file
//! operations `nsenter` does on its target's behalf.
//!
//! Why this exists: `/proc/PID` names a *number*, and numbers are reused. A tool that reads
//! `/proc/PID/ns/user`, then opens `/proc/PID/root`, then enters `/proc/PID/ns/net` may look at
//! three different processes if the target exits half-way. [`Pinned`] removes that race: the
//! pidfd is taken first, the `/proc/PID` directory is opened when first needed, and only then
//! is the pidfd checked to be still unreaped (a zombie still owns its PID and its directory). A
//! `/proc/PID` directory fd stays bound to the process it was opened for (a later process with
//! the same number gets a new directory), so once that check passed, everything read relative
//! to the directory belongs to the pinned process or fails.
//!
//! A thread ID is a valid nsenter target (`/proc/TID` exists, hidden from listings), but
//! `pidfd_open(TID, 0)` refuses it; util-linux then works through `/proc/TID` without a pidfd.
//! So does [`Pinned`], pinning the thread with `PIDFD_THREAD` where the kernel has it (6.9+)
//! only to check that it is still there, never handing that pidfd out.
//!
//! Errors come back as bare [`Errno`]s: the callers word them as util-linux does.
//!
//! # Example
//!
//! ```
//! use nscore::kind::NsKind;
//! use nscore::pidfd::{self, Pinned};
//! use nscore::NsId;
//!
//! // Pin this process, then read its namespace through the pinned /proc directory.
//! let mut me = Pinned::new(nscore::create::getpid(), None).unwrap();
//! if let Some(fd) = me.pidfd() {
//!     assert!(!pidfd::has_exited(fd).unwrap());
//! }
//! let ino = me.ns_inode(NsKind::Net).unwrap();
//! assert_eq!(ino, NsId::from_path("/proc/self/ns/net").unwrap().ino);
//!
//! // A child that has exited (not yet reaped) shows it on its pidfd.
//! let mut child = std::process::Command::new("true").spawn().unwrap();
//! if let Ok(fd) = nscore::enter::pidfd_open(child.id() as i32) {
//!     child.wait().unwrap();
//!     assert!(pidfd::has_exited(&fd).unwrap());
//! } else {
//!     child.wait().unwrap(); // a kernel without pidfd_open (< 5.3)
//! }
//! ```

use std::ffi::CStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use rustix::event::{PollFd, PollFlags};
use rustix::fs::{fstat, openat, statat, AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;
use rustix::process::PidfdGetfdFlags;

use crate::kind::NsKind;

/// `PIDFS_MAGIC`: the `f_type` of pidfds on kernels with pidfs (6.9+). See statfs(2).
const PIDFS_MAGIC: u64 = 0x5049_4446;
/// `CGROUP2_SUPER_MAGIC`: the `f_type` of a cgroup v2 mount.
const CGROUP2_SUPER_MAGIC: u64 = 0x6367_7270;

/// `pidfd_open(pid, 0)`, then, when `inode` is given, the `PID:INODE` check util-linux 2.42
/// does: the pidfd must live on pidfs (else `ENOTSUP`) and its inode must be `inode` (else
/// `ESRCH`, the process is not the one meant). See pidfd_open(2).
#[doc(alias = "pidfd_open")]
pub fn open_checked(pid: i32, inode: Option<u64>) -> Result<OwnedFd, Errno> {
    let fd = crate::enter::pidfd_open(pid)?;
    if let Some(want) = inode {
        if !is_pidfs(&fd) {
            return Err(Errno::NOTSUP);
        }
        if fstat(&fd)?.st_ino != want {
            return Err(Errno::SRCH);
        }
    }
    Ok(fd)
}

/// Whether `fd` lives on pidfs (`fstatfs(2)` `f_type == PIDFS_MAGIC`).
pub fn is_pidfs(fd: impl AsFd) -> bool {
    rustix::fs::fstatfs(fd).is_ok_and(|st| st.f_type as u64 == PIDFS_MAGIC)
}

/// The inode of a pidfd (`fstat(2)` `st_ino`): on pidfs, unique to one process for the whole
/// uptime, which is what `PID:INODE` names.
pub fn inode(pidfd: impl AsFd) -> Result<u64, Errno> {
    Ok(fstat(pidfd)?.st_ino)
}

/// Whether the process behind `pidfd` has exited: a pidfd polls readable (`POLLIN`) once its
/// process has terminated. See pidfd_open(2), "poll".
pub fn has_exited(pidfd: impl AsFd) -> Result<bool, Errno> {
    let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    loop {
        match rustix::event::poll(&mut fds, Some(&zero)) {
            Ok(_) => return Ok(fds[0].revents().contains(PollFlags::IN)),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Whether the process behind `pidfd` has been reaped, i.e. its PID is free for reuse:
/// `pidfd_send_signal(pidfd, 0, NULL, 0)` fails with `ESRCH` then, and only then (a zombie, or a
/// process we may not signal, `EPERM`, still holds its PID). See pidfd_send_signal(2).
#[doc(alias = "pidfd_send_signal")]
pub fn is_reaped(pidfd: impl AsFd) -> bool {
    let raw = pidfd.as_fd().as_raw_fd();
    // SAFETY: pidfd_send_signal with signal 0, a NULL siginfo and no flags only checks that the
    // process exists and may be signalled; `raw` is borrowed from a live descriptor.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            raw,
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    ret < 0 && last_errno() == Errno::SRCH
}

/// `pidfd_open(tid, PIDFD_THREAD)`: a pidfd for one thread (Linux 6.9+), which polls readable
/// and stops answering signals when that thread is gone. See pidfd_open(2).
#[doc(alias = "PIDFD_THREAD")]
pub fn open_thread(tid: i32) -> Result<OwnedFd, Errno> {
    let tid = rustix::process::Pid::from_raw(tid).ok_or(Errno::SRCH)?;
    rustix::process::pidfd_open(
        tid,
        rustix::process::PidfdFlags::from_bits_retain(libc::O_EXCL as _),
    )
}

/// `pidfd_getfd(pidfd, targetfd, 0)`: a duplicate, in this process, of descriptor `targetfd`
/// of the pidfd's process (close-on-exec). Needs ptrace access to it. See pidfd_getfd(2).
#[doc(alias = "pidfd_getfd")]
pub fn getfd(pidfd: impl AsFd, targetfd: RawFd) -> Result<OwnedFd, Errno> {
    rustix::process::pidfd_getfd(pidfd, targetfd, PidfdGetfdFlags::empty())
}

/// `PIDFS_IOCTL_MAGIC`, the type byte of the `PIDFD_GET_*_NAMESPACE` ioctls.
const PIDFS_IOCTL_MAGIC: u32 = 0xFF;

/// The `PIDFD_GET_<KIND>_NAMESPACE` request number (`_IO(0xFF, n)`), Linux 6.11+.
const fn pidfd_ns_request(kind: NsKind) -> u32 {
    let nr = match kind {
        NsKind::Cgroup => 1,
        NsKind::Ipc => 2,
        NsKind::Mnt => 3,
        NsKind::Net => 4,
        NsKind::Pid => 5,
        NsKind::Time => 7,
        NsKind::User => 9,
        NsKind::Uts => 10,
    };
    (PIDFS_IOCTL_MAGIC << 8) | nr
}

/// `ioctl(pidfd, PIDFD_GET_<KIND>_NAMESPACE)`: a namespace file of the pidfd's process, without
/// going through `/proc` (Linux 6.11+; older kernels answer ENOTTY). See ioctl_pidfd(2).
#[doc(alias = "PIDFD_GET_USER_NAMESPACE")]
pub fn namespace(pidfd: impl AsFd, kind: NsKind) -> Result<OwnedFd, Errno> {
    let raw = pidfd.as_fd().as_raw_fd();
    // SAFETY: these requests take no argument (passed as 0: since 6.18 the kernel refuses a
    // non-zero one with EINVAL) and return a new descriptor or -1; `raw` is borrowed from a
    // live descriptor for the duration of the call.
    let ret = unsafe { libc::ioctl(raw, pidfd_ns_request(kind) as _, 0 as libc::c_ulong) };
    if ret < 0 {
        return Err(last_errno());
    }
    // SAFETY: on success the kernel returned a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(ret) })
}

fn last_errno() -> Errno {
    Errno::from_raw_os_error(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

/// Where [`Pinned`] keeps its `/proc/PID` directory descriptor (`F_DUPFD_CLOEXEC` minimum).
const HIGH_FD: RawFd = 100;

/// A target process pinned by its pidfd, with its `/proc/PID` directory opened on first use.
///
/// The pidfd is taken first ([`Pinned::new`]); the directory is opened only when something has
/// to be read from `/proc` (entering through the pidfd needs nothing from there), and right
/// after opening it the pidfd is checked to be still alive, so the directory is known to belong
/// to the pidfd's process. Relative reads cannot then wander to a process that later got the
/// same PID: they fail instead.
pub struct Pinned {
    pid: i32,
    pidfd: Option<OwnedFd>,
    /// Why there is no `pidfd` (the `pidfd_open(pid, 0)` error), when there is none.
    pidfd_err: Option<Errno>,
    /// A thread pin (`PIDFD_THREAD`) kept only to check liveness when `pid` is a thread ID.
    guard: Option<OwnedFd>,
    dir: Option<OwnedFd>,
}

impl Pinned {
    /// Pin process `pid`: use `pidfd` if the caller already has one (e.g. from
    /// [`open_checked`]), else take one with `pidfd_open(2)`. `ESRCH` (no such process) is an
    /// error. Any other refusal leaves no pidfd, as util-linux is left with none and goes through
    /// `/proc/PID` instead: kernels without `pidfd_open` (ENOSYS, before 5.3), and thread IDs
    /// (`ENOENT`, or `EINVAL` before 6.9), which are still pinned with `PIDFD_THREAD` where
    /// possible so that [`Pinned::dir`] can tell a vanished thread.
    pub fn new(pid: i32, pidfd: Option<OwnedFd>) -> Result<Pinned, Errno> {
        let mut pinned = Pinned {
            pid,
            pidfd: None,
            pidfd_err: None,
            guard: None,
            dir: None,
        };
        match pidfd.map_or_else(|| crate::enter::pidfd_open(pid), Ok) {
            Ok(fd) => pinned.pidfd = Some(fd),
            Err(Errno::SRCH) => return Err(Errno::SRCH),
            Err(e) => {
                pinned.pidfd_err = Some(e);
                match open_thread(pid) {
                    Ok(fd) => pinned.guard = Some(fd),
                    Err(Errno::SRCH) => return Err(Errno::SRCH),
                    Err(_) => {}
                }
            }
        }
        Ok(pinned)
    }

    /// Why there is no [`Pinned::pidfd`]: the error `pidfd_open(pid, 0)` gave.
    pub fn pidfd_error(&self) -> Option<Errno> {
        self.pidfd_err
    }

    /// The PID.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The pidfd, if the kernel gave one.
    pub fn pidfd(&self) -> Option<BorrowedFd<'_>> {
        self.pidfd.as_ref().map(|f| f.as_fd())
    }

    /// Give up the pidfd (to close it early, as util-linux does after entering). The
    /// directory, if already open, stays valid.
    pub fn take_pidfd(&mut self) -> Option<OwnedFd> {
        self.pidfd.take()
    }

    /// The `/proc/PID` directory: opened on first use, then the pidfd checked (`ENOENT`, as for
    /// a `/proc/PID` that is gone, if the process has been reaped meanwhile: the directory
    /// might be a newcomer's). A zombie still
    /// owns its PID, so its directory is its own (util-linux reads it too).
    pub fn dir(&mut self) -> Result<BorrowedFd<'_>, Errno> {
        if self.dir.is_none() {
            let path = format!("/proc/{}", self.pid);
            let dir = openat(
                CWD,
                path.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            if let Some(fd) = self.pidfd.as_ref().or(self.guard.as_ref()) {
                if is_reaped(fd) {
                    return Err(Errno::NOENT);
                }
            }
            // Out of the way of the low descriptor numbers: util-linux has no such descriptor,
            // and the numbers it opens next show in its messages (`ioctl(5, SIOCGSKNS)`).
            let dir = rustix::io::fcntl_dupfd_cloexec(&dir, HIGH_FD).unwrap_or(dir);
            self.dir = Some(dir);
        }
        self.dir.as_ref().map(|d| d.as_fd()).ok_or(Errno::BADF)
    }

    /// Open `rel` under `/proc/PID` read-only and close-on-exec (`ns/net`, `root`, `cwd`, ...).
    pub fn open(&mut self, rel: &CStr) -> Result<OwnedFd, Errno> {
        let dir = self.dir()?;
        openat(dir, rel, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
    }

    /// The inode of the process's namespace of `kind`: `stat(2)` following `ns/KIND`.
    pub fn ns_inode(&mut self, kind: NsKind) -> Result<u64, Errno> {
        let dir = self.dir()?;
        Ok(statat(dir, kind.proc_entry(), AtFlags::empty())?.st_ino)
    }

    /// Owner uid and gid of `/proc/PID` (nsenter's `follow`).
    pub fn owner(&mut self) -> Result<(u32, u32), Errno> {
        owner(self.dir()?)
    }
}

/// Owner uid and gid of an open file (`fstat(2)` `st_uid`, `st_gid`), as seen from the
/// caller's user namespace at the time of the call.
pub fn owner(fd: impl AsFd) -> Result<(u32, u32), Errno> {
    let st = fstat(fd)?;
    Ok((st.st_uid, st.st_gid))
}

/// Read all of `fd` from its current offset, retrying on EINTR.
pub fn read_all(fd: impl AsFd) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match rustix::io::read(&fd, &mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Write all of `bytes` to `fd`, retrying on EINTR and short writes.
pub fn write_all(fd: impl AsFd, mut bytes: &[u8]) -> Result<(), Errno> {
    while !bytes.is_empty() {
        match rustix::io::write(&fd, bytes) {
            Ok(0) => return Err(Errno::IO),
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Open `path` read-only, close-on-exec and non-blocking (a namespace file, a directory to
/// chroot or chdir into later).
///
/// `O_NONBLOCK` because the path comes from the user and may name a FIFO (or a device whose
/// open waits): a blocking open of a FIFO without a writer would hang forever. Nothing is read
/// through the descriptor; a FIFO or device then fails where any other non-namespace file
/// fails (`setns` or `fchdir` refuses it), with the same permission checks at open.
pub fn open_read(path: &Path) -> Result<OwnedFd, Errno> {
    openat(
        CWD,
        path,
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )
}

/// Open `path` for appending writes, close-on-exec (a cgroup's `cgroup.procs`).
pub fn open_append(path: &Path) -> Result<OwnedFd, Errno> {
    openat(
        CWD,
        path,
        OFlags::WRONLY | OFlags::APPEND | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Whether a cgroup v2 hierarchy is mounted at `path` (`statfs(2)` `f_type`).
pub fn is_cgroup2(path: &Path) -> Result<bool, Errno> {
    Ok(rustix::fs::statfs(path)?.f_type as u64 == CGROUP2_SUPER_MAGIC)
}

/// `chroot(".")` then `chdir("/")`, after an `fchdir` to the new root: the tail of
/// `nsenter --root`. Returns which step failed.
pub fn chroot_here() -> Result<(), (&'static str, Errno)> {
    rustix::process::chroot(".").map_err(|e| ("chroot", e))?;
    rustix::process::chdir("/").map_err(|e| ("chdir", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_numbers_match_the_kernel_header() {
        // <linux/pidfd.h>: PIDFD_GET_CGROUP_NAMESPACE _IO(0xFF, 1) ... UTS _IO(0xFF, 10).
        assert_eq!(pidfd_ns_request(NsKind::Cgroup), 0xff01);
        assert_eq!(pidfd_ns_request(NsKind::User), 0xff09);
        assert_eq!(pidfd_ns_request(NsKind::Uts), 0xff0a);
    }

    #[test]
    fn pins_itself_and_checks_inodes() {
        let me = std::process::id() as i32;
        let fd = open_checked(me, None).unwrap();
        let ino = inode(&fd).unwrap();
        assert!(!has_exited(&fd).unwrap());
        if is_pidfs(&fd) {
            assert!(open_checked(me, Some(ino)).is_ok());
            assert_eq!(open_checked(me, Some(ino ^ 1)).err(), Some(Errno::SRCH));
        }
        let mut p = Pinned::new(me, Some(fd)).unwrap();
        let via_path = crate::NsId::from_path("/proc/self/ns/net").unwrap();
        assert_eq!(p.ns_inode(NsKind::Net).unwrap(), via_path.ino);
        assert_eq!(
            p.owner().unwrap(),
            crate::creds::effective_ids(),
            "our /proc dir is ours"
        );
    }

    #[test]
    fn zombies_are_pinned_until_reaped() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        let fd = open_checked(pid, None).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !has_exited(&fd).unwrap() {
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(!is_reaped(&fd), "a zombie keeps its PID");
        let mut p = Pinned::new(pid, Some(fd)).unwrap();
        assert!(p.dir().is_ok());
        child.wait().unwrap();
        let mut q = Pinned::new(pid, open_checked(pid, None).ok());
        assert!(q.as_mut().map_or(true, |q| q.dir().is_err()));
    }

    #[test]
    fn threads_are_pinned_without_a_pidfd() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            tx.send(rustix::thread::gettid().as_raw_nonzero().get())
                .unwrap();
            let _ = stop_rx.recv();
        });
        let tid = rx.recv().unwrap();
        let mut p = Pinned::new(tid, None).unwrap();
        assert!(p.pidfd().is_none());
        assert!(p.pidfd_error().is_some());
        let via_path = crate::NsId::from_path("/proc/self/ns/net").unwrap();
        assert_eq!(p.ns_inode(NsKind::Net).unwrap(), via_path.ino);
        drop(stop_tx);
        t.join().unwrap();
    }

    #[test]
    fn exited_children_are_not_pinned() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        let fd = open_checked(pid, None).unwrap();
        child.wait().unwrap();
        assert!(has_exited(&fd).unwrap());
        let mut p = Pinned::new(pid, Some(fd)).unwrap();
        assert!(p.dir().is_err());
        assert!(p.ns_inode(NsKind::Net).is_err());
    }
}
