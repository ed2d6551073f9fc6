//! The static build (`cargo xtask dist --static`, `bench --static`, `static-build`): the four
//! binaries linked with `+crt-static` for containers and initramfs images, checked at link
//! time to contain none of the C library's NSS functions.
//!
//! - Static and not position-independent (`-C relocation-model=static`): a static-pie binary
//!   relocates itself at every start (about 1,900 relocations, a third of a trivial call's user
//!   time, and six more pages written); a fixed address costs ASLR of the executable image only
//!   (stack, heap and mappings stay randomised), as for busybox-static.
//! - Linked by the system's GNU ld (`-C linker-features=-lld`), not rust-lld: glibc marks its
//!   NSS functions with link-time warnings ("Using 'getpwnam' in statically linked applications
//!   requires at runtime the shared libraries ...") that only GNU ld prints.
//! - `--trace-symbol` for every NSS function and `-W linker-messages` make the linker say
//!   whether anything references or pulls in one of them; [`check_link_output`] fails the build
//!   if it does or if glibc's warning appears, and `nm` confirms it on the (unstripped) result.
//!   nscore takes the getent path for names in such a build (see `nscore::users`).
//! - Its own target directory (`target/static`), so it never invalidates the dynamic build.
//!
//! Cargo replays cached linker messages when nothing changed, so the check holds on a no-op
//! rebuild too. The messages are kept in `target/static/link-messages.txt` for the tests.

use crate::{run, Fail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target triple the static build is made for.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// The C library's functions that go through NSS (and so `dlopen` modules when static).
pub const NSS_SYMBOLS: &[&str] = &[
    "getpwnam",
    "getpwnam_r",
    "getpwuid",
    "getpwuid_r",
    "getpwent",
    "getpwent_r",
    "getgrnam",
    "getgrnam_r",
    "getgrgid",
    "getgrgid_r",
    "getgrent",
    "getgrent_r",
    "getgrouplist",
    "initgroups",
    "getspnam",
    "getspnam_r",
    "getlogin",
    "getlogin_r",
    "gethostbyname",
    "gethostbyname_r",
    "gethostbyname2",
    "gethostbyaddr",
    "getaddrinfo",
    "getnameinfo",
    "getservbyname",
    "getservbyport",
    "getprotobyname",
    "getprotobynumber",
    "getnetgrent",
    "innetgr",
];

/// The static build's own target directory.
pub fn target_dir() -> PathBuf {
    crate::target_dir().join("static")
}

/// Where the static binaries are.
pub fn bin_dir() -> PathBuf {
    target_dir().join(TARGET).join("release")
}

/// The linker messages of the last build.
pub fn messages_file() -> PathBuf {
    target_dir().join("link-messages.txt")
}

/// The RUSTFLAGS of the static build.
pub fn rustflags() -> String {
    let trace: Vec<String> = NSS_SYMBOLS
        .iter()
        .map(|s| format!("--trace-symbol={s}"))
        .collect();
    format!(
        "-C target-feature=+crt-static -C relocation-model=static -C linker-features=-lld \
         -C link-arg=-Wl,{} -W linker-messages",
        trace.join(",")
    )
}

/// What is wrong in the linker's messages: each reference to or definition of an NSS function,
/// and each of glibc's static-NSS warnings. Empty when the link is clean.
pub fn check_link_output(text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.contains("in statically linked applications") {
            bad.push(l.to_string());
            continue;
        }
        for what in ["reference to ", "definition of "] {
            if let Some(at) = l.find(what) {
                let sym = l[at + what.len()..].trim();
                // `lazy definition` (rust-lld: seen in an archive, not pulled in) is harmless.
                let lazy = l[..at].ends_with("lazy ");
                if NSS_SYMBOLS.contains(&sym) && !lazy {
                    bad.push(l.to_string());
                }
            }
        }
    }
    bad
}

