//! Hints: one extra line after an original's error message that says what to do about it.
//!
//! The originals' one-line errors rarely say why (`unshare failed: Operation not permitted`).
//! When standard error is a terminal, a tool may follow its message with one line that starts
//! with `hint: ` naming the likely cause and the fix. When it is not a terminal (a script, a
//! pipe, a log file), nothing is added, so scripts see exactly the originals' bytes.
//!
//! Every hint of every tool is a row of [`TABLE`]: the cause, the errno it answers (when one),
//! and the wording. A caller names the [`Cause`] it detected and, for rows whose wording has a
//! `{}`, the detail to put there (a sysctl name, a list of PIDs); [`show`] does the rest.
//!
//! # Example
//!
//! ```
//! use nscore::hint::{line, Cause};
//!
//! let text = line(Cause::UserNsDisabledBySysctl, "kernel.unprivileged_userns_clone=0");
//! assert!(text.starts_with("hint: ") && text.ends_with('\n'));
//! assert!(text.contains("kernel.unprivileged_userns_clone=0"));
//! ```

use rustix::io::Errno;

/// Why an operation failed, as far as a tool can tell; each has one row in [`TABLE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// unshare(2) of a kind that needs CAP_SYS_ADMIN, without privileges and without `-U`/`-r`.
    UnshareNeedsUserNs,
    /// Unprivileged user namespaces are switched off by a sysctl, named in the detail.
    UserNsDisabledBySysctl,
    /// The setgroups/gid_map ordering rule: an unprivileged gid_map write before `setgroups`
    /// was denied, or a `setgroups` write after gid_map was written (detail: what to change).
    GidMapNeedsSetgroupsDeny,
    /// A uid_map/gid_map write refused: more than the caller's own ID without newuidmap or an
    /// /etc/subuid entry (detail: what is missing).
    IdMapNeedsHelper,
    /// nsenter: fork after joining a PID namespace whose init has exited (ENOMEM).
    PidNsInitGone,
    /// nsenter: joining a user namespace without privileges (EPERM).
    JoinUserNsDenied,
    /// nsenter: joining the user namespace the caller is already in (EINVAL).
    JoinOwnUserNs,
    /// nsenter: the target process exited.
    TargetExited,
    /// netns delete: the namespace's mount is busy (detail: the PIDs holding it).
    NetnsBusy,
    /// netns: a name whose file exists but is no namespace mount (left by a failed add).
    NetnsStalePlaceholder,
    /// netns exec: the fresh /sys mount was refused (an unprivileged user namespace).
    NetnsSysRemountRefused,
    /// lsns run without root: only the caller's own processes are visible.
    LsnsUnprivileged,
}

/// One hint: the cause it answers, the errno that goes with it (if any), and its wording
/// (`{}` is replaced by the caller's detail).
#[derive(Clone, Copy, Debug)]
pub struct Hint {
    /// The cause.
    pub cause: Cause,
    /// The errno the failed call returned for this cause, where one errno identifies it.
    pub errno: Option<Errno>,
    /// The words after `hint: `.
    pub text: &'static str,
}

