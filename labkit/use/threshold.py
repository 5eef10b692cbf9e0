"""Module 06's decision threshold, from the costs of false positives and false negatives.

:func:`threshold_analysis` computes the expected cost of the errors at every threshold on held-out
rows and picks the cheapest; :func:`context_threshold` does it for the model in use on its
held-out rows. The costs and the threshold are checked by :func:`labkit.use.usecase.check_cost`
and :func:`labkit.use.usecase.check_threshold`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.errors import DatalabError
from labkit.model.display import format_value, number
from labkit.model.problem import target_values
from labkit.use.usecase import UseContext, check_cost, check_threshold, matching_key


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"usecase.{key}", **fields)


def probability_column(proba: pd.DataFrame, label: Any):
    """The column of ``proba`` that holds the probability of ``label``."""
    column = matching_key(proba.columns, label)
    if column is None:
        raise messages.error("usecase.threshold_no_proba")
    return column


def counts_at(actual_positive: np.ndarray, p_positive: np.ndarray, threshold: float) -> dict:
    predicted = p_positive >= threshold
    return {
        "tp": int(np.sum(predicted & actual_positive)),
        "fp": int(np.sum(predicted & ~actual_positive)),
        "fn": int(np.sum(~predicted & actual_positive)),
        "tn": int(np.sum(~predicted & ~actual_positive)),
    }


@dataclass
class ThresholdAnalysis:
    """Expected cost of the errors for every threshold, on held-out rows."""

    positive: Any
    negative: Any
    cost_fp: float
    cost_fn: float
    table: pd.DataFrame  # threshold, tp, fp, fn, tn, cost, cost_per_case
    best: float
    rows: int
    _actual: np.ndarray = field(repr=False, default=None)
    _proba: np.ndarray = field(repr=False, default=None)

    @property
    def theoretical(self) -> float:
        return self.cost_fp / (self.cost_fp + self.cost_fn)

    def counts(self, threshold: float) -> dict:
        """tp, fp, fn, tn and the total cost at ``threshold``."""
        threshold = check_threshold(threshold)
        counts = counts_at(self._actual, self._proba, threshold)
        counts["cost"] = counts["fp"] * self.cost_fp + counts["fn"] * self.cost_fn
        counts["threshold"] = threshold
        return counts

    @property
    def best_counts(self) -> dict:
        return self.counts(self.best)

    def labels(self) -> dict[str, str]:
        names = {"positive": format_value(self.positive), "negative": format_value(self.negative)}
        return {k: _t(f"{k}_label", **names) for k in ("tp", "fp", "fn", "tn")}

    def counts_text(self, threshold: float) -> str:
        c = self.counts(threshold)
        return _t(
            "threshold_counts",
            threshold=number(c["threshold"], 2),
            tp=c["tp"],
            fp=c["fp"],
            fn=c["fn"],
            tn=c["tn"],
            cost=number(c["cost"], 6),
        )

    def texts(self) -> list[str]:
        best = self.best_counts
        default = self.counts(0.5)
        return [
            _t("threshold_rule", positive=format_value(self.positive)),
            _t(
                "threshold_best",
                threshold=number(self.best, 2),
                rows=self.rows,
                fp=best["fp"],
                fn=best["fn"],
                cost=number(best["cost"], 6),
                per_case=number(best["cost"] / max(self.rows, 1), 3),
            ),
            _t(
                "threshold_default",
                fp=default["fp"],
                fn=default["fn"],
                cost=number(default["cost"], 6),
            ),
            _t("threshold_theory", value=number(self.theoretical, 2)),
            _t("threshold_human"),
        ]


THRESHOLDS = tuple(round(i / 100, 2) for i in range(1, 100))


def threshold_analysis(
    actual: Sequence,
    p_positive: Sequence[float],
    positive: Any,
    negative: Any,
    cost_fp: Any,
    cost_fn: Any,
    thresholds: Sequence[float] = THRESHOLDS,
) -> ThresholdAnalysis:
    """Cost of the errors (``fp × cost_fp + fn × cost_fn``) at each threshold; the best threshold
    is the cheapest (ties: the one closest to the theoretical cost ratio)."""
    cost_fp, cost_fn = check_cost(cost_fp), check_cost(cost_fn)
    if cost_fp == 0 and cost_fn == 0:
        raise messages.error("usecase.cost_both_zero")
    actual = pd.Series(list(actual)).astype(str).to_numpy()
    proba = np.asarray(list(p_positive), dtype=float)
    keep = ~np.isnan(proba)
    actual, proba = actual[keep], proba[keep]
    if len(actual) == 0:
        raise messages.error("usecase.threshold_no_rows")
    is_positive = actual == str(positive)
    rows = []
    for threshold in thresholds:
        c = counts_at(is_positive, proba, threshold)
        cost = c["fp"] * cost_fp + c["fn"] * cost_fn
        rows.append({"threshold": float(threshold), **c, "cost": cost})
    table = pd.DataFrame(rows)
    table["cost_per_case"] = table["cost"] / len(actual)
    cheapest = table[np.isclose(table["cost"], table["cost"].min())]
    ratio = cost_fp / (cost_fp + cost_fn)
    best = float(cheapest.loc[(cheapest["threshold"] - ratio).abs().idxmin(), "threshold"])
    return ThresholdAnalysis(
        positive, negative, cost_fp, cost_fn, table, best, len(actual), is_positive, proba
    )


def context_threshold(context: UseContext, cost_fp: Any, cost_fn: Any) -> ThresholdAnalysis:
    """The threshold analysis of the context's model on its held-out rows."""
    trained = context.trained
    if not trained.is_classification or len(trained.classes) != 2:
        what = (
            _t("threshold_regression")
            if not trained.is_classification
            else _t("threshold_multiclass", count=len(trained.classes))
        )
        raise messages.error("usecase.threshold_not_binary", what=what)
    test, note = context.holdout()
    if test is None or test.empty:
        raise DatalabError(note or _t("holdout_missing"))
    proba = trained.predict_proba(test)
    if proba is None:
        raise messages.error("usecase.threshold_no_proba")
    positive = trained.positive
    negative = next(c for c in trained.classes if str(c) != str(positive))
    actual = target_values(test[trained.target])
    return threshold_analysis(
        actual, proba[probability_column(proba, positive)], positive, negative, cost_fp, cost_fn
    )


def threshold_saved_text(values: Mapping[str, Any]) -> str:
    return _t(
        "threshold_saved",
        threshold=number(values["threshold"], 2) if values.get("threshold") is not None else "—",
        cost_fp=number(values["cost_fp"], 6),
        cost_fn=number(values["cost_fn"], 6),
    )
