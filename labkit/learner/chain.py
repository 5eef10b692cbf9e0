"""The one place where the learner's chain raw table → recipe → clean table is computed.

Every module that needs « the learner's cleaned table » (module 05 training, the use case's held-out
rows, the report, the transparency sheet, the default recipe) asks :func:`prepared`, so they all
agree on which table, which recipe and which key were used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from labkit import messages
from labkit.data import datapackage, kinds, selection
from labkit.data.selection import DatasetChoice
from labkit.learner import preparation
from labkit.learner.dataset import load_choice
from labkit.prepare import cleaning, quality
from labkit.prepare.findings import Finding
from labkit.prepare.recipe import Recipe
from labkit.settings import load_settings

DISMISSED_ATTR = "datalab_dismissed"
"""The key of ``DataFrame.attrs`` holding the defects the dataset's card removed (kind, columns)."""


@dataclass
class Prepared:
    """The learner's dataset as chosen in module 03 and cleaned in module 04."""

    choice: DatasetChoice
    raw: pd.DataFrame
    schema: dict | None
    recipe: Recipe
    recipe_is_default: bool  # nothing saved in module 04: the default recipe for the raw table
    clean: pd.DataFrame

    @property
    def target(self) -> str | None:
        return self.choice.target


def running_example() -> tuple[pd.DataFrame, str, dict | None]:
    """(table, target, declared schema) of the running example, read from its data package."""
    example = load_settings().running_example
    dataset = datapackage.load_dataset(example.dataset)
    return dataset.table, example.target, dataset.schema


def raw_table(workspace) -> tuple[DatasetChoice, pd.DataFrame, dict | None]:
    """(choice, raw table, declared schema): the learner's dataset, or the running example."""
    choice, frame = load_choice(workspace)
    schema = selection.declared_schema(choice)
    kinds.with_kinds(frame, kinds.declared_kinds(schema))
    frame.attrs[DISMISSED_ATTR] = selection.dismissed_defects(choice)
    return choice, frame, schema


def _dismissed(finding: Finding, dismissed: list[dict]) -> bool:
    columns = set(finding.columns)
    for defect in dismissed:
        named = {str(c) for c in defect.get("columns") or []}
        if defect.get("kind") == finding.kind and (
            (columns and columns <= named) or (not columns and not named)
        ):
            return True
    return False


def fixes_kept(report: quality.QualityReport, frame: pd.DataFrame) -> quality.QualityReport:
    """``report`` without a fix for the findings the dataset's card removed from its defects
    (:data:`DISMISSED_ATTR` of ``frame``, the learner's table): the finding stays, saying why no
    fix is proposed. Changes ``report`` in place and returns it."""
    dismissed = frame.attrs.get(DISMISSED_ATTR) or []
    for finding in report.findings:
        if finding.fix is not None and _dismissed(finding, dismissed):
            finding.fix = None
            finding.message = f"{finding.message} {messages.text('datapackage.dismissed_fix')}"
    return report


def default_recipe(frame: pd.DataFrame, target: str | None, schema: dict | None) -> Recipe:
    """The recipe a learner who skipped module 04 gets: safe cleaning of what the checks find."""
    report = fixes_kept(quality.assess(frame, target=target, schema=schema), frame)
    return cleaning.default_recipe(frame, report, target=target)


def recipe_of(workspace) -> tuple[Recipe, bool]:
    """(recipe, is_default): the learner's saved recipe, or the default one for their table."""
    saved = preparation.saved_recipe(workspace)
    if saved is not None:
        return saved, False
    choice, frame, schema = raw_table(workspace)
    return default_recipe(frame, choice.target, schema), True


def prepared(workspace) -> Prepared:
    """The learner's raw table, recipe and clean table, computed once the same way for all.

    The clean table saved by module 04 is used when it was made with the saved recipe; otherwise
    the recipe (saved or default) is replayed on the raw table, with the learner's pseudonymisation
    key when a step needs it.
    """
    choice, raw, schema = raw_table(workspace)
    saved = preparation.saved_recipe(workspace)
    if saved is not None:
        recipe, is_default = saved, False
    else:
        recipe, is_default = default_recipe(raw, choice.target, schema), True
    clean = preparation.saved_clean_table(workspace) if not is_default else None
    if clean is None:
        key = None
        if recipe.needs_key() and workspace is not None:
            key = preparation.project_key(workspace)
        clean = recipe.apply(raw, key)
    kinds.with_kinds(clean, kinds.kinds_of(raw))  # a saved clean table has lost them
    return Prepared(choice, raw, schema, recipe, is_default, clean)
