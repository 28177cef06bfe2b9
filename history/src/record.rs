//! Recording a run: one immediate transaction that inserts the run, its inputs, coverage and
//! counts, and updates the streaks. Only what changed is written: a finding still present in
//! the newest run keeps its open streak untouched.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{params, Transaction, TransactionBehavior};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::{Error, FindingRecord, History, Result, RunId, RunRecord};

impl History {
    /// Records `run` in one transaction and returns its id. The run takes its place by as-of
    /// (ties: after the runs already recorded with that as-of); recorded out of order, the
    /// streaks around it are split or joined so every answer is as if it had come in order.
    /// Waits up to [`crate::BUSY_TIMEOUT`] for another writer.
    pub fn record(&mut self, run: &RunRecord) -> Result<RunId> {
        self.record_then(run, || {}).map(|(id, _)| id)
    }

    /// [`History::record`], also returning each finding's first seen (in `run.findings`'
    /// order): the as-of of the first run of the streak the finding is in once recorded.
    /// The transaction knows it already, so no second read of the run is needed.
    pub fn record_with_first_seen(&mut self, run: &RunRecord) -> Result<(RunId, Vec<i64>)> {
        self.record_then(run, || {})
    }

    /// [`History::record`], calling `before_commit` inside the transaction after every write
    /// and before the commit (the tests kill the process there).
    #[doc(hidden)]
    pub fn record_then(
        &mut self,
        run: &RunRecord,
        before_commit: impl FnOnce(),
    ) -> Result<(RunId, Vec<i64>)> {
        validate(run)?;
        let path = self.path.clone();
        let err = |e: rusqlite::Error| Error::sqlite(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let recorded = insert(&tx, run).map_err(err)?;
        before_commit();
        tx.commit().map_err(err)?;
        Ok(recorded)
    }
}

/// What a finished recording gives: the history again, the run's id and each finding's
/// first seen.
pub type Recorded = (History, RunId, Vec<i64>);

/// A run being recorded on a thread of its own: started before the audit reads its inputs
/// (see [`History::start_recording`]), finished with the run.
pub struct Recording {
    run: Option<SyncSender<RunRecord>>,
    thread: Option<JoinHandle<Result<Recorded>>>,
    /// The history, when no thread could be started (a process limit): the run is then
    /// recorded from scratch in [`Recording::finish`], as [`History::record`] does.
    here: Option<History>,
}

impl History {
    /// Starts recording a run of `as_of`: a thread opens a read transaction and reads what
    /// the append needs (the runs, the dictionaries, the open streaks) while the audit
    /// runs, then writes the run when [`Recording::finish`] hands it over. Nothing holds
    /// the write lock meanwhile: if another run commits first, the write fails on its old
    /// snapshot and the run is recorded again from scratch, waiting for the lock as
    /// [`History::record`] does. Dropping the recording (a failed audit) adds nothing.
    pub fn start_recording(self, as_of: i64) -> Recording {
        let (send, receive) = sync_channel(1);
        // A thread that fails to start drops its closure: the history is kept outside it.
        let slot = Arc::new(Mutex::new(Some((self, receive))));
        let on_thread = Arc::clone(&slot);
        let take = |slot: &Mutex<Option<(History, Receiver<RunRecord>)>>| {
            slot.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .expect("the history is taken once")
        };
        let started = std::thread::Builder::new().spawn(move || {
            let (mut history, receive) = take(&on_thread);
            let (id, first_seen) = history.record_prefetched(as_of, receive)?;
            Ok((history, id, first_seen))
        });
        match started {
            Ok(thread) => Recording {
                run: Some(send),
                thread: Some(thread),
                here: None,
            },
            Err(_) => Recording {
                run: None,
                thread: None,
                here: Some(take(&slot).0),
            },
        }
    }

