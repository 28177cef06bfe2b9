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
    // Everything but the two long arrays, which are left empty and spliced in below. A
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
    out.write_all(&text[..findings])?;
    write_array(&report.findings, out, threads)?;
    out.write_all(&text[findings + 2..actions])?;
    write_array(&report.actions, out, threads)?;
    out.write_all(&text[actions + 2..])?;
    out.write_all(b"\n")
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
    let render = |item: &T, buffer: &mut Vec<u8>| {
        buffer.extend_from_slice(b"\n    ");
        item.write_pretty(&mut Pretty {
            out: buffer,
            level: 2,
        });
    };
    let mut buffer = b"[".to_vec();
    render(first, &mut buffer);
    out.write_all(&buffer)?;
    super::parallel::write_items(rest, out, threads, |item, buffer| {
        buffer.push(b',');
        render(item, buffer);
    })?;
    out.write_all(b"\n  ]")
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
mod tests {
    use super::*;
    use crate::report::actions::{ActionOut, FindingKey};
    use crate::report::{EvidenceOut, FindingOut, Severity, Status, Summary};

    fn report(findings: usize) -> Report {
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
}
