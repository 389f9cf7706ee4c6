//! Identifier detection: per column a verdict (direct identifier, quasi-identifier, sensitive,
//! ordinary) with a confidence and the reasons, from the header, value patterns and uniqueness.
//!
//! Covers HIPAA Safe Harbor's identifier kinds that are detectable from data (names, street /
//! city / ZIP, dates tied to a person, phone, fax, email, SSN, medical record numbers, account /
//! plan / licence numbers, vehicle and device identifiers, URLs, IP addresses, ages over 89) and
//! China's equivalents (18-digit resident identity numbers with their ISO 7064 MOD 11-2 check
//! digit and the birth date and sex they encode, mobile numbers `1[3-9]` + 9 digits, Chinese
//! headers such as 姓名, 身份证号, 电话/手机, 住址/地址, 病历号, 出生日期).
//!
//! Value patterns are deliberately strict (formatting, lengths, check digits), so ordinary
//! clinical numbers (glucose 142, blood pressure 120/80, weight 71.5) never match.
//!
//! ```
//! use bedside::privacy::detect::{cn_resident_id, is_cn_mobile};
//! let id = cn_resident_id("11010519491231002X").unwrap();
//! assert_eq!((id.birth, id.female), ((1949, 12, 31), true));
//! assert!(cn_resident_id("110105194912310021").is_none()); // wrong check digit
//! assert!(is_cn_mobile("13812345678") && !is_cn_mobile("12812345678"));
//! ```

use crate::table::csv::{normalize_header, parse_date, parse_number};
use crate::table::{Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What a column is, for privacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Singles out a person on its own: must be removed or masked.
    DirectIdentifier,
    /// Identifies in combination with others (age, sex, ZIP, dates): generalize, measure k.
    QuasiIdentifier,
    /// What must not be learnt about a person (diagnosis): measure l-diversity, t-closeness.
    Sensitive,
    Ordinary,
}

/// One reason behind a verdict: a code the page translates, the identifier kind, and the share
/// of values that matched (for value and uniqueness reasons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// `header`, `values`, `unique`, `age_over_89`, `encodes_birth_sex`, `text_identifiers`, `type`.
    pub code: String,
    pub kind: String,
    pub share: Option<f64>,
    /// The same in English.
    pub text: String,
}

/// The detection result for one column (`detection` in the profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub verdict: Verdict,
    /// The identifier kind (`name`, `ssn`, `phone`, `cn_resident_id`, `zip`, `birth_date`...), if any.
    pub kind: Option<String>,
    /// 0..1.
    pub confidence: f64,
    pub reasons: Vec<Reason>,
}

/// Value-pattern kinds, in the order they are tried.
const VALUE_KINDS: &[&str] = &[
    "device",
    "email",
    "url",
    "ip_address",
    "ssn",
    "cn_resident_id",
    "cn_mobile",
    "phone",
];

