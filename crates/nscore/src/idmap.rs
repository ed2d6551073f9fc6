//! User-namespace ID maps: `uid_map`, `gid_map`, `setgroups`, and subordinate IDs.
//!
//! util-linux `unshare` maps IDs two ways, and both live here so the tool only decides *which*:
//! - a single ID (`-r`, `-c`, `--map-user`, `--map-group`), written by the process itself into
//!   `/proc/self/uid_map` after `unshare(2)` ([`map_single`], with [`write_setgroups`] first for
//!   gids, as user_namespaces(7) requires of an unprivileged writer);
//! - ranges (`--map-users`, `--map-groups`, `auto`, `subids`, `all`), written by a helper process
//!   forked *before* `unshare(2)`: as root straight into `/proc/PID/uid_map`
//!   ([`write_ranges`]), otherwise by running `newuidmap`/`newgidmap` ([`newidmap_argv`]),
//!   which check `/etc/subuid` and `/etc/subgid`.
//!
//! When both a single ID and ranges are asked for, the single mapping goes first and any range it
//! overlaps gives up one ID ([`merge_single`], the "hole" rule of util-linux 2.42).
//!
//! The helper waits for the go-ahead on a [`Gate`] (an eventfd, as util-linux uses).
//!
//! Numbers are parsed with C library semantics on purpose (`sscanf("%u")` for ranges, util-linux's
//! `strtoul_or_err` for subid files): the accepted inputs are part of the drop-in contract.
//!
//! # Example
//!
//! ```
//! use nscore::create::{run_in_child, unshare, ChildStatus};
//! use nscore::creds::effective_ids;
//! use nscore::idmap::{self, map_text, parse_range, IdKind, IdRange};
//! use nscore::kind::{NsKind, NsKinds};
//!
//! let r = parse_range(b"0:100000:65536").unwrap();
//! assert_eq!(r, IdRange { inner: 0, outer: 100000, count: 65536 });
//! assert_eq!(map_text(&[r]), "0 100000 65536\n");
//! assert_eq!(IdKind::Gid.map_file(), "gid_map");
//!
//! // What `unshare --map-root-user` does, in a child: a user namespace in which we are root.
//! let (uid, gid) = effective_ids();
//! let status = run_in_child(|| {
//!     if unshare(NsKinds::from_iter([NsKind::User])).is_err() {
//!         return 77; // user namespaces are switched off here
//!     }
//!     // An unprivileged gid_map needs setgroups denied first.
//!     let mapped = idmap::write_setgroups(false)
//!         .and_then(|()| idmap::map_single(IdKind::Uid, 0, uid))
//!         .and_then(|()| idmap::map_single(IdKind::Gid, 0, gid));
//!     if mapped.is_err() {
//!         return 1;
//!     }
//!     if effective_ids() == (0, 0) { 0 } else { 2 }
//! })
//! .unwrap();
//! assert!(matches!(status, ChildStatus::Exited(0 | 77)), "{status:?}");
//! ```

use std::ffi::OsString;
use std::os::fd::OwnedFd;

use rustix::event::{eventfd, EventfdFlags};
use rustix::io::Errno;

use crate::cmdline::num;
use crate::error::{Error, Result};

/// Whether a map concerns user IDs or group IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// User IDs: `uid_map`, `/etc/subuid`, `newuidmap`.
    Uid,
    /// Group IDs: `gid_map`, `/etc/subgid`, `newgidmap`.
    Gid,
}

impl IdKind {
    /// The map file's name under `/proc/PID/` (`uid_map`, `gid_map`).
    pub const fn map_file(self) -> &'static str {
        match self {
            IdKind::Uid => "uid_map",
            IdKind::Gid => "gid_map",
        }
    }

    /// The subordinate ID file (`/etc/subuid`, `/etc/subgid`).
    pub const fn subid_file(self) -> &'static str {
        match self {
            IdKind::Uid => "/etc/subuid",
            IdKind::Gid => "/etc/subgid",
        }
    }

    /// The shadow-utils helper that writes the map for an unprivileged user.
    pub const fn helper(self) -> &'static str {
        match self {
            IdKind::Uid => "newuidmap",
            IdKind::Gid => "newgidmap",
        }
    }
}

