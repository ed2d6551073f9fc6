//! The subcommands (iproute2 `do_netns`): the name check, prefix dispatch, and the subcommands
//! that neither list ([`crate::listing`]) nor change the registry ([`crate::registry`]): `set`,
//! `identify`, `pids`, `exec` and `monitor`, acting through `nscore::netns` / `nscore::nsid`
//! and reporting as ip does.
//!
//! Each function returns what ip's `do_cmd` returns: 0, 1 (handler returned -1), 2 (netlink
//! error) or a program's exit status. ip's `exit(-1)` paths (usage, invalid argument, invalid
//! name) end the process with 255 on the spot, even in batch mode, as ip's do.

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use nscore::create::{ChildStatus, Forked};
use nscore::error::Errno;
use nscore::hint::Cause;
use nscore::netns::{self, MonitorEvent, MonitorStep, RunDir, SwitchStep};

use crate::ctx::{bytes, invarg, netlink_error, read_dir_failed, stale_hint, Ctx, RUN_DIR};
use crate::listing::{list, list_id, NS_ID_KEY};
use crate::opts::{find_sub, Sub};
use crate::output::{die, flush_out, out, say, serr, JVal, JsonList};
use crate::parse::{get_i32, is_pid};
use crate::registry::{add, delete, for_each_name};

/// `ip netns ARGS`: the name check, then the subcommand.
pub fn do_netns(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    let Some(first) = args.first() else {
        return list(ctx);
    };
    if !ctx.all {
        if let Some(name) = args.get(1) {
            if netns::invalid_name(name.as_bytes()) {
                say(&[b"Invalid netns name \"", bytes(name), b"\""]);
                die(255);
            }
        }
    }
    let rest = &args[1..];
    match find_sub(first.as_bytes()) {
        Some(Sub::List) => list(ctx),
        Some(Sub::ListId) => list_id(ctx, rest),
        Some(Sub::Help) => crate::help::print_subcommand_usage_and_die(),
        Some(Sub::Add) => add(ctx, rest, true),
        Some(Sub::Set) => set(ctx, rest),
        Some(Sub::Delete) => delete(ctx, rest),
        Some(Sub::Identify) => identify(ctx, rest),
        Some(Sub::Pids) => pids(ctx, rest),
        Some(Sub::Exec) => exec(ctx, rest),
        Some(Sub::Monitor) => monitor(),
        Some(Sub::Attach) => add(ctx, rest, false),
        None => {
            say(&[
                b"Command \"",
                bytes(first),
                b"\" is unknown, try \"ip netns help\".",
            ]);
            die(255)
        }
    }
}

fn set(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    if args.is_empty() {
        say(&[b"No netns name specified"]);
        return 1;
    }
    if args.len() < 2 {
        say(&[b"No nsid specified"]);
        return 1;
    }
    let word = args[1].as_bytes();
    let nsid = if word == b"auto" {
        None
    } else {
        match get_i32(word) {
            None => invarg(b"Invalid \"netnsid\" value", word),
            Some(n) if n < 0 => invarg(b"\"netnsid\" value should be >= 0", word),
            Some(n) => Some(n),
        }
    };
    // iproute2 >= 6.4: a name that cannot be opened fails silently.
    let Ok(fd) = netns::open_name_or_path(&args[0]) else {
        return 1;
    };
    match ctx.strict().set(&fd, nsid) {
        Ok(()) => 0,
        Err(e) => {
            netlink_error(&e);
            2
        }
    }
}

/// The identity of an opened network namespace file, with ip's messages (and status 1) when
/// the open or the stat failed — what `identify` and `pids` both start with.
fn netns_identity(opened: Result<OwnedFd, Errno>) -> Result<nscore::NsId, i32> {
    let fd = opened.map_err(|e| {
        say(&[b"Cannot open network namespace: ", &serr(e)]);
        1
    })?;
    nscore::NsId::from_fd(&fd).map_err(|e| {
        say(&[
            b"Stat of netns failed: ",
            &serr(e.errno().unwrap_or(Errno::IO)),
        ]);
        1
    })
}

