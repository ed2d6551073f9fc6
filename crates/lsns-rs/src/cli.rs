//! The command line: the one option table (parsing, `--help`, man page), and the walk over the
//! options in util-linux's order, with its messages for bad values.
//!
//! util-linux acts on some options the moment getopt returns them (`-h` prints help, `-t foo`
//! and a bad `-Q` fail before later options are looked at), so [`parse`] does the same instead
//! of collecting everything first; `-H` waits for the last option.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use nscore::cmdline::getopt::{Getopt, GetoptError, HasArg, OptDef, Ordering};
use nscore::cmdline::num;
use nscore::kind::{NsKind, NsKinds};

use crate::columns::{self, Col};

/// Option keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Json,
    List,
    NoHeadings,
    Output,
    OutputAll,
    Persistent,
    Task,
    Filter,
    Raw,
    NoTruncate,
    NoWrap,
    Type,
    Tree,
    ListColumns,
    Help,
    Version,
}

/// The option table, in the order of util-linux's `long_opts` (glibc lists ambiguous prefixes
/// in table order, so this order is visible); [`HELP_ORDER`] gives the `--help` order.
pub const OPTIONS: &[OptDef<Key>] = &[
    OptDef::new(
        Key::Json,
        Some('J'),
        Some("json"),
        HasArg::No,
        None,
        "print JSON",
        0,
    ),
    OptDef::new(
        Key::Task,
        Some('p'),
        Some("task"),
        HasArg::Required,
        Some("<pid>"),
        "only the namespaces of this process",
        0,
    ),
    OptDef::new(
        Key::Help,
        Some('h'),
        Some("help"),
        HasArg::No,
        None,
        "show this help",
        1,
    ),
    OptDef::new(
        Key::Output,
        Some('o'),
        Some("output"),
        HasArg::Required,
        Some("<list>"),
        "the columns to print",
        0,
    ),
    OptDef::new(
        Key::OutputAll,
        None,
        Some("output-all"),
        HasArg::No,
        None,
        "print every column",
        0,
    ),
    OptDef::new(
        Key::Persistent,
        Some('P'),
        Some("persistent"),
        HasArg::No,
        None,
        "only namespaces no process is in",
        0,
    ),
    OptDef::new(
        Key::Filter,
        Some('Q'),
        Some("filter"),
        HasArg::Required,
        Some("<expr>"),
        "only rows matching the expression",
        0,
    ),
    OptDef::new(
        Key::NoTruncate,
        Some('u'),
        Some("notruncate"),
        HasArg::No,
        None,
        "never shorten column text",
        0,
    ),
    OptDef::new(
        Key::Version,
        Some('V'),
        Some("version"),
        HasArg::No,
        None,
        "show the version",
        1,
    ),
    OptDef::new(
        Key::NoHeadings,
        Some('n'),
        Some("noheadings"),
        HasArg::No,
        None,
        "leave out the header line",
        0,
    ),
    OptDef::new(
        Key::NoWrap,
        Some('W'),
        Some("nowrap"),
        HasArg::No,
        None,
        "keep multi-line cells on one line",
        0,
    ),
    OptDef::new(
        Key::List,
        Some('l'),
        Some("list"),
        HasArg::No,
        None,
        "print a flat list, not a tree",
        0,
    ),
    OptDef::new(
        Key::Raw,
        Some('r'),
        Some("raw"),
        HasArg::No,
        None,
        "print raw, unaligned output",
        0,
    ),
    OptDef::new(
        Key::Type,
        Some('t'),
        Some("type"),
        HasArg::Required,
        Some("<name>"),
        "namespace kind (mnt, net, ipc, user, pid, uts, cgroup, time)",
        0,
    ),
    OptDef::new(
        Key::Tree,
        Some('T'),
        Some("tree"),
        HasArg::Optional,
        Some("<rel>"),
        "print a tree by relation (parent, owner, or process)",
        0,
    ),
    OptDef::new(
        Key::ListColumns,
        Some('H'),
        Some("list-columns"),
        HasArg::No,
        None,
        "describe the columns",
        1,
    ),
];

/// The order of the `--help` lines.
pub const HELP_ORDER: &[Key] = &[
    Key::Json,
    Key::List,
    Key::NoHeadings,
    Key::Output,
    Key::OutputAll,
    Key::Persistent,
    Key::Task,
    Key::Filter,
    Key::Raw,
    Key::NoTruncate,
    Key::NoWrap,
    Key::Type,
    Key::Tree,
    Key::ListColumns,
    Key::Help,
    Key::Version,
];

/// The option table in `--help` order.
pub fn help_table() -> Vec<OptDef<Key>> {
    nscore::cmdline::help::in_order(OPTIONS, HELP_ORDER)
}

/// The tree kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {
    None,
    Process,
    Owner,
    Parent,
}

