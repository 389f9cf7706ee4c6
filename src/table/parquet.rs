//! Columnar files: Parquet and Arrow IPC (file and stream), through arrow-rs (`parquet`,
//! `arrow-ipc`; pure Rust, built with the pure-Rust codecs only so that the page's wasm needs no
//! C toolchain), and the Parquet export of a table.
//!
//! Reading is done batch by batch (a Parquet file row group by row group): each batch of typed
//! values is written as CSV text and read by the CSV reader's own inference, so that one table
//! gives the same types, repairs, profile and Report whatever format it came in (issue 21, item
//! 7). The text is produced as the CSV reader asks for it, so memory holds one batch of values
//! beside the table being built, never the file as text. Values become text this way: integers and
//! decimals as written, floats in their shortest round-trip form (NaN = missing), dates as
//! `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS` (in UTC when the file gives a zone,
//! reported), booleans `true`/`false`, nulls missing. A column of Arrow's dictionary type
//! (pandas' `category`) is a category. Columns that hold no single value per cell (lists,
//! structs, maps) or bytes are left out, each reported. Line numbers in messages count the
//! header as line 1 and the first record as line 2, as in a CSV of the same table.

use super::csv::{CsvOptions, EncodingInfo, Parsed, Repair, Source};
use super::{ColumnType, Table, Values};
use crate::error::{Error, Result};
use crate::message;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::rc::Rc;

mod check;

/// Records per batch read at once (a Parquet row group is read in batches of this size).
pub const BATCH_ROWS: usize = 4096;

/// A columnar format, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columnar {
    /// Apache Parquet (`PAR1`).
    Parquet,
    /// Arrow IPC file (`ARROW1`; also Feather version 2).
    ArrowFile,
    /// Arrow IPC stream (a continuation marker, then the schema message).
    ArrowStream,
}

impl Columnar {
    /// The format's name in profiles and Reports (`input.format`).
    pub fn name(self) -> &'static str {
        match self {
            Columnar::Parquet => "parquet",
            Columnar::ArrowFile => "arrow",
            Columnar::ArrowStream => "arrow_stream",
        }
    }
}

