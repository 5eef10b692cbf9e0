"""What a model has learnt, in plain French (module 05, and module 06's what-if form).

- :func:`importance` — permutation importance on the held-out test rows: how much the score drops
  when one column's values are shuffled (one row per original column, categories grouped).
- :func:`tree_rules` — the rules of a (shallow) decision tree as French sentences, thresholds put
  back in the column's own units.
- :func:`formula` — the explicit model's formula (or any linear model's), in the columns' units.
- :func:`explain_prediction` — for one row: the prediction, how each column pushes it (compared
  with a typical value of that column) and, for a tree, the path followed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from labkit import messages
from labkit.model.catalogue import (
    INFREQUENT,
    MISSING_CATEGORY,
    OutputColumn,
    expected_warnings_silenced,
    output_columns,
    single_threaded,
)
from labkit.model.display import format_value, number, points
from labkit.model.formula import FormulaClassifier, FormulaRegressor
from labkit.model.learning import TrainedModel, train
from labkit.model.problem import Split, target_values
from labkit.roomcache import shared


# ============================================================================ importance
@shared(ignore=())
@single_threaded
def importance(
    trained: TrainedModel,
    frame: pd.DataFrame,
    split: Split,
    *,
    repeats: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    """Permutation importance on the test rows of ``split``: columns ``column``, ``importance``
    (mean drop of the score), ``std``; most important first.

    The numbers are scikit-learn's ``permutation_importance`` (same shuffles, same scores), but
    the shuffled copies are predicted together, a few columns at a time, instead of once per
    column and repeat: the pipeline's fixed cost per call was most of the time (81 calls, 0.5 to
    1 s on the running example). k nearest neighbours may differ in the last digits (a tie
    between two neighbours broken the other way)."""
    test = split.test(frame)
    X = trained.inputs(test).reset_index(drop=True)
    y = target_values(test[trained.target]).to_numpy()
    score = _scorer(trained.metric)
    with expected_warnings_silenced():
        baseline = score(y, trained.pipeline.predict(X))
        drops = np.empty((X.shape[1], repeats))
        # scikit-learn gives every column the same seed, drawn once from ``random_state``
        seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
        per_batch = max(1, _BATCH_ROWS // max(1, len(X) * repeats))
        for start in range(0, X.shape[1], per_batch):
            columns = range(start, min(start + per_batch, X.shape[1]))
            copies = [copy for col in columns for copy in _shuffled(X, col, seed, repeats)]
            predicted = trained.pipeline.predict(pd.concat(copies, ignore_index=True))
            for offset, col in enumerate(columns):
                for repeat in range(repeats):
                    at = (offset * repeats + repeat) * len(X)
                    drops[col, repeat] = baseline - score(y, predicted[at : at + len(X)])
    table = pd.DataFrame(
        {
            "column": list(X.columns),
            "importance": drops.mean(axis=1),
            "std": drops.std(axis=1),
        }
    )
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


_BATCH_ROWS = 60_000  # rows predicted in one call (memory stays small on a 5,000-row table)


def _scorer(metric: str):
    """scikit-learn's ``accuracy`` or ``r2`` score; the accuracy without its checks of the two
    arrays (a millisecond each, called 80 times), since both come from the model itself."""
    from sklearn.metrics import r2_score

    if metric == "accuracy":
        return lambda y_true, y_pred: float(np.average(y_true == y_pred))
    return r2_score


def _shuffled(X: pd.DataFrame, col: int, seed: int, repeats: int) -> list[pd.DataFrame]:
    """The ``repeats`` copies of ``X`` that scikit-learn's ``permutation_importance`` scores for
    column ``col`` (its ``_calculate_permutation_scores``: one index shuffled again at each
    repeat, applied to the column as it was left by the repeat before)."""
    state = np.random.RandomState(seed)
    index = np.arange(len(X))
    values = X.iloc[:, col]
    copies = []
    for _ in range(repeats):
        state.shuffle(index)
        values = values.iloc[index].set_axis(X.index)
        copy = X.copy()
        copy[X.columns[col]] = values
        copies.append(copy)
    return copies


def importance_sentences(table: pd.DataFrame, metric: str, top: int = 3) -> list[str]:
    """The few columns that matter most, each in a sentence."""
    useful = table[table["importance"] > 0.005].head(top)
    if useful.empty:
        return [messages.text("learning.importance_none")]
    fmt = _score_drop(metric)
    return [
        messages.text("learning.importance_text", column=row.column, drop=fmt(row.importance))
        for row in useful.itertuples()
    ]


def _score_drop(metric: str):
    if metric == "accuracy":
        return points
    return lambda v: number(v, 2)


# ============================================================================ conditions
def _is_integer(trained: TrainedModel | None, column: str) -> bool:
    if trained is None:
        return False
    return bool(trained.info.get("profile", {}).get(column, {}).get("integer"))


def _original_threshold(out: OutputColumn, threshold: float) -> float:
    return threshold * out.scale + out.mean


def _category_label(category: str | None) -> str:
    if category == INFREQUENT:
        return messages.text("learning.category_rare")
    if category == MISSING_CATEGORY:
        return messages.text("learning.category_empty")
    return str(category)


def _is_boolean(trained: TrainedModel | None, column: str) -> bool:
    return trained is not None and column in trained.kinds.booleans


def _is_date(trained: TrainedModel | None, column: str) -> bool:
    return trained is not None and column in trained.kinds.dates


def _show_number(trained: TrainedModel | None, column: str, value: float) -> str:
    if _is_date(trained, column):
        year = int(math.floor(value))
        month = min(12, max(1, int(round((value - year) * 12)) + 1))
        return f"{month:02d}/{year}"
    return number(value, 4)


def condition_text(
    out: OutputColumn, threshold: float, go_right: bool, trained: TrainedModel | None = None
) -> str:
    """One split of a tree (``feature <= threshold`` is the left branch) in French."""
    if out.kind == "category":
        if not go_right and len(out.others) == 1:  # two values: "not A" is "B"
            return messages.text(
                "learning.rule_is", column=out.column, category=_category_label(out.others[0])
            )
        key = "learning.rule_is" if go_right else "learning.rule_is_not"
        return messages.text(key, column=out.column, category=_category_label(out.category))
    value = _original_threshold(out, threshold)
    if _is_boolean(trained, out.column):
        key = "learning.rule_is" if go_right else "learning.rule_is_not"
        return messages.text(key, column=out.column, category="oui")
    if _is_integer(trained, out.column):
        value = math.floor(value + 1e-9)
    shown = _show_number(trained, out.column, value)
    key = "learning.rule_gt" if go_right else "learning.rule_le"
    return messages.text(key, column=out.column, value=shown)


# ============================================================================ tree rules
@dataclass
class Rule:
    conditions: list[str]
    outcome: str
    count: int
    value: Any  # the predicted class or number
    share: float | None = None

    @property
    def text(self) -> str:
        if not self.conditions:
            return messages.text("learning.rule_always", outcome=self.outcome)
        return messages.text(
            "learning.rule_if",
            conditions=messages.text("learning.rule_and").join(self.conditions),
            outcome=self.outcome,
        )


def _tree_parts(trained: TrainedModel):
    model = trained.pipeline.named_steps["model"]
    if not isinstance(model, (DecisionTreeClassifier, DecisionTreeRegressor)):
        return None, None
    return model, output_columns(trained.pipeline.named_steps["prep"])


def _leaf_outcome(model, node: int) -> tuple[str, Any, float | None, int]:
    tree = model.tree_
    count = int(tree.n_node_samples[node])
    values = tree.value[node][0]
    if hasattr(model, "classes_"):
        shares = values / values.sum() if values.sum() else values
        best = int(np.argmax(shares))
        label = model.classes_[best]
        outcome = messages.text(
            "learning.rule_outcome_class",
            label=format_value(label),
            share=_percent_plain(shares[best]),
            count=count,
        )
        return outcome, label, float(shares[best]), count
    value = float(values[0])
    return (
        messages.text("learning.rule_outcome_value", value=number(value, 3), count=count),
        value,
        None,
        count,
    )


def _percent_plain(value: float) -> str:
    return f"{round(100 * float(value))}\u202f%"


def tree_rules(trained: TrainedModel) -> list[Rule]:
    """Every leaf of a fitted decision tree as a rule (conditions from the root), left to right."""
    model, outputs = _tree_parts(trained)
    if model is None:
        return []
    tree = model.tree_
    rules: list[Rule] = []

    def walk(node: int, conditions: list[tuple[int, float, bool]]) -> None:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            outcome, value, share, count = _leaf_outcome(model, node)
            rules.append(Rule(_merge(conditions, outputs, trained), outcome, count, value, share))
            return
        feature, threshold = int(tree.feature[node]), float(tree.threshold[node])
        walk(left, [*conditions, (feature, threshold, False)])
        walk(right, [*conditions, (feature, threshold, True)])

    walk(0, [])
    return rules


def _merge(
    conditions: list[tuple[int, float, bool]],
    outputs: list[OutputColumn],
    trained: TrainedModel | None,
) -> list[str]:
    """Keep only the tightest bound per numeric column and per direction; one sentence each."""
    kept: dict[tuple[int, bool], float] = {}
    order: list[tuple[int, bool]] = []
    for feature, threshold, right in conditions:
        key = (feature, right)
        out = outputs[feature]
        if out.kind == "numeric" and key in kept:
            kept[key] = max(kept[key], threshold) if right else min(kept[key], threshold)
            continue
        if key not in kept:
            order.append(key)
        kept[key] = threshold
    # categories: "vaut « A »" makes "ne vaut pas « B »" useless; several "ne vaut pas" on one
    # column read better as "ne vaut ni « B » ni « C »"
    positive = {outputs[f].column for f, right in order if right and outputs[f].kind == "category"}
    excluded: dict[str, list[str]] = {}
    texts: list[str] = []
    for feature, right in order:
        out = outputs[feature]
        if out.kind == "category" and not right and len(out.others) != 1:
            if out.column not in positive:
                if out.column not in excluded:
                    excluded[out.column] = []
                    texts.append(f"\0{out.column}")  # placeholder, filled below
                excluded[out.column].append(_category_label(out.category))
            continue
        texts.append(condition_text(out, kept[(feature, right)], right, trained))
    final = []
    for text in texts:
        if text.startswith("\0"):
            column = text[1:]
            values = excluded[column]
            if len(values) == 1:
                text = messages.text("learning.rule_is_not", column=column, category=values[0])
            else:
                text = messages.text(
                    "learning.rule_is_none",
                    column=column,
                    categories=" ni ".join(f"« {v} »" for v in values),
                )
        final.append(text)
    return list(dict.fromkeys(final))


@single_threaded
def shallow_tree(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    *,
    split: Split | None = None,
    depth: int = 3,
    recipe: dict | None = None,
) -> TrainedModel:
    """A decision tree of at most ``depth`` levels, learnt on the development rows: its rules are
    short enough to read."""
    depth = int(min(max(depth, 1), 6))
    return train(frame, target, features, "tree", split=split, recipe=recipe, max_depth=depth)


# ============================================================================ formula
@dataclass
class Term:
    column: str
    category: str | None  # None for a number (coefficient per unit)
    coef: float
    text: str


@dataclass
class Formula:
    """A linear model written in the columns' own units."""

    lines: list[str]  # one equation per score (one for a regression or two classes)
    reading: str
    notes: list[str]
    terms: dict[str, list[Term]] = field(default_factory=dict)  # per score label
    intercepts: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join([*self.lines, self.reading, *self.notes])


