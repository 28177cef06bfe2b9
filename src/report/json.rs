//! The canonical JSON report.
//!
//! Pretty-printed exactly as `serde_json::to_writer_pretty` prints the [`Report`], but the
//! two arrays that grow with the findings (`findings` and `actions`) are serialised in
//! parallel, a round of items at a time, each item into its own buffer, and written in
//! order: the bytes do not depend on the thread count.

use std::io::{self, Write};

use super::actions::{ActionOut, FindingKey};
use super::{EvidenceOut, FindingOut, Report};

/// Writes `report` as pretty JSON with a final newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_with_threads(report, out, super::parallel::threads())
}

/// [`write`] on up to `threads` threads; the same bytes for any `threads`.
pub fn write_with_threads(report: &Report, out: &mut dyn Write, threads: usize) -> io::Result<()> {
    let skeleton = Skeleton::of(report)?;
    out.write_all(skeleton.head())?;
    write_array(&report.findings, out, threads)?;
    skeleton.write_tail(report, out, threads)
}

/// The report's text without its two long arrays, and where they go.
struct Skeleton {
    text: Vec<u8>,
    /// Where the findings' `[]` starts.
    findings: usize,
    /// Where the actions' `[]` starts.
    actions: usize,
}

impl Skeleton {
    fn of(report: &Report) -> io::Result<Skeleton> {
        // Everything but the two long arrays, which are left empty and spliced in. A
        // struct literal without `..`: a new field of `Report` cannot be forgotten here.
        let skeleton = Report {
            schema_version: report.schema_version,
            as_of: report.as_of.clone(),
            policy: report.policy.clone(),
            expiry_window: report.expiry_window.clone(),
            config: report.config.clone(),
            inputs: report.inputs.clone(),
            skipped: report.skipped.clone(),
            coverage: report.coverage.clone(),
            findings: Vec::new(),
            actions: Vec::new(),
            suppressed: report.suppressed.clone(),
            unused_suppressions: report.unused_suppressions.clone(),
            resolved: report.resolved.clone(),
            unchecked: report.unchecked.clone(),
            rejected: report.rejected.clone(),
            summary: report.summary.clone(),
            trend: report.trend.clone(),
            pairs: Vec::new(),
            cause_titles: Default::default(),
        };
        let text = serde_json::to_vec_pretty(&skeleton)?;
        // Top-level keys are the only ones indented by exactly two spaces, and no string
        // holds a raw line break: each pattern occurs once.
        let findings = splice_point(&text, b"\n  \"findings\": []")?;
        let actions = splice_point(&text, b"\n  \"actions\": []")?;
        Ok(Skeleton {
            text,
            findings,
            actions,
        })
    }

    /// Everything before the findings: it depends only on the fields before them.
    fn head(&self) -> &[u8] {
        &self.text[..self.findings]
    }

    /// Everything after the findings, with the actions spliced in.
    fn write_tail(&self, report: &Report, out: &mut dyn Write, threads: usize) -> io::Result<()> {
        out.write_all(&self.text[self.findings + 2..self.actions])?;
        write_array(&report.actions, out, threads)?;
        out.write_all(&self.text[self.actions + 2..])?;
        out.write_all(b"\n")
    }
}

/// The JSON report of a run whose findings are final as they are built (no suppression,
/// baseline or history changes them afterwards), written while they are built: the
/// head once the fields before the findings are known, then each finding in order, then
/// the rest from the whole report. At 1M ads copying 159 MB into the page cache took
/// 0.1-0.25 s on one core after everything else; here it runs beside the building.
///
/// The bytes are [`write`]'s: [`Stream::finish`] checks that the head it wrote is the
/// whole report's, and writes any finding the builder did not.
pub struct Stream<'a> {
    out: &'a mut dyn Write,
    /// The head as written, once [`Stream::start`] ran.
    head: Option<Vec<u8>>,
    /// Findings written so far.
    written: usize,
    /// The first write error; nothing is written after it.
    error: Option<io::Error>,
}

impl<'a> Stream<'a> {
    /// A stream to `out` that has written nothing yet.
    pub fn new(out: &'a mut dyn Write) -> Self {
        Stream {
            out,
            head: None,
            written: 0,
            error: None,
        }
    }

