//! sparkcheck's integration tests: one binary, modules inside (one link step).
#![allow(clippy::disallowed_macros)] // test and bench output is not the product's boundary

mod api_shapes;
mod architecture;
mod causes;
mod cli;
mod conventions;
mod determinism;
mod formats;
mod hostile;
mod importers;
mod limits;
mod output_safety;
mod plugin_inputs;
mod policy_tools;
mod printers;
mod samples;
mod scale;
mod secrets;
mod shapes;
mod trust;
mod unseen;
mod util;
mod workbook;
mod workflows;
