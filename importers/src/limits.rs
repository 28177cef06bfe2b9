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
        crate::formats::plugin::format_size(bytes),
        crate::formats::plugin::format_size(max_file)
    )
}
