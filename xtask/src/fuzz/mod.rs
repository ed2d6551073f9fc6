//! `cargo xtask fuzz`: differential fuzzing of the four tools against the oracle.
//!
//! Six streams of generated cases: argument vectors for each tool (`unshare`, `nsenter`,
//! `lsns`, `netns`), lsns `-Q` expressions (`filter`) and `ip -batch` files (`batch`). Every
//! generator takes its options from the tool's own table ([`tables`]). Each case runs through
//! the original and ours in throwaway scenes ([`scenes`]) and is judged ([`judge`]): the same
//! bytes and status, a difference docs/COMPATIBILITY.md lists, the original's crash or hang,
//! or a failure (an undocumented divergence, our crash or hang). Failures are grouped by
//! signature and each group's first case is minimised ([`shrink`]) to a short line that can go
//! into the regression corpus (`xtask/fuzz-regressions.txt`, run by this module's tests).
//!
//! Case `i` of a stream is generated from its own seed (derived from the run's seed, the
//! stream and `i`), so any case of a run can be made again alone; the same seed and counts give
//! the same cases in any order and on any number of jobs.

mod argv;
mod batch;
mod case;
mod filter;
mod judge;
mod leftovers;
mod scenes;
mod shrink;
mod tables;
mod values;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nsutils_testkit::scene::Ran;

use crate::Fail;
pub use case::Case;
use judge::Verdict;
use tables::{Table, ToolId};

/// A stream of generated cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    Unshare,
    Nsenter,
    Lsns,
    Netns,
    /// lsns `-Q` expressions.
    Filter,
    /// `ip -batch` files.
    Batch,
}

impl Stream {
    /// Every stream, in report order.
    pub const ALL: [Stream; 6] = [
        Stream::Unshare,
        Stream::Nsenter,
        Stream::Lsns,
        Stream::Netns,
        Stream::Filter,
        Stream::Batch,
    ];

    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Unshare => "unshare",
            Stream::Nsenter => "nsenter",
            Stream::Lsns => "lsns",
            Stream::Netns => "netns",
            Stream::Filter => "filter",
            Stream::Batch => "batch",
        }
    }

    /// The stream a name names.
    pub fn from_name(s: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|x| x.name() == s)
    }

    fn tool(self) -> ToolId {
        match self {
            Stream::Unshare => ToolId::Unshare,
            Stream::Nsenter => ToolId::Nsenter,
            Stream::Lsns | Stream::Filter => ToolId::Lsns,
            Stream::Netns | Stream::Batch => ToolId::Netns,
        }
    }

    /// Case `i` of this stream in a run seeded `seed`.
    pub fn case(self, seed: u64, i: usize, table: &Table) -> Case {
        let mut rng = fastrand::Rng::with_seed(case_seed(seed, self, i));
        let tool = self.tool();
        match self {
            Stream::Filter => Case {
                tool,
                args: filter::argv(&mut rng, table),
                batch: None,
            },
            Stream::Batch => Case {
                tool,
                batch: Some(batch::file(&mut rng)),
                args: batch::argv(&mut rng),
            },
            _ => {
                let mut args = argv::argv(&mut rng, table);
                // A netns-rs command line that is all global options is `ip OPTIONS netns` for
                // the original, which would read `netns` as the value of a last option that
                // lacks one: not the same command line. Give it a subcommand.
                let words: Vec<_> = args
                    .iter()
                    .map(|a| nsutils_testkit::scene::word(a))
                    .collect();
                let g = nsutils_testkit::global_option_words(&words);
                if tool == ToolId::Netns && !args.is_empty() && g >= args.len() {
                    args.push(b"list".to_vec());
                }
                Case {
                    tool,
                    args,
                    batch: None,
                }
            }
        }
    }
}

