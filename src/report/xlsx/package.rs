//! The workbook's small fixed parts: the package's content types and relationships, the
//! document properties, the workbook (its sheets and their filter ranges), the styles
//! and the theme they refer to.

use super::sheet::push_decimal;

/// A sheet as the workbook lists it.
pub struct SheetEntry {
    pub name: &'static str,
    /// With an autofilter: its columns and rows (the header row included).
    pub filter: Option<(usize, usize)>,
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_RELATIONSHIPS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const OFFICE_DOCUMENT: &str = "application/vnd.openxmlformats-officedocument";

/// The path of sheet `n` (from 1) in the package.
pub fn sheet_path(n: usize) -> String {
    format!("xl/worksheets/sheet{n}.xml")
}

pub const SHARED_STRINGS_PATH: &str = "xl/sharedStrings.xml";

/// `[Content_Types].xml`.
pub fn content_types(sheets: usize, shared_strings: bool) -> String {
    let mut xml = format!(
        "{XML_DECLARATION}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"{OFFICE_DOCUMENT}.extended-properties+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"{OFFICE_DOCUMENT}.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"{OFFICE_DOCUMENT}.theme+xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"{OFFICE_DOCUMENT}.spreadsheetml.sheet.main+xml\"/>"
    );
    for n in 1..=sheets {
        xml.push_str(&format!(
            "<Override PartName=\"/{}\" ContentType=\"{OFFICE_DOCUMENT}.spreadsheetml.worksheet+xml\"/>",
            sheet_path(n)
        ));
    }
    if shared_strings {
        xml.push_str(&format!(
            "<Override PartName=\"/{SHARED_STRINGS_PATH}\" ContentType=\"{OFFICE_DOCUMENT}.spreadsheetml.sharedStrings+xml\"/>"
        ));
    }
    xml.push_str("</Types>");
    xml
}

/// `_rels/.rels`: the workbook and the document properties.
pub fn root_relationships() -> String {
    format!(
        "{XML_DECLARATION}<Relationships xmlns=\"{RELATIONSHIPS}\">\
         <Relationship Id=\"rId1\" Type=\"{OFFICE_RELATIONSHIPS}/officeDocument\" Target=\"xl/workbook.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{RELATIONSHIPS}/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{OFFICE_RELATIONSHIPS}/extended-properties\" Target=\"docProps/app.xml\"/>\
         </Relationships>"
    )
}

/// `xl/_rels/workbook.xml.rels`: sheet `n` is `rId{n}`, then the theme, the styles and
/// the shared strings.
pub fn workbook_relationships(sheets: usize, shared_strings: bool) -> String {
    let mut xml = format!("{XML_DECLARATION}<Relationships xmlns=\"{RELATIONSHIPS}\">");
    let mut relationship = |id: usize, kind: &str, target: &str| {
        xml.push_str(&format!(
            "<Relationship Id=\"rId{id}\" Type=\"{OFFICE_RELATIONSHIPS}/{kind}\" Target=\"{target}\"/>"
        ));
    };
    for n in 1..=sheets {
        relationship(n, "worksheet", &format!("worksheets/sheet{n}.xml"));
    }
    relationship(sheets + 1, "theme", "theme/theme1.xml");
    relationship(sheets + 2, "styles", "styles.xml");
    if shared_strings {
        relationship(sheets + 3, "sharedStrings", "sharedStrings.xml");
    }
    xml.push_str("</Relationships>");
    xml
}

/// `xl/workbook.xml`: the sheets in order, and each autofilter's range as the hidden
/// `_xlnm._FilterDatabase` name Excel keeps beside it.
pub fn workbook(sheets: &[SheetEntry]) -> String {
    let mut xml = format!(
        "{XML_DECLARATION}<workbook xmlns=\"{MAIN}\" xmlns:r=\"{OFFICE_RELATIONSHIPS}\">\
         <workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" \
         yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>"
    );
    for (at, sheet) in sheets.iter().enumerate() {
        let id = at + 1;
        xml.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{id}\" r:id=\"rId{id}\"/>",
            sheet.name
        ));
    }
    xml.push_str("</sheets>");
    let mut filters: Vec<(usize, String)> = sheets
        .iter()
        .enumerate()
        .filter_map(|(at, sheet)| Some((at, filter_range(sheet.name, sheet.filter?))))
        .collect();
    if !filters.is_empty() {
        // Sorted by range, as Excel (and rust_xlsxwriter before) list them.
        filters.sort_by(|a, b| a.1.cmp(&b.1));
        xml.push_str("<definedNames>");
        for (at, range) in filters {
            xml.push_str(&format!(
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{at}\" hidden=\"1\">{range}</definedName>"
            ));
        }
        xml.push_str("</definedNames>");
    }
    // Excel's calculation settings as Excel writes them; LibreOffice reads its reference
    // syntax from them.
    xml.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    xml
}

