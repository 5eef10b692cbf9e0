"""Using the model (module 06): one case at a time, a whole file, and a decision threshold.

Pure code, plain values in and out:

- :func:`load_context` — the model to use: the one the learner saved in module 05
  (``model.skops`` + key ``training``), or, when there is none, the running example trained with
  module 05's default model, clearly marked (:attr:`UseContext.notice`).
- :func:`form_fields` — the what-if form's specification from the model's metadata (one field per
  feature: kind, range or categories seen in training, default); :func:`check_case` validates one
  case (French message per bad value); :func:`predict_case` predicts it, with its confidence and
  why (module 05's per-prediction explanation).
- :func:`score_file` — batch scoring of a new file: read like module 03, cleaned by the saved
  recipe, checked against the training columns (missing, extra, wrongly typed columns named);
  :func:`results_csv` writes the results as CSV bytes with formula-like cells neutralised
  (:func:`neutralise_cell`).
- :func:`threshold_analysis` — the decision threshold from the costs of false positives and false
  negatives: expected cost per threshold on the held-out rows, the best one, the confusion counts.
- :func:`load_usecase` / :func:`save_usecase` — the learner's choices (workspace key ``usecase``).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labkit import csvsafe, messages
from labkit.errors import DatalabError
from labkit.model.learning import (
    ColumnKinds,
    TrainedModel,
    format_value,
    number,
    percent,
    target_values,
)

KEY = "usecase"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 50 * 1024 * 1024
NEXT_STEPS_MAX = 3000
COST_MAX = 1e9
# The running example, when the learner has no model: kept in a cache beside the learners' folders
# so that it is trained once, not at every page load. It is never presented as the learner's own
# model, and never written among the learner's files.
FALLBACK_CACHE_FILE = "usecase-exemple.zip"
DEFAULT_MODEL_KEY = "tree"
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "1.0"}
_NO = {"non", "n", "no", "faux", "false", "0", "0.0"}


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"usecase.{key}", **fields)


# ============================================================================ the model to use
@dataclass
class UseContext:
    """The model module 06 works with, and what goes with it."""

    trained: TrainedModel
    meta: dict
    recipe: Any  # labkit.prepare.recipe.Recipe, or None when the model was trained on a raw table
    is_default: bool = False
    notice: str | None = None  # French notice when the running example stands in
    _holdout: pd.DataFrame | None = None
    _holdout_note: str | None = None
    _holdout_loader: Any = None

    @property
    def target(self) -> str:
        return self.trained.target

    @property
    def features(self) -> list[str]:
        return list(self.trained.features)

    @property
    def is_binary(self) -> bool:
        return self.trained.is_classification and len(self.trained.classes) == 2

    def holdout(self) -> tuple[pd.DataFrame | None, str | None]:
        """(held-out clean rows with their target, French note) — computed once."""
        if self._holdout is None and self._holdout_loader is not None:
            loader, self._holdout_loader = self._holdout_loader, None
            try:
                self._holdout, self._holdout_note = loader()
            except DatalabError as exc:
                self._holdout, self._holdout_note = None, exc.message
        if self._holdout is None and self._holdout_note is None:
            self._holdout_note = _t("holdout_missing")
        return self._holdout, self._holdout_note

    def fields(self) -> list[FormField]:
        return form_fields(self.meta)

    def describe(self) -> str:
        return _t(
            "model_intro_plain",
            name=self.trained.name,
            target=self.target,
            count=len(self.trained.features),
        )


def load_context(workspace) -> UseContext:
    """The learner's saved model, or the running example (marked) when they have none."""
    from labkit.model import model_store

    if model_store.has_model(workspace):
        trained = model_store.load_model(workspace)
        meta = model_store.load_metadata(workspace) or {}
        recipe = _model_recipe(trained, workspace)
        return UseContext(
            trained,
            meta,
            recipe,
            _holdout_loader=lambda: _learner_holdout(workspace, trained, meta, recipe),
        )
    return fallback_context(workspace)


