//! Errors and exit codes shared by all tools.
//!
//! The contract with users (and with `make`, `xargs`, shell pipelines): exit 0 on success,
//! 2 when the command line or an input line is bad (the message names the line), 1 when
//! something outside the user's input failed (I/O, a missing library). A closed downstream
//! pipe is not an error: the tool stops quietly with 0, like `cat | head`.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::process::ExitCode;

/// Exit code for a runtime failure (I/O error, missing runtime library, ...).
pub const EXIT_RUNTIME: u8 = 1;
/// Exit code for bad usage or bad input data.
pub const EXIT_BAD_INPUT: u8 = 2;

/// What went wrong in a tool, classified by who has to fix it.
#[derive(Debug)]
pub enum ToolError {
    /// An input record is invalid; `line` is 1-based when known.
    BadInput { line: Option<u64>, message: String },
    /// The command line is inconsistent in a way clap cannot see.
    Usage(String),
    /// Anything else: I/O failures, missing files, internal errors.
    Runtime(anyhow::Error),
    /// The reader of our output went away; stop quietly.
    BrokenPipe,
}

impl ToolError {
    /// A bad input line.
    pub fn bad_line(line: u64, message: impl Into<String>) -> Self {
        ToolError::BadInput { line: Some(line), message: message.into() }
    }

    /// Bad input not tied to one line.
    pub fn bad_input(message: impl Into<String>) -> Self {
        ToolError::BadInput { line: None, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        ToolError::Usage(message.into())
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            ToolError::BadInput { .. } | ToolError::Usage(_) => EXIT_BAD_INPUT,
            ToolError::Runtime(_) => EXIT_RUNTIME,
            ToolError::BrokenPipe => 0,
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::BadInput { line: Some(line), message } => write!(f, "line {line}: {message}"),
            ToolError::BadInput { line: None, message } => write!(f, "{message}"),
            ToolError::Usage(message) => write!(f, "{message}"),
            ToolError::Runtime(error) => write!(f, "{error:#}"),
            ToolError::BrokenPipe => write!(f, "broken pipe"),
        }
    }
}

impl From<io::Error> for ToolError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe { ToolError::BrokenPipe } else { ToolError::Runtime(error.into()) }
    }
}

impl From<anyhow::Error> for ToolError {
    fn from(error: anyhow::Error) -> Self {
        let broken_pipe = error
            .chain()
            .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe));
        if broken_pipe { ToolError::BrokenPipe } else { ToolError::Runtime(error) }
    }
}

/// Runs a tool's body and turns its outcome into the process exit code, printing one line
/// `tool: message` on stderr for failures (control characters escaped, so that a message
/// quoting the input cannot spill onto a second line).
pub fn run_tool(tool: &str, body: impl FnOnce() -> Result<(), ToolError>) -> ExitCode {
    crate::keep_freed_memory();
    crate::standard_streams::guard_closed();
    match body() {
        Ok(()) | Err(ToolError::BrokenPipe) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{tool}: {}", escape_control(&error.to_string()));
            ExitCode::from(error.exit_code())
        }
    }
}

/// `text` with its control characters escaped (a newline as `\n`): tools report one line per
/// error, and scripts (and `--skip-invalid`'s summary) read them line by line.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_debug());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// A name taken from the input (an op, a field) as messages show it: in single quotes, with
/// control characters, quotes and backslashes escaped as Rust escapes them, so that the
/// message stays one line and the name can be told apart from the words around it.
pub fn quoted(name: &str) -> String {
    format!("'{}'", name.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io_error = io::Error::new(io::ErrorKind::BrokenPipe, "closed");
        let wrapped = anyhow::Error::from(io_error).context("writing output");
        assert!(matches!(ToolError::from(wrapped), ToolError::BrokenPipe));
    }

    #[test]
    fn messages_stay_on_one_line() {
        assert_eq!(escape_control("op 'a\nb'\tx"), "op 'a\\nb'\\tx");
        assert_eq!(escape_control("\u{1b}[31m"), "\\u{1b}[31m");
        assert!(matches!(escape_control("plain 'ünï' \\ text"), Cow::Borrowed(_)));
        assert_eq!(quoted("conv3x3-bn-relu"), "'conv3x3-bn-relu'");
        assert_eq!(quoted("a\nb'c\\"), "'a\\nb\\'c\\\\'");
        assert_eq!(quoted("ünï"), "'ünï'");
    }

    #[test]
    fn bad_line_names_the_line_and_exits_2() {
        let error = ToolError::bad_line(17, "cell has 10 edges after pruning (max 9)");
        assert_eq!(error.to_string(), "line 17: cell has 10 edges after pruning (max 9)");
        assert_eq!(error.exit_code(), EXIT_BAD_INPUT);
    }
}
