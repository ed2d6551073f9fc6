//! Numbers read the way the C tools read them.
//!
//! util-linux parses option values with `strtoimax`/`strtoumax` wrapped in its `ul_strtou64`,
//! `ul_strtos64` and `*_or_err` helpers; iproute2 with `strtol(..., 0)`; `sscanf("%u")` reads
//! ID ranges. They all share one scanner: leading C-locale white space, an optional sign, then
//! digits in a base. [`scan`] is that scanner; the functions below are the rules each caller
//! applies on top, so every tool accepts and refuses exactly the same strings as its original.
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::num::{strtol_base0, strtos64, strtou64, strtou64_or_err};
//! use rustix::io::Errno;
//!
//! assert_eq!(strtou64(b"4026531840"), Ok(4026531840));
//! assert_eq!(strtou64(b"12x"), Err(Errno::INVAL));
//! assert_eq!(strtou64(b"-1"), Err(Errno::RANGE));
//! assert_eq!(strtos64(b" -5"), Ok(-5)); // leading blanks, as strtol
//! assert_eq!(strtol_base0(b"0x10"), Some(16));
//! assert_eq!(
//!     strtou64_or_err(b"many", "invalid PID argument").unwrap_err().to_string(),
//!     "invalid PID argument: 'many'"
//! );
//! ```

use rustix::io::Errno;

use crate::error::Error;

/// What the C scanner found at the start of a byte string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// A `-` came before the digits.
    pub negative: bool,
    /// The digits' value; `None` when it does not fit in a u64.
    pub magnitude: Option<u64>,
    /// Bytes consumed (white space, sign and digits).
    pub end: usize,
}

