//! The `lsns-rs` executable: everything lives in the library so tests and xtask can reach it.
fn main() {
    nscore::cmdline::main_with(lsns_rs::run)
}
