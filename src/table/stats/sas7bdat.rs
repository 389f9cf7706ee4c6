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

use super::{chosen_encoding, corrupt, encoding_info, Cells, Dataset, Display, Var};
use crate::error::{Error, Result};
use crate::table::csv::CsvOptions;

/// The SAS encoding byte (header offset 70) as an encoding label the readers know, if any.
fn encoding_label(code: u8) -> Option<&'static str> {
    Some(match code {
        20 => "utf-8",
        28 => "us-ascii",
        29 => "iso-8859-1",
        30 => "iso-8859-2",
        31 => "iso-8859-3",
        32 => "iso-8859-4",
        33 => "iso-8859-5",
        34 => "iso-8859-6",
        35 => "iso-8859-7",
        36 => "iso-8859-8",
        37 => "iso-8859-9",
        39 => "iso-8859-11",
        40 => "iso-8859-15",
        49 => "ibm866",
        51 => "windows-874",
        60 => "windows-1250",
        61 => "windows-1251",
        62 => "windows-1252",
        63 => "windows-1253",
        64 => "windows-1254",
        65 => "windows-1255",
        66 => "windows-1256",
        67 => "windows-1257",
        68 => "windows-1258",
        69 => "macintosh",
        118 | 123 => "big5",
        125 | 205 => "gb18030",
        126 => "gbk",
        134 => "euc-jp",
        138 => "shift_jis",
        136 | 140 | 141 | 142 => "euc-kr",
        167 => "iso-2022-jp",
        227 => "iso-8859-14",
        242 => "iso-8859-13",
        246 => "x-mac-cyrillic",
        _ => return None,
    })
}

/// Subheader signatures (as [`signature`] reads them).
const SIG_ROW_SIZE: u32 = 0xF7F7_F7F7;
const SIG_COLUMN_SIZE: u32 = 0xF6F6_F6F6;
const SIG_COLUMN_TEXT: u32 = 0xFFFF_FFFD;
const SIG_COLUMN_NAME: u32 = 0xFFFF_FFFF;
const SIG_COLUMN_ATTRS: u32 = 0xFFFF_FFFC;
const SIG_FORMAT_LABEL: u32 = 0xFFFF_FBFE;
/// Known but not needed: the column list and the subheader counts.
const SIG_COLUMN_LIST: u32 = 0xFFFF_FFFE;
const SIG_COUNTS: u32 = 0xFFFF_FC00;

/// Page types (after masking with 0x0F00, except the compression table page).
const PAGE_META: u16 = 0x0000;
const PAGE_DATA: u16 = 0x0100;
const PAGE_MIX: u16 = 0x0200;
const PAGE_AMD: u16 = 0x0400;
const PAGE_COMP: u16 = 0x9000;

/// The largest row and page Bedside accepts (SAS's own limits are far below).
const MAX_PAGE: usize = 1 << 24;
const MAX_ROW: usize = 1 << 24;

#[derive(Clone, Copy, PartialEq)]
enum Compression {
    None,
    Rle,
    Rdc,
}

/// The file's layout and byte order, with checked reads.
struct File<'a> {
    bytes: &'a [u8],
    name: &'a str,
    little: bool,
    /// 8 for 64-bit files, 4 for 32-bit.
    int: usize,
}

impl<'a> File<'a> {
    fn fail(&self, what: &str, at: usize, problem: &str) -> Error {
        corrupt(
            self.name,
            &format!("SAS .sas7bdat file: {what}"),
            at,
            problem,
        )
    }

    fn get(&self, at: usize, len: usize, what: &str) -> Result<&'a [u8]> {
        at.checked_add(len)
            .and_then(|end| self.bytes.get(at..end))
            .ok_or_else(|| {
                self.fail(
                    what,
                    at,
                    &format!(
                        "the file ends there ({len} bytes needed, {} left): it is truncated",
                        self.bytes.len().saturating_sub(at)
                    ),
                )
            })
    }

    fn uint(&self, b: &[u8]) -> u64 {
        let mut x = 0u64;
        if self.little {
            for &c in b.iter().rev() {
                x = x << 8 | u64::from(c);
            }
        } else {
            for &c in b {
                x = x << 8 | u64::from(c);
            }
        }
        x
    }

    fn u16_at(&self, at: usize, what: &str) -> Result<usize> {
        Ok(self.uint(self.get(at, 2, what)?) as usize)
    }

    /// A file integer (4 or 8 bytes) as a size, refused when it does not fit in memory.
    fn int_at(&self, at: usize, what: &str) -> Result<usize> {
        let x = self.uint(self.get(at, self.int, what)?);
        usize::try_from(x).map_err(|_| self.fail(what, at, &format!("{x} is not a possible size")))
    }
}

