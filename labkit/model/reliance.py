"""Leaks judged by what the model uses (module 05 and ``datalab train``), after training.

Module 04's checks (:mod:`labkit.prepare.leaks`) look at the table alone and stay fast; they miss a
target that a model rebuilds from several partial columns (a total from ten mostly-empty parts, an
overall index from its sub-indices) or from a category that nearly fixes it. Here the model itself
is asked: for a few groups of related columns, the same model is fitted again on the same
development rows without the group and scored on the same test rows. A group that carries a wide
part of the score is named with both scores, and the learner is asked whether those columns are
known when the decision is made.

The groups (at most :data:`MAX_GROUPS`, most important first):

- columns sharing a name stem (``sous_indice_o3``, ``sous_indice_no2`` → ``sous_indice_*``);
- columns strongly associated with each other (rank correlation ≥ :data:`ASSOCIATION`);
- each column alone among the model's most important ones (impurity importances for the trees
  and forests, else permutation importances on the test rows, :func:`labkit.model.explain.importance`).

A group is **flagged** when, without it, the test score falls by at least :data:`DROP_WIDE`
(accuracy or R², absolute); when the score with every column is near perfect
(:func:`labkit.model.learning.near_perfect`) and no group falls that far, the group that costs
the most is flagged if it costs at least :data:`DROP_NEAR_PERFECT` (:func:`flag`).
Every refit is the model of the comparison, on the same split; the whole check stays under
:data:`TIME_BUDGET` seconds (groups left unchecked are counted), which keeps it within 5 s for
5,000 rows on a shared server (``benchmarks/bench_reliance.py``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labkit import messages
from labkit.errors import DatalabError
from labkit.model.catalogue import (
    METRICS,
    Progress,
    expected_warnings_silenced,
    output_columns,
    score,
    single_threaded,
)
from labkit.model.display import format_score, number
from labkit.model.explain import importance
from labkit.model.learning import NEAR_PERFECT, TrainedModel, near_perfect, train
from labkit.model.problem import Split, column_kinds, target_values
from labkit.roomcache import shared

# Thresholds, in the score's own units (accuracy or R², both from 0 to 1, higher is better).
# 0.15: the reported files lost 0.24 (a total without its ten parts: R² 0.95 → 0.71) and more;
# an honest model that loses 15 points without one group of columns relies on them enough for the
# question « sont-elles connues au moment de la décision ? » to be worth asking. Below, the test
# rows' own noise (± 3 points of accuracy on 300 test rows) would make the message flicker.
DROP_WIDE = 0.15
# A near-perfect score is already suspicious: a smaller fall (5 points) names what carries it.
DROP_NEAR_PERFECT = 0.05
NOISE_TIMES = 2.0  # a fall must also exceed twice its standard error over the test rows
MAX_GROUPS = 6  # refits at most
MAX_SHARED = 4  # groups of several columns (stems, associations) among them, at most
GROUP_SIZE = 12  # columns in one group, at most (the most important ones)
ASSOCIATION = 0.8  # |rank correlation| that puts two number columns in one group
ASSOCIATION_ROWS = 2000  # rows used to measure the associations
ASSOCIATION_COLUMNS = 40  # number columns compared two by two, at most (the most important)
IMPORTANT_SHARE = 0.05  # a column alone is a group when it has this share of the importance
IMPORTANCE_ROWS = 500  # test rows used by the permutation importances
TIME_BUDGET = 4.0  # seconds: the refits not started by then are left out (and counted)

STEM = "stem"
ASSOCIATED = "associated"
IMPORTANT = "important"
_SEPARATORS = re.compile(r"[_\-\s.]+")


@dataclass(frozen=True)
class ColumnGroup:
    """Columns judged together, and why they are grouped."""

    columns: tuple[str, ...]
    reason: str  # STEM, ASSOCIATED or IMPORTANT
    stem: str = ""  # the shared stem of a STEM group

    @property
    def label(self) -> str:
        """How a person reads the group: « sous_indice_* » (5 colonnes), « a », « b »…"""
        if self.reason == STEM:
            return messages.text("learning.reliance_stem", stem=self.stem, count=len(self.columns))
        return _quoted(self.columns)


@dataclass
class GroupScore:
    group: ColumnGroup
    score: float  # the test score of the same model fitted without the group
    drop: float  # score with every column − score without the group
    flagged: bool
    noise: float = 0.0  # standard error of ``drop`` over the test rows (paired)

    def to_dict(self) -> dict:
        return {
            "columns": list(self.group.columns),
            "reason": self.group.reason,
            "score_without": round(self.score, 4),
            "drop": round(self.drop, 4),
            "noise": round(self.noise, 4),
            "flagged": self.flagged,
        }


@dataclass
class Reliance:
    """How much of one model's test score each group of columns carries."""

    model_key: str
    model_name: str
    metric: str
    score: float  # test score with every column
    baseline: float  # test score of the baseline (majority class, or the mean)
    groups: list[GroupScore] = field(default_factory=list)
    unchecked: list[ColumnGroup] = field(default_factory=list)  # left out for lack of time
    seconds: float = 0.0

    @property
    def near_perfect(self) -> bool:
        return near_perfect(self.score, self.baseline)

    def flagged(self) -> list[GroupScore]:
        """The flagged groups, the widest fall first."""
        return sorted((g for g in self.groups if g.flagged), key=lambda g: -g.drop)

    def flagged_columns(self) -> list[str]:
        return list(dict.fromkeys(c for g in self.flagged() for c in g.group.columns))

    def sentence(self, group: GroupScore) -> str:
        """What one flagged group costs, in French, with both scores."""
        key = "reliance_near_perfect" if self.near_perfect else "reliance_drop"
        return messages.text(
            f"learning.{key}",
            name=self.model_name,
            columns=group.group.label,
            score=shown_score(self.score, self.metric),
            without=shown_score(group.score, self.metric),
        )

    def sentences(self) -> list[str]:
        """One French sentence per flagged group (empty: nothing to say)."""
        return [self.sentence(g) for g in self.flagged()]

    def to_dict(self) -> dict:
        return {
            "model": self.model_key,
            "model_name": self.model_name,
            "metric": self.metric,
            "score": round(self.score, 4),
            "baseline": round(self.baseline, 4),
            "near_perfect": self.near_perfect,
            "flagged": bool(self.flagged()),
            "groups": [g.to_dict() for g in self.groups],
            "unchecked": [list(g.columns) for g in self.unchecked],
            "seconds": round(self.seconds, 2),
            "thresholds": {
                "drop": DROP_WIDE,
                "near_perfect": NEAR_PERFECT,
                "drop_near_perfect": DROP_NEAR_PERFECT,
            },
        }


