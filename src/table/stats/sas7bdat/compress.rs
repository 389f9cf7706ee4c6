//! Row decompression of `.sas7bdat` files: RLE (`SASYZCRL`) and RDC (`SASYZCR2`, Ross Data
//! Compression), each expanding one compressed row into a row buffer.

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Compression {
    None,
    Rle,
    Rdc,
}

/// Expands an RLE-compressed row (`SASYZCRL`) into `out` (exactly the row's length).
pub(super) fn rle(
    input: &[u8],
    out: &mut Vec<u8>,
    row_length: usize,
) -> std::result::Result<(), String> {
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
pub(super) fn rdc(
    input: &[u8],
    out: &mut Vec<u8>,
    row_length: usize,
) -> std::result::Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
