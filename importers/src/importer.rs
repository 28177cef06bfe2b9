//! The one trait every input kind implements.

use sparkcheck_facts::{Facts, InputKind, RowRef};

use crate::table::{Column, Row};

/// Why one row could not become facts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RowError {
    /// The importer's index of the column at fault, when one is.
    pub column: Option<usize>,
    /// What was expected and what was found.
    pub message: String,
}

impl RowError {
    /// An error about one column's value.
    pub fn at(column: usize, message: impl Into<String>) -> Self {
        RowError {
            column: Some(column),
            message: message.into(),
        }
    }

    /// An error about the row as a whole.
    pub fn row(message: impl Into<String>) -> Self {
        RowError {
            column: None,
            message: message.into(),
        }
    }
}

/// Where an importer puts a row's facts.
pub struct RowSink<'f> {
    /// The facts being built.
    pub facts: &'f mut Facts,
    /// The file and line of the row.
    pub at: RowRef,
}

/// An input kind: the columns that identify it and how a row becomes facts.
///
/// Detection is by header: a file is of the kind whose required columns are all present,
/// the most specific one when several fit. A later importer (JSON shapes, external
/// commands) implements this same trait and joins [`crate::registry::REGISTRY`].
pub trait Importer: Sync {
    /// The kind this importer reads.
    fn kind(&self) -> InputKind;

    /// Its columns; importers index into this list with their column constants.
    fn columns(&self) -> &'static [Column];

    /// Turns one data row into facts, or says why it cannot. On error nothing may have
    /// been pushed to the facts' row tables.
    fn import_row(&self, row: &Row<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError>;
}