def is_flagged(score_with: float, score_without: float, noise: float = 0.0) -> bool:
    """The main rule, alone: without the group, the score falls by :data:`DROP_WIDE` or more,
    and by more than :data:`NOISE_TIMES` times its standard error over the test rows (on a
    small test set, a refit can lose that much by chance)."""
    drop = score_with - score_without
    return drop >= DROP_WIDE - 1e-9 and drop > NOISE_TIMES * noise


def flag(scores: list[GroupScore], score_with: float, baseline: float) -> None:
    """Set ``flagged`` on each group: a wide fall (:func:`is_flagged`); when no group falls that
    far from a near-perfect score, the group whose absence costs the most, if it costs
    :data:`DROP_NEAR_PERFECT` or more. A group inside a wider flagged group that costs more is not
    flagged again (a sub-index alone, after the five sub-indices together)."""
    for group in scores:
        group.flagged = is_flagged(score_with, group.score, group.noise)
    if scores and not any(g.flagged for g in scores) and near_perfect(score_with, baseline):
        widest = max(scores, key=lambda g: g.drop)
        widest.flagged = (
            widest.drop >= DROP_NEAR_PERFECT - 1e-9 and widest.drop > NOISE_TIMES * widest.noise
        )
    for group in scores:
        inside = set(group.group.columns)
        if group.flagged and any(
            other is not group
            and other.flagged
            and inside < set(other.group.columns)
            and other.drop >= group.drop
            for other in scores
        ):
            group.flagged = False


def question(columns: Sequence[str]) -> str:
    """Whether these columns are known when the decision is made, asked in French (one column
    or several)."""
    key = "reliance_question_one" if len(set(columns)) == 1 else "reliance_question"
    return messages.text(f"learning.{key}")


def shown_score(value: float, metric: str) -> str:
    """A score as module 05 writes it, an R² above 0.99 with three decimals (never « 1 »)."""
    if metric == "r2" and 0.99 <= value < 1:
        return number(value, 3)
    return format_score(value, metric)


def _quoted(columns: Sequence[str], limit: int = 6) -> str:
    shown = [f"« {c} »" for c in columns[:limit]]
    if len(columns) > limit:
        shown.append(messages.text("learning.reliance_more", count=len(columns) - limit))
    return ", ".join(shown)


