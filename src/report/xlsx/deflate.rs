//! Deflating a workbook's parts in pieces on several threads, the way pigz does: each piece
//! is compressed on its own and ends with a sync flush (an empty stored block, so the
//! stream is byte-aligned and no block is marked final), except the last piece of a part,
//! which finishes the stream. Concatenated in order, a part's pieces are one valid deflate
//! stream, and their CRC-32s combine into the part's.
//!
//! Which thread compresses a piece changes nothing: a piece is compressed from a fresh
//! state in one call with room for its whole output, so its bytes depend only on its XML,
//! and the pieces are cut by the caller from the report alone.

use sparkcheck_facts::threads::{spawn, Spawned};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Deflate level 1 (zlib-rs' quick strategy): about 800 MB/s of sheet XML on one core,
/// against 600 MB/s at level 2 for a file a fifth smaller. Writing time is the target.
const LEVEL: u32 = 1;

/// One piece of a part, deflated.
pub struct Deflated {
    /// The CRC-32 state of the piece's XML (to combine into its part's).
    pub crc: crc32fast::Hasher,
    /// The length of the piece's XML.
    pub len: u64,
    /// Its deflate blocks.
    pub bytes: Vec<u8>,
}

/// Renders each of `pieces` with `render` and deflates it, on up to `threads` threads;
/// `last(piece)` says whether a piece ends its part's stream. The result is in the order
/// of `pieces`, and the same whatever `threads`.
pub fn deflate_pieces<P: Sync>(
    pieces: &[P],
    threads: usize,
    last: impl Fn(&P) -> bool + Sync,
    render: impl Fn(&P, &mut Vec<u8>) + Sync,
) -> io::Result<Vec<Deflated>> {
    let next = AtomicUsize::new(0);
    let done: Vec<Mutex<Option<Deflated>>> = pieces.iter().map(|_| Mutex::new(None)).collect();
    let work = || -> io::Result<()> {
        let mut compressor = Compressor::new();
        let mut xml = Vec::new();
        loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(piece) = pieces.get(at) else {
                return Ok(());
            };
            xml.clear();
            render(piece, &mut xml);
            let deflated = compressor.deflate(&xml, last(piece))?;
            *done[at].lock().unwrap_or_else(|e| e.into_inner()) = Some(deflated);
        }
    };
    let threads = threads.clamp(1, pieces.len().max(1));
    if threads == 1 {
        work()?;
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads).map(|_| spawn(scope, work)).collect();
            workers.into_iter().try_for_each(Spawned::join)
        })?;
    }
    done.into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .ok_or_else(|| io::Error::other("a piece of the workbook was not deflated"))
        })
        .collect()
}

/// A raw deflate compressor and the scratch space its output goes to, reused piece after
/// piece by one thread.
struct Compressor {
    deflate: Compress,
    out: Vec<u8>,
}

impl Compressor {
    fn new() -> Compressor {
        Compressor {
            deflate: Compress::new(Compression::new(LEVEL), false),
            out: Vec::new(),
        }
    }

    /// `xml` deflated from a fresh state: ending with a sync flush, or finishing the
    /// stream when `last`.
    fn deflate(&mut self, xml: &[u8], last: bool) -> io::Result<Deflated> {
        self.deflate.reset();
        self.out.clear();
        // Room for the whole output, so one call compresses the piece and its bytes never
        // depend on how much room a previous piece left (deflate's bound is about
        // len + len/1000 + a few bytes; stored blocks cost 5 bytes per 64 KiB).
        self.out.reserve(xml.len() + xml.len() / 8 + 1024);
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        let status = self
            .deflate
            .compress_vec(xml, &mut self.out, flush)
            .map_err(io::Error::other)?;
        let complete = self.deflate.total_in() == xml.len() as u64
            && if last {
                status == Status::StreamEnd
            } else {
                self.out.len() < self.out.capacity()
            };
        if !complete {
            return Err(io::Error::other(
                "deflate needed more room than its bound for a piece of the workbook",
            ));
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(xml);
        Ok(Deflated {
            crc,
            len: xml.len() as u64,
            bytes: self.out.as_slice().to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Pieces of text, the last of each part marked, inflated back part by part.
    #[test]
    fn pieces_concatenate_into_one_stream_per_part_on_any_thread_count() {
        let text: Vec<u8> = (0..400_000u32)
            .flat_map(|i| format!("<c>{}</c>", i * 7919 % 100_003).into_bytes())
            .collect();
        // (part, range, last)
        let pieces: Vec<(usize, std::ops::Range<usize>, bool)> = vec![
            (0, 0..0, false),
            (0, 0..1_000_000, false),
            (0, 1_000_000..1_000_001, false),
            (0, 1_000_001..text.len(), true),
            (1, 0..17, true),
            (2, 0..0, true),
        ];
        let run = |threads| {
            deflate_pieces(
                &pieces,
                threads,
                |p| p.2,
                |p, xml| xml.extend_from_slice(&text[p.1.clone()]),
            )
            .unwrap()
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            let many = run(threads);
            for (a, b) in one.iter().zip(&many) {
                assert!(a.bytes == b.bytes, "{threads} threads");
            }
        }
        for part in 0..3 {
            let mut stream = Vec::new();
            let mut crc = crc32fast::Hasher::new();
            let mut expected = Vec::new();
            for (piece, deflated) in pieces.iter().zip(&one).filter(|(p, _)| p.0 == part) {
                stream.extend_from_slice(&deflated.bytes);
                crc.combine(&deflated.crc);
                expected.extend_from_slice(&text[piece.1.clone()]);
            }
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(&stream[..])
                .read_to_end(&mut inflated)
                .unwrap();
            assert!(inflated == expected, "part {part}");
            assert_eq!(crc.finalize(), crc32fast::hash(&expected));
        }
    }
}
