//! The `preview` policy: why a Spark post does not preview, as a crepe Datalog program.
//!
//! A post previews only when all hold: the creator's TikTok account is in a Business Center
//! and shared to the ad account with ad delivery (active, not expired, not analyst-only);
//! a valid code for the post is applied to that ad account; every ad using it has the
//! creator's handle as identity, not a custom identity; the post is public; and, where
//! link data is given, the account is connected in the preview tool.
//!
//! Every `Finding` tuple carries one piece of evidence ([`Ev`]); the Rust side merges the
//! tuples of one (ad account, post, cause) into one finding with all their evidence.

use rustc_hash::{FxBuildHasher, FxHashMap};
use sparkcheck_facts::{Facts, InputKind, ItemType, Progress, Sym};

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
}

/// What the rules see of an ad's identity.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ident {
    /// `CUSTOMIZED_USER`.
    Custom,
    /// `AUTH_CODE`, `TT_USER` or `BC_AUTH_TT`: a real TikTok account.
    TikTok,
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

mod program {
    #![allow(missing_docs, clippy::all)]
    use super::{CodeState, Ev, Ident, PostFlag};
    use crate::Cause;
    use crepe::crepe;
    use sparkcheck_facts::{InputKind, Sym};

    crepe! {
        // ---- input relations ------------------------------------------------------------
        // given(Kind): at least one file of Kind was imported.
        @input
        pub struct Given(pub InputKind);
        // as_of(Now, WindowEnd): the evaluation instant and Now + expiry window.
        @input
        pub struct AsOf(pub i64, pub i64);
        // ad_use(Adv, Post, Ident, Handle, Group): ads of Adv use Post under that identity.
        @input
        pub struct AdUse(pub Sym, pub Sym, pub Ident, pub Sym, pub u32);
        // code(Post, Creator, Adv, State, End, Row): Adv is none when not applied; End is
        // i64::MAX when the row gives none.
        @input
        pub struct Code(pub Sym, pub Sym, pub Sym, pub CodeState, pub i64, pub u32);
        // share(Handle, Adv, Delivery, Bound, ValidUntil, Analyst, Row): Adv is none when
        // the account is in the BC but shared nowhere; ValidUntil is i64::MAX when not given.
        @input
        pub struct Share(pub Sym, pub Sym, pub bool, pub bool, pub i64, pub bool, pub u32);
        // link(Handle, Connected, Row).
        @input
        pub struct Link(pub Sym, pub bool, pub u32);
        // post_flag(Post, Flag, Row): read from the post's code rows.
        @input
        pub struct PostFlagged(pub Sym, pub PostFlag, pub u32);

        // ---- derived relations ----------------------------------------------------------
        struct HasCode(Sym);
        struct Creator(Sym, Sym, Ev);
        struct HasCreator(Sym);
        struct PairCreator(Sym, Sym, Sym);
        struct InBc(Sym);
        struct SharedTo(Sym, Sym);
        struct ShareOk(Sym, Sym);
        struct Applied(Sym, Sym);
        struct ValidApplied(Sym, Sym, Sym, i64, u32);
        struct HasValid(Sym, Sym);
        struct LastsBeyondWindow(Sym, Sym);
        struct Connected(Sym);

        @output
        pub struct Pair(pub Sym, pub Sym);
        @output
        pub struct CreatorOf(pub Sym, pub Sym);
        @output
        pub struct NoCreator(pub Sym, pub Sym);
        @output
        pub struct Finding(pub Cause, pub Sym, pub Sym, pub Sym, pub Ev);

        // ---- the audited pairs and the post's creator ------------------------------------
        // pair(A, P) :- ad_use(A, P, _, _, _).
        Pair(a, p) <- AdUse(a, p, _, _, _);
        // pair(A, P) :- code(P, _, A, _, _, _), A != none.
        Pair(a, p) <- Code(p, _, a, _, _, _), (!a.is_none());

        // has_code(P) :- code(P, _, _, _, _, _).
        HasCode(p) <- Code(p, _, _, _, _, _);
        // creator(P, H) :- code(P, H, _, _, _, _).                 Note: any ad account's code.
        Creator(p, h, Ev::Code(r)) <- Code(p, h, _, _, _, r);
        // creator(P, H) :- ad_use(_, P, tiktok, H, _), !has_code(P).
        Creator(p, h, Ev::Ads(g)) <- AdUse(_, p, Ident::TikTok, h, g), !HasCode(p);
        // creator_of(P, H) :- creator(P, H, _).
        CreatorOf(p, h) <- Creator(p, h, _);
        // has_creator(P) :- creator_of(P, _).
        HasCreator(p) <- CreatorOf(p, _);
        // pair_creator(A, P, H) :- pair(A, P), creator_of(P, H).
        PairCreator(a, p, h) <- Pair(a, p), CreatorOf(p, h);
        // no_creator(A, P) :- pair(A, P), !has_creator(P).     Note: BC and link checks skip it.
        NoCreator(a, p) <- Pair(a, p), !HasCreator(p);

        // ---- Business Center ---------------------------------------------------------------
        // in_bc(H) :- share(H, _, _, _, _, _, _).
        InBc(h) <- Share(h, _, _, _, _, _, _);
        // shared_to(H, A) :- share(H, A, _, _, _, _, _), A != none.
        SharedTo(h, a) <- Share(h, a, _, _, _, _, _), (!a.is_none());
        // share_ok(H, A) :- share(H, A, true, true, U, false, _), as_of(Now, _), U > Now.
        ShareOk(h, a) <- Share(h, a, true, true, until, false, _), AsOf(now, _), (until > now);

        // HANDLE_NOT_IN_BC(A, P, H) :- given(bc), pair_creator(A, P, H), creator(P, H, E), !in_bc(H).
        Finding(Cause::HandleNotInBc, a, p, h, e) <-
            Given(InputKind::Bc), PairCreator(a, p, h), Creator(p, h, e), !InBc(h);
        // HANDLE_NOT_SHARED(A, P, H) :- pair_creator(A, P, H), !shared_to(H, A), share(H, _, .., R).
        //   Note: the evidence is where the account *is* in a BC.
        Finding(Cause::HandleNotShared, a, p, h, Ev::Share(r)) <-
            PairCreator(a, p, h), !SharedTo(h, a), Share(h, _, _, _, _, _, r);
        // A share is fine when any one of its rows is; otherwise every defect of its rows shows.
        // NO_AD_DELIVERY(A, P, H) :- pair_creator(A, P, H), share(H, A, false, _, _, _, R), !share_ok(H, A).
        Finding(Cause::NoAdDelivery, a, p, h, Ev::Share(r)) <-
            PairCreator(a, p, h), Share(h, a, false, _, _, _, r), !ShareOk(h, a);
        // SHARE_INACTIVE(A, P, H) :- pair_creator(A, P, H), share(H, A, _, false, _, _, R), !share_ok(H, A).
        Finding(Cause::ShareInactive, a, p, h, Ev::Share(r)) <-
            PairCreator(a, p, h), Share(h, a, _, false, _, _, r), !ShareOk(h, a);
        // SHARE_INACTIVE(A, P, H) :- pair_creator(A, P, H), share(H, A, _, _, U, _, R),
        //                            as_of(Now, _), U <= Now, !share_ok(H, A).
        Finding(Cause::ShareInactive, a, p, h, Ev::Share(r)) <-
            PairCreator(a, p, h), Share(h, a, _, _, until, _, r), AsOf(now, _), (until <= now),
            !ShareOk(h, a);
        // ANALYST_ONLY(A, P, H) :- pair_creator(A, P, H), share(H, A, _, _, _, true, R), !share_ok(H, A).
        Finding(Cause::AnalystOnly, a, p, h, Ev::Share(r)) <-
            PairCreator(a, p, h), Share(h, a, _, _, _, true, r), !ShareOk(h, a);

        // ---- authorization codes -------------------------------------------------------------
        // applied(A, P) :- code(P, _, A, _, _, _), A != none.
        Applied(a, p) <- Code(p, _, a, _, _, _), (!a.is_none());
        // valid_applied(A, P, H, E, R) :- code(P, H, A, usable, E, R), A != none, as_of(Now, _), E > Now.
        ValidApplied(a, p, h, end, r) <-
            Code(p, h, a, CodeState::Usable, end, r), (!a.is_none()), AsOf(now, _), (end > now);
        // has_valid(A, P) :- valid_applied(A, P, _, _, _).
        HasValid(a, p) <- ValidApplied(a, p, _, _, _);

        // CODE_MISSING(A, P) :- given(codes), ad_use(A, P, _, _, G), !has_code(P).
        //   Note: a pair that came from a code has a code, so only ads can make this pair.
        Finding(Cause::CodeMissing, a, p, Sym::NONE, Ev::Ads(g)) <-
            Given(InputKind::Codes), AdUse(a, p, _, _, g), !HasCode(p);
        // CODE_NOT_APPLIED(A, P, H) :- pair(A, P), code(P, H, _, _, _, R), !applied(A, P).
        Finding(Cause::CodeNotApplied, a, p, h, Ev::Code(r)) <-
            Pair(a, p), Code(p, h, _, _, _, r), !Applied(a, p);
        // CODE_REVOKED(A, P, H) :- code(P, H, A, revoked, _, R), A != none, !has_valid(A, P).
        Finding(Cause::CodeRevoked, a, p, h, Ev::Code(r)) <-
            Code(p, h, a, CodeState::Revoked, _, r), (!a.is_none()), !HasValid(a, p);
        // CODE_EXPIRED(A, P, H) :- code(P, H, A, expired, _, R), A != none, !has_valid(A, P).
        Finding(Cause::CodeExpired, a, p, h, Ev::Code(r)) <-
            Code(p, h, a, CodeState::Expired, _, r), (!a.is_none()), !HasValid(a, p);
        // CODE_EXPIRED(A, P, H) :- code(P, H, A, usable, E, R), A != none, as_of(Now, _), E <= Now,
        //                          !has_valid(A, P).        Note: DELETED is revoked, never also expired.
        Finding(Cause::CodeExpired, a, p, h, Ev::Code(r)) <-
            Code(p, h, a, CodeState::Usable, end, r), (!a.is_none()), AsOf(now, _), (end <= now),
            !HasValid(a, p);
        // lasts_beyond_window(A, P) :- valid_applied(A, P, _, E, _), as_of(_, W), E > W.
        LastsBeyondWindow(a, p) <- ValidApplied(a, p, _, end, _), AsOf(_, window_end), (end > window_end);
        // CODE_EXPIRING_SOON(A, P, H) :- valid_applied(A, P, H, _, R), !lasts_beyond_window(A, P).
        Finding(Cause::CodeExpiringSoon, a, p, h, Ev::Code(r)) <-
            ValidApplied(a, p, h, _, r), !LastsBeyondWindow(a, p);

        // ---- identity --------------------------------------------------------------------------
        // CUSTOM_IDENTITY(A, P) :- ad_use(A, P, custom, _, G).
        Finding(Cause::CustomIdentity, a, p, Sym::NONE, Ev::Ads(g)) <- AdUse(a, p, Ident::Custom, _, g);
        // WRONG_IDENTITY(A, P, C) :- ad_use(A, P, tiktok, H, G), !creator_of(P, H), creator_of(P, C).
        //   Note: C is the handle it should be; the wrong one is in the ads' evidence.
        Finding(Cause::WrongIdentity, a, p, c, Ev::Ads(g)) <-
            AdUse(a, p, Ident::TikTok, h, g), !CreatorOf(p, h), CreatorOf(p, c);

        // ---- preview-tool links ------------------------------------------------------------------
        // connected(H) :- link(H, true, _).
        Connected(h) <- Link(h, true, _);
        // NOT_LINKED(A, P, H) :- given(links), pair_creator(A, P, H), !connected(H).
        Finding(Cause::NotLinked, a, p, h, Ev::None) <-
            Given(InputKind::Links), PairCreator(a, p, h), !Connected(h);
        // NOT_LINKED(A, P, H) :- pair_creator(A, P, H), link(H, false, R), !connected(H).
        Finding(Cause::NotLinked, a, p, h, Ev::Link(r)) <-
            PairCreator(a, p, h), Link(h, false, r), !Connected(h);

        // ---- the post itself -----------------------------------------------------------------------
        // POST_UNAVAILABLE(A, P) :- pair(A, P), post_flag(P, unavailable, R).
        Finding(Cause::PostUnavailable, a, p, Sym::NONE, Ev::Code(r)) <-
            Pair(a, p), PostFlagged(p, PostFlag::Unavailable, r);
        // NO_PREVIEW_FORMAT(A, P) :- pair(A, P), post_flag(P, carousel, R).
        Finding(Cause::NoPreviewFormat, a, p, Sym::NONE, Ev::Code(r)) <-
            Pair(a, p), PostFlagged(p, PostFlag::Carousel, r);
    }
}