/// One line of an ID map: `count` IDs starting at `outer` in the parent namespace appear as IDs
/// starting at `inner` inside. `inner == u32::MAX` means "not chosen yet" (an `auto` range,
/// which [`merge_single`] starts at 0), as util-linux encodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    /// First ID inside the namespace.
    pub inner: u32,
    /// First ID outside (in the parent namespace).
    pub outer: u32,
    /// How many IDs.
    pub count: u32,
}

/// One `%u` conversion of `sscanf(3)`: the value stored in an `unsigned int` and the bytes
/// consumed, or `None` when no number starts here.
fn scan_u32(s: &[u8]) -> Option<(u32, usize)> {
    num::scan(s, 10)?;
    let (v, end) = num::strtoul_prefix(s);
    Some((v as u32, end))
}

/// `sscanf(s, "%u<sep>%u<sep>%u%n")` and the rest of `s` must be empty.
fn scan_triple(s: &[u8], sep: u8) -> Option<(u32, u32, u32)> {
    let (a, n) = scan_u32(s)?;
    let s = &s[n..];
    let s = s.strip_prefix(&[sep])?;
    let (b, n) = scan_u32(s)?;
    let s = &s[n..];
    let s = s.strip_prefix(&[sep])?;
    let (c, n) = scan_u32(s)?;
    s[n..].is_empty().then_some((a, b, c))
}

/// Parse a `--map-users`/`--map-groups` range: `inner:outer:count`, or the deprecated
/// `outer,inner,count`. Numbers are read as `sscanf("%u")` reads them (leading blanks and a sign
/// allowed, wrapping to 32 bits). `None` → util-linux's `invalid mapping 'S'`.
pub fn parse_range(s: &[u8]) -> Option<IdRange> {
    if let Some((inner, outer, count)) = scan_triple(s, b':') {
        return Some(IdRange {
            inner,
            outer,
            count,
        });
    }
    let (outer, inner, count) = scan_triple(s, b',')?;
    Some(IdRange {
        inner,
        outer,
        count,
    })
}

/// Parse `--owner UID:GID` as `sscanf(s, "%u:%u%n")` with nothing after it.
pub fn parse_owner(s: &[u8]) -> Option<(u32, u32)> {
    let (uid, n) = scan_u32(s)?;
    let s = s[n..].strip_prefix(b":")?;
    let (gid, n) = scan_u32(s)?;
    s[n..].is_empty().then_some((uid, gid))
}

/// The first block of subordinate IDs of user `uid` in `/etc/subuid` or `/etc/subgid`, as
/// `--map-users=auto` (`identity` false: inside from 0) or `=subids` (`identity` true: the same
/// numbers inside) use it.
///
/// A line `NAME:START:COUNT` matches when NAME is the user's login name or parses (as `strtoul`
/// does, so a non-numeric name counts as 0) to `uid`. Errors are util-linux's words.
pub fn read_subid_range(kind: IdKind, uid: u32, identity: bool) -> Result<IdRange> {
    let pw = crate::users::passwd_by_uid(uid)
        .ok_or_else(|| Error::msg(format!("you (user {uid}) don't exist.")))?;
    let file = kind.subid_file();
    let text = std::fs::read(file).map_err(|e| {
        Error::sys(
            format!("could not open '{file}'"),
            Errno::from_io_error(&e).unwrap_or(Errno::IO),
        )
    })?;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let Some(c1) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = &line[..c1];
        if name != pw.name.as_bytes() && num::strtoul_prefix(name).0 != u64::from(pw.uid) {
            continue;
        }
        let rest = &line[c1 + 1..];
        let Some(c2) = rest.iter().position(|&b| b == b':') else {
            continue;
        };
        let outer = num::strtou64_or_err(&rest[..c2], "failed to parse subid map")? as u32;
        let tail = &rest[c2 + 1..];
        let tail = match tail.iter().position(|&b| b == b'\n') {
            Some(nl) => &tail[..nl],
            None => tail,
        };
        let count = num::strtou64_or_err(tail, "failed to parse subid map")? as u32;
        let inner = if identity { outer } else { u32::MAX };
        return Ok(IdRange {
            inner,
            outer,
            count,
        });
    }
    Err(Error::msg(format!(
        "no line matching user \"{}\" in {file}",
        pw.name
    )))
}

