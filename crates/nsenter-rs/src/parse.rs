//! Parsers for option values and target files, written to accept and reject exactly what
//! util-linux 2.42's C helpers do (`strtoimax` rules: leading white space and a sign allowed,
//! trailing garbage refused) and to fail with the same errno, which the messages print.
//!
//! All pure functions on bytes, so they are unit-tested here without a process to enter.

use nscore::cmdline::num::{self, strtou64};
use nscore::error::Errno;

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

/// `-t PID[:INODE]`, as nsenter 2.42.4 reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PidArg {
    pub pid: i32,
    pub inode: Option<u64>,
    /// Something follows the inode's digits (`12:345x`). 2.42.4 still opens and checks the
    /// pidfd against the inode's leading number first, and calls the argument invalid only
    /// when that check passed.
    pub junk_after_inode: bool,
}

/// `-t`: `None` is nsenter 2.42.4's `invalid PID argument`. Observed rules: the PID as
/// `strtoimax` reads it (white space and a sign allowed), in 1..=`i32::MAX`, followed by
/// nothing or by `:`; the inode by its leading number (white space and `+` allowed, `-` not),
/// non-zero, saturating at `u64::MAX` when it overflows.
pub fn pid_arg(s: &[u8]) -> Option<PidArg> {
    let (v, used, overflow) = strtoimax(s);
    if used == 0 || overflow || v <= 0 || v > i128::from(i32::MAX) {
        return None;
    }
    let pid = v as i32;
    let rest = &s[used..];
    if rest.is_empty() {
        return Some(PidArg {
            pid,
            inode: None,
            junk_after_inode: false,
        });
    }
    let ino = rest.strip_prefix(b":")?;
    let n = num::scan(ino, 10)?;
    if n.negative {
        return None;
    }
    let inode = n.magnitude.unwrap_or(u64::MAX);
    if inode == 0 {
        return None;
    }
    Some(PidArg {
        pid,
        inode: Some(inode),
        junk_after_inode: n.end != ino.len(),
    })
}

/// `--KIND=:NSID`: the ID as 2.42.4 reads it (util-linux `ul_strtou64`: the whole string a
/// decimal number up to `u64::MAX`, white space and `+` before it allowed, negative only as
/// `-0`). `None` is `failed to parse nsid: TEXT`.
pub fn nsid(s: &[u8]) -> Option<u64> {
    strtou64(s).ok()
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
    fn pids_parse_as_nsenter_2_42_4() {
        let p = |pid, inode, junk_after_inode| {
            Some(PidArg {
                pid,
                inode,
                junk_after_inode,
            })
        };
        assert_eq!(pid_arg(b"42"), p(42, None, false));
        assert_eq!(pid_arg(b" +42"), p(42, None, false));
        assert_eq!(pid_arg(b"\t42"), p(42, None, false));
        assert_eq!(pid_arg(b"42:7"), p(42, Some(7), false));
        assert_eq!(pid_arg(b"42: +7"), p(42, Some(7), false));
        assert_eq!(pid_arg(b"42:\n007"), p(42, Some(7), false));
        assert_eq!(pid_arg(b"42:7x"), p(42, Some(7), true));
        assert_eq!(pid_arg(b"42:7:4"), p(42, Some(7), true));
        assert_eq!(pid_arg(b"42:1e3"), p(42, Some(1), true));
        assert_eq!(pid_arg(b"42:7 "), p(42, Some(7), true));
        assert_eq!(
            pid_arg(b"42:99999999999999999999999"),
            p(42, Some(u64::MAX), false)
        );
        assert_eq!(pid_arg(b"2147483647").map(|p| p.pid), Some(i32::MAX));
        for s in [
            &b"0"[..],
            b"-5",
            b"0x10",
            b"2147483648",
            b"99999999999999999999999",
            b"abc",
            b"",
            b" ",
            b"-",
            b"12x",
            b"12 ",
            b"12x:5",
            b"12:",
            b"12:x",
            b"12:0",
            b"12:00",
            b"12:0x1",
            b"12:+0",
            b"12:-1",
            b"12: -0",
            b"12:-1x",
            b"12:+",
            b"0:5",
        ] {
            assert_eq!(pid_arg(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn nsids_parse_as_nsenter_2_42_4() {
        for (s, v) in [
            (&b"5"[..], 5),
            (b"0", 0),
            (b" 5", 5),
            (b"\t7", 7),
            (b"+5", 5),
            (b"-0", 0),
            (b" -0", 0),
            (b"00012", 12),
            (b"18446744073709551615", u64::MAX),
        ] {
            assert_eq!(nsid(s), Some(v), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b""[..],
            b"x",
            b"-1",
            b" -1",
            b"-5",
            b"+",
            b" ",
            b"5 ",
            b"5x",
            b"1e3",
            b"0x10",
            b":5",
            b"--0",
            b"18446744073709551616",
        ] {
            assert_eq!(nsid(s), None, "{:?}", String::from_utf8_lossy(s));
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
