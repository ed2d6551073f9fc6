//! Mounts: bind mounts (persistent namespaces), propagation changes, proc/sysfs/binfmt mounts,
//! unmounting, and reading `/proc/self/mountinfo` (to find nsfs bind mounts).
//!
//! The calls return the bare errno; the tools word the failure as their originals do.
//!
//! # Example
//!
//! ```
//! use nscore::mount::{parse_mountinfo, read_mountinfo, unescape};
//!
//! let line = b"36 35 98:0 / /mnt/my\\040disk rw,noatime shared:1 - ext4 /dev/sda1 rw\n";
//! let m = &parse_mountinfo(line)[0];
//! assert_eq!((m.id, m.parent), (36, 35));
//! assert_eq!(m.target, b"/mnt/my disk");
//! assert_eq!(m.fstype, b"ext4");
//! assert_eq!(m.optional, [b"shared:1".to_vec()]);
//! assert_eq!(unescape(b"a\\011b"), b"a\tb");
//!
//! // This process's own mount table has a root.
//! assert!(read_mountinfo().unwrap().iter().any(|m| m.target == b"/"));
//! ```

use std::path::Path;

use rustix::io::Errno;
use rustix::mount::{MountFlags, MountPropagationFlags, UnmountFlags};

/// A mount propagation type; see mount_namespaces(7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    /// `MS_PRIVATE`: no events in or out.
    Private,
    /// `MS_SHARED`: events both ways with the peer group.
    Shared,
    /// `MS_SLAVE`: events in from the master only.
    Slave,
    /// `MS_UNBINDABLE`: private, and cannot be bind-mounted.
    Unbindable,
}

impl Propagation {
    fn flags(self) -> MountPropagationFlags {
        match self {
            Propagation::Private => MountPropagationFlags::PRIVATE,
            Propagation::Shared => MountPropagationFlags::SHARED,
            Propagation::Slave => MountPropagationFlags::DOWNSTREAM,
            Propagation::Unbindable => MountPropagationFlags::UNBINDABLE,
        }
    }
}

/// `mount(NULL, target, NULL, MS_<type> [| MS_REC], NULL)`: change propagation. See mount(2).
#[doc(alias = "mount")]
pub fn set_propagation(target: &Path, kind: Propagation, recursive: bool) -> Result<(), Errno> {
    let mut flags = kind.flags();
    if recursive {
        flags |= MountPropagationFlags::REC;
    }
    rustix::mount::mount_change(target, flags)
}

/// `mount(source, target, NULL, MS_BIND, NULL)`: a non-recursive bind mount. See mount(2).
#[doc(alias = "mount")]
pub fn bind(source: &Path, target: &Path) -> Result<(), Errno> {
    rustix::mount::mount_bind(source, target)
}

/// `mount(source, target, NULL, MS_BIND | MS_REC, NULL)`: a recursive bind mount.
#[doc(alias = "mount")]
pub fn bind_recursive(source: &Path, target: &Path) -> Result<(), Errno> {
    rustix::mount::mount_bind_recursive(source, target)
}

/// Flags for [`mount_fs`].
pub use rustix::mount::MountFlags as Flags;

/// `mount(source, target, fstype, flags, data)`: mount a file system. See mount(2).
#[doc(alias = "mount")]
pub fn mount_fs(
    source: &str,
    target: &Path,
    fstype: &str,
    flags: MountFlags,
    data: Option<&std::ffi::CStr>,
) -> Result<(), Errno> {
    rustix::mount::mount(source, target, fstype, flags, data)
}

/// `umount2(target, flags)`: `detach` for `MNT_DETACH`, `nofollow` for `UMOUNT_NOFOLLOW`.
/// See umount2(2).
#[doc(alias = "umount2")]
pub fn unmount(target: &Path, detach: bool, nofollow: bool) -> Result<(), Errno> {
    let mut flags = UnmountFlags::empty();
    if detach {
        flags |= UnmountFlags::DETACH;
    }
    if nofollow {
        flags |= UnmountFlags::NOFOLLOW;
    }
    rustix::mount::unmount(target, flags)
}