    /// Writes everything before the findings, from `report`'s fields before them.
    pub fn start(&mut self, report: &Report) {
        match Skeleton::of(report) {
            Ok(skeleton) => {
                let head = skeleton.head().to_vec();
                self.write(&head);
                self.head = Some(head);
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// Whether findings may be written: started, and no write failed.
    pub fn is_open(&self) -> bool {
        self.head.is_some() && self.error.is_none()
    }

    /// Appends finding number `index` (from 0) of the findings array to `buffer`, as
    /// [`write`] writes it.
    pub fn render(finding: &FindingOut, index: usize, buffer: &mut Vec<u8>) {
        buffer.push(if index == 0 { b'[' } else { b',' });
        render_item(finding, buffer);
    }

    /// Writes `bytes`, the next `findings` findings as [`Stream::render`] rendered them.
    pub fn write_findings(&mut self, bytes: &[u8], findings: usize) {
        self.write(bytes);
        self.written += findings;
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_none() {
            if let Err(error) = self.out.write_all(bytes) {
                self.error = Some(error);
            }
        }
    }

    /// Writes the findings not written yet and everything after them; `report` is the
    /// finished report whose findings were streamed.
    pub fn finish(mut self, report: &Report, threads: usize) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let skeleton = Skeleton::of(report)?;
        let out: &mut dyn Write = self.out;
        match &self.head {
            Some(head) if head != skeleton.head() => {
                return Err(io::Error::other(
                    "the report's head changed while its findings were written",
                ))
            }
            Some(_) => {}
            None => out.write_all(skeleton.head())?,
        }
        let findings = &report.findings;
        match self.written {
            0 => write_array(findings, out, threads)?,
            written if written > findings.len() => {
                return Err(io::Error::other(
                    "more findings written than the report has",
                ))
            }
            written => {
                super::parallel::write_items(
                    &findings[written..],
                    out,
                    threads,
                    |item, buffer| {
                        buffer.push(b',');
                        render_item(item, buffer);
                    },
                )?;
                out.write_all(b"\n  ]")?;
            }
        }
        skeleton.write_tail(report, out, threads)
    }
}

/// Where the `[]` of `pattern` (ending in `[]`) starts in `text`.
fn splice_point(text: &[u8], pattern: &[u8]) -> io::Result<usize> {
    text.windows(pattern.len())
        .position(|w| w == pattern)
        .map(|at| at + pattern.len() - 2)
        .ok_or_else(|| io::Error::other("JSON skeleton without its array"))
}

/// A top-level array as the pretty printer writes it: `[]`, or each item on its own
/// line indented by four spaces, its inner lines four spaces further; items rendered on
/// up to `threads` threads.
fn write_array<T: PrettyItem + Sync>(
    items: &[T],
    out: &mut dyn Write,
    threads: usize,
) -> io::Result<()> {
    let Some((first, rest)) = items.split_first() else {
        return out.write_all(b"[]");
    };
    let mut buffer = b"[".to_vec();
    render_item(first, &mut buffer);
    out.write_all(&buffer)?;
    super::parallel::write_items(rest, out, threads, |item, buffer| {
        buffer.push(b',');
        render_item(item, buffer);
    })?;
    out.write_all(b"\n  ]")
}

/// An item of a top-level array on its own line, indented by four spaces.
fn render_item<T: PrettyItem>(item: &T, buffer: &mut Vec<u8>) {
    buffer.extend_from_slice(b"\n    ");
    item.write_pretty(&mut Pretty {
        out: buffer,
        level: 2,
    });
}

/// An item of the long arrays, written as `serde_json`'s pretty printer writes it (held
/// to it by the tests), without serde's per-value dispatch: at 90k findings serde's path
/// and re-indenting its output were most of the JSON's write time.
trait PrettyItem {
    fn write_pretty(&self, out: &mut Pretty<'_>);
}

impl PrettyItem for FindingOut {
    fn write_pretty(&self, out: &mut Pretty<'_>) {
        // Every field by name: a new field of `FindingOut` does not compile until it is
        // written here (in serde's order, which is the declaration order).
        let FindingOut {
            advertiser_id,
            account_name,
            post_id,
            handle,
            ad_ids,
            cause,
            severity,
            status,
            first_seen,
            symptom,
            owner_role,
            fix,
            evidence,
        } = self;
        let mut object = out.object();
        object.string("advertiser_id", advertiser_id);
        if let Some(name) = account_name {
            object.string("account_name", name);
        }
        object.string("post_id", post_id);
        match handle {
            Some(handle) => object.string("handle", handle),
            None => object.raw("handle", b"null"),
        }
        object.strings("ad_ids", ad_ids);
        object.string("cause", cause);
        object.string("severity", severity.name());
        if let Some(status) = status {
            object.string("status", status.name());
        }
        if let Some(first_seen) = first_seen {
            object.string("first_seen", first_seen);
        }
        object.string("symptom", symptom);
        object.string("owner_role", owner_role);
        object.strings("fix", fix);
        object.array("evidence", evidence, |out, evidence| {
            let EvidenceOut { path, line, says } = evidence;
            let mut object = out.object();
            object.string("path", path);
            object.number("line", *line);
            object.string("says", says);
            object.end();
        });
        object.end();
    }
}

impl PrettyItem for ActionOut {
    fn write_pretty(&self, out: &mut Pretty<'_>) {
        let ActionOut {
            action,
            owner_role,
            clears,
            findings,
        } = self;
        let mut object = out.object();
        object.string("action", action);
        object.string("owner_role", owner_role);
        object.number("clears", *clears as u64);
        object.array("findings", findings, |out, key| {
            let FindingKey {
                advertiser_id,
                post_id,
                cause,
            } = key;
            let mut object = out.object();
            object.string("advertiser_id", advertiser_id);
            object.string("post_id", post_id);
            object.string("cause", cause);
            object.end();
        });
        object.end();
    }
}

/// A pretty-printing JSON writer at an indent level (two spaces each).
struct Pretty<'b> {
    out: &'b mut Vec<u8>,
    level: usize,
}

impl<'b> Pretty<'b> {
    fn object(&mut self) -> Object<'_> {
        self.out.push(b'{');
        Object {
            out: Pretty {
                out: self.out,
                level: self.level,
            },
            empty: true,
        }
    }

    fn line_break(&mut self, level: usize) {
        self.out.push(b'\n');
        for _ in 0..level {
            self.out.extend_from_slice(b"  ");
        }
    }
}

/// An object being written; [`Object::end`] closes it.
struct Object<'b> {
    out: Pretty<'b>,
    empty: bool,
}

