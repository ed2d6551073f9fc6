//! The command line: ip's global options read word by word, as ip reads them, against the
//! table in [`crate::opts`].
//!
//! Not getopt: ip reads its own options until the first word without a leading `-`, matches
//! each by prefix in table order, takes `--x` as `-x`, and stops at `--`. Usage errors, `-help`
//! and `-Version` end the process here, as they do in ip.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use crate::opts::{global_opt, Key};
use crate::output::{die, say};

/// The global settings after option parsing.
#[derive(Debug, Default)]
pub struct Globals {
    /// `-all`.
    pub all: bool,
    /// `-json`.
    pub json: bool,
    /// `-pretty`.
    pub pretty: bool,
    /// `-force`.
    pub force: bool,
    /// `-batch FILE`.
    pub batch: Option<OsString>,
}

/// `-netns NAME` is acted on while parsing, as ip does; this is how.
pub type SwitchFn<'a> = &'a mut dyn FnMut(&OsStr);

/// ip 7.x on an option whose value is missing (`ip -b`): `Error: argument "WHAT" is required`,
/// exit 255, where WHAT is ip's own word for the value.
fn missing_value(key: Key) -> ! {
    let what: &[u8] = match key {
        Key::Loops => b"loop count",
        Key::Family => b"family type",
        Key::Rcvbuf => b"rcvbuf size",
        _ => b"batch file",
    };
    say(&[b"Error: argument \"", what, b"\" is required"]);
    die(255)
}

/// Parse ip's global options from `args` (after `argv[0]`); returns the settings and the index of
/// the first word that belongs to the subcommand. Usage errors, `-help` and `-Version` end the
/// process here, as they do in ip; `-netns NAME` calls `switch` at once.
pub fn parse_globals(args: &[OsString], switch: SwitchFn<'_>) -> (Globals, usize) {
    let mut g = Globals::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_bytes();
        if arg == b"--" {
            i += 1;
            break;
        }
        if arg.first() != Some(&b'-') {
            break;
        }
        if arg == b"--version" {
            // A standalone program answers --version (ip has no such option: it would say
            // `Option "-version" is unknown`); ip's own -V and -Version work as before.
            nscore::cmdline::print_version();
            die(0);
        }
        let word = if arg.get(1) == Some(&b'-') {
            &arg[1..]
        } else {
            arg
        };
        let found = global_opt(word);
        let Some(o) = found else {
            say(&[b"Option \"", word, b"\" is unknown, try \"ip -help\"."]);
            die(255);
        };
        let key = o.def.key;
        let mut value = || -> &OsString {
            i += 1;
            match args.get(i) {
                Some(v) => v,
                None => missing_value(key),
            }
        };
        match o.def.key {
            Key::Loops => {
                value();
            }
            Key::Family => {
                let v = value().as_bytes();
                match v {
                    b"inet" | b"inet6" | b"link" | b"mpls" | b"bridge" | b"dnet" | b"ipx" => {}
                    b"help" => crate::help::print_usage_and_die(),
                    _ => {
                        say(&[
                            b"Error: argument \"",
                            v,
                            b"\" is wrong: invalid protocol family",
                        ]);
                        die(255);
                    }
                }
            }
            Key::Rcvbuf => {
                let v = value().as_bytes();
                if crate::parse::strtol_exact(v).is_none_or(|n| n < 0 || n > u32::MAX as i64) {
                    say(&[b"Invalid rcvbuf size '", v, b"'"]);
                    die(255);
                }
            }
            Key::Ignored | Key::Color => {}
            Key::Version => {
                crate::output::print_version();
                die(0);
            }
            Key::Force => g.force = true,
            Key::Batch => g.batch = Some(value().clone()),
            Key::Json => g.json = true,
            Key::Pretty => g.pretty = true,
            Key::Help => crate::help::print_usage_and_die(),
            Key::Netns => {
                // A bare `-netns` makes ip read past argv's end: it formats the NULL as "(null)".
                i += 1;
                let name = args
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| OsString::from("(null)"));
                switch(&name);
            }
            Key::All => g.all = true,
        }
        i += 1;
    }
    (g, i.min(args.len()))
}
