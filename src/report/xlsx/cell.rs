//! A cell's text as SpreadsheetML holds it, the way Excel itself writes it: XML's markup
//! characters as entities, and a carriage return as Excel's `_x000D_` escape (a parser
//! would turn a raw one into a line feed). Since a literal `_x0041_` in a cell would then
//! read back as `A`, the underscore starting one is escaped too (`_x005F_`). U+FFFE and
//! U+FFFF, which XML 1.0 cannot hold, become `_xFFFE_` and `_xFFFF_`.
//!
//! In the same pass the text is neutralised exactly as [`inert_cell`] does it (control
//! characters but tab and line breaks, and bidirectional overrides, become U+FFFD), so
//! no raw control character can make the file invalid. One pass rather than two: every
//! cell of a workbook goes through here, and `inert_cell`'s separate scan was a quarter
//! of the workbook's time, more than deflating it.
//!
//! [`inert_cell`]: crate::report::escape::inert_cell

/// Whether byte `b` may start something to change: markup, an underscore, C0 controls
/// but tab and line feed, DEL, and the lead bytes of C1 controls (0xC2), of the
/// bidirectional controls (0xE2) and of U+FFFE and U+FFFF (0xEF). Written with `&` and
/// `|` rather than a table so that a fixed chunk of bytes is tested with vector compares.
const fn special(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n')
        | (b == b'&')
        | (b == b'<')
        | (b == b'>')
        | (b == b'_')
        | (b == 0x7f)
        | (b == 0xc2)
        | (b == 0xe2)
        | (b == 0xef)
}

/// [`special`] as a table, for the bytes looked at one by one.
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = special(b as u8);
        b += 1;
    }
    table
};

/// Bytes tested at once for the runs that need nothing, which is most text: 16 (one
/// SSE2 register) measured 2.5-3 times faster than a byte at a time on cell texts; 8 and
/// 32 were slower.
const CHUNK: usize = 16;

/// Whether no byte of `chunk` is [`special`].
fn plain_chunk(chunk: &[u8; CHUNK]) -> bool {
    // `|` without a branch, over a fixed length: the compiler makes it vector compares.
    let mut any = false;
    for &b in chunk {
        any |= special(b);
    }
    !any
}

/// U+FFFD, which shows where a neutralised character was.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Appends `text` as the content of a `<t>` element: `<t>…</t>`, with
/// `xml:space="preserve"` when it starts or ends with white space (which XML readers
/// would otherwise be free to drop).
pub fn push_t(xml: &mut Vec<u8>, text: &str) {
    let edge = ['\t', '\n', ' '];
    if text.starts_with(edge) || text.ends_with(edge) {
        xml.extend_from_slice(br#"<t xml:space="preserve">"#);
    } else {
        xml.extend_from_slice(b"<t>");
    }
    push_escaped(xml, text);
    xml.extend_from_slice(b"</t>");
}

/// Appends `text` neutralised and escaped for element content (see the module's
/// documentation).
pub fn push_escaped(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].first_chunk().is_some_and(plain_chunk) {
            at += CHUNK;
            continue;
        }
        // Something may need work in the next CHUNK bytes: look at them one by one.
        let end = (at + CHUNK).min(bytes.len());
        while at < end {
            if !SPECIAL[usize::from(bytes[at])] {
                at += 1;
                continue;
            }
            match escape(&bytes[at..]) {
                Some((escape, len)) => {
                    xml.extend_from_slice(&bytes[plain..at]);
                    xml.extend_from_slice(escape);
                    at += len;
                    plain = at;
                }
                None => at += 1,
            }
        }
    }
    xml.extend_from_slice(&bytes[plain..]);
}

/// What replaces the start of `rest` (which starts with a [`special`] byte), and how
/// many bytes it replaces; `None` when it stays.
fn escape(rest: &[u8]) -> Option<(&'static [u8], usize)> {
    Some(match rest {
        [b'&', ..] => (b"&amp;", 1),
        [b'<', ..] => (b"&lt;", 1),
        [b'>', ..] => (b"&gt;", 1),
        [b'_', ..] if starts_excel_escape(rest) => (b"_x005F_", 1),
        [b'\r', ..] => (b"_x000D_", 1),
        [0..=0x1f | 0x7f, ..] => (REPLACEMENT, 1),
        [0xc2, 0x80..=0x9f, ..] => (REPLACEMENT, 2),
        [0xe2, 0x80, 0xaa..=0xae, ..] | [0xe2, 0x81, 0xa6..=0xa9, ..] => (REPLACEMENT, 3),
        [0xef, 0xbf, 0xbe, ..] => (b"_xFFFE_", 3),
        [0xef, 0xbf, 0xbf, ..] => (b"_xFFFF_", 3),
        _ => return None,
    })
}