/// Runs the `preview` policy over `facts` as of `settings`.
pub fn evaluate(facts: &Facts, settings: &Settings) -> Evaluation {
    evaluate_timed(facts, settings, &mut |_| {}, &sparkcheck_facts::no_progress)
}

/// [`evaluate`], calling `lap` after each phase (`group`, `evaluate`, `merge`) and
/// `progress` as shards are done.
pub fn evaluate_timed(
    facts: &Facts,
    settings: &Settings,
    lap: &mut dyn FnMut(&'static str),
    progress: Progress<'_>,
) -> Evaluation {
    let ads = AdIndex::build(facts);
    let shards = shard::plan(facts, &ads, shard::shard_count(facts, &ads));
    lap("group");
    let outputs = run_shards(facts, &ads, &shards, settings, progress);
    lap("evaluate");
    let evaluation = merge(facts, &ads, outputs);
    lap("merge");
    evaluation
}

/// [`evaluate`] with an explicit number of shards, for tests that compare shardings.
pub fn evaluate_sharded(facts: &Facts, settings: &Settings, shards: usize) -> Evaluation {
    let ads = AdIndex::build(facts);
    let shards = shard::plan(facts, &ads, shards);
    let outputs = run_shards(
        facts,
        &ads,
        &shards,
        settings,
        &sparkcheck_facts::no_progress,
    );
    merge(facts, &ads, outputs)
}

/// What one shard's run derives.
type Outputs = (
    Vec<program::Pair>,
    Vec<program::CreatorOf>,
    Vec<program::NoCreator>,
    Vec<program::Finding>,
);

/// Evaluates every shard, `settings.threads` at a time; each thread takes the next shard.
fn run_shards(
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
            let mut runtime = program::Crepe::new();
            load_inputs(&mut runtime, facts, ads, shard, settings);
            let (pairs, creators, no_creator, findings) =
                runtime.run_with_hasher::<FxBuildHasher>();
            outputs.0.extend(pairs);
            outputs.1.extend(creators);
            outputs.2.extend(no_creator);
            outputs.3.extend(findings);
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
            let outputs = handle.join().expect("a policy thread does not panic");
            all.0.extend(outputs.0);
            all.1.extend(outputs.1);
            all.2.extend(outputs.2);
            all.3.extend(outputs.3);
        }
        all
    })
}

