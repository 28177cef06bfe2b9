use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// An interned string: ad account id, post id or normalised handle.
///
/// `Sym::NONE` (0) is the empty string, used for "no value" (an unapplied code's ad account,
/// a custom identity's handle, an ad without a post).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string: the absence of a value.
    pub const NONE: Sym = Sym(0);

    /// Whether this is [`Sym::NONE`].
    pub fn is_none(self) -> bool {
        self == Sym::NONE
    }
}

/// Maps strings to dense [`Sym`] ids and back.
///
/// The strings live end to end in one buffer: interning a new string allocates nothing of
/// its own, and each lookup hashes once. Plain decimal IDs of up to 19 digits (ad
/// accounts, posts) and other strings (handles) are found in two tables sharing one id
/// space: a number is keyed by its value and length, so finding it compares two integers
/// and never reads the text, and the handles' table stays small enough to sit in cache
/// (a portfolio has ten posts per creator; in one table every handle lookup was a miss
/// on the posts' entries and another on the text).
#[derive(Debug)]
pub struct Interner {
    numbers: HashTable<NumberEntry>,
    texts: HashTable<TextEntry>,
    text: String,
    /// `(start, end)` of each symbol's text in `text`.
    spans: Vec<(u32, u32)>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            numbers: HashTable::new(),
            texts: HashTable::new(),
            text: String::new(),
            spans: Vec::new(),
        };
        interner.intern("");
        interner
    }
}

/// A number's entry: its value, digit count (1 to 19: `"07"` is not `"7"`) and symbol.
#[derive(Copy, Clone, Debug)]
struct NumberEntry {
    value: u64,
    digits: u32,
    id: u32,
}

/// Any other string's entry: where its text is, and its symbol.
#[derive(Copy, Clone, Debug)]
struct TextEntry {
    start: u32,
    end: u32,
    id: u32,
}

/// What a string is keyed by.
#[derive(Copy, Clone)]
enum Key<'a> {
    /// 1 to 19 ASCII digits: the value and the digit count.
    Number(u64, u32),
    Text(&'a str),
}

impl<'a> Key<'a> {
    fn of(text: &'a str) -> Key<'a> {
        let bytes = text.as_bytes();
        if bytes.is_empty() || bytes.len() > 19 {
            return Key::Text(text);
        }
        let mut value = 0u64;
        for &b in bytes {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Key::Text(text);
            }
            // 19 digits are below 10^19 < 2^64: no overflow.
            value = value * 10 + u64::from(digit);
        }
        Key::Number(value, bytes.len() as u32)
    }
}

/// The [`Interner::order_keys`] entry of a text that is no ID: above every real key,
/// whose nibbles are at most 10 (`0xA`).
pub const NOT_AN_ID: u128 = u128::MAX;

/// See [`Interner::order_key`].
fn digit_order_key(text: &str) -> Option<u128> {
    if text.len() > 32 {
        return None;
    }
    let mut key = 0u128;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        key |= u128::from(digit + 1) << (124 - 4 * i);
    }
    Some(key)
}

fn hash_number(value: u64, digits: u32) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    hasher.write_u64(value);
    hasher.write_u32(digits);
    hasher.finish()
}

fn hash_text(text: &str) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    hasher.write(text.as_bytes());
    hasher.finish()
}

impl TextEntry {
    fn text(self, all: &str) -> &str {
        &all[self.start as usize..self.end as usize]
    }
}

impl Interner {
    /// The id of `text`, allocating one the first time it is seen.
    pub fn intern(&mut self, text: &str) -> Sym {
        match Key::of(text) {
            Key::Number(value, digits) => {
                let hash = hash_number(value, digits);
                let found = self
                    .numbers
                    .find(hash, |e| e.value == value && e.digits == digits);
                if let Some(entry) = found {
                    return Sym(entry.id);
                }
                let (id, _, _) = self.push(text);
                self.numbers
                    .insert_unique(hash, NumberEntry { value, digits, id }, |e| {
                        hash_number(e.value, e.digits)
                    });
                Sym(id)
            }
            Key::Text(text) => {
                let hash = hash_text(text);
                let all = &self.text;
                if let Some(entry) = self.texts.find(hash, |e| e.text(all) == text) {
                    return Sym(entry.id);
                }
                let (id, start, end) = self.push(text);
                let all = &self.text;
                self.texts
                    .insert_unique(hash, TextEntry { start, end, id }, |e| {
                        hash_text(e.text(all))
                    });
                Sym(id)
            }
        }
    }

    /// Appends `text` as the next symbol: its id and span.
    fn push(&mut self, text: &str) -> (u32, u32, u32) {
        let id = u32::try_from(self.spans.len()).expect("fewer than 4 billion symbols");
        let start = u32::try_from(self.text.len()).expect("symbol text under 4 GiB");
        self.text.push_str(text);
        let end = u32::try_from(self.text.len()).expect("symbol text under 4 GiB");
        self.spans.push((start, end));
        (id, start, end)
    }

    /// The id of `text` if it was ever interned.
    pub fn get(&self, text: &str) -> Option<Sym> {
        let entry = match Key::of(text) {
            Key::Number(value, digits) => self
                .numbers
                .find(hash_number(value, digits), |e| {
                    e.value == value && e.digits == digits
                })
                .map(|e| e.id),
            Key::Text(text) => self
                .texts
                .find(hash_text(text), |e| e.text(&self.text) == text)
                .map(|e| e.id),
        };
        entry.map(Sym)
    }

