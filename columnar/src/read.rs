//! Reading: a Parquet or Arrow IPC file as CSV text, batch by batch (a Parquet file row group by
//! row group, in batches of [`BATCH_ROWS`] records), with the [`Notes`] the text leaves unsaid.
//!
//! Values become text this way: integers and decimals as written, floats in their shortest
//! round-trip form (NaN = missing), dates as `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS`
//! (in UTC when the file gives a zone, noted), booleans `true`/`false`, nulls missing (empty
//! cells). Columns that hold no single value per cell (lists, structs, maps) or bytes are left
//! out, each noted. Every length arrow-rs trusts is checked first ([`crate::check`]).

use crate::{civil_from_days, codec_unavailable, Format, Notes};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::collections::BTreeMap;

/// Records per batch read at once (a Parquet row group is read in batches of this size).
pub const BATCH_ROWS: usize = 4096;

/// Turns an arrow-rs error into a message about the file.
fn describe(format: Format, e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let name = match format {
        Format::Parquet => "Parquet",
        _ => "Arrow",
    };
    for codec in ["zstd", "lz4", "snap", "brotli", "flate2"] {
        if lower.contains(&format!("feature at compile time: {codec}"))
            || lower.contains(&format!("{codec} ipc compression requires"))
            || (lower.contains(codec) && lower.contains("feature"))
        {
            let codec = match codec {
                "zstd" => "ZSTD",
                "lz4" => "LZ4",
                "snap" => "Snappy",
                "brotli" => "Brotli",
                _ => "gzip",
            };
            return codec_unavailable(name, codec);
        }
    }
    // "an Arrow file", "a Parquet file"
    let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("this looks like {article} {name} file but cannot be read as one: {text}")
}

/// The record batches of a file, in order.
type Batches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, String>>>;

/// The schema and the batches of `bytes`.
fn open_batches(
    bytes: &bytes::Bytes,
    format: Format,
) -> std::result::Result<(SchemaRef, Batches), String> {
    match format {
        Format::Parquet => {
            use parquet::arrow::arrow_reader::ArrowReaderOptions;
            use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
            use parquet::file::metadata::PageIndexPolicy;
            let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Skip);
            let builder =
                ParquetRecordBatchReaderBuilder::try_new_with_options(bytes.clone(), options)
                    .map_err(|e| describe(format, e))?
                    .with_batch_size(BATCH_ROWS);
            crate::check::parquet(bytes, builder.metadata()).map_err(|e| describe(format, e))?;
            let schema = builder.schema().clone();
            let reader = builder.build().map_err(|e| describe(format, e))?;
            Ok((
                schema,
                Box::new(reader.map(move |b| b.map_err(|e| describe(format, e)))),
            ))
        }
        Format::ArrowFile => {
            crate::check::arrow_file(bytes).map_err(|e| describe(format, e))?;
            let reader =
                arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes.clone()), None)
                    .map_err(|e| describe(format, e))?;
            let schema = reader.schema();
            Ok((
                schema,
                Box::new(reader.map(move |b| b.map_err(|e| describe(format, e)))),
            ))
        }
        Format::ArrowStream => {
            crate::check::arrow_stream(bytes).map_err(|e| describe(format, e))?;
            let reader =
                arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes.clone()), None)
                    .map_err(|e| describe(format, e))?;
            let schema = reader.schema();
            Ok((
                schema,
                Box::new(reader.map(move |b| b.map_err(|e| describe(format, e)))),
            ))
        }
    }
}

/// Can a column of this type be read as one value per cell?
fn supported(t: &DataType) -> bool {
    use DataType::*;
    match t {
        Null
        | Boolean
        | Int8
        | Int16
        | Int32
        | Int64
        | UInt8
        | UInt16
        | UInt32
        | UInt64
        | Float16
        | Float32
        | Float64
        | Utf8
        | LargeUtf8
        | Utf8View
        | Date32
        | Date64
        | Timestamp(_, _)
        | Time32(_)
        | Time64(_)
        | Decimal32(_, _)
        | Decimal64(_, _)
        | Decimal128(_, _)
        | Decimal256(_, _) => true,
        Dictionary(_, v) => supported(v),
        _ => false,
    }
}

fn date_text(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A point in time (seconds and nanoseconds since 1970-01-01 UTC) as `YYYY-MM-DD` at midnight,
/// else `YYYY-MM-DD HH:MM:SS` (with a fraction when there is one).
fn datetime_text(secs: i64, nanos: u32) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    if rem == 0 && nanos == 0 {
        return date_text(days);
    }
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let mut out = format!("{} {h:02}:{mi:02}:{s:02}", date_text(days));
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
}

fn split(value: i64, per_second: i64) -> (i64, u32) {
    (
        value.div_euclid(per_second),
        (value.rem_euclid(per_second) * (1_000_000_000 / per_second)) as u32,
    )
}

fn time_text(value: i64, per_second: i64) -> String {
    let (secs, nanos) = split(value, per_second);
    let mut out = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if nanos > 0 {
        out.push('.');
        out.push_str(format!("{nanos:09}").trim_end_matches('0'));
    }
    out
}

