"""The learner's saved model (module 05 → module 06): the skops file and its metadata.

What is written and how it is checked lives in :mod:`labkit.model.model_store` (pure bytes and
plain values); this module only puts them into the learner's workspace and reads them back.
"""

from __future__ import annotations

import contextlib

from labkit import messages
from labkit.model import model_store
from labkit.model.learning import TrainedModel


def save_model(workspace, trained: TrainedModel, extra: dict | None = None) -> dict:
    """Store the model file and its metadata in the workspace; return the metadata. Both land
    together (:meth:`labkit.workspace.Workspace.together`): a process killed half-way leaves the
    previous model and metadata, or the new ones, never one without the other."""
    from labkit.learner.project import dataset_identity

    # Which data it learnt from: module 06 says so if the project's data are replaced later.
    extra = {**(extra or {}), "dataset_identity": dataset_identity(workspace.load("dataset", None))}
    meta = model_store.metadata(trained, extra)
    data = model_store.to_bytes(trained)
    together = getattr(workspace, "together", None)
    with together() if together is not None else contextlib.nullcontext():
        workspace.save_file(model_store.MODEL_FILE, data)
        workspace.save(model_store.TRAINING_KEY, meta)
    return meta


def has_model(workspace) -> bool:
    return workspace is not None and workspace.read_file(model_store.MODEL_FILE) is not None


def load_metadata(workspace) -> dict | None:
    return workspace.load(model_store.TRAINING_KEY, None) if workspace is not None else None


def load_model(workspace) -> TrainedModel:
    """The model saved in module 05, checked; a French error if there is none or it is unsafe."""
    data = workspace.read_file(model_store.MODEL_FILE) if workspace is not None else None
    if data is None:
        raise messages.error("learning.store_no_model")
    meta = load_metadata(workspace)
    if meta is None:
        raise messages.error("learning.store_metadata_missing")
    return model_store.from_parts(data, meta)


def trained_on_other_data(workspace, meta: dict | None) -> bool:
    """Whether the saved model learnt from other data than the project's current dataset (the
    project's data were replaced since; models saved before this was recorded are not judged)."""
    from labkit.learner.project import dataset_identity

    made_for = (meta or {}).get("dataset_identity")
    return bool(made_for) and made_for != dataset_identity(workspace.load("dataset", None))
