//! What every policy shares: sharded evaluation on several threads, the input relations
//! read from the facts, and the merge of finding tuples into findings with evidence.
//!
//! A policy is a crepe program plus a [`RunShard`] function that loads one shard's input
//! relations into it, runs it and hands back its outputs as plain tuples.

use rustc_hash::FxHashMap;
use sparkcheck_facts::{
    AdAccountRole, CodeStatus, Facts, IdentityKind, InputKind, ItemType, LinkStatus, Progress,
    ShareStatus, Sym,
};

use crate::shard::{self, Shard};
use crate::{AdIndex, Cause, Evaluation, Evidence, Finding, Settings};

/// Evidence a finding tuple carries: an input row or a group of ad rows.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ev {
    /// Nothing beyond the pair (the finding is about something absent).
    None,
    /// An [`AdIndex`] group.
    Ads(u32),
    /// `facts.codes[i]`.
    Code(u32),
    /// `facts.shares[i]`.
    Share(u32),
    /// `facts.links[i]`.
    Link(u32),
    /// `facts.identities[i]`.
    Identity(u32),
}

/// Properties of a post read from its code rows.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum PostFlag {
    /// Deleted, private or under review.
    Unavailable,
    /// A carousel.
    Carousel,
}

/// Code status as the rules need it.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum CodeState {
    /// Any status that does not by itself make the code invalid.
    Usable,
    /// `EXPIRED`.
    Expired,
    /// `DELETED` or `REVOKED`.
    Revoked,
}

/// One derived finding: (cause, ad account, post, handle or none, evidence).
pub type FindingTuple = (Cause, Sym, Sym, Sym, Ev);

/// What one shard's run derives, as plain tuples.
#[derive(Debug, Default)]
pub struct Outputs {
    /// Audited (ad account, post) pairs.
    pub pairs: Vec<(Sym, Sym)>,
    /// (post, creator handle).
    pub creators: Vec<(Sym, Sym)>,
    /// Pairs whose post has no known creator.
    pub no_creator: Vec<(Sym, Sym)>,
    /// Finding tuples, several per finding.
    pub findings: Vec<FindingTuple>,
}

impl Outputs {
    fn append(&mut self, other: Outputs) {
        self.pairs.extend(other.pairs);
        self.creators.extend(other.creators);
        self.no_creator.extend(other.no_creator);
        self.findings.extend(other.findings);
    }
}

/// Loads one shard into a policy's program, runs it and returns its outputs.
pub type RunShard = fn(&Facts, &AdIndex, &Shard, &Settings) -> Outputs;

/// Evaluates a policy: groups the ads, cuts the facts into shards (`shards`, or as many as
/// suit the input), runs them on `settings.threads` threads and merges the findings.
pub fn evaluate(
    run: RunShard,
    facts: &Facts,
    settings: &Settings,
    shards: Option<usize>,
    lap: &mut dyn FnMut(&'static str),
    progress: Progress<'_>,
) -> Evaluation {
    let ads = AdIndex::build(facts);
    let count = shards.unwrap_or_else(|| shard::shard_count(facts, &ads));
    let shards = shard::plan(facts, &ads, count);
    lap("group");
    let outputs = run_shards(run, facts, &ads, &shards, settings, progress);
    lap("evaluate");
    let evaluation = merge(facts, &ads, outputs);
    lap("merge");
    evaluation
}

/// Evaluates every shard, `settings.threads` at a time; each thread takes the next shard.
fn run_shards(
    run: RunShard,
    facts: &Facts,
    ads: &AdIndex,
    shards: &[Shard],
    settings: &Settings,
    progress: Progress<'_>,
) -> Outputs {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = settings.threads.clamp(1, shards.len().max(1));
    let work = || {
        let mut outputs = Outputs::default();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(shard) = shards.get(index) else {
                return outputs;
            };
            outputs.append(run(facts, ads, shard, settings));
            progress(1, shards.len() as u64);
        }
    };
    if threads == 1 {
        return work();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        let mut all = Outputs::default();
        for handle in handles {
            all.append(handle.join().expect("a policy thread does not panic"));
        }
        all
    })
}

