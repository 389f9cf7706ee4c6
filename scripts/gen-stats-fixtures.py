#!/usr/bin/env python3
"""Writes the statistics-package fixtures of tests/stats_formats.rs into tests/data/.

Every file is synthetic (made-up names, never patients) and written by an implementation
independent of Bedside: pyreadstat (ReadStat). Run with `pip install pyreadstat==1.3.4 pandas`:

    python3 scripts/gen-stats-fixtures.py

For each table, `<name>.csv` is the same data as Bedside should read it: value labels replaced
by their text, missing codes empty, dates as ISO dates. The files:

- stats.dta (Stata 118), stats-117.dta, stats-119.dta, stats-115.dta, stats-114.dta,
  stats-113.dta: value labels, variable labels, extended missing values .a/.b in `age`, %td
  dates and %tc datetimes, UTF-8 (117+) or Latin-1 (113–115) text.
- stats.sav (uncompressed), stats-rle.sav (bytecode compressed), stats.zsav (zlib): the same
  with SPSS user-missing value 999 in `age`.
- stats.xpt (SAS transport v5), stats-v8.xpt: XPORT has no value labels, so `sex` is text;
  `age` holds SAS special missing values .A and .B (patched into the file after writing: the
  writer has no way to write them; the patch is checked by reading the file back with
  pyreadstat, which reads them as missing). v5 text is Latin-1-safe (no Chinese).
- stats-periods.dta (+ .csv): Stata period formats %tm, %tq, %th, %tw, %ty; the CSV gives
  each period's first day by Stata's definitions (computed here with Python's calendar:
  periods counted from 1960, week 1 starting 1 January, week 52 taking the year's rest).
- stats-longlabels.sav (+ .csv): value labels of a 12-byte string (record 7.21).
- run.dta / run.sav / run.xpt with run.csv: 90 rows without missing codes, for the
  "same table, same Report" test.

It also writes damaged copies into tests/corpus/stats/ with the error each must give.
"""
import datetime as dt
import json
import os
import struct

import numpy as np
import pandas as pd
import pyreadstat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
os.makedirs(OUT, exist_ok=True)

NAMES = ["José Müller", "王芳", "Zoë Ørsted", "François Dubois", "李娜", "Søren Ærø",
         "Ana Núñez", "张伟", "Łukasz Wąs", "Chloé Martin", "陈静", "Jürgen Groß"]
NAMES_LATIN = ["José Müller", "Wang Fang", "Zoë Ørsted", "François Dubois", "Li Na",
               "Søren Ærø", "Ana Núñez", "Zhang Wei", "Lukas Was", "Chloé Martin",
               "Chen Jing", "Jürgen Groß"]
SEX = [1, 2, 2, 1, 2, 1, 2, 1, 1, 2, 2, 1]
SEX_LABELS = {1: "Male", 2: "Female"}
AGE = [34.0, 51.0, None, 47.0, 29.0, 62.0, None, 45.0, 38.0, 71.0, 55.0, 40.0]
# Which missing code each missing age carries: (row, Stata letter, SAS letter).
AGE_CODES = {2: "a", 6: "b"}
BP = [120.5, 135.0, 128.25, 142.0, 118.0, 150.5, 131.0, 126.0, 139.75, 160.0, 122.5, 133.0]
VISIT = [dt.date(2024, 1, 15) + dt.timedelta(days=17 * i) for i in range(12)]
VISIT[5] = None
SEEN = [dt.datetime(2024, 2, 1, 8, 30) + dt.timedelta(hours=29 * i, minutes=7 * i)
        for i in range(12)]
LABELS = {"id": "Record number", "name": "Patient name", "sex": "Sex at birth",
          "age": "Age (years)", "visit": "Visit date", "seen": "Seen at",
          "bp": "收缩压 systolic (mmHg)"}
LABELS_LATIN = dict(LABELS, bp="Systolic (mmHg)")


def csv_cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def write_csv(path, columns):
    names = list(columns)
    rows = len(columns[names[0]])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(names) + "\n")
        for r in range(rows):
            f.write(",".join(csv_cell(columns[n][r]) for n in names) + "\n")


def expected(names):
    return {
        "id": list(range(1, 13)),
        "name": names,
        "sex": [SEX_LABELS[s] for s in SEX],
        "age": AGE,
        "visit": VISIT,
        "seen": SEEN,
        "bp": BP,
    }


def frame(names, sex_as_text=False):
    return pd.DataFrame({
        "id": np.arange(1, 13, dtype=np.float64),
        "name": names,
        "sex": [SEX_LABELS[s] for s in SEX] if sex_as_text else np.array(SEX, dtype=np.float64),
        "age": np.array([np.nan if a is None else a for a in AGE]),
        "visit": VISIT,
        "seen": pd.to_datetime(SEEN),
        "bp": np.array(BP),
    })


