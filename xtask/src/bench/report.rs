//! The bench's results: statistics per scenario and variant, pairwise ratios, the lsns growth
//! check, and three renderings (terminal table, JSON, docs/BENCHMARKS.md).

use super::tables::{self, Align, Column};
use super::{measure::Sample, Outcome};
use serde_json::{json, Value};

/// Median of a list (the mean of the middle two for an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Summary of one variant's samples.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Rounds.
    pub n: usize,
    /// Wall time, ms.
    pub median_ms: f64,
    /// Fastest run, ms.
    pub min_ms: f64,
    /// Slowest run, ms.
    pub max_ms: f64,
    /// Median user+sys CPU, ms.
    pub cpu_ms: f64,
    /// Median peak RSS, KiB.
    pub rss_kib: f64,
}

/// Statistics of `s`.
pub fn stats(s: &[Sample]) -> Stats {
    let wall: Vec<f64> = s.iter().map(|x| x.wall * 1e3).collect();
    Stats {
        n: s.len(),
        median_ms: median(&wall),
        min_ms: wall.iter().copied().fold(f64::INFINITY, f64::min),
        max_ms: wall.iter().copied().fold(0.0, f64::max),
        cpu_ms: median(&s.iter().map(|x| x.cpu * 1e3).collect::<Vec<_>>()),
        rss_kib: median(&s.iter().map(|x| x.rss_kib as f64).collect::<Vec<_>>()),
    }
}

/// Median over rounds of `f(ours) / f(original)`, pairing run i with run i.
pub fn pair_ratio(ours: &[Sample], orig: &[Sample], f: impl Fn(&Sample) -> f64) -> f64 {
    let r: Vec<f64> = ours
        .iter()
        .zip(orig)
        .filter(|(_, o)| f(o) > 0.0)
        .map(|(a, o)| f(a) / f(o))
        .collect();
    median(&r)
}

/// Everything one bench run found.
pub struct Report {
    /// The command that produced it.
    pub command: String,
    /// nproc, kernel, CPU, versions.
    pub machine: Value,
    /// Peak RSS of /bin/true started the same way (the floor of the RSS column).
    pub floor_rss_kib: i64,
    /// Loads made.
    pub loads: Vec<Value>,
    /// Per scenario.
    pub results: Vec<Outcome>,
    /// Notes (skipped loads, build problems).
    pub notes: Vec<String>,
    /// How long the whole run took.
    pub seconds: f64,
}

fn fmt_ms(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn fmt_ratio(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.2}")
    }
}

/// The lsns growth check for one option set and variant.
pub struct Growth {
    /// Scenario name.
    pub name: String,
    /// Variant.
    pub who: &'static str,
    /// Fastest wall time at 2k and at 10k, ms.
    pub wall_2k: f64,
    /// See `wall_2k`.
    pub wall_10k: f64,
    /// Median CPU time at 2k and at 10k, ms.
    pub cpu_2k: f64,
    /// See `cpu_2k`.
    pub cpu_10k: f64,
}

/// The results table's columns: the scenario's name, then [`Row::cells`].
const RESULTS: [Column; 12] = [
    ("scenario", Align::Left),
    ("load", Align::Left),
    ("who", Align::Left),
    ("n", Align::Right),
    ("median ms", Align::Right),
    ("min", Align::Right),
    ("max", Align::Right),
    ("cpu ms", Align::Right),
    ("peak RSS KiB", Align::Right),
    ("× wall", Align::Right),
    ("× cpu", Align::Right),
    ("× RSS", Align::Right),
];

/// The summary table's columns.
const SUMMARY: [Column; 6] = [
    ("group", Align::Left),
    ("who", Align::Left),
    ("scenarios", Align::Right),
    ("× wall", Align::Right),
    ("× cpu", Align::Right),
    ("× RSS", Align::Right),
];

/// The lsns growth table's columns.
const GROWTH: [Column; 8] = [
    ("scenario", Align::Left),
    ("who", Align::Left),
    ("2k ms", Align::Right),
    ("10k ms", Align::Right),
    ("growth (wall)", Align::Right),
    ("2k CPU ms", Align::Right),
    ("10k CPU ms", Align::Right),
    ("growth (CPU)", Align::Right),
];

