//! TODO(doc): stand-in [`ToolDoc`]s for tool crates that do not export `doc()` yet.
//!
//! The tool crates are being written in parallel; until each exports
//! `pub fn doc() -> ToolDoc`, xtask renders these minimal descriptions so that install, dist
//! and the packaging test work end to end. Each entry in [`crate::tools::TOOLS`] names the
//! function it uses: replace `placeholder::X` by `X_rs::doc` as soon as the crate has it.
#![allow(dead_code)]

use nscore::cmdline::doc::{OptDoc, ToolDoc, ValueHint};
use nscore::cmdline::getopt::HasArg;

/// Namespace type words (lsns `-t`).
pub const NS_TYPES: &[&str] = &["mnt", "net", "ipc", "user", "pid", "uts", "cgroup", "time"];

fn opt(
    short: Option<char>,
    long: &'static str,
    has_arg: HasArg,
    value_name: Option<&'static str>,
    help: &'static str,
    hint: ValueHint,
) -> OptDoc {
    OptDoc {
        short,
        long: Some(long),
        has_arg,
        value_name,
        help,
        hint,
    }
}

fn common(mut v: Vec<OptDoc>) -> Vec<OptDoc> {
    v.push(opt(
        Some('h'),
        "help",
        HasArg::No,
        None,
        "show this help and exit",
        ValueHint::None,
    ));
    v.push(opt(
        Some('V'),
        "version",
        HasArg::No,
        None,
        "show the version and exit",
        ValueHint::None,
    ));
    v
}

fn base(name: &'static str, original: &'static str, section: u8, summary: &'static str) -> ToolDoc {
    ToolDoc {
        name,
        original,
        section,
        summary,
        synopsis: vec!["[options]"],
        description: vec![summary],
        options: common(vec![]),
        operand_hint: ValueHint::None,
        extra_sections: vec![],
        exit_status: vec!["0 on success, 1 on failure."],
        examples: vec![],
        differences: vec!["See docs/COMPATIBILITY.md."],
    }
}

/// TODO(doc): replace by `unshare_rs::doc`.
pub fn unshare() -> ToolDoc {
    let mut d = base(
        "unshare-rs",
        "unshare",
        1,
        "run a program in new namespaces",
    );
    d.synopsis = vec!["[options] [program [argument...]]"];
    d.options = common(vec![
        opt(
            Some('m'),
            "mount",
            HasArg::Optional,
            Some("<file>"),
            "new mount namespace",
            ValueHint::File,
        ),
        opt(
            Some('n'),
            "net",
            HasArg::Optional,
            Some("<file>"),
            "new network namespace",
            ValueHint::File,
        ),
        opt(
            Some('U'),
            "user",
            HasArg::Optional,
            Some("<file>"),
            "new user namespace",
            ValueHint::File,
        ),
        opt(
            Some('f'),
            "fork",
            HasArg::No,
            None,
            "fork before running the program",
            ValueHint::None,
        ),
        opt(
            Some('r'),
            "map-root-user",
            HasArg::No,
            None,
            "map the current user to root",
            ValueHint::None,
        ),
        opt(
            None,
            "mount-proc",
            HasArg::Optional,
            Some("<dir>"),
            "mount proc at dir",
            ValueHint::Dir,
        ),
        opt(
            Some('S'),
            "setuid",
            HasArg::Required,
            Some("<uid>"),
            "set uid in the new namespace",
            ValueHint::User,
        ),
    ]);
    d.operand_hint = ValueHint::Command;
    d
}

/// TODO(doc): replace by `nsenter_rs::doc`.
pub fn nsenter() -> ToolDoc {
    let mut d = base(
        "nsenter-rs",
        "nsenter",
        1,
        "run a program in other namespaces",
    );
    d.synopsis = vec!["[options] [program [argument...]]"];
    d.options = common(vec![
        opt(
            Some('a'),
            "all",
            HasArg::No,
            None,
            "enter all namespaces",
            ValueHint::None,
        ),
        opt(
            Some('t'),
            "target",
            HasArg::Required,
            Some("<pid>"),
            "target process",
            ValueHint::Pid,
        ),
        opt(
            Some('n'),
            "net",
            HasArg::Optional,
            Some("<file>"),
            "enter the network namespace",
            ValueHint::File,
        ),
    ]);
    d.operand_hint = ValueHint::Command;
    d
}

/// TODO(doc): replace by `lsns_rs::doc`.
pub fn lsns() -> ToolDoc {
    let mut d = base("lsns-rs", "lsns", 8, "list namespaces");
    d.synopsis = vec!["[options] [namespace]"];
    d.options = common(vec![
        opt(
            Some('J'),
            "json",
            HasArg::No,
            None,
            "JSON output",
            ValueHint::None,
        ),
        opt(
            Some('o'),
            "output",
            HasArg::Required,
            Some("<list>"),
            "columns to show",
            ValueHint::WordList(&["NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"]),
        ),
        opt(
            Some('p'),
            "task",
            HasArg::Required,
            Some("<pid>"),
            "namespaces of this process",
            ValueHint::Pid,
        ),
        opt(
            Some('t'),
            "type",
            HasArg::Required,
            Some("<name>"),
            "namespace type",
            ValueHint::Words(NS_TYPES),
        ),
    ]);
    d
}

/// TODO(doc): replace by `netns_rs::doc`.
pub fn netns() -> ToolDoc {
    let mut d = base("netns-rs", "ip netns", 8, "manage named network namespaces");
    d.synopsis = vec!["{ list | add NAME | delete NAME | exec NAME cmd ... }"];
    d.options = vec![opt(
        None,
        "all",
        HasArg::No,
        None,
        "apply to all named namespaces",
        ValueHint::None,
    )];
    d.operand_hint = ValueHint::Words(&[
        "list", "add", "delete", "exec", "identify", "pids", "set", "attach", "monitor", "list-id",
    ]);
    d
}