/// `--map-users=all`: every line of our own `/proc/self/uid_map` (or `gid_map`) as an identity
/// range, in file order. Unparsable lines are skipped.
pub fn kernel_identity_ranges(kind: IdKind) -> Result<Vec<IdRange>> {
    let file = format!("/proc/self/{}", kind.map_file());
    let text = std::fs::read(&file).map_err(|e| {
        Error::sys(
            format!("could not open '{file}'"),
            Errno::from_io_error(&e).unwrap_or(Errno::IO),
        )
    })?;
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        // sscanf(line, " %u %*u %u")
        let Some((start, n)) = scan_u32(line) else {
            continue;
        };
        let rest = &line[n..];
        let Some((_, n)) = scan_u32(rest) else {
            continue;
        };
        let Some((count, _)) = scan_u32(&rest[n..]) else {
            continue;
        };
        out.push(IdRange {
            inner: start,
            outer: start,
            count,
        });
    }
    Ok(out)
}

/// Put the single mapping `outer → inner` in front of `ranges`, cutting it out of any range it
/// overlaps (util-linux's `add_single_map_range`). `inner == None` adds no single mapping and
/// only starts `auto` ranges (inner `u32::MAX`) at 0.
///
/// The rule, kept to the bit (including its `<=` bounds, so a range that merely touches the
/// single ID also gives one up): a range given as numbers that contains `outer` or `inner`
/// loses one ID; then every range is split into up to three pieces skipping `outer` on the
/// outside and `inner` on the inside. An `auto` range starts at 0 and keeps its whole count, so
/// `-r --map-auto` gives `1 START COUNT`, as util-linux 2.42.4 does (2.38 took one ID from it).
pub fn merge_single(ranges: &[IdRange], outer: u32, inner: Option<u32>) -> Vec<IdRange> {
    let inner = inner.unwrap_or(u32::MAX);
    let outer = if inner == u32::MAX { u32::MAX } else { outer };
    let mut out = Vec::with_capacity(ranges.len() * 3 + 1);
    if inner != u32::MAX {
        out.push(IdRange {
            inner,
            outer,
            count: 1,
        });
    }
    for r in ranges {
        let mut m = *r;
        let auto = m.inner == u32::MAX;
        if auto {
            m.inner = 0;
        }
        if inner != u32::MAX
            && !auto
            && ((outer >= m.outer && outer <= m.outer.wrapping_add(m.count))
                || (inner >= m.inner && inner <= m.inner.wrapping_add(m.count)))
        {
            m.count = m.count.wrapping_sub(1);
        }
        let outer_off = outer.saturating_sub(m.outer).min(m.count);
        let inner_off = inner.saturating_sub(m.inner).min(m.count);
        let lo = IdRange {
            outer: m.outer,
            inner: m.inner,
            count: inner_off.min(outer_off),
        };
        let mut mid = IdRange {
            outer: lo.outer.wrapping_add(lo.count),
            inner: lo.inner.wrapping_add(lo.count),
            count: outer_off.abs_diff(inner_off),
        };
        mid.outer = mid.outer.wrapping_add(u32::from(mid.outer == outer));
        mid.inner = mid.inner.wrapping_add(u32::from(mid.inner == inner));
        let mut hi = IdRange {
            outer: mid.outer.wrapping_add(mid.count),
            inner: mid.inner.wrapping_add(mid.count),
            count: m.count.wrapping_sub(lo.count).wrapping_sub(mid.count),
        };
        hi.outer = hi.outer.wrapping_add(u32::from(hi.outer == outer));
        hi.inner = hi.inner.wrapping_add(u32::from(hi.inner == inner));
        for piece in [lo, mid, hi] {
            if piece.count != 0 {
                out.push(piece);
            }
        }
    }
    out
}

