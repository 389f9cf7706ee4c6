//! Value patterns of identifiers: strict formats, lengths and check digits, so ordinary
//! clinical numbers (glucose 142, blood pressure 120/80, weight 71.5) never match.
//!
//! ```
//! use bedside::privacy::patterns::{cn_resident_id, is_cn_mobile};
//! let id = cn_resident_id("11010519491231002X").unwrap();
//! assert_eq!((id.birth, id.female), ((1949, 12, 31), true));
//! assert!(cn_resident_id("110105194912310021").is_none()); // wrong check digit
//! assert!(is_cn_mobile("13812345678") && !is_cn_mobile("12812345678"));
//! ```

use crate::table::csv::parse_date;

/// Value-pattern kinds, in the order they are tried.
pub const VALUE_KINDS: &[&str] = &[
    "device",
    "email",
    "url",
    "ip_address",
    "ssn",
    "cn_resident_id",
    "cn_mobile",
    "phone",
];

/// Information encoded in a valid Chinese resident identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CnId {
    pub birth: (i32, u32, u32),
    pub female: bool,
}

/// Parses an 18-character Chinese resident identity number: 17 digits and an ISO 7064
/// MOD 11-2 check character (`0`-`9` or `X`), with a valid birth date in characters 7-14.
/// The 17th digit is odd for men, even for women.
pub fn cn_resident_id(s: &str) -> Option<CnId> {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    if b[17].to_ascii_uppercase() != CHECK[(sum % 11) as usize] {
        return None;
    }
    let birth = parse_date(&format!("{}-{}-{}", &s[6..10], &s[10..12], &s[12..14]))?;
    if !(1900..=2100).contains(&birth.0) {
        return None;
    }
    Some(CnId {
        birth,
        female: (b[16] - b'0').is_multiple_of(2),
    })
}

/// A mainland China mobile number: `1[3-9]` and 9 more digits, optionally after `+86`/`86`,
/// with optional spaces or dashes.
pub fn is_cn_mobile(s: &str) -> bool {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let d = d
        .strip_prefix("+86")
        .or_else(|| d.strip_prefix("86").filter(|r| r.len() == 11))
        .unwrap_or(&d);
    let b = d.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
}

/// A North American phone/fax number written as one: `(617) 555-0123`, `617-555-0123`,
/// `617.555.0123`, `+1 617 555 0123` (separators required, so bare numbers never match).
pub fn is_phone(s: &str) -> bool {
    let s = s.trim();
    let rest = s
        .strip_prefix("+1")
        .or_else(|| s.strip_prefix("1-"))
        .map_or(s, str::trim_start);
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 10
        || !rest
            .chars()
            .all(|c| c.is_ascii_digit() || " -.()".contains(c))
    {
        return false;
    }
    let groups: Vec<&str> = rest
        .split(|c: char| " -.()".contains(c))
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() == 3 && groups[0].len() == 3 && groups[1].len() == 3 && groups[2].len() == 4
}

/// A US social security number `123-45-6789` (not area 000, 666 or 9xx).
pub fn is_ssn(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 3
        && [3, 2, 4]
            .iter()
            .zip(&p)
            .all(|(n, g)| g.len() == *n && g.bytes().all(|b| b.is_ascii_digit()))
        && p[0] != "000"
        && p[0] != "666"
        && !p[0].starts_with('9')
        && p[1] != "00"
        && p[2] != "0000"
}

/// An email address `local@domain.tld`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_local = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let tld = domain.rsplit('.').next().unwrap_or("");
    ok_local
        && domain.contains('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !domain.starts_with('.')
        && !domain.contains("..")
}

/// A web address: `http(s)://…` or `www.…`.
pub fn is_url(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    (l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www."))
        && l.len() > 7
        && !l.contains(' ')
}

/// A dotted IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    let p: Vec<&str> = s.split('.').collect();
    p.len() == 4
        && p.iter().all(|g| {
            !g.is_empty()
                && g.len() <= 3
                && g.bytes().all(|b| b.is_ascii_digit())
                && g.parse::<u16>().is_ok_and(|x| x <= 255)
        })
}

/// A (compressed or full) IPv6 address with at least two colons.
pub fn is_ipv6(s: &str) -> bool {
    s.matches(':').count() >= 2
        && s.len() >= 3
        && s.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
        && s.split(':').all(|g| g.len() <= 4)
        && s.matches("::").count() <= 1
}

/// A vehicle identification number: 17 characters (no I, O, Q) with a valid check digit in
/// position 9 (ISO 3779 / North American rule).
pub fn is_vin(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 17
        || !b
            .iter()
            .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"IOQ".contains(c)))
    {
        return false;
    }
    let value = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'H' => (c - b'A') as u32 + 1,
            b'J'..=b'R' => (c - b'J') as u32 + 1,
            _ => (c - b'S') as u32 + 2,
        }
    };
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum: u32 = b.iter().zip(W).map(|(&c, w)| value(c) * w).sum();
    let check = match sum % 11 {
        10 => b'X',
        d => b'0' + d as u8,
    };
    b[8] == check && b.iter().any(u8::is_ascii_digit) && b.iter().any(u8::is_ascii_uppercase)
}

/// A MAC address: six hexadecimal pairs separated by `:` or `-`.
pub fn is_mac(s: &str) -> bool {
    let sep = if s.contains(':') { ':' } else { '-' };
    let p: Vec<&str> = s.split(sep).collect();
    p.len() == 6
        && p.iter()
            .all(|g| g.len() == 2 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The identifier kind a single value has by its pattern, if any.
pub fn value_kind(s: &str) -> Option<&'static str> {
    let s = s.trim();
    VALUE_KINDS.iter().copied().find(|k| match *k {
        "email" => is_email(s),
        "url" => is_url(s),
        "ip_address" => is_ipv4(s) || is_ipv6(s),
        "ssn" => is_ssn(s),
        "cn_resident_id" => cn_resident_id(s).is_some(),
        "cn_mobile" => is_cn_mobile(s),
        "phone" => is_phone(s),
        "device" => is_vin(s) || is_mac(s),
        _ => false,
    })
}
