"""Datalab's judgments measured against the truth of the real-data corpus (``tests/realdata/``).

Shared by ``benchmarks/bench_truth.py`` (which prints the table) and ``tests/test_truth_corpus.py``
(which holds its figures). Each card of ``tests/realdata/`` says, by reading its file, what every
column is (its role, placeholders, legitimate zeros and negatives, spellings of one category and
different categories), the true duplicates and the columns that give a target away. Here the
product reads each file, writes its quality report for each annotated target and its default
recipe, and every proposal that would change the data (merge, fill, cap, convert, delete rows,
drop columns, call a value impossible, empty a placeholder) is judged right or wrong against the
card; so are the values read (dates, decimals, codes) and the leaks found.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from labkit.data.reader import read_table
from labkit.prepare import cleaning, quality
from labkit.prepare.recipe import Step, apply_step

CORPUS = Path(__file__).resolve().parent / "realdata"
TODAY = pd.Timestamp("2026-12-01")

QUANTITY_ROLES = {"count", "amount", "measure", "signed_measure"}
NUMBER_ROLES = QUANTITY_ROLES | {"coordinate", "year"}
NOT_FILLED_BY_VALUE = {"identifier", "code", "contact", "date", "text"}
ROLES = NUMBER_ROLES | {"identifier", "code", "date", "yesno", "category", "text", "contact"}

# What each kind of proposal is called in the table, and whether it changes the data.
CHANGES = ("merge", "fill", "cap", "convert", "delete_rows", "drop_column", "placeholder")
KINDS = (*CHANGES, "impossible", "leak")

_YES = {"oui", "o", "yes", "y", "true", "vrai", "1", "x", "v"}
_NO = {"non", "n", "no", "false", "faux", "0"}


@dataclass
class Card:
    path: Path
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["file"])

    @property
    def file(self) -> Path:
        return self.path.parent / self.name

    @property
    def columns(self) -> dict[str, dict[str, Any]]:
        return {_header(k): (v or {}) for k, v in (self.data.get("columns") or {}).items()}

    def role(self, column: str) -> str | None:
        return self.columns.get(_header(column), {}).get("role")

    @property
    def targets(self) -> list[dict[str, Any]]:
        return list(self.data.get("targets") or [])

    @property
    def duplicate_rows(self) -> set[int]:
        """Spreadsheet rows that repeat an earlier row (all but the first of each group)."""
        rows = set()
        for group in self.data.get("duplicates") or []:
            rows |= set(sorted(int(r) for r in group)[1:])
        return rows


@dataclass
class Judgement:
    """One proposal of the product, judged against the card (``right`` None: not judged)."""

    kind: str
    file: str
    column: str
    right: bool | None
    detail: str


@dataclass
class FileResult:
    card: Card
    judgements: list[Judgement] = field(default_factory=list)
    misread: list[str] = field(default_factory=list)  # values read wrong, one line each
    leaks_expected: int = 0
    leaks_found: int = 0
    leaks_missed: list[str] = field(default_factory=list)
    placeholders_expected: int = 0
    placeholders_found: int = 0
    rows_lost: int = 0  # rows the default recipe removed that are no true duplicate
    rows_lost_detail: list[str] = field(default_factory=list)
    error: str | None = None


def load_cards(folder: Path = CORPUS) -> list[Card]:
    cards = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "file" in data:
            cards.append(Card(path, data))
    return cards


def folded(value: Any) -> str:
    """A value without case, accents, punctuation nor spaces: what no merge may go beyond."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "", text)


def _yesno(value: Any) -> bool | None:
    text = str(value).strip().casefold()
    return True if text in _YES else False if text in _NO else None


def same_thing(card: Card, column: str, a: Any, b: Any) -> bool:
    """Does the card say that ``a`` and ``b`` are spellings of one value of ``column``?"""
    spec = card.columns.get(_header(column), {})
    role = spec.get("role")
    for pair in spec.get("distinct") or []:
        members = {str(v) for v in pair}
        if str(a) in members and str(b) in members:
            return False
    if folded(a) == folded(b):
        return True  # case, accents, spaces, punctuation: one value in any column
    if role == "yesno":
        return _yesno(a) is not None and _yesno(a) == _yesno(b)
    return any(  # the card's spellings of one thing (any role: a street abbreviated, a company)
        str(a) in {str(v) for v in group} and str(b) in {str(v) for v in group}
        for group in spec.get("same") or []
    )


