"""Validation of a table against a Table Schema (the format of schema.data.gouv.fr), in plain French.

The checking itself is done by `frictionless` (the reference implementation of the Frictionless
standards); this module feeds it a DataFrame, matches the schema's fields to the table's columns
by name (not by position), and turns its errors into French sentences grouped by column and rule,
with the rows concerned (the DataFrame's index labels).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from labkit import messages
from labkit.data.datapackage import french_error

MAX_ERRORS = 20_000


@dataclass
class SchemaIssue:
    """Values of one column that break one rule of the schema."""

    column: str | None
    rule: str  # type, required, enum, minimum, maximum, pattern, unique, minLength, maxLength,
    # missing_column, extra_column, or another frictionless error type
    rows: list[Any] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    message: str = ""
    blocking: bool = True  # an extra column is only a remark

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class SchemaReport:
    valid: bool
    issues: list[SchemaIssue]
    rows_checked: int

    def summary(self) -> str:
        if self.valid:
            return messages.text("quality.schema_valid", rows=self.rows_checked)
        blocking = [i for i in self.issues if i.blocking]
        cells = sum(max(i.count, 1) for i in blocking)
        return messages.text("quality.schema_invalid", count=cells, rules=len(blocking))


def load_schema(source: dict | str | Path) -> dict:
    """A Table Schema as a dict, from a dict, a JSON text or a JSON file (French errors)."""
    if isinstance(source, dict):
        schema = source
    else:
        text = str(source)
        try:
            if isinstance(source, Path) or (
                not text.lstrip().startswith("{") and Path(text).exists()
            ):
                text = Path(text).read_text(encoding="utf-8")
            schema = json.loads(text)
        except (OSError, ValueError):
            raise messages.error("quality.schema_unreadable") from None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if (
        not isinstance(fields, list)
        or not fields
        or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)
    ):
        raise messages.error("quality.schema_not_a_schema")
    return schema


def _cell(value: Any, spec: dict) -> Any:
    """A DataFrame value as the text a CSV file would hold for this field."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        date_format = spec.get("format")
        if date_format and date_format not in ("default", "any") and "%" in date_format:
            return value.strftime(date_format)
        if spec.get("type") == "datetime":
            return value.isoformat()
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer() and spec.get("type") == "integer":
        return str(int(value))
    if (
        isinstance(value, (float, int))
        and not isinstance(value, bool)
        and spec.get("type") == "number"
    ):
        return repr(float(value)).replace(".", spec.get("decimalChar", "."))
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def validate(frame: pd.DataFrame, schema: dict | str | Path) -> SchemaReport:
    """Check ``frame`` against ``schema``; every problem comes back as a French :class:`SchemaIssue`."""
    schema = load_schema(schema)
    if not isinstance(frame, pd.DataFrame):
        raise messages.error("quality.schema_not_a_table")
    columns = [str(c) for c in frame.columns]
    specs = {f["name"]: f for f in schema["fields"]}
    issues: list[SchemaIssue] = []
    for name, spec in specs.items():
        if name not in columns:
            required = bool((spec.get("constraints") or {}).get("required"))
            issues.append(
                SchemaIssue(
                    name,
                    "missing_column",
                    message=messages.text("quality.schema_missing_column", column=name),
                    blocking=required or True,
                )
            )
    for name in columns:
        if name not in specs:
            issues.append(
                SchemaIssue(
                    name,
                    "extra_column",
                    message=messages.text("quality.schema_extra_column", column=name),
                    blocking=False,
                )
            )
    present = [name for name in specs if name in columns]
    if present and len(frame):
        issues.extend(_frictionless_issues(frame, schema, present))
    blocking = [i for i in issues if i.blocking]
    return SchemaReport(valid=not blocking, issues=issues, rows_checked=len(frame))


