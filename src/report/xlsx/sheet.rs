//! Worksheet XML: the parts every sheet shares (its start, column widths and formats, the
//! frozen header with an autofilter) and a row writer.
//!
//! Every cell names its reference (`r="C7"`). SpreadsheetML makes it optional, and Excel,
//! LibreOffice, openpyxl and calamine place a cell without one after the previous cell of
//! its row, but other readers people feed workbooks to (older exceljs and spout, Ruby's
//! creek) misplace or drop such cells. The references are about a tenth of the Findings
//! sheet's XML; a workbook every reader reads is worth that.

use super::cell::push_t;

/// A cell format: its index in `cellXfs` of `xl/styles.xml` (see `package::STYLES`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Style(u8);

impl Style {
    /// The default (no `s` attribute).
    pub const NONE: Style = Style(0);
    /// Bold on a light blue fill: header rows.
    pub const HEADER: Style = Style(1);
    /// Text number format (`@`), wrapped, top-aligned: IDs and handles on the finding
    /// sheets, which Excel then never turns into numbers, even when a user edits one.
    pub const ID: Style = Style(2);
    /// Wrapped, top-aligned.
    pub const WRAP: Style = Style(3);
    /// Bold, 14 points: the Summary's title.
    pub const TITLE: Style = Style(4);
    /// Bold, 12 points: the Summary's section titles.
    pub const SECTION: Style = Style(5);
    /// Text number format, not wrapped: IDs on the Summary.
    pub const ID_PLAIN: Style = Style(6);
}

/// Rows an Excel sheet holds.
pub const MAX_ROWS: usize = 1_048_576;

/// A column of a sheet with a header row: its title, width in characters, and the format
/// its cells take (empty cells too, so an ID typed below the data stays text).
pub struct Column {
    pub title: &'static str,
    pub width: u32,
    pub style: Style,
}

/// The start of every worksheet part.
const WORKSHEET: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
    <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";

/// Excel's default page margins, as Excel writes them.
const END: &[u8] = b"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" \
    header=\"0.3\" footer=\"0.3\"/></worksheet>";

/// A table sheet's XML up to and including its header row: its extent, the header row
/// frozen, the columns' widths and formats. `rows` data rows follow.
pub fn table_start(xml: &mut Vec<u8>, columns: &[Column], rows: usize) {
    xml.extend_from_slice(WORKSHEET);
    dimension(xml, columns.len(), rows + 1);
    xml.extend_from_slice(
        b"<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" \
        activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/>\
        </sheetView></sheetViews>",
    );
    formats_and_widths(xml, columns.iter().map(|c| (c.width, c.style)));
    xml.extend_from_slice(b"<sheetData>");
    let mut header = Row::start(xml, 1);
    for (col, column) in columns.iter().enumerate() {
        header.text(col, Style::HEADER, column.title);
    }
    header.end();
}

/// A table sheet's XML after its last row: the autofilter over the header and `rows`
/// data rows.
pub fn table_end(xml: &mut Vec<u8>, columns: &[Column], rows: usize) {
    xml.extend_from_slice(b"</sheetData><autoFilter ref=\"");
    range(xml, columns.len(), rows + 1);
    xml.extend_from_slice(b"\"/>");
    xml.extend_from_slice(END);
}

/// The Summary's XML around its rows: no frozen pane, selected when the workbook opens.
pub fn summary_start(xml: &mut Vec<u8>, widths: &[u32], columns: usize, rows: usize) {
    xml.extend_from_slice(WORKSHEET);
    dimension(xml, columns, rows);
    xml.extend_from_slice(
        b"<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/></sheetViews>",
    );
    formats_and_widths(xml, widths.iter().map(|w| (*w, Style::NONE)));
    xml.extend_from_slice(b"<sheetData>");
}

/// See [`summary_start`].
pub fn summary_end(xml: &mut Vec<u8>) {
    xml.extend_from_slice(b"</sheetData>");
    xml.extend_from_slice(END);
}

