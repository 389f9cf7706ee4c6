//! A mutation fuzzer that runs on stable Rust: inputs from the corpus are mutated at random
//! (seeded) and fed to the CSV reader, the recipe parser and the whole run on small tables.
//! Nothing may panic. CI runs a short pass; a long run is
//! `BEDSIDE_FUZZ_ITERS=200000 cargo test --release --test all fuzz:: -- --nocapture`.
//! An input that panics is written to `tests/corpus/crashes/` (make it a corpus case).

use bedside::recipe::Recipe;
use bedside::table::csv::{read_csv, CsvOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn iterations(default: usize) -> usize {
    std::env::var("BEDSIDE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The random source of the file-format fuzz tests: seed 4 unless `BEDSIDE_FUZZ_SEED` says.
fn mutation_rng() -> ChaCha8Rng {
    let seed = std::env::var("BEDSIDE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    ChaCha8Rng::seed_from_u64(seed)
}

fn corpus_files(sub: &str, ext: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.to_string_lossy().ends_with(ext) && !p.to_string_lossy().ends_with(".expect.json")
    });
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

const INTERESTING: &[&[u8]] = &[
    b"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xFF",
    b"\xEF\xBB\xBF",
    b"NA",
    b"1e309",
    b"-",
    b"0",
    b"\"\"",
    b"1,5",
    b"9999999999999999999999",
    b"2024-02-30",
    b"\xE4\xB8",
];

/// One random mutation of `input`.
fn mutate(rng: &mut ChaCha8Rng, input: &mut Vec<u8>) {
    let len = input.len();
    match rng.gen_range(0..7) {
        0 if len > 0 => {
            let i = rng.gen_range(0..len);
            input[i] = rng.gen();
        }
        1 => {
            let i = rng.gen_range(0..=len);
            let piece = INTERESTING[rng.gen_range(0..INTERESTING.len())];
            input.splice(i..i, piece.iter().copied());
        }
        2 if len > 0 => {
            let a = rng.gen_range(0..len);
            let b = (a + rng.gen_range(1..=16)).min(len);
            input.drain(a..b);
        }
        3 if len > 0 => {
            let a = rng.gen_range(0..len);
            let b = (a + rng.gen_range(1..=64)).min(len);
            let chunk: Vec<u8> = input[a..b].to_vec();
            let at = rng.gen_range(0..=input.len());
            input.splice(at..at, chunk);
        }
        4 if len > 0 => input.truncate(rng.gen_range(0..len)),
        5 => {
            let i = rng.gen_range(0..=len);
            const BYTES: &[u8] = b"0123456789,;\"\n.-eE ";
            input.insert(i, BYTES[rng.gen_range(0..BYTES.len())]);
        }
        _ => input.reverse(),
    }
}

fn save_crash(kind: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!(
        "{kind}-{:016x}",
        input
            .iter()
            .fold(0xcbf29ce484222325u64, |h, &b| (h ^ b as u64)
                .wrapping_mul(0x100000001b3))
    ));
    let _ = std::fs::write(&path, input);
    path
}

#[test]
fn csv_reader_never_panics() {
    let seeds = corpus_files("csv", ".csv");
    assert!(!seeds.is_empty(), "run node scripts/gen-corpus.mjs");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..iterations(20_000) {
        let mut input = seeds[rng.gen_range(0..seeds.len())].clone();
        for _ in 0..rng.gen_range(1..6) {
            mutate(&mut rng, &mut input);
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(p) = read_csv(&input, "fuzz.csv", &CsvOptions::default()) {
                assert_eq!(p.lines.len(), p.table.rows());
                let _ = bedside::load(&input, "fuzz.csv").map(|l| l.profile());
            }
        }));
        if result.is_err() {
            panic!(
                "the CSV reader panicked; input saved to {}",
                save_crash("csv", &input).display()
            );
        }
    }
}

#[test]
fn recipe_parser_and_small_runs_never_panic() {
    let seeds = corpus_files("recipe", ".json");
    let data =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/recipe-data.csv"))
            .unwrap();
    let loaded = bedside::load(&data, "recipe-data.csv").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for i in 0..iterations(1_000) {
        let mut input = seeds[rng.gen_range(0..seeds.len())].clone();
        for _ in 0..rng.gen_range(0..4) {
            mutate(&mut rng, &mut input);
        }
        let text = String::from_utf8_lossy(&input).into_owned();
        let result = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(recipe) = Recipe::from_json(&text) {
                let _ = loaded.run(&recipe, &mut |_| true, &|| 0.0);
            }
        }));
        if result.is_err() {
            panic!(
                "run {i} panicked; recipe saved to {}",
                save_crash("recipe", &input).display()
            );
        }
    }
}

