//! Numbers as iproute2 reads them: C `strtol(3)` with base 0 (so `0x10` is 16 and `010` is 8),
//! which must consume the whole word (`get_integer`, `get_s32`).

/// `strtol(word, &end, 0)` that must end at the word's end: optional leading white space, an
/// optional sign, then `0x`/`0X` hex, `0` octal or decimal digits. `None` for junk, an empty
/// word, trailing bytes, or a value outside `i64` (ERANGE).
pub fn strtol_exact(word: &[u8]) -> Option<i64> {
    let mut s = word;
    while let Some((&c, rest)) = s.split_first() {
        if c == b' ' || (b'\t'..=b'\r').contains(&c) {
            s = rest;
        } else {
            break;
        }
    }
    let mut negative = false;
    if let Some((&c, rest)) = s.split_first() {
        if c == b'+' || c == b'-' {
            negative = c == b'-';
            s = rest;
        }
    }
    let (radix, digits) = if (s.starts_with(b"0x") || s.starts_with(b"0X"))
        && s.get(2).is_some_and(|c| c.is_ascii_hexdigit())
    {
        (16, &s[2..])
    } else if s.starts_with(b"0") {
        (8, s)
    } else {
        (10, s)
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i128 = 0;
    for &c in digits {
        let d = (c as char).to_digit(radix)? as i128;
        value = value * radix as i128 + d;
        if value > i64::MAX as i128 + 1 {
            return None;
        }
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).ok()
}

/// `get_integer`/`get_s32`: [`strtol_exact`] that also fits an `i32`.
pub fn get_i32(word: &[u8]) -> Option<i32> {
    strtol_exact(word).and_then(|v| i32::try_from(v).ok())
}

/// iproute2's `is_pid()`: every byte an ASCII digit (the empty word passes).
pub fn is_pid(word: &[u8]) -> bool {
    word.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_base_zero() {
        assert_eq!(strtol_exact(b"42"), Some(42));
        assert_eq!(strtol_exact(b"0x10"), Some(16));
        assert_eq!(strtol_exact(b"010"), Some(8));
        assert_eq!(strtol_exact(b"0"), Some(0));
        assert_eq!(strtol_exact(b" -3"), Some(-3));
        assert_eq!(strtol_exact(b"+7"), Some(7));
        assert_eq!(strtol_exact(b"08"), None);
        assert_eq!(strtol_exact(b"0x"), None);
        assert_eq!(strtol_exact(b""), None);
        assert_eq!(strtol_exact(b"-"), None);
        assert_eq!(strtol_exact(b"12a"), None);
        assert_eq!(strtol_exact(b"99999999999999999999"), None);
        assert_eq!(get_i32(b"2147483648"), None);
        assert_eq!(get_i32(b"-2147483648"), Some(i32::MIN));
    }

    #[test]
    fn pids() {
        assert!(is_pid(b"123"));
        assert!(is_pid(b""));
        assert!(!is_pid(b"12a"));
    }
}
