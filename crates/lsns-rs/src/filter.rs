//! `-Q/--filter`: the libsmartcols filter language (scols-filter(5)), parsed and evaluated here.
//!
//! Grammar and semantics follow libsmartcols: `and`/`&&` and `or`/`||` share the lowest
//! precedence and group to the left; the comparisons (`==` `!=` `<` `<=` `>` `>=` and `eq` `ne`
//! `lt` `le` `gt` `ge`, `=~` `!~`) and `!`/`not` share the next level. Literals are unsigned
//! numbers, floats, quoted strings (trimmed) and `true`/`false`; a bare column name is true when
//! its cell is non-empty (non-zero for number columns). In a comparison the literal's type wins
//! over the column's, and a float wins over a number. Regular expressions are POSIX extended
//! ones, compiled by the C library, so matches and error texts are glibc's.

use nscore::display::PosixRegex;

use crate::columns::{Col, MAX_COLUMNS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Neg,
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    Reg,
    NReg,
    True,
    False,
    Number,
    Float,
    Holder,
    Str,
    End,
    /// A token no grammar rule takes (bison's YYUNDEF): a `'` without its closing quote.
    Invalid,
}

impl Tok {
    /// The name bison's verbose error gives the token, after libsmartcols strips `T_`.
    fn bison_name(self) -> &'static str {
        match self {
            Tok::LParen => "'('",
            Tok::RParen => "')'",
            Tok::And => "AND",
            Tok::Or => "OR",
            Tok::Neg => "NEG",
            Tok::Eq => "EQ",
            Tok::Ne => "NE",
            Tok::Le => "LE",
            Tok::Lt => "LT",
            Tok::Ge => "GE",
            Tok::Gt => "GT",
            Tok::Reg => "REG",
            Tok::NReg => "NREG",
            Tok::True => "TRUE",
            Tok::False => "FALSE",
            Tok::Number => "NUMBER",
            Tok::Float => "FLOAT",
            Tok::Holder => "HOLDER",
            Tok::Str => "STRING",
            Tok::End => "end of file",
            Tok::Invalid => "invalid token",
        }
    }

    fn binary(self) -> Option<(u8, Op)> {
        Some(match self {
            Tok::And => (1, Op::And),
            Tok::Or => (1, Op::Or),
            Tok::Eq => (2, Op::Eq),
            Tok::Ne => (2, Op::Ne),
            Tok::Le => (2, Op::Le),
            Tok::Lt => (2, Op::Lt),
            Tok::Ge => (2, Op::Ge),
            Tok::Gt => (2, Op::Gt),
            Tok::Reg => (2, Op::Reg),
            Tok::NReg => (2, Op::NReg),
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    Reg,
    NReg,
}

/// A literal or column reference.
#[derive(Clone, Debug)]
enum Param {
    Num(u64),
    Float(f64),
    Str(Vec<u8>),
    Bool(bool),
    Holder(Vec<u8>),
}

#[derive(Debug)]
enum Node {
    Param(Param),
    Not(Box<Node>),
    /// The truth of a node as a boolean (`!!x`).
    Truth(Box<Node>),
    /// `a OP b OP c ...` grouped to the left, `((a OP b) OP c) ...`, kept flat so that long
    /// chains cost no recursion; evaluated left to right.
    Chain(Box<Node>, Vec<(Op, Rhs)>),
}

/// The right-hand side of a binary operator.
#[derive(Debug)]
enum Rhs {
    Node(Node),
    /// `=~`/`!~`: the compiled pattern.
    Regex(Regex),
}

struct Regex(PosixRegex);

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Regex")
    }
}

/// One token: its kind, its text, and the bytes the scanner met before it that match no rule
/// (flex's default rule copies those to standard output, so libsmartcols does).
struct Token {
    tok: Tok,
    text: Vec<u8>,
    echo: Vec<u8>,
}