fn open_proc_net(pid: &[u8]) -> Result<OwnedFd, Errno> {
    let mut p = b"/proc/".to_vec();
    p.extend_from_slice(pid);
    p.extend_from_slice(b"/ns/net");
    netns::open_path(Path::new(OsStr::from_bytes(&p)))
}

fn identify(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    if args.len() > 1 {
        say(&[b"extra arguments specified"]);
        return 1;
    }
    let pid: &[u8] = match args.first() {
        None => b"self",
        Some(p) => {
            if !is_pid(p.as_bytes()) {
                say(&[b"Specified string '", p.as_bytes(), b"' is not a pid"]);
                return 1;
            }
            p.as_bytes()
        }
    };
    let opened = open_proc_net(pid);
    let ns_id = opened
        .as_ref()
        .ok()
        .and_then(|fd| nscore::nsfs::ns_id(fd).ok());
    let id = match netns_identity(opened) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let mut found: Option<OsString> = None;
    match RunDir::open() {
        Ok(dir) => {
            let names = match dir.names() {
                Ok(n) => n,
                Err(e) => {
                    // ip stops reading silently and prints no name, exit 0.
                    read_dir_failed(e);
                    return 1;
                }
            };
            for name in names {
                if dir.entry_id(&name).is_ok_and(|e| e == id) {
                    found = Some(name);
                }
            }
        }
        Err(Errno::NOENT) => {}
        Err(e) => {
            say(&[b"Failed to open directory ", RUN_DIR, b":", &serr(e)]);
            return 1;
        }
    }
    if ctx.json {
        let mut j = JsonList::begin(ctx.pretty);
        if let Some(n) = &found {
            j.open_object();
            j.member("name", &JVal::Str(bytes(n)));
            if let Some(ns_id) = ns_id {
                j.member(NS_ID_KEY, &JVal::Uint(ns_id));
            }
            j.close_object();
        }
        j.end();
    } else {
        out(found.as_deref().map(bytes).unwrap_or_default());
        out(b"\n");
    }
    0
}

fn pids(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    if args.is_empty() {
        say(&[b"No netns name specified"]);
        return 1;
    }
    if args.len() > 1 {
        say(&[b"extra arguments specified"]);
        return 1;
    }
    let id = match netns_identity(netns::open_path(&netns::entry_path(&args[0]))) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let list = match netns::pids_in(id) {
        Ok(l) => l,
        Err(e) => {
            say(&[
                b"Open of /proc/ failed: ",
                &serr(e.errno().unwrap_or(Errno::IO)),
            ]);
            return 1;
        }
    };
    if ctx.json {
        let mut j = JsonList::begin(ctx.pretty);
        for pid in list {
            j.object(&[("pid", JVal::Int(pid.into()))]);
        }
        j.end();
    } else {
        let mut text = Vec::new();
        for pid in list {
            text.extend_from_slice(format!("{pid}\n").as_bytes());
        }
        out(&text);
    }
    0
}

/// ip's `netns_switch` with its messages; `false` when it failed (already reported).
pub fn switch(name: &OsStr) -> bool {
    let result = netns::switch(name, &mut |source, target, e| {
        say(&[
            b"Bind ",
            source.as_os_str().as_bytes(),
            b" -> ",
            target.as_os_str().as_bytes(),
            b" failed: ",
            &serr(e),
        ]);
    });
    let Err((step, e)) = result else {
        return true;
    };
    let err = serr(e);
    match step {
        SwitchStep::Open => say(&[
            b"Cannot open network namespace \"",
            bytes(name),
            b"\": ",
            &err,
        ]),
        SwitchStep::Setns => {
            say(&[
                b"setting the network namespace \"",
                bytes(name),
                b"\" failed: ",
                &err,
            ]);
            if e == Errno::INVAL
                && netns::open_path(&netns::entry_path(name))
                    .is_ok_and(|fd| netns::is_stale_placeholder(&fd))
            {
                stale_hint(name);
            }
        }
        SwitchStep::Unshare => say(&[b"unshare failed: ", &err]),
        SwitchStep::Rslave => say(&[b"\"mount --make-rslave /\" failed: ", &err]),
        SwitchStep::MountSys => {
            say(&[b"mount of /sys failed: ", &err]);
            if e == Errno::PERM {
                nscore::hint::show(Cause::NetnsSysRemountRefused, "");
            }
        }
    }
    false
}

