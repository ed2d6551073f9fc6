//! pidfds beyond `setns`: pinning a target process before anything is read from `/proc/PID`,
//! checking a `PID:INODE` pair, stealing a socket with `pidfd_getfd(2)`, and the few file
//! operations `nsenter` does on its target's behalf.
//!
//! Why this exists: `/proc/PID` names a *number*, and numbers are reused. A tool that reads
//! `/proc/PID/ns/user`, then opens `/proc/PID/root`, then enters `/proc/PID/ns/net` may look at
//! three different processes if the target exits half-way. [`Pinned`] removes that race: the
//! pidfd is taken first, the `/proc/PID` directory is opened when first needed, and only then
//! is the pidfd checked to be still alive. A `/proc/PID` directory fd stays bound to the process it was
//! opened for (a later process with the same number gets a new directory), so once that check
//! passed, everything read relative to the directory belongs to the pinned process or fails.
//!
//! Errors come back as bare [`Errno`]s: the callers word them as util-linux does.

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
    // SAFETY: these requests take no argument and return a new descriptor or -1; `raw` is
    // borrowed from a live descriptor for the duration of the call.
    let ret = unsafe { libc::ioctl(raw, pidfd_ns_request(kind) as _) };
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
    dir: Option<OwnedFd>,
}

impl Pinned {
    /// Pin process `pid`: use `pidfd` if the caller already has one (e.g. from
    /// [`open_checked`]), else take one with `pidfd_open(2)`. On kernels without `pidfd_open`
    /// (ENOSYS, before 5.3) nothing is pinned and `/proc/PID` is used as util-linux uses it.
    pub fn new(pid: i32, pidfd: Option<OwnedFd>) -> Result<Pinned, Errno> {
        let pidfd = match pidfd {
            Some(fd) => Some(fd),
            None => match crate::enter::pidfd_open(pid) {
                Ok(fd) => Some(fd),
                Err(Errno::NOSYS) => None,
                Err(e) => return Err(e),
            },
        };
        Ok(Pinned {
            pid,
            pidfd,
            dir: None,
        })
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

    /// The `/proc/PID` directory: opened on first use, then the pidfd checked (`ESRCH` if the
    /// process has exited meanwhile: the directory might be a newcomer's).
    pub fn dir(&mut self) -> Result<BorrowedFd<'_>, Errno> {
        if self.dir.is_none() {
            let path = format!("/proc/{}", self.pid);
            let dir = openat(
                CWD,
                path.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            if let Some(fd) = &self.pidfd {
                if has_exited(fd)? {
                    return Err(Errno::SRCH);
                }
            }
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
        let st = fstat(self.dir()?)?;
        Ok((st.st_uid, st.st_gid))
    }
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

/// Open `path` read-only and close-on-exec (a namespace file, a directory to chroot or chdir
/// into later).
pub fn open_read(path: &Path) -> Result<OwnedFd, Errno> {
    openat(CWD, path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
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
