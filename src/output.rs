//! Writing reports: to standard output, or atomically to a file.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Streams a report into `path` through a temporary file in the same folder and a rename,
/// so a failed or killed run never leaves a half-written report (an earlier one survives).
///
/// No fsync: the guarantee is about runs that fail, not about power loss.
pub fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = BufWriter::with_capacity(256 * 1024, std::fs::File::create(&temporary)?);
        render(&mut file)?;
        file.into_inner().map_err(io::IntoInnerError::into_error)?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Streams a report to standard output.
pub fn write_stdout(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut stdout = BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    render(&mut stdout)?;
    stdout.flush()
}

/// Prints `text` to standard output; a closed pipe (`| head`) ends the output quietly
/// instead of panicking as `print!` does.
pub fn print(text: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
