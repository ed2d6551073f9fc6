//! The state a netns-rs command runs with ([`Ctx`], ip's statics: sockets and the name cache)
//! and the few helpers every subcommand reports through (ip's messages for names, netlink
//! errors, run-dir failures, and the stale-placeholder hint).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use nscore::error::Errno;
use nscore::hint::Cause;
use nscore::netns;
use nscore::nsid::{NetlinkError, NsidSocket};

use crate::output::{die, say, serr};

pub(crate) const RUN_DIR: &[u8] = netns::RUN_DIR.as_bytes();

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
    pub(crate) map: Option<Vec<(OsString, i32)>>,
    /// The non-strict socket for per-name queries (ip's `rtnsh`).
    pub(crate) getter: Option<NsidSocket>,
    /// The socket for dumps and `set` (ip's `rth`).
    pub(crate) strict: Option<NsidSocket>,
    /// The netlink socket failed and that was said (once per process).
    pub(crate) netlink_lost: bool,
    /// Names whose stale-placeholder hint was shown.
    pub(crate) hinted: Vec<OsString>,
    /// This command lost part of its answer (a run dir it could not read, a lost socket).
    pub(crate) partial: bool,
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

    pub(crate) fn getter(&mut self) -> &mut NsidSocket {
        self.getter.get_or_insert_with(|| open_socket(false))
    }

    /// ip's main socket: strict checking, except in batch mode, where ip opens it without
    /// (so the kernel ignores `target-nsid` in dumps there).
    pub(crate) fn strict(&mut self) -> &mut NsidSocket {
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

pub(crate) fn bytes(s: &OsStr) -> &[u8] {
    s.as_bytes()
}

pub(crate) fn entry_bytes(name: &OsStr) -> Vec<u8> {
    let mut p = RUN_DIR.to_vec();
    p.push(b'/');
    p.extend_from_slice(name.as_bytes());
    p
}

pub(crate) fn netlink_error(e: &NetlinkError) {
    say(&[e.to_string().as_bytes()]);
}

/// On a terminal only: the hint that `name` is a placeholder whose namespace is gone.
pub(crate) fn stale_hint(name: &OsStr) {
    let path = String::from_utf8_lossy(&entry_bytes(name)).into_owned();
    nscore::hint::show(Cause::NetnsStalePlaceholder, &format!("\"{path}\""));
}

pub(crate) fn invarg(msg: &[u8], arg: &[u8]) -> ! {
    say(&[b"Error: argument \"", arg, b"\" is wrong: ", msg]);
    die(255)
}

/// Whether an errno is a fault of the moment (out of descriptors or memory, I/O, interrupted)
/// rather than something about the file itself.
pub(crate) fn is_fault(e: Errno) -> bool {
    matches!(
        e,
        Errno::MFILE | Errno::NFILE | Errno::NOMEM | Errno::IO | Errno::INTR | Errno::AGAIN
    )
}

/// A run dir that opened but could not be read to its end (ip stops silently, exit 0).
pub(crate) fn read_dir_failed(e: Errno) {
    say(&[b"Failed to read directory ", RUN_DIR, b": ", &serr(e)]);
}
