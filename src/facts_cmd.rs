//! `sparkcheck facts`: the facts read from the inputs, as JSON Lines (`docs/facts.md`).

use std::io::Write;

use crate::cli::FactsArgs;
use crate::ExitStatus;

/// Prints the facts (or the schema of one line).
pub fn run(args: &FactsArgs) -> ExitStatus {
    if args.schema {
        let schema = sparkcheck_importers::facts_jsonl::schema();
        let text = serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n";
        crate::output::print(&text);
        return ExitStatus::Success;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = crate::config::load(args.config.as_deref())
        .map_err(|e| e.to_string())
        .and_then(|config| {
            config.check_trust()?;
            let outputs: Vec<_> = args.output.iter().cloned().collect();
            crate::output::check_outputs(&args.paths, config.path.as_deref(), &outputs)?;
            Ok(config)
        });
    let config = match config {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let imported = crate::plugins::import(
        &args.paths,
        &config.importers,
        threads,
        &sparkcheck_facts::no_progress,
    );
    if !imported.errors.is_empty() {
        for error in &imported.errors {
            eprintln!("error: {error}");
        }
        return ExitStatus::Error;
    }
    for rejection in &imported.facts.rejections {
        let path = &imported.facts.files[rejection.file as usize].path;
        eprintln!("rejected: {path}:{}: {}", rejection.line, rejection.reason);
    }
    let render =
        |out: &mut dyn Write| sparkcheck_importers::facts_jsonl::write(&imported.facts, out);
    let written = match &args.output {
        Some(path) => crate::output::write_atomically(path, render),
        None => crate::output::write_stdout(render),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the facts: {e}");
            ExitStatus::Error
        }
        _ => ExitStatus::Success,
    }
}
