//! Identifiers by pattern: e-mail addresses and URLs (also right after CJK text), IPv4 and IPv6,
//! MAC addresses and VINs, phone numbers, SSNs, Chinese resident IDs, record/account/licence/
//! plate/serial numbers (long digit runs, letter-prefixed numbers, anything after an ID cue),
//! and ages over 89 in any common form.

use super::tokens::{is_cjk, Kind};
use super::Cx;
use crate::privacy::detect::{cn_resident_id, is_cn_mobile, is_ipv4, is_ipv6, is_phone, is_ssn};

/// Words after which the next code is an identifier ("MRN B6827688", "plate 7ABC123").
const ID_CUES: &[&str] = &[
    "mrn",
    "mr",
    "mr#",
    "record",
    "acct",
    "account",
    "acc",
    "id",
    "ids",
    "license",
    "licence",
    "lic",
    "dl",
    "plate",
    "tag",
    "serial",
    "sn",
    "s/n",
    "device",
    "member",
    "policy",
    "insurance",
    "medicaid",
    "medicare",
    "subscriber",
    "case",
    "claim",
    "certificate",
    "passport",
    "vin",
    "fin",
    "csn",
    "encounter",
    "visit",
    "hic",
    "hicn",
    "mbi",
    "npi",
    "dea",
    "ssn",
    "no",
    "number",
    "病案号",
    "住院号",
    "门诊号",
    "身份证号",
    "身份证",
    "医保号",
    "卡号",
    "车牌",
    "车牌号",
    "编号",
    "号码",
];
const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "cn", "io", "info", "co", "uk", "us", "ca", "de", "jp",
    "au", "me", "health", "biz", "mil", "int", "hk", "tw",
];

fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