/// A reference into the column text blocks: block index, offset, length.
#[derive(Clone, Copy, Default)]
struct TextRef {
    block: usize,
    offset: usize,
    len: usize,
}

#[derive(Default)]
struct Meta {
    row_length: Option<usize>,
    row_count: usize,
    mix_rows: usize,
    column_count: Option<usize>,
    texts: Vec<Vec<u8>>,
    names: Vec<TextRef>,
    /// Data offset in the row, width, numeric?
    attrs: Vec<(usize, usize, bool)>,
    /// Format and label of each column, in column order.
    formats: Vec<(TextRef, TextRef)>,
}

/// One subheader pointer of a page.
struct Pointer {
    offset: usize,
    len: usize,
    compression: u8,
    kind: u8,
}

/// A page's type, its block count and its subheader pointers.
fn page_head(
    f: &File,
    page: usize,
    start: usize,
    size: usize,
) -> Result<(u16, usize, Vec<Pointer>)> {
    let bit = if f.int == 8 { 32 } else { 16 };
    let what = format!("page {page} header");
    let kind = f.u16_at(start + bit, &what)? as u16;
    let blocks = f.u16_at(start + bit + 2, &what)?;
    let count = f.u16_at(start + bit + 4, &what)?;
    if kind == PAGE_COMP || (kind & 0x0F00) == PAGE_DATA {
        return Ok((kind, blocks, Vec::new()));
    }
    let ptr_len = 3 * f.int;
    let first = bit + 8;
    if first + count * ptr_len > size {
        return Err(f.fail(
            &what,
            start + bit + 4,
            &format!("{count} subheader pointers do not fit in a page of {size} bytes"),
        ));
    }
    let mut pointers = Vec::with_capacity(count);
    for i in 0..count {
        let at = start + first + i * ptr_len;
        let what = format!("page {page}, subheader pointer {}", i + 1);
        let offset = f.int_at(at, &what)?;
        let len = f.int_at(at + f.int, &what)?;
        let flags = f.get(at + 2 * f.int, 2, &what)?;
        pointers.push(Pointer {
            offset,
            len,
            compression: flags[0],
            kind: flags[1],
        });
    }
    Ok((kind, blocks, pointers))
}

fn signature(f: &File, sub: &[u8]) -> Option<u32> {
    // Little-endian files: the first 4 bytes (64-bit ones pad with 0 or sign-extend with FF).
    // Big-endian 64-bit files write F7F7F7F7 00000000 but FFFFFFFF FFFFFBFE: the high half
    // says which.
    let b = sub.get(..f.int)?;
    let first = f.uint(&b[..4]) as u32;
    if !f.little && f.int == 8 && first == 0xFFFF_FFFF {
        Some(f.uint(&b[4..8]) as u32)
    } else {
        Some(first)
    }
}

/// What a subheader is: metadata (its signature), a compressed row, or something to skip.
enum Sub {
    Meta(u32),
    Row,
    Skip,
}

fn classify(f: &File, p: &Pointer, sub: &[u8], compressed: bool) -> Sub {
    if p.len == 0 || p.compression == 1 {
        return Sub::Skip;
    }
    if p.compression == 4 {
        return Sub::Row;
    }
    match signature(f, sub) {
        Some(
            s @ (SIG_ROW_SIZE | SIG_COLUMN_SIZE | SIG_COLUMN_TEXT | SIG_COLUMN_NAME
            | SIG_COLUMN_ATTRS | SIG_FORMAT_LABEL),
        ) => Sub::Meta(s),
        Some(SIG_COLUMN_LIST | SIG_COUNTS) => Sub::Skip,
        _ if compressed && p.kind == 1 => Sub::Row,
        _ => Sub::Skip,
    }
}

