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
//!
//! **Sharding contract.** Every rule joins only on a post, a handle or an (ad account,
//! post) pair, so the engine may cut the facts into shards by post, with each handle's BC,
//! link and identity rows copied into every shard that needs them (`shard.rs`). A rule
//! that joined on anything else (all ads of an ad account, say) would break that; the test
//! `scale::sharding_changes_nothing` holds every policy's sharded run to the unsharded one.

use rustc_hash::FxBuildHasher;
use sparkcheck_facts::Facts;

use sparkcheck_facts::{CodeStatus, ShareStatus};

use crate::engine::{self, Classify, CodeState, Outputs};
use crate::shard::Shard;
use crate::{AdIndex, Settings};

/// What the rules see of an ad's identity.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ident {
    /// `CUSTOMIZED_USER`.
    Custom,
    /// `AUTH_CODE`, `TT_USER` or `BC_AUTH_TT`: a real TikTok account.
    TikTok,
}

mod program {
    #![allow(missing_docs, clippy::all)]
    use super::Ident;
    use crate::engine::{CodeState, Ev, PostFlag};
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
        // code(Post, Creator, Adv, State, End, Row): Creator is none when the row names no
        // creator (a creator-side `/business/post/authorize/status/` record); Adv is none
        // when not applied; End is i64::MAX when the row gives none.
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
        // identity(Adv, Handle, Available, Row): from `/identity/get/`.
        @input
        pub struct Identity(pub Sym, pub Sym, pub bool, pub u32);

        // ---- derived relations ----------------------------------------------------------
        struct HasCode(Sym);
        struct HasNamedCode(Sym);
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
        // has_named_code(P) :- code(P, H, _, _, _, _), H != none.
        HasNamedCode(p) <- Code(p, h, _, _, _, _), (!h.is_none());
        // creator(P, H) :- code(P, H, _, _, _, _), H != none.     Note: any ad account's code.
        Creator(p, h, Ev::Code(r)) <- Code(p, h, _, _, _, r), (!h.is_none());
        // creator(P, H) :- ad_use(_, P, tiktok, H, _), !has_named_code(P).
        //   Note: a post whose codes name no creator takes its ads' TikTok accounts (spec 3.1).
        Creator(p, h, Ev::Ads(g)) <- AdUse(_, p, Ident::TikTok, h, g), !HasNamedCode(p);
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
        //   Note: a code with no creator names none; the finding takes the post's creators.
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

        // ---- the ad account's identity -----------------------------------------------------------
        // IDENTITY_UNAVAILABLE(A, P, H) :- ad_use(A, P, tiktok, H, _), identity(A, H, false, R).
        Finding(Cause::IdentityUnavailable, a, p, h, Ev::Identity(r)) <-
            AdUse(a, p, Ident::TikTok, h, _), Identity(a, h, false, r);

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

// ---- how the rules read statuses -------------------------------------------------------

/// A code is withdrawn when `DELETED` (the creator deleted it) or `REVOKED`; `EXPIRED` is
/// expired; every other status (`NOT_USED`, `IN_USE`, `AUTHORIZED`) is usable until its
/// end time.
pub(crate) fn code_state(status: CodeStatus) -> CodeState {
    match status {
        CodeStatus::Deleted | CodeStatus::Revoked => CodeState::Revoked,
        CodeStatus::Expired => CodeState::Expired,
        CodeStatus::NotUsed | CodeStatus::InUse | CodeStatus::Authorized => CodeState::Usable,
    }
}

/// Only a `BOUND` share lets ads use the account (an empty status reads as `BOUND`);
/// `PENDING`, `REJECTED`, `UNBOUND` and `REVOKED` are inactive.
pub(crate) fn share_bound(status: ShareStatus) -> bool {
    status == ShareStatus::Bound
}

/// The classification this program's rules use.
pub(crate) const CLASSIFY: Classify = Classify {
    code_state,
    share_bound,
};

/// Loads one shard into the program and runs it.
pub(crate) fn run_shard(
    facts: &Facts,
    ads: &AdIndex,
    shard: &Shard,
    settings: &Settings,
    sizes: &mut Vec<usize>,
) -> Outputs {
    use program::{AdUse, AsOf, Code, Given, Link, PostFlagged, Share};
    let mut runtime = program::Crepe::new();
    let (now, window_end) = engine::as_of(settings);
    runtime.extend([AsOf(now, window_end)]);
    runtime.extend(engine::given(facts).map(Given));
    runtime.extend(engine::ad_uses(ads, shard).map(|(a, p, kind, h, g)| {
        let ident = if kind.is_tiktok_account() {
            Ident::TikTok
        } else {
            Ident::Custom
        };
        AdUse(a, p, ident, h, g)
    }));
    runtime.extend(
        engine::codes(facts, shard, CLASSIFY).map(|(p, h, a, s, e, r)| Code(p, h, a, s, e, r)),
    );
    runtime.extend(engine::post_flags(facts, shard).map(|(p, f, r)| PostFlagged(p, f, r)));
    runtime.extend(
        engine::identities(facts, shard).map(|(a, h, ok, r)| program::Identity(a, h, ok, r)),
    );
    runtime.extend(
        engine::shares(facts, shard, CLASSIFY)
            .map(|(h, a, d, b, u, an, r)| Share(h, a, d, b, u, an, r)),
    );
    runtime.extend(engine::links(facts, shard).map(|(h, c, r)| Link(h, c, r)));
    let (pairs, creators, no_creator, findings) = {
        let mut hints = program::CrepeSizes(std::mem::take(sizes));
        let outputs = runtime.run_with_sizes::<FxBuildHasher>(&mut hints);
        *sizes = hints.0;
        outputs
    };
    Outputs {
        pairs: pairs
            .into_iter()
            .map(|program::Pair(a, p)| (a, p))
            .collect(),
        creators: creators
            .into_iter()
            .map(|program::CreatorOf(p, h)| (p, h))
            .collect(),
        no_creator: no_creator
            .into_iter()
            .map(|program::NoCreator(a, p)| (a, p))
            .collect(),
        findings: findings
            .into_iter()
            .map(|program::Finding(c, a, p, h, e)| (c, a, p, h, e))
            .collect(),
    }
}