def _coef_text(coef: float, first: bool) -> tuple[str, str]:
    sign = "−" if coef < 0 else "+"
    shown = number(abs(coef), 3)
    return sign, shown


def _linear_parts(trained: TrainedModel):
    """(coefficients per score, intercepts, output columns used, labels of the scores)."""
    model = trained.pipeline.named_steps["model"]
    outputs = output_columns(trained.pipeline.named_steps["prep"])
    if isinstance(model, (FormulaClassifier, FormulaRegressor)):
        used = [outputs[i] for i in model.selected_]
        coef = np.atleast_2d(model.coef_) if len(used) else np.zeros((len(model.intercept_), 0))
        intercept = np.atleast_1d(model.intercept_)
    elif hasattr(model, "coef_") and hasattr(model, "intercept_"):
        used = outputs
        coef = np.atleast_2d(model.coef_)
        intercept = np.atleast_1d(model.intercept_)
    else:
        return None
    classes = list(getattr(model, "classes_", []))
    if not classes:
        labels = [None]
    elif len(classes) == 2:
        labels = [classes[1]]
    else:
        labels = classes
    return coef, intercept, used, labels, classes


def formula(trained: TrainedModel) -> Formula | None:
    """The model's formula in the columns' units (``None`` for a model that is not linear)."""
    parts = _linear_parts(trained)
    if parts is None:
        return None
    coef, intercept, used, labels, classes = parts
    lines, all_terms, intercepts = [], {}, {}
    for row, label in enumerate(labels):
        constant = float(intercept[row])
        terms: list[Term] = []
        for j, out in enumerate(used):
            weight = float(coef[row, j])
            if abs(weight) < 1e-12:
                continue
            if out.kind == "numeric" and not _is_boolean(trained, out.column):
                per_unit = weight / out.scale
                constant -= per_unit * out.mean
                column = (
                    messages.text("learning.formula_date_column", column=out.column)
                    if _is_date(trained, out.column)
                    else out.column
                )
                terms.append(
                    Term(
                        out.column,
                        None,
                        per_unit,
                        messages.text(
                            "learning.formula_term_numeric",
                            coef=number(abs(per_unit), 3),
                            column=column,
                        ),
                    )
                )
            elif out.kind == "numeric":  # yes/no column scaled: x in {0, 1}
                per_unit = weight / out.scale
                constant -= per_unit * out.mean
                terms.append(
                    Term(
                        out.column,
                        "oui",
                        per_unit,
                        messages.text(
                            "learning.formula_term_category",
                            coef=number(abs(per_unit), 3),
                            column=out.column,
                            category="oui",
                        ),
                    )
                )
            else:
                terms.append(
                    Term(
                        out.column,
                        out.category,
                        weight,
                        messages.text(
                            "learning.formula_term_category",
                            coef=number(abs(weight), 3),
                            column=out.column,
                            category=_category_label(out.category),
                        ),
                    )
                )
        expression = number(constant, 3)
        for term in terms:
            sign = "−" if term.coef < 0 else "+"
            expression += f" {sign} {term.text}"
        name = "" if label is None else str(label)
        all_terms[name] = terms
        intercepts[name] = constant
        if label is None:
            lines.append(
                messages.text(
                    "learning.formula_regression", target=trained.target, expression=expression
                )
            )
        elif len(classes) == 2:
            lines.append(messages.text("learning.formula_binary", expression=expression))
        else:
            lines.append(
                messages.text(
                    "learning.formula_multiclass", label=format_value(label), expression=expression
                )
            )
    if not classes:
        reading = ""
    elif len(classes) == 2:
        reading = messages.text(
            "learning.formula_binary_reading",
            positive=format_value(classes[1]),
            negative=format_value(classes[0]),
        )
    else:
        reading = messages.text("learning.formula_multiclass_reading")
    notes = []
    if not any(all_terms.values()):
        notes.append(messages.text("learning.formula_empty"))
    seen = set()
    for out in used:
        if (
            out.kind == "numeric"
            and out.column not in seen
            and any(t.column == out.column for ts in all_terms.values() for t in ts)
        ):
            seen.add(out.column)
            notes.append(
                messages.text(
                    "learning.formula_missing",
                    column=out.column,
                    value=_show_number(trained, out.column, out.fill),
                )
            )
    notes.append(messages.text("learning.formula_rounded"))
    return Formula(lines, reading, notes, all_terms, intercepts)


