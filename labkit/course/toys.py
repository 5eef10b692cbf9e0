"""Small generated examples for module 01: learning from examples, under- and overfitting, and a
rule written by hand against a rule learnt by a tree.

Everything here is pure (no widget): the data are drawn from known, seeded generators, and each
function returns plain values (DataFrames, dataclasses, numbers). The figures live in
:mod:`labkit.plots.intro`, the widgets in :mod:`labkit.ui.module01`.

Three toys:

* **Classification** (water-network leaks): two measures per pipe section (age in years, pressure in
  bar) and whether a leak was found. A k-nearest-neighbours model goes from very simple (many
  neighbours) to very complex (one neighbour); its decision boundary is computed on a grid, and its
  error is measured on the examples it learnt from and on new points.
* **Regression** (swimming-pool attendance): daily entries against the day's temperature; a polynomial
  curve of growing degree through a handful of noisy days.
* **Rule or learnt?** (is the pool crowded?): a hand-written rule with two temperature thresholds (one
  for weekdays, one for weekends and bank holidays) compared with a shallow decision tree learnt from
  one summer, both judged on the days seen and on the next summer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from labkit import messages
from labkit.roomcache import shared

# ---------------------------------------------------------------------------------------------
# Toy 1: classification of pipe sections (leak or not)
# ---------------------------------------------------------------------------------------------
LEAK_FEATURES = ("age", "pression")
LEAK_TARGET = "fuite"
AGE_RANGE = (0.0, 80.0)  # years
PRESSURE_RANGE = (2.0, 8.0)  # bar
TRAIN_SIZE = 80
NEW_SIZE = 200
# Complexity levels, from very simple to very complex: the number of neighbours k.
NEIGHBOURS = (61, 41, 25, 15, 9, 5, 3, 2, 1)
DEFAULT_LEVEL = 4  # 1-based, k = 15


def _leak_log_odds(age: np.ndarray, pressure: np.ndarray) -> np.ndarray:
    """The true (hidden) risk of a leak: high for recent pipes (laying defects) and for old ones, and
    higher under high pressure. A curved frontier, so that a too simple model misses it."""
    u_shape = ((age - 38.0) / 22.0) ** 2 - 0.9
    high = (pressure - 5.0) / 1.0
    return 3.0 * u_shape + 1.6 * high


def draw_leak_points(n: int = TRAIN_SIZE, seed: int = 0) -> pd.DataFrame:
    """``n`` pipe sections drawn at random (seeded): columns ``age``, ``pression``, ``fuite`` (0/1).

    The same seed always gives the same points; another seed gives new points from the same world.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise messages.error("intro.bad_size", min=2)
    rng = np.random.default_rng(seed)
    age = rng.uniform(*AGE_RANGE, size=n)
    pressure = rng.uniform(*PRESSURE_RANGE, size=n)
    probability = 1.0 / (1.0 + np.exp(-_leak_log_odds(age, pressure)))
    leak = (rng.uniform(size=n) < probability).astype(int)
    # Both classes must be present, whatever the seed.
    if leak.min() == leak.max():
        leak[np.argmax(probability)] = 1
        leak[np.argmin(probability)] = 0
    return pd.DataFrame({"age": age.round(1), "pression": pressure.round(2), LEAK_TARGET: leak})


def level_count() -> int:
    return len(NEIGHBOURS)


def neighbours_for(level: int) -> int:
    """The number of neighbours k of a complexity level (1 = simplest … ``level_count()``)."""
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise messages.error("intro.bad_level", max=len(NEIGHBOURS))
    if not 1 <= int(level) <= len(NEIGHBOURS):
        raise messages.error("intro.bad_level", max=len(NEIGHBOURS))
    return NEIGHBOURS[int(level) - 1]


