//! Portfolio shapes: the generator's injected defects are found exactly whatever the row order,
//! layout and export styles, and DuckDB's independent SQL diagnosis finds the same
//! (advertiser_id, post_id, cause) set as sparkcheck.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bench::generate::{generate_shape, Expected, Layout, Order, Shape};
use bench::oracle::{self, Finding};

use crate::util::{run, triples};

fn portfolio(name: &str, shape: &Shape) -> (PathBuf, Expected) {
    let dir = std::env::temp_dir().join(format!("sparkcheck-shapes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let expected = generate_shape(&dir, shape).expect("the portfolio is written");
    (dir, expected)
}

/// sparkcheck's finding set on `dir`.
fn audit(dir: &Path) -> BTreeSet<Finding> {
    let as_of = bench::generate::AS_OF.to_string();
    let output = run(&[
        "audit",
        &dir.to_string_lossy(),
        "--as-of",
        &as_of,
        "--format",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["rows_rejected"], 0);
    let all = triples(&report);
    let set: BTreeSet<Finding> = all.iter().cloned().collect();
    assert_eq!(
        set.len(),
        all.len(),
        "one finding per (ad account, post, cause)"
    );
    set
}

fn injected(expected: &Expected) -> BTreeMap<String, usize> {
    expected
        .by_cause
        .iter()
        .map(|(cause, n)| (cause.to_string(), *n))
        .collect()
}

#[test]
fn every_shape_gets_exactly_the_injected_findings() {
    let shape = |order, layout, canonical| Shape {
        order,
        layout,
        canonical,
        broken: Some(0.25),
        ..Shape::new(15_000, 13)
    };
    let shapes = [
        (
            "sorted-chunked",
            shape(Order::Sorted, Layout::Chunked, false),
        ),
        (
            "shuffled-chunked",
            shape(Order::Shuffled, Layout::Chunked, false),
        ),
        (
            "shuffled-single",
            shape(Order::Shuffled, Layout::Single, false),
        ),
        (
            "shuffled-canonical",
            shape(Order::Shuffled, Layout::Single, true),
        ),
    ];
    let mut first: Option<BTreeSet<Finding>> = None;
    for (name, shape) in &shapes {
        let (dir, expected) = portfolio(name, shape);
        let found = audit(&dir);
        assert_eq!(oracle::by_cause(&found), injected(&expected), "{name}");
        assert_eq!(
            expected.by_cause.len(),
            15,
            "{name}: every cause is injected"
        );
        match &first {
            None => first = Some(found),
            Some(first) => assert!(*first == found, "{name} finds another set"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn duckdb_finds_what_sparkcheck_finds_on_a_shuffled_canonical_portfolio() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let anchors = std::env::var_os("SPARKCHECK_ANCHORS")
        .map(PathBuf::from)
        .or_else(|| oracle::find_anchors(root));
    let Some(anchors) = anchors else {
        eprintln!(
            "skipped: no `shared/anchors/{}` in any folder above `{}` (set SPARKCHECK_ANCHORS)",
            oracle::RUNNER,
            root.display()
        );
        return;
    };
    if let Some(reason) = oracle::duckdb_missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let shape = Shape {
        order: Order::Shuffled,
        layout: Layout::Single,
        canonical: true,
        broken: Some(0.25),
        ..Shape::new(20_000, 17)
    };
    let (dir, expected) = portfolio("duckdb", &shape);
    let found = audit(&dir);
    let out = dir.with_extension("duckdb.csv");
    oracle::run_duckdb(&anchors, &dir, &out).expect("the duckdb reference runs");
    let reference = oracle::duckdb_findings(&out).unwrap();
    assert!(reference.len() > 1_000, "{} findings", reference.len());
    let differences = oracle::differences(&found, &reference, 10);
    assert!(
        differences.is_empty(),
        "sparkcheck {} findings, duckdb {}:\n{}",
        found.len(),
        reference.len(),
        differences.join("\n")
    );
    assert_eq!(oracle::by_cause(&reference), injected(&expected));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&out).unwrap();
}
