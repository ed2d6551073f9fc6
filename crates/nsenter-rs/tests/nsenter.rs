//! nsenter-rs against util-linux nsenter: the same command lines through both, compared byte
//! for byte, with targets started in fresh namespaces (inside the sandbox) and killed after.
//! The original is util-linux 2.42.4 from the test kit's oracle (`cargo xtask oracle`), never
//! the host's older nsenter. A written expectation is kept only where no oracle run can show
//! the behaviour (our version string, our --help wording, our deliberate differences), and the
//! test says why.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nsutils_testkit::{need_root, procs, sandbox, Outcome, Tool};

static OURS: nsutils_testkit::Ours = nsutils_testkit::Ours::new(env!("CARGO_BIN_EXE_nsenter-rs"));

fn tool() -> Tool {
    Tool::util_linux("nsenter", OURS)
}

/// Run ours with argv[0] = `nsenter`.
fn ours(args: &[&str]) -> Outcome {
    Outcome::of(tool().ours_cmd(args).stdin(Stdio::null()))
}

fn assert_both<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Outcome {
    tool().assert_same(args)
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// A `sleep` in fresh namespaces, started inside the sandbox by `unshare FLAGS`; killed on drop.
struct Holder {
    unshare: Child,
    pid: i32,
}

impl Holder {
    fn start(flags: &[&str]) -> Holder {
        Holder::start_cmd(flags, &["sleep", "100"], |_| {})
    }

    fn start_cmd(flags: &[&str], prog: &[&str], prepare: impl Fn(&mut Command)) -> Holder {
        Holder::start_as(&[], flags, prog, prepare)
    }

    /// As [`Holder::start_cmd`], with `unshare` run through `wrapper` (e.g. setpriv ... --).
    fn start_as(
        wrapper: &[&str],
        flags: &[&str],
        prog: &[&str],
        prepare: impl Fn(&mut Command),
    ) -> Holder {
        let mut cmd = match wrapper.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg("unshare");
                c
            }
            None => Command::new("unshare"),
        };
        cmd.args(flags).args(prog).stdin(Stdio::null());
        // After the sandbox, so that `prepare` has the last word on the environment.
        sandbox(&mut cmd);
        prepare(&mut cmd);
        let unshare = cmd.spawn().expect("start unshare");
        let upid = unshare.id() as i32;
        let forks = flags.iter().any(|f| *f == "-f" || *f == "--fork");
        let want = prog[0].rsplit('/').next().unwrap_or(prog[0]).to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut h = Holder { unshare, pid: 0 };
        loop {
            let pid = if forks {
                procs::children(upid).first().copied().unwrap_or(0)
            } else {
                upid
            };
            if pid > 0 && procs::comm(pid).as_deref() == Some(want.as_str()) {
                h.pid = pid;
                return h;
            }
            assert!(Instant::now() < deadline, "holder {flags:?} did not start");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn p(&self) -> String {
        self.pid.to_string()
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if self.pid > 0 {
            let _ = nscore::signal::kill(self.pid, 9);
        }
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
    }
}

/// The PID of a process that has exited and been reaped.
fn dead_pid() -> String {
    let mut c = Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid.to_string()
}

fn expect(out: &Outcome, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (out.code, out.out().as_str(), out.err().as_str()),
        (code, stdout, stderr),
        "{out:?}"
    );
}

// ---------------------------------------------------------------- command line

