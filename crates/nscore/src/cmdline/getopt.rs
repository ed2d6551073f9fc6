//! A table-driven clone of glibc's `getopt_long`.
//!
//! util-linux's `unshare`, `nsenter` and `lsns` parse their command lines with glibc
//! `getopt_long`, so scripts depend on its quirks: short options in clusters (`-mUf`), optional
//! arguments only when attached (`-Tval`, `--mount=file`), required arguments taken from the next
//! word whatever it looks like (`-t --`), unambiguous prefixes of long options (`--fo`), the `+`
//! stop-at-first-operand mode, GNU permutation of operands and options, and glibc's own error
//! messages. A drop-in replacement must reproduce all of that to the byte, which no argument
//! parsing crate does, hence this module. It is written from the observed behaviour of glibc 2.36
//! (checked against `getopt(1)` and a small C program calling `getopt_long`), not from its source;
//! `tests/getopt_glibc.rs` compares it with the oracle's getopt(1) on a few hundred vectors.
//!
//! One [`OptDef`] table per tool drives parsing ([`Getopt`]), `--help` ([`super::help`]), the man
//! pages and the shell completions, so the four can never disagree.
//!
//! Arguments are handled as bytes ([`OsString`] throughout): non-UTF-8 words parse exactly as
//! glibc parses them, and error messages keep their bytes ([`GetoptError::to_bytes`]).
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::getopt::{Getopt, HasArg, OptDef, Ordering};
//! use std::ffi::OsString;
//!
//! #[derive(Clone, Copy, Debug, PartialEq)]
//! enum Opt {
//!     Net,
//!     Target,
//! }
//! const OPTS: &[OptDef<Opt>] = &[
//!     OptDef::new(Opt::Net, Some('n'), Some("net"), HasArg::Optional, Some("[=<file>]"),
//!         "enter the network namespace", 0),
//!     OptDef::new(Opt::Target, Some('t'), Some("target"), HasArg::Required, Some("<pid>"),
//!         "target process", 0),
//! ];
//!
//! // `nsenter -t 42 --net ip a`: `+` mode stops at the first operand.
//! let args: Vec<OsString> = ["-t", "42", "--net", "ip", "a"].iter().map(OsString::from).collect();
//! let mut parser = Getopt::new(&args, OPTS, Ordering::RequireOrder);
//! let opts: Vec<_> = parser.by_ref().collect::<Result<_, _>>().unwrap();
//! assert_eq!(opts, [(Opt::Target, Some(OsString::from("42"))), (Opt::Net, None)]);
//! assert_eq!(parser.operands(), ["ip", "a"]);
//!
//! // Errors are glibc's words.
//! let bad = [OsString::from("--bogus")];
//! let err = Getopt::new(&bad, OPTS, Ordering::RequireOrder).next().unwrap().unwrap_err();
//! assert_eq!(err.to_string(), "unrecognized option '--bogus'");
//! ```

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::OsStrExt;

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    /// No argument (`no_argument`; a bare letter in an optstring).
    No,
    /// A required argument (`required_argument`; `x:`): attached (`-xVAL`, `--long=VAL`) or the
    /// next word, whatever it looks like (`-x VAL`, `--long VAL`, even `-x --`).
    Required,
    /// An optional argument (`optional_argument`; `x::`): only when attached (`-xVAL`,
    /// `--long=VAL`). `-x VAL` means no argument followed by the word `VAL`.
    Optional,
}

/// One option of a tool's table. The same table drives parsing, `--help`, man pages and
/// completions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptDef<K: 'static> {
    /// The tool's own value identifying the option (usually an enum). Several entries may share
    /// a key, e.g. a deprecated alias, or a short and a long form that differ in [`HasArg`].
    pub key: K,
    /// The short option letter, if any. Only ASCII letters can match (glibc compares bytes).
    /// A letter matches the FIRST entry that has it, so when the short and long forms differ in
    /// [`HasArg`] (unshare's `-m` takes no argument, its `--mount` an optional one), put a
    /// hidden short-only entry first and let the visible entry show both names in `--help`.
    pub short: Option<char>,
    /// The long option name without the leading `--`, if any.
    pub long: Option<&'static str>,
    /// Whether the option takes an argument.
    pub has_arg: HasArg,
    /// The argument's name for `--help`, e.g. `"<file>"`; see [`super::help`] for how a leading
    /// `=` or space is rendered.
    pub value_name: Option<&'static str>,
    /// The description for `--help`: one line, or lines separated by `'\n'` (continuation lines
    /// are indented at the description column). `""` hides the option from `--help`.
    pub help: &'static str,
    /// The `--help` group: a blank line is printed when the group number changes.
    pub group: u8,
}

