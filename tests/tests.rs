//! sparkcheck's integration tests: one binary, modules inside (one link step).

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
