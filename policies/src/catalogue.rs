//! The cause catalogue: every reason a Spark post fails, with its severity, the role that
//! owns the fix, the symptom people see, and the fix steps in the troubleshooting guide's
//! order (Business Center, code, identity, then a hard refresh of the preview tool).
//!
//! Codes are part of the report's contract: never rename or reuse one.

use std::fmt;

use sparkcheck_facts::InputKind::{Ads, Bc, Codes, Identities, Links};
use sparkcheck_facts::{InputKind, OptionalField};

/// How bad a finding is.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Severity {
    /// The post cannot be previewed or used now.
    Error,
    /// Works now, or works for delivery, but needs attention.
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
}

/// Who must act, as in the guide's role checklist.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum OwnerRole {
    /// Business Center administrator: adds and shares TikTok accounts.
    OrgAdmin,
    /// The TikTok creator: authorizes posts and generates codes.
    Creator,
    /// Ads Manager user: applies codes.
    Advertiser,
    /// Builds the ads: sets their identity.
    MediaBuyer,
}

impl OwnerRole {
    /// Every role, in the guide's order.
    pub const ALL: [OwnerRole; 4] = [
        OwnerRole::OrgAdmin,
        OwnerRole::Creator,
        OwnerRole::Advertiser,
        OwnerRole::MediaBuyer,
    ];

    /// The role's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            OwnerRole::OrgAdmin => "Org Admin",
            OwnerRole::Creator => "Creator",
            OwnerRole::Advertiser => "Advertiser",
            OwnerRole::MediaBuyer => "Media Buyer",
        }
    }
}

/// Every cause the `preview` policy can report.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Cause {
    /// The creator's handle is in no Business Center export given.
    HandleNotInBc,
    /// In a Business Center, but not shared to this ad account.
    HandleNotShared,
    /// Shared, but without the ad delivery permission.
    NoAdDelivery,
    /// The share is revoked, unbound, rejected, pending or past its end.
    ShareInactive,
    /// The Business Center's role on the ad account is Analyst.
    AnalystOnly,
    /// No code exists for the post.
    CodeMissing,
    /// A code exists but none is applied to this ad account.
    CodeNotApplied,
    /// The applied code expired.
    CodeExpired,
    /// The applied code was deleted or revoked by the creator.
    CodeRevoked,
    /// Every valid applied code ends within the expiry window.
    CodeExpiringSoon,
    /// An ad with this post uses a custom identity.
    CustomIdentity,
    /// An ad's identity is a TikTok account other than the post's creator.
    WrongIdentity,
    /// The preview tool has no connection to the creator's account.
    NotLinked,
    /// The post is deleted, private or under review.
    PostUnavailable,
    /// The post is a carousel, which the preview tool never shows.
    NoPreviewFormat,
    /// (`delivery`) A `TT_USER` ad's account is linked to its ad account in no data given.
    TtAccountNotLinked,
    /// The ad account's identity for the handle is not available (`available_status`).
    IdentityUnavailable,
}

/// A cause's catalogue entry.
#[derive(Debug)]
pub struct CauseInfo {
    /// The stable code, such as `CODE_EXPIRED`.
    pub code: &'static str,
    /// A short human label, shown beside the code.
    pub title: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The role that owns the fix.
    pub owner: OwnerRole,
    /// When the cause fires, in one sentence.
    pub when: &'static str,
    /// What a user sees.
    pub symptom: &'static str,
    /// Why it breaks the preview.
    pub why: &'static str,
    /// Fix steps, with `{handle}`, `{advertiser}` and `{post}` filled in per finding.
    pub fix: &'static [&'static str],
    /// Whether the guide's last step, the hard refresh of the preview tool, applies.
    pub refresh: bool,
    /// A minimal situation that makes it fire, row by row.
    pub example: &'static str,
    /// The fix as one action for worklists: findings with the same action text are fixed
    /// by one act (one share can clear many posts). Placeholders as in `fix`, plus `{ads}`.
    pub action: &'static str,
    /// What the check needs from the inputs; without it the cause is "not checked".
    pub needs: Needs,
}

