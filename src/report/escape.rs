//! Making input text safe in each format: reports are data, never code or markup.

use std::borrow::Cow;

/// A spreadsheet cell that cannot run as a formula (OWASP "CSV injection"): a value whose
/// first non-space character is `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'`, which spreadsheets read as "this is text".
///
/// Bidirectional overrides and control characters become U+FFFD (see [`inert_cell`]).
pub fn spreadsheet_cell(value: &str) -> Cow<'_, str> {
    let value = inert_cell(value);
    let first = value.trim_start_matches(' ').chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        Cow::Owned(format!("'{value}"))
    } else {
        value
    }
}

/// `value` for a spreadsheet cell: every bidirectional embedding, override and isolate,
/// and every control character but tab and line breaks (an ESC would drive the terminal
/// of whoever runs `cat` on the file), replaced by U+FFFD, which shows where one was
/// instead of acting on the text around it.
pub fn inert_cell(value: &str) -> Cow<'_, str> {
    if has_unsafe_char(value) {
        Cow::Owned(
            value
                .chars()
                .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(value)
    }
}

/// A character [`inert_cell`] replaces.
fn unsafe_char(c: char) -> bool {
    sparkcheck_facts::is_bidi_control(c) || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Whether `value` holds an [`unsafe_char`], read byte by byte: every cell of a large
/// workbook passes here, and decoding each character was a tenth of writing it. The
/// controls are U+0000-U+001F and U+007F-U+009F (C1: `C2 80`-`C2 9F` in UTF-8), the
/// bidirectional controls U+202A-U+202E (`E2 80 AA`-`AE`) and U+2066-U+2069
/// (`E2 81 A6`-`A9`).
pub(crate) fn has_unsafe_char(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1f | 0x7f => true,
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// Text for GitHub-flavoured Markdown, in a table cell or a paragraph: markup characters
/// are backslash-escaped, HTML characters become entities and line breaks become spaces,
/// so an input value can neither break a table nor inject markup or HTML. Nothing in it
/// becomes a link or a notification either: a U+200B (zero-width space) follows every `@`
/// (no `@mention`, no e-mail autolink) and a `#` before a digit (no issue reference), and
/// splits `www.` and `scheme://` (no autolink); it is invisible where the text is read.
pub fn markdown(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len() + 8);
    let (mut plain, mut next) = (0, 0);
    // Each candidate byte (a table) is checked in its context: a `.` in a handle or a
    // sentence, a `:` or `#` not starting a link or reference, and the characters that
    // share the lead bytes of the controls stay in the run that is copied whole.
    while let Some(offset) = bytes[next..]
        .iter()
        .position(|&b| MARKDOWN_CANDIDATE[usize::from(b)])
    {
        let i = next + offset;
        next = i + 1;
        if !markdown_changes(bytes, i) {
            continue;
        }
        out.push_str(&value[plain..i]);
        let c = value[i..]
            .chars()
            .next()
            .expect("a candidate byte starts a character");
        markdown_char(value, i, c, &mut out);
        plain = i + c.len_utf8();
        next = plain;
    }
    out.push_str(&value[plain..]);
    out
}

/// Bytes that may start a character [`markdown_char`] changes (see [`markdown_changes`]).
static MARKDOWN_CANDIDATE: [bool; 256] = markdown_candidates();

const fn markdown_candidates() -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = markdown_special(byte as u8);
        byte += 1;
    }
    table
}

/// Whether [`markdown_char`] changes the character starting at byte `i` of `bytes`:
/// markup, HTML and control characters and `@` always; `#` before a digit, `:` before
/// `//` and `.` after `www`; of the characters led by `0xC2` and `0xE2`, the C1 controls
/// and the bidirectional controls.
fn markdown_changes(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'#' => bytes.get(i + 1).is_some_and(u8::is_ascii_digit),
        b':' => bytes[i + 1..].starts_with(b"//"),
        b'.' => i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www"),
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        b => markdown_special(b),
    }
}

