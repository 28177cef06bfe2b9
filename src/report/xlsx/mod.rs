//! An Excel workbook: a `Summary` sheet first (totals, findings per cause with its title,
//! per owner role, per client and ad account, every check not run and why, the inputs, the
//! config, the history), every finding on `Findings` (header frozen, an autofilter), one
//! worklist sheet per owner role with the key columns, the fix and the finding's row on the
//! Findings sheet (not every cell again), and the `Rejected rows` last (a header even when
//! there are none).
//!
//! Cells are strings or numbers and never formulas, whatever an input holds; ID
//! cells (ad accounts, posts, ads, handles) also carry the Text number format (`@`), as
//! their whole columns do, so editing one in Excel keeps it text instead of turning a
//! 19-digit ID into `7.30123E+18`. A value longer than an Excel cell holds (32,767 UTF-16
//! units) is cut with a visible `… [cut: N characters]` marker rather than failing the run.
//!
//! The workbook is written here rather than by a general library (rust_xlsxwriter took
//! 1.4-1.5 s at 90k findings, about 3.4 times the JSON report): each sheet's XML is
//! streamed in pieces of rows straight into a deflate compressor, the pieces compressed on
//! every thread and joined into one stream per part ([`deflate`]), and the zip written
//! around them ([`zip`]). Repeated texts go to a shared string table ([`tables`]) and
//! cells name their column only after a gap ([`sheet`]), which keeps the XML small. The
//! pieces are cut from the report alone, so the bytes do not depend on the thread count,
//! and the workbook is dated at the report's as-of: the same audit, the same bytes.

mod cell;
mod deflate;
mod package;
mod sheet;
mod summary;
mod tables;
mod zip;

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use super::{FindingOut, Report};
use deflate::Deflated;
use package::SheetEntry;
use sheet::Column;
use tables::{Prepared, FINDINGS, REJECTED, ROLES, WORKLIST};

/// The most UTF-16 code units an Excel cell holds.
pub const MAX_CELL: usize = 32_767;

/// Findings per piece of the Findings sheet: about 2 MB of XML, small enough to keep two
/// threads busy to the end and stay in cache between writing and compressing, large
/// enough that a piece's fresh deflate state costs nothing measurable. Tests cut small
/// reports into many pieces of odd sizes.
const FINDINGS_PER_PIECE: usize = if cfg!(test) { 97 } else { 2048 };

/// Rows per piece of the worklists and the Rejected rows sheet (shorter rows).
const ROWS_PER_PIECE: usize = if cfg!(test) { 61 } else { 4096 };

/// The most XML a piece may hold, by [`Workbook::row_bound`]: each thread keeps a piece's
/// XML and room for its deflated bytes, so memory stays bounded whatever the cells hold
/// (an outside review fed 256 findings whose handle was 32,000 carriage returns, each
/// written `_x000D_`: pieces of 2,048 rows took 700 MB, ten times the old writer). Real
/// rows stay far below it, so their pieces are cut by count alone.
const PIECE_BYTES: usize = if cfg!(test) { 64 << 10 } else { 32 << 20 };

/// Bytes of XML a cell may take besides its text: `<c r="AB1048576" s="9" t="inlineStr">
/// <is><t xml:space="preserve">` and the closing tags.
const CELL_XML: usize = 96;

/// The most bytes of XML a byte of text may become (`\r` is written `_x000D_`).
const ESCAPED: usize = 7;

/// Writes the workbook to `out`, prepared on every available thread.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    write_with_threads(report, out, threads)
}

/// [`write`] on up to `threads` threads; the same bytes for any `threads`. Nothing is
/// written when the workbook cannot be (a sheet with more rows than Excel holds).
pub fn write_with_threads(report: &Report, out: &mut dyn Write, threads: usize) -> io::Result<()> {
    let prepared = Prepared::new(&report.findings, threads);
    let workbook = Workbook::plan(report, &prepared)?;
    let deflated = deflate::deflate_pieces(
        &workbook.pieces,
        threads,
        |piece| piece.last,
        |piece, xml| workbook.render(piece, xml),
    )?;
    workbook.zip(deflated, out)
}