/// The text of a map file for `ranges`: one `inner outer count` line each.
pub fn map_text(ranges: &[IdRange]) -> String {
    let mut s = String::new();
    for r in ranges {
        s.push_str(&format!("{} {} {}\n", r.inner, r.outer, r.count));
    }
    s
}

fn write_all(path: &str, data: &[u8], open_err: &str, write_err: &str) -> Result<()> {
    use rustix::fs::{open, Mode, OFlags};
    let fd = open(
        path,
        OFlags::WRONLY | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|errno| Error::sys(format!("{open_err}{path}"), errno))?;
    let mut rest = data;
    while !rest.is_empty() {
        match rustix::io::write(&fd, rest) {
            Ok(0) => return Err(Error::sys(format!("{write_err}{path}"), Errno::IO)),
            Ok(n) => rest = &rest[n..],
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(Error::sys(format!("{write_err}{path}"), errno)),
        }
    }
    Ok(())
}

/// As root: write `ranges` into `/proc/PID/uid_map` (or `gid_map`) in one write, as
/// util-linux's idmap helper does. Errors: `/proc/N/uid_map too large for kernel 4k limit`,
/// `failed to open /proc/N/uid_map: ...`, `failed to write /proc/N/uid_map: ...`.
pub fn write_ranges(pid: i32, kind: IdKind, ranges: &[IdRange]) -> Result<()> {
    let path = format!("/proc/{pid}/{}", kind.map_file());
    let text = map_text(ranges);
    if text.len() > 4096 {
        return Err(Error::msg(format!("{path} too large for kernel 4k limit")));
    }
    write_all(
        &path,
        text.as_bytes(),
        "failed to open ",
        "failed to write ",
    )
}

/// The command line of `newuidmap`/`newgidmap` for `ranges` of process `pid`:
/// `newuidmap PID inner outer count ...`.
pub fn newidmap_argv(pid: i32, kind: IdKind, ranges: &[IdRange]) -> Vec<OsString> {
    let mut v = Vec::with_capacity(2 + ranges.len() * 3);
    v.push(OsString::from(kind.helper()));
    v.push(OsString::from(pid.to_string()));
    for r in ranges {
        for n in [r.inner, r.outer, r.count] {
            v.push(OsString::from(n.to_string()));
        }
    }
    v
}

/// Map one ID of our own user namespace: write `"INNER OUTER 1"` (no newline) to
/// `/proc/self/uid_map` or `gid_map`. Errors: `cannot open PATH: ...`, `write failed PATH: ...`.
pub fn map_single(kind: IdKind, inner: u32, outer: u32) -> Result<()> {
    let path = format!("/proc/self/{}", kind.map_file());
    write_all(
        &path,
        format!("{inner} {outer} 1").as_bytes(),
        "cannot open ",
        "write failed ",
    )
}

/// Write `allow` or `deny` to `/proc/self/setgroups`; a missing file (kernels before 3.19) is
/// silently fine. Errors: `cannot open /proc/self/setgroups: ...`, `write failed ...`.
pub fn write_setgroups(allow: bool) -> Result<()> {
    let path = "/proc/self/setgroups";
    let word: &[u8] = if allow { b"allow" } else { b"deny" };
    match write_all(path, word, "cannot open ", "write failed ") {
        Err(Error::Sys {
            op,
            errno: Errno::NOENT,
        }) if op.starts_with("cannot open ") => Ok(()),
        other => other,
    }
}

