"""Every simulated dataset teaches something: after module 04's default cleaning, the best model
beats the baseline clearly, and the columns it relies on most are the ones the generator documents
as driving the target. Real open data: the best model beats the baseline too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from labkit import paths
from labkit.data import datapackage
from labkit.data.reader import read_table
from labkit.model import explain, learning, problem
from labkit.prepare import cleaning, quality

REALDATA = Path(paths.project_root()).parent / "shared" / "realdata"
TOP = 3  # the first columns of the importance ranking that must be documented drivers


def _cases() -> list[tuple[str, str]]:
    cases = []
    for info in datapackage.list_datasets():
        if not info.simulated:
            continue
        dataset = datapackage.load_dataset(info.id)
        for target in dataset.drivers:
            cases.append((info.id, target))
    return cases


CASES = _cases()


def prepared(dataset_id: str, target: str):
    """The table as a learner leaves module 04: default fixes, plus what the generator documents
    as unusable for this target (leaking columns, the other targets, impossible target values)."""
    dataset = datapackage.load_dataset(dataset_id)
    frame = dataset.table
    report = quality.assess(frame, target=target, schema=dataset.schema)
    clean = cleaning.default_recipe(frame, report, target=target).apply(frame)
    unusable = {c for d in dataset.defects if d.get("kind") == "leakage" for c in d["columns"]}
    unusable |= {t["column"] for t in dataset.suggested_targets}
    clean = clean.drop(columns=[c for c in unusable if c in clean.columns and c != target])
    impossible = [
        row
        for d in dataset.defects
        if d.get("kind") == "outliers" and target in d.get("columns", [])
        for row in d.get("rows", [])
    ]
    # documented rows are positions in the table; its labels are the file's row numbers
    labels = [frame.index[r] for r in impossible]
    clean = clean.drop(index=[r for r in labels if r in clean.index])
    clean = clean[clean[target].notna()]
    drivers = [d["column"] for d in dataset.drivers[target]]
    return clean, drivers


def determined_by(values, driver) -> bool:
    """``values`` adds nothing to ``driver``: one value of ``values`` for each value of the driver
    (a driver with few values, e.g. the weekday number derived from a date for « jour_semaine »,
    whatever the spellings of the weekday)."""
    pair = pd.DataFrame({"x": values.astype(str), "d": driver.astype(str)})
    if pair["d"].nunique() > 0.5 * len(pair) or pair["x"].nunique() < 2:
        return False
    return bool((pair.groupby("d")["x"].nunique() <= 1).all())


def stands_for_a_driver(clean, column: str, drivers: list[str]) -> bool:
    """A documented driver, or the same information written another way."""
    if column in drivers:
        return True
    return any(
        d in clean.columns
        and (
            problem._same_information(clean[column], clean[d])
            or determined_by(clean[column], clean[d])
        )
        for d in drivers
    )


def test_every_simulated_dataset_documents_drivers():
    assert len(CASES) >= 5, CASES


@pytest.mark.parametrize("dataset_id, target", CASES, ids=[f"{d}-{t}" for d, t in CASES])
def test_best_model_beats_baseline_and_relies_on_the_documented_drivers(dataset_id, target):
    clean, drivers = prepared(dataset_id, target)
    comparison = learning.compare(clean, target)
    best, baseline = comparison.best(), comparison.baseline
    gain = best.score - baseline.score
    assert gain >= 0.03 and gain > 2 * best.std, (
        f"{dataset_id}/{target}: best {best.name} {best.score:.3f} ± {best.std:.3f}, "
        f"baseline {baseline.score:.3f}"
    )
    trained = learning.train(clean, target, comparison.features, best.key, split=comparison.split)
    ranking = explain.importance(trained, clean, comparison.split)
    top = ranking["column"].head(min(TOP, len(drivers))).tolist()
    strangers = [c for c in top if not stands_for_a_driver(clean, c, drivers)]
    assert not strangers, (
        f"{dataset_id}/{target}: {strangers} among the first columns {top} "
        f"(importances {ranking.head(6).round(3).to_dict('records')}); drivers: {drivers}"
    )


def test_real_urban_trees_best_model_beats_baseline():
    path = REALDATA / "arbres_urbains_sgl.csv"
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is absent: the real-data tests need the shared folder")
    target = "classification_diagnostic"
    frame = read_table(path.read_bytes(), path.name).frame
    report = quality.assess(frame, target=target)
    clean = cleaning.default_recipe(frame, report, target=target).apply(frame)
    comparison = learning.compare(clean, target)
    assert comparison.task.kind == problem.CLASSIFICATION
    assert comparison.beats_baseline()
    assert comparison.best().score > comparison.baseline.score + 0.1
