//! Replacing the process with a program, as util-linux's `exec_shell` and `execvp` paths do.
//!
//! A failed exec is worded `failed to execute PROG: <strerror>` and exits 127 when the program
//! was not found (ENOENT) and 126 otherwise. With no program, the user's shell is run as a login
//! shell (`argv[0]` = `-` + its basename), the shell chosen as util-linux 2.42 chooses it.
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, ChildStatus};
//! use nscore::exec::execvp;
//! use std::ffi::OsString;
//!
//! // execvp returns only when it failed, with util-linux's exit code: 127 for a missing program.
//! let missing = "nscore-no-such-program";
//! let err = execvp(missing.as_ref(), &[OsString::from(missing)]);
//! assert_eq!(err.exit_code(), 127);
//!
//! // On success it does not return: run it in a child.
//! let status = run_in_child(|| execvp("true".as_ref(), &[OsString::from("true")]).exit_code());
//! assert_eq!(status.unwrap(), ChildStatus::Exited(0));
//! ```

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use rustix::io::Errno;

use crate::error::SysErr;

/// A failed exec: the program as typed and the errno.
#[derive(Debug, thiserror::Error)]
#[error("failed to execute {}: {}", program.to_string_lossy(), SysErr(*errno))]
pub struct ExecError {
    /// The program that could not be run.
    pub program: OsString,
    /// Why.
    pub errno: Errno,
}

impl ExecError {
    /// Print `PROG: failed to execute PROGRAM: <strerror>` on stderr with the program's bytes as
    /// given (the `Display` form is for logs: it shows non-UTF-8 bytes as U+FFFD, C does not).
    pub fn report(&self) {
        let why = SysErr(self.errno).to_string();
        crate::cmdline::warn_bytes(&[
            b"failed to execute ",
            self.program.as_bytes(),
            b": ",
            why.as_bytes(),
        ]);
    }

    /// util-linux's exit status for this failure: 127 for "not found", 126 for anything else.
    pub fn exit_code(&self) -> i32 {
        if self.errno == Errno::NOENT {
            127
        } else {
            126
        }
    }
}

fn to_cstring(s: &OsStr) -> Result<CString, Errno> {
    CString::new(s.as_bytes()).map_err(|_| Errno::INVAL)
}

/// `execvp(3)`: run `program` (searched in `PATH` when it has no `/`) with `argv` (including
/// `argv[0]`), keeping the environment, open descriptors, signal mask and dispositions as they are.
/// Returns only on failure.
pub fn execvp(program: &OsStr, argv: &[OsString]) -> ExecError {
    exec_with(program, argv, true)
}

/// `execv(3)`: run `program` exactly as given (no `PATH` search, no `/bin/sh` fallback for a
/// file without `#!`), with `argv` (including `argv[0]`). Returns only on failure.
pub fn execv(program: &OsStr, argv: &[OsString]) -> ExecError {
    exec_with(program, argv, false)
}

fn exec_with(program: &OsStr, argv: &[OsString], search_path: bool) -> ExecError {
    let fail = |errno| ExecError {
        program: program.to_os_string(),
        errno,
    };
    let Ok(prog) = to_cstring(program) else {
        return fail(Errno::NOENT);
    };
    let mut cargs = Vec::with_capacity(argv.len());
    for a in argv {
        match to_cstring(a) {
            Ok(c) => cargs.push(c),
            Err(e) => return fail(e),
        }
    }
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // SAFETY: prog and every argv element are NUL-terminated C strings that outlive the call,
    // and the argv array is NULL-terminated.
    unsafe {
        if search_path {
            libc::execvp(prog.as_ptr(), ptrs.as_ptr());
        } else {
            libc::execv(prog.as_ptr(), ptrs.as_ptr());
        }
    }
    fail(Errno::from_raw_os_error(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOENT),
    ))
}

/// Run `args[0]` with `args`, or the login shell when `args` is empty.
pub fn exec_program_or_shell(args: &[OsString]) -> ExecError {
    match args.first() {
        Some(program) => execvp(program, args),
        None => {
            let shell = login_shell();
            let base = shell
                .as_bytes()
                .rsplit(|&b| b == b'/')
                .next()
                .unwrap_or_default();
            let mut arg0 = b"-".to_vec();
            arg0.extend_from_slice(base);
            // util-linux's exec_shell() uses execl(): the shell is not searched in PATH, and a
            // script without `#!` fails with ENOEXEC instead of being run by /bin/sh.
            execv(&shell, &[OsString::from_vec(arg0)])
        }
    }
}

/// The shell util-linux 2.42 picks: `$SHELL` if set and non-empty, else the login shell in the
/// passwd entry of the real uid, else `/bin/sh`.
pub fn login_shell() -> OsString {
    if let Some(s) = std::env::var_os("SHELL").filter(|s| !s.is_empty()) {
        return s;
    }
    let uid = rustix::process::getuid().as_raw();
    if let Some(pw) = crate::users::passwd_by_uid(uid).filter(|p| !p.shell.is_empty()) {
        return OsString::from(pw.shell);
    }
    OsString::from("/bin/sh")
}

/// `clearenv(3)`, then `setenv(name, value, 0)` for each pair in order: the process's whole
/// environment replaced (nsenter `-e`). Unlike `std::env::remove_var`, which panics on names it
/// cannot represent (`=x=y` in the environment we were started with, or an entry without `=`,
/// which std does not even list), `clearenv` drops every entry. The error is `setenv`'s
/// (EINVAL for an empty name or one with `=`), after the pairs before it were set.
///
/// Must run while the process is single-threaded: the C library's environment is not
/// thread-safe.
pub fn replace_environment(vars: &[(&[u8], &[u8])]) -> Result<(), Errno> {
    // SAFETY: nsenter calls this while single-threaded, so no other thread reads or writes the
    // environment during the call; clearenv only frees the C library's own array.
    unsafe { libc::clearenv() };
    for (name, value) in vars {
        let name = CString::new(*name).map_err(|_| Errno::INVAL)?;
        let value = CString::new(*value).map_err(|_| Errno::INVAL)?;
        // SAFETY: both pointers are NUL-terminated strings that live across the call, and the
        // process is single-threaded (see above); setenv copies them.
        if unsafe { libc::setenv(name.as_ptr(), value.as_ptr(), 0) } != 0 {
            return Err(Errno::from_raw_os_error(
                std::io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(libc::EINVAL),
            ));
        }
    }
    Ok(())
}
