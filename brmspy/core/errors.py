"""One error hierarchy for brmspy.

Every message names the problem and says what to change, so the first thing a
user sees is never a Stan stack trace.
"""

from __future__ import annotations

__all__ = [
    "BrmsError",
    "FormulaError",
    "DataError",
    "FamilyError",
    "PriorError",
    "PlotError",
    "StanCompileError",
    "SamplingError",
    "BackendUnavailableError",
    "FitFileError",
]


class BrmsError(Exception):
    """Base class of every error raised by brmspy."""


class FormulaError(BrmsError, ValueError):
    """The model formula cannot be parsed or does not fit the data."""


class DataError(BrmsError, ValueError):
    """The data do not fit the model (missing columns, bad response values, ...)."""


class FamilyError(BrmsError, ValueError):
    """Unknown family or link, or a feature the family does not have."""


class PriorError(BrmsError, ValueError):
    """A prior is malformed or matches no parameter of the model."""


class PlotError(BrmsError, ValueError):
    """An invalid argument to a check or plot: unknown type, variable, effect or option."""


class StanCompileError(BrmsError):
    """stanc rejected a Stan program; the message carries stanc's own text."""


class SamplingError(BrmsError, RuntimeError):
    """Sampling failed or was asked for with invalid settings."""


class BackendUnavailableError(BrmsError, RuntimeError):
    """The requested Stan backend is not installed or not usable here."""


class FitFileError(BrmsError):
    """A saved fit cannot be written to or read from its file.

    Raised before sampling when ``brm(file=...)`` cannot write there, and by ``load_fit`` for a
    missing, empty, truncated, corrupt, foreign or newer-format file; the message names the
    file and, when loading, ``file_refit='always'`` to fit again and overwrite it.
    """
