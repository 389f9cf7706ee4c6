//! Text encodings: which one a file is written in (byte-order mark, UTF-8 validity, or
//! `chardetng`'s guess), and decoding to UTF-8 with every malformed byte sequence reported by
//! line, never replaced silently.
//!
//! ```
//! use bedside::table::csv::{read_csv, CsvOptions};
//! // "José Müller, Zürich" as a Windows-1252 export writes it.
//! let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("name,city\nJosé Müller,Zürich\n");
//! let p = read_csv(&bytes, "t.csv", &CsvOptions::default()).unwrap();
//! assert_eq!(p.table.column("name").unwrap().values.text(0).as_deref(), Some("José Müller"));
//! assert_eq!(p.encoding.name, "windows-1252");
//! ```

use super::csv::{RejectedRow, Source};
use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};
use serde::{Deserialize, Serialize};

/// The encoding a text file was read with, as stated in the profile and the Report
/// (`input.encoding`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodingInfo {
    /// The WHATWG name (`UTF-8`, `UTF-16LE`, `GBK`, `Big5`, `Shift_JIS`, `EUC-KR`,
    /// `windows-1252`, ...). Files that are not text (spreadsheets, Parquet) say `binary`.
    pub name: String,
    /// 1 for a byte-order mark or an override. For UTF-8, the share of non-ASCII characters that
    /// are valid UTF-8 (1 for a valid file, ASCII included). For another encoding, the share of
    /// the detector's regional priors ([`PRIORS`]) under which it makes the same guess.
    pub confidence: f64,
    /// `bom`, `detected` or `override`.
    pub source: String,
    /// Advice when the guess is not certain (None otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl EncodingInfo {
    /// For files that are not text.
    pub fn binary() -> EncodingInfo {
        EncodingInfo {
            name: "binary".into(),
            confidence: 1.0,
            source: "detected".into(),
            note: None,
        }
    }
}

/// The regional priors (top-level domains, `None` = generic) the detector's guess is repeated
/// under; the confidence of a legacy encoding is the share that agree with the generic guess.
pub const PRIORS: [Option<&[u8]>; 8] = [
    None,
    Some(b"cn"),
    Some(b"tw"),
    Some(b"jp"),
    Some(b"kr"),
    Some(b"ru"),
    Some(b"pl"),
    Some(b"de"),
];

/// The encodings the page offers in its select and `--encoding` documents (any WHATWG label
/// is accepted).
pub const OFFERED: &[&str] = &[
    "UTF-8",
    "UTF-16LE",
    "UTF-16BE",
    "GB18030",
    "GBK",
    "Big5",
    "Shift_JIS",
    "EUC-KR",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "ISO-8859-1",
];

/// What [`detect`] decided.
#[derive(Debug, Clone)]
pub struct Detection {
    pub encoding: &'static Encoding,
    /// Bytes of a byte-order mark to skip.
    pub bom_len: u64,
    pub info: EncodingInfo,
    /// The first bytes of the file (up to 64 KiB), read on the way.
    pub head: Vec<u8>,
    /// The file is not text but a format of its own (a workbook...): nothing was decided.
    pub binary: Option<super::BinaryFormat>,
}

/// The advice given with a guessed encoding (one place, for the message codes).
pub fn guessed_note(name: &str, confidence: f64) -> String {
    format!(
        "the encoding was guessed as {name} (confidence {confidence:.2}); if accented or Chinese \
         text looks wrong, choose the encoding with --encoding (command line)"
    )
}

/// The message for an encoding name that is not known.
pub fn unknown_encoding(label: &str) -> String {
    format!(
        "unknown encoding '{label}' (known names include {})",
        OFFERED.join(", ")
    )
}

/// The encoding for a name or label (`utf8`, `gb2312`, `latin1`, `cp1252`, ...).
pub fn for_label(label: &str) -> Result<&'static Encoding, String> {
    let l = label.trim();
    let alias = match l.to_ascii_lowercase().as_str() {
        "cp1250" => "windows-1250",
        "cp1251" => "windows-1251",
        "cp1252" => "windows-1252",
        "cp936" => "gbk",
        "cp950" => "big5",
        "cp932" | "sjis" => "shift_jis",
        "cp949" => "euc-kr",
        "utf8" => "utf-8",
        _ => l,
    };
    Encoding::for_label(alias.as_bytes()).ok_or_else(|| unknown_encoding(label))
}

