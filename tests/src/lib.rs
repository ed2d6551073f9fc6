//! nsutils-testkit: what every nsutils test stands on.
//!
//! - [`need_root`]: privileged tests fail loudly under CI instead of skipping.
//! - [`oracle`] and [`prereq`]: a test binary that lacks the oracle or a package it needs says
//!   so once and stops (outside CI) or fails (under CI).
//! - [`sandbox`]: run a command inside a fresh private mount namespace with its own tmpfs over
//!   `/run` (so `/run/netns` is empty and private) and a scratch directory, so nothing a test
//!   mounts or creates reaches the host, and everything vanishes with the last process in it,
//!   even when the test fails half-way.
//! - [`old_kernel`]: a seccomp filter and a personality that make this kernel look like 4.18 to
//!   a program (the kernel core's old-kernel run).
//! - [`procs`]: other processes' children, command name and state, through procfs.
//! - [`Tool`] and [`Outcome`]: run one command line through the original (the released
//!   util-linux and iproute2 of the [`oracle`]) and through our binary, under the original's name
//!   (argv[0]), and compare stdout, stderr and exit status, after [`normalised`].
//! - [`scene`]: one command line in a throwaway world of fresh namespaces, for the fuzzer.

pub mod old_kernel;
pub mod oracle;
pub mod prereq;
pub mod procs;
pub mod scene;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the sandbox puts its scratch directory (inside the sandbox's private tmpfs on /run).
pub const SCRATCH: &str = "/run/nsutils-scratch";

/// True when running as root. Otherwise: panic when `CI` is set (a privileged test that cannot
/// run must fail CI), or print why and return false so a developer's unprivileged run skips it.
pub fn need_root() -> bool {
    if rustix::process::geteuid().is_root() {
        prereq::require();
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("this test needs root, and CI is set: it must not be skipped");
    }
    eprintln!("skipped: this test needs root");
    false
}

/// Inside a [`sandbox`], the directory holding our built binaries ([`bin_dir`]),
/// bind-mounted so that any user can reach it even when the checkout sits under a directory
/// only root may traverse (a 0700 home).
pub const SANDBOX_BIN: &str = "/run/nsutils-bin";

/// Inside a [`sandbox`], the [`oracle`]'s directory, bind-mounted as [`SANDBOX_BIN`] is; its
/// launchers are `SANDBOX_ORACLE/bin/NAME`.
pub const SANDBOX_ORACLE: &str = "/run/nsutils-oracle";

/// The mount points of the calling process's mount namespace that it can see (those under
/// its root directory).
fn mount_points() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(unescape_mountinfo)
        .collect()
}

/// Panic with what to do when `/` is not a mount point (a chroot into a plain directory):
/// no mount propagation can be changed there, so no sandbox can be made, for util-linux's
/// `unshare -m` either ("cannot change root filesystem propagation: Invalid argument").
fn require_root_mount(points: &[String]) {
    if !points.iter().any(|p| p == "/") {
        panic!(
            "/ is not a mount point here (a chroot into a plain directory?), so the test \
             sandbox cannot make its mounts private: bind-mount the chroot's directory on \
             itself before entering it (mount --bind DIR DIR), or use systemd-nspawn"
        );
    }
}

/// The mount points at or below `/run` in the calling process's mount namespace, deepest first.
fn mounts_under_run() -> Vec<std::ffi::CString> {
    let all = mount_points();
    require_root_mount(&all);
    let mut points: Vec<String> = all
        .into_iter()
        .filter(|p| p == "/run" || p.starts_with("/run/"))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
    points.dedup();
    points
        .into_iter()
        .filter_map(|p| std::ffi::CString::new(p).ok())
        .collect()
}

/// mountinfo writes space, tab, newline and backslash in paths as `\ooo` octal escapes.
fn unescape_mountinfo(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let oct = |c: u8| c.is_ascii_digit() && c < b'8';
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|&c| oct(c)) {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn cstring(p: &Path) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(p.as_os_str().as_bytes()).expect("path without NUL")
}

