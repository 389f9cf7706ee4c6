//! Cell values: plain numbers and ISO dates as the reader accepts them, normalized headers, and
//! the type a column gets from its header and values.

use super::csv::NUMERIC_SHARE;
use super::ColumnType;

/// Is `s` a digit string with a leading zero, like a ZIP code or record number ("02139")?
pub(crate) fn is_code_with_leading_zero(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 1 && b[0] == b'0' && b.iter().all(u8::is_ascii_digit)
}

/// Is `s` a code written as digit groups joined by dashes, with at least 7 digits in all: a
/// ZIP+4 (`85719-1234`), a phone number (`555-864-8899`), a dashed record number? Dates
/// (`2024-02-21`) and short ranges (`10-20`) are not.
pub(crate) fn is_dashed_code(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return false;
    }
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'-') || !b.contains(&b'-') {
        return false;
    }
    let groups_ok = s.split('-').all(|g| !g.is_empty());
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    groups_ok && digits >= 7 && parse_date(s).is_none()
}

/// Does this header name a code that is written with digits but is not a quantity (a ZIP or
/// postcode, an ICD code)? Its values are read as text (categories), never as numbers.
pub fn is_code_header(name: &str) -> bool {
    use super::vocabulary::header_kind;
    header_kind(name).is_some_and(|(kind, _)| kind == "zip")
        || normalize_header(name).starts_with("icd")
}

/// Parses a plain decimal number. Codes with leading zeros ("007", "02139"), signs like "+1",
/// and words like "inf" or "nan" are not numbers.
pub fn parse_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let first = digits.chars().next()?;
    if !(first.is_ascii_digit() || first == '.') {
        return None;
    }
    let b = digits.as_bytes();
    if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
        return None;
    }
    plain_decimal(s).or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()))
}

/// `-?digits[.digits]` with at most 15 significant digits and 22 decimals, read exactly: the
/// digits as an integer (below 2^53, so exact as `f64`) divided by a power of ten (exact up to
/// 10^22) is one correctly rounded operation, the same value `str::parse` gives (Clinger's fast
/// path, which the standard parser also takes) without its general machinery. Anything else
/// (exponents, more digits) is `None` and left to `str::parse`.
fn plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, b) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    let (mut m, mut digits, mut decimals, mut point) = (0u64, 0usize, 0usize, false);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                if digits > 0 || c != b'0' {
                    digits += 1;
                }
                if digits > 15 {
                    return None;
                }
                m = m * 10 + (c - b'0') as u64;
                decimals += point as usize;
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if b.len() == point as usize || decimals > 22 {
        return None; // no digit at all ("", "-", ".")
    }
    let v = m as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time, into (year, month, day).
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let date = s.split([' ', 'T']).next()?;
    let mut parts = date.split(['-', '/']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]).then_some((y, m, d))
}

/// Normalizes a header for matching: lower-case, without spaces, `_`, `-` and `.`.
pub fn normalize_header(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Is this header the name of a direct identifier?
/// Its values are read as text (an MRN keeps its leading zeros, a phone number is not summed);
/// a birth date, also a direct identifier, is still read as a date.
pub fn is_identifier_header(name: &str) -> bool {
    use super::vocabulary::{header_kind, Verdict};
    header_kind(name)
        .is_some_and(|(kind, v)| v == Verdict::DirectIdentifier && kind != "birth_date")
}

/// Infers a column's type from its header and present values.
pub fn infer_type(name: &str, values: &[Option<String>]) -> ColumnType {
    if is_identifier_header(name) {
        return ColumnType::Identifier;
    }
    let present: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    if present.is_empty() {
        return ColumnType::Categorical;
    }
    let numbers = present.iter().filter(|s| parse_number(s).is_some()).count();
    let codes = is_code_header(name)
        || present
            .iter()
            .any(|s| is_code_with_leading_zero(s) || is_dashed_code(s));
    // Integers of more than 15 digits (resident IDs, card numbers) would lose digits as numbers.
    let long_integer = present
        .iter()
        .any(|s| s.len() > 15 && s.bytes().all(|b| b.is_ascii_digit()));
    if !codes && !long_integer && numbers as f64 >= NUMERIC_SHARE * present.len() as f64 {
        return ColumnType::Numeric;
    }
    if present.iter().all(|s| parse_date(s).is_some()) {
        return ColumnType::Date;
    }
    let n = present.len();
    let avg_len = present.iter().map(|s| s.chars().count()).sum::<usize>() as f64 / n as f64;
    let with_spaces = present.iter().filter(|s| s.contains(' ')).count() as f64 / n as f64;
    if avg_len > 20.0 && with_spaces > 0.5 {
        return ColumnType::Text;
    }
    let mut distinct: Vec<&str> = present.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if n >= 20 && distinct.len() == n {
        return ColumnType::Identifier;
    }
    ColumnType::Categorical
}

#[cfg(test)]
mod plain_decimal_tests {
    use super::plain_decimal;
    use proptest::prelude::*;

    #[test]
    fn reads_as_the_standard_parser_does() {
        for s in [
            "0",
            "-0",
            "5.",
            ".5",
            "-.5",
            "1.25",
            "0.1",
            "0.30000000000000004",
            "123456789012345",
            "-999.000",
        ] {
            match plain_decimal(s) {
                Some(v) => assert_eq!(v.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}"),
                None => assert!(s.len() > 16, "{s} should take the fast path"),
            }
        }
        for s in [
            "",
            "-",
            ".",
            "..",
            "1.2.3",
            "1e5",
            "+1",
            "1,5",
            " 1",
            "1234567890123456",
            "0.00000000000000000000001",
        ] {
            assert_eq!(plain_decimal(s), None, "{s}");
        }
    }

    proptest! {
        #[test]
        fn agrees_bit_for_bit_with_str_parse(int in 0u64..10_000_000_000, frac in "[0-9]{0,12}", neg: bool, point: bool) {
            let s = format!("{}{int}{}{frac}", if neg { "-" } else { "" }, if point { "." } else { "" });
            let s = if point { s } else { format!("{}{int}", if neg { "-" } else { "" }) };
            if let Some(v) = plain_decimal(&s) {
                prop_assert_eq!(v.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{}", s);
            } else {
                prop_assert!(s.trim_start_matches('-').replace('.', "").trim_start_matches('0').len() > 15, "{}", s);
            }
        }
    }
}
