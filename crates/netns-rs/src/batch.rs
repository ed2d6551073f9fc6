//! Batch mode (`-batch FILE`, `-` for stdin): iproute2's `getcmdline()` and `makeargs()`.
//!
//! `#` starts a comment anywhere on a line; a backslash right before the newline joins the next
//! line; words split on space, tab, CR and LF; a word that starts with `'` or `"` runs to the
//! next such quote, with no escapes. Each line is an ip command line without the `ip` word, so it
//! starts with the object: `netns ...` (ip accepts `net`, `netn`, `netns`).

use std::io::BufRead;

/// Most words a line may have (ip's `MAX_ARGS` less the terminating NULL).
pub const MAX_WORDS: usize = 511;

/// Why a line could not be split.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// `Unterminated quoted string`.
    Unterminated,
    /// `Too many arguments to command`.
    TooMany,
}

/// Reads command lines, counting physical lines as ip's `cmdlineno` does.
pub struct Lines<R> {
    input: R,
    /// The number of the last physical line read.
    pub lineno: usize,
}

/// What [`Lines::next_line`] found.
pub enum Line {
    /// A logical line (comments removed, continuations joined).
    Text(Vec<u8>),
    /// End of input.
    End,
    /// A continuation backslash on the last line (`Missing continuation line`); ends the batch.
    MissingContinuation,
}

fn cut_comment(line: &mut Vec<u8>) {
    if let Some(i) = line.iter().position(|&b| b == b'#') {
        line.truncate(i);
    }
}

fn find_continuation(line: &[u8]) -> Option<usize> {
    line.windows(2).position(|w| w == b"\\\n")
}

impl<R: BufRead> Lines<R> {
    /// Read from `input`.
    pub fn new(input: R) -> Self {
        Lines { input, lineno: 0 }
    }

    fn raw_line(&mut self) -> Option<Vec<u8>> {
        let mut line = Vec::new();
        match self.input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                self.lineno += 1;
                Some(line)
            }
        }
    }

    /// The next logical line.
    pub fn next_line(&mut self) -> Line {
        let Some(mut line) = self.raw_line() else {
            return Line::End;
        };
        cut_comment(&mut line);
        while let Some(at) = find_continuation(&line) {
            let Some(mut next) = self.raw_line() else {
                return Line::MissingContinuation;
            };
            line.truncate(at);
            cut_comment(&mut next);
            line.extend_from_slice(&next);
        }
        Line::Text(line)
    }
}

/// Split a line into words as `makeargs()` does.
pub fn split(line: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    // C strings end at the first NUL.
    let line = match line.iter().position(|&b| b == 0) {
        Some(i) => &line[..i],
        None => line,
    };
    let mut words = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && ws(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            break;
        }
        if words.len() >= MAX_WORDS {
            return Err(SplitError::TooMany);
        }
        let c = line[i];
        if c == b'\'' || c == b'"' {
            let start = i + 1;
            let Some(len) = line[start..].iter().position(|&b| b == c) else {
                return Err(SplitError::Unterminated);
            };
            words.push(line[start..start + len].to_vec());
            i = start + len + 1;
        } else {
            let start = i;
            while i < line.len() && !ws(line[i]) {
                i += 1;
            }
            words.push(line[start..i].to_vec());
            i += 1;
        }
    }
    Ok(words)
}

/// Whether an object word selects ip's `netns` (the first object it is a prefix of, in ip's
/// table order: `n` and `ne` are `neighbor`).
pub fn is_netns_object(word: &[u8]) -> bool {
    word.len() >= 3 && b"netns".starts_with(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split(s.as_bytes())
            .unwrap()
            .into_iter()
            .map(|w| String::from_utf8(w).unwrap())
            .collect()
    }

    #[test]
    fn makeargs() {
        assert_eq!(words("  netns add  a\t b\r\n"), ["netns", "add", "a", "b"]);
        assert_eq!(
            words("netns add \"a b\" 'c\"d'"),
            ["netns", "add", "a b", "c\"d"]
        );
        assert_eq!(words("\"a\"b"), ["a", "b"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(split(b"netns add \"x"), Err(SplitError::Unterminated));
        let many = "a ".repeat(600);
        assert_eq!(split(many.as_bytes()), Err(SplitError::TooMany));
    }

    #[test]
    fn comments_and_continuations() {
        let text = b"netns add a # c\nnetns \\\nadd b\n# only\nlast \\\n";
        let mut l = Lines::new(&text[..]);
        let mut got = Vec::new();
        loop {
            match l.next_line() {
                Line::Text(t) => got.push((String::from_utf8(t).unwrap(), l.lineno)),
                Line::End => break,
                Line::MissingContinuation => {
                    got.push(("<missing>".into(), l.lineno));
                    break;
                }
            }
        }
        assert_eq!(
            got,
            vec![
                ("netns add a ".to_string(), 1),
                ("netns add b\n".to_string(), 3),
                ("".to_string(), 4),
                ("<missing>".to_string(), 5)
            ]
        );
    }

    #[test]
    fn objects() {
        assert!(is_netns_object(b"net"));
        assert!(is_netns_object(b"netns"));
        assert!(!is_netns_object(b"ne"));
        assert!(!is_netns_object(b"netconf"));
    }
}