class LeakModel:
    """k nearest neighbours on the two standardised measures, written out in numpy (a few
    milliseconds for every level at once, which keeps the slider responsive).

    The probability of a leak at a point is the share of leaks among its k nearest examples; the
    prediction is « fuite » above one half, and the nearest example's class on a tie.
    """

    def __init__(self, train: pd.DataFrame, level: int):
        _check_leak_frame(train)
        self.k = min(neighbours_for(level), len(train))
        features = train[list(LEAK_FEATURES)].to_numpy(dtype=float)
        self.centre = features.mean(axis=0)
        self.scale = features.std(axis=0)
        self.scale[self.scale == 0] = 1.0
        self.points = (features - self.centre) / self.scale
        self.labels = train[LEAK_TARGET].to_numpy(dtype=int)

    def _nearest(self, features: np.ndarray) -> np.ndarray:
        """Labels of the k nearest examples of each row, nearest first."""
        scaled = (np.asarray(features, dtype=float) - self.centre) / self.scale
        distances = ((scaled[:, None, :] - self.points[None, :, :]) ** 2).sum(axis=2)
        order = np.argsort(distances, axis=1, kind="stable")[:, : self.k]
        return self.labels[order]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probability of a leak for each row of ``features`` (age, pressure)."""
        return self._nearest(features).mean(axis=1)

    def predict(self, features: np.ndarray) -> np.ndarray:
        nearest = self._nearest(features)
        share = nearest.mean(axis=1)
        return np.where(share == 0.5, nearest[:, 0], share > 0.5).astype(int)


def fit_leak_model(train: pd.DataFrame, level: int) -> LeakModel:
    """A k-nearest-neighbours model at this complexity level, learnt from ``train``."""
    return LeakModel(train, level)


def _check_leak_frame(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise messages.error("intro.no_points")
    missing = [c for c in (*LEAK_FEATURES, LEAK_TARGET) if c not in frame.columns]
    if missing:
        raise messages.error("intro.missing_columns", columns=", ".join(missing))


def error_rate(model: LeakModel, points: pd.DataFrame) -> float:
    """Share of ``points`` the model gets wrong (0 … 1)."""
    _check_leak_frame(points)
    predicted = model.predict(points[list(LEAK_FEATURES)].to_numpy(dtype=float))
    return float(np.mean(predicted != points[LEAK_TARGET].to_numpy()))


@dataclass(frozen=True)
class Grid:
    """Predictions on a regular grid: ``z[i][j]`` is for ``x[j]`` (age) and ``y[i]`` (pressure)."""

    x: list[float]
    y: list[float]
    z: list[list[float]]


def decision_grid(model: LeakModel, resolution: int = 60) -> Grid:
    """The model's probability of a leak on a grid covering the whole plane of the toy."""
    resolution = max(10, min(int(resolution), 200))
    xs = np.linspace(*AGE_RANGE, resolution)
    ys = np.linspace(*PRESSURE_RANGE, resolution)
    gx, gy = np.meshgrid(xs, ys)
    flat = np.column_stack([gx.ravel(), gy.ravel()])
    probability = model.predict_proba(flat)
    z = probability.reshape(gy.shape)
    return Grid(xs.round(3).tolist(), ys.round(4).tolist(), z.round(4).tolist())


UNDERFIT, GOOD_FIT, OVERFIT = "sous_apprentissage", "bon_compromis", "surapprentissage"


# « Proche de la plus basse » : within this share of the lowest error on new data, plus a floor.
CLASSIF_MARGIN = (0.1, 0.01)  # 10 %, or 1 point of percentage (2 of the 200 new pipes)
REGRESSION_MARGIN = (0.25, 0.0)  # 25 % of the lowest mean error in entries per day


def diagnose(
    errors_new: dict[int, float], setting: int, margin: tuple[float, float]
) -> tuple[str, int]:
    """Under- or overfitting of ``setting``, read on the measured curve of errors on new data.

    ``errors_new`` maps each setting, from the simplest to the most complex, to its error on new
    data. A setting whose error is at most ``lowest × (1 + share) + floor`` (``margin`` is
    ``(share, floor)``) is a good compromise; otherwise it underfits if it is simpler than the nearest best setting, and overfits
    if it is more complex. Returns the diagnosis and that best setting, so that the sentence can
    quote both errors (a teaching device: in a real project new data are not there to choose with).
    """
    best_error = min(errors_new.values())
    best_settings = [s for s, e in errors_new.items() if e == best_error]
    best = min(best_settings, key=lambda s: (abs(s - setting), s))
    share, floor = margin
    if errors_new[setting] <= best_error * (1 + share) + floor:
        return GOOD_FIT, best
    return (OVERFIT if setting > best else UNDERFIT), best


