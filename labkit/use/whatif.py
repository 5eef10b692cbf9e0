"""Module 06's what-if form: one case checked against what the model saw, predicted and explained.

- :func:`case_issues` / :func:`check_case` — every value of a case checked against the form
  (:func:`labkit.use.usecase.form_fields`), with a French message per bad value;
- :func:`predict_case` — the prediction, its confidence and why (module 05's per-prediction
  explanation), with the learner's decision threshold when the model has two classes.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import frenchfmt, messages
from labkit.model.display import format_value, number, percent
from labkit.model.explain import explain_prediction
from labkit.use.usecase import (
    NO,
    YES,
    FormField,
    UseContext,
    check_threshold,
    matching_key,
    quoted,
    show,
    show_date,
)


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"usecase.{key}", **fields)


@dataclass
class CaseIssue:
    field: str
    message: str


def _is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and math.isnan(value))


def _parse_date(value: Any) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return pd.Timestamp(value)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return pd.Timestamp(_dt.datetime.strptime(text[:10], fmt))
        except ValueError:
            continue
    return None


def case_issues(
    fields: Sequence[FormField], values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[CaseIssue]]:
    """(clean values, problems): every value checked against what the model saw in training."""
    if not isinstance(values, Mapping):
        raise messages.error("usecase.case_not_a_mapping")
    known = {f.name for f in fields}
    issues = [
        CaseIssue(str(k), _t("case_unknown_field", field=str(k)[:60]))
        for k in values
        if k not in known
    ]
    clean: dict[str, Any] = {}
    for f in fields:
        value = values.get(f.name)
        shown = str(value)[:40]
        if f.kind == "boolean":
            if isinstance(value, (bool, np.bool_)):
                clean[f.name] = bool(value)
            elif str(value).strip().lower() in YES:
                clean[f.name] = True
            elif str(value).strip().lower() in NO:
                clean[f.name] = False
            else:
                issues.append(CaseIssue(f.name, _t("case_not_boolean", field=f.name)))
            continue
        if _is_blank(value):
            issues.append(CaseIssue(f.name, _t("case_missing", field=f.name)))
            continue
        if f.kind in ("integer", "number"):
            parsed = frenchfmt.parse_number(value)
            if parsed is None:
                issues.append(CaseIssue(f.name, _t("case_not_number", field=f.name, value=shown)))
                continue
            if f.kind == "integer" and not float(parsed).is_integer():
                issues.append(CaseIssue(f.name, _t("case_not_integer", field=f.name, value=shown)))
                continue
            low, high = f.minimum, f.maximum
            if (low is not None and parsed < float(low)) or (
                high is not None and parsed > float(high)
            ):
                shown_range = (show(v, f.kind) for v in (parsed, low, high))
                issues.append(_out_of_range(f.name, *shown_range))
                continue
            clean[f.name] = int(parsed) if f.kind == "integer" else parsed
        elif f.kind == "category":
            text = str(value).strip()
            if f.categories and text not in f.categories:
                allowed = quoted(f.categories, 10)
                issues.append(
                    CaseIssue(
                        f.name,
                        _t("case_unknown_category", field=f.name, value=shown, allowed=allowed),
                    )
                )
                continue
            clean[f.name] = text
        else:  # date
            stamp = _parse_date(value)
            if stamp is None:
                issues.append(CaseIssue(f.name, _t("case_not_date", field=f.name, value=shown)))
                continue
            low = pd.Timestamp(f.minimum) if f.minimum else None
            high = pd.Timestamp(f.maximum) if f.maximum else None
            if (low is not None and stamp < low) or (high is not None and stamp > high):
                shown_range = (show_date(v) for v in (stamp, f.minimum, f.maximum))
                issues.append(_out_of_range(f.name, *shown_range))
                continue
            clean[f.name] = stamp.date().isoformat()
    return clean, issues


def _out_of_range(name: str, value: str, low: str, high: str) -> CaseIssue:
    return CaseIssue(name, _t("case_out_of_range", field=name, value=value, low=low, high=high))


def check_case(fields: Sequence[FormField], values: Mapping[str, Any]) -> dict[str, Any]:
    """The case with every value converted; a French error naming every bad value otherwise."""
    clean, issues = case_issues(fields, values)
    if issues:
        raise messages.error("usecase.case_invalid", problems=" ; ".join(i.message for i in issues))
    return clean


@dataclass
class CaseResult:
    """The prediction for one case, its confidence where it has one, and why."""

    prediction: Any
    text: str
    confidence: float | None  # probability of the announced answer (classification)
    confidence_text: str | None
    probabilities: dict | None
    contributions: list  # labkit.model.explain.Contribution, largest effect first
    path: list[str]  # the tree path, for a tree
    focus: Any = None  # the class the contributions are about
    threshold_text: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """The contributions that matter, in French (all of them if none stands out)."""
        strong = [c.text for c in self.contributions if abs(c.effect) >= 0.01]
        return strong or [_t("case_no_effect")]


def predict_case(
    context: UseContext, values: Mapping[str, Any], *, threshold: float | None = None
) -> CaseResult:
    """Check ``values`` against the form, predict and explain. ``threshold`` (two classes only):
    the case is announced positive when the probability of the positive class reaches it."""
    fields = context.fields()
    case = check_case(fields, values)
    trained = context.trained
    row = dict(case)
    for f in fields:
        if f.kind == "date":
            row[f.name] = pd.Timestamp(row[f.name])
    explanation = explain_prediction(trained, row)
    prediction = explanation.prediction
    probabilities = explanation.probabilities
    notes: list[str] = []
    threshold_text = None
    confidence = confidence_text = None
    if trained.is_classification:
        if threshold is not None and context.is_binary and probabilities:
            threshold = check_threshold(threshold)
            positive = trained.positive
            negative = next(c for c in trained.classes if str(c) != str(positive))
            p_positive = _probability(probabilities, positive)
            prediction = positive if p_positive >= threshold else negative
            threshold_text = _t(
                "case_threshold_applied",
                threshold=number(threshold, 2),
                label=format_value(prediction),
                positive=format_value(positive),
                rate=percent(p_positive),
            )
        text = _t("case_prediction_class", label=format_value(prediction))
        if probabilities:
            confidence = _probability(probabilities, prediction)
            confidence_text = _t(
                "case_confidence", rate=percent(confidence), label=format_value(prediction)
            )
    else:
        text = _t("case_prediction_value", value=format_value(prediction), target=trained.target)
        mae = (context.meta.get("test") or {}).get("mae")
        if isinstance(mae, (int, float)) and math.isfinite(mae):
            notes.append(_t("case_typical_error", mae=number(mae, 3)))
    return CaseResult(
        prediction=prediction,
        text=text,
        confidence=confidence,
        confidence_text=confidence_text,
        probabilities=probabilities,
        contributions=explanation.contributions,
        path=explanation.path,
        focus=explanation.focus,
        threshold_text=threshold_text,
        notes=notes,
    )


def _probability(probabilities: Mapping, label: Any) -> float:
    key = matching_key(probabilities, label)
    return float("nan") if key is None else float(probabilities[key])