/// The inputs a cause's check needs.
#[derive(Debug)]
pub struct Needs {
    /// Input kinds that must all be given.
    pub all: &'static [InputKind],
    /// Input kinds of which at least one must be given (empty: no such condition).
    pub any: &'static [InputKind],
    /// An optional field some file of its kind must have.
    pub field: Option<OptionalField>,
    /// Whether the check needs the post's creator: for a pair whose post has no known
    /// creator it cannot run, and the report lists the pair as not checked for it.
    pub creator: bool,
}

/// The guide's last step, after any fix.
pub const HARD_REFRESH: &str = "Hard-refresh the preview tool so it reloads with the new \
                                access: Cmd+Shift+R on Mac, Ctrl+Shift+R on PC.";

const APPLY_CODE: &str = "In Ads Manager for ad account {advertiser}, open Creative Library → \
                          Spark Ads Posts → Apply code and enter the new code.";

impl Cause {
    /// Every cause, in the guide's order.
    pub const ALL: [Cause; 17] = [
        Cause::HandleNotInBc,
        Cause::HandleNotShared,
        Cause::NoAdDelivery,
        Cause::ShareInactive,
        Cause::AnalystOnly,
        Cause::CodeMissing,
        Cause::CodeNotApplied,
        Cause::CodeExpired,
        Cause::CodeRevoked,
        Cause::CodeExpiringSoon,
        Cause::CustomIdentity,
        Cause::WrongIdentity,
        Cause::NotLinked,
        Cause::PostUnavailable,
        Cause::NoPreviewFormat,
        Cause::TtAccountNotLinked,
        Cause::IdentityUnavailable,
    ];

