//! One fuzz case: a tool, its argument words and (for `ip -batch`) the batch file's content;
//! and its one-line text form, used in reports and in the regression corpus:
//!
//! ```text
//! lsns -Q 'NSFS >= 0'
//! netns +batch $'netns add a\nnetns bogus\n' -b /run/w/batch
//! ```
//!
//! Words are shell-quoted (`'...'`, and `$'...'` with `\xHH`, `\n`, `\t`, `\\`, `\'` where a
//! word has bytes outside printable ASCII), so a line can be read and pasted by a person.
//! `+batch WORD` after the tool gives the batch file.

use super::tables::ToolId;

/// A generated command line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    pub tool: ToolId,
    pub args: Vec<Vec<u8>>,
    /// The content of the batch file (`/run/w/batch`), for netns-rs.
    pub batch: Option<Vec<u8>>,
}

/// `w` quoted for a shell.
pub fn quote(w: &[u8]) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_=+/.,:@%^".contains(&b);
    if !w.is_empty() && w.iter().all(|&b| plain(b)) {
        return String::from_utf8_lossy(w).into_owned();
    }
    if w.iter().all(|&b| (b' '..=b'~').contains(&b) && b != b'\'') {
        return format!("'{}'", String::from_utf8_lossy(w));
    }
    let mut s = String::from("$'");
    for &b in w {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            b' '..=b'~' => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('\'');
    s
}

/// The words of a line written by [`Case::line`] (or by a person in the same style).
fn unquote_words(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let b = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
            continue;
        }
        let mut w = Vec::new();
        while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
            if b[i] == b'\'' {
                let end = b[i + 1..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .ok_or("unterminated '")?;
                w.extend_from_slice(&b[i + 1..i + 1 + end]);
                i += end + 2;
            } else if b[i..].starts_with(b"$'") {
                i += 2;
                loop {
                    match b.get(i) {
                        None => return Err("unterminated $'".into()),
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let c = *b.get(i + 1).ok_or("dangling \\")?;
                            i += 2;
                            match c {
                                b'n' => w.push(b'\n'),
                                b't' => w.push(b'\t'),
                                b'r' => w.push(b'\r'),
                                b'x' => {
                                    let hex = line.get(i..i + 2).ok_or("short \\x")?;
                                    w.push(
                                        u8::from_str_radix(hex, 16)
                                            .map_err(|e| format!("\\x{hex}: {e}"))?,
                                    );
                                    i += 2;
                                }
                                other => w.push(other),
                            }
                        }
                        Some(&c) => {
                            w.push(c);
                            i += 1;
                        }
                    }
                }
            } else {
                w.push(b[i]);
                i += 1;
            }
        }
        words.push(w);
    }
    Ok(words)
}

impl Case {
    /// The case as one line.
    pub fn line(&self) -> String {
        let mut s = self.tool.word().to_string();
        if let Some(b) = &self.batch {
            s.push_str(" +batch ");
            s.push_str(&quote(b));
        }
        for a in &self.args {
            s.push(' ');
            s.push_str(&quote(a));
        }
        s
    }

    /// Read a line written by [`Case::line`].
    pub fn parse(line: &str) -> Result<Case, String> {
        let mut words = unquote_words(line)?.into_iter();
        let tool_word = words.next().ok_or("an empty line")?;
        let tool = ToolId::from_word(&String::from_utf8_lossy(&tool_word))
            .ok_or_else(|| format!("unknown tool in {line:?}"))?;
        let mut rest: Vec<Vec<u8>> = words.collect();
        let mut batch = None;
        if rest.first().is_some_and(|w| w == b"+batch") {
            if rest.len() < 2 {
                return Err(format!("+batch without its content in {line:?}"));
            }
            batch = Some(rest.remove(1));
            rest.remove(0);
        }
        Ok(Case {
            tool,
            args: rest,
            batch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        for args in [
            vec![b"-Q".to_vec(), b"NSFS >= 0".to_vec()],
            vec![
                b"\xff\xfe".to_vec(),
                b"a\nb".to_vec(),
                b"".to_vec(),
                b"it's".to_vec(),
            ],
            vec![
                b"--map-users=0:1000:1".to_vec(),
                b"$x".to_vec(),
                b"\\x41".to_vec(),
            ],
        ] {
            let c = Case {
                tool: ToolId::Lsns,
                args,
                batch: Some(b"netns add a\n# c\n".to_vec()),
            };
            assert_eq!(Case::parse(&c.line()).unwrap(), c, "{}", c.line());
        }
        assert_eq!(
            Case::parse("lsns -Q 'NSFS >= 0'").unwrap().args[1],
            b"NSFS >= 0"
        );
    }
}
