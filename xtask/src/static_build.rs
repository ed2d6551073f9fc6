//! The static build (`cargo xtask dist --static`, `bench --static`, `static-build`): the four
//! binaries linked with `+crt-static` for containers and initramfs images, checked at link
//! time to contain none of the C library's NSS functions.
//!
//! - Static and not position-independent (`-C relocation-model=static`): a static-pie binary
//!   relocates itself at every start (about 1,900 relocations, a third of a trivial call's user
//!   time, and six more pages written); a fixed address costs ASLR of the executable image only
//!   (stack, heap and mappings stay randomised), as for busybox-static.
//! - Linked by the system's GNU ld, not rust-lld: glibc marks its NSS functions with link-time
//!   warnings ("Using 'getpwnam' in statically linked applications requires at runtime the
//!   shared libraries ...") that only GNU ld prints, and GNU ld writes the link map below. Rust
//!   1.90 and later link with rust-lld by default and take `-C linker-features=-lld` to go back
//!   to the system linker; earlier releases (Debian 13's 1.85) use it already and reject the
//!   option, so it is passed only when the toolchain accepts it ([`Toolchain`]).
//! - Three checks, so that no toolchain can hide an NSS function: the link map of each binary
//!   (`-Wl,-Map`, written by every GNU ld) names every archive member the link pulled in and the
//!   symbol it was pulled in for ([`check_link_map`]); `--trace-symbol` for every NSS function
//!   and `-W linker-messages` make the linker say whether anything references one of them, and
//!   glibc's warning shows up there too ([`check_link_output`]; rustc before 1.87 has no
//!   `linker-messages` lint and drops the linker's output, so there this check sees nothing);
//!   and `nm` on the (unstripped) result. nscore takes the getent path for names in such a build
//!   (see `nscore::users`).
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

/// Where the linker writes each binary's link map (`<deps file name>.map`).
pub fn maps_dir() -> PathBuf {
    target_dir().join("link-maps")
}

/// What the Rust toolchain that builds the static binaries accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// `-C linker-features` (stable since Rust 1.90, where rust-lld became the default linker).
    pub linker_features: bool,
    /// The `linker_messages` lint (Rust 1.87), without which rustc drops the linker's output.
    pub linker_messages: bool,
}

impl Toolchain {
    /// Ask the `rustc` that cargo runs (`$RUSTC`, else `rustc` in PATH, which rustup points at
    /// the toolchain running us).
    pub fn probe() -> Toolchain {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let ask = |args: &[&str]| {
            Command::new(&rustc)
                .args(args)
                .args(["--print", "sysroot"])
                .output()
                .ok()
        };
        let linker_features =
            ask(&["-C", "linker-features=-lld"]).is_some_and(|o| o.status.success());
        let linker_messages = ask(&["-W", "linker-messages"]).is_some_and(|o| {
            o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("unknown lint")
        });
        Toolchain {
            linker_features,
            linker_messages,
        }
    }
}

/// The rustc flags of the static build with `toolchain`, one word each (passed as
/// `CARGO_ENCODED_RUSTFLAGS`, so a checkout path with spaces stays one word).
pub fn rustflags(toolchain: Toolchain) -> Vec<String> {
    let trace: Vec<String> = NSS_SYMBOLS
        .iter()
        .map(|s| format!("--trace-symbol={s}"))
        .collect();
    let mut flags: Vec<String> = [
        "-C",
        "target-feature=+crt-static",
        "-C",
        "relocation-model=static",
    ]
    .map(String::from)
    .to_vec();
    flags.push("-C".into());
    flags.push(format!("link-arg=-Wl,-Map={}/", maps_dir().display()));
    flags.push("-C".into());
    flags.push(format!("link-arg=-Wl,{}", trace.join(",")));
    if toolchain.linker_features {
        flags.extend(["-C".into(), "linker-features=-lld".into()]);
    }
    if toolchain.linker_messages {
        flags.extend(["-W".into(), "linker-messages".into()]);
    }
    flags
}

/// Fail with the package to install when the C compiler cannot find the C library's static
/// archive (`cc -print-file-name=libc.a` answers the bare name then).
fn need_static_libc() -> Result<(), Fail> {
    let out = Command::new("cc")
        .arg("-print-file-name=libc.a")
        .output()
        .map_err(|e| {
            Fail(format!(
                "the static build needs a C compiler (cc: {e}): install gcc"
            ))
        })?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || !Path::new(&path).is_absolute() {
        return Err(Fail(
            "the static build needs the C library's static archive libc.a: install libc6-dev"
                .into(),
        ));
    }
    Ok(())
}

