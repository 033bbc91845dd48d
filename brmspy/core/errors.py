"""One error hierarchy for brmspy.

Every message names the problem and says what to change, so the first thing a
user sees is never a Stan stack trace.
"""

from __future__ import annotations

import warnings
from pathlib import Path

__all__ = [
    "BrmsWarning",
    "SamplerWarning",
    "DataWarning",
    "PriorWarning",
    "warn",
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


class BrmsWarning(UserWarning):
    """Base class of every warning brmspy gives (a ``UserWarning``, so existing filters still apply).

    Silence one kind with the standard filters, e.g.
    ``warnings.filterwarnings("ignore", category=brmspy.SamplerWarning)``.
    """


class SamplerWarning(BrmsWarning):
    """Sampler diagnostics: divergent transitions, R-hat, low ESS, tree depth, E-BFMI, approximate draws."""


class DataWarning(BrmsWarning):
    """Data handling: rows dropped for NAs, trials taken from the data, unused or missing values."""


class PriorWarning(BrmsWarning):
    """Priors: bounds that cut the posterior, deprecated global priors, priors that match nothing."""


#: frames inside the package are skipped, so a warning points at the user's line that called brmspy
_PACKAGE = str(Path(__file__).resolve().parents[1])


def warn(message: str, category: type[BrmsWarning] = BrmsWarning) -> None:
    """Issue a brmspy warning attributed to the user's call (the first frame outside brmspy).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn("Rows containing NAs were excluded from the model.", DataWarning)
    >>> w[0].category.__name__
    'DataWarning'
    """
    warnings.warn(message, category, skip_file_prefixes=(_PACKAGE,))
