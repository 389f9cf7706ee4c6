"""The references of `npm run bench` (scikit-learn, LightGBM, pandas), each timed on the rows
Bedside used; prints one JSON object.

    python3 benches/reference.py parse DATA_DIR
    python3 benches/reference.py holdout CSV ROWS.csv MODEL [MODEL ...]
    python3 benches/reference.py cv CSV ROWS.csv KIND [KIND ...]
    python3 benches/reference.py e2e CSV ROWS.csv --repeats R --max-samples S --resamples B

Threads: what the caller sets (`BENCH_THREADS`, passed as `n_jobs`; `OMP_NUM_THREADS` limits
HistGradientBoosting's and LightGBM's OpenMP threads and BLAS). The rows: `ROWS.csv` holds
the test rows of each of Bedside's splits for the same data and recipe (the out-of-fold
predictions file of `bedside run --predictions`: `row,split,model,y_true,score`); every other row of the CSV is that split's training rows, so
the reference is trained and scored on the rows Bedside's Report was trained and scored on.
Accuracy is at threshold 0.5 (probability >= 0.5 is positive), as in Bedside's Report.
"""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

THREADS = int(os.environ.get("BENCH_THREADS", "1"))


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def forest_params(p):
    """Bedside's random_forest defaults, as scikit-learn spells them."""
    return dict(n_estimators=100, max_features="sqrt", max_depth=None, min_samples_leaf=1,
                criterion="gini", bootstrap=True, random_state=0, n_jobs=THREADS)


def lightgbm_forest(p):
    """LightGBM's random-forest mode set as close to a bootstrap + sqrt(p)-per-split forest of
    fully grown trees as it allows. What still differs: rows are subsampled without replacement
    (63.2% of them, a bootstrap's expected share of distinct rows) instead of drawn with
    replacement; trees grow leaf-wise up to `num_leaves` (set high enough that no tree here
    reaches it); a leaf holds a Newton step on the log-loss of its rows and the forest averages
    those, where a CART leaf holds its positive share and the forest averages probabilities."""
    import lightgbm as lgb

    return lgb.LGBMClassifier(
        boosting_type="rf", n_estimators=100, bagging_fraction=0.632, bagging_freq=1,
        feature_fraction_bynode=max(1, int(np.sqrt(p))) / p, num_leaves=131072, max_depth=-1,
        min_child_samples=1, min_child_weight=1e-3, min_split_gain=0.0, reg_lambda=0.0,
        max_bin=255, histogram_pool_size=2048, n_jobs=THREADS, random_state=0, verbose=-1)


def model(name, p):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.tree import DecisionTreeClassifier

    return {
        # Bedside kinds with Bedside's defaults written out (they follow scikit-learn's).
        "logistic_regression": lambda: LogisticRegression(C=1.0, max_iter=100),
        "decision_tree": lambda: DecisionTreeClassifier(random_state=0),
        # The suggested recipe's tree (src/suggest.rs).
        "decision_tree_depth5": lambda: DecisionTreeClassifier(max_depth=5, random_state=0),
        "random_forest": lambda: RandomForestClassifier(**forest_params(p)),
        "gradient_boosting": lambda: HistGradientBoostingClassifier(random_state=0),
        "gradient_boosting_no_early_stopping": lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        "naive_bayes": lambda: GaussianNB(),
        "lightgbm_rf": lambda: lightgbm_forest(p),
    }[name]()


def load(csv):
    frame = pd.read_csv(csv)
    return frame.drop(columns="y").to_numpy(), frame["y"].to_numpy().astype(int)


def splits(rows, n):
    """Per split of Bedside's rows file: (train rows, test rows)."""
    frame = pd.read_csv(rows)
    frame = frame[frame["model"] == frame["model"].min()]  # one line per test row and split
    out = []
    for _, part in frame.groupby("split", sort=True):
        test = part["row"].to_numpy()
        mask = np.ones(n, bool)
        mask[test] = False
        out.append((np.flatnonzero(mask), test))
    return out


def scores(y, p):
    from sklearn.metrics import roc_auc_score

    return {"accuracy": float(((p >= 0.5) == (y == 1)).mean()), "roc_auc": float(roc_auc_score(y, p))}


def parse(data):
    secs, frame = timed(lambda: pd.read_csv(Path(data) / "wide.csv"))
    secs2, _ = timed(lambda: (frame.describe(), frame.isna().sum(), frame.nunique()))
    return {"seconds": secs + secs2, "rows": len(frame), "threads": 1}


