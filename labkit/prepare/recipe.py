"""The cleaning recipe: a list of steps that replays on any file with the same columns.

A :class:`Step` is an action with its parameters and a French label. A :class:`Recipe` is an
ordered list of steps; :meth:`Recipe.apply` replays them on a DataFrame;
:func:`labkit.prepare.export.to_python` exports them as a standalone pandas script that gives the
same table, and :mod:`labkit.learner.preparation` keeps them in the learner's workspace.

Steps are *fitted* when added to a recipe on a table (:meth:`Recipe.add` with a frame): values
learnt from the data (the median used to fill a column, the bounds of extreme values, a date
format) are frozen in the step's parameters. Replaying the recipe on new data (module 05's
training, module 06's scoring) therefore cleans it exactly the same way, without looking at it.

Everything here is pure and deterministic; a pseudonymisation step needs the project's secret key,
passed to :meth:`Recipe.apply` (see :func:`labkit.learner.preparation.project_key`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.data import schema_check
from labkit.errors import DatalabError

FORMAT_VERSION = 1

ACTIONS = (
    "drop_column",
    "fill_missing",
    "merge_categories",
    "convert_type",
    "drop_duplicates",
    "cap_outliers",
    "remove_outliers",
    "filter_rows",
    "pseudonymise",
    "remove_personal",
    "derive_from_date",
    "mark_missing",
)
FILL_STRATEGIES = ("mean", "median", "most_frequent", "constant")
CONVERSIONS = ("number", "date", "text")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "missing", "not_missing")
DATE_PARTS = ("year", "month", "day", "weekday", "quarter", "hour")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%y",
    "%Y%m%d",
)
_OPERATOR_KEYS = {
    "==": "eq",
    "!=": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
    "in": "in",
    "not_in": "not_in",
    "missing": "missing",
    "not_missing": "not_missing",
}
DROP_ACTIONS = ("drop_column", "remove_personal")
_MULTI_COLUMN_ACTIONS = ("drop_column", "remove_personal", "pseudonymise")


# =========================================================================== value helpers
# These functions are used by Recipe.apply AND copied as they are into the exported Python code
# (labkit.prepare.export), so the exported script computes exactly what the recipe computes. They
# use pandas only.


def to_number(values):
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
        return numbers.where(numbers.abs() != float("inf"))  # an infinity is not a value
    text = values.astype("string").str.strip()
    text = text.str.replace(r"[\s\u00a0\u202f€$£%]", "", regex=True)
    french = (text.str.rfind(",") > text.str.rfind(".")).fillna(False).astype(bool)
    english = text.str.replace(",", "", regex=False)
    french_text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    text = english.where(~french, french_text)
    numbers = pd.to_numeric(text, errors="coerce").astype("Float64").astype("float64")
    # « Infinity », « 1e400 »: not a quantity anyone measured; left empty (and counted)
    return numbers.where(numbers.abs() != float("inf"))


def to_date(values, date_format=None):
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string").str.strip()
    if date_format is None:
        return pd.to_datetime(text, format="mixed", dayfirst=True, errors="coerce")
    return pd.to_datetime(text, format=date_format, errors="coerce")


def to_text(values):
    def show(value):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return values.map(show, na_action="ignore").astype("str")


def pseudonymise(values, key):
    def pseudonym(value):
        text = " ".join(str(value).split()).casefold()
        digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return "P-" + digest[:12]

    return values.map(pseudonym, na_action="ignore").astype("str")


# =========================================================================== formatting
def format_number(value: Any) -> str:
    """A number the French way: ``1234.5`` → ``1 234,5`` (narrow no-break space)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return f"{value:,.6g}".replace(",", "\u202f").replace(".", ",")


