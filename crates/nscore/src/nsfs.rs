//! The nsfs ioctls: from a namespace file descriptor to its owner, parent, kind, owner uid and ID.
//!
//! rustix does not wrap these (see ioctl_ns(2)), so this file holds the crate's ioctl calls, each a
//! one-line `unsafe` block. ENOTTY (and ENOSYS) mean the kernel predates the ioctl and come back as
//! [`Error::IoctlUnsupported`], which `lsns` turns into exit status 2.
//!
//! # Example
//!
//! ```
//! use nscore::kind::NsKind;
//! use nscore::{nsfs, Error};
//! use std::fs::File;
//!
//! let net = File::open("/proc/self/ns/net").unwrap();
//! assert_eq!(nsfs::ns_kind(&net).unwrap(), NsKind::Net);
//!
//! // Its owning user namespace; EPERM when that is beyond our reach (inside a container).
//! if let Ok(owner) = nsfs::owner_user_ns(&net) {
//!     assert_eq!(nsfs::ns_kind(&owner).unwrap(), NsKind::User);
//!     println!("created by uid {}", nsfs::owner_uid(&owner).unwrap());
//! }
//! // The 64-bit ID, on Linux 6.18 and later.
//! match nsfs::ns_id(&net) {
//!     Ok(id) => println!("net namespace ID {id}"),
//!     Err(Error::IoctlUnsupported { .. }) => println!("this kernel has no NS_GET_ID"),
//!     Err(e) => panic!("{e}"),
//! }
//! // Only a namespace file is opened for the ioctls.
//! let status = nsfs::open_if_nsfs(rustix::fs::CWD, "/proc/self/status").unwrap();
//! assert!(status.is_none());
//! ```

use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use rustix::io::Errno;

use crate::error::{Error, Result};
use crate::kind::NsKind;

const NSIO: u32 = 0xb7;
/// `_IO(NSIO, 0x1)`: the owning user namespace.
const NS_GET_USERNS: u32 = (NSIO << 8) | 0x1;
/// `_IO(NSIO, 0x2)`: the parent namespace (pid and user namespaces only).
const NS_GET_PARENT: u32 = (NSIO << 8) | 0x2;
/// `_IO(NSIO, 0x3)`: the namespace's `CLONE_NEW*` type.
const NS_GET_NSTYPE: u32 = (NSIO << 8) | 0x3;
/// `_IO(NSIO, 0x4)`: the owner uid of a user namespace (written through the argument).
const NS_GET_OWNER_UID: u32 = (NSIO << 8) | 0x4;
/// `_IOR(NSIO, 13, __u64)`: the namespace's 64-bit ID (Linux 6.18, `<linux/nsfs.h>`).
const NS_GET_ID: u32 = (2 << 30) | (8 << 16) | (NSIO << 8) | 13;
/// `SIOCGSKNS`: the network namespace of a socket.
const SIOCGSKNS: u32 = 0x894C;

/// `NSFS_MAGIC` from `<linux/magic.h>`: `statfs(2)`'s `f_type` of namespace files.
const NSFS_MAGIC: u64 = 0x6e73_6673;

