//! Turns a file's bytes into UTF-8 text the CSV reader can split.
//!
//! Spreadsheet tools write a UTF-8 byte-order mark, Excel's "Unicode text" is UTF-16 with
//! one, and Excel on Windows writes Windows-1252 when asked for plain CSV. All are read;
//! anything that changes the bytes leaves a note in the report. A file with NUL bytes and
//! no UTF-16 mark is not text at all.

use std::borrow::Cow;
use std::fmt;

/// A file's text as UTF-8, with what was done to get it.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text without a byte-order mark (borrowed when the file was UTF-8 already).
    pub text: Cow<'a, str>,
    /// How the bytes were read, when not plain UTF-8.
    pub note: Option<String>,
}

/// Why a file cannot be read as text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DecodeError {
    /// The file holds NUL bytes outside of UTF-16: an image, a zip (`.xlsx`), a database.
    Binary,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary => f.write_str(
                "this is not a text file (it contains NUL bytes); \
                 hint: export the sheet as CSV (UTF-8)",
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Reads `raw` as UTF-8, UTF-16 (with a byte-order mark) or Windows-1252.
pub fn decode(raw: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
    if let Some(rest) = raw.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok(plain(text)),
            Err(_) => Ok(windows_1252(
                rest,
                "starts with a UTF-8 byte-order mark but is not UTF-8",
            )),
        };
    }
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(raw) {
        let (text, _, had_errors) = encoding.decode(raw);
        let mut note = format!("decoded from {}", encoding.name());
        if had_errors {
            note.push_str("; some characters could not be read and were replaced with `�`");
        }
        return Ok(Decoded {
            text: Cow::Owned(text.into_owned()),
            note: Some(note),
        });
    }
    if raw.contains(&0) {
        return Err(DecodeError::Binary);
    }
    if let Ok(text) = std::str::from_utf8(raw) {
        return Ok(plain(text));
    }
    Ok(windows_1252(raw, "is not valid UTF-8"))
}

fn plain(text: &str) -> Decoded<'_> {
    Decoded {
        text: Cow::Borrowed(text),
        note: None,
    }
}

fn windows_1252<'a>(raw: &[u8], why: &str) -> Decoded<'a> {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(raw);
    Decoded {
        text: Cow::Owned(text.into_owned()),
        note: Some(format!(
            "{why}: read as Windows-1252 (Excel on Windows); \
             hint: export as \"CSV UTF-8\" to be sure accents are right"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped_without_a_note() {
        let decoded = decode(b"\xEF\xBB\xBFAd ID\n1\n").unwrap();
        assert_eq!(decoded.text, "Ad ID\n1\n");
        assert_eq!(decoded.note, None);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut raw = vec![0xFF, 0xFE];
        for unit in "Ad ID\tPost\n".encode_utf16() {
            raw.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode(&raw).unwrap();
        assert_eq!(decoded.text, "Ad ID\tPost\n");
        assert!(decoded.note.unwrap().contains("UTF-16LE"));
    }

    #[test]
    fn windows_1252_is_decoded_with_a_note() {
        let decoded = decode(b"Caf\xE9 Cr\xE8me\n").unwrap();
        assert_eq!(decoded.text, "Café Crème\n");
        assert!(decoded.note.unwrap().contains("Windows-1252"));
    }

    #[test]
    fn nul_bytes_mean_not_text() {
        assert_eq!(
            decode(b"PK\x03\x04\x00\x00").unwrap_err(),
            DecodeError::Binary
        );
    }
}
