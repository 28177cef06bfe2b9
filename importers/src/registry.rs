//! The importers sparkcheck knows, and header-based detection among them.

use crate::table::{Column, ColumnMap};
use crate::Importer;

/// Every built-in importer, in the order ties are broken.
pub static REGISTRY: [&dyn Importer; 4] = [
    &crate::ads::Ads,
    &crate::codes::Codes,
    &crate::bc::Bc,
    &crate::links::Links,
];

/// The result of matching a header against the registry.
pub enum Detection {
    /// Every required column of this importer is present.
    Matched(&'static dyn Importer, ColumnMap),
    /// No importer fits; the nearest one and what it misses.
    Unrecognised {
        /// The importer with the most required columns present.
        nearest: &'static dyn Importer,
        /// Its required columns that are absent.
        missing: Vec<&'static Column>,
    },
}

/// Finds the importer for normalised `headers`: of those whose required columns are all
/// present, the one that requires the most (a `bc` header also fits `links`).
pub fn detect(headers: &[String]) -> Detection {
    let mut best: Option<(&'static dyn Importer, ColumnMap, usize)> = None;
    let mut nearest: Option<(&'static dyn Importer, ColumnMap, usize)> = None;
    for &importer in &REGISTRY {
        let map = ColumnMap::resolve(importer.columns(), headers);
        let found = map.required_found(importer.columns());
        let slot = if map.missing(importer.columns()).is_empty() {
            &mut best
        } else {
            &mut nearest
        };
        if slot.as_ref().is_none_or(|(_, _, n)| found > *n) {
            *slot = Some((importer, map, found));
        }
    }
    match (best, nearest) {
        (Some((importer, map, _)), _) => Detection::Matched(importer, map),
        (None, Some((importer, map, _))) => Detection::Unrecognised {
            nearest: importer,
            missing: map.missing(importer.columns()),
        },
        (None, None) => unreachable!("the registry is not empty"),
    }
}

/// One line per kind naming its required columns, for the unrecognised-input error.
pub fn required_columns_help() -> String {
    REGISTRY
        .iter()
        .map(|importer| {
            let required: Vec<String> = importer
                .columns()
                .iter()
                .filter(|c| c.required)
                .map(Column::describe)
                .collect();
            format!("{}: {}", importer.kind(), required.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
