//! The four tools as xtask sees them: binary name, the original's name, the drop-in name (if
//! any), and their documentation ([`ToolDoc`], from each tool crate's `doc()`), which man pages
//! and completions are rendered from.

use nscore::cmdline::doc::ToolDoc;

/// One of our binaries.
#[derive(Clone, Copy, Debug)]
pub struct Tool {
    /// Our binary's name (`unshare-rs`).
    pub bin: &'static str,
    /// Its cargo package.
    pub package: &'static str,
    /// The name `--drop-in` installs it under, when it replaces a whole program.
    pub drop_in: Option<&'static str>,
    /// Where the original lives, for `cargo xtask bench`.
    pub original: &'static str,
    /// The tool's documentation.
    pub doc: fn() -> ToolDoc,
}

/// The four tools, in the order they are documented and installed.
pub const TOOLS: [Tool; 4] = [
    Tool {
        bin: "unshare-rs",
        package: "unshare-rs",
        drop_in: Some("unshare"),
        original: "/usr/bin/unshare",
        // TODO(doc): `unshare_rs::doc` once the crate exports it.
        doc: crate::placeholder::unshare,
    },
    Tool {
        bin: "nsenter-rs",
        package: "nsenter-rs",
        drop_in: Some("nsenter"),
        original: "/usr/bin/nsenter",
        // TODO(doc): `nsenter_rs::doc` once the crate exports it.
        doc: crate::placeholder::nsenter,
    },
    Tool {
        bin: "lsns-rs",
        package: "lsns-rs",
        drop_in: Some("lsns"),
        original: "/usr/bin/lsns",
        // TODO(doc): `lsns_rs::doc` once the crate exports it.
        doc: crate::placeholder::lsns,
    },
    Tool {
        bin: "netns-rs",
        package: "netns-rs",
        // `ip netns` is a sub-command of ip: there is no program to replace by a link.
        drop_in: None,
        original: "/usr/sbin/ip",
        // TODO(doc): `netns_rs::doc` once the crate exports it.
        doc: crate::placeholder::netns,
    },
];

/// The cargo `-p` arguments that build all four binaries.
pub fn package_args() -> Vec<String> {
    TOOLS
        .iter()
        .flat_map(|t| ["-p".to_string(), t.package.to_string()])
        .collect()
}

/// True for tools whose long options are ip-style single-dash words (`-all`, `-json`).
pub fn ip_style(doc: &ToolDoc) -> bool {
    doc.original.starts_with("ip")
}

/// The words of an ip-style tool's sub-commands whose next operand names a netns.
pub const NETNS_NAME_SUBCOMMANDS: &[&str] = &[
    "add", "attach", "delete", "del", "exec", "pids", "set", "identify",
];
