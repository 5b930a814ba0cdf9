//! Where a tool's records go: stdout, or a file that appears only when complete.
//!
//! A file target is written to a temporary sibling and renamed into place by
//! [`Output::finish`]; a tool that fails (or is interrupted) half-way leaves no partial file
//! at the target path, so `make` never mistakes a broken output for a finished stage.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::ToolError;

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File { writer: BufWriter<File>, temporary: PathBuf, target: PathBuf },
}

/// The destination of a tool's output lines.
pub struct Output {
    sink: Option<Sink>,
}

impl Output {
    /// Stdout when `path` is `None` or `-`, else an atomically written file.
    pub fn create(path: Option<&Path>) -> Result<Self, ToolError> {
        let stdout = || {
            crate::pipes::enlarge(1);
            Sink::Stdout(BufWriter::with_capacity(1 << 20, io::stdout()))
        };
        let sink = match path {
            None => stdout(),
            Some(p) if p.as_os_str() == "-" => stdout(),
            Some(target) => {
                let temporary = temporary_sibling(target);
                let file =
                    File::create(&temporary).with_context(|| format!("cannot create {}", temporary.display()))?;
                Sink::File { writer: BufWriter::with_capacity(1 << 20, file), temporary, target: target.to_path_buf() }
            }
        };
        Ok(Output { sink: Some(sink) })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self.sink.as_mut().expect("output used after finish") {
            Sink::Stdout(w) => w,
            Sink::File { writer, .. } => writer,
        }
    }

    /// Writes `text` followed by a newline.
    pub fn write_line(&mut self, text: &str) -> Result<(), ToolError> {
        let writer = self.writer();
        writer.write_all(text.as_bytes())?;
        writer.write_all(b"\n")?;
        Ok(())
    }

    /// Writes already newline-terminated bytes.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ToolError> {
        self.writer().write_all(bytes)?;
        Ok(())
    }

    /// Flushes everything and, for a file, moves it into place.
    pub fn finish(mut self) -> Result<(), ToolError> {
        match self.sink.take().expect("output finished twice") {
            Sink::Stdout(mut w) => w.flush()?,
            Sink::File { writer, temporary, target } => {
                let file = writer.into_inner().map_err(|e| ToolError::from(e.into_error()))?;
                file.sync_all().with_context(|| format!("writing {}", temporary.display()))?;
                drop(file);
                fs::rename(&temporary, &target)
                    .with_context(|| format!("moving {} to {}", temporary.display(), target.display()))?;
            }
        }
        Ok(())
    }
}

/// Writes a whole file at once, atomically (as [`Output`]): a model, a figure, anything built
/// in memory first. The file appears only complete, or not at all.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    let mut output = Output::create(Some(path))?;
    output.write_bytes(bytes)?;
    output.finish()
}

impl Drop for Output {
    fn drop(&mut self) {
        // Not finished: an error or panic interrupted the tool. Remove the partial file.
        if let Some(Sink::File { temporary, .. }) = &self.sink {
            let _ = fs::remove_file(temporary);
        }
    }
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
}
