//! Namespace IDs end to end (issue 16): an ID that lsns-rs prints in its ID column, given to
//! `nsenter-rs --KIND=:ID`, enters the same namespace as `nsenter-rs --KIND=/proc/PID/ns/KIND`,
//! for every kind; and netns-rs's `ns_id` key names the namespace nsenter-rs then enters.

use std::process::{Child, Command, Stdio};

use nsutils_testkit::{need_root, our_bin, procs, sandbox, Outcome};

const KINDS: [(&str, &str); 8] = [
    ("mnt", "--mount"),
    ("uts", "--uts"),
    ("ipc", "--ipc"),
    ("net", "--net"),
    ("pid", "--pid"),
    ("user", "--user"),
    ("cgroup", "--cgroup"),
    ("time", "--time"),
];

/// A process in new namespaces of every kind (its own /proc is left as it was, so `/proc/self`
/// still resolves for whoever enters its mount namespace), killed when dropped (`--kill-child`
/// takes its PID 1 along).
struct Holder {
    child: Child,
    pid: u32,
}

impl Holder {
    fn start() -> Holder {
        let mut child = Command::new("unshare")
            .args([
                "-Ur",
                "-m",
                "-u",
                "-i",
                "-n",
                "-C",
                "-T",
                "-fp",
                "--kill-child",
                "sh",
                "-c",
            ])
            .arg("echo $$; exec sleep 1000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare");
        // The forked shell prints its PID inside the new PID namespace (1); ours is its host
        // PID: the sleeping child of the unshare process.
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("holder started");
        let pid = procs::wait_for_child(
            child.id() as i32,
            "sleep",
            std::time::Duration::from_secs(30),
            "holder",
        ) as u32;
        Holder { child, pid }
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn inode(path: &str) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).expect(path).ino()
}

/// What `nsenter-rs ARG stat -L -c %i /proc/self/ns/KIND` prints.
fn inode_inside(arg: &str, kind: &str) -> Outcome {
    let o = Outcome::of(
        Command::new(our_bin("nsenter-rs"))
            .arg(arg)
            .args(["stat", "-L", "-c", "%i"])
            .arg(format!("/proc/self/ns/{kind}")),
    );
    assert_eq!(o.code, 0, "nsenter-rs {arg}: {o:?}");
    o
}

#[test]
fn lsns_ids_open_the_same_namespaces_in_nsenter() {
    if !need_root() {
        return;
    }
    let h = Holder::start();
    let list = Outcome::of(Command::new(our_bin("lsns-rs")).args(["-r", "-n", "-o", "NS,TYPE,ID"]));
    assert_eq!(list.code, 0, "{list:?}");
    let text = list.out();
    for (kind, long) in KINDS {
        let want = inode(&format!("/proc/{}/ns/{kind}", h.pid));
        let id = text
            .lines()
            .map(|l| l.split(' ').collect::<Vec<_>>())
            .find(|w| w.len() == 3 && w[0] == want.to_string() && w[1] == kind)
            .map(|w| w[2].to_string())
            .unwrap_or_else(|| panic!("no {kind} namespace {want} in lsns-rs:\n{text}"));
        assert!(id.parse::<u64>().is_ok(), "{kind}: ID {id:?}");
        let by_id = inode_inside(&format!("{long}=:{id}"), kind);
        let by_path = inode_inside(&format!("{long}=/proc/{}/ns/{kind}", h.pid), kind);
        assert_eq!(by_id, by_path, "{kind}");
        assert_eq!(by_id.out(), format!("{want}\n"), "{kind}");
    }
}

#[test]
fn netns_ns_id_opens_the_named_namespace_in_nsenter() {
    if !need_root() {
        return;
    }
    let netns = our_bin("netns-rs");
    let nsenter = our_bin("nsenter-rs");
    let script = format!(
        r#"set -e
{netns} add idtest
id=$({netns} -j list | python3 -c 'import json,sys; print([n["ns_id"] for n in json.load(sys.stdin) if n["name"] == "idtest"][0])')
a=$({nsenter} --net=:$id stat -L -c %i /proc/self/ns/net)
b=$(stat -L -c %i /run/netns/idtest)
[ "$a" = "$b" ] && echo same
{netns} delete idtest"#,
        netns = netns.display(),
        nsenter = nsenter.display(),
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-n", "/bin/bash", "-c", &script]);
    let o = Outcome::of(sandbox(&mut cmd));
    assert_eq!((o.code, o.out()), (0, "same\n".to_string()), "{o:?}");
}
