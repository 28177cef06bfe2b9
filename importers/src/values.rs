//! Field parsers shared by the importers: IDs, handles, times and enum values.

use std::borrow::Cow;

use crate::record::{RowError, Values};

/// A required ID (kept as text): non-empty and not mangled by a spreadsheet.
pub fn required_id<'r>(values: &Values<'r>, field: usize) -> Result<&'r str, RowError> {
    let text = values.text(field);
    if text.is_empty() {
        return Err(RowError::at(field, "expected an ID, found an empty value"));
    }
    check_id(text).map_err(|message| RowError::at(field, message))?;
    Ok(text)
}

/// An optional ID: `""` when empty, otherwise checked like [`required_id`].
pub fn optional_id<'r>(values: &Values<'r>, field: usize) -> Result<&'r str, RowError> {
    let text = values.text(field);
    if !text.is_empty() {
        check_id(text).map_err(|message| RowError::at(field, message))?;
    }
    Ok(text)
}

/// Checks that an ID is a digit string, as TikTok's are: a value a spreadsheet turned into
/// a number (`7.30123E+18`, `7301234567890123456.0`), a formula that survived an export
/// (`=HYPERLINK(...)`) or a prefixed label (`ADV-7118...`) is rejected; nothing is guessed
/// back.
pub fn check_id(text: &str) -> Result<(), String> {
    if !text.is_empty() && all_digits(text.as_bytes()) {
        return Ok(());
    }
    const HINT: &str = "hint: re-export from TikTok, or format the ID columns as text \
                        before saving the sheet";
    let shown = sparkcheck_facts::quote(text);
    if is_scientific(text) {
        return Err(format!(
            "expected an ID, found `{shown}`: a spreadsheet turned it into a number in \
             scientific notation and its last digits are lost; {HINT}"
        ));
    }
    if is_decimal_zero(text) {
        return Err(format!(
            "expected an ID, found `{shown}`: a spreadsheet turned it into a decimal number \
             (and long IDs lose digits that way); {HINT}"
        ));
    }
    if text.starts_with('=') {
        return Err(format!(
            "expected an ID of digits, found `{shown}`: a spreadsheet formula, not its value; \
             hint: export the sheet's values, or replace the formula with the ID it shows"
        ));
    }
    Err(format!(
        "expected an ID of digits, found `{shown}`; hint: TikTok IDs are digits only, as \
         in `7118420653917286401`: remove any prefix or label"
    ))
}

/// Whether every byte is an ASCII digit. Eight bytes are tested at a time: an ads row
/// holds four to seven IDs of 19 digits, and the byte loop was a twentieth of the read.
fn all_digits(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let digits = words.all(|eight| {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        let word = u64::from_le_bytes(word);
        // Every byte below 0x80, none above `9` (adding 0x46 sets the top bit of a byte
        // from 0x3a up, with no carry into the next for bytes below 0x80), and none below
        // `0` (0x80 | byte minus 0x30 keeps the top bit exactly for bytes from 0x30 up).
        word & HIGHS == 0
            && (word + ONES * 0x46) & HIGHS == 0
            && ((word | HIGHS) - ONES * 0x30) & HIGHS == HIGHS
    });
    digits && words.remainder().iter().all(u8::is_ascii_digit)
}

/// `7.30123E+18`, `7,30123e18`, `7E+18`.
fn is_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
    let digits = |s: &str| !s.is_empty() && all_digits(s.as_bytes());
    digits(whole) && digits(fraction) && digits(exponent)
}

/// `123.0`, `123,00`.
fn is_decimal_zero(text: &str) -> bool {
    text.split_once(['.', ',']).is_some_and(|(whole, zeros)| {
        !whole.is_empty()
            && all_digits(whole.as_bytes())
            && !zeros.is_empty()
            && zeros.bytes().all(|b| b == b'0')
    })
}

/// A handle as the rules compare it: without `@`, lower case.
pub fn normalize_handle(text: &str) -> Cow<'_, str> {
    let bare = text.trim().trim_start_matches('@').trim();
    let has_upper = if bare.is_ascii() {
        bare.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        bare.chars().any(char::is_uppercase)
    };
    if has_upper {
        Cow::Owned(bare.to_lowercase())
    } else {
        Cow::Borrowed(bare)
    }
}

/// A required handle.
pub fn required_handle<'r>(values: &Values<'r>, field: usize) -> Result<Cow<'r, str>, RowError> {
    nonempty_handle(normalize_handle(values.text(field)), field)
}

