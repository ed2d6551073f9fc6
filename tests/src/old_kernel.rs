//! A Linux 4.18 look-alike on a new kernel, for the kernel core's "old kernel" run (RHEL 8's
//! 4.18 and Ubuntu 20.04's 5.4 cannot be booted here): a seccomp filter that answers ENOSYS to
//! every system call newer than 4.18 (pidfd_open, pidfd_getfd, clone3, the new mount API,
//! close_range, openat2, listns, ...) and ENOTTY to the nsfs and pidfd ioctls added since
//! (`NS_GET_ID`, `NS_GET_MNTNS_ID`, the `NS_GET_*_PIDNS` family, `PIDFD_GET_*_NAMESPACE`), and
//! the `UNAME26` personality, under which `uname(2)` reports a 2.6 release, so that the
//! originals and ours both take the release check for `setns(2)` on a pidfd (5.8) as failed.
//!
//! `nscore-probe old-kernel ARGV0 PROGRAM ARGS...` installs both and execs the program; the
//! filter and the personality are inherited by everything it runs. x86-64 only: on another
//! architecture the filter lets everything through (its system call numbers differ).
//!
//! [`install_no_listns`] is the narrow one: only `listns(2)` refused (a kernel before 6.19 as
//! far as namespace discovery goes), for lsns-rs with and without it on one kernel
//! (`nscore-probe no-listns ARGV0 PROGRAM ARGS...`, and the bench).

/// The last system call number of Linux 4.18 on x86-64 (`rseq`); 335 to 423 are unused there.
pub const LAST_4_18_SYSCALL: u32 = 334;

/// ioctl requests that 4.18 did not know on namespace files and pidfds.
pub const NEWER_IOCTLS: [u32; 16] = [
    0x8008_b705, // NS_GET_MNTNS_ID (6.8)
    0x8004_b706, // NS_GET_PID_FROM_PIDNS (6.8)
    0x8004_b707, // NS_GET_TGID_FROM_PIDNS
    0x8004_b708, // NS_GET_PID_IN_PIDNS
    0x8004_b709, // NS_GET_TGID_IN_PIDNS
    0x8008_b70d, // NS_GET_ID (6.18)
    0xff01,      // PIDFD_GET_CGROUP_NAMESPACE (6.11) ...
    0xff02,
    0xff03,
    0xff04,
    0xff05,
    0xff06,
    0xff07,
    0xff08,
    0xff09,
    0xff0a, // ... PIDFD_GET_UTS_NAMESPACE
];

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const SYS_IOCTL: u32 = 16;

fn stmt(code: u32, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u32, k: u32, jt: usize, jf: usize) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt: u8::try_from(jt).expect("a short jump"),
        jf: u8::try_from(jf).expect("a short jump"),
        k,
    }
}

/// The filter program (classic BPF over `struct seccomp_data`).
pub fn program() -> Vec<libc::sock_filter> {
    use libc::{
        BPF_ABS, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, SECCOMP_RET_ALLOW,
        SECCOMP_RET_ERRNO,
    };
    let (ld, jeq, jgt, ret) = (
        BPF_LD | BPF_W | BPF_ABS,
        BPF_JMP | BPF_JEQ | BPF_K,
        BPF_JMP | BPF_JGT | BPF_K,
        BPF_RET | BPF_K,
    );
    let n = NEWER_IOCTLS.len();
    // 0 ld arch; 1 jeq x86_64; 2 ld nr; 3 jgt 334 -> ENOSYS; 4 jeq ioctl; 5 ld args[1];
    // 6..6+n jeq request -> ENOTTY; then ALLOW, ENOSYS, ENOTTY.
    let allow = 6 + n;
    let (enosys, enotty) = (allow + 1, allow + 2);
    let mut p = vec![
        stmt(ld, 4),
        jump(jeq, AUDIT_ARCH_X86_64, 0, allow - 2),
        stmt(ld, 0),
        jump(jgt, LAST_4_18_SYSCALL, enosys - 4, 0),
        jump(jeq, SYS_IOCTL, 0, allow - 5),
        // args[1]'s low 32 bits (little-endian): offset 16 + 8.
        stmt(ld, 24),
    ];
    for (i, req) in NEWER_IOCTLS.iter().enumerate() {
        p.push(jump(jeq, *req, enotty - (6 + i) - 1, 0));
    }
    p.push(stmt(ret, SECCOMP_RET_ALLOW));
    p.push(stmt(ret, SECCOMP_RET_ERRNO | libc::ENOSYS as u32));
    p.push(stmt(ret, SECCOMP_RET_ERRNO | libc::ENOTTY as u32));
    p
}

