//! `cargo xtask bench`: every tool timed side by side with the original.
//!
//! The original is the released util-linux and iproute2 of the oracle (`target/oracle`, see
//! `cargo xtask oracle`), run through its own dynamic loader
//! (`ld.so --library-path LIB --argv0 NAME ROOT/usr/bin/NAME ...`), the same programs the
//! differential tests compare against. The host's installed originals (older on most
//! distributions, and what their users run) are measured too, as a second column `installed`.
//!
//! Each scenario runs the original, the installed original and ours (and, with `--static`, our
//! `+crt-static` build) alternately, A B C A B C ..., after a warm-up, until it has enough rounds or has used its time
//! budget (every contestant's files first dropped from the page cache, so each is read in by
//! exec as after a reboot: `measure::level_page_cache`). For each it keeps wall time, user+system CPU and peak RSS (wait4), and computes
//! ours/original per round, reporting the median of those ratios so machine noise cancels.
//!
//! Scenarios: startup of unshare and nsenter, an `ip netns add; exec; del` cycle, lsns under
//! three loads (idle, ~2,000 processes in ~1,000 namespaces, ~10,000 in ~5,000) with five
//! option sets, and `ip netns list` with many named netns carrying nsids. A scenario whose
//! binary is missing or fails its smoke run is skipped with a note.
//!
//! With `--static`, the static build is also compared per call with busybox-static and
//! util-linux ([`busybox`], `--only busybox` for that alone).
//!
//! Everything runs inside a private mount namespace with a tmpfs over /run (see [`load`]).

mod busybox;
mod load;
pub mod measure;
mod report;
mod tables;

use crate::tools::{Tool, TOOLS};
use crate::Fail;
use measure::Sample;
use procfs::Current;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Command-line options of `cargo xtask bench` (clap reads them; each doc comment is the
/// option's `--help` text).
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Fewer rounds and smaller loads (minutes instead of an hour).
    #[arg(long)]
    pub quick: bool,
    /// Also measure a `+crt-static` build, and compare it per call with busybox-static.
    #[arg(long = "static")]
    pub static_too: bool,
    /// Rewrite docs/BENCHMARKS.md from this run.
    #[arg(long)]
    pub write_doc: bool,
    /// Use the release binaries already built instead of building them.
    #[arg(long)]
    pub skip_build: bool,
    /// Only the scenarios whose name contains WORD (`busybox`: the static per-call comparison
    /// alone).
    #[arg(long, value_name = "WORD")]
    pub only: Option<String>,
}

/// How hard to work.
struct Plan {
    warmup: usize,
    min_rounds: usize,
    max_rounds: usize,
    budget: Duration,
    /// (label, holders, children per holder).
    loads: Vec<(&'static str, usize, usize)>,
    named_netns: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                warmup: 1,
                min_rounds: 3,
                max_rounds: 15,
                budget: Duration::from_millis(1200),
                loads: vec![("idle", 0, 0), ("2k", 500, 3)],
                named_netns: 100,
            }
        } else {
            Plan {
                warmup: 3,
                min_rounds: 5,
                max_rounds: 60,
                budget: Duration::from_secs(12),
                loads: vec![("idle", 0, 0), ("2k", 500, 3), ("10k", 2500, 3)],
                named_netns: 1000,
            }
        }
    }
}

/// Who runs a scenario.
#[derive(Clone, Debug)]
pub struct Variant {
    /// `original`, `ours` or `ours-static`.
    pub label: &'static str,
    /// The command sequence.
    pub seq: Vec<Vec<OsString>>,
    /// How its commands start (`no-listns`: under the seccomp filter).
    pub start: measure::Start,
}

/// One scenario's outcome.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `startup`, `lsns`, `netns`.
    pub group: &'static str,
    /// The original's command line, as a name.
    pub name: String,
    /// The load it ran under.
    pub load: String,
    /// Per variant: label and samples (empty when skipped).
    pub variants: Vec<(&'static str, Vec<Sample>)>,
    /// Why (part of) it was skipped.
    pub notes: Vec<String>,
}

