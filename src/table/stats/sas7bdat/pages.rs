//! The layout of a `.sas7bdat` file: checked reads in its byte order, the header's encoding
//! byte, page headers, subheader pointers and the column metadata the subheaders hold.

use crate::error::{Error, Result};
use crate::table::stats::corrupt;

/// The SAS encoding byte (header offset 70) as an encoding label the readers know, if any.
pub(super) fn encoding_label(code: u8) -> Option<&'static str> {
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
pub(super) const PAGE_META: u16 = 0x0000;
pub(super) const PAGE_DATA: u16 = 0x0100;
pub(super) const PAGE_MIX: u16 = 0x0200;
pub(super) const PAGE_AMD: u16 = 0x0400;
pub(super) const PAGE_COMP: u16 = 0x9000;

/// The largest row and page Bedside accepts (SAS's own limits are far below).
pub(super) const MAX_PAGE: usize = 1 << 24;
pub(super) const MAX_ROW: usize = 1 << 24;

/// The file's layout and byte order, with checked reads.
pub(super) struct File<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) name: &'a str,
    pub(super) little: bool,
    /// 8 for 64-bit files, 4 for 32-bit.
    pub(super) int: usize,
}

impl<'a> File<'a> {
    pub(super) fn fail(&self, what: &str, at: usize, problem: &str) -> Error {
        corrupt(
            self.name,
            &format!("SAS .sas7bdat file: {what}"),
            at,
            problem,
        )
    }

    pub(super) fn get(&self, at: usize, len: usize, what: &str) -> Result<&'a [u8]> {
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

    pub(super) fn uint(&self, b: &[u8]) -> u64 {
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
    pub(super) fn int_at(&self, at: usize, what: &str) -> Result<usize> {
        let x = self.uint(self.get(at, self.int, what)?);
        usize::try_from(x).map_err(|_| self.fail(what, at, &format!("{x} is not a possible size")))
    }
}

/// A reference into the column text blocks: block index, offset, length.
#[derive(Clone, Copy, Default)]
pub(super) struct TextRef {
    pub(super) block: usize,
    pub(super) offset: usize,
    pub(super) len: usize,
}

#[derive(Default)]
pub(super) struct Meta {
    pub(super) row_length: Option<usize>,
    pub(super) row_count: usize,
    pub(super) mix_rows: usize,
    pub(super) column_count: Option<usize>,
    pub(super) texts: Vec<Vec<u8>>,
    pub(super) names: Vec<TextRef>,
    /// Data offset in the row, width, numeric?
    pub(super) attrs: Vec<(usize, usize, bool)>,
    /// Format and label of each column, in column order.
    pub(super) formats: Vec<(TextRef, TextRef)>,
}

/// One subheader pointer of a page.
pub(super) struct Pointer {
    pub(super) offset: usize,
    pub(super) len: usize,
    pub(super) compression: u8,
    kind: u8,
}

/// A page's type, its block count and its subheader pointers.
pub(super) fn page_head(
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
pub(super) enum Sub {
    Meta(u32),
    Row,
    Skip,
}

pub(super) fn classify(f: &File, p: &Pointer, sub: &[u8], compressed: bool) -> Sub {
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
pub(super) fn subheader<'a>(
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

pub(super) fn sig_name(sig: u32) -> &'static str {
    match sig {
        SIG_ROW_SIZE => "row size",
        SIG_COLUMN_SIZE => "column size",
        SIG_COLUMN_TEXT => "column text",
        SIG_COLUMN_NAME => "column name",
        SIG_COLUMN_ATTRS => "column attributes",
        _ => "format and label",
    }
}

pub(super) fn read_meta(
    f: &File,
    meta: &mut Meta,
    sig: u32,
    sub: &[u8],
    at: usize,
    what: &str,
) -> Result<()> {
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
