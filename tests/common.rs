//! Behaviour every tool shares, checked against the originals: how stdout failures end, that
//! signal dispositions pass through to the programs we exec, and the `--version` format.

use std::fs::File;
use std::process::Command;

use nsutils_testkit::{our_bin, Outcome, Tool};

fn tools() -> Vec<Tool> {
    ["unshare", "nsenter", "lsns"]
        .into_iter()
        .map(|t| Tool::util_linux(t, our_bin(&format!("{t}-rs"))))
        .collect()
}

/// Run `prog args` from bash with SIGPIPE ignored, argv[0] = `name`.
fn with_sigpipe_ignored(name: &str, prog: &std::path::Path, args: &[&str]) -> Outcome {
    let mut c = Command::new("/bin/bash");
    c.arg("-c")
        .arg("trap '' PIPE; exec -a \"$0\" \"$@\"")
        .arg(name)
        .arg(prog)
        .args(args);
    Outcome::of(&mut c)
}

#[test]
fn a_full_disk_is_a_write_error() {
    // `--help` of every tool, and a listing: stdout to /dev/full.
    for tool in tools() {
        let (orig, ours) = tool.run_both(&["--help"], |c| {
            c.stdout(File::create("/dev/full").unwrap());
        });
        assert_eq!(orig, ours, "{}", tool.name);
        // The help text fits in one stdio buffer, so the failure comes at the final flush and
        // names its errno.
        assert_eq!(
            ours.err(),
            format!("{}: write error: No space left on device\n", tool.name)
        );
        assert_eq!(ours.code, 1);
    }
}

/// Shell words that wait (an event, with a 30 s guard) until the PID namespace's processes are
/// in at least 41 distinct uts namespaces: the 40 started in the background have unshared.
const WAIT_FOR_40_UTS: &str = "i=0; until [ \"$(readlink /proc/[0-9]*/ns/uts 2>/dev/null | sort -u | wc -l)\" -ge 41 ]; do i=$((i+1)); [ $i -lt 3000 ] || exit 99; sleep 0.01; done;";

#[test]
fn a_full_disk_mid_stream_is_a_bare_write_error() {
    // A listing longer than one stdio buffer fails at a mid-stream flush: no errno in the message.
    // Run in a fresh PID namespace so both tools see the same processes.
    if !nsutils_testkit::need_root() {
        return;
    }
    let lsns = Tool::util_linux("lsns", our_bin("lsns-rs")).retry_silent_failures();
    let run = |prog: &std::path::Path| {
        let mut c = Command::new("unshare");
        c.args(["-fp", "--mount-proc", "/bin/bash", "-c"])
            .arg(format!("for i in $(seq 40); do unshare -u sleep 100 & done; {WAIT_FOR_40_UTS} exec -a lsns \"$0\" --output-all >/dev/full"))
            .arg(prog);
        Outcome::of(&mut c)
    };
    let (orig, ours) = (run(&lsns.original), run(&lsns.ours));
    assert_eq!(orig, ours);
    assert_eq!(ours.err(), "lsns: write error\n");
    assert_eq!(ours.code, 1);
}

#[test]
fn a_closed_pipe_at_the_final_flush_is_silent_with_sigpipe_ignored() {
    for tool in tools() {
        let run = |prog: &std::path::Path| {
            let mut c = Command::new("/bin/bash");
            c.arg("-c")
                .arg("trap '' PIPE; exec -a \"$1\" \"$0\" --help")
                .arg(prog)
                .arg(tool.name);
            Outcome::with_closed_stdout(&mut c)
        };
        let (orig, ours) = (run(&tool.original), run(&tool.ours));
        assert_eq!(orig, ours, "{}", tool.name);
        assert_eq!(ours.code, 0);
        assert_eq!(ours.err(), "");
    }
}

#[test]
fn a_closed_pipe_with_sigpipe_ignored_is_a_write_error() {
    // `true` has closed the pipe before lsns writes. The listing (40 extra namespaces, all
    // columns) is longer than one stdio buffer, so the failure comes mid-stream: `write error`,
    // exit 1, even for EPIPE. A fresh PID namespace gives both tools the same processes.
    if !nsutils_testkit::need_root() {
        return;
    }
    let lsns = Tool::util_linux("lsns", our_bin("lsns-rs")).retry_silent_failures();
    let run = |prog: &std::path::Path| {
        let mut c = Command::new("unshare");
        c.args(["-fp", "--mount-proc", "/bin/bash", "-c"])
            .arg(
                "trap '' PIPE; for i in $(seq 40); do unshare -u sleep 100 & done; {WAIT_FOR_40_UTS} \
                 exec -a lsns \"$0\" --output-all"
                    .replace("{WAIT_FOR_40_UTS}", WAIT_FOR_40_UTS),
            )
            .arg(prog);
        Outcome::with_closed_stdout(&mut c)
    };
    let orig = run(&lsns.original);
    let ours = run(&lsns.ours);
    assert_eq!(orig, ours);
    assert_eq!(ours.code, 1);
    assert_eq!(ours.err(), "lsns: write error\n");
}

