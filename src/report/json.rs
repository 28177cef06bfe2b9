//! The canonical JSON report.
//!
//! Pretty-printed exactly as `serde_json::to_writer_pretty` prints the [`Report`], but the
//! two arrays that grow with the findings (`findings` and `actions`) are serialised in
//! parallel, a round of items at a time, each item into its own buffer, and written in
//! order: the bytes do not depend on the thread count.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;

/// Items per round of parallel serialisation (bounds the buffered bytes: about 1.7 KB a
/// finding).
const ROUND: usize = 8192;

/// Writes `report` as pretty JSON with a final newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    write_with_threads(report, out, threads)
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
/// line indented by four spaces, its inner lines four spaces further.
fn write_array<T: Serialize + Sync>(
    items: &[T],
    out: &mut dyn Write,
    threads: usize,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let mut first = true;
    for round in items.chunks(ROUND) {
        for buffer in serialise_round(round, threads) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(&buffer?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// The items of one round, each part on its own thread; each buffer holds its part's
/// items, every one preceded by a line break and the indent (the caller adds commas
/// between parts).
fn serialise_round<T: Serialize + Sync>(items: &[T], threads: usize) -> Vec<io::Result<Vec<u8>>> {
    let part = |items: &[T]| -> io::Result<Vec<u8>> {
        let mut buffer = Vec::with_capacity(items.len() * 2048);
        let mut item = Vec::with_capacity(4096);
        for (i, value) in items.iter().enumerate() {
            if i > 0 {
                buffer.push(b',');
            }
            item.clear();
            serde_json::to_writer_pretty(&mut item, value)?;
            buffer.extend_from_slice(b"\n    ");
            let mut rest = &item[..];
            while let Some(at) = rest.iter().position(|&b| b == b'\n') {
                buffer.extend_from_slice(&rest[..=at]);
                buffer.extend_from_slice(b"    ");
                rest = &rest[at + 1..];
            }
            buffer.extend_from_slice(rest);
        }
        Ok(buffer)
    };
    if threads <= 1 || items.len() < 256 {
        return vec![part(items)];
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(move || part(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a JSON thread does not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::actions::{ActionOut, FindingKey};
    use crate::report::{EvidenceOut, FindingOut, Severity, Summary};

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
            severity: Severity::Error,
            status: None,
            first_seen: None,
            symptom: "s".to_string(),
            owner_role: "Creator".to_string(),
            fix: vec!["one".to_string(), "two\tthree".to_string()],
            evidence: vec![EvidenceOut {
                path: "a.csv".to_string(),
                line: i as u64,
                says: "</script>".to_string(),
            }],
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
