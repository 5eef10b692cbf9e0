"""The quality report of a table: a score per dimension and findings in plain French.

:func:`assess` measures six dimensions (completeness, uniqueness, validity, consistency, and what
the data allow of accuracy and timeliness) on a 0–100 scale, and lists **findings**: each says
what is wrong and where (columns, how many rows and which), why it matters for a model, and
proposes a fix as a :class:`labkit.prepare.recipe.Step` that the cleaning recipe can apply.

Finding kinds: ``missing``, ``duplicates``, ``inconsistent_categories``, ``outliers``,
``wrong_type``, ``constant``, ``identifier``, ``leakage``, ``imbalance``, ``personal_data``,
``schema``. :func:`default_recipe` gathers the safe fixes into a recipe (used when a learner
skipped module 04, and by ``datalab train``); :func:`summary` is the short JSON form shown by
``datalab dataset inspect --json``.

Detectors are tuned to find what a careful person would, without drowning them in false alarms:
outliers use far-out fences on a log scale for skewed data, spellings are grouped by a folded
form (case, accents, punctuation, articles, common abbreviations, acronyms, one-letter typos).
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.prepare.recipe import (
    Recipe,
    Step,
    apply_step,
    detect_date_format,
    robust_bounds,
    to_number,
)

DIMENSIONS = ("completeness", "uniqueness", "validity", "consistency", "accuracy", "timeliness")
KINDS = (
    "missing",
    "duplicates",
    "inconsistent_categories",
    "outliers",
    "wrong_type",
    "constant",
    "identifier",
    "leakage",
    "imbalance",
    "personal_data",
    "schema",
)
MAX_ROWS = 1000  # row indices kept per finding (``count`` has the total)
ALMOST_EMPTY = 0.6  # share of empty cells from which a column is "almost empty"
NEARLY_CONSTANT = 0.95
IDENTIFIER_SHARE = 0.95
LEAKAGE_ACCURACY = 0.98
LEAKAGE_CORRELATION = 0.97  # rank correlation with a numeric target
LEAKAGE_ETA = 0.9  # share of a numeric target's rank variance explained by a category
PAIR_CANDIDATES = 12  # columns tried two by two for combined leaks
PAIR_MARK = " » et « "  # joins the names of two grouping columns (shown inside « »)
JOINT_MAX = 5  # columns named at most in a joint leak
JOINT_CLASSES = 30  # a target with at most this many values is checked with a decision tree
JOINT_ROWS = 2000  # rows used by the joint-leak tests (half to learn, half to check)
JOINT_R2 = 0.995  # a linear combination of columns this close to a numeric target is a leak
LEAKAGE_ROWS = 4000  # rows used by the leakage tests on big tables
TYPE_SHARE = 0.8  # share of values that must read as numbers (dates) for a text column to be one
MAX_CATEGORIES = 300
_CODE_HINT = re.compile(
    r"(^|[_\s-])(code|cp|insee|siren|siret|dep|dept|departement|département|id|num|numero|"
    r"numéro|n°|no|ref|reference|référence|tel|telephone|téléphone|phone|postal|zip|matricule)"
    r"($|[_\s-])|^n°|^id",
    re.IGNORECASE,
)
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
        " diametre circonference"
    ).split()
)
_NONNEGATIVE_PREFIXES = ("nb", "nombre", "montant", "effectif", "surface", "duree", "delai", "tonn")
_YEAR_HINT = re.compile(r"ann[ée]e|year|exercice|mill[ée]sime", re.IGNORECASE)
_ARTICLES = frozenset({"le", "la", "les", "l"})
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "bd": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "pl": "place",
    "mt": "mont",
}
# Folded forms that name the same thing in local-government files (left: variant, right: form
# it is grouped with). Extend with care: only true synonyms.
_SYNONYMS = {
    "hotel de ville": "mairie",
    "salle de fete": "salle polyvalente",
    "salle des fete": "salle polyvalente",
    "nuisance sonore": "bruit",
    "polyethylene": "pehd",
    "polyethylene haute densite": "pehd",
    "ordure menagere": "omr",
    "ordure menagere residuelle": "omr",
    "centre technique municipal": "centre technique",
    "ctm": "centre technique",
}
_SMALL_WORDS = frozenset(
    {"de", "du", "des", "d", "et", "en", "sur", "sous", "l", "la", "le", "les", "a", "au", "aux"}
)


# =========================================================================== data classes
@dataclass
class Finding:
    """One defect: what, where, why it matters, and a proposed fix (a recipe step, or None)."""

    kind: str
    columns: list[str]
    count: int
    rows: list[Any]
    message: str
    why: str
    fix: Step | None = None
    severity: str = "warning"  # "info", "warning" or "critical"
    dimension: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return messages.text(f"quality.kind_{self.kind}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "count": int(self.count),
            "rows": [_plain(r) for r in self.rows],
            "message": self.message,
            "why": self.why,
            "fix": self.fix.to_dict() if self.fix else None,
            "severity": self.severity,
        }


@dataclass
class QualityReport:
    rows: int
    columns: int
    scores: dict[str, float | None]
    score: int
    findings: list[Finding]
    target: str | None = None
    task: str | None = None
    column_types: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # how each dimension was measured
    deductions: list[tuple[str, int, str]] = field(default_factory=list)  # from the global score
    mean: float | None = None  # mean of the measured dimensions, before deductions

    def score_explanation(self) -> str:
        """How the global score is made, in French."""
        if not self.deductions:
            return messages.text("quality.overall_mean", score=self.score)
        return messages.text(
            "quality.overall_deducted",
            mean=f"{self.mean:.0f}" if self.mean is not None else "—",
            score=self.score,
            reasons=" ; ".join(reason for _, _, reason in self.deductions),
        )

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def columns_of(self, kind: str) -> set[str]:
        return {c for f in self.by_kind(kind) for c in f.columns}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "score": self.score,
            "scores": dict(self.scores),
            "deductions": [
                {"kind": kind, "points": points, "message": reason}
                for kind, points, reason in self.deductions
            ],
            "target": self.target,
            "findings": [f.to_dict() for f in self.findings],
        }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _rows(index: pd.Index) -> list[Any]:
    return [_plain(v) for v in index[:MAX_ROWS]]


def _share(part: float, whole: float) -> str:
    value = 100 * part / whole if whole else 0.0
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.replace(".", ",")


def _quoted(columns: list[str], limit: int = 8) -> str:
    shown = [f"« {c} »" for c in columns[:limit]]
    if len(columns) > limit:
        shown.append("…")
    return ", ".join(shown)


def _examples(values: list[Any], limit: int = 3) -> str:
    seen = []
    for value in values:
        text = _fmt(value)
        if text not in seen:
            seen.append(text)
        if len(seen) >= limit:
            break
    return ", ".join(f"« {v} »" for v in seen)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}".replace(",", "\u202f")
        return f"{value:,.4g}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}".replace(",", "\u202f")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    return str(value)


# =========================================================================== column profile
@dataclass
class _Column:
    name: str
    kind: str  # number, integer, date, text, bool, empty
    values: pd.Series
    non_null: int
    distinct: int
    date_format: str | None = None  # for text columns holding dates
    number_share: float = 0.0  # for text columns: share readable as numbers
    numbers: pd.Series | None = None  # the values as floats, when they are numbers


def _profile(frame: pd.DataFrame) -> dict[str, _Column]:
    profile = {}
    for name in frame.columns:
        values = frame[name]
        non_null = int(values.notna().sum())
        try:
            distinct = int(values.nunique(dropna=True))
        except TypeError:  # unhashable cells (lists): compare their text
            distinct = int(values.dropna().map(str).nunique())
        if non_null == 0:
            kind = "empty"
        elif pd.api.types.is_bool_dtype(values):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(values):
            kind = "integer"
        elif pd.api.types.is_numeric_dtype(values):
            kind = "number"
        elif pd.api.types.is_datetime64_any_dtype(values):
            kind = "date"
        else:
            kind = "text"
        profile[str(name)] = _Column(str(name), kind, values, non_null, distinct)
    return profile


def _text_sample(values: pd.Series, size: int = 300) -> pd.Series:
    values = values.dropna()
    if len(values) > size:
        values = values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]
    return values.astype("string").str.strip()


def _sample_list(values: pd.Series, size: int = 300) -> list[str]:
    values = values.dropna()
    if len(values) > size:
        values = values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]
    items = (str(v).strip() for v in values.tolist())
    return [v for v in items if v]


_DIGITS = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")


def _looks_like_code(column: _Column, sample: list[str]) -> bool:
    """Codes (postal codes, department codes, references) are digits that are not quantities."""
    if _CODE_HINT.search(column.name):
        return True
    digits = [v for v in sample if _DIGITS.fullmatch(v)]
    if not digits:
        return False
    if sum(1 for v in digits if len(v) > 1 and v[0] == "0") >= 0.05 * len(digits):
        return True
    lengths = {len(v) for v in digits}
    return len(lengths) == 1 and next(iter(lengths)) >= 5


def _classify_text(column: _Column, personal: set[str]) -> None:
    """For a text column: does it hold dates, or numbers, stored as text?"""
    if column.kind != "text" or column.name in personal:
        return
    sample = _sample_list(column.values)
    if not sample or sum(1 for v in sample if _HAS_DIGIT.search(v)) < 0.5 * len(sample):
        return
    date_format = detect_date_format(pd.Series(sample, dtype="object"))
    if date_format is not None:
        parsed = pd.to_datetime(
            pd.Series(sample, dtype="object"), format=date_format, errors="coerce"
        )
        if parsed.notna().mean() >= TYPE_SHARE:
            column.date_format = date_format
            return
    if _looks_like_code(column, sample):
        return
    column.number_share = float(to_number(pd.Series(sample, dtype="object")).notna().mean())


# =========================================================================== helpers
def fold_category(value: Any) -> str:
    """The folded form of a category: ``« St-Martin »`` → ``saintmartin``, ``« Les Côteaux »`` →
    ``coteau``, ``« espaces verts »`` → ``espacevert``; spellings with the same folded form are
    the same category."""
    words = _stem_words(value)
    joined = " ".join(words)
    joined = _SYNONYMS.get(joined, joined)
    return joined.replace(" ", "")


def _words(value: Any) -> list[str]:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("œ", "oe").replace("æ", "ae")
    words = re.split(r"[^0-9a-z]+", text)
    return [_ABBREVIATIONS.get(w, w) for w in words if w]


def _stem_words(value: Any) -> list[str]:
    """Folded words without leading article, plural marks removed (French)."""
    words = _words(value)
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return [w[:-1] if len(w) > 3 and w[-1] in "sx" and not w.endswith("ss") else w for w in words]


def _acronym(value: Any) -> str:
    words = [w for w in _words(value) if w not in _SMALL_WORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _close(a: str, b: str) -> bool:
    """One typo apart (two for long words; swapping two letters counts as one): not another
    category."""
    if min(len(a), len(b)) < 7 or abs(len(a) - len(b)) > 2:
        return False
    limit = 2 if min(len(a), len(b)) >= 12 else 1
    if a[:2] != b[:2] and a[-2:] != b[-2:]:
        return False
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        if min(row) > limit:
            return False
        rows.append(row)
    return rows[-1][-1] <= limit


def _nice(value: str) -> tuple:
    """How presentable a spelling is: not shouting, with accents, no stray spaces."""
    letters = [c for c in value if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0
    accents = any(unicodedata.decomposition(c) for c in value)
    return (upper < 0.5, value == value.strip() and "  " not in value, accents)


def target_task(values: pd.Series) -> str:
    """``classification`` or ``regression``, from the target's values."""
    values = values.dropna()
    if values.empty:
        return "classification"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification"
    distinct = values.nunique()
    if distinct <= 2:
        return "classification"
    if pd.api.types.is_integer_dtype(values) or (values % 1 == 0).all():
        return "classification" if distinct <= 5 else "regression"
    return "regression"


