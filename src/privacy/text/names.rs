//! Person names. English: after a title or a relation/role cue ("Dr.", "son", "seen by"), before
//! a role ("…, MD", "… (granddaughter)"), or a capitalized word of the given-name or surname
//! lists that is not on the allow-list; a name runs on over capitalized words and surname
//! particles ("de la Fuente"). Chinese: a surname and one or two given characters after a cue
//! (患者, 家属, 医生, 姓名：) or before a title (先生, 女士, 主任).

use super::tokens::{is_cap, Kind};
use super::Cx;

/// Titles before a name.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "mx", "sir", "madam", "mme",
];
/// Words after which a capitalized word is a name.
const CUES: &[&str] = &[
    "son",
    "daughter",
    "wife",
    "husband",
    "mother",
    "father",
    "brother",
    "sister",
    "niece",
    "nephew",
    "grandson",
    "granddaughter",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "son-in-law",
    "daughter-in-law",
    "mother-in-law",
    "father-in-law",
    "sister-in-law",
    "brother-in-law",
    "stepson",
    "stepdaughter",
    "stepmother",
    "stepfather",
    "partner",
    "spouse",
    "fiance",
    "fiancee",
    "fiancé",
    "fiancée",
    "boyfriend",
    "girlfriend",
    "caregiver",
    "friend",
    "neighbor",
    "neighbour",
    "aunt",
    "uncle",
    "cousin",
    "guardian",
    "grandchild",
    "roommate",
    "pharmacist",
    "nurse",
    "rn",
    "np",
    "pa",
    "md",
    "attending",
    "resident",
    "fellow",
    "intern",
    "therapist",
    "chaplain",
    "interpreter",
    "coordinator",
    "manager",
    "physician",
    "surgeon",
    "doctor",
    "by",
    "with",
    "per",
    "called",
    "contacted",
    "paged",
    "notified",
    "informed",
    "signed",
    "cosigned",
    "witnessed",
    "dictated",
    "dict",
    "transcribed",
    "w",
    "cc",
    "hcp",
    "poa",
    "proxy",
    "named",
    "name",
    "patient",
    "pt",
    "mom",
    "dad",
    "kids",
    "children",
    "child",
    "sibling",
    "colleague",
    "provider",
    "pcp",
    "dentist",
    "counselor",
    "counsellor",
    "worker",
    "cardiologist",
    "oncologist",
    "neurologist",
    "nephrologist",
    "surgeon",
    "anesthesiologist",
    "radiologist",
    "psychiatrist",
    "psychologist",
    "dietitian",
    "midwife",
    "aide",
    "sitter",
    "visitor",
    "contact",
    "emergency",
    "to",
    "from",
    "and",
    "or",
];
/// How many of [`CUES`] (the first ones) are family relations.
const FAMILY_CUES: usize = 42;
/// Roles written after a name ("Jane Roe, MD").
const ROLES_AFTER: &[&str] = &[
    "MD", "DO", "RN", "NP", "PA", "PA-C", "PhD", "PharmD", "LPN", "CNA", "DDS", "APRN", "CRNA",
    "MSW", "LCSW", "DNP", "FNP", "BSN", "MBBS", "FACP", "FACC",
];
/// Surname particles ("de la Fuente", "van der Berg").
const PARTICLES: &[&str] = &[
    "de", "la", "del", "della", "van", "der", "den", "von", "da", "di", "du", "le", "dos", "das",
    "ten", "ter", "bin", "al", "el", "y", "mac", "st",
];
/// Relation words written in parentheses after a name ("Ann (daughter)"): the family cues (the
/// first [`FAMILY_CUES`] of [`CUES`]) and these.
const RELATIONS_AFTER: &[&str] = &["hcp", "poa", "mom", "dad"];

fn base(w: &str) -> String {
    let l = w.to_lowercase();
    l.strip_suffix("'s")
        .or_else(|| l.strip_suffix("’s"))
        .map(String::from)
        .unwrap_or(l)
}

