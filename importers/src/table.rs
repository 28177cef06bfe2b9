//! Header rows: name normalisation, kind detection and row field access.

use crate::record::{Field, Values};

/// Header names compare case-insensitively, with `_`, `-` and runs of spaces alike, so
/// `advertiser_id`, `Advertiser ID` and `ADVERTISER-ID` are one column.
pub fn normalize_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .trim_start_matches('\u{feff}')
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Where each of a kind's fields sits in a header (`None`: absent).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ColumnMap {
    positions: Vec<Option<usize>>,
}

impl ColumnMap {
    /// Resolves `fields` against normalised `headers`; the first name of a field's list
    /// that is present wins, and the first of duplicate header cells.
    pub fn resolve(fields: &[Field], headers: &[String]) -> ColumnMap {
        let positions = fields
            .iter()
            .map(|field| {
                field.names().find_map(|name| {
                    let wanted = normalize_header(name);
                    headers.iter().position(|h| *h == wanted)
                })
            })
            .collect();
        ColumnMap { positions }
    }

    /// The position of field `index` (a kind's field constant).
    pub fn position(&self, index: usize) -> Option<usize> {
        self.positions[index]
    }

    /// The required fields that are absent.
    pub fn missing<'c>(&self, fields: &'c [Field]) -> Vec<&'c Field> {
        fields
            .iter()
            .zip(&self.positions)
            .filter(|(field, position)| field.required && position.is_none())
            .map(|(field, _)| field)
            .collect()
    }

    /// How many required fields are present: the more, the more specific the match.
    pub fn required_found(&self, fields: &[Field]) -> usize {
        fields
            .iter()
            .zip(&self.positions)
            .filter(|(field, position)| field.required && position.is_some())
            .count()
    }

    /// The optional fields, of those coverage looks for, that the header has.
    pub fn optional_present(&self, fields: &[Field]) -> Vec<sparkcheck_facts::OptionalField> {
        fields
            .iter()
            .zip(&self.positions)
            .filter(|(_, position)| position.is_some())
            .filter_map(|(field, _)| field.provides)
            .collect()
    }

    /// One record's values, field by field.
    pub fn values<'r, R: FieldSource + ?Sized>(&self, record: &'r R) -> Values<'r> {
        let mut values = Values::default();
        for (index, position) in self.positions.iter().enumerate() {
            if let Some(position) = *position {
                values.set(index, record.field(position).unwrap_or_default());
            }
        }
        values
    }
}

/// A row's cells by position: a csv record (a workbook's row) or a record read in place.
pub trait FieldSource {
    /// The cell at `index`, `None` past the row's end.
    fn field(&self, index: usize) -> Option<&str>;
}

impl FieldSource for csv::StringRecord {
    fn field(&self, index: usize) -> Option<&str> {
        self.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [Field; 3] = [
        Field::required(
            "Account ID",
            "advertiser_id",
            &["Advertiser ID", "advertiser_id"],
        ),
        Field::required("Post ID", "post_id", &["TikTok Post ID", "tiktok_item_id"]),
        Field::optional("Ad Name", "ad_name", &[]),
    ];

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| normalize_header(n)).collect()
    }

    #[test]
    fn headers_match_case_and_separator_insensitively() {
        assert_eq!(normalize_header("\u{feff} Advertiser_ID "), "advertiser id");
        assert_eq!(normalize_header("TikTok  Post-ID"), "tiktok post id");
        let map = ColumnMap::resolve(&FIELDS, &headers(&["x", "TIKTOK_ITEM_ID", "advertiser id"]));
        assert_eq!(map.position(0), Some(2));
        assert_eq!(map.position(1), Some(1));
        assert_eq!(map.position(2), None);
        assert!(map.missing(&FIELDS).is_empty());
        assert_eq!(map.required_found(&FIELDS), 2);
    }

    #[test]
    fn the_canonical_name_wins_over_an_alias() {
        let map = ColumnMap::resolve(
            &FIELDS,
            &headers(&["Advertiser ID", "Account ID", "Post ID"]),
        );
        assert_eq!(map.position(0), Some(1));
    }

    #[test]
    fn missing_columns_are_named_with_aliases() {
        let map = ColumnMap::resolve(&FIELDS, &headers(&["Account ID"]));
        let missing: Vec<String> = map.missing(&FIELDS).iter().map(|c| c.describe()).collect();
        assert_eq!(
            missing,
            ["`Post ID` (or `TikTok Post ID`, `tiktok_item_id`)"]
        );
    }

    #[test]
    fn values_are_trimmed_and_absent_fields_are_empty() {
        let map = ColumnMap::resolve(&FIELDS, &headers(&["Post ID", "Account ID"]));
        let record = csv::StringRecord::from(vec![" 7301 ", "\u{a0}7100"]);
        let values = map.values(&record);
        assert_eq!(
            (values.text(0), values.text(1), values.text(2)),
            ("7100", "7301", "")
        );
        assert!(values.has(0) && !values.has(2));
    }
}