/// splitmix64 of the run's seed, the stream and the case number.
fn case_seed(seed: u64, s: Stream, i: usize) -> u64 {
    let mut z = seed ^ ((s as u64) << 56) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What `cargo xtask fuzz` was asked.
#[derive(Clone, Debug)]
pub struct Opts {
    /// How many cases of each stream.
    pub counts: Vec<(Stream, usize)>,
    /// The run's seed.
    pub seed: u64,
    /// Stop starting new cases after this long.
    pub time: Option<Duration>,
    /// Cases run at once.
    pub jobs: usize,
    /// Minimise a case of each failing group.
    pub minimise: bool,
    /// Append the minimised failing cases to this corpus file.
    pub save: Option<PathBuf>,
    /// Run the cases of this corpus file instead of generated ones.
    pub replay: Option<PathBuf>,
    /// Print every case and its verdict.
    pub verbose: bool,
}

impl Opts {
    /// The fixed-seed sample CI runs: 620 cases, about 45 s on two cores under a load of 10
    /// (it runs in both the dynamic and the static suite).
    pub fn ci() -> Opts {
        Opts {
            counts: vec![
                (Stream::Unshare, 120),
                (Stream::Nsenter, 120),
                (Stream::Lsns, 80),
                (Stream::Netns, 120),
                (Stream::Filter, 120),
                (Stream::Batch, 60),
            ],
            seed: 2026,
            time: None,
            jobs: 2,
            minimise: false,
            save: None,
            replay: None,
            verbose: false,
        }
    }
}

/// `cargo xtask fuzz`'s command line (clap), turned into [`Opts`] by [`Options::opts`].
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// The run's seed (case i of a stream is made from it, the stream and i)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cases per stream (default 200)
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Cases of some streams: STREAM=N,... (streams: unshare nsenter lsns netns filter batch)
    #[arg(long, value_name = "LIST")]
    pub counts: Option<String>,
    /// Only these streams: STREAM,...
    #[arg(long, value_name = "LIST")]
    pub only: Option<String>,
    /// Stop starting cases after SECS seconds
    #[arg(long, value_name = "SECS")]
    pub time: Option<u64>,
    /// Cases run at once
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// Do not minimise the failing cases
    #[arg(long)]
    pub no_minimise: bool,
    /// Append the minimised failing cases to this corpus file
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Run the cases of this corpus file instead of generated ones
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// The fixed sample CI runs (seed, counts and jobs of the test suite's sample)
    #[arg(long)]
    pub ci: bool,
    /// Print every case and its verdict
    #[arg(short, long)]
    pub verbose: bool,
}

impl Options {
    /// The run these options ask for.
    pub fn opts(self) -> Result<Opts, Fail> {
        let stream = |n: &str| Stream::from_name(n).ok_or_else(|| Fail(format!("no stream {n:?}")));
        let mut o = if self.ci {
            Opts::ci()
        } else {
            Opts {
                counts: Stream::ALL.iter().map(|&s| (s, 200)).collect(),
                seed: self.seed,
                time: None,
                jobs: self.jobs.max(1),
                minimise: !self.no_minimise,
                save: None,
                replay: None,
                verbose: false,
            }
        };
        if let Some(n) = self.count {
            for c in &mut o.counts {
                c.1 = n;
            }
        }
        if let Some(list) = &self.counts {
            for item in list.split(',') {
                let (name, n) = item
                    .split_once('=')
                    .ok_or_else(|| Fail(format!("--counts takes STREAM=N, not {item:?}")))?;
                let s = stream(name)?;
                let n: usize = n
                    .parse()
                    .map_err(|_| Fail(format!("--counts: {n:?} is no number")))?;
                match o.counts.iter_mut().find(|c| c.0 == s) {
                    Some(c) => c.1 = n,
                    None => o.counts.push((s, n)),
                }
            }
        }
        if let Some(list) = &self.only {
            let keep: Vec<Stream> = list.split(',').map(stream).collect::<Result<_, _>>()?;
            o.counts.retain(|c| keep.contains(&c.0));
        }
        o.time = self.time.map(Duration::from_secs);
        o.save = self.save;
        o.replay = self.replay;
        o.verbose = self.verbose;
        Ok(o)
    }
}

