//! `cargo xtask deps`: everything the test suite needs that cargo does not bring: the Debian
//! packages listed in `tests/prerequisites.txt` (the same list the test kit checks), then the
//! oracle (`cargo xtask oracle`). `cargo xtask kernels` installs its own (QEMU) the same way.

use crate::{oracle, run, Fail};
use std::process::Command;

const LIST: &str = include_str!("../../tests/prerequisites.txt");

fn on_path(command: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path).any(|d| {
        d.join(command)
            .metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Install what is missing (as root, through apt-get), then fetch the oracle.
pub fn main() -> Result<(), Fail> {
    let pairs: Vec<(&str, &str)> = LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .collect();
    install_missing(&pairs)?;
    oracle::main(oracle::Options { refresh: false })
}

/// Install the package of each (command, package) pair whose command is not in PATH.
pub fn install_missing(pairs: &[(&str, &str)]) -> Result<(), Fail> {
    let mut missing: Vec<&str> = Vec::new();
    for &(cmd, pkg) in pairs {
        if !on_path(cmd) && !missing.contains(&pkg) {
            missing.push(pkg);
        }
    }
    install_packages(&missing)
}

/// `apt-get install` these Debian packages (as root; otherwise a message saying what to run).
pub fn install_packages(pkgs: &[&str]) -> Result<(), Fail> {
    if pkgs.is_empty() {
        return Ok(());
    }
    let words = pkgs.join(" ");
    if !is_root() {
        return Err(Fail(format!(
            "missing Debian packages: {words}; as root run: apt-get install {words}"
        )));
    }
    eprintln!("xtask deps: installing {words}");
    run(Command::new("apt-get")
        .args(["-qq", "update"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["-qq", "-y", "install", "--no-install-recommends"])
        .args(pkgs)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// True when running as root: `/proc/self` belongs to the effective user.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
