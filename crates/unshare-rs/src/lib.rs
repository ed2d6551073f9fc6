//! `unshare-rs`: a drop-in replacement for util-linux 2.42 `unshare`.
//!
//! Data flows one way: [`options::parse`] turns the command line into [`options::Options`]
//! (acting on each option in command-line order, as util-linux does), [`act::run`] performs the
//! steps in util-linux's order and ends in an exec, and [`Stop`] carries how we end otherwise.
//! The option table that drives parsing, `--help` and [`doc`] is in [`cli`].

pub mod act;
pub mod cli;
mod doc;
pub mod options;

use std::ffi::OsString;

use std::io::Write;

use nscore::cmdline::{prog, report};
use nscore::exec::ExecError;
use nscore::Error;

pub use doc::doc;

/// How a run ends early: with an error to print (exit 1), an exec failure (126/127), or a
/// given status printed by someone else already (help, a helper's status).
#[derive(Debug)]
pub enum Stop {
    /// Print `PROG: MESSAGE` and exit 1.
    Fail(Error),
    /// Print `PROG: failed to execute ...` and exit 126 or 127.
    Exec(ExecError),
    /// Exit with this status, printing nothing.
    Code(i32),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Fail(e)
    }
}

impl Stop {
    /// Print what needs printing and give the exit status.
    pub fn report(self) -> i32 {
        match self {
            Stop::Fail(e) => {
                report(&e);
                1
            }
            Stop::Exec(e) => {
                // util-linux's err() leaves stderr in error when the message cannot be written
                // (`2>&-`, `2>/dev/full`), and close_stdout() then exits 1 instead of 126/127.
                if write_stderr(&format!("{}: {e}\n", prog())) {
                    e.exit_code()
                } else {
                    1
                }
            }
            Stop::Code(c) => c,
        }
    }
}

/// Write `text` to fd 2 and say whether it got there. Unlike `std::io::stderr()`, a closed fd 2
/// counts as a failure, as it does for C stdio.
fn write_stderr(text: &str) -> bool {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => std::fs::File::from(fd).write_all(text.as_bytes()).is_ok(),
        Err(_) => false,
    }
}

/// Run `unshare-rs` with `args` (including argv[0]); returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    let outcome = options::parse(rest).and_then(act::run);
    match outcome {
        Ok(code) => code,
        Err(stop) => stop.report(),
    }
}
