//! `ip -batch` files for netns-rs: netns command lines (every subcommand, the object spelt
//! `net`, `netn` or `netns`), comments (whole-line and trailing), blank and whitespace-only
//! lines, continuation lines (and a last line that promises one), quoted words (both quotes,
//! unterminated), errors in the middle of the file (unknown subcommands, missing or invalid
//! names), and command lines around them with and without `-force`.
//!
//! Lines for other ip objects (`link ...`) are left out: netns-rs refuses them on purpose
//! (docs/COMPATIBILITY.md, netns-rs, batch files).

use fastrand::Rng;

use super::values::{self, chance, pick};

/// Where the scene puts the batch file.
pub const BATCH_PATH: &str = "/run/w/batch";

fn name(rng: &mut Rng) -> String {
    pick(
        rng,
        &[
            "a", "b", "c", "d", "none", "x/y", "..", "'a b'", "\"q\"", "''", "-x",
        ],
    )
    .to_string()
}

fn command(rng: &mut Rng) -> String {
    let obj = pick(rng, &["netns", "netns", "netns", "net", "netn"]);
    let rest = match rng.usize(..24) {
        0..=2 => format!("add {}", name(rng)),
        3 | 4 => format!("delete {}", name(rng)),
        5 => format!("del {}", name(rng)),
        6 | 7 => "list".to_string(),
        8 => "show".to_string(),
        9 => "list-id".to_string(),
        10 => format!(
            "set {} {}",
            name(rng),
            pick(rng, &["1", "auto", "-1", "x", "7"])
        ),
        11 => "identify".to_string(),
        12 => format!("identify {}", pick(rng, &["1", "0", "999999", "x"])),
        13 => format!("pids {}", name(rng)),
        14 => format!("exec {} true", name(rng)),
        15 => format!("exec {} id -u", name(rng)),
        16 => format!("attach {} 1", name(rng)),
        17 => pick(
            rng,
            &["bogus", "add", "set a", "exec", "help", "", "add a b"],
        )
        .to_string(),
        18 => "list-id nsid 1".to_string(),
        19 => format!("a {}", name(rng)),
        20 => "add 'unterminated".to_string(),
        21 => format!("d {}", name(rng)),
        _ => "l".to_string(),
    };
    if rest.is_empty() {
        obj.to_string()
    } else {
        format!("{obj} {rest}")
    }
}

/// One physical or logical line (which may span lines).
fn line(rng: &mut Rng) -> String {
    match rng.usize(..20) {
        0 => "# a comment".to_string(),
        1 => String::new(),
        2 => " \t ".to_string(),
        3 => format!("{} # trailing", command(rng)),
        4 => {
            // A continuation: the command split over two lines.
            let c = command(rng);
            match c.find(' ') {
                Some(i) => format!("{}\\\n{}", &c[..i + 1], &c[i + 1..]),
                None => format!("{c}\\\n"),
            }
        }
        5 => format!("\t{}\r", command(rng)),
        6 => format!("  {}  ", command(rng)),
        _ => command(rng),
    }
}

/// A batch file.
pub fn file(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.usize(..8);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(&line(rng));
        s.push('\n');
    }
    match rng.usize(..20) {
        // No newline at the end, or a last line that asks for a continuation.
        0 => {
            s.pop();
        }
        1 => s.push_str("netns list \\"),
        2 => s.clear(),
        _ => {}
    }
    let mut b = s.into_bytes();
    if chance(rng, 0.03) {
        b.extend_from_slice(b"netns add \xff\n");
    }
    b
}

/// The command line that runs the batch file.
pub fn argv(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = Vec::new();
    let force = pick(rng, &["-force", "-forc", "--force", "-force"]);
    if chance(rng, 0.4) {
        v.push(force.as_bytes().to_vec());
    }
    if chance(rng, 0.15) {
        v.push(
            pick(rng, &["-all", "-json", "-pretty", "-j"])
                .as_bytes()
                .to_vec(),
        );
    }
    v.push(
        pick(rng, &["-batch", "-b", "--batch", "-ba", "-batc"])
            .as_bytes()
            .to_vec(),
    );
    v.push(if chance(rng, 0.05) {
        pick(rng, &["/run/w/none", "", "/run/w/d"])
            .as_bytes()
            .to_vec()
    } else {
        BATCH_PATH.as_bytes().to_vec()
    });
    if chance(rng, 0.15) {
        v.push(force.as_bytes().to_vec());
    }
    if chance(rng, 0.05) {
        // An odd word after the options (a `-` word would be an option missing its value,
        // which the original would take `netns` for; see `Stream::case`).
        let w = values::odd(rng);
        if !w.starts_with(b"-") {
            v.push(w);
        }
    }
    v
}
