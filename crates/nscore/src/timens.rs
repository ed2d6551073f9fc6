//! Time namespace clock offsets: `/proc/self/timens_offsets` (see time_namespaces(7)).
//!
//! After `unshare(CLONE_NEWTIME)` the caller may set, once and before any process enters the new
//! namespace, how far its `CLOCK_MONOTONIC` and `CLOCK_BOOTTIME` are shifted. util-linux writes
//! one line per clock, `"<clockid> <seconds> 0"`, boottime first; so does [`set_offset`].
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, unshare, ChildStatus};
//! use nscore::kind::{NsKind, NsKinds};
//! use nscore::timens::{parse_seconds, set_offset, Clock};
//!
//! assert_eq!(parse_seconds(b"-3600"), Ok(-3600));
//! assert!(parse_seconds(b"1h").is_err());
//!
//! // A time namespace whose boot time clock is a day ahead: the offsets are set before any
//! // process is in it, and the next child is the first one.
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User, NsKind::Time])).is_err() {
//!         return 77; // no user namespaces, or a kernel without time namespaces (< 5.6)
//!     }
//!     if set_offset(Clock::Boottime, 86400).is_err() {
//!         return 1;
//!     }
//!     match run_in_child(|| {
//!         let offsets = std::fs::read_to_string("/proc/self/timens_offsets").unwrap_or_default();
//!         let shifted = offsets
//!             .lines()
//!             .any(|l| l.split_whitespace().eq(["boottime", "86400", "0"]));
//!         if shifted { 0 } else { 2 }
//!     }) {
//!         Ok(ChildStatus::Exited(code)) => code,
//!         _ => 3,
//!     }
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
//! ```

use rustix::io::Errno;

use crate::error::{Error, Result};

/// A clock whose offset a time namespace can shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// `CLOCK_MONOTONIC` (clock id 1).
    Monotonic,
    /// `CLOCK_BOOTTIME` (clock id 7).
    Boottime,
}

impl Clock {
    /// The clock id the kernel expects in `timens_offsets`.
    pub const fn id(self) -> i32 {
        match self {
            Clock::Monotonic => libc::CLOCK_MONOTONIC,
            Clock::Boottime => libc::CLOCK_BOOTTIME,
        }
    }
}

const OFFSETS: &str = "/proc/self/timens_offsets";

/// Write `"<clockid> <seconds> 0"` to `/proc/self/timens_offsets`. Errors as util-linux words
/// them: `failed to open /proc/self/timens_offsets: ...`, `failed to write to ...: ...`.
pub fn set_offset(clock: Clock, seconds: i64) -> Result<()> {
    use rustix::fs::{open, Mode, OFlags};
    let fd = open(OFFSETS, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())
        .map_err(|errno| Error::sys(format!("failed to open {OFFSETS}"), errno))?;
    let line = format!("{} {} 0", clock.id(), seconds);
    match rustix::io::write(&fd, line.as_bytes()) {
        Ok(n) if n == line.len() => Ok(()),
        Ok(_) => Err(Error::sys(
            format!("failed to write to {OFFSETS}"),
            Errno::IO,
        )),
        Err(errno) => Err(Error::sys(format!("failed to write to {OFFSETS}"), errno)),
    }
}

/// The value of `--monotonic`/`--boottime`: util-linux's `strtos64_or_err` rule
/// ([`crate::cmdline::num::strtos64`]).
pub fn parse_seconds(s: &[u8]) -> Result<i64, Errno> {
    crate::cmdline::num::strtos64(s)
}
