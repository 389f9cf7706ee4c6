"""Reference values for the Platt scaling test in src/models/svm.rs (`platt_matches_...`).

Fits Platt's sigmoid P(y=1|f) = 1 / (1 + exp(A*f + B)) with Platt's smoothed targets, two ways
independent of Bedside: scikit-learn's `_sigmoid_calibration` (L-BFGS on the same objective) and
scipy's BFGS on the objective written out here (Platt 1999; Lin, Lin & Weng 2007). Prints A and B
for the two data sets the test uses. Run: python3 scripts/platt-reference.py (scikit-learn 1.9.1,
numpy seed 20261202 for the second data set).
"""
import numpy as np
from scipy.optimize import minimize
from sklearn.calibration import _sigmoid_calibration


def direct(f, y):
    prior1 = y.sum()
    prior0 = len(y) - prior1
    t = np.where(y == 1, (prior1 + 1.0) / (prior1 + 2.0), 1.0 / (prior0 + 2.0))

    def obj(ab):
        z = ab[0] * f + ab[1]
        # -log-likelihood with targets t: sum t*z + log(1+exp(-z)), written stably.
        return float(np.sum(t * z + np.logaddexp(0.0, -z)))

    res = minimize(obj, [0.0, np.log((prior0 + 1.0) / (prior1 + 1.0))], method="BFGS", options={"gtol": 1e-10})
    return res.x


def data_sets():
    f1 = np.array([-2.0, -1.0, -0.5, 0.2, 0.5, 1.0, 2.0, -0.1])
    y1 = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    rng = np.random.default_rng(20261202)
    y2 = (rng.random(60) < 0.4).astype(int)
    f2 = np.round(rng.normal(loc=np.where(y2 == 1, 0.8, -0.6), scale=1.0), 3)
    return [(f1, y1), (f2, y2)]


for i, (f, y) in enumerate(data_sets()):
    a, b = _sigmoid_calibration(f, y)
    da, db = direct(f, y)
    print(f"set {i}: sklearn A={a:.10f} B={b:.10f}  direct A={da:.10f} B={db:.10f}")
    if i == 1:
        print("f =", ", ".join(f"{v}" for v in f))
        print("y =", ", ".join("true" if v else "false" for v in y))
