//! The seam between file formats and input kinds.
//!
//! A format (delimited text, workbook, API response, facts) turns what it reads into
//! [`Values`]: one text per field of a kind, by the kind's field index. The kind's
//! [`Kind::build`] checks the values and pushes facts, so every format shares one set of
//! checks per kind, and a format only decides where each field's text comes from.

use sparkcheck_facts::{Facts, InputKind, OptionalField, RowRef, Sym};

/// A field of an input kind: its column in tables and its key in facts and records.
#[derive(Copy, Clone, Debug)]
pub struct Field {
    /// The column name in spec section 2 (tables).
    pub name: &'static str,
    /// Other column names exports use.
    pub aliases: &'static [&'static str],
    /// Its key in the facts format.
    pub key: &'static str,
    /// Whether a table's header must have it to be of this kind.
    pub required: bool,
    /// The optional field coverage looks for, when this is one.
    pub provides: Option<OptionalField>,
}

impl Field {
    /// A column the header must have.
    pub const fn required(
        name: &'static str,
        key: &'static str,
        aliases: &'static [&'static str],
    ) -> Field {
        Field {
            name,
            aliases,
            key,
            required: true,
            provides: None,
        }
    }

    /// A column read when present.
    pub const fn optional(
        name: &'static str,
        key: &'static str,
        aliases: &'static [&'static str],
    ) -> Field {
        Field {
            name,
            aliases,
            key,
            required: false,
            provides: None,
        }
    }

    /// The same field, marked as the optional field some checks need.
    pub const fn providing(self, field: OptionalField) -> Field {
        Field {
            provides: Some(field),
            ..self
        }
    }

    /// Every name the column goes by, canonical first.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }

    /// `Post ID` (or `TikTok Post ID`, `tiktok_item_id`), for messages.
    pub fn describe(&self) -> String {
        let mut text = format!("`{}`", self.name);
        if !self.aliases.is_empty() {
            let aliases: Vec<String> = self.aliases.iter().map(|a| format!("`{a}`")).collect();
            text.push_str(&format!(" (or {})", aliases.join(", ")));
        }
        text
    }
}

/// The most fields any kind has.
pub const MAX_FIELDS: usize = 16;

/// One row's or record's text per field of a kind, already trimmed; absent fields are
/// empty and not [`Values::has`].
#[derive(Clone, Debug, Default)]
pub struct Values<'r> {
    texts: [&'r str; MAX_FIELDS],
    present: u32,
}

impl<'r> Values<'r> {
    /// Sets field `index` to `text` (trimmed) and marks it present.
    pub fn set(&mut self, index: usize, text: &'r str) {
        self.texts[index] = trim(text);
        self.present |= 1 << index;
    }

    /// The text of field `index`, `""` when absent.
    pub fn text(&self, index: usize) -> &'r str {
        self.texts[index]
    }

    /// Whether the source has field `index` at all (a column, a key).
    pub fn has(&self, index: usize) -> bool {
        self.present & (1 << index) != 0
    }
}

/// Trims white space, ASCII first: `str::trim` decodes every character, and fields rarely
/// start or end with a non-ASCII space (Excel's no-break space is handled all the same).
pub(crate) fn trim(text: &str) -> &str {
    let text = text.trim_ascii();
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => text,
        _ => text.trim(),
    }
}

/// Why one row could not become facts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RowError {
    /// The kind's index of the field at fault, when one is.
    pub field: Option<usize>,
    /// What was expected and what was found.
    pub message: String,
}

impl RowError {
    /// An error about one field's value.
    pub fn at(field: usize, message: impl Into<String>) -> Self {
        RowError {
            field: Some(field),
            message: message.into(),
        }
    }

    /// An error about the row as a whole.
    pub fn row(message: impl Into<String>) -> Self {
        RowError {
            field: None,
            message: message.into(),
        }
    }
}

/// Where a kind puts a row's facts.
pub struct RowSink<'f> {
    /// The facts being built.
    pub facts: &'f mut Facts,
    /// The file and line of the row.
    pub at: RowRef,
    /// The last value interned per field, for runs of equal values.
    pub recent: &'f mut RecentSyms,
}

/// The last symbol interned for each field of a file.
///
/// Exports come sorted: the ad account repeats on every row and a post's ads sit
/// together. Comparing with the previous row's text (in L1) skips the interner's hash
/// lookup, which misses cache on a table of hundreds of thousands of posts.
#[derive(Default)]
pub struct RecentSyms {
    slots: Vec<(String, Sym)>,
}

impl RecentSyms {
    /// The symbol of `text` in field `field`, interned into `facts` on a miss.
    pub fn intern(&mut self, field: usize, text: &str, facts: &mut Facts) -> Sym {
        if field >= self.slots.len() {
            self.slots
                .resize_with(field + 1, || (String::new(), Sym::NONE));
        }
        let (last_text, last_sym) = &mut self.slots[field];
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

/// An input kind: its fields and how one row of them becomes facts.
///
/// Every format feeds the same builder, so a kind's checks (IDs, handles, enum values,
/// times) are written once. A new kind implements this and joins
/// [`crate::registry::KINDS`].
pub trait Kind: Sync {
    /// The kind this builds.
    fn kind(&self) -> InputKind;

    /// Its fields; builders index into this list with their field constants.
    fn fields(&self) -> &'static [Field];

    /// Fields whose values are secrets (auth codes): no message may quote them whole.
    fn secret_fields(&self) -> &'static [usize] {
        &[]
    }

    /// Turns one row's values into facts, or says why it cannot. On error nothing may
    /// have been pushed to the facts' row tables.
    fn build(&self, values: &Values<'_>, sink: &mut RowSink<'_>) -> Result<(), RowError>;
}

/// Builds one row and, on error, masks every secret of the row wherever the message
/// quotes it, even from another field: a shifted or pasted row may put a code where a
/// status belongs.
pub fn build_row(
    kind: &dyn Kind,
    values: &Values<'_>,
    sink: &mut RowSink<'_>,
) -> Result<(), RowError> {
    // Every code is a secret wherever else it turns up (an ad name, a file name): the
    // run remembers it before anything can fail.
    for &field in kind.secret_fields() {
        sink.facts.secrets.add(values.text(field));
    }
    let max_field = crate::limits::get().max_field;
    for index in 0..kind.fields().len() {
        let len = values.text(index).len() as u64;
        if len > max_field {
            return Err(RowError::at(
                index,
                format!(
                    "expected a value of at most {}, found one of {len} bytes; hint: raise \
                     `max-field-size` in sparkcheck.toml if it is real",
                    crate::limits::format_size(max_field)
                ),
            ));
        }
    }
    kind.build(values, sink).map_err(|mut error| {
        for &field in kind.secret_fields() {
            let secret = values.text(field);
            if secret.len() > 4 && error.message.contains(secret) {
                error.message = error
                    .message
                    .replace(secret, &sparkcheck_facts::mask_code(secret));
            }
        }
        error
    })
}
