"""Reference numbers for the random survival forest tests of tests/survmodels.rs, from
scikit-survival (a reference only, never a product part).

    pip install scikit-survival==0.28.0
    python scripts/rsf-reference.py           # prints the constants pasted into the test

Data: the Rossi recidivism data (tests/data/rossi.csv, as shipped by lifelines).

1. One tree: RandomSurvivalForest(n_estimators=1, bootstrap=False, max_features=None,
   min_samples_split=30, min_samples_leaf=15) on all 432 rows. Rows that share a leaf share
   their curves, so the script prints each leaf once (its first row, its cumulative hazard and
   survival at the distinct event times, its risk score) and each row's leaf.
2. The forest with its defaults: Harrell's C on the held-out rows (every 4th row) for 10
   seeds.

Ties: when two inputs give a split the same log-rank statistic, scikit-learn's splitter keeps
the first in its randomly permuted order of the inputs, and Bedside the first in its own
random order, so such a tree can differ between the two (and between random_state values of
scikit-survival). With min_samples_leaf=10 the tree of Rossi has one such tie (age <= 28.5 and
paro <= 0.5 split one node into the same two groups); with 15 the tree is the same for every
random_state tried (0 to 11), so the case checks the splits, not the tie rule.
"""
import numpy as np
import pandas as pd
from sksurv.ensemble import RandomSurvivalForest
from sksurv.metrics import concordance_index_censored
from sksurv.util import Surv

rossi = pd.read_csv("tests/data/rossi.csv")
cols = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
x = rossi[cols].values.astype(float)
time = rossi["week"].values.astype(float)
event = rossi["arrest"].values.astype(bool)
y = Surv.from_arrays(event, time)

tree = RandomSurvivalForest(n_estimators=1, bootstrap=False, max_features=None, min_samples_split=30,
                            min_samples_leaf=15, random_state=0).fit(x, y)
chf = tree.predict_cumulative_hazard_function(x, return_array=True)[:, tree.is_event_time_]
surv = tree.predict_survival_function(x, return_array=True)[:, tree.is_event_time_]
risk = tree.predict(x)
leaf = tree.estimators_[0].apply(x.astype(np.float32))
first = {}
for r, l in enumerate(leaf):
    first.setdefault(l, r)
print("/// The event times of Rossi (weeks).")
print(f"const RSF_EVENT_TIMES: [f64; {len(tree.unique_times_[tree.is_event_time_])}] = {list(map(float, tree.unique_times_[tree.is_event_time_]))};")
print("/// Each row's leaf: the first row in it.")
print(f"const RSF_LEAF_OF: [usize; {len(leaf)}] = {[first[l] for l in leaf]};")
print("/// Per leaf: (first row, risk score, cumulative hazard, survival at the event times).")
print(f"const RSF_LEAVES: [(usize, f64, [f64; {chf.shape[1]}], [f64; {chf.shape[1]}]); {len(first)}] = [")
for l, r in sorted(first.items(), key=lambda kv: kv[1]):
    print(f"    ({r}, {float(risk[r])!r}, {[float(v) for v in chf[r]]}, {[float(v) for v in surv[r]]}),")
print("];")

test = np.arange(len(rossi)) % 4 == 0
cs = []
for seed in range(10):
    rsf = RandomSurvivalForest(random_state=seed).fit(x[~test], y[~test])
    cs.append(concordance_index_censored(event[test], time[test], rsf.predict(x[test]))[0])
print("// rsf defaults, held-out C per seed", [round(float(c), 4) for c in cs], "mean", repr(float(np.mean(cs))))
