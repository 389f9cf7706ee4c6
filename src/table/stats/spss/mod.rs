//! SPSS system files: `.sav` (uncompressed or bytecode-compressed) and `.zsav` (zlib blocks of
//! bytecode), written from the format as PSPP documents it. Both byte orders. Text is decoded
//! with the file's declared encoding (record 7.20, else the code page of record 7.3; UTF-8 when
//! neither is there and the text is valid UTF-8, otherwise Windows-1252), or `--encoding`.
//!
//! Read: variable names (long names of record 7.13), variable labels, print formats (dates),
//! user-missing values (discrete values and ranges, numbers and short strings), value labels of
//! numeric and string variables (long strings' from record 7.21), very long strings (record
//! 7.14). Not read: multiple-response sets, documents.

use super::{chosen_encoding, code_text, corrupt, encoding_info, Cells, Dataset, Display, Var};
use crate::error::{Error, Result};
use crate::table::csv::CsvOptions;
use std::collections::HashMap;

mod bytes;
use bytes::{inflate_zsav, Bytes};

/// Seconds from SPSS's epoch (1582-10-14) to 1970-01-01.
const EPOCH_SECONDS: f64 = 12_219_379_200.0;
/// Print format types holding dates, and datetimes (PSPP's numbering).
const DATE_FORMATS: &[u32] = &[20, 23, 24, 28, 29, 30, 38, 39];
const DATETIME_FORMATS: &[u32] = &[22, 41];

struct VarRecord {
    /// 0 numeric, 1–255 string width, -1 continuation of the previous string.
    width: i32,
    short_name: String,
    name: String,
    label: Vec<u8>,
    print_type: u32,
    missing: Missing,
    /// Value labels (raw 8-byte value → label bytes).
    labels: Vec<([u8; 8], Vec<u8>)>,
}

#[derive(Default, Clone)]
struct Missing {
    values: Vec<[u8; 8]>,
    range: Option<(f64, f64)>,
}

