"""The learner's chosen dataset and target: what module 03 decides and modules 04–06 use.

A :class:`DatasetChoice` names the table (a catalogue dataset, an upload or a data.gouv.fr file)
and the column to predict; :func:`validate_choice` refuses, in French, a choice later modules could
not use; :func:`default_choice` is the running example of ``content/settings.yaml``
(``is_default=True``). Keeping the choice in a learner's workspace is
:mod:`labkit.learner.dataset`'s job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from labkit import messages
from labkit.data import datapackage
from labkit.errors import DatalabError

SOURCES = ("catalogue", "upload", "datagouv")


@dataclass
class DatasetChoice:
    """Which table the project uses and which column it predicts."""

    source: str  # catalogue | upload | datagouv
    dataset_id: str | None  # the catalogue folder, for source "catalogue"
    name: str  # what the learner sees: the dataset's title or the file's name
    target: str | None
    is_default: bool = False
    filename: str | None = None  # for an upload or a data.gouv.fr download
    url: str | None = None  # for a data.gouv.fr resource
    read_options: dict[str, Any] = field(default_factory=dict)  # how the file was read
    column_types: dict[str, str] = field(default_factory=dict)  # reader types per column
    task: str | None = None  # classification | regression, when known
    saved_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> DatasetChoice:
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in value.items() if k in known}
        if "source" not in data or "name" not in data:
            raise messages.error("selection.corrupted")
        data.setdefault("dataset_id", None)
        data.setdefault("target", None)
        return cls(**data)


def guess_task(values: pd.Series) -> str:
    """``classification`` (categories, or a few whole numbers) or ``regression`` (quantities)."""
    values = values.dropna()
    if values.empty or pd.api.types.is_bool_dtype(values):
        return "classification"
    if not pd.api.types.is_numeric_dtype(values):
        return "classification"
    distinct = values.nunique()
    if distinct <= 2:
        return "classification"
    if pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all()):
        return "classification" if distinct <= 5 else "regression"
    return "regression"


def default_choice() -> tuple[DatasetChoice, pd.DataFrame]:
    """The running example (``content/settings.yaml``), marked as a default."""
    from labkit.settings import load_settings

    example = load_settings().running_example
    dataset = datapackage.load_dataset(example.dataset)
    task = next(
        (t.get("task") for t in dataset.suggested_targets if t.get("column") == example.target),
        None,
    )
    choice = DatasetChoice(
        source="catalogue",
        dataset_id=dataset.id,
        name=dataset.title,
        target=example.target if example.target in dataset.table.columns else None,
        is_default=True,
        column_types=dataset.detection.types if dataset.detection is not None else {},
        task=task,
    )
    return choice, dataset.table


def validate_choice(choice: DatasetChoice, frame: pd.DataFrame) -> None:
    """Refuse, in French, a choice that later modules could not use."""
    if choice.source not in SOURCES:
        raise messages.error("selection.bad_source", source=choice.source)
    if frame is None or not isinstance(frame, pd.DataFrame) or frame.empty:
        raise messages.error("selection.empty_table")
    if frame.shape[1] < 2:
        raise messages.error("selection.one_column")
    if choice.target is not None:
        if choice.target not in frame.columns:
            raise messages.error(
                "selection.unknown_target",
                target=choice.target,
                columns=", ".join(map(str, frame.columns[:12])),
            )
        values = frame[choice.target].dropna()
        if values.empty:
            raise messages.error("selection.target_empty", target=choice.target)
        if values.nunique() < 2:
            raise messages.error("selection.target_constant", target=choice.target)
    if choice.task is not None and choice.task not in datapackage.TASKS:
        raise messages.error("selection.bad_task", task=choice.task)


def declared_schema(choice: DatasetChoice) -> dict | None:
    """The Table Schema the dataset declares (catalogue datasets), or ``None``."""
    if choice.source != "catalogue" or not choice.dataset_id:
        return None
    try:
        folder = datapackage.dataset_path(choice.dataset_id)
        descriptor = datapackage.read_descriptor(folder)
    except DatalabError:
        return None
    resources = descriptor.get("resources") or []
    if not resources or not isinstance(resources[0], dict):
        return None
    schema = resources[0].get("schema")
    return schema if isinstance(schema, dict) and schema.get("fields") else None


def dismissed_defects(choice: DatasetChoice) -> list[dict]:
    """The defects a facilitator removed from a catalogue dataset's card (``dismissed_defects``
    of its descriptor: kind and columns): module 04 no longer proposes to fix them."""
    if choice.source != "catalogue" or not choice.dataset_id:
        return []
    try:
        descriptor = datapackage.read_descriptor(datapackage.dataset_path(choice.dataset_id))
    except DatalabError:
        return []
    found = descriptor.get("dismissed_defects")
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def dataset_of(choice: DatasetChoice):
    """The catalogue dataset behind a choice (its metadata: drivers, group columns…), or ``None``."""
    if choice.source != "catalogue" or not choice.dataset_id:
        return None
    try:
        return datapackage.load_dataset(choice.dataset_id)
    except DatalabError:
        return None
