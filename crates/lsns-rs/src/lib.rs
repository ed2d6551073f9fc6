//! `lsns-rs`: a drop-in replacement for util-linux `lsns` (2.42.4): list namespaces.
//!
//! Data flows one way: [`cli`] parses the command line into options (the one option table
//! drives parsing, `--help` and [`doc`]); `nscore::scan` walks `/proc`, the open fds and the
//! nsfs mounts once, reading only what the chosen columns and filter need; [`report`] turns
//! namespaces into rows in util-linux's order and tree shape, applying [`filter`]; [`table`]
//! prints them as a table, raw text or JSON, byte for byte as libsmartcols does.

pub mod cli;
pub mod columns;
pub mod filter;
pub mod report;
pub mod table;

use std::ffi::OsString;

use nscore::cmdline::doc::{opt_docs, ToolDoc, ValueHint};
use nscore::scan::{self, Relation, ScanRequest};

use cli::{Key, Parsed, Tree};
use columns::Col;

/// Run lsns-rs with `args` (including argv[0]); returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    // The locale first, as util-linux's setlocale(LC_ALL, ""): it decides the tree glyphs and
    // how bytes are shown, and filter regexes match in it.
    report::utf8_locale();
    let opts = match cli::parse(&args) {
        Parsed::Run(o) => o,
        Parsed::ListColumns { raw, json } => {
            report::list_columns(raw, json);
            return 0;
        }
        Parsed::Exit(code) => return code,
    };
    let has = |c: Col| opts.columns.contains(&c);
    let tree_rel = matches!(opts.tree, Tree::Owner | Tree::Parent);
    let req = ScanRequest {
        kinds: opts.kinds,
        ppid: has(Col::Ppid) || opts.tree == Tree::Process,
        uid: has(Col::Uid) || has(Col::User),
        related: has(Col::Pns) || has(Col::Ons) || tree_rel,
        netnsid: has(Col::Netnsid),
        id: has(Col::Id),
        // The kernel's own list adds namespaces no process shows; `-p` lists only a
        // process's namespaces, which the walk finds.
        listns: opts.pid.is_none(),
    };
    let mounts = match nscore::mount::read_mountinfo() {
        Ok(m) => m,
        Err(_) => {
            nscore::cmdline::warn("failed to parse /proc/self/mountinfo");
            return 1;
        }
    };
    // util-linux asks the nsfs ioctls for every namespace it meets; we ask them only when
    // needed, so probe once up front to fail the same way (exit 2) on kernels without them.
    let result = scan::probe_ioctls(opts.kinds)
        .and_then(|()| scan::scan(req, &mounts))
        .and_then(|mut s| {
            if tree_rel {
                scan::add_ghosts(&mut s, Relation::Parent, req)?;
                scan::add_ghosts(&mut s, Relation::Owner, req)?;
            }
            Ok(s)
        });
    let s = match result {
        Ok(s) => s,
        Err(e @ nscore::Error::IoctlUnsupported { .. }) => {
            nscore::cmdline::report(&e);
            return 2;
        }
        Err(e) => {
            nscore::cmdline::report(&e);
            return 1;
        }
    };
    let mut ctx = report::Ctx::new(&opts, &s);
    let code = report::print(&mut ctx, opts.visible);
    // Without root the kernel hides other users' namespaces: say so once, after the listing
    // (stdout first, so the line comes last on the terminal), and only when stderr is a
    // terminal, so scripts see util-linux's bytes.
    if code == 0 && nscore::creds::effective_ids().0 != 0 {
        nscore::cmdline::out::flush();
        nscore::hint::show(nscore::hint::Cause::LsnsUnprivileged, "");
    }
    code
}

/// Documentation for the man page and completions.
pub fn doc() -> ToolDoc {
    const COLS: &[&str] = &[
        "NS", "TYPE", "PATH", "NPROCS", "PID", "PPID", "COMMAND", "UID", "USER", "NETNSID", "NSFS",
        "PNS", "ONS", "ID",
    ];
    ToolDoc {
        name: "lsns-rs",
        original: "lsns",
        section: 8,
        summary: "list namespaces",
        synopsis: vec!["[options] [namespace]"],
        description: vec![
            "lsns-rs lists the namespaces of the system: those processes are in, those kept \
             alive by open file descriptors, and those bind-mounted on the file system. With a \
             namespace inode number it lists the processes in that namespace.",
            "On Linux 6.19 and later it also asks the kernel for its list of namespaces \
             (listns(2)) and adds those no process shows, such as one used only by a \
             non-leader thread or held only in another mount namespace, as rows with NPROCS 0 \
             and no process. The kernel shows all of them only to root in the initial PID \
             namespace; elsewhere the listing is the one util-linux prints.",
            "It reads /proc once and only what the chosen columns need, so it stays fast with \
             many processes.",
        ],
        options: opt_docs(&cli::help_table(), cli::OPTIONS, |k| match k {
            Key::Output => ValueHint::WordList(COLS),
            Key::Task => ValueHint::Pid,
            Key::Type => {
                ValueHint::Words(&["mnt", "net", "ipc", "user", "pid", "uts", "cgroup", "time"])
            }
            Key::Tree => ValueHint::Words(&["owner", "parent", "process"]),
            _ => ValueHint::None,
        }),
        operand_hint: ValueHint::None,
        extra_sections: vec![(
            "COLUMNS",
            vec![
                "NS, TYPE, PATH, NPROCS, PID, PPID, COMMAND, UID, USER, NETNSID, NSFS, PNS, ONS; \
                 lsns-rs --list-columns describes each.",
                "ID (an nsutils extension, not in util-linux): the namespace's 64-bit ID from \
                 the NS_GET_ID ioctl (Linux 6.18 and later), unique for the life of the system \
                 and the ID that nsenter-rs --KIND=:ID takes; a number in --json, empty where \
                 the kernel has no NS_GET_ID. It is not in the default columns nor in \
                 --output-all: ask for it with -o ID or -o +ID.",
            ],
        )],
        exit_status: vec![
            "0 on success, 1 on a usage or system error, 2 when the kernel lacks the nsfs ioctls.",
        ],
        examples: vec![
            (
                "lsns-rs -t net",
                "network namespaces with their nsid and bind mounts",
            ),
            (
                "lsns-rs -T",
                "namespaces as a tree by owning user namespace",
            ),
            ("lsns-rs -Q 'NPROCS == 0'", "namespaces no process is in"),
            (
                "lsns-rs -o NS,TYPE,ID",
                "each namespace with its 64-bit ID, for nsenter-rs --net=:ID",
            ),
        ],
        differences: vec![
            "Compared byte for byte with util-linux 2.42.4 lsns. Deliberate differences: the \
             ID column (and its -H row); on Linux 6.19 and later, rows for the namespaces the \
             kernel lists and no process shows; -Q in the namespace-ID mode filters instead of \
             failing; a failure to read /proc other than a vanished or forbidden process ends \
             the run with a message and exit status 1 (util-linux may say nothing, or exit 0 \
             with an empty listing); a regular expression that is not a string is an error, \
             not a crash; --help wording and -V.",
            "See docs/COMPATIBILITY.md, section lsns-rs.",
        ],
    }
}
