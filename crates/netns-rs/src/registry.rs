//! The subcommands that change the registry: `add`, `attach` and `delete` (and `-all delete`),
//! under the run dir's lock, removing only what they created, with ip's messages.

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;

use nscore::error::Errno;
use nscore::hint::Cause;
use nscore::netns::{self, CreateStep, RunDir, RunDirStep};

use crate::ctx::{bytes, entry_bytes, read_dir_failed, Ctx, RUN_DIR};
use crate::output::{die, say, serr};
use crate::parse::get_i32;

/// `add NAME` (`create`) and `attach NAME PID`.
pub(crate) fn add(ctx: &mut Ctx, args: &[OsString], create: bool) -> i32 {
    let _ = ctx;
    let pid = if create {
        if args.is_empty() {
            say(&[b"No netns name specified"]);
            return 1;
        }
        None
    } else {
        if args.len() < 2 {
            say(&[b"No netns name and PID specified"]);
            return 1;
        }
        match get_i32(args[1].as_bytes()) {
            Some(p) if p != 0 => Some(p),
            _ => {
                say(&[b"Invalid PID: ", args[1].as_bytes()]);
                return 1;
            }
        }
    };
    let name = args[0].as_os_str();
    let path = netns::entry_path(name);
    let path_b = entry_bytes(name);
    if let Err(e) = netns::make_run_dir() {
        say(&[b"mkdir ", RUN_DIR, b" failed: ", &serr(e)]);
        return 1;
    }
    // Held until this add is done: see `netns::RunDirLock`.
    let setup = lock_run_dir().and_then(|lock| netns::share_run_dir(&lock).map(|()| lock));
    let _lock = match setup {
        Ok(lock) => lock,
        Err(failure) => {
            run_dir_failed(failure);
            return 1;
        }
    };
    let placeholder = match netns::create_placeholder(&path) {
        Ok(fd) => fd,
        Err(e) => {
            say(&[
                b"Cannot create namespace file \"",
                &path_b,
                b"\": ",
                &serr(e),
            ]);
            return 1;
        }
    };
    match pid {
        None => match netns::create(&placeholder) {
            Ok(()) => 0,
            Err((step, e)) => {
                let err = serr(e);
                match step {
                    CreateStep::Save => say(&[b"Cannot open init namespace: ", &err]),
                    CreateStep::Unshare => say(&[
                        b"Failed to create a new network namespace \"",
                        bytes(name),
                        b"\": ",
                        &err,
                    ]),
                    CreateStep::Bind => say(&[
                        b"Bind ",
                        netns::SELF_NET.as_bytes(),
                        b" -> ",
                        &path_b,
                        b" failed: ",
                        &err,
                    ]),
                    CreateStep::Restore => {
                        // ip exits here with the namespace bound under the name it reported
                        // as failed; netns-rs removes it first (the mount namespace is ours).
                        say(&[b"setns: ", &err]);
                        // Still inside the new namespace: that is what is bound there.
                        let bound = nscore::NsId::from_path(netns::SELF_NET).ok();
                        remove_placeholder(name, &placeholder, bound);
                        die(1);
                    }
                }
                remove_placeholder(name, &placeholder, None);
                1
            }
        },
        Some(pid) => {
            let source = netns::pid_net_path(pid);
            match netns::attach(&source, &placeholder) {
                Ok(()) => 0,
                Err(e) => {
                    say(&[
                        b"Bind ",
                        source.as_os_str().as_bytes(),
                        b" -> ",
                        &path_b,
                        b" failed: ",
                        &serr(e),
                    ]);
                    remove_placeholder(name, &placeholder, None);
                    1
                }
            }
        }
    }
}

/// Open the run dir and take its lock (ip's warning when `flock` itself fails).
fn lock_run_dir() -> Result<netns::RunDirLock, (RunDirStep, Errno)> {
    netns::lock_run_dir(&mut |e| {
        say(&[
            b"Warning: could not flock netns runtime directory \"",
            RUN_DIR,
            b"\": ",
            &serr(e),
        ]);
    })
}

