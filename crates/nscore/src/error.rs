//! The one error type of nscore.
//!
//! Every variant names the operation and the path or PID it concerned, and keeps the errno, so a
//! caller can both print it in util-linux's words (`cannot open /proc/42/ns/net: No such file or
//! directory`) and decide by errno (a vanished process is not a failure for `lsns`). The program
//! name prefix (`unshare: `) is added by [`crate::cmdline::report`], never here.
//!
//! # Example
//!
//! ```
//! use nscore::Error;
//! use rustix::io::Errno;
//!
//! let e = Error::open("/proc/42/ns/net", Errno::NOENT);
//! assert_eq!(e.to_string(), "cannot open /proc/42/ns/net: No such file or directory");
//! assert_eq!(e.errno(), Some(Errno::NOENT));
//! assert_eq!(Error::msg("bad mapping").to_string(), "bad mapping");
//! ```

use std::fmt;
use std::path::PathBuf;

pub use rustix::io::Errno;

/// Result with nscore's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The text `strerror(3)` gives for an errno, without Rust's ` (os error N)` suffix.
pub fn strerror(errno: Errno) -> String {
    let full = std::io::Error::from_raw_os_error(errno.raw_os_error()).to_string();
    match full.rfind(" (os error ") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    }
}

/// An errno shown as `strerror(3)` text; the building block of the messages below.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SysErr(pub Errno);

impl fmt::Display for SysErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&strerror(self.0))
    }
}

impl fmt::Debug for SysErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", strerror(self.0), self.0.raw_os_error())
    }
}

/// What went wrong, with the operation, the object and the errno.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `open(2)` of a path failed.
    #[error("cannot open {}: {}", path.display(), SysErr(*errno))]
    Open {
        /// The path that could not be opened.
        path: PathBuf,
        /// Why.
        errno: Errno,
    },
    /// `stat(2)` of a path failed.
    #[error("stat of {} failed: {}", path.display(), SysErr(*errno))]
    Stat {
        /// The path that could not be examined.
        path: PathBuf,
        /// Why.
        errno: Errno,
    },
    /// Reading a file failed.
    #[error("cannot read {}: {}", path.display(), SysErr(*errno))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        errno: Errno,
    },
    /// Writing a file failed (util-linux: `write failed /proc/self/uid_map`).
    #[error("write failed {}: {}", path.display(), SysErr(*errno))]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        errno: Errno,
    },
    /// The process exited (or never existed) while we looked at it: ENOENT or ESRCH.
    #[error("process {pid} is gone")]
    Gone {
        /// Its PID.
        pid: i32,
    },
    /// The process exists but its namespaces cannot be seen by us: EACCES or EPERM.
    #[error("cannot read namespaces of process {pid}: {}", SysErr(*errno))]
    NotVisible {
        /// Its PID.
        pid: i32,
        /// EACCES or EPERM.
        errno: Errno,
    },
    /// An nsfs ioctl is not known to this kernel (ENOTTY, or ENOSYS).
    #[error("Unsupported ioctl {name}")]
    IoctlUnsupported {
        /// The ioctl's name, e.g. `NS_GET_PARENT`.
        name: &'static str,
        /// ENOTTY or ENOSYS.
        errno: Errno,
    },
    /// An nsfs ioctl failed for another reason (EPERM when the parent is out of reach).
    #[error("ioctl {name} failed: {}", SysErr(*errno))]
    Ioctl {
        /// The ioctl's name.
        name: &'static str,
        /// Why.
        errno: Errno,
    },
    /// A mount(2) call failed; `target` is where, `source` what.
    #[error("mount {what} on {} failed: {}", target.display(), SysErr(*errno))]
    Mount {
        /// The source as util-linux names it (a path, or `proc`, `none`, ...).
        what: String,
        /// The mount point.
        target: PathBuf,
        /// Why.
        errno: Errno,
    },
    /// `setns(2)` on one namespace file failed (util-linux: `reassociate to namespace 'ns/net' failed`).
    #[error("reassociate to namespace '{name}' failed: {}", SysErr(*errno))]
    Setns {
        /// `ns/net`, `ns/user`, ... as util-linux prints it.
        name: String,
        /// Why.
        errno: Errno,
    },
    /// `setns(2)` on a pidfd with a mask of kinds failed.
    #[error("reassociate to namespaces failed: {}", SysErr(*errno))]
    SetnsMask {
        /// Why.
        errno: Errno,
    },
    /// Any other system call, named as util-linux names it (`unshare failed`, `fork failed`).
    #[error("{op}: {}", SysErr(*errno))]
    Sys {
        /// The words before the colon, e.g. `unshare failed`.
        op: String,
        /// Why.
        errno: Errno,
    },
    /// A failure with no errno, already worded (util-linux `errx`).
    #[error("{0}")]
    Msg(String),
}

impl Error {
    /// The errno behind this error, if there is one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Open { errno, .. }
            | Error::Stat { errno, .. }
            | Error::Read { errno, .. }
            | Error::Write { errno, .. }
            | Error::NotVisible { errno, .. }
            | Error::IoctlUnsupported { errno, .. }
            | Error::Ioctl { errno, .. }
            | Error::Mount { errno, .. }
            | Error::Setns { errno, .. }
            | Error::SetnsMask { errno }
            | Error::Sys { errno, .. } => Some(*errno),
            Error::Gone { .. } => Some(Errno::SRCH),
            Error::Msg(_) => None,
        }
    }

    /// Shorthand for [`Error::Sys`].
    pub fn sys(op: impl Into<String>, errno: Errno) -> Self {
        Error::Sys {
            op: op.into(),
            errno,
        }
    }

    /// Shorthand for [`Error::Open`].
    pub fn open(path: impl Into<PathBuf>, errno: Errno) -> Self {
        Error::Open {
            path: path.into(),
            errno,
        }
    }

    /// Shorthand for [`Error::Msg`].
    pub fn msg(text: impl Into<String>) -> Self {
        Error::Msg(text.into())
    }
}
