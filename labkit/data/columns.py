"""The type of a column: ``number``, ``integer``, ``text``, ``date``, ``boolean`` or ``category``,
detected from its cells (strings from a CSV, native values from a spreadsheet) or chosen by a
person, and the column converted to it. Codes that look like numbers stay text
(:func:`labkit.data.kinds.looks_like_code`); cells that look like spreadsheet formulas are never
evaluated."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.csvsafe import FORMULA_START
from labkit.data.kinds import DATE_FORMATS, looks_like_code, looks_like_phone
from labkit.data.labels import type_label
from labkit.data.numeric import number_value, parse_numbers

TYPES = ("number", "integer", "text", "date", "boolean", "category")
CATEGORY_MAX_VALUES = 50
MOSTLY = 0.8  # share of values of one type above which the others are reported
MISSING_MARKERS = {
    "",
    "na",
    "n/a",
    "#n/a",
    "nan",
    "null",
    "none",
    "-",
    "--",
    "nd",
    "n.d.",
    "nc",
    "n.c.",
    "?",
    "#valeur!",
    "#value!",
    "#div/0!",
    "#ref!",
    "#nom?",
    "#name?",
}


TRUE_FALSE = [({"true", "false"}, "true"), ({"vrai", "faux"}, "vrai")]
DETECTION_CELLS_PER_COLUMN = 2_000


@dataclass
class ColumnDetection:
    name: str
    type: str
    unit: str | None = None
    date_format: str | None = None
    missing: int = 0
    not_matching: int = 0  # values that kept the column from the type it mostly has
    examples: list[str] = field(default_factory=list)


def first_strings(column: list[Any], limit: int) -> list[str]:
    found = []
    for value in column:
        if isinstance(value, str):
            found.append(value)
            if len(found) >= limit:
                break
    return found


def _formula_like(value: str) -> bool:
    stripped = value.lstrip(" ")
    return (
        stripped.startswith(FORMULA_START)
        and number_value(stripped, ".", "")[0] is None
        and (number_value(stripped, ",", "")[0] is None)
    )


_DATE_PATTERNS = [(fmt, re.compile(pattern)) for fmt, pattern in DATE_FORMATS]
_TIME_ZONE = re.compile(r"(:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)$")


def parse_dates(values: list[str], preferred: str | None = None) -> tuple[Any, str | None]:
    """Dates (``datetime64`` array) if every value matches one format, French day-month order
    first; otherwise ``(None, None)``."""
    if not values:
        return None, None
    texts = [v.strip() for v in values]
    if all(_TIME_ZONE.search(t) for t in texts):
        # « 2024-03-01T10:00:00+01:00 »: the time as written (the offset changes with daylight
        # saving time and would shift every value to another clock)
        texts = [_TIME_ZONE.sub(r"\1", t) for t in texts]
    candidates: list[tuple[str, Any]] = list(_DATE_PATTERNS)
    if preferred:
        candidates.insert(0, (preferred, None))
    for fmt, pattern in candidates:
        if pattern is not None and not all(pattern.fullmatch(t) for t in texts[:200]):
            continue
        if pattern is not None and not all(pattern.fullmatch(t) for t in texts):
            continue
        parsed = pd.to_datetime(pd.Series(texts, dtype=object), format=fmt, errors="coerce")
        if parsed.notna().all():
            return parsed.to_numpy(dtype="datetime64[us]"), fmt
    return _two_date_formats(texts)


_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_FRENCH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


def _two_date_formats(texts: list[str]) -> tuple[Any, str | None]:
    """Dates written two ways in one column, « 2017-06-27 » (a spreadsheet's date cell) and
    « 28/08/2017 » (typed as text): each read with its own format, the two never ambiguous."""
    iso = [bool(_ISO_DATE.fullmatch(t)) for t in texts]
    french = [bool(_FRENCH_DATE.fullmatch(t)) for t in texts]
    if not all(a or b for a, b in zip(iso, french, strict=True)) or all(iso) or all(french):
        return None, None
    series = pd.Series(texts, dtype=object)
    parsed = pd.to_datetime(series.where(iso), format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(series.where(french), format="%d/%m/%Y", errors="coerce")
    )
    if parsed.notna().all():
        return parsed.to_numpy(dtype="datetime64[us]"), "%d/%m/%Y"
    return None, None


def type_column(
    name: str,
    values: list[Any],
    lines: list[int],
    *,
    decimal: str = ".",
    thousands: str = "",
    date_format: str | None = None,
    forced: str | None = None,
    notes: list[str] | None = None,
    decimal_fixed: bool = False,
    native: bool = True,
) -> tuple[pd.Series, ColumnDetection]:
    """Type one column of raw cells (strings, or native values from a spreadsheet).

    ``decimal_fixed``: the decimal mark was chosen by a person, so a column is not tried with the
    other mark. ``native``: cells may be numbers or dates from a spreadsheet (``False`` for CSV,
    whose cells are all strings)."""
    notes = notes if notes is not None else []
    info = ColumnDetection(name=name, type="text")
    present = [i for i, v in enumerate(values) if v is not None]
    info.missing = len(values) - len(present)
    info.examples = [str(values[i]) for i in present[:3]]
    if not present:
        if forced is None:
            notes.append(messages.text("reader.empty_column", column=name))
        return _convert_forced(values, forced or "text", info, decimal, thousands, date_format)

    if native and any(not isinstance(values[i], str) for i in present):
        if forced is None:
            typed = _type_native(values, present, info)
            if typed is not None:
                return typed
        values = [_native_to_text(v) for v in values]
        present = [i for i, v in enumerate(values) if v is not None]

    if forced is not None:
        return _convert_forced(values, forced, info, decimal, thousands, date_format, notes, lines)

    stripped = [values[i].strip() for i in present]
    unique = len(set(stripped))
    keep = [len(v) > 9 or v.lower() not in MISSING_MARKERS for v in stripped]
    positions = [i for i, k in zip(present, keep, strict=True) if k]
    candidates = [v for v, k in zip(stripped, keep, strict=True) if k]

    formulas = sum(1 for v in candidates if v[:1] in "=+-@" and _formula_like(v))
    if formulas:
        notes.append(messages.text("reader.formulas_kept", column=name, count=formulas))
        return _as_text(values, info, unique)

    if looks_like_code(candidates, name):
        if candidates and all(_DIGITS_SPACES.fullmatch(v) for v in candidates):
            # say « zéros de tête » only when some code has one
            if looks_like_phone(candidates, name):
                notes.append(messages.text("reader.phones_kept", column=name))
            elif any(_LEADING_ZERO.match(v) for v in candidates):
                notes.append(messages.text("reader.codes_kept", column=name))
            else:
                notes.append(messages.text("reader.codes_as_labels", column=name))
        return _as_text(values, info, unique)

    if unique <= 2 * len(MISSING_MARKERS):  # few distinct values: maybe vrai/faux
        lowered = {v.lower() for v in set(candidates)}
        for pair, truth in TRUE_FALSE:
            if lowered and lowered <= pair:
                return _as_boolean(values, truth, info)

    if not candidates:
        return _as_text(values, info, unique)

    sample = candidates[:500]
    sample_numbers, _, _ = parse_numbers(sample, decimal, thousands)
    if (~np.isnan(sample_numbers)).mean() >= MOSTLY or len(sample) < 5:
        numbers, unit, is_integer = parse_numbers(candidates, decimal, thousands)
        ok = ~np.isnan(numbers)
        if not ok.all() and ok.mean() < 0.5 and not decimal_fixed:
            other = "," if decimal == "." else "."
            alt, alt_unit, alt_integer = parse_numbers(candidates, other, "")
            if not np.isnan(alt).any() and not alt_integer:
                numbers, unit, is_integer, ok = alt, alt_unit, alt_integer, ~np.isnan(alt)
                notes.append(messages.text("reader.column_decimal", column=name, decimal=other))
        if ok.all():
            info.type = "integer" if is_integer else "number"
            info.unit = unit
            info.missing = len(values) - len(candidates)
            return _number_series(len(values), positions, numbers, is_integer), info
        if ok.mean() >= MOSTLY:
            bad = [positions[k] for k in np.flatnonzero(~ok)]
            info.not_matching = len(bad)
            notes.append(
                messages.text(
                    "reader.mostly_numbers",
                    column=name,
                    count=len(bad),
                    example=str(values[bad[0]]),
                    line=lines[bad[0]] if bad[0] < len(lines) else bad[0] + 1,
                )
            )
            return _as_text(values, info, unique)

    if any(ch.isdigit() for ch in candidates[0][:4]):
        dates, used = parse_dates(candidates, date_format)
        if dates is not None:
            info.type = "date"
            info.date_format = used
            info.missing = len(values) - len(candidates)
            return _date_series(len(values), positions, dates), info

    return _as_text(values, info, unique)


_DIGITS_SPACES = re.compile(r"[0-9 .]+")
_LEADING_ZERO = re.compile(r"0\d+")


def _number_series(size: int, positions: list[int], numbers: np.ndarray, is_integer: bool):
    out = np.full(size, np.nan)
    out[np.asarray(positions, dtype=int)] = numbers
    series = pd.Series(out)
    if is_integer and not np.isnan(out).any():
        return series.astype("int64")
    return series


def _date_series(size: int, positions: list[int], dates: np.ndarray) -> pd.Series:
    out = np.full(size, np.datetime64("NaT"), dtype="datetime64[us]")
    out[np.asarray(positions, dtype=int)] = dates
    return pd.Series(out)


def _as_text(
    values: list[Any], info: ColumnDetection, unique: int
) -> tuple[pd.Series, ColumnDetection]:
    present = sum(v is not None for v in values)
    info.type = "category" if _is_category(unique, present) else "text"
    return _string_series([None if v is None else str(v) for v in values]), info


def _string_series(values: list[Any]) -> pd.Series:
    """Strings with missing values as NaN: pandas' string dtype where it is the default
    (pandas 3), plain objects otherwise."""
    if all(v is None for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values)


def _is_category(unique: int, present: int) -> bool:
    if present == 0:
        return False
    if present < 10:
        return unique < present
    return unique <= CATEGORY_MAX_VALUES and unique <= 0.5 * present


def _as_boolean(values, truth: str, info: ColumnDetection) -> tuple[pd.Series, ColumnDetection]:
    info.type = "boolean"
    converted = [
        None
        if v is None or str(v).strip().lower() in MISSING_MARKERS
        else str(v).strip().lower() == truth
        for v in values
    ]
    if any(v is None for v in converted):
        return pd.Series(converted, dtype="boolean"), info
    return pd.Series(converted, dtype=bool), info


def _type_native(values, present: list[int], info: ColumnDetection):
    """A spreadsheet column whose filled cells are all numbers, all dates or all booleans."""
    kinds = set()
    for i in present:
        v = values[i]
        if isinstance(v, bool | np.bool_):
            kinds.add("boolean")
        elif isinstance(v, int | float | np.integer | np.floating):
            kinds.add("number")
        elif isinstance(v, _dt.datetime | _dt.date | pd.Timestamp):
            kinds.add("date")
        else:
            kinds.add("other")
    if len(kinds) != 1 or "other" in kinds:
        return None
    kind = kinds.pop()
    if kind == "number":
        numbers = np.array([np.nan if v is None else float(v) for v in values])
        integer = all(float(values[i]).is_integer() for i in present)
        info.type = "integer" if integer else "number"
        series = pd.Series(numbers)
        if integer and not np.isnan(numbers).any():
            series = series.astype("int64")
        return series, info
    if kind == "date":
        info.type = "date"
        stamps = pd.to_datetime(pd.Series(values, dtype=object))
        return pd.Series(stamps.to_numpy(dtype="datetime64[us]")), info
    info.type = "boolean"
    if info.missing:
        return pd.Series(values, dtype="boolean"), info
    return pd.Series([bool(v) for v in values], dtype=bool), info


def _native_to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool | np.bool_):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _convert_forced(
    values: list[Any],
    forced: str,
    info: ColumnDetection,
    decimal: str,
    thousands: str,
    date_format: str | None,
    notes: list[str] | None = None,
    lines: list[int] | None = None,
) -> tuple[pd.Series, ColumnDetection]:
    """Apply the type a person chose; values that do not fit become missing (and are counted)."""
    notes = notes if notes is not None else []
    lines = lines or []
    texts = [_native_to_text(v) for v in values]
    info.type = forced
    if forced in ("text", "category"):
        return _string_series(texts), info
    present = [i for i, v in enumerate(texts) if v is not None]
    stripped = [texts[i].strip() for i in present]
    marker = [v.lower() in MISSING_MARKERS for v in stripped]
    failed: list[int] = []
    if forced in ("number", "integer"):
        numbers, unit, _ = parse_numbers(stripped, decimal, thousands)
        info.unit = unit
        out = np.full(len(values), np.nan)
        for k, i in enumerate(present):
            number = numbers[k]
            if marker[k]:
                continue
            if np.isnan(number) or (forced == "integer" and not float(number).is_integer()):
                failed.append(i)
                continue
            out[i] = number
        series = pd.Series(out)
        if forced == "integer" and not np.isnan(out).any():
            series = series.astype("int64")
    elif forced == "date":
        fmt = date_format
        if fmt is None:
            _, fmt = parse_dates([v for v, m in zip(stripped, marker, strict=True) if not m])
            fmt = fmt or "%d/%m/%Y"
        parsed = pd.to_datetime(pd.Series(stripped, dtype=object), format=fmt, errors="coerce")
        info.date_format = fmt
        out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
        for k, i in enumerate(present):
            if marker[k]:
                continue
            if pd.isna(parsed.iloc[k]):
                failed.append(i)
                continue
            out[i] = parsed.iloc[k].to_datetime64()
        series = pd.Series(out)
    else:  # boolean
        truthy = {"true", "vrai", "oui", "1", "o", "yes", "y", "x"}
        falsy = {"false", "faux", "non", "0", "n", "no"}
        converted: list[Any] = [None] * len(values)
        for k, i in enumerate(present):
            lowered = stripped[k].lower()
            if marker[k]:
                continue
            if lowered in truthy:
                converted[i] = True
            elif lowered in falsy:
                converted[i] = False
            else:
                failed.append(i)
        series = pd.Series(converted, dtype="boolean")
    info.not_matching = len(failed)
    if failed:
        first = failed[0]
        notes.append(
            messages.text(
                "reader.forced_type_failed",
                column=info.name,
                type=type_label(forced),
                count=len(failed),
                example=str(values[first]),
                line=lines[first] if first < len(lines) else first + 1,
            )
        )
    return series, info
