//! The bench's private world and the load it measures under.
//!
//! - [`enter_private_run`]: a private mount namespace with a tmpfs over /run, so named netns
//!   the scenarios create live and die with the bench.
//! - [`Load`]: holder processes, each in fresh uts+ipc namespaces with sleeping children, all
//!   in one process group under a leader. Every process has a parent-death signal (SIGKILL),
//!   the bench is a child subreaper, and SIGINT/SIGTERM/SIGHUP kill every group before the
//!   bench exits: the load is torn down however the bench ends.
//! - [`Target`]: the process `nsenter -t` enters and `lsns -p` asks about, PID 1 of a fresh
//!   pid namespace that is also in new mount, uts, ipc, net and cgroup namespaces.
//!
//! The processes are forked from the bench itself (no exec): they share its pages copy-on-write
//! and cost a few pages each. The bench is single-threaded, so the forked children may do
//! anything; they only make raw system calls.
//!
//! xtask is a developer tool, not one of the shipped binaries; the small `unsafe` blocks here
//! call libc directly, each with its SAFETY note.

use crate::Fail;
use std::ffi::CString;
use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// Process groups to kill on a signal (0 = free slot).
static GROUPS: [AtomicI32; 4] = [const { AtomicI32::new(0) }; 4];

fn errno() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

extern "C" fn on_signal(sig: libc::c_int) {
    for g in GROUPS.iter() {
        let pg = g.load(Ordering::SeqCst);
        if pg > 0 {
            // SAFETY: kill(2) is async-signal-safe; a stale group id fails with ESRCH.
            unsafe { libc::kill(-pg, libc::SIGKILL) };
        }
    }
    // SAFETY: _exit(2) is async-signal-safe and ends the process without running Rust code.
    unsafe { libc::_exit(128 + sig) };
}

fn register(pgid: i32) {
    for g in GROUPS.iter() {
        if g.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

fn unregister(pgid: i32) {
    for g in GROUPS.iter() {
        let _ = g.compare_exchange(pgid, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// Install the teardown signal handlers and make the bench a child subreaper (orphans of the
/// load are reparented to it and reaped in [`reap_group`]).
pub fn install_teardown() -> Result<(), Fail> {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: on_signal only calls async-signal-safe functions; the handler is a plain
        // extern "C" fn valid for the whole program.
        let r = unsafe { libc::signal(sig, on_signal as *const () as libc::sighandler_t) };
        if r == libc::SIG_ERR {
            return Err(Fail(format!("signal: {}", errno())));
        }
    }
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(Fail(format!("PR_SET_CHILD_SUBREAPER: {}", errno())));
    }
    Ok(())
}

/// Enter a private mount namespace with a tmpfs over /run (and so an empty /run/netns).
pub fn enter_private_run() -> Result<(), Fail> {
    // SAFETY: unshare with a flag; the bench is single-threaded here (it has started no thread).
    if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
        return Err(Fail(format!("unshare(CLONE_NEWNS): {}", errno())));
    }
    let root = cstr("/");
    let run = cstr("/run");
    let tmpfs = cstr("tmpfs");
    let opts = cstr("mode=755");
    // SAFETY: valid C strings; a null source/type is allowed for a propagation change.
    let r = unsafe {
        libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    };
    if r != 0 {
        return Err(Fail(format!("mount --make-rprivate /: {}", errno())));
    }
    // SAFETY: valid C strings for source, target, type and data.
    let r = unsafe {
        libc::mount(
            tmpfs.as_ptr(),
            run.as_ptr(),
            tmpfs.as_ptr(),
            0,
            opts.as_ptr().cast(),
        )
    };
    if r != 0 {
        return Err(Fail(format!("mount tmpfs on /run: {}", errno())));
    }
    Ok(())
}

/// In a freshly forked child: die with the parent (`parent` is the pid it was forked from).
fn die_with_parent(parent: i32) {
    // SAFETY: prctl and getppid with integer arguments; _exit if the parent is already gone.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != parent {
            libc::_exit(0);
        }
    }
}