/// A handle already normalised ([`normalize_handle`]) from field `field`, required.
pub fn nonempty_handle(handle: Cow<'_, str>, field: usize) -> Result<Cow<'_, str>, RowError> {
    if handle.is_empty() {
        return Err(RowError::at(
            field,
            "expected a TikTok handle such as `@creator`, found an empty value",
        ));
    }
    Ok(handle)
}

/// An optional time, as unix seconds.
pub fn optional_time(values: &Values<'_>, field: usize) -> Result<Option<i64>, RowError> {
    let text = values.text(field);
    if text.is_empty() {
        return Ok(None);
    }
    sparkcheck_facts::time::parse_instant(text)
        .map(Some)
        .map_err(|e| RowError::at(field, e.to_string()))
}

/// Matches `text` against `(name, value)` pairs case-insensitively, with `_`, `-` and
/// spaces alike; the error lists the accepted names.
pub fn enum_value<T: Copy>(
    values: &Values<'_>,
    field: usize,
    choices: &[(&str, T)],
) -> Result<T, RowError> {
    let text = values.text(field);
    lookup(text, choices).ok_or_else(|| {
        let names: Vec<String> = choices
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let found = if text.is_empty() {
            "nothing".to_string()
        } else {
            format!("`{}`", sparkcheck_facts::quote(text))
        };
        RowError::at(
            field,
            format!("expected one of {}, found {found}", names.join(", ")),
        )
    })
}

/// The value whose name matches `text`, if any. Exact matches are tried first: exports
/// repeat the same spelling on every row, so the common case is one string compare.
pub fn lookup<T: Copy>(text: &str, choices: &[(&str, T)]) -> Option<T> {
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .or_else(|| choices.iter().find(|(name, _)| same_name(name, text)))
        .map(|&(_, value)| value)
}

/// Equal ignoring ASCII case and the separators `_`, `-` and space, without allocating.
fn same_name(a: &str, b: &str) -> bool {
    let mut left = a.bytes().filter(|b| !matches!(b, b'_' | b'-' | b' '));
    let mut right = b.bytes().filter(|b| !matches!(b, b'_' | b'-' | b' '));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(&y) => {}
            _ => return false,
        }
    }
}

pub use sparkcheck_facts::{code_tail, mask_code};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_bytes_at_a_time_are_digits_as_each_byte_is() {
        for byte in 0..=u8::MAX {
            for at in 0..11 {
                let mut bytes = *b"73010042599";
                bytes[at] = byte;
                let expected = bytes.iter().all(u8::is_ascii_digit);
                assert_eq!(
                    super::all_digits(&bytes),
                    expected,
                    "byte {byte:#x} at {at}"
                );
            }
        }
        assert!(super::all_digits(b""));
    }

    #[test]
    fn spreadsheet_mangled_ids_are_recognised() {
        for mangled in [
            "7.30123E+18",
            "7,30123E+18",
            "7E18",
            "7.3e-5",
            "123.0",
            "7301234567890123456.0",
            "5,00",
        ] {
            assert!(check_id(mangled).is_err(), "{mangled}");
        }
        for fine in ["7301234567890123456", "0123", "42"] {
            assert!(check_id(fine).is_ok(), "{fine}");
        }
        for not_digits in [
            "acct-1",
            "ADV-7118420653917286401",
            "=HYPERLINK(\"https://ads.tiktok.com\",\"7118420653917286401\")",
            "E18",
            "1.5",
            "v2.0a",
            "12e",
            " 1",
        ] {
            let message = check_id(not_digits).unwrap_err();
            assert!(message.contains("digits"), "{message}");
            assert!(message.contains("hint:"), "{message}");
        }
        let message = check_id("7.30123E+18").unwrap_err();
        assert!(message.contains("scientific notation"), "{message}");
        assert!(message.contains("hint:"), "{message}");
    }

    #[test]
    fn handles_compare_without_at_and_case() {
        assert_eq!(normalize_handle(" @Acme.Shoes "), "acme.shoes");
        assert_eq!(normalize_handle("creator_1"), "creator_1");
        assert!(matches!(normalize_handle("creator_1"), Cow::Borrowed(_)));
        assert_eq!(normalize_handle("@"), "");
    }

    #[test]
    fn enum_names_ignore_case_and_separators() {
        let choices = [("AD_DELIVERY", 1), ("Custom Identity", 2)];
        assert_eq!(lookup("ad delivery", &choices), Some(1));
        assert_eq!(lookup("customidentity", &choices), Some(2));
        assert_eq!(lookup("CUSTOM_IDENTITY", &choices), Some(2));
        assert_eq!(lookup("other", &choices), None);
    }

    #[test]
    fn codes_are_never_shown_whole() {
        assert_eq!(mask_code("#ABCDEFGHIJKLmnop1234"), "****1234");
        assert_eq!(mask_code("SHORT123"), "****");
        assert_eq!(mask_code(""), "****");
    }
}
