"""Train and evaluate models honestly on small tables (module 05).

The flow, in plain values::
    task = detect_task(frame[target])                 # classification or regression, explained
    features, excluded = default_features(frame, target)
    comparison = compare(frame, target, features, progress=callback)
    comparison.table()                                # name, score, std, seconds (higher is better)
    trained = train(frame, target, features, "tree", split=comparison.split)
    result = evaluate(trained, frame, comparison.split)   # metrics on the held-out test set

The task, the checks of a choice and the evaluation plan are in :mod:`labkit.model.problem`, the models
in :mod:`labkit.model.catalogue`, the complexity and learning curves in :mod:`labkit.model.curves`.
Every impossible choice raises a :class:`~labkit.errors.DatalabError` with a French message
(:func:`labkit.model.problem.check_choice`). Evaluation is honest: a test set is put aside first;
models are compared by (repeated, stratified where it fits) cross-validation on the rest; a score on
the training rows is only ever shown next to the test score, to show overfitting
(:func:`labkit.model.curves.complexity_curve`).
"""

from __future__ import annotations

import math
import os
import queue
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from labkit import messages
from labkit.errors import DatalabError
from labkit.model.catalogue import (
    METRICS,
    MODEL_KEYS,
    MODELS,
    Progress,
    build_preprocessor,
    expected_warnings_silenced,
    make_pipeline,
    metric_label,
    model_spec,
    score,
    single_threaded,
)
from labkit.model.display import format_score, format_value, number, percent
from labkit.model.problem import (
    CLASSIFICATION,
    ColumnKinds,
    EvaluationPlan,
    Split,
    Task,
    check_choice,
    column_kinds,
    cv_folds,
    default_features,
    model_data,
    plain,
    plan_evaluation,
    prepare_features,
    sorted_classes,
    split_data,
    target_values,
)
from labkit.prepare.recipe import Recipe
from labkit.roomcache import shared

# =========================================================== suspicious scores
# « Presque parfait » from 0.95 (accuracy or R²). It was 0.98, which let through a real file
# whose overall index is the maximum of five sub-indices (97.8 % accuracy). On the bundled
# datasets and the real files tried, honest models score at most 0.88 (benchmarks/
# bench_learning.py), so 0.95 leaves a wide margin for them while catching the leaks seen.
# A class target the majority class already guesses 95 % of the time is not « presque parfait »
# at 95 %: the model must also make at most half the baseline's errors.
SUSPICIOUS_SCORE = NEAR_PERFECT = 0.95
NEAR_PERFECT_ERRORS = 0.5  # at most this share of the baseline's errors


def near_perfect(score: float, baseline: float) -> bool:
    """A score (accuracy or R², higher is better) that real data almost never gives honestly:
    at least :data:`NEAR_PERFECT`, with at most half the errors of the baseline."""
    return score >= NEAR_PERFECT and (1 - score) <= NEAR_PERFECT_ERRORS * (1 - baseline)


def suspicious_score(comparison: Comparison, leaks: Sequence[str] = ()) -> str | None:
    """A plain French warning when the best model is nearly perfect: in real data, this almost
    always means some columns give the answer away. ``leaks``: columns the quality report names."""
    best = comparison.best()
    if not near_perfect(best.score, comparison.baseline.score):
        return None
    if not comparison.beats_baseline(best):
        return None
    shown = format_score(best.score, comparison.metric)
    if leaks:
        columns = ", ".join(f"« {c} »" for c in leaks)
        return messages.text(
            "learning.suspicious_with", name=best.name, score=shown, columns=columns
        )
    return messages.text("learning.suspicious", name=best.name, score=shown)


