//! The sheets with a row per finding (Findings, the owner roles' worklists) or per
//! rejected row, and the shared string table that holds their repeated texts.
//!
//! A finding's account name, cause, severity, symptom and owner role repeat from finding
//! to finding: each distinct one is written once, in the shared string table, and cells
//! refer to it by number. The other texts (IDs, handles, fix steps, evidence) are mostly
//! unique: they are written in their cells (inline strings), where a table entry would
//! only add a lookup.

use sparkcheck_facts::threads::{spawn, Spawned};
use std::ops::Range;

use super::cell::push_t;
use super::sheet::{decimal, push_decimal, Column, Row, Style};
use crate::report::{EvidenceOut, FindingOut, RejectedOut, FINDING_COLUMNS};

/// The owner roles, in worklist order.
pub const ROLES: [&str; 4] = ["Org Admin", "Creator", "Advertiser", "Media Buyer"];

/// A column of [`FINDING_COLUMNS`]: IDs and handles keep the Text format, the rest wraps.
const fn finding_column(col: usize, width: u32, id: bool) -> Column {
    Column {
        title: FINDING_COLUMNS[col],
        width,
        style: if id { Style::ID } else { Style::WRAP },
    }
}

/// The Findings sheet's columns: [`FINDING_COLUMNS`] with their widths and formats.
pub const FINDINGS: [Column; 12] = [
    finding_column(0, 22, true),
    finding_column(1, 20, false),
    finding_column(2, 22, true),
    finding_column(3, 18, true),
    finding_column(4, 22, true),
    finding_column(5, 22, false),
    finding_column(6, 9, false),
    finding_column(7, 50, false),
    finding_column(8, 13, false),
    finding_column(9, 80, false),
    finding_column(10, 80, false),
    finding_column(11, 22, false),
];

/// A worklist's columns: the finding's keys, its fix, and its row on the Findings sheet
/// (where the symptom and evidence are).
pub const WORKLIST: [Column; 8] = [
    column("advertiser_id", 22, Style::ID),
    column("post_id", 22, Style::ID),
    column("handle", 18, Style::ID),
    column("cause", 22, Style::WRAP),
    column("severity", 9, Style::WRAP),
    column("owner_role", 13, Style::WRAP),
    column("fix", 80, Style::WRAP),
    column("findings_row", 12, Style::NONE),
];

/// The `Rejected rows` sheet's columns.
pub const REJECTED: [Column; 4] = [
    column("path", 40, Style::NONE),
    column("line", 8, Style::NONE),
    column("column", 24, Style::NONE),
    column("reason", 90, Style::NONE),
];

const fn column(title: &'static str, width: u32, style: Style) -> Column {
    Column {
        title,
        width,
        style,
    }
}

/// The texts of a finding that go to the shared string table, in this order.
const ACCOUNT: usize = 0;
const CAUSE: usize = 1;
const SEVERITY: usize = 2;
const SYMPTOM: usize = 3;
const OWNER: usize = 4;

/// An empty text: no cell.
const NO_STRING: u32 = u32::MAX;

/// A text written in its cell rather than shared (see [`keep_inline`]).
const INLINE: u32 = u32::MAX - 1;

/// Each distinct text's number. The texts hold input values (names, handles, evidence),
/// so their hash is seeded at random per run: with a fixed hash, texts crafted to collide
/// would make every insertion walk all the others.
type Numbers<'a> = std::collections::HashMap<&'a str, u32, foldhash::fast::RandomState>;

/// Whether a text that would be shared is written in its cell instead: one holding
/// `x005F_` (any case). openpyxl, which pandas reads workbooks with, removes every
/// `x005F_` from shared strings (`Shop x005F_ Deals` read as `Shop  Deals`), but reads
/// cell texts as written, as it read every text of the workbook before shared strings
/// (found by an outside review).
fn keep_inline(text: &str) -> bool {
    text.as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"x005f_"))
}

/// The fewest findings [`Prepared::new`] gives a thread: fewer are not worth one. Tests
/// use small parts, so that the joining of parts is exercised on small reports.
const MIN_PART: usize = if cfg!(test) { 100 } else { 4096 };

fn shared_texts(finding: &FindingOut) -> [&str; 5] {
    let mut texts = [""; 5];
    texts[ACCOUNT] = finding.account_name.as_deref().unwrap_or("");
    texts[CAUSE] = &finding.cause;
    texts[SEVERITY] = finding.severity.name();
    texts[SYMPTOM] = &finding.symptom;
    texts[OWNER] = &finding.owner_role;
    texts
}

/// What the finding sheets share, worked out once before their rows are written in
/// pieces on several threads.
pub struct Prepared<'a> {
    /// The shared string table, in order of first use (Findings, row by row).
    pub strings: Vec<&'a str>,
    /// How many cells refer to it.
    references: u64,
    /// Per finding, its shared texts' numbers (or [`NO_STRING`]).
    shared: Vec<[u32; 5]>,
    /// Per owner role of [`ROLES`], its findings' indexes in order.
    pub worklists: [Vec<u32>; 4],
}

