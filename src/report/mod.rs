//! The report: the canonical, serialisable form of an audit (its wire types), and its
//! printers.
//!
//! [`crate::build`] resolves the policy's id-based findings into a [`Report`] once; every
//! format renders the same [`Report`] and none recomputes anything. The wire types here
//! are separate from the engine's so an engine refactor cannot change the JSON silently,
//! and the printers depend on nothing but these types.

pub mod actions;
pub mod csv;
pub mod escape;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod page_data;
pub mod parallel;
pub mod text;
pub mod xlsx;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How bad a finding is, after any configured override.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The post cannot be previewed or used now.
    Error,
    /// Works now, but needs attention.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// Whether this is an error.
    pub fn is_error(self) -> bool {
        self == Severity::Error
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// With a baseline: whether a finding is new since it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not in the baseline.
    New,
    /// In the baseline too.
    Persisting,
}

impl Status {
    /// `new` or `persisting`, as the JSON report writes it.
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Persisting => "persisting",
        }
    }
}

/// The JSON schema version of [`Report`].
pub const SCHEMA_VERSION: u32 = 1;

/// A whole audit (spec section 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Bumped on any incompatible change.
    pub schema_version: u32,
    /// The evaluation instant, RFC 3339 UTC.
    pub as_of: String,
    /// The policy evaluated.
    pub policy: String,
    /// The `CODE_EXPIRING_SOON` window, as `7d`.
    pub expiry_window: String,
    /// The configuration used (suppressions, severities, plugins), or null for none.
    pub config: Option<ConfigOut>,
    /// Every file read, with its row accounting.
    pub inputs: Vec<InputOut>,
    /// Files under the named folders that were passed over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedOut>,
    /// Each cause code: `checked` or `not checked: <why>`.
    pub coverage: BTreeMap<String, String>,
    /// One per (ad account, post, cause), sorted by those three (suppressed ones left out).
    pub findings: Vec<FindingOut>,
    /// Each distinct fix action with its owner and the findings it clears, most first.
    pub actions: Vec<actions::ActionOut>,
    /// Findings a configured suppression matched: not in `findings`, not in the exit status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedOut>,
    /// Configured suppressions that matched nothing (or are past their `until`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unused_suppressions: Vec<UnusedSuppressionOut>,
    /// With `--baseline`: its findings that are gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<ResolvedOut>>,
    /// Pairs whose post has no known creator, so some checks could not run for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<UncheckedOut>,
    /// Rows that could not be used.
    pub rejected: Vec<RejectedOut>,
    /// Counts.
    pub summary: Summary,
    /// With `--history`: the counts of the last runs in the history database (up to
    /// [`TREND_RUNS`], oldest first, ending with this run); absent without a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Vec<TrendRunOut>>,
    /// Every audited pair, sorted; filled only for formats that need it (not in JSON).
    #[serde(skip)]
    pub pairs: Vec<PairOut>,
    /// Each cause code of the catalogue → its human title, shown beside the code by the
    /// formats read by people (not in JSON: the code is the data, `explain` the reference).
    #[serde(skip)]
    pub cause_titles: BTreeMap<String, String>,
}

/// How many runs a report's [`Report::trend`] holds at most.
pub const TREND_RUNS: usize = 30;

/// One run of the history, as [`Report::trend`] lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendRunOut {
    /// The run's evaluation instant, RFC 3339 UTC.
    pub as_of: String,
    /// (ad account, post) pairs with at least one error finding in that run.
    pub broken_posts: u64,
    /// Its findings.
    pub findings: u64,
    /// Its error findings.
    pub errors: u64,
    /// Its warning findings.
    pub warnings: u64,
}

impl Report {
    /// The human title of a cause code (`Code expired` for `CODE_EXPIRED`), or "" for a
    /// code the catalogue does not know.
    pub fn cause_title(&self, code: &str) -> &str {
        self.cause_titles.get(code).map_or("", String::as_str)
    }
}

/// The configuration a run used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigOut {
    /// Where it was read.
    pub path: String,
    /// The SHA-256 of its content, hex.
    pub hash: String,
    /// Whether sparkcheck found it itself (in the current folder) rather than being told.
    pub discovered: bool,
    /// Causes whose severity it overrides, with the severity they have instead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
}

