"""Reference numbers for tests/survival.rs, from lifelines (a reference only, never a product part).

    pip install lifelines==0.30.3
    python scripts/survival-reference.py            # prints the numbers pasted into the test
    python scripts/survival-reference.py --write    # also (re)writes tests/data/rossi.csv
    python scripts/survival-reference.py --survmodels  # also elastic net, RSF, Cox boosting
                                                       # (needs scikit-survival==0.28.0)

Data: the Rossi recidivism data (Rossi, Berk & Lenihan 1980, "Money, Work and Crime"; 432
released prisoners followed 52 weeks), as shipped by lifelines (`lifelines.datasets.load_rossi`).
"""
import sys

import numpy as np
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import logrank_test, multivariate_logrank_test, proportional_hazard_test
from lifelines.utils import concordance_index, median_survival_times

rossi = load_rossi()
if "--write" in sys.argv:
    rossi.to_csv("tests/data/rossi.csv", index=False)

print("# Cox PH, Efron ties, penalizer 0: week ~ arrest; all 7 inputs")
cph = CoxPHFitter().fit(rossi, duration_col="week", event_col="arrest")
s = cph.summary
for name in s.index:
    r = s.loc[name]
    print(f'("{name}", {float(r["coef"])!r}, {float(r["se(coef)"])!r}, {float(r["exp(coef)"])!r}, {float(r["p"])!r}),')
print("log_likelihood", repr(float(cph.log_likelihood_)))
print("baseline H0 at 52 (Breslow, at the means)", repr(float(cph.baseline_cumulative_hazard_.iloc[-1, 0])))
ph = proportional_hazard_test(cph, rossi, time_transform="km")
for name, row in ph.summary.iterrows():
    print(f'ph ("{name}", {float(row["test_statistic"])!r}, {float(row["p"])!r}),')

print("# Cox PH with penalizer 0.1 (ridge on standardized inputs)")
cph2 = CoxPHFitter(penalizer=0.1).fit(rossi, duration_col="week", event_col="arrest")
for name in cph2.summary.index:
    r = cph2.summary.loc[name]
    print(f'("{name}", {float(r["coef"])!r}, {float(r["se(coef)"])!r}),')

print("# Kaplan-Meier of all rows (exponential Greenwood bands)")
kmf = KaplanMeierFitter().fit(rossi["week"], rossi["arrest"])
sf = kmf.survival_function_
ci = kmf.confidence_interval_
for t in [1.0, 10.0, 20.0, 52.0]:
    print(f"({t}, {float(sf.loc[t].iloc[0])!r}, {float(ci.loc[t].iloc[0])!r}, {float(ci.loc[t].iloc[1])!r}),")
print("median", kmf.median_survival_time_, "(not reached: inf)")
print("at_risk at 20", int(kmf.event_table.loc[20.0, "at_risk"]))

print("# log-rank by fin; by prio capped at 3 (4 groups)")
lr = logrank_test(rossi.week[rossi.fin == 0], rossi.week[rossi.fin == 1],
                  rossi.arrest[rossi.fin == 0], rossi.arrest[rossi.fin == 1])
print("log_rank fin", repr(float(lr.test_statistic)), repr(float(lr.p_value)))
mlr = multivariate_logrank_test(rossi.week, rossi.prio.clip(upper=3), rossi.arrest)
print("log_rank prio (0,1,2,3+)", repr(float(mlr.test_statistic)), mlr.degrees_of_freedom, repr(float(mlr.p_value)))

print("# Harrell's C of the Cox risk score on all rows")
risk = cph.predict_partial_hazard(rossi)
print("c_index", repr(float(concordance_index(rossi.week, -risk, rossi.arrest))))

print("# Horizon metrics (tests/survival_horizons.rs), scikit-survival 0.28.0:")
print("#   pip install scikit-survival==0.28.0")
print("# synthetic rows i = 0..199 (integer formulas, the same in the test): time 1 + (53 i mod 97),")
print("# event when 7 i mod 10 < 6, x = (37 i mod 101) / 100; training rows even i, test rows odd i;")
print("# a fixed predictor: S(t|x) = exp(-(t/40) exp(2x - 1)).")
from sksurv.metrics import brier_score, cumulative_dynamic_auc, integrated_brier_score
from sksurv.util import Surv

