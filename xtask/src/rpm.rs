//! `cargo xtask rpm`: the RPM for Fedora/RHEL-style distributions, from `nsutils.spec` at the
//! top of the tree. It writes the vendored source tarball ([`srctar`]) as
//! `target/rpm/SOURCES/nsutils-<version>.tar.xz`, copies the spec to `target/rpm/SPECS`, and
//! runs `rpmbuild -bb` with `_topdir` there (Debian's `rpm` package has it), offline: in a new
//! network namespace when run as root, and cargo with `--offline` from `vendor/` in any case.
//! `--nodeps`, because the build host's rpm database is not where its toolchain comes from on
//! Debian. Then `rpmlint -r nsutils.rpmlintrc` (when installed) on the package and the spec:
//! an error fails.
//!
//! Before any of that it checks the spec against the workspace: its `Version` and its
//! `License`, which must name nsutils' licence and every licence expression of the crates
//! linked in ([`license_tag`]).

use crate::{copyright, run as run_cmd, srctar, workspace_root, Fail, VERSION};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Options of `cargo xtask rpm`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Opts {
    /// Write the tarball and the spec only (no rpmbuild, no rpmlint)
    #[arg(long)]
    pub source_only: bool,
}

/// The spec file, at the workspace root.
pub const SPEC: &str = "nsutils.spec";

/// rpmlint's filters for it (each with its reason), at the workspace root.
pub const RPMLINTRC: &str = "nsutils.rpmlintrc";

/// The value of the first `Tag:` line of `spec`.
pub fn spec_tag<'a>(spec: &'a str, tag: &str) -> Option<&'a str> {
    spec.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == tag).then(|| v.trim())
    })
}

/// The `License` of the binary package, in SPDX: nsutils' own licence, then each distinct
/// licence expression of the crates linked in (in order of first appearance by crate name),
/// joined with AND; an expression with OR is parenthesised.
pub fn license_tag(crates: &[copyright::Crate]) -> String {
    let own = "MIT OR Apache-2.0".to_string();
    let mut exprs = vec![own];
    for c in crates {
        let e = c.license.replace('/', " OR ");
        if !exprs.contains(&e) {
            exprs.push(e);
        }
    }
    exprs
        .iter()
        .map(|e| {
            if e.contains(" OR ") || e.contains(" AND ") {
                format!("({e})")
            } else {
                e.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Fail unless the spec's `Version` and `License` are the workspace's.
fn check_spec(spec: &str) -> Result<(), Fail> {
    let version = spec_tag(spec, "Version").unwrap_or_default();
    if version != VERSION {
        return Err(Fail(format!(
            "{SPEC}: Version is {version:?} but the workspace is at {VERSION}: update \
             Version and add a %changelog entry"
        )));
    }
    // target/release names no triple: the host's, which the build will use.
    let triple = crate::target::target_of(&crate::target_dir().join("release"))?.triple;
    let crates = copyright::linked_crates(&crate::tools::shipped_packages(), &triple)?;
    let want = license_tag(&crates);
    let have = spec_tag(spec, "License").unwrap_or_default();
    if have != want {
        return Err(Fail(format!(
            "{SPEC}: the License does not match the crates linked in (Cargo.lock); it \
             should read\nLicense:        {want}"
        )));
    }
    Ok(())
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn on_path(prog: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {prog} >/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}

/// Every `*.rpm` under `dir`, sorted.
fn rpms_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rpm") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Write the sources under `target/rpm` and, unless `source_only`, build and lint; returns
/// the tarball and the spec, then the packages built.
pub fn run_rpm(opts: &Opts) -> Result<Vec<PathBuf>, Fail> {
    let spec_text = fs::read_to_string(workspace_root().join(SPEC))
        .map_err(|e| Fail(format!("{SPEC}: {e}")))?;
    check_spec(&spec_text)?;
    let top = crate::target_dir().join("rpm");
    let _ = fs::remove_dir_all(&top);
    for d in ["SOURCES", "SPECS"] {
        fs::create_dir_all(top.join(d)).map_err(|e| Fail(format!("{}: {e}", top.display())))?;
    }
    let tarball = top.join(format!("SOURCES/nsutils-{VERSION}.tar.xz"));
    let stage = srctar::make(&tarball)?;
    let _ = fs::remove_dir_all(&stage);
    let spec = top.join("SPECS").join(SPEC);
    fs::write(&spec, &spec_text).map_err(|e| Fail(format!("{}: {e}", spec.display())))?;
    let mut written = vec![tarball, spec.clone()];
    if opts.source_only {
        return Ok(written);
    }
    if !on_path("rpmbuild") {
        return Err(Fail(
            "rpmbuild is not installed (Debian: apt-get install rpm)".into(),
        ));
    }
    let mut build = if is_root() {
        // No network for the build: it must need none.
        let mut c = Command::new("unshare");
        c.args(["--net", "--", "rpmbuild"]);
        c
    } else {
        eprintln!("xtask rpm: not root, so the build keeps the network (cargo runs --offline)");
        Command::new("rpmbuild")
    };
    build
        .args(["-bb", "--nodeps", "--define"])
        .arg(format!("_topdir {}", top.display()))
        // The packager as dist's Maintainer (the spec has no Packager tag, per Fedora).
        .arg("--define")
        .arg(format!("packager {}", crate::dist::maintainer()))
        // The brp scripts (brp-compress for the man pages) are bash scripts: Debian's /bin/sh
        // is dash, Fedora's bash.
        .args(["--define", "_buildshell /bin/bash"])
        .arg(&spec)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO")
        .env_remove("RUSTC");
    run_cmd(&mut build)?;
    let rpms = rpms_under(&top.join("RPMS"));
    if rpms.is_empty() {
        return Err(Fail(format!(
            "rpmbuild wrote no package under {}",
            top.display()
        )));
    }
    if on_path("rpmlint") {
        let st = Command::new("rpmlint")
            .arg("-r")
            .arg(workspace_root().join(RPMLINTRC))
            .args(&rpms)
            .arg(&spec)
            .status()
            .map_err(|e| Fail(format!("cannot run rpmlint: {e}")))?;
        // rpmlint exits 64 when it found an error, 66 when the badness score is too high.
        if !st.success() {
            return Err(Fail(format!("rpmlint found errors ({st})")));
        }
    } else {
        eprintln!("xtask rpm: rpmlint is not installed: not checked (apt-get install rpmlint)");
    }
    written.extend(rpms);
    Ok(written)
}

/// `cargo xtask rpm [--source-only]`: print every path written.
pub fn run(opts: &Opts) -> Result<(), Fail> {
    for p in run_rpm(opts)? {
        println!("{}", p.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(license: &str) -> copyright::Crate {
        copyright::Crate {
            name: "x".into(),
            version: "1".into(),
            license: license.into(),
            authors: vec![],
            dir: PathBuf::new(),
        }
    }

    #[test]
    fn license_expressions() {
        let crates = [
            krate("MIT"),
            krate("MIT/Apache-2.0"),
            krate("Unlicense OR MIT"),
        ];
        assert_eq!(
            license_tag(&crates),
            "(MIT OR Apache-2.0) AND MIT AND (Unlicense OR MIT)"
        );
    }

    #[test]
    fn spec_matches_the_workspace() {
        let text = fs::read_to_string(workspace_root().join(SPEC)).unwrap();
        assert_eq!(spec_tag(&text, "Version"), Some(VERSION));
        check_spec(&text).unwrap_or_else(|Fail(m)| panic!("{m}"));
    }
}
