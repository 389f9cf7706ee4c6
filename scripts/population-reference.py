#!/usr/bin/env python3
"""Independent reference for the population-uniqueness estimators of src/privacy/population.rs.

Computes, from a class-size histogram, the share of a population that is unique as estimated by
Zayatz (1991), Pitman (Hoshino 2001's maximum-likelihood fit) and the slide negative binomial
(SNB, Chen & McNulty 1998), with SciPy (closed forms through digamma, scipy.optimize.root), not
with the Rust code's sums and Newton solver. Used to produce the numbers pasted in
tests/population.rs.

Usage:
  python3 scripts/population-reference.py                # the histograms of tests/population.rs
  python3 scripts/population-reference.py FILE.csv SEP   # class sizes of a CSV over all columns
"""
import csv
import sys
from collections import Counter

import numpy as np
from scipy import optimize, special, stats


def zayatz(hist, n, N):
    u = sum(hist.values())
    f1 = hist.get(1, 0)
    if f1 == 0:
        return 0.0
    h = lambda i: stats.hypergeom.pmf(1, N, i, n)  # P(X=1): population N, i successes, n draws
    temp = sum(fi / u * h(i) for i, fi in hist.items())
    p = (f1 / u * h(1)) / temp
    return f1 * p / (n / N) / N


def pitman(hist, n, N):
    u = sum(hist.values())
    f1 = hist.get(1, 0)
    f2 = hist.get(2, 0) or 1

    def eqs(x):
        t, a = x
        # d log L / d theta and d log L / d alpha, closed forms
        s1 = (special.digamma(t / a + u) - special.digamma(t / a + 1)) / a
        s2 = special.digamma(n + t) - special.digamma(t + 1)
        s3 = sum(1.0 * i / (t + i * a) for i in range(1, u))
        s4 = sum(fi * (special.digamma(i - a) - special.digamma(1 - a)) for i, fi in hist.items() if i > 1)
        return [s1 - s2, s3 - s4]

    c = f1 * (f1 - 1) / f2
    t0 = (n * u * c - f1 * (n - 1) * (2 * u + c)) / (2 * f1 * u + f1 * c - n * c)
    a0 = (t0 * (f1 - n) + (n - 1) * f1) / (n * u)
    sol = optimize.root(eqs, [t0, a0], method="hybr", tol=1e-13)
    if not sol.success:
        return None
    t, a = sol.x
    uniques = np.exp(special.gammaln(t + 1) - special.gammaln(t + a) + a * np.log(N))
    return uniques / N


def snb(hist, n, N):
    f = n / N
    u = sum(hist.values())
    c1 = hist.get(1, 0)
    c2 = hist.get(2, 0)
    # Shlosser's estimate of the number of non-empty classes in the population (Haas et al. 1995)
    num = sum(i * f * f * (1 - f * f) ** (i - 1) * fi for i, fi in hist.items())
    den = sum(((1 - f) ** i) * ((1 + f) ** i - 1) * fi for i, fi in hist.items())
    r1 = sum(((1 - f) ** i) * fi for i, fi in hist.items())
    r2 = sum(i * f * (1 - f) ** (i - 1) * fi for i, fi in hist.items())
    K = u + c1 * (num / den) * (r1 / r2) ** 2

    def eqs(x):
        a, b = x
        d = (1 - f) * (1 - b)
        e1 = K * f * (b / (1 - d)) ** a * (a * d / (1 - d) + 1) - c1
        e2 = K * a * b ** a * f * f * (1 - b) / 2 * (1 - d) ** (-(a + 2)) * (2 - (1 - a) * d) - c2
        return [e1 / c1, e2 / max(c2, 1)]

    for a0 in (0.01, 0.33, 0.66, 0.99, 2.0):
        for b0 in (0.01, 0.33, 0.66, 0.99):
            sol = optimize.root(eqs, [a0, b0], method="hybr", tol=1e-13)
            a, b = sol.x
            if sol.success and a > 0 and 0 < b < 1 and max(abs(v) for v in eqs(sol.x)) < 1e-9:
                return K * b ** a / N
    return None


def report(name, hist):
    n = sum(i * fi for i, fi in hist.items())
    print(f"# {name}: n = {n}, classes = {sum(hist.values())}, sample uniques = {hist.get(1, 0)}")
    for frac in (0.01, 0.1, 0.2, 0.5):
        N = round(n / frac)
        z, p, s = zayatz(hist, n, N), pitman(hist, n, N), snb(hist, n, N)
        fmt = lambda v: "none" if v is None else f"{v:.10f}"
        print(f"N = {N} (fraction {frac}): zayatz {fmt(z)}  pitman {fmt(p)}  snb {fmt(s)}")


def histogram_of_csv(path, sep):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=sep))[1:]
    return Counter(Counter(tuple(r) for r in rows).values())


if __name__ == "__main__":
    if len(sys.argv) > 1:
        hist = histogram_of_csv(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ",")
        print(sorted(hist.items()))
        report(sys.argv[1], hist)
    else:
        # ARX's data/adult.csv over all nine columns (TestRiskMetrics.testDecisionRule2): the
        # class-size histogram, (size, classes of that size).
        adult = {1: 15512, 2: 2098, 3: 754, 4: 375, 5: 189, 6: 155, 7: 97, 8: 73, 9: 39,
                 10: 37, 11: 29, 12: 18, 13: 23, 14: 14, 15: 15, 16: 9, 17: 11, 18: 10,
                 19: 10, 20: 5, 21: 3, 22: 4, 23: 3, 24: 2, 25: 1, 26: 3, 27: 5, 29: 1,
                 30: 2, 32: 1, 34: 1, 35: 1, 36: 1, 45: 1}
        report("adult", adult)
        report("small", {1: 6, 2: 3, 3: 2, 5: 1})
