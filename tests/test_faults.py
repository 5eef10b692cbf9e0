"""Faults: a process killed (SIGKILL) in the middle of a save, a recipe step, a model save, a
bundle import or a workspace import leaves the learner's last complete state; a full disk gives a
French message.

Each operation runs in a forked child (the parent has imported everything, so a fork costs
milliseconds). Two ways of killing it:

- **every step**: the child pauses at its N-th write event (a file staged half-written, or the N-th
  rename) and the parent kills it there with ``SIGKILL``; N goes from 1 until the operation finishes
  without reaching it, so every point where a kill could land is tried;
- **random moments**: the child repeats the operation in a loop and is killed after a random delay.

After each kill the parent opens the workspace as a restarted kernel would and checks that every
document, table and model loads, and that the state is the old one or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import multiprocessing
import os
import random
import shutil
import signal
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit import workspace as W
from labkit.errors import DatalabError
from labkit.learner import bundle as bundles
from labkit.learner import model as saved_model
from labkit.learner.chain import recipe_of
from labkit.learner.preparation import save_clean_table, save_recipe
from labkit.model import learning
from labkit.prepare.recipe import Recipe, Step
from labkit.workspace import Workspace

PSEUDO = "Camille"
EVENT_LIMIT = 60  # more write events than any operation here makes


# ---------------------------------------------------------------------------- killing a child
def _install_pauses(stop_at: int, signal_file: Path) -> None:
    """In the child: count write events; at event ``stop_at`` tell the parent and wait to die."""
    count = [0]
    real_stage, real_plain, real_replace = W._stage, W._stage_plain, os.replace

    def event() -> bool:
        count[0] += 1
        return count[0] == stop_at

    def pause() -> None:
        signal_file.write_text("pause")
        time.sleep(60)

    def stage(path, data):
        if event():  # killed while the temporary file is half-written
            path.parent.mkdir(parents=True, exist_ok=True)
            half = path.with_name(f".{path.name}.halfwritten.tmp")
            half.write_bytes(data[: len(data) // 2])
            pause()
        return real_stage(path, data)

    def plain(path, data):
        if event():  # killed while a file of the import folder is half-written
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data[: len(data) // 2])
            pause()
        return real_plain(path, data)

    def replace(source, target):
        if event():  # killed just before a rename
            pause()
        return real_replace(source, target)

    W._stage, W._stage_plain, os.replace = stage, plain, replace


def _child(root: str, operation, stop_at: int, signal_file: str) -> None:
    if stop_at:
        _install_pauses(stop_at, Path(signal_file))
    workspace = Workspace.open(PSEUDO, Path(root))
    operation(workspace)
    Path(signal_file).write_text("done")


def _kill_at(root: Path, operation, stop_at: int) -> str:
    """Run ``operation`` in a child paused at write event ``stop_at`` and kill it there; returns
    ``"killed"`` or ``"done"`` (the operation ended before reaching that event)."""
    signal_file = root.parent / f"signal-{stop_at}"
    signal_file.unlink(missing_ok=True)
    process = multiprocessing.get_context("fork").Process(
        target=_child, args=(str(root), operation, stop_at, str(signal_file))
    )
    process.start()
    deadline = time.monotonic() + 30
    while _said(signal_file) is None and process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    state = _said(signal_file)
    if process.is_alive():
        os.kill(process.pid, signal.SIGKILL)
    process.join()
    if state == "pause":
        assert process.exitcode == -signal.SIGKILL
        return "killed"
    assert state == "done", f"l’opération n’a pas abouti (code {process.exitcode})"
    return "done"


def _said(signal_file: Path) -> str | None:
    try:
        return signal_file.read_text() or None
    except FileNotFoundError:
        return None


def _loop_child(root: str, operation) -> None:
    workspace = Workspace.open(PSEUDO, Path(root))
    turn = 0
    while True:
        operation(workspace, turn)
        turn += 1


def _kill_randomly(root: Path, operation, delay: float) -> None:
    process = multiprocessing.get_context("fork").Process(
        target=_loop_child, args=(str(root), operation)
    )
    process.start()
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert process.exitcode == -signal.SIGKILL


def sweep(template: Path, tmp_path: Path, operation, check) -> int:
    """Kill ``operation`` at every write event, check the restarted workspace each time; returns
    how many kills were made."""
    kills = 0
    for stop_at in range(1, EVENT_LIMIT):
        root = tmp_path / f"run-{stop_at}"
        shutil.copytree(template, root)
        outcome = _kill_at(root, operation, stop_at)
        check(root, outcome)
        if outcome == "done":
            assert kills, "aucun point d’arrêt atteint"
            return kills
        kills += 1
    raise AssertionError("the operation never ended")


def reopen(root: Path) -> Workspace:
    """The workspace as a restarted kernel opens it."""
    return Workspace.open(PSEUDO, root)


def no_leftovers(root: Path) -> None:
    """What a reader lists never shows a temporary or half-written file."""
    workspace = reopen(root)
    assert all(not key.startswith(".") for key in workspace.keys())
    exported = zipfile.ZipFile(io.BytesIO(workspace.export_zip())).namelist()
    assert not [name for name in exported if "/." in f"/{name}"], exported


# ---------------------------------------------------------------------------- data
def _frame(seed: int, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "quartier": rng.choice(["Nord", "Sud", "Est"], n),
            "revenu": np.round(rng.normal(1500, 300, n), 1),
        }
    )
    out["accord"] = np.where(out["revenu"] > 1500, "oui", "non")
    return out


@pytest.fixture(scope="module")
def models():
    """Two different trained models (``old``: a tree on 2 columns; ``new``: a logistic
    regression on 3), and their skops bytes."""
    data = _frame(0)
    old = learning.train(data, "accord", ["age", "revenu"], "tree", recipe={"steps": []})
    new = learning.train(
        data, "accord", ["age", "quartier", "revenu"], "linear", recipe={"steps": []}
    )
    return {"old": old, "new": new}


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _model_state(workspace) -> str:
    """``old`` or ``new``: which saved model the workspace holds, its file and its metadata
    matching (a mismatch fails the test)."""
    trained = saved_model.load_model(workspace)  # a French DatalabError would fail the test
    meta = saved_model.load_metadata(workspace)
    state = {"tree": "old", "linear": "new"}[meta["model"]]
    expected = {"old": ["age", "revenu"], "new": ["age", "quartier", "revenu"]}[state]
    assert trained.features == expected
    assert list(trained.pipeline.feature_names_in_) == expected, "model file and metadata differ"
    assert trained.predict(_frame(1, 5)[expected]).shape == (5,)
    return state


# ---------------------------------------------------------------------------- documents
def test_killed_during_a_document_save(tmp_path):
    template = tmp_path / "template"
    workspace = Workspace.open(PSEUDO, template)
    workspace.save("canvas", {"v": "avant", "texte": "a" * 50})
    workspace.save("canvas", {"v": "old", "texte": "b" * 50_000})

    def operation(ws):
        ws.save("canvas", {"v": "new", "texte": "c" * 50_000})

    def check(root, outcome):
        ws = reopen(root)
        value = ws.load("canvas")
        assert value["v"] in ("old", "new")
        if outcome == "done":
            assert value["v"] == "new"
        assert not ws.notices
        assert ws.load("learner")["pseudonym"] == PSEUDO
        no_leftovers(root)

    assert sweep(template, tmp_path, operation, check) >= 2


def test_killed_at_random_moments_while_saving(tmp_path):
    root = tmp_path / "root"
    Workspace.open(PSEUDO, root).save("progress", {"turn": -1, "pad": ""})

    def operation(ws, turn):
        ws.save("progress", {"turn": turn, "pad": "x" * (1000 * (turn % 50))})
        ws.save_table("raw", _frame(turn % 3, 50 + turn % 7))

    rng = random.Random(13)
    last = -1
    for _ in range(12):
        _kill_randomly(root, operation, rng.uniform(0.05, 0.4))
        ws = reopen(root)
        turn = ws.load("progress")["turn"]
        assert isinstance(turn, int)
        if ws.has_table("raw"):
            assert list(ws.load_table("raw").columns) == ["age", "quartier", "revenu", "accord"]
        last = turn
    assert last >= 0  # the loop did run


def test_a_damaged_document_is_recovered_from_its_previous_version(tmp_path):
    ws = Workspace.open(PSEUDO, tmp_path)
    ws.save("quiz", {"v": 1})
    ws.save("quiz", {"v": 2})
    path = ws.folder / "quiz.json"
    path.write_bytes(path.read_bytes()[:20])  # as if written in place and cut short
    again = Workspace.open(PSEUDO, tmp_path)
    assert again.load("quiz") == {"v": 1}
    assert "version précédente a été reprise" in again.notices[0]


# ---------------------------------------------------------------------------- recipe step
def test_killed_during_a_recipe_step(tmp_path):
    template = tmp_path / "template"
    workspace = Workspace.open(PSEUDO, template)
    old_table, new_table = _frame(0), _frame(0).drop(columns=["quartier"])
    save_recipe(workspace, Recipe())
    save_clean_table(workspace, old_table)
    new_recipe = Recipe([Step("drop_column", {"columns": ["quartier"]})])

    def operation(ws):
        save_recipe(ws, new_recipe)
        save_clean_table(ws, new_table)

    def check(root, outcome):
        ws = reopen(root)
        recipe, is_default = recipe_of(ws)
        assert not is_default and len(recipe) in (0, 1)
        table = ws.load_table("clean")
        assert table.equals(old_table) or table.equals(new_table)
        if outcome == "done":
            assert len(recipe) == 1 and table.equals(new_table)
        assert not ws.notices
        no_leftovers(root)

    assert sweep(template, tmp_path, operation, check) >= 4


# ---------------------------------------------------------------------------- model save
def test_killed_during_a_model_save(tmp_path, models):
    template = tmp_path / "template"
    saved_model.save_model(Workspace.open(PSEUDO, template), models["old"])

    def operation(ws):
        saved_model.save_model(ws, models["new"])

    states = set()

    def check(root, outcome):
        ws = reopen(root)
        state = _model_state(ws)
        states.add(state)
        if outcome == "done":
            assert state == "new"
        no_leftovers(root)

    assert sweep(template, tmp_path, operation, check) >= 4
    assert states == {"old", "new"}  # some kills landed after the commit point


def test_model_killed_at_random_moments(tmp_path, models):
    root = tmp_path / "root"
    saved_model.save_model(Workspace.open(PSEUDO, root), models["old"])

    def operation(ws, turn):
        saved_model.save_model(ws, models["new" if turn % 2 == 0 else "old"])

    rng = random.Random(5)
    for _ in range(10):
        _kill_randomly(root, operation, rng.uniform(0.05, 0.5))
        _model_state(reopen(root))


def test_first_model_save_killed_leaves_no_model_or_a_whole_one(tmp_path, models):
    template = tmp_path / "template"
    Workspace.open(PSEUDO, template)

    def check(root, outcome):
        ws = reopen(root)
        if saved_model.has_model(ws) or saved_model.load_metadata(ws) is not None:
            assert _model_state(ws) == "new"
        else:
            with pytest.raises(DatalabError, match="modèle"):
                saved_model.load_model(ws)

    sweep(template, tmp_path, lambda ws: saved_model.save_model(ws, models["new"]), check)


# ---------------------------------------------------------------------------- bundle import
def _bundle(tmp_path: Path, trained) -> bytes:
    source = Workspace.open("Collegue", tmp_path / "source")
    saved_model.save_model(source, trained)
    return bundles.export_bundle(source, report_html="<p>Rapport</p>")


def test_killed_during_a_bundle_import(tmp_path, models):
    data = _bundle(tmp_path, models["new"])
    template = tmp_path / "template"
    workspace = Workspace.open(PSEUDO, template)
    saved_model.save_model(workspace, models["old"])
    save_recipe(workspace, Recipe([Step("drop_column", {"columns": ["quartier"]})]))
    states = set()

    def check(root, outcome):
        ws = reopen(root)
        state = _model_state(ws)
        recipe, _ = recipe_of(ws)
        imported_report = ws.read_file(bundles.IMPORTED_REPORT)
        # all or nothing: the bundle's model comes with its recipe and report
        assert (state, len(recipe), imported_report is not None) in (
            ("old", 1, False),
            ("new", 0, True),
        )
        states.add(state)
        no_leftovers(root)

    assert sweep(template, tmp_path, lambda ws: bundles.import_bundle(ws, data), check) >= 5
    assert states == {"old", "new"}


# ---------------------------------------------------------------------------- workspace import
def _workspace_zip(tmp_path: Path) -> bytes:
    other = Workspace.open("Autre", tmp_path / "other")
    for index in range(4):
        other.save(f"doc{index}", {"state": "new"})
    other.save("marker", "new")
    other.save_table("raw", _frame(2))
    other.save_file("notes.txt", b"new")
    return other.export_zip()


def _zip_state(root: Path) -> str:
    ws = reopen(root)
    state = ws.load("marker")
    assert state in ("old", "new")
    assert ws.load("learner")["pseudonym"] == PSEUDO  # the learner keeps their pseudonym
    docs = {ws.load(f"doc{index}", {}).get("state") for index in range(4)}
    assert docs == ({"new"} if state == "new" else {"old", None})
    assert ws.load_table("raw").equals(_frame(2 if state == "new" else 3))
    assert ws.read_file("notes.txt") == (b"new" if state == "new" else None)
    assert not ws.notices
    return state


def test_killed_during_a_workspace_import(tmp_path):
    data = _workspace_zip(tmp_path)
    template = tmp_path / "template"
    workspace = Workspace.open(PSEUDO, template)
    workspace.save("marker", "old")
    workspace.save("doc0", {"state": "old"})
    workspace.save_table("raw", _frame(3))
    states = set()

    def check(root, outcome):
        states.add(_zip_state(root))
        if outcome == "done":
            assert states >= {"new"}
        no_leftovers(root)

    assert sweep(template, tmp_path, lambda ws: ws.import_zip(data), check) >= 8
    assert states == {"old", "new"}


def test_half_made_import_folders_are_removed_later(tmp_path):
    data = _workspace_zip(tmp_path)
    root = tmp_path / "root"
    Workspace.open(PSEUDO, root).save("marker", "old")
    _kill_at(root, lambda ws: ws.import_zip(data), 3)  # killed while writing the import folder
    learners = root / "learners"
    partial = list(learners.glob(".*.partiel"))
    assert len(partial) == 1
    assert reopen(root).load("marker") == "old"
    assert partial[0].exists()  # may belong to an import still running: kept a while
    old = time.time() - W.LEFTOVER_SECONDS - 60
    os.utime(partial[0], (old, old))
    assert reopen(root).load("marker") == "old"
    assert not partial[0].exists()


def test_workspace_import_killed_at_random_moments(tmp_path):
    data = _workspace_zip(tmp_path)
    root = tmp_path / "root"
    workspace = Workspace.open(PSEUDO, root)
    workspace.save("marker", "old")
    workspace.save("doc0", {"state": "old"})
    workspace.save_table("raw", _frame(3))

    def operation(ws, turn):
        ws.import_zip(data)

    rng = random.Random(7)
    for _ in range(8):
        _kill_randomly(root, operation, rng.uniform(0.01, 0.2))
        assert _zip_state(root) in ("old", "new")
    backups = list((root / "backups").iterdir())
    assert backups  # the replaced work is kept, never deleted


# ---------------------------------------------------------------------------- full disk
def _assert_disk_full(error: DatalabError) -> None:
    text = str(error)
    assert "Le disque est plein" in text and "Traceback" not in text
    assert error.key == "workspace.disk_full"


def test_full_disk_gives_a_french_message_and_keeps_the_previous_version(
    tmp_path, models, monkeypatch
):
    ws = Workspace.open(PSEUDO, tmp_path)
    ws.save("canvas", {"v": "old"})
    ws.save_table("raw", _frame(0))
    saved_model.save_model(ws, models["old"])
    data = _workspace_zip(tmp_path / "zip")
    bundle = _bundle(tmp_path / "bundle", models["new"])

    def fsync(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    attempts = [
        lambda: ws.save("canvas", {"v": "new"}),
        lambda: ws.save_table("raw", _frame(1)),
        lambda: ws.save_file("notes.txt", b"x"),
        lambda: saved_model.save_model(ws, models["new"]),
        lambda: bundles.import_bundle(ws, bundle),
        lambda: ws.import_zip(data),
    ]
    for attempt in attempts:
        with pytest.raises(DatalabError) as caught:
            attempt()
        _assert_disk_full(caught.value)
    monkeypatch.undo()
    again = reopen(tmp_path)
    assert again.load("canvas") == {"v": "old"}
    assert again.load_table("raw").equals(_frame(0))
    assert _model_state(again) == "old"
    assert again.read_file("notes.txt") is None
    assert not list(again.folder.rglob(".*.tmp"))
    assert not list((tmp_path / "learners").glob(".*"))


def test_full_disk_through_the_command_line(tmp_path, models, monkeypatch, capsys):
    from labkit.cli import main

    monkeypatch.setenv("DATALAB_WORKSPACE", str(tmp_path / "root"))
    path = tmp_path / "paquet.zip"
    path.write_bytes(_bundle(tmp_path / "bundle", models["new"]))
    Workspace.open(PSEUDO)

    def fsync(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    assert main(["bundle", "import", str(path), "--pseudo", PSEUDO]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : Le disque est plein") and "Traceback" not in err


# ---------------------------------------------------------------------------- dataset new
def _big_csv(path: Path, rows: int = 40_000) -> None:
    frame = _frame(4, rows)
    frame["commentaire"] = [f"Demande numéro {i}" for i in range(rows)]
    frame.to_csv(path, sep=";", index=False)


def test_dataset_new_killed_leaves_a_work_folder_that_the_next_run_removes(tmp_path):
    """A real ``datalab dataset new`` process killed while it checks its hidden work folder; the
    folder is left (a run may still be going), then removed by a later run once it is old."""
    import subprocess
    import sys

    from labkit.cli import main
    from labkit.course import authoring

    source = tmp_path / "demandes.csv"
    _big_csv(source)
    place = tmp_path / "jeux"
    place.mkdir()
    argv = ["dataset", "new", str(source), "--dest", str(place / "demandes"), "--licence", "cc0"]
    process = subprocess.Popen(
        [sys.executable, "-m", "labkit.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(p.name.endswith(".partiel") for p in place.iterdir()):
            time.sleep(0.05)  # let it write into the folder
            break
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    left = [p for p in place.iterdir() if p.name.endswith(".partiel")]
    assert len(left) == 1 and not (place / "demandes").exists()

    small = tmp_path / "petit.csv"
    small.write_text("a;b\nx;1\ny;2\nz;3\n", encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["dataset", "new", str(small), "--dest", str(place / "petit")]) == 0
    assert left[0].exists()  # too recent: may belong to a run still going
    old = time.time() - authoring.LEFTOVER_SECONDS - 60
    os.utime(left[0], (old, old))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["dataset", "new", str(small), "--dest", str(place / "autre")]) == 0
    assert sorted(p.name for p in place.iterdir()) == ["autre", "petit"]


def test_dataset_new_killed_while_replacing_puts_the_old_package_back(tmp_path):
    from labkit.cli import main

    small = tmp_path / "petit.csv"
    small.write_text("a;b\nx;1\ny;2\nz;3\n", encoding="utf-8")
    place = tmp_path / "jeux"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["dataset", "new", str(small), "--dest", str(place / "jeu")]) == 0
    # what a run killed between its two renames leaves: the old package set aside, no new one
    os.replace(place / "jeu", place / ".jeu-4242.ancien")
    old = time.time() - 3600
    os.utime(place / ".jeu-4242.ancien", (old, old))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["dataset", "new", str(small), "--dest", str(place / "autre")]) == 0
    assert sorted(p.name for p in place.iterdir()) == ["autre", "jeu"]
    assert (place / "jeu" / "datapackage.json").is_file()
