"""Named block slots that code pieces fill and that add together.

Every piece of the generator (population effects, one group-level block, the
likelihood, priors, ...) returns a :class:`StanBlocks`.  Lines are written
without the block's base indentation; the template adds it.  ``values`` holds
the Stan data the piece declared, so code and data names can never drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

SLOTS = (
    "functions",
    "data",
    "tdata_def",
    "tdata_comp",
    "par",
    "tpar_def",
    "tpar_comp",
    "tpar_prior",
    "model_def",
    "model_comp",
    "likelihood",
    "model_prior",
    "gen_def",
    "gen_comp",
)


@dataclass
class StanBlocks:
    """Lines of Stan code per block slot, plus the data values they declare."""

    functions: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    tdata_def: list[str] = field(default_factory=list)
    tdata_comp: list[str] = field(default_factory=list)
    par: list[str] = field(default_factory=list)
    tpar_def: list[str] = field(default_factory=list)
    tpar_comp: list[str] = field(default_factory=list)
    tpar_prior: list[str] = field(default_factory=list)
    model_def: list[str] = field(default_factory=list)
    model_comp: list[str] = field(default_factory=list)
    likelihood: list[str] = field(default_factory=list)
    model_prior: list[str] = field(default_factory=list)
    gen_def: list[str] = field(default_factory=list)
    gen_comp: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def __iadd__(self, other: "StanBlocks") -> "StanBlocks":
        for f in fields(self):
            if f.name == "values":
                clash = set(self.values) & set(other.values)
                if clash:
                    raise RuntimeError(f"internal: Stan data declared twice: {sorted(clash)}")
                self.values.update(other.values)
            elif f.name == "functions":
                for fn in other.functions:  # helper functions are shared, emit once
                    if fn not in self.functions:
                        self.functions.append(fn)
            else:
                getattr(self, f.name).extend(getattr(other, f.name))
        return self

    def declare(self, decl: str, name: str, value: Any, comment: str = "") -> None:
        """Add a data declaration ``decl`` (e.g. ``"vector[N] Y"``) and its value."""
        self.data.append(f"{decl};" + (f"  // {comment}" if comment else ""))
        self.values[name] = value


def indent(lines: list[str], n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else "" for line in lines)