/// `'Org Admin'!$A$1:$H$36755`: a filter over `columns` and `rows` of sheet `name`
/// (quoted when it holds a space, which sheet names otherwise never need here).
fn filter_range(name: &str, (columns, rows): (usize, usize)) -> String {
    let mut last = Vec::new();
    last.push(b'$');
    super::sheet::column_name(&mut last, columns.max(1) - 1);
    last.push(b'$');
    push_decimal(&mut last, rows.max(1) as u64);
    let last = String::from_utf8_lossy(&last);
    if name.contains(' ') {
        format!("'{name}'!$A$1:{last}")
    } else {
        format!("{name}!$A$1:{last}")
    }
}

/// `docProps/app.xml`: the sheets' names, which file managers and previews show. It
/// names the application as rust_xlsxwriter did (Excel 2007, version 12): LibreOffice
/// reads files from Excel with Excel's conventions (its string reference syntax, for
/// one), and the workbook should open as it did before.
pub fn app(sheets: &[SheetEntry]) -> String {
    let mut xml = format!(
        "{XML_DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
         <HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>\
         <vt:variant><vt:i4>{0}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"{0}\" baseType=\"lpstr\">",
        sheets.len()
    );
    for sheet in sheets {
        xml.push_str(&format!("<vt:lpstr>{}</vt:lpstr>", sheet.name));
    }
    xml.push_str(
        "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>\
         <SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>\
         <AppVersion>12.0000</AppVersion></Properties>",
    );
    xml
}

/// `docProps/core.xml`, created and modified at `as_of` (the report's, not the clock's:
/// the same audit gives the same bytes). An `as_of` that is not a plain
/// `YYYY-MM-DDTHH:MM:SSZ` (a year past 9999) leaves the dates out rather than write an
/// invalid one.
pub fn core(as_of: &str) -> String {
    let dates = if is_w3c_instant(as_of) {
        format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{as_of}</dcterms:created>\
             <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{as_of}</dcterms:modified>"
        )
    } else {
        String::new()
    };
    format!(
        "{XML_DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>{dates}</cp:coreProperties>"
    )
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SSZ`.
fn is_w3c_instant(text: &str) -> bool {
    let shape = b"0000-00-00T00:00:00Z";
    text.len() == shape.len()
        && text.bytes().zip(shape).all(|(b, s)| match s {
            b'0' => b.is_ascii_digit(),
            s => b == *s,
        })
}

/// `xl/styles.xml`: the cell formats of [`super::sheet::Style`], in its order: default,
/// header (bold, light blue fill), ID (Text `@`, wrapped, top), wrapped, title (bold 14),
/// section (bold 12), plain ID (Text `@`).
pub const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"@\"/></numFmts>",
    "<fonts count=\"4\">",
    "<font><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>",
    "<font><b/><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>",
    "<font><b/><sz val=\"14\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>",
    "<font><b/><sz val=\"12\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>",
    "</fonts>",
    "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill>",
    "<fill><patternFill patternType=\"gray125\"/></fill>",
    "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"7\">",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\"/>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
    "<xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "</cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "<dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>",
    "</styleSheet>"
);

/// `xl/theme/theme1.xml`: Office's default theme, which the fonts' colour and scheme
/// refer to (as rust_xlsxwriter, which wrote the workbook before, ships it).
pub const THEME: &str = include_str!("theme1.xml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_creation_date_is_the_as_of_when_it_is_a_plain_instant() {
        assert!(core("2026-11-20T00:00:00Z").contains(">2026-11-20T00:00:00Z</dcterms:created>"));
        assert!(!core("+10000-01-01T00:00:00Z").contains("dcterms:created"));
        assert!(!core("2026-11-20").contains("dcterms:created"));
    }

    #[test]
    fn filter_ranges_name_their_sheet() {
        let xml = workbook(&[
            SheetEntry {
                name: "Summary",
                filter: None,
            },
            SheetEntry {
                name: "Org Admin",
                filter: Some((8, 36_755)),
            },
        ]);
        assert!(xml.contains(
            "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">'Org Admin'!$A$1:$H$36755</definedName>"
        ));
    }
}
