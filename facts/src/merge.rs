//! Appending one [`Facts`] to another, so files can be imported on several threads.

use crate::{Facts, RowRef, Span, Sym};

/// Appends `rows` to `into`, each changed by `map`. When `into` is empty the rows are
/// changed where they are and the vector moved in: a file of another kind read on another
/// thread (a codes export beside the ads) is then not copied, on the one thread that
/// merges, into memory that must first be faulted in (at 1M ads that copy took about 8%
/// of the run's page faults).
fn append_mapped<T>(into: &mut Vec<T>, mut rows: Vec<T>, mut map: impl FnMut(&mut T)) {
    if into.is_empty() {
        rows.iter_mut().for_each(map);
        *into = rows;
    } else {
        into.extend(rows.into_iter().map(|mut row| {
            map(&mut row);
            row
        }));
    }
}

/// `into.append(rows)`, moving `rows` in whole when `into` is empty.
pub(crate) fn append_moving<T>(into: &mut Vec<T>, mut rows: Vec<T>) {
    if into.is_empty() {
        *into = rows;
    } else {
        into.append(&mut rows);
    }
}

impl Facts {
    /// Appends `other` (imported separately, with its own symbols and text) to `self`:
    /// its files come after `self`'s, its symbols are re-interned and its text spans moved.
    /// Rows keep their order, so a merge of consecutive file ranges equals one import.
    pub fn absorb(&mut self, mut other: Facts) {
        let file_offset = self.files.len() as u32;
        self.files.append(&mut other.files);
        self.absorb_rows(other, |file| file + file_offset);
    }

    /// Appends the rows of `other`, the rest of the file `file` of `self` imported
    /// separately (one large file parsed in pieces): every row of `other`, whatever its
    /// file index there, belongs to `file`. `other`'s file entries are dropped; the caller
    /// adds their counts to `file`'s.
    pub fn absorb_continuation(&mut self, other: Facts, file: u32) {
        self.absorb_rows(other, |_| file);
    }

    /// Appends everything of `other` but its file entries, with `file_of` mapping its file
    /// indices to `self`'s.
    fn absorb_rows(&mut self, mut other: Facts, file_of: impl Fn(u32) -> u32) {
        let syms: Vec<Sym> = (0..other.syms.len())
            .map(|id| self.syms.intern(other.syms.resolve(Sym(id as u32))))
            .collect();
        let deferred_offset = self.deferred.append(&mut other.deferred);
        let sym = |s: Sym| {
            if s.is_deferred() {
                crate::deferred::shifted(s, deferred_offset)
            } else {
                syms[s.0 as usize]
            }
        };
        // Account names first, read from `other`'s text before it is moved.
        for (advertiser, name) in std::mem::take(&mut other.account_names) {
            let name = other.text.get(name);
            self.remember_account_name(sym(advertiser), name);
        }
        let text_offset = self.text.append(std::mem::take(&mut other.text));
        let span = |s: Span| s.shifted(text_offset);
        let at = |r: RowRef| RowRef {
            file: file_of(r.file),
            line: r.line,
        };
        append_mapped(&mut self.ads, other.ads, |ad| {
            ad.at = at(ad.at);
            ad.advertiser = sym(ad.advertiser);
            ad.post = sym(ad.post);
            ad.handle = sym(ad.handle);
            ad.identity_label = span(ad.identity_label);
            ad.ad_id = span(ad.ad_id);
            ad.ad_name = span(ad.ad_name);
        });
        append_mapped(&mut self.shares, other.shares, |share| {
            share.at = at(share.at);
            share.handle = sym(share.handle);
            share.advertiser = sym(share.advertiser);
            share.bc_id = span(share.bc_id);
            share.bc_name = span(share.bc_name);
            share.permissions = span(share.permissions);
        });
        append_mapped(&mut self.codes, other.codes, |code| {
            code.at = at(code.at);
            code.post = sym(code.post);
            code.creator = sym(code.creator);
            code.advertiser = sym(code.advertiser);
            code.masked_code = span(code.masked_code);
            code.post_status = span(code.post_status);
        });
        append_mapped(&mut self.links, other.links, |link| {
            link.at = at(link.at);
            link.handle = sym(link.handle);
        });
        append_mapped(&mut self.identities, other.identities, |identity| {
            identity.at = at(identity.at);
            identity.advertiser = sym(identity.advertiser);
            identity.handle = sym(identity.handle);
            identity.available_status = span(identity.available_status);
            identity.bc_id = span(identity.bc_id);
        });
        self.row_notes.extend(
            other
                .row_notes
                .into_iter()
                .map(|(row, note)| (at(row), span(note))),
        );
        append_mapped(&mut self.pending, other.pending, |pending| {
            pending.at = at(pending.at);
        });
        self.secrets.extend(other.secrets);
        append_mapped(&mut self.rejections, other.rejections, |rejection| {
            rejection.file = file_of(rejection.file);
        });
    }

