//! What netns-rs prints: stdout is buffered as C stdio buffers it (line by line on a terminal,
//! in blocks of the stream's block size otherwise, so 1,000 names cost a few `write(2)`s, not
//! 1,000), which also keeps stdout and stderr interleaved where ip's are (a terminal shows a
//! name before the error about the next entry). stderr messages go out at once, bare, without a
//! program-name prefix (ip prints them that way), and JSON is written byte for byte as
//! iproute2's `json_writer` writes it.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;

struct Out {
    buf: Vec<u8>,
    /// A duplicate of fd 1, written to without std's own stdout buffer (which would keep what
    /// a failed write left and report it at exit; ip ignores stdout errors).
    file: Option<std::fs::File>,
    /// 0 until the first write looks at stdout.
    cap: usize,
    line_buffered: bool,
    /// The first write error, if one happened.
    failed: Option<std::io::Error>,
}

thread_local! {
    static OUT: RefCell<Out> = const {
        RefCell::new(Out {
            buf: Vec::new(),
            file: None,
            cap: 0,
            line_buffered: false,
            failed: None,
        })
    };
}

impl Out {
    fn init(&mut self) {
        if self.cap != 0 {
            return;
        }
        let stdout = std::io::stdout();
        self.line_buffered = stdout.is_terminal();
        self.file = stdout
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::fs::File::from);
        self.cap = self
            .file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .and_then(|m| usize::try_from(m.blksize()).ok())
            .filter(|&b| b > 0)
            .unwrap_or(4096);
    }

    /// Write the first `len` buffered bytes. ip's stdio ignores errors; netns-rs remembers the
    /// first, so the exit status can tell (see [`finish`]).
    fn write_out(&mut self, len: usize) {
        let chunk: Vec<u8> = self.buf.drain(..len).collect();
        if let Some(f) = &mut self.file {
            if let Err(e) = f.write_all(&chunk) {
                self.failed.get_or_insert(e);
            }
        }
    }
}

/// Append bytes to stdout's buffer, writing out what C stdio would write by now: every
/// complete line on a terminal, whole blocks otherwise.
pub fn out(bytes: &[u8]) {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        o.init();
        o.buf.extend_from_slice(bytes);
        let len = if o.line_buffered {
            o.buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1)
        } else {
            o.buf.len() - o.buf.len() % o.cap
        };
        if len > 0 {
            o.write_out(len);
        }
    });
}

/// Write stdout's buffer now (before a fork or an exec, and after each monitor event).
pub fn flush_out() {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        if !o.buf.is_empty() {
            o.init();
            let len = o.buf.len();
            o.write_out(len);
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

/// Whether a write to stdout has failed (checked by `monitor`, which would otherwise go on
/// forever writing nowhere).
pub fn stdout_failed() -> bool {
    OUT.with(|o| o.borrow().failed.is_some())
}

/// Flush stdout and give the exit status for `code`: 1 instead of 0 when some of stdout could
/// not be written (ip exits 0 with its output lost), saying why unless the reader went away
/// (`EPIPE`, where a pipeline like `| head -1` wants no message).
pub fn finish(code: i32) -> i32 {
    flush_out();
    let failed = OUT.with(|o| o.borrow_mut().failed.take());
    match failed {
        Some(e) if code == 0 => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let e = nscore::error::Errno::from_io_error(&e).unwrap_or(nscore::error::Errno::IO);
                say(&[b"write error: ", &serr(e)]);
            }
            1
        }
        _ => code,
    }
}

/// Flush stdout and end the process with `code` (ip's `exit()`; see [`finish`]).
pub fn die(code: i32) -> ! {
    let code = finish(code);
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
    /// An unsigned 64-bit number (a namespace ID).
    Uint(u64),
    /// A string (any bytes; only the characters json_writer escapes are escaped).
    Str(&'a [u8]),
}

/// An array of flat objects, printed as iproute2's json_writer prints it (`[{"a":1}]`, or with
/// `-pretty` `[ {` / 8-space keys / `},{` / `} ]`), followed by a newline.
pub struct JsonList {
    pretty: bool,
    count: usize,
    members: usize,
    buf: Vec<u8>,
}

impl JsonList {
    /// `[`.
    pub fn begin(pretty: bool) -> JsonList {
        JsonList {
            pretty,
            count: 0,
            members: 0,
            buf: b"[".to_vec(),
        }
    }

    /// One object with these members, in order.
    pub fn object(&mut self, members: &[(&str, JVal<'_>)]) {
        self.open_object();
        for (key, value) in members {
            self.member(key, value);
        }
        self.close_object();
    }

    /// `{` (after a `,` from the object before).
    pub fn open_object(&mut self) {
        if self.count > 0 {
            self.buf.push(b',');
        } else if self.pretty {
            self.buf.push(b' ');
        }
        self.count += 1;
        self.members = 0;
        self.buf.push(b'{');
    }

    /// One member of the open object.
    pub fn member(&mut self, key: &str, value: &JVal<'_>) {
        if self.members > 0 {
            self.buf.push(b',');
        }
        self.members += 1;
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
            JVal::Uint(n) => self.buf.extend_from_slice(n.to_string().as_bytes()),
            JVal::Str(s) => put_string(&mut self.buf, s),
        }
    }

    /// `}`.
    pub fn close_object(&mut self) {
        if self.pretty {
            self.buf.extend_from_slice(b"\n    ");
        }
        self.buf.push(b'}');
    }

    /// Hand what is rendered so far to stdout, as ip's json_writer has by this point (so an
    /// error printed next lands where ip's does on a terminal).
    pub fn emit(&mut self) {
        out(&std::mem::take(&mut self.buf));
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
            // iproute2 7.x: other control characters and DEL as \u00XX (lower-case hex).
            0..0x20 | 0x7f => buf.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
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
        assert_eq!(
            render(false, &[vec![("name", JVal::Str(b"a\x01\x1f\x7f\xff"))]]),
            b"[{\"name\":\"a\\u0001\\u001f\\u007f\xff\"}]\n".to_vec()
        );
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
