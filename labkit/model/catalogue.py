"""The models module 05 compares, and what they share (module 05).

- the preprocessing every model gets (:func:`build_preprocessor`), and its output columns traced
  back to the person's columns (:func:`output_columns`);
- the catalogue of models, from the baseline to the formula model, with the complexity setting of
  each (:data:`MODELS`, :func:`make_pipeline`);
- the score they are compared on (:data:`METRICS`, :func:`score`).

Models are sklearn pipelines ``prep`` (imputation, scaling, one-hot) then ``model``.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from labkit import messages
from labkit.model.formula import FORMULA_TERMS, FormulaClassifier, FormulaRegressor
from labkit.model.problem import CLASSIFICATION, REGRESSION, ColumnKinds

ONE_HOT_MAX = 30  # rarer categories are grouped as "infrequent"
MISSING_CATEGORY = messages.text("learning.value_missing")
INFREQUENT = "infrequent_sklearn"

Progress = Callable[[float, str], None]


def single_threaded(function: Callable) -> Callable:
    """Run ``function`` with native thread pools (OpenMP, BLAS) limited to one thread: on a shared
    workshop server, several kernels training at once would otherwise fight for the cores (gradient
    boosting gets tens of times slower)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return wrapper


# Warnings that tell a learner nothing they could act on, silenced where the models are fitted and
# used. Each is named by its category and message: any other warning still shows.
EXPECTED_WARNINGS: tuple[tuple[type[Warning], str], ...] = (
    # The linear model (LogisticRegression) stopping at max_iter on a hard table: the scores
    # measure the model as it stopped, which is the model the learner examines.
    (ConvergenceWarning, "lbfgs failed to converge"),
)


@contextlib.contextmanager
def expected_warnings_silenced():
    """Silence :data:`EXPECTED_WARNINGS`, and only them, inside the block."""
    with warnings.catch_warnings():
        for category, message in EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


# =============================================================== preprocessing
def build_preprocessor(kinds: ColumnKinds) -> ColumnTransformer:
    """Numbers: missing → median, then standardised. Text: missing → its own category, then one
    column per value (rare values grouped; a value never seen is ignored)."""
    parts = []
    if kinds.numeric_all:
        parts.append(
            (
                "num",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                        ("scale", StandardScaler()),
                    ]
                ),
                list(kinds.numeric_all),
            )
        )
    if kinds.categorical:
        parts.append(
            (
                "cat",
                Pipeline(
                    [
                        (
                            "impute",
                            SimpleImputer(
                                strategy="constant",
                                fill_value=MISSING_CATEGORY,
                                keep_empty_features=True,
                            ),
                        ),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="infrequent_if_exist",
                                max_categories=ONE_HOT_MAX,
                                sparse_output=False,
                            ),
                        ),
                    ]
                ),
                list(kinds.categorical),
            )
        )
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


@dataclass(frozen=True)
class OutputColumn:
    """One column the models see, traced back to the person's column."""

    column: str
    kind: str  # "numeric" or "category"
    category: str | None = None  # for a one-hot column; INFREQUENT for grouped rare values
    others: tuple = ()  # the column's other categories (one-hot)
    mean: float = 0.0
    scale: float = 1.0
    fill: Any = None  # the value that replaces a missing one


def output_columns(prep: ColumnTransformer) -> list[OutputColumn]:
    """The fitted preprocessor's output columns, each traced back to its original column."""
    out: list[OutputColumn] = []
    for name, transformer, columns in prep.transformers_:
        if name == "num":
            impute, scale = transformer.named_steps["impute"], transformer.named_steps["scale"]
            for i, column in enumerate(columns):
                out.append(
                    OutputColumn(
                        column,
                        "numeric",
                        mean=float(scale.mean_[i]),
                        scale=float(scale.scale_[i]),
                        fill=float(impute.statistics_[i]),
                    )
                )
        elif name == "cat":
            onehot = transformer.named_steps["onehot"]
            infrequent = getattr(onehot, "infrequent_categories_", None) or [None] * len(columns)
            for i, column in enumerate(columns):
                rare = set() if infrequent[i] is None else {str(v) for v in infrequent[i]}
                shown = [str(c) for c in onehot.categories_[i] if str(c) not in rare]
                if rare:
                    shown.append(INFREQUENT)
                for category in shown:
                    others = tuple(c for c in shown if c != category)
                    out.append(OutputColumn(column, "category", category=category, others=others))
    return out


# ================================================================== the models
@dataclass(frozen=True)
class Setting:
    """A complexity setting of a model, from simple to complex."""

    param: str
    values: tuple
    default: Any
    extra: tuple = ()  # other parameters set along the curve, e.g. (("min_samples_leaf", 1),)

    @property
    def label(self) -> str:
        return messages.text(f"learning.setting_{self.param}")


