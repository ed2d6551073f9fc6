//! nscore-probe: runs one nscore operation in a process of its own and prints what it saw.
//!
//! Test processes are multi-threaded, and the kernel refuses some namespace changes there
//! (`unshare(CLONE_NEWUSER)`, `setns` into a user or mount namespace), and they would leak into
//! other tests anyway. So the kernel tests in `tests/kernel.rs` call this probe instead.
//!
//! Usage: `nscore-probe unshare KIND,...` | `pid-parent` | `userns` | `enter PID KIND,...` |
//! `hold KIND,...` | `fork-exit CODE` | `fork-kill SIG` | `alloc BYTES`. Output: `KEY VALUE` lines.
//! `old-kernel ARGV0 PROGRAM ARGS...` execs PROGRAM (argv[0] ARGV0) under the test kit's 4.18
//! look-alike (`nsutils_testkit::old_kernel`); `no-listns ARGV0 PROGRAM ARGS...` the same under
//! a filter that refuses only `listns(2)` (ENOSYS).

use std::io::{BufRead, Write};

use nscore::create::{fork, wait, Forked};
use nscore::kind::NsKinds;
use nscore::proc::ProcDir;
use nscore::{nsfs, NsId, NsKind};

fn kinds(arg: &str) -> NsKinds {
    arg.split(',')
        .map(|k| k.parse::<NsKind>().unwrap_or_else(|e| fail(&e.to_string())))
        .collect()
}

fn fail(msg: &str) -> ! {
    eprintln!("nscore-probe: {msg}");
    std::process::exit(1)
}

fn me() -> ProcDir {
    ProcDir::open(std::process::id() as i32).unwrap_or_else(|e| fail(&e.to_string()))
}

fn print_ns(set: NsKinds) {
    let dir = me();
    for k in set.iter() {
        let id = dir
            .ns_for_children(k)
            .unwrap_or_else(|e| fail(&e.to_string()));
        println!("{k} {}", id.ino);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .unwrap_or_else(|| fail("missing argument"))
    };
    match arg(0) {
        "alloc" => {
            // Out of memory through nscore's global allocator (nscore::alloc).
            nscore::cmdline::set_argv0(std::ffi::OsStr::new("nscore-probe"));
            let n: usize = arg(1).parse().unwrap_or_else(|_| fail("bad size"));
            let v: Vec<u8> = Vec::with_capacity(n);
            println!("allocated {}", std::hint::black_box(v).capacity());
        }
        "unshare" => {
            let set = kinds(arg(1));
            nscore::create::unshare(set).unwrap_or_else(|e| fail(&format!("unshare failed: {e}")));
            print_ns(set);
        }
        "pid-parent" => {
            let before = me().ns(NsKind::Pid).unwrap();
            nscore::create::unshare(NsKinds::from_iter([NsKind::Pid])).unwrap();
            // pid_for_children cannot be opened before the first child exists, and the child
            // itself may not ask for its parent namespace (it is above it): make a child, then
            // look at it from here.
            match fork().unwrap_or_else(|e| fail(&e.to_string())) {
                Forked::Child => {
                    std::thread::sleep(std::time::Duration::from_secs(30));
                    nscore::create::exit_child(0)
                }
                Forked::Parent(pid) => {
                    let own = ProcDir::open(pid).unwrap().open_ns(NsKind::Pid).unwrap();
                    let parent = nsfs::parent_ns(&own).unwrap();
                    println!("ours {}", before.ino);
                    println!("new {}", NsId::from_fd(&own).unwrap().ino);
                    println!("parent {}", NsId::from_fd(&parent).unwrap().ino);
                    let _ = nscore::signal::kill(pid, 9);
                    let _ = wait(pid, false);
                }
            }
        }
        "userns" => {
            let net = me().open_ns(NsKind::Net).unwrap();
            let owner = nsfs::owner_user_ns(&net).unwrap();
            println!("owner {}", NsId::from_fd(&owner).unwrap().ino);
            println!("kind {}", nsfs::ns_kind(&owner).unwrap());
            println!("owner-uid {}", nsfs::owner_uid(&owner).unwrap());
        }
        "enter" => {
            let pid: i32 = arg(1).parse().unwrap_or_else(|_| fail("bad pid"));
            let set = kinds(arg(2));
            nscore::enter::enter_process(pid, set).unwrap_or_else(|e| fail(&e.to_string()));
            let dir = me();
            for k in set.iter() {
                println!("{k} {}", dir.ns(k).unwrap().ino);
            }
        }
        "hold" => {
            let set = kinds(arg(1));
            nscore::create::unshare(set).unwrap_or_else(|e| fail(&format!("unshare failed: {e}")));
            println!("ready {}", std::process::id());
            let _ = std::io::stdout().flush();
            // Hold the namespaces until stdin closes.
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
        }
        "fork-exit" | "fork-kill" => {
            let n: i32 = arg(1).parse().unwrap_or_else(|_| fail("bad number"));
            match fork().unwrap_or_else(|e| fail(&e.to_string())) {
                Forked::Child => {
                    if arg(0) == "fork-kill" {
                        let _ = nscore::signal::raise(n);
                    }
                    nscore::create::exit_child(n)
                }
                Forked::Parent(pid) => println!("status {:?}", wait(pid, false).unwrap()),
            }
        }
        "old-kernel" | "no-listns" => {
            use std::os::unix::process::CommandExt;
            let installed = if arg(0) == "old-kernel" {
                nsutils_testkit::old_kernel::install()
            } else {
                nsutils_testkit::old_kernel::install_no_listns()
            };
            installed.unwrap_or_else(|e| fail(&format!("cannot install the filter: {e}")));
            let err = std::process::Command::new(arg(2))
                .arg0(arg(1))
                .args(&args[3..])
                .exec();
            eprintln!("nscore-probe: cannot run {}: {err}", arg(2));
            std::process::exit(127);
        }
        other => fail(&format!("unknown probe {other}")),
    }
}