/// Make `cmd` start inside a fresh private mount namespace whose `/run` is its own: every mount
/// inherited at or below `/run` (the host's `/run/netns` and its namespaces, `/run/user/N`,
/// ...) is detached, not just covered, and a new tmpfs takes its place, holding [`SCRATCH`],
/// and [`SANDBOX_BIN`] and [`SANDBOX_ORACLE`] (read-only binds of our binaries and of the
/// oracle, reachable by any user). The set-up runs in the child between fork and exec, with
/// only raw system calls on C strings prepared before the fork (no allocation).
///
/// `SHELL` is `/bin/sh` unless the test set it: `script`, and unshare or nsenter without a
/// program, run `$SHELL`, and a test must not depend on the login shell of whoever runs it (CI
/// has none, and `sh` there is dash, without `exec -a`). A test that clears the environment
/// (`env_clear`) does so after calling this, or the default is all that is left.
pub fn sandbox(cmd: &mut Command) -> &mut Command {
    if !cmd.get_envs().any(|(k, _)| k == "SHELL") {
        cmd.env("SHELL", "/bin/sh");
    }
    let inherited = mounts_under_run();
    let bin = cstring(&bin_dir());
    let oracle_dir = oracle::dir();
    let oracle = oracle::present().then(|| cstring(&oracle_dir));
    // SAFETY: the closure runs in the forked child before exec and only makes raw system calls
    // (unshare, umount, mount, mkdir) on C strings built before the fork; it allocates nothing
    // and takes no locks.
    unsafe {
        cmd.pre_exec(move || {
            use rustix::mount::{
                mount, mount_bind, mount_change, mount_remount, unmount, MountFlags,
                MountPropagationFlags, UnmountFlags,
            };
            let flags = rustix::thread::UnshareFlags::NEWNS;
            // NEWNS does not unshare the fd table, and the forked child is single-threaded.
            rustix::thread::unshare_unsafe(flags)?;
            mount_change(
                c"/",
                MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
            )?;
            // Deepest first; a detach of a parent takes its children too, so later ones may
            // already be gone (EINVAL, ENOENT): that is the point.
            // Mounts can be stacked on one path (a host's /run/netns under one a test made):
            // detach each path until nothing is mounted there.
            for p in &inherited {
                for _ in 0..64 {
                    if unmount(p.as_c_str(), UnmountFlags::DETACH).is_err() {
                        break;
                    }
                }
            }
            mount(
                c"nsutils-test",
                c"/run",
                c"tmpfs",
                MountFlags::empty(),
                c"mode=755",
            )?;
            let dir = rustix::fs::Mode::from_raw_mode(0o755);
            rustix::fs::mkdir(SCRATCH_C, dir)?;
            let binds = [
                (Some(&bin), SANDBOX_BIN_C),
                (oracle.as_ref(), SANDBOX_ORACLE_C),
            ];
            for (from, to) in binds {
                let Some(from) = from else { continue };
                rustix::fs::mkdir(to, dir)?;
                mount_bind(from.as_c_str(), to)?;
                mount_remount(to, MountFlags::BIND | MountFlags::RDONLY, c"")?;
            }
            Ok(())
        });
    }
    cmd
}

const SCRATCH_C: &std::ffi::CStr = c"/run/nsutils-scratch";
const SANDBOX_BIN_C: &std::ffi::CStr = c"/run/nsutils-bin";
const SANDBOX_ORACLE_C: &std::ffi::CStr = c"/run/nsutils-oracle";

/// Run `cmd` to its end and return its output; panic with its status, stdout and stderr
/// unless it exited 0 (for set-up steps that must work).
pub fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run a shell script inside a fresh [`sandbox`] and return what it did.
pub fn sandbox_sh(script: &str) -> Outcome {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(script);
    Outcome::of(sandbox(&mut cmd))
}

/// What a command did: its output and its status as a shell would report it.
#[derive(Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit code, or 128 + signal number.
    pub code: i32,
}

