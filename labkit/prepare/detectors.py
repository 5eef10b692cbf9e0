"""The quality report's detectors, one per kind of defect (leaks: :mod:`labkit.prepare.leaks`).

Each takes the table and its column profile and returns its findings, with what the report's
scores need (cells concerned, columns found). They are tuned to find what a careful person would,
without drowning them in false alarms: outliers use far-out fences on a log scale for skewed
data, within groups when one category explains the numbers; spellings are grouped by
:mod:`labkit.prepare.categories`.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.data import schema_check
from labkit.data.kinds import is_number_name
from labkit.prepare import privacy
from labkit.prepare.categories import category_groups, fold_category, folded_words
from labkit.prepare.findings import MAX_ROWS, Finding, example_list, kept_rows, percent, quoted
from labkit.prepare.profiling import (
    TYPE_SHARE,
    Column,
    dates_of,
    is_code,
    numbers_of,
    text_sample,
)
from labkit.prepare.recipe import Step, interval_text, readable_date_format, robust_bounds

ALMOST_EMPTY = 0.6  # share of empty cells from which a column is "almost empty"
NEARLY_CONSTANT = 0.95
IDENTIFIER_SHARE = 0.95
MAX_CATEGORIES = 300
_SIGNED_HINT = re.compile(
    r"temp|°|degr|solde|variation|[ée]cart|[ée]volution|r[ée]sultat|diff|altitude|latitude|"
    r"longitude|^lat|^lon|^x$|^y$|taux|marge|b[ée]n[ée]fice",
    re.IGNORECASE,
)


# Words (folded: no accents, lower case) that name a quantity which cannot be negative: counts,
# amounts, ages, durations, sizes. A negative value is impossible only in such a column.
_NONNEGATIVE_WORDS = frozenset(
    (
        "nombre nb nbre effectif effectifs count quantite quantites qte montant montants prix cout"
        " couts tarif budget depense depenses subvention subventions surface superficie poids"
        " masse tonnage tonnes tonne volume longueur largeur hauteur distance duree durees delai"
        " delais age ages anciennete population habitants visites entrees places enfants"
        " personnes consommation kwh m2 m3 km kg euros eur ht ttc frequentation passages capacite"
        " salaire loyer revenu revenus stock jours heures minutes mois annees quotient taille"
        " diametre circonference pieces chambres logements lits etages niveaux"
    ).split()
)
# Names of coordinates (« lat_coor1 », « long_coor1 », « x », « Coordonnées »): never filled
# with a median, and a 0 there is « unknown » (a place in the Gulf of Guinea).
_COORDINATE = re.compile(
    r"^(lat|lon|long|lng|x|y)(_|$)|latitude|longitude|coord|coor\d", re.IGNORECASE
)
_NONNEGATIVE_PREFIXES = ("nb", "nombre", "montant", "effectif", "surface", "duree", "delai", "tonn")
_YEAR_HINT = re.compile(r"ann[ée]e|year|exercice|mill[ée]sime", re.IGNORECASE)


def personal_findings(frame, profile, target) -> tuple[list[Finding], set[str]]:
    """Columns holding personal data (:mod:`labkit.prepare.privacy`), and their names."""
    found = []
    names = set()
    for name in frame.columns:
        if str(name) == target:
            continue
        result = privacy.detect_column(str(name), frame[name])
        if result is None:
            continue
        names.add(result.column)
        found.append(
            Finding(
                "personal_data",
                [result.column],
                profile[result.column].non_null,
                [],
                messages.text(
                    "quality.personal_data",
                    column=result.column,
                    label=result.label,
                    evidence=result.evidence,
                ),
                messages.text("quality.why_personal_data"),
                privacy.protection_step(result, "remove"),
                "critical",
                None,
                {
                    "category": result.category,
                    "share": result.share,
                    "examples": result.examples,
                    "evidence": result.evidence,
                },
            )
        )
    return found, names


def missing_findings(frame, profile, target) -> tuple[list[Finding], int]:
    """Empty cells: in the target, per column, and almost empty columns; and how many cells."""
    total = len(frame)
    masks = frame.isna()
    counts = masks.sum()
    findings = []
    empty_cells = int(counts.sum())
    columns_with_missing = [str(c) for c in frame.columns if counts[c] > 0]
    target_mask = masks[target] if target in frame.columns else None
    grouped_with_target: list[str] = []
    almost_empty: list[str] = []
    singles: list[str] = []
    for name in columns_with_missing:
        if name == target:
            continue
        if counts[name] / total >= ALMOST_EMPTY:
            almost_empty.append(name)
        elif target_mask is not None and target_mask.any() and masks[name].equals(target_mask):
            grouped_with_target.append(name)
        else:
            singles.append(name)
    if target_mask is not None and target_mask.any():
        count = int(target_mask.sum())
        if grouped_with_target:
            message = messages.text(
                "quality.missing_target_with",
                column=target,
                count=count,
                total=total,
                others=len(grouped_with_target),
                columns=quoted(grouped_with_target, 5),
            )
        else:
            message = messages.text(
                "quality.missing_target", column=target, count=count, total=total
            )
        findings.append(
            Finding(
                "missing",
                [target, *grouped_with_target],
                count,
                kept_rows(frame.index[target_mask.to_numpy()]),
                message,
                messages.text("quality.why_missing_target"),
                Step("filter_rows", {"column": target, "operator": "not_missing"}),
                "critical",
                "completeness",
                {"target": True},
            )
        )
    for name in singles:
        mask = masks[name].to_numpy()
        count = int(mask.sum())
        column = profile[name]
        findings.append(
            Finding(
                "missing",
                [name],
                count,
                kept_rows(frame.index[mask]),
                messages.text(
                    "quality.missing_one",
                    column=name,
                    count=count,
                    total=total,
                    share=percent(count, total),
                ),
                messages.text("quality.why_missing"),
                fill_step(column),
                "warning" if count / total >= 0.05 else "info",
                "completeness",
            )
        )
    if almost_empty:
        count = int(counts[almost_empty].max())
        findings.append(
            Finding(
                "missing",
                almost_empty,
                count,
                kept_rows(frame.index[masks[almost_empty].any(axis=1).to_numpy()]),
                messages.text(
                    "quality.missing_almost_empty",
                    n=len(almost_empty),
                    threshold=round(100 * ALMOST_EMPTY),
                    columns=quoted(almost_empty, 10),
                ),
                messages.text("quality.why_missing_almost_empty"),
                Step("drop_column", {"columns": almost_empty}),
                "warning",
                "completeness",
                {"almost_empty": True},
            )
        )
    return findings, empty_cells


def fill_step(column: Column) -> Step | None:
    """How to fill the empty cells of a column without inventing a value: a quantity by its
    median; a category, a text, a code or a contact by « Non renseigné » (the fact that it is
    unknown, which a model can use, never the most frequent value, which would be false for
    these rows); nothing for dates and for codes stored as numbers (the model's own imputation
    deals with them), nor for coordinates."""
    numeric = column.kind in ("number", "integer") or column.number_share >= TYPE_SHARE
    if column.kind in ("date", "bool", "empty") or column.date_format:
        return None
    if is_code(column):
        if column.kind != "text":
            return None
        numeric = False
    if numeric and column.kind != "text" and set(column.values.dropna().unique()) <= {0, 1}:
        return None  # a yes/no written 0/1: the median would answer for these rows
    if numeric and _COORDINATE.search(column.name):
        return None  # a latitude or an x: a median would put the row at a place it is not
    if numeric and few_whole_values(column) and nonnegative(column.name) is None:
        return None  # categories written as numbers (a road's profile 1–4): no median for them
    if column.kind == "text" and _addresses(column):
        return None  # web sites, e-mails, coordinates: no value stands for an unknown place
    if column.kind == "text" and _dates_as_text(column):
        return None  # dates the reader could not read (two in a cell): no text stands for one
    if numeric:
        return Step("fill_missing", {"column": column.name, "strategy": "median"})
    return Step(
        "fill_missing",
        {"column": column.name, "strategy": "constant", "value": unknown_value()},
    )


def unknown_value() -> str:
    """The value that says a cell was empty (« Non renseigné »)."""
    return messages.text("quality.unknown_value")


# Texts that stand for « unknown » in French public files (folded: lower case, stripped).
TEXT_PLACEHOLDERS = frozenset(
    {
        "-",
        "--",
        "---",
        "?",
        "n/a",
        "#n/a",
        "n/d",
        "s.o.",
        "s/o",
        "null",
        "nan",
        "none",
        "non renseigné",
        "non renseigne",
        "inconnu",
        "inconnue",
        "nd",
        "nc",
        "n.c.",
        "n.d.",
    }
)
_LETTER_PLACEHOLDERS = frozenset(
    {"nd", "nc", "n.c.", "n.d."}
)  # also codes (NC: Nouvelle-Calédonie)


def placeholder_findings(frame, profile, skip) -> tuple[list[Finding], int]:
    """Text cells that say « unknown » (« - », « ND », « n/a »…) in a column that holds other
    values: proposed as empty, so that they are neither a category nor a value of their own."""
    findings = []
    cells = 0
    for name, column in profile.items():
        if column.kind != "text" or name in skip or column.non_null < 10:
            continue
        text = column.values.astype("string").str.strip().str.lower()
        counts = text.value_counts()
        tokens = [t for t in counts.index if t in TEXT_PLACEHOLDERS]
        if is_code(column):
            tokens = [t for t in tokens if t not in _LETTER_PLACEHOLDERS]
        if not tokens or counts[tokens].sum() >= 0.5 * column.non_null:
            continue  # nothing, or mostly « - »: then it is a value of this column
        mask = text.isin(tokens).fillna(False).to_numpy(dtype=bool)
        spellings = sorted({str(v).strip() for v in column.values[mask]})
        count = int(mask.sum())
        cells += count
        shown = ", ".join(f"« {v} »" for v in spellings[:4])
        findings.append(
            placeholder_finding(frame, name, mask, spellings, "quality.placeholder_text", shown)
        )
    return findings, cells


def placeholder_finding(frame, name, mask, values, key: str, shown: str) -> Finding:
    """Cells of ``name`` that stand for « unknown », proposed as empty (``mark_missing``): texts
    (« - », « ND ») are a kind of missing value; numbers (9 999, -1) are impossible values."""
    count = int(mask.sum())
    text = key == "quality.placeholder_text"
    return Finding(
        "missing" if text else "outliers",
        [name],
        count,
        kept_rows(frame.index[mask]),
        messages.text(key, column=name, count=count, values=shown),
        messages.text("quality.why_placeholder"),
        Step("mark_missing", {"column": name, "values": list(values)}),
        "info" if text else "warning",
        "completeness" if text else "validity",
        {"placeholder": list(values), **({} if text else {"impossible": count})},
    )


def duplicate_findings(frame, identifiers) -> tuple[list[Finding], int]:
    """Rows repeated exactly, or but for their identifiers; and how many rows."""
    findings = []
    try:
        exact = frame.duplicated(keep="first")
    except TypeError:
        exact = frame.astype(str).duplicated(keep="first")
    count = int(exact.sum())
    if count:
        findings.append(
            Finding(
                "duplicates",
                [],
                count,
                kept_rows(frame.index[exact.to_numpy()]),
                messages.text("quality.duplicates_exact", count=count),
                messages.text("quality.why_duplicates"),
                Step("drop_duplicates"),
                "warning",
                "uniqueness",
            )
        )
    others = [c for c in frame.columns if str(c) not in identifiers]
    if identifiers and others and len(others) >= 3:
        try:
            loose = frame.duplicated(subset=others, keep="first")
        except TypeError:
            loose = frame[others].astype(str).duplicated(keep="first")
        extra = loose & ~exact
        extra_count = int(extra.sum())
        if extra_count:
            findings.append(
                Finding(
                    "duplicates",
                    sorted(identifiers),
                    extra_count,
                    kept_rows(frame.index[extra.to_numpy()]),
                    messages.text(
                        "quality.duplicates_without_id",
                        count=extra_count,
                        ids=quoted(sorted(identifiers)),
                    ),
                    messages.text("quality.why_duplicates"),
                    Step("drop_duplicates", {"columns": [str(c) for c in others]}),
                    "warning",
                    "uniqueness",
                )
            )
    return findings, count + sum(f.count for f in findings[1:])


def inconsistent_findings(frame, profile, skip, allowed_values) -> tuple[list[Finding], int, int]:
    """Categories written several ways; and the cells concerned and checked."""
    findings = []
    bad_cells = 0
    checked_cells = 0
    for name, column in profile.items():
        if (
            column.kind != "text"
            or name in skip
            or column.date_format
            or column.number_share >= TYPE_SHARE
        ):
            continue
        if column.distinct < 2 or column.distinct > MAX_CATEGORIES:
            continue
        if _addresses(column):
            continue  # web sites, e-mails, coordinates: one character is another address
        checked_cells += column.non_null
        groups = category_groups(column.values, allowed_values.get(name))
        if not groups:
            continue
        mapping = {v: retained for retained, variants in groups for v in variants}
        text = column.values.astype("string")
        mask = text.isin(list(mapping)).fillna(False).to_numpy(dtype=bool)
        count = int(mask.sum())
        bad_cells += count
        variants = sum(len(v) + 1 for _, v in groups)
        examples = "; ".join(
            " / ".join(f"« {s} »" for s in [retained, *vs[:3]]) for retained, vs in groups[:2]
        )
        findings.append(
            Finding(
                "inconsistent_categories",
                [name],
                count,
                kept_rows(frame.index[mask]),
                messages.text(
                    "quality.inconsistent",
                    column=name,
                    variants=variants,
                    groups=len(groups),
                    count=count,
                    examples=examples,
                ),
                messages.text("quality.why_inconsistent_categories"),
                Step("merge_categories", {"column": name, "mapping": mapping}),
                "warning",
                "consistency",
                {"groups": [{"retained": r, "variants": v} for r, v in groups]},
            )
        )
    return findings, bad_cells, checked_cells


_ADDRESS = re.compile(r"://|^www\.|@|^-?\d+\.\d+\s*[,;]\s*-?\d+\.\d+$")


def _addresses(column: Column) -> bool:
    """Does a text column hold web addresses, e-mails or coordinate pairs (« 48.85, 2.35 »)?"""
    sample = text_sample(column.values, 100)
    return bool(len(sample)) and float(sample.str.contains(_ADDRESS).mean()) >= 0.5


_DATE_TEXT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}")


def _dates_as_text(column: Column) -> bool:
    """Does a text column mostly hold dates (« 31/12/2018 », « 2017-11-16\n2018-12-31 »)?"""
    sample = text_sample(column.values, 100)
    return bool(len(sample)) and float(sample.str.contains(_DATE_TEXT).mean()) >= 0.8


def few_whole_values(column: Column) -> bool:
    """A numeric column of at most 12 different whole numbers: often categories written as
    numbers (a road category 1–9, a yes/no 0/1), never filled with a median nor capped."""
    values = numbers_of(column)
    if values is None or column.distinct > 12:
        return False
    finite = values.dropna()
    return bool(len(finite)) and bool((finite % 1 == 0).all())


def pair_mark() -> str:
    """What joins the names of two grouping columns in a grouping's name, shown inside « »."""
    return messages.text("quality.pair_mark")