# ============================================================================ one prediction
@dataclass
class Contribution:
    column: str
    value: Any
    reference: Any
    effect: float  # change of the prediction (probability points or target units)
    text: str


@dataclass
class PredictionExplanation:
    prediction: Any
    probabilities: dict | None
    contributions: list[Contribution]
    path: list[str]  # the tree path, for a tree
    focus: Any = None  # the class whose probability the effects are about


def _typical(trained: TrainedModel, column: str, frame: pd.DataFrame | None):
    profile = trained.info.get("profile", {}).get(column, {})
    kind = profile.get("kind")
    if kind == "numeric" and profile.get("median") is not None:
        value = profile["median"]
        return int(round(value)) if profile.get("integer") else value
    if kind == "category" and profile.get("categories"):
        return profile["categories"][0]
    if kind == "date" and profile.get("median"):
        return pd.Timestamp(profile["median"])
    if frame is not None and column in frame.columns:
        values = frame[column].dropna()
        if len(values):
            return values.mode().iloc[0]
    return None


def _as_frame(trained: TrainedModel, row) -> pd.DataFrame:
    if isinstance(row, pd.DataFrame):
        return row.iloc[[0]].copy()
    if isinstance(row, pd.Series):
        return row.to_frame().T.reset_index(drop=True)
    return pd.DataFrame([dict(row)])


