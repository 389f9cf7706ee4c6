"""Times the scikit-learn (n_jobs=1) and pandas references on the benchmark data; prints JSON.

    python3 benches/reference.py DATA_DIR KIND [KIND ...]

KINDs are Bedside model kinds; each maps to the scikit-learn estimator a user would pick, with
scikit-learn's defaults (Bedside's defaults follow them).
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

MODELS = {
    "logistic_regression": lambda: LogisticRegression(max_iter=100),
    "decision_tree": lambda: DecisionTreeClassifier(max_depth=5, random_state=0),
    "random_forest": lambda: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0),
    "gradient_boosting": lambda: HistGradientBoostingClassifier(random_state=0),
    "naive_bayes": lambda: GaussianNB(),
    "knn": lambda: KNeighborsClassifier(),
    "svm": lambda: SVC(probability=True, random_state=0),
    "mlp": lambda: MLPClassifier(random_state=0, early_stopping=True),
}


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    data = Path(sys.argv[1])
    kinds = sys.argv[2:]
    result = {}
    secs, frame = timed(lambda: pd.read_csv(data / "wide.csv"))
    secs2, _ = timed(lambda: (frame.describe(), frame.isna().sum(), frame.nunique()))
    result["parse_profile"] = {"seconds": secs + secs2, "rows": len(frame)}

    train = pd.read_csv(data / "train.csv")
    x, y = train.drop(columns="y").to_numpy(), train["y"].to_numpy()
    cut = int(len(y) * 0.99)
    for kind in ("random_forest", "gradient_boosting"):
        if kind in kinds:
            model = MODELS[kind]()
            secs, model = timed(lambda: model.fit(x[:cut], y[:cut]))
            result[f"fit_{kind}"] = {"seconds": secs, "accuracy": float((model.predict(x[cut:]) == y[cut:]).mean())}

    cancer = pd.read_csv(data / "cancer.csv")
    xc, yc = cancer.drop(columns="y").to_numpy(), cancer["y"].to_numpy()
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    total, per = 0.0, {}
    for kind in kinds:
        pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), MODELS[kind]())
        secs, scores = timed(lambda: cross_validate(pipe, xc, yc, cv=cv, scoring=["accuracy", "roc_auc"], n_jobs=1))
        total += secs
        per[kind] = {"seconds": secs, "accuracy": float(np.mean(scores["test_accuracy"])), "roc_auc": float(np.mean(scores["test_roc_auc"]))}
    result["cv_cancer"] = {"seconds": total, "models": per}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
