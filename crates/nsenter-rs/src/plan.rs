//! Which `setns` calls to make, and in what order: util-linux 2.42's two passes, as pure logic.
//!
//! Pass 1 enters every requested namespace except the user namespace and ignores failures;
//! pass 2 enters whatever is left (the user namespace, and anything pass 1 could not enter) and
//! any failure is fatal. Namespaces taken from the target go through one `setns(pidfd, mask)`
//! per pass where the kernel supports it (>= 5.8); namespaces given as files, and every
//! namespace on older kernels, are entered one file at a time in the fixed order user, cgroup,
//! ipc, uts, net, pid, mnt, time. So root, who gives up privilege, enters the user namespace
//! last, and an unprivileged caller, whose pass 1 fails, enters it first in pass 2.
//!
//! The executor is passed in, so the planning (including the old-kernel fallback this machine
//! never takes) is tested without entering anything.

use nscore::enter::ENTER_ORDER;
use nscore::error::Errno;
use nscore::kind::{NsKind, NsKinds};

/// One `setns` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `setns(pidfd, mask)`.
    Mask(NsKinds),
    /// `setns(fd, CLONE_NEW<kind>)` on the namespace file of this kind.
    File(NsKind),
}

/// The calls of one pass over `pending` (kinds still to enter) restricted to `only`;
/// `files` are the kinds that have a file of their own (all of them when no pidfd is used).
pub fn pass_steps(pending: NsKinds, files: NsKinds, only: NsKinds, use_pidfd: bool) -> Vec<Step> {
    let mut steps = Vec::with_capacity(8);
    let wanted = NsKinds(pending.0 & only.0);
    if use_pidfd {
        let mask = NsKinds(wanted.0 & !files.0);
        if !mask.is_empty() {
            steps.push(Step::Mask(mask));
        }
    }
    for kind in ENTER_ORDER {
        if wanted.contains(kind) && (files.contains(kind) || !use_pidfd) {
            steps.push(Step::File(kind));
        }
    }
    steps
}

/// Run both passes with `exec` doing each call. Returns the set pass 2 had to enter (util-linux
/// grants `--keep-caps` only when it holds the user namespace), or the failing call of pass 2.
pub fn enter_all(
    requested: NsKinds,
    files: NsKinds,
    use_pidfd: bool,
    mut exec: impl FnMut(Step) -> Result<(), Errno>,
) -> Result<NsKinds, (Step, Errno)> {
    let mut pending = requested;
    let mut not_user = NsKinds(u32::MAX);
    not_user.remove(NsKind::User);
    for step in pass_steps(pending, files, not_user, use_pidfd) {
        if exec(step).is_ok() {
            done(&mut pending, step);
        }
    }
    let second = pending;
    for step in pass_steps(pending, files, NsKinds(u32::MAX), use_pidfd) {
        exec(step).map_err(|e| (step, e))?;
        done(&mut pending, step);
    }
    Ok(second)
}

fn done(pending: &mut NsKinds, step: Step) {
    match step {
        Step::Mask(m) => pending.0 &= !m.0,
        Step::File(k) => pending.remove(k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kinds: &[NsKind]) -> NsKinds {
        kinds.iter().copied().collect()
    }

    const ALL: [NsKind; 8] = NsKind::ALL;

    #[test]
    fn root_with_pidfd_enters_user_last_in_one_call_per_pass() {
        let req = set(&ALL);
        let mut calls = vec![];
        let second = enter_all(req, NsKinds::EMPTY, true, |s| {
            calls.push(s);
            Ok(())
        })
        .unwrap();
        let mut no_user = req;
        no_user.remove(NsKind::User);
        assert_eq!(
            calls,
            vec![Step::Mask(no_user), Step::Mask(set(&[NsKind::User]))]
        );
        assert_eq!(second, set(&[NsKind::User]));
    }

    #[test]
    fn unprivileged_with_pidfd_retries_everything_with_user_first() {
        let req = set(&[NsKind::User, NsKind::Net, NsKind::Mnt]);
        let mut calls = vec![];
        let second = enter_all(req, NsKinds::EMPTY, true, |s| {
            calls.push(s);
            match s {
                Step::Mask(m) if !m.contains(NsKind::User) => Err(Errno::PERM),
                _ => Ok(()),
            }
        })
        .unwrap();
        assert_eq!(
            calls,
            vec![
                Step::Mask(set(&[NsKind::Net, NsKind::Mnt])),
                Step::Mask(req)
            ]
        );
        assert_eq!(second, req);
    }

    #[test]
    fn old_kernels_enter_file_by_file_in_util_linux_order() {
        // The fallback (kernel < 5.8): every namespace has a file, no pidfd.
        let req = set(&ALL);
        let mut calls = vec![];
        enter_all(req, req, false, |s| {
            calls.push(s);
            Ok(())
        })
        .unwrap();
        let pass1: Vec<Step> = ENTER_ORDER[1..].iter().map(|k| Step::File(*k)).collect();
        let mut want = pass1;
        want.push(Step::File(NsKind::User));
        assert_eq!(calls, want);
    }

    #[test]
    fn old_kernels_unprivileged_user_goes_first_in_pass_two() {
        let req = set(&[NsKind::User, NsKind::Uts, NsKind::Mnt]);
        let mut in_user = false;
        let mut calls = vec![];
        enter_all(req, req, false, |s| {
            calls.push(s);
            match s {
                Step::File(NsKind::User) => {
                    in_user = true;
                    Ok(())
                }
                _ if in_user => Ok(()),
                _ => Err(Errno::PERM),
            }
        })
        .unwrap();
        use NsKind::*;
        assert_eq!(
            calls,
            vec![
                Step::File(Uts),
                Step::File(Mnt),
                Step::File(User),
                Step::File(Uts),
                Step::File(Mnt)
            ]
        );
    }

    #[test]
    fn files_and_pidfd_mix_and_pass_two_errors_are_fatal() {
        let req = set(&[NsKind::Net, NsKind::Uts, NsKind::Pid]);
        let files = set(&[NsKind::Net]);
        assert_eq!(
            pass_steps(req, files, NsKinds(u32::MAX), true),
            vec![
                Step::Mask(set(&[NsKind::Uts, NsKind::Pid])),
                Step::File(NsKind::Net)
            ]
        );
        let r = enter_all(req, files, true, |s| match s {
            Step::File(NsKind::Net) => Err(Errno::INVAL),
            _ => Ok(()),
        });
        assert_eq!(r, Err((Step::File(NsKind::Net), Errno::INVAL)));
    }
}
