//! What the binaries were built for: the target triple (from the directory cargo put them in,
//! or the host rustc's) and Debian's name of its architecture, which name the tarball and the
//! .deb and choose the crates the copyright file lists.

use crate::Fail;
use std::path::Path;
use std::process::Command;

/// What the binaries were built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The Rust target triple (`x86_64-unknown-linux-gnu`).
    pub triple: String,
    /// Debian's name of the architecture (`amd64`).
    pub deb_arch: String,
}

impl Target {
    /// The CPU part of the triple (`x86_64`), for the tarball's name.
    pub fn cpu(&self) -> &str {
        self.triple.split('-').next().unwrap_or("unknown")
    }
}

/// Debian's architecture name for a Rust target triple.
pub fn deb_arch(triple: &str) -> Option<&'static str> {
    let cpu = triple.split('-').next()?;
    let abi = triple.rsplit('-').next().unwrap_or_default();
    Some(match cpu {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i586" | "i686" => "i386",
        c if c.starts_with("arm") || c.starts_with("thumbv7") => {
            if abi.ends_with("hf") {
                "armhf"
            } else {
                "armel"
            }
        }
        c if c.starts_with("riscv64") => "riscv64",
        "powerpc64le" => "ppc64el",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        "loongarch64" => "loong64",
        "mips64el" => "mips64el",
        "mipsel" => "mipsel",
        _ => return None,
    })
}

/// The target of the binaries in `bin_dir`: `.../<triple>/<profile>` names it; otherwise
/// they are cargo's host builds (`target/release`), for the host rustc's triple.
pub fn target_of(bin_dir: &Path) -> Result<Target, Fail> {
    let from_path = bin_dir
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.contains("-linux"));
    let triple = match from_path {
        Some(t) => t,
        None => {
            let out = rustc()
                .arg("-vV")
                .output()
                .map_err(|e| Fail(format!("cannot run rustc -vV: {e}")))?;
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: "))
                .map(str::to_string)
                .ok_or_else(|| Fail("rustc -vV names no host triple".into()))?
        }
    };
    let arch = deb_arch(&triple)
        .ok_or_else(|| Fail(format!("no Debian architecture known for {triple}")))?;
    Ok(Target {
        deb_arch: arch.to_string(),
        triple,
    })
}

/// The rustc to ask about the toolchain: `RUSTC`, else the one beside the cargo that built
/// xtask (so it works under `sudo` without the user's PATH), else `rustc` from PATH.
pub fn rustc() -> Command {
    let sibling = Path::new(env!("CARGO")).with_file_name("rustc");
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| {
        if sibling.is_file() {
            sibling.into_os_string()
        } else {
            "rustc".into()
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architectures_from_triples() {
        for (t, a) in [
            ("x86_64-unknown-linux-gnu", "amd64"),
            ("aarch64-unknown-linux-gnu", "arm64"),
            ("armv7-unknown-linux-gnueabihf", "armhf"),
            ("arm-unknown-linux-gnueabi", "armel"),
            ("i686-unknown-linux-gnu", "i386"),
            ("riscv64gc-unknown-linux-gnu", "riscv64"),
            ("powerpc64le-unknown-linux-gnu", "ppc64el"),
            ("s390x-unknown-linux-gnu", "s390x"),
        ] {
            assert_eq!(deb_arch(t), Some(a), "{t}");
        }
        assert_eq!(deb_arch("wasm32-unknown-unknown"), None);
        let t = target_of(Path::new("/x/target/aarch64-unknown-linux-gnu/release")).unwrap();
        assert_eq!((t.deb_arch.as_str(), t.cpu()), ("arm64", "aarch64"));
    }
}