/// The scanner. Strings in double quotes (not spanning a line) are strings; a `"` without its
/// closing quote is an unknown byte. Strings in single quotes likewise, but a `'` without its
/// closing quote is an invalid token. Unknown bytes are kept as echo, not errors.
fn lex(text: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut echo = Vec::new();
    let is_id_start = |c: u8| c.is_ascii_alphabetic();
    // A name runs on through letters, digits and `_ % . : / -` (`a-b`, `x/y` are one holder).
    let is_id = |c: u8| c.is_ascii_alphanumeric() || b"_%.:/-".contains(&c);
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let rest = &text[i..];
        if matches!(c, b' ' | b'\t' | b'\n') {
            i += 1;
            continue;
        }
        let two = rest.get(..2);
        let (tok, len) = match (c, two) {
            (_, Some(b"&&")) => (Tok::And, 2),
            (_, Some(b"||")) => (Tok::Or, 2),
            (_, Some(b"==")) => (Tok::Eq, 2),
            (_, Some(b"!=")) => (Tok::Ne, 2),
            (_, Some(b"<=")) => (Tok::Le, 2),
            (_, Some(b">=")) => (Tok::Ge, 2),
            (_, Some(b"=~")) => (Tok::Reg, 2),
            (_, Some(b"!~")) => (Tok::NReg, 2),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'!', _) => (Tok::Neg, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'"' | b'\'', _) => {
                let close = rest[1..].iter().position(|&b| b == c || b == b'\n');
                match close {
                    Some(n) if rest[1 + n] == c => {
                        out.push(Token {
                            tok: Tok::Str,
                            text: rest[1..1 + n].to_vec(),
                            echo: std::mem::take(&mut echo),
                        });
                        i += n + 2;
                        continue;
                    }
                    _ if c == b'\'' => (Tok::Invalid, 1),
                    _ => {
                        echo.push(c);
                        i += 1;
                        continue;
                    }
                }
            }
            (d, _) if d.is_ascii_digit() => {
                let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                if rest.get(n) == Some(&b'.') && rest.get(n + 1).is_some_and(u8::is_ascii_digit) {
                    let m = rest[n + 1..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    (Tok::Float, n + 1 + m)
                } else {
                    (Tok::Number, n)
                }
            }
            (a, _) if is_id_start(a) => {
                let n = rest.iter().take_while(|&&b| is_id(b)).count();
                let word = &rest[..n];
                let tok = match word {
                    b"and" | b"AND" => Tok::And,
                    b"or" | b"OR" => Tok::Or,
                    b"not" | b"NOT" => Tok::Neg,
                    b"eq" => Tok::Eq,
                    b"ne" => Tok::Ne,
                    b"le" => Tok::Le,
                    b"lt" => Tok::Lt,
                    b"ge" => Tok::Ge,
                    b"gt" => Tok::Gt,
                    b"true" | b"TRUE" => Tok::True,
                    b"false" | b"FALSE" => Tok::False,
                    _ => Tok::Holder,
                };
                (tok, n)
            }
            _ => {
                echo.push(c);
                i += 1;
                continue;
            }
        };
        out.push(Token {
            tok,
            text: rest[..len].to_vec(),
            echo: std::mem::take(&mut echo),
        });
        i += len;
    }
    out.push(Token {
        tok: Tok::End,
        text: Vec::new(),
        echo,
    });
    out
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// The furthest token the parser has looked at: the scanner has read that far.
    seen: usize,
}

fn unexpected(t: Tok) -> String {
    format!("syntax error, unexpected {}", t.bison_name())
}

impl Parser {
    fn peek(&mut self) -> Tok {
        self.seen = self.seen.max(self.pos);
        self.toks.get(self.pos).map_or(Tok::End, |t| t.tok)
    }

    fn next(&mut self) -> (Tok, Vec<u8>) {
        self.seen = self.seen.max(self.pos);
        let t = self
            .toks
            .get(self.pos)
            .map_or((Tok::End, Vec::new()), |t| (t.tok, t.text.clone()));
        self.pos += 1;
        t
    }

