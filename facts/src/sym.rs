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
/// its own, and each lookup hashes once. Table entries carry the text's position, so a
/// lookup touches the table and the text, not a third array in between (the post table
/// is far larger than the cache, so each touch is a miss).
#[derive(Debug)]
pub struct Interner {
    table: HashTable<Entry>,
    text: String,
    /// `(start, end)` of each symbol's text in `text`.
    spans: Vec<(u32, u32)>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            table: HashTable::new(),
            text: String::new(),
            spans: Vec::new(),
        };
        interner.intern("");
        interner
    }
}

/// A table entry: the symbol and where its text is.
#[derive(Copy, Clone, Debug)]
struct Entry {
    start: u32,
    end: u32,
    id: u32,
}

fn hash(text: &str) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    hasher.write(text.as_bytes());
    hasher.finish()
}

impl Interner {
    /// The id of `text`, allocating one the first time it is seen.
    pub fn intern(&mut self, text: &str) -> Sym {
        let hash = hash(text);
        let Interner {
            table,
            text: all,
            spans,
        } = self;
        let found = table.find(hash, |entry| {
            &all[entry.start as usize..entry.end as usize] == text
        });
        if let Some(entry) = found {
            return Sym(entry.id);
        }
        let id = u32::try_from(spans.len()).expect("fewer than 4 billion symbols");
        let start = u32::try_from(all.len()).expect("symbol text under 4 GiB");
        all.push_str(text);
        let end = u32::try_from(all.len()).expect("symbol text under 4 GiB");
        spans.push((start, end));
        let all = &*all;
        table.insert_unique(hash, Entry { start, end, id }, |entry| {
            self::hash(&all[entry.start as usize..entry.end as usize])
        });
        Sym(id)
    }

    /// The id of `text` if it was ever interned.
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.table
            .find(hash(text), |entry| self.resolve(Sym(entry.id)) == text)
            .map(|entry| Sym(entry.id))
    }

    /// The text of `sym`.
    pub fn resolve(&self, sym: Sym) -> &str {
        let (start, end) = self.spans[sym.0 as usize];
        &self.text[start as usize..end as usize]
    }

    /// Masks every code of `secrets` inside the symbols' text, in place (a handle column
    /// may hold a pasted code); whether anything was masked. The table is rebuilt after a
    /// change, so lookups find the masked text.
    pub fn scrub(&mut self, secrets: &crate::Secrets) -> bool {
        let ranges = self
            .spans
            .iter()
            .map(|&(start, end)| (start as usize, end as usize));
        if !secrets.scrub_within(&mut self.text, ranges) {
            return false;
        }
        self.table.clear();
        let Interner { table, text, spans } = self;
        for (id, &(start, end)) in spans.iter().enumerate() {
            let entry = Entry {
                start,
                end,
                id: id as u32,
            };
            let all = &*text;
            table.insert_unique(hash(&all[start as usize..end as usize]), entry, |e| {
                self::hash(&all[e.start as usize..e.end as usize])
            });
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
    fn many_symbols_survive_table_growth() {
        let mut interner = Interner::default();
        let syms: Vec<Sym> = (0..10_000)
            .map(|i| interner.intern(&format!("post-{i}")))
            .collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(interner.resolve(*sym), format!("post-{i}"));
            assert_eq!(interner.intern(&format!("post-{i}")), *sym);
        }
        assert_eq!(interner.len(), 10_001);
    }
}
