//! Debian's kernels, fetched like the oracle: `linux-image-amd64` of a Debian release and the
//! image, binary and module packages it depends on, downloaded through a private apt state
//! ([`crate::apt`]) and unpacked with `dpkg-deb -x` under `target/kernels/<id>/root`
//! (`$NSUTILS_KERNELS/<id>` when that is set). The image is then copied beside its modules
//! (`lib/modules/<release>/vmlinuz`) and `depmod -b` indexes them, which is the layout
//! virtme-ng boots with `-r`. `root/.complete` is written last, so a half-done fetch is never
//! taken for a cache; `release` holds `RELEASE PACKAGE-VERSION`.

use crate::apt::{mkdirs, unpack, Apt};
use crate::{run, target_dir, Fail};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One Debian release whose kernel the matrix boots.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    /// Our short name for it (`debian12`), the directory under `target/kernels`.
    pub id: &'static str,
    /// The Debian suite it comes from.
    pub suite: &'static str,
    /// Who runs it, for the matrix's header.
    pub distro: &'static str,
    /// The kernel release the matrix was last checked with; another one still works, with a
    /// warning (the suite moved on).
    pub expected: &'static str,
}

/// The kernels of `cargo xtask kernels`, oldest first.
pub const KERNELS: [Kernel; 4] = [
    Kernel {
        id: "debian11",
        suite: "bullseye",
        distro: "Debian 11",
        expected: "5.10.0-32-amd64",
    },
    Kernel {
        id: "debian12",
        suite: "bookworm",
        distro: "Debian 12",
        expected: "6.1.0-50-amd64",
    },
    Kernel {
        id: "debian13",
        suite: "trixie",
        distro: "Debian 13",
        expected: "6.12.117+deb13-amd64",
    },
    Kernel {
        id: "sid",
        suite: "sid",
        distro: "Debian unstable",
        expected: "7.2.13+deb14-amd64",
    },
];

/// Find a kernel by its id, suite or release prefix (`debian11`, `bullseye`, `5.10`), or
/// `oldest`/`newest`.
pub fn by_name(name: &str) -> Result<Kernel, Fail> {
    match name {
        "oldest" => return Ok(KERNELS[0]),
        "newest" => return Ok(KERNELS[KERNELS.len() - 1]),
        _ => {}
    }
    KERNELS
        .iter()
        .find(|k| k.id == name || k.suite == name || k.expected.starts_with(name))
        .copied()
        .ok_or_else(|| {
            let known: Vec<&str> = KERNELS.iter().map(|k| k.id).collect();
            Fail(format!(
                "no kernel {name:?}: one of {}, a suite, a release prefix, oldest or newest",
                known.join(", ")
            ))
        })
}

/// The directory holding every fetched kernel: `$NSUTILS_KERNELS`, else `target/kernels`.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("NSUTILS_KERNELS")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("kernels"))
}

/// A kernel that is unpacked and ready to boot.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// Which one.
    pub kernel: Kernel,
    /// `uname -r` inside (`6.1.0-50-amd64`).
    pub release: String,
    /// The Debian package version (`6.1.176-1`).
    pub package_version: String,
    /// The image, beside its modules.
    pub vmlinuz: PathBuf,
}

/// The kernel's cache, fetched when missing (or when `refresh`).
pub fn fetch(k: Kernel, refresh: bool) -> Result<Fetched, Fail> {
    let dir = cache_dir().join(k.id);
    if !refresh {
        if let Some(f) = cached(k) {
            return Ok(f);
        }
    }
    download(k, &dir)?;
    let f = cached(k).ok_or_else(|| {
        Fail(format!(
            "{}: the fetch finished but left no complete kernel",
            dir.display()
        ))
    })?;
    if f.release != k.expected {
        eprintln!(
            "xtask kernels: warning: {} ships {} now; the matrix was checked with {}",
            k.suite, f.release, k.expected
        );
    }
    Ok(f)
}

/// The cached kernel, when a previous fetch finished.
pub fn cached(k: Kernel) -> Option<Fetched> {
    let dir = cache_dir().join(k.id);
    let root = dir.join("root");
    if !root.join(".complete").is_file() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join("release")).ok()?;
    let (release, version) = text.trim().split_once(' ')?;
    let vmlinuz = root.join("lib/modules").join(release).join("vmlinuz");
    vmlinuz.is_file().then(|| Fetched {
        kernel: k,
        release: release.to_string(),
        package_version: version.to_string(),
        vmlinuz,
    })
}