def _model_recipe(trained: TrainedModel, workspace):
    """The recipe the training table went through (stored with the model), else the saved one."""
    from labkit.prepare.recipe import Recipe, load_recipe

    if trained.recipe:
        return Recipe.from_dict(trained.recipe)
    if workspace is None:
        return None
    recipe, _is_default = load_recipe(workspace)
    return recipe


def _evaluation_split(clean: pd.DataFrame, target: str, meta: dict):
    """The held-out rows of module 05: as saved with the model, else recomputed the same way."""
    from labkit.model import learning

    for holder in (meta, meta.get("info") or {}):
        index = holder.get("test_index")
        if index is None and isinstance(holder.get("split"), Mapping):
            index = holder["split"].get("test_index")
        if index is not None:
            kept = [i for i in index if i in clean.index]
            return learning.Split(tuple(i for i in clean.index if i not in set(kept)), tuple(kept))
    plan_data = meta.get("evaluation") or (meta.get("info") or {}).get("evaluation") or {}
    fields = {k: plan_data[k] for k in ("test_share", "folds", "random_state") if k in plan_data}
    plan = learning.plan_evaluation(clean, target, **fields)
    return learning.split_data(clean, target, plan)


def _with_model_grouping(clean: pd.DataFrame, target: str, recipe) -> pd.DataFrame:
    """Module 04's clean table with the grouping of rare classes that module 05 added after its
    steps (the model learnt « Autres », not « Bon »): without it, the rows of the grouped classes
    would be left out of the confusion matrix and counted wrong."""
    from labkit.prepare.recipe import apply_step

    trailing = []
    for step in reversed(list(getattr(recipe, "steps", []) or [])):
        if step.action != "merge_categories" or step.params.get("column") != target:
            break
        trailing.insert(0, step)
    for step in trailing:
        if target in clean.columns:
            clean = apply_step(clean, step)
    return clean


def _learner_holdout(workspace, trained: TrainedModel, meta: dict, recipe):
    from labkit.prepare import quality

    if workspace.has_table("clean"):
        clean = _with_model_grouping(workspace.load_table("clean"), trained.target, recipe)
    else:
        frame, _target, _schema = quality.chosen_table(workspace)
        clean = recipe.apply(frame) if recipe is not None else frame
    if trained.target not in clean.columns or any(c not in clean.columns for c in trained.features):
        return None, _t("holdout_missing")
    clean = clean[clean[trained.target].notna()]
    split = _evaluation_split(clean, trained.target, meta)
    test = split.test(clean)
    note = None
    train_rows = (meta.get("info") or {}).get("train_rows")
    if isinstance(train_rows, int) and train_rows >= len(clean):
        test, note = clean, _t("holdout_all_rows")
    if test.empty:
        return None, _t("holdout_missing")
    return test, note


# ------------------------------------------------------------------ the running example
_FALLBACK_CACHE: dict[tuple, tuple[TrainedModel, dict, pd.DataFrame]] = {}


def _fallback_signature() -> dict:
    from labkit import __version__
    from labkit.settings import load_settings

    example = load_settings().running_example
    return {
        "dataset": example.dataset,
        "target": example.target,
        "labkit_version": __version__,
        "model": default_model_key(),
    }


def default_model_key() -> str:
    """Module 05's default model (a decision tree unless module 05 says otherwise)."""
    from labkit.model import learning

    return str(getattr(learning, "DEFAULT_MODEL", DEFAULT_MODEL_KEY))


def build_fallback() -> tuple[TrainedModel, dict, pd.DataFrame]:
    """The running example cleaned with the default recipe and trained with the default model:
    (model, metadata, held-out clean rows)."""
    from labkit.model import learning, model_store
    from labkit.prepare import quality

    frame, target, schema = quality.running_example()
    report = quality.assess(frame, target=target, schema=schema)
    recipe = quality.default_recipe(frame, report, target=target)
    clean = recipe.apply(frame)
    clean = clean[clean[target].notna()].reset_index(drop=True)
    features, _excluded = learning.default_features(clean, target)
    task = learning.check_choice(clean, target, features)
    plan = learning.plan_evaluation(clean, target, task)
    split = learning.split_data(clean, target, plan)
    trained = learning.train(
        clean, target, features, default_model_key(), split=split, recipe=recipe.to_dict()
    )
    result = learning.evaluate(trained, clean, split)
    trained.info["test_score"] = float(result.score)
    trained.info["evaluation"] = plan.to_dict()
    meta = model_store.metadata(
        trained,
        {
            "fallback": _fallback_signature(),
            "test_index": list(split.test_index),
            "test": _result_summary(result),
        },
    )
    return trained, meta, split.test(clean)