/// Whether `text` starts with what Excel would read as an escape once written: `_xHHHH_`
/// (H a hex digit), or `_xHHHH` before a character that is itself written as an escape
/// starting with `_` (a carriage return, U+FFFE, U+FFFF): `_x0041` and a carriage
/// return would be written `_x0041_x000D_` and read back as `A` and `x000D_` (found by
/// an outside review; the old writer did the same).
fn starts_excel_escape(text: &[u8]) -> bool {
    match text {
        [b'_', b'x', h1, h2, h3, h4, rest @ ..]
            if [h1, h2, h3, h4].iter().all(|h| h.is_ascii_hexdigit()) =>
        {
            matches!(rest, [b'_' | b'\r', ..] | [0xef, 0xbf, 0xbe | 0xbf, ..])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, character by character: [`inert_cell`], then rust_xlsxwriter's
    /// escaping, which the workbooks were written with before (underscores of
    /// escape-shaped text first, then markup and the characters XML cannot hold), with
    /// one correction: `_xHHHH` before a character written as an escape is escape-shaped
    /// too.
    ///
    /// [`inert_cell`]: crate::report::escape::inert_cell
    fn reference(text: &str) -> String {
        let text = crate::report::escape::inert_cell(text);
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let escape_shaped = chars.len() >= i + 7
                && chars[i + 1] == 'x'
                && chars[i + 2..i + 6].iter().all(char::is_ascii_hexdigit)
                && matches!(chars[i + 6], '_' | '\r' | '\u{fffe}' | '\u{ffff}');
            match c {
                '_' if escape_shaped => out.push_str("_x005F_"),
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\t' | '\n' => out.push(c),
                '\u{0}'..='\u{1f}' => out.push_str(&format!("_x{:04X}_", c as u32)),
                '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("_x{:04X}_", c as u32)),
                c => out.push(c),
            }
        }
        out
    }

    fn escaped(text: &str) -> String {
        let mut xml = Vec::new();
        push_escaped(&mut xml, text);
        String::from_utf8(xml).expect("escaping keeps UTF-8")
    }

    #[test]
    fn escapes_like_excel() {
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped("line\r\nnext\tcol"), "line_x000D_\nnext\tcol");
        assert_eq!(
            escaped("_x0041_ and _x004_ and _X0041_"),
            "_x005F_x0041_ and _x004_ and _X0041_"
        );
        assert_eq!(
            escaped("\u{1b}[31m\u{fffe}\u{ffff}\u{85}\u{202e}gnp.exe"),
            "\u{fffd}[31m_xFFFE__xFFFF_\u{fffd}\u{fffd}gnp.exe"
        );
        // `_xHHHH` before a character written as an escape: its underscore escaped too,
        // or `_x0041` and a carriage return would read back as `Ax000D_`.
        assert_eq!(
            escaped("_x0041\rB Pay_x0024\u{fffe} _x0041\n"),
            "_x005F_x0041_x000D_B Pay_x005F_x0024_xFFFE_ _x0041\n"
        );
        assert_eq!(
            escaped("spark_codes.csv → “…” £"),
            "spark_codes.csv → “…” £"
        );
        let mut xml = Vec::new();
        push_t(&mut xml, " padded");
        push_t(&mut xml, "plain");
        assert_eq!(xml, br#"<t xml:space="preserve"> padded</t><t>plain</t>"#);
    }

    #[test]
    fn every_character_escapes_as_the_reference_does() {
        for code in 0..=0x10ffffu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = format!("a{c}b_x00{c}1_");
            assert_eq!(escaped(&text), reference(&text), "U+{code:04X}");
        }
    }

    #[test]
    fn a_character_needing_work_is_found_at_every_position_of_a_long_text() {
        for c in [
            '<', '_', '\r', '\u{7}', '\u{85}', '\u{202e}', '\u{ffff}', '→', '\n',
        ] {
            for at in 0..70 {
                let text = format!("{}{c}x0041_{}", "a".repeat(at), "b".repeat(70 - at));
                assert_eq!(escaped(&text), reference(&text), "{c:?} at {at}");
            }
        }
    }

    proptest! {
        #[test]
        fn any_text_escapes_as_the_reference_does(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("_x0041_".to_string()),
                    Just("_x".to_string()),
                    Just("_".to_string()),
                    Just("\u{fffe}".to_string()),
                    "[a-fA-F0-9x_&<>\r\n\t\u{0}-\u{1f}\u{7f}-\u{a0}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{fffd}-\u{ffff}→…]{0,8}",
                    any::<String>(),
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            prop_assert_eq!(escaped(&text), reference(&text));
        }
    }
}
