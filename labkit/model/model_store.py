"""Write and read the chosen model, safely (module 05 → module 06).

The fitted pipeline is written with **skops** (``model.skops`` in the learner's workspace, written
by :mod:`labkit.learner.model`), never with pickle: loading a pickle can run any code hidden in the
file. A skops file only rebuilds the types listed in :data:`TRUSTED_TYPES` (scikit-learn's own
building blocks are trusted by skops itself); a file that asks for anything else is refused with a
French message before it is loaded.

What module 06 needs to use the model — the features and their kinds, the target, the task, the
classes, the ranges and categories seen in training (to build a form), module 04's recipe (to
clean new data the same way) and the scores — is kept as plain JSON under the workspace key
``training``.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from typing import Any

import skops.io as sio

from labkit import __version__, messages
from labkit.model.learning import TrainedModel
from labkit.model.problem import ColumnKinds

MODEL_FILE = "model.skops"
TRAINING_KEY = "training"
FORMAT = "datalab-model"
FORMAT_VERSION = 1

# Types a Datalab model file may contain beyond what skops trusts by default. Nothing here can run
# code when loaded: they are data holders of scikit-learn and numpy, and Datalab's formula models.
TRUSTED_TYPES = [
    "labkit.model.formula.FormulaClassifier",
    "labkit.model.formula.FormulaRegressor",
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.tree._tree.Tree",
]
# Datalab's formula models as files saved before labkit was organised by stage name them.
OLD_TYPES = ("labkit.learning.FormulaClassifier", "labkit.learning.FormulaRegressor")


# ------------------------------------------------------------------------------ bytes
def to_bytes(trained: TrainedModel) -> bytes:
    """The fitted pipeline as a skops file."""
    return sio.dumps(trained.pipeline)


def untrusted_types(data: bytes) -> list[str]:
    """Types the file asks for that Datalab does not trust (empty for a Datalab model)."""
    try:
        found = sio.get_untrusted_types(data=data)
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail in many ways
        raise messages.error("learning.store_damaged") from exc
    return sorted(set(found) - set(TRUSTED_TYPES))


def load_pipeline(data: bytes):
    """Rebuild a pipeline from a skops file, refusing any type outside :data:`TRUSTED_TYPES`."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise messages.error("learning.store_damaged")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise messages.error("learning.store_damaged")
    unknown = untrusted_types(bytes(data))
    if unknown and set(unknown) <= set(OLD_TYPES):
        raise messages.error("learning.store_old_version")  # Datalab's own model, moved since
    if unknown:
        shown = ", ".join(unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise messages.error("learning.store_untrusted", types=shown)
    try:
        pipeline = sio.loads(bytes(data), trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001 - whatever breaks, the file is unusable
        raise messages.error("learning.store_damaged") from exc
    if not hasattr(pipeline, "predict"):
        raise messages.error("learning.store_damaged")
    return pipeline


# --------------------------------------------------------------------------- metadata
def metadata(trained: TrainedModel, extra: dict | None = None) -> dict[str, Any]:
    """Everything but the fitted pipeline, as JSON-able values."""
    import sklearn

    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "saved": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "labkit_version": __version__,
        "sklearn_version": sklearn.__version__,
        "model": trained.key,
        "name": trained.name,
        "target": trained.target,
        "features": list(trained.features),
        "task": trained.task,
        "classes": list(trained.classes),
        "positive": trained.positive,
        "kinds": trained.kinds.to_dict(),
        "metric": trained.metric,
        "params": dict(trained.params),
        "recipe": trained.recipe,
        "profile": trained.info.get("profile", {}),
        "info": {k: v for k, v in trained.info.items() if k != "profile"},
        **(extra or {}),
    }


def from_parts(data: bytes, meta: dict) -> TrainedModel:
    """A usable model from a skops file and its metadata (both checked)."""
    if not isinstance(meta, dict) or not meta.get("features") or not meta.get("target"):
        raise messages.error("learning.store_metadata_missing")
    pipeline = load_pipeline(data)
    info = dict(meta.get("info") or {})
    info["profile"] = meta.get("profile") or {}
    for key in ("cv_score", "cv_std", "test_score", "seconds", "saved"):
        if key in meta and key not in info:
            info[key] = meta[key]
    return TrainedModel(
        pipeline=pipeline,
        key=str(meta.get("model", "")),
        name=str(meta.get("name", "")),
        target=str(meta["target"]),
        features=[str(f) for f in meta["features"]],
        task=str(meta.get("task", "classification")),
        kinds=ColumnKinds.from_dict(meta.get("kinds") or {}),
        classes=list(meta.get("classes") or []),
        metric=str(meta.get("metric", "accuracy")),
        recipe=meta.get("recipe"),
        params=dict(meta.get("params") or {}),
        info=info,
    )


def saved_message(trained: TrainedModel) -> str:
    return messages.text(
        "learning.store_saved",
        name=trained.name,
        target=trained.target,
        count=len(trained.features),
    )