def _result_summary(result) -> dict:
    if hasattr(result, "accuracy"):
        return {
            "accuracy": result.accuracy,
            "precision": result.precision,
            "recall": result.recall,
            "f1": result.f1,
            "labels": [format_value(v) for v in result.labels],
            "matrix": np.asarray(result.matrix).tolist(),
            "rows": len(result.actual),
        }
    return {"mae": result.mae, "rmse": result.rmse, "r2": result.r2, "rows": len(result.actual)}


def fallback_context(workspace) -> UseContext:
    """The running example in place of the learner's model, marked with ``ui.default_used``."""
    from labkit.course.modules import get_module
    from labkit.prepare.recipe import Recipe

    signature = _fallback_signature()
    cache_key = tuple(sorted(signature.items()))
    cached = _FALLBACK_CACHE.get(cache_key)
    if cached is None:
        cached = _read_fallback(workspace, signature)
        stored = cached is not None
    else:  # trained by this kernel, perhaps for another workspace root
        path = fallback_cache_path(workspace)
        stored = path is None or path.exists()
    if cached is None:
        cached = build_fallback()
    if not stored:
        _write_fallback(workspace, *cached)
    _FALLBACK_CACHE[cache_key] = cached
    trained, meta, test = cached
    try:
        module_title = get_module("05_modele").title
    except Exception:  # noqa: BLE001 - the registry is edited by facilitators
        module_title = "05"
    notice = messages.text(
        "ui.default_used",
        module=module_title,
        what=_t("default_what", target=trained.target),
    )
    return UseContext(
        trained,
        meta,
        Recipe.from_dict(trained.recipe) if trained.recipe else None,
        is_default=True,
        notice=notice,
        _holdout=test,
    )


def fallback_cache_path(workspace) -> Path | None:
    """Where the running example's model is kept for every learner of this workspace root
    (``<root>/cache/usecase-exemple.zip``): trained once per server, not once per learner."""
    if workspace is None or getattr(workspace, "folder", None) is None:
        return None
    return Path(workspace.folder).parent.parent / "cache" / FALLBACK_CACHE_FILE


def _read_fallback(workspace, signature: dict):
    from labkit.model import model_store

    path = fallback_cache_path(workspace)
    if path is None or not path.exists():
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("meta.json").decode("utf-8"))
            if meta.get("fallback") != signature:
                return None
            trained = model_store.from_parts(archive.read("model.skops"), meta)
            test = pd.read_parquet(io.BytesIO(archive.read("test.parquet")))
        index = meta.get("test_index")
        if isinstance(index, list) and len(index) == len(test):
            test.index = index
        return trained, meta, test
    except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        return None


def _write_fallback(workspace, trained: TrainedModel, meta: dict, test: pd.DataFrame) -> None:
    from labkit.model import model_store
    from labkit.workspace import atomic_write

    path = fallback_cache_path(workspace)
    if path is None:
        return
    table = io.BytesIO()
    test.to_parquet(table, index=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.skops", model_store.to_bytes(trained))
        archive.writestr("test.parquet", table.getvalue())
        archive.writestr("meta.json", json.dumps(meta, ensure_ascii=False, default=_json_default))
    try:
        atomic_write(path, buffer.getvalue())
    except OSError:
        pass  # a read-only folder only loses the cache


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# ============================================================================ the what-if form
@dataclass(frozen=True)
class FormField:
    """One input of the what-if form."""

    name: str
    kind: str  # "integer", "number", "category", "boolean", "date"
    minimum: Any = None  # number, or ISO date
    maximum: Any = None
    categories: tuple[str, ...] = ()
    default: Any = None

    @property
    def label(self) -> str:
        return self.name

    @property
    def help(self) -> str:
        kind = _t(f"kind_{self.kind}")
        if self.kind in ("integer", "number"):
            typical = _show(self.default, self.kind)
            if self.minimum is not None and self.maximum is not None:
                return _t(
                    "field_help_range",
                    kind=kind[:1].upper() + kind[1:],
                    low=_show(self.minimum, self.kind),
                    high=_show(self.maximum, self.kind),
                    typical=typical,
                )
            return _t("field_help_number", kind=kind[:1].upper() + kind[1:], typical=typical)
        if self.kind == "category":
            return _t("field_help_category", count=len(self.categories))
        if self.kind == "boolean":
            return _t("field_help_boolean")
        return _t("field_help_date", low=_show_date(self.minimum), high=_show_date(self.maximum))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "categories": list(self.categories),
            "default": self.default,
        }


