//! Larger pipe buffers between the stages of a pipeline.
//!
//! A Linux pipe holds 64 kB by default, while every tool reads and writes in chunks of about
//! a megabyte (thousands of lines). With the default, each chunk crosses the pipe in sixteen
//! pieces, the writer and the reader taking turns and sleeping in between; on a machine with
//! fewer cores than stages, the cores then idle while both wait. A tool asks for a 1 MB pipe
//! (the unprivileged maximum on Linux by default) on the standard input and output it uses;
//! where that is refused, or the stream is not a pipe, nothing changes. Linux charges pipe
//! buffers to the user (64 MB by default before new pipes are kept small), so even a few dozen
//! sharded stages at once stay within it.

/// Bytes asked for: one chunk of lines.
const PIPE_BYTES: i32 = 1 << 20;

/// Enlarges the pipe behind file descriptor `fd`, if it is one (ignored otherwise).
#[cfg(target_os = "linux")]
pub(crate) fn enlarge(fd: i32) {
    // SAFETY: `fstat` writes into the zeroed struct it is given; `fcntl(F_SETPIPE_SZ)` only
    // changes the pipe's capacity and fails harmlessly on anything else.
    unsafe {
        let mut status: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut status) == 0 && status.st_mode & libc::S_IFMT == libc::S_IFIFO {
            libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_BYTES);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn enlarge(_fd: i32) {}
