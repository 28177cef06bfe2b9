//! `identities`: the identities an ad account has (TikTok API `/identity/get/`), one per row.

use sparkcheck_facts::{IdentityRow, InputKind};

use crate::kinds::ads::IDENTITY_TYPES;
use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{enum_value, optional_id, required_handle, required_id};

const ACCOUNT_ID: usize = 0;
const IDENTITY_TYPE: usize = 1;
const HANDLE: usize = 2;
const AVAILABLE_STATUS: usize = 3;
const BC_ID: usize = 4;

static FIELDS: [Field; 5] = [
    Field::required("Advertiser ID", "advertiser_id", &["Account ID"]),
    Field::required("Identity Type", "identity_type", &[]),
    Field::required("TikTok Account", "handle", &["user_name", "display_name"]),
    Field::required("Available Status", "available_status", &[]),
    Field::optional(
        "Identity Authorized BC ID",
        "bc_id",
        &["identity_authorized_bc_id"],
    ),
];

/// Field indexes the other formats fill.
pub(crate) mod field {
    pub const ACCOUNT_ID: usize = super::ACCOUNT_ID;
    pub const IDENTITY_TYPE: usize = super::IDENTITY_TYPE;
    pub const HANDLE: usize = super::HANDLE;
    pub const AVAILABLE_STATUS: usize = super::AVAILABLE_STATUS;
    pub const BC_ID: usize = super::BC_ID;
}

/// `IdentityAvailableStatus` (bububa/tiktok-business `enum/identity_available_status.go`):
/// whether the identity can be used.
const AVAILABLE_STATUSES: [(&str, bool); 5] = [
    ("AVAILABLE", true),
    ("NO_VALID_BIND_ACCOUNT", false),
    ("SCOPE_UNAVAILABLE", false),
    ("IS_PRIVATE_ACCOUNT", false),
    ("NOT_BUSINESS_ACCOUNT", false),
];

/// Identities of ad accounts.
pub struct Identities;

impl Kind for Identities {
    fn kind(&self) -> InputKind {
        InputKind::Identities
    }

    fn fields(&self) -> &'static [Field] {
        &FIELDS
    }

    fn build(&self, row: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        let advertiser = required_id(row, ACCOUNT_ID)?;
        let kind = enum_value(row, IDENTITY_TYPE, &IDENTITY_TYPES)?;
        let handle = required_handle(row, HANDLE)?;
        let available = enum_value(row, AVAILABLE_STATUS, &AVAILABLE_STATUSES)?;
        let available_status = row.text(AVAILABLE_STATUS);
        let bc_id = optional_id(row, BC_ID)?;
        let RowSink { facts, at, recent } = sink;
        let identity = IdentityRow {
            at: *at,
            advertiser: recent.intern(ACCOUNT_ID, advertiser, facts),
            handle: recent.intern(HANDLE, &handle, facts),
            kind,
            available,
            available_status: facts.text.push(available_status),
            bc_id: facts.text.push(bc_id),
        };
        facts.identities.push(identity);
        Ok(())
    }
}
