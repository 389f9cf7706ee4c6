//! A Parquet page's bytes decompressed for the check (check.rs), which walks a page's levels and
//! dictionary keys before parquet's own decoders see them.
//!
//! Written here from the codecs' formats rather than through parquet's `compression` module:
//! that module is public only behind parquet's `experimental` feature, which also turns on the
//! Variant type support and with it the whole `arrow` crate (arrow-cmp, arrow-cast, …): about
//! half of the columnar module's compile time, for nothing the page reads. Each codec here is
//! the crate parquet itself decodes with (snap, flate2, brotli-decompressor, lz4_flex, zstd),
//! read the same way, and every output is bounded to the size the page declares.

use parquet::basic::Compression;
use std::io::Read;

/// `input` decoded into `out` (cleared first), which may hold at most `size` bytes: the page's
/// declared uncompressed size, already bounded by the check. An error says why in words.
pub(crate) fn decompress(
    codec: Compression,
    input: &[u8],
    size: u64,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    out.clear();
    let size =
        usize::try_from(size).map_err(|_| "the page is too large to decompress".to_string())?;
    let failed = |e: &dyn std::fmt::Display| format!("the page cannot be decompressed ({e})");
    match codec {
        Compression::UNCOMPRESSED => {
            if input.len() > size {
                return Err(failed(&"it holds more bytes than it says"));
            }
            out.extend_from_slice(input);
            Ok(())
        }
        Compression::SNAPPY => {
            // Raw snappy: the stream starts with its decoded length, which must fit the page.
            out.resize(size, 0);
            let n = snap::raw::Decoder::new()
                .decompress(input, out)
                .map_err(|e| failed(&e))?;
            out.truncate(n);
            Ok(())
        }
        Compression::GZIP(_) => read_bounded(flate2::read::MultiGzDecoder::new(input), size, out)
            .map_err(|e| failed(&e)),
        Compression::BROTLI(_) => read_bounded(
            brotli_decompressor::Decompressor::new(input, 4096),
            size,
            out,
        )
        .map_err(|e| failed(&e)),
        Compression::LZ4_RAW => lz4_block(input, size, out).map_err(|e| failed(&e)),
        // "LZ4" in Parquet is the Hadoop framing of LZ4 blocks; files written by older
        // parquet-cpp and arrow-rs hold the LZ4 frame format or a bare block instead, and parquet
        // reads those too (its default, backward-compatible LZ4), in this order.
        Compression::LZ4 => lz4_hadoop(input, size, out)
            .or_else(|_| read_bounded(lz4_flex::frame::FrameDecoder::new(input), size, out))
            .or_else(|_| lz4_block(input, size, out))
            .map_err(|e| failed(&e)),
        #[cfg(feature = "zstd")]
        Compression::ZSTD(_) => {
            let decoder =
                zstd::stream::read::Decoder::with_buffer(input).map_err(|e| failed(&e))?;
            read_bounded(decoder, size, out).map_err(|e| failed(&e))
        }
        other => Err(format!(
            "the page's codec {other} cannot be decompressed here"
        )),
    }
}

/// Reads `r` to its end into `out`, refusing a stream that decodes to more than `size` bytes.
fn read_bounded(r: impl Read, size: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
    out.clear();
    r.take(size as u64 + 1).read_to_end(out)?;
    if out.len() > size {
        out.clear();
        return Err(std::io::Error::other(format!(
            "it decodes to more than the {size} bytes it says"
        )));
    }
    Ok(())
}

/// One bare LZ4 block that must decode to exactly `size` bytes.
fn lz4_block(input: &[u8], size: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
    out.clear();
    out.resize(size, 0);
    let n = lz4_flex::block::decompress_into(input, out).map_err(std::io::Error::other)?;
    if n != size {
        out.clear();
        return Err(std::io::Error::other(format!(
            "it decodes to {n} bytes, not the {size} it says"
        )));
    }
    Ok(())
}