def stata(path, version, names, labels):
    df = frame(names)
    # Stata's extended missing values: the letter in an object column.
    df["age"] = [AGE_CODES.get(i, a) for i, a in enumerate(df["age"])]
    df["age"] = df["age"].astype(object)
    pyreadstat.write_dta(df, path, column_labels=labels, version=version,
                         variable_value_labels={"sex": SEX_LABELS},
                         missing_user_values={"age": sorted(set(AGE_CODES.values()))})


def spss(path, names, **kw):
    df = frame(names)
    df["age"] = [999.0 if i in AGE_CODES else a for i, a in enumerate(df["age"])]
    pyreadstat.write_sav(df, path, column_labels=LABELS, variable_value_labels={"sex": SEX_LABELS},
                         missing_ranges={"age": [999]}, **kw)


def ibm_missing(letter):
    """The 8 bytes of a SAS special missing value in an XPORT file (.A = 0x41 then zeros)."""
    return bytes([ord(letter.upper())]) + bytes(7)


def xport(path, version):
    df = frame(NAMES_LATIN, sex_as_text=True)
    pyreadstat.write_xport(df, path, column_labels=LABELS_LATIN, table_name="STATS",
                           file_format_version=version)
    # Patch the two missing ages into .A and .B: the data rows follow the last header record;
    # each row is a fixed width, `age` at a fixed offset within it.
    data = bytearray(open(path, "rb").read())
    obs, names = (b"OBS     ", b"NAMESTR ") if version == 5 else (b"OBSV8   ", b"NAMSTV8 ")
    marker = data.index(b"HEADER RECORD*******" + obs + b"HEADER RECORD!!!!!!!") + 80
    # The widths and positions pyreadstat chose are in the NAMESTR records (140 bytes each).
    namestr = data.index(b"HEADER RECORD*******" + names + b"HEADER RECORD!!!!!!!") + 80
    size = 140
    order, lengths, positions = [], {}, {}
    for k in range(len(df.columns)):
        rec = data[namestr + k * size: namestr + (k + 1) * size]
        name = rec[8:16].decode("ascii").strip()
        order.append(name)
        lengths[name] = struct.unpack(">h", rec[4:6])[0]
        positions[name] = struct.unpack(">i", rec[84:88])[0]
    width = sum(lengths.values())
    for row, letter in AGE_CODES.items():
        at = marker + row * width + positions["age"]
        assert data[at] == 0x2E and data[at + 1:at + 8] == bytes(7), "age is not missing there"
        data[at:at + 8] = ibm_missing(letter)
    open(path, "wb").write(bytes(data))
    # ReadStat reads a special missing value as missing, and every other cell as before.
    back, _ = pyreadstat.read_xport(path)
    assert all(np.isnan(back["age"][r]) for r in AGE_CODES), back["age"]
    assert list(back["bp"]) == BP and list(back["name"]) == NAMES_LATIN


def run_table(n=90):
    rng = np.random.default_rng(7)
    age = rng.integers(25, 80, n).astype(float)
    sex = rng.integers(1, 3, n).astype(float)
    bp = np.round(110 + 0.6 * age + rng.normal(0, 8, n), 1)
    visit = [dt.date(2023, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 700, n)]
    risk = 1 / (1 + np.exp(-(0.05 * (age - 50) + 0.04 * (bp - 140) + 0.5 * (sex - 1.5))))
    y = (rng.random(n) < risk).astype(float)
    return pd.DataFrame({"age": age, "sex": sex, "bp": bp, "visit": visit, "y": y})


def main():
    os.chdir(OUT)
    write_csv("stats.csv", expected(NAMES))
    write_csv("stats-latin.csv", expected(NAMES_LATIN))
    for version, suffix in [(14, ""), (13, "-117"), (15, "-119")]:
        stata(f"stats{suffix}.dta", version, NAMES, LABELS)
    for version, suffix in [(12, "-115"), (10, "-114"), (8, "-113")]:
        stata(f"stats{suffix}.dta", version, NAMES_LATIN, LABELS_LATIN)
    spss("stats.sav", NAMES)
    spss("stats-rle.sav", NAMES, row_compress=True)
    spss("stats.zsav", NAMES, compress=True)
    xport("stats.xpt", 5)
    xport("stats-v8.xpt", 8)

    run = run_table()
    cols = {c: list(run[c]) for c in run.columns}
    cols["sex"] = [SEX_LABELS[int(s)] for s in run["sex"]]
    write_csv("run.csv", cols)
    labels = {"age": "Age (years)", "sex": "Sex", "bp": "Systolic (mmHg)", "visit": "Visit",
              "y": "Outcome"}
    pyreadstat.write_dta(run, "run.dta", column_labels=labels, variable_value_labels={"sex": SEX_LABELS})
    pyreadstat.write_sav(run, "run.sav", column_labels=labels, variable_value_labels={"sex": SEX_LABELS})
    xrun = run.copy()
    xrun["sex"] = cols["sex"]
    pyreadstat.write_xport(xrun, "run.xpt", column_labels=labels, table_name="RUN",
                           file_format_version=5)


