//! How much one input may hold: caps that turn a hostile or broken file into a clear
//! error or a rejected row instead of exhausting memory.
//!
//! The limits are set once per process, before the run imports (`set`), from the
//! configuration; every reader checks them where it reads.

use std::sync::atomic::{AtomicU64, Ordering};

/// The input caps of a run.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Limits {
    /// The largest input file, in bytes (`max-input-size`): a larger one is an error
    /// naming it, before it is read.
    pub max_file: u64,
    /// The longest value of one field, in bytes (`max-field-size`): its row is rejected.
    pub max_field: u64,
}

/// 4 GiB: larger than any export, smaller than the 32-bit offsets of the text arena.
pub const DEFAULT_MAX_FILE: u64 = 4 << 30;

/// 1 MiB: no name, ID or status comes near it.
pub const DEFAULT_MAX_FIELD: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: DEFAULT_MAX_FILE,
            max_field: DEFAULT_MAX_FIELD,
        }
    }
}

static MAX_FILE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE);
static MAX_FIELD: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FIELD);

/// Sets the caps for every import of this process from now on.
pub fn set(limits: Limits) {
    MAX_FILE.store(limits.max_file, Ordering::Relaxed);
    MAX_FIELD.store(limits.max_field, Ordering::Relaxed);
}

/// The caps in force.
pub fn get() -> Limits {
    Limits {
        max_file: MAX_FILE.load(Ordering::Relaxed),
        max_field: MAX_FIELD.load(Ordering::Relaxed),
    }
}

/// The message for an input over `max_file`.
pub fn file_too_large(bytes: u64, max_file: u64) -> String {
    format!(
        "the file is {}, more than the limit of {}; hint: split the export, or raise \
         `max-input-size` in sparkcheck.toml",
        format_size(bytes),
        format_size(max_file)
    )
}

/// `bytes` for a message: `10 MB`, `1 GiB`, `512 bytes`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
        (1_000_000_000, "GB"),
        (1_000_000, "MB"),
        (1_000, "kB"),
    ];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// Parses a size: a whole number with an optional unit (`B`, `kB`/`KB`, `MB`, `GB`, `TB`
/// in powers of 1000, `KiB`, `MiB`, `GiB`, `TiB` in powers of 1024), e.g. `10MB`, `4 GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().map_err(|_| {
        format!(
            "expected a size such as `10MB` or `4GiB`, found `{}`",
            sparkcheck_facts::quote(text)
        )
    })?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "unknown size unit `{}`; hint: use B, kB, MB, GB, KiB, MiB or GiB",
                sparkcheck_facts::quote(unit.trim())
            ))
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("the size `{}` is too large", sparkcheck_facts::quote(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("4 GiB"), Ok(4 << 30));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("99999999999TiB").is_err());
        assert_eq!(format_size(10_000_000), "10 MB");
        assert_eq!(format_size(1 << 30), "1 GiB");
        assert_eq!(format_size(1234), "1234 bytes");
    }
}
