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
//!
//! The same thread first drops the cached pages of the report being replaced
//! (`POSIX_FADV_DONTNEED`) when none of them is dirty (else dropping would write them
//! first; `cachestat(2)` says, or, on kernels without it, the report's age): the rename
//! would free them anyway,
//! and freed now they are the memory the new report's pages are taken from. On a virtual machine whose host reclaims
//! the guest's free memory (free page reporting), pages that were free for long are
//! backed afresh by the host at their first touch; copying a report into such pages ran
//! at 0.3-0.8 GB/s here, into just-freed ones several times faster.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

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
    /// Wraps `file`, written from its start, which will replace the report at `replacing`
    /// (if any): then the writeback thread is started, and it drops that report's cached
    /// pages first. Where the platform has no `sync_file_range` or no thread can be
    /// started, or nothing is replaced, it is a plain writer.
    pub fn new(file: File, replacing: Option<&Path>) -> Self {
        let writeback = replacing.and_then(|old| start(&file, old));
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

/// The writeback thread for `file`: it drops the cached pages of the report at `old`,
/// then asks the kernel to start writing each requested range to disk, without waiting
/// for it.
#[cfg(target_os = "linux")]
fn start(file: &File, old: &Path) -> Option<Writeback> {
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    let file = file.try_clone().ok()?;
    // Opened on the thread: opening can wait (a file-access scanner answering a
    // permission event), and nothing on the run's path should.
    let old = old.to_path_buf();
    let (requests, ranges) = std::sync::mpsc::channel::<(u64, u64)>();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::Builder::new()
        .name("writeback".into())
        .spawn(move || {
            if let Some(old) = open_regular(&old) {
                // SAFETY: as below; only cached pages are dropped, never the file's data.
                unsafe {
                    libc::posix_fadvise(old.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
                }
            }
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

/// `path` opened for reading if it is still a regular file whose cached pages can be
/// dropped without writing anything: never blocking on a FIFO or a device put there since
/// it was checked, never following a link. A report with dirty pages (written moments
/// before) would first be written to disk by the drop (a 1 GB report written just before
/// held a run's exit for a second): those are left to the rename. The kernel says which
/// pages are dirty ([`clean_in_cache`]); where it cannot, a report last written longer ago
/// than the kernel keeps data dirty counts as clean.
#[cfg(target_os = "linux")]
fn open_regular(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let clean = clean_in_cache(&file).unwrap_or_else(|| {
        let age = meta.modified().ok().and_then(|at| at.elapsed().ok());
        age.is_some_and(|age| age >= dirty_for())
    });
    clean.then_some(file)
}

/// Whether `file` has pages in the page cache and none of them dirty or being written,
/// by `cachestat(2)` (Linux 6.5); `None` where the kernel or the platform lacks it.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn clean_in_cache(file: &File) -> Option<bool> {
    use std::os::fd::AsRawFd;
    /// `cachestat`'s number in both architectures' tables (asm-generic and x86_64).
    const SYS_CACHESTAT: libc::c_long = 451;
    #[repr(C)]
    struct Range {
        offset: u64,
        /// 0: to the end of the file.
        length: u64,
    }
    #[repr(C)]
    #[derive(Default)]
    struct Stat {
        cached: u64,
        dirty: u64,
        writeback: u64,
        evicted: u64,
        recently_evicted: u64,
    }
    let range = Range {
        offset: 0,
        length: 0,
    };
    let mut stat = Stat::default();
    // SAFETY: the descriptor is open; both structs have the kernel's layout and outlive
    // the call, which reads `range` and writes `stat` only.
    let status = unsafe {
        libc::syscall(
            SYS_CACHESTAT,
            file.as_raw_fd(),
            &range as *const Range,
            &mut stat as *mut Stat,
            0,
        )
    };
    (status == 0).then_some(stat.cached > 0 && stat.dirty == 0 && stat.writeback == 0)
}

#[cfg(all(
    target_os = "linux",
    not(any(target_arch = "x86_64", target_arch = "aarch64"))
))]
fn clean_in_cache(_: &File) -> Option<bool> {
    None
}

/// How long written data may stay dirty: the kernel's expiry plus one flusher interval
/// (`vm.dirty_expire_centisecs` and `vm.dirty_writeback_centisecs`, 30 s and 5 s by
/// default), doubled for a margin.
#[cfg(target_os = "linux")]
fn dirty_for() -> std::time::Duration {
    let centisecs = |name: &str, default: u64| {
        std::fs::read_to_string(format!("/proc/sys/vm/{name}"))
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .unwrap_or(default)
    };
    let total = centisecs("dirty_expire_centisecs", 3000)
        + centisecs("dirty_writeback_centisecs", 500).max(100);
    std::time::Duration::from_millis(total.saturating_mul(20))
}

#[cfg(not(target_os = "linux"))]
fn start(_: &File, _: &Path) -> Option<Writeback> {
    None
}

#[cfg(test)]
#[allow(clippy::disallowed_macros)] // a skipped check says so on the test output
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
            let old = tempfile::NamedTempFile::new().unwrap();
            let mut out = EarlyWriteback::new(file.try_clone().unwrap(), Some(old.path()));
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

    /// A file of `len` bytes, on disk (`sync`) or with its pages dirty.
    #[cfg(target_os = "linux")]
    fn report_of(len: usize, sync: bool) -> tempfile::NamedTempFile {
        let mut old = tempfile::NamedTempFile::new().unwrap();
        old.write_all(&vec![b'x'; len]).unwrap();
        if sync {
            old.as_file().sync_all().unwrap();
        }
        old
    }

    /// Whether `path` is on tmpfs, whose pages are the file and are never dropped.
    #[cfg(target_os = "linux")]
    fn in_memory_file_system(path: &Path) -> bool {
        use std::os::unix::ffi::OsStrExt;
        const TMPFS_MAGIC: libc::c_long = 0x0102_1994;
        let path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a zeroed `statfs` is a valid value; the call writes it and reads the path.
        let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
        let status = unsafe { libc::statfs(path.as_ptr(), &mut stat) };
        status == 0 && stat.f_type as libc::c_long == TMPFS_MAGIC
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_report_with_dirty_pages_keeps_them() {
        let old = report_of(4 << 20, false);
        match clean_in_cache(old.as_file()) {
            Some(true) => eprintln!("skipped: this file system keeps no dirty pages"),
            // Dirty by the kernel's count, or too fresh by its age: not opened to drop.
            Some(false) | None => assert!(open_regular(old.path()).is_none()),
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_report_on_disk_has_its_cached_pages_dropped() {
        let old = report_of(4 << 20, true);
        if clean_in_cache(old.as_file()).is_none() {
            // No `cachestat`: its age decides.
            assert!(open_regular(old.path()).is_none(), "written just now");
            let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
            old.as_file().set_modified(long_ago).unwrap();
            assert!(open_regular(old.path()).is_some());
            return;
        }
        assert_eq!(clean_in_cache(old.as_file()), Some(true));
        assert!(open_regular(old.path()).is_some());
        if in_memory_file_system(old.path()) {
            eprintln!("skipped: tmpfs pages cannot be dropped (TMPDIR is on tmpfs)");
            return;
        }
        {
            let mut out = EarlyWriteback::new(tempfile::tempfile().unwrap(), Some(old.path()));
            out.write_all(b"new report").unwrap();
        }
        // The writeback thread drops them; nothing is left cached, so nothing is clean.
        let dropped = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            clean_in_cache(old.as_file()) == Some(false)
        });
        assert!(dropped, "the replaced report's pages are still cached");
        assert_eq!(std::fs::read(old.path()).unwrap(), vec![b'x'; 4 << 20]);
    }

    #[test]
    fn the_replaced_report_keeps_its_bytes_until_it_is_replaced() {
        // Its cached pages are dropped, never its data: read back while and after the new
        // report is written, it is what it was.
        let mut old = tempfile::NamedTempFile::new().unwrap();
        let before: Vec<u8> = (0..3_000_000u32).map(|i| (i % 241) as u8).collect();
        old.write_all(&before).unwrap();
        // On disk and old: its pages are dropped whichever way cleanness is told.
        old.as_file().sync_all().unwrap();
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        old.as_file().set_modified(long_ago).unwrap();
        let file = tempfile::tempfile().unwrap();
        {
            let mut out = EarlyWriteback::new(file, Some(old.path()));
            out.write_all(&vec![7u8; STRETCH as usize + 1]).unwrap();
        }
        // The thread may still be dropping pages; reading meanwhile must see the same bytes.
        for _ in 0..3 {
            assert!(std::fs::read(old.path()).unwrap() == before);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
