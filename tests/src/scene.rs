//! Scenes: one command line of a tool run in a throwaway world built for it, and what it did.
//!
//! A scene is a [`crate::sandbox`] (private mounts, its own tmpfs on `/run`) that also has
//! fresh network, UTS, IPC and PID namespaces with its own `/proc`. A set-up script (bash)
//! builds the state the command line is about (files under `/run/w`, processes in namespaces
//! of their own, named network namespaces) and sets shell variables; then each side (the
//! original, ours, or both one after the other) runs with stdin from `/dev/null`, under a hang
//! guard, and its stdout, stderr and status are collected. Everything in the scene dies with
//! its PID 1 when the last side is done, and its mounts go with its mount namespace, so a run
//! leaves nothing on the host, whatever the command line did.
//!
//! Words of a side may name the set-up's shell variables as `@NAME@` (`-t @T2@`): each
//! variable listed in [`Scene::vars`] is substituted inside the scene, where its value (a PID,
//! a namespace's inode number) exists.
//!
//! Two sides in one scene run in the same namespaces, each started as PID 1001
//! (`ns_last_pid`), so listings of processes and namespaces (lsns) compare byte for byte. A
//! side that changes state (unshare, nsenter, ip netns) gets a scene of its own instead.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::process::Command;

use crate::{sandbox, Outcome, SANDBOX_BIN, SANDBOX_ORACLE};

/// One program run of a scene.
#[derive(Clone, Debug)]
pub struct Side {
    /// Its path inside the scene ([`Side::original`], [`Side::ours`]).
    pub prog: OsString,
    /// argv[0].
    pub argv0: OsString,
    /// The words after argv[0]; `@NAME@` is replaced by the set-up's variable NAME.
    pub args: Vec<OsString>,
    /// A file written (under `/run/w`, after [`Scene::side_setup`]) for this side only:
    /// (name, content).
    pub file: Option<(String, Vec<u8>)>,
    /// Run through [`Scene::side_wrap`] and [`Scene::side_setup`] first: for a side that may
    /// change the scene's state. Other sides run in the scene's state as it is.
    pub fresh: bool,
}

impl Side {
    /// The oracle's program `name` (its launcher, which runs it as `name`).
    pub fn original(name: &str, argv0: &str, args: Vec<OsString>) -> Side {
        Side {
            prog: format!("{SANDBOX_ORACLE}/bin/{name}").into(),
            argv0: argv0.into(),
            args,
            file: None,
            fresh: false,
        }
    }

    /// Our binary `bin` (`lsns-rs`), from the sandbox's bind of [`crate::bin_dir`].
    pub fn ours(bin: &str, argv0: &str, args: Vec<OsString>) -> Side {
        Side {
            prog: format!("{SANDBOX_BIN}/{bin}").into(),
            argv0: argv0.into(),
            args,
            file: None,
            fresh: false,
        }
    }
}

/// What a side did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ran {
    /// It ended: output and status.
    Done(Outcome),
    /// The hang guard killed it.
    Hung(Outcome),
}

impl Ran {
    /// The outcome, whether it ended or was killed.
    pub fn outcome(&self) -> &Outcome {
        match self {
            Ran::Done(o) | Ran::Hung(o) => o,
        }
    }
}

/// A scene to run.
#[derive(Clone, Debug, Default)]
pub struct Scene {
    /// Bash run first, in `/run/w`; a failure (non-zero status) is a harness failure.
    pub setup: String,
    /// Files written under `/run/w` before the set-up: (name, content).
    pub files: Vec<(String, Vec<u8>)>,
    /// The set-up's variables that `@NAME@` in a side's words stands for.
    pub vars: Vec<&'static str>,
    /// `LANG` for the sides (LC_ALL and LC_CTYPE are unset).
    pub lang: &'static str,
    /// Seconds a side may run before it is killed.
    pub limit_secs: u32,
    /// Bash run before each [`Side::fresh`] side, in the side's own process (`/run/w` its directory), to give
    /// each side the same fresh state when several run in one scene (a new tmpfs on `/run/w`);
    /// a failure is a harness failure.
    pub side_setup: String,
    /// A command each [`Side::fresh`] side runs through, with [`Scene::side_setup`] after it (e.g. `unshare
    /// -nm --`: a fresh network and mount namespace per side).
    pub side_wrap: Vec<&'static str>,
}

/// What separates the parts of the scene's report on its stdout.
const SEP: &[u8] = b"\0@@scene@@\0";

/// The scene's driver: files, set-up, then each side ("PROG ARGV0 FRESH COUNT WORDS..." in
/// "$@").
const DRIVER: &str = r#"
export LC_ALL=C
S=/run/nsutils-scratch
mkdir -p /run/w && cd /run/w || exit 97
i=0
while v=NSF_FILE_$i; [ -n "${!v+x}" ]; do
  p=NSF_PATH_$i; printf '%s' "${!v}" > "/run/w/${!p}" || exit 97; i=$((i+1))
