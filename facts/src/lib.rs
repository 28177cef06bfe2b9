//! The facts schema: the vocabulary sparkcheck's policies reason about.
//!
//! Importers fill a [`Facts`] value and nothing else; policies read it and nothing else.
//! Every string the rules compare (ad account ids, post ids, handles) is interned to a
//! [`Sym`], so the Datalog tuples stay small `Copy` values and comparisons are integer
//! compares. Text that only reports print (ad names, BC names, masked codes) lives in a
//! [`TextArena`] and is never hashed.
//!
//! Each row keeps the [`RowRef`] (file and line) it came from: policies carry row indexes
//! through their derived tuples so every finding can cite its evidence.

mod deferred;
mod merge;
pub mod prefetch;
mod probe;
mod rows;
mod scrub;
pub mod secrets;
mod sort;
mod source;
mod sym;
mod text;
pub mod threads;
pub mod time;

pub use deferred::DeferredIds;
pub use rows::{
    AdAccountRole, AdRow, CodeRow, CodeStatus, IdentityKind, IdentityRow, ItemType, LinkRow,
    LinkStatus, ShareRow, ShareStatus,
};
pub use secrets::Secrets;
pub use sort::{collect_sorted, sort_on_threads};
pub use source::{FileFormat, InputKind, OptionalField, Rejection, RowRef, SourceFile};
pub use sym::{Interner, Sym, NOT_AN_ID};
pub use text::{Span, TextArena};

