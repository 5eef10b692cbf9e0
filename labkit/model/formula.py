"""Datalab's formula models: a linear model on a few columns, short enough to read.

:class:`FormulaClassifier` and :class:`FormulaRegressor` are scikit-learn estimators that choose at
most ``max_terms`` input columns inside ``fit`` (:func:`greedy_columns`), so that the choice is part
of what cross-validation evaluates; :func:`labkit.model.explain.formula` writes the result as a
formula in the columns' units. They are among the types a saved model file may contain
(:data:`labkit.model.model_store.TRUSTED_TYPES`).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

FORMULA_TERMS = 5


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

    def _select(self, X: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """``X`` reduced to the columns the formula keeps, chosen here (``selected_``)."""
        self.selected_ = np.array(greedy_columns(X, targets, self.max_terms), dtype=int)
        return self._reduce(X)

    def _reduce(self, X) -> np.ndarray:
        if len(self.selected_) == 0:
            return np.zeros((X.shape[0], 1))
        return X[:, self.selected_]

    def _checked(self, X) -> np.ndarray:
        """``X`` checked against what ``fit`` saw, reduced to the formula's columns."""
        check_is_fitted(self)
        return self._reduce(validate_data(self, X, dtype=np.float64, reset=False))

    def predict(self, X):
        reduced = self._checked(X)
        return self.model_.predict(reduced)


class FormulaClassifier(ClassifierMixin, _FormulaBase):
    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        reduced = self._select(X, np.eye(len(self.classes_))[codes])
        self.model_ = LogisticRegression(C=10.0, max_iter=1000)
        with warnings.catch_warnings():
            # A formula is kept even when lbfgs stops at max_iter: its few terms are readable.
            warnings.filterwarnings(
                "ignore", message="lbfgs failed to converge", category=ConvergenceWarning
            )
            self.model_.fit(reduced, y)
        return self

    def predict_proba(self, X):
        reduced = self._checked(X)
        return self.model_.predict_proba(reduced)

    def decision_function(self, X):
        reduced = self._checked(X)
        return self.model_.decision_function(reduced)


class FormulaRegressor(RegressorMixin, _FormulaBase):
    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self.model_ = LinearRegression()
        self.model_.fit(self._select(X, y), y)
        return self
