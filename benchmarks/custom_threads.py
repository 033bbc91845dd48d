"""Gradient time of a custom family's likelihood, row-wise against reduce_sum (issue 21, pll_args).

A user's zero-inflated Poisson density (``custom_family("zip2", ...)``) with a likelihood-block
stanvar, 20,000 rows: the time of one ``log_prob_grad`` on stanli for the row-wise program
(``threads=1``) and the threaded one (``threads=2``) run with 1 and 2 threads per chain, and the
log densities (equal up to rounding: the same model).

Run: ``python benchmarks/custom_threads.py [rows] [evaluations]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import stanli

import brmspy as bp

ZIP2 = """
real zip2_lpmf(int y, real mu, real pzero) {
  if (y == 0) return log_sum_exp(log(pzero), log1m(pzero) + poisson_lpmf(0 | mu));
  return log1m(pzero) + poisson_lpmf(y | mu);
}
"""


def main(n: int = 20_000, k: int = 200) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    y = np.where(rng.random(n) < 0.3, 0, rng.poisson(np.exp(0.8 + 0.5 * x)))
    d = pd.DataFrame({"x": x, "y": y})
    fam = bp.custom_family("zip2", dpars=("mu", "pzero"), links=("log", "identity"), lb=(None, 0), ub=(None, 1),
                           type="int")
    sv = (bp.stanvar(scode=ZIP2, block="functions") + bp.stanvar(0.0, name="shift")
          + bp.stanvar(scode="mu += shift;", block="likelihood"))
    theta = np.array([0.5, 0.8, 0.0])
    print(f"custom family zip2, {n} rows, {k} gradients each")
    for prog, tpc in ((1, 1), (2, 1), (2, 2)):
        code = bp.make_stancode("y ~ x", d, family=fam, stanvars=sv, threads=prog)
        data = bp.make_standata("y ~ x", d, family=fam, stanvars=sv, threads=prog)
        m = stanli.Model(stan_code=code, data=data, threads_per_chain=tpc)
        m.log_prob_grad(theta)
        t0 = time.perf_counter()
        for _ in range(k):
            lp = m.log_prob_grad(theta)[0]
        dt = (time.perf_counter() - t0) / k
        print(f"  program threads={prog}, threads_per_chain={tpc}: {dt * 1e3:7.2f} ms per gradient, log density {lp:.6f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
