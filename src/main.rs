use clap::Parser;
use sparkcheck::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Audit(args) => sparkcheck::audit::run(&args),
    };
    status.into()
}