/// A value from an input as a message may quote it: control characters escaped (a
/// message is one line), at most 60 characters, and masked like an auth code when it
/// looks like one (a code pasted into the wrong column is still a secret).
pub fn quote(value: &str) -> String {
    let value = mask_code_tokens(value);
    let mut out = String::with_capacity(value.len().min(64) + 2);
    for (count, c) in value.chars().enumerate() {
        if count == 60 {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A to U+202E,
/// U+2066 to U+2069): in input text it can make a report read in another order than it
/// is written ("Trojan Source"), so every human-facing format neutralises it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `value` with every code-shaped token masked; tokens are separated by white space,
/// quotes and the delimiters, so a code inside a longer value is found too.
fn mask_code_tokens(value: &str) -> std::borrow::Cow<'_, str> {
    let is_separator = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '`');
    if !value.split(is_separator).any(looks_like_code) {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut token_start = 0;
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ' ')))
    {
        if is_separator(c) {
            let token = &value[token_start..i];
            if looks_like_code(token) {
                out.push_str(&mask_code(token));
            } else {
                out.push_str(token);
            }
            if i < value.len() {
                out.push(c);
            }
            token_start = i + c.len_utf8();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `value` has the shape of a Spark Ads code: 16 or more characters without
/// white space, mixing upper case, lower case and digits. IDs, handles, times and enum
/// names never do.
pub fn looks_like_code(value: &str) -> bool {
    let (mut upper, mut lower, mut digits, mut length) = (0, 0, 0, 0);
    for c in value.chars() {
        if c.is_whitespace() {
            return false;
        }
        length += 1;
        upper += usize::from(c.is_uppercase());
        lower += usize::from(c.is_lowercase());
        digits += usize::from(c.is_ascii_digit());
    }
    length >= 16 && upper >= 2 && lower >= 2 && digits >= 1
}

/// The part of an auth code that reports may show: its last four characters, or nothing
/// for a code of eight characters or fewer, so no report ever holds a code whole.
pub fn code_tail(code: &str) -> &str {
    if code.chars().nth(8).is_none() {
        return "";
    }
    let start = code.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &code[start..]
}

/// An auth code masked to its last four characters: `****ab12`.
pub fn mask_code(code: &str) -> String {
    format!("****{}", code_tail(code))
}

/// Reports work done to whoever shows progress: `(done since the last call, total)`.
/// Called from several threads; the units are the caller's (bytes, shards).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// A [`Progress`] that shows nothing.
pub fn no_progress(_: u64, _: u64) {}

/// Everything the importers read, ready for a policy.
#[derive(Debug, Default)]
pub struct Facts {
    /// Interned ad account ids, post ids and handles.
    pub syms: Interner,
    /// Post IDs read but not yet interned (see [`Facts::settle_ids`]).
    pub deferred: DeferredIds,
    /// Display-only text referenced by [`Span`]s in the rows.
    pub text: TextArena,
    /// One entry per input file, indexed by [`RowRef::file`].
    pub files: Vec<SourceFile>,
    /// `ad(advertiser, post, identity_kind, handle)`: one per ad row.
    pub ads: Vec<AdRow>,
    /// `share(handle, advertiser, delivery, status, valid_until, role)`: one per BC row.
    pub shares: Vec<ShareRow>,
    /// `code(post, creator, advertiser, status, end)`: one per authorization-code row.
    pub codes: Vec<CodeRow>,
    /// `link(handle, status)`: one per preview-tool link row.
    pub links: Vec<LinkRow>,
    /// `identity(advertiser, handle, kind, available)`: one per identity record.
    pub identities: Vec<IdentityRow>,
    /// `account_name(advertiser, name)`: the first non-empty account name seen per ad account.
    pub account_names: rustc_hash::FxHashMap<Sym, Span>,
    /// Rows that could not become facts, with the reason.
    pub rejections: Vec<Rejection>,
    /// What a row's fact lacked and where the reader took it from instead ("ad account
    /// from the file name", "no creator on the code"), for its evidence.
    pub row_notes: rustc_hash::FxHashMap<RowRef, Span>,
    /// Records whose ad account can only come from their file name: it must be an ad
    /// account the run's other inputs name, so they wait until every file is read.
    pub pending: Vec<PendingRow>,
    /// The auth codes the codes inputs held, to mask wherever else they appear (see
    /// [`Facts::scrub_secrets`]).
    pub secrets: Secrets,
}

/// A record waiting for its ad account (see [`Facts::pending`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PendingRow {
    /// The record.
    pub at: RowRef,
    /// Every run of digits in its file name, in order.
    pub candidates: Vec<String>,
    /// The fact to add once the ad account is known, in the importer's own encoding.
    pub fact: String,
}

impl Facts {
    /// Whether at least one file of `kind` was imported (its checks can run).
    pub fn has_input(&self, kind: InputKind) -> bool {
        self.files.iter().any(|file| file.kinds.contains(&kind))
    }

    /// Whether some file of the field's kind has the optional field.
    pub fn has_field(&self, field: OptionalField) -> bool {
        self.files
            .iter()
            .any(|file| file.kinds.contains(&field.kind()) && file.fields.contains(&field))
    }

    /// Notes that the fact of the row `at` lacked a field (see [`Facts::row_notes`]);
    /// several notes on one row are joined with `; `.
    pub fn note_row(&mut self, at: RowRef, note: &str) {
        let text = match self.row_notes.get(&at) {
            Some(&span) => format!("{}; {note}", self.text.get(span)),
            None => note.to_string(),
        };
        let span = self.text.push(&text);
        self.row_notes.insert(at, span);
    }

    /// The note on the row `at`, if its fact lacked a field.
    pub fn row_note(&self, at: RowRef) -> Option<&str> {
        self.row_notes.get(&at).map(|&span| self.text.get(span))
    }

    /// Registers a source file and returns its index for [`RowRef::file`].
    pub fn add_file(&mut self, file: SourceFile) -> u32 {
        self.files.push(file);
        u32::try_from(self.files.len() - 1).expect("fewer than 4 billion input files")
    }

    /// Reserves room for an input of `bytes` bytes of any mix of kinds: rows are never
    /// shorter than about 100 bytes, display text is at most a third of an ads row.
    pub fn reserve_for_input(&mut self, bytes: usize) {
        let rows = bytes / 100;
        self.ads.reserve(rows);
        self.codes.reserve(rows / 2);
        self.shares.reserve(rows / 2);
        // A post ID per ad and per code row: appending another run's IDs then needs no
        // reallocation (it copied the first run's millions of IDs into fresh pages).
        self.deferred.reserve(rows + rows / 2);
        self.text.reserve(bytes / 3);
    }

    /// The text of an interned symbol.
    pub fn sym(&self, sym: Sym) -> &str {
        self.syms.resolve(sym)
    }

    /// The path of the file a row came from.
    pub fn path(&self, at: RowRef) -> &str {
        &self.files[at.file as usize].path
    }
}
