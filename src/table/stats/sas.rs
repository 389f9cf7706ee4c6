//! SAS transport (XPORT) `.xpt` files, versions 5 and 8, written from SAS's published record
//! layouts. Numbers are IBM mainframe floats (converted here); SAS special missing values
//! (`.A`–`.Z`, `._`) are read as missing and counted; numbers with a date or datetime format
//! (`DATE9.`, `YYMMDD10.`, `E8601DA.`, `DATETIME20.`...) become ISO dates. XPORT has no value
//! labels (SAS keeps formats in a separate catalog) and no declared encoding: text is read as
//! UTF-8 when all of it is valid UTF-8, otherwise as Windows-1252, or with `--encoding`. The
//! first member (data set) of a library is read; a note says when there are others.

use super::{chosen_encoding, corrupt, encoding_info, Cells, Dataset, Display, Var};
use crate::error::Result;
use crate::table::csv::CsvOptions;

const RECORD: usize = 80;
const PREFIX: &[u8] = b"HEADER RECORD*******";

/// Does the file start like an XPORT library (version 5 or 8)?
pub fn is_xport(head: &[u8]) -> bool {
    head.starts_with(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!")
        || head.starts_with(b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!")
}

/// An IBM System/360 floating-point number (big-endian, 2–8 bytes) as an IEEE double, or the
/// missing-value code it holds (`.` system missing, `.A`–`.Z`, `._`).
pub fn ibm_to_f64(bytes: &[u8]) -> std::result::Result<f64, Option<char>> {
    let mut b = [0u8; 8];
    let n = bytes.len().min(8);
    b[..n].copy_from_slice(&bytes[..n]);
    if b[1..].iter().all(|&x| x == 0) {
        match b[0] {
            0 => return Ok(0.0),
            b'.' => return Err(None),
            c @ (b'A'..=b'Z' | b'_') => return Err(Some(c as char)),
            _ => {}
        }
    }
    let sign = if b[0] & 0x80 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from(b[0] & 0x7f) - 64;
    let fraction = u64::from_be_bytes([0, b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    // 0.F × 16^e, with F 56 bits: F × 2^-56 × 2^(4e).
    Ok(sign * fraction as f64 * 2f64.powi(4 * exponent - 56))
}

struct Namestr {
    numeric: bool,
    length: usize,
    name: String,
    label: Vec<u8>,
    format: String,
    position: usize,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end().to_string()
}

fn be16(b: &[u8]) -> i16 {
    i16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads the first member of an `.xpt` library.
pub(crate) fn read(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Dataset> {
    let fail = |at: usize, what: &str, problem: &str| {
        corrupt(file, &format!("SAS transport file: {what}"), at, problem)
    };
    let v8 = bytes.starts_with(b"HEADER RECORD*******LIBV8");
    let record = |at: usize, what: &str| -> Result<&[u8]> {
        bytes
            .get(at..at + RECORD)
            .ok_or_else(|| fail(at, what, "the file ends there: it is truncated"))
    };
    let expect = |at: usize, name: &[u8], what: &str| -> Result<()> {
        let r = record(at, what)?;
        if r.starts_with(PREFIX) && r[20..].starts_with(name) {
            Ok(())
        } else {
            Err(fail(
                at,
                what,
                &format!(
                    "expected the {} header record",
                    String::from_utf8_lossy(name).trim()
                ),
            ))
        }
    };
    let (member, descriptor, names, obs): (&[u8], &[u8], &[u8], &[u8]) = if v8 {
        (b"MEMBV8", b"DSCPTV8", b"NAMSTV8", b"OBSV8")
    } else {
        (b"MEMBER", b"DSCRPTR", b"NAMESTR", b"OBS ")
    };
    // Library header, two library records; member header, descriptor, two member records.
    let mut at = 3 * RECORD;
    expect(at, member, "member header")?;
    let namestr_size: usize = std::str::from_utf8(&record(at, "member header")?[74..78])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|&n| n == 140 || n == 136)
        .ok_or_else(|| {
            fail(
                at + 74,
                "member header",
                "the variable record size is not 140 or 136",
            )
        })?;
    at += RECORD;
    expect(at, descriptor, "descriptor header")?;
    at += RECORD;
    let member1 = record(at, "member record")?;
    let dataset = text(&member1[8..16]);
    at += 2 * RECORD;
    record(at - RECORD, "member record")?;
    expect(at, names, "variable (NAMESTR) header")?;
    let count: usize = std::str::from_utf8(&record(at, "variable header")?[48..58])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| {
            fail(
                at + 48,
                "variable header",
                "the variable count is not a number",
            )
        })?;
    at += RECORD;
    if count == 0 {
        return Err(fail(at, "variable header", "the data set has no variables"));
    }
    let end = count
        .checked_mul(namestr_size)
        .and_then(|n| at.checked_add(n))
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| {
            fail(
                at,
                "variable records",
                &format!("{count} variables do not fit in the file: it is truncated"),
            )
        })?;
    let mut vars = Vec::with_capacity(count);
    for k in 0..count {
        let r = &bytes[at + k * namestr_size..at + (k + 1) * namestr_size];
        let short = text(&r[8..16]);
        let long = if v8 { text(&r[88..120]) } else { String::new() };
        let numeric = match be16(&r[0..2]) {
            1 => true,
            2 => false,
            t => {
                return Err(fail(
                    at + k * namestr_size,
                    &format!("variable {} ('{short}')", k + 1),
                    &format!("type {t} is neither numeric (1) nor character (2)"),
                ))
            }
        };
        let length = be16(&r[4..6]);
        let position = be32(&r[84..88]);
        if length <= 0 || position < 0 || (numeric && !(2..=8).contains(&length)) {
            return Err(fail(
                at + k * namestr_size,
                &format!("variable {} ('{short}')", k + 1),
                &format!("length {length} at position {position} is not possible"),
            ));
        }
        vars.push(Namestr {
            numeric,
            length: length as usize,
            name: if long.is_empty() { short } else { long },
            label: r[16..56].to_vec(),
            format: text(&r[56..64]),
            position: position as usize,
        });
    }
    at = end.div_ceil(RECORD) * RECORD;
    // v8 may carry long labels (LABELV8/LABELV9) before the observations.
    let mut long_labels: Vec<(usize, Vec<u8>)> = Vec::new();
    let r = record(at, "observation header")?;
    if v8
        && r.starts_with(PREFIX)
        && (r[20..].starts_with(b"LABELV8") || r[20..].starts_with(b"LABELV9"))
    {
        let v9 = r[20..].starts_with(b"LABELV9");
        let n: usize = std::str::from_utf8(&r[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let mut p = at + RECORD;
        for _ in 0..n.min(count) {
            let head = if v9 { 10 } else { 6 };
            let h = bytes
                .get(p..p + head)
                .ok_or_else(|| fail(p, "long label record", "truncated"))?;
            let (var, name_len, label_len) = (
                be16(&h[0..2]),
                be16(&h[2..4]).max(0) as usize,
                be16(&h[4..6]).max(0) as usize,
            );
            let extra = if v9 {
                be16(&h[6..8]).max(0) as usize + be16(&h[8..10]).max(0) as usize
            } else {
                0
            };
            let start = p + head + name_len;
            let label = bytes
                .get(start..start + label_len)
                .ok_or_else(|| fail(p, "long label record", "truncated"))?;
            long_labels.push(((var.max(1) - 1) as usize, label.to_vec()));
            p = start + label_len + extra;
        }
        at = p.div_ceil(RECORD) * RECORD;
    }
    expect(at, obs, "observation header")?;
    at += RECORD;
    for (var, label) in long_labels {
        if let Some(v) = vars.get_mut(var) {
            v.label = label;
        }
    }

    // The observations: up to the next member, if any.
    let rest = &bytes[at..];
    let next_member = rest
        .windows(PREFIX.len() + member.len())
        .position(|w| w.starts_with(PREFIX) && w[PREFIX.len()..] == *member);
    let data = &rest[..next_member.unwrap_or(rest.len())];
    let width: usize = vars.iter().map(|v| v.length).sum();
    if let Some(v) = vars.iter().find(|v| v.position + v.length > width) {
        return Err(fail(
            at,
            &format!("variable '{}'", v.name),
            "its position lies outside the observation",
        ));
    }
    let mut rows = data.len() / width;
    // The last 80-byte record is padded with spaces.
    while rows > 0
        && data.len() - (rows - 1) * width <= RECORD + width
        && data[(rows - 1) * width..rows * width]
            .iter()
            .all(|&c| c == b' ')
    {
        rows -= 1;
    }
    let leftover = &data[rows * width..];
    if leftover.len() >= width || leftover.iter().any(|&c| c != b' ') {
        return Err(fail(
            at + rows * width,
            &format!("observation {}", rows + 1),
            "the file ends inside it: it is truncated",
        ));
    }

    // Text encoding: none declared.
    let char_bytes = |v: &Namestr, row: usize| {
        &data[row * width + v.position..row * width + v.position + v.length]
    };
    let (encoding, source) = match chosen_encoding(opts, file)? {
        Some(e) => (e, "override"),
        None => {
            let all_utf8 = vars.iter().all(|v| std::str::from_utf8(&v.label).is_ok())
                && vars
                    .iter()
                    .filter(|v| !v.numeric)
                    .all(|v| (0..rows).all(|r| std::str::from_utf8(char_bytes(v, r)).is_ok()));
            let e = if all_utf8 {
                encoding_rs::UTF_8
            } else {
                encoding_rs::WINDOWS_1252
            };
            (e, "detected")
        }
    };
    let decode = |raw: &[u8]| {
        encoding
            .decode_without_bom_handling(raw)
            .0
            .trim_end()
            .to_string()
    };

    let mut out = Vec::with_capacity(vars.len());
    for v in &vars {
        let cells = if v.numeric {
            let mut values = Vec::with_capacity(rows);
            let mut codes = Vec::new();
            for r in 0..rows {
                match ibm_to_f64(char_bytes(v, r)) {
                    Ok(x) => values.push(x),
                    Err(code) => {
                        values.push(f64::NAN);
                        if let Some(c) = code {
                            codes.push((r, format!(".{c}")));
                        }
                    }
                }
            }
            Cells::Num {
                values,
                codes,
                single: false,
            }
        } else {
            Cells::Str {
                values: (0..rows)
                    .map(|r| Some(decode(char_bytes(v, r))).filter(|t| !t.is_empty()))
                    .collect(),
                codes: Vec::new(),
            }
        };
        let display = if v.numeric {
            display(&v.format)
        } else {
            Display::Plain
        };
        let cells = super::from_1960(&display, cells, 1.0);
        out.push(Var {
            name: v.name.clone(),
            label: decode(&v.label),
            display,
            value_labels: Vec::new(),
            cells,
        });
    }
    let mut info = encoding_info(encoding.name(), source);
    if next_member.is_some() {
        info.note = Some(format!(
            "the library holds more than one data set; the first ('{dataset}') was read"
        ));
    }
    Ok(Dataset {
        format: "xpt",
        vars: out,
        rows,
        encoding: info,
    })
}

/// SAS formats of dates (days since 1960-01-01) and datetimes (seconds since then).
pub(crate) fn display(format: &str) -> Display {
    let f = format.trim().to_ascii_uppercase();
    const DATES: &[&str] = &[
        "DATE", "DDMMYY", "MMDDYY", "YYMMDD", "E8601DA", "B8601DA", "IS8601DA", "WEEKDATE",
        "WORDDATE", "MONYY", "JULIAN", "NLDATE", "DAY", "DOWNAME", "YYMM", "YYQ", "YEAR", "MINGUO",
        "EURDFDD",
    ];
    const DATETIMES: &[&str] = &[
        "DATETIME", "E8601DT", "B8601DT", "IS8601DT", "DATEAMPM", "NLDATM",
    ];
    let base: String = f.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    // YYMMDD10 has digits in its name; match by prefix for those.
    if DATETIMES.iter().any(|d| f.starts_with(d)) {
        Display::DateTime(f)
    } else if DATES
        .iter()
        .any(|d| base == *d || (f.starts_with(d) && d.chars().any(|c| c.is_ascii_digit())))
    {
        Display::Date(f)
    } else {
        Display::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibm_floats_convert() {
        assert_eq!(ibm_to_f64(&[0x41, 0x10, 0, 0, 0, 0, 0, 0]), Ok(1.0));
        assert_eq!(ibm_to_f64(&[0xC1, 0x10, 0, 0, 0, 0, 0, 0]), Ok(-1.0));
        assert_eq!(ibm_to_f64(&[0x42, 0x64, 0, 0, 0, 0, 0, 0]), Ok(100.0));
        assert_eq!(ibm_to_f64(&[0x40, 0x80, 0, 0, 0, 0, 0, 0]), Ok(0.5));
        assert_eq!(ibm_to_f64(&[0; 8]), Ok(0.0));
        assert_eq!(ibm_to_f64(b".\0\0\0\0\0\0\0"), Err(None));
        assert_eq!(ibm_to_f64(b"A\0\0\0\0\0\0\0"), Err(Some('A')));
        assert_eq!(ibm_to_f64(b"_\0\0\0\0\0\0\0"), Err(Some('_')));
    }

    #[test]
    fn date_formats_are_known() {
        assert!(matches!(display("DATE"), Display::Date(_)));
        assert!(matches!(display("YYMMDD"), Display::Date(_)));
        assert!(matches!(display("DATETIME"), Display::DateTime(_)));
        assert!(matches!(display("BEST"), Display::Plain));
        assert!(matches!(display(""), Display::Plain));
    }
}
