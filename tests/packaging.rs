//! Packaging (issues 8 and 15): `cargo xtask install --drop-in` into a temporary DESTDIR, the
//! installed binaries' `--version` and `--help` (closing line naming the page of the name
//! invoked), every man page through `man --warnings -l`, the bash completion loaded in a
//! non-interactive bash, `cargo xtask uninstall` leaving DESTDIR empty, `cargo xtask dist`'s
//! .deb listing matching the install layout, lintian finding nothing to say about it, two dist
//! runs giving the same bytes, and the drop-in directory (`lib/nsutils/bin`, first in PATH)
//! behaving as the originals in a sandbox, with our programs doing the work.
//!
//! The xtask binary is run with `--from target/debug` (the debug binaries cargo already built),
//! so no release build happens here. The test first runs `cargo build -p xtask -p <tools>` (a
//! no-op after `cargo test --workspace`), so it never uses a stale xtask.

use nsutils_testkit::{run_ok as run, target_dir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TOOLS: [&str; 4] = ["unshare-rs", "nsenter-rs", "lsns-rs", "netns-rs"];
const DROP_IN: [&str; 3] = ["unshare", "nsenter", "lsns"];
/// The drop-in directory under the prefix.
const DROP_IN_DIR: &str = "lib/nsutils/bin";

/// `cargo xtask dist` writes target/dist: one run at a time.
fn dist_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `cargo xtask dist --from target/debug`; returns (tarball, deb) paths.
fn dist() -> (PathBuf, PathBuf) {
    dist_with(&[])
}

/// [`dist`] with these environment variables set.
fn dist_with(env: &[(&str, &str)]) -> (PathBuf, PathBuf) {
    let mut cmd = Command::new(xtask());
    cmd.arg("dist").arg("--from").arg(target_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd);
    let text = String::from_utf8_lossy(&out.stdout);
    let find = |suffix: &str| {
        text.lines()
            .find(|l| l.ends_with(suffix))
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("dist prints no {suffix} path: {text}"))
    };
    (find(".tar.gz"), find(".deb"))
}

/// Debian's name of this machine's architecture (what the binaries were built for).
fn deb_arch() -> String {
    let out = run(Command::new("dpkg").arg("--print-architecture"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The xtask binary, (re)built once per test run together with the four tools, so the pages
/// and completions come from the current sources (a no-op when cargo already built them).
fn xtask() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = target_dir();
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "-p", "xtask", "-p", "ip-shim"]);
            for t in TOOLS {
                cmd.args(["-p", t]);
            }
            if dir.ends_with("release") {
                cmd.arg("--release");
            }
            let st = cmd
                .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
                .status()
                .expect("cannot run cargo build");
            assert!(st.success(), "cargo build -p xtask failed");
            dir.join("xtask")
        })
        .clone()
}

/// A fresh, empty temporary directory.
fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nsutils-packaging-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn install(destdir: &Path, prefix: &str, drop_in: bool) {
    let mut cmd = Command::new(xtask());
    cmd.args(["install", "--prefix", prefix, "--destdir"])
        .arg(destdir)
        .arg("--from")
        .arg(target_dir());
    if drop_in {
        cmd.arg("--drop-in");
    }
    run(&mut cmd);
}

/// Every non-directory under `root`, as absolute paths relative to it (`/usr/bin/lsns-rs`).
fn files_under(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if e.file_type().expect("file_type").is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(format!(
                    "/{}",
                    p.strip_prefix(root).expect("under root").display()
                ));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn require(prog: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {prog}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{prog} is needed by this test (.ci/run installs it: apt-get install -y man-db dpkg)"
    );
}

