#!/usr/bin/env python3
"""Reference tables for the .sas7bdat fixtures of tests/data/sas7bdat/, written with an
independent reader (pyreadstat 1.3.4, i.e. ReadStat; pandas' own SAS reader for the dates pyreadstat leaves as
numbers, see below): for each `NAME.sas7bdat`,

- `NAME.csv`: every cell as Bedside's reader is expected to give it — numbers as Python writes
  them, missing cells (`.`, `.A`-`.Z`, `._`) empty, dates `YYYY-MM-DD`, datetimes
  `YYYY-MM-DD HH:MM:SS` (whole seconds), times as seconds since midnight (Bedside keeps SAS
  `TIME` values as numbers, as its other readers do), text with trailing blanks removed;
- `NAME.json`: the rows, the column labels, the file's encoding as ReadStat names it, and the
  special missing codes per column (`{"age": [".A", ...]}`, in row order).

The fixtures themselves were written by SAS and are not made here: their sources and licences
are in tests/data/sas7bdat/README.md. Run: python3 scripts/gen-sas7bdat-reference.py
"""
import csv
import datetime as dt
import glob
import json
import math
import os

import pandas as pd
import pyreadstat

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "sas7bdat")


def cell(v):
    if v is None or v is pd.NaT:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(float(v))
    if isinstance(v, dt.datetime):
        v = v + dt.timedelta(microseconds=500_000)
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        s = v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
        return repr(float(s))
    if isinstance(v, str):
        return v.rstrip(" \0")
    try:  # numpy / pandas scalars
        if v != v:
            return ""
    except TypeError:
        pass
    if hasattr(v, "to_pydatetime"):
        return cell(v.to_pydatetime())
    return cell(float(v)) if hasattr(v, "__float__") else str(v)


def main():
    for path in sorted(glob.glob(os.path.join(DIR, "*.sas7bdat"))):
        base = path[: -len(".sas7bdat")]
        df, meta = pyreadstat.read_sas7bdat(path, user_missing=True,
                                            disable_datetime_conversion=False)
        # pyreadstat leaves numbers whose date format carries its width in the name
        # (`MMDDYY10`) as numbers; pandas' reader (a second, independent one) turns them into
        # dates, and its dates are taken for those columns.
        other = pd.read_sas(path)
        dated = [n for n in df.columns
                 if meta.readstat_variable_types[n] == "double"
                 and df[n].dtype.kind == "f"
                 and str(other[n].dtype).startswith("datetime64")]
        for n in dated:
            ts = other[n]
            midnight = all(t is pd.NaT or (t.hour, t.minute, t.second) == (0, 0, 0)
                           for t in ts)
            df[n] = [None if t is pd.NaT else (t.date() if midnight else t.to_pydatetime())
                     for t in ts]
        codes = {}
        rows = []
        for r in range(len(df)):
            row = []
            for name in df.columns:
                v = df[name].iloc[r]
                numeric = meta.readstat_variable_types[name] == "double"
                if numeric and isinstance(v, str):
                    codes.setdefault(name, []).append("." + v)
                    v = None
                row.append(cell(v))
            rows.append(row)
        with open(base + ".csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(list(df.columns))
            w.writerows(rows)
        info = {
            "rows": len(df),
            "columns": len(df.columns),
            "encoding": meta.file_encoding,
            "labels": {n: l for n, l in zip(df.columns, meta.column_labels) if l},
            "missing_codes": codes,
        }
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(info, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(os.path.basename(path), len(df), "rows", len(df.columns), "columns")


if __name__ == "__main__":
    main()
