//! The bench's tables, laid out by tabled: GitHub Markdown for docs/BENCHMARKS.md and
//! target/bench/busybox.md (columns padded to one width, number columns right-aligned and
//! marked `--:` so a renderer aligns them too), and a borderless plain style for the terminal.
//! The callers only say which columns there are and what each cell holds.

use tabled::builder::Builder;
use tabled::grid::config::Offset;
use tabled::settings::object::{Columns, Object, Rows};
use tabled::settings::style::LineChar;
use tabled::settings::{Alignment, Padding, Style};
use tabled::Table;

/// How a column's cells align.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    /// Words: scenario names, labels.
    Left,
    /// Numbers.
    Right,
}

/// A column: its heading and alignment.
pub type Column<'a> = (&'a str, Align);

fn build(columns: &[Column], rows: Vec<Vec<String>>) -> Table {
    let mut b = Builder::with_capacity(rows.len() + 1, columns.len());
    b.push_record(columns.iter().map(|c| c.0.to_string()));
    for r in rows {
        b.push_record(r);
    }
    let mut t = b.build();
    for (i, c) in columns.iter().enumerate() {
        if c.1 == Align::Right {
            t.modify(Columns::one(i), Alignment::right());
        }
    }
    t
}

/// A Markdown table (GitHub's pipe tables), with a final newline.
pub fn markdown(columns: &[Column], rows: Vec<Vec<String>>) -> String {
    let mut t = build(columns, rows);
    t.with(Style::markdown());
    for (i, c) in columns.iter().enumerate() {
        if c.1 == Align::Right {
            // The separator under the heading is the top line of row 1: `---:` there.
            t.modify(
                Rows::one(1).intersect(Columns::one(i)),
                LineChar::horizontal(':', Offset::End(0)),
            );
        }
    }
    format!("{t}\n")
}

/// A plain table for the terminal: no borders, columns one space apart, with a final newline.
pub fn plain(columns: &[Column], rows: Vec<Vec<String>>) -> String {
    let mut t = build(columns, rows);
    t.with(Style::blank()).with(Padding::zero());
    format!("{t}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 3] = [
        ("name", Align::Left),
        ("n", Align::Right),
        ("× x", Align::Right),
    ];

    fn rows() -> Vec<Vec<String>> {
        vec![
            vec!["`a`".into(), "10".into(), "0.50".into()],
            vec!["`longer`".into(), "7".into(), "-".into()],
        ]
    }

    #[test]
    fn markdown_pads_and_marks_number_columns() {
        assert_eq!(
            markdown(&COLS, rows()),
            "| name     |  n |  × x |\n\
             |----------|---:|-----:|\n\
             | `a`      | 10 | 0.50 |\n\
             | `longer` |  7 |    - |\n"
        );
    }

    #[test]
    fn plain_is_space_separated() {
        assert_eq!(
            plain(&COLS, rows()),
            "name      n  × x\n\
             `a`      10 0.50\n\
             `longer`  7    -\n"
        );
    }
}
