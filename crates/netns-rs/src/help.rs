//! The two summaries: `netns-rs help` (the subcommand block ip netns prints, on stderr, exit
//! 255) and `netns-rs -help` (ip's `-help` layout: usage lines, then `where` with the
//! subcommands and the options, each option shown with the shortest prefix that selects it).
//! Both are rendered from the tables in [`crate::opts`].

use crate::opts::{Key, Sub, GLOBAL_OPTS, SUBCOMMANDS};
use crate::output::{die, say};

/// The order ip's block lists the subcommands in (not the matching order).
const USAGE_ORDER: [Sub; 10] = [
    Sub::List,
    Sub::Add,
    Sub::Attach,
    Sub::Set,
    Sub::Delete,
    Sub::Identify,
    Sub::Pids,
    Sub::Exec,
    Sub::Monitor,
    Sub::ListId,
];

/// The `help` subcommand's block: `Usage:` and a tab, then one synopsis per line.
pub fn subcommand_usage() -> String {
    let mut s = String::new();
    let defs = USAGE_ORDER
        .iter()
        .filter_map(|sub| SUBCOMMANDS.iter().find(|d| d.sub == *sub));
    for (i, d) in defs.enumerate() {
        let prog = if d.synopsis.starts_with('[') {
            format!("ip {}", d.synopsis.replacen("] ", "] netns ", 1))
        } else {
            format!("ip netns {}", d.synopsis)
        };
        s.push_str(if i == 0 { "Usage:\t" } else { "\t" });
        s.push_str(&prog);
        s.push('\n');
    }
    s.push_str("NETNSID := auto | POSITIVE-INT\n");
    s
}

/// `help`: the block on stderr, exit 255.
pub fn print_subcommand_usage_and_die() -> ! {
    let text = subcommand_usage();
    say(&[text.trim_end_matches('\n').as_bytes()]);
    die(255)
}

/// The shortest prefix of an option word that selects it in [`GLOBAL_OPTS`] order, written
/// ip-style: `-a[ll]`.
fn abbreviated(index: usize) -> String {
    let word = GLOBAL_OPTS[index].def.long.unwrap_or_default();
    for n in 1..=word.len() {
        let prefix = &word.as_bytes()[..n];
        let first = GLOBAL_OPTS.iter().position(|o| {
            !o.exact
                && o.def
                    .long
                    .unwrap_or_default()
                    .as_bytes()
                    .starts_with(prefix)
        });
        if first == Some(index) {
            return if n == word.len() {
                format!("-{word}")
            } else {
                format!("-{}[{}]", &word[..n], &word[n..])
            };
        }
    }
    format!("-{word}")
}

/// `-help`'s text.
pub fn usage() -> String {
    let mut s = String::from("Usage: netns-rs [ OPTIONS ] SUBCOMMAND { ARGUMENTS }\n");
    s.push_str("       netns-rs [ -force ] -batch FILE\n");
    let subs: Vec<&str> = SUBCOMMANDS.iter().map(|d| d.words[0]).collect();
    s.push_str(&format!(
        "where  SUBCOMMAND := {{ {} }}\n",
        subs.join(" | ")
    ));
    let opts: Vec<String> = GLOBAL_OPTS
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.def.help.is_empty())
        .map(|(i, o)| match (o.def.key, o.def.value_name) {
            (Key::Batch | Key::Netns, Some(v)) => format!("{} {v}", abbreviated(i)),
            _ => abbreviated(i),
        })
        .collect();
    s.push_str(&format!("       OPTIONS := {{ {} }}\n", opts.join(" | ")));
    s
}

/// `-help`, or a usage error while reading options: the summary on stderr, exit 255.
pub fn print_usage_and_die() -> ! {
    let text = usage();
    say(&[text.trim_end_matches('\n').as_bytes()]);
    die(255)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommand_block_is_ips() {
        // The block ip netns help prints (spec §1.2), tabs included.
        assert_eq!(
            subcommand_usage(),
            "Usage:\tip netns list\n\
             \tip netns add NAME\n\
             \tip netns attach NAME PID\n\
             \tip netns set NAME NETNSID\n\
             \tip [-all] netns delete [NAME]\n\
             \tip netns identify [PID]\n\
             \tip netns pids NAME\n\
             \tip [-all] netns exec [NAME] cmd ...\n\
             \tip netns monitor\n\
             \tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n\
             NETNSID := auto | POSITIVE-INT\n"
                .replace("\n             ", "\n")
        );
    }

    #[test]
    fn abbreviations_follow_ip_order() {
        let u = usage();
        assert!(u.contains("-a[ll]"), "{u}");
        assert!(u.contains("-b[atch] FILE"), "{u}");
        assert!(u.contains("-fo[rce]"), "{u}");
        assert!(u.contains("-he[lp]"), "{u}");
        assert!(u.contains("-n[etns] NAME"), "{u}");
    }
}
