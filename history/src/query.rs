//! The questions asked of the history. Every answer orders runs by (as-of, id) and findings by
//! (advertiser_id, post_id, cause) unless said otherwise.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::time::{instant, optional_instant};
use crate::{FindingRecord, History, InputRecord, Result, RunId, RunRecord};

const DAY: f64 = 86_400.0;

/// One run, with its counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    /// Its id.
    pub run: RunId,
    /// Its evaluation instant.
    #[serde(serialize_with = "instant")]
    pub as_of: i64,
    /// When it started.
    #[serde(serialize_with = "instant")]
    pub started_at: i64,
    /// The policy.
    pub policy: String,
    /// The sparkcheck version.
    pub sparkcheck_version: String,
    /// The configuration's hash.
    pub config_hash: Option<String>,
    /// Input files read.
    pub inputs: u64,
    /// (ad account, post) pairs audited.
    pub pairs_audited: u64,
    /// Findings.
    pub findings: u64,
    /// Error findings.
    pub errors: u64,
    /// Warning findings.
    pub warnings: u64,
    /// (ad account, post) pairs with an error finding.
    pub broken_posts: u64,
    /// Findings absent from the previous run (null for the first run).
    pub new: Option<u64>,
    /// Findings of the previous run absent from this one (null for the first run).
    pub fixed: Option<u64>,
}

/// How `trend` groups.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// By cause code.
    Cause,
    /// By owner role.
    Owner,
    /// By client (account name, else the ad account).
    Client,
}

impl GroupBy {
    fn dimension(self) -> &'static str {
        match self {
            GroupBy::Cause => "cause",
            GroupBy::Owner => "owner",
            GroupBy::Client => "client",
        }
    }
}

/// One run's counts, overall or for one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The run.
    pub run: RunId,
    /// Its as-of.
    #[serde(serialize_with = "instant")]
    pub as_of: i64,
    /// The group (cause, owner role or client); null for the overall counts.
    pub group: Option<String>,
    /// Findings.
    pub findings: u64,
    /// Error findings.
    pub errors: u64,
    /// Warning findings.
    pub warnings: u64,
    /// Pairs with an error finding (in the group).
    pub broken_posts: u64,
}

/// A finding that became broken or was fixed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The finding (its class as in its newest run).
    #[serde(flatten)]
    pub finding: FindingRecord,
    /// The as-of of the first run of its streak.
    #[serde(serialize_with = "instant")]
    pub first_seen: i64,
    /// For a fixed finding: days from `first_seen` to the run it was gone in.
    pub days_to_fix: Option<f64>,
}

/// What changed in one run against the run before it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunChanges {
    /// The run.
    pub run: RunId,
    /// Its as-of: the date the changes were seen.
    #[serde(serialize_with = "instant")]
    pub as_of: i64,
    /// The run before it.
    pub previous_run: RunId,
    /// Its as-of.
    #[serde(serialize_with = "instant")]
    pub previous_as_of: i64,
    /// Findings present now and not in the previous run.
    pub broken: Vec<Change>,
    /// Findings of the previous run that are gone now.
    pub fixed: Vec<Change>,
}

/// A finding open in the newest run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenFinding {
    /// The finding.
    #[serde(flatten)]
    pub finding: FindingRecord,
    /// The as-of of the first run of its current unbroken streak.
    #[serde(serialize_with = "instant")]
    pub since: i64,
    /// Days from `since` to the newest run.
    pub days_open: f64,
}

/// Days to fix over resolved streaks, for one cause or owner role.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixStats {
    /// The cause or owner role.
    pub group: String,
    /// Resolved streaks.
    pub resolved: u64,
    /// Median days from first seen to the first run it was gone in.
    pub median_days: f64,
    /// 90th percentile of the same.
    pub p90_days: f64,
}

/// The findings open now and how long fixes take.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenReport {
    /// The newest run (null when there is none).
    pub run: Option<RunId>,
    /// Its as-of.
    #[serde(serialize_with = "optional_instant")]
    pub as_of: Option<i64>,
    /// Open findings, oldest first (by owner role first with `by_owner`).
    pub findings: Vec<OpenFinding>,
    /// Days to fix per cause.
    pub fix_by_cause: Vec<FixStats>,
    /// Days to fix per owner role.
    pub fix_by_owner: Vec<FixStats>,
}

/// A run's finding and since when it has been present without a break.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeenFinding {
    /// The finding.
    #[serde(flatten)]
    pub finding: FindingRecord,
    /// The as-of of the first run of its unbroken streak up to this run.
    #[serde(serialize_with = "instant")]
    pub first_seen: i64,
}

/// The findings of one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunFindings {
    /// The run.
    pub run: RunId,
    /// Its as-of.
    #[serde(serialize_with = "instant")]
    pub as_of: i64,
    /// Its findings, sorted.
    pub findings: Vec<SeenFinding>,
}