/// The bytes that may start a character [`markdown_char`] changes.
const fn markdown_special(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'`'
            | b'*'
            | b'_'
            | b'['
            | b']'
            | b'|'
            | b'~'
            | b'<'
            | b'>'
            | b'&'
            | b'@'
            | b'#'
            | b':'
            | b'.'
            | 0..=0x1f | 0x7f | 0xc2 | 0xe2
    )
}

/// The character `c` at byte `i` of `value`, as [`markdown`] writes it.
fn markdown_char(value: &str, i: usize, c: char, out: &mut String) {
    let after = &value[i + c.len_utf8()..];
    match c {
        // Values never start a line (they follow a list marker or sit in a cell), so
        // only inline markup needs escaping: emphasis, code, links, tables, strikes.
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
            out.push('\\');
            out.push(c);
        }
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '\n' | '\r' | '\t' => out.push(' '),
        c if c.is_control() => {}
        c if sparkcheck_facts::is_bidi_control(c) => out.push('\u{FFFD}'),
        '@' => out.push_str("@\u{200B}"),
        '#' if after.starts_with(|n: char| n.is_ascii_digit()) => out.push_str("#\u{200B}"),
        ':' if after.starts_with("//") => out.push_str("\u{200B}:"),
        '.' if i >= 3 && value.as_bytes()[i - 3..i].eq_ignore_ascii_case(b"www") => {
            out.push_str("\u{200B}.");
        }
        c => out.push(c),
    }
}

/// `value` rewritten character by character with `escape`, which is called only for the
/// characters starting at a byte `special` accepts (ASCII or a UTF-8 lead byte); every
/// other run of text is copied whole. Reports escape every text they write, and most of
/// it needs nothing: decoding and pushing each character was a tenth of writing a large
/// Markdown or JUnit report.
fn escaped(
    value: &str,
    special: impl Fn(u8) -> bool,
    mut escape: impl FnMut(&str, usize, char, &mut String),
) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len() + 8);
    let mut plain = 0;
    let mut next = 0;
    while let Some(offset) = bytes[next..].iter().position(|&b| special(b)) {
        let i = next + offset;
        let b = bytes[i];
        out.push_str(&value[plain..i]);
        let c = if b.is_ascii() {
            char::from(b)
        } else {
            value[i..]
                .chars()
                .next()
                .expect("a special byte starts a character")
        };
        escape(value, i, c, &mut out);
        plain = i + c.len_utf8();
        next = plain;
    }
    out.push_str(&value[plain..]);
    out
}

/// A Markdown code span showing `value` verbatim: a backtick fence longer than any run
/// of backticks inside, padded when the value starts or ends with a backtick or a space.
/// In a table cell (`in_table`), `|` is escaped: GFM strips that backslash before the span
/// is read. Line breaks become spaces; other control characters are dropped.
pub fn markdown_code(value: &str, in_table: bool) -> String {
    let mut body = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match c {
            '\n' | '\r' | '\t' => body.push(' '),
            '|' if in_table => body.push_str("\\|"),
            c if c.is_control() => {}
            c if sparkcheck_facts::is_bidi_control(c) => body.push('\u{FFFD}'),
            c => body.push(c),
        }
    }
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A sentence of sparkcheck's (a fix step, a reason) for Markdown: its `` `quoted` ``
/// parts as code spans, the rest through [`markdown`]; with unbalanced backticks, all of
/// it through [`markdown`].
pub fn markdown_prose(value: &str, in_table: bool) -> String {
    let parts: Vec<&str> = value.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return markdown(value);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && !part.is_empty() {
                markdown_code(part, in_table)
            } else {
                markdown(part)
            }
        })
        .collect()
}

/// Text for HTML and XML content and attribute values.
pub fn html(value: &str) -> String {
    escaped(
        value,
        |b| {
            matches!(
                b,
                b'<' | b'>' | b'&' | b'"' | b'\'' | 0..=0x1f | 0x7f | 0xc2 | 0xe2
            )
        },
        |_, _, c, out| html_char(c, out),
    )
}

