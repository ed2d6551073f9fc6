//! The eight namespace kinds and everything that names them.
//!
//! One table ([`NsKind::ALL`]) holds each kind's `CLONE_NEW*` flag, its entry under `/proc/PID/ns`
//! (and the `*_for_children` entry for pid and time), and the name util-linux prints in its TYPE
//! column, so no tool spells these out again.
//!
//! # Example
//!
//! ```
//! use nscore::kind::{NsKind, NsKinds};
//!
//! let net: NsKind = "net".parse().unwrap();
//! assert_eq!(net, NsKind::Net);
//! assert_eq!(NsKind::parse_bytes(b"mnt").unwrap().to_string(), "mnt");
//! assert!("network".parse::<NsKind>().is_err());
//! assert_eq!(NsKind::ALL.len(), 8);
//!
//! let mut kinds: NsKinds = [NsKind::User, NsKind::Net].into_iter().collect();
//! assert!(kinds.contains(NsKind::Net));
//! kinds.remove(NsKind::Net);
//! assert_eq!(kinds.iter().collect::<Vec<_>>(), [NsKind::User]);
//! ```

use std::fmt;
use std::str::FromStr;

/// A Linux namespace kind; see namespaces(7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NsKind {
    /// Cgroup root directory (`CLONE_NEWCGROUP`).
    Cgroup,
    /// System V IPC and POSIX message queues (`CLONE_NEWIPC`).
    Ipc,
    /// Mount points (`CLONE_NEWNS`).
    Mnt,
    /// Network devices, stacks and ports (`CLONE_NEWNET`).
    Net,
    /// Process IDs (`CLONE_NEWPID`).
    Pid,
    /// Boot and monotonic clocks (`CLONE_NEWTIME`).
    Time,
    /// User and group IDs (`CLONE_NEWUSER`).
    User,
    /// Hostname and NIS domain name (`CLONE_NEWUTS`).
    Uts,
}

/// A namespace kind name that is not one of the eight.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown namespace type: '{input}' (expected one of: {})", NsKind::names().join(", "))]
pub struct ParseKindError {
    /// What was given, lossily decoded.
    pub input: String,
}

impl NsKind {
    /// Every kind, in the alphabetical order of their `/proc/PID/ns` names.
    pub const ALL: [NsKind; 8] = [
        NsKind::Cgroup,
        NsKind::Ipc,
        NsKind::Mnt,
        NsKind::Net,
        NsKind::Pid,
        NsKind::Time,
        NsKind::User,
        NsKind::Uts,
    ];

    /// The `CLONE_NEW*` flag for `unshare(2)`, `clone(2)` and `setns(2)`.
    pub const fn clone_flag(self) -> u32 {
        (match self {
            NsKind::Cgroup => libc::CLONE_NEWCGROUP,
            NsKind::Ipc => libc::CLONE_NEWIPC,
            NsKind::Mnt => libc::CLONE_NEWNS,
            NsKind::Net => libc::CLONE_NEWNET,
            NsKind::Pid => libc::CLONE_NEWPID,
            NsKind::Time => libc::CLONE_NEWTIME,
            NsKind::User => libc::CLONE_NEWUSER,
            NsKind::Uts => libc::CLONE_NEWUTS,
        }) as u32
    }

    /// The kind whose `CLONE_NEW*` flag is `flag` (as `NS_GET_NSTYPE` returns it).
    pub fn from_clone_flag(flag: u32) -> Option<NsKind> {
        NsKind::ALL.into_iter().find(|k| k.clone_flag() == flag)
    }

    /// The entry name under `/proc/PID/ns/` (`mnt`, `net`, ...), which is also util-linux's TYPE name.
    pub const fn name(self) -> &'static str {
        match self {
            NsKind::Cgroup => "cgroup",
            NsKind::Ipc => "ipc",
            NsKind::Mnt => "mnt",
            NsKind::Net => "net",
            NsKind::Pid => "pid",
            NsKind::Time => "time",
            NsKind::User => "user",
            NsKind::Uts => "uts",
        }
    }

    /// The same name as a C string, for `openat`/`statat` relative to `/proc/PID/ns`.
    pub const fn proc_entry(self) -> &'static std::ffi::CStr {
        match self {
            NsKind::Cgroup => c"ns/cgroup",
            NsKind::Ipc => c"ns/ipc",
            NsKind::Mnt => c"ns/mnt",
            NsKind::Net => c"ns/net",
            NsKind::Pid => c"ns/pid",
            NsKind::Time => c"ns/time",
            NsKind::User => c"ns/user",
            NsKind::Uts => c"ns/uts",
        }
    }

    /// The `/proc/PID/ns/` entry that names the namespace *children* will be in: differs from
    /// [`NsKind::proc_entry`] only for pid and time (`pid_for_children`, `time_for_children`).
    pub const fn proc_entry_for_children(self) -> &'static std::ffi::CStr {
        match self {
            NsKind::Pid => c"ns/pid_for_children",
            NsKind::Time => c"ns/time_for_children",
            other => other.proc_entry(),
        }
    }

    /// All kind names, for messages and completions.
    pub fn names() -> Vec<&'static str> {
        NsKind::ALL.iter().map(|k| k.name()).collect()
    }

    /// Parse a kind from its util-linux name (`mnt`, `net`, ...), exactly and case-sensitively,
    /// as lsns `-t` does.
    pub fn parse_bytes(input: &[u8]) -> Result<NsKind, ParseKindError> {
        NsKind::ALL
            .into_iter()
            .find(|k| k.name().as_bytes() == input)
            .ok_or_else(|| ParseKindError {
                input: String::from_utf8_lossy(input).into_owned(),
            })
    }
}

impl FromStr for NsKind {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NsKind::parse_bytes(s.as_bytes())
    }
}

impl fmt::Display for NsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of kinds, stored as their `CLONE_NEW*` flags OR-ed together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NsKinds(pub u32);

impl NsKinds {
    /// The empty set.
    pub const EMPTY: NsKinds = NsKinds(0);

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: NsKind) -> bool {
        self.0 & kind.clone_flag() != 0
    }

    /// Add `kind`.
    pub fn insert(&mut self, kind: NsKind) {
        self.0 |= kind.clone_flag();
    }

    /// Remove `kind`.
    pub fn remove(&mut self, kind: NsKind) {
        self.0 &= !kind.clone_flag();
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds in the set, in [`NsKind::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = NsKind> {
        NsKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

impl FromIterator<NsKind> for NsKinds {
    fn from_iter<I: IntoIterator<Item = NsKind>>(iter: I) -> Self {
        let mut set = NsKinds::EMPTY;
        for k in iter {
            set.insert(k);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_flags_are_distinct() {
        for k in NsKind::ALL {
            assert_eq!(k.name().parse::<NsKind>(), Ok(k));
            assert_eq!(NsKind::from_clone_flag(k.clone_flag()), Some(k));
            assert_eq!(
                k.proc_entry().to_bytes(),
                format!("ns/{}", k.name()).as_bytes()
            );
        }
        let all: NsKinds = NsKind::ALL.into_iter().collect();
        assert_eq!(all.0.count_ones(), 8);
    }

    #[test]
    fn garbage_kind_names_are_errors() {
        let huge = "x".repeat(1 << 20);
        for bad in ["", "NET", "network", " net", "net ", "ns", huge.as_str()] {
            let err = bad.parse::<NsKind>().unwrap_err();
            assert!(
                err.to_string().contains("expected one of: cgroup, ipc"),
                "{err}"
            );
        }
        assert!(NsKind::parse_bytes(b"n\xffet").is_err());
    }
}