def _show_value(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return f"« {value} »"


def _quoted(columns: Iterable[str]) -> str:
    names = [f"« {c} »" for c in columns]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {messages.text('recipe.and')} {names[-1]}"


def interval_text(low: Any, high: Any) -> str:
    left = format_number(low) if low is not None else "−∞"
    right = format_number(high) if high is not None else "+∞"
    return f"[{left} ; {right}]"


def _json_value(value: Any) -> Any:
    """A plain JSON value (numpy scalars and timestamps folded)."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _round(value: float) -> float:
    """Round a learnt value to 4 significant digits, so labels and code stay readable."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    rounded = float(f"{value:.4g}")
    return float(int(rounded)) if rounded.is_integer() else rounded


# =========================================================================== steps
@dataclass
class Step:
    """One cleaning action: ``action`` (one of :data:`ACTIONS`), its ``params``, a French label."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise messages.error(
                "recipe.unknown_action", action=str(self.action)[:60], actions=", ".join(ACTIONS)
            )
        self.params = _normalise_params(self.action, dict(self.params or {}))

    # -------------------------------------------------------------- description
    def title(self) -> str:
        """The label given to the step, or one written from its parameters."""
        return self.label or describe(self)

    @property
    def columns(self) -> list[str]:
        """Every column the step concerns."""
        p = self.params
        if "columns" in p:
            return list(p["columns"] or [])
        return [p["column"]] if "column" in p else []

    def inputs(self) -> list[str]:
        """Columns the step needs in the table (dropping an absent column is harmless)."""
        if self.action in DROP_ACTIONS:
            return []
        return self.columns

    def outputs(self, columns: list[str]) -> list[str]:
        """The table's columns after this step, given those before."""
        p = self.params
        if self.action in DROP_ACTIONS:
            return [c for c in columns if c not in set(p["columns"])]
        if self.action == "derive_from_date":
            added = [c for c in derived_names(p["column"], p["parts"]) if c not in columns]
            kept = [c for c in columns if not (p["drop"] and c == p["column"])]
            return kept + added
        return list(columns)

    def removes_rows(self) -> bool:
        return self.action in ("drop_duplicates", "remove_outliers", "filter_rows")

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        params = {k: _json_value(v) for k, v in self.params.items()}
        return {"action": self.action, "params": params, "label": self.title()}

    @classmethod
    def from_dict(cls, data: Any) -> Step:
        if not isinstance(data, dict) or "action" not in data:
            raise messages.error("recipe.not_a_recipe")
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise messages.error("recipe.not_a_recipe")
        return cls(str(data["action"]), params, str(data.get("label") or ""))


def _require(action: str, params: dict, name: str) -> Any:
    if params.get(name) is None:
        raise messages.error("recipe.missing_param", action=action, param=name)
    return params[name]


def _bad(action: str, param: str, value: Any, expected: str) -> DatalabError:
    return messages.error(
        "recipe.bad_param", action=action, param=param, value=str(value)[:60], expected=expected
    )


def _normalise_params(action: str, p: dict[str, Any]) -> dict[str, Any]:
    """Check a step's parameters and give them their canonical shape (raises French errors)."""
    if action in _MULTI_COLUMN_ACTIONS:
        columns = p.get("columns", p.pop("column", None))
        if isinstance(columns, str):
            columns = [columns]
        if not columns or not isinstance(columns, (list, tuple)):
            raise messages.error("recipe.no_column")
        p["columns"] = [str(c) for c in columns]
        return p
    if action == "drop_duplicates":
        columns = p.get("columns")
        if isinstance(columns, str):
            columns = [columns]
        p["columns"] = [str(c) for c in columns] if columns else None
        return p
    column = p.get("column")
    if column is None or (isinstance(column, str) and not column.strip()):
        raise messages.error("recipe.no_column")
    p["column"] = str(column)
    if action == "fill_missing":
        strategy = _require(action, p, "strategy")
        if strategy not in FILL_STRATEGIES:
            raise _bad(action, "strategy", strategy, ", ".join(FILL_STRATEGIES))
        if strategy == "constant":
            _require(action, p, "value")
    elif action == "merge_categories":
        mapping = _require(action, p, "mapping")
        if not isinstance(mapping, dict) or not mapping:
            raise _bad(action, "mapping", mapping, messages.text("recipe.expected_mapping"))
        p["mapping"] = {str(k): str(v) for k, v in mapping.items() if str(k) != str(v)}
        if not p["mapping"]:
            raise _bad(action, "mapping", mapping, messages.text("recipe.expected_mapping"))
    elif action == "mark_missing":
        values = p.get("values")
        if isinstance(values, (str, int, float)) and not isinstance(values, bool):
            values = [values]
        if not isinstance(values, (list, tuple)) or not values:
            raise _bad(action, "values", values, messages.text("recipe.expected_values"))
        p["values"] = [_json_value(v) for v in values]
    elif action == "convert_type":
        to = _require(action, p, "to")
        if to not in CONVERSIONS:
            raise _bad(action, "to", to, ", ".join(CONVERSIONS))
        p.setdefault("format", None)
    elif action in ("cap_outliers", "remove_outliers"):
        for bound in ("low", "high"):
            value = p.get(bound)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise _bad(action, bound, value, messages.text("recipe.expected_number"))
                p[bound] = float(value)
        if p.get("low") is not None and p.get("high") is not None and p["low"] > p["high"]:
            raise _bad(action, "low", p["low"], messages.text("recipe.expected_low_under_high"))
    elif action == "filter_rows":
        operator = _require(action, p, "operator")
        if operator not in OPERATORS:
            raise _bad(action, "operator", operator, ", ".join(OPERATORS))
        if operator in ("in", "not_in"):
            value = _require(action, p, "value")
            p["value"] = list(value) if isinstance(value, (list, tuple, set)) else [value]
        elif operator not in ("missing", "not_missing"):
            _require(action, p, "value")
        else:
            p["value"] = None
        p["keep_missing"] = bool(p.get("keep_missing", False))
    elif action == "derive_from_date":
        parts = p.get("parts") or ["year", "month", "weekday"]
        if isinstance(parts, str):
            parts = [parts]
        unknown = [x for x in parts if x not in DATE_PARTS]
        if unknown:
            raise _bad(action, "parts", unknown[0], ", ".join(DATE_PARTS))
        p["parts"] = [x for x in DATE_PARTS if x in parts]
        p["drop"] = bool(p.get("drop", True))
        p.setdefault("format", None)
    return p


def derived_names(column: str, parts: Iterable[str]) -> list[str]:
    return [f"{column}_{messages.text('recipe.suffix_' + part)}" for part in parts]


def describe(step: Step) -> str:
    """The French label of a step, written from its parameters."""
    p, a = step.params, step.action
    if a in DROP_ACTIONS:
        key = f"recipe.label_{a}" + ("s" if len(p["columns"]) > 1 else "")
        return messages.text(key, columns=_quoted(p["columns"]))
    if a == "pseudonymise":
        return messages.text("recipe.label_pseudonymise", columns=_quoted(p["columns"]))
    if a == "drop_duplicates":
        if p["columns"]:
            return messages.text("recipe.label_drop_duplicates_on", columns=_quoted(p["columns"]))
        return messages.text("recipe.label_drop_duplicates")
    column = p["column"]
    if a == "fill_missing":
        value = p.get("value")
        if value is None:
            return messages.text(f"recipe.label_fill_{p['strategy']}_auto", column=column)
        return messages.text(
            f"recipe.label_fill_{p['strategy']}", column=column, value=_show_value(value)
        )
    if a == "merge_categories":
        items = [f"« {k} » → « {v} »" for k, v in list(p["mapping"].items())[:3]]
        if len(p["mapping"]) > 3:
            items.append(messages.text("recipe.more"))
        return messages.text(
            "recipe.label_merge_categories", column=column, examples=", ".join(items)
        )
    if a == "mark_missing":
        shown = ", ".join(f"« {_show_value(v)} »" for v in p["values"])
        return messages.text("recipe.label_mark_missing", column=column, values=shown)
    if a == "convert_type":
        if p["to"] == "date":
            shown = readable_date_format(p.get("format"))
            return messages.text("recipe.label_convert_date", column=column, format=shown)
        return messages.text(f"recipe.label_convert_{p['to']}", column=column)
    if a in ("cap_outliers", "remove_outliers"):
        interval = interval_text(p.get("low"), p.get("high"))
        return messages.text(f"recipe.label_{a}", column=column, interval=interval)
    if a == "filter_rows":
        value = p.get("value")
        if isinstance(value, list):
            shown = ", ".join(_show_value(v) for v in value)
        else:
            shown = _show_value(value)
        condition = messages.text(f"recipe.condition_{_OPERATOR_KEYS[p['operator']]}", value=shown)
        key = "recipe.label_filter_rows" + ("_keep_missing" if p["keep_missing"] else "")
        return messages.text(key, column=column, condition=condition)
    # derive_from_date
    parts = ", ".join(messages.text(f"recipe.part_{x}") for x in p["parts"])
    return messages.text("recipe.label_derive_from_date", column=column, parts=parts)


def readable_date_format(date_format: str | None) -> str:
    """A step's date format as people read it (``jj/mm/aaaa``), or « recognised automatically »."""
    if not date_format:
        return messages.text("recipe.format_automatic")
    return schema_check.readable_date_format(date_format)


# =========================================================================== learning values
def robust_bounds(values: pd.Series, k: float = 3.0) -> tuple[float | None, float | None] | None:
    """Bounds beyond which a value is extreme, robust to skewed data; ``None`` if not computable.

    Tukey's far-out fences (quartiles ± ``k`` × the interquartile range), computed on the scale
    that suits the data: a square-root scale for small whole numbers (counts, standard sizes), a
    log scale when positive values are skewed (amounts, surfaces, delays: a long right tail is
    normal there and only values far beyond it are flagged), the plain scale otherwise.
    """
    numbers = to_number(values) if not pd.api.types.is_numeric_dtype(values) else values
    x = pd.to_numeric(numbers, errors="coerce").to_numpy(dtype="float64")
    x = x[np.isfinite(x)]
    if len(x) < 8 or len(np.unique(x)) < 3:
        return None
    if x.min() >= 0 and bool((x % 1 == 0).all()) and len(np.unique(x)) < 15:
        rq1, rq3 = np.quantile(np.sqrt(x), [0.25, 0.75])
        spread = float(rq3 - rq1)
        if spread <= 0:
            return None
        low = float(rq1) - k * spread
        return (_round(low**2) if low > 0 else None), _round((float(rq3) + k * spread) ** 2)
    q1, median, q3 = (float(v) for v in np.quantile(x, [0.25, 0.5, 0.75]))
    if q3 - q1 <= 0:
        return None
    skew = (q3 + q1 - 2 * median) / (q3 - q1)
    positive = x[x > 0]
    if x.min() >= 0 and skew > 0.1 and len(positive) >= 8:
        # zeros are outside a log scale: no low fence then (it would flag every zero)
        lq1, lq3 = (float(v) for v in np.quantile(np.log(positive), [0.25, 0.75]))
        spread = lq3 - lq1
        if spread > 0:
            # the low side is fenced a little wider: small positive values are common there
            low = math.exp(lq1 - (k + 0.5) * spread) if x.min() > 0 else None
            return (_round(low) if low is not None else None), _round(math.exp(lq3 + k * spread))
    spread = q3 - q1
    return _round(q1 - k * spread), _round(q3 + k * spread)


_D, _M, _Y = r"(0?[1-9]|[12]\d|3[01])", r"(0?[1-9]|1[0-2])", r"(1[89]\d\d|20\d\d)"
_DATE_SHAPES = {
    "%Y-%m-%d": rf"{_Y}-{_M}-{_D}",
    "%d/%m/%Y": rf"{_D}/{_M}/{_Y}",
    "%Y/%m/%d": rf"{_Y}/{_M}/{_D}",
    "%d-%m-%Y": rf"{_D}-{_M}-{_Y}",
    "%d.%m.%Y": rf"{_D}\.{_M}\.{_Y}",
    "%Y-%m-%d %H:%M:%S": rf"{_Y}-{_M}-{_D} \d\d?:\d\d:\d\d",
    "%Y-%m-%dT%H:%M:%S": rf"{_Y}-{_M}-{_D}T\d\d?:\d\d:\d\d",
    "%d/%m/%Y %H:%M": rf"{_D}/{_M}/{_Y} \d\d?:\d\d",
    "%d/%m/%Y %H:%M:%S": rf"{_D}/{_M}/{_Y} \d\d?:\d\d:\d\d",
    "%Y/%m/%d %H:%M:%S": rf"{_Y}/{_M}/{_D} \d\d?:\d\d:\d\d",
    "%d/%m/%y": rf"{_D}/{_M}/\d\d",
    "%Y%m%d": rf"{_Y}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])",
}
_DATE_PATTERNS = {k: re.compile(v) for k, v in _DATE_SHAPES.items()}


def detect_date_format(values: pd.Series) -> str | None:
    """The format (of :data:`DATE_FORMATS`) that reads the most values, if it reads most of them."""
    items = [str(v).strip() for v in values.dropna().tolist()[:2000]]
    items = [v for v in items if v]
    if not items:
        return None
    if len(items) > 300:
        step = len(items) / 300
        items = [items[int(i * step)] for i in range(300)]
    best, best_count = None, 0
    for date_format, pattern in _DATE_PATTERNS.items():
        count = sum(1 for v in items if pattern.fullmatch(v))
        if count > best_count:
            best, best_count = date_format, count
    if best is None or best_count < 0.5 * len(items):
        return None
    parsed = pd.to_datetime(pd.Series(items, dtype="object"), format=best, errors="coerce")
    return best if parsed.notna().sum() >= 0.5 * len(items) else None


def _parse_constant(column: pd.Series, value: Any, action: str) -> Any:
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        number = to_number(pd.Series([value], dtype="object")).iloc[0]
        if pd.isna(number):
            raise _bad(action, "value", value, messages.text("recipe.expected_number_like_column"))
        return int(number) if float(number).is_integer() else float(number)
    if pd.api.types.is_datetime64_any_dtype(column):
        parsed = pd.to_datetime(str(value), dayfirst=True, errors="coerce")
        if pd.isna(parsed):
            raise _bad(action, "value", value, messages.text("recipe.expected_date_like_column"))
        return parsed.isoformat()
    return value if isinstance(value, (int, float, bool)) else str(value)


def fit_step(frame: pd.DataFrame, step: Step) -> Step:
    """The step with the values it learns from ``frame`` frozen in its parameters."""
    missing = [c for c in step.inputs() if c not in frame.columns]
    if missing:
        raise messages.error(
            "recipe.column_missing",
            missing=messages.text(
                "recipe.column_missing_item",
                column=missing[0],
                number="nouvelle",
                label=step.title(),
            ),
            available=_available(frame.columns),
        )
    p = dict(step.params)
    a = step.action
    if a == "fill_missing":
        column = frame[p["column"]]
        if p["strategy"] == "constant":
            p["value"] = _parse_constant(column, p["value"], a)
        elif p.get("value") is None:
            p["value"] = _learn_fill_value(column, p["strategy"], p["column"])
    elif a == "convert_type" and p["to"] == "date" and not p.get("format"):
        p["format"] = detect_date_format(frame[p["column"]])
    elif a == "derive_from_date":
        column = frame[p["column"]]
        if not pd.api.types.is_datetime64_any_dtype(column) and not p.get("format"):
            p["format"] = detect_date_format(column)
            if p["format"] is None:
                raise messages.error("recipe.not_date", column=p["column"])
    elif a in ("cap_outliers", "remove_outliers"):
        column = frame[p["column"]]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise messages.error("recipe.not_numeric", column=p["column"])
        if p.get("low") is None and p.get("high") is None:
            bounds = robust_bounds(column)
            if bounds is not None:
                p["low"], p["high"] = bounds
        p["low"], p["high"] = _whole_bounds(column, p.get("low"), p.get("high"))
    elif a == "filter_rows":
        column = frame[p["column"]]
        if p["operator"] in ("<", "<=", ">", ">="):
            p["value"] = _parse_constant(column, p["value"], a)
            if not (
                pd.api.types.is_numeric_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column)
            ):
                raise messages.error("recipe.not_numeric", column=p["column"])
        elif p["operator"] in ("==", "!="):
            p["value"] = _parse_constant(column, p["value"], a)
    return Step(a, p, step.label)


