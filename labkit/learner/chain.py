"""The one place where the learner's chain raw table → recipe → clean table is computed.

Every module that needs « the learner's cleaned table » (module 05 training, the use case's held-out
rows, the report, the transparency sheet, the default recipe) asks :func:`prepared`, so they all
agree on which table, which recipe and which key were used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from labkit.data import selection
from labkit.data.selection import DatasetChoice
from labkit.prepare import quality
from labkit.prepare import recipe as rc
from labkit.prepare.recipe import Recipe


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


def raw_table(workspace) -> tuple[DatasetChoice, pd.DataFrame, dict | None]:
    """(choice, raw table, declared schema): the learner's dataset, or the running example."""
    choice, frame = selection.load_choice(workspace)
    return choice, frame, selection.declared_schema(choice)


def default_recipe(frame: pd.DataFrame, target: str | None, schema: dict | None) -> Recipe:
    """The recipe a learner who skipped module 04 gets: safe cleaning of what the checks find."""
    report = quality.assess(frame, target=target, schema=schema)
    return quality.default_recipe(frame, report, target=target)


def recipe_of(workspace) -> tuple[Recipe, bool]:
    """(recipe, is_default): the learner's saved recipe, or the default one for their table."""
    stored = workspace.load(rc.RECIPE_KEY, None) if workspace is not None else None
    if stored is not None:
        return Recipe.from_dict(stored), False
    choice, frame, schema = raw_table(workspace)
    return default_recipe(frame, choice.target, schema), True


def prepared(workspace) -> Prepared:
    """The learner's raw table, recipe and clean table, computed once the same way for all.

    The clean table saved by module 04 is used when it was made with the saved recipe; otherwise
    the recipe (saved or default) is replayed on the raw table, with the learner's pseudonymisation
    key when a step needs it.
    """
    choice, raw, schema = raw_table(workspace)
    stored = workspace.load(rc.RECIPE_KEY, None) if workspace is not None else None
    if stored is not None:
        recipe, is_default = Recipe.from_dict(stored), False
    else:
        recipe, is_default = default_recipe(raw, choice.target, schema), True
    if not is_default and workspace.has_table(rc.CLEAN_TABLE):
        clean = workspace.load_table(rc.CLEAN_TABLE)
    else:
        key = None
        if recipe.needs_key() and workspace is not None:
            from labkit.prepare import privacy

            key = privacy.project_key(workspace)
        clean = recipe.apply(raw, key)
    return Prepared(choice, raw, schema, recipe, is_default, clean)
