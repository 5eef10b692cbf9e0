"""Leakage: columns that give the target away, alone, two by two or together.

A column filled in once the outcome is known (a closing date, a decision code) lets a model look
right while it learns nothing usable. :func:`leakage_findings` tests each column alone (a
majority vote per value for a class target, a rank correlation or equal values for a numeric
one, a first name shared by many people), pairs of columns (a difference or a ratio), and sets of
columns (a decision tree or a linear fit);
:func:`associations` gives, per column, how much it alone tells about the target.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from labkit import messages
from labkit.prepare.findings import Finding, percent, quoted
from labkit.prepare.profiling import (
    as_floats,
    classify_text,
    numbers_of,
    profile_of,
    target_task,
)
from labkit.prepare.recipe import Step

LEAKAGE_ACCURACY = 0.98
LEAKAGE_CORRELATION = 0.97  # rank correlation with a numeric target
LEAKAGE_ETA = 0.9  # share of a numeric target's rank variance explained by a category
PAIR_CANDIDATES = 12  # columns tried two by two for combined leaks
JOINT_MAX = 8  # columns named at most in a joint leak (a total of seven school grades)
JOINT_CLASSES = 30  # a target with at most this many values is checked with a decision tree
JOINT_ROWS = 2000  # rows used by the joint-leak tests (half to learn, half to check)


JOINT_R2 = 0.995  # a linear combination of columns this close to a numeric target is a leak
JOINT_STEP = 0.01  # R² a column must add to the combination to be kept in it…
JOINT_NEAR = 0.95  # …and from this R² on (near a calculation):
JOINT_STEP_NEAR = 0.002
LEAKAGE_ROWS = 4000  # rows used by the leakage tests on big tables
# A numeric column equal to a numeric target on this share of the rows where both are known (the
# number of equipment records and the number of equipments: 88 % of the rows, never more) is the
# same measure or nearly, when chance alone would make them equal on at most EQUAL_CHANCE of them
# (two counts that are 1 on most rows are equal that often without telling anything).
EQUAL_SHARE = 0.8
EQUAL_CHANCE = 0.5
# A first name, shared by different people, and the sex: its values learnt on half the rows are
# checked on the other half's rows whose value was seen, which must be at least SHARED_SEEN of
# them. Names whose repeated rows are mostly one record written again (with another column of
# many values, the pair repeats on ENTITY_SHARE of them: a school's patron saint and its number,
# one row a year) are not tried so: the held-out rows would be the same schools in other years.
SHARED_SEEN = 0.5
ENTITY_SHARE = 0.5
# The answer written in a text (« … collectif accès libre » for a « Collectif » shelter, « Ecole
# primaire publique … » for an « Ecole »): a class's name, as a whole word (case and accents
# aside), in at least WRITTEN_ROWS rows and WRITTEN_SHARE of them, the class of the row in
# LEAKAGE_ACCURACY of the rows where one class's name is written. Written on fewer rows (a
# school's web address with « college- » in it, 7 % of the rows), it carries too little of the
# answer for its column to be worth removing.
WRITTEN_ROWS = 20
WRITTEN_SHARE = 0.1
WRITTEN_CLASSES = 30  # a target with more classes is not searched for in texts


def _majority_accuracy(groups: np.ndarray, classes: np.ndarray, n_classes: int) -> float:
    """Accuracy of predicting each row's class by its group's majority, learnt on even rows and
    checked on odd rows (so a column with one value per row is not rewarded)."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    if n_groups == 0:
        return 0.0
    train = np.arange(len(groups)) % 2 == 0
    counts = np.zeros((n_groups, n_classes))
    np.add.at(counts, (groups[train], classes[train]), 1)
    seen = counts.sum(axis=1) > 0
    overall = np.bincount(classes[train], minlength=n_classes).argmax()
    guess = np.where(seen, counts.argmax(axis=1), overall)
    test = ~train
    if not test.any():
        return 0.0
    return float((guess[groups[test]] == classes[test]).mean())


def _quantile_codes(values: np.ndarray, bins: int = 40) -> np.ndarray:
    """Codes of quantile bins (missing values get code 0)."""
    values = np.asarray(values, dtype="float64")
    known = ~np.isnan(values)
    if not known.any():
        return np.zeros(len(values), dtype=int)
    distinct = np.unique(values[known])
    if len(distinct) <= 100:  # few values (days, counts): each its own group
        codes = np.searchsorted(distinct, values) + 1
    else:
        edges = np.unique(np.quantile(values[known], np.linspace(0, 1, bins + 1)[1:-1]))
        codes = np.searchsorted(edges, values, side="right") + 1
    return np.where(known, codes, 0)