/// Reads a `.sav` or `.zsav` file.
pub(crate) fn read(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Dataset> {
    let mut b = Bytes {
        data: bytes,
        pos: 0,
        le: true,
        file,
    };
    let magic = b.take(4, "file header")?;
    let zsav = magic == b"$FL3";
    b.take(60, "file header (product name)")?;
    let layout = b.data.get(64..68).unwrap_or(&[0; 4]);
    b.le = matches!(
        i32::from_le_bytes(layout.try_into().unwrap_or([0; 4])),
        2 | 3
    );
    let code = b.i32("file header (layout code)")?;
    if !matches!(code, 2 | 3) {
        return Err(b.fail("file header", "unknown layout code"));
    }
    let _case_size = b.i32("file header (case size)")?;
    let compression = b.i32("file header (compression)")?;
    let _weight = b.i32("file header (weight index)")?;
    let declared_cases = b.i32("file header (number of cases)")?;
    let bias = b.f64("file header (compression bias)")?;
    b.take(9 + 8 + 64 + 3, "file header (date, time, file label)")?;
    if zsav != (compression == 2) || !(0..=2).contains(&compression) {
        return Err(b.fail(
            "file header (compression)",
            &format!("compression code {compression} does not match the file type"),
        ));
    }

    let mut vars: Vec<VarRecord> = Vec::new();
    let mut long_names = HashMap::new();
    let mut very_long: HashMap<String, usize> = HashMap::new();
    // Record 7.21: variable name → (value, label) of long strings.
    let mut long_labels: LongLabels = HashMap::new();
    let mut encoding_name: Option<String> = None;
    let mut code_page: Option<i32> = None;
    let mut sysmis = -f64::MAX;
    loop {
        let at = b.pos;
        let rec = b.i32("dictionary (record type)")?;
        match rec {
            2 => {
                let width = b.i32("variable record (type)")?;
                let has_label = b.i32("variable record (label flag)")?;
                let n_missing = b.i32("variable record (missing values)")?;
                let print = b.i32("variable record (print format)")? as u32;
                let _write = b.i32("variable record (write format)")?;
                let raw_name = b.take(8, "variable record (name)")?;
                let short_name = String::from_utf8_lossy(raw_name).trim_end().to_string();
                let label = if has_label == 1 {
                    let n = b.count("variable record (label length)", 1)?;
                    let padded = n.div_ceil(4) * 4;
                    let text = b.take(padded, &format!("label of variable '{short_name}'"))?;
                    text[..n].to_vec()
                } else {
                    Vec::new()
                };
                let mut missing = Missing::default();
                let (range, discrete) = match n_missing {
                    0..=3 => (false, n_missing as usize),
                    -2 => (true, 0),
                    -3 => (true, 1),
                    _ => {
                        return Err(b.fail(
                            &format!("variable '{short_name}'"),
                            &format!("{n_missing} is not a count of missing values"),
                        ))
                    }
                };
                let what = format!("missing values of variable '{short_name}'");
                if range {
                    let lo = b.f64(&what)?;
                    let hi = b.f64(&what)?;
                    missing.range = Some((lo, hi));
                }
                for _ in 0..discrete {
                    let v = b.take(8, &what)?;
                    missing.values.push(v.try_into().unwrap_or([0; 8]));
                }
                if width != -1 && !(0..=255).contains(&width) {
                    return Err(b.fail(
                        &format!("variable '{short_name}'"),
                        &format!("{width} is not a variable width"),
                    ));
                }
                vars.push(VarRecord {
                    width,
                    name: short_name.clone(),
                    short_name,
                    label: label.to_vec(),
                    print_type: (print >> 16) & 0xff,
                    missing,
                    labels: Vec::new(),
                });
            }
            3 => {
                let n = b.count("value labels (count)", 9)?;
                let mut set = Vec::with_capacity(n);
                for _ in 0..n {
                    let value: [u8; 8] = b
                        .take(8, "value label (value)")?
                        .try_into()
                        .unwrap_or([0; 8]);
                    let len = b.take(1, "value label (length)")?[0] as usize;
                    let padded = (len + 1).div_ceil(8) * 8 - 1;
                    let text = b.take(padded, "value label (text)")?;
                    set.push((value, text[..len].to_vec()));
                }
                if b.i32("value labels (record 4 expected)")? != 4 {
                    return Err(b.fail(
                        "value labels",
                        "a value-label record is not followed by its variable list (record 4)",
                    ));
                }
                let k = b.count("value labels (variable count)", 4)?;
                for _ in 0..k {
                    let index = b.i32("value labels (variable index)")?;
                    let var = usize::try_from(index - 1)
                        .ok()
                        .and_then(|i| vars.get_mut(i))
                        .ok_or_else(|| {
                            b.fail(
                                "value labels",
                                &format!("variable index {index} is not in the dictionary"),
                            )
                        })?;
                    var.labels.extend(set.iter().cloned());
                }
            }
            6 => {
                let n = b.count("document record (lines)", 80)?;
                b.take(n * 80, "document record")?;
            }
            7 => {
                let subtype = b.i32("extension record (subtype)")?;
                let size = b.i32("extension record (size)")?;
                let count = b.i32("extension record (count)")?;
                let len = usize::try_from(size)
                    .ok()
                    .zip(usize::try_from(count).ok())
                    .and_then(|(s, c)| s.checked_mul(c))
                    .ok_or_else(|| b.fail("extension record", "negative size"))?;
                let data = b.take(len, &format!("extension record 7.{subtype}"))?;
                match subtype {
                    3 if len >= 32 => {
                        let i = 7 * 4;
                        let w: [u8; 4] = data[i..i + 4].try_into().unwrap_or([0; 4]);
                        code_page = Some(if b.le {
                            i32::from_le_bytes(w)
                        } else {
                            i32::from_be_bytes(w)
                        });
                    }
                    4 if len >= 8 => sysmis = b.f64_of(&data[..8]),
                    13 => {
                        for pair in data.split(|&c| c == b'\t') {
                            if let Some(eq) = pair.iter().position(|&c| c == b'=') {
                                long_names.insert(
                                    String::from_utf8_lossy(&pair[..eq]).trim().to_string(),
                                    pair[eq + 1..].to_vec(),
                                );
                            }
                        }
                    }
                    14 => {
                        for pair in data.split(|&c| c == b'\t' || c == 0) {
                            if let Some(eq) = pair.iter().position(|&c| c == b'=') {
                                let width = String::from_utf8_lossy(&pair[eq + 1..])
                                    .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                                    .parse::<usize>()
                                    .unwrap_or(0);
                                very_long.insert(
                                    String::from_utf8_lossy(&pair[..eq]).trim().to_string(),
                                    width,
                                );
                            }
                        }
                    }
                    20 => encoding_name = Some(String::from_utf8_lossy(data).trim().to_string()),
                    21 => long_string_labels(data, b.le, &mut long_labels).map_err(|problem| {
                        corrupt(
                            file,
                            "SPSS file: extension record 7.21 (long string value labels)",
                            at + 16,
                            &problem,
                        )
                    })?,
                    _ => {}
                }
            }
            999 => {
                b.i32("dictionary end")?;
                break;
            }
            other => {
                b.pos = at;
                return Err(b.fail(
                    "dictionary",
                    &format!("unknown record type {other} (damaged file?)"),
                ));
            }
        }
    }
    if vars.is_empty() {
        return Err(b.fail("dictionary", "the file has no variables"));
    }
    if vars[0].width == -1 {
        return Err(b.fail("dictionary", "the first variable is a continuation"));
    }

    // Data: the case stream (decompressed for .zsav), then cells per slot.
    let slots = vars.len();
    let stream_owned;
    let stream: &[u8] = if zsav {
        stream_owned = inflate_zsav(&mut b)?;
        &stream_owned
    } else {
        &bytes[b.pos..]
    };
    let data_start = if zsav { 0 } else { b.pos };
    let mut cases: Vec<Vec<[u8; 8]>> = Vec::new();
    let mut raw = Bytes {
        data: stream,
        pos: 0,
        le: b.le,
        file,
    };
    let where_ = |case: usize, slot: usize| {
        let name = vars.get(slot).map_or_else(
            || "?".to_string(),
            |v| match long_names.get(&v.short_name) {
                Some(long) => String::from_utf8_lossy(long).into_owned(),
                None => v.short_name.clone(),
            },
        );
        format!("data, record {}, variable '{name}'", case + 1)
    };
    let compressed = compression != 0;
    let mut commands: Vec<u8> = Vec::new();
    let mut next_command = 8;
    'cases: loop {
        if declared_cases >= 0 && cases.len() == declared_cases as usize {
            break;
        }
        let mut case = Vec::with_capacity(slots);
        for slot in 0..slots {
            if !compressed {
                if raw.pos == raw.data.len() && slot == 0 {
                    break 'cases;
                }
                let cell = raw
                    .take(8, &where_(cases.len(), slot))
                    .map_err(|e| offset_error(e, data_start))?;
                case.push(cell.try_into().unwrap_or([0; 8]));
                continue;
            }
            let cell = loop {
                if next_command == 8 {
                    if raw.pos == raw.data.len() && slot == 0 {
                        break 'cases;
                    }
                    commands = raw
                        .take(8, &where_(cases.len(), slot))
                        .map_err(|e| offset_error(e, data_start))?
                        .to_vec();
                    next_command = 0;
                }
                let c = commands[next_command];
                next_command += 1;
                match c {
                    0 => continue,
                    252 => {
                        if slot == 0 {
                            break 'cases;
                        }
                        return Err(offset_error(
                            raw.fail(
                                &where_(cases.len(), slot),
                                "the data end in the middle of a record",
                            ),
                            data_start,
                        ));
                    }
                    253 => {
                        break raw
                            .take(8, &where_(cases.len(), slot))
                            .map_err(|e| offset_error(e, data_start))?
                            .try_into()
                            .unwrap_or([0; 8])
                    }
                    254 => break [b' '; 8],
                    255 => break sysmis_bytes(sysmis, b.le),
                    n => {
                        let x = f64::from(n) - bias;
                        break if b.le {
                            x.to_le_bytes()
                        } else {
                            x.to_be_bytes()
                        };
                    }
                }
            };
            case.push(cell);
        }
        cases.push(case);
    }
    let rows = cases.len();

    // The text encoding.
    let (encoding, source) = match chosen_encoding(opts, file)? {
        Some(e) => (e, "override"),
        None => match encoding_name
            .as_deref()
            .and_then(|n| encoding_rs::Encoding::for_label(n.as_bytes()))
            .or_else(|| code_page.and_then(code_page_encoding))
        {
            Some(e) => (e, "format"),
            None => (guess_encoding(&vars, &cases), "detected"),
        },
    };
    let malformed = std::cell::Cell::new(0usize);
    let decode = |raw: &[u8]| -> String {
        let (text, bad) = encoding.decode_without_bom_handling(raw);
        if bad {
            malformed.set(malformed.get() + 1);
        }
        text.trim_end_matches([' ', '\0']).to_string()
    };

    // Variables: a string spans its continuation slots; a very long string spans segments.
    let mut out = Vec::new();
    let mut i = 0;
    while i < vars.len() {
        let v = &vars[i];
        let name = long_names
            .get(&v.short_name)
            .map(|n| decode(n))
            .unwrap_or_else(|| v.name.clone());
        let slots_of = |start: usize| -> usize {
            1 + vars[start + 1..]
                .iter()
                .take_while(|w| w.width == -1)
                .count()
        };
        if v.width == 0 {
            let mut values = Vec::with_capacity(rows);
            let mut codes = Vec::new();
            for (row, case) in cases.iter().enumerate() {
                let x = b.f64_of(&case[i]);
                if x == sysmis || x.is_nan() {
                    values.push(f64::NAN);
                } else if v.missing.values.iter().any(|m| b.f64_of(m) == x)
                    || v.missing.range.is_some_and(|(lo, hi)| lo <= x && x <= hi)
                {
                    values.push(f64::NAN);
                    codes.push((row, code_text(x)));
                } else {
                    values.push(x);
                }
            }
            let display = if DATE_FORMATS.contains(&v.print_type) {
                Display::Date(format_name(v.print_type).into())
            } else if DATETIME_FORMATS.contains(&v.print_type) {
                Display::DateTime(format_name(v.print_type).into())
            } else {
                Display::Plain
            };
            let values = match display {
                Display::Date(_) => values
                    .iter()
                    .map(|x| ((x - EPOCH_SECONDS) / 86_400.0).floor())
                    .collect(),
                Display::DateTime(_) => values.iter().map(|x| x - EPOCH_SECONDS).collect(),
                Display::Plain => values,
            };
            // Codes that are dates are written as the dates they stand for.
            out.push(Var {
                name,
                label: decode(&v.label),
                display,
                value_labels: v
                    .labels
                    .iter()
                    .map(|(raw, text)| (code_text(b.f64_of(raw)), decode(text)))
                    .collect(),
                cells: Cells::Num {
                    values,
                    codes,
                    single: false,
                },
            });
            i += 1;
            continue;
        }
        // A string: its slots, or for a very long string its segments' slots.
        let total = very_long.get(&v.short_name).copied().unwrap_or(0);
        let mut pieces: Vec<(usize, usize, usize)> = Vec::new(); // (first slot, slots, bytes)
        let mut j = i;
        if total > 255 {
            let mut left = total;
            while left > 0 && j < vars.len() {
                let n = slots_of(j);
                pieces.push((j, n, left.min(252)));
                left = left.saturating_sub(252);
                j += n;
            }
        } else {
            let n = slots_of(j);
            pieces.push((j, n, v.width as usize));
            j += n;
        }
        let mut strings = Vec::with_capacity(rows);
        let mut codes = Vec::new();
        for (row, case) in cases.iter().enumerate() {
            let mut raw_text = Vec::with_capacity(total.max(8));
            for &(first, n, keep) in &pieces {
                let mut seg: Vec<u8> = case[first..first + n].concat();
                seg.truncate(keep);
                raw_text.extend_from_slice(&seg);
            }
            let is_missing = v.width <= 8
                && v.missing.values.iter().any(|m| {
                    let w = (v.width as usize).min(8);
                    m[..w] == raw_text[..w.min(raw_text.len())]
                });
            let text = decode(&raw_text);
            if is_missing {
                codes.push((row, text));
                strings.push(None);
            } else {
                strings.push(Some(text));
            }
        }
        out.push(Var {
            name,
            label: decode(&v.label),
            display: Display::Plain,
            value_labels: v
                .labels
                .iter()
                .map(|(raw, text)| (decode(raw), decode(text)))
                .chain(
                    long_labels
                        .get(v.short_name.as_bytes())
                        .or_else(|| {
                            long_names
                                .get(&v.short_name)
                                .and_then(|n| long_labels.get(n))
                        })
                        .into_iter()
                        .flatten()
                        .map(|(raw, text)| (decode(raw), decode(text))),
                )
                .collect(),
            cells: Cells::Str {
                values: strings,
                codes,
            },
        });
        i = j;
    }
    let mut info = encoding_info(encoding.name(), source);
    if malformed.get() > 0 {
        info.note = Some(format!(
            "{} text(s) hold bytes that are not valid {}, shown as \u{FFFD}: choose the \
             encoding (--encoding) if the text looks wrong",
            malformed.get(),
            encoding.name()
        ));
        info.confidence = 0.5;
    }
    Ok(Dataset {
        format: if zsav { "zsav" } else { "sav" },
        vars: out,
        rows,
        encoding: info,
    })
}

