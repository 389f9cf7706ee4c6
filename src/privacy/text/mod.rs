//! Free-text scrubbing: find identifiers inside notes (English and Chinese) and replace each by
//! a tag naming its category (`[NAME]`, `[DATE]`, `[ZIP]`, `[ADDRESS]`, `[PHONE]`, `[EMAIL]`,
//! `[URL]`, `[IP]`, `[ID]`, `[SSN]`, `[DEVICE]`, `[AGE]`). See docs/notes.md.
//!
//! Found by pattern (`patterns`, `dates`, `places`), by name lists and context (`names`, with
//! the public-domain lists of data/lexicon compiled in), and by look-up of the record's own
//! identifier values (anywhere in the same row's note) and of every row's values that are names
//! or long identifiers (never common words or short numbers that could be measurements).
//!
//! ```
//! let (out, n) = bedside::privacy::text::scrub("Call Ada Brook at 617-555-0123 or 13812345678.", &["Ada Brook".into()], None);
//! assert_eq!(out, "Call [NAME] at [PHONE] or [PHONE].");
//! assert_eq!(n, 3);
//! ```

mod dates;
mod lexicon;
mod names;
mod patterns;
mod places;
pub mod review;
mod tokens;

use std::collections::{BTreeMap, HashSet};
use tokens::{is_cap, is_cjk, Kind, Tok};

/// An identifier found in a text: byte range and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: &'static str,
}

/// Every category a replacement tag can name.
pub const CATEGORIES: &[&str] = &[
    "NAME", "DATE", "AGE", "ADDRESS", "ZIP", "PHONE", "EMAIL", "URL", "IP", "ID", "SSN", "DEVICE",
];

/// Priority of each of [`CATEGORIES`] when two spans cover the same text.
const PRIORITY: &[u8] = &[5, 6, 4, 3, 4, 7, 9, 8, 8, 1, 7, 6];

/// What becomes of a date in a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateMode {
    /// `[DATE]`.
    Tag,
    /// Only the year stays (`2023`, `2023年`); a date without a year becomes `[DATE]`.
    Year,
    /// Moved by this many days (written `2023-04-09`, `2023年4月9日`); a date without a year
    /// becomes `[DATE]`.
    Shift(i64),
}

/// The scanning state over one note.
pub(crate) struct Cx<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    lex: &'static lexicon::Lexicon,
    found: Vec<Found>,
    cities: &'a HashSet<String>,
    city_words: usize,
}

impl<'a> Cx<'a> {
    fn w(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.text[t.s..t.e]
    }
    fn push(&mut self, start: usize, end: usize, kind: &'static str) {
        if start < end {
            self.found.push(Found { start, end, kind });
        }
    }
    fn next_is(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.w(i) == s
    }
    /// Does token `i` start a sentence (text start, line start, after . ! ? ; : or a bullet)?
    fn sentence_start(&self, i: usize) -> bool {
        if i == 0 || self.toks[i].line_start {
            return true;
        }
        let p = self.w(i - 1);
        if matches!(
            p,
            "!" | "?" | ";" | ":" | "-" | "*" | "•" | "。" | "：" | "\"" | "("
        ) {
            return true;
        }
        // A period ends a sentence unless it ends a title or an initial ("Dr.", "J.").
        p == "."
            && !(i >= 2
                && self.toks[i - 2].kind == Kind::Word
                && (self.w(i - 2).chars().count() == 1
                    || matches!(
                        self.w(i - 2).to_lowercase().as_str(),
                        "dr" | "mr" | "mrs" | "ms" | "prof" | "st" | "mx"
                    )))
    }
}

/// Identifier values of the whole table prepared for look-up in notes.
#[derive(Debug, Default, Clone)]
pub struct Scrubber {
    /// Lower-case name words (3+ letters, not common or clinical words) of any row.
    name_words: HashSet<String>,
    /// Chinese names of any row.
    cn_names: HashSet<String>,
    /// Lower-case long identifiers (record numbers, e-mails) of any row.
    long_ids: HashSet<String>,
    /// City values of the data, as written.
    cities: HashSet<String>,
    city_words: usize,
    /// Every word of every identifier value (lower-case), to keep them out of the review list.
    all_words: HashSet<String>,
    max_cn: usize,
}