/// Everything the command line asked for, after util-linux's defaulting.
#[derive(Debug)]
pub struct Options {
    pub json: bool,
    pub raw: bool,
    pub noheadings: bool,
    pub notrunc: bool,
    pub nowrap: bool,
    pub persist: bool,
    pub pid: Option<i32>,
    pub kinds: NsKinds,
    pub tree: Tree,
    pub filter: Option<crate::filter::Filter>,
    pub ns: Option<u64>,
    pub columns: Vec<Col>,
    /// How many of `columns` are printed (the rest are read by the filter only).
    pub visible: usize,
}

/// What the command line says to do.
pub enum Parsed {
    /// List namespaces.
    Run(Box<Options>),
    /// `-H`: list the columns, raw or as JSON if asked, then exit 0.
    ListColumns { raw: bool, json: bool },
    /// Stop now with this exit status (help, version, or an error already printed).
    Exit(i32),
}

fn fail(msg: impl std::fmt::Display) -> Parsed {
    nscore::cmdline::warn(msg);
    Parsed::Exit(1)
}

/// util-linux `strtos32`-style parse of a PID for `-p` (2.42: `strtopid_or_err`, so 0 and
/// negative numbers are out of range). Trailing bytes are refused before the range is checked
/// (`-5x` is invalid, not out of range, as the original says). The message keeps the word's
/// bytes, as util-linux prints them.
fn parse_pid(arg: &[u8]) -> Result<i32, Vec<u8>> {
    let msg = |range: bool| {
        let mut m = b"invalid PID argument: '".to_vec();
        m.extend_from_slice(arg);
        m.push(b'\'');
        if range {
            m.extend_from_slice(b": ");
            m.extend_from_slice(nscore::error::strerror(nscore::error::Errno::RANGE).as_bytes());
        }
        m
    };
    match num::scan(arg, 10) {
        Some(n) if n.end == arg.len() => match n.magnitude.and_then(|v| i32::try_from(v).ok()) {
            Some(p) if p > 0 && !n.negative => Ok(p),
            _ => Err(msg(true)),
        },
        _ => Err(msg(false)),
    }
}

/// util-linux `strtou64_or_err` for the namespace ID operand, its message with the word's
/// bytes.
fn parse_ns(arg: &[u8]) -> Result<u64, Vec<u8>> {
    num::strtou64(arg).map_err(|errno| {
        let mut m = b"invalid namespace argument: '".to_vec();
        m.extend_from_slice(arg);
        m.push(b'\'');
        if errno == nscore::error::Errno::RANGE {
            m.extend_from_slice(b": ");
            m.extend_from_slice(nscore::error::strerror(errno).as_bytes());
        }
        m
    })
}

/// Print `PROG: ` and the parts, and stop with status 1.
fn fail_bytes(parts: &[&[u8]]) -> Parsed {
    nscore::cmdline::warn_bytes(parts);
    Parsed::Exit(1)
}