    /// The cause whose code is `code` (case-insensitive).
    pub fn from_code(code: &str) -> Option<Cause> {
        Cause::ALL
            .into_iter()
            .find(|cause| cause.code().eq_ignore_ascii_case(code))
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// Severity.
    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// Owner role.
    pub fn owner(self) -> OwnerRole {
        self.info().owner
    }

    /// The catalogue entry.
    pub fn info(self) -> &'static CauseInfo {
        match self {
            Cause::HandleNotInBc => &CauseInfo {
                code: "HANDLE_NOT_IN_BC",
                title: "Handle not in any Business Center",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The creator's TikTok account is in none of the Business Center exports given.",
                symptom: "The post is visible on TikTok but not in Ads Manager, and its preview does not load.",
                why: "Ads reach a creator's posts through a Business Center that holds the TikTok account; \
                      an account outside every Business Center cannot be shared to an ad account.",
                fix: &[
                    "In TikTok Business Center, open Assets → TikTok Accounts and add {handle}.",
                    "Then, under Assets → Ad Accounts, share {handle} to ad account {advertiser} with the Ad Delivery permission.",
                ],
                refresh: true,
                example: "codes: post 7301… by @maya, applied to ad account 7100…\nbc: no row names @maya",
                action: "add {handle} to the Business Center and share it to ad account {advertiser} with ad delivery",
                needs: Needs { all: &[Bc], any: &[], field: None, creator: true },
            },
            Cause::HandleNotShared => &CauseInfo {
                code: "HANDLE_NOT_SHARED",
                title: "Handle not shared to the ad account",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The creator's TikTok account is in a Business Center but not shared to this ad account.",
                symptom: "The post is visible on TikTok but missing in this ad account's Ads Manager.",
                why: "Being in the Business Center is not enough: each ad account that runs the post needs the \
                      TikTok account shared to it.",
                fix: &[
                    "In TikTok Business Center, open Assets → Ad Accounts and share {handle} to ad account {advertiser} with the Ad Delivery permission.",
                    "If sharing is not offered, remove {handle} under Assets → TikTok Accounts and add it again.",
                ],
                refresh: true,
                example: "codes: post 7301… by @maya, applied to ad account 7100…\nbc: @maya shared to ad account 7199… only",
                action: "share {handle} to ad account {advertiser} with ad delivery",
                needs: Needs { all: &[Bc], any: &[], field: None, creator: true },
            },
            Cause::NoAdDelivery => &CauseInfo {
                code: "NO_AD_DELIVERY",
                title: "Shared without ad delivery",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The TikTok account is shared to the ad account without the ad delivery permission.",
                symptom: "The post is visible on TikTok but cannot be picked for ads in this ad account.",
                why: "Only a share with ad delivery (\"Deliver ads\") lets the ad account run the account's posts.",
                fix: &[
                    "In TikTok Business Center, open Assets → Ad Accounts, edit the share of {handle} to ad account {advertiser} and turn on Ad Delivery (\"Deliver ads\").",
                ],
                refresh: true,
                example: "bc: @maya shared to ad account 7100… with permissions `Existing posts`",
                action: "share {handle} to ad account {advertiser} with ad delivery",
                needs: Needs { all: &[Bc], any: &[], field: None, creator: true },
            },
            Cause::ShareInactive => &CauseInfo {
                code: "SHARE_INACTIVE",
                title: "Business Center share inactive",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The share to the ad account is revoked, unbound, rejected, pending, or past its Valid Until time.",
                symptom: "A preview that worked before is gone, although the post is still on TikTok.",
                why: "A share stops working as soon as it is unlinked, revoked or expires, and a pending or \
                      rejected request never started working.",
                fix: &[
                    "In TikTok Business Center, open Assets → Ad Accounts and share {handle} to ad account {advertiser} again with Ad Delivery; have a pending request accepted.",
                    "If the share will not come back, remove {handle} under Assets → TikTok Accounts and add it again.",
                ],
                refresh: true,
                example: "bc: @maya shared to ad account 7100… with status `REVOKED` (or `Valid Until` past)",
                action: "share {handle} to ad account {advertiser} with ad delivery",
                needs: Needs { all: &[Bc], any: &[], field: None, creator: true },
            },
            Cause::AnalystOnly => &CauseInfo {
                code: "ANALYST_ONLY",
                title: "Analyst access only",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The Business Center's role on the ad account is Analyst.",
                symptom: "The post cannot be pulled into an ad in this ad account.",
                why: "Using existing posts in ads needs Admin or Operator access to the ad account; Analyst \
                      can only read reports.",
                fix: &[
                    "In TikTok Business Center, open Assets → Ad Accounts and give the Business Center Admin or Operator access to ad account {advertiser}.",
                ],
                refresh: true,
                example: "bc: @maya shared to ad account 7100… with Ad Account Role `ANALYST`",
                action: "give the Business Center Admin or Operator access to ad account {advertiser}",
                needs: Needs { all: &[Bc], any: &[], field: Some(OptionalField::AdAccountRole), creator: true },
            },
            Cause::CodeMissing => &CauseInfo {
                code: "CODE_MISSING",
                title: "No authorization code",
                severity: Severity::Error,
                owner: OwnerRole::Creator,
                when: "No authorization code exists for the post.",
                symptom: "The post cannot be found when setting up an ad.",
                why: "A creator's post is available to Spark Ads only once the creator authorizes it with a code.",
                fix: &[
                    "Ask {handle} to open post {post} in the TikTok app, tap \"…\" → Ad settings, turn on \"Allow promotion\" and tap Generate code, choosing a long expiry.",
                    APPLY_CODE,
                ],
                refresh: true,
                example: "ads: ad 1800… of ad account 7100… uses post 7301…\ncodes: no row for post 7301…",
                action: "ask {handle} for a new code for post {post}",
                needs: Needs { all: &[Codes], any: &[], field: None, creator: false },
            },
            Cause::CodeNotApplied => &CauseInfo {
                code: "CODE_NOT_APPLIED",
                title: "Code not applied",
                severity: Severity::Error,
                owner: OwnerRole::Advertiser,
                when: "A code exists for the post but none is applied to this ad account.",
                symptom: "The post is missing from this ad account's Spark Ads posts.",
                why: "A code authorizes the post only for the ad accounts it is applied to.",
                fix: &[
                    "In Ads Manager for ad account {advertiser}, open Creative Library → Spark Ads Posts → Apply code and enter the code of post {post}.",
                    "If nobody has the code any more, ask {handle} to generate a new one (TikTok app: \"…\" → Ad settings → Generate code).",
                ],
                refresh: true,
                example: "ads: ad of ad account 7199… uses post 7301…\ncodes: the code of post 7301… is applied to ad account 7100… only",
                action: "apply the code of post {post} in ad account {advertiser}",
                needs: Needs { all: &[Codes], any: &[], field: None, creator: false },
            },
            Cause::CodeExpired => &CauseInfo {
                code: "CODE_EXPIRED",
                title: "Code expired",
                severity: Severity::Error,
                owner: OwnerRole::Creator,
                when: "Every code applied to the ad account has expired (status EXPIRED or end time passed).",
                symptom: "A preview that worked before is gone.",
                why: "Authorization lasts only as long as the expiry the creator chose when generating the code.",
                fix: &[
                    "Ask {handle} to authorize post {post} again: TikTok app, \"…\" → Ad settings → Generate code, with a longer expiry this time.",
                    APPLY_CODE,
                ],
                refresh: true,
                example: "codes: post 7301… applied to 7100…, status `IN_USE`, End Time before --as-of",
                action: "ask {handle} for a new code for post {post}",
                needs: Needs { all: &[Codes], any: &[], field: None, creator: false },
            },
            Cause::CodeRevoked => &CauseInfo {
                code: "CODE_REVOKED",
                title: "Code revoked",
                severity: Severity::Error,
                owner: OwnerRole::Creator,
                when: "Every code applied to the ad account was deleted or revoked by the creator.",
                symptom: "A preview that worked before is gone.",
                why: "The creator can withdraw authorization at any time, and the post leaves the ad account at once.",
                fix: &[
                    "Ask {handle} whether withdrawing the code of post {post} was intended; if not, have them turn \"Allow promotion\" back on and generate a new code.",
                    APPLY_CODE,
                ],
                refresh: true,
                example: "codes: post 7301… applied to 7100…, status `DELETED`",
                action: "ask {handle} for a new code for post {post}",
                needs: Needs { all: &[Codes], any: &[], field: None, creator: false },
            },
            Cause::CodeExpiringSoon => &CauseInfo {
                code: "CODE_EXPIRING_SOON",
                title: "Code expiring soon",
                severity: Severity::Warning,
                owner: OwnerRole::Creator,
                when: "Every valid code applied to the ad account ends within the expiry window.",
                symptom: "The preview works today but will disappear when the code ends.",
                why: "When the last valid code ends, the post leaves the ad account and its preview goes with it.",
                fix: &[
                    "Ask {handle} for a new code for post {post} before the current one ends (TikTok app: \"…\" → Ad settings → Generate code, with a longer expiry).",
                    APPLY_CODE,
                ],
                refresh: false,
                example: "codes: post 7301… applied to 7100…, End Time 3 days after --as-of (window 7d)",
                action: "ask {handle} for a new code for post {post}",
                needs: Needs { all: &[Codes], any: &[], field: Some(OptionalField::EndTime), creator: false },
            },
            Cause::CustomIdentity => &CauseInfo {
                code: "CUSTOM_IDENTITY",
                title: "Custom identity",
                severity: Severity::Error,
                owner: OwnerRole::MediaBuyer,
                when: "An ad using the post has a custom identity.",
                symptom: "The ad shows a custom name instead of the creator's TikTok handle, and the post does not preview.",
                why: "A custom identity is a name and an avatar with no TikTok account behind it, so it cannot carry a creator's post.",
                fix: &[
                    "In Ads Manager, edit the ads listed and set Identity to {handle}, not a Custom Identity, even one that looks the same.",
                ],
                refresh: true,
                example: "ads: ad 1800… uses post 7301… with Identity Type `Custom Identity`",
                action: "set the identity of ads {ads} to {handle}",
                needs: Needs { all: &[Ads], any: &[], field: None, creator: false },
            },
            Cause::WrongIdentity => &CauseInfo {
                code: "WRONG_IDENTITY",
                title: "Wrong TikTok handle as identity",
                severity: Severity::Error,
                owner: OwnerRole::MediaBuyer,
                when: "An ad's TikTok-account identity is not the handle of the post's creator.",
                symptom: "The TikTok handle on the ad is wrong, and the post does not preview.",
                why: "A Spark Ad must run under the account that published the post.",
                fix: &[
                    "In Ads Manager, edit the ads listed and set Identity to {handle}, the account that published post {post}.",
                    "Check the identity again after saving: a similar-looking handle is a different account.",
                ],
                refresh: true,
                example: "codes: post 7301… by @maya\nads: ad 1800… uses post 7301… with identity @maya.official",
                action: "set the identity of ads {ads} to {handle}",
                needs: Needs { all: &[Ads, Codes], any: &[], field: None, creator: false },
            },
            Cause::NotLinked => &CauseInfo {
                code: "NOT_LINKED",
                title: "Not connected in the preview tool",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "Link data is given and the creator's TikTok account is not connected in the preview tool.",
                symptom: "Spark ad previews do not load in the preview tool, although the ad account can use the post.",
                why: "The preview tool shows a post only with access of its own to the TikTok account; ad account permissions are not enough.",
                fix: &[
                    "In the preview tool (Motion), connect the TikTok account {handle} again with a user who has access to it.",
                ],
                refresh: true,
                example: "links: @maya `disconnected` (or no row for @maya)",
                action: "connect {handle} in the preview tool",
                needs: Needs { all: &[Links], any: &[], field: None, creator: true },
            },
            Cause::PostUnavailable => &CauseInfo {
                code: "POST_UNAVAILABLE",
                title: "Post deleted, private or under review",
                severity: Severity::Error,
                owner: OwnerRole::Creator,
                when: "The post is deleted, private (only the author or friends can see it) or under review.",
                symptom: "The post cannot be previewed or promoted, whatever the permissions.",
                why: "Only a public post can run as a Spark Ad or be previewed.",
                fix: &[
                    "Ask {handle} to make post {post} public again, or wait until its review ends; a deleted post cannot come back, so pick another post for the ads.",
                ],
                refresh: true,
                example: "codes: post 7301… with Post Status `ONLY_AUTHOR_SEE`",
                action: "ask {handle} to make post {post} public again, or pick another post",
                needs: Needs { all: &[Codes], any: &[], field: Some(OptionalField::PostStatus), creator: false },
            },
            Cause::TtAccountNotLinked => &CauseInfo {
                code: "TT_ACCOUNT_NOT_LINKED",
                title: "TikTok account not linked to the ad account",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "An ad uses a TikTok account (TT_USER) that no Business Center share links to its ad account.",
                symptom: "The ad cannot run: the TikTok account is not available as an identity in this ad account.",
                why: "A TikTok-account identity delivers only from an ad account it is linked to, directly or through a Business Center share.",
                fix: &[
                    "Link {handle} to ad account {advertiser}: in TikTok Business Center, Assets → Ad Accounts, share it with Ad Delivery, or link it under the ad account's identities.",
                    "If it is linked outside any Business Center, add that identity export to the audit so the link is seen.",
                ],
                refresh: false,
                example: "ads: ad 1800… of ad account 7100… uses @maya as `TT_USER`\nbc: @maya shared to ad account 7199… only",
                action: "link {handle} to ad account {advertiser} (a Business Center share with ad delivery, or the ad account's identities)",
                needs: Needs { all: &[Ads], any: &[Bc, Identities], field: None, creator: false },
            },
            Cause::IdentityUnavailable => &CauseInfo {
                code: "IDENTITY_UNAVAILABLE",
                title: "Identity unavailable",
                severity: Severity::Error,
                owner: OwnerRole::OrgAdmin,
                when: "The ad account's identity for the handle an ad uses has an available_status other than AVAILABLE.",
                symptom: "The TikTok account cannot be picked as the ad's identity, or its posts cannot be pulled in.",
                why: "TikTok marks an identity unusable when its binding is gone (NO_VALID_BIND_ACCOUNT), its permissions do not cover ads (SCOPE_UNAVAILABLE), the account is private (IS_PRIVATE_ACCOUNT) or it is not a business account (NOT_BUSINESS_ACCOUNT).",
                fix: &[
                    "Read the identity's status in the evidence: for NO_VALID_BIND_ACCOUNT or SCOPE_UNAVAILABLE, authorize {handle} again for ad account {advertiser} (Business Center, Assets → TikTok Accounts) with ad permissions.",
                    "For IS_PRIVATE_ACCOUNT or NOT_BUSINESS_ACCOUNT, ask {handle} to make the account public and switch it to a business account in the TikTok app.",
                ],
                refresh: true,
                example: "identities (/identity/get/ of ad account 7100…): @maya, TT_USER, available_status `IS_PRIVATE_ACCOUNT`\nads: ad 1800… of 7100… uses @maya",
                action: "authorize {handle} again for ad account {advertiser} so its identity is available",
                needs: Needs { all: &[Ads, Identities], any: &[], field: None, creator: false },
            },
            Cause::NoPreviewFormat => &CauseInfo {
                code: "NO_PREVIEW_FORMAT",
                title: "Carousel: no preview",
                severity: Severity::Warning,
                owner: OwnerRole::MediaBuyer,
                when: "The post is a carousel.",
                symptom: "The preview tool shows no preview for this post, although the ad may run.",
                why: "The preview tool previews single-video Spark Ads only, never carousels.",
                fix: &[
                    "Nothing blocks delivery: check the carousel in Ads Manager's own ad preview, or use a single-video post where a preview-tool preview is needed.",
                ],
                refresh: false,
                example: "codes: post 7301… with Item Type `CAROUSEL`",
                action: "check carousel post {post} in Ads Manager's own preview",
                needs: Needs { all: &[Codes], any: &[], field: Some(OptionalField::ItemType), creator: false },
            },
        }
    }

