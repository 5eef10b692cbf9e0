"""Module 05 model store: skops round trip through the workspace, unsafe files refused."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from labkit.errors import DatalabError
from labkit.learner import model as saved_model
from labkit.model import catalogue, learning, problem
from labkit.model import model_store as S

MARKER = "datalab-evil-ran.txt"


class Evil:
    """An object whose rebuilding would leave a trace: a file that must never appear."""

    def __init__(self, path: str):
        self.path = path

    def __setstate__(self, state):  # pragma: no cover - must never run
        with open(state["path"], "w", encoding="utf-8") as handle:
            handle.write("ran")
        self.__dict__.update(state)


def frame(n: int = 160, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = pd.DataFrame(
        {
            "revenu": rng.normal(1500, 300, n),
            "quartier": rng.choice(["Nord", "Sud", "Est"], n),
            "depot": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 500, n), unit="D"),
            "urgent": rng.random(n) < 0.3,
        }
    )
    out["cible"] = np.where(out["revenu"] > 1500, "oui", "non")
    out["conso"] = out["revenu"] * 0.1 + rng.normal(0, 5, n)
    out["classe"] = rng.choice(["C1", "C2", "C3"], n)
    return out


FEATURES = ["revenu", "quartier", "depot", "urgent"]


@pytest.mark.parametrize("target", ["cible", "conso", "classe"])
@pytest.mark.parametrize("key", catalogue.MODEL_KEYS + ("baseline",))
def test_every_model_round_trips_through_the_workspace(workspace, key, target):
    data = frame()
    trained = learning.train(data, target, FEATURES, key)
    meta = saved_model.save_model(workspace, trained, {"cv_score": 0.8})
    assert workspace.file_path(S.MODEL_FILE).exists()
    assert meta["target"] == target and meta["features"] == FEATURES
    reloaded = saved_model.load_model(workspace)
    assert reloaded.key == key and reloaded.task == trained.task
    assert reloaded.kinds == trained.kinds and reloaded.classes == trained.classes
    assert reloaded.info["cv_score"] == 0.8
    before, after = trained.predict(data), reloaded.predict(data)
    if trained.task == problem.CLASSIFICATION:
        assert (before == after).all()
    else:
        assert np.allclose(before, after)


def test_metadata_is_what_module_06_needs(workspace):
    data = frame()
    trained = learning.train(data, "cible", FEATURES, "tree", recipe={"steps": []})
    saved_model.save_model(workspace, trained)
    meta = workspace.load(S.TRAINING_KEY)
    assert meta["task"] == "classification" and meta["classes"] == ["non", "oui"]
    assert meta["positive"] == "oui" and meta["recipe"] == {"steps": []}
    profile = meta["profile"]
    assert (
        profile["revenu"]["kind"] == "numeric"
        and profile["revenu"]["min"] < profile["revenu"]["max"]
    )
    assert set(profile["quartier"]["categories"]) == {"Nord", "Sud", "Est"}
    assert profile["depot"]["kind"] == "date" and profile["urgent"]["kind"] == "boolean"
    assert json.loads(json.dumps(meta)) == meta  # plain JSON


def test_no_model_yet_is_a_french_message(workspace):
    with pytest.raises(DatalabError) as excinfo:
        saved_model.load_model(workspace)
    assert excinfo.value.key == "learning.store_no_model"
    assert not saved_model.has_model(workspace)


def test_model_file_without_its_metadata_is_refused(workspace):
    trained = learning.train(frame(), "cible", FEATURES, "tree")
    workspace.save_file(S.MODEL_FILE, S.to_bytes(trained))
    with pytest.raises(DatalabError) as excinfo:
        saved_model.load_model(workspace)
    assert excinfo.value.key == "learning.store_metadata_missing"


def _meta() -> dict:
    return S.metadata(learning.train(frame(), "cible", FEATURES, "tree"))


def test_a_file_asking_for_a_function_is_refused_before_loading():
    evil = Pipeline([("step", FunctionTransformer(os.system))])
    data = sio.dumps(evil)
    with pytest.raises(DatalabError) as excinfo:
        S.from_parts(data, _meta())
    assert excinfo.value.key == "learning.store_untrusted"
    assert "system" in excinfo.value.message and "exécuter du code" in excinfo.value.message


def test_a_file_with_an_unknown_object_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / MARKER
    data = sio.dumps({"model": Evil(str(marker))})
    with pytest.raises(DatalabError) as excinfo:
        S.load_pipeline(data)
    assert excinfo.value.key == "learning.store_untrusted"
    assert "Evil" in excinfo.value.message
    assert not marker.exists()


def test_a_tampered_model_file_is_refused(tmp_path):
    """A real Datalab model whose description was edited to rebuild another type."""
    trained = learning.train(frame(), "cible", FEATURES, "tree")
    original = zipfile.ZipFile(io.BytesIO(S.to_bytes(trained)))
    schema = original.read("schema.json").decode("utf-8")
    assert "sklearn.tree._classes" in schema
    tampered_schema = schema.replace(
        '"__module__": "sklearn.tree._classes"', '"__module__": "subprocess"'
    ).replace('"__class__": "DecisionTreeClassifier"', '"__class__": "Popen"')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "schema.json":
                content = tampered_schema.encode("utf-8")
            out.writestr(item, content)
    with pytest.raises(DatalabError) as excinfo:
        S.load_pipeline(buffer.getvalue())
    assert excinfo.value.key == "learning.store_untrusted"
    assert "subprocess.Popen" in excinfo.value.message


def test_a_formula_model_saved_before_the_reorganisation_asks_to_retrain():
    """Files saved when the formula models were ``labkit.learning.Formula…``: Datalab's own, so
    the learner is told to train again, not that the file could run code."""
    trained = learning.train(frame(), "cible", FEATURES, "formula")
    original = zipfile.ZipFile(io.BytesIO(S.to_bytes(trained)))
    schema = original.read("schema.json").decode("utf-8")
    assert '"__module__": "labkit.model.formula"' in schema
    old_schema = schema.replace(
        '"__module__": "labkit.model.formula"', '"__module__": "labkit.learning"'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for item in original.infolist():
            content = original.read(item.filename)
            out.writestr(
                item, old_schema.encode("utf-8") if item.filename == "schema.json" else content
            )
    with pytest.raises(DatalabError) as excinfo:
        S.load_pipeline(buffer.getvalue())
    assert excinfo.value.key == "learning.store_old_version"
    assert "version précédente" in excinfo.value.message and "module 05" in excinfo.value.hint


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a model at all",
        pickle.dumps({"a": 1}),
        b"PK\x03\x04broken zip",
    ],
)
def test_damaged_or_foreign_files_are_refused(data):
    with pytest.raises(DatalabError) as excinfo:
        S.from_parts(data, _meta())
    assert excinfo.value.key == "learning.store_damaged"
    assert "abîmé" in excinfo.value.message


def test_a_zip_that_is_not_a_skops_file_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("schema.json", "{not json")
    with pytest.raises(DatalabError) as excinfo:
        S.load_pipeline(buffer.getvalue())
    assert excinfo.value.key == "learning.store_damaged"


def test_saved_message_names_the_model_in_french():
    trained = learning.train(frame(), "cible", FEATURES, "formula")
    text = S.saved_message(trained)
    assert "Formule explicite" in text and "« cible »" in text and "4 colonne(s)" in text