def groupings_of(profile: dict[str, Column], skip: set[str]) -> list[tuple[str, np.ndarray]]:
    """Categorical columns that can split numbers into comparable groups (2 to 10 groups of 30+
    rows, spellings folded; rows of smaller groups are left out), and pairs of them (named
    « a » et « b », the mark of :func:`pair_mark` between the two names)."""
    found = []
    for name, column in profile.items():
        if column.kind != "text" or name in skip or not 2 <= column.distinct <= 40:
            continue
        raw_codes, uniques = pd.factorize(column.values.astype("string"))
        if (raw_codes < 0).all():
            continue
        folded_codes, _ = pd.factorize(
            pd.Series([fold_category(u) for u in uniques], dtype="object")
        )
        codes = np.where(raw_codes >= 0, folded_codes[np.maximum(raw_codes, 0)], -1)
        sizes = np.bincount(codes[codes >= 0])
        big = np.flatnonzero(sizes >= 30)
        if not 2 <= len(big) <= 10:
            continue
        remap = np.full(len(sizes), -1)
        remap[big] = np.arange(len(big))
        found.append((name, np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)))
    pairs = []
    mark = pair_mark()
    for i, (name_a, codes_a) in enumerate(found):
        for name_b, codes_b in found[i + 1 :]:
            both = (codes_a >= 0) & (codes_b >= 0)
            combined = np.where(both, codes_a * (codes_b.max() + 1) + codes_b, -1)
            sizes = np.bincount(combined[combined >= 0])
            big = np.flatnonzero(sizes >= 30)
            if 2 <= len(big) <= 40:
                remap = np.full(len(sizes), -1)
                remap[big] = np.arange(len(big))
                codes = np.where(combined >= 0, remap[np.maximum(combined, 0)], -1)
                pairs.append((f"{name_a}{mark}{name_b}", codes))
    return found + pairs


