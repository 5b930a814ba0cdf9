//! Temporary output files, removed on every way out short of `SIGKILL`.
//!
//! [`crate::Output`] writes a file target to a temporary sibling and renames it into place
//! when complete. A [`TemporaryFile`] that is dropped before it is moved into place (an
//! error, a panic) removes itself. A `SIGINT`, `SIGTERM` or `SIGHUP` ends the process without
//! running destructors, though, and left a full-size temporary behind (35 MB from an
//! interrupted `arch-sample --all -o`). So every live temporary's path is also registered
//! here, and handlers for those signals remove the registered paths, restore the signal's
//! default action and raise it again, so that the exit status still says "killed by signal".
//!
//! A signal handler may only call async-signal-safe functions: no allocation, no locks. The
//! registry is therefore a fixed array of atomic pointers to NUL-terminated paths, read with
//! one load each. A path is never freed (the handler could be reading it while the file is
//! moved into place on another thread); a tool creates a handful of output files, so the
//! leak is a few hundred bytes.

use std::ffi::{CString, c_char, c_int};
use std::fs::{self, File};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, Ordering};

/// How many temporaries can be registered at once; more are still removed on errors, only
/// not on signals.
const SLOT_COUNT: usize = 64;

/// The registered paths; null marks a free slot.
static SLOTS: [AtomicPtr<c_char>; SLOT_COUNT] = [const { AtomicPtr::new(ptr::null_mut()) }; SLOT_COUNT];

/// The signals that end a tool from outside in the ordinary way (Ctrl-C, `kill`, a closed
/// terminal).
const CLEANUP_SIGNALS: [c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

static INSTALL_HANDLERS: Once = Once::new();

/// A file being written at a temporary path: removed when dropped unless moved into place.
#[derive(Debug)]
pub(crate) struct TemporaryFile {
    path: PathBuf,
    slot: Option<usize>,
    moved: bool,
}

impl TemporaryFile {
    /// Creates (or truncates) the file at `path`, registered for removal on a signal before
    /// it exists, so that no moment leaves it unregistered.
    pub(crate) fn create(path: PathBuf) -> io::Result<(TemporaryFile, File)> {
        let temporary = TemporaryFile { slot: register(&path), path, moved: false };
        let file = File::create(&temporary.path)?;
        Ok((temporary, file))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file to `target`; on failure it is removed (when `self` drops).
    pub(crate) fn move_to(mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)?;
        self.moved = true;
        Ok(())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.moved {
            let _ = fs::remove_file(&self.path);
        }
        // Unregistered only now: a signal in between finds no file, which is harmless.
        if let Some(slot) = self.slot {
            SLOTS[slot].store(ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

/// Registers `path` in a free slot (installing the handlers the first time); `None` when
/// every slot is taken or the path holds a NUL byte (no file can have it anyway).
fn register(path: &Path) -> Option<usize> {
    INSTALL_HANDLERS.call_once(install_handlers);
    let path = CString::new(path.as_os_str().as_bytes()).ok()?.into_raw();
    for (index, slot) in SLOTS.iter().enumerate() {
        if slot.compare_exchange(ptr::null_mut(), path, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            return Some(index);
        }
    }
    // SAFETY: `path` came from `into_raw` above and was never shared.
    drop(unsafe { CString::from_raw(path) });
    None
}

/// Installs [`remove_temporaries_and_reraise`] for each signal that still has its default
/// action: a signal the caller chose to ignore (`nohup` ignores SIGHUP) stays ignored.
fn install_handlers() {
    for signal in CLEANUP_SIGNALS {
        // SAFETY: `sigaction` reads and writes the zeroed structs given; the handler only
        // makes async-signal-safe calls.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, ptr::null(), &mut current) != 0 || current.sa_sigaction != libc::SIG_DFL {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = remove_temporaries_and_reraise as extern "C" fn(c_int) as libc::sighandler_t;
            // Back to the default action on entry, so that raising the signal again ends the
            // process; the other cleanup signals wait until then.
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            for other in CLEANUP_SIGNALS {
                libc::sigaddset(&mut action.sa_mask, other);
            }
            libc::sigaction(signal, &action, ptr::null_mut());
        }
    }
}

extern "C" fn remove_temporaries_and_reraise(signal: c_int) {
    for slot in &SLOTS {
        let path = slot.load(Ordering::SeqCst);
        if !path.is_null() {
            // SAFETY: registered paths are NUL-terminated and never freed; `unlink` is
            // async-signal-safe.
            unsafe { libc::unlink(path) };
        }
    }
    // SAFETY: `raise` is async-signal-safe. The signal is blocked until this handler returns,
    // and its action is the default again (SA_RESETHAND), so the process then ends by it.
    unsafe { libc::raise(signal) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temporary_is_removed_and_a_moved_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (temporary, _file) = TemporaryFile::create(dir.path().join(".a.tmp")).unwrap();
        let slot = temporary.slot.expect("a free slot");
        assert!(!SLOTS[slot].load(Ordering::SeqCst).is_null());
        drop(temporary);
        assert!(SLOTS[slot].load(Ordering::SeqCst).is_null(), "unregistered");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        let (temporary, _file) = TemporaryFile::create(dir.path().join(".b.tmp")).unwrap();
        temporary.move_to(&dir.path().join("b")).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["b"]);

        let (temporary, _file) = TemporaryFile::create(dir.path().join(".c.tmp")).unwrap();
        fs::create_dir(dir.path().join("c")).unwrap();
        fs::write(dir.path().join("c/inside"), "x").unwrap();
        assert!(temporary.move_to(&dir.path().join("c")).is_err());
        assert!(!dir.path().join(".c.tmp").exists(), "a failed move removes the temporary");
    }
}