/// The category of an identifier value by its shape (`city` when it came from a city column).
fn value_category(v: &str, city: bool) -> &'static str {
    use crate::privacy::detect::{is_cn_mobile, is_email, is_phone};
    let v = v.trim();
    if is_email(v) {
        "EMAIL"
    } else if is_phone(v) || is_cn_mobile(v) {
        "PHONE"
    } else if crate::table::csv::parse_date(v).is_some()
        || dates::parse(v).is_some_and(|p| p.year.is_some() && p.month.is_some())
            && v.chars().any(|c| c.is_ascii_digit())
    {
        "DATE"
    } else if city {
        "ADDRESS"
    } else if v.chars().any(is_cjk) {
        if v.chars().count() <= 4 && v.chars().all(is_cjk) {
            "NAME"
        } else {
            "ADDRESS"
        }
    } else if v.chars().all(|c| c.is_alphabetic() || " .'-’".contains(c)) {
        "NAME"
    } else if v.contains(' ') && v.chars().any(char::is_alphabetic) {
        "ADDRESS"
    } else {
        "ID"
    }
}

/// Is a column header one of cities or towns (so its values are places, not names)?
fn city_header(h: &str) -> bool {
    let l = h.to_lowercase();
    [
        "city",
        "town",
        "municipality",
        "county",
        "城市",
        "市",
        "县",
        "区",
    ]
    .iter()
    .any(|k| l.contains(k))
}