/// Replace this process with `cmd` (execvp); on failure report as ip does and return.
fn exec_program(cmd: &[OsString]) {
    flush_out();
    let err = nscore::exec::execvp(&cmd[0], cmd);
    say(&[
        b"exec of \"",
        bytes(&cmd[0]),
        b"\" failed: ",
        &serr(err.errno),
    ]);
}

/// ip's `cmd_exec` with forking: the child switches and execs, the parent waits. The child's
/// exit status, or ip's exit(1) when it was killed by a signal.
fn fork_exec(name: &OsStr, cmd: &[OsString]) -> i32 {
    flush_out();
    match nscore::create::fork() {
        Err(e) => {
            say(&[b"fork: ", &serr(e.errno().unwrap_or(Errno::IO))]);
            die(1)
        }
        Ok(Forked::Child) => {
            if switch(name) {
                exec_program(cmd);
            }
            nscore::create::exit_child(1)
        }
        Ok(Forked::Parent(pid)) => match nscore::create::wait_or_kill(pid, false) {
            Ok(ChildStatus::Exited(code)) => code,
            Ok(_) => die(1),
            Err(e) => {
                say(&[b"waitpid: ", &serr(e.errno().unwrap_or(Errno::IO))]);
                die(1)
            }
        },
    }
}

fn exec(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    if args.is_empty() && !ctx.all {
        say(&[b"No netns name specified"]);
        return 1;
    }
    if (args.len() < 2 && !ctx.all) || (args.is_empty() && ctx.all) {
        say(&[b"No command specified"]);
        return 1;
    }
    if ctx.all {
        return for_each_name(|name| {
            out(b"\nnetns: ");
            out(bytes(name));
            out(b"\n");
            fork_exec(name, args);
            0
        });
    }
    let name = &args[0];
    let cmd = &args[1..];
    if ctx.batch {
        return fork_exec(name, cmd);
    }
    if !switch(name) {
        die(255);
    }
    exec_program(cmd);
    die(1)
}

fn monitor() -> i32 {
    let mut mon = match netns::Monitor::start() {
        Ok(m) => m,
        Err((step, e)) => {
            let err = serr(e);
            match step {
                MonitorStep::Init => say(&[b"inotify_init failed: ", &err]),
                MonitorStep::Mkdir => say(&[b"mkdir ", RUN_DIR, b" failed: ", &err]),
                MonitorStep::Watch => say(&[b"inotify_add_watch failed: ", &err]),
            }
            return 1;
        }
    };
    loop {
        let events = match mon.next_events() {
            Ok(ev) => ev,
            Err(e) => {
                say(&[b"read failed: ", &serr(e)]);
                return 1;
            }
        };
        for ev in events {
            let (word, name): (&[u8], OsString) = match ev {
                MonitorEvent::Add(n) => (b"add ", n),
                MonitorEvent::Delete(n) => (b"delete ", n),
            };
            let mut line = word.to_vec();
            line.extend_from_slice(&name.into_vec());
            line.push(b'\n');
            out(&line);
            // Each event reaches a pipe or a file as it happens (ip waits for 4 KiB).
            flush_out();
            if crate::output::stdout_failed() {
                // Nobody hears the events any more (ip would go on; the exit status says it).
                return 0;
            }
        }
    }
}
