//! `cargo xtask oracle`: the released originals every differential test compares against.
//!
//! The target is the newest util-linux and iproute2 release that Debian unstable ships. Their
//! packages, and every library package they depend on (the C library included), are fetched
//! with `apt-get download` from Debian's own archive through a private apt state (nothing on
//! the host's apt configuration or package database changes) and unpacked with `dpkg-deb -x`
//! into `target/oracle/root`. The binaries then run through the unpacked dynamic loader:
//! `ld-linux-x86-64.so.2 --library-path ROOT/usr/lib/... --argv0 NAME ROOT/usr/bin/NAME`.
//! `target/oracle/bin/{unshare,nsenter,lsns,ip}` are small shell scripts that do exactly that,
//! so a person (or a test's shell script) can run the oracle under its own name.
//!
//! The layout is the contract with the test kit (`tests/src/oracle.rs` reads it):
//! - `root/`: the unpacked packages; `root/.complete` is written last, so a half-done fetch
//!   is never taken for a cache.
//! - `versions`: `PACKAGE VERSION` lines for every unpacked package.
//! - `bin/NAME`: the launchers.
//! - `layout`: `KEY PATH` lines, paths relative to `root/`: `loader`, `libdir`, and one line per
//!   program; the test kit reads it instead of knowing the layout itself.
//! - `root.prev/`, `versions.prev`: the oracle a `--refresh` replaced, which
//!   `cargo xtask oracle-diff` compares the current one with (`oracle-corpus.txt`).

use crate::apt::{mkdirs, output, unpack, Apt};
use crate::{target_dir, Fail};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The packages whose programs are the oracle.
const ROOTS: [&str; 2] = ["util-linux", "iproute2"];

/// The programs the oracle provides, and where each lives in its package.
pub const PROGRAMS: [(&str, &str); 5] = [
    ("unshare", "usr/bin/unshare"),
    ("nsenter", "usr/bin/nsenter"),
    ("lsns", "usr/bin/lsns"),
    ("ip", "usr/sbin/ip"),
    // glibc getopt_long as the released tools see it (tests/getopt_glibc.rs).
    ("getopt", "usr/bin/getopt"),
];

/// The releases the suite was last checked against. A fetch that brings others still works,
/// but says so loudly: differences the tests then show are upstream's, not ours.
pub const EXPECTED: [(&str, &str); 2] = [("util-linux", "2.42.4"), ("iproute2", "7.3.0")];

/// Where the library directory sits inside the unpacked root, for this machine's architecture.
fn multiarch() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "aarch64-linux-gnu"
    } else {
        "x86_64-linux-gnu"
    }
}

fn loader_name() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "ld-linux-aarch64.so.1"
    } else {
        "ld-linux-x86-64.so.2"
    }
}

/// The oracle's directory: `$NSUTILS_ORACLE` when set, else `target/oracle`.
pub fn dir() -> PathBuf {
    std::env::var_os("NSUTILS_ORACLE")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("oracle"))
}

/// Options of `cargo xtask oracle` (clap reads them; each doc comment is the option's
/// `--help` text).
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Fetch again even when the cache is complete; the replaced oracle is kept for
    /// `cargo xtask oracle-diff`.
    #[arg(long)]
    pub refresh: bool,
}

/// Fetch (unless cached) and print the versions the oracle holds.
pub fn main(opts: Options) -> Result<(), Fail> {
    let dir = dir();
    let root = dir.join("root");
    if opts.refresh || !is_complete(&dir) {
        fetch(&dir)?;
    }
    write_launchers(&dir)?;
    let versions = read_versions(&dir)?;
    for (pkg, want) in EXPECTED {
        let got = versions.get(pkg).map(String::as_str).unwrap_or("?");
        let upstream = got.split('-').next().unwrap_or(got);
        println!("{pkg} {got}");
        if upstream != want {
            eprintln!(
                "xtask oracle: warning: {pkg} is {got}, the suite was checked against {want}; \
                 `cargo xtask oracle-diff` shows which behaviours changed"
            );
        }
    }
    println!("oracle in {}", root.display());
    Ok(())
}

/// True when a previous fetch finished and every program and the loader are there.
pub fn is_complete(dir: &Path) -> bool {
    let root = dir.join("root");
    root.join(".complete").is_file()
        && dir.join("versions").is_file()
        && loader(&root).is_file()
        && PROGRAMS.iter().all(|(_, p)| root.join(p).is_file())
}

