"""Numbers, rates and values of module 05 written the French way, as a person reads them.

Every figure of the learning stage (scores, rates, gaps in points, a class or a value of a column)
is shown through these functions, so that the tables, the figures and the texts agree.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from labkit import frenchfmt, messages


def number(value: float, digits: int = 3) -> str:
    """A number written the French way (``0,83``, ``12 500``), ``digits`` significant digits,
    with a true minus sign; ``—`` for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return frenchfmt.number(value, digits).replace("-", "−")


def percent(value: float, decimals: int = 0) -> str:
    """``0.831`` → ``83 %`` (narrow no-break space before the sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{100 * float(value):.{decimals}f}".replace(".", ",").replace("-", "−")
    return f"{text}\u202f%"


def points(value: float, signed: bool = False) -> str:
    """A difference of rates in percentage points: ``0.18`` → ``18 points``, ``0.003`` →
    ``0,3 point`` (``+``/``−`` shown when ``signed``)."""
    amount = abs(100 * float(value))
    unit = "point" if amount < 2 else "points"
    sign = ("+" if value >= 0 else "−") if signed else ("−" if value < 0 else "")
    return f"{sign}{number(amount, 2)}\u00a0{unit}"


def format_score(value: float, metric: str) -> str:
    """A comparison score as a person reads it: a percentage for accuracy, a number for R²."""
    return percent(value, 1) if metric == "accuracy" else number(value, 2)


def format_value(value: Any) -> str:
    """A value of a column or a class in a sentence: ``(vide)`` when missing, ``oui``/``non``,
    dates the French way, large whole numbers with spaced thousands."""
    missing = messages.text("learning.value_missing")
    if value is None:
        return missing
    if isinstance(value, (bool, np.bool_)) or frenchfmt.is_date(value):
        return frenchfmt.cell_text(value) or missing
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if abs(int(value)) < 10000 else number(int(value), 12)
    if isinstance(value, (float, np.floating)):
        return missing if math.isnan(value) else number(float(value), 4)
    return str(value)