fn per_second(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// The text of the cell at `row` of a supported column (`None` = missing).
fn cell(a: &dyn Array, row: usize) -> Option<String> {
    use DataType::*;
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        Null => return None,
        Boolean => a.as_boolean().value(row).to_string(),
        Int8 => a.as_primitive::<Int8Type>().value(row).to_string(),
        Int16 => a.as_primitive::<Int16Type>().value(row).to_string(),
        Int32 => a.as_primitive::<Int32Type>().value(row).to_string(),
        Int64 => a.as_primitive::<Int64Type>().value(row).to_string(),
        UInt8 => a.as_primitive::<UInt8Type>().value(row).to_string(),
        UInt16 => a.as_primitive::<UInt16Type>().value(row).to_string(),
        UInt32 => a.as_primitive::<UInt32Type>().value(row).to_string(),
        UInt64 => a.as_primitive::<UInt64Type>().value(row).to_string(),
        Float16 => {
            let x = a.as_primitive::<Float16Type>().value(row).to_f32();
            return (!x.is_nan()).then(|| float32_text(x));
        }
        Float32 => {
            let x = a.as_primitive::<Float32Type>().value(row);
            return (!x.is_nan()).then(|| float32_text(x));
        }
        Float64 => {
            let x = a.as_primitive::<Float64Type>().value(row);
            return (!x.is_nan()).then(|| number_text(x));
        }
        Utf8 => a.as_string::<i32>().value(row).to_string(),
        LargeUtf8 => a.as_string::<i64>().value(row).to_string(),
        Utf8View => a.as_string_view().value(row).to_string(),
        Date32 => date_text(i64::from(a.as_primitive::<Date32Type>().value(row))),
        Date64 => {
            let (s, n) = split(a.as_primitive::<Date64Type>().value(row), 1000);
            datetime_text(s, n)
        }
        Timestamp(unit, _) => {
            let v = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(row),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(row),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(row),
            };
            let (s, n) = split(v, per_second(unit));
            datetime_text(s, n)
        }
        Time32(unit) => {
            let v = match unit {
                TimeUnit::Second => a.as_primitive::<Time32SecondType>().value(row),
                _ => a.as_primitive::<Time32MillisecondType>().value(row),
            };
            time_text(i64::from(v), per_second(unit))
        }
        Time64(unit) => {
            let v = match unit {
                TimeUnit::Microsecond => a.as_primitive::<Time64MicrosecondType>().value(row),
                _ => a.as_primitive::<Time64NanosecondType>().value(row),
            };
            time_text(v, per_second(unit))
        }
        Decimal32(_, _) => a.as_primitive::<Decimal32Type>().value_as_string(row),
        Decimal64(_, _) => a.as_primitive::<Decimal64Type>().value_as_string(row),
        Decimal128(_, _) => a.as_primitive::<Decimal128Type>().value_as_string(row),
        Decimal256(_, _) => a.as_primitive::<Decimal256Type>().value_as_string(row),
        // Dictionaries are resolved per batch ([`resolve`]); other types are left out.
        _ => return None,
    })
}

fn float32_text(x: f32) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A dictionary column's cells as (keys → value texts); other columns as themselves.
enum Resolved {
    Plain(ArrayRef),
    Dict {
        keys: Vec<usize>,
        valid: Vec<bool>,
        values: Vec<Option<String>>,
    },
}

fn resolve(a: &ArrayRef) -> Resolved {
    match a.as_any_dictionary_opt() {
        Some(d) => {
            let values = d.values();
            let texts = (0..values.len())
                .map(|i| cell(values.as_ref(), i))
                .collect();
            Resolved::Dict {
                keys: d.normalized_keys(),
                valid: (0..a.len()).map(|i| a.is_valid(i)).collect(),
                values: texts,
            }
        }
        None => Resolved::Plain(a.clone()),
    }
}

impl Resolved {
    fn text(&self, row: usize) -> Option<String> {
        match self {
            Resolved::Plain(a) => cell(a.as_ref(), row),
            Resolved::Dict {
                keys,
                valid,
                values,
            } => {
                if !valid[row] {
                    return None;
                }
                values.get(keys[row]).cloned().flatten()
            }
        }
    }
}

/// Shortest round-trip text of a double; integers without a fraction (as bedside writes numbers).
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A columnar file, checked, with its schema read: open its [`Text`] as often as needed.
#[derive(Clone)]
pub struct File {
    bytes: bytes::Bytes,
    format: Format,
    /// Indices of the columns read.
    columns: Vec<usize>,
    notes: Notes,
}

