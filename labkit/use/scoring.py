"""Module 06's batch scoring: a new file read like module 03, cleaned by the model's recipe, checked
against the training columns (missing, extra, wrongly typed columns named), then answered row by
row; :func:`results_csv` writes the results for a French spreadsheet, formula-like cells
neutralised (:mod:`labkit.csvsafe`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labkit import csvsafe, messages
from labkit.data.reader import ReadOptions, read_table
from labkit.data.rows import numbered, row_list, with_row_column
from labkit.model.display import format_value
from labkit.model.learning import TrainedModel
from labkit.prepare.recipe import to_date, to_number
from labkit.use.threshold import probability_column
from labkit.use.usecase import NO, YES, UseContext, check_threshold, quoted, show


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"usecase.{key}", **fields)


MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class ScoringResult:
    """The file with the model's answers added, and what the learner should know about it."""

    table: pd.DataFrame  # indexed by the rows of the scored file (labkit.data.rows)
    rows: int
    scored: int
    notices: list[str]
    prediction_column: str
    target: str

    @property
    def summary(self) -> str:
        return _t("score_done", scored=self.scored, rows=self.rows)

    def csv_bytes(self) -> bytes:
        """The results with, first, the row of the scored file each answer is for."""
        return results_csv(with_row_column(self.table))

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", _ascii(self.target).lower()).strip("-") or "modele"
        return _t("score_csv_name", target=slug[:40])


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def read_upload(data: bytes, filename: str, options: Any = None) -> pd.DataFrame:
    """Read an uploaded table as module 03 does (same reader, same limits, same messages)."""
    name = str(filename or "fichier")[:120]
    if not isinstance(data, (bytes, bytearray)) or len(data) == 0 or not bytes(data).strip():
        raise messages.error("usecase.score_empty", name=name)
    if len(data) > MAX_FILE_BYTES:
        raise messages.error("usecase.score_too_large", max_mb=MAX_FILE_BYTES // 2**20)
    if isinstance(options, Mapping):
        options = ReadOptions(**dict(options))
    frame = read_table(bytes(data), name, options).frame
    if frame.shape[1] == 0:
        raise messages.error("usecase.score_empty", name=name)
    if len(frame) == 0:
        raise messages.error("usecase.score_no_rows", name=name, columns=frame.shape[1])
    return frame


def _expected_types(recipe, trained: TrainedModel, columns: Sequence[str]) -> dict[str, tuple]:
    """What each column of the raw file must hold: (kind, date format) for the columns the recipe
    converts, caps or splits, and for the model's number, date and yes/no columns."""
    expected: dict[str, tuple] = {}
    for step in getattr(recipe, "steps", []) or []:
        p = step.params
        column = p.get("column")
        if column is None or column in expected:
            continue
        if step.action == "convert_type" and p.get("to") in ("number", "date"):
            expected[column] = (p["to"], p.get("format"))
        elif step.action in ("cap_outliers", "remove_outliers"):
            expected[column] = ("number", None)
        elif step.action == "derive_from_date":
            expected[column] = ("date", p.get("format"))
    kinds = trained.kinds
    for column in kinds.numeric:
        expected.setdefault(column, ("number", None))
    for column in kinds.dates:
        expected.setdefault(column, ("date", None))
    for column in kinds.booleans:
        expected.setdefault(column, ("boolean", None))
    return {c: v for c, v in expected.items() if c in columns}


def _bad_cells(values: pd.Series, kind: str, date_format: str | None) -> pd.Series:
    """Mask of the cells that hold something but cannot be read as ``kind``."""

    present = values.notna() & (values.astype("string").str.strip() != "")
    if kind == "number":
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            return pd.Series(False, index=values.index)
        converted = to_number(values)
    elif kind == "date":
        converted = to_date(values, date_format)
    else:
        if pd.api.types.is_bool_dtype(values):
            return pd.Series(False, index=values.index)
        folded = values.astype("string").str.strip().str.lower()
        return present & ~folded.isin(YES | NO).fillna(False).astype(bool)
    return present & converted.isna()


def _check_types(frame: pd.DataFrame, expected: Mapping[str, tuple]) -> None:
    for column, (kind, date_format) in expected.items():
        bad = _bad_cells(frame[column], kind, date_format)
        count = int(bad.sum())
        if not count:
            continue
        examples = ", ".join(
            f"« {str(v)[:30]} »" for v in pd.unique(frame[column][bad].astype(str))[:3]
        )
        raise messages.error(
            "usecase.score_wrong_type",
            column=column,
            expected=_t(f"expected_{kind}"),
            count=count,
            examples=examples,
            rows=row_list(frame.index[bad.to_numpy()], 5),
        )


def _normalise_types(frame: pd.DataFrame, expected: Mapping[str, tuple]) -> pd.DataFrame:
    """Numbers written as text (``3,5``) become numbers, yes/no texts become booleans, so that
    the recipe and the model read them as they did in training."""

    frame = frame.copy()
    for column, (kind, _format) in expected.items():
        values = frame[column]
        if kind == "number" and not pd.api.types.is_numeric_dtype(values):
            frame[column] = to_number(values)
        elif kind == "boolean" and not pd.api.types.is_bool_dtype(values):
            folded = values.astype("string").str.strip().str.lower()
            frame[column] = folded.map(
                lambda v: np.nan if pd.isna(v) or v == "" else v in YES
            ).astype(object)
    return frame


def score_file(
    context: UseContext,
    data: bytes,
    filename: str,
    *,
    options: Any = None,
    threshold: float | None = None,
    key: bytes | None = None,
) -> ScoringResult:
    """Read, clean and check a new file, then add the model's answer to every row."""
    frame = read_upload(data, filename, options)
    return score_frame(context, frame, threshold=threshold, key=key)


def score_frame(
    context: UseContext,
    frame: pd.DataFrame,
    *,
    threshold: float | None = None,
    key: bytes | None = None,
) -> ScoringResult:
    """Score the rows of a raw table (columns as in the training data, before cleaning)."""
    trained = context.trained
    target = trained.target
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise messages.error("usecase.score_empty", name="?")
    if len(frame) == 0:
        raise messages.error("usecase.score_no_rows", name="?", columns=frame.shape[1])
    raw = frame.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    duplicated = raw.columns[raw.columns.duplicated()]
    if len(duplicated):
        raise messages.error("usecase.score_duplicate_columns", column=duplicated[0])
    if not raw.index.is_unique:
        raw = raw.reset_index(drop=True)
    raw = numbered(raw)  # the rows of the file scored: its index labels (labkit.data.rows)
    notices: list[str] = []
    work = raw
    if target in work.columns:
        notices.append(_t("score_target_ignored", target=target))
        work = work.drop(columns=[target])

    # 1. the columns: what the recipe needs, then what the model needs after cleaning
    recipe = context.recipe
    columns_now = list(work.columns)
    needed = _missing_columns(context, columns_now)
    expected_names = set(trained.features) | _recipe_inputs(recipe) | {target}
    extra = [c for c in columns_now if c not in expected_names]
    if needed:
        hint_extra = _t("score_missing_hint_extra", columns=quoted(extra)) if extra else ""
        raise messages.error(
            "usecase.score_missing_columns",
            count=len(needed),
            columns=quoted(needed),
            extra=hint_extra,
        )

    # 2. the types, before any cleaning (a value the recipe would silently empty is an error)
    expected = _expected_types(recipe, trained, columns_now)
    _check_types(work, expected)
    work = _normalise_types(work, expected)

    # 3. the recipe, then the model's own columns
    if recipe is not None and len(recipe):
        clean = recipe.apply(work, key, allow_missing=[target])
    else:
        clean = work
    missing_after = [c for c in trained.features if c not in clean.columns]
    if missing_after:
        raise messages.error(
            "usecase.score_missing_columns",
            count=len(missing_after),
            columns=quoted(missing_after),
            extra="",
        )
    after_types = {
        c: v
        for c, v in _expected_types(None, trained, list(clean.columns)).items()
        if c in trained.features
    }
    _check_types(clean, after_types)
    clean = _normalise_types(clean, after_types)
    if extra:
        notices.append(_t("score_extra_columns", columns=quoted(extra)))
    removed = len(work) - len(clean)
    if removed > 0:
        gone = raw.index[~raw.index.isin(clean.index)]
        notices.append(_t("score_rows_removed", count=removed, rows=row_list(gone)))
    notices.extend(_data_notices(trained, context.meta, clean))

    # 4. the answers
    table = raw.copy()
    prediction_column = _t("score_column_prediction")
    if len(clean):
        predicted = pd.Series(trained.predict(clean), index=clean.index)
        proba = trained.predict_proba(clean)
    else:
        predicted, proba = pd.Series(dtype=object), None
    if proba is not None and context.is_binary:
        positive = trained.positive
        p_positive = proba[probability_column(proba, positive)]
        if threshold is not None:
            threshold = check_threshold(threshold)
            negative = next(c for c in trained.classes if str(c) != str(positive))
            predicted = pd.Series(
                np.where(p_positive >= threshold, positive, negative), index=clean.index
            ).astype(object)
        table[prediction_column] = predicted.reindex(table.index).astype(object)
        column = _t("score_column_probability", label=format_value(positive))
        table[column] = p_positive.round(4).reindex(table.index)
    elif proba is not None:
        table[prediction_column] = predicted.reindex(table.index).astype(object)
        best = proba.max(axis=1)
        table[_t("score_column_confidence")] = best.round(4).reindex(table.index)
    else:
        table[prediction_column] = predicted.reindex(table.index)
    if removed > 0:
        note = pd.Series("", index=table.index, dtype=object)
        note[~table.index.isin(clean.index)] = _t("score_note_removed")
        table[_t("score_column_note")] = note
    return ScoringResult(table, len(raw), len(clean), notices, prediction_column, target)


def expected_columns(context: UseContext) -> list[str]:
    """The columns a file to score must hold (the target is not needed)."""
    return _missing_columns(context, [])


def _missing_columns(context: UseContext, columns: Sequence[str]) -> list[str]:
    """The columns a raw table holding ``columns`` lacks: those the recipe needs first, then the
    model's own columns that the recipe does not create (the target is never needed)."""
    target, recipe = context.target, context.recipe
    needed: list[str] = []
    produced: set[str] = set()
    if recipe is not None:
        for _number, _step, column in recipe.missing_columns(list(columns), [target]):
            if column not in needed and column != target:
                needed.append(column)
        produced = _recipe_outputs(recipe, [*columns, *needed])
    for column in context.features:
        if column not in columns and column not in produced and column not in needed:
            needed.append(column)
    return needed


def example_rows(frame: pd.DataFrame, target: str, count: int = 20) -> pd.DataFrame:
    """The last rows of a raw table without the target: a file to try batch scoring."""
    last = frame.tail(int(max(1, count))).reset_index(drop=True)
    return last.drop(columns=[target], errors="ignore")


def _recipe_inputs(recipe) -> set[str]:
    """Every column a step of the recipe mentions (those it drops included)."""
    if recipe is None:
        return set()
    return {c for step in recipe.steps for c in step.columns}


def _recipe_outputs(recipe, columns: Sequence[str]) -> set[str]:
    current = list(columns)
    produced: set[str] = set()
    for step in recipe.steps:
        after = step.outputs(current)
        produced |= set(after) - set(current)
        current = after
    return produced


def _data_notices(trained: TrainedModel, meta: Mapping, clean: pd.DataFrame) -> list[str]:
    notices = []
    features = [c for c in trained.features if c in clean.columns]
    filled = int(clean[features].isna().any(axis=1).sum()) if features else 0
    if filled:
        notices.append(_t("score_filled", count=filled))
    profile = meta.get("profile") or {}
    for column in trained.kinds.categorical:
        seen = {str(c) for c in (profile.get(column) or {}).get("categories") or []}
        if not seen or column not in clean.columns:
            continue
        values = clean[column].dropna().astype(str)
        unseen = sorted(set(values) - seen)
        if unseen:
            notices.append(_t("score_unseen_categories", column=column, values=quoted(unseen, 5)))
    for column in trained.kinds.numeric:
        info = profile.get(column) or {}
        low, high = info.get("min"), info.get("max")
        if low is None or high is None or column not in clean.columns:
            continue
        values = pd.to_numeric(clean[column], errors="coerce")
        outside = int(((values < low) | (values > high)).sum())
        if outside:
            kind = "integer" if info.get("integer") else "number"
            notices.append(
                _t(
                    "score_out_of_range",
                    column=column,
                    count=outside,
                    low=show(low, kind),
                    high=show(high, kind),
                )
            )
    return notices


# ------------------------------------------------------------------ CSV safe for spreadsheets
# One rule for every CSV Datalab writes (labkit.csvsafe); the names stay for this module's callers.
def results_csv(frame: pd.DataFrame) -> bytes:
    """CSV for a French spreadsheet: ``;`` between cells, decimal comma, UTF-8 with BOM, and
    formula-like texts neutralised."""
    safe = csvsafe.safe_frame(frame)
    text = safe.to_csv(sep=";", index=False, decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")
