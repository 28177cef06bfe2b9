//! The one trait every input kind implements.

use sparkcheck_facts::{Facts, InputKind, RowRef, Sym};

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
    /// The last value interned per column, for runs of equal values.
    pub recent: &'f mut RecentSyms,
}

/// The last symbol interned for each column of a file.
///
/// Exports come sorted: the ad account repeats on every row and a post's ads sit
/// together. Comparing with the previous row's text (in L1) skips the interner's hash
/// lookup, which misses cache on a table of hundreds of thousands of posts.
#[derive(Default)]
pub struct RecentSyms {
    slots: Vec<(String, Sym)>,
}

impl RecentSyms {
    /// The symbol of `text` in column `column`, interned into `facts` on a miss.
    pub fn intern(&mut self, column: usize, text: &str, facts: &mut Facts) -> Sym {
        if column >= self.slots.len() {
            self.slots
                .resize_with(column + 1, || (String::new(), Sym::NONE));
        }
        let (last_text, last_sym) = &mut self.slots[column];
        if last_text == text {
            return *last_sym;
        }
        let sym = facts.syms.intern(text);
        last_text.clear();
        last_text.push_str(text);
        *last_sym = sym;
        sym
    }
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

    /// Columns whose values are secrets (auth codes): no message may quote them whole.
    fn secret_columns(&self) -> &'static [usize] {
        &[]
    }

    /// Turns one data row into facts, or says why it cannot. On error nothing may have
    /// been pushed to the facts' row tables.
    fn import_row(&self, row: &Row<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError>;
}