/// Parse `args` (with argv[0]).
pub fn parse(args: &[OsString]) -> Parsed {
    let words = args.get(1..).unwrap_or_default();
    let mut g = Getopt::new(words, OPTIONS, Ordering::gnu_default());
    let mut json = false;
    let mut raw = false;
    let mut noheadings = false;
    let mut notrunc = false;
    let mut nowrap = false;
    let mut persist = false;
    let mut force_list = false;
    let mut pid: Option<i32> = None;
    let mut kinds = NsKinds::EMPTY;
    let mut is_net = false;
    let mut tree = Tree::None;
    let mut filter_text: Option<Vec<u8>> = None;
    let mut outarg: Option<Vec<u8>> = None;
    let mut columns: Vec<Col> = Vec::new();
    // util-linux's exclusive groups ({J,r}, {P,p}); {l,T} is declared but never fires.
    let mut excl_jr: Option<Key> = None;
    let mut excl_pp: Option<Key> = None;
    let mut list_columns = false;

    for item in g.by_ref() {
        let (key, arg) = match item {
            Ok(x) => x,
            Err(e) => return getopt_failed(&e),
        };
        for (slot, a, b) in [
            (&mut excl_jr, Key::Json, Key::Raw),
            (&mut excl_pp, Key::Persistent, Key::Task),
        ] {
            if key == a || key == b {
                match *slot {
                    None => *slot = Some(key),
                    Some(first) if first != key => {
                        return fail(format_args!(
                            "options --{} and --{} cannot be combined",
                            long_name(first),
                            long_name(key)
                        ));
                    }
                    _ => {}
                }
            }
        }
        if key == Key::Tree {
            tree = Tree::Owner;
            if let Some(a) = &arg {
                let a = a.as_bytes();
                let a = a.strip_prefix(b"=").unwrap_or(a);
                match a {
                    b"parent" => tree = Tree::Parent,
                    b"process" => tree = Tree::Process,
                    b"owner" => {}
                    other => return fail_bytes(&[b"unknown tree type: ", other]),
                }
            }
            continue;
        }
        let arg = arg.unwrap_or_default();
        match key {
            Key::Json => json = true,
            Key::List => force_list = true,
            Key::Output => outarg = Some(arg.as_bytes().to_vec()),
            Key::OutputAll => columns = columns::ALL.to_vec(),
            Key::Persistent => persist = true,
            Key::Task => match parse_pid(arg.as_bytes()) {
                Ok(p) => pid = Some(p),
                Err(m) => return fail_bytes(&[&m]),
            },
            Key::NoHeadings => noheadings = true,
            Key::Raw => {
                raw = true;
                nowrap = true;
            }
            Key::NoTruncate => notrunc = true,
            Key::Type => match NsKind::parse_bytes(arg.as_bytes()) {
                Ok(k) => {
                    kinds.insert(k);
                    is_net |= k == NsKind::Net;
                }
                Err(_) => return fail_bytes(&[b"unknown namespace type: ", arg.as_bytes()]),
            },
            Key::NoWrap => nowrap = true,
            Key::Tree => {}
            // An empty expression is no filter (it also drops an earlier one).
            Key::Filter if arg.is_empty() => filter_text = None,
            Key::Filter => match crate::filter::Filter::parse_echo(arg.as_bytes()) {
                (echo, Ok(f)) => {
                    nscore::cmdline::out::write(&echo);
                    filter_text = Some(f);
                }
                (echo, Err(m)) => {
                    nscore::cmdline::out::write(&echo);
                    return fail_bytes(&[
                        b"failed to parse \"",
                        arg.as_bytes(),
                        b"\": ",
                        m.as_bytes(),
                    ]);
                }
            },
            Key::ListColumns => list_columns = true,
            Key::Help => {
                print_help();
                return Parsed::Exit(0);
            }
            Key::Version => {
                nscore::cmdline::print_version();
                return Parsed::Exit(0);
            }
        }
    }
    // 2.42 lists the columns once every option is read (with the final -J/-r), before the
    // operand and -o/-Q are looked at.
    if list_columns {
        return Parsed::ListColumns { raw, json };
    }
    let operands = g.operands();

    let mut ns = None;
    if let Some(first) = operands.first() {
        if pid.is_some() {
            return fail("--task is mutually exclusive with <namespace>");
        }
        match parse_ns(first.as_bytes()) {
            Ok(v) => ns = Some(v).filter(|&v| v != 0),
            Err(m) => return fail_bytes(&[&m]),
        }
        if tree == Tree::None && !force_list {
            tree = Tree::Process;
        }
        if columns.is_empty() {
            columns = vec![Col::Pid, Col::Ppid, Col::User, Col::Command];
        }
    }
    if columns.is_empty() {
        columns = vec![Col::Ns, Col::Type, Col::Nprocs, Col::Pid, Col::User];
        if is_net {
            columns.push(Col::Netnsid);
            columns.push(Col::Nsfs);
        }
        columns.push(Col::Command);
        if tree == Tree::None && !force_list {
            tree = Tree::Process;
        }
    }
    if let Some(list) = outarg {
        match columns::add_to_list(&list, &mut columns) {
            Ok(()) => {}
            Err(Some(m)) => return fail_bytes(&[&m]),
            Err(None) => return Parsed::Exit(1),
        }
    }
    let visible = columns.len();
    let filter = match filter_text {
        Some(t) => match crate::filter::Filter::compile(&t, &mut columns) {
            Ok(f) => Some(f),
            Err(code) => return Parsed::Exit(code),
        },
        None => None,
    };

    Parsed::Run(Box::new(Options {
        json,
        raw,
        noheadings,
        notrunc,
        nowrap,
        persist,
        pid,
        kinds,
        tree,
        filter,
        ns,
        columns,
        visible,
    }))
}

fn long_name(k: Key) -> &'static str {
    OPTIONS
        .iter()
        .find(|o| o.key == k)
        .and_then(|o| o.long)
        .unwrap_or("")
}

fn getopt_failed(e: &GetoptError) -> Parsed {
    nscore::cmdline::getopt_error(e);
    Parsed::Exit(1)
}

/// `--help`: util-linux's layout, our words.
pub fn print_help() {
    let prog = nscore::cmdline::prog();
    let mut out = String::new();
    out.push_str("\nUsage:\n");
    out.push_str(&format!(" {prog} [options] [<namespace ID>]\n"));
    out.push_str("\nList the namespaces of the system.\n");
    out.push_str("\nOptions:\n");
    let style = nscore::cmdline::help::HelpStyle::new(24, "     ");
    nscore::cmdline::help::render_options_with(&mut out, &help_table(), &style, |_| None);
    out.push_str(&nscore::cmdline::help::closing_line(8));
    nscore::cmdline::out::write_str(&out);
}