fn merge(facts: &Facts, ads: &AdIndex, outputs: Outputs) -> Evaluation {
    let Outputs {
        mut pairs,
        creators: mut creators_of,
        no_creator: mut unchecked,
        findings: tuples,
    } = outputs;
    // (post, creator) sorted by id: a binary search per finding, no map of small vectors.
    creators_of.sort_unstable();
    creators_of.dedup();
    let findings = merge_findings(facts, ads, &creators_of, tuples);
    let text = |(a, p): &(Sym, Sym)| (facts.sym(*a), facts.sym(*p));
    // Pairs are only counted: an order by id is stable for given facts and cheap.
    pairs.sort_unstable();
    pairs.dedup();
    unchecked.sort_unstable_by(|x, y| text(x).cmp(&text(y)));
    unchecked.dedup();
    Evaluation {
        findings,
        pairs,
        unchecked,
        spark_ads: ads.len(),
        non_spark_ads: facts.ads.len() - ads.len(),
    }
}

// ---- input relations, read from the facts of one shard -------------------------------

/// Input kinds with at least one file.
pub fn given(facts: &Facts) -> impl Iterator<Item = InputKind> + '_ {
    InputKind::ALL
        .into_iter()
        .filter(|&kind| facts.has_input(kind))
}

/// `(now, now + expiry window)`.
pub fn as_of(settings: &Settings) -> (i64, i64) {
    (
        settings.as_of,
        settings.as_of.saturating_add(settings.expiry_window),
    )
}

/// `ad_use(adv, post, identity kind, handle, group)`.
pub fn ad_uses<'a>(
    facts: &'a Facts,
    ads: &'a AdIndex,
    shard: &'a Shard,
) -> impl Iterator<Item = (Sym, Sym, IdentityKind, Sym, u32)> + 'a {
    shard.groups.iter().map(|&group| {
        let ad = &facts.ads[ads.group(group)[0] as usize];
        (ad.advertiser, ad.post, ad.identity, ad.handle, group)
    })
}

/// How a program reads statuses: each program states this next to the rules that use it.
#[derive(Copy, Clone, Debug)]
pub struct Classify {
    /// What a code status means to the rules.
    pub code_state: fn(CodeStatus) -> CodeState,
    /// Whether a BC share status lets ads use the account.
    pub share_bound: fn(ShareStatus) -> bool,
}

/// `code(post, creator, adv, state, end, row)`; a code with no end time never ends.
pub fn codes<'a>(
    facts: &'a Facts,
    shard: &'a Shard,
    classify: Classify,
) -> impl Iterator<Item = (Sym, Sym, Sym, CodeState, i64, u32)> + 'a {
    shard.codes.iter().map(move |&row| {
        let code = &facts.codes[row as usize];
        let state = (classify.code_state)(code.status);
        (
            code.post,
            code.creator,
            code.advertiser,
            state,
            code.end.unwrap_or(i64::MAX),
            row,
        )
    })
}

/// `post_flagged(post, flag, row)` from the post's code rows.
pub fn post_flags<'a>(
    facts: &'a Facts,
    shard: &'a Shard,
) -> impl Iterator<Item = (Sym, PostFlag, u32)> + 'a {
    shard.codes.iter().flat_map(|&row| {
        let code = &facts.codes[row as usize];
        let unavailable = code.post_unavailable.then_some(PostFlag::Unavailable);
        let carousel = (code.item_type == ItemType::Carousel).then_some(PostFlag::Carousel);
        [unavailable, carousel]
            .into_iter()
            .flatten()
            .map(move |flag| (code.post, flag, row))
    })
}

/// `share(handle, adv, delivery, bound, valid_until, analyst, row)`.
pub fn shares<'a>(
    facts: &'a Facts,
    shard: &'a Shard,
    classify: Classify,
) -> impl Iterator<Item = (Sym, Sym, bool, bool, i64, bool, u32)> + 'a {
    shard.shares.iter().map(move |&row| {
        let share = &facts.shares[row as usize];
        (
            share.handle,
            share.advertiser,
            share.ad_delivery,
            (classify.share_bound)(share.status),
            share.valid_until.unwrap_or(i64::MAX),
            share.role == AdAccountRole::Analyst,
            row,
        )
    })
}

/// `identity(adv, handle, available, row)`.
pub fn identities<'a>(
    facts: &'a Facts,
    shard: &'a Shard,
) -> impl Iterator<Item = (Sym, Sym, bool, u32)> + 'a {
    shard.identities.iter().map(|&row| {
        let identity = &facts.identities[row as usize];
        (
            identity.advertiser,
            identity.handle,
            identity.available,
            row,
        )
    })
}

