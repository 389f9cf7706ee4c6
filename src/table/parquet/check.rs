//! Checks a Parquet or Arrow IPC file against its own size before arrow-rs decodes it.
//!
//! arrow-rs 60.1 trusts lengths and counts inside the file: a mutated length can make it index
//! out of bounds (a panic) or allocate gigabytes (an abort that neither the CLI nor the page's
//! wasm can catch). Every length it will trust is checked here first, against the file size,
//! the enclosing section and a bounded expansion of the compressed size; a file that fails is
//! refused with the part and the byte offset. The Parquet and Arrow checks are independent.

use std::fmt::Write as _;
use std::io::Read as _;

/// The most a compressed page or buffer may expand (gzip's deflate tops out near 1,032:1;
/// real pages compress far less). Pages are also checked against [`MAX_PAGE`].
const MAX_RATIO: u64 = 1100;
/// The largest decoded page or buffer accepted (writers make pages of about 1 MiB).
pub const MAX_PAGE: u64 = 512 << 20;
/// Nesting depth allowed in a Thrift page header.
const MAX_DEPTH: u32 = 16;

/// An error naming the part and the offset.
fn at(part: &str, offset: u64, what: impl std::fmt::Display) -> String {
    format!("the file is damaged: {part} at byte {offset}: {what}")
}

/// The expansion bound of `compressed` bytes.
fn bound(compressed: u64) -> u64 {
    compressed
        .saturating_mul(MAX_RATIO)
        .saturating_add(4096)
        .min(MAX_PAGE)
}

// ---------------------------------------------------------------------------------------------
// Parquet

/// A Thrift compact-protocol reader over a slice, bounded and panic-free.
struct Thrift<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }
    fn skip(&mut self, n: u64) -> Option<()> {
        let end = (self.pos as u64).checked_add(n)?;
        if end > self.data.len() as u64 {
            return None;
        }
        self.pos = end as usize;
        Some(())
    }
    /// Skips one value of compact type `t`.
    fn skip_value(&mut self, t: u8, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match t {
            1 | 2 => Some(()),
            3 => self.skip(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8),
            8 => {
                let n = self.varint()?;
                self.skip(n)
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = if h >> 4 == 15 {
                    self.varint()?
                } else {
                    u64::from(h >> 4)
                };
                let et = h & 0x0f;
                if n > self.data.len() as u64 {
                    return None;
                }
                for _ in 0..n {
                    if et == 1 || et == 2 {
                        self.skip(1)?;
                    } else {
                        self.skip_value(et, depth + 1)?;
                    }
                }
                Some(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Some(());
                }
                if n > self.data.len() as u64 {
                    return None;
                }
                let kv = self.byte()?;
                for _ in 0..n {
                    self.skip_value(kv >> 4, depth + 1)?;
                    self.skip_value(kv & 0x0f, depth + 1)?;
                }
                Some(())
            }
            12 => self.fields(depth + 1, &mut |_, _, _| Ok(false)).ok(),
            13 => self.skip(16),
            _ => None,
        }
    }
    /// Walks a struct's fields; `on` reads the fields it wants (returns true) and the rest are
    /// skipped. An `Err` from `on` stops the walk.
    fn fields(
        &mut self,
        depth: u32,
        on: &mut dyn FnMut(&mut Self, i16, u8) -> std::result::Result<bool, ()>,
    ) -> std::result::Result<(), ()> {
        if depth > MAX_DEPTH {
            return Err(());
        }
        let mut id: i16 = 0;
        loop {
            let h = self.byte().ok_or(())?;
            if h == 0 {
                return Ok(());
            }
            let (delta, t) = (h >> 4, h & 0x0f);
            id = if delta == 0 {
                i16::try_from(self.zigzag().ok_or(())?).map_err(|_| ())?
            } else {
                id.wrapping_add(i16::from(delta))
            };
            if !on(self, id, t)? {
                self.skip_value(t, depth).ok_or(())?;
            }
        }
    }
    fn i32_field(&mut self, t: u8) -> std::result::Result<i64, ()> {
        if t != 5 {
            return Err(());
        }
        self.zigzag().ok_or(())
    }
}

