//! The sandbox itself: whatever a test mounts or names inside it never reaches the host.

use nsutils_testkit::{need_root, sandbox_sh, SCRATCH};

fn host_state() -> (Option<Vec<String>>, String) {
    let netns = std::fs::read_dir("/run/netns").ok().map(|d| {
        let mut v: Vec<String> = d
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    });
    (
        netns,
        std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
    )
}

#[test]
fn nothing_done_inside_reaches_the_host() {
    if !need_root() {
        return;
    }
    let before = host_state();
    let out = sandbox_sh(&format!(
        "set -e
         mkdir {SCRATCH}/t && mount -t tmpfs sbx {SCRATCH}/t && touch {SCRATCH}/t/file
         ip netns add nsutils-sandbox-proof
         ip netns list | grep -qx nsutils-sandbox-proof
         grep -q ' {SCRATCH}/t ' /proc/self/mountinfo
         echo ok"
    ));
    assert_eq!(out.out(), "ok\n", "{out:?}");
    assert_eq!(out.code, 0, "{out:?}");
    let after = host_state();
    assert_eq!(before.0, after.0, "host /run/netns changed");
    assert_eq!(before.1, after.1, "host mountinfo changed");
    assert!(
        !std::path::Path::new(SCRATCH).exists(),
        "scratch dir leaked to the host"
    );
}

#[test]
fn the_sandbox_starts_empty() {
    if !need_root() {
        return;
    }
    let out = sandbox_sh("ls -A /run/netns 2>/dev/null | wc -l; ip netns list | wc -l");
    assert_eq!(out.out(), "0\n0\n", "{out:?}");
}
