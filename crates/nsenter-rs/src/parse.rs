//! Parsers for option values and target files, written to accept and reject exactly what
//! util-linux 2.42's C helpers do (`strtoimax` rules: leading white space and a sign allowed,
//! trailing garbage refused) and to fail with the same errno, which the messages print.
//!
//! All pure functions on bytes, so they are unit-tested here without a process to enter.

use nscore::cmdline::num::{self, strtou64};
use nscore::error::Errno;

/// `-t PID[:INODE]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PidArg {
    pub pid: i32,
    pub inode: Option<u64>,
}

/// What C's `strtoimax(s, &end, 10)` sees: (value, bytes consumed, overflowed past u64).
/// Consumed is 0 when no digit was found (even after white space and a sign).
fn strtoimax(s: &[u8]) -> (i128, usize, bool) {
    match num::scan(s, 10) {
        None => (0, 0, false),
        Some(n) => {
            let m = n.magnitude.map_or(0, i128::from);
            (
                if n.negative { -m } else { m },
                n.end,
                n.magnitude.is_none(),
            )
        }
    }
}

/// `-t`: util-linux `ul_parse_pid_str`: `PID` or `PID:INODE`, PID in 1..=i32::MAX, INODE > 0.
pub fn pid_arg(s: &[u8]) -> Result<PidArg, Errno> {
    if s.is_empty() {
        return Err(Errno::INVAL);
    }
    let (v, used, overflow) = strtoimax(s);
    if used == 0 {
        return Err(Errno::INVAL);
    }
    if overflow || v <= 0 || v > i128::from(i32::MAX) {
        return Err(Errno::RANGE);
    }
    let pid = v as i32;
    let rest = &s[used..];
    if let Some(ino) = rest.strip_prefix(b":") {
        let inode = strtou64(ino)?;
        if inode == 0 {
            return Err(Errno::RANGE);
        }
        return Ok(PidArg {
            pid,
            inode: Some(inode),
        });
    }
    if !rest.is_empty() {
        return Err(Errno::INVAL);
    }
    Ok(PidArg { pid, inode: None })
}

/// `-N FD`: util-linux `str2num_or_err(s, 10, ..., 0, INT_MAX)`: a signed number, at most
/// `INT_MAX` (no lower bound). `Err(Some(ERANGE))` is printed with strerror, `Err(None)`
/// without.
pub fn fd_arg(s: &[u8]) -> Result<i64, Option<Errno>> {
    let (v, used, overflow) = strtoimax(s);
    if used == 0 || used != s.len() {
        return Err(None);
    }
    if overflow || v > i128::from(i32::MAX) || v < i128::from(i64::MIN) {
        return Err(Some(Errno::RANGE));
    }
    Ok(v as i64)
}

/// `-S`/`-G`: util-linux `strtoul_or_err`, truncated to the 32-bit `uid_t`/`gid_t` as C does.
pub fn id_arg(s: &[u8]) -> Result<u32, Option<Errno>> {
    match strtou64(s) {
        Ok(v) => Ok(v as u32),
        Err(Errno::RANGE) => Err(Some(Errno::RANGE)),
        Err(_) => Err(None),
    }
}

/// `/proc/PID/environ` as the list of variables util-linux 2.42 sets after `clearenv`, in the
/// order it sets them: it collects the `NAME=VALUE` entries into a list by prepending and then
/// calls `setenv(..., 0)` front to back, so the last entry is set first and, for a name that
/// occurs twice, the last occurrence wins. Entries without `=` are skipped.
pub fn environ(buf: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut v: Vec<(&[u8], &[u8])> = buf
        .split(|&b| b == 0)
        .filter_map(|e| {
            let eq = e.iter().position(|&b| b == b'=')?;
            Some((&e[..eq], &e[eq + 1..]))
        })
        .collect();
    v.reverse();
    v
}

/// The cgroup path from `/proc/PID/cgroup`: its first non-empty line, after the last `:`.
pub fn cgroup_path(buf: &[u8]) -> Option<&[u8]> {
    let line = buf.split(|&b| b == b'\n').find(|l| !l.is_empty())?;
    let colon = line.iter().rposition(|&b| b == b':')?;
    Some(&line[colon + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_parse_like_ul_parse_pid_str() {
        assert_eq!(
            pid_arg(b"42"),
            Ok(PidArg {
                pid: 42,
                inode: None
            })
        );
        assert_eq!(
            pid_arg(b" +42"),
            Ok(PidArg {
                pid: 42,
                inode: None
            })
        );
        assert_eq!(
            pid_arg(b"42:7"),
            Ok(PidArg {
                pid: 42,
                inode: Some(7)
            })
        );
        assert_eq!(pid_arg(b"2147483647").map(|p| p.pid), Ok(i32::MAX));
        // 2.42 (spec §2.1): PID <= 0 is ERANGE, junk is EINVAL.
        for (s, e) in [
            (&b"0"[..], Errno::RANGE),
            (b"-5", Errno::RANGE),
            (b"0x10", Errno::RANGE),
            (b"2147483648", Errno::RANGE),
            (b"99999999999999999999999", Errno::RANGE),
            (b"abc", Errno::INVAL),
            (b"", Errno::INVAL),
            (b" ", Errno::INVAL),
            (b"-", Errno::INVAL),
            (b"12x", Errno::INVAL),
            (b"12:", Errno::INVAL),
            (b"12:x", Errno::INVAL),
            (b"12:0", Errno::RANGE),
            (b"12:-1", Errno::RANGE),
            (b"12:3:4", Errno::INVAL),
        ] {
            assert_eq!(pid_arg(s), Err(e), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn fds_and_ids() {
        assert_eq!(fd_arg(b"3"), Ok(3));
        assert_eq!(fd_arg(b"-1"), Ok(-1));
        assert_eq!(fd_arg(b"x"), Err(None));
        assert_eq!(fd_arg(b""), Err(None));
        assert_eq!(fd_arg(b"2147483648"), Err(Some(Errno::RANGE)));
        assert_eq!(id_arg(b"1000"), Ok(1000));
        assert_eq!(id_arg(b"4294967296"), Ok(0));
        assert_eq!(id_arg(b"-1"), Err(Some(Errno::RANGE)));
        assert_eq!(id_arg(b"99999999999999999999"), Err(Some(Errno::RANGE)));
        assert_eq!(id_arg(b"abc"), Err(None));
        assert_eq!(id_arg(b""), Err(None));
    }

    #[test]
    fn environ_is_reversed_and_filtered() {
        let got = environ(b"A=1\0junk\0B=2=3\0A=9\0\0");
        assert_eq!(
            got,
            vec![
                (&b"A"[..], &b"9"[..]),
                (&b"B"[..], &b"2=3"[..]),
                (&b"A"[..], &b"1"[..])
            ]
        );
        assert!(environ(b"").is_empty());
    }

    #[test]
    fn cgroup_paths() {
        assert_eq!(
            cgroup_path(b"0::/user.slice/x\n"),
            Some(&b"/user.slice/x"[..])
        );
        assert_eq!(cgroup_path(b"\n0::/\n"), Some(&b"/"[..]));
        assert_eq!(cgroup_path(b"nocolon\n"), None);
        assert_eq!(cgroup_path(b""), None);
    }
}
