//! The input relations, one row struct per input kind.

use crate::{RowRef, Span, Sym};

/// How an ad reaches its post (spec: Identity Type).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum IdentityKind {
    /// `CUSTOMIZED_USER`, "Custom Identity": a name and avatar, no TikTok account.
    Custom,
    /// `AUTH_CODE`, "Authorized post" / "Spark Ads code".
    AuthCode,
    /// `TT_USER`, "TikTok account".
    TtUser,
    /// `BC_AUTH_TT`, "Business Center authorized TikTok account".
    BcAuthTt,
}

impl IdentityKind {
    /// TikTok's API enum name.
    pub fn api_name(self) -> &'static str {
        match self {
            IdentityKind::Custom => "CUSTOMIZED_USER",
            IdentityKind::AuthCode => "AUTH_CODE",
            IdentityKind::TtUser => "TT_USER",
            IdentityKind::BcAuthTt => "BC_AUTH_TT",
        }
    }

    /// Whether the identity is a real TikTok account (anything but a custom identity).
    pub fn is_tiktok_account(self) -> bool {
        self != IdentityKind::Custom
    }
}

/// `ad(advertiser, post, identity_kind, handle)`.
#[derive(Copy, Clone, Debug)]
pub struct AdRow {
    /// Where the row came from.
    pub at: RowRef,
    /// The ad account (`Account ID`).
    pub advertiser: Sym,
    /// The Spark post, or [`Sym::NONE`] for an ordinary (non-Spark) ad.
    pub post: Sym,
    /// The identity type.
    pub identity: IdentityKind,
    /// The normalised handle of a TikTok-account identity; [`Sym::NONE`] for a custom identity.
    pub handle: Sym,
    /// A custom identity's name as exported (empty for TikTok accounts: their handle is
    /// `handle`, and a million copies of it would only cost memory).
    pub identity_label: Span,
    /// `Ad ID` as text.
    pub ad_id: Span,
    /// `Ad Name`, when given.
    pub ad_name: Span,
}

/// Relation status of a TikTok account shared from a Business Center.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum ShareStatus {
    /// Active (also an empty `Status`).
    Bound,
    /// Waiting for acceptance.
    Pending,
    /// Refused (`REJECT` or `REJECTED`).
    Rejected,
    /// Unlinked.
    Unbound,
    /// Withdrawn.
    Revoked,
}

impl ShareStatus {
    /// The export's enum name.
    pub fn name(self) -> &'static str {
        match self {
            ShareStatus::Bound => "BOUND",
            ShareStatus::Pending => "PENDING",
            ShareStatus::Rejected => "REJECTED",
            ShareStatus::Unbound => "UNBOUND",
            ShareStatus::Revoked => "REVOKED",
        }
    }
}

/// The Business Center's role on an ad account (`advertiser_role`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum AdAccountRole {
    /// Not given in the export.
    Unknown,
    /// `ADMIN`.
    Admin,
    /// `OPERATOR`.
    Operator,
    /// `ANALYST`: can read reports, cannot pull posts into ads.
    Analyst,
}

impl AdAccountRole {
    /// The export's enum name ("" when unknown).
    pub fn name(self) -> &'static str {
        match self {
            AdAccountRole::Unknown => "",
            AdAccountRole::Admin => "ADMIN",
            AdAccountRole::Operator => "OPERATOR",
            AdAccountRole::Analyst => "ANALYST",
        }
    }
}

/// `share(handle, advertiser, delivery, status, valid_until, role)`: one BC row.
#[derive(Copy, Clone, Debug)]
pub struct ShareRow {
    /// Where the row came from.
    pub at: RowRef,
    /// `BC ID` as text.
    pub bc_id: Span,
    /// `BC Name`, when given.
    pub bc_name: Span,
    /// The TikTok account's normalised handle.
    pub handle: Sym,
    /// The ad account it is shared to; [`Sym::NONE`] when shared to none.
    pub advertiser: Sym,
    /// Whether the permissions include ad delivery.
    pub ad_delivery: bool,
    /// The permissions as exported.
    pub permissions: Span,
    /// Relation status.
    pub status: ShareStatus,
    /// `Valid Until` in unix seconds, when given.
    pub valid_until: Option<i64>,
    /// The BC's role on the ad account.
    pub role: AdAccountRole,
}