fn html_char(c: char, out: &mut String) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        // A parser turns a raw CR (and CR LF) into LF, so a value with one would no
        // longer equal itself in the page's data (a client filter matching nothing).
        '\r' => out.push_str("&#13;"),
        // XML 1.0 allows no other control characters, even escaped.
        '\n' | '\t' => out.push(c),
        c if c.is_control() || sparkcheck_facts::is_bidi_control(c) => out.push('\u{FFFD}'),
        c => out.push(c),
    }
}

/// Whether XML 1.0 allows `c` at all, even escaped: tab, line feed, carriage return and
/// everything from U+0020 except U+FFFE and U+FFFF (Rust's `char` has no surrogates).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text for XML 1.0 element content: markup characters become entities, a carriage return
/// a character reference (a parser would turn a raw one into a line feed), and characters
/// XML 1.0 does not allow (C0 controls other than tab, CR, LF; U+FFFE; U+FFFF) become U+FFFD.
pub fn xml_text(value: &str) -> Cow<'_, str> {
    xml(value, false)
}

/// Text for an XML 1.0 attribute value in double quotes: like [`xml_text`], and tabs and
/// line breaks as character references, which attribute normalisation would turn into
/// spaces.
pub fn xml_attr(value: &str) -> Cow<'_, str> {
    xml(value, true)
}

/// Borrowed when nothing in `value` needs escaping (IDs, most names): a JUnit report
/// writes two attributes for each of hundreds of thousands of passing posts. Which bytes
/// may need escaping is one table lookup per byte; in element content a quote, a tab and
/// a line feed stay as they are, so texts with them are not copied.
fn xml(value: &str, attribute: bool) -> Cow<'_, str> {
    let table = xml_table(attribute);
    let Some(first) = value.bytes().position(|b| table[usize::from(b)]) else {
        return Cow::Borrowed(value);
    };
    // A special byte is ASCII or a lead byte: `first` is a character boundary.
    let mut out = Vec::with_capacity(value.len() + 8);
    out.extend_from_slice(&value.as_bytes()[..first]);
    xml_into(&mut out, &value[first..], attribute);
    Cow::Owned(String::from_utf8(out).expect("escaping UTF-8 gives UTF-8"))
}

/// The bytes that may start a character XML escaping changes, in attributes or in text.
fn xml_table(attribute: bool) -> &'static [bool; 256] {
    if attribute {
        &XML_ATTRIBUTE_SPECIAL
    } else {
        &XML_TEXT_SPECIAL
    }
}

/// Bytes that start a character [`xml_replacement`] may change: markup, C0 controls, and the
/// first bytes of the bidirectional controls (U+202A-U+202E, U+2066-U+2069, `0xE2`) and of
/// U+FFFE and U+FFFF (`0xEF`).
const fn xml_special(attribute: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    if !attribute {
        table[b'\t' as usize] = false;
        table[b'\n' as usize] = false;
    }
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[b'"' as usize] = attribute;
    table[0xe2] = true;
    table[0xef] = true;
    table
}

static XML_TEXT_SPECIAL: [bool; 256] = xml_special(false);
static XML_ATTRIBUTE_SPECIAL: [bool; 256] = xml_special(true);

/// What XML escaping writes for `c` when it is not `c` itself.
fn xml_replacement(c: char, attribute: bool) -> Option<&'static str> {
    match c {
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '&' => Some("&amp;"),
        '"' if attribute => Some("&quot;"),
        '\r' => Some("&#13;"),
        '\n' if attribute => Some("&#10;"),
        '\t' if attribute => Some("&#9;"),
        c if xml_allowed(c) && !sparkcheck_facts::is_bidi_control(c) => None,
        _ => Some("\u{FFFD}"),
    }
}