impl Outcome {
    /// Run `cmd` with stdin from /dev/null and collect its outcome.
    pub fn of(cmd: &mut Command) -> Outcome {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        Outcome::from_output(out)
    }

    /// A finished process's output and status, a signal death counted as 128 + the signal.
    fn from_output(out: std::process::Output) -> Outcome {
        let code = out
            .status
            .code()
            .or_else(|| out.status.signal().map(|s| 128 + s))
            .unwrap_or(-1);
        Outcome {
            stdout: out.stdout,
            stderr: out.stderr,
            code,
        }
    }

    /// Run `cmd` with stdin from /dev/null and stdout a pipe whose read end is already closed,
    /// so the first write to stdout fails with EPIPE (or SIGPIPE) deterministically, without
    /// waiting for a reader to go away. The outcome's stdout is empty.
    pub fn with_closed_stdout(cmd: &mut Command) -> Outcome {
        let (read, write) = rustix::pipe::pipe().expect("pipe");
        drop(read);
        let out = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(write))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {cmd:?}: {e}"));
        Outcome::from_output(out)
    }

    /// Standard output as text (lossy).
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (lossy).
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code,
            self.out(),
            self.err()
        )
    }
}

/// The directory cargo put the workspace's binaries in (`target/debug`), found from the test
/// executable's own path (`target/debug/deps/NAME-HASH`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("test exe has a parent");
    if deps.ends_with("deps") {
        deps.parent().expect("deps has a parent").to_path_buf()
    } else {
        deps.to_path_buf()
    }
}

/// The directory our binaries under test come from: `NSUTILS_BIN_DIR` when set (the static
/// build's, as `cargo xtask static-suite` sets it), else cargo's ([`target_dir`]).
pub fn bin_dir() -> PathBuf {
    std::env::var_os("NSUTILS_BIN_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(target_dir, PathBuf::from)
}

/// One of our binaries as a test names it: `static OURS: Ours =
/// Ours::new(env!("CARGO_BIN_EXE_nsenter-rs"));` is cargo's build, or the file of the same name
/// in `NSUTILS_BIN_DIR` when that is set, so one suite runs against either build. It prints as
/// its path (`{OURS}` in a script) and passes as one (`Command::new(OURS)`, `&OURS` for a
/// `&str`).
#[derive(Clone, Copy, Debug)]
pub struct Ours(&'static str);

impl Ours {
    /// The binary cargo built at `built` (a `CARGO_BIN_EXE_*` path).
    pub const fn new(built: &'static str) -> Ours {
        Ours(built)
    }

    /// The path the tests run.
    pub fn path(self) -> &'static str {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static RESOLVED: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
        let Some(dir) = std::env::var_os("NSUTILS_BIN_DIR").filter(|d| !d.is_empty()) else {
            return self.0;
        };
        let mut map = RESOLVED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.entry(self.0).or_insert_with(|| {
            let name = Path::new(self.0).file_name().expect("a binary's path");
            let p = Path::new(&dir).join(name);
            assert!(p.exists(), "NSUTILS_BIN_DIR has no {}", p.display());
            Box::leak(p.to_string_lossy().into_owned().into_boxed_str())
        })
    }
}

impl std::fmt::Display for Ours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

impl std::ops::Deref for Ours {
    type Target = str;
    fn deref(&self) -> &str {
        self.path()
    }
}

impl AsRef<OsStr> for Ours {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(self.path())
    }
}

impl From<Ours> for PathBuf {
    fn from(o: Ours) -> PathBuf {
        PathBuf::from(o.path())
    }
}

impl AsRef<Path> for Ours {
    fn as_ref(&self) -> &Path {
        Path::new(self.path())
    }
}

/// The path of one of our binaries (`unshare-rs`, ...) in [`bin_dir`]; panics with a hint when
/// it is missing.
pub fn our_bin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} is missing: run `cargo test --workspace` (which builds every binary) or `cargo build --workspace`",
        p.display()
    );
    p
}