/// What a page header says.
#[derive(Default, Debug)]
struct PageHeader {
    kind: Option<i64>,
    uncompressed: Option<i64>,
    compressed: Option<i64>,
    num_values: Option<i64>,
    /// Data page v2: repetition and definition level bytes (stored uncompressed).
    levels: i64,
}

fn page_header(data: &[u8]) -> Option<(PageHeader, usize)> {
    let mut p = Thrift { data, pos: 0 };
    let mut h = PageHeader::default();
    p.fields(0, &mut |p, id, t| match id {
        1 => p.i32_field(t).map(|v| h.kind = Some(v)).map(|_| true),
        2 => p
            .i32_field(t)
            .map(|v| h.uncompressed = Some(v))
            .map(|_| true),
        3 => p.i32_field(t).map(|v| h.compressed = Some(v)).map(|_| true),
        5 | 7 | 8 if t == 12 => {
            let v2 = id == 8;
            p.fields(1, &mut |p, id, t| match id {
                1 => p.i32_field(t).map(|v| h.num_values = Some(v)).map(|_| true),
                5 | 6 if v2 => p
                    .i32_field(t)
                    .map(|v| h.levels += if v < 0 { i64::MIN / 4 } else { v })
                    .map(|_| true),
                _ => Ok(false),
            })?;
            Ok(true)
        }
        _ => Ok(false),
    })
    .ok()?;
    Some((h, p.pos))
}

/// Checks every column chunk and page of a Parquet file whose footer `meta` has been decoded.
pub fn parquet(
    bytes: &[u8],
    meta: &parquet::file::metadata::ParquetMetaData,
) -> Result<(), String> {
    let len = bytes.len() as u64;
    // The footer: metadata length, then PAR1.
    if len < 12 {
        return Err(at("the footer", 0, "the file is too short to be Parquet"));
    }
    let footer = u64::from(u32::from_le_bytes(
        bytes[bytes.len() - 8..bytes.len() - 4]
            .try_into()
            .unwrap_or([0; 4]),
    ));
    let data_end = len
        .checked_sub(8 + footer)
        .filter(|&e| e >= 4)
        .ok_or_else(|| {
            at(
                "the footer",
                len - 8,
                format!("metadata length {footer} exceeds the file ({len} bytes)"),
            )
        })?;
    // A fixed-length column's width sizes the reader's buffers (a batch of 4,096 values).
    for d in meta.file_metadata().schema_descr().columns() {
        if d.physical_type() == parquet::basic::Type::FIXED_LEN_BYTE_ARRAY
            && !(1..=4096).contains(&d.type_length())
        {
            return Err(at(
                &format!("the schema, column {}", d.path()),
                data_end,
                format!("a fixed length of {} bytes per value", d.type_length()),
            ));
        }
    }
    let declared = meta.file_metadata().num_rows();
    let mut total: i64 = 0;
    for (g, rg) in meta.row_groups().iter().enumerate() {
        let rows = rg.num_rows();
        if rows < 0 {
            return Err(at(
                &format!("row group {g}"),
                data_end,
                format!("negative row count {rows}"),
            ));
        }
        total = total.saturating_add(rows);
        for (c, col) in rg.columns().iter().enumerate() {
            let part = format!("row group {g}, column {}", col.column_path());
            let start = col
                .dictionary_page_offset()
                .unwrap_or_else(|| col.data_page_offset());
            let size = col.compressed_size();
            let (start, size) = match (u64::try_from(start), u64::try_from(size)) {
                (Ok(s), Ok(z)) => (s, z),
                _ => {
                    return Err(at(
                        &part,
                        data_end,
                        format!("negative offset {start} or length {size}"),
                    ))
                }
            };
            let end = start
                .checked_add(size)
                .filter(|&e| e <= data_end && start >= 4);
            let Some(end) = end else {
                return Err(at(
                    &part,
                    start,
                    format!("the column chunk ({size} bytes) lies outside the data (bytes 4 to {data_end})"),
                ));
            };
            let flat = meta
                .file_metadata()
                .schema_descr()
                .columns()
                .get(c)
                .is_none_or(|d| d.max_rep_level() == 0);
            check_pages(bytes, start, end, rows, flat, col.compression(), &part)?;
        }
    }
    if total != declared {
        let mut m = String::new();
        let _ = write!(
            m,
            "the row groups hold {total} rows but the file declares {declared}"
        );
        return Err(at("the footer", data_end, m));
    }
    Ok(())
}

