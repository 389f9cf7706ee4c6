//! Tokens of a note: words (letters with inner apostrophes and hyphens), numbers, single CJK
//! characters and single punctuation marks, as byte ranges; whitespace is skipped.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Num,
    Cjk,
    Punct,
}

/// One token: byte range, kind and whether a line break precedes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub s: usize,
    pub e: usize,
    pub kind: Kind,
    /// A line break (or the start of the text) comes before this token.
    pub line_start: bool,
}

/// Is `c` a CJK ideograph (the unified block and extension A)?
pub(crate) fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !is_cjk(c)
}

/// Splits `text` into tokens.
pub(crate) fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    let mut line_start = true;
    while k < chars.len() {
        let (i, c) = chars[k];
        if c.is_whitespace() {
            if c == '\n' || c == '\r' {
                line_start = true;
            }
            k += 1;
            continue;
        }
        let (kind, mut m) = if is_letter(c) {
            let mut m = k + 1;
            while m < chars.len() {
                let ch = chars[m].1;
                if is_letter(ch) {
                    m += 1;
                } else if matches!(ch, '\'' | '’' | '-')
                    && m + 1 < chars.len()
                    && is_letter(chars[m + 1].1)
                {
                    m += 2;
                } else {
                    break;
                }
            }
            (Kind::Word, m)
        } else if c.is_ascii_digit() {
            let mut m = k + 1;
            while m < chars.len() && chars[m].1.is_ascii_digit() {
                m += 1;
            }
            (Kind::Num, m)
        } else if is_cjk(c) {
            (Kind::Cjk, k + 1)
        } else {
            (Kind::Punct, k + 1)
        };
        m = m.min(chars.len());
        let e = chars.get(m).map_or(text.len(), |x| x.0);
        out.push(Tok {
            s: i,
            e,
            kind,
            line_start,
        });
        line_start = false;
        k = m;
    }
    out
}

/// Is this word capitalized like a name ("Smith", "O'Neil", "McAllister"; not "BP" or "smith")?
pub(crate) fn is_cap(w: &str) -> bool {
    let mut cs = w.chars();
    let Some(first) = cs.next() else {
        return false;
    };
    // The second letter is lower-case (or an apostrophe: "O'Neil"), so "NT-proBNP", "VASc" and
    // "BMs" are not names; at most three capitals ("MacDonald-Smith").
    let second = cs.next();
    first.is_uppercase()
        && second.is_some_and(|c| c.is_lowercase() || c == '\'' || c == '’')
        && w.chars().filter(|c| c.is_uppercase()).count() <= 3
}
