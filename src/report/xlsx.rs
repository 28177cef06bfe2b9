//! An Excel workbook: every finding on one sheet (IDs as text cells, header frozen, an
//! autofilter), then one worklist sheet per owner role with the key columns, the fix and
//! the finding's row on the Findings sheet (not every cell again). Cells are written as
//! strings, so no input value can become a formula. Sheets are written in constant-memory
//! mode (each row goes to a temporary file as soon as the next one starts).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{finding_row, numbered, FindingOut, Report, FINDING_COLUMNS};

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
    // Deflating the sheets' XML is most of the time: level 1 is several times faster than
    // the default 6 for a somewhat larger file.
    workbook.set_zip_compression_level(1);
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let all: Vec<&FindingOut> = report.findings.iter().collect();
    add_sheet(
        workbook.add_worksheet_with_constant_memory()?,
        "Findings",
        &all,
        &header,
        &wrap,
    )?;
    for role in ["Org Admin", "Creator", "Advertiser", "Media Buyer"] {
        let worklist: Vec<(usize, &FindingOut)> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.owner_role == role)
            .collect();
        add_worklist(
            workbook.add_worksheet_with_constant_memory()?,
            role,
            &worklist,
            &header,
            &wrap,
        )?;
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

/// The columns of a role's worklist: the finding's keys, its fix, and its row on the
/// Findings sheet (where the symptom and evidence are).
const WORKLIST_COLUMNS: [(&str, f64); 8] = [
    ("advertiser_id", 22.0),
    ("post_id", 22.0),
    ("handle", 18.0),
    ("cause", 22.0),
    ("severity", 9.0),
    ("owner_role", 13.0),
    ("fix", 80.0),
    ("findings_row", 12.0),
];

fn add_worklist(
    sheet: &mut Worksheet,
    name: &str,
    findings: &[(usize, &FindingOut)],
    header: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    for (col, (title, width)) in WORKLIST_COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *title, header)?;
        sheet.set_column_width(col, *width)?;
    }
    for (row, (index, finding)) in findings.iter().enumerate() {
        let row = row as u32 + 1;
        let cells = [
            finding.advertiser_id.as_str(),
            finding.post_id.as_str(),
            finding.handle.as_deref().unwrap_or(""),
            finding.cause.as_str(),
            finding.severity.name(),
            finding.owner_role.as_str(),
        ];
        for (col, cell) in cells.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *cell, wrap)?;
        }
        sheet.write_string_with_format(row, 6, numbered(&finding.fix), wrap)?;
        // The Findings sheet's header is row 1, so finding `index` is on row index + 2.
        sheet.write_number(row, 7, (*index + 2) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = findings.len() as u32;
    sheet.autofilter(0, 0, last_row, WORKLIST_COLUMNS.len() as u16 - 1)?;
    Ok(())
}
