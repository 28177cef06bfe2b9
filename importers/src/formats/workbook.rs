//! `.xlsx` workbooks (Ads Manager downloads, agency sheets): every sheet whose header row
//! matches an input kind is read like a CSV file of that kind, with the same detection,
//! aliases and rejections. A sheet's rows cite `file.xlsx#Sheet` and the sheet's row number.
//!
//! Numbers are the hazard: a 19-digit ID typed into Excel is stored as a float and has
//! already lost its last digits. Such a cell (beyond 2^53) is passed on in scientific
//! notation, which the ID check rejects with the spreadsheet hint; smaller whole numbers
//! read as their digits, and date cells as `YYYY-MM-DD HH:MM:SS`.

use calamine::{DataRef, Reader, Xlsx};
use sparkcheck_facts::{time, Facts, FileFormat, SourceFile};

use crate::formats::delimited::{import_record, Table};
use crate::registry::{detect, Detection};
use crate::table::normalize_header;

/// The largest integer a float holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Imports the sheets of a workbook; `Err` when it cannot be opened or no sheet fits.
///
/// Sheets are streamed cell by cell: the dimension a sheet declares is never used to
/// allocate (a 2 KB file can claim `A1:XFD1048576`, 17 billion cells), and a row keeps
/// no more cells than its header has, plus one to tell that it has too many. Before
/// calamine unpacks anything, the sizes the archive declares are checked: a workbook
/// may unpack to at most [`unpacked_limit`] bytes (the zip reader refuses an entry
/// larger than it declares).
pub fn import(display: &str, bytes: &[u8], facts: &mut Facts) -> Result<(), String> {
    check_unpacked_size(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        format!("cannot open the workbook: {e}; hint: save it again as .xlsx, or export CSV")
    })?;
    let mut read_any = false;
    let mut nearest = None;
    for name in workbook.sheet_names() {
        let Ok(mut cells) = workbook.worksheet_cells_reader(&name) else {
            continue;
        };
        let mut rows = SheetRows::default();
        let Some((header_row, header)) = rows.next_row(&mut cells, usize::MAX)? else {
            continue;
        };
        let shown: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
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
        let width = shown.len() + 1;
        while let Some((row, cells)) = rows.next_row(&mut cells, width)? {
            if row <= header_row {
                // A row written out of order, before the header: not data.
                continue;
            }
            count += 1;
            let record: csv::StringRecord = cells.iter().map(String::as_str).collect();
            let line = u64::from(row) + 1;
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

/// The most bytes a workbook of `packed` bytes may unpack to: 100 times its size, and
/// at least 256 MiB (real exports unpack to 5 to 20 times their size), never more than
/// the input limit.
pub fn unpacked_limit(packed: u64) -> u64 {
    packed
        .saturating_mul(100)
        .max(256 << 20)
        .min(crate::limits::get().max_file)
}

/// A workbook's archive, read for its sizes before calamine unpacks anything.
type Archive<'b> = zip::ZipArchive<std::io::Cursor<&'b [u8]>>;

/// The bytes the archive's entries declare they unpack to.
fn declared_unpacked(archive: &mut Archive<'_>) -> u64 {
    let mut unpacked: u64 = 0;
    for index in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(index) {
            unpacked = unpacked.saturating_add(entry.size());
        }
    }
    unpacked
}

/// Bytes calamine keeps per shared string beyond its text (a `String` in a `Vec`, with
/// the vector's growth).
const PER_SHARED_STRING: u64 = 48;

/// How many shared strings the workbook holds, counted by unpacking its shared-strings
/// part as a stream (`<si>` elements, with or without a namespace prefix). Calamine
/// keeps them all in memory at open: 51 million empty `<si/>` (a 373 KB file) would be
/// 1.6 GB before a single cell is read.
fn shared_strings(archive: &mut Archive<'_>) -> u64 {
    use std::io::Read;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    let Some(name) = names
        .iter()
        .find(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
    else {
        return 0;
    };
    let Ok(mut part) = archive.by_name(name) else {
        return 0;
    };
    // Each chunk is searched with the bytes around its edges: the last `KEEP` bytes are
    // counted with the next chunk, and 16 bytes before them stay for the context.
    const KEEP: usize = 64;
    let (mut count, mut buffer, mut carry) = (0u64, vec![0u8; 1 << 16], Vec::new());
    let mut counted_to = 0;
    loop {
        let n = match part.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buffer[..n]);
        let boundary = carry.len().saturating_sub(KEEP).max(counted_to);
        count += count_si(&carry, counted_to, boundary);
        let drain_to = boundary.saturating_sub(16);
        carry.drain(..drain_to);
        counted_to = boundary - drain_to;
    }
    count + count_si(&carry, counted_to, carry.len())
}

/// The `<si>`, `<si/>`, `<si ...>` and `<x:si>` openings in `xml` that start in
/// `from..to` (the bytes around are context).
fn count_si(xml: &[u8], from: usize, to: usize) -> u64 {
    let mut count = 0;
    let end = (to + 1).min(xml.len());
    for at in memchr::memmem::find_iter(&xml[from..end], b"si").map(|i| i + from) {
        let after = xml.get(at + 2).copied();
        if !matches!(after, Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        // Back over a namespace prefix (`x:`) to the `<`, which must open, not close.
        let mut start = at;
        if start > 0 && xml[start - 1] == b':' {
            start -= 1;
            while start > 0 && xml[start - 1].is_ascii_alphanumeric() {
                start -= 1;
            }
        }
        if start > 0 && xml[start - 1] == b'<' {
            count += 1;
        }
    }
    count
}

fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        // Not a zip calamine can read either: its own error says so.
        return Ok(());
    };
    let unpacked = declared_unpacked(&mut archive);
    let limit = unpacked_limit(bytes.len() as u64);
    if unpacked > limit {
        return Err(format!(
            "the workbook declares {} of content in {} bytes, more than the limit of {}; \
             hint: a workbook that unpacks this much is damaged or hostile: export CSV",
            crate::limits::format_size(unpacked),
            bytes.len(),
            crate::limits::format_size(limit)
        ));
    }
    // Only then the one part unpacked ahead of calamine, to count what it would keep.
    let strings = shared_strings(&mut archive);
    if unpacked.saturating_add(strings.saturating_mul(PER_SHARED_STRING)) > limit {
        return Err(format!(
            "the workbook holds {strings} shared strings in {} bytes, which would take more \
             than the limit of {} to read; hint: a workbook like this is damaged or hostile: \
             export CSV",
            bytes.len(),
            crate::limits::format_size(limit)
        ));
    }
    Ok(())
}

