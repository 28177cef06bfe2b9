//! The HTML page's findings as data: one compact JSON value inside
//! `<script type="application/json">`, which the page's script turns into table rows only
//! for the findings the filters show. Texts that repeat across findings (clients, ad
//! accounts, causes, severities, owners, symptoms, evidence paths) are written once, in a
//! string table, and rows refer to them by index; so are fix steps and evidence
//! sentences, which repeat across the findings of one creator, post or cause (at 1M ads the
//! table holds a third of their bytes).
//!
//! The value is inert in the page: `<`, `>` and `&` are written as JSON escapes
//! (`\u003c`, ...), so no `</script>`, comment or entity can appear in the block, and
//! control and bidirectional characters become U+FFFD, as in the page's other text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeTuple, Serializer};

use super::{FindingOut, Report};

/// Writes `{"rows": [...], "strings": [...], "titles": {...}}`. A row is
/// `[client, ad account, post, handle, cause, severity, owner, symptom, [fix step, ...],
/// [[path, line, says], ...], ads]` (all but post, handle, line and ads are positions in
/// `strings`), and
/// with `with_since` also `broken since` text and the instant it counts from, from `since`.
pub fn write(
    report: &Report,
    with_since: bool,
    since: impl Fn(&FindingOut) -> Option<(String, String)>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut strings = Strings::default();
    out.write_all(b"{\"rows\":[")?;
    for (i, finding) in report.findings.iter().enumerate() {
        // One row per line: a snapshot's diff shows which findings changed.
        out.write_all(if i > 0 { b",\n" } else { b"\n" })?;
        let row = Row {
            finding,
            client: strings.id(super::html::client(finding)),
            account: strings.id(&finding.advertiser_id),
            cause: strings.id(&finding.cause),
            severity: strings.id(finding.severity.name()),
            owner: strings.id(&finding.owner_role),
            symptom: strings.id(&finding.symptom),
            fix: finding.fix.iter().map(|step| strings.id(step)).collect(),
            evidence: finding
                .evidence
                .iter()
                .map(|e| (strings.id(&e.path), e.line, strings.id(&e.says)))
                .collect(),
            since: with_since.then(|| since(finding)),
        };
        to_writer(out, &row)?;
    }
    out.write_all(b"],\n\"strings\":[")?;
    for (i, text) in strings.list.iter().enumerate() {
        out.write_all(if i > 0 { b",\n" } else { b"\n" })?;
        to_writer(out, &Text(text))?;
    }
    out.write_all(b"],\n\"titles\":")?;
    let titles: std::collections::BTreeMap<Text<'_>, Text<'_>> = report
        .cause_titles
        .iter()
        .map(|(code, title)| (Text(code), Text(title)))
        .collect();
    to_writer(out, &titles)?;
    out.write_all(b"}")
}

/// Distinct texts in first-use order, each with its index. The texts hold input values,
/// so the table's hash is seeded at random per run (foldhash's `quality` variant: std's
/// SipHash was a fifth of the page's write at 90k findings).
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<&'a str, u32, foldhash::quality::RandomState>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, text: &'a str) -> u32 {
        let next = self.list.len() as u32;
        *self.index.entry(text).or_insert_with(|| {
            self.list.push(text);
            next
        })
    }
}

/// One finding's row, borrowing its texts.
struct Row<'a> {
    finding: &'a FindingOut,
    client: u32,
    account: u32,
    cause: u32,
    severity: u32,
    owner: u32,
    symptom: u32,
    /// The fix steps, as string indexes.
    fix: Vec<u32>,
    /// Each evidence row's path, line and sentence (path and sentence as string indexes).
    evidence: Vec<(u32, u64, u32)>,
    /// With a history: the "broken since" cell (`None` for a finding without one).
    since: Option<Option<(String, String)>>,
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = self.finding;
        let len = if self.since.is_some() { 13 } else { 11 };
        let mut row = serializer.serialize_tuple(len)?;
        row.serialize_element(&self.client)?;
        row.serialize_element(&self.account)?;
        row.serialize_element(&Text(&f.post_id))?;
        row.serialize_element(&Text(f.handle.as_deref().unwrap_or("")))?;
        row.serialize_element(&self.cause)?;
        row.serialize_element(&self.severity)?;
        row.serialize_element(&self.owner)?;
        row.serialize_element(&self.symptom)?;
        row.serialize_element(&self.fix)?;
        row.serialize_element(&self.evidence)?;
        row.serialize_element(&Text(&f.ad_ids.join(", ")))?;
        if let Some(since) = &self.since {
            let (text, instant) = since
                .as_ref()
                .map_or(("", ""), |(t, i)| (t.as_str(), i.as_str()));
            row.serialize_element(&Text(text))?;
            row.serialize_element(&Text(instant))?;
        }
        row.end()
    }
}

/// Text as the page may show it: control characters (but line breaks and tabs) and
/// bidirectional controls become U+FFFD.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Text<'a>(&'a str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&neutral(self.0))
    }
}

fn neutral(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || sparkcheck_facts::is_bidi_control(c)
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// Compact JSON whose strings are ASCII with `<`, `>` and `&` escaped: the block cannot
/// end early or hold markup, and Chromium keeps pure-ASCII text in one byte per character,
/// which parses about a third faster at 1M ads (2.2 s against 3.6 s for the same data).
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() && !matches!(c, '<' | '>' | '&') {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as script-safe JSON.
fn to_writer(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, ScriptSafe);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_cannot_end_the_block() {
        let mut out = Vec::new();
        let text = "</script><!-- &amp; \u{202e}\u{7} → 😀 \"\\";
        to_writer(&mut out, &Text(text)).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert_eq!(
            written,
            r#""\u003c/script\u003e\u003c!-- \u0026amp; \ufffd\ufffd \u2192 \ud83d\ude00 \"\\""#
        );
        let back: String = serde_json::from_str(&written).unwrap();
        assert_eq!(back, "</script><!-- &amp; \u{FFFD}\u{FFFD} → 😀 \"\\");
    }

    #[test]
    fn repeated_texts_get_one_index() {
        let mut strings = Strings::default();
        assert_eq!(strings.id("a"), 0);
        assert_eq!(strings.id("b"), 1);
        assert_eq!(strings.id("a"), 0);
        assert_eq!(strings.list, ["a", "b"]);
    }
}