/// Run the bash completion registered for `cmd` on `words` (the last one is completed), the
/// way bash calls it, and return COMPREPLY sorted.
fn bash_complete(file: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        r#"source "$1" || exit 3
spec=$(complete -p {cmd}) || exit 4
f=$(printf '%s\n' "$spec" | sed -n 's/.*-F \([^ ]*\).*/\1/p')
[ -n "$f" ] || exit 5
COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
"$f" {cmd} "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        cmd = words[0],
        words = quoted.join(" ")
    );
    let out = run(Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script, "bash"])
        .arg(file));
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn install_drop_in_man_pages_completion_and_uninstall() {
    require("man");
    let dest = tempdir("install");
    install(&dest, "/usr/local", true);
    // Installing twice is idempotent.
    install(&dest, "/usr/local", true);
    let root = dest.join("usr/local");
    let files = files_under(&dest);
    for t in TOOLS {
        assert!(
            files.contains(&format!("/usr/local/bin/{t}")),
            "{t} not installed: {files:?}"
        );
        for c in [
            format!("/usr/local/share/bash-completion/completions/{t}"),
            format!("/usr/local/share/zsh/site-functions/_{t}"),
            format!("/usr/local/share/fish/vendor_completions.d/{t}.fish"),
        ] {
            assert!(files.contains(&c), "{c} not installed");
        }
    }
    for d in DROP_IN {
        let link = root.join("bin").join(d);
        assert_eq!(
            std::fs::read_link(&link).expect("drop-in link"),
            Path::new(&format!("{d}-rs"))
        );
    }

    // Every man page (and drop-in man link) renders without warnings.
    let pages: Vec<&String> = files
        .iter()
        .filter(|f| f.contains("/share/man/man"))
        .collect();
    assert_eq!(pages.len(), 4 + 3, "{pages:?}");
    for p in pages {
        let out = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(dest.join(&p[1..]))
            .env("MANWIDTH", "80")
            // Set to anything, it keeps the overstrike bold in the output.
            .env_remove("MAN_KEEP_FORMATTING")
            .output()
            .expect("man");
        assert!(out.status.success(), "man -l {p}: {}", out.status);
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "man -l {p} warned"
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for section in [
            "NAME",
            "SYNOPSIS",
            "OPTIONS",
            "DIFFERENCES FROM",
            "SEE ALSO",
        ] {
            assert!(text.contains(section), "{p} has no {section}:\n{text}");
        }
    }

    // The bash completion of lsns-rs offers the namespace types after -t (the list lsns
    // --help gives for --type) and completes long options.
    let comp = root.join("share/bash-completion/completions/lsns-rs");
    let types = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"];
    assert_eq!(bash_complete(&comp, &["lsns-rs", "-t", ""]), types);
    assert_eq!(bash_complete(&comp, &["lsns-rs", "--type", "ne"]), ["net"]);
    assert_eq!(bash_complete(&comp, &["lsns-rs", "--ty"]), ["--type"]);

    let uninstall = run(Command::new(xtask())
        .args([
            "uninstall",
            "--prefix",
            "/usr/local",
            "--drop-in",
            "--destdir",
        ])
        .arg(&dest));
    let left: Vec<_> = std::fs::read_dir(&dest).expect("read_dir").collect();
    assert!(
        left.is_empty(),
        "DESTDIR not empty after uninstall ({}): {:?}",
        String::from_utf8_lossy(&uninstall.stdout),
        files_under(&dest)
    );
    std::fs::remove_dir(&dest).expect("remove DESTDIR");
}