#[test]
fn help_and_version() {
    let h = ours(&["--help"]);
    assert_eq!(h.code, 0);
    assert!(h
        .out()
        .starts_with("\nUsage:\n nsenter [options] [<program> [<argument>...]]\n"));
    for long in [
        "--all",
        "--target <PID>",
        "--mount[=<file>|=:<nsid>]",
        "--net-socket <fd>",
        "--user-parent",
        "--time[=<file>|=:<nsid>]",
        "--preserve-credentials",
        "--keep-caps",
        "--wdns[=<dir>]",
        "--env",
        "--join-cgroup",
        "--help",
        "--version",
    ] {
        assert!(h.out().contains(long), "{long} missing:\n{}", h.out());
    }
    // 2.42 layout: descriptions at column 31.
    assert!(
        h.out().contains("\n -a, --all                     join"),
        "{}",
        h.out()
    );
    let v = ours(&["-V"]);
    expect(
        &v,
        0,
        &format!("nsenter from nsutils {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
}

#[test]
fn getopt_errors_match() {
    let t = tool();
    for args in [
        &["--bogus"][..],
        &["-x"],
        &["-t"],
        &["--target"],
        &["--w"],
        &["--p"],
        &["--s"],
        &["--all=1"],
        &["-S"],
    ] {
        t.assert_same(args);
    }
}

#[test]
fn ambiguous_prefixes_list_the_2_42_options() {
    // --net-socket and --user-parent are new in 2.40/2.41, so the lists grow.
    for p in ["--n", "--u", "--k", "--w", "--f"] {
        let out = assert_both(&s(&[p]));
        assert_eq!(out.code, 1, "{out:?}");
    }
}

// ---------------------------------------------------------------- bad input

#[test]
fn no_such_pid() {
    if !need_root() {
        return;
    }
    let dead = dead_pid();
    assert_both(&s(&["-t", &dead, "-n", "true"]));
    assert_both(&s(&["-t", &dead, "-a", "true"]));
    assert_both(&s(&["-t", &dead, "-m", "-u", "true"]));
}

#[test]
fn pid_zero_and_junk() {
    for arg in [
        "0",
        "-5",
        "abc",
        "12x",
        "",
        " ",
        "-",
        "0x10",
        "2147483648",
        "99999999999999999999",
        "12:",
        "12:x",
        "12:0",
        "12:00",
        "12:-1",
        "12: -0",
        "12:+",
        "12x:5",
        "0:5",
        "12 ",
    ] {
        let out = assert_both(&s(&["-t", arg, "-n", "true"]));
        assert_eq!(out.code, 1, "{arg:?}: {out:?}");
    }
}

#[test]
fn pid_inode_forms() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    let fd = nscore::pidfd::open_checked(h.pid, None).unwrap();
    if !nscore::pidfd::is_pidfs(&fd) {
        return;
    }
    let ino = nscore::pidfd::inode(&fd).unwrap();
    let p = h.p();
    let dead = dead_pid();
    // The inode by its leading number: a wrong one fails the pidfd check first, a right one
    // followed by junk is then an invalid argument.
    for arg in [
        format!("{p}:{ino}"),
        format!("{p}: +{ino}"),
        format!("{p}:\t0{ino}"),
        format!("{p}:{ino}x"),
        format!("{p}:{ino}:4"),
        format!("{p}:{ino} "),
        format!("{p}:{}", ino + 1),
        format!("{p}:{}x", ino + 1),
        format!("{p}:{ino}9"),
        format!("{p}:18446744073709551616"),
        format!("{p}:99999999999999999999999"),
        format!("{p}:1e3"),
        format!("{dead}:5"),
        format!("{dead}:5x"),
        format!("{dead}:x"),
    ] {
        assert_both(&s(&["-t", &arg, "-u", "true"]));
    }
}

#[test]
fn target_given_twice() {
    if !need_root() {
        return;
    }
    // 2.42.4: the last --target wins; an earlier PID:INODE's pidfd is dropped (the descriptor
    // numbers in the -N message show it).
    let a = Holder::start(&["-u"]);
    let b = Holder::start(&["-u"]);
    for (h, name) in [(&a, "aaa"), (&b, "bbb")] {
        let st = Command::new(nsutils_testkit::oracle::launcher("nsenter"))
            .args(["-t", &h.p(), "-u", "hostname", name])
            .status()
            .unwrap();
        assert!(st.success());
    }
    let ino = |h: &Holder| {
        let fd = nscore::pidfd::open_checked(h.pid, None).unwrap();
        nscore::pidfd::inode(&fd).unwrap()
    };
    let (pa, pb) = (a.p(), b.p());
    let (ia, ib) = (format!("{pa}:{}", ino(&a)), format!("{pb}:{}", ino(&b)));
    let dead = dead_pid();
    for args in [
        vec!["-t", &pa, "-t", &pb, "-u", "hostname"],
        vec!["-t", &pb, "-t", &pa, "-u", "hostname"],
        vec!["-t", &pa, "-t", &pa, "-u", "hostname"],
        vec!["-t", &ia, "-t", &pb, "-u", "hostname"],
        vec!["-t", &pa, "-t", &ib, "-u", "hostname"],
        vec!["-t", &ia, "-t", &ib, "-t", &pa, "-u", "hostname"],
        vec!["-t", &ia, "-t", &pb, "-u", "-N", "0", "true"],
        vec!["-t", &ia, "-t", &ib, "-u", "-r", "-N", "0", "true"],
        vec!["-t", &ia, "-t", "0", "-u", "true"],
        vec!["-t", "0", "-t", &pa, "-u", "true"],
        vec!["-t", &dead, "-t", &pa, "-u", "hostname"],
        vec!["-t", &pa, "-t", &dead, "-u", "hostname"],
    ] {
        assert_both(&s(&args));
    }
}

#[test]
fn pid_inode_must_match_the_pidfd() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    let fd = nscore::pidfd::open_checked(h.pid, None).unwrap();
    if !nscore::pidfd::is_pidfs(&fd) {
        return;
    }
    let ino = nscore::pidfd::inode(&fd).unwrap();
    let good = assert_both(&s(&["-t", &format!("{}:{ino}", h.pid), "-u", "true"]));
    expect(&good, 0, "", "");
    // A wrong inode means another process: ESRCH.
    let bad = assert_both(&s(&["-t", &format!("{}:{}", h.pid, ino + 1), "-u", "true"]));
    assert_eq!(bad.code, 1);
}

#[test]
fn file_that_is_not_a_namespace() {
    if !need_root() {
        return;
    }
    let out = assert_both(&s(&["--net=/etc/passwd", "true"]));
    assert_eq!(out.code, 1);
}

#[test]
fn namespace_file_of_the_wrong_kind() {
    if !need_root() {
        return;
    }
    let out = assert_both(&s(&["--net=/proc/self/ns/uts", "true"]));
    assert_eq!(
        out.err(),
        "nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n"
    );
}

#[test]
fn missing_file() {
    assert_both(&s(&["--net=/nonexistent/nsenter-rs", "true"]));
    assert_both(&s(&["--mount=", "true"]));
    assert_both(&s(&["-r/nonexistent/dir", "true"]));
}

#[test]
fn attached_equals_is_stripped_for_namespaces_but_not_root() {
    if !need_root() {
        return;
    }
    let out = assert_both(&s(&["-n=/proc/self/ns/net", "true"]));
    expect(&out, 0, "", "");
    assert_both(&s(&["--net==/proc/self/ns/net", "true"]));
    assert_both(&s(&["-w=/tmp", "-t", "1", "-n", "pwd"]));
    assert_both(&s(&["-r=/x", "true"]));
}

#[test]
fn wd_and_wdns_together() {
    for args in [
        &["-w/tmp", "-W/tmp", "-t", "1", "-n", "true"][..],
        &["-W/tmp", "-w/tmp", "-t", "1", "-n", "true"],
        &["-w", "-W", "-t", "1", "-n", "true"],
        &["-W", "-W", "-w", "-t", "1", "-n", "true"],
    ] {
        let out = assert_both(args);
        assert_eq!(out.code, 1, "{out:?}");
    }
}

#[test]
fn wdns_separate_word_is_the_program() {
    // `-W /etc pwd` runs /etc (-W takes an optional attached argument).
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    let out = assert_both(&s(&["-t", &h.p(), "-u", "-W", "/etc", "pwd"]));
    assert_eq!(out.code, 126, "{out:?}");
}

#[test]
fn net_socket_without_target() {
    // -N needs -t (2.41+).
    for n in ["3", "-1", "x", "", "2147483648", "-99999999999999999999"] {
        assert_both(&s(&["-N", n, "true"]));
    }
}

#[test]
fn kind_without_target_and_nothing_to_enter() {
    let me = std::process::id().to_string();
    for args in [
        &["-n", "true"][..],
        &["-a", "true"],
        &["-t", &me, "-w", "pwd"],
        &["-t", &me, "true"],
        &["-r", "--net=/proc/self/ns/net", "true"],
        &["-w", "--net=/proc/self/ns/net", "true"],
        &["-e", "--net=/proc/self/ns/net", "true"],
        &["-S", "follow", "--net=/proc/self/ns/net", "true"],
        &["-c", "--net=/proc/self/ns/net", "true"],
        &["--user-parent", "true"],
        &["--user-parent", "--net=/proc/self/ns/net", "true"],
    ] {
        let out = assert_both(args);
        assert_eq!(out.code, 1, "{out:?}");
    }
}

