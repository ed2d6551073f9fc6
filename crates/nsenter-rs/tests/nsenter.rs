//! nsenter-rs against util-linux nsenter: the same command lines through both, compared byte
//! for byte, with targets started in fresh namespaces (inside the sandbox) and killed after.
//! Where the installed 2.38.1 and the target 2.42 differ, the 2.42 behaviour is asserted
//! explicitly, with the spec section named (shared/spec/util-linux.md §2).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nsutils_testkit::{need_root, sandbox, Outcome, Tool};

const OURS: &str = env!("CARGO_BIN_EXE_nsenter-rs");

fn tool() -> Tool {
    Tool::util_linux("nsenter", OURS)
}

/// Run ours with argv[0] = `nsenter`.
fn ours(args: &[&str]) -> Outcome {
    Outcome::of(tool().ours_cmd(args).stdin(Stdio::null()))
}

fn assert_both(args: &[String]) -> Outcome {
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
        prepare(&mut cmd);
        let unshare = sandbox(&mut cmd).spawn().expect("start unshare");
        let upid = unshare.id() as i32;
        let forks = flags.iter().any(|f| *f == "-f" || *f == "--fork");
        let want = prog[0].rsplit('/').next().unwrap_or(prog[0]).to_string();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut h = Holder { unshare, pid: 0 };
        loop {
            let pid = if forks {
                std::fs::read_to_string(format!("/proc/{upid}/task/{upid}/children"))
                    .ok()
                    .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
                    .unwrap_or(0)
            } else {
                upid
            };
            if pid > 0 {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                if comm.trim_end() == want {
                    h.pid = pid;
                    return h;
                }
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
        "--mount[=<file>]",
        "--net-socket <fd>",
        "--user-parent",
        "--time[=<file>]",
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
    // §2.1: --net-socket and --user-parent are new in 2.40/2.41, so the lists grow.
    expect(
        &ours(&["--n"]),
        1,
        "",
        "nsenter: option '--n' is ambiguous; possibilities: '--net' '--net-socket' '--no-fork'\n\
         Try 'nsenter --help' for more information.\n",
    );
    expect(
        &ours(&["--u"]),
        1,
        "",
        "nsenter: option '--u' is ambiguous; possibilities: '--uts' '--user' '--user-parent'\n\
         Try 'nsenter --help' for more information.\n",
    );
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
    // §2.1: 2.42 words these as ul_parse_pid_str failures (2.38.1: `failed to parse pid`).
    for (arg, err) in [
        ("0", "Numerical result out of range"),
        ("-5", "Numerical result out of range"),
        ("abc", "Invalid argument"),
        ("12x", "Invalid argument"),
    ] {
        expect(
            &ours(&["-t", arg, "-n", "true"]),
            1,
            "",
            &format!("nsenter: failed to parse PID argument '{arg}': {err}\n"),
        );
    }
}

#[test]
fn target_given_twice() {
    // §2.1: 2.42 refuses a second --target (2.38.1 took the last one).
    expect(
        &ours(&["-t", "1", "-t", "2", "-n", "true"]),
        1,
        "",
        "nsenter: option --target may be given only once\n",
    );
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
    let good = ours(&["-t", &format!("{}:{ino}", h.pid), "-u", "true"]);
    expect(&good, 0, "", "");
    // §2.1: a wrong inode means another process: ESRCH.
    let bad = ours(&["-t", &format!("{}:{}", h.pid, ino + 1), "-u", "true"]);
    expect(
        &bad,
        1,
        "",
        &format!(
            "nsenter: failed to obtain a valid file descriptor for PID {}: No such process\n",
            h.pid
        ),
    );
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
    // §2 (HEAD enable_namespace strips one '='); 2.38.1 opened "=/path".
    if !need_root() {
        return;
    }
    expect(&ours(&["-n=/proc/self/ns/net", "true"]), 0, "", "");
    assert_both(&s(&["-r=/x", "true"]));
}

#[test]
fn wd_and_wdns_together() {
    // §2.1: HEAD words it `options --wd and --wdns cannot be combined`.
    expect(
        &ours(&["-w/tmp", "-W/tmp", "-t", "1", "-n", "true"]),
        1,
        "",
        "nsenter: options --wd and --wdns cannot be combined\n",
    );
}

#[test]
fn wdns_separate_word_is_the_program() {
    // §2: `-W /etc pwd` runs /etc (2.42: -W takes an optional attached argument).
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-u"]);
    expect(
        &ours(&["-t", &h.p(), "-u", "-W", "/etc", "pwd"]),
        126,
        "",
        "nsenter: failed to execute /etc: Permission denied\n",
    );
}

#[test]
fn net_socket_without_target() {
    // §2.1: -N needs -t (2.41+).
    expect(
        &ours(&["-N", "3", "true"]),
        1,
        "",
        "nsenter: no target PID specified\n",
    );
}

#[test]
fn kind_without_target_and_nothing_to_enter() {
    // §2.2 steps 4 and 9 (2.42).
    expect(
        &ours(&["-n", "true"]),
        1,
        "",
        "nsenter: no target PID specified\n",
    );
    expect(
        &ours(&["-a", "true"]),
        1,
        "",
        "nsenter: stat of /proc/0/ns/user failed: No such file or directory\n",
    );
    let me = std::process::id().to_string();
    expect(
        &ours(&["-t", &me, "-w", "pwd"]),
        1,
        "",
        "nsenter: no namespace specified\n",
    );
    expect(
        &ours(&["-r", "--net=/proc/self/ns/net", "true"]),
        1,
        "",
        "nsenter: neither filename nor target pid supplied for root\n",
    );
}

#[test]
fn bad_numbers() {
    let t = tool();
    t.assert_same(&["-S", "abc", "-n", "true"]);
    t.assert_same(&["-G", "x", "-n", "true"]);
    t.assert_same(&["-S", "99999999999999999999", "-n", "true"]);
    expect(
        &ours(&["-N", "x", "true"]),
        1,
        "",
        "nsenter: failed to parse file descriptor: 'x'\n",
    );
}

fn as_nobody(args: &[&str], ours_too: bool) -> Outcome {
    let bin = if ours_too { OURS } else { "/usr/bin/nsenter" };
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
    Outcome::of(&mut cmd)
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
    // §2.2 step 12: 2.42 enters through the pidfd, so the failure is setns's EPERM.
    let mine = as_nobody(&["-t", &p, "-n", "true"], true);
    expect(
        &mine,
        1,
        "",
        "nsenter: reassociate to namespaces failed: Operation not permitted\n",
    );
}

#[test]
fn join_cgroup_needs_cgroup_v2() {
    if !need_root() {
        return;
    }
    let v2 = nscore::pidfd::is_cgroup2(std::path::Path::new("/sys/fs/cgroup")).unwrap_or(false);
    let me = std::process::id().to_string();
    let out = ours(&["-t", &me, "-n", "-c", "cat", "/proc/self/cgroup"]);
    if v2 {
        assert_eq!(out.code, 0, "{out:?}");
    } else {
        expect(
            &out,
            1,
            "",
            "nsenter: --join-cgroup is only supported in cgroup v2\n",
        );
    }
}

// ---------------------------------------------------------------- common paths

#[test]
fn all_shows_a_file_only_in_the_targets_mount_namespace() {
    if !need_root() {
        return;
    }
    let h = Holder::start(&["-m", "-u", "-n", "-i", "-p", "-f", "--mount-proc"]);
    let p = h.p();
    let st = Command::new("nsenter")
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
    let orig = run("/usr/bin/nsenter");
    let mine = run(OURS);
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
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .chars()
            .next();
        if state == Some('T') {
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
    let out = ours(&["-t", &p, "-u", "-S", "follow", "-G", "follow", "id", "-u"]);
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
    // §2.2: --user-parent of a user namespace whose parent is ours means re-entering our own.
    expect(
        &ours(&["-t", &p, "-U", "--user-parent", "true"]),
        1,
        "",
        "nsenter: reassociate to namespace 'ns/user' failed: Invalid argument\n",
    );
    // Our own user namespace is skipped by -a, but refused when asked for; §2.2 step 12: 2.42
    // asks through the pidfd, hence the mask wording (2.38.1 names 'ns/user').
    let me = std::process::id().to_string();
    expect(
        &ours(&["-t", &me, "-U", "true"]),
        1,
        "",
        "nsenter: reassociate to namespaces failed: Invalid argument\n",
    );
    assert_both(&s(&["-t", &me, "-a", "true"]));
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
    let deadline = Instant::now() + Duration::from_secs(5);
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
    let out = ours(&["-t", &p, "-N", &sock, "readlink", "/proc/self/ns/net"]);
    expect(&out, 0, &format!("{}\n", want.display()), "");
    let out = ours(&["-t", &p, "-N", "999", "true"]);
    assert_eq!(out.code, 1);
    assert!(
        out.err().ends_with(", 999): Bad file descriptor\n"),
        "{out:?}"
    );
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
    let out = Outcome::of(
        tool()
            .ours_cmd(&["-t", &h.p(), "-u", "-e", "/usr/bin/env"])
            .env("NSENTER_RS_OURS", "leak"),
    );
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
    // §2.1: --keep-caps (2.40) turns the permitted set into the ambient set after entering a
    // user namespace in pass 2.
    let h = Holder::start(&["-U", "-r"]);
    let out = ours(&[
        "-t",
        &h.p(),
        "-U",
        "--keep-caps",
        "grep",
        "^CapAmb",
        "/proc/self/status",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.out().contains("0000000000000000"), "{out:?}");
    let out = ours(&["-t", &h.p(), "-U", "grep", "^CapAmb", "/proc/self/status"]);
    expect(&out, 0, "CapAmb:\t0000000000000000\n", "");
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
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(format!("/proc/{z}/stat"))
        .unwrap_or_default()
        .contains(") Z ")
    {
        assert!(Instant::now() < deadline, "no zombie");
        std::thread::sleep(Duration::from_millis(5));
    }
    // §2.2 step 5/18: 2.42 opens /proc/Z/ for `follow` (fine for a zombie) and stats it.
    let follow = ours(&["-t", &z, "-S", "follow", "-n/proc/self/ns/net", "id", "-u"]);
    // §2.2 steps 3-4: -a stats /proc/Z/ns/user (fine: 2.38.1 gets past it and fails at
    // cgroup), skips our own user namespace, and setns on the zombie's pidfd says ESRCH.
    let all = ours(&["-t", &z, "-a", "true"]);
    // Both agree where neither version uses the target's namespaces.
    assert_both(&s(&["-t", &z, "-w", "-n/proc/self/ns/net", "true"]));
    child.wait().unwrap();
    expect(&follow, 0, "0\n", "");
    expect(
        &all,
        1,
        "",
        "nsenter: reassociate to namespaces failed: No such process\n",
    );
}

#[test]
fn follow_once_given_stays() {
    if !need_root() {
        return;
    }
    // util-linux sets a flag for `follow` that a later number does not clear (§2.2 step 18
    // then overrides the number with the owner of /proc/PID, root here).
    let h = Holder::start(&["-u"]);
    let p = h.p();
    let out = ours(&["-t", &p, "-u", "-S", "follow", "-S", "5", "id", "-u"]);
    expect(&out, 0, "0\n", "");
    let out = ours(&["-t", &p, "-u", "-G", "follow", "-G", "5", "id", "-g"]);
    expect(&out, 0, "0\n", "");
    let out = ours(&["-t", &p, "-u", "-S", "5", "-S", "follow", "id", "-u"]);
    expect(&out, 0, "0\n", "");
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
        assert_eq!(run("/usr/bin/nsenter"), run(OURS), "{redirect}");
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
        expect(
            &ours(&args),
            1,
            "",
            &format!("nsenter: ioctl({sk}, SIOCGSKNS): Inappropriate ioctl for device\n"),
        );
    }
}
