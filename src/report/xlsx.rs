//! An Excel workbook: every finding on one sheet (IDs as text cells, header frozen, an
//! autofilter), then one worklist sheet per owner role. Cells are written as strings, so
//! no input value can become a formula.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{finding_row, FindingOut, Report, FINDING_COLUMNS};

/// Column widths in characters, matching [`FINDING_COLUMNS`].
const WIDTHS: [f64; 12] = [
    22.0, 20.0, 22.0, 18.0, 22.0, 22.0, 9.0, 50.0, 13.0, 80.0, 80.0, 22.0,
];

/// The workbook's bytes.
pub fn to_bytes(report: &Report) -> std::io::Result<Vec<u8>> {
    build(report)
        .and_then(|mut workbook| workbook.save_to_buffer())
        .map_err(std::io::Error::other)
}

fn build(report: &Report) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let all: Vec<&FindingOut> = report.findings.iter().collect();
    add_sheet(workbook.add_worksheet(), "Findings", &all, &header, &wrap)?;
    for role in ["Org Admin", "Creator", "Advertiser", "Media Buyer"] {
        let worklist: Vec<&FindingOut> = report
            .findings
            .iter()
            .filter(|f| f.owner_role == role)
            .collect();
        add_sheet(workbook.add_worksheet(), role, &worklist, &header, &wrap)?;
    }
    Ok(workbook)
}

fn add_sheet(
    sheet: &mut Worksheet,
    name: &str,
    findings: &[&FindingOut],
    header: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    for (col, (title, width)) in FINDING_COLUMNS.iter().zip(WIDTHS).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *title, header)?;
        sheet.set_column_width(col, width)?;
    }
    for (row, finding) in findings.iter().enumerate() {
        let row = row as u32 + 1;
        for (col, cell) in finding_row(finding).iter().enumerate() {
            // write_string: IDs stay text (no 7.30123E+18) and nothing is a formula.
            sheet.write_string_with_format(row, col as u16, cell, wrap)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = findings.len() as u32;
    sheet.autofilter(0, 0, last_row, FINDING_COLUMNS.len() as u16 - 1)?;
    Ok(())
}
