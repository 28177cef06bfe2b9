//! Delimited text (`,`, `;` or tab with a header row): sniff the delimiter, detect the
//! kind from the header, then one fact or one rejection per row.

use sparkcheck_facts::{Facts, FileFormat, Rejection, RowRef, SourceFile};

use crate::decode::Decoded;
use crate::record::{build_row, Kind, RecentSyms, RowSink};
use crate::registry::{detect, Detection};
use crate::table::{normalize_header, ColumnMap};

/// Imports one decoded delimited file; `Err` is the one-line reason it cannot be used.
///
/// `advance` is told of bytes consumed now and then; the caller reports the rest when the
/// file is done.
pub fn import(
    display: &str,
    decoded: &Decoded<'_>,
    facts: &mut Facts,
    advance: &dyn Fn(u64),
) -> Result<(), String> {
    let text = &decoded.text[..];
    let first = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err("the file is empty; expected a header row naming the columns".to_string());
    };
    if matches!(text[first], b'{' | b'[') {
        return Err("this looks like JSON, which sparkcheck does not read yet; \
                    hint: export the data as CSV"
            .to_string());
    }
    let delimiter = sniff_delimiter(text, display);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let raw_headers = reader
        .byte_headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let shown: Vec<String> = raw_headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let headers: Vec<String> = shown.iter().map(|h| normalize_header(h)).collect();

    let (importer, map) = match detect(&headers) {
        Detection::Matched(importer, map) => (importer, map),
        Detection::Unrecognised { nearest, missing } => {
            return Err(unrecognised(
                &shown,
                nearest.kind().name(),
                &missing,
                delimiter,
            ))
        }
    };
    let mut notes: Vec<String> = decoded.note.iter().cloned().collect();
    if delimiter != b',' {
        notes.push(format!("delimiter `{}`", describe_delimiter(delimiter)));
    }
    let mut source = SourceFile::new(display, FileFormat::Delimited, vec![importer.kind()]);
    source.notes = notes;
    source.fields = map.optional_present(importer.fields());
    let file = facts.add_file(source);

    let (mut rows, mut imported) = (0u64, 0u64);
    let mut rejections = Vec::new();
    // A StringRecord checks UTF-8 once per record, not once per field read.
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::default();
    let mut recent = RecentSyms::default();
    let mut reported = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("cannot read row {}: {e}", rows + 1)),
        }
        rows += 1;
        let byte = record.position().map_or(0, |p| p.byte());
        if rows % 16_384 == 0 {
            advance(byte - reported);
            reported = byte;
        }
        let line = lines.line_at(text, byte);
        if record.len() != headers.len() {
            rejections.push(Rejection {
                file,
                line,
                column: None,
                reason: field_count_reason(record.len(), headers.len(), delimiter),
            });
            continue;
        }
        let table = Table {
            kind: importer,
            map: &map,
            shown: &shown,
            file,
        };
        match import_record(&table, line, &record, facts, &mut recent) {
            Ok(()) => imported += 1,
            Err(rejection) => rejections.push(rejection),
        }
    }
    let source = &mut facts.files[file as usize];
    source.rows = rows;
    source.imported = imported;
    source.rejected = rejections.len() as u64;
    facts.rejections.extend(rejections);
    Ok(())
}

/// What one table's rows are read with.
pub(crate) struct Table<'t> {
    /// The kind its header chose.
    pub kind: &'static dyn Kind,
    /// Where the kind's fields are.
    pub map: &'t ColumnMap,
    /// The header cells as written, for messages.
    pub shown: &'t [String],
    /// The source file's index.
    pub file: u32,
}

/// Turns one record into facts, or into its rejection naming the column at fault.
pub(crate) fn import_record(
    table: &Table<'_>,
    line: u64,
    record: &csv::StringRecord,
    facts: &mut Facts,
    recent: &mut RecentSyms,
) -> Result<(), Rejection> {
    let values = table.map.values(record);
    let at = RowRef {
        file: table.file,
        line: u32::try_from(line).unwrap_or(u32::MAX),
    };
    let mut sink = RowSink { facts, at, recent };
    build_row(table.kind, &values, &mut sink).map_err(|error| {
        let column = error.field.and_then(|c| table.map.position(c));
        let column_header = column.map(|position| &table.shown[position]);
        Rejection {
            file: table.file,
            line,
            reason: match (column, column_header) {
                (Some(position), Some(header)) => {
                    format!("column {} (`{header}`): {}", position + 1, error.message)
                }
                _ => error.message,
            },
            column: column_header.cloned(),
        }
    })
}

