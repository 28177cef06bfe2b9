//! Starting a report's writeback while it is still being written.
//!
//! A report replaces the previous one by a rename, and when the rename replaces a file,
//! ext4 (`auto_da_alloc`) first starts writeback of the whole new file, on the renaming
//! thread: at 1M ads that is 160 MB of block allocation and I/O submission, about 0.1 s
//! of a run's wall time. Asking the kernel to start writeback of each finished stretch
//! from a thread of its own moves that work onto a core that is otherwise idle while the
//! report is copied into the page cache, and leaves the rename little to flush.
//!
//! Nothing waits for the disk: `SYNC_FILE_RANGE_WRITE` only starts the writeback, and when
//! the report is written the thread is told to stop and left to finish its current call,
//! so a slow disk never holds the run. Durability is as before: the rename's own flush
//! still covers whatever was not yet requested. A new report (no file replaced) is left
//! to the kernel's usual writeback, as before.

use std::fs::File;
use std::io::{self, Write};

/// Bytes written between two writeback requests.
const STRETCH: u64 = 16 << 20;

/// Where the writer sends ranges, and the flag that tells the thread to stop.
struct Writeback {
    requests: std::sync::mpsc::Sender<(u64, u64)>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// A file writer that hands every finished stretch of the file to a writeback thread;
/// dropping it tells the thread to stop, without waiting for it.
pub struct EarlyWriteback {
    file: File,
    written: u64,
    requested: u64,
    writeback: Option<Writeback>,
}

impl EarlyWriteback {
    /// Wraps `file`, written from its start; `early` asks for the writeback thread. Where
    /// the platform has no `sync_file_range` or no thread can be started, or `early` is
    /// false, it is a plain writer.
    pub fn new(file: File, early: bool) -> Self {
        let writeback = if early { start(&file) } else { None };
        EarlyWriteback {
            file,
            written: 0,
            requested: 0,
            writeback,
        }
    }

    fn request_finished_stretches(&mut self) {
        let Some(writeback) = &self.writeback else {
            return;
        };
        if self.written - self.requested >= STRETCH {
            let length = self.written - self.requested;
            if writeback.requests.send((self.requested, length)).is_err() {
                self.writeback = None;
            }
            self.requested = self.written;
        }
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.written += n as u64;
        self.request_finished_stretches();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for EarlyWriteback {
    fn drop(&mut self) {
        if let Some(writeback) = self.writeback.take() {
            writeback
                .stop
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// The writeback thread for `file`: it asks the kernel to start writing each requested
/// range to disk, without waiting for it.
#[cfg(target_os = "linux")]
fn start(file: &File) -> Option<Writeback> {
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    let file = file.try_clone().ok()?;
    let (requests, ranges) = std::sync::mpsc::channel::<(u64, u64)>();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::Builder::new()
        .name("writeback".into())
        .spawn(move || {
            for (offset, length) in ranges {
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                // SAFETY: the descriptor stays open while `file` lives; the call only
                // reads its arguments. A failure only means the rename flushes instead.
                unsafe {
                    libc::sync_file_range(
                        file.as_raw_fd(),
                        offset as libc::off64_t,
                        length as libc::off64_t,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
        })
        .ok()?;
    Some(Writeback { requests, stop })
}

#[cfg(not(target_os = "linux"))]
fn start(_: &File) -> Option<Writeback> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn every_byte_lands_in_order_across_stretches() {
        let mut file = tempfile::tempfile().unwrap();
        let bytes: Vec<u8> = (0..(STRETCH * 2 + 12_345))
            .map(|i| (i % 251) as u8)
            .collect();
        {
            let mut out = EarlyWriteback::new(file.try_clone().unwrap(), true);
            for piece in bytes.chunks(1 << 20) {
                out.write_all(piece).unwrap();
            }
            #[cfg(target_os = "linux")]
            assert_eq!(out.requested, STRETCH * 2, "two stretches were handed over");
        }
        use std::io::Seek;
        file.rewind().unwrap();
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        assert!(back == bytes);
    }
}
