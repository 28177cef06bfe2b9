//! Determinism (issue 8): the same inputs give a byte-identical report whatever the order
//! of the paths, the walk or the thread count; reordering rows inside files changes
//! nothing but evidence line numbers.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

fn report_json(paths: &[PathBuf], threads: usize) -> String {
    let mut plan = sparkcheck::pipeline::Plan::new(paths.to_vec(), bench::generate::AS_OF);
    plan.threads = threads;
    let run = sparkcheck::pipeline::Observer::quiet(|o| sparkcheck::pipeline::run(plan, o))
        .expect("the portfolio imports");
    let mut out = Vec::new();
    sparkcheck::report::json::write(&run.report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

/// The report without line numbers, with evidence and ads in a line-free order.
fn without_lines(json: &str, dir: &Path) -> serde_json::Value {
    let mut report: serde_json::Value =
        serde_json::from_str(&json.replace(&*dir.to_string_lossy(), "DIR")).unwrap();
    for finding in report["findings"].as_array_mut().unwrap() {
        let evidence = finding["evidence"].as_array_mut().unwrap();
        for row in evidence.iter_mut() {
            row.as_object_mut().unwrap().remove("line");
        }
        evidence.sort_by_key(|row| row.to_string());
        finding["ad_ids"]
            .as_array_mut()
            .unwrap()
            .sort_by_key(|id| id.to_string());
    }
    report
}

/// Copies every file of `from` into `to` with its data rows in another order.
fn shuffle_rows(from: &Path, to: &Path, seed: u64) {
    std::fs::create_dir_all(to).unwrap();
    for file in files_in(from) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        let rows = &mut lines[1..];
        // A Fisher-Yates shuffle driven by a small LCG: reproducible from the seed.
        let mut state = seed | 1;
        for i in (1..rows.len()).rev() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            rows.swap(i, (state >> 33) as usize % (i + 1));
        }
        std::fs::write(to.join(file.file_name().unwrap()), lines.concat()).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn order_and_threads_do_not_change_the_report(
        ads in 500usize..4000,
        seed in any::<u64>(),
        order in any::<prop::sample::Index>(),
    ) {
        let root = std::env::temp_dir().join(format!("sparkcheck-det-{}-{seed}", std::process::id()));
        let dir = root.join("portfolio");
        bench::generate::generate(&dir, ads, seed).unwrap();
        let baseline = report_json(std::slice::from_ref(&dir), 1);

        let mut files = files_in(&dir);
        let rotate = order.index(files.len());
        files.rotate_left(rotate);
        files.reverse();
        prop_assert!(report_json(&files, 2) == baseline, "file order or threads changed the report");
        prop_assert!(report_json(&[dir.clone(), dir.join("links.csv")], 3) == baseline);

        let shuffled = root.join("shuffled");
        shuffle_rows(&dir, &shuffled, seed);
        let reordered = report_json(std::slice::from_ref(&shuffled), 2);
        prop_assert_eq!(without_lines(&reordered, &shuffled), without_lines(&baseline, &dir));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