    /// The unknown bytes the scanner met up to the furthest token looked at.
    fn echo(&self) -> Vec<u8> {
        self.toks
            .iter()
            .take(self.seen + 1)
            .flat_map(|t| t.echo.iter().copied())
            .collect()
    }

    /// The parse, without recursion (an expression may nest thousands deep): an operator
    /// stack, precedence climbing for the two binary levels, `!` binding tightest. bison's
    /// stack is modelled as well, since its limit (10000 states) is visible as "memory
    /// exhausted".
    fn parse(&mut self) -> Result<Node, String> {
        let mut stack: Vec<Pending> = Vec::new();
        // bison's stack: its first state, one per `(` or `!`, two per pending `expr OP`.
        let mut depth: usize = 1;
        let shift = |depth: usize| -> Result<(), String> {
            if depth >= BISON_MAX_DEPTH {
                Err("memory exhausted".into())
            } else {
                Ok(())
            }
        };
        loop {
            // An operand is expected.
            let (tok, text) = self.next();
            let mut operand = match tok {
                Tok::Neg | Tok::LParen => {
                    depth += 1;
                    shift(depth)?;
                    stack.push(if tok == Tok::Neg {
                        Pending::Neg
                    } else {
                        Pending::LParen
                    });
                    continue;
                }
                Tok::Number => Node::Param(Param::Num(
                    std::str::from_utf8(&text)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(u64::MAX),
                )),
                Tok::Float => Node::Param(Param::Float(
                    std::str::from_utf8(&text)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0.0),
                )),
                Tok::Str => Node::Param(Param::Str(trim(&text))),
                Tok::True => Node::Param(Param::Bool(true)),
                Tok::False => Node::Param(Param::Bool(false)),
                Tok::Holder => Node::Param(Param::Holder(text)),
                other => return Err(unexpected(other)),
            };
            shift(depth + 1)?;
            // An operand is complete: what may follow it.
            loop {
                while let Some(Pending::Neg) = stack.last() {
                    stack.pop();
                    depth -= 1;
                    operand = negate(operand);
                }
                // `A =~ B` is reduced (its pattern compiled) as soon as B is complete, whatever
                // comes next, as bison's default reduction does: a bad pattern is reported
                // before a syntax error after it.
                if let Some(Pending::Bin(Op::Reg | Op::NReg, _)) = stack.last() {
                    if let Some(Pending::Bin(op, left)) = stack.pop() {
                        depth -= 2;
                        operand = combine(op, left, operand)?;
                        continue;
                    }
                }
                let in_parens = stack.iter().any(|p| matches!(p, Pending::LParen));
                let t = self.peek();
                if let Some((prec, op)) = t.binary() {
                    operand = reduce(&mut stack, &mut depth, operand, prec)?;
                    self.next();
                    depth += 2;
                    shift(depth)?;
                    stack.push(Pending::Bin(op, operand));
                    break;
                }
                match t {
                    Tok::RParen if in_parens => {
                        operand = reduce(&mut stack, &mut depth, operand, 0)?;
                        shift(depth + 2)?;
                        stack.pop();
                        depth -= 1;
                        self.next();
                    }
                    Tok::End if !in_parens => return reduce(&mut stack, &mut depth, operand, 0),
                    // Inside parentheses bison waits for `)` or an operator (too many to list);
                    // at the top its default reductions leave only the end acceptable.
                    other if in_parens => return Err(unexpected(other)),
                    other => return Err(format!("{}, expecting end of file", unexpected(other))),
                }
            }
        }
    }
}

/// bison's YYMAXDEPTH: its parser stack holds fewer states than this.
const BISON_MAX_DEPTH: usize = 10000;

/// What the parser waits to complete.
enum Pending {
    LParen,
    Neg,
    /// A binary operator and its left operand.
    Bin(Op, Node),
}

