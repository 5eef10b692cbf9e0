"""The *fiche de transparence* and the model card (module 06).

A public body that takes an individual decision on the basis of an algorithm owes the person
concerned an explicit mention of it and, on request, the rules of the processing and the main
characteristics of how it was applied to them (code des relations entre le public et
l'administration, L311-3-1, R311-3-1-1 and R311-3-1-2: the degree and mode of contribution to the
decision, the data and their sources, the parameters and their weight applied to the person's
situation, the operations); administrations of 50 agents or more publish online the rules of
their main algorithmic processings (L312-1-3). The *fiche* gathers these, plus performance,
limits, human oversight, contact and rights. The model card (Mitchell et al., 2019) is its
technical companion.

Pure code. :func:`gather_facts` collects what the workspace knows (canvas, dataset, recipe,
model and its evaluation on held-out rows, explanations, bias audit, risks, threshold);
:func:`generate` writes a draft of every field from those facts; the learner edits the fields,
saved under the workspace key ``transparency`` (:func:`save_transparency`); :func:`to_markdown`
and :func:`to_html` export them, every learner text escaped.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit import messages
from labkit.errors import DatalabError

KEY = "transparency"
FORMAT_VERSION = 1
TEXT_MAX = 4000
FICHE, CARTE = "fiche", "carte"


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"report.{key}", **fields)


@dataclass(frozen=True)
class SheetField:
    id: str
    part: str  # FICHE or CARTE
    lines: int = 4

    @property
    def label(self) -> str:
        return _t(f"{self.id}_label")

    @property
    def help(self) -> str:
        return _t(f"{self.id}_help")


FIELDS: tuple[SheetField, ...] = (
    SheetField("organisme", FICHE, 1),
    SheetField("traitement", FICHE, 1),
    SheetField("finalite", FICHE),
    SheetField("contribution", FICHE),
    SheetField("donnees", FICHE, 5),
    SheetField("parametres", FICHE, 6),
    SheetField("operations", FICHE, 4),
    SheetField("performance", FICHE, 5),
    SheetField("limites", FICHE, 4),
    SheetField("controle_humain", FICHE, 3),
    SheetField("contact", FICHE, 2),
    SheetField("droits", FICHE, 6),
    SheetField("publication", FICHE, 2),
    SheetField("carte_details", CARTE, 3),
    SheetField("carte_usage", CARTE, 3),
    SheetField("carte_hors_champ", CARTE, 3),
    SheetField("carte_donnees", CARTE, 3),
    SheetField("carte_metriques", CARTE, 5),
    SheetField("carte_groupes", CARTE, 5),
    SheetField("carte_limites", CARTE, 4),
    SheetField("carte_ethique", CARTE, 4),
)
FIELD_IDS = tuple(f.id for f in FIELDS)
_BY_ID = {f.id: f for f in FIELDS}


def fields_of(part: str) -> list[SheetField]:
    return [f for f in FIELDS if f.part == part]


# ============================================================================ the facts
@dataclass
class ProjectFacts:
    """What the workspace knows about the project, as plain values (for the sheets and the
    final report)."""

    author: str | None
    title: str
    canvas: dict  # labkit.course.canvas.canvas_summary
    dataset: dict  # name, producer, licence, sources, description, simulated, rows, columns
    model: dict  # name, key, target, task, features, classes, positive, saved, sklearn
    is_default: bool
    notice: str | None
    recipe_steps: list[str]  # French labels of the recipe's steps
    recipe_is_default: bool
    personal_removed: list[str]
    personal_pseudonymised: list[str]
    evaluation: dict | None  # rows, metrics, explanations, matrix, labels, baseline…
    holdout_note: str | None
    importance: list[dict]  # column, importance, std (largest first)
    importance_sentences: list[str]
    rules: list[str]
    formula: list[str]
    fairness: Any  # labkit.model.fairness.FairnessAudit or None
    fairness_problem: str | None
    risk: dict  # labkit.course.risk.risk_summary
    usecase: dict  # labkit.use.usecase.load_usecase
    threshold: dict | None  # counts at the chosen threshold
    comparison: list[dict]  # key, name, score, std (module 05), baseline first
    metric: str
    problems: list[str] = field(default_factory=list)
    context: Any = field(default=None, repr=False)  # labkit.use.usecase.UseContext


def gather_facts(workspace, context=None) -> ProjectFacts:
    """Collect the facts of the learner's project. A piece that cannot be computed is left empty
    and named in :attr:`ProjectFacts.problems`; nothing here raises for a missing module."""
    from labkit.course import canvas, risk
    from labkit.model.learning import format_value
    from labkit.use import usecase

    context = context or usecase.load_context(workspace)
    trained, meta = context.trained, context.meta
    problems: list[str] = []
    summary = canvas.canvas_summary(workspace)
    values = {f["id"]: f["value"] for f in summary["fields"]}
    title = values.get("titre") or (
        canvas.example_values()["titre"] if context.is_default else None
    )
    title = title or _project_title(workspace) or trained.target
    try:
        risk_info = risk.risk_summary(workspace)
    except DatalabError as exc:
        risk_info = {"saved": False, "checklist": [], "reasons": [], "to_check": []}
        problems.append(exc.message)
    steps = list(getattr(context.recipe, "steps", []) or [])
    recipe_is_default = (
        not context.is_default and not trained.recipe and workspace.load("recipe", None) is None
    )
    personal = [c for s in steps if s.action == "remove_personal" for c in s.columns]
    pseudonymised = [c for s in steps if s.action == "pseudonymise" for c in s.columns]
    model = {
        "name": trained.name,
        "key": trained.key,
        "target": trained.target,
        "task": trained.task,
        "features": list(trained.features),
        "classes": [format_value(c) for c in trained.classes],
        "positive": format_value(trained.positive) if trained.positive is not None else None,
        "saved": meta.get("saved"),
        "labkit_version": meta.get("labkit_version"),
        "sklearn_version": meta.get("sklearn_version"),
    }
    dataset = _dataset_facts(workspace, context)
    test, holdout_note = context.holdout()
    evaluation = importance = fairness_audit = None
    importance_rows: list[dict] = []
    sentences: list[str] = []
    fairness_problem = None
    if test is not None and len(test):
        try:
            evaluation = _evaluate(trained, test)
        except DatalabError as exc:
            problems.append(exc.message)
        try:
            importance, sentences = _importance(trained, test)
            importance_rows = importance.to_dict("records")
        except DatalabError as exc:
            problems.append(exc.message)
        try:
            fairness_audit = _fairness(context, dataset.get("group_columns") or [], test)
        except DatalabError as exc:
            fairness_problem = exc.message
    else:
        fairness_problem = holdout_note
    usecase_values = usecase.load_usecase(workspace)
    threshold = None
    if usecase_values.get("threshold") is not None and context.is_binary:
        try:
            analysis = usecase.context_threshold(
                context, usecase_values["cost_fp"], usecase_values["cost_fn"]
            )
            threshold = analysis.counts(usecase_values["threshold"])
            threshold["analysis"] = analysis
        except DatalabError as exc:
            problems.append(exc.message)
    return ProjectFacts(
        author=getattr(workspace, "pseudonym", None),
        title=title,
        canvas=summary,
        dataset=dataset,
        model=model,
        is_default=context.is_default,
        notice=context.notice,
        recipe_steps=[s.title() for s in steps],
        recipe_is_default=recipe_is_default,
        personal_removed=personal,
        personal_pseudonymised=pseudonymised,
        evaluation=evaluation,
        holdout_note=holdout_note,
        importance=importance_rows,
        importance_sentences=sentences,
        rules=_rules(trained),
        formula=_formula(trained),
        fairness=fairness_audit,
        fairness_problem=fairness_problem,
        risk=risk_info,
        usecase=usecase_values,
        threshold=threshold,
        comparison=_comparison(meta),
        metric=trained.metric,
        problems=problems,
        context=context,
    )


def _project_title(workspace) -> str | None:
    try:
        from labkit.course.project import load_project

        project = load_project(workspace)
        return project.title if project is not None else None
    except Exception:  # noqa: BLE001 - the home page's document may be missing or old
        return None


def _dataset_facts(workspace, context) -> dict:
    """The dataset the model learnt from: the running example for the stand-in model, else the
    learner's choice (module 03)."""
    facts = {
        "name": "",
        "producer": "",
        "licence": "",
        "sources": [],
        "description": "",
        "simulated": False,
        "rows": None,
        "columns": None,
        "group_columns": [],
        "is_default": context.is_default,
    }
    try:
        from labkit.data import datapackage, selection
        from labkit.settings import load_settings

        if context.is_default:
            dataset = datapackage.load_dataset(load_settings().running_example.dataset)
            frame, choice_name = dataset.table, dataset.title
        else:
            choice, frame = selection.load_choice(workspace)
            dataset = selection.dataset_of(choice)
            choice_name = choice.name
            facts["is_default"] = bool(choice.is_default)
        facts["name"] = choice_name
        facts["rows"], facts["columns"] = int(frame.shape[0]), int(frame.shape[1])
        if dataset is not None:
            facts.update(
                name=dataset.title,
                producer=dataset.producer,
                licence=dataset.licence,
                sources=[str(s.get("title") or s.get("path") or "") for s in dataset.sources],
                description=dataset.description,
                simulated=bool(dataset.simulated),
                group_columns=list(dataset.group_columns),
            )
    except (ImportError, DatalabError):
        pass
    return facts


