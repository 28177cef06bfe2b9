//! sparkcheck's audit history: every recorded run in one embedded SQLite database, and the
//! questions asked of it (runs, trends, changes, what is open and since when, time to fix).
//!
//! This crate is the only place that knows the database: it takes plain Rust values in
//! ([`RunRecord`]) and gives plain, serialisable values out, so another backend (a shared
//! PostgreSQL server) could replace it behind the same API. The schema, the streak model and
//! the guarantees are described in `docs/history.md`.
//!
//! A finding is identified by (ad account, post, cause), as `--baseline` keys them. The store
//! keeps one *streak* per stretch of consecutive runs (in as-of order) a finding is present
//! in, not one row per finding per run: a nightly append writes only what changed.

mod query;
mod record;
mod schema;
pub mod time;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::{Deserialize, Serialize};

pub use query::{
    Change, FixStats, GroupBy, OpenFinding, OpenReport, RunChanges, RunFindings, RunSummary,
    SeenFinding, TrendPoint,
};
pub use record::Recording;
pub use schema::APPLICATION_ID;

/// A run's id in the database (its recording order; the run order is by as-of).
pub type RunId = i64;

/// How long a writer waits for another one (an overlapping cron run) before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// One audit run, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The evaluation instant (unix seconds): the run's place in the history.
    pub as_of: i64,
    /// When the run started, wall clock (unix seconds).
    pub started_at: i64,
    /// The policy evaluated (`preview`, `delivery`).
    pub policy: String,
    /// The sparkcheck version that ran.
    pub sparkcheck_version: String,
    /// A hash of the configuration, when one was used.
    pub config_hash: Option<String>,
    /// (ad account, post) pairs audited, the denominator of broken posts.
    pub pairs_audited: u64,
    /// The files read.
    pub inputs: Vec<InputRecord>,
    /// Each cause code: `checked` or `not checked: <why>`.
    pub coverage: BTreeMap<String, String>,
    /// Every finding (unique per advertiser_id, post_id, cause).
    pub findings: Vec<FindingRecord>,
}

/// One input file of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// As named on the command line or found under a named folder.
    pub path: String,
    /// `ads`, `bc`, `codes`, `links`, ...
    pub kind: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that became facts.
    pub imported: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// A hash of the file's bytes, when known.
    pub content_hash: Option<String>,
}

/// One finding of a run: its key (advertiser_id, post_id, cause) and its class.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The cause code.
    pub cause: String,
    /// `error` or `warning`; a post with an `error` finding is broken.
    pub severity: String,
    /// Who must fix it.
    pub owner_role: String,
    /// The creator's handle, when known.
    pub handle: Option<String>,
    /// The client: the ad account's name in the ads export, when given.
    pub client: Option<String>,
}

impl FindingRecord {
    /// The client it counts under: its account name, else its ad account (as the report's
    /// `by_client` does).
    pub fn client_or_account(&self) -> &str {
        self.client.as_deref().unwrap_or(&self.advertiser_id)
    }
}

/// A history error: one line, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    fn new(message: String) -> Error {
        Error { message }
    }

    fn sqlite(path: &Path, error: &rusqlite::Error) -> Error {
        let text = error.to_string();
        let text = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        Error::new(format!("history database `{}`: {text}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A `Result` with a history [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("History").field("path", &self.path).finish()
    }
}

impl History {
    /// Opens the database at `path`, creating it when missing and migrating it to this
    /// build's schema. A file that is not a sparkcheck history database, or one written by a
    /// newer sparkcheck, is an error naming it.
    pub fn open(path: impl AsRef<Path>) -> Result<History> {
        History::open_with(path.as_ref(), true)
    }

    /// Opens an existing database (for reading answers): a missing file is an error instead
    /// of a new, empty history.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<History> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::new(format!(
                "no history database at `{}`; hint: `sparkcheck audit ... --history {}` creates it",
                path.display(),
                path.display()
            )));
        }
        History::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<History> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            Error::new(format!(
                "cannot open history database `{}`: {}; hint: does its folder exist and is it writable?",
                path.display(),
                e.to_string().trim_end_matches('.')
            ))
        })?;
        let mut history = History {
            conn,
            path: path.to_path_buf(),
        };
        history.prepare()?;
        Ok(history)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, error: rusqlite::Error) -> Error {
        Error::sqlite(&self.path, &error)
    }

    fn not_ours(&self, why: &str) -> Error {
        Error::new(format!(
            "`{}` is not a sparkcheck history database ({why}); hint: name a new file or one `--history` wrote",
            self.path.display()
        ))
    }

    /// Checks the file is ours, sets the connection up, and migrates.
    fn prepare(&mut self) -> Result<()> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        let (application_id, version, tables) = match self.identity() {
            Ok(identity) => identity,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                return Err(self.not_ours("not an SQLite file"));
            }
            Err(e) => return Err(self.err(e)),
        };
        if application_id != APPLICATION_ID && (application_id != 0 || version != 0 || tables != 0)
        {
            return Err(self.not_ours("an SQLite database of another application"));
        }
        if version > schema::latest() {
            return Err(Error::new(format!(
                "`{}` was written by a newer sparkcheck (history schema {version}, this one reads up to {}); hint: upgrade sparkcheck",
                self.path.display(),
                schema::latest()
            )));
        }
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(format!(
                "history database `{}`: cannot use write-ahead logging (journal mode is {mode}); hint: keep it on a local disk",
                self.path.display()
            )));
        }
        self.conn
            .execute_batch(
                "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| self.err(e))?;
        if version < schema::latest() {
            self.migrate()?;
        }
        Ok(())
    }

    fn identity(&self) -> rusqlite::Result<(i64, i64, i64)> {
        let application_id = self
            .conn
            .query_row("PRAGMA application_id", [], |row| row.get(0))?;
        let version = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let tables = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
        Ok((application_id, version, tables))
    }

    /// Applies the missing migrations in one immediate transaction; a concurrent opener
    /// waits and then finds nothing left to do.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| Error::sqlite(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(err)?;
        for (i, migration) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration).map_err(err)?;
            tx.execute_batch(&format!(
                "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
                i + 1
            ))
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// The schema version of the file (after [`History::open`], this build's).
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.err(e))
    }

    /// `PRAGMA integrity_check`: `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.err(e))?;
        let lines: Vec<String> = stmt
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        Ok(lines.join("; "))
    }

    /// Replays every run of `other` into this database (a merge): each run lands where its
    /// as-of puts it. Returns the new runs' ids in this database.
    pub fn import(&mut self, other: &History) -> Result<Vec<RunId>> {
        let mut ids = Vec::new();
        for run in other.runs()? {
            let record = other.export_run(run.run)?;
            ids.push(self.record(&record)?);
        }
        Ok(ids)
    }
}

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    schema::latest()
}