fn check_pages(
    bytes: &[u8],
    start: u64,
    end: u64,
    rows: i64,
    flat: bool,
    codec: parquet::basic::Compression,
    part: &str,
) -> Result<(), String> {
    use parquet::basic::Compression;
    let uncompressed_codec = codec == Compression::UNCOMPRESSED;
    let mut pos = start;
    let mut values: i64 = 0;
    while pos < end {
        let window = &bytes[pos as usize..end as usize];
        let (h, header_len) = page_header(window)
            .ok_or_else(|| at(part, pos, "the page header cannot be decoded"))?;
        let (Some(kind), Some(un), Some(comp)) = (h.kind, h.uncompressed, h.compressed) else {
            return Err(at(part, pos, "the page header lacks its type or sizes"));
        };
        let body = pos + header_len as u64;
        let (Ok(un), Ok(comp)) = (u64::try_from(un), u64::try_from(comp)) else {
            return Err(at(part, pos, format!("negative page size ({un}, {comp})")));
        };
        let page_end =
            body.checked_add(comp)
                .filter(|&e| e <= end)
                .ok_or_else(|| {
                    at(
                part,
                pos,
                format!("the page ({comp} bytes) runs past the column chunk's end at byte {end}"),
            )
                })?;
        if un > bound(comp) || (uncompressed_codec && un > comp.saturating_add(4096)) {
            return Err(at(
                part,
                pos,
                format!(
                    "the page says it decodes to {un} bytes from {comp}: more than a page can hold"
                ),
            ));
        }
        if h.levels < 0 || h.levels as u64 > comp.min(un) {
            return Err(at(part, pos, "the page's level lengths exceed the page"));
        }
        // gzip and Brotli are decoded by parquet to the end of the stream, whatever the page
        // says: a stream that decodes to more than the page's size is refused here, before
        // that (decoded into a sink, a bounded amount at a time).
        let stream = &bytes[(body + h.levels as u64) as usize..page_end as usize];
        let most = un - h.levels as u64;
        let decoded = match codec {
            Compression::GZIP(_) => {
                Some(decoded_len(flate2::read::MultiGzDecoder::new(stream), most))
            }
            Compression::BROTLI(_) => Some(decoded_len(
                brotli_decompressor::Decompressor::new(stream, 4096),
                most,
            )),
            _ => None,
        };
        if let Some(d) = decoded {
            if d > most {
                return Err(at(
                    part,
                    pos,
                    format!("the page decodes to more than the {most} bytes it says"),
                ));
            }
        }
        let n = h.num_values.unwrap_or(0);
        if n < 0 {
            return Err(at(part, pos, format!("negative value count {n}")));
        }
        match kind {
            // Dictionary page: every value takes at least one byte.
            2 if n as u64 > un => {
                return Err(at(
                    part,
                    pos,
                    format!("the dictionary page declares {n} values in {un} bytes"),
                ));
            }
            // Data pages (v1, v2): for a column that is not repeated, one value per row.
            0 | 3 => {
                values = values.saturating_add(n);
                if flat && values > rows {
                    return Err(at(
                        part,
                        pos,
                        format!("the pages hold more values ({values}) than the row group has rows ({rows})"),
                    ));
                }
            }
            _ => {}
        }
        pos = page_end;
    }
    Ok(())
}