# =========================================================================== detectors
def _personal_findings(frame, profile, target) -> tuple[list[Finding], set[str]]:
    from labkit.prepare import privacy

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


def _missing_findings(frame, profile, target) -> tuple[list[Finding], int]:
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
                columns=_quoted(grouped_with_target, 5),
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
                _rows(frame.index[target_mask.to_numpy()]),
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
        numeric = column.kind in ("number", "integer") or column.number_share >= TYPE_SHARE
        strategy = "median" if numeric else "most_frequent"
        findings.append(
            Finding(
                "missing",
                [name],
                count,
                _rows(frame.index[mask]),
                messages.text(
                    "quality.missing_one",
                    column=name,
                    count=count,
                    total=total,
                    share=_share(count, total),
                ),
                messages.text("quality.why_missing"),
                Step("fill_missing", {"column": name, "strategy": strategy}),
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
                _rows(frame.index[masks[almost_empty].any(axis=1).to_numpy()]),
                messages.text(
                    "quality.missing_almost_empty",
                    n=len(almost_empty),
                    threshold=round(100 * ALMOST_EMPTY),
                    columns=_quoted(almost_empty, 10),
                ),
                messages.text("quality.why_missing_almost_empty"),
                Step("drop_column", {"columns": almost_empty}),
                "warning",
                "completeness",
                {"almost_empty": True},
            )
        )
    return findings, empty_cells