/// A one-shot go-ahead from a process to the helper it forked: an `eventfd(2)` (close-on-exec),
/// as util-linux uses, plus a pidfd of the process that made it. Create it before `fork`; the
/// helper calls [`Gate::wait`], the parent [`Gate::open`].
///
/// The helper watches the pidfd while it waits, so it ends when its parent ends without opening
/// the gate, whatever the parent did to its credentials or death signal in between (the
/// kernel's parent-death signal alone is not enough: a parent that exits early may do so
/// before the helper has set it, and some exits do not deliver it).
#[derive(Debug)]
pub struct Gate {
    event: OwnedFd,
    parent: Option<OwnedFd>,
}

/// The value util-linux's parent writes to the eventfd.
const GO: u64 = 0x06;

impl Gate {
    /// `eventfd(0, EFD_CLOEXEC)` and `pidfd_open(getpid())`; error `eventfd failed: ...`. A
    /// kernel without pidfds (before 5.3) leaves only the parent-death signal to watch.
    #[doc(alias = "eventfd")]
    pub fn new() -> Result<Gate> {
        let event = eventfd(0, EventfdFlags::CLOEXEC)
            .map_err(|errno| Error::sys("eventfd failed", errno))?;
        let parent = match crate::enter::pidfd_open(crate::create::getpid()) {
            Ok(fd) => Some(fd),
            Err(Errno::NOSYS) => None,
            Err(errno) => return Err(Error::sys("pidfd_open failed", errno)),
        };
        Ok(Gate { event, parent })
    }

    /// A second handle on the same gate (both descriptors duplicated, close-on-exec), for a
    /// helper to keep while the parent keeps the first. Error `dup failed: ...`.
    pub fn try_clone(&self) -> Result<Gate> {
        let dup = |fd: &OwnedFd| {
            fd.try_clone().map_err(|e| {
                Error::sys("dup failed", Errno::from_io_error(&e).unwrap_or(Errno::IO))
            })
        };
        Ok(Gate {
            event: dup(&self.event)?,
            parent: self.parent.as_ref().map(dup).transpose()?,
        })
    }

    /// In the helper: make sure we die with the parent (`PR_SET_PDEATHSIG` SIGKILL), then block
    /// until the parent opens the gate or ends. `parent` is the PID the helper was forked from.
    /// Returns `Ok(false)` when the parent is gone (already before we looked: a parent in
    /// another PID namespace shows as 0 and passes the PPID check, the pidfd catches it).
    /// With `clear_deathsig`, the death signal is reset once the gate opened, for a process that
    /// goes on to run a program. Errors: `prctl failed: ...`, `failed to read eventfd: ...`.
    pub fn wait(self, parent: i32, clear_deathsig: bool) -> Result<bool> {
        crate::creds::set_parent_death_signal(libc::SIGKILL)
            .map_err(|errno| Error::sys("prctl failed", errno))?;
        let ppid = rustix::process::getppid().map_or(0, |p| p.as_raw_pid());
        if ppid != parent && ppid != 0 {
            return Ok(false);
        }
        match self.wait_value()? {
            None => return Ok(false),
            Some(GO) => {}
            Some(_) => return Err(Error::sys("failed to read eventfd", Errno::IO)),
        }
        if clear_deathsig {
            rustix::process::set_parent_process_death_signal(None)
                .map_err(|errno| Error::sys("prctl failed", errno))?;
        }
        Ok(true)
    }

    /// Poll the eventfd and the parent's pidfd: true when the eventfd is readable, false when
    /// the parent ended first.
    fn wait_readable(&self) -> Result<bool> {
        use rustix::event::{poll, PollFd, PollFlags};
        let Some(parent) = &self.parent else {
            return Ok(true);
        };
        loop {
            let mut fds = [
                PollFd::new(&self.event, PollFlags::IN),
                PollFd::new(parent, PollFlags::IN),
            ];
            match poll(&mut fds, None) {
                Ok(_) => {}
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(Error::sys("poll failed", errno)),
            }
            if !fds[0].revents().is_empty() {
                return Ok(true);
            }
            if !fds[1].revents().is_empty() {
                return Ok(false);
            }
        }
    }

