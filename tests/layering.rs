//! Data flows one way: within a crate, no two modules use each other. A pair that does is a
//! knot that makes either hard to read or change alone (DESIGN.md, "Layout"); this test names
//! every such pair so it is untangled where it appears.
//!
//! A module's uses are the `crate::NAME` paths in its code (comments and its `#[cfg(test)]`
//! tests left out), `use crate::{A, B::C}` groups included. A module is a top-level file or
//! directory under `src/`; `lib.rs` and `main.rs` are the roots and may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the test kit lives in the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segments after `crate::` in `code`, braces expanded one level.
fn crate_uses(code: &str) -> BTreeSet<String> {
    let mut uses = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            uses.extend(group.split(',').map(|w| ident(w.trim())));
        } else {
            uses.insert(ident(rest));
        }
    }
    uses.retain(|u| !u.is_empty());
    uses
}

/// For one `src` directory: module name -> the sibling modules it uses.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let module_of = |p: &Path| -> String {
        let rel = p.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("a file");
        let name = first.as_os_str().to_string_lossy();
        name.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| module_of(p)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(f);
        if m == "lib" || m == "main" || m == "bin" {
            continue;
        }
        let text = fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let uses = crate_uses(&code(&text));
        g.entry(m.clone())
            .or_default()
            .extend(uses.into_iter().filter(|u| *u != m && modules.contains(u)));
    }
    g
}

#[test]
fn no_two_modules_use_each_other() {
    let root = workspace();
    let mut srcs: Vec<PathBuf> = vec![root.join("xtask/src"), root.join("tests/src")];
    if let Ok(crates) = fs::read_dir(root.join("crates")) {
        srcs.extend(crates.flatten().map(|e| e.path().join("src")));
    }
    let mut knots = Vec::new();
    for src in srcs.iter().filter(|s| s.is_dir()) {
        let g = graph(src);
        for (a, uses) in &g {
            for b in uses {
                if a < b && g.get(b).is_some_and(|u| u.contains(a)) {
                    knots.push(format!("{}: {a} <-> {b}", src.display()));
                }
            }
        }
    }
    assert!(
        knots.is_empty(),
        "modules that use each other:\n{}",
        knots.join("\n")
    );
}

#[test]
fn the_reader_sees_a_knot() {
    // The test must be able to fail: a pair made up here is found.
    let uses = crate_uses(&code(
        "use crate::{cli::Options, report};\nfn f() { crate::table::x(); } // crate::help\n",
    ));
    assert_eq!(
        uses.into_iter().collect::<Vec<_>>(),
        ["cli", "report", "table"]
    );
    assert_eq!(code("a\n#[cfg(test)]\nmod tests { crate::x }"), "a");
    let dir = std::env::temp_dir().join(format!("nsutils-layering-{}", std::process::id()));
    fs::create_dir_all(dir.join("b")).unwrap();
    fs::write(dir.join("a.rs"), "use crate::b::X;\n").unwrap();
    fs::write(dir.join("b/mod.rs"), "pub struct X;\n").unwrap();
    fs::write(dir.join("b/inner.rs"), "fn f() { crate::a::g() }\n").unwrap();
    let g = graph(&dir);
    let _ = fs::remove_dir_all(&dir);
    assert!(g["a"].contains("b") && g["b"].contains("a"), "{g:?}");
}
