//! Five day runs with known breaks and fixes; every answer asserted exactly.
//!
//! Day 1: A B E; day 2: A B C; day 3: A C E F; day 4: A D E; day 5: A D, where
//! A = (100, p1, CODE_EXPIRED) error Creator, never fixed;
//! B = (100, p2, NOT_SHARED_TO_BC) error Org Admin, fixed on day 3;
//! C = (200, p3, CODE_EXPIRING_SOON) warning Creator, no client, fixed on day 4;
//! D = (200, p3, CODE_EXPIRED) error Creator, from day 4;
//! E = (100, p2, CODE_REVOKED) error Creator, fixed on day 2, back on day 3, fixed on day 5;
//! F = (300, p4, NOT_SHARED_TO_BC) error Org Admin (client Beta), day 3 only.

mod common;

use common::*;
use sparkcheck_history::{FindingRecord, GroupBy, History, RunId};

fn recorded(db: &TempDb) -> (History, Vec<RunId>) {
    let mut history = History::open(&db.path).unwrap();
    let ids = five_days()
        .iter()
        .map(|r| history.record(r).unwrap())
        .collect();
    (history, ids)
}

fn keys(findings: impl IntoIterator<Item = FindingRecord>) -> Vec<(String, String, String)> {
    findings
        .into_iter()
        .map(|f| (f.advertiser_id, f.post_id, f.cause))
        .collect()
}

fn k(f: FindingRecord) -> (String, String, String) {
    (f.advertiser_id, f.post_id, f.cause)
}

