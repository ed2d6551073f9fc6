//! `nscore::cmdline::getopt` against glibc's `getopt_long`, through the oracle's getopt(1)
//! (util-linux 2.42.4 on the C library of Debian unstable, the one the released tools parse
//! their options with), on a few hundred argument vectors: generated ones, util-linux-shaped
//! option tables, and bytes that are not UTF-8. The installed getopt(1) is not the reference:
//! it runs the host's C library.

use nscore::cmdline::getopt::{Getopt, GetoptError, HasArg, OptDef, Ordering};
use nsutils_testkit::oracle;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

const SHORTS: &str = "mft:T::";
const LONGS: &str = "mount::,mount-proc::,fork,forward-signals,target:,t:";

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

/// Run the oracle's getopt(1) and return (stdout, stderr lines, exit status).
fn run_getopt(
    shorts: &str,
    longs: &str,
    args: &[OsString],
) -> Option<(Vec<u8>, Vec<Vec<u8>>, i32)> {
    let out = oracle::command("getopt", "getopt")
        .env_remove("POSIXLY_CORRECT")
        .env_remove("GETOPT_COMPATIBLE")
        .env("LC_ALL", "C")
        .args(["-n", "prog", "-o", shorts, "-l", longs, "--"])
        .args(args)
        .output()
        .ok()?;
    let err = out
        .stderr
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    Some((out.stdout, err, out.status.code().unwrap_or(-1)))
}

/// Render our parse the way getopt(1) prints it: ` -m --fork -T '' -- 'x'`. Each option is
/// printed as the short or long name getopt(1) would use: the test tables give every
/// option one key per spelling, so the key tells which.
fn render(
    items: &[Result<(usize, Option<OsString>), GetoptError>],
    t: &[OptDef<usize>],
    rest: &[OsString],
) -> (Vec<u8>, Vec<Vec<u8>>, i32) {
    let quote = |s: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(b" '");
        for &b in s {
            if b == b'\'' {
                out.extend_from_slice(b"'\\''");
            } else {
                out.push(b);
            }
        }
        out.push(b'\'');
    };
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for it in items {
        match it {
            Ok((k, arg)) => {
                let def = &t[*k];
                match (def.short, def.long) {
                    (Some(c), _) => out.extend_from_slice(format!(" -{c}").as_bytes()),
                    (None, Some(l)) => out.extend_from_slice(format!(" --{l}").as_bytes()),
                    (None, None) => unreachable!(),
                }
                if def.has_arg != HasArg::No {
                    quote(arg.as_ref().map_or(&[][..], |a| a.as_bytes()), &mut out);
                }
            }
            Err(e) => errs.push(
                e.line(OsStr::new("prog"))
                    .strip_suffix(b"\n")
                    .unwrap()
                    .to_vec(),
            ),
        }
    }
    out.extend_from_slice(b" --");
    for r in rest {
        quote(r.as_bytes(), &mut out);
    }
    out.push(b'\n');
    let code = if errs.is_empty() { 0 } else { 1 };
    (out, errs, code)
}

/// Build a table and the getopt(1) spec from a short optstring and a long spec; every
/// short and every long option gets its own key (its index).
fn table(shorts: &str, longs: &str) -> Vec<OptDef<usize>> {
    let mut t = Vec::new();
    let b = shorts.trim_start_matches('+').as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        let mut n = 0;
        while i + 1 + n < b.len() && b[i + 1 + n] == b':' && n < 2 {
            n += 1;
        }
        let has_arg = [HasArg::No, HasArg::Required, HasArg::Optional][n];
        t.push(OptDef::new(t.len(), Some(c), None, has_arg, None, "", 0));
        i += 1 + n;
    }
    for l in longs.split(',') {
        let name = l.trim_end_matches(':');
        let has_arg = [HasArg::No, HasArg::Required, HasArg::Optional][l.len() - name.len()];
        let name: &'static str = Box::leak(name.to_string().into_boxed_str());
        t.push(OptDef::new(t.len(), None, Some(name), has_arg, None, "", 0));
    }
    t
}