/// Hadoop's LZ4 framing: frames of [decoded length, compressed length] (big-endian u32 each)
/// and one LZ4 block, until the input ends; together they must decode to exactly `size` bytes.
fn lz4_hadoop(input: &[u8], size: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
    let bad = |why: &str| std::io::Error::other(why.to_string());
    out.clear();
    out.resize(size, 0);
    let mut rest = input;
    let mut done = 0usize;
    while !rest.is_empty() {
        let (Some(decoded), Some(compressed)) = (be_u32(rest, 0), be_u32(rest, 4)) else {
            return Err(bad("a Hadoop LZ4 frame header is cut short"));
        };
        rest = &rest[8..];
        let block = rest
            .get(..compressed)
            .ok_or_else(|| bad("a Hadoop LZ4 frame is cut short"))?;
        let room = out
            .get_mut(done..)
            .and_then(|o| o.get_mut(..decoded))
            .ok_or_else(|| bad("the Hadoop LZ4 frames decode to more than the page says"))?;
        let n = lz4_flex::block::decompress_into(block, room).map_err(std::io::Error::other)?;
        if n != decoded {
            return Err(bad(
                "a Hadoop LZ4 frame decodes to another length than it says",
            ));
        }
        done += n;
        rest = &rest[compressed..];
    }
    if done != size {
        return Err(bad(
            "the Hadoop LZ4 frames decode to another length than the page says",
        ));
    }
    Ok(())
}

fn be_u32(bytes: &[u8], at: usize) -> Option<usize> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    usize::try_from(u32::from_be_bytes(b)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const TEXT: &[u8] = b"levels and values, levels and values, levels and values, 0123456789";

    fn decoded(codec: Compression, input: &[u8], size: usize) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        decompress(codec, input, size as u64, &mut out).map(|()| out)
    }

    #[test]
    fn every_codec_decodes_what_its_encoder_wrote() {
        let snappy = snap::raw::Encoder::new().compress_vec(TEXT).unwrap();
        assert_eq!(
            decoded(Compression::SNAPPY, &snappy, TEXT.len()).unwrap(),
            TEXT
        );

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        let gzip = Compression::GZIP(Default::default());
        assert_eq!(decoded(gzip, &gz, TEXT.len()).unwrap(), TEXT);

        let block = lz4_flex::block::compress(TEXT);
        assert_eq!(
            decoded(Compression::LZ4_RAW, &block, TEXT.len()).unwrap(),
            TEXT
        );
        // Hadoop framing: two frames of one block each.
        let (a, b) = TEXT.split_at(20);
        let mut hadoop = Vec::new();
        for part in [a, b] {
            let c = lz4_flex::block::compress(part);
            hadoop.extend_from_slice(&(part.len() as u32).to_be_bytes());
            hadoop.extend_from_slice(&(c.len() as u32).to_be_bytes());
            hadoop.extend_from_slice(&c);
        }
        assert_eq!(
            decoded(Compression::LZ4, &hadoop, TEXT.len()).unwrap(),
            TEXT
        );
        // The older layouts parquet also reads under "LZ4": the frame format, a bare block.
        let mut frame = lz4_flex::frame::FrameEncoder::new(Vec::new());
        frame.write_all(TEXT).unwrap();
        let frame = frame.finish().unwrap();
        assert_eq!(decoded(Compression::LZ4, &frame, TEXT.len()).unwrap(), TEXT);
        assert_eq!(decoded(Compression::LZ4, &block, TEXT.len()).unwrap(), TEXT);
    }

    #[test]
    fn a_page_that_decodes_to_more_than_it_says_is_refused() {
        let snappy = snap::raw::Encoder::new().compress_vec(TEXT).unwrap();
        assert!(decoded(Compression::SNAPPY, &snappy, TEXT.len() - 1).is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        let err = decoded(Compression::GZIP(Default::default()), &gz, 10).unwrap_err();
        assert!(err.contains("more than the 10 bytes"), "{err}");
        let block = lz4_flex::block::compress(TEXT);
        assert!(decoded(Compression::LZ4_RAW, &block, TEXT.len() + 1).is_err());
        assert!(decoded(Compression::UNCOMPRESSED, TEXT, 3).is_err());
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        let mut hadoop = vec![0, 0, 0, 100, 0xff, 0xff, 0xff, 0xff];
        hadoop.extend_from_slice(&[1, 2, 3]);
        for codec in [Compression::SNAPPY, Compression::LZ4, Compression::LZ4_RAW] {
            assert!(decoded(codec, &hadoop, 100).is_err(), "{codec}");
        }
        for codec in [Compression::SNAPPY, Compression::LZ4_RAW] {
            assert!(decoded(codec, &[], 100).is_err(), "{codec}");
        }
        // An empty LZ4 frame stream decodes to nothing, as in parquet: the level walk that
        // follows then finds the page too short.
        assert_eq!(
            decoded(Compression::LZ4, &[], 100).unwrap(),
            Vec::<u8>::new()
        );
    }
}