#[test]
fn runs_are_listed_in_order_with_their_counts() {
    let db = TempDb::new("runs");
    let (history, ids) = recorded(&db);
    let runs = history.runs().unwrap();
    let got: Vec<_> = runs
        .iter()
        .map(|r| {
            (
                r.run,
                r.as_of,
                r.findings,
                r.errors,
                r.warnings,
                r.broken_posts,
                r.new,
                r.fixed,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (ids[0], day(1), 3, 3, 0, 2, None, None),
            (ids[1], day(2), 3, 2, 1, 2, Some(1), Some(1)),
            (ids[2], day(3), 4, 3, 1, 3, Some(2), Some(1)),
            (ids[3], day(4), 3, 3, 0, 3, Some(1), Some(2)),
            (ids[4], day(5), 2, 2, 0, 2, Some(0), Some(1)),
        ]
    );
    let first = &runs[0];
    assert_eq!(first.started_at, day(1) + 3600);
    assert_eq!(first.policy, "preview");
    assert_eq!(first.sparkcheck_version, "0.1.0");
    assert_eq!(first.config_hash.as_deref(), Some("c0ffee"));
    assert_eq!((first.inputs, first.pairs_audited), (1, 10));
    let json = serde_json::to_value(first).unwrap();
    assert_eq!(json["as_of"], "2026-11-16T00:00:00Z");
    assert_eq!(json["new"], serde_json::Value::Null);
}

#[test]
fn trend_overall_and_by_owner_and_client() {
    let db = TempDb::new("trend");
    let (history, _) = recorded(&db);
    let row = |p: &sparkcheck_history::TrendPoint| {
        (
            (p.as_of - DAY1) / DAY + 1,
            p.group.clone().unwrap_or_default(),
            p.findings,
            p.errors,
            p.warnings,
            p.broken_posts,
        )
    };
    let s = |g: &str| g.to_string();
    let overall: Vec<_> = history.trend(None, None).unwrap().iter().map(row).collect();
    assert_eq!(
        overall,
        vec![
            (1, s(""), 3, 3, 0, 2),
            (2, s(""), 3, 2, 1, 2),
            (3, s(""), 4, 3, 1, 3),
            (4, s(""), 3, 3, 0, 3),
            (5, s(""), 2, 2, 0, 2),
        ]
    );
    let by_owner: Vec<_> = history
        .trend(Some(GroupBy::Owner), None)
        .unwrap()
        .iter()
        .map(row)
        .collect();
    assert_eq!(
        by_owner,
        vec![
            (1, s("Creator"), 2, 2, 0, 2),
            (1, s("Org Admin"), 1, 1, 0, 1),
            (2, s("Creator"), 2, 1, 1, 1),
            (2, s("Org Admin"), 1, 1, 0, 1),
            (3, s("Creator"), 3, 2, 1, 2),
            (3, s("Org Admin"), 1, 1, 0, 1),
            (4, s("Creator"), 3, 3, 0, 3),
            (4, s("Org Admin"), 0, 0, 0, 0),
            (5, s("Creator"), 2, 2, 0, 2),
            (5, s("Org Admin"), 0, 0, 0, 0),
        ]
    );
    // Since day 3: only runs 3 to 5; a finding without a client counts under its ad account.
    let by_client: Vec<_> = history
        .trend(Some(GroupBy::Client), Some(day(3)))
        .unwrap()
        .iter()
        .map(row)
        .collect();
    assert_eq!(
        by_client,
        vec![
            (3, s("200"), 1, 0, 1, 0),
            (3, s("Acme"), 2, 2, 0, 2),
            (3, s("Beta"), 1, 1, 0, 1),
            (4, s("200"), 1, 1, 0, 1),
            (4, s("Acme"), 2, 2, 0, 2),
            (4, s("Beta"), 0, 0, 0, 0),
            (5, s("200"), 1, 1, 0, 1),
            (5, s("Acme"), 1, 1, 0, 1),
            (5, s("Beta"), 0, 0, 0, 0),
        ]
    );
    let by_cause: Vec<_> = history
        .trend(Some(GroupBy::Cause), Some(day(4)))
        .unwrap()
        .iter()
        .map(row)
        .collect();
    // Groups are those seen in the runs asked about, zero where a run lacks them.
    assert_eq!(
        by_cause,
        vec![
            (4, s("CODE_EXPIRED"), 2, 2, 0, 2),
            (4, s("CODE_REVOKED"), 1, 1, 0, 1),
            (5, s("CODE_EXPIRED"), 2, 2, 0, 2),
            (5, s("CODE_REVOKED"), 0, 0, 0, 0),
        ]
    );
}

#[test]
fn changes_list_what_broke_and_what_was_fixed_each_day() {
    let db = TempDb::new("changes");
    let (history, ids) = recorded(&db);
    let changes = history.changes(None).unwrap();
    type Day = (
        i64,
        Vec<(String, String, String)>,
        Vec<(String, String, String, i64, f64)>,
    );
    let got: Vec<Day> = changes
        .into_iter()
        .map(|c| {
            assert_eq!(c.previous_as_of, c.as_of - DAY);
            assert!(c
                .broken
                .iter()
                .all(|b| b.first_seen == c.as_of && b.days_to_fix.is_none()));
            (
                (c.as_of - DAY1) / DAY + 1,
                keys(c.broken.into_iter().map(|b| b.finding)),
                c.fixed
                    .into_iter()
                    .map(|x| {
                        let (a, p, cause) = k(x.finding);
                        (
                            a,
                            p,
                            cause,
                            (x.first_seen - DAY1) / DAY + 1,
                            x.days_to_fix.unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let fixed = |f: FindingRecord, first_day: i64, days: f64| {
        let (a, p, c) = k(f);
        (a, p, c, first_day, days)
    };
    assert_eq!(
        got,
        vec![
            (2, vec![k(c())], vec![fixed(e(), 1, 1.0)]),
            (3, vec![k(e()), k(f())], vec![fixed(b(), 1, 2.0)]),
            (
                4,
                vec![k(d())],
                vec![fixed(c(), 2, 2.0), fixed(f(), 3, 1.0)]
            ),
            (5, vec![], vec![fixed(e(), 3, 2.0)]),
        ]
    );
    let since = history.changes(Some(day(4))).unwrap();
    assert_eq!(since.len(), 2);
    assert_eq!((since[0].run, since[0].previous_run), (ids[3], ids[2]));
    // The class travels with the change.
    assert_eq!(since[0].broken[0].finding, d());
}

#[test]
fn open_findings_since_when_and_days_to_fix() {
    let db = TempDb::new("open");
    let (history, ids) = recorded(&db);
    let open = history.open_findings(false).unwrap();
    assert_eq!((open.run, open.as_of), (Some(ids[4]), Some(day(5))));
    let got: Vec<_> = open
        .findings
        .iter()
        .map(|o| (o.finding.clone(), o.since, o.days_open))
        .collect();
    assert_eq!(got, vec![(a(), day(1), 4.0), (d(), day(4), 1.0)]);
    let stats = |s: &[sparkcheck_history::FixStats]| -> Vec<(String, u64, f64, f64)> {
        s.iter()
            .map(|s| {
                (
                    s.group.clone(),
                    s.resolved,
                    s.median_days,
                    (s.p90_days * 1e6).round() / 1e6,
                )
            })
            .collect()
    };
    assert_eq!(
        stats(&open.fix_by_cause),
        vec![
            ("CODE_EXPIRING_SOON".into(), 1, 2.0, 2.0),
            ("CODE_REVOKED".into(), 2, 1.5, 1.9),
            ("NOT_SHARED_TO_BC".into(), 2, 1.5, 1.9),
        ]
    );
    assert_eq!(
        stats(&open.fix_by_owner),
        vec![
            ("Creator".into(), 3, 2.0, 2.0),
            ("Org Admin".into(), 2, 1.5, 1.9)
        ]
    );
    let json = serde_json::to_value(&open).unwrap();
    assert_eq!(json["findings"][0]["since"], "2026-11-16T00:00:00Z");
    assert_eq!(json["findings"][0]["handle"], "@maya");
}

#[test]
fn open_by_owner_groups_by_role_first() {
    let db = TempDb::new("open-owner");
    let mut history = History::open(&db.path).unwrap();
    for r in five_days().iter().take(3) {
        history.record(r).unwrap();
    }
    // Day 3 has A (since 1), C (since 2), E (since 3), F (since 3, Org Admin).
    let order = |history: &History, by_owner| -> Vec<_> {
        history
            .open_findings(by_owner)
            .unwrap()
            .findings
            .into_iter()
            .map(|o| (k(o.finding), (o.since - DAY1) / DAY + 1))
            .collect()
    };
    assert_eq!(
        order(&history, false),
        vec![(k(a()), 1), (k(c()), 2), (k(e()), 3), (k(f()), 3)]
    );
    assert_eq!(
        order(&history, true),
        vec![(k(a()), 1), (k(c()), 2), (k(e()), 3), (k(f()), 3)]
    );
    // Creator sorts before Org Admin; within a role, oldest first.
    history.record(&run(day(4), vec![f(), e()])).unwrap();
    assert_eq!(order(&history, false), vec![(k(e()), 3), (k(f()), 3)]);
    assert_eq!(order(&history, true), vec![(k(e()), 3), (k(f()), 3)]);
    history.record(&run(day(5), vec![f(), d()])).unwrap();
    assert_eq!(order(&history, false), vec![(k(f()), 3), (k(d()), 5)]);
    assert_eq!(order(&history, true), vec![(k(d()), 5), (k(f()), 3)]);
}

#[test]
fn first_seen_and_last_run_findings() {
    let db = TempDb::new("first-seen");
    let (history, ids) = recorded(&db);
    let seen: Vec<_> = history
        .first_seen()
        .unwrap()
        .into_iter()
        .map(|s| (s.finding, s.first_seen))
        .collect();
    assert_eq!(seen, vec![(a(), day(1)), (d(), day(4))]);
    let last = history.last_run_findings().unwrap().unwrap();
    assert_eq!((last.run, last.as_of), (ids[4], day(5)));
    assert_eq!(last.findings.len(), 2);
    // An older run: its findings and their streaks up to it.
    let day3 = history.run_findings(ids[2]).unwrap().unwrap();
    let got: Vec<_> = day3
        .findings
        .into_iter()
        .map(|s| (k(s.finding), (s.first_seen - DAY1) / DAY + 1))
        .collect();
    assert_eq!(
        got,
        vec![(k(a()), 1), (k(e()), 3), (k(c()), 2), (k(f()), 3)]
    );
    assert_eq!(history.run_findings(9_999).unwrap(), None);
}

#[test]
fn an_exported_run_is_the_recorded_run() {
    let db = TempDb::new("export");
    let (history, ids) = recorded(&db);
    for (id, mut record) in ids.into_iter().zip(five_days()) {
        record.findings.sort();
        assert_eq!(history.export_run(id).unwrap(), record);
    }
}

#[test]
fn an_empty_history_answers_with_nothing() {
    let db = TempDb::new("empty");
    let history = History::open(&db.path).unwrap();
    assert!(history.runs().unwrap().is_empty());
    assert!(history
        .trend(Some(GroupBy::Cause), None)
        .unwrap()
        .is_empty());
    assert!(history.changes(None).unwrap().is_empty());
    let open = history.open_findings(true).unwrap();
    assert_eq!((open.run, open.findings.len()), (None, 0));
    assert_eq!(history.last_run_findings().unwrap(), None);
    assert!(history.first_seen().unwrap().is_empty());
}

#[test]
fn runs_recorded_out_of_order_give_the_answers_of_runs_in_order() {
    let db = TempDb::new("in-order");
    let (history, _) = recorded(&db);
    let expected = answers(&history);
    for order in [
        [4, 2, 0, 3, 1],
        [1, 0, 2, 4, 3],
        [4, 3, 2, 1, 0],
        [2, 4, 0, 1, 3],
    ] {
        let shuffled = TempDb::new("shuffled");
        let mut other = History::open(&shuffled.path).unwrap();
        let days = five_days();
        for i in order {
            other.record(&days[i]).unwrap();
        }
        assert_eq!(answers(&other), expected, "recorded in the order {order:?}");
    }
}

#[test]
fn a_second_run_with_the_same_as_of_comes_after_the_first() {
    let db = TempDb::new("same-as-of");
    let mut history = History::open(&db.path).unwrap();
    let first = history.record(&run(day(1), vec![a(), b()])).unwrap();
    let second = history.record(&run(day(1), vec![a()])).unwrap();
    let runs = history.runs().unwrap();
    let got: Vec<_> = runs.iter().map(|r| (r.run, r.findings, r.fixed)).collect();
    assert_eq!(got, vec![(first, 2, None), (second, 1, Some(1))]);
    let changes = history.changes(None).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        keys(changes[0].fixed.iter().map(|c| c.finding.clone())),
        vec![k(b())]
    );
    assert_eq!(changes[0].fixed[0].days_to_fix, Some(0.0));
    // A later-recorded run of an earlier day still goes before both.
    history.record(&run(day(1) - DAY, vec![b()])).unwrap();
    let seen = history.first_seen().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].finding.clone(), seen[0].first_seen), (a(), day(1)));
}

#[test]
fn a_class_change_keeps_the_streak_and_shows_the_newest_class() {
    let db = TempDb::new("class");
    let mut history = History::open(&db.path).unwrap();
    history.record(&run(day(1), vec![c()])).unwrap();
    let mut renamed = c();
    renamed.severity = "error".into();
    renamed.handle = Some("@new.name".into());
    history.record(&run(day(2), vec![renamed.clone()])).unwrap();
    let open = history.open_findings(false).unwrap();
    assert_eq!(open.findings.len(), 1);
    assert_eq!(
        (open.findings[0].finding.clone(), open.findings[0].since),
        (renamed, day(1))
    );
    let runs = history.runs().unwrap();
    assert_eq!((runs[0].errors, runs[1].errors), (0, 1));
}

#[test]
fn a_run_with_a_finding_twice_is_refused_and_adds_nothing() {
    let db = TempDb::new("duplicate");
    let mut history = History::open(&db.path).unwrap();
    // Side by side (as in a sorted report) and apart (in any order).
    for findings in [vec![a(), a()], vec![a(), c(), b(), a()]] {
        let error = history.record(&run(day(1), findings)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the run has the finding (`100`, `p1`, `CODE_EXPIRED`) twice; hint: findings are keyed by ad account, post and cause"
        );
    }
    assert!(history.runs().unwrap().is_empty());
}
