//! Concurrent writers, killed writers, and files that are not ours.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use sparkcheck_history::History;

const CHILD: &str = "SPARKCHECK_HISTORY_TEST_CHILD";
const DB: &str = "SPARKCHECK_HISTORY_TEST_DB";

/// Runs this test binary again as a writer process doing `mode`.
fn child(mode: &str, db: &TempDb) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "child_writer",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, mode)
        .env(DB, &db.path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// Not a test of its own: the body of the writer processes the other tests start.
#[test]
fn child_writer() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let path = std::env::var(DB).unwrap();
    let mut history = History::open(&path).unwrap();
    let days = five_days();
    match mode.as_str() {
        // Odd or even days of a ten-day sequence, one run at a time.
        "odd" | "even" => {
            let start = if mode == "odd" { 1 } else { 2 };
            for n in (start..=10).step_by(2) {
                let mut r = days[(n as usize - 1) % 5].clone();
                r.as_of = day(n);
                history.record(&r).unwrap();
            }
        }
        "abort" => {
            history
                .record_then(&days[1], || std::process::abort())
                .unwrap();
        }
        "hang" => {
            history
                .record_then(&days[1], || {
                    std::fs::write(format!("{path}.inside"), b"").unwrap();
                    std::thread::sleep(Duration::from_secs(120));
                })
                .unwrap();
        }
        other => panic!("unknown child mode {other}"),
    }
}

#[test]
fn two_processes_appending_at_once_both_land() {
    let db = TempDb::new("concurrent");
    History::open(&db.path).unwrap();
    let mut odd = child("odd", &db).spawn().unwrap();
    let mut even = child("even", &db).spawn().unwrap();
    assert!(odd.wait().unwrap().success());
    assert!(even.wait().unwrap().success());

    let history = History::open(&db.path).unwrap();
    assert_eq!(history.integrity_check().unwrap(), "ok");
    let days: Vec<i64> = history.runs().unwrap().iter().map(|r| r.as_of).collect();
    assert_eq!(days, (1..=10).map(day).collect::<Vec<_>>());
    // However the appends interleaved, the answers are those of the runs in order.
    let sequential = TempDb::new("sequential");
    let mut expected = History::open(&sequential.path).unwrap();
    for n in 1..=10 {
        let mut r = five_days()[(n as usize - 1) % 5].clone();
        r.as_of = day(n);
        expected.record(&r).unwrap();
    }
    assert_eq!(answers(&history), answers(&expected));
}

