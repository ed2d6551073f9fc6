//! Shell completions (bash, zsh, fish) rendered from a [`ToolDoc`]: every option, and values by
//! [`ValueHint`] (namespace types, lsns column words, netns names from /run/netns, PIDs from
//! /proc, files, users and groups). Small hand-written generators; the bash one needs no
//! bash-completion helpers (it uses them for the program's own arguments when they exist).

use crate::tools::{ip_style, NETNS_NAME_SUBCOMMANDS, NETNS_SUBCOMMANDS};
use nscore::cmdline::doc::{OptDoc, ToolDoc, ValueHint};
use nscore::cmdline::getopt::HasArg;

/// A shell identifier from a binary name (`lsns-rs` → `lsns_rs`).
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Single-quote for sh/bash/zsh/fish (`'` → `'\''`; fish accepts `\'` inside quotes too, but
/// the close-escape-reopen form works in all four).
fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The first line of an option's help, for the one-line descriptions zsh and fish show.
fn summary(o: &OptDoc) -> &str {
    o.help.lines().next().unwrap_or("").trim()
}

/// The option's spellings (`-m`, `--mount`; `-all` for ip-style tools).
fn spellings(o: &OptDoc, long_dash: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(c) = o.short {
        v.push(format!("-{c}"));
    }
    if let Some(l) = o.long {
        v.push(format!("{long_dash}{l}"));
    }
    v
}

/// The words that select option `o` on the command line. For ip-style tools: every prefix of
/// its name (with one or two dashes) that ip resolves to it, taking the first option in table
/// order whose name starts with the prefix (spec ip-netns.md 1.1).
fn selectors(doc: &ToolDoc, o: &OptDoc, long_dash: &str) -> Vec<String> {
    if !ip_style(doc) {
        return spellings(o, long_dash);
    }
    let Some(name) = o.long else {
        return spellings(o, long_dash);
    };
    let mut v = Vec::new();
    for end in 1..=name.len() {
        let p = &name[..end];
        let first = doc
            .options
            .iter()
            .find(|x| x.long.is_some_and(|l| l.starts_with(p)));
        if first.is_some_and(|x| x.long == o.long) {
            v.push(format!("-{p}"));
            v.push(format!("--{p}"));
        }
    }
    v
}

/// For an option whose value is a user or group given as a number only (unshare's and
/// nsenter's `-S <uid>`, `-G <gid>`: the value name offers no `<name>`, and the originals reject
/// names), the getent database whose third field lists the candidates.
fn numeric_id_db(o: &OptDoc) -> Option<&'static str> {
    let numbers_only = !crate::man::value_name_bare(o).is_some_and(|v| v.contains("name"));
    match o.hint {
        ValueHint::User if numbers_only => Some("passwd"),
        ValueHint::Group if numbers_only => Some("group"),
        _ => None,
    }
}

/// Bash code that fills COMPREPLY for the value of option `o`.
fn bash_opt_value(o: &OptDoc) -> Option<String> {
    match numeric_id_db(o) {
        Some(db) => Some(format!(
            "COMPREPLY=( $(compgen -W \"$(getent {db} 2>/dev/null | cut -d: -f3)\" -- \"$cur\") )"
        )),
        None => bash_value(o.hint),
    }
}