# Words (folded) of a quantity that cannot be zero: a building, a tree, a parcel has a size. A
# count, an amount, a duration can be zero (a permit that creates no dwelling, a free service).
_NONZERO_WORDS = frozenset(
    "surface superficie poids masse taille hauteur longueur largeur diametre circonference".split()
)


def nonzero(name: str) -> bool:
    """Does the column's meaning forbid zero (a surface, a weight, a size)?"""
    return any(w in _NONZERO_WORDS for w in folded_words(name))


def nonnegative(name: str, spec: dict | None = None) -> bool | None:
    """Does the column's meaning forbid negative values? ``True`` for counts, amounts, ages,
    durations, sizes (from its name, or a schema ``minimum`` of 0 or more), ``False`` for signed
    quantities (temperatures, balances, variations, coordinates, or a negative schema minimum),
    ``None`` when nothing tells (then a negative value is not called impossible)."""
    constraints = (spec or {}).get("constraints") or {}
    minimum = constraints.get("minimum")
    if isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
        return minimum >= 0
    if _SIGNED_HINT.search(name):
        return False
    words = folded_words(name)
    if any(w in _NONNEGATIVE_WORDS or w.startswith(_NONNEGATIVE_PREFIXES) for w in words):
        return True
    return None


def _numeric_outliers(
    values: pd.Series, groupings, nonneg: bool | None = None, no_zero: bool = False
) -> tuple[np.ndarray, Any, Any, int, str | None]:
    """(flags, low, high, impossible count, grouping column) for a numeric column.

    Negative values are impossible only when the column's meaning forbids them (``nonneg``:
    counts, amounts, ages, durations) and they are rare; never in a signed quantity
    (temperatures, balances, altitudes) nor in a column whose meaning is unknown. A rare zero is
    impossible when positive values are far from zero in such a column (a building of 0 m²).
    """
    x = values.to_numpy(dtype="float64")
    x = np.where(np.isfinite(x), x, np.nan)
    known = ~np.isnan(x)
    n = int(known.sum())
    flags = np.zeros(len(x), dtype=bool)
    impossible = np.zeros(len(x), dtype=bool)
    if n >= 20 and nonneg:
        negative = known & (x < 0)
        if 0 < negative.sum() <= max(1, 0.02 * n):
            impossible |= negative
        zero = known & (x == 0)
        positive = x[known & (x > 0)]
        if 0 < zero.sum() <= 0.02 * n and len(positive) >= 20:
            # zero is impossible where the meaning forbids it (a surface), or where every other
            # value is far from it (a pool's daily attendance of 300, never below 80): not for
            # small counts, where 0 is one value among 1, 2, 3 (a permit creating no dwelling)
            p1, median = np.quantile(positive, [0.01, 0.5])
            far = p1 >= median / 4 and (no_zero or median >= 100)
            if far and (x[known] >= 0).mean() >= 0.98:
                impossible |= zero
    regular = known & ~impossible
    bounds = robust_bounds(pd.Series(x[regular])) if regular.sum() >= 8 else None
    low = high = None
    if bounds is not None:
        low, high = bounds
        if high is not None:
            flags |= regular & (x > high)
        if low is not None:
            flags |= regular & (x < low)
    if regular.sum() >= 100:
        p99 = float(np.quantile(x[regular], 0.99))
        if p99 > 0:
            far = regular & (x > 5 * p99)
            if far.sum() <= 0.01 * n:
                flags |= far
                high = (
                    min(high, _round_bound(5 * p99)) if high is not None else _round_bound(5 * p99)
                )
    group = None
    if groupings and regular.sum() >= 60:
        group, extra = _group_outliers(x, regular, groupings)
        if extra is not None and (extra & ~flags).any():
            flags |= extra
        else:
            group = None
    if nonneg and (impossible.any() or (low is not None and low < 0)):
        low = 0.0  # the plausible interval of a count or an age does not go below zero
    return flags | impossible, low, high, int(impossible.sum()), group


