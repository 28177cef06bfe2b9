//! Appending one [`Facts`] to another, so files can be imported on several threads.

use crate::{Facts, RowRef, Span, Sym};

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
        self.ads.extend(other.ads.into_iter().map(|mut ad| {
            ad.at = at(ad.at);
            ad.advertiser = sym(ad.advertiser);
            ad.post = sym(ad.post);
            ad.handle = sym(ad.handle);
            ad.identity_label = span(ad.identity_label);
            ad.ad_id = span(ad.ad_id);
            ad.ad_name = span(ad.ad_name);
            ad
        }));
        self.shares
            .extend(other.shares.into_iter().map(|mut share| {
                share.at = at(share.at);
                share.handle = sym(share.handle);
                share.advertiser = sym(share.advertiser);
                share.bc_id = span(share.bc_id);
                share.bc_name = span(share.bc_name);
                share.permissions = span(share.permissions);
                share
            }));
        self.codes.extend(other.codes.into_iter().map(|mut code| {
            code.at = at(code.at);
            code.post = sym(code.post);
            code.creator = sym(code.creator);
            code.advertiser = sym(code.advertiser);
            code.masked_code = span(code.masked_code);
            code.post_status = span(code.post_status);
            code
        }));
        self.links.extend(other.links.into_iter().map(|mut link| {
            link.at = at(link.at);
            link.handle = sym(link.handle);
            link
        }));
        self.identities
            .extend(other.identities.into_iter().map(|mut identity| {
                identity.at = at(identity.at);
                identity.advertiser = sym(identity.advertiser);
                identity.handle = sym(identity.handle);
                identity.available_status = span(identity.available_status);
                identity.bc_id = span(identity.bc_id);
                identity
            }));
        self.row_notes.extend(
            other
                .row_notes
                .into_iter()
                .map(|(row, note)| (at(row), span(note))),
        );
        self.pending
            .extend(other.pending.into_iter().map(|mut pending| {
                pending.at = at(pending.at);
                pending
            }));
        self.secrets.extend(&other.secrets);
        self.rejections
            .extend(other.rejections.into_iter().map(|mut rejection| {
                rejection.file = file_of(rejection.file);
                rejection
            }));
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
}
