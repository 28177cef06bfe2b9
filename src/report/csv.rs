//! CSV for account managers: one row per finding, UTF-8 with a BOM so Excel reads accents
//! right, RFC 4180 quoting (through `csv::Writer`), formulas neutralised.
//!
//! IDs stay text, exactly as exported. Excel's double-click open still turns a 19-digit ID
//! into `7.30123E+18` and drops digits: open the file through Data → From Text/CSV with
//! the ID columns set to Text, or use `--format xlsx`, whose ID cells are text.

use std::io::{self, Write};

use super::escape::spreadsheet_cell;
use super::{finding_row, Report, FINDING_COLUMNS};

/// Writes the findings as CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(FINDING_COLUMNS)?;
    for finding in &report.findings {
        let row = finding_row(finding);
        writer.write_record(row.iter().map(|cell| spreadsheet_cell(cell).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}