/// The columnar format the first bytes announce, if any.
pub fn columnar_format(head: &[u8]) -> Option<Columnar> {
    if head.starts_with(b"PAR1") {
        Some(Columnar::Parquet)
    } else if head.starts_with(b"ARROW1") {
        Some(Columnar::ArrowFile)
    } else if head.len() >= 8 && head.starts_with(&[0xFF; 4]) && head[4..8] != [0; 4] {
        Some(Columnar::ArrowStream)
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

/// Turns an arrow-rs error into a message about the file.
fn describe(format: Columnar, e: impl std::fmt::Display) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let name = match format {
        Columnar::Parquet => "Parquet",
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
    format: Columnar,
) -> std::result::Result<(SchemaRef, Batches), String> {
    match format {
        Columnar::Parquet => {
            use parquet::arrow::arrow_reader::ArrowReaderOptions;
            use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
            use parquet::file::metadata::PageIndexPolicy;
            let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Skip);
            let builder =
                ParquetRecordBatchReaderBuilder::try_new_with_options(bytes.clone(), options)
                    .map_err(|e| describe(format, e))?
                    .with_batch_size(BATCH_ROWS);
            check::parquet(bytes, builder.metadata()).map_err(|e| describe(format, e))?;
            let schema = builder.schema().clone();
            let reader = builder.build().map_err(|e| describe(format, e))?;
            Ok((
                schema,
                Box::new(reader.map(move |b| b.map_err(|e| describe(format, e)))),
            ))
        }
        Columnar::ArrowFile => {
            check::arrow_file(bytes).map_err(|e| describe(format, e))?;
            let reader =
                arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes.clone()), None)
                    .map_err(|e| describe(format, e))?;
            let schema = reader.schema();
            Ok((
                schema,
                Box::new(reader.map(move |b| b.map_err(|e| describe(format, e)))),
            ))
        }
        Columnar::ArrowStream => {
            check::arrow_stream(bytes).map_err(|e| describe(format, e))?;
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
            return (!x.is_nan()).then(|| super::format_number(x));
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

/// What the reading of the text found, shared by every pass over it.
#[derive(Default)]
struct Shared {
    /// CSV line of a record → how many lines it lies below its record line (records holding
    /// line breaks push the following ones down).
    shifts: BTreeMap<u64, u64>,
}

/// The file as a [`Source`] of CSV text, made batch by batch each time it is opened.
struct CsvText {
    bytes: bytes::Bytes,
    format: Columnar,
    /// Indices of the columns read.
    columns: Vec<usize>,
    header: Vec<String>,
    /// Length of the text, measured by a first pass.
    len: u64,
    shared: Rc<RefCell<Shared>>,
}

/// Produces the CSV text of the file on demand.
struct TextReader {
    batches: Batches,
    columns: Vec<usize>,
    buf: Vec<u8>,
    pos: usize,
    /// CSV line the next record starts on; records written so far.
    line: u64,
    records: u64,
    shared: Rc<RefCell<Shared>>,
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

impl TextReader {
    /// Writes the next batch into `buf`; false at the end.
    fn fill(&mut self) -> std::io::Result<bool> {
        // No panic is caught here: `check` has bounded every length arrow-rs trusts (a panic
        // would abort the page's wasm), and tests/fuzz.rs holds it to that.
        let batch = match self.batches.next() {
            None => return Ok(false),
            Some(Err(e)) => return Err(std::io::Error::other(e)),
            Some(Ok(b)) => b,
        };
        let resolved: Vec<Resolved> = self
            .columns
            .iter()
            .map(|&i| resolve(batch.column(i)))
            .collect();
        let mut writer = csv_writer();
        let mut cells: Vec<String> = Vec::with_capacity(self.columns.len());
        for row in 0..batch.num_rows() {
            cells.clear();
            let mut breaks = 0u64;
            for r in &resolved {
                let t = r.text(row).unwrap_or_default();
                breaks += t.bytes().filter(|&b| b == b'\n').count() as u64;
                cells.push(t);
            }
            writer.write_record(&cells).map_err(std::io::Error::other)?;
            self.records += 1;
            self.line += 1 + breaks;
            let shift = self.line - (self.records + 2);
            if breaks > 0 {
                self.shared.borrow_mut().shifts.insert(self.line, shift);
            }
        }
        self.buf = writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.pos = 0;
        Ok(true)
    }
}

impl Read for TextReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.buf.len() {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl CsvText {
    fn reader(&self) -> std::io::Result<TextReader> {
        let (_, batches) = open_batches(&self.bytes, self.format).map_err(std::io::Error::other)?;
        let mut writer = csv_writer();
        writer
            .write_record(&self.header)
            .map_err(std::io::Error::other)?;
        let buf = writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let header_breaks: u64 = self
            .header
            .iter()
            .map(|h| h.matches('\n').count() as u64)
            .sum();
        if header_breaks > 0 {
            self.shared
                .borrow_mut()
                .shifts
                .insert(2 + header_breaks, header_breaks);
        }
        Ok(TextReader {
            batches,
            columns: self.columns.clone(),
            buf,
            pos: 0,
            line: 2 + header_breaks,
            records: 0,
            shared: self.shared.clone(),
        })
    }
}

impl Source for CsvText {
    fn len(&self) -> u64 {
        self.len
    }
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn Read + '_>> {
        let mut r = self.reader()?;
        std::io::copy(&mut (&mut r).take(from), &mut std::io::sink())?;
        Ok(Box::new(r))
    }
}

/// Reads a Parquet or Arrow IPC file (whole, in memory) into a table, batch by batch.
pub fn read_columnar(
    bytes: Vec<u8>,
    format: Columnar,
    file: &str,
    opts: &CsvOptions,
) -> Result<Parsed> {
    let input_err = |message: String| Error::Input {
        file: file.to_string(),
        message,
    };
    let bytes = bytes::Bytes::from(bytes);
    let (schema, _) = open_batches(&bytes, format).map_err(input_err)?;
    let mut repairs = Vec::new();
    let mut columns = Vec::new();
    let mut dictionary = Vec::new();
    let mut zones: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, f) in schema.fields().iter().enumerate() {
        let t = f.data_type();
        if !supported(t) {
            let note = message::repair_unsupported_column(t.to_string());
            repairs.push(Repair {
                column: f.name().clone(),
                lines: Vec::new(),
                count: 1,
                message: note.to_string(),
                coded: note,
            });
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
        dictionary.push(matches!(t, DataType::Dictionary(_, _)));
        columns.push(i);
    }
    if columns.is_empty() {
        return Err(input_err(
            "the file has no column that holds one value per cell (numbers, text, dates)".into(),
        ));
    }
    for (zone, names) in zones {
        for name in names {
            let note = message::repair_timestamp_utc(zone.clone());
            repairs.push(Repair {
                column: name,
                lines: Vec::new(),
                count: 1,
                message: note.to_string(),
                coded: note,
            });
        }
    }
    let header: Vec<String> = columns
        .iter()
        .map(|&i| schema.field(i).name().clone())
        .collect();
    let shared = Rc::new(RefCell::new(Shared::default()));
    let mut text = CsvText {
        bytes,
        format,
        columns,
        header,
        len: 0,
        shared: shared.clone(),
    };
    // The text's length (the CSV reader tells an empty file by it).
    let mut counting = text.reader().map_err(|e| input_err(e.to_string()))?;
    text.len =
        std::io::copy(&mut counting, &mut std::io::sink()).map_err(|e| input_err(e.to_string()))?;
    drop(counting);
    let opts = CsvOptions {
        delimiter: Some(','),
        encoding: None,
        sheet: None,
        ..opts.clone()
    };
    let mut parsed = super::csv::read_source_text(&mut text, file, &opts, EncodingInfo::binary())?;
    // CSV lines → record lines (header 1, first record 2).
    let shifts = std::mem::take(&mut shared.borrow_mut().shifts);
    let remap = |line: u64| -> u64 {
        shifts
            .range(..=line)
            .next_back()
            .map_or(line, |(_, &shift)| line - shift)
    };
    if !shifts.is_empty() {
        for l in parsed.lines.iter_mut() {
            *l = remap(*l);
        }
        for r in parsed.rejected.iter_mut() {
            r.line = remap(r.line);
        }
        for r in parsed.repairs.iter_mut() {
            for l in r.lines.iter_mut() {
                *l = remap(*l);
            }
        }
    }
    // A column the file declares as a category (Arrow's dictionary type, pandas' `category`)
    // is one, unless its values single out people or are numbers or dates.
    for (col, &dict) in parsed.table.columns.iter_mut().zip(&dictionary) {
        if dict && col.ctype == ColumnType::Text {
            col.ctype = ColumnType::Categorical;
        }
    }
    repairs.append(&mut parsed.repairs);
    parsed.repairs = repairs;
    parsed.format = format.name().to_string();
    Ok(parsed)
}

/// The table as a Parquet file (snappy-compressed, one row group per million rows): numeric
/// columns as doubles, categorical columns as dictionary-encoded strings (read back as
/// categories), date columns as dates when every value is a plain `YYYY-MM-DD` date, other
/// columns as UTF-8 strings; missing cells are nulls. Parquet cells are typed, so the
/// spreadsheet formula rule does not apply: text is written as it is.
pub fn write_parquet(table: &Table) -> Result<Vec<u8>> {
    use arrow_array::{DictionaryArray, Float64Array, StringArray};
    use arrow_schema::{Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    use std::sync::Arc;
    let fail = |e: parquet::errors::ParquetError| {
        Error::Data(format!("cannot write the Parquet file: {e}"))
    };
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for col in &table.columns {
        let array: ArrayRef = match &col.values {
            Values::Num(v) => Arc::new(Float64Array::from(
                v.iter()
                    .map(|&x| (!x.is_nan()).then_some(x))
                    .collect::<Vec<_>>(),
            )),
            Values::Str(v) if col.ctype == ColumnType::Categorical => {
                let d: DictionaryArray<Int32Type> = v.iter().map(|s| s.as_deref()).collect();
                Arc::new(d)
            }
            Values::Str(v) => match plain_dates(v) {
                Some(days) => Arc::new(arrow_array::Date32Array::from(days)),
                None => Arc::new(StringArray::from(
                    v.iter().map(|s| s.as_deref()).collect::<Vec<_>>(),
                )),
            },
        };
        fields.push(Field::new(&col.name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::Data(format!("cannot write the Parquet file: {e}")))?
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by("bedside".into())
        .build();
    let mut w = ArrowWriter::try_new(Vec::new(), schema, Some(props)).map_err(fail)?;
    w.write(&batch).map_err(fail)?;
    w.into_inner().map_err(fail)
}

/// Days since 1970 of every value when all present values are plain `YYYY-MM-DD` dates (and at
/// least one is present).
fn plain_dates(v: &[Option<String>]) -> Option<Vec<Option<i32>>> {
    let mut any = false;
    let days = v
        .iter()
        .map(|s| match s {
            None => Some(None),
            Some(s) if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
                let (y, m, d) = super::values::parse_date(s)?;
                any = true;
                i32::try_from(days_from_civil(i64::from(y), m, d))
                    .ok()
                    .map(Some)
            }
            Some(_) => None,
        })
        .collect::<Option<Vec<_>>>()?;
    any.then_some(days)
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
    fn times_and_datetimes() {
        assert_eq!(datetime_text(86_400, 0), "1970-01-02");
        assert_eq!(datetime_text(86_400 + 3_661, 0), "1970-01-02 01:01:01");
        assert_eq!(datetime_text(-1, 500_000_000), "1969-12-31 23:59:59.5");
        assert_eq!(time_text(3_723_000, 1000), "01:02:03");
    }

    #[test]
    fn formats_by_first_bytes() {
        assert_eq!(columnar_format(b"PAR1\x15\x04"), Some(Columnar::Parquet));
        assert_eq!(columnar_format(b"ARROW1\0\0"), Some(Columnar::ArrowFile));
        assert_eq!(
            columnar_format(&[0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0, 0, 0]),
            Some(Columnar::ArrowStream)
        );
        assert_eq!(columnar_format(b"a,b\n1,2\n"), None);
    }

    #[test]
    fn parquet_round_trip_keeps_values_and_types() {
        let csv = "id,age,sex,seen,note\n001,34,F,2020-01-05,\"a, b\"\n002,,M,2021-12-31,x\n003,51.5,F,,\"two\nlines\"\n004,40,M,2020-02-02,y\n";
        let p =
            super::super::csv::read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default()).unwrap();
        let bytes = write_parquet(&p.table).unwrap();
        let q = read_columnar(
            bytes,
            Columnar::Parquet,
            "t.parquet",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(format!("{:?}", q.table), format!("{:?}", p.table));
        assert_eq!(q.format, "parquet");
        assert_eq!(q.lines, vec![2, 3, 4, 5]);
        assert!(q.rejected.is_empty());
    }

    #[test]
    fn not_parquet_is_a_clear_error() {
        let err = read_columnar(
            b"PAR1 not really".to_vec(),
            Columnar::Parquet,
            "x.parquet",
            &CsvOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("x.parquet") && err.contains("Parquet"),
            "{err}"
        );
    }
}
