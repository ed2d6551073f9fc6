//! Distribution packaging (issue 21): the Debian source package and the RPM build the way a
//! distribution builds them, from source, offline, in a clean root made here, never touching
//! the host's packages.
//!
//! The slow tests are `#[ignore]`d (each takes minutes: a chroot, a release build with LTO);
//! run them all with
//!
//! ```sh
//! cargo test -p nsutils-testkit --test distro -- --ignored
//! ```
//!
//! as root, with `mmdebstrap` installed and Debian's mirror reachable. Each makes (once, cached
//! under `target/distro/<suite>/base`) a Debian root with `mmdebstrap --variant=buildd` plus the
//! checkers (lintian, autopkgtest; rpm and rpmlint for the RPM), then works in an overlay on it
//! (`target/distro/<suite>/<test>/`: the upper layer keeps the results and `log`), inside a
//! private mount namespace where the overlay becomes the root by `pivot_root` (a chroot would
//! forbid the user namespaces the smoke checks create):
//!
//! - `debian_trixie`, `debian_bookworm`: `cargo xtask debsrc` on the host; in the root
//!   `apt-get build-dep` on the .dsc, then `dpkg-buildpackage -us -uc` without network
//!   (`unshare -n`), lintian on the .changes (.dsc, .deb, .buildinfo) failing on any error or
//!   warning, and autopkgtest (`debian/tests`) against the built package; the .deb's file list
//!   is compared with `cargo xtask dist`'s.
//! - `rpm_trixie`: `cargo xtask rpm --source-only` on the host; in the root `rpmbuild -bb` from
//!   the spec without network, rpmlint with no error, and the .rpm's file list compared with
//!   `cargo xtask dist`'s .deb.
//!
//! The quick checks below (not ignored) keep the packaging files in step with the workspace.

use nsutils_testkit::{need_root, run_ok as run, sandbox};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TOOLS: [&str; 4] = ["unshare-rs", "nsenter-rs", "lsns-rs", "netns-rs"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn cargo_target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// One package build at a time (the machine, target/debsrc, target/rpm, target/dist).
fn lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The xtask binary and the debug tools, built once (a no-op after `cargo test --workspace`).
fn xtask() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "-p", "xtask", "-p", "ip-shim"]);
            for t in TOOLS {
                cmd.args(["-p", t]);
            }
            run(cmd.current_dir(workspace()));
            cargo_target().join("debug/xtask")
        })
        .clone()
}

/// `cargo xtask dist --from target/debug`'s .deb: the reference file list.
fn dist_deb() -> PathBuf {
    let out = run(Command::new(xtask())
        .arg("dist")
        .arg("--from")
        .arg(cargo_target().join("debug")));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.ends_with(".deb"))
        .map(PathBuf::from)
        .expect("dist prints the .deb's path")
}

/// A package's files as `mode path[ -> target]` lines (directories left out: each packager
/// owns a different set of them), from `dpkg-deb -c`.
fn deb_files(deb: &Path) -> BTreeSet<String> {
    let out = run(Command::new("dpkg-deb").arg("-c").arg(deb));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('d'))
        .map(|l| {
            // drwxr-xr-x root/root 0 2026-12-06 00:00 ./usr/bin/x[ -> y]
            let f: Vec<&str> = l.split_whitespace().collect();
            let path = f[5..].join(" ");
            format!("{} {}", f[0], path.trim_start_matches('.'))
        })
        .collect()
}

fn need_program(prog: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {prog}"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{prog} is needed by this test (apt-get install {package})"
    );
}

/// A Debian suite this test builds in.
struct Suite {
    name: &'static str,
    /// mmdebstrap's mirror arguments (sources.list lines).
    sources: &'static [&'static str],
    /// What the root has besides `--variant=buildd` (build-essential, apt): `mount` for the
    /// `umount` after `pivot_root` (not essential), and the checkers.
    include: &'static str,
}

const TRIXIE: Suite = Suite {
    name: "trixie",
    sources: &["deb http://deb.debian.org/debian trixie main"],
    include: "mount,lintian,autopkgtest,rpm,rpmlint",
};

/// Debian 12: its rustc is too old, so the build takes rustc-web (bookworm-security's).
const BOOKWORM: Suite = Suite {
    name: "bookworm",
    sources: &[
        "deb http://deb.debian.org/debian bookworm main",
        "deb http://deb.debian.org/debian-security bookworm-security main",
    ],
    include: "mount,lintian,autopkgtest",
};

