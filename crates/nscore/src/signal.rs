//! Signal dispositions, masks and names.
//!
//! rustix has no public `sigaction` or `sigprocmask`, so the few calls the tools need (restoring
//! SIGPIPE, holding back SIGINT/SIGTERM while a parent waits, forwarding them to a child,
//! re-raising a child's fatal signal) are here, each a small `unsafe` block over libc.
//!
//! # Example
//!
//! ```
//! use nscore::signal;
//!
//! assert_eq!(signal::parse_name("term"), Some(15));
//! assert_eq!(signal::parse_name("SIGKILL"), Some(9));
//! assert_eq!(signal::parse_name("15"), None); // numbers are not names
//!
//! // Block SIGUSR1 for a while, then put the mask back.
//! let saved = signal::block(&[10]).unwrap();
//! saved.restore().unwrap();
//! ```

use std::sync::atomic::{AtomicI32, Ordering};

use rustix::io::Errno;

use crate::error::{Error, Result};

fn last_errno() -> Errno {
    Errno::from_raw_os_error(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
}

/// Set SIGPIPE back to its default action. Rust starts every program with SIGPIPE ignored; C
/// tools die quietly on a closed pipe, and programs we exec must not inherit "ignored".
pub fn restore_default_sigpipe() {
    set_default(libc::SIGPIPE);
}

/// `signal(sig, SIG_DFL)`. See signal(2).
pub fn set_default(sig: i32) {
    // SAFETY: installing SIG_DFL involves no handler code and no pointers of ours.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
    }
}

/// `signal(sig, SIG_IGN)`. See signal(2).
pub fn ignore(sig: i32) {
    // SAFETY: installing SIG_IGN involves no handler code and no pointers of ours.
    unsafe {
        libc::signal(sig, libc::SIG_IGN);
    }
}

/// A saved signal mask, to put back with [`SavedMask::restore`].
pub struct SavedMask(libc::sigset_t);

fn sigset_of(signals: &[i32]) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it before use and sigaddset only
    // writes into it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// `sigprocmask(SIG_BLOCK, signals)`: hold these signals back; returns the previous mask.
#[doc(alias = "sigprocmask")]
pub fn block(signals: &[i32]) -> Result<SavedMask> {
    change_mask(libc::SIG_BLOCK, signals)
}

/// `sigprocmask(SIG_UNBLOCK, signals)`; returns the previous mask.
#[doc(alias = "sigprocmask")]
pub fn unblock(signals: &[i32]) -> Result<SavedMask> {
    change_mask(libc::SIG_UNBLOCK, signals)
}

fn change_mask(how: i32, signals: &[i32]) -> Result<SavedMask> {
    let set = sigset_of(signals);
    let mut old = sigset_of(&[]);
    // SAFETY: both pointers point at initialised sigset_t values that live across the call.
    let r = unsafe { libc::sigprocmask(how, &set, &mut old) };
    if r != 0 {
        return Err(Error::sys("sigprocmask failed", last_errno()));
    }
    Ok(SavedMask(old))
}

impl SavedMask {
    /// Put this mask back (`sigprocmask(SIG_SETMASK)`).
    pub fn restore(&self) -> Result<()> {
        // SAFETY: self.0 is an initialised sigset_t; the old-mask pointer may be null.
        let r = unsafe { libc::sigprocmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut()) };
        if r != 0 {
            return Err(Error::sys("sigprocmask failed", last_errno()));
        }
        Ok(())
    }
}

static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward_handler(sig: i32) {
    let pid = FORWARD_TO.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe and takes plain integers.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Install handlers (with SA_RESTART) that pass each of `signals` on to process `pid` with
/// `kill(2)`, as `unshare --forward-signals` does. Set the target with [`set_forward_target`].
pub fn forward(signals: &[i32]) -> Result<()> {
    for &sig in signals {
        // SAFETY: sigaction is plain data, zero is a valid starting value; the handler is an
        // `extern "C" fn(i32)` that only calls the async-signal-safe kill(2).
        let r = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = forward_handler as extern "C" fn(i32) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(Error::sys("sigaction failed", last_errno()));
        }
    }
    Ok(())
}

extern "C" fn forward_sent_handler(sig: i32, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: for an SA_SIGINFO handler the kernel passes a valid siginfo_t.
    let code = unsafe { (*info).si_code };
    if code <= 0 {
        forward_handler(sig);
    }
}