    /// The text of `sym`.
    pub fn resolve(&self, sym: Sym) -> &str {
        let (start, end) = self.spans[sym.0 as usize];
        &self.text[start as usize..end as usize]
    }

    /// A key whose order is the byte order of `sym`'s text, when the text is at most 32
    /// ASCII digits (every ad account and post ID): each digit as `digit + 1` in four
    /// bits from the top, so a shorter text that is a prefix of a longer one, padded
    /// with zeros, sorts first. Sorting a few hundred thousand IDs on these integers
    /// reads no text and compares no bytes; `None` for any other text.
    pub fn order_key(&self, sym: Sym) -> Option<u128> {
        digit_order_key(self.resolve(sym))
    }

    /// [`Interner::order_key`] of every symbol, by id, with [`NOT_AN_ID`] for text that
    /// has none. Read in id order, the texts are read front to back: looking up the keys
    /// of a few hundred thousand posts in random order missed the cache twice for each.
    pub fn order_keys(&self) -> Vec<u128> {
        self.spans
            .iter()
            .map(|&(start, end)| {
                digit_order_key(&self.text[start as usize..end as usize]).unwrap_or(NOT_AN_ID)
            })
            .collect()
    }

    /// Masks every code of `secrets` inside the symbols' text, in place (a handle column
    /// may hold a pasted code); whether anything was masked. The tables are rebuilt after
    /// a change, so lookups find the masked text.
    pub fn scrub(&mut self, secrets: &crate::Secrets) -> bool {
        let ranges = self
            .spans
            .iter()
            .map(|&(start, end)| (start as usize, end as usize));
        if !secrets.scrub_within(&mut self.text, ranges) {
            return false;
        }
        self.numbers.clear();
        self.texts.clear();
        let Interner {
            numbers,
            texts,
            text,
            spans,
        } = self;
        let all = &*text;
        for (id, &(start, end)) in spans.iter().enumerate() {
            let id = id as u32;
            match Key::of(&all[start as usize..end as usize]) {
                Key::Number(value, digits) => {
                    numbers.insert_unique(
                        hash_number(value, digits),
                        NumberEntry { value, digits, id },
                        |e| hash_number(e.value, e.digits),
                    );
                }
                Key::Text(t) => {
                    texts.insert_unique(hash_text(t), TextEntry { start, end, id }, |e| {
                        hash_text(e.text(all))
                    });
                }
            }
        }
        true
    }

    /// How many distinct strings are interned (the empty string included).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Always false: the empty string is interned at creation.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_reversible() {
        let mut interner = Interner::default();
        let a = interner.intern("7301");
        let b = interner.intern("creator");
        assert_eq!(interner.intern("7301"), a);
        assert_ne!(a, b);
        assert_eq!(interner.resolve(b), "creator");
        assert_eq!(interner.intern(""), Sym::NONE);
        assert_eq!(interner.get("missing"), None);
        assert_eq!(interner.get("creator"), Some(b));
    }

    #[test]
    fn numbers_and_text_never_collide() {
        let mut interner = Interner::default();
        let texts = [
            "7",
            "07",
            "007",
            "7301000000000000015",
            "9999999999999999999",
            "18446744073709551615",
            "99999999999999999999",
            "12a",
            "-7",
            "+7",
            "7 ",
            "٣",
            "@7",
        ];
        let syms: Vec<Sym> = texts.iter().map(|t| interner.intern(t)).collect();
        let distinct: std::collections::BTreeSet<Sym> = syms.iter().copied().collect();
        assert_eq!(distinct.len(), texts.len());
        for (text, sym) in texts.iter().zip(&syms) {
            assert_eq!(interner.resolve(*sym), *text);
            assert_eq!(interner.intern(text), *sym);
            assert_eq!(interner.get(text), Some(*sym));
        }
        assert_eq!(interner.get("0007"), None);
    }

    #[test]
    fn order_keys_sort_like_the_text() {
        let mut interner = Interner::default();
        let texts = [
            "",
            "0",
            "00",
            "007",
            "07",
            "1",
            "10",
            "100",
            "19",
            "2",
            "7301000000000000015",
            "7301000000000000015000",
            "9",
            "99999999999999999999999999999999",
        ];
        let syms: Vec<Sym> = texts.iter().map(|t| interner.intern(t)).collect();
        let mut by_key = syms.clone();
        by_key.sort_by_key(|s| interner.order_key(*s).expect("digits only"));
        let mut by_text = syms.clone();
        by_text.sort_by(|a, b| interner.resolve(*a).cmp(interner.resolve(*b)));
        assert_eq!(by_key, by_text);
        let long = interner.intern("999999999999999999999999999999999");
        assert_eq!(interner.order_key(long), None);
        let handle = interner.intern("creator.1");
        assert_eq!(interner.order_key(handle), None);
    }

    #[test]
    fn many_symbols_survive_table_growth() {
        let mut interner = Interner::default();
        let name = |i: usize| {
            if i.is_multiple_of(2) {
                format!("post-{i}")
            } else {
                format!("{}", 7_301_000_000_000_000_000u64 + i as u64)
            }
        };
        let syms: Vec<Sym> = (0..10_000).map(|i| interner.intern(&name(i))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(interner.resolve(*sym), name(i));
            assert_eq!(interner.intern(&name(i)), *sym);
        }
        assert_eq!(interner.len(), 10_001);
    }
}