/// An error from reading the data stream, its offset made absolute.
fn offset_error(e: Error, data_start: usize) -> Error {
    match e {
        Error::Input { file, message } if data_start > 0 => Error::Input {
            file,
            message: shift_offset(&message, data_start),
        },
        e => e,
    }
}

/// "... at byte N: ..." with N + `by`.
fn shift_offset(message: &str, by: usize) -> String {
    let Some(at) = message.find(" at byte ") else {
        return message.to_string();
    };
    let start = at + " at byte ".len();
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<usize>() {
        Ok(n) => format!(
            "{}{}{}",
            &message[..start],
            n + by,
            &message[start + digits.len()..]
        ),
        Err(_) => message.to_string(),
    }
}

/// Value labels of long strings by variable name: (value, label) bytes.
type LongLabels = HashMap<Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>>;

/// Parses record 7.21 (value labels of strings longer than 8 bytes): per variable, its name,
/// width and labels, each a value and its text with 4-byte lengths.
fn long_string_labels(
    data: &[u8],
    le: bool,
    into: &mut LongLabels,
) -> std::result::Result<(), String> {
    let mut pos = 0usize;
    let int = |pos: &mut usize| -> std::result::Result<usize, String> {
        let b: [u8; 4] = data
            .get(*pos..*pos + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("the record ends at its byte {} inside a length", *pos))?;
        *pos += 4;
        let x = if le {
            i32::from_le_bytes(b)
        } else {
            i32::from_be_bytes(b)
        };
        usize::try_from(x).map_err(|_| format!("a negative length {x} at its byte {}", *pos - 4))
    };
    let take = |pos: &mut usize, n: usize| -> std::result::Result<Vec<u8>, String> {
        let t = pos
            .checked_add(n)
            .and_then(|e| data.get(*pos..e))
            .ok_or_else(|| format!("{n} bytes at its byte {} run past the record's end", *pos))?;
        *pos += n;
        Ok(t.to_vec())
    };
    while pos < data.len() {
        let n = int(&mut pos)?;
        let name = take(&mut pos, n)?;
        let _width = int(&mut pos)?;
        let count = int(&mut pos)?;
        if count > data.len() / 8 {
            return Err(format!("{count} labels cannot fit in the record"));
        }
        let labels = into.entry(name).or_default();
        for _ in 0..count {
            let n = int(&mut pos)?;
            let value = take(&mut pos, n)?;
            let n = int(&mut pos)?;
            labels.push((value, take(&mut pos, n)?));
        }
    }
    Ok(())
}

