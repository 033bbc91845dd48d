"""HTML for notebooks (``_repr_html_``): brms's printed layout with the tables as HTML tables.

Written by hand because it only arranges pandas' ``to_html`` tables between headings and the
escaped text lines brms prints around them.
"""

from __future__ import annotations

import html
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["html_report", "pre", "table"]


def pre(text: str) -> str:
    """Plain text as it prints (monospace, escaped)."""
    text = text.strip("\n")
    return f'<pre style="margin:0.2em 0">{html.escape(text)}</pre>' if text else ""


def table(df: pd.DataFrame, digits: int = 2, integer_columns: Sequence[str] = ("Bulk_ESS", "Tail_ESS")) -> str:
    """A table with brms's rounding (``digits`` decimals; ESS as integers; NA for missing)."""
    def fmt(column: str):
        def f(v):
            if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
                if np.isnan(v):
                    return "NA"
                if np.isinf(v):
                    return "Inf" if v > 0 else "-Inf"
                return f"{int(round(v))}" if column in integer_columns else f"{v:.{digits}f}"
            return html.escape(str(v))
        return f

    formatters = {c: fmt(str(c)) for c in df.columns}
    return df.to_html(formatters=formatters, border=0, classes="brmspy", escape=False, na_rep="NA")


def html_report(parts: Sequence[tuple[str, str]]) -> str:
    """Headed parts: ``(heading, html)``; an empty heading gives the html alone."""
    out = ['<div class="brmspy-report">']
    for heading, body in parts:
        if heading:
            out.append(f"<p style=\"margin:0.6em 0 0.2em 0\"><strong>{html.escape(heading.strip())}</strong></p>")
        if body:
            out.append(body)
    out.append("</div>")
    return "\n".join(out)
