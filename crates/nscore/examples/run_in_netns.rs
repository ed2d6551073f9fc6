//! Run a command in another process's network namespace, as `nsenter --target PID --net`
//! does, and nothing else of it: the mount namespace, and so the files seen, stay ours.
//!
//! ```sh
//! cargo build -p nscore --example run_in_netns
//! sudo target/debug/examples/run_in_netns PID ip address
//! ```
//!
//! Entering needs CAP_SYS_ADMIN over the target's namespace: root, or the owner of the user
//! namespace it belongs to (e.g. a process started with `unshare -r -n`, entered from
//! `nsenter -U -t PID`).

use nscore::enter::setns;
use nscore::error::SysErr;
use nscore::exec::execvp;
use nscore::kind::NsKind;
use nscore::pidfd::Pinned;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

fn main() {
    nscore::cmdline::set_argv0("run_in_netns".as_ref());
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let pid = args
        .first()
        .and_then(|p| std::str::from_utf8(p.as_bytes()).ok())
        .and_then(|p| p.parse::<i32>().ok())
        .filter(|&p| p > 0);
    let (Some(pid), Some(program)) = (pid, args.get(1)) else {
        eprintln!("usage: run_in_netns PID PROGRAM [ARGUMENT...]");
        std::process::exit(2);
    };
    // Pin the target first, so a PID reused meanwhile cannot send us elsewhere; then open its
    // ns/net through the pinned /proc directory.
    let net = Pinned::new(pid, None).and_then(|mut target| target.open(c"ns/net"));
    let net = match net {
        Ok(fd) => fd,
        Err(errno) => fail(&format!(
            "cannot open /proc/{pid}/ns/net: {}",
            SysErr(errno)
        )),
    };
    if let Err(errno) = setns(&net, Some(NsKind::Net)) {
        fail(&format!(
            "cannot enter the network namespace of {pid}: {}",
            SysErr(errno)
        ));
    }
    drop(net);
    // Only returns on failure: 126 (cannot run) or 127 (not found), as nsenter.
    let err = execvp(program, &args[1..]);
    err.report();
    std::process::exit(err.exit_code());
}

fn fail(message: &str) -> ! {
    eprintln!("run_in_netns: {message}");
    std::process::exit(1);
}
