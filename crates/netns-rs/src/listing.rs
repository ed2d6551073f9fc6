//! `list` and `list-id`, with ip's name cache (`netns_map_init`) and name lookup: the run dir's
//! entries asked for their nsids over netlink, reported as ip reports them, plus each
//! namespace's ID (`NS_GET_ID`) as the extra JSON key `ns_id`.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nscore::error::Errno;
use nscore::netns::{self, RunDir};
use nscore::nsid::{NetlinkError, NsidEntry};

use crate::ctx::{
    bytes, entry_bytes, invarg, is_fault, netlink_error, read_dir_failed, stale_hint, Ctx, RUN_DIR,
};
use crate::output::{die, out, say, serr, JVal, JsonList};
use crate::parse::get_i32;

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

pub(crate) fn list(ctx: &mut Ctx) -> i32 {
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

pub(crate) fn list_id(ctx: &mut Ctx, args: &[OsString]) -> i32 {
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
