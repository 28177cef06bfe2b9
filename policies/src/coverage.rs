//! Which checks could run: a check whose input was not given is "not checked", never
//! passed. What each cause needs is its catalogue entry's `needs`.

use sparkcheck_facts::Facts;

use crate::Cause;

/// Whether a cause was checked, and if not, why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Coverage {
    /// Its inputs were given.
    Checked,
    /// What was missing.
    NotChecked(String),
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
    let needs = &cause.info().needs;
    let missing: Vec<&str> = needs
        .all
        .iter()
        .filter(|&&kind| !facts.has_input(kind))
        .map(|kind| kind.name())
        .collect();
    if !missing.is_empty() {
        return Coverage::NotChecked(format!("no {} input given", missing.join(" and ")));
    }
    if !needs.any.is_empty() && !needs.any.iter().any(|&kind| facts.has_input(kind)) {
        let kinds: Vec<&str> = needs.any.iter().map(|k| k.name()).collect();
        return Coverage::NotChecked(format!("no {} input given", kinds.join(" or ")));
    }
    if let Some(field) = needs.field {
        if !facts.has_field(field) {
            return Coverage::NotChecked(format!(
                "no {} file has the `{}` column",
                field.kind(),
                field.column()
            ));
        }
    }
    Coverage::Checked
}