/// The bytes of a subheader, checked against its page.
fn subheader<'a>(
    f: &File<'a>,
    page: usize,
    index: usize,
    start: usize,
    size: usize,
    p: &Pointer,
) -> Result<&'a [u8]> {
    let what = format!("page {page}, subheader {}", index + 1);
    if p.offset.checked_add(p.len).is_none_or(|end| end > size) {
        return Err(f.fail(
            &what,
            start + p.offset.min(size),
            &format!(
                "its {} bytes at offset {} lie outside the page of {size} bytes",
                p.len, p.offset
            ),
        ));
    }
    f.get(start + p.offset, p.len, &what)
}

fn sig_name(sig: u32) -> &'static str {
    match sig {
        SIG_ROW_SIZE => "row size",
        SIG_COLUMN_SIZE => "column size",
        SIG_COLUMN_TEXT => "column text",
        SIG_COLUMN_NAME => "column name",
        SIG_COLUMN_ATTRS => "column attributes",
        _ => "format and label",
    }
}

fn read_meta(f: &File, meta: &mut Meta, sig: u32, sub: &[u8], at: usize, what: &str) -> Result<()> {
    let l = f.int;
    let short = |need: usize| {
        f.fail(
            what,
            at,
            &format!("{} bytes, {need} needed: it is damaged", sub.len()),
        )
    };
    let int = |o: usize| -> Result<usize> {
        let b = sub.get(o..o + l).ok_or_else(|| short(o + l))?;
        let x = f.uint(b);
        usize::try_from(x).map_err(|_| f.fail(what, at + o, &format!("{x} is not a possible size")))
    };
    let u16 = |o: usize| -> Result<usize> {
        let b = sub.get(o..o + 2).ok_or_else(|| short(o + 2))?;
        Ok(f.uint(b) as usize)
    };
    let text = |o: usize| -> Result<TextRef> {
        Ok(TextRef {
            block: u16(o)?,
            offset: u16(o + 2)?,
            len: u16(o + 4)?,
        })
    };
    match sig {
        SIG_ROW_SIZE if meta.row_length.is_none() => {
            let row_length = int(5 * l)?;
            if row_length == 0 || row_length > MAX_ROW {
                return Err(f.fail(
                    what,
                    at + 5 * l,
                    &format!("a row length of {row_length} bytes is not possible"),
                ));
            }
            meta.row_length = Some(row_length);
            meta.row_count = int(6 * l)?;
            meta.mix_rows = int(15 * l)?;
        }
        SIG_COLUMN_SIZE if meta.column_count.is_none() => {
            meta.column_count = Some(int(l)?);
        }
        SIG_COLUMN_TEXT => {
            let size = u16(l)?;
            let block = sub.get(l..l + size).ok_or_else(|| short(l + size))?;
            meta.texts.push(block.to_vec());
        }
        SIG_COLUMN_NAME => {
            let n = sub.len().saturating_sub(2 * l + 12) / 8;
            for k in 0..n {
                meta.names.push(text(l + 8 + 8 * k)?);
            }
        }
        SIG_COLUMN_ATTRS => {
            let n = sub.len().saturating_sub(2 * l + 12) / (l + 8);
            for k in 0..n {
                let o = l + 8 + k * (l + 8);
                let offset = int(o)?;
                let b = sub.get(o + l..o + l + 4).ok_or_else(|| short(o + l + 4))?;
                let width = f.uint(b) as usize;
                let kind = *sub.get(o + l + 6).ok_or_else(|| short(o + l + 7))?;
                meta.attrs.push((offset, width, kind == 1));
            }
        }
        SIG_FORMAT_LABEL => {
            meta.formats.push((text(22 + 3 * l)?, text(28 + 3 * l)?));
        }
        _ => {}
    }
    Ok(())
}

