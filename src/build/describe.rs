//! "What this row says": one sentence per evidence row. Codes appear masked only.

use sparkcheck_facts::{time, Facts, IdentityKind, ItemType};
use sparkcheck_policies::Evidence;

use crate::report::EvidenceOut;

/// Appends formatted text without a `String` of its own (a report describes every
/// finding's evidence: hundreds of thousands of pieces).
fn push(says: &mut String, args: std::fmt::Arguments<'_>) {
    use std::fmt::Write;
    // Writing into a `String` cannot fail.
    let _ = says.write_fmt(args);
}

/// Evidence rows described once for all the findings that cite them. A Business Center
/// share, a preview-tool link or an identity is cited by every finding of each post it
/// concerns (at 1M ads, 106k share citations name 6k rows, and formatting them was a
/// third of the evidence's time); ads and codes are cited about once each and are not kept.
#[derive(Default)]
pub struct Described {
    rows: rustc_hash::FxHashMap<Evidence, EvidenceOut>,
}

impl Described {
    /// [`evidence`], from the rows already described where it is one of them.
    pub fn evidence(&mut self, facts: &Facts, row: Evidence) -> EvidenceOut {
        match row {
            Evidence::Share(_) | Evidence::Link(_) | Evidence::Identity(_) => self
                .rows
                .entry(row)
                .or_insert_with(|| evidence(facts, row))
                .clone(),
            Evidence::Ad(_) | Evidence::Code(_) => evidence(facts, row),
        }
    }
}

/// The evidence row `evidence` as a report entry.
pub fn evidence(facts: &Facts, evidence: Evidence) -> EvidenceOut {
    let (at, says) = match evidence {
        Evidence::Ad(i) => {
            let ad = &facts.ads[i as usize];
            (ad.at, ad_says(facts, i as usize))
        }
        Evidence::Share(i) => {
            let share = &facts.shares[i as usize];
            (share.at, share_says(facts, i as usize))
        }
        Evidence::Code(i) => {
            let code = &facts.codes[i as usize];
            (code.at, code_says(facts, i as usize))
        }
        Evidence::Identity(i) => {
            let identity = &facts.identities[i as usize];
            let mut says = format!(
                "ad account {} has the identity @{} ({}) with available_status {}",
                facts.sym(identity.advertiser),
                facts.sym(identity.handle),
                identity.kind.api_name(),
                facts.text.get(identity.available_status)
            );
            let bc = facts.text.get(identity.bc_id);
            if !bc.is_empty() {
                push(&mut says, format_args!(", authorized by BC {bc}"));
            }
            (identity.at, says)
        }
        Evidence::Link(i) => {
            let link = &facts.links[i as usize];
            let mut says = format!(
                "@{} is {} in the preview tool",
                facts.sym(link.handle),
                link.status.name()
            );
            if let Some(at) = link.connected_at {
                push(
                    &mut says,
                    format_args!(" (connected at {})", time::format_instant(at)),
                );
            }
            (link.at, says)
        }
    };
    let mut says = match facts.row_note(at) {
        Some(note) => format!("{says} ({note})"),
        None => says,
    };
    // Built by appending, the sentence has up to twice its length in capacity; a report
    // holds one per evidence row (183k at 1M ads), so it is kept at its size.
    says.shrink_to_fit();
    EvidenceOut {
        path: facts.path(at).to_string(),
        line: u64::from(at.line),
        says,
    }
}

fn ad_says(facts: &Facts, index: usize) -> String {
    let ad = &facts.ads[index];
    let mut says = format!("ad {}", facts.text.get(ad.ad_id));
    let name = facts.text.get(ad.ad_name);
    if !name.is_empty() {
        push(&mut says, format_args!(" \"{name}\""));
    }
    let label = facts.text.get(ad.identity_label);
    match ad.identity {
        IdentityKind::Custom if label.is_empty() => says.push_str(" uses a custom identity"),
        IdentityKind::Custom => push(
            &mut says,
            format_args!(" uses the custom identity \"{label}\""),
        ),
        kind => push(
            &mut says,
            format_args!(" uses @{} ({})", facts.sym(ad.handle), kind.api_name()),
        ),
    }
    push(&mut says, format_args!(" for post {}", facts.sym(ad.post)));
    says
}

fn share_says(facts: &Facts, index: usize) -> String {
    let share = &facts.shares[index];
    let bc_name = facts.text.get(share.bc_name);
    let bc = if bc_name.is_empty() {
        format!("BC {}", facts.text.get(share.bc_id))
    } else {
        format!("BC \"{bc_name}\" ({})", facts.text.get(share.bc_id))
    };
    let mut says = format!("{bc} has @{}", facts.sym(share.handle));
    if share.advertiser.is_none() {
        says.push_str(", shared to no ad account");
        return says;
    }
    let permissions = facts.text.get(share.permissions);
    push(
        &mut says,
        format_args!(
            ", shared to ad account {} with permissions \"{}\", status {}",
            facts.sym(share.advertiser),
            permissions,
            share.status.name()
        ),
    );
    if let Some(until) = share.valid_until {
        push(
            &mut says,
            format_args!(", valid until {}", time::format_instant(until)),
        );
    }
    if !share.role.name().is_empty() {
        push(&mut says, format_args!(", role {}", share.role.name()));
    }
    says
}

fn code_says(facts: &Facts, index: usize) -> String {
    let code = &facts.codes[index];
    let mut says = format!(
        "code {} for post {}",
        facts.text.get(code.masked_code),
        facts.sym(code.post),
    );
    if code.creator.is_none() {
        says.push_str(
            " with no creator on the code (the creator comes from the post's other codes \
             or its ads' TikTok accounts)",
        );
    } else {
        push(&mut says, format_args!(" by @{}", facts.sym(code.creator)));
    }
    if code.advertiser.is_none() {
        says.push_str(", not applied to any ad account");
    } else {
        push(
            &mut says,
            format_args!(", applied to ad account {}", facts.sym(code.advertiser)),
        );
    }
    push(&mut says, format_args!(", status {}", code.status.name()));
    if let Some(end) = code.end {
        push(
            &mut says,
            format_args!(", ends {}", time::format_instant(end)),
        );
    }
    let post_status = facts.text.get(code.post_status);
    if !post_status.is_empty() {
        push(&mut says, format_args!(", post status {post_status}"));
    }
    if code.item_type == ItemType::Carousel {
        says.push_str(", item type CAROUSEL");
    }
    says
}
