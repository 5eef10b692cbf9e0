"""The dataset link in the learner's workspace: the chosen dataset and target, and its table.

Module 03 saves here the learner's :class:`~labkit.data.selection.DatasetChoice` (entry
``dataset``) and the table as read, before any cleaning (table ``raw``), its index labels being the
rows of the learner's file (:mod:`labkit.data.rows`); modules 04–06 read them back. A learner who made no usable choice gets the running example
(:func:`labkit.data.selection.default_choice`, ``is_default=True``), so that every later module
works.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from labkit.data import datapackage, rows
from labkit.data.reader import ReadOptions, read_table
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
    table = rows.numbered(frame, _header_row(choice))
    table.columns = [str(c) for c in table.columns]
    workspace.save_table(TABLE, table)
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
        return choice, _file_rows(workspace, choice, workspace.load_table(TABLE))
    if choice.source == "catalogue" and choice.dataset_id:
        dataset = datapackage.load_dataset(choice.dataset_id)
        return choice, dataset.table
    return default_choice()


def clear_choice(workspace) -> None:
    """Forget the learner's choice: the running example is used again."""
    workspace.delete(KEY)


def _header_row(choice: DatasetChoice) -> int:
    """The 0-based record of the header the file was read with (0 when unknown)."""
    value = (choice.read_options or {}).get("header_row")
    return value if isinstance(value, int) and value >= 0 else rows.FIRST_HEADER_ROW


def _file_rows(workspace, choice: DatasetChoice, table: pd.DataFrame) -> pd.DataFrame:
    """A raw table saved before the labels were kept (positions ``0, 1, 2…``) gets its file rows
    back: those of the file read again the same way (the catalogue's, or the learner's file kept in
    the workspace) when it gives as many rows, else the rows under the header it was read with."""
    if not rows.is_positional(table.index):
        return table
    try:
        again = _read_again(workspace, choice)
    except Exception:  # noqa: BLE001 - the file is gone or reads differently: number by position
        again = None
    if again is not None and len(again) == len(table):
        out = table.copy()
        out.index = again.index
        return out
    return rows.numbered(table, _header_row(choice))


def _read_again(workspace, choice: DatasetChoice) -> pd.DataFrame | None:
    if choice.source == "catalogue" and choice.dataset_id:
        return datapackage.load_dataset(choice.dataset_id).table
    data = workspace.read_file(choice.filename) if choice.filename else None
    if not data:
        return None
    known = {f for f in ReadOptions.__dataclass_fields__ if f != "column_types"}
    options = ReadOptions(**{k: v for k, v in (choice.read_options or {}).items() if k in known})
    return read_table(data, choice.filename, options).frame