/// `link(handle, connected, row)`.
pub fn links<'a>(
    facts: &'a Facts,
    shard: &'a Shard,
) -> impl Iterator<Item = (Sym, bool, u32)> + 'a {
    shard.links.iter().map(|&row| {
        let link = &facts.links[row as usize];
        (link.handle, link.status == LinkStatus::Connected, row)
    })
}

/// Merges the tuples of each (ad account, post, cause) into one finding with its handles,
/// ads and evidence, sorted by (advertiser_id, post_id, cause) as text.
fn merge_findings(
    facts: &Facts,
    ads: &AdIndex,
    creators_of: &[(Sym, Sym)],
    tuples: impl IntoIterator<Item = FindingTuple>,
) -> Vec<Finding> {
    #[derive(Default)]
    struct Parts {
        handles: Vec<Sym>,
        groups: Vec<u32>,
        evidence: Vec<Evidence>,
    }
    let mut merged: FxHashMap<(Sym, Sym, Cause), Parts> = FxHashMap::default();
    for (cause, advertiser, post, handle, ev) in tuples {
        let parts = merged.entry((advertiser, post, cause)).or_default();
        if !handle.is_none() {
            parts.handles.push(handle);
        }
        match ev {
            Ev::None => {}
            Ev::Ads(group) => parts.groups.push(group),
            Ev::Code(row) => parts.evidence.push(Evidence::Code(row)),
            Ev::Share(row) => parts.evidence.push(Evidence::Share(row)),
            Ev::Link(row) => parts.evidence.push(Evidence::Link(row)),
            Ev::Identity(row) => parts.evidence.push(Evidence::Identity(row)),
        }
    }
    let mut findings: Vec<Finding> = merged
        .into_iter()
        .map(|((advertiser, post, cause), parts)| {
            let mut handles = parts.handles;
            if handles.is_empty() {
                let start = creators_of.partition_point(|&(p, _)| p < post);
                let end = creators_of.partition_point(|&(p, _)| p <= post);
                handles = creators_of[start..end].iter().map(|&(_, h)| h).collect();
            }
            let mut group_ads: Vec<u32> = parts
                .groups
                .iter()
                .flat_map(|&g| ads.group(g).iter().copied())
                .collect();
            let mut evidence = parts.evidence;
            evidence.extend(group_ads.iter().map(|&ad| Evidence::Ad(ad)));
            // Identity findings concern their own ads; every other cause, all the pair's ads.
            let mut ad_rows = if matches!(cause, Cause::CustomIdentity | Cause::WrongIdentity) {
                std::mem::take(&mut group_ads)
            } else {
                ads.pair(advertiser, post).to_vec()
            };
            ad_rows.sort_unstable_by_key(|&ad| facts.ads[ad as usize].at);
            sort_dedup_by_text(&mut handles, facts);
            evidence.sort_unstable_by_key(|&e| (row_of(facts, e), e));
            evidence.dedup();
            Finding {
                advertiser,
                post,
                cause,
                handles,
                ads: ad_rows,
                evidence,
            }
        })
        .collect();
    findings.sort_unstable_by(|x, y| {
        (facts.sym(x.advertiser), facts.sym(x.post), x.cause.code()).cmp(&(
            facts.sym(y.advertiser),
            facts.sym(y.post),
            y.cause.code(),
        ))
    });
    findings
}

fn sort_dedup_by_text(handles: &mut Vec<Sym>, facts: &Facts) {
    handles.sort_unstable_by(|a, b| facts.sym(*a).cmp(facts.sym(*b)));
    handles.dedup();
}

/// Where an evidence row sits, for a stable order: (file path, line).
fn row_of(facts: &Facts, evidence: Evidence) -> (&str, u32) {
    let at = match evidence {
        Evidence::Ad(i) => facts.ads[i as usize].at,
        Evidence::Share(i) => facts.shares[i as usize].at,
        Evidence::Code(i) => facts.codes[i as usize].at,
        Evidence::Link(i) => facts.links[i as usize].at,
        Evidence::Identity(i) => facts.identities[i as usize].at,
    };
    (facts.path(at), at.line)
}