/// (kind, verdict, normalized headers).
const HEADERS: &[(&str, Verdict, &[&str])] = &[
    (
        "name",
        Verdict::DirectIdentifier,
        &[
            "name",
            "patientname",
            "fullname",
            "firstname",
            "lastname",
            "surname",
            "givenname",
            "familyname",
            "middlename",
            "姓名",
            "名字",
            "患者姓名",
            "病人姓名",
        ],
    ),
    (
        "ssn",
        Verdict::DirectIdentifier,
        &[
            "ssn",
            "socialsecuritynumber",
            "socialsecurity",
            "socialsecurityno",
        ],
    ),
    (
        "cn_resident_id",
        Verdict::DirectIdentifier,
        &[
            "身份证号",
            "身份证",
            "身份证号码",
            "idcard",
            "idcardnumber",
            "nationalid",
            "residentid",
        ],
    ),
    (
        "mrn",
        Verdict::DirectIdentifier,
        &[
            "mrn",
            "medicalrecordnumber",
            "recordnumber",
            "patientid",
            "patientnumber",
            "chartnumber",
            "病历号",
            "住院号",
            "门诊号",
            "病案号",
            "id",
        ],
    ),
    (
        "phone",
        Verdict::DirectIdentifier,
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "cell",
            "cellphone",
            "mobilephone",
            "contactnumber",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话号码",
        ],
    ),
    (
        "fax",
        Verdict::DirectIdentifier,
        &["fax", "faxnumber", "传真"],
    ),
    (
        "email",
        Verdict::DirectIdentifier,
        &[
            "email",
            "emailaddress",
            "mail",
            "邮箱",
            "电子邮件",
            "电子邮箱",
        ],
    ),
    (
        "address",
        Verdict::DirectIdentifier,
        &[
            "address",
            "streetaddress",
            "street",
            "homeaddress",
            "address1",
            "address2",
            "住址",
            "地址",
            "家庭住址",
            "现住址",
            "联系地址",
        ],
    ),
    (
        "account",
        Verdict::DirectIdentifier,
        &[
            "account",
            "accountnumber",
            "insuranceid",
            "insurancenumber",
            "planid",
            "healthplanid",
            "memberid",
            "policynumber",
            "beneficiaryid",
            "license",
            "licence",
            "licensenumber",
            "licencenumber",
            "driverslicense",
            "医保号",
            "医保卡号",
            "保险号",
            "社保号",
        ],
    ),
    (
        "device",
        Verdict::DirectIdentifier,
        &[
            "vin",
            "licenseplate",
            "plate",
            "platenumber",
            "deviceid",
            "serialnumber",
            "imei",
            "macaddress",
            "车牌号",
        ],
    ),
    (
        "url",
        Verdict::DirectIdentifier,
        &["url", "website", "homepage", "webpage"],
    ),
    (
        "ip_address",
        Verdict::DirectIdentifier,
        &["ip", "ipaddress", "ipaddr"],
    ),
    (
        "birth_date",
        Verdict::DirectIdentifier,
        &[
            "dob",
            "dateofbirth",
            "birthdate",
            "birthday",
            "birth",
            "出生日期",
            "生日",
            "出生年月",
        ],
    ),
    (
        "city",
        Verdict::QuasiIdentifier,
        &["city", "town", "county", "district", "城市", "区县", "县"],
    ),
    (
        "zip",
        Verdict::QuasiIdentifier,
        &[
            "zip",
            "zipcode",
            "postcode",
            "postalcode",
            "邮编",
            "邮政编码",
        ],
    ),
    (
        "age",
        Verdict::QuasiIdentifier,
        &["age", "年龄", "ageyears"],
    ),
    ("sex", Verdict::QuasiIdentifier, &["sex", "gender", "性别"]),
    (
        "ethnicity",
        Verdict::QuasiIdentifier,
        &["race", "ethnicity", "民族", "nationality"],
    ),
    (
        "marital_status",
        Verdict::QuasiIdentifier,
        &["maritalstatus", "婚姻状况", "occupation", "职业"],
    ),
    (
        "diagnosis",
        Verdict::Sensitive,
        &[
            "diagnosis",
            "dx",
            "icd",
            "icd10",
            "icdcode",
            "condition",
            "disease",
            "hivstatus",
            "诊断",
            "疾病",
            "主要诊断",
        ],
    ),
];

/// Header words (substrings of normalized headers) of dates tied to a person.
const PERSON_DATE_WORDS: &[&str] = &[
    "admi", "discharg", "death", "died", "visit", "surgery", "入院", "出院", "死亡", "就诊", "手术",
];

/// The identifier kind and verdict a header names, if any: the one list of header names that
/// the reader (identifier columns kept as text), the profile (suggested roles) and the suggested
/// recipe (what is pseudonymized, banded or truncated) consult.
pub fn header_kind(name: &str) -> Option<(&'static str, Verdict)> {
    let h = normalize_header(name);
    HEADERS
        .iter()
        .find(|(_, _, hs)| hs.contains(&h.as_str()))
        .map(|(k, v, _)| (*k, *v))
}

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

fn reason(code: &str, kind: &str, share: Option<f64>, text: String) -> Reason {
    Reason {
        code: code.into(),
        kind: kind.into(),
        share,
        text,
    }
}

/// Detects every column of a table.
pub fn detect_table(table: &Table) -> Vec<Detection> {
    let direct: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.ctype != ColumnType::Text)
        .filter(|c| {
            header_kind(&c.name).is_some_and(|(_, v)| v == Verdict::DirectIdentifier)
                || c.ctype == ColumnType::Identifier
        })
        .collect();
    table
        .columns
        .iter()
        .map(|c| detect_column(c, &direct))
        .collect()
}

/// What detection needs of a column's values, computed without turning every number into text
/// (a million-row numeric column is profiled from its numbers; only the pattern sample is text).
struct ValueStats {
    /// Values present (not missing).
    present: usize,
    /// Distinct present values (for numbers: exact only when all are distinct, which is all
    /// detection asks of them).
    distinct: usize,
    /// The first present values as text (at most 5,000), for the value patterns.
    sample: Vec<String>,
    /// Values that are ratios of two numbers, such as blood pressure "120/80".
    ratios: usize,
    /// Every present value is a whole number.
    all_integers: bool,
    /// Characters over all present values (text columns).
    chars: usize,
}

