#!/usr/bin/env python3
"""Reference SHAP values from an independent implementation, for tests/shap.rs.

SHAP 0.51's TreeExplainer (path-dependent, `feature_perturbation="tree_path_dependent"`) on
trees fitted by scikit-learn to the Wisconsin diagnostic breast cancer data set shipped in
scikit-learn (`sklearn.datasets.load_breast_cancer`; source: UCI Machine Learning Repository,
Wolberg, Street and Mangasarian 1995). The data set itself is not written out: only the fitted
trees (structure, thresholds, leaf values and training covers) and rows generated uniformly
within each input's range, with the values SHAP gives for them. The Rust test rebuilds the same
trees in Bedside's form and compares its TreeSHAP to these values (and the rankings by mean
|SHAP|).

Run: python3 scripts/shap-reference.py > tests/reference/shap_breast_cancer.json
(needs shap==0.51.0, scikit-learn 1.9 and numpy; a reference for tests only, never part of the
product).
"""
import json
import sys

import numpy as np
import shap
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier


def tree_json(t, scale=1.0, proba=True):
    """One scikit-learn tree as Bedside nodes (`x <= threshold` goes left)."""
    nodes = []
    for i in range(t.node_count):
        leaf = t.children_left[i] == -1
        v = t.value[i]
        if proba:
            # Classification trees hold class shares per node (scikit-learn >= 1.4).
            val = float(v[0][1] / v[0].sum())
        else:
            val = float(v[0][0]) * scale
        nodes.append(
            {
                "feature": 0 if leaf else int(t.feature[i]),
                "threshold": 0.0 if leaf else float(t.threshold[i]),
                "left": 0 if leaf else int(t.children_left[i]),
                "right": 0 if leaf else int(t.children_right[i]),
                "leaf": bool(leaf),
                "value": val,
                "samples": int(t.n_node_samples[i]),
                "cover": float(t.weighted_n_node_samples[i]),
            }
        )
    return {"nodes": nodes, "importances": []}


def main():
    data = load_breast_cancer()
    x, y = data.data, data.target
    # Bedside's positive class is label 1; in this set 1 = benign.
    rng = np.random.default_rng(20260101)
    lo, hi = x.min(axis=0), x.max(axis=0)
    rows = rng.uniform(lo, hi, size=(40, x.shape[1]))
    out = {
        "source": "sklearn.datasets.load_breast_cancer (UCI breast cancer Wisconsin diagnostic)",
        "shap_version": shap.__version__,
        "sklearn_version": sklearn.__version__,
        "features": list(data.feature_names),
        "rows": rows.tolist(),
        "models": [],
    }

    dt = DecisionTreeClassifier(max_depth=6, random_state=0).fit(x, y)
    rf = RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0).fit(x, y)
    gb = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(x, y)

    for name, model in [("decision_tree", dt), ("random_forest", rf)]:
        ex = shap.TreeExplainer(model)
        values = np.asarray(ex.shap_values(rows))[:, :, 1]
        base = float(np.atleast_1d(ex.expected_value)[1])
        trees = [model.tree_] if name == "decision_tree" else [e.tree_ for e in model.estimators_]
        out["models"].append(
            {
                "kind": name,
                "scale": "probability",
                "base_value": base,
                "baseline": 0.0,
                "trees": [tree_json(t) for t in trees],
                "shap": values.tolist(),
                "output": model.predict_proba(rows)[:, 1].tolist(),
            }
        )

    ex = shap.TreeExplainer(gb)
    values = np.asarray(ex.shap_values(rows))
    prior = float(gb._raw_predict_init(rows[:1])[0, 0])
    out["models"].append(
        {
            "kind": "gradient_boosting",
            "scale": "log_odds",
            "base_value": float(np.atleast_1d(ex.expected_value)[0]),
            "baseline": prior,
            "trees": [tree_json(e[0].tree_, gb.learning_rate, proba=False) for e in gb.estimators_],
            "shap": values.tolist(),
            "output": gb.decision_function(rows).tolist(),
        }
    )
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