/// Apply the pending binary operators of precedence `min` and above (back to the innermost
/// `(`) to `right`.
fn reduce(
    stack: &mut Vec<Pending>,
    depth: &mut usize,
    mut right: Node,
    min: u8,
) -> Result<Node, String> {
    while let Some(Pending::Bin(op, _)) = stack.last() {
        let prec = if matches!(op, Op::And | Op::Or) { 1 } else { 2 };
        if prec < min {
            break;
        }
        let Some(Pending::Bin(op, left)) = stack.pop() else {
            break;
        };
        *depth -= 2;
        right = combine(op, left, right)?;
    }
    Ok(right)
}

/// `left OP right` as a node: chains stay flat, `=~`/`!~` compile their pattern.
fn combine(op: Op, left: Node, right: Node) -> Result<Node, String> {
    let rhs = match op {
        Op::Reg | Op::NReg => {
            // util-linux 2.42.4 says `(null)` here, or crashes (a number, a float or a
            // boolean): say what the operand has to be.
            let Node::Param(Param::Str(pat)) = &right else {
                return Err(NOT_A_PATTERN.into());
            };
            Rhs::Regex(Regex(PosixRegex::new(&trim(pat))?))
        }
        _ => Rhs::Node(right),
    };
    Ok(match left {
        Node::Chain(first, mut rest) => {
            rest.push((op, rhs));
            Node::Chain(first, rest)
        }
        other => Node::Chain(Box::new(other), vec![(op, rhs)]),
    })
}

/// The message for `=~`/`!~` whose right operand is not a quoted string.
pub const NOT_A_PATTERN: &str =
    "the right operand of =~ and !~ must be a regular expression in quotes";

/// `!x`: a double negation is kept as one truth test, so long `!!!!` runs stay shallow.
fn negate(x: Node) -> Node {
    match x {
        Node::Not(inner) => Node::Truth(inner),
        Node::Truth(inner) => Node::Not(inner),
        other => Node::Not(Box::new(other)),
    }
}

fn trim(s: &[u8]) -> Vec<u8> {
    let ws = |b: &u8| b.is_ascii_whitespace();
    let start = s.iter().position(|b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !ws(b)).map_or(start, |e| e + 1);
    s[start..end].to_vec()
}

/// A parsed filter, with its holders resolved to columns.
#[derive(Debug)]
pub struct Filter {
    root: Node,
    /// The columns the filter reads.
    pub holders: Vec<Col>,
    /// What could not be resolved, in order, for [`Filter::check`].
    problems: Vec<Problem>,
    /// Every holder as written.
    names: Vec<Vec<u8>>,
}

/// A holder [`Filter::compile`] could not resolve.
#[derive(Debug)]
enum Problem {
    /// A name no column has (each occurrence).
    Unknown(Vec<u8>),
    /// One column more than the table holds.
    TooMany,
}

/// A value during evaluation; `empty` as libsmartcols tracks it.
#[derive(Clone, Debug)]
enum Val {
    Str(Option<Vec<u8>>),
    Num(u64, bool),
    Float(f64, bool),
    Bool(bool, bool),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Str,
    Num,
    Float,
    Bool,
}

/// The filter could not be set up (its message is printed): exit status 1.
#[derive(Debug)]
pub struct SetupFailed;

/// An evaluation failure: libsmartcols reports it as `failed to apply filter` with EINVAL.
#[derive(Debug)]
pub struct ApplyError;

impl Filter {
    /// Parse (at option time); returns the text to keep for [`Filter::compile`], or the
    /// message for `failed to parse "EXPR": MESSAGE`.
    pub fn parse(text: &[u8]) -> Result<Vec<u8>, String> {
        Self::parse_echo(text).1.map(|_| text.to_vec())
    }

