//! Entering namespaces: `setns(2)` on one namespace file, or on a pidfd with a mask of kinds.
//!
//! A pidfd pins the target process: once [`pidfd_open`] succeeded, a PID that is recycled by the
//! kernel cannot make us enter some other process's namespaces, and one `setns(pidfd, mask)` call
//! moves into several namespaces atomically (Linux >= 5.8). [`kernel_supports_pidfd_setns`] tells
//! whether to use it; older kernels fall back to one `setns` per `/proc/PID/ns/*` file.
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, unshare, ChildStatus};
//! use nscore::enter::{kernel_at_least, setns};
//! use nscore::kind::{NsKind, NsKinds};
//! use nscore::NsId;
//! use std::fs::File;
//!
//! assert!(kernel_at_least(b"6.18.0-1-amd64", 5, 8));
//! assert!(!kernel_at_least(b"5.7.19", 5, 8));
//!
//! // In a child (see run_in_child): a user namespace and a network namespace A, then another
//! // network namespace B, then back into A through its file.
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User, NsKind::Net])).is_err() {
//!         return 77; // user namespaces are switched off here
//!     }
//!     let net_ns = || NsId::from_path("/proc/self/ns/net").ok();
//!     let Ok(a) = File::open("/proc/self/ns/net") else { return 1 };
//!     if unshare(NsKinds::from_iter([NsKind::Net])).is_err() || net_ns() == NsId::from_fd(&a).ok() {
//!         return 2;
//!     }
//!     if setns(&a, Some(NsKind::Net)).is_err() || net_ns() != NsId::from_fd(&a).ok() {
//!         return 3;
//!     }
//!     0
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
//! ```

use std::os::fd::{AsFd, OwnedFd};

use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags};
use rustix::thread::{LinkNameSpaceType, ThreadNameSpaceType};

use crate::error::{Error, Result};
use crate::kind::{NsKind, NsKinds};

fn link_type(kind: NsKind) -> LinkNameSpaceType {
    match kind {
        NsKind::Cgroup => LinkNameSpaceType::ControlGroup,
        NsKind::Ipc => LinkNameSpaceType::InterProcessCommunication,
        NsKind::Mnt => LinkNameSpaceType::Mount,
        NsKind::Net => LinkNameSpaceType::Network,
        NsKind::Pid => LinkNameSpaceType::ProcessID,
        NsKind::Time => LinkNameSpaceType::Time,
        NsKind::User => LinkNameSpaceType::User,
        NsKind::Uts => LinkNameSpaceType::HostNameAndNISDomainName,
    }
}

/// `setns(fd, nstype)`: move the calling thread into the namespace `fd` refers to. With `kind`
/// set, the kernel refuses (EINVAL) a file of another kind. See setns(2).
///
/// The error is the bare errno: callers word it (`reassociate to namespace 'ns/net' failed`).
pub fn setns(fd: impl AsFd, kind: Option<NsKind>) -> Result<(), Errno> {
    rustix::thread::move_into_link_name_space(fd.as_fd(), kind.map(link_type))
}

/// `pidfd_open(pid, 0)`: a descriptor that pins process `pid`. See pidfd_open(2).
pub fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    let pid = Pid::from_raw(pid).ok_or(Errno::SRCH)?;
    rustix::process::pidfd_open(pid, PidfdFlags::empty())
}

/// `setns(pidfd, mask)`: move into every namespace of `kinds` that the pidfd's process is in, in
/// one atomic step (Linux >= 5.8). See setns(2).
#[doc(alias = "setns")]
pub fn setns_pidfd(pidfd: impl AsFd, kinds: NsKinds) -> Result<(), Errno> {
    rustix::thread::move_into_thread_name_spaces(
        pidfd.as_fd(),
        ThreadNameSpaceType::from_bits_retain(kinds.0),
    )
}

/// Whether `setns(2)` accepts pidfds here: the running kernel is newer than 5.7, as util-linux
/// decides it (`uname(2)` release).
pub fn kernel_supports_pidfd_setns() -> bool {
    let uts = rustix::system::uname();
    let release = uts.release().to_bytes();
    kernel_at_least(release, 5, 8)
}

/// Whether a `uname -r` style release string is at least `major.minor`.
pub fn kernel_at_least(release: &[u8], major: u64, minor: u64) -> bool {
    let mut parts = release
        .split(|b| !b.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(crate::id::parse_u64_digits);
    let maj = parts.next().flatten().unwrap_or(0);
    let min = parts.next().flatten().unwrap_or(0);
    (maj, min) >= (major, minor)
}

/// Enter the namespaces `kinds` of process `pid`: through a pidfd in one call where the kernel
/// allows it, else one `/proc/PID/ns/*` file at a time in util-linux's order (user, cgroup, ipc,
/// uts, net, pid, mnt, time).
pub fn enter_process(pid: i32, kinds: NsKinds) -> Result<()> {
    if kernel_supports_pidfd_setns() {
        let fd = pidfd_open(pid)
            .map_err(|errno| Error::sys(format!("pidfd_open({pid}) failed"), errno))?;
        return setns_pidfd(&fd, kinds).map_err(|errno| Error::SetnsMask { errno });
    }
    let dir = crate::proc::ProcDir::open(pid)?;
    for kind in ENTER_ORDER {
        if kinds.contains(kind) {
            let fd = dir.open_ns(kind)?;
            setns(&fd, Some(kind)).map_err(|errno| Error::Setns {
                name: format!("ns/{kind}"),
                errno,
            })?;
        }
    }
    Ok(())
}

/// The order util-linux enters namespace files one by one.
pub const ENTER_ORDER: [NsKind; 8] = [
    NsKind::User,
    NsKind::Cgroup,
    NsKind::Ipc,
    NsKind::Uts,
    NsKind::Net,
    NsKind::Pid,
    NsKind::Mnt,
    NsKind::Time,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_versions_compare() {
        assert!(kernel_at_least(b"6.18.44-fc-v782", 5, 8));
        assert!(kernel_at_least(b"5.8.0", 5, 8));
        assert!(!kernel_at_least(b"5.7.19", 5, 8));
        assert!(!kernel_at_least(b"4.19.0-amd64", 5, 8));
        assert!(!kernel_at_least(b"", 5, 8));
        assert!(!kernel_at_least(b"garbage", 5, 8));
    }
}
