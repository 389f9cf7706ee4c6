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
    /// Data pages: the values' encoding (PLAIN_DICTIONARY 2, RLE_DICTIONARY 8: dictionary keys).
    encoding: Option<i64>,
    /// Data page v1: the encodings of the definition and repetition levels (RLE 3, BIT_PACKED 4).
    def_encoding: Option<i64>,
    rep_encoding: Option<i64>,
    /// Data page v2: definition and repetition level bytes (stored uncompressed, before the
    /// values, repetition levels first).
    def_len: i64,
    rep_len: i64,
    /// Data page v2: whether the values are compressed (the default).
    v2_compressed: bool,
}

impl PageHeader {
    /// Level bytes of a v2 page (negative when a length is).
    fn levels(&self) -> i64 {
        if self.def_len < 0 || self.rep_len < 0 {
            -1
        } else {
            self.def_len.saturating_add(self.rep_len)
        }
    }
}

fn page_header(data: &[u8]) -> Option<(PageHeader, usize)> {
    let mut p = Thrift { data, pos: 0 };
    let mut h = PageHeader {
        v2_compressed: true,
        ..PageHeader::default()
    };
    p.fields(0, &mut |p, id, t| match id {
        1 => p.i32_field(t).map(|v| h.kind = Some(v)).map(|_| true),
        2 => p
            .i32_field(t)
            .map(|v| h.uncompressed = Some(v))
            .map(|_| true),
        3 => p.i32_field(t).map(|v| h.compressed = Some(v)).map(|_| true),
        5 | 7 | 8 if t == 12 => {
            let (v1, v2) = (id == 5, id == 8);
            p.fields(1, &mut |p, id, t| match id {
                1 => p.i32_field(t).map(|v| h.num_values = Some(v)).map(|_| true),
                2 if v1 => p.i32_field(t).map(|v| h.encoding = Some(v)).map(|_| true),
                4 if v2 => p.i32_field(t).map(|v| h.encoding = Some(v)).map(|_| true),
                3 if v1 => p
                    .i32_field(t)
                    .map(|v| h.def_encoding = Some(v))
                    .map(|_| true),
                4 if v1 => p
                    .i32_field(t)
                    .map(|v| h.rep_encoding = Some(v))
                    .map(|_| true),
                5 if v2 => p.i32_field(t).map(|v| h.def_len = v).map(|_| true),
                6 if v2 => p.i32_field(t).map(|v| h.rep_len = v).map(|_| true),
                // A compact-protocol bool is its type: 1 true, 2 false.
                7 if v2 && (t == 1 || t == 2) => {
                    h.v2_compressed = t == 1;
                    Ok(true)
                }
                _ => Ok(false),
            })?;
            Ok(true)
        }
        _ => Ok(false),
    })
    .ok()?;
    Some((h, p.pos))
}

/// The bits a level up to `max` takes.
fn level_bits(max: i16) -> u32 {
    16 - (max.max(0) as u16).leading_zeros()
}

/// Walks levels in the RLE/bit-packed hybrid encoding (no length prefix): every run header,
/// every run's bytes, every value at most `max`, until `need` values are covered. Returns the
/// bytes used, or the offset within `data` where the levels go wrong and why. (parquet's
/// null-mask decoder indexes a bit-packed run's bytes without checking they exist.)
fn hybrid_levels(data: &[u8], max: i16, need: u64) -> Result<usize, (usize, String)> {
    hybrid_runs(
        data,
        level_bits(max),
        max.max(0) as u64,
        Some(need),
        "level",
    )
}

