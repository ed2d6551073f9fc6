//! `cargo xtask bench --static`, second part: the static build per call against
//! busybox-static and util-linux, where containers and initramfs scripts call these tools many
//! times a second.
//!
//! busybox-static is Debian's package, fetched with `apt-get download` (the host's package
//! lists, apt's sandbox user switched off as `oracle.rs` does; nothing is installed) and
//! unpacked with `dpkg-deb -x` into `target/busybox`. util-linux is measured twice: the
//! target release from the oracle (run through its own dynamic loader, as `oracle.rs`
//! describes) and the installed `/usr/bin` one.
//!
//! Each scenario runs every variant once per round, in an order that rotates from round to
//! round, after a warm-up; the ratio is the median over rounds of ours / theirs in the same
//! round. Every command runs with `PATH=/usr/sbin:/usr/bin:/sbin:/bin`. The program is given
//! two ways: `true` as typed (busybox then runs its own `true` applet, a second start of
//! itself, where the others exec `/usr/bin/true`), and `/usr/bin/true`, the same program for
//! all, which leaves only the tools' own cost different. Before it starts, every contestant's
//! files are dropped from the page cache, so all are read in by exec as after a reboot
//! (`measure::level_page_cache`).

use super::measure;
use super::tables::{self, Align, Column};
use crate::{run, Fail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where busybox-static is unpacked.
fn dir() -> PathBuf {
    crate::target_dir().join("busybox")
}

/// The unpacked busybox binary, fetched on first use; and the package's version.
pub fn fetch() -> Result<(PathBuf, String), Fail> {
    let root = dir().join("root");
    let bin = root.join("bin/busybox");
    let version_file = dir().join("version");
    if !bin.is_file() || !version_file.is_file() {
        let debs = dir().join("debs");
        let _ = std::fs::remove_dir_all(&debs);
        std::fs::create_dir_all(&debs).map_err(|e| Fail(format!("{}: {e}", debs.display())))?;
        eprintln!("bench: apt-get download busybox-static");
        run(Command::new("apt-get")
            .args([
                "-qq",
                "-oAPT::Sandbox::User=root",
                "download",
                "busybox-static",
            ])
            .current_dir(&debs))?;
        let deb = std::fs::read_dir(&debs)
            .map_err(|e| Fail(format!("{}: {e}", debs.display())))?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .ok_or_else(|| Fail("apt-get download busybox-static gave no .deb".into()))?;
        let _ = std::fs::remove_dir_all(&root);
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
        let out = Command::new("dpkg-deb")
            .args(["-f"])
            .arg(&deb)
            .arg("Version")
            .output()
            .map_err(|e| Fail(format!("dpkg-deb: {e}")))?;
        std::fs::write(&version_file, out.stdout)
            .map_err(|e| Fail(format!("{}: {e}", version_file.display())))?;
    }
    if !bin.is_file() {
        return Err(Fail(format!("{} is missing", bin.display())));
    }
    let version = std::fs::read_to_string(&version_file)
        .unwrap_or_default()
        .trim()
        .to_string();
    Ok((bin, version))
}

/// One measured command line per variant; `None` where the variant cannot do it.
struct Scenario {
    name: String,
    variants: Vec<(&'static str, Option<Vec<OsString>>)>,
}

/// The variants, in column order.
const WHO: [&str; 4] = ["nsutils-static", "busybox-static", "util-linux", "/usr/bin"];

fn argv(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

fn scenarios(ours: &Path, busybox: &Path, oracle: Option<&Path>, pid: i32) -> Vec<Scenario> {
    let pid = pid.to_string();
    let mut v = Vec::new();
    for prog in ["true", "/usr/bin/true"] {
        let cases: [(&str, Vec<&str>, bool); 5] = [
            ("unshare", vec!["-U"], true),
            ("unshare", vec!["-n"], true),
            ("nsenter", vec!["-t", &pid, "-u"], true),
            ("nsenter", vec!["-t", &pid, "-n", "-m"], true),
            ("nsenter", vec!["-t", &pid, "-a"], false),
        ];
        for (tool, args, bb) in cases {
            let mut tail: Vec<&str> = args.clone();
            tail.push(prog);
            let with = |first: Vec<String>| {
                let mut w: Vec<OsString> = first.into_iter().map(OsString::from).collect();
                w.extend(argv(&tail));
                Some(w)
            };
            let ours_bin = ours.join(format!("{tool}-rs"));
            let orc = oracle.map(|root| {
                let ld = crate::oracle::loader(root);
                let lib = crate::oracle::libdir(root);
                vec![
                    ld.display().to_string(),
                    "--library-path".into(),
                    lib.display().to_string(),
                    "--argv0".into(),
                    tool.into(),
                    root.join("usr/bin").join(tool).display().to_string(),
                ]
            });
            v.push(Scenario {
                name: format!("{tool} {}", tail.join(" ")).replace(&pid, "PID"),
                variants: vec![
                    (WHO[0], with(vec![ours_bin.display().to_string()])),
                    (
                        WHO[1],
                        if bb {
                            with(vec![busybox.display().to_string(), tool.into()])
                        } else {
                            None
                        },
                    ),
                    (WHO[2], orc.and_then(with)),
                    (WHO[3], with(vec![format!("/usr/bin/{tool}")])),
                ],
            });
        }
    }
    v
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Run the comparison (inside the bench's private mount namespace, with the nsenter target
/// `pid`); returns the markdown table.
pub fn compare(ours: &Path, pid: i32, rounds: usize) -> Result<String, Fail> {
    let (busybox, bb_version) = fetch()?;
    let oracle_dir = crate::oracle::dir();
    let root = oracle_dir.join("root");
    let oracle = crate::oracle::is_complete(&oracle_dir).then_some(root.as_path());
    let util_linux = format!("util-linux {} ms", crate::oracle::EXPECTED[0].1);
    let columns: [Column; 8] = [
        ("command", Align::Left),
        ("nsutils-static ms", Align::Right),
        ("busybox-static ms", Align::Right),
        (&util_linux, Align::Right),
        ("/usr/bin ms", Align::Right),
        ("× busybox", Align::Right),
        ("× util-linux", Align::Right),
        ("× /usr/bin", Align::Right),
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notes = vec![format!("busybox-static {bb_version}")];
    // Every contestant's files start from the same page-cache state (see
    // `measure::level_page_cache`): a busybox just unpacked would otherwise start faster than
    // the same file after a reboot.
    let mut files: Vec<PathBuf> = ["unshare-rs", "nsenter-rs"]
        .iter()
        .map(|b| ours.join(b))
        .collect();
    files.push(busybox.clone());
    if let Some(root) = oracle {
        files.extend(crate::oracle::files_run(root));
    }
    notes.extend(measure::level_page_cache(&files));
    for s in scenarios(ours, &busybox, oracle, pid) {
        // Keep the variants that run and exit 0.
        let live: Vec<(&str, Vec<OsString>)> = s
            .variants
            .iter()
            .filter_map(|(who, a)| {
                let a = a.clone()?;
                match measure::run(std::slice::from_ref(&a), Default::default()) {
                    Ok(_) => Some((*who, a)),
                    Err(e) => {
                        notes.push(format!("{}: {who} skipped: {e}", s.name));
                        None
                    }
                }
            })
            .collect();
        if live.first().map(|l| l.0) != Some(WHO[0]) {
            notes.push(format!("{}: nsutils-static did not run", s.name));
            continue;
        }
        for _ in 0..10 {
            for (_, a) in &live {
                let _ = measure::run(std::slice::from_ref(a), Default::default());
            }
        }
        let mut walls: Vec<Vec<f64>> = vec![Vec::new(); live.len()];
        for round in 0..rounds {
            let mut got = vec![f64::NAN; live.len()];
            for k in 0..live.len() {
                let i = (k + round) % live.len();
                got[i] = measure::run(std::slice::from_ref(&live[i].1), Default::default())
                    .map_err(|e| Fail(format!("{}: {e}", s.name)))?
                    .wall;
            }
            for (w, g) in walls.iter_mut().zip(got) {
                w.push(g);
            }
        }
        let ms = |who: &str| {
            live.iter()
                .position(|l| l.0 == who)
                .map(|i| median(walls[i].clone()) * 1e3)
        };
        let ratio = |who: &str| {
            live.iter()
                .position(|l| l.0 == who)
                .map(|i| median(walls[0].iter().zip(&walls[i]).map(|(a, b)| a / b).collect()))
        };
        let cell =
            |x: Option<f64>, digits: usize| x.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        let row = vec![
            format!("`{}`", s.name),
            cell(ms(WHO[0]), 3),
            cell(ms(WHO[1]), 3),
            cell(ms(WHO[2]), 3),
            cell(ms(WHO[3]), 3),
            cell(ratio(WHO[1]), 2),
            cell(ratio(WHO[2]), 2),
            cell(ratio(WHO[3]), 2),
        ];
        eprintln!("bench: {}", row.join(" "));
        rows.push(row);
    }
    let mut md = tables::markdown(&columns, rows);
    md.push('\n');
    for n in notes {
        md.push_str(&format!("- {n}\n"));
    }
    Ok(md)
}