/// As [`forward`], but only signals a process sent (`kill`, `sigqueue`, `tgkill`: `si_code` <= 0)
/// are passed on; those the kernel generated (a terminal's Ctrl-C, Ctrl-\, a window-size
/// change) already reach the whole foreground process group, the target included, and passing
/// them on would deliver them twice.
pub fn forward_sent(signals: &[i32]) -> Result<()> {
    for &sig in signals {
        // SAFETY: sigaction is plain data, zero is a valid starting value; the handler is an
        // `extern "C"` SA_SIGINFO handler that reads its siginfo and calls only kill(2).
        let r = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = forward_sent_handler
                as extern "C" fn(i32, *mut libc::siginfo_t, *mut libc::c_void)
                as usize;
            sa.sa_flags = libc::SA_RESTART | libc::SA_SIGINFO;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(Error::sys("sigaction failed", last_errno()));
        }
    }
    Ok(())
}

/// Which process [`forward`]ed signals go to.
pub fn set_forward_target(pid: i32) {
    FORWARD_TO.store(pid, Ordering::Relaxed);
}

/// `kill(getpid(), sig)`: send a signal to ourselves (to die of the same signal as a child).
pub fn raise(sig: i32) -> Result<()> {
    // SAFETY: kill and getpid take and return plain integers.
    let r = unsafe { libc::kill(libc::getpid(), sig) };
    if r != 0 {
        return Err(Error::sys("kill failed", last_errno()));
    }
    Ok(())
}

/// `kill(pid, sig)`.
pub fn kill(pid: i32, sig: i32) -> Result<()> {
    // SAFETY: kill takes plain integers.
    let r = unsafe { libc::kill(pid, sig) };
    if r != 0 {
        return Err(Error::sys("kill failed", last_errno()));
    }
    Ok(())
}

/// The standard signal names (without `SIG`) and numbers on Linux.
pub const NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("POLL", libc::SIGPOLL),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// Parse a signal *name* as util-linux's `signame_to_signum` does for `--kill-child`:
/// case-insensitive, with or without `SIG`; numbers are not names and give `None`. A name
/// starting with `RT` is a real-time signal: `RTMIN+N`, `RTMAX-N` or `RTN` (= `RTMIN+N`), where
/// N starts with a digit and is read as `strtol` reads it (trailing bytes ignored); bare `RTMIN`
/// and `RTMAX` are not accepted.
pub fn parse_name(name: &str) -> Option<i32> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(rest) = bare.strip_prefix("RT") {
        let (digits, from_max) = if let Some(r) = rest.strip_prefix("MIN+") {
            (r, false)
        } else if let Some(r) = rest.strip_prefix("MAX-") {
            (r, true)
        } else {
            (rest, false)
        };
        let len = digits.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        let off: i32 = crate::id::parse_u64_digits(&digits.as_bytes()[..len])?
            .try_into()
            .ok()?;
        let (rtmin, rtmax) = (libc::SIGRTMIN(), libc::SIGRTMAX());
        let n = if from_max {
            rtmax - off
        } else {
            rtmin.checked_add(off)?
        };
        return (rtmin..=rtmax).contains(&n).then_some(n);
    }
    NAMES.iter().find(|(n, _)| *n == bare).map(|&(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_like_util_linux() {
        assert_eq!(parse_name("KILL"), Some(9));
        assert_eq!(parse_name("sigterm"), Some(15));
        assert_eq!(parse_name("SigUsr1"), Some(libc::SIGUSR1));
        assert_eq!(parse_name("RTMIN+2"), Some(libc::SIGRTMIN() + 2));
        assert_eq!(parse_name("RTMAX-1"), Some(libc::SIGRTMAX() - 1));
        assert_eq!(parse_name("sigrt3"), Some(libc::SIGRTMIN() + 3));
        assert_eq!(parse_name("RTMIN+3x"), Some(libc::SIGRTMIN() + 3));
        for bad in [
            "9",
            "",
            "SIG",
            "NOPE",
            "RTMIN+999",
            "RTMIN+x",
            "\u{0}",
            "RTMIN",
            "RTMAX",
            "RT",
            "RT+3",
            "RTMIN+ 3",
            "RTMIN+-1",
        ] {
            assert_eq!(parse_name(bad), None, "{bad:?}");
        }
    }
}
