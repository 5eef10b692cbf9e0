"""Numbers written the French way: decimal comma or point, thousands grouped by spaces (plain,
non-breaking, narrow) or dots, units (``€``, ``%``, ``‰``, ``°C``), the Unicode minus sign."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

UNIT_SUFFIX = re.compile(r"\s*(€|eur|euros?|%|‰|°c|°)$", re.IGNORECASE)
UNIT_LABELS = {"€": "€", "eur": "€", "euro": "€", "euros": "€", "%": "%", "‰": "‰"}
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"[+\-−]?(\d{1,3}([ \u00a0\u202f.]\d{3})*|\d+)?,\d+")
_DOT_DECIMAL = re.compile(r"[+\-−]?(\d{1,3}(,\d{3})*|\d+)?\.\d+")
_UNDECIDED = re.compile(r"[+\-−]?\d{1,3}[.,]\d{3}")  # "1,234" or "1.234": thousands or decimals
_GROUPED_ANY = re.compile(r"[+\-−]?\d{1,3}(([ \u00a0\u202f.,])\d{3})+([.,]\d+)?")
DETECTION_CELLS = 100_000
_BARE_FRACTION = re.compile(r"([+\-−]?)([.,]\d)")  # « ,03 » or « -.5 »: no digit before the mark


def _number_looking(cells: list[str]):
    """Cells that may be formatted numbers (a digit first, or a decimal mark before a digit as in
    « ,03 », short), their unit removed."""
    for cell in cells[:DETECTION_CELLS]:
        value = cell.strip()
        if not value or len(value) > 40:
            continue
        if not (value[0].isdigit() or value[0] in "+-−" or _BARE_FRACTION.match(value)):
            continue
        yield UNIT_SUFFIX.sub("", value)


def detect_decimal(cells: list[str]) -> str:
    """``","`` when more cells read as decimal-comma numbers than as decimal-point numbers."""
    comma = dot = 0
    for value in _number_looking(cells):
        if "," not in value and "." not in value:
            continue
        if _UNDECIDED.fullmatch(value):
            continue
        if _COMMA_DECIMAL.fullmatch(value):
            comma += 1
        elif _DOT_DECIMAL.fullmatch(value):
            dot += 1
    return "," if comma > dot else "."


def detect_thousands(cells: list[str], decimal: str) -> str:
    """The mark grouping thousands (space, non-breaking space, dot, comma), or ``""``."""
    counts: Counter = Counter()
    for value in _number_looking(cells):
        match = _GROUPED_ANY.fullmatch(value)
        if match and match.group(2) != decimal:
            counts[match.group(2)] += 1
    return counts.most_common(1)[0][0] if counts else ""


_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009]+(?=\d)")
_GROUPED = {
    (".", ","): re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"),
    (",", "."): re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"),
}


def number_value(value: str, decimal: str, thousands: str) -> tuple[float | None, str | None, bool]:
    """``(number, unit, has_fraction)`` of one French-formatted cell; number ``None`` if it is not."""
    text = value.strip().replace("−", "-")
    unit = None
    match = UNIT_SUFFIX.search(text)
    if match:
        unit = match.group(1).lower()
        text = text[: match.start()]
    if text.startswith("€"):
        unit = unit or "€"
        text = text[1:]
    text = text.strip()
    # « ,03 » (a spreadsheet's 0,03 typed without its zero), « -,5 »: the zero put back
    text = _BARE_FRACTION.sub(r"\g<1>0\2", text, count=1) if _BARE_FRACTION.match(text) else text
    if not text or not (text[0].isdigit() or text[0] in "+-."):
        return None, unit, False
    # spaces are never part of a number: thousands groups, or stray spaces in a quoted field
    text = _SPACE_IN_NUMBER.sub("", text)
    if thousands in (".", ",") and thousands != decimal:
        grouped = _GROUPED.get((thousands, decimal))
        if grouped is not None and grouped.fullmatch(text):
            text = text.replace(thousands, "")
    if decimal == ",":
        if "." in text:
            return None, unit, False
        text = text.replace(",", ".")
    elif "," in text:
        return None, unit, False
    if not NUMBER_RE.fullmatch(text):
        return None, unit, False
    number = float(text)
    if not math.isfinite(number):  # 1e400 overflows: not a usable number
        return None, unit, False
    return number, unit, ("." in text or "e" in text or "E" in text)


_FAST_NUMBER = {
    mark: re.compile(
        r"\s*([+-]?)(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:"
        + re.escape(mark)
        + r"(\d*))?(?:[eE]([+-]?\d+))?\s*(€|eur|euros?|%|‰|°c|°)?\s*",
        re.IGNORECASE,
    )
    for mark in (".", ",")
}


def _plain_numbers(values: list[str], decimal: str) -> tuple[np.ndarray, list[int], bool, Counter]:
    """Fast pass, one regular expression per cell: numbers written with ``decimal``, spaces between
    thousands and a unit suffix allowed; the positions of the other cells (for the slow pass);
    whether a number had a fractional part; the units seen."""
    pattern = _FAST_NUMBER.get(decimal, _FAST_NUMBER["."])
    numbers = np.full(len(values), np.nan)
    slow: list[int] = []
    fraction = False
    units: Counter = Counter()
    for index, value in enumerate(values):
        match = pattern.fullmatch(value)
        if match is None:
            slow.append(index)
            continue
        sign, whole, decimals, exponent, unit = match.groups()
        if len(whole) > 3:
            whole = re.sub(r"\D", "", whole)
        if decimals is not None or exponent is not None:
            number = float(f"{sign}{whole}.{decimals or 0}e{exponent or 0}")
            if not math.isfinite(number):  # 1e400: too large to be a measured quantity
                slow.append(index)
                continue
            fraction = True
            numbers[index] = number
        else:
            number = float(f"{sign}{whole}")
            if not math.isfinite(number):
                slow.append(index)
                continue
            numbers[index] = number
        if unit:
            units[unit.lower()] += 1
    return numbers, slow, fraction, units


def parse_numbers(
    values: list[str], decimal: str, thousands: str
) -> tuple[np.ndarray, str | None, bool]:
    """Numbers (NaN where a value is not one), the unit seen, and whether all are whole numbers.

    Plain numbers go through pandas at C speed; only the others (units, spaces, grouped thousands,
    text) go through :func:`number_value`, one by one."""
    numbers, slow, fraction, units = _plain_numbers(values, decimal)
    for index in slow:
        number, unit, has_fraction = number_value(values[index], decimal, thousands)
        if number is None:
            continue
        numbers[index] = number
        if unit:
            units[unit] += 1
        fraction = fraction or has_fraction
    unit = None
    if units:
        raw = units.most_common(1)[0][0]
        unit = {"°c": "°C", "°": "°"}.get(raw, UNIT_LABELS.get(raw, raw))
    finite = numbers[~np.isnan(numbers)]
    is_integer = bool(len(finite)) and not fraction and bool((np.abs(finite) < 2**53).all())
    return numbers, unit, is_integer
