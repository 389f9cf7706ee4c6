//! CSV reader: encoding and delimiter sniffing, missing tokens, type inference, bad-row reporting.
//!
//! Rows with the wrong number of fields or undecodable bytes are *rejected* and reported with
//! their physical line number (1-based, the header is line 1); they are never padded or dropped
//! silently. Problems that have one safe reading are *repaired* and the repair is reported:
//! empty or duplicate header names are renamed, decimal commas in a `;`/tab file are read as
//! decimal points, and a mostly numeric column keeps its type with its few non-numbers (`<5`,
//! `1e309`) read as missing, naming their lines.
//!
//! ```
//! use bedside::table::csv::{read_csv, CsvOptions};
//! let parsed = read_csv(b"id,age\n001,34\n002,NA\n003\n", "t.csv", &CsvOptions::default()).unwrap();
//! assert_eq!(parsed.table.rows(), 2);
//! assert_eq!(parsed.rejected[0].line, 4);
//! ```

pub use super::encoding::EncodingInfo;
pub use super::values::{
    infer_type, is_identifier_header, normalize_header, parse_date, parse_number,
};
use super::values::{is_code_header, is_code_with_leading_zero, is_dashed_code};
use super::{Column, ColumnType, Table, Values};
use crate::error::{Error, Result};
use crate::message::{self as msg, Message};
use serde::{Deserialize, Serialize};

mod write;
pub use write::{
    count_formulas, formula_warning, is_formula, safe_cell, write_csv, write_csv_after,
    write_csv_counted, write_csv_to, SafeWriter,
};

/// The cell texts that mean "missing" unless the caller says otherwise.
pub const DEFAULT_MISSING: &[&str] = &["", "NA", "N/A", "NaN", "NULL", "?", "-"];

/// How to read a CSV file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Field delimiter; sniffed from `, ; TAB |` when absent.
    pub delimiter: Option<char>,
    /// Cell texts (after trimming spaces) read as missing. Compared case-sensitively.
    pub missing: Vec<String>,
    /// The text encoding (any WHATWG label: `utf-8`, `gbk`, `windows-1252`...); detected when
    /// absent.
    pub encoding: Option<String>,
    /// For a workbook, the sheet to read: its name or its position from 1 (default: the first
    /// sheet holding data).
    pub sheet: Option<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            missing: DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
            encoding: None,
            sheet: None,
        }
    }
}

/// A data row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// Physical line (1-based) where the record starts.
    pub line: u64,
    /// The English rendering of `coded`.
    pub reason: String,
    /// The reason as a code with parameters (`code`, `params` in JSON).
    #[serde(flatten)]
    pub coded: Message,
}

impl RejectedRow {
    pub fn new(line: u64, reason: Message) -> Self {
        RejectedRow {
            line,
            reason: reason.to_string(),
            coded: reason,
        }
    }
}

/// A change the reader made so that the file could be read, reported in the profile and Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    pub column: String,
    /// Physical lines of the cells concerned (at most the first 20).
    pub lines: Vec<u64>,
    /// How many cells (or header names) were concerned.
    pub count: usize,
    /// The English rendering of `coded`.
    pub message: String,
    /// The repair as a code with parameters (`code`, `params` in JSON).
    #[serde(flatten)]
    pub coded: Message,
}

/// Share of present values that must be numbers for a column with a few non-numbers to be read
/// as numeric (the others then count as missing and are reported).
pub const NUMERIC_SHARE: f64 = 0.95;

/// The result of reading a file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub table: Table,
    pub rejected: Vec<RejectedRow>,
    pub repairs: Vec<Repair>,
    /// The physical line on which each loaded row starts.
    pub lines: Vec<u64>,
    pub delimiter: char,
    /// The encoding the text was read with, how it was decided and how sure that is.
    pub encoding: EncodingInfo,
    /// The file's format: `csv`, `xlsx`, `xls`, `ods`, `dta`, `sav`, `zsav`, `xpt`...
    pub format: String,
    /// For a workbook, the sheet read.
    pub sheet: Option<super::spreadsheet::SheetInfo>,
    /// Variable and value labels by column (statistics-package files), for the profile.
    pub labels: std::collections::BTreeMap<String, super::stats::ColumnLabels>,
}

