//! The subcommands (iproute2 `do_netns`): the name check, prefix dispatch, and one function per
//! subcommand that acts through `nscore::netns` / `nscore::nsid` and reports as ip does.
//!
//! Each function returns what ip's `do_cmd` returns: 0, 1 (handler returned -1), 2 (netlink
//! error) or a program's exit status. ip's `exit(-1)` paths (usage, invalid argument, invalid
//! name) end the process with 255 on the spot, even in batch mode, as ip's do.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use nscore::create::{ChildStatus, Forked};
use nscore::error::Errno;
use nscore::hint::Cause;
use nscore::netns::{self, CreateStep, MonitorEvent, MonitorStep, RunDir, RunDirStep, SwitchStep};
use nscore::nsid::{NetlinkError, NsidEntry, NsidSocket};

use crate::cli::{find_sub, Sub};
use crate::output::{die, flush_out, out, say, serr, JVal, JsonList};
use crate::parse::{get_i32, is_pid};

const RUN_DIR: &[u8] = netns::RUN_DIR.as_bytes();

/// State that lives as long as the process (in batch mode: across lines), as ip's statics do.
pub struct Ctx {
    /// `-all`.
    pub all: bool,
    /// `-json`.
    pub json: bool,
    /// `-pretty`.
    pub pretty: bool,
    /// Running a batch: `exec` forks and waits instead of replacing the process.
    pub batch: bool,
    /// The name → nsid cache ip builds once per process (`netns_map_init`); `None` until built.
    map: Option<Vec<(OsString, i32)>>,
    /// The non-strict socket for per-name queries (ip's `rtnsh`).
    getter: Option<NsidSocket>,
    /// The socket for dumps and `set` (ip's `rth`).
    strict: Option<NsidSocket>,
    /// The netlink socket failed and that was said (once per process).
    netlink_lost: bool,
    /// Names whose stale-placeholder hint was shown.
    hinted: Vec<OsString>,
    /// This command lost part of its answer (a run dir it could not read, a lost socket).
    partial: bool,
}

impl Ctx {
    /// A context for the given global options.
    pub fn new(all: bool, json: bool, pretty: bool, batch: bool) -> Ctx {
        Ctx {
            all,
            json,
            pretty,
            batch,
            map: None,
            getter: None,
            strict: None,
            netlink_lost: false,
            hinted: Vec::new(),
            partial: false,
        }
    }

    fn getter(&mut self) -> &mut NsidSocket {
        self.getter.get_or_insert_with(|| open_socket(false))
    }

    /// ip's main socket: strict checking, except in batch mode, where ip opens it without
    /// (so the kernel ignores `target-nsid` in dumps there).
    fn strict(&mut self) -> &mut NsidSocket {
        let strict = !self.batch;
        self.strict.get_or_insert_with(|| open_socket(strict))
    }
}

fn open_socket(strict: bool) -> NsidSocket {
    match NsidSocket::open(strict) {
        Ok(s) => s,
        Err(_) => {
            say(&[b"Cannot open rtnetlink"]);
            die(1)
        }
    }
}

fn bytes(s: &OsStr) -> &[u8] {
    s.as_bytes()
}

fn entry_bytes(name: &OsStr) -> Vec<u8> {
    let mut p = RUN_DIR.to_vec();
    p.push(b'/');
    p.extend_from_slice(name.as_bytes());
    p
}

fn netlink_error(e: &NetlinkError) {
    say(&[e.to_string().as_bytes()]);
}

/// On a terminal only: the hint that `name` is a placeholder whose namespace is gone.
fn stale_hint(name: &OsStr) {
    let path = String::from_utf8_lossy(&entry_bytes(name)).into_owned();
    nscore::hint::show(Cause::NetnsStalePlaceholder, &format!("\"{path}\""));
}

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

