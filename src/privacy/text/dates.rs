//! Dates written in a note: month names ("April 5, 2023", "5 Apr 2023", "Sept. 3", "Dec-1979"),
//! numbers (2024-03-01, 3/1/2024, 4/5/23, 3.1.2024; "4/5" only after a date cue), Chinese
//! (2024年3月1日, 3月1日, 2024年3月). A month alone ("in May") and a year alone stay.

use super::tokens::Kind;
use super::Cx;

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month (1–12) a word names ("Sept", "Jan.", "MARCH").
pub(crate) fn month(w: &str) -> Option<u32> {
    let l = w.to_lowercase();
    if l.len() < 3 {
        return None;
    }
    if l == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == l || (l.len() == 3 && m.starts_with(&l)))
        .map(|p| p as u32 + 1)
}

/// Words before a short numeric date ("on 4/5", "since 3/2").
const DATE_CUES: &[&str] = &[
    "on",
    "since",
    "from",
    "until",
    "till",
    "dated",
    "seen",
    "admitted",
    "discharged",
    "dos",
    "doa",
    "dod",
    "dob",
    "born",
    "visit",
    "surgery",
    "date",
    "through",
    "thru",
    "and",
    "to",
    "by",
    "before",
    "after",
    "of",
    "f/u",
    "fu",
    "appt",
    "appointment",
    "due",
    "expires",
    "exp",
    "u",
    "dated",
    "last",
    "next",
    "planned",
    "scheduled",
    "done",
    "performed",
    "collected",
    "drawn",
    "started",
    "stopped",
    "held",
];
/// Words after "N/N" that make it a score, not a date.
const SCORE_WORDS: &[&str] = &[
    "strength",
    "murmur",
    "power",
    "motor",
    "reflexes",
    "reflex",
    "pain",
    "scale",
    "score",
    "tablets",
    "tabs",
    "tab",
    "caps",
    "doses",
    "sessions",
    "days",
    "weeks",
    "times",
    "systolic",
    "holosystolic",
    "diastolic",
    "sem",
    "mmhg",
    "mg",
    "ml",
    "strength.",
    "dtr",
    "dtrs",
    "grip",
];

/// A date's parts as written: year (4-digit), month, day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

fn year_of(s: &str) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    match s.len() {
        4 if (1850..=2150).contains(&y) => Some(y),
        2 => Some(if y <= 40 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

fn day_of(s: &str) -> Option<u32> {
    let d: u32 = s.parse().ok()?;
    (s.len() <= 2 && (1..=31).contains(&d)).then_some(d)
}

/// Reads the parts of a date span found by [`Cx::dates`] (for `keep: "year"` and shifting).
pub(crate) fn parse(s: &str) -> Option<Parts> {
    // Chinese
    if s.contains('月') || s.contains('年') {
        let mut nums = Vec::new();
        let mut cur = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                cur.push(c);
            } else {
                if !cur.is_empty() {
                    nums.push((std::mem::take(&mut cur), c));
                }
            }
        }
        let mut p = Parts {
            year: None,
            month: None,
            day: None,
        };
        for (n, unit) in nums {
            match unit {
                '年' => p.year = year_of(&n),
                '月' => p.month = n.parse().ok(),
                '日' | '号' => p.day = n.parse().ok(),
                _ => {}
            }
        }
        return (p.year.is_some() || p.month.is_some()).then_some(p);
    }
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let named = words.iter().find_map(|w| month(w));
    let nums: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches(|c: char| c.is_alphabetic()))
        .collect();
    if let Some(m) = named {
        let mut p = Parts {
            year: None,
            month: Some(m),
            day: None,
        };
        for n in nums {
            if n.len() == 4 {
                p.year = year_of(n);
            } else if p.day.is_none() && n.len() <= 2 {
                p.day = day_of(n);
            } else if n.len() == 2 {
                p.year = year_of(n);
            }
        }
        return Some(p);
    }
    match nums.as_slice() {
        [a, b, c] if a.len() == 4 => Some(Parts {
            year: year_of(a),
            month: b.parse().ok(),
            day: c.parse().ok(),
        }),
        [a, b, c] => {
            let (x, y): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
            // US order unless the first part cannot be a month; dotted dates are day.month.
            let (m, d) = if x > 12 || s.contains('.') {
                (y, x)
            } else {
                (x, y)
            };
            Some(Parts {
                year: year_of(c),
                month: Some(m),
                day: Some(d),
            })
        }
        [a, b] => Some(Parts {
            year: None,
            month: a.parse().ok(),
            day: b.parse().ok(),
        }),
        _ => None,
    }
}

