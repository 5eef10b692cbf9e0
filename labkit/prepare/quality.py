"""The quality report of a table: a score per dimension and findings in plain French.

:func:`assess` measures six dimensions (completeness, uniqueness, validity, consistency, and what
the data allow of accuracy and timeliness) on a 0–100 scale, and lists **findings**
(:class:`labkit.prepare.findings.Finding`): each says what is wrong and where (columns, how many
rows and which), why it matters for a model, and proposes a fix as a
:class:`labkit.prepare.recipe.Step` that the cleaning recipe can apply.

Finding kinds (:data:`labkit.data.datapackage.DEFECT_KINDS`): ``missing``, ``duplicates``,
``inconsistent_categories``, ``outliers``, ``wrong_type``, ``constant``, ``identifier``,
``leakage``, ``imbalance``, ``personal_data``, ``schema``. The detectors are in
:mod:`labkit.prepare.detectors` and :mod:`labkit.prepare.leaks`, on the column profile of
:mod:`labkit.prepare.profiling`; :func:`labkit.prepare.cleaning.default_recipe` gathers the safe
fixes into a recipe. :func:`leakage` gives the leaks alone (module 05, ``datalab train``);
:func:`summary` is the short JSON form shown by ``datalab dataset inspect --json``.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.data import schema_check
from labkit.prepare import detectors, leaks
from labkit.prepare.findings import Finding, quoted
from labkit.prepare.profiling import TYPE_SHARE, classify_text, profile_of, profiled_task
from labkit.prepare.recipe import Recipe
from labkit.roomcache import shared

DIMENSIONS = ("completeness", "uniqueness", "validity", "consistency", "accuracy", "timeliness")


@dataclass
class QualityReport:
    """The report of :func:`assess`: scores per dimension and overall, findings, how measured."""

    rows: int
    columns: int
    scores: dict[str, float | None]
    score: int
    findings: list[Finding]
    target: str | None = None
    task: str | None = None
    column_types: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # how each dimension was measured
    deductions: list[tuple[str, int, str]] = field(default_factory=list)  # from the global score
    mean: float | None = None  # mean of the measured dimensions, before deductions

    def score_explanation(self) -> str:
        """How the global score is made, in French."""
        if not self.deductions:
            return messages.text("quality.overall_mean", score=self.score)
        return messages.text(
            "quality.overall_deducted",
            mean=f"{self.mean:.0f}" if self.mean is not None else "—",
            score=self.score,
            reasons=" ; ".join(reason for _, _, reason in self.deductions),
        )

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def columns_of(self, kind: str) -> set[str]:
        return {c for f in self.by_kind(kind) for c in f.columns}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "score": self.score,
            "scores": dict(self.scores),
            "deductions": [
                {"kind": kind, "points": points, "message": reason}
                for kind, points, reason in self.deductions
            ],
            "target": self.target,
            "findings": [f.to_dict() for f in self.findings],
        }


@shared(ignore=())
def assess(
    frame: pd.DataFrame,
    target: str | None = None,
    schema: dict | None = None,
    *,
    today: pd.Timestamp | str | None = None,
    recipe: Recipe | None = None,
) -> QualityReport:
    """The quality report of ``frame`` (its target and declared Table Schema, if known).

    ``recipe``: the cleaning recipe that made ``frame``, if any; columns it already brought into an
    interval of the learner's choice are not flagged again for extreme values. numpy's warnings
    (empty slices, infinities) never reach the page."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _assess(frame, target, schema, today, recipe)