fn merge(facts: &Facts, ads: &AdIndex, outputs: Outputs) -> Evaluation {
    let (pairs, creators, no_creator, tuples) = outputs;

    // (post, creator) sorted by id: a binary search per finding, no map of small vectors.
    let mut creators_of: Vec<(Sym, Sym)> = creators
        .into_iter()
        .map(|program::CreatorOf(post, handle)| (post, handle))
        .collect();
    creators_of.sort_unstable();
    let findings = merge_findings(facts, ads, &creators_of, tuples);
    let text = |(a, p): &(Sym, Sym)| (facts.sym(*a), facts.sym(*p));
    // Pairs are only counted: an order by id is stable for given facts and cheap.
    let mut pairs: Vec<(Sym, Sym)> = pairs
        .into_iter()
        .map(|program::Pair(a, p)| (a, p))
        .collect();
    pairs.sort_unstable();
    let mut unchecked: Vec<(Sym, Sym)> = no_creator
        .into_iter()
        .map(|program::NoCreator(a, p)| (a, p))
        .collect();
    unchecked.sort_unstable_by(|x, y| text(x).cmp(&text(y)));
    Evaluation {
        findings,
        pairs,
        unchecked,
        spark_ads: ads.len(),
        non_spark_ads: facts.ads.len() - ads.len(),
    }
}

