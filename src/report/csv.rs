//! CSV for account managers: one row per finding, UTF-8 with a BOM so Excel reads accents
//! right, RFC 4180 quoting (see [`write_record`]), formulas neutralised.
//!
//! Handles are written without their `@` in the `handle (without @)` column (the
//! `expiring` forecast's CSV too, through [`without_at`]): a cell that starts with `@` is a
//! formula to Excel, and guarding it with `'` would show every handle as `'@name`. Everywhere else a value a spreadsheet would evaluate (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) still gets a leading `'`.
//!
//! IDs stay text, exactly as exported. Excel's double-click open still turns a 19-digit ID
//! into `7.30123E+18` and drops digits: open the file through Data → From Text/CSV with
//! the ID columns set to Text, or use `--format xlsx`, whose ID cells are text.

use std::borrow::Cow;
use std::io::{self, Write};

use super::escape::spreadsheet_cell;
use super::{finding_row, Report, FINDING_COLUMNS};

/// The handle column's index in [`FINDING_COLUMNS`].
const HANDLE: usize = 3;

/// The handle column's header in the CSV.
pub const HANDLE_COLUMN: &str = "handle (without @)";

/// `@a, @b` as `a, b`: handles as every sparkcheck CSV writes them (the audit's findings
/// and the `expiring` forecast).
pub fn without_at(handles: &str) -> String {
    handles
        .split(", ")
        .map(|h| h.strip_prefix('@').unwrap_or(h))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the findings as CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut columns = FINDING_COLUMNS;
    columns[HANDLE] = HANDLE_COLUMN;
    write_record(&mut out, columns.iter().copied())?;
    let threads = super::parallel::threads();
    super::parallel::write_items(&report.findings, &mut out, threads, |finding, out| {
        let mut row = finding_row(finding);
        row[HANDLE] = Cow::Owned(without_at(&row[HANDLE]));
        // Writing into a buffer cannot fail.
        let _ = write_record(out, row.iter().map(|cell| spreadsheet_cell(cell)));
    })?;
    out.flush()
}

/// One RFC 4180 record ending in CRLF. Written by hand rather than with `csv::Writer`,
/// whose cost grows with the square of a cell's length (an 80 MB cell took 18 s): each
/// cell is scanned once and copied once.
pub fn write_record<S: AsRef<str>>(
    out: &mut dyn Write,
    cells: impl Iterator<Item = S>,
) -> io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, cell.as_ref())?;
    }
    out.write_all(b"\r\n")
}

/// A field, quoted when it holds a comma, a quote or a line break (quotes doubled).
fn write_field(out: &mut dyn Write, cell: &str) -> io::Result<()> {
    let bytes = cell.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        return out.write_all(bytes);
    }
    out.write_all(b"\"")?;
    for (i, part) in cell.split('"').enumerate() {
        if i > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(part.as_bytes())?;
    }
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[&str]) -> String {
        let mut out = Vec::new();
        write_record(&mut out, cells.iter()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_and_the_csv_crate_read_them_back() {
        let cells = ["plain", "a,b", "say \"hi\"", "two\nlines", "", "é ✓", "\r"];
        let text = record(&cells);
        assert_eq!(
            text,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,é ✓,\"\r\"\r\n"
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let read: Vec<String> = reader
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(read, cells);
    }
}
