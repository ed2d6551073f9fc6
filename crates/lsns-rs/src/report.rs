//! From the scan to the table: which namespaces become rows, in which order and under which
//! parent row (process, owner and parent trees), what each cell holds, and the `-Q` filter.
//!
//! Row order and tree parents follow util-linux exactly: namespaces sorted by inode; in the
//! process tree a row hangs under the *last* row emitted for its representative process's parent
//! process; in owner/parent trees the missing ancestors are emitted first (ignoring `-p`/`-P`).

use nscore::kind::NsKind;
use nscore::map::Map;
use nscore::scan::{Namespace, Proc, Scan};
use nscore::users::NameCache;

use crate::cli::{Options, Tree};
use crate::columns::{Col, ALL, EXTENSIONS};
use crate::table::{Column, Style, Table};

/// `-H`: the column list, as a table with no headings (raw or JSON if asked before `-H`).
pub fn list_columns(raw: bool, json: bool) {
    let cols = vec![
        column("HOLDER", "holder", true, false),
        column("TYPE", "type", false, false),
        column("DESCRIPTION", "description", false, false),
    ];
    let mut t = Table::new("lsns-columns", cols);
    for c in ALL.into_iter().chain(EXTENSIONS) {
        let ty = if c.number() { "<integer>" } else { "<string>" };
        t.add(
            vec![
                Some(c.name().as_bytes().to_vec()),
                Some(ty.as_bytes().to_vec()),
                Some(c.help().as_bytes().to_vec()),
            ],
            None,
        );
    }
    let style = Style {
        raw,
        json,
        noheadings: true,
        utf8: utf8_locale(),
        term_width: None,
    };
    let _ = t.print(&mut nscore::cmdline::out::Sink, style);
}

fn column(header: &str, key: &str, right: bool, number: bool) -> Column {
    Column {
        header: header.into(),
        key: key.into(),
        right,
        number,
        tree: false,
        trunc: false,
        wrap: false,
        hidden: false,
        whint: 0,
    }
}

/// Whether the C library's character type is UTF-8: the locale the environment names, set
/// on the first call (which [`crate::run`] makes before anything else, as util-linux calls
/// `setlocale` first), so a named but missing locale means ASCII as it does for the original.
pub fn utf8_locale() -> bool {
    static UTF8: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *UTF8.get_or_init(nscore::display::set_locale_from_env)
}

/// Everything needed to fill cells.
pub struct Ctx<'a> {
    pub opts: &'a Options,
    pub scan: &'a Scan,
    pub names: NameCache,
    pub pid_index: Map<i32, usize>,
    cmd_cache: Map<i32, Option<Vec<u8>>>,
    /// The first failure to read a cell's data: the table is not printed.
    pub failed: Option<nscore::Error>,
}

