//! Spreadsheets (.xlsx, .xlsm, .xls, .ods) through `calamine` (pure Rust, builds for wasm32).
//!
//! A sheet (the first with data, or the one asked for) is turned into rows of text and read by
//! the CSV reader's own inference, so that a table gives the same types, repairs and profile
//! whatever file it came in. What the turning does is reported, never silent: title rows above
//! the header skipped, merged header cells named, merged data cells read as missing, Excel date
//! serials written as ISO dates, error cells (`#DIV/0!`) and formulas without a saved value read
//! as missing. Formulas are read as the values the spreadsheet saved with them. Row numbers in
//! messages (`line`) are the sheet's own row numbers.

use super::csv::{read_decoded_csv, CsvOptions, EncodingInfo, Parsed, Repair};
use crate::error::{Error, Result};
use crate::message::{self, Message};
use calamine::{Data, Dimensions, Range, Reader, Sheets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Cursor;

/// Which sheet of a workbook was read, stated in the profile and the Report (`input.sheet`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetInfo {
    /// The sheet read.
    pub name: String,
    /// Its position (1-based) among `sheets`.
    pub index: usize,
    /// Every sheet of the workbook, in order (the page's select).
    pub sheets: Vec<String>,
    /// The sheet row (1-based) read as the header.
    pub header_row: u64,
}

/// Rows examined when looking for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Does the file start like a workbook (ZIP: .xlsx/.xlsm/.ods; OLE: .xls)?
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// The workbook's format name: `xlsx` (also .xlsm), `xls`, `xlsb` or `ods`.
fn format_name<RS>(wb: &Sheets<RS>) -> &'static str {
    match wb {
        Sheets::Xlsx(_) => "xlsx",
        Sheets::Xls(_) => "xls",
        Sheets::Xlsb(_) => "xlsb",
        Sheets::Ods(_) => "ods",
    }
}

/// Why a file that starts like a workbook cannot be opened: the error of the reader its first
/// bytes name (a ZIP archive: .ods when its `mimetype` says so, else .xlsx; a compound file:
/// .xls), so that a damaged or truncated file says so rather than calamine's "Cannot detect file
/// format" after trying every kind.
fn why_not_a_workbook(bytes: &[u8]) -> String {
    let c = || Cursor::new(bytes);
    let (kind, error) = if bytes.starts_with(b"PK\x03\x04") {
        if bytes
            .get(30..)
            .is_some_and(|r| r.starts_with(b"mimetypeapplication/vnd.oasis.opendocument"))
        {
            (
                "an OpenDocument spreadsheet (.ods)",
                calamine::Ods::new(c()).err().map(|e| e.to_string()),
            )
        } else {
            (
                "an Excel workbook (.xlsx)",
                calamine::Xlsx::new(c()).err().map(|e| e.to_string()),
            )
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        (
            "an Excel 97-2003 workbook (.xls)",
            calamine::Xls::new(c()).err().map(|e| e.to_string()),
        )
    } else {
        ("a workbook (.xlsx, .xls, .ods)", None)
    };
    format!(
        "this looks like {kind} but cannot be read as one (damaged or truncated?): {}",
        error.unwrap_or_else(|| "no workbook reader recognises it".into())
    )
}

/// The message for a sheet that is not in the workbook.
pub fn no_such_sheet(asked: &str, sheets: &[String]) -> String {
    format!(
        "no sheet '{asked}' in the workbook (sheets: {}; give a name or a position from 1)",
        sheets.join(", ")
    )
}

/// The repair note for title rows skipped above the header.
pub fn title_rows_note(rows: usize, header_row: u64, first: &str) -> Message {
    message::repair_title_rows(rows, header_row, first)
}

/// The repair note for a header cell merged across columns.
pub fn merged_header_note(columns: usize) -> Message {
    message::repair_merged_header(columns)
}

/// The repair note for merged regions below the header.
pub fn merged_data_note() -> Message {
    message::repair_merged_data()
}

/// The repair note for Excel date cells.
pub fn excel_dates_note() -> Message {
    message::repair_excel_dates()
}

/// The repair note for error cells.
pub fn error_cells_note(example: &str) -> Message {
    message::repair_error_cells(example)
}

/// The repair note for formulas saved without their value.
pub fn formula_without_value_note() -> Message {
    message::repair_formula_without_value()
}

/// The repair note for the sheet chosen when the first is empty.
pub fn empty_first_sheet_note(first: &str, read: &str) -> Message {
    message::repair_empty_first_sheet(first, read)
}

/// Reads one sheet of a workbook. `sheet` is a name or a 1-based position; by default the first
/// sheet holding data.
pub fn read_workbook(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Parsed> {
    let input_err = |message: String| Error::Input {
        file: file.to_string(),
        message,
    };
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| input_err(why_not_a_workbook(bytes)))?;
    let format = format_name(&wb);
    let sheets = wb.sheet_names();
    if sheets.is_empty() {
        return Err(input_err("the workbook has no sheets".into()));
    }
    let mut notes = Vec::new();
    let index = match opts.sheet.as_deref() {
        Some(asked) => sheets
            .iter()
            .position(|s| s == asked)
            .or_else(|| {
                asked
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| (1..=sheets.len()).contains(&i))
                    .map(|i| i - 1)
            })
            .ok_or_else(|| input_err(no_such_sheet(asked, &sheets)))?,
        None => {
            let mut chosen = 0;
            for (i, name) in sheets.iter().enumerate() {
                if wb.worksheet_range(name).is_ok_and(|r| !r.is_empty()) {
                    chosen = i;
                    break;
                }
            }
            if chosen > 0 {
                notes.push(empty_first_sheet_note(&sheets[0], &sheets[chosen]));
            }
            chosen
        }
    };
    let name = sheets[index].clone();
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| input_err(format!("cannot read sheet '{name}': {e}")))?;
    if range.is_empty() {
        return Err(input_err(format!("sheet '{name}' is empty")));
    }
    let merges: Vec<Dimensions> = match &mut wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        _ => Vec::new(),
    };
    let formulas = wb.worksheet_formula(&name).ok();
    let sheet = Sheet::new(&range, &merges, formulas.as_ref());
    let (csv, line_rows) = sheet.to_csv();
    let opts = CsvOptions {
        delimiter: Some(','),
        ..opts.clone()
    };
    let mut parsed = read_decoded_csv(&csv, file, &opts, EncodingInfo::binary())?;
    // CSV lines → sheet rows.
    let remap = |line: u64| -> u64 {
        line_rows
            .range(..=line)
            .next_back()
            .map_or(line, |(_, &row)| row)
    };
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
    let mut repairs = sheet.repairs;
    for note in notes {
        repairs.insert(
            0,
            Repair {
                column: String::new(),
                lines: Vec::new(),
                count: 1,
                message: note.to_string(),
                coded: note,
            },
        );
    }
    repairs.append(&mut parsed.repairs);
    parsed.repairs = repairs;
    parsed.format = format.to_string();
    parsed.sheet = Some(SheetInfo {
        name,
        index: index + 1,
        sheets,
        header_row: sheet.header_row,
    });
    Ok(parsed)
}

