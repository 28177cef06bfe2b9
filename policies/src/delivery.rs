//! The `delivery` policy: can each ad run as a Spark Ad at all? A crepe Datalog program.
//!
//! The path TikTok requires depends on the ad's identity type:
//! - `AUTH_CODE`: a valid code for the post applied to the ad's ad account (no BC needed);
//! - `BC_AUTH_TT`: the identity's TikTok account in a Business Center, shared to the ad
//!   account with ad delivery, active, with a role other than analyst, and the post must be
//!   that account's own;
//! - `TT_USER`: the account linked to the ad account (a BC share is the link the exports
//!   show), and the post must be the account's own;
//! - a custom identity cannot carry a post at all; a deleted or private post cannot deliver.
//!
//! Preview-tool links and carousels do not matter here. `docs/policies.md` sets this
//! policy beside `preview` and explains where they disagree.
//!
//! **Statuses** are read as `preview` reads them ([`crate::preview::CLASSIFY`]: a code is
//! usable unless `EXPIRED`, `DELETED` or `REVOKED`; only a `BOUND` share is active): TikTok
//! applies one meaning to both questions.
//!
//! **Sharding contract.** As in `preview`: every rule joins only on a post, a handle or an
//! (ad account, post) pair (`Linked(h, a)` joins a handle's shares and identities, copied
//! into each shard that needs the handle); `scale::sharding_changes_nothing` holds it.

use rustc_hash::FxBuildHasher;
use sparkcheck_facts::Facts;

use crate::engine::{self, Outputs};
use crate::shard::Shard;
use crate::{AdIndex, Settings};

mod program {
    #![allow(missing_docs, clippy::all)]
    use crate::engine::{CodeState, Ev, PostFlag};
    use crate::Cause;
    use crepe::crepe;
    use sparkcheck_facts::{IdentityKind, InputKind, Sym};