impl Object<'_> {
    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.out.push(b',');
        }
        self.empty = false;
        let level = self.out.level + 1;
        self.out.line_break(level);
        string(self.out.out, key);
        self.out.out.extend_from_slice(b": ");
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        string(self.out.out, value);
    }

    fn raw(&mut self, key: &str, value: &[u8]) {
        self.key(key);
        self.out.out.extend_from_slice(value);
    }

    fn number(&mut self, key: &str, value: u64) {
        self.key(key);
        self.out
            .out
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    fn strings<S: AsRef<str>>(&mut self, key: &str, values: &[S]) {
        self.array(key, values, |out, value| string(out.out, value.as_ref()));
    }

    /// An array of `items`, each written by `item` at the array's inner level.
    fn array<T>(&mut self, key: &str, items: &[T], mut item: impl FnMut(&mut Pretty<'_>, &T)) {
        self.key(key);
        if items.is_empty() {
            self.out.out.extend_from_slice(b"[]");
            return;
        }
        self.out.out.push(b'[');
        let inner = self.out.level + 2;
        for (i, value) in items.iter().enumerate() {
            if i > 0 {
                self.out.out.push(b',');
            }
            self.out.line_break(inner);
            item(
                &mut Pretty {
                    out: self.out.out,
                    level: inner,
                },
                value,
            );
        }
        let level = self.out.level + 1;
        self.out.line_break(level);
        self.out.out.push(b']');
    }

    fn end(mut self) {
        if !self.empty {
            let level = self.out.level;
            self.out.line_break(level);
        }
        self.out.out.push(b'}');
    }
}

/// `text` as a JSON string, escaped as `serde_json` escapes it: `"`, `\\` and the
/// control characters below U+0020 (`\b`, `\t`, `\n`, `\f`, `\r` short, the others as
/// `\u00XX`); everything else, non-ASCII included, as it is.
fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut done = 0;
    while let Some(at) = next_to_escape(bytes, done) {
        out.extend_from_slice(&bytes[done..at]);
        let escaped: &[u8] = match bytes[at] {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            control => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(control >> 4)]);
                out.push(HEX[usize::from(control & 0xf)]);
                done = at + 1;
                continue;
            }
        };
        out.extend_from_slice(escaped);
        done = at + 1;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// The first byte at or after `from` that a JSON string must escape. Eight bytes are
