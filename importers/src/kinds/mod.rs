//! Input kinds: what a row means, whatever format it came in. Each kind lists its fields
//! and builds facts from one row of them, with every check of its values.

pub(crate) mod ads;
pub(crate) mod bc;
pub(crate) mod codes;
pub(crate) mod identities;
pub(crate) mod links;
