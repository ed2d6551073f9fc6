//! lsns `-Q` expressions (scols-filter(5)): every operator in its symbol and word forms, `!`
//! and `not`, `and`/`or` chains, parentheses, every column in any case, numbers, floats,
//! strings in both quotes, booleans, regular expressions (good and broken), type mismatches
//! (a string column against a number, a regex on a number), and broken syntax (a lone
//! operator, unbalanced parentheses, unknown columns, stray bytes, unterminated quotes).

use fastrand::Rng;

use super::argv;
use super::tables::Table;
use super::values::{self, chance, pick};

const CMP: &[&str] = &[
    "==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "le", "gt", "ge",
];
const LOGIC: &[&str] = &["and", "or", "&&", "||", "AND", "OR"];
const REGEX: &[&str] = &[
    "^n",
    "net|uts",
    "[",
    "(",
    "a{2,}",
    "\\\\",
    ".*",
    "",
    "[[:digit:]]+",
    "^$",
    "t$",
    "^4026",
    "x*",
    "(a",
    "[[:bogus:]]",
    "sleep",
    "^/run",
];

fn column(rng: &mut Rng, t: &Table) -> String {
    if chance(rng, 0.04) {
        return pick(rng, &["FOO", "ns_x", "N", "COMMANDS", "x1"]).to_string();
    }
    let c = pick(rng, &t.columns);
    match rng.usize(..6) {
        0 => c.to_ascii_lowercase(),
        1 => {
            let mut s = c.to_ascii_lowercase();
            s[..1].make_ascii_uppercase();
            s
        }
        _ => c.to_string(),
    }
}

fn literal(rng: &mut Rng) -> String {
    match rng.usize(..14) {
        0 => pick(rng, &["0", "1", "2", "5", "1000", "65534"]).to_string(),
        1 => pick(rng, &["4026531836", "4026532000", "4026531835"]).to_string(),
        2 => pick(
            rng,
            &["99999999999999999999", "18446744073709551615", "007"],
        )
        .to_string(),
        3 => pick(rng, &["1.5", "0.0", "4026531836.0", "0.5", "1.000001"]).to_string(),
        4 => pick(rng, &["true", "false", "TRUE", "FALSE"]).to_string(),
        5..=8 => {
            let s = pick(
                rng,
                &[
                    "net",
                    "uts",
                    "user",
                    "mnt",
                    "",
                    " net ",
                    "1",
                    "0",
                    "root",
                    "sleep 1000",
                    "4026531836",
                    "/run/netns/x",
                    "x",
                    "true",
                    "-1",
                    "nobody",
                ],
            );
            if chance(rng, 0.3) {
                format!("'{s}'")
            } else {
                format!("\"{s}\"")
            }
        }
        _ => String::new(),
    }
}

fn operand(rng: &mut Rng, t: &Table) -> String {
    let l = literal(rng);
    if l.is_empty() || chance(rng, 0.5) {
        column(rng, t)
    } else {
        l
    }
}

fn regex(rng: &mut Rng) -> String {
    // Mostly a string; now and then something else (util-linux 2.42.4 crashes on those).
    if chance(rng, 0.03) {
        return operand_like(rng);
    }
    let r = pick(rng, REGEX);
    if chance(rng, 0.2) {
        format!("'{r}'")
    } else {
        format!("\"{r}\"")
    }
}

fn operand_like(rng: &mut Rng) -> String {
    pick(rng, &["5", "1.5", "true", "NS", "TYPE", "(TYPE)"]).to_string()
}

fn sp(rng: &mut Rng) -> &'static str {
    match rng.usize(..12) {
        0 => "",
        1 => "  ",
        2 => "\t",
        _ => " ",
    }
}

fn atom(rng: &mut Rng, t: &Table) -> String {
    match rng.usize(..10) {
        0..=4 => {
            let (a, b) = (operand(rng, t), operand(rng, t));
            let op = pick(rng, CMP);
            // Word operators need blanks around them.
            let (s1, s2) = if op.as_bytes()[0].is_ascii_alphabetic() {
                (" ", " ")
            } else {
                (sp(rng), sp(rng))
            };
            format!("{a}{s1}{op}{s2}{b}")
        }
        5 | 6 => {
            let a = if chance(rng, 0.9) {
                column(rng, t)
            } else {
                literal(rng)
            };
            let op = if chance(rng, 0.5) { "=~" } else { "!~" };
            format!("{a}{}{op}{}{}", sp(rng), sp(rng), regex(rng))
        }
        7 => literal(rng),
        _ => column(rng, t),
    }
}

