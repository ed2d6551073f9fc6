//! `cargo xtask dist`: the release tarball and the Debian package, both staged from the same
//! [`install::layout`] as `cargo xtask install`.
//!
//! - `target/dist/nsutils-<version>-x86_64-linux.tar.gz`: `bin/`, `share/...` as installed
//!   under a prefix, plus README.md and the licence files at the top.
//! - `target/dist/nsutils_<version>_amd64.deb`: the layout under `/usr`, man pages gzipped
//!   (Debian policy 12.1), built with `dpkg-deb --root-owner-group --build`. It ships only the
//!   `-rs` names, so it replaces no file of util-linux or iproute2: no `Conflicts`, no
//!   `Replaces`, and no `Provides` (claiming `util-linux` would be false).

use crate::install::{self, Content};
use crate::{run, workspace_root, Fail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The licence texts shipped, as files at the workspace root.
pub const LICENSE_FILES: &[&str] = &["LICENSE", "LICENSE-APACHE"];

/// `/usr/share/doc/nsutils/copyright`: the licence terms (MIT text in full; Apache-2.0 by
/// reference to the system's common-licenses, as Debian does).
pub fn copyright() -> String {
    let mit = fs::read_to_string(workspace_root().join("LICENSE")).unwrap_or_default();
    format!(
        "nsutils: Linux namespace tools\n\
         Source: {repo}\n\n\
         nsutils is licensed under the MIT licence or the Apache License 2.0, at your option.\n\
         The Apache License 2.0 is in /usr/share/common-licenses/Apache-2.0 on Debian systems.\n\n\
         {mit}",
        repo = "https://example.invalid/nsutils",
    )
}

/// The dependency on the C library, from `dpkg-shlibdeps` when it can work it out (e.g.
/// `libc6 (>= 2.34)`), else plain `libc6`. A fully static build depends on nothing.
fn libc_depends(bins: &[PathBuf]) -> Option<String> {
    let tmp = std::env::temp_dir().join(format!("xtask-shlibdeps-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(tmp.join("debian")).ok()?;
    fs::write(
        tmp.join("debian/control"),
        "Source: nsutils\n\nPackage: nsutils\nArchitecture: amd64\n",
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

/// Total size of regular files under `dir`, in KiB, for `Installed-Size`.
fn du_kib(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let Ok(m) = fs::symlink_metadata(e.path()) else {
                continue;
            };
            if m.is_dir() {
                total += du_kib(&e.path()) * 1024;
            } else {
                total += m.len();
            }
        }
    }
    total.div_ceil(1024)
}

/// Build the tarball and the .deb from binaries in `bin_dir`; returns their paths.
pub fn dist(bin_dir: &Path, version: &str) -> Result<(PathBuf, PathBuf), Fail> {
    let out = crate::target_dir().join("dist");
    fs::create_dir_all(&out).map_err(|e| Fail(format!("{}: {e}", out.display())))?;

    // Tarball.
    let name = format!("nsutils-{version}-x86_64-linux");
    let stage = out.join(&name);
    let _ = fs::remove_dir_all(&stage);
    let mut entries = install::layout(bin_dir, false, version, "/usr/local");
    for f in ["README.md"].iter().chain(LICENSE_FILES) {
        entries.push(install::Entry {
            rel: f.to_string(),
            content: Content::Copy(workspace_root().join(f)),
            mode: 0o644,
        });
    }
    install::install(&entries, Path::new("/"), Some(&stage), false)?;
    let tarball = out.join(format!("{name}.tar.gz"));
    let mtime = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_else(|_| "0".into());
    run(Command::new("tar")
        .arg("--sort=name")
        .arg("--owner=0")
        .arg("--group=0")
        .arg("--numeric-owner")
        .arg(format!("--mtime=@{mtime}"))
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&out)
        .arg(&name))?;
    let _ = fs::remove_dir_all(&stage);

    // Debian package.
    let deb_stage = out.join(format!("nsutils_{version}_amd64"));
    let _ = fs::remove_dir_all(&deb_stage);
    let entries: Vec<install::Entry> = install::layout(bin_dir, false, version, "/usr")
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
    install::install(&entries, Path::new("/usr"), Some(&deb_stage), false)?;
    let bins: Vec<PathBuf> = crate::tools::TOOLS
        .iter()
        .map(|t| bin_dir.join(t.bin))
        .collect();
    let mut control = format!(
        "Package: nsutils\n\
         Version: {version}\n\
         Architecture: amd64\n\
         Maintainer: nsutils developers <nsutils@example.invalid>\n\
         Installed-Size: {}\n",
        du_kib(&deb_stage)
    );
    if let Some(dep) = libc_depends(&bins) {
        control.push_str(&format!("Depends: {dep}\n"));
    }
    control.push_str(
        "Section: admin\n\
         Priority: optional\n\
         Homepage: https://example.invalid/nsutils\n\
         Description: Linux namespace tools (unshare, nsenter, lsns, ip netns) in Rust\n \
         unshare-rs, nsenter-rs, lsns-rs and netns-rs are drop-in replacements for\n \
         util-linux unshare, nsenter, lsns and iproute2 ip netns: same options, output,\n \
         messages and exit codes. They are installed under their own names, next to\n \
         the originals.\n",
    );
    let debian = deb_stage.join("DEBIAN");
    fs::create_dir_all(&debian).map_err(|e| Fail(format!("{}: {e}", debian.display())))?;
    fs::write(debian.join("control"), control).map_err(|e| Fail(e.to_string()))?;
    let deb = out.join(format!("nsutils_{version}_amd64.deb"));
    run(Command::new("dpkg-deb")
        .arg("--root-owner-group")
        .arg("-Zgzip")
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
