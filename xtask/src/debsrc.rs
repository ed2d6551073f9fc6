//! `cargo xtask debsrc`: the Debian source package under `target/debsrc/`, what a distribution
//! builds from (offline, with its own toolchain and `dpkg-buildpackage`):
//!
//! - `nsutils_<version>.orig.tar.xz`: the vendored source tarball ([`srctar`]);
//! - `nsutils_<version>-<revision>.debian.tar.xz`: the committed `debian/` directory plus
//!   `debian/copyright`, written here from the vendored tree (every crate in `vendor/`, by
//!   [`copyright::dep5_source`]), so it always matches the crates shipped;
//! - `nsutils_<version>-<revision>.dsc`, unsigned, from `dpkg-source -b` (format 3.0 (quilt)).
//!
//! `debian/rules` builds with `cargo build --offline --locked` from `vendor/` and installs with
//! the project's own installer (`xtask install --no-manifest`), so the binary package holds
//! the files `cargo xtask dist`'s .deb holds.

use crate::{copyright, run as run_cmd, srctar, workspace_root, Fail, VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Options of `cargo xtask debsrc` (none yet).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Opts {}

/// What `debsrc` wrote.
#[derive(Debug)]
pub struct Written {
    /// The .dsc.
    pub dsc: PathBuf,
    /// The orig tarball.
    pub orig: PathBuf,
    /// The unpacked source tree (`target/debsrc/nsutils-<version>`), ready for
    /// `dpkg-buildpackage`.
    pub tree: PathBuf,
}

/// The version in the first line of debian/changelog (`0.1.0-1`).
pub fn changelog_version(changelog: &str) -> Result<String, Fail> {
    let first = changelog.lines().next().unwrap_or_default();
    let open = first.find('(');
    let close = first.find(')');
    match (open, close) {
        (Some(o), Some(c)) if o < c && first.starts_with("nsutils ") => {
            Ok(first[o + 1..c].to_string())
        }
        _ => Err(Fail(format!(
            "debian/changelog: first line is not `nsutils (VERSION) ...`: {first:?}"
        ))),
    }
}

/// The upstream part of a Debian version (`0.1.0` of `0.1.0-1`, epoch dropped).
pub fn upstream_version(debian_version: &str) -> &str {
    let v = debian_version
        .split_once(':')
        .map_or(debian_version, |(_, v)| v);
    v.rsplit_once('-').map_or(v, |(u, _)| u)
}

/// The debian/ files git tracks (relative to the workspace root).
fn debian_files() -> Result<Vec<String>, Fail> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args(["ls-files", "-z", "debian"])
        .output()
        .map_err(|e| Fail(format!("cannot run git ls-files: {e}")))?;
    if !out.status.success() {
        return Err(Fail("git ls-files debian failed".into()));
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| workspace_root().join(p).exists())
        .collect())
}

/// Copy the committed `debian/` into `tree` and write `debian/copyright` for its `vendor/`.
fn add_debian(tree: &Path) -> Result<(), Fail> {
    use std::os::unix::fs::PermissionsExt;
    let root = workspace_root();
    let files = debian_files()?;
    if !files.iter().any(|f| f == "debian/rules") {
        return Err(Fail("debian/rules is not tracked by git".into()));
    }
    for rel in files {
        let to = tree.join(&rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Fail(format!("{}: {e}", parent.display())))?;
        }
        fs::copy(root.join(&rel), &to).map_err(|e| Fail(format!("{rel}: {e}")))?;
        // dpkg-source keeps only the executable bit; make it right whatever the umask.
        let exec = rel == "debian/rules"
            || rel.starts_with("debian/tests/") && rel != "debian/tests/control";
        fs::set_permissions(
            &to,
            fs::Permissions::from_mode(if exec { 0o755 } else { 0o644 }),
        )
        .map_err(|e| Fail(format!("{}: {e}", to.display())))?;
    }
    let copyright = copyright::dep5_source(tree)?;
    fs::write(tree.join("debian/copyright"), copyright)
        .map_err(|e| Fail(format!("debian/copyright: {e}")))
}

/// Write the source package under `target/debsrc`.
pub fn run_debsrc(_opts: &Opts) -> Result<Written, Fail> {
    let changelog = fs::read_to_string(workspace_root().join("debian/changelog"))
        .map_err(|e| Fail(format!("debian/changelog: {e}")))?;
    let version = changelog_version(&changelog)?;
    if upstream_version(&version) != VERSION {
        return Err(Fail(format!(
            "debian/changelog is at {version} but the workspace at {VERSION}: add a \
             changelog entry (dch -v {VERSION}-1)"
        )));
    }
    let out = crate::target_dir().join("debsrc");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).map_err(|e| Fail(format!("{}: {e}", out.display())))?;
    let orig = out.join(format!("nsutils_{VERSION}.orig.tar.xz"));
    let stage = srctar::make(&orig)?;
    // The tree dpkg-source reads: the staged upstream tree (the orig's contents) + debian/.
    let tree = out.join(srctar::dir_name());
    fs::rename(&stage, &tree).map_err(|e| Fail(format!("{}: {e}", tree.display())))?;
    add_debian(&tree)?;
    run_cmd(
        Command::new("dpkg-source")
            .args(["--build", "--compression=xz"])
            .arg(srctar::dir_name())
            .current_dir(&out)
            // Its report goes to stderr: stdout is the list of paths written.
            .stdout(std::io::stderr())
            .env(
                "SOURCE_DATE_EPOCH",
                crate::dist::source_date_epoch()?.to_string(),
            ),
    )?;
    let dsc = out.join(format!("nsutils_{version}.dsc"));
    if !dsc.is_file() {
        return Err(Fail(format!("dpkg-source wrote no {}", dsc.display())));
    }
    Ok(Written { dsc, orig, tree })
}

/// `cargo xtask debsrc`: write the source package and print the .dsc's path.
pub fn run(opts: &Opts) -> Result<(), Fail> {
    let w = run_debsrc(opts)?;
    println!(
        "{}\n{}\n{}",
        w.dsc.display(),
        w.orig.display(),
        w.tree.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            changelog_version("nsutils (0.1.0-1) unstable; urgency=medium\n").unwrap(),
            "0.1.0-1"
        );
        assert!(changelog_version("other (1) x\n").is_err());
        assert_eq!(upstream_version("0.1.0-1"), "0.1.0");
        assert_eq!(upstream_version("1:0.1.0-2~bpo12+1"), "0.1.0");
        assert_eq!(upstream_version("0.1.0"), "0.1.0");
    }

    #[test]
    fn changelog_matches_the_workspace() {
        let text = fs::read_to_string(workspace_root().join("debian/changelog")).unwrap();
        let v = changelog_version(&text).unwrap();
        assert_eq!(
            upstream_version(&v),
            VERSION,
            "debian/changelog vs Cargo.toml"
        );
    }
}