def _show(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "integer":
        return number(int(round(float(value))), 12)
    return number(float(value), 4)


def _show_date(value: Any) -> str:
    if not value:
        return "—"
    try:
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    except (ValueError, TypeError):
        return str(value)


def form_fields(meta: Mapping[str, Any]) -> list[FormField]:
    """One field per feature of the saved model, from its metadata (kinds and training profile)."""
    if not isinstance(meta, Mapping) or not meta.get("features"):
        raise messages.error("learning.store_metadata_missing")
    kinds = ColumnKinds.from_dict(meta.get("kinds") or {})
    profile = meta.get("profile") or {}
    fields = []
    for name in meta["features"]:
        info = profile.get(name) or {}
        if name in kinds.booleans:
            fields.append(FormField(name, "boolean", default=False))
        elif name in kinds.dates:
            low, high, median = info.get("min"), info.get("max"), info.get("median")
            fields.append(FormField(name, "date", low, high, default=median or low))
        elif name in kinds.categorical:
            categories = tuple(str(c) for c in info.get("categories") or ())
            fields.append(
                FormField(
                    name,
                    "category",
                    categories=categories,
                    default=categories[0] if categories else None,
                )
            )
        else:
            integer = bool(info.get("integer"))
            low, high, median = info.get("min"), info.get("max"), info.get("median")
            if median is not None and integer:
                median = int(round(median))
            fields.append(
                FormField(
                    name,
                    "integer" if integer else "number",
                    int(low) if integer and low is not None else low,
                    int(high) if integer and high is not None else high,
                    default=median,
                )
            )
    return fields


def default_case(fields: Sequence[FormField]) -> dict[str, Any]:
    """A typical case: every field at its default value."""
    return {f.name: f.default for f in fields}


@dataclass
class CaseIssue:
    field: str
    message: str


def parse_number(value: Any) -> float | None:
    """A number typed by a person (``12``, ``3,5``, ``1 250``, ``−2``), or None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number_value = float(value)
        return number_value if math.isfinite(number_value) else None
    text = str(value).strip().replace("\u2212", "-")
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER_RE.match(text):
        return None
    try:
        result = float(text)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _parse_date(value: Any) -> pd.Timestamp | None:
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return pd.Timestamp(value)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return pd.Timestamp(_dt.datetime.strptime(text[:10], fmt))
        except ValueError:
            continue
    return None


def case_issues(
    fields: Sequence[FormField], values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[CaseIssue]]:
    """(clean values, problems): every value checked against what the model saw in training."""
    if not isinstance(values, Mapping):
        raise messages.error("usecase.case_not_a_mapping")
    known = {f.name for f in fields}
    issues = [
        CaseIssue(str(k), _t("case_unknown_field", field=str(k)[:60]))
        for k in values
        if k not in known
    ]
    clean: dict[str, Any] = {}
    for f in fields:
        value = values.get(f.name)
        shown = str(value)[:40]
        if f.kind == "boolean":
            if isinstance(value, (bool, np.bool_)):
                clean[f.name] = bool(value)
            elif str(value).strip().lower() in _YES:
                clean[f.name] = True
            elif str(value).strip().lower() in _NO:
                clean[f.name] = False
            else:
                issues.append(CaseIssue(f.name, _t("case_not_boolean", field=f.name)))
            continue
        if _is_blank(value):
            issues.append(CaseIssue(f.name, _t("case_missing", field=f.name)))
            continue
        if f.kind in ("integer", "number"):
            parsed = parse_number(value)
            if parsed is None:
                issues.append(CaseIssue(f.name, _t("case_not_number", field=f.name, value=shown)))
                continue
            if f.kind == "integer" and not float(parsed).is_integer():
                issues.append(CaseIssue(f.name, _t("case_not_integer", field=f.name, value=shown)))
                continue
            low, high = f.minimum, f.maximum
            if (low is not None and parsed < float(low)) or (
                high is not None and parsed > float(high)
            ):
                issues.append(
                    CaseIssue(
                        f.name,
                        _t(
                            "case_out_of_range",
                            field=f.name,
                            value=_show(parsed, f.kind),
                            low=_show(low, f.kind),
                            high=_show(high, f.kind),
                        ),
                    )
                )
                continue
            clean[f.name] = int(parsed) if f.kind == "integer" else parsed
        elif f.kind == "category":
            text = str(value).strip()
            if f.categories and text not in f.categories:
                allowed = ", ".join(f"« {c} »" for c in f.categories[:10])
                if len(f.categories) > 10:
                    allowed += ", …"
                issues.append(
                    CaseIssue(
                        f.name,
                        _t("case_unknown_category", field=f.name, value=shown, allowed=allowed),
                    )
                )
                continue
            clean[f.name] = text
        else:  # date
            stamp = _parse_date(value)
            if stamp is None:
                issues.append(CaseIssue(f.name, _t("case_not_date", field=f.name, value=shown)))
                continue
            low = pd.Timestamp(f.minimum) if f.minimum else None
            high = pd.Timestamp(f.maximum) if f.maximum else None
            if (low is not None and stamp < low) or (high is not None and stamp > high):
                issues.append(
                    CaseIssue(
                        f.name,
                        _t(
                            "case_out_of_range",
                            field=f.name,
                            value=stamp.strftime("%d/%m/%Y"),
                            low=_show_date(f.minimum),
                            high=_show_date(f.maximum),
                        ),
                    )
                )
                continue
            clean[f.name] = stamp.date().isoformat()
    return clean, issues


def check_case(fields: Sequence[FormField], values: Mapping[str, Any]) -> dict[str, Any]:
    """The case with every value converted; a French error naming every bad value otherwise."""
    clean, issues = case_issues(fields, values)
    if issues:
        raise messages.error("usecase.case_invalid", problems=" ; ".join(i.message for i in issues))
    return clean


@dataclass
class CaseResult:
    """The prediction for one case, its confidence where it has one, and why."""

    prediction: Any
    text: str
    confidence: float | None  # probability of the announced answer (classification)
    confidence_text: str | None
    probabilities: dict | None
    contributions: list  # labkit.model.explain.Contribution, largest effect first
    path: list[str]  # the tree path, for a tree
    focus: Any = None  # the class the contributions are about
    threshold_text: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """The contributions that matter, in French (all of them if none stands out)."""
        strong = [c.text for c in self.contributions if abs(c.effect) >= 0.01]
        return strong or [_t("case_no_effect")]


def predict_case(
    context: UseContext, values: Mapping[str, Any], *, threshold: float | None = None
) -> CaseResult:
    """Check ``values`` against the form, predict and explain. ``threshold`` (two classes only):
    the case is announced positive when the probability of the positive class reaches it."""
    from labkit.model.explain import explain_prediction

    fields = context.fields()
    case = check_case(fields, values)
    trained = context.trained
    row = dict(case)
    for f in fields:
        if f.kind == "date":
            row[f.name] = pd.Timestamp(row[f.name])
    explanation = explain_prediction(trained, row)
    prediction = explanation.prediction
    probabilities = explanation.probabilities
    notes: list[str] = []
    threshold_text = None
    confidence = confidence_text = None
    if trained.is_classification:
        if threshold is not None and context.is_binary and probabilities:
            threshold = check_threshold(threshold)
            positive = trained.positive
            negative = next(c for c in trained.classes if str(c) != str(positive))
            p_positive = _probability(probabilities, positive)
            prediction = positive if p_positive >= threshold else negative
            threshold_text = _t(
                "case_threshold_applied",
                threshold=number(threshold, 2),
                label=format_value(prediction),
                positive=format_value(positive),
                rate=percent(p_positive),
            )
        text = _t("case_prediction_class", label=format_value(prediction))
        if probabilities:
            confidence = _probability(probabilities, prediction)
            confidence_text = _t(
                "case_confidence", rate=percent(confidence), label=format_value(prediction)
            )
    else:
        text = _t("case_prediction_value", value=format_value(prediction), target=trained.target)
        mae = (context.meta.get("test") or {}).get("mae")
        if isinstance(mae, (int, float)) and math.isfinite(mae):
            notes.append(_t("case_typical_error", mae=number(mae, 3)))
    return CaseResult(
        prediction=prediction,
        text=text,
        confidence=confidence,
        confidence_text=confidence_text,
        probabilities=probabilities,
        contributions=explanation.contributions,
        path=explanation.path,
        focus=explanation.focus,
        threshold_text=threshold_text,
        notes=notes,
    )


def _probability(probabilities: Mapping, label: Any) -> float:
    for key, value in probabilities.items():
        if str(key) == str(label):
            return float(value)
    return float("nan")


# ============================================================================ batch scoring
@dataclass
class ScoringResult:
    """The file with the model's answers added, and what the learner should know about it."""

    table: pd.DataFrame
    rows: int
    scored: int
    notices: list[str]
    prediction_column: str
    target: str

    @property
    def summary(self) -> str:
        return _t("score_done", scored=self.scored, rows=self.rows)

    def csv_bytes(self) -> bytes:
        return results_csv(self.table)

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", _ascii(self.target).lower()).strip("-") or "modele"
        return _t("score_csv_name", target=slug[:40])


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def read_upload(data: bytes, filename: str, options: Any = None) -> pd.DataFrame:
    """Read an uploaded table as module 03 does (same reader, same limits, same messages)."""
    name = str(filename or "fichier")[:120]
    if not isinstance(data, (bytes, bytearray)) or len(data) == 0 or not bytes(data).strip():
        raise messages.error("usecase.score_empty", name=name)
    if len(data) > MAX_FILE_BYTES:
        raise messages.error("usecase.score_too_large", max_mb=MAX_FILE_BYTES // 2**20)
    from labkit.data.reader import ReadOptions, read_table  # the reader of module 03

    if isinstance(options, Mapping):
        options = ReadOptions(**dict(options))
    result = read_table(bytes(data), name, options)
    frame = getattr(result, "frame", result)
    if not isinstance(frame, pd.DataFrame):
        raise messages.error("usecase.score_unreadable", name=name, detail="?")
    if frame.shape[1] == 0:
        raise messages.error("usecase.score_empty", name=name)
    if len(frame) == 0:
        raise messages.error("usecase.score_no_rows", name=name, columns=frame.shape[1])
    return frame


def _quoted(columns: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(f"« {c} »" for c in list(columns)[:limit])
    return shown + (", …" if len(columns) > limit else "")


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
    from labkit.prepare.recipe import to_date, to_number

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
        return present & ~folded.isin(_YES | _NO).fillna(False).astype(bool)
    return present & converted.isna()


def _check_types(frame: pd.DataFrame, expected: Mapping[str, tuple]) -> None:
    for column, (kind, date_format) in expected.items():
        bad = _bad_cells(frame[column], kind, date_format)
        count = int(bad.sum())
        if not count:
            continue
        positions = np.flatnonzero(bad.to_numpy())
        examples = ", ".join(
            f"« {str(v)[:30]} »" for v in pd.unique(frame[column][bad].astype(str))[:3]
        )
        rows = ", ".join(str(int(p) + 1) for p in positions[:5]) + (
            " …" if len(positions) > 5 else ""
        )
        raise messages.error(
            "usecase.score_wrong_type",
            column=column,
            expected=_t(f"expected_{kind}"),
            count=count,
            examples=examples,
            rows=rows,
        )


def _normalise_types(frame: pd.DataFrame, expected: Mapping[str, tuple]) -> pd.DataFrame:
    """Numbers written as text (``3,5``) become numbers, yes/no texts become booleans, so that
    the recipe and the model read them as they did in training."""
    from labkit.prepare.recipe import to_number

    frame = frame.copy()
    for column, (kind, _format) in expected.items():
        values = frame[column]
        if kind == "number" and not pd.api.types.is_numeric_dtype(values):
            frame[column] = to_number(values)
        elif kind == "boolean" and not pd.api.types.is_bool_dtype(values):
            folded = values.astype("string").str.strip().str.lower()
            frame[column] = folded.map(
                lambda v: np.nan if pd.isna(v) or v == "" else v in _YES
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
    raw = raw.reset_index(drop=True)
    notices: list[str] = []
    work = raw
    if target in work.columns:
        notices.append(_t("score_target_ignored", target=target))
        work = work.drop(columns=[target])

    # 1. the columns: what the recipe needs, then what the model needs after cleaning
    recipe = context.recipe
    needed: list[str] = []
    produced: set[str] = set()
    columns_now = list(work.columns)
    if recipe is not None:
        for _number, _step, column in recipe.missing_columns(columns_now, [target]):
            if column not in needed:
                needed.append(column)
        produced = _recipe_outputs(recipe, columns_now)
    for column in trained.features:
        if column not in columns_now and column not in produced and column not in needed:
            needed.append(column)
    expected_names = set(trained.features) | _recipe_inputs(recipe) | {target}
    extra = [c for c in columns_now if c not in expected_names]
    if needed:
        hint_extra = _t("score_missing_hint_extra", columns=_quoted(extra)) if extra else ""
        raise messages.error(
            "usecase.score_missing_columns",
            count=len(needed),
            columns=_quoted(needed),
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
            columns=_quoted(missing_after),
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
        notices.append(_t("score_extra_columns", columns=_quoted(extra)))
    removed = len(work) - len(clean)
    if removed > 0:
        notices.append(_t("score_rows_removed", count=removed))
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
        p_positive = proba[_column_of(proba, positive)]
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
    """The columns a file to score must hold: those the recipe needs, then the model's own columns
    that the recipe does not create (the target is not needed)."""
    target = context.target
    needed: list[str] = []
    produced: set[str] = set()
    recipe = context.recipe
    if recipe is not None:
        for _number, _step, column in recipe.missing_columns([], [target]):
            if column not in needed and column != target:
                needed.append(column)
        produced = _recipe_outputs(recipe, needed)
    for column in context.features:
        if column not in needed and column not in produced:
            needed.append(column)
    return needed


def example_rows(context: UseContext, workspace=None, count: int = 20) -> pd.DataFrame:
    """A few rows of the project's raw table without the target: a file to try batch scoring."""
    from labkit.prepare import quality

    if context.is_default or workspace is None:
        frame, _target, _schema = quality.running_example()
    else:
        frame, _target, _schema = quality.chosen_table(workspace)
    rows = frame.tail(int(max(1, count))).reset_index(drop=True)
    return rows.drop(columns=[context.target], errors="ignore")


def example_csv(context: UseContext, workspace=None, count: int = 20) -> bytes:
    """:func:`example_rows` as a CSV file (``;``, UTF-8 with BOM), neutralised."""
    return results_csv(example_rows(context, workspace, count))


def _column_of(proba: pd.DataFrame, label: Any):
    for column in proba.columns:
        if str(column) == str(label):
            return column
    raise messages.error("usecase.threshold_no_proba")


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
            notices.append(_t("score_unseen_categories", column=column, values=_quoted(unseen, 5)))
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
                    low=_show(low, kind),
                    high=_show(high, kind),
                )
            )
    return notices


# ------------------------------------------------------------------ CSV safe for spreadsheets
# One rule for every CSV Datalab writes (labkit.csvsafe); the names stay for this module's callers.
neutralise_cell = csvsafe.neutralise
neutralise_frame = csvsafe.safe_frame


def results_csv(frame: pd.DataFrame) -> bytes:
    """CSV for a French spreadsheet: ``;`` between cells, decimal comma, UTF-8 with BOM, and
    formula-like texts neutralised."""
    safe = neutralise_frame(frame)
    text = safe.to_csv(sep=";", index=False, decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


# ============================================================================ threshold
def check_cost(value: Any) -> float:
    parsed = parse_number(value)
    if parsed is None or parsed < 0:
        raise messages.error("usecase.cost_bad", value=str(value)[:30])
    if parsed > COST_MAX:
        raise messages.error("usecase.cost_too_large", max=number(COST_MAX, 12))
    return float(parsed)


def check_threshold(value: Any) -> float:
    parsed = parse_number(value)
    if parsed is None or not 0 <= parsed <= 1:
        raise messages.error("usecase.threshold_bad", value=str(value)[:30])
    return float(parsed)


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
        actual, proba[_column_of(proba, positive)], positive, negative, cost_fp, cost_fn
    )


# ============================================================================ the learner's choices
DEFAULTS: dict[str, Any] = {
    "cost_fp": 1.0,
    "cost_fn": 1.0,
    "threshold": None,
    "case": {},
    "next_steps": "",
    "interactive_report": False,
}


def load_usecase(workspace) -> dict[str, Any]:
    """The learner's choices of module 06, with defaults; damaged values are dropped."""
    stored = workspace.load(KEY, None) if workspace is not None else None
    values = dict(DEFAULTS)
    values["case"] = {}
    if not isinstance(stored, Mapping):
        return values
    for name in ("cost_fp", "cost_fn"):
        try:
            values[name] = check_cost(stored.get(name, DEFAULTS[name]))
        except DatalabError:
            pass
    if stored.get("threshold") is not None:
        try:
            values["threshold"] = check_threshold(stored["threshold"])
        except DatalabError:
            pass
    if isinstance(stored.get("case"), Mapping):
        values["case"] = {
            str(k): v
            for k, v in stored["case"].items()
            if isinstance(v, (str, int, float, bool)) or v is None
        }
    if isinstance(stored.get("next_steps"), str):
        values["next_steps"] = stored["next_steps"][:NEXT_STEPS_MAX]
    values["interactive_report"] = bool(stored.get("interactive_report", False))
    return values


def save_usecase(workspace, **changes: Any) -> dict[str, Any]:
    """Check and save some of the learner's choices (the others stay as saved)."""
    values = load_usecase(workspace)
    for name, value in changes.items():
        if name in ("cost_fp", "cost_fn"):
            values[name] = check_cost(value)
        elif name == "threshold":
            values[name] = None if value is None else check_threshold(value)
        elif name == "case":
            if not isinstance(value, Mapping):
                raise messages.error("usecase.case_not_a_mapping")
            values[name] = {
                str(k): (v.isoformat() if isinstance(v, (_dt.date, pd.Timestamp)) else v)
                for k, v in value.items()
            }
        elif name == "next_steps":
            text = str(value or "").replace("\r\n", "\n").strip()
            if len(text) > NEXT_STEPS_MAX:
                raise messages.error(
                    "usecase.next_steps_too_long", max=NEXT_STEPS_MAX, length=len(text)
                )
            values[name] = text
        elif name == "interactive_report":
            values[name] = bool(value)
        else:
            raise messages.error("usecase.usecase_bad", detail=str(name)[:40])
    if values["cost_fp"] == 0 and values["cost_fn"] == 0:
        raise messages.error("usecase.cost_both_zero")
    values["version"] = FORMAT_VERSION
    values["saved_at"] = _dt.datetime.now().isoformat(timespec="seconds")
    workspace.save(KEY, values)
    return values


def threshold_saved_text(values: Mapping[str, Any]) -> str:
    return _t(
        "threshold_saved",
        threshold=number(values["threshold"], 2) if values.get("threshold") is not None else "—",
        cost_fp=number(values["cost_fp"], 6),
        cost_fn=number(values["cost_fn"], 6),
    )