def describe_diagnosis(
    diagnosis: str, new: str, best: str, best_setting: str, is_best: bool
) -> str:
    """The sentence of a diagnosis, with the error measured here and the lowest of the curve."""
    if diagnosis == GOOD_FIT and is_best:
        return messages.text("intro.diagnosis_best", best=best)
    return messages.text(f"intro.diagnosis_{diagnosis}", new=new, best=best, setting=best_setting)


@dataclass(frozen=True, kw_only=True)
class FitResult:
    """What a toy shows for one setting: its errors on the data learnt and on new data, the
    diagnosis read on the curve of errors on new data (:func:`diagnose`) and that curve's lowest
    error."""

    train_error: float
    new_error: float
    diagnosis: str
    best_error: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ClassificationResult(FitResult):
    level: int
    neighbours: int
    grid: Grid
    train_count: int
    new_count: int
    best_level: int = 0

    @property
    def summary(self) -> str:
        """The two errors and what they mean, in plain French."""
        return describe_classification(self)


@shared(ignore=())
def classification_state(
    train: pd.DataFrame, new_points: pd.DataFrame, level: int, resolution: int = 60
) -> ClassificationResult:
    """Everything the classification toy shows for one complexity level."""
    model = fit_leak_model(train, level)
    train_error = error_rate(model, train)
    new_error = error_rate(model, new_points)
    curve = error_curve(train, new_points)
    errors_new = dict(zip(curve["niveau"].astype(int), curve["erreur_nouveaux"], strict=True))
    errors_new[int(level)] = new_error
    diagnosis, best = diagnose(errors_new, int(level), CLASSIF_MARGIN)
    return ClassificationResult(
        level=int(level),
        neighbours=min(neighbours_for(level), len(train)),
        grid=decision_grid(model, resolution),
        train_error=train_error,
        new_error=new_error,
        diagnosis=diagnosis,
        train_count=len(train),
        new_count=len(new_points),
        best_level=best,
        best_error=errors_new[best],
    )


@shared(ignore=())
def error_curve(train: pd.DataFrame, new_points: pd.DataFrame) -> pd.DataFrame:
    """Errors on the learnt examples and on new points for every complexity level."""
    rows = []
    for level in range(1, level_count() + 1):
        model = fit_leak_model(train, level)
        rows.append(
            {
                "niveau": level,
                "voisins": min(neighbours_for(level), len(train)),
                "erreur_apprentissage": error_rate(model, train),
                "erreur_nouveaux": error_rate(model, new_points),
            }
        )
    return pd.DataFrame(rows)


def percent(value: float) -> str:
    """A share (0 … 1) as a French percentage: ``0.125`` → ``13 %``."""
    return f"{round(100 * value):d}\u202f%"