#[test]
fn bad_numbers() {
    let t = tool();
    t.assert_same(&["-S", "abc", "-n", "true"]);
    t.assert_same(&["-G", "x", "-n", "true"]);
    t.assert_same(&["-S", "99999999999999999999", "-n", "true"]);
    t.assert_same(&["-S", "-1", "-n", "true"]);
    t.assert_same(&["-G", "", "-n", "true"]);
    t.assert_same(&["-S", "0x10", "-n", "true"]);
    t.assert_same(&["-N", "x", "true"]);
}

/// Run `args` as nobody through ours or the oracle, from the sandbox's binds of them (nobody
/// may not reach the checkout, say under a 0700 home).
fn as_nobody(args: &[&str], ours_too: bool) -> Outcome {
    nsutils_testkit::oracle::require();
    let bin = if ours_too {
        format!("{}/nsenter-rs", nsutils_testkit::SANDBOX_BIN)
    } else {
        format!("{}/bin/nsenter", nsutils_testkit::SANDBOX_ORACLE)
    };
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        "bash",
        "-c",
    ])
    .arg("exec -a nsenter \"$@\"")
    .arg("bash")
    .arg(bin)
    .args(args);
    Outcome::of(sandbox(&mut cmd))
}

#[test]
fn unprivileged_caller() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-n"]);
    let p = h.p();
    // Opening another user's namespace file fails the same way in both.
    let file = format!("--net=/proc/{p}/ns/net");
    let orig = as_nobody(&[&file, "true"], false);
    let mine = as_nobody(&[&file, "true"], true);
    assert_eq!(orig, mine);
    assert_eq!(
        mine.err(),
        format!("nsenter: cannot open /proc/{p}/ns/net: Permission denied\n")
    );
    // 2.42 enters through the pidfd, so the failure is setns's EPERM.
    let args = ["-t", &p, "-n", "true"];
    assert_eq!(as_nobody(&args, false), as_nobody(&args, true));
}

#[test]
fn join_cgroup_needs_cgroup_v2() {
    if !need_root() {
        return;
    }
    let v2 = nscore::pidfd::is_cgroup2(std::path::Path::new("/sys/fs/cgroup")).unwrap_or(false);
    let me = std::process::id().to_string();
    let out = assert_both(&s(&["-t", &me, "-n", "-c", "cat", "/proc/self/cgroup"]));
    assert_eq!(out.code, if v2 { 0 } else { 1 }, "{out:?}");
}

// ---------------------------------------------------------------- common paths

#[test]
fn all_shows_a_file_only_in_the_targets_mount_namespace() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-m", "-u", "-n", "-i", "-p", "-f", "--mount-proc"]);
    let p = h.p();
    let st = Command::new(nsutils_testkit::oracle::launcher("nsenter"))
        .args(["-t", &p, "-m", "sh", "-c"])
        .arg("mkdir -p /run/nsenter-rs-t && mount -t tmpfs t /run/nsenter-rs-t && echo inside > /run/nsenter-rs-t/f")
        .status()
        .unwrap();
    assert!(st.success());
    assert!(!std::path::Path::new("/run/nsenter-rs-t/f").exists());
    let out = assert_both(&s(&["-t", &p, "-a", "cat", "/run/nsenter-rs-t/f"]));
    assert_eq!(out.out(), "inside\n");
    let out = assert_both(&s(&[
        "-t",
        &p,
        "-a",
        "--",
        "sh",
        "-c",
        "hostname; readlink /proc/self/ns/net",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    // Every namespace of the target, each from the target.
    let kinds = "for k in cgroup ipc mnt net pid time user uts; do readlink /proc/self/ns/$k; done";
    let out = assert_both(&s(&["-t", &p, "-a", "-F", "sh", "-c", kinds]));
    // -F: the shell stays in our PID namespace, but readlink, its child, is in the target's.
    let want: String = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]
        .iter()
        .map(|k| {
            format!(
                "{}\n",
                std::fs::read_link(format!("/proc/{p}/ns/{k}"))
                    .unwrap()
                    .display()
            )
        })
        .collect();
    assert_eq!(out.out(), want);
}

#[test]
fn net_of_the_target_with_host_processes() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-n"]);
    let p = h.p();
    let out = assert_both(&s(&["-n", "-t", &p, "ip", "-o", "link"]));
    assert!(out.out().contains("lo:"), "{out:?}");
    assert!(!out.out().contains("eth0"), "{out:?}");
    // Still the host's processes.
    let out = assert_both(&s(&[
        "-n",
        "-t",
        &p,
        "sh",
        "-c",
        "test -d /proc/1 && echo host-proc",
    ]));
    assert_eq!(out.out(), "host-proc\n");
}

#[test]
fn pid_namespace_walkthrough() {
    if !need_root() {
        return;
    }
    // A fresh holder each: PIDs inside count up with every process started there.
    let run = |nsenter: &str| {
        let h = Holder::start(&["-p", "-f", "-m", "--mount-proc"]);
        let arg = format!("--pid=/proc/{}/ns/pid", h.pid);
        let mut cmd = Command::new(nsenter);
        cmd.arg0("nsenter").args([
            arg.as_str(),
            "unshare",
            "--mount-proc",
            "ps",
            "-o",
            "pid,comm",
        ]);
        Outcome::of(&mut cmd)
    };
    let oracle = nsutils_testkit::oracle::launcher("nsenter");
    let orig = run(oracle.to_str().unwrap());
    let mine = run(&OURS);
    assert_eq!(orig, mine);
    assert_eq!(mine.code, 0, "{mine:?}");
    assert!(mine.out().contains("      1 sleep\n"), "{mine:?}");
}

#[test]
fn exit_status_and_signals_pass_through() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-p", "-f"]);
    let p = h.p();
    for (script, code) in [
        ("exit 9", 9),
        ("kill -TERM $$", 143),
        ("kill -KILL $$", 137),
    ] {
        let out = assert_both(&s(&["-t", &p, "-p", "sh", "-c", script]));
        assert_eq!(out.code, code, "{script}: {out:?}");
    }
}