/// The unpacked dynamic loader.
pub fn loader(root: &Path) -> PathBuf {
    root.join("usr/lib").join(multiarch()).join(loader_name())
}

/// The unpacked library directory.
pub fn libdir(root: &Path) -> PathBuf {
    root.join("usr/lib").join(multiarch())
}

/// The files a run of the oracle's programs maps: the loader, the shared libraries in
/// [`libdir`] and the [`PROGRAMS`] (for the bench, which levels their page-cache state).
pub fn files_run(root: &Path) -> Vec<PathBuf> {
    let mut v = vec![loader(root)];
    if let Ok(entries) = std::fs::read_dir(libdir(root)) {
        v.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.to_string_lossy().contains(".so")),
        );
    }
    v.extend(PROGRAMS.iter().map(|(_, rel)| root.join(rel)));
    v.retain(|p| p.is_file());
    v
}

fn read_versions(dir: &Path) -> Result<BTreeMap<String, String>, Fail> {
    let p = dir.join("versions");
    let text = std::fs::read_to_string(&p).map_err(|e| Fail(format!("{}: {e}", p.display())))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect())
}

/// Library packages only: the programs' run-time needs, not the tools their maintainer
/// scripts use (debconf, PAM configuration ...).
fn is_library_package(name: &str) -> bool {
    name.starts_with("lib") || name.starts_with("zlib")
}

/// The roots plus the closure of their library dependencies, with versions.
fn closure(apt: &Apt) -> Result<BTreeMap<String, String>, Fail> {
    let mut seen = BTreeSet::new();
    let mut todo: VecDeque<String> = ROOTS.iter().map(|s| s.to_string()).collect();
    let mut out = BTreeMap::new();
    while let Some(pkg) = todo.pop_front() {
        if !seen.insert(pkg.clone()) {
            continue;
        }
        let (version, deps) = apt.show(&pkg)?;
        out.insert(pkg, version);
        todo.extend(deps.into_iter().filter(|d| is_library_package(d)));
    }
    Ok(out)
}

fn fetch(dir: &Path) -> Result<(), Fail> {
    let apt = Apt::new(&dir.join("apt"), "sid")?;
    eprintln!("xtask oracle: reading Debian unstable's package lists");
    apt.update()?;
    let pkgs = closure(&apt)?;
    eprintln!("xtask oracle: downloading {} packages", pkgs.len());
    let files = apt.download(&pkgs)?;
    // Unpack into a fresh directory, then swap it in: a failed fetch leaves no half root.
    let fresh = dir.join("root.new");
    let _ = std::fs::remove_dir_all(&fresh);
    unpack(&files, &fresh)?;
    check_resolves(&fresh)?;
    let versions: String = pkgs.iter().map(|(p, v)| format!("{p} {v}\n")).collect();
    std::fs::write(fresh.join(".complete"), "")
        .map_err(|e| Fail(format!("{}: {e}", fresh.display())))?;
    // The previous oracle stays as `root.prev` (with `versions.prev`) for `oracle-diff`.
    let root = dir.join("root");
    let prev = dir.join("root.prev");
    if is_complete(dir) || root.join(".complete").is_file() {
        let _ = std::fs::remove_dir_all(&prev);
        std::fs::rename(&root, &prev).map_err(|e| Fail(format!("{}: {e}", prev.display())))?;
        if let Ok(old) = std::fs::read(dir.join("versions")) {
            let _ = std::fs::write(dir.join("versions.prev"), old);
        }
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    std::fs::write(dir.join("versions"), versions)
        .map_err(|e| Fail(format!("{}: {e}", dir.display())))?;
    std::fs::rename(&fresh, &root).map_err(|e| Fail(format!("{}: {e}", root.display())))?;
    Ok(())
}

/// The command lines `oracle-diff` compares (see the file's header).
const CORPUS: &str = include_str!("../oracle-corpus.txt");

/// What one run did.
#[derive(PartialEq, Eq)]
struct Outcome {
    status: String,
    stdout: String,
    stderr: String,
}

/// Run corpus line `words` through the oracle in `root`, with a 20 s guard.
fn run_line(root: &Path, words: &[&str]) -> Outcome {
    let (name, args) = words.split_first().expect("corpus lines are not empty");
    let rel = PROGRAMS
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| *p)
        .unwrap_or("usr/bin/false");
    let out = Command::new("timeout")
        .arg("20")
        .arg(loader(root))
        .arg("--library-path")
        .arg(libdir(root))
        .arg("--argv0")
        .arg(name)
        .arg(root.join(rel))
        .args(args)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) => Outcome {
            status: o.status.to_string(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        },
        Err(e) => Outcome {
            status: format!("cannot run: {e}"),
            stdout: String::new(),
            stderr: String::new(),
        },
    }
}

