//! sparkcheck's integration tests: one binary, modules inside (one link step).

mod causes;
mod cli;
mod importers;
mod samples;
mod scale;
mod unseen;
mod util;