/// [`xml_text`] or [`xml_attr`] of `value`, appended to `out`: a failing post's text is
/// written piece by piece, escaped straight into the report's buffer. A character the
/// table flags but that stays as it is (the `→` of every fix step) does not end the run
/// copied in one piece.
pub fn xml_into(out: &mut Vec<u8>, value: &str, attribute: bool) {
    let table = xml_table(attribute);
    let bytes = value.as_bytes();
    let mut plain = 0;
    let mut next = 0;
    while let Some(offset) = bytes[next..].iter().position(|&b| table[usize::from(b)]) {
        let i = next + offset;
        let c = value[i..]
            .chars()
            .next()
            .expect("a special byte starts a character");
        next = i + c.len_utf8();
        if let Some(replacement) = xml_replacement(c, attribute) {
            out.extend_from_slice(&bytes[plain..i]);
            out.extend_from_slice(replacement.as_bytes());
            plain = next;
        }
    }
    out.extend_from_slice(&bytes[plain..]);
}

/// A [`std::fmt::Write`] that escapes everything written through it for XML ([`xml_into`]),
/// so `write!` formats a text or an attribute value straight into the buffer.
pub struct XmlInto<'a> {
    pub out: &'a mut Vec<u8>,
    pub attribute: bool,
}

impl std::fmt::Write for XmlInto<'_> {
    fn write_str(&mut self, piece: &str) -> std::fmt::Result {
        xml_into(self.out, piece, self.attribute);
        Ok(())
    }
}

/// A GitHub Actions workflow command's message (after `::`): `%`, CR and LF percent-encoded
/// as GitHub's toolkit does; other control characters, which would drive the log viewer,
/// become U+FFFD.
pub fn workflow_message(value: &str) -> String {
    workflow(value, false)
}

/// A workflow command property value (`file=`, `title=`): like [`workflow_message`], and
/// `:` and `,` percent-encoded too.
pub fn workflow_property(value: &str) -> String {
    workflow(value, true)
}

fn workflow(value: &str, property: bool) -> String {
    let table = if property {
        &WORKFLOW_PROPERTY_SPECIAL
    } else {
        &WORKFLOW_MESSAGE_SPECIAL
    };
    escaped(
        value,
        |b| table[usize::from(b)],
        |_, _, c, out| workflow_char(c, property, out),
    )
}

/// Bytes that start a character [`workflow_char`] may change: `%`, controls but tab
/// (`0x7F`, and C1 controls after `0xC2`), bidirectional controls (after `0xE2`), and in
/// a property `:` and `,`. A message keeps its colons, commas and tabs without a copy.
const fn workflow_special(property: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = byte != b'\t' as usize;
        byte += 1;
    }
    table[b'%' as usize] = true;
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    table[b':' as usize] = property;
    table[b',' as usize] = property;
    table
}

static WORKFLOW_MESSAGE_SPECIAL: [bool; 256] = workflow_special(false);
static WORKFLOW_PROPERTY_SPECIAL: [bool; 256] = workflow_special(true);

