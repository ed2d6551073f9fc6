//! lsns-rs reads only what the requested columns need: no `cmdline` without COMMAND, no
//! netlink socket without NETNSID. Checked by tracing the file and socket calls it makes.

use std::process::Command;

use nsutils_testkit::Outcome;

/// The `openat`/`socket` calls of one run of lsns-rs with `args`.
fn traced_calls(args: &[&str]) -> String {
    let mut c = Command::new("strace");
    c.args([
        "-f",
        "-qq",
        "-e",
        "trace=openat,open,socket",
        "-o",
        "/dev/stderr",
        "--",
    ])
    .arg(nsutils_testkit::Ours::new(env!("CARGO_BIN_EXE_lsns-rs")))
    .args(args);
    let out = Outcome::of(&mut c);
    assert_eq!(out.code, 0, "{out:?}");
    out.err()
}

#[test]
fn ns_and_type_read_no_command_lines() {
    let calls = traced_calls(&["-n", "-o", "NS,TYPE"]);
    assert!(calls.contains("/proc"), "the trace saw nothing: {calls}");
    assert!(!calls.contains("cmdline"), "{calls}");
    assert!(!calls.contains("AF_NETLINK"), "{calls}");
}

#[test]
fn command_column_reads_command_lines() {
    // The positive case, so the test above can fail for the right reason.
    let calls = traced_calls(&["-n", "-o", "NS,COMMAND"]);
    assert!(calls.contains("cmdline"), "{calls}");
}

#[test]
fn netnsid_column_opens_netlink() {
    // One socket per /proc reading thread (up to four on busy hosts).
    let calls = traced_calls(&["-n", "-t", "net", "-o", "NS,NETNSID"]);
    let sockets = calls.matches("socket(AF_NETLINK").count();
    assert!((1..=4).contains(&sockets), "{sockets} sockets: {calls}");
}
