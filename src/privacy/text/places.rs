//! Geography smaller than a state: ZIP codes (5 or 9 digits) after a state or a ZIP cue, street
//! addresses (number + name + suffix, apartment), cities (before a state and ZIP, from the
//! gazetteer or the data's own city values, after "from"/"in"/"lives in", before "General" or
//! "Hospital"), and Chinese addresses (省/市/区/县 … 路/街 … 号/栋/单元/室).

use super::tokens::{is_cap, is_cjk, Kind};
use super::Cx;

const STREET_SUFFIX: &[&str] = &[
    "st",
    "street",
    "ave",
    "avenue",
    "av",
    "rd",
    "road",
    "dr",
    "drive",
    "ln",
    "lane",
    "blvd",
    "boulevard",
    "ct",
    "court",
    "way",
    "pl",
    "place",
    "ter",
    "terrace",
    "cir",
    "circle",
    "pkwy",
    "parkway",
    "hwy",
    "highway",
    "sq",
    "square",
    "trl",
    "trail",
    "loop",
    "row",
    "pike",
    "run",
];
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "unit",
    "suite",
    "ste",
    "#",
    "room",
    "rm",
    "fl",
    "floor",
    "bldg",
];
const PLACE_CUES: &[&str] = &[
    "from", "in", "to", "near", "at", "of", "lives", "moved", "resides", "visiting", "born",
];
const FACILITY: &[&str] = &[
    "General",
    "Hospital",
    "Clinic",
    "Medical",
    "Memorial",
    "Health",
    "County",
    "Regional",
    "Community",
    "Urgent",
    "Rehab",
    "Rehabilitation",
    "Nursing",
    "Manor",
    "Village",
];