    /// The fix steps for one finding, placeholders filled and, where the preview tool is
    /// concerned (`refresh`), its hard refresh last.
    pub fn fix_steps(
        self,
        handle: Option<&str>,
        advertiser: &str,
        post: &str,
        refresh: bool,
    ) -> Vec<String> {
        let handle = handle.map_or_else(
            || "the creator's TikTok account".to_string(),
            |h| format!("@{h}"),
        );
        let info = self.info();
        let mut steps: Vec<String> = info
            .fix
            .iter()
            .map(|step| fill(step, &handle, advertiser, post, ""))
            .collect();
        if info.refresh && refresh {
            steps.push(HARD_REFRESH.to_string());
        }
        steps
    }
}

impl Cause {
    /// The fix action for one finding: the catalogue's `action` with its placeholders
    /// filled (`handle` already shown as `@name`, or the creator when unknown).
    pub fn action(self, handle: Option<&str>, advertiser: &str, post: &str, ads: &str) -> String {
        fill(
            self.info().action,
            handle.unwrap_or("the creator"),
            advertiser,
            post,
            ads,
        )
    }

    /// The causes whose check needs the post's creator.
    pub fn needing_creator() -> impl Iterator<Item = Cause> {
        Cause::ALL.into_iter().filter(|c| c.info().needs.creator)
    }
}