/// Make the calling process (and whatever it execs) see the 4.18 look-alike: the `UNAME26`
/// personality and the filter of [`program`]. Without CAP_SYS_ADMIN the filter needs
/// `no_new_privs`, which is then set (set-user-ID programs then lose their power).
pub fn install() -> std::io::Result<()> {
    const UNAME26: libc::c_ulong = 0x0002_0000;
    // SAFETY: personality(0xffffffff) only reads the current persona.
    let now = unsafe { libc::personality(0xffff_ffff) };
    if now == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: personality() with a persona value changes only this process's persona.
    if unsafe { libc::personality(now as libc::c_ulong | UNAME26) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    load(&program(), !rustix::process::geteuid().is_root())
}

/// Install the seccomp filter `prog` on the calling thread, setting `no_new_privs` first when
/// asked (the kernel requires it without CAP_SYS_ADMIN). Only `prctl(2)`, no allocation: usable
/// between fork and exec.
fn load(prog: &[libc::sock_filter], no_new_privs: bool) -> std::io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integers.
    if no_new_privs && unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fprog` points at `prog`, which outlives the call; the kernel only reads the
    // program (and copies it).
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &fprog as *const libc::sock_fprog,
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// `__NR_listns` on x86-64 (Linux 6.19).
pub const SYS_LISTNS: u32 = 470;

/// The filter of [`install_no_listns`]: ENOSYS for `listns(2)`, everything else allowed.
const NO_LISTNS: [libc::sock_filter; 6] = {
    const LD: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    const fn f(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
        libc::sock_filter { code, jt, jf, k }
    }
    // 0 ld arch; 1 jeq x86_64 else ALLOW; 2 ld nr; 3 jeq listns else ALLOW; 4 ENOSYS; 5 ALLOW.
    [
        f(LD, 0, 0, 4),
        f(JEQ, 0, 3, AUDIT_ARCH_X86_64),
        f(LD, 0, 0, 0),
        f(JEQ, 0, 1, SYS_LISTNS),
        f(RET, 0, 0, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32),
        f(RET, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
};

/// A kernel without `listns(2)` (before 6.19) on one that has it: a seccomp filter that
/// answers ENOSYS to that call alone, as an older kernel or a container runtime's filter does.
/// lsns-rs then takes the discovery it has without the call, so one binary can be compared
/// with and without it on one kernel (the bench's `no-listns` rows; `nscore-probe no-listns`
/// for checks by hand). Sets `no_new_privs`. Only `prctl(2)` on constant data, no allocation:
/// usable between fork and exec (`pre_exec`).
pub fn install_no_listns() -> std::io::Result<()> {
    load(&NO_LISTNS, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_listns_jumps_land_on_the_returns() {
        let p = super::NO_LISTNS;
        let (enosys, allow) = (p.len() - 2, p.len() - 1);
        assert_eq!(1 + 1 + p[1].jf as usize, allow);
        assert_eq!(3 + 1 + p[3].jf as usize, allow);
        assert_eq!(3 + 1 + p[3].jt as usize, enosys);
    }

    /// Under the filter a process runs normally and listns(2) answers ENOSYS.
    #[test]
    fn no_listns_refuses_only_listns() {
        use std::os::unix::process::CommandExt;
        let mut c = std::process::Command::new("/bin/true");
        // SAFETY: the hook makes prctl(2) calls on constant data only.
        unsafe { c.pre_exec(super::install_no_listns) };
        assert!(c.status().unwrap().success());
    }

    #[test]
    fn jumps_land_on_the_returns() {
        let p = super::program();
        let last = p.len() - 1;
        // The arch check's false branch and the ioctl check's false branch reach ALLOW.
        assert_eq!(1 + 1 + p[1].jf as usize, last - 2);
        assert_eq!(4 + 1 + p[4].jf as usize, last - 2);
        assert_eq!(3 + 1 + p[3].jt as usize, last - 1);
        for (i, ins) in p.iter().enumerate().take(last - 2).skip(6) {
            assert_eq!(i + 1 + ins.jt as usize, last, "instruction {i}");
        }
    }
}
