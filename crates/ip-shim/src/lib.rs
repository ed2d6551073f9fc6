//! The `ip` of nsutils' drop-in directory (`/usr/lib/nsutils/bin`). With that directory first
//! in `PATH`, `ip [GLOBAL-OPTIONS] netns ...` runs netns-rs in this process, and every other
//! command line (`ip link`, `ip -n NAME link`, `ip -batch FILE`, `ip -V`, ...) is handed
//! unchanged to iproute2's ip, found by [`real_ip`] without ever running this program again.
//!
//! [`route`] decides which, reading ip's global options with netns-rs's own table, so both
//! agree on what a prefix such as `-n` or `-a` means.

pub mod real_ip;
pub mod route;

use std::ffi::OsString;

/// Run as ip with `args` (argv[0] included); returns the exit status (only when netns-rs ran or
/// the real ip could not be started).
pub fn run(args: Vec<OsString>) -> i32 {
    match route::route(&args) {
        route::Route::Netns(netns_args) => netns_rs::run(netns_args),
        route::Route::Ip => real_ip::exec(&args),
    }
}