def _evaluate(trained, test: pd.DataFrame) -> dict:
    from labkit.model import learning

    actual = pd.Series(learning.target_values(test[trained.target]).to_numpy(), index=test.index)
    predicted = pd.Series(trained.predict(test), index=test.index)
    out: dict[str, Any] = {"rows": len(test)}
    if trained.is_classification:
        result = learning.classification_result(actual, predicted, trained.classes, trained.metric)
        counts = actual.astype(str).value_counts()
        out.update(
            kind="classification",
            accuracy=result.accuracy,
            precision=result.precision,
            recall=result.recall,
            f1=result.f1,
            explanations=list(result.explanations),
            labels=[learning.format_value(v) for v in result.labels],
            matrix=np.asarray(result.matrix).tolist(),
            errors=int((actual.astype(str) != predicted.astype(str)).sum()),
            baseline_label=str(counts.index[0]),
            baseline_rate=float(counts.iloc[0] / len(actual)),
        )
    else:
        result = learning.regression_result(actual, predicted, trained.target, trained.metric)
        out.update(
            kind="regression",
            mae=result.mae,
            rmse=result.rmse,
            r2=result.r2,
            explanations=list(result.explanations),
            baseline_mae=float((actual - actual.mean()).abs().mean()),
        )
    return out


def _importance(trained, test: pd.DataFrame):
    from labkit.model import explain
    from labkit.model.learning import Split

    split = Split((), tuple(test.index))
    table = explain.importance(trained, test, split, repeats=5)
    return table, citizen_importance(table, trained.metric, top=5)