def _whole_bounds(column: pd.Series, low: Any, high: Any) -> tuple[Any, Any]:
    """For a column of whole numbers (counts, ages, quotients), bounds that are whole numbers too:
    capping to « 90,34 » would write a value the column never holds (and its schema forbids)."""
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    values = values[np.isfinite(values)]
    if not len(values) or not bool((values % 1 == 0).all()):
        return low, high
    if low is not None and math.isfinite(low):
        low = float(math.ceil(low))
    if high is not None and math.isfinite(high):
        high = float(math.floor(high))
    if low is not None and high is not None and low > high:
        low = high
    return low, high


def _learn_fill_value(column: pd.Series, strategy: str, name: str) -> Any:
    values = column.dropna()
    if values.empty:
        raise messages.error("recipe.no_value_to_fill", column=name)
    if strategy == "most_frequent":
        counts = values.value_counts(sort=True)
        top = counts.index[counts == counts.iloc[0]]
        value = sorted(top, key=str)[0]
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        return _json_value(value)
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if not numeric:
        raise messages.error("recipe.not_numeric", column=name)
    value = float(values.mean() if strategy == "mean" else values.median())
    if pd.api.types.is_integer_dtype(column) and value.is_integer():
        return int(value)
    return _round(value)


def _available(columns: Iterable[Any]) -> str:
    names = [f"« {c} »" for c in columns]
    return ", ".join(names[:25]) + (" …" if len(names) > 25 else "")


