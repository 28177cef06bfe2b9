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
    // Every text hashed on every core; then each text's index given in first-use order on
    // this thread; then the rows and the strings rendered on every core (hashing and
    // serialising 90k rows on one thread were most of the page's write).
    let threads = super::parallel::threads();
    let state = foldhash::quality::RandomState::default();
    let hashes = hash_texts(&report.findings, threads, &state);
    let mut hashes = hashes.iter().flatten().copied();
    let mut strings = Strings::default();
    let rows: Vec<Row<'_>> = report
        .findings
        .iter()
        .map(|finding| {
            let mut row = row_of(finding, |text| {
                let hash = hashes.next().expect("a hash for every text");
                strings.id(text, hash)
            });
            row.since = with_since.then(|| since(finding));
            row
        })
        .collect();
    out.write_all(b"{\"rows\":[")?;
    // One row per line: a snapshot's diff shows which findings changed.
    let numbered: Vec<(usize, &Row<'_>)> = rows.iter().enumerate().collect();
    super::parallel::write_items(&numbered, out, threads, |(i, row), buffer| {
        buffer.extend_from_slice(if *i > 0 { b",\n" } else { b"\n" });
        // Serialising into memory cannot fail; a row is plain data.
        let _ = to_writer(buffer, *row);
    })?;
    out.write_all(b"],\n\"strings\":[")?;
    let numbered: Vec<(usize, &str)> = strings.list.iter().copied().enumerate().collect();
    super::parallel::write_items(&numbered, out, threads, |(i, text), buffer| {
        buffer.extend_from_slice(if *i > 0 { b",\n" } else { b"\n" });
        let _ = to_writer(buffer, &Text(text));
    })?;
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
/// so their hash is seeded at random per run (foldhash's `quality` variant: std's SipHash
/// was a fifth of the page's write at 90k findings), and made by [`hash_texts`].
#[derive(Default)]
struct Strings<'a> {
    index: hashbrown::HashTable<u32>,
    list: Vec<&'a str>,
    hashes: Vec<u64>,
}

impl<'a> Strings<'a> {
    /// The index of `text`, whose hash is `hash`.
    fn id(&mut self, text: &'a str, hash: u64) -> u32 {
        let Strings {
            index,
            list,
            hashes,
        } = self;
        let entry = index.entry(
            hash,
            |&id| list[id as usize] == text,
            |&id| hashes[id as usize],
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => *found.get(),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                let id = list.len() as u32;
                list.push(text);
                hashes.push(hash);
                slot.insert(id);
                id
            }
        }
    }
}

/// A finding's row, with `id` giving each of its texts an index, in a fixed order (the
/// order [`hash_texts`] hashes them in, since both go through here).
fn row_of<'a>(finding: &'a FindingOut, mut id: impl FnMut(&'a str) -> u32) -> Row<'a> {
    Row {
        finding,
        client: id(super::html::client(finding)),
        account: id(&finding.advertiser_id),
        cause: id(&finding.cause),
        severity: id(finding.severity.name()),
        owner: id(&finding.owner_role),
        symptom: id(&finding.symptom),
        fix: finding.fix.iter().map(|step| id(step)).collect(),
        evidence: finding
            .evidence
            .iter()
            .map(|e| (id(&e.path), e.line, id(&e.says)))
            .collect(),
        since: None,
    }
}

/// The hash of every text of every finding, in [`row_of`]'s order, in consecutive parts
/// made on up to `threads` threads.
fn hash_texts(
    findings: &[FindingOut],
    threads: usize,
    state: &foldhash::quality::RandomState,
) -> Vec<Vec<u64>> {
    use std::hash::BuildHasher;
    super::parallel::in_parts(findings, threads, 4096, |findings| {
        let mut hashes = Vec::with_capacity(findings.len() * 10);
        for finding in findings {
            row_of(finding, |text| {
                hashes.push(state.hash_one(text));
                0
            });
        }
        hashes
    })
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
    // The same characters, found byte by byte (nearly every text has none).
    if !super::escape::has_unsafe_char(text) {
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
        let state = foldhash::quality::RandomState::default();
        let hash = |text: &str| std::hash::BuildHasher::hash_one(&state, text);
        assert_eq!(strings.id("a", hash("a")), 0);
        assert_eq!(strings.id("b", hash("b")), 1);
        assert_eq!(strings.id("a", hash("a")), 0);
        assert_eq!(strings.list, ["a", "b"]);
    }
}