/// Every hint of every tool.
pub const TABLE: &[Hint] = &[
    Hint {
        cause: Cause::UnshareNeedsUserNs,
        errno: Some(Errno::PERM),
        text: "creating this namespace needs CAP_SYS_ADMIN; as an ordinary user add -r (--map-root-user) or -U (--user)",
    },
    Hint {
        cause: Cause::UserNsDisabledBySysctl,
        errno: Some(Errno::PERM),
        text: "unprivileged user namespaces (which -r and -U create) are disabled on this system by the sysctl {}; run as root or ask the administrator",
    },
    Hint {
        cause: Cause::GidMapNeedsSetgroupsDeny,
        errno: Some(Errno::PERM),
        text: "setgroups can change only before gid_map is written (an unprivileged process must deny it first): {}",
    },
    Hint {
        cause: Cause::IdMapNeedsHelper,
        errno: Some(Errno::PERM),
        text: "mapping more than your own ID needs root or the setuid newuidmap/newgidmap helpers: {}",
    },
    Hint {
        cause: Cause::PidNsInitGone,
        errno: Some(Errno::NOMEM),
        text: "the PID namespace's init process has exited, so no new process can start in it",
    },
    Hint {
        cause: Cause::JoinUserNsDenied,
        errno: Some(Errno::PERM),
        text: "entering this user namespace, or becoming uid/gid 0 in it, was refused; run as root or as the namespace's owner, or keep your own IDs with --preserve-credentials",
    },
    Hint {
        cause: Cause::JoinOwnUserNs,
        errno: Some(Errno::INVAL),
        text: "the target is in your own user namespace; leave out -U (--user), or use -a, which skips it",
    },
    Hint {
        cause: Cause::TargetExited,
        errno: Some(Errno::SRCH),
        text: "the target process has exited; pick a running process (lsns-rs lists them)",
    },
    Hint {
        cause: Cause::NetnsBusy,
        errno: Some(Errno::BUSY),
        text: "the namespace is still mounted elsewhere or in use by: {}",
    },
    Hint {
        cause: Cause::NetnsStalePlaceholder,
        errno: None,
        text: "{} is a leftover file, not a namespace mount (a failed add); `netns-rs delete` removes it",
    },
    Hint {
        cause: Cause::NetnsSysRemountRefused,
        errno: Some(Errno::PERM),
        text: "this user namespace may not mount a new /sys; run as root in the initial user namespace",
    },
    Hint {
        cause: Cause::LsnsUnprivileged,
        errno: None,
        text: "without root only your own processes' namespaces are listed; run as root to see all",
    },
];

/// The row for `cause`.
pub fn row(cause: Cause) -> &'static Hint {
    TABLE
        .iter()
        .find(|h| h.cause == cause)
        .expect("every Cause has a row in hint::TABLE")
}

/// The hint line for `cause` with `detail` in place of `{}`, newline included.
pub fn line(cause: Cause, detail: &str) -> String {
    format!("hint: {}\n", row(cause).text.replacen("{}", detail, 1))
}

/// True when standard error is a terminal, the only case in which hints are shown.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Print the hint for `cause` to standard error when it is a terminal; otherwise nothing.
pub fn show(cause: Cause, detail: &str) {
    if stderr_is_terminal() {
        crate::cmdline::write_stderr(line(cause, detail).as_bytes());
    }
}

/// Which sysctl switches unprivileged user namespaces off, if one does: the first of
/// `kernel.apparmor_restrict_unprivileged_userns` = 1, `user.max_user_namespaces` = 0 and
/// `kernel.unprivileged_userns_clone` = 0 that holds.
pub fn userns_sysctl_block() -> Option<&'static str> {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let rows = [
        (
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
            "kernel.apparmor_restrict_unprivileged_userns=1",
            "1",
        ),
        (
            "/proc/sys/user/max_user_namespaces",
            "user.max_user_namespaces=0",
            "0",
        ),
        (
            "/proc/sys/kernel/unprivileged_userns_clone",
            "kernel.unprivileged_userns_clone=0",
            "0",
        ),
    ];
    rows.iter()
        .find(|(path, _, bad)| read(path).as_deref() == Some(*bad))
        .map(|(_, name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_exactly_one_row() {
        for h in TABLE {
            assert_eq!(TABLE.iter().filter(|o| o.cause == h.cause).count(), 1);
            assert!(!h.text.ends_with('.'), "{:?}", h.cause);
        }
    }

    #[test]
    fn details_fill_the_placeholder() {
        assert_eq!(
            line(Cause::NetnsBusy, "1 2"),
            "hint: the namespace is still mounted elsewhere or in use by: 1 2\n"
        );
    }
}
