//! The SPSS reader's view of the file's bytes: a cursor that names what it reads when the file
//! ends, and the `.zsav` zlib blocks inflated into the bytecode stream.

use super::super::corrupt;
use crate::error::{Error, Result};

/// A cursor over the file's bytes that names what it reads when the file ends.
pub(super) struct Bytes<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
    pub(super) le: bool,
    pub(super) file: &'a str,
}

impl<'a> Bytes<'a> {
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        match self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
        {
            Some(end) => {
                let s = &self.data[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(self.fail(
                what,
                &format!(
                    "the file ends there ({} bytes needed, {} left): it is truncated",
                    n,
                    self.data.len().saturating_sub(self.pos)
                ),
            )),
        }
    }

    pub(super) fn i32(&mut self, what: &str) -> Result<i32> {
        let b: [u8; 4] = self.take(4, what)?.try_into().unwrap_or([0; 4]);
        Ok(if self.le {
            i32::from_le_bytes(b)
        } else {
            i32::from_be_bytes(b)
        })
    }

    pub(super) fn f64(&mut self, what: &str) -> Result<f64> {
        let b = self.take(8, what)?;
        Ok(self.f64_of(b))
    }

    pub(super) fn f64_of(&self, b: &[u8]) -> f64 {
        let a: [u8; 8] = b.try_into().unwrap_or([0; 8]);
        if self.le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        }
    }

    /// A count read from the file, checked against what is left (`each` bytes per item).
    pub(super) fn count(&mut self, what: &str, each: usize) -> Result<usize> {
        let at = self.pos;
        let n = self.i32(what)?;
        let left = self.data.len().saturating_sub(self.pos);
        if n < 0 || (n as usize).saturating_mul(each) > left {
            self.pos = at;
            return Err(self.fail(what, &format!("count {n} does not fit in the file")));
        }
        Ok(n as usize)
    }

    pub(super) fn fail(&self, what: &str, problem: &str) -> Error {
        corrupt(self.file, &format!("SPSS file: {what}"), self.pos, problem)
    }
}

/// The bytecode stream of a `.zsav`: its zlib blocks, inflated and joined (the trailer says
/// where each block is and how large it becomes).
pub(super) fn inflate_zsav(b: &mut Bytes) -> Result<Vec<u8>> {
    use std::io::Read;
    let header_at = b.pos;
    let zheader = b.take(24, "zlib data header")?;
    let word = |s: &[u8]| -> i64 {
        let a: [u8; 8] = s.try_into().unwrap_or([0; 8]);
        if b.le {
            i64::from_le_bytes(a)
        } else {
            i64::from_be_bytes(a)
        }
    };
    let (zheader_ofs, trailer_ofs, trailer_len) = (
        word(&zheader[..8]),
        word(&zheader[8..16]),
        word(&zheader[16..24]),
    );
    if zheader_ofs != header_at as i64 {
        return Err(corrupt(
            b.file,
            "SPSS .zsav: zlib data header",
            header_at,
            "the header does not say where it is (damaged file?)",
        ));
    }
    let trailer = usize::try_from(trailer_ofs)
        .ok()
        .zip(usize::try_from(trailer_len).ok())
        .and_then(|(o, l)| b.data.get(o..o.checked_add(l)?))
        .filter(|t| t.len() >= 24)
        .ok_or_else(|| {
            corrupt(
                b.file,
                "SPSS .zsav: zlib trailer",
                header_at + 8,
                "its offset or length points outside the file (truncated?)",
            )
        })?;
    let int = |s: &[u8]| -> i64 {
        let a: [u8; 4] = s.try_into().unwrap_or([0; 4]);
        i64::from(if b.le {
            i32::from_le_bytes(a)
        } else {
            i32::from_be_bytes(a)
        })
    };
    let n_blocks = int(&trailer[20..24]);
    if n_blocks < 0 || (n_blocks as usize).saturating_mul(24) > trailer.len() - 24 {
        return Err(corrupt(
            b.file,
            "SPSS .zsav: zlib trailer",
            trailer_ofs as usize + 20,
            &format!("{n_blocks} blocks do not fit in the trailer"),
        ));
    }
    let mut out = Vec::new();
    for k in 0..n_blocks as usize {
        let e = &trailer[24 + k * 24..48 + k * 24];
        let (c_ofs, u_size, c_size) = (word(&e[8..16]), int(&e[16..20]), int(&e[20..24]));
        let at = trailer_ofs as usize + 24 + k * 24;
        let block = usize::try_from(c_ofs)
            .ok()
            .zip(usize::try_from(c_size).ok())
            .and_then(|(o, l)| b.data.get(o..o.checked_add(l)?))
            .ok_or_else(|| {
                corrupt(
                    b.file,
                    &format!("SPSS .zsav: zlib block {}", k + 1),
                    at,
                    "it points outside the file (truncated?)",
                )
            })?;
        let before = out.len();
        flate2::read::ZlibDecoder::new(block)
            .take(u64::try_from(u_size).unwrap_or(0))
            .read_to_end(&mut out)
            .map_err(|e| {
                corrupt(
                    b.file,
                    &format!("SPSS .zsav: zlib block {}", k + 1),
                    c_ofs as usize,
                    &format!("cannot be inflated: {e}"),
                )
            })?;
        if (out.len() - before) as i64 != u_size {
            return Err(corrupt(
                b.file,
                &format!("SPSS .zsav: zlib block {}", k + 1),
                c_ofs as usize,
                "it inflates to fewer bytes than the trailer says",
            ));
        }
    }
    Ok(out)
}
