//! User and group names without the C library's NSS functions, for the static build.
//!
//! A statically linked glibc program that calls `getpwnam(3)` and friends `dlopen`s the NSS
//! modules of whatever glibc is installed, which only works with the exact glibc version it was
//! linked with (docs/BENCHMARKS.md). So the static build never calls them: it asks
//! `/usr/bin/getent` (Debian's libc-bin, a dynamic program of the installed glibc, so LDAP, sssd
//! and systemd users resolve as they do for any other program), once per database with every
//! key known at that point, and parses its output. When getent cannot be run (a minimal
//! container, an initramfs), it reads `/etc/passwd` and `/etc/group` as the C library's `files`
//! module does, and says nothing about it: the original prints nothing either.
//!
//! Answers are cached for the life of the process, so a tool that asks again (the login shell
//! after `--map-users=auto` looked up the same uid) does not run getent twice. [`crate::users`]
//! decides which path a build uses; both are compiled everywhere so tests can compare them.
//!
//! # Example
//!
//! ```
//! use nscore::getent::{passwd_by_uid, GETENT};
//!
//! // Answers come from running getent(1); without it there is no answer.
//! match passwd_by_uid(0) {
//!     Some(root) => assert_eq!((root.uid, root.gid), (0, 0)),
//!     None => println!("{GETENT} gave no entry for uid 0"),
//! }
//! ```

use crate::map::Map;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Where getent lives (libc-bin on Debian); asked by absolute path, never through `PATH`.
pub const GETENT: &str = "/usr/bin/getent";

/// A passwd entry: the fields the tools use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passwd {
    /// Login name.
    pub name: String,
    /// User ID.
    pub uid: u32,
    /// Primary group ID.
    pub gid: u32,
    /// Login shell (may be empty).
    pub shell: String,
}

/// A lookup key: a number or a name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A user or group ID.
    Id(u32),
    /// A user or group name.
    Name(String),
}

impl Key {
    fn arg(&self) -> String {
        match self {
            Key::Id(n) => n.to_string(),
            Key::Name(s) => s.clone(),
        }
    }
}

/// The two databases the tools read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Db {
    /// `passwd`: users.
    Passwd,
    /// `group`: groups.
    Group,
}

impl Db {
    fn name(self) -> &'static str {
        match self {
            Db::Passwd => "passwd",
            Db::Group => "group",
        }
    }

    fn file(self) -> &'static str {
        match self {
            Db::Passwd => "/etc/passwd",
            Db::Group => "/etc/group",
        }
    }
}

/// One parsed line: (name, id, passwd entry when the database is passwd).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    id: u32,
    passwd: Option<Passwd>,
}

impl Entry {
    fn matches(&self, key: &Key) -> bool {
        match key {
            Key::Id(n) => self.id == *n,
            Key::Name(s) => self.name == *s,
        }
    }
}

/// A decimal ID field as the C library's `files` module accepts it: digits only, in range.
fn id_field(f: &[u8]) -> Option<u32> {
    if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(f).ok()?.parse().ok()
}

/// Parse one `passwd` (`name:pw:uid:gid:gecos:dir:shell`) or `group` (`name:pw:gid:members`)
/// line. The shell is the last field, so a `:` inside the GECOS field (possible from LDAP) does
/// not shift it.
fn parse_line(db: Db, line: &[u8]) -> Option<Entry> {
    let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
    let text = |f: &[u8]| String::from_utf8_lossy(f).into_owned();
    let name = text(fields.first()?);
    match db {
        Db::Passwd => {
            if fields.len() < 7 {
                return None;
            }
            let uid = id_field(fields[2])?;
            let gid = id_field(fields[3])?;
            let shell = text(fields[fields.len() - 1]);
            Some(Entry {
                passwd: Some(Passwd {
                    name: name.clone(),
                    uid,
                    gid,
                    shell,
                }),
                name,
                id: uid,
            })
        }
        Db::Group => {
            if fields.len() < 3 {
                return None;
            }
            Some(Entry {
                id: id_field(fields[2])?,
                name,
                passwd: None,
            })
        }
    }
}

