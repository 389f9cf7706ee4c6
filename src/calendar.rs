//! Calendar arithmetic: days since 1970-01-01 and (year, month, day) in the proleptic Gregorian
//! calendar (Howard Hinnant's algorithms). One implementation for the workspace, kept in the
//! columnar crate (which bedside depends on, never the reverse) because its Parquet and Arrow
//! conversions need it too; every module of the core reaches it through here.

pub use bedside_columnar::{civil_from_days, days_from_civil};