/// Walks values of `bits` bits in the RLE/bit-packed hybrid encoding: each at most `max`.
/// With `need`, the runs must cover that many values (levels); without, the runs are walked to
/// the end of `data` and a run cut short is checked as far as it goes (dictionary keys: parquet
/// reads no further than the bytes there).
fn hybrid_runs(
    data: &[u8],
    bits: u32,
    max: u64,
    need: Option<u64>,
    what: &str,
) -> Result<usize, (usize, String)> {
    let bits = u64::from(bits);
    let mut pos = 0usize;
    let mut count = 0u64;
    while need.map_or(pos < data.len(), |need| count < need) {
        let want = need.map_or(u64::MAX, |need| need - count);
        let at = pos;
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = data.get(pos) else {
                return match need {
                    Some(need) => Err((
                        at,
                        format!("the {what}s end after {count} of {need} values"),
                    )),
                    None => Ok(pos),
                };
            };
            pos += 1;
            if shift < 64 {
                header |= u64::from(b & 0x7f) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
            if shift >= 35 {
                return Err((at, format!("a {what} run header longer than five bytes")));
            }
        }
        let left = (data.len() - pos) as u64;
        if header & 1 == 1 {
            let groups = header >> 1;
            let values = groups * 8;
            let bytes = groups * bits;
            // A writer may cut the last run short after the values it holds: what is there
            // must cover what is needed.
            let present = if bytes <= left {
                values
            } else {
                left * 8 / bits.max(1)
            };
            if bytes > left && need.is_some() && present < want {
                return Err((
                    at,
                    format!(
                        "a bit-packed run of {values} {what}s needs {bytes} bytes; {left} remain"
                    ),
                ));
            }
            let take = present.min(want);
            if bits < 64 && max < (1 << bits) - 1 {
                for i in 0..take {
                    let v = (0..bits).fold(0u64, |v, b| {
                        let bit = (i * bits + b) as usize;
                        v | (u64::from(data[pos + bit / 8] >> (bit % 8) & 1) << b)
                    });
                    if v > max {
                        return Err((
                            at,
                            format!("a {what} of {v} where at most {max} is allowed"),
                        ));
                    }
                }
            }
            count = count.saturating_add(take);
            pos += bytes.min(left) as usize;
        } else {
            let n = header >> 1;
            let width = bits.div_ceil(8);
            if width > left {
                return match need {
                    Some(_) => Err((at, format!("a repeated {what} run ends inside its value"))),
                    None => Ok(data.len()),
                };
            }
            let v = (0..width as usize).fold(0u64, |v, i| v | u64::from(data[pos + i]) << (8 * i));
            if n > 0 && v > max {
                return Err((
                    at,
                    format!("a {what} of {v} where at most {max} is allowed"),
                ));
            }
            count = count.saturating_add(n);
            pos += width as usize;
        }
    }
    Ok(pos)
}

/// Checks the dictionary keys of a data page's values (`values`: a byte holding the key width,
/// then the keys in the hybrid encoding) against the dictionary's `count` values. parquet's
/// reader of fixed-length byte arrays indexes its dictionary with a key it does not check.
fn dictionary_keys(values: &[u8], count: u64) -> Result<(), (usize, String)> {
    let Some((&width, runs)) = values.split_first() else {
        return Ok(());
    };
    if width > 32 {
        return Err((0, format!("a dictionary key width of {width} bits")));
    }
    if count == 0 {
        return Ok(());
    }
    hybrid_runs(runs, u32::from(width), count - 1, None, "dictionary key")
        .map(|_| ())
        .map_err(|(at, why)| (at + 1, why))
}

