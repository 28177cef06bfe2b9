//! Importers: files → facts.
//!
//! [`import_paths`] walks the paths and reads each file in its *format* ([`formats`]:
//! delimited text, workbook, TikTok API response, facts, or a plugin's output), which
//! yields tables or records; each row goes to its *input kind*'s builder ([`kinds`],
//! through [`record::Kind`]), which checks it and makes facts. Every row becomes facts or
//! one [`sparkcheck_facts::Rejection`]; a file that cannot be read or recognised is an
//! [`InputError`] and the run goes on to collect the others, so the user sees every
//! problem at once.

pub mod decode;
pub mod formats;
mod kinds;
pub mod limits;
mod mapped;
pub mod record;
pub mod registry;
pub mod table;
pub mod values;
mod walk;

pub use formats::facts as facts_jsonl;
pub use formats::plugin::PluginSpec;
pub use record::{Kind, RecentSyms, RowError, RowSink};
pub use walk::{walk, InputFile, Walk};

use sparkcheck_facts::threads::{spawn, Spawned};
use sparkcheck_facts::{Facts, Progress};
use std::fmt;
use std::path::Path;

/// A file that could not be used at all: the run cannot complete (exit 2).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InputError {
    /// The file as the user would name it.
    pub path: String,
    /// What went wrong, in one line, with a hint when there is one.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for InputError {}

/// The outcome of importing every input.
#[derive(Debug, Default)]
pub struct Imported {
    /// The facts of every file that could be read.
    pub facts: Facts,
    /// Files under the named folders that were passed over, and why.
    pub skipped: Vec<(String, String)>,
    /// Files that could not be used.
    pub errors: Vec<InputError>,
}

/// Imports every input file under `paths` (folders recursively, in a stable order), on up
/// to `threads` threads; files a plugin claims go through it. The facts are the same
/// whatever the thread count: each thread takes a consecutive run of files and the runs
/// are appended in order.
///
/// `progress` is told of the bytes read as they are read, with the total.
pub fn import_paths<P: AsRef<Path>>(
    paths: &[P],
    plugins: &[PluginSpec],
    threads: usize,
    progress: Progress<'_>,
) -> Imported {
    let mut imported = formats::plugin::import(paths, plugins, threads, progress);
    formats::tiktok_api::resolve_pending(&mut imported.facts);
    imported.facts.settle_ids(threads);
    scrub_secrets(&mut imported);
    imported
}

/// Masks the run's codes in everything read (see [`Facts::scrub_secrets`]) and in the
/// errors and skipped paths, and publishes them for the messages printed later.
fn scrub_secrets(imported: &mut Imported) {
    let facts = &mut imported.facts;
    facts.secrets.seal();
    sparkcheck_facts::secrets::publish(&facts.secrets);
    facts.scrub_secrets();
    let secrets = &facts.secrets;
    for error in &mut imported.errors {
        secrets.scrub_string(&mut error.path);
        secrets.scrub_string(&mut error.message);
    }
    for (path, reason) in &mut imported.skipped {
        secrets.scrub_string(path);
        secrets.scrub_string(reason);
    }
}

