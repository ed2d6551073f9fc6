//! Opening a namespace by its 64-bit ID (`nsenter --net=:ID`), on kernels that can and cannot
//! do it by ID alone.
//!
//! Since Linux 6.18 every namespace has an ID ([`crate::nsfs::ns_id`]) and nsfs file handles
//! (`FILEID_NSFS`: `u64 ns_id; u32 ns_type; u32 ns_inum`). A handle that carries only the ID
//! opens back on 6.19 and later; 6.18 answers ESTALE unless the type and inode number are
//! there too, which a caller that knows only the ID does not have. So [`open_by_id`] tries the
//! ID-only handle first and otherwise looks for the namespace where namespaces are visible
//! (the discovery `lsns` does: processes, their open nsfs descriptors, nsfs bind mounts, and
//! the owner and parent namespaces of each found), opens the candidate and keeps it only when
//! `NS_GET_ID` on the opened descriptor is the ID asked for. What is returned is therefore
//! pinned: it is that namespace, whatever happened to the path it was found through.
//!
//! On kernels that have `listns(2)` (6.19), which also open ID-only handles, the handle's
//! answer is final (the oracle's `nsenter --net=:ID` gets the same errno there); the search
//! runs only where the kernel cannot open by ID alone. A candidate is recognised by what it is
//! (its `stat(2)` gives nsfs's device), not by its link's text, which for a descriptor opened
//! through a bind mount is that mount's path, or `/` once the mount is detached.
//!
//! # Example
//!
//! ```
//! use nscore::{byid, nsfs, NsId};
//! use std::fs::File;
//!
//! let net = File::open("/proc/self/ns/net").unwrap();
//! let Ok(id) = nsfs::ns_id(&net) else {
//!     return; // before Linux 6.18 namespaces have no ID
//! };
//! // By a file handle that carries only the ID (6.19), else by a search as lsns's.
//! let again = byid::open_by_id(id).unwrap();
//! assert_eq!(NsId::from_fd(&again).unwrap(), NsId::from_fd(&net).unwrap());
//! ```

use std::collections::HashSet;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use rustix::fs::{openat, Dir, Mode, OFlags, CWD};
use rustix::io::Errno;

use crate::kind::NsKind;
use crate::nsfs;

/// `FILEID_NSFS` (`<linux/exportfs.h>`, Linux 6.18): the handle type of nsfs files.
pub const FILEID_NSFS: i32 = 0xf1;

/// `FD_NSFS_ROOT` (`<linux/fcntl.h>`, Linux 6.18): the mount descriptor that stands for nsfs
/// in `open_by_handle_at(2)`.
pub const FD_NSFS_ROOT: i32 = -10003;

/// `AT_HANDLE_FID` (`<linux/fcntl.h>`, Linux 6.5): a handle for identification.
const AT_HANDLE_FID: i32 = 0x200;

/// The body of an nsfs file handle (`struct nsfs_file_handle`, `<linux/nsfs.h>`, Linux 6.18).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsHandle {
    /// The namespace's ID (`NS_GET_ID`).
    pub ns_id: u64,
    /// Its `CLONE_NEW*` flag; 0 when unknown.
    pub ns_type: u32,
    /// Its inode number; 0 when unknown.
    pub ns_inum: u32,
}

/// `struct file_handle` with room for an nsfs handle (and any other up to `MAX_HANDLE_SZ`).
#[repr(C)]
struct FileHandle {
    handle_bytes: u32,
    handle_type: i32,
    f_handle: [u8; 128],
}

impl FileHandle {
    fn nsfs(h: &NsHandle) -> FileHandle {
        let mut f_handle = [0u8; 128];
        f_handle[..8].copy_from_slice(&h.ns_id.to_ne_bytes());
        f_handle[8..12].copy_from_slice(&h.ns_type.to_ne_bytes());
        f_handle[12..16].copy_from_slice(&h.ns_inum.to_ne_bytes());
        FileHandle {
            handle_bytes: 16,
            handle_type: FILEID_NSFS,
            f_handle,
        }
    }
}

