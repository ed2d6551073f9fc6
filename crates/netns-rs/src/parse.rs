//! Numbers as iproute2 reads them: C `strtol(3)` with base 0 (so `0x10` is 16 and `010` is 8),
//! which must consume the whole word (`get_integer`, `get_s32`).

/// `strtol(word, &end, 0)` that must end at the word's end (see
/// [`nscore::cmdline::num::strtol_base0`]).
pub fn strtol_exact(word: &[u8]) -> Option<i64> {
    nscore::cmdline::num::strtol_base0(word)
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
