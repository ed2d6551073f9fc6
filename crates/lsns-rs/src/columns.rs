//! The output columns: util-linux's 13 and our extension ID, their names, alignment, JSON
//! types, the `-H` descriptions (program output, so util-linux's text), and the `-o LIST`
//! parser with util-linux's quirks.

/// A column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    Ns,
    Type,
    Path,
    Nprocs,
    Pid,
    Ppid,
    Command,
    Uid,
    User,
    Netnsid,
    Nsfs,
    Pns,
    Ons,
    /// The namespace's 64-bit ID (`NS_GET_ID`, Linux 6.18): an nsutils extension, never in
    /// the default set nor in `--output-all`, so util-linux's output stays as it is.
    Id,
}

/// Every column, in util-linux's order (`--output-all`, `-H`).
pub const ALL: [Col; 13] = [
    Col::Ns,
    Col::Type,
    Col::Path,
    Col::Nprocs,
    Col::Pid,
    Col::Ppid,
    Col::Command,
    Col::Uid,
    Col::User,
    Col::Netnsid,
    Col::Nsfs,
    Col::Pns,
    Col::Ons,
];

/// Columns util-linux lacks: listed by `-H` after its own, selected only by name.
pub const EXTENSIONS: [Col; 1] = [Col::Id];

/// The most columns `-o` may name (util-linux's array holds twice the column count, one slot
/// kept free).
pub const MAX_COLUMNS: usize = 26;

impl Col {
    /// The header (and the name `-o` and `-Q` take, case-insensitively).
    pub fn name(self) -> &'static str {
        match self {
            Col::Ns => "NS",
            Col::Type => "TYPE",
            Col::Path => "PATH",
            Col::Nprocs => "NPROCS",
            Col::Pid => "PID",
            Col::Ppid => "PPID",
            Col::Command => "COMMAND",
            Col::Uid => "UID",
            Col::User => "USER",
            Col::Netnsid => "NETNSID",
            Col::Nsfs => "NSFS",
            Col::Pns => "PNS",
            Col::Ons => "ONS",
            Col::Id => "ID",
        }
    }

    /// util-linux's width hint for the column.
    pub fn whint(self) -> usize {
        match self {
            Col::Ns | Col::Pns | Col::Ons => 10,
            Col::Type | Col::Nprocs | Col::Pid | Col::Ppid => 5,
            _ => 0,
        }
    }

    /// The JSON key.
    pub fn key(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// Right-aligned in tables.
    pub fn right(self) -> bool {
        matches!(
            self,
            Col::Ns
                | Col::Nprocs
                | Col::Pid
                | Col::Ppid
                | Col::Uid
                | Col::Netnsid
                | Col::Pns
                | Col::Ons
                | Col::Id
        )
    }

    /// A JSON number (and a number for `-Q` comparisons).
    pub fn number(self) -> bool {
        matches!(
            self,
            Col::Ns | Col::Nprocs | Col::Pid | Col::Ppid | Col::Uid | Col::Pns | Col::Ons | Col::Id
        )
    }

    /// `-H`'s description.
    pub fn help(self) -> &'static str {
        match self {
            Col::Ns => "namespace identifier (inode number)",
            Col::Type => "kind of namespace",
            Col::Path => "path to the namespace",
            Col::Nprocs => "number of processes in the namespace",
            Col::Pid => "lowest PID in the namespace",
            Col::Ppid => "PPID of the PID",
            Col::Command => "command line of the PID",
            Col::Uid => "UID of the PID",
            Col::User => "username of the PID",
            Col::Netnsid => "namespace ID as used by network subsystem",
            Col::Nsfs => "nsfs mountpoint (usually used network subsystem)",
            Col::Pns => "parent namespace identifier (inode number)",
            Col::Ons => "owner namespace identifier (inode number)",
            Col::Id => "namespace ID (64-bit, unique while the system runs; nsenter --KIND=:ID)",
        }
    }

    /// The column named `name` (ASCII case-insensitive, whole name).
    pub fn by_name(name: &[u8]) -> Option<Col> {
        ALL.into_iter()
            .chain(EXTENSIONS)
            .find(|c| c.name().as_bytes().eq_ignore_ascii_case(name))
    }
}

/// util-linux's `string_add_to_idarray`: a leading `+` appends to `cols`, otherwise the list
/// replaces it. `Err(Some(msg))` is an unknown column (the message's bytes) (the message names the rest of the list
/// from that name on, as util-linux prints it); `Err(None)` is an empty element or too many
/// columns, which util-linux rejects without a message.
pub fn add_to_list(list: &[u8], cols: &mut Vec<Col>) -> Result<(), Option<Vec<u8>>> {
    if list.is_empty() {
        return Err(None);
    }
    let list = match list.strip_prefix(b"+") {
        Some(rest) => rest,
        None => {
            cols.clear();
            list
        }
    };
    // string_to_idarray refuses an empty list, so a lone `+` fails too (silently).
    if list.is_empty() {
        return Err(None);
    }
    // A transcription of util-linux's string_to_idarray loop, quirks included: the last
    // element runs to the end of the string, so a trailing comma becomes part of a name.
    let mut begin: Option<usize> = None;
    let mut p = 0;
    while p < list.len() {
        if cols.len() >= MAX_COLUMNS {
            return Err(None);
        }
        if begin.is_none() {
            begin = Some(p);
        }
        let mut end = None;
        if list[p] == b',' {
            end = Some(p);
        }
        if p + 1 == list.len() {
            end = Some(p + 1);
        }
        if let (Some(b), Some(e)) = (begin, end) {
            if e <= b {
                return Err(None);
            }
            match Col::by_name(&list[b..e]) {
                Some(c) => cols.push(c),
                None => return Err(Some([&b"unknown column: "[..], &list[b..]].concat())),
            }
            begin = None;
            if e == list.len() {
                break;
            }
        }
        p += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_as_util_linux_parses_them() {
        let mut c = vec![Col::Ns];
        add_to_list(b"+pid,TYPE", &mut c).unwrap();
        assert_eq!(c, vec![Col::Ns, Col::Pid, Col::Type]);
        add_to_list(b"ns", &mut c).unwrap();
        assert_eq!(c, vec![Col::Ns]);
        assert_eq!(
            add_to_list(b"NS,nope,x", &mut c),
            Err(Some(b"unknown column: nope,x".to_vec()))
        );
        assert_eq!(
            add_to_list(b"NS,", &mut c),
            Err(Some(b"unknown column: NS,".to_vec()))
        );
        assert_eq!(add_to_list(b"NS,,PID", &mut c), Err(None));
        assert_eq!(add_to_list(b"", &mut c), Err(None));
        let mut c = vec![];
        assert_eq!(add_to_list(b"+", &mut c), Err(None));
        assert!(c.is_empty());
        let many = vec!["NS"; 30].join(",");
        assert_eq!(add_to_list(many.as_bytes(), &mut c), Err(None));
    }
}
