//! Which program serves an ip command line: netns-rs for the `netns` object, the real ip for
//! everything else.
//!
//! ip reads its global options word by word until the first word without a leading `-` (or
//! until `--`), matching each by prefix in its own table order; options that take a value
//! (`-netns NAME`, `-family F`, `-loops N`, `-rcvbuf N`) consume the next word. The word after
//! the options is the object, itself matched by prefix (`net` is `netns`, `ne` is `neighbor`).
//! The table and both prefix rules are netns-rs's ([`netns_rs::opts::GLOBAL_OPTS`],
//! [`netns_rs::batch::is_netns_object`]), so the two cannot disagree.
//!
//! `-help`, `-Version` and `-batch` go to the real ip even before a `netns` word (ip acts on
//! them during option parsing: a batch file may hold any object), as does any word ip would
//! reject, so its own message is printed.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use netns_rs::opts::{global_opt, Key};

/// Where a command line goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// netns-rs, with these arguments: argv[0], the global options, `--`, then the words after
    /// the object (the `--` keeps a subcommand word starting with `-` from being read as an
    /// option, as it would not be by ip).
    Netns(Vec<OsString>),
    /// The real ip, with the command line unchanged.
    Ip,
}

/// The key of the global option `word` (with its leading `-`), as netns-rs's parser finds it.
fn global_key(word: &[u8]) -> Option<Key> {
    global_opt(word).map(|o| o.def.key)
}

/// Decide where `args` (argv[0] included) goes.
pub fn route(args: &[OsString]) -> Route {
    // ip invoked under another name (`iplink`) reads its object from that name: not ours.
    let name = args
        .first()
        .map(|a| {
            a.as_bytes()
                .rsplit(|&b| b == b'/')
                .next()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    if name != b"ip" {
        return Route::Ip;
    }
    let mut i = 1;
    let mut options_end = None;
    while let Some(arg) = args.get(i) {
        let arg = arg.as_bytes();
        if arg == b"--" {
            options_end = Some(i);
            i += 1;
            break;
        }
        if arg.first() != Some(&b'-') {
            break;
        }
        let word = if arg.get(1) == Some(&b'-') {
            &arg[1..]
        } else {
            arg
        };
        match global_key(word) {
            None | Some(Key::Help | Key::Version | Key::Batch) => return Route::Ip,
            Some(Key::Loops | Key::Family | Key::Rcvbuf | Key::Netns) => {
                if args.get(i + 1).is_none() {
                    return Route::Ip;
                }
                i += 1;
            }
            Some(Key::Ignored | Key::Color | Key::Force | Key::Json | Key::Pretty | Key::All) => {}
        }
        i += 1;
    }
    let Some(object) = args.get(i) else {
        return Route::Ip;
    };
    if !netns_rs::batch::is_netns_object(object.as_bytes()) {
        return Route::Ip;
    }
    let mut out: Vec<OsString> = args[..options_end.unwrap_or(i)].to_vec();
    out.push(OsStr::new("--").to_os_string());
    out.extend_from_slice(&args[i + 1..]);
    Route::Netns(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(words: &[&str]) -> Route {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        route(&args)
    }

    fn netns(words: &[&str]) -> Route {
        Route::Netns(words.iter().map(OsString::from).collect())
    }

    #[test]
    fn netns_object_after_global_options() {
        assert_eq!(
            r(&["ip", "netns", "add", "x"]),
            netns(&["ip", "--", "add", "x"])
        );
        assert_eq!(r(&["ip", "net", "list"]), netns(&["ip", "--", "list"]));
        assert_eq!(
            r(&["ip", "-all", "netns", "delete"]),
            netns(&["ip", "-all", "--", "delete"])
        );
        assert_eq!(
            r(&["/x/ip", "-j", "-p", "netns"]),
            netns(&["/x/ip", "-j", "-p", "--"])
        );
        assert_eq!(
            r(&["ip", "-n", "blue", "--color=never", "netns", "list-id"]),
            netns(&["ip", "-n", "blue", "--color=never", "--", "list-id"])
        );
        assert_eq!(
            r(&["ip", "-4", "-f", "inet", "--", "netns", "-all"]),
            netns(&["ip", "-4", "-f", "inet", "--", "-all"])
        );
        // `-n --` names a namespace "--": the options go on.
        assert_eq!(
            r(&["ip", "-n", "--", "netns", "list"]),
            netns(&["ip", "-n", "--", "--", "list"])
        );
    }

    #[test]
    fn everything_else_is_the_real_ips() {
        for words in [
            &["ip"][..],
            &["ip", "link"],
            &["ip", "-n", "x", "link"],
            &["ip", "ne"],
            &["ip", "n", "show"],
            &["ip", "netnsx"],
            &["ip", "-b", "file"],
            &["ip", "-batch", "-", "netns", "list"],
            &["ip", "-V", "netns"],
            &["ip", "-help", "netns"],
            &["ip", "-Ver"],
            &["ip", "-x", "netns", "list"],
            &["ip", "-n"],
            &["ip", "-color=sometimes", "netns"],
            &["ip", "-all"],
            &["iplink", "netns", "list"],
        ] {
            assert_eq!(r(words), Route::Ip, "{words:?}");
        }
    }
}