/// tested at a time (almost no text needs escaping), then the byte found is located.
fn next_to_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether any byte of `x` is zero / below 0x20; exact as a yes or no.
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let has_control = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut at = from;
    while at + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        let x = u64::from_le_bytes(word);
        if has_control(x)
            || has_zero(x ^ (ONES * u64::from(b'"')))
            || has_zero(x ^ (ONES * u64::from(b'\\')))
        {
            return bytes[at..at + 8]
                .iter()
                .position(|&b| needs(b))
                .map(|i| at + i);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| needs(b)).map(|i| at + i)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::actions::{ActionOut, FindingKey};
    use crate::report::{EvidenceOut, FindingOut, Severity, Status, Summary};

    /// A report of `findings` findings with every optional field and hostile text.
    pub(crate) fn report(findings: usize) -> Report {
        let finding = |i: usize| FindingOut {
            advertiser_id: format!("7{i:018}"),
            account_name: i
                .is_multiple_of(3)
                .then(|| "Acme \"quoted\"\nline".to_string()),
            post_id: format!("{i}"),
            handle: i.is_multiple_of(2).then(|| "@a, @b".to_string()),
            ad_ids: (0..i % 4).map(|a| a.to_string()).collect(),
            cause: "CODE_EXPIRED".to_string(),
            severity: if i.is_multiple_of(5) {
                Severity::Warning
            } else {
                Severity::Error
            },
            status: match i % 3 {
                0 => None,
                1 => Some(Status::New),
                _ => Some(Status::Persisting),
            },
            first_seen: i
                .is_multiple_of(4)
                .then(|| "2026-11-20T00:00:00Z".to_string()),
            symptom: hostile(i),
            owner_role: "Creator".to_string(),
            fix: (0..i % 3)
                .map(|s| format!("step {s} {}", hostile(i + s)))
                .collect(),
            evidence: (0..i % 3)
                .map(|e| EvidenceOut {
                    path: "a.csv".to_string(),
                    line: (i * 7 + e) as u64,
                    says: hostile(i * 3 + e),
                })
                .collect(),
        };
        let findings: Vec<FindingOut> = (0..findings).map(finding).collect();
        let actions = findings
            .chunks(3)
            .map(|c| ActionOut {
                action: "do it".to_string(),
                owner_role: "Creator".to_string(),
                clears: c.len(),
                findings: c
                    .iter()
                    .map(|f| FindingKey {
                        advertiser_id: f.advertiser_id.clone(),
                        post_id: f.post_id.clone(),
                        cause: f.cause.clone(),
                    })
                    .collect(),
            })
            .collect();
        Report {
            schema_version: 1,
            as_of: "2026-11-20T00:00:00Z".to_string(),
            policy: "preview".to_string(),
            expiry_window: "7d".to_string(),
            config: None,
            inputs: Vec::new(),
            skipped: Vec::new(),
            coverage: Default::default(),
            findings,
            actions,
            suppressed: Vec::new(),
            unused_suppressions: Vec::new(),
            resolved: None,
            unchecked: Vec::new(),
            rejected: Vec::new(),
            summary: Summary {
                pairs_audited: 0,
                pairs_previewable: 0,
                pairs_broken: 0,
                pairs_unchecked: 0,
                findings: 0,
                errors: 0,
                warnings: 0,
                by_cause: Default::default(),
                by_owner: Default::default(),
                spark_ads: 0,
                non_spark_ads: 0,
                rows: 0,
                rows_rejected: 0,
                by_account: Vec::new(),
                by_client: Vec::new(),
                suppressed: 0,
                new: None,
                resolved: None,
            },
            trend: None,
            pairs: Vec::new(),
            cause_titles: Default::default(),
        }
    }

    /// Text with a character JSON escapes (every control character, `"` and `\\` in
    /// turn) at a position that moves through the 8-byte blocks, beside non-ASCII text.
    fn hostile(i: usize) -> String {
        const SPECIAL: [char; 5] = ['"', '\\', '\u{7f}', 'é', '\u{2028}'];
        let special = if i % 37 < 32 {
            char::from(i as u8 % 32)
        } else {
            SPECIAL[i % 37 - 32]
        };
        let mut text = "x".repeat(i % 19);
        text.push(special);
        text.push_str(&"y".repeat(i % 11));
        if i.is_multiple_of(7) {
            text.push(special);
        }
        text
    }

    #[test]
    fn same_bytes_as_serde_pretty_on_any_thread_count() {
        for n in [0, 1, 2, 255, 256, 257, 9000, 20000] {
            let report = report(n);
            let mut expected = serde_json::to_vec_pretty(&report).unwrap();
            expected.push(b'\n');
            for threads in [1, 2, 3, 8] {
                let mut got = Vec::new();
                write_with_threads(&report, &mut got, threads).unwrap();
                assert!(got == expected, "{n} findings on {threads} threads differ");
            }
        }
    }

    /// The findings of `report` streamed in pieces of `piece` findings, then finished.
    fn streamed(report: &Report, piece: usize, threads: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut stream = Stream::new(&mut out);
        stream.start(report);
        let mut written = 0;
        // Leave some findings for `finish` to write.
        let streamed = report.findings.len() - report.findings.len() / 5;
        while written < streamed {
            let count = piece.min(streamed - written);
            let mut bytes = Vec::new();
            for (i, finding) in report.findings[written..written + count].iter().enumerate() {
                Stream::render(finding, written + i, &mut bytes);
            }
            stream.write_findings(&bytes, count);
            written += count;
        }
        stream.finish(report, threads).unwrap();
        out
    }

    #[test]
    fn a_stream_writes_the_same_bytes_however_its_findings_come() {
        for n in [0, 1, 2, 5, 300, 9000] {
            let report = report(n);
            let mut expected = Vec::new();
            write_with_threads(&report, &mut expected, 1).unwrap();
            for (piece, threads) in [(1, 1), (7, 2), (1024, 3), (usize::MAX, 8)] {
                let got = streamed(&report, piece, threads);
                assert!(got == expected, "{n} findings in pieces of {piece} differ");
            }
            // A stream never started (its findings were not final as built) writes all.
            let mut out = Vec::new();
            Stream::new(&mut out).finish(&report, 2).unwrap();
            assert!(out == expected, "{n} findings, unstarted stream");
        }
    }

    #[test]
    fn a_stream_whose_head_changed_fails_rather_than_writing_another_report() {
        let before = report(3);
        let mut after = before.clone();
        after.inputs.push(crate::report::InputOut {
            path: "late.csv".to_string(),
            kind: "ads".to_string(),
            format: "csv".to_string(),
            rows: 1,
            imported: 1,
            rejected: 0,
            notes: Vec::new(),
            content_hash: None,
        });
        let mut out = Vec::new();
        let mut stream = Stream::new(&mut out);
        stream.start(&before);
        let error = stream.finish(&after, 1).unwrap_err();
        assert!(error.to_string().contains("head changed"), "{error}");
    }

    /// A writer that fails once `room` bytes are written.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("no space left"));
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_while_streaming_is_what_finish_returns() {
        let report = report(50);
        for room in [0, 10, 5000] {
            let mut out = Full { room };
            let mut stream = Stream::new(&mut out);
            stream.start(&report);
            let mut bytes = Vec::new();
            for (i, finding) in report.findings.iter().enumerate() {
                Stream::render(finding, i, &mut bytes);
            }
            stream.write_findings(&bytes, report.findings.len());
            assert!(
                !stream.is_open(),
                "room {room}: the stream is closed by the error"
            );
            let error = stream.finish(&report, 1).unwrap_err();
            assert_eq!(error.to_string(), "no space left");
        }
    }
}