/// The answer for one run-dir entry: its nsid, or why there is none.
enum IdAnswer {
    /// The nsid, if the current namespace assigned one.
    Id(Option<i32>),
    /// The file could not be opened (ip stays silent).
    NoFile,
    /// The kernel refused it (printed as ip prints it); `true` for a stale placeholder, which
    /// also gets a hint on a terminal.
    Err(NetlinkError, bool),
    /// The netlink socket itself failed: said once per process, and the command fails.
    Lost(NetlinkError),
}

impl IdAnswer {
    fn id(&self) -> Option<i32> {
        match self {
            IdAnswer::Id(id) => *id,
            _ => None,
        }
    }
}

/// One run-dir entry as `list` and the name cache see it.
struct Entry {
    name: OsString,
    answer: IdAnswer,
    /// The namespace's ID (`NS_GET_ID`, Linux 6.18), when the file is a namespace.
    ns_id: Option<u64>,
}

/// Why the run dir's entries are missing.
enum DirFail {
    /// There is no run dir: no names, not an error.
    Missing,
    /// It could not be opened or read (already reported).
    Failed,
}

impl Ctx {
    /// Whether reporting `answer` prints anything now.
    fn reports(&self, answer: &IdAnswer) -> bool {
        match answer {
            IdAnswer::Err(..) => true,
            IdAnswer::Lost(_) => !self.netlink_lost,
            _ => false,
        }
    }

    /// Print what ip prints for `answer` (a lost socket once per process); a stale placeholder
    /// also gets its hint on a terminal, once per name.
    fn report(&mut self, name: &OsStr, answer: &IdAnswer) {
        match answer {
            IdAnswer::Err(e, stale) => {
                netlink_error(e);
                if *stale && !self.hinted.iter().any(|n| n == name) {
                    self.hinted.push(name.to_os_string());
                    stale_hint(name);
                }
            }
            IdAnswer::Lost(e) if !self.netlink_lost => {
                self.netlink_lost = true;
                netlink_error(e);
            }
            _ => {}
        }
    }
}

/// The run dir's names and each one's nsid, asking the kernel once per name over one socket
/// (ip asks twice). A run dir that cannot be opened (other than missing) or read is reported
/// here (ip stays silent and exits 0 with nothing listed).
/// With `ns_ids`, each namespace's ID (`NS_GET_ID`) too.
fn names_and_ids(ctx: &mut Ctx, ns_ids: bool) -> Result<Vec<Entry>, DirFail> {
    // Files are opened a batch at a time, so a run dir with more names than the fd limit
    // (1,024 by default) still works.
    const BATCH: usize = 64;
    let dir = match RunDir::open() {
        Ok(d) => d,
        Err(Errno::NOENT) => return Err(DirFail::Missing),
        Err(e) => {
            say(&[b"Failed to open directory ", RUN_DIR, b": ", &serr(e)]);
            return Err(DirFail::Failed);
        }
    };
    let names = dir.names().map_err(|e| {
        read_dir_failed(e);
        DirFail::Failed
    })?;
    let mut out = Vec::with_capacity(names.len());
    let mut names = names.into_iter().peekable();
    while names.peek().is_some() {
        let chunk: Vec<OsString> = names.by_ref().take(BATCH).collect();
        let fds: Vec<Option<OwnedFd>> = chunk
            .iter()
            .map(|n| match dir.open_entry(n) {
                Ok(fd) => Some(fd),
                Err(e) => {
                    // ip skips any entry it cannot open; one that vanished or is forbidden is
                    // skipped here too, but a fault (out of descriptors or memory, I/O) would
                    // cost the entry its id without a word: say so, and fail the command.
                    if is_fault(e) {
                        say(&[
                            b"Cannot open network namespace \"",
                            bytes(n),
                            b"\": ",
                            &serr(e),
                        ]);
                        ctx.partial = true;
                    }
                    None
                }
            })
            .collect();
        let open: Vec<BorrowedFd<'_>> = fds.iter().flatten().map(|f| f.as_fd()).collect();
        let mut answers = ctx.getter().get_by_fds(&open).into_iter();
        for (name, fd) in chunk.into_iter().zip(&fds) {
            let answer = match fd {
                None => IdAnswer::NoFile,
                Some(fd) => match answers.next() {
                    Some(Ok(id)) => IdAnswer::Id(id),
                    Some(Err(e)) if e.local => IdAnswer::Lost(e),
                    Some(Err(e)) => {
                        let stale = e.errno == Errno::INVAL && netns::is_stale_placeholder(fd);
                        IdAnswer::Err(e, stale)
                    }
                    None => IdAnswer::Id(None),
                },
            };
            let ns_id = match fd {
                Some(fd) if ns_ids => match nscore::nsfs::ns_id(fd) {
                    Ok(id) => Some(id),
                    // Not a namespace, or a kernel before 6.18: no key.
                    Err(nscore::Error::IoctlUnsupported { .. }) => None,
                    Err(e) => {
                        let e = e.errno().unwrap_or(Errno::IO);
                        say(&[
                            b"NS_GET_ID of \"",
                            &entry_bytes(&name),
                            b"\" failed: ",
                            &serr(e),
                        ]);
                        ctx.partial = true;
                        None
                    }
                },
                _ => None,
            };
            out.push(Entry {
                name,
                answer,
                ns_id,
            });
        }
    }
    Ok(out)
}