/// The runs in order: ids and as-ofs, with each id's position.
struct Order {
    runs: Vec<(RunId, i64)>,
    position: FxHashMap<RunId, usize>,
}

impl Order {
    fn as_of(&self, run: RunId) -> i64 {
        self.runs[self.position[&run]].1
    }

    fn after(&self, run: RunId) -> Option<(RunId, i64)> {
        self.runs.get(self.position[&run] + 1).copied()
    }

    fn newest(&self) -> Option<(RunId, i64)> {
        self.runs.last().copied()
    }
}

const STREAKS: &str = "SELECT a.name, p.name, c.name, sv.name, o.name, h.name, cl.name,
        s.first_run
    FROM streak s
    JOIN advertiser a ON a.id = s.advertiser JOIN post p ON p.id = s.post
    JOIN cause c ON c.id = s.cause JOIN severity sv ON sv.id = s.severity
    JOIN owner_role o ON o.id = s.owner_role
    LEFT JOIN handle h ON h.id = s.handle LEFT JOIN client cl ON cl.id = s.client";

struct Streak {
    finding: FindingRecord,
    first: RunId,
}

fn key(f: &FindingRecord) -> (&str, &str, &str) {
    (&f.advertiser_id, &f.post_id, &f.cause)
}

impl History {
    fn order(&self) -> Result<Order> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, as_of FROM run ORDER BY as_of, id")
            .map_err(|e| self.err(e))?;
        let runs: Vec<(RunId, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        let position = runs.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
        Ok(Order { runs, position })
    }

