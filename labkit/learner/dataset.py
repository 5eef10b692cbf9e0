"""The dataset link in the learner's workspace: the chosen dataset and target, and its table.

Module 03 saves here the learner's :class:`~labkit.data.selection.DatasetChoice` (entry
``dataset``) and the table as read, before any cleaning (table ``raw``); modules 04–06 read them
back. A learner who made no usable choice gets the running example
(:func:`labkit.data.selection.default_choice`, ``is_default=True``), so that every later module
works.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from labkit.data import datapackage
from labkit.data.selection import DatasetChoice, default_choice, validate_choice
from labkit.errors import DatalabError

KEY = "dataset"
TABLE = "raw"


def keep_file(workspace, name: str, data: bytes) -> None:
    """Keep the file a dataset was read from (uploaded or downloaded) in the learner's workspace,
    under a name made by :func:`labkit.data.opendata.workspace_name`."""
    workspace.save_file(name, data)


def save_choice(workspace, choice: DatasetChoice, frame: pd.DataFrame) -> DatasetChoice:
    """Save the choice (key ``dataset``) and its table (table ``raw``); returns what was saved."""
    validate_choice(choice, frame)
    choice.is_default = False
    choice.saved_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    table = frame.copy()
    table.columns = [str(c) for c in table.columns]
    workspace.save_table(TABLE, table.reset_index(drop=True))
    workspace.save(KEY, choice.to_dict())
    return choice


def load_choice(workspace) -> tuple[DatasetChoice, pd.DataFrame]:
    """The learner's choice and table, or the running example (``is_default=True``) when nothing
    usable was saved."""
    if workspace is None:
        return default_choice()
    saved = workspace.load(KEY, None)
    if not isinstance(saved, dict):
        return default_choice()
    try:
        choice = DatasetChoice.from_dict(saved)
    except (DatalabError, TypeError):
        return default_choice()
    if workspace.has_table(TABLE):
        return choice, workspace.load_table(TABLE)
    if choice.source == "catalogue" and choice.dataset_id:
        dataset = datapackage.load_dataset(choice.dataset_id)
        return choice, dataset.table
    return default_choice()


def clear_choice(workspace) -> None:
    """Forget the learner's choice: the running example is used again."""
    workspace.delete(KEY)
