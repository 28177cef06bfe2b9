//! Asking the processor to bring memory into cache ahead of its use.
//!
//! The report reads rows and their texts in the order of the findings, which is no order
//! of the rows: nearly every ad ID, ad name and masked code was a miss to main memory,
//! and the thread waited for each in turn. A hint issued a few findings ahead lets those
//! misses overlap with the work in between.

/// Hints that the memory holding `value` will be read soon. Never faults and changes no
/// state a program can observe; a no-op on processors without the instruction.
#[inline(always)]
pub fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never faults and never reads into the program
        // (the pointer comes from a live reference anyway).
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = value;
    }
}
