//! `cargo xtask test`: the README's test command, the one `.ci/run` runs.
//!
//! It exists so that one failure does not hide the rest: a chain of commands joined by `&&`
//! stopped after the first failing stage (on Debian 13 a failure of the dynamic suite meant the
//! static suite never ran). Here the prerequisites come first (`deps`: without the Debian
//! packages and the oracle nothing can be compared, so a failure there ends the run), then
//! every stage runs whatever the previous one gave: the suite against the dynamic binaries,
//! against the static ones, and the kernel core in VMs of the oldest and the newest of
//! Debian's kernels (`kernels/`). The end is one line per stage and one exit status: 0 only
//! when every stage that ran passed.

use crate::{deps, kernels, static_build, Fail};

/// One stage's name and result (`None`: skipped on request).
type Stage = (&'static str, Option<Result<(), Fail>>);

/// Options of `cargo xtask test`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Skip the kernel stage (the core in VMs of the oldest and the newest kernel, about ten
    /// minutes on 2 cores without KVM)
    #[arg(long)]
    pub no_kernels: bool,
    /// Passed on to every `cargo test` (e.g. `-p lsns-rs -- --nocapture`)
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// Run the whole suite.
pub fn main(opts: &Options) -> Result<(), Fail> {
    close_inherited_descriptors();
    deps::main().map_err(|Fail(msg)| {
        Fail(format!(
            "{msg}\nxtask test: the prerequisites are missing, so no test ran"
        ))
    })?;
    let args = &opts.args;
    let oldest_and_newest = kernels::Opts {
        kernels: vec!["oldest".into(), "newest".into()],
        ..Default::default()
    };
    let stages: Vec<Stage> = vec![
        (
            "the suite against the dynamic binaries",
            Some(dynamic(args)),
        ),
        (
            "the suite against the static binaries",
            Some(static_build::suite(args)),
        ),
        (
            "the kernel core on the oldest and the newest kernel",
            (!opts.no_kernels).then(|| kernels::run(&oldest_and_newest)),
        ),
    ];
    report(&stages)
}

/// `cargo test --workspace --locked --no-fail-fast ARGS`.
fn dynamic(args: &[String]) -> Result<(), Fail> {
    let status = crate::cargo()
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(args)
        .status()
        .map_err(|e| Fail(format!("cannot run cargo: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Fail(format!("cargo test failed ({status})")))
    }
}

/// Print one line per stage; fail when any stage failed.
fn report(stages: &[Stage]) -> Result<(), Fail> {
    eprintln!();
    for (name, result) in stages {
        match result {
            Some(Ok(())) => eprintln!("xtask test: {name}: passed"),
            Some(Err(Fail(msg))) => eprintln!("xtask test: {name}: FAILED: {msg}"),
            None => eprintln!("xtask test: {name}: skipped (asked for)"),
        }
    }
    let failed = stages
        .iter()
        .filter(|(_, r)| matches!(r, Some(Err(_))))
        .count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Fail(format!("{failed} of {} stages failed", stages.len())))
    }
}

/// Mark every descriptor above standard error close-on-exec, so that no stage inherits what
/// the caller's shell left open. Some shells and their hosts (terminal multiplexers, editors,
/// remote runners) leak sockets and pipes into what they start; the tests count descriptors
/// (nsenter's `ioctl(N, SIOCGSKNS)` messages name them) and list namespaces held through them
/// (lsns shows a socket's network namespace), so a leaked socket of the host's network
/// namespace became a row of its own and shifted each number by one (seen in a Debian 12 run).
fn close_inherited_descriptors() {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: fcntl(F_SETFD) takes plain integers; on a descriptor already closed (the
        // directory's own) it fails with EBADF, which changes nothing.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
}
