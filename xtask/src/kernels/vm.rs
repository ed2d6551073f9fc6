//! Booting a fetched kernel with virtme-ng: the host's filesystem is the guest's root,
//! read-only (with throw-away overlays on /etc, /usr, /tmp ...), so the checkout, its `target/`
//! and the oracle are all visible inside, and one directory of the host is mounted writable
//! (`--rwdir`): the run's results go there and nowhere else.
//!
//! virtme-ng comes from PyPI into a virtual environment under `target/kernels/venv` (pinned,
//! nothing installed system-wide); QEMU is Debian's `qemu-system-x86`. The guest's init finds
//! virtme's stdout/stderr/exit-code ports only through udev, which a host without udev lacks,
//! so nothing relies on them: the script run inside writes its own results and exit status
//! into the writable directory, and the guest's console (`-v`) is kept as `console.log` there.
//!
//! KVM is used where it works; on a nested host where it fails (QEMU stops at once with a KVM
//! error) a short probe boot finds that out and every boot runs under TCG.

use super::fetch::{cache_dir, Fetched};
use crate::apt::mkdirs;
use crate::Fail;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The virtme-ng release the matrix was made with.
const VIRTME_NG: &str = "virtme-ng==1.42";

/// How QEMU runs the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    /// Hardware virtualisation.
    Kvm,
    /// QEMU's own translator: slow (process start-up about 100x the host's) but always there.
    Tcg,
}

impl Accel {
    /// As written in the matrix.
    pub fn name(self) -> &'static str {
        match self {
            Accel::Kvm => "KVM",
            Accel::Tcg => "TCG",
        }
    }
}

/// virtme-ng, ready to run.
pub struct Vng {
    venv_bin: PathBuf,
}

/// The virtual environment's directory.
fn venv() -> PathBuf {
    cache_dir().join("venv")
}

/// Install what booting needs and is missing: Debian's QEMU and a static busybox, which
/// virtme-ng puts in the initramfs that loads the 9p modules (as root, through apt-get), and
/// virtme-ng in its own virtual environment.
pub fn tools() -> Result<Vng, Fail> {
    crate::deps::install_missing(&[
        ("qemu-system-x86_64", "qemu-system-x86"),
        ("busybox", "busybox-static"),
    ])?;
    let venv = venv();
    let bin = venv.join("bin");
    let marker = venv.join(".nsutils-virtme");
    let ready = std::fs::read_to_string(&marker).is_ok_and(|t| t.trim() == VIRTME_NG);
    if !ready || !bin.join("vng").is_file() {
        let _ = std::fs::remove_dir_all(&venv);
        mkdirs(&cache_dir())?;
        // Debian's python3 (not a python of the caller's PATH): its venv module is what
        // python3-venv provides.
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| !p.starts_with('/') || Path::new(p).is_file())
            .unwrap_or("python3");
        let made = Command::new(python)
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .map_err(|e| Fail(format!("cannot run {python}: {e}")))?;
        if !made.success() {
            crate::deps::install_packages(&["python3-venv"])?;
            crate::run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
        }
        eprintln!(
            "xtask kernels: installing {VIRTME_NG} into {}",
            venv.display()
        );
        crate::run(Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            VIRTME_NG,
        ]))
        .map_err(|Fail(m)| Fail(format!("cannot install {VIRTME_NG} from PyPI: {m}")))?;
        std::fs::write(&marker, VIRTME_NG)
            .map_err(|e| Fail(format!("{}: {e}", marker.display())))?;
    }
    Ok(Vng { venv_bin: bin })
}

/// One boot's outcome.
pub struct Boot {
    /// Wall-clock time from starting QEMU to its end.
    pub took: Duration,
    /// Whether the hang guard ended it.
    pub timed_out: bool,
}