impl ValueStats {
    const SAMPLE: usize = 5000;

    fn of(col: &Column) -> ValueStats {
        match &col.values {
            Values::Num(v) => {
                let present = v.iter().filter(|x| !x.is_nan()).count();
                let sample = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .take(Self::SAMPLE)
                    .map(|&x| crate::table::format_number(x))
                    .collect();
                let all_integers = v.iter().all(|x| x.is_nan() || x.fract() == 0.0);
                // Only whole numbers can be record codes: only then is "all distinct" asked, and
                // the first repeat answers it (-0 and 0 read the same).
                let distinct = if all_integers && present > 0 {
                    let mut seen = HashSet::with_capacity(present.min(1 << 16));
                    let repeat = v
                        .iter()
                        .filter(|x| !x.is_nan())
                        .any(|&x| !seen.insert((x + 0.0).to_bits()));
                    if repeat {
                        seen.len()
                    } else {
                        present
                    }
                } else {
                    0
                };
                ValueStats {
                    present,
                    distinct,
                    sample,
                    ratios: 0,
                    all_integers,
                    chars: 0,
                }
            }
            Values::Str(v) => {
                let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
                let ratio = |s: &str| {
                    let p: Vec<&str> = s.split('/').collect();
                    p.len() == 2 && p.iter().all(|x| parse_number(x).is_some())
                };
                let distinct: HashSet<&str> = present.iter().copied().collect();
                ValueStats {
                    present: present.len(),
                    distinct: distinct.len(),
                    sample: present
                        .iter()
                        .take(Self::SAMPLE)
                        .map(|s| s.to_string())
                        .collect(),
                    ratios: present.iter().filter(|s| ratio(s)).count(),
                    all_integers: present
                        .iter()
                        .all(|s| parse_number(s).is_some_and(|x| x.fract() == 0.0)),
                    chars: present.iter().map(|s| s.chars().count()).sum(),
                }
            }
        }
    }
}

