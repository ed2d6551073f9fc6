//! `/usr/share/doc/nsutils/copyright` in Debian's machine-readable format (DEP-5), covering
//! nsutils itself, every crate statically linked into the binaries and the Rust standard
//! library, plus the crates as a `Static-Built-Using` field.
//!
//! The crate list comes from `cargo metadata --offline --locked --filter-platform TRIPLE`: the
//! packages reachable through normal (not dev, not build) dependencies from the binaries'
//! packages, without proc-macro crates (they run in the compiler and are not linked) and
//! without our own workspace crates. Each crate's licence is its Cargo.toml `license` field
//! (SPDX), rewritten in DEP-5 syntax; each licence named gets one stand-alone paragraph with
//! its text: Apache-2.0 by reference to /usr/share/common-licenses, MIT from our own LICENSE,
//! and the others from the licence file the crate itself ships.

use crate::{workspace_root, Fail};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One linked crate.
#[derive(Clone, Debug)]
pub struct Crate {
    /// Name (`linux-raw-sys`).
    pub name: String,
    /// Version (`0.12.1`).
    pub version: String,
    /// SPDX licence expression from its Cargo.toml.
    pub license: String,
    /// Its authors, for the Copyright field.
    pub authors: Vec<String>,
    /// Its source directory (in the cargo registry).
    pub dir: PathBuf,
}

