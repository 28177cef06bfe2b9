//! Correctness at scale: a generated portfolio whose defects are known in advance (the
//! generator's oracle never runs the rules) is audited, and the speed-ups (sharding,
//! threads) are held to the plain single-shard, single-thread evaluation.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sparkcheck_policies::{Policy, Settings};

use crate::util::{assert_rows_accounted, run};

fn portfolio(name: &str, ads: usize) -> (PathBuf, bench::generate::Expected) {
    let dir = std::env::temp_dir().join(format!("sparkcheck-scale-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let expected = bench::generate::generate(&dir, ads, 11).expect("the portfolio is written");
    (dir, expected)
}

fn audit(dir: &std::path::Path, threads: &str) -> (i32, String) {
    let output = audit_with(dir, threads, &[]);
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// `sparkcheck audit DIR` to JSON on `threads` threads, with `more` arguments.
fn audit_with(dir: &std::path::Path, threads: &str, more: &[&str]) -> std::process::Output {
    let as_of = bench::generate::AS_OF.to_string();
    let dir = dir.to_string_lossy();
    let mut args = vec![
        "audit",
        &dir,
        "--as-of",
        &as_of,
        "--format",
        "json",
        "--threads",
        threads,
    ];
    args.extend_from_slice(more);
    run(&args)
}

#[test]
fn a_generated_portfolio_gets_exactly_the_injected_findings() {
    let (dir, expected) = portfolio("oracle", 40_000);
    let (code, json) = audit(&dir, "2");
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_rows_accounted(&report);
    let by_cause: BTreeMap<String, usize> = report["summary"]["by_cause"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(cause, n)| (cause.clone(), n.as_u64().unwrap() as usize))
        .collect();
    let injected: BTreeMap<String, usize> = expected
        .by_cause
        .iter()
        .map(|(c, n)| (c.to_string(), *n))
        .collect();
    assert_eq!(by_cause, injected);
    assert_eq!(by_cause.len(), 15, "every cause is injected");
    assert_eq!(report["summary"]["pairs_audited"], expected.pairs);
    assert_eq!(report["summary"]["rows_rejected"], 0);
    let (_, one_thread) = audit(&dir, "1");
    assert!(
        one_thread == json,
        "the report does not depend on the thread count"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sharding_changes_nothing() {
    let (dir, _) = portfolio("shards", 15_000);
    let imported =
        sparkcheck_importers::import_paths(&[&dir], &[], 2, &sparkcheck_facts::no_progress);
    assert!(imported.errors.is_empty());
    let settings = Settings {
        as_of: bench::generate::AS_OF,
        expiry_window: 7 * 86_400,
        threads: 1,
    };
    // The sharding contract (rules join only on a post, a handle or a pair) holds for
    // every policy: each one's sharded and threaded runs equal its single-shard run.
    for policy in Policy::ALL {
        let whole = policy.evaluate_sharded(&imported.facts, &settings, 1);
        assert!(
            whole.findings.len() > 100,
            "{}: the portfolio has findings to compare",
            policy.name()
        );
        for shards in [2, 7, 64] {
            let sharded = policy.evaluate_sharded(&imported.facts, &settings, shards);
            assert!(
                sharded == whole,
                "{}: {shards} shards give another answer",
                policy.name()
            );
        }
        let threaded = policy.evaluate(
            &imported.facts,
            &Settings {
                threads: 2,
                ..settings
            },
        );
        assert!(threaded == whole, "{}: 2 threads", policy.name());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A JSON report written to a file is written while its findings are built (rounds of
/// findings, on several threads); printed, it is written afterwards. Both are one report.
#[test]
fn a_report_written_while_its_findings_are_built_is_the_one_printed() {
    let dir =
        std::env::temp_dir().join(format!("sparkcheck-scale-streamed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut shape = bench::generate::Shape::new(40_000, 11);
    shape.order = bench::generate::Order::Shuffled;
    shape.broken = Some(0.6);
    bench::generate::generate_shape(&dir, &shape).expect("the portfolio is written");
    let (code, printed) = audit(&dir, "2");
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let findings = report["findings"].as_array().unwrap().len();
    assert!(
        findings > 5000,
        "enough findings for several rounds: {findings}"
    );
    // Reports go beside the portfolio, not into the folder audited.
    let reports = dir.with_extension("reports");
    std::fs::create_dir_all(&reports).unwrap();
    for threads in ["1", "2", "3"] {
        let file = reports.join(format!("report-{threads}.json"));
        let output = audit_with(&dir, threads, &["--output", &file.to_string_lossy()]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{threads} threads: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(written == printed, "{threads} threads: the file differs");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&reports).unwrap();
}
