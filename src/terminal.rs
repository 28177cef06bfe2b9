//! Standard error, the process's last boundary: every message sparkcheck prints there
//! goes through [`say`] (the `say!` macro), which masks the auth codes read in this run
//! (see `sparkcheck_facts::secrets`) and escapes control characters and bidirectional
//! overrides, so no file name or value can split a message, drive the terminal or leak
//! a code. `clippy.toml` forbids `eprintln!` and `eprint!` everywhere else.

/// One line as it may be printed: codes masked, line breaks, escape sequences and
/// bidirectional overrides escaped.
pub fn line(message: &str) -> String {
    crate::output::escape(&sparkcheck_facts::secrets::scrub_message(message))
}

/// Prints `message` to standard error as one line (see [`line`]).
pub fn say(message: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    // A closed standard error has nobody to tell.
    let _ = writeln!(stderr, "{}", line(message));
}

/// Prints one line to standard error through [`say`]: `say!("error: {x}")`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::terminal::say(&format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_stays_one_inert_line() {
        let shown = line("error: `evil\nname\u{1b}[2J\u{202e}.csv`: bad");
        assert_eq!(shown, "error: `evil\\nname\\u{1b}[2J\\u{202e}.csv`: bad");
    }

    #[test]
    fn the_runs_codes_are_masked() {
        let mut secrets = sparkcheck_facts::Secrets::default();
        secrets.add("Terminal0Code1Shape+/=_x");
        sparkcheck_facts::secrets::publish(&secrets);
        let shown = line("plugin said: Terminal0Code1Shape+/=_x");
        assert!(!shown.contains("Terminal0Code1Shape"), "{shown}");
        assert!(shown.ends_with("/=_x"), "{shown}");
    }
}
