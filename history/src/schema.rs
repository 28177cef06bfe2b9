//! The schema and its migrations. `PRAGMA user_version` is the number of migrations applied;
//! `PRAGMA application_id` marks the file as a sparkcheck history database.

/// `SPKH`: set by the first migration, checked on every open.
pub const APPLICATION_ID: i64 = 0x5350_4B48;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only: never edit one
/// that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: runs, their inputs, coverage and counts; dictionaries; the findings' streaks.
    "
    CREATE TABLE run (
        id                 INTEGER PRIMARY KEY,
        as_of              INTEGER NOT NULL,
        started_at         INTEGER NOT NULL,
        policy             TEXT    NOT NULL,
        sparkcheck_version TEXT    NOT NULL,
        config_hash        TEXT,
        pairs_audited      INTEGER NOT NULL,
        findings           INTEGER NOT NULL,
        errors             INTEGER NOT NULL,
        warnings           INTEGER NOT NULL,
        broken_posts       INTEGER NOT NULL
    );
    CREATE INDEX run_order ON run (as_of, id);

    CREATE TABLE run_input (
        run          INTEGER NOT NULL REFERENCES run (id),
        ordinal      INTEGER NOT NULL,
        path         TEXT    NOT NULL,
        kind         TEXT    NOT NULL,
        rows         INTEGER NOT NULL,
        imported     INTEGER NOT NULL,
        rejected     INTEGER NOT NULL,
        content_hash TEXT,
        PRIMARY KEY (run, ordinal)
    ) WITHOUT ROWID;

    CREATE TABLE advertiser (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE post       (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE cause      (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE severity   (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE owner_role (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE handle     (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE client     (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

    CREATE TABLE run_coverage (
        run    INTEGER NOT NULL REFERENCES run (id),
        cause  INTEGER NOT NULL REFERENCES cause (id),
        status TEXT    NOT NULL,
        PRIMARY KEY (run, cause)
    ) WITHOUT ROWID;

    CREATE TABLE run_count (
        run          INTEGER NOT NULL REFERENCES run (id),
        dimension    TEXT    NOT NULL CHECK (dimension IN ('cause', 'owner', 'client')),
        grp          TEXT    NOT NULL,
        findings     INTEGER NOT NULL,
        errors       INTEGER NOT NULL,
        warnings     INTEGER NOT NULL,
        broken_posts INTEGER NOT NULL,
        PRIMARY KEY (run, dimension, grp)
    ) WITHOUT ROWID;

    CREATE TABLE streak (
        id         INTEGER PRIMARY KEY,
        advertiser INTEGER NOT NULL REFERENCES advertiser (id),
        post       INTEGER NOT NULL REFERENCES post (id),
        cause      INTEGER NOT NULL REFERENCES cause (id),
        first_run  INTEGER NOT NULL REFERENCES run (id),
        last_run   INTEGER REFERENCES run (id),
        severity   INTEGER NOT NULL REFERENCES severity (id),
        owner_role INTEGER NOT NULL REFERENCES owner_role (id),
        handle     INTEGER REFERENCES handle (id),
        client     INTEGER REFERENCES client (id)
    );
    CREATE INDEX streak_first ON streak (first_run);
    CREATE INDEX streak_last  ON streak (last_run) WHERE last_run IS NOT NULL;
    ",
];

/// The schema version this build writes and reads.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}