impl Cx<'_> {
    /// A capitalized word that could be a name: capitalized, not on the allow-list.
    fn could_be_name(&self, i: usize) -> bool {
        let t = &self.toks[i];
        t.kind == Kind::Word
            && is_cap(self.w(i))
            && !self.lex.allow.contains(&base(self.w(i)))
            && !self.in_code(i)
    }

    /// Is the word part of a code of letters and digits ("SpO2", "HbA1c")?
    fn in_code(&self, i: usize) -> bool {
        let t = &self.toks[i];
        (i > 0 && self.toks[i - 1].kind == Kind::Num && self.toks[i - 1].e == t.s)
            || (i + 1 < self.toks.len()
                && self.toks[i + 1].kind == Kind::Num
                && self.toks[i + 1].s == t.e)
    }

    /// A capitalized surname of the lists even if it is also a common or clinical word
    /// ("Murphy", "Ward"), unless used as an eponym ("Murphy's sign").
    fn listed_surname(&self, i: usize) -> bool {
        let w = self.w(i);
        is_cap(w)
            && !w.ends_with("'s")
            && !w.ends_with("’s")
            && !self.in_code(i)
            && self.lex.surnames.contains(&w.to_lowercase())
            && super::dates::month(w).is_none()
            && !self.next_is(i + 1, "-")
    }

    fn in_lists(&self, i: usize) -> bool {
        let b = base(self.w(i));
        self.lex.given.contains(&b) || self.lex.surnames.contains(&b)
    }

    /// The previous word before `i`, skipping `,`, `:`, `(`, `/` and a title's `.`.
    fn cue_before(&self, i: usize) -> Option<String> {
        let mut j = i;
        while j > 0 {
            j -= 1;
            let t = &self.toks[j];
            match t.kind {
                // A period is skipped only after a title or an initial ("Dr.", "J."), not
                // across the end of a sentence.
                Kind::Punct if self.w(j) == "." => {
                    let title = j >= 1
                        && self.toks[j - 1].kind == Kind::Word
                        && (TITLES.contains(&self.w(j - 1).to_lowercase().as_str())
                            || self.w(j - 1).chars().count() == 1);
                    if !title {
                        return None;
                    }
                }
                Kind::Punct if matches!(self.w(j), "," | ":" | "(" | "/" | "-") => continue,
                Kind::Word => return Some(self.w(j).to_lowercase()),
                _ => return None,
            }
        }
        None
    }

    /// A role or relation after the name ending at token `i`.
    fn role_after(&self, i: usize) -> bool {
        let mut j = i + 1;
        if self.next_is(j, ",") {
            j += 1;
        }
        if j < self.toks.len() && ROLES_AFTER.contains(&self.w(j)) {
            return true;
        }
        self.next_is(i + 1, "(") && i + 2 < self.toks.len() && {
            let w = self.w(i + 2).to_lowercase();
            CUES[..FAMILY_CUES].contains(&w.as_str()) || RELATIONS_AFTER.contains(&w.as_str())
        }
    }

    /// Extends a name starting at token `i` over capitalized words, particles and initials.
    fn name_end(&self, i: usize) -> usize {
        let mut end = i;
        let mut j = i + 1;
        while j < self.toks.len() && j <= end + 3 {
            let w = self.w(j);
            let t = &self.toks[j];
            if t.kind == Kind::Word && (self.could_be_name(j) || self.listed_surname(j)) {
                end = j;
                j += 1;
            } else if t.kind == Kind::Word && PARTICLES.contains(&w.to_lowercase().as_str()) {
                j += 1;
            } else if w == "."
                && self.w(j - 1).chars().count() <= 2
                && (j - 1 > i || self.w(j - 1) == "St")
            {
                j += 1; // an initial or "St."
            } else if t.kind == Kind::Word
                && w.chars().count() == 1
                && w.chars().all(char::is_uppercase)
            {
                j += 1; // a middle initial
            } else {
                break;
            }
        }
        end
    }

    /// English names over the tokens.
    pub(crate) fn english_names(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            if self.toks[i].kind != Kind::Word {
                i += 1;
                continue;
            }
            let cue = self.cue_before(i);
            let after_title = cue.as_deref().is_some_and(|c| TITLES.contains(&c));
            let after_cue = after_title || cue.as_deref().is_some_and(|c| CUES.contains(&c));
            let lw = self.w(i).to_lowercase();
            // "Dr. de la Fuente": a particle right after a title.
            let strong = after_title
                || cue.as_deref().is_some_and(|c| {
                    CUES.contains(&c)
                        && !matches!(
                            c,
                            "to" | "from"
                                | "and"
                                | "or"
                                | "with"
                                | "per"
                                | "name"
                                | "contact"
                                | "emergency"
                                | "patient"
                                | "pt"
                        )
                });
            let start_particle = strong
                && PARTICLES.contains(&lw.as_str())
                && (i + 1..(i + 3).min(n)).any(|j| self.could_be_name(j));
            // After a title or a family relation even a common word is a name ("son Will").
            let family = cue.as_deref().is_some_and(|c| {
                TITLES.contains(&c)
                    || (CUES
                        .iter()
                        .position(|x| *x == c)
                        .is_some_and(|p| p < FAMILY_CUES))
            });
            let forced = family
                && is_cap(self.w(i))
                && !self.in_code(i)
                && super::dates::month(self.w(i)).is_none()
                && !self.lex.allow.contains(&base(self.w(i)))
                || (after_title && is_cap(self.w(i)) && !self.in_code(i));
            if !(self.could_be_name(i) || start_particle || forced) {
                i += 1;
                continue;
            }
            let weak_cue = matches!(
                cue.as_deref(),
                Some(
                    "to" | "from"
                        | "and"
                        | "or"
                        | "with"
                        | "per"
                        | "name"
                        | "contact"
                        | "emergency"
                        | "patient"
                        | "pt"
                )
            );
            let listed = self.in_lists(i);
            let start = self.sentence_start(i);
            let end = self.name_end(i);
            let is_name = forced
                || after_title
                || start_particle
                || (after_cue && !weak_cue)
                || (after_cue && weak_cue && (listed || end > i))
                || (listed && !start)
                || (listed && start && (end > i || self.lex.given.contains(&base(self.w(i)))))
                || self.role_after(end);
            if is_name {
                let (s, e) = (self.toks[i].s, self.toks[end].e);
                // A possessive stays outside: "Smith's" -> "[NAME]'s".
                let text = self.text;
                let word = &text[self.toks[end].s..e];
                let e = if word.ends_with("'s") || word.ends_with("’s") {
                    e - if word.ends_with("'s") {
                        2
                    } else {
                        "’s".len()
                    }
                } else {
                    e
                };
                self.push(s, e, "NAME");
                i = end + 1;
            } else {
                i += 1;
            }
        }
    }

    /// Chinese names: a surname and 1–2 given characters after a cue or before a title.
    pub(crate) fn chinese_names(&mut self) {
        const CUES_ZH: &[&str] = &[
            "患者",
            "病人",
            "家属",
            "医生",
            "医师",
            "护士",
            "主任",
            "之子",
            "之女",
            "儿子",
            "女儿",
            "丈夫",
            "妻子",
            "爱人",
            "老伴",
            "母亲",
            "父亲",
            "哥哥",
            "姐姐",
            "弟弟",
            "妹妹",
            "孙子",
            "孙女",
            "女婿",
            "儿媳",
            "姓名",
            "联系人",
            "签字人",
            "监护人",
            "陪护",
            "家人",
            "患儿",
            "其子",
            "其女",
            "其夫",
            "其妻",
            "代诉人",
            "朋友",
            "同事",
            "邻居",
            "护士长",
            "医师签名",
            "签名",
            "记录人",
            "主诉人",
            "委托人",
            "被委托人",
            "亲属",
            "外孙",
            "外孙女",
            "侄子",
            "侄女",
        ];
        const TITLES_ZH: &[&str] = &[
            "先生",
            "女士",
            "小姐",
            "医生",
            "医师",
            "护士",
            "主任",
            "大夫",
            "老师",
            "教授",
            "院长",
            "阿姨",
            "大爷",
            "奶奶",
            "爷爷",
            "同志",
            "老先生",
            "老太太",
            "师傅",
            "护士长",
        ];
        let text = self.text;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        if !chars.iter().any(|(_, c)| super::tokens::is_cjk(*c)) {
            return;
        }
        let at = |k: usize| chars.get(k).map_or(text.len(), |x| x.0);
        let is_cjk = |k: usize| chars.get(k).is_some_and(|x| super::tokens::is_cjk(x.1));
        let mut k = 0;
        while k < chars.len() {
            // After a cue word.
            let rest = &text[chars[k].0..];
            let cue = CUES_ZH
                .iter()
                .filter(|c| rest.starts_with(**c))
                .max_by_key(|c| c.len());
            // A title word after a name ("陈明主任查房") is a title, not a cue.
            let titled = cue.is_some_and(|c| TITLES_ZH.contains(c))
                && k >= 1
                && (1..=4).any(|len| {
                    k >= len
                        && (0..len).all(|x| is_cjk(k - len + x))
                        && self
                            .cn_surname_len(&chars, k - len)
                            .is_some_and(|sl| sl <= len)
                });
            if let Some(cue) = cue.filter(|_| !titled) {
                let mut m = k + cue.chars().count();
                while m < chars.len() && matches!(chars[m].1, '：' | ':' | ' ' | '为' | '是') {
                    m += 1;
                }
                if let Some(len) = self.cn_name_at(&chars, m) {
                    self.push(at(m), at(m + len), "NAME");
                    k = m + len;
                    continue;
                }
            }
            // Before a title: the longest surname-led run of 1–3 characters.
            if let Some(t) = TITLES_ZH.iter().find(|t| rest.starts_with(**t)) {
                for len in [4, 3, 2, 1] {
                    if k < len {
                        continue;
                    }
                    let s = k - len;
                    if (0..len).all(|x| is_cjk(s + x))
                        && self.cn_surname_len(&chars, s).is_some_and(|sl| sl <= len)
                    {
                        self.push(at(s), at(k), "NAME");
                        break;
                    }
                }
                k += t.chars().count();
                continue;
            }
            k += 1;
        }
    }

    fn cn_surname_len(&self, chars: &[(usize, char)], k: usize) -> Option<usize> {
        let two: String = chars.iter().skip(k).take(2).map(|x| x.1).collect();
        if two.chars().count() == 2 && self.lex.cn_surnames.contains(&two) {
            return Some(2);
        }
        let one: String = chars.get(k).map(|x| x.1.to_string())?;
        self.lex.cn_surnames.contains(&one).then_some(1)
    }

    /// A Chinese name starting at char `k`: its length in characters.
    fn cn_name_at(&self, chars: &[(usize, char)], k: usize) -> Option<usize> {
        /// Characters that end a name rather than continue it.
        const STOP: &str = "诉说称的于因今签陪代电住现男女主查护医先已是和及等为入出行无在来去自同表要系之也又对到把被给向从均共年月日岁周术病患家与或诊复门随告知口述，。、；：（）() 0123456789";
        /// Words that follow a cue but are not names ("主任查房", "医生建议").
        const COMMON: &[&str] = &[
            "查房", "查体", "建议", "认为", "会诊", "同意", "签字", "交代", "诊断", "意见", "指示",
            "说明", "告知", "陪同", "探视", "随访", "在场", "表示", "要求", "同时", "立即", "及时",
            "联系", "电话", "住院", "门诊", "复查", "病情", "治疗", "手术", "检查", "安排", "确认",
            "签名", "记录", "患者", "家属", "张口", "高热", "高血", "常规", "于今", "曾因", "周身",
            "全身", "明显", "明确", "白细", "钱币", "余下", "双侧", "方案", "江湖",
        ];
        let two: String = chars.iter().skip(k).take(2).map(|x| x.1).collect();
        if COMMON.contains(&two.as_str()) {
            return None;
        }
        let sl = self.cn_surname_len(chars, k)?;
        let ok = |m: usize| {
            chars
                .get(m)
                .is_some_and(|x| super::tokens::is_cjk(x.1) && !STOP.contains(x.1))
        };
        if !ok(k + sl) {
            return None;
        }
        Some(if ok(k + sl + 1) { sl + 2 } else { sl + 1 })
    }
}