impl Cx<'_> {
    /// E-mail addresses and URLs found by their anchor ('@', "://", "www.", a known TLD), so a
    /// CJK character right before them does not hide them.
    pub(crate) fn emails_urls(&mut self) {
        let text = self.text;
        let b = text.as_bytes();
        // E-mail: around each '@'.
        for (p, _) in text.match_indices('@') {
            let mut s = p;
            // The local part: ASCII, or letters of other scripts except CJK ("villaseñor").
            while s > 0 {
                let Some(c) = text[..s].chars().next_back() else {
                    break;
                };
                if c.is_ascii_alphanumeric()
                    || "._%+-".contains(c)
                    || (c.is_alphabetic() && !c.is_ascii() && !is_cjk(c))
                {
                    s -= c.len_utf8();
                } else {
                    break;
                }
            }
            let mut e = p + 1;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b".-".contains(&b[e])) {
                e += 1;
            }
            while e > p + 1 && b[e - 1] == b'.' {
                e -= 1;
            }
            let ascii: String = text[s..e]
                .chars()
                .map(|c| if c.is_ascii() { c } else { 'x' })
                .collect();
            if s < p && crate::privacy::detect::is_email(&ascii) {
                self.push(s, e, "EMAIL");
            }
        }
        // URLs: scheme or www., else a host with a known TLD.
        let lower = text.to_ascii_lowercase();
        let mut starts: Vec<usize> = Vec::new();
        for pat in ["http://", "https://", "www.", "ftp://"] {
            starts.extend(lower.match_indices(pat).map(|(i, _)| i));
        }
        for s in starts {
            if s > 0 && b[s - 1].is_ascii_alphanumeric() && !lower[s..].starts_with("http") {
                continue;
            }
            let mut e = s;
            while e < b.len() && b[e].is_ascii() && url_char(b[e] as char) {
                e += 1;
            }
            while e > s && b".,;:!?)]'".contains(&b[e - 1]) {
                e -= 1;
            }
            if e > s + 7 {
                self.push(s, e, "URL");
            }
        }
        // Bare hosts: "portal.example.org/p/12", "fb.com".
        let n = self.toks.len();
        for i in 0..n {
            if self.toks[i].kind != Kind::Word
                || (i > 0
                    && self.toks[i - 1].e == self.toks[i].s
                    && matches!(self.w(i - 1), "." | "@" | "/"))
            {
                continue;
            }
            let mut j = i;
            let mut labels = 1;
            while j + 2 < n
                && self.w(j + 1) == "."
                && self.toks[j].e == self.toks[j + 1].s
                && self.toks[j + 1].e == self.toks[j + 2].s
                && matches!(self.toks[j + 2].kind, Kind::Word | Kind::Num)
            {
                j += 2;
                labels += 1;
            }
            if labels >= 2
                && TLDS.contains(&self.w(j).to_ascii_lowercase().as_str())
                && self.w(i).len() >= 2
                && self.w(i).is_ascii()
            {
                let s = self.toks[i].s;
                let mut e = self.toks[j].e;
                if b.get(e) == Some(&b'/') {
                    while e < b.len() && b[e].is_ascii() && url_char(b[e] as char) {
                        e += 1;
                    }
                    while e > s && b".,;:!?)]'".contains(&b[e - 1]) {
                        e -= 1;
                    }
                }
                if !(text[s..e].contains('@') || e < b.len() && b[e] == b'@') {
                    self.push(s, e, "URL");
                }
            }
        }
    }

    /// Runs of non-space characters (ASCII-trimmed) checked as IP, MAC, VIN and letter-digit IDs.
    pub(crate) fn chunks(&mut self) {
        let text = self.text;
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            let sep = c.is_whitespace() || is_cjk(c) || "，。；：（）、,;()[]{}<>\"".contains(c);
            if sep {
                if let Some(s) = start.take() {
                    let w = text[s..i].trim_end_matches(['.', '!', '?', '\'']);
                    if !w.is_empty() {
                        out.push((s, s + w.len()));
                    }
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        for (s, e) in out {
            let w = &text[s..e];
            if crate::privacy::detect::is_vin(w) || crate::privacy::detect::is_mac(w) {
                self.push(s, e, "DEVICE");
            } else if (is_ipv6(w) && (w.contains("::") || w.matches(':').count() >= 5))
                || is_ipv4(w)
            {
                self.push(s, e, "IP");
            } else if let Some(kind) = id_code(w) {
                self.push(s, e, kind);
            }
        }
    }

    /// Digit groups (phones, SSNs, resident IDs, long numbers), codes after ID cues, ages over 89.
    pub(crate) fn numbers(&mut self) {
        let text = self.text;
        for (s, e) in digit_groups(text) {
            let g = &text[s..e];
            if let Some(kind) = classify_digits(g) {
                self.push(s, e, kind);
                continue;
            }
            let mut off = s;
            for part in g.split(' ') {
                if let Some(kind) = classify_digits(part) {
                    self.push(off, off + part.len(), kind);
                }
                off += part.len() + 1;
            }
        }
        let n = self.toks.len();
        for i in 0..n {
            let t = self.toks[i];
            // A code after an ID cue: "MRN B6827688", "acct 263351055", "病案号F74835590", "plate 7ABC123".
            let w = self.w(i).to_lowercase();
            let cue = ID_CUES.contains(&w.as_str())
                || (t.kind == Kind::Cjk
                    && ID_CUES
                        .iter()
                        .any(|c| !c.is_ascii() && text[..t.e].ends_with(c)));
            if cue {
                let mut j = i + 1;
                while j < n && matches!(self.w(j), ":" | "#" | "：" | "." | "-" | "=") {
                    j += 1;
                }
                // Words that are part of the cue ("license number", "record no.").
                while j < n
                    && matches!(
                        self.w(j).to_lowercase().as_str(),
                        "number" | "no" | "num" | "is" | "of" | "id"
                    )
                {
                    j += 1;
                    while j < n && matches!(self.w(j), ":" | "#" | ".") {
                        j += 1;
                    }
                }
                if j < n {
                    let s = self.toks[j].s;
                    let e = text[s..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .map_or(self.text.len(), |x| s + x);
                    let code = text[s..e].trim_end_matches('-');
                    let digits = code.bytes().filter(u8::is_ascii_digit).count();
                    let generic = matches!(
                        w.as_str(),
                        "no" | "number"
                            | "case"
                            | "visit"
                            | "record"
                            | "id"
                            | "ids"
                            | "tag"
                            | "device"
                            | "member"
                            | "encounter"
                            | "号码"
                            | "编号"
                    );
                    if (digits >= 5
                        || (!generic && (digits >= 4 || (digits >= 3 && code.len() >= 5))))
                        && code.len() <= 24
                    {
                        self.push(s, s + code.len(), "ID");
                    }
                }
            }
            // Ages over 89.
            if t.kind == Kind::Num && t.e - t.s <= 3 {
                let age: u32 = self.w(i).parse().unwrap_or(0);
                if (90..=125).contains(&age) && self.is_age(i) {
                    self.push(t.s, t.e, "AGE");
                }
            }
        }
    }

    fn is_age(&self, i: usize) -> bool {
        let text = self.text;
        // Bounded windows around the number (a long text must not cost a copy per number).
        let (s, e) = (self.toks[i].s, self.toks[i].e);
        let from = text[..s].char_indices().rev().nth(23).map_or(0, |x| x.0);
        let to = text[e..]
            .char_indices()
            .nth(23)
            .map_or(text.len(), |x| e + x.0);
        let after = text[e..to].trim_start_matches([' ', '-']).to_lowercase();
        let before = text[from..s].trim_end().to_lowercase();
        const AFTER: &[&str] = &[
            "year", "yr", "yo", "y/o", "y.o", "yoa", "y ", "y,", "岁", "周岁", "years", "-y", "yrs",
        ];
        const BEFORE: &[&str] = &[
            "aged",
            "age",
            "age:",
            "aged:",
            "年龄",
            "年龄：",
            "年龄:",
            "享年",
        ];
        if AFTER.iter().any(|a| after.starts_with(a))
            && !after.starts_with("years ago")
            && !after.starts_with("year ago")
        {
            return true;
        }
        // "is now 96", "turned 92", "at age 95".
        for cue in [
            "is now",
            "now",
            "turned",
            "turns",
            "at age",
            "age of",
            "aged about",
            "reached",
        ] {
            if before.ends_with(cue)
                && !after.starts_with("mg")
                && !after.starts_with('%')
                && !after.starts_with("kg")
                && !after.starts_with("/")
            {
                return true;
            }
        }
        if let Some(w) = before.rsplit([' ', '(', ',']).next() {
            if BEFORE
                .iter()
                .any(|b| w == *b || w.ends_with(b) && !b.is_ascii())
            {
                return !after.starts_with("mg") && !after.starts_with('%');
            }
        }
        false
    }
}

/// A code of letters and digits that is an identifier: letter-prefixed record numbers
/// ("B6827688", "MR82200173", "BA-626388", "SN42X123456"), not clinical codes (ICD-10 "E11.9",
/// "CHA2DS2-VASc", "SpO2", "HbA1c").
fn id_code(w: &str) -> Option<&'static str> {
    let w = w.trim_start_matches(['(', '[', '#']);
    if !w.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') || w.len() < 6 {
        return None;
    }
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters == 0 || digits < 5 {
        return None;
    }
    Some("ID")
}

