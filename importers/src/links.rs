//! `links`: the TikTok accounts connected in the preview tool (Motion).

use sparkcheck_facts::{InputKind, LinkRow, LinkStatus};

use crate::table::{Column, Row};
use crate::values::{enum_value, optional_time, required_handle};
use crate::{Importer, RowError, RowSink};

const TIKTOK_ACCOUNT: usize = 0;
const STATUS: usize = 1;
const CONNECTED_AT: usize = 2;

static COLUMNS: [Column; 3] = [
    Column::required("TikTok Account", &[]),
    Column::required("Status", &[]),
    Column::optional("Connected At", &[]),
];

pub(crate) const STATUSES: [(&str, LinkStatus); 3] = [
    ("connected", LinkStatus::Connected),
    ("disconnected", LinkStatus::Disconnected),
    ("expired", LinkStatus::Expired),
];

/// Reads preview-tool connection exports.
pub struct Links;

impl Importer for Links {
    fn kind(&self) -> InputKind {
        InputKind::Links
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    fn import_row(&self, row: &Row<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError> {
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
