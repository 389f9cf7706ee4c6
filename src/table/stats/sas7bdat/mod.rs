//! SAS data sets (`.sas7bdat`), read here from the layout described publicly by the format's
//! reverse-engineering notes (Shotwell's `sas7bdat` vignette, ReadStat's documentation); no crate
//! reads them without C (see docs/design.md).
//!
//! A file is a header (signature, 32- or 64-bit layout, byte order, encoding byte, page size and
//! count) followed by pages of one size. Meta, mix and AMD pages hold *subheaders* (row size,
//! column size, column text, column names, column attributes, format and label, and — in
//! compressed files — one compressed row each); data and mix pages hold uncompressed rows. The
//! reader walks the pages twice, one page at a time: first for the columns, then for the rows,
//! so that a row is never read before every column is known. Rows compressed with RLE
//! (`SASYZCRL`) or RDC (`SASYZCR2`) are expanded into one row buffer.
//!
//! Numbers are IEEE doubles stored in 3–8 bytes (the low bytes dropped); SAS missing values (`.`,
//! `.A`–`.Z`, `._`) are NaNs whose code sits, inverted, in the fifth byte, read as missing and counted. Dates
//! and datetimes are found by their format (`DATE9.`, `MMDDYY10.`, `DATETIME20.`, `E8601DA.` ...,
//! the list of the transport reader); `TIME` values stay numbers (seconds), as in the other
//! readers. Column labels become `columns[i].label`. Value labels are not in the data set: SAS keeps
//! them in a separate format catalog (`.sas7bcat`), which is not read.
//!
//! Every length and offset is checked against the page or the file before use; a damaged file is
//! an error naming the page, the subheader or column, and the byte offset.

use super::{chosen_encoding, encoding_info, Cells, Dataset, Display, Var};
use crate::error::Result;
use crate::table::csv::CsvOptions;

mod compress;
mod pages;
use compress::{rdc, rle, Compression};
use pages::{classify, encoding_label, page_head, read_meta, sig_name, subheader};
use pages::{
    File, Meta, Sub, TextRef, MAX_PAGE, PAGE_AMD, PAGE_COMP, PAGE_DATA, PAGE_META, PAGE_MIX,
};

/// A number of `width` bytes (the high bytes of a double) as a value or a missing code.
fn number(raw: &[u8], little: bool) -> std::result::Result<f64, Option<char>> {
    let mut b = [0u8; 8];
    let w = raw.len().min(8);
    if little {
        b[8 - w..].copy_from_slice(&raw[..w]);
    } else {
        b[..w].copy_from_slice(&raw[..w]);
    }
    let x = if little {
        f64::from_le_bytes(b)
    } else {
        f64::from_be_bytes(b)
    };
    if !x.is_nan() {
        return Ok(x);
    }
    // The fifth byte, inverted: 0 `._`, 1 `.`, 2–27 `.A`–`.Z`.
    match !(((x.to_bits() >> 40) & 0xFF) as u8) {
        0 => Err(Some('_')),
        t @ 2..=27 => Err(Some((b'A' + t - 2) as char)),
        _ => Err(None),
    }
}

/// Cells of one column while rows are read.
enum Column {
    Num {
        values: Vec<f64>,
        codes: Vec<(usize, String)>,
    },
    Str(Vec<Option<Vec<u8>>>),
}