/// A tool under differential test: the original and ours, and how to call each.
#[derive(Clone, Debug)]
pub struct Tool {
    /// The original's name (`unshare`), used as argv[0] for both so messages match.
    pub name: &'static str,
    /// The oracle's launcher for the original (runs it under its own name; for scripts).
    pub original: PathBuf,
    /// Words the original needs before the tool's arguments (`["netns"]` for ip).
    pub original_prefix: Vec<&'static str>,
    /// Our binary.
    pub ours: PathBuf,
    /// Run both again (up to four times) when the original lost one of its races with a
    /// changing /proc while ours did otherwise ([`original_lost_a_race`]: util-linux's lsns
    /// exits 1 without a word, 3 runs in 200 under churn, or misreads a reused fd), which is
    /// not a difference to report. See [`Tool::retry_silent_failures`].
    pub retry_silent: bool,
}

impl Tool {
    /// A util-linux tool (`unshare`, `nsenter`, `lsns`) and our binary for it.
    pub fn util_linux(name: &'static str, ours: impl Into<PathBuf>) -> Tool {
        Tool {
            name,
            original: oracle::launcher(name),
            original_prefix: vec![],
            ours: ours.into(),
            retry_silent: false,
        }
    }

    /// This tool, with comparisons that look past the original's lost races (see
    /// [`Tool::retry_silent`]). A difference that stays after the retries is still reported.
    pub fn retry_silent_failures(mut self) -> Tool {
        self.retry_silent = true;
        self
    }

    /// `once()`'s pair, run again (up to four times) while it is the original's silent
    /// failure next to anything else.
    fn settled(&self, once: impl Fn() -> (Outcome, Outcome)) -> (Outcome, Outcome) {
        let mut pair = once();
        for _ in 0..4 {
            if !self.silent_failure(&pair.0, &pair.1) {
                break;
            }
            pair = once();
        }
        pair
    }

    /// Whether a pair of outcomes is the original's silent failure next to anything else.
    fn silent_failure(&self, orig: &Outcome, ours: &Outcome) -> bool {
        self.retry_silent && original_lost_a_race(orig, ours)
    }

    /// `ip netns` and netns-rs. ip's global options (`-all`, `-j`, ...) come before `netns`, so
    /// [`Tool::original_cmd`] moves every leading `-` word in front of the prefix.
    pub fn ip_netns(ours: impl Into<PathBuf>) -> Tool {
        Tool {
            name: "ip",
            original: oracle::launcher("ip"),
            original_prefix: vec!["netns"],
            ours: ours.into(),
            retry_silent: false,
        }
    }

