//! CSV for account managers: one row per finding, UTF-8 with a BOM so Excel reads accents
//! right, RFC 4180 quoting (through `csv::Writer`), formulas neutralised.
//!
//! Handles are written without their `@` in the `handle (without @)` column (the
//! `expiring` forecast's CSV too, through [`without_at`]): a cell that starts with `@` is a
//! formula to Excel, and guarding it with `'` would show every handle as `'@name`. Everywhere else a value a spreadsheet would evaluate (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) still gets a leading `'`.
//!
//! IDs stay text, exactly as exported. Excel's double-click open still turns a 19-digit ID
//! into `7.30123E+18` and drops digits: open the file through Data → From Text/CSV with
//! the ID columns set to Text, or use `--format xlsx`, whose ID cells are text.

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
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let mut columns = FINDING_COLUMNS;
    columns[HANDLE] = HANDLE_COLUMN;
    writer.write_record(columns)?;
    for finding in &report.findings {
        let mut row = finding_row(finding);
        row[HANDLE] = without_at(&row[HANDLE]);
        writer.write_record(row.iter().map(|cell| spreadsheet_cell(cell).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}
