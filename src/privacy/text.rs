//! Free-text scrubbing: find identifiers inside notes and replace them by a tag (`[PHONE]`).
//!
//! Found: the value patterns of `detect` (email, URL, IP address, SSN, Chinese resident ID,
//! Chinese mobile, phone/fax), dates (`2024-03-01`, `03/01/2024`, `2024年3月1日`), long digit runs
//! (7+ digits: record, account and licence numbers), ages over 89 (`92-year-old`, `93岁`), names
//! after a title (`Mr. Smith`, `Dr Jane Doe`), the same row's identifier values (anywhere in the
//! text, case-insensitive), and any word that is a word of an identifier value of any row.
//!
//! ```
//! let (out, n) = bedside::privacy::text::scrub("Call Ada Brook at 617-555-0123 or 13812345678.", &["Ada Brook".into()], None);
//! assert_eq!(out, "Call [IDENTIFIER] at [PHONE] or [PHONE].");
//! assert_eq!(n, 3);
//! ```

use super::detect::{cn_resident_id, is_cn_mobile, is_email, is_ipv4, is_phone, is_ssn, is_url};
use std::collections::HashSet;

/// An identifier found in a text: byte range and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: &'static str,
}

const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Mx"];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Runs of non-whitespace (byte ranges), with trailing punctuation `.,;:!?)]}'"` trimmed and
/// leading `([{'"` trimmed.
fn chunks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                let chunk = &text[s..i];
                let lead = chunk.len() - chunk.trim_start_matches(['(', '[', '{', '\'', '"']).len();
                let trimmed = chunk.trim_end_matches([
                    '.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '。', '，', '；',
                ]);
                if trimmed.len() > lead {
                    out.push((s + lead, s + trimmed.len()));
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// Maximal runs of ASCII digits, joined across single separators `-./ ()` into groups.
fn digit_groups(text: &str) -> Vec<(usize, usize)> {
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
            // inside a word like "A1c" or "x2": skip the word's digits (always move on)
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
    let plain = s.trim_start_matches('(');
    if crate::table::csv::parse_date(plain).is_some() {
        return Some("DATE");
    }
    // MM/DD/YYYY and DD.MM.YYYY
    let p: Vec<&str> = plain.split(['/', '.', '-']).collect();
    if p.len() == 3
        && p[2].len() == 4
        && p[0].len() <= 2
        && p[1].len() <= 2
        && p.iter()
            .all(|g| !g.is_empty() && g.bytes().all(|c| c.is_ascii_digit()))
    {
        let (a, b): (u32, u32) = (p[0].parse().ok()?, p[1].parse().ok()?);
        if (1..=31).contains(&a) && (1..=31).contains(&b) && (a <= 12 || b <= 12) {
            return Some("DATE");
        }
    }
    if s.bytes().filter(u8::is_ascii_digit).count() >= 7
        && s.split(' ')
            .any(|g| g.bytes().filter(u8::is_ascii_digit).count() >= 4)
    {
        return Some("NUMBER");
    }
    None
}

/// Finds identifiers in `text`. `same_row` are the values of the row's identifier columns;
/// `tokens` (lower-case) are words of identifier values of any row.
pub fn find(text: &str, same_row: &[String], tokens: Option<&HashSet<String>>) -> Vec<Found> {
    let mut found = Vec::new();
    // Same-row identifier values, anywhere, ignoring ASCII case (which keeps byte offsets, so
    // spans stay on character boundaries whatever the text holds).
    let lower = text.to_ascii_lowercase();
    for v in same_row {
        let v = v.trim();
        if v.chars().count() < 2 {
            continue;
        }
        let lv = v.to_ascii_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find(&lv) {
            let s = from + p;
            found.push(Found {
                start: s,
                end: s + lv.len(),
                kind: "IDENTIFIER",
            });
            from = s + lv.len();
        }
    }
    // Chunks: email, URL, words of identifiers, titles + names.
    let cs = chunks(text);
    for (idx, &(s, e)) in cs.iter().enumerate() {
        let w = &text[s..e];
        if is_email(w) {
            found.push(Found {
                start: s,
                end: e,
                kind: "EMAIL",
            });
        } else if is_url(w) {
            found.push(Found {
                start: s,
                end: e,
                kind: "URL",
            });
        } else if super::detect::is_vin(w) || super::detect::is_mac(w) {
            found.push(Found {
                start: s,
                end: e,
                kind: "DEVICE",
            });
        } else if super::detect::is_ipv6(w) && w.contains("::") || is_ipv4(w) {
            found.push(Found {
                start: s,
                end: e,
                kind: "IP",
            });
        }
        let bare = w.trim_end_matches('.');
        if TITLES.contains(&bare) {
            let mut end = None;
            for &(s2, e2) in cs.iter().skip(idx + 1).take(2) {
                let n = &text[s2..e2];
                if n.chars().next().is_some_and(char::is_uppercase)
                    && n.chars()
                        .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                {
                    end = Some(e2);
                } else {
                    break;
                }
            }
            if let Some(e2) = end {
                found.push(Found {
                    start: s,
                    end: e2,
                    kind: "NAME",
                });
            }
        }
    }
    // Words of any row's identifier values, and of this row's.
    let row_tokens = identifier_words(same_row.iter().map(String::as_str), 2);
    let empty = HashSet::new();
    let tokens = tokens.unwrap_or(&empty);
    {
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if is_word_char(c) && !('\u{4e00}'..='\u{9fff}').contains(&c) {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                let w = text[s..i].to_lowercase();
                if tokens.contains(&w) || row_tokens.contains(&w) {
                    found.push(Found {
                        start: s,
                        end: i,
                        kind: "IDENTIFIER",
                    });
                }
            }
        }
    }
    // Digit groups: phones, IDs, SSNs, dates, long numbers; ages over 89.
    for (s, e) in digit_groups(text) {
        let g = &text[s..e];
        if let Some(kind) = classify_digits(g) {
            found.push(Found {
                start: s,
                end: e,
                kind,
            });
            continue;
        }
        // Try the space-separated parts on their own.
        let mut off = s;
        for part in g.split(' ') {
            if let Some(kind) = classify_digits(part) {
                found.push(Found {
                    start: off,
                    end: off + part.len(),
                    kind,
                });
            }
            off += part.len() + 1;
        }
        if let Ok(age) = g.parse::<u32>() {
            let after = text[e..].to_lowercase();
            let after = after.trim_start_matches([' ', '-']);
            if (90..=130).contains(&age)
                && (after.starts_with("year")
                    || after.starts_with("yo")
                    || after.starts_with("y/o")
                    || after.starts_with("岁")
                    || after.starts_with("周岁"))
            {
                found.push(Found {
                    start: s,
                    end: e,
                    kind: "AGE",
                });
            }
        }
    }
    // Chinese dates 2024年3月1日 / 1980年.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c == '年'
            && k >= 4
            && chars[k - 4..k].iter().all(|(_, d)| d.is_ascii_digit())
            && (k < 5 || !chars[k - 5].1.is_ascii_digit())
        {
            let start = chars[k - 4].0;
            let mut end = i + c.len_utf8();
            let mut m = k + 1;
            while m < chars.len()
                && (chars[m].1.is_ascii_digit() || chars[m].1 == '月' || chars[m].1 == '日')
            {
                end = chars[m].0 + chars[m].1.len_utf8();
                m += 1;
            }
            found.push(Found {
                start,
                end,
                kind: "DATE",
            });
        }
    }
    // Merge overlaps (earliest start, longest span first).
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut merged: Vec<Found> = Vec::new();
    for f in found {
        match merged.last_mut() {
            Some(last) if f.start < last.end => last.end = last.end.max(f.end),
            _ => merged.push(f),
        }
    }
    merged
}

/// Replaces every identifier found in `text` by `[KIND]`; returns the text and the count.
pub fn scrub(text: &str, same_row: &[String], tokens: Option<&HashSet<String>>) -> (String, usize) {
    let found = find(text, same_row, tokens);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in &found {
        out.push_str(&text[at..f.start]);
        out.push('[');
        out.push_str(f.kind);
        out.push(']');
        at = f.end;
    }
    out.push_str(&text[at..]);
    (out, found.len())
}

/// Lower-case words (3+ letters or 4+ digits, not purely CJK) of identifier values, for [`find`].
pub fn identifier_tokens<'a>(values: impl Iterator<Item = &'a str>) -> HashSet<String> {
    identifier_words(values, 3)
}

/// Lower-case words of at least `min` letters (or 4 digits), not purely CJK.
fn identifier_words<'a>(values: impl Iterator<Item = &'a str>, min: usize) -> HashSet<String> {
    let mut set = HashSet::new();
    for v in values {
        for w in v.split(|c: char| !is_word_char(c)) {
            let digits = w.chars().all(|c| c.is_ascii_digit());
            let long_enough = if digits {
                w.len() >= 4
            } else {
                w.chars().count() >= min
            };
            if long_enough && !w.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                set.insert(w.to_lowercase());
            }
        }
    }
    set
}
