"""French formatting and parsing in one place: numbers, dates, table cells, and the plotly template.

Pure code. Every figure of the workbook uses the ``datalab`` plotly template, registered as
plotly's default when this module is imported (:func:`register_template` is idempotent): decimal
comma and a narrow no-break space between thousands (``layout.separators``), the project's font and
palette, white background, French date formats for date axes (:data:`DATE_AXIS`). Tables write
dates ``10/08/2021`` (with ``14:30`` only when the time is not midnight), numbers ``12 500,5``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "datalab"
# Decimal comma, then the thousands separator: a space (plotly draws no line break inside a number).
SEPARATORS = ", "
DARK = "#161616"
# The project's palette (DSFR-like, contrasted on white), in the order traces take it.
PALETTE = ("#1f5fad", "#b34d00", "#18753c", "#6a3d9a", "#8d6e00", "#00696f", "#a1006b", "#444444")
FONT_FAMILY = "Marianne, Segoe UI, Arial, sans-serif"
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
# For a date axis: ticks and hover labels written the French way.
DATE_AXIS = {"tickformat": DATE_FORMAT, "hoverformat": DATE_FORMAT}


def template() -> go.layout.Template:
    """The ``datalab`` template: plotly's white template with French separators and our palette."""
    base = go.layout.Template(pio.templates["plotly_white"])
    base.layout.update(
        separators=SEPARATORS,
        colorway=list(PALETTE),
        font={"family": FONT_FAMILY, "size": 14, "color": DARK},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        xaxis={"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd"},
        yaxis={"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd"},
    )
    return base


def register_template() -> str:
    """Register the template and make it plotly's default (again if someone changed it)."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = template()
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME


# ------------------------------------------------------------------------------------ values
def number(value: float, digits: int = 4) -> str:
    """A number written the French way: ``0,83``, ``12 500``, ``digits`` significant digits."""
    value = float(value)
    if value != 0 and abs(value) < 10 ** (digits - 1):
        decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    else:
        decimals = 0
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


# A number as a person types it, once spaces and units are gone: ``-2``, ``3.5``, ``1e3``.
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_UNITS = "%€$£"


def parse_number(value: Any) -> float | None:
    """A number typed by a person, the French or the English way, or ``None`` if it is not one.

    ``3,5``, ``1 200``, ``1 200,5``, ``1.200,5``, ``1,200.5``, ``−2`` (minus sign), ``12 %``,
    ``12 €``. The decimal mark is the last of comma and dot; the other one separates thousands.
    Booleans, blanks, infinities and NaN are not numbers.
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        result = float(value)
        return result if math.isfinite(result) else None
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace("\u2212", "-").rstrip(_UNITS)
    if text.rfind(",") > text.rfind("."):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not _NUMBER_TEXT.match(text):
        return None
    result = float(text)
    return result if math.isfinite(result) else None


def is_date(value: Any) -> bool:
    return isinstance(value, (_dt.date, np.datetime64))


def date_text(value: Any) -> str:
    """``10/08/2021`` (``10/08/2021 14:30`` when there is a time of day); ``""`` for a missing one."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.strftime(DATE_FORMAT)
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return ""
    if stamp.tz is not None:
        stamp = stamp.tz_localize(None)
    if (stamp.hour, stamp.minute, stamp.second, stamp.microsecond, stamp.nanosecond) == (0,) * 5:
        return stamp.strftime(DATE_FORMAT)
    return stamp.strftime(DATETIME_FORMAT)


def cell_text(value: Any) -> str:
    """A table cell the French way: empty for a missing value, dates ``10/08/2021``, decimal
    comma and spaced thousands for numbers, ``oui``/``non`` for booleans."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if is_date(value) or isinstance(value, pd.Timestamp):
        return date_text(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "infini" if value > 0 else "moins l’infini"
        return number(float(value), 4)
    if isinstance(value, (int, np.integer)):
        return str(int(value))  # whole numbers as written: they may be identifiers or years
    text = str(value)
    return "" if text in {"nan", "NaT", "<NA>", "None"} else text


register_template()
