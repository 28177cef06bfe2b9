//! `ads`: the Ads Manager ad-level export, one row per ad.

use sparkcheck_facts::{AdRow, IdentityKind, InputKind, Span, Sym};

use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{enum_value, nonempty_handle, normalize_handle, optional_id, required_id};

const ACCOUNT_ID: usize = 0;
const ACCOUNT_NAME: usize = 1;
const AD_NAME: usize = 3;
const AD_ID: usize = 4;
const IDENTITY_TYPE: usize = 5;
const IDENTITY: usize = 6;
const POST_ID: usize = 7;
const CAMPAIGN_ID: usize = 11;
const AD_GROUP_ID: usize = 12;
const IDENTITY_BC_ID: usize = 13;
const USE_TIKTOK_ACCOUNT: usize = 14;

/// The bulk template's `Use TikTok Account` switch.
const SWITCHES: [(&str, bool); 6] = [
    ("ON", true),
    ("OFF", false),
    ("Yes", true),
    ("No", false),
    ("true", true),
    ("false", false),
];

/// The facts format keeps a custom identity's name apart from a TikTok account's handle;
/// tables hold both in `Identity`. The facts reader puts either into this field.
static FIELDS: [Field; 15] = [
    Field::required(
        "Account ID",
        "advertiser_id",
        &["Advertiser ID", "advertiser_id"],
    ),
    Field::optional("Account Name", "account_name", &[]),
    Field::optional("Campaign Name", "campaign_name", &[]),
    Field::optional("Ad Name", "ad_name", &[]),
    Field::required("Ad ID", "ad_id", &["ad_id"]),
    Field::required("Identity Type", "identity_type", &["identity_type"]),
    Field::required(
        "Identity",
        "handle",
        &["Identity Name", "TikTok Account", "display_name"],
    ),
    Field::required("Post ID", "post_id", &["TikTok Post ID", "tiktok_item_id"]),
    Field::optional("Ad Group Name", "ad_group_name", &[]),
    Field::optional("Ad Status", "ad_status", &[]),
    Field::optional("Identity ID", "identity_id", &["identity_id"]),
    // The bulk-export template's columns (`/work/shared/domain.md`): read and checked.
    Field::optional("Campaign ID", "campaign_id", &["campaign_id"]),
    Field::optional("Ad Group ID", "ad_group_id", &["adgroup_id"]),
    Field::optional(
        "Business Center ID of the identity",
        "identity_bc_id",
        &["identity_authorized_bc_id"],
    ),
    Field::optional("Use TikTok Account", "use_tiktok_account", &[]),
];

/// Field indexes the facts reader fills.
pub(crate) mod field {
    pub const ACCOUNT_ID: usize = super::ACCOUNT_ID;
    pub const AD_NAME: usize = super::AD_NAME;
    pub const AD_ID: usize = super::AD_ID;
    pub const IDENTITY_TYPE: usize = super::IDENTITY_TYPE;
    pub const IDENTITY: usize = super::IDENTITY;
    pub const POST_ID: usize = super::POST_ID;
}

/// API enum names and Ads Manager UI labels of the identity types.
pub(crate) const IDENTITY_TYPES: [(&str, IdentityKind); 9] = [
    ("CUSTOMIZED_USER", IdentityKind::Custom),
    ("Custom Identity", IdentityKind::Custom),
    ("AUTH_CODE", IdentityKind::AuthCode),
    ("Authorized post", IdentityKind::AuthCode),
    ("Spark Ads code", IdentityKind::AuthCode),
    ("TT_USER", IdentityKind::TtUser),
    ("TikTok account", IdentityKind::TtUser),
    ("BC_AUTH_TT", IdentityKind::BcAuthTt),
    (
        "Business Center authorized TikTok account",
        IdentityKind::BcAuthTt,
    ),
];

/// Ads Manager ad exports.
pub struct Ads;

impl Kind for Ads {
    fn kind(&self) -> InputKind {
        InputKind::Ads
    }

    fn fields(&self) -> &'static [Field] {
        &FIELDS
    }

    fn build(&self, row: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        // The handle's table slot is asked for first, to arrive while the rest is checked.
        let handle = normalize_handle(row.text(IDENTITY));
        sink.facts.syms.prefetch(&handle);
        let advertiser = required_id(row, ACCOUNT_ID)?;
        let ad_id = required_id(row, AD_ID)?;
        let post = optional_id(row, POST_ID)?;
        for field in [CAMPAIGN_ID, AD_GROUP_ID, IDENTITY_BC_ID] {
            optional_id(row, field)?;
        }
        if !row.text(USE_TIKTOK_ACCOUNT).is_empty() {
            enum_value(row, USE_TIKTOK_ACCOUNT, &SWITCHES)?;
        }
        let label = row.text(IDENTITY);
        // An ordinary ad (no post) is counted, not audited: its identity does not matter.
        let (identity, handle) = if post.is_empty() {
            let kind = crate::values::lookup(row.text(IDENTITY_TYPE), &IDENTITY_TYPES);
            (kind.unwrap_or(IdentityKind::Custom), None)
        } else {
            let kind = identity_kind(row)?;
            let handle = if kind.is_tiktok_account() {
                Some(nonempty_handle(handle, IDENTITY)?)
            } else {
                None
            };
            (kind, handle)
        };

        let RowSink { facts, at, recent } = sink;
        let advertiser = recent.intern(ACCOUNT_ID, advertiser, facts);
        let post = facts.post_sym(post);
        let handle = handle.map_or(Sym::NONE, |h| recent.intern(IDENTITY, &h, facts));
        facts.remember_account_name(advertiser, row.text(ACCOUNT_NAME));
        let ad = AdRow {
            at: *at,
            advertiser,
            post,
            identity,
            handle,
            identity_label: if identity.is_tiktok_account() {
                Span::EMPTY
            } else {
                facts.text.push(label)
            },
            ad_id: facts.text.push(ad_id),
            ad_name: facts.text.push(row.text(AD_NAME)),
        };
        facts.ads.push(ad);
        Ok(())
    }
}

fn identity_kind(row: &Values<'_>) -> Result<IdentityKind, RowError> {
    let text = row.text(IDENTITY_TYPE);
    if crate::values::lookup(text, &[("TTS_TT", ()), ("TikTok Shop", ())]).is_some() {
        return Err(RowError::at(
            IDENTITY_TYPE,
            format!(
                "`{}` is a TikTok Shop identity, which sparkcheck does not audit",
                sparkcheck_facts::quote(text)
            ),
        ));
    }
    enum_value(row, IDENTITY_TYPE, &IDENTITY_TYPES)
}