/// The cached root of `suite`: made by mmdebstrap once, kept while its recipe is unchanged.
fn base_root(suite: &Suite) -> PathBuf {
    let dir = cargo_target().join("distro").join(suite.name);
    let base = dir.join("base");
    let stamp = dir.join("base.recipe");
    let recipe = format!(
        "mmdebstrap --variant=buildd --include={} {} {}\n",
        suite.include,
        suite.name,
        suite.sources.join(" | ")
    );
    if base.is_dir() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&recipe) {
        return base;
    }
    need_program("mmdebstrap", "mmdebstrap");
    let tmp = dir.join("base.partial");
    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&dir).expect("create target/distro");
    eprintln!(
        "distro: making the {} root (mmdebstrap, a few minutes)",
        suite.name
    );
    // In a private mount namespace: the mounts mmdebstrap makes in the new root (/proc, /sys,
    // /dev) never show on the host, and go even if it is killed.
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "--", "mmdebstrap"])
        .args(["--quiet", "--mode=root", "--variant=buildd"])
        .arg(format!("--include={}", suite.include))
        .arg(suite.name)
        .arg(&tmp)
        .args(suite.sources);
    run(&mut cmd);
    std::fs::rename(&tmp, &base).expect("rename the new root");
    std::fs::write(&stamp, recipe).expect("write the recipe");
    base
}

/// A fresh overlay on `suite`'s root for the test `name`, with `inputs` copied to `/build`;
/// `script` runs there as root (sh -eu) with the network until it says otherwise. Returns
/// the directory that holds the run's `/build` afterwards. The script's output goes to
/// `target/distro/<suite>/<name>/log`, whose end a failure shows.
fn in_root(suite: &Suite, name: &str, inputs: &[PathBuf], script: &str) -> PathBuf {
    let base = base_root(suite);
    let run_dir = cargo_target().join("distro").join(suite.name).join(name);
    let _ = std::fs::remove_dir_all(&run_dir);
    let (upper, work, root) = (
        run_dir.join("upper"),
        run_dir.join("work"),
        run_dir.join("root"),
    );
    let build = upper.join("build");
    for d in [&build, &work, &root] {
        std::fs::create_dir_all(d).expect("create the overlay's directories");
    }
    // The host's name servers, read here: in the sandbox /run is a new tmpfs, and
    // /etc/resolv.conf may be a link into /run (systemd-resolved).
    let resolv = std::fs::read("/etc/resolv.conf").unwrap_or_default();
    std::fs::create_dir_all(upper.join("etc")).expect("create the overlay's etc");
    std::fs::write(upper.join("etc/resolv.conf"), resolv).expect("write resolv.conf");
    for f in inputs {
        let to = build.join(f.file_name().expect("a file name"));
        run(Command::new("cp").arg("-a").arg(f).arg(&to));
    }
    let log = run_dir.join("log");
    let setup = r#"set -eu
base=$1 upper=$2 work=$3 root=$4 script=$5
mount -t overlay nsutils-distro -o "lowerdir=$base,upperdir=$upper,workdir=$work" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t sysfs sysfs "$root/sys"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cd "$root"
mkdir -p .old-root
pivot_root . .old-root
cd /
umount -l /.old-root
rmdir /.old-root
exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive sh -euxc "$script"
"#;
    let log_file = std::fs::File::create(&log).expect("create the log");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(setup)
        .arg("sh")
        .args([&base, &upper, &work, &root])
        .arg(script)
        .stdin(std::process::Stdio::null())
        .stdout(log_file.try_clone().expect("log fd"))
        .stderr(log_file);
    eprintln!("distro: {} {name}: log in {}", suite.name, log.display());
    let st = sandbox(&mut cmd).status().expect("run the root");
    if !st.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(80).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!(
            "{} {name} failed ({st}); the end of {}:\n{}",
            suite.name,
            log.display(),
            tail.join("\n")
        );
    }
    build
}

/// `cargo xtask debsrc`: the .dsc and the two tarballs it names.
fn debsrc() -> Vec<PathBuf> {
    let out = run(Command::new(xtask()).arg("debsrc"));
    let dsc = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with('/') && l.ends_with(".dsc"))
        .map(PathBuf::from)
        .expect("debsrc prints the .dsc's path");
    let dir = dsc.parent().expect("dsc dir").to_path_buf();
    let mut files = vec![dsc];
    for e in std::fs::read_dir(&dir)
        .expect("read target/debsrc")
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".tar.xz") {
            files.push(e.path());
        }
    }
    files
}

