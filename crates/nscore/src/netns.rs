//! Named network namespaces: the registry `ip netns` keeps under `/run/netns`, see ip-netns(8).
//!
//! A name is a file in [`RUN_DIR`] with the namespace's nsfs inode bind-mounted over it. The run
//! dir itself is made a shared mount point once (under a `flock(2)`), so a bind made in one mount
//! namespace shows up in the others and an unmount anywhere frees the namespace everywhere.
//!
//! Everything here returns the bare errno (or a step + errno); `netns-rs` words the failures as
//! iproute2 does, because scripts match those messages.
//!
//! Creating a namespace moves the *calling process* into it for a moment (`unshare(2)`, bind
//! `/proc/self/ns/net`, then `setns(2)` back): call [`create`] only while single-threaded, as
//! `/proc/self` names the thread-group leader.
//!
//! # Example
//!
//! ```
//! use nscore::netns::{entry_path, invalid_name, RunDir};
//! use std::path::Path;
//!
//! assert!(invalid_name(b"a/b") && invalid_name(b"..") && invalid_name(b""));
//! assert!(!invalid_name(b"blue"));
//! assert_eq!(entry_path("blue".as_ref()), Path::new("/run/netns/blue"));
//!
//! // The named network namespaces, as `ip netns list` finds them (none without /run/netns).
//! if let Ok(dir) = RunDir::open() {
//!     for name in dir.names().unwrap() {
//!         println!("{}", name.to_string_lossy());
//!     }
//! }
//! ```

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, FlockOperation, Mode, OFlags, StatVfsMountFlags};
use rustix::io::Errno;
use rustix::mount::MountFlags;

use crate::id::NsId;
use crate::kind::{NsKind, NsKinds};
use crate::mount::{self as mnt, Propagation};

/// Where the names live: Debian's and Ubuntu's `NETNS_RUN_DIR` (upstream builds `/var/run/netns`,
/// a symlink to the same place on every current distribution).
pub const RUN_DIR: &str = "/run/netns";

/// Per-namespace configuration: each entry of `/etc/netns/NAME/` is bound over `/etc/ENTRY` by
/// [`switch`].
pub const ETC_DIR: &str = "/etc/netns";

/// The longest valid name, in bytes (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// iproute2's `invalid_name()`: empty, longer than [`NAME_MAX`] bytes, containing `/`, or `.` or
/// `..`. Anything else (spaces, a leading `-`, newlines, non-UTF-8) is a valid name.
pub fn invalid_name(name: &[u8]) -> bool {
    name.is_empty()
        || name.len() > NAME_MAX
        || name.contains(&b'/')
        || name == b"."
        || name == b".."
}

/// `RUN_DIR/NAME`.
pub fn entry_path(name: &OsStr) -> PathBuf {
    let mut p = Vec::with_capacity(RUN_DIR.len() + 1 + name.len());
    p.extend_from_slice(RUN_DIR.as_bytes());
    p.push(b'/');
    p.extend_from_slice(name.as_bytes());
    PathBuf::from(OsString::from_vec(p))
}

/// How a namespace file is opened: `O_RDONLY | O_CLOEXEC`, plus `O_NONBLOCK | O_NOCTTY` so that
/// a FIFO (or a device) put where a name should be never blocks the open (ip's plain open waits
/// forever for a FIFO's writer); the kernel then refuses the fd as it refuses any non-namespace.
const NS_OPEN: OFlags = OFlags::RDONLY
    .union(OFlags::CLOEXEC)
    .union(OFlags::NONBLOCK)
    .union(OFlags::NOCTTY);

/// `open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)`: never blocks, even on a FIFO.
/// See open(2).
#[doc(alias = "open")]
pub fn open_path(path: &Path) -> Result<OwnedFd, Errno> {
    rustix::fs::open(path, NS_OPEN, Mode::empty())
}

