"""Complexity and learning curves (module 05): scores on the rows learnt and on validation rows.

A score on the rows a model learnt from is only ever shown next to the validation score, to show
overfitting (:func:`complexity_curve`) or whether more rows would help (:func:`learning_curve`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from labkit import messages
from labkit.model.catalogue import (
    METRICS,
    Progress,
    build_preprocessor,
    expected_warnings_silenced,
    make_pipeline,
    model_spec,
    score,
    single_threaded,
)
from labkit.model.problem import (
    ColumnKinds,
    EvaluationPlan,
    Split,
    Task,
    check_choice,
    column_kinds,
    model_data,
    plan_evaluation,
    split_data,
)
from labkit.roomcache import shared


# ====================================================================== curves
@dataclass
class Curve:
    """Train and validation scores along a setting (complexity) or a number of rows (learning).

    ``train`` is the score on the rows the model learnt from: shown only to reveal overfitting,
    never as the model's quality."""

    label: str
    values: list
    train: list[float]
    train_std: list[float]
    test: list[float]
    test_std: list[float]
    metric: str
    param: str = ""

    def best_index(self) -> int:
        return int(np.nanargmax(self.test))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "value": self.values,
                "train": self.train,
                "train_std": self.train_std,
                "test": self.test,
                "test_std": self.test_std,
            }
        )


def _curve_folds(plan: EvaluationPlan, y):
    cv = (
        StratifiedKFold(min(plan.folds, 5), shuffle=True, random_state=plan.random_state)
        if plan.stratified
        else KFold(min(plan.folds, 5), shuffle=True, random_state=plan.random_state)
    )
    return list(cv.split(np.zeros(len(y)), y if plan.stratified else None))


@dataclass
class _CurveRows:
    """The development rows a curve is computed on, as the models see them, and their folds."""

    plan: EvaluationPlan
    kinds: ColumnKinds
    X: pd.DataFrame
    y: np.ndarray
    metric: str
    folds: list


def _curve_rows(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    task: Task,
    plan: EvaluationPlan | None,
    split: Split | None,
) -> _CurveRows:
    plan = plan or plan_evaluation(frame, target, task)
    split = split or split_data(frame, target, plan)
    kinds = column_kinds(frame, list(features))
    X, y = model_data(split.dev(frame), target, kinds)
    return _CurveRows(plan, kinds, X, y, METRICS[task.kind], _curve_folds(plan, y))


def _fit_scores(pipeline, rows: _CurveRows, learnt, valid) -> tuple[float, float]:
    """The score on the rows learnt and on the validation rows, ``pipeline`` fitted on ``learnt``."""
    X, y = rows.X, rows.y
    with expected_warnings_silenced():
        pipeline.fit(X.iloc[learnt], y[learnt])
        return (
            score(rows.metric, y[learnt], pipeline.predict(X.iloc[learnt])),
            score(rows.metric, y[valid], pipeline.predict(X.iloc[valid])),
        )


def _prepared(rows: _CurveRows, learnt, valid) -> tuple:
    """The arrays a pipeline's model sees for one fold: the learnt rows as fitting the
    preprocessing gives them, then the learnt and the validation rows as it transforms them."""
    prep = build_preprocessor(rows.kinds)
    with expected_warnings_silenced():
        fitted = prep.fit_transform(rows.X.iloc[learnt], rows.y[learnt])
        return fitted, prep.transform(rows.X.iloc[learnt]), prep.transform(rows.X.iloc[valid])


def _fit_prepared(estimator, rows: _CurveRows, arrays: tuple, learnt, valid) -> tuple[float, float]:
    """:func:`_fit_scores` for a model alone, on a fold's prepared arrays (:func:`_prepared`)."""
    fitted, x_learnt, x_valid = arrays
    y = rows.y
    with expected_warnings_silenced():
        estimator.fit(fitted, y[learnt])
        return (
            score(rows.metric, y[learnt], estimator.predict(x_learnt)),
            score(rows.metric, y[valid], estimator.predict(x_valid)),
        )


