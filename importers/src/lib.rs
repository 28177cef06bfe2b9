//! Importers: files → facts.
//!
//! [`import_paths`] walks the paths, reads each file's bytes into UTF-8 ([`decode`]),
//! recognises its kind from the header row ([`registry`]), and hands each data row to that
//! kind's [`Importer`]. Every row becomes facts or one [`sparkcheck_facts::Rejection`];
//! a file that cannot be read or recognised is an [`InputError`] and the run goes on to
//! collect the others, so the user sees every problem at once.

mod ads;
mod bc;
mod codes;
mod csv_file;
pub mod decode;
mod importer;
mod links;
pub mod registry;
pub mod table;
pub mod values;
mod walk;

pub use importer::{Importer, RowError, RowSink};
pub use walk::{walk, InputFile, Walk};

use sparkcheck_facts::Facts;
use std::fmt;
use std::path::Path;

/// A file that could not be used at all: the run cannot complete (exit 2).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InputError {
    /// The file as the user would name it.
    pub path: String,
    /// What went wrong, in one line, with a hint when there is one.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for InputError {}

/// The outcome of importing every input.
#[derive(Debug, Default)]
pub struct Imported {
    /// The facts of every file that could be read.
    pub facts: Facts,
    /// Files under the named folders that were passed over, and why.
    pub skipped: Vec<(String, String)>,
    /// Files that could not be used.
    pub errors: Vec<InputError>,
}

/// Imports every input file under `paths` (folders recursively, in a stable order).
pub fn import_paths<P: AsRef<Path>>(paths: &[P]) -> Imported {
    let walked = walk(paths);
    let mut imported = Imported {
        skipped: walked.skipped,
        errors: walked.errors,
        ..Imported::default()
    };
    // Growing the row tables by doubling copies them into fresh pages again and again
    // (a fifth of a 1M-ad run went there); reserving for the whole input up front costs
    // address space only, since pages are touched as rows are written.
    let total_bytes: u64 = walked
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    imported
        .facts
        .reserve_for_input(usize::try_from(total_bytes).unwrap_or(usize::MAX));
    // One buffer for every file: fresh memory for each file's bytes costs page faults.
    let mut buffer = Vec::new();
    for input in &walked.files {
        if let Err(error) = import_file(input, &mut buffer, &mut imported.facts) {
            imported.errors.push(error);
        }
    }
    imported
}

/// Imports one file into `facts`, reading it into `buffer`.
pub fn import_file(
    input: &InputFile,
    buffer: &mut Vec<u8>,
    facts: &mut Facts,
) -> Result<(), InputError> {
    buffer.clear();
    let read = std::fs::File::open(&input.path)
        .and_then(|mut file| std::io::Read::read_to_end(&mut file, buffer));
    read.map_err(|e| InputError {
        path: input.display.clone(),
        message: format!("cannot read the file: {e}"),
    })?;
    import_bytes(&input.display, buffer, facts)
}

/// Imports a file's contents; `display` names it in evidence and messages.
pub fn import_bytes(display: &str, raw: &[u8], facts: &mut Facts) -> Result<(), InputError> {
    let error = |message: String| InputError {
        path: display.to_string(),
        message,
    };
    let decoded = decode::decode(raw).map_err(|e| error(e.to_string()))?;
    csv_file::import(display, &decoded, facts).map_err(error)
}
