//! Create a user namespace and a network namespace in it, as any user can (where the
//! distribution allows unprivileged user namespaces), and print the new network namespace's
//! inode and 64-bit ID. `unshare --user --map-root-user --net` does the same before it runs a
//! program.
//!
//! ```sh
//! cargo run -p nscore --example new_user_net
//! ```
//!
//! A program that has started threads must do this in a child instead
//! (`nscore::create::run_in_child`): the kernel refuses CLONE_NEWUSER to a threaded process.
//! This one has a single thread.

use nscore::create::unshare;
use nscore::creds::effective_ids;
use nscore::idmap::{self, IdKind};
use nscore::kind::{NsKind, NsKinds};
use nscore::{nsfs, Error, NsId};

fn main() {
    if let Err(e) = run() {
        eprintln!("new_user_net: {e}");
        std::process::exit(1);
    }
}

fn run() -> nscore::Result<()> {
    let before = NsId::from_path("/proc/self/ns/net")?;
    let (uid, gid) = effective_ids();
    unshare(NsKinds::from_iter([NsKind::User, NsKind::Net]))
        .map_err(|errno| Error::sys("unshare failed", errno))?;
    // Be root inside, as `unshare -r`: setgroups denied, then one ID mapped each way.
    idmap::write_setgroups(false)?;
    idmap::map_single(IdKind::Uid, 0, uid)?;
    idmap::map_single(IdKind::Gid, 0, gid)?;

    let net = std::fs::File::open("/proc/self/ns/net")
        .map_err(|e| Error::msg(format!("cannot open /proc/self/ns/net: {e}")))?;
    let after = NsId::from_fd(&net)?;
    assert_ne!(before, after);
    println!("new network namespace: net:[{}]", after.ino);
    match nsfs::ns_id(&net) {
        Ok(id) => println!("its ID: {id}"),
        Err(Error::IoctlUnsupported { .. }) => {
            println!("its ID: none (namespace IDs came with Linux 6.18)")
        }
        Err(e) => return Err(e),
    }
    println!("we are uid {} in it", effective_ids().0);
    Ok(())
}