impl Cx<'_> {
    fn num(&self, i: usize) -> Option<&str> {
        (self.toks.get(i)?.kind == Kind::Num).then(|| self.w(i))
    }

    fn tight(&self, a: usize, b: usize) -> bool {
        self.toks[a].e == self.toks[b].s
    }

    /// English and numeric dates over the tokens.
    pub(crate) fn dates(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let t = self.toks[i];
            // Month name: "April 5, 2023", "Apr. 5th", "April 2023", "Dec-1979".
            if t.kind == Kind::Word {
                let w = self.w(i);
                if month(w).is_some() && w.chars().next().is_some_and(char::is_uppercase) {
                    let mut j = i + 1;
                    if self.next_is(j, ".") {
                        j += 1;
                    }
                    if self.next_is(j, "-") {
                        j += 1;
                    }
                    let mut end = None;
                    if let Some(d) = self.num(j) {
                        if day_of(d).is_some() {
                            end = Some(j);
                            let mut k = j + 1;
                            if self
                                .toks
                                .get(k)
                                .is_some_and(|t| t.kind == Kind::Word && self.tight(j, k))
                                && matches!(self.w(k), "st" | "nd" | "rd" | "th")
                            {
                                end = Some(k);
                                k += 1;
                            }
                            if self.next_is(k, ",") || self.next_is(k, "-") {
                                k += 1;
                            }
                            if self
                                .num(k)
                                .is_some_and(|y| y.len() == 4 && year_of(y).is_some())
                            {
                                end = Some(k);
                            } else if self.next_is(k, "'")
                                && self.num(k + 1).is_some_and(|y| y.len() == 2)
                            {
                                end = Some(k + 1);
                            }
                        } else if d.len() == 4 && year_of(d).is_some() {
                            end = Some(j);
                        }
                    }
                    // "5 April 2023", "23-Jun-2021": a day before the month.
                    let mut start = i;
                    if i >= 1 {
                        let mut b = i - 1;
                        if self.w(b) == "-" && b >= 1 {
                            b -= 1;
                        }
                        if self.num(b).is_some_and(|d| day_of(d).is_some()) {
                            start = b;
                            if end.is_none() {
                                end = Some(i);
                                if self
                                    .num(j)
                                    .is_some_and(|y| y.len() == 4 && year_of(y).is_some())
                                {
                                    end = Some(j);
                                }
                            }
                        }
                    }
                    if let Some(e) = end {
                        self.push(self.toks[start].s, self.toks[e].e, "DATE");
                        i = e + 1;
                        continue;
                    }
                }
            }
            // Numbers joined by one separator: 2024-03-01, 3/1/24, 1.3.2024, 4/5 after a cue.
            if t.kind == Kind::Num
                && (i == 0
                    || !matches!(self.w(i - 1), "/" | "." | "-" | ":")
                    || !self.tight(i - 1, i))
            {
                let mut parts = vec![i];
                let mut sep = None;
                let mut j = i + 1;
                while j + 1 < n && parts.len() < 3 {
                    let s = self.w(j);
                    if matches!(s, "/" | "-" | ".")
                        && sep.is_none_or(|p| p == s)
                        && self.tight(j - 1, j)
                        && self.tight(j, j + 1)
                        && self.toks[j + 1].kind == Kind::Num
                    {
                        sep = Some(s);
                        parts.push(j + 1);
                        j += 2;
                    } else {
                        break;
                    }
                }
                let last = *parts.last().unwrap();
                // Not part of a longer run (a phone, a version, a ratio of three).
                let runs_on = last + 2 < n
                    && self.tight(last, last + 1)
                    && matches!(self.w(last + 1), "/" | "-" | "." | ":")
                    && self.toks[last + 2].kind == Kind::Num
                    && self.tight(last + 1, last + 2);
                let v: Vec<&str> = parts.iter().map(|&p| self.w(p)).collect();
                let is_date = !runs_on
                    && match v.as_slice() {
                        [y, m, d] if y.len() == 4 => {
                            year_of(y).is_some()
                                && m.len() <= 2
                                && day_of(d).is_some()
                                && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
                        }
                        [a, b, c] => {
                            let (x, y) = (
                                a.parse::<u32>().unwrap_or(99),
                                b.parse::<u32>().unwrap_or(99),
                            );
                            a.len() <= 2
                                && b.len() <= 2
                                && (c.len() == 4 || c.len() == 2)
                                && year_of(c).is_some()
                                && (1..=31).contains(&x)
                                && (1..=31).contains(&y)
                                && (x <= 12 || y <= 12)
                                && !(sep == Some(".") && c.len() == 2)
                        }
                        [a, b] if sep == Some("/") || sep == Some("-") => {
                            let (x, y) = (
                                a.parse::<u32>().unwrap_or(99),
                                b.parse::<u32>().unwrap_or(99),
                            );
                            let cue = self.cue_word(i);
                            let next = self
                                .toks
                                .get(last + 1)
                                .map(|_| self.w(last + 1).to_lowercase());
                            a.len() <= 2
                                && b.len() <= 2
                                && (1..=12).contains(&x)
                                && (1..=31).contains(&y)
                                && cue.is_some_and(|c| DATE_CUES.contains(&c.as_str()))
                                && !next.is_some_and(|w| SCORE_WORDS.contains(&w.as_str()))
                        }
                        _ => false,
                    };
                if is_date {
                    let s = if i > 0 && self.w(i - 1) == "(" {
                        self.toks[i].s
                    } else {
                        t.s
                    };
                    self.push(s, self.toks[last].e, "DATE");
                    i = last + 1;
                    continue;
                }
                i = last + 1;
                continue;
            }
            i += 1;
        }
    }

    /// The lower-case word before token `i`, skipping "(" and ":".
    fn cue_word(&self, i: usize) -> Option<String> {
        let mut j = i;
        while j > 0 {
            j -= 1;
            match self.w(j) {
                "(" | ":" | "," => continue,
                w if self.toks[j].kind == Kind::Word => return Some(w.to_lowercase()),
                _ => return None,
            }
        }
        None
    }

    /// Chinese dates: 2024年3月1日, 2024年3月, 3月1日 / 3月1号.
    pub(crate) fn chinese_dates(&mut self) {
        let text = self.text;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let at = |k: usize| chars.get(k).map_or(text.len(), |x| x.0);
        let digits = |mut k: usize| -> usize {
            let s = k;
            while k < chars.len() && chars[k].1.is_ascii_digit() {
                k += 1;
            }
            k - s
        };
        let mut k = 0;
        while k < chars.len() {
            if !chars[k].1.is_ascii_digit() || (k > 0 && chars[k - 1].1.is_ascii_digit()) {
                k += 1;
                continue;
            }
            let n = digits(k);
            let mut m = k + n;
            let unit = chars.get(m).map(|x| x.1);
            let mut end = None;
            if unit == Some('年') && (n == 4 || n == 2) {
                m += 1;
                let n2 = digits(m);
                if (1..=2).contains(&n2) && chars.get(m + n2).map(|x| x.1) == Some('月') {
                    m += n2 + 1;
                    end = Some(m);
                    let n3 = digits(m);
                    if (1..=2).contains(&n3)
                        && matches!(chars.get(m + n3).map(|x| x.1), Some('日' | '号'))
                    {
                        end = Some(m + n3 + 1);
                    }
                } else {
                    end = None; // a year alone stays, and "10年" is a duration
                }
            } else if unit == Some('月') && n <= 2 {
                let n3 = digits(m + 1);
                if (1..=2).contains(&n3)
                    && matches!(chars.get(m + 1 + n3).map(|x| x.1), Some('日' | '号'))
                {
                    end = Some(m + 1 + n3 + 1);
                }
            }
            if let Some(e) = end {
                self.push(at(k), at(e), "DATE");
                k = e;
            } else {
                k += n;
            }
        }
    }
}