def periods():
    """Stata period formats: counts since 1960 (a year for %ty) and their first days."""
    m = [0.0, 1.0, 779.0, -1.0, None]
    q = [0.0, 1.0, 259.0, -1.0, 3.0]
    h = [0.0, 1.0, 129.0, -1.0, 2.0]
    w = [0.0, 1.0, 3378.0, -1.0, 51.0]
    y = [1960.0, 2024.0, 1999.0, 1900.0, 2000.0]

    def month_start(months):
        return dt.date(1960 + months // 12, months % 12 + 1, 1)

    def week_start(weeks):
        return dt.date(1960 + weeks // 52, 1, 1) + dt.timedelta(days=7 * (weeks % 52))

    df = pd.DataFrame({"id": [1.0, 2, 3, 4, 5], "m": m, "q": q, "h": h, "w": w, "y": y})
    pyreadstat.write_dta(df, os.path.join(OUT, "stats-periods.dta"),
                         variable_format={"m": "%tm", "q": "%tq", "h": "%th", "w": "%tw",
                                          "y": "%ty"})
    opt = lambda f, xs: [None if v is None else f(int(v)) for v in xs]
    write_csv(os.path.join(OUT, "stats-periods.csv"), {
        "id": [1, 2, 3, 4, 5],
        "m": opt(month_start, m),
        "q": opt(lambda v: month_start(3 * v), q),
        "h": opt(lambda v: month_start(6 * v), h),
        "w": opt(week_start, w),
        "y": opt(lambda v: dt.date(v, 1, 1), y),
    })


def long_labels():
    """Value labels of a string longer than 8 bytes (SPSS record 7.21)."""
    ward = ["cardiology_a", "oncology_bb", "cardiology_a", "icu_unlabeled", "oncology_bb"]
    df = pd.DataFrame({"id": [1.0, 2, 3, 4, 5], "ward": ward})
    labels = {"cardiology_a": "Cardiology A", "oncology_bb": "Oncology (B wing)"}
    pyreadstat.write_sav(df, os.path.join(OUT, "stats-longlabels.sav"),
                         variable_value_labels={"ward": labels})
    write_csv(os.path.join(OUT, "stats-longlabels.csv"),
              {"id": [1, 2, 3, 4, 5], "ward": [labels.get(v, v) for v in ward]})


def sas_rows(data, rows):
    """A 32-bit little-endian .sas7bdat whose row size subheader announces `rows` rows."""
    data = bytearray(data)
    header = struct.unpack("<I", data[196:200])[0]
    at = data.index(b"\xf7\xf7\xf7\xf7", header)
    data[at + 24:at + 28] = struct.pack("<I", rows)
    return bytes(data)


def corpus():
    """Damaged copies of the fixtures for tests/corpus/stats/, each with the error it must give
    (`<case>.expect.json`: `error`, a text the message contains, or `rows` and `columns`)."""
    out = os.path.join(OUT, "..", "corpus", "stats")
    os.makedirs(out, exist_ok=True)
    read = lambda name: open(os.path.join(OUT, name), "rb").read()
    dta = bytearray(read("stats.dta"))
    at = dta.index(b"<lbl>") + 5
    dta[at:at + 4] = struct.pack("<I", 0x7FFFFFF0)
    sav = bytearray(read("stats.sav"))
    sav[176:180] = struct.pack("<i", 99)
    cases = {
        "good.zsav": (read("stats.zsav"), {"rows": 12, "columns": 7}),
        "good-115.dta": (read("stats-115.dta"), {"rows": 12, "columns": 7}),
        "truncated-data.sav": (read("stats.sav")[:-20], {"error": "record 12"}),
        "truncated-trailer.zsav": (read("stats.zsav")[:-30], {"error": "zlib trailer"}),
        "truncated-observation.xpt": (read("stats.xpt")[:-160], {"error": "observation"}),
        "truncated-header.dta": (read("stats.dta")[:40], {"error": "Stata .dta"}),
        "label-length-past-end.dta": (bytes(dta), {"error": "value-label table"}),
        "unknown-record.sav": (bytes(sav), {"error": "unknown record type 99"}),
        "renamed-csv.dta": (b"id,age\n1,34\n", {"error": "does not start like"}),
        # .sas7bdat (files written by SAS, see tests/data/sas7bdat/README.md).
        "good-rdc.sas7bdat": (read("sas7bdat/sample-64le-rdc.sas7bdat"),
                              {"rows": 5, "columns": 7}),
        "truncated-pages.sas7bdat": (read("sas7bdat/airline-32le.sas7bdat")[:-700],
                                     {"error": "pages"}),
        "rows-past-pages.sas7bdat": (sas_rows(read("sas7bdat/airline-32le.sas7bdat"), 1000),
                                     {"error": "1000 rows"}),
    }
    for name, (data, expect) in cases.items():
        open(os.path.join(out, name), "wb").write(data)
        with open(os.path.join(out, name + ".expect.json"), "w") as f:
            json.dump(expect, f)
            f.write("\n")


if __name__ == "__main__":
    main()
    periods()
    long_labels()
    corpus()