impl Scrubber {
    /// From identifier values without column names (every name-like value is taken for a name).
    pub fn new<'a>(values: impl Iterator<Item = &'a str>) -> Scrubber {
        let mut s = Scrubber::default();
        for v in values {
            s.add(v, false);
        }
        s
    }

    /// From identifier columns: (header, values). City columns feed the place look-up.
    pub fn with_columns<'a>(
        columns: impl Iterator<Item = (&'a str, &'a [Option<String>])>,
    ) -> Scrubber {
        let mut s = Scrubber::default();
        for (h, vals) in columns {
            let city = city_header(h);
            for v in vals.iter().flatten() {
                s.add(v, city);
            }
        }
        s
    }

    fn add(&mut self, v: &str, city: bool) {
        let lex = lexicon::get();
        let v = v.trim();
        if v.chars().count() < 2 {
            return;
        }
        for w in v.split(|c: char| !(c.is_alphanumeric())) {
            if !w.is_empty() {
                self.all_words.insert(w.to_lowercase());
            }
        }
        match value_category(v, city) {
            "ADDRESS" if city || !v.chars().any(|c| c.is_ascii_digit()) => {
                if v.chars().any(is_cjk) {
                    self.cn_names.insert(v.to_string());
                    self.max_cn = self.max_cn.max(v.chars().count());
                } else if v.chars().next().is_some_and(char::is_uppercase) {
                    self.city_words = self.city_words.max(v.split(' ').count());
                    self.cities.insert(v.to_string());
                }
            }
            "NAME" => {
                if v.chars().any(is_cjk) {
                    self.cn_names.insert(v.to_string());
                    self.max_cn = self.max_cn.max(v.chars().count());
                } else {
                    for w in v.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-')) {
                        let l = w.to_lowercase();
                        if w.chars().count() >= 3
                            && !lex.allow.contains(&l)
                            && dates::month(w).is_none()
                        {
                            self.name_words.insert(l);
                        }
                    }
                }
            }
            "ID" | "EMAIL" => {
                let l = v.to_lowercase();
                let digits = l.bytes().filter(u8::is_ascii_digit).count();
                let letters = l.bytes().filter(u8::is_ascii_alphabetic).count();
                if l.contains('@') || (l.len() >= 6 && digits >= 4 && letters > 0) || digits >= 7 {
                    self.long_ids.insert(l);
                }
            }
            _ => {}
        }
    }

    /// Identifiers in `text`; `same_row` are the values of this record's identifier columns.
    pub fn find(&self, text: &str, same_row: &[String]) -> Vec<Found> {
        self.find_all(text, same_row).0
    }

    /// Identifiers in `text` and the capitalized words kept that are neither on the allow-list
    /// nor replaced ("possible names kept", for a human to review).
    pub fn find_all(&self, text: &str, same_row: &[String]) -> (Vec<Found>, Vec<String>) {
        let lex = lexicon::get();
        let mut cx = Cx {
            text,
            toks: tokens::tokens(text),
            lex,
            found: Vec::new(),
            cities: &self.cities,
            city_words: self.city_words,
        };
        self.same_row(&mut cx, same_row);
        cx.emails_urls();
        cx.chunks();
        cx.numbers();
        cx.dates();
        cx.chinese_dates();
        cx.places();
        cx.chinese_addresses();
        self.cross_row(&mut cx);
        cx.english_names();
        cx.chinese_names();
        // Ages written after a name ("Ms. Reed, 92,") need the names: a second look.
        cx.numbers_after_names();
        let found = merge(cx.found.clone());
        let possible = possible_names(&cx, &found, &self.all_words);
        (found, possible)
    }

    fn same_row(&self, cx: &mut Cx, same_row: &[String]) {
        let text = cx.text;
        let lower = text.to_ascii_lowercase();
        for v in same_row {
            let v = v.trim();
            if v.chars().count() < 2 {
                continue;
            }
            // A short number (an age, a year) is never looked up: it could be a measurement.
            let digits_only = v.bytes().all(|b| b.is_ascii_digit());
            if digits_only && v.len() < 6 {
                continue;
            }
            let kind = value_category(v, self.cities.contains(v));
            let lv = v.to_ascii_lowercase();
            // The whole value anywhere, even inside a word: the output never holds it.
            for (p, _) in lower.match_indices(&lv) {
                cx.push(p, p + lv.len(), kind);
            }
            if kind == "NAME" && !v.chars().any(is_cjk) {
                // Each word of the record's own name, as a word; a common word only capitalized.
                for w in v.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-')) {
                    if w.chars().count() < 2 {
                        continue;
                    }
                    let lw = w.to_lowercase();
                    let common = cx.lex.allow.contains(&lw) || dates::month(w).is_some();
                    for i in 0..cx.toks.len() {
                        if cx.toks[i].kind == Kind::Word {
                            let t = cx.w(i);
                            let base = t.strip_suffix("'s").unwrap_or(t);
                            if base.to_lowercase() == lw && (!common || is_cap(base)) {
                                let s = cx.toks[i].s;
                                cx.push(s, s + base.len(), "NAME");
                            }
                        }
                    }
                }
            }
        }
    }

    fn cross_row(&self, cx: &mut Cx) {
        let n = cx.toks.len();
        for i in 0..n {
            let t = cx.toks[i];
            if t.kind == Kind::Word && !self.name_words.is_empty() {
                let w = cx.w(i);
                let base = w.strip_suffix("'s").unwrap_or(w);
                if is_cap(base) && self.name_words.contains(&base.to_lowercase()) {
                    // Not an eponym in use ("Wilson's disease" stays when Wilson is allowed).
                    cx.push(t.s, t.s + base.len(), "NAME");
                }
            }
        }
        if !self.long_ids.is_empty() {
            let text = cx.text;
            let mut start = None;
            for (i, c) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                let part =
                    c.is_ascii_alphanumeric() || c == '-' || c == '@' || c == '.' || c == '_';
                if part {
                    start.get_or_insert(i);
                } else if let Some(s) = start.take() {
                    let w = text[s..i].trim_end_matches(['.', '-']);
                    if w.len() >= 6 && self.long_ids.contains(&w.to_ascii_lowercase()) {
                        cx.push(s, s + w.len(), if w.contains('@') { "EMAIL" } else { "ID" });
                    }
                }
            }
        }
        if !self.cn_names.is_empty() {
            let chars: Vec<(usize, char)> = cx.text.char_indices().collect();
            for k in 0..chars.len() {
                if !is_cjk(chars[k].1) {
                    continue;
                }
                for len in (2..=self.max_cn.min(chars.len() - k)).rev() {
                    let e = chars.get(k + len).map_or(cx.text.len(), |x| x.0);
                    let s = &cx.text[chars[k].0..e];
                    if self.cn_names.contains(s) {
                        let kind = if len > 4 { "ADDRESS" } else { "NAME" };
                        cx.push(chars[k].0, e, kind);
                        break;
                    }
                }
            }
        }
    }
}

impl Cx<'_> {
    fn numbers_after_names(&mut self) {
        let before = self.found.len();
        let names: Vec<usize> = self
            .found
            .iter()
            .filter(|f| f.kind == "NAME")
            .map(|f| f.end)
            .collect();
        if names.is_empty() {
            return;
        }
        for i in 0..self.toks.len() {
            let t = self.toks[i];
            if t.kind == Kind::Num && t.e - t.s <= 3 {
                let age: u32 = self.w(i).parse().unwrap_or(0);
                let after_name = names
                    .iter()
                    .any(|&e| e <= t.s && self.text[e..t.s].trim() == ",");
                if (90..=125).contains(&age) && after_name && self.text[t.e..].starts_with(',') {
                    self.push(t.s, t.e, "AGE");
                }
            }
        }
        let _ = before;
    }
}

