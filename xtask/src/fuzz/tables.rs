//! The tools' option tables as the generators see them, taken from the tools themselves: each
//! tool crate's parse table (`cli::OPTIONS`, netns-rs's `opts::GLOBAL_OPTS` and
//! `opts::SUBCOMMANDS`), with the value hints of its `doc()` (the data man pages and
//! completions are made from), and lsns-rs's column list. Nothing here names an option: a new
//! option in a tool is fuzzed as soon as it is in its table.
//!
//! Options that a tool reads outside its parse table (unshare-rs's `--init`) and columns that
//! util-linux lacks (lsns-rs's `ID`) are nsutils extensions: the generators leave them out, as
//! the original has nothing to compare them with.

use nscore::cmdline::doc::{ToolDoc, ValueHint};
use nscore::cmdline::getopt::{HasArg, OptDef};

/// One of the four tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ToolId {
    Unshare,
    Nsenter,
    Lsns,
    Netns,
}

impl ToolId {
    /// The word a corpus line starts with, and the original's name for the util-linux tools.
    pub fn word(self) -> &'static str {
        match self {
            ToolId::Unshare => "unshare",
            ToolId::Nsenter => "nsenter",
            ToolId::Lsns => "lsns",
            ToolId::Netns => "netns",
        }
    }

    /// Our binary.
    pub fn bin(self) -> &'static str {
        match self {
            ToolId::Unshare => "unshare-rs",
            ToolId::Nsenter => "nsenter-rs",
            ToolId::Lsns => "lsns-rs",
            ToolId::Netns => "netns-rs",
        }
    }

    /// The tool a corpus word names.
    pub fn from_word(w: &str) -> Option<ToolId> {
        [
            ToolId::Unshare,
            ToolId::Nsenter,
            ToolId::Lsns,
            ToolId::Netns,
        ]
        .into_iter()
        .find(|t| t.word() == w)
    }
}

/// How an option is spelled on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// `-x` (getopt).
    Short(u8),
    /// `--name` (getopt; any unambiguous prefix).
    Long(&'static str),
    /// ip's `-word` (any prefix, first match in table order), or only the whole word.
    IpWord { word: &'static str, exact: bool },
}

/// One way to give an option: its spelling, whether it takes a value that way, and what the
/// value is.
#[derive(Clone, Copy, Debug)]
pub struct Form {
    pub spelling: Spelling,
    pub arg: HasArg,
    /// The long name the option has (for value pools by name), if any.
    pub name: Option<&'static str>,
    pub hint: ValueHint,
}

/// The forms of a getopt table: each short letter as the first entry with it parses it, each
/// long name as its entry; hints from the tool's documentation, matched by name.
fn getopt_forms<K: Copy + PartialEq>(table: &[OptDef<K>], doc: &ToolDoc) -> Vec<Form> {
    let hint_of = |o: &OptDef<K>| {
        doc.options
            .iter()
            .find(|d| {
                (d.long.is_some() && d.long == o.long)
                    || (o.long.is_none() && d.short.is_some() && d.short == o.short)
            })
            .map_or(ValueHint::None, |d| d.hint)
    };
    // The long name of the entry a letter belongs to (a hidden short-only entry shares its key
    // with the visible one).
    let name_of = |o: &OptDef<K>| {
        o.long.or_else(|| {
            table
                .iter()
                .find(|p| p.key == o.key && p.long.is_some())
                .and_then(|p| p.long)
        })
    };
    let mut forms = Vec::new();
    let mut letters = Vec::new();
    for o in table {
        if let Some(c) = o.short {
            if !letters.contains(&c) {
                letters.push(c);
                let named = table
                    .iter()
                    .find(|p| p.key == o.key && p.long.is_some())
                    .unwrap_or(o);
                forms.push(Form {
                    spelling: Spelling::Short(c as u8),
                    arg: o.has_arg,
                    name: name_of(o),
                    hint: hint_of(named),
                });
            }
        }
        if let Some(l) = o.long {
            forms.push(Form {
                spelling: Spelling::Long(l),
                arg: o.has_arg,
                name: Some(l),
                hint: hint_of(o),
            });
        }
    }
    forms
}

/// What the generators know of one tool.
#[derive(Clone, Debug)]
pub struct Table {
    pub tool: ToolId,
    pub forms: Vec<Form>,
    /// netns-rs's subcommand words, in ip's matching order.
    pub subcommands: Vec<&'static str>,
    /// lsns-rs's column names (util-linux's, without extensions).
    pub columns: Vec<&'static str>,
}

/// The table of `tool`.
pub fn table(tool: ToolId) -> Table {
    let columns: Vec<&'static str> = lsns_rs::columns::ALL.iter().map(|c| c.name()).collect();
    let forms = match tool {
        ToolId::Unshare => getopt_forms(unshare_rs::cli::OPTIONS, &unshare_rs::doc()),
        ToolId::Nsenter => getopt_forms(nsenter_rs::cli::OPTIONS, &nsenter_rs::doc()),
        ToolId::Lsns => getopt_forms(lsns_rs::cli::OPTIONS, &lsns_rs::doc()),
        ToolId::Netns => {
            let doc = netns_rs::doc();
            let forms = netns_rs::opts::GLOBAL_OPTS
                .iter()
                .filter_map(|o| {
                    let word = o.def.long?;
                    let hint = doc
                        .options
                        .iter()
                        .find(|d| d.long == Some(word))
                        .map_or(ValueHint::None, |d| d.hint);
                    Some(Form {
                        spelling: Spelling::IpWord {
                            word,
                            exact: o.exact,
                        },
                        arg: o.def.has_arg,
                        name: Some(word),
                        hint,
                    })
                })
                .collect();
            forms
        }
    };
    let subcommands = if tool == ToolId::Netns {
        netns_rs::opts::SUBCOMMANDS
            .iter()
            .flat_map(|d| d.words.iter().copied())
            .collect()
    } else {
        Vec::new()
    };
    // Keep only what util-linux has: lsns-rs's extension columns are selected by name only.
    let columns = columns
        .into_iter()
        .filter(|c| {
            !lsns_rs::columns::EXTENSIONS
                .iter()
                .any(|e| e.name().eq_ignore_ascii_case(c))
        })
        .collect();
    Table {
        tool,
        forms,
        subcommands,
        columns,
    }
}

/// The value hint's words, without lsns-rs's extension columns.
pub fn hint_words(hint: ValueHint) -> &'static [&'static str] {
    match hint {
        ValueHint::Words(w) | ValueHint::WordList(w) => w,
        _ => &[],
    }
}

/// Whether `word` names an extension column of lsns-rs.
pub fn is_extension_column(word: &str) -> bool {
    lsns_rs::columns::EXTENSIONS
        .iter()
        .any(|e| e.name().eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_from_the_tools() {
        let u = table(ToolId::Unshare);
        // -m takes no argument (the hidden entry), --mount an optional one.
        let m = u
            .forms
            .iter()
            .find(|f| f.spelling == Spelling::Short(b'm'))
            .unwrap();
        assert_eq!(m.arg, HasArg::No);
        assert_eq!(m.name, Some("mount"));
        let longs: Vec<_> = u.forms.iter().filter_map(|f| f.name).collect();
        assert!(longs.contains(&"map-users"));
        assert!(!longs.contains(&"init"), "extensions are left out");
        let l = table(ToolId::Lsns);
        assert!(!l.columns.contains(&"ID"));
        assert_eq!(l.columns.len(), 13);
        let n = table(ToolId::Netns);
        assert!(n.subcommands.contains(&"list-id"));
        assert!(n.forms.iter().any(|f| f.name == Some("batch")));
    }
}
