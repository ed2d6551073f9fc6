//! netns-rs: `ip netns` as a program of its own. `netns-rs ARGS` behaves as `ip netns ARGS`,
//! with ip's global options (`-all`, `-json`, `-pretty`, `-batch FILE`, `-force`, `-netns NAME`)
//! before the subcommand.
//!
//! Data flows one way: [`cli`] reads the global options (acting on `-netns` at once, as ip
//! does), [`batch`] splits batch lines, [`commands`] checks the name and dispatches to itself,
//! [`listing`] or [`registry`], which act through `nscore::netns` and `nscore::nsid` with the
//! state in [`ctx`], and [`output`] writes what ip would write.

pub mod batch;
pub mod cli;
pub mod commands;
pub mod ctx;
pub mod help;
pub mod listing;
pub mod opts;
pub mod output;
pub mod parse;
pub mod registry;

use std::ffi::{OsStr, OsString};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;

use nscore::cmdline::doc::{OptDoc, ToolDoc, ValueHint};

use crate::batch::{Line, Lines, SplitError};
use crate::ctx::Ctx;
use crate::output::{die, finish, say, serr};

/// Run netns-rs with `args` (`argv[0]` included); returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    let (globals, first) = cli::parse_globals(rest, &mut |name| {
        if !commands::switch(name) {
            die(255);
        }
    });
    if let Some(file) = &globals.batch {
        let code = run_batch(file, &globals);
        return finish(code);
    }
    let mut ctx = Ctx::new(globals.all, globals.json, globals.pretty, false);
    let code = commands::do_netns(&mut ctx, &rest[first..]);
    finish(code & 0xff)
}

/// ip's other objects: a batch line for one of them cannot be run by netns-rs.
const IP_OBJECTS: &[&str] = &[
    "address",
    "addrlabel",
    "maddress",
    "route",
    "rule",
    "neighbor",
    "neighbour",
    "ntable",
    "ntbl",
    "link",
    "l2tp",
    "fou",
    "ila",
    "macsec",
    "tunnel",
    "tuntap",
    "tap",
    "token",
    "tcpmetrics",
    "tcp_metrics",
    "monitor",
    "xfrm",
    "mroute",
    "mrule",
    "netns",
    "netconf",
    "vrf",
    "sr",
    "nexthop",
    "mptcp",
    "ioam",
    "stats",
    "help",
];

/// ip's line after a failed batch command: `Command failed FILE:LINE`.
fn command_failed(file: &OsStr, lineno: usize) {
    say(&[
        b"Command failed ",
        file.as_bytes(),
        b":",
        lineno.to_string().as_bytes(),
    ]);
}

fn run_batch(file: &OsStr, g: &cli::Globals) -> i32 {
    // ip reads its batch file as its standard input (freopen), in blocks of the stream's block
    // size as C stdio does, so a program that `exec` runs inherits the file at that offset;
    // `-` reads the standard input itself the same way.
    let source = if file.as_bytes() == b"-" {
        std::io::stdin().as_fd().try_clone_to_owned()
    } else {
        std::fs::File::open(file).map(std::os::fd::OwnedFd::from)
    };
    let opened = source
        .map_err(|e| nscore::error::Errno::from_io_error(&e).unwrap_or(nscore::error::Errno::IO));
    let opened = opened.and_then(|fd| {
        if file.as_bytes() != b"-" {
            nscore::netns::make_stdin(&fd)?;
        }
        Ok(fd)
    });
    let input = match opened {
        Ok(fd) => {
            let f = std::fs::File::from(fd);
            let block = f
                .metadata()
                .ok()
                .and_then(|m| usize::try_from(std::os::unix::fs::MetadataExt::blksize(&m)).ok())
                .filter(|&b| b > 0)
                .unwrap_or(4096);
            std::io::BufReader::with_capacity(block, f)
        }
        Err(e) => {
            say(&[
                b"Cannot open file \"",
                file.as_bytes(),
                b"\" for reading: ",
                &serr(e),
            ]);
            return 1;
        }
    };
    let mut lines = Lines::new(input);
    let mut ctx = Ctx::new(g.all, g.json, g.pretty, true);
    let mut ret = 0;
    loop {
        let text = match lines.next_line() {
            Line::Text(t) => t,
            Line::End => break,
            Line::MissingContinuation => {
                say(&[b"Missing continuation line"]);
                break;
            }
            Line::ReadError(e) => {
                // ip takes a read error for the end of the file, exit 0.
                let e = nscore::error::Errno::from_io_error(&e).unwrap_or(nscore::error::Errno::IO);
                say(&[b"Cannot read file \"", file.as_bytes(), b"\": ", &serr(e)]);
                ret = 1;
                break;
            }
            Line::TooLong => {
                // ip reads a line of any length, and aborts when memory runs out.
                let max = batch::MAX_LINE.to_string();
                say(&[
                    b"Line ",
                    lines.lineno.to_string().as_bytes(),
                    b" is too long (more than ",
                    max.as_bytes(),
                    b" bytes)",
                ]);
                command_failed(file, lines.lineno);
                ret = 1;
                if !g.force {
                    break;
                }
                continue;
            }
        };
        let words = match batch::split(&text) {
            Ok(w) => w,
            Err(SplitError::Unterminated) => {
                say(&[b"Unterminated quoted string"]);
                die(1);
            }
            Err(SplitError::TooMany) => {
                say(&[b"Too many arguments to command"]);
                die(1);
            }
        };
        let Some(object) = words.first() else {
            continue;
        };
        let code = if batch::is_netns_object(object) {
            let args: Vec<OsString> = words[1..]
                .iter()
                .map(|w| OsStr::from_bytes(w).to_os_string())
                .collect();
            commands::do_netns(&mut ctx, &args)
        } else if IP_OBJECTS.iter().any(|o| opts::matches(object, o)) {
            say(&[
                b"Object \"",
                object,
                b"\" is not handled by netns-rs; run this line with ip.",
            ]);
            1
        } else {
            say(&[b"Object \"", object, b"\" is unknown, try \"ip help\"."]);
            1
        };
        if code != 0 {
            command_failed(file, lines.lineno);
            ret = 1;
            if !g.force {
                break;
            }
        }
    }
    ret
}