impl<K> OptDef<K> {
    /// A table entry, field by field in declaration order; `const` so option tables can be
    /// `const` slices.
    pub const fn new(
        key: K,
        short: Option<char>,
        long: Option<&'static str>,
        has_arg: HasArg,
        value_name: Option<&'static str>,
        help: &'static str,
        group: u8,
    ) -> Self {
        OptDef {
            key,
            short,
            long,
            has_arg,
            value_name,
            help,
            group,
        }
    }
}

/// How operands (non-option words) and options may be mixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// Stop at the first operand; it and everything after it are operands, verbatim (an
    /// optstring starting with `+`, or any optstring when `POSIXLY_CORRECT` is set).
    RequireOrder,
    /// GNU's default: operands may appear anywhere, options after them are still parsed, and
    /// the operands are collected in order.
    Permute,
}

impl Ordering {
    /// The ordering glibc uses for an optstring without a leading `+` or `-`: [`Self::Permute`],
    /// or [`Self::RequireOrder`] when the environment variable `POSIXLY_CORRECT` is set (to
    /// anything, even empty).
    pub fn gnu_default() -> Self {
        if std::env::var_os("POSIXLY_CORRECT").is_some() {
            Ordering::RequireOrder
        } else {
            Ordering::Permute
        }
    }
}

/// A parse error. `Display` and [`Self::to_bytes`] give glibc's message without the
/// `argv0: ` prefix; [`Self::line`] gives the whole line glibc prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GetoptError {
    /// `invalid option -- 'x'`: a byte of a short option cluster that is no option letter.
    /// glibc looks at single bytes, so a multi-byte character gives one error per byte.
    InvalidOption(u8),
    /// `option requires an argument -- 'x'`: a short option with a required argument ended the
    /// command line.
    ShortMissingArgument(u8),
    /// `unrecognized option '--bogus=1'`: the whole word as typed, including `--` and any
    /// `=value`.
    UnrecognizedOption(OsString),
    /// `option '--fo' is ambiguous; possibilities: '--fork' '--forward-signals'`: the whole word
    /// as typed (including `--` and any `=value`), and the long names (without `--`) of the
    /// candidates in table order.
    AmbiguousOption {
        /// The word as typed, including `--` and any `=value`.
        word: OsString,
        /// The candidates' long names without `--`, in table order.
        possibilities: Vec<&'static str>,
    },
    /// `option '--fork' doesn't allow an argument`: the full long name (even when a prefix was
    /// typed), without `--`.
    ArgumentNotAllowed(&'static str),
    /// `option '--target' requires an argument`: the full long name (even when a prefix was
    /// typed), without `--`.
    LongMissingArgument(&'static str),
}

impl GetoptError {
    /// glibc's message, byte for byte, without the `argv0: ` prefix and the newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        match self {
            GetoptError::InvalidOption(c) => {
                v.extend_from_slice(b"invalid option -- '");
                v.push(*c);
                v.push(b'\'');
            }
            GetoptError::ShortMissingArgument(c) => {
                v.extend_from_slice(b"option requires an argument -- '");
                v.push(*c);
                v.push(b'\'');
            }
            GetoptError::UnrecognizedOption(word) => {
                v.extend_from_slice(b"unrecognized option '");
                v.extend_from_slice(word.as_bytes());
                v.push(b'\'');
            }
            GetoptError::AmbiguousOption {
                word,
                possibilities,
            } => {
                v.extend_from_slice(b"option '");
                v.extend_from_slice(word.as_bytes());
                v.extend_from_slice(b"' is ambiguous; possibilities:");
                for p in possibilities {
                    v.extend_from_slice(b" '--");
                    v.extend_from_slice(p.as_bytes());
                    v.push(b'\'');
                }
            }
            GetoptError::ArgumentNotAllowed(name) => {
                v.extend_from_slice(b"option '--");
                v.extend_from_slice(name.as_bytes());
                v.extend_from_slice(b"' doesn't allow an argument");
            }
            GetoptError::LongMissingArgument(name) => {
                v.extend_from_slice(b"option '--");
                v.extend_from_slice(name.as_bytes());
                v.extend_from_slice(b"' requires an argument");
            }
        }
        v
    }

    /// The whole line glibc prints on stderr: `argv0: MESSAGE\n`, byte for byte.
    pub fn line(&self, argv0: &OsStr) -> Vec<u8> {
        let mut v = argv0.as_bytes().to_vec();
        v.extend_from_slice(b": ");
        v.extend_from_slice(&self.to_bytes());
        v.push(b'\n');
        v
    }
}

