"""Bias audit: does the model treat the groups of a column alike? (module 05)

The metrics are computed per group with fairlearn's :class:`~fairlearn.metrics.MetricFrame` on the
held-out test rows (predictions the model made on rows it never saw). Gaps between groups are
measured on the groups large enough to say something; smaller groups are flagged, not hidden. Each
marked gap comes with a plain-French reading of what it could mean for the citizens concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from sklearn.metrics import mean_absolute_error

from labkit import messages
from labkit.model.catalogue import expected_warnings_silenced
from labkit.model.display import format_value, number, percent, points
from labkit.model.learning import TrainedModel
from labkit.model.problem import CLASSIFICATION, Split, Task, target_values

MIN_GROUP = 20  # fewer test rows than this: too few to conclude
MAX_GROUPS = 12
NUMERIC_BINS = 4  # a number with many values is cut into quartiles
GAP_RATE = 0.10  # a gap of 10 points or more between rates is marked
GAP_MAE_RATIO = 1.5  # an error 1.5 times larger in one group is marked
RATE_METRICS = ("accuracy", "error", "selection", "recall", "precision")


@dataclass
class Gap:
    metric: str
    label: str
    gap: float
    low: float
    low_group: str
    high: float
    high_group: str
    large: bool
    text: str


@dataclass
class FairnessAudit:
    column: str
    task: str
    table: (
        pd.DataFrame
    )  # one row per group: the group, its test rows, then one column per metric label
    metrics: dict[str, str]  # metric key -> French label (the table's columns)
    gaps: list[Gap]
    small_groups: list[str]
    notes: list[str]  # small groups
    readings: list[str]  # what the marked gaps could mean
    caution: str
    by_group: pd.DataFrame = field(default_factory=pd.DataFrame)  # raw values, metric keys

    def large_gaps(self) -> list[Gap]:
        return [g for g in self.gaps if g.large]


# ---------------------------------------------------------------------------- groups
def group_values(series: pd.Series, column: str | None = None) -> pd.Series:
    """The group of each row as text: a number with many values is cut into quartiles
    (« de 12 à 30 »), a missing value is its own group."""
    column = column or str(series.name)
    missing = messages.text("learning.fairness_group_missing")
    if (
        pd.api.types.is_numeric_dtype(series)
        and not pd.api.types.is_bool_dtype(series)
        and series.nunique() > MAX_GROUPS
    ):
        values = series.astype(float)
        edges = np.unique(np.nanquantile(values, np.linspace(0, 1, NUMERIC_BINS + 1)))
        if len(edges) >= 3:
            bins = pd.cut(values, edges, include_lowest=True, duplicates="drop")
            labels = {
                interval: messages.text(
                    "learning.fairness_bin", low=number(low, 3), high=number(high, 3)
                )
                for interval, low, high in zip(
                    bins.cat.categories, edges[:-1], edges[1:], strict=True
                )
            }
            named = bins.map(labels).astype(object).where(values.notna(), missing)
            order = [labels[i] for i in bins.cat.categories] + [missing]
            return pd.Series(pd.Categorical(named, categories=order), index=series.index)
    out = series.map(lambda v: missing if pd.isna(v) else format_value(v))
    count = out.nunique()
    if count > MAX_GROUPS:
        raise messages.error(
            "learning.fairness_too_many_groups", column=column, count=count, max=MAX_GROUPS
        )
    return out.astype(object)


def _group_key(name: str):
    """Missing values last, the rest in alphabetical order."""
    return (name == messages.text("learning.fairness_group_missing"), name.lower())


# ---------------------------------------------------------------------------- metrics
def _metric_functions(task: str, positive) -> dict:
    if task != CLASSIFICATION:
        return {
            "mae": lambda a, p: float(mean_absolute_error(a, p)),
            "mean_prediction": lambda a, p: float(np.mean(p)),
            "mean_actual": lambda a, p: float(np.mean(a)),
        }
    functions = {
        "accuracy": lambda a, p: float(np.mean(np.asarray(a) == np.asarray(p))),
        "error": lambda a, p: float(np.mean(np.asarray(a) != np.asarray(p))),
    }
    if positive is not None:
        key = str(positive)

        def selection(a, p):
            return float(np.mean(np.asarray(p) == key))

        def recall(a, p):
            a, p = np.asarray(a), np.asarray(p)
            actual = a == key
            return float(np.mean(p[actual] == key)) if actual.any() else float("nan")

        def precision(a, p):
            a, p = np.asarray(a), np.asarray(p)
            chosen = p == key
            return float(np.mean(a[chosen] == key)) if chosen.any() else float("nan")

        functions.update({"selection": selection, "recall": recall, "precision": precision})
    return functions


def _metric_label(metric: str, positive) -> str:
    label = format_value(positive) if positive is not None else ""
    return messages.text(f"learning.fairness_metric_{metric}", label=label)


def _show(metric: str, value: float) -> str:
    if metric in RATE_METRICS:
        return percent(value)
    return number(value, 3)


def audit(
    actual,
    predicted,
    groups,
    task: str,
    *,
    positive=None,
    column: str = "",
    min_group: int = MIN_GROUP,
) -> FairnessAudit:
    """Metrics per group, the gaps between groups and what they could mean."""
    actual, predicted, groups = pd.Series(actual), pd.Series(predicted), pd.Series(groups)
    if not (len(actual) == len(predicted) == len(groups)):
        raise messages.error("learning.fairness_length")
    actual = actual.reset_index(drop=True)
    predicted = predicted.reset_index(drop=True)
    order = (
        [str(c) for c in groups.cat.categories]
        if isinstance(groups.dtype, pd.CategoricalDtype)
        else sorted(groups.astype(str).unique(), key=_group_key)
    )
    groups = groups.reset_index(drop=True).astype(str)
    if groups.nunique() < 2:
        raise messages.error("learning.fairness_one_group", column=column)
    if groups.nunique() > MAX_GROUPS:
        raise messages.error(
            "learning.fairness_too_many_groups",
            column=column,
            count=groups.nunique(),
            max=MAX_GROUPS,
        )
    if task == CLASSIFICATION:
        actual, predicted = actual.astype(str), predicted.astype(str)
    else:
        actual, predicted = actual.astype(float), predicted.astype(float)
    functions = _metric_functions(task, positive)
    with expected_warnings_silenced():
        frame = MetricFrame(
            metrics=functions,
            y_true=actual.to_numpy(),
            y_pred=predicted.to_numpy(),
            sensitive_features=groups.rename(messages.text("learning.fairness_group_column")),
        )
    by_group = frame.by_group.copy()
    by_group = by_group.reindex([g for g in order if g in by_group.index])
    counts = groups.value_counts()
    by_group.insert(0, "count", [int(counts[g]) for g in by_group.index])
    labels = {k: _metric_label(k, positive) for k in functions}
    small = [str(g) for g in by_group.index if by_group.loc[g, "count"] < min_group]
    notes = [
        messages.text(
            "learning.fairness_small_group",
            group=g,
            count=int(by_group.loc[g, "count"]),
            minimum=min_group,
        )
        for g in small
    ]
    usable = by_group[by_group["count"] >= min_group]
    if len(usable) < 2:
        # Fewer than two groups with enough test rows: the gaps are shown, nothing is concluded
        # (a reading would contradict the notes saying each group is too small to conclude).
        gaps = [replace(g, large=False) for g in _gaps(by_group, labels, task, by_group)]
        readings = [messages.text("learning.fairness_too_few_to_conclude", minimum=min_group)]
    else:
        gaps = _gaps(usable, labels, task, by_group)
        readings = _readings(gaps, usable, task, positive, frame.overall)
        if not any(g.large for g in gaps):
            readings.append(messages.text("learning.fairness_no_gap"))
    group = messages.text("learning.fairness_group_column")
    table = pd.DataFrame({group: [str(g) for g in by_group.index]})
    table[messages.text("learning.fairness_metric_count")] = by_group["count"].to_numpy()
    for key, label in labels.items():
        table[label] = by_group[key].to_numpy()
    return FairnessAudit(
        column=column,
        task=task,
        table=table,
        metrics=labels,
        gaps=gaps,
        small_groups=small,
        notes=notes,
        readings=readings,
        caution=messages.text("learning.fairness_caution"),
        by_group=by_group,
    )


def _gaps(usable: pd.DataFrame, labels: dict, task: str, by_group: pd.DataFrame) -> list[Gap]:
    keys = ["error", "selection", "recall"] if task == CLASSIFICATION else ["mae"]
    gaps = []
    for key in keys:
        if key not in usable.columns:
            continue
        values = usable[key].dropna()
        if len(values) < 2:
            continue
        low_group, high_group = str(values.idxmin()), str(values.idxmax())
        low, high = float(values.min()), float(values.max())
        gap = high - low
        if key == "mae":
            large = low > 0 and high / low >= GAP_MAE_RATIO or (low == 0 and high > 0)
        else:
            large = gap >= GAP_RATE
        label = labels[key]
        text = messages.text(
            "learning.fairness_gap",
            metric=label[:1].upper() + label[1:],
            gap=points(gap) if key in RATE_METRICS else _show(key, gap),
            low=_show(key, low),
            low_group=low_group,
            high=_show(key, high),
            high_group=high_group,
        )
        gaps.append(Gap(key, labels[key], gap, low, low_group, high, high_group, large, text))
    return gaps


def _readings(gaps: list[Gap], usable: pd.DataFrame, task: str, positive, overall) -> list[str]:
    readings = []
    label = format_value(positive) if positive is not None else ""
    for gap in gaps:
        if gap.large and gap.metric == "mae" and {"mean_actual"} <= set(usable.columns):
            readings.append(_relative_reading(gap, usable))
        elif gap.large:
            readings.append(
                messages.text(
                    f"learning.fairness_reading_{gap.metric}",
                    label=label,
                    high=_show(gap.metric, gap.high),
                    high_group=gap.high_group,
                    low=_show(gap.metric, gap.low),
                    low_group=gap.low_group,
                )
            )
    if task != CLASSIFICATION and "mae" in overall:
        mae = float(overall["mae"])
        for group, row in usable.iterrows():
            bias = float(row["mean_prediction"] - row["mean_actual"])
            if mae > 0 and abs(bias) > 0.5 * mae:
                readings.append(
                    messages.text(
                        "learning.fairness_reading_bias",
                        group=str(group),
                        direction=messages.text(
                            "learning.fairness_more" if bias > 0 else "learning.fairness_less"
                        ),
                        gap=number(abs(bias), 3),
                    )
                )
    return readings


def _relative_reading(gap: Gap, usable: pd.DataFrame) -> str:
    """An error gap read against the size of each group's values: an error of 40 on values
    near 1 000 is smaller, in proportion, than an error of 10 on values near 50."""
    size = usable["mean_actual"].abs()
    high_size, low_size = float(size[gap.high_group]), float(size[gap.low_group])
    fields = {
        "high": _show("mae", gap.high),
        "high_group": gap.high_group,
        "low": _show("mae", gap.low),
        "low_group": gap.low_group,
    }
    if high_size <= 0 or low_size <= 0:
        return messages.text("learning.fairness_reading_mae", **fields)
    high_share, low_share = gap.high / high_size, gap.low / low_size
    fields.update(high_share=percent(high_share), low_share=percent(low_share))
    if high_share <= low_share:
        return messages.text("learning.fairness_reading_mae_relative", **fields)
    return messages.text("learning.fairness_reading_mae_both", **fields)


def audit_model(
    trained: TrainedModel,
    frame: pd.DataFrame,
    split: Split,
    column: str | None,
    *,
    min_group: int = MIN_GROUP,
) -> FairnessAudit:
    """The audit of ``trained`` on the test rows of ``split``, groups from ``frame[column]``."""
    if not column:
        raise messages.error("learning.fairness_no_column")
    if column == trained.target:
        raise messages.error("learning.fairness_column_is_target")
    if column not in frame.columns:
        raise messages.error("learning.feature_missing_column", column=column)
    test = split.test(frame)
    groups = group_values(frame[column], column).loc[test.index]
    actual = target_values(test[trained.target])
    predicted = pd.Series(trained.predict(test), index=test.index)
    positive = (
        Task(trained.task, "", tuple(trained.classes)).positive
        if trained.task == CLASSIFICATION
        else None
    )
    return audit(
        actual,
        predicted,
        groups,
        trained.task,
        positive=positive,
        column=column,
        min_group=min_group,
    )


def candidate_columns(
    frame: pd.DataFrame, target: str, preferred: list[str] | None = None
) -> list[str]:
    """Columns that make sensible groups (few values, or numbers to cut into quartiles), the
    dataset's suggested group columns first."""
    out = []
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        count = series.nunique()
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if 2 <= count <= MAX_GROUPS or (numeric and count > MAX_GROUPS):
            out.append(column)
    first = [c for c in (preferred or []) if c in out]
    return first + [c for c in out if c not in first]