def citizen_importance(table: pd.DataFrame, metric: str, top: int = 5) -> list[str]:
    """What weighs most in the estimate, for the public: no test set, no shuffling, the effect of
    doing without each piece of information (a drop in right answers when it can be counted)."""
    from labkit.model.learning import number

    useful = table[table["importance"] > 0.005].head(top)
    if useful.empty:
        return [messages.text("usecase.citizen_importance_none")]
    sentences = []
    for row in useful.itertuples():
        if metric == "accuracy":
            per_100 = max(1, round(100 * float(row.importance)))
            sentences.append(
                messages.text(
                    "usecase.citizen_importance_counted", column=row.column, count=number(per_100)
                )
            )
        else:
            sentences.append(messages.text("usecase.citizen_importance", column=row.column))
    return sentences


# Words that start a noun phrase and take a small letter inside a sentence.
_DETERMINERS = {
    "le", "la", "les", "l’", "l'", "un", "une", "des", "du", "ce", "cet", "cette", "ces",
    "chaque", "notre", "nos", "votre", "vos", "leur", "leurs", "son", "sa", "ses", "tout",
    "toute", "tous", "toutes", "deux", "trois", "plusieurs", "certains", "certaines",
}  # fmt: skip


def who_phrase(text: str) -> str:
    """A person or body typed by the learner, made to read inside a sentence: trailing dots and
    spaces dropped, a leading determiner in small letters (« Les agents… » → « les agents… »);
    proper nouns and acronyms (« CCAS », « Madame Roux ») are left as typed."""
    text = " ".join(str(text).split()).rstrip(" .;:")
    match = re.match(r"^(\w+(?:[’']|\b))", text)
    if match and match.group(1).lower() in _DETERMINERS and match.group(1)[1:].islower():
        return text[0].lower() + text[1:]
    if match and match.group(1).lower().rstrip("’'") + "’" in _DETERMINERS:
        return text[0].lower() + text[1:]
    return text