    /// As [`Filter::parse`], with the bytes the scanner copied to standard output on the way
    /// (bytes that match no token, as flex's default rule copies them).
    pub fn parse_echo(text: &[u8]) -> (Vec<u8>, Result<Vec<u8>, String>) {
        let (echo, r) = Self::build(text);
        (echo, r.map(|_| text.to_vec()))
    }

    fn build(text: &[u8]) -> (Vec<u8>, Result<Node, String>) {
        let mut p = Parser {
            toks: lex(text),
            pos: 0,
            seen: 0,
        };
        let r = p.parse();
        (p.echo(), r)
    }

    /// Resolve the holders: columns not shown are added to `cols` (hidden later). Unknown
    /// names and too many columns are kept for [`Filter::check`], which util-linux's lsns
    /// reaches only once it has read the namespaces (and found the one asked for).
    pub fn compile(text: &[u8], cols: &mut Vec<Col>) -> Result<Filter, i32> {
        let root = match Self::build(text).1 {
            Ok(r) => r,
            Err(_) => return Err(1),
        };
        let mut names = Vec::new();
        collect(&root, &mut names);
        let mut problems = Vec::new();
        let mut holders = Vec::new();
        for n in names.clone() {
            match Col::by_name(&n) {
                Some(c) => {
                    if !cols.contains(&c) {
                        if cols.len() >= MAX_COLUMNS - 1 {
                            problems.push(Problem::TooMany);
                            break;
                        }
                        cols.push(c);
                    }
                    if !holders.contains(&c) {
                        holders.push(c);
                    }
                }
                None => problems.push(Problem::Unknown(n)),
            }
        }
        Ok(Filter {
            root,
            holders,
            problems,
            names,
        })
    }

    /// Whether a holder is written exactly `name` (case included).
    pub fn names_exactly(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name.as_bytes())
    }

    /// Report what [`Filter::compile`] could not resolve, as util-linux does when it sets the
    /// filter up: `unknown column: X` for each occurrence of an unknown name, then `failed to
    /// initialize filter`; or `too many columns specified`. Err when there was anything.
    pub fn check(&self) -> Result<(), SetupFailed> {
        let mut unknown = false;
        for p in &self.problems {
            match p {
                Problem::Unknown(n) => {
                    nscore::cmdline::warn_bytes(&[b"unknown column: ", n]);
                    unknown = true;
                }
                Problem::TooMany => {
                    nscore::cmdline::warn(format_args!(
                        "too many columns specified, the limit is {} columns",
                        MAX_COLUMNS - 1
                    ));
                    return Err(SetupFailed);
                }
            }
        }
        if unknown {
            nscore::cmdline::warn("failed to initialize filter");
            return Err(SetupFailed);
        }
        Ok(())
    }

    /// Evaluate for one row; `cell(col)` gives the cell's text (`None` when empty).
    pub fn matches(
        &self,
        cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>,
    ) -> Result<bool, ApplyError> {
        eval(&self.root, cell)
    }
}

fn collect(n: &Node, out: &mut Vec<Vec<u8>>) {
    match n {
        Node::Param(Param::Holder(h)) => out.push(h.clone()),
        Node::Param(_) => {}
        Node::Not(x) | Node::Truth(x) => collect(x, out),
        Node::Chain(first, rest) => {
            collect(first, out);
            for (_, x) in rest {
                if let Rhs::Node(x) = x {
                    collect(x, out);
                }
            }
        }
    }
}

fn node_type(n: &Node) -> Ty {
    match n {
        Node::Param(p) => param_type(p),
        _ => Ty::Bool,
    }
}

fn param_type(p: &Param) -> Ty {
    match p {
        Param::Num(_) => Ty::Num,
        Param::Float(_) => Ty::Float,
        Param::Str(_) => Ty::Str,
        Param::Bool(_) => Ty::Bool,
        Param::Holder(h) => match Col::by_name(h) {
            Some(c) if c.number() => Ty::Num,
            _ => Ty::Str,
        },
    }
}

