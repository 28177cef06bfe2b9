//! Worklists: each distinct fix action, its owner role and the findings it clears. One
//! Business Center share can fix many posts, so it appears once, with its count; actions
//! are ordered by how many findings they clear.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FindingOut;

/// One fix action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionOut {
    /// What to do, in one sentence.
    pub action: String,
    /// Who does it.
    pub owner_role: String,
    /// How many findings it clears.
    pub clears: usize,
    /// The findings it clears.
    pub findings: Vec<FindingKey>,
}

/// A finding's stable key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The cause.
    pub cause: String,
}

/// The action that clears `finding`, as (what to do, owner role).
fn action_of(f: &FindingOut) -> (String, &str) {
    let handle = f.handle.as_deref().unwrap_or("the creator");
    let (a, p) = (&f.advertiser_id, &f.post_id);
    let text = match f.cause.as_str() {
        "HANDLE_NOT_IN_BC" => format!(
            "add {handle} to the Business Center and share it to ad account {a} with ad delivery"
        ),
        "HANDLE_NOT_SHARED" | "NO_AD_DELIVERY" | "SHARE_INACTIVE" => {
            format!("share {handle} to ad account {a} with ad delivery")
        }
        "ANALYST_ONLY" => {
            format!("give the Business Center Admin or Operator access to ad account {a}")
        }
        "CODE_MISSING" | "CODE_EXPIRED" | "CODE_REVOKED" | "CODE_EXPIRING_SOON" => {
            format!("ask {handle} for a new code for post {p}")
        }
        "CODE_NOT_APPLIED" => format!("apply the code of post {p} in ad account {a}"),
        "CUSTOM_IDENTITY" | "WRONG_IDENTITY" => {
            format!(
                "set the identity of ads {} to {handle}",
                f.ad_ids.join(", ")
            )
        }
        "NOT_LINKED" => format!("connect {handle} in the preview tool"),
        "POST_UNAVAILABLE" => {
            format!("ask {handle} to make post {p} public again, or pick another post")
        }
        "NO_PREVIEW_FORMAT" => format!("check carousel post {p} in Ads Manager's own preview"),
        other => format!("fix {other} for post {p} in ad account {a}"),
    };
    (text, &f.owner_role)
}

/// The distinct actions clearing `findings`, most findings cleared first.
pub fn actions(findings: &[FindingOut]) -> Vec<ActionOut> {
    let mut grouped: BTreeMap<(String, String), Vec<FindingKey>> = BTreeMap::new();
    for finding in findings {
        let (action, owner) = action_of(finding);
        grouped
            .entry((action, owner.to_string()))
            .or_default()
            .push(FindingKey {
                advertiser_id: finding.advertiser_id.clone(),
                post_id: finding.post_id.clone(),
                cause: finding.cause.clone(),
            });
    }
    let mut actions: Vec<ActionOut> = grouped
        .into_iter()
        .map(|((action, owner_role), findings)| ActionOut {
            action,
            owner_role,
            clears: findings.len(),
            findings,
        })
        .collect();
    actions.sort_by(|a, b| {
        b.clears
            .cmp(&a.clears)
            .then_with(|| (&a.owner_role, &a.action).cmp(&(&b.owner_role, &b.action)))
    });
    actions
}