/// Bash code that fills COMPREPLY for a value of kind `hint`, completing the word in `$cur`.
fn bash_value(hint: ValueHint) -> Option<String> {
    let words = |w: &[&str]| w.join(" ");
    Some(match hint {
        ValueHint::None => return None,
        ValueHint::File => "COMPREPLY=( $(compgen -f -- \"$cur\") ); compopt -o filenames 2>/dev/null".into(),
        ValueHint::Dir => "COMPREPLY=( $(compgen -d -- \"$cur\") ); compopt -o filenames 2>/dev/null".into(),
        ValueHint::Pid => "COMPREPLY=( $(compgen -W \"$(cd /proc 2>/dev/null && printf '%s ' [0-9]*)\" -- \"$cur\") )".into(),
        ValueHint::User => "COMPREPLY=( $(compgen -u -- \"$cur\") )".into(),
        ValueHint::Group => "COMPREPLY=( $(compgen -g -- \"$cur\") )".into(),
        ValueHint::Command => "COMPREPLY=( $(compgen -c -- \"$cur\") )".into(),
        ValueHint::Words(w) => format!("COMPREPLY=( $(compgen -W {} -- \"$cur\") )", sq(&words(w))),
        ValueHint::WordList(w) => format!(
            "local pre=\"\" last=\"$cur\"; if [[ $cur == *,* ]]; then pre=\"${{cur%,*}},\"; last=\"${{cur##*,}}\"; fi\n\
             \x20       COMPREPLY=( $(compgen -P \"$pre\" -W {} -- \"$last\") ); compopt -o nospace 2>/dev/null",
            sq(&words(w))
        ),
        ValueHint::NetnsName => "COMPREPLY=( $(compgen -W \"$(ls /run/netns 2>/dev/null)\" -- \"$cur\") )".into(),
    })
}

/// The bash completion script for one tool (registered for `doc.name`).
pub fn bash(doc: &ToolDoc) -> String {
    let f = format!("_nsutils_{}", ident(doc.name));
    let long_dash = if ip_style(doc) { "-" } else { "--" };
    let all: Vec<String> = doc
        .options
        .iter()
        .flat_map(|o| spellings(o, long_dash))
        .collect();
    // Options whose argument is the next word (required arguments).
    let takes_next: Vec<String> = doc
        .options
        .iter()
        .filter(|o| o.has_arg == HasArg::Required)
        .flat_map(|o| selectors(doc, o, long_dash))
        .collect();

    let mut s = String::new();
    s.push_str(&format!(
        "# bash completion for {} (nsutils); generated by cargo xtask from the tool's option table.\n",
        doc.name
    ));
    s.push_str(&format!("{f}()\n{{\n"));
    s.push_str("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" attached=0 i\n");
    s.push_str("    [ \"$COMP_CWORD\" -gt 0 ] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n");
    s.push_str("    # `--opt=value` is split by COMP_WORDBREAKS into `--opt` `=` `value`.\n");
    s.push_str("    if [ \"$cur\" = \"=\" ]; then cur=\"\"; attached=1\n");
    s.push_str("    elif [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -gt 1 ]; then prev=\"${COMP_WORDS[COMP_CWORD-2]}\"; attached=1\n");
    s.push_str("    fi\n");

    // Option values.
    let mut cases = String::new();
    for o in &doc.options {
        if o.has_arg == HasArg::No {
            continue;
        }
        let Some(code) = bash_opt_value(o) else {
            continue;
        };
        let names: Vec<String> = match o.has_arg {
            HasArg::Required => selectors(doc, o, long_dash),
            // Optional arguments only count when attached: `--mount=FILE`.
            _ => o
                .long
                .map(|l| format!("{long_dash}{l}"))
                .into_iter()
                .collect(),
        };
        if names.is_empty() {
            continue;
        }
        let guard = if o.has_arg == HasArg::Optional {
            "[ \"$attached\" = 1 ] || return 0; "
        } else {
            ""
        };
        cases.push_str(&format!(
            "        {})\n            {guard}{code}\n            return 0;;\n",
            names.join("|")
        ));
    }
    if !cases.is_empty() {
        s.push_str("    case \"$prev\" in\n");
        s.push_str(&cases);
        s.push_str("    esac\n");
    }

    // Find the operands before the cursor (skipping options and the words they consume).
    s.push_str("    local -a operands=()\n    local skip=0 ddash=0\n");
    s.push_str("    for ((i = 1; i < COMP_CWORD; i++)); do\n");
    s.push_str("        local w=\"${COMP_WORDS[i]}\"\n");
    s.push_str("        if [ $skip = 1 ]; then skip=0; continue; fi\n");
    s.push_str("        if [ $ddash = 0 ] && [ ${#operands[@]} = 0 ]; then\n");
    s.push_str("            case \"$w\" in\n");
    s.push_str("                --) ddash=1; continue;;\n");
    if !takes_next.is_empty() {
        s.push_str(&format!(
            "                {}) skip=1; continue;;\n",
            takes_next.join("|")
        ));
    }
    s.push_str("                =) skip=1; continue;;\n");
    s.push_str("                -?*) continue;;\n");
    s.push_str("            esac\n        fi\n");
    s.push_str("        operands+=(\"$w\")\n    done\n");

    // Options, while no operand has been seen.
    s.push_str("    if [ ${#operands[@]} = 0 ] && [ $ddash = 0 ] && [[ $cur == -* ]]; then\n");
    s.push_str(&format!(
        "        COMPREPLY=( $(compgen -W {} -- \"$cur\") )\n        return 0\n    fi\n",
        sq(&all.join(" "))
    ));

    // Operands.
    match doc.operand_hint {
        ValueHint::Command => {
            s.push_str("    if [ ${#operands[@]} -gt 0 ]; then\n");
            s.push_str("        # The program's own arguments: let bash-completion complete them if loaded.\n");
            s.push_str("        local first=$((COMP_CWORD - ${#operands[@]}))\n");
            s.push_str("        if declare -F _command_offset >/dev/null; then _command_offset \"$first\"; return 0; fi\n");
            s.push_str("        COMPREPLY=( $(compgen -f -- \"$cur\") ); return 0\n    fi\n");
            s.push_str("    COMPREPLY=( $(compgen -c -- \"$cur\") )\n");
        }
        hint if ip_style(doc) => {
            // ip netns: sub-command, then a netns name for the sub-commands that take one,
            // then (exec) a command.
            s.push_str("    case ${#operands[@]} in\n");
            s.push_str(&format!(
                "        0) {};;\n",
                bash_value(ValueHint::Words(NETNS_SUBCOMMANDS)).unwrap_or_default()
            ));
            if let Some(code) = bash_value(hint) {
                s.push_str(&format!(
                    "        1) case \"${{operands[0]}}\" in {}) {code};; esac;;\n",
                    NETNS_NAME_SUBCOMMANDS.join("|"),
                ));
            }
            s.push_str("        *) [ \"${operands[0]}\" = exec ] && COMPREPLY=( $(compgen -c -- \"$cur\") );;\n");
            s.push_str("    esac\n");
        }
        hint => {
            if let Some(code) = bash_value(hint) {
                s.push_str(&format!("    {code}\n"));
            }
        }
    }
    s.push_str("    return 0\n}\n");
    s.push_str(&format!("complete -F {f} {}\n", doc.name));
    s
}

/// Escape text for a zsh `_arguments` description inside single quotes: `[`, `]` and `:` are
/// special there.
fn zsh_desc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace(':', "\\:")
        .replace('\'', "'\\''")
}