def holdout(csv, pred, names):
    x, y = load(csv)
    [(train, test)] = splits(pred, len(y))
    out = {"train_rows": len(train), "test_rows": len(test), "threads": THREADS}
    for name in names:
        est = model(name, x.shape[1])
        fit, est = timed(lambda: est.fit(x[train], y[train]))
        secs, p = timed(lambda: est.predict_proba(x[test])[:, 1])
        out[name] = {"fit_seconds": fit, "predict_seconds": secs, **scores(y[test], p),
                     "params": {k: v for k, v in est.get_params().items() if not callable(v)}}
        if hasattr(est, "n_iter_"):
            out[name]["iterations"] = int(est.n_iter_)
    return out


def cv(csv, pred, kinds):
    """Impute (median) + scale (standard) + each model, on Bedside's folds."""
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = load(csv)
    folds = splits(pred, len(y))
    cv_rows = folds
    out = {"threads": THREADS, "seconds": 0.0, "models": {}}
    for i, kind in enumerate(kinds):
        pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), model(kind, x.shape[1]))
        secs, res = timed(lambda: cross_validate(pipe, x, y, cv=cv_rows, scoring=["accuracy", "roc_auc"], n_jobs=THREADS))
        out["seconds"] += secs
        out["models"][kind] = {
            "seconds": secs, "accuracy": float(np.mean(res["test_accuracy"])), "roc_auc": float(np.mean(res["test_roc_auc"]))}
    return out


def bootstrap(y, p, resamples, seed):
    """95% percentile intervals of the classification metrics Bedside reports, over `resamples`
    resamples of the test rows with replacement."""
    from sklearn import metrics as m

    rng = np.random.default_rng(seed)
    n = len(y)
    values = []
    for _ in range(resamples):
        i = rng.integers(0, n, n)
        yt, pt = y[i], p[i]
        if yt.min() == yt.max():
            continue
        hard = (pt >= 0.5).astype(int)
        values.append([
            m.accuracy_score(yt, hard), m.precision_score(yt, hard, zero_division=0),
            m.recall_score(yt, hard, zero_division=0), m.recall_score(1 - yt, 1 - hard, zero_division=0),
            m.f1_score(yt, hard, zero_division=0), m.roc_auc_score(yt, pt), m.balanced_accuracy_score(yt, hard),
            m.matthews_corrcoef(yt, hard), m.average_precision_score(yt, pt), m.brier_score_loss(yt, pt),
            m.log_loss(yt, np.clip(pt, 1e-15, 1 - 1e-15), labels=[0, 1]),
        ])
    return np.percentile(np.array(values), [2.5, 97.5], axis=0)


def e2e(csv, pred, repeats, max_samples, resamples):
    """What a default run computes for RF(100) and HistGradientBoosting, done with scikit-learn:
    fit, predict, permutation importance (ROC-AUC, `repeats` shuffles, `max_samples` rows),
    bootstrap intervals of the metrics (`resamples` resamples)."""
    from sklearn.inspection import permutation_importance

    x, y = load(csv)
    [(train, test)] = splits(pred, len(y))
    out = {"train_rows": len(train), "test_rows": len(test), "threads": THREADS, "models": {}}
    for name in ("random_forest", "gradient_boosting"):
        est = model(name, x.shape[1])
        fit, est = timed(lambda: est.fit(x[train], y[train]))
        predict, p = timed(lambda: est.predict_proba(x[test])[:, 1])
        imp, _ = timed(lambda: permutation_importance(
            est, x[test], y[test], scoring="roc_auc", n_repeats=repeats, max_samples=max_samples,
            n_jobs=THREADS, random_state=0))
        boot, _ = timed(lambda: bootstrap(y[test], p, resamples, 0))
        out["models"][name] = {"fit": fit, "predict": predict, "importance": imp, "intervals": boot,
                               "total": fit + predict + imp + boot, **scores(y[test], p)}
        if hasattr(est, "n_iter_"):
            out["models"][name]["iterations"] = int(est.n_iter_)
    return out


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "parse":
        result = parse(args[0])
    elif cmd == "holdout":
        result = holdout(args[0], args[1], args[2:])
    elif cmd == "cv":
        result = cv(args[0], args[1], args[2:])
    elif cmd == "e2e":
        opt = dict(zip(args[2::2], args[3::2]))
        ms = float(opt["--max-samples"])
        result = e2e(args[0], args[1], int(opt["--repeats"]), int(ms) if ms > 1 else ms, int(opt["--resamples"]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