/// One line of `/proc/PID/mountinfo`; see proc_pid_mountinfo(5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountInfo {
    /// Unique mount ID.
    pub id: u32,
    /// ID of the parent mount.
    pub parent: u32,
    /// The root of the mount within its file system (for nsfs: `net:[4026532321]`), unescaped.
    pub root: Vec<u8>,
    /// The mount point, unescaped.
    pub target: Vec<u8>,
    /// Optional fields (`shared:N`, `master:N`, ...).
    pub optional: Vec<Vec<u8>>,
    /// File system type.
    pub fstype: Vec<u8>,
    /// Mount source, unescaped.
    pub source: Vec<u8>,
}

/// Undo mountinfo's octal escapes (`\040` for space, `\011` tab, `\012` newline, `\134` backslash).
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        if field[i] == b'\\' && i + 3 < field.len() {
            let oct = &field[i + 1..i + 4];
            if oct.iter().all(|b| (b'0'..=b'7').contains(b)) {
                let v = (oct[0] - b'0') as u32 * 64
                    + (oct[1] - b'0') as u32 * 8
                    + (oct[2] - b'0') as u32;
                if let Ok(byte) = u8::try_from(v) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(field[i]);
        i += 1;
    }
    out
}

/// Parse the text of a mountinfo file; malformed lines are skipped.
pub fn parse_mountinfo(text: &[u8]) -> Vec<MountInfo> {
    text.split(|&b| b == b'\n').filter_map(parse_line).collect()
}

fn parse_line(line: &[u8]) -> Option<MountInfo> {
    let mut f = line.split(|&b| b == b' ');
    let id = crate::id::parse_u64_digits(f.next()?)? as u32;
    let parent = crate::id::parse_u64_digits(f.next()?)? as u32;
    let _devno = f.next()?;
    let root = unescape(f.next()?);
    let target = unescape(f.next()?);
    let _opts = f.next()?;
    let mut optional = Vec::new();
    loop {
        let field = f.next()?;
        if field == b"-" {
            break;
        }
        optional.push(field.to_vec());
    }
    let fstype = unescape(f.next()?);
    let source = unescape(f.next()?);
    Some(MountInfo {
        id,
        parent,
        root,
        target,
        optional,
        fstype,
        source,
    })
}

/// Read and parse `/proc/self/mountinfo`.
pub fn read_mountinfo() -> crate::Result<Vec<MountInfo>> {
    let path = "/proc/self/mountinfo";
    let text = std::fs::read(path).map_err(|e| crate::Error::Read {
        path: path.into(),
        errno: Errno::from_io_error(&e).unwrap_or(Errno::IO),
    })?;
    Ok(parse_mountinfo(&text))
}

/// Register an interpreter with binfmt_misc mounted at `dir`: write `line`
/// (`:name:type:offset:magic:mask:interpreter:flags`) to `dir/register`. See binfmt_misc in
/// the kernel's admin guide. Errors in util-linux's words: `cannot open DIR`,
/// `cannot open DIR/register`, `write failed DIR/register`.
pub fn register_binfmt(dir: &Path, line: &[u8]) -> crate::Result<()> {
    use std::io::Write;
    let shown = dir.display().to_string();
    let errno_of = |e: &std::io::Error| Errno::from_io_error(e).unwrap_or(Errno::IO);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(crate::Error::sys(
                format!("cannot open {shown}"),
                Errno::NOTDIR,
            ))
        }
        Err(e) => {
            return Err(crate::Error::sys(
                format!("cannot open {shown}"),
                errno_of(&e),
            ))
        }
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("register"))
        .map_err(|e| crate::Error::sys(format!("cannot open {shown}/register"), errno_of(&e)))?;
    f.write_all(line)
        .map_err(|e| crate::Error::sys(format!("write failed {shown}/register"), errno_of(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nsfs_lines() {
        let text =
            b"36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n\
                     600 30 0:4 net:[4026532321] /run/netns/ulrdemo rw shared:5 - nsfs nsfs rw\n\
                     garbage line\n";
        let m = parse_mountinfo(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].target, b"/mnt/with space");
        assert_eq!(m[0].optional, vec![b"master:1".to_vec()]);
        assert_eq!(m[1].fstype, b"nsfs");
        assert_eq!(m[1].root, b"net:[4026532321]");
    }

    #[test]
    fn unescape_leaves_odd_backslashes() {
        assert_eq!(unescape(b"a\\134b"), b"a\\b");
        assert_eq!(unescape(b"a\\9"), b"a\\9");
        assert_eq!(unescape(b"\\"), b"\\");
        assert_eq!(unescape(b"\\04"), b"\\04");
    }
}