/// The zsh `_arguments` action for a value of kind `hint`.
fn zsh_action(hint: ValueHint) -> String {
    match hint {
        ValueHint::None => " ".into(),
        ValueHint::File => "_files".into(),
        ValueHint::Dir => "_files -/".into(),
        ValueHint::Pid => "_pids".into(),
        ValueHint::User => "_users".into(),
        ValueHint::Group => "_groups".into(),
        ValueHint::Command => "_command_names -e".into(),
        ValueHint::Words(w) => format!("({})", w.join(" ")),
        ValueHint::WordList(w) => format!("_sequence compadd - {}", w.join(" ")),
        ValueHint::NetnsName => "{compadd - /run/netns/*(N:t)}".into(),
    }
}

/// The zsh completion function for one tool (a file named `_<name>`).
pub fn zsh(doc: &ToolDoc) -> String {
    let long_dash = if ip_style(doc) { "-" } else { "--" };
    let mut specs: Vec<String> = Vec::new();
    for o in &doc.options {
        let names = spellings(o, long_dash);
        let excl = if names.len() > 1 {
            format!("({})", names.join(" "))
        } else {
            String::new()
        };
        let desc = zsh_desc(summary(o));
        let value = crate::man::value_name_bare(o)
            .unwrap_or("arg")
            .trim_start_matches('<')
            .trim_end_matches('>');
        let value = zsh_desc(value);
        let action = match numeric_id_db(o) {
            Some(db) => {
                format!("{{compadd - ${{(f)\"$(getent {db} 2>/dev/null | cut -d: -f3)\"}}}}")
            }
            None => zsh_action(o.hint),
        }
        .replace('\'', "'\\''");
        for n in &names {
            let is_long = n.len() > 2 || o.short.is_none();
            let kind = if is_long { o.has_arg } else { o.short_has_arg };
            let (suffix, colons) = match (kind, is_long) {
                (HasArg::No, _) => ("", ""),
                (HasArg::Required, true) if !ip_style(doc) => ("=", ":"),
                (HasArg::Required, true) => ("", ":"),
                (HasArg::Required, false) => ("+", ":"),
                (HasArg::Optional, true) => ("=-", "::"),
                (HasArg::Optional, false) => ("-", "::"),
            };
            let arg = if kind == HasArg::No {
                String::new()
            } else {
                format!("{colons}{value}:{action}")
            };
            specs.push(format!("'{excl}{n}{suffix}[{desc}]{arg}'"));
        }
    }
    match doc.operand_hint {
        ValueHint::Command => {
            specs.push("'(-)1:program:_command_names -e'".into());
            specs.push("'*::arguments:_normal'".into());
        }
        ValueHint::None => {}
        hint if ip_style(doc) => {
            let sub = zsh_action(ValueHint::Words(NETNS_SUBCOMMANDS));
            specs.push(format!("'1:command:{sub}'"));
            let name = zsh_action(hint).replace('\'', "'\\''");
            specs.push(format!("'2:name:{name}'"));
            specs.push("'*::arguments:_normal'".into());
        }
        hint => specs.push(format!(
            "'*:operand:{}'",
            zsh_action(hint).replace('\'', "'\\''")
        )),
    }
    let mut s = format!(
        "#compdef {}\n# zsh completion for {} (nsutils); generated by cargo xtask from the tool's option table.\n\n",
        doc.name, doc.name
    );
    s.push_str("_arguments -s -S \\\n");
    for (i, spec) in specs.iter().enumerate() {
        s.push_str("  ");
        s.push_str(spec);
        if i + 1 < specs.len() {
            s.push_str(" \\");
        }
        s.push('\n');
    }
    s
}

