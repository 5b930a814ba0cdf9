//! Where a tool's records go: stdout, or a file that appears only when complete.
//!
//! A file target is written to a temporary sibling and renamed into place by
//! [`Output::finish`]. A tool that fails half-way (a bad line, a full disk, a target that
//! cannot be replaced) or is interrupted (SIGINT, SIGTERM, SIGHUP; see the module
//! `temporary_files`) leaves nothing: no partial file at the target path, so `make`
//! never mistakes a broken output for a finished stage, and no temporary beside it. Every
//! write error names the file, since "No space left on device" alone does not say which.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use crate::ToolError;
use crate::temporary_files::TemporaryFile;

/// Bytes gathered before each write: one chunk of lines.
const BUFFER_BYTES: usize = 1 << 20;

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File(FileSink),
}

/// A file target being written at its temporary path.
struct FileSink {
    writer: BufWriter<File>,
    temporary: TemporaryFile,
    target: PathBuf,
}

/// The destination of a tool's output lines.
pub struct Output {
    sink: Sink,
}

impl Output {
    /// Stdout when `path` is `None` or `-`, else an atomically written file. A target that is
    /// a directory is refused before anything is written, and so is a stdout that was closed
    /// when the tool started (its lines would be lost without a word).
    pub fn create(path: Option<&Path>) -> Result<Self, ToolError> {
        let sink = match path {
            Some(target) if target.as_os_str() != "-" => Sink::File(FileSink::create(target)?),
            _ => {
                if crate::standard_streams::stdout_closed() {
                    return Err(anyhow!("cannot write to standard output: it is closed").into());
                }
                crate::pipes::enlarge(1);
                Sink::Stdout(BufWriter::with_capacity(BUFFER_BYTES, io::stdout()))
            }
        };
        Ok(Output { sink })
    }

    /// Writes `text` followed by a newline.
    pub fn write_line(&mut self, text: &str) -> Result<(), ToolError> {
        self.write_bytes(text.as_bytes())?;
        self.write_bytes(b"\n")
    }

    /// Writes already newline-terminated bytes.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ToolError> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write_all(bytes).map_err(stdout_error),
            Sink::File(file) => file.writer.write_all(bytes).map_err(|e| file_error(&file.target, e)),
        }
    }

    /// Flushes everything and, for a file, moves it into place; on failure the temporary is
    /// removed.
    pub fn finish(self) -> Result<(), ToolError> {
        match self.sink {
            Sink::Stdout(mut writer) => writer.flush().map_err(stdout_error),
            Sink::File(file) => file.finish(),
        }
    }
}

impl FileSink {
    fn create(target: &Path) -> Result<Self, ToolError> {
        if target.is_dir() {
            return Err(anyhow!("cannot write {}: it is a directory", target.display()).into());
        }
        let (temporary, file) = TemporaryFile::create(temporary_sibling(target))
            .with_context(|| format!("cannot create a temporary file beside {}", target.display()))?;
        Ok(FileSink::over(file, temporary, target.to_path_buf()))
    }

    /// The sink writing `file`, which is open at `temporary`'s path (tests give another file,
    /// such as `/dev/full`).
    fn over(file: File, temporary: TemporaryFile, target: PathBuf) -> Self {
        FileSink { writer: BufWriter::with_capacity(BUFFER_BYTES, file), temporary, target }
    }

    fn finish(self) -> Result<(), ToolError> {
        let FileSink { writer, temporary, target } = self;
        let file = writer.into_inner().map_err(|e| file_error(&target, e.into_error()))?;
        file.sync_all().map_err(|e| file_error(&target, e))?;
        drop(file);
        let temporary_path = temporary.path().to_path_buf();
        temporary
            .move_to(&target)
            .with_context(|| format!("cannot move {} to {}", temporary_path.display(), target.display()))?;
        Ok(())
    }
}

/// A failed write, flush or sync of the file for `target`, naming it.
fn file_error(target: &Path, error: io::Error) -> ToolError {
    anyhow::Error::from(error).context(format!("cannot write {}", target.display())).into()
}

/// A failed write to stdout: quiet when the reader went away, else named.
fn stdout_error(error: io::Error) -> ToolError {
    anyhow::Error::from(error).context("cannot write to standard output").into()
}

/// Writes a whole file at once, atomically (as [`Output`]): a model, a figure, anything built
/// in memory first. The file appears only complete, or not at all.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    let mut output = Output::create(Some(path))?;
    output.write_bytes(bytes)?;
    output.finish()
}

/// `dir/.name.tmp.<pid>`: same directory (so the rename is atomic), hidden, unique per process.
fn temporary_sibling(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hidden = format!(".{name}.tmp.{}", std::process::id());
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(hidden),
        _ => PathBuf::from(hidden),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn file_appears_only_after_finish() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let mut output = Output::create(Some(&target)).unwrap();
        output.write_line("{}").unwrap();
        assert!(!target.exists());
        output.finish().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "{}\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_file_replaces_the_target_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("model.onnx");
        fs::write(&target, "old").unwrap();
        write_file(&target, b"\x00new bytes").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"\x00new bytes");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing_folder = dir.path().join("no/such/folder/model.onnx");
        assert!(write_file(&missing_folder, b"x").is_err());
    }

    #[test]
    fn dropped_output_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        fs::write(&target, "old\n").unwrap();
        let mut output = Output::create(Some(&target)).unwrap();
        output.write_line("partial").unwrap();
        drop(output);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_target_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        let error = Output::create(Some(&target)).err().expect("refused");
        assert_eq!(error.exit_code(), crate::error::EXIT_RUNTIME);
        assert_eq!(error.to_string(), format!("cannot write {}: it is a directory", target.display()));
        assert!(write_file(&target, b"x").is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the directory");
    }

    /// An output over `/dev/full` (every write fails with ENOSPC), its temporary an empty file
    /// in `dir`.
    fn output_onto_a_full_disk(dir: &Path) -> (Output, PathBuf) {
        let target = dir.join("out.jsonl");
        let (temporary, _) = TemporaryFile::create(temporary_sibling(&target)).unwrap();
        let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        (Output { sink: Sink::File(FileSink::over(full, temporary, target.clone())) }, target)
    }

    #[test]
    fn a_full_disk_names_the_file_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // Lines beyond the buffer: the error comes from a write.
        let (mut output, target) = output_onto_a_full_disk(dir.path());
        let line = "x".repeat(1000);
        let error = (0..2 * BUFFER_BYTES / 1000).find_map(|_| output.write_line(&line).err()).expect("ENOSPC");
        let expected = format!("cannot write {}: No space left on device", target.display());
        assert!(error.to_string().starts_with(&expected), "{error}");
        assert_eq!(error.exit_code(), crate::error::EXIT_RUNTIME);
        drop(output);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        // A short output: the error comes from the flush in finish.
        let (mut output, _) = output_onto_a_full_disk(dir.path());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary");
        output.write_line("{}").unwrap();
        let error = output.finish().unwrap_err();
        assert!(error.to_string().starts_with(&expected), "{error}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
