//! The interner's hash table: open addressing with linear probing, each slot holding the
//! whole entry, so that where a key would be is known from its hash alone and can be
//! asked into cache before the lookup ([`ProbeTable::prefetch`]).
//!
//! On a million-row export in random order every handle lookup missed the cache (about
//! 110 ns each, a fifth of the read), and hashbrown's table offers no way to say which
//! memory a lookup will read.

/// A value a [`ProbeTable`] holds, with one value that marks a free slot.
pub(crate) trait Slot: Copy {
    /// The free slot.
    const FREE: Self;

    /// Whether this is [`Slot::FREE`].
    fn is_free(&self) -> bool;
}

/// A hash table of `T` keyed by the caller: each lookup passes the key's hash and an
/// equality test, each insertion the hash and how to rehash the entries when growing.
#[derive(Debug)]
pub(crate) struct ProbeTable<T> {
    /// A power of two in length (or empty), at most three quarters full.
    slots: Vec<T>,
    len: usize,
}

impl<T: Slot> Default for ProbeTable<T> {
    fn default() -> Self {
        ProbeTable {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Slot> ProbeTable<T> {
    /// The slot a key of this hash is looked for first.
    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// The entry of this hash for which `is` holds, if any.
    pub fn find(&self, hash: u64, mut is: impl FnMut(&T) -> bool) -> Option<&T> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let slot = &self.slots[at];
            if slot.is_free() {
                return None;
            }
            if is(slot) {
                return Some(slot);
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `value`, which the table must not hold yet; `rehash` gives an entry's hash
    /// when the table grows.
    pub fn insert_unique(&mut self, hash: u64, value: T, rehash: impl Fn(&T) -> u64) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow(&rehash);
        }
        self.place(hash, value);
        self.len += 1;
    }

    fn place(&mut self, hash: u64, value: T) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        while !self.slots[at].is_free() {
            at = (at + 1) & mask;
        }
        self.slots[at] = value;
    }

    fn grow(&mut self, rehash: &impl Fn(&T) -> u64) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![T::FREE; size]);
        for value in old.into_iter().filter(|slot| !slot.is_free()) {
            self.place(rehash(&value), value);
        }
    }

    /// Asks for the slot a lookup of `hash` reads first to be brought into cache.
    pub fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            crate::prefetch::prefetch(&self.slots[self.home(hash)]);
        }
    }

    /// The most slots a lookup can walk: the longest run of occupied slots (counted
    /// across the end, where probing wraps).
    #[cfg(test)]
    pub fn longest_run(&self) -> usize {
        let occupied = |at: usize| !self.slots[at % self.slots.len()].is_free();
        let Some(start) = (0..self.slots.len()).find(|&at| !occupied(at)) else {
            return self.slots.len();
        };
        let (mut longest, mut run) = (0, 0);
        for at in start..start + self.slots.len() {
            run = if occupied(at) { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        longest
    }

    /// Removes every entry, keeping the memory.
    pub fn clear(&mut self) {
        self.slots.fill(T::FREE);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Slot for (u64, u32) {
        const FREE: Self = (0, u32::MAX);
        fn is_free(&self) -> bool {
            self.1 == u32::MAX
        }
    }

    /// Colliding hashes (every key's hash modulo a few values) probe past each other,
    /// across the end of the slots and through every growth.
    #[test]
    fn colliding_keys_are_all_found_through_growth() {
        let mut table: ProbeTable<(u64, u32)> = ProbeTable::default();
        let hash = |key: u64| (key % 3) * 7 + (u64::MAX - 20);
        for key in 0..1000u64 {
            assert!(table.find(hash(key), |e| e.0 == key).is_none());
            table.insert_unique(hash(key), (key, key as u32), |e| hash(e.0));
            for earlier in (0..=key).step_by(97) {
                let found = table.find(hash(earlier), |e| e.0 == earlier);
                assert_eq!(found.map(|e| e.1), Some(earlier as u32));
            }
        }
        assert!(table.slots.len().is_power_of_two() && table.len * 4 <= table.slots.len() * 3);
        table.clear();
        assert!(table.find(hash(5), |e| e.0 == 5).is_none());
    }
}