/// Open a name as iproute2's `netns_get_fd()` does: a word containing `/` is a path, anything
/// else is `RUN_DIR/NAME`.
pub fn open_name_or_path(name: &OsStr) -> Result<OwnedFd, Errno> {
    if name.as_bytes().contains(&b'/') {
        open_path(Path::new(name))
    } else {
        open_path(&entry_path(name))
    }
}

/// Make `file` the process's standard input (`dup2(file, 0)`), as iproute2's batch mode does
/// with its file (`freopen(FILE, "r", stdin)`): the two share one file offset, and the programs
/// `exec` runs in batch mode inherit it as their standard input. See dup(2).
#[doc(alias = "dup2")]
pub fn make_stdin(file: impl AsFd) -> Result<(), Errno> {
    use std::os::fd::AsRawFd;
    let raw = file.as_fd().as_raw_fd();
    if raw == 0 {
        // Opened as fd 0 (standard input was closed): keep it across exec.
        return rustix::io::fcntl_setfd(file, rustix::io::FdFlags::empty());
    }
    // SAFETY: dup2 takes two descriptor numbers and touches no memory; `raw` is open for the
    // call (borrowed), and replacing descriptor 0 is the point: nothing in this process holds
    // fd 0 as an owned Rust handle that would close it later.
    let ret = unsafe { libc::dup2(raw, 0) };
    if ret < 0 {
        let e = std::io::Error::last_os_error();
        return Err(Errno::from_io_error(&e).unwrap_or(Errno::IO));
    }
    Ok(())
}

/// The run dir opened once, so per-entry opens and stats are relative to it (`openat(2)`).
pub struct RunDir {
    fd: OwnedFd,
}

impl RunDir {
    /// Open [`RUN_DIR`] as a directory; ENOENT when no name was ever created.
    pub fn open() -> Result<RunDir, Errno> {
        let fd = rustix::fs::open(
            RUN_DIR,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(RunDir { fd })
    }

    /// The entries, in readdir order (unsorted, as `ip netns list` prints them), without `.`
    /// and `..`.
    #[doc(alias = "readdir")]
    pub fn names(&self) -> Result<Vec<OsString>, Errno> {
        let mut dir = rustix::fs::Dir::read_from(&self.fd)?;
        let mut out = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            out.push(OsString::from_vec(name.to_vec()));
        }
        Ok(out)
    }

    /// `openat(rundir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)`: the namespace file
    /// (following its mount); never blocks, even on a FIFO.
    pub fn open_entry(&self, name: &OsStr) -> Result<OwnedFd, Errno> {
        rustix::fs::openat(&self.fd, name, NS_OPEN, Mode::empty())
    }

    /// `fstatat(rundir, name, 0)`: the identity an entry resolves to (following the bind mount
    /// and symlinks, as iproute2's `stat()` does).
    pub fn entry_id(&self, name: &OsStr) -> Result<NsId, Errno> {
        rustix::fs::statat(&self.fd, name, rustix::fs::AtFlags::empty())
            .map(|st| NsId::from_stat(&st))
    }
}

