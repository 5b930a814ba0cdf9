//! Fork-join for parallel sections of a few microseconds: one helper thread that waits for
//! work by spinning.
//!
//! A training step of the paper's model takes about half a millisecond and has three parallel
//! sections. A thread pool puts its idle threads to sleep and wakes them through the kernel,
//! which costs about as much as the sections themselves (measured: rayon's `join` per section
//! gave only a 1.2× speed-up on two cores, with a third more CPU time). A helper that spins
//! between sections is there within a fraction of a microsecond; it parks itself only after
//! [`SPIN_BEFORE_PARKING`] without work, so an idle training costs nothing.
//!
//! Which thread runs what never changes a result: callers split work so that every number is
//! computed in the same order as on one thread, and the helper computes in the floating-point
//! mode of the thread that started it (flush-to-zero, see `np_subnormal`), which a new thread
//! would not otherwise inherit.

use std::any::Any;
use std::cell::Cell;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long the helper spins without work before it parks.
pub const SPIN_BEFORE_PARKING: Duration = Duration::from_micros(500);

/// Runs pairs of closures either one after the other or on this thread and a spinning helper.
///
/// Not `Sync`: the helper has one job slot, so only the thread that owns a `ForkJoin` may call
/// [`ForkJoin::join`] (the closures it hands over cannot reach it either).
pub struct ForkJoin {
    helper: Option<Helper>,
    single_caller: PhantomData<Cell<()>>,
}

impl ForkJoin {
    /// Both closures of every `join` run on the calling thread.
    pub fn serial() -> Self {
        ForkJoin { helper: None, single_caller: PhantomData }
    }

    /// Starts a helper thread; falls back to [`ForkJoin::serial`] if the system refuses one.
    /// The helper flushes subnormals to zero exactly when the calling thread does.
    pub fn with_helper() -> Self {
        ForkJoin { helper: Helper::start().ok(), single_caller: PhantomData }
    }

    /// Runs `here` and `there`, on two threads if there is a helper, and returns both results.
    /// A panic in either is resumed here after both have finished.
    pub fn join<RA, RB>(&self, here: impl FnOnce() -> RA, there: impl FnOnce() -> RB + Send) -> (RA, RB)
    where
        RB: Send,
    {
        match &self.helper {
            None => (here(), there()),
            Some(helper) => helper.join(here, there),
        }
    }
}

const IDLE: u8 = 0;
const POSTED: u8 = 1;
const DONE: u8 = 2;

/// A type-erased pointer to a closure and its result slot on the posting thread's stack.
struct Job {
    data: *mut (),
    run: unsafe fn(*mut ()),
}

// SAFETY: the job's data lives on the stack of the thread that posted it, which waits for
// `DONE` before that frame ends; the closure and its result are `Send`.
unsafe impl Send for Job {}

struct Shared {
    state: AtomicU8,
    job: Mutex<Option<Job>>,
    parked: AtomicBool,
    quit: AtomicBool,
}

struct Helper {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What a posted job points at: the closure, then its result.
struct Slot<F, R> {
    work: Option<F>,
    result: Option<thread::Result<R>>,
}

/// Runs the closure of a [`Slot`] and stores its result (or its panic).
///
/// # Safety
/// `data` points at a live `Slot<F, R>` that no other thread touches until `DONE` is stored.
unsafe fn run_slot<F: FnOnce() -> R, R>(data: *mut ()) {
    // SAFETY: guaranteed by the caller.
    let slot = unsafe { &mut *(data as *mut Slot<F, R>) };
    if let Some(work) = slot.work.take() {
        slot.result = Some(catch_unwind(AssertUnwindSafe(work)));
    }
}

impl Helper {
    fn start() -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: AtomicU8::new(IDLE),
            job: Mutex::new(None),
            parked: AtomicBool::new(false),
            quit: AtomicBool::new(false),
        });
        let for_thread = Arc::clone(&shared);
        let flush = np_subnormal::flushes_subnormals();
        let thread = thread::Builder::new().name("np-gcn-helper".into()).spawn(move || {
            let _mode = flush.then(np_subnormal::FlushToZero::enable);
            serve(&for_thread)
        })?;
        Ok(Helper { shared, thread: Some(thread) })
    }

    fn join<RA, RB>(&self, here: impl FnOnce() -> RA, there: impl FnOnce() -> RB + Send) -> (RA, RB)
    where
        RB: Send,
    {
        let mut slot = Slot { work: Some(there), result: None };
        let job = Job { data: &mut slot as *mut Slot<_, RB> as *mut (), run: run_slot_for(&slot) };
        *self.shared.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
        self.shared.state.store(POSTED, Ordering::SeqCst);
        self.wake();
        let mine = catch_unwind(AssertUnwindSafe(here));
        // The helper must be done with `slot` before this frame may end, even when `here`
        // panicked.
        let mut spins = 0u32;
        while self.shared.state.load(Ordering::Acquire) != DONE {
            pause(&mut spins);
        }
        self.shared.state.store(IDLE, Ordering::Relaxed);
        let theirs = slot.result.take().expect("the helper ran the job");
        match (mine, theirs) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(panic), _) | (_, Err(panic)) => resume_unwind(panic),
        }
    }

    /// Unparks the helper if it went to sleep (after the state change it must see).
    fn wake(&self) {
        if self.shared.parked.load(Ordering::SeqCst)
            && let Some(thread) = &self.thread
        {
            thread.thread().unpark();
        }
    }
}

