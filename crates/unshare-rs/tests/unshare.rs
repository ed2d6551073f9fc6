//! unshare-rs against util-linux 2.42.4 `unshare` (the oracle of `cargo xtask oracle`): the
//! same command lines through both, comparing stdout, stderr and exit status. A written
//! expectation is kept only where no run of the original can show the behaviour (each such test
//! says why).

use std::path::Path;
use std::process::Command;

use nsutils_testkit::{need_root, oracle, sandbox, Outcome, Tool, SCRATCH};

/// Run a bash script inside a fresh sandbox (the testkit's `sandbox_sh` uses /bin/sh, which
/// lacks `exec -a`).
fn sandbox_sh(script: &str) -> Outcome {
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c").arg(script);
    Outcome::of(sandbox(&mut cmd))
}

static OURS: nsutils_testkit::Ours = nsutils_testkit::Ours::new(env!("CARGO_BIN_EXE_unshare-rs"));

fn tool() -> Tool {
    Tool::util_linux("unshare", OURS)
}

/// Ours only, as `unshare` (argv[0]).
fn ours(args: &[&str]) -> Outcome {
    Outcome::of(&mut tool().ours_cmd(args))
}

fn same(args: &[&str]) -> Outcome {
    tool().assert_same(args)
}

fn expect(o: &Outcome, stdout: &str, stderr: &str, code: i32) {
    assert_eq!(
        (o.out().as_str(), o.err().as_str(), o.code),
        (stdout, stderr, code),
        "{o:?}"
    );
}

/// The oracle's `unshare` launcher, for shell scripts (it sets argv[0] itself; do not `exec -a`
/// it, it finds its root from its own path).
fn orig() -> String {
    oracle::launcher("unshare").display().to_string()
}

/// Run `script` in a fresh sandbox twice: once where `unshare` is the oracle's, once where it
/// is ours (a shell function exec'ing our binary with argv[0] `unshare`). Returns both outcomes.
fn sandbox_both(script: &str) -> (Outcome, Outcome) {
    let orig = sandbox_sh(&format!(
        "S={SCRATCH}\nunshare() {{ {} \"$@\"; }}\n{script}",
        orig()
    ));
    let ours = sandbox_sh(&format!(
        "S={SCRATCH}\nunshare() {{ (exec -a unshare {OURS} \"$@\"); }}\n{script}"
    ));
    (orig, ours)
}

fn assert_sandbox_same(script: &str) -> Outcome {
    let (a, b) = sandbox_both(script);
    let (na, nb) = (
        (
            nsutils_testkit::mask_pids(&a.out()),
            nsutils_testkit::mask_pids(&a.err()),
            a.code,
        ),
        (
            nsutils_testkit::mask_pids(&b.out()),
            nsutils_testkit::mask_pids(&b.err()),
            b.code,
        ),
    );
    assert_eq!(
        na, nb,
        "script:\n{script}\n== original ==\n{a:?}\n== ours ==\n{b:?}"
    );
    b
}

/// The words that start the unshare under test after a shell's `exec` (unquoted paths): ours
/// with argv[0] `unshare`, or the oracle's launcher.
fn shell_words(ours: bool) -> String {
    if ours {
        format!("-a unshare {OURS}")
    } else {
        orig()
    }
}

/// Run the bash script `f(words)` (outside any sandbox) once with the oracle's words and once
/// with ours (see [`shell_words`]); assert both outcomes agree and return ours.
fn same_script(f: impl Fn(&str) -> String) -> Outcome {
    let run = |ours: bool| {
        Outcome::of(
            Command::new("/bin/bash")
                .arg("-c")
                .arg(f(&shell_words(ours))),
        )
    };
    let (a, b) = (run(false), run(true));
    assert_eq!(a, b, "script:\n{}", f("UNSHARE"));
    b
}

/// Where the sandbox binds our binary's directory and the oracle (read-only): the checkout may
/// be under a directory that nobody cannot enter, /run (the sandbox's tmpfs) is open to all.
const RUN_BIN: &str = nsutils_testkit::SANDBOX_BIN;
const RUN_ORACLE: &str = nsutils_testkit::SANDBOX_ORACLE;

/// In a fresh sandbox with our binary's directory and the oracle bound read-only under /run,
/// run `setup` as root, then `args` (shell words) as nobody through the original (`ours`
/// false) or ours, argv[0] `unshare`. In `setup` and `args`, `$S` is the scratch directory.
fn as_nobody(ours: bool, setup: &str, args: &str) -> Outcome {
    as_user(ours, true, false, setup, args)
}

/// As [`as_nobody`], as nobody or root, and with a pseudo-terminal on stdin, stdout and stderr
/// when `tty` (through `script`; what the terminal showed comes back as stdout, without `\r`).
fn as_user(ours: bool, nobody: bool, tty: bool, setup: &str, args: &str) -> Outcome {
    oracle::require();
    let u = if ours {
        format!("/bin/bash -c 'exec -a unshare \"$0\" \"$@\"' {RUN_BIN}/unshare-rs")
    } else {
        format!("{RUN_ORACLE}/bin/unshare")
    };
    let who = if nobody {
        "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --"
    } else {
        ""
    };
    let cmd = format!("{who} {u} {args}");
    let run = if tty {
        format!("/usr/bin/script -qec {} /dev/null", shell_quote(&cmd))
    } else {
        cmd
    };
    let mut o = sandbox_sh(&format!(
        "S={SCRATCH}
         {setup}
         cd /
         exec {run}"
    ));
    if tty {
        o.stdout.retain(|&b| b != b'\r');
    }
    o
}

/// [`as_nobody`] through both; asserts they agree and returns ours.
fn same_as_nobody(setup: &str, args: &str) -> Outcome {
    let (a, b) = (as_nobody(false, setup, args), as_nobody(true, setup, args));
    assert_ne!(a.code, 99, "sandbox setup failed: {a:?}");
    assert_eq!(a, b, "as nobody: {args}");
    b
}

// ---------------------------------------------------------------- command line

#[test]
fn options_stop_at_the_program() {
    if !need_root() {
        return;
    }
    let o = same(&["-m", "echo", "-n", "x"]);
    assert_eq!(o.out(), "x");
}

#[test]
fn short_namespace_flags_take_no_argument() {
    let o = same(&["-u=foo", "true"]);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("invalid option -- '='"), "{o:?}");
}

#[test]
fn clustered_short_flags_and_long_file_forms() {
    if !need_root() {
        return;
    }
    same(&["-mun", "sh", "-c", "echo ok"]);
    same(&["--net", "--uts", "true"]);
}

#[test]
fn unknown_options_fail_like_getopt() {
    for args in [
        &["--bogus"][..],
        &["-x"],
        &["--bogus", "-h"],
        &["--map-user"],
    ] {
        let o = same(args);
        assert_eq!(o.code, 1, "{o:?}");
    }
}

#[test]
fn help_before_a_bad_option_wins() {
    let (orig, ours) = tool().run_both(&["-h", "--bogus"], |_| {});
    assert_eq!((orig.code, orig.stderr.len()), (0, 0));
    assert_eq!((ours.code, ours.stderr.len()), (0, 0), "{ours:?}");
}

/// `--fo` is ambiguous in 2.42 (`--fork`, `--forward-signals`).
#[test]
fn fo_is_ambiguous_as_in_2_42() {
    let o = same(&["--fo", "true"]);
    expect(
        &o,
        "",
        "unshare: option '--fo' is ambiguous; possibilities: '--fork' '--forward-signals'\n\
         Try 'unshare --help' for more information.\n",
        1,
    );
}

