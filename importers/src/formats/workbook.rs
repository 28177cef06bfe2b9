//! `.xlsx` workbooks (Ads Manager downloads, agency sheets): every sheet whose header row
//! matches an input kind is read like a CSV file of that kind, with the same detection,
//! aliases and rejections. A sheet's rows cite `file.xlsx#Sheet` and the sheet's row number.
//!
//! Numbers are the hazard: a 19-digit ID typed into Excel is stored as a float and has
//! already lost its last digits. Such a cell (beyond 2^53) is passed on in scientific
//! notation, which the ID check rejects with the spreadsheet hint; smaller whole numbers
//! read as their digits, and date cells as `YYYY-MM-DD HH:MM:SS`.

use calamine::{Data, Reader, Xlsx};
use sparkcheck_facts::{time, Facts, FileFormat, SourceFile};

use crate::formats::delimited::{import_record, Table};
use crate::registry::{detect, Detection};
use crate::table::normalize_header;

/// The largest integer a float holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Imports the sheets of a workbook; `Err` when it cannot be opened or no sheet fits.
pub fn import(display: &str, bytes: &[u8], facts: &mut Facts) -> Result<(), String> {
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        format!("cannot open the workbook: {e}; hint: save it again as .xlsx, or export CSV")
    })?;
    let mut read_any = false;
    let mut nearest = None;
    for name in workbook.sheet_names() {
        let Ok(range) = workbook.worksheet_range(&name) else {
            continue;
        };
        let mut rows = range.rows();
        let Some(header) = rows.next() else {
            continue;
        };
        let shown: Vec<String> = header
            .iter()
            .map(|c| cell_text(c).trim().to_string())
            .collect();
        let headers: Vec<String> = shown.iter().map(|h| normalize_header(h)).collect();
        let (importer, map) = match detect(&headers) {
            Detection::Matched(importer, map) => (importer, map),
            Detection::Unrecognised {
                nearest: kind,
                missing,
            } => {
                if nearest.is_none() {
                    let missing: Vec<String> = missing.iter().map(|c| c.describe()).collect();
                    nearest = Some(format!(
                        "no sheet's header matches an input kind; the first, `{name}`, is nearest `{}`, which also needs {}",
                        kind.kind(),
                        missing.join(", ")
                    ));
                }
                continue;
            }
        };
        read_any = true;
        let first_line = range.start().map_or(1, |(row, _)| u64::from(row) + 1);
        let mut source = SourceFile::new(
            format!("{display}#{name}"),
            FileFormat::Workbook,
            vec![importer.kind()],
        );
        source.notes = vec![format!("sheet `{name}` of a workbook")];
        source.fields = map.optional_present(importer.fields());
        let file = facts.add_file(source);
        let table = Table {
            kind: importer,
            map: &map,
            shown: &shown,
            file,
        };
        let mut recent = crate::record::RecentSyms::default();
        let (mut count, mut imported, mut rejections) = (0u64, 0u64, Vec::new());
        for (index, cells) in rows.enumerate() {
            if cells.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            count += 1;
            let record: csv::StringRecord = cells.iter().map(cell_text).collect();
            let line = first_line + 1 + index as u64;
            match import_record(&table, line, &record, facts, &mut recent) {
                Ok(()) => imported += 1,
                Err(rejection) => rejections.push(rejection),
            }
        }
        let source = &mut facts.files[file as usize];
        source.rows = count;
        source.imported = imported;
        source.rejected = rejections.len() as u64;
        facts.rejections.extend(rejections);
    }
    if read_any {
        Ok(())
    } else {
        Err(nearest.unwrap_or_else(|| "the workbook has no sheet with a header row".to_string()))
    }
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < EXACT => format!("{}", *f as i64),
        // Digits beyond 2^53 are already gone: scientific notation makes the ID check say so.
        Data::Float(f) if f.fract() == 0.0 => format!("{f:E}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(date) => {
            // Excel's serial day 25569 is 1970-01-01.
            let secs = ((date.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            time::format_instant(secs)
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_string()
        }
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