def _rank_eta(groups: np.ndarray, y_rank: np.ndarray) -> float:
    """Share of the target's rank variance explained by group means learnt on even rows and
    checked on odd rows (a holdout R²)."""
    train = np.arange(len(groups)) % 2 == 0
    size = int(groups.max()) + 1
    counts = np.bincount(groups[train], minlength=size)
    sums = np.bincount(groups[train], weights=y_rank[train], minlength=size)
    overall = y_rank[train].mean()
    means = np.where(counts > 0, sums / np.maximum(counts, 1), overall)
    test = ~train
    residual = ((y_rank[test] - means[groups[test]]) ** 2).sum()
    total = ((y_rank[test] - y_rank[test].mean()) ** 2).sum()
    return float(1 - residual / total) if total > 0 else 0.0


def _rank_corr(x: np.ndarray, y_rank: np.ndarray) -> float:
    ok = ~np.isnan(x) & ~np.isnan(y_rank)
    if ok.sum() < 20:
        return 0.0
    xr = np.argsort(np.argsort(x[ok], kind="stable"), kind="stable").astype("float64")
    yr = np.argsort(np.argsort(y_rank[ok], kind="stable"), kind="stable").astype("float64")
    if np.std(xr) == 0 or np.std(yr) == 0:
        return 0.0
    return float(np.corrcoef(xr, yr)[0, 1])


_PREFIXES = (1, 2, 3, 4)
_CODE_TEXT = r"^[A-Za-z]{0,2}[0-9][0-9A-Za-z]*$"  # « 6574 », « A454428 » (an article)


def _hierarchical(texts: pd.Series) -> bool:
    """Codes of a nomenclature (accounts, activities): digits first, several lengths or many
    values, whose first characters name a broader class."""
    present = texts.dropna()
    return bool(len(present)) and float(present.str.match(_CODE_TEXT).mean()) >= 0.95


class _Target:
    """The target, ready for the leakage tests."""

    def __init__(self, values: pd.Series, task: str, numbers: pd.Series | None):
        self.task = task
        if task == "classification":
            self.classes, uniques = pd.factorize(values.astype(str))
            self.labels = [str(u) for u in uniques]
            self.n_classes = len(uniques)
            self.baseline = np.bincount(self.classes).max() / len(self.classes)
        else:
            source = numbers if numbers is not None else values
            self.numbers = pd.to_numeric(source, errors="coerce").to_numpy(dtype="float64")
            self.rank = pd.Series(self.numbers).rank().to_numpy()

    @property
    def usable(self) -> bool:
        if self.task == "classification":
            # a rare class (68 grants in kind among 15 000) is checked too: the tests by score
            # need 10 points above the majority class, which cannot happen there, and the
            # column filled only for that class is found by :meth:`filled_for_one_class`
            counts = np.bincount(self.classes)
            return self.n_classes >= 2 and (self.baseline < 0.95 or counts.min() >= 10)
        return bool(np.isfinite(self.rank).sum() >= 20)

    def score(self, x: np.ndarray | None, codes: np.ndarray | None) -> float:
        """How well a column alone gives the target away (accuracy, or |rank correlation|)."""
        if self.task == "classification":
            if codes is None and x is not None:
                codes = _quantile_codes(x)
            if codes is None:
                return 0.0
            return _majority_accuracy(codes, self.classes, self.n_classes)
        if x is not None:
            return abs(_rank_corr(x, self.rank))
        if codes is not None:
            return _rank_eta(codes, np.nan_to_num(self.rank, nan=float(np.nanmean(self.rank))))
        return 0.0

    def filled_for_one_class(self, filled: np.ndarray) -> bool:
        """A column filled on a few rows (10 or more, at most 5 %), exactly those of one class:
        a detail written once the answer is known (« avantages en nature » detailed only for the
        grants in kind)."""
        count = int(filled.sum())
        if count < 10 or count > 0.05 * len(filled):
            return False
        classes = np.unique(self.classes[filled])
        return len(classes) == 1 and int((self.classes == classes[0]).sum()) == count

    def leaks(self, score: float, categorical: bool = False) -> bool:
        if self.task == "classification":
            return score >= LEAKAGE_ACCURACY and score - self.baseline >= 0.1
        return score >= (LEAKAGE_ETA if categorical else LEAKAGE_CORRELATION)

    def grouped_score(self, x: np.ndarray, groupings) -> tuple[float, str | None]:
        """For a numeric target: the best rank correlation of ``x`` with it within the groups of
        one categorical column (a bill is consumption × a price that depends on the energy)."""
        best, best_name = 0.0, None
        for name, codes in groupings:
            total, weight = 0.0, 0
            for code in np.unique(codes[codes >= 0]):
                members = codes == code
                if members.sum() < 20:
                    continue
                total += abs(_rank_corr(x[members], self.rank[members])) * members.sum()
                weight += members.sum()
            if weight and total / weight > best:
                best, best_name = total / weight, name
        return best, best_name