fn is_holder(n: &Node) -> bool {
    matches!(n, Node::Param(Param::Holder(_)))
}

/// A holder's value: the cell text, trimmed, cast to the column's type.
fn fetch(p: &Param, cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>) -> Result<Val, ApplyError> {
    Ok(match p {
        Param::Num(n) => Val::Num(*n, false),
        Param::Float(f) => Val::Float(*f, false),
        Param::Str(s) => Val::Str(Some(s.clone())),
        Param::Bool(b) => Val::Bool(*b, false),
        Param::Holder(h) => {
            let Some(col) = Col::by_name(h) else {
                return Err(ApplyError);
            };
            let data = cell(col).map(|d| trim(&d));
            let v = Val::Str(data);
            if col.number() {
                let empty = matches!(v, Val::Str(None));
                match cast(v, Ty::Num)? {
                    Val::Num(n, _) => Val::Num(n, empty),
                    other => other,
                }
            } else {
                v
            }
        }
    })
}

fn ul_strtou64(s: &[u8]) -> Result<u64, ApplyError> {
    nscore::cmdline::num::strtou64(s).map_err(|_| ApplyError)
}

/// libsmartcols' casts. A cast to another type yields a non-empty value except for strings,
/// as its `copy_param` does.
fn cast(v: Val, to: Ty) -> Result<Val, ApplyError> {
    Ok(match (v, to) {
        (v @ Val::Str(_), Ty::Str)
        | (v @ Val::Num(..), Ty::Num)
        | (v @ Val::Float(..), Ty::Float)
        | (v @ Val::Bool(..), Ty::Bool) => v,
        // An empty cell stays empty as a number, a float or a boolean: every comparison
        // with it is false (a string column compared with a number keeps none of the rows
        // where it is empty).
        (Val::Str(None), Ty::Num) => Val::Num(0, true),
        (Val::Str(None), Ty::Float) => Val::Float(0.0, true),
        (Val::Str(None), Ty::Bool) => Val::Bool(false, true),
        (Val::Str(Some(s)), Ty::Num) => Val::Num(ul_strtou64(&s)?, false),
        // As C's strtold without a check: the longest number at the start, else 0.
        (Val::Str(Some(s)), Ty::Float) => Val::Float(leading_float(&s), false),
        (Val::Str(Some(s)), Ty::Bool) => {
            let yes = s == b"1"
                || s.eq_ignore_ascii_case(b"true")
                || matches!(s.first(), Some(b'y' | b'Y'));
            Val::Bool(yes, false)
        }
        (Val::Num(n, _), Ty::Str) => Val::Str(Some(n.to_string().into_bytes())),
        (Val::Num(n, _), Ty::Float) => Val::Float(n as f64, false),
        (Val::Num(n, _), Ty::Bool) => Val::Bool(n > 0, false),
        (Val::Float(f, _), Ty::Str) => Val::Str(Some(format_g(f).into_bytes())),
        (Val::Float(f, _), Ty::Num) => Val::Num(f as u64, false),
        (Val::Float(f, _), Ty::Bool) => Val::Bool(f > 0.0, false),
        (Val::Bool(b, _), Ty::Str) => Val::Str(Some(if b {
            b"true".to_vec()
        } else {
            b"false".to_vec()
        })),
        (Val::Bool(b, _), Ty::Num) => Val::Num(u64::from(b), false),
        (Val::Bool(b, _), Ty::Float) => Val::Float(if b { 1.0 } else { 0.0 }, false),
    })
}