impl<'a> Ctx<'a> {
    pub fn new(opts: &'a Options, scan: &'a Scan) -> Ctx<'a> {
        let pid_index = scan
            .procs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pid, i))
            .collect();
        Ctx {
            opts,
            scan,
            names: NameCache::with_candidates(
                scan.procs
                    .iter()
                    .map(|p| p.uid)
                    .chain(scan.namespaces.iter().map(|n| n.owner_uid)),
            ),
            pid_index,
            cmd_cache: Map::default(),
            failed: None,
        }
    }

    fn command(&mut self, pid: i32) -> Option<Vec<u8>> {
        if let Some(c) = self.cmd_cache.get(&pid) {
            return c.clone();
        }
        let c = read_command(pid).unwrap_or_else(|e| {
            self.failed.get_or_insert(e);
            None
        });
        self.cmd_cache.insert(pid, c.clone());
        c
    }

    /// The text of one cell, `None` when empty, as util-linux fills it.
    pub fn cell(&mut self, col: Col, ns: &Namespace, proc: Option<&Proc>) -> Option<Vec<u8>> {
        let s = |v: String| Some(v.into_bytes());
        match col {
            Col::Ns => s(ns.ino.to_string()),
            Col::Type => s(ns.kind.name().to_string()),
            Col::Path => proc.and_then(|p| s(format!("/proc/{}/ns/{}", p.pid, ns.kind.name()))),
            Col::Nprocs => s(ns.nprocs.to_string()),
            Col::Pid => proc.and_then(|p| s(p.pid.to_string())),
            Col::Ppid => proc.and_then(|p| s(p.ppid.to_string())),
            Col::Command => proc.and_then(|p| self.command(p.pid)),
            Col::Uid => s(proc.map_or(ns.owner_uid, |p| p.uid).to_string()),
            Col::User => s(self.names.name(proc.map_or(ns.owner_uid, |p| p.uid))),
            Col::Netnsid => {
                if ns.kind != NsKind::Net {
                    return None;
                }
                match ns.netnsid {
                    Some(Some(n)) if n >= 0 => s(n.to_string()),
                    Some(None) => s("unassigned".into()),
                    _ => None,
                }
            }
            Col::Nsfs => {
                let targets = self.scan.nsfs_mounts.get(&ns.ino)?;
                let sep = if self.opts.nowrap { b',' } else { b'\n' };
                let mut v = Vec::new();
                for (i, t) in targets.iter().enumerate() {
                    if i > 0 {
                        v.push(sep);
                    }
                    v.extend_from_slice(t);
                }
                Some(v)
            }
            Col::Pns => s(ns.parent.to_string()),
            Col::Ons => s(ns.owner.to_string()),
            Col::Id => ns.id.and_then(|id| s(id.to_string())),
        }
    }
}

