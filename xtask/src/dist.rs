//! `cargo xtask dist`: the release tarball and the Debian package, both staged from the same
//! [`install::layout`] as `cargo xtask install`.
//!
//! - `target/dist/nsutils-<version>-<cpu>-linux.tar.gz`: `bin/`, `lib/nsutils/bin/`,
//!   `share/...` as installed under a prefix, plus README.md and the licence files at the top.
//! - `target/dist/nsutils_<version>_<arch>.deb`: the layout under `/usr` (the drop-in directory
//!   is /usr/lib/nsutils/bin), man pages and changelog gzipped (`gzip -9n`), binaries stripped,
//!   `DEBIAN/md5sums`, a DEP-5 copyright for every statically linked crate ([`copyright`]) and
//!   a `Static-Built-Using` field, built with `dpkg-deb --root-owner-group`. lintian accepts
//!   it without errors or warnings. It ships only the `-rs` names and its own directory, so
//!   it replaces no file of util-linux or iproute2: no `Conflicts`, `Replaces` or `Provides`.
//!
//! Both are reproducible: every mtime is `SOURCE_DATE_EPOCH` (from the environment, else the
//! last commit's time), owners are root, entries are sorted, gzip stores no name or time.
//! The architecture comes from the binaries' target triple: the `--from` directory's
//! `target/<triple>/<profile>` when it has one, else the host rustc's.

use crate::copyright;
use crate::install::{self, Content};
use crate::{run, workspace_root, Fail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The licence texts shipped in the tarball, as files at the workspace root.
pub const LICENSE_FILES: &[&str] = &["LICENSE", "LICENSE-APACHE"];

/// `SOURCE_DATE_EPOCH` from the environment, else the last commit's time (`git log -1`), else
/// the workspace Cargo.toml's mtime (a tree without git).
pub fn source_date_epoch() -> Result<u64, Fail> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        return v
            .trim()
            .parse()
            .map_err(|_| Fail(format!("SOURCE_DATE_EPOCH is not a number: {v:?}")));
    }
    let git = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args(["log", "-1", "--format=%ct"])
        .output();
    if let Ok(o) = git {
        if let Ok(n) = String::from_utf8_lossy(&o.stdout).trim().parse() {
            return Ok(n);
        }
    }
    fs::metadata(workspace_root().join("Cargo.toml"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .ok_or_else(|| Fail("cannot derive SOURCE_DATE_EPOCH: set it".into()))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn git_value(args: &[&str]) -> Option<String> {
    let o = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args(args)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&o.stdout).trim().to_string()).filter(|v| !v.is_empty())
}

/// The package's `Maintainer`, as Debian's tools (dch, debchange) find it: the name from
/// `DEBFULLNAME` (else `NAME`), the address from `DEBEMAIL` (else `EMAIL`), where an address
/// written `Name <addr>` also gives the name. What is still missing comes from git (the
/// user's `user.name`/`user.email`, else the last commit's author), then from the login name
/// and host name.
pub fn maintainer() -> String {
    let mut name = env_nonempty("DEBFULLNAME").or_else(|| env_nonempty("NAME"));
    let mut email = env_nonempty("DEBEMAIL").or_else(|| env_nonempty("EMAIL"));
    if let Some(e) = email.clone() {
        if let (Some(open), true) = (e.find('<'), e.ends_with('>')) {
            let n = e[..open].trim().to_string();
            if name.is_none() && !n.is_empty() {
                name = Some(n);
            }
            email = Some(e[open + 1..e.len() - 1].trim().to_string());
        }
    }
    let name = name
        .or_else(|| git_value(&["config", "user.name"]))
        .or_else(|| git_value(&["log", "-1", "--format=%an"]))
        .or_else(|| env_nonempty("USER"))
        .unwrap_or_else(|| "root".into());
    let email = email
        .or_else(|| git_value(&["config", "user.email"]))
        .or_else(|| git_value(&["log", "-1", "--format=%ae"]))
        .unwrap_or_else(|| {
            let host = fs::read_to_string("/etc/mailname")
                .or_else(|_| fs::read_to_string("/etc/hostname"))
                .unwrap_or_else(|_| "localhost".into());
            format!(
                "{}@{}",
                env_nonempty("USER").unwrap_or_else(|| "root".into()),
                host.trim()
            )
        });
    format!("{name} <{email}>")
}