/// The number a C `strtold` reads at the start of `s` (after blanks): sign, digits, a
/// fraction, an exponent; 0 when there is none.
fn leading_float(s: &[u8]) -> f64 {
    let start = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let t = &s[start..];
    let mut i = usize::from(matches!(t.first(), Some(b'+' | b'-')));
    let int = t[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    i += int;
    let mut frac = 0;
    if t.get(i) == Some(&b'.') {
        frac = t[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if int + frac > 0 {
            i += 1 + frac;
        }
    }
    if int + frac == 0 {
        return 0.0;
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(t.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let e = t[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if e > 0 {
            i = j + e;
        }
    }
    std::str::from_utf8(&t[..i])
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0.0)
}

/// C's `%Lg` for the values a filter can hold (6 significant digits, no trailing zeros).
fn format_g(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        let m = f / 10f64.powi(exp);
        let m = format!("{m:.5}");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{f:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn value_of(n: &Node, cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>) -> Result<Val, ApplyError> {
    match n {
        Node::Param(p) => fetch(p, cell),
        other => Ok(Val::Bool(eval(other, cell)?, false)),
    }
}

fn eval(n: &Node, cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>) -> Result<bool, ApplyError> {
    match n {
        Node::Param(p) => {
            let v = fetch(p, cell)?;
            Ok(match v {
                Val::Str(s) => s.is_some_and(|s| !s.is_empty()),
                Val::Num(n, empty) => !empty && n != 0,
                Val::Float(f, empty) => !empty && f != 0.0,
                Val::Bool(b, empty) => !empty && b,
            })
        }
        Node::Not(x) => Ok(!eval(x, cell)?),
        Node::Truth(x) => eval(x, cell),
        Node::Chain(first, rest) => {
            let mut acc: Option<bool> = None;
            for (op, rhs) in rest {
                let left = match acc {
                    None => Left::Node(first),
                    Some(v) => Left::Bool(v),
                };
                acc = Some(step(*op, left, rhs, cell)?);
            }
            Ok(acc.unwrap_or(false))
        }
    }
}

/// The left operand of one step of a chain: the chain's first node, or what the steps before
/// gave (a boolean, as a node that is not a parameter is).
#[derive(Clone, Copy)]
enum Left<'a> {
    Node(&'a Node),
    Bool(bool),
}

impl Left<'_> {
    fn truth(self, cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>) -> Result<bool, ApplyError> {
        match self {
            Left::Node(n) => eval(n, cell),
            Left::Bool(b) => Ok(b),
        }
    }

    fn value(self, cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>) -> Result<Val, ApplyError> {
        match self {
            Left::Node(n) => value_of(n, cell),
            Left::Bool(b) => Ok(Val::Bool(b, false)),
        }
    }

    fn ty(self) -> Ty {
        match self {
            Left::Node(n) => node_type(n),
            Left::Bool(_) => Ty::Bool,
        }
    }

    fn is_holder(self) -> bool {
        matches!(self, Left::Node(n) if is_holder(n))
    }
}

/// One `left OP right`.
fn step(
    op: Op,
    a: Left<'_>,
    rhs: &Rhs,
    cell: &mut dyn FnMut(Col) -> Option<Vec<u8>>,
) -> Result<bool, ApplyError> {
    let b = match rhs {
        Rhs::Regex(re) => {
            // libsmartcols matches only a column or a string (a number, a boolean or an
            // expression on the left fails the filter).
            if !matches!(a, Left::Node(Node::Param(Param::Str(_) | Param::Holder(_)))) {
                return Err(ApplyError);
            }
            let Val::Str(s) = cast(a.value(cell)?, Ty::Str)? else {
                return Err(ApplyError);
            };
            return Ok(re.0.is_match(s.as_deref().unwrap_or_default()) == (op == Op::Reg));
        }
        Rhs::Node(b) => b,
    };
    match op {
        Op::And => return Ok(a.truth(cell)? && eval(b, cell)?),
        Op::Or => return Ok(a.truth(cell)? || eval(b, cell)?),
        _ => {}
    }
    let (lt, rt) = (a.ty(), node_type(b));
    let mut ty = if lt == rt {
        lt
    } else if a.is_holder() && !is_holder(b) {
        rt
    } else {
        lt
    };
    if lt != rt && ty == Ty::Num && (lt == Ty::Float || rt == Ty::Float) {
        ty = Ty::Float;
    }
    let l = cast(a.value(cell)?, ty)?;
    let r = cast(value_of(b, cell)?, ty)?;
    let ord = match (&l, &r) {
        (Val::Str(x), Val::Str(y)) => match (x, y) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        },
        (Val::Num(x, e1), Val::Num(y, e2)) => {
            if *e1 || *e2 {
                return Ok(false);
            }
            x.cmp(y)
        }
        (Val::Float(x, e1), Val::Float(y, e2)) => {
            if *e1 || *e2 {
                return Ok(false);
            }
            match x.partial_cmp(y) {
                Some(o) => o,
                None => return Ok(false),
            }
        }
        (Val::Bool(x, e1), Val::Bool(y, e2)) => {
            if *e1 || *e2 {
                return Ok(false);
            }
            x.cmp(y)
        }
        _ => return Err(ApplyError),
    };
    use std::cmp::Ordering::*;
    Ok(match op {
        Op::Eq => ord == Equal,
        Op::Ne => ord != Equal,
        Op::Le => ord != Greater,
        Op::Lt => ord == Less,
        Op::Ge => ord != Less,
        Op::Gt => ord == Greater,
        _ => return Err(ApplyError),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(expr: &str, row: &[(Col, &str)]) -> Result<bool, ApplyError> {
        let mut cols = vec![];
        let f = Filter::compile(expr.as_bytes(), &mut cols).expect("compiles");
        f.check().expect("known columns");
        f.matches(&mut |c| {
            row.iter()
                .find(|(k, _)| *k == c)
                .map(|(_, v)| v.as_bytes().to_vec())
        })
    }

    #[test]
    fn parse_errors_read_like_bison() {
        assert_eq!(
            Filter::parse(b"NS ==").unwrap_err(),
            "syntax error, unexpected end of file"
        );
        assert_eq!(
            Filter::parse(b"NS == == 1").unwrap_err(),
            "syntax error, unexpected EQ"
        );
        assert_eq!(
            Filter::parse(b"(NS").unwrap_err(),
            "syntax error, unexpected end of file"
        );
        assert_eq!(
            Filter::parse(b"NS 1").unwrap_err(),
            "syntax error, unexpected NUMBER, expecting end of file"
        );
        assert_eq!(
            Filter::parse(b"(NS 1").unwrap_err(),
            "syntax error, unexpected NUMBER"
        );
        assert_eq!(Filter::parse_echo(b"@NS == 1 # x").0, b"@#".to_vec());
        assert_eq!(Filter::parse_echo(b"@NS 1 # x").0, b"@".to_vec());
        assert!(Filter::parse(b"TYPE =~ \"(\"").is_err());
    }

    #[test]
    fn evaluates_like_libsmartcols() {
        let row = [
            (Col::Ns, "4026531833"),
            (Col::Type, "net"),
            (Col::Netnsid, "42"),
        ];
        assert!(run("TYPE == \"net\" && NETNSID == \"42\"", &row).unwrap());
        assert!(run("NS > 4026531832 and type eq 'net'", &row).unwrap());
        assert!(!run("!TYPE", &row).unwrap());
        assert!(run("TYPE =~ \"^n.t$\"", &row).unwrap());
        assert!(run("TYPE !~ \"^u\"", &row).unwrap());
        assert!(!run("PID", &row).unwrap());
        assert!(!run("PID == 0", &row).unwrap());
        assert!(run("PID != \"1\"", &row).unwrap());
        assert!(run("NS == \"4026531833\"", &row).unwrap());
        assert!(run("TYPE == 5", &row).is_err());
        // and/or share one level, grouped to the left.
        assert!(!run("TYPE == \"net\" || NS == 1 && NS == 2", &row).unwrap());
        assert!(run("(TYPE == \"x\") == false", &row).unwrap());
    }
}