/// `<dimension ref="A1:…"/>`: the used range, which readers take as a size hint.
fn dimension(xml: &mut Vec<u8>, columns: usize, rows: usize) {
    xml.extend_from_slice(b"<dimension ref=\"");
    range(xml, columns, rows);
    xml.extend_from_slice(b"\"/>");
}

/// `A1:` and the cell of the last column and row.
fn range(xml: &mut Vec<u8>, columns: usize, rows: usize) {
    xml.extend_from_slice(b"A1:");
    column_name(xml, columns.max(1) - 1);
    push_decimal(xml, rows.max(1) as u64);
}

/// The default row height and a `<col>` per column with its width and format.
fn formats_and_widths(xml: &mut Vec<u8>, columns: impl Iterator<Item = (u32, Style)>) {
    xml.extend_from_slice(b"<sheetFormatPr defaultRowHeight=\"15\"/><cols>");
    for (at, (width, style)) in columns.enumerate() {
        let n = at as u64 + 1;
        xml.extend_from_slice(b"<col min=\"");
        push_decimal(xml, n);
        xml.extend_from_slice(b"\" max=\"");
        push_decimal(xml, n);
        // Excel stores a width of w characters as w plus 5 pixels of padding in units of
        // 1/256 of a 7-pixel character, truncated: w + 0.7109375 for a whole w.
        xml.extend_from_slice(b"\" width=\"");
        push_decimal(xml, u64::from(width));
        xml.extend_from_slice(b".7109375\"");
        if style != Style::NONE {
            xml.extend_from_slice(b" style=\"");
            push_decimal(xml, u64::from(style.0));
            xml.push(b'"');
        }
        xml.extend_from_slice(b" customWidth=\"1\"/>");
    }
    xml.extend_from_slice(b"</cols>");
}

/// A row being written, its cells left to right.
pub struct Row<'x> {
    xml: &'x mut Vec<u8>,
    number: u32,
    open: bool,
}

impl<'x> Row<'x> {
    /// Row `number` (from 1); its `<row>` is written with its first cell, so a row with
    /// no cell leaves no trace.
    pub fn start(xml: &'x mut Vec<u8>, number: u32) -> Row<'x> {
        Row {
            xml,
            number,
            open: false,
        }
    }

    /// A string cell (inline), cut to fit a cell and neutralised (by [`push_t`]); none
    /// when `value` is empty.
    pub fn text(&mut self, col: usize, style: Style, value: &str) {
        let text = super::cut_to_fit(value);
        if text.is_empty() {
            return;
        }
        self.open_cell(col, style);
        self.xml.extend_from_slice(b" t=\"inlineStr\"><is>");
        push_t(self.xml, &text);
        self.xml.extend_from_slice(b"</is></c>");
    }

    /// A string cell, or a blank cell that keeps `style` when `value` is empty.
    pub fn text_or_blank(&mut self, col: usize, style: Style, value: &str) {
        if value.is_empty() {
            self.blank(col, style);
        } else {
            self.text(col, style, value);
        }
    }

    /// A cell holding string `index` of the shared string table.
    pub fn shared(&mut self, col: usize, style: Style, index: u32) {
        self.open_cell(col, style);
        self.xml.extend_from_slice(b" t=\"s\"><v>");
        push_decimal(self.xml, u64::from(index));
        self.xml.extend_from_slice(b"</v></c>");
    }

    /// A number cell.
    pub fn number(&mut self, col: usize, value: u64) {
        self.open_cell(col, Style::NONE);
        self.xml.extend_from_slice(b"><v>");
        push_decimal(self.xml, value);
        self.xml.extend_from_slice(b"</v></c>");
    }

    /// An empty cell with a format.
    fn blank(&mut self, col: usize, style: Style) {
        self.open_cell(col, style);
        self.xml.extend_from_slice(b"/>");
    }

    /// `<c` with the cell's reference and its format.
    fn open_cell(&mut self, col: usize, style: Style) {
        if !self.open {
            self.xml.extend_from_slice(b"<row r=\"");
            push_decimal(self.xml, u64::from(self.number));
            self.xml.extend_from_slice(b"\">");
            self.open = true;
        }
        self.xml.extend_from_slice(b"<c r=\"");
        column_name(self.xml, col);
        push_decimal(self.xml, u64::from(self.number));
        self.xml.push(b'"');
        if style != Style::NONE {
            self.xml.extend_from_slice(b" s=\"");
            push_decimal(self.xml, u64::from(style.0));
            self.xml.push(b'"');
        }
    }

    /// Closes the row (if it has a cell).
    pub fn end(self) {
        if self.open {
            self.xml.extend_from_slice(b"</row>");
        }
    }
}

/// A column's letters: `A` for 0, `Z` for 25, `AA` for 26.
pub fn column_name(xml: &mut Vec<u8>, col: usize) {
    let mut letters = [0u8; 4];
    let mut at = letters.len();
    let mut n = col + 1;
    while n > 0 {
        at -= 1;
        letters[at] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    xml.extend_from_slice(&letters[at..]);
}

/// `n` in decimal digits.
pub fn push_decimal(xml: &mut Vec<u8>, n: u64) {
    // Byte by byte rather than `extend_from_slice`, which calls `memmove` for a slice of
    // unknown length: a row number or a string number is a few bytes, written about a
    // million times per workbook.
    xml.extend(decimal(n).as_bytes().iter().copied());
}

/// A number's decimal digits, without formatting machinery (row numbers and cell
/// references are written hundreds of thousands of times).
pub struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    pub fn as_bytes(&self) -> &[u8] {
        &self.digits[self.start..]
    }

    /// The digits as characters.
    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.as_bytes().iter().map(|b| char::from(*b))
    }
}