# ================================================================== comparison
@dataclass
class ModelScore:
    key: str
    name: str
    description: str
    scores: list[float]
    seconds: float

    @property
    def score(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores))

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "score": round(self.score, 4),
            "std": round(self.std, 4),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Comparison:
    """All models evaluated on the same cross-validation folds of the development rows."""

    task: Task
    metric: str
    target: str
    features: list[str]
    plan: EvaluationPlan
    split: Split
    baseline: ModelScore
    models: list[ModelScore]
    excluded: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def metric_label(self) -> str:
        return metric_label(self.metric)

    def ranked(self) -> list[ModelScore]:
        return sorted(self.models, key=lambda m: m.score, reverse=True)

    def best(self) -> ModelScore:
        return self.ranked()[0]

    def get(self, key: str) -> ModelScore:
        for model in [self.baseline, *self.models]:
            if model.key == key:
                return model
        raise messages.error("learning.unknown_model", key=key, keys=", ".join(MODELS))

    def beats_baseline(self, model: ModelScore | None = None) -> bool:
        """Clearly better: by more than the spread of the baseline and of the model, and by at
        least 2 points."""
        model = model or self.best()
        margin = max(0.02, model.std, self.baseline.std)
        return model.score - self.baseline.score > margin

    def table(self) -> pd.DataFrame:
        """One row per model (baseline first), best first after it."""
        rows = [m.to_dict() for m in [self.baseline, *self.ranked()]]
        return pd.DataFrame(rows, columns=["key", "name", "score", "std", "seconds"])

    def summary(self) -> str:
        best = self.best()
        if not self.beats_baseline(best):
            return messages.text(
                "learning.best_no_better",
                baseline=format_score(self.baseline.score, self.metric),
            )
        return messages.text(
            "learning.best_beats_baseline",
            name=best.name,
            score=format_score(best.score, self.metric),
            std=format_score(best.std, self.metric),
            baseline=format_score(self.baseline.score, self.metric),
        )

    def to_dict(self) -> dict:
        return {
            "task": self.task.kind,
            "metric": self.metric,
            "target": self.target,
            "features": list(self.features),
            "evaluation": self.plan.to_dict(),
            "baseline": self.baseline.to_dict(),
            "models": [m.to_dict() for m in self.models],
        }


# Models slower to learn than the others, slowest first: given to the workers first.
SLOW_MODELS = ("forest", "boosting")


def compare_workers() -> int:
    """Threads that learn the models of a comparison side by side: the cores this process may
    use, at most 2 (a workshop server runs one kernel per learner; each model stays
    single-threaded)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def _next_fold(folds_done: queue.SimpleQueue, futures) -> str:
    """The key of the model that learnt its next fold; a model that failed raises its error."""
    while True:
        try:
            return folds_done.get(timeout=0.2)
        except queue.Empty:
            for future in futures:
                if future.done():
                    future.result()  # raises the model's error, if it failed


@shared()
@single_threaded
def compare(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    plan: EvaluationPlan | None = None,
    metric: str | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Evaluate the baseline and every model on the same cross-validation of the development
    rows (the test rows stay aside). ``progress(fraction, message)`` is called as it goes."""
    excluded: list[tuple[str, str]] = []
    if features is None:
        features, excluded = default_features(frame, target)
    features = list(features)
    task = check_choice(frame, target, features)
    plan = plan or plan_evaluation(frame, target, task)
    metric = metric or METRICS[task.kind]
    split = split_data(frame, target, plan)
    kinds = column_kinds(frame, features)
    dev = split.dev(frame)
    X, y = model_data(dev, target, kinds)
    folds = list(cv_folds(plan).split(X, y if plan.stratified else None))
    if task.is_classification:  # integer codes: same scores, much faster checks in sklearn
        y = pd.factorize(pd.Series(y), sort=True)[0]
    keys = ["baseline", *(models or MODEL_KEYS)]
    for key in keys:
        model_spec(key)
    majority = (
        format_value(target_values(dev[target]).mode().iloc[0]) if task.is_classification else ""
    )
    started = time.perf_counter()
    # The preprocessing is the same for every model: fit it once per fold (on that fold's
    # training rows only), then every model learns from the same prepared arrays.
    prepared, prep_seconds = [], 0.0
    for train_idx, valid_idx in folds:
        t0 = time.perf_counter()
        prep = build_preprocessor(kinds)
        with expected_warnings_silenced():
            x_train = prep.fit_transform(X.iloc[train_idx])
            x_valid = prep.transform(X.iloc[valid_idx])
        prepared.append((x_train, y[train_idx], x_valid, y[valid_idx]))
        prep_seconds += time.perf_counter() - t0
    total = len(keys) * len(folds)
    names = {key: MODELS[key].name(task.kind) for key in keys}
    labels = {
        key: messages.text(
            "learning.compare_progress", index=index + 1, total=len(keys), name=names[key]
        )
        for index, key in enumerate(keys)
    }
    descriptions = {key: MODELS[key].description(task.kind, majority=majority) for key in keys}
    folds_done: queue.SimpleQueue = queue.SimpleQueue()  # a model's key per fold learnt

    def evaluate_model(key: str) -> ModelScore:
        """Model ``key`` learnt and scored on every fold (in a worker thread, whose OpenMP pool
        is limited to one thread as the caller's is: a thread starts with all the cores)."""
        spec = MODELS[key]
        scores = []
        t0 = time.perf_counter()
        with threadpool_limits(limits=1, user_api="openmp"):
            for x_train, y_train, x_valid, y_valid in prepared:
                estimator = spec.estimator(task.kind)
                estimator.fit(x_train, y_train)
                scores.append(score(metric, y_valid, estimator.predict(x_valid)))
                folds_done.put(key)
        seconds = time.perf_counter() - t0 + prep_seconds
        return ModelScore(key, names[key], descriptions[key], scores, seconds)

    if progress:
        progress(0.0, labels[keys[0]])
    # The models learn side by side on the machine's cores (each one single-threaded); the
    # progress is told here, in the caller's thread, as each fold ends; the scores are the same
    # as one model after the other.
    with (
        expected_warnings_silenced(),
        ThreadPoolExecutor(compare_workers(), thread_name_prefix="compare") as pool,
    ):
        # the slowest first, so that the last to end is a quick one
        order = sorted(keys, key=lambda k: SLOW_MODELS.index(k) if k in SLOW_MODELS else 99)
        futures = {key: pool.submit(evaluate_model, key) for key in order}
        for done in range(1, total + 1):
            key = _next_fold(folds_done, futures.values())
            if progress:
                progress(done / total, labels[key])
        results = [futures[key].result() for key in keys]
    seconds = time.perf_counter() - started
    if progress:
        progress(1.0, messages.text("learning.compare_done", seconds=number(seconds, 2)))
    return Comparison(
        task, metric, target, features, plan, split, results[0], results[1:], excluded, seconds
    )