    fn record_prefetched(
        &mut self,
        as_of: i64,
        receive: Receiver<RunRecord>,
    ) -> Result<(RunId, Vec<i64>)> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| Error::sqlite(&path, &e);
        let busy =
            |e: &rusqlite::Error| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
        let (run, recorded) = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(err)?;
            let preloaded = preload(&tx, as_of).map_err(err)?;
            let run = receive
                .recv()
                .map_err(|_| Error::new("the audit ended without a run to record".to_string()))?;
            validate(&run)?;
            let recorded = if run.as_of == as_of {
                match apply(&tx, &run, preloaded).and_then(|r| tx.commit().map(|()| r)) {
                    Ok(recorded) => Some(recorded),
                    Err(e) if busy(&e) => None,
                    Err(e) => return Err(err(e)),
                }
            } else {
                None
            };
            (run, recorded)
        };
        let recorded = match recorded {
            Some(recorded) => recorded,
            // Another run wrote since the snapshot (or the as-of moved): from scratch.
            None => self.record_then(&run, || {})?,
        };
        // Freeing a run's hundreds of thousands of strings takes longer than its commit:
        // done off the audit's path (the caller waits for this thread, not for that one).
        // (When no thread can be made, the run is freed here instead.)
        let _ = std::thread::Builder::new().spawn(move || drop(run));
        Ok(recorded)
    }
}

