//! The world each tool's cases run in (the test kit's [`Scene`]: its own mount, net, uts, ipc
//! and pid namespaces and its own /run), and running cases through the original and ours.
//! Many cases share one scene (its set-up costs more than a case); a side that changes state
//! gets fresh state of its own first, so no case sees what another did.
//!
//! - unshare: for each side a new tmpfs on `/run/w` with a file and a directory to bind onto
//!   or run in (`/run/w/f`, `/run/w/d`).
//! - nsenter: targets: `@T1@` in the scene's namespaces, `@T2@` in new net, uts, ipc and mount
//!   namespaces, `@T3@` in a new user namespace; `/run/w/netns`, a bound network namespace.
//! - lsns: the same kinds of processes, a named network namespace with an nsid (NSFS,
//!   NETNSID), and `@NSUTS@`, `@NSNET@`, `@NSIPC@`, `@NSUSER3@`, the inode numbers of the
//!   children's namespaces. Both sides run in one scene, as the same PID, so listings compare;
//!   no operand names a namespace the lsns process itself is in (the oracle runs through its
//!   loader, so its own command line differs from ours).
//! - netns: for each side a network and mount namespace of its own with named namespaces
//!   `a` and `b` (`b` with nsid 7) in a new registry, and the case's batch file.
//!
//! The set-up uses the installed util-linux and iproute2 only to build this state.

use nsutils_testkit::scene::{word, Ran, Scene, Side};
use nsutils_testkit::{our_bin, Tool};

use super::case::Case;
use super::tables::ToolId;

/// Seconds a side may run before the scene's guard kills it.
pub const LIMIT_SECS: u32 = 10;

/// A shell function the set-ups wait with: `ready FILE...` until each exists (a child writes
/// its file once it is in its namespaces), 30 s at most.
const READY: &str = r#"
ready() { i=0; for f in "$@"; do until [ -e "$f" ]; do i=$((i+1)); [ $i -lt 3000 ] || { echo "timed out waiting for $f" >&2; return 1; }; sleep 0.01; done; done; }
"#;

const CHILDREN: &str = r#"
sleep 1000 & T1=$!
unshare -nuim --propagation private bash -c ': > /run/w/.r2; exec sleep 1000' & T2=$!
unshare -Ur bash -c ': > /run/w/.r3; exec sleep 1000' & T3=$!
ready /run/w/.r2 /run/w/.r3
"#;

/// The named network namespaces every netns case starts with.
const NETNS_STATE: &str = "printf 'netns add a\\nnetns add b\\nnetns set b 7\\n' | ip -batch -";

/// Whether a case may change the scene's state, so that its sides need fresh state of their
/// own: unshare binding a namespace onto a file (`--KIND=FILE`); netns adding, deleting, attaching
/// or numbering a namespace (or running a batch file, which may do any of it).
fn changes_state(case: &Case) -> bool {
    match case.tool {
        // `--KIND=FILE` (any abbreviation, any file: /dev/null too) binds.
        ToolId::Unshare => case.args.iter().any(|a| {
            a.starts_with(b"--")
                && a.iter()
                    .position(|&b| b == b'=')
                    .is_some_and(|i| i + 1 < a.len())
        }),
        ToolId::Netns => {
            use netns_rs::opts::{find_sub, Sub};
            case.batch.is_some()
                || case.args.iter().any(|a| {
                    matches!(
                        find_sub(a),
                        Some(Sub::Add | Sub::Delete | Sub::Attach | Sub::Set)
                    ) || a.starts_with(b"-a")
                        || a.starts_with(b"--a")
                })
        }
        _ => false,
    }
}

