//! Discovering every namespace on the system: the namespaces of processes, those held only by
//! open file descriptors (nsfs fds and, for network namespaces, sockets), and those kept alive by
//! nsfs bind mounts (persistent namespaces), as util-linux `lsns` 2.42 finds them.
//!
//! Why it is shaped like this: `lsns` on a busy host spends its time in `/proc`. The walk here
//! reads `/proc` once, opens each `/proc/PID` directory once and does every per-process read
//! relative to that directory fd ([`ProcDir`]), keys everything by inode in hash maps, and does
//! per-*namespace* work (the nsfs ioctls, the netlink nsid query) once per namespace, when it is
//! first seen, and only when the caller asked for it ([`ScanRequest`]). Processes that exit
//! half-way are skipped, never reported.
//!
//! The set of namespaces matches util-linux's, including one of its quirks: a namespace found
//! through an fd or a mount brings its owner and parent namespaces along (recursively, as long as
//! their kind is wanted), and during the process walk "already known" means "already found
//! through an fd", because util-linux assigns processes to namespaces only after the walk.
//!
//! # Example
//!
//! ```
//! use nscore::kind::NsKind;
//! use nscore::mount::read_mountinfo;
//! use nscore::scan::{scan, ScanRequest};
//! use nscore::{Error, NsId};
//!
//! let request = ScanRequest { uid: true, ..ScanRequest::default() };
//! let found = match scan(request, &read_mountinfo().unwrap()) {
//!     Ok(found) => found,
//!     Err(Error::IoctlUnsupported { .. }) => return, // a kernel without the nsfs ioctls
//!     Err(e) => panic!("{e}"),
//! };
//! let mine = NsId::from_path("/proc/self/ns/net").unwrap().ino;
//! let ns = found.get(mine).expect("our own network namespace");
//! assert_eq!(ns.kind, NsKind::Net);
//! assert!(ns.nprocs >= 1);
//! ```

use crate::map::Map;
use std::ffi::CStr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{openat, readlinkat, statat, AtFlags, Dir, FileType, Mode, OFlags, CWD};

use crate::error::{Error, Result};
use crate::id::{NsId, NsLink};
use crate::kind::{NsKind, NsKinds};
use crate::mount::MountInfo;
use crate::nsfs;
use crate::nsid::NsidSocket;
use crate::proc::{ProcDir, ProcFs};
use rustix::io::Errno;

/// What the caller needs, so the walk reads nothing more.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanRequest {
    /// The kinds to look at (`lsns -t`); empty means all.
    pub kinds: NsKinds,
    /// Read each process's PPID (`/proc/PID/stat`).
    pub ppid: bool,
    /// Read each process's UID (`fstat` of `/proc/PID`).
    pub uid: bool,
    /// Look up parent and owner namespaces (`NS_GET_PARENT`, `NS_GET_USERNS`) of process
    /// namespaces. Namespaces found through fds and mounts always get them, as in util-linux.
    pub related: bool,
    /// Ask rtnetlink for the nsid of each network namespace (one socket, one query per netns).
    pub netnsid: bool,
    /// Ask each namespace for its 64-bit ID ([`nsfs::ns_id`], Linux 6.18).
    pub id: bool,
    /// Also ask the kernel for its own list (`listns(2)`, Linux 6.19) and add the namespaces
    /// the walk cannot see (used only by a non-leader thread, held only in another mount
    /// namespace). Without the call this does nothing.
    pub listns: bool,
}

/// A process as the walk saw it.
#[derive(Clone, Debug)]
pub struct Proc {
    /// Its PID.
    pub pid: i32,
    /// Its parent's PID (0 when not requested or unknown).
    pub ppid: i32,
    /// The owner of `/proc/PID` (0 when not requested).
    pub uid: u32,
    /// The inode of its namespace of each kind, indexed like [`NsKind::ALL`]; 0 when not read.
    pub ns: [u64; 8],
}

impl Proc {
    /// The inode of this process's namespace of `kind` (0: not read or not visible).
    pub fn ns_of(&self, kind: NsKind) -> u64 {
        self.ns[kind_index(kind)]
    }
}

