//! Making input text safe in each format: reports are data, never code or markup.

use std::borrow::Cow;

/// A spreadsheet cell that cannot run as a formula (OWASP "CSV injection"): a value whose
/// first non-space character is `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'`, which spreadsheets read as "this is text".
pub fn spreadsheet_cell(value: &str) -> Cow<'_, str> {
    let first = value.trim_start_matches(' ').chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Text for GitHub-flavoured Markdown, in a table cell or a paragraph: markup characters
/// are backslash-escaped, HTML characters become entities and line breaks become spaces,
/// so an input value can neither break a table nor inject markup or HTML.
pub fn markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
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
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML and XML content and attribute values.
pub fn html(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 allows no other control characters, even escaped.
            '\n' | '\r' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
