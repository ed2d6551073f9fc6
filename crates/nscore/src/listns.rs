//! The kernel's own list of namespaces: `listns(2)` (Linux 6.19).
//!
//! Before 6.19 the only way to find namespaces was to look where they are used: every
//! process's `/proc/PID/ns/*`, the nsfs descriptors processes hold, the nsfs bind mounts of
//! our mount namespace ([`crate::scan`]). That misses a namespace that only a non-leader
//! thread uses, or that only a descriptor or a bind mount in another mount namespace holds.
//! `listns(2)` returns the 64-bit IDs ([`crate::nsfs::ns_id`]) of every active namespace the
//! caller may see, in ascending order; an ID then opens by an nsfs file handle that carries the
//! ID alone ([`crate::byid::open_handle`], also 6.19).
//!
//! Kernels without the call (and seccomp filters that refuse it) answer ENOSYS; that, and
//! EPERM from a filter, is [`Listed::Unsupported`], so callers keep their older discovery.
//! Kernels that have it also give the initial namespaces fixed IDs ([`INITIAL_IDS`]). Only a
//! caller privileged in the initial user and PID namespaces is shown every namespace; anyone
//! else sees their own.
//!
//! # Example
//!
//! ```
//! use nscore::listns::{self, Listed};
//! use nscore::kind::{NsKind, NsKinds};
//!
//! let mut kinds = NsKinds::default();
//! kinds.insert(NsKind::Uts);
//! match listns::list(kinds).unwrap() {
//!     // Each ID opens by an ID-only handle: nscore::byid::open_by_id(id).
//!     Listed::Ids(ids) => assert!(ids.windows(2).all(|w| w[0] < w[1])),
//!     Listed::Unsupported => {} // before Linux 6.19: look in /proc (nscore::scan)
//! }
//! ```

use rustix::io::Errno;

use crate::kind::{NsKind, NsKinds};

/// The system call number of `listns` (`__NR_listns`, `<asm-generic/unistd.h>`, Linux 6.19):
/// 470 on every architecture that shares the generic numbering of new calls (x86_64, i386,
/// arm, arm64, riscv, loongarch, powerpc, s390). Elsewhere (alpha, mips) none is used and the
/// call is reported as missing.
const SYS_LISTNS: Option<libc::c_long> = if cfg!(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "loongarch64",
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "s390x"
)) {
    Some(470)
} else {
    None
};

/// `NS_ID_REQ_SIZE_VER0` (`<linux/nsfs.h>`): the size of the first `struct ns_id_req`.
pub const NS_ID_REQ_SIZE_VER0: u32 = 32;

/// `struct ns_id_req` (`<linux/nsfs.h>`, Linux 6.19), the request of `listns(2)`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct NsIdReq {
    /// `sizeof(struct ns_id_req)`: [`NS_ID_REQ_SIZE_VER0`].
    size: u32,
    spare: u32,
    /// List IDs greater than this one (0: from the start).
    ns_id: u64,
    /// A mask of `CLONE_NEW*` flags (0: every kind).
    ns_type: u32,
    spare2: u32,
    /// Only namespaces owned by this user namespace (0: any; `LISTNS_CURRENT_USER`: ours).
    user_ns_id: u64,
}

/// The fixed IDs of the initial namespaces (`enum init_ns_id`, `<linux/nsfs.h>`), which
/// kernels with `listns(2)` give them: ipc 1, uts 2, user 3, pid 4, cgroup 5, time 6, net 7,
/// mnt 8.
pub const INITIAL_IDS: [(NsKind, u64); 8] = [
    (NsKind::Ipc, 1),
    (NsKind::Uts, 2),
    (NsKind::User, 3),
    (NsKind::Pid, 4),
    (NsKind::Cgroup, 5),
    (NsKind::Time, 6),
    (NsKind::Net, 7),
    (NsKind::Mnt, 8),
];

/// What `listns(2)` gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listed {
    /// The IDs, ascending.
    Ids(Vec<u64>),
    /// The kernel has no `listns(2)` (before 6.19), or a seccomp filter refuses it (ENOSYS,
    /// or EPERM as some container runtimes answer for calls they do not know).
    Unsupported,
}