/// One failing group: its first case, and how many cases fell into it.
#[derive(Clone, Debug)]
pub struct Group {
    pub verdict: Verdict,
    pub first: Case,
    pub first_pair: (Ran, Ran),
    pub count: usize,
    /// The first case minimised, when asked.
    pub minimal: Option<Case>,
}

/// The figures of a stream.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub cases: usize,
    pub same: usize,
    pub documented: BTreeMap<&'static str, usize>,
    pub oracle_crash: usize,
    pub oracle_hang: usize,
    pub failures: usize,
    /// Scenes that could not be built (set-up failed or timed out), after two more tries.
    pub harness: usize,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub tallies: BTreeMap<Stream, Tally>,
    /// Failing groups and the original's crashes and hangs, by signature.
    pub groups: BTreeMap<String, Group>,
    pub harness_errors: Vec<String>,
    pub elapsed: Duration,
    /// What the run left on the host (mounts, files in /run and /tmp, processes).
    pub left_behind: Vec<String>,
}

impl Report {
    /// Whether nothing failed.
    pub fn clean(&self) -> bool {
        self.tallies
            .values()
            .all(|t| t.failures == 0 && t.harness == 0)
            && self.left_behind.is_empty()
    }
}

/// One result from a worker.
struct Done {
    stream: Stream,
    case: Case,
    result: Result<(Ran, Ran), String>,
}

/// Cases of one stream that share a scene.
const CHUNK: usize = 32;

