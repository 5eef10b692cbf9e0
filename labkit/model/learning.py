"""Train and evaluate models honestly on small tables (module 05).

The flow, in plain values::

    task = detect_task(frame[target])                 # classification or regression, explained
    features, excluded = default_features(frame, target)
    comparison = compare(frame, target, features, progress=callback)
    comparison.table()                                # name, score, std, seconds (higher is better)
    trained = train(frame, target, features, "tree", split=comparison.split)
    result = evaluate(trained, frame, comparison.split)   # metrics on the held-out test set

Every impossible choice raises a :class:`~labkit.errors.DatalabError` with a French message
(:func:`check_choice`). Evaluation is honest: a test set is put aside first; models are compared by
(repeated, stratified where it fits) cross-validation on the rest; a score on the training rows is
only ever shown next to the test score, to show overfitting (:func:`complexity_curve`).

Models are sklearn pipelines ``prep`` (imputation, scaling, one-hot) then ``model``; the explicit
formula model (:class:`FormulaClassifier` / :class:`FormulaRegressor`) keeps few columns so that its
prediction is a formula a person can read (:func:`labkit.model.explain.formula`).
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from labkit import frenchfmt, messages

CLASSIFICATION = "classification"
REGRESSION = "regression"

MIN_ROWS = 30
MAX_CLASSES = 20
MAX_CATEGORIES = 200  # a text column with more distinct values cannot be used as categories
ONE_HOT_MAX = 30  # rarer categories are grouped as "infrequent"
INTEGER_CLASS_MAX = 10  # an integer target with at most this many values is a classification
FOLDS_RANGE = (2, 10)
TEST_SHARE_RANGE = (0.1, 0.5)
MAX_REPEATS = 10
FIT_BUDGET_ROWS = 2000  # repeats x development rows x (classes - 1) stays near this (speed)
FORMULA_TERMS = 5
MISSING_CATEGORY = "(vide)"
INFREQUENT = "infrequent_sklearn"
YES_VALUES = ("oui", "yes", "vrai", "true", "1", "o", "y")

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


# ============================================================================ formatting
def number(value: float, digits: int = 3) -> str:
    """A number written the French way (``0,83``, ``12 500``), ``digits`` significant digits,
    with a true minus sign; ``—`` for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return frenchfmt.number(value, digits).replace("-", "−")