/// One table row.
struct Row {
    group: &'static str,
    name: String,
    load: String,
    label: &'static str,
    st: Stats,
    ratio: f64,
    cpu_ratio: f64,
    rss_ratio: f64,
}

impl Row {
    /// The row's cells after the scenario name, in the column order both tables use.
    fn cells(&self) -> [String; 11] {
        [
            self.load.clone(),
            self.label.to_string(),
            self.st.n.to_string(),
            fmt_ms(self.st.median_ms),
            fmt_ms(self.st.min_ms),
            fmt_ms(self.st.max_ms),
            fmt_ms(self.st.cpu_ms),
            format!("{:.0}", self.st.rss_kib),
            fmt_ratio(self.ratio),
            fmt_ratio(self.cpu_ratio),
            fmt_ratio(self.rss_ratio),
        ]
    }
}

impl Report {
    /// Every row's cells, the scenario's name written by `name`, for both result tables.
    fn cells(&self, name: impl Fn(&str) -> String) -> Vec<Vec<String>> {
        self.rows()
            .iter()
            .map(|r| std::iter::once(name(&r.name)).chain(r.cells()).collect())
            .collect()
    }

    /// The summary's rows: group, who, scenarios, × wall, × cpu, × RSS.
    fn summary_cells(&self) -> Vec<Vec<String>> {
        self.summary()
            .into_iter()
            .map(|(group, who, n, w, c, r)| {
                vec![
                    group.to_string(),
                    who.to_string(),
                    n.to_string(),
                    fmt_ratio(w),
                    fmt_ratio(c),
                    fmt_ratio(r),
                ]
            })
            .collect()
    }

    /// The lsns growth rows (columns as [`GROWTH`]), the scenario's name written by `name`.
    fn growth_cells(&self, name: impl Fn(&str) -> String) -> Vec<Vec<String>> {
        self.growth()
            .into_iter()
            .map(|g| {
                vec![
                    name(&g.name),
                    g.who.to_string(),
                    fmt_ms(g.wall_2k),
                    fmt_ms(g.wall_10k),
                    format!("{:.1}", g.wall_10k / g.wall_2k),
                    fmt_ms(g.cpu_2k),
                    fmt_ms(g.cpu_10k),
                    format!("{:.1}", g.cpu_10k / g.cpu_2k),
                ]
            })
            .collect()
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for o in &self.results {
            let orig = o.variants.iter().find(|v| v.0 == "original");
            for (label, samples) in &o.variants {
                let (ratio, cpu_ratio, rss_ratio) = match orig {
                    Some((_, os)) if *label != "original" => (
                        pair_ratio(samples, os, |s| s.wall),
                        pair_ratio(samples, os, |s| s.cpu),
                        pair_ratio(samples, os, |s| s.rss_kib as f64),
                    ),
                    _ => (f64::NAN, f64::NAN, f64::NAN),
                };
                rows.push(Row {
                    group: o.group,
                    name: o.name.clone(),
                    load: o.load.clone(),
                    label,
                    st: stats(samples),
                    ratio,
                    cpu_ratio,
                    rss_ratio,
                });
            }
        }
        rows
    }

    /// lsns at 10k / at 2k, per option set and variant. Wall time uses each load's fastest
    /// run (the least disturbed by other work on the machine); CPU time uses the median.
    pub fn growth(&self) -> Vec<Growth> {
        let mut v = Vec::new();
        for o10 in self
            .results
            .iter()
            .filter(|o| o.group == "lsns" && o.load == "10k")
        {
            let Some(o2) = self
                .results
                .iter()
                .find(|o| o.group == "lsns" && o.load == "2k" && o.name == o10.name)
            else {
                continue;
            };
            for (label, s10) in &o10.variants {
                let Some((_, s2)) = o2.variants.iter().find(|v| v.0 == *label) else {
                    continue;
                };
                let (a, b) = (stats(s2), stats(s10));
                if a.n == 0 || b.n == 0 {
                    continue;
                }
                v.push(Growth {
                    name: o10.name.clone(),
                    who: label,
                    wall_2k: a.min_ms,
                    wall_10k: b.min_ms,
                    cpu_2k: a.cpu_ms,
                    cpu_10k: b.cpu_ms,
                });
            }
        }
        v
    }