/// How many bytes `r` decodes to, reading at most `most + 1` (a decoding error counts as the
/// end: parquet's own decoder reports it).
fn decoded_len(r: impl std::io::Read, most: u64) -> u64 {
    let mut r = r.take(most + 1);
    let mut buf = [0u8; 8192];
    let mut total = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n as u64,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arrow IPC

fn i32_at(bytes: &[u8], at: u64) -> Option<i32> {
    let at = usize::try_from(at).ok()?;
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes(b.try_into().ok()?))
}

/// Checks the record batch (or a dictionary's batch) of a message whose body is
/// `bytes[body..body + body_len]`.
fn arrow_batch(
    bytes: &[u8],
    rb: arrow_ipc::RecordBatch<'_>,
    body: u64,
    body_len: u64,
    part: &str,
) -> Result<(), String> {
    let rows = rb.length();
    let compressed = rb.compression().is_some();
    let mut decoded: u64 = 0;
    for (i, b) in rb.buffers().into_iter().flatten().enumerate() {
        let (off, n) = (b.offset(), b.length());
        let (Ok(off), Ok(n)) = (u64::try_from(off), u64::try_from(n)) else {
            return Err(at(
                part,
                body,
                format!("buffer {i} has a negative offset or length"),
            ));
        };
        if off.checked_add(n).is_none_or(|e| e > body_len) {
            return Err(at(
                part,
                body,
                format!(
                    "buffer {i} (offset {off}, {n} bytes) lies outside the body ({body_len} bytes)"
                ),
            ));
        }
        decoded = decoded.saturating_add(n);
        if compressed && n >= 8 {
            let p = (body + off) as usize;
            let un = i64::from_le_bytes(bytes[p..p + 8].try_into().unwrap_or([0; 8]));
            if un != -1 {
                let Ok(un) = u64::try_from(un) else {
                    return Err(at(
                        part,
                        body + off,
                        format!("buffer {i} has a negative size"),
                    ));
                };
                if un > bound(n - 8) {
                    return Err(at(
                        part,
                        body + off,
                        format!("buffer {i} says it decodes to {un} bytes from {}", n - 8),
                    ));
                }
                decoded = decoded.saturating_add(un);
            }
        }
    }
    // A cell takes at least a bit of some buffer (a column of nulls only is the exception, and
    // it is not worth millions of empty rows).
    let most = decoded.saturating_mul(8).saturating_add(4096);
    if rows < 0 || rows as u64 > most {
        return Err(at(
            part,
            body,
            format!("the batch declares {rows} rows for {decoded} bytes of values"),
        ));
    }
    for (i, n) in rb.nodes().into_iter().flatten().enumerate() {
        let (len, nulls) = (n.length(), n.null_count());
        if len < 0 || len as u64 > most || nulls < 0 || nulls > len {
            return Err(at(
                part,
                body,
                format!("field node {i} declares {len} values and {nulls} nulls"),
            ));
        }
    }
    Ok(())
}

