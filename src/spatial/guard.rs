//! Isolates panics inside third-party geometry code (geo's validation and repair assert on some
//! degenerate inputs, e.g. subnormal or negative-zero coordinates found by fuzzing): the call
//! is caught, the caller treats the feature as unusable, and the CLI's panic hook stays quiet.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// True while the current thread is inside [`catch`]: a panic there is expected and handled.
pub fn is_guarded() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Runs `f`; `None` if it panicked.
pub fn catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f)).ok();
    GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
    result
}