/// [`import_paths`] without plugins.
pub(crate) fn import_builtin<P: AsRef<Path>>(
    paths: &[P],
    threads: usize,
    progress: Progress<'_>,
) -> Imported {
    let walked = walk(paths);
    let sizes: Vec<u64> = walked
        .files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .collect();
    let runs = split_by_size(&sizes, threads.max(1));
    formats::delimited::set_parse_threads(threads);
    let total: u64 = sizes.iter().sum();
    let advance = |bytes: u64| progress(bytes, total);
    let import_run = |range: std::ops::Range<usize>| {
        let mut facts = Facts::default();
        // Growing the row tables by doubling copies them into fresh pages again and again
        // (a fifth of a 1M-ad run went there); reserving for the input up front costs
        // address space only, since pages are touched as rows are written.
        // The first run reserves for every run: the others are appended to it.
        let bytes: u64 = if range.start == 0 {
            total
        } else {
            sizes[range.clone()].iter().sum()
        };
        facts.reserve_for_input(usize::try_from(bytes).unwrap_or(usize::MAX));
        // One buffer for every file: fresh memory for each file's bytes costs page faults.
        let mut buffer = Vec::new();
        let mut errors = Vec::new();
        for input in &walked.files[range] {
            if let Err(error) = import_file(input, &mut buffer, &mut facts, &advance) {
                errors.push(error);
            }
        }
        (facts, errors)
    };
    let results: Vec<(Facts, Vec<InputError>)> = if runs.len() <= 1 {
        vec![import_run(0..walked.files.len())]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .iter()
                .map(|range| spawn(scope, || import_run(range.clone())))
                .collect();
            handles.into_iter().map(Spawned::join).collect()
        })
    };
    let mut imported = Imported {
        skipped: walked.skipped,
        errors: walked.errors,
        ..Imported::default()
    };
    let mut results = results.into_iter();
    if let Some((facts, errors)) = results.next() {
        imported.facts = facts;
        imported.errors.extend(errors);
    }
    for (facts, errors) in results {
        imported.facts.absorb(facts);
        imported.errors.extend(errors);
    }
    imported
}

