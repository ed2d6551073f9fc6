//! Credentials and process context set just before exec: groups, gid, uid, capabilities,
//! root and working directory — the tail end of both `unshare` and `nsenter`.
//!
//! rustix's id setters change only the calling thread; nsutils tools are single-threaded, so
//! that is the whole process (see the crate rules).
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, ChildStatus};
//! use nscore::creds;
//!
//! let (uid, _gid) = creds::effective_ids();
//! assert_eq!(uid, creds::real_uid()); // nothing here is set-user-ID
//!
//! // nsenter's --wd: change directory through a descriptor (in a child: the cwd is per process).
//! let status = run_in_child(|| {
//!     let Ok(root) = std::fs::File::open("/") else { return 1 };
//!     if creds::fchdir(&root).is_err() {
//!         return 2;
//!     }
//!     match std::env::current_dir() {
//!         Ok(d) if d == std::path::Path::new("/") => 0,
//!         _ => 3,
//!     }
//! })
//! .unwrap();
//! assert_eq!(status, ChildStatus::Exited(0));
//! ```

use std::os::fd::AsFd;
use std::path::Path;

use rustix::io::Errno;
use rustix::process::{Gid, Uid};
use rustix::thread::{CapabilitySet, CapabilitySets};

/// `setgroups(0, NULL)`: drop all supplementary groups. See setgroups(2).
pub fn drop_groups() -> Result<(), Errno> {
    rustix::thread::set_thread_groups(&[])
}

/// `setgid(gid)`. See setgid(2). `gid` 4294967295 (`(gid_t)-1`) fails with EINVAL, as the
/// kernel answers it (rustix refuses to even build that value).
pub fn setgid(gid: u32) -> Result<(), Errno> {
    if gid == u32::MAX {
        return Err(Errno::INVAL);
    }
    rustix::thread::set_thread_gid(Gid::from_raw(gid))
}

/// `setuid(uid)`. See setuid(2). `uid` 4294967295 fails with EINVAL, as the kernel answers it.
pub fn setuid(uid: u32) -> Result<(), Errno> {
    if uid == u32::MAX {
        return Err(Errno::INVAL);
    }
    rustix::thread::set_thread_uid(Uid::from_raw(uid))
}

/// The effective uid and gid of the calling process.
pub fn effective_ids() -> (u32, u32) {
    (
        rustix::process::geteuid().as_raw(),
        rustix::process::getegid().as_raw(),
    )
}

/// The real uid of the calling process.
pub fn real_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// `chroot(dir)`. See chroot(2).
pub fn chroot(dir: &Path) -> Result<(), Errno> {
    rustix::process::chroot(dir)
}

/// `chdir(dir)`. See chdir(2).
pub fn chdir(dir: &Path) -> Result<(), Errno> {
    rustix::process::chdir(dir)
}

/// `fchdir(fd)`. See fchdir(2).
pub fn fchdir(fd: impl AsFd) -> Result<(), Errno> {
    rustix::process::fchdir(fd)
}

/// `prctl(PR_SET_PDEATHSIG, sig)`: the signal this process gets when its parent dies.
/// Real-time signals (which rustix has no names for) are accepted too, as the kernel does.
pub fn set_parent_death_signal(sig: i32) -> Result<(), Errno> {
    let signal = match rustix::process::Signal::from_named_raw(sig) {
        Some(s) => s,
        None if (libc::SIGRTMIN()..=libc::SIGRTMAX()).contains(&sig) => {
            // SAFETY: sig is a valid, non-zero signal number (a real-time one), and the value is
            // only handed to the kernel as the parent-death signal: it sends, blocks or handles
            // nothing in this process.
            unsafe { rustix::process::Signal::from_raw_unchecked(sig) }
        }
        None => return Err(Errno::INVAL),
    };
    rustix::process::set_parent_process_death_signal(Some(signal))
}

/// util-linux's `--keep-caps`: copy the permitted set into the inheritable set, then raise every
/// capability of the bounding range into the ambient set, so they survive exec as a non-root user.
/// Returns which step failed as util-linux words it (`capget failed`, `capset failed`,
/// `prctl(PR_CAP_AMBIENT) failed`).
pub fn keep_capabilities() -> Result<(), (&'static str, Errno)> {
    let sets: CapabilitySets =
        rustix::thread::capabilities(None).map_err(|e| ("capget failed", e))?;
    let new = CapabilitySets {
        effective: sets.effective,
        permitted: sets.permitted,
        inheritable: sets.permitted,
    };
    rustix::thread::set_capabilities(None, new).map_err(|e| ("capset failed", e))?;
    for bit in 0..64u32 {
        let cap = CapabilitySet::from_bits_retain(1u64 << bit);
        if !sets.permitted.contains(cap) {
            continue;
        }
        rustix::thread::configure_capability_in_ambient_set(cap, true)
            .map_err(|e| ("prctl(PR_CAP_AMBIENT) failed", e))?;
    }
    Ok(())
}
