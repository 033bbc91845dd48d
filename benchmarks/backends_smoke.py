"""Time compile + sample on every available backend and cross-check log densities.

Run: ``python benchmarks/backends_smoke.py`` (PyStan's first compile of the
program takes a minute or two; httpstan caches it afterwards).
"""

from __future__ import annotations

import time

import numpy as np

from brmspy.backends import SampleConfig, available_backends, get_backend

CODE = """data {
  int<lower=0> N;
  vector[N] y;
}
parameters {
  real mu;
  real<lower=0> sigma;
  simplex[3] theta;
}
model {
  mu ~ normal(0, 10);
  sigma ~ exponential(1);
  theta ~ dirichlet(rep_vector(2, 3));
  y ~ normal(mu, sigma);
}
generated quantities {
  matrix[2, 3] m;
  for (i in 1:2) for (j in 1:3) m[i, j] = 10 * i + j + mu;
}
"""
DATA = {"N": 20, "y": np.random.default_rng(7).normal(1.5, 2.0, size=20)}


def main() -> None:
    config = SampleConfig(chains=4, iter=2000, seed=1)
    theta = np.random.default_rng(1).uniform(-2, 2, size=4)
    reference = None
    for name in available_backends():
        backend = get_backend(name)
        start = time.perf_counter()
        model = backend.compile(CODE)
        draws = backend.sample(model, DATA, config)
        total = time.perf_counter() - start
        lp, grad = backend.log_prob_grad(model, DATA, theta)
        reference = reference or (lp, grad)
        agree = np.allclose([lp, *grad], [reference[0], *reference[1]], rtol=1e-8)
        timings = ", ".join(f"{k}={v:.3f}s" for k, v in draws.timings.items())
        print(
            f"{name:10s} total={total:.2f}s ({timings}) "
            f"mean(mu)={draws.params['mu'].mean():.3f} "
            f"divergences={int(draws.sampler_stats['divergent__'].sum())} "
            f"log_prob agrees with first backend: {agree}"
        )


if __name__ == "__main__":
    main()