/// ip's `netns_map_init`: once per process, name → nsid for every entry (first name wins per
/// nsid), reporting entries the kernel refuses. `false` when the run dir could not be read.
fn map_init(ctx: &mut Ctx, known: Option<&[Entry]>) -> bool {
    if ctx.map.is_some() {
        return true;
    }
    let fetched;
    let entries = match known {
        Some(k) => k,
        None => match names_and_ids(ctx, false) {
            Ok(v) => {
                fetched = v;
                &fetched[..]
            }
            Err(DirFail::Missing) => return true,
            Err(DirFail::Failed) => return false,
        },
    };
    let mut map: Vec<(OsString, i32)> = Vec::new();
    for e in entries {
        ctx.partial |= matches!(e.answer, IdAnswer::Lost(_));
        ctx.report(&e.name, &e.answer);
        if let Some(id) = e.answer.id() {
            if !map.iter().any(|(_, i)| *i == id) {
                map.push((e.name.clone(), id));
            }
        }
    }
    ctx.map = Some(map);
    true
}

fn list(ctx: &mut Ctx) -> i32 {
    ctx.partial = false;
    let entries = match names_and_ids(ctx, ctx.json) {
        Ok(e) => e,
        Err(DirFail::Missing) => return 0,
        Err(DirFail::Failed) => return 1,
    };
    map_init(ctx, Some(&entries));
    let mut json = ctx.json.then(|| JsonList::begin(ctx.pretty));
    let mut text = Vec::new();
    let mut lost = false;
    for e in &entries {
        let name = &e.name;
        // ip prints the name, then asks for the id (printing any error), then the id: what is
        // printed before the error goes out first (a terminal shows it first).
        match &mut json {
            Some(j) => {
                j.open_object();
                j.member("name", &JVal::Str(bytes(name)));
            }
            None => text.extend_from_slice(bytes(name)),
        }
        lost |= matches!(e.answer, IdAnswer::Lost(_));
        if ctx.reports(&e.answer) {
            match &mut json {
                Some(j) => j.emit(),
                None => out(&std::mem::take(&mut text)),
            }
            ctx.report(name, &e.answer);
        }
        let id = e.answer.id();
        match &mut json {
            Some(j) => {
                if let Some(id) = id {
                    j.member("id", &JVal::Int(id.into()));
                }
                if let Some(ns_id) = e.ns_id {
                    j.member(NS_ID_KEY, &JVal::Uint(ns_id));
                }
                j.close_object();
            }
            None => {
                if let Some(id) = id {
                    text.extend_from_slice(format!(" (id: {id})").as_bytes());
                }
                text.push(b'\n');
            }
        }
    }
    match json {
        Some(j) => j.end(),
        None => out(&text),
    }
    // Names without their ids are a partial answer (ip exits 0).
    i32::from(lost | std::mem::take(&mut ctx.partial))
}

