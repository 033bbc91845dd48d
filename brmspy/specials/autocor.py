"""Registers the autocorrelation terms ``ar()``, ``ma()``, ``arma()`` and ``cosy()``.

The design and its hooks live in :mod:`brmspy.autocorrelation` (data side and
predictions) and :mod:`brmspy.codegen.autocor` (Stan code); importing it here
lets the special-term loader find them.
"""

from __future__ import annotations

from ..frame import autocor as autocorrelation  # noqa: F401  (registers AutocorDesign for ar, ma, arma, cosy)