    /// lsns-rs with `listns(2)` against the same binary with it refused (`no-listns`, only
    /// on kernels that have the call): (scenario, load, median × wall, × cpu) per round.
    pub fn listns_cost(&self) -> Vec<(String, String, f64, f64)> {
        let mut v = Vec::new();
        for o in self.results.iter().filter(|o| o.group == "lsns") {
            let get = |l: &str| o.variants.iter().find(|v| v.0 == l).map(|v| &v.1);
            if let (Some(with), Some(without)) = (get("ours"), get("no-listns")) {
                v.push((
                    o.name.clone(),
                    o.load.clone(),
                    pair_ratio(with, without, |s| s.wall),
                    pair_ratio(with, without, |s| s.cpu),
                ));
            }
        }
        v
    }

    /// Per group and variant: (group, variant, scenarios, median × wall, × cpu, × RSS).
    pub fn summary(&self) -> Vec<(&'static str, &'static str, usize, f64, f64, f64)> {
        let rows = self.rows();
        let mut out = Vec::new();
        for group in ["startup", "netns", "lsns"] {
            for who in ["ours", "ours-static"] {
                let sel: Vec<&Row> = rows
                    .iter()
                    .filter(|r| r.group == group && r.label == who && !r.ratio.is_nan())
                    .collect();
                if sel.is_empty() {
                    continue;
                }
                let m = |f: fn(&Row) -> f64| median(&sel.iter().map(|r| f(r)).collect::<Vec<_>>());
                out.push((
                    group,
                    who,
                    sel.len(),
                    m(|r| r.ratio),
                    m(|r| r.cpu_ratio),
                    m(|r| r.rss_ratio),
                ));
            }
        }
        out
    }