impl Cx<'_> {
    fn is_state_at(&self, i: usize) -> Option<usize> {
        let w = self.w(i);
        if self.toks[i].kind == Kind::Word && w.len() == 2 && self.lex.state_codes.contains(w) {
            return Some(i);
        }
        // State names of one or two words.
        if self.toks[i].kind == Kind::Word && is_cap(w) {
            if self.lex.state_names.contains(w) {
                return Some(i);
            }
            if i + 1 < self.toks.len() {
                let two = &self.text[self.toks[i].s..self.toks[i + 1].e];
                if self.lex.state_names.contains(two) {
                    return Some(i + 1);
                }
            }
        }
        None
    }

    /// ZIP codes, streets, cities.
    pub(crate) fn places(&mut self) {
        let n = self.toks.len();
        for i in 0..n {
            let t = self.toks[i];
            // ZIP: 5 digits (+ -4) after a state or a ZIP cue.
            if t.kind == Kind::Num && t.e - t.s == 5 {
                let prev = (0..i)
                    .rev()
                    .find(|&j| !matches!(self.w(j), "," | ":" | "#"));
                let after_state = prev.is_some_and(|j| {
                    (j.saturating_sub(1)..=j).any(|s| self.is_state_at(s) == Some(j))
                });
                let after_cue = prev.is_some_and(|j| {
                    matches!(
                        self.w(j).to_lowercase().as_str(),
                        "zip" | "zipcode" | "code" | "postal" | "postcode"
                    )
                });
                if after_state || after_cue {
                    let mut e = t.e;
                    if i + 2 < n
                        && self.w(i + 1) == "-"
                        && self.toks[i + 2].kind == Kind::Num
                        && self.toks[i + 2].e - self.toks[i + 2].s == 4
                    {
                        e = self.toks[i + 2].e;
                    }
                    self.push(t.s, e, "ZIP");
                    // The city before the state ("Castroshire AZ 85975", "Riverton, AZ").
                    if let Some(j) = prev.filter(|_| after_state) {
                        let state_start = if self.is_state_at(j) == Some(j) {
                            j
                        } else {
                            j - 1
                        };
                        let mut k = state_start;
                        if k > 0 && self.w(k - 1) == "," {
                            k -= 1;
                        }
                        let mut city_start = None;
                        let mut c = k;
                        while c > 0
                            && k - c < 3
                            && self.toks[c - 1].kind == Kind::Word
                            && is_cap(self.w(c - 1))
                            && !STREET_SUFFIX.contains(&self.w(c - 1).to_lowercase().as_str())
                        {
                            c -= 1;
                            city_start = Some(c);
                        }
                        if let Some(c) = city_start {
                            self.push(self.toks[c].s, self.toks[k - 1].e, "ADDRESS");
                        }
                    }
                }
            }
            // Street: number + 1–3 capitalized words + suffix (+ unit).
            if t.kind == Kind::Num
                && t.e - t.s <= 6
                && (i == 0 || self.toks[i - 1].kind != Kind::Num)
            {
                let mut j = i + 1;
                let mut words = 0;
                while j < n
                    && words < 4
                    && self.toks[j].kind == Kind::Word
                    && (is_cap(self.w(j)) || self.w(j).chars().all(char::is_uppercase))
                {
                    let lw = self.w(j).to_lowercase();
                    words += 1;
                    if words >= 2 && STREET_SUFFIX.contains(&lw.as_str()) {
                        let mut e = j;
                        if self.next_is(e + 1, ".") {
                            e += 1;
                        }
                        // apartment / unit
                        let mut u = e + 1;
                        if self.next_is(u, ",") {
                            u += 1;
                        }
                        if u < n && UNIT_WORDS.contains(&self.w(u).to_lowercase().as_str()) {
                            let mut v = u + 1;
                            if self.next_is(v, ".") || self.next_is(v, "#") {
                                v += 1;
                            }
                            if v < n
                                && matches!(self.toks[v].kind, Kind::Num | Kind::Word)
                                && self.w(v).len() <= 5
                            {
                                e = v;
                            }
                        }
                        self.push(t.s, self.toks[e].e, "ADDRESS");
                        break;
                    }
                    j += 1;
                }
            }
            // Cities: gazetteer and the data's own values (up to the longest name's words).
            if t.kind == Kind::Word && is_cap(self.w(i)) {
                let mut best = None;
                for len in (1..=self.lex.city_words.max(self.city_words) + 1).rev() {
                    if i + len > n {
                        continue;
                    }
                    let s = &self.text[t.s..self.toks[i + len - 1].e];
                    if self.lex.cities.contains(s) || self.cities.contains(s) {
                        best = Some(i + len - 1);
                        break;
                    }
                }
                if let Some(e) = best {
                    let lw = self.w(i).to_lowercase();
                    let common = self.lex.allow.contains(&lw);
                    let cue = self
                        .cue_word_any(i)
                        .is_some_and(|c| PLACE_CUES.contains(&c.as_str()));
                    let from_data = self.cities.contains(&self.text[t.s..self.toks[e].e]);
                    if cue || (!common && (from_data || !self.sentence_start(i))) {
                        self.push(t.s, self.toks[e].e, "ADDRESS");
                    }
                }
                // "from Castroshire", "lives in Oakhaven": an unknown capitalized word after a place cue.
                let cue = self.cue_word_any(i);
                if cue.as_deref().is_some_and(|c| {
                    matches!(c, "from" | "in" | "near" | "resides" | "lives" | "moved")
                }) && !self.lex.allow.contains(&self.w(i).to_lowercase())
                    && super::dates::month(self.w(i)).is_none()
                    && self.toks[i - 1].kind == Kind::Word
                {
                    let mut e = i;
                    while e + 1 < n
                        && e < i + 2
                        && self.toks[e + 1].kind == Kind::Word
                        && is_cap(self.w(e + 1))
                        && !self.lex.allow.contains(&self.w(e + 1).to_lowercase())
                    {
                        e += 1;
                    }
                    self.push(t.s, self.toks[e].e, "ADDRESS");
                }
                // "Riverton General", "Oakhaven Clinic": the place before a facility word.
                if i + 1 < n
                    && FACILITY.contains(&self.w(i + 1))
                    && !self.lex.allow.contains(&self.w(i).to_lowercase())
                    && !FACILITY.contains(&self.w(i))
                {
                    self.push(t.s, t.e, "ADDRESS");
                }
            }
        }
    }

    fn cue_word_any(&self, i: usize) -> Option<String> {
        (i > 0 && self.toks[i - 1].kind == Kind::Word).then(|| self.w(i - 1).to_lowercase())
    }

    /// Chinese addresses: runs of place parts ending in 省/市/区/县/镇/乡/村 and a road with a
    /// number (路/街/大道/巷/弄 + N号), with building, unit and room.
    pub(crate) fn chinese_addresses(&mut self) {
        let text = self.text;
        let lex = self.lex;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        if !chars.iter().any(|x| is_cjk(x.1)) {
            return;
        }
        let at = |k: usize| chars.get(k).map_or(text.len(), |x| x.0);
        const ADMIN: &[&str] = &[
            "自治区",
            "自治州",
            "新区",
            "省",
            "市",
            "区",
            "县",
            "镇",
            "乡",
            "村",
            "街道",
        ];
        const ROAD: &[&str] = &["大道", "路", "街", "巷", "弄", "胡同", "道"];
        const AFTER_NUM: &[&str] = &[
            "号楼", "号院", "号", "栋", "幢", "座", "单元", "室", "楼", "层", "户",
        ];
        let n = chars.len();
        let s_at = |k: usize| -> &str { &text[at(k)..] };
        // Place part at k: 1–4 CJK chars + admin suffix, or a known place name (+ suffix).
        let place_part = |k: usize| -> Option<usize> {
            for len in 1..=4 {
                if k + len > n || !(k..k + len).all(|x| is_cjk(chars[x].1)) {
                    break;
                }
                let root = &text[at(k)..at(k + len)];
                for a in ADMIN {
                    if s_at(k + len).starts_with(a) {
                        let known = lex.cn_places.contains(root);
                        if known || len >= 2 {
                            return Some(len + a.chars().count());
                        }
                    }
                }
            }
            None
        };
        let road_part = |k: usize| -> Option<usize> {
            for len in 1..=4 {
                if k + len > n || !(k..k + len).all(|x| is_cjk(chars[x].1)) {
                    break;
                }
                for r in ROAD {
                    if s_at(k + len).starts_with(r) {
                        let mut m = k + len + r.chars().count();
                        let d0 = m;
                        while m < n && chars[m].1.is_ascii_digit() {
                            m += 1;
                        }
                        if m > d0 && s_at(m).starts_with('号') {
                            return Some(m + 1 - k);
                        }
                    }
                }
            }
            None
        };
        let mut k = 0;
        while k < n {
            // Try to start an address at k: place parts, then a road, then numbers.
            let mut m = k;
            let mut parts = 0;
            let mut known = false;
            // Start at a known place inside an unknown run ("现住浙江省" starts at 浙江).
            if let Some(len) = place_part(k) {
                let inner = (1..len).any(|j| {
                    (1..=3).any(|l| {
                        k + j + l <= n && lex.cn_places.contains(&text[at(k + j)..at(k + j + l)])
                    })
                });
                let root_known =
                    (1..=4).any(|l| k + l <= n && lex.cn_places.contains(&text[at(k)..at(k + l)]));
                if inner && !root_known {
                    k += 1;
                    continue;
                }
            }
            while let Some(len) = place_part(m) {
                known |=
                    (1..=4).any(|l| m + l <= n && lex.cn_places.contains(&text[at(m)..at(m + l)]));
                m += len;
                parts += 1;
            }
            let mut road = false;
            if let Some(len) = road_part(m) {
                m += len;
                road = true;
            } else if parts > 0 {
                // the road may follow after a short name
            }
            if road {
                // building / unit / room: digits + suffix, repeated
                loop {
                    let d0 = m;
                    while m < n && chars[m].1.is_ascii_digit() {
                        m += 1;
                    }
                    if m == d0 {
                        break;
                    }
                    if let Some(a) = AFTER_NUM.iter().find(|a| s_at(m).starts_with(**a)) {
                        m += a.chars().count();
                    } else {
                        m = d0;
                        break;
                    }
                }
            }
            if road || parts >= 2 || (parts == 1 && known) {
                self.push(at(k), at(m), "ADDRESS");
                k = m;
            } else {
                k += 1;
            }
        }
    }
}