/// Compare our parse of every case with the oracle's getopt(1).
fn differential(shorts: &str, longs: &str, cases: &[Vec<OsString>]) {
    let t = table(shorts, longs);
    let ord = if shorts.starts_with('+') {
        Ordering::RequireOrder
    } else {
        Ordering::Permute
    };
    for args in cases {
        let want = run_getopt(shorts, longs, args).expect("cannot run the oracle's getopt(1)");
        let (items, rest) = parse(args, &t, ord);
        let got = render(&items, &t, &rest);
        assert_eq!(
            (
                String::from_utf8_lossy(&got.0),
                got.1
                    .iter()
                    .map(|e| String::from_utf8_lossy(e).into_owned())
                    .collect::<Vec<_>>(),
                got.2
            ),
            (
                String::from_utf8_lossy(&want.0),
                want.1
                    .iter()
                    .map(|e| String::from_utf8_lossy(e).into_owned())
                    .collect::<Vec<_>>(),
                want.2
            ),
            "args {args:?} with -o {shorts:?} -l {longs:?}"
        );
        assert_eq!(got, want, "bytes differ for {args:?}");
    }
}

const WORDS: &[&str] = &[
    "-m",
    "-f",
    "-mf",
    "-fm",
    "-t",
    "-tX",
    "-T",
    "-Tv",
    "-mT",
    "-mTv",
    "-mt",
    "-m=foo",
    "--mount",
    "--mount=",
    "--mount=a=b",
    "--mou",
    "--mount-",
    "--mount-proc",
    "--mount-proc=/p",
    "--fo",
    "--fork",
    "--fork=",
    "--forw",
    "--forward-signals=1",
    "--target",
    "--tar=1",
    "--target=",
    "--t",
    "--t=1",
    "--bogus",
    "--bogus=1",
    "---x",
    "-=",
    "--=x",
    "--=",
    "-",
    "--",
    "x",
    "",
    "-x",
    "-:",
    "-+",
    "-mfx",
    "it's",
    "a b",
    "-t--",
    "--fork=x",
];

fn cases_from(words: &[&str], seed: u64, count: usize) -> Vec<Vec<OsString>> {
    let mut cases: Vec<Vec<OsString>> = words.iter().map(|w| vec![OsString::from(w)]).collect();
    // Pairs with an operand in between and after, then pseudo-random vectors.
    for w in words {
        cases.push(os(&[w, "op", w]));
        cases.push(os(&["op", w, "x"]));
    }
    let mut s = seed;
    for _ in 0..count {
        let len = (s % 6 + 1) as usize;
        let mut v = Vec::new();
        for _ in 0..len {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            v.push(OsString::from(words[(s >> 33) as usize % words.len()]));
        }
        cases.push(v);
    }
    cases
}

#[test]
fn differential_permute() {
    differential(SHORTS, LONGS, &cases_from(WORDS, 1, 150));
}

#[test]
fn differential_require_order() {
    differential(&format!("+{SHORTS}"), LONGS, &cases_from(WORDS, 2, 150));
}

#[test]
fn differential_unshare_like() {
    // util-linux 2.38 unshare's optstring and long options.
    let shorts = "+fhVmuinpCTUrR:w:S:G:c";
    let longs = "help,version,mount::,uts::,ipc::,net::,pid::,user::,cgroup::,time::,fork,kill-child::,mount-proc::,map-user:,map-users:,map-group:,map-groups:,map-root-user,map-current-user,map-auto,propagation:,setgroups:,keep-caps,setuid:,setgid:,root:,wd:,monotonic:,boottime:";
    let words = [
        "--m",
        "--map",
        "--map-u",
        "--map-user",
        "--map-users=1,2,3",
        "--map-g",
        "--mo",
        "--mount-p",
        "--k",
        "--kill-child=TERM",
        "--kill",
        "-r",
        "-rf",
        "-Rdir",
        "-R",
        "--root",
        "--r",
        "--ro",
        "--p",
        "--pr",
        "--wd=/",
        "--w",
        "-U",
        "--user=/x",
        "--us",
        "--u",
        "-c",
        "--set",
        "--setg",
        "--fork",
        "--fo",
        "sh",
        "-c",
        "--",
        "-",
        "--time",
        "--ti",
    ];
    differential(shorts, longs, &cases_from(&words, 3, 100));
}

#[test]
fn differential_non_utf8() {
    let bad = |b: &[u8]| OsString::from_vec(b.to_vec());
    let cases = vec![
        vec![bad(b"-\xc3\xa9")],
        vec![bad(b"--\xff")],
        vec![bad(b"--fo\xff=\xfe")],
        vec![bad(b"-t"), bad(b"\xff")],
        vec![bad(b"\xff"), bad(b"-m\xff")],
        vec![bad(b"-T\xff\xfe"), bad(b"--mount=\x80")],
    ];
    differential("mft:T::", LONGS, &cases);
}