/// The fish arguments that complete a value of kind `hint`.
fn fish_value(hint: ValueHint, fname: &str) -> String {
    match hint {
        ValueHint::None => String::new(),
        ValueHint::File => " -r -F".into(),
        ValueHint::Dir => " -x -a '(__fish_complete_directories)'".into(),
        ValueHint::Pid => " -x -a '(__fish_complete_pids)'".into(),
        ValueHint::User => " -x -a '(__fish_complete_users)'".into(),
        ValueHint::Group => " -x -a '(__fish_complete_groups)'".into(),
        ValueHint::Command => " -x -a '(__fish_complete_command)'".into(),
        ValueHint::Words(w) => format!(" -x -a {}", sq(&w.join(" "))),
        ValueHint::WordList(_) => format!(" -x -a '(__fish_complete_list , {fname})'"),
        ValueHint::NetnsName => " -x -a '(ls /run/netns 2>/dev/null)'".into(),
    }
}

/// The fish completions for one tool (a file named `<name>.fish`).
pub fn fish(doc: &ToolDoc) -> String {
    let id = ident(doc.name);
    let mut s = format!(
        "# fish completion for {} (nsutils); generated by cargo xtask from the tool's option table.\n",
        doc.name
    );
    let mut lists = 0;
    for o in &doc.options {
        let mut line = format!("complete -c {}", doc.name);
        if let Some(c) = o.short {
            line.push_str(&format!(" -s {c}"));
        }
        if let Some(l) = o.long {
            line.push_str(&format!(
                " {} {}",
                if ip_style(doc) { "-o" } else { "-l" },
                sq(l)
            ));
        }
        line.push_str(&format!(" -d {}", sq(summary(o))));
        if let ValueHint::WordList(w) = o.hint {
            lists += 1;
            let fname = format!("__nsutils_{id}_words{lists}");
            s.push_str(&format!(
                "function {fname}\n    printf '%s\\n' {}\nend\n",
                w.iter().map(|x| sq(x)).collect::<Vec<_>>().join(" ")
            ));
            line.push_str(&fish_value(o.hint, &fname));
        } else if let Some(db) = numeric_id_db(o) {
            line.push_str(&format!(" -x -a '(getent {db} 2>/dev/null | cut -d: -f3)'"));
        } else if o.has_arg != HasArg::No {
            line.push_str(&fish_value(o.hint, ""));
        }
        s.push_str(&line);
        s.push('\n');
    }
    match doc.operand_hint {
        ValueHint::Command => s.push_str(&format!(
            "complete -c {} -x -a '(__fish_complete_subcommand)'\n",
            doc.name
        )),
        ValueHint::None => {}
        hint if ip_style(doc) => {
            s.push_str(&format!(
                "complete -c {} -n '__fish_use_subcommand'{}\n",
                doc.name,
                fish_value(ValueHint::Words(NETNS_SUBCOMMANDS), "")
            ));
            s.push_str(&format!(
                "complete -c {} -n '__fish_seen_subcommand_from {}'{}\n",
                doc.name,
                NETNS_NAME_SUBCOMMANDS.join(" "),
                fish_value(hint, "")
            ));
        }
        hint => s.push_str(&format!(
            "complete -c {}{}\n",
            doc.name,
            fish_value(hint, "")
        )),
    }
    s
}