/// Whether a package of the kernel's dependency closure holds a part of the kernel (the image,
/// or in newer releases its binary and modules), not tools or configuration.
fn is_kernel_package(name: &str) -> bool {
    ["linux-image-", "linux-binary-", "linux-modules-"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn download(k: Kernel, dir: &Path) -> Result<(), Fail> {
    let apt = Apt::new(&dir.join("apt"), k.suite)?;
    eprintln!("xtask kernels: reading Debian {}'s package lists", k.suite);
    apt.update()?;
    let mut pkgs = BTreeMap::new();
    let mut todo = VecDeque::from(["linux-image-amd64".to_string()]);
    let mut meta_version = String::new();
    while let Some(p) = todo.pop_front() {
        if pkgs.contains_key(&p) {
            continue;
        }
        let (version, deps) = apt.show(&p)?;
        if p == "linux-image-amd64" {
            meta_version = version.clone();
        }
        pkgs.insert(p, version);
        todo.extend(deps.into_iter().filter(|d| is_kernel_package(d)));
    }
    eprintln!(
        "xtask kernels: downloading {} ({})",
        pkgs.keys().cloned().collect::<Vec<_>>().join(" "),
        meta_version
    );
    let debs = apt.download(&pkgs)?;
    let fresh = dir.join("root.new");
    let _ = std::fs::remove_dir_all(&fresh);
    unpack(&debs, &fresh)?;
    apt.forget_downloads();
    // Merged-/usr packages (trixie on) ship usr/lib/modules; give depmod and virtme-ng the
    // classic lib/modules either way.
    let usr_mods = fresh.join("usr/lib/modules");
    let lib = fresh.join("lib");
    if usr_mods.is_dir() && !lib.join("modules").exists() {
        mkdirs(&lib)?;
        std::fs::rename(&usr_mods, lib.join("modules"))
            .map_err(|e| Fail(format!("{}: {e}", usr_mods.display())))?;
    }
    let release = image_release(&fresh)?;
    let image = [
        fresh.join("boot").join(format!("vmlinuz-{release}")),
        lib.join("modules").join(&release).join("vmlinuz"),
        fresh.join("usr/lib/modules").join(&release).join("vmlinuz"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .ok_or_else(|| Fail(format!("the packages of {} hold no vmlinuz", k.suite)))?;
    let beside = lib.join("modules").join(&release).join("vmlinuz");
    if image != beside {
        std::fs::copy(&image, &beside).map_err(|e| Fail(format!("{}: {e}", beside.display())))?;
    }
    crate::deps::install_missing(&[("depmod", "kmod")])?;
    run(Command::new("depmod").arg("-b").arg(&fresh).arg(&release))?;
    std::fs::write(fresh.join(".complete"), "")
        .map_err(|e| Fail(format!("{}: {e}", fresh.display())))?;
    let root = dir.join("root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::rename(&fresh, &root).map_err(|e| Fail(format!("{}: {e}", root.display())))?;
    let version = pkgs
        .iter()
        .find(|(p, _)| p.as_str() != "linux-image-amd64")
        .map_or(meta_version, |(_, v)| v.clone());
    let rel = dir.join("release");
    std::fs::write(&rel, format!("{release} {version}\n"))
        .map_err(|e| Fail(format!("{}: {e}", rel.display())))?;
    Ok(())
}

/// The one kernel release the unpacked packages hold modules for.
fn image_release(root: &Path) -> Result<String, Fail> {
    let mods = root.join("lib/modules");
    let mut found: Vec<String> = std::fs::read_dir(&mods)
        .map_err(|e| Fail(format!("{}: {e}", mods.display())))?
        .flatten()
        .filter(|e| e.path().join("kernel").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Fail(format!(
            "{}: expected modules of one kernel release, found {found:?}",
            mods.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_parts_only() {
        assert!(is_kernel_package("linux-image-6.1.0-50-amd64"));
        assert!(is_kernel_package("linux-modules-7.2.13+deb14-amd64"));
        assert!(!is_kernel_package("linux-base"));
        assert!(!is_kernel_package("initramfs-tools"));
    }

    #[test]
    fn names_resolve() {
        assert_eq!(by_name("oldest").unwrap().id, "debian11");
        assert_eq!(by_name("newest").unwrap().id, "sid");
        assert_eq!(by_name("bookworm").unwrap().id, "debian12");
        assert_eq!(by_name("6.12").unwrap().id, "debian13");
        assert!(by_name("4.18").is_err());
    }
}
