//! The report: the canonical, serialisable form of an audit, and its renderers.
//!
//! [`build`] resolves the policy's id-based findings into text once; every format renders
//! the same [`Report`] and none recomputes anything. The wire types here are separate from
//! the engine's so an engine refactor cannot change the JSON silently.

pub mod actions;
pub mod csv;
mod describe;
pub mod escape;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;
pub mod xlsx;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sparkcheck_facts::{time, Facts};
use sparkcheck_importers::Imported;
use sparkcheck_policies::{coverage, Cause, Coverage, Evaluation, Policy, Settings, Severity};

use crate::baseline::Baseline;
use crate::config::Suppression;

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
    /// Every audited pair, sorted; filled only for formats that need it (not in JSON).
    #[serde(skip)]
    pub pairs: Vec<PairOut>,
}

/// One input file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputOut {
    /// As named on the command line or found under a named folder.
    pub path: String,
    /// `ads`, `bc`, `codes` or `links`.
    pub kind: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that became facts.
    pub imported: u64,
    /// Rows rejected: `rows == imported + rejected`.
    pub rejected: u64,
    /// How the file was read, when it was not plain comma-separated UTF-8.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
    pub severity: String,
    /// With `--baseline`: `new` or `persisting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
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
    pub severity: String,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The ad account.
    pub advertiser_id: String,
    /// Its name in the ads export, when given.
    pub account_name: Option<String>,
    /// The post.
    pub post_id: String,
}

/// The checks a pair without a known creator misses.
const CREATOR_CHECKS: [sparkcheck_policies::Cause; 6] = [
    sparkcheck_policies::Cause::HandleNotInBc,
    sparkcheck_policies::Cause::HandleNotShared,
    sparkcheck_policies::Cause::NoAdDelivery,
    sparkcheck_policies::Cause::ShareInactive,
    sparkcheck_policies::Cause::AnalystOnly,
    sparkcheck_policies::Cause::NotLinked,
];

/// What shapes a report beyond the evaluation: severity overrides and suppressions from
/// the configuration, and a baseline report.
#[derive(Debug, Default)]
pub struct BuildOptions {
    /// Per-cause severity overrides.
    pub severity: BTreeMap<Cause, Severity>,
    /// Suppressions, in file order.
    pub suppress: Vec<Suppression>,
    /// The previous report's findings.
    pub baseline: Option<Baseline>,
}

/// Resolves an evaluation into the canonical report.
pub fn build(
    imported: &Imported,
    evaluation: &Evaluation,
    settings: &Settings,
    policy: Policy,
    options: &BuildOptions,
) -> Report {
    let facts = &imported.facts;
    let mut inputs: Vec<InputOut> = facts
        .files
        .iter()
        .map(|file| InputOut {
            path: file.path.clone(),
            kind: file.kind.name().to_string(),
            rows: file.rows,
            imported: file.imported,
            rejected: file.rejected,
            notes: file.notes.clone(),
        })
        .collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let coverage = coverage(facts, policy)
        .into_iter()
        .map(|(cause, coverage)| {
            let text = match coverage {
                Coverage::Checked => "checked".to_string(),
                Coverage::NotChecked(why) => format!("not checked: {why}"),
            };
            (cause.code().to_string(), text)
        })
        .collect();
    let all_findings = parallel_map(&evaluation.findings, settings.threads, |finding| {
        finding_out(facts, finding, &options.severity, policy)
    });
    let (mut findings, suppressed, unused_suppressions) =
        suppress(all_findings, &options.suppress, settings.as_of);
    let resolved = options
        .baseline
        .as_ref()
        .map(|baseline| compare_with_baseline(&mut findings, &suppressed, baseline));
    let actions = actions::actions(&findings);
    let unchecked = evaluation
        .unchecked
        .iter()
        .map(|&(advertiser, post)| UncheckedOut {
            advertiser_id: facts.sym(advertiser).to_string(),
            post_id: facts.sym(post).to_string(),
            checks: CREATOR_CHECKS
                .iter()
                .map(|c| c.code().to_string())
                .collect(),
            reason: "no code and no TikTok-account identity names the post's creator".to_string(),
        })
        .collect();
    let mut rejected: Vec<RejectedOut> = facts
        .rejections
        .iter()
        .map(|r| RejectedOut {
            path: facts.files[r.file as usize].path.clone(),
            line: r.line,
            column: r.column.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    rejected.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let summary = summarise(facts, evaluation, &findings, &suppressed, resolved.as_ref());
    Report {
        schema_version: SCHEMA_VERSION,
        as_of: time::format_instant(settings.as_of),
        policy: policy.name().to_string(),
        expiry_window: time::format_duration(settings.expiry_window),
        inputs,
        skipped: imported
            .skipped
            .iter()
            .map(|(path, reason)| SkippedOut {
                path: path.clone(),
                reason: reason.clone(),
            })
            .collect(),
        coverage,
        findings,
        actions,
        suppressed,
        unused_suppressions,
        resolved,
        unchecked,
        rejected,
        summary,
        pairs: Vec::new(),
    }
}

/// `items.iter().map(f)`, in order, on up to `threads` threads for long lists.
fn parallel_map<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    const SMALL: usize = 4096;
    if threads <= 1 || items.len() < SMALL {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a report thread does not panic"))
            .collect()
    })
}