def _rules(trained) -> list[str]:
    from labkit.model import explain

    try:
        rules = explain.tree_rules(trained)
    except Exception:  # noqa: BLE001 - a model that is not a tree
        return []
    rules = sorted(rules, key=lambda r: r.count, reverse=True)[:8]
    return [r.text for r in rules]


def _formula(trained) -> list[str]:
    from labkit.model import explain

    try:
        result = explain.formula(trained)
    except Exception:  # noqa: BLE001 - a model that is not linear
        return []
    if result is None:
        return []
    return [*result.lines, *([result.reading] if result.reading else [])]


def _fairness(context, group_columns: list[str], test: pd.DataFrame):
    """The bias audit on the held-out rows, for the column module 05 audited (saved with the
    model), else the dataset's first group column, else the first sensible one."""
    from labkit.model import fairness
    from labkit.model.learning import CLASSIFICATION, target_values

    trained, meta = context.trained, context.meta
    saved = meta.get("fairness") if isinstance(meta.get("fairness"), Mapping) else {}
    wanted = [saved.get("column")] if saved.get("column") else []
    wanted += list(group_columns)
    candidates = fairness.candidate_columns(test, trained.target, [c for c in wanted if c])
    column = next((c for c in wanted if c in candidates), None) or (
        candidates[0] if candidates else None
    )
    if column is None:
        raise messages.error("learning.fairness_no_column")
    groups = fairness.group_values(test[column], column)
    actual = target_values(test[trained.target])
    predicted = pd.Series(trained.predict(test), index=test.index)
    return fairness.audit(
        actual,
        predicted,
        groups,
        trained.task,
        positive=trained.positive if trained.task == CLASSIFICATION else None,
        column=column,
    )


def _comparison(meta: Mapping) -> list[dict]:
    """Module 05's comparison as saved with the model (``Comparison.to_dict()`` under
    ``comparison``), baseline first; empty when it was not saved."""
    comparison = meta.get("comparison") or (meta.get("info") or {}).get("comparison")
    if not isinstance(comparison, Mapping):
        return []
    rows = []
    baseline = comparison.get("baseline")
    if isinstance(baseline, Mapping):
        rows.append({**baseline, "baseline": True})
    for model in comparison.get("models") or []:
        if isinstance(model, Mapping) and "score" in model:
            rows.append({**model, "baseline": False})
    return rows


# ============================================================================ the drafts
def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _columns_text(columns: list[str], limit: int = 20) -> str:
    shown = ", ".join(f"« {c} »" for c in columns[:limit])
    return shown + (", …" if len(columns) > limit else "")


def _today() -> str:
    return _dt.date.today().strftime("%d/%m/%Y")


def _date_of(stamp: Any) -> str:
    try:
        return pd.Timestamp(stamp).strftime("%d/%m/%Y")
    except (ValueError, TypeError):
        return _today()