/// File names under the completion directories.
pub fn bash_file(doc: &ToolDoc) -> String {
    doc.name.to_string()
}

/// zsh's `_name` convention.
pub fn zsh_file(doc: &ToolDoc) -> String {
    format!("_{}", doc.name)
}

/// fish's `name.fish` convention.
pub fn fish_file(doc: &ToolDoc) -> String {
    format!("{}.fish", doc.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn sample() -> ToolDoc {
        crate::man::tests::sample()
    }

    #[test]
    fn short_letters_take_what_the_parser_gives_them() {
        // unshare's `-m` takes no argument, its `--mount` an optional `=FILE`; nsenter's `-m`
        // takes an attached one.
        let z = zsh(&unshare_rs::doc());
        assert!(z.contains("'(-m --mount)-m[new mount namespace]'"), "{z}");
        assert!(z.contains("'(-m --mount)--mount=-["), "{z}");
        let z = zsh(&nsenter_rs::doc());
        assert!(z.contains("'(-m --mount)-m-["), "{z}");
    }

    /// Run the generated bash completion for `words` (the last one being completed) and return
    /// COMPREPLY, one per line.
    fn complete_bash(script: &str, words: &[&str]) -> String {
        let quoted: Vec<String> = words.iter().map(|w| sq(w)).collect();
        let prog = format!(
            "{script}\nCOMP_WORDS=({}); COMP_CWORD={}; _nsutils_demo_rs; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            quoted.join(" "),
            words.len() - 1
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(&prog)
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn bash_completes_options_and_words() {
        let script = bash(&sample());
        assert_eq!(complete_bash(&script, &["demo-rs", "--m"]), "--mount\n");
        assert_eq!(complete_bash(&script, &["demo-rs", "-t", "n"]), "net\n");
        assert_eq!(
            complete_bash(&script, &["demo-rs", "--type", ""]),
            "net\nmnt\n"
        );
        // After the program name, options are no longer ours.
        let after = complete_bash(&script, &["demo-rs", "true", "--m"]);
        assert!(!after.contains("--mount"), "{after}");
    }

    #[test]
    fn bash_script_is_valid_syntax() {
        let out = Command::new("bash")
            .arg("-n")
            .arg("-c")
            .arg(bash(&sample()))
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn zsh_and_fish_name_every_option() {
        let z = zsh(&sample());
        assert!(z.starts_with("#compdef demo-rs\n"));
        assert!(
            z.contains("'(-m --mount)--mount=-[mount it]::file:_files'"),
            "{z}"
        );
        assert!(z.contains("'(-t --type)-t+[type]:name:(net mnt)'"), "{z}");
        let f = fish(&sample());
        assert!(
            f.contains("complete -c demo-rs -s t -l 'type' -d 'type' -x -a 'net mnt'"),
            "{f}"
        );
    }
}
