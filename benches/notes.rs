//! `cargo bench --bench notes [-- N]`: recall per identifier category and clinical-string
//! retention of the notes scrubber on labelled synthetic notes (scripts/gen-notes.py, both the
//! `tune` and the `heldout` template sets, English and Chinese), time per 1,000 notes, and
//! Presidio's recall on the same notes when presidio-analyzer is installed
//! (benches/notes_presidio.py). A span counts as caught when every non-space character of it
//! is inside a replaced span; a clinical string counts as kept when no replaced span touches it.

use bedside::privacy::text::Scrubber;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

struct Note {
    lang: String,
    text: String,
    row: Vec<String>,
    /// (start, end, category), byte offsets.
    spans: Vec<(usize, usize, String)>,
    clinical: Vec<(usize, usize)>,
}

fn generate(split: &'static str, n: usize, path: &str) -> Vec<Note> {
    let out = Command::new("python3")
        .args([
            "scripts/gen-notes.py",
            "--split",
            split,
            "--n",
            &n.to_string(),
        ])
        .output()
        .expect("python3 scripts/gen-notes.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(path, &out.stdout).unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let text = v["text"].as_str().unwrap().to_string();
            // Character offsets -> byte offsets.
            let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            bytes.push(text.len());
            let at = |x: &Value| bytes[x.as_u64().unwrap() as usize];
            Note {
                lang: v["lang"].as_str().unwrap().into(),
                row: v["row"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
                spans: v["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        (
                            at(&s["start"]),
                            at(&s["end"]),
                            s["category"].as_str().unwrap().into(),
                        )
                    })
                    .collect(),
                clinical: v["clinical"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| (at(&s["start"]), at(&s["end"])))
                    .collect(),
                text,
            }
        })
        .collect()
}

type Counts = BTreeMap<String, (usize, usize)>;

fn score(
    notes: &[&Note],
    found: &[Vec<(usize, usize)>],
    recall: &mut Counts,
    clinical: &mut (usize, usize),
    misses: &mut Vec<String>,
) {
    for (n, f) in notes.iter().zip(found) {
        let covered = |i: usize| f.iter().any(|&(s, e)| s <= i && i < e);
        for (s, e, cat) in &n.spans {
            let c = recall.entry(cat.clone()).or_default();
            c.1 += 1;
            if n.text[*s..*e]
                .char_indices()
                .all(|(k, ch)| ch.is_whitespace() || covered(s + k))
            {
                c.0 += 1;
            } else if misses.len() < 400 {
                misses.push(format!("{cat}: {:?} in {:?}", &n.text[*s..*e], n.text));
            }
        }
        for &(s, e) in &n.clinical {
            clinical.1 += 1;
            if !f.iter().any(|&(a, b)| a < e && s < b) {
                clinical.0 += 1;
            } else if misses.len() < 400 {
                misses.push(format!(
                    "CLINICAL LOST: {:?} in {:?}",
                    &n.text[s..e],
                    n.text
                ));
            }
        }
    }
}