def _raw_frame(card: Card) -> pd.DataFrame | None:
    """The file as text cells, read with the card's own format (what a person sees)."""
    read = card.data.get("read") or {}
    try:
        if card.file.suffix.lower() in (".xlsx", ".ods"):
            return None  # spreadsheets hold typed cells: nothing to compare against as text
        separator = read.get("separator", ",")
        return pd.read_csv(
            card.file,
            sep=separator,
            encoding=read.get("encoding", "utf-8"),
            dtype=str,
            keep_default_na=False,
            engine="python",
        )
    except Exception:  # noqa: BLE001 - then values are not compared one by one
        return None


def _header(name: Any) -> str:
    """A header as a person reads it: line breaks and runs of spaces are one space."""
    return " ".join(str(name).split())


def _reference_number(text: str, decimal: str) -> float | None:
    text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if decimal == ",":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _reference_date(text: str, formats: list[str]) -> datetime | None:
    text = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def check_reading(card: Card, frame: pd.DataFrame, detection, result: FileResult) -> None:
    """Rows, separator, decimal mark, dates, numbers and codes as the reader read them."""
    read = card.data.get("read") or {}
    expected_rows = read.get("rows")
    if expected_rows is not None and len(frame) != int(expected_rows):
        result.misread.append(f"lignes lues {len(frame)} au lieu de {expected_rows}")
    sep = read.get("separator")
    if sep and detection.separator and detection.separator != sep:
        result.misread.append(f"séparateur {detection.separator!r} au lieu de {sep!r}")
    shown = {_header(c) for c in frame.columns}
    missing = [c for c in card.columns if _header(c) not in shown and c.strip()]
    if missing:
        result.misread.append(f"colonnes absentes : {missing[:5]}")
    raw = _raw_frame(card)
    if raw is None or len(raw) != len(frame):
        return
    decimal = read.get("decimal", ".")
    for name, spec in card.columns.items():
        if name not in frame.columns or name not in raw.columns:
            continue
        role = spec.get("role")
        values = frame[name]
        texts = raw[name].tolist()
        if role == "date" and pd.api.types.is_datetime64_any_dtype(values):
            formats = spec.get("formats") or []
            wrong = 0
            example = None
            for text, got in zip(texts, values.tolist(), strict=True):
                ref = _reference_date(text, formats) if formats else None
                if ref is None or got is None or pd.isna(got):
                    continue
                if (got.year, got.month, got.day) != (ref.year, ref.month, ref.day):
                    wrong += 1
                    example = example or f"{text} → {got}"
            if wrong:
                result.misread.append(f"{name}: {wrong} date(s) mal lue(s), ex. {example}")
        elif role in NUMBER_ROLES and pd.api.types.is_numeric_dtype(values):
            wrong = 0
            example = None
            placeholders = {str(p) for p in spec.get("placeholders") or []}
            for text, got in zip(texts, values.tolist(), strict=True):
                if text.strip() in placeholders:
                    continue
                ref = _reference_number(text, decimal)
                if ref is None or got is None or (isinstance(got, float) and math.isnan(got)):
                    continue
                if not math.isclose(float(got), ref, rel_tol=1e-9, abs_tol=1e-9):
                    wrong += 1
                    example = example or f"{text} → {got}"
            if wrong:
                result.misread.append(f"{name}: {wrong} nombre(s) mal lu(s), ex. {example}")
        elif role in ("code", "identifier", "contact") and pd.api.types.is_numeric_dtype(values):
            zeros = [t for t in texts if re.fullmatch(r"0\d+", t.strip())]
            if zeros:
                result.misread.append(f"{name}: code lu comme nombre, zéros perdus ({zeros[0]})")


def _columns_of(step: Step) -> list[str]:
    params = step.params
    if "columns" in params and params["columns"]:
        return [str(c) for c in params["columns"]]
    if "column" in params:
        return [str(params["column"])]
    return []