/// `mkdir(RUN_DIR, 0755)`; an existing directory is fine. See mkdir(2).
#[doc(alias = "mkdir")]
pub fn make_run_dir() -> Result<(), Errno> {
    match rustix::fs::mkdir(RUN_DIR, Mode::from_raw_mode(0o755)) {
        Ok(()) | Err(Errno::EXIST) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The step of [`share_run_dir`] that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunDirStep {
    /// Opening the run dir for the lock.
    Open,
    /// `mount --make-rshared RUN_DIR`.
    MakeShared,
    /// `mount --rbind RUN_DIR RUN_DIR`.
    Bind,
    /// `mount --make-rprivate RUN_DIR` (iproute2 7.0).
    MakePrivate,
}

/// An exclusive `flock(2)` on [`RUN_DIR`], released when dropped (its descriptor closes).
///
/// iproute2 takes this lock only while it sets up the shared mount; netns-rs holds it for the
/// whole of an `add`, `attach` or `delete`, so two netns-rs runs never interleave their steps on
/// one name (stacked mounts, a cleanup that removes another run's namespace). A bind mount of
/// the dir onto itself is the same inode, so the lock is the same before and after the setup.
pub struct RunDirLock {
    _fd: OwnedFd,
}

/// Open [`RUN_DIR`] and take its exclusive lock. A failed `flock` (not the open) is handed to
/// `flock_failed` and the lock is then held in name only, as iproute2 goes on without it.
pub fn lock_run_dir(
    flock_failed: &mut dyn FnMut(Errno),
) -> Result<RunDirLock, (RunDirStep, Errno)> {
    let fd = rustix::fs::open(
        RUN_DIR,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| (RunDirStep::Open, e))?;
    loop {
        match rustix::fs::flock(&fd, FlockOperation::LockExclusive) {
            Err(Errno::INTR) => continue,
            Err(e) => flock_failed(e),
            Ok(()) => {}
        }
        break;
    }
    Ok(RunDirLock { _fd: fd })
}

/// Make [`RUN_DIR`] a shared mount point, once, as iproute2 7.x does (under the caller's
/// [`RunDirLock`]): try `MS_SHARED | MS_REC`; when the dir is not a mount point yet (EINVAL),
/// bind it onto itself (`MS_BIND | MS_REC`), make that recursively private (so it gets a peer
/// group of its own even when `/run` is shared) and try again. See mount_namespaces(7).
pub fn share_run_dir(_lock: &RunDirLock) -> Result<(), (RunDirStep, Errno)> {
    let dir = Path::new(RUN_DIR);
    let mut made_mount = false;
    loop {
        match mnt::set_propagation(dir, Propagation::Shared, true) {
            Ok(()) => break Ok(()),
            Err(Errno::INVAL) if !made_mount => {}
            Err(e) => break Err((RunDirStep::MakeShared, e)),
        }
        if let Err(e) = mnt::bind_recursive(dir, dir) {
            break Err((RunDirStep::Bind, e));
        }
        if let Err(e) = mnt::set_propagation(dir, Propagation::Private, true) {
            break Err((RunDirStep::MakePrivate, e));
        }
        made_mount = true;
    }
}

/// `open(path, O_RDONLY | O_CREAT | O_EXCL, 0)`: the mode-0 placeholder a namespace is bound
/// onto; EEXIST when the name is taken. The descriptor is what [`create`], [`attach`] and
/// [`remove_placeholder`] work on, so they touch this very file even if the name has been
/// deleted and made again by someone else meanwhile. See open(2).
pub fn create_placeholder(path: &Path) -> Result<OwnedFd, Errno> {
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// `/proc/self/fd/N` for an open placeholder: a mount onto it lands on that very file (the
/// kernel refuses with ENOENT once the file is unlinked), never on a newer file of that name.
fn fd_target(placeholder: &OwnedFd) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", placeholder.as_raw_fd()))
}

/// Undo a failed [`create`] or [`attach`]: unmount and unlink `path`, but only while it still
/// is the file `placeholder` refers to (same device and inode), so a name that a concurrent
/// run deleted and made again is left alone. When the bind itself succeeded (a later step
/// failed), `bound` is the namespace this run mounted there: a mount of exactly that namespace
/// is taken off first, and the file under it is then checked the same way. Returns the
/// unlink's failure; a file that is no longer ours counts as removed.
pub fn remove_placeholder(
    path: &Path,
    placeholder: &OwnedFd,
    bound: Option<NsId>,
) -> Result<(), Errno> {
    let ours = rustix::fs::fstat(placeholder)?;
    let seen = || rustix::fs::statat(rustix::fs::CWD, path, rustix::fs::AtFlags::SYMLINK_NOFOLLOW);
    let mut st = match seen() {
        Ok(st) => st,
        Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(e),
    };
    if bound.is_some_and(|ns| NsId::from_stat(&st) == ns) {
        let _ = mnt::unmount(path, true, true);
        st = match seen() {
            Ok(st) => st,
            Err(Errno::NOENT) => return Ok(()),
            Err(e) => return Err(e),
        };
    }
    if st.st_dev == ours.st_dev && st.st_ino == ours.st_ino {
        remove(path, false)
    } else {
        Ok(())
    }
}

/// The step of [`create`] that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateStep {
    /// Opening `/proc/self/ns/net` to come back to.
    Save,
    /// `unshare(CLONE_NEWNET)`.
    Unshare,
    /// Binding `/proc/self/ns/net` onto the placeholder.
    Bind,
    /// `setns(2)` back into the caller's namespace.
    Restore,
}

/// Where [`create`] binds the new namespace from.
pub const SELF_NET: &str = "/proc/self/ns/net";

/// Create a network namespace and bind it onto the open `placeholder` (see
/// [`create_placeholder`]), leaving the caller where it was: save `/proc/self/ns/net`,
/// `unshare(CLONE_NEWNET)`, bind [`SELF_NET`] onto the placeholder, `setns(2)` back. On failure
/// the caller is back in its own namespace too (unless restoring is what failed).
/// Single-threaded callers only. See network_namespaces(7).
pub fn create(placeholder: &OwnedFd) -> Result<(), (CreateStep, Errno)> {
    let saved = open_path(Path::new(SELF_NET)).map_err(|e| (CreateStep::Save, e))?;
    if let Err(e) = crate::create::unshare(NsKinds(NsKind::Net.clone_flag())) {
        return Err((CreateStep::Unshare, e));
    }
    let bound =
        mnt::bind(Path::new(SELF_NET), &fd_target(placeholder)).map_err(|e| (CreateStep::Bind, e));
    crate::enter::setns(&saved, Some(NsKind::Net)).map_err(|e| (CreateStep::Restore, e))?;
    bound
}

/// `/proc/PID/ns/net`.
pub fn pid_net_path(pid: i32) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/ns/net"))
}