def _frictionless_issues(
    frame: pd.DataFrame, schema: dict, present: list[str]
) -> list[SchemaIssue]:
    from frictionless import Resource, Schema  # slow to import: only when a schema is checked

    specs = {f["name"]: f for f in schema["fields"]}
    sub = {k: v for k, v in schema.items() if k not in ("fields", "primaryKey", "foreignKeys")}
    sub["fields"] = [specs[name] for name in present]
    key = schema.get("primaryKey")
    keys = [key] if isinstance(key, str) else list(key or [])
    if keys and all(k in present for k in keys):
        sub["primaryKey"] = keys
    table = frame.rename(columns=str)[present]
    rows = [present]
    for values in table.itertuples(index=False, name=None):
        rows.append([_cell(v, specs[n]) for v, n in zip(values, present, strict=True)])
    try:
        resource = Resource(data=rows, schema=Schema.from_descriptor(sub))
        report = resource.validate(limit_errors=MAX_ERRORS)
    except Exception as exc:  # frictionless raises its own types for a malformed schema
        raise messages.error("quality.schema_not_a_schema") from exc
    groups: dict[tuple[str | None, str], SchemaIssue] = {}
    notes: dict[tuple[str | None, str], str] = {}
    index = list(frame.index)
    for task in report.tasks:
        for error in task.errors:
            column = getattr(error, "field_name", None)
            rule = _rule(error)
            position = getattr(error, "row_number", None)
            issue = groups.get((column, rule))
            if issue is None:
                issue = groups[(column, rule)] = SchemaIssue(column, rule)
                notes[(column, rule)] = _french_note(error)
            if position is not None and 2 <= position < len(index) + 2:
                label = index[position - 2]
                issue.rows.append(
                    int(label) if isinstance(label, (int,)) or hasattr(label, "item") else label
                )
            cell = getattr(error, "cell", None)
            if cell is not None and len(issue.values) < 5 and str(cell) not in issue.values:
                issue.values.append(str(cell))
    for (column, rule), issue in groups.items():
        issue.message = _french(issue, specs.get(column or "", {}), notes[(column, rule)])
    return list(groups.values())


def _french_note(error) -> str:
    """What frictionless says about an error, in French (its English note is never shown)."""
    return french_error(error)


_BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
)
"""The Table Schema constraints that bound a value (each has its French message)."""


def _rule(error) -> str:
    kind = getattr(error, "type", "error")
    if kind == "type-error":
        return "type"
    if kind == "constraint-error":
        note = str(getattr(error, "note", ""))
        for name in ("required", "unique", "enum", *_BOUNDS):
            if f'"{name}"' in note:
                return name
        return "constraint"
    if kind in ("unique-error", "primary-key"):
        return "unique"
    return kind


def _french(issue: SchemaIssue, spec: dict, note: str) -> str:
    column = issue.column or "?"
    constraints = spec.get("constraints") or {}
    examples = ", ".join(f"« {v} »" for v in issue.values[:3]) or "—"
    count = issue.count
    rule = issue.rule
    if rule == "type":
        expected = schema_type_label(spec.get("type", "string"))
        if spec.get("format") and "%" in str(spec.get("format")):
            expected = messages.text(
                "datapackage.schema_type_with_format",
                type=expected,
                format=readable_date_format(spec["format"]),
            )
        return messages.text(
            "quality.schema_type", column=column, count=count, expected=expected, examples=examples
        )
    if rule == "enum":
        allowed = ", ".join(f"« {v} »" for v in constraints.get("enum", []))
        return messages.text(
            "quality.schema_enum", column=column, count=count, allowed=allowed, examples=examples
        )
    if rule in _BOUNDS:
        return messages.text(
            f"quality.schema_{rule}",
            column=column,
            count=count,
            limit=constraints.get(rule, "?"),
            examples=examples,
        )
    if rule in ("required", "unique"):
        return messages.text(
            f"quality.schema_{rule}", column=column, count=count, examples=examples
        )
    return messages.text(
        "quality.schema_other", column=column, count=count, examples=examples, note=note[:200]
    )


_LABELLED_TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "object",
    "array",
    "any",
)


def schema_type_label(kind: str) -> str:
    """The French name of a Table Schema type (the type itself when unknown)."""
    if kind not in _LABELLED_TYPES:
        return kind
    return messages.text(f"datapackage.schema_type_{kind}")


def readable_date_format(date_format: str) -> str:
    """A strftime date format as people read it: ``%d/%m/%Y`` → ``jj/mm/aaaa``."""
    for code, text in (
        ("%Y", "aaaa"),
        ("%m", "mm"),
        ("%d", "jj"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
        ("%y", "aa"),
    ):
        date_format = date_format.replace(code, text)
    return date_format


def allowed_values(schema: dict | None) -> dict[str, list[str]]:
    """Per column, the values a schema allows (its ``enum`` constraints)."""
    if not schema:
        return {}
    found = {}
    for spec in schema.get("fields", []):
        enum = (spec.get("constraints") or {}).get("enum")
        if isinstance(enum, list) and enum:
            found[spec["name"]] = [str(v) for v in enum]
    return found


def issues_by_column(report: SchemaReport) -> dict[str, list[SchemaIssue]]:
    grouped: dict[str, list[SchemaIssue]] = defaultdict(list)
    for issue in report.issues:
        grouped[issue.column or ""].append(issue)
    return dict(grouped)
