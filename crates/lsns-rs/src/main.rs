//! The `lsns-rs` executable: everything lives in the library so tests and xtask can reach it;
//! `nscore::tool_main!` explains why there is no Rust `main`.
#![no_main]
nscore::tool_main!(lsns_rs::run);