/// One call: `listns(&req, out, out.len(), 0)` for the kinds in `kinds` (none: all) with IDs
/// above `after`; returns how many IDs were written. See listns(2).
#[doc(alias = "listns")]
pub fn listns_page(kinds: NsKinds, after: u64, out: &mut [u64]) -> Result<usize, Errno> {
    let Some(nr) = SYS_LISTNS else {
        return Err(Errno::NOSYS);
    };
    let req = NsIdReq {
        size: NS_ID_REQ_SIZE_VER0,
        ns_id: after,
        ns_type: kinds.0,
        ..NsIdReq::default()
    };
    // SAFETY: `req` is a live, fully initialised `struct ns_id_req` of the size it declares,
    // which the kernel only reads; `out` is a live buffer of `out.len()` u64s that the kernel
    // writes at most that many IDs into; flags are 0. The call takes no descriptor.
    let ret = unsafe {
        libc::syscall(
            nr,
            &req as *const NsIdReq,
            out.as_mut_ptr(),
            out.len(),
            0 as libc::c_uint,
        )
    };
    if ret < 0 {
        return Err(Errno::from_raw_os_error(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        ));
    }
    Ok((ret as usize).min(out.len()))
}

/// Every namespace ID of the kinds in `kinds` (empty: all) that the kernel shows the caller,
/// ascending, in pages of 256 IDs. [`Listed::Unsupported`] on kernels (or under filters)
/// without `listns(2)`; EINTR is retried; any other failure is returned.
pub fn list(kinds: NsKinds) -> Result<Listed, Errno> {
    let mut ids = Vec::new();
    let mut page = [0u64; 256];
    let mut after = 0;
    loop {
        let n = match listns_page(kinds, after, &mut page) {
            Ok(n) => n,
            Err(Errno::INTR) => continue,
            Err(Errno::NOSYS | Errno::PERM) if ids.is_empty() => return Ok(Listed::Unsupported),
            Err(e) => return Err(e),
        };
        ids.extend_from_slice(&page[..n]);
        match page[..n].last() {
            // A short page is the last one; an ID not above the last one would loop.
            Some(&last) if n == page.len() && last > after => after = last,
            _ => break,
        }
    }
    Ok(Listed::Ids(ids))
}

/// Whether this kernel answers `listns(2)` (and so opens ID-only nsfs handles): one call for
/// a single ID.
pub fn supported() -> bool {
    let mut one = [0u64; 1];
    loop {
        match listns_page(NsKinds::default(), 0, &mut one) {
            Err(Errno::INTR) => continue,
            Err(Errno::NOSYS | Errno::PERM) => return false,
            _ => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_has_the_published_size() {
        assert_eq!(std::mem::size_of::<NsIdReq>(), NS_ID_REQ_SIZE_VER0 as usize);
        assert_eq!(std::mem::offset_of!(NsIdReq, ns_id), 8);
        assert_eq!(std::mem::offset_of!(NsIdReq, ns_type), 16);
        assert_eq!(std::mem::offset_of!(NsIdReq, user_ns_id), 24);
    }

    #[test]
    fn initial_ids_cover_every_kind_once() {
        for k in NsKind::ALL {
            assert_eq!(
                INITIAL_IDS.iter().filter(|(x, _)| *x == k).count(),
                1,
                "{k}"
            );
        }
    }

    /// On kernels without the call this is the fallback; with it, the IDs ascend and our own
    /// namespaces are among them (root sees every namespace).
    #[test]
    fn list_is_unsupported_or_ascending() {
        match list(NsKinds::default()).unwrap() {
            Listed::Unsupported => assert!(!supported()),
            Listed::Ids(ids) => {
                assert!(supported());
                assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
                if rustix::process::geteuid().is_root() {
                    let f = std::fs::File::open("/proc/self/ns/uts").unwrap();
                    let id = crate::nsfs::ns_id(&f).unwrap();
                    assert!(ids.contains(&id), "own uts {id} not in {ids:?}");
                }
            }
        }
    }
}
