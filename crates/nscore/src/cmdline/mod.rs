//! Command-line plumbing shared by the four binaries: the program entry point, the program name
//! used in messages, error reporting, and a table-driven getopt clone ([`getopt`]) whose option
//! tables also drive `--help` ([`help`]), the man pages and the shell completions.
//!
//! Why not clap: util-linux parses with glibc `getopt_long`, and a drop-in must reproduce its
//! quirks to the byte (the `+` stop-at-first-operand mode, optional arguments only when attached,
//! unambiguous prefixes of long options, and glibc's own error messages with exit status 1).
//! docs/DESIGN.md records the spike that led here.
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::{prog, set_argv0};
//!
//! set_argv0("/usr/local/bin/unshare".as_ref());
//! assert_eq!(prog(), "unshare"); // messages start `unshare: `
//! ```

pub mod doc;
pub mod getopt;
pub mod help;
pub mod num;
pub mod out;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::OnceLock;

static PROG: OnceLock<String> = OnceLock::new();
static ARGV0: OnceLock<OsString> = OnceLock::new();

/// The name messages start with: the basename of `argv[0]`, as util-linux's
/// `program_invocation_short_name`. `"nsutils"` before [`set_argv0`] was called.
pub fn prog() -> &'static str {
    PROG.get().map(String::as_str).unwrap_or("nsutils")
}

/// `argv[0]` exactly as typed; glibc's getopt messages start with it (`./unshare: invalid option`).
pub fn argv0() -> &'static OsStr {
    ARGV0
        .get()
        .map(OsString::as_os_str)
        .unwrap_or(OsStr::new("nsutils"))
}

/// Record `argv[0]`. The first call wins; later calls are ignored.
pub fn set_argv0(arg0: &OsStr) {
    let base = arg0
        .as_bytes()
        .rsplit(|&b| b == b'/')
        .next()
        .unwrap_or_default();
    let _ = PROG.set(String::from_utf8_lossy(base).into_owned());
    let _ = ARGV0.set(arg0.to_os_string());
}

static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Write bytes to stderr (fd 2, unbuffered as in C). A failed write (stderr closed or full) is
/// remembered: [`exit`] then ends with status 1, as util-linux's `close_stdout` does.
pub fn write_stderr(bytes: &[u8]) {
    if out::write_all_fd(2, bytes).is_err() {
        STDERR_FAILED.store(true, AtomicOrdering::Relaxed);
    }
}

/// Print `PROG: MESSAGE` on stderr, as util-linux's `warnx`/`errx` do.
pub fn warn(message: impl std::fmt::Display) {
    write_stderr(format!("{}: {}\n", prog(), message).as_bytes());
}

/// Print `PROG: ` and the concatenated `parts` on stderr, byte for byte: for messages that quote
/// a command-line word or a path, which C prints as the bytes it got (not as UTF-8).
pub fn warn_bytes(parts: &[&[u8]]) {
    let mut line =
        Vec::with_capacity(prog().len() + 3 + parts.iter().map(|p| p.len()).sum::<usize>());
    line.extend_from_slice(prog().as_bytes());
    line.extend_from_slice(b": ");
    for p in parts {
        line.extend_from_slice(p);
    }
    line.push(b'\n');
    write_stderr(&line);
}

/// Report a command-line error as util-linux does: glibc's message (starting with `argv[0]` as
/// typed), then [`try_help`]. The caller exits 1.
pub fn getopt_error(e: &getopt::GetoptError) {
    write_stderr(&e.line(argv0()));
    try_help();
}

/// Print an nscore error as `PROG: MESSAGE` on stderr.
pub fn report(err: &crate::Error) {
    warn(err);
}

/// The `Try 'PROG --help' for more information.` line util-linux prints after a usage error.
pub fn try_help() {
    write_stderr(format!("Try '{} --help' for more information.\n", prog()).as_bytes());
}

/// Define a tool binary's entry point: `#![no_main]` in `main.rs`, then
/// `nscore::tool_main!(my_tool::run);`.
///
/// The C library calls this `main` directly, so the Rust runtime's start-up does not run: it
/// would read `/proc/self/maps` (to place a stack guard) and set SIGPIPE to "ignored". Skipping it
/// makes start-up cheaper (these tools are exec'd once per container start, see
/// docs/BENCHMARKS.md) and, above all, leaves every signal disposition as our caller set it, so
/// `lsns-rs | head -1` dies quietly of SIGPIPE and a program we exec inherits exactly what the
/// C tools would pass on. `std::env::args_os` still works: on glibc, std records argv from an
/// `.init_array` hook, not from its runtime start-up.
#[macro_export]
macro_rules! tool_main {
    ($run:path) => {
        /// The process entry point, called by the C library's start-up code.
        #[no_mangle]
        pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
            $crate::cmdline::main_with($run)
        }
    };
}

/// The body of a binary's `main` (see [`tool_main!`]): record `argv[0]`, run the tool, flush
/// stdout and exit with the tool's status. A failed flush of stdout (a full disk) exits 1 with a
/// message, as util-linux's `close_stdout` does.
pub fn main_with(run: fn(Vec<OsString>) -> i32) -> ! {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(a0) = args.first() {
        set_argv0(a0);
    }
    let code = run(args);
    exit(code)
}

/// Print `PROG from nsutils VERSION`, the `--version` line of every tool (util-linux prints
/// `PROG from util-linux VERSION`).
pub fn print_version() {
    out::write_str(&version_line());
}

/// The `--version` line, newline included.
pub fn version_line() -> String {
    format!("{} from nsutils {}\n", prog(), env!("CARGO_PKG_VERSION"))
}

/// Flush stdout ([`out`]) and exit with `code`, reporting a failed write as util-linux does.
pub fn exit(code: i32) -> ! {
    let code = out::finish(code);
    if STDERR_FAILED.load(AtomicOrdering::Relaxed) {
        std::process::exit(1)
    }
    std::process::exit(code)
}
