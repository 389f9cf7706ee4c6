//! One error type for every user-facing failure.
//!
//! Every variant carries enough position information (file, line, field, recipe step) for the
//! message to point at the fault. Messages never quote cell values: a cell may belong to an
//! identifier column, and error messages end up in logs and screenshots.

use crate::message::{self as msg, Message};

/// Result alias used across the core.
pub type Result<T> = std::result::Result<T, Error>;

/// An argument error of a step: the field at fault and what is wrong with it.
pub type ArgError = (&'static str, String);

/// An argument error whose field is named at run time (`params.max_depth` of a search).
pub type FieldError = (String, String);

/// A fit failure of a feature step caused by the data (the message names the column).
pub type FitError = String;

/// The fault of one recipe step, from any of the three inner shapes: the field at fault (if
/// known) and the message. The one conversion path from step errors to [`Error::Recipe`] is
/// [`StepRef::error`].
#[derive(Debug, Clone, PartialEq)]
pub struct StepFault {
    pub field: Option<String>,
    pub message: String,
}

impl From<ArgError> for StepFault {
    fn from((field, message): ArgError) -> Self {
        StepFault {
            field: Some(field.to_string()),
            message,
        }
    }
}

impl From<FieldError> for StepFault {
    fn from((field, message): FieldError) -> Self {
        StepFault {
            field: Some(field),
            message,
        }
    }
}

impl From<FitError> for StepFault {
    fn from(message: FitError) -> Self {
        StepFault {
            field: None,
            message,
        }
    }
}

/// A step of a recipe: its list, index and name, shown as `privacy[2] (truncate)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRef<'a> {
    /// `privacy`, `features` or `models`.
    pub list: &'static str,
    pub index: usize,
    /// The op or model kind.
    pub name: &'a str,
}

impl<'a> StepRef<'a> {
    pub fn privacy(index: usize, name: &'a str) -> Self {
        StepRef {
            list: "privacy",
            index,
            name,
        }
    }
    pub fn features(index: usize, name: &'a str) -> Self {
        StepRef {
            list: "features",
            index,
            name,
        }
    }
    pub fn models(index: usize, name: &'a str) -> Self {
        StepRef {
            list: "models",
            index,
            name,
        }
    }

    /// The position without the name: `privacy[2]` (audit entries, privacy handling).
    pub fn position(&self) -> String {
        format!("{}[{}]", self.list, self.index)
    }

    /// The recipe error of this step from an inner error of any shape.
    pub fn error(&self, fault: impl Into<StepFault>) -> Error {
        let f = fault.into();
        Error::Recipe {
            step: self.to_string(),
            field: f.field,
            message: f.message,
        }
    }
}

impl std::fmt::Display for StepRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}] ({})", self.list, self.index, self.name)
    }
}

/// Every failure the core can report to a user.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The input file cannot be read as a table at all (empty, undecodable, no header...).
    Input { file: String, message: String },

    /// A problem at a known position of the input file.
    Csv {
        file: String,
        line: u64,
        field: Option<String>,
        message: String,
    },

    /// The recipe is malformed or does not fit the data. `step` is like `privacy[2]` or `models[0]`.
    Recipe {
        step: String,
        field: Option<String>,
        message: String,
    },

    /// The data cannot be used as asked (e.g. a target with one class).
    Data(String),

    /// A model failed to fit or predict.
    Model { kind: String, message: String },

    /// A fault of the worker protocol: results, units or intervals handed back that do not fit
    /// the staged run (a bug of the caller, not of the user's data or recipe).
    Protocol(String),

    /// The caller cancelled the run.
    Cancelled,
}

/// The English text of an error is its [`Error::message`] rendered (one sentence per code, in
/// `crate::message`).
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The error as a code with parameters: the frame of its kind (file and line, recipe step
    /// and field, ...) with the step's own text as `detail`.
    pub fn message(&self) -> Message {
        match self {
            Error::Input { file, message } => msg::error_input(file.as_str(), message.as_str()),
            Error::Csv {
                file,
                line,
                field: None,
                message,
            } => msg::error_csv(file.as_str(), *line, message.as_str()),
            Error::Csv {
                file,
                line,
                field: Some(field),
                message,
            } => msg::error_csv_field(file.as_str(), *line, field.as_str(), message.as_str()),
            Error::Recipe {
                step,
                field: None,
                message,
            } => msg::error_recipe(step.as_str(), message.as_str()),
            Error::Recipe {
                step,
                field: Some(field),
                message,
            } => msg::error_recipe_field(step.as_str(), field.as_str(), message.as_str()),
            Error::Data(message) => msg::error_data(message.as_str()),
            Error::Model { kind, message } => msg::error_model(kind.as_str(), message.as_str()),
            Error::Protocol(message) => msg::error_protocol(message.as_str()),
            Error::Cancelled => msg::error_cancelled(),
        }
    }

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