impl fmt::Display for GetoptError {
    /// glibc's message without the `argv0: ` prefix; bytes that are not UTF-8 are shown as
    /// U+FFFD (use [`GetoptError::to_bytes`] for the exact bytes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl std::error::Error for GetoptError {}

/// The parser: an iterator over the options of a command line, in the order glibc's
/// `getopt_long` returns them, each with its argument, or an error. After an error it goes on
/// with the next option, as glibc does (util-linux tools stop at the first one).
///
/// When it has ended, [`Getopt::operands`] gives the non-option words.
#[derive(Debug)]
pub struct Getopt<'a, K: 'static> {
    args: &'a [OsString],
    opts: &'a [OptDef<K>],
    ordering: Ordering,
    /// The next word to look at; while inside a short option cluster, the cluster's word.
    pos: usize,
    /// Inside a short option cluster: the byte offset of its next option letter in `args[pos]`.
    cluster: Option<usize>,
    /// Operands collected so far (Permute, and the words after `--`).
    operands: Vec<OsString>,
    done: bool,
}

impl<'a, K: 'static> Getopt<'a, K> {
    /// A parser for `args` (the command line WITHOUT `argv[0]`) using the table `opts`.
    pub fn new(args: &'a [OsString], opts: &'a [OptDef<K>], ordering: Ordering) -> Self {
        Getopt {
            args,
            opts,
            ordering,
            pos: 0,
            cluster: None,
            operands: Vec::new(),
            done: false,
        }
    }

    /// The operands, in order. After iteration ended: every non-option word (in
    /// [`Ordering::RequireOrder`], everything from the first operand on, verbatim, including
    /// later `--` and `-x`-looking words; the `--` that ends options is not an operand). If
    /// iteration was stopped early: the operands seen so far followed by every word not yet
    /// consumed, verbatim (including a partly parsed short option cluster, as glibc's `optind`).
    pub fn operands(self) -> Vec<OsString> {
        let mut v = self.operands;
        v.extend(self.args[self.pos.min(self.args.len())..].iter().cloned());
        v
    }
}

/// Whether `a` and `b` are the "same" option for glibc's ambiguity check (same `has_arg`,
/// `flag` and `val`): here, the same key and the same [`HasArg`].
fn same_def<K: PartialEq>(a: &OptDef<K>, b: &OptDef<K>) -> bool {
    a.key == b.key && a.has_arg == b.has_arg
}

impl<K: Copy + PartialEq + 'static> Getopt<'_, K> {
    /// Parse the next letter of the current short option cluster, at byte offset `off`.
    fn short(&mut self, off: usize) -> Result<(K, Option<OsString>), GetoptError> {
        let word = self.args[self.pos].as_bytes();
        let c = word[off];
        let rest = &word[off + 1..];
        if rest.is_empty() {
            self.cluster = None;
            self.pos += 1;
        } else {
            self.cluster = Some(off + 1);
        }
        let def = if c == b':' || c == b';' {
            None
        } else {
            self.opts.iter().find(|d| {
                d.short
                    .is_some_and(|s| s.is_ascii() && s as u32 == u32::from(c))
            })
        };
        let Some(def) = def else {
            return Err(GetoptError::InvalidOption(c));
        };
        match def.has_arg {
            HasArg::No => Ok((def.key, None)),
            HasArg::Optional => {
                if rest.is_empty() {
                    Ok((def.key, None))
                } else {
                    self.cluster = None;
                    self.pos += 1;
                    Ok((def.key, Some(OsStr::from_bytes(rest).to_os_string())))
                }
            }
            HasArg::Required => {
                if !rest.is_empty() {
                    self.cluster = None;
                    self.pos += 1;
                    Ok((def.key, Some(OsStr::from_bytes(rest).to_os_string())))
                } else if let Some(next) = self.args.get(self.pos) {
                    self.pos += 1;
                    Ok((def.key, Some(next.clone())))
                } else {
                    Err(GetoptError::ShortMissingArgument(c))
                }
            }
        }
    }