/// Evidence gathered about one column in the first pass, with its numbers parsed speculatively.
struct Evidence {
    nums: Vec<f64>,
    present: usize,
    /// Present values that are not plain numbers (decimal-comma numbers excluded).
    bad: usize,
    bad_lines: Vec<u64>,
    /// A digit string with a leading zero (a code such as a ZIP) was seen: the column is text.
    code: bool,
    /// Values written with a decimal comma ("1,5") and whether every other value is a number.
    commas: usize,
}

/// Pass 1 for one record: every cell parsed as a number speculatively. Not inlined, so that a
/// wasm engine optimizes it after the first records: a single long call (the scan) keeps running
/// the code it started with, but a function called per record is swapped for optimized code.
#[inline(never)]
fn evidence_row(
    ev: &mut [Evidence],
    row: &[&str],
    text_only: &[bool],
    missing: &[&str],
    numeric_missing: bool,
    commas_allowed: bool,
    line: u64,
) {
    for ((e, cell), &skip) in ev.iter_mut().zip(row).zip(text_only) {
        let cell = cell.trim();
        // Fast path: a plain number that no missing token reads as.
        if !skip && !e.code && !numeric_missing {
            if let Some(x) = parse_number(cell) {
                e.present += 1;
                e.nums.push(x);
                continue;
            }
        }
        if missing.contains(&cell) {
            e.nums.push(f64::NAN);
            continue;
        }
        e.present += 1;
        if skip || e.code {
            continue;
        }
        if is_code_with_leading_zero(cell) || is_dashed_code(cell) {
            e.code = true;
            e.nums = Vec::new();
            continue;
        }
        let value = parse_number(cell).or_else(|| {
            let v = commas_allowed.then(|| decimal_comma_number(cell)).flatten();
            e.commas += v.is_some() as usize;
            v
        });
        e.nums.push(value.unwrap_or_else(|| {
            e.bad += 1;
            if e.bad_lines.len() < 20 {
                e.bad_lines.push(line);
            }
            f64::NAN
        }));
    }
}

/// A file the reader can read from its start more than once (it makes two passes), in pieces:
/// the whole bytes in memory, or a file read chunk by chunk (the browser's worker reads a dropped
/// file this way, so that the text and the table are never held together).
pub trait Source {
    /// Length in bytes.
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// A reader from byte `from` to the end (a source that shows progress does so as it is read).
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>>;
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(&self[(from as usize).min(<[u8]>::len(self))..]))
    }
}

/// Reads `bytes` (the whole file) into a typed table. `file` names the file in messages.
///
/// Two passes over the text, never holding a string per numeric cell: the first decides which
/// records load (and why others are rejected) and parses every cell as a number speculatively;
/// columns that turn out numeric are done. The second pass collects the text of the others.
pub fn read_csv(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Parsed> {
    let mut source = bytes;
    read_source(&mut source, file, opts)
}

/// An error about the file as a whole.
fn input_error(file: &str) -> impl Fn(String) -> Error + Copy + '_ {
    move |message| Error::Input {
        file: file.to_string(),
        message,
    }
}

/// The file could not be read (a source's I/O failed).
fn io_error(file: &str) -> impl Fn(std::io::Error) -> Error + Copy + '_ {
    move |e| Error::Input {
        file: file.to_string(),
        message: format!("cannot read the file: {e}"),
    }
}

