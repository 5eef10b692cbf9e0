"""Module 05 speed and quality, per bundled dataset (and the real urban-trees file when present).

For each dataset and suggested target, on the table as module 04's default fixes leave it:

- **table**: the time from the click on « Comparer les modèles » to the comparison table — the
  evaluation plan, the split and every model (baseline included) on the same cross-validation;
- **one model**: the time from choosing a model to its result — fitting it on the development
  rows and its metrics on the test rows; the slowest model is shown;
- **best** against **reference**: the best model's cross-validation score next to a strong
  reference, gradient boosting tuned by a small grid search on the same folds (its best grid
  score, itself optimistic since it is the maximum over the grid).

Goals: one model ≤ 1 s, the table ≤ 5 s, best score within 2 points of the reference (scores in
points: accuracy × 100 or R² × 100). Each time is the best of ``REPEAT`` runs (the machine is
shared; the best run is the least disturbed), with the CPU time of that run beside it. Run with
``python benchmarks/bench_learning.py [dataset …]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from functools import partial
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from labkit import paths
from labkit.data import datapackage
from labkit.data.reader import read_table
from labkit.model import catalogue, learning, problem
from labkit.prepare import cleaning, quality

REPEAT = 3
GOAL_TABLE_S = 5.0
GOAL_MODEL_S = 1.0
GOAL_GAP_POINTS = 2.0
GRID = {
    "model__learning_rate": [0.05, 0.1],
    "model__max_iter": [100, 300],
    "model__max_leaf_nodes": [15, 31],
    "model__min_samples_leaf": [10, 20],
}
REALDATA = Path(paths.project_root()).parent / "shared" / "realdata"


def timed(function):
    """(result, best wall seconds, CPU seconds of that run) over REPEAT runs."""
    best = None
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or wall < best[1]:
            best = (result, wall, cpu)
    return best


def cleaned(frame, target, schema=None):
    report = quality.assess(frame, target=target, schema=schema)
    return cleaning.default_recipe(frame, report, target=target).apply(frame)


def cases():
    wanted = set(sys.argv[1:])
    for info in datapackage.list_datasets():
        if wanted and info.id not in wanted:
            continue
        dataset = datapackage.load_dataset(info.id)
        for suggestion in dataset.suggested_targets:
            target = suggestion["column"]
            clean = cleaned(dataset.table, target, dataset.schema)
            others = {t["column"] for t in dataset.suggested_targets} - {target}
            clean = clean.drop(columns=[c for c in others if c in clean.columns])
            yield info.id, target, clean
    path = REALDATA / "arbres_urbains_sgl.csv"
    if path.exists() and (not wanted or "arbres" in wanted):
        frame = read_table(path.read_bytes(), path.name).frame
        yield (
            "arbres (réel)",
            "classification_diagnostic",
            cleaned(frame, "classification_diagnostic"),
        )


def reference_score(clean, target, comparison) -> float:
    """Gradient boosting tuned by grid search on the same development rows and folds."""
    kinds = problem.column_kinds(clean, comparison.features)
    dev = comparison.split.dev(clean)
    X = problem.prepare_features(dev, kinds)
    y = problem.target_values(dev[target]).to_numpy()
    pipeline = catalogue.make_pipeline("boosting", comparison.task.kind, kinds)
    search = GridSearchCV(
        pipeline,
        GRID,
        cv=problem.cv_folds(comparison.plan),
        scoring="accuracy" if comparison.metric == "accuracy" else "r2",
        n_jobs=1,
    )
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        search.fit(X, y)
    return float(search.best_score_)


def one_model(clean, target, comparison, key):
    trained = learning.train(clean, target, comparison.features, key, split=comparison.split)
    return learning.evaluate(trained, clean, comparison.split)


def main() -> int:
    header = (
        f"{'jeu':<16} {'cible':<26} {'lignes':>6} {'mesure':>8} {'tableau s':>9} {'(cpu)':>6} "
        f"{'1 modèle s':>10} {'(lent)':<10} {'meilleur':<22} {'score':>6} {'réf.':>6} "
        f"{'écart':>6}  objectifs"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    for name, target, clean in cases():
        comparison, table_s, table_cpu = timed(partial(learning.compare, clean, target))
        slowest, slowest_s = "", 0.0
        for key in catalogue.MODEL_KEYS:
            _, seconds, _ = timed(partial(one_model, clean, target, comparison, key))
            if seconds > slowest_s:
                slowest, slowest_s = key, seconds
        best = comparison.best()
        reference = reference_score(clean, target, comparison)
        gap = 100 * (reference - best.score)
        checks = [
            "tableau OK" if table_s <= GOAL_TABLE_S else "tableau FIX",
            "modèle OK" if slowest_s <= GOAL_MODEL_S else "modèle FIX",
            "score OK" if gap <= GOAL_GAP_POINTS else "score FIX",
        ]
        failures += sum("FIX" in c for c in checks)
        print(
            f"{name:<16} {target[:26]:<26} {len(clean):>6} {comparison.metric:>8} "
            f"{table_s:>9.2f} {table_cpu:>6.2f} {slowest_s:>10.2f} {slowest:<10} "
            f"{best.name[:22]:<22} {100 * best.score:>6.1f} {100 * reference:>6.1f} "
            f"{gap:>+6.1f}  {', '.join(checks)}",
            flush=True,
        )
    print()
    print(
        f"Objectifs : tableau ≤ {GOAL_TABLE_S:g} s, un modèle ≤ {GOAL_MODEL_S:g} s, "
        f"meilleur score à moins de {GOAL_GAP_POINTS:g} points de la référence."
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