/// Cuts `sizes` into at most `parts` consecutive runs of about equal total size.
fn split_by_size(sizes: &[u64], parts: usize) -> Vec<std::ops::Range<usize>> {
    let total: u64 = sizes.iter().sum();
    let mut runs = Vec::new();
    let (mut start, mut filled) = (0, 0u64);
    for (i, &size) in sizes.iter().enumerate() {
        filled += size;
        // Close a run once the files so far hold their share of the bytes.
        let share_reached = filled * parts as u64 >= total * (runs.len() as u64 + 1);
        if share_reached && runs.len() + 1 < parts && i + 1 < sizes.len() {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < sizes.len() || runs.is_empty() {
        runs.push(start..sizes.len());
    }
    runs
}

/// Imports one file into `facts`, reading it into `buffer`.
pub fn import_file(
    input: &InputFile,
    buffer: &mut Vec<u8>,
    facts: &mut Facts,
    advance: &dyn Fn(u64),
) -> Result<(), InputError> {
    buffer.clear();
    let contents =
        read_contents(&input.path, input.inside.as_deref(), buffer).map_err(|message| {
            InputError {
                path: input.display.clone(),
                message,
            }
        })?;
    let bytes: &[u8] = match &contents {
        Contents::Mapped(map) => map,
        Contents::Buffer => buffer,
    };
    let first_file = facts.files.len();
    let told = std::cell::Cell::new(0u64);
    let counted = |bytes: u64| {
        told.set(told.get() + bytes);
        advance(bytes);
    };
    let hashing = HASH_INPUTS.load(std::sync::atomic::Ordering::Relaxed);
    // A large file is hashed on a thread of its own while it is parsed: on the critical
    // path of a run whose biggest file is one export, the hash would add its whole time.
    let (result, hash) = std::thread::scope(|scope| {
        let hasher =
            (hashing && bytes.len() >= 1 << 20).then(|| spawn(scope, || content_hash(bytes)));
        let result = import_text(&input.display, bytes, facts, &counted);
        let hash = match hasher {
            Some(hasher) => Some(hasher.join()),
            None => hashing.then(|| content_hash(bytes)),
        };
        (result, hash)
    });
    advance((bytes.len() as u64).saturating_sub(told.get()));
    unmap_aside(contents);
    if let Some(hash) = hash {
        // A workbook is one file of several sheets: each carries the file's hash.
        for file in &mut facts.files[first_file..] {
            file.content_hash = Some(hash.clone());
        }
    }
    result
}

static HASH_INPUTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the imports of this process record each file's content hash (for the audit
/// history, which keeps which version of each export a run read). Off by default: it
/// costs a pass over every byte.
pub fn set_hash_inputs(on: bool) {
    HASH_INPUTS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// `blake3:` and the file's BLAKE3 hash in hex (what `b3sum` prints): BLAKE3 rather than
/// SHA-256 because it is several times faster (175 MB: 29 ms against about 110 ms with
/// SHA-NI), and the hash is on the read's critical path.
fn content_hash(bytes: &[u8]) -> String {
    format!("blake3:{}", blake3::hash(bytes).to_hex())
}

/// Unmaps a large file on a thread of its own: unmapping 125 MB took about 15 ms, on the
/// single thread that then merges the imports. Where no thread can be started it is
/// unmapped here.
fn unmap_aside(contents: Contents) {
    if let Contents::Mapped(map) = contents {
        if map.len() >= UNMAP_ASIDE_AT_LEAST {
            // A failed spawn drops the closure, and the map with it, right here.
            let _ = std::thread::Builder::new()
                .name("unmap".into())
                .spawn(move || drop(map));
        }
    }
}

/// Mappings from this size up are unmapped on a thread of their own.
const UNMAP_ASIDE_AT_LEAST: usize = 32 << 20;

/// Where a file's bytes are: mapped, or read into the caller's buffer.
enum Contents {
    Mapped(memmap2::Mmap),
    Buffer,
}

/// A regular file's bytes within [`limits::Limits::max_file`]: a large file mapped (see
/// [`mapped`]), a small one read into `buffer`.
fn read_contents(
    path: &Path,
    inside: Option<&Path>,
    buffer: &mut Vec<u8>,
) -> Result<Contents, String> {
    let (file, len) = open_regular_file(path, inside)?;
    if len >= mapped::MAP_AT_LEAST {
        if let Some(map) = mapped::map(&file, len) {
            return Ok(Contents::Mapped(map));
        }
    }
    read_to_buffer(file, len, buffer)?;
    Ok(Contents::Buffer)
}

/// Reads a regular file whole into `buffer`, within [`limits::Limits::max_file`].
pub fn read_regular_file(
    path: &Path,
    inside: Option<&Path>,
    buffer: &mut Vec<u8>,
) -> Result<(), String> {
    let (file, len) = open_regular_file(path, inside)?;
    read_to_buffer(file, len, buffer)
}

/// Opens a regular file to read, with its length (at most [`limits::Limits::max_file`]).
///
/// The file is opened without blocking and checked after opening (not before, when it
/// could still be swapped): a FIFO, socket or device is an error, never a read that
/// waits for a writer forever or runs on until memory is gone (`/dev/zero`). A file found
/// in a folder must, once open, still be inside `inside` (its real path is read back
/// from the open descriptor), so a link swapped in after the walk is refused.
fn open_regular_file(path: &Path, inside: Option<&Path>) -> Result<(std::fs::File, u64), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{}, not a regular file; hint: name the export file itself",
            walk::special_kind(&meta)
        ));
    }
    if let Some(folder) = inside {
        use std::os::fd::AsRawFd;
        // Where the descriptor really points, whatever links led there.
        let opened = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()));
        if let Ok(real) = opened {
            if !real.starts_with(folder) {
                return Err(
                    "the file became a link to a file outside the folder while the run \
                     read it; not read; hint: name the file itself to read it"
                        .to_string(),
                );
            }
        }
    }
    let max_file = limits::get().max_file;
    if meta.len() > max_file {
        return Err(limits::file_too_large(meta.len(), max_file));
    }
    Ok((file, meta.len()))
}

/// Reads `file` (`len` bytes when opened) into `buffer`; a file still growing is read up
/// to the limit and no further.
fn read_to_buffer(file: std::fs::File, len: u64, buffer: &mut Vec<u8>) -> Result<(), String> {
    use std::io::Read;
    let max_file = limits::get().max_file;
    buffer.reserve(usize::try_from(len).unwrap_or(0));
    file.take(max_file + 1)
        .read_to_end(buffer)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if buffer.len() as u64 > max_file {
        return Err(limits::file_too_large(buffer.len() as u64, max_file));
    }
    Ok(())
}