/// The JSON key of a namespace's ID (`NS_GET_ID`) in `list -j` and `identify -j`: an extra key
/// ip does not print (its `id` is the nsid), for `nsenter-rs --net=:ID`.
pub const NS_ID_KEY: &str = "ns_id";

fn invarg(msg: &[u8], arg: &[u8]) -> ! {
    say(&[b"Error: argument \"", arg, b"\" is wrong: ", msg]);
    die(255)
}

fn list_id(ctx: &mut Ctx, args: &[OsString]) -> i32 {
    ctx.partial = false;
    if !map_init(ctx, None) {
        ctx.partial = true;
    }
    let mut target: Option<i32> = None;
    let mut nsid: Option<i32> = None;
    let mut i = 0;
    while i < args.len() {
        let word = args[i].as_bytes();
        let (slot, key): (&mut Option<i32>, &[u8]) = match word {
            b"target-nsid" => (&mut target, b"target-nsid"),
            b"nsid" => (&mut nsid, b"nsid"),
            _ => crate::help::print_subcommand_usage_and_die(),
        };
        if slot.is_some() {
            say(&[
                b"Error: duplicate \"",
                key,
                b"\": \"",
                word,
                b"\" is the second value.",
            ]);
            die(255);
        }
        i += 1;
        let Some(value) = args.get(i) else {
            say(&[b"Command line is not complete. Try option \"help\""]);
            die(255);
        };
        match get_i32(value.as_bytes()) {
            None => {
                let msg = [b"\"", key, b"\" value is invalid"].concat();
                invarg(&msg, value.as_bytes());
            }
            Some(v) if v < 0 => {
                // ip names the word after the value here (usually past argv's end: "(null)").
                let next = args.get(i + 1).map(|a| a.as_bytes()).unwrap_or(b"(null)");
                let msg = [b"\"", key, b"\" value should be >= 0"].concat();
                invarg(&msg, next);
            }
            Some(v) => *slot = Some(v),
        }
        i += 1;
    }
    let mut json = ctx.json.then(|| JsonList::begin(ctx.pretty));
    let mut text = Vec::new();
    if let Some(n) = nsid {
        match ctx.getter().get_by_nsid(n, target) {
            Ok(entry) => print_nsid(ctx, &entry, &mut json, &mut text),
            Err(e) => {
                netlink_error(&e);
                return 2;
            }
        }
    } else {
        match ctx.strict().dump(target) {
            Ok(entries) => {
                for entry in &entries {
                    print_nsid(ctx, entry, &mut json, &mut text);
                }
            }
            Err(e) => {
                netlink_error(&e);
                if let Some(j) = json {
                    j.end();
                }
                say(&[b"Dump terminated"]);
                die(1);
            }
        }
    }
    match json {
        Some(j) => j.end(),
        None => out(&text),
    }
    // Ids whose names could not be looked up are a partial answer (ip exits 0).
    i32::from(std::mem::take(&mut ctx.partial))
}

/// ip's `print_nsid`, with its name lookup: the cache by (current-)nsid, taken out once printed;
/// else a fresh walk of the run dir for a name with this nsid, put back into the cache.
fn print_nsid(ctx: &mut Ctx, e: &NsidEntry, json: &mut Option<JsonList>, text: &mut Vec<u8>) {
    match json {
        Some(j) => {
            j.open_object();
            if let Some(n) = e.nsid {
                j.member("nsid", &JVal::Int(n.into()));
            }
            if let Some(c) = e.current {
                j.member("current-nsid", &JVal::Int(c.into()));
            }
        }
        None => {
            match e.nsid {
                Some(n) => text.extend_from_slice(format!("nsid {n} ").as_bytes()),
                None => text.extend_from_slice(b"nsid unassigned "),
            }
            if e.has_current {
                match e.current {
                    Some(c) => text.extend_from_slice(format!("current-nsid {c} ").as_bytes()),
                    None => text.extend_from_slice(b"current-nsid unassigned "),
                }
            }
        }
    }
    let key = if e.has_current { e.current } else { e.nsid };
    let mut name: Option<OsString> = None;
    if let (Some(k), Some(map)) = (key, ctx.map.as_mut()) {
        if let Some(pos) = map.iter().position(|(_, id)| *id == k) {
            name = Some(map.remove(pos).0);
        }
    }
    if name.is_none() {
        if let Some(n) = e.nsid {
            // The walk may print errors: what ip has printed by then goes out first.
            match json {
                Some(j) => j.emit(),
                None => out(&std::mem::take(text)),
            }
            name = name_of_nsid(ctx, n);
            if let (Some(found), Some(map)) = (&name, ctx.map.as_mut()) {
                if !map.iter().any(|(_, id)| *id == n) {
                    map.push((found.clone(), n));
                }
            }
        }
    }
    match json {
        Some(j) => {
            if let Some(n) = &name {
                j.member("name", &JVal::Str(bytes(n)));
            }
            j.close_object();
        }
        None => {
            if let Some(n) = &name {
                text.extend_from_slice(b"(iproute2 netns name: ");
                text.extend_from_slice(bytes(n));
                text.push(b')');
            }
            text.push(b'\n');
        }
    }
}