/// `text` as an Excel cell holds it: neutralised, and unchanged when it fits, else its
/// start and a visible `… [cut: N characters]` marker (N the characters left out), within
/// [`MAX_CELL`]. The cell writer gets the same text in one pass ([`cut_to_fit`], then
/// neutralising as it escapes); this is the definition the tests hold it to.
pub fn fit(text: &str) -> Cow<'_, str> {
    // Bidirectional overrides and control characters become U+FFFD (see `inert_cell`).
    match super::escape::inert_cell(text) {
        Cow::Borrowed(text) => cut_to_fit(text),
        Cow::Owned(text) => Cow::Owned(cut_to_fit(&text).into_owned()),
    }
}

/// `text` cut as [`fit`] cuts it, not neutralised: the cell writer neutralises as it
/// escapes, in one pass, and neutralising never changes a text's length in characters
/// or UTF-16 units (each character it replaces and U+FFFD are one of each), so cutting
/// first gives the same cell.
fn cut_to_fit(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL || text.encode_utf16().count() <= MAX_CELL {
        return Cow::Borrowed(text);
    }
    // The marker takes at most 40 units ("… [cut: " + 20 digits + " characters]").
    let budget = MAX_CELL - 40;
    let mut units = 0;
    let mut end = 0;
    let mut kept = 0;
    for (at, c) in text.char_indices() {
        if units + c.len_utf16() > budget {
            break;
        }
        units += c.len_utf16();
        end = at + c.len_utf8();
        kept += 1;
    }
    let cut = text.chars().count() - kept;
    Cow::Owned(format!("{}… [cut: {cut} characters]", &text[..end]))
}

/// A sheet with a row per finding or rejected row.
#[derive(Copy, Clone)]
enum Table {
    Findings,
    /// The worklist of [`ROLES`]`[n]`.
    Worklist(usize),
    Rejected,
}

impl Table {
    fn columns(self) -> &'static [Column] {
        match self {
            Table::Findings => &FINDINGS,
            Table::Worklist(_) => &WORKLIST,
            Table::Rejected => &REJECTED,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Table::Findings => "Findings",
            Table::Worklist(role) => ROLES[role],
            Table::Rejected => "Rejected rows",
        }
    }

    /// Its data rows.
    fn rows(self, report: &Report, prepared: &Prepared<'_>) -> usize {
        match self {
            Table::Findings => report.findings.len(),
            Table::Worklist(role) => prepared.worklists[role].len(),
            Table::Rejected => report.rejected.len(),
        }
    }
}

/// What a piece of a part holds.
enum Content {
    /// A small part written whole while planning.
    Fixed(Vec<u8>),
    SharedStrings,
    /// Rows of a table sheet: its start with the first, its end with the last.
    Rows(Table, Range<usize>),
}

/// A piece of a zip entry's XML, deflated on its own.
struct Piece {
    /// The entry it belongs to (an index into [`Workbook::parts`]).
    part: usize,
    content: Content,
    /// Whether it ends its entry.
    last: bool,
}

/// The workbook's entries and the pieces they are written in.
struct Workbook<'a> {
    report: &'a Report,
    prepared: &'a Prepared<'a>,
    /// The zip entries' names, in the archive's order.
    parts: Vec<String>,
    /// Largest first, so the threads finish together.
    pieces: Vec<Piece>,
}

