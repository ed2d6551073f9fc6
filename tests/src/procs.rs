//! Other processes as the tests watch them, read from /proc through procfs: a process's
//! children, its command name and its state, and a wait for a child that runs a given program.
//!
//! Everything here answers "not (yet)" for a process that is gone or unreadable, since the
//! tests poll processes that start and exit under them; a caller decides what is a failure.

use procfs::process::Process;
use std::time::{Duration, Instant};

/// The children of `pid`'s main thread (`/proc/PID/task/PID/children`), oldest first; empty
/// when it has none or is gone.
pub fn children(pid: i32) -> Vec<i32> {
    Process::new(pid)
        .and_then(|p| p.task_main_thread())
        .and_then(|t| t.children())
        .map(|c| {
            c.into_iter()
                .filter_map(|k| i32::try_from(k).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `pid`'s command name (`comm`: the program's file name, cut to 15 bytes), or `None` when it
/// is gone.
pub fn comm(pid: i32) -> Option<String> {
    Process::new(pid)
        .and_then(|p| p.stat())
        .ok()
        .map(|s| s.comm)
}

/// `pid`'s state letter from /proc/PID/stat (`R`, `S`, `T` stopped, `Z` zombie...), or `None`
/// when it is gone.
pub fn state(pid: i32) -> Option<char> {
    Process::new(pid)
        .and_then(|p| p.stat())
        .ok()
        .map(|s| s.state)
}

/// Wait until a child of `parent` runs `program` (its `comm`), and return that child's PID:
/// an event, polled every 5 ms, with `guard` as a hang guard only. Panics with `what` when the
/// guard runs out.
pub fn wait_for_child(parent: i32, program: &str, guard: Duration, what: &str) -> i32 {
    let deadline = Instant::now() + guard;
    loop {
        if let Some(k) = children(parent)
            .into_iter()
            .find(|&k| comm(k).as_deref() == Some(program))
        {
            return k;
        }
        assert!(Instant::now() < deadline, "{what}: no child runs {program}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn finds_a_shells_child_and_its_state() {
        // `; :` keeps the shell from exec'ing sleep: sleep runs as its child.
        let mut sh = Command::new("sh")
            .args(["-c", "sleep 30; :"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let shell = sh.id() as i32;
        let sleep = wait_for_child(shell, "sleep", Duration::from_secs(30), "sh");
        assert_eq!(children(shell), [sleep]);
        assert!(
            matches!(state(sleep), Some('R' | 'S')),
            "{:?}",
            state(sleep)
        );
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(sleep).unwrap(),
            rustix::process::Signal::KILL,
        )
        .unwrap();
        let _ = sh.wait();
        // Beyond the largest pid_max (2^22): no such process.
        let gone = i32::MAX;
        assert_eq!((comm(gone), state(gone)), (None, None));
        assert!(children(gone).is_empty());
    }
}
