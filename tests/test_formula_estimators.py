"""Datalab's formula estimators follow scikit-learn's estimator contract (its own check suite)."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from labkit.model.formula import FormulaClassifier, FormulaRegressor


@parametrize_with_checks([FormulaClassifier(), FormulaRegressor()])
def test_formula_estimator_follows_the_scikit_learn_contract(estimator, check):
    check(estimator)