impl<'a> Workbook<'a> {
    /// The entries and their pieces; an error when a sheet has more rows than Excel holds.
    fn plan(report: &'a Report, prepared: &'a Prepared<'a>) -> io::Result<Workbook<'a>> {
        let tables: Vec<(Table, usize)> = [Table::Findings]
            .into_iter()
            .chain((0..ROLES.len()).map(Table::Worklist))
            .chain([Table::Rejected])
            .map(|table| (table, table.rows(report, prepared)))
            .collect();
        let mut summary = Vec::new();
        sheet::check_rows("Summary", summary::write(report, &mut summary))?;
        let sheets = sheet_entries(&tables)?;
        let shared_strings = !prepared.strings.is_empty();
        // `parts` in the archive's order: the package's small parts as Office writes
        // them, then the sheets. `pieces` in the order they are compressed: the tables'
        // first, the largest, so that the threads finish together.
        let mut parts = Vec::new();
        let small: Vec<Piece> = package_parts(report, &sheets, shared_strings, summary)
            .into_iter()
            .map(|(name, content)| {
                parts.push(name);
                Piece {
                    part: parts.len() - 1,
                    content,
                    last: true,
                }
            })
            .collect();
        let mut pieces = Vec::new();
        let mut workbook = Workbook {
            report,
            prepared,
            parts,
            pieces: Vec::new(),
        };
        for (n, (table, rows)) in tables.into_iter().enumerate() {
            // Sheet 1 is the Summary; the tables follow it in order.
            workbook.parts.push(package::sheet_path(n + 2));
            let part = workbook.parts.len() - 1;
            pieces.extend(workbook.row_pieces(part, table, rows));
        }
        pieces.extend(small);
        workbook.pieces = pieces;
        Ok(workbook)
    }

    /// A table's `rows` cut into pieces of at most [`FINDINGS_PER_PIECE`] or
    /// [`ROWS_PER_PIECE`] rows and about [`PIECE_BYTES`] of XML (one piece for an empty
    /// table: its header). The cuts depend on the report alone, so the bytes do not depend
    /// on the thread count.
    fn row_pieces(&self, part: usize, table: Table, rows: usize) -> Vec<Piece> {
        let per_piece = match table {
            Table::Findings => FINDINGS_PER_PIECE,
            Table::Worklist(_) | Table::Rejected => ROWS_PER_PIECE,
        };
        let mut cuts = Vec::new();
        let (mut start, mut bytes) = (0, 0);
        for row in 0..rows {
            let bound = self.row_bound(table, row);
            if row > start && (row - start == per_piece || bytes + bound > PIECE_BYTES) {
                cuts.push(start..row);
                (start, bytes) = (row, 0);
            }
            bytes += bound;
        }
        cuts.push(start..rows);
        let count = cuts.len();
        cuts.into_iter()
            .enumerate()
            .map(|(n, rows)| Piece {
                part,
                content: Content::Rows(table, rows),
                last: n + 1 == count,
            })
            .collect()
    }

    /// The most bytes of XML row `row` of `table` can take: every byte of its texts
    /// escaped at the most, and each cell's markup.
    fn row_bound(&self, table: Table, row: usize) -> usize {
        let findings = &self.report.findings;
        let text = match table {
            Table::Findings => finding_text_len(&findings[row]),
            Table::Worklist(role) => {
                let finding = &findings[self.prepared.worklists[role][row] as usize];
                finding_text_len(finding)
            }
            Table::Rejected => {
                let rejected = &self.report.rejected[row];
                rejected.path.len()
                    + rejected.reason.len()
                    + rejected.column.as_ref().map_or(0, String::len)
                    + 20
            }
        };
        text * ESCAPED + table.columns().len() * CELL_XML
    }
}

/// The bytes of every text of a finding's row, with room for the separators and numbers
/// its joined cells add (at most 16 per value).
fn finding_text_len(f: &FindingOut) -> usize {
    let strings = |values: &[String]| values.iter().map(|v| v.len() + 16).sum::<usize>();
    f.advertiser_id.len()
        + f.account_name.as_ref().map_or(0, String::len)
        + f.post_id.len()
        + f.handle.as_ref().map_or(0, String::len)
        + strings(&f.ad_ids)
        + f.cause.len()
        + 16
        + f.symptom.len()
        + f.owner_role.len()
        + strings(&f.fix)
        + f.evidence
            .iter()
            .map(|e| e.path.len() + e.says.len() + 40)
            .sum::<usize>()
        + f.first_seen.as_ref().map_or(0, String::len)
}

impl<'a> Workbook<'a> {
    /// A piece's XML.
    fn render(&self, piece: &Piece, xml: &mut Vec<u8>) {
        match &piece.content {
            Content::Fixed(bytes) => xml.extend_from_slice(bytes),
            Content::SharedStrings => self.prepared.write_shared_strings(xml),
            Content::Rows(table, rows) => self.render_rows(*table, rows.clone(), xml),
        }
    }