_NINES = re.compile(r"9{3,}")


def placeholders_of(values: pd.Series, name: str = "") -> list[float]:
    """Numbers that stand for « unknown » in a numeric column: 999, 9 999, 99 999… or -1, -9,
    -99… repeated (at least 3 times), far above every other value (nines: more than three times
    the largest of the rest) or the only negative values of the column (minus ones). A single
    9 999 is a typo among others (an extreme value), not a convention of the file."""
    x = values.to_numpy(dtype="float64")
    x = x[np.isfinite(x)]
    if len(x) < 20:
        return []
    uniques, counts = np.unique(x, return_counts=True)
    found = []
    for value, count in zip(uniques, counts, strict=True):
        if count < 3 or not float(value).is_integer():
            continue
        rest = x[x != value]
        if len(rest) < 10:
            continue
        text = str(int(abs(value)))
        if value > 0 and _NINES.fullmatch(text):
            others = rest[~np.isin(rest, uniques[counts >= 3])] if len(rest) else rest
            others = others if len(others) else rest
            if value > 3 * float(np.max(others)):
                found.append(float(value))
        elif value < 0 and (text == "1" or set(text) == {"9"}) and (rest >= 0).all():
            found.append(float(value))
        elif value == 0 and _COORDINATE.search(name) and len(rest):
            # a place at latitude or longitude 0 is in the Gulf of Guinea: « unknown »
            magnitude = np.abs(rest)
            if (np.sign(rest) == np.sign(rest[0])).all() and magnitude.min() >= 0.5 * np.median(
                magnitude
            ):
                found.append(0.0)
    return found


