//! `cargo xtask kernels`: nsutils on other kernels than the host's. Debian's kernels of four
//! releases ([`fetch`]) are booted one at a time under virtme-ng ([`vm`]), with the host's
//! filesystem as a read-only root, and the kernel core (`tests/kernel_core.rs`, a test binary
//! built here on the host; no cargo runs inside) runs inside as root against the oracle on the
//! same kernel. The same binary also runs on the host, and on the host under the test kit's
//! 4.18 look-alike (seccomp ENOSYS for newer system calls). [`matrix`] turns the results into
//! docs/KERNELS.md's table.

pub mod fetch;
pub mod matrix;
pub mod vm;

use crate::apt::mkdirs;
use crate::{cargo, workspace_root, Fail};
use matrix::{Column, Verdict};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What `cargo xtask kernels` was asked to do.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Opts {
    /// Only fetch (and unpack) the kernels and virtme-ng, boot nothing
    #[arg(long = "fetch")]
    pub fetch_only: bool,
    /// Fetch again even when cached
    #[arg(long)]
    pub refresh: bool,
    /// A kernel to boot: its version's start (5.10, 6.1, 6.12, 7.2), its Debian release
    /// (bullseye, bookworm, trixie, sid), its id (debian11 ...), oldest or newest; repeat for
    /// more; default: all four
    #[arg(long = "kernel", value_name = "K")]
    pub kernels: Vec<String>,
    /// kvm or tcg; default: a probe boot decides (KVM when it works)
    #[arg(long, value_name = "ACCEL")]
    pub accel: Option<String>,
    /// Write the matrix into docs/KERNELS.md
    #[arg(long)]
    pub write_doc: bool,
    /// Boot nothing: only the host's column and the 4.18 look-alike's
    #[arg(long)]
    pub host_only: bool,
}

/// The kernels `opts` names, oldest first.
pub fn chosen(opts: &Opts) -> Result<Vec<fetch::Kernel>, Fail> {
    if opts.kernels.is_empty() {
        return Ok(fetch::KERNELS.to_vec());
    }
    let mut v = Vec::new();
    for n in &opts.kernels {
        let k = fetch::by_name(n)?;
        if !v.iter().any(|x: &fetch::Kernel| x.id == k.id) {
            v.push(k);
        }
    }
    v.sort_by_key(|k| fetch::KERNELS.iter().position(|x| x.id == k.id));
    Ok(v)
}