    /// Rows of a table, with the sheet's start before its first row and its end after
    /// its last.
    fn render_rows(&self, table: Table, rows: Range<usize>, xml: &mut Vec<u8>) {
        let findings = &self.report.findings;
        let total = table.rows(self.report, self.prepared);
        if rows.start == 0 {
            sheet::table_start(xml, table.columns(), total);
        }
        let end = rows.end;
        match table {
            Table::Findings => self.prepared.findings_rows(findings, rows, xml),
            Table::Worklist(role) => self.prepared.worklist_rows(findings, role, rows, xml),
            Table::Rejected => tables::rejected_rows(&self.report.rejected, rows, xml),
        }
        if end == total {
            sheet::table_end(xml, table.columns(), total);
        }
    }

    /// The archive, to `out`: each entry the concatenation of its pieces.
    fn zip(self, deflated: Vec<Deflated>, out: &mut dyn Write) -> io::Result<()> {
        let mut by_part: Vec<Vec<Deflated>> = self.parts.iter().map(|_| Vec::new()).collect();
        for (piece, deflated) in self.pieces.iter().zip(deflated) {
            by_part[piece.part].push(deflated);
        }
        let entries: Vec<zip::Entry<'_>> = self
            .parts
            .iter()
            .zip(&by_part)
            .map(|(name, pieces)| zip::Entry { name, pieces })
            .collect();
        zip::write(&entries, out)
    }
}

/// The workbook's sheets as it lists them: the Summary, then each table with its filter
/// over its header and rows; an error for a table with more rows than a sheet holds.
fn sheet_entries(tables: &[(Table, usize)]) -> io::Result<Vec<SheetEntry>> {
    let mut sheets = vec![SheetEntry {
        name: "Summary",
        filter: None,
    }];
    for (table, rows) in tables {
        sheet::check_rows(table.name(), rows + 1)?;
        sheets.push(SheetEntry {
            name: table.name(),
            filter: Some((table.columns().len(), rows + 1)),
        });
    }
    Ok(sheets)
}

/// The package's parts but the table sheets, in the archive's order: content types and
/// relationships first, as Office writes them, the shared strings, then the Summary.
fn package_parts(
    report: &Report,
    sheets: &[SheetEntry],
    shared_strings: bool,
    summary: Vec<u8>,
) -> Vec<(String, Content)> {
    let fixed = |text: String| Content::Fixed(text.into_bytes());
    let mut parts = vec![
        (
            "[Content_Types].xml".to_string(),
            fixed(package::content_types(sheets.len(), shared_strings)),
        ),
        ("_rels/.rels".into(), fixed(package::root_relationships())),
        ("docProps/app.xml".into(), fixed(package::app(sheets))),
        (
            "docProps/core.xml".into(),
            fixed(package::core(&report.as_of)),
        ),
        ("xl/workbook.xml".into(), fixed(package::workbook(sheets))),
        (
            "xl/_rels/workbook.xml.rels".into(),
            fixed(package::workbook_relationships(
                sheets.len(),
                shared_strings,
            )),
        ),
        ("xl/styles.xml".into(), fixed(package::STYLES.into())),
        ("xl/theme/theme1.xml".into(), fixed(package::THEME.into())),
    ];
    if shared_strings {
        // Written on a thread like the sheets: it grows with the distinct texts.
        parts.push((package::SHARED_STRINGS_PATH.into(), Content::SharedStrings));
    }
    parts.push((package::sheet_path(1), Content::Fixed(summary)));
    parts
}

#[cfg(test)]
mod tests;
