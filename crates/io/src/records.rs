//! Reading JSON-lines records with their line numbers.
//!
//! Lines are read as text in chunks and parsed later (in parallel, see [`crate::chunks`]),
//! because JSON parsing dominates the cost of a tool that does little else. Blank lines
//! carry no record and are skipped; their numbers still count, so error messages match
//! what `sed -n 17p` shows.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, anyhow};
use serde_json::{Map, Value};

use crate::ToolError;

/// One input line: its 1-based number and its text (without the newline).
#[derive(Debug, Clone)]
pub struct RawLine {
    pub number: u64,
    pub text: String,
}

/// A parsed record: the JSON object of one line.
#[derive(Debug, Clone)]
pub struct Record {
    pub line: u64,
    pub fields: Map<String, Value>,
}

impl RawLine {
    /// Parses the line as JSON of any shape (object, array, ...).
    pub fn parse_value(&self) -> Result<Value, ToolError> {
        serde_json::from_str(&self.text).map_err(|e| ToolError::bad_line(self.number, format!("not valid JSON: {e}")))
    }

    /// Parses the line as one JSON object.
    pub fn parse_object(&self) -> Result<Record, ToolError> {
        match self.parse_value()? {
            Value::Object(fields) => Ok(Record { line: self.number, fields }),
            other => {
                Err(ToolError::bad_line(self.number, format!("expected a JSON object, got {}", json_kind(&other))))
            }
        }
    }
}

/// The JSON type name of a value, for error messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads numbered lines from stdin or a file.
pub struct RecordReader {
    source: Box<dyn BufRead + Send>,
    source_name: String,
    lines_read: u64,
    buffer: Vec<u8>,
}

impl RecordReader {
    /// Opens `path`, or stdin when `path` is `None` or `-` (refused when it was closed at the
    /// start: reading it would look like an empty input).
    pub fn open(path: Option<&Path>) -> Result<Self, ToolError> {
        match path {
            Some(p) if p.as_os_str() != "-" => {
                let file = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
                Ok(Self::from_reader(file, &p.display().to_string()))
            }
            _ => {
                if crate::standard_streams::stdin_closed() {
                    return Err(anyhow!("cannot read standard input: it is closed").into());
                }
                crate::pipes::enlarge(0);
                Ok(Self::from_reader(io::stdin(), "stdin"))
            }
        }
    }

    pub fn from_reader(reader: impl Read + Send + 'static, name: &str) -> Self {
        RecordReader {
            source: Box::new(BufReader::with_capacity(1 << 20, reader)),
            source_name: name.to_string(),
            lines_read: 0,
            buffer: Vec::new(),
        }
    }

    /// The next non-blank line, or `None` at the end of the input; a line that is not UTF-8
    /// is an error naming it.
    pub fn next_line(&mut self) -> Result<Option<RawLine>, ToolError> {
        match self.read_line()? {
            LineRead::Text(line) => Ok(Some(line)),
            LineRead::Undecodable(number) => Err(undecodable_line(number)),
            LineRead::End => Ok(None),
        }
    }

    /// Up to `max` next non-blank lines, those that are not UTF-8 set apart; empty at the end
    /// of the input.
    pub(crate) fn next_chunk(&mut self, max: usize) -> Result<LineChunk, ToolError> {
        let mut chunk = LineChunk { lines: Vec::with_capacity(max.min(1 << 16)), undecodable: Vec::new() };
        while chunk.lines.len() + chunk.undecodable.len() < max {
            match self.read_line()? {
                LineRead::Text(line) => chunk.lines.push(line),
                LineRead::Undecodable(number) => chunk.undecodable.push((chunk.lines.len(), number)),
                LineRead::End => break,
            }
        }
        Ok(chunk)
    }

    fn read_line(&mut self) -> Result<LineRead, ToolError> {
        loop {
            self.buffer.clear();
            let n = self
                .source
                .read_until(b'\n', &mut self.buffer)
                .with_context(|| format!("reading {}", self.source_name))?;
            if n == 0 {
                return Ok(LineRead::End);
            }
            self.lines_read += 1;
            let mut bytes: &[u8] = &self.buffer;
            while let [rest @ .., b'\n' | b'\r'] = bytes {
                bytes = rest;
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(match std::str::from_utf8(bytes) {
                Ok(text) => LineRead::Text(RawLine { number: self.lines_read, text: text.to_string() }),
                Err(_) => LineRead::Undecodable(self.lines_read),
            });
        }
    }
}

/// What one read of the input found.
enum LineRead {
    Text(RawLine),
    /// The line with this number is not UTF-8.
    Undecodable(u64),
    End,
}

/// Consecutive lines of the input. A line that is not UTF-8 is a bad line like any other, for
/// the tool's `--skip-invalid` to count or not; it is kept apart so that the lines every
/// mapper sees stay text.
pub(crate) struct LineChunk {
    pub lines: Vec<RawLine>,
    /// (how many of `lines` come before it, line number) of each line that is not UTF-8.
    pub undecodable: Vec<(usize, u64)>,
}

impl LineChunk {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.undecodable.is_empty()
    }
}

/// The error of a line that is not UTF-8.
pub(crate) fn undecodable_line(number: u64) -> ToolError {
    ToolError::bad_line(number, "line is not valid UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_and_skips_blank_ones() {
        let input = "{\"a\":1}\n\n  \n{\"a\":2}\r\n[1,2]";
        let mut reader = RecordReader::from_reader(io::Cursor::new(input.to_string()), "test");
        let lines = reader.next_chunk(10).unwrap().lines;
        let numbers: Vec<u64> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![1, 4, 5]);
        assert_eq!(lines[1].parse_object().unwrap().fields["a"], 2);
        let error = lines[2].parse_object().unwrap_err();
        assert_eq!(error.to_string(), "line 5: expected a JSON object, got an array");
    }

    #[test]
    fn invalid_json_names_the_line() {
        let mut reader = RecordReader::from_reader(io::Cursor::new("{}\n{oops\n".to_string()), "t");
        let lines = reader.next_chunk(10).unwrap().lines;
        let error = lines[1].parse_value().unwrap_err();
        assert!(error.to_string().starts_with("line 2: not valid JSON"), "{error}");
    }

    #[test]
    fn lines_that_are_not_utf8_are_set_apart_in_order() {
        let input = b"{\"a\":1}\n\xff\n\n{\"a\":2}\n\xfe\xfe\n".to_vec();
        let mut reader = RecordReader::from_reader(io::Cursor::new(input.clone()), "t");
        let chunk = reader.next_chunk(3).unwrap();
        assert_eq!(chunk.lines.iter().map(|l| l.number).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(chunk.undecodable, [(1, 2)]);
        let chunk = reader.next_chunk(3).unwrap();
        assert!(chunk.lines.is_empty());
        assert_eq!(chunk.undecodable, [(0, 5)]);
        assert!(reader.next_chunk(3).unwrap().is_empty());

        let mut reader = RecordReader::from_reader(io::Cursor::new(input), "t");
        assert_eq!(reader.next_line().unwrap().unwrap().number, 1);
        assert_eq!(reader.next_line().unwrap_err().to_string(), "line 2: line is not valid UTF-8");
    }
}