/// The entries of a whole text (getent's output or a file), in order. Blank lines, comments and
/// NIS compat lines (`+`, `-`) are skipped, as the `files` module skips them.
fn parse_all(db: Db, text: &[u8]) -> Vec<Entry> {
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && !matches!(l[0], b'#' | b'+' | b'-'))
        .filter_map(|l| parse_line(db, l))
        .collect()
}

/// For each key, the first entry of `entries` that it matches.
fn answer(keys: &[Key], entries: &[Entry]) -> Vec<Option<Entry>> {
    keys.iter()
        .map(|k| entries.iter().find(|e| e.matches(k)).cloned())
        .collect()
}

/// How a batch was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// By running getent.
    Getent,
    /// By reading the file: getent could not be run.
    Files,
}

/// Run `getent DB -- KEYS...` (`getent_path` for tests) and parse its output; `None` when it
/// cannot be started at all. getent exits 2 when a key is not found: the other keys' lines are
/// still good, so the status is not looked at. Its stderr is discarded (the original says
/// nothing about a failed lookup), and it is killed if we die first (a helper never outlives
/// its parent).
fn run_getent(getent_path: &str, db: Db, keys: &[Key]) -> Option<Vec<Entry>> {
    let mut cmd = Command::new(getent_path);
    cmd.arg(db.name())
        .arg("--")
        .args(
            keys.iter()
                .map(|k| OsString::from_vec(k.arg().into_bytes())),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: the closure runs in the forked child before exec and only makes one prctl(2)
    // system call; it allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))
                .map_err(std::io::Error::from)
        });
    }
    let mut child = cmd.spawn().ok()?;
    let mut out = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = std::io::Read::read_to_end(&mut pipe, &mut out);
    }
    // getent ends every line with a newline: anything after the last one was cut short.
    out.truncate(out.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1));
    // The status does not matter (see above), and waiting fails harmlessly when the caller
    // left SIGCHLD ignored (the kernel then reaps getent itself).
    let _ = child.wait();
    Some(parse_all(db, &out))
}

/// Look `keys` up in `db` through `getent_path`, or the file when it cannot run: for each key its
/// entry (`None`: not found), and which source answered. Names with a NUL byte (which cannot be
/// passed to a program, and match no entry) are answered `None` without being asked.
fn lookup_with(getent_path: &str, db: Db, keys: &[Key]) -> (Vec<Option<Entry>>, Source) {
    let askable: Vec<Key> = keys
        .iter()
        .filter(|k| !matches!(k, Key::Name(s) if s.contains('\0')))
        .cloned()
        .collect();
    let (entries, source) = if askable.is_empty() {
        (Vec::new(), Source::Getent)
    } else {
        match run_getent(getent_path, db, &askable) {
            Some(e) => (e, Source::Getent),
            None => (
                std::fs::read(db.file())
                    .map(|t| parse_all(db, &t))
                    .unwrap_or_default(),
                Source::Files,
            ),
        }
    };
    (answer(keys, &entries), source)
}

/// The process-wide cache: (database, key) → answer.
type Cache = Map<(Db, Key), Option<Entry>>;

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// Look up every key of `keys` in `db` (one getent run for those not cached yet) and return
/// the answers in order. `extra` keys are asked in the same run when a run is needed, so that
/// likely later questions (the caller's own uid) cost nothing more.
fn cached(db: Db, keys: &[Key], extra: &[Key]) -> Vec<Option<Entry>> {
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(Map::default);
    let mut missing: Vec<Key> = Vec::new();
    for k in keys {
        if !cache.contains_key(&(db, k.clone())) && !missing.contains(k) {
            missing.push(k.clone());
        }
    }
    if !missing.is_empty() {
        for k in extra {
            if !cache.contains_key(&(db, k.clone())) && !missing.contains(k) {
                missing.push(k.clone());
            }
        }
        let (answers, _) = lookup_with(GETENT, db, &missing);
        for (k, a) in missing.into_iter().zip(answers) {
            cache.insert((db, k), a);
        }
    }
    keys.iter()
        .map(|k| cache.get(&(db, k.clone())).cloned().flatten())
        .collect()
}

/// The real uid, asked along with any passwd lookup: the login shell and `--map-users=auto`
/// look it up later in the same run.
fn own_uid() -> Key {
    Key::Id(rustix::process::getuid().as_raw())
}