fn scene(tool: ToolId) -> Scene {
    let (setup, vars): (String, Vec<&'static str>) = match tool {
        ToolId::Unshare => (": > f; mkdir d".into(), vec![]),
        ToolId::Nsenter => (
            format!("{READY}{CHILDREN}: > f; mkdir d; : > netns; unshare --net=/run/w/netns true"),
            vec!["T1", "T2", "T3"],
        ),
        ToolId::Lsns => (
            format!(
                "{READY}{CHILDREN}ip netns add x; ip netns set x 3
NSUTS=$(stat -L -c %i /proc/$T2/ns/uts); NSNET=$(stat -L -c %i /proc/$T2/ns/net)
NSIPC=$(stat -L -c %i /proc/$T2/ns/ipc); NSUSER3=$(stat -L -c %i /proc/$T3/ns/user)"
            ),
            vec!["T1", "T2", "T3", "NSUTS", "NSNET", "NSIPC", "NSUSER3"],
        ),
        ToolId::Netns => (format!("{READY}{CHILDREN}mkdir d"), vec!["T1", "T2", "T3"]),
    };
    // Sides that may change state get it fresh: unshare a mount namespace of its own with a
    // new tmpfs on /run/w, netns a network and mount namespace of its own with a new registry,
    // which vanish with the side (and every bind it made: on /dev/null too).
    let (side_setup, side_wrap) = match tool {
        // Pinned to one CPU: on Linux 6.18 binding a new mount namespace (--mount=FILE) fails
        // with EINVAL when it was made on another CPU than the caller's own (per-CPU ID
        // batches; docs/KERNELS.md), for the original and ours alike, so which side got
        // which CPU decided the outcome. On one CPU the bind always works.
        ToolId::Unshare => (
            "mount -t tmpfs fuzz /run/w && cd /run/w && : > f && mkdir d".to_string(),
            vec![
                "taskset",
                "-c",
                first_cpu(),
                "unshare",
                "-m",
                "--propagation",
                "private",
                "--",
            ],
        ),
        ToolId::Netns => (
            format!("mkdir -p /run/netns && mount -t tmpfs fuzz /run/netns && {NETNS_STATE}"),
            vec!["unshare", "-nm", "--propagation", "private", "--"],
        ),
        _ => (String::new(), vec![]),
    };
    Scene {
        setup,
        files: Vec::new(),
        vars,
        lang: "C.UTF-8",
        limit_secs: LIMIT_SECS,
        side_setup,
        side_wrap,
    }
}

/// The test kit's differential pair for `tool`.
pub fn kit_tool(tool: ToolId) -> Tool {
    let ours = our_bin(tool.bin());
    match tool {
        ToolId::Netns => Tool::ip_netns(ours),
        // util-linux's lsns now and then fails silently when a process exits mid-walk.
        ToolId::Lsns => Tool::util_linux("lsns", ours).retry_silent_failures(),
        t => Tool::util_linux(t.word(), ours),
    }
}

/// Both sides of `case`, original first.
fn sides(tool: &Tool, case: &Case) -> [Side; 2] {
    let args: Vec<_> = case.args.iter().map(|a| word(a)).collect();
    let mut pair = tool.scene_sides(&args);
    let fresh = changes_state(case);
    for s in &mut pair {
        s.fresh = fresh;
        if let Some(b) = &case.batch {
            s.file = Some(("batch".into(), b.clone()));
        }
    }
    pair
}

/// Run `cases` (all of one tool) in one scene, each through the original and then ours;
/// (original, ours) for each, or why the scene failed. A case whose original failed silently
/// (lsns under churn) is run again alone.
pub fn run_many(tool: &Tool, cases: &[Case]) -> Result<Vec<(Ran, Ran)>, String> {
    let Some(first) = cases.first() else {
        return Ok(Vec::new());
    };
    let s = scene(first.tool);
    let all: Vec<Side> = cases.iter().flat_map(|c| sides(tool, c)).collect();
    let ran = s.run(&all)?;
    let mut out = Vec::with_capacity(cases.len());
    let mut it = ran.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        out.push((a, b));
    }
    for (i, pair) in out.iter_mut().enumerate() {
        for _ in 0..4 {
            let silent = tool.retry_silent
                && nsutils_testkit::original_lost_a_race(pair.0.outcome(), pair.1.outcome());
            if !silent && !kernel_flake(&cases[i], &pair.0, &pair.1) {
                break;
            }
            let again = s.run(&sides(tool, &cases[i]))?;
            let mut again = again.into_iter();
            if let (Some(a), Some(b)) = (again.next(), again.next()) {
                *pair = (a, b);
            }
        }
    }
    Ok(out)
}

/// The first CPU this process may run on (`Cpus_allowed_list` of /proc/self/status), as
/// taskset(1) takes it; "0" when it cannot be read.
fn first_cpu() -> &'static str {
    static CPU: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CPU.get_or_init(|| {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                    .map(|v| {
                        v.trim()
                            .chars()
                            .take_while(char::is_ascii_digit)
                            .collect::<String>()
                    })
            })
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "0".into())
    })
}

/// A difference the kernel makes now and then, for the original and ours alike, so the case
/// is asked again: binding a mount namespace file fails with EINVAL at times (the kernel's
/// mount-namespace loop check; COMPATIBILITY.md, unshare-rs, choices), where it otherwise
/// succeeds or fails another way.
fn kernel_flake(case: &Case, a: &Ran, b: &Ran) -> bool {
    let (a, b) = (a.outcome(), b.outcome());
    let mnt_einval = |o: &nsutils_testkit::Outcome| {
        o.err().contains("/ns/mnt on ") && o.err().contains("failed: Invalid argument")
    };
    case.tool == ToolId::Unshare && a != b && (mnt_einval(a) || mnt_einval(b))
}

/// Run one case.
pub fn run(tool: &Tool, case: &Case) -> Result<(Ran, Ran), String> {
    run_many(tool, std::slice::from_ref(case))?
        .pop()
        .ok_or_else(|| "no result".to_string())
}