/// Run `cargo xtask kernels` with `opts`.
pub fn run(opts: &Opts) -> Result<(), Fail> {
    let kernels = if opts.host_only {
        Vec::new()
    } else {
        chosen(opts)?
    };
    let mut fetched = Vec::new();
    for k in &kernels {
        let f = fetch::fetch(*k, opts.refresh)?;
        println!("{} {} {}", k.id, f.release, f.vmlinuz.display());
        fetched.push(f);
    }
    let vng = if kernels.is_empty() {
        None
    } else {
        Some(vm::tools()?)
    };
    if opts.fetch_only {
        return Ok(());
    }
    if !crate::oracle::is_complete(&crate::oracle::dir()) {
        crate::oracle::main(crate::oracle::Options { refresh: false })?;
    }
    let core = build_core()?;
    // The static release build: what .ci/run's static-suite built already, and quick to start
    // under TCG (the debug build's dynamic binaries take over 1.5 s each there).
    let bins = crate::static_build::build()?;
    let runs = fetch::cache_dir().join("runs");
    let mut cols = Vec::new();
    cols.push(on_host(&core, &bins, &runs, false)?);
    cols.push(on_host(&core, &bins, &runs, true)?);
    if let (Some(vng), Some(first)) = (&vng, fetched.first()) {
        let accel = match opts.accel.as_deref() {
            Some("kvm") => vm::Accel::Kvm,
            Some("tcg") => vm::Accel::Tcg,
            Some(other) => return Err(Fail(format!("--accel {other}: kvm or tcg"))),
            None => vng.probe_kvm(first)?,
        };
        eprintln!("xtask kernels: booting under {}", accel.name());
        for f in &fetched {
            cols.push(in_vm(vng, f, accel, &core, &bins, &runs)?);
        }
    }
    let table = matrix::markdown(&cols);
    let out = fetch::cache_dir().join("matrix.md");
    std::fs::write(&out, &table).map_err(|e| Fail(format!("{}: {e}", out.display())))?;
    print!("{table}");
    println!("(also in {})", out.display());
    if opts.write_doc {
        let doc = workspace_root().join("docs/KERNELS.md");
        let text =
            std::fs::read_to_string(&doc).map_err(|e| Fail(format!("{}: {e}", doc.display())))?;
        let new = matrix::splice(&text, &table)
            .ok_or_else(|| Fail(format!("{} has no matrix markers", doc.display())))?;
        std::fs::write(&doc, new).map_err(|e| Fail(format!("{}: {e}", doc.display())))?;
        println!("{} updated", doc.display());
    }
    let bad: Vec<String> = cols
        .iter()
        .filter(|c| !c.clean())
        .map(|c| {
            let failed: Vec<&str> = c
                .checks
                .iter()
                .filter(|(_, v)| **v != Verdict::Pass)
                .map(|(n, _)| n.as_str())
                .collect();
            format!(
                "{}: {}{}",
                c.title,
                failed.join(", "),
                c.problem
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            )
        })
        .collect();
    for c in &cols {
        for (n, v) in &c.checks {
            if let Verdict::Fail(text) = v {
                eprintln!("===== {} on {} =====\n{text}", n, c.title);
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Fail(format!(
            "the kernel core differs from the oracle on: {}",
            bad.join("; ")
        )))
    }
}

/// Build our four tools, nscore-probe and the kernel core's test binary; the binary's path.
fn build_core() -> Result<PathBuf, Fail> {
    crate::run(cargo().args([
        "build",
        "--quiet",
        "-p",
        "unshare-rs",
        "-p",
        "nsenter-rs",
        "-p",
        "lsns-rs",
        "-p",
        "netns-rs",
        "-p",
        "nsutils-testkit",
        "--bins",
    ]))?;
    let out = crate::apt::output(cargo().args([
        "test",
        "--quiet",
        "-p",
        "nsutils-testkit",
        "--test",
        "kernel_core",
        "--no-run",
        "--message-format=json",
    ]))?;
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["name"] == "kernel_core")
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| Fail("cargo built no kernel_core test binary".into()))
}

/// The host's programs the core runs (set-up, and the programs the tools run).
const HOST_TOOLS: [&str; 27] = [
    "bash", "sh", "dash", "unshare", "nsenter", "setpriv", "taskset", "mount", "umount", "findmnt",
    "ip", "cat", "id", "hostname", "readlink", "wc", "grep", "sleep", "true", "false", "tr", "sed",
    "env", "ls", "mkdir", "sort", "getent",
];