i = np.arange(200)
time = (1 + (53 * i) % 97).astype(float)
event = (7 * i) % 10 < 6
x = ((37 * i) % 101) / 100.0
y = Surv.from_arrays(event=event, time=time)
train, test = y[0::2], y[1::2]
lp = 2.0 * x[1::2] - 1.0
horizons = np.array([20.0, 45.0, 70.0])
surv = lambda ts: np.exp(-np.outer(np.exp(lp), np.asarray(ts) / 40.0))
auc, _ = cumulative_dynamic_auc(train, test, 1.0 - surv(horizons), horizons)
_, bs = brier_score(train, test, surv(horizons), horizons)
grid = np.linspace(20.0, 70.0, 20)
ibs = integrated_brier_score(train, test, surv(grid), grid)
print("auc", [float(v) for v in auc])
print("brier", [float(v) for v in bs])
print("integrated_brier (20 equally spaced times from 20 to 70)", repr(float(ibs)))

# ---- survmodels: elastic-net Cox, random survival forest, Cox boosting -----------------------
# (scikit-survival 0.28.0, lifelines 0.30.3; references only.)


def coxnet_reference():
    """Lasso / elastic-net Cox on Rossi: lifelines (smoothed |b|) and scikit-survival's
    CoxnetSurvivalAnalysis (Breslow ties, exact L1) at the corresponding alpha."""
    from sksurv.linear_model import CoxnetSurvivalAnalysis
    from sksurv.util import Surv

    cols = [c for c in rossi.columns if c not in ("week", "arrest")]
    z = (rossi[cols] - rossi[cols].mean()) / rossi[cols].std(ddof=1)
    y = Surv.from_arrays(rossi["arrest"].astype(bool), rossi["week"].astype(float))
    for pen, l1 in [(0.05, 1.0), (0.02, 0.5)]:
        print(f"# Cox elastic net, penalizer {pen}, l1_ratio {l1}: coefficients on the inputs' scale")
        lf = CoxPHFitter(penalizer=pen, l1_ratio=l1).fit(rossi, duration_col="week", event_col="arrest")
        sk = CoxnetSurvivalAnalysis(l1_ratio=l1, alphas=[pen], normalize=False, fit_baseline_model=False,
                                    tol=1e-12, max_iter=1_000_000).fit(z.values, y)
        skc = sk.coef_[:, 0] / rossi[cols].std(ddof=1).values
        for j, name in enumerate(cols):
            print(f'("{name}", lifelines {float(lf.params_[name])!r}, sksurv {float(skc[j])!r}),')


def rossi_split():
    """The held-out split of tests/survmodels.rs: every 4th row (0, 4, 8, ...) is a test row."""
    cols = [c for c in rossi.columns if c not in ("week", "arrest")]
    test = np.arange(len(rossi)) % 4 == 0
    x = rossi[cols].values.astype(float)
    return x[~test], x[test], rossi[~test], rossi[test]


def ensemble_reference():
    """Harrell's C on the held-out rows of Rossi: RandomSurvivalForest (defaults, 100 trees,
    averaged over 10 seeds) and GradientBoostingSurvivalAnalysis(loss="coxph") (defaults)."""
    from sksurv.ensemble import GradientBoostingSurvivalAnalysis, RandomSurvivalForest
    from sksurv.metrics import concordance_index_censored
    from sksurv.util import Surv

    xtr, xte, rtr, rte = rossi_split()
    ytr = Surv.from_arrays(rtr["arrest"].astype(bool), rtr["week"].astype(float))
    ev, tm = rte["arrest"].astype(bool).values, rte["week"].astype(float).values
    cs = []
    for seed in range(10):
        rsf = RandomSurvivalForest(random_state=seed).fit(xtr, ytr)
        cs.append(concordance_index_censored(ev, tm, rsf.predict(xte))[0])
    print("rsf held-out C (10 seeds): mean", repr(float(np.mean(cs))), "min", repr(float(np.min(cs))), "max", repr(float(np.max(cs))))
    cs = []
    for seed in range(10):
        gb = GradientBoostingSurvivalAnalysis(loss="coxph", random_state=seed).fit(xtr, ytr)
        cs.append(concordance_index_censored(ev, tm, gb.predict(xte))[0])
    print("coxph boosting held-out C (10 seeds): mean", repr(float(np.mean(cs))), "min", repr(float(np.min(cs))), "max", repr(float(np.max(cs))))
    cph = CoxPHFitter().fit(rtr, duration_col="week", event_col="arrest")
    print("cox_ph held-out C", repr(float(concordance_index_censored(ev, tm, cph.predict_log_partial_hazard(rte).values)[0])))


if "--survmodels" in sys.argv:
    coxnet_reference()
    ensemble_reference()