done
mkfifo $S/never || exit 97
# A side: its set-up, its file, then the program under its argv[0] (the words are "$@").
SIDE='cd /run/w || exit 97
if [ -n "$FRESH" ] && ! eval "$NSF_SIDE_SETUP" < /dev/null > $S/side.log 2>&1; then : > $S/$k.f; exit 97; fi
v=NSF_SIDEFILE_$k; p=NSF_SIDEPATH_$k
if [ -n "${!v+x}" ]; then printf "%s" "${!v}" > "/run/w/${!p}" || { : > $S/$k.f; exit 97; }; fi
a0=$A0; for v in ${!NSF_@} A0 S k SIDE FRESH; do unset $v; done
exec -a "$a0" "$@"'
export SIDE
if ! eval "$NSF_SETUP" < /dev/null > $S/setup.log 2>&1; then
  echo "set-up failed:" >&2; cat $S/setup.log >&2; exit 97
fi
k=0
while [ $# -gt 0 ]; do
  prog=$1 argv0=$2 FRESH=$3 n=$4; shift 4
  words=()
  for w in "${@:1:$n}"; do
    for name in $NSF_VARS; do w=${w//@$name@/${!name}}; done
    words+=("$w")
  done
  shift $n
  # The guard first, so that it is there (PID 1000) for every side's whole run: a listing
  # taken by the side must not depend on how fast the side starts.
  echo 999 > /proc/sys/kernel/ns_last_pid
  ( read -t "$NSF_LIMIT" _ <> $S/never; kill -KILL "$(cat $S/$k.p)" 2> /dev/null && : > $S/$k.h ) &
  w=$!
  ( unset LC_ALL LC_CTYPE; export LANG=$NSF_LANG S k A0=$argv0 FRESH
    if [ -n "$FRESH" ] && [ -n "$NSF_WRAP" ]; then
      exec $NSF_WRAP /bin/bash -c "$SIDE" side "$prog" "${words[@]}"
    fi
    set -- "$prog" "${words[@]}"; eval "$SIDE" ) < /dev/null > $S/$k.o 2> $S/$k.e &
  p=$!
  echo $p > $S/$k.p
  wait $p; echo $? > $S/$k.c
  kill -KILL $w 2> /dev/null; wait $w 2> /dev/null
  k=$((k+1))
done
for ((j = 0; j < k; j++)); do
  cat $S/$j.o; printf '\0@@scene@@\0'; cat $S/$j.e; printf '\0@@scene@@\0'; cat $S/$j.c
  [ -e $S/$j.h ] && printf hung
  [ -e $S/$j.f ] && printf side-setup-failed
  printf '\0@@scene@@\0'
done
"#;

impl Scene {
    /// Run the sides in this scene, one after the other; returns what each did, or why the
    /// scene itself failed (its set-up, or the whole scene killed by the outer guard).
    pub fn run(&self, sides: &[Side]) -> Result<Vec<Ran>, String> {
        let limit = self.limit_secs.max(1);
        // The outer guard: every side's limit, and time for the set-up.
        let outer = limit * sides.len() as u32 + 60;
        let mut c = Command::new("timeout");
        c.args(["-s", "KILL", &outer.to_string()])
            .args(["unshare", "-fpnui", "--mount-proc", "--kill-child", "--"])
            .args(["/bin/bash", "-c", DRIVER, "scene"]);
        for s in sides {
            c.arg(&s.prog)
                .arg(&s.argv0)
                .arg(if s.fresh { "1" } else { "" })
                .arg(s.args.len().to_string());
            c.args(&s.args);
        }
        c.env("NSF_SETUP", &self.setup)
            .env("NSF_VARS", self.vars.join(" "))
            .env("NSF_LANG", self.lang)
            .env("NSF_LIMIT", limit.to_string())
            .env("NSF_SIDE_SETUP", &self.side_setup)
            .env("NSF_WRAP", self.side_wrap.join(" "));
        for (k, side) in sides.iter().enumerate() {
            if let Some((name, content)) = &side.file {
                c.env(format!("NSF_SIDEPATH_{k}"), name)
                    .env(format!("NSF_SIDEFILE_{k}"), OsStr::from_bytes(content));
            }
        }
        for (i, (name, content)) in self.files.iter().enumerate() {
            c.env(format!("NSF_PATH_{i}"), name)
                .env(format!("NSF_FILE_{i}"), OsStr::from_bytes(content));
        }
        let all = Outcome::of(sandbox(&mut c));
        let parts = split(&all.stdout);
        if all.code != 0 || parts.len() != 3 * sides.len() {
            return Err(format!("the scene failed: {all:?}"));
        }
        if parts
            .chunks(3)
            .any(|p| p[2].ends_with(b"side-setup-failed"))
        {
            return Err("a side's set-up failed".into());
        }
        Ok(parts
            .chunks(3)
            .map(|p| {
                let status = String::from_utf8_lossy(p[2]);
                let hung = status.ends_with("hung");
                let o = Outcome {
                    stdout: p[0].to_vec(),
                    stderr: p[1].to_vec(),
                    code: status.trim_end_matches("hung").trim().parse().unwrap_or(-1),
                };
                if hung {
                    Ran::Hung(o)
                } else {
                    Ran::Done(o)
                }
            })
            .collect())
    }
}

fn split(mut s: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    while let Some(i) = s.windows(SEP.len()).position(|w| w == SEP) {
        v.push(&s[..i]);
        s = &s[i + SEP.len()..];
    }
    v
}

/// A word as bytes (for scenes built from generated words).
pub fn word(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}