# =========================================================================== applying
def apply_step(frame: pd.DataFrame, step: Step, key: bytes | None = None) -> pd.DataFrame:
    """``frame`` after one step (a new DataFrame; ``frame`` is not modified)."""
    p, a = step.params, step.action
    table = frame.copy()
    if a in DROP_ACTIONS:
        return table.drop(columns=p["columns"], errors="ignore")
    if a == "drop_duplicates":
        return table.drop_duplicates(subset=p["columns"])
    if a == "pseudonymise":
        key = _check_key(key)
        for column in p["columns"]:
            table[column] = pseudonymise(table[column], key)
        return table
    column = p["column"]
    values = table[column]
    if a == "fill_missing":
        value = p.get("value")
        if value is None:
            value = _learn_fill_value(values, p["strategy"], column)
        if pd.api.types.is_datetime64_any_dtype(values):
            value = pd.Timestamp(value)
        table[column] = values.fillna(value)
    elif a == "merge_categories":
        table[column] = values.replace(p["mapping"])
    elif a == "mark_missing":
        table[column] = values.mask(placeholder_mask(values, p["values"]))
    elif a == "convert_type":
        if p["to"] == "number":
            table[column] = to_number(values)
        elif p["to"] == "date":
            table[column] = to_date(values, p.get("format"))
        else:
            table[column] = to_text(values)
    elif a in ("cap_outliers", "remove_outliers"):
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise messages.error("recipe.not_numeric", column=column)
        low, high = p.get("low"), p.get("high")
        if a == "cap_outliers":
            if pd.api.types.is_integer_dtype(values):  # whole bounds keep whole numbers
                low = int(low) if low is not None and float(low).is_integer() else low
                high = int(high) if high is not None and float(high).is_integer() else high
            table[column] = values.clip(lower=low, upper=high)
        else:
            inside = values.between(
                low if low is not None else -math.inf, high if high is not None else math.inf
            )
            table = table[inside | values.isna()]
    elif a == "filter_rows":
        table = table[_filter_mask(values, p, column)]
    elif a == "derive_from_date":
        dates = to_date(values, p.get("format"))
        if dates.notna().sum() == 0 and values.notna().sum() > 0:
            raise messages.error("recipe.not_date", column=column)
        for part, name in zip(p["parts"], derived_names(column, p["parts"]), strict=True):
            # pandas 3.1 deprecates .dt.weekday: the same numbers as .dt.day_of_week
            table[name] = getattr(dates.dt, "day_of_week" if part == "weekday" else part)
        if p["drop"]:
            table = table.drop(columns=[column])
    return table


