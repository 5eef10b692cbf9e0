"""What each column of a table holds: its kind, and dates or numbers stored as text.

:func:`profile_of` gives a :class:`Column` per column (kind, values, counts); :func:`classify_text`
tells, for a text column, whether it holds dates (and their format) or numbers written as text
(codes such as postal codes are not numbers: :mod:`labkit.data.kinds` says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labkit.data.kinds import (
    CODE_LENGTH,
    NOT_QUANTITIES,
    is_number_name,
    kinds_of,
    looks_like_code,
)
from labkit.prepare.recipe import detect_date_format, to_number

TYPE_SHARE = 0.8  # share of values that must read as numbers (dates) for a text column to be one


@dataclass
class Column:
    """One column of the table, as the detectors see it."""

    name: str
    kind: str  # number, integer, date, text, bool, empty
    values: pd.Series
    non_null: int
    distinct: int
    date_format: str | None = None  # for text columns holding dates
    number_share: float = 0.0  # for text columns: share readable as numbers
    numbers: pd.Series | None = None  # the values as floats, when they are numbers
    declared: str = ""  # what the dataset's card says the column holds (labkit.data.kinds)


def profile_of(frame: pd.DataFrame) -> dict[str, Column]:
    """A :class:`Column` per column of ``frame`` (by name as text), its kind read from its dtype
    and the kind its dataset's card declares, if any (:func:`labkit.data.kinds.kinds_of`)."""
    profile = {}
    declared = kinds_of(frame)
    for name in frame.columns:
        values = frame[name]
        non_null = int(values.notna().sum())
        try:
            distinct = int(values.nunique(dropna=True))
        except TypeError:  # unhashable cells (lists): compare their text
            distinct = int(values.dropna().map(str).nunique())
        if non_null == 0:
            kind = "empty"
        elif pd.api.types.is_bool_dtype(values):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(values):
            kind = "integer"
        elif pd.api.types.is_numeric_dtype(values):
            kind = "number"
        elif pd.api.types.is_datetime64_any_dtype(values):
            kind = "date"
        else:
            kind = "text"
        profile[str(name)] = Column(
            str(name), kind, values, non_null, distinct, declared=declared.get(name, "")
        )
    return profile


def text_sample(values: pd.Series, size: int = 300) -> pd.Series:
    """About ``size`` values spread over the column, as stripped text."""
    values = values.dropna()
    if len(values) > size:
        values = values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]
    return values.astype("string").str.strip()


def sample_list(values: pd.Series, size: int = 300) -> list[str]:
    """About ``size`` values spread over the column, as stripped non-empty strings."""
    values = values.dropna()
    if len(values) > size:
        values = values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]
    items = (str(v).strip() for v in values.tolist())
    return [v for v in items if v]


_HAS_DIGIT = re.compile(r"\d")


def _looks_like_code(column: Column, sample: list[str]) -> bool:
    """Codes (postal codes, department codes, references) are digits that are not quantities."""
    return is_number_name(column.name) or looks_like_code(sample)


def classify_text(column: Column, personal: set[str]) -> None:
    """For a text column: does it hold dates, or numbers, stored as text?"""
    if column.kind != "text" or column.name in personal or column.declared in NOT_QUANTITIES:
        return  # a code, an identifier, a category or a text the card declares: never numbers
    sample = sample_list(column.values)
    if not sample or sum(1 for v in sample if _HAS_DIGIT.search(v)) < 0.5 * len(sample):
        return
    date_format = detect_date_format(pd.Series(sample, dtype="object"))
    if date_format is not None:
        parsed = pd.to_datetime(
            pd.Series(sample, dtype="object"), format=date_format, errors="coerce"
        )
        if parsed.notna().mean() >= TYPE_SHARE:
            column.date_format = date_format
            return
    if column.declared != "number" and _looks_like_code(column, sample):
        return
    column.number_share = float(to_number(pd.Series(sample, dtype="object")).notna().mean())


def is_code(column: Column) -> bool:
    """Does the column hold codes or identifiers written with digits (postal and INSEE codes,
    SIRET, account numbers, sector codes, record numbers), not quantities? From its name
    (:func:`labkit.data.kinds.is_number_name`), or its values: digit strings with leading zeros or
    of one long length, whether read as text or as whole numbers (a SIRET in a spreadsheet).
    What the dataset's card declares wins: a code or an identifier is one, a number is not."""
    if column.declared in ("code", "identifier"):
        return True
    if column.declared == "number":
        return False
    if column.kind in ("integer", "number") and is_number_name(column.name):
        return True
    if column.kind == "text":
        sample = sample_list(column.values)
        if is_number_name(column.name):  # « nature » of an account (6411), not of a building
            return bool(sample) and sum(map(bool, map(_HAS_DIGIT.search, sample))) >= 0.8 * len(
                sample
            )
        return looks_like_code(sample)
    if column.kind in ("integer", "number"):
        values = column.values.dropna()
        if values.empty or not bool((values % 1 == 0).all()) or bool((values < 0).any()):
            return False
        digits = {len(str(int(v))) for v in values.iloc[:: max(1, len(values) // 300)]}
        return len(digits) == 1 and next(iter(digits)) >= CODE_LENGTH
    return False


def numbers_of(column: Column) -> pd.Series | None:
    """A column's values as floats: numbers, or numbers stored as text (read leniently)."""
    if column.numbers is None:
        if column.kind in ("number", "integer"):
            column.numbers = column.values.astype("float64")
        elif column.kind == "text" and column.number_share >= TYPE_SHARE:
            column.numbers = to_number(column.values)
    return column.numbers


def dates_of(column: Column) -> pd.Series | None:
    """A column's values as dates: dates as they are, dates stored as text read with their format;
    ``None`` for a column that holds no dates."""
    if column.kind == "date":
        return column.values
    if column.date_format:
        return pd.to_datetime(
            column.values.astype("string").str.strip(), format=column.date_format, errors="coerce"
        )
    return None


def as_floats(column: Column) -> pd.Series | None:
    """A column as floats on a common scale: numbers as they are, dates as days."""
    dates = dates_of(column)
    if dates is not None:
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        days = (dates - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400
        return days.astype("float64")
    return numbers_of(column)


def target_task(values: pd.Series) -> str:
    """``classification`` or ``regression``, from the target's values."""
    values = values.dropna()
    if values.empty:
        return "classification"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification"
    distinct = values.nunique()
    if distinct <= 2:
        return "classification"
    if pd.api.types.is_integer_dtype(values) or (values % 1 == 0).all():
        return "classification" if distinct <= 5 else "regression"
    return "regression"


def profiled_task(frame: pd.DataFrame, profile: dict[str, Column], target: str) -> str:
    """The target's task once its column is profiled: a class target that is in fact numbers
    stored as text, with more than five values, is a regression."""
    task = target_task(frame[target])
    numbers = numbers_of(profile[target])
    if task == "classification" and numbers is not None and profile[target].distinct > 5:
        return "regression"  # numbers stored as text
    return task