fn pct((a, b): (usize, usize)) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.3} ({a}/{b})", a as f64 / b as f64)
    }
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let verbose = std::env::var("NOTES_MISSES").is_ok();
    // `cargo test --all-targets` runs this file without `--bench`: a quick run of 100 notes per
    // set, without Presidio.
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full { n } else { n.min(100) };
    let mut all = Vec::new();
    for split in ["tune", "heldout", "fresh"] {
        let path = format!(
            "{}/bedside-notes-{split}.jsonl",
            std::env::temp_dir().display()
        );
        all.push((split, path.clone(), generate(split, n, &path)));
    }
    let mut total_time = 0.0;
    let mut total_notes = 0;
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut columns = Vec::new();
    let mut misses = Vec::new();
    // Primary: each note with its own record's identifier values only. With `NOTES_LOOKUP` set,
    // every record's values are looked up too (the generator's name pools are small, so that
    // look-up finds most names of the set and flatters recall).
    let lookup = std::env::var("NOTES_LOOKUP").is_ok();
    for (split, path, notes) in &all {
        let scrubber = if lookup {
            Scrubber::new(notes.iter().flat_map(|n| n.row.iter().map(String::as_str)))
        } else {
            Scrubber::new(std::iter::empty())
        };
        let t = Instant::now();
        let found: Vec<Vec<(usize, usize)>> = notes
            .iter()
            .map(|n| {
                scrubber
                    .find(&n.text, &n.row)
                    .into_iter()
                    .map(|f| (f.start, f.end))
                    .collect()
            })
            .collect();
        total_time += t.elapsed().as_secs_f64();
        total_notes += notes.len();
        for lang in ["en", "zh", "all"] {
            let idx: Vec<usize> = (0..notes.len())
                .filter(|&i| lang == "all" || notes[i].lang == lang)
                .collect();
            let sel: Vec<&Note> = idx.iter().map(|&i| &notes[i]).collect();
            let f: Vec<Vec<(usize, usize)>> = idx.iter().map(|&i| found[i].clone()).collect();
            let (mut recall, mut clinical) = (Counts::new(), (0, 0));
            let mut scratch = Vec::new();
            // Misses are printed for the tuning set only.
            let m = if lang == "all" && *split == "tune" {
                &mut misses
            } else {
                &mut scratch
            };
            score(&sel, &f, &mut recall, &mut clinical, m);
            columns.push(format!("bedside {split} {lang}"));
            let overall = recall.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            recall.insert("~overall".into(), overall);
            recall.insert("~clinical kept".into(), clinical);
            for (k, v) in recall {
                let col = table.entry(k).or_default();
                col.resize(columns.len() - 1, "-".into());
                col.push(pct(v));
            }
        }
        // Presidio on the same notes.
        if !full {
            continue;
        }
        let out = Command::new("python3")
            .args(["benches/notes_presidio.py", path])
            .output();
        let v: Value = out
            .ok()
            .and_then(|o| serde_json::from_slice(&o.stdout).ok())
            .unwrap_or(Value::Null);
        if let Some(rec) = v["recall"].as_object() {
            columns.push(format!("presidio {split} (en+zh)"));
            let mut overall = (0, 0);
            let mut rows: Vec<(String, (usize, usize))> = rec
                .iter()
                .map(|(k, c)| {
                    let c = (
                        c[0].as_u64().unwrap() as usize,
                        c[1].as_u64().unwrap() as usize,
                    );
                    overall = (overall.0 + c.0, overall.1 + c.1);
                    (k.clone(), c)
                })
                .collect();
            rows.push(("~overall".into(), overall));
            let cl = &v["clinical"];
            rows.push((
                "~clinical kept".into(),
                (
                    cl[0].as_u64().unwrap() as usize,
                    cl[1].as_u64().unwrap() as usize,
                ),
            ));
            for (k, c) in rows {
                let col = table.entry(k).or_default();
                col.resize(columns.len() - 1, "-".into());
                col.push(pct(c));
            }
            println!(
                "presidio {split}: {:.1} s for {} notes",
                v["seconds"].as_f64().unwrap_or(0.0),
                notes.len()
            );
        } else {
            println!(
                "presidio not run: {}",
                v["error"].as_str().unwrap_or("no output")
            );
        }
    }
    println!("\n| category | {} |", columns.join(" | "));
    println!("|---|{}", "---|".repeat(columns.len()));
    for (k, mut v) in table {
        v.resize(columns.len(), "-".into());
        println!("| {} | {} |", k.trim_start_matches('~'), v.join(" | "));
    }
    println!(
        "\nbedside: {:.1} ms per 1,000 notes ({} notes, native, this machine)",
        total_time * 1000.0 / total_notes as f64 * 1000.0,
        total_notes
    );
    if verbose {
        for m in &misses {
            println!("{m}");
        }
    }
}