/// Reads a [`Source`] into a typed table, as [`read_csv`] reads bytes (the same reader: this is
/// it). The encoding is decided first ([`super::encoding::detect`]): UTF-8 files are read in
/// pieces; files in another encoding are decoded whole in memory to UTF-8, their malformed bytes
/// rejected by line.
pub fn read_source(source: &mut dyn Source, file: &str, opts: &CsvOptions) -> Result<Parsed> {
    let (input_err, io_err) = (input_error(file), io_error(file));
    let det = super::encoding::detect(source, opts.encoding.as_deref()).map_err(input_err)?;
    if let Some(format) = det.binary {
        return super::read_binary(format, source, file, opts);
    }
    super::stats::check_extension(file, &det.head)?;
    let first = &det.head;
    if !super::encoding::is_utf16(det.encoding) {
        check_text(first).map_err(input_err)?;
    }
    if det.encoding == encoding_rs::UTF_8 {
        return read_decoded(source, det.bom_len, file, opts, det.info);
    }
    use std::io::Read;
    let mut all = Vec::with_capacity(source.len() as usize);
    source
        .open(det.bom_len)
        .map_err(io_err)?
        .read_to_end(&mut all)
        .map_err(io_err)?;
    if super::encoding::is_utf16(det.encoding) && !all.len().is_multiple_of(2) {
        return Err(input_err(format!(
            "{} text has an odd number of bytes",
            det.encoding.name()
        )));
    }
    let decoded = super::encoding::decode(&all, det.encoding);
    drop(all);
    let name = det.encoding.name();
    let mut text: &[u8] = &decoded.bytes;
    let mut parsed = read_decoded(&mut text, 0, file, opts, det.info).map_err(|e| match e {
        Error::Csv {
            file,
            line,
            field,
            message,
        } if message.ends_with("is not valid UTF-8") => {
            let bytes = decoded
                .malformed
                .iter()
                .find(|m| m.line >= line)
                .map_or_else(|| "?".to_string(), |m| m.bytes.clone());
            let what = field.clone().unwrap_or_default();
            Error::Csv {
                file,
                line,
                field,
                message: super::encoding::malformed_reason(&what, name, &bytes)
                    .to_string()
                    .replacen("field", "header name", 1),
            }
        }
        e => e,
    })?;
    super::encoding::explain_malformed(&mut parsed.rejected, &decoded.malformed, name);
    Ok(parsed)
}

/// Reads text already decoded to UTF-8 (the spreadsheet reader's rows), stating `encoding`.
pub(crate) fn read_decoded_csv(
    text: &[u8],
    file: &str,
    opts: &CsvOptions,
    encoding: EncodingInfo,
) -> Result<Parsed> {
    let mut source = text;
    read_decoded(&mut source, 0, file, opts, encoding)
}

/// Reads a [`Source`] of text already decoded to UTF-8 (the columnar reader's rows, made batch
/// by batch), stating `encoding`.
pub(crate) fn read_source_text(
    source: &mut dyn Source,
    file: &str,
    opts: &CsvOptions,
    encoding: EncodingInfo,
) -> Result<Parsed> {
    read_decoded(source, 0, file, opts, encoding)
}