def generate(facts: ProjectFacts) -> dict[str, str]:
    """A draft of every field of the sheet and the card, from the project's facts."""
    from labkit.model.learning import number, percent

    canvas_values = {f["id"]: f["value"] for f in facts.canvas["fields"]}
    if facts.is_default and not facts.canvas.get("saved"):
        from labkit.course.canvas import example_values

        canvas_values = example_values()  # the stand-in model is the running example's
    model, dataset, evaluation = facts.model, facts.dataset, facts.evaluation or {}
    target = model["target"]
    positive = model.get("positive")
    threshold = facts.usecase.get("threshold")
    decision = canvas_values.get("decision", "")
    users = canvas_values.get("utilisateurs", "")

    # --- the sheet
    contribution = _t("contribution_default", decision=decision).strip()
    if threshold is not None and positive is not None:
        contribution = _join(
            contribution,
            _t("contribution_threshold", positive=positive, threshold=number(threshold, 2)),
        )
    source = ""
    if dataset.get("name"):
        source = _t(
            "donnees_source",
            name=dataset["name"],
            producer=_t("donnees_producer", producer=dataset["producer"])
            if dataset.get("producer")
            else "",
            licence=_t("donnees_licence", licence=dataset["licence"])
            if dataset.get("licence")
            else "",
        )
    donnees = _join(
        _t(
            "donnees_columns",
            count=len(model["features"]),
            columns=_columns_text(model["features"]),
        ),
        source,
        _t("donnees_simulated") if dataset.get("simulated") else "",
        _t("donnees_personal_removed", columns=_columns_text(facts.personal_removed))
        if facts.personal_removed
        else "",
        _t("donnees_personal_pseudonymised", columns=_columns_text(facts.personal_pseudonymised))
        if facts.personal_pseudonymised
        else "",
    )
    parametres_parts = []
    if facts.importance_sentences:
        parametres_parts.append(_t("parametres_importance_intro"))
        parametres_parts += [f"- {s}" for s in facts.importance_sentences]
    if facts.rules:
        parametres_parts.append(_t("parametres_rules_intro"))
        parametres_parts += [f"- {r}" for r in facts.rules[:5]]
    elif facts.formula:
        parametres_parts.append(_t("parametres_formula_intro"))
        parametres_parts += [f"- {line}" for line in facts.formula]
    parametres_parts.append(_t("parametres_individual"))
    labels = "; ".join(facts.recipe_steps[:8]) + (" …" if len(facts.recipe_steps) > 8 else "")
    operations = _t(
        "operations_default",
        steps=len(facts.recipe_steps),
        labels=labels or "—",
        model=model["name"],
        target=target,
        proba=_t("operations_proba") if model["task"] == "classification" else "",
    )
    performance = _t("to_complete")
    limits = [_t("limites_default")]
    if evaluation:
        performance = _join(
            _t("performance_default", rows=evaluation["rows"]),
            *evaluation.get("explanations", []),
            _t(
                "performance_baseline",
                label=evaluation["baseline_label"],
                rate=percent(evaluation["baseline_rate"]),
            )
            if evaluation.get("kind") == "classification"
            else "",
        )
        if evaluation.get("kind") == "classification":
            limits.append(
                _t("limites_errors", errors=evaluation["errors"], rows=evaluation["rows"])
            )
    if facts.holdout_note:
        limits.append(facts.holdout_note)
    audit = facts.fairness
    if audit is not None:
        limits += [_t("limites_gap", text=g.text) for g in audit.large_gaps()]
    controle = messages.text(
        "usecase.sheet_controle_humain",
        who=who_phrase(users) if users.strip() else _t("controle_humain_who"),
    )
    oversight_note = _checklist_note(facts.risk, "controle_humain")
    if oversight_note:
        controle = _join(controle, oversight_note)
    fiche = {
        "organisme": dataset.get("producer") if facts.is_default else "",
        "traitement": canvas_values.get("titre") or _t("traitement_default", target=target),
        "finalite": _join(canvas_values.get("probleme", ""), _t("finalite_target", target=target)),
        "contribution": contribution,
        "donnees": donnees,
        "parametres": _join(*parametres_parts),
        "operations": operations,
        "performance": performance,
        "limites": _join(*limits),
        "controle_humain": controle,
        "contact": _t("contact_default"),
        "droits": _t("droits_default"),
        "publication": _t("publication_default"),
    }
    fiche["organisme"] = fiche["organisme"] or _t("organisme_default")

    # --- the card
    details = _t(
        "carte_details_default",
        model=model["name"],
        task=_t(f"task_{model['task']}"),
        date=_date_of(model.get("saved")),
        version=model.get("labkit_version") or "—",
        sklearn=model.get("sklearn_version") or "—",
        target=target,
        count=len(model["features"]),
        author=facts.author or "—",
    )
    usage = _t(
        "carte_usage_default",
        decision=decision or _t("to_complete"),
        users=users or _t("to_complete"),
    )
    test_rows = evaluation.get("rows", 0)
    card_data = _t(
        "carte_donnees_default",
        name=dataset.get("name") or "—",
        rows=number(dataset["rows"], 12) if dataset.get("rows") else "—",
        steps=len(facts.recipe_steps),
        test=test_rows,
    )
    metrics = _join(*evaluation.get("explanations", [])) or _t("to_complete")
    if audit is not None:
        groups = _join(
            _t("carte_groupes_intro", column=audit.column),
            *[f"- {g.text}" for g in audit.gaps],
            *audit.readings,
            *audit.notes,
            audit.caution,
        )
    else:
        groups = _t("carte_groupes_none")
    risk_info = facts.risk
    if risk_info.get("saved"):
        ethics = [
            _t(
                "carte_ethique_level",
                level=risk_info.get("level_name", ""),
                summary=risk_info.get("level_summary", ""),
            ).strip()
        ]
    else:
        ethics = [_t("carte_ethique_none")]
    for item in risk_info.get("checklist", []):
        if item.get("note"):
            ethics.append(_t("carte_ethique_note", title=item["title"], note=item["note"]))
    card = {
        "carte_details": details,
        "carte_usage": usage,
        "carte_hors_champ": _t("carte_hors_champ_default"),
        "carte_donnees": card_data,
        "carte_metriques": metrics,
        "carte_groupes": groups,
        "carte_limites": _join(*limits),
        "carte_ethique": _join(*ethics),
    }
    values = {**fiche, **card}
    return {k: str(v)[:TEXT_MAX] for k, v in values.items()}