/// NSS functions in a binary's symbol table (`nm`; the static build keeps its symbols).
pub fn nss_symbols_in(bin: &Path) -> Result<Vec<String>, Fail> {
    let out = Command::new("nm")
        .arg(bin)
        .output()
        .map_err(|e| Fail(format!("cannot run nm: {e}")))?;
    if !out.status.success() {
        return Err(Fail(format!(
            "nm {}: {}",
            bin.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|s| s.split('@').next().unwrap_or(s))
        .filter(|s| NSS_SYMBOLS.contains(s))
        .map(str::to_string)
        .collect())
}

/// Build the four static binaries (unstripped: the tarball strips its copies) and check the
/// link; returns their directory.
pub fn build() -> Result<PathBuf, Fail> {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(' ');
    }
    flags.push_str(&rustflags());
    let out = crate::cargo()
        .args(["build", "--release", "--target", TARGET])
        .args(crate::tools::package_args())
        .env("RUSTFLAGS", flags)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_RELEASE_STRIP", "none")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| Fail(format!("cannot run cargo: {e}")))?;
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::create_dir_all(target_dir());
    std::fs::write(messages_file(), &text)
        .map_err(|e| Fail(format!("{}: {e}", messages_file().display())))?;
    if !out.status.success() {
        eprint!("{text}");
        return Err(Fail("the static build failed".into()));
    }
    let bad = check_link_output(&text);
    if !bad.is_empty() {
        return Err(Fail(format!(
            "the static build links NSS functions of the C library:\n  {}",
            bad.join("\n  ")
        )));
    }
    let dir = bin_dir();
    for bin in crate::tools::binaries() {
        let found = nss_symbols_in(&dir.join(bin))?;
        if !found.is_empty() {
            return Err(Fail(format!(
                "{bin} contains NSS functions: {}",
                found.join(", ")
            )));
        }
    }
    Ok(dir)
}

/// `cargo xtask static-suite`: the whole test suite again, against the static binaries
/// (`NSUTILS_BIN_DIR`, which the test kit's `Ours` and `sandbox` honour), so the static build
/// is held to the same bytes, messages and statuses as the dynamic one. `args` go to
/// `cargo test` after `--workspace --locked --no-fail-fast`.
pub fn suite(args: &[String]) -> Result<(), Fail> {
    let dir = build()?;
    let status = crate::cargo()
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(args)
        .env("NSUTILS_BIN_DIR", &dir)
        .status()
        .map_err(|e| Fail(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return Err(Fail(format!(
            "the test suite failed against the static binaries in {}",
            dir.display()
        )));
    }
    Ok(())
}

/// `target/dist/nsutils-VERSION-CPU-linux-static.tar.gz`: the static binaries (stripped),
/// man pages, completions, README and licences, laid out as `cargo xtask install` would.
pub fn tarball(bin_dir: &Path, version: &str) -> Result<PathBuf, Fail> {
    let cpu = crate::target::target_of(bin_dir)?.cpu().to_string();
    let name = format!("nsutils-{version}-{cpu}-linux-static");
    let stripped = target_dir().join("stripped");
    let _ = std::fs::remove_dir_all(&stripped);
    std::fs::create_dir_all(&stripped).map_err(|e| Fail(format!("{}: {e}", stripped.display())))?;
    for bin in crate::tools::binaries() {
        run(Command::new("strip")
            .arg("-o")
            .arg(stripped.join(bin))
            .arg(bin_dir.join(bin)))?;
    }
    let tarball =
        crate::dist::tarball(&stripped, version, &name, crate::dist::source_date_epoch()?)?;
    let _ = std::fs::remove_dir_all(&stripped);
    Ok(tarball)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_check_catches_references_definitions_and_warnings() {
        let clean = "/usr/bin/ld: libc.a(dlopen.o): definition of dlopen\n\
                     libc.a(getpwnam.o): lazy definition of getpwnam\n";
        assert!(check_link_output(clean).is_empty());
        for bad in [
            "/usr/bin/ld: x.rcgu.o: reference to getpwuid_r",
            "/usr/bin/ld: libc.a(getgrnam_r.o): definition of getgrnam_r",
            "x.o:(.text+0x9): Using 'getpwnam' in statically linked applications requires at \
             runtime the shared libraries from the glibc version used for linking",
        ] {
            assert_eq!(check_link_output(bad).len(), 1, "{bad}");
        }
    }
}
