use rustc_hash::FxHashMap;

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
#[derive(Debug)]
pub struct Interner {
    ids: FxHashMap<Box<str>, Sym>,
    strings: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            ids: FxHashMap::default(),
            strings: Vec::new(),
        };
        interner.intern("");
        interner
    }
}

impl Interner {
    /// The id of `text`, allocating one the first time it is seen.
    pub fn intern(&mut self, text: &str) -> Sym {
        if let Some(&sym) = self.ids.get(text) {
            return sym;
        }
        let sym = Sym(u32::try_from(self.strings.len()).expect("fewer than 4 billion symbols"));
        self.strings.push(text.into());
        self.ids.insert(text.into(), sym);
        sym
    }

    /// Makes room for `additional` more strings.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.strings.reserve(additional);
    }

    /// The id of `text` if it was ever interned.
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.ids.get(text).copied()
    }

    /// The text of `sym`.
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }

    /// How many distinct strings are interned (the empty string included).
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Always false: the empty string is interned at creation.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
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
    }
}
