//! Time namespace clock offsets: `/proc/self/timens_offsets` (see time_namespaces(7)).
//!
//! After `unshare(CLONE_NEWTIME)` the caller may set, once and before any process enters the new
//! namespace, how far its `CLOCK_MONOTONIC` and `CLOCK_BOOTTIME` are shifted. util-linux writes
//! one line per clock, `"<clockid> <seconds> 0"`, boottime first; so does [`set_offset`].

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

/// util-linux's `ul_strtos64(s, 10)` (used by `strtos64_or_err` for `--monotonic` and
/// `--boottime`): the whole string must be a signed base-10 number (leading blanks and a sign
/// allowed). EINVAL for empty input, no digits or trailing bytes; ERANGE outside `i64`.
pub fn parse_seconds(s: &[u8]) -> Result<i64, Errno> {
    if s.is_empty() {
        return Err(Errno::INVAL);
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    // Accumulate negatively so i64::MIN fits.
    let mut v: Option<i64> = Some(0);
    while i < s.len() && s[i].is_ascii_digit() {
        let d = i64::from(s[i] - b'0');
        v = v
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_sub(d));
        i += 1;
    }
    if i == start {
        return Err(Errno::INVAL);
    }
    let v = match v {
        None => return Err(Errno::RANGE),
        Some(v) if neg => v,
        Some(v) => v.checked_neg().ok_or(Errno::RANGE)?,
    };
    if i != s.len() {
        return Err(Errno::INVAL);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse_like_strtoimax() {
        assert_eq!(parse_seconds(b"-100"), Ok(-100));
        assert_eq!(parse_seconds(b" +5"), Ok(5));
        assert_eq!(parse_seconds(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_seconds(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_seconds(b"9223372036854775808"), Err(Errno::RANGE));
        assert_eq!(parse_seconds(b"-9223372036854775809"), Err(Errno::RANGE));
        for bad in [&b""[..], b"abc", b"5 ", b"0x10", b"-", b" "] {
            assert_eq!(parse_seconds(bad), Err(Errno::INVAL));
        }
    }
}