def _duplicate_findings(frame, identifiers) -> tuple[list[Finding], int]:
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
                _rows(frame.index[exact.to_numpy()]),
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
                    _rows(frame.index[extra.to_numpy()]),
                    messages.text(
                        "quality.duplicates_without_id",
                        count=extra_count,
                        ids=_quoted(sorted(identifiers)),
                    ),
                    messages.text("quality.why_duplicates"),
                    Step("drop_duplicates", {"columns": [str(c) for c in others]}),
                    "warning",
                    "uniqueness",
                )
            )
    return findings, count + sum(f.count for f in findings[1:])


def _category_groups(values: pd.Series, allowed: list[str] | None) -> list[tuple[str, list[str]]]:
    """Groups of spellings of one category: (retained spelling, variants)."""
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return []
    keys: dict[str, list[str]] = defaultdict(list)
    for value in counts.index:
        keys[fold_category(value)].append(value)
    allowed_keys = {fold_category(v): v for v in allowed or []}
    # merge keys that are acronyms of others, or one typo apart
    key_list = sorted(keys, key=lambda k: -sum(counts[v] for v in keys[k]))
    parent = {k: k for k in key_list}

    def root(k: str) -> str:
        while parent[k] != k:
            k = parent[k]
        return k

    acronyms = {}
    for key in key_list:
        acronym = _acronym(keys[key][0])
        if acronym:
            acronyms.setdefault(acronym, key)
    for key in key_list:
        if key in acronyms and acronyms[key] != key:
            parent[root(key)] = root(acronyms[key])
    words_of = {k: _stem_words(keys[k][0]) for k in key_list}
    for key in key_list:  # acronyms of the long form, possibly with one more letter (« OMR »)
        if len(key) > 5 or not key.isalpha():
            continue
        for other in key_list:
            acronym = _acronym(keys[other][0])
            if (
                other != key
                and acronym
                and key.startswith(acronym)
                and len(key) - len(acronym) <= 1
            ):
                if len(acronym) >= 2 and root(key) != root(other):
                    parent[root(key)] = root(other)
                    break
    for key in key_list:  # « Éclairage » for « éclairage public », « sam. » for « samedi »
        words = words_of[key]
        completions = [
            other
            for other in key_list
            if other != key
            and (
                (len(words_of[other]) > len(words) and words_of[other][: len(words)] == words)
                or (
                    len(key) >= 3
                    and len(words) == 1
                    and len(words_of[other]) == 1
                    and len(key) < len(other)
                    and other.startswith(key)
                    and len(key) <= 4
                )
            )
        ]
        if len({root(c) for c in completions}) == 1 and root(key) != root(completions[0]):
            if key in allowed_keys and completions[0] in allowed_keys:
                continue
            parent[root(key)] = root(completions[0])
    if len(key_list) <= 400:
        for i, a in enumerate(key_list):
            for b in key_list[i + 1 :]:
                if root(a) != root(b) and _close(a, b):
                    if a in allowed_keys and b in allowed_keys:
                        continue
                    parent[root(b)] = root(a)
    merged: dict[str, list[str]] = defaultdict(list)
    for key in key_list:
        merged[root(key)].extend(keys[key])
    groups = []
    for spellings in merged.values():
        if len(spellings) < 2:
            continue
        retained = None
        for spelling in spellings:
            if spelling in (allowed or []):
                retained = spelling
                break
        if retained is None:
            for member in spellings:
                if fold_category(member) in allowed_keys:
                    retained = allowed_keys[fold_category(member)]
                    break
        if retained is None:
            retained = max(
                spellings, key=lambda s: (_nice(s)[0], counts[s], _nice(s)[2], _nice(s)[1])
            )
        variants = [s for s in spellings if s != retained]
        if variants:
            groups.append((retained, variants))
    return groups