def _assess(frame, target, schema, today, recipe) -> QualityReport:
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise messages.error("quality.bad_frame")
    frame = (
        frame.rename(columns=str) if not all(isinstance(c, str) for c in frame.columns) else frame
    )
    if target is not None and target not in frame.columns:
        raise messages.error(
            "quality.target_missing", target=target, columns=quoted(list(frame.columns), 12)
        )
    today = pd.Timestamp(today) if today is not None else pd.Timestamp.today().normalize()
    total_rows = len(frame)
    cells = max(total_rows * frame.shape[1], 1)
    profile = profile_of(frame)

    personal, personal_names = detectors.personal_findings(frame, profile, target)
    for column in profile.values():
        classify_text(column, personal_names)
    task = profiled_task(frame, profile, target) if target else None
    missing, empty_cells = detectors.missing_findings(frame, profile, target)
    placeholders, placeholder_cells = detectors.placeholder_findings(frame, profile, personal_names)
    missing += placeholders
    empty_cells += placeholder_cells
    constant, constant_names = detectors.constant_findings(frame, profile, target)
    identifiers, identifier_names = detectors.identifier_findings(
        frame, profile, personal_names | constant_names, target
    )
    duplicates, duplicate_rows = detectors.duplicate_findings(frame, identifier_names)
    wrong_type, wrong_cells = detectors.wrong_type_findings(frame, profile)
    allowed = schema_check.allowed_values(schema) if schema else {}
    skip_categories = personal_names | identifier_names | constant_names
    inconsistent, variant_cells, category_cells = detectors.inconsistent_findings(
        frame, profile, skip_categories, allowed
    )
    groupings = detectors.groupings_of(
        profile, identifier_names | personal_names | constant_names | {target}
    )
    specs = {
        str(spec.get("name")): spec
        for spec in (schema or {}).get("fields", [])
        if isinstance(spec, dict)
    }
    fenced = {
        step.params["column"]
        for step in (recipe.steps if recipe is not None else [])
        if step.action in ("cap_outliers", "remove_outliers")
    }
    outliers, outlier_cells, impossible_cells, numeric_cells = detectors.outlier_findings(
        frame,
        profile,
        identifier_names | personal_names | constant_names,
        today,
        groupings,
        specs,
        fenced,
    )
    leakage = (
        leaks.leakage_findings(
            frame,
            profile,
            target,
            task,
            identifier_names | personal_names | constant_names,
            groupings,
            labels={
                f.columns[0]
                for f in personal
                if f.details.get("category") == "first_name"
                and f.columns[0] not in identifier_names | constant_names
            },
            private=personal_names,
        )
        if target
        else []
    )
    imbalance = detectors.imbalance_findings(frame, target, task) if target else []
    schema_findings, schema_cells = detectors.schema_findings(frame, schema) if schema else ([], 0)

    leaking = {c for f in leakage for c in f.columns}
    missing = [f for f in missing if not set(f.columns) <= leaking]
    wrong_type = [f for f in wrong_type if not set(f.columns) <= leaking]
    findings = (
        leakage
        + missing
        + duplicates
        + personal
        + wrong_type
        + inconsistent
        + outliers
        + schema_findings
        + identifiers
        + constant
        + imbalance
    )
    order = {"critical": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order.get(f.severity, 1))

    latest = detectors.latest_date(frame, profile, today)
    scores: dict[str, float | None] = {
        "completeness": 100 * (1 - empty_cells / cells),
        "uniqueness": 100 * (1 - duplicate_rows / total_rows) if total_rows else 100.0,
        "validity": 100 * (1 - min(1.0, (wrong_cells + schema_cells + impossible_cells) / cells)),
        "consistency": 100 * (1 - variant_cells / category_cells) if category_cells else 100.0,
        "accuracy": 100 * (1 - outlier_cells / numeric_cells) if numeric_cells else None,
        "timeliness": _timeliness(latest, today),
    }
    scores = _reflect_findings(scores, findings)
    measured = [v for v in scores.values() if v is not None]
    mean = sum(measured) / len(measured) if measured else 0.0
    deductions = _deductions(findings)
    overall = int(round(max(0.0, mean - sum(points for _, points, _ in deductions))))
    notes = {d: messages.text(f"quality.about_{d}") for d in DIMENSIONS if d != "timeliness"}
    notes["timeliness"] = (
        messages.text("quality.about_timeliness", latest=latest.strftime("%d/%m/%Y"))
        if latest is not None
        else messages.text("quality.timeliness_none")
    )
    types = {
        name: ("date" if c.date_format else "number" if c.number_share >= TYPE_SHARE else c.kind)
        for name, c in profile.items()
    }
    return QualityReport(
        rows=total_rows,
        columns=frame.shape[1],
        scores=scores,
        score=overall,
        findings=findings,
        target=target,
        task=task,
        column_types=types,
        notes=notes,
        deductions=deductions,
        mean=round(mean, 1),
    )


