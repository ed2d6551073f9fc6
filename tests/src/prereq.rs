//! The programs the test suite needs besides our binaries and the oracle, checked once per
//! test binary, so that a missing package shows up as one line naming it, not as a wall of
//! unrelated failures.
//!
//! The list is `tests/prerequisites.txt`, which `cargo xtask deps` also reads to install them.

use std::path::Path;

/// `COMMAND PACKAGE` lines; `#` starts a comment.
pub const LIST: &str = include_str!("../prerequisites.txt");

/// The (command, package) pairs of [`LIST`].
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
}

/// True when `command` is an executable file in one of `PATH`'s directories (or the usual
/// system directories when PATH is unset).
pub fn on_path(command: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path).any(|d| {
        let p = d.join(command);
        Path::new(&p)
            .metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// The packages whose commands are missing, each once.
pub fn missing_packages() -> Vec<&'static str> {
    let mut out: Vec<&str> = Vec::new();
    for (cmd, pkg) in entries() {
        if !on_path(cmd) && !out.contains(&pkg) {
            out.push(pkg);
        }
    }
    out
}

/// Stop here when a package the suite needs is missing: under `CI` panic naming the packages;
/// otherwise say so in one line and end this test binary successfully (a skip).
pub fn require() {
    static CHECKED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let missing = CHECKED.get_or_init(missing_packages);
    if missing.is_empty() {
        return;
    }
    let msg = format!(
        "the tests need the Debian packages {}: run `cargo xtask deps` (as root) first",
        missing.join(" ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("skipped: {msg}");
    std::process::exit(0);
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_line_names_a_command_and_a_package() {
        let n = super::LIST
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(super::entries().count(), n);
    }
}
