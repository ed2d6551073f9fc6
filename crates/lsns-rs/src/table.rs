//! A small table renderer that prints what libsmartcols prints for lsns: aligned columns (numbers
//! right-aligned, the last column never padded), tree glyphs, multi-line cells, raw output with
//! `\xHH` escapes, and JSON with libsmartcols' indentation, `},{` joins and `children` nesting.
//!
//! Kept here rather than in a crate because none produces these exact bytes (see
//! docs/COMPATIBILITY.md): the layout rules below are the observed behaviour of libsmartcols
//! 2.42 for the column kinds lsns uses.

use std::io::Write;

/// One column.
#[derive(Clone, Debug)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// JSON key.
    pub key: String,
    /// Right-aligned (numbers), unless it is the tree column.
    pub right: bool,
    /// JSON number.
    pub number: bool,
    /// Carries the tree glyphs.
    pub tree: bool,
    /// May be shortened to fit a terminal.
    pub trunc: bool,
    /// Its cells may hold several lines (`\n`).
    pub wrap: bool,
    /// Used by the filter only: not printed.
    pub hidden: bool,
    /// libsmartcols' width hint: the width a column grows to when its data is at least as
    /// wide as its header but narrower than the hint.
    pub whint: usize,
}

const NONE: u32 = u32::MAX;

/// One line: where its cells are in the arena, and its place in the tree.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// Index of its first cell in [`Table::spans`].
    first_cell: u32,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// How to print.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub raw: bool,
    pub json: bool,
    pub noheadings: bool,
    /// UTF-8 locale: UTF-8 tree glyphs and multi-byte characters printed as they are.
    pub utf8: bool,
    /// Terminal width when stdout is a terminal (truncation applies only then).
    pub term_width: Option<usize>,
}

/// A table being built. Cells live in one byte arena (a busy host has tens of thousands of
/// them; one allocation each would cost more memory than util-linux uses).
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    lines: Vec<Line>,
    data: Vec<u8>,
    /// (start, len) per cell; start == NONE for an empty cell.
    spans: Vec<(u32, u32)>,
    first_root: u32,
    last_root: u32,
}

impl Table {
    pub fn new(name: &str, columns: Vec<Column>) -> Table {
        Table {
            name: name.to_string(),
            columns,
            lines: Vec::new(),
            data: Vec::new(),
            spans: Vec::new(),
            first_root: NONE,
            last_root: NONE,
        }
    }

