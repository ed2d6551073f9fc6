//! What netns-rs prints: stdout is collected and written in one go (as C stdio does when it is
//! not a terminal, so 1,000 names cost one `write(2)`, not 1,000), stderr messages go out at
//! once, bare, without a program-name prefix (ip prints them that way), and JSON is written
//! byte for byte as iproute2's `json_writer` writes it.

use std::cell::RefCell;
use std::io::Write;

thread_local! {
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Append bytes to stdout's buffer.
pub fn out(bytes: &[u8]) {
    OUT.with(|o| o.borrow_mut().extend_from_slice(bytes));
}

/// Write stdout's buffer now (before a fork or an exec, and after each monitor event). Write
/// errors are ignored, as ip's stdio ignores them.
pub fn flush_out() {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        if !o.is_empty() {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&o);
            let _ = stdout.flush();
            o.clear();
        }
    });
}

/// Print one message line on stderr, made of byte pieces (names may be any bytes).
pub fn say(parts: &[&[u8]]) {
    let mut line = Vec::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + 1);
    for p in parts {
        line.extend_from_slice(p);
    }
    line.push(b'\n');
    let _ = std::io::stderr().lock().write_all(&line);
}

/// `strerror(errno)` as bytes.
pub fn serr(errno: nscore::error::Errno) -> Vec<u8> {
    nscore::error::strerror(errno).into_bytes()
}

/// Flush stdout and end the process with `code` (ip's `exit()`).
pub fn die(code: i32) -> ! {
    flush_out();
    nscore::cmdline::exit(code)
}

/// `-Version`: `PROG from nsutils VERSION`.
pub fn print_version() {
    out(nscore::cmdline::version_line().as_bytes());
}

/// A JSON value as ip prints one.
pub enum JVal<'a> {
    /// A number.
    Int(i64),
    /// A string (any bytes; only the characters json_writer escapes are escaped).
    Str(&'a [u8]),
}

/// An array of flat objects, printed as iproute2's json_writer prints it (`[{"a":1}]`, or with
/// `-pretty` `[ {` / 8-space keys / `},{` / `} ]`), followed by a newline.
pub struct JsonList {
    pretty: bool,
    count: usize,
    buf: Vec<u8>,
}

impl JsonList {
    /// `[`.
    pub fn begin(pretty: bool) -> JsonList {
        JsonList {
            pretty,
            count: 0,
            buf: b"[".to_vec(),
        }
    }

    /// One object with these members, in order.
    pub fn object(&mut self, members: &[(&str, JVal<'_>)]) {
        if self.count > 0 {
            self.buf.push(b',');
        } else if self.pretty {
            self.buf.push(b' ');
        }
        self.count += 1;
        self.buf.push(b'{');
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            if self.pretty {
                self.buf.extend_from_slice(b"\n        ");
            }
            put_string(&mut self.buf, key.as_bytes());
            self.buf.push(b':');
            if self.pretty {
                self.buf.push(b' ');
            }
            match value {
                JVal::Int(n) => self.buf.extend_from_slice(n.to_string().as_bytes()),
                JVal::Str(s) => put_string(&mut self.buf, s),
            }
        }
        if self.pretty {
            self.buf.extend_from_slice(b"\n    ");
        }
        self.buf.push(b'}');
    }

    /// `]` and the newline; the whole array goes to stdout's buffer.
    pub fn end(mut self) {
        if self.pretty {
            self.buf.push(b' ');
        }
        self.buf.extend_from_slice(b"]\n");
        out(&self.buf);
    }
}

fn put_string(buf: &mut Vec<u8>, s: &[u8]) {
    buf.push(b'"');
    for &c in s {
        match c {
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            0x0c => buf.extend_from_slice(b"\\f"),
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'"' => buf.extend_from_slice(b"\\\""),
            _ => buf.push(c),
        }
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pretty: bool, objs: &[Vec<(&str, JVal<'_>)>]) -> Vec<u8> {
        let mut l = JsonList::begin(pretty);
        for o in objs {
            l.object(o);
        }
        l.buf
            .extend_from_slice(if pretty { b" ]\n" } else { b"]\n" });
        l.buf
    }

    #[test]
    fn json_as_iproute2_writes_it() {
        assert_eq!(render(false, &[]), b"[]\n");
        assert_eq!(render(true, &[]), b"[ ]\n");
        let objs = vec![
            vec![("name", JVal::Str(b"b"))],
            vec![("name", JVal::Str(b"a\"\t")), ("id", JVal::Int(5))],
        ];
        assert_eq!(
            render(false, &objs),
            b"[{\"name\":\"b\"},{\"name\":\"a\\\"\\t\",\"id\":5}]\n".to_vec()
        );
        assert_eq!(
            String::from_utf8(render(true, &objs)).unwrap(),
            "[ {\n        \"name\": \"b\"\n    },{\n        \"name\": \"a\\\"\\t\",\n        \"id\": 5\n    } ]\n"
        );
    }
}