impl ConfigOut {
    /// One line for a report's header: which config, and what it changes, so a run it
    /// made look clean says so.
    pub fn describe(config: Option<&ConfigOut>, suppressed: usize) -> String {
        let Some(config) = config else {
            return "config: none".to_string();
        };
        let hash: String = config.hash.chars().take(12).collect();
        let mut line = format!("config: {} (sha256 {hash}", config.path);
        if config.discovered {
            line.push_str(", found in this folder or a parent");
        }
        line.push(')');
        let mut changes = Vec::new();
        if !config.severity.is_empty() {
            let overrides: Vec<String> = config
                .severity
                .iter()
                .map(|(cause, severity)| format!("{cause} → {severity}"))
                .collect();
            changes.push(format!("severity changed for {}", overrides.join(", ")));
        }
        if suppressed > 0 {
            let findings = if suppressed == 1 {
                "finding"
            } else {
                "findings"
            };
            changes.push(format!("{suppressed} {findings} suppressed"));
        }
        if !changes.is_empty() {
            line.push_str("; ");
            line.push_str(&changes.join("; "));
        }
        line
    }
}

/// One input file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputOut {
    /// As named on the command line or found under a named folder.
    pub path: String,
    /// `ads`, `bc`, `codes`, `links`, `identities`, or `facts` for a facts file.
    pub kind: String,
    /// How it is written: `csv`, `xlsx`, `tiktok-api`, `facts` or `plugin`.
    pub format: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that became facts.
    pub imported: u64,
    /// Rows rejected: `rows == imported + rejected`.
    pub rejected: u64,
    /// How the file was read, when it was not plain comma-separated UTF-8.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `blake3:` and the BLAKE3 hash of the file's bytes in hex, with `--history` (which
    /// keeps it per run: which version of each export a run read; `b3sum FILE` gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
}

/// A file passed over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedOut {
    /// Its path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingOut {
    /// The ad account.
    pub advertiser_id: String,
    /// The ad account's name in the ads export, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The post.
    pub post_id: String,
    /// The post creator's handle (`@name`; several joined by `, `), or null when unknown.
    pub handle: Option<String>,
    /// The ads concerned.
    pub ad_ids: Vec<String>,
    /// The cause code.
    pub cause: String,
    /// `error` or `warning` (after any configured override).
    pub severity: Severity,
    /// With `--baseline`: `new` or `persisting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// With `--history`: the as-of of the first run in the finding's current unbroken
    /// streak (since when it has been broken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// What a user sees.
    pub symptom: String,
    /// Who must fix it.
    pub owner_role: String,
    /// The fix steps, in order.
    pub fix: Vec<String>,
    /// The rows that prove it.
    pub evidence: Vec<EvidenceOut>,
}

/// A suppressed finding and the suppression that matched it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuppressedOut {
    /// The finding.
    #[serde(flatten)]
    pub finding: FindingOut,
    /// Which `[[suppress]]` entry matched.
    pub suppressed_by: String,
    /// Its reason.
    pub reason: String,
}

/// A suppression that matched nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnusedSuppressionOut {
    /// Which `[[suppress]]` entry.
    pub suppression: String,
    /// Its reason.
    pub reason: String,
    /// Why it matched nothing.
    pub why: String,
}

/// A baseline finding that is gone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolvedOut {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The cause.
    pub cause: String,
    /// The handle it had.
    pub handle: Option<String>,
    /// Its severity then.
    pub severity: Severity,
    /// Its owner role.
    pub owner_role: String,
}

/// One evidence row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceOut {
    /// The file.
    pub path: String,
    /// The line where the row starts.
    pub line: u64,
    /// What the row says, in words (codes masked).
    pub says: String,
}

/// A pair some checks could not run for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UncheckedOut {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The causes not checked for it.
    pub checks: Vec<String>,
    /// Why.
    pub reason: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedOut {
    /// The file.
    pub path: String,
    /// The line where the row starts.
    pub line: u64,
    /// The column at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What was expected and what was found.
    pub reason: String,
}

