"""lme4's estimates for the GLMMs of ``tests/backends/test_marginal_laplace.py`` (needs R with lme4).

The data are simulated with NumPy by the test module's ``simulate`` (so the test re-creates them
without R); this script writes them to a temporary CSV, fits ``glmer()`` (Laplace, lme4's default
``nAGQ = 1``) and stores the fixed effects, their standard errors and the group sd in
``tests/reference/lme4_glmm/<case>.json``. The crossed gaussian case of
``tests/backends/test_marginal_laplace_crossed.py`` gets ``lmer()`` (REML, lme4's default) and its
fixed effects, standard errors, the three group sds and sigma in ``crossed.json``.

    python tools/lme4_glmm_reference.py          # all cases
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.backends.test_marginal_laplace import CASES, simulate  # noqa: E402
from tests.backends.test_marginal_laplace_crossed import FORMULA, simulate_crossed  # noqa: E402

R = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
fam <- if (args[2] == "poisson") poisson() else binomial()
fit <- glmer(y ~ x + (1 | g), data = d, family = fam)
co <- summary(fit)$coefficients
cat(sprintf('{"b_Intercept": %.10g, "b_x": %.10g, "se_Intercept": %.10g, "se_x": %.10g, "sd_g__Intercept": %.10g, "lme4": "%s"}\n',
    co[1, 1], co[2, 1], co[1, 2], co[2, 2], attr(VarCorr(fit)$g, "stddev")[[1]], packageVersion("lme4")))
"""

R_CROSSED = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
fit <- lmer(as.formula(args[2]), data = d)
co <- summary(fit)$coefficients
vc <- VarCorr(fit)
cat(sprintf('{"b_Intercept": %.10g, "b_x": %.10g, "se_Intercept": %.10g, "se_x": %.10g, "sd_s__Intercept": %.10g, "sd_d__Intercept": %.10g, "sd_dept__Intercept": %.10g, "sigma": %.10g, "REML": true, "lme4": "%s"}\n',
    co[1, 1], co[2, 1], co[1, 2], co[2, 2], attr(vc$s, "stddev")[[1]], attr(vc$d, "stddev")[[1]],
    attr(vc$dept, "stddev")[[1]], sigma(fit), packageVersion("lme4")))
"""


def main() -> None:
    out = ROOT / "tests" / "reference" / "lme4_glmm"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in CASES.items():
            csv = Path(tmp) / f"{name}.csv"
            simulate(name).to_csv(csv, index=False)
            res = subprocess.run(["Rscript", "-e", R, str(csv), spec["family"]], capture_output=True, text=True,
                                 check=True)
            ref = json.loads(res.stdout.strip().splitlines()[-1])
            ref.update(case=name, **{k: v for k, v in spec.items() if k != "family"}, family=spec["family"])
            (out / f"{name}.json").write_text(json.dumps(ref, indent=1) + "\n")
            print(name, ref)
        csv = Path(tmp) / "crossed.csv"
        simulate_crossed().to_csv(csv, index=False)
        res = subprocess.run(["Rscript", "-e", R_CROSSED, str(csv), FORMULA], capture_output=True, text=True, check=True)
        ref = json.loads(res.stdout.strip().splitlines()[-1])
        ref.update(case="crossed", formula=FORMULA, n=len(simulate_crossed()))
        (out / "crossed.json").write_text(json.dumps(ref, indent=1) + "\n")
        print("crossed", ref)


if __name__ == "__main__":
    main()
