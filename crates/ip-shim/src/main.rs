//! The `ip` executable of the drop-in directory (`/usr/lib/nsutils/bin/ip`): everything lives
//! in the library; `nscore::tool_main!` explains why there is no Rust `main`.
#![no_main]
nscore::tool_main!(ip_shim::run);
