#!/usr/bin/env python3
"""Writes the small synthetic fixtures of tests/data/ with independent writers (pyarrow, pandas,
openpyxl, odfpy, xlwt), so that Bedside's readers are tested on files it did not write itself.

    pip install pyarrow pandas openpyxl odfpy xlwt
    python3 scripts/gen-format-fixtures.py

Every value is made up here (seeded): no patient data. Files:

  same.{csv,xlsx,ods,xls,arrow,arrows}, same.CODEC.parquet  one table in every format; tests/formats_same.rs
      checks that each reads to the same table, profile and Report. The Parquet file is written
      with each codec (snappy, gzip, brotli, lz4, none, and zstd, which only the command line
      reads), in row groups of 50 rows; the Arrow stream in batches of 40.
  typed.parquet  logical types: date32, timestamps (naive and with a zone), decimals, a
      dictionary (pandas category) column, booleans, float32, nulls, non-ASCII text, a list column.
  typed.arrow    the same as an Arrow IPC file.
"""
import datetime as dt
import decimal
import json
import os
import random
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "tests", "data")

FIRST = ["Adèle", "Bo", "Chen Wei", "Dörte", "Émile", "Fang", "Grete", "Hui", "Ines", "Jürgen"]
LAST = ["Li", "Müller", "Ørsted", "Zhang", "Dubois", "Wang", "Søren", "Kowalski"]
WARDS = ["cardiology", "neurology", "oncology", "renal"]


