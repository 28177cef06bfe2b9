//! `bc`: Business Center TikTok-account assets, one row per (TikTok account, ad account).

use sparkcheck_facts::{AdAccountRole, InputKind, ShareRow, ShareStatus};

use crate::table::{Column, Row};
use crate::values::{enum_value, lookup, optional_id, optional_time, required_handle, required_id};
use crate::{Importer, RowError, RowSink};

const BC_ID: usize = 0;
const TIKTOK_ACCOUNT: usize = 1;
const AD_ACCOUNT_ID: usize = 2;
const PERMISSIONS: usize = 3;
const BC_NAME: usize = 4;
const STATUS: usize = 5;
const VALID_UNTIL: usize = 6;
const ROLE: usize = 7;

static COLUMNS: [Column; 8] = [
    Column::required("BC ID", &["bc_id"]),
    Column::required("TikTok Account", &[]),
    Column::required("Ad Account ID", &[]),
    Column::required("Permissions", &[]),
    Column::optional("BC Name", &[]),
    Column::optional("Status", &[]),
    Column::optional("Valid Until", &[]),
    Column::optional("Ad Account Role", &["advertiser_role"]),
];

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

const AD_DELIVERY: [(&str, ()); 3] = [
    ("Ad Delivery", ()),
    ("Deliver ads", ()),
    ("AD_DELIVERY", ()),
];

/// Reads Business Center TikTok-account asset exports.
pub struct Bc;

impl Importer for Bc {
    fn kind(&self) -> InputKind {
        InputKind::Bc
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn import_row(&self, row: &Row<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        let bc_id = required_id(row, BC_ID)?;
        let handle = required_handle(row, TIKTOK_ACCOUNT)?;
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

        let RowSink { facts, at, recent } = sink;
        let handle = recent.intern(TIKTOK_ACCOUNT, &handle, facts);
        let advertiser = recent.intern(AD_ACCOUNT_ID, advertiser, facts);
        let share = ShareRow {
            at: *at,
            bc_id: facts.text.push(bc_id),
            bc_name: facts.text.push(row.text(BC_NAME)),
            handle,
            advertiser,
            ad_delivery: has_ad_delivery(permissions),
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
fn has_ad_delivery(permissions: &str) -> bool {
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
