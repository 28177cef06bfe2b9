//! Sorting large tables on two threads.

use crate::threads::spawn;

/// Below this many values one thread sorts them all.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// `values` sorted; with two threads or more and enough values, each half on its own
/// thread, then merged on two threads. Values that compare equal are identical (`Copy`
/// keys with their row index, say), so the order is the same whatever the thread count.
pub fn sort_on_threads<T: Ord + Copy + Send + Sync>(mut values: Vec<T>, threads: usize) -> Vec<T> {
    if threads < 2 || values.len() < PARALLEL_SORT_MIN {
        values.sort_unstable();
        return values;
    }
    let half = values.len() / 2;
    let (left, right) = values.split_at_mut(half);
    std::thread::scope(|scope| {
        spawn(scope, || left.sort_unstable());
        right.sort_unstable();
    });
    let (left, right) = values.split_at(half);
    merge_on_threads(left, right)
}

/// The values `make` gives for each half of `0..len`, sorted: with two threads or more and
/// enough values, each half is made and sorted on its own thread, so a table's sort keys
/// are gathered in parallel too. The same values and order as making them all at once.
pub fn collect_sorted<T: Ord + Copy + Send + Sync>(
    len: usize,
    threads: usize,
    make: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    let sorted = |range| {
        let mut values = make(range);
        values.sort_unstable();
        values
    };
    if threads < 2 || len < PARALLEL_SORT_MIN {
        return sorted(0..len);
    }
    let half = len / 2;
    let (left, right) = std::thread::scope(|scope| {
        let left = spawn(scope, || sorted(0..half));
        let right = sorted(half..len);
        (left.join(), right)
    });
    merge_on_threads(&left, &right)
}

/// Two sorted runs merged, the first half of the result on another thread: each thread
/// finds where its half starts in both runs (a binary search) and merges from there. The
/// merge of a million rows on one thread was a serial stretch between two parallel ones.
fn merge_on_threads<T: Ord + Copy + Send + Sync>(left: &[T], right: &[T]) -> Vec<T> {
    let len = left.len() + right.len();
    let mut merged = Vec::with_capacity(len);
    let first_len = len / 2;
    let from_left = taken_from_left(first_len, left, right);
    let from_right = first_len - from_left;
    let (first, second) = merged.spare_capacity_mut()[..len].split_at_mut(first_len);
    std::thread::scope(|scope| {
        spawn(scope, || {
            merge_into(&left[..from_left], &right[..from_right], first)
        });
        merge_into(&left[from_left..], &right[from_right..], second);
    });
    // SAFETY: `merge_into` wrote every slot of both parts (it fills its whole `out`, and
    // returns only then), and the parts are the first `len` slots of the capacity.
    unsafe { merged.set_len(len) };
    merged
}

/// How many of the first `count` values of the merge of `left` and `right` come from
/// `left`, ties taken from `left` first (as [`merge_into`] takes them).
fn taken_from_left<T: Ord>(count: usize, left: &[T], right: &[T]) -> usize {
    let (mut low, mut high) = (count.saturating_sub(right.len()), count.min(left.len()));
    while low < high {
        let i = low + (high - low) / 2;
        let j = count - i;
        // `left[i]` would be merged before `right[j - 1]`: more must come from `left`.
        if j > 0 && left[i] <= right[j - 1] {
            low = i + 1;
        } else {
            high = i;
        }
    }
    low
}

/// `left` and `right` merged into `out`, every slot of which it writes.
fn merge_into<T: Ord + Copy>(left: &[T], right: &[T], out: &mut [std::mem::MaybeUninit<T>]) {
    assert_eq!(left.len() + right.len(), out.len());
    let (mut i, mut j) = (0, 0);
    for slot in out {
        // Slots left means values left, so the side taken has one.
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            slot.write(left[i]);
            i += 1;
        } else {
            slot.write(right[j]);
            j += 1;
        }
    }
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
            assert_eq!(sort_on_threads(values.clone(), 1), expected, "{len}");
            let made = |range: std::ops::Range<usize>| values[range].to_vec();
            assert_eq!(collect_sorted(len, 2, made), expected, "{len}");
            assert_eq!(collect_sorted(len, 1, made), expected, "{len}");
        }
    }

    #[test]
    fn runs_of_any_lengths_merge_in_order() {
        // Uneven runs, runs that do not overlap, and equal values on both sides: the merge
        // takes each half's start from both runs, so every split point must be right.
        let cases: [(Vec<u32>, Vec<u32>); 6] = [
            (vec![], vec![1, 2, 3]),
            (vec![1, 2, 3], vec![]),
            (vec![1, 2, 3], vec![4, 5, 6, 7]),
            (vec![4, 5, 6, 7], vec![1, 2, 3]),
            (vec![1, 1, 2, 2, 9], vec![1, 2, 2, 2]),
            (
                (0..1000).map(|i| i * 3).collect(),
                (0..10).map(|i| i * 301).collect(),
            ),
        ];
        for (left, right) in cases {
            let mut expected = [left.clone(), right.clone()].concat();
            expected.sort_unstable();
            assert_eq!(merge_on_threads(&left, &right), expected);
            for count in 0..=expected.len() {
                let i = taken_from_left(count, &left, &right);
                let mut prefix = [&left[..i], &right[..count - i]].concat();
                prefix.sort_unstable();
                assert_eq!(
                    prefix,
                    expected[..count],
                    "{count} of {left:?} and {right:?}"
                );
            }
        }
    }
}