/// `/proc/PID/cmdline` as util-linux reads it: at most 8192 bytes (BUFSIZ), NULs as spaces,
/// and the last byte read dropped whatever it is (its terminator, or the 8192nd byte of a
/// longer one). If nothing was read (kernel threads), `/proc/PID/comm` without its newline.
/// A process that is gone or not ours to read has no command; any other failure is an error
/// (an empty cell would pass for the truth).
fn read_command(pid: i32) -> Result<Option<Vec<u8>>, nscore::Error> {
    let passable = |e: &nscore::Error| {
        matches!(
            e,
            nscore::Error::Gone { .. } | nscore::Error::NotVisible { .. }
        )
    };
    let dir = match nscore::proc::ProcDir::open(pid) {
        Ok(d) => d,
        Err(e) if passable(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut buf = Vec::new();
    match dir.read_into(c"cmdline", &mut buf, 8192) {
        Ok(()) if !buf.is_empty() => {
            buf.pop();
            for b in buf.iter_mut() {
                if *b == 0 {
                    *b = b' ';
                }
            }
            return Ok(Some(buf));
        }
        Ok(()) => {}
        Err(e) if passable(&e) => {}
        Err(e) => return Err(e),
    }
    match dir.read_into(c"comm", &mut buf, 4096) {
        Ok(()) => {}
        Err(e) if passable(&e) => return Ok(None),
        Err(e) => return Err(e),
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.is_empty() {
        return Ok(None);
    }
    Ok(Some(buf))
}

/// The table's columns for the options.
pub fn table_columns(opts: &Options, visible: usize) -> Vec<Column> {
    opts.columns
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            // A column only the filter asked for is hidden, and never the tree's: the
            // release's JSON nests rows only under a column it shows (`lsns -Q COMMAND -o
            // NS,PNS -J` is flat; found by the fuzzer).
            let tree = i < visible
                && match opts.tree {
                    Tree::Process => c == Col::Command,
                    Tree::Owner | Tree::Parent => c == Col::Ns,
                    Tree::None => false,
                };
            Column {
                header: c.name().into(),
                key: c.key(),
                right: c.right() && !tree,
                number: c.number(),
                tree,
                trunc: c == Col::Command && !opts.notrunc,
                wrap: c == Col::Nsfs && !opts.nowrap,
                hidden: i >= visible,
                whint: c.whint(),
            }
        })
        .collect()
}

/// An error while building rows: the filter failed.
pub struct FilterFailed;

struct Builder<'a, 'b> {
    ctx: &'b mut Ctx<'a>,
    table: Table,
    /// Last row emitted per process (index into procs).
    proc_outline: Map<usize, usize>,
    /// Row per namespace (owner/parent trees).
    ns_outline: Map<u64, usize>,
}

impl Builder<'_, '_> {
    fn add_line(&mut self, nsi: usize, proc: Option<usize>) -> Result<(), FilterFailed> {
        let scan = self.ctx.scan;
        let opts = self.ctx.opts;
        let ns = &scan.namespaces[nsi];
        let parent = match opts.tree {
            Tree::Process => proc
                .and_then(|p| self.ctx.pid_index.get(&scan.procs[p].ppid).copied())
                .and_then(|pp| self.proc_outline.get(&pp).copied()),
            Tree::Parent => {
                related(scan, ns.parent, ns.ino).and_then(|r| self.ns_outline.get(&r).copied())
            }
            Tree::Owner => {
                related(scan, ns.owner, ns.ino).and_then(|r| self.ns_outline.get(&r).copied())
            }
            Tree::None => None,
        };
        let procref = proc.map(|p| &scan.procs[p]);
        if let Some(f) = &opts.filter {
            let ctx = &mut *self.ctx;
            let ok = f
                .matches(&mut |c| ctx.cell(c, ns, procref))
                .map_err(|_| FilterFailed)?;
            if !ok {
                return Ok(());
            }
        }
        let cells: Vec<Option<Vec<u8>>> = opts
            .columns
            .iter()
            .map(|&c| self.ctx.cell(c, ns, procref))
            .collect();
        let line = self.table.add(cells, parent);
        match opts.tree {
            Tree::Owner | Tree::Parent => {
                self.ns_outline.insert(ns.ino, line);
            }
            _ => {
                if let Some(p) = proc {
                    self.proc_outline.insert(p, line);
                }
            }
        }
        Ok(())
    }

    fn show_namespace(&mut self, nsi: usize, depth: usize) -> Result<(), FilterFailed> {
        let scan = self.ctx.scan;
        let ns = &scan.namespaces[nsi];
        let tree = self.ctx.opts.tree;
        if depth < 64 {
            let owner = related(scan, ns.owner, ns.ino);
            let parent = related(scan, ns.parent, ns.ino);
            let first = match tree {
                Tree::Owner => owner.filter(|o| !self.ns_outline.contains_key(o)),
                Tree::Parent => match parent {
                    Some(p) => Some(p).filter(|p| !self.ns_outline.contains_key(p)),
                    None => owner.filter(|o| !self.ns_outline.contains_key(o)),
                },
                _ => None,
            };
            if let Some(r) = first {
                if let Some(&ri) = scan.index.get(&r) {
                    self.show_namespace(ri, depth + 1)?;
                }
            }
        }
        self.add_line(nsi, ns.rep)
    }

    fn show_process(&mut self, p: usize, nsi: usize, depth: usize) -> Result<(), FilterFailed> {
        let scan = self.ctx.scan;
        let ns = &scan.namespaces[nsi];
        if self.ctx.opts.tree == Tree::Process && depth < 4096 {
            let proc = &scan.procs[p];
            if let Some(&pp) = self.ctx.pid_index.get(&proc.ppid) {
                if !self.proc_outline.contains_key(&pp)
                    && scan.procs[pp].ns_of(ns.kind) == proc.ns_of(ns.kind)
                    && pp != p
                {
                    self.show_process(pp, nsi, depth + 1)?;
                }
            }
        }
        self.add_line(nsi, Some(p))
    }
}

/// The index of the related namespace `id` of `me`, if it is listed (and not `me` itself).
fn related(scan: &Scan, id: u64, me: u64) -> Option<u64> {
    (id != 0 && id != me && scan.index.contains_key(&id)).then_some(id)
}

/// Build and print the table. Returns the exit status.
pub fn print(ctx: &mut Ctx<'_>, visible: usize) -> i32 {
    let opts = ctx.opts;
    let scan = ctx.scan;
    let name = "namespaces";
    let table = Table::new(name, table_columns(opts, visible));
    let mut b = Builder {
        ctx,
        table,
        proc_outline: Map::default(),
        ns_outline: Map::default(),
    };
    // util-linux looks the namespace up first, then sets the filter up.
    if let Some(id) = opts.ns {
        if !scan.index.contains_key(&id) {
            nscore::cmdline::warn(format_args!("not found namespace: {id}"));
            return 1;
        }
    }
    if opts.filter.as_ref().is_some_and(|f| f.check().is_err()) {
        return 1;
    }
    let result = if let Some(id) = opts.ns {
        let Some(&nsi) = scan.index.get(&id) else {
            return 1;
        };
        let ns = &scan.namespaces[nsi];
        let mut r = Ok(());
        for (pi, p) in scan.procs.iter().enumerate() {
            if p.ns_of(ns.kind) != ns.ino || b.proc_outline.contains_key(&pi) {
                continue;
            }
            r = b.show_process(pi, nsi, 0);
            if r.is_err() {
                break;
            }
        }
        r
    } else {
        let pid_proc = opts.pid.map(|pid| b.ctx.pid_index.get(&pid).copied());
        let mut r = Ok(());
        for (nsi, ns) in scan.namespaces.iter().enumerate() {
            if let Some(pp) = pid_proc {
                let has = pp.is_some_and(|pi| scan.procs[pi].ns_of(ns.kind) == ns.ino);
                if !has {
                    continue;
                }
            }
            if opts.persist && ns.nprocs != 0 {
                continue;
            }
            if b.ns_outline.contains_key(&ns.ino) {
                continue;
            }
            r = b.show_namespace(nsi, 0);
            if r.is_err() {
                break;
            }
        }
        r
    };
    if result.is_err() {
        nscore::cmdline::warn(format_args!(
            "failed to apply filter: {}",
            nscore::error::strerror(nscore::error::Errno::INVAL)
        ));
        return 1;
    }
    if let Some(e) = b.ctx.failed.take() {
        nscore::cmdline::report(&e);
        return 1;
    }
    let term_width = if opts.raw || opts.json {
        None
    } else {
        terminal_width()
    };
    let style = Style {
        raw: opts.raw,
        json: opts.json,
        noheadings: opts.noheadings,
        utf8: utf8_locale(),
        term_width,
    };
    let _ = b.table.print(&mut nscore::cmdline::out::Sink, style);
    0
}

/// The width to fit when stdout is a terminal, as util-linux's get_terminal_width(80): the
/// terminal's own width; only if it reports none, `COLUMNS` (when valid); else 80.
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let env = || std::env::var_os("COLUMNS").and_then(|v| columns_value(v.as_encoded_bytes()));
    Some(
        nscore::display::stdout_terminal_columns()
            .or_else(env)
            .unwrap_or(80),
    )
}

/// `COLUMNS` as util-linux reads it (`strtol` base 10: leading white space and a sign allowed,
/// nothing after the digits, 1 to INT_MAX).
fn columns_value(v: &[u8]) -> Option<usize> {
    let start = v
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let mut rest = &v[start..];
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'+' | b'-')) {
        rest = &rest[1..];
    }
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for &d in rest {
        n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    (!negative && (1..=i32::MAX as u64).contains(&n)).then_some(n as usize)
}

#[cfg(test)]
mod tests {
    use super::columns_value;

    #[test]
    fn columns_as_strtol_reads_them() {
        assert_eq!(columns_value(b"40"), Some(40));
        assert_eq!(columns_value(b" \t+40"), Some(40));
        assert_eq!(columns_value(b"2147483647"), Some(2147483647));
        for bad in [
            &b"2147483648"[..],
            b"40 ",
            b"-40",
            b"0",
            b"",
            b"+",
            b"0x20",
            b" ",
        ] {
            assert_eq!(columns_value(bad), None, "{bad:?}");
        }
    }
}
