//! Statistics-package files (Stata .dta, SPSS .sav/.zsav, SAS .xpt) written by an independent
//! implementation (pyreadstat/ReadStat, `scripts/gen-stats-fixtures.py`) read to the same table
//! as the CSV of the same data, with their labels, missing codes and dates explained.

use bedside::table::csv::{read_csv, CsvOptions, Parsed};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> Parsed {
    let mut bytes: &[u8] = &fixture(name);
    bedside::table::csv::read_source(&mut bytes, name, &CsvOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn explore() {
    for f in ["stats.dta", "stats.sav", "stats.xpt"] {
        let p = read(f);
        eprintln!("{f}: {:?}", p.table.names());
        for c in &p.table.columns {
            eprintln!(
                "  {} {:?} {:?}",
                c.name,
                c.ctype,
                (0..p.table.rows())
                    .map(|r| c.values.text(r))
                    .collect::<Vec<_>>()
            );
        }
        for r in &p.repairs {
            eprintln!(
                "  repair {} {} {:?} {}",
                r.column, r.count, r.lines, r.message
            );
        }
        eprintln!("  {:?} {:?}", p.encoding, p.labels);
    }
}
