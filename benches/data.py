"""Writes the benchmark data sets (deterministic, synthetic or shipped by scikit-learn) to a folder.

    python3 benches/data.py OUT_DIR [--quick]

- wide.csv:   1,000,000 x 30 numeric columns (+ binary y): CSV parse + profile.
- train.csv:  100,000 x 30 numeric columns with signal (+ binary y): forest / boosting fit and the
              end-to-end run.
- small.csv:  20,000 x 30, the same kind: the forest against LightGBM's random-forest mode too
              (whose fully grown trees take minutes per forest at 100,000 rows here).
- cancer.csv: scikit-learn's Wisconsin breast-cancer set (569 x 30, public, de-identified),
              target "malignant" (1 = malignant).
--quick shrinks wide to 100,000 rows, train to 20,000 and small to 5,000.
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer


def write(path, x, y):
    header = ",".join([f"x{i}" for i in range(x.shape[1])] + ["y"])
    data = np.column_stack([x, y])
    fmt = ["%.5g"] * x.shape[1] + ["%d"]
    np.savetxt(path, data, delimiter=",", header=header, comments="", fmt=fmt)


def main():
    out = Path(sys.argv[1])
    quick = "--quick" in sys.argv
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261125)
    sizes = [("wide", 100_000 if quick else 1_000_000), ("train", 20_000 if quick else 100_000),
             ("small", 5_000 if quick else 20_000)]
    for name, rows in sizes:
        x = rng.normal(size=(rows, 30))
        logit = x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + 0.3 * np.sin(3 * x[:, 4])
        y = (logit + rng.normal(scale=0.7, size=rows) > 0).astype(int)
        write(out / f"{name}.csv", x, y)
    cancer = load_breast_cancer()
    write(out / "cancer.csv", cancer.data, (cancer.target == 0).astype(int))
    print(f"benchmark data in {out}")


if __name__ == "__main__":
    main()