    /// In the helper: block until the parent [`Gate::send`]s a value (returned) or ends
    /// (`None`). Error `failed to read eventfd: ...`.
    pub fn wait_value(&self) -> Result<Option<u64>> {
        if !self.wait_readable()? {
            return Ok(None);
        }
        let mut buf = [0u8; 8];
        loop {
            match rustix::io::read(&self.event, &mut buf) {
                Ok(8) => return Ok(Some(u64::from_ne_bytes(buf))),
                Ok(_) => return Err(Error::sys("failed to read eventfd", Errno::IO)),
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(Error::sys("failed to read eventfd", errno)),
            }
        }
    }

    /// In the parent: let the helper go, and close our end. Error `failed to write eventfd:
    /// ...`, after which the caller must stop the helper itself (it is still waiting).
    pub fn open(self) -> Result<()> {
        self.send(GO)
    }

    /// In the parent: send `value` (not 0) to a helper blocked in [`Gate::wait_value`]. Error
    /// `failed to write eventfd: ...`.
    pub fn send(&self, value: u64) -> Result<()> {
        loop {
            match rustix::io::write(&self.event, &value.to_ne_bytes()) {
                Ok(8) => return Ok(()),
                Ok(_) => return Err(Error::sys("failed to write eventfd", Errno::IO)),
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(Error::sys("failed to write eventfd", errno)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(inner: u32, outer: u32, count: u32) -> IdRange {
        IdRange {
            inner,
            outer,
            count,
        }
    }

    #[test]
    fn ranges_parse_like_sscanf() {
        assert_eq!(parse_range(b"0:100000:65536"), Some(r(0, 100000, 65536)));
        assert_eq!(parse_range(b"100000,0,10"), Some(r(0, 100000, 10)));
        assert_eq!(parse_range(b" 1: +2: 3"), Some(r(1, 2, 3)));
        assert_eq!(parse_range(b"-1:0:1"), Some(r(u32::MAX, 0, 1)));
        assert_eq!(parse_range(b"4294967296:0:1"), Some(r(0, 0, 1)));
        for bad in [
            &b"1:2"[..],
            b"1:2:3:",
            b"1:2:3 ",
            b"1 :2:3",
            b"a:b:c",
            b"",
            b"1,2:3",
            b"0x1:2:3",
        ] {
            assert_eq!(parse_range(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn auto_ranges_start_at_zero_and_keep_their_count() {
        // Observed with util-linux 2.42.4 as nobody, /etc/subuid "nobody:100000:65536":
        // `-r --map-auto` → "0 65534 1", "1 100000 65536"; as root, `--map-user=65535
        // --map-users=auto` → "65535 0 1", "0 100000 65535", "65536 165535 1".
        assert_eq!(
            merge_single(&[r(u32::MAX, 100000, 65536)], 65534, Some(0)),
            vec![r(0, 65534, 1), r(1, 100000, 65536)]
        );
        assert_eq!(
            merge_single(&[r(u32::MAX, 100000, 65536)], 0, Some(65535)),
            vec![r(65535, 0, 1), r(0, 100000, 65535), r(65536, 165535, 1)]
        );
    }

    #[test]
    fn hole_rule_matches_util_linux_examples() {
        // util-linux.md §1.3: `-r --map-users=100000,0,10` gives "0 0 1" then "1 100000 9".
        assert_eq!(
            merge_single(&[r(0, 100000, 10)], 0, Some(0)),
            vec![r(0, 0, 1), r(1, 100000, 9)]
        );
        // No single mapping: ranges pass through in order, auto ranges start at 0.
        assert_eq!(
            merge_single(&[r(5, 6, 7), r(u32::MAX, 100000, 65536)], 1000, None),
            vec![r(5, 6, 7), r(0, 100000, 65536)]
        );
        // -c style: uid 1000 → 1000 inside a 0:100000:65536 range splits it around inner 1000.
        assert_eq!(
            merge_single(&[r(0, 100000, 65536)], 1000, Some(1000)),
            vec![r(1000, 1000, 1), r(0, 100000, 1000), r(1001, 101000, 64535)]
        );
    }
}