#[test]
fn help_has_the_2_42_layout() {
    let o = ours(&["--help"]);
    assert_eq!(o.code, 0);
    let text = o.out();
    assert!(
        text.starts_with("\nUsage:\n unshare [options] [<program> [<argument>...]]\n\n"),
        "{text}"
    );
    assert!(
        text.ends_with("\nFor more details see unshare(1).\n"),
        "{text}"
    );
    // The option labels (left column) of util-linux 2.42's usage(), in its order.
    let labels = [
        " -m, --mount[=<file>]",
        " -u, --uts[=<file>]",
        " -i, --ipc[=<file>]",
        " -n, --net[=<file>]",
        " -p, --pid[=<file>]",
        " -U, --user[=<file>]",
        " -C, --cgroup[=<file>]",
        " -T, --time[=<file>]",
        "",
        " --mount-proc[=<dir>]",
        " --mount-binfmt[=<dir>]",
        " -l, --load-interp <file>",
        " --propagation slave|shared|private|unchanged",
        " -R, --root <dir>",
        " -w, --wd <dir>",
        "",
        " -S, --setuid <uid>",
        " -G, --setgid <gid>",
        " --map-user <uid>|<name>",
        " --map-group <gid>|<name>",
        " -r, --map-root-user",
        " -c, --map-current-user",
        " --map-auto",
        " --map-subids",
        " --map-users <inneruid>:<outeruid>:<count>",
        " --map-groups <innergid>:<outergid>:<count>",
        " --owner <uid>:<gid>",
        "",
        " -f, --fork",
        " --kill-child[=<signame>]",
        " --forward-signals",
        " --init",
        "",
        " --setgroups allow|deny",
        " --keep-caps",
        // util-linux 2.43's (issue 22), where 2.42.4 has nothing.
        " --clear-env",
        " --whitelist-env <list>",
        "",
        " --monotonic <offset>",
        " --boottime <offset>",
        "",
        " -h, --help",
        " -V, --version",
    ];
    let body = text.split("\nOptions:\n").nth(1).unwrap();
    let body = body.split("\n\nFor more").next().unwrap();
    // A label ends where the description column (27) starts, or is alone on its line.
    let got: Vec<String> = body
        .lines()
        .filter(|l| !l.starts_with("                           "))
        .map(|l| {
            let cut = if l.len() > 27 && l.as_bytes()[26] == b' ' {
                27
            } else {
                l.len()
            };
            l[..cut].trim_end().to_string()
        })
        .collect();
    assert_eq!(got, labels);
}

#[test]
fn version_names_nsutils() {
    let o = ours(&["-V"]);
    expect(
        &o,
        &format!("unshare from nsutils {}\n", env!("CARGO_PKG_VERSION")),
        "",
        0,
    );
}

// ---------------------------------------------------------------- exit status, exec

#[test]
fn exit_status_is_the_programs() {
    if !need_root() {
        return;
    }
    assert_eq!(same(&["-n", "sh", "-c", "exit 7"]).code, 7);
}

#[test]
fn exec_failures_exit_127_or_126() {
    assert_eq!(same(&["/nonexistent"]).code, 127);
    assert_eq!(same(&["/etc/passwd"]).code, 126);
}

#[test]
fn no_program_runs_the_login_shell() {
    // The shell is exec'd as `-sh`: $0 shows it.
    let mut a = tool().original_cmd::<&str>(&[]);
    let mut b = tool().ours_cmd::<&str>(&[]);
    for c in [&mut a, &mut b] {
        c.env("SHELL", "/bin/sh");
        c.stdin(std::process::Stdio::piped());
    }
    let run = |c: &mut Command| {
        use std::io::Write;
        let mut child = c
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"echo $0\n").unwrap();
        let out = child.wait_with_output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
        )
    };
    let (oa, ob) = (run(&mut a), run(&mut b));
    assert_eq!(oa, ob);
    assert_eq!(ob.0, "-sh\n");
}

// ---------------------------------------------------------------- fork and signals

#[test]
fn fork_passes_on_the_childs_signal() {
    assert_eq!(same(&["-f", "sh", "-c", "kill -TERM $$"]).code, 143);
    assert_eq!(
        same(&["-f", "sh", "-c", "ulimit -c 0; kill -SEGV $$"]).code,
        139
    );
}

/// A child killed by SIGKILL gives 137 (SIGKILL cannot be re-raised usefully; 2.42 exits 128+9).
#[test]
fn fork_child_killed_by_sigkill_gives_137() {
    let o = same(&["-f", "sh", "-c", "kill -KILL $$"]);
    expect(&o, "", "", 137);
}

/// Plain -f defers TERM until the child is done.
#[test]
fn fork_parent_defers_sigterm() {
    let o = same_script(|u| {
        format!(
            "exec {u} -f sh -c 'sleep 0.3; echo done' & p=$!
         sleep 0.1; kill -TERM $p; wait $p; echo rc=$?"
        )
    });
    expect(&o, "done\nrc=0\n", "", 0);
}

/// --forward-signals passes TERM on; the child dies of it and the
/// parent re-raises it: 143.
#[test]
fn forward_signals_passes_sigterm_to_the_child() {
    let o = same_script(|u| {
        format!(
        "exec {u} --forward-signals sleep 5 & p=$!
         i=0; while [ $i -lt 200 ] && ! pgrep -P $p sleep >/dev/null; do sleep 0.01; i=$((i+1)); done
         kill -TERM $p; wait $p; echo rc=$?"
    )
    });
    expect(&o, "rc=143\n", "", 0);
}

#[test]
fn kill_child_signal_reaches_the_child_when_we_die() {
    // The parent is SIGKILLed; the child gets SIGUSR1 as its death signal.
    let o = same_script(|u| {
        format!(
        "f=$(mktemp); exec 3>\"$f\"
         (exec {u} --kill-child=SIGUSR1 bash -c 'trap \"echo got >&3; exit 0\" USR1; echo ready >&3; while :; do sleep 0.02; done') & p=$!
         i=0; while [ $i -lt 300 ] && ! grep -q ready \"$f\"; do sleep 0.01; i=$((i+1)); done
         kill -KILL $p; wait $p 2>/dev/null
         i=0; while [ $i -lt 300 ] && ! grep -q got \"$f\"; do sleep 0.01; i=$((i+1)); done
         cat \"$f\"; rm -f \"$f\""
    )
    });
    expect(&o, "ready\ngot\n", "", 0);
}

#[test]
fn pid_namespace_child_is_pid_1_with_its_own_proc() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "unshare -fp --mount-proc sh -c 'echo $$; ps -o pid= -p 1; grep \" /proc \" /proc/self/mountinfo | cut -d\" \" -f5-'",
    );
    assert!(o.out().starts_with("1\n"), "{o:?}");
    assert!(o.out().contains("/proc rw,nosuid,nodev,noexec"), "{o:?}");
}

// ---------------------------------------------------------------- user namespaces

#[test]
fn map_root_user_writes_single_maps_and_denies_setgroups() {
    let o = same(&[
        "-r",
        "cat",
        "/proc/self/uid_map",
        "/proc/self/gid_map",
        "/proc/self/setgroups",
    ]);
    assert!(o.out().ends_with("deny\n"), "{o:?}");
}

#[test]
fn map_current_user_and_user_only() {
    same(&["-c", "id", "-u"]);
    same(&["-U", "id"]);
}

#[test]
fn map_user_and_group_by_name_and_number() {
    same(&["--map-user=nobody", "--map-group=nogroup", "id"]);
    same(&[
        "--map-user=123",
        "--map-group=456",
        "cat",
        "/proc/self/uid_map",
        "/proc/self/gid_map",
    ]);
}

/// As root, ranges in the `inner:outer:count` form are written directly, setgroups stays
/// `allow`.
#[test]
fn ranges_are_written_directly_as_root() {
    if !need_root() {
        return;
    }
    let o = same(&[
        "--map-users=0:100000:65536",
        "--map-groups=0:100000:65536",
        "cat",
        "/proc/self/uid_map",
        "/proc/self/gid_map",
        "/proc/self/setgroups",
    ]);
    let line = "         0     100000      65536\n";
    expect(&o, &format!("{line}{line}allow\n"), "", 0);
}

/// `-r --map-users=100000,0,10` → "0 0 1" then "1 100000 9" (the hole).
#[test]
fn single_map_punches_a_hole_in_ranges() {
    if !need_root() {
        return;
    }
    let o = same(&["-r", "--map-users=100000,0,10", "cat", "/proc/self/uid_map"]);
    expect(
        &o,
        "         0          0          1\n         1     100000          9\n",
        "",
        0,
    );
}

/// `all` copies the parent's map as identity.
#[test]
fn map_all_copies_the_parents_map() {
    if !need_root() {
        return;
    }
    let o = same(&[
        "--map-users=all",
        "--map-groups=all",
        "cat",
        "/proc/self/uid_map",
        "/proc/self/gid_map",
    ]);
    let line = "         0          0 4294967295\n";
    expect(&o, &format!("{line}{line}"), "", 0);
}

