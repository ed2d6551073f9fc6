//! `cargo xtask`: nsutils developer tasks (`cargo xtask --help` lists them).
//!
//! The command line is declared in `cli.rs` (clap: every subcommand, option and its help);
//! this file dispatches on it to the module that does the work: `bench/`, `install.rs`,
//! `man.rs`, `complete.rs`, `dist.rs` and `copyright.rs` (tarball and .deb), `static_build.rs`,
//! `suite.rs` (`test`, the README's test command), `deps.rs`, `oracle.rs` and `apt.rs` (the
//! released originals from Debian unstable), `kernels/` (the kernel matrix), `fuzz/`
//! (differential fuzzing against the oracle), `debsrc.rs` and `rpm.rs` (what distributions
//! build from: the Debian source package and the RPM, over the vendored source tarball of
//! `srctar.rs`).
//!
//! `--from DIR` takes already built binaries from DIR (e.g. target/debug) instead of building
//! release binaries; the packaging test uses it to stay fast.

mod apt;
mod bench;
mod cli;
mod complete;
mod copyright;
mod debsrc;
mod deps;
mod dist;
mod fuzz;
mod install;
mod kernels;
mod man;
mod oracle;
mod rpm;
mod srctar;
mod static_build;
mod suite;
mod target;
mod tools;

use clap::{CommandFactory, Parser};
use cli::{Cli, Task};
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

/// `--prefix` checked absolute, `--destdir` made absolute (an empty one is none).
fn place(p: cli::Place) -> Result<(PathBuf, Option<PathBuf>), Fail> {
    if !p.prefix.starts_with('/') {
        return Err(Fail(format!("--prefix must be absolute: {}", p.prefix)));
    }
    let destdir = match p.destdir.filter(|d| !d.is_empty()) {
        Some(d) => Some(std::path::absolute(&d).map_err(|e| Fail(format!("{d}: {e}")))?),
        None => None,
    };
    Ok((PathBuf::from(p.prefix), destdir))
}

fn bins(from: Option<PathBuf>) -> Result<PathBuf, Fail> {
    match from {
        Some(d) => {
            let d = std::path::absolute(&d).map_err(|e| Fail(format!("{}: {e}", d.display())))?;
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

fn real_main(task: Task) -> Result<(), Fail> {
    match task {
        Task::Install {
            place: p,
            drop_in,
            from,
            no_manifest,
        } => {
            let (prefix, destdir) = place(p)?;
            // Without a manifest nothing tells our files from others': only into a staging
            // directory, which a package build starts empty.
            if no_manifest && destdir.is_none() {
                return Err(Fail(
                    "--no-manifest needs --destdir (a package's staging directory)".into(),
                ));
            }
            let dir = bins(from)?;
            let entries = install::layout(&dir, drop_in, VERSION, &prefix.to_string_lossy())?;
            let m = install::install(&entries, &prefix, destdir.as_deref(), !no_manifest)?;
            for p in &m.paths {
                println!("{}", install::staged(destdir.as_deref(), p).display());
            }
        }
        Task::Uninstall { place: p, .. } => {
            let (prefix, destdir) = place(p)?;
            let n = install::uninstall(&prefix, destdir.as_deref())?;
            println!("removed {n} files");
        }
        Task::Man { dir } => {
            let dir = dir.unwrap_or_else(|| target_dir().join("man"));
            let files = tools::TOOLS
                .iter()
                .map(|t| {
                    let d = (t.doc)();
                    (man::file_name(&d), man::render(&d, VERSION, "/usr"))
                })
                .collect();
            write_files(&dir, files)?;
        }
        Task::Completions { dir } => {
            let dir = dir.unwrap_or_else(|| target_dir().join("completions"));
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
        Task::Dist {
            from,
            static_crt: true,
        } => {
            let dir = from.map_or_else(static_build::build, |d| bins(Some(d)))?;
            println!("{}", static_build::tarball(&dir, VERSION)?.display());
        }
        Task::Dist {
            from,
            static_crt: false,
        } => {
            let dir = bins(from)?;
            let (tarball, deb) = dist::dist(&dir, VERSION)?;
            println!("{}\n{}", tarball.display(), deb.display());
        }
        Task::Deps => deps::main()?,
        Task::Test(opts) => suite::main(&opts)?,
        Task::StaticBuild => println!("{}", static_build::build()?.display()),
        Task::StaticSuite { args } => static_build::suite(&args)?,
        Task::Oracle(opts) => oracle::main(opts)?,
        Task::OracleDiff => oracle::diff()?,
        Task::VendorCheck => vendor_check()?,
        Task::Bench(opts) => bench::main(opts)?,
        Task::Kernels(opts) => kernels::run(&opts)?,
        Task::Fuzz(opts) => fuzz::run(&opts.opts()?)?,
        Task::Debsrc(opts) => debsrc::run(&opts)?,
        Task::Rpm(opts) => rpm::run(&opts)?,
    }
    Ok(())
}

fn main() {
    // The bench's measuring runner: a fresh, small process (bench/measure.rs), before clap.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == bench::measure::RUNNER_ARG) {
        std::process::exit(bench::measure::runner_main(&args[2..]));
    }
    // clap prints --help and --version itself, and exits 2 with its usual message on a wrong
    // option; without a subcommand the help goes to stdout with status 0.
    let Some(task) = Cli::parse().command else {
        let _ = Cli::command().print_help();
        std::process::exit(0);
    };
    if let Err(Fail(msg)) = real_main(task) {
        eprintln!("xtask: {msg}");
        std::process::exit(1);
    }
}