# =========================================================== one trained model
@dataclass
class TrainedModel:
    """A fitted pipeline with what is needed to use it on new rows."""

    pipeline: Pipeline
    key: str
    name: str
    target: str
    features: list[str]
    task: str
    kinds: ColumnKinds
    classes: list = field(default_factory=list)
    metric: str = "accuracy"
    recipe: dict | None = None
    params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)  # cross-validation and test scores, ranges…

    @property
    def is_classification(self) -> bool:
        return self.task == CLASSIFICATION

    @property
    def positive(self):
        return Task(self.task, "", tuple(self.classes)).positive

    @property
    def family(self) -> str:
        """« binary », « multiclass » or « regression » (:attr:`labkit.model.problem.Task.family`)."""
        return Task(self.task, "", tuple(self.classes)).family

    def metrics_reading(self) -> str:
        """How to read this model's metrics, in French, in the words of its task (module 05)."""
        return messages.text(
            f"learning.metrics_reading_{self.family}",
            positive=format_value(self.positive) if self.positive is not None else "",
        )

    def clean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply module 04's recipe (the cleaning the training table went through)."""
        if not self.recipe:
            return frame

        try:
            return Recipe.from_dict(self.recipe).apply(frame)
        except DatalabError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the recipe becomes a message
            raise messages.error("learning.recipe_failed", detail=str(exc)[:200]) from exc

    def inputs(self, frame: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame:
        """The model's input for ``frame`` (cleaned first when ``raw``)."""
        if raw:
            frame = self.clean(frame)
        missing = [c for c in self.features if c not in frame.columns]
        if missing:
            raise messages.error("learning.missing_features", columns=", ".join(missing))
        return prepare_features(frame, self.kinds)

    def predict(self, frame: pd.DataFrame, *, raw: bool = False) -> np.ndarray:
        with expected_warnings_silenced(), threadpool_limits(limits=1):
            return self.pipeline.predict(self.inputs(frame, raw=raw))

    def predict_proba(self, frame: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame | None:
        """Probabilities per class (columns), or ``None`` for a regression."""
        if not self.is_classification or not hasattr(self.pipeline, "predict_proba"):
            return None
        with expected_warnings_silenced(), threadpool_limits(limits=1):
            proba = self.pipeline.predict_proba(self.inputs(frame, raw=raw))
        return pd.DataFrame(proba, columns=list(self.pipeline.classes_), index=frame.index)


def feature_profile(frame: pd.DataFrame, kinds: ColumnKinds) -> dict:
    """What a form needs to ask for one row: for numbers min/max/median, for text the values
    seen (most frequent first), for dates the range, for yes/no nothing more."""
    profile: dict[str, dict] = {}
    for column in kinds.numeric:
        values = pd.to_numeric(frame[column], errors="coerce").dropna()
        integral = bool(len(values)) and bool(np.all(np.isclose(values, np.round(values))))
        profile[column] = {
            "kind": "numeric",
            "min": float(values.min()) if len(values) else None,
            "max": float(values.max()) if len(values) else None,
            "median": float(values.median()) if len(values) else None,
            "integer": integral,
        }
    for column in kinds.dates:
        stamps = pd.to_datetime(frame[column], errors="coerce").dropna()
        profile[column] = {
            "kind": "date",
            "min": stamps.min().date().isoformat() if len(stamps) else None,
            "max": stamps.max().date().isoformat() if len(stamps) else None,
            "median": stamps.sort_values().iloc[len(stamps) // 2].date().isoformat()
            if len(stamps)
            else None,
        }
    for column in kinds.booleans:
        profile[column] = {"kind": "boolean"}
    for column in kinds.categorical:
        counts = frame[column].dropna().astype(str).value_counts()
        profile[column] = {"kind": "category", "categories": [str(v) for v in counts.index[:100]]}
    return profile


@shared(ignore=())
@single_threaded
def train(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    key: str,
    *,
    split: Split | None = None,
    recipe: dict | None = None,
    metric: str | None = None,
    **params,
) -> TrainedModel:
    """Fit model ``key`` on the development rows of ``split`` (all rows when ``split`` is None)."""
    features = list(features)
    task = check_choice(frame, target, features)
    spec = model_spec(key)
    kinds = column_kinds(frame, features)
    rows = split.dev(frame) if split is not None else frame
    X, y = model_data(rows, target, kinds)
    pipeline = make_pipeline(key, task.kind, kinds, **params)
    with expected_warnings_silenced():
        pipeline.fit(X, y)
    return TrainedModel(
        pipeline=pipeline,
        key=key,
        name=spec.name(task.kind),
        target=target,
        features=features,
        task=task.kind,
        kinds=kinds,
        classes=[plain(v) for v in task.classes],
        metric=metric or METRICS[task.kind],
        recipe=recipe,
        params=dict(params),
        info={"profile": feature_profile(rows, kinds), "train_rows": len(rows)},
    )


# ===================================================================== metrics
@dataclass
class ClassificationResult:
    """Metrics of a classification on the held-out test rows."""

    labels: list
    actual: pd.Series  # indexed by the original row labels
    predicted: pd.Series
    accuracy: float
    precision: float
    recall: float
    f1: float
    positive: Any  # the value precision/recall are about (None: averaged over classes)
    matrix: np.ndarray  # rows = actual, columns = predicted, in ``labels`` order
    explanations: list[str]
    score: float
    metric: str

    def cell_rows(self, actual, predicted) -> list:
        """Row labels (``frame.index``) of one cell of the confusion matrix."""
        mask = (self.actual.astype(str) == str(actual)) & (
            self.predicted.astype(str) == str(predicted)
        )
        return self.actual.index[mask].tolist()

    def cells(self) -> list[dict]:
        """Every cell with its count and rows, in reading order."""
        out = []
        for i, actual in enumerate(self.labels):
            for j, predicted in enumerate(self.labels):
                out.append(
                    {
                        "actual": actual,
                        "predicted": predicted,
                        "count": int(self.matrix[i, j]),
                        "right": i == j,
                        "rows": self.cell_rows(actual, predicted),
                    }
                )
        return out

    def per_class(self) -> pd.DataFrame:
        """One row per class: the value, its test rows, then its precision, recall and F1 (the
        last three columns are rates)."""
        actual, predicted = self.actual.astype(str), self.predicted.astype(str)

        def rate(metric, key: str) -> float:
            return metric(actual, predicted, labels=[key], average="macro", zero_division=np.nan)

        rows = [
            [
                format_value(label),
                int((actual == str(label)).sum()),
                rate(precision_score, str(label)),
                rate(recall_score, str(label)),
                rate(f1_score, str(label)),
            ]
            for label in self.labels
        ]
        columns = ("value", "rows", "precision", "recall", "f1")
        return pd.DataFrame(
            rows, columns=[messages.text(f"learning.per_class_{c}") for c in columns]
        )

    def to_dict(self) -> dict:
        """The figures worth keeping with a saved model (JSON-able)."""
        return {
            "metric": self.metric,
            "score": self.score,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "positive": plain(self.positive),
            "labels": [format_value(v) for v in self.labels],
            "matrix": np.asarray(self.matrix).tolist(),
            "rows": int(len(self.actual)),
        }


@dataclass
class RegressionResult:
    actual: pd.Series
    predicted: pd.Series
    mae: float
    rmse: float
    r2: float
    explanations: list[str]
    score: float
    metric: str

    def residuals(self) -> pd.Series:
        return self.predicted - self.actual

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "score": self.score,
            "mae": self.mae,
            "rmse": self.rmse,
            "r2": self.r2,
            "rows": int(len(self.actual)),
        }


@single_threaded
def evaluate(
    trained: TrainedModel, frame: pd.DataFrame, split: Split
) -> ClassificationResult | RegressionResult:
    """The model's metrics on the held-out test rows of ``split``, explained with those rows."""
    test = split.test(frame)
    actual = pd.Series(target_values(test[trained.target]).to_numpy(), index=test.index)
    predicted = pd.Series(trained.predict(test), index=test.index)
    if trained.is_classification:
        return classification_result(actual, predicted, trained.classes, trained.metric)
    return regression_result(actual, predicted, trained.target, trained.metric)


def classification_result(
    actual: pd.Series, predicted: pd.Series, classes: Sequence, metric: str = "accuracy"
) -> ClassificationResult:
    labels = list(classes) or list(sorted_classes(actual))
    keys = [str(v) for v in labels]
    a, p = actual.astype(str), predicted.astype(str)
    matrix = confusion_matrix(a, p, labels=keys)
    total, right = len(a), int((a == p).sum())
    accuracy = right / total if total else float("nan")
    explanations = [
        messages.text("learning.explain_accuracy", total=total, right=right, rate=percent(accuracy))
    ]
    positive = Task(CLASSIFICATION, "", tuple(labels)).positive
    if positive is not None:
        pk = str(positive)
        label = format_value(positive)
        precision = precision_score(a, p, pos_label=pk, average="binary", zero_division=np.nan)
        recall = recall_score(a, p, pos_label=pk, average="binary", zero_division=np.nan)
        f1 = f1_score(a, p, pos_label=pk, average="binary", zero_division=0.0)
        n_pred, n_actual = int((p == pk).sum()), int((a == pk).sum())
        hits = int(((p == pk) & (a == pk)).sum())
        if n_pred:
            explanations.append(
                messages.text(
                    "learning.explain_precision",
                    label=label,
                    rate=percent(precision),
                    right=hits,
                    predicted=n_pred,
                )
            )
        else:
            explanations.append(messages.text("learning.explain_precision_none", label=label))
        explanations.append(
            messages.text(
                "learning.explain_recall",
                actual=n_actual,
                label=label,
                right=hits,
                rate=percent(recall),
            )
        )
    else:
        precision = precision_score(a, p, labels=keys, average="macro", zero_division=0.0)
        recall = recall_score(a, p, labels=keys, average="macro", zero_division=0.0)
        f1 = f1_score(a, p, labels=keys, average="macro", zero_division=0.0)
        explanations.append(messages.text("learning.explain_macro", count=len(labels)))
    explanations.append(messages.text("learning.explain_f1", f1=number(f1, 2)))
    return ClassificationResult(
        labels=labels,
        actual=actual,
        predicted=predicted,
        accuracy=float(accuracy),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        positive=positive,
        matrix=matrix,
        explanations=explanations,
        score=score(metric, a, p) if metric == "accuracy" else float(accuracy),
        metric=metric,
    )


def regression_result(
    actual: pd.Series, predicted: pd.Series, target: str, metric: str = "r2"
) -> RegressionResult:
    actual = actual.astype(float)
    predicted = predicted.astype(float)
    mae = float(mean_absolute_error(actual, predicted))
    rmse = float(math.sqrt(mean_squared_error(actual, predicted)))
    r2 = float(r2_score(actual, predicted)) if len(actual) > 1 else float("nan")
    reading = messages.text(
        "learning.r2_good" if r2 >= 0.5 else "learning.r2_weak" if r2 > 0.05 else "learning.r2_none"
    )
    explanations = [
        messages.text("learning.explain_mae", mae=number(mae, 3), target=target),
        messages.text("learning.explain_rmse", rmse=number(rmse, 3)),
        messages.text("learning.explain_r2", r2=number(r2, 2), reading=reading),
    ]
    return RegressionResult(
        actual, predicted, mae, rmse, r2, explanations, score(metric, actual, predicted), metric
    )


def test_summary(trained: TrainedModel, result) -> str:
    return messages.text(
        "learning.test_score_text",
        name=trained.name,
        score=format_score(result.score, trained.metric),
        metric=metric_label(trained.metric),
    )
