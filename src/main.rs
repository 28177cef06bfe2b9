use clap::Parser;

// mimalloc: the rules engine allocates many small hash-set nodes and index vectors; the
// prototype measured 40% less evaluation time than with the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use sparkcheck::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    small_pages_only();
    file_size_limit_as_error();
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Audit(args) => sparkcheck::audit::run(&args),
        Command::Expiring(args) => sparkcheck::expiring::run(&args),
        Command::Explain {
            cause,
            all,
            markdown,
        } => sparkcheck::explain::run(cause.as_deref(), all, markdown),
        Command::Policies => sparkcheck::explain::policies(),
        Command::Facts(args) => sparkcheck::facts_cmd::run(&args),
        Command::Test(args) => sparkcheck::casetest::run(&args),
        Command::Trust(args) => sparkcheck::trust_cmd::run(&args),
        Command::History(args) => sparkcheck::history_cmd::run(&args),
        Command::Completions { shell } => completions(shell),
        Command::Init { file } => sparkcheck::config::init(&file),
    };
    status.into()
}

/// Prints the shell's completion script. Rendered first, then written: clap_complete
/// panics on a write error (a full disk, a closed pipe), and a failed write here is one
/// line and exit 2 instead (a closed pipe, as with `| head`, ends quietly).
fn completions(shell: clap_complete::Shell) -> sparkcheck::ExitStatus {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sparkcheck", &mut script);
    match sparkcheck::output::write_stdout(|out| out.write_all(&script)) {
        Ok(()) => sparkcheck::ExitStatus::Success,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            sparkcheck::ExitStatus::Success
        }
        Err(error) => {
            sparkcheck::say!("error: cannot write the completions to standard output: {error}");
            sparkcheck::ExitStatus::Error
        }
    }
}

/// Transparent huge pages off for this process. mimalloc asks for huge pages on its arenas,
/// and the kernel then zeroes 2 MiB at every first touch: a quarter of a 1M-ad audit's
/// samples were `clear_page_erms`. With 4 KiB pages only what is used is zeroed; paired runs
/// measured 9-25% less wall time at 1M ads (docs/performance.md). The same as
/// `MIMALLOC_ALLOW_THP=0`, which mimalloc reads only from the environment at start-up.
#[cfg(target_os = "linux")]
fn small_pages_only() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and touches no memory of ours;
    // on a kernel without it the call fails with EINVAL, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn small_pages_only() {}

/// A write past the file size limit (`ulimit -f`) fails with `EFBIG` instead of killing
/// the process with `SIGXFSZ`: the report's temporary file is then removed and the error
/// is one line, like a full disk's.
#[cfg(unix)]
fn file_size_limit_as_error() {
    // SAFETY: setting a signal's disposition to "ignore" installs no handler of ours.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn file_size_limit_as_error() {}
