"""Using the model (module 06): the model in use, its form, and the learner's choices.

Pure code, plain values in and out (the learner's workspace is read and written by
:mod:`labkit.learner.usecase`):

- :class:`UseContext` — the model module 06 works with, its recipe and its held-out rows
  (:func:`holdout_rows` finds them in the learner's clean table); :func:`train_example` trains the
  running example that stands in when the learner saved no model.
- :func:`form_fields` — the what-if form's specification from the model's metadata (one field per
  feature: kind, range or categories seen in training, default). Checking and predicting one case
  is :mod:`labkit.use.whatif`, scoring a whole file :mod:`labkit.use.scoring`, the decision
  threshold :mod:`labkit.use.threshold`.
- :func:`read_choices` / :func:`update_choices` — the rules of the learner's saved choices
  (costs, threshold, last case, next steps).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from labkit import frenchfmt, messages
from labkit.errors import DatalabError
from labkit.model import learning, model_store, problem
from labkit.model.catalogue import DEFAULT_MODEL
from labkit.model.display import format_value, number
from labkit.model.learning import TrainedModel
from labkit.model.problem import ColumnKinds
from labkit.prepare.recipe import DATE_PARTS, Recipe, apply_step
from labkit.settings import load_settings

FORMAT_VERSION = 1
NEXT_STEPS_MAX = 3000
COST_MAX = 1e9
YES = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "1.0"})
NO = frozenset({"non", "n", "no", "faux", "false", "0", "0.0"})


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"usecase.{key}", **fields)


# ============================================================================ the model to use
@dataclass
class UseContext:
    """The model module 06 works with, and what goes with it."""

    trained: TrainedModel
    meta: dict
    recipe: Recipe | None  # None when the model was trained on a raw table
    is_default: bool = False
    notice: str | None = None  # French notice when the running example stands in
    titles: dict[str, str] = field(default_factory=dict)  # plain names of the columns
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
        return form_fields(self.meta, self.titles)

    def describe(self) -> str:
        return _t(
            "model_intro_plain",
            name=self.trained.name,
            target=self.target,
            count=len(self.trained.features),
        )


def model_recipe(trained: TrainedModel) -> Recipe | None:
    """The recipe the training table went through, as stored with the model."""
    return Recipe.from_dict(trained.recipe) if trained.recipe else None


def _evaluation_split(clean: pd.DataFrame, target: str, meta: dict) -> problem.Split:
    """The held-out rows of module 05: as saved with the model (``test_rows``, the rows of the
    learner's file), else recomputed the same way. A model saved before the rows were kept has
    ``test_index``, labels of a renumbered table: the split is recomputed (the same draw on a table
    of the same length gives the same rows)."""
    for holder in (meta, meta.get("info") or {}):
        index = holder.get("test_rows")
        if index is None and isinstance(holder.get("split"), Mapping):
            index = holder["split"].get("test_rows")
        if index is not None:
            kept = [i for i in index if i in clean.index]
            return problem.Split(tuple(i for i in clean.index if i not in set(kept)), tuple(kept))
    plan_data = meta.get("evaluation") or (meta.get("info") or {}).get("evaluation") or {}
    fields = {k: plan_data[k] for k in ("test_share", "folds", "random_state") if k in plan_data}
    plan = problem.plan_evaluation(clean, target, **fields)
    return problem.split_data(clean, target, plan)


def with_model_grouping(clean: pd.DataFrame, target: str, recipe: Recipe | None) -> pd.DataFrame:
    """Module 04's clean table with the grouping of rare classes that module 05 added after its
    steps (the model learnt « Autres », not « Bon »): without it, the rows of the grouped classes
    would be left out of the confusion matrix and counted wrong."""
    trailing = []
    for step in reversed(list(getattr(recipe, "steps", []) or [])):
        if step.action != "merge_categories" or step.params.get("column") != target:
            break
        trailing.insert(0, step)
    for step in trailing:
        if target in clean.columns:
            clean = apply_step(clean, step)
    return clean


def holdout_rows(
    clean: pd.DataFrame, trained: TrainedModel, meta: dict, recipe: Recipe | None
) -> tuple[pd.DataFrame | None, str | None]:
    """(held-out rows, French note) of the learner's clean table for the model: module 05's
    test rows, with the model's grouping of rare classes."""
    clean = with_model_grouping(clean, trained.target, recipe)
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


def train_example(
    frame: pd.DataFrame, target: str, recipe: Recipe, signature: dict
) -> tuple[TrainedModel, dict, pd.DataFrame]:
    """The running example cleaned with ``recipe`` (its default one) and trained with module 05's
    default model: (model, metadata with ``signature`` under ``fallback``, held-out clean rows)."""
    clean = recipe.apply(frame)
    clean = clean[clean[target].notna()]
    features, _excluded = problem.default_features(clean, target)
    task = problem.check_choice(clean, target, features)
    plan = problem.plan_evaluation(clean, target, task)
    split = problem.split_data(clean, target, plan)
    trained = learning.train(
        clean, target, features, DEFAULT_MODEL, split=split, recipe=recipe.to_dict()
    )
    result = learning.evaluate(trained, clean, split)
    trained.info["test_score"] = float(result.score)
    trained.info["evaluation"] = plan.to_dict()
    meta = model_store.metadata(
        trained,
        {
            "fallback": signature,
            "test_rows": list(split.test_index),
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


def example_notice(module_title: str, target: str) -> str:
    """The notice shown when the running example stands in for the learner's model."""
    return messages.text(
        "ui.default_used",
        module=module_title,
        what=_t(
            "default_what", description=load_settings().running_example.description, target=target
        ),
    )


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
    title: str = ""  # the column's plain French name (its card's title), when known

    @property
    def label(self) -> str:
        """What the field is called on screen: the plain title, else the column's name."""
        return self.title or self.name

    @property
    def help(self) -> str:
        """How to fill the field; with a plain title, the column's own name comes after it."""
        text = self._kind_help()
        if self.title and self.title != self.name:
            text += " " + _t("field_help_column", name=self.name)
        return text

    def _kind_help(self) -> str:
        kind = _t(f"kind_{self.kind}")
        if self.kind in ("integer", "number"):
            typical = show(self.default, self.kind)
            if self.minimum is not None and self.maximum is not None:
                return _t(
                    "field_help_range",
                    kind=kind[:1].upper() + kind[1:],
                    low=show(self.minimum, self.kind),
                    high=show(self.maximum, self.kind),
                    typical=typical,
                )
            return _t("field_help_number", kind=kind[:1].upper() + kind[1:], typical=typical)
        if self.kind == "category":
            return _t("field_help_category", count=len(self.categories))
        if self.kind == "boolean":
            return _t("field_help_boolean")
        return _t("field_help_date", low=show_date(self.minimum), high=show_date(self.maximum))

    def to_dict(self) -> dict:
        return {**asdict(self), "categories": list(self.categories)}


def show(value: Any, kind: str) -> str:
    """A number of the form written the French way (``—`` when missing)."""
    if value is None:
        return "—"
    if kind == "integer":
        return number(int(round(float(value))), 12)
    return number(float(value), 4)


def show_date(value: Any) -> str:
    if not value:
        return "—"
    try:
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    except (ValueError, TypeError):
        return str(value)


def quoted(names: Sequence[str], limit: int = 12) -> str:
    """``« a », « b », …``: at most ``limit`` names."""
    shown = ", ".join(f"« {c} »" for c in list(names)[:limit])
    return shown + (", …" if len(names) > limit else "")


def matching_key(keys, label: Any):
    """The key among ``keys`` written like ``label`` (classes may come back as texts), or None."""
    return next((key for key in keys if str(key) == str(label)), None)


def column_titles(columns: Sequence[str], schema_fields: Sequence[Mapping]) -> dict[str, str]:
    """Plain French names of ``columns`` from a dataset card's fields (their ``title``). A column
    made from a date by module 04 (``date_demande_jour_semaine``) is named from its date
    (« Jour de la semaine de « Date de la demande » »). Columns without a title are left out."""
    titles = {
        str(f.get("name")): str(f.get("title")).strip()
        for f in schema_fields
        if isinstance(f, Mapping) and f.get("name") and str(f.get("title") or "").strip()
    }
    named = {}
    for column in columns:
        if column in titles:
            named[column] = titles[column]
            continue
        for part in DATE_PARTS:
            suffix = "_" + messages.text(f"recipe.suffix_{part}")
            source = column[: -len(suffix)] if column.endswith(suffix) else None
            if source and source in titles:
                text = _t(
                    "derived_title", part=messages.text(f"recipe.part_{part}"), of=titles[source]
                )
                named[column] = text[:1].upper() + text[1:]
                break
    return named


def form_fields(
    meta: Mapping[str, Any], titles: Mapping[str, str] | None = None
) -> list[FormField]:
    """One field per feature of the saved model, from its metadata (kinds and training profile),
    named by ``titles`` (:func:`column_titles`) where known."""
    if not isinstance(meta, Mapping) or not meta.get("features"):
        raise messages.error("learning.store_metadata_missing")
    titles = titles or {}
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
    return [replace(f, title=titles.get(f.name, "")) for f in fields]


def default_case(fields: Sequence[FormField]) -> dict[str, Any]:
    """A typical case: every field at its default value."""
    return {f.name: f.default for f in fields}


# ============================================================================ costs and threshold
def check_cost(value: Any) -> float:
    parsed = frenchfmt.parse_number(value)
    if parsed is None or parsed < 0:
        raise messages.error("usecase.cost_bad", value=str(value)[:30])
    if parsed > COST_MAX:
        raise messages.error("usecase.cost_too_large", max=number(COST_MAX, 12))
    return float(parsed)


def check_threshold(value: Any) -> float:
    parsed = frenchfmt.parse_number(value)
    if parsed is None or not 0 <= parsed <= 1:
        raise messages.error("usecase.threshold_bad", value=str(value)[:30])
    return float(parsed)


# ============================================================================ the learner's choices
DEFAULTS: dict[str, Any] = {
    "cost_fp": 1.0,
    "cost_fn": 1.0,
    "threshold": None,
    "case": {},
    "next_steps": "",
    "interactive_report": False,
}


def read_choices(stored: Any) -> dict[str, Any]:
    """The learner's choices of module 06 as saved, with defaults; damaged values are dropped."""
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


def update_choices(values: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """``values`` with ``changes`` checked and applied (French error on a bad one), stamped."""
    values = dict(values)
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
    return values