/// Open `path` (relative to `dir`) for the nsfs ioctls only if it is a namespace file now;
/// `Ok(None)` when it is anything else.
///
/// For paths that named a namespace a moment ago and may not any more: another process's
/// `/proc/PID/fd/N` (the fd closed and its number reused) or an nsfs mount point (unmounted
/// since mountinfo was read). Opening whatever is there now could hang (a FIFO without a
/// writer), have side effects (a device), or make the ioctls fail with ENOTTY, which reads as
/// a kernel without them. So the path is opened with `O_PATH` first, which opens nothing,
/// checked with `fstatfs(2)` (`f_type == NSFS_MAGIC`), and only a namespace file is opened
/// again for reading, through `/proc/self/fd`, the very file checked.
#[doc(alias = "fstatfs")]
pub fn open_if_nsfs<P: rustix::path::Arg>(
    dir: impl AsFd,
    path: P,
) -> std::result::Result<Option<OwnedFd>, Errno> {
    use rustix::fs::{openat, Mode, OFlags, CWD};
    let pinned = openat(dir, path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())?;
    if !rustix::fs::fstatfs(&pinned).is_ok_and(|st| st.f_type as u64 == NSFS_MAGIC) {
        return Ok(None);
    }
    let again = format!("/proc/self/fd/{}", pinned.as_raw_fd());
    openat(
        CWD,
        again.as_str(),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map(Some)
}

/// `st_dev` of nsfs: one superblock holds every namespace file, so a file is a namespace
/// exactly when `stat(2)` gives this device. Taken from our own `/proc/self/ns/*` (the first
/// kind that can be looked at); `None` when none can.
#[doc(alias = "stat")]
pub fn device() -> Option<u64> {
    NsKind::ALL.iter().find_map(|k| {
        let path = format!("/proc/self/ns/{}", k.name());
        rustix::fs::stat(path.as_str()).ok().map(|st| st.st_dev)
    })
}

fn fail(name: &'static str, errno: Errno) -> Error {
    match errno {
        Errno::NOTTY | Errno::NOSYS => Error::IoctlUnsupported { name, errno },
        _ => Error::Ioctl { name, errno },
    }
}

/// Run an ioctl that returns a new file descriptor.
fn fd_ioctl(fd: impl AsFd, request: u32, name: &'static str) -> Result<OwnedFd> {
    let raw = fd.as_fd().as_raw_fd();
    // SAFETY: these requests take no argument (passed as 0, never stack garbage) and return a
    // new descriptor or -1; `raw` is a valid open descriptor for the duration of the call
    // because we hold a borrow of it.
    let ret = unsafe { libc::ioctl(raw, request as _, 0 as libc::c_ulong) };
    if ret < 0 {
        return Err(fail(name, Errno::from_raw_os_error(last_errno())));
    }
    // SAFETY: on success the kernel returned a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(ret) })
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// `ioctl(fd, NS_GET_USERNS)`: the user namespace that owns the namespace `fd` refers to.
///
/// EPERM when that user namespace is outside the caller's reach. See ioctl_ns(2).
#[doc(alias = "NS_GET_USERNS")]
pub fn owner_user_ns(fd: impl AsFd) -> Result<OwnedFd> {
    fd_ioctl(fd, NS_GET_USERNS, "NS_GET_USERNS")
}

/// `ioctl(fd, NS_GET_PARENT)`: the parent of a pid or user namespace.
///
/// EPERM at the top of the caller's reach; EINVAL for kinds that have no hierarchy. See ioctl_ns(2).
#[doc(alias = "NS_GET_PARENT")]
pub fn parent_ns(fd: impl AsFd) -> Result<OwnedFd> {
    fd_ioctl(fd, NS_GET_PARENT, "NS_GET_PARENT")
}

/// `ioctl(fd, NS_GET_NSTYPE)`: the kind of namespace `fd` refers to. See ioctl_ns(2).
#[doc(alias = "NS_GET_NSTYPE")]
pub fn ns_kind(fd: impl AsFd) -> Result<NsKind> {
    let raw = fd.as_fd().as_raw_fd();
    // SAFETY: NS_GET_NSTYPE takes no argument (passed as 0) and returns a flag value or -1;
    // `raw` is borrowed.
    let ret = unsafe { libc::ioctl(raw, NS_GET_NSTYPE as _, 0 as libc::c_ulong) };
    if ret < 0 {
        return Err(fail(
            "NS_GET_NSTYPE",
            Errno::from_raw_os_error(last_errno()),
        ));
    }
    NsKind::from_clone_flag(ret as u32).ok_or(Error::Ioctl {
        name: "NS_GET_NSTYPE",
        errno: Errno::INVAL,
    })
}

/// `ioctl(fd, NS_GET_OWNER_UID)`: the uid (in the caller's user namespace) of the creator of the
/// user namespace `fd` refers to. EINVAL for other kinds. See ioctl_ns(2).
#[doc(alias = "NS_GET_OWNER_UID")]
pub fn owner_uid(fd: impl AsFd) -> Result<u32> {
    let raw = fd.as_fd().as_raw_fd();
    let mut uid: libc::uid_t = 0;
    // SAFETY: NS_GET_OWNER_UID writes one uid_t through the pointer, which points at a live local.
    let ret = unsafe { libc::ioctl(raw, NS_GET_OWNER_UID as _, &mut uid as *mut libc::uid_t) };
    if ret < 0 {
        return Err(fail(
            "NS_GET_OWNER_UID",
            Errno::from_raw_os_error(last_errno()),
        ));
    }
    Ok(uid)
}

/// `ioctl(fd, NS_GET_ID, &u64)`: the 64-bit ID the kernel gave the namespace `fd` refers to.
///
/// Unique for the life of the system (never reused, unlike inode numbers) and the same ID that
/// an nsfs file handle carries and a network namespace's `SO_NETNS_COOKIE` reports. Added in
/// Linux 6.18 (`<linux/nsfs.h>`); older kernels answer ENOTTY, returned as
/// [`Error::IoctlUnsupported`]. See ioctl_nsfs(2).
#[doc(alias = "NS_GET_ID")]
pub fn ns_id(fd: impl AsFd) -> Result<u64> {
    let raw = fd.as_fd().as_raw_fd();
    let mut id: u64 = 0;
    // SAFETY: NS_GET_ID writes one __u64 through the pointer, which points at a live local.
    let ret = unsafe { libc::ioctl(raw, NS_GET_ID as _, &mut id as *mut u64) };
    if ret < 0 {
        return Err(fail("NS_GET_ID", Errno::from_raw_os_error(last_errno())));
    }
    Ok(id)
}

/// `ioctl(sock, SIOCGSKNS)`: a new descriptor for the network namespace of socket `sock`.
#[doc(alias = "SIOCGSKNS")]
pub fn socket_net_ns(sock: impl AsFd) -> Result<OwnedFd> {
    fd_ioctl(sock, SIOCGSKNS, "SIOCGSKNS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_match_the_kernel_headers() {
        // Values printed by a C program including <linux/nsfs.h> and <linux/sockios.h>.
        assert_eq!(NS_GET_USERNS, 0xb701);
        assert_eq!(NS_GET_PARENT, 0xb702);
        assert_eq!(NS_GET_NSTYPE, 0xb703);
        assert_eq!(NS_GET_OWNER_UID, 0xb704);
        assert_eq!(NS_GET_ID, 0x8008_b70d);
        assert_eq!(SIOCGSKNS, 0x894c);
    }

    #[test]
    fn own_namespaces_have_their_kinds() {
        for kind in NsKind::ALL {
            let path = format!("/proc/self/ns/{kind}");
            let Ok(f) = std::fs::File::open(&path) else {
                continue;
            };
            assert_eq!(ns_kind(&f).unwrap(), kind, "{path}");
        }
    }

    #[test]
    fn namespace_ids_are_distinct_per_kind() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in NsKind::ALL {
            let Ok(f) = std::fs::File::open(format!("/proc/self/ns/{kind}")) else {
                continue;
            };
            match ns_id(&f) {
                Ok(id) => assert!(seen.insert(id), "{kind}: id {id} seen twice"),
                Err(Error::IoctlUnsupported { .. }) => return, // before Linux 6.18
                Err(e) => panic!("{kind}: {e}"),
            }
        }
    }

    #[test]
    fn every_namespace_file_is_on_the_nsfs_device() {
        let dev = device().expect("nsfs device");
        for kind in NsKind::ALL {
            if let Ok(st) = rustix::fs::stat(format!("/proc/self/ns/{kind}").as_str()) {
                assert_eq!(st.st_dev, dev, "{kind}");
            }
        }
        let st = rustix::fs::stat("/proc/self/stat").unwrap();
        assert_ne!(st.st_dev, dev);
    }

    #[test]
    fn a_regular_file_is_not_a_namespace() {
        let f = std::fs::File::open("/proc/self/stat").unwrap();
        assert!(matches!(ns_kind(&f), Err(Error::IoctlUnsupported { .. })));
    }
}