fn read_decoded(
    source: &mut dyn Source,
    skip: u64,
    file: &str,
    opts: &CsvOptions,
    encoding: EncodingInfo,
) -> Result<Parsed> {
    let (input_err, io_err) = (input_error(file), io_error(file));
    let text_len = source.len().saturating_sub(skip);
    let sample = {
        use std::io::Read;
        let mut buf = Vec::new();
        source
            .open(skip)
            .map_err(io_err)?
            .take(64 * 1024)
            .read_to_end(&mut buf)
            .map_err(io_err)?;
        buf
    };
    if sample.iter().all(|b| b.is_ascii_whitespace()) && text_len <= sample.len() as u64 {
        return Err(input_err("the file is empty".into()));
    }
    let delimiter = match opts.delimiter {
        Some(d) if d.is_ascii() => d as u8,
        Some(d) => {
            return Err(input_err(format!(
                "delimiter '{d}' must be a single ASCII character"
            )))
        }
        None => sniff_delimiter(&sample),
    };
    let mut repairs = Vec::new();
    let header: Vec<String> = {
        let mut reader = reader(source.open(skip).map_err(io_err)?, delimiter);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => header_fields(
                &record,
                file,
                record.position().map_or(1, |p| p.line()),
                &mut repairs,
            )?,
            Ok(false) => return Err(input_err("the file has no header row".into())),
            Err(e) => return Err(input_err(format!("cannot read the header: {e}"))),
        }
    };
    let width = header.len();
    let missing: Vec<&str> = opts.missing.iter().map(String::as_str).collect();
    let commas_allowed = delimiter != b',';
    // A missing token that reads as a number (e.g. "-999") must be checked before numbers are.
    let numeric_missing = missing.iter().any(|m| parse_number(m).is_some());
    // Identifier and code headers (ZIP, ICD) are read as text whatever their values look like.
    let text_only: Vec<bool> = header
        .iter()
        .map(|h| is_identifier_header(h) || is_code_header(h))
        .collect();

    // Pass 1: which records load; every cell parsed as a number.
    let mut ev: Vec<Evidence> = (0..width)
        .map(|_| Evidence {
            nums: Vec::new(),
            present: 0,
            bad: 0,
            bad_lines: Vec::new(),
            code: false,
            commas: 0,
        })
        .collect();
    let mut lines = Vec::new();
    let rejected = scan(source, skip, delimiter, &header, |line, row| {
        lines.push(line);
        evidence_row(
            &mut ev,
            row,
            &text_only,
            &missing,
            numeric_missing,
            commas_allowed,
            line,
        );
    })?;

    // Decide: numeric columns are finished; the rest need their text (pass 2).
    let numeric: Vec<bool> = ev
        .iter()
        .zip(&text_only)
        .map(|(e, &skip)| {
            !skip && !e.code && e.present > 0 && (e.present - e.bad) as f64 >= NUMERIC_SHARE * e.present as f64
                // decimal commas only where every other value is a plain number
                && (e.commas == 0 || e.bad == 0)
        })
        .collect();
    let mut texts: Vec<Option<Vec<Option<String>>>> = numeric
        .iter()
        .map(|&n| (!n).then(|| Vec::with_capacity(lines.len())))
        .collect();
    if texts.iter().any(Option::is_some) {
        scan(source, skip, delimiter, &header, |_, row| {
            for (t, cell) in texts.iter_mut().zip(row) {
                if let Some(t) = t {
                    let cell = cell.trim();
                    t.push((!missing.contains(&cell)).then(|| cell.to_string()));
                }
            }
        })?;
    }

    let columns = header
        .into_iter()
        .zip(ev)
        .zip(texts)
        .map(|((name, e), text)| match text {
            None => {
                if e.commas > 0 {
                    repairs.push(Repair {
                        column: name.clone(),
                        lines: Vec::new(),
                        count: e.commas,
                        message: msg::repair_decimal_comma().to_string(),
                        coded: msg::repair_decimal_comma(),
                    });
                }
                if e.bad > 0 {
                    repairs.push(Repair {
                        column: name.clone(),
                        count: e.bad,
                        lines: e.bad_lines,
                        message: msg::repair_non_numbers().to_string(),
                        coded: msg::repair_non_numbers(),
                    });
                }
                Column {
                    name,
                    ctype: ColumnType::Numeric,
                    values: Values::num(e.nums),
                }
            }
            Some(values) => {
                // Numeric was decided in pass 1 (decimal commas included); not again here.
                let ctype = match infer_type(&name, &values) {
                    ColumnType::Numeric => ColumnType::Categorical,
                    t => t,
                };
                Column {
                    name,
                    ctype,
                    values: Values::str(values),
                }
            }
        })
        .collect();
    Ok(Parsed {
        table: Table::new(columns),
        rejected,
        repairs,
        lines,
        delimiter: delimiter as char,
        encoding,
        format: "csv".into(),
        sheet: None,
        labels: Default::default(),
    })
}

fn reader<R: std::io::Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input)
}

/// Passes bytes through, counting the quote characters among them and noting where each line's
/// content starts, with its physical line. The csv crate cannot say it: a record's position is
/// where the reader began looking for it, before the line ends it skips (the LF of a CRLF,
/// blank lines), and it counts only LF as a new line (a bare CR ends a record too, as in old Mac
/// files).
struct Counting<R> {
    inner: R,
    quotes: std::rc::Rc<std::cell::Cell<u64>>,
    lines: std::rc::Rc<std::cell::RefCell<LineStarts>>,
    /// Bytes passed so far.
    offset: u64,
    /// The last byte was a CR (an LF after it ends the same line).
    after_cr: bool,
    /// A line end was passed and no other byte since.
    at_start: bool,
}