impl Vng {
    /// Boot `k` with `out` writable and run `script` (a file inside `out`, run by /bin/sh as
    /// root) as the guest's only program; the console goes to `out/console.log`. `limit`
    /// guards against a hang (QEMU and everything under it is killed then). `ro` are host
    /// directories the script reads: the guest sees the host's root, but with fresh tmpfs on
    /// /tmp and /var/tmp, so a checkout there is only visible through these read-only
    /// mounts (none of them may contain `out`, which they would cover).
    pub fn boot(
        &self,
        k: &Fetched,
        accel: Accel,
        out: &Path,
        ro: &[PathBuf],
        script: &Path,
        limit: Duration,
    ) -> Result<Boot, Fail> {
        if let Some(d) = ro.iter().find(|d| out.starts_with(d)) {
            return Err(Fail(format!(
                "{} would cover the VM's result directory {}",
                d.display(),
                out.display()
            )));
        }
        let log = out.join("console.log");
        let console =
            std::fs::File::create(&log).map_err(|e| Fail(format!("{}: {e}", log.display())))?;
        let console_err = console
            .try_clone()
            .map_err(|e| Fail(format!("{}: {e}", log.display())))?;
        let path = format!(
            "{}:{}",
            self.venv_bin.display(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/sbin:/usr/bin:/sbin:/bin".into())
        );
        // setpriv(1) sets the parent-death signal and execs timeout(1): should xtask die (a
        // Ctrl-C, a kill), timeout gets SIGTERM and ends QEMU's whole process group with it,
        // so no VM outlives the run (seen: a killed run's guest went on booting for minutes).
        let mut cmd = Command::new("setpriv");
        cmd.args(["--pdeathsig", "TERM", "timeout"])
            .args(["--kill-after=10", &format!("{}", limit.as_secs())])
            .arg(self.venv_bin.join("vng"))
            .arg("-v")
            .arg("-r")
            .arg(&k.vmlinuz)
            .args(["--cpus", "2", "--memory", "2G"])
            // Spectre/Meltdown mitigations cost much under TCG (page-table switches at every
            // system call) and change nothing the core looks at. no_timer_check: on a loaded
            // host a TCG guest's timer can look broken to the boot-time check, which then
            // panics (seen with 5.10: "IO-APIC + timer doesn't work").
            .args(["--append", "mitigations=off no_timer_check"])
            .arg(format!("--rwdir={}", out.display()))
            .args(ro.iter().map(|d| format!("--rodir={}", d.display())))
            // The caller's working directory may be one the guest cannot see.
            .args(["--cwd", "/"])
            .arg("--exec")
            .arg(format!("/bin/sh {}", script.display()));
        if accel == Accel::Tcg {
            cmd.arg("--disable-kvm");
        }
        let start = Instant::now();
        let st = cmd
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(console_err)
            .status()
            .map_err(|e| Fail(format!("cannot run setpriv/timeout/vng: {e}")))?;
        Ok(Boot {
            took: start.elapsed(),
            // timeout(1) exits 124 when it ended the command (137 after --kill-after).
            timed_out: matches!(st.code(), Some(124) | Some(137)),
        })
    }

    /// Whether KVM works here: a probe boot that only writes a file. On a host whose nested
    /// virtualisation is broken QEMU stops within seconds.
    pub fn probe_kvm(&self, k: &Fetched) -> Result<Accel, Fail> {
        let kvm = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/kvm");
        if kvm.is_err() {
            return Ok(Accel::Tcg);
        }
        let dir = cache_dir().join("kvm-probe");
        let _ = std::fs::remove_dir_all(&dir);
        mkdirs(&dir)?;
        let script = dir.join("probe.sh");
        let flag = dir.join("ok");
        std::fs::write(&script, format!("echo ok > {}\n", flag.display()))
            .map_err(|e| Fail(format!("{}: {e}", script.display())))?;
        self.boot(k, Accel::Kvm, &dir, &[], &script, Duration::from_secs(120))?;
        let works = flag.is_file();
        let _ = std::fs::remove_dir_all(&dir);
        Ok(if works { Accel::Kvm } else { Accel::Tcg })
    }
}
