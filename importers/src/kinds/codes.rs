//! `codes`: Spark Ads authorization codes, one row per (code, ad account where applied).

use sparkcheck_facts::{CodeRow, CodeStatus, InputKind, ItemType};

use sparkcheck_facts::OptionalField;

use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{
    code_tail, enum_value, lookup, normalize_handle, optional_id, optional_time, required_id,
};

const AUTH_CODE: usize = 0;
const POST_ID: usize = 1;
const TIKTOK_ACCOUNT: usize = 2;
const AD_ACCOUNT_ID: usize = 3;
const STATUS: usize = 4;
const START: usize = 5;
const END: usize = 6;
const POST_STATUS: usize = 7;
const ITEM_TYPE: usize = 8;

static FIELDS: [Field; 9] = [
    Field::required("Auth Code", "code", &["auth_code"]),
    Field::required("Post ID", "post_id", &["item_id"]),
    Field::required("TikTok Account", "creator", &["tiktok_name", "Creator"]),
    Field::required("Ad Account ID", "advertiser_id", &["advertiser_id"]),
    Field::required("Status", "status", &["auth_code_status", "ad_auth_status"]),
    Field::optional(
        "Start Time",
        "start",
        &["auth_start_time", "auth_code_start_time"],
    ),
    Field::optional("End Time", "end", &["auth_end_time", "auth_code_end_time"])
        .providing(OptionalField::EndTime),
    Field::optional("Post Status", "post_status", &[]).providing(OptionalField::PostStatus),
    Field::optional("Item Type", "item_type", &["item_type"]).providing(OptionalField::ItemType),
];

/// Field indexes the other formats fill.
pub(crate) mod field {
    pub const AUTH_CODE: usize = super::AUTH_CODE;
    pub const POST_ID: usize = super::POST_ID;
    pub const TIKTOK_ACCOUNT: usize = super::TIKTOK_ACCOUNT;
    pub const AD_ACCOUNT_ID: usize = super::AD_ACCOUNT_ID;
    pub const STATUS: usize = super::STATUS;
    pub const START: usize = super::START;
    pub const END: usize = super::END;
    pub const POST_STATUS: usize = super::POST_STATUS;
    pub const ITEM_TYPE: usize = super::ITEM_TYPE;
}

pub(crate) const STATUSES: [(&str, CodeStatus); 6] = [
    ("NOT_USED", CodeStatus::NotUsed),
    ("IN_USE", CodeStatus::InUse),
    ("AUTHORIZED", CodeStatus::Authorized),
    ("EXPIRED", CodeStatus::Expired),
    ("DELETED", CodeStatus::Deleted),
    ("REVOKED", CodeStatus::Revoked),
];

/// The post statuses TikTok gives (`TikTokItemStatus`, bububa/tiktok-business
/// `enum/tiktok_item_status.go`), and whether each hides the post: deleted, private, under
/// review (spec 3.1). `ONLY_USER_PASS` is not in the spec's list of unavailable statuses,
/// so it is read and counts as available.
pub(crate) const POST_STATUSES: [(&str, bool); 7] = [
    ("HESITATE_RECOMMEND", false),
    ("ONLY_USER_PASS", false),
    ("USER_DELETE", true),
    ("AUDIT_DELETE", true),
    ("ONLY_AUTHOR_SEE", true),
    ("ONLY_FRIEND_SEE", true),
    ("REVIEW_PENDING", true),
];

/// Item types (`TikTokItemType`, bububa/tiktok-business `enum/tiktok_item_type.go`).
pub(crate) const ITEM_TYPES: [(&str, ItemType); 2] =
    [("VIDEO", ItemType::Video), ("CAROUSEL", ItemType::Carousel)];

/// Whether a post status hides the post; `None` when it is no status TikTok gives. The
/// API also writes them with an `ITEM_STATUS_` or `STATUS_` prefix
/// (`ITEM_STATUS_HESITATE_RECOMMEND`, `STATUS_ONLY_FRIEND_SEE`), in any case.
pub(crate) fn post_unavailable(text: &str) -> Option<bool> {
    // Compared as bytes: the text may hold any character where the prefix would end.
    let strip = |prefix: &str| {
        let bytes = text.as_bytes();
        (bytes.len() > prefix.len()
            && bytes[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
        .then(|| text.get(prefix.len()..))
        .flatten()
    };
    let bare = strip("ITEM_STATUS_")
        .or_else(|| strip("STATUS_"))
        .unwrap_or(text);
    lookup(bare, &POST_STATUSES)
}

fn post_status_error(text: &str) -> RowError {
    let names: Vec<String> = POST_STATUSES
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    RowError::at(
        POST_STATUS,
        format!(
            "expected a post status, one of {} (also with an `ITEM_STATUS_` or `STATUS_` \
             prefix), found `{}`",
            names.join(", "),
            sparkcheck_facts::quote(text)
        ),
    )
}

/// Spark Ads authorization-code exports.
pub struct Codes;

impl Kind for Codes {
    fn kind(&self) -> InputKind {
        InputKind::Codes
    }

    fn fields(&self) -> &'static [Field] {
        &FIELDS
    }

    fn secret_fields(&self) -> &'static [usize] {
        &[AUTH_CODE]
    }

    fn build(&self, row: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        let code = row.text(AUTH_CODE);
        if code.is_empty() {
            return Err(RowError::at(
                AUTH_CODE,
                "expected the Spark Ads authorization code, found an empty value",
            ));
        }
        let post = required_id(row, POST_ID)?;
        // A creator-side record (`/business/post/authorize/status/`) names no creator: the
        // rules take the post's creator from its other codes or its ads (spec 3.1).
        let creator = normalize_handle(row.text(TIKTOK_ACCOUNT));
        sink.facts.syms.prefetch(&creator);
        let advertiser = optional_id(row, AD_ACCOUNT_ID)?;
        let status = enum_value(row, STATUS, &STATUSES)?;
        let start = optional_time(row, START)?;
        let end = optional_time(row, END)?;
        let post_status = row.text(POST_STATUS);
        let unavailable = match post_status {
            "" => false,
            text => post_unavailable(text).ok_or_else(|| post_status_error(text))?,
        };
        let item_type = match row.text(ITEM_TYPE) {
            "" => ItemType::Unknown,
            _ => enum_value(row, ITEM_TYPE, &ITEM_TYPES)?,
        };

        let RowSink { facts, at, recent } = sink;
        let row = CodeRow {
            at: *at,
            post: facts.post_sym(post),
            creator: recent.intern(TIKTOK_ACCOUNT, &creator, facts),
            advertiser: recent.intern(AD_ACCOUNT_ID, advertiser, facts),
            status,
            start,
            end,
            // A masked code (from the facts format) stays masked; a whole one is masked here
            // and never kept.
            masked_code: if code.starts_with("****") {
                facts.text.push(code)
            } else {
                facts.text.push_concat("****", code_tail(code))
            },
            post_unavailable: unavailable,
            post_status: facts.text.push(post_status),
            item_type,
        };
        facts.codes.push(row);
        Ok(())
    }
}