fn expr(rng: &mut Rng, t: &Table, depth: usize) -> String {
    if depth > 3 {
        return atom(rng, t);
    }
    match rng.usize(..20) {
        0..=7 => atom(rng, t),
        8..=12 => {
            let op = pick(rng, LOGIC);
            let (s1, s2) = if op.as_bytes()[0].is_ascii_alphabetic() {
                (" ", " ")
            } else {
                (sp(rng), sp(rng))
            };
            format!(
                "{}{s1}{op}{s2}{}",
                expr(rng, t, depth + 1),
                expr(rng, t, depth + 1)
            )
        }
        13 | 14 => format!("({}{}{})", sp(rng), expr(rng, t, depth + 1), sp(rng)),
        15 | 16 => {
            let not = pick(rng, &["!", "! ", "not ", "NOT ", "!!"]);
            format!("{not}{}", expr(rng, t, depth + 1))
        }
        17 => {
            // A comparison whose operand is an expression.
            let op = pick(rng, CMP);
            format!(
                "({}) {op} {}",
                expr(rng, t, depth + 1),
                pick(rng, &["true", "false", "1", "0", "\"x\""])
            )
        }
        _ => {
            // A chain of comparisons without parentheses.
            format!("{} {} {}", atom(rng, t), pick(rng, CMP), operand(rng, t))
        }
    }
}

/// Break an expression now and then: cut it, add a stray byte or token.
fn break_it(rng: &mut Rng, mut e: String) -> String {
    match rng.usize(..40) {
        0 if !e.is_empty() => {
            let at = rng.usize(..e.len());
            if e.is_char_boundary(at) {
                e.truncate(at);
            }
            e
        }
        1 => format!("({e}"),
        2 => format!("{e})"),
        3 => format!("{e} =="),
        4 => format!("@{e}"),
        5 => format!("{e} # x"),
        6 => format!("{e} 'x"),
        7 => format!("\"{e}"),
        8 => String::new(),
        9 => format!("{e} and"),
        10 => format!("{e}\n"),
        _ => e,
    }
}

/// One `-Q` expression.
pub fn expression(rng: &mut Rng, t: &Table) -> Vec<u8> {
    let e = expr(rng, t, 0);
    break_it(rng, e).into_bytes()
}

/// An lsns command line around a `-Q` expression: a few other options (columns, types, output
/// modes, a namespace operand) and the filter, as `-Q EXPR`, `-QEXPR` or `--filter=EXPR`.
pub fn argv(rng: &mut Rng, t: &Table) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = Vec::new();
    let n = rng.usize(..3);
    for _ in 0..n {
        let w: Vec<Vec<u8>> = match rng.usize(..9) {
            0 => vec![b"-o".to_vec(), values::column_list(rng, &t.columns)],
            1 => vec![
                b"-t".to_vec(),
                pick(
                    rng,
                    &["net", "uts", "user", "mnt", "pid", "ipc", "cgroup", "time"],
                )
                .as_bytes()
                .to_vec(),
            ],
            2 => vec![b"-J".to_vec()],
            3 => vec![b"-r".to_vec()],
            4 => vec![b"-n".to_vec()],
            5 => vec![b"-l".to_vec()],
            6 => vec![b"-T".to_vec()],
            7 => vec![b"--output-all".to_vec()],
            _ => vec![b"-p".to_vec(), values::pid(rng)],
        };
        v.extend(w);
    }
    let e = expression(rng, t);
    let at = rng.usize(..=v.len());
    match rng.usize(..6) {
        0 => {
            let mut w = b"-Q".to_vec();
            w.extend(e);
            v.insert(at, w);
        }
        1 => {
            let mut w = b"--filter=".to_vec();
            w.extend(e);
            v.insert(at, w);
        }
        _ => {
            v.insert(at, e);
            v.insert(at, b"-Q".to_vec());
        }
    }
    if chance(rng, 0.05) {
        v.push(b"-Q".to_vec());
        v.push(expression(rng, t));
    }
    if chance(rng, 0.12) {
        v.push(argv::lsns_namespace(rng));
    }
    v
}
