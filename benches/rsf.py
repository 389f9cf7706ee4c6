"""Fit times of scikit-survival's RandomSurvivalForest (a reference only, never a product part)
on the matrices `cargo bench --bench rsf -- www/demo/followup.csv OUT_DIR` writes, for
comparison with Bedside's random_survival_forest (docs/survival.md, "Speed").

    pip install scikit-survival==0.28.0
    python benches/rsf.py OUT_DIR [N_JOBS] [TREES_FOR_THE_LARGE_SET]

Defaults of RandomSurvivalForest (100 trees, min_samples_split=6, min_samples_leaf=3,
max_features="sqrt", bootstrap); n_jobs as given (default 2, the machine's cores). On the
20,000-row set it grows TREES_FOR_THE_LARGE_SET trees (default 5) and prints the time scaled to
100 trees (tree fits are independent, so the time is linear in the number of trees).
"""
import sys
import time

import numpy as np
import pandas as pd
from sksurv.ensemble import RandomSurvivalForest
from sksurv.util import Surv

out = sys.argv[1]
n_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
large_trees = int(sys.argv[3]) if len(sys.argv) > 3 else 5
for name, trees in [("followup", 100), ("synthetic", large_trees)]:
    df = pd.read_csv(f"{out}/rsf-{name}.csv")
    x = df.drop(columns=["time", "event"]).values.astype(float)
    y = Surv.from_arrays(df["event"].values.astype(bool), df["time"].values.astype(float))
    start = time.perf_counter()
    RandomSurvivalForest(n_estimators=trees, n_jobs=n_jobs, random_state=0).fit(x, y)
    secs = time.perf_counter() - start
    print(f"{name}: {x.shape[0]} rows x {x.shape[1]} inputs, n_jobs={n_jobs}: {trees} trees {secs:.2f} s"
          + (f" (100 trees: {secs * 100 / trees:.1f} s)" if trees != 100 else ""))
