//! List every namespace this process can see, with its kind, inode, 64-bit ID and owner: a
//! small `lsns`. The owner is the owning user namespace's inode and the uid of the process
//! that represents the namespace (or of the user namespace's creator, for one held only by a
//! file descriptor or a mount).
//!
//! ```sh
//! cargo run -p nscore --example list_namespaces
//! ```
//!
//! Run it as root to see every process's namespaces; an ordinary user sees those of its own
//! processes.

use nscore::mount::read_mountinfo;
use nscore::scan::{scan, ScanRequest};

fn main() {
    if let Err(e) = list() {
        eprintln!("list_namespaces: {e}");
        std::process::exit(1);
    }
}

fn list() -> nscore::Result<()> {
    let request = ScanRequest {
        // The owning user namespace of each, its 64-bit ID (Linux 6.18+), and process owners.
        related: true,
        id: true,
        uid: true,
        ..ScanRequest::default()
    };
    let found = scan(request, &read_mountinfo()?)?;
    println!(
        "{:<7} {:>10} {:>12} {:>10} {:>6} {:>6}",
        "KIND", "INODE", "ID", "OWNER-NS", "UID", "PROCS"
    );
    for ns in &found.namespaces {
        let uid = ns
            .rep
            .map_or(ns.owner_uid, |i| found.procs[i].uid)
            .to_string();
        let id = ns.id.map_or_else(|| "-".to_string(), |id| id.to_string());
        let owner = if ns.owner == 0 {
            "-".to_string()
        } else {
            ns.owner.to_string()
        };
        println!(
            "{:<7} {:>10} {:>12} {:>10} {:>6} {:>6}",
            ns.kind.name(),
            ns.ino,
            id,
            owner,
            uid,
            ns.nprocs
        );
    }
    Ok(())
}