/// Line numbers from byte offsets, counted incrementally.
///
/// The csv crate's own line count is one short after CRLF line ends (it ends a record at
/// `\r` and starts the next at `\n`), so lines are counted here: `\r\n`, `\n` and a lone
/// `\r` each end a line, and a record starts after any line ends at its offset.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    /// The 1-based line of the record whose reported start is `byte`.
    fn line_at(&mut self, text: &[u8], byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.offset {
            (self.offset, self.line) = (0, 0);
        }
        let chunk = &text[self.offset..start];
        let breaks = memchr::memchr2_iter(b'\n', b'\r', chunk)
            .filter(|&i| chunk[i] == b'\n' || chunk.get(i + 1) != Some(&b'\n'))
            .count();
        self.offset = start;
        self.line += breaks as u64;
        self.line + 1
    }
}

/// Picks `,`, `;` or tab: whichever occurs most often, outside quotes, in the header line.
/// `.tsv` files default to tab on a tie.
fn sniff_delimiter(text: &[u8], display: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in text {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let tsv = display.to_ascii_lowercase().ends_with(".tsv");
    let candidates = if tsv {
        [(counts[2], b'\t'), (counts[0], b','), (counts[1], b';')]
    } else {
        [(counts[0], b','), (counts[1], b';'), (counts[2], b'\t')]
    };
    // max_by_key keeps the last maximum: iterate in reverse so the first preference wins ties.
    candidates
        .iter()
        .rev()
        .max_by_key(|(count, _)| *count)
        .map_or(b',', |&(_, delimiter)| delimiter)
}

/// A header cell as an error may show it. A file without a header row starts with data,
/// and its first cell may be an auth code: long cells with digits show their last four
/// characters only, as codes do everywhere.
fn shown_header(cell: &str) -> String {
    let looks_like_data = cell.chars().count() > 12 && cell.chars().any(|c| c.is_ascii_digit());
    if looks_like_data {
        sparkcheck_facts::quote(&crate::values::mask_code(cell))
    } else {
        sparkcheck_facts::quote(cell)
    }
}

fn describe_delimiter(delimiter: u8) -> &'static str {
    match delimiter {
        b'\t' => "tab",
        b';' => ";",
        _ => ",",
    }
}

fn field_count_reason(found: usize, expected: usize, delimiter: u8) -> String {
    let plural = if found == 1 { "field" } else { "fields" };
    let hint = if found > expected {
        format!(
            "a value containing `{}` or a line break must be quoted",
            describe_delimiter(delimiter)
        )
    } else {
        "the row ends early: a field is missing, or a quoted value runs on".to_string()
    };
    format!("expected {expected} fields as in the header, found {found} {plural}; hint: {hint}")
}

fn unrecognised(
    shown: &[String],
    nearest: &str,
    missing: &[&crate::record::Field],
    delimiter: u8,
) -> String {
    let found: Vec<String> = shown
        .iter()
        .take(20)
        .map(|h| format!("`{}`", shown_header(h)))
        .collect();
    let missing: Vec<String> = missing.iter().map(|c| c.describe()).collect();
    let data_like = shown
        .iter()
        .filter(|h| h.chars().any(|c| c.is_ascii_digit() || c == '@'))
        .count();
    let hint = if data_like * 2 > shown.len() {
        "the first row looks like data: is the header row missing?"
    } else {
        "`sparkcheck audit --help` lists every kind's columns"
    };
    format!(
        "the header matches no input kind (read with delimiter `{}`); found {}; \
         the nearest kind is `{nearest}`, which also needs {}; hint: {hint}",
        describe_delimiter(delimiter),
        found.join(", "),
        missing.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_lines(text: &str) -> Vec<u64> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        let mut counter = LineCounter::default();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            lines.push(counter.line_at(text.as_bytes(), record.position().unwrap().byte()));
        }
        lines
    }

    #[test]
    fn lines_are_right_for_every_line_end() {
        assert_eq!(record_lines("h,i\na,b\nc,d\n"), [2, 3]);
        assert_eq!(record_lines("h,i\r\na,b\r\nc,d\r\n"), [2, 3]);
        assert_eq!(record_lines("h,i\ra,b\rc,d"), [2, 3]);
        assert_eq!(record_lines("h,i\r\na,\"x\r\ny\"\r\nc,d\n\ne,f"), [2, 4, 6]);
    }

    #[test]
    fn delimiter_is_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5", "x.csv"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n", "x.csv"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\r\n", "x.txt"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,b\";c\n", "x.csv"), b';');
        assert_eq!(sniff_delimiter(b"single\n", "x.tsv"), b'\t');
        assert_eq!(sniff_delimiter(b"single\n", "x.csv"), b',');
    }
}
