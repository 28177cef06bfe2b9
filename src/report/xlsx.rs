//! An Excel workbook: a `Summary` sheet first (totals, findings per cause with its title,
//! per owner role, per client and ad account, every check not run and why, the inputs, the
//! config, the history), every finding on `Findings` (header frozen, an autofilter), one
//! worklist sheet per owner role with the key columns, the fix and the finding's row on the
//! Findings sheet (not every cell again), and the `Rejected rows` last (a header even when
//! there are none).
//!
//! Cells are written as strings, so no input value can become a formula; ID cells (ad
//! accounts, posts, ads, handles) also carry the Text number format (`@`), so editing one in
//! Excel keeps it text instead of turning a 19-digit ID into `7.30123E+18`. A value longer
//! than an Excel cell holds (32,767 UTF-16 units) is cut with a visible `… [cut: N
//! characters]` marker rather than failing the run. Sheets are written in constant-memory
//! mode (each row goes to a temporary file as soon as the next one starts), so every sheet
//! is written top to bottom.

use std::borrow::Cow;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::{finding_row, numbered, ConfigOut, FindingOut, Report, FINDING_COLUMNS};

/// Column widths in characters, matching [`FINDING_COLUMNS`].
const WIDTHS: [f64; 12] = [
    22.0, 20.0, 22.0, 18.0, 22.0, 22.0, 9.0, 50.0, 13.0, 80.0, 80.0, 22.0,
];

/// The columns of [`FINDING_COLUMNS`] holding IDs or handles: Text-formatted.
const ID_COLUMNS: [usize; 4] = [0, 2, 3, 4];

/// The most UTF-16 code units an Excel cell holds.
pub const MAX_CELL: usize = 32_767;

/// The owner roles, in worklist order.
const ROLES: [&str; 4] = ["Org Admin", "Creator", "Advertiser", "Media Buyer"];

/// The workbook's bytes.
pub fn to_bytes(report: &Report) -> std::io::Result<Vec<u8>> {
    build(report)
        .and_then(|mut workbook| workbook.save_to_buffer())
        .map_err(std::io::Error::other)
}

/// `text` as an Excel cell holds it: unchanged when it fits, else its start and a visible
/// `… [cut: N characters]` marker (N the characters left out), within [`MAX_CELL`].
pub fn fit(text: &str) -> Cow<'_, str> {
    // Bidirectional overrides and control characters become U+FFFD (see `inert_cell`).
    match super::escape::inert_cell(text) {
        Cow::Borrowed(text) => fit_length(text),
        Cow::Owned(text) => Cow::Owned(fit_length(&text).into_owned()),
    }
}

fn fit_length(text: &str) -> Cow<'_, str> {
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

/// The formats of the workbook.
struct Formats {
    header: Format,
    wrap: Format,
    /// Wrapped, Text number format: ID cells on the findings sheets.
    id: Format,
    /// Text number format, not wrapped: ID cells on the summary.
    id_plain: Format,
    section: Format,
    title: Format,
}

impl Formats {
    fn new() -> Formats {
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            header: Format::new().set_bold().set_background_color("#DDEBF7"),
            id: wrap.clone().set_num_format("@"),
            wrap,
            id_plain: Format::new().set_num_format("@"),
            section: Format::new().set_bold().set_font_size(12),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

fn build(report: &Report) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    // Deflating the sheets' XML is most of the time: level 1 is several times faster than
    // the default 6 for a somewhat larger file.
    workbook.set_zip_compression_level(1);
    // Created at the report's as-of, not the clock's now: the same audit gives the same
    // bytes (a workbook kept in CI or compared with `cmp` does not change every run).
    if let Ok(created) = ExcelDateTime::parse_from_str(&report.as_of) {
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    }
    let formats = Formats::new();
    let mut summary = workbook.new_worksheet_with_constant_memory()?;
    let mut findings = workbook.new_worksheet_with_constant_memory()?;
    let mut worklists = Vec::with_capacity(ROLES.len());
    for role in ROLES {
        let sheet = workbook.new_worksheet_with_constant_memory()?;
        let rows: Vec<(usize, &FindingOut)> = report
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.owner_role == role)
            .collect();
        worklists.push((sheet, role, rows));
    }
    let mut rejected = workbook.new_worksheet_with_constant_memory()?;
    // Every format the row-writing threads use is registered here first, in one order, so
    // the workbook's style table (and its bytes) do not depend on which thread runs first.
    start_findings(&mut findings, &formats)?;
    for (sheet, role, _) in &mut worklists {
        start_worklist(sheet, role, &formats)?;
    }
    // The Findings sheet on a thread of its own, the other sheets meanwhile: each sheet
    // streams its XML to its own temporary file.
    std::thread::scope(|scope| {
        let rows = scope.spawn(|| add_findings(&mut findings, &report.findings));
        add_summary(&mut summary, report, &formats)?;
        for (sheet, _, rows) in &mut worklists {
            add_worklist(sheet, rows)?;
        }
        add_rejected(&mut rejected, report, &formats)?;
        rows.join()
            .expect("the findings sheet's thread does not panic")
    })?;
    workbook.push_worksheet(summary);
    workbook.push_worksheet(findings);
    for (sheet, _, _) in worklists {
        workbook.push_worksheet(sheet);
    }
    workbook.push_worksheet(rejected);
    Ok(workbook)
}

