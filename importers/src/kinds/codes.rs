//! `codes`: Spark Ads authorization codes, one row per (code, ad account where applied).

use sparkcheck_facts::{CodeRow, CodeStatus, InputKind, ItemType};

use sparkcheck_facts::OptionalField;

use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{
    code_tail, enum_value, lookup, optional_id, optional_time, required_handle, required_id,
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

/// Post statuses under which the post cannot be shown: deleted, private, under review.
pub(crate) const UNAVAILABLE_POST_STATUSES: [(&str, ()); 5] = [
    ("USER_DELETE", ()),
    ("AUDIT_DELETE", ()),
    ("ONLY_AUTHOR_SEE", ()),
    ("ONLY_FRIEND_SEE", ()),
    ("REVIEW_PENDING", ()),
];

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
        let creator = required_handle(row, TIKTOK_ACCOUNT)?;
        let advertiser = optional_id(row, AD_ACCOUNT_ID)?;
        let status = enum_value(row, STATUS, &STATUSES)?;
        let start = optional_time(row, START)?;
        let end = optional_time(row, END)?;
        let post_status = row.text(POST_STATUS);
        let item_type = match row.text(ITEM_TYPE) {
            "" => ItemType::Unknown,
            text if text.eq_ignore_ascii_case("CAROUSEL") => ItemType::Carousel,
            // Anything else is a single post the preview tool can show.
            _ => ItemType::Video,
        };

        let RowSink { facts, at, recent } = sink;
        let row = CodeRow {
            at: *at,
            post: recent.intern(POST_ID, post, facts),
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
            post_unavailable: lookup(post_status, &UNAVAILABLE_POST_STATUSES).is_some(),
            post_status: facts.text.push(post_status),
            item_type,
        };
        facts.codes.push(row);
        Ok(())
    }
}
