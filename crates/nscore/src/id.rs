//! A namespace's identity: the device and inode of its nsfs file.
//!
//! Two `/proc/PID/ns/X` links name the same namespace exactly when `stat(2)` gives the same
//! `st_dev` and `st_ino` (namespaces(7)). The link text (`net:[4026531833]`) carries only the
//! inode, so [`NsLink`] is the parsed text and [`NsId`] the full identity.
//!
//! # Example
//!
//! ```
//! use nscore::id::{NsId, NsLink};
//! use nscore::kind::NsKind;
//!
//! let link = NsLink::parse(b"net:[4026531840]").unwrap();
//! assert_eq!((link.kind, link.ino), (NsKind::Net, 4026531840));
//! assert_eq!(link.to_string(), "net:[4026531840]");
//! assert!(NsLink::parse(b"net:4026531840").is_err());
//!
//! // Two paths name one namespace when device and inode agree.
//! let a = NsId::from_path("/proc/self/ns/net").unwrap();
//! let b = NsId::from_path("/proc/thread-self/ns/net").unwrap();
//! assert_eq!(a, b);
//! ```

use std::fmt;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{fstat, stat, Stat};

use crate::error::{Error, Result};
use crate::kind::NsKind;

/// A namespace's identity: `st_dev` and `st_ino` of its nsfs inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsId {
    /// `st_dev` of the nsfs file system.
    pub dev: u64,
    /// `st_ino`: the number util-linux prints in its NS column.
    pub ino: u64,
}

impl NsId {
    /// The identity from a `stat(2)` result.
    pub fn from_stat(st: &Stat) -> NsId {
        NsId {
            dev: st.st_dev,
            ino: st.st_ino,
        }
    }

    /// `stat(2)` a path (following the `/proc/PID/ns/X` magic link) and take its identity.
    #[doc(alias = "stat")]
    pub fn from_path(path: impl AsRef<Path>) -> Result<NsId> {
        let path = path.as_ref();
        stat(path)
            .map(|st| NsId::from_stat(&st))
            .map_err(|errno| Error::Stat {
                path: path.to_path_buf(),
                errno,
            })
    }

    /// `fstat(2)` an open namespace file and take its identity.
    #[doc(alias = "fstat")]
    pub fn from_fd(fd: impl AsFd) -> Result<NsId> {
        fstat(fd)
            .map(|st| NsId::from_stat(&st))
            .map_err(|errno| Error::sys("fstat failed", errno))
    }
}

impl fmt::Display for NsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ino)
    }
}

/// The parsed text of a `/proc/PID/ns/X` link or an nsfs mount root: `net:[4026531833]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NsLink {
    /// The kind named before the colon.
    pub kind: NsKind,
    /// The inode between the brackets.
    pub ino: u64,
}

/// Link text that is not of the form `KIND:[INODE]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid namespace link text: '{text}' (expected KIND:[INODE], e.g. net:[4026531833])")]
pub struct ParseLinkError {
    /// What was given, lossily decoded.
    pub text: String,
}

impl NsLink {
    /// Parse `KIND:[INODE]`. Whitespace, signs, a missing bracket, an inode that overflows u64
    /// or trailing bytes are errors.
    pub fn parse(text: &[u8]) -> std::result::Result<NsLink, ParseLinkError> {
        let bad = || ParseLinkError {
            text: String::from_utf8_lossy(text).into_owned(),
        };
        let colon = text.iter().position(|&b| b == b':').ok_or_else(bad)?;
        let kind = NsKind::parse_bytes(&text[..colon]).map_err(|_| bad())?;
        let rest = text[colon + 1..]
            .strip_prefix(b"[")
            .and_then(|r| r.strip_suffix(b"]"))
            .ok_or_else(bad)?;
        let ino = parse_u64_digits(rest).ok_or_else(bad)?;
        Ok(NsLink { kind, ino })
    }
}

impl fmt::Display for NsLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:[{}]", self.kind, self.ino)
    }
}

/// Parse a non-empty run of ASCII digits into a u64; `None` on anything else or on overflow.
pub fn parse_u64_digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_text() {
        let l = NsLink::parse(b"net:[4026531833]").unwrap();
        assert_eq!(l.kind, NsKind::Net);
        assert_eq!(l.ino, 4026531833);
        assert_eq!(l.to_string(), "net:[4026531833]");
    }

    #[test]
    fn garbage_link_text_is_an_error() {
        let huge = vec![b'9'; 100_000];
        let cases: Vec<&[u8]> = vec![
            b"",
            b"net",
            b"net:",
            b"net:[]",
            b"net:[12",
            b"net:12]",
            b"net:[-1]",
            b"net:[+1]",
            b"net:[ 1]",
            b"net:[1] ",
            b"bogus:[1]",
            b"net:[99999999999999999999999]",
            b"\xff\xfe:[1]",
            &huge,
        ];
        for c in cases {
            assert!(
                NsLink::parse(c).is_err(),
                "{:?}",
                String::from_utf8_lossy(c)
            );
        }
    }
}