/// Bind a namespace file (`/proc/PID/ns/net`) onto the open placeholder (`MS_BIND`). See
/// mount(2).
pub fn attach(source: &Path, placeholder: &OwnedFd) -> Result<(), Errno> {
    mnt::bind(source, &fd_target(placeholder))
}

/// Forget a name: `umount2(path, MNT_DETACH [| UMOUNT_NOFOLLOW])` with its result ignored, then
/// `unlink(2)`; only the unlink's failure is returned. iproute2 follows symlinks
/// (`follow = true`), which unmounts whatever a symlinked name points to (Docker's or CNI's own
/// bind mount); `follow = false` only ever unmounts the entry itself.
///
/// When the unlink fails after the unmount took a namespace off the name and no other mount
/// still covers it, that namespace is bound back (from a descriptor opened before the unmount),
/// so a failed removal leaves the name as it was; iproute2 leaves a placeholder whose namespace
/// is gone.
pub fn remove(path: &Path, follow: bool) -> Result<(), Errno> {
    let held = open_path(path)
        .ok()
        .filter(|fd| crate::nsfs::ns_kind(fd).is_ok());
    let unmounted = mnt::unmount(path, true, !follow).is_ok();
    let result = rustix::fs::unlink(path);
    if let (Err(e), Some(ns), true) = (result, &held, unmounted) {
        // ENOENT: someone else removed it. Another mount may still cover the name (EBUSY with
        // stacked mounts): it then still names a namespace, and a repeated delete takes the
        // mounts off one by one, as with ip.
        let still_named = || {
            open_path(path)
                .ok()
                .is_some_and(|fd| crate::nsfs::ns_kind(&fd).is_ok())
        };
        if e != Errno::NOENT && !still_named() {
            use std::os::fd::AsRawFd;
            let source = PathBuf::from(format!("/proc/self/fd/{}", ns.as_raw_fd()));
            let _ = mnt::bind(&source, path);
        }
    }
    result
}