#[test]
fn whole_runs_on_mutated_small_tables_never_panic() {
    let base =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/recipe-data.csv"))
            .unwrap();
    let recipe_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/recipe/good.json"),
    )
    .unwrap();
    let recipe = Recipe::from_json(&recipe_text).unwrap();
    // Each run takes a good part of a second in a test build: the iterations are spread over the
    // cores, each thread with its own seed, so the same inputs are tried on every machine with the
    // same number of threads.
    // 300 tables in the suite (each run twice: the given recipe and the suggested one); a long
    // run sets BEDSIDE_FUZZ_ITERS (docs/testing.md).
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let total = iterations(300);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (base, recipe) = (&base, &recipe);
                let share = total / threads + usize::from(t < total % threads);
                scope.spawn(move || {
                    let mut rng = ChaCha8Rng::seed_from_u64(3 + t as u64);
                    for _ in 0..share {
                        let mut input = base.clone();
                        for _ in 0..rng.gen_range(1..12) {
                            mutate(&mut rng, &mut input);
                        }
                        let result = catch_unwind(AssertUnwindSafe(|| {
                            if let Ok(loaded) = bedside::load(&input, "fuzz.csv") {
                                let _ = loaded.run(recipe, &mut |_| true, &|| 0.0);
                                let suggested =
                                    bedside::suggest::suggest(&loaded.parsed.table, None);
                                let _ = loaded.run(&suggested, &mut |_| true, &|| 0.0);
                            }
                        }));
                        if result.is_err() {
                            panic!(
                                "a run panicked; table saved to {}",
                                save_crash("table", &input).display()
                            );
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            if let Err(e) = h.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
}

/// A small workbook: a title, a header with a merged cell, numbers, dates, a formula, text.
fn workbook_seed() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Export").unwrap();
    ws.merge_range(1, 0, 1, 1, "group", &Format::new()).unwrap();
    ws.write_string(1, 2, "age").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for r in 2..8u32 {
        ws.write_string(r, 0, format!("=x{r}")).unwrap();
        ws.write_datetime_with_format(
            r,
            1,
            ExcelDateTime::from_ymd(2024, 1, r as u8).unwrap(),
            &date,
        )
        .unwrap();
        ws.write_number(r, 2, 30 + r).unwrap();
        ws.write_formula(r, 3, Formula::new("=C3*2").set_result("60"))
            .unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The workbook's ZIP entries with one XML part mutated, zipped again (so that the mutations
/// reach the XML readers rather than stopping at a checksum).
fn mutate_workbook(rng: &mut ChaCha8Rng, seed: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(seed)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        parts.push((name, bytes));
    }
    let target = rng.gen_range(0..parts.len());
    for _ in 0..rng.gen_range(1..4) {
        mutate(rng, &mut parts[target].1);
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn workbook_reader_never_panics() {
    let seed = workbook_seed();
    assert!(read_csv(&seed, "seed.xlsx", &CsvOptions::default()).is_ok());
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for i in 0..iterations(20_000) / 20 {
        // Mostly the XML inside, sometimes the archive's own bytes.
        let input = if i % 4 == 3 {
            let mut raw = seed.clone();
            mutate(&mut rng, &mut raw);
            raw
        } else {
            mutate_workbook(&mut rng, &seed)
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(p) = read_csv(&input, "fuzz.xlsx", &CsvOptions::default()) {
                assert_eq!(p.lines.len(), p.table.rows());
                let _ = bedside::load(&input, "fuzz.xlsx").map(|l| l.profile());
            }
        }));
        if result.is_err() {
            panic!(
                "the workbook reader panicked; input saved to {}",
                save_crash("xlsx", &input).display()
            );
        }
    }
}

/// The statistics-package readers (Stata, SPSS, SAS transport, SAS data sets) on mutated copies
/// of the pyreadstat fixtures and of SAS-written .sas7bdat files (RLE, RDC, both byte orders): mostly flipped bytes (so that the mutation reaches past the header),
/// sometimes the byte-level mutations above. Nothing may panic.
#[test]
fn statistics_file_readers_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let seeds: Vec<(&str, Vec<u8>)> = [
        "stats.dta",
        "stats-117.dta",
        "stats-113.dta",
        "stats.sav",
        "stats-rle.sav",
        "stats.zsav",
        "stats.xpt",
        "stats-v8.xpt",
        "sas7bdat/airline-32le.sas7bdat",
        "sas7bdat/datetime-64be.sas7bdat",
        "sas7bdat/test12-32be-rle.sas7bdat",
        "sas7bdat/sample-64le-rdc.sas7bdat",
    ]
    .into_iter()
    .map(|n| {
        (
            n,
            std::fs::read(dir.join(n)).expect("run scripts/gen-stats-fixtures.py"),
        )
    })
    .collect();
    let mut rng = mutation_rng();
    for _ in 0..iterations(3_000) {
        let (name, seed) = &seeds[rng.gen_range(0..seeds.len())];
        let mut input = seed.clone();
        for _ in 0..rng.gen_range(1..5) {
            if rng.gen_bool(0.7) && !input.is_empty() {
                let i = rng.gen_range(0..input.len());
                input[i] = rng.gen();
            } else {
                mutate(&mut rng, &mut input);
            }
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = bedside::load(&input, name).map(|l| l.profile());
        }));
        if result.is_err() {
            panic!(
                "a statistics-file reader panicked; input saved to {}",
                save_crash("stats", &input).display()
            );
        }
    }
}

