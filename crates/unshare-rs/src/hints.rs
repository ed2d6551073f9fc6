//! Which hint line ([`nscore::hint`]) follows which failure of unshare-rs. The hints are shown
//! only when standard error is a terminal, after the original's message; scripts see the
//! original's bytes.

use std::path::Path;

use nscore::error::Errno;
use nscore::hint::{self, Cause};
use nscore::idmap::{self, IdKind};
use nscore::kind::{NsKind, NsKinds};

use crate::Stop;

/// `unshare(2)` failed with `errno` for `kinds`, with effective uid `euid`.
pub fn unshare_failed(stop: Stop, kinds: NsKinds, errno: Errno, euid: u32) -> Stop {
    let block = hint::userns_sysctl_block();
    if kinds.contains(NsKind::User) {
        // Only the namespace limit binds root; the other two switches concern unprivileged
        // users.
        let block = block.filter(|b| euid != 0 || b.starts_with("user."));
        return match block {
            Some(b) if errno == Errno::PERM || errno == Errno::NOSPC => {
                stop.hinted(Cause::UserNsDisabledBySysctl, b)
            }
            _ => stop,
        };
    }
    if errno != Errno::PERM || euid == 0 {
        return stop;
    }
    match block {
        Some(b) => stop.hinted(Cause::UserNsDisabledBySysctl, b),
        None => stop.hinted(Cause::UnshareNeedsUserNs, ""),
    }
}

/// Writing `/proc/self/setgroups` failed with EPERM: gid_map was already written (by `-r`, `-c`,
/// `--map-group` or a `--map-groups` range), after which setgroups cannot change.
pub fn setgroups_failed(errno: Option<Errno>, stop: Stop) -> Stop {
    if errno != Some(Errno::PERM) {
        return stop;
    }
    stop.hinted(
        Cause::GidMapNeedsSetgroupsDeny,
        "here gid_map was already written (by -r, -c, --map-group or --map-groups, which deny \
         setgroups themselves where needed); leave out --setgroups",
    )
}

/// Writing our own uid_map or gid_map failed with EPERM as an unprivileged user.
pub fn single_map_failed(errno: Option<Errno>, euid: u32, stop: Stop) -> Stop {
    if errno != Some(Errno::PERM) || euid == 0 {
        return stop;
    }
    stop.hinted(
        Cause::IdMapNeedsHelper,
        "without them a process may map only its own ID, once",
    )
}

/// The ID-range helper (`newuidmap`/`newgidmap`) failed for an unprivileged user `euid`: say
/// which part is missing.
pub fn ranges_failed(stop: Stop, euid: u32, users: bool, groups: bool) -> Stop {
    if euid == 0 {
        return stop;
    }
    let wanted = [(users, IdKind::Uid), (groups, IdKind::Gid)];
    for (want, kind) in wanted {
        if want && !in_path(kind.helper()) {
            return stop.hinted(
                Cause::IdMapNeedsHelper,
                format!(
                    "{} is not installed (Debian: package uidmap)",
                    kind.helper()
                ),
            );
        }
    }
    for (want, kind) in wanted {
        if want && idmap::read_subid_range(kind, euid, false).is_err() {
            let who = nscore::users::passwd_by_uid(euid).map_or(euid.to_string(), |p| p.name);
            return stop.hinted(
                Cause::IdMapNeedsHelper,
                format!("{} has no entry for user {who}", kind.subid_file()),
            );
        }
    }
    stop.hinted(
        Cause::IdMapNeedsHelper,
        "the ranges must lie within your blocks in /etc/subuid and /etc/subgid",
    )
}

/// Whether an executable `name` is in `$PATH` (as execvp would find it).
fn in_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path).any(|d| {
        let p = if d.as_os_str().is_empty() {
            Path::new(".").join(name)
        } else {
            d.join(name)
        };
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}