/// Imports a file's contents; `display` names it in evidence and messages.
///
/// Records whose ad account can only come from the file name are resolved against the
/// ad accounts already in `facts`.
pub fn import_bytes(display: &str, raw: &[u8], facts: &mut Facts) -> Result<(), InputError> {
    let result = import_text(display, raw, facts, &|_| {});
    formats::tiktok_api::resolve_pending(facts);
    facts.settle_ids(1);
    sparkcheck_facts::secrets::publish(&facts.secrets);
    facts.scrub_secrets();
    result.map_err(|mut error| {
        facts.secrets.scrub_string(&mut error.message);
        facts.secrets.scrub_string(&mut error.path);
        error
    })
}

fn import_text(
    display: &str,
    raw: &[u8],
    facts: &mut Facts,
    advance: &dyn Fn(u64),
) -> Result<(), InputError> {
    let error = |message: String| InputError {
        path: display.to_string(),
        message,
    };
    if raw.starts_with(b"PK\x03\x04") && display.to_ascii_lowercase().ends_with(".xlsx") {
        let result = formats::workbook::import(display, raw, facts).map_err(error);
        advance(raw.len() as u64);
        return result;
    }
    let decoded = decode::decode(raw).map_err(|e| error(e.to_string()))?;
    let text: &str = &decoded.text;
    if formats::facts::looks_like_facts(text.as_bytes()) {
        formats::facts::import(display, text, facts, None);
        return Ok(());
    }
    if formats::tiktok_api::looks_like_json(text.as_bytes()) {
        return formats::tiktok_api::import(display, text, facts).map_err(error);
    }
    // Progress is in bytes of the file as stored; a transcoded file reports at its end.
    let advance = |bytes: u64| {
        if matches!(decoded.text, std::borrow::Cow::Borrowed(_)) {
            advance(bytes);
        }
    };
    formats::delimited::import(display, &decoded, facts, &advance).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walked_file_that_now_leads_outside_its_folder_is_not_read() {
        let dir = std::env::temp_dir().join(format!("sparkcheck-inside-{}", std::process::id()));
        let (folder, elsewhere) = (dir.join("folder"), dir.join("elsewhere"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("secret.csv"), "Weird,Secret\n").unwrap();
        std::fs::write(folder.join("ads.csv"), "a,b\n").unwrap();
        // As if swapped in after the walk.
        std::os::unix::fs::symlink(elsewhere.join("secret.csv"), folder.join("t.csv")).unwrap();
        let root = folder.canonicalize().unwrap();
        let mut buffer = Vec::new();
        let error = read_regular_file(&folder.join("t.csv"), Some(&root), &mut buffer).unwrap_err();
        assert!(error.contains("outside the folder"), "{error}");
        assert!(buffer.is_empty(), "nothing read");
        read_regular_file(&folder.join("ads.csv"), Some(&root), &mut buffer).unwrap();
        assert_eq!(buffer, b"a,b\n");
        // Named on the command line (no folder), the user chose it.
        buffer.clear();
        read_regular_file(&folder.join("t.csv"), None, &mut buffer).unwrap();
        assert_eq!(buffer, b"Weird,Secret\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn runs_cover_every_file_once_in_order() {
        for (sizes, parts) in [
            (vec![10, 10, 10, 10], 2),
            (vec![100, 1, 1, 1], 2),
            (vec![5], 4),
            (vec![], 2),
            (vec![1, 2, 3, 4, 5, 6, 7], 3),
        ] {
            let runs = split_by_size(&sizes, parts);
            assert!(runs.len() <= parts.max(1));
            let covered: Vec<usize> = runs.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(covered, (0..sizes.len()).collect::<Vec<_>>(), "{sizes:?}");
        }
        assert_eq!(split_by_size(&[10, 10, 10, 10], 2), [0..2, 2..4]);
    }
}