def _output(trained: TrainedModel, frame: pd.DataFrame, focus) -> float:
    if trained.is_classification:
        proba = trained.predict_proba(frame)
        if proba is not None:
            return float(proba[focus].iloc[0])
        return float(str(trained.predict(frame)[0]) == str(focus))
    return float(trained.predict(frame)[0])


def explain_prediction(
    trained: TrainedModel, row, *, frame: pd.DataFrame | None = None
) -> PredictionExplanation:
    """Explain the prediction for one row (a dict, a Series or a one-row DataFrame of the clean
    table's columns): each column's effect is the change of the prediction when that column
    alone is set to its typical value (median, most frequent category)."""
    one = _as_frame(trained, row)
    missing = [c for c in trained.features if c not in one.columns]
    if missing:
        raise messages.error("learning.missing_features", columns=", ".join(missing))
    one = _restore_types(trained, one, frame)
    with threadpool_limits(limits=1):
        prediction = trained.predict(one)[0]
        proba = trained.predict_proba(one)
    probabilities = None
    focus = None
    if trained.is_classification:
        positive = trained.positive
        focus = positive if positive is not None else prediction
        if proba is not None:
            probabilities = {k: float(v) for k, v in proba.iloc[0].items()}
    base = _output(trained, one, focus)
    contributions = []
    for column in trained.features:
        reference = _typical(trained, column, frame)
        if reference is None:
            continue
        changed = one.copy()
        changed[column] = pd.Series([reference], index=changed.index).astype(
            one[column].dtype, errors="ignore"
        )
        effect = base - _output(trained, changed, focus)
        contributions.append(
            Contribution(
                column,
                _plain(one[column].iloc[0]),
                _plain(reference),
                effect,
                _contribution_text(trained, column, one[column].iloc[0], effect, focus),
            )
        )
    contributions.sort(key=lambda c: abs(c.effect), reverse=True)
    return PredictionExplanation(
        _plain(prediction), probabilities, contributions, tree_path(trained, one), focus
    )


