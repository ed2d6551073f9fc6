//! `cargo xtask`: nsutils developer tasks.
//!
//! - `bench [--quick] [--static] [--write-doc] [--only WORD]`: every tool side by side with the
//!   original (see `bench/`).
//! - `install [--prefix DIR] [--destdir DIR] [--drop-in] [--from DIR]` and `uninstall` (same
//!   options): binaries, the drop-in directory `lib/nsutils/bin`, man pages, completions and
//!   docs in the FHS layout, with a manifest.
//! - `man [DIR]`, `completions [DIR]`: write the generated files to a directory.
//! - `dist [--from DIR]`: release tarball and a lintian-clean, reproducible .deb under
//!   target/dist (`dist.rs`, `copyright.rs`); `dist --static`: the static tarball, and
//!   `static-build` the checked static binaries and `static-suite` the whole test suite
//!   against them (see `static_build.rs`).
//! - `deps`: install the Debian packages the tests use, then `oracle`.
//! - `oracle [--refresh]`: fetch util-linux and iproute2 from Debian unstable into
//!   target/oracle, the reference every differential test compares against (see `oracle.rs`).
//! - `oracle-diff`: which behaviours changed between the previous and the current oracle.
//! - `vendor-check`: `cargo vendor` then a `--offline` build from the vendored tree.
//! - `debsrc`: the Debian source package (vendored orig tarball, `debian/`) under
//!   target/debsrc (`debsrc.rs`, `srctar.rs`); `rpm [--source-only]`: the RPM from
//!   `nsutils.spec` under target/rpm (`rpm.rs`).
//!
//! `--from DIR` takes already built binaries from DIR (e.g. target/debug) instead of building
//! release binaries; the packaging test uses it to stay fast.

mod bench;
mod complete;
mod copyright;
mod debsrc;
mod deps;
mod dist;
mod install;
mod man;
mod oracle;
mod rpm;
mod srctar;
mod static_build;
mod target;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A failure with the message to print.
#[derive(Debug)]
pub struct Fail(pub String);

/// The workspace's version, which every binary reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The workspace root (xtask's parent directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Cargo's target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The cargo to run (the one running us, when known).
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

/// Run a command, failing unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<(), Fail> {
    let st = cmd
        .status()
        .map_err(|e| Fail(format!("cannot run {cmd:?}: {e}")))?;
    if st.success() {
        Ok(())
    } else {
        Err(Fail(format!("{cmd:?} failed: {st}")))
    }
}

/// Build the four release binaries; returns the directory holding them. `static_crt` makes
/// the static build instead (see `static_build.rs`).
pub fn build_release(static_crt: bool) -> Result<PathBuf, Fail> {
    if static_crt {
        return static_build::build();
    }
    let mut c = cargo();
    c.args(["build", "--release", "--quiet"])
        .args(tools::package_args());
    run(&mut c)?;
    Ok(target_dir().join("release"))
}

/// Command-line words after the sub-command.
struct Args(Vec<String>);

