//! One error type for every user-facing failure.
//!
//! Every variant carries enough position information (file, line, field, recipe step) for the
//! message to point at the fault. Messages never quote cell values: a cell may belong to an
//! identifier column, and error messages end up in logs and screenshots.

use thiserror::Error;

/// Result alias used across the core.
pub type Result<T> = std::result::Result<T, Error>;

/// Every failure the core can report to a user.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The input file cannot be read as a table at all (empty, undecodable, no header...).
    #[error("{file}: {message}")]
    Input { file: String, message: String },

    /// A problem at a known position of the input file.
    #[error("{file}, line {line}{}: {message}", field.as_ref().map(|f| format!(", field '{f}'")).unwrap_or_default())]
    Csv {
        file: String,
        line: u64,
        field: Option<String>,
        message: String,
    },

    /// The recipe is malformed or does not fit the data. `step` is like `privacy[2]` or `models[0]`.
    #[error("recipe {step}{}: {message}", field.as_ref().map(|f| format!(", field '{f}'")).unwrap_or_default())]
    Recipe {
        step: String,
        field: Option<String>,
        message: String,
    },

    /// The data cannot be used as asked (e.g. a target with one class).
    #[error("data: {0}")]
    Data(String),

    /// A model failed to fit or predict.
    #[error("model {kind}: {message}")]
    Model { kind: String, message: String },

    /// The caller cancelled the run.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// Shorthand for a recipe error at `step` about `field`.
    pub fn recipe(
        step: impl Into<String>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Recipe {
            step: step.into(),
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// Says where a recipe or model error happened (`"split 2"` → "split 2: ..." before its
    /// message); other errors pass unchanged.
    pub fn in_context(self, context: &str) -> Self {
        match self {
            Error::Recipe {
                step,
                field,
                message,
            } => Error::Recipe {
                step,
                field,
                message: format!("{context}: {message}"),
            },
            Error::Model { kind, message } => Error::Model {
                kind,
                message: format!("{context}: {message}"),
            },
            e => e,
        }
    }
}
