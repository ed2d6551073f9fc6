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
        doc: unshare_rs::doc,
    },
    Tool {
        bin: "nsenter-rs",
        package: "nsenter-rs",
        drop_in: Some("nsenter"),
        original: "/usr/bin/nsenter",
        doc: nsenter_rs::doc,
    },
    Tool {
        bin: "lsns-rs",
        package: "lsns-rs",
        drop_in: Some("lsns"),
        original: "/usr/bin/lsns",
        doc: lsns_rs::doc,
    },
    Tool {
        bin: "netns-rs",
        package: "netns-rs",
        // `ip netns` is a sub-command of ip: there is no program to replace by a link.
        drop_in: None,
        original: "/usr/sbin/ip",
        doc: netns_rs::doc,
    },
];

/// The `ip` of the drop-in directory (crates/ip-shim): `ip ... netns ...` runs netns-rs,
/// anything else the real ip.
pub const IP_SHIM: &str = "ip-shim";

/// Every binary built for an install: the four tools and [`IP_SHIM`].
pub fn binaries() -> Vec<&'static str> {
    TOOLS.iter().map(|t| t.bin).chain([IP_SHIM]).collect()
}

/// The cargo `-p` arguments that build all four binaries and the drop-in `ip`.
pub fn package_args() -> Vec<String> {
    TOOLS
        .iter()
        .map(|t| t.package)
        .chain([IP_SHIM])
        .flat_map(|p| ["-p".to_string(), p.to_string()])
        .collect()
}

/// True for tools whose long options are ip-style single-dash words (`-all`, `-json`).
pub fn ip_style(doc: &ToolDoc) -> bool {
    doc.original.starts_with("ip")
}

/// The sub-commands of an ip-style tool, in ip's matching order (spec ip-netns.md 1.2); its
/// [`ToolDoc::operand_hint`] is the kind of the operand that follows one of
/// [`NETNS_NAME_SUBCOMMANDS`].
pub const NETNS_SUBCOMMANDS: &[&str] = &[
    "list", "list-id", "help", "add", "set", "delete", "identify", "pids", "exec", "monitor",
    "attach",
];

/// The words of an ip-style tool's sub-commands whose next operand names a netns.
pub const NETNS_NAME_SUBCOMMANDS: &[&str] = &[
    "add", "attach", "delete", "del", "exec", "pids", "set", "identify",
];

/// The packages whose binaries are shipped (the four tools and the drop-in ip), for the crate
/// list of the copyright file.
pub fn shipped_packages() -> Vec<&'static str> {
    TOOLS.iter().map(|t| t.package).chain([IP_SHIM]).collect()
}