def _checklist_note(risk_info: Mapping, item_id: str) -> str:
    for item in risk_info.get("checklist", []) or []:
        if item.get("id") == item_id and item.get("note"):
            return str(item["note"])
    return ""


# ============================================================================ saving
def clean_text(value: Any, field_id: str) -> str:
    """A field's text: stripped, line ends normalised, control characters removed."""
    spec = _BY_ID[field_id]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise messages.error("report.field_not_text", label=spec.label)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).strip()
    if len(text) > TEXT_MAX:
        raise messages.error(
            "report.field_too_long", label=spec.label, length=len(text), max=TEXT_MAX
        )
    return text


def check_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Every field checked (unknown fields refused); missing fields are empty."""
    if not isinstance(values, Mapping):
        raise messages.error("report.sheet_not_a_mapping")
    for key in values:
        if key not in _BY_ID:
            raise messages.error("report.field_unknown", field=str(key)[:60])
    return {f.id: clean_text(values.get(f.id), f.id) for f in FIELDS}


def save_transparency(workspace, values: Mapping[str, Any]) -> dict[str, str]:
    """Check and save the sheet and the card (key ``transparency``); returns what was saved."""
    clean = check_values(values)
    workspace.save(
        KEY,
        {
            "version": FORMAT_VERSION,
            "fields": clean,
            "saved_at": _dt.datetime.now().isoformat(timespec="seconds"),
        },
    )
    return clean


def load_transparency(workspace) -> dict[str, str] | None:
    """The saved fields (every field present, damaged values dropped), or ``None``."""
    stored = workspace.load(KEY, None) if workspace is not None else None
    if not isinstance(stored, Mapping):
        return None
    raw = stored.get("fields") if isinstance(stored.get("fields"), Mapping) else {}
    values = {}
    for f in FIELDS:
        try:
            values[f.id] = clean_text(raw.get(f.id), f.id)
        except DatalabError:
            values[f.id] = ""
    return values


def current_values(workspace, facts: ProjectFacts | None = None) -> tuple[dict[str, str], bool]:
    """(values, saved): the learner's saved sheet, else a draft generated from the workspace."""
    saved = load_transparency(workspace)
    if saved is not None:
        return saved, True
    facts = facts or gather_facts(workspace)
    return generate(facts), False


def to_complete(values: Mapping[str, str]) -> list[str]:
    """Labels of the fields that are empty or still say « À compléter »."""
    marker = _t("to_complete").rstrip(".").lower()
    out = []
    for f in FIELDS:
        text = str(values.get(f.id) or "")
        if not text.strip() or marker in text.lower():
            out.append(f.label)
    return out