/// What a .deb built from the source package holds that `cargo xtask dist`'s does not, and
/// the other way round, after the differences a Debian source package implies.
fn compare_with_dist(built: &BTreeSet<String>, dist: &BTreeSet<String>) {
    // A non-native package's changelog is changelog.Debian.gz (dh_installchangelogs); dist's
    // .deb is native-style (version without a revision): changelog.gz.
    let map = |s: &String| s.replace("/changelog.Debian.gz", "/changelog.gz");
    let built: BTreeSet<String> = built.iter().map(map).collect();
    let only_built: Vec<&String> = built.difference(dist).collect();
    let only_dist: Vec<&String> = dist.difference(&built).collect();
    assert!(
        only_built.is_empty() && only_dist.is_empty(),
        "the source package's .deb and cargo xtask dist's differ:\nonly in the source \
         package's: {only_built:#?}\nonly in dist's: {only_dist:#?}"
    );
}

/// lintian's errors and warnings in `text` (its `E:` and `W:` lines), less those `allowed`
/// (each a tag and what follows it, e.g. `unknown-field Static-Built-Using`).
fn lintian_complaints(text: &str, allowed: &[&str]) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("E: ") || l.starts_with("W: "))
        .filter(|l| !allowed.iter().any(|a| l.contains(&format!(": {a}"))))
        .map(str::to_string)
        .collect()
}

/// Build the source package in `suite`'s root; lintian may say only what `allowed` names.
fn debian(suite: &Suite, allowed: &[&str]) {
    if !need_root() {
        return;
    }
    let _l = lock();
    need_program("dpkg-source", "dpkg-dev");
    let inputs = debsrc();
    let arch =
        String::from_utf8_lossy(&run(Command::new("dpkg").arg("--print-architecture")).stdout)
            .trim()
            .to_string();
    let changes = format!("nsutils_{VERSION}-1_{arch}.changes");
    let script = format!(
        r#"cd /build
apt-get update -qq
apt-get build-dep -qq -y --no-install-recommends ./nsutils_{VERSION}-1.dsc
dpkg-source -x nsutils_{VERSION}-1.dsc src
cd src
# Offline: no network at all from here to the package.
unshare --net -- dpkg-buildpackage -us -uc
cd ..
# Judged by the test (lintian.txt): status 0 or 1 (tags at error or warning level).
rc=0
lintian --fail-on error,warning {changes} > lintian.txt 2>&1 || rc=$?
echo "$rc" > lintian.status
cat lintian.txt
autopkgtest --output-dir autopkgtest {changes} -- null
"#
    );
    let build = in_root(suite, "debian", &inputs, &script);
    let lintian = std::fs::read_to_string(build.join("lintian.txt")).unwrap_or_default();
    let status = std::fs::read_to_string(build.join("lintian.status")).unwrap_or_default();
    eprintln!("distro: {} lintian said:\n{lintian}", suite.name);
    assert!(
        matches!(status.trim(), "0" | "1"),
        "lintian did not run to the end (status {status:?}):\n{lintian}"
    );
    let complaints = lintian_complaints(&lintian, allowed);
    assert!(
        complaints.is_empty(),
        "lintian: errors or warnings on the {} build:\n{}",
        suite.name,
        complaints.join("\n")
    );
    let deb = build.join(format!("nsutils_{VERSION}-1_{arch}.deb"));
    compare_with_dist(&deb_files(&deb), &deb_files(&dist_deb()));
}

#[test]
#[ignore = "minutes: a Debian 13 root, an offline release build; run with --ignored"]
fn debian_trixie() {
    debian(&TRIXIE, &[]);
}

#[test]
#[ignore = "minutes: a Debian 12 root, an offline release build; run with --ignored"]
fn debian_bookworm() {
    // Debian 12's lintian (2.116) predates two things Debian 13's knows: Standards-Version
    // 4.7.2 (it knows up to 4.6.2 and warns, as for every backport), and the
    // Static-Built-Using field, which the package's own override covers but the -dbgsym
    // package (which inherits the field and can carry no override) cannot.
    debian(
        &BOOKWORM,
        &[
            "newer-standards-version",
            "unknown-field Static-Built-Using",
        ],
    );
}

