"""The facts of a learner's project, as plain values, for the transparency sheet and the report.

:class:`ProjectFacts` is filled by :func:`labkit.learner.sheets.gather_facts` (the one reader of
the workspace); the functions here compute its model-related parts from a trained model and its
held-out rows: results on the test rows, what weighs most, the rules or the formula, the bias
audit, module 05's comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages


@dataclass
class ProjectFacts:
    """What the workspace knows about the project, as plain values (for the sheets and the
    final report)."""

    author: str | None
    title: str
    canvas: dict  # labkit.learner.course.canvas_summary
    dataset: dict  # name, producer, licence, sources, description, simulated, rows, columns
    model: dict  # name, key, target, task, features, classes, positive, saved, sklearn
    is_default: bool
    notice: str | None
    recipe_steps: list[str]  # French labels of the recipe's steps
    recipe_is_default: bool
    personal_removed: list[str]
    personal_pseudonymised: list[str]
    evaluation: dict | None  # rows, metrics, explanations, matrix, labels, baseline…
    holdout_note: str | None
    importance: list[dict]  # column, importance, std (largest first)
    importance_sentences: list[str]
    rules: list[str]
    formula: list[str]
    fairness: Any  # labkit.model.fairness.FairnessAudit or None
    fairness_problem: str | None
    risk: dict  # labkit.learner.course.risk_summary
    usecase: dict  # the use case's saved choices (threshold, costs, next steps)
    threshold: dict | None  # counts at the chosen threshold
    comparison: list[dict]  # key, name, score, std (module 05), baseline first
    metric: str
    problems: list[str] = field(default_factory=list)
    context: Any = field(default=None, repr=False)  # labkit.use.usecase.UseContext
    canvas_example: dict = field(default_factory=dict)  # the running example's canvas
    canvas_missing: list[str] = field(default_factory=list)  # required canvas fields left empty


def model_summary(trained, meta: Mapping) -> dict:
    """The model's identity card as plain values."""
    from labkit.model.learning import format_value

    return {
        "name": trained.name,
        "key": trained.key,
        "target": trained.target,
        "task": trained.task,
        "features": list(trained.features),
        "classes": [format_value(c) for c in trained.classes],
        "positive": format_value(trained.positive) if trained.positive is not None else None,
        "saved": meta.get("saved"),
        "labkit_version": meta.get("labkit_version"),
        "sklearn_version": meta.get("sklearn_version"),
    }


def evaluate(trained, test: pd.DataFrame) -> dict:
    """The model's results on the held-out rows, with a naive baseline."""
    from labkit.model import learning

    actual = pd.Series(learning.target_values(test[trained.target]).to_numpy(), index=test.index)
    predicted = pd.Series(trained.predict(test), index=test.index)
    out: dict[str, Any] = {"rows": len(test)}
    if trained.is_classification:
        result = learning.classification_result(actual, predicted, trained.classes, trained.metric)
        counts = actual.astype(str).value_counts()
        out.update(
            kind="classification",
            accuracy=result.accuracy,
            precision=result.precision,
            recall=result.recall,
            f1=result.f1,
            explanations=list(result.explanations),
            labels=[learning.format_value(v) for v in result.labels],
            matrix=np.asarray(result.matrix).tolist(),
            errors=int((actual.astype(str) != predicted.astype(str)).sum()),
            baseline_label=str(counts.index[0]),
            baseline_rate=float(counts.iloc[0] / len(actual)),
        )
    else:
        result = learning.regression_result(actual, predicted, trained.target, trained.metric)
        out.update(
            kind="regression",
            mae=result.mae,
            rmse=result.rmse,
            r2=result.r2,
            explanations=list(result.explanations),
            baseline_mae=float((actual - actual.mean()).abs().mean()),
        )
    return out


def importance(trained, test: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(importance table, sentences for the public) measured on the held-out rows."""
    from labkit.model import explain
    from labkit.model.learning import Split

    split = Split((), tuple(test.index))
    table = explain.importance(trained, test, split, repeats=5)
    return table, citizen_importance(table, trained.metric, top=5)


def citizen_importance(table: pd.DataFrame, metric: str, top: int = 5) -> list[str]:
    """What weighs most in the estimate, for the public: no test set, no shuffling, the effect of
    doing without each piece of information (a drop in right answers when it can be counted)."""
    from labkit.model.learning import number

    useful = table[table["importance"] > 0.005].head(top)
    if useful.empty:
        return [messages.text("usecase.citizen_importance_none")]
    # « nettement » only for what weighs as much as a quarter of the first: a column measured at
    # 0.016 beside one at 1.5 changes the estimate hardly at all, and is said so
    strongest = float(useful["importance"].max())
    sentences = []
    for row in useful.itertuples():
        if float(row.importance) < 0.25 * strongest:
            sentences.append(messages.text("usecase.citizen_importance_minor", column=row.column))
        elif metric == "accuracy":
            per_100 = max(1, round(100 * float(row.importance)))
            sentences.append(
                messages.text(
                    "usecase.citizen_importance_counted", column=row.column, count=number(per_100)
                )
            )
        else:
            sentences.append(messages.text("usecase.citizen_importance", column=row.column))
    return sentences


def rules(trained) -> list[str]:
    """The tree's most frequent rules (empty for a model that is not a tree)."""
    from labkit.model import explain

    try:
        found = explain.tree_rules(trained)
    except Exception:  # noqa: BLE001 - a model that is not a tree
        return []
    found = sorted(found, key=lambda r: r.count, reverse=True)[:8]
    return [r.text for r in found]


def formula(trained) -> list[str]:
    """The linear model's formula and its reading (empty for a model that is not linear)."""
    from labkit.model import explain

    try:
        result = explain.formula(trained)
    except Exception:  # noqa: BLE001 - a model that is not linear
        return []
    if result is None:
        return []
    return [*result.lines, *([result.reading] if result.reading else [])]


def fairness_audit(trained, meta: Mapping, group_columns: list[str], test: pd.DataFrame):
    """The bias audit on the held-out rows, for the column module 05 audited (saved with the
    model), else the dataset's first group column, else the first sensible one."""
    from labkit.model import fairness
    from labkit.model.learning import CLASSIFICATION, target_values

    saved = meta.get("fairness") if isinstance(meta.get("fairness"), Mapping) else {}
    wanted = [saved.get("column")] if saved.get("column") else []
    wanted += list(group_columns)
    candidates = fairness.candidate_columns(test, trained.target, [c for c in wanted if c])
    column = next((c for c in wanted if c in candidates), None) or (
        candidates[0] if candidates else None
    )
    if column is None:
        raise messages.error("learning.fairness_no_column")
    groups = fairness.group_values(test[column], column)
    actual = target_values(test[trained.target])
    predicted = pd.Series(trained.predict(test), index=test.index)
    return fairness.audit(
        actual,
        predicted,
        groups,
        trained.task,
        positive=trained.positive if trained.task == CLASSIFICATION else None,
        column=column,
    )


def comparison(meta: Mapping) -> list[dict]:
    """Module 05's comparison as saved with the model (``Comparison.to_dict()`` under
    ``comparison``), baseline first; empty when it was not saved."""
    saved = meta.get("comparison") or (meta.get("info") or {}).get("comparison")
    if not isinstance(saved, Mapping):
        return []
    rows = []
    baseline = saved.get("baseline")
    if isinstance(baseline, Mapping):
        rows.append({**baseline, "baseline": True})
    for model in saved.get("models") or []:
        if isinstance(model, Mapping) and "score" in model:
            rows.append({**model, "baseline": False})
    return rows