fn pause_forever() -> ! {
    loop {
        // SAFETY: pause(2) takes no arguments.
        unsafe { libc::pause() };
    }
}

fn fork() -> i32 {
    // SAFETY: the bench is single-threaded, so the child may run any code; every child here
    // only makes system calls and never returns into the bench's logic (it pauses or _exits).
    unsafe { libc::fork() }
}

fn pipe() -> Result<(i32, i32), Fail> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Fail(format!("pipe: {}", errno())));
    }
    Ok((fds[0], fds[1]))
}

fn close(fd: i32) {
    // SAFETY: closing an fd this code owns.
    unsafe { libc::close(fd) };
}

fn write_byte(fd: i32, b: u8) {
    // SAFETY: writing one byte from a valid stack buffer.
    unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
}

/// Kill a process group and reap until none of it is left (bounded).
fn reap_group(pgid: i32) {
    // SAFETY: kill with integer arguments.
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut st = 0;
        // SAFETY: waitpid with a valid status pointer, non-blocking.
        while unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG | libc::__WALL) } > 0 {}
        // SAFETY: signal 0 only checks for existence.
        let alive = unsafe { libc::kill(-pgid, 0) } == 0;
        if !alive || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    unregister(pgid);
}

/// A population of holder processes.
pub struct Load {
    leader: i32,
    /// Processes made (holders and their children, not counting the leader).
    pub processes: usize,
    /// Namespaces made (two per holder: uts and ipc).
    pub namespaces: usize,
}

impl Load {
    /// Make `holders` holders with `children` children each.
    pub fn spawn(holders: usize, children: usize) -> Result<Load, Fail> {
        let (rd, wr) = pipe()?;
        // SAFETY: getpid takes no arguments.
        let bench = unsafe { libc::getpid() };
        let leader = fork();
        if leader < 0 {
            return Err(Fail(format!("fork: {}", errno())));
        }
        if leader == 0 {
            // Leader: own process group, then the holders.
            // SAFETY: setpgid/getpid with integer arguments.
            unsafe { libc::setpgid(0, 0) };
            die_with_parent(bench);
            close(rd);
            // SAFETY: getpid takes no arguments.
            let me = unsafe { libc::getpid() };
            for _ in 0..holders {
                let h = fork();
                if h < 0 {
                    write_byte(wr, b'!');
                    break;
                }
                if h == 0 {
                    die_with_parent(me);
                    // SAFETY: getpid takes no arguments.
                    let holder = unsafe { libc::getpid() };
                    // SAFETY: unshare with flags, in a single-threaded child.
                    let r = unsafe { libc::unshare(libc::CLONE_NEWUTS | libc::CLONE_NEWIPC) };
                    if r != 0 {
                        write_byte(wr, b'!');
                        // SAFETY: leaving the child.
                        unsafe { libc::_exit(1) };
                    }
                    for _ in 0..children {
                        let c = fork();
                        if c == 0 {
                            close(wr);
                            die_with_parent(holder);
                            pause_forever();
                        }
                        if c < 0 {
                            write_byte(wr, b'!');
                            break;
                        }
                    }
                    write_byte(wr, b'x');
                    close(wr);
                    pause_forever();
                }
            }
            close(wr);
            pause_forever();
        }
        // SAFETY: setpgid with integer arguments (also done by the child; whichever runs first
        // wins, the other is a no-op or fails harmlessly).
        unsafe { libc::setpgid(leader, leader) };
        register(leader);
        close(wr);
        // SAFETY: rd is a pipe read end this function owns; File takes ownership.
        let mut f = unsafe { std::fs::File::from_raw_fd(rd) };
        let mut buf = Vec::new();
        let _ = f.read_to_end(&mut buf);
        let ok = buf.iter().filter(|&&b| b == b'x').count();
        let load = Load {
            leader,
            processes: ok * (1 + children),
            namespaces: ok * 2,
        };
        if buf.contains(&b'!') || ok != holders {
            drop(load);
            return Err(Fail(format!(
                "load generator: only {ok} of {holders} holders started (fork or unshare failed)"
            )));
        }
        Ok(load)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        reap_group(self.leader);
    }
}