impl<'a> Prepared<'a> {
    /// The findings are read in parts on up to `threads` threads (reading each finding's
    /// texts is mostly waiting for memory), each part numbering its texts in order of
    /// first use; the parts are then joined in order, so the table is the same for any
    /// number of parts.
    pub fn new(findings: &'a [FindingOut], threads: usize) -> Prepared<'a> {
        let size = findings.len().div_ceil(threads.max(1)).max(MIN_PART);
        let parts: Vec<Prepared<'a>> = if findings.len() <= size {
            vec![Prepared::part(findings, 0)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = findings
                    .chunks(size)
                    .enumerate()
                    .map(|(n, part)| spawn(scope, move || Prepared::part(part, n * size)))
                    .collect();
                handles.into_iter().map(Spawned::join).collect()
            })
        };
        Prepared::join(parts)
    }

    /// `findings` (the first at index `offset`), their texts numbered from 0.
    fn part(findings: &'a [FindingOut], offset: usize) -> Prepared<'a> {
        let mut numbers: Numbers<'a> = Numbers::default();
        let mut strings = Vec::new();
        let mut references = 0;
        let mut shared = Vec::with_capacity(findings.len());
        let mut worklists: [Vec<u32>; 4] = Default::default();
        // Findings come sorted by ad account and post: a text often equals the previous
        // finding's, and comparing with it is cheaper than hashing.
        let mut previous = [("", NO_STRING); 5];
        for (at, finding) in findings.iter().enumerate() {
            let mut numbered = [NO_STRING; 5];
            for (k, text) in shared_texts(finding).into_iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                if keep_inline(text) {
                    numbered[k] = INLINE;
                    continue;
                }
                if previous[k].0 != text {
                    let number = *numbers.entry(text).or_insert_with(|| {
                        strings.push(text);
                        strings.len() as u32 - 1
                    });
                    previous[k] = (text, number);
                }
                numbered[k] = previous[k].1;
                references += 1;
            }
            if let Some(role) = ROLES.iter().position(|r| **r == *finding.owner_role) {
                worklists[role].push((offset + at) as u32);
                let on_worklist = [CAUSE, SEVERITY, OWNER];
                references += on_worklist
                    .iter()
                    .filter(|k| !matches!(numbered[**k], NO_STRING | INLINE))
                    .count() as u64;
            }
            shared.push(numbered);
        }
        Prepared {
            strings,
            references,
            shared,
            worklists,
        }
    }

    /// Consecutive parts as one: each part's texts renumbered in the whole's table.
    fn join(parts: Vec<Prepared<'a>>) -> Prepared<'a> {
        let mut parts = parts.into_iter();
        let mut whole = parts.next().unwrap_or_else(|| Prepared::part(&[], 0));
        let mut numbers: Numbers<'a> = whole
            .strings
            .iter()
            .enumerate()
            .map(|(n, text)| (*text, n as u32))
            .collect();
        for part in parts {
            let renumbered: Vec<u32> = part
                .strings
                .iter()
                .map(|text| {
                    *numbers.entry(text).or_insert_with(|| {
                        whole.strings.push(text);
                        whole.strings.len() as u32 - 1
                    })
                })
                .collect();
            whole.shared.extend(part.shared.iter().map(|numbered| {
                numbered.map(|n| {
                    if matches!(n, NO_STRING | INLINE) {
                        n
                    } else {
                        renumbered[n as usize]
                    }
                })
            }));
            for (list, more) in whole.worklists.iter_mut().zip(part.worklists) {
                list.extend(more);
            }
            whole.references += part.references;
        }
        whole
    }

    /// `xl/sharedStrings.xml`.
    pub fn write_shared_strings(&self, xml: &mut Vec<u8>) {
        xml.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"\
            http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"",
        );
        push_decimal(xml, self.references);
        xml.extend_from_slice(b"\" uniqueCount=\"");
        push_decimal(xml, self.strings.len() as u64);
        xml.extend_from_slice(b"\">");
        for text in &self.strings {
            xml.extend_from_slice(b"<si>");
            push_t(xml, &super::cut_to_fit(text));
            xml.extend_from_slice(b"</si>");
        }
        xml.extend_from_slice(b"</sst>");
    }

    /// Findings `rows` (indexes into `findings`), each on its sheet row (the header is
    /// row 1), its cells as [`crate::report::finding_row`] gives them.
    pub fn findings_rows(&self, findings: &[FindingOut], rows: Range<usize>, xml: &mut Vec<u8>) {
        let style = |col: usize| FINDINGS[col].style;
        let mut joined = Joined::default();
        for at in rows {
            let finding = &findings[at];
            let shared = &self.shared[at];
            let mut row = Row::start(xml, at as u32 + 2);
            let texts = shared_texts(finding);
            let shared_cell = |row: &mut Row<'_>, col: usize, k: usize| {
                shared_cell(row, col, style(col), shared[k], texts[k]);
            };
            row.text(0, style(0), &finding.advertiser_id);
            shared_cell(&mut row, 1, ACCOUNT);
            row.text(2, style(2), &finding.post_id);
            row.text(3, style(3), finding.handle.as_deref().unwrap_or(""));
            row.text(4, style(4), joined.lines(&finding.ad_ids));
            shared_cell(&mut row, 5, CAUSE);
            shared_cell(&mut row, 6, SEVERITY);
            shared_cell(&mut row, 7, SYMPTOM);
            shared_cell(&mut row, 8, OWNER);
            row.text(9, style(9), joined.steps(&finding.fix));
            row.text(10, style(10), joined.evidence(&finding.evidence));
            row.text(11, style(11), finding.first_seen.as_deref().unwrap_or(""));
            row.end();
        }
    }

    /// The worklist of owner role `role`, its `rows` (positions in the worklist).
    pub fn worklist_rows(
        &self,
        findings: &[FindingOut],
        role: usize,
        rows: Range<usize>,
        xml: &mut Vec<u8>,
    ) {
        let mut joined = Joined::default();
        for at in rows {
            let index = self.worklists[role][at] as usize;
            let finding = &findings[index];
            let shared = &self.shared[index];
            let mut row = Row::start(xml, at as u32 + 2);
            row.text(0, Style::ID, &finding.advertiser_id);
            row.text(1, Style::ID, &finding.post_id);
            row.text(2, Style::ID, finding.handle.as_deref().unwrap_or(""));
            let texts = shared_texts(finding);
            shared_cell(&mut row, 3, Style::WRAP, shared[CAUSE], texts[CAUSE]);
            shared_cell(&mut row, 4, Style::WRAP, shared[SEVERITY], texts[SEVERITY]);
            shared_cell(&mut row, 5, Style::WRAP, shared[OWNER], texts[OWNER]);
            row.text(6, Style::WRAP, joined.steps(&finding.fix));
            // The Findings sheet's header is row 1, so finding `index` is on row index + 2.
            row.number(7, index as u64 + 2);
            row.end();
        }
    }
}