/// Overlapping spans merged (earliest start, then longest); the merged span keeps the kind of
/// its longest part.
fn merge(mut found: Vec<Found>) -> Vec<Found> {
    // Of two spans over the same text the more specific kind wins (a date over a code).
    let rank = |k: &str| {
        CATEGORIES
            .iter()
            .position(|c| *c == k)
            .map_or(0, |p| PRIORITY[p])
    };
    found.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(rank(b.kind).cmp(&rank(a.kind)))
    });
    let mut merged: Vec<Found> = Vec::new();
    for f in found {
        match merged.last_mut() {
            Some(last) if f.start < last.end => {
                if f.end > last.end {
                    if f.end - f.start > last.end - last.start && f.start == last.start {
                        last.kind = f.kind;
                    }
                    last.end = f.end;
                }
            }
            _ => merged.push(f),
        }
    }
    merged
}

/// Capitalized words not replaced and not on the allow-list (nor month names nor words of the
/// data's own identifier values, which are looked up anyway).
fn possible_names(cx: &Cx, found: &[Found], id_words: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..cx.toks.len() {
        let t = cx.toks[i];
        if t.kind != Kind::Word || cx.sentence_start(i) {
            continue;
        }
        let w = cx.w(i);
        let base = w.strip_suffix("'s").unwrap_or(w);
        let l = base.to_lowercase();
        if is_cap(base)
            && base.chars().count() >= 3
            && !cx.lex.allow.contains(&l)
            && dates::month(base).is_none()
            && !id_words.contains(&l)
            && !found.iter().any(|f| f.start < t.e && t.s < f.end)
        {
            out.push(base.to_string());
        }
    }
    out
}

/// Text with each found span replaced by its tag (dates per `dates`), and the spans of the
/// replacements in the output.
pub fn replace(text: &str, found: &[Found], dates: DateMode) -> (String, Vec<Found>) {
    let mut out = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(found.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        let s = out.len();
        let orig = &text[f.start..f.end];
        let written = if f.kind == "DATE" {
            date_text(orig, dates)
        } else {
            None
        };
        match written {
            Some(w) => out.push_str(&w),
            None => {
                out.push('[');
                out.push_str(f.kind);
                out.push(']');
            }
        }
        spans.push(Found {
            start: s,
            end: out.len(),
            kind: f.kind,
        });
        at = f.end;
    }
    out.push_str(&text[at..]);
    (out, spans)
}

fn date_text(orig: &str, mode: DateMode) -> Option<String> {
    let zh = orig.contains('年') || orig.contains('月');
    let p = dates::parse(orig)?;
    match mode {
        DateMode::Tag => None,
        DateMode::Year => p
            .year
            .map(|y| if zh { format!("{y}年") } else { y.to_string() }),
        DateMode::Shift(days) => {
            use crate::privacy::ops::date::{civil_from_days, days_from_civil};
            let (y, m, d) = (p.year?, p.month?, p.day?);
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return None;
            }
            let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + days);
            Some(if zh {
                format!("{y}年{m}月{d}日")
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            })
        }
    }
}

/// Counts of found spans per category.
pub fn counts(found: &[Found]) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for f in found {
        *c.entry(f.kind).or_insert(0) += 1;
    }
    c
}

/// Finds identifiers in `text`. `same_row` are the values of the row's identifier columns;
/// `tokens` are look-up words of any row's identifier values ([`identifier_tokens`]).
pub fn find(text: &str, same_row: &[String], tokens: Option<&HashSet<String>>) -> Vec<Found> {
    let s = Scrubber::new(tokens.into_iter().flatten().map(String::as_str));
    s.find(text, same_row)
}

/// Replaces every identifier found in `text` by `[CATEGORY]`; returns the text and the count.
pub fn scrub(text: &str, same_row: &[String], tokens: Option<&HashSet<String>>) -> (String, usize) {
    let found = find(text, same_row, tokens);
    let (out, _) = replace(text, &found, DateMode::Tag);
    (out, found.len())
}

/// The look-up values of identifier values (whole values, as given to [`find`]'s `tokens`).
pub fn identifier_tokens<'a>(values: impl Iterator<Item = &'a str>) -> HashSet<String> {
    values
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}
