//! The static build (issue 17): `cargo xtask static-build` links the four binaries with
//! `+crt-static` and none of the C library's NSS functions, and their name lookups go through
//! `/usr/bin/getent` (or the files when it cannot run) with the same answers as the dynamic
//! build, including users that only an NSS module knows.
//!
//! The static binaries are built once per test run by xtask into `target/static` (a no-op when
//! they are current; cargo replays the linker's messages, which xtask checks and keeps in
//! `target/static/link-messages.txt`). The dynamic binaries are the ones `our_bin` finds.
//! Lookups that need a user no NSS module knows run in a [`sandbox`] where a stand-in script is
//! bind-mounted over `/usr/bin/getent`.

use nsutils_testkit::{need_root, our_bin, sandbox, target_dir, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TOOLS: [&str; 4] = ["unshare-rs", "nsenter-rs", "lsns-rs", "netns-rs"];

/// The C library functions that go through NSS.
const NSS: [&str; 14] = [
    "getpwnam",
    "getpwnam_r",
    "getpwuid",
    "getpwuid_r",
    "getpwent",
    "getgrnam",
    "getgrnam_r",
    "getgrgid",
    "getgrgid_r",
    "getgrent",
    "getgrouplist",
    "initgroups",
    "getspnam",
    "getaddrinfo",
];

fn workspace() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The static binaries' directory, built (or found current) once by `cargo xtask static-build`,
/// which fails when the link pulls in an NSS function.
fn static_bins() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["run", "--quiet", "-p", "xtask", "--", "static-build"])
            .current_dir(workspace())
            // The static build picks its own flags and target directory; a suite that is itself
            // compiled with other flags (e.g. static) must not leak them into it.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .output()
            .expect("cannot run cargo xtask static-build");
        assert!(
            out.status.success(),
            "cargo xtask static-build failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string();
        PathBuf::from(dir)
    })
    .clone()
}

/// The NSS functions `nm` lists in a binary (defined or undefined).
fn nss_in(bin: &Path) -> Vec<String> {
    let out = Command::new("nm").arg(bin).output().expect("cannot run nm");
    assert!(out.status.success(), "nm {}", bin.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|s| s.split('@').next().unwrap_or(s).to_string())
        .filter(|s| NSS.contains(&s.as_str()))
        .collect()
}

#[test]
fn static_binaries_link_no_nss_function() {
    let dir = static_bins();
    let messages = std::fs::read_to_string(workspace().join("target/static/link-messages.txt"))
        .expect("xtask keeps the linker's messages");
    assert!(
        !messages.contains("in statically linked applications"),
        "glibc's static-NSS warning:\n{messages}"
    );
    for line in messages.lines() {
        for f in NSS {
            assert!(
                !line.ends_with(&format!("reference to {f}"))
                    && !line.ends_with(&format!(": definition of {f}")),
                "{line}"
            );
        }
    }
    for t in TOOLS {
        let bin = dir.join(t);
        assert_eq!(nss_in(&bin), Vec::<String>::new(), "{}", bin.display());
        let out = Command::new("readelf")
            .arg("-lW")
            .arg(&bin)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("EXEC (Executable file)"), "{t}: {text}");
        assert!(
            !text.contains("INTERP") && !text.contains("DYNAMIC"),
            "{t}: {text}"
        );
    }
    // The check can fail: the dynamic build (cargo's, next to this test) calls getpwuid_r.
    let dynamic = target_dir().join("unshare-rs");
    if !cfg!(target_feature = "crt-static") && dynamic.exists() {
        assert!(nss_in(&dynamic).contains(&"getpwuid_r".to_string()));
    }
}

/// Run `script` in a sandbox with `$S` (the static binaries), `$D` (the dynamic ones) and
/// `$T` (a scratch directory) set.
fn sandboxed(script: &str) -> Outcome {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("set -e\nT=/run/nsutils-scratch\n{script}"))
        .env("S", static_bins())
        .env("D", our_bin("unshare-rs").parent().expect("a bin dir"))
        .env_remove("SHELL");
    Outcome::of(sandbox(&mut cmd))
}