def judge_step(
    card: Card, step: Step, frame: pd.DataFrame, target: str | None, origin: str
) -> list[Judgement]:
    """The judgements of one proposed step; ``origin``: the finding kind that proposed it."""
    name = card.name
    action, params = step.action, step.params
    out: list[Judgement] = []
    if action == "merge_categories":
        column = params["column"]
        for variant, retained in params["mapping"].items():
            right = same_thing(card, column, variant, retained)
            out.append(Judgement("merge", name, column, right, f"« {variant} » → « {retained} »"))
    elif action == "fill_missing":
        column = params["column"]
        role = card.role(column)
        strategy = params.get("strategy")
        if strategy == "constant" and params.get("value") is None:
            right = True
        elif strategy == "constant":
            right = (
                role in ("category", "text", "code", "contact", "identifier", "yesno")
                and (
                    str(params.get("value"))
                    .strip()
                    .casefold()
                    .startswith(("non renseign", "inconnu"))
                )
                or role in QUANTITY_ROLES
            )
        elif strategy in ("median", "mean"):
            right = role in QUANTITY_ROLES | {"year"}  # a median place is a place made up
        else:  # most frequent
            right = role in ("category", "yesno")
        out.append(Judgement("fill", name, column, right, f"{strategy} ({role})"))
    elif action in ("cap_outliers", "remove_outliers"):
        column = params["column"]
        spec = card.columns.get(_header(column), {})
        role = spec.get("role")
        low, high = params.get("low"), params.get("high")
        right = role in QUANTITY_ROLES
        detail = f"[{low} ; {high}] ({role})"
        for value in spec.get("placeholders") or []:
            number = _reference_number(str(value), ".")
            if number is None:
                continue
            if (high is not None and number > high) or (low is not None and number < low):
                right = False
                detail += f", placeholder {value} rendu plausible"
        kind = "cap" if action == "cap_outliers" else "delete_rows"
        out.append(Judgement(kind, name, column, right, detail))
    elif action == "convert_type":
        column = params["column"]
        role = card.role(column)
        to = params.get("to")
        if to == "number":
            right = role in NUMBER_ROLES
        elif to == "date":
            right = role == "date"
        else:
            right = True
        out.append(Judgement("convert", name, column, right, f"→ {to} ({role})"))
    elif action == "derive_from_date":
        column = params["column"]
        out.append(
            Judgement("convert", name, column, card.role(column) == "date", "année/mois/jour")
        )
    elif action == "drop_duplicates":
        if params.get("columns"):
            return out  # rows alike but for their identifiers: the cards say nothing of them
        right = bool(card.duplicate_rows)
        out.append(Judgement("delete_rows", name, "", right, "doublons"))
    elif action == "filter_rows":
        column = params.get("column")
        right = column == target and params.get("operator") == "not_missing"
        out.append(Judgement("delete_rows", name, str(column), right, str(params)))
    elif action in ("drop_column", "remove_personal"):
        for column in _columns_of(step):
            role = card.role(column)
            if origin == "leakage":
                right = _in_leak_group(card, target, column)
            elif origin == "identifier":
                right = role in ("identifier", "text", "contact")
            elif origin in ("constant", "missing", "personal_data"):
                right = True  # a fact the table shows (empty, constant, a person's name)
            else:
                right = None
            out.append(Judgement("drop_column", name, column, right, f"{origin} ({role})"))
    elif action == "mark_missing":
        column = params["column"]
        truth = {str(v) for v in card.columns.get(column, {}).get("placeholders") or []}
        for value in params.get("values") or []:
            right = str(value) in truth or _number_text(value) in truth
            out.append(Judgement("placeholder", name, column, right, f"« {value} » → vide"))
    return out


def _number_text(value: Any) -> str:
    number = _reference_number(str(value), ".")
    if number is None:
        return str(value)
    return str(int(number)) if float(number).is_integer() else str(number)


def _in_leak_group(card: Card, target: str | None, column: str) -> bool:
    for spec in card.targets:
        if spec.get("column") != target:
            continue
        for leak in spec.get("leaks") or []:
            if column in [str(c) for c in leak.get("columns") or []]:
                return True
    return False


