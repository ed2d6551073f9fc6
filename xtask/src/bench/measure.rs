//! One measured run: spawn a command (or a short sequence of commands), wait for it with
//! wait4(2), and keep wall time, user and system CPU, and peak RSS from its rusage.
//!
//! The child is started with fork+exec (not vfork): Linux records the pre-exec address
//! space's high-water mark in the child's `ru_maxrss`, so a vfork child would report the
//! bench's own peak. A forked child starts from its parent's resident anonymous pages instead,
//! and the bench itself is large (clap, tabled, procfs, the load's bookkeeping: 2.6 MiB, above
//! our tools' own peak), so the forking is done by a fresh xtask process that does nothing else
//! ([`RUNNER_ARG`], [`runner_main`]), one per sample; it measures the wall time itself, so its
//! own start is not counted. The bench reports the floor (a trivial program's peak RSS
//! started the same way) next to the results.
//!
//! Every command gets the same small environment (PATH and the locale), not the one `cargo
//! run` hands the bench.

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

/// The environment every measured command gets: a standard PATH and the caller's locale,
/// nothing else. `cargo xtask` runs under `cargo run`, which sets `LD_LIBRARY_PATH` (and
/// CARGO_*, RUSTUP_*): inherited, it sent every dynamically linked program through extra
/// library directories, `/usr/bin/true` after a static busybox applet included, and made
/// ours look 9% slower next to busybox than it is.
fn environment(c: &mut Command) {
    c.env_clear().env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (k, v) in std::env::vars_os() {
        let k_text = k.to_string_lossy();
        if k_text == "LANG" || k_text.starts_with("LC_") {
            c.env(k, v);
        }
    }
}

/// How a command is started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Start {
    /// As it is.
    #[default]
    Plain,
    /// With `listns(2)` refused by a seccomp filter (the test kit's
    /// `old_kernel::install_no_listns`): the discovery of kernels before 6.19, on this kernel.
    NoListns,
}

fn command(argv: &[OsString], start: Start) -> Command {
    let mut c = Command::new(&argv[0]);
    c.args(&argv[1..]);
    environment(&mut c);
    // A pre_exec hook makes std use fork+exec instead of posix_spawn (vfork); see the module
    // comment.
    match start {
        Start::Plain => {
            // SAFETY: the closure does nothing.
            unsafe { c.pre_exec(|| Ok(())) };
        }
        Start::NoListns => {
            // SAFETY: the hook makes prctl(2) calls on constant data only (no allocation),
            // which is safe between fork and exec.
            unsafe { c.pre_exec(nsutils_testkit::old_kernel::install_no_listns) };
        }
    }
    c
}

/// xtask's hidden first argument that makes it a runner: `xtask __bench-run START (N WORD...)...`
/// runs the sequence (START `plain` or `no-listns`; each command is its word count N, then its
/// words) and prints `WALL CPU RSS` (seconds, seconds, KiB) on stdout, or a message on stderr
/// and exits 1.
pub const RUNNER_ARG: &str = "__bench-run";

/// Run the sequence once, output discarded, from a fresh runner process (see the module
/// comment). Err when a command cannot start or exits non-zero.
pub fn run(seq: &[Vec<OsString>], start: Start) -> Result<Sample, String> {
    let exe = std::env::current_exe().map_err(|e| format!("xtask's own path: {e}"))?;
    let mut c = Command::new(exe);
    c.arg(RUNNER_ARG).arg(match start {
        Start::Plain => "plain",
        Start::NoListns => "no-listns",
    });
    for argv in seq {
        c.arg(argv.len().to_string()).args(argv);
    }
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start the bench runner: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut f = text.split_whitespace();
    let mut next = || {
        f.next()
            .ok_or_else(|| format!("bench runner said {text:?}"))
    };
    let (wall, cpu, rss) = (next()?, next()?, next()?);
    let bad = || format!("bench runner said {text:?}");
    Ok(Sample {
        wall: wall.parse().map_err(|_| bad())?,
        cpu: cpu.parse().map_err(|_| bad())?,
        rss_kib: rss.parse().map_err(|_| bad())?,
    })
}

/// The runner's side of [`run`] (`args` after [`RUNNER_ARG`]); returns the exit status.
pub fn runner_main(args: &[OsString]) -> i32 {
    let start = match args.first().and_then(|a| a.to_str()) {
        Some("plain") => Start::Plain,
        Some("no-listns") => Start::NoListns,
        _ => {
            eprintln!("bench runner: no start given");
            return 1;
        }
    };
    let mut seq = Vec::new();
    let mut rest = &args[1..];
    while let Some(n) = rest.first() {
        let Some(n) = n.to_str().and_then(|n| n.parse::<usize>().ok()) else {
            eprintln!("bench runner: bad word count {n:?}");
            return 1;
        };
        if n == 0 || rest.len() < 1 + n {
            eprintln!("bench runner: a command of {n} words is cut short");
            return 1;
        }
        seq.push(rest[1..1 + n].to_vec());
        rest = &rest[1 + n..];
    }
    match run_here(&seq, start) {
        Ok(s) => {
            println!("{} {} {}", s.wall, s.cpu, s.rss_kib);
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Run the sequence once in this process's children, output discarded.
fn run_here(seq: &[Vec<OsString>], start: Start) -> Result<Sample, String> {
    let mut s = Sample::default();
    for argv in seq {
        let t0 = Instant::now();
        let child = command(argv, start)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", argv[0].to_string_lossy()))?;
        let (status, ru) = wait4(child.id() as i32).map_err(|e| format!("wait4: {e}"))?;
        s.wall += t0.elapsed().as_secs_f64();
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
pub fn smoke(seq: &[Vec<OsString>], start: Start) -> Result<Vec<Ran>, String> {
    use std::os::unix::process::ExitStatusExt;
    let mut v = Vec::new();
    for argv in seq {
        let out = command(argv, start)
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

/// Put `files` in the page-cache state they have after a reboot: written back (`sync FILE`),
/// then dropped from the cache (`dd iflag=nocache count=0`, posix_fadvise DONTNEED), so the
/// warm-up's first exec reads them in by page faults. Measured on Linux 6.18/ext4: a binary
/// still cached from being written (just linked, copied or unpacked) starts about 20% faster
/// than the same bytes read in by exec, enough to decide a comparison; so every contestant
/// is levelled first. Only the page cache changes; a file that cannot be dropped is named.
pub fn level_page_cache(files: &[std::path::PathBuf]) -> Vec<String> {
    let files: Vec<&std::path::PathBuf> = files.iter().filter(|f| f.is_file()).collect();
    if files.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    match Command::new("sync").args(&files).status() {
        Ok(s) if s.success() => {}
        other => problems.push(format!("sync of the measured binaries: {other:?}")),
    }
    for f in files {
        let ok = Command::new("dd")
            .arg(format!("if={}", f.display()))
            .args(["iflag=nocache", "count=0", "status=none"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            problems.push(format!(
                "{} stays cached (dd iflag=nocache failed)",
                f.display()
            ));
        }
    }
    problems
}