fn sysmis_bytes(sysmis: f64, le: bool) -> [u8; 8] {
    if le {
        sysmis.to_le_bytes()
    } else {
        sysmis.to_be_bytes()
    }
}

/// The name of an SPSS date print format.
fn format_name(t: u32) -> &'static str {
    match t {
        20 => "DATE",
        22 => "DATETIME",
        23 => "ADATE",
        24 => "JDATE",
        28 => "MOYR",
        29 => "QYR",
        30 => "WKYR",
        38 => "EDATE",
        39 => "SDATE",
        41 => "YMDHMS",
        _ => "?",
    }
}

/// The encoding of a Windows code page number (record 7.3).
fn code_page_encoding(page: i32) -> Option<&'static encoding_rs::Encoding> {
    let label = match page {
        65001 => "utf-8",
        1250 => "windows-1250",
        1251 => "windows-1251",
        1252 | 28591 | 3 => "windows-1252",
        936 => "gbk",
        950 => "big5",
        932 => "shift_jis",
        949 => "euc-kr",
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// No declared encoding: UTF-8 when every label and string cell is valid UTF-8, else
/// Windows-1252 (SPSS's old default on Windows).
fn guess_encoding(vars: &[VarRecord], cases: &[Vec<[u8; 8]>]) -> &'static encoding_rs::Encoding {
    let utf8 = |b: &[u8]| std::str::from_utf8(b).is_ok();
    let labels_ok = vars
        .iter()
        .all(|v| utf8(&v.label) && v.labels.iter().all(|(_, l)| utf8(l)));
    let strings: Vec<usize> = (0..vars.len()).filter(|&i| vars[i].width != 0).collect();
    // A string may be split across slots in the middle of a character: join each case's slots.
    let cells_ok = cases.iter().all(|case| {
        let joined: Vec<u8> = strings.iter().flat_map(|&i| case[i]).collect();
        utf8(&joined)
    });
    if labels_ok && cells_ok {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1252
    }
}