def judge_impossible(card: Card, report, frame: pd.DataFrame) -> list[Judgement]:
    """Zeros and negatives called impossible where the card says they are legitimate."""
    out = []
    for finding in report.by_kind("outliers"):
        if not finding.details.get("impossible") or finding.details.get("placeholder"):
            continue
        column = finding.columns[0]
        spec = card.columns.get(_header(column), {})
        values = pd.to_numeric(frame.loc[finding.rows, column], errors="coerce")
        zeros, negatives = int((values == 0).sum()), int((values < 0).sum())
        right = not (
            (zeros and spec.get("zero") == "ok")
            or (negatives and spec.get("negative") == "ok")
            or spec.get("role") not in QUANTITY_ROLES
        )
        detail = f"{zeros} zéro(s), {negatives} négatif(s) ({spec.get('role')})"
        out.append(Judgement("impossible", card.name, column, right, detail))
    return out


def _placeholder_expected(card: Card, frame: pd.DataFrame) -> dict[str, set[str]]:
    """Placeholders of the card that are present in the file, by column."""
    found = {}
    for column, spec in card.columns.items():
        values = {str(v) for v in spec.get("placeholders") or []}
        if not values or column not in frame.columns:
            continue
        present = {_number_text(v) for v in frame[column].dropna().astype(str).str.strip()}
        present |= set(frame[column].dropna().astype(str).str.strip())
        values = {v for v in values if v in present or _number_text(v) in present}
        if values:
            found[column] = values
    return found


def measure(card: Card) -> FileResult:
    result = FileResult(card)
    try:
        read = read_table(card.file.read_bytes(), card.name)
    except Exception as exc:  # noqa: BLE001 - a file the product cannot read is a result
        result.error = f"lecture : {exc}"
        return result
    frame = read.frame
    check_reading(card, frame, read.detection, result)
    targets = [t.get("column") for t in card.targets if t.get("column") in frame.columns]
    judged: set[tuple] = set()
    for position, target in enumerate(targets or [None]):
        report = quality.assess(frame, target=target, today=TODAY)
        for finding in report.findings:
            if finding.fix is None:
                continue
            for judgement in judge_step(card, finding.fix, frame, target, finding.kind):
                key = (judgement.kind, judgement.column, judgement.detail)
                if key not in judged:
                    judged.add(key)
                    result.judgements.append(judgement)
        for judgement in judge_impossible(card, report, frame):
            key = ("impossible", judgement.column)
            if key not in judged:
                judged.add(key)
                result.judgements.append(judgement)
        spec = next(t for t in card.targets if t.get("column") == target) if target else {}
        named = {c for f in report.by_kind("leakage") for c in f.columns}
        for leak in spec.get("leaks") or []:
            group = [str(c) for c in leak.get("columns") or [] if str(c) in frame.columns]
            if not group:
                continue
            result.leaks_expected += 1
            if len(named & set(group)) * 2 >= len(group):
                result.leaks_found += 1
            else:
                result.leaks_missed.append(f"{target} ← {group} ({leak.get('why', '')})")
        if position == 0:
            _check_recipe(card, frame, report, target, result, judged)
    return result


@dataclass
class LeakResult:
    """The annotated leaks of one card: found by module 04's checks, or by the check of what the
    trained model relies on (module 05, ``datalab train``), or missed."""

    card: Card
    expected: list[tuple[str, list[str]]] = field(default_factory=list)  # (target, columns)
    by_report: list[bool] = field(default_factory=list)
    by_training: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def measure_leaks(card: Card) -> LeakResult:
    """Each annotated leak, as ``datalab train`` meets it: the quality report's leak findings on
    the file as read, then the reliance check on the table cleaned by the default recipe."""
    import time

    from labkit.commands.train import train_table
    from labkit.errors import DatalabError
    from labkit.model import problem

    result = LeakResult(card)
    try:
        frame = read_table(card.file.read_bytes(), card.name).frame
    except Exception as exc:  # noqa: BLE001
        result.error = str(exc)
        return result
    started = time.perf_counter()
    for spec in card.targets:
        target = spec.get("column")
        groups = [
            [str(c) for c in leak.get("columns") or [] if str(c) in frame.columns]
            for leak in spec.get("leaks") or []
        ]
        groups = [g for g in groups if g]
        if not groups or target not in frame.columns:
            continue
        report = quality.assess(frame, target=target, today=TODAY)
        named = {c for f in report.by_kind("leakage") for c in f.columns}
        table = frame
        if spec.get("task") == "classification":
            # module 05 offers to group the rare classes: the learner's table then trains
            table = frame[frame[target].notna()]
            if problem.rare_classes(table, target, 3):
                table, _ = problem.group_rare_classes(table, target, 3)
        try:
            trained = train_table(table, target, folds=3)
            flagged = {
                c
                for w in trained["warnings"]
                if w["kind"] in ("leak_check", "suspicious_score")
                for c in w["columns"]
            }
        except DatalabError:  # a table no model can learn from: nothing flagged
            flagged = set()
        for group in groups:
            result.expected.append((target, group))
            result.by_report.append(len(named & set(group)) * 2 >= len(group))
            result.by_training.append(len(flagged & set(group)) * 2 >= len(group))
    result.seconds = time.perf_counter() - started
    return result


