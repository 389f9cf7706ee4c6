//! The word lists compiled into the scrubber (data/lexicon/, see its README for sources and
//! licences), parsed once on first use.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Every list, as sets (English words lower-case; names as written in the lists).
pub(crate) struct Lexicon {
    /// Given names (US Census 1990), lower-case.
    pub given: HashSet<String>,
    /// The 20,000 most frequent US surnames (US Census 1990), lower-case.
    pub surnames: HashSet<String>,
    /// Words never taken for a name or a place on their own, lower-case.
    pub allow: HashSet<String>,
    /// US cities and towns, as written ("Salt Lake City").
    pub cities: HashSet<String>,
    /// The longest city name, in words.
    pub city_words: usize,
    /// US state postal codes ("AZ") and names ("New Mexico").
    pub state_codes: HashSet<String>,
    pub state_names: HashSet<String>,
    /// Chinese surnames: one and two characters.
    pub cn_surnames: HashSet<String>,
    /// Chinese provinces, regions and major cities (without 省/市).
    pub cn_places: HashSet<String>,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The lists (parsed on first call).
pub(crate) fn get() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let lower = |t: &str| -> HashSet<String> {
            lines(t)
                .flat_map(str::split_whitespace)
                .map(str::to_lowercase)
                .collect()
        };
        let cities: HashSet<String> = lines(include_str!("../../../data/lexicon/us_cities.txt"))
            .map(String::from)
            .collect();
        let states: Vec<(String, String)> =
            lines(include_str!("../../../data/lexicon/us_states.txt"))
                .filter_map(|l| l.split_once(' '))
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect();
        let cn = include_str!("../../../data/lexicon/cn_surnames.txt");
        let mut cn_surnames = HashSet::new();
        for l in lines(cn) {
            if l.contains(' ') {
                cn_surnames.extend(l.split_whitespace().map(String::from));
            } else {
                cn_surnames.extend(l.chars().map(String::from));
            }
        }
        Lexicon {
            given: lower(include_str!("../../../data/lexicon/given.txt")),
            surnames: lower(include_str!("../../../data/lexicon/surnames.txt")),
            allow: lower(include_str!("../../../data/lexicon/allow.txt")),
            city_words: cities
                .iter()
                .map(|c| c.split(' ').count())
                .max()
                .unwrap_or(1),
            cities,
            state_codes: states.iter().map(|(c, _)| c.clone()).collect(),
            state_names: states.into_iter().map(|(_, n)| n).collect(),
            cn_surnames,
            cn_places: lines(include_str!("../../../data/lexicon/cn_places.txt"))
                .flat_map(str::split_whitespace)
                .map(String::from)
                .collect(),
        }
    })
}
