//! Masking the run's auth codes wherever they were pasted into the facts' text.

use crate::Facts;

impl Facts {
    /// Masks every code of [`Facts::secrets`] in all text the facts hold: display text
    /// (ad and BC names, permissions, statuses, account names, notes), interned ids and
    /// handles, file paths and notes, and rejections. Bytes are overwritten in place, so
    /// spans and symbols keep their meaning. Whether anything was masked.
    ///
    /// Every [`crate::Span`] field of the rows is listed here, as in [`Facts::absorb`].
    pub fn scrub_secrets(&mut self) -> bool {
        if self.secrets.is_empty() {
            return false;
        }
        self.secrets.seal();
        let Facts {
            text,
            ads,
            shares,
            codes,
            identities,
            account_names,
            row_notes,
            secrets,
            ..
        } = self;
        let spans = ads
            .iter()
            .flat_map(|ad| [ad.identity_label, ad.ad_id, ad.ad_name])
            .chain(
                shares
                    .iter()
                    .flat_map(|s| [s.bc_id, s.bc_name, s.permissions]),
            )
            .chain(codes.iter().flat_map(|c| [c.masked_code, c.post_status]))
            .chain(
                identities
                    .iter()
                    .flat_map(|i| [i.available_status, i.bc_id]),
            )
            .chain(account_names.values().copied())
            .chain(row_notes.values().copied());
        let mut masked = text.scrub(spans, secrets);
        let secrets = &self.secrets;
        masked |= self.syms.scrub(secrets);
        for file in &mut self.files {
            masked |= secrets.scrub_string(&mut file.path);
            for note in &mut file.notes {
                masked |= secrets.scrub_string(note);
            }
        }
        for rejection in &mut self.rejections {
            masked |= secrets.scrub_string(&mut rejection.reason);
            if let Some(column) = &mut rejection.column {
                masked |= secrets.scrub_string(column);
            }
        }
        for pending in &mut self.pending {
            masked |= secrets.scrub_string(&mut pending.fact);
        }
        masked
    }
}

#[cfg(test)]
mod tests {
    use crate::{AdRow, Facts, FileFormat, IdentityKind, InputKind, Rejection, RowRef, SourceFile};

    #[test]
    fn a_code_pasted_anywhere_is_masked_and_everything_else_kept() {
        let code = "Xy7_kk+QmZ/9pLw=abcdefghij0123456789";
        let mut facts = Facts::default();
        facts.secrets.add(code);
        let file = facts.add_file(SourceFile::new(
            format!("exports/{code}.csv"),
            FileFormat::Delimited,
            vec![InputKind::Ads],
        ));
        let ad = AdRow {
            at: RowRef { file, line: 2 },
            advertiser: facts.syms.intern("7100"),
            post: facts.syms.intern("7301"),
            identity: IdentityKind::TtUser,
            handle: facts.syms.intern(&code.to_lowercase()),
            identity_label: facts.text.push("Maya"),
            ad_id: facts.text.push("123"),
            ad_name: facts.text.push(&format!("Launch {code}")),
        };
        facts.ads.push(ad);
        facts.rejections.push(Rejection {
            file,
            line: 3,
            column: None,
            reason: format!("expected a status, found `{code}`"),
        });
        assert!(facts.scrub_secrets());
        let ad = facts.ads[0];
        let name = facts.text.get(ad.ad_name);
        assert!(
            name.starts_with("Launch ****") && name.ends_with("6789"),
            "{name}"
        );
        assert_eq!(facts.text.get(ad.identity_label), "Maya");
        assert!(!facts.files[0].path.contains(code));
        assert!(!facts.sym(ad.handle).contains(&code.to_lowercase()));
        assert_eq!(facts.syms.get(facts.sym(ad.handle)), Some(ad.handle));
        assert_eq!(facts.syms.get("7301"), Some(ad.post));
        assert!(!facts.rejections[0].reason.contains(code));
        assert!(!facts.scrub_secrets(), "a second pass finds nothing");
    }
}