/// A cargo for `cargo metadata` that also works under `sudo`, without the user's PATH or HOME
/// (`sudo target/release/xtask install --from target/release`): the cargo running us, else the
/// toolchain's cargo that built xtask (its real binary, not a rustup proxy) with its rustc,
/// else `cargo` from PATH. Under sudo it runs as the user who called sudo (`SUDO_UID`,
/// `SUDO_GID`) with the cargo home of whoever built xtask, so root never writes into the
/// user's cargo home; its rustc-info cache goes to a temporary target directory, so nothing
/// is written into the user's target/.
fn metadata_cargo() -> (Command, PathBuf) {
    let built_with = PathBuf::from(env!("CARGO"));
    let mut c = match std::env::var_os("CARGO") {
        Some(c) => Command::new(c),
        None if built_with.is_file() => {
            let mut c = Command::new(&built_with);
            let rustc = built_with.with_file_name("rustc");
            if std::env::var_os("RUSTC").is_none() && rustc.is_file() {
                c.env("RUSTC", rustc);
            }
            c
        }
        None => Command::new("cargo"),
    };
    if std::env::var_os("CARGO_HOME").is_none() {
        let home = option_env!("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| option_env!("HOME").map(|h| Path::new(h).join(".cargo")));
        if let Some(h) = home.filter(|h| h.is_dir()) {
            c.env("CARGO_HOME", h);
        }
    }
    let as_root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    let sudo_id = |v: &str| std::env::var(v).ok().and_then(|x| x.parse::<u32>().ok());
    if let (true, Some(uid), Some(gid)) = (as_root, sudo_id("SUDO_UID"), sudo_id("SUDO_GID")) {
        use std::os::unix::process::CommandExt;
        c.uid(uid).gid(gid);
        if let Some(home) = option_env!("HOME") {
            c.env("HOME", home);
        }
    }
    let tmp = std::env::temp_dir().join(format!("xtask-metadata-{}", std::process::id()));
    c.current_dir(workspace_root())
        .env("CARGO_TARGET_DIR", &tmp);
    (c, tmp)
}

/// `cargo metadata` of the workspace at `dir`, for `triple` only when given.
fn metadata(dir: &Path, triple: Option<&str>) -> Result<Value, Fail> {
    let (mut cargo, tmp) = metadata_cargo();
    cargo
        .current_dir(dir)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"]);
    if let Some(t) = triple {
        cargo.args(["--filter-platform", t]);
    }
    let out = cargo.output();
    let _ = std::fs::remove_dir_all(&tmp);
    let out = out.map_err(|e| Fail(format!("cannot run cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(Fail(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| Fail(format!("cargo metadata: bad JSON: {e}")))
}

/// A package of `cargo metadata` as a [`Crate`].
fn to_crate(p: &Value) -> Crate {
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    Crate {
        name: s("name"),
        version: s("version"),
        license: s("license"),
        authors: p["authors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        dir: PathBuf::from(s("manifest_path"))
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
    }
}

/// Fail on a crate without a licence; sort by name and version.
fn checked(mut crates: Vec<Crate>) -> Result<Vec<Crate>, Fail> {
    for c in &crates {
        if c.license.is_empty() {
            return Err(Fail(format!(
                "crate {} {} declares no licence in its Cargo.toml",
                c.name, c.version
            )));
        }
    }
    crates.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Ok(crates)
}

/// Every crate of Cargo.lock (all platforms, dev and build dependencies too), as in the
/// vendored source tree at `dir`: what `vendor/` holds.
pub fn vendored_crates(dir: &Path) -> Result<Vec<Crate>, Fail> {
    let meta = metadata(dir, None)?;
    let packages = meta["packages"]
        .as_array()
        .ok_or_else(|| Fail("cargo metadata: unexpected layout".into()))?;
    checked(
        packages
            .iter()
            .filter(|p| !p["source"].is_null())
            .map(to_crate)
            .collect(),
    )
}

/// The crates linked into the packages `roots`, built for `triple`, sorted by name and
/// version.
pub fn linked_crates(roots: &[&str], triple: &str) -> Result<Vec<Crate>, Fail> {
    let meta = metadata(&workspace_root(), Some(triple))?;
    let bad = || Fail("cargo metadata: unexpected layout".into());
    let packages = meta["packages"].as_array().ok_or_else(bad)?;
    let by_id: BTreeMap<&str, &Value> = packages
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let is_proc_macro = |p: &Value| {
        p["targets"].as_array().is_some_and(|ts| {
            ts.iter().any(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "proc-macro"))
            })
        })
    };
    let mut todo: Vec<&str> = packages
        .iter()
        .filter(|p| p["name"].as_str().is_some_and(|n| roots.contains(&n)))
        .filter_map(|p| p["id"].as_str())
        .collect();
    if todo.len() != roots.len() {
        return Err(Fail(format!(
            "cargo metadata does not list all of {roots:?}"
        )));
    }
    let mut seen = BTreeSet::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        let node = nodes.get(id).ok_or_else(bad)?;
        for dep in node["deps"].as_array().ok_or_else(bad)? {
            let normal = dep["dep_kinds"]
                .as_array()
                .is_some_and(|ks| ks.iter().any(|k| k["kind"].is_null()));
            let Some(pkg) = dep["pkg"].as_str() else {
                continue;
            };
            if normal && by_id.get(pkg).is_some_and(|p| !is_proc_macro(p)) {
                todo.push(pkg);
            }
        }
    }
    checked(
        seen.into_iter()
            .filter_map(|id| by_id.get(id))
            // Workspace crates have no source: they are nsutils.
            .filter(|p| !p["source"].is_null())
            .map(|p| to_crate(p))
            .collect(),
    )
}

/// An SPDX expression in DEP-5 syntax: `MIT OR Apache-2.0` → `MIT or Apache-2.0`,
/// `Apache-2.0 WITH LLVM-exception` → `Apache-2.0 with LLVM exception`, the old `MIT/Apache-2.0`
/// → `MIT or Apache-2.0`.
pub fn dep5_expr(spdx: &str) -> String {
    let spdx = spdx.replace('/', " OR ");
    let mut out = Vec::new();
    let mut words = spdx.split_whitespace();
    while let Some(w) = words.next() {
        match w {
            "OR" => out.push("or".to_string()),
            "AND" => out.push("and".to_string()),
            "WITH" => {
                let exc = words.next().unwrap_or_default();
                out.push(format!(
                    "with {} exception",
                    exc.strip_suffix("-exception").unwrap_or(exc)
                ));
            }
            w => out.push(w.to_string()),
        }
    }
    out.join(" ")
}

/// The licence names a DEP-5 expression uses (`Apache-2.0 with LLVM exception`, `MIT`).
fn names(dep5: &str) -> Vec<String> {
    dep5.replace(['(', ')'], " ")
        .split(" or ")
        .flat_map(|p| p.split(" and ").map(str::to_string).collect::<Vec<_>>())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Indent licence text as a DEP-5 field continuation (blank lines as ` .`).
fn indent(text: &str) -> String {
    text.trim()
        .lines()
        .map(|l| {
            let l = l.trim_end().replace('\t', "    ");
            if l.is_empty() {
                " .\n".to_string()
            } else {
                format!(" {l}\n")
            }
        })
        .collect()
}

/// Text without its leading `Copyright ...` lines (and the blank lines around them), the form
/// of a stand-alone licence paragraph.
fn without_copyright_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    while let Some(first) = lines.first() {
        let t = first.trim();
        if t.is_empty() || t.starts_with("Copyright") || t == "MIT License" {
            lines.remove(0);
        } else {
            break;
        }
    }
    lines.join("\n")
}

const APACHE_REF: &str = "On Debian systems, the complete text of the Apache License, Version 2.0 can be found in\n\"/usr/share/common-licenses/Apache-2.0\".";

/// The text of licence `name` (a DEP-5 name) for its stand-alone paragraph, taken from our
/// LICENSE (MIT), common-licenses (Apache-2.0), or a licence file of one of `crates` using it.
fn license_text(name: &str, crates: &[&Crate]) -> Result<String, Fail> {
    let read = |p: &PathBuf| std::fs::read_to_string(p).ok();
    let crate_files = || {
        crates.iter().flat_map(|c| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&c.dir)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            files.sort();
            files
        })
    };
    match name {
        "Apache-2.0" => Ok(APACHE_REF.to_string()),
        "MIT" => read(&workspace_root().join("LICENSE"))
            .map(|t| without_copyright_lines(&t))
            .ok_or_else(|| Fail("cannot read LICENSE".into())),
        n if n.starts_with("Apache-2.0 with ") => {
            let exc = n
                .trim_start_matches("Apache-2.0 with ")
                .trim_end_matches(" exception");
            let marker = format!("{exc} Exceptions");
            crate_files()
                .filter_map(|f| read(&f))
                .find_map(|t| {
                    let i = t.find(&marker)?;
                    let start = t[..i].rfind('\n').map_or(0, |j| j + 1);
                    Some(format!("{APACHE_REF}\n\n{}", &t[start..]))
                })
                .ok_or_else(|| Fail(format!("no text of the {exc} exception found")))
        }
        n => {
            // LICENSE-BSD for BSD-2-Clause, LICENSE-UNICODE for Unicode-3.0, UNLICENSE...
            let key = n.split(['-', ' ']).next().unwrap_or(n).to_uppercase();
            crate_files()
                .filter(|f| {
                    f.file_name()
                        .is_some_and(|x| x.to_string_lossy().to_uppercase().contains(&key))
                })
                .find_map(|f| read(&f))
                .map(|t| without_copyright_lines(&t))
                .ok_or_else(|| {
                    Fail(format!(
                        "no licence file for {n} in {:?}: teach xtask/src/copyright.rs where it is",
                        crates.iter().map(|c| &c.name).collect::<Vec<_>>()
                    ))
                })
        }
    }
}