#[test]
fn multiple_ranges_keep_their_order() {
    if !need_root() {
        return;
    }
    let o = same(&[
        "--map-users=0:100000:10",
        "--map-users=10:200000:5",
        "cat",
        "/proc/self/uid_map",
    ]);
    expect(
        &o,
        "         0     100000         10\n        10     200000          5\n",
        "",
        0,
    );
}

#[test]
fn setgroups_quirks_match() {
    // -r then --setgroups=deny fails: gid_map is already written.
    assert_eq!(same(&["-r", "--setgroups=deny", "true"]).code, 1);
    same(&["-r", "--setgroups=allow", "true"]);
    same(&["-U", "--setgroups=deny", "cat", "/proc/self/setgroups"]);
}

#[test]
fn keep_caps_fills_the_ambient_set() {
    if !need_root() {
        return;
    }
    let o = same_as_nobody(
        "",
        "-U -c --keep-caps grep -E '^Cap(Eff|Amb)' /proc/self/status",
    );
    assert!(o.out().contains("CapAmb:\t000001ffffffffff"), "{o:?}");
}

#[test]
fn owner_makes_the_namespace_theirs() {
    if !need_root() {
        return;
    }
    // With -r the single map goes through the helper,
    // built in step 4 from the euid we started with (0), so uid_map is "0 0 1"; then step 5
    // switches to the owner 65534, which is unmapped inside and shows as the overflow uid.
    let o = same(&[
        "--owner",
        "65534:65534",
        "-r",
        "sh",
        "-c",
        "cat /proc/self/uid_map /proc/self/gid_map; id -u; grep ^Uid /proc/self/status",
    ]);
    let line = "         0          0          1\n";
    expect(
        &o,
        &format!("{line}{line}65534\nUid:\t65534\t65534\t65534\t65534\n"),
        "",
        0,
    );
}

// ---------------------------------------------------------------- rootless

#[test]
fn rootless_walkthroughs_match() {
    if !need_root() {
        return;
    }
    let b = same_as_nobody("", "-U id");
    assert!(b.out().starts_with("uid=65534(nobody)"), "{b:?}");
    let b = same_as_nobody("", "-r cat /proc/self/uid_map");
    assert_eq!(b.out(), "         0      65534          1\n");
    for args in [
        "-c id -u",
        "-r cat /proc/self/gid_map /proc/self/setgroups",
        "--map-user=0 --map-group=0 id -u",
        "-r --setgroups=deny true",
        "-U --setgroups=allow cat /proc/self/setgroups",
        "-U --map-group=0 true",
        "--map-user=5 true",
        "-r --map-user=1 true",
        "-rm --propagation=slave true",
        "-r -T --monotonic=5 -f cat /proc/self/timens_offsets",
        "-r --mount-proc true",
        "-r --kill-child=TERM true",
    ] {
        same_as_nobody("", args);
    }
}

#[test]
fn unprivileged_namespace_without_user_ns_is_refused() {
    if !need_root() {
        return;
    }
    for args in [
        "-n true",
        "-m true",
        "-p true",
        "-T true",
        "-R / true",
        "--owner 1:1 true",
    ] {
        let b = same_as_nobody("", args);
        assert_eq!(b.code, 1, "{args}: {b:?}");
    }
    let b = same_as_nobody("", "-n true");
    expect(
        &b,
        "",
        "unshare: unshare failed: Operation not permitted\n",
        1,
    );
}

// ---------------------------------------------------------------- time namespaces

#[test]
fn time_offsets_are_written() {
    if !need_root() {
        return;
    }
    let o = same(&[
        "-T",
        "--boottime",
        "86400",
        "--monotonic",
        "-100",
        "-f",
        "cat",
        "/proc/self/timens_offsets",
    ]);
    assert!(o.out().contains("boottime        86400"), "{o:?}");
}

// ---------------------------------------------------------------- mounts and persistence

#[test]
fn mount_namespace_is_private_by_default_and_shared_on_request() {
    if !need_root() {
        return;
    }
    assert_sandbox_same(
        "mount --make-rshared /; unshare -m grep -c shared: /proc/self/mountinfo; echo $?",
    );
    assert_sandbox_same("mount --make-rshared /; unshare -m --propagation shared sh -c 'grep \" / / \" /proc/self/mountinfo | grep -c shared:'");
    assert_sandbox_same("mount --make-rshared /; unshare -m --propagation unchanged sh -c 'grep \" / / \" /proc/self/mountinfo | grep -c shared:'");
}

#[test]
fn persistent_namespaces_are_bound_onto_files() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "touch $S/uts $S/net $S/ipc $S/cgroup
         unshare --uts=$S/uts --net=$S/net --ipc=$S/ipc --cgroup=$S/cgroup hostname persisted; echo rc=$?
         nsenter --uts=$S/uts hostname
         findmnt -n -o FSTYPE $S/net",
    );
    assert_eq!(o.out(), "rc=0\npersisted\nnsfs\n");
}

#[test]
fn persistent_pid_namespace_with_fork() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "touch $S/pid; unshare -f --pid=$S/pid true; echo rc=$?; findmnt -n -o FSTYPE $S/pid",
    );
    assert_eq!(o.out(), "rc=0\nnsfs\n");
}

#[test]
fn persistent_mount_namespace_from_the_helper() {
    if !need_root() {
        return;
    }
    // Since Linux 6.18 namespace IDs come from per-CPU batches, and the kernel refuses to bind
    // a mount namespace whose ID is not above the caller's (its loop check) with EINVAL: a
    // namespace made on another CPU than the caller's may get a lower ID, and then the bind
    // fails for the original as for ours (docs/KERNELS.md). Made on the caller's CPU it always
    // works. So the caller's mount namespace and the tool are pinned to one CPU, and the same
    // run of the original is the reference: the same outcome, nothing left behind on failure.
    let cpu = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .and_then(|l| l.trim().split([',', '-']).next().map(str::to_string))
        .unwrap_or_else(|| "0".into());
    let o = assert_sandbox_same(&format!(
        "mkdir $S/b; mount --bind $S/b $S/b; mount --make-private $S/b; touch $S/b/mnt
         export S; export -f unshare
         taskset -c {cpu} /usr/bin/unshare -m bash -c '
           unshare --mount=$S/b/mnt sh -c \"mount -t tmpfs inner /mnt\"; echo status $?
           nsenter --mount=$S/b/mnt findmnt -n -o SOURCE /mnt
           grep -c \" $S/b/mnt \" /proc/self/mountinfo'"
    ));
    assert_eq!(o.out(), "status 0\ninner\n1\n", "{o:?}");
}

/// `--user=FILE` works in 2.42 (the bind helper is forked for the user namespace too).
#[test]
fn persistent_user_namespace_works_as_in_2_42() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "touch $S/user
         unshare --user=$S/user -r true; echo rc=$?
         findmnt -n -o FSTYPE $S/user
         nsenter --user=$S/user cat /proc/self/uid_map",
    );
    expect(&o, "rc=0\nnsfs\n         0          0          1\n", "", 0);
}

#[test]
fn persistence_target_must_exist() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same("unshare --uts=$S/missing true; echo rc=$?; ls $S");
    assert!(
        o.err().contains("failed: No such file or directory"),
        "{o:?}"
    );
    let o = assert_sandbox_same(
        "unshare --mount=$S/missing true; echo rc=$?; ls $S; grep -c nsfs /proc/self/mountinfo",
    );
    assert!(o.out().starts_with("rc=1\n"), "{o:?}");
}

#[test]
fn persistence_on_a_shared_mount_fails() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "mount --make-shared /run; touch $S/mnt; unshare --mount=$S/mnt true; echo rc=$?; grep -c nsfs /proc/self/mountinfo",
    );
    assert!(o.err().contains("Invalid argument"), "{o:?}");
}

#[test]
fn pid_file_without_fork_fails() {
    if !need_root() {
        return;
    }
    let o = assert_sandbox_same(
        "touch $S/pid; unshare --pid=$S/pid true; echo rc=$?; grep -c nsfs /proc/self/mountinfo",
    );
    assert!(o.err().contains("pid_for_children"), "{o:?}");
}

