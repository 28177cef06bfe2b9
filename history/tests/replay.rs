//! The answers depend on the set of runs, not on how they reached the database: recorded in
//! as-of order, in any other order, or split across two databases that are then merged.

mod common;

use common::*;
use proptest::prelude::*;
use sparkcheck_history::{FindingRecord, History, RunRecord};

/// Twelve findings; each one's class is fixed (the store keeps a streak's newest class).
fn universe() -> Vec<FindingRecord> {
    let causes = ["CODE_EXPIRED", "NOT_SHARED_TO_BC", "CODE_EXPIRING_SOON"];
    let owners = ["Creator", "Org Admin", "Creator"];
    let severities = ["error", "error", "warning"];
    (0..12)
        .map(|i| {
            let c = i % 3;
            finding(
                &format!("{}", 100 + i % 2),
                &format!("p{}", i / 3),
                causes[c],
                severities[c],
                owners[c],
                (i % 4 != 0).then_some("@maya"),
                (i % 2 == 0).then_some("Acme"),
            )
        })
        .collect()
}

/// Runs on distinct days, each with a subset of the universe (a bit mask).
fn runs() -> impl Strategy<Value = Vec<RunRecord>> {
    proptest::collection::btree_map(1i64..30, 0u16..(1 << 12), 1..7).prop_map(|days| {
        let universe = universe();
        days.into_iter()
            .map(|(n, mask)| {
                let findings = universe
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, f)| f.clone())
                    .collect();
                run(day(n), findings)
            })
            .collect()
    })
}

fn recorded(runs: &[&RunRecord]) -> (TempDb, History) {
    let db = TempDb::new("replay");
    let mut history = History::open(&db.path).unwrap();
    for r in runs {
        // The first seen the recording returns is the one a read of the run gives, in
        // every order (appended, backfilled between runs, before all of them).
        let (id, first_seen) = history.record_with_first_seen(r).unwrap();
        let read = history.run_findings(id).unwrap().unwrap().findings;
        let mut returned: Vec<_> = r
            .findings
            .iter()
            .zip(&first_seen)
            .map(|(f, &since)| {
                (
                    (f.advertiser_id.clone(), f.post_id.clone(), f.cause.clone()),
                    since,
                )
            })
            .collect();
        let mut expected: Vec<_> = read
            .iter()
            .map(|s| {
                (
                    (
                        s.finding.advertiser_id.clone(),
                        s.finding.post_id.clone(),
                        s.finding.cause.clone(),
                    ),
                    s.first_seen,
                )
            })
            .collect();
        returned.sort();
        expected.sort();
        assert_eq!(returned, expected);
    }
    (db, history)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replaying_in_any_order_or_split_and_merged_gives_the_same_answers(
        (runs, order, sides) in runs().prop_flat_map(|runs| {
            let n = runs.len();
            (
                Just(runs),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                proptest::collection::vec(any::<bool>(), n),
            )
        })
    ) {
        let in_order: Vec<&RunRecord> = runs.iter().collect();
        let (_db, expected) = recorded(&in_order);
        let expected = answers(&expected);

        let shuffled: Vec<&RunRecord> = order.iter().map(|&i| &runs[i]).collect();
        let (_db1, one) = recorded(&shuffled);
        prop_assert_eq!(answers(&one), expected.clone());

        let left: Vec<&RunRecord> = shuffled.iter().zip(&sides).filter(|(_, &s)| s).map(|(r, _)| *r).collect();
        let right: Vec<&RunRecord> = shuffled.iter().zip(&sides).filter(|(_, &s)| !s).map(|(r, _)| *r).collect();
        let (_db2, mut left) = recorded(&left);
        let (_db3, right) = recorded(&right);
        left.import(&right).unwrap();
        prop_assert_eq!(answers(&left), expected);
        prop_assert_eq!(left.integrity_check().unwrap(), "ok");
    }
}