def describe_classification(result: ClassificationResult) -> str:
    return " ".join(
        [
            messages.text(
                "intro.classif_errors",
                k=result.neighbours,
                train=percent(result.train_error),
                train_count=result.train_count,
                new=percent(result.new_error),
                new_count=result.new_count,
            ),
            describe_diagnosis(
                result.diagnosis,
                new=percent(result.new_error),
                best=percent(result.best_error),
                best_setting=f"k\u00a0=\u00a0{min(neighbours_for(result.best_level), result.train_count)}",
                is_best=result.level == result.best_level,
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------
# Toy 2: regression (pool attendance against temperature)
# ---------------------------------------------------------------------------------------------
TEMPERATURE_RANGE = (12.0, 34.0)  # °C
REGRESSION_TRAIN_SIZE = 14
REGRESSION_NEW_SIZE = 60
MAX_DEGREE = 12
MAX_ENTRIES = 2500.0  # the pool cannot take more people in a day
DEFAULT_DEGREE = 2


def true_attendance(temperature: np.ndarray) -> np.ndarray:
    """Average daily entries at a municipal pool: few on cool days, a steep rise, then a plateau (the
    pool is full)."""
    return 120.0 + 880.0 / (1.0 + np.exp(-(temperature - 24.0) / 1.6))


def draw_attendance(n: int = REGRESSION_TRAIN_SIZE, seed: int = 0) -> pd.DataFrame:
    """``n`` days (seeded): columns ``temperature`` (°C) and ``entrees`` (entries that day)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise messages.error("intro.bad_size", min=2)
    rng = np.random.default_rng(seed)
    temperature = np.sort(rng.uniform(*TEMPERATURE_RANGE, size=n))
    entries = true_attendance(temperature) + rng.normal(0, 90, size=n)
    return pd.DataFrame(
        {"temperature": temperature.round(1), "entrees": np.clip(entries, 0, None).round()}
    )


def _check_degree(degree: int) -> int:
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
        raise messages.error("intro.bad_degree", max=MAX_DEGREE)
    if not 0 <= int(degree) <= MAX_DEGREE:
        raise messages.error("intro.bad_degree", max=MAX_DEGREE)
    return int(degree)


@dataclass(frozen=True)
class Polynomial:
    """A polynomial in the centred, scaled temperature (numerically stable up to degree 12)."""

    coefficients: list[float]
    centre: float
    scale: float

    def predict(self, temperature) -> np.ndarray:
        """Predicted entries, kept between 0 and the pool's daily maximum (no negative visitors)."""
        t = (np.asarray(temperature, dtype=float) - self.centre) / self.scale
        return np.clip(np.polynomial.polynomial.polyval(t, self.coefficients), 0, MAX_ENTRIES)


def fit_polynomial(days: pd.DataFrame, degree: int) -> Polynomial:
    """Least-squares polynomial of ``degree`` through the days (degree 0 is the mean)."""
    degree = _check_degree(degree)
    if not isinstance(days, pd.DataFrame) or len(days) < 2:
        raise messages.error("intro.no_points")
    centre = float(np.mean(TEMPERATURE_RANGE))
    scale = float(TEMPERATURE_RANGE[1] - TEMPERATURE_RANGE[0]) / 2
    t = (days["temperature"].to_numpy(dtype=float) - centre) / scale
    # With more coefficients than points, lstsq returns the smallest-norm exact fit.
    vander = np.polynomial.polynomial.polyvander(t, degree)
    coefficients, *_ = np.linalg.lstsq(vander, days["entrees"].to_numpy(dtype=float), rcond=None)
    return Polynomial(coefficients.tolist(), centre, scale)


def mean_abs_error(poly: Polynomial, days: pd.DataFrame) -> float:
    """Mean absolute error in entries per day."""
    predicted = poly.predict(days["temperature"].to_numpy(dtype=float))
    return float(np.mean(np.abs(predicted - days["entrees"].to_numpy(dtype=float))))


@dataclass(frozen=True, kw_only=True)
class RegressionResult(FitResult):
    degree: int
    curve_x: list[float]
    curve_y: list[float]
    best_degree: int = 0

    @property
    def summary(self) -> str:
        return describe_regression(self)


@shared(ignore=())
def regression_state(
    train: pd.DataFrame, new_days: pd.DataFrame, degree: int, points: int = 200
) -> RegressionResult:
    """The curve of one degree, and its errors on the days learnt and on new days."""
    poly = fit_polynomial(train, degree)
    xs = np.linspace(*TEMPERATURE_RANGE, points)
    train_error = mean_abs_error(poly, train)
    new_error = mean_abs_error(poly, new_days)
    errors_new = degree_errors(train, new_days)
    diagnosis, best = diagnose(errors_new, int(degree), REGRESSION_MARGIN)
    return RegressionResult(
        degree=int(degree),
        curve_x=xs.round(3).tolist(),
        curve_y=poly.predict(xs).round(1).tolist(),
        train_error=train_error,
        new_error=new_error,
        diagnosis=diagnosis,
        best_degree=best,
        best_error=errors_new[best],
    )


@shared(ignore=())
def degree_errors(train: pd.DataFrame, new_days: pd.DataFrame) -> dict[int, float]:
    """Mean absolute error on the new days of every degree, from 0 to ``MAX_DEGREE``."""
    return {d: mean_abs_error(fit_polynomial(train, d), new_days) for d in range(MAX_DEGREE + 1)}


def describe_regression(result: RegressionResult) -> str:
    return " ".join(
        [
            messages.text(
                "intro.regression_errors",
                degree=result.degree,
                train=_entries(result.train_error),
                new=_entries(result.new_error),
            ),
            describe_diagnosis(
                result.diagnosis,
                new=messages.text("intro.entries_per_day", count=_entries(result.new_error)),
                best=messages.text("intro.entries_per_day", count=_entries(result.best_error)),
                best_setting=messages.text("intro.degree_setting", degree=result.best_degree),
                is_best=result.degree == result.best_degree,
            ),
        ]
    )


def _entries(value: float) -> str:
    return f"{round(value):,d}".replace(",", "\u202f")


# ---------------------------------------------------------------------------------------------
# Toy 3: a rule written by hand or a rule learnt? (is the pool crowded tomorrow?)
# ---------------------------------------------------------------------------------------------
WEEKDAY, WEEKEND = messages.text("intro.day_weekday"), messages.text("intro.day_weekend")
DAY_TYPES = (WEEKDAY, WEEKEND)
POOL_TARGET = "affluence"  # 1: more than the crowd threshold, extra lifeguards needed
POOL_FEATURES = ("temperature", "type_jour", "pluie")
THRESHOLD_RANGE = (15.0, 35.0)
THRESHOLD_STEP = 0.5


def draw_pool_days(seed: int = 0, days: int = 92) -> pd.DataFrame:
    """One summer (June to August) of a municipal pool, seeded.

    Columns: ``jour`` (day number), ``temperature`` (maximum °C), ``type_jour`` (``semaine`` or
    ``week-end ou férié``), ``pluie`` (1 if it rained in the afternoon), ``affluence`` (1 if the pool
    was crowded, i.e. more than 800 entries).
    """
    if not isinstance(days, int) or isinstance(days, bool) or days < 10:
        raise messages.error("intro.bad_size", min=10)
    rng = np.random.default_rng(seed)
    day = np.arange(days)
    season = 22.0 + 5.0 * np.sin(np.pi * (day + 5) / (days + 10))
    temperature = (season + rng.normal(0, 3.2, size=days)).round(1)
    weekend = ((day % 7) >= 5) | (rng.uniform(size=days) < 0.03)
    rain = (rng.uniform(size=days) < np.clip(0.35 - (temperature - 22) * 0.03, 0.05, 0.5)).astype(
        int
    )
    # Crowded when hot enough: about 29 °C on weekdays, 24 °C at weekends; rain keeps people away.
    log_odds = (temperature - np.where(weekend, 24.0, 29.0)) * 1.3 - 3.5 * rain
    crowded = (rng.uniform(size=days) < 1 / (1 + np.exp(-log_odds))).astype(int)
    return pd.DataFrame(
        {
            "jour": day + 1,
            "temperature": temperature,
            "type_jour": np.where(weekend, WEEKEND, WEEKDAY),
            "pluie": rain,
            POOL_TARGET: crowded,
        }
    )


@dataclass(frozen=True)
class HandRule:
    """Crowded if the temperature reaches ``weekday`` °C on a weekday, ``weekend`` °C otherwise."""

    weekday: float
    weekend: float

    def predict(self, days: pd.DataFrame) -> np.ndarray:
        threshold = np.where(days["type_jour"].to_numpy() == WEEKEND, self.weekend, self.weekday)
        return (days["temperature"].to_numpy(dtype=float) >= threshold).astype(int)

    def describe(self) -> str:
        return messages.text(
            "intro.rule_text", weekday=_degrees(self.weekday), weekend=_degrees(self.weekend)
        )


def make_rule(weekday, weekend) -> HandRule:
    """Check two thresholds typed or chosen by the trainee."""
    values = []
    for value in (weekday, weekend):
        if isinstance(value, bool):
            raise messages.error(
                "intro.bad_threshold", low=THRESHOLD_RANGE[0], high=THRESHOLD_RANGE[1]
            )
        try:
            number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise messages.error(
                "intro.bad_threshold", low=THRESHOLD_RANGE[0], high=THRESHOLD_RANGE[1]
            ) from None
        if not math.isfinite(number) or not THRESHOLD_RANGE[0] <= number <= THRESHOLD_RANGE[1]:
            raise messages.error(
                "intro.bad_threshold", low=THRESHOLD_RANGE[0], high=THRESHOLD_RANGE[1]
            )
        values.append(number)
    return HandRule(*values)


def _encode_days(days: pd.DataFrame) -> np.ndarray:
    return np.column_stack(
        [
            days["temperature"].to_numpy(dtype=float),
            (days["type_jour"].to_numpy() == WEEKEND).astype(float),
            days["pluie"].to_numpy(dtype=float),
        ]
    )


@shared(ignore=())
def learn_tree(days: pd.DataFrame, depth: int = 3) -> DecisionTreeClassifier:
    """A shallow decision tree learnt from the days (temperature, day type, rain)."""
    if not isinstance(days, pd.DataFrame) or days.empty:
        raise messages.error("intro.no_points")
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=4, random_state=0)
    tree.fit(_encode_days(days), days[POOL_TARGET].to_numpy())
    return tree


def tree_predict(tree: DecisionTreeClassifier, days: pd.DataFrame) -> np.ndarray:
    return tree.predict(_encode_days(days)).astype(int)


@dataclass(frozen=True)
class Errors:
    """The errors of one way of deciding, on one set of days."""

    days: int
    false_alarms: int  # announced crowded, it was not (lifeguards called for nothing)
    missed: int  # crowded, not announced (not enough staff)

    @property
    def total(self) -> int:
        return self.false_alarms + self.missed

    @property
    def rate(self) -> float:
        return self.total / self.days if self.days else 0.0


def count_errors(predicted: np.ndarray, actual: np.ndarray) -> Errors:
    predicted = np.asarray(predicted, dtype=int)
    actual = np.asarray(actual, dtype=int)
    return Errors(
        days=len(actual),
        false_alarms=int(np.sum((predicted == 1) & (actual == 0))),
        missed=int(np.sum((predicted == 0) & (actual == 1))),
    )


@dataclass(frozen=True)
class RuleComparison:
    rule: HandRule
    rule_seen: Errors
    rule_new: Errors
    tree_seen: Errors
    tree_new: Errors
    tree_rules: list[str] = field(default_factory=list)
    tree_uses_rain: bool = False  # whether one of the tree's questions is about rain

    def rows(self) -> list[dict[str, object]]:
        """A table for the page: one row per way of deciding and per set of days."""
        label = {
            ("rule", "seen"): messages.text("intro.row_rule_seen"),
            ("rule", "new"): messages.text("intro.row_rule_new"),
            ("tree", "seen"): messages.text("intro.row_tree_seen"),
            ("tree", "new"): messages.text("intro.row_tree_new"),
        }
        out = []
        for (who, when), errors in (
            (("rule", "seen"), self.rule_seen),
            (("rule", "new"), self.rule_new),
            (("tree", "seen"), self.tree_seen),
            (("tree", "new"), self.tree_new),
        ):
            out.append(
                {
                    messages.text("intro.col_who"): label[(who, when)],
                    messages.text("intro.col_false_alarms"): errors.false_alarms,
                    messages.text("intro.col_missed"): errors.missed,
                    messages.text("intro.col_errors"): f"{errors.total} / {errors.days}",
                    messages.text("intro.col_rate"): percent(errors.rate),
                }
            )
        return out

    @property
    def verdict(self) -> str:
        """Who does better on the new summer, in words."""
        rule, tree = self.rule_new.total, self.tree_new.total
        if rule < tree:
            key = "intro.verdict_rule_better"
        elif rule == tree:
            key = "intro.verdict_tie"
        elif rule - tree <= max(2, round(0.03 * self.rule_new.days)):
            key = "intro.verdict_close"
        else:  # the rain is named only when the rules shown above ask about it (issue 23)
            key = (
                "intro.verdict_tree_better_rain"
                if self.tree_uses_rain
                else "intro.verdict_tree_better"
            )
        return messages.text(key, rule=rule, tree=tree, days=self.rule_new.days)


def compare_rule_and_tree(
    rule: HandRule,
    seen: pd.DataFrame,
    new: pd.DataFrame,
    depth: int = 3,
    tree: DecisionTreeClassifier | None = None,
) -> RuleComparison:
    """The hand rule and a tree learnt on ``seen`` (or the ``tree`` given, already learnt on
    ``seen``), both judged on ``seen`` and on ``new``."""
    tree = tree if tree is not None else learn_tree(seen, depth)
    return RuleComparison(
        rule=rule,
        rule_seen=count_errors(rule.predict(seen), seen[POOL_TARGET]),
        rule_new=count_errors(rule.predict(new), new[POOL_TARGET]),
        tree_seen=count_errors(tree_predict(tree, seen), seen[POOL_TARGET]),
        tree_new=count_errors(tree_predict(tree, new), new[POOL_TARGET]),
        tree_rules=tree_rules_french(tree),
        tree_uses_rain=bool((tree.tree_.feature == POOL_FEATURES.index("pluie")).any()),
    )


def tree_rules_french(tree: DecisionTreeClassifier) -> list[str]:
    """The tree's leaves as French sentences: « Si … et … : bondée (12 jours bondés sur 14). »

    Successive tests on the temperature are merged into one interval (« entre 24 et 28 °C »).
    """
    inner = tree.tree_
    crowded_index = list(tree.classes_).index(1) if 1 in tree.classes_ else None
    sentences: list[str] = []

    def premise(low: float | None, high: float | None, flags: dict[int, bool]) -> str:
        parts = []
        if low is not None and high is not None:
            parts.append(
                messages.text("intro.cond_temp_between", low=_degrees(low), high=_degrees(high))
            )
        elif low is not None:
            parts.append(messages.text("intro.cond_temp_above", value=_degrees(low)))
        elif high is not None:
            parts.append(messages.text("intro.cond_temp_below", value=_degrees(high)))
        if 1 in flags:
            parts.append(messages.text("intro.cond_weekend" if flags[1] else "intro.cond_weekday"))
        if 2 in flags:
            parts.append(messages.text("intro.cond_rain" if flags[2] else "intro.cond_dry"))
        return (
            messages.text("intro.cond_and").join(parts)
            if parts
            else messages.text("intro.cond_always")
        )

    def walk(node: int, low: float | None, high: float | None, flags: dict[int, bool]) -> None:
        left, right = inner.children_left[node], inner.children_right[node]
        if left == right:  # a leaf
            total = int(inner.n_node_samples[node])
            share = inner.value[node][0]
            share = share / share.sum() if share.sum() else share
            crowded = int(round(share[crowded_index] * total)) if crowded_index is not None else 0
            key = "intro.leaf_crowded" if crowded * 2 > total else "intro.leaf_calm"
            sentences.append(
                messages.text(key, premise=premise(low, high, flags), crowded=crowded, total=total)
            )
            return
        feature, threshold = int(inner.feature[node]), float(inner.threshold[node])
        if feature == 0:
            walk(left, low, threshold, flags)
            walk(right, threshold, high, flags)
        else:
            walk(left, low, high, {**flags, feature: False})
            walk(right, low, high, {**flags, feature: True})

    walk(0, None, None, {})
    return sentences


def _degrees(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").replace(",0", "") + "\u202f°C"