@dataclass(frozen=True)
class ModelSpec:
    key: str
    classifier: Callable[[], BaseEstimator]
    regressor: Callable[[], BaseEstimator]
    setting: Setting | None = None
    readable: bool = False

    def name(self, task: str) -> str:
        if self.key == "linear":
            return messages.text(f"learning.model_linear_{task}")
        return messages.text(f"learning.model_{self.key}")

    def description(self, task: str, **fields) -> str:
        if self.key == "baseline":
            return messages.text(f"learning.model_baseline_{task}", **fields)
        if self.key == "formula":
            return messages.text("learning.model_formula_text", terms=FORMULA_TERMS)
        return messages.text(f"learning.model_{self.key}_text")

    def estimator(self, task: str, **params) -> BaseEstimator:
        estimator = self.classifier() if task == CLASSIFICATION else self.regressor()
        if params:
            if task == REGRESSION and "C" in params:  # Ridge uses alpha = 1 / C
                params = {"alpha": 1.0 / params.pop("C"), **params}
            estimator.set_params(**params)
        return estimator


MODELS: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec(
            "baseline",
            lambda: DummyClassifier(strategy="most_frequent"),
            lambda: DummyRegressor(strategy="mean"),
        ),
        ModelSpec(
            "tree",
            lambda: DecisionTreeClassifier(max_depth=5, min_samples_leaf=5, random_state=0),
            lambda: DecisionTreeRegressor(max_depth=5, min_samples_leaf=5, random_state=0),
            Setting("max_depth", tuple(range(1, 16)), 5, (("min_samples_leaf", 1),)),
            readable=True,
        ),
        ModelSpec(
            "linear",
            lambda: LogisticRegression(C=1.0, max_iter=1000),
            lambda: Ridge(alpha=1.0),
            Setting("C", (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0), 1.0),
        ),
        ModelSpec(
            "knn",
            lambda: KNeighborsClassifier(n_neighbors=15),
            lambda: KNeighborsRegressor(n_neighbors=15),
            Setting("n_neighbors", (100, 60, 40, 25, 15, 10, 7, 5, 3, 2, 1), 15),
        ),
        ModelSpec(
            "forest",
            lambda: RandomForestClassifier(
                n_estimators=30, min_samples_leaf=2, n_jobs=1, random_state=0
            ),
            lambda: RandomForestRegressor(
                n_estimators=30, min_samples_leaf=2, max_features=0.5, n_jobs=1, random_state=0
            ),
            Setting(
                "max_depth", (1, 2, 3, 4, 6, 8, 10, 14, 20, None), None, (("min_samples_leaf", 1),)
            ),
        ),
        ModelSpec(
            "boosting",
            lambda: HistGradientBoostingClassifier(
                max_iter=60, learning_rate=0.1, max_leaf_nodes=8, max_bins=32, random_state=0
            ),
            lambda: HistGradientBoostingRegressor(
                max_iter=60, learning_rate=0.1, max_leaf_nodes=8, max_bins=32, random_state=0
            ),
            Setting("max_iter", (1, 3, 5, 10, 20, 40, 60, 100, 200, 400), 60),
        ),
        ModelSpec(
            "formula",
            lambda: FormulaClassifier(),
            lambda: FormulaRegressor(),
            Setting("max_terms", tuple(range(1, 11)), FORMULA_TERMS),
            readable=True,
        ),
    )
}
MODEL_KEYS = tuple(k for k in MODELS if k != "baseline")
DEFAULT_MODEL = "tree"  # the model module 06 trains when the learner saved none


def model_spec(key: str) -> ModelSpec:
    try:
        return MODELS[key]
    except KeyError:
        raise messages.error("learning.unknown_model", key=key, keys=", ".join(MODELS)) from None


def make_pipeline(key: str, task: str, kinds: ColumnKinds, **params) -> Pipeline:
    """The preprocessor followed by model ``key`` (with ``params`` overriding its settings)."""
    return Pipeline(
        [("prep", build_preprocessor(kinds)), ("model", model_spec(key).estimator(task, **params))]
    )


# ====================================================================== scores
METRICS = {CLASSIFICATION: "accuracy", REGRESSION: "r2"}


def metric_label(metric: str) -> str:
    return messages.text(f"learning.metric_{metric}")


def metric_help(metric: str) -> str:
    return messages.text(f"learning.metric_{metric}_help")


def score(metric: str, actual, predicted) -> float:
    """The comparison score, higher is better: accuracy, or R²."""
    if metric == "accuracy":
        return float(accuracy_score(actual, predicted))
    if metric == "r2":
        return float(r2_score(actual, predicted))
    if metric == "neg_mae":
        return -float(mean_absolute_error(actual, predicted))
    raise messages.error("learning.unknown_metric", metric=metric)