impl Args {
    fn flag(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|a| a != name);
        self.0.len() != before
    }

    fn value(&mut self, name: &str) -> Result<Option<String>, Fail> {
        let eq = format!("{name}=");
        if let Some(i) = self.0.iter().position(|a| a.starts_with(&eq)) {
            return Ok(Some(self.0.remove(i)[eq.len()..].to_string()));
        }
        match self.0.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.0.len() => {
                self.0.remove(i);
                Ok(Some(self.0.remove(i)))
            }
            Some(_) => Err(Fail(format!("{name} needs a value"))),
        }
    }

    fn operand(&mut self) -> Option<String> {
        if self.0.first().is_some_and(|a| !a.starts_with('-')) {
            Some(self.0.remove(0))
        } else {
            None
        }
    }

    /// Every word left, for a command that passes them on.
    fn rest(self) -> Vec<String> {
        self.0
    }

    fn done(self) -> Result<(), Fail> {
        match self.0.first() {
            None => Ok(()),
            Some(a) => Err(Fail(format!(
                "unexpected argument {a:?} (see cargo xtask help)"
            ))),
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>

  bench [--quick] [--static] [--write-doc] [--only WORD] [--skip-build]
                      time every tool against the original (needs root)
  install [--prefix DIR] [--destdir DIR] [--drop-in] [--from DIR] [--no-manifest]
                      install binaries, the drop-in directory PREFIX/lib/nsutils/bin,
                      man pages, completions and docs (prefix /usr/local); --no-manifest
                      for a package build (the package manager tracks the files)
  uninstall [--prefix DIR] [--destdir DIR] [--drop-in]
                      remove what install recorded in its manifest
  man [DIR]           write the man pages (default target/man)
  completions [DIR]   write bash, zsh and fish completions (default target/completions)
  dist [--from DIR]   target/dist/nsutils-VERSION-CPU-linux.tar.gz and the .deb
  dist --static       target/dist/nsutils-VERSION-CPU-linux-static.tar.gz (no .deb)
  debsrc              the Debian source package under target/debsrc: the orig tarball
                      with the vendored crates, debian/, the .dsc
  rpm [--source-only] the vendored tarball and nsutils.spec under target/rpm, then
                      rpmbuild -bb (offline) and rpmlint
  static-build        build the static binaries into target/static and check their link
  static-suite [ARGS] static-build, then the whole test suite against those binaries
                      (ARGS go to cargo test)
  deps                install the Debian packages the tests use (as root), then oracle
  oracle [--refresh]  fetch the released util-linux and iproute2 the tests compare
                      against into target/oracle (cached) and print their versions
  oracle-diff         run oracle-corpus.txt through the oracle --refresh replaced and the
                      current one; list the command lines whose behaviour changed
  vendor-check        cargo vendor + an --offline build from the vendored tree

--from DIR uses binaries already built in DIR instead of building release binaries
(as root: sudo target/release/xtask install --from target/release).
DESTDIR and PREFIX from the environment are used when the options are not given.
";

fn install_opts(a: &mut Args) -> Result<(PathBuf, Option<PathBuf>, bool), Fail> {
    let prefix = a
        .value("--prefix")?
        .or_else(|| std::env::var("PREFIX").ok())
        .unwrap_or_else(|| "/usr/local".into());
    let destdir = a
        .value("--destdir")?
        .or_else(|| std::env::var("DESTDIR").ok())
        .filter(|d| !d.is_empty());
    if !prefix.starts_with('/') {
        return Err(Fail(format!("--prefix must be absolute: {prefix}")));
    }
    let destdir = match destdir {
        Some(d) => Some(std::path::absolute(&d).map_err(|e| Fail(format!("{d}: {e}")))?),
        None => None,
    };
    Ok((PathBuf::from(prefix), destdir, a.flag("--drop-in")))
}

fn bins(from: Option<String>) -> Result<PathBuf, Fail> {
    match from {
        Some(d) => {
            let d = std::path::absolute(&d).map_err(|e| Fail(format!("{d}: {e}")))?;
            for b in tools::binaries() {
                if !d.join(b).is_file() {
                    return Err(Fail(format!(
                        "{} is missing (build it first: cargo build --release --workspace)",
                        d.join(b).display()
                    )));
                }
            }
            Ok(d)
        }
        None => build_release(false),
    }
}

fn write_files(dir: &Path, files: Vec<(String, String)>) -> Result<(), Fail> {
    std::fs::create_dir_all(dir).map_err(|e| Fail(format!("{}: {e}", dir.display())))?;
    for (name, text) in files {
        let p = dir.join(&name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Fail(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&p, text).map_err(|e| Fail(format!("{}: {e}", p.display())))?;
        println!("{}", p.display());
    }
    Ok(())
}

fn vendor_check() -> Result<(), Fail> {
    let vendor = target_dir().join("vendor");
    run(cargo()
        .args(["vendor", "--locked", "--versioned-dirs", "--quiet"])
        .arg(&vendor))?;
    let dir = vendor.display().to_string();
    run(cargo()
        .args(["build", "--offline", "--locked", "--release", "--quiet"])
        .args(tools::package_args())
        .args([
            "--config",
            "source.crates-io.replace-with=\"vendored-sources\"",
        ])
        .arg("--config")
        .arg(format!("source.vendored-sources.directory=\"{dir}\""))
        .env("CARGO_TARGET_DIR", target_dir().join("vendor-check"))
        // No network and no registry cache: only the vendored tree can satisfy the build.
        .env("CARGO_HOME", target_dir().join("vendor-check/cargo-home"))
        .env("CARGO_NET_OFFLINE", "true"))?;
    println!("offline build from {dir}: ok");
    Ok(())
}

fn real_main() -> Result<(), Fail> {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() {
        print!("{USAGE}");
        return Ok(());
    }
    let cmd = argv.remove(0);
    let mut a = Args(argv);
    // `cargo xtask install --help` (any command's --help) prints the usage.
    if a.flag("--help") | a.flag("-h") {
        print!("{USAGE}");
        return Ok(());
    }
    match cmd.as_str() {
        "install" => {
            let (prefix, destdir, drop_in) = install_opts(&mut a)?;
            let from = a.value("--from")?;
            let manifest = !a.flag("--no-manifest");
            a.done()?;
            // Without a manifest nothing tells our files from others': only into a staging
            // directory, which a package build starts empty.
            if !manifest && destdir.is_none() {
                return Err(Fail(
                    "--no-manifest needs --destdir (a package's staging directory)".into(),
                ));
            }
            let dir = bins(from)?;
            let entries = install::layout(&dir, drop_in, VERSION, &prefix.to_string_lossy())?;
            let m = install::install(&entries, &prefix, destdir.as_deref(), manifest)?;
            for p in &m.paths {
                println!("{}", install::staged(destdir.as_deref(), p).display());
            }
        }
        "uninstall" => {
            let (prefix, destdir, _drop_in) = install_opts(&mut a)?;
            a.done()?;
            let n = install::uninstall(&prefix, destdir.as_deref())?;
            println!("removed {n} files");
        }
        "man" => {
            let dir = a
                .operand()
                .map(PathBuf::from)
                .unwrap_or_else(|| target_dir().join("man"));
            a.done()?;
            let files = tools::TOOLS
                .iter()
                .map(|t| {
                    let d = (t.doc)();
                    (man::file_name(&d), man::render(&d, VERSION, "/usr"))
                })
                .collect();
            write_files(&dir, files)?;
        }
        "completions" => {
            let dir = a
                .operand()
                .map(PathBuf::from)
                .unwrap_or_else(|| target_dir().join("completions"));
            a.done()?;
            let mut files = Vec::new();
            for t in tools::TOOLS.iter() {
                let d = (t.doc)();
                files.push((
                    format!("bash/{}", complete::bash_file(&d)),
                    complete::bash(&d),
                ));
                files.push((format!("zsh/{}", complete::zsh_file(&d)), complete::zsh(&d)));
                files.push((
                    format!("fish/{}", complete::fish_file(&d)),
                    complete::fish(&d),
                ));
            }
            write_files(&dir, files)?;
        }
        "dist" => {
            let from = a.value("--from")?;
            if a.flag("--static") {
                a.done()?;
                let dir = from.map_or_else(static_build::build, |d| bins(Some(d)))?;
                println!("{}", static_build::tarball(&dir, VERSION)?.display());
                return Ok(());
            }
            a.done()?;
            let dir = bins(from)?;
            let (tarball, deb) = dist::dist(&dir, VERSION)?;
            println!("{}\n{}", tarball.display(), deb.display());
        }
        "deps" => {
            a.done()?;
            deps::main()?;
        }
        "static-build" => {
            a.done()?;
            println!("{}", static_build::build()?.display());
        }
        "static-suite" => {
            static_build::suite(&a.rest())?;
        }
        "oracle" => {
            let opts = oracle::Options {
                refresh: a.flag("--refresh"),
            };
            a.done()?;
            oracle::main(opts)?;
        }
        "oracle-diff" => {
            a.done()?;
            oracle::diff()?;
        }
        "debsrc" => {
            a.done()?;
            debsrc::run(&debsrc::Opts::default())?;
        }
        "rpm" => {
            let opts = rpm::Opts {
                source_only: a.flag("--source-only"),
            };
            a.done()?;
            rpm::run(&opts)?;
        }
        "vendor-check" => {
            a.done()?;
            vendor_check()?;
        }
        "bench" => {
            let opts = bench::Options {
                quick: a.flag("--quick"),
                static_too: a.flag("--static"),
                write_doc: a.flag("--write-doc"),
                skip_build: a.flag("--skip-build"),
                only: a.value("--only")?,
            };
            a.done()?;
            bench::main(opts)?;
        }
        "help" | "--help" | "-h" => print!("{USAGE}"),
        other => return Err(Fail(format!("unknown command {other:?}\n{USAGE}"))),
    }
    Ok(())
}

fn main() {
    if let Err(Fail(msg)) = real_main() {
        eprintln!("xtask: {msg}");
        std::process::exit(1);
    }
}
