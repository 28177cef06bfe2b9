//! Header rows: column specs, name normalisation, kind detection and row field access.

/// A column an importer reads: its canonical name, the aliases exports use, and whether
/// the kind is recognised without it.
#[derive(Copy, Clone, Debug)]
pub struct Column {
    /// The name in spec section 2.
    pub name: &'static str,
    /// Other names the same column goes by.
    pub aliases: &'static [&'static str],
    /// Whether a header must have it to be this kind.
    pub required: bool,
}

impl Column {
    /// A column the header must have.
    pub const fn required(name: &'static str, aliases: &'static [&'static str]) -> Column {
        Column {
            name,
            aliases,
            required: true,
        }
    }

    /// A column read when present.
    pub const fn optional(name: &'static str, aliases: &'static [&'static str]) -> Column {
        Column {
            name,
            aliases,
            required: false,
        }
    }

    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }

    /// `Post ID` (or `TikTok Post ID`, `tiktok_item_id`), for messages.
    pub fn describe(&self) -> String {
        let mut text = format!("`{}`", self.name);
        if !self.aliases.is_empty() {
            let aliases: Vec<String> = self.aliases.iter().map(|a| format!("`{a}`")).collect();
            text.push_str(&format!(" (or {})", aliases.join(", ")));
        }
        text
    }
}

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

/// Where each of an importer's columns sits in a header (`None`: absent).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ColumnMap {
    positions: Vec<Option<usize>>,
}

impl ColumnMap {
    /// Resolves `columns` against normalised `headers`; the first name of a column's list
    /// that is present wins, and the first of duplicate header cells.
    pub fn resolve(columns: &[Column], headers: &[String]) -> ColumnMap {
        let positions = columns
            .iter()
            .map(|column| {
                column.names().find_map(|name| {
                    let wanted = normalize_header(name);
                    headers.iter().position(|h| *h == wanted)
                })
            })
            .collect();
        ColumnMap { positions }
    }

    /// The position of column `index` (an importer's column constant).
    pub fn position(&self, index: usize) -> Option<usize> {
        self.positions[index]
    }

    /// The required columns that are absent.
    pub fn missing<'c>(&self, columns: &'c [Column]) -> Vec<&'c Column> {
        columns
            .iter()
            .zip(&self.positions)
            .filter(|(column, position)| column.required && position.is_none())
            .map(|(column, _)| column)
            .collect()
    }

    /// How many required columns are present: the more, the more specific the match.
    pub fn required_found(&self, columns: &[Column]) -> usize {
        columns
            .iter()
            .zip(&self.positions)
            .filter(|(column, position)| column.required && position.is_some())
            .count()
    }

    /// The canonical names of the optional columns present.
    pub fn optional_present(&self, columns: &[Column]) -> Vec<&'static str> {
        columns
            .iter()
            .zip(&self.positions)
            .filter(|(column, position)| !column.required && position.is_some())
            .map(|(column, _)| column.name)
            .collect()
    }
}

/// Trims white space, ASCII first: `str::trim` decodes every character, and fields rarely
/// start or end with a non-ASCII space (Excel's no-break space is handled all the same).
fn trim(text: &str) -> &str {
    let text = text.trim_ascii();
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => text,
        _ => text.trim(),
    }
}

/// One data row, seen through an importer's [`ColumnMap`].
pub struct Row<'r> {
    record: &'r csv::StringRecord,
    map: &'r ColumnMap,
}

impl<'r> Row<'r> {
    /// A view of `record` through an importer's column positions.
    pub fn new(record: &'r csv::StringRecord, map: &'r ColumnMap) -> Self {
        Row { record, map }
    }

    /// The trimmed text of column `index`, `""` when the column is absent.
    pub fn text(&self, index: usize) -> &'r str {
        let Some(position) = self.map.position(index) else {
            return "";
        };
        trim(self.record.get(position).unwrap_or_default())
    }

    /// Whether the header has column `index`.
    pub fn has(&self, index: usize) -> bool {
        self.map.position(index).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 3] = [
        Column::required("Account ID", &["Advertiser ID", "advertiser_id"]),
        Column::required("Post ID", &["TikTok Post ID", "tiktok_item_id"]),
        Column::optional("Ad Name", &[]),
    ];

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| normalize_header(n)).collect()
    }

    #[test]
    fn headers_match_case_and_separator_insensitively() {
        assert_eq!(normalize_header("\u{feff} Advertiser_ID "), "advertiser id");
        assert_eq!(normalize_header("TikTok  Post-ID"), "tiktok post id");
        let map = ColumnMap::resolve(
            &COLUMNS,
            &headers(&["x", "TIKTOK_ITEM_ID", "advertiser id"]),
        );
        assert_eq!(map.position(0), Some(2));
        assert_eq!(map.position(1), Some(1));
        assert_eq!(map.position(2), None);
        assert!(map.missing(&COLUMNS).is_empty());
        assert_eq!(map.required_found(&COLUMNS), 2);
    }

    #[test]
    fn the_canonical_name_wins_over_an_alias() {
        let map = ColumnMap::resolve(
            &COLUMNS,
            &headers(&["Advertiser ID", "Account ID", "Post ID"]),
        );
        assert_eq!(map.position(0), Some(1));
    }

    #[test]
    fn missing_columns_are_named_with_aliases() {
        let map = ColumnMap::resolve(&COLUMNS, &headers(&["Account ID"]));
        let missing: Vec<String> = map.missing(&COLUMNS).iter().map(|c| c.describe()).collect();
        assert_eq!(
            missing,
            ["`Post ID` (or `TikTok Post ID`, `tiktok_item_id`)"]
        );
    }
}
