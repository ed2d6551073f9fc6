//! `cargo xtask test`: the README's test command, the one `.ci/run` runs.
//!
//! It exists so that one failure does not hide the rest: a chain of commands joined by `&&`
//! stopped after the first failing stage (on Debian 13 a failure of the dynamic suite meant the
//! static suite never ran). Here the prerequisites come first (`deps`: without the Debian
//! packages and the oracle nothing can be compared, so a failure there ends the run), then
//! every stage runs whatever the previous one gave, and the end is one line per stage and one
//! exit status: 0 only when every stage passed.

use crate::{deps, static_build, Fail};

/// One stage's name and result.
type Stage = (&'static str, Result<(), Fail>);

/// Run the whole suite; `args` go to every `cargo test`.
pub fn main(args: &[String]) -> Result<(), Fail> {
    deps::main().map_err(|Fail(msg)| {
        Fail(format!(
            "{msg}\nxtask test: the prerequisites are missing, so no test ran"
        ))
    })?;
    let stages: Vec<Stage> = vec![
        ("the suite against the dynamic binaries", dynamic(args)),
        (
            "the suite against the static binaries",
            static_build::suite(args),
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
            Ok(()) => eprintln!("xtask test: {name}: passed"),
            Err(Fail(msg)) => eprintln!("xtask test: {name}: FAILED: {msg}"),
        }
    }
    let failed = stages.iter().filter(|(_, r)| r.is_err()).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Fail(format!("{failed} of {} stages failed", stages.len())))
    }
}
