//! `bc`: Business Center TikTok-account assets, one row per (TikTok account, ad account).

use sparkcheck_facts::{AdAccountRole, InputKind, ShareRow, ShareStatus};

use sparkcheck_facts::OptionalField;

use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{enum_value, lookup, optional_id, optional_time, required_handle, required_id};

const BC_ID: usize = 0;
const TIKTOK_ACCOUNT: usize = 1;
const AD_ACCOUNT_ID: usize = 2;
const PERMISSIONS: usize = 3;
const BC_NAME: usize = 4;
const STATUS: usize = 5;
const VALID_UNTIL: usize = 6;
const ROLE: usize = 7;
const AD_DELIVERY_FLAG: usize = 8;

static FIELDS: [Field; 9] = [
    Field::required("BC ID", "bc_id", &["bc_id"]),
    Field::required("TikTok Account", "handle", &[]),
    Field::required("Ad Account ID", "advertiser_id", &[]),
    Field::required("Permissions", "permissions", &[]),
    Field::optional("BC Name", "bc_name", &[]),
    Field::optional("Status", "status", &[]),
    Field::optional("Valid Until", "valid_until", &[]),
    Field::optional("Ad Account Role", "role", &["advertiser_role"])
        .providing(OptionalField::AdAccountRole),
    // The facts format states ad delivery as a flag; tables derive it from `Permissions`.
    Field::optional("Ad Delivery", "ad_delivery", &[]),
];

/// Field indexes the other formats fill.
pub(crate) mod field {
    pub const BC_ID: usize = super::BC_ID;
    pub const TIKTOK_ACCOUNT: usize = super::TIKTOK_ACCOUNT;
    pub const AD_ACCOUNT_ID: usize = super::AD_ACCOUNT_ID;
    pub const PERMISSIONS: usize = super::PERMISSIONS;
    pub const BC_NAME: usize = super::BC_NAME;
    pub const STATUS: usize = super::STATUS;
    pub const VALID_UNTIL: usize = super::VALID_UNTIL;
    pub const ROLE: usize = super::ROLE;
    pub const AD_DELIVERY: usize = super::AD_DELIVERY_FLAG;
}

pub(crate) const STATUSES: [(&str, ShareStatus); 6] = [
    ("BOUND", ShareStatus::Bound),
    ("PENDING", ShareStatus::Pending),
    ("REJECTED", ShareStatus::Rejected),
    ("REJECT", ShareStatus::Rejected),
    ("UNBOUND", ShareStatus::Unbound),
    ("REVOKED", ShareStatus::Revoked),
];

pub(crate) const ROLES: [(&str, AdAccountRole); 3] = [
    ("ADMIN", AdAccountRole::Admin),
    ("OPERATOR", AdAccountRole::Operator),
    ("ANALYST", AdAccountRole::Analyst),
];

const FLAGS: [(&str, bool); 6] = [
    ("true", true),
    ("false", false),
    ("yes", true),
    ("no", false),
    ("1", true),
    ("0", false),
];

pub(crate) const AD_DELIVERY: [(&str, ()); 3] = [
    ("Ad Delivery", ()),
    ("Deliver ads", ()),
    ("AD_DELIVERY", ()),
];

/// Business Center TikTok-account asset exports.
pub struct Bc;

impl Kind for Bc {
    fn kind(&self) -> InputKind {
        InputKind::Bc
    }

    fn fields(&self) -> &'static [Field] {
        &FIELDS
    }

    fn build(&self, row: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        let bc_id = required_id(row, BC_ID)?;
        let handle = required_handle(row, TIKTOK_ACCOUNT)?;
        sink.facts.syms.prefetch(&handle);
        let advertiser = optional_id(row, AD_ACCOUNT_ID)?;
        let permissions = row.text(PERMISSIONS);
        let status = if row.text(STATUS).is_empty() {
            ShareStatus::Bound
        } else {
            enum_value(row, STATUS, &STATUSES)?
        };
        let role = if row.text(ROLE).is_empty() {
            AdAccountRole::Unknown
        } else {
            enum_value(row, ROLE, &ROLES)?
        };
        let valid_until = optional_time(row, VALID_UNTIL)?;
        let ad_delivery = match row.text(AD_DELIVERY_FLAG) {
            "" => has_ad_delivery(permissions),
            _ => enum_value(row, AD_DELIVERY_FLAG, &FLAGS)?,
        };

        let RowSink { facts, at, recent } = sink;
        let handle = recent.intern(TIKTOK_ACCOUNT, &handle, facts);
        let advertiser = recent.intern(AD_ACCOUNT_ID, advertiser, facts);
        let share = ShareRow {
            at: *at,
            bc_id: facts.text.push(bc_id),
            bc_name: facts.text.push(row.text(BC_NAME)),
            handle,
            advertiser,
            ad_delivery,
            permissions: facts.text.push(permissions),
            status,
            valid_until,
            role,
        };
        facts.shares.push(share);
        Ok(())
    }
}

/// Whether a `;`- or `,`-separated permission list grants ad delivery.
pub(crate) fn has_ad_delivery(permissions: &str) -> bool {
    permissions
        .split([';', ','])
        .any(|permission| lookup(permission.trim(), &AD_DELIVERY).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_delivery_is_found_in_any_spelling_and_separator() {
        assert!(has_ad_delivery("Ad Delivery"));
        assert!(has_ad_delivery("Existing posts; Deliver ads"));
        assert!(has_ad_delivery("POST,AD_DELIVERY"));
        assert!(has_ad_delivery("ad_delivery"));
        assert!(!has_ad_delivery("Existing posts; Show through ads only"));
        assert!(!has_ad_delivery(""));
    }
}
