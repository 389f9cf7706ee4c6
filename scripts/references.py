"""Regenerates the reference numbers pasted into the tests, with their seeds, and checks each
against the value the test holds.

    python3 scripts/references.py [--bedside-folds]

Needs Python 3 with scikit-learn (the numbers in the tests come from scikit-learn 1.9.1).
tests/models.rs's numbers are scikit-learn's on the test's 600 rows with scikit-learn's own
3 x stratified 5-fold split (`StratifiedKFold(5, shuffle=True, random_state=r)`, r = 0, 1, 2).
`--bedside-folds` also prints them on Bedside's own folds (the test's seed 7), for information:
it needs cargo, and builds and runs benches/split_rows.rs, which writes those folds' test rows.

Prints one line per number: the test, what is computed, the value in the test, the value
regenerated here, and whether they agree (at the precision the test writes the number with).
Exits non-zero if any differs.
"""
import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sklearn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = []


def check(where, what, pasted, value, digits):
    """`pasted` as written in the test; agrees if `value` rounds to it at `digits` decimals."""
    ok = round(float(value), digits) == round(float(pasted), digits)
    RESULTS.append(ok)
    print(f"{'ok  ' if ok else 'DIFF'} {where}: {what}: test {pasted}, regenerated {value:.{digits + 2}f}")


# ---------------------------------------------------------------------------------------------
# tests/models.rs: every classifier, 3 x stratified 5-fold CV on the LCG data
# ---------------------------------------------------------------------------------------------

def lcg_data():
    """tests/models.rs `signal_data()`: 600 x 8 from a 64-bit LCG seeded 42."""
    state, n, p = 42, 600, 8
    mask = (1 << 64) - 1

    def nxt():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        return (state >> 11) / float(1 << 53)

    x = np.zeros((n, p))
    y = np.zeros(n, dtype=int)
    for i in range(n):
        for j in range(p):
            x[i, j] = nxt() * 4.0 - 2.0
        z = 1.5 * x[i, 0] - x[i, 1] + x[i, 2] * x[i, 3] + 0.8 * np.sin(2.0 * x[i, 4]) + (nxt() * 2.0 - 1.0)
        y[i] = z > 0.3
    return x, y


