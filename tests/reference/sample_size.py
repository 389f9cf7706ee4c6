"""Reference for the C-statistic → Cox–Snell R² conversion in tests/calibration.rs.

Run: python3 tests/reference/sample_size.py   (numpy, statsmodels 0.15)

Riley, Van Calster & Collins (Stat Med 2021;40:859) and pmsampsize's `cstatistic` option:
simulate a million linear predictors, N(0, 1) for non-events and N(mu, 1) for events with
mu = sqrt(2) * Phi^-1(C), fit the logistic regression of the outcome on them, and take
R2_cs = 1 - exp(-LR / n). The simulation's sampling error is about 1e-3 in R2_cs.
"""
import numpy as np
import statsmodels.api as sm
from scipy.stats import norm

rng = np.random.default_rng(123456)
n = 1_000_000
for c, prev in [(0.8, 0.174), (0.89, 0.174), (0.7, 0.05)]:
    mu = np.sqrt(2) * norm.ppf(c)
    events = int(round(prev * n))
    lp = np.concatenate([rng.normal(0, 1, n - events), rng.normal(mu, 1, events)])
    y = np.concatenate([np.zeros(n - events), np.ones(events)])
    fit = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
    ll_null = events * np.log(prev) + (n - events) * np.log(1 - prev)
    lr = 2 * (fit.llf - ll_null)
    print(f"c={c} prevalence={prev} r2_cs={1 - np.exp(-lr / n)!r}")