/// Counts for dashboards and CI.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// (ad account, post) pairs audited.
    pub pairs_audited: usize,
    /// Pairs with no error finding.
    pub pairs_previewable: usize,
    /// Pairs with at least one error finding.
    pub pairs_broken: usize,
    /// Pairs some checks could not run for.
    pub pairs_unchecked: usize,
    /// All findings.
    pub findings: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Findings per cause code (only causes that occur).
    pub by_cause: BTreeMap<String, usize>,
    /// Findings per owner role (only roles that occur).
    pub by_owner: BTreeMap<String, usize>,
    /// Spark ads (with a post) audited.
    pub spark_ads: usize,
    /// Ordinary ads (no post) counted, not audited.
    pub non_spark_ads: usize,
    /// Data rows read in all inputs.
    pub rows: u64,
    /// Rows rejected in all inputs.
    pub rows_rejected: u64,
    /// Per ad account, sorted by advertiser_id.
    pub by_account: Vec<AccountSummary>,
    /// Per client (account name, or the ad account when it has none).
    pub by_client: Vec<ClientSummary>,
    /// Findings left out by a suppression.
    pub suppressed: usize,
    /// With `--baseline`: new findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
    /// With `--baseline`: resolved findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<usize>,
}

/// Counts for one client: every ad account sharing an account name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    /// The account name (or the ad account id when the exports give no name).
    pub client: String,
    /// Its ad accounts.
    pub ad_accounts: Vec<String>,
    /// Pairs audited.
    pub pairs: usize,
    /// Pairs with no error finding.
    pub previewable: usize,
    /// Pairs with at least one error finding.
    pub broken: usize,
    /// Findings per cause code.
    pub by_cause: BTreeMap<String, usize>,
}

/// Counts for one ad account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// The ad account.
    pub advertiser_id: String,
    /// Its name in the ads export, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// (ad account, post) pairs audited.
    pub pairs: usize,
    /// Pairs with no error finding.
    pub previewable: usize,
    /// Pairs with at least one error finding.
    pub broken: usize,
    /// Findings per cause code.
    pub by_cause: BTreeMap<String, usize>,
}

/// An audited pair, for formats that list passing pairs too (JUnit).
#[derive(Clone, Debug, PartialEq)]
pub struct PairOut {
    /// The ad account (shared by its pairs).
    pub advertiser_id: std::sync::Arc<str>,
    /// Its name in the ads export, when given (shared by the ad account's pairs).
    pub account_name: Option<std::sync::Arc<str>>,
    /// The post.
    pub post_id: String,
}

impl FindingOut {
    /// Whether it is new since the baseline.
    pub fn is_new(&self) -> bool {
        self.status == Some(Status::New)
    }
}

/// The columns of one finding in tabular formats (CSV, XLSX).
pub const FINDING_COLUMNS: [&str; 12] = [
    "advertiser_id",
    "account_name",
    "post_id",
    "handle",
    "ad_ids",
    "cause",
    "severity",
    "symptom",
    "owner_role",
    "fix",
    "evidence",
    "first_seen",
];

/// A finding as the cells of [`FINDING_COLUMNS`]: lists joined with line breaks, fix
/// steps numbered.
pub fn finding_row(finding: &FindingOut) -> [Cow<'_, str>; 12] {
    use std::fmt::Write as _;
    let mut evidence = String::new();
    for (i, e) in finding.evidence.iter().enumerate() {
        if i > 0 {
            evidence.push('\n');
        }
        let _ = write!(evidence, "{}:{}: {}", e.path, e.line, e.says);
    }
    [
        Cow::Borrowed(&finding.advertiser_id),
        optional(&finding.account_name),
        Cow::Borrowed(&finding.post_id),
        optional(&finding.handle),
        match finding.ad_ids.as_slice() {
            [one] => Cow::Borrowed(one),
            ids => Cow::Owned(ids.join("\n")),
        },
        Cow::Borrowed(&finding.cause),
        Cow::Borrowed(finding.severity.name()),
        Cow::Borrowed(&finding.symptom),
        Cow::Borrowed(&finding.owner_role),
        Cow::Owned(numbered(&finding.fix)),
        Cow::Owned(evidence),
        optional(&finding.first_seen),
    ]
}

/// An optional text as a cell: empty when absent.
fn optional(value: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(value.as_deref().unwrap_or(""))
}

/// `1. first\n2. second`.
pub fn numbered(steps: &[String]) -> String {
    let mut out = String::with_capacity(steps.iter().map(|s| s.len() + 4).sum());
    let _ = numbered_into(&mut out, steps);
    out
}

/// [`numbered`], written into `out`.
pub fn numbered_into(out: &mut impl std::fmt::Write, steps: &[String]) -> std::fmt::Result {
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.write_char('\n')?;
        }
        write!(out, "{}. {step}", i + 1)?;
    }
    Ok(())
}
