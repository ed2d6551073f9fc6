//! A minimal init for a new PID namespace (`unshare-rs --init`).
//!
//! The first process of a PID namespace is its init: orphans are re-parented to it, and the
//! kernel delivers to it only the signals it has a handler for (or, as here, has blocked and
//! waits for). A program that does not expect this role leaves zombies behind and ignores
//! SIGTERM. [`supervise`] is the role done properly: the program runs as the init's child
//! (PID 2), every child is reaped, the usual termination signals (and SIGWINCH) that a process
//! sends are passed on to the program (the kernel's own, from a terminal, reach it directly), and when the program ends everything left in the namespace is killed and
//! reaped before its status is returned.
//!
//! Everything after `fork` is system calls on the stack: no thread, no allocation.
//!
//! # Example
//!
//! ```
//! use nscore::create::{exit_child, fork, getpid, run_in_child, unshare, ChildStatus, Forked};
//! use nscore::init;
//! use nscore::kind::{NsKind, NsKinds};
//!
//! // `unshare --fork --pid --init`, in a child: a PID namespace whose first process runs the
//! // init, which runs the program as PID 2 and returns its status.
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User, NsKind::Pid])).is_err() {
//!         return 77; // user namespaces are switched off here
//!     }
//!     // The next child is PID 1 of the new namespace.
//!     let pid1 = run_in_child(|| {
//!         let Ok(saved) = init::block_signals() else { return 1 };
//!         match fork() {
//!             Ok(Forked::Child) => {
//!                 let _ = saved.restore();
//!                 exit_child(if getpid() == 2 { 3 } else { 4 })
//!             }
//!             Ok(Forked::Parent(program)) => init::supervise(program).shell_code(),
//!             Err(_) => 5,
//!         }
//!     });
//!     match pid1 {
//!         Ok(st) => st.shell_code(),
//!         Err(_) => 6,
//!     }
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(3 | 77)), "{status:?}");
//! ```

use crate::create::ChildStatus;
use crate::error::Result;
use crate::signal::{self, SavedMask};

/// The signals the init passes on to the program: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
/// SIGUSR2 and SIGWINCH.
pub const FORWARDED: [i32; 7] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// What the init waits for: the [`FORWARDED`] signals and SIGCHLD.
const WATCHED: [i32; 8] = {
    let mut w = [libc::SIGCHLD; 8];
    let mut i = 0;
    while i < FORWARDED.len() {
        w[i] = FORWARDED[i];
        i += 1;
    }
    w
};

/// Block the forwarded signals and SIGCHLD, before forking the program, so none is lost
/// between the fork and [`supervise`]; returns the mask to restore in the program's process.
pub fn block_signals() -> Result<SavedMask> {
    signal::block(&WATCHED)
}

fn decode(status: i32) -> ChildStatus {
    if libc::WIFSIGNALED(status) {
        ChildStatus::Signaled(libc::WTERMSIG(status))
    } else {
        ChildStatus::Exited(libc::WEXITSTATUS(status))
    }
}

/// `waitpid(-1, WNOHANG)` until nothing is left to reap; returns the status of `program` if it
/// was among those reaped.
fn reap_all(program: i32) -> Option<ChildStatus> {
    let mut found = None;
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out-pointer on our stack; waitpid has no other
        // preconditions.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return found;
        }
        if pid == program {
            found = Some(decode(status));
        }
    }
}

/// Be the init of the namespace for `program`, already forked by the caller after
/// [`block_signals`]: pass the [`FORWARDED`] signals on to it, reap every child, and when the
/// program has ended, SIGKILL everything else in the namespace, reap it, and return the
/// program's status.
pub fn supervise(program: i32) -> ChildStatus {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it before sigaddset writes to it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in WATCHED {
            libc::sigaddset(&mut set, s);
        }
        set
    };
    loop {
        if let Some(status) = reap_all(program) {
            end_the_rest();
            return status;
        }
        // SAFETY: siginfo_t is plain data that sigwaitinfo fills in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: set is an initialised sigset_t and info a writable siginfo_t on our stack.
        let sig = unsafe { libc::sigwaitinfo(&set, &mut info) };
        // Only what a process sent: what the kernel generated for the terminal's foreground
        // process group (Ctrl-C, a window-size change) reached the program already.
        if sig > 0 && sig != libc::SIGCHLD && info.si_code <= 0 {
            // SAFETY: kill takes plain integers.
            unsafe {
                libc::kill(program, sig);
            }
        }
    }
}

/// SIGKILL every other process of the namespace (`kill(-1)` from its init reaches all of them)
/// and reap them until none is left.
fn end_the_rest() {
    // Only as PID 1: anywhere else kill(-1) would reach every process we may signal.
    if crate::create::getpid() == 1 {
        // SAFETY: kill takes plain integers; -1 from a PID namespace's init means "every
        // process of the namespace but me".
        unsafe {
            libc::kill(-1, libc::SIGKILL);
        }
    }
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out-pointer on our stack.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid > 0 {
            continue;
        }
        let errno = std::io::Error::last_os_error().raw_os_error();
        if pid < 0 && errno == Some(libc::EINTR) {
            continue;
        }
        return;
    }
}
