//! Batch mode (`-batch FILE`, `-` for stdin): iproute2's `getcmdline()` and `makeargs()`.
//!
//! `#` starts a comment anywhere on a line; a backslash right before the newline joins the next
//! line; words split on space, tab, CR and LF; a word that starts with `'` or `"` runs to the
//! next such quote, with no escapes. Each line is an ip command line without the `ip` word, so it
//! starts with the object: `netns ...` (ip accepts `net`, `netn`, `netns`).

use std::io::BufRead;

/// Most words a line may have (ip's `MAX_ARGS` less the terminating NULL).
pub const MAX_WORDS: usize = 511;

/// Longest logical line read, in bytes (continuations included): the kernel's limit on a
/// program's arguments (`ARG_MAX` is 2 MiB by default), so every line `exec` could run fits.
/// ip reads lines of any length and aborts when memory runs out; netns-rs reads at most this
/// much of a line and reports it (`Line N is too long`).
pub const MAX_LINE: usize = 2 << 20;

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
    /// A logical line longer than [`MAX_LINE`] (the rest of it has been skipped).
    TooLong,
    /// Reading the input failed.
    ReadError(std::io::Error),
}

/// What one physical read found.
enum Raw {
    Line(Vec<u8>),
    End,
    TooLong,
    Error(std::io::Error),
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

    /// One physical line of at most `room` bytes; a longer one is read to its end (in bounded
    /// pieces, kept nowhere) and reported as [`Raw::TooLong`].
    fn raw_line(&mut self, room: usize) -> Raw {
        let mut line = Vec::new();
        let limit = u64::try_from(room).unwrap_or(u64::MAX).saturating_add(1);
        let mut bounded = std::io::Read::take(&mut self.input, limit);
        match bounded.read_until(b'\n', &mut line) {
            Ok(0) => return Raw::End,
            Ok(_) => {}
            Err(e) => return Raw::Error(e),
        }
        self.lineno += 1;
        if line.len() <= room || line.ends_with(b"\n") && line.len() == room + 1 {
            return Raw::Line(line);
        }
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Raw::Error(e),
            };
            if buf.is_empty() {
                break;
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.input.consume(i + 1);
                    break;
                }
                None => {
                    let n = buf.len();
                    self.input.consume(n);
                }
            }
        }
        Raw::TooLong
    }

    /// The next logical line.
    pub fn next_line(&mut self) -> Line {
        let mut line = match self.raw_line(MAX_LINE) {
            Raw::Line(l) => l,
            Raw::End => return Line::End,
            Raw::TooLong => return Line::TooLong,
            Raw::Error(e) => return Line::ReadError(e),
        };
        cut_comment(&mut line);
        while let Some(at) = find_continuation(&line) {
            line.truncate(at);
            let mut next = match self.raw_line(MAX_LINE.saturating_sub(line.len())) {
                Raw::Line(l) => l,
                Raw::End => return Line::MissingContinuation,
                Raw::TooLong => return Line::TooLong,
                Raw::Error(e) => return Line::ReadError(e),
            };
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
                Line::TooLong | Line::ReadError(_) => unreachable!(),
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
    fn long_lines_are_skipped_whole() {
        let mut text = b"netns add a\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend_from_slice(b"\nnetns list\n");
        text.extend_from_slice(&[b'y'; MAX_LINE]);
        text.extend_from_slice(b"\n");
        let mut l = Lines::new(std::io::BufReader::with_capacity(4096, &text[..]));
        assert!(matches!(l.next_line(), Line::Text(t) if t == b"netns add a\n"));
        assert!(matches!(l.next_line(), Line::TooLong));
        assert_eq!(l.lineno, 2);
        assert!(matches!(l.next_line(), Line::Text(t) if t == b"netns list\n"));
        assert!(matches!(l.next_line(), Line::Text(t) if t.len() == MAX_LINE + 1));
        assert!(matches!(l.next_line(), Line::End));
    }

    #[test]
    fn objects() {
        assert!(is_netns_object(b"net"));
        assert!(is_netns_object(b"netns"));
        assert!(!is_netns_object(b"ne"));
        assert!(!is_netns_object(b"netconf"));
    }
}
