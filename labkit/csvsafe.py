"""One rule for every CSV file Datalab writes: no cell may be taken for a formula by a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a formula
when the file is opened in a spreadsheet (« CSV injection »). :func:`neutralise` prefixes such a
cell with an apostrophe, which spreadsheets show as text; plain numbers (``-12,5``, ``+3``) are left
as they are, so a negative amount stays a number. :func:`safe_frame` applies it to every text cell
of a table and :func:`to_csv_bytes` writes a table with it.

Call sites: every export of a table to CSV (module 04 cleaned table, module 06 scoring and
reports, bundles).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a cell may start with to be run as a formula by a spreadsheet."""

# A sign then digits only: with a space inside (« +33 6 12 34 56 78 », « -1 234 »), a spreadsheet
# reads a formula (the space is its intersection operator).
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?%?")


def is_risky(value: Any) -> bool:
    """Would a spreadsheet take this cell for a formula?"""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return False
    return not _PLAIN_NUMBER.fullmatch(value)


def neutralise(value: Any) -> Any:
    """The cell, with an apostrophe in front when a spreadsheet would run it as a formula."""
    return "'" + value if is_risky(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are neutralised."""
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        if series.dtype.kind in "OSU" or pd.api.types.is_string_dtype(series.dtype):
            out[name] = series.map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame, *, index: bool = False, **options: Any) -> bytes:
    """``frame`` as UTF-8 CSV bytes (with a byte-order mark, so spreadsheets read the accents),
    formula-looking cells neutralised."""
    options.setdefault("encoding", "utf-8-sig")
    encoding = options.pop("encoding")
    text = safe_frame(frame).to_csv(index=index, **options)
    return text.encode(encoding)


__all__ = ["FORMULA_START", "is_risky", "neutralise", "safe_frame", "to_csv_bytes"]