#[test]
fn installed_binaries_answer_version_and_help() {
    let dest = tempdir("version");
    install(&dest, "/usr", true);
    let bin = dest.join("usr/bin");
    for name in TOOLS.iter().chain(DROP_IN.iter()) {
        // ip reads `--version` as `-version`, which it does not know: its version option is
        // `-V` (spec ip-netns.md section 1.1).
        let version = if *name == "netns-rs" {
            "-V"
        } else {
            "--version"
        };
        let out = Command::new(bin.join(name))
            .arg(version)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name} --version: {}", out.status);
        if *name == "netns-rs" {
            // The common brief's `<prog> from nsutils <version>`, with argv[0]'s name.
            assert_eq!(
                stdout,
                format!("netns-rs from nsutils {VERSION}\n"),
                "{name} -V"
            );
        } else {
            assert_eq!(
                stdout,
                format!("{name} from nsutils {VERSION}\n"),
                "{name} --version"
            );
        }
        let out = Command::new(bin.join(name))
            .arg("--help")
            .output()
            .expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if *name == "netns-rs" {
            // `ip -help` prints its usage on stderr and exits 255 (checked against ip itself).
            let orig = Command::new("/usr/sbin/ip")
                .arg("--help")
                .output()
                .expect("run ip");
            assert_eq!(
                out.status.code(),
                orig.status.code(),
                "{name} --help: {all:?}"
            );
            assert!(
                out.stdout.is_empty() && all.starts_with("Usage: "),
                "{name} --help: {all:?}"
            );
        } else {
            assert!(out.status.success(), "{name} --help: {}", out.status);
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("Usage:"),
                "{name} --help: {all:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dest).expect("cleanup");
}

#[test]
fn dist_deb_matches_install_layout() {
    require("dpkg-deb");
    let _lock = dist_lock();
    // The maintainer as Debian's tools take it: DEBFULLNAME, and DEBEMAIL's address.
    let (tarball, deb) = dist_with(&[
        ("DEBFULLNAME", "Jane Packager"),
        ("DEBEMAIL", "Someone Else <jane@packager.test>"),
    ]);
    let arch = deb_arch();
    assert!(
        deb.ends_with(format!("nsutils_{VERSION}_{arch}.deb")),
        "{}",
        deb.display()
    );

    // dpkg -c: the files (not directories) of the package, man pages without their .gz.
    let listing = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let mut in_deb: BTreeSet<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter(|l| !l.starts_with('d'))
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(|p| {
            let p = p.trim_start_matches('.');
            if p.contains("/share/man/") {
                p.trim_end_matches(".gz").to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    // What only the package has: Debian's changelog and lintian's overrides.
    for f in [
        "/usr/share/doc/nsutils/changelog.gz",
        "/usr/share/lintian/overrides/nsutils",
    ] {
        assert!(in_deb.remove(f), "{f} not in the .deb");
    }

    let dest = tempdir("layout");
    install(&dest, "/usr", false);
    let mut installed = files_under(&dest);
    assert!(installed.remove("/usr/share/nsutils/install-manifest"));
    std::fs::remove_dir_all(&dest).expect("cleanup");
    assert_eq!(in_deb, installed, "dpkg -c differs from the install layout");
    for f in [
        "/usr/lib/nsutils/bin/ip",
        "/usr/lib/nsutils/bin/unshare",
        "/usr/share/doc/nsutils/COMPATIBILITY.md",
    ] {
        assert!(installed.contains(f), "{f} not installed");
    }

    let control = run(Command::new("dpkg-deb").arg("-f").arg(&deb));
    let control = String::from_utf8_lossy(&control.stdout);
    assert!(control.contains("Package: nsutils\n"), "{control}");
    assert!(
        control.contains(&format!("Architecture: {arch}\n")),
        "{control}"
    );
    assert!(
        control.contains(&format!("Version: {VERSION}\n")),
        "{control}"
    );
    assert!(control.contains("Depends: libc6"), "{control}");
    assert!(!control.contains("Conflicts:"), "{control}");
    assert!(!control.contains("example.invalid"), "{control}");
    assert!(!control.contains("Homepage:"), "{control}");
    assert!(
        control.contains("Maintainer: Jane Packager <jane@packager.test>\n"),
        "{control}"
    );
    let doc = run(Command::new("sh").arg("-c").arg(format!(
        "dpkg-deb --fsys-tarfile '{}' | tar -xOf - ./usr/share/doc/nsutils/changelog.gz | gzip -dc; \
         dpkg-deb --fsys-tarfile '{}' | tar -xOf - ./usr/share/doc/nsutils/copyright",
        deb.display(),
        deb.display()
    )));
    let doc = String::from_utf8_lossy(&doc.stdout);
    assert!(
        doc.starts_with(&format!("nsutils ({VERSION}) unstable; urgency=medium\n")),
        "{doc}"
    );
    assert!(
        doc.contains("\n -- Jane Packager <jane@packager.test>  "),
        "{doc}"
    );
    // DEP-5, with a paragraph per linked crate and a licence paragraph per licence named.
    assert!(
        doc.contains(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        ),
        "{doc}"
    );
    for want in [
        "\nFiles: vendor/rustix-",
        "\nLicense: Apache-2.0 with LLVM exception\n",
        "\nLicense: MIT\n",
        "\nLicense: BSD-2-Clause\n",
    ] {
        assert!(doc.contains(want), "copyright has no {want:?}:\n{doc}");
    }
    // Every crate of Cargo.lock that is linked in (rustix is; syn, a proc-macro's, is not).
    let sbu = control
        .lines()
        .find_map(|l| l.strip_prefix("Static-Built-Using: "))
        .unwrap_or_else(|| panic!("no Static-Built-Using: {control}"));
    assert!(sbu.contains("rust-rustix (= "), "{sbu}");
    assert!(!sbu.contains("rust-syn "), "{sbu}");

    let tar = run(Command::new("tar").arg("tzf").arg(&tarball));
    let tar = String::from_utf8_lossy(&tar.stdout);
    let top = format!("nsutils-{VERSION}-{}-linux/", std::env::consts::ARCH);
    for f in [
        "README.md",
        "LICENSE",
        "bin/lsns-rs",
        "lib/nsutils/bin/ip",
        "share/man/man8/lsns-rs.8",
    ] {
        assert!(
            tar.lines().any(|l| l == format!("{top}{f}")),
            "{f} not in the tarball:\n{tar}"
        );
    }
}

#[test]
fn lintian_accepts_the_deb() {
    let found = Command::new("sh")
        .args(["-c", "command -v lintian"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "lintian is needed under CI (apt-get install -y lintian)"
        );
        eprintln!("skipped: lintian is not installed (apt-get install lintian)");
        return;
    }
    let deb = {
        let _lock = dist_lock();
        let (_, deb) = dist();
        let copy = tempdir("lintian").join("nsutils.deb");
        std::fs::copy(&deb, &copy).expect("copy the .deb");
        copy
    };
    // Errors and warnings only (lintian's default), overrides applied; its exit status is
    // non-zero when it reports an error.
    // lintian leaves temporary files behind (MLDBM caches in $TMPDIR): give it our directory.
    let out = Command::new("lintian")
        .args(["--tag-display-limit", "0"])
        .arg(&deb)
        .env("TMPDIR", deb.parent().expect("tempdir"))
        .output()
        .expect("run lintian");
    let report: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("E:") || l.starts_with("W:"))
        .map(str::to_string)
        .collect();
    std::fs::remove_dir_all(deb.parent().expect("tempdir")).expect("cleanup");
    assert!(
        out.status.success() && report.is_empty(),
        "lintian: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_dist_runs_are_byte_identical() {
    require("dpkg-deb");
    let _lock = dist_lock();
    let (tarball, deb) = dist();
    let first = (
        std::fs::read(&tarball).expect("tarball"),
        std::fs::read(&deb).expect("deb"),
    );
    let (tarball, deb) = dist();
    assert!(
        first.0 == std::fs::read(&tarball).expect("tarball"),
        "the tarball differs between two dist runs"
    );
    assert!(
        first.1 == std::fs::read(&deb).expect("deb"),
        "the .deb differs between two dist runs"
    );
}

#[test]
fn help_ends_with_the_page_of_the_name_invoked_and_completion_offers_ids() {
    let dest = tempdir("help");
    install(&dest, "/usr", true);
    let root = dest.join("usr");
    for (path, page) in [
        ("bin/unshare-rs", "unshare-rs(1)"),
        ("bin/nsenter-rs", "nsenter-rs(1)"),
        ("bin/lsns-rs", "lsns-rs(8)"),
        ("bin/unshare", "unshare(1)"),
        ("bin/lsns", "lsns(8)"),
        ("lib/nsutils/bin/unshare", "unshare(1)"),
        ("lib/nsutils/bin/nsenter", "nsenter(1)"),
        ("lib/nsutils/bin/lsns", "lsns(8)"),
    ] {
        let out = run(Command::new(root.join(path)).arg("--help"));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.ends_with(&format!("\n\nFor more details see {page}.\n")),
            "{path} --help:\n{text}"
        );
    }
    // `xtask install --help` is the usage, not an error.
    let usage = run(Command::new(xtask()).args(["install", "--help"]));
    assert!(String::from_utf8_lossy(&usage.stdout).contains("install ["));

    // -S and -G take numbers only (the originals reject names): no user or group names.
    let comp = root.join("share/bash-completion/completions/unshare-rs");
    for opt in ["-S", "--setuid", "-G", "--setgid"] {
        let offered = bash_complete(&comp, &["unshare-rs", opt, ""]);
        assert!(!offered.is_empty(), "{opt}: nothing offered");
        assert!(
            offered
                .iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_digit())),
            "{opt} offers {offered:?}"
        );
        assert!(offered.contains(&"0".to_string()), "{opt}: {offered:?}");
    }
    let comp = root.join("share/bash-completion/completions/nsenter-rs");
    let offered = bash_complete(&comp, &["nsenter-rs", "-S", ""]);
    assert!(offered.contains(&"0".to_string()) && !offered.contains(&"root".to_string()));
    // --map-user takes names as well.
    let comp = root.join("share/bash-completion/completions/unshare-rs");
    assert!(
        bash_complete(&comp, &["unshare-rs", "--map-user", "roo"]).contains(&"root".to_string())
    );

    // The man pages name ip-netns(8) without a stray backslash, and the installed
    // COMPATIBILITY.md, which is there.
    let page = Command::new("man")
        .arg("-l")
        .arg(root.join("share/man/man8/netns-rs.8"))
        .env("MANWIDTH", "200")
        .output()
        .expect("man");
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(
        page.contains("ip-netns(8)") && !page.contains("ip\\-netns"),
        "{page}"
    );
    for p in ["man8/netns-rs.8", "man8/lsns-rs.8", "man1/unshare-rs.1"] {
        let text = std::fs::read_to_string(root.join("share/man").join(p)).expect("page");
        assert!(
            text.contains("/usr/share/doc/nsutils/COMPATIBILITY.md"),
            "{p} does not name the installed COMPATIBILITY.md"
        );
    }
    assert!(root.join("share/doc/nsutils/COMPATIBILITY.md").is_file());
    std::fs::remove_dir_all(&dest).expect("cleanup");
}

/// The same script, with the drop-in directory first in PATH (the real ip behind a logging
/// wrapper) and with the originals first in PATH, each in a sandbox inside a fresh network
/// and PID namespace (so `ip link` and `lsns` see only what the script made).
#[test]
fn drop_in_directory_behaves_as_the_originals() {
    if !nsutils_testkit::need_root() {
        return;
    }
    if !nsutils_testkit::oracle::present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the oracle is missing under CI: run cargo xtask oracle"
        );
        eprintln!("skipped: no oracle (cargo xtask oracle)");
        return;
    }
    let oracle_bin = nsutils_testkit::oracle::dir().join("bin");
    let dest = tempdir("dropin");
    install(&dest, "/usr", false);
    let drop_in = dest.join("usr").join(DROP_IN_DIR);
    // The "real ip" for our run: a wrapper logging each command line, then the oracle's ip.
    let wrap = dest.join("real");
    std::fs::create_dir_all(&wrap).expect("mkdir");
    let log = dest.join("real-ip.log");
    std::fs::write(
        wrap.join("ip"),
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            oracle_bin.join("ip").display()
        ),
    )
    .expect("write wrapper");
    run(Command::new("chmod").arg("755").arg(wrap.join("ip")));

    // lsns writes to a file, not into a pipe: whether the pipe's reader had started yet decided
    // NPROCS (seen under load, with a VM running beside the suite). Its rows are sorted after
    // the inodes are masked: the rows are in inode order, and the kernel hands out the lowest
    // free inode number, so which of the two namespaces comes first varies from run to run.
    let script = r#"
