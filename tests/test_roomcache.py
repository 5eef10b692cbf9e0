"""The server's shared cache of results (labkit.roomcache): a result read from the cache is the
result computed without it; other data, other settings or another day give another entry; two
writers of one entry, a damaged entry, a result refused by ``keep`` and a cache that is off all
give the right result; the server points its kernels at its workspace's cache; the warm-up fills
it with the keys a learner's kernel asks for."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit import roomcache
from labkit.course import toys
from labkit.learner.chain import running_example
from labkit.model import curves, explain, learning, problem, reliance
from labkit.prepare import quality

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """The cache on, in a folder of this test; the counts of this process reset."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(roomcache.ENV, str(folder))
    monkeypatch.setattr(
        roomcache, "_stats", {"hits": {}, "misses": {}, "hash": 0.0, "load": 0.0, "compute": 0.0}
    )
    return folder


@pytest.fixture(scope="module")
def example():
    frame, target, schema = running_example()
    return frame, target, schema


def plain(value):
    """A value as plain data to compare: dataclasses as dicts, frames and arrays as lists; the
    seconds a computation took (which differ from one run to the next) left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "seconds"
        }
    if isinstance(value, pd.DataFrame):
        return {
            "columns": list(value.columns),
            "index": list(value.index),
            **plain(value.to_dict()),
        }
    if isinstance(value, pd.Series):
        return plain(value.to_dict())
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and np.isnan(value):
        return "nan"
    if hasattr(value, "get_params") and hasattr(value, "predict"):  # a fitted estimator
        return repr(value)
    return value


def hits(name: str) -> int:
    return roomcache.stats()["hits"].get(name, 0)


def test_results_from_the_cache_are_the_results_computed_without_it(cache, example):
    frame, target, schema = example
    calls = {
        "labkit.prepare.quality.assess": (
            quality.assess,
            (frame,),
            {"target": target, "schema": schema, "today": "2026-12-01"},
        ),
    }
    report = quality.assess(frame, target=target, schema=schema, today="2026-12-01")
    plan = problem.plan_evaluation(frame, target, problem.detect_task(frame[target]))
    features, _ = learning.default_features(frame, target)
    calls["labkit.model.learning.compare"] = (
        learning.compare,
        (frame, target, features),
        {"plan": plan},
    )
    comparison = learning.compare(frame, target, features, plan=plan)
    split = comparison.split
    calls["labkit.model.curves.complexity_curve"] = (
        curves.complexity_curve,
        (frame, target, features, "tree"),
        {"plan": plan, "split": split},
    )
    calls["labkit.model.curves.learning_curve"] = (
        curves.learning_curve,
        (frame, target, features, "linear"),
        {"plan": plan, "split": split},
    )
    trained = learning.train(frame, target, features, "tree", split=split)
    calls["labkit.model.learning.train"] = (
        learning.train,
        (frame, target, features, "tree"),
        {"split": split},
    )
    calls["labkit.model.explain.importance"] = (explain.importance, (trained, frame, split), {})
    calls["labkit.model.reliance.check_reliance"] = (
        reliance.check_reliance,
        (frame, target, features, "tree", split),
        {"trained": trained, "budget": 600.0},
    )
    train, new = toys.draw_leak_points(toys.TRAIN_SIZE), toys.draw_leak_points(toys.NEW_SIZE, 1)
    calls["labkit.course.toys.classification_state"] = (
        toys.classification_state,
        (train, new, 4),
        {},
    )
    days, new_days = toys.draw_attendance(), toys.draw_attendance(seed=3)
    calls["labkit.course.toys.regression_state"] = (toys.regression_state, (days, new_days, 3), {})
    assert report.findings  # the running example has defects to report
    for name, (function, args, kwargs) in calls.items():
        function(*args, **kwargs)  # computed once (kept), or already kept above
        before = hits(name)
        cached = function(*args, **kwargs)
        assert hits(name) == before + 1, f"{name} was not read from the cache"
        computed = function.uncached(*args, **kwargs)
        assert plain(cached) == plain(computed), name
    # the explanation of a model read from the cache is the explanation of the model computed
    loaded = learning.train(frame, target, features, "tree", split=split)
    table = explain.importance.uncached(loaded, frame, split)
    pd.testing.assert_frame_equal(table, explain.importance.uncached(trained, frame, split))


def test_other_data_other_settings_or_another_day_are_other_entries(cache, example):
    frame, target, schema = example
    report = quality.assess(frame, target=target, today="2026-12-01")
    changed = frame.copy()
    column = next(c for c in changed.columns if c != target and changed[c].dtype.kind in "if")
    changed.loc[changed.index[:40], column] = np.nan  # a column now with missing values
    other = quality.assess(changed, target=target, today="2026-12-01")
    assert hits("labkit.prepare.quality.assess") == 0
    assert plain(other) == plain(
        quality.assess.uncached(changed, target=target, today="2026-12-01")
    )
    assert plain(other) != plain(report)
    quality.assess(frame, target=None, today="2026-12-01")  # another setting
    quality.assess(frame, target=target, today="2027-06-01")  # another day
    assert hits("labkit.prepare.quality.assess") == 0
    assert roomcache.stats()["misses"]["labkit.prepare.quality.assess"] == 4
    # a frame that differs only in what it carries along (its attrs: declared kinds, defects the
    # card dismissed) is other data too
    marked = frame.copy()
    marked.attrs["datalab_dismissed"] = [{"kind": "missing", "columns": [column]}]
    quality.assess(marked, target=target, today="2026-12-01")
    assert hits("labkit.prepare.quality.assess") == 0


def test_defaults_filled_in_share_one_entry_and_keys_name_no_learner(cache):
    train, new = toys.draw_leak_points(toys.TRAIN_SIZE), toys.draw_leak_points(toys.NEW_SIZE, 1)
    toys.classification_state(train, new, 3)
    toys.classification_state(train, new, 3, resolution=60)  # the default, said
    assert hits("labkit.course.toys.classification_state") == 1
    names = [p.name for p in (cache / "joblib").rglob("*")]
    entries = [n for n in names if re.fullmatch(r"[0-9a-f]{32}", n)]
    assert entries
    allowed = re.compile(r"[0-9a-f]{32}|labkit-[\w-]+|labkit|roomcache|\w+\.(pkl|json|py)")
    assert all(allowed.fullmatch(n) for n in names), names


def test_nothing_is_kept_when_the_cache_is_off(tmp_path, monkeypatch):
    monkeypatch.delenv(roomcache.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    before = roomcache.stats()
    train, new = toys.draw_leak_points(toys.TRAIN_SIZE), toys.draw_leak_points(toys.NEW_SIZE, 1)
    toys.classification_state(train, new, 2)
    monkeypatch.setenv(roomcache.ENV, "off")
    toys.classification_state(train, new, 2)
    assert roomcache.folder() is None
    assert roomcache.stats() == before
    assert list(tmp_path.iterdir()) == []


_calls = {"count": 0}


@roomcache.shared(ignore=("progress",))
def slow_square(values: list[int], progress=None) -> list[int]:
    _calls["count"] += 1
    time.sleep(0.2)
    return [v * v for v in values]


def test_two_writers_of_one_entry_both_get_the_result_and_leave_it_whole(cache):
    _calls["count"] = 0
    results, errors = [], []

    def call():
        try:
            results.append(slow_square([1, 2, 3]))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and results == [[1, 4, 9]] * 4
    computed = _calls["count"]
    seen = []
    assert slow_square([1, 2, 3], progress=lambda f, m: seen.append(f)) == [1, 4, 9]
    assert _calls["count"] == computed  # read from the entry the writers left
    assert seen == [1.0]  # a progress bar still reaches its end


def test_a_damaged_entry_is_computed_again(cache):
    _calls["count"] = 0
    assert slow_square([4]) == [16]
    for output in (cache / "joblib").rglob("output.pkl"):
        output.write_bytes(b"not a pickle")
    assert slow_square([4]) == [16]
    assert _calls["count"] == 2


def test_a_result_refused_by_keep_is_not_handed_on(cache):
    kept = {"ok": False}

    @roomcache.shared(ignore=(), keep=lambda result: kept["ok"])
    def answer(x: int) -> int:
        _calls["count"] += 1
        return x + 1

    _calls["count"] = 0
    assert answer(1) == 2 and answer(1) == 2
    assert _calls["count"] == 2
    kept["ok"] = True
    assert answer(1) == 2 and answer(1) == 2
    assert _calls["count"] == 3


def test_the_cache_cannot_be_written_the_result_is_still_computed(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(roomcache.ENV, str(blocker / "cache"))  # below a file: cannot be made
    _calls["count"] = 0
    assert slow_square([5]) == [25]
    assert _calls["count"] == 1


def test_the_server_points_its_kernels_at_its_workspace_cache(workspace_root, monkeypatch):
    from labkit.serve import server
    from labkit.workspace import legacy_root

    monkeypatch.setenv(roomcache.ENV, "")  # so that the variable the server sets is undone
    monkeypatch.delenv(roomcache.ENV)
    location = server.use_shared_cache()
    assert location == workspace_root / "cache"
    assert os.environ[roomcache.ENV] == str(location)
    monkeypatch.setenv(roomcache.ENV, "off")
    assert server.use_shared_cache() is None
    # the cache folder is nobody's work: it never hides work left in the old shared folder
    old = workspace_root.parent / "old"
    (old / "learners" / "alice").mkdir(parents=True)
    (workspace_root / "cache").mkdir(parents=True)
    monkeypatch.delenv("DATALAB_WORKSPACE")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda *a, **k: str(old))
    monkeypatch.setattr("labkit.workspace.default_root", lambda: workspace_root)
    assert legacy_root() == old


def test_the_warm_up_fills_the_entries_a_learner_kernel_asks_for(cache):
    env = {**os.environ, roomcache.ENV: str(cache), "DATALAB_ROOT": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "labkit.serve.warmup"], env=env, timeout=600, check=False
    )
    report = json.loads((cache / "warmup.json").read_text(encoding="utf-8"))
    assert done.returncode == 0, report["error"]
    assert report["stats"]["misses"]["labkit.model.learning.compare"] == 1
    # what a learner's kernel then asks for, in another process: the default recipe's report
    from labkit.learner import chain
    from labkit.workspace import Workspace

    choice, raw, schema = chain.raw_table(Workspace.open("Apprenante", cache.parent / "ws"))
    chain.default_recipe(raw, choice.target, schema)
    assert hits("labkit.prepare.quality.assess") == 1
    stats = roomcache.room_stats(cache)
    assert {s.get("role") for s in stats} >= {"warmup"}


def test_a_catalogue_file_is_counted_once_per_server(cache, tmp_path):
    from labkit.data import datapackage

    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n3,4\n\n5,6\n", encoding="utf-8")
    assert datapackage.count_rows(table, {}) == 3
    datapackage._count_rows.cache_clear()  # another kernel: its own memory is empty
    assert datapackage.count_rows(table, {}) == 3
    assert hits("labkit.data.datapackage._count_rows") == 1
    table.write_text("a,b\n1,2\n", encoding="utf-8")  # another file: counted again
    datapackage._count_rows.cache_clear()
    assert datapackage.count_rows(table, {}) == 1
