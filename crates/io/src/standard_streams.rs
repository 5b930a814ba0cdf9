//! Standard streams that were already closed when the tool started (`tool >&-`).
//!
//! Before `main`, Rust's standard library opens `/dev/null` in place of any closed standard
//! descriptor, so that a file the program opens never lands on descriptor 1 and receives its
//! stdout. A tool whose stdout was closed therefore wrote its lines into `/dev/null` and
//! exited 0, its output lost without a word. [`note_closed_at_load`] runs earlier still (from
//! the ELF `.init_array`, before the standard library's start-up code) and notes which
//! descriptors were closed; [`crate::Output`] and [`crate::RecordReader`] then refuse those
//! streams with a message (exit 1), as coreutils do. [`guard_closed`], which
//! [`run_tool`](crate::run_tool) calls before the tool's body opens anything, does the
//! standard library's filling itself where that did not happen.
//!
//! This is process state by nature (descriptors 0, 1 and 2 belong to the process, and the
//! note must be taken before any code of ours runs), hence the statics.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether descriptor 0, 1, 2 was closed at the start.
static CLOSED_AT_START: [AtomicBool; 3] = [AtomicBool::new(false), AtomicBool::new(false), AtomicBool::new(false)];

/// Called by the dynamic loader (or the C start-up code of a static program) with the other
/// initialisers, before Rust's runtime starts.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_AT_LOAD: extern "C" fn() = note_closed_at_load;

extern "C" fn note_closed_at_load() {
    for fd in 0..3 {
        if is_closed(fd) {
            CLOSED_AT_START[fd as usize].store(true, Ordering::Relaxed);
        }
    }
}

/// Notes which of the standard descriptors are closed now and opens `/dev/null` in their
/// place. Lower descriptors first, so that each `open` gets the one being filled.
pub(crate) fn guard_closed() {
    for fd in 0..3 {
        if is_closed(fd) {
            CLOSED_AT_START[fd as usize].store(true, Ordering::Relaxed);
            occupy_with_dev_null(fd);
        }
    }
}

/// Whether stdout was closed when the tool started.
pub(crate) fn stdout_closed() -> bool {
    CLOSED_AT_START[1].load(Ordering::Relaxed)
}

/// Whether stdin was closed when the tool started.
pub(crate) fn stdin_closed() -> bool {
    CLOSED_AT_START[0].load(Ordering::Relaxed)
}

fn is_closed(fd: libc::c_int) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; it fails with EBADF when the
    // descriptor is not open.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
}

fn occupy_with_dev_null(fd: libc::c_int) {
    let flags = if fd == 0 { libc::O_RDONLY } else { libc::O_WRONLY };
    // SAFETY: a constant NUL-terminated path; `dup2` and `close` act on descriptors this
    // function opened. Failing leaves the descriptor closed, as it was.
    unsafe {
        let opened = libc::open(c"/dev/null".as_ptr(), flags);
        if opened >= 0 && opened != fd {
            libc::dup2(opened, fd);
            libc::close(opened);
        }
    }
}
