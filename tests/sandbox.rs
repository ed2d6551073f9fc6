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

/// Set by [`inherited_run_mounts_are_detached`] for the copy of this test binary it starts.
const INNER: &str = "NSUTILS_SANDBOX_INNER";

#[test]
fn inherited_run_mounts_are_detached() {
    if !need_root() {
        return;
    }
    // A mount namespace of our own (unshare makes it private) that looks like a host where
    // `ip netns add` was used: /run a tmpfs (its own, so nothing is created on the host's; `-n`
    // keeps libmount from creating /run/mount there first), a shared /run/netns mount with a
    // namespace bound in it. The sandbox made from there must
    // see none of it: not covered, detached.
    let exe = std::env::current_exe().unwrap();
    let script = r#"set -e
mount -n -t tmpfs hostrun /run
mkdir -p /run/netns
mount -n -t tmpfs hostlike /run/netns
mount -n --make-shared /run/netns
touch /run/netns/hostns
mount -n --bind /proc/self/ns/net /run/netns/hostns
exec "$0" --exact sandbox_from_a_busy_host --ignored --nocapture --test-threads=1"#;
    let out = nsutils_testkit::Outcome::of(
        std::process::Command::new("unshare")
            .args(["-m", "sh", "-c", script])
            .arg(&exe)
            .env(INNER, "1"),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.out().contains("1 passed"), "{out:?}");
}

#[test]
#[ignore = "run by inherited_run_mounts_are_detached in a prepared mount namespace"]
fn sandbox_from_a_busy_host() {
    assert!(std::env::var_os(INNER).is_some(), "run by another test");
    let outside = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(outside.contains(" /run/netns/hostns "), "{outside}");
    let out = sandbox_sh(
        "awk '$5 ~ \"^/run\" {print $5}' /proc/self/mountinfo; test ! -e /run/netns && echo gone",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let text = out.out();
    let mounts: Vec<&str> = text.lines().collect();
    let want = ["/run", "/run/nsutils-bin", "/run/nsutils-oracle", "gone"];
    let want = if nsutils_testkit::oracle::present() {
        &want[..]
    } else {
        &["/run", "/run/nsutils-bin", "gone"][..]
    };
    assert_eq!(mounts, want, "an inherited mount is still there: {out:?}");
}

#[test]
fn binaries_and_oracle_are_reachable_by_any_user() {
    if !need_root() {
        return;
    }
    let out = sandbox_sh(&format!(
        "setpriv --reuid=65534 --regid=65534 --clear-groups -- {bin}/lsns-rs --version",
        bin = nsutils_testkit::SANDBOX_BIN
    ));
    assert_eq!(out.code, 0, "{out:?}");
    if nsutils_testkit::oracle::present() {
        let out = sandbox_sh(&format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups -- {o}/bin/lsns --version",
            o = nsutils_testkit::SANDBOX_ORACLE
        ));
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.out().starts_with("lsns from util-linux"), "{out:?}");
    }
}

#[test]
fn concurrent_sandboxes_share_nothing() {
    if !need_root() {
        return;
    }
    // Each sandbox writes its own name into the same scratch path, waits until the other has
    // written too, and reads its own name back.
    let run = |me: &'static str| {
        std::thread::spawn(move || {
            sandbox_sh(&format!(
                "echo {me} > {SCRATCH}/who; for i in $(seq 50); do cat {SCRATCH}/who; done | sort -u"
            ))
        })
    };
    let threads: Vec<_> = (0..8)
        .map(|i| run(["a", "b", "c", "d", "e", "f", "g", "h"][i]))
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        let o = t.join().unwrap();
        assert_eq!(
            o.out(),
            format!("{}\n", ["a", "b", "c", "d", "e", "f", "g", "h"][i]),
            "{o:?}"
        );
    }
}