/// `isspace(3)` in the C locale.
pub fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Scan a number as `strtol(3)` does in `base` (10, 16, 8, or 0 for "C literal": `0x` hex,
/// leading `0` octal, else decimal). `None` when no digit follows the white space and sign.
pub fn scan(s: &[u8], base: u32) -> Option<Scanned> {
    let mut i = 0;
    while i < s.len() && c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let hex_prefix = |i: usize| {
        s.get(i) == Some(&b'0')
            && matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    let radix = match base {
        0 if hex_prefix(i) => {
            i += 2;
            16
        }
        0 if s.get(i) == Some(&b'0') => 8,
        0 => 10,
        16 if hex_prefix(i) => {
            i += 2;
            16
        }
        b => b,
    };
    let start = i;
    let mut magnitude = Some(0u64);
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        magnitude = magnitude
            .and_then(|v| v.checked_mul(u64::from(radix)))
            .and_then(|v| v.checked_add(u64::from(d)));
        i += 1;
    }
    (i > start).then_some(Scanned {
        negative,
        magnitude,
        end: i,
    })
}

/// `strtoul(s, &end, 10)` on a 64-bit system: the value and the bytes consumed; `(0, 0)` when
/// no number starts here, `u64::MAX` on overflow, and a `-` negates modulo 2^64.
pub fn strtoul_prefix(s: &[u8]) -> (u64, usize) {
    match scan(s, 10) {
        None => (0, 0),
        Some(Scanned {
            magnitude: None,
            end,
            ..
        }) => (u64::MAX, end),
        Some(Scanned {
            negative,
            magnitude: Some(v),
            end,
        }) => (if negative { v.wrapping_neg() } else { v }, end),
    }
}

/// util-linux `ul_strtou64(s, 10)`: the whole string is an unsigned number. EINVAL for empty
/// input, no digits or trailing bytes; ERANGE for a negative number (but `-0`) or one above
/// `u64::MAX` — checked before the trailing bytes, as the C code does.
pub fn strtou64(s: &[u8]) -> Result<u64, Errno> {
    let n = scan(s, 10).ok_or(Errno::INVAL)?;
    if n.negative && n.magnitude != Some(0) {
        return Err(Errno::RANGE);
    }
    let v = n.magnitude.ok_or(Errno::RANGE)?;
    if n.end != s.len() {
        return Err(Errno::INVAL);
    }
    Ok(v)
}

/// util-linux `ul_strtos64(s, 10)`: the whole string is a signed number. EINVAL for empty
/// input, no digits or trailing bytes; ERANGE outside `i64` (checked first).
pub fn strtos64(s: &[u8]) -> Result<i64, Errno> {
    let n = scan(s, 10).ok_or(Errno::INVAL)?;
    let m = i128::from(n.magnitude.ok_or(Errno::RANGE)?);
    let v = i64::try_from(if n.negative { -m } else { m }).map_err(|_| Errno::RANGE)?;
    if n.end != s.len() {
        return Err(Errno::INVAL);
    }
    Ok(v)
}

/// iproute2's `get_integer(..., 0)` family: `strtol(word, &end, 0)` that must consume the whole
/// word and fit an `i64`; `None` otherwise.
pub fn strtol_base0(word: &[u8]) -> Option<i64> {
    let n = scan(word, 0).filter(|n| n.end == word.len())?;
    let m = i128::from(n.magnitude?);
    i64::try_from(if n.negative { -m } else { m }).ok()
}

/// util-linux `strtou64_or_err(s, what)`: [`strtou64`], failing with [`or_err`]'s message.
pub fn strtou64_or_err(s: &[u8], what: &str) -> Result<u64, Error> {
    strtou64(s).map_err(|errno| or_err(what, s, errno))
}

/// The error util-linux's `*_or_err` parsers exit with: `WHAT: 'S'`, plus
/// `: Numerical result out of range` for ERANGE.
pub fn or_err(what: &str, s: &[u8], errno: Errno) -> Error {
    let text = format!("{what}: '{}'", String::from_utf8_lossy(s));
    if errno == Errno::RANGE {
        Error::sys(text, errno)
    } else {
        Error::msg(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_like_ul_strtou64() {
        assert_eq!(strtou64(b"5"), Ok(5));
        assert_eq!(strtou64(b" +5"), Ok(5));
        assert_eq!(strtou64(b"-0"), Ok(0));
        assert_eq!(strtou64(b"18446744073709551615"), Ok(u64::MAX));
        for (s, e) in [
            (&b"-1"[..], Errno::RANGE),
            (b"-5x", Errno::RANGE),
            (b"18446744073709551616", Errno::RANGE),
            (b"", Errno::INVAL),
            (b"x", Errno::INVAL),
            (b"5 ", Errno::INVAL),
            (b"-", Errno::INVAL),
            (b"0x10", Errno::INVAL),
        ] {
            assert_eq!(strtou64(s), Err(e), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn signed_like_ul_strtos64() {
        assert_eq!(strtos64(b"-100"), Ok(-100));
        assert_eq!(strtos64(b" +5"), Ok(5));
        assert_eq!(strtos64(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(strtos64(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(strtos64(b"9223372036854775808"), Err(Errno::RANGE));
        assert_eq!(strtos64(b"-9223372036854775809x"), Err(Errno::RANGE));
        for bad in [&b""[..], b"abc", b"5 ", b"0x10", b"-", b" "] {
            assert_eq!(strtos64(bad), Err(Errno::INVAL));
        }
    }

    #[test]
    fn base_zero_like_strtol() {
        assert_eq!(strtol_base0(b"42"), Some(42));
        assert_eq!(strtol_base0(b"0x10"), Some(16));
        assert_eq!(strtol_base0(b"0X1f"), Some(31));
        assert_eq!(strtol_base0(b"010"), Some(8));
        assert_eq!(strtol_base0(b"0"), Some(0));
        assert_eq!(strtol_base0(b" -3"), Some(-3));
        for bad in [
            &b"08"[..],
            b"0x",
            b"",
            b"-",
            b"12a",
            b"99999999999999999999",
        ] {
            assert_eq!(strtol_base0(bad), None);
        }
    }

    #[test]
    fn prefixes_like_strtoul() {
        assert_eq!(strtoul_prefix(b"12:34"), (12, 2));
        assert_eq!(strtoul_prefix(b"-1"), (u64::MAX, 2));
        assert_eq!(strtoul_prefix(b"99999999999999999999,"), (u64::MAX, 20));
        assert_eq!(strtoul_prefix(b"abc"), (0, 0));
        let huge = vec![b'7'; 100_000];
        assert_eq!(strtoul_prefix(&huge), (u64::MAX, 100_000));
    }
}