ip netns add x; echo "add: $?"
ip netns list
ip -n x link; echo "ip -n x link: $?"
ip link; echo "ip link: $?"
lsns -t net > /run/lsns.out; echo "lsns: $?"; sed -E 's/40265[0-9]{5}/NSINODE/g' /run/lsns.out | { IFS= read -r h; echo "$h"; sort; }
ip -all netns delete; echo "delete: $?"
ip netns list; echo "list: $?"
unshare -r id -u; echo "unshare: $?"
"#;
    let system = "/usr/sbin:/usr/bin:/sbin:/bin";
    let run_with = |path: String| {
        let mut cmd = Command::new("/usr/bin/unshare");
        cmd.args([
            "--net",
            "--pid",
            "--fork",
            "--mount-proc",
            "/bin/sh",
            "-c",
            script,
        ])
        .env("PATH", path)
        .env_remove("NSUTILS_IP_SHIMS");
        nsutils_testkit::Outcome::of(nsutils_testkit::sandbox(&mut cmd))
    };
    let ours = run_with(format!("{}:{}:{system}", drop_in.display(), wrap.display()));
    let theirs = run_with(format!("{}:{system}", oracle_bin.display()));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();

    // Which program each name finds, and who answers --version.
    let mut which = Command::new("/bin/sh");
    which
        .arg("-c")
        .arg("for p in ip unshare nsenter lsns; do command -v $p; done; unshare --version; lsns --version")
        .env("PATH", format!("{}:{system}", drop_in.display()));
    let which = nsutils_testkit::Outcome::of(&mut which);
    std::fs::remove_dir_all(&dest).expect("cleanup");

    assert_eq!(ours, theirs, "ours:\n{ours:?}\noriginals:\n{theirs:?}");
    assert!(ours.out().contains("add: 0\nx\n"), "{ours:?}");
    assert!(ours.out().contains("unshare: 0"), "{ours:?}");
    // The real ip ran exactly the two link commands; netns-rs did every netns one.
    assert_eq!(logged, "-n x link\nlink\n", "real ip log");
    let d = drop_in.display();
    assert_eq!(
        which.out(),
        format!(
            "{d}/ip\n{d}/unshare\n{d}/nsenter\n{d}/lsns\nunshare from nsutils {VERSION}\nlsns from nsutils {VERSION}\n"
        ),
        "{which:?}"
    );
}