    /// The terminal table.
    pub fn table(&self) -> String {
        let mut s = String::from("\n");
        s.push_str(&tables::plain(
            &RESULTS,
            self.cells(|name| name.to_string()),
        ));
        s.push_str("(times in ms; × = who/original, median of per-round ratios; original = the oracle's release, installed = the host's)\n");
        for o in &self.results {
            for n in &o.notes {
                s.push_str(&format!("note: {} [{}]: {n}\n", o.name, o.load));
            }
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        s.push_str("summary by group: median over its scenarios of the × columns\n");
        s.push_str(&tables::plain(&SUMMARY, self.summary_cells()));
        for (name, load, w, c) in self.listns_cost() {
            s.push_str(&format!(
                "listns cost {name} [{load}]: ours / no-listns: x wall {}  x cpu {}\n",
                fmt_ratio(w),
                fmt_ratio(c)
            ));
        }
        if self.growth().is_empty() {
            s.push_str("lsns growth (10k/2k): not measured (needs both loads; --quick runs only idle and 2k)\n");
        } else {
            s.push_str("lsns growth, 10k / 2k (linear = 5): fastest wall time, median CPU time\n");
            s.push_str(&tables::plain(
                &GROWTH,
                self.growth_cells(|name| name.to_string()),
            ));
        }
        s.push_str(&format!(
            "RSS floor (/bin/true started the same way): {} KiB; run took {:.0}s\n",
            self.floor_rss_kib, self.seconds
        ));
        s
    }

    /// The machine-readable results.
    pub fn json(&self) -> Value {
        let results: Vec<Value> = self
            .results
            .iter()
            .map(|o| {
                let orig = o.variants.iter().find(|v| v.0 == "original");
                let variants: serde_json::Map<String, Value> = o
                    .variants
                    .iter()
                    .map(|(label, samples)| {
                        let st = stats(samples);
                        let mut v = json!({
                            "n": st.n,
                            "wall_ms": {"median": st.median_ms, "min": st.min_ms, "max": st.max_ms},
                            "cpu_ms_median": st.cpu_ms,
                            "rss_kib_median": st.rss_kib,
                            "samples": samples.iter().map(|s| json!([s.wall * 1e3, s.cpu * 1e3, s.rss_kib])).collect::<Vec<_>>(),
                        });
                        if let Some((_, os)) = orig.filter(|_| *label != "original") {
                            v["ratio"] = json!({
                                "wall": pair_ratio(samples, os, |s| s.wall),
                                "cpu": pair_ratio(samples, os, |s| s.cpu),
                                "rss": pair_ratio(samples, os, |s| s.rss_kib as f64),
                            });
                        }
                        (label.to_string(), v)
                    })
                    .collect();
                json!({
                    "group": o.group,
                    "name": o.name,
                    "load": o.load,
                    "variants": variants,
                    "notes": o.notes,
                })
            })
            .collect();
        let growth: Vec<Value> = self
            .growth()
            .into_iter()
            .map(|g| {
                json!({
                    "name": g.name, "who": g.who,
                    "wall_min_ms_2k": g.wall_2k, "wall_min_ms_10k": g.wall_10k,
                    "growth_wall": g.wall_10k / g.wall_2k,
                    "cpu_median_ms_2k": g.cpu_2k, "cpu_median_ms_10k": g.cpu_10k,
                    "growth_cpu": g.cpu_10k / g.cpu_2k,
                })
            })
            .collect();
        json!({
            "command": self.command,
            "machine": self.machine,
            "floor_rss_kib": self.floor_rss_kib,
            "loads": self.loads,
            "results": results,
            "lsns_growth": growth,
            "notes": self.notes,
            "seconds": self.seconds,
        })
    }

    /// docs/BENCHMARKS.md.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut s = String::from("# Benchmarks\n\n");
        s.push_str(
            "Measured by `cargo xtask bench` (xtask/src/bench/): each scenario runs the original (the \
             released util-linux and iproute2 of the oracle, `cargo xtask oracle`, through their own \
             dynamic loader), the host's installed original (`installed`) and ours alternately \
             (A B C A B C ...) after a warm-up; the ratio column is the median over rounds of \
             x/original, so machine noise cancels. Peak RSS comes from wait4(2)'s rusage. \
             Everything runs as root inside a private mount namespace with a tmpfs over /run. \
             The tables below are generated by `--write-doc`; do not edit them by hand.\n\n",
        );
        s.push_str(&format!(
            "Command: `{}` ({:.0} s)\n\n",
            self.command, self.seconds
        ));
        s.push_str(&format!(
            "Load average (1, 5, 15 min) at the start: {}; at the end: {}. Anything well above the \
             CPU count means other work shared the machine: read the per-round ratios, which cancel \
             most of it, rather than absolute times.\n\n",
            m["loadavg_start"].as_str().unwrap_or("?"),
            m["loadavg_end"].as_str().unwrap_or("?"),
        ));
        s.push_str(&format!(
            "Machine: {} CPUs ({}), kernel {}, {} MiB RAM. Original: {}; {}. Installed: {}; {}.\n\n",
            m["nproc"],
            m["cpu"].as_str().unwrap_or("?"),
            m["kernel"].as_str().unwrap_or("?"),
            m["mem_kib"]
                .as_str()
                .and_then(|k| k.parse::<u64>().ok())
                .map(|k| k / 1024)
                .unwrap_or(0),
            m["util_linux"].as_str().unwrap_or("?"),
            m["iproute2"].as_str().unwrap_or("?"),
            m["util_linux_installed"].as_str().unwrap_or("?"),
            m["iproute2_installed"].as_str().unwrap_or("?"),
        ));
        for l in &self.loads {
            s.push_str(&format!(
                "- load `{}`: {} processes in {} namespaces (holders in fresh uts+ipc namespaces, 3 sleeping children each)\n",
                l["label"].as_str().unwrap_or(""),
                l["processes"],
                l["namespaces"]
            ));
        }
        s.push_str(&format!(
            "- RSS floor: a trivial program (`/bin/true`) started the same way reports {} KiB.\n\n",
            self.floor_rss_kib
        ));
        s.push_str(&tables::markdown(
            &RESULTS,
            self.cells(|name| format!("`{name}`")),
        ));
        s.push_str("\n× = who / original (median of per-round ratios); below 1 means faster or smaller than the release.\n\n");
        s.push_str(
            "## Summary by group\n\nMedian over the group's scenarios of the × columns above.\n\n",
        );
        s.push_str(&tables::markdown(&SUMMARY, self.summary_cells()));
        s.push('\n');
        s.push_str(
            "## lsns growth\n\nTime at ~10,000 processes divided by the time at ~2,000 (linear growth gives \
             about 5): the fastest wall time of each load (the run least disturbed by other work on the \
             machine) and the median user+system CPU time.\n\n",
        );
        let cost = self.listns_cost();
        if !cost.is_empty() {
            s.push_str(
                "lsns-rs with listns(2) against the same binary with the call refused by seccomp \
                 (`no-listns`), median of per-round ratios:\n\n| scenario | load | × wall | × CPU |\n\
                 |---|---|--:|--:|\n",
            );
            for (name, load, w, c) in cost {
                s.push_str(&format!(
                    "| `{name}` | {load} | {} | {} |\n",
                    fmt_ratio(w),
                    fmt_ratio(c)
                ));
            }
            s.push('\n');
        }
        if self.growth().is_empty() {
            s.push_str("Not measured in this run.\n");
        } else {
            s.push_str(&tables::markdown(
                &GROWTH,
                self.growth_cells(|name| format!("`{name}`")),
            ));
        }
        let mut notes: Vec<String> = self
            .results
            .iter()
            .flat_map(|o| {
                o.notes
                    .iter()
                    .map(move |n| format!("`{}` [{}]: {n}", o.name, o.load))
            })
            .collect();
        notes.extend(self.notes.iter().cloned());
        if !notes.is_empty() {
            s.push_str("\n## Notes\n\n");
            for n in notes {
                s.push_str(&format!("- {n}\n"));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wall: f64) -> Sample {
        Sample {
            wall,
            cpu: wall / 2.0,
            rss_kib: 1000,
        }
    }

    #[test]
    fn median_and_pairwise_ratio() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        // Round 2 is slow for both (noise); the per-round ratio is 0.5 every time.
        let ours = [sample(1.0), sample(10.0), sample(1.0)];
        let orig = [sample(2.0), sample(20.0), sample(2.0)];
        assert_eq!(pair_ratio(&ours, &orig, |s| s.wall), 0.5);
        let st = stats(&ours);
        assert_eq!(
            (st.n, st.median_ms, st.min_ms, st.max_ms),
            (3, 1000.0, 1000.0, 10000.0)
        );
    }

    #[test]
    fn markdown_and_terminal_tables_hold_the_figures() {
        let report = Report {
            command: "cargo xtask bench".into(),
            machine: json!({}),
            floor_rss_kib: 900,
            loads: Vec::new(),
            results: vec![Outcome {
                group: "startup",
                name: "unshare -U true".into(),
                load: "idle".into(),
                variants: vec![
                    ("original", vec![sample(0.002), sample(0.004)]),
                    ("ours", vec![sample(0.001), sample(0.002)]),
                ],
                notes: Vec::new(),
            }],
            notes: Vec::new(),
            seconds: 1.0,
        };
        let md = report.markdown();
        let cells = |line: &str| -> Vec<String> {
            line.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        };
        let row = md
            .lines()
            .find(|l| l.starts_with("| `unshare -U true`") && l.contains("ours"))
            .expect("ours row");
        assert_eq!(
            cells(row),
            [
                "`unshare -U true`",
                "idle",
                "ours",
                "2",
                "1.50",
                "1.00",
                "2.00",
                "0.75",
                "1000",
                "0.50",
                "0.50",
                "1.00"
            ]
        );
        let sep = md
            .lines()
            .find(|l| l.starts_with("|--"))
            .expect("separator");
        assert_eq!(sep.matches(":|").count(), 9, "{sep}");
        assert!(md.contains("| startup | ours "), "{md}");
        let term = report.table();
        assert!(
            term.lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == [
                        "unshare", "-U", "true", "idle", "ours", "2", "1.50", "1.00", "2.00",
                        "0.75", "1000", "0.50", "0.50", "1.00"
                    ]),
            "{term}"
        );
    }
}