/// Decides the encoding of `source`: the override if given, else a byte-order mark, else UTF-8
/// when (nearly) every non-ASCII sequence is valid UTF-8, else `chardetng`'s guess. Reads the
/// file once (twice for a file that is not UTF-8).
pub fn detect(source: &mut dyn Source, over: Option<&str>) -> Result<Detection, String> {
    use std::io::Read;
    const HEAD: usize = 64 * 1024;
    let io = |e: std::io::Error| format!("cannot read the file: {e}");
    let mut reader = source.open(0).map_err(io)?;
    let mut head = Vec::with_capacity(HEAD);
    (&mut reader)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    if let Some(format) = super::binary_format(&head) {
        return Ok(Detection {
            encoding: UTF_8,
            bom_len: 0,
            info: EncodingInfo::binary(),
            head,
            binary: Some(format),
        });
    }
    let bom = Encoding::for_bom(&head);
    if let Some(label) = over {
        let encoding = for_label(label)?;
        let bom_len = match bom {
            Some((e, n)) if e == encoding => n as u64,
            _ => 0,
        };
        return Ok(Detection {
            encoding,
            bom_len,
            info: info(encoding, 1.0, "override"),
            head,
            binary: None,
        });
    }
    if let Some((encoding, n)) = bom {
        return Ok(Detection {
            encoding,
            bom_len: n as u64,
            info: info(encoding, 1.0, "bom"),
            head,
            binary: None,
        });
    }
    // UTF-8 validity over the whole file, in pieces (a sequence may straddle two pieces).
    let mut counts = Utf8Counts::default();
    let mut carry: Vec<u8> = Vec::new();
    counts.feed(&mut carry, &head);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        counts.feed(&mut carry, &buf[..n]);
    }
    counts.invalid += usize::from(!carry.is_empty());
    drop(reader);
    if counts.invalid == 0 || counts.valid >= 4 * counts.invalid {
        let total = counts.valid + counts.invalid;
        let confidence = if total == 0 {
            1.0
        } else {
            counts.valid as f64 / total as f64
        };
        let mut info = info(UTF_8, confidence, "detected");
        if confidence < 1.0 {
            info.note = Some(guessed_note("UTF-8", confidence));
        }
        return Ok(Detection {
            encoding: UTF_8,
            bom_len: 0,
            info,
            head,
            binary: None,
        });
    }
    // Not UTF-8: the detector sees the whole file.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut reader = source.open(0).map_err(io)?;
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        detector.feed(&buf[..n], n == 0);
        if n == 0 {
            break;
        }
    }
    let guesses: Vec<&'static Encoding> = PRIORS
        .iter()
        .map(|tld| detector.guess(*tld, chardetng::Utf8Detection::Deny))
        .collect();
    let encoding = guesses[0];
    let confidence =
        guesses.iter().filter(|&&e| e == encoding).count() as f64 / guesses.len() as f64;
    let mut info = info(encoding, confidence, "detected");
    if confidence < 1.0 {
        info.note = Some(guessed_note(encoding.name(), confidence));
    }
    Ok(Detection {
        encoding,
        bom_len: 0,
        info,
        head,
        binary: None,
    })
}

fn info(encoding: &'static Encoding, confidence: f64, source: &str) -> EncodingInfo {
    EncodingInfo {
        name: encoding.name().to_string(),
        confidence,
        source: source.to_string(),
        note: None,
    }
}

/// Counts of valid non-ASCII UTF-8 sequences and of invalid ones.
#[derive(Default)]
struct Utf8Counts {
    valid: usize,
    invalid: usize,
}

impl Utf8Counts {
    /// Counts the sequences of `carry` + `piece`; an incomplete sequence at the end is carried.
    fn feed(&mut self, carry: &mut Vec<u8>, piece: &[u8]) {
        let joined;
        let mut bytes: &[u8] = if carry.is_empty() {
            piece
        } else {
            carry.extend_from_slice(piece);
            joined = std::mem::take(carry);
            &joined
        };
        loop {
            match std::str::from_utf8(bytes) {
                Ok(s) => {
                    self.valid += non_ascii_chars(s);
                    return;
                }
                Err(e) => {
                    let (good, rest) = bytes.split_at(e.valid_up_to());
                    self.valid += std::str::from_utf8(good).map_or(0, non_ascii_chars);
                    match e.error_len() {
                        Some(n) => {
                            self.invalid += 1;
                            bytes = &rest[n..];
                        }
                        None => {
                            carry.extend_from_slice(rest);
                            return;
                        }
                    }
                }
            }
        }
    }
}