    /// Parse the long option word `args[pos]` (which starts with `--` and is not `--`).
    fn long(&mut self) -> Result<(K, Option<OsString>), GetoptError> {
        let word = self.args[self.pos].as_bytes();
        self.pos += 1;
        let body = &word[2..];
        let (name, value) = match body.iter().position(|&b| b == b'=') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let exact = self
            .opts
            .iter()
            .find(|d| d.long.is_some_and(|l| l.as_bytes() == name));
        let def = match exact {
            Some(d) => d,
            None => {
                let mut candidates = self
                    .opts
                    .iter()
                    .filter(|d| d.long.is_some_and(|l| l.as_bytes().starts_with(name)));
                let Some(first) = candidates.next() else {
                    return Err(GetoptError::UnrecognizedOption(
                        OsStr::from_bytes(word).to_os_string(),
                    ));
                };
                // glibc compares every later candidate with the first one only, so a candidate
                // equal to the first is not listed even when another one differs.
                let others: Vec<&'static str> = candidates
                    .filter(|d| !same_def(first, d))
                    .filter_map(|d| d.long)
                    .collect();
                if !others.is_empty() {
                    let mut possibilities = Vec::with_capacity(others.len() + 1);
                    possibilities.extend(first.long);
                    possibilities.extend(others);
                    return Err(GetoptError::AmbiguousOption {
                        word: OsStr::from_bytes(word).to_os_string(),
                        possibilities,
                    });
                }
                first
            }
        };
        let long = def.long.unwrap_or_default();
        match (value, def.has_arg) {
            (Some(_), HasArg::No) => Err(GetoptError::ArgumentNotAllowed(long)),
            (Some(v), _) => Ok((def.key, Some(OsStr::from_bytes(v).to_os_string()))),
            (None, HasArg::Required) => match self.args.get(self.pos) {
                Some(next) => {
                    self.pos += 1;
                    Ok((def.key, Some(next.clone())))
                }
                None => Err(GetoptError::LongMissingArgument(long)),
            },
            (None, _) => Ok((def.key, None)),
        }
    }
}

impl<K: Copy + PartialEq + 'static> Iterator for Getopt<'_, K> {
    /// An option's key and its argument (`None` when absent; `Some("")` for `--opt=`), or the
    /// error glibc would print.
    type Item = Result<(K, Option<OsString>), GetoptError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(off) = self.cluster {
                return Some(self.short(off));
            }
            if self.done {
                return None;
            }
            let Some(word) = self.args.get(self.pos) else {
                self.done = true;
                return None;
            };
            let bytes = word.as_bytes();
            if bytes == b"--" {
                self.pos += 1;
                self.operands.extend(self.args[self.pos..].iter().cloned());
                self.pos = self.args.len();
                self.done = true;
                return None;
            }
            if bytes.len() < 2 || bytes[0] != b'-' {
                match self.ordering {
                    Ordering::RequireOrder => {
                        self.done = true;
                        return None;
                    }
                    Ordering::Permute => {
                        self.operands.push(word.clone());
                        self.pos += 1;
                        continue;
                    }
                }
            }
            if bytes[1] == b'-' {
                return Some(self.long());
            }
            self.cluster = Some(1);
        }
    }
}