def leakage_findings(
    frame, profile, target, task, skip, groupings=(), labels=frozenset(), private=frozenset()
) -> list[Finding]:
    """Columns that give the target away, alone, two by two or together. ``labels``: columns of
    ``skip`` holding first names (personal data), tried only as a label shared by different
    people (:func:`_shared_label_leak`). Texts, identifiers among them but not the ``private``
    ones (personal data), are also searched for the answer written in them (:func:`_written`)."""
    if target not in frame.columns:
        return []
    known = frame[target].notna().to_numpy()
    if known.sum() < 20:
        return []
    if known.sum() > LEAKAGE_ROWS:  # near-determinism shows on a sample as well
        keep = np.zeros(len(known), dtype=bool)
        keep[np.linspace(0, len(known) - 1, LEAKAGE_ROWS).astype(int)] = True
        known = known & keep
    target_numbers = numbers_of(profile[target]) if task == "regression" else None
    goal = _Target(
        frame[target][known],
        task,
        target_numbers[known] if target_numbers is not None else None,
    )
    if not goal.usable:
        return []
    found: dict[str, tuple[str, float, str | None]] = {}
    singles: dict[str, float] = {}
    scaled: dict[str, np.ndarray] = {}
    for name, column in profile.items():
        if name == target or (name in skip and name not in labels):
            continue
        if name in skip:  # a first name: only as a label that different people share
            score = (
                _shared_label_leak(goal, name, profile, known) if column.kind == "text" else None
            )
            if score is not None:
                found[name] = ("shared", score, None)
            continue
        x_all = as_floats(column)
        x = x_all.to_numpy(dtype="float64")[known] if x_all is not None else None
        missing = column.values[known].isna().to_numpy()
        if task == "classification" and 0.02 <= missing.mean() <= 0.98:
            score = _majority_accuracy(missing.astype(int), goal.classes, goal.n_classes)
            if goal.leaks(score):
                found[name] = ("missing", score, None)
                continue
        if task == "classification" and goal.filled_for_one_class(~missing):
            found[name] = ("missing", 1.0, None)
            continue
        if x is not None:
            scaled[name] = x
            score = goal.score(x, None)
        elif column.kind in ("text", "bool") and (
            column.distinct <= max(20, known.sum() // 5)
            or _hierarchical(column.values[known].astype("string").str.strip())
        ):
            # a label or a code with many values (an account's name, its number) is tried as
            # it is and, for codes, by its first characters (an account's class is its first
            # digit); the majority vote is learnt on half the rows and checked on the others,
            # so values seen once give nothing away
            texts = column.values[known].astype("string").str.strip()
            reason = "values" if task == "classification" else "categories"
            for width in (None, *(_PREFIXES if _hierarchical(texts) else ())):
                shown = texts if width is None else texts.str[:width]
                codes, _ = pd.factorize(shown, use_na_sentinel=False)
                groups = int(codes.max()) + 1 if len(codes) else 0
                score = goal.score(None, codes)
                # a class target is checked on held-out rows; a numeric one is not: its
                # categories need many rows each (16 recycling centres of 6 rows each explain
                # their tonnages without leaking them)
                per_category = 5 if task == "classification" else 20
                many_per_category = known.sum() / max(groups, 1) >= per_category
                if goal.leaks(score, categorical=True) and many_per_category:
                    found[name] = (reason, score, None)
                    break
            continue
        else:
            continue
        singles[name] = score
        if goal.leaks(score):
            found[name] = ("values" if task == "classification" else "regression", score, None)
        elif task == "regression":
            share = _equal_share(x, goal.numbers)
            if share is not None:
                found[name] = ("equal", share, None)
    if task == "classification":
        for name, column in profile.items():
            if name == target or name in found or name in private or column.kind != "text":
                continue
            share = _written(goal, column.values[known])
            if share is not None:
                found[name] = ("written", share, None)
    groupings = [(n, c[known]) for n, c in groupings]
    found.update(_pair_leaks(goal, scaled, singles, profile, set(found), groupings))
    already = set(found) | {p for _, _, p in found.values() if p}
    findings = []
    joint = _joint_leak(frame[target][known], profile, target, known, skip | already, scaled)
    if joint is not None:
        columns, score, reason = joint
        findings.append(_joint_finding(columns, score, reason, target, task, profile))
        # A total may be the sum of its parts in more than one way (pupils = nursery + elementary
        # + ULIS, and elementary = CP + … + CM2): each part of the sum found is set aside in turn,
        # and another sum of the other columns is looked for.
        seen = [set(columns)]
        for part in columns if reason == "joint_sum" else ():
            other = _joint_leak(
                frame[target][known], profile, target, known, skip | already | {part}, scaled
            )
            if other is not None and other[2] == "joint_sum" and set(other[0]) not in seen:
                seen.append(set(other[0]))
                findings.append(_joint_finding(*other, target, task, profile))
    for name, (reason, score, partner) in found.items():
        shown = (
            f"{100 * score:.0f} %" if task == "classification" else f"{score:.2f}".replace(".", ",")
        )
        if reason == "regression":
            message = messages.text(
                "quality.leakage_regression", column=name, target=target, rho=shown
            )
        elif reason == "categories":
            message = messages.text(
                "quality.leakage_categories",
                column=name,
                target=target,
                share=f"{100 * score:.0f}",
            )
        elif reason == "equal":
            message = messages.text(
                "quality.leakage_equal",
                column=name,
                target=target,
                share=percent(score, 1.0),
            )
        elif reason == "pair":
            message = messages.text(
                "quality.leakage_pair", column=name, other=partner, target=target, score=shown
            )
        else:
            message = messages.text(
                f"quality.leakage_{reason}",
                column=name,
                target=target,
                accuracy=percent(score, 1.0),
            )
        findings.append(
            Finding(
                "leakage",
                [name],
                int(profile[name].non_null),
                [],
                message,
                messages.text("quality.why_leakage"),
                Step("drop_column", {"columns": [name]}),
                "critical",
                None,
                {"reason": reason, "score": round(float(score), 4), "with": partner},
            )
        )
    return findings


def _equal_share(x: np.ndarray, y: np.ndarray) -> float | None:
    """The share of rows where a numeric column equals the numeric target, when it is at least
    :data:`EQUAL_SHARE` and chance would make them equal on at most :data:`EQUAL_CHANCE` of the
    rows (the sum over values of the product of their shares in each column); else ``None``."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 20:
        return None
    x, y = x[ok], y[ok]
    share = float((x == y).mean())
    if share < EQUAL_SHARE:
        return None
    values, in_y = np.unique(y, return_counts=True)
    in_x = pd.Series(x).value_counts().reindex(values, fill_value=0).to_numpy()
    chance = float((in_y * in_x).sum()) / len(y) ** 2
    return share if chance <= EQUAL_CHANCE else None


_NOT_WORD = re.compile(r"[^a-z0-9\n]+")


def _folded(text: str) -> str:
    """Lower case, no accents, words separated by one space and framed by spaces."""
    return _folded_lines([text])[0]


def _folded_lines(values) -> list[str]:
    """:func:`_folded` of each value, all at once (one text of lines is faster to fold)."""
    lines = "\n".join(str(v).replace("\n", " ") for v in values)
    plain = unicodedata.normalize("NFKD", lines).encode("ascii", "ignore").decode("ascii")
    return [f" {line.strip()} " for line in _NOT_WORD.sub(" ", plain.lower()).split("\n")]


def _written(goal: _Target, values: pd.Series) -> float | None:
    """The share of rows where the class written in a text (one class's name as a whole word) is
    the row's class, when those rows are at least :data:`WRITTEN_ROWS` and :data:`WRITTEN_SHARE`
    of the rows and the share reaches :data:`LEAKAGE_ACCURACY`; else ``None``. Names of fewer than
    three letters or digits (« A », « 1 ») are not searched. Each distinct text is read once."""
    if goal.n_classes > WRITTEN_CLASSES:
        return None
    names = [(i, _folded(label)) for i, label in enumerate(goal.labels)]
    names = [(i, name) for i, name in names if len(name) >= 5]  # 3 characters and 2 spaces
    codes, uniques = pd.factorize(values)
    if len(names) < 2 or (codes >= 0).sum() < WRITTEN_ROWS:
        return None
    per_value = np.full(len(uniques) + 1, -1)  # the last one for the empty cells (code -1)
    texts = _folded_lines(uniques)
    for j, text in enumerate(texts):
        inside = [i for i, name in names if name in text]
        if len(inside) == 1:
            per_value[j] = inside[0]
    written = per_value[codes]
    one = written >= 0
    if one.sum() < max(WRITTEN_ROWS, WRITTEN_SHARE * len(written)):
        return None
    share = float((written[one] == goal.classes[one]).mean())
    return share if share >= LEAKAGE_ACCURACY else None


def _shared_label_score(goal: _Target, texts: pd.Series) -> float:
    """Accuracy of a label's majority class learnt on even rows, on the odd rows whose value was
    seen among the even ones; 0 when those are fewer than :data:`SHARED_SEEN` of the odd rows, or
    when it is not 10 points above their own majority class."""
    codes, _ = pd.factorize(texts, use_na_sentinel=False)
    if not len(codes):
        return 0.0
    train = np.arange(len(codes)) % 2 == 0
    counts = np.zeros((int(codes.max()) + 1, goal.n_classes))
    np.add.at(counts, (codes[train], goal.classes[train]), 1)
    seen = (counts.sum(axis=1) > 0)[codes] & ~train & texts.notna().to_numpy()
    if seen.sum() < 20 or seen.sum() < SHARED_SEEN * (~train).sum():
        return 0.0
    right = counts.argmax(axis=1)[codes[seen]] == goal.classes[seen]
    majority = np.bincount(goal.classes[seen], minlength=goal.n_classes).max() / seen.sum()
    accuracy = float(right.mean())
    # the majority class among the rows checked, not over the whole table, is what to beat
    return accuracy if accuracy - majority >= 0.1 else 0.0


def _shared_label_leak(goal: _Target, name: str, profile, known: np.ndarray) -> float | None:
    """The held-out accuracy of a label with many values shared by different records, when it
    gives the class away (:func:`_shared_label_score`) and does not name one entity recorded on
    several rows (:func:`_names_an_entity`); else ``None``."""
    if goal.task != "classification":
        return None
    texts = profile[name].values[known].astype("string").str.strip()
    score = _shared_label_score(goal, texts)
    if not goal.leaks(score) or _names_an_entity(name, profile, known, texts):
        return None
    return score


def _names_an_entity(name: str, profile, known: np.ndarray, texts: pd.Series) -> bool:
    """Whether the rows sharing a value of ``texts`` are mostly one record written several times:
    with another column of at least half as many values, the pair of values repeats too on
    :data:`ENTITY_SHARE` of those rows (a school's patron saint and its number, once a year)."""
    repeated = (texts.duplicated(keep=False) & texts.notna()).to_numpy()
    if not repeated.any():
        return False
    keys = texts.to_numpy()[repeated]
    distinct = texts.nunique()
    for other, column in profile.items():
        if other == name or column.distinct < distinct / 2:
            continue
        values = column.values[known].astype("string").to_numpy()[repeated]
        pairs = pd.DataFrame({"key": keys, "value": values})
        if float(pairs.duplicated(keep=False).mean()) >= ENTITY_SHARE:
            return True
    return False


def _joint_matrix(profile, target, known, skip, scaled) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The candidate columns of a joint leak as one float matrix (rows ``known``): numbers and
    dates as they are, categories as one 0/1 column per value (codes when they have many values);
    a missing value is a value of its own. Also returns, per matrix column, its column's index."""
    names: list[str] = []
    blocks: list[np.ndarray] = []
    owners: list[int] = []
    for name, column in profile.items():
        if name == target or name in skip or column.non_null == 0 or column.distinct < 2:
            continue
        if name in scaled:
            x = np.where(np.isfinite(scaled[name]), scaled[name], np.nan)
            low = np.nanmin(x) if np.isfinite(x).any() else 0.0
            block = np.where(np.isnan(x), low - 1.0, x)[:, None]
        elif column.kind in ("text", "bool") and column.distinct <= 60:
            codes = pd.factorize(column.values[known].astype("string"), sort=True)[0]
            if column.distinct <= 12:
                block = (codes[:, None] == np.arange(codes.max() + 1)[None, :]).astype("float64")
            else:
                block = codes.astype("float64")[:, None]
        else:
            continue
        names.append(name)
        blocks.append(block)
        owners += [len(names) - 1] * block.shape[1]
    if not blocks:
        return [], np.empty((int(known.sum()), 0)), np.empty(0, dtype=int)
    return names, np.column_stack(blocks), np.asarray(owners)


def _joint_leak(
    values: pd.Series, profile, target, known, skip, scaled
) -> tuple[list[str], float, str] | None:
    """Several columns that, taken together, decide the target (an overall index that is the
    maximum of sub-indices; a total that is the sum of its parts), or ``None``.

    A target with few values: a decision tree grown without limit on four rows in five ranks the
    columns by use; the smallest set of its most used columns with which a tree is right on the
    fifth at least :data:`LEAKAGE_ACCURACY` of the time (and clearly above the majority class) is
    the leak.
    A target with many values: the same with a linear combination (R² on the fifth rows ≥
    :data:`JOINT_R2`). A few tens of milliseconds on 2,000 rows × 30 columns."""
    names, x, owners = _joint_matrix(profile, target, known, skip, scaled)
    if len(names) < 2 or len(x) < 40:
        return None
    values = values.reset_index(drop=True)
    if len(x) > JOINT_ROWS:  # a rule that decides the target shows on fewer rows as well
        keep = np.linspace(0, len(x) - 1, JOINT_ROWS).astype(int)
        x, values = x[keep], values.iloc[keep]
    test = np.arange(len(x)) % 5 == 0
    train = ~test
    classes, uniques = pd.factorize(values.astype(str))
    if len(uniques) <= JOINT_CLASSES:
        from sklearn.tree import DecisionTreeClassifier

        baseline = np.bincount(classes[test]).max() / test.sum()
        if baseline >= 0.95:
            return None

        def accuracy(columns: list[int]) -> tuple[float, np.ndarray]:
            kept = np.isin(owners, columns)
            tree = DecisionTreeClassifier(random_state=0)
            tree.fit(x[train][:, kept], classes[train])
            right = tree.predict(x[test][:, kept]) == classes[test]
            weights = np.bincount(
                owners[kept], weights=tree.feature_importances_, minlength=len(names)
            )
            return float(right.mean()), weights

        # The tree on every column only ranks them: on a few hundred rows, unrelated columns
        # (a station code, a wind speed) can cost it a test row or two while the columns it uses
        # most still decide the target on their own; so its subsets are tried whatever its score.
        score, importances = accuracy(list(range(len(names))))
        if score - baseline < 0.1:
            return None
        order = [int(i) for i in np.argsort(-importances) if importances[i] > 0]
        for size in range(2, min(JOINT_MAX, len(order)) + 1):
            chosen = sorted(order[:size])
            score_k, _ = accuracy(chosen)
            if score_k >= LEAKAGE_ACCURACY and score_k - baseline >= 0.1:
                return [names[i] for i in chosen], score_k, "joint"
        return None
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(numbers)
    if ok.sum() < 40:
        return None
    numeric = [i for i, n in enumerate(names) if n in scaled]
    chosen: list[int] = []
    best = -np.inf
    for _ in range(JOINT_MAX):
        trials = []
        for i in numeric:
            if i in chosen:
                continue
            kept = np.isin(owners, [*chosen, i])
            trials.append((_holdout_r2(x[:, kept], numbers, ok, train), i))
        if not trials:
            break
        r2, i = max(trials)
        # a column must add something; close to a calculation (R² 0.95), small parts still
        # count: the fifth of seven school grades adds 0.01 to a total that is their exact sum
        if r2 <= best + (JOINT_STEP_NEAR if best >= JOINT_NEAR else JOINT_STEP):
            break
        chosen.append(i)
        best = r2
        if best >= JOINT_R2:
            return [names[i] for i in sorted(chosen)], best, "joint_sum"
    return None


def _holdout_r2(x: np.ndarray, y: np.ndarray, ok: np.ndarray, train: np.ndarray) -> float:
    """R² on the rows not in ``train`` of a least-squares fit learnt on ``train``."""
    fit_rows, check_rows = ok & train, ok & ~train
    if fit_rows.sum() < x.shape[1] + 5 or check_rows.sum() < 10:
        return -np.inf
    design = np.column_stack([x, np.ones(len(x))])
    coef, *_ = np.linalg.lstsq(design[fit_rows], y[fit_rows], rcond=None)
    residual = y[check_rows] - design[check_rows] @ coef
    total = ((y[check_rows] - y[check_rows].mean()) ** 2).sum()
    return float(1 - (residual**2).sum() / total) if total > 0 else -np.inf


def _joint_finding(columns, score, reason, target, task, profile) -> Finding:
    if reason == "joint_sum":
        shown = f"{score:.3f}".replace(".", ",")
        message = messages.text(
            "quality.leakage_joint_sum",
            n=len(columns),
            columns=quoted(columns, 6),
            target=target,
            r2=shown,
        )
    else:
        message = messages.text(
            "quality.leakage_joint",
            n=len(columns),
            columns=quoted(columns, 6),
            target=target,
            accuracy=percent(score, 1.0),
        )
    return Finding(
        "leakage",
        list(columns),
        int(max(profile[c].non_null for c in columns)),
        [],
        message,
        messages.text("quality.why_leakage_joint"),
        Step("drop_column", {"columns": list(columns)}),
        "critical",
        None,
        {"reason": reason, "score": round(float(score), 4), "with": None, "joint": True},
    )


def _pair_leaks(
    goal, scaled, singles, profile, already, groupings
) -> dict[str, tuple[str, float, str]]:
    """Leaks that show only when two columns are combined: a closing date minus a receipt date
    gives the delay; an amount divided by a price gives the attendance."""
    names = [n for n in scaled if n not in already]
    names = sorted(names, key=lambda n: -singles.get(n, 0.0))[:PAIR_CANDIDATES]
    found: dict[str, tuple[str, float, str]] = {}

    def is_date(name: str) -> bool:
        return profile[name].kind == "date" or bool(profile[name].date_format)

    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a in found or b in found or is_date(a) != is_date(b):
                continue
            xa, xb = scaled[a], scaled[b]
            with np.errstate(divide="ignore", invalid="ignore"):
                combos = [xa - xb]
                if not is_date(a) and np.nanmin(xb) > 0 and np.nanmin(xa) > 0:
                    combos += [xa / xb, xb / xa]
            scores = [goal.score(c, None) for c in combos]
            best = max(scores)
            if not goal.leaks(best) and goal.task == "regression" and best >= 0.75:
                combo = combos[int(np.argmax(scores))]
                best, _group = goal.grouped_score(combo, groupings)
            if not goal.leaks(best):
                continue
            if is_date(a):  # the later date is the one not yet known when deciding
                later = a if np.nanmean(xa - xb) > 0 else b
            else:
                later = a if singles.get(a, 0.0) >= singles.get(b, 0.0) else b
            found[later] = ("pair", best, b if later == a else a)
    return found


def associations(frame: pd.DataFrame, target: str) -> dict[str, float]:
    """How much each column alone tells about the target, from 0 (nothing) to 1 (everything):
    above the majority-class baseline for a class target (accuracy gained, rescaled), the
    absolute rank correlation (or explained rank variance) for a numeric one."""
    if target not in frame.columns:
        raise messages.error(
            "quality.target_missing", target=target, columns=quoted(list(frame.columns), 12)
        )
    known = frame[target].notna().to_numpy()
    profile = profile_of(frame)
    for column in profile.values():
        classify_text(column, set())
    task = target_task(frame[target])
    numbers = numbers_of(profile[target]) if task == "regression" else None
    goal = _Target(frame[target][known], task, numbers[known] if numbers is not None else None)
    if known.sum() < 10 or not goal.usable:
        return {}
    result = {}
    for name, column in profile.items():
        if name == target or column.non_null == 0:
            continue
        scaled = as_floats(column)
        if scaled is not None:
            score = goal.score(scaled.to_numpy(dtype="float64")[known], None)
        elif column.distinct <= max(20, known.sum() // 20):
            codes, _ = pd.factorize(column.values[known].astype("string"), use_na_sentinel=False)
            score = goal.score(None, codes)
        else:
            continue
        if task == "classification":
            score = max(0.0, (score - goal.baseline) / max(1e-9, 1 - goal.baseline))
        result[name] = round(float(min(max(score, 0.0), 1.0)), 4)
    return result