#[test]
fn failed_bind_leaves_no_process_behind() {
    if !need_root() {
        return;
    }
    // Inside a fresh PID namespace, count what is left after each failure.
    for args in [
        "--mount=$S/missing true",
        "-f --uts=$S/missing sleep 5",
        "-f -m --uts=$S/missing sleep 5",
    ] {
        let o = sandbox_sh(&format!(
            "S={SCRATCH}; unshare -fp --mount-proc bash -c '(exec -a unshare {OURS} {args}); echo rc=$?; ps -e -o comm= | grep -cv -e ^ps$ -e ^bash$ -e ^grep$'"
        ));
        assert_eq!(o.out(), "rc=1\n0\n", "{args}: {o:?}");
    }
}

// ---------------------------------------------------------------- root and working directory

#[test]
fn root_and_working_directory() {
    if !need_root() {
        return;
    }
    same(&["-R", "/", "pwd"]);
    same(&["-R", "/", "-w", "/tmp", "pwd"]);
    same(&["-w", "/tmp", "pwd"]);
}

// ---------------------------------------------------------------- nothing leaks

/// Run `prog args` (argv[0] `unshare`) from a bash that first closes every descriptor above 2,
/// so whatever the test harness has open cannot blur the picture.
fn with_clean_fds(prog: bool, args: &[&str], sandboxed: bool) -> Outcome {
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c")
        .arg(
            "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done
             S=/run/nsutils-scratch; touch $S/uts 2>/dev/null; exec $UNSHARE \"$@\"",
        )
        .arg("bash")
        .args(args)
        .env("UNSHARE", shell_words(prog));
    if sandboxed {
        sandbox(&mut cmd);
    }
    Outcome::of(&mut cmd)
}

#[test]
fn no_file_descriptor_leaks_into_the_program() {
    if !need_root() {
        return;
    }
    // The shell lists its own descriptors with a glob (reading the directory takes fd 3); a
    // pipeline would race with the shell closing its pipe ends.
    let fds = "cd /proc/self/fd && echo *";
    for args in [
        &["sh", "-c", fds][..],
        &["-f", "sh", "-c", fds],
        &["-r", "sh", "-c", fds],
        &["-f", "--kill-child", "sh", "-c", fds],
        &[
            "--map-users=100000,0,10",
            "--map-groups=100000,0,10",
            "sh",
            "-c",
            fds,
        ],
        &["-m", "--uts=/run/nsutils-scratch/uts", "sh", "-c", fds],
        &["-f", "--uts=/run/nsutils-scratch/uts", "sh", "-c", fds],
    ] {
        let o = with_clean_fds(true, args, true);
        expect(&o, "0 1 2 3\n", "", 0);
        let orig = with_clean_fds(false, args, true);
        assert_eq!(orig, o, "{args:?}");
    }
}