fn finding_out(
    facts: &Facts,
    finding: &sparkcheck_policies::Finding,
    overrides: &BTreeMap<Cause, Severity>,
    policy: Policy,
) -> FindingOut {
    let advertiser = facts.sym(finding.advertiser);
    let post = facts.sym(finding.post);
    let handles: Vec<&str> = finding.handles.iter().map(|&h| facts.sym(h)).collect();
    let handle = (!handles.is_empty()).then(|| {
        handles
            .iter()
            .map(|h| format!("@{h}"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let fix_handle = (!handles.is_empty()).then(|| handles.join(", @"));
    let info = finding.cause.info();
    FindingOut {
        advertiser_id: advertiser.to_string(),
        account_name: facts
            .account_names
            .get(&finding.advertiser)
            .map(|&span| facts.text.get(span).to_string()),
        post_id: post.to_string(),
        handle,
        ad_ids: finding
            .ads
            .iter()
            .map(|&ad| facts.text.get(facts.ads[ad as usize].ad_id).to_string())
            .collect(),
        cause: info.code.to_string(),
        severity: overrides
            .get(&finding.cause)
            .copied()
            .unwrap_or(info.severity)
            .name()
            .to_string(),
        status: None,
        symptom: info.symptom.to_string(),
        owner_role: info.owner.name().to_string(),
        fix: finding.cause.fix_steps(
            fix_handle.as_deref(),
            advertiser,
            post,
            policy == Policy::Preview,
        ),
        evidence: finding
            .evidence
            .iter()
            .map(|&evidence| describe::evidence(facts, evidence))
            .collect(),
    }
}

fn summarise(
    facts: &Facts,
    evaluation: &Evaluation,
    findings: &[FindingOut],
    suppressed: &[SuppressedOut],
    resolved: Option<&Vec<ResolvedOut>>,
) -> Summary {
    let mut by_cause = BTreeMap::new();
    let mut by_owner = BTreeMap::new();
    let mut broken: std::collections::BTreeSet<(&str, &str)> = std::collections::BTreeSet::new();
    let (mut errors, mut warnings) = (0, 0);
    let mut accounts: BTreeMap<&str, AccountSummary> = BTreeMap::new();
    for &(advertiser, _) in &evaluation.pairs {
        let id = facts.sym(advertiser);
        let account = accounts.entry(id).or_insert_with(|| AccountSummary {
            advertiser_id: id.to_string(),
            account_name: account_name(facts, advertiser),
            pairs: 0,
            previewable: 0,
            broken: 0,
            by_cause: BTreeMap::new(),
        });
        account.pairs += 1;
    }
    for out in findings {
        *by_cause.entry(out.cause.clone()).or_insert(0) += 1;
        *by_owner.entry(out.owner_role.clone()).or_insert(0) += 1;
        let account = accounts.get_mut(out.advertiser_id.as_str());
        if let Some(account) = account {
            *account.by_cause.entry(out.cause.clone()).or_insert(0) += 1;
            if out.severity == Severity::Error.name()
                && broken.insert((&out.advertiser_id, &out.post_id))
            {
                account.broken += 1;
            }
        }
        if out.severity == Severity::Error.name() {
            errors += 1;
        } else {
            warnings += 1;
        }
    }
    let by_account: Vec<AccountSummary> = accounts
        .into_values()
        .map(|mut account| {
            account.previewable = account.pairs - account.broken;
            account
        })
        .collect();
    let by_client = clients(&by_account);
    Summary {
        pairs_audited: evaluation.pairs.len(),
        pairs_previewable: evaluation.pairs.len() - broken.len(),
        pairs_broken: broken.len(),
        pairs_unchecked: evaluation.unchecked.len(),
        findings: findings.len(),
        errors,
        warnings,
        by_cause,
        by_owner,
        spark_ads: evaluation.spark_ads,
        non_spark_ads: evaluation.non_spark_ads,
        rows: facts.files.iter().map(|f| f.rows).sum(),
        rows_rejected: facts.files.iter().map(|f| f.rejected).sum(),
        by_account,
        by_client,
        suppressed: suppressed.len(),
        new: resolved.map(|_| {
            findings
                .iter()
                .filter(|f| f.status.as_deref() == Some("new"))
                .count()
        }),
        resolved: resolved.map(Vec::len),
    }
}

/// Ad accounts grouped by client name.
fn clients(accounts: &[AccountSummary]) -> Vec<ClientSummary> {
    let mut clients: BTreeMap<String, ClientSummary> = BTreeMap::new();
    for account in accounts {
        let name = account
            .account_name
            .clone()
            .unwrap_or_else(|| account.advertiser_id.clone());
        let client = clients
            .entry(name.clone())
            .or_insert_with(|| ClientSummary {
                client: name,
                ad_accounts: Vec::new(),
                pairs: 0,
                previewable: 0,
                broken: 0,
                by_cause: BTreeMap::new(),
            });
        client.ad_accounts.push(account.advertiser_id.clone());
        client.pairs += account.pairs;
        client.previewable += account.previewable;
        client.broken += account.broken;
        for (cause, n) in &account.by_cause {
            *client.by_cause.entry(cause.clone()).or_insert(0) += n;
        }
    }
    clients.into_values().collect()
}

/// Splits off the findings a suppression matches; lists the suppressions that matched
/// nothing, or no longer apply.
fn suppress(
    findings: Vec<FindingOut>,
    suppressions: &[Suppression],
    as_of: i64,
) -> (
    Vec<FindingOut>,
    Vec<SuppressedOut>,
    Vec<UnusedSuppressionOut>,
) {
    if suppressions.is_empty() {
        return (findings, Vec::new(), Vec::new());
    }
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for finding in findings {
        match suppressions.iter().position(|s| s.matches(&finding, as_of)) {
            Some(i) => {
                used[i] = true;
                suppressed.push(SuppressedOut {
                    suppressed_by: suppressions[i].label(),
                    reason: suppressions[i].reason.clone(),
                    finding,
                });
            }
            None => kept.push(finding),
        }
    }
    let unused = suppressions
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(s, _)| UnusedSuppressionOut {
            suppression: s.label(),
            reason: s.reason.clone(),
            why: match s.until {
                Some(until) if until < as_of => {
                    format!("past its `until` ({})", time::format_instant(until))
                }
                _ => "matched no finding".to_string(),
            },
        })
        .collect();
    (kept, suppressed, unused)
}

/// Marks each finding new or persisting and lists the baseline's findings that are gone.
fn compare_with_baseline(
    findings: &mut [FindingOut],
    suppressed: &[SuppressedOut],
    baseline: &Baseline,
) -> Vec<ResolvedOut> {
    let key = |f: &FindingOut| (f.advertiser_id.clone(), f.post_id.clone(), f.cause.clone());
    for finding in findings.iter_mut() {
        let status = if baseline.findings.contains_key(&key(finding)) {
            "persisting"
        } else {
            "new"
        };
        finding.status = Some(status.to_string());
    }
    let present: std::collections::BTreeSet<_> = findings
        .iter()
        .map(key)
        .chain(suppressed.iter().map(|s| key(&s.finding)))
        .collect();
    baseline
        .findings
        .iter()
        .filter(|(k, _)| !present.contains(*k))
        .map(|(_, f)| ResolvedOut {
            advertiser_id: f.advertiser_id.clone(),
            post_id: f.post_id.clone(),
            cause: f.cause.clone(),
            handle: f.handle.clone(),
            severity: f.severity.clone(),
            owner_role: f.owner_role.clone(),
        })
        .collect()
}

fn account_name(facts: &Facts, advertiser: sparkcheck_facts::Sym) -> Option<String> {
    facts
        .account_names
        .get(&advertiser)
        .map(|&span| facts.text.get(span).to_string())
}

/// Every audited pair as text, sorted (for JUnit, which lists passing pairs too).
pub fn audited_pairs(imported: &Imported, evaluation: &Evaluation) -> Vec<PairOut> {
    let facts = &imported.facts;
    let mut pairs: Vec<PairOut> = evaluation
        .pairs
        .iter()
        .map(|&(advertiser, post)| PairOut {
            advertiser_id: facts.sym(advertiser).to_string(),
            account_name: account_name(facts, advertiser),
            post_id: facts.sym(post).to_string(),
        })
        .collect();
    pairs.sort_by(|a, b| (&a.advertiser_id, &a.post_id).cmp(&(&b.advertiser_id, &b.post_id)));
    pairs
}

/// The columns of one finding in tabular formats (CSV, XLSX).
pub const FINDING_COLUMNS: [&str; 11] = [
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
];

/// A finding as the cells of [`FINDING_COLUMNS`]: lists joined with line breaks, fix
/// steps numbered.
pub fn finding_row(finding: &FindingOut) -> [String; 11] {
    [
        finding.advertiser_id.clone(),
        finding.account_name.clone().unwrap_or_default(),
        finding.post_id.clone(),
        finding.handle.clone().unwrap_or_default(),
        finding.ad_ids.join("\n"),
        finding.cause.clone(),
        finding.severity.clone(),
        finding.symptom.clone(),
        finding.owner_role.clone(),
        numbered(&finding.fix),
        finding
            .evidence
            .iter()
            .map(|e| format!("{}:{}: {}", e.path, e.line, e.says))
            .collect::<Vec<_>>()
            .join("\n"),
    ]
}

/// `1. first\n2. second`.
pub fn numbered(steps: &[String]) -> String {
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| format!("{}. {step}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}