def _round_bound(value: float) -> float:
    return float(f"{value:.4g}")


def _group_outliers(x, regular, groupings) -> tuple[str | None, np.ndarray | None]:
    """Values extreme within their group, when one categorical column explains the numbers well
    (e.g. tonnages per waste stream: 12 t is normal for household waste, not for biowaste)."""
    ranks = pd.Series(x).rank(pct=True).to_numpy()
    best, best_eta, best_single = None, 0.5, 0.0
    mark = pair_mark()
    for name, codes in groupings:
        pair = mark in name
        if pair and best_single < 0.3:
            continue  # no single category matters for these numbers: pairs will not either
        ok = regular & (codes >= 0)
        if ok.sum() < 60:
            continue
        r, c = ranks[ok], codes[ok]
        counts = np.bincount(c)
        means = np.bincount(c, weights=r) / np.maximum(counts, 1)
        total = ((r - r.mean()) ** 2).sum()
        if total <= 0:
            continue
        eta = float((counts * (means - r.mean()) ** 2).sum() / total)
        if not pair:
            best_single = max(best_single, eta)
        if eta > best_eta:
            best, best_eta = (name, codes), eta
    if best is None:
        return None, None
    name, codes = best
    flags = np.zeros(len(x), dtype=bool)
    for code in np.unique(codes[codes >= 0]):
        members = regular & (codes == code)
        if members.sum() < 30:
            continue
        bounds = robust_bounds(pd.Series(x[members]))
        if bounds is None or bounds[1] is None:
            continue
        # within a group, only values far above it count (three times its 90th percentile)
        p90 = float(np.quantile(x[members], 0.9))
        flags |= members & (x > bounds[1]) & (x > 3 * max(p90, 0.0))
    return (name if flags.any() else None), flags


