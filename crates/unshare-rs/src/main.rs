//! The `unshare-rs` executable: everything lives in the library so tests and xtask can reach it.
//!
//! `no_main`: the C library calls our `main` directly, skipping the Rust runtime's start-up,
//! which reads `/proc/self/maps` to place a stack guard for its overflow message. unshare-rs is
//! exec'd once per container or sandbox start, so the file read and the signal handlers it
//! installs are pure overhead here. `std::env::args_os` still works: on glibc, std records
//! argv from an `.init_array` hook, not from its runtime start-up.
#![no_main]

/// The process entry point called by the C library's start-up code.
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    nscore::cmdline::main_with(unshare_rs::run)
}