/// Maximal runs of ASCII digits, joined across single separators `-./ ()` into groups.
pub(crate) fn digit_groups(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_digit()
            || (b[i] == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
            || (b[i] == b'(' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
            continue;
        }
        if i > 0 && (b[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < b.len() {
            if b[j].is_ascii_digit()
                || (b[j] == b'X' || b[j] == b'x') && j > start && j - start >= 17
            {
                j += 1;
                end = j;
            } else if b"-./ ()+".contains(&b[j])
                && j + 1 < b.len()
                && (b[j + 1].is_ascii_digit()
                    || (b[j] == b')'
                        && b[j + 1] == b' '
                        && b.get(j + 2).is_some_and(u8::is_ascii_digit))
                    || (b[j] == b' ' && b[j + 1] == b'('))
                || b[j] == b'+'
                || b[j] == b'('
            {
                j += 1;
            } else {
                break;
            }
        }
        if end > start {
            out.push((start, end));
        }
        i = j.max(start + 1);
    }
    out
}

fn classify_digits(s: &str) -> Option<&'static str> {
    if is_ssn(s) {
        return Some("SSN");
    }
    if cn_resident_id(s).is_some() {
        return Some("ID");
    }
    if is_cn_mobile(s) || is_phone(s) {
        return Some("PHONE");
    }
    if is_ipv4(s) {
        return Some("IP");
    }
    // Dates (2024-03-01, 3/1/2024) are read by `dates`.
    let p: Vec<&str> = s.split(['-', '/', '.']).collect();
    if p.len() == 3 && p.iter().all(|g| !g.is_empty() && g.len() <= 4) {
        return None;
    }
    if s.bytes().filter(u8::is_ascii_digit).count() >= 7
        && s.split(' ')
            .any(|g| g.bytes().filter(u8::is_ascii_digit).count() >= 4)
        && !s.contains('.')
    {
        return Some("ID");
    }
    None
}
