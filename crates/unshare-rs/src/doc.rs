//! `unshare-rs`'s documentation as data, for the man page and completions (`cargo xtask`).

use nscore::cmdline::doc::{opt_docs, ToolDoc, ValueHint};

use crate::cli::{help_entries, Key};

fn hint(key: Key) -> ValueHint {
    match key {
        Key::Mount
        | Key::Uts
        | Key::Ipc
        | Key::Net
        | Key::Pid
        | Key::User
        | Key::Cgroup
        | Key::Time
        | Key::LoadInterp => ValueHint::File,
        Key::MountProc | Key::MountBinfmt | Key::Root | Key::Wd => ValueHint::Dir,
        Key::MapUser | Key::Setuid => ValueHint::User,
        Key::MapGroup | Key::Setgid => ValueHint::Group,
        Key::Propagation => ValueHint::Words(&["slave", "shared", "private", "unchanged"]),
        Key::Setgroups => ValueHint::Words(&["allow", "deny"]),
        Key::MapUsers | Key::MapGroups => ValueHint::Words(&["auto", "subids", "all"]),
        _ => ValueHint::None,
    }
}

/// The documentation of `unshare-rs`.
pub fn doc() -> ToolDoc {
    ToolDoc {
        name: "unshare-rs",
        original: "unshare",
        section: 1,
        summary: "run a program in new namespaces",
        synopsis: vec!["[options] [program [argument...]]"],
        description: vec![
            "unshare-rs creates the namespaces chosen by the options, then runs program (by \
             default the user's shell, as a login shell) inside them. It is a drop-in \
             replacement for util-linux 2.42.4 unshare: same options, messages and exit codes.",
            "A namespace can be kept after the program ends by naming an existing file with \
             the long option, for example --net=/run/netns/x: the namespace is bind-mounted \
             onto it. For --pid and --time the namespace kept is the one children are created \
             in, so --pid=FILE needs --fork.",
            "User namespaces: -r and -c map one ID; --map-users and --map-groups add ranges, \
             written directly when run as root and through newuidmap(1) and newgidmap(1) \
             otherwise.",
            "--clear-env and --whitelist-env (from util-linux 2.43, which is not released \
             yet): the program starts with an empty environment, or with only the variables \
             named in the comma-separated list, in the order the environment has them (names \
             that are not set are ignored, and a list naming none keeps none). Without PATH a \
             program is still found in the C library's default path, and without SHELL the \
             login shell of the passwd entry is run when no program is given.",
            "--init (an nsutils extension, with --fork and --pid): the forked child becomes a \
             small init, PID 1 of the new PID namespace, and runs program as PID 2. It reaps \
             every child (orphans are re-parented to it), passes SIGTERM, SIGINT, SIGHUP, \
             SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH on to program (unshare-rs passes them on \
             to it), and when program ends it kills whatever is left in the namespace and exits \
             with program's status. A program killed by a signal makes unshare-rs die of the \
             same signal, as without --init. Without it, program itself is PID 1: it must reap \
             orphans, and signals it has no handler for (SIGTERM, SIGKILL sent from inside) do \
             nothing.",
        ],
        options: opt_docs(&help_entries(), crate::cli::OPTIONS, hint),
        operand_hint: ValueHint::Command,
        extra_sections: vec![],
        exit_status: vec![
            "The program's exit status. With --fork, a program killed by a signal makes \
             unshare-rs die of the same signal. 1 when unshare-rs itself fails, 126 when the \
             program cannot be run and 127 when it is not found.",
        ],
        examples: vec![
            ("unshare-rs -r id", "be root in a new user namespace"),
            (
                "unshare-rs -fp --mount-proc ps aux",
                "a new PID namespace with its own /proc",
            ),
            (
                "unshare-rs -fp --mount-proc --init make -j8",
                "a PID namespace whose init reaps orphans and passes Ctrl-C on",
            ),
            (
                "touch /run/utsns && unshare-rs --uts=/run/utsns hostname box",
                "a UTS namespace that outlives the command",
            ),
        ],
        differences: vec![
            "--help wording is our own; --version says nsutils.",
            "A helper process never outlives a failed run (it watches its parent through a \
             pidfd), and with --fork a failed persistent bind stops the program from starting.",
            "A run that fails before it executes the program unmounts the --KIND=FILE binds it \
             made.",
            "--init is an extension util-linux lacks.",
            "On a terminal, some errors are followed by a line starting with hint: that names \
             the likely cause (a missing -r, a sysctl that disables user namespaces, the \
             setgroups rule, newuidmap or /etc/subuid); scripts see the original's messages only.",
        ],
    }
}