#[test]
fn signal_mask_and_dispositions_are_untouched() {
    // `exec`: a shell forking a child blocks signals for a moment, so read our own status.
    let status = "exec grep -E '^Sig(Blk|Ign)' /proc/self/status";
    for args in [&["sh", "-c", status][..], &["-f", "sh", "-c", status]] {
        // A caller that ignores some signals: the program must inherit exactly that.
        let run = |prog: bool| {
            let mut c = Command::new("/bin/bash");
            c.arg("-c")
                .arg("trap '' USR1 HUP; exec $UNSHARE \"$@\"")
                .arg("sh")
                .args(args)
                .env("UNSHARE", shell_words(prog));
            Outcome::of(&mut c)
        };
        let (a, b) = (run(false), run(true));
        assert_eq!(a, b, "{args:?}");
        // SIGHUP (bit 0) and SIGUSR1 (bit 9) ignored; other bits are the caller's (a run
        // started as a script's background job also ignores SIGINT and SIGQUIT).
        let ign = b
            .out()
            .lines()
            .find_map(|l| l.strip_prefix("SigIgn:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok());
        assert!(ign.is_some_and(|m| m & 0x201 == 0x201), "{b:?}");
    }
    // --forward-signals and --kill-child must leave the child as plain -f does (the child
    // restores the mask it had), and as the original does (`same`). One exception, the
    // original's too: a forwarded signal (SIGINT, SIGTERM) that the caller ignored is caught
    // in the parent before the fork, so the child's exec resets it to the default (a suite
    // started as a script's background job has SIGINT ignored).
    let status_of = |o: &Outcome| {
        let field = |name: &str| {
            o.out()
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        };
        (
            field("SigBlk:"),
            field("SigIgn:").map(|m| m & !(1 << 1 | 1 << 14)),
        )
    };
    let base = same(&["-f", "sh", "-c", status]);
    assert!(base.out().contains("SigBlk:\t0000000000000000"), "{base:?}");
    for opt in ["--forward-signals", "--kill-child"] {
        let o = same(&[opt, "sh", "-c", status]);
        assert_eq!(status_of(&base), status_of(&o), "{opt}: {base:?}{o:?}");
    }
}

#[test]
fn environment_is_untouched() {
    let mut a = tool().original_cmd(&["env"]);
    let mut b = tool().ours_cmd(&["env"]);
    for c in [&mut a, &mut b] {
        c.env("NSUTILS_TEST", "x y");
    }
    let (a, b) = (Outcome::of(&mut a), Outcome::of(&mut b));
    assert_eq!(a, b);
    assert!(b.out().contains("NSUTILS_TEST=x y\n"));
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_propagation() {
    let o = same(&["--propagation", "bogus", "-m", "true"]);
    assert_eq!(o.err(), "unshare: unsupported propagation mode: bogus\n");
}

#[test]
fn bad_setgroups() {
    let o = same(&["--setgroups=maybe", "true"]);
    assert_eq!(
        o.err(),
        "unshare: unsupported --setgroups argument 'maybe'\n"
    );
}

#[test]
fn setgroups_allow_with_map_group() {
    let o = same(&["--map-group=0", "--setgroups=allow", "true"]);
    assert_eq!(
        o.err(),
        "unshare: options --setgroups=allow and --map-group are mutually exclusive\n"
    );
}

#[test]
fn bad_setuid_and_setgid() {
    for args in [
        &["-S", "abc", "true"][..],
        &["-G", "5x", "true"],
        &["-S", "", "true"],
        &["-G", "99999999999999999999", "true"],
    ] {
        let o = same(args);
        assert_eq!(o.code, 1);
    }
}

/// A --map-user/--map-group that is no number and no existing name: 2.42.4 says only
/// `failed to parse uid 'X'` (no errno), for out-of-range numbers too.
#[test]
fn bad_user_and_group_names() {
    let o = same(&["--map-user=nosuchuser", "true"]);
    expect(&o, "", "unshare: failed to parse uid 'nosuchuser'\n", 1);
    let o = same(&["--map-group=nosuchgroup", "true"]);
    expect(&o, "", "unshare: failed to parse gid 'nosuchgroup'\n", 1);
    for v in [
        "",
        "-1",
        "+5",
        " 5",
        "0x10",
        "5x",
        "010",
        "4294967294",
        "4294967295",
        "4294967296",
        "99999999999999999999",
        " root",
        "0 ",
        "1e3",
        "nobody",
        "root",
    ] {
        same(&[&format!("--map-user={v}"), "cat", "/proc/self/uid_map"]);
        same(&[&format!("--map-group={v}"), "cat", "/proc/self/gid_map"]);
    }
}

/// `invalid mapping '1:2'`.
#[test]
fn malformed_map_ranges() {
    for bad in ["1:2", "1:2:3:4", "a:b:c", "1,2", ""] {
        let o = same(&[&format!("--map-users={bad}"), "true"]);
        expect(&o, "", &format!("unshare: invalid mapping '{bad}'\n"), 1);
    }
}

#[test]
fn unknown_signal_names_and_numbers() {
    let o = same(&["--kill-child=NOPE", "true"]);
    assert_eq!(o.err(), "unshare: unknown signal: NOPE\n");
    let o = same(&["--kill-child=9", "true"]);
    assert_eq!(o.err(), "unshare: unknown signal: 9\n");
}

#[test]
fn bad_offset() {
    let o = same(&["-T", "--monotonic", "abc", "true"]);
    assert_eq!(
        o.err(),
        "unshare: failed to parse monotonic offset: 'abc'\n"
    );
    same(&["-T", "--boottime", "1x", "true"]);
}

/// 2.42 says `(-T)`.
#[test]
fn monotonic_without_time_namespace() {
    let o = same(&["--monotonic", "5", "true"]);
    expect(
        &o,
        "",
        "unshare: options --monotonic and --boottime require unsharing of a time namespace (-T)\n",
        1,
    );
}

/// --owner in a bad format: `failed to parse owner`.
#[test]
fn bad_owner() {
    for bad in ["1", "1:", "a:b", "1:2:3", "1,2"] {
        let o = same(&["--owner", bad, "true"]);
        expect(&o, "", "unshare: failed to parse owner\n", 1);
    }
}

#[test]
fn bad_root_directory() {
    if !need_root() {
        return;
    }
    let o = same(&["-R", "/nonexistent", "true"]);
    assert_eq!(
        o.err(),
        "unshare: cannot change root directory to '/nonexistent': No such file or directory\n"
    );
}

/// `cannot change directory to DIR: ...`.
#[test]
fn bad_working_directory() {
    let o = same(&["-w", "/nonexistent", "true"]);
    expect(
        &o,
        "",
        "unshare: cannot change directory to /nonexistent: No such file or directory\n",
        1,
    );
}

#[test]
fn bad_input_leaves_no_mount_behind() {
    if !need_root() {
        return;
    }
    // Everything runs in a sandbox; the mount table after a failure equals the one before.
    for args in [
        "--propagation bogus -m true",
        "-m -R /nonexistent true",
        "--mount-proc=$S/none true",
        "--uts=$S/none true",
    ] {
        let o = sandbox_sh(&format!(
            "S={SCRATCH}; a=$(cat /proc/self/mountinfo); (exec -a unshare {OURS} {args}) 2>/dev/null; echo rc=$?; b=$(cat /proc/self/mountinfo); [ \"$a\" = \"$b\" ] && echo same; ls $S"
        ));
        assert_eq!(o.out(), "rc=1\nsame\n", "{args}: {o:?}");
    }
}

// ---------------------------------------------------------------- newuidmap / newgidmap

/// Whether Debian's `uidmap` (newuidmap, newgidmap) is installed; CI installs it, so a missing
/// one fails there instead of skipping.
fn have_uidmap() -> bool {
    let ok = ["/usr/bin/newuidmap", "/usr/bin/newgidmap"]
        .iter()
        .all(|p| std::path::Path::new(p).exists());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "newuidmap/newgidmap missing under CI"
        );
        eprintln!("skipped: install uidmap for this test");
    }
    ok
}

/// Setup for [`as_nobody`]: /etc/subuid and /etc/subgid give nobody one block each.
const SUBIDS: &str = "echo nobody:100000:65536 > $S/subuid; echo 65534:200000:65536 > $S/subgid
         mount --bind $S/subuid /etc/subuid && mount --bind $S/subgid /etc/subgid";

#[test]
fn map_auto_as_an_ordinary_user_uses_newuidmap() {
    if !need_root() || !have_uidmap() {
        return;
    }
    for args in [
        "--map-auto cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups",
        "-r --map-auto cat /proc/self/uid_map /proc/self/gid_map",
        "-c --map-auto id -u",
        "--map-users=100000,0,10 --map-groups=200000,0,10 cat /proc/self/uid_map",
        "--map-users=auto cat /proc/self/uid_map /proc/self/gid_map",
        "--map-groups=auto cat /proc/self/uid_map /proc/self/gid_map",
        "--map-users=auto --setgroups=deny cat /proc/self/setgroups",
        "--map-auto --keep-caps grep CapAmb /proc/self/status",
        "-f --map-auto -p --mount-proc ps -o pid= -p 1",
    ] {
        let b = same_as_nobody(SUBIDS, args);
        assert_eq!(b.code, 0, "{args}: {b:?}");
    }
    let b = same_as_nobody(SUBIDS, "--map-auto cat /proc/self/uid_map");
    assert_eq!(b.out(), "         0     100000      65536\n");
}

#[test]
fn map_subids_and_colon_ranges_as_an_ordinary_user() {
    if !need_root() || !have_uidmap() {
        return;
    }
    let b = same_as_nobody(
        SUBIDS,
        "--map-subids cat /proc/self/uid_map /proc/self/gid_map",
    );
    assert_eq!(b.code, 0, "{b:?}");
    let b = same_as_nobody(
        SUBIDS,
        "--map-users=0:100000:5 --map-users=5:100005:5 cat /proc/self/uid_map",
    );
    assert_eq!(b.code, 0, "{b:?}");
    same_as_nobody(SUBIDS, "--map-users=all true");
    same_as_nobody(
        SUBIDS,
        "--map-users=subids --map-groups=subids -r cat /proc/self/uid_map",
    );
}

#[test]
fn refused_ranges_pass_on_newuidmaps_status() {
    if !need_root() || !have_uidmap() {
        return;
    }
    let b = same_as_nobody(SUBIDS, "--map-users=300000,0,10 true");
    assert_eq!(b.code, 1, "{b:?}");
    assert!(b.err().starts_with("newuidmap: "), "{b:?}");
    same_as_nobody(SUBIDS, "--map-groups=0:300000:10 true");
    // No entry for nobody at all.
    same_as_nobody("", "--map-auto true");
    same_as_nobody("", "--map-users=0:100000:1 true");
}

/// `no line matching user "NAME" in /etc/subuid`; a non-numeric name matches uid 0, as
/// strtoul() makes it.
#[test]
fn missing_subid_entries() {
    if !need_root() {
        return;
    }
    let b = assert_sandbox_same(
        "echo alice:100000:65536 > $S/subuid; echo 1000:1:2 > $S/subgid
         mount --bind $S/subuid /etc/subuid; mount --bind $S/subgid /etc/subgid
         unshare --map-users=auto cat /proc/self/uid_map; echo rc=$?
         unshare --map-groups=auto true; echo rc=$?
         unshare --map-subids true; echo rc=$?
         echo > $S/subuid; unshare --map-auto true; echo rc=$?
         echo 'root:x:1' > $S/subuid; unshare --map-auto true; echo rc=$?
         echo 'root:1:99999999999999999999' > $S/subuid; unshare --map-auto true; echo rc=$?
         umount /etc/subuid; mount --bind /nonexistent-dir-x /etc/subuid 2>/dev/null; rm $S/subuid
         mount --bind $S /etc/subuid; unshare --map-auto true; echo rc=$?",
    );
    assert!(
        b.out()
            .starts_with("         0     100000      65536\nrc=0\nrc=1\n"),
        "{b:?}"
    );
}

/// --mount-binfmt, -l: a private binfmt_misc is mounted (proc too, on /proc) and the line
/// registered in it. Kernel 6.7+ gives each user
/// namespace its own binfmt_misc, so nothing reaches the host.
#[test]
fn binfmt_misc_private_mount_and_interpreter() {
    if !need_root() {
        return;
    }
    let o = same(&[
        "-fp",
        "-r",
        "-l",
        ":nsutils:M::XYZW::/bin/true:",
        "sh",
        "-c",
        "cat /proc/sys/fs/binfmt_misc/nsutils; grep -c ' /proc/sys/fs/binfmt_misc .* binfmt_misc ' /proc/self/mountinfo",
    ]);
    expect(
        &o,
        "enabled\ninterpreter /bin/true\nflags: \noffset 0\nmagic 58595a57\n1\n",
        "",
        0,
    );
    assert!(!std::path::Path::new("/proc/sys/fs/binfmt_misc/nsutils").exists());
}

#[test]
fn setuid_and_setgid_before_exec() {
    if !need_root() {
        return;
    }
    let o = same(&["-G", "65534", "-S", "65534", "id"]);
    assert!(
        o.out()
            .starts_with("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"),
        "{o:?}"
    );
}

/// 2.42 skips an empty $SHELL and takes the passwd entry's shell.
#[test]
fn empty_shell_variable_falls_back_to_passwd() {
    let o = same_script(|u| format!("echo 'echo $0' | SHELL= exec {u}"));
    // root's passwd shell is a real shell; another user's may be nologin (the comparison above
    // still holds for it).
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if root {
        assert_eq!(o.code, 0, "{o:?}");
        assert!(o.out().starts_with('-'), "{o:?}");
    }
}

/// util-linux's exec_shell() runs `$SHELL` with execl(): no PATH search (`SHELL=sh` is a file
/// `sh` in the current directory), and a script without `#!` is an exec format error, not a
/// /bin/sh script. As 2.42 does.
#[test]
fn shell_variable_is_not_searched_in_path() {
    let mut a = tool().original_cmd::<&str>(&[]);
    let mut b = tool().ours_cmd::<&str>(&[]);
    for c in [&mut a, &mut b] {
        c.env("SHELL", "sh").current_dir("/");
    }
    let (oa, ob) = (Outcome::of(&mut a), Outcome::of(&mut b));
    expect(
        &ob,
        "",
        "unshare: failed to execute sh: No such file or directory\n",
        127,
    );
    assert_eq!((oa.out(), oa.err(), oa.code), (ob.out(), ob.err(), ob.code));

    let dir = std::env::temp_dir().join(format!("unshare-rs-noshebang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("shell");
    std::fs::write(&script, "echo ran\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut a = tool().original_cmd::<&str>(&[]);
    let mut b = tool().ours_cmd::<&str>(&[]);
    for c in [&mut a, &mut b] {
        c.env("SHELL", &script);
    }
    let (oa, ob) = (Outcome::of(&mut a), Outcome::of(&mut b));
    std::fs::remove_dir_all(&dir).unwrap();
    let msg = format!(
        "unshare: failed to execute {}: Exec format error\n",
        script.display()
    );
    expect(&ob, "", &msg, 126);
    assert_eq!((oa.out(), oa.err(), oa.code), (ob.out(), ob.err(), ob.code));
}

/// util-linux's signame_to_signum: `RT` then `MIN+N`, `MAX-N` or just `N` (N read by strtol,
/// trailing bytes ignored); bare `RTMIN`/`RTMAX` are unknown. Real-time death signals work.
#[test]
fn kill_child_real_time_signal_names() {
    for name in [
        "RT5", "sigrt0", "RTMIN+0", "rtmin+2", "RTMAX-0", "RTMIN+3x", "RTMAX-30",
    ] {
        let o = same(&[&format!("--kill-child={name}"), "true"]);
        expect(&o, "", "", 0);
    }
    for name in ["RTMIN", "RTMAX", "RT+3", "RTMIN+ 3", "RTMIN+31", "RTMAX-31"] {
        let o = same(&[&format!("--kill-child={name}"), "true"]);
        expect(&o, "", &format!("unshare: unknown signal: {name}\n"), 1);
    }
    // The parent is SIGKILLed; the child gets RTMIN+2 (bash counts from glibc's SIGRTMIN, as
    // util-linux does).
    let o = same_script(|u| {
        format!(
        "f=$(mktemp); exec 3>\"$f\"
         (exec {u} --kill-child=RTMIN+2 bash -c 'trap \"echo got >&3; exit 0\" RTMIN+2; echo ready >&3; while :; do sleep 0.02; done') & p=$!
         i=0; while [ $i -lt 300 ] && ! grep -q ready \"$f\"; do sleep 0.01; i=$((i+1)); done
         kill -KILL $p; wait $p 2>/dev/null
         i=0; while [ $i -lt 300 ] && ! grep -q got \"$f\"; do sleep 0.01; i=$((i+1)); done
         cat \"$f\"; rm -f \"$f\""
    )
    });
    expect(&o, "ready\ngot\n", "", 0);
}

/// An exec failure whose message cannot be written (stderr closed or full) exits 1, not 126/127:
/// util-linux's close_stdout() at exit finds stderr in error as in 2.42.
#[test]
fn exec_failure_with_unwritable_stderr_exits_1() {
    for (args, redirect) in [
        ("/nonexist", "2>&-"),
        ("/etc/passwd", "2>/dev/full"),
        ("-f /nonexist", "2>/dev/full"),
    ] {
        let run = |ours: bool| {
            let bin = shell_words(ours);
            Outcome::of(
                Command::new("/bin/bash")
                    .arg("-c")
                    .arg(format!("(exec {bin} {args} {redirect}); echo rc=$?")),
            )
        };
        let (orig, ours) = (run(false), run(true));
        expect(&ours, "rc=1\n", "", 0);
        assert_eq!(orig.out(), ours.out(), "{args} {redirect}");
    }
}

/// A single mapping and ranges together, as root: where the single ID cuts a range, and an
/// `auto` range keeps its whole count (2.42.4; 2.38 took one ID from it).
#[test]
fn single_map_with_ranges_as_root() {
    if !need_root() {
        return;
    }
    let mut script = String::from(
        "echo root:100000:65536 > $S/subuid; echo root:200000:65536 > $S/subgid
         mount --bind $S/subuid /etc/subuid; mount --bind $S/subgid /etc/subgid\n",
    );
    for a in [
        "-r --map-auto",
        "-c --map-auto",
        "--map-user=5 --map-auto",
        "--map-user=70000 --map-auto",
        "-r --map-users=auto",
        "--map-user=0 --map-users=auto --map-users=0:300000:10",
        "-r --map-users=0:100000:10",
        "--map-user=3 --map-users=0:0:10",
        "--map-user=3 --map-users=0:5:10",
        "--map-user=1 --map-users=auto",
        "--map-user=65536 --map-users=auto",
        "--map-user=65535 --map-users=auto",
        "--map-group=7 --map-groups=auto",
        "-r --map-subids",
    ] {
        script.push_str(&format!(
            "unshare {a} cat /proc/self/uid_map /proc/self/gid_map; echo rc=$?\n"
        ));
    }
    assert_sandbox_same(&script);
}

/// Messages and exit codes of many options' failure (and edge) cases, all compared with the
/// release, in a sandbox (so binds and mounts stay there).
#[test]
fn option_edge_cases_match_the_release() {
    if !need_root() {
        return;
    }
    let mut script = String::from("touch $S/f1; mkdir $S/d; cd $S\n");
    for a in [
        "--uts=$S/d true",
        "--time=$S/f1 true",
        "--mount-proc=$S/d -m true",
        "--mount-proc=$S/f1 true",
        "--mount-binfmt=$S/f1 true",
        "--mount-binfmt=$S/nonexist true",
        "-l ':x:Q::AB::/bin/true:' true",
        "-R $S/f1 true",
        "-w $S/f1 true",
        "-R $S/d true",
        "-R $S/d -w /nonexist true",
        "--propagation=shared true",
        "-m --propagation=slave true",
        "-T --monotonic 99999999999999999999 true",
        "-T --monotonic 9223372036854775807 true",
        "-T --monotonic -9223372036854775808 -f true",
        "-T --boottime 1.5 -f true",
        "-T --boottime ' 5' -f cat /proc/self/timens_offsets",
        "-T --boottime '' -f true",
        "-T --boottime 5 true",
        "-T --monotonic 5 --boottime 6 cat /proc/self/timens_offsets",
        "--kill-child=0 true",
        "--kill-child=sig true",
        "--kill-child=STOP true",
        "--setgroups=deny true",
        "--setgroups=deny -U --map-user=0 true",
        "--keep-caps true",
        "--owner=65534:65534 -r id",
        "--owner=1:1 true",
        "--owner=0:0 -U id -u",
        "--owner=4294967295:0 -U true",
        "--owner=0:4294967295 -U true",
        "-S 65534 -U id -u",
        "-G 4294967295 true",
        "-S 4294967295 true",
        "-S 4294967296 id -u",
        "--map-users=0:0:0 true",
        "--map-users=0:0:4294967295 true",
        "--map-users=0:0:1 --map-users=0:0:1 true",
    ] {
        script.push_str(&format!("unshare {a}; echo \"rc=$? ({a})\"\n"));
    }
    assert_sandbox_same(&script);
}

// ---------------------------------------------------------------- --init (an extension)

/// Run `script` (bash) in a sandbox inside a fresh PID namespace with its own /proc (the
/// oracle's unshare makes it), so `ps` sees exactly what the test started. `U` execs ours as
/// `unshare` (use it as `U ... &`, whose `$!` is then ours). A guard of 60 s kills the namespace if something hangs.
fn in_pid_ns(script: &str) -> Outcome {
    let inner = shell_quote(&format!(
        "U() {{ exec -a unshare {OURS} \"$@\"; }}\neval \"$1\""
    ));
    sandbox_sh(&format!(
        "exec {} -fp --mount-proc timeout -s KILL 60 bash -c {inner} bash {}",
        orig(),
        shell_quote(script)
    ))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `--init` needs `--fork` and `--pid`; it does not change what `--i` (= `--ipc`) or `--=x`
/// mean, compared with the release.
#[test]
fn init_option_parsing() {
    for args in [
        &["--init", "true"][..],
        &["-f", "--init", "true"],
        &["-p", "--ini", "true"],
    ] {
        let o = ours(args);
        expect(
            &o,
            "",
            "unshare: option --init needs --fork and --pid (for example: -fp --init)\n",
            1,
        );
    }
    let o = ours(&["--init=1", "-fp", "true"]);
    expect(
        &o,
        "",
        "unshare: option '--init' doesn't allow an argument\nTry 'unshare --help' for more information.\n",
        1,
    );
    if need_root() {
        let o = same(&[
            "--i",
            "sh",
            "-c",
            "[ $(readlink /proc/self/ns/ipc) != $(readlink /proc/$PPID/ns/ipc) ] && echo new",
        ]);
        assert_eq!(o.out(), "new\n");
    }
    same(&["--=x", "true"]);
    let (a, b) = tool().run_both(&["--i=/nonexistent/x", "true"], |_| {});
    assert_eq!(
        (nsutils_testkit::mask_pids(&a.err()), a.code),
        (nsutils_testkit::mask_pids(&b.err()), b.code)
    );
    same(&["--ix", "true"]);
}

/// The program runs as PID 2 under the init, its exit status and signal death come through as
/// without --init (137 for SIGKILL, where plain -fp gives 0: PID 1 cannot be killed from
/// inside), and a program that cannot be run gives 127.
#[test]
fn init_runs_the_program_as_pid_2() {
    if !need_root() {
        return;
    }
    let o = ours(&["-fp", "--init", "sh", "-c", "echo $$; exit 3"]);
    expect(&o, "2\n", "", 3);
    let o = ours(&["-fp", "--init", "sh", "-c", "kill -KILL $$"]);
    expect(&o, "", "", 137);
    let o = ours(&["-fp", "--init", "sh", "-c", "kill -TERM $$"]);
    expect(&o, "", "", 143);
    let o = same(&["-fp", "sh", "-c", "kill -KILL $$"]);
    expect(&o, "", "", 0);
    let o = ours(&["-fp", "--init", "/nonexistent"]);
    expect(
        &o,
        "",
        "unshare: failed to execute /nonexistent: No such file or directory\n",
        127,
    );
}

/// SIGTERM to unshare-rs reaches the program through the init: status 143; the orphaned
/// `sleep 100` is killed and reaped with the namespace (nothing is left, not even a zombie).
/// Without --init the same SIGTERM does nothing (the program is PID 1 and has no handler).
#[test]
fn init_forwards_sigterm_and_leaves_nothing() {
    if !need_root() {
        return;
    }
    let o = in_pid_ns(
        "U -fp --init sh -c 'sleep 100 & exec sleep 200' & p=$!
         i=0; while [ $(pgrep -c -x sleep) -lt 2 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
         kill -TERM $p; wait $p; echo rc=$?
         ps -e -o stat=,comm= | grep -c sleep",
    );
    assert_eq!(o.out(), "rc=143\n0\n", "{o:?}");
    for sig in ["INT", "HUP", "QUIT", "USR1", "USR2"] {
        let o = in_pid_ns(&format!(
            "U -fp --init sleep 200 & p=$!
             i=0; while [ $(pgrep -c -x sleep) -lt 1 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
             kill -{sig} $p; wait $p; echo rc=$?"
        ));
        let n = nscore_signal(sig);
        assert_eq!(o.out(), format!("rc={}\n", 128 + n), "{sig}: {o:?}");
    }
}

fn nscore_signal(name: &str) -> i32 {
    match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "USR1" => 10,
        "USR2" => 12,
        _ => panic!("{name}"),
    }
}

/// SIGWINCH (ignored by default) reaches the program, which may handle it.
#[test]
fn init_forwards_sigwinch() {
    if !need_root() {
        return;
    }
    let o = in_pid_ns(
        "f=/run/nsutils-scratch/winch
         U -fp --init bash -c 'trap \"echo got > '$f'; exit 0\" WINCH; echo ready > '$f'; while :; do sleep 0.01; done' & p=$!
         i=0; while ! grep -q ready $f 2>/dev/null && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
         kill -WINCH $p; wait $p; echo rc=$?; cat $f",
    );
    assert_eq!(o.out(), "rc=0\ngot\n", "{o:?}");
}

/// Orphans are adopted by the init and reaped: after a loop that orphans 1,000 children, no
/// zombie stays (the program itself, PID 2, cannot reap them: they are not its children).
#[test]
fn init_reaps_orphans() {
    if !need_root() {
        return;
    }
    let o = ours(&[
        "-fp",
        "--mount-proc",
        "--init",
        "bash",
        "-c",
        "for i in $(seq 1000); do (true &); done
         i=0; while [ $(ps -e -o stat= | grep -c ^Z) -gt 0 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
         ps -e -o stat= | grep -c ^Z; ps -o pid= -p 1 | tr -d ' '; ps -o comm= -p 1",
    ]);
    assert_eq!(o.out(), "0\n1\nunshare-rs\n", "{o:?}");
}

// ---------------------------------------------------------------- hints on a terminal

/// On a terminal, ours shows the release's lines then one `hint: ` line; returns that line.
/// Without a terminal, the same run is byte-identical to the release's.
fn hint_on_tty(nobody: bool, setup: &str, args: &str) -> String {
    let a = as_user(false, nobody, true, setup, args);
    let b = as_user(true, nobody, true, setup, args);
    assert_ne!(a.code, 99, "sandbox setup failed: {a:?}");
    let out = b.out();
    let (before, hint) = match out.rfind("hint: ") {
        Some(i) => (&out[..i], out[i..].to_string()),
        None => panic!("no hint for {args}: {b:?}"),
    };
    let before = before.replace("unshare-rs", "unshare");
    assert_eq!(
        nsutils_testkit::mask_pids(&a.out()),
        nsutils_testkit::mask_pids(&before),
        "{args}"
    );
    assert_eq!(a.code, b.code, "{args}");
    assert!(
        hint.ends_with('\n') && hint.matches('\n').count() == 1,
        "{hint:?}"
    );
    let (x, y) = (
        as_user(false, nobody, false, setup, args),
        as_user(true, nobody, false, setup, args),
    );
    assert_eq!(x, y, "without a terminal: {args}");
    hint
}

/// No hint: on a terminal ours shows exactly what the release shows.
fn no_hint_on_tty(nobody: bool, setup: &str, args: &str) {
    let a = as_user(false, nobody, true, setup, args);
    let b = as_user(true, nobody, true, setup, args);
    assert_eq!(
        nsutils_testkit::mask_pids(&a.out()),
        nsutils_testkit::mask_pids(&b.out()).replace("unshare-rs", "unshare"),
        "{args}"
    );
}

#[test]
fn hint_unshare_needs_a_user_namespace() {
    if !need_root() {
        return;
    }
    for args in ["-n true", "-m true", "-p -f true", "-i -u true"] {
        let h = hint_on_tty(true, "", args);
        assert_eq!(
            h,
            nscore::hint::line(nscore::hint::Cause::UnshareNeedsUserNs, ""),
            "{args}"
        );
    }
    // Root is not told to add -r; a success or another failure gets no hint.
    no_hint_on_tty(true, "", "-r -n true");
    no_hint_on_tty(true, "", "--map-user=nosuchuser true");
    no_hint_on_tty(false, "", "-w /nonexistent true");
}

/// `user.max_user_namespaces` = 0, set in a private user namespace (the sysctl is per user
/// namespace): the hint names the sysctl, for -U (ENOSPC) and for other kinds (EPERM).
#[test]
fn hint_user_namespaces_disabled_by_sysctl() {
    if !need_root() {
        return;
    }
    let setup = format!(
        "exec {} -U --map-users=all --map-groups=all bash -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\"' bash -c \"$(cat <<'EOS'",
        orig()
    );
    // The rest of the script runs in the user namespace with the limit at 0.
    let wrap = |args: &str| {
        let inner = format!("cd /; exec script -qec {} /dev/null", shell_quote(&format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c 'exec -a unshare \"$0\" \"$@\"' {RUN_BIN}/unshare-rs {args}"
        )));
        format!("{setup}\n{inner}\nEOS\n)\"")
    };
    for args in ["-n true", "-U true", "-r true"] {
        let o = sandbox_sh(&format!(
            "mkdir {RUN_BIN}; mount --bind -o ro {} {RUN_BIN} || exit 99\n{}",
            Path::new(&OURS)
                .parent()
                .unwrap()
                .canonicalize()
                .unwrap()
                .display(),
            wrap(args)
        ));
        let out = o.out().replace('\r', "");
        let hint = nscore::hint::line(
            nscore::hint::Cause::UserNsDisabledBySysctl,
            "user.max_user_namespaces=0",
        );
        assert!(out.ends_with(&hint), "{args}: {o:?}");
        assert_eq!(out.lines().count(), 2, "{args}: {o:?}");
    }
}

/// setgroups cannot change once gid_map is written: `-r --setgroups=deny` (as root and as
/// nobody) and `--map-groups=... --setgroups=deny` (root).
#[test]
fn hint_setgroups_after_gid_map() {
    if !need_root() {
        return;
    }
    for (nobody, args) in [
        (false, "-r --setgroups=deny true"),
        (true, "-r --setgroups=deny true"),
        (true, "-c --setgroups=deny true"),
        (false, "--map-groups=0:0:10 --setgroups=deny true"),
    ] {
        let h = hint_on_tty(nobody, "", args);
        assert!(
            h.starts_with("hint: setgroups can change only before gid_map"),
            "{args}: {h}"
        );
    }
}

/// ID ranges as nobody: newuidmap refuses (no /etc/subuid entry, or a range outside the
/// block), or is not installed at all.
#[test]
fn hint_ranges_need_subids_and_newuidmap() {
    if !need_root() || !have_uidmap() {
        return;
    }
    let h = hint_on_tty(true, "", "--map-users=0:100000:10 true");
    assert!(
        h.ends_with("/etc/subuid has no entry for user nobody\n"),
        "{h}"
    );
    let h = hint_on_tty(true, SUBIDS, "--map-groups=0:300000:10 true");
    assert!(
        h.ends_with("the ranges must lie within your blocks in /etc/subuid and /etc/subgid\n"),
        "{h}"
    );
    let h = hint_on_tty(true, SUBIDS, "--map-users=0:300000:10 true");
    assert!(h.contains("newuidmap/newgidmap helpers"), "{h}");
    // Without newuidmap on PATH (the program is given by its full path).
    let h = hint_on_tty(
        true,
        &format!("{SUBIDS}; export PATH=/nonexistent"),
        "--map-users=0:100000:10 /bin/true",
    );
    assert!(
        h.ends_with("newuidmap is not installed (Debian: package uidmap)\n"),
        "{h}"
    );
    no_hint_on_tty(true, SUBIDS, "--map-users=0:100000:10 /bin/true");
}

/// A terminal's Ctrl-C reaches the program once: the kernel sends it to the whole foreground
/// process group (the program included), so neither unshare-rs nor the init passes it on
/// again; a signal a process sends (SIGUSR1 here, sent after) is passed on. Signals of one
/// path arrive in order, so a doubled SIGINT would show before `usr1`.
#[test]
fn init_passes_a_terminals_ctrl_c_once() {
    if !need_root() {
        return;
    }
    let o = sandbox_sh(&format!(
        "cd {SCRATCH}; mkfifo in
         cat > prog <<'EOS'
trap 'echo int >> log' INT
trap 'echo usr1 >> log; touch done; exit 0' USR1
echo ready >> log
while :; do sleep 0.01; done
EOS
         cat > run <<'EOS'
echo $$ > pid
exec -a unshare {OURS} -fp --init bash prog
EOS
         (exec 3>in; i=0
          while ! grep -q ready log 2>/dev/null && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
          printf '\\003' >&3
          while ! grep -q int log && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done
          kill -USR1 $(cat pid)
          while [ ! -e done ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done) &
         timeout -s KILL 60 script -qec 'bash run' /dev/null < in > /dev/null
         wait; cat log"
    ));
    assert_eq!(o.out(), "ready\nint\nusr1\n", "{o:?}");
}

/// `--clear-env` and `--whitelist-env LIST` (util-linux 2.43, not in 2.42.4: written from its
/// development head's observed behaviour, issue 22): no root needed, no namespace asked for.
fn with_env(args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut c = tool().ours_cmd(args);
    c.env_clear();
    for (k, v) in env {
        c.env(k, v);
    }
    Outcome::of(&mut c)
}

#[test]
fn clear_env_starts_the_program_with_no_environment() {
    let env = [
        ("FOO", "1"),
        ("PATH", "/usr/bin:/bin"),
        ("SHELL", "/bin/false"),
    ];
    let o = with_env(&["--clear-env", "env"], &env);
    expect(&o, "", "", 0);
    // Without PATH, a bare name is still found (the C library's default search path).
    expect(&with_env(&["--clear-env", "true"], &env), "", "", 0);
    // With -f too.
    expect(&with_env(&["-f", "--clear-env", "env"], &env), "", "", 0);
    // No program: SHELL is gone with the rest, so the passwd entry's shell runs, not
    // /bin/false (stdin is /dev/null: it exits 0 at once).
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").map_or(0, |m| m.uid());
    let entry = Command::new("getent")
        .args(["passwd", &uid.to_string()])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let shell = entry.trim_end().rsplit(':').next().unwrap_or("");
    if !shell.is_empty() && !shell.ends_with("nologin") && !shell.ends_with("false") {
        expect(&with_env(&["--clear-env"], &env), "", "", 0);
    }
    // An argument is refused, as for any option without one; prefixes that 2.42's options
    // do not start take it, others keep their 2.42 meaning (--c is --cgroup).
    expect(
        &with_env(&["--clear-env=1", "true"], &env),
        "",
        "unshare: option '--clear-env' doesn't allow an argument\nTry 'unshare --help' for more information.\n",
        1,
    );
    expect(&with_env(&["--cl", "env"], &env), "", "", 0);
}

#[test]
fn whitelist_env_keeps_only_the_names_listed() {
    let env = [
        ("BAR", "2"),
        ("FOO", "1"),
        ("PATH", "/usr/bin:/bin"),
        ("ZED", "3"),
    ];
    // The environment's own order, not the list's; unknown names are ignored.
    let o = with_env(&["--whitelist-env", "ZED,FOO,NOPE", "env"], &env);
    expect(&o, "FOO=1\nZED=3\n", "", 0);
    // Empty items are skipped; `=` attached works, and any prefix from --wh on.
    for args in [
        &["--whitelist-env=FOO,,ZED", "env"][..],
        &["--whitelist-env", ",FOO,ZED,", "env"],
        &["--wh=ZED,FOO", "env"],
        &["-f", "--whitel", "FOO,ZED", "env"],
    ] {
        expect(&with_env(args, &env), "FOO=1\nZED=3\n", "", 0);
    }
    // A list without a usable name keeps nothing (the development head keeps everything:
    // COMPATIBILITY.md).
    for list in ["", ",", "FOO=1"] {
        expect(
            &with_env(&["--whitelist-env", list, "env"], &env),
            "",
            "",
            0,
        );
    }
    // PATH kept: found through it.
    expect(
        &with_env(&["--whitelist-env", "PATH", "env"], &env),
        "PATH=/usr/bin:/bin\n",
        "",
        0,
    );
    expect(
        &with_env(&["--whitelist-env"], &env),
        "",
        "unshare: option '--whitelist-env' requires an argument\nTry 'unshare --help' for more information.\n",
        1,
    );
    // --w is still --wd.
    let o = with_env(&["--w=/", "pwd"], &env);
    expect(&o, "/\n", "", 0);
}