/// Checks one IPC message at `pos`, within `bytes[..limit]`; returns where it ends, or `None`
/// at the end-of-stream marker.
fn arrow_message(bytes: &[u8], pos: u64, limit: u64, n: usize) -> Result<Option<u64>, String> {
    let part = format!("message {n}");
    let first = i32_at(bytes, pos)
        .ok_or_else(|| at(&part, pos, "the file ends inside a message length"))?;
    let (meta_len, meta_at) = if first == -1 {
        (
            i32_at(bytes, pos + 4)
                .ok_or_else(|| at(&part, pos, "the file ends inside a message length"))?,
            pos + 8,
        )
    } else {
        (first, pos + 4)
    };
    if meta_len == 0 {
        return Ok(None);
    }
    let meta_end = u64::try_from(meta_len)
        .ok()
        .and_then(|m| meta_at.checked_add(m))
        .filter(|&e| e <= limit)
        .ok_or_else(|| {
            at(
                &part,
                pos,
                format!("its metadata length {meta_len} runs past the end ({limit} bytes)"),
            )
        })?;
    let message =
        arrow_ipc::root_as_message(&bytes[meta_at as usize..meta_end as usize]).map_err(|e| {
            at(
                &part,
                meta_at,
                format!("its metadata cannot be decoded ({e})"),
            )
        })?;
    let body_len = u64::try_from(message.bodyLength())
        .ok()
        .filter(|&b| meta_end.checked_add(b).is_some_and(|e| e <= limit))
        .ok_or_else(|| {
            at(
                &part,
                meta_end,
                format!(
                    "its body length {} runs past the end ({limit} bytes)",
                    message.bodyLength()
                ),
            )
        })?;
    let batch = message
        .header_as_record_batch()
        .or_else(|| message.header_as_dictionary_batch().and_then(|d| d.data()));
    if let Some(rb) = batch {
        arrow_batch(bytes, rb, meta_end, body_len, &part)?;
    }
    Ok(Some(meta_end + body_len))
}

/// Checks an Arrow IPC stream: every message's lengths, buffers and counts.
pub fn arrow_stream(bytes: &[u8]) -> Result<(), String> {
    let len = bytes.len() as u64;
    let mut pos = 0;
    let mut n = 0;
    while pos < len {
        match arrow_message(bytes, pos, len, n)? {
            Some(end) => pos = end,
            None => break,
        }
        n += 1;
    }
    Ok(())
}

/// Checks an Arrow IPC file: the footer and every block it points at.
pub fn arrow_file(bytes: &[u8]) -> Result<(), String> {
    let len = bytes.len() as u64;
    if len < 18 || !bytes.ends_with(b"ARROW1") {
        return Err(at(
            "the footer",
            len,
            "the file is cut short (no closing ARROW1)",
        ));
    }
    let footer_len = i32_at(bytes, len - 10).unwrap_or(-1);
    let footer_start = u64::try_from(footer_len)
        .ok()
        .and_then(|f| (len - 10).checked_sub(f))
        .filter(|&s| s >= 8)
        .ok_or_else(|| {
            at(
                "the footer",
                len - 10,
                format!("footer length {footer_len} exceeds the file"),
            )
        })?;
    let footer = arrow_ipc::root_as_footer(&bytes[footer_start as usize..(len - 10) as usize])
        .map_err(|e| {
            at(
                "the footer",
                footer_start,
                format!("it cannot be decoded ({e})"),
            )
        })?;
    let blocks = footer
        .dictionaries()
        .into_iter()
        .flatten()
        .chain(footer.recordBatches().into_iter().flatten());
    for (n, b) in blocks.enumerate() {
        let part = format!("block {n}");
        let (Ok(off), Ok(meta), Ok(body)) = (
            u64::try_from(b.offset()),
            u64::try_from(b.metaDataLength()),
            u64::try_from(b.bodyLength()),
        ) else {
            return Err(at(&part, footer_start, "a negative offset or length"));
        };
        let end = off
            .checked_add(meta)
            .and_then(|e| e.checked_add(body))
            .filter(|&e| e <= footer_start && off >= 8);
        let Some(end) = end else {
            return Err(at(
                &part,
                off,
                format!("the block ({meta} + {body} bytes) lies outside the data (bytes 8 to {footer_start})"),
            ));
        };
        match arrow_message(bytes, off, end, n)? {
            Some(e) if e <= end => {}
            _ => return Err(at(&part, off, "its message does not fit its block")),
        }
    }
    Ok(())
}
