//! A private apt state for fetching Debian packages without touching the host's apt: its own
//! source list (one suite of the host's Debian mirror), lists, cache and an empty status file,
//! so the host's configuration and package database are neither read for packages nor
//! changed. `cargo xtask oracle` (util-linux and iproute2 from unstable) and `cargo xtask
//! kernels` (Debian's kernels of four releases) fetch through it: `update`, `show` for versions
//! and dependencies, `download` into an empty directory, then [`unpack`] with `dpkg-deb -x`.

use crate::{run, Fail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One suite of the host's Debian mirror, with its private apt state in a directory.
pub struct Apt {
    dir: PathBuf,
    suite: String,
    mirror: String,
    opts: Vec<String>,
}

impl Apt {
    /// The state under `dir` for `suite` (`sid`, `bookworm`, ...), with its source list
    /// written; nothing is read from the network yet.
    pub fn new(dir: &Path, suite: &str) -> Result<Apt, Fail> {
        for d in ["lists/partial", "cache/archives/partial"] {
            mkdirs(&dir.join(d))?;
        }
        let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        let signed = if Path::new(keyring).is_file() {
            format!("[signed-by={keyring}] ")
        } else {
            String::new()
        };
        let mirror = mirror();
        let line = format!("deb {signed}{mirror} {suite} main\n");
        let list = dir.join("sources.list");
        std::fs::write(&list, line).map_err(|e| Fail(format!("{}: {e}", list.display())))?;
        Ok(Apt {
            dir: dir.to_path_buf(),
            suite: suite.to_string(),
            mirror,
            opts: apt_options(dir),
        })
    }

    /// Read the suite's package lists from the mirror. When that fails, the message says why
    /// in words a user can act on: an index whose Release file has expired (a mirror that
    /// stopped syncing), a mirror that cannot be reached, or one without such a suite, and
    /// what to do about each, followed by apt's own lines.
    pub fn update(&self) -> Result<(), Fail> {
        let out = Command::new("apt-get")
            .args(&self.opts)
            .arg("update")
            .output()
            .map_err(|e| Fail(format!("cannot run apt-get: {e}")))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // apt-get update exits 0 on some fetch failures and only warns (W: Failed to fetch).
        if out.status.success() && !text.contains("Failed to fetch") && !text.contains("E: ") {
            return Ok(());
        }
        Err(Fail(update_failure(&text, &self.suite, &self.mirror)))
    }

    /// One package's record from `apt-cache show`: its version and the first alternative of
    /// each Depends/Pre-Depends entry.
    pub fn show(&self, pkg: &str) -> Result<(String, Vec<String>), Fail> {
        let text = output(
            Command::new("apt-cache")
                .args(&self.opts)
                .args(["show", pkg]),
        )
        .map_err(|Fail(m)| {
            Fail(format!(
                "Debian {}'s package list has no {pkg} (run with --refresh to read it again): {m}",
                self.suite
            ))
        })?;
        // The first record is the candidate (one suite: one version).
        let rec = text.split("\n\n").next().unwrap_or("");
        let mut version = String::new();
        let mut deps = Vec::new();
        for line in rec.lines() {
            if let Some(v) = line.strip_prefix("Version: ") {
                version = v.trim().to_string();
            }
            let list = line
                .strip_prefix("Depends: ")
                .or_else(|| line.strip_prefix("Pre-Depends: "));
            if let Some(list) = list {
                for entry in list.split(',') {
                    let first = entry.split('|').next().unwrap_or("").trim();
                    let name = first.split([' ', '(', ':']).next().unwrap_or("");
                    if !name.is_empty() {
                        deps.push(name.to_string());
                    }
                }
            }
        }
        if version.is_empty() {
            return Err(Fail(format!("apt-cache show {pkg}: no record")));
        }
        Ok((version, deps))
    }

    /// Download `pkgs` (name to version) into the state's `debs/`, emptied first; returns the
    /// .deb files, sorted. A package the list names but the mirror no longer has (a list
    /// older than the mirror's pool) is a message saying so.
    pub fn download(&self, pkgs: &BTreeMap<String, String>) -> Result<Vec<PathBuf>, Fail> {
        let debs = self.dir.join("debs");
        // Old downloads would be unpacked too: start from an empty directory.
        let _ = std::fs::remove_dir_all(&debs);
        mkdirs(&debs)?;
        let out = Command::new("apt-get")
            .args(&self.opts)
            .arg("download")
            .args(pkgs.iter().map(|(p, v)| format!("{p}={v}")))
            .current_dir(&debs)
            .output()
            .map_err(|e| Fail(format!("cannot run apt-get: {e}")))?;
        if !out.status.success() {
            return Err(Fail(format!(
                "cannot download {} from Debian {} at {} (a package list older than the \
                 mirror names files it no longer has: run again with --refresh): {}",
                pkgs.keys().cloned().collect::<Vec<_>>().join(" "),
                self.suite,
                self.mirror,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&debs)
            .map_err(|e| Fail(format!("{}: {e}", debs.display())))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "deb"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Remove the downloaded .deb files (the unpacked tree is what is kept).
    pub fn forget_downloads(&self) {
        let _ = std::fs::remove_dir_all(self.dir.join("debs"));
        let _ = std::fs::remove_dir_all(self.dir.join("cache/archives"));
    }
}

/// Unpack `debs` into `into` with `dpkg-deb -x` (no maintainer script runs).
pub fn unpack(debs: &[PathBuf], into: &Path) -> Result<(), Fail> {
    mkdirs(into)?;
    for f in debs {
        run(Command::new("dpkg-deb").arg("-x").arg(f).arg(into))?;
    }
    Ok(())
}

/// Debian's own redirector, the mirror of last resort.
const MAIN_MIRROR: &str = "http://deb.debian.org/debian";

/// What to tell the user when `apt-get update` of `suite` from `mirror` printed `text` and
/// failed.
fn update_failure(text: &str, suite: &str, mirror: &str) -> String {
    let apt_says: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("\n  apt-get: {l}"))
        .collect();
    let unreachable = [
        "Could not resolve",
        "Temporary failure resolving",
        "Unable to connect",
        "Could not connect",
        "Connection timed out",
    ];
    let other = if mirror == MAIN_MIRROR {
        "another Debian mirror (https://www.debian.org/mirror/list)".to_string()
    } else {
        format!("another Debian mirror (e.g. {MAIN_MIRROR})")
    };
    let what = if text.contains("is expired") || text.contains("is not valid yet") {
        format!(
            "Debian {suite}'s index on {mirror} is stale (its Release file has expired, or the \
             clock is wrong): set NSUTILS_DEBIAN_MIRROR to {other}, or \
             NSUTILS_APT_ALLOW_STALE=1 to use this index anyway (signatures are still \
             checked), and run the command again"
        )
    } else if unreachable.iter().any(|w| text.contains(w)) {
        format!(
            "cannot reach the Debian mirror {mirror} for {suite}: check the network (and \
             http_proxy), or set NSUTILS_DEBIAN_MIRROR to a mirror that can be reached, and \
             run the command again"
        )
    } else {
        format!(
            "cannot read Debian {suite}'s package lists from {mirror} (NSUTILS_DEBIAN_MIRROR \
             names another mirror)"
        )
    };
    format!("{what}{apt_says}")
}

/// The Debian mirror to fetch from: `$NSUTILS_DEBIAN_MIRROR` when set, else the one the host's
/// apt uses (its first `deb.../debian` URI that is not the security archive), so what we fetch
/// comes from where the host's packages come from.
pub fn mirror() -> String {
    if let Some(m) = std::env::var_os("NSUTILS_DEBIAN_MIRROR").filter(|m| !m.is_empty()) {
        return m.to_string_lossy().trim_end_matches('/').to_string();
    }
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(rd) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        more.sort();
        files.extend(more);
    }
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for word in text.split_whitespace() {
            let w = word.trim_start_matches("URIs:");
            if (w.starts_with("http://") || w.starts_with("https://"))
                && w.trim_end_matches('/').ends_with("/debian")
            {
                return w.trim_end_matches('/').to_string();
            }
        }
    }
    MAIN_MIRROR.to_string()
}

/// apt's options for the private state under `apt`: its own source list, lists, cache and an
/// empty status file, so the host's configuration and package database are neither read for
/// packages nor changed. With `NSUTILS_APT_ALLOW_STALE=1`, an index whose Release file has
/// expired is accepted (its signature is still checked).
fn apt_options(apt: &Path) -> Vec<String> {
    let o = |k: &str, v: &Path| format!("-o{k}={}", v.display());
    let stale_ok = std::env::var_os("NSUTILS_APT_ALLOW_STALE").is_some_and(|v| v == "1");
    let mut opts = Vec::new();
    if stale_ok {
        // Otherwise the host's apt configuration decides, as for its own updates.
        opts.push("-oAcquire::Check-Valid-Until=false".to_string());
    }
    opts.extend([
        o("Dir::Etc::sourcelist", &apt.join("sources.list")),
        "-oDir::Etc::sourceparts=/dev/null".into(),
        o("Dir::State::Lists", &apt.join("lists")),
        o("Dir::Cache", &apt.join("cache")),
        "-oDir::State::status=/dev/null".into(),
        "-oAPT::Sandbox::User=root".into(),
        "-oDebug::NoLocking=true".into(),
        "-qq".into(),
    ]);
    opts
}

/// `mkdir -p`, with the path in the message.
pub fn mkdirs(p: &Path) -> Result<(), Fail> {
    std::fs::create_dir_all(p).map_err(|e| Fail(format!("{}: {e}", p.display())))
}

/// Run `cmd`; its stdout, or a message with its stderr when it fails.
pub fn output(cmd: &mut Command) -> Result<String, Fail> {
    let out = cmd
        .output()
        .map_err(|e| Fail(format!("cannot run {cmd:?}: {e}")))?;
    if !out.status.success() {
        return Err(Fail(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::{update_failure, MAIN_MIRROR};

    #[test]
    fn update_failures_say_what_to_do() {
        let stale = "E: Release file for http://m/debian/dists/sid/InRelease is expired \
                     (invalid since 2d 1h 3min 4s). Updates for this repository will not be \
                     applied.";
        let m = update_failure(stale, "sid", "http://m/debian");
        assert!(
            m.starts_with("Debian sid's index on http://m/debian is stale"),
            "{m}"
        );
        assert!(
            m.contains("NSUTILS_APT_ALLOW_STALE=1") && m.ends_with("applied."),
            "{m}"
        );
        assert!(m.contains("(e.g. http://deb.debian.org/debian)"), "{m}");
        let m = update_failure(stale, "sid", MAIN_MIRROR);
        assert!(m.contains("(https://www.debian.org/mirror/list)"), "{m}");
        let down = "W: Failed to fetch http://m/debian/dists/sid/InRelease  Could not connect \
                    to m:80 (10.0.0.1). - connect (111: Connection refused)";
        let m = update_failure(down, "sid", "http://m/debian");
        assert!(
            m.starts_with("cannot reach the Debian mirror http://m/debian"),
            "{m}"
        );
        let other =
            "E: The repository 'http://m/debian nosuch Release' does not have a Release file.";
        let m = update_failure(other, "nosuch", "http://m/debian");
        assert!(
            m.starts_with("cannot read Debian nosuch's package lists"),
            "{m}"
        );
    }
}
