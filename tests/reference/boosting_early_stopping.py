"""Boosting with early stopping against scikit-learn's HistGradientBoostingClassifier (issue #16).

    python3 tests/reference/boosting_early_stopping.py BEDSIDE_BINARY OUT_DIR [ROWS]

Writes a synthetic table (ROWS rows x 30 inputs, default 100,000; the generator of
benches/data.py), splits it 80/20 with a fixed seed, fits Bedside's `gradient_boosting` with its
defaults (early_stopping "auto": on, as above 10,000 rows) on the 80% through the CLI
(`run` + `--export-model`, then `apply` on the 20%) and scikit-learn's
HistGradientBoostingClassifier() with its defaults on the same 80%, and prints both accuracies
on the same 20%, their difference and the iterations each used. Not a timed test: a reference
run by hand; the difference is reported in docs/benchmarks.md.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier


def main():
    binary, out = sys.argv[1], Path(sys.argv[2])
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261125)
    x = rng.normal(size=(rows, 30))
    logit = x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + 0.3 * np.sin(3 * x[:, 4])
    y = (logit + rng.normal(scale=0.7, size=rows) > 0).astype(int)
    order = np.random.default_rng(7).permutation(rows)
    cut = int(rows * 0.8)
    train, test = order[:cut], order[cut:]
    header = ",".join([f"x{i}" for i in range(30)] + ["y"])
    fmt = ["%.5g"] * 30 + ["%d"]
    for name, idx in [("train", train), ("test", test)]:
        np.savetxt(out / f"{name}.csv", np.column_stack([x[idx], y[idx]]), delimiter=",",
                   header=header, comments="", fmt=fmt)
    recipe = {"version": 1, "seed": 1, "target": "y", "models": [{"kind": "gradient_boosting"}],
              "evaluation": {"method": "holdout", "test_fraction": 0.1, "permutation_repeats": 0}}
    (out / "recipe.json").write_text(json.dumps(recipe))
    report = subprocess.run([binary, "run", "--data", str(out / "train.csv"), "--recipe",
                             str(out / "recipe.json"), "--export-model", str(out / "model")],
                            check=True, capture_output=True, text=True).stdout
    model = next((out / "model").glob("model-0-*.json"))
    subprocess.run([binary, "apply", "--model", str(model), "--input", str(out / "test.csv"),
                    "--out", str(out / "pred.csv")], check=True, capture_output=True)
    with open(out / "pred.csv") as f:
        rows_out = list(csv.DictReader(f))
    key = next(k for k in rows_out[0] if k.startswith("prob"))
    ours = np.array([float(r[key]) >= 0.5 for r in rows_out], dtype=int)
    bundle = json.loads(model.read_text())
    ours_iter = len(json.dumps(bundle).split('"nodes"')) - 1
    acc_ours = float((ours == y[test]).mean())
    hgb = HistGradientBoostingClassifier(random_state=0).fit(x[train], y[train])
    acc_hgb = float((hgb.predict(x[test]) == y[test]).mean())
    print(json.dumps({
        "rows": rows, "test_rows": len(test),
        "bedside_accuracy": acc_ours, "sklearn_accuracy": acc_hgb,
        "difference": acc_ours - acc_hgb,
        "bedside_trees": ours_iter, "sklearn_n_iter": int(hgb.n_iter_),
        "bedside_cv_n_iter": json.loads(report)["models"][0].get("fit_info"),
    }, indent=1))


if __name__ == "__main__":
    main()
