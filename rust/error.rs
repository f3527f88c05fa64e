//! The one core error type. Verification outcomes are data (see
//! [`crate::sig::status::Status`]); errors are for input that cannot be used.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// A zone file that cannot be parsed. `line` and `column` are 1-based;
    /// `column` is 0 when unknown.
    #[error("{file}:{line}:{column}: {reason}")]
    Parse {
        file: String,
        line: u32,
        column: u32,
        reason: String,
    },
    /// A file that cannot be read.
    #[error("{file}: {reason}")]
    Io { file: String, reason: String },
    /// Arguments that cannot be used (bad origin, bad thread count, ...).
    #[error("{0}")]
    Usage(String),
    /// The run was stopped ([`crate::progress::Progress::cancel`]).
    #[error("interrupted")]
    Cancelled,
}

impl CoreError {
    pub fn parse(file: &str, line: u32, column: u32, reason: impl Into<String>) -> Self {
        CoreError::Parse {
            file: file.to_string(),
            line,
            column,
            reason: reason.into(),
        }
    }
}