def placeholder_mask(values: pd.Series, placeholders: list[Any]) -> pd.Series:
    """Cells of ``values`` that hold one of ``placeholders`` (« 9999 », « ND », « -1 »): compared
    as numbers in a numeric column, as stripped texts otherwise."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = to_number(pd.Series(list(placeholders), dtype="object")).dropna()
        return values.isin(list(numbers)).fillna(False)
    texts = {str(v).strip() for v in placeholders}
    return values.astype("string").str.strip().isin(texts).fillna(False).astype(bool)


def _filter_mask(values: pd.Series, p: dict, column: str) -> pd.Series:
    operator, value = p["operator"], p.get("value")
    if operator == "missing":
        return values.isna()
    if operator == "not_missing":
        return values.notna()
    if pd.api.types.is_datetime64_any_dtype(values) and isinstance(value, str):
        value = pd.Timestamp(value)
    try:
        if operator == "in":
            mask = values.isin(value)
        elif operator == "not_in":
            mask = ~values.isin(value)
        elif operator == "==":
            mask = values == value
        elif operator == "!=":
            mask = values != value
        elif operator == "<":
            mask = values < value
        elif operator == "<=":
            mask = values <= value
        elif operator == ">":
            mask = values > value
        else:
            mask = values >= value
    except TypeError:
        raise messages.error("recipe.compare_type", value=value, column=column) from None
    if p.get("keep_missing"):
        mask = mask | values.isna()
    return mask.fillna(False).astype(bool)


def _check_key(key: Any) -> bytes:
    if key is None:
        raise messages.error("recipe.key_needed")
    if isinstance(key, str):
        try:
            key = bytes.fromhex(key)
        except ValueError:
            raise messages.error("recipe.bad_key") from None
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise messages.error("recipe.bad_key")
    return bytes(key)


# =========================================================================== preview
@dataclass(frozen=True)
class Effect:
    """What a step changes in a table: counts and a French sentence."""

    rows_before: int
    rows_removed: int
    values_changed: int
    columns_removed: list[str]
    columns_added: list[str]
    became_missing: int = 0

    def text(self) -> str:
        parts = []
        if self.rows_removed:
            parts.append(
                messages.text(
                    "recipe.effect_rows_removed", count=self.rows_removed, total=self.rows_before
                )
            )
        if self.values_changed:
            parts.append(messages.text("recipe.effect_values_changed", count=self.values_changed))
        if self.became_missing:
            parts.append(
                messages.text("recipe.effect_converted_missing", count=self.became_missing)
            )
        for key, columns in (("removed", self.columns_removed), ("added", self.columns_added)):
            if columns:
                parts.append(
                    messages.text(
                        f"recipe.effect_columns_{key}", count=len(columns), columns=_quoted(columns)
                    )
                )
        return " ".join(parts) or messages.text("recipe.effect_nothing")

    @property
    def nothing(self) -> bool:
        """True when the step would leave the table exactly as it is."""
        return not (
            self.rows_removed
            or self.values_changed
            or self.became_missing
            or self.columns_removed
            or self.columns_added
        )


def _changed(before: pd.Series, after: pd.Series) -> pd.Series:
    """Per row: did the value change (two missing values count as equal)?"""
    both_missing = before.isna() & after.isna()
    try:
        same = before.astype("object") == after.astype("object")
    except (TypeError, ValueError):
        same = before.astype("string") == after.astype("string")
    return ~(same.fillna(False).astype(bool) | both_missing)


def _compare(frame: pd.DataFrame, step: Step, after: pd.DataFrame):
    removed_rows = frame.index.difference(after.index)
    removed_cols = [c for c in frame.columns if c not in after.columns]
    added_cols = [c for c in after.columns if c not in frame.columns]
    kept = frame.index.intersection(after.index)
    changed = pd.Series(False, index=kept)
    count = 0
    became_missing = 0
    for column in step.columns:
        if column in frame.columns and column in after.columns:
            flags = _changed(frame.loc[kept, column], after.loc[kept, column])
            changed |= flags
            count += int(flags.sum())
            became_missing += int(
                (frame.loc[kept, column].notna() & after.loc[kept, column].isna()).sum()
            )
    return removed_rows, removed_cols, added_cols, changed, count, became_missing


def effect(frame: pd.DataFrame, step: Step, key: bytes | None = None) -> Effect:
    """What ``step`` would change in ``frame``."""
    after = apply_step(frame, step, key)
    removed_rows, removed_cols, added_cols, _, count, missing = _compare(frame, step, after)
    return Effect(len(frame), len(removed_rows), count, removed_cols, added_cols, missing)


def preview(
    frame: pd.DataFrame, step: Step, key: bytes | None = None, max_rows: int = 8
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(before, after): the rows and columns ``step`` touches, before and after it.

    Removed rows appear in ``before`` and are absent from ``after``; removed columns likewise.
    """
    after = apply_step(frame, step, key)
    removed_rows, removed_cols, added_cols, changed, _, _ = _compare(frame, step, after)
    touched = [c for c in step.columns if c in frame.columns] or list(frame.columns[:6])
    if removed_rows.size:
        rows = list(removed_rows[:max_rows])
        show = touched if step.action != "drop_duplicates" else list(frame.columns[:8])
        before = frame.loc[rows, show]
        return before, after.loc[[r for r in rows if r in after.index], show]
    rows = list(changed[changed].index[:max_rows]) or list(frame.index[:max_rows])
    before = frame.loc[rows, touched]
    after_columns = [c for c in touched if c in after.columns] + added_cols
    return before, after.loc[rows, after_columns]