/// The nsenter target: PID 1 of a new pid namespace, in new mnt/uts/ipc/net/cgroup namespaces.
pub struct Target {
    group: i32,
    /// Its pid as the bench sees it.
    pub pid: i32,
}

impl Target {
    /// Start it.
    pub fn spawn() -> Result<Target, Fail> {
        let (rd, wr) = pipe()?;
        // SAFETY: getpid takes no arguments.
        let bench = unsafe { libc::getpid() };
        let t = fork();
        if t < 0 {
            return Err(Fail(format!("fork: {}", errno())));
        }
        if t == 0 {
            // SAFETY: setpgid/getpid with integer arguments.
            unsafe { libc::setpgid(0, 0) };
            die_with_parent(bench);
            close(rd);
            let flags = libc::CLONE_NEWNS
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWNET
                | libc::CLONE_NEWCGROUP
                | libc::CLONE_NEWPID;
            // SAFETY: unshare with flags, in a single-threaded child.
            let r = unsafe { libc::unshare(flags) };
            if r != 0 {
                // SAFETY: leaving the child.
                unsafe { libc::_exit(1) };
            }
            let g = fork();
            if g == 0 {
                close(wr);
                // PID 1 of the new pid namespace: its parent is outside it, so getppid() is 0
                // and die_with_parent's check does not apply; the signal still does.
                // SAFETY: prctl with integer arguments.
                unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
                pause_forever();
            }
            let bytes = g.to_ne_bytes();
            // SAFETY: writing 4 bytes from a valid stack buffer.
            unsafe { libc::write(wr, bytes.as_ptr().cast(), 4) };
            close(wr);
            pause_forever();
        }
        // SAFETY: setpgid with integer arguments.
        unsafe { libc::setpgid(t, t) };
        register(t);
        close(wr);
        // SAFETY: rd is a pipe read end this function owns.
        let mut f = unsafe { std::fs::File::from_raw_fd(rd) };
        let mut buf = [0u8; 4];
        let mut target = Target { group: t, pid: 0 };
        if f.read_exact(&mut buf).is_err() {
            return Err(Fail("the nsenter target did not start".into()));
        }
        let pid = i32::from_ne_bytes(buf);
        if pid <= 0 {
            return Err(Fail("the nsenter target could not fork".into()));
        }
        target.pid = pid;
        Ok(target)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        reap_group(self.group);
    }
}

/// How many more processes this machine lets us start, and why not more: the smallest of
/// pid_max and threads-max minus what runs now, and (for non-root) RLIMIT_NPROC.
pub fn process_headroom() -> (usize, String) {
    let running = procfs::process::all_processes()
        .map(|all| all.count())
        .unwrap_or(0);
    let pid_max = procfs::sys::kernel::pid_max().map_or(32768, |n| n.max(0) as usize);
    let threads_max = procfs::sys::kernel::threads_max().map_or(usize::MAX, |n| n as usize);
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: lim is a valid rlimit struct.
    let nproc = if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut lim) } == 0 {
        lim.rlim_cur as usize
    } else {
        usize::MAX
    };
    let mut room = pid_max.min(threads_max).saturating_sub(running);
    // SAFETY: geteuid takes no arguments.
    if unsafe { libc::geteuid() } != 0 {
        room = room.min(nproc.saturating_sub(running));
    }
    let why = format!(
        "pid_max {pid_max}, threads-max {threads_max}, ulimit -u {}, {running} running",
        if nproc == libc::RLIM_INFINITY as usize {
            "unlimited".to_string()
        } else {
            nproc.to_string()
        }
    );
    (room, why)
}
