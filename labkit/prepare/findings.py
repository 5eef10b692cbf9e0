"""A finding of the quality report: one defect, where it is, why it matters, and its fix.

The detectors (:mod:`labkit.prepare.detectors`, :mod:`labkit.prepare.leaks`) each return
:class:`Finding` objects; the helpers here write the pieces of their French messages (row lists,
shares, quoted column names, examples) the same way for all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.prepare.recipe import Step

MAX_ROWS = 1000  # row indices kept per finding (``count`` has the total)


@dataclass
class Finding:
    """One defect: what, where, why it matters, and a proposed fix (a recipe step, or None)."""

    kind: str
    columns: list[str]
    count: int
    rows: list[Any]
    message: str
    why: str
    fix: Step | None = None
    severity: str = "warning"  # "info", "warning" or "critical"
    dimension: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return messages.text(f"quality.kind_{self.kind}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "count": int(self.count),
            "rows": [_plain(r) for r in self.rows],
            "message": self.message,
            "why": self.why,
            "fix": self.fix.to_dict() if self.fix else None,
            "severity": self.severity,
        }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def kept_rows(index: pd.Index) -> list[Any]:
    """The row labels a finding keeps (the first :data:`MAX_ROWS`), as plain values."""
    return [_plain(v) for v in index[:MAX_ROWS]]


def percent(part: float, whole: float) -> str:
    """``part`` as a share of ``whole`` in French, without the sign: ``4,5`` or ``12``."""
    value = 100 * part / whole if whole else 0.0
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.replace(".", ",")


def quoted(columns: list[str], limit: int = 8) -> str:
    """Column names between « », at most ``limit`` of them: ``« a », « b », …``."""
    shown = [f"« {c} »" for c in columns[:limit]]
    if len(columns) > limit:
        shown.append("…")
    return ", ".join(shown)


def example_list(values: list[Any], limit: int = 3) -> str:
    """The first ``limit`` different values, written the French way, between « »."""
    seen = []
    for value in values:
        text = _fmt(value)
        if text not in seen:
            seen.append(text)
        if len(seen) >= limit:
            break
    return ", ".join(f"« {v} »" for v in seen)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}".replace(",", "\u202f")
        return f"{value:,.4g}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}".replace(",", "\u202f")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    return str(value)
