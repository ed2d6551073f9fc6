//! Packaging (issue 8): `cargo xtask install --drop-in` into a temporary DESTDIR, the installed
//! binaries' `--version` and `--help`, every man page through `man --warnings -l`, the bash
//! completion loaded in a non-interactive bash, `cargo xtask uninstall` leaving DESTDIR empty,
//! and `cargo xtask dist`'s .deb listing matching the install layout.
//!
//! The xtask binary is run with `--from target/debug` (the debug binaries cargo already built),
//! so no release build happens here. The test first runs `cargo build -p xtask -p <tools>` (a
//! no-op after `cargo test --workspace`), so it never uses a stale xtask.

use nsutils_testkit::target_dir;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TOOLS: [&str; 4] = ["unshare-rs", "nsenter-rs", "lsns-rs", "netns-rs"];
const DROP_IN: [&str; 3] = ["unshare", "nsenter", "lsns"];

/// The xtask binary, (re)built once per test run together with the four tools, so the pages
/// and completions come from the current sources (a no-op when cargo already built them).
fn xtask() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = target_dir();
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "-p", "xtask"]);
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

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
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
    let out = run(Command::new(xtask())
        .arg("dist")
        .arg("--from")
        .arg(target_dir()));
    let text = String::from_utf8_lossy(&out.stdout);
    let deb = text
        .lines()
        .find(|l| l.ends_with(".deb"))
        .expect("dist prints the .deb path");
    let tarball = text
        .lines()
        .find(|l| l.ends_with(".tar.gz"))
        .expect("dist prints the tarball path");
    assert!(
        deb.ends_with(&format!("nsutils_{VERSION}_amd64.deb")),
        "{deb}"
    );

    // dpkg -c: the files (not directories) of the package, man pages without their .gz.
    let listing = run(Command::new("dpkg-deb").arg("-c").arg(deb));
    let in_deb: BTreeSet<String> = String::from_utf8_lossy(&listing.stdout)
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

    let dest = tempdir("layout");
    install(&dest, "/usr", false);
    let mut installed = files_under(&dest);
    assert!(installed.remove("/usr/share/nsutils/install-manifest"));
    std::fs::remove_dir_all(&dest).expect("cleanup");
    assert_eq!(in_deb, installed, "dpkg -c differs from the install layout");

    let control = run(Command::new("dpkg-deb").args(["-f", deb]));
    let control = String::from_utf8_lossy(&control.stdout);
    assert!(control.contains("Package: nsutils\n"), "{control}");
    assert!(control.contains("Architecture: amd64\n"), "{control}");
    assert!(
        control.contains(&format!("Version: {VERSION}\n")),
        "{control}"
    );
    assert!(control.contains("Depends: libc6"), "{control}");
    assert!(!control.contains("Conflicts:"), "{control}");

    let tar = run(Command::new("tar").arg("tzf").arg(tarball));
    let tar = String::from_utf8_lossy(&tar.stdout);
    let top = format!("nsutils-{VERSION}-x86_64-linux/");
    for f in [
        "README.md",
        "LICENSE",
        "bin/lsns-rs",
        "share/man/man8/lsns-rs.8",
    ] {
        assert!(
            tar.lines().any(|l| l == format!("{top}{f}")),
            "{f} not in the tarball:\n{tar}"
        );
    }
}