/// The step of [`switch`] that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchStep {
    /// Opening `RUN_DIR/NAME`.
    Open,
    /// `setns(fd, CLONE_NEWNET)`.
    Setns,
    /// `unshare(CLONE_NEWNS)`.
    Unshare,
    /// `mount --make-rslave /`.
    Rslave,
    /// Mounting the namespace's sysfs on `/sys`.
    MountSys,
}

/// The environment `ip netns exec` gives a program (iproute2 `netns_switch()`): enter the
/// namespace `RUN_DIR/NAME`, take a private mount namespace whose `/` is a recursive slave,
/// replace `/sys` with a sysfs of the new namespace (read-only when the old one could not be
/// unmounted and was read-only), and bind each entry of `/etc/netns/NAME/` over `/etc/ENTRY`.
/// A failed `/etc` bind only goes to `etc_failed(source, target, errno)`.
pub fn switch(
    name: &OsStr,
    etc_failed: &mut dyn FnMut(&Path, &Path, Errno),
) -> Result<(), (SwitchStep, Errno)> {
    let fd = open_path(&entry_path(name)).map_err(|e| (SwitchStep::Open, e))?;
    crate::enter::setns(&fd, Some(NsKind::Net)).map_err(|e| (SwitchStep::Setns, e))?;
    drop(fd);
    crate::create::unshare(NsKinds(NsKind::Mnt.clone_flag()))
        .map_err(|e| (SwitchStep::Unshare, e))?;
    mnt::set_propagation(Path::new("/"), Propagation::Slave, true)
        .map_err(|e| (SwitchStep::Rslave, e))?;
    let sys = Path::new("/sys");
    let mut flags = MountFlags::empty();
    if mnt::unmount(sys, true, false).is_err() {
        if let Ok(st) = rustix::fs::statvfs(sys) {
            if st.f_flag.contains(StatVfsMountFlags::RDONLY) {
                flags |= MountFlags::RDONLY;
            }
        }
    }
    // The source string is the name, so mountinfo shows which namespace /sys describes.
    let source = name.to_string_lossy();
    mnt::mount_fs(&source, sys, "sysfs", flags, None).map_err(|e| (SwitchStep::MountSys, e))?;
    bind_etc(name, etc_failed);
    Ok(())
}

fn bind_etc(name: &OsStr, etc_failed: &mut dyn FnMut(&Path, &Path, Errno)) {
    if name.len() >= NAME_MAX {
        return;
    }
    let mut dir = PathBuf::from(ETC_DIR);
    dir.push(name);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let source = dir.join(&file);
        let target = Path::new("/etc").join(&file);
        if let Err(e) = mnt::bind(&source, &target) {
            etc_failed(&source, &target, e);
        }
    }
}

/// Whether an opened run-dir entry is a stale placeholder: a mode-0 regular file that is not
/// a namespace (its bind mount was made in a mount namespace that is gone, or was unmounted
/// behind our back). A live name is an nsfs inode (mode 0444).
pub fn is_stale_placeholder(fd: impl AsFd) -> bool {
    match rustix::fs::fstat(fd) {
        Ok(st) => {
            FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
                && st.st_mode & 0o7777 == 0
                && st.st_size == 0
        }
        Err(_) => false,
    }
}

/// PIDs (thread-group leaders, in `/proc` readdir order) whose `/proc/PID/ns/net` is the
/// namespace `id`. Processes that cannot be examined are skipped.
pub fn pids_in(id: NsId) -> crate::Result<Vec<i32>> {
    let proc = crate::proc::ProcFs::open()?;
    let mut out = Vec::new();
    for pid in proc.pids()? {
        let mut buf = [0u8; 24];
        let path = pid_ns_rel(&mut buf, pid);
        if let Ok(st) = rustix::fs::statat(proc.fd(), path, rustix::fs::AtFlags::empty()) {
            if NsId::from_stat(&st) == id {
                out.push(pid);
            }
        }
    }
    Ok(out)
}

