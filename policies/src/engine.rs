//! What every policy shares: sharded evaluation on several threads, the input relations
//! read from the facts, and the merge of finding tuples into findings with evidence.
//!
//! A policy is a crepe program plus a [`RunShard`] function that loads one shard's input
//! relations into it, runs it and hands back its outputs as plain tuples.

use sparkcheck_facts::threads::{spawn, Spawned};
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

/// Loads one shard into a policy's program, runs it and returns its outputs. The last
/// argument is the sizes of the previous shard's run on this thread (empty at first),
/// which the program takes as capacity hints and replaces with its own.
pub type RunShard = fn(&Facts, &AdIndex, &Shard, &Settings, &mut Vec<usize>) -> Outputs;

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
    let ads = AdIndex::build(facts, settings.threads);
    let count = shards.unwrap_or_else(|| shard::shard_count(facts, &ads));
    let shards = shard::plan(facts, &ads, count);
    lap("group");
    let outputs = run_shards(run, facts, &ads, &shards, settings, progress);
    lap("evaluate");
    let evaluation = merge(facts, &ads, outputs, settings.threads);
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
        let mut sizes = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(shard) = shards.get(index) else {
                return outputs;
            };
            outputs.append(run(facts, ads, shard, settings, &mut sizes));
            progress(1, shards.len() as u64);
        }
    };
    if threads == 1 {
        return work();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| spawn(scope, work)).collect();
        let mut all = Outputs::default();
        for handle in handles {
            all.append(handle.join());
        }
        all
    })
}

fn merge(facts: &Facts, ads: &AdIndex, outputs: Outputs, threads: usize) -> Evaluation {
    let Outputs {
        mut pairs,
        creators: mut creators_of,
        no_creator: mut unchecked,
        findings: mut tuples,
    } = outputs;
    // (post, creator) sorted by id: a binary search per finding, no map of small vectors.
    // Pairs are only counted: an order by id is stable for given facts and cheap. Both
    // sorts need nothing of the findings' text order: they run on a thread of their own
    // beside it (about 20 and 40 ms at 1M ads, each on one core).
    let sort_ids = |creators_of: &mut Vec<(Sym, Sym)>, pairs: &mut Vec<(Sym, Sym)>| {
        creators_of.sort_unstable();
        creators_of.dedup();
        pairs.sort_unstable();
        pairs.dedup();
    };
    let rank = if threads > 1 && tuples.len() >= 4096 {
        std::thread::scope(|scope| {
            let ids = spawn(scope, || sort_ids(&mut creators_of, &mut pairs));
            let rank = order_by_text(facts, &mut tuples);
            ids.join();
            rank
        })
    } else {
        sort_ids(&mut creators_of, &mut pairs);
        order_by_text(facts, &mut tuples)
    };
    let findings = merge_findings(facts, ads, &creators_of, &tuples, &rank, threads);
    let text = |(a, p): &(Sym, Sym)| (facts.sym(*a), facts.sym(*p));
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

/// Rows of a shard ahead of the one being read.
const ROWS_AHEAD: usize = 16;

/// The rows `rows` of `table`, each with its index, asking for the row [`ROWS_AHEAD`]
/// places on to be brought into cache: a shard's rows are one in every hundred or so of
/// the table, too far apart for the processor to fetch ahead by itself, and loading the
/// shards' codes and BC rows waited on main memory for most of them.
fn rows_ahead<'a, T>(table: &'a [T], rows: &'a [u32]) -> impl Iterator<Item = (u32, &'a T)> + 'a {
    rows.iter().enumerate().map(move |(i, &row)| {
        if let Some(&ahead) = rows.get(i + ROWS_AHEAD) {
            if let Some(ahead) = table.get(ahead as usize) {
                sparkcheck_facts::prefetch::prefetch(ahead);
            }
        }
        (row, &table[row as usize])
    })
}