# =========================================================================== the groups
def stem_groups(features: Sequence[str]) -> list[ColumnGroup]:
    """Columns whose names share their first words (cut at ``_``, ``-``, spaces, dots), at least
    two of them and not every column: ``hp_7h``, ``hp_8h`` → ``hp_*``. The longest shared stem
    names a group; groups with the same columns are given once."""
    words = {c: [w for w in _SEPARATORS.split(str(c).lower()) if w] for c in features}
    members: dict[tuple[str, ...], list[str]] = {}
    for column, parts in words.items():
        for size in range(1, len(parts)):
            members.setdefault(tuple(parts[:size]), []).append(column)
    groups: dict[frozenset, ColumnGroup] = {}
    for stem in sorted(members, key=len, reverse=True):
        columns = members[stem]
        if len(columns) < 2 or len(columns) >= len(features) or len("_".join(stem)) < 2:
            continue
        key = frozenset(columns)
        if key not in groups:
            shown = _common_prefix([str(c) for c in columns]).rstrip("_- .")
            groups[key] = ColumnGroup(tuple(columns), STEM, shown or "_".join(stem))
    return list(groups.values())


def _common_prefix(names: list[str]) -> str:
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size].lower() == last[size].lower():
        size += 1
    return first[:size]


def associated_groups(
    frame: pd.DataFrame, features: Sequence[str], weights: dict[str, float]
) -> list[ColumnGroup]:
    """Number, date and yes/no columns linked two by two by a rank correlation of at least
    :data:`ASSOCIATION` (in absolute value), grouped as the connected parts of those links."""
    kinds = column_kinds(frame, features)
    columns = sorted(kinds.numeric_all, key=lambda c: -weights.get(c, 0.0))[:ASSOCIATION_COLUMNS]
    if len(columns) < 2:
        return []
    rows = frame[columns]
    if len(rows) > ASSOCIATION_ROWS:
        rows = rows.iloc[np.linspace(0, len(rows) - 1, ASSOCIATION_ROWS).astype(int)]
    numbers = pd.DataFrame(
        {c: pd.to_numeric(_as_number(rows[c]), errors="coerce") for c in columns}
    ).astype("float64")
    with np.errstate(all="ignore"):
        corr = numbers.rank().corr(min_periods=30).abs().to_numpy()
    linked = np.nan_to_num(corr, nan=0.0) >= ASSOCIATION
    seen: set[int] = set()
    groups = []
    for start in range(len(columns)):
        if start in seen:
            continue
        part, todo = [], [start]
        seen.add(start)
        while todo:
            i = todo.pop()
            part.append(i)
            for j in np.flatnonzero(linked[i]):
                if int(j) not in seen:
                    seen.add(int(j))
                    todo.append(int(j))
        if 2 <= len(part) < len(features):
            groups.append(ColumnGroup(tuple(columns[i] for i in sorted(part)), ASSOCIATED))
    return groups


CATEGORY_COLUMNS = 12  # category columns compared two by two, at most (the most important)
CATEGORY_VALUES = 50  # a category column with more values is not compared


SAME_ROWS = 0.9  # Jaccard index of the rows two values single out, from which they say one thing


def _one_hot(values: pd.Series) -> np.ndarray:
    """Rows × values (0/1), for the values held by 5 % to 95 % of the rows."""
    codes, uniques = pd.factorize(values.fillna("∅"))
    hot = np.zeros((len(codes), len(uniques)), dtype="float64")
    hot[np.arange(len(codes)), codes] = 1.0
    share = hot.mean(axis=0)
    return hot[:, (share >= 0.05) & (share <= 0.95)]


def _same_rows(a: np.ndarray, b: np.ndarray) -> float:
    """The largest Jaccard index between the rows of one value of ``a`` and of one of ``b``
    (1: « Accès libre » and « JC Decaux » are on exactly the same rows)."""
    if not a.shape[1] or not b.shape[1]:
        return 0.0
    inter = a.T @ b
    union = a.sum(axis=0)[:, None] + b.sum(axis=0)[None, :] - inter
    return float((inter / np.maximum(union, 1.0)).max())


