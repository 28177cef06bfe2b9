//! sparkcheck's integration tests: one binary, modules inside (one link step).

mod causes;
mod cli;
mod determinism;
mod formats;
mod hostile;
mod importers;
mod plugin_inputs;
mod policy_tools;
mod printers;
mod samples;
mod scale;
mod secrets;
mod unseen;
mod util;
mod workflows;