/// `PID/ns/net` as a C string in `buf`, without allocating.
fn pid_ns_rel(buf: &mut [u8; 24], pid: i32) -> &std::ffi::CStr {
    let digits = pid.unsigned_abs().to_string();
    let mut i = 0;
    for b in digits.bytes().chain(*b"/ns/net\0") {
        if i < buf.len() {
            buf[i] = b;
            i += 1;
        }
    }
    std::ffi::CStr::from_bytes_until_nul(&buf[..]).unwrap_or(c"self/ns/net")
}

/// What [`Monitor`] saw happen to the run dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorEvent {
    /// An entry was created (the placeholder, before its bind mount).
    Add(OsString),
    /// An entry was removed.
    Delete(OsString),
}

/// The step of [`Monitor::start`] that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorStep {
    /// `inotify_init(2)`.
    Init,
    /// Creating the run dir.
    Mkdir,
    /// `inotify_add_watch(2)`.
    Watch,
}

/// An inotify watch (`IN_CREATE | IN_DELETE`) on [`RUN_DIR`]. See inotify(7).
pub struct Monitor {
    fd: OwnedFd,
    buf: Vec<std::mem::MaybeUninit<u8>>,
}

impl Monitor {
    /// `inotify_init`, create the run dir if missing, and watch it.
    pub fn start() -> Result<Monitor, (MonitorStep, Errno)> {
        use rustix::fs::inotify;
        let fd =
            inotify::init(inotify::CreateFlags::CLOEXEC).map_err(|e| (MonitorStep::Init, e))?;
        make_run_dir().map_err(|e| (MonitorStep::Mkdir, e))?;
        inotify::add_watch(
            &fd,
            RUN_DIR,
            inotify::WatchFlags::CREATE | inotify::WatchFlags::DELETE,
        )
        .map_err(|e| (MonitorStep::Watch, e))?;
        Ok(Monitor {
            fd,
            buf: vec![std::mem::MaybeUninit::uninit(); 4096],
        })
    }

    /// Block until events arrive and return them in order (one `read(2)`).
    pub fn next_events(&mut self) -> Result<Vec<MonitorEvent>, Errno> {
        use rustix::fs::inotify::{ReadFlags, Reader};
        let mut reader = Reader::new(&self.fd, &mut self.buf);
        let mut out = Vec::new();
        loop {
            let ev = match reader.next() {
                Ok(ev) => ev,
                Err(Errno::INTR) if out.is_empty() => continue,
                Err(e) if out.is_empty() => return Err(e),
                Err(_) => break,
            };
            let name = ev
                .file_name()
                .map(|n| OsString::from_vec(n.to_bytes().to_vec()))
                .unwrap_or_default();
            if ev.events().contains(ReadFlags::CREATE) {
                out.push(MonitorEvent::Add(name.clone()));
            }
            if ev.events().contains(ReadFlags::DELETE) {
                out.push(MonitorEvent::Delete(name));
            }
            if reader.is_buffer_empty() {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_as_iproute2_does() {
        assert!(invalid_name(b""));
        assert!(invalid_name(b"."));
        assert!(invalid_name(b".."));
        assert!(invalid_name(b"a/b"));
        assert!(invalid_name(&[b'x'; 256]));
        assert!(!invalid_name(&[b'x'; 255]));
        assert!(!invalid_name(b"..."));
        assert!(!invalid_name(b"-x"));
        assert!(!invalid_name(b"a b\n"));
        assert!(!invalid_name(b"\xff"));
    }

    #[test]
    fn paths() {
        assert_eq!(entry_path(OsStr::new("x")), Path::new("/run/netns/x"));
        let mut buf = [0u8; 24];
        assert_eq!(pid_ns_rel(&mut buf, 1234).to_bytes(), b"1234/ns/net");
    }
}
