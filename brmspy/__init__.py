"""brmspy: Bayesian regression models with brms's formula syntax, fitted with Stan."""

__version__ = "0.1.0"
