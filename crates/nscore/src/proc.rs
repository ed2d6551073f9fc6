//! Reading processes and their namespaces from `/proc`, fast and without races turning into errors.
//!
//! `/proc` is opened once ([`ProcFs`]); each process directory is opened once as a directory fd
//! ([`ProcDir`]) and everything else (`ns/net`, `stat`, `cmdline`) is read relative to it, so no
//! per-entry path strings are built and a PID that is reused half-way cannot mix two processes
//! into one answer. A process that vanishes mid-read (ENOENT, ESRCH) is [`Error::Gone`]; one we
//! may not look into (EACCES, EPERM) is [`Error::NotVisible`]. Callers such as `lsns` skip both.
//!
//! # Example
//!
//! ```
//! use nscore::kind::NsKind;
//! use nscore::proc::{ProcDir, ProcFs};
//! use nscore::{Error, NsId};
//!
//! let me = nscore::create::getpid();
//! let procfs = ProcFs::open().unwrap();
//! assert!(procfs.pids().unwrap().contains(&me));
//!
//! let dir = procfs.process(me).unwrap();
//! assert_eq!(dir.ns(NsKind::Net).unwrap(), NsId::from_path("/proc/self/ns/net").unwrap());
//! let mut buf = Vec::new();
//! assert_eq!(dir.ppid(&mut buf).unwrap(), std::os::unix::process::parent_id() as i32);
//!
//! // No process can have this PID (above the largest pid_max): it is "gone", which callers skip.
//! assert!(matches!(ProcDir::open(i32::MAX), Err(Error::Gone { .. })));
//! ```

use std::ffi::CStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;

use rustix::fs::{fstat, openat, statat, AtFlags, Dir, Mode, OFlags, CWD};
use rustix::io::Errno;

use crate::error::{Error, Result};
use crate::id::NsId;
use crate::kind::NsKind;

/// Map an errno met while reading `/proc/PID/...` to Gone / NotVisible / a plain error.
fn classify(pid: i32, errno: Errno, what: impl FnOnce() -> Error) -> Error {
    match errno {
        Errno::NOENT | Errno::SRCH => Error::Gone { pid },
        Errno::ACCESS | Errno::PERM => Error::NotVisible { pid, errno },
        _ => what(),
    }
}

/// `/proc`, opened once as a directory.
pub struct ProcFs {
    fd: OwnedFd,
    root: PathBuf,
}

impl ProcFs {
    /// Open `/proc`.
    pub fn open() -> Result<ProcFs> {
        ProcFs::open_path("/proc")
    }

    /// Open a proc file system mounted somewhere else (tests, or a `--mount-proc` directory).
    pub fn open_path(path: impl Into<PathBuf>) -> Result<ProcFs> {
        let root = path.into();
        let fd = openat(
            CWD,
            &root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| Error::open(&root, errno))?;
        Ok(ProcFs { fd, root })
    }

    /// The PIDs of all processes (thread-group leaders), in readdir order.
    #[doc(alias = "readdir")]
    pub fn pids(&self) -> Result<Vec<i32>> {
        let mut dir = Dir::read_from(&self.fd).map_err(|errno| Error::open(&self.root, errno))?;
        let mut pids = Vec::with_capacity(512);
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|errno| Error::Read {
                path: self.root.clone(),
                errno,
            })?;
            if let Some(pid) = parse_pid(entry.file_name().to_bytes()) {
                pids.push(pid);
            }
        }
        Ok(pids)
    }

    /// Open one process's directory.
    pub fn process(&self, pid: i32) -> Result<ProcDir> {
        if pid <= 0 {
            // No /proc entry has such a name.
            return Err(Error::Gone { pid });
        }
        let mut buf = [0u8; 24];
        let name = decimal_cstr(&mut buf, pid as u64);
        let fd = openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| {
            classify(pid, errno, || {
                Error::open(self.root.join(pid.to_string()), errno)
            })
        })?;
        Ok(ProcDir { pid, fd })
    }

    /// The directory fd, for callers that need other relative reads.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A NUL-terminated decimal rendering of `n` in `buf`, without allocating (entry names under
/// `/proc` and `/proc/PID/fd`, built once per entry in hot loops).
pub(crate) fn decimal_cstr(buf: &mut [u8; 24], mut n: u64) -> &CStr {
    let mut i = 23; // buf[23] stays NUL
    buf[23] = 0;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    CStr::from_bytes_with_nul(&buf[i..]).unwrap_or(c"0")
}

/// Parse a `/proc` entry name as a PID: ASCII digits only, positive, fits in i32.
pub fn parse_pid(name: &[u8]) -> Option<i32> {
    let v = crate::id::parse_u64_digits(name)?;
    i32::try_from(v).ok().filter(|&p| p > 0)
}

/// One process's `/proc/PID` directory, held open.
pub struct ProcDir {
    pid: i32,
    fd: OwnedFd,
}

impl ProcDir {
    /// Open `/proc/PID` directly (one path string; use [`ProcFs::process`] in loops).
    pub fn open(pid: i32) -> Result<ProcDir> {
        let path = format!("/proc/{pid}");
        let fd = openat(
            CWD,
            path.as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| classify(pid, errno, || Error::open(&path, errno)))?;
        Ok(ProcDir { pid, fd })
    }