/// `cargo xtask oracle-diff`: run every corpus line through the previous oracle (kept by the
/// last `oracle --refresh` that replaced one) and the current one, and print the lines whose
/// stdout, stderr or status changed: the behaviours an upstream release changed, in one list.
pub fn diff() -> Result<(), Fail> {
    let dir = dir();
    let (old, new) = (dir.join("root.prev"), dir.join("root"));
    if !old.join(".complete").is_file() || !is_complete(&dir) {
        return Err(Fail(format!(
            "oracle-diff needs a previous oracle in {} and a current one: run `cargo xtask oracle --refresh` when Debian unstable has new releases",
            old.display()
        )));
    }
    let show = |label: &str, o: &Outcome| {
        println!("  {label}: {}", o.status);
        for l in o.stdout.lines().take(20) {
            println!("    out| {l}");
        }
        for l in o.stderr.lines().take(20) {
            println!("    err| {l}");
        }
    };
    let (mut total, mut changed) = (0, 0);
    for line in CORPUS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let words: Vec<&str> = line.split(' ').collect();
        total += 1;
        let (a, b) = (run_line(&old, &words), run_line(&new, &words));
        if a != b {
            changed += 1;
            println!("changed: {line}");
            show("before", &a);
            show("now", &b);
        }
    }
    let versions = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    let pick = |text: String| {
        text.lines()
            .filter(|l| ROOTS.iter().any(|r| l.starts_with(&format!("{r} "))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{changed} of {total} command lines changed between [{}] and [{}]",
        pick(versions("versions.prev")),
        pick(versions("versions"))
    );
    Ok(())
}

/// Every library each program needs resolves inside the unpacked root (never to the host's
/// older C library), as the unpacked loader reports with `--list`.
fn check_resolves(root: &Path) -> Result<(), Fail> {
    let lib = libdir(root);
    for (name, rel) in PROGRAMS {
        let text = output(
            Command::new(loader(root))
                .arg("--library-path")
                .arg(&lib)
                .arg("--list")
                .arg(root.join(rel))
                .env_remove("LD_LIBRARY_PATH")
                .env_remove("LD_PRELOAD"),
        )?;
        for l in text.lines() {
            let Some((soname, path)) = l.trim().split_once(" => ") else {
                continue;
            };
            if !path.starts_with(&*root.to_string_lossy()) {
                return Err(Fail(format!(
                    "oracle {name}: {soname} resolves to {path}, outside {}: \
                     a library package is missing from the dependency closure",
                    root.display()
                )));
            }
        }
    }
    Ok(())
}

/// `bin/NAME` for each program: a shell script that runs it through the unpacked loader,
/// found relative to the script itself (so a bind mount of the oracle elsewhere works).
fn write_launchers(dir: &Path) -> Result<(), Fail> {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    mkdirs(&bin)?;
    let lib = format!("usr/lib/{}", multiarch());
    let mut layout = format!("loader {lib}/{}\nlibdir {lib}\n", loader_name());
    for (name, rel) in PROGRAMS {
        layout.push_str(&format!("{name} {rel}\n"));
    }
    let p = dir.join("layout");
    std::fs::write(&p, layout).map_err(|e| Fail(format!("{}: {e}", p.display())))?;
    for (name, rel) in PROGRAMS {
        let script = format!(
            "#!/bin/sh\n\
             # The {name} of the nsutils oracle (see `cargo xtask oracle`).\n\
             r=\"${{0%/*}}/../root\"\n\
             exec \"$r/{lib}/{ld}\" --library-path \"$r/{lib}\" --argv0 {name} \"$r/{rel}\" \"$@\"\n",
            ld = loader_name(),
        );
        let p = bin.join(name);
        std::fs::write(&p, script).map_err(|e| Fail(format!("{}: {e}", p.display())))?;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Fail(format!("{}: {e}", p.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_corpus_line_runs_an_oracle_program() {
        for line in CORPUS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let name = line.split(' ').next().unwrap_or("");
            assert!(PROGRAMS.iter().any(|(n, _)| *n == name), "{line}");
        }
    }

    #[test]
    fn only_library_packages_join_the_closure() {
        assert!(is_library_package("libsmartcols1"));
        assert!(is_library_package("zlib1g"));
        assert!(!is_library_package("debconf"));
    }
}
