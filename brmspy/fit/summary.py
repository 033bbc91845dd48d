"""The summary of a fit as brms prints it (:class:`BrmsSummary`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.html import html_report, pre, table

HEADINGS = {
    "group": "Multilevel Hyperparameters:",
    "population": "Regression Coefficients:",
    "family": "Further Distributional Parameters:",
}


#: further summary sections, by ParamInfo kind, in brms's print order; "before" ones come
#: ahead of the multilevel section, the rest after the regression coefficients.
SECTIONS = {
    "autocor": ("Correlation Structures:", "before"),
    "sds": ("Smoothing Spline Hyperparameters:", "before"),
    "gp": ("Gaussian Process Hyperparameters:", "before"),
    "simo": ("Monotonic Simplex Parameters:", "after"),
    "rescor": ("Residual Correlations:", "last"),
}


def _fmt_table(df: pd.DataFrame) -> str:
    if df.empty:
        return ""
    formatters = {}
    for c in df.columns:
        if c in ("Bulk_ESS", "Tail_ESS"):
            formatters[c] = lambda v: "NA" if not np.isfinite(v) else f"{int(round(v))}"
        else:
            formatters[c] = lambda v: "NA" if not np.isfinite(v) else f"{v:.2f}"
    return df.to_string(formatters=formatters)


@dataclass
class BrmsSummary:
    """What ``fit.summary()`` returns: printable, with the tables as DataFrames."""

    header: str
    group: dict[str, pd.DataFrame] = field(default_factory=dict)  # grouping factor ("Subject") -> table
    group_levels: dict[str, int] = field(default_factory=dict)  # grouping factor -> number of levels
    population: pd.DataFrame = field(default_factory=pd.DataFrame)
    family: pd.DataFrame = field(default_factory=pd.DataFrame)
    footer: str = ""
    sections: dict[str, pd.DataFrame] = field(default_factory=dict)  # SECTIONS kind -> table

    def group_title(self, group: str) -> str:
        """brms's heading of a grouping factor's table: ``~Subject (Number of levels: 18)``."""
        return f"~{group} (Number of levels: {self.group_levels.get(group, '?')}) "

    def _sections(self, where: str) -> list[str]:
        parts = []
        for kind, (title, pos) in SECTIONS.items():
            table = self.sections.get(kind)
            if pos == where and table is not None and not table.empty:
                parts += [title, _fmt_table(table), ""]
        return parts

    def __str__(self) -> str:
        parts = [self.header, ""]
        parts += self._sections("before")
        if self.group:
            parts.append(HEADINGS["group"])
            for g, table in self.group.items():
                parts += [self.group_title(g), _fmt_table(table), ""]
        if not self.population.empty:
            parts += [HEADINGS["population"], _fmt_table(self.population), ""]
        parts += self._sections("after")
        if not self.family.empty:
            parts += [HEADINGS["family"], _fmt_table(self.family), ""]
        parts += self._sections("last")
        parts.append(self.footer)
        return "\n".join(parts)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """The printed summary for notebooks, its tables as HTML tables."""
        parts: list[tuple[str, str]] = [("", pre(self.header))]
        sections = {where: [(title, table(t)) for kind, (title, pos) in SECTIONS.items()
                            if pos == where and (t := self.sections.get(kind)) is not None and not t.empty]
                    for where in ("before", "after", "last")}
        parts += sections["before"]
        if self.group:
            parts.append((HEADINGS["group"], ""))
            parts += [("", pre(self.group_title(g)) + table(t)) for g, t in self.group.items()]
        if not self.population.empty:
            parts.append((HEADINGS["population"], table(self.population)))
        parts += sections["after"]
        if not self.family.empty:
            parts.append((HEADINGS["family"], table(self.family)))
        parts += sections["last"]
        parts.append(("", pre(self.footer)))
        return html_report(parts)
