//! Bedside's columnar files: Parquet and Arrow IPC (file and stream) read through arrow-rs into
//! CSV text batch by batch, and a Parquet file written from a plain column description. No
//! bedside types here: bedside reads the text with its CSV reader and applies the [`Notes`]
//! (`bedside::table::columnar`), natively through this crate and in the page through this
//! crate's own wasm module (`src/wasm/`), loaded only when a columnar file is dropped or a
//! Parquet export is asked for, so that the page's main module does not carry arrow-rs.
//!
//! Without the default feature `arrow` the crate is only the format rule ([`format_of`]) and the
//! plain types ([`Notes`], [`OutColumn`]): that is what the page's main module links.

use serde::{Deserialize, Serialize};

#[cfg(feature = "arrow")]
pub mod check;
#[cfg(feature = "arrow")]
mod codec;
#[cfg(feature = "arrow")]
mod read;
#[cfg(all(feature = "arrow", target_arch = "wasm32"))]
mod wasm;
#[cfg(feature = "arrow")]
mod write;

#[cfg(feature = "arrow")]
pub use read::{File, Text, BATCH_ROWS};
#[cfg(feature = "arrow")]
pub use write::write_parquet;

/// A columnar format, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Apache Parquet (`PAR1`).
    Parquet,
    /// Arrow IPC file (`ARROW1`; also Feather version 2).
    #[serde(rename = "arrow")]
    ArrowFile,
    /// Arrow IPC stream (a continuation marker, then the schema message).
    ArrowStream,
}

impl Format {
    /// The format's name in profiles and Reports (`input.format`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::ArrowFile => "arrow",
            Format::ArrowStream => "arrow_stream",
        }
    }

    /// "Parquet" or "Arrow", for messages.
    pub fn title(self) -> &'static str {
        match self {
            Format::Parquet => "Parquet",
            _ => "Arrow",
        }
    }
}

/// The columnar format the first bytes announce, if any (the one rule: bedside's reader and the
/// page's worker both ask it).
pub fn format_of(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PAR1") {
        Some(Format::Parquet)
    } else if head.starts_with(b"ARROW1") {
        Some(Format::ArrowFile)
    } else if head.len() >= 8 && head.starts_with(&[0xFF; 4]) && head[4..8] != [0; 4] {
        Some(Format::ArrowStream)
    } else {
        None
    }
}

/// The message for a file compressed with a codec this build cannot decompress.
pub fn codec_unavailable(format: &str, codec: &str) -> String {
    format!(
        "this {format} file is compressed with {codec}, which this build cannot decompress (the \
         page reads uncompressed, snappy, gzip, brotli and lz4 files; {codec} needs C code that \
         does not build for the browser): read it with the command line, or save it again with \
         snappy or gzip compression"
    )
}

/// What the CSV text of a columnar file leaves unsaid, for the reader of that text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notes {
    /// The file's format.
    pub format: Option<Format>,
    /// The columns of the text, in order (its header).
    pub header: Vec<String>,
    /// Columns left out (no single value per cell, or bytes): `(name, Arrow type)`.
    pub left_out: Vec<(String, String)>,
    /// Timestamp columns written in UTC: `(name, the file's zone)`, by zone then column.
    pub utc: Vec<(String, String)>,
    /// Columns of Arrow's dictionary type (pandas' `category`).
    pub dictionary: Vec<String>,
    /// CSV line of a record → how many lines it lies below its record line (records holding line
    /// breaks push the following ones down), in increasing line order. Complete once the whole
    /// text has been made.
    pub shifts: Vec<(u64, u64)>,
}

impl Notes {
    /// The record line (header 1, first record 2) of a CSV line of the text.
    pub fn record_line(&self, line: u64) -> u64 {
        let i = self.shifts.partition_point(|&(l, _)| l <= line);
        if i == 0 {
            line
        } else {
            line - self.shifts[i - 1].1
        }
    }
}

/// One column to write: a name and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutColumn {
    pub name: String,
    #[serde(flatten)]
    pub values: OutValues,
}

/// A column's values (`None` = missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
pub enum OutValues {
    /// Numbers, written as doubles.
    Numbers(Vec<Option<f64>>),
    /// Text, written as UTF-8 strings.
    Text(Vec<Option<String>>),
    /// Labels, written dictionary-encoded (read back as a category).
    Category(Vec<Option<String>>),
    /// Plain dates as days since 1970-01-01, written as dates.
    Dates(Vec<Option<i32>>),
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) → days since 1970-01-01 (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn formats_by_first_bytes() {
        assert_eq!(format_of(b"PAR1\x15\x04"), Some(Format::Parquet));
        assert_eq!(format_of(b"ARROW1\0\0"), Some(Format::ArrowFile));
        assert_eq!(
            format_of(&[0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0, 0, 0]),
            Some(Format::ArrowStream)
        );
        assert_eq!(format_of(b"a,b\n1,2\n"), None);
    }

    #[test]
    fn record_lines_from_shifts() {
        let notes = Notes {
            shifts: vec![(4, 1), (7, 3)],
            ..Default::default()
        };
        assert_eq!(
            [2, 3, 4, 6, 7, 9].map(|l| notes.record_line(l)),
            [2, 3, 3, 5, 4, 6]
        );
    }
}
