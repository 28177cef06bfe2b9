//! Which checks could run: a check whose input was not given is "not checked", never passed.

use sparkcheck_facts::{Facts, InputKind};

use crate::Cause;

/// Whether a cause was checked, and if not, why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Coverage {
    /// Its inputs were given.
    Checked,
    /// What was missing.
    NotChecked(String),
}

/// The input kinds each cause needs, and the optional column it needs in one of them.
fn needs(cause: Cause) -> (&'static [InputKind], Option<(InputKind, &'static str)>) {
    use InputKind::{Ads, Bc, Codes, Identities, Links};
    match cause {
        Cause::HandleNotInBc
        | Cause::HandleNotShared
        | Cause::NoAdDelivery
        | Cause::ShareInactive => (&[Bc], None),
        Cause::AnalystOnly => (&[Bc], Some((Bc, "Ad Account Role"))),
        Cause::CodeMissing | Cause::CodeNotApplied | Cause::CodeExpired | Cause::CodeRevoked => {
            (&[Codes], None)
        }
        Cause::CodeExpiringSoon => (&[Codes], Some((Codes, "End Time"))),
        Cause::CustomIdentity => (&[Ads], None),
        Cause::WrongIdentity => (&[Ads, Codes], None),
        Cause::NotLinked => (&[Links], None),
        // Linked through a BC share or in identity data: either input will do.
        Cause::TtAccountNotLinked => (&[Ads], None),
        Cause::IdentityUnavailable => (&[Ads, Identities], None),
        Cause::PostUnavailable => (&[Codes], Some((Codes, "Post Status"))),
        Cause::NoPreviewFormat => (&[Codes], Some((Codes, "Item Type"))),
    }
}

/// The coverage of every cause `policy` can report, in catalogue order.
pub fn coverage(facts: &Facts, policy: crate::Policy) -> Vec<(Cause, Coverage)> {
    policy
        .causes()
        .iter()
        .map(|&cause| (cause, cause_coverage(facts, cause)))
        .collect()
}

fn cause_coverage(facts: &Facts, cause: Cause) -> Coverage {
    let (kinds, column) = needs(cause);
    let missing: Vec<&str> = kinds
        .iter()
        .filter(|&&kind| !facts.has_input(kind))
        .map(|kind| kind.name())
        .collect();
    if cause == Cause::TtAccountNotLinked
        && !facts.has_input(InputKind::Bc)
        && !facts.has_input(InputKind::Identities)
    {
        return Coverage::NotChecked("no bc or identities input given".to_string());
    }
    if !missing.is_empty() {
        let inputs = missing.join(" and ");
        return Coverage::NotChecked(format!("no {inputs} input given"));
    }
    if let Some((kind, column)) = column {
        let has_column = facts.files.iter().any(|file| {
            (file.kind == kind || file.provides.contains(&kind)) && file.columns.contains(&column)
        });
        if !has_column {
            return Coverage::NotChecked(format!("no {kind} file has the `{column}` column"));
        }
    }
    Coverage::Checked
}