fn last_errno() -> Errno {
    Errno::from_raw_os_error(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

/// `name_to_handle_at(fd, "", &handle, &mount_id, AT_EMPTY_PATH | AT_HANDLE_FID)`: the nsfs file
/// handle of the namespace `fd` refers to (Linux 6.18, `<linux/nsfs.h>`). EOPNOTSUPP or EINVAL
/// before 6.18 or for a file that is not a namespace (which may also give a handle of another
/// type: EINVAL then). See name_to_handle_at(2).
#[doc(alias = "name_to_handle_at")]
pub fn handle_of(fd: impl AsFd) -> Result<NsHandle, Errno> {
    let mut fh = FileHandle {
        handle_bytes: 128,
        handle_type: 0,
        f_handle: [0; 128],
    };
    let mut mount_id: libc::c_int = 0;
    // SAFETY: the path is a static NUL-terminated string, `fh` is a live struct whose
    // `handle_bytes` says how much room follows, and `mount_id` is a live int; the descriptor is
    // borrowed for the call.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_name_to_handle_at,
            fd.as_fd().as_raw_fd(),
            c"".as_ptr(),
            &mut fh as *mut FileHandle,
            &mut mount_id as *mut libc::c_int,
            libc::AT_EMPTY_PATH | AT_HANDLE_FID,
        )
    };
    if ret < 0 {
        return Err(last_errno());
    }
    if fh.handle_type != FILEID_NSFS || fh.handle_bytes < 16 {
        return Err(Errno::INVAL);
    }
    let b = &fh.f_handle;
    let u32_at = |i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    Ok(NsHandle {
        ns_id: u64::from(u32_at(0)) | (u64::from(u32_at(4)) << 32),
        ns_type: u32_at(8),
        ns_inum: u32_at(12),
    })
}

/// `open_by_handle_at(FD_NSFS_ROOT, &handle, O_RDONLY | O_CLOEXEC)`: open the namespace an nsfs
/// handle names (Linux 6.18, `<linux/fcntl.h>`, `<linux/nsfs.h>`). On 6.18 a handle with only
/// `ns_id` set gives ESTALE; 6.19 opens it. ESTALE also when no such namespace is alive. See
/// open_by_handle_at(2).
#[doc(alias = "open_by_handle_at")]
pub fn open_handle(h: &NsHandle) -> Result<OwnedFd, Errno> {
    let mut fh = FileHandle::nsfs(h);
    // SAFETY: `fh` is a live, fully initialised `struct file_handle` with `handle_bytes` = 16
    // valid bytes; the kernel only reads it. FD_NSFS_ROOT is a sentinel, not a descriptor.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_by_handle_at,
            FD_NSFS_ROOT,
            &mut fh as *mut FileHandle,
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    if ret < 0 {
        return Err(last_errno());
    }
    // SAFETY: on success the kernel returned a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as i32) })
}

/// Open the namespace whose ID is `id` (any kind), read-only and close-on-exec.
///
/// First `open_by_handle_at(2)` with an ID-only nsfs handle (Linux 6.19+); where the kernel
/// refuses that (6.18: ESTALE), a search of the namespaces visible to the caller: every
/// process's `/proc/PID/ns/*` (with `pid_for_children` and `time_for_children`), the nsfs
/// descriptors processes hold open, the nsfs bind mounts in our mount namespace, and the owner
/// and parent namespaces of each of those. A candidate is opened by path and kept only when
/// `NS_GET_ID` on the opened descriptor equals `id`, so the result cannot be another namespace.
/// ESTALE when nothing matches (what the kernel says for an unknown ID). Not found: a namespace
/// only a socket or a non-leader thread holds, one in another mount namespace's bind mount, and
/// any the caller may not open. On kernels with `listns(2)` (6.19) the search is not made:
/// the ID-only handle's errno is returned, as those kernels open every live namespace by ID.
pub fn open_by_id(id: u64) -> Result<OwnedFd, Errno> {
    let direct = NsHandle {
        ns_id: id,
        ns_type: 0,
        ns_inum: 0,
    };
    let direct = open_handle(&direct);
    if let Ok(fd) = &direct {
        if nsfs::ns_id(fd).ok() == Some(id) {
            return direct;
        }
    }
    // Kernels with listns(2) (6.19) open any live namespace by its ID alone: their answer is
    // final, as it is for util-linux there (ESTALE for an ID no live namespace has, EPERM for
    // one the caller may not open).
    if crate::listns::supported() {
        return match direct {
            Ok(_) => Err(Errno::STALE),
            Err(e) => Err(e),
        };
    }
    Search::new(id).run().ok_or(Errno::STALE)
}

/// The search of [`open_by_id`]: inodes already looked at, and namespaces still to expand.
struct Search {
    id: u64,
    seen: HashSet<u64>,
    /// `st_dev` of nsfs ([`nsfs::device`]).
    nsfs_dev: Option<u64>,
}

impl Search {
    fn new(id: u64) -> Search {
        Search {
            id,
            seen: HashSet::new(),
            nsfs_dev: nsfs::device(),
        }
    }

