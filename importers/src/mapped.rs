//! Large inputs mapped into memory rather than copied into a buffer.
//!
//! Reading a 175 MB export copied every byte from the page cache into fresh memory that
//! the kernel first had to zero, a page fault per 4 KiB: about a tenth of a 1M-ad read.
//! Mapping the file lets the parser read the page cache itself.
//!
//! A mapped file that another process truncates while it is read makes the next access
//! past its new end raise `SIGBUS`. The run cannot continue then, but it must not die
//! unexplained: the handler installed here prints one line and exits with status 2, as
//! any unreadable input does. Reports are only written after every input is read, so no
//! report or temporary file is left half-written.

use std::fs::File;
use std::sync::Once;

/// Files at least this large are mapped; smaller ones are read (a mapping's set-up costs
/// more than copying a few pages).
pub const MAP_AT_LEAST: u64 = 4 << 20;

/// The file's first `len` bytes, mapped read-only, or `None` when mapping fails (the
/// caller reads the file instead).
pub fn map(file: &File, len: u64) -> Option<memmap2::Mmap> {
    let len = usize::try_from(len).ok()?;
    install_bus_error_handler();
    // SAFETY: the mapping is read-only and private to this process; another process may
    // still change the file underneath it. A write changes the bytes read (the file was
    // changed while read: its rows are whatever the parser sees, as with `read`), and a
    // truncation raises SIGBUS, which the handler turns into a clean exit.
    let map = unsafe { memmap2::MmapOptions::new().len(len).map(file) }.ok()?;
    // The parser reads front to back: ask the kernel to read ahead and drop pages behind.
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

fn install_bus_error_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `on_bus_error` only calls async-signal-safe functions (write, _exit);
        // the sigaction struct is zeroed and then filled before use.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_bus_error as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    });
}

extern "C" fn on_bus_error(_: libc::c_int) {
    const MESSAGE: &[u8] = b"error: an input file became shorter while it was read (bus error \
on its memory-mapped bytes); no report was written; hint: run again once the exports are \
no longer being rewritten\n";
    // Two import threads can hit a cut file at once: the first says so and ends the
    // process; the others wait for that (ending it themselves could cut the line short).
    static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if ENDING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            // SAFETY: pause(2) is async-signal-safe; the first handler's _exit ends it.
            unsafe {
                libc::pause();
            }
        }
    }
    // SAFETY: write(2) and _exit(2) are async-signal-safe; the message is static.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD: &str = "SPARKCHECK_BUS_ERROR_CHILD";

    /// A file cut short after it was mapped: reading past its new end must end the
    /// process with status 2 and one line, never a crash without a word. Run in a child
    /// process (this same test, told so by the environment), since it ends the process.
    #[test]
    fn a_mapped_file_cut_short_ends_the_process_with_one_line() {
        if let Some(path) = std::env::var_os(CHILD) {
            read_past_the_cut(std::path::Path::new(&path));
            return;
        }
        let path = std::env::temp_dir().join(format!("sparkcheck-bus-{}", std::process::id()));
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "mapped::tests::a_mapped_file_cut_short_ends_the_process_with_one_line",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, &path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        let message: Vec<&str> = stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect();
        assert_eq!(message.len(), 1, "{stderr}");
        assert!(message[0].contains("became shorter while it was read"));
        assert!(message[0].contains("no report was written"));
    }

    fn read_past_the_cut(path: &std::path::Path) {
        let len = MAP_AT_LEAST * 2;
        std::fs::write(path, vec![b'x'; len as usize]).unwrap();
        let file = File::open(path).unwrap();
        let map = map(&file, len).expect("the file maps");
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(0)
            .unwrap();
        // SAFETY: a read of a byte inside the mapping; the kernel raises SIGBUS for it.
        let byte = unsafe { std::ptr::read_volatile(&map[map.len() - 1]) };
        panic!("read {byte} past the end of a truncated file without a bus error");
    }
}
