//! The shipped sample portfolio: every cause occurs, some posts are clean.

use std::collections::BTreeSet;

use sparkcheck_policies::Policy;

use crate::util::{assert_rows_accounted, audit_json, run, triples, AS_OF};

#[test]
fn samples_show_every_cause_and_some_clean_posts() {
    let (code, report, json) = audit_json(&["samples/"]);
    assert_eq!(code, 1);
    let found: BTreeSet<String> = triples(&report).into_iter().map(|(_, _, c)| c).collect();
    let all: BTreeSet<String> = Policy::Preview
        .causes()
        .iter()
        .map(|c| c.code().to_string())
        .collect();
    assert_eq!(found, all);
    let summary = &report["summary"];
    assert!(
        summary["pairs_previewable"].as_u64().unwrap() >= 2,
        "{summary}"
    );
    assert_rows_accounted(&report);
    assert_eq!(report["skipped"][0]["path"], "samples/README.md");
    insta::assert_snapshot!("samples_json", json);
}

#[test]
fn samples_text_report() {
    let output = run(&["audit", "samples", "--as-of", AS_OF]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour off a terminal");
    insta::assert_snapshot!("samples_text", text);
}