def outlier_findings(
    frame, profile, skip, today, groupings, specs=None, fenced=None
) -> tuple[list[Finding], int, int, int]:
    """Extreme or impossible values. ``specs``: the schema's fields by name; ``fenced``: columns
    whose values the learner's recipe already brought into an interval (capped or filtered):
    their values are not flagged again."""
    specs = specs or {}
    fenced = fenced or set()
    findings = []
    outlier_cells = 0
    impossible_cells = 0
    numeric_cells = 0
    for name, column in profile.items():
        if name in skip:
            continue
        dates = dates_of(column)
        if dates is not None:
            bad = (dates > today + pd.Timedelta(days=366 * 3)) | (dates < pd.Timestamp(1900, 1, 1))
            bad = bad.fillna(False).to_numpy(dtype=bool)
            count = int(bad.sum())
            if count:
                impossible_cells += count
                findings.append(
                    Finding(
                        "outliers",
                        [name],
                        count,
                        kept_rows(frame.index[bad]),
                        messages.text(
                            "quality.outliers_dates",
                            column=name,
                            count=count,
                            examples=example_list(column.values[bad].tolist()),
                        ),
                        messages.text("quality.why_outliers"),
                        None,
                        "warning",
                        "validity",
                    )
                )
            continue
        values = numbers_of(column)
        if values is None or column.distinct < 3 or is_code(column):
            continue  # a code is never extreme: 6411 is an account, not a quantity
        if few_whole_values(column) and values.max() <= 12 and not nonnegative(name):
            continue  # categories written as numbers (1 to 9)
        numeric_cells += column.non_null
        if name in fenced:
            continue  # the recipe already keeps these values in the interval the learner chose
        found = placeholders_of(values, name)
        if found:
            mask = values.isin(found).fillna(False).to_numpy(dtype=bool)
            impossible_cells += int(mask.sum())
            findings.append(
                placeholder_finding(
                    frame, name, mask, found, "quality.placeholder", example_list(found, 4)
                )
            )
            values = values.mask(mask)
        positive = nonnegative(name, specs.get(name))
        flags, low, high, impossible, group = _numeric_outliers(
            values, groupings, positive, nonzero(name)
        )
        count = int(flags.sum())
        if not count or count > 0.02 * column.non_null:
            continue
        outlier_cells += count
        impossible_cells += impossible
        finite = values[np.isfinite(values.to_numpy(dtype="float64"))]
        if len(finite) and bool((finite % 1 == 0).all()):  # whole numbers: whole bounds
            low = float(math.ceil(low)) if low is not None else None
            high = float(math.floor(high)) if high is not None else None
        bounded = (low is not None or high is not None) and column.kind in ("number", "integer")
        step = (
            Step("cap_outliers", {"column": name, "low": low, "high": high})
            if bounded and positive is not False  # a real measurement is never clamped
            else None
        )
        shown = values[flags].tolist()
        if impossible == count:
            message = messages.text(
                "quality.outliers_negative", column=name, count=count, examples=example_list(shown)
            )
        else:
            message = messages.text(
                "quality.outliers_extreme",
                column=name,
                count=count,
                interval=interval_text(low, high),
                examples=example_list(shown),
            )
            if impossible:
                message += " " + messages.text("quality.outliers_also_impossible", count=impossible)
            if group:
                message += " " + messages.text("quality.outliers_by_group", group=group)
            if positive is False:
                message += " " + messages.text("quality.outliers_measure")
        findings.append(
            Finding(
                "outliers",
                [name],
                count,
                kept_rows(frame.index[flags]),
                message,
                messages.text("quality.why_outliers"),
                step,
                "warning",
                "accuracy",
                {"low": low, "high": high, "impossible": impossible, "group": group},
            )
        )
    return findings, outlier_cells, impossible_cells, numeric_cells


