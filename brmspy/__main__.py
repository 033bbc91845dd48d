"""Command line: ``python -m brmspy demo`` fits the bundled sleepstudy model and prints its summary;
``python -m brmspy --version`` prints the version."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from . import __version__  # inside main(), as `import brmspy` below: importing this module stays cheap

    parser = argparse.ArgumentParser(prog="brmspy", description="brms-style Bayesian regression with Stan.")
    parser.add_argument("--version", action="version", version=f"brmspy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="fit Reaction ~ Days + (Days | Subject) on sleepstudy and print the summary")
    demo.add_argument("--backend", default="auto", help="auto, stanli, pystan or cmdstanpy")
    demo.add_argument("--seed", type=int, default=1234)
    demo.add_argument("--save-model", default=None, help="also write the Stan program to this file")
    args = parser.parse_args(argv)

    import brmspy as bp  # here, not at the top: `python -m brmspy --help` stays fast

    df = bp.datasets.load("sleepstudy")
    formula = "Reaction ~ Days + (Days | Subject)"
    print(f"Fitting {formula} to sleepstudy ({len(df)} rows) ...", flush=True)
    fit = bp.brm(formula, data=df, seed=args.seed, backend=args.backend, refresh=0, data_name="sleepstudy",
                 save_model=args.save_model)
    t = fit.timings
    print(f"backend: {fit.backend}; build {t.get('compile', 0) + t.get('build', 0):.2f} s, sampling {t.get('sample', 0):.2f} s\n")
    print(fit.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