    /// The original's command line for `args`.
    pub fn original_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = oracle::command(self.name, self.name);
        if self.original_prefix.is_empty() {
            cmd.args(args);
        } else {
            cmd.args(as_ip_netns(args));
        }
        cmd
    }

    /// Our command line for `args`, with argv[0] = the original's name (util-linux tools) or
    /// `netns-rs` (ip netns).
    pub fn ours_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(&self.ours);
        cmd.arg0(self.ours_arg0());
        cmd.args(args);
        cmd
    }

    /// Both sides of `args` as [`scene::Side`]s (original first), with the same words and
    /// argv[0]s as [`Tool::original_cmd`] and [`Tool::ours_cmd`].
    pub fn scene_sides<S: AsRef<OsStr>>(&self, args: &[S]) -> [scene::Side; 2] {
        let words: Vec<OsString> = args.iter().map(|a| a.as_ref().to_os_string()).collect();
        let original_words = if self.original_prefix.is_empty() {
            words.clone()
        } else {
            as_ip_netns(&words)
        };
        let bin = self
            .ours
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        [
            scene::Side::original(self.name, self.name, original_words),
            scene::Side::ours(&bin, self.ours_arg0(), words),
        ]
    }

    /// The argv[0] our binary runs under: the original's name for the util-linux tools (so
    /// messages match), `netns-rs` for ip netns (whose messages carry no program name).
    fn ours_arg0(&self) -> &'static str {
        if self.original_prefix.is_empty() {
            self.name
        } else {
            "netns-rs"
        }
    }

    /// Run `args` through both, each started the same way by `prepare` (e.g. [`sandbox`]).
    pub fn run_both<S: AsRef<OsStr>>(
        &self,
        args: &[S],
        prepare: impl Fn(&mut Command),
    ) -> (Outcome, Outcome) {
        let once = || {
            let mut a = self.original_cmd(args);
            prepare(&mut a);
            let mut b = self.ours_cmd(args);
            prepare(&mut b);
            (Outcome::of(&mut a), Outcome::of(&mut b))
        };
        self.settled(once)
    }

    /// Run both plainly and assert that stdout, stderr and status are identical; returns ours.
    pub fn assert_same<S: AsRef<OsStr>>(&self, args: &[S]) -> Outcome {
        self.assert_same_with(args, |_| {})
    }

    /// As [`Tool::assert_same`], with each command prepared by `prepare` first.
    pub fn assert_same_with<S: AsRef<OsStr>>(
        &self,
        args: &[S],
        prepare: impl Fn(&mut Command),
    ) -> Outcome {
        let (orig, ours) = self.run_both(args, prepare);
        assert_outcomes_equal(self.name, args, &orig, &ours);
        ours
    }

    /// Run `setup` (a shell script) and then the tool with `args`, in one fresh sandbox each for
    /// the original and for ours. In the script, `$TOOL` is not set; the tool runs after it with
    /// the script's state (mounts, files, netns) in place.
    pub fn assert_same_in_sandbox<S: AsRef<OsStr>>(&self, setup: &str, args: &[S]) -> Outcome {
        let (orig, ours) = self.run_both_in_sandbox(setup, args);
        assert_outcomes_equal(self.name, args, &orig, &ours);
        ours
    }

    /// Run `setup` then the tool in a fresh sandbox, for both; returns (original, ours).
    pub fn run_both_in_sandbox<S: AsRef<OsStr>>(
        &self,
        setup: &str,
        args: &[S],
    ) -> (Outcome, Outcome) {
        let run = |cmd: Command, arg0: &str| -> Outcome {
            // `exec -a` keeps argv[0] as the given name after the setup script ran.
            let mut sh = Command::new("/bin/bash");
            sh.arg("-c")
                .arg(format!("{setup}\nexec -a \"$0\" \"$@\""))
                .arg(arg0)
                .arg(cmd.get_program())
                .args(cmd.get_args());
            Outcome::of(sandbox(&mut sh))
        };
        let once = || {
            let orig = run(self.original_cmd(args), self.name);
            let ours = run(self.ours_cmd(args), self.ours_arg0());
            (orig, ours)
        };
        self.settled(once)
    }
}

/// The original lost one of its races with a changing /proc, and ours did otherwise: util-linux's
/// lsns ends with status 1 and no word when a process exits during its walk, and says
/// `Unsupported ioctl NS_GET_NSTYPE` when a process closed a namespace fd it had seen and the
/// number now names another file (COMPATIBILITY.md; ours passes over both). A comparison that
/// meets it asks again ([`Tool::retry_silent_failures`], the garbage test, the fuzzer).
pub fn original_lost_a_race(orig: &Outcome, ours: &Outcome) -> bool {
    let misread_fd = orig.code == 1
        && orig.err().contains("Unsupported ioctl NS_GET_NSTYPE")
        && !ours.err().contains("Unsupported ioctl NS_GET_NSTYPE");
    let silent = orig.code == 1 && orig.stdout.is_empty() && orig.stderr.is_empty();
    (silent || misread_fd) && orig != ours
}