/// The texts of a finding's cells that join several values, written into one buffer
/// reused from cell to cell: built with `write!` into fresh strings (as
/// [`crate::report::finding_row`] and [`crate::report::numbered`] build them, which the
/// read-back tests hold these to) they were a tenth of the workbook's time.
#[derive(Default)]
struct Joined {
    text: String,
}

impl Joined {
    /// `values` one per line; a single value as it is.
    fn lines<'a, S: AsRef<str>>(&'a mut self, values: &'a [S]) -> &'a str {
        if let [one] = values {
            return one.as_ref();
        }
        self.text.clear();
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.text.push('\n');
            }
            self.text.push_str(value.as_ref());
        }
        &self.text
    }

    /// `1. first\n2. second`.
    fn steps<S: AsRef<str>>(&mut self, steps: &[S]) -> &str {
        self.text.clear();
        for (i, step) in steps.iter().enumerate() {
            if i > 0 {
                self.text.push('\n');
            }
            self.text.extend(decimal(i as u64 + 1).chars());
            self.text.push_str(". ");
            self.text.push_str(step.as_ref());
        }
        &self.text
    }

    /// `path:line: says`, one evidence row per line.
    fn evidence(&mut self, evidence: &[EvidenceOut]) -> &str {
        self.text.clear();
        for (i, e) in evidence.iter().enumerate() {
            if i > 0 {
                self.text.push('\n');
            }
            self.text.push_str(&e.path);
            self.text.push(':');
            self.text.extend(decimal(e.line).chars());
            self.text.push_str(": ");
            self.text.push_str(&e.says);
        }
        &self.text
    }
}

/// A cell of shared string `number`; none for an empty text.
/// A cell of a shared text: its number in the table, the text itself when kept inline,
/// nothing when empty.
fn shared_cell(row: &mut Row<'_>, col: usize, style: Style, number: u32, text: &str) {
    match number {
        NO_STRING => {}
        INLINE => row.text(col, style, text),
        number => row.shared(col, style, number),
    }
}

/// Rejected `rows`: path, line, column and reason (an empty one a blank wrapped cell).
pub fn rejected_rows(rejected: &[RejectedOut], rows: Range<usize>, xml: &mut Vec<u8>) {
    for at in rows {
        let rejected = &rejected[at];
        let mut row = Row::start(xml, at as u32 + 2);
        row.text_or_blank(0, Style::WRAP, &rejected.path);
        row.number(1, rejected.line);
        row.text_or_blank(2, Style::WRAP, rejected.column.as_deref().unwrap_or(""));
        row.text_or_blank(3, Style::WRAP, &rejected.reason);
        row.end();
    }
}