/// Detects one column; `identifier_columns` are the table's direct identifiers (for notes that
/// repeat their values).
pub fn detect_column(col: &Column, identifier_columns: &[&Column]) -> Detection {
    let n = col.values.len();
    let stats = ValueStats::of(col);
    let mut reasons = Vec::new();
    let mut verdict = Verdict::Ordinary;
    let mut kind: Option<String> = None;
    let mut confidence: f64 = 0.5;
    let raise = |v: Verdict,
                 k: &str,
                 c: f64,
                 verdict: &mut Verdict,
                 kind: &mut Option<String>,
                 confidence: &mut f64| {
        let rank = |v: Verdict| match v {
            Verdict::DirectIdentifier => 3,
            Verdict::QuasiIdentifier => 2,
            Verdict::Sensitive => 1,
            Verdict::Ordinary => 0,
        };
        if rank(v) > rank(*verdict) || (rank(v) == rank(*verdict) && c > *confidence) {
            *verdict = v;
            *kind = Some(k.to_string());
            *confidence = c;
        } else if rank(v) == rank(*verdict) {
            *confidence = confidence.max(c);
        }
    };

    // Header.
    let header = header_kind(&col.name);
    if let Some((k, v)) = header {
        reasons.push(reason(
            "header",
            k,
            None,
            format!(
                "the header '{}' names a {} column",
                col.name,
                k.replace('_', " ")
            ),
        ));
        raise(v, k, 0.9, &mut verdict, &mut kind, &mut confidence);
    }
    let h = normalize_header(&col.name);
    if col.ctype == ColumnType::Date && header.is_none() {
        if PERSON_DATE_WORDS.iter().any(|w| h.contains(w)) {
            reasons.push(reason(
                "header",
                "person_date",
                None,
                format!(
                    "'{}' is a date tied to a person (HIPAA Safe Harbor keeps only the year)",
                    col.name
                ),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "person_date",
                0.85,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        } else {
            reasons.push(reason(
                "type",
                "person_date",
                None,
                "a date column: dates tied to a person are quasi-identifiers".into(),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "person_date",
                0.6,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        }
    }

    // Value patterns (numbers only match as 11-digit mobiles or 18-digit IDs).
    if col.ctype != ColumnType::Text && stats.present > 0 {
        let sample = &stats.sample;
        let kinds: Vec<Option<&str>> = sample.iter().map(|v| value_kind(v)).collect();
        for k in VALUE_KINDS {
            let hits = kinds.iter().filter(|v| **v == Some(*k)).count();
            let share = hits as f64 / sample.len() as f64;
            if share >= 0.6 {
                reasons.push(reason(
                    "values",
                    k,
                    Some(share),
                    format!(
                        "{:.0}% of the values look like {}",
                        share * 100.0,
                        k.replace('_', " ")
                    ),
                ));
                raise(
                    Verdict::DirectIdentifier,
                    k,
                    0.6 + 0.39 * share,
                    &mut verdict,
                    &mut kind,
                    &mut confidence,
                );
                if *k == "cn_resident_id" {
                    reasons.push(reason(
                        "encodes_birth_sex",
                        k,
                        None,
                        "resident identity numbers encode the date of birth and the sex".into(),
                    ));
                }
                break;
            }
        }
    }

    // Ages over 89 (Safe Harbor: aggregate into 90+).
    if header.is_some_and(|(k, _)| k == "age") {
        if let Values::Num(v) = &col.values {
            let over = v.iter().filter(|&&x| x > 89.0).count();
            if over > 0 {
                reasons.push(reason(
                    "age_over_89",
                    "age",
                    Some(over as f64 / n.max(1) as f64),
                    format!("{over} value(s) above 89 (HIPAA Safe Harbor: code as 90+)"),
                ));
            }
        }
    }

    // Uniqueness.
    let share_unique = if stats.present == 0 {
        0.0
    } else {
        stats.distinct as f64 / stats.present as f64
    };
    let measurements = stats.present > 0 && stats.ratios * 10 >= stats.present * 9;
    let unique_id = !measurements
        && match col.ctype {
            ColumnType::Numeric => {
                // Integer codes, every one different, in a table large enough for that to mean something.
                stats.present >= 50 && share_unique == 1.0 && stats.all_integers
            }
            ColumnType::Categorical | ColumnType::Identifier => {
                stats.present >= 20 && share_unique >= 0.95 && stats.chars >= 3 * stats.present
            }
            _ => false,
        };
    if unique_id {
        reasons.push(reason(
            "unique",
            "record_id",
            Some(share_unique),
            format!(
                "{:.0}% of the values are distinct: a value singles out one record",
                share_unique * 100.0
            ),
        ));
        raise(
            Verdict::DirectIdentifier,
            "record_id",
            0.7,
            &mut verdict,
            &mut kind,
            &mut confidence,
        );
    } else if col.ctype == ColumnType::Identifier
        && verdict != Verdict::DirectIdentifier
        && !measurements
    {
        reasons.push(reason(
            "type",
            "record_id",
            None,
            "inferred as an identifier column when reading the file".into(),
        ));
        raise(
            Verdict::DirectIdentifier,
            "record_id",
            0.65,
            &mut verdict,
            &mut kind,
            &mut confidence,
        );
    }

    // Free text: identifiers inside notes.
    if col.ctype == ColumnType::Text {
        let mut rows_with = 0;
        let mut kinds: Vec<&'static str> = Vec::new();
        for r in 0..n {
            let Some(t) = col.values.text(r) else {
                continue;
            };
            let same_row: Vec<String> = identifier_columns
                .iter()
                .filter_map(|c| c.values.text(r))
                .collect();
            let found = super::text::find(&t, &same_row, None);
            if !found.is_empty() {
                rows_with += 1;
                for f in found {
                    if !kinds.contains(&f.kind) {
                        kinds.push(f.kind);
                    }
                }
            }
        }
        let share = rows_with as f64 / stats.present.max(1) as f64;
        if rows_with > 0 {
            kinds.sort_unstable();
            reasons.push(reason(
                "text_identifiers",
                &kinds.join(","),
                Some(share),
                format!(
                    "{rows_with} note(s) contain identifiers ({})",
                    kinds.join(", ")
                ),
            ));
            raise(
                Verdict::DirectIdentifier,
                "free_text",
                0.6 + 0.39 * share,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        } else {
            reasons.push(reason(
                "type",
                "free_text",
                None,
                "free text may name patients; no identifier pattern found".into(),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "free_text",
                0.5,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        }
    }

    if verdict == Verdict::Ordinary {
        confidence = 0.8;
        kind = None;
    }
    Detection {
        verdict,
        kind,
        confidence: (confidence * 100.0).round() / 100.0,
        reasons,
    }
}