    /// Add a line under `parent` (or at the top) with one cell per column; returns its index.
    /// Without a tree column the table is flat, as libsmartcols prints it: `parent` is ignored
    /// and lines keep their insertion order (`lsns -J -o NS,TYPE` has no `children`).
    pub fn add(&mut self, cells: Vec<Option<Vec<u8>>>, parent: Option<usize>) -> usize {
        let parent = parent.filter(|_| self.columns.iter().any(|c| c.tree));
        let i = self.lines.len() as u32;
        let first_cell = self.spans.len() as u32;
        for c in 0..self.columns.len() {
            match cells.get(c).and_then(|x| x.as_ref()) {
                Some(v) => {
                    self.spans.push((self.data.len() as u32, v.len() as u32));
                    self.data.extend_from_slice(v);
                }
                None => self.spans.push((NONE, 0)),
            }
        }
        let parent = parent.map_or(NONE, |p| p as u32);
        self.lines.push(Line {
            first_cell,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        if parent == NONE {
            if self.last_root == NONE {
                self.first_root = i;
            } else {
                self.lines[self.last_root as usize].next_sibling = i;
            }
            self.last_root = i;
        } else {
            let p = &mut self.lines[parent as usize];
            let last = p.last_child;
            if last == NONE {
                p.first_child = i;
            } else {
                self.lines[last as usize].next_sibling = i;
            }
            self.lines[parent as usize].last_child = i;
        }
        i as usize
    }

    fn cell(&self, line: u32, col: usize) -> Option<&[u8]> {
        let (start, len) = self.spans[self.lines[line as usize].first_cell as usize + col];
        (start != NONE).then(|| &self.data[start as usize..(start + len) as usize])
    }

    /// Print the table to `out`.
    pub fn print(&self, out: &mut impl Write, style: Style) -> std::io::Result<()> {
        if style.json {
            return self.print_json(out);
        }
        let order = self.dfs();
        if order.is_empty() {
            return Ok(());
        }
        let visible: Vec<usize> = (0..self.columns.len())
            .filter(|&c| !self.columns[c].hidden)
            .collect();
        let glyphs = Glyphs::new(style.utf8);
        if style.raw {
            return self.print_raw(out, style, &order, &visible, &glyphs);
        }
        // Pass 1: widths. Cells are encoded again when printed rather than kept, to keep the
        // memory use flat.
        let mut widths: Vec<usize> = vec![0; visible.len()];
        let mut enc = Vec::new();
        for &l in &order {
            let (first, cont) = self.tree_prefix(l, &glyphs);
            for (i, &c) in visible.iter().enumerate() {
                let col = &self.columns[c];
                let data = self.cell(l, c).unwrap_or_default();
                for (n, chunk) in chunks(data, col.wrap).enumerate() {
                    enc.clear();
                    if col.tree {
                        enc.extend_from_slice(if n == 0 { &first } else { &cont });
                    }
                    safe_encode_into(chunk, style.utf8, &mut enc);
                    widths[i] = widths[i].max(display_width(&enc, style.utf8));
                }
            }
        }
        // libsmartcols 2.42: a column is at least as wide as its header (no minimum without
        // headings: a column with no data then takes no cells); data wider than the header
        // (than one cell without headings) but narrower than the width hint grows to the hint.
        // (2.38 counted the header even with -n and applied the hint to data as wide as the
        // header.)
        let mins: Vec<usize> = visible
            .iter()
            .map(|&c| self.header_width(c, style))
            .collect();
        for (i, &c) in visible.iter().enumerate() {
            let col = &self.columns[c];
            if widths[i] < mins[i] {
                widths[i] = mins[i];
            } else if widths[i] > mins[i].max(1) && widths[i] < col.whint {
                widths[i] = col.whint;
            }
        }
        if let Some(tw) = style.term_width {
            self.grow_to_hints(&visible, &mut widths, tw);
            self.fit_to_terminal(&visible, &mut widths, &mins, tw);
        }
        // Pass 2: print.
        let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
        if !style.noheadings {
            let parts: Vec<Vec<u8>> = visible
                .iter()
                .map(|&c| self.columns[c].header.clone().into_bytes())
                .collect();
            self.line_out(&mut buf, &visible, &widths, &parts, style.utf8);
        }
        let mut parts: Vec<Vec<u8>> = vec![Vec::new(); visible.len()];
        for &l in &order {
            let (first, cont) = self.tree_prefix(l, &glyphs);
            let nlines = visible
                .iter()
                .map(|&c| chunks(self.cell(l, c).unwrap_or_default(), self.columns[c].wrap).count())
                .max()
                .unwrap_or(1);
            for n in 0..nlines {
                for (i, &c) in visible.iter().enumerate() {
                    let col = &self.columns[c];
                    let p = &mut parts[i];
                    p.clear();
                    let chunk = chunks(self.cell(l, c).unwrap_or_default(), col.wrap).nth(n);
                    if col.tree {
                        // A tree cell's continuation lines keep the vertical lines.
                        p.extend_from_slice(if n == 0 { &first } else { &cont });
                    }
                    if let Some(ch) = chunk {
                        safe_encode_into(ch, style.utf8, p);
                    }
                }
                self.line_out(&mut buf, &visible, &widths, &parts, style.utf8);
            }
            if buf.len() > 64 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)
    }

    /// On a terminal with room to spare, libsmartcols 2.42 widens the columns narrower than
    /// their width hint: one cell at a time, walking from the last column to the first and
    /// round again, until each reaches its hint or the line fills the terminal.
    fn grow_to_hints(&self, visible: &[usize], widths: &mut [usize], tw: usize) {
        let mut total: usize = widths.iter().sum::<usize>() + widths.len().saturating_sub(1);
        loop {
            let mut grew = false;
            for (i, &c) in visible.iter().enumerate().rev() {
                if total >= tw {
                    return;
                }
                if widths[i] < self.columns[c].whint {
                    widths[i] += 1;
                    total += 1;
                    grew = true;
                }
            }
            if !grew {
                return;
            }
        }
    }

    /// libsmartcols 2.42's reduction (lsns has no relative width hints, so only this stage
    /// acts): while the line is too wide, shrink the truncatable columns, the last one first,
    /// each down to its header's width before the one before it is touched.
    fn fit_to_terminal(&self, visible: &[usize], widths: &mut [usize], mins: &[usize], tw: usize) {
        let mut total: usize = widths.iter().sum::<usize>() + widths.len().saturating_sub(1);
        for (i, &c) in visible.iter().enumerate().rev() {
            if total <= tw {
                break;
            }
            if !self.columns[c].trunc {
                continue;
            }
            let min = mins[i].max(1);
            let cut = (total - tw).min(widths[i].saturating_sub(min));
            widths[i] -= cut;
            total -= cut;
        }
    }

    /// The width of column `c`'s header as printed: 0 when headings are off.
    fn header_width(&self, c: usize, style: Style) -> usize {
        if style.noheadings {
            0
        } else {
            display_width(self.columns[c].header.as_bytes(), style.utf8)
        }
    }

    /// One output line: cells padded to their widths (right or left), one space between, the
    /// last column not padded; text longer than the width is cut (truncation on terminals).
    fn line_out(
        &self,
        buf: &mut Vec<u8>,
        visible: &[usize],
        widths: &[usize],
        parts: &[Vec<u8>],
        utf8: bool,
    ) {
        let last = visible.len().saturating_sub(1);
        for (i, &c) in visible.iter().enumerate() {
            let col = &self.columns[c];
            let mut text = parts[i].as_slice();
            let mut w = display_width(text, utf8);
            if w > widths[i] {
                text = cut_to_width(text, widths[i], utf8);
                w = display_width(text, utf8);
            }
            let pad = widths[i].saturating_sub(w);
            let right = col.right && !col.tree;
            if right && !text.is_empty() {
                buf.extend(std::iter::repeat_n(b' ', pad));
                buf.extend_from_slice(text);
            } else if i == last {
                buf.extend_from_slice(text);
            } else {
                buf.extend_from_slice(text);
                buf.extend(std::iter::repeat_n(b' ', pad));
            }
            if i != last {
                buf.push(b' ');
            }
        }
        buf.push(b'\n');
    }

    fn print_raw(
        &self,
        out: &mut impl Write,
        style: Style,
        order: &[u32],
        visible: &[usize],
        glyphs: &Glyphs,
    ) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(16 * 1024);
        if !style.noheadings {
            let names: Vec<&str> = visible
                .iter()
                .map(|&c| self.columns[c].header.as_str())
                .collect();
            buf.extend_from_slice(names.join(" ").as_bytes());
            buf.push(b'\n');
        }
        for &l in order {
            for (i, &c) in visible.iter().enumerate() {
                if i > 0 {
                    buf.push(b' ');
                }
                let col = &self.columns[c];
                if col.tree {
                    raw_escape(&self.tree_prefix(l, glyphs).0, &mut buf);
                }
                raw_escape(self.cell(l, c).unwrap_or_default(), &mut buf);
            }
            buf.push(b'\n');
            if buf.len() > 64 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)
    }

    fn dfs(&self) -> Vec<u32> {
        let mut order = Vec::with_capacity(self.lines.len());
        let mut stack: Vec<u32> = Vec::new();
        let mut cur = self.first_root;
        loop {
            while cur != NONE {
                order.push(cur);
                let line = self.lines[cur as usize];
                if line.first_child != NONE {
                    stack.push(line.next_sibling);
                    cur = line.first_child;
                } else {
                    cur = line.next_sibling;
                }
            }
            match stack.pop() {
                Some(next) => cur = next,
                None => break,
            }
        }
        order
    }

    fn is_last_child(&self, l: u32) -> bool {
        self.lines[l as usize].next_sibling == NONE
    }

    /// The glyphs before a tree cell: for each ancestor below the top, a vertical line or
    /// blanks, then the branch of the line itself. The second value is the prefix for the
    /// cell's continuation lines.
    fn tree_prefix(&self, l: u32, g: &Glyphs) -> (Vec<u8>, Vec<u8>) {
        if self.lines[l as usize].parent == NONE {
            return (Vec::new(), Vec::new());
        }
        let mut chain = Vec::new();
        let mut cur = self.lines[l as usize].parent;
        while cur != NONE {
            if self.lines[cur as usize].parent != NONE {
                chain.push(cur);
            }
            cur = self.lines[cur as usize].parent;
        }
        let mut pre = Vec::new();
        for &a in chain.iter().rev() {
            pre.extend_from_slice(if self.is_last_child(a) {
                g.blank
            } else {
                g.vertical
            });
        }
        let mut first = pre.clone();
        let mut cont = pre;
        if self.is_last_child(l) {
            first.extend_from_slice(g.right);
            cont.extend_from_slice(g.blank);
        } else {
            first.extend_from_slice(g.branch);
            cont.extend_from_slice(g.vertical);
        }
        (first, cont)
    }

    fn print_json(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(16 * 1024);
        buf.extend_from_slice(b"{\n   ");
        json_string(self.name.as_bytes(), &mut buf);
        buf.extend_from_slice(b": [\n");
        // Iterative walk: (line, indent, first-of-siblings).
        let mut stack: Vec<(u32, usize, bool)> = Vec::new();
        if self.first_root != NONE {
            stack.push((self.first_root, 6, true));
        }
        while let Some((l, indent, first_sib)) = stack.pop() {
            if l == NONE {
                // End of a children array opened at `indent`.
                buf.push(b'\n');
                buf.extend(std::iter::repeat_n(b' ', indent + 3));
                buf.push(b']');
                buf.push(b'\n');
                buf.extend(std::iter::repeat_n(b' ', indent));
                buf.push(b'}');
                continue;
            }
            if first_sib {
                buf.extend(std::iter::repeat_n(b' ', indent));
            } else {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\n");
            let mut first = true;
            // libsmartcols 2.42 prints only the first line of a multi-line cell in JSON, then,
            // after the row's last cell, a line break and one blank per column before the
            // first such cell (what is left of its "pending data" pass).
            let mut pending: Option<usize> = None;
            for (vi, (c, col)) in self
                .columns
                .iter()
                .enumerate()
                .filter(|(_, col)| !col.hidden)
                .enumerate()
            {
                if !first {
                    buf.extend_from_slice(b",\n");
                }
                first = false;
                buf.extend(std::iter::repeat_n(b' ', indent + 3));
                json_string(col.key.as_bytes(), &mut buf);
                buf.extend_from_slice(b": ");
                let mut cell = self.cell(l, c);
                if let (true, Some(v)) = (col.wrap, cell) {
                    if let Some(nl) = v.iter().position(|&b| b == b'\n') {
                        cell = Some(&v[..nl]);
                        pending.get_or_insert(vi);
                    }
                }
                match cell {
                    // Empty text is null too, strings included (ul_jsonwrt_value_s), as for
                    // a process whose command line is one empty argument.
                    None | Some([]) => buf.extend_from_slice(b"null"),
                    Some(v) if col.number => buf.extend_from_slice(v),
                    Some(v) => json_string(v, &mut buf),
                }
            }
            if let Some(k) = pending {
                buf.push(b'\n');
                buf.extend(std::iter::repeat_n(b' ', k));
            }
            let line = self.lines[l as usize];
            if line.next_sibling != NONE {
                stack.push((line.next_sibling, indent, false));
            }
            if line.first_child != NONE {
                buf.extend_from_slice(b",\n");
                buf.extend(std::iter::repeat_n(b' ', indent + 3));
                buf.extend_from_slice(b"\"children\": [\n");
                stack.push((NONE, indent, false));
                stack.push((line.first_child, indent + 6, true));
            } else {
                buf.push(b'\n');
                buf.extend(std::iter::repeat_n(b' ', indent));
                buf.push(b'}');
            }
            if buf.len() > 64 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        buf.extend_from_slice(b"\n   ]\n}\n");
        out.write_all(&buf)
    }
}

/// The lines of a multi-line cell (or the whole cell).
fn chunks(data: &[u8], wrap: bool) -> impl Iterator<Item = &[u8]> {
    let sep = if wrap { b'\n' } else { 0 };
    let mut one = Some(data);
    let mut split = data.split(move |&b| b == sep);
    std::iter::from_fn(move || if wrap { split.next() } else { one.take() })
}

struct Glyphs {
    branch: &'static [u8],
    right: &'static [u8],
    vertical: &'static [u8],
    blank: &'static [u8],
}

impl Glyphs {
    fn new(utf8: bool) -> Glyphs {
        if utf8 {
            Glyphs {
                branch: "├─".as_bytes(),
                right: "└─".as_bytes(),
                vertical: "│ ".as_bytes(),
                blank: b"  ",
            }
        } else {
            Glyphs {
                branch: b"|-",
                right: b"`-",
                vertical: b"| ",
                blank: b"  ",
            }
        }
    }
}

/// libsmartcols' JSON string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
/// `\u00XX`, every other byte (UTF-8 or not) as it is.
pub fn json_string(s: &[u8], buf: &mut Vec<u8>) {
    buf.push(b'"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                buf.push(b'\\');
                buf.push(b);
            }
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            c if c < 0x20 => buf.extend_from_slice(format!("\\u00{c:02x}").as_bytes()),
            c => buf.push(c),
        }
    }
    buf.push(b'"');
}

/// Raw output: blanks, `\`, and every byte that is not printable ASCII as `\xHH`.
pub fn raw_escape(s: &[u8], buf: &mut Vec<u8>) {
    for &b in s {
        if b == b' ' || b == b'\t' || b == b'\\' || !(0x21..0x7f).contains(&b) {
            buf.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        } else {
            buf.push(b);
        }
    }
}

/// Human output: characters that are not printable become `\xHH` per byte, as do bytes that
/// are not valid UTF-8 (every byte above 0x7f outside a UTF-8 locale) and a backslash that
/// comes before an `x`.
pub fn safe_encode(s: &[u8], utf8: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    safe_encode_into(s, utf8, &mut out);
    out
}

/// [`safe_encode`], appending to `out`.
pub fn safe_encode_into(s: &[u8], utf8: bool, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b < 0x80 {
            // A backslash before an `x` is encoded too, so the text cannot be mistaken for an
            // escape (libsmartcols' mbs_safe_encode_to_buffer).
            let escape_like = b == b'\\' && s.get(i + 1) == Some(&b'x');
            if (0x20..0x7f).contains(&b) && !escape_like {
                out.push(b);
            } else {
                out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
            i += 1;
            continue;
        }
        if utf8 {
            if let Some((ch, len)) = decode_utf8(&s[i..]) {
                if printable(ch) {
                    out.extend_from_slice(&s[i..i + len]);
                } else {
                    for &x in &s[i..i + len] {
                        out.extend_from_slice(format!("\\x{x:02x}").as_bytes());
                    }
                }
                i += len;
                continue;
            }
        }
        out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        i += 1;
    }
}

fn decode_utf8(s: &[u8]) -> Option<(char, usize)> {
    let len = match s[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let chunk = s.get(..len)?;
    let st = std::str::from_utf8(chunk).ok()?;
    st.chars().next().map(|c| (c, len))
}

/// Whether the C library calls `c` printable (iswprint, as libsmartcols asks).
fn printable(c: char) -> bool {
    nscore::display::char_printable(c)
}

/// Columns a character takes on a terminal: the C library's wcwidth in the locale set at
/// start (0 for combining marks, 2 for wide East Asian characters and emoji).
fn char_width(c: char) -> usize {
    if (' '..'\x7f').contains(&c) {
        return 1;
    }
    nscore::display::char_cells(c).unwrap_or(0)
}

/// The display width of already encoded text.
pub fn display_width(s: &[u8], utf8: bool) -> usize {
    if !utf8 {
        return s.len();
    }
    match std::str::from_utf8(s) {
        Ok(t) => t.chars().map(char_width).sum(),
        Err(_) => s.len(),
    }
}

fn cut_to_width(s: &[u8], width: usize, utf8: bool) -> &[u8] {
    if !utf8 {
        return &s[..width.min(s.len())];
    }
    let Ok(t) = std::str::from_utf8(s) else {
        return &s[..width.min(s.len())];
    };
    let mut w = 0;
    for (i, c) in t.char_indices() {
        let cw = char_width(c);
        if w + cw > width {
            return &s[..i];
        }
        w += cw;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        // Printability and widths are the C library's: a UTF-8 locale, as lsns-rs sets it.
        std::env::set_var("LC_ALL", "C.UTF-8");
        assert!(nscore::display::set_locale_from_env());
        let mut b = Vec::new();
        raw_escape(b"a b\\\xff\xc3\xa9", &mut b);
        assert_eq!(b, b"a\\x20b\\x5c\\xff\\xc3\\xa9");
        assert_eq!(
            safe_encode(b"a\tb\n\xff\\\x7f\xc3\xa9", true),
            b"a\\x09b\\x0a\\xff\\\\x7f\xc3\xa9".to_vec()
        );
        assert_eq!(safe_encode(b"\xc3\xa9", false), b"\\xc3\\xa9".to_vec());
        let mut j = Vec::new();
        json_string(b"a\"b\\\t\x01/\xff", &mut j);
        assert_eq!(j, b"\"a\\\"b\\\\\\t\\u0001/\xff\"".to_vec());
    }
}