/// A stand-in for getent that knows `nsutils-madeup` (uid 4242, group `nsutils-grp` 4343) and
/// gives root the shell `$T/shell`, asking the real getent (copied to `$T`) about the rest.
const STAND_IN: &str = r#"
cp /usr/bin/getent $T/getent.real
cat > $T/getent <<'EOF'
#!/bin/sh
db=$1; shift; [ "$1" = -- ] && shift
rc=0
for k; do
  case "$db:$k" in
    passwd:nsutils-madeup|passwd:4242) echo "nsutils-madeup:x:4242:4343:Made Up:/nonexistent:/bin/sh";;
    passwd:0|passwd:root) echo "root:x:0:0:root:/root:/run/nsutils-scratch/shell";;
    group:nsutils-grp|group:4343) echo "nsutils-grp:x:4343:";;
    *) /run/nsutils-scratch/getent.real "$db" -- "$k" || rc=2;;
  esac
done
echo "getent $db $*" >> /run/nsutils-scratch/asked
exit $rc
EOF
printf '#!/bin/sh\necho "stand-in login shell as $0"\n' > $T/shell
chmod 755 $T/getent $T/shell
mount --bind $T/getent /usr/bin/getent
"#;

#[test]
fn a_user_only_nss_knows_is_seen_through_getent() {
    if !need_root() {
        return;
    }
    let o = sandboxed(&format!(
        r#"{STAND_IN}
$S/unshare-rs --map-user=nsutils-madeup --map-group=nsutils-grp -U cat /proc/self/uid_map /proc/self/gid_map
$S/unshare-rs --map-user=4242 --map-group=4343 -U cat /proc/self/uid_map /proc/self/gid_map
$S/nsenter-rs -t $$ -u
mkfifo -m 666 $T/fifo
$S/unshare-rs -u setpriv --reuid=4242 --regid=4343 --clear-groups sh -c 'echo > /run/nsutils-scratch/fifo; exec sleep 1000' &
read x < $T/fifo
$S/lsns-rs -t uts -n -o USER,PID | grep -w $!
kill $!
cat $T/asked
"#
    ));
    assert_eq!(o.code, 0, "{o:?}");
    let out = o.out();
    let lines: Vec<&str> = out.lines().collect();
    // --map-user by name maps the same ids as by number.
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["4242", "0", "1"],
        "{o:?}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["4343", "0", "1"],
        "{o:?}"
    );
    assert_eq!(lines[0..2], lines[2..4], "{o:?}");
    // (A `#!` script sees its own path as $0, whatever argv[0] the shell was given.)
    assert_eq!(
        lines[4], "stand-in login shell as /run/nsutils-scratch/shell",
        "{o:?}"
    );
    assert!(lines[5].starts_with("nsutils-madeup "), "{o:?}");
    // One getent run per database and tool: unshare asked passwd (the name and its own uid)
    // and group once each, nsenter and lsns passwd once.
    let asked: Vec<&str> = lines[6..].to_vec();
    assert_eq!(asked.len(), 4, "{o:?}");
    assert!(
        asked[0].starts_with("getent passwd nsutils-madeup 0"),
        "{o:?}"
    );
    assert_eq!(asked[1], "getent group nsutils-grp", "{o:?}");
    assert_eq!(asked[2], "getent passwd 0", "{o:?}");
    assert!(asked[3].contains(" 4242"), "{o:?}");
    assert!(o.stderr.is_empty(), "{o:?}");
}