impl Recording {
    /// Hands the run over and waits for it to be written: the history again, the run's
    /// id and each finding's first seen (as [`History::record_with_first_seen`]).
    pub fn finish(mut self, run: RunRecord) -> Result<Recorded> {
        if let Some(mut history) = self.here.take() {
            let (id, first_seen) = history.record_with_first_seen(&run)?;
            return Ok((history, id, first_seen));
        }
        let sender = self.run.take().expect("finished once");
        // A send fails only when the thread has already ended with an error: join says it.
        let _ = sender.send(run);
        drop(sender);
        self.thread
            .take()
            .expect("finished once")
            .join()
            .unwrap_or_else(|_| Err(Error::new("the history thread panicked".to_string())))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        // Without a run the thread rolls back at once.
        self.run.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn finding_key(f: &FindingRecord) -> (&str, &str, &str) {
    (&f.advertiser_id, &f.post_id, &f.cause)
}

fn validate(run: &RunRecord) -> Result<()> {
    let key = finding_key;
    let twice = |f: &FindingRecord| {
        Error::new(format!(
            "the run has the finding (`{}`, `{}`, `{}`) twice; hint: findings are keyed by ad account, post and cause",
            f.advertiser_id, f.post_id, f.cause
        ))
    };
    // A report's findings come sorted by key: then a repeat is a neighbour, found without
    // hashing every key.
    if run.findings.is_sorted_by_key(key) {
        return match run.findings.windows(2).find(|w| key(&w[0]) == key(&w[1])) {
            Some(w) => Err(twice(&w[1])),
            None => Ok(()),
        };
    }
    let mut seen = FxHashSet::default();
    for f in &run.findings {
        if !seen.insert(key(f)) {
            return Err(twice(f));
        }
    }
    Ok(())
}

/// A text dictionary (`id INTEGER PRIMARY KEY, name TEXT UNIQUE`), held in memory.
///
/// Most names are TikTok's numeric ids (ad accounts, posts): those are held by their value,
/// which costs no allocation to load and no string hashing to look up. The names come from
/// clients' files, so both maps hash with a seed drawn per run: with FxHash, 80,000 ids
/// crafted to share a bucket took 6.2 s to record (0.62 s for random ids), and every later
/// run paid again to load them.
struct Dict {
    table: &'static str,
    numbers: SeededMap<u64>,
    texts: SeededMap<String>,
    /// The last name asked for and its id: findings come sorted, so names repeat in a row.
    last: (String, i64),
}

type SeededMap<K> = std::collections::HashMap<K, i64, foldhash::fast::RandomState>;

/// The value of a name that is a plain decimal number (1 to 19 digits, no leading zero),
/// which it then stands for exactly.
fn number(name: &str) -> Option<u64> {
    let bytes = name.as_bytes();
    let plain = !bytes.is_empty()
        && bytes.len() <= 19
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes[0] != b'0' || bytes.len() == 1);
    plain.then(|| {
        bytes
            .iter()
            .fold(0u64, |value, &digit| value * 10 + u64::from(digit - b'0'))
    })
}

impl Dict {
    fn load(tx: &Transaction, table: &'static str) -> rusqlite::Result<Dict> {
        let mut dict = Dict {
            table,
            numbers: SeededMap::default(),
            texts: SeededMap::default(),
            last: (String::new(), 0),
        };
        let mut stmt = tx.prepare(&format!("SELECT name, id FROM {table}"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let name = row.get_ref(0)?.as_str()?;
            let id = row.get_ref(1)?.as_i64()?;
            dict.insert(name, id);
        }
        Ok(dict)
    }

    fn insert(&mut self, name: &str, id: i64) {
        match number(name) {
            Some(value) => self.numbers.insert(value, id),
            None => self.texts.insert(name.to_owned(), id),
        };
    }

    fn get(&self, name: &str) -> Option<i64> {
        match number(name) {
            Some(value) => self.numbers.get(&value).copied(),
            None => self.texts.get(name).copied(),
        }
    }

    fn id(&mut self, tx: &Transaction, name: &str) -> rusqlite::Result<i64> {
        if self.last.1 != 0 && self.last.0 == name {
            return Ok(self.last.1);
        }
        let id = match self.get(name) {
            Some(id) => id,
            None => {
                tx.prepare_cached(&format!("INSERT INTO {} (name) VALUES (?1)", self.table))?
                    .execute([name])?;
                let id = tx.last_insert_rowid();
                self.insert(name, id);
                id
            }
        };
        self.last.0.clear();
        self.last.0.push_str(name);
        self.last.1 = id;
        Ok(id)
    }

    fn optional(&mut self, tx: &Transaction, name: Option<&str>) -> rusqlite::Result<Option<i64>> {
        name.map(|name| self.id(tx, name)).transpose()
    }
}

/// A streak's class: the ids of its newest run's severity, owner, handle and client.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Class {
    severity: i64,
    owner: i64,
    handle: Option<i64>,
    client: Option<i64>,
}

/// A stored streak, with its finding's key.
struct Known {
    id: i64,
    key: Key,
    first: RunId,
    last: Option<RunId>,
    class: Class,
}

/// A finding's key as dictionary ids: (advertiser, post, cause).
type Key = (i64, i64, i64);

const KNOWN: &str = "SELECT s.id, s.advertiser, s.post, s.cause, s.last_run,
        s.severity, s.owner_role, s.handle, s.client, s.first_run FROM streak s";
const KNOWN_SCAN: &str = "SELECT s.id, s.advertiser, s.post, s.cause, s.last_run,
        s.severity, s.owner_role, s.handle, s.client, s.first_run FROM streak s NOT INDEXED";

fn known(
    tx: &Transaction,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Vec<Known>> {
    let mut stmt = tx.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let mut known = Vec::new();
    // Borrowed column reads: this loop reads every open streak on each append.
    while let Some(row) = rows.next()? {
        let int = |i| row.get_ref(i).and_then(|v| Ok(v.as_i64()?));
        let optional = |i| row.get_ref(i).and_then(|v| Ok(v.as_i64_or_null()?));
        known.push(Known {
            id: int(0)?,
            key: (int(1)?, int(2)?, int(3)?),
            first: int(9)?,
            last: optional(4)?,
            class: Class {
                severity: int(5)?,
                owner: int(6)?,
                handle: optional(7)?,
                client: optional(8)?,
            },
        });
    }
    Ok(known)
}

#[derive(Default)]
struct Counts {
    findings: u64,
    errors: u64,
    warnings: u64,
    broken: u64,
}

impl Counts {
    fn add(&mut self, f: &FindingRecord) {
        self.findings += 1;
        match f.severity.as_str() {
            "error" => self.errors += 1,
            "warning" => self.warnings += 1,
            _ => {}
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.findings += other.findings;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.broken += other.broken;
    }
}

/// The run's counts, overall and per cause, owner role and client: findings by severity,
/// and broken posts ((ad account, post) pairs with an error finding, in the group).
fn counts(findings: &[FindingRecord]) -> (Counts, [FxHashMap<&str, Counts>; 3]) {
    fn group(f: &FindingRecord, dimension: usize) -> &str {
        match dimension {
            0 => &f.cause,
            1 => &f.owner_role,
            _ => f.client_or_account(),
        }
    }
    fn pair(f: &FindingRecord) -> (&str, &str) {
        (&f.advertiser_id, &f.post_id)
    }
    let mut total = Counts::default();
    let mut by: [FxHashMap<&str, Counts>; 3] = Default::default();
    // Per dimension, the last group and its counts so far (names repeat in a row).
    let mut last: [Option<(&str, Counts)>; 3] = Default::default();
    for f in findings {
        total.add(f);
        for (dimension, (groups, last)) in by.iter_mut().zip(&mut last).enumerate() {
            let g = group(f, dimension);
            match last {
                Some((name, counts)) if *name == g => counts.add(f),
                _ => {
                    if let Some((name, counts)) = last.take() {
                        groups.entry(name).or_default().merge(&counts);
                    }
                    let mut counts = Counts::default();
                    counts.add(f);
                    *last = Some((g, counts));
                }
            }
        }
    }
    for (groups, last) in by.iter_mut().zip(last) {
        if let Some((name, counts)) = last {
            groups.entry(name).or_default().merge(&counts);
        }
    }
    // Broken posts: walk the findings pair by pair (the report gives them sorted; sort
    // otherwise) and count each pair once per group it has an error finding in.
    let mut order: Vec<&FindingRecord> = findings.iter().collect();
    if !order.is_sorted_by_key(|f| pair(f)) {
        order.sort_by_key(|f| pair(f));
    }
    let mut seen: Vec<&str> = Vec::new();
    for same in order.chunk_by(|x, y| pair(x) == pair(y)) {
        let errors: Vec<&FindingRecord> = same
            .iter()
            .copied()
            .filter(|f| f.severity == "error")
            .collect();
        if errors.is_empty() {
            continue;
        }
        total.broken += 1;
        for (dimension, groups) in by.iter_mut().enumerate() {
            seen.clear();
            for f in &errors {
                let g = group(f, dimension);
                if !seen.contains(&g) {
                    seen.push(g);
                    groups.get_mut(g).expect("counted above").broken += 1;
                }
            }
        }
    }
    (total, by)
}

/// What recording a run of a given as-of reads before it writes: the runs in order, the
/// run's neighbours, the dictionaries and the streaks that touch its place. Read while
/// the audit still runs (see [`History::start_recording`]), it takes the reads off the
/// run's end.
struct Preloaded {
    order: Vec<(RunId, i64)>,
    pred: Option<RunId>,
    succ: Option<RunId>,
    advertisers: Dict,
    posts: Dict,
    causes: Dict,
    severities: Dict,
    owners: Dict,
    handles: Dict,
    clients: Dict,
    covering: Vec<Known>,
    starting: Vec<Known>,
}

fn preload(tx: &Transaction, as_of: i64) -> rusqlite::Result<Preloaded> {
    // The runs before this one, in order, and this one's neighbours in that order.
    let order: Vec<(RunId, i64)> = {
        let mut stmt = tx.prepare("SELECT id, as_of FROM run ORDER BY as_of, id")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let split = order.partition_point(|&(_, a)| a <= as_of);
    let pred = split.checked_sub(1).map(|i| order[i].0);
    let succ = order.get(split).map(|&(id, _)| id);
    // The streaks that touch the new run's place: those covering its predecessor (when it is
    // the newest, the open ones), and those starting at its successor.
    let covering = match (pred, succ) {
        (None, _) => Vec::new(),
        // Most streaks are open: a plain scan of the table.
        (Some(_), None) => known(tx, &format!("{KNOWN_SCAN} WHERE s.last_run IS NULL"), [])?,
        (Some(_), Some(_)) => known(
            tx,
            &format!(
                "WITH o AS (SELECT id, row_number() OVER (ORDER BY as_of, id) AS pos FROM run)
                {KNOWN} JOIN o fo ON fo.id = s.first_run LEFT JOIN o lo ON lo.id = s.last_run
                WHERE fo.pos <= ?1 AND (s.last_run IS NULL OR lo.pos >= ?1)"
            ),
            params![split as i64],
        )?,
    };
    let starting = match succ {
        Some(succ) => known(tx, &format!("{KNOWN} WHERE s.first_run = ?1"), [succ])?,
        None => Vec::new(),
    };
    Ok(Preloaded {
        order,
        pred,
        succ,
        advertisers: Dict::load(tx, "advertiser")?,
        posts: Dict::load(tx, "post")?,
        causes: Dict::load(tx, "cause")?,
        severities: Dict::load(tx, "severity")?,
        owners: Dict::load(tx, "owner_role")?,
        handles: Dict::load(tx, "handle")?,
        clients: Dict::load(tx, "client")?,
        covering,
        starting,
    })
}

/// Inserts the run; returns its id and each finding's first seen (see
/// [`History::record_with_first_seen`]).
fn insert(tx: &Transaction, run: &RunRecord) -> rusqlite::Result<(RunId, Vec<i64>)> {
    let preloaded = preload(tx, run.as_of)?;
    apply(tx, run, preloaded)
}

/// Writes the run over what [`preload`] read in the same transaction.
fn apply(
    tx: &Transaction,
    run: &RunRecord,
    preloaded: Preloaded,
) -> rusqlite::Result<(RunId, Vec<i64>)> {
    let Preloaded {
        order,
        pred,
        succ,
        mut advertisers,
        mut posts,
        mut causes,
        mut severities,
        mut owners,
        mut handles,
        mut clients,
        covering,
        starting,
    } = preloaded;

    // Counts, exact per run.
    let (total, by) = counts(&run.findings);
    tx.execute(
        "INSERT INTO run (as_of, started_at, policy, sparkcheck_version, config_hash,
            pairs_audited, findings, errors, warnings, broken_posts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run.as_of,
            run.started_at,
            run.policy,
            run.sparkcheck_version,
            run.config_hash,
            run.pairs_audited,
            total.findings,
            total.errors,
            total.warnings,
            total.broken,
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut stmt = tx.prepare(
            "INSERT INTO run_input (run, ordinal, path, kind, rows, imported, rejected, content_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (ordinal, input) in run.inputs.iter().enumerate() {
            stmt.execute(params![
                id,
                ordinal as i64,
                input.path,
                input.kind,
                input.rows,
                input.imported,
                input.rejected,
                input.content_hash
            ])?;
        }
        let mut stmt = tx.prepare(
            "INSERT INTO run_count (run, dimension, grp, findings, errors, warnings, broken_posts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (dimension, groups) in ["cause", "owner", "client"].iter().zip(&by) {
            for (group, c) in groups {
                stmt.execute(params![
                    id, dimension, group, c.findings, c.errors, c.warnings, c.broken
                ])?;
            }
        }
    }

    {
        let mut stmt =
            tx.prepare("INSERT INTO run_coverage (run, cause, status) VALUES (?1, ?2, ?3)")?;
        for (cause, status) in &run.coverage {
            stmt.execute(params![id, causes.id(tx, cause)?, status])?;
        }
    }

    fn index(streaks: &[Known]) -> FxHashMap<Key, usize> {
        streaks
            .iter()
            .enumerate()
            .map(|(i, k)| (k.key, i))
            .collect()
    }
    let covering_index = index(&covering);
    let starting_index = index(&starting);
    // A covering streak ends at the predecessor unless it runs on past it.
    let ends_at_pred = |k: &Known| k.last == pred || (k.last.is_none() && succ.is_none());

    let mut update_class = tx.prepare(
        "UPDATE streak SET last_run = ?2, severity = ?3, owner_role = ?4, handle = ?5, client = ?6
         WHERE id = ?1",
    )?;
    let mut insert_streak = tx.prepare(
        "INSERT INTO streak (advertiser, post, cause, first_run, last_run,
            severity, owner_role, handle, client)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut present = vec![false; covering.len()];
    let as_of_of: FxHashMap<RunId, i64> = order.iter().copied().collect();
    // A finding in a covering streak is seen since that streak's first run (also when a
    // gap is filled: the earlier streak absorbs the later one); any other since this run.
    let mut first_seen = Vec::with_capacity(run.findings.len());
    for f in &run.findings {
        let advertiser = advertisers.id(tx, &f.advertiser_id)?;
        let cause = causes.id(tx, &f.cause)?;
        let class = Class {
            severity: severities.id(tx, &f.severity)?,
            owner: owners.id(tx, &f.owner_role)?,
            handle: handles.optional(tx, f.handle.as_deref())?,
            client: clients.optional(tx, f.client.as_deref())?,
        };
        let key = (advertiser, posts.id(tx, &f.post_id)?, cause);
        let c = covering_index.get(&key).copied();
        let s = starting_index.get(&key).copied();
        first_seen.push(
            c.and_then(|c| as_of_of.get(&covering[c].first).copied())
                .unwrap_or(run.as_of),
        );
        match (c, s) {
            (Some(c), s) => {
                present[c] = true;
                let k = &covering[c];
                if !ends_at_pred(k) {
                    continue; // it already spans the new run's place
                }
                match (succ, s) {
                    // Appended: the open streak stays open, with the newest class.
                    (None, _) => {
                        if k.class != class || k.last.is_some() {
                            update_class.execute(params![
                                k.id,
                                None::<i64>,
                                class.severity,
                                class.owner,
                                class.handle,
                                class.client
                            ])?;
                        }
                    }
                    // Fills the gap between two streaks: they become one.
                    (Some(_), Some(s)) => {
                        let later = &starting[s];
                        update_class.execute(params![
                            k.id,
                            later.last,
                            later.class.severity,
                            later.class.owner,
                            later.class.handle,
                            later.class.client
                        ])?;
                        tx.prepare_cached("DELETE FROM streak WHERE id = ?1")?
                            .execute([later.id])?;
                    }
                    (Some(_), None) => {
                        update_class.execute(params![
                            k.id,
                            id,
                            class.severity,
                            class.owner,
                            class.handle,
                            class.client
                        ])?;
                    }
                }
            }
            (None, Some(s)) => {
                tx.prepare_cached("UPDATE streak SET first_run = ?2 WHERE id = ?1")?
                    .execute([starting[s].id, id])?;
            }
            (None, None) => {
                let last = succ.map(|_| id);
                insert_streak.execute(params![
                    key.0,
                    key.1,
                    key.2,
                    id,
                    last,
                    class.severity,
                    class.owner,
                    class.handle,
                    class.client
                ])?;
            }
        }
    }
    // Covering streaks the new run lacks: they end at the predecessor (and resume after).
    for (k, _) in covering.iter().zip(&present).filter(|(_, &p)| !p) {
        if ends_at_pred(k) {
            if k.last.is_none() {
                tx.prepare_cached("UPDATE streak SET last_run = ?2 WHERE id = ?1")?
                    .execute(params![k.id, pred])?;
            }
        } else {
            tx.prepare_cached("UPDATE streak SET last_run = ?2 WHERE id = ?1")?
                .execute(params![k.id, pred])?;
            insert_streak.execute(params![
                k.key.0,
                k.key.1,
                k.key.2,
                succ,
                k.last,
                k.class.severity,
                k.class.owner,
                k.class.handle,
                k.class.client
            ])?;
        }
    }
    Ok((id, first_seen))
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn only_plain_decimal_names_are_held_as_numbers() {
        assert_eq!(
            number("7301000000000000015"),
            Some(7_301_000_000_000_000_015)
        );
        assert_eq!(number("0"), Some(0));
        assert_eq!(
            number("9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        // Each of these must keep its own entry, apart from any number.
        for text in [
            "",
            "07",
            "00",
            "12345678901234567890",
            "7e5",
            "+7",
            " 7",
            "７",
            "@c",
        ] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }
}