/// Groups a sheet's cells, streamed in XML order, into rows.
#[derive(Default)]
struct SheetRows {
    /// A cell read past the end of the previous row: the first of the next.
    carried: Option<(u32, u32, String)>,
    done: bool,
}

impl SheetRows {
    /// The next row that has a non-empty cell: its 0-based index and its cells' text,
    /// at most `width` of them (a value further right is kept in the last one).
    fn next_row<RS: std::io::Read + std::io::Seek>(
        &mut self,
        reader: &mut calamine::XlsxCellReader<'_, RS>,
        width: usize,
    ) -> Result<Option<(u32, Vec<String>)>, String> {
        loop {
            let mut row: Option<u32> = None;
            let mut cells: Vec<String> = Vec::new();
            let place = |col: u32, text: String, cells: &mut Vec<String>| {
                // A value right of the kept cells lands in the last one, so the row still
                // has more fields than its header and is rejected as such, not lost.
                let col = (col as usize).min(width.saturating_sub(1));
                if !text.is_empty() {
                    if cells.len() <= col {
                        cells.resize(col + 1, String::new());
                    }
                    cells[col] = text;
                }
            };
            if let Some((r, c, text)) = self.carried.take() {
                row = Some(r);
                place(c, text, &mut cells);
            }
            while !self.done {
                let cell = reader
                    .next_cell()
                    .map_err(|e| format!("cannot read the workbook: {e}; hint: save it again as .xlsx, or export CSV"))?;
                let Some(cell) = cell else {
                    self.done = true;
                    break;
                };
                let (r, c) = cell.get_position();
                let text = cell_text(cell.get_value());
                match row {
                    Some(current) if current != r => {
                        self.carried = Some((r, c, text));
                        break;
                    }
                    _ => {
                        row = Some(r);
                        place(c, text, &mut cells);
                    }
                }
            }
            match row {
                Some(r) if cells.iter().any(|c| !c.trim().is_empty()) => {
                    return Ok(Some((r, cells)))
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_string(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < EXACT => format!("{}", *f as i64),
        // Digits beyond 2^53 are already gone: scientific notation makes the ID check say so.
        DataRef::Float(f) if f.fract() == 0.0 => format!("{f:E}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(date) => {
            // Excel's serial day 25569 is 1970-01-01.
            let secs = ((date.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            time::format_instant(secs)
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_string()
        }
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of_zeros(bytes: usize) -> Vec<u8> {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer
            .start_file("xl/worksheets/sheet1.xml", options)
            .unwrap();
        writer.write_all(&vec![b'0'; bytes]).unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_is_measured_by_what_it_declares_before_unpacking() {
        let packed = zip_of_zeros(3 << 20);
        assert!(packed.len() < 20_000, "{}", packed.len());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&packed[..])).unwrap();
        assert_eq!(declared_unpacked(&mut archive), 3 << 20);
        assert!(
            check_unpacked_size(b"not a zip").is_ok(),
            "calamine says why"
        );
    }

    #[test]
    fn shared_strings_are_counted_in_any_spelling_across_chunks() {
        let xml = b"<sst><si><t>a</t></si><si/><x:si >b</x:si><sis/>";
        assert_eq!(count_si(xml, 0, xml.len()), 3);
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("xl/sharedStrings.xml", options).unwrap();
        writer.write_all(&b"<si/>".repeat(100_000)).unwrap();
        let packed = writer.finish().unwrap().into_inner();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&packed[..])).unwrap();
        assert_eq!(shared_strings(&mut archive), 100_000);
        assert!(check_unpacked_size(&packed).is_ok(), "100k strings fit");
    }

    #[test]
    fn a_workbook_of_millions_of_empty_shared_strings_is_refused_before_calamine() {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("xl/sharedStrings.xml", options).unwrap();
        writer.write_all(b"<sst>").unwrap();
        writer.write_all(&b"<si/>".repeat(6_000_000)).unwrap();
        writer.write_all(b"</sst>").unwrap();
        let packed = writer.finish().unwrap().into_inner();
        assert!(packed.len() < 200_000, "{}", packed.len());
        let error = import("bomb.xlsx", &packed, &mut Facts::default()).unwrap_err();
        assert!(error.contains("holds 6000000 shared strings"), "{error}");
    }

    #[test]
    fn the_unpacked_limit_scales_with_the_file_within_the_input_limit() {
        assert_eq!(unpacked_limit(2_000), 256 << 20);
        assert_eq!(unpacked_limit(10 << 20), 1000 << 20);
        assert_eq!(unpacked_limit(1 << 40), crate::limits::DEFAULT_MAX_FILE);
    }
}