#[test]
fn two_threads_appending_at_once_both_land() {
    let db = TempDb::new("threads");
    History::open(&db.path).unwrap();
    let writers: Vec<_> = (0..2)
        .map(|t| {
            let path = db.path.clone();
            std::thread::spawn(move || {
                let mut history = History::open(&path).unwrap();
                for n in 0..10 {
                    history
                        .record(&run(day(1 + 2 * n + t), vec![a(), c()]))
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let history = History::open(&db.path).unwrap();
    assert_eq!(history.integrity_check().unwrap(), "ok");
    assert_eq!(history.runs().unwrap().len(), 20);
    let open = history.open_findings(false).unwrap();
    assert!(open.findings.iter().all(|f| f.since == day(1)));
    assert!(history
        .changes(None)
        .unwrap()
        .iter()
        .all(|c| c.broken.is_empty() && c.fixed.is_empty()));
}

#[test]
fn a_writer_that_aborts_inside_its_transaction_adds_nothing() {
    let db = TempDb::new("abort");
    let mut history = History::open(&db.path).unwrap();
    history.record(&five_days()[0]).unwrap();
    let before = answers(&history);
    drop(history);

    let status = child("abort", &db).status().unwrap();
    assert!(!status.success(), "the child should have died");

    let mut history = History::open(&db.path).unwrap();
    assert_eq!(history.integrity_check().unwrap(), "ok");
    assert_eq!(answers(&history), before);
    // And the next run lands.
    history.record(&five_days()[1]).unwrap();
    assert_eq!(history.runs().unwrap().len(), 2);
}

#[test]
fn a_writer_killed_inside_its_transaction_adds_nothing_and_frees_the_lock() {
    let db = TempDb::new("kill");
    let mut history = History::open(&db.path).unwrap();
    history.record(&five_days()[0]).unwrap();
    let before = answers(&history);

    let mut writer = child("hang", &db).spawn().unwrap();
    let inside = std::path::PathBuf::from(format!("{}.inside", db.path.display()));
    let started = Instant::now();
    while !inside.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child never got inside"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Readers still see the last committed state while the writer holds its transaction.
    assert_eq!(answers(&history), before);
    writer.kill().unwrap(); // SIGKILL
    writer.wait().unwrap();

    assert_eq!(history.integrity_check().unwrap(), "ok");
    assert_eq!(answers(&history), before);
    history.record(&five_days()[2]).unwrap();
    assert_eq!(history.runs().unwrap().len(), 2);
    drop(history);
    let reopened = History::open(&db.path).unwrap();
    assert_eq!(reopened.integrity_check().unwrap(), "ok");
    assert_eq!(reopened.runs().unwrap().len(), 2);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_by_name() {
    let db = TempDb::new("not-sqlite");
    std::fs::write(&db.path, "advertiser_id,post_id\n1,2\n".repeat(100)).unwrap();
    let error = History::open(&db.path).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "`{}` is not a sparkcheck history database (not an SQLite file); hint: name a new file or one `--history` wrote",
            db.path.display()
        )
    );
    assert!(!error.contains('\n'));
}

#[test]
fn another_applications_database_is_refused() {
    let db = TempDb::new("foreign");
    let other = rusqlite::Connection::open(&db.path).unwrap();
    other
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(other);
    let error = History::open(&db.path).unwrap_err().to_string();
    assert!(
        error.ends_with("is not a sparkcheck history database (an SQLite database of another application); hint: name a new file or one `--history` wrote"),
        "{error}"
    );
    // Untouched.
    let other = rusqlite::Connection::open(&db.path).unwrap();
    let x: i64 = other
        .query_row("SELECT x FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, 1);
}

#[test]
fn a_database_from_a_newer_sparkcheck_is_refused() {
    let db = TempDb::new("newer");
    History::open(&db.path).unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let error = History::open(&db.path).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "`{}` was written by a newer sparkcheck (history schema 99, this one reads up to 1); hint: upgrade sparkcheck",
            db.path.display()
        )
    );
}

#[test]
fn a_new_database_is_versioned_in_wal_mode_and_reopens() {
    let db = TempDb::new("fresh");
    let mut history = History::open(&db.path).unwrap();
    assert_eq!(
        history.schema_version().unwrap(),
        sparkcheck_history::schema_version()
    );
    history.record(&five_days()[0]).unwrap();
    drop(history);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        (mode.as_str(), app),
        ("wal", sparkcheck_history::APPLICATION_ID)
    );
    drop(conn);
    let history = History::open_existing(&db.path).unwrap();
    assert_eq!(history.runs().unwrap().len(), 1);
}

#[test]
fn reading_a_missing_database_is_an_error_and_creates_nothing() {
    let db = TempDb::new("missing");
    let error = History::open_existing(&db.path).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "no history database at `{0}`; hint: `sparkcheck audit ... --history {0}` creates it",
            db.path.display()
        )
    );
    assert!(!db.path.exists());
    let nowhere = db.dir.join("no/such/folder/history.db");
    let error = History::open(&nowhere).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "cannot open history database `{}`: ",
            nowhere.display()
        )),
        "{error}"
    );
    assert!(
        error.ends_with("; hint: does its folder exist and is it writable?"),
        "{error}"
    );
}

/// A recording started before the audit reads its inputs holds no lock: another run that
/// commits meanwhile lands, and the started run is then recorded from scratch, giving the
/// answers of the two recorded one after the other. A recording dropped adds nothing.
#[test]
fn a_started_recording_survives_another_run_landing_first_and_a_dropped_one_adds_nothing() {
    let db = TempDb::new("started");
    let days = five_days();
    {
        let mut history = History::open(&db.path).unwrap();
        history.record(&days[0]).unwrap();
    }
    // Day 3's audit starts (its reads done on its thread), day 2 lands meanwhile.
    let started = History::open(&db.path)
        .unwrap()
        .start_recording(days[2].as_of);
    std::thread::sleep(Duration::from_millis(100));
    History::open(&db.path).unwrap().record(&days[1]).unwrap();
    let (history, _, first_seen) = started.finish(days[2].clone()).unwrap();
    assert_eq!(first_seen.len(), days[2].findings.len());

    let expected = TempDb::new("started-expected");
    let mut in_order = History::open(&expected.path).unwrap();
    for r in &days[..3] {
        in_order.record(r).unwrap();
    }
    assert_eq!(answers(&history), answers(&in_order));
    assert_eq!(history.runs().unwrap().len(), 3);

    // An audit that fails drops its recording: nothing is added.
    drop(
        History::open(&db.path)
            .unwrap()
            .start_recording(days[3].as_of),
    );
    assert_eq!(History::open(&db.path).unwrap().runs().unwrap().len(), 3);
    assert_eq!(history.integrity_check().unwrap(), "ok");
}
