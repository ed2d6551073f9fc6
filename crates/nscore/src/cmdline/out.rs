//! Standard output as util-linux's C stdio and `close_stdout` handle it.
//!
//! `print!` panics when stdout fails (a full disk, a closed pipe while SIGPIPE is ignored), and
//! a tool must never panic on what a user can arrange. So the tools write through here: a buffer
//! of the stream's block size (line-buffered on a terminal), like C stdio, so a failure shows up
//! at the same point it would in C, and [`finish`] reports it in util-linux's words:
//! - a write failed while the buffer was flushed mid-stream: `PROG: write error`, exit 1;
//! - the final flush failed with EPIPE or EBADF (stdout closed, `>&-`): nothing printed, exit
//!   status unchanged (util-linux's `flush_standard_stream` takes EBADF as success);
//! - the final flush failed otherwise: `PROG: write error: <strerror>`, exit 1.
//!
//! # Example
//!
//! ```
//! use nscore::cmdline::out;
//!
//! // Buffered as C stdio buffers stdout: line by line on a terminal, in blocks otherwise.
//! out::write_str("lsns-rs would print its table here\n");
//! out::flush(); // before a fork or exec, so nothing is written twice or lost
//! ```

use std::io::Write;
use std::sync::Mutex;

use rustix::io::Errno;

struct State {
    buf: Vec<u8>,
    /// Buffer size; 0 until the first write looks at stdout.
    cap: usize,
    line_buffered: bool,
    /// A mid-stream flush failed (C's `ferror`); later output is dropped.
    failed: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    buf: Vec::new(),
    cap: 0,
    line_buffered: false,
    failed: false,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Write the whole of `bytes` to fd 1, retrying on EINTR.
fn write_fd1(bytes: &[u8]) -> Result<(), Errno> {
    write_all_fd(1, bytes)
}

/// Write the whole of `bytes` to the standard descriptor `raw` (1 or 2), retrying on EINTR. A
/// closed descriptor is an error (EBADF), as it is for C stdio.
pub(crate) fn write_all_fd(raw: i32, mut bytes: &[u8]) -> Result<(), Errno> {
    // SAFETY: the standard descriptor is borrowed only for these writes; we never close it, and
    // if it is not open the kernel answers EBADF.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(raw) };
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(Errno::IO),
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn init(st: &mut State) {
    if st.cap != 0 {
        return;
    }
    // SAFETY: as in write_fd1, a borrow of fd 1 for one call.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(1) };
    st.line_buffered = rustix::termios::isatty(fd);
    st.cap = rustix::fs::fstat(fd)
        .ok()
        .and_then(|s| usize::try_from(s.st_blksize).ok())
        .filter(|&b| b > 0)
        .unwrap_or(4096);
}

/// Append `bytes` to stdout, flushing as C stdio would.
pub fn write(bytes: &[u8]) {
    let mut st = state();
    init(&mut st);
    if st.failed {
        return;
    }
    st.buf.extend_from_slice(bytes);
    let flush_len = if st.line_buffered {
        st.buf
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
    } else {
        st.buf.len() - st.buf.len() % st.cap
    };
    if flush_len > 0 {
        let chunk: Vec<u8> = st.buf.drain(..flush_len).collect();
        if write_fd1(&chunk).is_err() {
            st.failed = true;
            st.buf.clear();
        }
    }
}

/// Append text to stdout.
pub fn write_str(text: &str) {
    write(text.as_bytes());
}

/// An [`std::io::Write`] that goes to [`write()`]; it never fails (failures are reported by
/// [`finish`]).
pub struct Sink;

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Flush what is left before a fork or an exec, so it is not written twice or lost.
pub fn flush() {
    let mut st = state();
    if st.failed || st.buf.is_empty() {
        return;
    }
    let chunk = std::mem::take(&mut st.buf);
    if write_fd1(&chunk).is_err() {
        st.failed = true;
    }
}

/// Flush at exit and say what util-linux's `close_stdout` would say; returns the exit status.
pub fn finish(code: i32) -> i32 {
    let mut st = state();
    // Anything written with std's own stdout (there should be nothing) goes first.
    let std_flush = std::io::stdout().lock().flush();
    if st.failed || std_flush.is_err() {
        super::warn("write error");
        return 1;
    }
    if st.buf.is_empty() {
        return code;
    }
    let chunk = std::mem::take(&mut st.buf);
    match write_fd1(&chunk) {
        Ok(()) => code,
        Err(Errno::PIPE | Errno::BADF) => code,
        Err(e) => {
            super::warn(format_args!("write error: {}", crate::error::SysErr(e)));
            1
        }
    }
}