/// Every file the guest reads over and over, so that it reads it once: the guest's root is
/// the host's filesystem over 9p without a page cache, and a dynamic program started from there
/// reads its loader and libraries from the host again at every start (about 2.5 s for the
/// oracle's `unshare` under TCG, 0.5 s from the guest's memory). The host's programs in
/// [`HOST_TOOLS`] and the libraries they load (paths with symlinks resolved: the guest's /usr
/// is an overlay, and touching a file there copies it up into memory once), and the oracle's
/// loader, the libraries its programs load and the programs (copied into the guest's /tmp).
fn host_files() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    let mut files = Vec::new();
    for tool in HOST_TOOLS {
        let Some(bin) = std::env::split_paths(&path)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
        else {
            continue;
        };
        files.push(bin.clone());
        let Ok(out) = Command::new("ldd").arg(&bin).output() else {
            continue;
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let word = line
                .split_once("=> ")
                .map_or(line.trim(), |(_, r)| r.trim())
                .split(' ')
                .next()
                .unwrap_or_default();
            if word.starts_with('/') {
                files.push(PathBuf::from(word));
            }
        }
    }
    // What every start reads besides: the loader's cache, the C.UTF-8 locale the core sets,
    // the user and group databases.
    for f in [
        "/etc/ld.so.cache",
        "/etc/passwd",
        "/etc/group",
        "/etc/nsswitch.conf",
    ] {
        files.push(PathBuf::from(f));
    }
    if let Ok(rd) = std::fs::read_dir("/usr/lib/locale/C.utf8") {
        files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    let mut files: Vec<PathBuf> = files
        .into_iter()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .filter(|f| f.starts_with("/usr") || f.starts_with("/etc"))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The oracle's files the core needs, relative to the oracle's directory: its `layout`,
/// `root/.complete`, the loader, the libraries the programs load, and the programs.
fn oracle_files() -> Result<Vec<PathBuf>, Fail> {
    use crate::oracle::{libdir, loader, PROGRAMS};
    let dir = crate::oracle::dir();
    let root = dir.join("root");
    let mut files = vec![
        PathBuf::from("layout"),
        PathBuf::from("versions"),
        PathBuf::from("root/.complete"),
    ];
    let rel = |p: &Path| p.strip_prefix(&dir).map(Path::to_path_buf);
    files.push(rel(&loader(&root)).map_err(|e| Fail(e.to_string()))?);
    for (_, prog) in PROGRAMS {
        files.push(PathBuf::from("root").join(prog));
        let text = crate::apt::output(
            Command::new(loader(&root))
                .arg("--library-path")
                .arg(libdir(&root))
                .arg("--list")
                .arg(root.join(prog)),
        )?;
        for line in text.lines() {
            if let Some((_, lib)) = line.trim().split_once(" => ") {
                let lib = Path::new(lib.split(' ').next().unwrap_or_default());
                if let Ok(r) = rel(lib) {
                    files.push(r);
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// The script run inside the guest (and, for the host's columns, on the host): the core,
/// with its output, notes, status and time in `out`. In a guest, first the files it reads
/// most are brought into the guest's memory ([`host_files`], [`oracle_files`]), with our
/// binaries and the core itself.
fn script(
    core: &Path,
    bins: &Path,
    out: &Path,
    old_kernel: bool,
    stage: bool,
) -> Result<String, Fail> {
    let oracle = crate::oracle::dir();
    let q = |p: &Path| format!("'{}'", p.display());
    // In the result directory, which a guest always sees (the checkout may be under a
    // directory the guest has its own tmpfs on).
    let mut sh = format!("cd {}\n", q(out));
    let (mut core_at, mut oracle_at, mut bins_at) = (q(core), q(&oracle), q(bins));
    if stage {
        let list = |v: Vec<PathBuf>| v.iter().map(|p| q(p)).collect::<Vec<_>>().join(" ");
        sh.push_str(&format!(
            "start=$(date +%s)\n\
             touch -c {host}\n\
             mkdir -p /tmp/core/bin /tmp/core/oracle\n\
             (cd {oracle} && cp --parents -p {ofiles} /tmp/core/oracle/)\n\
             for b in unshare-rs nsenter-rs lsns-rs netns-rs; do cp -p {bins}/$b /tmp/core/bin/; done\n\
             cp -p {core} /tmp/core/kernel_core\n\
             echo $(( $(date +%s) - start )) > {out}/stage.seconds\n",
            host = list(host_files()),
            oracle = q(&oracle),
            ofiles = list(oracle_files()?),
            bins = q(bins),
            core = q(core),
            out = q(out),
        ));
        core_at = "/tmp/core/kernel_core".into();
        oracle_at = "/tmp/core/oracle".into();
        bins_at = "/tmp/core/bin".into();
    }
    sh.push_str(&format!(
        "export CI=true NSUTILS_ORACLE={oracle_at} NSUTILS_BIN_DIR={bins_at} \
         NSUTILS_CORE_NOTES={out}/notes RUST_BACKTRACE=0 LANG=C.UTF-8 \
         NSUTILS_CORE_OLD_KERNEL={old} PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n\
         unset LC_ALL COLUMNS\n\
         uname -r > {out}/uname\n\
         start=$(date +%s)\n\
         {core_at} --test-threads=1 > {out}/core.txt 2>&1\n\
         echo $? > {out}/core.status\n\
         echo $(( $(date +%s) - start )) > {out}/core.seconds\n\
         sync\n",
        out = q(out),
        old = u8::from(old_kernel),
    ));
    Ok(sh)
}

/// A fresh directory for one column's results.
fn fresh(dir: &Path) -> Result<(), Fail> {
    let _ = std::fs::remove_dir_all(dir);
    mkdirs(dir)
}

/// Read back what a run left in `out`.
fn collect(out: &Path, mut col: Column) -> Column {
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    let text = read("core.txt");
    col.checks = matrix::parse_libtest(&text);
    col.notes = matrix::parse_notes(&read("notes"));
    col.core_took = read("core.seconds")
        .trim()
        .parse()
        .ok()
        .map(Duration::from_secs);
    let uname = read("uname");
    if !uname.trim().is_empty() {
        col.title = uname.trim().to_string();
    }
    if col.problem.is_none() {
        if read("core.status").trim().is_empty() {
            col.problem = Some(format!("the core did not finish (see {})", out.display()));
        } else if col.checks.is_empty() {
            col.problem = Some(format!(
                "the core ran no check: {}",
                text.lines().rev().take(5).collect::<Vec<_>>().join(" / ")
            ));
        }
    }
    col
}

/// The core on the host itself; `old_kernel` under the 4.18 look-alike.
fn on_host(core: &Path, bins: &Path, runs: &Path, old_kernel: bool) -> Result<Column, Fail> {
    let name = if old_kernel { "host-4.18" } else { "host" };
    let out = runs.join(name);
    fresh(&out)?;
    let sh = out.join("run.sh");
    std::fs::write(&sh, script(core, bins, &out, old_kernel, false)?)
        .map_err(|e| Fail(format!("{}: {e}", sh.display())))?;
    eprintln!(
        "xtask kernels: the core on the host{}",
        if old_kernel { " as 4.18" } else { "" }
    );
    let start = Instant::now();
    crate::run(Command::new("/bin/sh").arg(&sh))?;
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let col = Column {
        title: String::new(),
        who: if old_kernel {
            "this host as 4.18 (seccomp ENOSYS, UNAME26)".into()
        } else {
            "this host".into()
        },
        how: "native".into(),
        took: start.elapsed(),
        core_took: None,
        checks: Default::default(),
        notes: Vec::new(),
        problem: None,
    };
    let mut col = collect(&out, col);
    if old_kernel {
        col.title = format!("4.18 look-alike on {}", release.trim());
    }
    Ok(col)
}

/// The core inside a VM booted with `f`.
fn in_vm(
    vng: &vm::Vng,
    f: &fetch::Fetched,
    accel: vm::Accel,
    core: &Path,
    bins: &Path,
    runs: &Path,
) -> Result<Column, Fail> {
    let out = runs.join(f.kernel.id);
    fresh(&out)?;
    let sh = out.join("run.sh");
    std::fs::write(&sh, script(core, bins, &out, false, true)?)
        .map_err(|e| Fail(format!("{}: {e}", sh.display())))?;
    eprintln!("xtask kernels: booting {} ({})", f.release, f.kernel.distro);
    // A hang guard far above a slow run (a few minutes under TCG).
    // What the script reads from the host: the oracle, our binaries, and the core's profile
    // directory (`target/debug`: the core binary in `deps/` and the nscore-probe beside it,
    // which the core names by its absolute path).
    let profile = core
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| Fail(format!("no profile directory above {}", core.display())))?;
    let ro = [
        crate::oracle::dir(),
        bins.to_path_buf(),
        profile.to_path_buf(),
    ];
    let boot = vng.boot(f, accel, &out, &ro, &sh, Duration::from_secs(40 * 60))?;
    let col = Column {
        title: f.release.clone(),
        who: format!("{} ({})", f.kernel.distro, f.package_version),
        how: accel.name().into(),
        took: boot.took,
        core_took: None,
        checks: Default::default(),
        notes: Vec::new(),
        problem: boot
            .timed_out
            .then(|| format!("the VM was stopped after {:?} (a hang)", boot.took)),
    };
    let col = collect(&out, col);
    eprintln!(
        "xtask kernels: {}: {} checks, {} passed, in {:?}",
        col.title,
        col.checks.len(),
        col.checks.values().filter(|v| **v == Verdict::Pass).count(),
        col.took
    );
    Ok(col)
}