# Points a finding takes at least from its dimension's score, by severity: a dimension with a
# finding is never shown as perfect, however few cells the finding concerns.
FINDING_POINTS = {"critical": 10.0, "warning": 3.0, "info": 1.0}


# Points taken from the global score: a leak or unprotected personal data makes the table unfit
# for a model as it is, whatever its other qualities.
LEAK_POINTS, LEAK_MAX = 20, 40


PERSONAL_POINTS, PERSONAL_MAX = 15, 30


def _reflect_findings(scores: dict, findings: list[Finding]) -> dict[str, float | None]:
    """Each dimension's score, lowered so that it shows its findings (rounded to 0.1)."""
    lost: dict[str, float] = defaultdict(float)
    for finding in findings:
        if finding.dimension:
            lost[finding.dimension] += FINDING_POINTS.get(finding.severity, 3.0)
    result: dict[str, float | None] = {}
    for dimension, value in scores.items():
        if value is None:
            result[dimension] = None
            continue
        value = min(value, 100.0 - lost.get(dimension, 0.0))
        if lost.get(dimension):
            value = min(value, 99.0)
        result[dimension] = round(max(0.0, value), 1)
    return result


def _deductions(findings: list[Finding]) -> list[tuple[str, int, str]]:
    """(kind, points, French reason) taken from the global score."""
    result = []
    leaks = [f for f in findings if f.kind == "leakage"]
    if leaks:
        points = min(LEAK_MAX, LEAK_POINTS * len(leaks))
        columns = sorted({c for f in leaks for c in f.columns})
        reason = messages.text(
            "quality.deduction_leakage", points=points, count=len(leaks), columns=quoted(columns)
        )
        result.append(("leakage", points, reason))
    personal = [f for f in findings if f.kind == "personal_data"]
    if personal:
        points = min(PERSONAL_MAX, PERSONAL_POINTS * len(personal))
        columns = sorted({c for f in personal for c in f.columns})
        reason = messages.text(
            "quality.deduction_personal",
            points=points,
            count=len(personal),
            columns=quoted(columns),
        )
        result.append(("personal_data", points, reason))
    return result


def leakage(frame: pd.DataFrame, target: str) -> list[Finding]:
    """Only the leakage findings of ``frame`` for ``target`` (module 05's column choice, the
    ``datalab train`` warnings): columns that give the target away alone, two by two or together."""
    if not isinstance(frame, pd.DataFrame) or target not in frame.columns or len(frame) < 20:
        return []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = frame.rename(columns=str)
        profile = profile_of(frame)
        personal = set()
        for column in profile.values():
            classify_text(column, personal)
        task = profiled_task(frame, profile, target)
        constant = {n for n, c in profile.items() if c.distinct <= 1 and n != target}
        _, identifiers = detectors.identifier_findings(frame, profile, constant, target)
        skip = constant | identifiers
        groupings = detectors.groupings_of(profile, skip | {target})
        return leaks.leakage_findings(frame, profile, target, task, skip, groupings)


def _timeliness(latest: pd.Timestamp | None, today: pd.Timestamp) -> float | None:
    """100 for data less than a year old, then 10 points less per year of age."""
    if latest is None:
        return None
    age = (today - latest).days / 365.25
    return float(max(0.0, min(100.0, 100 - 10 * max(0.0, age - 1))))


def summary(report: QualityReport) -> dict[str, Any]:
    """The short form for ``datalab dataset inspect --json``."""
    return {
        "score": int(report.score),
        "findings": [
            {
                "kind": f.kind,
                "columns": list(f.columns),
                "count": int(f.count),
                "message": f.message,
            }
            for f in report.findings
        ],
    }


def dimension_label(dimension: str) -> str:
    return messages.text(f"quality.dimension_{dimension}")