/// ip's `netns_get_name`: the first entry (readdir order) whose nsid is `nsid`, asking entry by
/// entry and reporting refusals on the way.
fn name_of_nsid(ctx: &mut Ctx, nsid: i32) -> Option<OsString> {
    if ctx.partial {
        // The run dir or the socket already failed this command, and that was said.
        return None;
    }
    let dir = match RunDir::open() {
        Ok(d) => d,
        Err(Errno::NOENT) => return None,
        Err(e) => {
            say(&[b"Failed to open directory ", RUN_DIR, b": ", &serr(e)]);
            ctx.partial = true;
            return None;
        }
    };
    let names = match dir.names() {
        Ok(n) => n,
        Err(e) => {
            read_dir_failed(e);
            ctx.partial = true;
            return None;
        }
    };
    for name in names {
        let fd = match dir.open_entry(&name) {
            Ok(fd) => fd,
            Err(e) => {
                // As in names_and_ids: only a fault of the moment is worth a word.
                if is_fault(e) {
                    say(&[
                        b"Cannot open network namespace \"",
                        bytes(&name),
                        b"\": ",
                        &serr(e),
                    ]);
                    ctx.partial = true;
                }
                continue;
            }
        };
        let answer = match ctx.getter().get_by_fd(&fd) {
            Ok(Some(id)) if id == nsid => return Some(name),
            Ok(_) => continue,
            Err(e) if e.local => {
                ctx.partial = true;
                IdAnswer::Lost(e)
            }
            Err(e) => {
                let stale = e.errno == Errno::INVAL && netns::is_stale_placeholder(&fd);
                IdAnswer::Err(e, stale)
            }
        };
        ctx.report(&name, &answer);
    }
    None
}

/// `add NAME` (`create`) and `attach NAME PID`.
fn add(ctx: &mut Ctx, args: &[OsString], create: bool) -> i32 {
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

/// Call `f` for each run-dir entry until it returns non-zero (ip's `netns_foreach`); 1 when the
/// dir exists but cannot be read, and (unlike ip, which exits 0) 1 when `f` failed.
fn for_each_name(mut f: impl FnMut(&OsStr) -> i32) -> i32 {
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

/// Whether an errno is a fault of the moment (out of descriptors or memory, I/O, interrupted)
/// rather than something about the file itself.
fn is_fault(e: Errno) -> bool {
    matches!(
        e,
        Errno::MFILE | Errno::NFILE | Errno::NOMEM | Errno::IO | Errno::INTR | Errno::AGAIN
    )
}

/// A run dir that opened but could not be read to its end (ip stops silently, exit 0).
fn read_dir_failed(e: Errno) {
    say(&[b"Failed to read directory ", RUN_DIR, b": ", &serr(e)]);
}

fn delete(ctx: &mut Ctx, args: &[OsString]) -> i32 {
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
        Ok(Forked::Parent(pid)) => match nscore::create::wait(pid, false) {
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