/// `bytes` with every `/proc/<digits>/` made `/proc/PID/`: messages that name a process (ours
/// or the original's, two different processes) compare.
pub fn mask_pid_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/proc/") {
            let digits = bytes[i + 6..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 && bytes.get(i + 6 + digits) == Some(&b'/') {
                out.extend_from_slice(b"/proc/PID");
                i += 6 + digits;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// An outcome as comparisons see it: the one normalisation the differential tests and the
/// fuzzer apply to both sides before comparing. Today that is [`mask_pid_bytes`] on stderr
/// (the two runs are two processes, and messages may name one through `/proc/PID/`).
pub fn normalised(mut o: Outcome) -> Outcome {
    o.stderr = mask_pid_bytes(&o.stderr);
    o
}

/// [`mask_pid_bytes`] for text.
pub fn mask_pids(text: &str) -> String {
    String::from_utf8_lossy(&mask_pid_bytes(text.as_bytes())).into_owned()
}

/// ip's global options in the order ip tries them (an abbreviation means the first that it
/// begins, `-` alone included), as `ip -help` lists them and as the oracle answers: the name,
/// whether only the whole word counts, and whether it takes the next word as its value.
const IP_GLOBALS: &[(&str, bool, bool)] = &[
    ("loops", false, true),
    ("family", false, true),
    ("4", true, false),
    ("6", true, false),
    ("0", true, false),
    ("M", true, false),
    ("B", true, false),
    ("human", false, false),
    ("human-readable", false, false),
    ("iec", false, false),
    ("stats", false, false),
    ("statistics", false, false),
    ("details", false, false),
    ("resolve", false, false),
    ("oneline", false, false),
    ("timestamp", false, false),
    ("tshort", false, false),
    ("Version", false, false),
    ("force", false, false),
    ("batch", false, true),
    ("brief", false, false),
    ("json", false, false),
    ("pretty", false, false),
    ("rcvbuf", false, true),
    ("color", false, false),
    ("help", false, false),
    ("netns", false, true),
    ("Numeric", false, false),
    ("all", false, false),
];

/// How many leading words of `args` are ip global options (`-all`, `-j`, `-b FILE`, ...), as
/// netns-rs reads them before its sub-command: up to the first word without a leading `-`;
/// `--x` counts as `-x`, and an option that takes a value takes the next word whatever it is.
/// A bare `--` ends them (netns-rs's own separator; it is counted, and is not ip's).
pub fn global_option_words<S: AsRef<OsStr>>(args: &[S]) -> usize {
    global_options(args).0
}

/// [`global_option_words`], and whether the last of them is the `--` that ended them (not an
/// option's value, which may be `--` too).
fn global_options<S: AsRef<OsStr>>(args: &[S]) -> (usize, bool) {
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_ref().as_bytes();
        if w == b"--" {
            return (i + 1, true);
        }
        if w.first() != Some(&b'-') {
            break;
        }
        let rest = w.strip_prefix(b"--").unwrap_or(&w[1..]);
        let takes_value = IP_GLOBALS
            .iter()
            .find(|(name, exact, _)| {
                if *exact {
                    rest == name.as_bytes()
                } else {
                    name.as_bytes().starts_with(rest)
                }
            })
            .is_some_and(|(_, _, value)| *value);
        i += if takes_value { 2 } else { 1 };
    }
    (i.min(args.len()), false)
}

/// `args` of netns-rs as ip's: the global options, `netns`, then the rest (a `--` that ended the
/// global options, netns-rs's own separator, is dropped).
pub fn as_ip_netns<S: AsRef<OsStr>>(args: &[S]) -> Vec<OsString> {
    let (g, separator) = global_options(args);
    let kept = if separator { g - 1 } else { g };
    let mut v: Vec<OsString> = args[..kept]
        .iter()
        .map(|a| a.as_ref().to_os_string())
        .collect();
    v.push("netns".into());
    v.extend(args[g..].iter().map(|a| a.as_ref().to_os_string()));
    v
}

/// Panic with both outcomes side by side when they differ.
pub fn assert_outcomes_equal<S: AsRef<OsStr>>(
    name: &str,
    args: &[S],
    orig: &Outcome,
    ours: &Outcome,
) {
    if orig != ours {
        let line: Vec<OsString> = args.iter().map(|a| a.as_ref().to_os_string()).collect();
        panic!(
            "{name} {line:?} differs\n===== original =====\n{orig:?}\n===== ours =====\n{ours:?}"
        );
    }
}