def _inconsistent_findings(frame, profile, skip, allowed_values) -> tuple[list[Finding], int, int]:
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
        checked_cells += column.non_null
        groups = _category_groups(column.values, allowed_values.get(name))
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
                _rows(frame.index[mask]),
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


def _numbers(column: _Column) -> pd.Series | None:
    """A column's values as floats: numbers, or numbers stored as text (read leniently)."""
    if column.numbers is None:
        if column.kind in ("number", "integer"):
            column.numbers = column.values.astype("float64")
        elif column.kind == "text" and column.number_share >= TYPE_SHARE:
            column.numbers = to_number(column.values)
    return column.numbers


def _groupings(profile: dict[str, _Column], skip: set[str]) -> list[tuple[str, np.ndarray]]:
    """Categorical columns that can split numbers into comparable groups (2 to 10 groups of 30+
    rows, spellings folded; rows of smaller groups are left out)."""
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
                pairs.append((f"{name_a}{PAIR_MARK}{name_b}", codes))
    return found + pairs


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
    words = _words(name)
    if any(w in _NONNEGATIVE_WORDS or w.startswith(_NONNEGATIVE_PREFIXES) for w in words):
        return True
    return None


def _numeric_outliers(
    values: pd.Series, groupings, nonneg: bool | None = None
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
            p1, median = np.quantile(positive, [0.01, 0.5])
            if p1 >= median / 4 and (x[known] >= 0).mean() >= 0.98:
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


def _round_bound(value: float) -> float:
    return float(f"{value:.4g}")


def _group_outliers(x, regular, groupings) -> tuple[str | None, np.ndarray | None]:
    """Values extreme within their group, when one categorical column explains the numbers well
    (e.g. tonnages per waste stream: 12 t is normal for household waste, not for biowaste)."""
    ranks = pd.Series(x).rank(pct=True).to_numpy()
    best, best_eta, best_single = None, 0.5, 0.0
    for name, codes in groupings:
        pair = PAIR_MARK in name
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


def _outlier_findings(
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
        if column.kind == "date" or column.date_format:
            dates = (
                column.values
                if column.kind == "date"
                else pd.to_datetime(
                    column.values.astype("string").str.strip(),
                    format=column.date_format,
                    errors="coerce",
                )
            )
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
                        _rows(frame.index[bad]),
                        messages.text(
                            "quality.outliers_dates",
                            column=name,
                            count=count,
                            examples=_examples(column.values[bad].tolist()),
                        ),
                        messages.text("quality.why_outliers"),
                        None,
                        "warning",
                        "validity",
                    )
                )
            continue
        values = _numbers(column)
        if values is None or column.distinct < 3:
            continue
        numeric_cells += column.non_null
        if name in fenced:
            continue  # the recipe already keeps these values in the interval the learner chose
        positive = nonnegative(name, specs.get(name))
        flags, low, high, impossible, group = _numeric_outliers(values, groupings, positive)
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
                "quality.outliers_negative", column=name, count=count, examples=_examples(shown)
            )
        else:
            from labkit.prepare.recipe import _interval

            message = messages.text(
                "quality.outliers_extreme",
                column=name,
                count=count,
                interval=_interval(low, high),
                examples=_examples(shown),
            )
            if group:
                message += " " + messages.text("quality.outliers_by_group", group=group)
            if positive is False:
                message += " " + messages.text("quality.outliers_measure")
        findings.append(
            Finding(
                "outliers",
                [name],
                count,
                _rows(frame.index[flags]),
                message,
                messages.text("quality.why_outliers"),
                step,
                "warning",
                "accuracy",
                {"low": low, "high": high, "impossible": impossible, "group": group},
            )
        )
    return findings, outlier_cells, impossible_cells, numeric_cells


def _wrong_type_findings(frame, profile) -> tuple[list[Finding], int]:
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
                    _rows(values.dropna().index),
                    messages.text(
                        "quality.wrong_type_date",
                        column=name,
                        count=count,
                        format=_readable_format(column.date_format),
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
        unreadable = present & _numbers(column).isna().to_numpy()
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
                _rows(frame.index[bad]),
                messages.text(
                    "quality.wrong_type_number",
                    column=name,
                    count=count,
                    examples=_examples(values[bad].tolist()),
                ),
                messages.text("quality.why_wrong_type"),
                Step("convert_type", {"column": name, "to": "number"}),
                "warning",
                "validity",
                {"to": "number"},
            )
        )
    return findings, bad_cells


def _readable_format(date_format: str) -> str:
    from labkit.prepare.recipe import _readable_format as readable

    return readable(date_format)


def _constant_findings(frame, profile, target) -> tuple[list[Finding], set[str]]:
    constant = [n for n, c in profile.items() if c.distinct == 1 and n != target]
    findings = []
    if constant:
        findings.append(
            Finding(
                "constant",
                constant,
                len(frame),
                [],
                messages.text("quality.constant", n=len(constant), columns=_quoted(constant, 10)),
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
                    columns=_quoted(nearly, 10),
                ),
                messages.text("quality.why_nearly_constant"),
                None,
                "info",
                None,
                {"nearly": True},
            )
        )
    return findings, set(constant)


