//! # nscore: the one place nsutils talks to the kernel about namespaces
//!
//! The four nsutils binaries (`unshare-rs`, `nsenter-rs`, `lsns-rs`, `netns-rs`) parse their
//! command lines, call into this crate, and format what it returns. Every system call that
//! concerns namespaces lives here, so the `unsafe` code, the error wording and the kernel quirks
//! are in one place.
//!
//! ## Map
//! - [`map`]: hash maps with a fixed seed (no `getrandom(2)`, which std's default needs).
//! - [`kind`]: the eight namespace kinds ([`NsKind`]), their `CLONE_NEW*` flags and names.
//! - [`id`]: a namespace's identity ([`NsId`], device + inode).
//! - [`proc`]: reading a process's namespaces from `/proc` through one directory fd.
//! - [`nsfs`]: the nsfs ioctls (`NS_GET_USERNS`, `NS_GET_PARENT`, `NS_GET_NSTYPE`,
//!   `NS_GET_OWNER_UID`, `NS_GET_ID`).
//! - [`byid`]: opening a namespace by its 64-bit ID (nsfs file handles, else a search).
//! - [`listns`]: the kernel's own list of namespace IDs (`listns(2)`, Linux 6.19).
//! - [`enter`]: `setns(2)` on one fd, and on a pidfd with a mask of kinds.
//! - [`create`]: `unshare(2)`, `fork(2)` and waiting for a child.
//! - [`creds`]: groups, gid, uid, capabilities, root and cwd, set just before exec.
//! - [`idmap`]: user-namespace ID maps (`uid_map`, `gid_map`, `setgroups`, subordinate IDs).
//! - [`timens`]: time namespace clock offsets.
//! - [`netns`]: the named network namespace registry (`/run/netns`).
//! - [`pidfd`]: pidfds beyond `setns`: `pidfd_getfd`, PID:inode checks.
//! - [`display`]: POSIX regular expressions and the terminal width, for output filters.
//! - [`scan`]: discovering every namespace on the system (processes, nsfs mounts, open fds).
//! - [`mount`]: bind mounts, propagation changes, proc/sysfs mounts, unmounting.
//! - [`nsid`]: netlink namespace ids (`RTM_GETNSID`, `RTM_NEWNSID`).
//! - [`users`]: user and group names (`getpwuid_r(3)` and friends).
//! - [`getent`]: the same names without the C library's NSS, for the static build.
//! - [`signal`]: signal dispositions, masks and names.
//! - [`init`]: a minimal PID 1 for a new PID namespace (reaps, forwards signals, ends the rest).
//! - [`exec`]: replacing the process with a program or a login shell, with util-linux exit codes.
//! - [`cmdline`]: the table-driven getopt clone, `--help` rendering and the program entry point.
//! - [`alloc`]: the global allocator: out of memory is a message and exit 1, never an abort.
//! - [`error`]: the one error type, printed in util-linux wording.
//! - [`hint`]: the `hint: ` lines shown after an error on a terminal, one table for all tools.
//!
//! ## Rules
//! - Every `unsafe` block carries a `SAFETY:` comment; the crate denies undocumented ones.
//! - Functions that change the calling process's namespaces or credentials must run while the
//!   process is single-threaded (the kernel refuses `CLONE_NEWUSER` and some `setns` calls
//!   otherwise, and rustix's credential calls change only the calling thread).
//!
//! ## Example
//!
//! ```
//! use nscore::kind::NsKind;
//! use nscore::proc::ProcDir;
//!
//! // The namespaces this process is in, as `ls -l /proc/self/ns` shows them.
//! let me = ProcDir::open(nscore::create::getpid()).unwrap();
//! for kind in NsKind::ALL {
//!     match me.ns(kind) {
//!         Ok(id) => println!("{kind}:[{}]", id.ino),
//!         Err(e) => println!("{kind}: {e}"), // a kind this kernel lacks
//!     }
//! }
//! ```

#![warn(missing_docs)]

pub mod alloc;
pub mod byid;
pub mod cmdline;
pub mod create;
pub mod creds;
pub mod display;
pub mod enter;
pub mod error;
pub mod exec;
pub mod getent;
pub mod hint;
pub mod id;
pub mod idmap;
pub mod init;
pub mod kind;
pub mod listns;
pub mod map;
pub mod mount;
pub mod netns;
pub mod nsfs;
pub mod nsid;
pub mod pidfd;
pub mod proc;
pub mod scan;
pub mod signal;
pub mod timens;
pub mod users;

pub use error::{Error, Result};
pub use id::NsId;
pub use kind::NsKind;