def _curve(label: str, values: list, scores: list, metric: str, param: str) -> Curve:
    """A curve from the (learnt, validation) scores of every fold at each value."""
    learnt = [[pair[0] for pair in at_value] for at_value in scores]
    valid = [[pair[1] for pair in at_value] for at_value in scores]
    return Curve(
        label,
        values,
        [float(np.mean(s)) for s in learnt],
        [float(np.std(s)) for s in learnt],
        [float(np.mean(s)) for s in valid],
        [float(np.std(s)) for s in valid],
        metric,
        param,
    )


@shared()
@single_threaded
def complexity_curve(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    key: str,
    *,
    plan: EvaluationPlan | None = None,
    split: Split | None = None,
    values: Sequence | None = None,
    progress: Progress | None = None,
) -> Curve:
    """Scores on the rows learnt and on validation rows, along the model's complexity setting
    (cross-validation of the development rows)."""
    task = check_choice(frame, target, features)
    spec = model_spec(key)
    if spec.setting is None:
        raise messages.error("learning.no_complexity", name=spec.name(task.kind))
    rows = _curve_rows(frame, target, features, task, plan, split)
    setting = spec.setting
    values = list(values or setting.values)
    # Only the model's setting changes along the curve: the preprocessing of each fold is fitted
    # once (on that fold's learnt rows, as the pipeline would) and every value learns from the
    # same prepared arrays — the scores are those of the whole pipeline, at a fraction of the cost.
    prepared = [_prepared(rows, learnt, valid) for learnt, valid in rows.folds]
    scores = []
    for i, value in enumerate(values):
        at_value = []
        for (train_idx, valid_idx), arrays in zip(rows.folds, prepared, strict=True):
            params = {setting.param: value, **dict(setting.extra)}
            estimator = spec.estimator(task.kind, **params)
            if setting.param == "n_neighbors":
                estimator.set_params(n_neighbors=min(value, len(train_idx)))
            at_value.append(_fit_prepared(estimator, rows, arrays, train_idx, valid_idx))
        scores.append(at_value)
        if progress:
            progress((i + 1) / len(values), setting.label)
    return _curve(setting.label, values, scores, rows.metric, setting.param)


@shared()
@single_threaded
def learning_curve(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    key: str,
    *,
    plan: EvaluationPlan | None = None,
    split: Split | None = None,
    shares: Sequence[float] = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0),
    progress: Progress | None = None,
) -> Curve:
    """Validation score as the model learns from more rows: does the curve still rise (more data
    would help) or has it flattened?"""
    task = check_choice(frame, target, features)
    model_spec(key)
    rows = _curve_rows(frame, target, features, task, plan, split)
    rng = np.random.default_rng(rows.plan.random_state)
    sizes, scores = [], []
    for i, share in enumerate(shares):
        at_share, n_used = [], []
        for train_idx, valid_idx in rows.folds:
            n = max(int(round(share * len(train_idx))), 10)
            chosen = _subsample(train_idx, rows.y, n, rng, task.is_classification)
            pipeline = make_pipeline(key, task.kind, rows.kinds)
            if key == "knn":
                pipeline.set_params(model__n_neighbors=min(15, len(chosen)))
            at_share.append(_fit_scores(pipeline, rows, chosen, valid_idx))
            n_used.append(len(chosen))
        sizes.append(int(np.mean(n_used)))
        scores.append(at_share)
        if progress:
            progress((i + 1) / len(shares), "")
    return _curve(messages.text("learning.curve_rows"), sizes, scores, rows.metric, "rows")


def _subsample(indices: np.ndarray, y: np.ndarray, n: int, rng, stratified: bool) -> np.ndarray:
    """``n`` of ``indices``, keeping at least two rows of every class for a classification."""
    if n >= len(indices):
        return indices
    chosen = rng.choice(indices, size=n, replace=False)
    if stratified:
        extra = []
        for label in np.unique(y[indices]):
            have = int(np.sum(y[chosen] == label))
            if have < 2:
                pool = indices[(y[indices] == label) & ~np.isin(indices, chosen)]
                extra.extend(pool[: 2 - have].tolist())
        if extra:
            chosen = np.concatenate([chosen, np.array(extra, dtype=chosen.dtype)])
    return np.sort(chosen)