/// The first byte after each run of line ends, `(offset, physical line)` in order, and the line
/// of the next byte read; the records drop theirs as they come ([`physical_line`]), so it holds
/// about one buffer's lines.
struct LineStarts {
    starts: std::collections::VecDeque<(u64, u64)>,
    line: u64,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut quotes = 0;
        let mut lines = self.lines.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\r' => {
                    lines.line += 1;
                    self.after_cr = true;
                    self.at_start = true;
                }
                b'\n' => {
                    if !self.after_cr {
                        lines.line += 1;
                    }
                    self.after_cr = false;
                    self.at_start = true;
                }
                _ => {
                    quotes += u64::from(b == b'"');
                    self.after_cr = false;
                    if self.at_start {
                        self.at_start = false;
                        let line = lines.line;
                        lines.starts.push_back((self.offset + i as u64, line));
                    }
                }
            }
        }
        self.quotes.set(self.quotes.get() + quotes);
        self.offset += n as u64;
        Ok(n)
    }
}

/// The physical line of a record the csv reader placed at byte `at`: that of the first line
/// content at or after it (past the line ends the reader skipped before the record). Records
/// come in order, so the line starts before `at` are dropped.
fn physical_line(at: u64, lines: &mut LineStarts) -> u64 {
    while lines.starts.front().is_some_and(|&(o, _)| o < at) {
        lines.starts.pop_front();
    }
    lines.starts.front().map_or(lines.line, |&(_, line)| line)
}

/// Reads the records after the header, calling `row(line, fields)` for each one that loads and
/// returning the ones rejected, with why. Both passes of `read_csv` see the same outcome.
fn scan(
    source: &mut dyn Source,
    skip: u64,
    delimiter: u8,
    header: &[String],
    mut row: impl FnMut(u64, &[&str]),
) -> Result<Vec<RejectedRow>> {
    let width = header.len();
    let total = source.len().saturating_sub(skip);
    let quotes = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let lines = std::rc::Rc::new(std::cell::RefCell::new(LineStarts {
        starts: std::collections::VecDeque::new(),
        line: 1,
    }));
    let mut rejected = Vec::new();
    let input = Counting {
        inner: source
            .open(skip)
            .map_err(|e| Error::Data(format!("cannot read the file again: {e}")))?,
        quotes: quotes.clone(),
        lines: lines.clone(),
        offset: 0,
        after_cr: false,
        at_start: true,
    };
    let mut reader = reader(input, delimiter);
    let mut record = csv::ByteRecord::new();
    if !matches!(reader.read_byte_record(&mut record), Ok(true)) {
        return Ok(rejected); // the header (already read by the caller)
    }
    // One buffer for every record's fields (a million rows: a million allocations saved).
    let mut spare: Vec<&str> = Vec::with_capacity(width);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(0, |p| physical_line(p.byte(), &mut lines.borrow_mut()));
                if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) && width > 1 {
                    continue; // a blank line (spaces only) is not a record
                }
                // An odd number of quote characters in the file means a quote opened and never
                // closed: the record holding it swallowed the rest of the file. At the last
                // record every byte has gone through the counter.
                let at_end = reader.position().byte() >= total;
                let swallowed =
                    at_end && quotes.get() % 2 == 1 && record.iter().any(|f| f.contains(&b'\n'));
                if swallowed {
                    rejected.push(RejectedRow::new(line, msg::csv_unclosed_quote()));
                    continue;
                }
                if record.len() != width {
                    rejected.push(RejectedRow::new(
                        line,
                        msg::csv_field_count(width, record.len()),
                    ));
                    continue;
                }
                let mut fields = recycle(std::mem::take(&mut spare));
                match decode_row(&record, header, &mut fields) {
                    Ok(()) => row(line, &fields),
                    Err(reason) => rejected.push(RejectedRow::new(line, reason)),
                }
                spare = recycle(fields);
            }
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| physical_line(p.byte(), &mut lines.borrow_mut()));
                if let csv::ErrorKind::Io(io) = e.kind() {
                    return Err(Error::Data(format!("cannot read the file: {io}")));
                }
                rejected.push(RejectedRow::new(line, msg::csv_unreadable(e.to_string())));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break; // I/O-level errors cannot be resumed
                }
            }
        }
    }
    Ok(rejected)
}

