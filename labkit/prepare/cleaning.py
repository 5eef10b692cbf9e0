"""The default cleaning: the safe fixes of a quality report gathered into a recipe.

Used when a learner skipped module 04 (:func:`labkit.learner.chain.default_recipe`), by
``datalab train`` and by the running example's fallback model.
"""

from __future__ import annotations

import pandas as pd

from labkit.prepare.detectors import fill_step
from labkit.prepare.profiling import profile_of
from labkit.prepare.quality import QualityReport
from labkit.prepare.recipe import Recipe, Step, apply_step

_DEFAULT_ORDER = {
    "duplicates": -1,  # on the file as read: no later step may make two different rows alike
    "placeholder": 0,
    "wrong_type": 0,
    "schema": 1,
    "inconsistent_categories": 2,
    "personal_data": 4,
    "leakage": 5,
    "identifier": 5,
    "constant": 5,
    "missing_target": 6,
    "missing_empty": 5,
    "outliers": 7,
    "missing": 8,
}


def default_recipe(frame: pd.DataFrame, report: QualityReport, target: str | None = None) -> Recipe:
    """The safe fixes of ``report`` as a recipe, each step fitted on the table as it is by then.

    Types are fixed first, then spellings, duplicates, columns to drop (personal data, leakage,
    identifiers, constant or almost empty columns), rows without target, extreme values, missing
    values; finally dates become year, month and weekday columns a model can use.
    """
    target = target or report.target
    candidates: list[tuple[int, Step]] = []
    for finding in report.findings:
        if finding.fix is None:
            continue
        kind = finding.kind
        if kind == "missing":
            if finding.details.get("target"):
                kind = "missing_target"
            elif finding.details.get("almost_empty"):
                kind = "missing_empty"
            elif finding.details.get("placeholder"):
                kind = "placeholder"
        if kind == "schema" and finding.fix.action != "merge_categories":
            continue
        if kind == "duplicates" and finding.fix.params.get("columns"):
            continue  # near duplicates: the learner decides
        candidates.append((_DEFAULT_ORDER.get(kind, 9), finding.fix))
    personal = [
        c for _, step in candidates if step.action == "remove_personal" for c in step.columns
    ]
    candidates = [item for item in candidates if item[1].action != "remove_personal"]
    if personal:
        candidates.append(
            (_DEFAULT_ORDER["personal_data"], Step("remove_personal", {"columns": personal}))
        )
    candidates.sort(key=lambda item: item[0])
    recipe = Recipe()
    table = frame
    merged_columns: set[str] = set()
    for _, step in candidates:
        if step.action == "merge_categories":
            if step.params["column"] in merged_columns:
                continue
            merged_columns.add(step.params["column"])
        if any(c not in table.columns for c in step.inputs()):
            continue
        if step.action in ("drop_column", "remove_personal"):
            columns = [c for c in step.params["columns"] if c in table.columns and c != target]
            if not columns:
                continue
            step = Step(step.action, {"columns": columns})
        try:
            fitted = recipe.add(step, table, require_change=True)
        except Exception:  # noqa: BLE001 - a fix that cannot apply here is left to the learner
            continue
        table = apply_step(table, fitted)
    if target and target in table.columns and table[target].isna().any():
        # a conversion emptied some targets (« Infinity », an impossible date): rows left out
        step = Step("filter_rows", {"column": target, "operator": "not_missing"})
        fitted = recipe.add(step, table)
        table = apply_step(table, fitted)
    for name in list(table.columns):
        if name == target or not table[name].isna().any() or table[name].notna().sum() == 0:
            continue
        if report.column_types.get(name) == "date":
            continue
        step = fill_step(profile_of(table[[name]])[str(name)])
        if step is None:
            continue
        try:
            fitted = recipe.add(step, table)
        except Exception:  # noqa: BLE001
            continue
        table = apply_step(table, fitted)
    for name in list(table.columns):
        if name == target:
            continue
        kind = report.column_types.get(name)
        if kind == "date" and (
            pd.api.types.is_datetime64_any_dtype(table[name]) or table[name].notna().any()
        ):
            try:
                fitted = recipe.add(
                    Step(
                        "derive_from_date", {"column": name, "parts": ["year", "month", "weekday"]}
                    ),
                    table,
                )
            except Exception:  # noqa: BLE001
                continue
            table = apply_step(table, fitted)
    return recipe
