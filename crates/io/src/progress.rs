//! A progress bar on stderr for long runs (experiments, searches), shared by all tools.
//!
//! On a terminal it redraws one line in place at most ten times a second; when stderr is a
//! file or pipe (make logs, CI) it prints a plain line at every tenth of the work instead, so
//! logs stay readable. It never writes to stdout, and it is safe to advance from many threads.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Progress {
    tool: &'static str,
    what: String,
    total: u64,
    done: AtomicU64,
    started: Instant,
    terminal: bool,
    enabled: bool,
    /// Time of the last redraw (terminal) or the last tenth printed (log).
    last: Mutex<(Instant, u64)>,
}

impl Progress {
    /// A bar for `total` units of `what` (e.g. "trials"); `enabled = false` makes it silent.
    pub fn new(tool: &'static str, what: impl Into<String>, total: u64, enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            tool,
            what: what.into(),
            total: total.max(1),
            done: AtomicU64::new(0),
            started: now,
            terminal: std::io::stderr().is_terminal(),
            enabled,
            last: Mutex::new((now, 0)),
        }
    }

    /// Records `units` more done.
    pub fn advance(&self, units: u64) {
        let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if self.terminal {
            if now.duration_since(last.0) >= Duration::from_millis(100) || done >= self.total {
                last.0 = now;
                self.draw(done, "\r");
            }
        } else {
            let tenth = done * 10 / self.total;
            if tenth > last.1 {
                last.1 = tenth;
                self.draw(done, "");
            }
        }
    }

    fn draw(&self, done: u64, prefix: &str) {
        const WIDTH: u64 = 30;
        let filled = (done.min(self.total) * WIDTH / self.total) as usize;
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = if done > 0 { elapsed * (self.total - done.min(self.total)) as f64 / done as f64 } else { 0.0 };
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(WIDTH as usize - filled));
        let end = if self.terminal { "" } else { "\n" };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "{prefix}{}: [{bar}] {done}/{} {} {elapsed:.0}s elapsed, ~{eta:.0}s left{end}",
            self.tool, self.total, self.what
        );
        let _ = stderr.flush();
    }

    /// Ends the bar's line on a terminal.
    pub fn finish(&self) {
        if self.enabled && self.terminal {
            eprintln!();
        }
    }
}
