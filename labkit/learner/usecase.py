"""The use-case link in the learner's workspace (module 06): the model in use and the choices.

- :func:`load_context` — the model to use: the one the learner saved in module 05, with its
  held-out rows taken from the learner's clean table (:func:`labkit.learner.chain.prepared`), or,
  when there is none, the running example trained with module 05's default model, clearly marked
  (:attr:`labkit.use.usecase.UseContext.notice`) and kept in a cache beside the learners' folders.
- :func:`load_usecase` / :func:`save_usecase` — the learner's choices (workspace entry ``usecase``).
- :func:`example_csv` — a few rows of the learner's raw table, to try batch scoring.

The rules themselves (form, scoring, threshold, what a choice may hold) are in :mod:`labkit.use`.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from labkit import __version__, messages
from labkit.course.modules import get_module
from labkit.data import datapackage
from labkit.errors import DatalabError
from labkit.learner import chain
from labkit.learner import model as saved_model
from labkit.model import model_store
from labkit.model.catalogue import DEFAULT_MODEL
from labkit.model.learning import TrainedModel
from labkit.settings import load_settings
from labkit.use import scoring
from labkit.use.usecase import (
    UseContext,
    column_titles,
    example_notice,
    holdout_rows,
    model_recipe,
    read_choices,
    train_example,
    update_choices,
)
from labkit.workspace import atomic_write, json_default

KEY = "usecase"
# The running example, when the learner has no model: kept in a cache beside the learners' folders
# so that it is trained once, not at every page load. It is never presented as the learner's own
# model, and never written among the learner's files.
FALLBACK_CACHE_FILE = "usecase-exemple.zip"
_FALLBACK_CACHE: dict[tuple, tuple[TrainedModel, dict, pd.DataFrame]] = {}


# ============================================================================ the model to use
def load_context(workspace) -> UseContext:
    """The learner's saved model, or the running example (marked) when they have none."""
    if not saved_model.has_model(workspace):
        return fallback_context(workspace)
    trained = saved_model.load_model(workspace)
    meta = saved_model.load_metadata(workspace) or {}
    recipe = model_recipe(trained)
    if recipe is None:
        recipe, _is_default = chain.recipe_of(workspace)
    notice = None
    if saved_model.trained_on_other_data(workspace, meta):
        choice = workspace.load("dataset", None)
        notice = messages.text(
            "usecase.model_other_data",
            trained_on=str((meta.get("dataset") or {}).get("name") or "—"),
            current=str((choice or {}).get("name") or "—"),
            module=_module05_title(),
        )
    return UseContext(
        trained,
        meta,
        recipe,
        notice=notice,
        titles=titles_of(meta, trained.features),
        _holdout_loader=lambda: holdout_rows(
            chain.prepared(workspace).clean, trained, meta, recipe
        ),
    )


def titles_of(meta: dict, columns) -> dict[str, str]:
    """Plain names of the model's columns, from the card of the catalogue dataset it was trained
    on (none for a learner's own file or an open-data download: their columns keep their names)."""
    dataset = meta.get("dataset")
    dataset_id = dataset.get("id") if isinstance(dataset, dict) else dataset
    if not isinstance(dataset_id, str) or not dataset_id:
        return {}
    try:
        folder = datapackage.dataset_path(dataset_id)
        resource = datapackage.first_resource(datapackage.read_descriptor(folder), folder)
    except DatalabError:
        return {}  # a dataset removed since, or a card a facilitator broke: the raw names
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return column_titles(list(columns), fields if isinstance(fields, list) else [])


def _fallback_signature() -> dict:
    example = load_settings().running_example
    return {
        "dataset": example.dataset,
        "target": example.target,
        "labkit_version": __version__,
        "model": DEFAULT_MODEL,
    }


def _module05_title() -> str:
    try:
        return get_module("05_modele").title
    except Exception:  # noqa: BLE001 - the registry is edited by facilitators
        return "05"


def fallback_context(workspace) -> UseContext:
    """The running example in place of the learner's model, marked with ``ui.default_used``."""
    signature = _fallback_signature()
    cache_key = tuple(sorted(signature.items()))
    cached = _FALLBACK_CACHE.get(cache_key)
    if cached is None:
        cached = _read_fallback(workspace, signature)
        stored = cached is not None
    else:  # trained by this kernel, perhaps for another workspace root
        path = fallback_cache_path(workspace)
        stored = path is None or path.exists()
    if cached is None:
        frame, target, schema = chain.running_example()
        recipe = chain.default_recipe(frame, target, schema)
        cached = train_example(frame, target, recipe, signature)
    if not stored:
        _write_fallback(workspace, *cached)
    _FALLBACK_CACHE[cache_key] = cached
    trained, meta, test = cached
    return UseContext(
        trained,
        meta,
        model_recipe(trained),
        is_default=True,
        notice=example_notice(_module05_title(), trained.target),
        titles=titles_of(signature, trained.features),
        _holdout=test,
    )


def fallback_cache_path(workspace) -> Path | None:
    """Where the running example's model is kept for every learner of this workspace root
    (``<root>/cache/usecase-exemple.zip``): trained once per server, not once per learner."""
    if workspace is None or getattr(workspace, "folder", None) is None:
        return None
    return Path(workspace.folder).parent.parent / "cache" / FALLBACK_CACHE_FILE


def _read_fallback(workspace, signature: dict):
    path = fallback_cache_path(workspace)
    if path is None or not path.exists():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json").decode("utf-8"))
            if meta.get("fallback") != signature:
                return None
            trained = model_store.from_parts(archive.read("model.skops"), meta)
            test = pd.read_parquet(io.BytesIO(archive.read("test.parquet")))
        index = meta.get("test_rows")
        if not isinstance(index, list) or len(index) != len(test):
            return None  # made before the rows of the file were kept: trained again
        test.index = index
        return trained, meta, test
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        return None


def _write_fallback(workspace, trained: TrainedModel, meta: dict, test: pd.DataFrame) -> None:
    path = fallback_cache_path(workspace)
    if path is None:
        return
    table = io.BytesIO()
    test.to_parquet(table, index=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.skops", model_store.to_bytes(trained))
        archive.writestr("test.parquet", table.getvalue())
        archive.writestr("meta.json", json.dumps(meta, ensure_ascii=False, default=json_default))
    try:
        atomic_write(path, buffer.getvalue())
    except OSError:
        pass  # a read-only folder only loses the cache


# ============================================================================ a file to try
def example_csv(context: UseContext, workspace, count: int = 20) -> bytes:
    """A few rows of the project's raw table (the running example's when it stands in), without
    the target, as a CSV file to try batch scoring."""
    if context.is_default or workspace is None:
        frame = chain.running_example()[0]
    else:
        frame = chain.raw_table(workspace)[1]
    return scoring.results_csv(scoring.example_rows(frame, context.target, count))


# ============================================================================ the learner's choices
def load_usecase(workspace) -> dict[str, Any]:
    """The learner's choices of module 06, with defaults; damaged values are dropped."""
    return read_choices(workspace.load(KEY, None) if workspace is not None else None)


def save_usecase(workspace, **changes: Any) -> dict[str, Any]:
    """Check and save some of the learner's choices (the others stay as saved)."""
    values = update_choices(load_usecase(workspace), **changes)
    workspace.save(KEY, values)
    return values