/// `ad_use(adv, post, identity kind, handle, group)`.
pub fn ad_uses<'a>(
    ads: &'a AdIndex,
    shard: &'a Shard,
) -> impl Iterator<Item = (Sym, Sym, IdentityKind, Sym, u32)> + 'a {
    shard.groups.iter().map(|&group| {
        let (advertiser, post, identity, handle) = ads.key(group);
        (advertiser, post, identity, handle, group)
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
    rows_ahead(&facts.codes, &shard.codes).map(move |(row, code)| {
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
    rows_ahead(&facts.codes, &shard.codes).flat_map(|(row, code)| {
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
    rows_ahead(&facts.shares, &shard.shares).map(move |(row, share)| {
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
    rows_ahead(&facts.identities, &shard.identities).map(|(row, identity)| {
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
    rows_ahead(&facts.links, &shard.links)
        .map(|(row, link)| (link.handle, link.status == LinkStatus::Connected, row))
}

/// Sorts the finding tuples by (advertiser_id, post_id, cause) as text, and returns the
/// rank table [`merge_findings`] keys them by.
///
/// The text order is computed once: the distinct ad accounts and posts are sorted by text
/// into a rank table, then the tuples are sorted on integer keys (ranks and the cause's
/// rank by code), so equal keys are adjacent and come out in the final order.
fn order_by_text(facts: &Facts, tuples: &mut [FindingTuple]) -> Vec<u32> {
    let rank = text_ranks(facts, tuples.iter().flat_map(|t| [t.1, t.2]));
    let cause_rank = cause_ranks();
    tuples.sort_unstable_by_key(|t| text_key(&rank, &cause_rank, t));
    rank
}

/// A tuple's place in the text order: its ad account's and post's ranks, its cause's.
fn text_key(rank: &[u32], cause_rank: &[u8], t: &FindingTuple) -> (u32, u32, u8) {
    (
        rank[t.1 .0 as usize],
        rank[t.2 .0 as usize],
        cause_rank[t.0 as usize],
    )
}

/// Merges the tuples of each (ad account, post, cause), sorted by [`order_by_text`],
/// into one finding with its handles, ads and evidence: each run of equal keys becomes
/// one finding, on up to `threads` threads.
fn merge_findings(
    facts: &Facts,
    ads: &AdIndex,
    creators_of: &[(Sym, Sym)],
    tuples: &[FindingTuple],
    rank: &[u32],
    threads: usize,
) -> Vec<Finding> {
    let cause_rank = cause_ranks();
    let key = |t: &FindingTuple| text_key(rank, &cause_rank, t);
    // Runs of equal keys, cut into about `threads` parts at run boundaries.
    let parts = threads.clamp(1, 64);
    let mut bounds = vec![0];
    for part in 1..parts {
        let mut at = (tuples.len() * part / parts).max(*bounds.last().unwrap_or(&0));
        while at > 0 && at < tuples.len() && key(&tuples[at]) == key(&tuples[at - 1]) {
            at += 1;
        }
        bounds.push(at.min(tuples.len()));
    }
    bounds.push(tuples.len());
    let build = |slice: &[FindingTuple]| {
        let mut findings = Vec::new();
        let mut start = 0;
        while start < slice.len() {
            let mut end = start + 1;
            while end < slice.len() && key(&slice[end]) == key(&slice[start]) {
                end += 1;
            }
            findings.push(finding_of(facts, ads, creators_of, &slice[start..end]));
            start = end;
        }
        findings
    };
    if parts == 1 || tuples.len() < 4096 {
        return build(tuples);
    }
    let slices: Vec<&[FindingTuple]> = bounds.windows(2).map(|w| &tuples[w[0]..w[1]]).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = slices
            .into_iter()
            .map(|slice| spawn(scope, move || build(slice)))
            .collect();
        handles.into_iter().flat_map(Spawned::join).collect()
    })
}

/// For each symbol id among `syms`, its rank in the text order of those symbols (equal
/// text, equal rank); other ids map to 0.
fn text_ranks(facts: &Facts, syms: impl Iterator<Item = Sym>) -> Vec<u32> {
    let mut distinct: Vec<Sym> = syms.collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.sort_unstable_by(|a, b| facts.sym(*a).cmp(facts.sym(*b)));
    let len = distinct.iter().map(|s| s.0 as usize + 1).max().unwrap_or(0);
    let mut rank = vec![0u32; len];
    for (i, sym) in distinct.iter().enumerate() {
        rank[sym.0 as usize] = i as u32;
    }
    rank
}

/// Each cause's rank in the order of cause codes, indexed by the cause.
fn cause_ranks() -> [u8; Cause::ALL.len()] {
    let mut by_code = Cause::ALL;
    by_code.sort_unstable_by_key(|c| c.code());
    let mut rank = [0u8; Cause::ALL.len()];
    for (i, cause) in by_code.iter().enumerate() {
        rank[*cause as usize] = i as u8;
    }
    rank
}

/// One finding from the tuples of one (ad account, post, cause).
fn finding_of(
    facts: &Facts,
    ads: &AdIndex,
    creators_of: &[(Sym, Sym)],
    tuples: &[FindingTuple],
) -> Finding {
    let (cause, advertiser, post, _, _) = tuples[0];
    let mut handles = Vec::new();
    let mut groups = Vec::new();
    let mut evidence = Vec::new();
    for &(_, _, _, handle, ev) in tuples {
        if !handle.is_none() {
            handles.push(handle);
        }
        match ev {
            Ev::None => {}
            Ev::Ads(group) => groups.push(group),
            Ev::Code(row) => evidence.push(Evidence::Code(row)),
            Ev::Share(row) => evidence.push(Evidence::Share(row)),
            Ev::Link(row) => evidence.push(Evidence::Link(row)),
            Ev::Identity(row) => evidence.push(Evidence::Identity(row)),
        }
    }
    if handles.is_empty() {
        let start = creators_of.partition_point(|&(p, _)| p < post);
        let end = creators_of.partition_point(|&(p, _)| p <= post);
        handles = creators_of[start..end].iter().map(|&(_, h)| h).collect();
    }
    let mut group_ads: Vec<u32> = groups
        .iter()
        .flat_map(|&g| ads.group(g).iter().copied())
        .collect();
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
}

fn sort_dedup_by_text(handles: &mut Vec<Sym>, facts: &Facts) {
    // By text, then symbol: two handles can read the same once masked (both were auth
    // codes), and a sort by text alone left them in the rules' output order, so `dedup`
    // kept a repeat or not from run to run.
    handles.sort_unstable_by(|a, b| facts.sym(*a).cmp(facts.sym(*b)).then(a.cmp(b)));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two handles that were auth codes read alike once masked: whatever order the rules
    /// give them in, each is listed once (a sort by text alone kept a repeat or not).
    #[test]
    fn handles_that_read_alike_once_masked_are_each_listed_once_in_any_order() {
        let mut facts = Facts::default();
        let a = facts.syms.intern("spkaaaaaaaaaaaa0001");
        let b = facts.syms.intern("spkbbbbbbbbbbbb0001");
        facts.secrets.add("#SPKAAAAAAAAAAAA0001");
        facts.secrets.add("#SPKBBBBBBBBBBBB0001");
        assert!(facts.scrub_secrets());
        assert_eq!(facts.sym(a), facts.sym(b));
        for order in [[a, b, a], [a, a, b], [b, a, a], [b, a, b]] {
            let mut handles = order.to_vec();
            sort_dedup_by_text(&mut handles, &facts);
            assert_eq!(handles, [a.min(b), a.max(b)], "from {order:?}");
        }
    }
}
