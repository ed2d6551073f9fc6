//! The vendored source tarball that distributions build from: `nsutils-<version>/` holding every
//! file git tracks (as in the work tree) except `debian/`, plus `vendor/` from
//! `cargo vendor --locked --versioned-dirs` and a `.cargo/config.toml` that points cargo at it,
//! so `cargo build --offline --locked` needs no network and no registry cache.
//!
//! The Debian source package uses it as its orig tarball (`debsrc.rs`; `debian/` travels in
//! the .debian.tar.xz), the RPM as its Source0 (`rpm.rs`): the same bytes under two names.
//! It is reproducible: names sorted, owner root, every mtime `SOURCE_DATE_EPOCH` (the last
//! commit's time by default), xz single-threaded.

use crate::dist::{reproducible_tar, source_date_epoch};
use crate::{cargo, run, workspace_root, Fail, VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory the tarball unpacks to (`nsutils-0.1.0`).
pub fn dir_name() -> String {
    format!("nsutils-{VERSION}")
}

/// The files git tracks, relative to the workspace root, that exist in the work tree, without
/// the Debian packaging (it is not part of the upstream source).
fn tracked_files() -> Result<Vec<String>, Fail> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args(["ls-files", "-z"])
        .output()
        .map_err(|e| Fail(format!("cannot run git ls-files: {e}")))?;
    if !out.status.success() {
        return Err(Fail(format!(
            "git ls-files failed (the source tarball is made from a git checkout): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let root = workspace_root();
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| !p.starts_with("debian/"))
        .filter(|p| fs::symlink_metadata(root.join(p)).is_ok())
        .collect())
}

/// Copy the tracked files into `stage` (modes kept, symlinks as symlinks).
fn copy_tracked(stage: &Path) -> Result<(), Fail> {
    let root = workspace_root();
    for rel in tracked_files()? {
        let (from, to) = (root.join(&rel), stage.join(&rel));
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Fail(format!("{}: {e}", parent.display())))?;
        }
        let meta = fs::symlink_metadata(&from).map_err(|e| Fail(format!("{rel}: {e}")))?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&from).map_err(|e| Fail(format!("{rel}: {e}")))?;
            std::os::unix::fs::symlink(target, &to)
                .map_err(|e| Fail(format!("{}: {e}", to.display())))?;
        } else {
            fs::copy(&from, &to).map_err(|e| Fail(format!("{rel}: {e}")))?;
        }
    }
    Ok(())
}

/// `cargo vendor` into `stage/vendor`, and the source replacement it prints appended to
/// `stage/.cargo/config.toml` (a relative `directory`: cargo reads it relative to the
/// directory holding `.cargo/`).
fn vendor(stage: &Path) -> Result<(), Fail> {
    let out = cargo()
        .current_dir(stage)
        .args(["vendor", "--locked", "--versioned-dirs", "vendor"])
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| Fail(format!("cannot run cargo vendor: {e}")))?;
    if !out.status.success() {
        return Err(Fail(format!(
            "cargo vendor failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let replacement = String::from_utf8_lossy(&out.stdout);
    if !replacement.contains("directory = \"vendor\"") {
        return Err(Fail(format!(
            "cargo vendor printed an unexpected configuration:\n{replacement}"
        )));
    }
    let config = stage.join(".cargo/config.toml");
    let mut text = fs::read_to_string(&config).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(
        "\n# Added by the source tarball (cargo xtask debsrc / rpm): build from vendor/,\n\
         # which holds every crate of Cargo.lock.\n",
    );
    text.push_str(replacement.trim_start());
    fs::create_dir_all(stage.join(".cargo")).map_err(|e| Fail(e.to_string()))?;
    fs::write(&config, text).map_err(|e| Fail(format!("{}: {e}", config.display())))
}

/// Write the vendored source tarball to `out` (a `.tar.xz` path); returns the staged tree it
/// was made from (`target/srctar/nsutils-<version>`), which the caller may use or remove.
pub fn make(out: &Path) -> Result<PathBuf, Fail> {
    let epoch = source_date_epoch()?;
    let base = crate::target_dir().join("srctar");
    let stage = base.join(dir_name());
    let _ = fs::remove_dir_all(&stage);
    fs::create_dir_all(&stage).map_err(|e| Fail(format!("{}: {e}", stage.display())))?;
    copy_tracked(&stage)?;
    vendor(&stage)?;
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent).map_err(|e| Fail(format!("{}: {e}", parent.display())))?;
    }
    let tmp = out.with_extension("partial");
    run(reproducible_tar(epoch)
        .arg("--mode=u+rw,go+rX,go-w")
        .arg("--use-compress-program=xz -6 -T1")
        .arg("-cf")
        .arg(&tmp)
        .arg("-C")
        .arg(&base)
        .arg(dir_name()))?;
    fs::rename(&tmp, out).map_err(|e| Fail(format!("{}: {e}", out.display())))?;
    Ok(stage)
}