/// The runner of a slot's type, picked by inference from the slot.
fn run_slot_for<F: FnOnce() -> R, R>(_: &Slot<F, R>) -> unsafe fn(*mut ()) {
    run_slot::<F, R>
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.shared.quit.store(true, Ordering::SeqCst);
        self.wake();
        if let Some(thread) = self.thread.take() {
            // A panic inside a job was caught there; the loop itself does not panic.
            let _: Result<(), Box<dyn Any + Send>> = thread.join();
        }
    }
}

/// Spins before yielding this thread's time slice: the other side is normally there within a
/// microsecond, but when more threads are runnable than there are cores (several trainings under
/// `xargs -P`, a parallel test run) it may be waiting for this very core, and spinning on would
/// burn the slice it needs. Three trainings at once on 2 cores took 8.7 s after 2,048 spins,
/// 6.3 s after 64 (4.8 s with one thread each); a training alone is as fast either way.
const SPINS_BEFORE_YIELDING: u32 = 1 << 6;

/// One wait step: a pause instruction at first, then a yield to the scheduler.
fn pause(spins: &mut u32) {
    *spins = spins.saturating_add(1);
    if *spins < SPINS_BEFORE_YIELDING {
        std::hint::spin_loop();
    } else {
        thread::yield_now();
    }
}

/// The helper's loop: wait for a posted job, run it, say it is done.
fn serve(shared: &Shared) {
    loop {
        let idle_since = Instant::now();
        let mut spins = 0u32;
        while shared.state.load(Ordering::Acquire) != POSTED {
            if shared.quit.load(Ordering::Acquire) {
                return;
            }
            if !spins.is_multiple_of(256) || idle_since.elapsed() < SPIN_BEFORE_PARKING {
                pause(&mut spins);
                continue;
            }
            // Announce the nap, then look once more: a poster either sees `parked` and unparks,
            // or stored `POSTED` before this load (both SeqCst), so no wake-up is lost.
            shared.parked.store(true, Ordering::SeqCst);
            if shared.state.load(Ordering::SeqCst) != POSTED && !shared.quit.load(Ordering::SeqCst) {
                thread::park();
            }
            shared.parked.store(false, Ordering::SeqCst);
        }
        let job = shared.job.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(job) = job {
            // SAFETY: the poster waits for `DONE` before its slot goes away.
            unsafe { (job.run)(job.data) };
        }
        shared.state.store(DONE, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_closures_run_and_return() {
        for fork_join in [ForkJoin::serial(), ForkJoin::with_helper()] {
            let data: Vec<u64> = (0..1000).collect();
            let (low, high) = fork_join.join(|| data[..500].iter().sum::<u64>(), || data[500..].iter().sum::<u64>());
            assert_eq!(low + high, 499_500);
        }
    }

    #[test]
    fn the_helper_computes_in_the_callers_floating_point_mode() {
        let tiny = || np_subnormal::flushes_subnormals();
        assert_eq!(ForkJoin::with_helper().join(tiny, tiny), (false, false));
        let _flush = np_subnormal::FlushToZero::enable();
        if tiny() {
            assert_eq!(ForkJoin::with_helper().join(tiny, tiny), (true, true));
        }
    }

    #[test]
    fn many_short_sections_in_a_row() {
        let fork_join = ForkJoin::with_helper();
        let mut total = 0u64;
        for i in 0..10_000u64 {
            let (a, b) = fork_join.join(|| i, || 2 * i);
            total += a + b;
        }
        assert_eq!(total, 3 * (10_000 * 9_999 / 2));
    }

    #[test]
    fn the_helper_wakes_after_parking() {
        let fork_join = ForkJoin::with_helper();
        thread::sleep(SPIN_BEFORE_PARKING * 4);
        assert_eq!(fork_join.join(|| 1, || 2), (1, 2));
    }

    #[test]
    fn a_panic_on_the_helper_reaches_the_caller_and_the_helper_survives() {
        let fork_join = ForkJoin::with_helper();
        let outcome = catch_unwind(AssertUnwindSafe(|| fork_join.join(|| 1, || -> i32 { panic!("in the helper") })));
        assert!(outcome.is_err());
        assert_eq!(fork_join.join(|| 3, || 4), (3, 4));
    }
}