def percent(value: float, decimals: int = 0) -> str:
    """``0.831`` → ``83 %`` (narrow no-break space before the sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{100 * float(value):.{decimals}f}".replace(".", ",").replace("-", "−")
    return f"{text}\u202f%"


def points(value: float, signed: bool = False) -> str:
    """A difference of rates in percentage points: ``0.18`` → ``18 points``, ``0.003`` →
    ``0,3 point`` (``+``/``−`` shown when ``signed``)."""
    amount = abs(100 * float(value))
    unit = "point" if amount < 2 else "points"
    sign = ("+" if value >= 0 else "−") if signed else ("−" if value < 0 else "")
    return f"{sign}{number(amount, 2)}\u00a0{unit}"


def format_score(value: float, metric: str) -> str:
    """A comparison score as a person reads it: a percentage for accuracy, a number for R²."""
    return percent(value, 1) if metric == "accuracy" else number(value, 2)


def format_value(value: Any) -> str:
    from labkit import frenchfmt  # dates the French way, as in every table

    if value is None:
        return "(vide)"
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if abs(int(value)) < 10000 else number(int(value), 12)
    if frenchfmt.is_date(value):
        return frenchfmt.date_text(value) or "(vide)"
    if isinstance(value, (float, np.floating)):
        return "(vide)" if math.isnan(value) else number(float(value), 4)
    return str(value)


# ============================================================================ the task
@dataclass(frozen=True)
class Task:
    """What kind of prediction the target asks for, with a plain-French explanation."""

    kind: str
    explanation: str
    classes: tuple = ()

    @property
    def is_classification(self) -> bool:
        return self.kind == CLASSIFICATION

    @property
    def positive(self):
        """For a two-class target, the value precision and recall are about (``oui`` if present,
        else the rarer one)."""
        if len(self.classes) != 2:
            return None
        for value in self.classes:
            if str(value).strip().lower() in YES_VALUES:
                return value
        return self.classes[1]


def _is_text(series: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(series)
        or pd.api.types.is_bool_dtype(series)
        or pd.api.types.is_datetime64_any_dtype(series)
    )


def target_values(series: pd.Series) -> pd.Series:
    """The target as the models see it: booleans as ``oui``/``non``, text as plain strings."""
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "oui", False: "non"}).astype(object)
    if _is_text(series) or isinstance(series.dtype, pd.CategoricalDtype):
        return series.map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    return series


def _sorted_classes(values: pd.Series) -> tuple:
    uniques = pd.unique(values.dropna())
    try:
        return tuple(sorted(uniques))
    except TypeError:
        return tuple(sorted(uniques, key=str))


def detect_task(series: pd.Series, target: str | None = None) -> Task:
    """Classification for categories (text, yes/no, a few integers), regression for numbers."""
    target = target or str(series.name)
    values = target_values(series).dropna()
    uniques = _sorted_classes(values)
    shown = ", ".join(f"« {format_value(v)} »" for v in uniques[:6]) + (
        ", …" if len(uniques) > 6 else ""
    )
    if _is_text(series) or pd.api.types.is_bool_dtype(series):
        text = messages.text(
            "learning.task_classification_text", target=target, count=len(uniques), values=shown
        )
        return Task(CLASSIFICATION, text, uniques)
    numeric = pd.to_numeric(values, errors="coerce")
    integral = bool(np.all(np.isclose(numeric, np.round(numeric))))
    if integral and len(uniques) <= INTEGER_CLASS_MAX:
        classes = tuple(int(v) for v in uniques)
        text = messages.text(
            "learning.task_classification_integers", target=target, count=len(uniques), values=shown
        )
        return Task(CLASSIFICATION, text, classes)
    text = messages.text(
        "learning.task_regression",
        target=target,
        low=number(numeric.min(), 4) if len(numeric) else "—",
        high=number(numeric.max(), 4) if len(numeric) else "—",
    )
    return Task(REGRESSION, text)


# ============================================================================ columns
@dataclass(frozen=True)
class ColumnKinds:
    """How each chosen column enters the models."""

    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # turned into decimal years, then numeric
    booleans: tuple[str, ...] = ()  # turned into 0/1, then numeric

    @property
    def numeric_all(self) -> tuple[str, ...]:
        """Columns the numeric branch receives (numbers, dates, yes/no)."""
        return self.numeric + self.dates + self.booleans

    def to_dict(self) -> dict:
        return {k: list(getattr(self, k)) for k in ("numeric", "categorical", "dates", "booleans")}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnKinds:
        return cls(
            **{k: tuple(data.get(k, ())) for k in ("numeric", "categorical", "dates", "booleans")}
        )


def column_kinds(frame: pd.DataFrame, features: Sequence[str]) -> ColumnKinds:
    numeric, categorical, dates, booleans = [], [], [], []
    for column in features:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            booleans.append(column)
        elif pd.api.types.is_datetime64_any_dtype(series):
            dates.append(column)
        elif pd.api.types.is_numeric_dtype(series):
            numeric.append(column)
        else:
            categorical.append(column)
    return ColumnKinds(tuple(numeric), tuple(categorical), tuple(dates), tuple(booleans))


def _decimal_year(series: pd.Series) -> pd.Series:
    stamp = pd.to_datetime(series, errors="coerce")
    if getattr(stamp.dt, "tz", None) is not None:
        stamp = stamp.dt.tz_localize(None)
    return stamp.dt.year + (stamp.dt.dayofyear - 1) / 365.25


def prepare_features(frame: pd.DataFrame, kinds: ColumnKinds) -> pd.DataFrame:
    """The model's input: dates as decimal years, yes/no as 0/1, numbers as floats, text as
    strings (missing values left as NaN for the pipeline's imputers)."""
    out = {}
    for column in kinds.numeric:
        out[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in kinds.dates:
        out[column] = _decimal_year(frame[column]).astype(float)
    for column in kinds.booleans:
        out[column] = (
            frame[column].map(lambda v: np.nan if pd.isna(v) else float(bool(v))).astype(float)
        )
    for column in kinds.categorical:
        out[column] = frame[column].map(lambda v: np.nan if pd.isna(v) else str(v)).astype(object)
    ordered = [c for c in frame.columns if c in out]
    return pd.DataFrame({c: out[c] for c in ordered}, index=frame.index)


def _same_information(a: pd.Series, b: pd.Series) -> bool:
    """True when ``a`` is ``b`` written another way: the same numbers up to a change of unit, or a
    one-to-one recoding of a few values (e.g. 1/0 for oui/non)."""
    numeric = pd.api.types.is_numeric_dtype
    if numeric(a) and numeric(b) and not pd.api.types.is_bool_dtype(a):
        both = pd.DataFrame({"a": a, "b": b}).dropna().astype(float)
        if len(both) > 2 and both["a"].std() > 0 and both["b"].std() > 0:
            if abs(np.corrcoef(both["a"], both["b"])[0, 1]) > 0.99999:
                return True
    n_a, n_b = _distinct(a), _distinct(b)
    if n_a < 2 or n_a != n_b or n_a > 0.5 * len(a):
        return False
    codes_a, _ = pd.factorize(a, use_na_sentinel=False)
    codes_b, _ = pd.factorize(b, use_na_sentinel=False)
    pairs = pd.DataFrame({"a": codes_a, "b": codes_b}).drop_duplicates()
    return len(pairs) == pairs["a"].nunique() == pairs["b"].nunique()


def _distinct(series: pd.Series) -> int:
    try:
        return int(series.nunique(dropna=True))
    except TypeError:
        return int(series.astype(str).nunique(dropna=True))


def default_features(frame: pd.DataFrame, target: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every usable column but the target, and the columns left aside with the reason why
    (identifiers and free text, constant or empty columns, copies of the target)."""
    features, excluded = [], []
    n_rows = max(len(frame), 1)
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        distinct = _distinct(series)
        if series.isna().all():
            excluded.append((column, messages.text("learning.excluded_empty")))
        elif distinct <= 1:
            excluded.append((column, messages.text("learning.excluded_constant")))
        elif _is_text(series) and (distinct > MAX_CATEGORIES or distinct > 0.5 * n_rows):
            excluded.append((column, messages.text("learning.excluded_identifier", count=distinct)))
        elif target in frame.columns and _same_information(series, frame[target]):
            excluded.append((column, messages.text("learning.excluded_copy")))
        else:
            features.append(column)
    return features, excluded


# ============================================================================ checks
def check_choice(frame: pd.DataFrame, target: str | None, features: Sequence[str] | None) -> Task:
    """Check that a model can be trained to predict ``target`` from ``features``; return the task.

    Raises a French :class:`DatalabError` for every impossible choice."""
    if frame is None or len(frame) == 0:
        raise messages.error("learning.no_rows")
    if not target:
        raise messages.error("learning.no_target")
    if target not in frame.columns:
        raise messages.error(
            "learning.target_missing_column",
            target=target,
            columns=", ".join(map(str, frame.columns[:30])),
        )
    series = frame[target]
    if pd.api.types.is_datetime64_any_dtype(series):
        raise messages.error("learning.target_is_date", target=target)
    missing = int(series.isna().sum())
    if missing == len(series):
        raise messages.error("learning.target_all_empty", target=target, rows=len(series))
    if missing:
        raise messages.error("learning.target_has_missing", target=target, count=missing)
    infinite = _infinite_count(series)
    if infinite:
        raise messages.error("learning.target_infinite", target=target, count=infinite)
    distinct = _distinct(series)
    if distinct <= 1:
        raise messages.error(
            "learning.target_one_value",
            target=target,
            value=f"« {format_value(series.iloc[0])} »",
        )
    task = detect_task(series, target)
    if task.is_classification and len(task.classes) > MAX_CLASSES:
        raise messages.error(
            "learning.target_too_many_classes",
            target=target,
            count=len(task.classes),
            max=MAX_CLASSES,
        )
    features = list(features or [])
    if not features:
        raise messages.error("learning.no_features")
    for column in features:
        if column == target:
            raise messages.error("learning.feature_is_target", column=column)
        if column not in frame.columns:
            raise messages.error("learning.feature_missing_column", column=column)
    for column in features:
        values = frame[column]
        if values.isna().all():
            raise messages.error("learning.feature_empty", column=column)
        infinite = _infinite_count(values)
        if infinite:
            raise messages.error("learning.feature_infinite", column=column, count=infinite)
        if _same_information(values, series):
            raise messages.error("learning.feature_copies_target", column=column, target=target)
        if _is_text(values):
            count = _distinct(values)
            if count > MAX_CATEGORIES:
                raise messages.error(
                    "learning.feature_too_many_values",
                    column=column,
                    count=count,
                    max=MAX_CATEGORIES,
                )
    return task


def _infinite_count(series: pd.Series) -> int:
    """How many values are infinite (« Infinity », « 1e400 » read as numbers): no model takes them."""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return 0
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return int(np.isinf(values).sum())


def check_cleaned(raw: pd.DataFrame, clean: pd.DataFrame, target: str | None) -> None:
    """When cleaning left no row, say why in French: the target column was empty in the file (not
    « the table is empty »), or the recipe removed every row."""
    if clean is None or len(clean) or raw is None or not len(raw):
        return
    if target and target in raw.columns and raw[target].isna().all():
        raise messages.error("learning.target_all_empty", target=target, rows=len(raw))
    raise messages.error("learning.cleaning_removed_all", rows=len(raw))


# ============================================================================ rare classes
OTHERS = "Autres"


def class_counts(frame: pd.DataFrame, target: str) -> pd.Series:
    return target_values(frame[target]).dropna().value_counts()


def needed_per_class(folds: int) -> int:
    """Rows a class needs for ``folds`` stratified folds and a test set."""
    return folds + 1


def rare_classes(frame: pd.DataFrame, target: str, folds: int) -> list:
    """Classes with too few rows for ``folds`` folds and a test set."""
    counts = class_counts(frame, target)
    return [label for label, count in counts.items() if count < needed_per_class(folds)]


def fewest_folds_possible(frame: pd.DataFrame, target: str) -> int | None:
    """The largest number of folds (2 to 10) that every class allows, or ``None``."""
    counts = class_counts(frame, target)
    if counts.empty:
        return None
    folds = min(FOLDS_RANGE[1], int(counts.min()) - 1)
    return folds if folds >= FOLDS_RANGE[0] else None


@dataclass(frozen=True)
class RareGrouping:
    """Rare classes grouped into one: the mapping, and what it means, in French."""

    mapping: dict
    label: str
    rows: int

    def explanation(self, target: str) -> str:
        names = ", ".join(f"« {format_value(v)} »" for v in self.mapping)
        return messages.text(
            "learning.rare_grouped",
            classes=names,
            label=self.label,
            rows=self.rows,
            target=target,
        )

    def step_label(self, target: str) -> str:
        """The grouping as a step of the model's recipe (report, transparency sheet): rare
        classes grouped for learning, not spellings of one value."""
        names = ", ".join(f"« {format_value(v)} »" for v in self.mapping)
        return messages.text(
            "learning.rare_group_step", classes=names, label=self.label, target=target
        )


def group_rare_classes(
    frame: pd.DataFrame, target: str, folds: int, label: str = OTHERS
) -> tuple[pd.DataFrame, RareGrouping]:
    """``frame`` with the classes too rare for ``folds`` folds grouped into ``label`` (a new
    frame). When the grouped class is still too small, the next rarest class joins it."""
    counts = class_counts(frame, target)
    needed = needed_per_class(folds)
    rare = [v for v, c in counts.items() if c < needed]
    if not rare:
        raise messages.error("learning.no_rare_class", target=target)
    ordered = list(counts.sort_values().index)
    while sum(counts[v] for v in rare) < needed and len(rare) < len(ordered) - 1:
        rare.append(next(v for v in ordered if v not in rare))
    if len(counts) - len(rare) < 1:  # grouping must leave two classes at least
        raise messages.error("learning.rare_cannot_group", target=target)
    values = target_values(frame[target])
    if label in set(map(str, counts.index)) and label not in rare:
        label = f"{label} (regroupées)"
    mapping = {v: label for v in rare}
    grouped = frame.copy()
    grouped[target] = values.map(lambda v: mapping.get(v, v) if not pd.isna(v) else v).astype(
        object
    )
    rows = int(sum(counts[v] for v in rare))
    return grouped, RareGrouping({_plain(k): v for k, v in mapping.items()}, label, rows)


# ============================================================================ suspicious scores
SUSPICIOUS_SCORE = 0.98


def suspicious_score(comparison: Comparison, leaks: Sequence[str] = ()) -> str | None:
    """A plain French warning when the best model is nearly perfect: in real data, this almost
    always means some columns give the answer away. ``leaks``: columns the quality report names."""
    best = comparison.best()
    if best.score < SUSPICIOUS_SCORE or not comparison.beats_baseline(best):
        return None
    shown = format_score(best.score, comparison.metric)
    if leaks:
        columns = ", ".join(f"« {c} »" for c in leaks)
        return messages.text(
            "learning.suspicious_with", name=best.name, score=shown, columns=columns
        )
    return messages.text("learning.suspicious", name=best.name, score=shown)


# ============================================================================ evaluation plan
@dataclass(frozen=True)
class EvaluationPlan:
    """How models are evaluated: a test share put aside, then k folds repeated on the rest."""

    test_share: float = 0.2
    folds: int = 5
    repeats: int = 1
    stratified: bool = True
    random_state: int = 0

    @property
    def fits(self) -> int:
        return self.folds * self.repeats

    def describe(self, n_rows: int) -> str:
        n_test = _test_count(n_rows, self.test_share)
        return messages.text(
            "learning.evaluation_text",
            test=n_test,
            share=percent(self.test_share),
            dev=n_rows - n_test,
            folds=self.folds,
            stratified=messages.text("learning.evaluation_stratified") if self.stratified else "",
            repeats=self.repeats,
            fits=self.fits,
        )

    def to_dict(self) -> dict:
        return {
            "test_share": self.test_share,
            "folds": self.folds,
            "repeats": self.repeats,
            "stratified": self.stratified,
            "random_state": self.random_state,
        }


def _test_count(n_rows: int, share: float) -> int:
    return int(math.ceil(n_rows * share))


def plan_evaluation(
    frame: pd.DataFrame,
    target: str,
    task: Task | None = None,
    *,
    folds: int = 5,
    test_share: float = 0.2,
    repeats: int | None = None,
    random_state: int = 0,
) -> EvaluationPlan:
    """The evaluation for this table: stratified for a classification; repeated more times when
    the table is small (cheap and most needed there). Raises when there are too few rows."""
    if (
        isinstance(folds, bool)
        or not isinstance(folds, (int, np.integer))
        or not (FOLDS_RANGE[0] <= folds <= FOLDS_RANGE[1])
    ):
        raise messages.error(
            "learning.bad_folds", low=FOLDS_RANGE[0], high=FOLDS_RANGE[1], value=folds
        )
    try:
        share = float(test_share)
    except (TypeError, ValueError):
        share = float("nan")
    if not (TEST_SHARE_RANGE[0] <= share <= TEST_SHARE_RANGE[1]):
        raise messages.error(
            "learning.bad_test_share",
            low=int(TEST_SHARE_RANGE[0] * 100),
            high=int(TEST_SHARE_RANGE[1] * 100),
            value=test_share,
        )
    task = task or detect_task(frame[target], target)
    n_rows = len(frame)
    n_test = _test_count(n_rows, share)
    n_dev = n_rows - n_test
    minimum = max(MIN_ROWS, int(math.ceil(2 * folds / (1 - share))))
    if n_rows < minimum:
        raise messages.error("learning.too_few_rows", count=n_rows, minimum=minimum)
    if task.is_classification:
        counts = target_values(frame[target]).value_counts()
        needed = folds + 1
        if counts.min() < needed:
            label = counts.idxmin()
            raise messages.error(
                "learning.too_few_rows_class",
                label=format_value(label),
                count=int(counts.min()),
                folds=folds,
                minimum=needed,
            )
    if repeats is None:  # repeat more on small tables: cheap there, and most needed
        weight = max(n_dev, 1) * max(1, len(task.classes) - 1)
        repeats = int(np.clip(FIT_BUDGET_ROWS // weight, 1, 3))
    if (
        isinstance(repeats, bool)
        or not isinstance(repeats, (int, np.integer))
        or not (1 <= repeats <= MAX_REPEATS)
    ):
        raise messages.error("learning.bad_repeats", high=MAX_REPEATS, value=repeats)
    return EvaluationPlan(share, int(folds), int(repeats), task.is_classification, random_state)


@dataclass(frozen=True)
class Split:
    """Row labels (``frame.index``) of the development part and of the held-out test part."""

    dev_index: tuple
    test_index: tuple

    def dev(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[list(self.dev_index)]

    def test(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[list(self.test_index)]


def split_data(frame: pd.DataFrame, target: str, plan: EvaluationPlan) -> Split:
    """Put the test rows aside (stratified for a classification), reproducibly."""
    stratify = target_values(frame[target]) if plan.stratified else None
    dev, test = train_test_split(
        frame.index.to_numpy(),
        test_size=_test_count(len(frame), plan.test_share),
        random_state=plan.random_state,
        stratify=stratify,
    )
    return Split(tuple(sorted(dev.tolist())), tuple(sorted(test.tolist())))


def _cv(plan: EvaluationPlan):
    if plan.stratified:
        if plan.repeats == 1:
            return StratifiedKFold(plan.folds, shuffle=True, random_state=plan.random_state)
        return RepeatedStratifiedKFold(
            n_splits=plan.folds, n_repeats=plan.repeats, random_state=plan.random_state
        )
    if plan.repeats == 1:
        return KFold(plan.folds, shuffle=True, random_state=plan.random_state)
    return RepeatedKFold(
        n_splits=plan.folds, n_repeats=plan.repeats, random_state=plan.random_state
    )


# ============================================================================ preprocessing
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


# ============================================================================ the formula model
def greedy_columns(X: np.ndarray, Y: np.ndarray, max_terms: int) -> list[int]:
    """Pick at most ``max_terms`` columns of ``X``, one at a time, each time the one that best
    explains what the columns already picked leave unexplained in ``Y`` (one column per class, or
    the number to predict). A copy of a picked column (or the other half of a yes/no pair) explains
    nothing new, so it is never picked twice."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
    centred = X - X.mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    usable = norms > 1e-9
    Xn = np.where(usable, centred / np.where(usable, norms, 1.0), 0.0)
    Yc = Y - Y.mean(axis=0)
    residual = Yc.copy()
    selected: list[int] = []
    for _ in range(min(max_terms, int(usable.sum()))):
        gains = ((Xn.T @ residual) ** 2).sum(axis=1)
        gains[~usable] = -1.0
        gains[selected] = -1.0
        best = int(np.argmax(gains))
        if gains[best] <= 1e-10 * max(1.0, float((Yc**2).sum())):
            break
        selected.append(best)
        basis = Xn[:, selected]
        coef, *_ = np.linalg.lstsq(basis, Yc, rcond=None)
        residual = Yc - basis @ coef
    return selected


class _FormulaBase(BaseEstimator):
    """A linear model on at most ``max_terms`` input columns, chosen inside ``fit`` (so the
    choice is part of what cross-validation evaluates): a formula short enough to read."""

    def __init__(self, max_terms: int = FORMULA_TERMS):
        self.max_terms = max_terms

    @property
    def coef_(self) -> np.ndarray:
        return np.atleast_2d(self.model_.coef_)

    @property
    def intercept_(self) -> np.ndarray:
        return np.atleast_1d(self.model_.intercept_)

    def _reduce(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if len(self.selected_) == 0:
            return np.zeros((X.shape[0], 1))
        return X[:, self.selected_]


class FormulaClassifier(ClassifierMixin, _FormulaBase):
    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.n_features_in_ = X.shape[1]
        self.selected_ = np.array(
            greedy_columns(X, np.eye(len(self.classes_))[codes], self.max_terms), dtype=int
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model_ = LogisticRegression(C=10.0, max_iter=1000)
            self.model_.fit(self._reduce(X), y)
        return self

    def predict(self, X):
        return self.model_.predict(self._reduce(X))

    def predict_proba(self, X):
        return self.model_.predict_proba(self._reduce(X))

    def decision_function(self, X):
        return self.model_.decision_function(self._reduce(X))


class FormulaRegressor(RegressorMixin, _FormulaBase):
    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.n_features_in_ = X.shape[1]
        self.selected_ = np.array(greedy_columns(X, y, self.max_terms), dtype=int)
        self.model_ = LinearRegression()
        self.model_.fit(self._reduce(X), y)
        return self

    def predict(self, X):
        return self.model_.predict(self._reduce(X))


# ============================================================================ the models
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


# ============================================================================ scores
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


# ============================================================================ comparison
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


def _xy(frame: pd.DataFrame, target: str, kinds: ColumnKinds) -> tuple[pd.DataFrame, np.ndarray]:
    X = prepare_features(frame, kinds)
    y = target_values(frame[target]).to_numpy()
    return X, y


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
    X, y = _xy(dev, target, kinds)
    folds = list(_cv(plan).split(X, y if plan.stratified else None))
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x_train = prep.fit_transform(X.iloc[train_idx])
            x_valid = prep.transform(X.iloc[valid_idx])
        prepared.append((x_train, y[train_idx], x_valid, y[valid_idx]))
        prep_seconds += time.perf_counter() - t0
    total = len(keys) * len(folds)
    done = 0
    results: list[ModelScore] = []
    for index, key in enumerate(keys):
        spec = MODELS[key]
        name = spec.name(task.kind)
        label = messages.text(
            "learning.compare_progress", index=index + 1, total=len(keys), name=name
        )
        if progress:
            progress(done / total, label)
        scores = []
        t0 = time.perf_counter()
        for x_train, y_train, x_valid, y_valid in prepared:
            estimator = spec.estimator(task.kind)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator.fit(x_train, y_train)
                predicted = estimator.predict(x_valid)
            scores.append(score(metric, y_valid, predicted))
            done += 1
            if progress:
                progress(done / total, label)
        results.append(
            ModelScore(
                key,
                name,
                spec.description(task.kind, majority=majority),
                scores,
                time.perf_counter() - t0 + prep_seconds,
            )
        )
    seconds = time.perf_counter() - started
    if progress:
        progress(1.0, messages.text("learning.compare_done", seconds=number(seconds, 2)))
    return Comparison(
        task, metric, target, features, plan, split, results[0], results[1:], excluded, seconds
    )


# ============================================================================ one trained model
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

    def clean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply module 04's recipe (the cleaning the training table went through)."""
        if not self.recipe:
            return frame
        from labkit.errors import DatalabError
        from labkit.prepare.recipe import Recipe

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
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")
            return self.pipeline.predict(self.inputs(frame, raw=raw))

    def predict_proba(self, frame: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame | None:
        """Probabilities per class (columns), or ``None`` for a regression."""
        if not self.is_classification or not hasattr(self.pipeline, "predict_proba"):
            return None
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")
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
    X, y = _xy(rows, target, kinds)
    pipeline = make_pipeline(key, task.kind, kinds, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(X, y)
    return TrainedModel(
        pipeline=pipeline,
        key=key,
        name=spec.name(task.kind),
        target=target,
        features=features,
        task=task.kind,
        kinds=kinds,
        classes=[_plain(v) for v in task.classes],
        metric=metric or METRICS[task.kind],
        recipe=recipe,
        params=dict(params),
        info={"profile": feature_profile(rows, kinds), "train_rows": len(rows)},
    )


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


# ============================================================================ metrics
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
        actual, predicted = self.actual.astype(str), self.predicted.astype(str)
        rows = []
        for label in self.labels:
            key = str(label)
            rows.append(
                {
                    "valeur": format_value(label),
                    "lignes": int((actual == key).sum()),
                    "précision": precision_score(
                        actual, predicted, labels=[key], average="macro", zero_division=np.nan
                    ),
                    "rappel": recall_score(
                        actual, predicted, labels=[key], average="macro", zero_division=np.nan
                    ),
                    "F1": f1_score(
                        actual, predicted, labels=[key], average="macro", zero_division=np.nan
                    ),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The figures worth keeping with a saved model (JSON-able)."""
        return {
            "metric": self.metric,
            "score": self.score,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "positive": _plain(self.positive),
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
    labels = list(classes) or list(_sorted_classes(actual))
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


# ============================================================================ curves
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
    plan = plan or plan_evaluation(frame, target, task)
    split = split or split_data(frame, target, plan)
    kinds = column_kinds(frame, list(features))
    X, y = _xy(split.dev(frame), target, kinds)
    metric = METRICS[task.kind]
    folds = _curve_folds(plan, y)
    values = list(values or spec.setting.values)
    train_scores, test_scores = [], []
    for i, value in enumerate(values):
        tr, te = [], []
        for train_idx, valid_idx in folds:
            params = {spec.setting.param: value, **dict(spec.setting.extra)}
            pipeline = make_pipeline(key, task.kind, kinds, **params)
            if spec.setting.param == "n_neighbors":
                pipeline.set_params(model__n_neighbors=min(value, len(train_idx)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline.fit(X.iloc[train_idx], y[train_idx])
                tr.append(score(metric, y[train_idx], pipeline.predict(X.iloc[train_idx])))
                te.append(score(metric, y[valid_idx], pipeline.predict(X.iloc[valid_idx])))
        train_scores.append(tr)
        test_scores.append(te)
        if progress:
            progress((i + 1) / len(values), spec.setting.label)
    return Curve(
        spec.setting.label,
        values,
        [float(np.mean(s)) for s in train_scores],
        [float(np.std(s)) for s in train_scores],
        [float(np.mean(s)) for s in test_scores],
        [float(np.std(s)) for s in test_scores],
        metric,
        spec.setting.param,
    )


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
    plan = plan or plan_evaluation(frame, target, task)
    split = split or split_data(frame, target, plan)
    kinds = column_kinds(frame, list(features))
    X, y = _xy(split.dev(frame), target, kinds)
    metric = METRICS[task.kind]
    folds = _curve_folds(plan, y)
    rng = np.random.default_rng(plan.random_state)
    sizes, train_scores, test_scores = [], [], []
    for i, share in enumerate(shares):
        tr, te, n_used = [], [], []
        for train_idx, valid_idx in folds:
            n = max(int(round(share * len(train_idx))), 10)
            chosen = _subsample(train_idx, y, n, rng, task.is_classification)
            pipeline = make_pipeline(key, task.kind, kinds)
            if key == "knn":
                pipeline.set_params(model__n_neighbors=min(15, len(chosen)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline.fit(X.iloc[chosen], y[chosen])
                tr.append(score(metric, y[chosen], pipeline.predict(X.iloc[chosen])))
                te.append(score(metric, y[valid_idx], pipeline.predict(X.iloc[valid_idx])))
            n_used.append(len(chosen))
        sizes.append(int(np.mean(n_used)))
        train_scores.append(tr)
        test_scores.append(te)
        if progress:
            progress((i + 1) / len(shares), "")
    return Curve(
        "nombre de lignes apprises",
        sizes,
        [float(np.mean(s)) for s in train_scores],
        [float(np.std(s)) for s in train_scores],
        [float(np.mean(s)) for s in test_scores],
        [float(np.std(s)) for s in test_scores],
        metric,
        "rows",
    )


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


def clone_pipeline(pipeline: Pipeline) -> Pipeline:
    return clone(pipeline)