def _cramers_v(a: pd.Series, b: pd.Series) -> float:
    """Cramér's V of two category columns (0: unrelated, 1: one says the other)."""
    table = pd.crosstab(a.fillna("∅"), b.fillna("∅")).to_numpy(dtype="float64")
    if min(table.shape) < 2:
        return 0.0
    total = table.sum()
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    with np.errstate(all="ignore"):
        chi2 = float(np.nansum((table - expected) ** 2 / expected))
    return float(np.sqrt(chi2 / (total * (min(table.shape) - 1))))


def associated_categories(
    frame: pd.DataFrame, features: Sequence[str], weights: dict[str, float]
) -> list[ColumnGroup]:
    """Category columns that say the same thing (two by two, a value of each on the same rows,
    :data:`SAME_ROWS`, or a Cramér's V of at least :data:`ASSOCIATION`: the conditions, the
    operator and the opening hours of one kind of bike shelter),
    grouped as the connected parts of those links: the model loses them only together."""
    kinds = column_kinds(frame, features)
    candidates = [*kinds.categorical, *kinds.booleans]
    rows = frame
    if len(rows) > ASSOCIATION_ROWS:
        rows = rows.iloc[np.linspace(0, len(rows) - 1, ASSOCIATION_ROWS).astype(int)]
    columns = [
        c
        for c in sorted(candidates, key=lambda c: -weights.get(c, 0.0))
        if 2 <= rows[c].nunique() <= CATEGORY_VALUES
    ][:CATEGORY_COLUMNS]
    texts = {c: rows[c].astype("string") for c in columns}
    parent = list(range(len(columns)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    hot = {c: _one_hot(texts[c]) for c in columns}
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            a, b = columns[i], columns[j]
            if (
                _same_rows(hot[a], hot[b]) >= SAME_ROWS
                or _cramers_v(texts[a], texts[b]) >= ASSOCIATION
            ):
                parent[root(j)] = root(i)
    parts: dict[int, list[str]] = {}
    for i, column in enumerate(columns):
        parts.setdefault(root(i), []).append(column)
    return [
        ColumnGroup(tuple(part), ASSOCIATED)
        for part in parts.values()
        if 2 <= len(part) < len(features)
    ]


def _as_number(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values, errors="coerce")
        return stamps.astype("int64").where(stamps.notna())
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    return values


def choose_groups(
    frame: pd.DataFrame, features: Sequence[str], weights: dict[str, float]
) -> list[ColumnGroup]:
    """At most :data:`MAX_GROUPS` groups, most important first: stems and associations (at most
    :data:`MAX_SHARED`, by their total importance), then single columns by importance."""
    total = sum(max(w, 0.0) for w in weights.values()) or 1.0
    share = {c: max(weights.get(c, 0.0), 0.0) / total for c in features}

    def weight(group: ColumnGroup) -> float:
        return sum(share[c] for c in group.columns)

    shared: dict[frozenset, ColumnGroup] = {}
    for group in [
        *stem_groups(features),
        *associated_groups(frame, features, share),
        *associated_categories(frame, features, share),
    ]:
        columns = sorted(group.columns, key=lambda c: -share[c])[:GROUP_SIZE]
        group = ColumnGroup(
            tuple(c for c in group.columns if c in columns), group.reason, group.stem
        )
        if weight(group) > 0 and frozenset(group.columns) not in shared:
            shared[frozenset(group.columns)] = group
    chosen = sorted(shared.values(), key=lambda g: -weight(g))[:MAX_SHARED]
    singles = sorted((c for c in features if share[c] >= IMPORTANT_SHARE), key=lambda c: -share[c])
    for column in singles:
        if len(chosen) >= MAX_GROUPS or len(features) < 2:
            break
        chosen.append(ColumnGroup((column,), IMPORTANT))
    return sorted(chosen, key=lambda g: -weight(g))


# ====================================================================== importances
def column_weights(trained: TrainedModel, frame: pd.DataFrame, split: Split) -> dict[str, float]:
    """How much the model uses each column: the impurity importances of a tree or a forest
    (summed over a category's values), else permutation importances on at most
    :data:`IMPORTANCE_ROWS` test rows."""
    model = trained.pipeline.named_steps["model"]
    values = getattr(model, "feature_importances_", None)
    if values is not None:
        weights = dict.fromkeys(trained.features, 0.0)
        for out, value in zip(
            output_columns(trained.pipeline.named_steps["prep"]), values, strict=True
        ):
            weights[out.column] += float(value)
        return weights
    test = list(split.test_index)
    if len(test) > IMPORTANCE_ROWS:
        test = [test[i] for i in np.linspace(0, len(test) - 1, IMPORTANCE_ROWS).astype(int)]
    table = importance(trained, frame, Split(split.dev_index, tuple(test)), repeats=2)
    return {str(r.column): float(r.importance) for r in table.itertuples()}


# ========================================================================= the check
def _losses(trained: TrainedModel, test: pd.DataFrame, actual: np.ndarray) -> np.ndarray:
    """Per test row, what the score loses: 1 for a wrong class, or the squared error divided by
    the target's variance (so that the score is 1 − their mean: accuracy, or R²)."""
    with expected_warnings_silenced():
        predicted = trained.predict(test)
    if trained.is_classification:
        return (actual.astype(str) != np.asarray(predicted).astype(str)).astype("float64")
    values = actual.astype("float64")
    spread = float(np.mean((values - values.mean()) ** 2)) or 1.0
    return (np.asarray(predicted, dtype="float64") - values) ** 2 / spread


def _params_without(trained: TrainedModel, group: Sequence[str]) -> dict:
    """The model's parameters for a refit without ``group``: a forest draws as many columns at
    each split as before (a share of fewer columns would weaken it for that reason alone)."""
    params = dict(trained.params)
    model = trained.pipeline.named_steps["model"]
    share = getattr(model, "max_features", None)
    outputs = output_columns(trained.pipeline.named_steps["prep"])
    left = sum(out.column not in group for out in outputs)
    if not left or not hasattr(model, "estimators_"):
        return params
    if isinstance(share, float) and share < 1:
        drawn = max(1, int(share * len(outputs)))
    elif share == "sqrt":
        drawn = max(1, int(np.sqrt(len(outputs))))
    elif share == "log2":
        drawn = max(1, int(np.log2(len(outputs))))
    else:
        return params
    params["max_features"] = min(drawn, left)
    return params


def _baseline(frame: pd.DataFrame, target: str, split: Split, classification: bool, metric: str):
    dev = target_values(split.dev(frame)[target])
    actual = target_values(split.test(frame)[target]).to_numpy()
    if classification:
        guess = np.full(len(actual), str(dev.mode().iloc[0]))
        return score(metric, actual.astype(str), guess)
    guess = np.full(len(actual), float(pd.to_numeric(dev).mean()))
    return score(metric, actual.astype(float), guess)


@shared(keep=lambda result: not result.unchecked)
@single_threaded
def check_reliance(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    key: str,
    split: Split,
    *,
    trained: TrainedModel | None = None,
    metric: str | None = None,
    progress: Progress | None = None,
    budget: float = TIME_BUDGET,
) -> Reliance:
    """Fit model ``key`` again without each group of related columns (same development rows,
    same test rows) and compare its test score with the score with every column. ``trained``: the
    model already fitted on ``split`` with every column (fitted here when not given)."""
    started = time.perf_counter()
    features = list(features)
    if trained is None:
        trained = train(frame, target, features, key, split=split, metric=metric)
    metric = trained.metric or metric or METRICS[trained.task]
    test = split.test(frame)
    actual = target_values(test[target]).to_numpy()
    losses = _losses(trained, test, actual)
    full = 1.0 - float(losses.mean())
    baseline = _baseline(frame, target, split, trained.is_classification, metric)
    result = Reliance(trained.key, trained.name, metric, full, baseline)
    if len(features) < 2:
        result.seconds = time.perf_counter() - started
        return result
    weights = column_weights(trained, frame, split)
    groups = choose_groups(frame, features, weights)
    for index, group in enumerate(groups):
        if progress:
            progress(
                index / len(groups),
                messages.text(
                    "learning.reliance_progress",
                    index=index + 1,
                    total=len(groups),
                    columns=group.label,
                ),
            )
        if time.perf_counter() - started > budget:
            result.unchecked.append(group)
            continue
        rest = [c for c in features if c not in group.columns]
        try:
            params = _params_without(trained, group.columns)
            refit = train(frame, target, rest, trained.key, split=split, metric=metric, **params)
        except DatalabError:  # e.g. the remaining columns cannot be learnt from
            result.unchecked.append(group)
            continue
        difference = _losses(refit, test, actual) - losses
        noise = float(difference.std() / np.sqrt(len(difference))) if len(difference) else 0.0
        drop = float(difference.mean())
        result.groups.append(GroupScore(group, full - drop, drop, False, noise))
    flag(result.groups, full, baseline)
    if progress:
        progress(1.0, messages.text("learning.reliance_done"))
    result.seconds = time.perf_counter() - started
    return result
