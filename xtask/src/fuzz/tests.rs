//! The fuzzer in the test suite: the fixed-seed CI sample, and the regression corpus
//! (`xtask/fuzz-regressions.txt`: minimised cases the fuzzer once found failing) run through
//! both tools, each of which must end the same, or differ only as documented.
//!
//! Both need root, the oracle and the test packages; without them they skip with one line
//! (under `CI` they fail). They run against `NSUTILS_BIN_DIR` when set, so the static suite
//! runs them too.

use super::*;

/// Whether the fuzzer can run here; skips (or, under CI, fails) with a line otherwise.
fn can_run() -> bool {
    if !nsutils_testkit::need_root() {
        return false;
    }
    let missing = nsutils_testkit::prereq::missing_packages();
    let why = if !missing.is_empty() {
        format!("packages missing: {}", missing.join(", "))
    } else if !nsutils_testkit::oracle::present() {
        "the oracle is missing: run `cargo xtask oracle`".into()
    } else {
        return true;
    };
    assert!(std::env::var_os("CI").is_none(), "{why}");
    eprintln!("skipped: {why}");
    false
}

/// The campaigns of this file one at a time: each checks at its end that nothing of it is
/// left (its child processes included), which another one running beside it would upset.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn ci_sample_agrees_with_the_oracle() {
    if !can_run() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let opts = Opts::ci();
    let r = campaign(&opts).expect("the sample runs");
    let text = render(&opts, &r);
    eprintln!("{text}");
    assert!(r.clean(), "the fuzz sample failed:\n{text}");
}

#[test]
fn regression_corpus_agrees_with_the_oracle() {
    if !can_run() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let path = crate::workspace_root().join("xtask/fuzz-regressions.txt");
    let opts = Opts {
        counts: vec![],
        replay: Some(path),
        jobs: 2,
        ..Opts::ci()
    };
    let r = campaign(&opts).expect("the corpus runs");
    let text = render(&opts, &r);
    assert!(
        r.tallies.values().map(|t| t.cases).sum::<usize>() > 0,
        "an empty corpus"
    );
    assert!(r.clean(), "a regression came back:\n{text}");
}

#[test]
fn cases_are_reproducible() {
    let t = tables::table(ToolId::Unshare);
    for i in 0..50 {
        assert_eq!(
            Stream::Unshare.case(7, i, &t),
            Stream::Unshare.case(7, i, &t)
        );
    }
    let f = tables::table(ToolId::Lsns);
    let a: Vec<_> = (0..20)
        .map(|i| Stream::Filter.case(1, i, &f).line())
        .collect();
    let b: Vec<_> = (0..20)
        .map(|i| Stream::Filter.case(2, i, &f).line())
        .collect();
    assert_ne!(a, b, "another seed, other cases");
}

#[test]
fn regression_corpus_parses() {
    let path = crate::workspace_root().join("xtask/fuzz-regressions.txt");
    let text = std::fs::read_to_string(&path).expect("the corpus file");
    let cases = corpus(&text).unwrap_or_else(|Fail(e)| panic!("{e}"));
    for c in cases {
        assert_eq!(Case::parse(&c.line()).ok(), Some(c));
    }
}