    fn run(mut self) -> Option<OwnedFd> {
        if let Some(fd) = self.process(b"self") {
            return Some(fd);
        }
        let pids = Dir::read_from(
            openat(
                CWD,
                "/proc",
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok()?,
        )
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_bytes();
            crate::proc::parse_pid(name).map(|_| name.to_vec())
        })
        .collect::<Vec<_>>();
        for pid in &pids {
            if let Some(fd) = self.process(pid) {
                return Some(fd);
            }
        }
        for pid in &pids {
            if let Some(fd) = self.fds(pid) {
                return Some(fd);
            }
        }
        self.mounts()
    }

    /// `/proc/PID/ns/*` of one process (`self` or a PID).
    fn process(&mut self, pid: &[u8]) -> Option<OwnedFd> {
        let pid = String::from_utf8_lossy(pid);
        let entries = NsKind::ALL.iter().map(|k| k.proc_entry()).chain([
            NsKind::Pid.proc_entry_for_children(),
            NsKind::Time.proc_entry_for_children(),
        ]);
        for rel in entries {
            let path = format!("/proc/{pid}/{}", rel.to_string_lossy());
            if let Some(fd) = self.candidate(&path) {
                return Some(fd);
            }
        }
        None
    }

    /// The nsfs descriptors process `pid` holds open (`/proc/PID/fd/N` -> `KIND:[INO]`).
    fn fds(&mut self, pid: &[u8]) -> Option<OwnedFd> {
        let pid = String::from_utf8_lossy(pid);
        let dir = openat(
            CWD,
            format!("/proc/{pid}/fd").as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()?;
        let names: Vec<Vec<u8>> = Dir::read_from(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_bytes().to_vec())
            .filter(|n| n.iter().all(u8::is_ascii_digit) && !n.is_empty())
            .collect();
        for n in names {
            let path = format!("/proc/{pid}/fd/{}", String::from_utf8_lossy(&n));
            if let Some(fd) = self.candidate(&path) {
                return Some(fd);
            }
        }
        None
    }

    /// nsfs bind mounts in our mount namespace.
    fn mounts(&mut self) -> Option<OwnedFd> {
        let mounts = crate::mount::read_mountinfo().ok()?;
        for m in mounts.iter().filter(|m| m.fstype == b"nsfs") {
            let path = String::from_utf8_lossy(&m.target).into_owned();
            if let Some(fd) = self.candidate(&path) {
                return Some(fd);
            }
        }
        None
    }

    /// One path that may name a namespace: skipped unless it is a namespace file now (its
    /// `stat(2)` through the link or mount gives nsfs's device) with an inode not seen yet;
    /// then opened, checked, and expanded. What the file is decides, not the link's text: an
    /// nsfs descriptor opened through a bind mount reads as that path, or as `/` once the
    /// mount is detached (`ip netns delete`), and still holds the namespace.
    fn candidate(&mut self, path: &str) -> Option<OwnedFd> {
        let st = rustix::fs::stat(path).ok()?;
        if self.nsfs_dev != Some(st.st_dev) || self.seen.contains(&st.st_ino) {
            return None;
        }
        // The fd may be closed and its number reused, the mount gone, since the stat: only a
        // namespace file is opened, never a FIFO or a device that took its place.
        let fd = nsfs::open_if_nsfs(CWD, path).ok().flatten()?;
        self.check(fd)
    }

    /// Is `fd` the namespace sought (or one of its owners or parents)?
    fn check(&mut self, fd: OwnedFd) -> Option<OwnedFd> {
        let mut queue = vec![fd];
        while let Some(fd) = queue.pop() {
            let Ok(st) = rustix::fs::fstat(&fd) else {
                continue;
            };
            if !self.seen.insert(st.st_ino) {
                continue;
            }
            match nsfs::ns_id(&fd) {
                Ok(id) if id == self.id => return Some(fd),
                Ok(_) => {}
                Err(_) => continue,
            }
            queue.extend(nsfs::owner_user_ns(&fd).ok());
            queue.extend(nsfs::parent_ns(&fd).ok());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(kind: NsKind) -> Option<std::fs::File> {
        std::fs::File::open(format!("/proc/self/ns/{kind}")).ok()
    }

    #[test]
    fn handles_carry_the_id_and_open_back_in_full() {
        for kind in NsKind::ALL {
            let Some(f) = own(kind) else { continue };
            let Ok(id) = nsfs::ns_id(&f) else { return }; // before 6.18
            let h = handle_of(&f).unwrap();
            assert_eq!(h.ns_id, id, "{kind}");
            assert_eq!(h.ns_type, kind.clone_flag(), "{kind}");
            let back = open_handle(&h).unwrap();
            assert_eq!(nsfs::ns_id(&back).unwrap(), id, "{kind}");
        }
    }

    #[test]
    fn every_own_namespace_opens_by_id() {
        for kind in NsKind::ALL {
            let Some(f) = own(kind) else { continue };
            let Ok(id) = nsfs::ns_id(&f) else { return };
            let fd = open_by_id(id).unwrap();
            let (a, b) = (
                rustix::fs::fstat(&fd).unwrap(),
                rustix::fs::fstat(&f).unwrap(),
            );
            assert_eq!(a.st_ino, b.st_ino, "{kind}");
        }
    }

    #[test]
    fn unknown_ids_are_stale() {
        assert_eq!(open_by_id(u64::MAX).err(), Some(Errno::STALE));
    }
}
