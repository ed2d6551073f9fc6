//! The oracle: the released util-linux and iproute2 that `cargo xtask oracle` unpacked under
//! `target/oracle`, which every differential test compares against (not the host's older
//! installed tools).
//!
//! Its programs run through the unpacked dynamic loader with `--argv0`, so argv[0] is whatever
//! the test chooses, exactly as for an installed program. When the oracle is missing, a
//! differential test cannot say anything: outside CI the test binary says so once and stops
//! (a skip); under `CI` it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oracle's directory: `$NSUTILS_ORACLE`, else `oracle/` beside cargo's profile
/// directory (`target/oracle`), else the workspace's `target/oracle`.
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os("NSUTILS_ORACLE").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let beside = crate::target_dir().parent().map(|t| t.join("oracle"));
    match beside {
        Some(d) if d.join("root/.complete").exists() => d,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/oracle"),
    }
}

/// Where `key` (`loader`, `libdir` or a program's name) lives below the oracle's `root/`, as
/// `cargo xtask oracle` wrote it in `layout` (it alone knows the unpacked layout).
pub fn rel(key: &str) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dir().join("layout")).ok()?;
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(k, _)| *k == key)
        .map(|(_, p)| PathBuf::from(p))
}

/// True when the oracle is unpacked and complete.
pub fn present() -> bool {
    let d = dir();
    d.join("root/.complete").is_file()
        && rel("loader").is_some_and(|l| d.join("root").join(l).is_file())
}

/// Stop here when the oracle is missing: under `CI` panic, otherwise print one line naming
/// `cargo xtask oracle` and end this test binary successfully (every test in it compares with
/// the oracle, or stands on one that does).
pub fn require() {
    crate::prereq::require();
    if present() {
        return;
    }
    let msg = format!(
        "the oracle (util-linux and iproute2 from Debian unstable) is not in {}: run `cargo xtask oracle` first",
        dir().display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| eprintln!("skipped: {msg}"));
    std::process::exit(0);
}

/// The path of oracle program `name`'s launcher script (`target/oracle/bin/NAME`), which runs
/// it under its own name; for shell scripts in tests.
pub fn launcher(name: &str) -> PathBuf {
    require();
    dir().join("bin").join(name)
}

/// A command running oracle program `name` with argv[0] = `argv0`.
pub fn command(name: &str, argv0: &str) -> Command {
    require();
    let root = dir().join("root");
    let at = |key: &str| {
        root.join(rel(key).unwrap_or_else(|| panic!("the oracle's layout has no {key}")))
    };
    let mut c = Command::new(at("loader"));
    c.arg("--library-path")
        .arg(at("libdir"))
        .arg("--argv0")
        .arg(argv0)
        .arg(at(name));
    c
}
