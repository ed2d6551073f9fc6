//! nscore against the real kernel, through `nscore-probe` (one process per operation, since the
//! test process is threaded). Needs root; fails loudly under CI when it is not.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use nsutils_testkit::need_root;

fn probe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nscore-probe"))
}

/// `KEY VALUE` lines into pairs.
fn pairs(out: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn value(out: &[u8], key: &str) -> String {
    pairs(out)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key} in {}", String::from_utf8_lossy(out)))
}

fn ino_of(path: &str) -> String {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino().to_string()
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn unshare_uts_gives_a_new_uts_namespace() {
    if !need_root() {
        return;
    }
    let out = run(probe().args(["unshare", "uts"]));
    assert_ne!(value(&out, "uts"), ino_of("/proc/self/ns/uts"));
}

#[test]
fn parent_of_a_new_pid_namespace_is_ours() {
    if !need_root() {
        return;
    }
    let out = run(probe().arg("pid-parent"));
    assert_eq!(value(&out, "parent"), value(&out, "ours"));
    assert_ne!(value(&out, "new"), value(&out, "ours"));
}

#[test]
fn owner_of_our_netns_is_the_init_user_namespace() {
    if !need_root() {
        return;
    }
    let out = run(probe().arg("userns"));
    // The test runs in the initial user namespace (PID 1's ns links are unreadable on some
    // machines, so compare with our own, and with kthreadd's, which is always initial).
    assert_eq!(value(&out, "owner"), ino_of("/proc/self/ns/user"));
    assert_eq!(value(&out, "owner"), ino_of("/proc/2/ns/user"));
    assert_eq!(value(&out, "kind"), "user");
    assert_eq!(value(&out, "owner-uid"), "0");
}

struct Holder(Child);

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn entering_by_pidfd_matches_the_target() {
    if !need_root() {
        return;
    }
    let mut child = probe()
        .args(["hold", "uts,net,ipc,mnt"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let holder = Holder(child);
    let pid = line
        .trim()
        .strip_prefix("ready ")
        .expect("ready line")
        .to_string();
    let out = run(probe().args(["enter", &pid, "uts,net,ipc,mnt"]));
    for kind in ["uts", "net", "ipc", "mnt"] {
        let target = ino_of(&format!("/proc/{pid}/ns/{kind}"));
        assert_eq!(value(&out, kind), target, "{kind}");
        assert_ne!(
            target,
            ino_of(&format!("/proc/self/ns/{kind}")),
            "{kind} should be new"
        );
    }
    let _ = holder.0.stdin.as_ref().map(|mut s| s.write_all(b"\n"));
}

#[test]
fn fork_and_wait_report_codes_and_signals() {
    let out = run(probe().args(["fork-exit", "7"]));
    assert_eq!(value(&out, "status"), "Exited(7)");
    let out = run(probe().args(["fork-kill", "15"]));
    assert_eq!(value(&out, "status"), "Signaled(15)");
}

#[test]
fn entering_a_vanished_process_fails_cleanly() {
    let out = probe()
        .args(["enter", "2147483647", "net"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No such process"), "{err}");
}

#[test]
fn out_of_memory_is_a_message_and_exit_1() {
    // Far more than the machine can give (the kernel refuses it at once), so nscore's global
    // allocator sees a null pointer: a message and exit 1, never Rust's abort.
    let huge = (1u64 << 46).to_string();
    let o = nsutils_testkit::Outcome::of(probe().args(["alloc", &huge]));
    assert_eq!(
        (o.code, o.err(), o.out()),
        (
            1,
            format!("nscore-probe: cannot allocate {huge} bytes\n"),
            String::new()
        ),
        "{o:?}"
    );
    let o = nsutils_testkit::Outcome::of(probe().args(["alloc", "4096"]));
    assert_eq!(
        (o.code, o.out()),
        (0, "allocated 4096\n".to_string()),
        "{o:?}"
    );
}