#[test]
#[ignore = "minutes: a Debian 13 root with rpm, an offline release build; run with --ignored"]
fn rpm_trixie() {
    if !need_root() {
        return;
    }
    let _l = lock();
    let out = run(Command::new(xtask()).args(["rpm", "--source-only"]));
    let mut inputs: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    assert_eq!(
        inputs.len(),
        2,
        "rpm --source-only prints the tarball and the spec"
    );
    inputs.push(workspace().join("nsutils.rpmlintrc"));
    let script = format!(
        r#"cd /build
apt-get update -qq
apt-get install -qq -y --no-install-recommends cargo rustc
mkdir -p rpm/SOURCES rpm/SPECS
mv nsutils-{VERSION}.tar.xz rpm/SOURCES/
mv nsutils.spec rpm/SPECS/
# Offline; --nodeps: the toolchain is Debian's, not in the rpm database.
# The brp scripts are bash scripts (Debian's /bin/sh is dash, Fedora's bash).
unshare --net -- rpmbuild -bb --nodeps --define "_topdir /build/rpm" \
    --define "_buildshell /bin/bash" \
    --define "packager nsutils developers <nsutils@example.invalid>" rpm/SPECS/nsutils.spec
rpm=$(ls rpm/RPMS/*/nsutils-{VERSION}-1.*.rpm)
rpmlint -r nsutils.rpmlintrc "$rpm" rpm/SPECS/nsutils.spec | tee rpmlint.txt
rpm -qlvp "$rpm" > files.txt
"#
    );
    let build = in_root(&TRIXIE, "rpm", &inputs, &script);
    let rpmlint = std::fs::read_to_string(build.join("rpmlint.txt")).unwrap_or_default();
    eprintln!("distro: rpmlint said:\n{rpmlint}");
    assert!(
        rpmlint.contains(" 0 errors"),
        "rpmlint reported errors:\n{rpmlint}"
    );
    let listing = std::fs::read_to_string(build.join("files.txt")).expect("rpm -qlvp output");
    let rpm_files: BTreeSet<String> = listing
        .lines()
        .filter(|l| !l.starts_with('d'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{} {}", f[0], f[8..].join(" "))
        })
        .collect();
    // RPM keeps the changelog in the header, the licence texts under /usr/share/licenses and
    // links named by build ID under /usr/lib/.build-id; lintian's overrides are Debian's.
    let dist: BTreeSet<String> = deb_files(&dist_deb())
        .into_iter()
        .filter(|l| !l.ends_with("/changelog.gz") && !l.contains("/lintian/"))
        .collect();
    let rpm_files: BTreeSet<String> = rpm_files
        .into_iter()
        .filter(|l| !l.contains(" /usr/share/licenses/") && !l.contains(" /usr/lib/.build-id/"))
        .collect();
    let only_rpm: Vec<&String> = rpm_files.difference(&dist).collect();
    let only_dist: Vec<&String> = dist.difference(&rpm_files).collect();
    assert!(
        only_rpm.is_empty() && only_dist.is_empty(),
        "the .rpm and cargo xtask dist's .deb differ:\nonly in the .rpm: {only_rpm:#?}\nonly \
         in dist's: {only_dist:#?}"
    );
}

#[test]
fn lintian_complaints_are_errors_and_warnings_not_allowed() {
    let text = "N:\nW: nsutils-dbgsym: unknown-field Static-Built-Using\n\
                W: nsutils source: newer-standards-version 4.7.2 (current is 4.6.2)\n\
                I: nsutils: hardening-no-fortify-functions [usr/bin/lsns-rs]\n\
                E: nsutils: bogus-mail-host Maintainer x@localhost\n";
    assert_eq!(
        lintian_complaints(text, &["unknown-field Static-Built-Using"]),
        [
            "W: nsutils source: newer-standards-version 4.7.2 (current is 4.6.2)",
            "E: nsutils: bogus-mail-host Maintainer x@localhost"
        ]
    );
    assert_eq!(
        lintian_complaints(
            text,
            &[
                "newer-standards-version",
                "unknown-field",
                "bogus-mail-host"
            ]
        )
        .len(),
        0
    );
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(workspace().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn packaging_files_follow_the_workspace() {
    // The toolchain floor is the workspace's rust-version, in both build recipes.
    let manifest = read("Cargo.toml");
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .map(|v| v.trim_matches('"').to_string())
        .expect("rust-version in Cargo.toml");
    let control = read("debian/control");
    for dep in [
        format!("cargo (>= {msrv}) | cargo-web (>= {msrv})"),
        format!("rustc (>= {msrv}) | rustc-web (>= {msrv})"),
    ] {
        assert!(control.contains(&dep), "debian/control lacks {dep}");
    }
    let spec = read("nsutils.spec");
    for dep in [format!("cargo >= {msrv}"), format!("rust >= {msrv}")] {
        assert!(
            spec.contains(&dep),
            "nsutils.spec lacks BuildRequires {dep}"
        );
    }
    // Both changelogs start at the workspace's version.
    assert!(
        read("debian/changelog").starts_with(&format!("nsutils ({VERSION}-")),
        "debian/changelog's first entry is not for {VERSION}"
    );
    assert!(
        spec.contains(&format!("- {VERSION}-")),
        "nsutils.spec's %changelog has no entry for {VERSION}"
    );
    // The smoke test is valid sh.
    run(Command::new("sh")
        .arg("-n")
        .arg(workspace().join("debian/tests/smoke")));
}
