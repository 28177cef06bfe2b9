//! Sorting large tables on two threads.

/// Below this many values one thread sorts them all.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// `values` sorted; with two threads or more and enough values, each half on its own
/// thread, then merged. Values that compare equal are identical (`Copy` keys with their
/// row index, say), so the order is the same whatever the thread count.
pub fn sort_on_threads<T: Ord + Copy + Send>(mut values: Vec<T>, threads: usize) -> Vec<T> {
    if threads < 2 || values.len() < PARALLEL_SORT_MIN {
        values.sort_unstable();
        return values;
    }
    let half = values.len() / 2;
    let (left, right) = values.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| left.sort_unstable());
        right.sort_unstable();
    });
    let (left, right) = values.split_at(half);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if left[i] <= right[j] {
            merged.push(left[i]);
            i += 1;
        } else {
            merged.push(right[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_give_the_one_thread_order() {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        for len in [
            0,
            1,
            PARALLEL_SORT_MIN - 1,
            PARALLEL_SORT_MIN,
            3 * PARALLEL_SORT_MIN + 17,
        ] {
            // Few distinct keys, so runs of equal keys cross the halves' boundary.
            let values: Vec<(u32, u32)> = (0..len as u32).map(|i| (next() % 97, i)).collect();
            let mut expected = values.clone();
            expected.sort_unstable();
            assert_eq!(sort_on_threads(values.clone(), 2), expected, "{len}");
            assert_eq!(sort_on_threads(values.clone(), 3), expected, "{len}");
            assert_eq!(sort_on_threads(values, 1), expected, "{len}");
        }
    }
}