/// Checks a data page's levels in `data` (the decoded v1 page, or the v2 level bytes):
/// repetition levels, then definition levels, each covering `need` values.
fn page_levels(
    data: &[u8],
    h: &PageHeader,
    levels: (i16, i16),
    need: u64,
    v1: bool,
) -> Result<usize, (usize, String)> {
    let mut pos = 0usize;
    for (which, max, encoding, v2_len) in [
        ("repetition", levels.1, h.rep_encoding, h.rep_len),
        ("definition", levels.0, h.def_encoding, h.def_len),
    ] {
        if max <= 0 {
            // No levels of this kind in a v1 page; a v2 page says their length (zero).
            if !v1 {
                pos = pos.saturating_add(v2_len.max(0) as usize);
            }
            continue;
        }
        let named = |(at, why): (usize, String)| (at, format!("its {which} levels: {why}"));
        let rest = &data[pos.min(data.len())..];
        if v1 {
            match encoding {
                // RLE: a four-byte length, then the runs.
                Some(3) => {
                    let Some(len) = rest.get(..4) else {
                        return Err(named((pos, "the level length is cut off".into())));
                    };
                    let len = u32::from_le_bytes(len.try_into().unwrap_or([0; 4])) as usize;
                    let runs = rest.get(4..4usize.saturating_add(len)).ok_or_else(|| {
                        named((
                            pos,
                            format!("a level length of {len} bytes runs past the page"),
                        ))
                    })?;
                    hybrid_levels(runs, max, need).map_err(|(at, w)| named((pos + 4 + at, w)))?;
                    pos += 4 + len;
                }
                // BIT_PACKED (deprecated): the values packed, no length.
                Some(4) => {
                    let bytes = need.saturating_mul(u64::from(level_bits(max))).div_ceil(8);
                    if bytes > rest.len() as u64 {
                        return Err(named((
                            pos,
                            format!(
                                "{need} bit-packed levels need {bytes} bytes; {} remain",
                                rest.len()
                            ),
                        )));
                    }
                    pos += bytes as usize;
                }
                other => {
                    return Err(named((
                        pos,
                        format!(
                            "level encoding {} is not RLE or BIT_PACKED",
                            other.unwrap_or(-1)
                        ),
                    )))
                }
            }
        } else {
            let len = v2_len.max(0) as usize;
            let runs = rest.get(..len).ok_or_else(|| {
                named((
                    pos,
                    format!("a level length of {len} bytes runs past the page"),
                ))
            })?;
            hybrid_levels(runs, max, need).map_err(|(at, w)| named((pos + at, w)))?;
            pos += len;
        }
    }
    Ok(pos)
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
            let column = meta.file_metadata().schema_descr().columns().get(c);
            check_pages(bytes, start, end, rows, column, col.compression(), &part)?;
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
    column: Option<&parquet::schema::types::ColumnDescPtr>,
    codec: parquet::basic::Compression,
    part: &str,
) -> Result<(), String> {
    use parquet::basic::Compression;
    let levels = column.map_or((0, 0), |d| (d.max_def_level(), d.max_rep_level()));
    let flba =
        column.is_some_and(|d| d.physical_type() == parquet::basic::Type::FIXED_LEN_BYTE_ARRAY);
    let flat = levels.1 <= 0;
    let uncompressed_codec = codec == Compression::UNCOMPRESSED;
    let mut decoded_page = Vec::new();
    // The values of the chunk's dictionary page.
    let mut dictionary: Option<u64> = None;
    let mut pos = start;
    let mut values: i64 = 0;
    let mut page = 0usize;
    while pos < end {
        let part = &format!("{part}, page {page}");
        page += 1;
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
        let levels_len = h.levels();
        if levels_len < 0 || levels_len as u64 > comp.min(un) {
            return Err(at(part, pos, "the page's level lengths exceed the page"));
        }
        // gzip and Brotli are decoded by parquet to the end of the stream, whatever the page
        // says: a stream that decodes to more than the page's size is refused here, before
        // that (decoded into a sink, a bounded amount at a time).
        let stream = &bytes[(body + levels_len as u64) as usize..page_end as usize];
        let most = un - levels_len as u64;
        let decoded = match codec {
            Compression::GZIP(_) => {
                Some(decoded_len(flate2::read::MultiGzDecoder::new(stream), most))
            }
            Compression::BROTLI(_) => Some(decoded_len(
                brotli_decompressor::Decompressor::new(stream, 4096),
                most,
            )),
            // LZ4 (Hadoop framing): when a page is not in Hadoop frames, parquet falls back to
            // the LZ4 frame format, decoded to the end of the stream: bounded here the same way
            // (a page that is not an LZ4 frame fails at once).
            Compression::LZ4 => Some(decoded_len(
                lz4_flex::frame::FrameDecoder::new(stream),
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
            2 => dictionary = Some(n as u64),
            // Data pages (v1, v2): for a column that is not repeated, one value per row.
            0 | 3 => {
                // The levels, walked before parquet decodes them, and the dictionary keys of
                // a fixed-length byte array column. A v1 page holds its levels at the start of
                // its decoded data, then its values; a v2 page its levels uncompressed, then
                // its values (compressed unless it says not).
                let v1 = kind == 0;
                let keys = flba && matches!(h.encoding, Some(2 | 8));
                if levels.0 > 0 || levels.1 > 0 || keys {
                    let page = &bytes[body as usize..page_end as usize];
                    let decoded = v1 && !uncompressed_codec;
                    let data: &[u8] = if decoded {
                        crate::codec::decompress(codec, page, un, &mut decoded_page)
                            .map_err(|e| at(part, pos, e))?;
                        &decoded_page
                    } else {
                        page
                    };
                    let damaged = |(off, why): (usize, String)| {
                        let whence = if decoded {
                            format!("decoded byte {off} of the page at byte {pos}")
                        } else {
                            format!("byte {}", body + off as u64)
                        };
                        format!("the file is damaged: {part}: {why} (at {whence})")
                    };
                    let values_at = page_levels(data, &h, levels, n as u64, v1).map_err(damaged)?;
                    if keys {
                        let count = dictionary.unwrap_or(0);
                        if v1 {
                            let rest = data.get(values_at..).unwrap_or_default();
                            dictionary_keys(rest, count)
                                .map_err(|(off, why)| damaged((values_at + off, why)))?;
                        } else {
                            let rest = page.get(values_at..).unwrap_or_default();
                            if h.v2_compressed && !uncompressed_codec {
                                let size = un.saturating_sub(values_at as u64);
                                crate::codec::decompress(codec, rest, size, &mut decoded_page)
                                    .map_err(|e| at(part, pos, e))?;
                                dictionary_keys(&decoded_page, count).map_err(|(off, why)| {
                                    format!(
                                        "the file is damaged: {part}: {why} (at decoded byte \
                                         {off} of the values of the page at byte {pos})"
                                    )
                                })?;
                            } else {
                                dictionary_keys(rest, count)
                                    .map_err(|(off, why)| damaged((values_at + off, why)))?;
                            }
                        }
                    }
                }
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
    fields: &[arrow_schema::DataType],
) -> Result<(), String> {
    let rows = rb.length();
    let compressed = rb.compression().is_some();
    let mut decoded: u64 = 0;
    // Each buffer's length once decoded (for the layout walk below).
    let mut lengths: Vec<u64> = Vec::new();
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
        lengths.push(n);
        if compressed && n >= 8 {
            let p = (body + off) as usize;
            let un = i64::from_le_bytes(bytes[p..p + 8].try_into().unwrap_or([0; 8]));
            if un == -1 {
                // Stored uncompressed after the prefix.
                lengths[i] = n - 8;
            } else {
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
                lengths[i] = un;
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
    let mut nodes = Vec::new();
    for (i, n) in rb.nodes().into_iter().flatten().enumerate() {
        let (len, nulls) = (n.length(), n.null_count());
        if len < 0 || len as u64 > most || nulls < 0 || nulls > len {
            return Err(at(
                part,
                body,
                format!("field node {i} declares {len} values and {nulls} nulls"),
            ));
        }
        nodes.push(len as u64);
    }
    let mut walk = IpcWalk {
        nodes: nodes.into_iter(),
        buffers: lengths.into_iter().enumerate(),
        variadic: rb.variadicBufferCounts().into_iter().flatten().collect(),
    };
    for field in fields {
        match walk.array(field) {
            Ok(()) => {}
            // The walk ran out of nodes or buffers: arrow-ipc says so itself.
            Err(None) => break,
            Err(Some(why)) => return Err(at(part, body, why)),
        }
    }
    Ok(())
}

/// The field nodes and buffers of a record batch, taken in the order arrow-ipc's reader takes
/// them (`RecordBatchDecoder::create_array`), to check the buffers whose length arrow-rs
/// assumes: an offsets, views or dictionary-keys buffer is read as a whole slice of its integer
/// type (a length that is not a multiple of its width panics), and a union's type ids and
/// offsets are sliced to the column's length without a check.
struct IpcWalk {
    nodes: std::vec::IntoIter<u64>,
    buffers: std::iter::Enumerate<std::vec::IntoIter<u64>>,
    variadic: std::collections::VecDeque<i64>,
}

impl IpcWalk {
    fn node(&mut self) -> Result<u64, Option<String>> {
        self.nodes.next().ok_or(None)
    }

    fn buffer(&mut self) -> Result<(usize, u64), Option<String>> {
        self.buffers.next().ok_or(None)
    }

    /// The next buffer, which arrow-rs reads as a slice of `width`-byte integers.
    fn whole(&mut self, width: u64, what: &str) -> Result<u64, Option<String>> {
        let (i, n) = self.buffer()?;
        if n % width != 0 {
            return Err(Some(format!(
                "buffer {i} ({what}) is {n} bytes, not a whole number of {width}-byte values"
            )));
        }
        Ok(n)
    }

    fn array(&mut self, t: &arrow_schema::DataType) -> Result<(), Option<String>> {
        use arrow_schema::{DataType as T, UnionMode};
        match t {
            T::Utf8 | T::Binary | T::LargeUtf8 | T::LargeBinary => {
                self.node()?;
                self.buffer()?;
                let width = if matches!(t, T::Utf8 | T::Binary) {
                    4
                } else {
                    8
                };
                self.whole(width, "offsets")?;
                self.buffer()?;
            }
            T::Utf8View | T::BinaryView => {
                let count = self.variadic.pop_front().ok_or(None)?;
                let count = usize::try_from(count).map_err(|_| None)?;
                self.buffer()?;
                self.whole(16, "views")?;
                for _ in 0..count {
                    self.buffer()?;
                }
                self.node()?;
            }
            T::FixedSizeBinary(_) => {
                self.node()?;
                self.buffer()?;
                self.buffer()?;
            }
            T::List(f) | T::LargeList(f) | T::Map(f, _) => {
                self.node()?;
                self.buffer()?;
                let width = if matches!(t, T::LargeList(_)) { 8 } else { 4 };
                self.whole(width, "offsets")?;
                self.array(f.data_type())?;
            }
            T::ListView(f) | T::LargeListView(f) => {
                self.node()?;
                self.buffer()?;
                let width = if matches!(t, T::ListView(_)) { 4 } else { 8 };
                self.whole(width, "offsets")?;
                self.whole(width, "sizes")?;
                self.array(f.data_type())?;
            }
            T::FixedSizeList(f, _) => {
                self.node()?;
                self.buffer()?;
                self.array(f.data_type())?;
            }
            T::Struct(fields) => {
                self.node()?;
                self.buffer()?;
                for f in fields {
                    self.array(f.data_type())?;
                }
            }
            T::RunEndEncoded(ends, values) => {
                self.node()?;
                self.array(ends.data_type())?;
                self.array(values.data_type())?;
            }
            T::Dictionary(key, _) => {
                self.node()?;
                self.buffer()?;
                let width = key.primitive_width().unwrap_or(1) as u64;
                self.whole(width, "dictionary keys")?;
            }
            T::Union(fields, mode) => {
                // Metadata version 5 (the only one arrow-rs writes and reads unions in) has no
                // validity buffer for a union.
                let len = self.node()?;
                let (i, ids) = self.buffer()?;
                let offsets = match mode {
                    UnionMode::Dense => Some(self.buffer()?),
                    UnionMode::Sparse => None,
                };
                if ids < len || offsets.is_some_and(|(_, n)| n < len.saturating_mul(4)) {
                    return Err(Some(format!(
                        "buffer {i} (union type ids) and its offsets are too short for {len} values"
                    )));
                }
                for (_, f) in fields.iter() {
                    self.array(f.data_type())?;
                }
            }
            T::Null => {
                self.node()?;
            }
            _ => {
                self.node()?;
                self.buffer()?;
                self.buffer()?;
            }
        }
        Ok(())
    }
}

/// The value type of every dictionary of `schema`, by its id.
#[allow(deprecated)] // arrow-ipc itself finds a dictionary's type by the field's id
fn dictionary_types(
    fields: &arrow_schema::Fields,
    out: &mut std::collections::HashMap<i64, arrow_schema::DataType>,
) {
    use arrow_schema::DataType as T;
    for f in fields {
        if let (T::Dictionary(_, value), Some(id)) = (f.data_type(), f.dict_id()) {
            out.entry(id).or_insert_with(|| value.as_ref().clone());
        }
        match f.data_type() {
            T::List(c) | T::LargeList(c) | T::Map(c, _) | T::FixedSizeList(c, _) => {
                dictionary_types(&vec![c.clone()].into(), out)
            }
            T::ListView(c) | T::LargeListView(c) => dictionary_types(&vec![c.clone()].into(), out),
            T::Struct(children) => dictionary_types(children, out),
            T::Union(children, _) => {
                let fs: Vec<_> = children.iter().map(|(_, f)| f.clone()).collect();
                dictionary_types(&fs.into(), out)
            }
            T::RunEndEncoded(a, b) => dictionary_types(&vec![a.clone(), b.clone()].into(), out),
            _ => {}
        }
    }
}

/// What a batch's buffers hold: the schema's columns, and each dictionary's value type.
#[derive(Default)]
struct IpcSchema {
    columns: Vec<arrow_schema::DataType>,
    dictionaries: std::collections::HashMap<i64, arrow_schema::DataType>,
}

impl IpcSchema {
    fn new(fb: arrow_ipc::Schema<'_>) -> Option<IpcSchema> {
        let schema = arrow_ipc::convert::try_fb_to_schema(fb).ok()?;
        let mut dictionaries = std::collections::HashMap::new();
        dictionary_types(schema.fields(), &mut dictionaries);
        Some(IpcSchema {
            columns: schema
                .fields()
                .iter()
                .map(|f| f.data_type().clone())
                .collect(),
            dictionaries,
        })
    }
}

/// Checks one IPC message at `pos`, within `bytes[..limit]`; returns where it ends, or `None`
/// at the end-of-stream marker.
fn arrow_message(
    bytes: &[u8],
    pos: u64,
    limit: u64,
    n: usize,
    schema: &mut Option<IpcSchema>,
    block: Option<(u64, u64)>,
) -> Result<Option<u64>, String> {
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
    // In a file, arrow-ipc takes the block's lengths, not the message's own: the metadata is
    // read from the whole block and the body starts at the block's metadata length.
    let (meta_end, read_end) = match block {
        Some((meta, body)) => {
            let body_at = pos.saturating_add(meta);
            if body_at < meta_at || body_at.saturating_add(body) > limit {
                return Err(at(&part, pos, "its block's lengths do not fit the message"));
            }
            (body_at, body_at + body)
        }
        None => (meta_end, meta_end),
    };
    let read_end = read_end.max(meta_end);
    let message =
        arrow_ipc::root_as_message(&bytes[meta_at as usize..read_end as usize]).map_err(|e| {
            at(
                &part,
                meta_at,
                format!("its metadata cannot be decoded ({e})"),
            )
        })?;
    let stated = match block {
        Some((_, body)) => i64::try_from(body).unwrap_or(-1),
        None => message.bodyLength(),
    };
    let body_len = u64::try_from(stated)
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
    if let Some(fb) = message.header_as_schema() {
        if schema.is_none() {
            *schema = IpcSchema::new(fb);
        }
    }
    // A batch's columns, or a dictionary's values (a column of the dictionary's value type);
    // without a schema arrow-ipc refuses the batch itself.
    let none = IpcSchema::default();
    let known = schema.as_ref().unwrap_or(&none);
    let batch = match (
        message.header_as_record_batch(),
        message.header_as_dictionary_batch(),
    ) {
        (Some(rb), _) => Some((rb, known.columns.clone())),
        (None, Some(d)) => d.data().map(|rb| {
            let value = known.dictionaries.get(&d.id()).cloned();
            (rb, value.into_iter().collect())
        }),
        (None, None) => None,
    };
    if let Some((rb, fields)) = batch {
        arrow_batch(bytes, rb, meta_end, body_len, &part, &fields)?;
    }
    Ok(Some(meta_end + body_len))
}

/// Checks an Arrow IPC stream: every message's lengths, buffers and counts.
pub fn arrow_stream(bytes: &[u8]) -> Result<(), String> {
    let len = bytes.len() as u64;
    let mut pos = 0;
    let mut n = 0;
    let mut schema = None;
    while pos < len {
        match arrow_message(bytes, pos, len, n, &mut schema, None)? {
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
    let mut schema = footer.schema().and_then(IpcSchema::new);
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
        match arrow_message(bytes, off, end, n, &mut schema, Some((meta, body)))? {
            Some(e) if e <= end => {}
            _ => return Err(at(&part, off, "its message does not fit its block")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_runs_are_walked_against_the_bytes_there() {
        // Ten levels of bit width 1: a repeated run of 3 ones, then one bit-packed group of 8.
        let good = [3 << 1, 1, (1 << 1) | 1, 0b1010_1010];
        assert_eq!(hybrid_levels(&good, 1, 10), Ok(4));
        // The bit-packed run claims two groups (2 bytes) and 11 levels are needed: one byte is there.
        let cut = [3 << 1, 1, (2 << 1) | 1, 0xFF];
        let (at, why) = hybrid_levels(&cut, 1, 12).unwrap_err();
        assert_eq!(at, 2);
        assert!(why.contains("needs 2 bytes; 1 remain"), "{why}");
        // ...but a last run cut short after the values needed is what some writers write.
        assert_eq!(hybrid_levels(&cut, 1, 11), Ok(4));
        // A level above the column's maximum, and levels that end too soon.
        assert!(hybrid_levels(&[2 << 1, 2], 1, 2)
            .unwrap_err()
            .1
            .contains("at most 1"));
        assert!(hybrid_levels(&[2 << 1, 1], 1, 3)
            .unwrap_err()
            .1
            .contains("end after 2 of 3"));
        // Width 2 (maximum level 2): a packed value of 3 is refused.
        assert!(
            hybrid_levels(&[(1 << 1) | 1, 0b11, 0, 0, 0, 0, 0, 0, 0], 2, 8)
                .unwrap_err()
                .1
                .contains("level of 3")
        );
        // A zero-length run is passed over.
        assert_eq!(hybrid_levels(&[0, 1, 2 << 1, 1], 1, 2), Ok(4));
        assert_eq!(level_bits(0), 0);
        assert_eq!(level_bits(1), 1);
        assert_eq!(level_bits(3), 2);
    }

    #[test]
    fn dictionary_keys_stay_within_the_dictionary() {
        // Width 2: a repeated key 2, then a bit-packed group of 8 keys (0..3 in 2 bytes).
        let keys = [2, 4 << 1, 2, (1 << 1) | 1, 0b11_10_01_00, 0b00_01_10_00];
        assert_eq!(dictionary_keys(&keys, 4), Ok(()));
        let (at, why) = dictionary_keys(&keys, 3).unwrap_err();
        assert_eq!(at, 3);
        assert!(
            why.contains("a dictionary key of 3 where at most 2"),
            "{why}"
        );
        assert!(dictionary_keys(&keys, 2)
            .unwrap_err()
            .1
            .contains("key of 2"));
        // Keys cut short are checked as far as they go; no keys at all is no error.
        assert_eq!(dictionary_keys(&keys[..5], 4), Ok(()));
        assert_eq!(dictionary_keys(&[], 0), Ok(()));
        assert!(dictionary_keys(&[40], 4)
            .unwrap_err()
            .1
            .contains("width of 40"));
    }
}