#[test]
fn stop_and_continue_pass_through() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-p", "-f"]);
    let child = tool()
        .ours_cmd(&[
            "-t",
            &h.p(),
            "-p",
            "sh",
            "-c",
            "kill -STOP $$; echo resumed",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if procs::state(pid as i32) == Some('T') {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nsenter-rs did not stop with its child"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    nscore::signal::kill(pid as i32, 18).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "resumed\n");
}

#[test]
fn root_and_working_directories() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-m", "-u"]);
    let p = h.p();
    for args in [
        &["-m", "-r", "pwd"][..],
        &["-u", "-w", "pwd"],
        &["-m", "-W/proc", "pwd"],
        &["-u", "-w/tmp", "pwd"],
        &["-u", "-r/", "-w/usr", "pwd"],
        &["-m", "-W/nonexistent", "pwd"],
    ] {
        let mut a = s(&["-t", &p]);
        a.extend(s(args));
        assert_both(&a);
    }
}

#[test]
fn credentials() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    let p = h.p();
    assert_both(&s(&["-t", &p, "-u", "-S", "65534", "-G", "65534", "id"]));
    assert_both(&s(&["-t", &p, "-u", "-G", "65534", "id"]));
    let out = assert_both(&s(&[
        "-t", &p, "-u", "-S", "follow", "-G", "follow", "id", "-u",
    ]));
    expect(&out, 0, "0\n", "");
}

#[test]
fn user_namespaces() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-U", "-r", "-m", "-u"]);
    let p = h.p();
    let out = assert_both(&s(&["-t", &p, "-a", "id", "-u"]));
    assert_eq!(out.out(), "0\n");
    assert_both(&s(&["-t", &p, "-U", "--preserve-credentials", "id", "-u"]));
    // --user-parent of a user namespace whose parent is ours means re-entering our own.
    let out = assert_both(&s(&["-t", &p, "-U", "--user-parent", "true"]));
    assert_eq!(out.code, 1);
    assert_both(&s(&["-t", &p, "--user-parent", "-u", "hostname"]));
    assert_both(&s(&[
        &format!("--user=/proc/{p}/ns/user"),
        "--user-parent",
        "-t",
        &p,
        "true",
    ]));
    assert_both(&s(&[
        &format!("--uts=/proc/{p}/ns/uts"),
        "--user-parent",
        "-t",
        &p,
        "true",
    ]));
    assert_both(&s(&["-t", &p, "-U", "-S", "0", "-G", "0", "id"]));
    // Our own user namespace is skipped by -a, but refused when asked for (through the pidfd,
    // hence the mask wording).
    let me = std::process::id().to_string();
    let out = assert_both(&s(&["-t", &me, "-U", "true"]));
    assert_eq!(out.code, 1);
    assert_both(&s(&["-t", &me, "-a", "true"]));
    assert_both(&s(&["--user=/proc/self/ns/user", "true"]));
}

#[test]
fn net_socket_enters_the_sockets_namespace() {
    if !need_root() {
        return;
    }
    let h = Holder::start_cmd(&["-n"], &["ip", "monitor"], |c| {
        c.stdout(Stdio::null());
    });
    let p = h.p();
    // `ip` may be running before it has opened its netlink socket: look until it has.
    let deadline = Instant::now() + Duration::from_secs(30);
    let sock = loop {
        let found = std::fs::read_dir(format!("/proc/{p}/fd"))
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| {
                std::fs::read_link(e.path())
                    .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned());
        if let Some(fd) = found {
            break fd;
        }
        assert!(Instant::now() < deadline, "ip monitor holds a socket");
        std::thread::sleep(Duration::from_millis(5));
    };
    let want = std::fs::read_link(format!("/proc/{p}/ns/net")).unwrap();
    let out = assert_both(&s(&[
        "-t",
        &p,
        "-N",
        &sock,
        "readlink",
        "/proc/self/ns/net",
    ]));
    expect(&out, 0, &format!("{}\n", want.display()), "");
    let out = assert_both(&s(&["-t", &p, "-N", "999", "true"]));
    assert_eq!(out.code, 1);
}

#[test]
fn env_takes_the_targets_environment() {
    if !need_root() {
        return;
    }
    let h = Holder::start_cmd(&["-u"], &["sleep", "100"], |c| {
        c.env_clear()
            .env("NSENTER_RS_A", "1")
            .env("NSENTER_RS_B", "x=y");
    });
    let out = tool().assert_same_with(&["-t", &h.p(), "-u", "-e", "/usr/bin/env"], |c| {
        c.env("NSENTER_RS_OURS", "leak");
    });
    assert_eq!(out.code, 0, "{out:?}");
    let mut lines: Vec<&str> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    lines.sort();
    assert_eq!(lines, ["NSENTER_RS_A=1", "NSENTER_RS_B=x=y"]);
}

#[test]
fn nothing_leaks_into_the_program() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u", "-n"]);
    let p = h.p();
    for script in [
        "ls /proc/self/fd",
        "grep -E '^Sig(Blk|Ign)' /proc/self/status",
        "env | grep -v '^_=' | sort",
    ] {
        assert_both(&s(&["-t", &p, "-a", "sh", "-c", script]));
        assert_both(&s(&[
            &format!("--net=/proc/{p}/ns/net"),
            "-t",
            &p,
            "-u",
            "sh",
            "-c",
            script,
        ]));
    }
}

#[test]
fn login_shell_without_program() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    let p = h.p();
    let t = tool();
    let out = t.assert_same_with(&["-t", &p, "-u"], |c| {
        c.env("SHELL", "/bin/echo");
    });
    assert_eq!(out.out(), "\n");
}

#[test]
fn join_cgroup_on_cgroup_v2() {
    if !need_root() {
        return;
    }
    // A private cgroup2 mount over /sys/fs/cgroup inside the sandbox; we are in its root
    // cgroup already, so joining the target's (our own) cgroup moves nothing on the host.
    let script = "mount -t cgroup2 none /sys/fs/cgroup || exit 77\n\
                  sh -c 'ls /proc/self/fd'; echo --\n\
                  exec -a nsenter \"$0\" -t $$ -n -c sh -c 'tail -n1 /proc/self/cgroup; ls /proc/self/fd'";
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c").arg(script).arg(OURS);
    let out = Outcome::of(sandbox(&mut cmd));
    if out.code == 77 {
        return;
    }
    // Same descriptors as without nsenter-rs, stdin included (COMPATIBILITY.md: util-linux
    // reuses fd 0 for /proc/PID/cgroup and leaks cgroup.procs).
    let text = out.out();
    let (base, after) = text.split_once("--\n").unwrap_or_default();
    assert_eq!(after, format!("0::/\n{base}"), "{out:?}");
    assert!(base.starts_with("0\n1\n"), "{out:?}");
    assert_eq!(out.code, 0, "{out:?}");
}