/// Status of a Spark Ads authorization code, creator or advertiser side.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum CodeStatus {
    /// `NOT_USED`: generated, not applied yet.
    NotUsed,
    /// `IN_USE`.
    InUse,
    /// `AUTHORIZED` (advertiser side).
    Authorized,
    /// `EXPIRED`.
    Expired,
    /// `DELETED`: the creator revoked it.
    Deleted,
    /// `REVOKED`.
    Revoked,
}

impl CodeStatus {
    /// TikTok's enum name.
    pub fn name(self) -> &'static str {
        match self {
            CodeStatus::NotUsed => "NOT_USED",
            CodeStatus::InUse => "IN_USE",
            CodeStatus::Authorized => "AUTHORIZED",
            CodeStatus::Expired => "EXPIRED",
            CodeStatus::Deleted => "DELETED",
            CodeStatus::Revoked => "REVOKED",
        }
    }
}

/// Whether the post is a single video or a carousel.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum ItemType {
    /// Not given.
    Unknown,
    /// `VIDEO`.
    Video,
    /// `CAROUSEL`: never previewed by the preview tool.
    Carousel,
}

/// `code(post, creator, advertiser, status, end)`: one authorization-code row.
#[derive(Copy, Clone, Debug)]
pub struct CodeRow {
    /// Where the row came from.
    pub at: RowRef,
    /// The post the code authorizes.
    pub post: Sym,
    /// The creator's normalised handle.
    pub creator: Sym,
    /// The ad account the code is applied to; [`Sym::NONE`] when not applied.
    pub advertiser: Sym,
    /// Code status.
    pub status: CodeStatus,
    /// Start time in unix seconds, when given.
    pub start: Option<i64>,
    /// End time in unix seconds, when given.
    pub end: Option<i64>,
    /// The code masked to its last four characters: the whole code is never stored.
    pub masked_code: Span,
    /// The post's `status` (upper case), when given.
    pub post_status: Span,
    /// Whether that status means the post cannot be shown (deleted, private, under review).
    pub post_unavailable: bool,
    /// The post's item type.
    pub item_type: ItemType,
}

/// `identity(advertiser, handle, kind, available)`: a TikTok-account identity an ad account
/// has (TikTok API `/identity/get/`).
#[derive(Copy, Clone, Debug)]
pub struct IdentityRow {
    /// Where the row came from.
    pub at: RowRef,
    /// The ad account that has the identity.
    pub advertiser: Sym,
    /// The TikTok account's normalised handle.
    pub handle: Sym,
    /// The identity type.
    pub kind: IdentityKind,
    /// Whether `available_status` is `AVAILABLE`.
    pub available: bool,
    /// `available_status` as given.
    pub available_status: Span,
    /// `identity_authorized_bc_id`, when given.
    pub bc_id: Span,
}

/// Connection state of a TikTok account in the preview tool.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum LinkStatus {
    /// `connected`.
    Connected,
    /// `disconnected`.
    Disconnected,
    /// `expired`.
    Expired,
}

impl LinkStatus {
    /// The export's value.
    pub fn name(self) -> &'static str {
        match self {
            LinkStatus::Connected => "connected",
            LinkStatus::Disconnected => "disconnected",
            LinkStatus::Expired => "expired",
        }
    }
}

/// `link(handle, status)`: one preview-tool connection row.
#[derive(Copy, Clone, Debug)]
pub struct LinkRow {
    /// Where the row came from.
    pub at: RowRef,
    /// The TikTok account's normalised handle.
    pub handle: Sym,
    /// Connection state.
    pub status: LinkStatus,
    /// When it was connected, when given.
    pub connected_at: Option<i64>,
}