/// Without getent (a file that cannot be executed over it) the static build reads the files
/// and says nothing about it; with the real getent it answers as the C library does. Both
/// compared with the dynamic build, byte for byte.
#[test]
fn same_answers_as_the_dynamic_build() {
    if !need_root() {
        return;
    }
    let script = r#"
run() {
  for b in "$@"; do
    echo "== $b"
    $b/unshare-rs --map-user=nobody --map-group=nogroup -U cat /proc/self/uid_map /proc/self/gid_map || echo "exit $?"
    $b/unshare-rs --map-user=no-such-user -U true 2>&1 || echo "exit $?"
    $b/unshare-rs --map-group=no-such-group -U true 2>&1 || echo "exit $?"
    $b/unshare-rs --map-users=auto -U true 2>&1 || echo "exit $?"
    $b/nsenter-rs -t $$ -u 2>&1 < /dev/null || echo "exit $?"
    $b/lsns-rs -p $$ -o NS,TYPE,USER,UID 2>&1 || echo "exit $?"
    $b/lsns-rs -p $holder -o NS,TYPE,USER,UID 2>&1 || echo "exit $?"
  done
}
mkfifo -m 666 $T/fifo
$D/unshare-rs -u setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo > /run/nsutils-scratch/fifo; exec sleep 1000' &
holder=$!
read x < $T/fifo
run $D $S
: > $T/nothing
mount --bind $T/nothing /usr/bin/getent
run $S
kill $holder
"#;
    let o = sandboxed(script);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stderr.is_empty(), "{o:?}");
    let out = o.out();
    let parts: Vec<&str> = out.split("== ").filter(|p| !p.is_empty()).collect();
    assert_eq!(parts.len(), 3, "{o:?}");
    let body = |p: &str| {
        p.split_once('\n')
            .map(|x| x.1.to_string())
            .unwrap_or_default()
    };
    assert_eq!(body(parts[0]), body(parts[1]), "dynamic vs static:\n{out}");
    assert_eq!(
        body(parts[0]),
        body(parts[2]),
        "dynamic vs static on files:\n{out}"
    );
    assert!(body(parts[0]).contains("nobody"), "{out}");
}

/// `cargo xtask dist --static`: a tarball of the four static binaries (stripped), their man
/// pages and completions, and no .deb.
#[test]
fn dist_static_tarball() {
    let dir = static_bins();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "run", "--quiet", "-p", "xtask", "--", "dist", "--static", "--from",
        ])
        .arg(&dir)
        .current_dir(workspace())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("cannot run cargo xtask dist --static");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tarball = PathBuf::from(stdout.lines().last().unwrap_or(""));
    assert!(
        tarball
            .to_string_lossy()
            .ends_with("-x86_64-linux-static.tar.gz"),
        "{stdout}"
    );
    assert!(!stdout.contains(".deb"), "{stdout}");
    let list = Command::new("tar")
        .arg("tzf")
        .arg(&tarball)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    let top = list.lines().next().unwrap_or("").trim_end_matches('/');
    for t in TOOLS {
        assert!(list.contains(&format!("/bin/{t}\n")), "{t}: {list}");
        assert!(list.contains(&format!("/completions/{t}\n")), "{t}: {list}");
    }
    for page in [
        "man1/unshare-rs.1",
        "man1/nsenter-rs.1",
        "man8/lsns-rs.8",
        "man8/netns-rs.8",
    ] {
        assert!(
            list.contains(&format!("/share/man/{page}\n")),
            "{page}: {list}"
        );
    }
    // The packed binaries are the static ones, stripped.
    let x = std::env::temp_dir().join(format!("nsutils-static-dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&x);
    std::fs::create_dir_all(&x).unwrap();
    let st = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&x)
        .arg(format!("{top}/bin/unshare-rs"))
        .status()
        .unwrap();
    assert!(st.success());
    let bin = x.join(top).join("bin/unshare-rs");
    let nm = Command::new("nm").arg(&bin).output().unwrap();
    assert!(
        String::from_utf8_lossy(&nm.stderr).contains("no symbols"),
        "{nm:?}"
    );
    let o = Outcome::of(Command::new(&bin).arg("--version"));
    assert_eq!(o.code, 0, "{o:?}");
    let _ = std::fs::remove_dir_all(&x);
}