/// netns-rs's documentation, from the same tables it parses with.
pub fn doc() -> ToolDoc {
    let options: Vec<OptDoc> = opts::GLOBAL_OPTS
        .iter()
        .filter(|o| !o.def.help.is_empty())
        .map(|o| OptDoc {
            short: None,
            long: o.def.long,
            has_arg: o.def.has_arg,
            short_has_arg: o.def.has_arg,
            value_name: o.def.value_name,
            help: o.def.help,
            hint: match o.def.key {
                opts::Key::Batch => ValueHint::File,
                opts::Key::Netns => ValueHint::NetnsName,
                _ => ValueHint::None,
            },
        })
        .collect();
    let subcommands: Vec<&'static str> = opts::SUBCOMMANDS
        .iter()
        .map(|d| -> &'static str {
            Box::leak(format!("{}: {}", d.synopsis, d.help).into_boxed_str())
        })
        .collect();
    ToolDoc {
        name: "netns-rs",
        original: "ip netns",
        section: 8,
        summary: "manage named network namespaces, as ip netns does",
        synopsis: vec![
            "[-all] [-json] [-pretty] [-netns NAME] SUBCOMMAND [ARGUMENTS]",
            "[-force] -batch FILE",
        ],
        description: vec![
            "netns-rs is a drop-in for iproute2's ip netns: a named network namespace is a file in /run/netns with the namespace bind-mounted over it, so it lives on without any process in it.",
            "Options are ip's: a single dash, and any prefix of the word, the first match in ip's own order winning (-a is -all, -b is -batch, -f is ip's -family, not -force); --x means -x. Subcommands may be shortened the same way (a is add, at is attach).",
            "As a program of its own it also answers --version (ip's -V and -Version print the same line).",
        ],
        options,
        operand_hint: ValueHint::NetnsName,
        extra_sections: vec![("SUBCOMMANDS", subcommands)],
        exit_status: vec![
            "0 on success; 1 when a subcommand failed; 2 when the kernel refused a netlink request (set, list-id nsid); 255 for usage errors and invalid names.",
            "exec ends with the program's own status (it replaces netns-rs); 1 when the program cannot be run, 255 when the namespace cannot be entered.",
        ],
        examples: vec![
            ("netns-rs add blue", "create a network namespace named blue"),
            ("netns-rs exec blue ip link", "list the links inside blue"),
            ("netns-rs -j list", "the names and their nsids as JSON"),
            ("netns-rs delete blue", "forget blue (it ends when its last process leaves)"),
        ],
        differences: vec![
            "delete never follows a symlink in /run/netns into another tool's namespace mount.",
            "monitor writes each line as the event happens, even into a pipe or a file.",
            "on a terminal, a hint line follows ip's message for a stale placeholder.",
            "add, attach and delete of netns-rs never race each other (one run dir lock); a failed add removes only the file it created.",
            "a FIFO or device in /run/netns never blocks a command.",
            "a delete whose unlink fails puts the namespace back, so the name still works; an add that fails after binding removes what it bound.",
            "a lost stdout write, an unreadable run dir, a lost netlink socket or a failed -all delete gives exit status 1 (ip: 0).",
            "batch lines longer than 2 MiB fail with a message instead of exhausting memory.",
            "-json also works for identify and pids.",
            "-json list and identify add each namespace's ID (NS_GET_ID) as the key ns_id, for nsenter-rs --net=:ID.",
        ],
    }
}