/// Run `case` (up to three times when the scene itself fails).
fn run_case(tool: &nsutils_testkit::Tool, case: &Case) -> Result<(Ran, Ran), String> {
    let mut last = String::new();
    for _ in 0..3 {
        match scenes::run(tool, case) {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The cases to run: generated, or read from a corpus file.
fn cases(opts: &Opts) -> Result<Vec<(Stream, Vec<Case>)>, Fail> {
    if let Some(path) = &opts.replay {
        let text =
            std::fs::read_to_string(path).map_err(|e| Fail(format!("{}: {e}", path.display())))?;
        let mut by: BTreeMap<Stream, Vec<Case>> = BTreeMap::new();
        for c in corpus(&text)? {
            let s = match (c.tool, c.batch.is_some()) {
                (ToolId::Netns, true) => Stream::Batch,
                (ToolId::Unshare, _) => Stream::Unshare,
                (ToolId::Nsenter, _) => Stream::Nsenter,
                (ToolId::Lsns, _) => Stream::Lsns,
                (ToolId::Netns, false) => Stream::Netns,
            };
            by.entry(s).or_default().push(c);
        }
        return Ok(by.into_iter().collect());
    }
    Ok(opts
        .counts
        .iter()
        .map(|&(s, n)| {
            let t = tables::table(s.tool());
            (s, (0..n).map(|i| s.case(opts.seed, i, &t)).collect())
        })
        .collect())
}

/// The cases of a corpus text: one per line; blank lines and `#` comments skipped.
pub fn corpus(text: &str) -> Result<Vec<Case>, Fail> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| Case::parse(l).map_err(Fail))
        .collect()
}

/// Run the cases `opts` asks for and judge them.
pub fn campaign(opts: &Opts) -> Result<Report, Fail> {
    let before = leftovers::snapshot();
    let started = Instant::now();
    let work = cases(opts)?;
    let queue: Vec<(Stream, Vec<Case>)> = {
        // Chunks of one stream share a scene; the streams are interleaved, so a time budget
        // cuts each about equally.
        let chunked: Vec<(Stream, Vec<Vec<Case>>)> = work
            .iter()
            .map(|(s, v)| (*s, v.chunks(CHUNK).map(<[Case]>::to_vec).collect()))
            .collect();
        let mut q = Vec::new();
        let longest = chunked.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        for i in 0..longest {
            for (s, v) in &chunked {
                if let Some(c) = v.get(i) {
                    q.push((*s, c.clone()));
                }
            }
        }
        q
    };
    let total: usize = queue.iter().map(|(_, v)| v.len()).sum();
    let next = AtomicUsize::new(0);
    let deadline = opts.time.map(|t| started + t);
    let (tx, rx) = mpsc::channel::<Done>();
    let mut report = Report::default();
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let queue = &queue;
            let next = &next;
            scope.spawn(move || {
                let kits: BTreeMap<ToolId, nsutils_testkit::Tool> = [
                    ToolId::Unshare,
                    ToolId::Nsenter,
                    ToolId::Lsns,
                    ToolId::Netns,
                ]
                .into_iter()
                .map(|t| (t, scenes::kit_tool(t)))
                .collect();
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((stream, chunk)) = queue.get(i) else {
                        break;
                    };
                    let Some(first) = chunk.first() else {
                        continue;
                    };
                    let kit = &kits[&first.tool];
                    let results: Vec<Result<(Ran, Ran), String>> =
                        match scenes::run_many(kit, chunk) {
                            Ok(pairs) if pairs.len() == chunk.len() => {
                                pairs.into_iter().map(Ok).collect()
                            }
                            // The scene failed: each case alone, so one bad case costs only
                            // itself.
                            _ => chunk.iter().map(|c| run_case(kit, c)).collect(),
                        };
                    for (case, result) in chunk.iter().zip(results) {
                        let done = Done {
                            stream: *stream,
                            case: case.clone(),
                            result,
                        };
                        if tx.send(done).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(tx);
        let mut seen = 0;
        for d in rx {
            seen += 1;
            record(&mut report, d, opts.verbose);
            if seen % 500 == 0 {
                eprintln!(
                    "fuzz: {seen}/{total} cases, {} failing groups, {:.0?}",
                    report
                        .groups
                        .values()
                        .filter(|g| g.verdict.is_failure())
                        .count(),
                    started.elapsed()
                );
            }
        }
    });
    if opts.minimise {
        minimise(&mut report);
    }
    report.elapsed = started.elapsed();
    // What is new now and still there a moment later (other programs' temporary files come
    // and go).
    let now = leftovers::compare(&before, &leftovers::snapshot());
    std::thread::sleep(Duration::from_secs(2));
    let later = leftovers::compare(&before, &leftovers::snapshot());
    report.left_behind = now.into_iter().filter(|e| later.contains(e)).collect();
    Ok(report)
}

fn record(report: &mut Report, d: Done, verbose: bool) {
    let tally = report.tallies.entry(d.stream).or_default();
    tally.cases += 1;
    let (orig, ours) = match d.result {
        Ok(p) => p,
        Err(e) => {
            tally.harness += 1;
            report
                .harness_errors
                .push(format!("{}\n{e}", d.case.line()));
            return;
        }
    };
    let v = judge::judge(&d.case, &orig, &ours);
    if verbose {
        eprintln!("{:<28} {}", v.label(), d.case.line());
    }
    match &v {
        Verdict::Same => tally.same += 1,
        Verdict::Documented(r) => *tally.documented.entry(r).or_default() += 1,
        Verdict::OracleCrash => tally.oracle_crash += 1,
        Verdict::OracleHang => tally.oracle_hang += 1,
        _ => tally.failures += 1,
    }
    if matches!(v, Verdict::Same | Verdict::Documented(_)) {
        return;
    }
    let sig = judge::signature(&d.case, &v, &orig, &ours);
    report
        .groups
        .entry(sig)
        .and_modify(|g| g.count += 1)
        .or_insert(Group {
            verdict: v,
            first: d.case,
            first_pair: (orig, ours),
            count: 1,
            minimal: None,
        });
}

/// Minimise the first case of each failing group.
fn minimise(report: &mut Report) {
    for (sig, g) in report.groups.iter_mut() {
        if !g.verdict.is_failure() {
            continue;
        }
        let tool = scenes::kit_tool(g.first.tool);
        eprintln!("fuzz: minimising {}", g.first.line());
        let small = shrink::shrink(&g.first, &mut |c| match run_case(&tool, c) {
            Ok((o, u)) => {
                let v = judge::judge(c, &o, &u);
                v.is_failure() && judge::signature(c, &v, &o, &u) == *sig
            }
            Err(_) => false,
        });
        g.minimal = Some(small);
    }
}

/// The report as text.
pub fn render(opts: &Opts, r: &Report) -> String {
    let mut s = String::new();
    let counts: Vec<String> = opts
        .counts
        .iter()
        .map(|(st, n)| format!("{}={n}", st.name()))
        .collect();
    s.push_str(&format!(
        "seed {} counts {} jobs {}: {:.0?}\n",
        opts.seed,
        counts.join(","),
        opts.jobs,
        r.elapsed
    ));
    s.push_str("stream      cases    same  documented  orig-crash  orig-hang  FAILED  harness\n");
    for (st, t) in &r.tallies {
        s.push_str(&format!(
            "{:<10} {:>6}  {:>6}  {:>10}  {:>10}  {:>9}  {:>6}  {:>7}\n",
            st.name(),
            t.cases,
            t.same,
            t.documented.values().sum::<usize>(),
            t.oracle_crash,
            t.oracle_hang,
            t.failures,
            t.harness
        ));
    }
    let mut docs: BTreeMap<&str, usize> = BTreeMap::new();
    for t in r.tallies.values() {
        for (k, v) in &t.documented {
            *docs.entry(k).or_default() += v;
        }
    }
    for (k, v) in docs {
        s.push_str(&format!("  documented difference {k:?}: {v}\n"));
    }
    for (sig, g) in &r.groups {
        s.push_str(&format!(
            "\n{} x{}: {sig}\n  {}\n",
            g.verdict.label(),
            g.count,
            g.first.line()
        ));
        if let Some(m) = &g.minimal {
            s.push_str(&format!("  minimal: {}\n", m.line()));
        }
        if g.verdict.is_failure() || g.verdict == Verdict::OracleCrash {
            let (o, u) = &g.first_pair;
            s.push_str(&format!(
                "  ----- original -----\n{:?}\n  ----- ours -----\n{:?}\n",
                o.outcome(),
                u.outcome()
            ));
        }
    }
    for e in r.harness_errors.iter().take(5) {
        s.push_str(&format!("\nharness error: {e}\n"));
    }
    if r.left_behind.is_empty() {
        s.push_str("\nleft behind: nothing\n");
    } else {
        s.push_str(&format!(
            "\nleft behind:\n  {}\n",
            r.left_behind.join("\n  ")
        ));
    }
    s
}

/// `cargo xtask fuzz`.
pub fn run(opts: &Opts) -> Result<(), Fail> {
    if !rustix::process::geteuid().is_root() {
        return Err(Fail(
            "fuzz runs the tools in namespaces of their own: run it as root".into(),
        ));
    }
    if !nsutils_testkit::oracle::present() {
        return Err(Fail(format!(
            "the oracle is not in {} (cargo xtask oracle, or NSUTILS_ORACLE=DIR)",
            nsutils_testkit::oracle::dir().display()
        )));
    }
    leftovers::adopt_orphans();
    let r = campaign(opts)?;
    print!("{}", render(opts, &r));
    if let Some(path) = &opts.save {
        let mut add = String::new();
        for (sig, g) in &r.groups {
            if let Some(m) = &g.minimal {
                add.push_str(&format!("# {sig}\n{}\n", m.line()));
            }
        }
        if !add.is_empty() {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| Fail(format!("{}: {e}", path.display())))?;
            f.write_all(add.as_bytes())
                .map_err(|e| Fail(format!("{}: {e}", path.display())))?;
        }
    }
    if r.clean() {
        Ok(())
    } else {
        Err(Fail("fuzz: failures above".into()))
    }
}