def _check_recipe(card, frame, report, target, result: FileResult, judged: set) -> None:
    """The default recipe's steps judged one by one, and the rows it loses."""
    recipe = cleaning.default_recipe(frame, report, target)
    table = frame
    expected = _placeholder_expected(card, frame)
    result.placeholders_expected = sum(len(v) for v in expected.values())
    for step in recipe.steps:
        for judgement in judge_step(card, step, table, target, _origin(report, step)):
            key = (judgement.kind, judgement.column, judgement.detail)
            if key not in judged:
                judged.add(key)
                result.judgements.append(judgement)
        if step.action == "mark_missing":
            column = step.params["column"]
            values = {str(v) for v in step.params.get("values") or []}
            values |= {_number_text(v) for v in values}
            result.placeholders_found += len(expected.get(column, set()) & values)
        before = table
        table = apply_step(table, step)
        if len(table) < len(before):
            gone = before.index.difference(table.index)
            first_data_row = _first_data_row(card)
            positions = [frame.index.get_loc(label) for label in gone]
            true_dups = {r - first_data_row for r in card.duplicate_rows}
            if step.action == "filter_rows" and step.params.get("column") == target:
                continue
            lost = [p for p in positions if p not in true_dups]
            if lost:
                result.rows_lost += len(lost)
                result.rows_lost_detail.append(f"{step.action}: {len(lost)} ligne(s)")


def _first_data_row(card: Card) -> int:
    """The spreadsheet row of the first record (header = row 1 unless the card says otherwise)."""
    return int((card.data.get("read") or {}).get("header_row", 1)) + 1


def _origin(report, step: Step) -> str:
    for finding in report.findings:
        if finding.fix is not None and finding.fix.action == step.action:
            if set(_columns_of(finding.fix)) & set(_columns_of(step)):
                return finding.kind
    return "recipe"


@dataclass
class Table:
    files: int
    rows: list[tuple[str, int, int, float | None]]  # kind, judged, wrong, precision
    misread: int
    leaks_expected: int
    leaks_found: int
    placeholders_expected: int
    placeholders_found: int
    rows_lost: int
    distinct_merged: int
    placeholders_made_plausible: int
    errors: list[str]

    @property
    def leak_recall(self) -> float | None:
        return self.leaks_found / self.leaks_expected if self.leaks_expected else None

    def precision(self, kind: str) -> float | None:
        return next((p for k, _, _, p in self.rows if k == kind), None)


def summarise(results: list[FileResult]) -> Table:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for j in result.judgements:
            if j.right is None:
                continue
            counts[j.kind][0] += 1
            counts[j.kind][1] += 0 if j.right else 1
    rows = []
    for kind in KINDS:
        if kind == "leak":
            continue
        judged, wrong = counts.get(kind, [0, 0])
        rows.append((kind, judged, wrong, (judged - wrong) / judged if judged else None))
    return Table(
        files=len(results),
        rows=rows,
        misread=sum(len(r.misread) for r in results),
        leaks_expected=sum(r.leaks_expected for r in results),
        leaks_found=sum(r.leaks_found for r in results),
        placeholders_expected=sum(r.placeholders_expected for r in results),
        placeholders_found=sum(r.placeholders_found for r in results),
        rows_lost=sum(r.rows_lost for r in results),
        distinct_merged=sum(
            1 for r in results for j in r.judgements if j.kind == "merge" and j.right is False
        ),
        placeholders_made_plausible=sum(
            1 for r in results for j in r.judgements if j.kind == "cap" and "plausible" in j.detail
        ),
        errors=[f"{r.card.name}: {r.error}" for r in results if r.error],
    )


def wrong_judgements(results: list[FileResult]) -> list[Judgement]:
    return [j for r in results for j in r.judgements if j.right is False]