    crepe! {
        // ---- input relations (as in `preview`, with the exact identity type) -------------
        @input
        pub struct Given(pub InputKind);
        @input
        pub struct AsOf(pub i64, pub i64);
        // ad_use(Adv, Post, Kind, Handle, Group).
        @input
        pub struct AdUse(pub Sym, pub Sym, pub IdentityKind, pub Sym, pub u32);
        @input
        pub struct Code(pub Sym, pub Sym, pub Sym, pub CodeState, pub i64, pub u32);
        @input
        pub struct Share(pub Sym, pub Sym, pub bool, pub bool, pub i64, pub bool, pub u32);
        @input
        pub struct PostFlagged(pub Sym, pub PostFlag, pub u32);
        // identity(Adv, Handle, Available, Row): from `/identity/get/`.
        @input
        pub struct Identity(pub Sym, pub Sym, pub bool, pub u32);

        // ---- derived relations -------------------------------------------------------------
        struct HasCode(Sym);
        struct Applied(Sym, Sym);
        struct ValidApplied(Sym, Sym, Sym, i64, u32);
        struct HasValid(Sym, Sym);
        struct LastsBeyondWindow(Sym, Sym);
        struct InBc(Sym);
        struct SharedTo(Sym, Sym);
        struct ShareOk(Sym, Sym);
        // account_ad(Adv, Post, Handle, Group): an ad whose identity is a TikTok account
        // it must own the post through (TT_USER or BC_AUTH_TT).
        struct AccountAd(Sym, Sym, Sym, u32);
        struct Linked(Sym, Sym);
        struct LinkData();

        @output
        pub struct Pair(pub Sym, pub Sym);
        @output
        pub struct CreatorOf(pub Sym, pub Sym);
        @output
        pub struct Finding(pub Cause, pub Sym, pub Sym, pub Sym, pub Ev);

        // ---- the audited pairs: every ad's (ad account, post); codes alone deliver nothing
        // pair(A, P) :- ad_use(A, P, _, _, _).
        Pair(a, p) <- AdUse(a, p, _, _, _);
        // creator_of(P, H) :- code(P, H, _, _, _, _), H != none.  Note: the post's owner, from
        //   codes; a code with no creator names none.
        CreatorOf(p, h) <- Code(p, h, _, _, _, _), (!h.is_none());
        // account_ad(A, P, H, G) :- ad_use(A, P, tt_user, H, G).
        AccountAd(a, p, h, g) <- AdUse(a, p, IdentityKind::TtUser, h, g);
        // account_ad(A, P, H, G) :- ad_use(A, P, bc_auth_tt, H, G).
        AccountAd(a, p, h, g) <- AdUse(a, p, IdentityKind::BcAuthTt, h, g);

        // ---- AUTH_CODE ads: a valid code applied to the ad's ad account ----------------------
        // has_code(P) :- code(P, _, _, _, _, _).
        HasCode(p) <- Code(p, _, _, _, _, _);
        // applied(A, P) :- code(P, _, A, _, _, _), A != none.
        Applied(a, p) <- Code(p, _, a, _, _, _), (!a.is_none());
        // valid_applied(A, P, H, E, R) :- code(P, H, A, usable, E, R), A != none, as_of(Now, _), E > Now.
        ValidApplied(a, p, h, end, r) <-
            Code(p, h, a, CodeState::Usable, end, r), (!a.is_none()), AsOf(now, _), (end > now);
        // has_valid(A, P) :- valid_applied(A, P, _, _, _).
        HasValid(a, p) <- ValidApplied(a, p, _, _, _);
        // lasts_beyond_window(A, P) :- valid_applied(A, P, _, E, _), as_of(_, W), E > W.
        LastsBeyondWindow(a, p) <- ValidApplied(a, p, _, end, _), AsOf(_, window_end), (end > window_end);

        // CODE_MISSING(A, P) :- given(codes), ad_use(A, P, auth_code, _, G), !has_code(P).
        Finding(Cause::CodeMissing, a, p, Sym::NONE, Ev::Ads(g)) <-
            Given(InputKind::Codes), AdUse(a, p, IdentityKind::AuthCode, _, g), !HasCode(p);
        // CODE_NOT_APPLIED(A, P, H) :- ad_use(A, P, auth_code, _, _), code(P, H, _, _, _, R), !applied(A, P).
        Finding(Cause::CodeNotApplied, a, p, h, Ev::Code(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, _, _), !Applied(a, p), Code(p, h, _, _, _, r);
        // CODE_REVOKED(A, P, H) :- ad_use(A, P, auth_code, _, _), code(P, H, A, revoked, _, R), !has_valid(A, P).
        Finding(Cause::CodeRevoked, a, p, h, Ev::Code(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, _, _), !HasValid(a, p), Code(p, h, a, CodeState::Revoked, _, r);
        // CODE_EXPIRED(A, P, H) :- ad_use(A, P, auth_code, _, _), code(P, H, A, expired, _, R), !has_valid(A, P).
        Finding(Cause::CodeExpired, a, p, h, Ev::Code(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, _, _), !HasValid(a, p), Code(p, h, a, CodeState::Expired, _, r);
        // CODE_EXPIRED(A, P, H) :- ad_use(A, P, auth_code, _, _), code(P, H, A, usable, E, R),
        //                          as_of(Now, _), E <= Now, !has_valid(A, P).
        Finding(Cause::CodeExpired, a, p, h, Ev::Code(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, _, _), !HasValid(a, p),
            Code(p, h, a, CodeState::Usable, end, r), AsOf(now, _), (end <= now);
        // CODE_EXPIRING_SOON(A, P, H) :- ad_use(A, P, auth_code, _, _), valid_applied(A, P, H, _, R),
        //                                !lasts_beyond_window(A, P).
        Finding(Cause::CodeExpiringSoon, a, p, h, Ev::Code(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, _, _), ValidApplied(a, p, h, _, r), !LastsBeyondWindow(a, p);

        // ---- BC_AUTH_TT ads: the identity's account shared from a BC with ad delivery --------
        // in_bc(H) :- share(H, _, _, _, _, _, _).
        InBc(h) <- Share(h, _, _, _, _, _, _);
        // shared_to(H, A) :- share(H, A, _, _, _, _, _), A != none.
        SharedTo(h, a) <- Share(h, a, _, _, _, _, _), (!a.is_none());
        // share_ok(H, A) :- share(H, A, true, true, U, false, _), as_of(Now, _), U > Now.
        ShareOk(h, a) <- Share(h, a, true, true, until, false, _), AsOf(now, _), (until > now);

        // HANDLE_NOT_IN_BC(A, P, H) :- given(bc), ad_use(A, P, bc_auth_tt, H, G), !in_bc(H).
        Finding(Cause::HandleNotInBc, a, p, h, Ev::Ads(g)) <-
            Given(InputKind::Bc), AdUse(a, p, IdentityKind::BcAuthTt, h, g), !InBc(h);
        // HANDLE_NOT_SHARED(A, P, H) :- ad_use(A, P, bc_auth_tt, H, _), !shared_to(H, A), share(H, _, .., R).
        Finding(Cause::HandleNotShared, a, p, h, Ev::Share(r)) <-
            AdUse(a, p, IdentityKind::BcAuthTt, h, _), !SharedTo(h, a), Share(h, _, _, _, _, _, r);
        // NO_AD_DELIVERY(A, P, H) :- ad_use(A, P, bc_auth_tt, H, _), !share_ok(H, A), share(H, A, false, .., R).
        Finding(Cause::NoAdDelivery, a, p, h, Ev::Share(r)) <-
            AdUse(a, p, IdentityKind::BcAuthTt, h, _), !ShareOk(h, a), Share(h, a, false, _, _, _, r);
        // SHARE_INACTIVE(A, P, H) :- ad_use(A, P, bc_auth_tt, H, _), !share_ok(H, A), share(H, A, _, false, .., R).
        Finding(Cause::ShareInactive, a, p, h, Ev::Share(r)) <-
            AdUse(a, p, IdentityKind::BcAuthTt, h, _), !ShareOk(h, a), Share(h, a, _, false, _, _, r);
        // SHARE_INACTIVE(A, P, H) :- ad_use(A, P, bc_auth_tt, H, _), !share_ok(H, A),
        //                            share(H, A, _, _, U, _, R), as_of(Now, _), U <= Now.
        Finding(Cause::ShareInactive, a, p, h, Ev::Share(r)) <-
            AdUse(a, p, IdentityKind::BcAuthTt, h, _), !ShareOk(h, a),
            Share(h, a, _, _, until, _, r), AsOf(now, _), (until <= now);
        // ANALYST_ONLY(A, P, H) :- ad_use(A, P, bc_auth_tt, H, _), !share_ok(H, A), share(H, A, _, _, _, true, R).
        Finding(Cause::AnalystOnly, a, p, h, Ev::Share(r)) <-
            AdUse(a, p, IdentityKind::BcAuthTt, h, _), !ShareOk(h, a), Share(h, a, _, _, _, true, r);

        // ---- TT_USER ads: the account linked to the ad account --------------------------------
        // linked(H, A) :- shared_to(H, A).
        Linked(h, a) <- SharedTo(h, a);
        // linked(H, A) :- identity(A, H, _, _).        Note: the ad account lists it as its own.
        Linked(h, a) <- Identity(a, h, _, _);
        // link_data(K) :- given(bc).  link_data(K) :- given(identities).
        LinkData() <- Given(InputKind::Bc);
        LinkData() <- Given(InputKind::Identities);
        // TT_ACCOUNT_NOT_LINKED(A, P, H) :- link_data(), ad_use(A, P, tt_user, H, G), !linked(H, A).
        Finding(Cause::TtAccountNotLinked, a, p, h, Ev::Ads(g)) <-
            LinkData(), AdUse(a, p, IdentityKind::TtUser, h, g), !Linked(h, a);

        // IDENTITY_UNAVAILABLE(A, P, H) :- ad_use(A, P, K, H, _), K != custom, identity(A, H, false, R).
        Finding(Cause::IdentityUnavailable, a, p, h, Ev::Identity(r)) <-
            AccountAd(a, p, h, _), Identity(a, h, false, r);
        Finding(Cause::IdentityUnavailable, a, p, h, Ev::Identity(r)) <-
            AdUse(a, p, IdentityKind::AuthCode, h, _), Identity(a, h, false, r);

        // ---- the post must be the identity's own (TT_USER and BC_AUTH_TT) ---------------------
        // WRONG_IDENTITY(A, P, C) :- account_ad(A, P, H, G), !creator_of(P, H), creator_of(P, C).
        Finding(Cause::WrongIdentity, a, p, c, Ev::Ads(g)) <-
            AccountAd(a, p, h, g), !CreatorOf(p, h), CreatorOf(p, c);

        // ---- what no identity can fix -----------------------------------------------------------
        // CUSTOM_IDENTITY(A, P) :- ad_use(A, P, custom, _, G).
        Finding(Cause::CustomIdentity, a, p, Sym::NONE, Ev::Ads(g)) <-
            AdUse(a, p, IdentityKind::Custom, _, g);
        // POST_UNAVAILABLE(A, P) :- pair(A, P), post_flagged(P, unavailable, R).
        Finding(Cause::PostUnavailable, a, p, Sym::NONE, Ev::Code(r)) <-
            Pair(a, p), PostFlagged(p, PostFlag::Unavailable, r);
    }
}

pub(crate) fn run_shard(
    facts: &Facts,
    ads: &AdIndex,
    shard: &Shard,
    settings: &Settings,
    sizes: &mut Vec<usize>,
) -> Outputs {
    use program::{AdUse, AsOf, Code, Given, PostFlagged, Share};
    let mut runtime = program::Crepe::new();
    let (now, window_end) = engine::as_of(settings);
    runtime.extend([AsOf(now, window_end)]);
    runtime.extend(engine::given(facts).map(Given));
    runtime.extend(engine::ad_uses(ads, shard).map(|(a, p, k, h, g)| AdUse(a, p, k, h, g)));
    runtime.extend(
        engine::codes(facts, shard, crate::preview::CLASSIFY)
            .map(|(p, h, a, s, e, r)| Code(p, h, a, s, e, r)),
    );
    runtime.extend(engine::post_flags(facts, shard).map(|(p, f, r)| PostFlagged(p, f, r)));
    runtime.extend(
        engine::identities(facts, shard).map(|(a, h, ok, r)| program::Identity(a, h, ok, r)),
    );
    runtime.extend(
        engine::shares(facts, shard, crate::preview::CLASSIFY)
            .map(|(h, a, d, b, u, an, r)| Share(h, a, d, b, u, an, r)),
    );
    let (pairs, creators, findings) = {
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
        // An ad's identity names the account to check, so no pair lacks one here.
        no_creator: Vec::new(),
        findings: findings
            .into_iter()
            .map(|program::Finding(c, a, p, h, e)| (c, a, p, h, e))
            .collect(),
    }
}
