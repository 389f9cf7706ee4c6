"""Reference values for the recalibration test in tests/clinical.rs (`matches_sklearn_...`).

The data and the folds are written out by formula (the test builds the same ones): 40 rows,
two features, five inner folds of eight consecutive rows. scikit-learn's
CalibratedClassifierCV(GaussianNB(), cv=<those folds>, method=..., ensemble=True) is fitted and
its probabilities for five new rows printed. GaussianNB has no decision function, so scikit-learn
calibrates its probabilities, as Bedside does. Run: python3 scripts/calibration-reference.py
(scikit-learn 1.9.1).
"""
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.naive_bayes import GaussianNB


def data():
    y = np.array([(i * 7) % 5 < 2 for i in range(40)], dtype=int)
    x1 = np.array([((i * 13) % 11) / 5.0 + (0.8 if y[i] else 0.0) for i in range(40)])
    x2 = np.array([((i * 29) % 7) / 3.0 - (0.5 if y[i] else 0.0) for i in range(40)])
    return np.column_stack([x1, x2]), y


def folds():
    out = []
    for j in range(5):
        test = np.arange(8 * j, 8 * j + 8)
        train = np.array([i for i in range(40) if i // 8 != j])
        out.append((train, test))
    return out


NEW = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [2.8, -0.4], [0.5, 2.0]])

x, y = data()
for method in ["sigmoid", "isotonic"]:
    c = CalibratedClassifierCV(GaussianNB(), cv=folds(), method=method, ensemble=True).fit(x, y)
    p = c.predict_proba(NEW)[:, 1]
    print(method, "[" + ", ".join(f"{v:.10f}" for v in p) + "]")
