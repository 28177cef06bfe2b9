//! The input kinds and file formats sparkcheck knows, and detection among them: a file's
//! format from its name and first bytes, a table's kind from its header row.

use sparkcheck_facts::InputKind;

use crate::record::{Field, Kind};
use crate::table::ColumnMap;

/// Every input kind, in the order header ties are broken.
pub static KINDS: [&dyn Kind; 5] = [
    &crate::kinds::ads::Ads,
    &crate::kinds::codes::Codes,
    &crate::kinds::bc::Bc,
    &crate::kinds::links::Links,
    &crate::kinds::identities::Identities,
];

/// The builder of `kind`.
pub fn kind(kind: InputKind) -> &'static dyn Kind {
    *KINDS
        .iter()
        .find(|k| k.kind() == kind)
        .expect("every input kind is registered")
}

/// The result of matching a header against the registry.
pub enum Detection {
    /// Every required column of this kind is present.
    Matched(&'static dyn Kind, ColumnMap),
    /// No kind fits; the nearest one and what it misses.
    Unrecognised {
        /// The kind with the most required columns present.
        nearest: &'static dyn Kind,
        /// Its required columns that are absent.
        missing: Vec<&'static Field>,
    },
}

/// Finds the kind for normalised `headers`: of those whose required columns are all
/// present, the one that requires the most (a `bc` header also fits `links`).
pub fn detect(headers: &[String]) -> Detection {
    let mut best: Option<(&'static dyn Kind, ColumnMap, usize)> = None;
    let mut nearest: Option<(&'static dyn Kind, ColumnMap, usize)> = None;
    for &kind in &KINDS {
        let map = ColumnMap::resolve(kind.fields(), headers);
        let found = map.required_found(kind.fields());
        let slot = if map.missing(kind.fields()).is_empty() {
            &mut best
        } else {
            &mut nearest
        };
        if slot.as_ref().is_none_or(|(_, _, n)| found > *n) {
            *slot = Some((kind, map, found));
        }
    }
    match (best, nearest) {
        (Some((kind, map, _)), _) => Detection::Matched(kind, map),
        (None, Some((kind, map, _))) => Detection::Unrecognised {
            nearest: kind,
            missing: map.missing(kind.fields()),
        },
        (None, None) => unreachable!("the registry is not empty"),
    }
}

/// One line per kind naming its required columns, for the unrecognised-input error.
pub fn required_columns_help() -> String {
    KINDS
        .iter()
        .map(|kind| {
            let required: Vec<String> = kind
                .fields()
                .iter()
                .filter(|c| c.required)
                .map(Field::describe)
                .collect();
            format!("{}: {}", kind.kind(), required.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