fn os(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

/// Which program runs a scenario.
#[derive(Clone, Copy, Debug)]
enum Who<'a> {
    /// The oracle's release, unpacked under this root.
    Original(&'a Path),
    /// The host's installed original ([`Tool::original`]).
    Installed,
    /// Our binaries in this directory.
    Ours(&'a Path),
}

/// The original's argv for `args` of `tool` (`ip netns` gets its `netns` word): the installed
/// program, or the oracle's through its loader with argv[0] = the program's name.
fn original_argv(who: Who<'_>, tool: &Tool, args: &[&str]) -> Vec<OsString> {
    let name = tool.original.rsplit('/').next().unwrap_or(tool.original);
    let mut v = match who {
        Who::Original(root) => {
            let rel = crate::oracle::PROGRAMS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(tool.original, |(_, p)| p);
            vec![
                crate::oracle::loader(root).into_os_string(),
                "--library-path".into(),
                crate::oracle::libdir(root).into_os_string(),
                "--argv0".into(),
                name.into(),
                root.join(rel).into_os_string(),
            ]
        }
        _ => vec![OsString::from(tool.original)],
    };
    if tool.bin == "netns-rs" {
        v.push("netns".into());
    }
    v.extend(os(args));
    v
}

fn ours_argv(dir: &Path, tool: &Tool, args: &[&str]) -> Vec<OsString> {
    let mut v = vec![dir.join(tool.bin).into_os_string()];
    v.extend(os(args));
    v
}

/// `ip` itself (for `ip -V`): netns-rs's original without its `netns` word.
const IP: Tool = Tool {
    bin: "ip",
    ..TOOLS[3]
};

fn tool(bin: &str) -> &'static Tool {
    TOOLS.iter().find(|t| t.bin == bin).unwrap_or(&TOOLS[0])
}

/// A scenario to run.
struct Scenario {
    group: &'static str,
    tool: &'static Tool,
    steps: Vec<Vec<String>>,
    load: String,
    /// How to tell a working binary from a stub: the step whose `true` is swapped for `false`
    /// must then fail (startup), or the output must be non-empty when the original's is.
    check: Check,
    /// The nsenter target's pid, shown as `PID` in the scenario's name.
    pid: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Check {
    FalseFails,
    Output,
}

impl Scenario {
    fn name(&self) -> String {
        let orig = self
            .tool
            .original
            .rsplit('/')
            .next()
            .unwrap_or(self.tool.original);
        let prefix = if self.tool.bin == "netns-rs" {
            "ip netns "
        } else {
            ""
        };
        let joined = self
            .steps
            .iter()
            .map(|s| {
                // The target's pid differs from run to run: show it as PID.
                let words: Vec<&str> = s
                    .iter()
                    .map(|w| if *w == self.pid { "PID" } else { w.as_str() })
                    .collect();
                let words = words.join(" ");
                if prefix.is_empty() {
                    format!("{orig} {words}").trim_end().to_string()
                } else {
                    words
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!("{prefix}{joined}")
    }

    fn seq(&self, who: Who<'_>, swap_false: bool) -> Vec<Vec<OsString>> {
        self.steps
            .iter()
            .map(|s| {
                let words: Vec<&str> = s
                    .iter()
                    .map(|w| {
                        if swap_false && w == "true" {
                            "false"
                        } else {
                            w.as_str()
                        }
                    })
                    .collect();
                match who {
                    Who::Ours(dir) => ours_argv(dir, self.tool, &words),
                    other => original_argv(other, self.tool, &words),
                }
            })
            .collect()
    }
}

fn sv(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn startup_scenarios(target: i32) -> Vec<Scenario> {
    let pid = target.to_string();
    let mut v = Vec::new();
    for args in [
        &["-U", "true"][..],
        &["-m", "true"],
        &["-n", "true"],
        &["-r", "true"],
        &["-fp", "--mount-proc", "true"],
    ] {
        v.push(Scenario {
            group: "startup",
            tool: tool("unshare-rs"),
            steps: vec![sv(args)],
            load: "idle".into(),
            check: Check::FalseFails,
            pid: pid.clone(),
        });
    }
    for args in [&["-a", "true"][..], &["-n", "true"], &["-m", "-p", "true"]] {
        let mut s = sv(&["-t", &pid]);
        s.extend(sv(args));
        v.push(Scenario {
            group: "startup",
            tool: tool("nsenter-rs"),
            steps: vec![s],
            load: "idle".into(),
            check: Check::FalseFails,
            pid: pid.clone(),
        });
    }
    v.push(Scenario {
        group: "netns",
        tool: tool("netns-rs"),
        steps: vec![
            sv(&["add", "nsbench"]),
            sv(&["exec", "nsbench", "true"]),
            sv(&["del", "nsbench"]),
        ],
        load: "idle".into(),
        check: Check::FalseFails,
        pid,
    });
    v
}

fn lsns_scenarios(load: &str, pid: i32) -> Vec<Scenario> {
    let pid = pid.to_string();
    [
        sv(&[]),
        sv(&["-J"]),
        sv(&["-t", "net"]),
        sv(&["-p", &pid]),
        sv(&["-r", "-n", "-o", "NS,TYPE,NPROCS"]),
    ]
    .into_iter()
    .map(|args| Scenario {
        group: "lsns",
        tool: tool("lsns-rs"),
        steps: vec![args],
        load: load.into(),
        check: Check::Output,
        pid: pid.clone(),
    })
    .collect()
}

/// Smoke-test a variant: Ok when it runs, exits 0, and passes the scenario's check.
fn smoke(
    s: &Scenario,
    who: Who<'_>,
    orig_out: Option<&[u8]>,
    start: measure::Start,
) -> Result<Vec<u8>, String> {
    let runs = measure::smoke(&s.seq(who, false), start)?;
    let last = runs.last().cloned().unwrap_or_default();
    if let Some((code, _, err)) = runs.iter().find(|r| r.0 != 0) {
        let msg = String::from_utf8_lossy(err);
        return Err(format!(
            "exit {code}: {}",
            msg.lines().next().unwrap_or("").trim()
        ));
    }
    match s.check {
        Check::FalseFails => {
            let runs = measure::smoke(&s.seq(who, true), start)?;
            if runs.iter().all(|r| r.0 == 0) {
                return Err(
                    "running `false` instead of `true` still exits 0 (not implemented?)".into(),
                );
            }
        }
        Check::Output => {
            if let Some(o) = orig_out {
                if !o.is_empty() && last.1.is_empty() {
                    return Err(
                        "prints nothing where the original prints output (not implemented?)".into(),
                    );
                }
            }
        }
    }
    Ok(last.1)
}

fn run_scenario(
    s: &Scenario,
    oracle: &Path,
    ours: &[(&'static str, PathBuf)],
    plan: &Plan,
) -> Outcome {
    let mut out = Outcome {
        group: s.group,
        name: s.name(),
        load: s.load.clone(),
        variants: Vec::new(),
        notes: Vec::new(),
    };
    let mut runners: Vec<Variant> = Vec::new();
    let plain = measure::Start::Plain;
    let orig_out = match smoke(s, Who::Original(oracle), None, plain) {
        Ok(o) => o,
        Err(e) => {
            out.notes.push(format!("original skipped: {e}"));
            return out;
        }
    };
    runners.push(Variant {
        label: "original",
        seq: s.seq(Who::Original(oracle), false),
        start: plain,
    });
    match smoke(s, Who::Installed, Some(&orig_out), plain) {
        Ok(_) => runners.push(Variant {
            label: "installed",
            seq: s.seq(Who::Installed, false),
            start: plain,
        }),
        Err(e) => out.notes.push(format!("installed skipped: {e}")),
    }
    for (label, dir) in ours {
        if !dir.join(s.tool.bin).is_file() {
            out.notes
                .push(format!("{label} skipped: {} not built", s.tool.bin));
            continue;
        }
        match smoke(s, Who::Ours(dir), Some(&orig_out), plain) {
            Ok(_) => runners.push(Variant {
                label,
                seq: s.seq(Who::Ours(dir), false),
                start: plain,
            }),
            Err(e) => out.notes.push(format!("{label} skipped: {e}")),
        }
    }
    // On kernels with listns(2) (6.19), lsns-rs asks the kernel for its list too: the same
    // binary with the call refused shows what that costs.
    if s.group == "lsns" && nscore::listns::supported() {
        if let Some((_, dir)) = ours.iter().find(|o| o.0 == "ours") {
            let no = measure::Start::NoListns;
            match smoke(s, Who::Ours(dir), Some(&orig_out), no) {
                Ok(_) => runners.push(Variant {
                    label: "no-listns",
                    seq: s.seq(Who::Ours(dir), false),
                    start: no,
                }),
                Err(e) => out.notes.push(format!("no-listns skipped: {e}")),
            }
        }
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); runners.len()];
    // Warm-up (page cache, dentries); the smoke runs were one already, so a slow scenario
    // (lsns under the big load) stops after one round.
    let warm = Instant::now();
    for _ in 0..plan.warmup {
        for r in &runners {
            let _ = measure::run(&r.seq, r.start);
        }
        if warm.elapsed() > plan.budget / 8 {
            break;
        }
    }
    let start = Instant::now();
    let mut failed = vec![false; runners.len()];
    for round in 0..plan.max_rounds {
        if round >= plan.min_rounds && start.elapsed() > plan.budget {
            break;
        }
        for (i, r) in runners.iter().enumerate() {
            if failed[i] {
                continue;
            }
            match measure::run(&r.seq, r.start) {
                Ok(x) => samples[i].push(x),
                Err(e) => {
                    out.notes
                        .push(format!("{} failed during the run: {e}", r.label));
                    failed[i] = true;
                }
            }
        }
    }
    // Keep only complete rounds so that ratios pair up.
    for (r, mut v) in runners.iter().zip(samples) {
        out.variants.push((r.label, std::mem::take(&mut v)));
    }
    out
}

/// Create `n` named netns with nsids (in batches through `ip -batch`).
fn make_named_netns(n: usize) -> Result<(), Fail> {
    let file = PathBuf::from("/run/nsutils-bench-netns.batch");
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("netns add nb{i}\nnetns set nb{i} auto\n"));
    }
    std::fs::write(&file, text).map_err(|e| Fail(format!("{}: {e}", file.display())))?;
    crate::run(
        std::process::Command::new("/usr/sbin/ip")
            .arg("-batch")
            .arg(&file),
    )
}

/// The 1, 5 and 15 minute load averages (/proc/loadavg), as the kernel prints them.
fn loadavg() -> String {
    procfs::LoadAverage::current()
        .map(|l| format!("{:.2} {:.2} {:.2}", l.one, l.five, l.fifteen))
        .unwrap_or_default()
}

fn machine(oracle: &Path) -> serde_json::Value {
    let cpu = procfs::CpuInfo::current()
        .ok()
        .and_then(|c| c.model_name(0).map(str::to_string))
        .unwrap_or_default();
    // uname(2)'s release is /proc/sys/kernel/osrelease whole; procfs's kernel Version keeps
    // only major.minor.patch and would drop the local suffix (e.g. `-fc-v857`).
    let kernel = rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned();
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = procfs::Meminfo::current()
        .map(|m| (m.mem_total / 1024).to_string())
        .unwrap_or_default();
    let version = |argv: Vec<OsString>| {
        std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default()
    };
    serde_json::json!({
        "nproc": nproc,
        "kernel": kernel,
        "cpu": cpu,
        "mem_kib": mem,
        "util_linux": version(original_argv(Who::Original(oracle), tool("lsns-rs"), &["--version"])),
        "iproute2": version(original_argv(Who::Original(oracle), &IP, &["-V"])),
        "util_linux_installed": version(os(&["/usr/bin/lsns", "--version"])),
        "iproute2_installed": version(os(&["/usr/sbin/ip", "-V"])),
    })
}

/// `cargo xtask bench`.
pub fn main(opts: Options) -> Result<(), Fail> {
    // SAFETY: geteuid takes no arguments.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Fail(
            "bench needs root: it creates namespaces and mounts (in a private mount namespace)"
                .into(),
        ));
    }
    let oracle_dir = crate::oracle::dir();
    if !crate::oracle::is_complete(&oracle_dir) {
        return Err(Fail(format!(
            "bench measures against the released originals of the oracle, which is not in {}: \
             run `cargo xtask oracle` first",
            oracle_dir.display()
        )));
    }
    let oracle = oracle_dir.join("root");
    let plan = Plan::new(opts.quick);
    let started = Instant::now();
    let loadavg_start = loadavg();
    let mut ours: Vec<(&'static str, PathBuf)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    if opts.skip_build {
        ours.push(("ours", crate::target_dir().join("release")));
        if opts.static_too {
            ours.push(("ours-static", crate::static_build::bin_dir()));
        }
    } else {
        eprintln!("bench: building release binaries...");
        ours.push(("ours", crate::build_release(false)?));
        if opts.static_too {
            eprintln!("bench: building the +crt-static variant...");
            match crate::build_release(true) {
                Ok(d) => ours.push(("ours-static", d)),
                Err(e) => notes.push(format!("static build failed: {}", e.0)),
            }
        }
    }

    // Ours just linked would start from the page cache the linker filled, the oracle's files
    // from wherever they are: drop both, so each is read in by exec as after a reboot.
    let mut files: Vec<PathBuf> = ours
        .iter()
        .flat_map(|(_, d)| TOOLS.iter().map(move |t| d.join(t.bin)))
        .collect();
    files.extend(crate::oracle::files_run(&oracle));
    notes.extend(measure::level_page_cache(&files));

    load::install_teardown()?;
    load::enter_private_run()?;
    let target = load::Target::spawn()?;

    // The floor of the RSS column: what a trivial program reports when started the same way.
    let floor = (0..5)
        .filter_map(|_| measure::run(&[os(&["/bin/true"])], measure::Start::Plain).ok())
        .map(|s| s.rss_kib)
        .min()
        .unwrap_or(0);

    let wanted = |s: &Scenario| opts.only.as_deref().is_none_or(|w| s.name().contains(w));
    let mut results: Vec<Outcome> = Vec::new();
    let mut loads_made = Vec::new();
    let run_all = |list: Vec<Scenario>, results: &mut Vec<Outcome>| {
        for s in list.into_iter().filter(|s| wanted(s)) {
            eprint!("bench: {:<45} {:>5} ", s.name(), s.load);
            let o = run_scenario(&s, &oracle, &ours, &plan);
            let n = o.variants.first().map(|v| v.1.len()).unwrap_or(0);
            eprintln!(
                "{n} rounds{}",
                if o.notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", o.notes.join("; "))
                }
            );
            results.push(o);
        }
    };

    run_all(startup_scenarios(target.pid), &mut results);
    if let Some((_, dir)) = ours.iter().find(|o| o.0 == "ours-static") {
        if opts.only.as_deref().is_none_or(|w| w == "busybox") {
            let rounds = if opts.quick { 100 } else { 400 };
            match busybox::compare(dir, target.pid, rounds) {
                Ok(md) => {
                    println!("{md}");
                    let p = crate::target_dir().join("bench/busybox.md");
                    let _ = std::fs::create_dir_all(crate::target_dir().join("bench"));
                    let _ = std::fs::write(&p, md);
                }
                Err(e) => notes.push(format!("busybox comparison skipped: {}", e.0)),
            }
        }
    }

    let (room, why) = load::process_headroom();
    for (label, holders, children) in &plan.loads {
        if !lsns_scenarios(label, target.pid).iter().any(wanted) {
            continue;
        }
        let want = holders * (1 + children);
        if want + 500 > room {
            notes.push(format!("load {label} skipped: it needs {want} processes, the machine allows {room} more ({why})"));
            continue;
        }
        let made = if *holders > 0 {
            let t = Instant::now();
            let l = load::Load::spawn(*holders, *children)?;
            eprintln!(
                "bench: load {label}: {} processes in {} namespaces (+ leader) in {:.1}s",
                l.processes,
                l.namespaces,
                t.elapsed().as_secs_f64()
            );
            // Let the kernel finish deferred work from the burst of forks before measuring.
            std::thread::sleep(Duration::from_millis(500));
            loads_made.push(serde_json::json!({"label": label, "processes": l.processes, "namespaces": l.namespaces}));
            Some(l)
        } else {
            None
        };
        run_all(lsns_scenarios(label, target.pid), &mut results);
        drop(made);
    }

    if opts
        .only
        .as_deref()
        .is_none_or(|w| "ip netns list".contains(w))
    {
        let t = Instant::now();
        match make_named_netns(plan.named_netns) {
            Ok(()) => {
                eprintln!(
                    "bench: {} named netns with nsids in {:.1}s",
                    plan.named_netns,
                    t.elapsed().as_secs_f64()
                );
                let s = Scenario {
                    group: "netns",
                    tool: tool("netns-rs"),
                    steps: vec![sv(&["list"])],
                    load: format!("{} netns", plan.named_netns),
                    check: Check::Output,
                    pid: String::new(),
                };
                run_all(vec![s], &mut results);
            }
            Err(e) => notes.push(format!(
                "ip netns list skipped: cannot create named netns: {}",
                e.0
            )),
        }
    }
    drop(target);

    let command = format!(
        "cargo xtask bench{}{}",
        if opts.quick { " --quick" } else { "" },
        if opts.static_too { " --static" } else { "" }
    );
    let mut machine = machine(&oracle);
    machine["loadavg_start"] = loadavg_start.into();
    machine["loadavg_end"] = loadavg().into();
    let report = report::Report {
        command,
        machine,
        floor_rss_kib: floor,
        loads: loads_made,
        results,
        notes,
        seconds: started.elapsed().as_secs_f64(),
    };
    println!("{}", report.table());
    let dir = crate::target_dir().join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| Fail(format!("{}: {e}", dir.display())))?;
    let json = dir.join("results.json");
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&report.json()).unwrap_or_default(),
    )
    .map_err(|e| Fail(format!("{}: {e}", json.display())))?;
    println!("results: {}", json.display());
    if opts.write_doc {
        let doc = crate::workspace_root().join("docs/BENCHMARKS.md");
        // Keep the hand-written part (decisions drawn from the numbers) below the marker.
        const MARK: &str = "<!-- hand-written below: kept by --write-doc -->";
        let mut text = report.markdown();
        if let Ok(old) = std::fs::read_to_string(&doc) {
            if let Some(at) = old.find(MARK) {
                text.push('\n');
                text.push_str(&old[at..]);
            }
        }
        std::fs::write(&doc, text).map_err(|e| Fail(format!("{}: {e}", doc.display())))?;
        println!("wrote {}", doc.display());
    }
    Ok(())
}
