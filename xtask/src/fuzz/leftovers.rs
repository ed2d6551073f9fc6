//! What a fuzz run may leave on the host, checked before and after: mount points, entries of
//! `/run` and `/tmp`, and processes. Every case runs in a scene whose mounts and processes die
//! with it, so the lists should not change; other programs on the machine may change them
//! meanwhile, so a change is reported for a person to judge, not taken for proof.
//!
//! Processes: the run makes itself a child subreaper, so a process of a scene that outlived
//! its scene would be re-parented to us; any child of ours after the run is a leftover.

use std::collections::BTreeSet;

/// Make orphans of our descendants our children (`PR_SET_CHILD_SUBREAPER`).
pub fn adopt_orphans() {
    if let Err(e) = rustix::process::set_child_subreaper(Some(rustix::process::getpid())) {
        eprintln!("fuzz: cannot become a child subreaper ({e}); leftover processes go unseen");
    }
}

/// The state that is compared.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    entries: BTreeSet<String>,
}

fn list(dir: &str, depth: usize, out: &mut BTreeSet<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path().to_string_lossy().into_owned();
        if depth > 1 && e.file_type().is_ok_and(|t| t.is_dir()) {
            list(&p, depth - 1, out);
        }
        out.insert(format!("file {p}"));
    }
}

/// The host's state now.
pub fn snapshot() -> Snapshot {
    let mut entries = BTreeSet::new();
    let mi = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for l in mi.lines() {
        if let Some(p) = l.split(' ').nth(4) {
            entries.insert(format!("mount {p}"));
        }
    }
    list("/run", 2, &mut entries);
    list("/tmp", 1, &mut entries);
    let me = std::process::id().to_string();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let stat = std::fs::read_to_string(format!("/proc/{name}/stat")).unwrap_or_default();
            // pid (comm) state ppid ...: the comm may hold spaces and parentheses.
            let after = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
            let ppid = after.split_whitespace().nth(1).unwrap_or("");
            if ppid == me {
                let comm = stat
                    .find('(')
                    .zip(stat.rfind(')'))
                    .map_or("", |(a, b)| &stat[a + 1..b]);
                entries.insert(format!("process {name} ({comm})"));
            }
        }
    }
    Snapshot { entries }
}

/// What `after` has that `before` had not.
pub fn compare(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    after.entries.difference(&before.entries).cloned().collect()
}