fn non_ascii_chars(s: &str) -> usize {
    if s.is_ascii() {
        0
    } else {
        s.chars().filter(|c| !c.is_ascii()).count()
    }
}

/// A malformed byte sequence met while decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// Physical line (1-based) of the decoded text.
    pub line: u64,
    /// The bytes, as hex (`0x81 0x20`).
    pub bytes: String,
}

/// Text decoded to UTF-8: malformed sequences are written as the byte 0xFF (never valid UTF-8),
/// so that the CSV reader rejects the row holding them; [`explain_malformed`] then names the
/// bytes and the encoding.
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub malformed: Vec<Malformed>,
}

/// Decodes `bytes` (without a byte-order mark) from `encoding` to UTF-8, without replacement.
pub fn decode(bytes: &[u8], encoding: &'static Encoding) -> Decoded {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut out = vec![0u8; cap + 16];
    let (mut read, mut written) = (0usize, 0usize);
    let mut malformed = Vec::new();
    let mut line = 1u64;
    let mut counted = 0usize;
    loop {
        let (result, r, w) =
            decoder.decode_to_utf8_without_replacement(&bytes[read..], &mut out[written..], true);
        read += r;
        written += w;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let len = out.len();
                out.resize(len * 2 + 16, 0);
            }
            DecoderResult::Malformed(len, extra) => {
                line += out[counted..written]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                let end = read - extra as usize;
                let start = end.saturating_sub(len as usize);
                if written >= out.len() {
                    out.resize(out.len() * 2 + 16, 0);
                }
                out[written] = 0xFF;
                written += 1;
                counted = written;
                malformed.push(Malformed {
                    line,
                    bytes: bytes[start..end]
                        .iter()
                        .map(|b| format!("0x{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                });
            }
        }
    }
    out.truncate(written);
    Decoded {
        bytes: out,
        malformed,
    }
}

/// The reason a row holding bytes that are not valid in `encoding` is rejected.
pub fn malformed_reason(field: &str, encoding: &str, bytes: &str) -> crate::message::Message {
    crate::message::csv_malformed_bytes(field, encoding, bytes)
}

/// Names the encoding and the bytes in the reasons of rows rejected for malformed bytes (the
/// CSV reader only sees that they are not UTF-8 after decoding).
pub fn explain_malformed(rejected: &mut [RejectedRow], malformed: &[Malformed], encoding: &str) {
    const MARK: &str = "' is not valid UTF-8";
    let mut next = 0;
    for row in rejected.iter_mut() {
        let Some(field) = row
            .reason
            .strip_prefix("field '")
            .and_then(|r| r.strip_suffix(MARK))
        else {
            continue;
        };
        while next < malformed.len() && malformed[next].line < row.line {
            next += 1;
        }
        let bytes = malformed
            .get(next)
            .map_or_else(|| "?".to_string(), |m| m.bytes.clone());
        let m = malformed_reason(field, encoding, &bytes);
        row.reason = m.to_string();
        row.coded = m;
    }
}

/// Is this a UTF-16 encoding (whose text is full of NUL bytes)?
pub fn is_utf16(encoding: &'static Encoding) -> bool {
    encoding == UTF_16LE || encoding == UTF_16BE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_straddling_sequences_as_valid() {
        let text = "Zoë,张三\n".repeat(3);
        let bytes = text.as_bytes();
        let mut counts = Utf8Counts::default();
        let mut carry = Vec::new();
        for piece in bytes.chunks(3) {
            counts.feed(&mut carry, piece);
        }
        assert!(carry.is_empty());
        assert_eq!((counts.valid, counts.invalid), (9, 0));
    }

    #[test]
    fn malformed_bytes_are_marked_with_their_line() {
        let d = decode(b"a,b\n1,\x81\x20\n", encoding_rs::GBK);
        assert_eq!(d.malformed.len(), 1);
        assert_eq!(d.malformed[0].line, 2);
        assert!(std::str::from_utf8(&d.bytes).is_err());
    }
}
