//! `unshare-rs`: a drop-in replacement for util-linux 2.42 `unshare`.
//!
//! Data flows one way: [`options::parse`] turns the command line into [`options::Options`]
//! (acting on each option in command-line order, as util-linux does), [`act::run`] performs the
//! steps in util-linux's order and ends in an exec, and [`Stop`] carries how we end otherwise.
//! The option table that drives parsing, `--help` and [`doc`] is in [`cli`]; `hints` picks the
//! terminal-only hint line that follows a failure.

pub mod act;
pub mod cli;
mod doc;
mod hints;
pub mod options;

use std::ffi::OsString;

use nscore::cmdline::report;
use nscore::exec::ExecError;
use nscore::hint::Cause;
use nscore::Error;

pub use doc::doc;

/// How a run ends early: with an error to print (exit 1), an exec failure (126/127), or a
/// given status printed by someone else already (help, a helper's status); any of them may be
/// followed by a hint line on a terminal ([`nscore::hint`]).
#[derive(Debug)]
pub enum Stop {
    /// Print `PROG: MESSAGE` and exit 1.
    Fail(Error),
    /// Print `PROG: failed to execute ...` and exit 126 or 127.
    Exec(ExecError),
    /// Exit with this status, printing nothing.
    Code(i32),
    /// Stop as the inner [`Stop`] does, then, on a terminal only, print the hint line for this
    /// cause (with its detail).
    Hinted(Box<Stop>, Cause, String),
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
                // When the message cannot be written (`2>&-`, `2>/dev/full`), nscore's exit
                // turns 126/127 into 1, as util-linux's close_stdout does.
                e.report();
                e.exit_code()
            }
            Stop::Code(c) => c,
            Stop::Hinted(stop, cause, detail) => {
                let code = stop.report();
                nscore::hint::show(cause, &detail);
                code
            }
        }
    }

    /// This stop followed by the hint for `cause` on a terminal.
    pub fn hinted(self, cause: Cause, detail: impl Into<String>) -> Stop {
        Stop::Hinted(Box::new(self), cause, detail.into())
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