const NOBODY: [&str; 4] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
];

#[test]
fn unprivileged_caller_enters_its_own_user_namespace_first() {
    if !need_root() {
        return;
    }
    // Pass 1 (mnt, uts) fails with EPERM, pass 2 enters the user namespace first.
    let h = Holder::start_as(
        &NOBODY,
        &["-U", "-r", "-m", "-u"],
        &["sleep", "100"],
        |_| {},
    );
    let p = h.p();
    let args = [
        "-t",
        &p,
        "-U",
        "-m",
        "-u",
        "--preserve-credentials",
        "sh",
        "-c",
        "id -u; readlink /proc/self/ns/mnt",
    ];
    let orig = as_nobody(&args, false);
    let mine = as_nobody(&args, true);
    assert_eq!(orig, mine);
    let mnt = std::fs::read_link(format!("/proc/{p}/ns/mnt")).unwrap();
    expect(&mine, 0, &format!("0\n{}\n", mnt.display()), "");
    // Without --preserve-credentials the setgroups(2) drop is refused (`deny`), as in both.
    let args = ["-t", &p, "-U", "-m", "true"];
    assert_eq!(as_nobody(&args, false), as_nobody(&args, true));
}

#[test]
fn keep_caps_raises_ambient_capabilities() {
    if !need_root() {
        return;
    }
    // --keep-caps (2.40) turns the permitted set into the ambient set after entering a
    // user namespace in pass 2.
    let h = Holder::start(&["-U", "-r"]);
    let out = assert_both(&s(&[
        "-t",
        &h.p(),
        "-U",
        "--keep-caps",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = assert_both(&s(&[
        "-t",
        &h.p(),
        "-U",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]));
    expect(&out, 0, "CapAmb:\t0000000000000000\n", "");
    // 2.42.4 raises them only when another kind is entered with the user namespace.
    let out = assert_both(&s(&[
        "-t",
        &h.p(),
        "-U",
        "-u",
        "--keep-caps",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]));
    assert!(!out.out().contains("0000000000000000"), "{out:?}");
    assert_both(&s(&[
        &format!("--user=/proc/{}/ns/user", h.p()),
        "--keep-caps",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]));
    // Without a user namespace to enter, --keep-caps does nothing.
    assert_both(&s(&[
        "-t",
        &h.p(),
        "-u",
        "--keep-caps",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]));
}

#[test]
fn follow_context_is_accepted() {
    if !need_root() {
        return;
    }
    // A SELinux build on a system without SELinux ignores -Z, as the installed original does.
    let h = Holder::start(&["-u"]);
    assert_both(&s(&["-Z", "-t", &h.p(), "-u", "true"]));
}

// ---------------------------------------------------------------- review round

/// A thread of this test process that sleeps until the returned sender is dropped; its TID.
fn sleeping_thread() -> (std::sync::mpsc::Sender<()>, String) {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let (tid_tx, tid_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let me = std::fs::read_link("/proc/thread-self").unwrap();
        let tid = me.file_name().unwrap().to_string_lossy().into_owned();
        tid_tx.send(tid).unwrap();
        let _ = stop_rx.recv();
    });
    (stop_tx, tid_rx.recv().unwrap())
}

#[test]
fn a_thread_id_is_a_target() {
    if !need_root() {
        return;
    }
    // pidfd_open refuses a thread ID; util-linux then goes through /proc/TID (hidden, but
    // there), so these work with the original. They used to fail with ours.
    let (_stop, tid) = sleeping_thread();
    assert_ne!(tid, std::process::id().to_string());
    for args in [
        &["-t", &tid, "-n", "true"][..],
        &["-t", &tid, "-m", "-u", "hostname"],
        &["-t", &tid, "-a", "true"],
        &["-t", &tid, "-n", "-r", "-w", "pwd"],
    ] {
        let out = assert_both(&s(args));
        assert_eq!(out.code, 0, "{out:?}");
    }
}

#[test]
fn a_zombie_is_still_its_pid() {
    if !need_root() {
        return;
    }
    // An exited child not yet waited for: a zombie owns its PID and /proc/PID.
    let mut child = Command::new("true").spawn().unwrap();
    let z = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while procs::state(child.id() as i32) != Some('Z') {
        assert!(Instant::now() < deadline, "no zombie");
        std::thread::sleep(Duration::from_millis(5));
    }
    // `follow` opens /proc/Z/ (fine for a zombie) and stats it; -a stats /proc/Z/ns/user,
    // skips our own user namespace, and setns on the zombie's pidfd says ESRCH.
    let follow = assert_both(&s(&[
        "-t",
        &z,
        "-S",
        "follow",
        "-n/proc/self/ns/net",
        "id",
        "-u",
    ]));
    let all = assert_both(&s(&["-t", &z, "-a", "true"]));
    // A zombie has exited: on a terminal the hint says so.
    let tty = ours_on_tty(&[], &["-t", &z, "-a", "true"]);
    assert_hint(&tty, &all, Cause::TargetExited);
    assert_both(&s(&["-t", &z, "-w", "-n/proc/self/ns/net", "true"]));
    assert_both(&s(&["-t", &z, "-n", "true"]));
    assert_both(&s(&["-t", &z, "-e", "-n/proc/self/ns/net", "true"]));
    child.wait().unwrap();
    expect(&follow, 0, "0\n", "");
    assert_eq!(all.code, 1);
}

#[test]
fn follow_once_given_stays() {
    if !need_root() {
        return;
    }
    // util-linux sets a flag for `follow` that a later number does not clear (step 18 of
    // act.rs then overrides the number with the owner of /proc/PID, root here).
    let h = Holder::start(&["-u"]);
    let p = h.p();
    for args in [
        &["-t", &p, "-u", "-S", "follow", "-S", "5", "id", "-u"][..],
        &["-t", &p, "-u", "-G", "follow", "-G", "5", "id", "-g"],
        &["-t", &p, "-u", "-S", "5", "-S", "follow", "id", "-u"],
        &["-t", &p, "-u", "-S", "5", "-S", "7", "id", "-u"],
    ] {
        assert_both(args);
    }
}

#[test]
fn help_with_stdout_closed() {
    // util-linux's close_stdout takes EBADF from the final flush as success: `--help >&-`
    // exits 0 silently. A failure other than EBADF is still reported.
    for redirect in [">&-", ">/dev/full"] {
        let run = |bin: &str| {
            let out = Command::new("bash")
                .arg("-c")
                .arg(format!("exec -a nsenter \"$0\" --help {redirect}"))
                .arg(bin)
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let oracle = nsutils_testkit::oracle::launcher("nsenter");
        assert_eq!(run(oracle.to_str().unwrap()), run(&OURS), "{redirect}");
    }
}

#[test]
fn descriptor_numbers_in_net_socket_messages() {
    if !need_root() {
        return;
    }
    // The messages name descriptors; util-linux 2.42 has, in order: the pidfd (step 4), then
    // root, cwd, environ and `/proc/PID/` for follow (step 5), then the stolen socket (step 8).
    // Ours must not hold anything else in the low numbers. The holder's fd 0 is /dev/null.
    let h = Holder::start(&["-u"]);
    let p = h.p();
    for (extra, sk) in [
        (&[][..], 4),
        (&["-a"][..], 4),
        (&["-r"][..], 5),
        (&["-e"][..], 5),
        (&["-S", "follow"][..], 5),
        (&["-r", "-w", "-e", "-S", "follow"][..], 8),
    ] {
        let mut args = vec!["-t", &p];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-N", "0", "true"]);
        let out = assert_both(&args);
        expect(
            &out,
            1,
            "",
            &format!("nsenter: ioctl({sk}, SIOCGSKNS): Inappropriate ioctl for device\n"),
        );
    }
}

// ---------------------------------------------------------------- issue 13: faults

/// A Python script that execs argv[2] with argv[3:] as its argv and the entries
/// in argv[1] (separated by U+001F) as its whole environment, byte for byte: entries such as `=x=y`
/// or `noeq` that neither `env` nor `Command` can make.
const EXEC_WITH_ENV: &str = "import ctypes,sys\n\
    libc=ctypes.CDLL(None)\n\
    env=[e.encode() for e in sys.argv[1].split('\\x1f')] if sys.argv[1] else []\n\
    argv=[a.encode() for a in sys.argv[3:]]\n\
    libc.execve(sys.argv[2].encode(),(ctypes.c_char_p*(len(argv)+1))(*argv,None),(ctypes.c_char_p*(len(env)+1))(*env,None))\n\
    sys.exit(99)";

fn exec_with_env(env: &[&str], path: &str, argv: &[&str]) -> Command {
    assert!(env.iter().all(|e| !e.contains('\x1f')));
    let mut c = Command::new("python3");
    c.arg("-c")
        .arg(EXEC_WITH_ENV)
        .arg(env.join("\x1f"))
        .arg(path)
        .args(argv);
    c
}

#[test]
fn env_entries_of_any_shape() {
    if !need_root() {
        return;
    }
    let oracle = nsutils_testkit::oracle::launcher("nsenter");
    let ours_env = ["=x=y", "noeq", "Z=1", "", "=", "PATH=/usr/bin:/bin"];
    for target_env in [
        &["A=1", "noeq", "A=2", "B=", "D=d=e", "", "noeq=5"][..],
        &["A=1", "=x=y", "B=2"],
        &["=", "A=1"],
        &[],
    ] {
        let mut holder = exec_with_env(target_env, "/bin/sleep", &["sleep", "100"]);
        let h = sandbox(&mut holder).stdin(Stdio::null()).spawn().unwrap();
        let pid = h.id() as i32;
        let _guard = Holder { unshare: h, pid: 0 };
        // Until python has exec'd sleep.
        let deadline = Instant::now() + Duration::from_secs(30);
        while procs::comm(pid).as_deref() != Some("sleep") {
            assert!(Instant::now() < deadline, "holder did not start");
            std::thread::sleep(Duration::from_millis(5));
        }
        let p = pid.to_string();
        let args = ["nsenter", "-t", &p, "-u", "-e", "/usr/bin/env", "-0"];
        let orig = Outcome::of(&mut exec_with_env(
            &ours_env,
            oracle.to_str().unwrap(),
            &args,
        ));
        let mine = Outcome::of(&mut exec_with_env(&ours_env, &OURS, &args));
        nsutils_testkit::assert_outcomes_equal("nsenter", &args, &orig, &mine);
    }
}

/// Run `script` (bash, `$NSENTER` is the binary, argv[0] `nsenter` via `exec -a`) in a fresh
/// sandbox with a FIFO at `$F`, with a 20 s guard: a hang is a failure, not a stuck suite.
fn with_fifo(nsenter: &str, script: &str) -> Outcome {
    let mut cmd = Command::new("timeout");
    cmd.args(["-s", "KILL", "20", "/bin/bash", "-c"])
        .arg(format!(
            "F={}/fifo; mkfifo $F || exit 99\n{script}",
            nsutils_testkit::SCRATCH
        ))
        .env("NSENTER", nsenter);
    Outcome::of(sandbox(&mut cmd))
}

#[test]
fn a_fifo_never_blocks() {
    if !need_root() {
        return;
    }
    let oracle = nsutils_testkit::oracle::launcher("nsenter");
    let me = std::process::id().to_string();
    for opt in ["--net=$F", "-r$F", "-w$F", "-W$F"] {
        let run = format!(
            "sleep 100 > $F & W=$!\n\
             exec -a nsenter \"$NSENTER\" -t {me} -u {opt} true; rc=$?; kill $W; exit $rc"
        );
        // With a writer the original does not block: compare.
        let run = run.replace(
            "exec -a nsenter \"$NSENTER\"",
            "bash -c 'exec -a nsenter \"$0\" \"$@\"' \"$NSENTER\"",
        );
        let orig = with_fifo(oracle.to_str().unwrap(), &run);
        let mine = with_fifo(&OURS, &run);
        nsutils_testkit::assert_outcomes_equal("nsenter", &[opt], &orig, &mine);
        // Without one the original hangs in open(2); ours gives the same answer at once.
        let alone = with_fifo(
            &OURS,
            &format!("exec -a nsenter \"$NSENTER\" -t {me} -u {opt} true"),
        );
        assert_eq!(
            (alone.code, alone.err()),
            (mine.code, mine.err()),
            "{opt}: {alone:?}"
        );
    }
}

// ---------------------------------------------------------------- issue 16: --KIND=:NSID

/// The 64-bit ID of the namespace at `path` (`None` before Linux 6.18).
fn ns_id_of(path: &str) -> Option<u64> {
    let f = std::fs::File::open(path).unwrap();
    nscore::nsfs::ns_id(&f).ok()
}

const LONG: [(&str, &str); 8] = [
    ("mnt", "--mount"),
    ("uts", "--uts"),
    ("ipc", "--ipc"),
    ("net", "--net"),
    ("pid", "--pid"),
    ("cgroup", "--cgroup"),
    ("user", "--user"),
    ("time", "--time"),
];

#[test]
fn nsid_parse_errors_match() {
    for (_, long) in LONG {
        for v in [
            ":",
            ":x",
            ":-1",
            ": -1",
            ":+",
            ":5x",
            ":5 ",
            ":1e3",
            ":0x10",
            "::5",
            ":18446744073709551616",
            ":99999999999999999999999",
        ] {
            let out = assert_both(&[format!("{long}={v}"), "true".into()]);
            assert_eq!(out.code, 1, "{out:?}");
        }
    }
    for args in [
        &["-n:x", "true"][..],
        &["-n=:x", "true"],
        &["-U:", "true"],
        &["--net=:x", "--bogus"],
        &["-t", "0", "--net=:x"],
    ] {
        assert_both(args);
    }
}

#[test]
fn unknown_nsids_match() {
    if !need_root() {
        return;
    }
    // A namespace that existed and is gone: its ID is never reused.
    let gone = {
        let h = Holder::start(&["-n"]);
        ns_id_of(&format!("/proc/{}/ns/net", h.pid))
    };
    let Some(gone) = gone else {
        return; // before Linux 6.18
    };
    let gone = gone.to_string();
    for (_, long) in LONG {
        for v in [
            "0",
            "-0",
            "18446744073709551615",
            "18446744073709551614",
            &gone,
        ] {
            let out = assert_both(&[format!("{long}=:{v}"), "true".into()]);
            assert_eq!(out.code, 1, "{out:?}");
        }
    }
    assert_both(&["-n:0", "-t", "0", "true"]);
}

/// `--KIND=:ID` enters what `--KIND=/proc/PID/ns/KIND` enters (the inode seen inside), and
/// that is the target's.
fn nsid_enters_the_same_namespace(kind: &str) {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-U", "-r", "-m", "-u", "-i", "-n", "-C", "-T", "-p", "-f"]);
    let path = format!("/proc/{}/ns/{kind}", h.pid);
    let Some(id) = ns_id_of(&path) else {
        return; // before Linux 6.18
    };
    let long = LONG.iter().find(|(k, _)| *k == kind).unwrap().1;
    let inside = ["stat", "-L", "-c", "%i", &format!("/proc/self/ns/{kind}")];
    let run = |arg: String| {
        let mut a = vec![arg];
        a.extend(inside.iter().map(|s| s.to_string()));
        ours(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let by_id = run(format!("{long}=:{id}"));
    let by_path = run(format!("{long}={path}"));
    let want = std::fs::metadata(&path).unwrap();
    use std::os::unix::fs::MetadataExt;
    expect(&by_path, 0, &format!("{}\n", want.ino()), "");
    assert_eq!(by_id, by_path);
    // The short option and the `=` forms too.
    let short = format!("-{}:{id}", &long[2..3].to_uppercase());
    let short = match kind {
        "cgroup" => format!("-C:{id}"),
        "user" => format!("-U:{id}"),
        "time" => format!("-T:{id}"),
        _ => short.to_lowercase(),
    };
    assert_eq!(run(short), by_path);
    assert_eq!(run(format!("{long}==:{id}")), by_path);
}

#[test]
fn nsid_mount() {
    nsid_enters_the_same_namespace("mnt");
}
#[test]
fn nsid_uts() {
    nsid_enters_the_same_namespace("uts");
}
#[test]
fn nsid_ipc() {
    nsid_enters_the_same_namespace("ipc");
}
#[test]
fn nsid_net() {
    nsid_enters_the_same_namespace("net");
}
#[test]
fn nsid_pid() {
    nsid_enters_the_same_namespace("pid");
}
#[test]
fn nsid_cgroup() {
    nsid_enters_the_same_namespace("cgroup");
}
#[test]
fn nsid_user() {
    nsid_enters_the_same_namespace("user");
}
#[test]
fn nsid_time() {
    nsid_enters_the_same_namespace("time");
}

#[test]
fn nsid_of_a_namespace_without_processes() {
    if !need_root() {
        return;
    }
    let Some(_) = ns_id_of("/proc/self/ns/net") else {
        return;
    };
    // Held by an nsfs bind mount, then only by an open descriptor of a shell: no process is
    // in either, so only the mount and fd parts of the search can find them.
    let script = r#"
        id() { python3 -c 'import fcntl,os,struct,sys
b=bytearray(8); fcntl.ioctl(os.open(sys.argv[1],os.O_RDONLY),0x8008b70d,b); print(struct.unpack("Q",b)[0])' "$1"; }
        S=/run/nsutils-scratch; touch $S/n
        unshare --net=$S/n true || exit 98
        want=$(stat -L -c %i $S/n)
        got=$(exec -a nsenter "$0" --net=:$(id $S/n) stat -L -c %i /proc/self/ns/net) || exit 97
        [ "$got" = "$want" ] || { echo "mount: $got != $want"; exit 1; }
        unshare -n sleep 100 & P=$!
        i=0; while [ "$(readlink /proc/$P/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do i=$((i+1)); [ $i -lt 3000 ] || exit 95; sleep 0.01; done
        exec 3</proc/$P/ns/net; kill $P; wait $P
        want=$(stat -L -c %i /proc/self/fd/3)
        got=$(exec -a nsenter "$0" --net=:$(id /proc/self/fd/3) stat -L -c %i /proc/self/ns/net) || exit 96
        [ "$got" = "$want" ] || { echo "fd: $got != $want"; exit 1; }
        # Held by an fd opened through a bind mount that is then detached: the fd's link
        # reads "/", not net:[INO]; the search goes by what the fd is (issue 22, gap 1).
        ip netns add fdx || exit 95
        exec 4</run/netns/fdx
        want=$(stat -L -c %i /proc/self/fd/4); nsid=$(id /proc/self/fd/4)
        ip netns delete fdx || exit 95
        [ "$(readlink /proc/$$/fd/4)" = / ] || exit 95
        got=$(exec -a nsenter "$0" --net=:$nsid stat -L -c %i /proc/self/ns/net) || exit 94
        [ "$got" = "$want" ] || { echo "detached fd: $got != $want"; exit 1; }
        echo ok
    "#;
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c").arg(script).arg(OURS);
    let out = Outcome::of(sandbox(&mut cmd));
    expect(&out, 0, "ok\n", "");
}

// ---------------------------------------------------------------- issue 14: hints on a terminal

use nscore::hint::Cause;

/// `cmd` (a shell command line) run on a pseudo-terminal by `script(1)`, after `prefix` (e.g.
/// `setpriv ...`); what the terminal showed (stdout and stderr, with `\r\n`).
fn on_tty(prefix: &[&str], cmd: &str) -> Outcome {
    let mut c = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg("script");
            c
        }
        None => Command::new("script"),
    };
    // `script` runs the line with $SHELL; it uses `exec -a`.
    c.args(["-qec", cmd, "/dev/null"]).env("SHELL", "/bin/bash");
    Outcome::of(sandbox(&mut c))
}

/// The terminal output for ours with `args` (argv[0] `nsenter`).
fn ours_on_tty(prefix: &[&str], args: &[&str]) -> Outcome {
    let mut line = format!(
        "exec -a nsenter {}/nsenter-rs",
        nsutils_testkit::SANDBOX_BIN
    );
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    on_tty(prefix, &line)
}

fn hint_line(cause: Cause) -> String {
    nscore::hint::line(cause, "").replace('\n', "\r\n")
}

/// On a terminal: the original's message (ours without a terminal, which the caller compared
/// with the oracle) and then exactly the hint for `cause`.
fn assert_hint(tty: &Outcome, plain: &Outcome, cause: Cause) {
    let want = format!("{}{}", plain.err().replace('\n', "\r\n"), hint_line(cause));
    assert_eq!((tty.code, tty.out()), (plain.code, want), "{tty:?}");
}

#[test]
fn hint_target_exited() {
    if !need_root() {
        return;
    }
    let dead = dead_pid();
    for args in [
        vec!["-t", &dead, "-n", "true"],
        vec!["-t", &dead, "-a", "true"],
        vec!["-t", &dead, "-N", "3", "true"],
    ] {
        let plain = assert_both(&args);
        assert_hint(&ours_on_tty(&[], &args), &plain, Cause::TargetExited);
    }
    let inode_arg = format!("{dead}:5");
    let args = ["-t", &inode_arg, "-n", "true"];
    let plain = assert_both(&args);
    assert_hint(&ours_on_tty(&[], &args), &plain, Cause::TargetExited);
}

#[test]
fn hint_own_user_namespace() {
    if !need_root() {
        return;
    }
    let me = std::process::id().to_string();
    for args in [
        &["-t", &me, "-U", "true"][..],
        &["--user=/proc/self/ns/user", "true"],
    ] {
        let plain = assert_both(args);
        assert_hint(&ours_on_tty(&[], args), &plain, Cause::JoinOwnUserNs);
    }
}

#[test]
fn hint_user_namespace_refused() {
    if !need_root() {
        return;
    }
    // A root-owned user namespace, entered by nobody: setns says EPERM.
    let root_owned = Holder::start(&["-U"]);
    let p = root_owned.p();
    let args = ["-t", &p, "-U", "true"];
    let plain = as_nobody(&args, true);
    assert_eq!(plain, as_nobody(&args, false));
    assert_hint(
        &ours_on_tty(&NOBODY, &args),
        &plain,
        Cause::JoinUserNsDenied,
    );
    // Nobody's own user namespace, whose setgroups is denied: entering works, becoming
    // uid/gid 0 there does not without --preserve-credentials.
    let own = Holder::start_as(&NOBODY, &["-U", "-r", "-m"], &["sleep", "100"], |_| {});
    let q = own.p();
    let args = ["-t", &q, "-U", "-m", "true"];
    let plain = as_nobody(&args, true);
    assert_eq!(plain, as_nobody(&args, false));
    assert_eq!(plain.code, 1, "{plain:?}");
    assert_hint(
        &ours_on_tty(&NOBODY, &args),
        &plain,
        Cause::JoinUserNsDenied,
    );
    // EPERM for another kind is not about the user namespace: no hint.
    let args = ["-t", &p, "-n", "true"];
    let plain = as_nobody(&args, true);
    assert_eq!(plain, as_nobody(&args, false));
    let tty = ours_on_tty(&NOBODY, &args);
    assert_eq!(tty.out(), plain.err().replace('\n', "\r\n"), "{tty:?}");
}

#[test]
fn hint_pid_namespace_without_init() {
    if !need_root() {
        return;
    }
    let setup = "touch /run/nsutils-scratch/p && unshare --pid=/run/nsutils-scratch/p -f true";
    let args = ["--pid=/run/nsutils-scratch/p", "true"];
    let plain = tool().assert_same_in_sandbox(setup, &args);
    assert_eq!(plain.code, 1, "{plain:?}");
    let mut cmd = Command::new("/bin/bash");
    cmd.env("SHELL", "/bin/bash").arg("-c").arg(format!(
        "{setup} && exec script -qec 'exec -a nsenter {OURS} {}' /dev/null",
        args.join(" ")
    ));
    let tty = Outcome::of(sandbox(&mut cmd));
    assert_hint(&tty, &plain, Cause::PidNsInitGone);
    // -F does not fork: no failure, no hint.
    let mut cmd = Command::new("/bin/bash");
    cmd.env("SHELL", "/bin/bash").arg("-c").arg(format!(
        "{setup} && exec script -qec 'exec -a nsenter {OURS} -F {}' /dev/null",
        args.join(" ")
    ));
    expect(&Outcome::of(sandbox(&mut cmd)), 0, "", "");
}

#[test]
fn no_hint_for_other_failures_on_a_terminal() {
    if !need_root() {
        return;
    }
    for args in [
        &["--net=/etc/passwd", "true"][..],
        &["-t", "0", "-n", "true"],
        &["--net=:18446744073709551615", "true"],
        &["-n", "true"],
    ] {
        let plain = assert_both(args);
        let tty = ours_on_tty(&[], args);
        assert_eq!(
            (tty.code, tty.out()),
            (plain.code, plain.err().replace('\n', "\r\n")),
            "{tty:?}"
        );
    }
}