/// Expands an RLE-compressed row (`SASYZCRL`) into `out` (exactly the row's length).
fn rle(input: &[u8], out: &mut Vec<u8>, row_length: usize) -> std::result::Result<(), String> {
    out.clear();
    let mut i = 0;
    let next = |i: &mut usize| -> std::result::Result<usize, String> {
        let b = *input
            .get(*i)
            .ok_or("the compressed row ends inside a command")?;
        *i += 1;
        Ok(b as usize)
    };
    while i < input.len() {
        let control = input[i];
        i += 1;
        let (command, low) = (control >> 4, (control & 0x0F) as usize);
        // (bytes to copy from the input, or a byte repeated n times)
        let (copy, fill): (usize, Option<(u8, usize)>) = match command {
            0x0 => (next(&mut i)? + 64 + low * 256, None),
            0x1 => (next(&mut i)? + 64 + low * 256 + 4096, None),
            0x2 => (low + 96, None),
            0x4 => {
                let n = next(&mut i)? + 18 + low * 256;
                (0, Some((next(&mut i)? as u8, n)))
            }
            0x5 => (0, Some((b'@', next(&mut i)? + 17 + low * 256))),
            0x6 => (0, Some((b' ', next(&mut i)? + 17 + low * 256))),
            0x7 => (0, Some((0, next(&mut i)? + 17 + low * 256))),
            0x8 => (low + 1, None),
            0x9 => (low + 17, None),
            0xA => (low + 33, None),
            0xB => (low + 49, None),
            0xC => (0, Some((next(&mut i)? as u8, low + 3))),
            0xD => (0, Some((b'@', low + 2))),
            0xE => (0, Some((b' ', low + 2))),
            0xF => (0, Some((0, low + 2))),
            c => return Err(format!("unknown RLE command {c:#x}")),
        };
        let n = fill.map_or(copy, |(_, n)| n);
        if out.len() + n > row_length {
            return Err(format!(
                "the compressed row expands past the row length of {row_length} bytes"
            ));
        }
        match fill {
            Some((byte, n)) => out.resize(out.len() + n, byte),
            None => {
                let src = input
                    .get(i..i + copy)
                    .ok_or("the compressed row ends inside a literal run")?;
                out.extend_from_slice(src);
                i += copy;
            }
        }
    }
    Ok(())
}

/// Expands an RDC-compressed row (`SASYZCR2`, Ross Data Compression) into `out`.
fn rdc(input: &[u8], out: &mut Vec<u8>, row_length: usize) -> std::result::Result<(), String> {
    out.clear();
    let mut i = 0;
    let (mut bits, mut mask) = (0u16, 0u16);
    let byte = |i: &mut usize| -> std::result::Result<usize, String> {
        let b = *input
            .get(*i)
            .ok_or("the compressed row ends inside a command")?;
        *i += 1;
        Ok(b as usize)
    };
    let room = |out: &Vec<u8>, n: usize| {
        if out.len() + n > row_length {
            Err(format!(
                "the compressed row expands past the row length of {row_length} bytes"
            ))
        } else {
            Ok(())
        }
    };
    while i < input.len() {
        mask >>= 1;
        if mask == 0 {
            bits = ((byte(&mut i)? << 8) | byte(&mut i)?) as u16;
            mask = 0x8000;
            if i >= input.len() {
                break;
            }
        }
        if bits & mask == 0 {
            room(out, 1)?;
            out.push(input[i]);
            i += 1;
            continue;
        }
        let b = byte(&mut i)?;
        let (command, low) = (b >> 4, b & 0x0F);
        match command {
            0 => {
                let n = low + 3;
                let v = byte(&mut i)? as u8;
                room(out, n)?;
                out.resize(out.len() + n, v);
            }
            1 => {
                let n = low + (byte(&mut i)? << 4) + 19;
                let v = byte(&mut i)? as u8;
                room(out, n)?;
                out.resize(out.len() + n, v);
            }
            _ => {
                let back = low + 3 + (byte(&mut i)? << 4);
                let n = if command == 2 {
                    byte(&mut i)? + 16
                } else {
                    command
                };
                if back > out.len() {
                    return Err(format!(
                        "a back reference of {back} bytes points before the row's start"
                    ));
                }
                room(out, n)?;
                let from = out.len() - back;
                for k in 0..n {
                    out.push(out[from + k]);
                }
            }
        }
    }
    Ok(())
}

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

    #[test]
    fn rle_and_rdc_expand_and_refuse_overruns() {
        let mut out = Vec::new();
        // copy 2 literal bytes, then 5 spaces, then 3 zeros.
        rle(&[0x81, b'a', b'b', 0xE3, 0xF1], &mut out, 10).unwrap();
        assert_eq!(out, b"ab     \0\0\0");
        assert!(rle(&[0xE3, 0xF1], &mut out, 4).is_err());
        assert!(rle(&[0x85, b'a'], &mut out, 10).is_err());
        // RDC: control word with the 2nd item a command (short RLE of 4 'x'), then a literal.
        rdc(&[0x40, 0x00, b'a', 0x01, b'x', b'b'], &mut out, 10).unwrap();
        assert_eq!(out, b"axxxxb");
        assert!(rdc(&[0x80, 0x00, 0x30, 0x00], &mut out, 10).is_err());
    }
}
