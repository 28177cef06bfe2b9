//! Scoped threads that never fail a run: where the system will not start another thread
//! (a process limit such as `ulimit -u`, or no memory for its stack), the work runs on the
//! calling thread instead. Every parallel step of a run divides work that one thread can
//! do alone, so the result is the same, only later.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{Builder, Scope, ScopedJoinHandle};

/// Work handed to [`spawn`]: running on its own thread, or already done here.
pub enum Spawned<'scope, T> {
    Thread(ScopedJoinHandle<'scope, T>),
    Here(T),
}

impl<T> Spawned<'_, T> {
    /// The work's result; a panic on its thread carries on here.
    pub fn join(self) -> T {
        match self {
            Spawned::Thread(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Spawned::Here(value) => value,
        }
    }
}

/// Runs `work` on a new thread of `scope`, or here, at once, when no thread can be started.
pub fn spawn<'scope, 'env, T, F>(scope: &'scope Scope<'scope, 'env>, work: F) -> Spawned<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    // A thread that fails to start drops its closure unrun: the work is kept outside it.
    let slot = Arc::new(Mutex::new(Some(work)));
    let on_thread = Arc::clone(&slot);
    let take = |slot: &Mutex<Option<F>>| {
        slot.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("the work is taken once")
    };
    let started = if refused() {
        Err(std::io::Error::other("thread refused by a test"))
    } else {
        Builder::new().spawn_scoped(scope, move || take(&on_thread)())
    };
    match started {
        Ok(handle) => Spawned::Thread(handle),
        Err(_) => Spawned::Here(take(&slot)()),
    }
}

/// Runs `work` on a new thread of `scope`, or returns `None` without running it when no
/// thread can be started: for work that needs a thread of its own to make progress (one
/// that waits for this thread), where running it here at once would never end.
pub fn try_spawn<'scope, 'env, T, F>(
    scope: &'scope Scope<'scope, 'env>,
    work: F,
) -> Option<ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    if refused() {
        return None;
    }
    Builder::new().spawn_scoped(scope, work).ok()
}

#[cfg(test)]
thread_local! {
    /// Set by tests: every thread this thread asks for is refused.
    static REFUSE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn refused() -> bool {
    REFUSE.with(std::cell::Cell::get)
}

#[cfg(not(test))]
fn refused() -> bool {
    false
}

/// Runs `f` with every thread it asks for refused, as under a process limit.
#[cfg(test)]
pub fn without_threads<T>(f: impl FnOnce() -> T) -> T {
    REFUSE.with(|refuse| refuse.set(true));
    let result = f();
    REFUSE.with(|refuse| refuse.set(false));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_refused_a_thread_runs_here_with_the_same_result() {
        let here = std::thread::current().id();
        let (on, on_refused) = std::thread::scope(|scope| {
            let on = spawn(scope, || std::thread::current().id()).join();
            let refused = without_threads(|| spawn(scope, || std::thread::current().id()));
            (on, refused.join())
        });
        assert_ne!(on, here);
        assert_eq!(on_refused, here);
        let values: Vec<(u32, u32)> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) % 977, i))
            .collect();
        let mut expected = values.clone();
        expected.sort_unstable();
        let sorted = without_threads(|| crate::sort_on_threads(values.clone(), 2));
        assert_eq!(sorted, expected);
        let collected = without_threads(|| {
            crate::collect_sorted(values.len(), 2, |range| values[range].to_vec())
        });
        assert_eq!(collected, expected);
        std::thread::scope(|scope| {
            assert!(without_threads(|| try_spawn(scope, || unreachable!())).is_none());
            assert_eq!(try_spawn(scope, || 7).map(|h| h.join().unwrap()), Some(7));
        });
    }

    #[test]
    #[should_panic(expected = "on its thread")]
    fn a_panic_on_the_thread_carries_on() {
        std::thread::scope(|scope| spawn(scope, || panic!("on its thread")).join());
    }
}
