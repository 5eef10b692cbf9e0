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


UPLOADS = "uploads"  # what the learner knows of each kept file: its own name, rows, when


def keep_file(
    workspace, name: str, data: bytes, *, original: str | None = None, rows: int | None = None
) -> None:
    """Keep the file a dataset was read from (uploaded or downloaded) in the learner's workspace,
    under a name made by :func:`labkit.data.opendata.workspace_name`; it is listed in module 03
    for every project of the learner (:func:`kept_files`)."""
    workspace.save_file(name, data)
    known = dict(workspace.load(UPLOADS, None) or {})
    known[name] = {
        "name": original or name,
        "rows": rows,
        "saved": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    workspace.save(UPLOADS, known)


def kept_files(workspace) -> list[dict]:
    """The files the learner uploaded or downloaded, newest first: ``file`` (the workspace's
    name), ``name`` (theirs), ``rows`` (when known) and ``saved`` (a UTC datetime)."""
    known = workspace.load(UPLOADS, None) or {}
    known = known if isinstance(known, dict) else {}
    found = []
    for item in workspace.uploaded_files():
        entry = known.get(item["name"]) if isinstance(known.get(item["name"]), dict) else {}
        rows = entry.get("rows")
        found.append(
            {
                "file": item["name"],
                "name": str(entry.get("name") or item["name"]),
                "rows": rows if isinstance(rows, int) else None,
                "saved": item["saved"],
            }
        )
    return found


def forget_file(workspace, name: str) -> None:
    """Delete a kept file (a project that used it keeps its table: it was saved apart)."""
    workspace.delete_file(name)
    known = dict(workspace.load(UPLOADS, None) or {})
    if known.pop(name, None) is not None:
        workspace.save(UPLOADS, known)


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
