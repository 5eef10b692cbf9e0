"""The cleaning link in the learner's workspace: the recipe, the cleaned table and the key.

Module 04 saves here the recipe the learner built (entry ``recipe``) and the table it made (table
``clean``); the project's secret pseudonymisation key (entry ``privacy_key``) is created here on
first use. What the chain makes of them (the default recipe when none is saved, the clean table
replayed when it is stale) is :mod:`labkit.learner.chain`'s job.
"""

from __future__ import annotations

import secrets

import pandas as pd

from labkit.data import rows
from labkit.prepare.recipe import Recipe

RECIPE_KEY = "recipe"
CLEAN_TABLE = "clean"
QUALITY_KEY = "quality"  # the quality summary of the clean table (report, transparency sheet)
KEY_DOCUMENT = "privacy_key"


def save_prepared(workspace, recipe: Recipe, table: pd.DataFrame, quality: dict) -> None:
    """Save the recipe, the table it gives and that table's quality summary together: a kill
    leaves all three from the same step."""
    with workspace.together():
        save_recipe(workspace, recipe)
        save_clean_table(workspace, table)
        workspace.save(QUALITY_KEY, quality)


def saved_quality(workspace) -> dict | None:
    """The quality summary module 04 saved with the clean table, or ``None``."""
    stored = workspace.load(QUALITY_KEY, None) if workspace is not None else None
    return stored if isinstance(stored, dict) else None


def save_recipe(workspace, recipe: Recipe) -> None:
    """Keep the learner's recipe in their workspace (entry ``recipe``)."""
    workspace.save(RECIPE_KEY, recipe.to_dict())


def saved_recipe(workspace) -> Recipe | None:
    """The recipe the learner saved, or ``None`` when they saved none (or have no workspace)."""
    stored = workspace.load(RECIPE_KEY, None) if workspace is not None else None
    return Recipe.from_dict(stored) if stored is not None else None


def save_clean_table(workspace, table: pd.DataFrame) -> None:
    """Keep the cleaned table in the workspace (table ``clean``) for module 05."""
    workspace.save_table(CLEAN_TABLE, table)


def saved_clean_table(workspace) -> pd.DataFrame | None:
    """The cleaned table module 04 saved, or ``None`` (also for a table saved before the rows of the
    file were kept as its labels: the chain replays the recipe, which keeps them)."""
    if workspace is None or not workspace.has_table(CLEAN_TABLE):
        return None
    table = workspace.load_table(CLEAN_TABLE)
    return None if len(table) and rows.is_positional(table.index) else table


def project_key(workspace) -> bytes:
    """The learner's secret pseudonymisation key (32 bytes), created on first use and kept in the
    workspace: the same person gets the same pseudonym in every module of the project."""
    stored = workspace.load(KEY_DOCUMENT, None) or {}
    key_hex = stored.get("key") if isinstance(stored, dict) else None
    if isinstance(key_hex, str):
        try:
            key = bytes.fromhex(key_hex)
            if len(key) >= 16:
                return key
        except ValueError:
            pass
    key = secrets.token_bytes(32)
    workspace.save(KEY_DOCUMENT, {"key": key.hex(), "algorithm": "HMAC-SHA256"})
    return key
