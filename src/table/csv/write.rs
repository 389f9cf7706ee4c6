//! The one CSV writer of every file Bedside exports, and what makes a cell safe in it (invariant
//! 7: no cell runs as a formula in a spreadsheet).

use crate::message::Message;
use crate::table::{Table, Values};
use std::borrow::Cow;
use std::io::Write;

/// Would a spreadsheet run this cell as a formula? A text cell beginning with `=`, `+`, `-`, `@`,
/// a tab or a carriage return that is not a number (OWASP "CSV injection"). `-5.2` and `+3` are
/// numbers and stay as they are; `-2+3`, `=HYPERLINK(..)`, `+cmd`, `@SUM(..)` are not.
pub fn is_formula(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && cell.trim().parse::<f64>().map_or(true, |v| !v.is_finite())
}

/// The cell as written: a formula-like cell ([`is_formula`]) gets a leading `'`, which every
/// spreadsheet shows as text and never runs.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    if is_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The one CSV writer of every file Bedside exports (invariant 7: no cell runs as a formula):
/// each cell goes through [`safe_cell`], and the cells it neutralised are counted so that the
/// caller reports them (a warning: nothing is changed silently). It writes into a `Vec` (the
/// default) or into any [`Write`] sink in pieces (a file natively, a Blob built piece by piece in
/// the page), so a large table is never held twice.
pub struct SafeWriter<W: Write = Vec<u8>> {
    w: csv::Writer<W>,
    neutralised: usize,
    /// The sink's first error; nothing more is written after it ([`SafeWriter::end`] returns it).
    error: Option<std::io::Error>,
}

impl Default for SafeWriter {
    fn default() -> Self {
        SafeWriter::to(Vec::new())
    }
}

impl SafeWriter {
    /// The bytes written and the count of cells neutralised (writing to a `Vec` cannot fail).
    pub fn finish(self) -> (Vec<u8>, usize) {
        self.end().unwrap_or_default()
    }
}

impl<W: Write> SafeWriter<W> {
    /// A writer into `sink`, which gets the bytes in pieces as they are written.
    pub fn to(sink: W) -> Self {
        SafeWriter {
            w: csv::Writer::from_writer(sink),
            neutralised: 0,
            error: None,
        }
    }

    /// Writes one record.
    pub fn record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        if self.error.is_some() {
            return;
        }
        let cells: Vec<Cow<'a, str>> = cells
            .into_iter()
            .map(|c| {
                let safe = safe_cell(c);
                if matches!(safe, Cow::Owned(_)) {
                    self.neutralised += 1;
                }
                safe
            })
            .collect();
        if let Err(e) = self.w.write_record(cells.iter().map(|c| c.as_bytes())) {
            self.error = Some(e.into());
        }
    }

    /// The sink, every byte flushed into it, and the count of cells neutralised; or the sink's
    /// first error.
    pub fn end(self) -> std::io::Result<(W, usize)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let sink = self
            .w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.error().to_string()))?;
        Ok((sink, self.neutralised))
    }
}

/// The warning for `n` neutralised cells of `what` (None when there are none).
pub fn formula_warning(n: usize, warning: impl FnOnce(usize) -> Message) -> Option<Message> {
    (n > 0).then(|| warning(n))
}

/// Writes a table as UTF-8 CSV with a header; missing cells are empty. Formula-like cells
/// (header included) are neutralised; their count is [`write_csv_counted`]'s second value.
pub fn write_csv(table: &Table) -> Vec<u8> {
    write_csv_counted(table).0
}

/// [`write_csv`] and the count of cells it neutralised.
pub fn write_csv_counted(table: &Table) -> (Vec<u8>, usize) {
    write_csv_after(&[], table)
}

/// `head` (a byte-order mark, or nothing) and then [`write_csv_counted`]'s bytes, in one buffer
/// sized from the table's first rows, and the count of cells neutralised.
pub fn write_csv_after(head: &[u8], table: &Table) -> (Vec<u8>, usize) {
    let mut buffer = Vec::with_capacity(head.len() + estimated_size(table));
    buffer.extend_from_slice(head);
    // Writing into a Vec cannot fail.
    write_csv_to(table, buffer).unwrap_or_default()
}

/// [`write_csv_counted`] into `sink` in pieces (the bytes are never all in memory at once here):
/// the sink and the count of cells neutralised, or the sink's first error.
pub fn write_csv_to<W: Write>(table: &Table, sink: W) -> std::io::Result<(W, usize)> {
    let mut w = SafeWriter::to(sink);
    write_rows(&mut w, table, table.rows());
    w.end()
}

/// The header and the first `rows` rows of `table`.
fn write_rows<W: Write>(w: &mut SafeWriter<W>, table: &Table, rows: usize) {
    w.record(table.columns.iter().map(|c| c.name.as_str()));
    for r in 0..rows {
        let cells: Vec<String> = table
            .columns
            .iter()
            .map(|c| c.values.text(r).unwrap_or_default())
            .collect();
        w.record(cells.iter().map(String::as_str));
    }
}

/// The size of `table` written as CSV, from its first rows and an eighth over: the file is one
/// buffer, and one that grows by doubling copies itself at each step (at 1,000,000 rows the last
/// step alone holds three times the file's bytes at once, and a wasm heap keeps that mark).
fn estimated_size(table: &Table) -> usize {
    const SAMPLE: usize = 1024;
    let sample = table.rows().min(SAMPLE);
    let mut probe = SafeWriter::default();
    write_rows(&mut probe, table, sample);
    let written = probe.finish().0.len();
    if sample == table.rows() {
        return written;
    }
    let per_row = written as f64 / sample as f64;
    (per_row * table.rows() as f64 * 1.125) as usize
}

/// How many cells of `table` (header included) [`write_csv`] would neutralise, counted without
/// writing the file (a run reports it for the masked table whether or not it is written).
pub fn count_formulas(table: &Table) -> usize {
    table
        .columns
        .iter()
        .map(|c| {
            let cells = match &c.values {
                Values::Str(v) => v.iter().flatten().filter(|s| is_formula(s)).count(),
                // A number's text is a formula only when it is not finite ("-inf").
                Values::Num(v) => (0..v.len())
                    .filter(|&r| v[r].is_infinite())
                    .filter(|&r| c.values.text(r).is_some_and(|t| is_formula(&t)))
                    .count(),
            };
            usize::from(is_formula(&c.name)) + cells
        })
        .sum()
}