def _restore_types(
    trained: TrainedModel, one: pd.DataFrame, frame: pd.DataFrame | None
) -> pd.DataFrame:
    """Values typed in a form come as text or numbers: give them the training column's kind."""
    one = one.copy()
    for column in trained.kinds.numeric:
        if column in one.columns:
            one[column] = pd.to_numeric(one[column], errors="coerce")
    for column in trained.kinds.dates:
        if column in one.columns:
            one[column] = pd.to_datetime(one[column], errors="coerce")
    return one


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _contribution_text(trained: TrainedModel, column: str, value, effect: float, focus) -> str:
    side = "up" if effect > 0 else "down"
    if trained.is_classification:
        key, size = "learning.contribution_class_text", points(effect, signed=True)
        if abs(effect) < 0.01:
            none = messages.text("learning.contribution_none")
            direction = messages.text("learning.contribution_class_none", none=none)
        else:
            direction = messages.text(
                f"learning.contribution_class_{side}", label=format_value(focus)
            )
    else:
        key, size = (
            "learning.contribution_text",
            f"{'+' if effect >= 0 else '−'}{number(abs(effect), 3)}",
        )
        if abs(effect) < 1e-9:
            direction = messages.text("learning.contribution_none")
        else:
            direction = messages.text(f"learning.contribution_{side}")
    return messages.text(
        key, column=column, value=format_value(value), direction=direction, effect=size
    )


def tree_path(trained: TrainedModel, one: pd.DataFrame) -> list[str]:
    """For a tree model, the conditions met by the row from the root to its leaf, then the
    outcome; empty for other models."""
    model, outputs = _tree_parts(trained)
    if model is None:
        return []
    prep = trained.pipeline.named_steps["prep"]
    with expected_warnings_silenced():
        x = prep.transform(trained.inputs(one))
    node_ids = model.decision_path(x).indices
    tree = model.tree_
    steps = []
    for node in node_ids:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:
            outcome, *_ = _leaf_outcome(model, node)
            steps.append(outcome)
            break
        feature, threshold = int(tree.feature[node]), float(tree.threshold[node])
        go_right = bool(x[0, feature] > threshold)
        steps.append(condition_text(outputs[feature], threshold, go_right, trained))
    return steps
