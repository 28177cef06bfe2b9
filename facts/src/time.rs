//! Instants as unix seconds (UTC): parsing every time format the inputs use, and printing.
//!
//! Hand-written rather than a date crate because it sits in the importers' row loop and
//! only needs the spec's fixed layouts; property tests pin it against round trips.

use std::fmt;

/// Why a time could not be read.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TimeError {
    found: String,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected a time such as `2026-05-24 07:09:07`, `2026-05-24`, \
             `2026-05-24T07:09:07Z` or unix seconds, found `{}`",
            self.found
        )
    }
}

impl std::error::Error for TimeError {}

/// Unix seconds below this are read as seconds, above as milliseconds
/// (`10^11` s is the year 5138; `10^11` ms is 1973).
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, RFC 3339
/// (`T` or space, optional fraction, `Z` or `±HH:MM`), unix seconds or milliseconds.
/// Times without an offset are UTC.
pub fn parse_instant(text: &str) -> Result<i64, TimeError> {
    let text = text.trim();
    let error = || TimeError {
        found: crate::quote(text),
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let value: i64 = text.parse().map_err(|_| error())?;
        return Ok(if value >= MILLIS_THRESHOLD {
            value.div_euclid(1000)
        } else {
            value
        });
    }
    parse_calendar(text.as_bytes()).ok_or_else(error)
}

fn parse_calendar(b: &[u8]) -> Option<i64> {
    let year = digits(b, 0, 4)?;
    expect(b, 4, b'-')?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date_secs = days_from_civil(year, month, day) * 86_400;
    if b.len() == 10 {
        return Some(date_secs);
    }
    if !matches!(b.get(10), Some(b' ' | b'T' | b't')) {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b':')?;
    let minute = digits(b, 14, 2)?;
    let mut pos = 16;
    let mut second = 0;
    if b.get(pos) == Some(&b':') {
        second = digits(b, 17, 2)?;
        pos = 19;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while b.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == start {
                return None;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = parse_offset(&b[pos..])?;
    Some(date_secs + hour * 3600 + minute * 60 + second - offset)
}

/// The offset east of UTC in seconds: none, `Z`, `±HH:MM` or `±HHMM`.
fn parse_offset(b: &[u8]) -> Option<i64> {
    match b {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (hours, minutes) = match rest.len() {
                5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                2 => (digits(rest, 0, 2)?, 0),
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let field = b.get(start..start + len)?;
    field.iter().try_fold(0i64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn expect(b: &[u8], at: usize, byte: u8) -> Option<()> {
    (b.get(at) == Some(&byte)).then_some(())
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// RFC 3339 in UTC: `2026-05-24T07:09:07Z`.
pub fn format_instant(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses a duration such as `7d`, `36h`, `90m`, `2w` or `3600s` (a bare number is days).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_secs = match unit.trim() {
        "" | "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        "h" | "hour" | "hours" => 3600,
        "m" | "min" | "minutes" => 60,
        "s" | "sec" | "seconds" => 1,
        _ => return Err(bad_duration(text)),
    };
    let number: i64 = number.parse().map_err(|_| bad_duration(text))?;
    number
        .checked_mul(unit_secs)
        .ok_or_else(|| bad_duration(text))
}

fn bad_duration(text: &str) -> String {
    format!(
        "expected a duration such as `7d`, `36h` or `2w`, found `{}`",
        crate::quote(text)
    )
}

/// Prints a duration the way [`parse_duration`] reads it, in the largest exact unit.
pub fn format_duration(secs: i64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs != 0 && secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAY_24: i64 = 1_779_606_547; // 2026-05-24T07:09:07Z

    #[test]
    fn every_spec_format_reads_the_same_instant() {
        for text in [
            "2026-05-24 07:09:07",
            "2026-05-24T07:09:07Z",
            "2026-05-24T07:09:07.250Z",
            "2026-05-24T09:09:07+02:00",
            "2026-05-24T02:09:07-0500",
            "1779606547",
            "1779606547000",
            " 2026-05-24 07:09:07 ",
        ] {
            assert_eq!(parse_instant(text), Ok(MAY_24), "{text}");
        }
        assert_eq!(parse_instant("2026-05-24 07:09"), Ok(MAY_24 - 7));
        assert_eq!(
            parse_instant("2026-05-24"),
            Ok(MAY_24 - 7 * 3600 - 9 * 60 - 7)
        );
    }

    #[test]
    fn impossible_dates_and_garbage_are_errors() {
        for text in [
            "",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-05-24 24:00:00",
            "24/05/2026",
            "2026-05-24T07:09:07+25:00",
            "2026-05-24 07",
            "tomorrow",
            "99999999999999999999999",
        ] {
            let error = parse_instant(text).unwrap_err();
            assert!(error.to_string().starts_with("expected a time"), "{text}");
        }
        assert_eq!(parse_instant("2024-02-29"), Ok(1_709_164_800));
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(format_instant(MAY_24), "2026-05-24T07:09:07Z");
        assert_eq!(format_instant(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_instant(-1), "1969-12-31T23:59:59Z");
        for secs in [-86_401, 0, 951_782_400, MAY_24, 4_102_444_800] {
            assert_eq!(parse_instant(&format_instant(secs)), Ok(secs));
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        assert_eq!(parse_duration("36h"), Ok(129_600));
        assert_eq!(parse_duration("3"), Ok(259_200));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1d").is_err());
        assert_eq!(format_duration(604_800), "7d");
        assert_eq!(format_duration(86_400 * 3), "3d");
        assert_eq!(format_duration(90), "90s");
    }
}
