//! The kernel matrix: what each run of the kernel core said, check by check, read from the
//! test binary's own output (`test NAME ... ok` lines and the `---- NAME stdout ----` failure
//! sections), and the table docs/KERNELS.md shows (between its `matrix` markers).

use std::collections::BTreeMap;
use std::time::Duration;

/// One check's result in one column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Same as the oracle (or the documented better result).
    Pass,
    /// Different: the failure's text.
    Fail(String),
}

/// One column: a kernel (or the host, or the 4.18 look-alike) and what the core said there.
#[derive(Clone, Debug)]
pub struct Column {
    /// The header: `5.10.0-32-amd64`.
    pub title: String,
    /// Who ships that kernel.
    pub who: String,
    /// KVM, TCG, or native.
    pub how: String,
    /// Wall-clock time of the whole run (boot included).
    pub took: Duration,
    /// The core's own time.
    pub core_took: Option<Duration>,
    /// Check name to verdict.
    pub checks: BTreeMap<String, Verdict>,
    /// `check key value` notes the checks left (`NSUTILS_CORE_NOTES`).
    pub notes: Vec<(String, String, String)>,
    /// Whatever went wrong around the checks (a hang, a harness failure).
    pub problem: Option<String>,
}

impl Column {
    /// Whether every check passed and nothing else went wrong.
    pub fn clean(&self) -> bool {
        self.problem.is_none() && self.checks.values().all(|v| *v == Verdict::Pass)
    }
}

/// The verdicts in libtest's output (`--test-threads=1`, the default pretty format).
pub fn parse_libtest(text: &str) -> BTreeMap<String, Verdict> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let v = match result.trim() {
            "ok" => Verdict::Pass,
            "FAILED" => Verdict::Fail(String::new()),
            _ => continue,
        };
        out.insert(name.trim().to_string(), v);
    }
    // The failure sections: `---- NAME stdout ----` up to the next section or `failures:`.
    let mut current: Option<(String, String)> = None;
    let finish = |cur: Option<(String, String)>, out: &mut BTreeMap<String, Verdict>| {
        if let Some((name, body)) = cur {
            if let Some(v @ Verdict::Fail(_)) = out.get_mut(&name) {
                *v = Verdict::Fail(body.trim().to_string());
            }
        }
    };
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            finish(current.take(), &mut out);
            current = Some((name.to_string(), String::new()));
        } else if line == "failures:" || line.starts_with("test result: ") {
            finish(current.take(), &mut out);
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    finish(current, &mut out);
    out
}

/// `check key value` lines.
pub fn parse_notes(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter_map(|l| {
            let (check, rest) = l.split_once(' ')?;
            let (key, value) = rest.split_once(' ')?;
            Some((check.to_string(), key.to_string(), value.to_string()))
        })
        .collect()
}

fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// The matrix as Markdown: checks by columns, then the notes, the timings and the failures.
pub fn markdown(cols: &[Column]) -> String {
    let mut names: Vec<&String> = cols.iter().flat_map(|c| c.checks.keys()).collect();
    names.sort();
    names.dedup();
    let mut md = String::new();
    md.push_str("| check |");
    for c in cols {
        md.push_str(&format!(" {}<br>{} |", c.title, c.who));
    }
    md.push_str("\n|---|");
    for _ in cols {
        md.push_str("---|");
    }
    md.push('\n');
    for n in &names {
        md.push_str(&format!("| `{n}` |"));
        for c in cols {
            let cell = match c.checks.get(*n) {
                Some(Verdict::Pass) => "ok",
                Some(Verdict::Fail(_)) => "**FAIL**",
                None => "–",
            };
            md.push_str(&format!(" {cell} |"));
        }
        md.push('\n');
    }
    md.push_str("| passed |");
    for c in cols {
        let pass = c.checks.values().filter(|v| **v == Verdict::Pass).count();
        md.push_str(&format!(" {pass}/{} |", c.checks.len()));
    }
    md.push('\n');
    let mut keys: Vec<(String, String)> = cols
        .iter()
        .flat_map(|c| c.notes.iter().map(|(a, b, _)| (a.clone(), b.clone())))
        .collect();
    keys.sort();
    keys.dedup();
    for (check, key) in &keys {
        md.push_str(&format!("| note: `{check}` {key} |"));
        for c in cols {
            let v = c
                .notes
                .iter()
                .filter(|(a, b, _)| a == check && b == key)
                .map(|(_, _, v)| v.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            md.push_str(&format!(" {} |", if v.is_empty() { "–" } else { &v }));
        }
        md.push('\n');
    }
    md.push_str("| how | ");
    md.push_str(
        &cols
            .iter()
            .map(|c| c.how.clone())
            .collect::<Vec<_>>()
            .join(" | "),
    );
    md.push_str(" |\n| time (core / whole run) | ");
    md.push_str(
        &cols
            .iter()
            .map(|c| {
                format!(
                    "{} / {}",
                    c.core_took.map_or("–".to_string(), secs),
                    secs(c.took)
                )
            })
            .collect::<Vec<_>>()
            .join(" | "),
    );
    md.push_str(" |\n");
    for c in cols {
        if let Some(p) = &c.problem {
            md.push_str(&format!("\n{}: {p}\n", c.title));
        }
    }
    md
}

/// `doc` with the text between `<!-- matrix:begin -->` and `<!-- matrix:end -->` replaced by
/// `table`; `None` when the markers are missing.
pub fn splice(doc: &str, table: &str) -> Option<String> {
    let (b, e) = ("<!-- matrix:begin -->", "<!-- matrix:end -->");
    let start = doc.find(b)? + b.len();
    let end = doc[start..].find(e)? + start;
    Some(format!("{}\n{table}{}", &doc[..start], &doc[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "running 3 tests
test a_one ... ok
test b_two ... FAILED
test c_three ... ignored

failures:

---- b_two stdout ----

thread 'b_two' panicked at x.rs:1:1:
differs

failures:
    b_two

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn libtest_output_reads_back() {
        let v = parse_libtest(OUT);
        assert_eq!(v.len(), 2);
        assert_eq!(v["a_one"], Verdict::Pass);
        match &v["b_two"] {
            Verdict::Fail(t) => assert!(t.contains("differs"), "{t}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn splice_replaces_between_markers() {
        let doc = "x\n<!-- matrix:begin -->\nold\n<!-- matrix:end -->\ny\n";
        assert_eq!(
            splice(doc, "new\n").unwrap(),
            "x\n<!-- matrix:begin -->\nnew\n<!-- matrix:end -->\ny\n"
        );
        assert!(splice("no markers", "t").is_none());
    }
}