/// Reads a `.sas7bdat` data set.
pub(crate) fn read(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Dataset> {
    let mut f = File {
        bytes,
        name: file,
        little: true,
        int: 4,
    };
    let head = f.get(0, 288, "header")?;
    f.int = if head[32] == 0x33 { 8 } else { 4 };
    let align = if head[35] == 0x33 { 4 } else { 0 };
    f.little = match head[37] {
        0 => false,
        1 => true,
        b => {
            return Err(f.fail(
                "header",
                37,
                &format!("byte order {b:#x} is neither big (0) nor little (1) endian"),
            ))
        }
    };
    let encoding_byte = head[70];
    let header_len = f.uint(f.get(196 + align, 4, "header")?) as usize;
    let page_size = f.uint(f.get(200 + align, 4, "header")?) as usize;
    let page_count = f.int_at(204 + align, "header")?;
    if !(288..=bytes.len()).contains(&header_len) {
        return Err(f.fail(
            "header",
            196 + align,
            &format!(
                "a header of {header_len} bytes does not fit a file of {} bytes",
                bytes.len()
            ),
        ));
    }
    if !(64..=MAX_PAGE).contains(&page_size) {
        return Err(f.fail(
            "header",
            200 + align,
            &format!("a page size of {page_size} bytes is not possible"),
        ));
    }
    let pages_held = (bytes.len() - header_len) / page_size;
    if page_count > pages_held {
        return Err(f.fail(
            "header",
            204 + align,
            &format!(
                "the header announces {page_count} pages of {page_size} bytes, the file holds \
                 {pages_held}: it is truncated"
            ),
        ));
    }
    let page_start = |p: usize| header_len + p * page_size;

    // Pass 1: the columns, from the subheaders of meta, mix and AMD pages.
    let mut meta = Meta::default();
    for page in 0..page_count {
        let start = page_start(page);
        let (kind, _, pointers) = page_head(&f, page + 1, start, page_size)?;
        if kind == PAGE_COMP || (kind & 0x0F00) == PAGE_DATA {
            continue;
        }
        for (i, p) in pointers.iter().enumerate() {
            if p.len == 0 || p.compression == 1 {
                continue;
            }
            let sub = subheader(&f, page + 1, i, start, page_size, p)?;
            if let Sub::Meta(sig) = classify(&f, p, sub, false) {
                let what = format!("page {}, subheader {} ({})", page + 1, i + 1, sig_name(sig));
                read_meta(&f, &mut meta, sig, sub, start + p.offset, &what)?;
            }
        }
    }
    let fail_meta = |problem: &str| f.fail("columns", header_len, problem);
    let row_length = meta
        .row_length
        .ok_or_else(|| fail_meta("no row size subheader: the file is damaged"))?;
    let count = meta
        .column_count
        .ok_or_else(|| fail_meta("no column size subheader: the file is damaged"))?;
    if meta.attrs.len() < count || meta.names.len() < count {
        return Err(fail_meta(&format!(
            "{count} columns announced, but {} column attributes and {} column names found",
            meta.attrs.len(),
            meta.names.len()
        )));
    }
    let compression = match meta.texts.first() {
        Some(t) if t.windows(8).any(|w| w == b"SASYZCRL") => Compression::Rle,
        Some(t) if t.windows(8).any(|w| w == b"SASYZCR2") => Compression::Rdc,
        _ => Compression::None,
    };
    let text = |r: TextRef, what: &str| -> Result<&[u8]> {
        meta.texts
            .get(r.block)
            .and_then(|t| t.get(r.offset..r.offset + r.len))
            .ok_or_else(|| {
                fail_meta(&format!(
                    "{what}: text reference (block {}, offset {}, length {}) lies outside the \
                     column text",
                    r.block, r.offset, r.len
                ))
            })
    };
    struct Col<'t> {
        name: &'t [u8],
        label: &'t [u8],
        format: String,
        offset: usize,
        width: usize,
        numeric: bool,
    }
    let mut cols = Vec::with_capacity(count);
    for k in 0..count {
        let what = format!("column {}", k + 1);
        let name = text(meta.names[k], &what)?;
        let (offset, width, numeric) = meta.attrs[k];
        let shown = String::from_utf8_lossy(name).trim().to_string();
        if offset.checked_add(width).is_none_or(|e| e > row_length)
            || (numeric && !(1..=8).contains(&width))
        {
            return Err(fail_meta(&format!(
                "column {} ('{shown}'): {width} bytes at offset {offset} do not fit a row of \
                 {row_length} bytes",
                k + 1
            )));
        }
        let (format, label) = match meta.formats.get(k) {
            Some(&(fmt, lab)) => (text(fmt, &what)?, text(lab, &what)?),
            None => (&[][..], &[][..]),
        };
        cols.push(Col {
            name,
            label,
            format: String::from_utf8_lossy(format).trim().to_string(),
            offset,
            width,
            numeric,
        });
    }

    // Pass 2: the rows, page by page.
    let rows = meta.row_count;
    let mut columns: Vec<Column> = cols
        .iter()
        .map(|c| {
            let cap = rows.min(1 << 16);
            if c.numeric {
                Column::Num {
                    values: Vec::with_capacity(cap),
                    codes: Vec::new(),
                }
            } else {
                Column::Str(Vec::with_capacity(cap))
            }
        })
        .collect();
    let mut read_rows = 0usize;
    let take = |row: &[u8], columns: &mut Vec<Column>| {
        for (c, col) in cols.iter().zip(columns.iter_mut()) {
            let raw = &row[c.offset..c.offset + c.width];
            match col {
                Column::Num { values, codes } => match number(raw, f.little) {
                    Ok(x) => values.push(x),
                    Err(code) => {
                        if let Some(code) = code {
                            codes.push((values.len(), format!(".{code}")));
                        }
                        values.push(f64::NAN);
                    }
                },
                Column::Str(values) => {
                    let end = raw
                        .iter()
                        .rposition(|&b| b != b' ' && b != 0)
                        .map_or(0, |e| e + 1);
                    values.push((end > 0).then(|| raw[..end].to_vec()));
                }
            }
        }
    };
    let mut buffer = Vec::with_capacity(row_length);
    for page in 0..page_count {
        if read_rows >= rows {
            break;
        }
        let start = page_start(page);
        let (kind, blocks, pointers) = page_head(&f, page + 1, start, page_size)?;
        if kind == PAGE_COMP {
            continue;
        }
        let masked = kind & 0x0F00;
        // Compressed rows (and any uncompressed row stored as a subheader).
        if matches!(masked, PAGE_META | PAGE_MIX | PAGE_AMD) {
            for (i, p) in pointers.iter().enumerate() {
                if read_rows >= rows {
                    break;
                }
                if p.len == 0 || p.compression == 1 {
                    continue;
                }
                let sub = subheader(&f, page + 1, i, start, page_size, p)?;
                if !matches!(
                    classify(&f, p, sub, compression != Compression::None),
                    Sub::Row
                ) {
                    continue;
                }
                let row: &[u8] = if sub.len() >= row_length {
                    &sub[..row_length]
                } else {
                    let expanded = match compression {
                        Compression::Rle => rle(sub, &mut buffer, row_length),
                        Compression::Rdc => rdc(sub, &mut buffer, row_length),
                        Compression::None => Err(format!(
                            "a row of {} bytes is shorter than the row length {row_length} in \
                             a file without compression",
                            sub.len()
                        )),
                    };
                    let what = format!(
                        "page {}, subheader {} (row {})",
                        page + 1,
                        i + 1,
                        read_rows + 1
                    );
                    expanded.map_err(|problem| f.fail(&what, start + p.offset, &problem))?;
                    if buffer.len() != row_length {
                        return Err(f.fail(
                            &what,
                            start + p.offset,
                            &format!(
                                "the compressed row expands to {} bytes, not the row length \
                                 {row_length}",
                                buffer.len()
                            ),
                        ));
                    }
                    &buffer
                };
                take(row, &mut columns);
                read_rows += 1;
            }
        }
        // Uncompressed rows after the page header (data) or after the subheader pointers (mix).
        let bit = if f.int == 8 { 32 } else { 16 };
        let (first, n) = match masked {
            PAGE_DATA => (bit + 8, blocks),
            PAGE_MIX if compression == Compression::None => {
                let first = (bit + 8 + pointers.len() * 3 * f.int).next_multiple_of(8);
                let room = page_size.saturating_sub(first) / row_length;
                (first, meta.mix_rows.min(room))
            }
            _ => continue,
        };
        let n = n.min(rows - read_rows);
        if first + n * row_length > page_size {
            return Err(f.fail(
                &format!("page {}", page + 1),
                start + bit + 2,
                &format!(
                    "{n} rows of {row_length} bytes do not fit in a page of {page_size} bytes"
                ),
            ));
        }
        for k in 0..n {
            let at = start + first + k * row_length;
            take(&bytes[at..at + row_length], &mut columns);
            read_rows += 1;
        }
    }
    if read_rows < rows {
        return Err(f.fail(
            &format!("row {}", read_rows + 1),
            bytes.len(),
            &format!(
                "the header announces {rows} rows, the pages hold {read_rows}: the file is \
                 truncated or damaged"
            ),
        ));
    }

    // Text: the encoding the file states, or a choice, or UTF-8 when all of it is valid.
    let strings = || {
        columns
            .iter()
            .filter_map(|c| match c {
                Column::Str(v) => Some(v.iter().flatten()),
                Column::Num { .. } => None,
            })
            .flatten()
    };
    let declared =
        encoding_label(encoding_byte).and_then(|l| super::super::encoding::for_label(l).ok());
    let (encoding, source) = match (chosen_encoding(opts, file)?, declared) {
        (Some(e), _) => (e, "override"),
        (None, Some(e)) => (e, "format"),
        (None, None) => {
            let all_utf8 = cols.iter().all(|c| {
                std::str::from_utf8(c.label).is_ok() && std::str::from_utf8(c.name).is_ok()
            }) && strings().all(|s| std::str::from_utf8(s).is_ok());
            let e = if all_utf8 {
                encoding_rs::UTF_8
            } else {
                encoding_rs::WINDOWS_1252
            };
            (e, "detected")
        }
    };
    let mut malformed = 0usize;
    let mut decode = |raw: &[u8]| {
        let (text, bad) = encoding.decode_without_bom_handling(raw);
        if bad {
            malformed += 1;
        }
        text.trim_end().to_string()
    };
    let mut out = Vec::with_capacity(cols.len());
    for (c, column) in cols.iter().zip(columns) {
        let display = if c.numeric {
            super::sas::display(&c.format)
        } else {
            Display::Plain
        };
        let cells = match column {
            Column::Num { values, codes } => Cells::Num {
                values,
                codes,
                single: false,
            },
            Column::Str(values) => Cells::Str {
                values: values
                    .into_iter()
                    .map(|v| v.map(|raw| decode(&raw)).filter(|t| !t.is_empty()))
                    .collect(),
                codes: Vec::new(),
            },
        };
        out.push(Var {
            name: decode(c.name).trim().to_string(),
            label: decode(c.label),
            display: display.clone(),
            value_labels: Vec::new(),
            cells: super::from_1960(&display, cells, 1.0),
        });
    }
    let mut info = encoding_info(encoding.name(), source);
    if malformed > 0 {
        info.note = Some(format!(
            "{malformed} texts have bytes that are not valid {}; they are shown with \u{FFFD}",
            encoding.name()
        ));
    }
    Ok(Dataset {
        format: "sas7bdat",
        vars: out,
        rows,
        encoding: info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_width_and_missing_codes() {
        let x = 1234.5f64.to_be_bytes();
        assert_eq!(number(&x, false), Ok(1234.5));
        assert_eq!(number(&x[..4], false), Ok(1234.5));
        let le = 1234.5f64.to_le_bytes();
        assert_eq!(number(&le[4..], true), Ok(1234.5));
        // As SAS writes them (little-endian): `.A` 0xFD, `.Z` 0xE4, `._` 0xFF, `.` 0xFE.
        let code = |b: u8| [0, 0, 0, 0, 0, b, 0xFF, 0xFF];
        assert_eq!(number(&code(0xFD), true), Err(Some('A')));
        assert_eq!(number(&code(0xE4), true), Err(Some('Z')));
        assert_eq!(number(&code(0xFF), true), Err(Some('_')));
        assert_eq!(number(&code(0xFE), true), Err(None));
        let mut be = code(0xFC);
        be.reverse();
        assert_eq!(number(&be[..3], false), Err(Some('B')));
        let dot = 0xFFFF_FE00_0000_0000u64.to_le_bytes();
        assert_eq!(number(&dot, true), Err(None));
    }
}