    fn streaks(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Streak>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |row| {
                Ok(Streak {
                    finding: FindingRecord {
                        advertiser_id: row.get(0)?,
                        post_id: row.get(1)?,
                        cause: row.get(2)?,
                        severity: row.get(3)?,
                        owner_role: row.get(4)?,
                        handle: row.get(5)?,
                        client: row.get(6)?,
                    },
                    first: row.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The streaks that include `run`.
    fn covering(&self, order: &Order, run: RunId) -> Result<Vec<Streak>> {
        if order.newest().map(|r| r.0) == Some(run) {
            return self.streaks(&format!("{STREAKS} WHERE s.last_run IS NULL"), []);
        }
        let pos = order.position[&run] as i64 + 1;
        self.streaks(
            &format!(
                "WITH o AS (SELECT id, row_number() OVER (ORDER BY as_of, id) AS pos FROM run)
                {STREAKS} JOIN o fo ON fo.id = s.first_run LEFT JOIN o lo ON lo.id = s.last_run
                WHERE fo.pos <= ?1 AND (s.last_run IS NULL OR lo.pos >= ?1)"
            ),
            [pos],
        )
    }

    /// Every run, in as-of order, with its counts.
    pub fn runs(&self) -> Result<Vec<RunSummary>> {
        let grouped = |sql: &str| -> Result<FxHashMap<RunId, u64>> {
            let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .and_then(|rows| rows.collect())
                .map_err(|e| self.err(e))?;
            Ok(rows)
        };
        let started = grouped("SELECT first_run, count(*) FROM streak GROUP BY first_run")?;
        let ended = grouped(
            "SELECT last_run, count(*) FROM streak WHERE last_run IS NOT NULL GROUP BY last_run",
        )?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, as_of, started_at, policy, sparkcheck_version, config_hash,
                    (SELECT count(*) FROM run_input i WHERE i.run = run.id),
                    pairs_audited, findings, errors, warnings, broken_posts
                 FROM run ORDER BY as_of, id",
            )
            .map_err(|e| self.err(e))?;
        let mut runs: Vec<RunSummary> = stmt
            .query_map([], |row| {
                Ok(RunSummary {
                    run: row.get(0)?,
                    as_of: row.get(1)?,
                    started_at: row.get(2)?,
                    policy: row.get(3)?,
                    sparkcheck_version: row.get(4)?,
                    config_hash: row.get(5)?,
                    inputs: row.get(6)?,
                    pairs_audited: row.get(7)?,
                    findings: row.get(8)?,
                    errors: row.get(9)?,
                    warnings: row.get(10)?,
                    broken_posts: row.get(11)?,
                    new: None,
                    fixed: None,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        for i in 1..runs.len() {
            let previous = runs[i - 1].run;
            let run = &mut runs[i];
            run.new = Some(started.get(&run.run).copied().unwrap_or(0));
            run.fixed = Some(ended.get(&previous).copied().unwrap_or(0));
        }
        Ok(runs)
    }

    /// Counts per run from `since` on (as-of at or after it): overall with `by` = `None`,
    /// else per group, every group seen in those runs in every run (zero when absent).
    pub fn trend(&self, by: Option<GroupBy>, since: Option<i64>) -> Result<Vec<TrendPoint>> {
        let since = since.unwrap_or(i64::MIN);
        let runs: Vec<RunSummary> = self
            .runs()?
            .into_iter()
            .filter(|r| r.as_of >= since)
            .collect();
        let Some(by) = by else {
            return Ok(runs
                .iter()
                .map(|r| TrendPoint {
                    run: r.run,
                    as_of: r.as_of,
                    group: None,
                    findings: r.findings,
                    errors: r.errors,
                    warnings: r.warnings,
                    broken_posts: r.broken_posts,
                })
                .collect());
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.run, c.grp, c.findings, c.errors, c.warnings, c.broken_posts
                 FROM run_count c JOIN run r ON r.id = c.run
                 WHERE c.dimension = ?1 AND r.as_of >= ?2",
            )
            .map_err(|e| self.err(e))?;
        type Row = (RunId, String, u64, u64, u64, u64);
        let rows: Vec<Row> = stmt
            .query_map(params![by.dimension(), since], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        let groups: BTreeSet<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        let counts: FxHashMap<(RunId, &str), &Row> =
            rows.iter().map(|r| ((r.0, r.1.as_str()), r)).collect();
        let mut points = Vec::with_capacity(runs.len() * groups.len());
        for run in &runs {
            for &group in &groups {
                let c = counts.get(&(run.run, group));
                points.push(TrendPoint {
                    run: run.run,
                    as_of: run.as_of,
                    group: Some(group.to_owned()),
                    findings: c.map_or(0, |c| c.2),
                    errors: c.map_or(0, |c| c.3),
                    warnings: c.map_or(0, |c| c.4),
                    broken_posts: c.map_or(0, |c| c.5),
                });
            }
        }
        Ok(points)
    }

    /// Per run from `since` on that has a previous run: the findings that appeared and the
    /// ones that went, against that previous run.
    pub fn changes(&self, since: Option<i64>) -> Result<Vec<RunChanges>> {
        let order = self.order()?;
        let since = since.unwrap_or(i64::MIN);
        let mut changes = Vec::new();
        for pair in order.runs.windows(2) {
            let ((previous_run, previous_as_of), (run, as_of)) = (pair[0], pair[1]);
            if as_of < since {
                continue;
            }
            let mut broken: Vec<Change> = self
                .streaks(&format!("{STREAKS} WHERE s.first_run = ?1"), [run])?
                .into_iter()
                .map(|s| Change {
                    finding: s.finding,
                    first_seen: as_of,
                    days_to_fix: None,
                })
                .collect();
            let mut fixed: Vec<Change> = self
                .streaks(&format!("{STREAKS} WHERE s.last_run = ?1"), [previous_run])?
                .into_iter()
                .map(|s| {
                    let first_seen = order.as_of(s.first);
                    Change {
                        finding: s.finding,
                        first_seen,
                        days_to_fix: Some((as_of - first_seen) as f64 / DAY),
                    }
                })
                .collect();
            broken.sort_by(|a, b| key(&a.finding).cmp(&key(&b.finding)));
            fixed.sort_by(|a, b| key(&a.finding).cmp(&key(&b.finding)));
            changes.push(RunChanges {
                run,
                as_of,
                previous_run,
                previous_as_of,
                broken,
                fixed,
            });
        }
        Ok(changes)
    }

    /// The findings open in the newest run with since when, oldest first (grouped by owner
    /// role first with `by_owner`), and days to fix over every resolved streak.
    pub fn open_findings(&self, by_owner: bool) -> Result<OpenReport> {
        let order = self.order()?;
        let newest = order.newest();
        let mut findings: Vec<OpenFinding> = match newest {
            None => Vec::new(),
            Some((_, as_of)) => self
                .streaks(&format!("{STREAKS} WHERE s.last_run IS NULL"), [])?
                .into_iter()
                .map(|s| {
                    let since = order.as_of(s.first);
                    OpenFinding {
                        finding: s.finding,
                        since,
                        days_open: (as_of - since) as f64 / DAY,
                    }
                })
                .collect(),
        };
        findings.sort_by(|a, b| {
            let owner = |f: &OpenFinding| {
                if by_owner {
                    Some(f.finding.owner_role.clone())
                } else {
                    None
                }
            };
            (owner(a), a.since, key(&a.finding)).cmp(&(owner(b), b.since, key(&b.finding)))
        });
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.name, o.name, s.first_run, s.last_run
                 FROM streak s
                 JOIN cause c ON c.id = s.cause JOIN owner_role o ON o.id = s.owner_role
                 WHERE s.last_run IS NOT NULL",
            )
            .map_err(|e| self.err(e))?;
        let resolved: Vec<(String, String, RunId, RunId)> = stmt
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        let mut by_cause: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut by_role: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (cause, owner, first, last) in &resolved {
            let Some((_, gone)) = order.after(*last) else {
                continue;
            };
            let days = (gone - order.as_of(*first)) as f64 / DAY;
            by_cause.entry(cause).or_default().push(days);
            by_role.entry(owner).or_default().push(days);
        }
        Ok(OpenReport {
            run: newest.map(|r| r.0),
            as_of: newest.map(|r| r.1),
            findings,
            fix_by_cause: fix_stats(by_cause),
            fix_by_owner: fix_stats(by_role),
        })
    }

    /// The findings of `run`, each with the as-of of the first run of its unbroken streak up
    /// to that run. `None` when there is no such run.
    pub fn run_findings(&self, run: RunId) -> Result<Option<RunFindings>> {
        let order = self.order()?;
        if !order.position.contains_key(&run) {
            return Ok(None);
        }
        let mut findings: Vec<SeenFinding> = self
            .covering(&order, run)?
            .into_iter()
            .map(|s| SeenFinding {
                finding: s.finding,
                first_seen: order.as_of(s.first),
            })
            .collect();
        findings.sort_by(|a, b| key(&a.finding).cmp(&key(&b.finding)));
        Ok(Some(RunFindings {
            run,
            as_of: order.as_of(run),
            findings,
        }))
    }

    /// The newest run (by as-of), as a baseline for the next run. `None` when the history is
    /// empty.
    pub fn last_run_findings(&self) -> Result<Option<RunFindings>> {
        match self.order()?.newest() {
            Some((run, _)) => self.run_findings(run),
            None => Ok(None),
        }
    }

    /// `first_seen` for the findings of the newest run, sorted by key (empty when the history
    /// is empty). After recording a run with the newest as-of, these are that run's.
    pub fn first_seen(&self) -> Result<Vec<SeenFinding>> {
        Ok(self
            .last_run_findings()?
            .map(|r| r.findings)
            .unwrap_or_default())
    }

    /// The newest run's id and as-of.
    pub fn newest_run(&self) -> Result<Option<(RunId, i64)>> {
        Ok(self.order()?.newest())
    }

    /// A recorded run as a [`RunRecord`] again (findings sorted by key, with their streak's
    /// class), to replay it into another database.
    pub fn export_run(&self, run: RunId) -> Result<RunRecord> {
        let (as_of, started_at, policy, sparkcheck_version, config_hash, pairs_audited) = self
            .conn
            .query_row(
                "SELECT as_of, started_at, policy, sparkcheck_version, config_hash, pairs_audited
                 FROM run WHERE id = ?1",
                [run],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, kind, rows, imported, rejected, content_hash FROM run_input
                 WHERE run = ?1 ORDER BY ordinal",
            )
            .map_err(|e| self.err(e))?;
        let inputs = stmt
            .query_map([run], |row| {
                Ok(InputRecord {
                    path: row.get(0)?,
                    kind: row.get(1)?,
                    rows: row.get(2)?,
                    imported: row.get(3)?,
                    rejected: row.get(4)?,
                    content_hash: row.get(5)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.name, v.status FROM run_coverage v JOIN cause c ON c.id = v.cause
                 WHERE v.run = ?1",
            )
            .map_err(|e| self.err(e))?;
        let coverage = stmt
            .query_map([run], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))?;
        let findings = self
            .run_findings(run)?
            .map(|r| r.findings.into_iter().map(|f| f.finding).collect())
            .unwrap_or_default();
        Ok(RunRecord {
            as_of,
            started_at,
            policy,
            sparkcheck_version,
            config_hash,
            pairs_audited,
            inputs,
            coverage,
            findings,
        })
    }
}

/// Median and 90th percentile (linear interpolation between closest ranks) per group.
fn fix_stats(groups: BTreeMap<&str, Vec<f64>>) -> Vec<FixStats> {
    groups
        .into_iter()
        .map(|(group, mut days)| {
            days.sort_by(f64::total_cmp);
            FixStats {
                group: group.to_owned(),
                resolved: days.len() as u64,
                median_days: percentile(&days, 0.5),
                p90_days: percentile(&days, 0.9),
            }
        })
        .collect()
}

/// The `p` quantile of sorted, non-empty `values`, interpolating linearly between ranks.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let rank = p * (values.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    values[low] + (values[high] - values[low]) * (rank - low as f64)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        assert_eq!(percentile(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(percentile(&[1.0, 2.0, 10.0], 0.5), 2.0);
        assert_eq!(
            percentile(
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
                0.9
            ),
            10.0
        );
        assert_eq!(percentile(&[4.0], 0.9), 4.0);
    }
}