/// The Rust toolchain's version (`1.95.0`), whose standard library is linked in.
pub fn rustc_version() -> Option<String> {
    let out = crate::target::rustc().arg("-V").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .map(str::to_string)
}

/// The DEP-5 copyright file for binaries built for `triple` from the packages `roots`.
pub fn dep5(roots: &[&str], triple: &str) -> Result<String, Fail> {
    let crates = linked_crates(roots, triple)?;
    let comment = format!(
        "The programs are statically linked with the Rust standard library and\n \
         with the crates listed below (from Cargo.lock, as built for\n \
         {triple}). Each paragraph names a crate's source directory as\n \
         `cargo vendor --versioned-dirs` lays it out."
    );
    let rust = rustc_version().unwrap_or_else(|| "unknown".into());
    let std = format!(
        "Files: rust-std/*\nCopyright: The Rust Project Developers\nLicense: MIT or Apache-2.0\n\
         Comment: The Rust standard library (rustc {rust}).\n\n"
    );
    render(&crates, &comment, &std)
}

/// The DEP-5 copyright file of the Debian source package made from the vendored tree at
/// `dir` (`cargo xtask debsrc`): nsutils, then every crate in `vendor/` (all of Cargo.lock,
/// whether linked or not), each by the directory it is in.
pub fn dep5_source(dir: &Path) -> Result<String, Fail> {
    let crates = vendored_crates(dir)?;
    let comment = "vendor/ holds every crate of Cargo.lock (`cargo vendor --versioned-dirs`);\n \
         the programs are statically linked with some of them and with the Rust\n \
         standard library (MIT or Apache-2.0), which comes from the rustc package.";
    render(&crates, comment, "")
}

