//! Rendering a long list of report items on every core, written in order.
//!
//! A report at 1M ads has 90k findings and 333k audited posts; formatting and escaping
//! their text on one thread was most of every format's write time. Each round of items is
//! cut into one part per thread, each part rendered into a buffer of its own, and the
//! buffers written in order while the next round is rendered: the bytes do not depend on
//! the thread count.

use sparkcheck_facts::threads::{spawn, Spawned};
use std::io::{self, Write};

/// Items per round: bounds the bytes held in buffers (a finding renders to 1-2 KB).
const ROUND: usize = 8192;

/// Below this many items one thread renders them all (threads cost more than they save).
const SMALL: usize = 256;

/// The number of threads a report is rendered on: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Writes every item of `items` to `out`, in order, each rendered by `render` into a
/// buffer, on up to `threads` threads.
pub fn write_items<T: Sync>(
    items: &[T],
    out: &mut dyn Write,
    threads: usize,
    render: impl Fn(&T, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    // Each round is rendered while the one before is written: copying a round into the
    // page cache keeps this thread in the kernel, and the render threads fill that time.
    let render = &render;
    if threads <= 1 || items.len() <= ROUND {
        return items
            .chunks(ROUND)
            .try_for_each(|round| write_buffers(out, render_round(round, threads, render)));
    }
    std::thread::scope(|scope| {
        let mut rendering = None;
        for round in items.chunks(ROUND) {
            let next = spawn(scope, move || render_round(round, threads, render));
            if let Some(previous) = rendering.replace(next) {
                write_buffers(out, previous.join())?;
            }
        }
        match rendering {
            Some(last) => write_buffers(out, last.join()),
            None => Ok(()),
        }
    })
}

fn write_buffers(out: &mut dyn Write, buffers: Vec<Vec<u8>>) -> io::Result<()> {
    for buffer in buffers {
        out.write_all(&buffer)?;
    }
    Ok(())
}

/// The items of one round in consecutive parts, each part on its own thread.
fn render_round<T: Sync>(
    items: &[T],
    threads: usize,
    render: &(impl Fn(&T, &mut Vec<u8>) + Sync),
) -> Vec<Vec<u8>> {
    let part = |items: &[T]| {
        // Room for the largest items (a finding with long evidence): growing a buffer of
        // megabytes copies it, and untouched capacity costs address space only.
        let mut buffer = Vec::with_capacity(items.len() * 2048);
        for item in items {
            render(item, &mut buffer);
        }
        buffer
    };
    in_parts(items, threads, SMALL, part)
}

/// `part` of each of up to `threads` consecutive parts of `items`, in order, each on its
/// own thread; of all of them on this thread when there are fewer than `small` items.
pub fn in_parts<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    small: usize,
    part: impl Fn(&[T]) -> U + Sync,
) -> Vec<U> {
    if threads <= 1 || items.len() < small {
        return vec![part(items)];
    }
    let size = items.len().div_ceil(threads);
    let part = &part;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| spawn(scope, move || part(chunk)))
            .collect();
        handles.into_iter().map(Spawned::join).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_do_not_depend_on_the_thread_count() {
        for n in [0, 1, 255, 256, 257, 8191, 8192, 8193, 20_000] {
            let items: Vec<usize> = (0..n).collect();
            let render = |i: &usize, buffer: &mut Vec<u8>| {
                // Items of different lengths, so parts differ in size.
                let _ = writeln!(buffer, "{i}:{}", "x".repeat(i % 7));
            };
            let mut expected = Vec::new();
            write_items(&items, &mut expected, 1, render).unwrap();
            assert_eq!(expected.iter().filter(|&&b| b == b'\n').count(), n);
            for threads in [2, 3, 8] {
                let mut got = Vec::new();
                write_items(&items, &mut got, threads, render).unwrap();
                assert!(got == expected, "{n} items on {threads} threads differ");
            }
        }
    }
}
