//! Worklists: each distinct fix action, its owner role and the findings it clears (the
//! wire types; `build::actions` makes them from the catalogue).

use serde::{Deserialize, Serialize};

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