/// The passwd entries of `keys`, in order, through getent (one run for all keys not cached).
pub fn passwds(keys: &[Key]) -> Vec<Option<Passwd>> {
    cached(Db::Passwd, keys, &[own_uid()])
        .into_iter()
        .map(|e| e.and_then(|e| e.passwd))
        .collect()
}

/// The passwd entry of `uid` through getent.
pub fn passwd_by_uid(uid: u32) -> Option<Passwd> {
    passwds(&[Key::Id(uid)]).pop().flatten()
}

/// The passwd entry of user `name` through getent.
pub fn passwd_by_name(name: &str) -> Option<Passwd> {
    passwds(&[Key::Name(name.to_string())]).pop().flatten()
}

/// The gid of group `name` through getent.
pub fn group_id(name: &str) -> Option<u32> {
    cached(Db::Group, &[Key::Name(name.to_string())], &[])
        .pop()
        .flatten()
        .map(|e| e.id)
}

/// A test's view of an answer: name, ID and (passwd only) shell.
pub type Found = (String, u32, String);

/// Uncached, with the getent path and database given: `(name, id, shell)` per key and the source
/// that answered. For tests, which compare this path with the C library's and stand a script
/// in for getent.
pub fn lookup_uncached(getent_path: &str, db: Db, keys: &[Key]) -> (Vec<Option<Found>>, Source) {
    let (answers, source) = lookup_with(getent_path, db, keys);
    let v = answers
        .into_iter()
        .map(|a| {
            a.map(|e| {
                let shell = e.passwd.map(|p| p.shell).unwrap_or_default();
                (e.name, e.id, shell)
            })
        })
        .collect();
    (v, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwd_and_group_lines() {
        let text = b"# comment\n\nroot:x:0:0:root:/root:/bin/bash\n+nis\nbad:x:y:0::/:/bin/sh\n\
                     odd:x:7:8:a:b:c:/home:/bin/zsh\nshort:x:1\n";
        let e = parse_all(Db::Passwd, text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].passwd.as_ref().unwrap().shell, "/bin/bash");
        assert_eq!(e[1].name, "odd");
        assert_eq!(e[1].passwd.as_ref().unwrap().shell, "/bin/zsh");
        assert_eq!(e[1].passwd.as_ref().unwrap().gid, 8);
        let g = parse_all(Db::Group, b"root:x:0:\nstaff:x:50:a,b\nx:y\n");
        assert_eq!(g.len(), 2);
        assert_eq!((g[1].name.as_str(), g[1].id), ("staff", 50));
        assert_eq!(id_field(b"4294967296"), None);
        assert_eq!(id_field(b"+1"), None);
    }

    #[test]
    fn first_match_wins_and_names_match_exactly() {
        let e = parse_all(
            Db::Passwd,
            b"a:x:5:5::/:/s1\nb:x:5:5::/:/s2\ngames:x:6:6::/:/s3\n",
        );
        let a = answer(
            &[Key::Id(5), Key::Name("b".into()), Key::Name(" 6".into())],
            &e,
        );
        assert_eq!(a[0].as_ref().unwrap().name, "a");
        assert_eq!(a[1].as_ref().unwrap().passwd.as_ref().unwrap().shell, "/s2");
        assert!(a[2].is_none());
    }

    #[test]
    fn missing_getent_falls_back_to_the_files() {
        let (a, src) = lookup_uncached(
            "/nonexistent/getent",
            Db::Passwd,
            &[Key::Id(0), Key::Name("root".into())],
        );
        assert_eq!(src, Source::Files);
        assert_eq!(a[0].as_ref().unwrap().0, "root");
        assert_eq!(a[1].as_ref().unwrap().1, 0);
        let (a, _) = lookup_uncached(
            "/nonexistent/getent",
            Db::Group,
            &[Key::Name("root".into())],
        );
        assert_eq!(a[0].as_ref().unwrap().1, 0);
    }

    #[test]
    fn nul_names_are_not_asked() {
        let (a, src) = lookup_uncached(GETENT, Db::Passwd, &[Key::Name("a\0b".into())]);
        assert_eq!((a, src), (vec![None], Source::Getent));
    }
}