    /// Keeps the smallest non-empty name per ad account, so the choice depends on neither
    /// file nor row order.
    pub fn remember_account_name(&mut self, advertiser: Sym, name: &str) {
        if name.is_empty() {
            return;
        }
        let keep = match self.account_names.get(&advertiser) {
            Some(&current) => name < self.text.get(current),
            None => true,
        };
        if keep {
            let span = self.text.push(name);
            self.account_names.insert(advertiser, span);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{AdRow, Facts, FileFormat, IdentityKind, InputKind, RowRef, SourceFile};

    fn facts_with_ad(path: &str, advertiser: &str, post: &str, name: &str) -> Facts {
        let mut facts = Facts::default();
        let file = facts.add_file(SourceFile::new(
            path,
            FileFormat::Delimited,
            vec![InputKind::Ads],
        ));
        let advertiser = facts.syms.intern(advertiser);
        let ad = AdRow {
            at: RowRef { file, line: 2 },
            advertiser,
            post: facts.syms.intern(post),
            identity: IdentityKind::TtUser,
            handle: facts.syms.intern("maya"),
            identity_label: facts.text.push("Maya's brand"),
            ad_id: facts.text.push(&format!("ad-{post}")),
            ad_name: facts.text.push(""),
        };
        facts.ads.push(ad);
        facts.remember_account_name(advertiser, name);
        facts
    }

    #[test]
    fn absorbed_rows_keep_their_meaning() {
        let mut first = facts_with_ad("a.csv", "7100", "7301", "Zeta");
        let second = facts_with_ad("b.csv", "7100", "7302", "Acme");
        first.absorb(second);
        assert_eq!(first.files.len(), 2);
        let ad = &first.ads[1];
        assert_eq!(first.path(ad.at), "b.csv");
        assert_eq!(first.sym(ad.post), "7302");
        assert_eq!(ad.advertiser, first.ads[0].advertiser);
        assert_eq!(first.text.get(ad.ad_id), "ad-7302");
        assert_eq!(first.text.get(first.account_names[&ad.advertiser]), "Acme");
    }

    /// A table the first facts lack is moved in rather than copied: its rows must still
    /// be changed to the merged facts' files, symbols and text.
    #[test]
    fn rows_moved_into_an_empty_table_keep_their_meaning() {
        // Symbols and text the second facts number differently from the first.
        let mut first = facts_with_ad("a.csv", "7100", "7301", "Zeta");
        let mut second = Facts::default();
        second.syms.intern("creator-only-here");
        second.text.push("text only here");
        let mut ads = facts_with_ad("b.csv", "7200", "7302", "Acme");
        ads.ads[0].at.line = 9;
        second.absorb(ads);
        let mut empty = Facts::default();
        assert!(first.codes.is_empty() && empty.ads.is_empty());
        // Moved into an empty facts: the same rows as copied ones.
        empty.absorb(facts_with_ad("c.csv", "7300", "7303", "Mono"));
        assert_eq!(empty.sym(empty.ads[0].post), "7303");
        first.absorb(second);
        let ad = &first.ads[1];
        assert_eq!((first.path(ad.at), ad.at.line), ("b.csv", 9));
        assert_eq!(first.sym(ad.advertiser), "7200");
        assert_eq!(first.sym(ad.post), "7302");
        assert_eq!(first.sym(ad.handle), "maya");
        assert_eq!(first.text.get(ad.ad_id), "ad-7302");
        assert_eq!(first.text.get(ad.identity_label), "Maya's brand");
    }
}