/// What is wrong in a GNU ld link map: each archive member pulled in for an NSS function, and
/// each NSS member (`libc.a(getpwnam.o)`, `libc.a(nsswitch.o)`) pulled in at all. The map's
/// first section lists a member on one line and, on the next, the file and symbol it was
/// included for: `    main.o (getpwuid)`.
pub fn check_link_map(map: &str) -> Vec<String> {
    const HEADING: &str = "Archive member included to satisfy reference by file (symbol)\n";
    let section = map
        .split_once(HEADING)
        .map(|(_, rest)| rest.trim_start_matches('\n'))
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or("");
    let mut bad = Vec::new();
    for line in section.lines() {
        let l = line.trim();
        let member = l
            .rsplit_once('(')
            .and_then(|(_, m)| m.strip_suffix(')'))
            .unwrap_or("");
        let name = member.strip_suffix(".o").unwrap_or(member);
        let name = name.trim_start_matches('_');
        if NSS_SYMBOLS.contains(&name) || name == "nsswitch" {
            bad.push(l.to_string());
        }
    }
    bad
}

/// The link map of the binary `bin`: the map named after the deps file that `bin` is a hard
/// link of (cargo links `deps/NAME-HASH` and hard-links it as `NAME`).
pub fn link_map_of(bin: &Path) -> Result<String, Fail> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(bin).map_err(|e| Fail(format!("{}: {e}", bin.display())))?;
    let deps = bin.with_file_name("deps");
    let entries = std::fs::read_dir(&deps).map_err(|e| Fail(format!("{}: {e}", deps.display())))?;
    for entry in entries.flatten() {
        let same = entry
            .metadata()
            .is_ok_and(|m| m.ino() == meta.ino() && m.dev() == meta.dev());
        if same {
            let mut name = entry.file_name();
            name.push(".map");
            let map = maps_dir().join(name);
            return std::fs::read_to_string(&map).map_err(|e| {
                Fail(format!(
                    "no link map for {}: {}: {e}",
                    bin.display(),
                    map.display()
                ))
            });
        }
    }
    Err(Fail(format!(
        "{} is not a hard link of a file in {}",
        bin.display(),
        deps.display()
    )))
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
    // The caller's RUSTFLAGS (split on whitespace, as cargo splits them) come first.
    let mut flags: Vec<String> = std::env::var("RUSTFLAGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    flags.extend(rustflags(Toolchain::probe()));
    need_static_libc()?;
    std::fs::create_dir_all(maps_dir())
        .map_err(|e| Fail(format!("{}: {e}", maps_dir().display())))?;
    let out = crate::cargo()
        .args(["build", "--release", "--target", TARGET])
        .args(crate::tools::package_args())
        .env_remove("RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"))
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
        let bad = check_link_map(&link_map_of(&dir.join(bin))?);
        if !bad.is_empty() {
            return Err(Fail(format!(
                "{bin} links NSS functions of the C library:\n  {}",
                bad.join("\n  ")
            )));
        }
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

    #[test]
    fn link_map_check_catches_nss_members() {
        let map = "Archive member included to satisfy reference by file (symbol)\n\n\
                   /usr/lib/x86_64-linux-gnu/libc.a(dlopen.o)\n\
                   \x20                             x.rcgu.o (dlopen)\n\
                   /usr/lib/x86_64-linux-gnu/libc.a(getpwuid.o)\n\
                   \x20                             x.rcgu.o (getpwuid)\n\
                   /usr/lib/x86_64-linux-gnu/libc.a(getpwuid_r.o)\n\
                   \x20                             libc.a(getpwuid.o) (__getpwuid_r)\n\
                   /usr/lib/x86_64-linux-gnu/libc.a(nsswitch.o)\n\
                   \x20                             libc.a(getpwuid_r.o) (__nss_next2)\n\n\
                   Discarded input sections\n\n libc.a(getgrnam.o)\n";
        let bad = check_link_map(map);
        assert_eq!(bad.len(), 5, "{bad:?}");
        let clean = "Archive member included to satisfy reference by file (symbol)\n\n\
                     /usr/lib/x86_64-linux-gnu/libc.a(dlopen.o)\n\
                     \x20                             x.rcgu.o (dlopen)\n\n";
        assert!(check_link_map(clean).is_empty());
        assert!(check_link_map("").is_empty());
    }
}
