//! Finding and running iproute2's ip without ever running ourselves again.
//!
//! Candidates, in order: `ip` in every `PATH` entry (an empty entry is the current directory,
//! as for execvp), then `/usr/sbin/ip`, `/sbin/ip`, `/usr/bin/ip`, `/bin/ip`. A candidate is
//! skipped when it is not an executable regular file, or when it is this very program (same
//! device and inode as `/proc/self/exe`, which catches the drop-in directory itself, symlinks
//! and hard links to it), or another nsutils `ip` already passed through on the way here.
//!
//! That last case (two nsutils drop-in directories in `PATH`, say /usr/local's and /usr's)
//! needs a memory: before running a candidate that is not one of the standard locations above,
//! we add our own device:inode to `NSUTILS_IP_SHIMS` in the environment, and skip every
//! device:inode listed there. Each nsutils ip adds itself once, so the chain always ends at a
//! real ip or at "not found". The variable is set only in that unusual case, so with iproute2 in
//! its usual place the real ip gets exactly the caller's environment.
//!
//! Without /proc, `/proc/self/exe` cannot say which file we are, and only the standard
//! locations are searched (PATH could lead back to us).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The environment variable listing the nsutils `ip` programs (`DEV:INO`, space separated)
/// already passed through.
pub const SHIMS_VAR: &str = "NSUTILS_IP_SHIMS";

/// Where iproute2 installs ip, searched after `PATH`.
pub const STANDARD: &[&str] = &["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

/// A file's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

impl FileId {
    /// The identity of what `path` resolves to, when it is an executable regular file.
    fn of_executable(path: &Path) -> Option<FileId> {
        let m = std::fs::metadata(path).ok()?;
        (m.is_file() && m.mode() & 0o111 != 0).then(|| FileId {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    fn render(self) -> String {
        format!("{}:{}", self.dev, self.ino)
    }

    fn parse_list(list: &OsStr) -> Vec<FileId> {
        String::from_utf8_lossy(list.as_bytes())
            .split_whitespace()
            .filter_map(|w| {
                let (d, i) = w.split_once(':')?;
                Some(FileId {
                    dev: d.parse().ok()?,
                    ino: i.parse().ok()?,
                })
            })
            .collect()
    }
}

/// The candidates for the real ip, in search order: `PATH`'s entries, then [`STANDARD`].
pub fn candidates(path_var: Option<&OsStr>) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = path_var
        .map(|p| {
            p.as_bytes()
                .split(|&b| b == b':')
                .map(|dir| {
                    let dir = if dir.is_empty() { b"." as &[u8] } else { dir };
                    Path::new(OsStr::from_bytes(dir)).join("ip")
                })
                .collect()
        })
        .unwrap_or_default();
    v.extend(STANDARD.iter().map(PathBuf::from));
    v
}

/// The first candidate that is an executable and none of `skip`.
pub fn find(candidates: &[PathBuf], skip: &[FileId]) -> Option<(PathBuf, FileId)> {
    candidates.iter().find_map(|c| {
        let id = FileId::of_executable(c)?;
        (!skip.contains(&id)).then(|| (c.clone(), id))
    })
}

/// Replace this process with the real ip, `args` unchanged (argv[0] included: ip reads its
/// object from a name such as `iplink`). Returns only on failure, with the exit status.
pub fn exec(args: &[OsString]) -> i32 {
    let me = FileId::of_executable(Path::new("/proc/self/exe"));
    let passed = std::env::var_os(SHIMS_VAR);
    let mut skip = passed
        .as_deref()
        .map(FileId::parse_list)
        .unwrap_or_default();
    skip.extend(me);
    // Without /proc (so without knowing which file we are), PATH could lead back to us: only
    // the standard places are searched then.
    let path_var = std::env::var_os("PATH").filter(|_| me.is_some());
    let Some((real, id)) = find(&candidates(path_var.as_deref()), &skip) else {
        nscore::cmdline::warn(
            "cannot find iproute2's ip (searched PATH, /usr/sbin, /sbin, /usr/bin and /bin)",
        );
        return 127;
    };
    let standard = STANDARD
        .iter()
        .any(|s| FileId::of_executable(Path::new(s)) == Some(id));
    if let (Some(me), false) = (me, standard) {
        let mut list = passed
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !list.is_empty() {
            list.push(' ');
        }
        list.push_str(&me.render());
        std::env::set_var(SHIMS_VAR, list);
    }
    let err = nscore::exec::execv(real.as_os_str(), args);
    err.report();
    err.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    #[test]
    fn path_entries_then_standard_places() {
        let c = candidates(Some(OsStr::new("/a::/b/")));
        let want: Vec<PathBuf> = ["/a/ip", "./ip", "/b/ip"]
            .iter()
            .chain(STANDARD)
            .map(PathBuf::from)
            .collect();
        assert_eq!(c, want);
        assert_eq!(candidates(None).len(), STANDARD.len());
    }

    #[test]
    fn skips_itself_through_links_and_what_was_passed() {
        let d = std::env::temp_dir().join(format!("ip-shim-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        for sub in ["shim", "other", "real", "plain"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let exe = |p: &Path| {
            std::fs::write(p, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        exe(&d.join("shim/ip"));
        exe(&d.join("other/ip"));
        exe(&d.join("real/ip"));
        std::fs::write(d.join("plain/ip"), "not executable").unwrap();
        let linked = d.join("linked");
        std::fs::create_dir_all(&linked).unwrap();
        symlink(d.join("shim/ip"), linked.join("ip")).unwrap();
        let id = |p: &str| FileId::of_executable(&d.join(p)).unwrap();
        let cands: Vec<PathBuf> = ["plain/ip", "linked/ip", "shim/ip", "other/ip", "real/ip"]
            .iter()
            .map(|p| d.join(p))
            .collect();
        // Ourselves, by any path, is never the real ip; a non-executable is not either.
        assert_eq!(
            find(&cands, &[id("shim/ip")]).map(|f| f.0),
            Some(d.join("other/ip"))
        );
        // An nsutils ip passed through on the way here is skipped too.
        let passed =
            FileId::parse_list(OsStr::new(&format!("junk {} 1:x", id("other/ip").render())));
        assert_eq!(passed, vec![id("other/ip")]);
        let mut skip = passed;
        skip.push(id("shim/ip"));
        assert_eq!(find(&cands, &skip).map(|f| f.0), Some(d.join("real/ip")));
        skip.push(id("real/ip"));
        assert_eq!(find(&cands[..5], &skip).map(|f| f.0), None);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