/// Parquet and Arrow IPC files written by pyarrow (tests/data) and the columnar corpus, mutated
/// byte-wise: the reader refuses or reads them, never panics and never aborts (arrow-rs trusts
/// lengths inside the file; `bedside_columnar::check` (columnar/src/check.rs) bounds them first, and no panic is caught
/// inside the reader, so one here fails the test). Every refusal names the file. The default
/// 3,000 mutations keep the suite short; the long run is
/// `BEDSIDE_FUZZ_ITERS=30000 BEDSIDE_FUZZ_SEED=5 cargo test --test all fuzz::columnar` (any
/// seed; docs/formats.md lists the runs made). Inputs it found panicking inside arrow-rs are
/// cases of tests/corpus/columnar/ (with the errors they now give).
#[test]
fn columnar_reader_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seeds: Vec<(String, Vec<u8>)> = [
        "same.snappy.parquet",
        "same.gzip.parquet",
        "same.brotli.parquet",
        "same.lz4.parquet",
        "same.none.parquet",
        "typed.parquet",
        "same.arrow",
        "same.arrows",
        "typed.arrow",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
    .collect();
    for (name, seed) in &seeds {
        assert!(
            read_csv(seed, name, &CsvOptions::default()).is_ok(),
            "{name}"
        );
    }
    for ext in [".parquet", ".arrow", ".arrows"] {
        for bytes in corpus_files("columnar", ext) {
            seeds.push((format!("corpus{ext}"), bytes));
        }
    }
    let mut rng = mutation_rng();
    for _ in 0..iterations(3_000) {
        let (name, seed) = &seeds[rng.gen_range(0..seeds.len())];
        let mut input = seed.clone();
        for _ in 0..rng.gen_range(1..4) {
            // Byte flips mostly (lengths and offsets inside the metadata), sometimes cuts.
            if rng.gen_bool(0.8) && !input.is_empty() {
                let i = rng.gen_range(0..input.len());
                input[i] = rng.gen();
            } else {
                let i = rng.gen_range(0..=input.len());
                input.truncate(i);
            }
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            match read_csv(&input, name, &CsvOptions::default()) {
                Ok(p) => {
                    assert_eq!(p.lines.len(), p.table.rows());
                    let _ = bedside::load(&input, name).map(|l| l.profile());
                    None
                }
                Err(e) => (!e.to_string().contains(name.as_str())).then(|| e.to_string()),
            }
        }));
        match result {
            Err(_) => panic!(
                "the columnar reader panicked on a mutated {name}; input saved to {}",
                save_crash("columnar", &input).display()
            ),
            Ok(Some(e)) => panic!("an error without the file's name: {e}"),
            Ok(None) => {}
        }
    }
}