/// `secs` since the epoch as RFC 2822 in UTC (`Thu, 01 Jan 1970 00:00:00 +0000`), the date
/// format of a Debian changelog trailer.
pub fn rfc2822(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs / 86400;
    let rem = secs % 86400;
    // Days to civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The Debian changelog of a native package: one entry for this version.
pub fn changelog(version: &str, maintainer: &str, epoch: u64) -> String {
    format!(
        "nsutils ({version}) unstable; urgency=medium\n\n  \
         * Release {version}: unshare-rs, nsenter-rs, lsns-rs, netns-rs, and the\n    \
         drop-in directory /usr/lib/nsutils/bin (unshare, nsenter, lsns, ip).\n\n \
         -- {maintainer}  {}\n",
        rfc2822(epoch)
    )
}

/// The dependency on the C library, from `dpkg-shlibdeps` when it can work it out (e.g.
/// `libc6 (>= 2.34)`), else plain `libc6`. A fully static build depends on nothing.
fn libc_depends(bins: &[PathBuf], arch: &str) -> Option<String> {
    let tmp = std::env::temp_dir().join(format!("xtask-shlibdeps-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(tmp.join("debian")).ok()?;
    fs::write(
        tmp.join("debian/control"),
        format!("Source: nsutils\n\nPackage: nsutils\nArchitecture: {arch}\n"),
    )
    .ok()?;
    let out = Command::new("dpkg-shlibdeps")
        .arg("-O")
        .args(bins.iter().map(|b| {
            let mut a = std::ffi::OsString::from("-e");
            a.push(b);
            a
        }))
        .current_dir(&tmp)
        .output();
    let _ = fs::remove_dir_all(&tmp);
    let dynamic = bins.iter().any(|b| {
        Command::new("objdump")
            .arg("-p")
            .arg(b)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("NEEDED"))
            .unwrap_or(true)
    });
    if !dynamic {
        return None;
    }
    match out {
        Ok(o) if o.status.success() => {
            let s = String::from_utf8_lossy(&o.stdout);
            s.lines()
                .find_map(|l| l.strip_prefix("shlibs:Depends="))
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .or_else(|| Some("libc6".into()))
        }
        other => {
            if std::env::var_os("XTASK_DEBUG").is_some() {
                eprintln!("dpkg-shlibdeps: {other:?}");
            }
            Some("libc6".into())
        }
    }
}

/// Every path under `dir` (not `dir` itself), sorted, directories before their contents.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        let is_dir = fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        out.push(p.clone());
        if is_dir {
            out.extend(walk(&p));
        }
    }
    out
}

/// `Installed-Size` in KiB: each file and symlink rounded up to a KiB, each directory one, as
/// dpkg-gencontrol counts.
fn installed_size(stage: &Path) -> u64 {
    walk(stage)
        .iter()
        .filter_map(|p| fs::symlink_metadata(p).ok())
        .map(|m| {
            if m.is_file() {
                m.len().div_ceil(1024)
            } else {
                1
            }
        })
        .sum()
}

/// Make `stage` reproducible: directories 0755, every mtime (symlinks too) `epoch`.
fn normalise(stage: &Path, epoch: u64) -> Result<(), Fail> {
    use std::os::unix::fs::PermissionsExt;
    for p in std::iter::once(stage.to_path_buf()).chain(walk(stage)) {
        if fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755))
                .map_err(|e| Fail(format!("chmod {}: {e}", p.display())))?;
        }
    }
    run(Command::new("find")
        .arg(stage)
        .args(["-exec", "touch", "-h", "-d"])
        .arg(format!("@{epoch}"))
        .args(["{}", "+"]))
}