/// The position of `kind` in [`NsKind::ALL`].
pub fn kind_index(kind: NsKind) -> usize {
    NsKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// One namespace.
#[derive(Clone, Debug)]
pub struct Namespace {
    /// Its inode (util-linux's NS column).
    pub ino: u64,
    /// Its kind.
    pub kind: NsKind,
    /// How many processes are in it.
    pub nprocs: u32,
    /// The process with the lowest PID in it (an index into [`Scan::procs`]).
    pub rep: Option<usize>,
    /// The inode of its parent namespace (pid and user namespaces), 0 if none or not looked up.
    pub parent: u64,
    /// The inode of its owning user namespace, 0 if out of reach or not looked up.
    pub owner: u64,
    /// `NS_GET_OWNER_UID` for namespaces found without a process (0 when it does not apply).
    pub owner_uid: u32,
    /// The nsid: `None` not asked or not obtainable, `Some(None)` unassigned, `Some(Some(n))`.
    pub netnsid: Option<Option<i32>>,
    /// The 64-bit ID (`NS_GET_ID`): `None` when not asked or the kernel has no such ioctl.
    pub id: Option<u64>,
}

/// The result of a walk.
#[derive(Default)]
pub struct Scan {
    /// Every process seen, in `/proc` order.
    pub procs: Vec<Proc>,
    /// Every namespace found, sorted by inode.
    pub namespaces: Vec<Namespace>,
    /// Inode → index into [`Scan::namespaces`].
    pub index: Map<u64, usize>,
    /// nsfs mount points by the namespace inode their root names (`net:[INO]`), in mountinfo
    /// order, without duplicates; only mounts whose root kind matches the namespace's are kept.
    pub nsfs_mounts: Map<u64, Vec<Vec<u8>>>,
}

impl Scan {
    /// The namespace with inode `ino`.
    pub fn get(&self, ino: u64) -> Option<&Namespace> {
        self.index.get(&ino).map(|&i| &self.namespaces[i])
    }
}

/// What a worker learned about one process.
struct Record {
    proc: Proc,
    /// Facts of namespaces this worker met first in this process.
    facts: Vec<(u64, Facts)>,
    /// nsfs fds: (fd number, namespace inode), whatever their link reads.
    held: Vec<(u64, u64)>,
    /// Sockets: (fd number, inode of their network namespace).
    sockets: Vec<(u64, u64)>,
}

/// Read every process in `pids`, on a few threads when there are many (reading `/proc` is
/// nearly all kernel time, and it scales with cores). The tool changes no namespace or
/// credential, so worker threads are safe here. Results keep the order of `pids`.
fn walk(
    procfs: &ProcFs,
    pids: &[i32],
    req: ScanRequest,
    kinds: NsKinds,
    nsfs_dev: Option<u64>,
) -> Result<Vec<Option<Record>>> {
    let threads = if pids.len() < 512 {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
    };
    let run = |t: usize| -> Result<Vec<(usize, Record)>> {
        let mut worker = Worker {
            req,
            kinds,
            nsfs_dev,
            nsid: None,
            nsid_tried: false,
            seen: Map::default(),
            link_buf: Vec::with_capacity(64),
            fd_nums: Vec::new(),
            buf: Vec::with_capacity(1024),
            socket_ns: Map::default(),
        };
        let mut out = Vec::with_capacity(pids.len() / threads + 1);
        for (i, &pid) in pids.iter().enumerate().skip(t).step_by(threads) {
            // Ok(None): the process vanished or may not be looked at; any other failure to
            // read /proc ends the walk (a partial table would pass for the whole truth).
            if let Some(r) = worker.read_process(procfs, pid)? {
                out.push((i, r));
            }
        }
        Ok(out)
    };
    let parts: Vec<Result<Vec<(usize, Record)>>> = if threads == 1 {
        vec![run(0)]
    } else {
        std::thread::scope(|sc| {
            // A thread that cannot be started (RLIMIT_NPROC, a pids cgroup limit, no address
            // space for its stack) leaves its share to this thread: fewer threads, same walk.
            let mut handles = Vec::new();
            let mut mine = vec![0];
            for t in 1..threads {
                match std::thread::Builder::new().spawn_scoped(sc, move || run(t)) {
                    Ok(h) => handles.push(h),
                    Err(_) => mine.push(t),
                }
            }
            let mut v: Vec<_> = mine.into_iter().map(run).collect();
            for h in handles {
                v.push(
                    h.join()
                        .unwrap_or_else(|_| Err(Error::msg("worker thread failed"))),
                );
            }
            v
        })
    };
    let mut records: Vec<Option<Record>> = Vec::with_capacity(pids.len());
    records.resize_with(pids.len(), || None);
    for part in parts {
        for (i, r) in part? {
            records[i] = Some(r);
        }
    }
    Ok(records)
}

/// One thread's reader state.
struct Worker {
    req: ScanRequest,
    kinds: NsKinds,
    /// `st_dev` of nsfs, where every namespace file lives (`None`: unknown, no fd is one).
    nsfs_dev: Option<u64>,
    nsid: Option<NsidSocket>,
    nsid_tried: bool,
    /// Namespaces whose facts this worker already looked up.
    seen: Map<u64, ()>,
    link_buf: Vec<u8>,
    fd_nums: Vec<u64>,
    buf: Vec<u8>,
    /// Socket inode → inode of its network namespace.
    socket_ns: Map<u64, u64>,
}

/// Per-namespace facts gathered once, when a namespace is first met.
#[derive(Clone, Copy, Default)]
struct Facts {
    parent: u64,
    owner: u64,
    netnsid: Option<Option<i32>>,
    id: Option<u64>,
}

struct Walker {
    req: ScanRequest,
    kinds: NsKinds,
    nsid: Option<NsidSocket>,
    nsid_tried: bool,
    /// Namespaces found through fds, mounts and ioctls, in discovery order.
    found: Vec<Namespace>,
    found_index: Map<u64, usize>,
    /// Facts of process namespaces, by inode.
    facts: Map<u64, Facts>,
}

/// Walk `/proc` (once), the open fds of every process, and the nsfs mounts in `mounts`, and
/// return every namespace of the requested kinds. Fails only when `/proc` cannot be read or
/// the kernel lacks the nsfs ioctls ([`Error::IoctlUnsupported`]).
pub fn scan(req: ScanRequest, mounts: &[MountInfo]) -> Result<Scan> {
    let kinds = if req.kinds.is_empty() {
        NsKind::ALL.into_iter().collect()
    } else {
        req.kinds
    };
    let mut w = Walker {
        req,
        kinds,
        nsid: None,
        nsid_tried: false,
        found: Vec::new(),
        found_index: Map::default(),
        facts: Map::default(),
    };
    let procfs = ProcFs::open()?;
    let nsfs_dev = nsfs::device();
    let pids = procfs.pids()?;
    let records = walk(&procfs, &pids, req, kinds, nsfs_dev)?;

    // What the workers found, merged in /proc order, so "already known" means what it means
    // in util-linux's sequential walk.
    let mut procs = Vec::with_capacity(records.len());
    // Held namespaces of kinds not asked for (their kind is known only once opened).
    let mut unwanted: Map<u64, ()> = Map::default();
    for rec in records.into_iter().flatten() {
        for (ino, f) in rec.facts {
            w.facts.entry(ino).or_insert(f);
        }
        for &(num, ino) in &rec.held {
            if w.found_index.contains_key(&ino) || unwanted.contains_key(&ino) {
                continue;
            }
            let path = format!("{}/fd/{num}", rec.proc.pid);
            // The fd could be another file by now: the process may have closed it and opened
            // something else under its number (a FIFO, a device). Only a namespace is opened,
            // and then its own identity is trusted.
            let fd = match nsfs::open_if_nsfs(procfs.fd(), path.as_str()) {
                Ok(Some(fd)) => fd,
                Ok(None) => continue,
                Err(e) if skippable_errno(e) => continue,
                Err(e) => return Err(Error::open(format!("/proc/{path}"), e)),
            };
            if let Ok(id) = NsId::from_fd(&fd) {
                if w.add_from_fd(&fd, id.ino)?.is_none() {
                    unwanted.insert(id.ino, ());
                }
            }
        }
        if rec
            .sockets
            .iter()
            .any(|(_, ino)| !w.found_index.contains_key(ino))
        {
            let pidfd = rustix::process::Pid::from_raw(rec.proc.pid).and_then(|p| {
                rustix::process::pidfd_open(p, rustix::process::PidfdFlags::empty()).ok()
            });
            if let Some(pidfd) = pidfd {
                for &(num, ino) in &rec.sockets {
                    if !w.found_index.contains_key(&ino) {
                        w.add_from_socket(&pidfd, num)?;
                    }
                }
            }
        }
        procs.push(rec.proc);
    }

    // Assign processes to namespaces (after the walk, as util-linux does).
    let mut all = std::mem::take(&mut w.found);
    let mut index = std::mem::take(&mut w.found_index);
    for (pi, p) in procs.iter().enumerate() {
        for kind in kinds.iter() {
            let ino = p.ns_of(kind);
            if ino == 0 {
                continue;
            }
            let i = *index.entry(ino).or_insert_with(|| {
                let f = w.facts.get(&ino).copied().unwrap_or_default();
                all.push(Namespace {
                    ino,
                    kind,
                    nprocs: 0,
                    rep: None,
                    parent: f.parent,
                    owner: f.owner,
                    owner_uid: 0,
                    netnsid: f.netnsid,
                    id: f.id,
                });
                all.len() - 1
            });
            let ns = &mut all[i];
            ns.nprocs += 1;
            if ns.rep.is_none_or(|r| procs[r].pid > p.pid) {
                ns.rep = Some(pi);
            }
        }
    }
    w.found = all;
    w.found_index = index;

    // Persistent namespaces: nsfs bind mounts.
    let mut nsfs_mounts: Map<u64, Vec<Vec<u8>>> = Map::default();
    for m in mounts.iter().filter(|m| m.fstype == b"nsfs") {
        let Some(ino) = root_ino(&m.root) else {
            continue;
        };
        // The NSFS column wants roots that are exactly `KIND:[INO]`.
        if NsLink::parse(&m.root).is_ok() {
            let targets = nsfs_mounts.entry(ino).or_default();
            if !targets.contains(&m.target) {
                targets.push(m.target.clone());
            }
        }
        if w.found_index.contains_key(&ino) || m.target.is_empty() {
            continue;
        }
        // Unmounted meanwhile (what is under it now is no namespace), or a path we may not
        // open: as util-linux, pass over it.
        let fd = match nsfs::open_if_nsfs(CWD, m.target.as_slice()) {
            Ok(Some(fd)) => fd,
            Ok(None) => continue,
            Err(e) if skippable_errno(e) || e == rustix::io::Errno::NOTDIR => continue,
            Err(e) => {
                let path = std::ffi::OsStr::from_bytes(&m.target);
                return Err(Error::open(path, e));
            }
        };
        w.add_from_fd(&fd, ino)?;
    }

    // What the kernel lists and nothing above found (a namespace of a non-leader thread, one
    // held only in another mount namespace), in the kernel's order.
    if req.listns {
        w.add_listed()?;
    }

    let mut s = Scan {
        procs,
        namespaces: w.found,
        index: Map::default(),
        nsfs_mounts,
    };
    s.namespaces.sort_by_key(|n| n.ino);
    s.index = s
        .namespaces
        .iter()
        .enumerate()
        .map(|(i, n)| (n.ino, i))
        .collect();
    Ok(s)
}

/// The inode of a process's namespace of `kind`, from the text of its `ns/KIND` link; `None`
/// when the link is gone (the process exited, or the kernel lacks the kind) or forbidden.
fn ns_ino(dir: &ProcDir, kind: NsKind, buf: &mut Vec<u8>) -> Result<Option<u64>> {
    let target = match readlinkat(dir.fd(), kind.proc_entry(), std::mem::take(buf)) {
        Ok(t) => t,
        Err(e) if skippable_errno(e) => return Ok(None),
        Err(errno) => {
            return Err(Error::Read {
                path: dir_path(dir.pid(), &format!("ns/{kind}")),
                errno,
            })
        }
    };
    let ino = NsLink::parse(target.as_bytes())
        .ok()
        .filter(|l| l.kind == kind)
        .map(|l| l.ino);
    *buf = target.into_bytes();
    buf.clear();
    Ok(ino)
}

/// The namespace's 64-bit ID, `None` on kernels without `NS_GET_ID` (before Linux 6.18).
fn id_of(fd: impl AsFd) -> Result<Option<u64>> {
    match nsfs::ns_id(fd) {
        Ok(id) => Ok(Some(id)),
        Err(Error::IoctlUnsupported { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Errors a walk of `/proc` passes over, as util-linux does: the process or entry vanished
/// (ENOENT, ESRCH) or may not be looked at (EACCES, EPERM). Anything else (EMFILE, ENOMEM,
/// EIO, ...) means the walk cannot tell the whole truth and fails.
fn skippable_errno(errno: rustix::io::Errno) -> bool {
    use rustix::io::Errno;
    matches!(
        errno,
        Errno::NOENT | Errno::SRCH | Errno::ACCESS | Errno::PERM
    )
}

/// [`skippable_errno`] for an [`Error`].
fn skippable(e: &Error) -> bool {
    matches!(e, Error::Gone { .. } | Error::NotVisible { .. })
        || e.errno().is_some_and(skippable_errno)
}

/// `/proc/PID/REST`, for messages.
fn dir_path(pid: i32, rest: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("/proc/{pid}/{rest}"))
}

/// The PPID from `/proc/PID/stat`, in one read(2) (the line is far shorter than the buffer);
/// `None` when the process is gone.
fn read_ppid(dir: &ProcDir, buf: &mut Vec<u8>) -> Result<Option<i32>> {
    let path = || dir_path(dir.pid(), "stat");
    let fd = match openat(
        dir.fd(),
        c"stat",
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(e) if skippable_errno(e) => return Ok(None),
        Err(e) => return Err(Error::open(path(), e)),
    };
    buf.clear();
    buf.resize(4096, 0);
    let n = loop {
        match rustix::io::read(&fd, &mut buf[..]) {
            Ok(n) => break n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) if skippable_errno(e) => return Ok(None),
            Err(errno) => {
                return Err(Error::Read {
                    path: path(),
                    errno,
                })
            }
        }
    };
    buf.truncate(n);
    Ok(crate::proc::parse_stat_ppid(buf))
}

/// The inode in an nsfs mount root `TYPE:[INO]` (util-linux takes the digits after `[`).
fn root_ino(root: &[u8]) -> Option<u64> {
    let open = root.iter().position(|&b| b == b'[')?;
    let rest = &root[open + 1..];
    let close = rest.iter().position(|&b| b == b']')?;
    if close + 1 != rest.len() {
        return None;
    }
    crate::id::parse_u64_digits(&rest[..close])
}

/// Look up the parent (`NS_GET_PARENT`, pid and user only) of the namespace `fd` refers to:
/// `(inode, fd)`; EPERM and ENOSYS give `(0, None)`.
fn parent_of(fd: impl AsFd, kind: NsKind) -> Result<(u64, Option<OwnedFd>)> {
    if kind != NsKind::Pid && kind != NsKind::User {
        return Ok((0, None));
    }
    related(nsfs::parent_ns(fd))
}

/// Look up the owning user namespace (`NS_GET_USERNS`): `(inode, fd)`; EPERM gives `(0, None)`.
fn owner_of(fd: impl AsFd) -> Result<(u64, Option<OwnedFd>)> {
    related(nsfs::owner_user_ns(fd))
}

fn related(r: Result<OwnedFd>) -> Result<(u64, Option<OwnedFd>)> {
    match r {
        Ok(fd) => {
            let id = NsId::from_fd(&fd)?;
            Ok((id.ino, Some(fd)))
        }
        Err(Error::IoctlUnsupported { errno, .. }) if errno == rustix::io::Errno::NOSYS => {
            Ok((0, None))
        }
        Err(e @ Error::IoctlUnsupported { .. }) => Err(e),
        // The related namespace is outside our reach (EPERM), or there is none.
        Err(Error::Ioctl { errno, .. })
            if errno == rustix::io::Errno::PERM || errno == rustix::io::Errno::INVAL =>
        {
            Ok((0, None))
        }
        Err(e) => Err(e),
    }
}

impl Worker {
    fn netnsid_of(&mut self, fd: impl AsFd) -> Option<Option<i32>> {
        if !self.req.netnsid {
            return None;
        }
        if !self.nsid_tried {
            self.nsid_tried = true;
            self.nsid = NsidSocket::open(false).ok();
        }
        self.nsid.as_mut()?.get_by_fd(fd).ok()
    }

    /// Read one process; `Ok(None)` when it vanished or is not visible. Any other failure to
    /// read its `/proc` entries is an error.
    fn read_process(&mut self, procfs: &ProcFs, pid: i32) -> Result<Option<Record>> {
        let dir = match procfs.process(pid) {
            Ok(d) => d,
            Err(Error::Gone { .. } | Error::NotVisible { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let uid = if self.req.uid {
            match dir.uid() {
                Ok(u) => u,
                Err(e) if skippable(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        } else {
            0
        };
        let ppid = if self.req.ppid {
            match read_ppid(&dir, &mut self.buf)? {
                Some(p) => p,
                None => return Ok(None),
            }
        } else {
            0
        };
        let mut rec = Record {
            proc: Proc {
                pid,
                ppid,
                uid,
                ns: [0; 8],
            },
            facts: Vec::new(),
            held: Vec::new(),
            sockets: Vec::new(),
        };
        for kind in self.kinds.iter() {
            // A vanished process or an unreadable entry: util-linux skips it (EACCES, ENOENT).
            // readlink(2) gives the inode (`net:[4026531833]`) at about half the kernel cost
            // of stat(2), which has to materialise the nsfs dentry.
            let Some(ino) = ns_ino(&dir, kind, &mut self.link_buf)? else {
                continue;
            };
            rec.proc.ns[kind_index(kind)] = ino;
            if (self.req.related || self.req.id || (self.req.netnsid && kind == NsKind::Net))
                && self.seen.insert(ino, ()).is_none()
            {
                let f = self.process_ns_facts(&dir, kind)?;
                rec.facts.push((ino, f));
            }
        }
        self.read_fds(&dir, &mut rec)?;
        Ok(Some(rec))
    }

    /// Parent, owner and nsid of a process's namespace, through one open of `ns/KIND`.
    fn process_ns_facts(&mut self, dir: &ProcDir, kind: NsKind) -> Result<Facts> {
        let mut f = Facts::default();
        let fd = match dir.open_ns(kind) {
            Ok(fd) => fd,
            Err(e) if skippable(&e) => return Ok(f),
            Err(e) => return Err(e),
        };
        if self.req.related {
            f.parent = parent_of(&fd, kind)?.0;
            f.owner = owner_of(&fd)?.0;
        }
        if kind == NsKind::Net {
            f.netnsid = self.netnsid_of(&fd);
        }
        if self.req.id {
            f.id = id_of(&fd)?;
        }
        Ok(f)
    }

    /// The process's open fds that hold namespaces: nsfs fds, and sockets (their netns, found
    /// with `pidfd_getfd(2)` and `SIOCGSKNS`).
    fn read_fds(&mut self, dir: &ProcDir, rec: &mut Record) -> Result<()> {
        let fd_dir = || dir_path(dir.pid(), "fd");
        let fdd = match openat(
            dir.fd(),
            c"fd",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(e) if skippable_errno(e) => return Ok(()),
            Err(e) => return Err(Error::open(fd_dir(), e)),
        };
        // Dir::new takes the fd as it is (read_from would reopen it: two more syscalls).
        let mut entries = match Dir::new(fdd) {
            Ok(d) => d,
            Err(e) if skippable_errno(e) => return Ok(()),
            Err(e) => return Err(Error::open(fd_dir(), e)),
        };
        let mut nums = std::mem::take(&mut self.fd_nums);
        nums.clear();
        while let Some(entry) = entries.read() {
            let entry = match entry {
                Ok(e) => e,
                // The process exited while its fds were listed.
                Err(e) if skippable_errno(e) => break,
                Err(errno) => {
                    self.fd_nums = nums;
                    return Err(Error::Read {
                        path: fd_dir(),
                        errno,
                    });
                }
            };
            if let Some(num) = crate::id::parse_u64_digits(entry.file_name().to_bytes()) {
                nums.push(num);
            }
        }
        let Ok(fdd) = entries.fd() else {
            self.fd_nums = nums;
            return Ok(());
        };
        let mut pidfd: Option<Option<OwnedFd>> = None;
        let mut name = [0u8; 24];
        for &num in &nums {
            let name = crate::proc::decimal_cstr(&mut name, num);
            // What the fd is, not what its link reads: an nsfs file opened through a bind
            // mount reads as that mount's path (`/run/netns/x`), and as `/` once the mount is
            // detached (`ip netns delete`), yet it still holds the namespace. stat(2) through
            // the magic link names the file itself (and opens nothing: a FIFO cannot block).
            let st = match statat(fdd, name, AtFlags::empty()) {
                Ok(st) => st,
                // Closed meanwhile, or not ours to look at.
                Err(e) if skippable_errno(e) => continue,
                Err(errno) => {
                    self.fd_nums = nums;
                    return Err(Error::Stat {
                        path: dir_path(dir.pid(), &format!("fd/{num}")),
                        errno,
                    });
                }
            };
            if self.nsfs_dev == Some(st.st_dev) {
                // Its kind is asked when it is opened (after the walk).
                rec.held.push((num, st.st_ino));
            } else if FileType::from_raw_mode(st.st_mode) == FileType::Socket
                && self.kinds.contains(NsKind::Net)
            {
                let pfd = pidfd.get_or_insert_with(|| {
                    rustix::process::Pid::from_raw(dir.pid()).and_then(|p| {
                        rustix::process::pidfd_open(p, rustix::process::PidfdFlags::empty()).ok()
                    })
                });
                // Sockets shared by several processes (inherited over fork) are asked once.
                let sock_ino = st.st_ino;
                let cached = self.socket_ns.get(&sock_ino).copied();
                let ino = cached.or_else(|| pfd.as_ref().and_then(|p| socket_netns(p, num)));
                if let Some(ino) = ino {
                    if cached.is_none() {
                        self.socket_ns.insert(sock_ino, ino);
                    }
                    rec.sockets.push((num, ino));
                }
            }
        }
        self.fd_nums = nums;
        Ok(())
    }
}

/// The inode of the network namespace of another process's socket fd `num`.
fn socket_netns(pidfd: &OwnedFd, num: u64) -> Option<u64> {
    let target = i32::try_from(num).ok()?;
    let sock =
        rustix::process::pidfd_getfd(pidfd, target, rustix::process::PidfdGetfdFlags::empty())
            .ok()?;
    let nsfd = nsfs::socket_net_ns(&sock).ok()?;
    NsId::from_fd(&nsfd).ok().map(|id| id.ino)
}

impl Walker {
    /// Add every namespace `listns(2)` shows that the walk did not find: each ID is opened by
    /// its ID-only nsfs handle and then treated as a namespace found through an fd. An ID
    /// whose namespace died meanwhile (ESTALE) or that we may not open (EPERM, EACCES) is
    /// passed over: without a descriptor there is no inode to show. Kernels without the call
    /// (or filters refusing it) add nothing.
    fn add_listed(&mut self) -> Result<()> {
        let ids = match crate::listns::list(self.kinds) {
            Ok(crate::listns::Listed::Ids(ids)) => ids,
            Ok(crate::listns::Listed::Unsupported) => return Ok(()),
            Err(errno) => return Err(Error::sys("listns failed", errno)),
        };
        for id in ids {
            let handle = crate::byid::NsHandle {
                ns_id: id,
                ns_type: 0,
                ns_inum: 0,
            };
            let fd = match crate::byid::open_handle(&handle) {
                Ok(fd) => fd,
                Err(Errno::STALE | Errno::PERM | Errno::ACCESS | Errno::NOENT) => continue,
                Err(errno) => return Err(Error::sys("open_by_handle_at failed", errno)),
            };
            let ino = NsId::from_fd(&fd)?.ino;
            if !self.found_index.contains_key(&ino) {
                self.add_from_fd(&fd, ino)?;
            }
        }
        Ok(())
    }

    fn nsid_socket(&mut self) -> Option<&mut NsidSocket> {
        if !self.nsid_tried {
            self.nsid_tried = true;
            self.nsid = NsidSocket::open(false).ok();
        }
        self.nsid.as_mut()
    }

    fn netnsid_of(&mut self, fd: impl AsFd) -> Option<Option<i32>> {
        if !self.req.netnsid {
            return None;
        }
        self.nsid_socket()?.get_by_fd(fd).ok()
    }

    /// A socket of another process (`pidfd_getfd(2)`), then `SIOCGSKNS`: its network namespace.
    fn add_from_socket(&mut self, pidfd: &OwnedFd, num: u64) -> Result<()> {
        let Ok(target) = i32::try_from(num) else {
            return Ok(());
        };
        let Ok(sock) =
            rustix::process::pidfd_getfd(pidfd, target, rustix::process::PidfdGetfdFlags::empty())
        else {
            return Ok(());
        };
        let Ok(nsfd) = nsfs::socket_net_ns(&sock) else {
            return Ok(());
        };
        let Ok(id) = NsId::from_fd(&nsfd) else {
            return Ok(());
        };
        if self.found_index.contains_key(&id.ino) {
            return Ok(());
        }
        self.add_from_fd(&nsfd, id.ino).map(|_| ())
    }

    /// util-linux's `add_namespace_for_nsfd`: add the namespace `fd` refers to (if its kind is
    /// wanted), with its owner uid, then its parent and owner namespaces if they are unknown.
    fn add_from_fd(&mut self, fd: &OwnedFd, ino: u64) -> Result<Option<usize>> {
        if let Some(&i) = self.found_index.get(&ino) {
            return Ok(Some(i));
        }
        let kind = match nsfs::ns_kind(fd) {
            Ok(k) => k,
            Err(e @ Error::IoctlUnsupported { .. }) => return Err(e),
            Err(_) => return Ok(None),
        };
        if !self.kinds.contains(kind) {
            return Ok(None);
        }
        let (parent, parent_fd) = parent_of(fd, kind)?;
        let (owner, owner_fd) = owner_of(fd)?;
        let owner_uid = nsfs::owner_uid(fd).unwrap_or(0);
        let netnsid = if kind == NsKind::Net {
            self.netnsid_of(fd)
        } else {
            None
        };
        let id = if self.req.id { id_of(fd)? } else { None };
        self.found.push(Namespace {
            ino,
            kind,
            nprocs: 0,
            rep: None,
            parent,
            owner,
            owner_uid,
            netnsid,
            id,
        });
        let me = self.found.len() - 1;
        self.found_index.insert(ino, me);
        let mut owner_done = false;
        if parent != 0 && parent != ino && !self.found_index.contains_key(&parent) {
            if let Some(pfd) = &parent_fd {
                self.add_from_fd(pfd, parent)?;
                owner_done = parent == owner;
            }
        }
        if !owner_done && owner != 0 && !self.found_index.contains_key(&owner) {
            if let Some(ofd) = &owner_fd {
                self.add_from_fd(ofd, owner)?;
            }
        }
        Ok(Some(me))
    }
}

/// The kind of relation [`add_ghosts`] follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `NS_GET_PARENT` (pid and user namespaces).
    Parent,
    /// `NS_GET_USERNS`.
    Owner,
}

/// Add the parent or owner namespaces that have no process of their own ("ghosts", as
/// util-linux calls them), found through the ioctls on a namespace whose lowest process is
/// known, for `lsns -T owner|parent`. Kinds outside `req.kinds` are not added; the nsid and
/// the ID are looked up when `req` asks for them.
pub fn add_ghosts(scan: &mut Scan, rel: Relation, req: ScanRequest) -> Result<()> {
    let kinds = if req.kinds.is_empty() {
        NsKind::ALL.into_iter().collect()
    } else {
        req.kinds
    };
    let mut w = Walker {
        req: ScanRequest {
            kinds,
            netnsid: req.netnsid,
            id: req.id,
            ..ScanRequest::default()
        },
        kinds,
        nsid: None,
        nsid_tried: false,
        found: std::mem::take(&mut scan.namespaces),
        found_index: std::mem::take(&mut scan.index),
        facts: Map::default(),
    };
    let n = w.found.len();
    for i in 0..n {
        let ns = w.found[i].clone();
        let want = match rel {
            Relation::Parent => ns.parent,
            Relation::Owner => ns.owner,
        };
        if want == 0 || w.found_index.contains_key(&want) {
            continue;
        }
        let Some(rep) = ns.rep else {
            continue;
        };
        let pid = scan.procs[rep].pid;
        let path = format!("/proc/{pid}/ns/{}", ns.kind.name());
        let Ok(fd) = openat(
            CWD,
            path.as_str(),
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            continue;
        };
        let (ino, rfd) = match rel {
            Relation::Parent => parent_of(&fd, ns.kind)?,
            Relation::Owner => owner_of(&fd)?,
        };
        if ino != want {
            continue;
        }
        if let Some(rfd) = rfd {
            w.add_from_fd(&rfd, ino)?;
        }
    }
    scan.namespaces = w.found;
    scan.namespaces.sort_by_key(|n| n.ino);
    scan.index = scan
        .namespaces
        .iter()
        .enumerate()
        .map(|(i, n)| (n.ino, i))
        .collect();
    Ok(())
}

/// Probe the nsfs ioctls on the first of our own namespaces of the wanted kinds (in
/// util-linux's order: mnt, net, pid, uts, ipc, user, cgroup, time), as util-linux meets them
/// on its first process: [`Error::IoctlUnsupported`] when the kernel lacks them.
pub fn probe_ioctls(kinds: NsKinds) -> Result<()> {
    let kinds = if kinds.is_empty() {
        NsKind::ALL.into_iter().collect()
    } else {
        kinds
    };
    for kind in [
        NsKind::Mnt,
        NsKind::Net,
        NsKind::Pid,
        NsKind::Uts,
        NsKind::Ipc,
        NsKind::User,
        NsKind::Cgroup,
        NsKind::Time,
    ] {
        if !kinds.contains(kind) {
            continue;
        }
        let path: &CStr = match kind {
            NsKind::Mnt => c"/proc/self/ns/mnt",
            NsKind::Net => c"/proc/self/ns/net",
            NsKind::Pid => c"/proc/self/ns/pid",
            NsKind::Uts => c"/proc/self/ns/uts",
            NsKind::Ipc => c"/proc/self/ns/ipc",
            NsKind::User => c"/proc/self/ns/user",
            NsKind::Cgroup => c"/proc/self/ns/cgroup",
            NsKind::Time => c"/proc/self/ns/time",
        };
        let Ok(fd) = openat(CWD, path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()) else {
            continue;
        };
        parent_of(&fd, kind)?;
        owner_of(&fd)?;
        return Ok(());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_inode_parsing() {
        assert_eq!(root_ino(b"net:[4026532321]"), Some(4026532321));
        assert_eq!(root_ino(b"net:[12"), None);
        assert_eq!(root_ino(b"/"), None);
        assert_eq!(root_ino(b"x:[1]y"), None);
    }

    #[test]
    fn scan_finds_own_namespaces() {
        let req = ScanRequest {
            uid: true,
            ppid: true,
            ..ScanRequest::default()
        };
        let s = scan(req, &[]).unwrap();
        let me = std::process::id() as i32;
        let p = s.procs.iter().find(|p| p.pid == me).expect("self in scan");
        let net = NsId::from_path("/proc/self/ns/net").unwrap();
        assert_eq!(p.ns_of(NsKind::Net), net.ino);
        let ns = s.get(net.ino).unwrap();
        assert_eq!(ns.kind, NsKind::Net);
        assert!(ns.nprocs >= 1);
        assert!(s.namespaces.windows(2).all(|w| w[0].ino < w[1].ino));
    }
}
