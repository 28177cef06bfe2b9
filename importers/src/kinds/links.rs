//! `links`: the TikTok accounts connected in the preview tool (Motion).

use sparkcheck_facts::{InputKind, LinkRow, LinkStatus};

use crate::record::{Field, Kind, RowError, RowSink, Values};
use crate::values::{enum_value, optional_time, required_handle};

const TIKTOK_ACCOUNT: usize = 0;
const STATUS: usize = 1;
const CONNECTED_AT: usize = 2;

static FIELDS: [Field; 3] = [
    Field::required("TikTok Account", "handle", &[]),
    Field::required("Status", "status", &[]),
    Field::optional("Connected At", "connected_at", &[]),
];

/// Field indexes the other formats fill.
pub(crate) mod field {
    pub const TIKTOK_ACCOUNT: usize = super::TIKTOK_ACCOUNT;
    pub const STATUS: usize = super::STATUS;
    pub const CONNECTED_AT: usize = super::CONNECTED_AT;
}

pub(crate) const STATUSES: [(&str, LinkStatus); 3] = [
    ("connected", LinkStatus::Connected),
    ("disconnected", LinkStatus::Disconnected),
    ("expired", LinkStatus::Expired),
];

/// Preview-tool connection exports.
pub struct Links;

impl Kind for Links {
    fn kind(&self) -> InputKind {
        InputKind::Links
    }

    fn fields(&self) -> &'static [Field] {
        &FIELDS
    }

    fn build(&self, row: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
        let handle = required_handle(row, TIKTOK_ACCOUNT)?;
        let status = enum_value(row, STATUS, &STATUSES)?;
        let connected_at = optional_time(row, CONNECTED_AT)?;
        let RowSink { facts, at, recent } = sink;
        let link = LinkRow {
            at: *at,
            handle: recent.intern(TIKTOK_ACCOUNT, &handle, facts),
            status,
            connected_at,
        };
        facts.links.push(link);
        Ok(())
    }
}