fn load_inputs(
    runtime: &mut program::Crepe,
    facts: &Facts,
    ads: &AdIndex,
    shard: &Shard,
    settings: &Settings,
) {
    use program::{AdUse, AsOf, Code, Given, Link, PostFlagged, Share};
    let window_end = settings.as_of.saturating_add(settings.expiry_window);
    runtime.extend([AsOf(settings.as_of, window_end)]);
    runtime.extend(
        InputKind::ALL
            .into_iter()
            .filter(|&kind| facts.has_input(kind))
            .map(Given),
    );
    runtime.extend(shard.groups.iter().map(|&group| {
        let ad = &facts.ads[ads.group(group)[0] as usize];
        let ident = if ad.identity.is_tiktok_account() {
            Ident::TikTok
        } else {
            Ident::Custom
        };
        AdUse(ad.advertiser, ad.post, ident, ad.handle, group)
    }));
    let codes = || {
        shard
            .codes
            .iter()
            .map(|&row| (&facts.codes[row as usize], row))
    };
    runtime.extend(codes().map(|(code, row)| {
        let state = if code.status.is_revoked() {
            CodeState::Revoked
        } else if code.status == sparkcheck_facts::CodeStatus::Expired {
            CodeState::Expired
        } else {
            CodeState::Usable
        };
        Code(
            code.post,
            code.creator,
            code.advertiser,
            state,
            code.end.unwrap_or(i64::MAX),
            row,
        )
    }));
    runtime.extend(codes().flat_map(|(code, row)| {
        let unavailable = code.post_unavailable.then_some(PostFlag::Unavailable);
        let carousel = (code.item_type == ItemType::Carousel).then_some(PostFlag::Carousel);
        [unavailable, carousel]
            .into_iter()
            .flatten()
            .map(move |flag| PostFlagged(code.post, flag, row))
    }));
    runtime.extend(shard.shares.iter().map(|&row| {
        let share = &facts.shares[row as usize];
        Share(
            share.handle,
            share.advertiser,
            share.ad_delivery,
            share.status.is_active(),
            share.valid_until.unwrap_or(i64::MAX),
            share.role == sparkcheck_facts::AdAccountRole::Analyst,
            row,
        )
    }));
    runtime.extend(shard.links.iter().map(|&row| {
        let link = &facts.links[row as usize];
        Link(
            link.handle,
            link.status == sparkcheck_facts::LinkStatus::Connected,
            row,
        )
    }));
}

/// Merges the tuples of each (ad account, post, cause) into one finding with its handles,
/// ads and evidence, sorted by (advertiser_id, post_id, cause) as text.
fn merge_findings(
    facts: &Facts,
    ads: &AdIndex,
    creators_of: &[(Sym, Sym)],
    tuples: impl IntoIterator<Item = program::Finding>,
) -> Vec<Finding> {
    #[derive(Default)]
    struct Parts {
        handles: Vec<Sym>,
        groups: Vec<u32>,
        evidence: Vec<Evidence>,
    }
    let mut merged: FxHashMap<(Sym, Sym, Cause), Parts> = FxHashMap::default();
    for program::Finding(cause, advertiser, post, handle, ev) in tuples {
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
    };
    (facts.path(at), at.line)
}