impl File {
    /// Recognises, checks and opens the file (the whole file in memory). The error is a message
    /// about the file (the caller names it).
    pub fn open(bytes: impl Into<bytes::Bytes>) -> Result<File, String> {
        let bytes = bytes.into();
        let format = crate::format_of(&bytes[..bytes.len().min(8)])
            .ok_or_else(|| "this is not a Parquet or Arrow IPC file".to_string())?;
        let (schema, _) = open_batches(&bytes, format)?;
        let mut notes = Notes {
            format: Some(format),
            ..Default::default()
        };
        let mut columns = Vec::new();
        let mut zones: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, f) in schema.fields().iter().enumerate() {
            let t = f.data_type();
            if !supported(t) {
                notes.left_out.push((f.name().clone(), t.to_string()));
                continue;
            }
            let inner = match t {
                DataType::Dictionary(_, v) => v.as_ref(),
                t => t,
            };
            if let DataType::Timestamp(_, Some(zone)) = inner {
                zones
                    .entry(zone.to_string())
                    .or_default()
                    .push(f.name().clone());
            }
            if matches!(t, DataType::Dictionary(_, _)) {
                notes.dictionary.push(f.name().clone());
            }
            notes.header.push(f.name().clone());
            columns.push(i);
        }
        if columns.is_empty() {
            return Err(
                "the file has no column that holds one value per cell (numbers, text, dates)"
                    .into(),
            );
        }
        for (zone, names) in zones {
            for name in names {
                notes.utc.push((name, zone.clone()));
            }
        }
        Ok(File {
            bytes,
            format,
            columns,
            notes,
        })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The notes known from the schema (no line shifts: those come with the text).
    pub fn notes(&self) -> &Notes {
        &self.notes
    }

    /// The file's CSV text from its start, made batch by batch as it is read.
    pub fn text(&self) -> Result<Text, String> {
        let (_, batches) = open_batches(&self.bytes, self.format)?;
        Ok(Text {
            batches,
            columns: self.columns.clone(),
            header: Some(self.notes.header.clone()),
            notes: self.notes.clone(),
            line: 2,
            records: 0,
            buf: Vec::new(),
            pos: 0,
        })
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// A columnar file's CSV text (header, then one record per row, `\n` line ends), made one batch
/// at a time: by [`Text::next_chunk`] or as a [`std::io::Read`].
pub struct Text {
    batches: Batches,
    columns: Vec<usize>,
    /// The header, until it is written.
    header: Option<Vec<String>>,
    notes: Notes,
    /// CSV line the next record starts on; records written so far.
    line: u64,
    records: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Text {
    /// The CSV text of the next batch (the first chunk starts with the header); `None` at the
    /// end. A batch arrow-rs cannot decode is an error about the file.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut writer = csv_writer();
        let mut wrote = false;
        if let Some(header) = self.header.take() {
            wrote = true;
            writer.write_record(&header).map_err(|e| e.to_string())?;
            let breaks: u64 = header.iter().map(|h| h.matches('\n').count() as u64).sum();
            if breaks > 0 {
                self.line += breaks;
                self.notes.shifts.push((self.line, breaks));
            }
        }
        // No panic is caught here: `check` has bounded every length arrow-rs trusts (a panic
        // would abort the page's wasm), and bedside's tests/fuzz.rs holds it to that.
        // Batches without rows (an empty row group) are passed over.
        loop {
            if wrote {
                break;
            }
            match self.batches.next() {
                None => break,
                Some(Err(e)) => return Err(e),
                Some(Ok(batch)) => {
                    wrote = batch.num_rows() > 0;
                    let resolved: Vec<Resolved> = self
                        .columns
                        .iter()
                        .map(|&i| resolve(batch.column(i)))
                        .collect();
                    let mut cells: Vec<String> = Vec::with_capacity(self.columns.len());
                    for row in 0..batch.num_rows() {
                        cells.clear();
                        let mut breaks = 0u64;
                        for r in &resolved {
                            let t = r.text(row).unwrap_or_default();
                            breaks += t.bytes().filter(|&b| b == b'\n').count() as u64;
                            cells.push(t);
                        }
                        writer.write_record(&cells).map_err(|e| e.to_string())?;
                        self.records += 1;
                        self.line += 1 + breaks;
                        if breaks > 0 {
                            let shift = self.line - (self.records + 2);
                            self.notes.shifts.push((self.line, shift));
                        }
                    }
                }
            }
        }
        let out = writer.into_inner().map_err(|e| e.to_string())?;
        Ok((!out.is_empty()).then_some(out))
    }

    /// The notes, with the line shifts of the text made so far (all of them at its end).
    pub fn notes(&self) -> &Notes {
        &self.notes
    }
}

impl std::io::Read for Text {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.next_chunk().map_err(std::io::Error::other)? {
                None => return Ok(0),
                Some(chunk) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_datetimes() {
        assert_eq!(datetime_text(86_400, 0), "1970-01-02");
        assert_eq!(datetime_text(86_400 + 3_661, 0), "1970-01-02 01:01:01");
        assert_eq!(datetime_text(-1, 500_000_000), "1969-12-31 23:59:59.5");
        assert_eq!(time_text(3_723_000, 1000), "01:02:03");
    }

    #[test]
    fn not_parquet_is_a_clear_error() {
        let err = File::open(b"PAR1 not really".to_vec()).err().unwrap();
        assert!(err.contains("Parquet"), "{err}");
    }
}
