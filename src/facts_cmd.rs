//! `sparkcheck facts`: the facts read from the inputs, as JSON Lines (`docs/facts.md`).

use std::io::Write;

use crate::cli::FactsArgs;
use crate::pipeline::{self, Observer, Plan};
use crate::ExitStatus;

/// Prints the facts (or the schema of one line).
pub fn run(args: &FactsArgs) -> ExitStatus {
    if args.schema {
        let schema = sparkcheck_importers::facts_jsonl::schema();
        let text = serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n";
        crate::output::print(&text);
        return ExitStatus::Success;
    }
    let config = match crate::config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            crate::say!("error: {error}");
            return ExitStatus::Error;
        }
    };
    let outputs: Vec<_> = args.output.iter().cloned().collect();
    if let Err(message) =
        crate::output::check_outputs(&args.paths, config.path.as_deref(), &outputs)
    {
        crate::say!("error: {message}");
        return ExitStatus::Error;
    }
    let mut plan = Plan::new(args.paths.clone(), 0);
    plan.config = config;
    let imported = match Observer::quiet(|observer| pipeline::import(&plan, observer)) {
        Ok(imported) => imported,
        Err(error) => {
            error.print();
            return ExitStatus::Error;
        }
    };
    for rejection in &imported.facts.rejections {
        let path = &imported.facts.files[rejection.file as usize].path;
        crate::say!("rejected: {path}:{}: {}", rejection.line, rejection.reason);
    }
    let render =
        |out: &mut dyn Write| sparkcheck_importers::facts_jsonl::write(&imported.facts, out);
    let written = match &args.output {
        Some(path) => crate::output::write_atomically(path, render),
        None => crate::output::write_stdout(render),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            crate::say!("error: cannot write the facts: {e}");
            ExitStatus::Error
        }
        _ => ExitStatus::Success,
    }
}