#[test]
fn a_closed_pipe_kills_quietly_by_default() {
    let lsns = Tool::util_linux("lsns", our_bin("lsns-rs")).retry_silent_failures();
    let run = |prog: &std::path::Path| {
        let mut c = Command::new("/bin/bash");
        c.arg("-c").arg("exec -a lsns \"$0\" -n -o NS").arg(prog);
        Outcome::with_closed_stdout(&mut c)
    };
    let (orig, ours) = (run(&lsns.original), run(&lsns.ours));
    assert_eq!(orig, ours);
    assert_eq!(ours.code, 141);
}

#[test]
fn ignored_sigpipe_reaches_the_program() {
    if !nsutils_testkit::need_root() {
        return;
    }
    let pid = std::process::id().to_string();
    let cases: Vec<(Tool, Vec<&str>)> = vec![
        (
            tools().remove(0),
            vec!["-u", "grep", "^SigIgn", "/proc/self/status"],
        ),
        (
            tools().remove(1),
            vec!["-t", &pid, "-u", "grep", "^SigIgn", "/proc/self/status"],
        ),
    ];
    for (tool, args) in cases {
        let orig = with_sigpipe_ignored(tool.name, &tool.original, &args);
        let ours = with_sigpipe_ignored(tool.name, &tool.ours, &args);
        assert_eq!(orig, ours, "{}", tool.name);
        // SIGPIPE is signal 13: bit 12 of the mask. Other bits are the caller's (a test run
        // started as a background job of a script has SIGINT and SIGQUIT ignored too).
        let mask = ours
            .out()
            .trim()
            .strip_prefix("SigIgn:")
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok());
        assert!(mask.is_some_and(|m| m & (1 << 12) != 0), "{ours:?}");
    }
}

#[test]
fn version_names_the_program_and_nsutils() {
    for tool in tools() {
        let ours = Outcome::of(&mut tool.ours_cmd(&["--version"]));
        assert_eq!(ours.code, 0);
        assert_eq!(
            ours.out(),
            format!("{} from nsutils {}\n", tool.name, env!("CARGO_PKG_VERSION"))
        );
        // Same shape as the original's `NAME from util-linux X.Y.Z`.
        let orig = Outcome::of(&mut tool.original_cmd(&["--version"]));
        assert!(orig
            .out()
            .starts_with(&format!("{} from util-linux ", tool.name)));
    }
}

#[test]
fn an_unwritable_stderr_turns_a_failure_into_exit_1() {
    // util-linux's exit-time check of stderr: a message that could not be written (stderr
    // closed or full) makes the status 1, even for exec failures (126/127 otherwise).
    if !nsutils_testkit::need_root() {
        return;
    }
    let pid = std::process::id().to_string();
    let cases: Vec<(Tool, Vec<&str>)> = vec![
        (tools().remove(0), vec!["/nonexistent"]),
        (tools().remove(0), vec!["-u", "/etc/passwd"]),
        (tools().remove(1), vec!["-t", &pid, "-u", "/nonexistent"]),
        (tools().remove(2), vec!["--bogus"]),
    ];
    for (tool, args) in cases {
        for redirect in ["2>&-", "2>/dev/full"] {
            let run = |prog: &std::path::Path| {
                let mut c = Command::new("/bin/bash");
                c.arg("-c")
                    .arg(format!(
                        "(exec -a \"$0\" \"$@\") {redirect}; echo \"rc=$?\""
                    ))
                    .arg(tool.name)
                    .arg(prog)
                    .args(&args);
                Outcome::of(&mut c)
            };
            let (orig, ours) = (run(&tool.original), run(&tool.ours));
            assert_eq!(orig, ours, "{} {args:?} {redirect}", tool.name);
            assert_eq!(ours.out(), "rc=1\n", "{} {args:?} {redirect}", tool.name);
        }
    }
}