def split_rows_tool():
    """Builds benches/split_rows.rs (release) and returns its executable."""
    r = subprocess.run(["cargo", "build", "--release", "--bench", "split_rows", "--message-format=json"],
                       cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    for line in r.stdout.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "split_rows" and m.get("executable"):
            return m["executable"]
    raise SystemExit("building benches/split_rows.rs gave no executable")


def bedside_folds(tool, x, y):
    """The test rows of each of Bedside's `repeated_stratified_kfold` (5 folds x 3, seed 7)
    splits: the same `Evaluation::folds(&y, 7)` the test uses (the run shuffles its outer
    splits with the recipe seed as is, src/seeds.rs)."""
    with tempfile.TemporaryDirectory() as tmp:
        data, recipe, pred = Path(tmp, "lcg.csv"), Path(tmp, "recipe.json"), Path(tmp, "pred.csv")
        with open(data, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([f"x{j}" for j in range(x.shape[1])] + ["y"])
            for row, t in zip(x, y):
                w.writerow([repr(float(v)) for v in row] + [int(t)])
        recipe.write_text(json.dumps({
            "version": 1, "seed": 7, "target": "y", "models": [{"kind": "naive_bayes"}],
            "evaluation": {"method": "repeated_stratified_kfold", "folds": 5, "repeats": 3,
                           "permutation_repeats": 0}}))
        subprocess.run([tool, data, recipe, pred], check=True)
        by_split = {}
        with open(pred) as f:
            for r in csv.DictReader(f):
                by_split.setdefault(int(r["split"]), []).append(int(r["row"]))
        return [np.array(by_split[s]) for s in sorted(by_split)]


def sklearn_folds(y):
    """The folds the numbers in tests/models.rs were computed on: scikit-learn's own
    `StratifiedKFold(5, shuffle=True, random_state=r)` for repeats r = 0, 1, 2 (the same 600
    rows as the test, not the same fold assignment: Bedside's folds come from its seed)."""
    from sklearn.model_selection import StratifiedKFold

    x0 = np.zeros((len(y), 1))
    return [te for r in range(3) for _, te in StratifiedKFold(5, shuffle=True, random_state=r).split(x0, y)]


def models_rs(tool):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    # Bedside's model spec in the test -> the scikit-learn estimator with the same defaults.
    estimators = {
        '{"kind": "logistic_regression"}': lambda: LogisticRegression(),
        '{"kind": "decision_tree"}': lambda: DecisionTreeClassifier(random_state=0),
        '{"kind": "random_forest"}': lambda: RandomForestClassifier(random_state=0),
        '{"kind": "gradient_boosting"}': lambda: HistGradientBoostingClassifier(random_state=0),
        '{"kind": "naive_bayes"}': lambda: GaussianNB(),
        '{"kind": "knn"}': lambda: KNeighborsClassifier(),
        '{"kind": "svm"}': lambda: SVC(probability=True, random_state=0),
        '{"kind": "svm", "kernel": "linear"}': lambda: SVC(kernel="linear", probability=True, random_state=0),
        '{"kind": "mlp"}': lambda: MLPClassifier(random_state=0),
        '{"kind": "mlp", "early_stopping": false}': lambda: MLPClassifier(random_state=0),
    }
    x, y = lcg_data()
    if tool is None:
        lcg_folds, which = sklearn_folds(y), "checked"
    else:
        lcg_folds, which = bedside_folds(tool, x, y), "on Bedside's folds (information, not checked)"
    assert len(lcg_folds) == 15 and sorted(np.concatenate(lcg_folds[:5])) == list(range(600)), "unexpected folds"
    source = (ROOT / "tests" / "models.rs").read_text()
    pasted = re.findall(r'close\(\s*r#"(\{.*?\})"#,\s*([0-9.]+),\s*([0-9.]+),', source, re.S)
    assert pasted, "no close(...) calls found in tests/models.rs"
    cache = {}
    for spec, acc_t, auc_t in pasted:
        make = estimators[spec]
        key = make().__repr__()
        if key not in cache:
            acc, auc = [], []
            for test in lcg_folds:
                train = np.setdiff1d(np.arange(len(y)), test)
                est = make().fit(x[train], y[train])
                p = est.predict_proba(x[test])[:, 1]
                # scikit-learn's own `predict` (a forest's tie at 0.5 goes to class 0; SVC
                # predicts from its decision function, not from the Platt probabilities).
                acc.append((est.predict(x[test]) == y[test]).mean())
                auc.append(roc_auc_score(y[test], p))
            cache[key] = (np.mean(acc), np.mean(auc))
        acc, auc = cache[key]
        if tool is None:
            check("tests/models.rs", f"{spec} accuracy ({key})", acc_t, acc, 4)
            check("tests/models.rs", f"{spec} ROC-AUC ({key})", auc_t, auc, 4)
        else:
            print(f"info tests/models.rs {which}: {spec} ({key}): accuracy {acc:.4f}, ROC-AUC {auc:.4f}")
    # The comment of mlp_matches_reference: scikit-learn with early_stopping=True.
    m = re.search(r"early_stopping=True.*?gets only ([0-9.]+) / ([0-9.]+)", source, re.S)
    if m and tool is None:
        acc, auc = [], []
        for test in lcg_folds:
            train = np.setdiff1d(np.arange(len(y)), test)
            est = MLPClassifier(random_state=0, early_stopping=True).fit(x[train], y[train])
            p = est.predict_proba(x[test])[:, 1]
            acc.append((est.predict(x[test]) == y[test]).mean())
            auc.append(roc_auc_score(y[test], p))
        check("tests/models.rs", "MLPClassifier(early_stopping=True) accuracy (comment)", m.group(1), np.mean(acc), 4)
        check("tests/models.rs", "MLPClassifier(early_stopping=True) ROC-AUC (comment)", m.group(2), np.mean(auc), 4)


# ---------------------------------------------------------------------------------------------
# tests/metrics.rs
# ---------------------------------------------------------------------------------------------

def metrics_rs():
    from sklearn import metrics as m

    y, p = [1, 1, 0, 0, 1, 0], [0.9, 0.4, 0.35, 0.8, 0.7, 0.1]  # the test's Y and P
    w = "tests/metrics.rs"
    check(w, "roc_auc_score([0,0,1,1], [.1,.4,.35,.8])", 0.75, m.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 15)
    check(w, "average_precision_score(Y, P)", 0.8055555555555556, m.average_precision_score(y, p), 15)
    check(w, "brier_score_loss(Y, P)", 0.2054166666666667, m.brier_score_loss(y, p), 15)
    check(w, "log_loss(Y, P)", 0.5873179226091825, m.log_loss(y, p), 15)
    check(w, "average_precision_score([0,0,1,1], [.1,.4,.35,.8])", 0.8333333333333333,
          m.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 15)
    check(w, "average_precision_score([0,1,1,0,1], [.5,.5,.9,.1,.5])", 0.8333333333333333,
          m.average_precision_score([0, 1, 1, 0, 1], [0.5, 0.5, 0.9, 0.1, 0.5]), 15)
    check(w, "matthews_corrcoef([1,1,1,-1], [1,-1,1,1])", -1 / 3, m.matthews_corrcoef([1, 1, 1, -1], [1, -1, 1, 1]), 15)
    check(w, "brier_score_loss([0,1,1,0], [.1,.9,.8,.3])", 0.0375, m.brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 15)
    check(w, "log_loss(spam/ham example)", 0.21616187468057912,
          m.log_loss(["spam", "ham", "ham", "spam"], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]), 15)
    check(w, "log_loss([1,0], [0,1]) (clipped at machine epsilon)", 36.04365338911715, m.log_loss([1, 0], [0.0, 1.0]), 9)
    yt, yp = [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]
    check(w, "mean_absolute_error", 0.5, m.mean_absolute_error(yt, yp), 15)
    check(w, "root_mean_squared_error", 0.6123724356957945, m.root_mean_squared_error(yt, yp), 15)
    check(w, "r2_score", 0.9486081370449679, m.r2_score(yt, yp), 15)


# ---------------------------------------------------------------------------------------------
# tests/features.rs: scikit-learn's documented examples
# ---------------------------------------------------------------------------------------------

def features_rs():
    from sklearn.decomposition import PCA
    from sklearn.impute import KNNImputer, SimpleImputer
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    w = "tests/features.rs"
    nan = np.nan
    t = SimpleImputer(strategy="mean").fit([[7, 2, 3], [4, nan, 6], [10, 5, 9]]).transform(
        [[nan, 2, 3], [4, nan, 6], [10, nan, 9]])
    for got, want in zip(t.ravel(), [7, 2, 3, 4, 3.5, 6, 10, 3.5, 9]):
        check(w, "SimpleImputer(mean) example", want, got, 12)
    t = KNNImputer(n_neighbors=2).fit_transform([[1, 2, nan], [3, 4, 3], [nan, 6, 5], [8, 8, 7]])
    for got, want in zip(t.ravel(), [1, 2, 4, 3, 4, 3, 5.5, 6, 5, 8, 8, 7]):
        check(w, "KNNImputer(n_neighbors=2) example", want, got, 12)
    check(w, "StandardScaler example", 3.0, StandardScaler().fit([[0, 0], [0, 0], [1, 1], [1, 1]]).transform([[2, 2]])[0, 0], 12)
    t = MinMaxScaler().fit([[-1, 2], [-0.5, 6], [0, 10], [1, 18]]).transform([[2, 2]])[0]
    check(w, "MinMaxScaler example [0]", 1.5, t[0], 12)
    check(w, "MinMaxScaler example [1]", 0.0, t[1], 12)
    t = RobustScaler().fit_transform([[1, -2, 2], [-2, 1, 3], [4, 1, -2]])
    for got, want in zip(t.ravel(), [0, -2, 0, -1, 0, 0.4, 1, 0, -1.6]):
        check(w, "RobustScaler example", want, got, 12)
    pca = PCA(n_components=2).fit([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    for got, want in zip(pca.explained_variance_ratio_, [0.99244289, 0.00755711]):
        check(w, "PCA explained_variance_ratio_", want, got, 8)
    for got, want in zip(pca.singular_values_, [6.30061232, 0.54980396]):
        check(w, "PCA singular_values_", want, got, 8)
    c = pca.components_[0] * np.sign(pca.components_[0][np.argmax(np.abs(pca.components_[0]))])
    for got, want in zip(c, [0.83849224, 0.54491354]):
        check(w, "PCA components_[0] (sign: largest positive)", want, got, 8)


# ---------------------------------------------------------------------------------------------
# unit tests in src/models
# ---------------------------------------------------------------------------------------------

def models_unit():
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import Ridge

    r = Ridge(alpha=1.0).fit([[0, 0], [0, 0], [1, 1]], [0, 0.1, 1])
    w = "src/models/linear.rs ridge_matches_scikit_learn"
    check(w, "Ridge coef_[0]", 0.2714285714285714, r.coef_[0], 12)
    check(w, "Ridge coef_[1]", 0.2714285714285714, r.coef_[1], 12)
    check(w, "Ridge intercept_", 0.18571428571428572, r.intercept_, 12)

    x = np.arange(200, dtype=float).reshape(-1, 1)
    y = np.sin(np.arange(200) / 20.0)
    g = HistGradientBoostingRegressor(early_stopping=False).fit(x, y)
    w = "src/models/gradient_boosting_tests.rs squared_error_boosting_matches_scikit_learn"
    check(w, "HistGradientBoostingRegressor training MSE", 0.014276539038302718, np.mean((g.predict(x) - y) ** 2), 9)

    c = HistGradientBoostingClassifier(max_iter=1, min_samples_leaf=1, early_stopping=False)
    c.fit([[1.0], [2.0], [3.0], [4.0]], [0, 0, 1, 1])
    d = c.decision_function([[1.0], [2.0], [3.0], [4.0]])
    w = "src/models/gradient_boosting_tests.rs one_iteration_stump_matches_hand_computation"
    for i, want in enumerate([-0.2, -0.2, 0.2, 0.2]):
        check(w, f"decision_function row {i}", want, d[i], 12)


def main():
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    metrics_rs()
    features_rs()
    models_unit()
    models_rs(None)
    if "--bedside-folds" in sys.argv:
        models_rs(split_rows_tool())
    bad = RESULTS.count(False)
    print(f"{len(RESULTS) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
