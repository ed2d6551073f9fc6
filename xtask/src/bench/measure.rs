//! One measured run: spawn a command (or a short sequence of commands), wait for it with
//! wait4(2), and keep wall time, user and system CPU, and peak RSS from its rusage.
//!
//! The child is started with fork+exec (not vfork): Linux records the pre-exec address
//! space's high-water mark in the child's `ru_maxrss`, so a vfork child would report the
//! bench's own peak. A forked child starts from the bench's few resident pages instead; the
//! bench reports that floor (a trivial program's peak RSS) next to the results.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What one run cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Wall time, seconds.
    pub wall: f64,
    /// User + system CPU time, seconds.
    pub cpu: f64,
    /// Peak resident set size, KiB (the largest of the sequence's commands).
    pub rss_kib: i64,
}

/// The rusage and status of a finished child.
fn wait4(pid: i32) -> std::io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to a status int and an rusage struct that outlive the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, ru));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn secs(tv: libc::timeval) -> f64 {
    tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6
}

fn command(argv: &[OsString]) -> Command {
    let mut c = Command::new(&argv[0]);
    c.args(&argv[1..]);
    // A pre_exec hook makes std use fork+exec instead of posix_spawn (vfork); see the module
    // comment.
    // SAFETY: the closure does nothing.
    unsafe { c.pre_exec(|| Ok(())) };
    c
}

/// Run the sequence once, output discarded. Err when a command cannot start or exits non-zero.
pub fn run(seq: &[Vec<OsString>]) -> Result<Sample, String> {
    let mut s = Sample::default();
    for argv in seq {
        let start = Instant::now();
        let child = command(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", argv[0].to_string_lossy()))?;
        let (status, ru) = wait4(child.id() as i32).map_err(|e| format!("wait4: {e}"))?;
        s.wall += start.elapsed().as_secs_f64();
        s.cpu += secs(ru.ru_utime) + secs(ru.ru_stime);
        s.rss_kib = s.rss_kib.max(ru.ru_maxrss);
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            return Err(format!("{} exited with status {status:#x}", words(argv)));
        }
    }
    Ok(s)
}

/// A command's exit code, stdout and stderr.
pub type Ran = (i32, Vec<u8>, Vec<u8>);

/// Run every command of the sequence once with output captured: (exit code, stdout, stderr)
/// each (a signal counts as 128 + its number).
pub fn smoke(seq: &[Vec<OsString>]) -> Result<Vec<Ran>, String> {
    use std::os::unix::process::ExitStatusExt;
    let mut v = Vec::new();
    for argv in seq {
        let out = command(argv)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", argv[0].to_string_lossy()))?;
        let code = out
            .status
            .code()
            .unwrap_or_else(|| 128 + out.status.signal().unwrap_or(0));
        v.push((code, out.stdout, out.stderr));
    }
    Ok(v)
}

/// A command line for messages.
pub fn words(argv: &[OsString]) -> String {
    argv.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