/// `DEBIAN/md5sums`: `md5  path` for every regular file, paths relative to the root, sorted.
fn md5sums(stage: &Path) -> Result<String, Fail> {
    let files: Vec<String> = walk(stage)
        .iter()
        .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .filter_map(|p| p.strip_prefix(stage).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let out = Command::new("md5sum")
        .arg("--")
        .args(&files)
        .current_dir(stage)
        .output()
        .map_err(|e| Fail(format!("cannot run md5sum: {e}")))?;
    if !out.status.success() {
        return Err(Fail("md5sum failed".into()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Strip an ELF file as dh_strip does for programs (no `.comment`, no `.note`).
fn strip(file: &Path) -> Result<(), Fail> {
    run(Command::new("strip")
        .args(["--remove-section=.comment", "--remove-section=.note"])
        .arg(file))
}

/// Where lintian looks for a package's overrides, and ours: lintian releases before
/// Static-Built-Using was known (Debian 12's 2.116) report it as an unknown field.
const LINTIAN_OVERRIDES: (&str, &str) = (
    "share/lintian/overrides/nsutils",
    "# Static-Built-Using (Debian Policy 7.8) lists the Rust crates linked in; lintian\n\
     # releases that predate the field call it unknown.\n\
     nsutils: unknown-field Static-Built-Using\n",
);

/// `target/dist/NAME.tar.gz`: the binaries in `bin_dir` with man pages, completions, README and
/// licences, laid out as `cargo xtask install --prefix /usr/local` lays them out, with
/// normalised times, owners and order (reproducible).
pub fn tarball(bin_dir: &Path, version: &str, name: &str, epoch: u64) -> Result<PathBuf, Fail> {
    let out = crate::target_dir().join("dist");
    fs::create_dir_all(&out).map_err(|e| Fail(format!("{}: {e}", out.display())))?;
    let stage = out.join(name);
    let _ = fs::remove_dir_all(&stage);
    let mut entries = install::layout(bin_dir, false, version, "/usr/local")?;
    for f in ["README.md"].iter().chain(LICENSE_FILES) {
        entries.push(install::Entry {
            rel: f.to_string(),
            content: Content::Copy(workspace_root().join(f)),
            mode: 0o644,
        });
    }
    install::install(&entries, Path::new("/"), Some(&stage), false)?;
    normalise(&stage, epoch)?;
    let tarball = out.join(format!("{name}.tar.gz"));
    run(reproducible_tar(epoch)
        .arg("--use-compress-program=gzip -9n")
        .arg("-cf")
        .arg(&tarball)
        .arg("-C")
        .arg(&out)
        .arg(name))?;
    let _ = fs::remove_dir_all(&stage);
    Ok(tarball)
}

/// `tar` with what makes an archive the same bytes on every build: names sorted, GNU format,
/// owner and group 0 by number, every mtime `epoch` (SOURCE_DATE_EPOCH); the caller adds the
/// compressor and the files.
pub fn reproducible_tar(epoch: u64) -> Command {
    let mut tar = Command::new("tar");
    tar.args([
        "--sort=name",
        "--format=gnu",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
    ])
    .arg(format!("--mtime=@{epoch}"));
    tar
}

/// Build the tarball and the .deb from binaries in `bin_dir`; returns their paths.
pub fn dist(bin_dir: &Path, version: &str) -> Result<(PathBuf, PathBuf), Fail> {
    let target = crate::target::target_of(bin_dir)?;
    let epoch = source_date_epoch()?;
    let out = crate::target_dir().join("dist");
    fs::create_dir_all(&out).map_err(|e| Fail(format!("{}: {e}", out.display())))?;

    // Tarball.
    let tarball = tarball(
        bin_dir,
        version,
        &format!("nsutils-{version}-{}-linux", target.cpu()),
        epoch,
    )?;

    // Debian package.
    let maintainer = maintainer();
    let deb_stage = out.join(format!("nsutils_{version}_{}", target.deb_arch));
    let _ = fs::remove_dir_all(&deb_stage);
    let mut entries: Vec<install::Entry> = install::layout(bin_dir, false, version, "/usr")?
        .into_iter()
        .map(|mut e| {
            if e.rel.starts_with("share/man/") {
                if let Content::Bytes(b) = &e.content {
                    e.content = Content::Bytes(gzip(b)?);
                    e.rel.push_str(".gz");
                }
            }
            Ok(e)
        })
        .collect::<Result<_, Fail>>()?;
    entries.push(install::Entry {
        rel: "share/doc/nsutils/changelog.gz".into(),
        content: Content::Bytes(gzip(changelog(version, &maintainer, epoch).as_bytes())?),
        mode: 0o644,
    });
    entries.push(install::Entry {
        rel: LINTIAN_OVERRIDES.0.into(),
        content: Content::Bytes(LINTIAN_OVERRIDES.1.as_bytes().to_vec()),
        mode: 0o644,
    });
    install::install(&entries, Path::new("/usr"), Some(&deb_stage), false)?;
    let elves: Vec<PathBuf> = entries
        .iter()
        .filter(|e| matches!(e.content, Content::Copy(_)) && e.mode == 0o755)
        .map(|e| deb_stage.join("usr").join(&e.rel))
        .collect();
    for b in &elves {
        strip(b)?;
    }
    let mut control = format!(
        "Package: nsutils\n\
         Version: {version}\n\
         Architecture: {}\n\
         Maintainer: {maintainer}\n\
         Installed-Size: {}\n",
        target.deb_arch,
        installed_size(&deb_stage)
    );
    if let Some(dep) = libc_depends(&elves, &target.deb_arch) {
        control.push_str(&format!("Depends: {dep}\n"));
    }
    control.push_str(&format!(
        "Static-Built-Using: {}\n",
        copyright::static_built_using(&crate::tools::shipped_packages(), &target.triple)?
    ));
    control.push_str(
        "Section: admin\n\
         Priority: optional\n\
         Description: Linux namespace tools (unshare, nsenter, lsns, ip netns) in Rust\n \
         unshare-rs, nsenter-rs, lsns-rs and netns-rs are drop-in replacements for\n \
         util-linux unshare, nsenter, lsns and iproute2 ip netns: same options, output,\n \
         messages and exit codes. They are installed under their own names, next to\n \
         the originals.\n \
         .\n \
         /usr/lib/nsutils/bin holds unshare, nsenter, lsns and an ip that runs\n \
         netns-rs for ip netns and the real ip for everything else: put it first in\n \
         PATH to use nsutils under the original names. No file of util-linux or\n \
         iproute2 is replaced.\n",
    );
    let md5 = md5sums(&deb_stage)?;
    let debian = deb_stage.join("DEBIAN");
    fs::create_dir_all(&debian).map_err(|e| Fail(format!("{}: {e}", debian.display())))?;
    fs::write(debian.join("control"), control).map_err(|e| Fail(e.to_string()))?;
    fs::write(debian.join("md5sums"), md5).map_err(|e| Fail(e.to_string()))?;
    normalise(&deb_stage, epoch)?;
    let deb = out.join(format!("nsutils_{version}_{}.deb", target.deb_arch));
    run(Command::new("dpkg-deb")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .arg("--root-owner-group")
        .arg("-Zgzip")
        .arg("-z9")
        .arg("--build")
        .arg(&deb_stage)
        .arg(&deb))?;
    let _ = fs::remove_dir_all(&deb_stage);
    Ok((tarball, deb))
}

/// `gzip -9n` of `data` (no name, no timestamp: reproducible).
fn gzip(data: &[u8]) -> Result<Vec<u8>, Fail> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("gzip")
        .arg("-9n")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Fail(format!("cannot run gzip: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Fail("gzip stdin".into()))?;
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child
        .wait_with_output()
        .map_err(|e| Fail(format!("gzip: {e}")))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(Fail("gzip failed".into()));
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_dates() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        // `date -u -R -d @1796136939`
        assert_eq!(rfc2822(1_796_136_939), "Tue, 01 Dec 2026 14:55:39 +0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }
}