/// "1,5" → 1.5: a number written with a decimal comma (digits, one comma, digits).
fn decimal_comma_number(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once(',')?;
    let digits = int.strip_prefix('-').unwrap_or(int);
    let ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(ok(digits) && ok(frac)) || is_code_with_leading_zero(digits) {
        return None;
    }
    format!("{int}.{frac}").parse().ok()
}

/// without a byte-order mark). Workbooks never get here: they have their own reader.
fn check_text(bytes: &[u8]) -> std::result::Result<(), String> {
    let head = &bytes[..bytes.len().min(4096)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls * 4 > head.len() {
        return Err("this looks like a binary file or UTF-16 text without a byte-order mark (many NUL bytes); save it as CSV (UTF-8)".into());
    }
    Ok(())
}

/// Picks the candidate delimiter that appears most consistently (outside quotes) in the first lines.
fn sniff_delimiter(text: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let sample = &text[..text.len().min(64 * 1024)];
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    for &b in sample {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                counts.push(current);
                current = [0; 4];
                if counts.len() >= 50 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    current[i] += 1;
                }
            }
            _ => {}
        }
    }
    if current.iter().any(|&c| c > 0) {
        counts.push(current);
    }
    let score = |i: usize| -> (usize, usize) {
        let first = counts.first().map_or(0, |c| c[i]);
        let consistent = counts.iter().filter(|c| c[i] == first && first > 0).count();
        (consistent, first)
    };
    (0..4)
        .max_by_key(|&i| (score(i), std::cmp::Reverse(i)))
        .map_or(b',', |i| CANDIDATES[i])
}

fn header_fields(
    record: &csv::ByteRecord,
    file: &str,
    line: u64,
    repairs: &mut Vec<Repair>,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let (mut empty, mut dups) = (Vec::new(), Vec::new());
    for (i, raw) in record.iter().enumerate() {
        let mut name = std::str::from_utf8(raw)
            .map_err(|_| Error::Csv {
                file: file.into(),
                line,
                field: Some(format!("#{}", i + 1)),
                message: msg::repair_header_utf8().to_string(),
            })?
            .trim()
            .to_string();
        if name.is_empty() {
            name = format!("column_{}", i + 1);
            empty.push(name.clone());
        }
        if seen.contains(&name) {
            let base = name.clone();
            let mut n = 2;
            while seen.contains(&format!("{base}_{n}")) {
                n += 1;
            }
            name = format!("{base}_{n}");
            dups.push(format!("{base} → {name}"));
        }
        seen.insert(name.clone());
        names.push(name);
    }
    if !empty.is_empty() {
        repairs.push(Repair {
            column: empty.join(", "),
            lines: vec![line],
            count: empty.len(),
            message: msg::repair_empty_header().to_string(),
            coded: msg::repair_empty_header(),
        });
    }
    if !dups.is_empty() {
        repairs.push(Repair {
            column: dups.join(", "),
            lines: vec![line],
            count: dups.len(),
            message: msg::repair_duplicate_header().to_string(),
            coded: msg::repair_duplicate_header(),
        });
    }
    Ok(names)
}

fn decode_row<'a>(
    record: &'a csv::ByteRecord,
    header: &[String],
    fields: &mut Vec<&'a str>,
) -> std::result::Result<(), Message> {
    for (raw, name) in record.iter().zip(header) {
        if raw.contains(&0) {
            return Err(msg::csv_nul_byte(name.as_str()));
        }
        let field = std::str::from_utf8(raw).map_err(|_| msg::csv_invalid_utf8(name.as_str()))?;
        fields.push(field);
    }
    Ok(())
}

/// An emptied buffer with a new lifetime, its allocation kept (collecting an empty vector's
/// `into_iter` into one of the same layout reuses the allocation).
fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}