    /// The PID this directory belongs to.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The directory fd.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn path_of(&self, rel: &CStr) -> PathBuf {
        PathBuf::from(format!("/proc/{}/{}", self.pid, rel.to_string_lossy()))
    }

    /// The identity of the process's namespace of `kind` (`stat` of `ns/KIND`).
    pub fn ns(&self, kind: NsKind) -> Result<NsId> {
        self.ns_entry(kind.proc_entry())
    }

    /// The identity of the namespace its children will get (`pid_for_children`, `time_for_children`).
    pub fn ns_for_children(&self, kind: NsKind) -> Result<NsId> {
        self.ns_entry(kind.proc_entry_for_children())
    }

    fn ns_entry(&self, rel: &CStr) -> Result<NsId> {
        statat(&self.fd, rel, AtFlags::empty())
            .map(|st| NsId::from_stat(&st))
            .map_err(|errno| {
                classify(self.pid, errno, || Error::Stat {
                    path: self.path_of(rel),
                    errno,
                })
            })
    }

    /// Open the process's namespace file of `kind` read-only (as `setns(2)` and the nsfs ioctls want).
    pub fn open_ns(&self, kind: NsKind) -> Result<OwnedFd> {
        self.open_rel(kind.proc_entry())
    }

    /// Open a file relative to the process directory, read-only and close-on-exec.
    pub fn open_rel(&self, rel: &CStr) -> Result<OwnedFd> {
        openat(
            &self.fd,
            rel,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| classify(self.pid, errno, || Error::open(self.path_of(rel), errno)))
    }

    /// The owner of the process directory (util-linux's UID column).
    pub fn uid(&self) -> Result<u32> {
        fstat(&self.fd)
            .map(|st| st.st_uid)
            .map_err(|errno| classify(self.pid, errno, || Error::sys("fstat failed", errno)))
    }

    /// Owner uid and gid of the process directory (nsenter's `follow`).
    pub fn owner(&self) -> Result<(u32, u32)> {
        fstat(&self.fd)
            .map(|st| (st.st_uid, st.st_gid))
            .map_err(|errno| classify(self.pid, errno, || Error::sys("fstat failed", errno)))
    }

    /// Read a whole file relative to the directory into `buf` (cleared first), up to `limit` bytes.
    pub fn read_into(&self, rel: &CStr, buf: &mut Vec<u8>, limit: usize) -> Result<()> {
        buf.clear();
        let fd = self.open_rel(rel)?;
        let mut chunk = [0u8; 4096];
        loop {
            let want = chunk.len().min(limit.saturating_sub(buf.len()));
            if want == 0 {
                return Ok(());
            }
            match rustix::io::read(&fd, &mut chunk[..want]) {
                Ok(0) => return Ok(()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(Errno::INTR) => continue,
                Err(errno) => {
                    return Err(classify(self.pid, errno, || Error::Read {
                        path: self.path_of(rel),
                        errno,
                    }))
                }
            }
        }
    }

    /// The parent PID, from `stat` (the field after the parenthesised command, which may itself
    /// contain spaces and parentheses, so the search starts at the last `)`).
    pub fn ppid(&self, buf: &mut Vec<u8>) -> Result<i32> {
        self.read_into(c"stat", buf, 4096)?;
        parse_stat_ppid(buf).ok_or_else(|| Error::Read {
            path: self.path_of(c"stat"),
            errno: Errno::INVAL,
        })
    }
}

/// Parse the PPID out of the text of `/proc/PID/stat`.
pub fn parse_stat_ppid(stat: &[u8]) -> Option<i32> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let mut fields = stat[close + 1..]
        .split(|&b| b == b' ')
        .filter(|f| !f.is_empty());
    let _state = fields.next()?;
    let ppid = fields.next()?;
    i32::try_from(crate::id::parse_u64_digits(ppid)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_pids_without_allocating() {
        for n in [0, 1, 9, 10, 42, 4194304, i32::MAX as u64, u64::MAX] {
            let mut b = [0u8; 24];
            assert_eq!(decimal_cstr(&mut b, n).to_str().unwrap(), n.to_string());
        }
    }

    #[test]
    fn parses_pids_strictly() {
        assert_eq!(parse_pid(b"42"), Some(42));
        let huge = vec![b'1'; 10_000];
        for bad in [
            &b""[..],
            b"0",
            b"-1",
            b"self",
            b"4x",
            b"99999999999",
            b"\xff",
            &huge,
        ] {
            assert_eq!(parse_pid(bad), None);
        }
    }

    #[test]
    fn ppid_survives_awkward_comm() {
        assert_eq!(parse_stat_ppid(b"42 (a) b) c) S 7 42 42 0"), Some(7));
        assert_eq!(parse_stat_ppid(b"42 (x\ny) R 1 2"), Some(1));
        assert_eq!(parse_stat_ppid(b"42 (x"), None);
        assert_eq!(parse_stat_ppid(b""), None);
    }

    #[test]
    fn reads_own_namespaces() {
        let me = ProcDir::open(std::process::id() as i32).unwrap();
        let via_path = NsId::from_path("/proc/self/ns/net").unwrap();
        assert_eq!(me.ns(NsKind::Net).unwrap(), via_path);
    }

    #[test]
    fn missing_process_is_gone() {
        // PID max is at most 2^22, so this PID cannot exist.
        match ProcDir::open(i32::MAX) {
            Err(Error::Gone { pid }) => assert_eq!(pid, i32::MAX),
            other => panic!("expected Gone, got {:?}", other.err()),
        }
    }
}
