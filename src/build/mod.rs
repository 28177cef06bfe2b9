//! Facts and an evaluation → the canonical [`Report`]: every id resolved to text once,
//! triage (severity overrides, suppressions, baseline) applied on typed keys, counts
//! summarised. Printers never see the facts or the engine.

use sparkcheck_facts::threads::{spawn, try_spawn, Spawned};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, PoisonError};

use rustc_hash::FxHashMap;
use sparkcheck_facts::{time, Facts, Sym, NOT_AN_ID};
use sparkcheck_importers::Imported;
use sparkcheck_policies::{coverage, Cause, Coverage, Evaluation, Policy, Settings};

use crate::report::json::Stream;
use crate::report::{
    AccountSummary, ClientSummary, ConfigOut, FindingOut, InputOut, PairOut, RejectedOut, Report,
    ResolvedOut, Severity, SkippedOut, Status, Summary, SuppressedOut, UncheckedOut,
    UnusedSuppressionOut, SCHEMA_VERSION,
};
use crate::triage::{Baseline, FindingKey, Triage};

mod actions;
mod describe;

/// Resolves an evaluation into the canonical report. With a `stream`, the JSON report is
/// written while its findings are built, when nothing changes them afterwards (no
/// suppression or baseline); otherwise the stream is left unstarted.
pub fn build(
    imported: &Imported,
    evaluation: &Evaluation,
    settings: &Settings,
    policy: Policy,
    triage: &Triage,
    config: Option<ConfigOut>,
    stream: Option<&mut Stream<'_>>,
) -> Report {
    let facts = &imported.facts;
    // The fields before the findings first, so a stream can write them before any
    // finding; the rest is filled below. A struct literal without `..`: a new field of
    // `Report` cannot be forgotten here.
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        as_of: time::format_instant(settings.as_of),
        policy: policy.name().to_string(),
        expiry_window: time::format_duration(settings.expiry_window),
        config,
        inputs: inputs(facts),
        skipped: imported
            .skipped
            .iter()
            .map(|(path, reason)| SkippedOut {
                path: path.clone(),
                reason: reason.clone(),
            })
            .collect(),
        coverage: coverage_of(facts, policy),
        findings: Vec::new(),
        actions: Vec::new(),
        suppressed: Vec::new(),
        unused_suppressions: Vec::new(),
        resolved: None,
        unchecked: Vec::new(),
        rejected: Vec::new(),
        summary: Summary::default(),
        trend: None,
        pairs: Vec::new(),
        cause_titles: Cause::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.info().title.to_string()))
            .collect(),
    };
    let final_as_built = triage.suppress.is_empty() && triage.baseline.is_none();
    let mut stream = stream.filter(|_| final_as_built);
    if let Some(stream) = stream.as_deref_mut() {
        stream.start(&report);
    }
    // Each finding and its fix action's text in one pass on every core: the action reads
    // the texts the finding has just resolved, while they are in cache.
    let grouping = actions::Grouping::default();
    let built = build_columns(
        &evaluation.findings,
        settings.threads,
        stream,
        &|finding, stage| warm(facts, finding, stage),
        |finding, described| {
            let suppressed_by = if triage.suppress.is_empty() {
                None
            } else {
                let handles: Vec<&str> = finding.handles.iter().map(|&h| facts.sym(h)).collect();
                triage.suppression(
                    facts.sym(finding.advertiser),
                    facts.sym(finding.post),
                    finding.cause,
                    &handles,
                    settings.as_of,
                )
            };
            let out = finding_out(facts, finding, triage, policy, described);
            let action = actions::action_of(&out);
            let hash = grouping.hash(&action, &out.owner_role);
            // The worklists' copy of the finding's key, made here on every core.
            let key = crate::report::actions::FindingKey {
                advertiser_id: out.advertiser_id.clone(),
                post_id: out.post_id.clone(),
                cause: out.cause.clone(),
            };
            (out, (action, hash, key), suppressed_by)
        },
    );
    let (built, suppressed, unused_suppressions) = suppress(built, triage, settings.as_of);
    let Built {
        mut findings,
        actions: action_keys,
        ..
    } = built;
    let resolved = triage
        .baseline
        .as_ref()
        .map(|baseline| compare_with_baseline(&mut findings, &suppressed, baseline));
    // The worklists and the summary read the same findings and nothing of each other:
    // built side by side (each is a single pass over 90k findings at 1M ads).
    let (actions, summary) = std::thread::scope(|scope| {
        let summarise = || summarise(facts, evaluation, &findings, &suppressed, resolved.as_ref());
        if settings.threads > 1 && findings.len() >= 4096 {
            let actions = spawn(scope, || actions::actions(&findings, action_keys));
            let summary = summarise();
            let actions = actions.join();
            (actions, summary)
        } else {
            (actions::actions(&findings, action_keys), summarise())
        }
    });
    report.unchecked = evaluation
        .unchecked
        .iter()
        .map(|&(advertiser, post)| UncheckedOut {
            advertiser_id: facts.sym(advertiser).to_string(),
            post_id: facts.sym(post).to_string(),
            checks: Cause::needing_creator()
                .filter(|c| policy.causes().contains(c))
                .map(|c| c.code().to_string())
                .collect(),
            reason: "no code and no TikTok-account identity names the post's creator".to_string(),
        })
        .collect();
    report.rejected = facts
        .rejections
        .iter()
        .map(|r| RejectedOut {
            path: facts.files[r.file as usize].path.clone(),
            line: r.line,
            column: r.column.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    report
        .rejected
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    report.findings = findings;
    report.actions = actions;
    report.suppressed = suppressed;
    report.unused_suppressions = unused_suppressions;
    report.resolved = resolved;
    report.summary = summary;
    report
}

/// The report's list of inputs, by path.
fn inputs(facts: &Facts) -> Vec<InputOut> {
    let mut inputs: Vec<InputOut> = facts
        .files
        .iter()
        .map(|file| InputOut {
            path: file.path.clone(),
            kind: file.kind_name(),
            format: file.format.name().to_string(),
            rows: file.rows,
            imported: file.imported,
            rejected: file.rejected,
            notes: file.notes.clone(),
            content_hash: file.content_hash.clone(),
        })
        .collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs
}

/// Each cause's coverage as the report states it.
fn coverage_of(facts: &Facts, policy: Policy) -> BTreeMap<String, String> {
    coverage(facts, policy)
        .into_iter()
        .map(|(cause, coverage)| {
            let text = match coverage {
                Coverage::Checked => "checked".to_string(),
                Coverage::NotChecked(why) => format!("not checked: {why}"),
            };
            (cause.code().to_string(), text)
        })
        .collect()
}

/// `items.iter().map(f)` into [`Built`]'s columns, in order, on up to `threads` threads
/// for long lists; each part passes `f` the evidence rows it has described so far. With an
/// open `stream`, each finding is also rendered as it is built and written in order (see
/// [`build_streaming`]). The first thread's columns are sized for every item and the
/// others' parts appended to them: a finding is about 300 bytes, and moving them all once
/// more into fresh memory on one thread cost 20-100 ms at 1M ads.
fn build_columns<T: Sync>(
    items: &[T],
    threads: usize,
    stream: Option<&mut Stream<'_>>,
    warm: &(impl Fn(&T, usize) + Sync),
    f: impl Fn(&T, &mut describe::Described) -> (FindingOut, ActionKey, Option<usize>) + Sync,
) -> Built {
    if threads > 1 && items.len() >= SMALL {
        if let Some(stream) = stream.filter(|stream| stream.is_open()) {
            if let Some(built) = build_streaming(items, threads, stream, warm, &f) {
                return built;
            }
        }
    }
    let part = |part: &[T], capacity: usize| {
        let mut built = Built::with_capacity(capacity);
        let mut described = describe::Described::default();
        for (i, item) in part.iter().enumerate() {
            warm_ahead(part, i, warm);
            built.push(f(item, &mut described));
        }
        built
    };
    if threads <= 1 || items.len() < SMALL {
        return part(items, items.len());
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(i, items_of_part)| {
                let capacity = if i == 0 {
                    items.len()
                } else {
                    items_of_part.len()
                };
                let part = &part;
                spawn(scope, move || part(items_of_part, capacity))
            })
            .collect();
        let mut parts = handles.into_iter().map(Spawned::join);
        let mut built = parts.next().expect("at least one part");
        for rest in parts {
            built.append(rest);
        }
        built
    })
}