def wrong_type_findings(frame, profile) -> tuple[list[Finding], int]:
    """Numbers or dates stored as text; and the cells concerned."""
    findings = []
    bad_cells = 0
    for name, column in profile.items():
        if column.kind != "text":
            continue
        values = column.values
        if column.date_format:
            count = column.non_null
            findings.append(
                Finding(
                    "wrong_type",
                    [name],
                    count,
                    kept_rows(values.dropna().index),
                    messages.text(
                        "quality.wrong_type_date",
                        column=name,
                        count=count,
                        format=readable_date_format(column.date_format),
                    ),
                    messages.text("quality.why_wrong_type"),
                    Step(
                        "convert_type", {"column": name, "to": "date", "format": column.date_format}
                    ),
                    "warning",
                    "validity",
                    {"to": "date"},
                )
            )
            continue
        if column.number_share < TYPE_SHARE:
            continue
        text = values.astype("string").str.strip()
        present = (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
        unreadable = present & numbers_of(column).isna().to_numpy()
        if unreadable.any():  # some values are not numbers at all: they make the column text
            bad = unreadable
        else:  # every value is a number written with spaces, a unit or a decimal comma
            bad = present
        count = int(bad.sum())
        if not count:
            continue
        bad_cells += count
        findings.append(
            Finding(
                "wrong_type",
                [name],
                count,
                kept_rows(frame.index[bad]),
                messages.text(
                    "quality.wrong_type_number",
                    column=name,
                    count=count,
                    examples=example_list(values[bad].tolist()),
                ),
                messages.text("quality.why_wrong_type"),
                Step("convert_type", {"column": name, "to": "number"}),
                "warning",
                "validity",
                {"to": "number"},
            )
        )
    return findings, bad_cells


def constant_findings(frame, profile, target) -> tuple[list[Finding], set[str]]:
    """Columns with one value (or nearly), and the names of the constant ones."""
    constant = [n for n, c in profile.items() if c.distinct == 1 and n != target]
    findings = []
    if constant:
        findings.append(
            Finding(
                "constant",
                constant,
                len(frame),
                [],
                messages.text("quality.constant", n=len(constant), columns=quoted(constant, 10)),
                messages.text("quality.why_constant"),
                Step("drop_column", {"columns": constant}),
                "warning",
                None,
            )
        )
    nearly = []
    for name, column in profile.items():
        if name == target or column.distinct < 2 or column.non_null < 20 or name in constant:
            continue
        if column.distinct > (1 - NEARLY_CONSTANT) * len(frame) + 1:
            continue  # too many different values for one of them to fill 95 % of the rows
        top = column.values.value_counts(dropna=False).iloc[0] / len(frame)
        if top >= NEARLY_CONSTANT:
            nearly.append(name)
    if nearly:
        findings.append(
            Finding(
                "constant",
                nearly,
                len(frame),
                [],
                messages.text(
                    "quality.nearly_constant",
                    n=len(nearly),
                    threshold=round(100 * NEARLY_CONSTANT),
                    columns=quoted(nearly, 10),
                ),
                messages.text("quality.why_nearly_constant"),
                None,
                "info",
                None,
                {"nearly": True},
            )
        )
    return findings, set(constant)


def identifier_findings(frame, profile, skip, target) -> tuple[list[Finding], set[str]]:
    """Identifiers and free texts, different on every row, and their names."""
    findings = []
    names = set()
    for name, column in profile.items():
        if name in skip or name == target or column.non_null < 20:
            continue
        if column.distinct / column.non_null < IDENTIFIER_SHARE:
            continue
        if column.kind == "integer":
            values = column.values.dropna()
            spread = (values.max() - values.min() + 1) / max(len(values), 1)
            if not (is_number_name(name) or spread <= 3):
                continue
            free_text = False
        elif column.kind == "text":
            if column.date_format or column.number_share >= TYPE_SHARE and not is_number_name(name):
                continue
            if _addresses(column) and not text_sample(column.values).str.contains("[@/]").any():
                continue  # coordinates: unique, but they say where, as a model can use
            sample = text_sample(column.values)
            free_text = bool(sample.str.len().mean() > 30 or sample.str.count(" ").mean() >= 3)
        else:
            continue
        names.add(name)
        key = "quality.identifier_text" if free_text else "quality.identifier_code"
        findings.append(
            Finding(
                "identifier",
                [name],
                column.non_null,
                [],
                messages.text(key, column=name, distinct=column.distinct, count=column.non_null),
                messages.text("quality.why_identifier"),
                Step("drop_column", {"columns": [name]}),
                "warning",
                None,
                {"free_text": free_text},
            )
        )
    return findings, names


def imbalance_findings(frame, target, task) -> list[Finding]:
    """A class target with a rare class, or classes with fewer than ten rows."""
    if target not in frame.columns or task != "classification":
        return []
    counts = frame[target].dropna().astype(str).value_counts()
    total = int(counts.sum())
    if total == 0 or len(counts) < 2:
        return []
    findings = []
    minority = counts.index[-1]
    share = counts.iloc[-1] / total
    if share < 0.6 / len(counts):
        rows = frame.index[(frame[target].astype(str) == minority).to_numpy()]
        findings.append(
            Finding(
                "imbalance",
                [target],
                int(counts.iloc[-1]),
                kept_rows(rows),
                messages.text(
                    "quality.imbalance",
                    column=target,
                    minority=minority,
                    share=percent(counts.iloc[-1], total),
                    count=int(counts.iloc[-1]),
                    total=total,
                ),
                messages.text("quality.why_imbalance"),
                None,
                "warning",
                None,
                {"classes": {str(k): int(v) for k, v in counts.items()}},
            )
        )
    else:
        few = [f"« {k} » ({v})" for k, v in counts.items() if v < 10]
        if few:
            findings.append(
                Finding(
                    "imbalance",
                    [target],
                    int(sum(v for v in counts if v < 10)),
                    [],
                    messages.text("quality.imbalance_few", column=target, classes=", ".join(few)),
                    messages.text("quality.why_imbalance"),
                    None,
                    "warning",
                    None,
                    {"classes": {str(k): int(v) for k, v in counts.items()}},
                )
            )
    return findings


def schema_findings(frame, schema) -> tuple[list[Finding], int]:
    """Values that break the declared Table Schema; and the cells concerned."""
    report = schema_check.validate(frame, schema)
    allowed = schema_check.allowed_values(schema)
    findings = []
    bad_cells = 0
    for issue in report.issues:
        if not issue.blocking:
            continue
        fix = None
        column = issue.column
        if issue.rule == "enum" and column in allowed:
            keys = {fold_category(v): v for v in allowed[column]}
            mapping = {
                v: keys[fold_category(v)]
                for v in frame[column].dropna().astype(str).unique()
                if v not in allowed[column] and fold_category(v) in keys
            }
            if mapping:
                fix = Step("merge_categories", {"column": column, "mapping": mapping})
        elif issue.rule == "type" and column in frame.columns:
            spec = next((f for f in schema.get("fields", []) if f.get("name") == column), {})
            if spec.get("type") in ("integer", "number"):
                fix = Step("convert_type", {"column": column, "to": "number"})
        bad_cells += issue.count
        findings.append(
            Finding(
                "schema",
                [column] if column else [],
                issue.count,
                issue.rows[:MAX_ROWS],
                issue.message,
                messages.text("quality.why_schema"),
                fix,
                "warning",
                "validity",
                {"rule": issue.rule, "values": issue.values},
            )
        )
    return findings, bad_cells


def latest_date(frame, profile, today) -> pd.Timestamp | None:
    """The most recent plausible date of the table (dates, or years), if any."""
    latest = None
    for name, column in profile.items():
        dates = dates_of(column)
        if dates is None and column.kind in ("integer", "number") and _YEAR_HINT.search(name):
            years = column.values.dropna()
            if len(years) and years.between(1900, 2100).all():
                dates = pd.to_datetime(years.astype(int).astype(str) + "-12-31", errors="coerce")
        if dates is None:
            continue
        try:
            dates = dates[
                (dates <= today + pd.Timedelta(days=366)) & (dates >= pd.Timestamp(1900, 1, 1))
            ]
        except TypeError:  # time-zone aware dates
            dates = pd.to_datetime(dates, utc=True).dt.tz_localize(None)
            dates = dates[dates <= today + pd.Timedelta(days=366)]
        if dates.notna().any():
            value = dates.max()
            latest = value if latest is None or value > latest else latest
    return latest