impl<K: Copy + PartialEq + 'static> std::iter::FusedIterator for Getopt<'_, K> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum T {
        Mount,
        MountProc,
        Fork,
        Forward,
        Target,
        Tee,
        Time,
        Alias,
    }

    const fn d(
        key: T,
        short: Option<char>,
        long: Option<&'static str>,
        has_arg: HasArg,
    ) -> OptDef<T> {
        OptDef::new(key, short, long, has_arg, None, "", 0)
    }

    /// Equivalent to `-o 'mf:T::' -l 'mount::,mount-proc::,fork,forward-signals,target:,t:'`.
    /// As unshare: `-m` takes no argument but `--mount` an optional one, so a hidden short-only
    /// entry comes first (shorts match the first entry with their letter).
    static TABLE: &[OptDef<T>] = &[
        d(T::Mount, Some('m'), None, HasArg::No),
        d(T::Mount, Some('m'), Some("mount"), HasArg::Optional),
        d(T::MountProc, None, Some("mount-proc"), HasArg::Optional),
        d(T::Fork, Some('f'), Some("fork"), HasArg::No),
        d(T::Forward, None, Some("forward-signals"), HasArg::No),
        d(T::Target, Some('t'), Some("target"), HasArg::Required),
        d(T::Tee, None, Some("t"), HasArg::Required),
        d(T::Time, Some('T'), None, HasArg::Optional),
    ];

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    type Parsed<K> = (
        Vec<Result<(K, Option<OsString>), GetoptError>>,
        Vec<OsString>,
    );

    fn parse<K: Copy + PartialEq>(args: &[OsString], t: &[OptDef<K>], o: Ordering) -> Parsed<K> {
        let mut g = Getopt::new(args, t, o);
        let items: Vec<_> = g.by_ref().collect();
        (items, g.operands())
    }

    fn ok(k: T, a: Option<&str>) -> Result<(T, Option<OsString>), GetoptError> {
        Ok((k, a.map(OsString::from)))
    }

    fn msg(e: &Result<(T, Option<OsString>), GetoptError>) -> String {
        e.as_ref().unwrap_err().to_string()
    }

    // ---- Unit tests with expectations observed from glibc 2.36 (getopt(1) and a C harness
    // calling getopt_long, which tells a NULL optarg from an empty one). ----

    #[test]
    fn clusters_and_attached_arguments() {
        let (items, rest) = parse(
            &os(&["-mfT", "-tX", "-t", "Y", "-Tval", "-T", "val"]),
            TABLE,
            Ordering::RequireOrder,
        );
        assert_eq!(
            items,
            vec![
                ok(T::Mount, None),
                ok(T::Fork, None),
                ok(T::Time, None),
                ok(T::Target, Some("X")),
                ok(T::Target, Some("Y")),
                ok(T::Time, Some("val")),
                ok(T::Time, None),
            ]
        );
        assert_eq!(rest, os(&["val"]));
    }

    #[test]
    fn optional_empty_vs_absent() {
        // glibc: `--mount=` gives optarg "" (not NULL); `--mount` and `-m` give NULL.
        let (items, _) = parse(
            &os(&["--mount=", "--mount", "-m", "--mount=x", "--target="]),
            TABLE,
            Ordering::Permute,
        );
        assert_eq!(
            items,
            vec![
                ok(T::Mount, Some("")),
                ok(T::Mount, None),
                ok(T::Mount, None),
                ok(T::Mount, Some("x")),
                ok(T::Target, Some("")),
            ]
        );
    }

    #[test]
    fn required_argument_takes_any_next_word() {
        let (items, rest) = parse(
            &os(&["-t", "--", "--target", "-m", "-t", "", "x"]),
            TABLE,
            Ordering::Permute,
        );
        assert_eq!(
            items,
            vec![
                ok(T::Target, Some("--")),
                ok(T::Target, Some("-m")),
                ok(T::Target, Some(""))
            ]
        );
        assert_eq!(rest, os(&["x"]));
    }

    #[test]
    fn error_messages() {
        let cases: &[(&[&str], &str)] = &[
            (&["--fo"], "option '--fo' is ambiguous; possibilities: '--fork' '--forward-signals'"),
            (&["--fork=x"], "option '--fork' doesn't allow an argument"),
            (&["--forw=1"], "option '--forward-signals' doesn't allow an argument"),
            (&["--bogus"], "unrecognized option '--bogus'"),
            (&["--bogus=1"], "unrecognized option '--bogus=1'"),
            (&["-x"], "invalid option -- 'x'"),
            (&["-t"], "option requires an argument -- 't'"),
            (&["--target"], "option '--target' requires an argument"),
            (&["--tar"], "option '--target' requires an argument"),
            (&["--mou"], "option '--mou' is ambiguous; possibilities: '--mount' '--mount-proc'"),
            (&["---x"], "unrecognized option '---x'"),
            (&["-="], "invalid option -- '='"),
            (&["-:"], "invalid option -- ':'"),
            (&["-+"], "invalid option -- '+'"),
            (&["--=x"], "option '--=x' is ambiguous; possibilities: '--mount' '--mount-proc' '--fork' '--forward-signals' '--target' '--t'"),
        ];
        for (args, want) in cases {
            let (items, _) = parse(&os(args), TABLE, Ordering::Permute);
            assert_eq!(items.len(), 1, "{args:?}");
            assert_eq!(msg(&items[0]), *want, "{args:?}");
        }
    }

    #[test]
    fn equals_in_short_cluster() {
        // `-m=foo`: `=` is an invalid option, then `f`, which takes no argument, then `o`, `o`.
        let (items, _) = parse(&os(&["-m=foo"]), TABLE, Ordering::Permute);
        assert_eq!(items[0], ok(T::Mount, None));
        assert_eq!(msg(&items[1]), "invalid option -- '='");
        assert_eq!(items[2], ok(T::Fork, None));
        assert_eq!(msg(&items[3]), "invalid option -- 'o'");
        assert_eq!(items.len(), 5);
        // `-T=foo`: the optional argument is `=foo`.
        let (items, _) = parse(&os(&["-T=foo"]), TABLE, Ordering::Permute);
        assert_eq!(items, vec![ok(T::Time, Some("=foo"))]);
    }

    #[test]
    fn exact_match_beats_prefix() {
        let (items, _) = parse(
            &os(&["--mount", "--t", "1", "--mount-", "--mount-proc=/p"]),
            TABLE,
            Ordering::Permute,
        );
        assert_eq!(
            items,
            vec![
                ok(T::Mount, None),
                ok(T::Tee, Some("1")),
                ok(T::MountProc, None),
                ok(T::MountProc, Some("/p")),
            ]
        );
    }

    #[test]
    fn same_definition_is_not_ambiguous() {
        // glibc: candidates with the same has_arg/flag/val are one option; it takes the first.
        // Observed with getopt_long: {verbose,version} same -> first; {abc1=x,abc2=x,abc3=y}
        // -> "'--abc1' '--abc3'"; {abc1=x,abc2=y,abc3=x,abc4=x with arg} -> abc1 abc2 abc4.
        let t = [
            d(T::Fork, None, Some("verbose"), HasArg::No),
            d(T::Fork, None, Some("version"), HasArg::No),
        ];
        let (items, _) = parse(&os(&["--ver"]), &t, Ordering::Permute);
        assert_eq!(items, vec![ok(T::Fork, None)]);

        let t = [
            d(T::Fork, None, Some("abc1"), HasArg::No),
            d(T::Fork, None, Some("abc2"), HasArg::No),
            d(T::Alias, None, Some("abc3"), HasArg::No),
        ];
        let (items, _) = parse(&os(&["--abc"]), &t, Ordering::Permute);
        assert_eq!(
            msg(&items[0]),
            "option '--abc' is ambiguous; possibilities: '--abc1' '--abc3'"
        );

        let t = [
            d(T::Fork, None, Some("abc1"), HasArg::No),
            d(T::Alias, None, Some("abc2"), HasArg::No),
            d(T::Fork, None, Some("abc3"), HasArg::No),
            d(T::Fork, None, Some("abc4"), HasArg::Required),
        ];
        let (items, _) = parse(&os(&["--abc"]), &t, Ordering::Permute);
        assert_eq!(
            msg(&items[0]),
            "option '--abc' is ambiguous; possibilities: '--abc1' '--abc2' '--abc4'"
        );

        // With a single long option, `--=zz` matches it (empty prefix).
        let t = [d(T::Fork, None, Some("fork"), HasArg::No)];
        let (items, _) = parse(&os(&["--=zz"]), &t, Ordering::Permute);
        assert_eq!(msg(&items[0]), "option '--fork' doesn't allow an argument");
    }

    #[test]
    fn ordering_and_double_dash() {
        let args = os(&["a", "-m", "--", "-f", "b"]);
        let (items, rest) = parse(&args, TABLE, Ordering::Permute);
        assert_eq!(items, vec![ok(T::Mount, None)]);
        assert_eq!(rest, os(&["a", "-f", "b"]));
        let (items, rest) = parse(&args, TABLE, Ordering::RequireOrder);
        assert!(items.is_empty());
        assert_eq!(rest, args);
        let (items, rest) = parse(&os(&["-m", "-", "-f", "--", "x"]), TABLE, Ordering::Permute);
        assert_eq!(items, vec![ok(T::Mount, None), ok(T::Fork, None)]);
        assert_eq!(rest, os(&["-", "x"]));
        let (items, rest) = parse(&os(&["-m", "-", "-f"]), TABLE, Ordering::RequireOrder);
        assert_eq!(items, vec![ok(T::Mount, None)]);
        assert_eq!(rest, os(&["-", "-f"]));
        // lsns 4026531836 -l
        let (items, rest) = parse(&os(&["4026531836", "-f"]), TABLE, Ordering::Permute);
        assert_eq!(items, vec![ok(T::Fork, None)]);
        assert_eq!(rest, os(&["4026531836"]));
    }

    #[test]
    fn stop_early_keeps_unconsumed_words() {
        let args = os(&["x", "-mf", "y", "-m"]);
        let mut g = Getopt::new(&args, TABLE, Ordering::Permute);
        assert_eq!(g.next(), Some(ok(T::Mount, None)));
        assert_eq!(g.operands(), os(&["x", "-mf", "y", "-m"]));
        let mut g = Getopt::new(&args, TABLE, Ordering::Permute);
        g.next();
        g.next();
        assert_eq!(g.operands(), os(&["x", "y", "-m"]));
    }

    #[test]
    fn non_utf8_bytes() {
        let bad = |b: &[u8]| OsString::from_vec(b.to_vec());
        let args = vec![
            bad(b"-\xc3\xa9"),
            bad(b"--b\xff=1"),
            bad(b"-t\xfe"),
            bad(b"\xfd"),
        ];
        let (items, rest) = parse(&args, TABLE, Ordering::Permute);
        assert_eq!(items[0], Err(GetoptError::InvalidOption(0xc3)));
        assert_eq!(items[1], Err(GetoptError::InvalidOption(0xa9)));
        assert_eq!(
            items[2].as_ref().unwrap_err().to_bytes(),
            b"unrecognized option '--b\xff=1'"
        );
        assert_eq!(items[3], Ok((T::Target, Some(bad(b"\xfe")))));
        assert_eq!(rest, vec![bad(b"\xfd")]);
        assert_eq!(
            items[0].as_ref().unwrap_err().line(OsStr::new("./prog")),
            b"./prog: invalid option -- '\xc3'\n"
        );
    }

    #[test]
    fn garbage_never_panics() {
        let huge = "-".to_string() + &"m".repeat(100_000);
        let huge_long = "--".to_string() + &"x".repeat(100_000);
        let weird: Vec<OsString> = vec![
            "".into(),
            "-".into(),
            "--".into(),
            "---".into(),
            "---x".into(),
            "-=".into(),
            "--=".into(),
            "=".into(),
            "-\0".into(),
            "--\0=\0".into(),
            huge.clone().into(),
            huge_long.into(),
            OsString::from_vec(vec![0xff; 1000]),
            OsString::from_vec(vec![b'-', 0xff, 0x80]),
            OsString::from_vec(vec![b'-', b'-', 0xff]),
            "-t".into(),
        ];
        for ord in [Ordering::Permute, Ordering::RequireOrder] {
            for i in 0..weird.len() {
                for j in 0..weird.len() {
                    let args = vec![weird[i].clone(), weird[j].clone()];
                    let _ = parse(&args, TABLE, ord);
                    let _ = parse(&args, &[] as &[OptDef<T>], ord);
                }
            }
            let _ = parse(&weird, TABLE, ord);
        }
        let (items, rest) = parse(&[huge.into()], TABLE, Ordering::Permute);
        assert_eq!(items.len(), 100_000);
        assert!(rest.is_empty());
        let (items, rest) = parse(&[], TABLE, Ordering::Permute);
        assert!(items.is_empty() && rest.is_empty());
    }
}