/// ip's messages for a failed run-dir setup.
fn run_dir_failed((step, e): (RunDirStep, Errno)) {
    let e = serr(e);
    match step {
        RunDirStep::Open => say(&[
            b"Cannot open netns runtime directory \"",
            RUN_DIR,
            b"\": ",
            &e,
        ]),
        RunDirStep::MakeShared => say(&[b"mount --make-shared ", RUN_DIR, b" failed: ", &e]),
        RunDirStep::Bind => say(&[b"mount --bind ", RUN_DIR, b" ", RUN_DIR, b" failed: ", &e]),
        RunDirStep::MakePrivate => say(&[b"mount --make-private ", RUN_DIR, b" failed: ", &e]),
    }
}

/// Undo a failed add or attach: remove the placeholder this run created, and only that (ip's
/// message when the removal fails).
fn remove_placeholder(name: &OsStr, placeholder: &OwnedFd, bound: Option<nscore::NsId>) {
    if let Err(e) = netns::remove_placeholder(&netns::entry_path(name), placeholder, bound) {
        say(&[
            b"Cannot remove namespace file \"",
            &entry_bytes(name),
            b"\": ",
            &serr(e),
        ]);
    }
}

/// ip's `on_netns_del`, without following a symlinked name into its target's mount.
fn remove_entry(name: &OsStr) -> i32 {
    match netns::remove(&netns::entry_path(name), false) {
        Ok(()) => 0,
        Err(e) => {
            say(&[
                b"Cannot remove namespace file \"",
                &entry_bytes(name),
                b"\": ",
                &serr(e),
            ]);
            if e == Errno::BUSY && nscore::hint::stderr_is_terminal() {
                nscore::hint::show(Cause::NetnsBusy, &holders(name));
            }
            1
        }
    }
}

/// Who holds a name that could not be removed: the processes in the namespace still mounted
/// there (the `pids` logic), or that only a mount does.
fn holders(name: &OsStr) -> String {
    let pids = netns::open_path(&netns::entry_path(name))
        .ok()
        .and_then(|fd| nscore::NsId::from_fd(&fd).ok())
        .and_then(|id| netns::pids_in(id).ok())
        .unwrap_or_default();
    if pids.is_empty() {
        return "no process (another mount of it remains)".to_string();
    }
    const SHOWN: usize = 8;
    let words: Vec<String> = pids
        .iter()
        .take(SHOWN)
        .map(|p| format!("PID {p}"))
        .collect();
    let mut text = words.join(", ");
    if pids.len() > SHOWN {
        text.push_str(&format!(" and {} more", pids.len() - SHOWN));
    }
    text
}

/// Call `f` for each run-dir entry until it returns non-zero (ip's `netns_foreach`); 1 when the
/// dir exists but cannot be read, and (unlike ip, which exits 0) 1 when `f` failed.
pub(crate) fn for_each_name(mut f: impl FnMut(&OsStr) -> i32) -> i32 {
    let dir = match RunDir::open() {
        Ok(d) => d,
        Err(Errno::NOENT) => return 0,
        Err(e) => {
            say(&[b"Failed to open directory ", RUN_DIR, b": ", &serr(e)]);
            return 1;
        }
    };
    let names = match dir.names() {
        Ok(n) => n,
        Err(e) => {
            read_dir_failed(e);
            return 1;
        }
    };
    for name in names {
        if f(&name) != 0 {
            return 1;
        }
    }
    0
}

pub(crate) fn delete(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    // Held until this delete is done (see `netns::RunDirLock`); no run dir, nothing to lock.
    let _lock = if RunDir::open().is_ok() {
        netns::lock_run_dir(&mut |_| {}).ok()
    } else {
        None
    };
    if ctx.all {
        return for_each_name(remove_entry);
    }
    match args.first() {
        None => {
            say(&[b"No netns name specified"]);
            1
        }
        Some(name) => remove_entry(name),
    }
}