/// See [`Decimal`].
pub fn decimal(mut n: u64) -> Decimal {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    Decimal { digits, start }
}

/// An error unless a sheet of `rows` rows (its header included) fits in Excel.
pub fn check_rows(sheet: &str, rows: usize) -> std::io::Result<()> {
    if rows <= MAX_ROWS {
        return Ok(());
    }
    Err(std::io::Error::other(format!(
        "the {sheet} sheet would have {rows} rows, more than the {MAX_ROWS} an xlsx sheet \
         holds; write this report as json or csv"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_run_from_a_to_z_then_aa() {
        let name = |col| {
            let mut xml = Vec::new();
            column_name(&mut xml, col);
            String::from_utf8(xml).unwrap()
        };
        assert_eq!(
            [0, 11, 25, 26, 27, 51, 52, 701, 702, 16_383].map(name),
            ["A", "L", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]
        );
    }

    #[test]
    fn every_cell_names_its_reference() {
        let mut xml = Vec::new();
        let mut row = Row::start(&mut xml, 7);
        row.text(0, Style::ID, "a");
        row.text(1, Style::WRAP, "");
        row.text(2, Style::WRAP, "c");
        row.text_or_blank(3, Style::WRAP, "");
        row.number(4, 42);
        row.shared(5, Style::WRAP, 3);
        row.end();
        assert_eq!(
            String::from_utf8(xml).unwrap(),
            "<row r=\"7\"><c r=\"A7\" s=\"2\" t=\"inlineStr\"><is><t>a</t></is></c>\
             <c r=\"C7\" s=\"3\" t=\"inlineStr\"><is><t>c</t></is></c><c r=\"D7\" s=\"3\"/>\
             <c r=\"E7\"><v>42</v></c><c r=\"F7\" s=\"3\" t=\"s\"><v>3</v></c></row>"
        );
        let mut empty = Vec::new();
        let mut row = Row::start(&mut empty, 2);
        row.text(0, Style::NONE, "");
        row.end();
        assert!(empty.is_empty(), "a row without a cell is not written");
    }
}