def same_table(n=120, seed=21):
    """A small clinical-looking table: identifiers, codes with leading zeros, numbers with
    missing values, categories, ISO dates and non-ASCII text."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        age = rng.randint(20, 89)
        glucose = None if rng.random() < 0.06 else round(rng.uniform(70, 200), 1)
        smoker = rng.random() < 0.3
        z = -11 + 0.1 * age + 0.03 * (glucose or 120) + (1.5 if smoker else 0) + rng.uniform(-1, 1)
        y = 1 if rng.random() < 1 / (1 + pow(2.718281828, -z)) else 0
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        rows.append(
            {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                "mrn": f"{1000 + 7 * i:08d}",
                "age": age,
                "sex": rng.choice(["F", "M"]),
                "zip": f"0{rng.randint(1000, 1009)}",
                "ward": rng.choice(WARDS),
                "admitted": day.isoformat(),
                "glucose": glucose,
                "smoker": "yes" if smoker else "no",
                "outcome": y,
            }
        )
    return pd.DataFrame(rows)


def arrow_table(df):
    """The table with typed columns: dates as date32, the ward as a dictionary (category)."""
    return pa.table(
        {
            "name": pa.array(df["name"], pa.string()),
            "mrn": pa.array(df["mrn"], pa.string()),
            "age": pa.array(df["age"], pa.int64()),
            "sex": pa.array(df["sex"], pa.string()),
            "zip": pa.array(df["zip"], pa.string()),
            "ward": pa.array(df["ward"], pa.string()).dictionary_encode(),
            "admitted": pa.array([dt.date.fromisoformat(d) for d in df["admitted"]], pa.date32()),
            "glucose": pa.array(df["glucose"], pa.float64(), from_pandas=True),
            "smoker": pa.array(df["smoker"], pa.string()),
            "outcome": pa.array(df["outcome"], pa.int64()),
        }
    )


def write_xls(df, path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("data")
    for j, name in enumerate(df.columns):
        sheet.write(0, j, name)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and v != v):
                continue
            sheet.write(i, j, v)
    book.save(path)


def typed_table():
    utc = dt.timezone.utc
    return pa.table(
        {
            "id": pa.array(["a1", "a2", "a3", "a4"], pa.string()),
            "born": pa.array([dt.date(1950, 1, 31), dt.date(1969, 12, 31), None, dt.date(2000, 2, 29)], pa.date32()),
            "seen": pa.array(
                [dt.datetime(2024, 3, 1, 8, 30), dt.datetime(2024, 3, 2), None, dt.datetime(2024, 3, 4, 23, 59, 59)],
                pa.timestamp("us"),
            ),
            "seen_utc": pa.array(
                [dt.datetime(2024, 3, 1, 8, 30, tzinfo=utc), None, dt.datetime(2024, 3, 3, 12, 0, tzinfo=utc), dt.datetime(2024, 3, 4, tzinfo=utc)],
                pa.timestamp("ms", tz="UTC"),
            ),
            "dose": pa.array([decimal.Decimal("1.25"), decimal.Decimal("10.50"), None, decimal.Decimal("-0.75")], pa.decimal128(6, 2)),
            "ward": pa.array(["renal", "renal", None, "oncology"], pa.string()).dictionary_encode(),
            "flag": pa.array([True, False, None, True], pa.bool_()),
            "ratio": pa.array([0.1, 2.5, None, 3.0], pa.float32()),
            "city": pa.array(["Zürich", "北京", None, "Malmö"], pa.string()),
            "codes": pa.array([[1, 2], [], None, [3]], pa.list_(pa.int32())),
        }
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    df = same_table()
    path = lambda name: os.path.join(OUT, name)
    df.to_csv(path("same.csv"), index=False)
    df.to_excel(path("same.xlsx"), index=False, engine="openpyxl")
    df.to_excel(path("same.ods"), index=False, engine="odf")
    try:
        write_xls(df, path("same.xls"))
    except ImportError:
        print("xlwt is not installed: same.xls not written")
    table = arrow_table(df)
    for codec in ["snappy", "gzip", "brotli", "lz4", "zstd", "none"]:
        pq.write_table(table, path(f"same.{codec}.parquet"), compression=codec, row_group_size=50)
    feather.write_feather(table, path("same.arrow"), compression="uncompressed")
    with pa.OSFile(path("same.arrows"), "wb") as sink:
        with pa.ipc.new_stream(sink, table.schema) as w:
            for batch in table.to_batches(max_chunksize=40):
                w.write_batch(batch)
    typed = typed_table()
    pq.write_table(typed, path("typed.parquet"), compression="snappy")
    feather.write_feather(typed, path("typed.arrow"), compression="lz4")
    print("wrote", sorted(os.listdir(OUT)))
    damaged_corpus()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def varint_at(data, pos):
    """The unsigned varint at pos: (value, end)."""
    v, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, pos


def zigzag_at(data, pos):
    """The zigzag varint at pos: (value, end)."""
    v, pos = varint_at(data, pos)
    return (v >> 1) ^ -(v & 1), pos


def changed(data, at):
    """data with the byte at each offset of `at` replaced."""
    out = bytearray(data)
    for i, b in at.items():
        out[i] = b
    return bytes(out)


def skip_struct(data, pos):
    """The end of the Thrift compact-protocol struct at pos (ints, binaries, lists, structs)."""
    while True:
        b = data[pos]
        pos += 1
        if b == 0:
            return pos
        if b >> 4 == 0:  # a long-form field id follows
            _, pos = zigzag_at(data, pos)
        pos = skip_value(data, pos, b & 0x0F)


def skip_value(data, pos, kind):
    if kind in (1, 2):  # booleans are in the type
        return pos
    if kind == 3:  # byte
        return pos + 1
    if kind in (4, 5, 6):  # i16, i32, i64
        return zigzag_at(data, pos)[1]
    if kind == 7:  # double
        return pos + 8
    if kind == 8:  # binary
        n, pos = varint_at(data, pos)
        return pos + n
    if kind in (9, 10):  # list, set
        head = data[pos]
        pos += 1
        n = head >> 4
        if n == 15:
            n, pos = varint_at(data, pos)
        for _ in range(n):
            pos = skip_value(data, pos, head & 0x0F)
        return pos
    if kind == 12:
        return skip_struct(data, pos)
    raise ValueError(f"thrift type {kind}")


def xxh32(data, seed=0):
    """xxHash32 (the LZ4 frame header's checksum)."""
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    m = 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & m
    u32 = lambda i: int.from_bytes(data[i : i + 4], "little")
    n, i = len(data), 0
    if n >= 16:
        v = [(seed + p1 + p2) & m, (seed + p2) & m, seed, (seed - p1) & m]
        while i + 16 <= n:
            v = [rotl((v[k] + u32(i + 4 * k) * p2) & m, 13) * p1 & m for k in range(4)]
            i += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & m
    else:
        h = (seed + p5) & m
    h = (h + n) & m
    while i + 4 <= n:
        h = rotl((h + u32(i) * p3) & m, 17) * p4 & m
        i += 4
    while i < n:
        h = rotl((h + data[i] * p5) & m, 11) * p1 & m
        i += 1
    h ^= h >> 15
    h = h * p2 & m
    h ^= h >> 13
    h = h * p3 & m
    return h ^ (h >> 16)


def lz4_frame_bomb(par):
    """The uncompressed Parquet file with its first column chunk marked LZ4 (the Hadoop codec,
    5) and its first page replaced, at the same length, by an LZ4 frame that decodes to 64 KiB
    per 271 bytes: far more than the page's stated size. parquet decodes such a page (one that
    is not in Hadoop frames) as an LZ4 frame to its end."""
    pattern = b"\x19\x18\x04name\x15"  # path_in_schema ["name"], then the codec field
    at = par.index(pattern) + len(pattern)
    assert par[at] == 0  # UNCOMPRESSED
    par = par[:at] + bytes([5 << 1]) + par[at + 1 :]
    # The first page header (at byte 4): its compressed size is field 3, after type and size.
    _, p = zigzag_at(par, 5)
    _, p = zigzag_at(par, p + 1)
    comp, p = zigzag_at(par, p + 1)
    body = skip_struct(par, 4)
    flg_bd = bytes([0x60, 0x40])  # version 1, independent blocks; blocks of at most 64 KiB
    frame = b"\x04\x22\x4d\x18" + flg_bd + bytes([(xxh32(flg_bd) >> 8) & 0xFF])
    # One literal, a match of 65,530 bytes at offset 1, five literals: 65,536 bytes.
    match = 65530 - 4 - 15
    block = bytes([0x1F, 0x61, 1, 0]) + b"\xff" * (match // 255) + bytes([match % 255])
    block += bytes([0x50]) + b"aaaaa"
    blocks = (comp - len(frame) - 8) // (4 + len(block))
    frame += (len(block).to_bytes(4, "little") + block) * blocks
    pad = comp - len(frame) - 8  # an uncompressed block fills the page, then the end mark
    frame += (pad | 1 << 31).to_bytes(4, "little") + b"a" * pad + b"\x00" * 4
    assert len(frame) == comp and blocks * 65536 > comp
    return par[:body] + frame + par[body + comp :]


def damaged_corpus():
    """tests/corpus/columnar/: the committed Parquet and Arrow fixtures, whole and damaged where
    arrow-rs would trust a length; each with the text its error must contain."""
    out = os.path.join(ROOT, "tests", "corpus", "columnar")
    os.makedirs(out, exist_ok=True)
    fixture = lambda name: open(os.path.join(OUT, name), "rb").read()
    cases = {}
    for name, source in [("good.parquet", "typed.parquet"), ("good.arrows", "same.arrows")]:
        path = os.path.join(OUT, source)
        t = pq.read_table(path) if source.endswith("parquet") else pa.ipc.open_stream(path).read_all()
        # Lists, structures, maps and bytes are left out (a repair names them).
        kept = [f for f in t.schema if not (pa.types.is_nested(f.type) or pa.types.is_binary(f.type))]
        cases[name] = (fixture(source), {"rows": t.num_rows, "columns": len(kept)})
    par = fixture("same.none.parquet")
    cases["truncated.parquet"] = (par[: len(par) // 2] + par[-8:], {"error": "cannot be read as one"})
    # The first page header (at byte 4): type, then the uncompressed size, made 2^30.
    _, p = zigzag_at(par, 5)
    _, end = zigzag_at(par, p + 1)
    huge = par[: p + 1] + varint((1 << 30) << 1) + par[end:]
    cases["page-size-huge.parquet"] = (huge, {"error": "decodes to 1073741824 bytes"})
    st = fixture("same.arrows")
    cases["metadata-length-huge.arrows"] = (
        st[:4] + (0x7FFFFFF0).to_bytes(4, "little") + st[8:],
        {"error": "metadata length"},
    )
    ar = fixture("same.arrow")
    cases["footer-length-huge.arrow"] = (
        ar[:-10] + (0x7FFFFFF0).to_bytes(4, "little") + ar[-6:],
        {"error": "footer length"},
    )
    cases["lz4-frame-bomb.parquet"] = (lz4_frame_bomb(par), {"error": "decodes to more than the"})
    # Inputs the fuzzer (tests/fuzz.rs) found panicking inside parquet before the page check
    # walked levels: a fixture with the bytes at these offsets changed. The definition levels of
    # a page claim a bit-packed run past the page's end (uncompressed, then LZ4_RAW-compressed).
    levels = "its definition levels: a bit-packed run"
    cases["levels-past-page.parquet"] = (changed(par, {8262: 61, 8428: 129}), {"error": levels})
    lz4 = fixture("same.lz4.parquet")
    cases["levels-past-page-lz4.parquet"] = (changed(lz4, {4851: 205, 6836: 182}), {"error": levels})
    # An Arrow stream whose string column's offsets buffer is not a whole number of offsets.
    cases["arrow-offsets-width.arrows"] = (
        changed(fixture("same.arrows"), {5240: 166, 8273: 183}),
        {"error": "not a whole number of 4-byte values"},
    )
    # An Arrow IPC file whose footer gives the record batch's block a metadata length 8 bytes
    # longer than the message's own prefix (and its body 8 bytes shorter): arrow-ipc reads the
    # body where the block says, so the check must too (the fuzzer, seed 6, found it aborting on
    # an 8 EB allocation when the check followed the prefix). The block structs sit in the footer.
    ar = fixture("typed.arrow")
    footer_len = int.from_bytes(ar[-10:-6], "little")
    footer_at = len(ar) - 10 - footer_len
    meta_at = footer_at + 48  # the second block (the record batch): offset 952, 672 + 776 bytes
    assert ar[meta_at - 8 : meta_at + 4] == (952).to_bytes(8, "little") + (672).to_bytes(4, "little")
    cases["arrow-block-length.arrow"] = (
        ar[:meta_at] + (680).to_bytes(4, "little") + ar[meta_at + 4 : meta_at + 8]
        + (768).to_bytes(8, "little") + ar[meta_at + 16 :],
        {"error": "says it decodes to 1477814409199690244 bytes"},
    )
    # A decimal (fixed-length byte array) column's dictionary key past its dictionary.
    cases["dictionary-key-flba.parquet"] = (
        changed(fixture("typed.parquet"), {190: 12, 480: 48, 631: 228}),
        {"error": "a dictionary key of 3 where at most 2 is allowed"},
    )
    write_cases(out, cases)
    # tests/corpus/sheets/: the workbooks of tests/data whole, and cut in half (a download that
    # stopped): the error names the kind of workbook and the reader's reason.
    sheets = {}
    for ext, kind in [("xlsx", "an Excel workbook"), ("ods", "an OpenDocument spreadsheet"),
                      ("xls", "an Excel 97-2003 workbook")]:
        whole = fixture(f"same.{ext}")
        sheets[f"good.{ext}"] = (whole, {"rows": 120, "columns": 10})
        sheets[f"truncated.{ext}"] = (whole[: len(whole) // 2], {"error": f"this looks like {kind}"})
    write_cases(os.path.join(ROOT, "tests", "corpus", "sheets"), sheets)


def write_cases(out, cases):
    """Each case's bytes and its expected outcome (NAME.expect.json) into the folder `out`."""
    os.makedirs(out, exist_ok=True)
    for name, (data, expect) in cases.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        with open(os.path.join(out, name + ".expect.json"), "w") as f:
            json.dump({k: v for k, v in expect.items() if v is not None}, f)
            f.write("\n")
    print("wrote", sorted(os.listdir(out)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--corpus"]:
        damaged_corpus()
    else:
        main()