def _identifier_findings(frame, profile, skip, target) -> tuple[list[Finding], set[str]]:
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
            if not (_CODE_HINT.search(name) or spread <= 3):
                continue
            free_text = False
        elif column.kind == "text":
            if (
                column.date_format
                or column.number_share >= TYPE_SHARE
                and not _CODE_HINT.search(name)
            ):
                continue
            sample = _text_sample(column.values)
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


def _scale(column: _Column) -> pd.Series | None:
    """A column as floats on a common scale: numbers as they are, dates as days."""
    if column.kind == "date" or column.date_format:
        dates = (
            column.values
            if column.kind == "date"
            else pd.to_datetime(
                column.values.astype("string").str.strip(),
                format=column.date_format,
                errors="coerce",
            )
        )
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        days = (dates - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400
        return days.astype("float64")
    return _numbers(column)


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


class _Target:
    """The target, ready for the leakage tests."""

    def __init__(self, values: pd.Series, task: str, numbers: pd.Series | None):
        self.task = task
        if task == "classification":
            self.classes, uniques = pd.factorize(values.astype(str))
            self.n_classes = len(uniques)
            self.baseline = np.bincount(self.classes).max() / len(self.classes)
        else:
            source = numbers if numbers is not None else values
            self.rank = pd.to_numeric(source, errors="coerce").astype("float64").rank().to_numpy()

    @property
    def usable(self) -> bool:
        if self.task == "classification":
            return self.n_classes >= 2 and self.baseline < 0.95
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


def _leakage_findings(frame, profile, target, task, skip, groupings=()) -> list[Finding]:
    if target not in frame.columns:
        return []
    known = frame[target].notna().to_numpy()
    if known.sum() < 20:
        return []
    if known.sum() > LEAKAGE_ROWS:  # near-determinism shows on a sample as well
        keep = np.zeros(len(known), dtype=bool)
        keep[np.linspace(0, len(known) - 1, LEAKAGE_ROWS).astype(int)] = True
        known = known & keep
    target_numbers = _numbers(profile[target]) if task == "regression" else None
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
        if name == target or name in skip:
            continue
        x_all = _scale(column)
        x = x_all.to_numpy(dtype="float64")[known] if x_all is not None else None
        missing = column.values[known].isna().to_numpy()
        if task == "classification" and 0.02 <= missing.mean() <= 0.98:
            score = _majority_accuracy(missing.astype(int), goal.classes, goal.n_classes)
            if goal.leaks(score):
                found[name] = ("missing", score, None)
                continue
        if x is not None:
            scaled[name] = x
            score = goal.score(x, None)
        elif column.kind in ("text", "bool") and column.distinct <= max(20, known.sum() // 20):
            codes, _ = pd.factorize(column.values[known].astype("string"), use_na_sentinel=False)
            score = goal.score(None, codes)
            many_per_category = known.sum() / max(column.distinct, 1) >= 20
            if goal.leaks(score, categorical=True) and many_per_category:
                found[name] = ("values" if task == "classification" else "categories", score, None)
            continue
        else:
            continue
        singles[name] = score
        if goal.leaks(score):
            found[name] = ("values" if task == "classification" else "regression", score, None)
    groupings = [(n, c[known]) for n, c in groupings]
    found.update(_pair_leaks(goal, scaled, singles, profile, set(found), groupings))
    already = set(found) | {p for _, _, p in found.values() if p}
    joint = _joint_leak(frame[target][known], profile, target, known, skip | already, scaled)
    findings = []
    if joint is not None:
        columns, score, reason = joint
        findings.append(_joint_finding(columns, score, reason, target, task, profile))
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
        elif reason == "pair":
            message = messages.text(
                "quality.leakage_pair", column=name, other=partner, target=target, score=shown
            )
        else:
            message = messages.text(
                f"quality.leakage_{reason}", column=name, target=target, accuracy=_share(score, 1.0)
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
        if r2 <= best + 0.01:
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
            columns=_quoted(columns, 6),
            target=target,
            r2=shown,
        )
    else:
        message = messages.text(
            "quality.leakage_joint",
            n=len(columns),
            columns=_quoted(columns, 6),
            target=target,
            accuracy=_share(score, 1.0),
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


def _imbalance_findings(frame, target, task) -> list[Finding]:
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
                _rows(rows),
                messages.text(
                    "quality.imbalance",
                    column=target,
                    minority=minority,
                    share=_share(counts.iloc[-1], total),
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


def _schema_findings(frame, schema) -> tuple[list[Finding], int]:
    from labkit.data import schema_check

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


# =========================================================================== timeliness
def _latest_date(frame, profile, today) -> pd.Timestamp | None:
    latest = None
    for name, column in profile.items():
        dates = None
        if column.kind == "date":
            dates = column.values
        elif column.date_format:
            dates = pd.to_datetime(
                column.values.astype("string").str.strip(),
                format=column.date_format,
                errors="coerce",
            )
        elif column.kind in ("integer", "number") and _YEAR_HINT.search(name):
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


# =========================================================================== the report
def assess(
    frame: pd.DataFrame,
    target: str | None = None,
    schema: dict | None = None,
    *,
    today: pd.Timestamp | str | None = None,
    recipe: Recipe | None = None,
) -> QualityReport:
    """The quality report of ``frame`` (its target and declared Table Schema, if known).

    ``recipe``: the cleaning recipe that made ``frame``, if any; columns it already brought into an
    interval of the learner's choice are not flagged again for extreme values. numpy's warnings
    (empty slices, infinities) never reach the page."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _assess(frame, target, schema, today, recipe)


def _assess(frame, target, schema, today, recipe) -> QualityReport:
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise messages.error("quality.bad_frame")
    frame = (
        frame.rename(columns=str) if not all(isinstance(c, str) for c in frame.columns) else frame
    )
    if target is not None and target not in frame.columns:
        raise messages.error(
            "quality.target_missing", target=target, columns=_quoted(list(frame.columns), 12)
        )
    today = pd.Timestamp(today) if today is not None else pd.Timestamp.today().normalize()
    total_rows = len(frame)
    cells = max(total_rows * frame.shape[1], 1)
    profile = _profile(frame)

    personal, personal_names = _personal_findings(frame, profile, target)
    for column in profile.values():
        _classify_text(column, personal_names)
    task = None
    if target:
        task = target_task(frame[target])
        numbers = _numbers(profile[target])
        if task == "classification" and numbers is not None and profile[target].distinct > 5:
            task = "regression"  # numbers stored as text
    missing, empty_cells = _missing_findings(frame, profile, target)
    constant, constant_names = _constant_findings(frame, profile, target)
    identifiers, identifier_names = _identifier_findings(
        frame, profile, personal_names | constant_names, target
    )
    duplicates, duplicate_rows = _duplicate_findings(frame, identifier_names)
    wrong_type, wrong_cells = _wrong_type_findings(frame, profile)
    allowed = {}
    if schema:
        from labkit.data.schema_check import allowed_values

        allowed = allowed_values(schema)
    skip_categories = personal_names | identifier_names | constant_names
    inconsistent, variant_cells, category_cells = _inconsistent_findings(
        frame, profile, skip_categories, allowed
    )
    groupings = _groupings(profile, identifier_names | personal_names | constant_names | {target})
    specs = {
        str(spec.get("name")): spec
        for spec in (schema or {}).get("fields", [])
        if isinstance(spec, dict)
    }
    fenced = {
        step.params["column"]
        for step in (recipe.steps if recipe is not None else [])
        if step.action in ("cap_outliers", "remove_outliers")
    }
    outliers, outlier_cells, impossible_cells, numeric_cells = _outlier_findings(
        frame,
        profile,
        identifier_names | personal_names | constant_names,
        today,
        groupings,
        specs,
        fenced,
    )
    leakage = (
        _leakage_findings(
            frame,
            profile,
            target,
            task,
            identifier_names | personal_names | constant_names,
            groupings,
        )
        if target
        else []
    )
    imbalance = _imbalance_findings(frame, target, task) if target else []
    schema_findings, schema_cells = _schema_findings(frame, schema) if schema else ([], 0)

    leaking = {c for f in leakage for c in f.columns}
    missing = [f for f in missing if not set(f.columns) <= leaking]
    wrong_type = [f for f in wrong_type if not set(f.columns) <= leaking]
    findings = (
        leakage
        + missing
        + duplicates
        + personal
        + wrong_type
        + inconsistent
        + outliers
        + schema_findings
        + identifiers
        + constant
        + imbalance
    )
    order = {"critical": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order.get(f.severity, 1))

    latest = _latest_date(frame, profile, today)
    scores: dict[str, float | None] = {
        "completeness": 100 * (1 - empty_cells / cells),
        "uniqueness": 100 * (1 - duplicate_rows / total_rows) if total_rows else 100.0,
        "validity": 100 * (1 - min(1.0, (wrong_cells + schema_cells + impossible_cells) / cells)),
        "consistency": 100 * (1 - variant_cells / category_cells) if category_cells else 100.0,
        "accuracy": 100 * (1 - outlier_cells / numeric_cells) if numeric_cells else None,
        "timeliness": _timeliness(latest, today),
    }
    scores = _reflect_findings(scores, findings)
    measured = [v for v in scores.values() if v is not None]
    mean = sum(measured) / len(measured) if measured else 0.0
    deductions = _deductions(findings)
    overall = int(round(max(0.0, mean - sum(points for _, points, _ in deductions))))
    notes = {d: messages.text(f"quality.about_{d}") for d in DIMENSIONS if d != "timeliness"}
    notes["timeliness"] = (
        messages.text("quality.about_timeliness", latest=latest.strftime("%d/%m/%Y"))
        if latest is not None
        else messages.text("quality.timeliness_none")
    )
    types = {
        name: ("date" if c.date_format else "number" if c.number_share >= TYPE_SHARE else c.kind)
        for name, c in profile.items()
    }
    return QualityReport(
        rows=total_rows,
        columns=frame.shape[1],
        scores=scores,
        score=overall,
        findings=findings,
        target=target,
        task=task,
        column_types=types,
        notes=notes,
        deductions=deductions,
        mean=round(mean, 1),
    )


# Points a finding takes at least from its dimension's score, by severity: a dimension with a
# finding is never shown as perfect, however few cells the finding concerns.
FINDING_POINTS = {"critical": 10.0, "warning": 3.0, "info": 1.0}
# Points taken from the global score: a leak or unprotected personal data makes the table unfit
# for a model as it is, whatever its other qualities.
LEAK_POINTS, LEAK_MAX = 20, 40
PERSONAL_POINTS, PERSONAL_MAX = 15, 30


def _reflect_findings(scores: dict, findings: list[Finding]) -> dict[str, float | None]:
    """Each dimension's score, lowered so that it shows its findings (rounded to 0.1)."""
    lost: dict[str, float] = defaultdict(float)
    for finding in findings:
        if finding.dimension:
            lost[finding.dimension] += FINDING_POINTS.get(finding.severity, 3.0)
    result: dict[str, float | None] = {}
    for dimension, value in scores.items():
        if value is None:
            result[dimension] = None
            continue
        value = min(value, 100.0 - lost.get(dimension, 0.0))
        if lost.get(dimension):
            value = min(value, 99.0)
        result[dimension] = round(max(0.0, value), 1)
    return result


def _deductions(findings: list[Finding]) -> list[tuple[str, int, str]]:
    """(kind, points, French reason) taken from the global score."""
    result = []
    leaks = [f for f in findings if f.kind == "leakage"]
    if leaks:
        points = min(LEAK_MAX, LEAK_POINTS * len(leaks))
        columns = sorted({c for f in leaks for c in f.columns})
        reason = messages.text(
            "quality.deduction_leakage", points=points, count=len(leaks), columns=_quoted(columns)
        )
        result.append(("leakage", points, reason))
    personal = [f for f in findings if f.kind == "personal_data"]
    if personal:
        points = min(PERSONAL_MAX, PERSONAL_POINTS * len(personal))
        columns = sorted({c for f in personal for c in f.columns})
        reason = messages.text(
            "quality.deduction_personal",
            points=points,
            count=len(personal),
            columns=_quoted(columns),
        )
        result.append(("personal_data", points, reason))
    return result


def leakage(frame: pd.DataFrame, target: str) -> list[Finding]:
    """Only the leakage findings of ``frame`` for ``target`` (module 05's column choice, the
    ``datalab train`` warnings): columns that give the target away alone, two by two or together."""
    if not isinstance(frame, pd.DataFrame) or target not in frame.columns or len(frame) < 20:
        return []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = frame.rename(columns=str)
        profile = _profile(frame)
        personal = set()
        for column in profile.values():
            _classify_text(column, personal)
        task = target_task(frame[target])
        numbers = _numbers(profile[target])
        if task == "classification" and numbers is not None and profile[target].distinct > 5:
            task = "regression"
        constant = {n for n, c in profile.items() if c.distinct <= 1 and n != target}
        _, identifiers = _identifier_findings(frame, profile, constant, target)
        skip = constant | identifiers
        groupings = _groupings(profile, skip | {target})
        return _leakage_findings(frame, profile, target, task, skip, groupings)


def _timeliness(latest: pd.Timestamp | None, today: pd.Timestamp) -> float | None:
    """100 for data less than a year old, then 10 points less per year of age."""
    if latest is None:
        return None
    age = (today - latest).days / 365.25
    return float(max(0.0, min(100.0, 100 - 10 * max(0.0, age - 1))))


def summary(report: QualityReport) -> dict[str, Any]:
    """The short form for ``datalab dataset inspect --json``."""
    return {
        "score": int(report.score),
        "findings": [
            {
                "kind": f.kind,
                "columns": list(f.columns),
                "count": int(f.count),
                "message": f.message,
            }
            for f in report.findings
        ],
    }


def dimension_label(dimension: str) -> str:
    return messages.text(f"quality.dimension_{dimension}")


# =========================================================================== default recipe
_DEFAULT_ORDER = {
    "wrong_type": 0,
    "schema": 1,
    "inconsistent_categories": 2,
    "duplicates": 3,
    "personal_data": 4,
    "leakage": 5,
    "identifier": 5,
    "constant": 5,
    "missing_target": 6,
    "missing_empty": 5,
    "outliers": 7,
    "missing": 8,
}


def default_recipe(frame: pd.DataFrame, report: QualityReport, target: str | None = None) -> Recipe:
    """The safe fixes of ``report`` as a recipe, each step fitted on the table as it is by then.

    Types are fixed first, then spellings, duplicates, columns to drop (personal data, leakage,
    identifiers, constant or almost empty columns), rows without target, extreme values, missing
    values; finally dates become year, month and weekday columns a model can use.
    """
    target = target or report.target
    candidates: list[tuple[int, Step]] = []
    for finding in report.findings:
        if finding.fix is None:
            continue
        kind = finding.kind
        if kind == "missing":
            if finding.details.get("target"):
                kind = "missing_target"
            elif finding.details.get("almost_empty"):
                kind = "missing_empty"
        if kind == "schema" and finding.fix.action != "merge_categories":
            continue
        if kind == "duplicates" and finding.fix.params.get("columns"):
            continue  # near duplicates: the learner decides
        candidates.append((_DEFAULT_ORDER.get(kind, 9), finding.fix))
    personal = [
        c for _, step in candidates if step.action == "remove_personal" for c in step.columns
    ]
    candidates = [item for item in candidates if item[1].action != "remove_personal"]
    if personal:
        candidates.append(
            (_DEFAULT_ORDER["personal_data"], Step("remove_personal", {"columns": personal}))
        )
    candidates.sort(key=lambda item: item[0])
    recipe = Recipe()
    table = frame
    merged_columns: set[str] = set()
    for _, step in candidates:
        if step.action == "merge_categories":
            if step.params["column"] in merged_columns:
                continue
            merged_columns.add(step.params["column"])
        if any(c not in table.columns for c in step.inputs()):
            continue
        if step.action in ("drop_column", "remove_personal"):
            columns = [c for c in step.params["columns"] if c in table.columns and c != target]
            if not columns:
                continue
            step = Step(step.action, {"columns": columns})
        try:
            fitted = recipe.add(step, table, require_change=True)
        except Exception:  # noqa: BLE001 - a fix that cannot apply here is left to the learner
            continue
        table = apply_step(table, fitted)
    if target and target in table.columns and table[target].isna().any():
        # a conversion emptied some targets (« Infinity », an impossible date): rows left out
        step = Step("filter_rows", {"column": target, "operator": "not_missing"})
        fitted = recipe.add(step, table)
        table = apply_step(table, fitted)
    for name in list(table.columns):
        if name == target or not table[name].isna().any() or table[name].notna().sum() == 0:
            continue
        numeric = pd.api.types.is_numeric_dtype(table[name]) and not pd.api.types.is_bool_dtype(
            table[name]
        )
        if report.column_types.get(name) == "date" or pd.api.types.is_datetime64_any_dtype(
            table[name]
        ):
            continue
        strategy = "median" if numeric else "most_frequent"
        try:
            fitted = recipe.add(Step("fill_missing", {"column": name, "strategy": strategy}), table)
        except Exception:  # noqa: BLE001
            continue
        table = apply_step(table, fitted)
    for name in list(table.columns):
        if name == target:
            continue
        kind = report.column_types.get(name)
        if kind == "date" and (
            pd.api.types.is_datetime64_any_dtype(table[name]) or table[name].notna().any()
        ):
            try:
                fitted = recipe.add(
                    Step(
                        "derive_from_date", {"column": name, "parts": ["year", "month", "weekday"]}
                    ),
                    table,
                )
            except Exception:  # noqa: BLE001
                continue
            table = apply_step(table, fitted)
    return recipe


# =========================================================================== the learner's table
def chosen_table(workspace) -> tuple[pd.DataFrame, str | None, dict | None]:
    """(table, target, declared schema) of the learner's project, or of the running example."""
    try:
        from labkit.data import selection  # module 03

        choice, frame = selection.load_choice(workspace)
        schema = None
        try:
            schema = selection.declared_schema(choice)
        except Exception:  # noqa: BLE001 - a dataset without schema
            schema = None
        target = getattr(choice, "target", None)
        return frame, target, schema
    except ImportError:
        return running_example()


def running_example() -> tuple[pd.DataFrame, str, dict | None]:
    """The running example's table, target and schema, read from its data package."""
    import json

    from labkit import paths
    from labkit.settings import load_settings

    example = load_settings().running_example
    try:
        from labkit.data import datapackage  # module 03

        dataset = datapackage.load_dataset(example.dataset)
        return dataset.table, example.target, dataset.schema
    except ImportError:
        folder = paths.datasets_dir() / example.dataset
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        resource = package["resources"][0]
        dialect = resource.get("dialect") or {}
        frame = pd.read_csv(
            folder / resource["path"],
            sep=dialect.get("delimiter", ","),
            encoding=resource.get("encoding", "utf-8"),
        )
        return frame, example.target, resource.get("schema")


def cells_share(count: int, total: int) -> float:
    return 0.0 if not total else count / total


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def associations(frame: pd.DataFrame, target: str) -> dict[str, float]:
    """How much each column alone tells about the target, from 0 (nothing) to 1 (everything):
    above the majority-class baseline for a class target (accuracy gained, rescaled), the
    absolute rank correlation (or explained rank variance) for a numeric one."""
    if target not in frame.columns:
        raise messages.error(
            "quality.target_missing", target=target, columns=_quoted(list(frame.columns), 12)
        )
    known = frame[target].notna().to_numpy()
    profile = _profile(frame)
    for column in profile.values():
        _classify_text(column, set())
    task = target_task(frame[target])
    numbers = _numbers(profile[target]) if task == "regression" else None
    goal = _Target(frame[target][known], task, numbers[known] if numbers is not None else None)
    if known.sum() < 10 or not goal.usable:
        return {}
    result = {}
    for name, column in profile.items():
        if name == target or column.non_null == 0:
            continue
        scaled = _scale(column)
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


# =========================================================================== the exercise
def defect_hunt(defects: list[dict], problem_id: str = "defauts_fil_rouge"):
    """The exercise « trouvez les défauts de l’exemple fil rouge », checked by the quiz engine:
    tick every kind of defect the table has (the documented ones of its data package)."""
    from labkit.course import quiz

    expected = sorted({KINDS.index(d["kind"]) for d in defects if d.get("kind") in KINDS})

    class DefectHunt(quiz.MultipleChoice):
        def _check(self, answer: Any) -> quiz.Feedback:
            try:
                chosen = {int(a) for a in answer}
            except (TypeError, ValueError):
                return quiz.Feedback(quiz.UNCHECKABLE, messages.text("quiz.uncheckable"))
            wanted = set(self.answer)
            if chosen == wanted:
                return self._correct()
            found = len(chosen & wanted)
            parts = [messages.text("quality.hunt_found", found=found, total=len(wanted))]
            extra = sorted(chosen - wanted)
            if extra:
                names = ", ".join(f"« {self.choices[i]} »" for i in extra)
                parts.append(messages.text("quality.hunt_extra", names=names))
            missed = sorted(wanted - chosen)
            if missed:
                parts.append(messages.text("quality.hunt_missed", count=len(missed)))
            return self._incorrect(" ".join(parts))

    documented = {d.get("kind"): d for d in defects}
    explanation = " ".join(
        f"{messages.text('quality.kind_' + k)} : {documented[k].get('description', '')}"
        for k in KINDS
        if k in documented
    )
    return DefectHunt(
        id=problem_id,
        prompt=messages.text("quality.hunt_prompt"),
        hints=[messages.text("quality.hunt_hint1"), messages.text("quality.hunt_hint2")],
        explanation=explanation,
        choices=[messages.text(f"quality.kind_{k}") for k in KINDS],
        answer=expected,
    )
