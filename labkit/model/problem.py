"""What is to be predicted and how the models will be judged (module 05).

- the task: classification or regression, explained (:func:`detect_task`);
- the columns: how each one enters the models (:class:`ColumnKinds`), which ones are usable
  (:func:`default_features`), and the checks that refuse an impossible choice in French
  (:func:`check_choice`);
- rare classes, grouped so that every class has rows in every fold (:func:`group_rare_classes`);
- the evaluation plan (test share, folds, repeats) and the split of the rows into development and
  held-out test rows (:func:`plan_evaluation`, :func:`split_data`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    train_test_split,
)

from labkit import messages
from labkit.model.display import format_value, number, percent

CLASSIFICATION = "classification"
REGRESSION = "regression"
# How the workbook speaks of a task (:attr:`Task.family`); module notebooks name them too.
FAMILIES = ("binary", "multiclass", "regression")

MIN_ROWS = 30
MAX_CLASSES = 20
MAX_CATEGORIES = 200  # a text column with more distinct values cannot be used as categories
INTEGER_CLASS_MAX = 10  # an integer target with at most this many values is a classification
FOLDS_RANGE = (2, 10)
TEST_SHARE_RANGE = (0.1, 0.5)
MAX_REPEATS = 10
FIT_BUDGET_ROWS = 2000  # repeats x development rows x (classes - 1) stays near this (speed)
YES_VALUES = ("oui", "yes", "vrai", "true", "1", "o", "y")


# ==================================================================== the task
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
    def family(self) -> str:
        """How the workbook speaks of the task — « binary » (two classes: precision, recall and a
        threshold about one of them), « multiclass » (a table per class) or « regression » (an
        error in the target's unit): the words of the metrics are chosen by it, in one place."""
        if not self.is_classification:
            return "regression"
        return "binary" if len(self.classes) == 2 else "multiclass"

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


def sorted_classes(values: pd.Series) -> tuple:
    uniques = pd.unique(values.dropna())
    try:
        return tuple(sorted(uniques))
    except TypeError:
        return tuple(sorted(uniques, key=str))


def detect_task(series: pd.Series, target: str | None = None) -> Task:
    """Classification for categories (text, yes/no, a few integers), regression for numbers."""
    target = target or str(series.name)
    values = target_values(series).dropna()
    uniques = sorted_classes(values)
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


# ===================================================================== columns
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
    return stamp.dt.year + (stamp.dt.day_of_year - 1) / 365.25


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


def model_data(
    frame: pd.DataFrame, target: str, kinds: ColumnKinds
) -> tuple[pd.DataFrame, np.ndarray]:
    """The models' input and the target values for ``frame``."""
    return prepare_features(frame, kinds), target_values(frame[target]).to_numpy()


def plain(value):
    """A numpy scalar as the plain Python value (JSON-able)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


# ====================================================================== checks
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


# ================================================================ rare classes
OTHERS = messages.text("learning.rare_others")


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
        label = messages.text("learning.rare_group_label", label=label)
    mapping = {v: label for v in rare}
    grouped = frame.copy()
    grouped[target] = values.map(lambda v: mapping.get(v, v) if not pd.isna(v) else v).astype(
        object
    )
    rows = int(sum(counts[v] for v in rare))
    return grouped, RareGrouping({plain(k): v for k, v in mapping.items()}, label, rows)


# ============================================================= evaluation plan
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


def cv_folds(plan: EvaluationPlan):
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