fn workflow_char(c: char, property: bool, out: &mut String) {
    match c {
        '%' => out.push_str("%25"),
        '\r' => out.push_str("%0D"),
        '\n' => out.push_str("%0A"),
        ':' if property => out.push_str("%3A"),
        ',' if property => out.push_str("%2C"),
        c if (c.is_control() && c != '\t') || sparkcheck_facts::is_bidi_control(c) => {
            out.push('\u{FFFD}')
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One character XML-escaped, the definition [`xml_into`]'s skipping scan must match.
    fn xml_char(c: char, attribute: bool, out: &mut String) {
        match xml_replacement(c, attribute) {
            Some(replacement) => out.push_str(replacement),
            None => out.push(c),
        }
    }

    /// `value` with `escape` applied to every character, the definition the skipping
    /// scan of [`escaped`] must match.
    fn every_char(value: &str, mut escape: impl FnMut(&str, usize, char, &mut String)) -> String {
        let mut out = String::new();
        for (i, c) in value.char_indices() {
            escape(value, i, c, &mut out);
        }
        out
    }

    /// [`xml_into`] of `value` after a prefix that must stay untouched, without the prefix.
    fn xml_appended(value: &str, attribute: bool) -> String {
        let mut out = b"kept".to_vec();
        xml_into(&mut out, value, attribute);
        assert!(out.starts_with(b"kept"));
        String::from_utf8(out.split_off(4)).expect("escaping keeps UTF-8")
    }

    #[test]
    fn escaping_skips_only_characters_it_would_not_change() {
        // Every character whose UTF-8 starts with an ASCII byte or C2, E2 or EF (the lead
        // bytes the scans look at), and a sample of the rest.
        let codes = (0..=0x3000u32)
            .chain(0xe000..=0xffff)
            .chain((0x10000..=0x10ffff).step_by(97));
        for code in codes {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            for text in [format!("a{c}b"), format!("www{c}//#1"), c.to_string()] {
                assert_eq!(
                    markdown(&text),
                    every_char(&text, markdown_char),
                    "U+{code:04X}"
                );
                let html_ref = every_char(&text, |_, _, c, out| html_char(c, out));
                assert_eq!(html(&text), html_ref, "U+{code:04X}");
                for attribute in [false, true] {
                    let xml_ref = every_char(&text, |_, _, c, out| xml_char(c, attribute, out));
                    assert_eq!(xml(&text, attribute), xml_ref, "U+{code:04X}");
                    assert_eq!(xml_appended(&text, attribute), xml_ref, "U+{code:04X}");
                    let gh_ref = every_char(&text, |_, _, c, out| workflow_char(c, attribute, out));
                    assert_eq!(workflow(&text, attribute), gh_ref, "U+{code:04X}");
                }
            }
        }
        let hostile = "www.x.com http://y @me #12 `a`|b\r\n\u{202e}\u{7}<&>\"' %:,";
        assert_eq!(markdown(hostile), every_char(hostile, markdown_char));
    }

    #[test]
    fn markdown_checks_each_candidate_in_its_context() {
        // The characters whose escaping depends on their neighbours, in every context the
        // check reads: before and after digits, `//`, `www` in any case, at either end.
        let pieces = [
            "", "#", "#1", "1", ":", "://", "//", "/", ".", "www", "WwW", "ww", "xwww", "@",
            "\u{85}", "\u{a0}", "\u{202a}", "\u{2066}", "\u{2069}", "\u{2010}", "\u{2192}", "a",
            " ", "`", "|",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(
                        markdown(&text),
                        every_char(&text, markdown_char),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_unsafe_characters() {
        for code in 0..=0x10ffffu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = format!("a{c}b");
            assert_eq!(has_unsafe_char(&text), unsafe_char(c), "U+{code:04X}");
            assert_eq!(has_unsafe_char(&text[1..text.len() - 1]), unsafe_char(c));
        }
    }

    #[test]
    fn the_scans_look_at_every_position_of_a_long_value() {
        // A character needing work anywhere in a long value is found (a scan that skipped
        // ahead by blocks would miss one at a block's end), and nothing else is changed.
        for c in [
            '<', '"', '\r', '\u{7}', '\u{85}', '\u{202e}', '\u{2067}', '\u{ffff}', '→',
        ] {
            for at in 0..70 {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(70 - at));
                assert_eq!(has_unsafe_char(&text), unsafe_char(c), "{c:?} at {at}");
                for attribute in [false, true] {
                    let xml_ref = every_char(&text, |_, _, c, out| xml_char(c, attribute, out));
                    assert_eq!(xml(&text, attribute), xml_ref, "{c:?} at {at}");
                    assert_eq!(xml_appended(&text, attribute), xml_ref, "{c:?} at {at}");
                }
                assert_eq!(markdown(&text), every_char(&text, markdown_char));
            }
        }
    }

    #[test]
    fn formulas_are_neutralised() {
        for hostile in [
            "=HYPERLINK(\"http://x\")",
            "+cmd",
            "-1+1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "  =1",
        ] {
            assert!(spreadsheet_cell(hostile).starts_with('\''), "{hostile:?}");
        }
        for fine in ["7301234567890123456", "Acme Shoes", "a=b", ""] {
            assert_eq!(spreadsheet_cell(fine), fine);
        }
    }

    #[test]
    fn markdown_cannot_break_a_table_or_inject_html() {
        let escaped = markdown("a | b\n<img src=x onerror=alert(1)> [x](javascript:1) *b*");
        assert!(!escaped.contains(" | "));
        assert!(!escaped.contains('\n'));
        assert!(!escaped.contains('<'));
        assert!(escaped.contains("\\|"));
        assert!(escaped.contains("\\[x\\]"));
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html("a\u{0}b"), "a\u{FFFD}b");
        assert_eq!(html("CR\rLF\nTAB\t"), "CR&#13;LF\nTAB\t");
    }

    #[test]
    fn xml_keeps_only_what_xml_1_0_allows() {
        let hostile = "a\u{0}b\u{1}c\u{b}d\u{c}e\u{1f}f\u{fffe}g\u{ffff}h\u{7f}i\u{85}j\u{1f600}";
        let expected = "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g\u{FFFD}h\u{7f}i\u{85}j\u{1f600}";
        assert_eq!(xml_text(hostile), expected);
        assert_eq!(xml_attr(hostile), expected);
        assert_eq!(
            xml_text("<a & \"b\">\t\n\r"),
            "&lt;a &amp; \"b\"&gt;\t\n&#13;"
        );
        assert_eq!(
            xml_attr("<a & \"b\">\t\n\r"),
            "&lt;a &amp; &quot;b&quot;&gt;&#9;&#10;&#13;"
        );
    }

    #[test]
    fn workflow_commands_escape_like_the_actions_toolkit() {
        assert_eq!(workflow_message("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(
            workflow_property("50% a:b,c\r\nd"),
            "50%25 a%3Ab%2Cc%0D%0Ad"
        );
        assert_eq!(workflow_message("a\u{1b}[31mb"), "a\u{FFFD}[31mb");
    }

    #[test]
    fn bidirectional_overrides_are_neutralised_in_every_human_format() {
        let hostile = "Promo \u{202e}gnp.exe\u{2066}x\u{2069}";
        let shown = "Promo \u{FFFD}gnp.exe\u{FFFD}x\u{FFFD}";
        assert_eq!(spreadsheet_cell(hostile), shown);
        assert_eq!(spreadsheet_cell("\u{202e}=1+1"), "\u{FFFD}=1+1");
        assert_eq!(markdown(hostile), shown);
        assert_eq!(markdown_code(hostile, true), format!("`{shown}`"));
        assert_eq!(html(hostile), shown);
        assert_eq!(xml_text(hostile), shown);
        assert_eq!(workflow_message(hostile), shown);
        assert_eq!(inert_cell("plain"), "plain");
        assert_eq!(
            spreadsheet_cell("\u{1b}]8;;http://evil\u{1b}\\RED\r\nX\t"),
            "\u{FFFD}]8;;http://evil\u{FFFD}\\RED\r\nX\t"
        );
    }

    #[test]
    fn markdown_breaks_mentions_and_autolinks() {
        assert_eq!(markdown("@maya.moves"), "@\u{200B}maya.moves");
        assert_eq!(markdown("a@b.co"), "a@\u{200B}b.co");
        assert_eq!(markdown("see #12"), "see #\u{200B}12");
        assert_eq!(markdown("http://x.io"), "http\u{200B}://x.io");
        assert_eq!(markdown("WWW.x.io"), "WWW\u{200B}.x.io");
        assert_eq!(markdown("a.b"), "a.b");
    }

    #[test]
    fn markdown_code_spans_hold_any_text() {
        assert_eq!(markdown_code("CODE_EXPIRED", false), "`CODE_EXPIRED`");
        assert_eq!(markdown_code("a`b", false), "``a`b``");
        assert_eq!(markdown_code("`a", false), "`` `a ``");
        assert_eq!(markdown_code("a|b", true), "`a\\|b`");
        assert_eq!(
            markdown_prose("column 8 (`Post ID`): found `7.3E+18`", false),
            "column 8 (`Post ID`): found `7.3E+18`"
        );
        assert_eq!(markdown_prose("odd ` tick_x", false), "odd \\` tick\\_x");
    }
}
