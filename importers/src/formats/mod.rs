//! File formats: how a file is written. Each yields tables or records and hands every row
//! to its input kind's builder ([`crate::record::Kind`]). Detection order: a plugin that
//! claims the file, a workbook by its zip signature, facts by their first line, an API
//! response by its JSON shape, else delimited text.

pub(crate) mod delimited;
pub mod facts;
pub mod plugin;
mod records;
pub(crate) mod tiktok_api;
pub(crate) mod workbook;