/// A string cell, cut to fit.
fn text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, col, fit(value), format)?;
    Ok(())
}

/// A string cell in a column with a format of its own (the cell takes the column's).
/// Hashing a cell's `Format` to find its style was a fifth of the workbook's time.
fn column_text(sheet: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    sheet.write_string(row, col, fit(value))?;
    Ok(())
}

/// A header row with column widths.
fn header_row(
    sheet: &mut Worksheet,
    row: u32,
    columns: &[(&str, f64)],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, (title, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(row, col, *title, &formats.header)?;
        sheet.set_column_width(col, *width)?;
    }
    Ok(())
}

/// The Findings sheet's name, header and column formats: IDs stay text (no 7.30123E+18),
/// the rest wraps.
fn start_findings(sheet: &mut Worksheet, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Findings")?;
    let columns: Vec<(&str, f64)> = FINDING_COLUMNS.iter().copied().zip(WIDTHS).collect();
    header_row(sheet, 0, &columns, formats)?;
    for col in 0..FINDING_COLUMNS.len() {
        let format = if ID_COLUMNS.contains(&col) {
            &formats.id
        } else {
            &formats.wrap
        };
        sheet.set_column_format(col as u16, format)?;
    }
    Ok(())
}

/// Every finding, a row each, as strings (nothing is a formula), under [`start_findings`].
fn add_findings(sheet: &mut Worksheet, findings: &[FindingOut]) -> Result<(), XlsxError> {
    for (row, finding) in findings.iter().enumerate() {
        let row = row as u32 + 1;
        for (col, cell) in finding_row(finding).iter().enumerate() {
            column_text(sheet, row, col as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        findings.len() as u32,
        FINDING_COLUMNS.len() as u16 - 1,
    )?;
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

/// A worklist's name, header and column formats (ID columns text, the others wrapped,
/// the row number plain).
fn start_worklist(sheet: &mut Worksheet, name: &str, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    header_row(sheet, 0, &WORKLIST_COLUMNS, formats)?;
    for col in 0..3 {
        sheet.set_column_format(col, &formats.id)?;
    }
    for col in 3..7 {
        sheet.set_column_format(col, &formats.wrap)?;
    }
    Ok(())
}

/// A role's findings under [`start_worklist`].
fn add_worklist(sheet: &mut Worksheet, findings: &[(usize, &FindingOut)]) -> Result<(), XlsxError> {
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
        for (col, cell) in cells.into_iter().enumerate() {
            column_text(sheet, row, col as u16, cell)?;
        }
        column_text(sheet, row, 6, &numbered(&finding.fix))?;
        // The Findings sheet's header is row 1, so finding `index` is on row index + 2.
        sheet.write_number(row, 7, (*index + 2) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        findings.len() as u32,
        WORKLIST_COLUMNS.len() as u16 - 1,
    )?;
    Ok(())
}

/// The columns of the `Rejected rows` sheet.
const REJECTED_COLUMNS: [(&str, f64); 4] = [
    ("path", 40.0),
    ("line", 8.0),
    ("column", 24.0),
    ("reason", 90.0),
];

fn add_rejected(
    sheet: &mut Worksheet,
    report: &Report,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Rejected rows")?;
    header_row(sheet, 0, &REJECTED_COLUMNS, formats)?;
    for (row, rejected) in report.rejected.iter().enumerate() {
        let row = row as u32 + 1;
        text(sheet, row, 0, &rejected.path, &formats.wrap)?;
        sheet.write_number(row, 1, rejected.line as f64)?;
        text(
            sheet,
            row,
            2,
            rejected.column.as_deref().unwrap_or(""),
            &formats.wrap,
        )?;
        text(sheet, row, 3, &rejected.reason, &formats.wrap)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(
        0,
        0,
        report.rejected.len() as u32,
        REJECTED_COLUMNS.len() as u16 - 1,
    )?;
    Ok(())
}

/// A cell of the summary: text (an ID when `id`), or a count.
enum Cell<'a> {
    Text(&'a str),
    Id(&'a str),
    Count(u64),
}

/// The summary sheet, written top to bottom (constant-memory mode).
struct Summary<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    row: u32,
}

impl Summary<'_> {
    fn line(&mut self, cells: &[Cell<'_>]) -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(value) => {
                    self.sheet
                        .write_string(self.row, col, fit(value).as_ref())?;
                }
                Cell::Id(value) => text(self.sheet, self.row, col, value, &self.formats.id_plain)?,
                Cell::Count(n) => {
                    self.sheet.write_number(self.row, col, *n as f64)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    /// A blank row, then the section's title, then its column headers.
    fn section(&mut self, title: &str, headers: &[&str]) -> Result<(), XlsxError> {
        self.row += 1;
        self.sheet
            .write_string_with_format(self.row, 0, title, &self.formats.section)?;
        self.row += 1;
        for (col, header) in headers.iter().enumerate() {
            self.sheet.write_string_with_format(
                self.row,
                col as u16,
                *header,
                &self.formats.header,
            )?;
        }
        if !headers.is_empty() {
            self.row += 1;
        }
        Ok(())
    }
}

fn add_summary(sheet: &mut Worksheet, report: &Report, formats: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("Summary")?;
    for (col, width) in [34.0, 40.0, 14.0, 14.0, 14.0, 14.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.write_string_with_format(0, 0, "Spark Ads preview audit", &formats.title)?;
    let mut s = Summary {
        sheet,
        formats,
        row: 1,
    };
    let sum = &report.summary;
    s.line(&[Cell::Text("as of"), Cell::Text(&report.as_of)])?;
    s.line(&[Cell::Text("policy"), Cell::Text(&report.policy)])?;
    s.line(&[
        Cell::Text("expiry window"),
        Cell::Text(&report.expiry_window),
    ])?;
    let config = ConfigOut::describe(report.config.as_ref(), sum.suppressed);
    s.line(&[Cell::Text("config"), Cell::Text(&config)])?;
    if let Some(used) = &report.config {
        s.line(&[Cell::Text("config file"), Cell::Text(&used.path)])?;
        s.line(&[Cell::Text("config sha256"), Cell::Text(&used.hash)])?;
        for (cause, severity) in &used.severity {
            let label = format!("severity of {cause}");
            s.line(&[Cell::Text(&label), Cell::Text(severity.name())])?;
        }
    }

    s.section("Totals", &[])?;
    let not_run = report.coverage.values().filter(|c| *c != "checked").count() as u64;
    let mut totals: Vec<(&str, u64)> = vec![
        ("posts audited", sum.pairs_audited as u64),
        ("previewable", sum.pairs_previewable as u64),
        ("broken", sum.pairs_broken as u64),
        ("posts not fully checked", sum.pairs_unchecked as u64),
        ("findings", sum.findings as u64),
        ("errors", sum.errors as u64),
        ("warnings", sum.warnings as u64),
        ("suppressed", sum.suppressed as u64),
        ("checks not run", not_run),
        ("spark ads audited", sum.spark_ads as u64),
        ("other ads (no post, not audited)", sum.non_spark_ads as u64),
        ("rows read", sum.rows),
        ("rows rejected", sum.rows_rejected),
    ];
    if let Some(new) = sum.new {
        totals.push(("new since the baseline", new as u64));
    }
    if let Some(resolved) = sum.resolved {
        totals.push(("resolved since the baseline", resolved as u64));
    }
    for (label, n) in totals {
        s.line(&[Cell::Text(label), Cell::Count(n)])?;
    }
    if sum.rows_rejected > 0 {
        s.line(&[
            Cell::Text("rejected rows"),
            Cell::Text("each one is on the Rejected rows sheet"),
        ])?;
    }

    s.section("Checks not run", &["cause", "title", "why"])?;
    let mut any = false;
    for (cause, coverage) in &report.coverage {
        if let Some(why) = coverage.strip_prefix("not checked: ") {
            s.line(&[
                Cell::Text(cause),
                Cell::Text(report.cause_title(cause)),
                Cell::Text(why),
            ])?;
            any = true;
        } else if coverage != "checked" {
            s.line(&[
                Cell::Text(cause),
                Cell::Text(report.cause_title(cause)),
                Cell::Text(coverage),
            ])?;
            any = true;
        }
    }
    if !any {
        s.line(&[Cell::Text("every check ran")])?;
    }

    s.section("Findings by cause", &["cause", "title", "findings"])?;
    let mut causes: Vec<(&String, &usize)> = sum.by_cause.iter().collect();
    causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (cause, n) in causes {
        s.line(&[
            Cell::Text(cause),
            Cell::Text(report.cause_title(cause)),
            Cell::Count(*n as u64),
        ])?;
    }

    s.section("Findings by owner role", &["owner role", "findings"])?;
    let mut owners: Vec<(&String, &usize)> = sum.by_owner.iter().collect();
    owners.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (owner, n) in owners {
        s.line(&[Cell::Text(owner), Cell::Count(*n as u64)])?;
    }

    s.section(
        "By client",
        &[
            "client",
            "ad accounts",
            "posts",
            "previewable",
            "broken",
            "findings",
        ],
    )?;
    for client in &sum.by_client {
        let accounts = client.ad_accounts.join(", ");
        s.line(&[
            Cell::Text(&client.client),
            Cell::Id(&accounts),
            Cell::Count(client.pairs as u64),
            Cell::Count(client.previewable as u64),
            Cell::Count(client.broken as u64),
            Cell::Count(client.by_cause.values().sum::<usize>() as u64),
        ])?;
    }

    s.section(
        "By ad account",
        &[
            "ad account",
            "account name",
            "posts",
            "previewable",
            "broken",
            "findings",
        ],
    )?;
    for account in &sum.by_account {
        s.line(&[
            Cell::Id(&account.advertiser_id),
            Cell::Text(account.account_name.as_deref().unwrap_or("")),
            Cell::Count(account.pairs as u64),
            Cell::Count(account.previewable as u64),
            Cell::Count(account.broken as u64),
            Cell::Count(account.by_cause.values().sum::<usize>() as u64),
        ])?;
    }

    s.section(
        "Inputs",
        &["path", "kind", "rows", "imported", "rejected", "format"],
    )?;
    for input in &report.inputs {
        s.line(&[
            Cell::Text(&input.path),
            Cell::Text(&input.kind),
            Cell::Count(input.rows),
            Cell::Count(input.imported),
            Cell::Count(input.rejected),
            Cell::Text(&input.format),
        ])?;
    }
    for skipped in &report.skipped {
        let why = format!("skipped: {}", skipped.reason);
        s.line(&[Cell::Text(&skipped.path), Cell::Text(&why)])?;
    }

    add_history(&mut s, report)
}

/// With `--history`: since when the findings are open, and the last runs' counts.
fn add_history(s: &mut Summary<'_>, report: &Report) -> Result<(), XlsxError> {
    let seen: Vec<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.first_seen.as_deref())
        .collect();
    if seen.is_empty() && report.trend.is_none() {
        return Ok(());
    }
    s.section("History", &[])?;
    if let Some(oldest) = seen.iter().min() {
        s.line(&[
            Cell::Text("oldest open finding first seen"),
            Cell::Text(oldest),
        ])?;
        let today = seen.iter().filter(|at| **at == report.as_of).count() as u64;
        s.line(&[
            Cell::Text("findings first seen in this run"),
            Cell::Count(today),
        ])?;
        s.line(&[
            Cell::Text("findings open since an earlier run"),
            Cell::Count(seen.len() as u64 - today),
        ])?;
    }
    if let Some(trend) = &report.trend {
        s.section(
            "Last runs",
            &["as of", "broken posts", "findings", "errors", "warnings"],
        )?;
        for run in trend {
            s.line(&[
                Cell::Text(&run.as_of),
                Cell::Count(run.broken_posts),
                Cell::Count(run.findings),
                Cell::Count(run.errors),
                Cell::Count(run.warnings),
            ])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bidirectional_override_cannot_reorder_a_cell() {
        assert_eq!(fit("Promo \u{202e}gnp.exe"), "Promo \u{FFFD}gnp.exe");
        assert!(matches!(fit("plain"), Cow::Borrowed("plain")));
        let long = format!("\u{2066}{}", "x".repeat(40_000));
        let cut = fit(&long);
        assert!(cut.starts_with('\u{FFFD}') && cut.ends_with(" characters]"));
    }

    #[test]
    fn a_value_too_long_for_a_cell_is_cut_with_a_visible_marker() {
        assert_eq!(fit("short"), "short");
        let exact = "x".repeat(MAX_CELL);
        assert!(matches!(fit(&exact), Cow::Borrowed(_)));
        let long = "é".repeat(40_000);
        let cut = fit(&long);
        assert!(cut.encode_utf16().count() <= MAX_CELL);
        let kept = cut.chars().take_while(|c| *c == 'é').count();
        assert!(cut.ends_with(&format!("… [cut: {} characters]", 40_000 - kept)));
        // Characters outside the BMP take two UTF-16 units, as Excel counts them.
        let emoji = "😀".repeat(20_000);
        let cut = fit(&emoji);
        assert!(cut.encode_utf16().count() <= MAX_CELL);
        assert!(cut.contains("… [cut: "));
    }
}