/// A DEP-5 file: header with `comment`, nsutils, one paragraph per crate, `extra` paragraphs,
/// then the text of every licence named.
fn render(crates: &[Crate], comment: &str, extra: &str) -> Result<String, Fail> {
    let mut s = String::from(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
         Upstream-Name: nsutils\n",
    );
    s.push_str(&format!("Comment: {comment}\n\n"));
    s.push_str("Files: *\nCopyright: 2026 nsutils developers\nLicense: MIT or Apache-2.0\n\n");
    let mut used: BTreeMap<String, Vec<&Crate>> = BTreeMap::new();
    for n in ["MIT", "Apache-2.0"] {
        used.insert(n.to_string(), Vec::new());
    }
    for c in crates {
        let expr = dep5_expr(&c.license);
        let holders = if c.authors.is_empty() {
            format!("the {} authors", c.name)
        } else {
            c.authors.join("\n ")
        };
        s.push_str(&format!(
            "Files: vendor/{}-{}/*\nCopyright: {holders}\nLicense: {expr}\n\n",
            c.name, c.version
        ));
        for n in names(&expr) {
            used.entry(n).or_default().push(c);
        }
    }
    s.push_str(extra);
    let n = used.len();
    for (i, (name, users)) in used.iter().enumerate() {
        s.push_str(&format!("License: {name}\n"));
        s.push_str(&indent(&license_text(name, users)?));
        if i + 1 < n {
            s.push('\n');
        }
    }
    Ok(s)
}

/// `Static-Built-Using`: every linked crate as its Debian source package (`rust-` + the name
/// with `_` as `-`) at its version, then rustc (the standard library's source).
pub fn static_built_using(roots: &[&str], triple: &str) -> Result<String, Fail> {
    let mut v: Vec<String> = linked_crates(roots, triple)?
        .iter()
        .map(|c| {
            format!(
                "rust-{} (= {})",
                c.name.to_lowercase().replace('_', "-"),
                c.version
            )
        })
        .collect();
    if let Some(r) = rustc_version() {
        v.push(format!("rustc (= {r})"));
    }
    Ok(v.join(", "))
}

/// The DEP-5 copyright file for the binaries in `bin_dir` (their target from its path).
pub fn for_binaries(bin_dir: &Path) -> Result<String, Fail> {
    dep5(
        &crate::tools::shipped_packages(),
        &crate::target::target_of(bin_dir)?.triple,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_to_dep5() {
        assert_eq!(dep5_expr("MIT OR Apache-2.0"), "MIT or Apache-2.0");
        assert_eq!(dep5_expr("MIT/Apache-2.0"), "MIT or Apache-2.0");
        assert_eq!(
            dep5_expr("Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"),
            "Apache-2.0 with LLVM exception or Apache-2.0 or MIT"
        );
        assert_eq!(
            names(&dep5_expr("(MIT OR Apache-2.0) AND Unicode-3.0")),
            ["MIT", "Apache-2.0", "Unicode-3.0"]
        );
    }

    #[test]
    fn licence_text_layout() {
        assert_eq!(indent("a\n\n\tb  \n"), " a\n .\n     b\n");
        assert_eq!(
            without_copyright_lines("MIT License\n\nCopyright (c) x\n\nPermission\nmore"),
            "Permission\nmore"
        );
    }
}
