//! What the tools' output layer needs from the C library and the terminal: POSIX extended
//! regular expressions (`regcomp(3)`/`regexec(3)`, as libsmartcols filters use them, so `=~`
//! matches and its error messages are glibc's own), the terminal width (`TIOCGWINSZ`), and
//! the locale the environment names (`setlocale(3)`), which decides UTF-8 or ASCII output.
//!
//! # Example
//!
//! ```
//! use nscore::display::PosixRegex;
//!
//! let re = PosixRegex::new(b"^(net|mnt)$").unwrap();
//! assert!(re.is_match(b"net"));
//! assert!(!re.is_match(b"network"));
//! // The error is glibc's regerror(3) text.
//! assert!(PosixRegex::new(b"(").is_err());
//! ```

use std::ffi::CString;

/// A compiled POSIX extended regular expression (`REG_EXTENDED | REG_NOSUB`).
pub struct PosixRegex {
    re: Box<libc::regex_t>,
}

impl PosixRegex {
    /// `regcomp(3)` with `REG_EXTENDED | REG_NOSUB`. The error is `regerror(3)`'s text.
    #[doc(alias = "regcomp")]
    pub fn new(pattern: &[u8]) -> Result<PosixRegex, String> {
        let Ok(cpat) = CString::new(pattern) else {
            return Err("Invalid regular expression".into());
        };
        // SAFETY: regex_t is plain data that regcomp initialises; zero is a valid start.
        let mut re: Box<libc::regex_t> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `re` points at a live regex_t and `cpat` is NUL-terminated.
        let rc = unsafe {
            libc::regcomp(
                &mut *re,
                cpat.as_ptr(),
                libc::REG_EXTENDED | libc::REG_NOSUB,
            )
        };
        if rc != 0 {
            let mut buf = [0u8; 256];
            // SAFETY: regerror writes at most buf.len() bytes (NUL included) into buf.
            let n = unsafe { libc::regerror(rc, &*re, buf.as_mut_ptr().cast(), buf.len()) };
            let end = n.saturating_sub(1).min(buf.len());
            // A failed regcomp leaves nothing to free.
            return Err(String::from_utf8_lossy(&buf[..end]).into_owned());
        }
        Ok(PosixRegex { re })
    }

    /// `regexec(3)`: whether `text` matches. Text with a NUL byte is matched up to the NUL.
    #[doc(alias = "regexec")]
    pub fn is_match(&self, text: &[u8]) -> bool {
        let cut = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        let Ok(ctext) = CString::new(&text[..cut]) else {
            return false;
        };
        // SAFETY: `re` was initialised by a successful regcomp; `ctext` is NUL-terminated;
        // REG_NOSUB means no match array is written.
        unsafe { libc::regexec(&*self.re, ctext.as_ptr(), 0, std::ptr::null_mut(), 0) == 0 }
    }
}

impl Drop for PosixRegex {
    fn drop(&mut self) {
        // SAFETY: `re` was initialised by a successful regcomp and is freed exactly once.
        unsafe { libc::regfree(&mut *self.re) }
    }
}

/// The width of the terminal on standard output (`ioctl(1, TIOCGWINSZ)`), if it is one and
/// reports a non-zero width. See ioctl_tty(2).
#[doc(alias = "TIOCGWINSZ")]
pub fn stdout_terminal_columns() -> Option<usize> {
    // SAFETY: winsize is plain data; zero is a valid start.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one winsize through the pointer, which points at a live local.
    let rc = unsafe {
        libc::ioctl(
            libc::STDOUT_FILENO,
            libc::TIOCGWINSZ,
            &mut ws as *mut libc::winsize,
        )
    };
    (rc == 0 && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

/// `setlocale(LC_ALL, "")`, as util-linux tools do first thing, then whether the character
/// set is UTF-8 (`nl_langinfo(CODESET)`). The C library decides, so a locale the environment
/// names but the system lacks (`LANG=en_US.UTF-8` with no such locale installed) leaves the
/// C locale, as it does for the originals. Call it before starting any thread: `setlocale`
/// changes process-wide state. See setlocale(3), nl_langinfo(3).
#[doc(alias = "setlocale")]
pub fn set_locale_from_env() -> bool {
    // SAFETY: the argument is a NUL-terminated empty string; no other thread is running (the
    // caller's contract), so no one reads the locale while it changes.
    let ok = unsafe { !libc::setlocale(libc::LC_ALL, c"".as_ptr()).is_null() };
    if !ok {
        return false;
    }
    // SAFETY: nl_langinfo returns a pointer to a NUL-terminated string owned by the C library,
    // valid until the next setlocale; it is read at once.
    let cs = unsafe { std::ffi::CStr::from_ptr(libc::nl_langinfo(libc::CODESET)) };
    cs.to_bytes() == b"UTF-8"
}

extern "C" {
    fn wcwidth(c: libc::wchar_t) -> libc::c_int;
    // wint_t is an unsigned int in glibc.
    fn iswprint(wc: libc::c_uint) -> libc::c_int;
}

/// The terminal cells `c` takes in the current locale (`wcwidth(3)`): 0 for combining marks,
/// 2 for wide East Asian characters and emoji, `None` for a character that is not printable.
/// Meaningful after [`set_locale_from_env`] has chosen a UTF-8 locale.
#[doc(alias = "wcwidth")]
pub fn char_cells(c: char) -> Option<usize> {
    // SAFETY: wcwidth only reads its argument (a Unicode scalar value fits wchar_t, i32 here).
    let w = unsafe { wcwidth(c as libc::wchar_t) };
    usize::try_from(w).ok()
}

/// Whether `c` is printable in the current locale (`iswprint(3)`); libsmartcols shows the
/// bytes of a character that is not as `\xHH`.
#[doc(alias = "iswprint")]
pub fn char_printable(c: char) -> bool {
    // SAFETY: iswprint only reads its argument.
    unsafe { iswprint(c as libc::c_uint) != 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_extended_regex() {
        let re = PosixRegex::new(b"^ab+(c|d)$").unwrap();
        assert!(re.is_match(b"abbbd"));
        assert!(!re.is_match(b"ac"));
        let cls = PosixRegex::new(b"[[:digit:]]{3}").unwrap();
        assert!(cls.is_match(b"x123"));
        assert!(PosixRegex::new(b"(").is_err());
        assert!(PosixRegex::new(b"a\0b").is_err());
    }
}