# ============================================================================ exports
def _markdown_text(text: str) -> str:
    """Learner's text for Markdown: no raw HTML, no links or images, line breaks kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("`", "\\`")
    return "  \n".join(text.split("\n"))


def _html_text(text: str) -> str:
    """Learner's text for HTML: escaped; lines starting with "- " become a list."""
    blocks: list[str] = []
    items: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.strip():
            blocks.append(f"<p>{html.escape(line)}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return "".join(blocks)


def _part_title(part: str) -> str:
    return _t("fiche_title" if part == FICHE else "carte_title")


def to_markdown(
    values: Mapping[str, Any],
    part: str = FICHE,
    *,
    title: str | None = None,
    author: str | None = None,
    when: _dt.date | None = None,
    default_model: bool = False,
) -> str:
    clean = check_values(values)
    heading = _part_title(part) + (f" : {title}" if title else "")
    lines = [f"# {_markdown_text(heading)}", ""]
    lines.append(f"*{_t('fiche_subtitle' if part == FICHE else 'carte_subtitle')}*")
    lines.append("")
    if default_model:
        lines += [f"> {_t('doc_default_model')}", ""]
    for f in fields_of(part):
        lines.append(f"## {f.label}")
        lines.append("")
        text = clean[f.id]
        lines.append(_markdown_text(text) if text else f"*{_t('doc_empty')}*")
        lines.append("")
    when_text = (when or _dt.date.today()).strftime("%d/%m/%Y")
    lines.append(_t("doc_date", date=when_text))
    if author:
        lines.append("")
        lines.append(_markdown_text(_t("doc_author", author=author)))
    return "\n".join(lines).rstrip() + "\n"


def section_html(values: Mapping[str, Any], part: str = FICHE, heading_level: int = 3) -> str:
    """The fields of one part as HTML sections (for a page or the final report), escaped."""
    clean = check_values(values)
    level = min(max(int(heading_level), 2), 6)
    parts = []
    for f in fields_of(part):
        text = clean[f.id]
        body = _html_text(text) if text else f'<p class="empty">{html.escape(_t("doc_empty"))}</p>'
        parts.append(f"<section><h{level}>{html.escape(f.label)}</h{level}>{body}</section>")
    return "".join(parts)


_STYLE = """
body { font-family: Marianne, "Segoe UI", Arial, sans-serif; color: #161616; max-width: 50rem;
  margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { color: #000091; font-size: 1.7rem; margin-bottom: .3rem; }
h2 { color: #000091; font-size: 1.15rem; margin: 1.4rem 0 .3rem; border-bottom: 1px solid #ccc; }
.meta { color: #3a3a3a; }
.warning { border-left: 5px solid #b34000; background: #fff4f0; padding: .4rem .8rem; }
.empty { color: #3a3a3a; font-style: italic; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  section { break-inside: avoid; } }
"""


def to_html(
    values: Mapping[str, Any],
    part: str = FICHE,
    *,
    title: str | None = None,
    author: str | None = None,
    when: _dt.date | None = None,
    default_model: bool = False,
) -> str:
    """A standalone HTML document (no script, no external file), every text escaped."""
    heading = _part_title(part) + (f" : {title}" if title else "")
    when_text = (when or _dt.date.today()).strftime("%d/%m/%Y")
    subtitle = _t("fiche_subtitle" if part == FICHE else "carte_subtitle")
    warning = (
        f'<p class="warning">{html.escape(_t("doc_default_model"))}</p>' if default_model else ""
    )
    author_line = (
        f'<p class="meta">{html.escape(_t("doc_author", author=author))}</p>' if author else ""
    )
    body = section_html(values, part, heading_level=2)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(heading)}</h1>\n"
        f'<p class="meta">{html.escape(subtitle)}</p>\n{warning}\n{body}\n'
        f'<p class="meta">{html.escape(_t("doc_date", date=when_text))}</p>{author_line}\n'
        "</main>\n</body>\n</html>\n"
    )


def export_filename(part: str, title: str | None, extension: str) -> str:
    import unicodedata

    base = "fiche-transparence" if part == FICHE else "carte-modele"
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"{base}-{slug or 'projet'}.{extension}"
