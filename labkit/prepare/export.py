"""The cleaning recipe as a standalone Python script, for the learner to keep and run elsewhere.

:func:`to_python` writes a pandas script that reads the original file, replays each step of the
recipe in order and writes the cleaned table. The value helpers it needs (reading numbers, dates,
pseudonyms) are copied from :mod:`labkit.prepare.recipe` as they are, so the script computes
exactly what :meth:`~labkit.prepare.recipe.Recipe.apply` computes. Its comments are in French: the
script is the trainee's.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import pandas as pd

from labkit import messages
from labkit.prepare.recipe import (
    DROP_ACTIONS,
    Recipe,
    Step,
    derived_names,
    pseudonymise,
    to_date,
    to_number,
    to_text,
)

KEY_ENV_VAR = "DATALAB_CLE"
READ_OPTIONS = ("sep", "encoding", "decimal", "thousands", "skiprows", "header", "sheet_name")
_EXCEL_OPTIONS = ("sheet_name", "skiprows", "header")
# The value helpers copied into the script when a step needs them, in the script's order.
_HELPERS = {
    "to_number": to_number,
    "to_date": to_date,
    "to_text": to_text,
    "pseudonymise": pseudonymise,
}


def to_python(
    recipe: Recipe,
    source: str = "donnees.csv",
    output: str | None = None,
    read_options: dict[str, Any] | None = None,
) -> str:
    """A standalone pandas script that reads ``source``, replays ``recipe`` and writes ``output``
    (``<source>_propre.csv`` by default); ``read_options`` are the reading options of ``source``
    (separator, encoding…)."""
    read_options = read_options or {}
    if output is None:
        stem = source.rsplit(".", 1)[0] if "." in source else source
        output = f"{stem}_propre.csv"
    body: list[str] = []
    helpers: set[str] = set()
    for number, step in enumerate(recipe.steps, start=1):
        body.append("")
        body.append(messages.text("recipe.export_step", number=number, label=step.title()))
        lines, needed = _step_code(step)
        body.extend(lines)
        helpers |= needed
    lines = [*messages.text("recipe.export_header").splitlines(), ""]
    if "pseudonymise" in helpers:
        lines += ["import hashlib", "import hmac", "import os", ""]
    lines += ["import pandas as pd", ""]
    lines.append(f"INPUT_FILE = {source!r}")
    lines.append(f"OUTPUT_FILE = {output!r}")
    if "pseudonymise" in helpers:
        lines += [
            "",
            *messages.text("recipe.export_key", variable=KEY_ENV_VAR).splitlines(),
            f"KEY = bytes.fromhex(os.environ[{KEY_ENV_VAR!r}])",
        ]
    for name in sorted(helpers, key=list(_HELPERS).index):
        comment = messages.text(f"recipe.export_helper_{name}")
        lines += ["", "", comment, inspect.getsource(_HELPERS[name]).rstrip()]
    lines += ["", ""]
    lower = source.lower()
    reader = "read_excel" if lower.endswith((".xlsx", ".xls", ".ods")) else "read_csv"
    if reader == "read_excel":  # there, ``header=None`` (no header row) is an option too
        options = "".join(f", {k}={v!r}" for k, v in read_options.items() if k in _EXCEL_OPTIONS)
    else:
        options = "".join(
            f", {k}={v!r}" for k, v in read_options.items() if k in READ_OPTIONS and v is not None
        )
    lines.append(f"table = pd.{reader}(INPUT_FILE{options})")
    lines += body
    done = messages.text("recipe.export_done", rows="{len(table)}", columns="{len(table.columns)}")
    lines += ["", "table.to_csv(OUTPUT_FILE, index=False)", f'print(f"{done}")', ""]
    return "\n".join(lines)


def _col(name: str) -> str:
    return f"table[{name!r}]"


def _step_code(step: Step) -> tuple[list[str], set[str]]:
    p, a = step.params, step.action
    if a in DROP_ACTIONS:
        return [f"table = table.drop(columns={p['columns']!r}, errors='ignore')"], set()
    if a == "drop_duplicates":
        subset = f"subset={p['columns']!r}" if p["columns"] else ""
        return [f"table = table.drop_duplicates({subset})"], set()
    if a == "pseudonymise":
        return [f"{_col(c)} = pseudonymise({_col(c)}, KEY)" for c in p["columns"]], {"pseudonymise"}
    column = _col(p["column"])
    if a == "fill_missing":
        value = p["value"]
        literal = f"pd.Timestamp({value!r})" if _is_iso_date(value) else repr(value)
        return [f"{column} = {column}.fillna({literal})"], set()
    if a == "merge_categories":
        mapping = ",\n".join(f"    {k!r}: {v!r}" for k, v in p["mapping"].items())
        return [f"{column} = {column}.replace({{\n{mapping},\n}})"], set()
    if a == "convert_type":
        if p["to"] == "number":
            return [f"{column} = to_number({column})"], {"to_number"}
        if p["to"] == "date":
            return [f"{column} = to_date({column}, {p.get('format')!r})"], {"to_date"}
        return [f"{column} = to_text({column})"], {"to_text"}
    if a == "mark_missing":
        texts = [str(v).strip() for v in p["values"]]
        return [
            f"{column} = {column}.mask({column}.isin({p['values']!r})"
            f" | {column}.astype('string').str.strip().isin({texts!r}).fillna(False))"
        ], set()
    if a == "cap_outliers":
        return [f"{column} = {column}.clip(lower={p.get('low')!r}, upper={p.get('high')!r})"], set()
    if a == "remove_outliers":
        low = p.get("low") if p.get("low") is not None else -math.inf
        high = p.get("high") if p.get("high") is not None else math.inf
        low_text = "-float('inf')" if low == -math.inf else repr(low)
        high_text = "float('inf')" if high == math.inf else repr(high)
        return [
            f"table = table[{column}.between({low_text}, {high_text}) | {column}.isna()]"
        ], set()
    if a == "filter_rows":
        return [f"table = table[{_filter_code(column, p)}]"], set()
    # derive_from_date
    lines = [f"dates = to_date({column}, {p.get('format')!r})"]
    for part, name in zip(p["parts"], derived_names(p["column"], p["parts"]), strict=True):
        lines.append(f"table[{name!r}] = dates.dt.{part}")
    if p["drop"]:
        lines.append(f"table = table.drop(columns=[{p['column']!r}])")
    return lines, {"to_date"}


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) < 10:
        return False
    try:
        return pd.Timestamp(value).isoformat() == value
    except (ValueError, TypeError):
        return False


def _filter_code(column: str, p: dict) -> str:
    operator, value = p["operator"], p.get("value")
    if operator == "missing":
        return f"{column}.isna()"
    if operator == "not_missing":
        return f"{column}.notna()"
    literal = f"pd.Timestamp({value!r})" if _is_iso_date(value) else repr(value)
    if operator == "in":
        condition = f"{column}.isin({literal})"
    elif operator == "not_in":
        condition = f"~{column}.isin({literal})"
    else:
        condition = f"({column} {operator} {literal})"
    if p.get("keep_missing"):
        condition = f"{condition} | {column}.isna()"
    return condition