/// Findings between the stages of [`warm_ahead`].
const AHEAD: usize = 8;

/// The stages of warming an item before it is built: `warm(item, stage)` is called for
/// stage 0 on the item `3 × AHEAD` places ahead, stage 1 `2 × AHEAD` ahead and stage 2
/// `AHEAD` ahead, so each stage can read what the stage before asked to be in cache.
const STAGES: usize = 3;

/// Warms the items ahead of `items[i]` (see [`STAGES`]).
fn warm_ahead<T>(items: &[T], i: usize, warm: &impl Fn(&T, usize)) {
    for stage in 0..STAGES {
        if let Some(item) = items.get(i + AHEAD * (STAGES - stage)) {
            warm(item, stage);
        }
    }
}

/// Below this many findings one thread builds them all.
const SMALL: usize = 4096;

/// Findings per round of [`build_streaming`]: about 2 MB of JSON.
const ROUND: usize = 1024;

/// Rounds [`build_streaming`] may have built and not yet written.
const WINDOW: usize = 8;

/// [`build_columns`] writing the JSON's findings while they are built: `threads` threads
/// take rounds of findings in turn, build each finding and render it at once (its texts
/// still in cache), and this thread writes the rounds in order and gathers their columns.
/// The kernel's copy of the report into the page cache, which used to keep one core busy
/// after everything else, thus runs beside the building. `None` when no builder thread
/// could be started.
///
/// Memory stays bounded when the file is slow to write or a builder stalls: a builder
/// starts a round only within [`WINDOW`] rounds of the next one to write, so at most that
/// many rounds are built and not yet written.
fn build_streaming<T: Sync>(
    items: &[T],
    threads: usize,
    stream: &mut Stream<'_>,
    warm: &(impl Fn(&T, usize) + Sync),
    f: &(impl Fn(&T, &mut describe::Described) -> (FindingOut, ActionKey, Option<usize>) + Sync),
) -> Option<Built> {
    type Round = (usize, Built, Vec<u8>);
    let rounds: Vec<&[T]> = items.chunks(ROUND).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Rounds written so far, and the builders waiting for it to move.
    let written = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let (done, finished) = std::sync::mpsc::sync_channel::<Round>(WINDOW);
    let (rounds, next, written) = (&rounds, &next, &written);
    let work = move |done: std::sync::mpsc::SyncSender<Round>| {
        let mut described = describe::Described::default();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(round) = rounds.get(index) else {
                return;
            };
            // The round to write next is always being built (rounds are taken in order
            // and only later ones wait), so this wait ends.
            let (count, moved) = written;
            let mut count = count.lock().unwrap_or_else(PoisonError::into_inner);
            while index >= *count + WINDOW {
                count = moved.wait(count).unwrap_or_else(PoisonError::into_inner);
            }
            drop(count);
            let first = index * ROUND;
            let mut built = Built::with_capacity(round.len());
            // Room for the largest findings: growing a buffer of megabytes copies it.
            let mut json = Vec::with_capacity(round.len() * 2048);
            for (i, item) in round.iter().enumerate() {
                warm_ahead(round, i, warm);
                let row = f(item, &mut described);
                Stream::render(&row.0, first + i, &mut json);
                built.push(row);
            }
            if done.send((index, built, json)).is_err() {
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        // A builder that cannot start is not run here: it would wait for this thread,
        // which only writes once every builder has started.
        let builders: Vec<_> = (0..threads)
            .filter_map(|_| {
                let done = done.clone();
                try_spawn(scope, move || work(done))
            })
            .collect();
        drop(done);
        if builders.is_empty() {
            return None;
        }
        let mut all = Built::with_capacity(items.len());
        let mut ahead = BTreeMap::new();
        let mut to_write = 0;
        for (index, built, json) in finished {
            ahead.insert(index, (built, json));
            debug_assert!(ahead.len() <= WINDOW, "{} rounds held", ahead.len());
            while let Some((built, json)) = ahead.remove(&to_write) {
                stream.write_findings(&json, built.findings.len());
                all.append(built);
                to_write += 1;
                let (count, moved) = written;
                *count.lock().unwrap_or_else(PoisonError::into_inner) = to_write;
                moved.notify_all();
            }
        }
        for builder in builders {
            if let Err(panic) = builder.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Some(all)
    })
}

/// A finding's fix action text, its [`actions::Grouping`] hash and the finding's key.
type ActionKey = (String, u64, crate::report::actions::FindingKey);

/// The findings in evaluation order, with each one's fix action and the suppression
/// that matches it, if any.
struct Built {
    findings: Vec<FindingOut>,
    actions: Vec<ActionKey>,
    suppressed_by: Vec<Option<usize>>,
}

impl Built {
    fn with_capacity(capacity: usize) -> Built {
        Built {
            findings: Vec::with_capacity(capacity),
            actions: Vec::with_capacity(capacity),
            suppressed_by: Vec::with_capacity(capacity),
        }
    }

    fn push(&mut self, (finding, action, suppressed_by): (FindingOut, ActionKey, Option<usize>)) {
        self.findings.push(finding);
        self.actions.push(action);
        self.suppressed_by.push(suppressed_by);
    }

    fn append(&mut self, mut other: Built) {
        self.findings.append(&mut other.findings);
        self.actions.append(&mut other.actions);
        self.suppressed_by.append(&mut other.suppressed_by);
    }
}

/// Asks for what [`finding_out`] reads of `finding` to be brought into cache, in three
/// stages (see [`warm_ahead`]): the finding's lists; the rows they name and the places
/// of its symbols' text; the texts. Findings come in the order of their text, which is
/// no order of the rows: without this, nearly every ad ID, ad name and masked code a
/// finding cites was a wait for main memory.
fn warm(facts: &Facts, finding: &sparkcheck_policies::Finding, stage: usize) {
    use sparkcheck_facts::prefetch::prefetch;
    use sparkcheck_policies::Evidence;
    match stage {
        0 => {
            prefetch(finding.ads.as_slice());
            prefetch(finding.evidence.as_slice());
        }
        1 => {
            facts.syms.prefetch_span(finding.post);
            for &ad in &finding.ads {
                if let Some(row) = facts.ads.get(ad as usize) {
                    prefetch(row);
                }
            }
            for &evidence in &finding.evidence {
                match evidence {
                    Evidence::Ad(i) => facts.ads.get(i as usize).map(prefetch),
                    Evidence::Code(i) => facts.codes.get(i as usize).map(prefetch),
                    _ => None,
                };
            }
        }
        _ => {
            facts.syms.prefetch_text(finding.post);
            for &ad in &finding.ads {
                if let Some(row) = facts.ads.get(ad as usize) {
                    facts.text.prefetch(row.ad_id);
                }
            }
            for &evidence in &finding.evidence {
                match evidence {
                    Evidence::Ad(i) => {
                        if let Some(row) = facts.ads.get(i as usize) {
                            facts.text.prefetch(row.ad_name);
                            facts.text.prefetch(row.identity_label);
                        }
                    }
                    Evidence::Code(i) => {
                        if let Some(row) = facts.codes.get(i as usize) {
                            facts.text.prefetch(row.masked_code);
                            facts.text.prefetch(row.post_status);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn finding_out(
    facts: &Facts,
    finding: &sparkcheck_policies::Finding,
    triage: &Triage,
    policy: Policy,
    described: &mut describe::Described,
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
        severity: severity(triage.severity(finding.cause)),
        status: None,
        first_seen: None,
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
            .map(|&evidence| described.evidence(facts, evidence))
            .collect(),
    }
}

/// The engine's severity as the report states it.
fn severity(severity: sparkcheck_policies::Severity) -> Severity {
    match severity {
        sparkcheck_policies::Severity::Error => Severity::Error,
        sparkcheck_policies::Severity::Warning => Severity::Warning,
    }
}

fn summarise(
    facts: &Facts,
    evaluation: &Evaluation,
    findings: &[FindingOut],
    suppressed: &[SuppressedOut],
    resolved: Option<&Vec<ResolvedOut>>,
) -> Summary {
    let mut by_cause: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_owner: BTreeMap<String, usize> = BTreeMap::new();
    // Pairs with an error, by text: two ad accounts masked alike count as one. The texts
    // are input values, so std's keyed hasher.
    // Sized for every finding at once: growing it rehashed both texts of each pair again.
    let mut broken: HashSet<(&str, &str)> = HashSet::with_capacity(findings.len());
    let (mut errors, mut warnings) = (0, 0);
    let mut accounts: BTreeMap<&str, AccountSummary> = BTreeMap::new();
    // The pairs are sorted by symbol: one look-up per run of an ad account's pairs.
    for run in evaluation.pairs.chunk_by(|a, b| a.0 == b.0) {
        let advertiser = run[0].0;
        let id = facts.sym(advertiser);
        let account = accounts.entry(id).or_insert_with(|| AccountSummary {
            advertiser_id: id.to_string(),
            account_name: account_name(facts, advertiser),
            pairs: 0,
            previewable: 0,
            broken: 0,
            by_cause: BTreeMap::new(),
        });
        account.pairs += run.len();
    }
    // The findings are sorted by ad account: one look-up per run of its findings.
    for run in findings.chunk_by(|a, b| a.advertiser_id == b.advertiser_id) {
        let mut account = accounts.get_mut(run[0].advertiser_id.as_str());
        for out in run {
            count(&mut by_cause, &out.cause);
            count(&mut by_owner, &out.owner_role);
            if let Some(account) = account.as_deref_mut() {
                count(&mut account.by_cause, &out.cause);
                if out.severity.is_error() && broken.insert((&out.advertiser_id, &out.post_id)) {
                    account.broken += 1;
                }
            }
            if out.severity.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
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
        new: resolved.map(|_| findings.iter().filter(|f| f.is_new()).count()),
        resolved: resolved.map(Vec::len),
    }
}

/// Adds one to `key`'s count, allocating its key only the first time.
fn count(counts: &mut BTreeMap<String, usize>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
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

/// Splits off the findings a suppression matched; lists the suppressions that matched
/// nothing, or no longer apply.
fn suppress(
    built: Built,
    triage: &Triage,
    as_of: i64,
) -> (Built, Vec<SuppressedOut>, Vec<UnusedSuppressionOut>) {
    let suppressions = &triage.suppress;
    let mut used = vec![false; suppressions.len()];
    let mut suppressed = Vec::new();
    let built = if built.suppressed_by.iter().all(Option::is_none) {
        built
    } else {
        let count = built.findings.len();
        let mut kept = Built {
            findings: Vec::with_capacity(count),
            actions: Vec::with_capacity(count),
            suppressed_by: Vec::new(),
        };
        let rows = built.findings.into_iter().zip(built.actions);
        for ((finding, action), suppressed_by) in rows.zip(built.suppressed_by) {
            match suppressed_by {
                Some(i) => {
                    used[i] = true;
                    suppressed.push(SuppressedOut {
                        suppressed_by: suppressions[i].label(),
                        reason: suppressions[i].reason.clone(),
                        finding,
                    });
                }
                None => {
                    kept.findings.push(finding);
                    kept.actions.push(action);
                }
            }
        }
        kept
    };
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
    (built, suppressed, unused)
}

/// Marks each finding new or persisting and lists the baseline's findings that are gone.
fn compare_with_baseline(
    findings: &mut [FindingOut],
    suppressed: &[SuppressedOut],
    baseline: &Baseline,
) -> Vec<ResolvedOut> {
    let key = |f: &FindingOut| FindingKey {
        advertiser_id: f.advertiser_id.clone(),
        post_id: f.post_id.clone(),
        cause: f.cause.clone(),
    };
    for finding in findings.iter_mut() {
        let status = if baseline.findings.contains_key(&key(finding)) {
            Status::Persisting
        } else {
            Status::New
        };
        finding.status = Some(status);
    }
    let present: BTreeSet<_> = findings
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
            severity: f.severity,
            owner_role: f.owner_role.clone(),
        })
        .collect()
}

fn account_name(facts: &Facts, advertiser: Sym) -> Option<String> {
    facts
        .account_names
        .get(&advertiser)
        .map(|&span| facts.text.get(span).to_string())
}

/// Every audited pair as text, sorted (for JUnit, which lists passing pairs too).
pub fn audited_pairs(imported: &Imported, evaluation: &Evaluation) -> Vec<PairOut> {
    let facts = &imported.facts;
    let mut pairs = evaluation.pairs.clone();
    // IDs sort on integer keys (no text read per comparison); anything else by text.
    let order = facts.syms.order_keys();
    let key = |(a, p): (Sym, Sym)| (order[a.0 as usize], order[p.0 as usize]);
    if pairs.iter().all(|&pair| {
        let (a, p) = key(pair);
        a != NOT_AN_ID && p != NOT_AN_ID
    }) {
        let mut keyed: Vec<((u128, u128), (Sym, Sym))> =
            pairs.iter().map(|&pair| (key(pair), pair)).collect();
        // Equal texts (IDs masked alike) keep their order by symbol, as a stable sort of
        // the evaluation's pairs would.
        keyed.sort_unstable();
        pairs = keyed.into_iter().map(|(_, pair)| pair).collect();
    } else {
        pairs.sort_unstable_by(|a, b| {
            (facts.sym(a.0), facts.sym(a.1))
                .cmp(&(facts.sym(b.0), facts.sym(b.1)))
                .then(a.cmp(b))
        });
    }
    // An ad account's ID and name are shared by its pairs, not copied for each.
    type Shared = (Arc<str>, Option<Arc<str>>);
    let mut accounts: FxHashMap<Sym, Shared> = FxHashMap::default();
    pairs
        .into_iter()
        .map(|(advertiser, post)| {
            let (id, name) = accounts.entry(advertiser).or_insert_with(|| {
                let name = account_name(facts, advertiser).map(Into::into);
                (facts.sym(advertiser).into(), name)
            });
            PairOut {
                advertiser_id: id.clone(),
                account_name: name.clone(),
                post_id: facts.sym(post).to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_streamed_as_they_are_built_are_the_report_written_afterwards() {
        for n in [0, 1, SMALL - 1, SMALL, ROUND * 5 + 1] {
            let template = crate::report::json::tests::report(n);
            let mut expected = Vec::new();
            crate::report::json::write_with_threads(&template, &mut expected, 1).unwrap();
            let items: Vec<usize> = (0..n).collect();
            for threads in [1, 2, 3, 8] {
                let mut out = Vec::new();
                let mut stream = Stream::new(&mut out);
                stream.start(&template);
                let built =
                    build_columns(&items, threads, Some(&mut stream), &|_, _| {}, |&i, _| {
                        let finding = template.findings[i].clone();
                        let key = crate::report::actions::FindingKey {
                            advertiser_id: finding.advertiser_id.clone(),
                            post_id: finding.post_id.clone(),
                            cause: finding.cause.clone(),
                        };
                        (finding, (format!("action {i}"), i as u64, key), None)
                    });
                assert!(
                    built.findings == template.findings,
                    "{n} on {threads}: findings"
                );
                assert_eq!(built.actions.len(), n);
                assert!(built
                    .actions
                    .iter()
                    .enumerate()
                    .all(|(i, a)| a.1 == i as u64));
                let mut report = template.clone();
                report.findings = built.findings;
                stream.finish(&report, threads).unwrap();
                assert!(out == expected, "{n} findings on {threads} threads differ");
            }
        }
    }

    #[test]
    fn a_stalled_round_holds_back_at_most_the_window() {
        // The first round's builder stalls; the others may not race on through the rest
        // (the writer's debug assertion counts the rounds held), and the bytes are the same.
        let n = ROUND * (WINDOW * 3);
        let template = crate::report::json::tests::report(n);
        let mut expected = Vec::new();
        crate::report::json::write_with_threads(&template, &mut expected, 1).unwrap();
        let items: Vec<usize> = (0..n).collect();
        let mut out = Vec::new();
        let mut stream = Stream::new(&mut out);
        stream.start(&template);
        let built = build_columns(&items, 4, Some(&mut stream), &|_, _| {}, |&i, _| {
            if i == 0 {
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            let key = crate::report::actions::FindingKey {
                advertiser_id: String::new(),
                post_id: String::new(),
                cause: String::new(),
            };
            (template.findings[i].clone(), (String::new(), 0, key), None)
        });
        let mut report = template.clone();
        report.findings = built.findings;
        stream.finish(&report, 4).unwrap();
        assert!(out == expected);
    }
}