/// A sheet turned into text rows, with what the turning did.
struct Sheet {
    header: Vec<String>,
    /// (sheet row, cells).
    rows: Vec<(u64, Vec<String>)>,
    header_row: u64,
    repairs: Vec<Repair>,
}

/// Per column: how many cells of a kind, and the first rows.
#[derive(Default)]
struct Tally {
    count: usize,
    rows: Vec<u64>,
}

impl Tally {
    fn add(&mut self, row: u64) {
        self.count += 1;
        if self.rows.len() < 20 {
            self.rows.push(row);
        }
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => super::format_number(*x),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => super::format_number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

impl Sheet {
    fn new(range: &Range<Data>, merges: &[Dimensions], formulas: Option<&Range<String>>) -> Sheet {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let width = range.width();
        let rows: Vec<&[Data]> = range.rows().collect();
        let filled = |row: &[Data]| row.iter().filter(|c| !matches!(c, Data::Empty)).count();
        // Cells of a row covered by a merged region (not its first cell) count as filled when
        // looking for the header.
        let covered = |i: usize| -> usize {
            let abs = r0 + i as u32;
            merges
                .iter()
                .filter(|m| m.start.0 <= abs && abs <= m.end.0)
                .map(|m| {
                    let cols = (m.end.1 - m.start.1 + 1) as usize;
                    if m.start.0 == abs {
                        cols - 1
                    } else {
                        cols
                    }
                })
                .sum()
        };
        // The header: the first row, among the first ones, whose cells are all text and that
        // fills most of the widest row's cells (title rows above it fill one or two).
        let search = rows.len().min(HEADER_SEARCH_ROWS);
        let widest = rows[..search].iter().map(|r| filled(r)).max().unwrap_or(0);
        let header_at = (0..search)
            .find(|&i| {
                let n = (filled(rows[i]) + covered(i)).min(width);
                n > 0
                    && n * 5 >= widest * 4
                    && rows[i]
                        .iter()
                        .all(|c| matches!(c, Data::Empty | Data::String(_)))
            })
            .unwrap_or(0);
        let sheet_row = |i: usize| u64::from(r0) + i as u64 + 1;
        let mut repairs = Vec::new();
        let skipped: Vec<usize> = (0..header_at).filter(|&i| filled(rows[i]) > 0).collect();
        if let Some(&first) = skipped.first() {
            let text = rows[first]
                .iter()
                .map(cell_text)
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            repairs.push(Repair {
                column: String::new(),
                lines: skipped.iter().map(|&i| sheet_row(i)).collect(),
                count: skipped.len(),
                message: title_rows_note(skipped.len(), sheet_row(header_at), &text).to_string(),
                coded: title_rows_note(skipped.len(), sheet_row(header_at), &text),
            });
        }
        let mut header: Vec<String> = rows[header_at].iter().map(cell_text).collect();
        let header_abs = r0 + header_at as u32;
        // Merged regions: those crossing the header row give their text to every column they
        // span; those below hold their value in their first cell only.
        let mut data_merges = Vec::new();
        for m in merges {
            if m.start.0 <= header_abs && header_abs <= m.end.0 && m.end.1 > m.start.1 {
                let (from, to) = (
                    m.start.1.saturating_sub(c0) as usize,
                    (m.end.1.saturating_sub(c0) as usize).min(width.saturating_sub(1)),
                );
                let text = header.get(from).cloned().unwrap_or_default();
                for h in header.iter_mut().take(to + 1).skip(from + 1) {
                    if h.is_empty() {
                        *h = text.clone();
                    }
                }
                repairs.push(Repair {
                    column: text,
                    lines: vec![sheet_row(header_at)],
                    count: to + 1 - from,
                    message: merged_header_note(to + 1 - from).to_string(),
                    coded: merged_header_note(to + 1 - from),
                });
            } else if m.start.0 > header_abs {
                data_merges.push(m.start.0 as u64 + 1);
            }
        }
        if !data_merges.is_empty() {
            repairs.push(Repair {
                column: String::new(),
                count: data_merges.len(),
                lines: data_merges.into_iter().take(20).collect(),
                message: merged_data_note().to_string(),
                coded: merged_data_note(),
            });
        }
        let mut dates: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut errors: BTreeMap<usize, (Tally, String)> = BTreeMap::new();
        let mut unsaved: BTreeMap<usize, Tally> = BTreeMap::new();
        let formula_at = |abs_row: u32, abs_col: u32| -> bool {
            formulas.is_some_and(|f| {
                f.get_value((abs_row, abs_col))
                    .is_some_and(|s| !s.is_empty())
            })
        };
        let mut out = Vec::new();
        for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
            if filled(row) == 0 {
                continue; // an empty row is not a record
            }
            let at = sheet_row(i);
            let mut cells = Vec::with_capacity(width);
            for (j, cell) in row.iter().enumerate() {
                match cell {
                    Data::DateTime(dt) if dt.is_datetime() => dates.entry(j).or_default().add(at),
                    Data::Error(e) => {
                        let entry = errors
                            .entry(j)
                            .or_insert_with(|| (Tally::default(), e.to_string()));
                        entry.0.add(at);
                    }
                    Data::Empty if formula_at(r0 + i as u32, c0 + j as u32) => {
                        unsaved.entry(j).or_default().add(at)
                    }
                    _ => {}
                }
                cells.push(cell_text(cell));
            }
            out.push((at, cells));
        }
        let name_of = |j: usize| {
            header
                .get(j)
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("column_{}", j + 1))
        };
        for (j, t) in dates {
            repairs.push(Repair {
                column: name_of(j),
                lines: t.rows,
                count: t.count,
                message: excel_dates_note().to_string(),
                coded: excel_dates_note(),
            });
        }
        for (j, (t, example)) in errors {
            repairs.push(Repair {
                column: name_of(j),
                lines: t.rows,
                count: t.count,
                message: error_cells_note(&example).to_string(),
                coded: error_cells_note(&example),
            });
        }
        for (j, t) in unsaved {
            repairs.push(Repair {
                column: name_of(j),
                lines: t.rows,
                count: t.count,
                message: formula_without_value_note().to_string(),
                coded: formula_without_value_note(),
            });
        }
        Sheet {
            header,
            rows: out,
            header_row: sheet_row(header_at),
            repairs,
        }
    }

    /// The rows as CSV text, and the map from each record's first CSV line to its sheet row.
    fn to_csv(&self) -> (Vec<u8>, BTreeMap<u64, u64>) {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let mut map = BTreeMap::new();
        let mut line = 1u64;
        let mut write = |w: &mut csv::Writer<Vec<u8>>, cells: &[String], row: u64| {
            map.insert(line, row);
            line += 1 + cells
                .iter()
                .map(|c| c.bytes().filter(|&b| b == b'\n').count() as u64)
                .sum::<u64>();
            // Writing to a Vec cannot fail.
            let _ = w.write_record(cells);
        };
        write(&mut w, &self.header, self.header_row);
        for (row, cells) in &self.rows {
            write(&mut w, cells, *row);
        }
        (w.into_inner().unwrap_or_default(), map)
    }
}
