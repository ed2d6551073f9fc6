//! Out of memory ends a tool with one message and exit status 1, as util-linux's allocation
//! helpers end its tools (`PROG: cannot allocate N bytes`), instead of Rust's default: a
//! `memory allocation of N bytes failed` line and SIGABRT.
//!
//! Every program linking nscore with its default `exit-on-oom` feature (the four tools)
//! allocates through [`ExitOnOom`], the system allocator with that one change; a program with
//! a global allocator of its own depends on nscore with `default-features = false`. The
//! failure path allocates nothing: the message is built on the stack and written straight to
//! fd 2, then the process ends with `_exit(1)`; standard output
//! not yet written is lost, and the status says the run failed. There is no recoverable
//! allocation failure in nsutils (`try_reserve` ends here too): code bounds what it reads.
//!
//! # Example
//!
//! ```
//! // With the default `exit-on-oom` feature, linking nscore installs ExitOnOom as the global
//! // allocator: allocation is as ever, only its failure differs (a message and exit 1 instead
//! // of an abort).
//! let v: Vec<u8> = Vec::with_capacity(1 << 20);
//! assert!(v.capacity() >= 1 << 20);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, except that a failed allocation ends the process cleanly.
pub struct ExitOnOom;

/// Installed by the `exit-on-oom` feature (on by default, as the tools need it); a program with
/// an allocator of its own turns the feature off.
#[cfg(feature = "exit-on-oom")]
#[global_allocator]
static GLOBAL: ExitOnOom = ExitOnOom;

/// Write `PROG: cannot allocate SIZE bytes` to stderr and `_exit(1)`, allocating nothing.
#[cold]
fn out_of_memory(size: usize) -> ! {
    let mut buf = [0u8; 160];
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if len < buf.len() {
                buf[len] = b;
                len += 1;
            }
        }
    };
    put(crate::cmdline::prog().as_bytes());
    put(b": cannot allocate ");
    let mut digits = [0u8; 24];
    put(crate::proc::decimal_cstr(&mut digits, size as u64).to_bytes());
    put(b" bytes\n");
    let _ = crate::cmdline::out::write_all_fd(2, &buf[..len]);
    // SAFETY: _exit ends the process at once; it has no preconditions.
    unsafe { libc::_exit(1) }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`; a null result never returns.
unsafe impl GlobalAlloc for ExitOnOom {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees (non-zero size layout).
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is `System`, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; the caller guarantees `new_size`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }
}