/// The placeholders a catalogue text may hold.
pub const PLACEHOLDERS: [&str; 4] = ["{handle}", "{advertiser}", "{post}", "{ads}"];

/// The template with its placeholders filled (a report fills several per finding: chained
/// `replace` calls built and scanned a string per placeholder). Values are not scanned
/// again, so a `{post}` inside a value stays as it is. The string is allocated at its exact
/// size: a report holds hundreds of thousands of these, and slack in each was memory the
/// kernel had to hand the process.
fn fill(template: &str, handle: &str, advertiser: &str, post: &str, ads: &str) -> String {
    let values = [
        ("{handle}", handle),
        ("{advertiser}", advertiser),
        ("{post}", post),
        ("{ads}", ads),
    ];
    let mut length = 0;
    fill_pieces(template, &values, |piece| length += piece.len());
    let mut out = String::with_capacity(length);
    fill_pieces(template, &values, |piece| out.push_str(piece));
    out
}

/// Calls `emit` with each piece of `template` filled from `values`, in order.
fn fill_pieces<'a>(template: &'a str, values: &[(&str, &'a str)], mut emit: impl FnMut(&'a str)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        emit(&rest[..open]);
        let after = &rest[open..];
        match values.iter().find(|(name, _)| after.starts_with(name)) {
            Some((name, value)) => {
                emit(value);
                rest = &after[name.len()..];
            }
            None => {
                emit("{");
                rest = &after[1..];
            }
        }
    }
    emit(rest);
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn placeholders_are_filled_once_each_time_they_occur() {
        assert_eq!(
            fill(
                "{handle} {post}{post} {ads} {advertiser}",
                "@a",
                "7",
                "9",
                "1, 2"
            ),
            "@a 99 1, 2 7"
        );
        // A value holding a placeholder's name is not filled again; stray braces stay.
        assert_eq!(
            fill("{handle}: {post}", "{post}", "7", "9", ""),
            "{post}: 9"
        );
        assert_eq!(fill("{ {x} {post", "h", "a", "p", "d"), "{ {x} {post");
        assert_eq!(fill("", "h", "a", "p", "d"), "");
    }

    #[test]
    fn codes_are_unique_and_round_trip() {
        let codes: BTreeSet<&str> = Cause::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), Cause::ALL.len());
        for cause in Cause::ALL {
            assert_eq!(Cause::from_code(cause.code()), Some(cause));
            assert_eq!(Cause::from_code(&cause.code().to_lowercase()), Some(cause));
        }
    }

    #[test]
    fn every_entry_is_filled_in() {
        for cause in Cause::ALL {
            let info = cause.info();
            for (section, text) in [
                ("when", info.when),
                ("symptom", info.symptom),
                ("why", info.why),
            ] {
                assert!(text.len() > 20, "{cause}: {section} is too short");
                assert!(text.ends_with('.'), "{cause}: {section} is not a sentence");
            }
            assert!(!info.fix.is_empty(), "{cause} has no fix step");
            assert!(info.title.len() > 5, "{cause}: title is too short");
            assert!(info.action.len() > 10, "{cause}: action is too short");
            assert!(
                !info.needs.all.is_empty() || !info.needs.any.is_empty(),
                "{cause}: needs names no input"
            );
            for text in info.fix.iter().chain([&info.action]) {
                let mut rest = text.to_string();
                for placeholder in PLACEHOLDERS {
                    rest = rest.replace(placeholder, "");
                }
                assert!(
                    !rest.contains('{'),
                    "{cause}: unknown placeholder in {text}"
                );
            }
        }
    }

    #[test]
    fn actions_are_specific_to_their_cause() {
        for cause in Cause::ALL {
            let action = cause.action(Some("@maya"), "7100", "7301", "1800");
            assert!(
                !action.contains(cause.code()),
                "{cause}: generic action {action}"
            );
            assert!(!action.contains('{'), "{cause}: {action}");
        }
    }

    /// Like cargo-deny's `codes_unique`: a renamed or removed code shows in review.
    #[test]
    fn cause_codes_snapshot() {
        let codes: Vec<&str> = Cause::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "HANDLE_NOT_IN_BC",
                "HANDLE_NOT_SHARED",
                "NO_AD_DELIVERY",
                "SHARE_INACTIVE",
                "ANALYST_ONLY",
                "CODE_MISSING",
                "CODE_NOT_APPLIED",
                "CODE_EXPIRED",
                "CODE_REVOKED",
                "CODE_EXPIRING_SOON",
                "CUSTOM_IDENTITY",
                "WRONG_IDENTITY",
                "NOT_LINKED",
                "POST_UNAVAILABLE",
                "NO_PREVIEW_FORMAT",
                "TT_ACCOUNT_NOT_LINKED",
                "IDENTITY_UNAVAILABLE",
            ],
            "cause codes are a contract: never rename or reuse one"
        );
    }

    #[test]
    fn fix_steps_fill_placeholders_and_end_with_the_refresh() {
        let steps = Cause::HandleNotInBc.fix_steps(Some("acme"), "700", "730", true);
        assert!(steps[0].contains("@acme"));
        assert!(steps[1].contains("ad account 700"));
        assert_eq!(steps.last().unwrap(), HARD_REFRESH);
        for cause in Cause::ALL {
            let joined = cause.fix_steps(None, "A", "P", true).join(" ");
            assert!(
                !joined.contains('{'),
                "{cause} leaves a placeholder: {joined}"
            );
        }
        assert!(!Cause::NoPreviewFormat
            .fix_steps(None, "A", "P", true)
            .contains(&HARD_REFRESH.to_string()));
        let delivery = Cause::CodeExpired.fix_steps(None, "A", "P", false);
        assert!(!delivery.contains(&HARD_REFRESH.to_string()));
    }
}