# =========================================================================== recipe
@dataclass
class Recipe:
    """An ordered list of cleaning steps."""

    steps: list[Step] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)

    def add(
        self,
        step: Step,
        frame: pd.DataFrame | None = None,
        *,
        key: bytes | str | None = None,
        require_change: bool = False,
    ) -> Step:
        """Append ``step``, fitted on ``frame`` (the table as it is before this step) if given.

        With ``require_change``, a step that would leave ``frame`` as it is raises a French error
        and is not added (a recipe lists only steps that do something)."""
        fitted = fit_step(frame, step) if frame is not None else step
        if require_change and frame is not None and effect(frame, fitted, key).nothing:
            raise messages.error("recipe.no_change", label=fitted.title())
        self.steps.append(fitted)
        return fitted

    def undo(self) -> Step:
        """Remove and return the last step."""
        if not self.steps:
            raise messages.error("recipe.nothing_to_undo")
        return self.steps.pop()

    def remove(
        self, index: int, frame: pd.DataFrame | None = None, key: bytes | str | None = None
    ) -> Step:
        """Remove and return the step at ``index`` (0-based), wherever it is in the recipe.

        With ``frame`` (the table the recipe starts from), the steps left must still replay on it;
        if one of them needed the removed step (a column it made, a conversion), nothing is
        removed and a French error names that step."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise messages.error(
                "recipe.no_such_step",
                number=index + 1 if isinstance(index, int) else index,
                count=len(self),
            )
        removed = self.steps[index]
        remaining = self.steps[:index] + self.steps[index + 1 :]
        if frame is not None:
            failing = _first_failure(remaining, frame, key)
            if failing is not None:
                position, reason = failing
                number = position + 1 if position < index else position + 2
                raise messages.error(
                    "recipe.remove_blocked",
                    number=index + 1,
                    label=removed.title(),
                    other=number,
                    other_label=remaining[position].title(),
                    reason=reason,
                )
        self.steps = remaining
        return removed

    def missing_columns(
        self, columns: Iterable[Any], allow_missing: Iterable[str] = ()
    ) -> list[tuple[int, Step, str]]:
        """(step number, step, column) for every column a step needs and will not find."""
        current = [str(c) for c in columns]
        allowed = set(allow_missing)
        problems = []
        for number, step in enumerate(self.steps, start=1):
            absent = [c for c in step.inputs() if c not in current]
            if absent and all(c in allowed for c in absent):
                continue
            problems.extend((number, step, c) for c in absent)
            current = step.outputs(current)
        return problems

    def check_columns(self, columns: Iterable[Any], allow_missing: Iterable[str] = ()) -> None:
        """Raise a French error naming every missing column (and the steps that need it)."""
        columns = list(columns)
        problems = self.missing_columns(columns, allow_missing)
        if problems:
            items = [
                messages.text("recipe.column_missing_item", column=c, number=n, label=s.title())
                for n, s, c in problems
            ]
            raise messages.error(
                "recipe.column_missing", missing=" ; ".join(items), available=_available(columns)
            )

    def apply(
        self,
        frame: pd.DataFrame,
        key: bytes | str | None = None,
        *,
        allow_missing: Iterable[str] = (),
    ) -> pd.DataFrame:
        """Replay every step on ``frame`` (not modified) and return the cleaned table.

        ``allow_missing`` names columns that may be absent (the target, in a file to score): the
        steps that only need those columns are skipped when they are absent. Any other missing
        column stops the whole replay with one French message listing them all.
        """
        if not isinstance(frame, pd.DataFrame):
            raise messages.error("recipe.bad_frame")
        allowed = set(allow_missing)
        self.check_columns(frame.columns, allowed)
        table = frame
        for number, step in enumerate(self.steps, start=1):
            absent = [c for c in step.inputs() if c not in table.columns]
            if absent:  # only allowed columns can be absent here (checked above)
                continue
            try:
                table = apply_step(table, step, key)
            except DatalabError as exc:
                if exc.key in ("recipe.key_needed", "recipe.bad_key"):
                    raise
                raise messages.error(
                    "recipe.step_failed", number=number, label=step.title(), reason=exc.message
                ) from exc
            except (TypeError, ValueError) as exc:
                raise messages.error(
                    "recipe.step_failed",
                    number=number,
                    label=step.title(),
                    reason=messages.text(
                        "recipe.compare_type",
                        value="…",
                        column=step.columns[0] if step.columns else "?",
                    ),
                ) from exc
        return table

    def needs_key(self) -> bool:
        return any(s.action == "pseudonymise" for s in self.steps)

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "datalab-recipe",
            "version": FORMAT_VERSION,
            "steps": [s.to_dict() for s in self.steps],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Recipe:
        if isinstance(data, list):
            data = {"steps": data}
        if not isinstance(data, dict) or not isinstance(data.get("steps", None), list):
            raise messages.error("recipe.not_a_recipe")
        version = data.get("version", FORMAT_VERSION)
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise messages.error("recipe.recipe_too_new", found=version, expected=FORMAT_VERSION)
        return cls([Step.from_dict(s) for s in data["steps"]])


def _first_failure(
    steps: list[Step], frame: pd.DataFrame, key: bytes | str | None
) -> tuple[int, str] | None:
    """(position, French reason) of the first step of ``steps`` that cannot replay on ``frame``."""
    table = frame
    for position, step in enumerate(steps):
        absent = [c for c in step.inputs() if c not in table.columns]
        if absent:
            return position, messages.text("recipe.reason_column", column=absent[0])
        try:
            table = apply_step(table, step, key)
        except DatalabError as exc:
            if exc.key in ("recipe.key_needed", "recipe.bad_key"):
                raise
            return position, exc.message
        except (TypeError, ValueError):
            column = step.columns[0] if step.columns else "?"
            return position, messages.text("recipe.compare_type", value="…", column=column)
    return None
