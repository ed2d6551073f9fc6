//! # nsenter-rs: a drop-in replacement for util-linux `nsenter` (2.42.4)
//!
//! Runs a program inside namespaces of another process (or namespace files). Data flows one
//! way: [`cli`] parses argv (opening the files named on it) into options, [`act`] pins the
//! target by its pidfd and does util-linux's steps in util-linux's order, [`plan`] decides the
//! `setns` calls of the two entering passes, and [`parse`] holds the value parsers.

pub mod act;
pub mod cli;
pub mod parse;
pub mod plan;

use std::ffi::OsString;

use nscore::cmdline::doc::{opt_docs, ToolDoc, ValueHint};

/// Run nsenter with `args` (including argv[0]); returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(cli::Stop::Exit(code)) => return code,
    };
    match act::run(opts) {
        Ok(code) => code,
        Err(act::Fatal(msg, cause)) => {
            nscore::cmdline::warn(msg);
            if let Some(cause) = cause {
                nscore::hint::show(cause, "");
            }
            1
        }
    }
}

/// The documentation for the man page and completions.
pub fn doc() -> ToolDoc {
    use cli::Key;
    ToolDoc {
        name: "nsenter-rs",
        original: "nsenter",
        section: 1,
        summary: "run a program inside the namespaces of another process",
        synopsis: vec!["[options] [program [argument...]]"],
        description: vec![
            "Joins namespaces of the process given with --target (or namespaces named by files, \
             such as /proc/PID/ns/net or a bind mount of one) and runs program there, or the \
             login shell when no program is given.",
            "The target is pinned with a pidfd before anything is read from /proc, so a target \
             that exits and whose PID is reused is never entered by mistake. Namespaces are \
             entered in two passes: everything but the user namespace first, then what is left.",
            "A namespace option may name a namespace by its 64-bit ID instead of a file \
             (--net=:ID, Linux 6.18 and later). Where the kernel cannot open a namespace by ID \
             alone (6.18), nsenter-rs finds it among the namespaces of processes, their open \
             namespace descriptors and namespace bind mounts, and enters it only if its ID is \
             the one asked for.",
            "On a terminal, some errors are followed by a line starting with 'hint:' that names \
             the likely cause (a target that has exited, a user namespace that refuses us, a \
             PID namespace without init). Without a terminal the output is util-linux's.",
            "Entering a PID namespace affects only children, so nsenter-rs forks (unless \
             --no-fork) and waits for the child, passing on its exit status or signal.",
        ],
        options: opt_docs(&cli::help_table(), cli::OPTIONS, |k| match k {
            Key::Target => ValueHint::Pid,
            Key::Ns(_) => ValueHint::File,
            Key::Root | Key::Wd | Key::Wdns => ValueHint::Dir,
            Key::SetUid => ValueHint::User,
            Key::SetGid => ValueHint::Group,
            _ => ValueHint::None,
        }),
        operand_hint: ValueHint::Command,
        extra_sections: vec![],
        exit_status: vec![
            "The program's exit status; 128 + N or death by signal N when it was killed. \
             1 when nsenter-rs itself fails, 126 when the program cannot be run, 127 when it \
             is not found.",
        ],
        examples: vec![
            (
                "nsenter-rs -t 1234 -a",
                "a shell in every namespace of process 1234",
            ),
            (
                "nsenter-rs -t 1234 -n ip addr",
                "the network of process 1234",
            ),
            (
                "nsenter-rs --net=/run/netns/blue ping 10.0.0.1",
                "a named network namespace",
            ),
        ],
        differences: vec!["See docs/COMPATIBILITY.md, section nsenter-rs."],
    }
}
