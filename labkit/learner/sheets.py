"""The learner's transparency sheet and final report: what the workspace knows, gathered once.

:func:`gather_facts` reads the workspace (canvas, dataset, recipe, model and its held-out rows,
risks, use case) into a :class:`labkit.use.facts.ProjectFacts`; :func:`save_transparency` and
:func:`load_transparency` keep the sheet under the workspace key ``transparency``;
:func:`project_report` gives :func:`labkit.use.report.build_report` everything it renders.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from labkit import messages
from labkit.course import canvas
from labkit.data import datapackage, selection
from labkit.errors import DatalabError
from labkit.learner import chain, course, preparation, usecase
from labkit.learner import model as saved_model
from labkit.learner.course import load_project
from labkit.learner.project import dataset_identity, is_example_project
from labkit.plots.usecase import cost_figure
from labkit.prepare import quality
from labkit.settings import load_settings
from labkit.use import facts as pf
from labkit.use import report, transparency
from labkit.use.facts import ProjectFacts
from labkit.use.threshold import context_threshold

KEY = "transparency"
FORMAT_VERSION = 1


# ============================================================================ the facts
def gather_facts(workspace, context=None) -> ProjectFacts:
    """Collect the facts of the learner's project. A piece that cannot be computed is left empty
    and named in :attr:`ProjectFacts.problems`; nothing here raises for a missing module."""
    context = context or usecase.load_context(workspace)
    trained, meta = context.trained, context.meta
    problems: list[str] = []
    summary = course.canvas_summary(workspace)
    values = {f["id"]: f["value"] for f in summary["fields"]}
    # The running example's framing stands in only in the example project: an own project never
    # shows its story (its empty fields say so, and point to module 02).
    example = canvas.example_values() if is_example_project(workspace) else {}
    title = values.get("titre") or (example.get("titre") if context.is_default else None)
    title = title or _project_title(workspace) or trained.target
    try:
        risk_info = course.risk_summary(workspace)
    except DatalabError as exc:
        risk_info = {"saved": False, "checklist": [], "reasons": [], "to_check": []}
        problems.append(exc.message)
    steps = list(getattr(context.recipe, "steps", []) or [])
    recipe_is_default = (
        not context.is_default
        and not trained.recipe
        and workspace.load(preparation.RECIPE_KEY, None) is None
    )
    dataset = _dataset_facts(workspace, context)
    test, holdout_note = context.holdout()
    evaluation = fairness_audit = None
    importance_rows: list[dict] = []
    sentences: list[str] = []
    fairness_problem = None
    if test is not None and len(test):
        try:
            evaluation = pf.evaluate(trained, test)
        except DatalabError as exc:
            problems.append(exc.message)
        try:
            importance, sentences = pf.importance(trained, test)
            importance_rows = importance.to_dict("records")
        except DatalabError as exc:
            problems.append(exc.message)
        try:
            groups = dataset.get("group_columns") or []
            fairness_audit = pf.fairness_audit(trained, meta, groups, test)
        except DatalabError as exc:
            fairness_problem = exc.message
    else:
        fairness_problem = holdout_note
    usecase_values = usecase.load_usecase(workspace)
    threshold = None
    if usecase_values.get("threshold") is not None and context.is_binary:
        try:
            analysis = context_threshold(
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
        model=pf.model_summary(trained, meta),
        is_default=context.is_default,
        notice=context.notice,
        recipe_steps=[s.title() for s in steps],
        recipe_is_default=recipe_is_default,
        personal_removed=[c for s in steps if s.action == "remove_personal" for c in s.columns],
        personal_pseudonymised=[c for s in steps if s.action == "pseudonymise" for c in s.columns],
        evaluation=evaluation,
        holdout_note=holdout_note,
        importance=importance_rows,
        importance_sentences=sentences,
        rules=pf.rules(trained),
        formula=pf.formula(trained),
        fairness=fairness_audit,
        fairness_problem=fairness_problem,
        risk=risk_info,
        usecase=usecase_values,
        threshold=threshold,
        comparison=pf.comparison(meta),
        metric=trained.metric,
        problems=problems,
        context=context,
        canvas_example=example,
        canvas_missing=canvas.missing_fields(values) if summary.get("saved") else [],
    )


def _project_title(workspace) -> str | None:
    try:
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
        if context.is_default:
            dataset = datapackage.load_dataset(load_settings().running_example.dataset)
            frame, choice_name = dataset.table, dataset.title
        else:
            choice, frame, _schema = chain.raw_table(workspace)
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


# ============================================================================ the sheet
def save_transparency(workspace, values: Mapping[str, Any]) -> dict[str, str]:
    """Check and save the sheet and the card (key ``transparency``); returns what was saved."""
    clean = transparency.check_values(values)
    workspace.save(
        KEY,
        {
            "version": FORMAT_VERSION,
            "fields": clean,
            "saved_at": _dt.datetime.now().isoformat(timespec="seconds"),
            # What it was written about: the report says when these changed since.
            "model_saved": (saved_model.load_metadata(workspace) or {}).get("saved"),
            "dataset": dataset_identity(workspace.load("dataset", None)),
        },
    )
    return clean


def transparency_stale(workspace) -> str | None:
    """Why the saved sheet is out of date (the model trained again, or the project's data
    replaced, since it was saved), in French; ``None`` when it is current or not saved."""
    stored = workspace.load(KEY, None) if workspace is not None else None
    if not isinstance(stored, Mapping) or "model_saved" not in stored:
        return None  # not saved, or saved before this was recorded: nothing to compare
    when = str(stored.get("saved_at") or "")[:10]
    when = ".".join(reversed(when.split("-"))).replace(".", "/") if when else "—"
    if stored.get("dataset") != dataset_identity(workspace.load("dataset", None)):
        return messages.text("report.sheet_stale_data", when=when)
    if stored.get("model_saved") != (saved_model.load_metadata(workspace) or {}).get("saved"):
        return messages.text("report.sheet_stale_model", when=when)
    return None


def load_transparency(workspace) -> dict[str, str] | None:
    """The saved fields (every field present, damaged values dropped), or ``None``."""
    stored = workspace.load(KEY, None) if workspace is not None else None
    if not isinstance(stored, Mapping):
        return None
    raw = stored.get("fields") if isinstance(stored.get("fields"), Mapping) else {}
    return transparency.lenient_values(raw)


def current_values(workspace, facts: ProjectFacts | None = None) -> tuple[dict[str, str], bool]:
    """(values, saved): the learner's saved sheet, else a draft generated from the workspace."""
    saved = load_transparency(workspace)
    if saved is not None:
        return saved, True
    facts = facts or gather_facts(workspace)
    return transparency.generate(facts), False


# ============================================================================ the report
def quality_facts(workspace, facts: ProjectFacts, summary: Mapping | None = None):
    """(quality summary, when) for the report's data section: the summary given, else the one
    module 04 saved after the current recipe, else the raw table assessed now (``when`` is
    ``"after"`` or ``"before"`` cleaning). A :class:`DatalabError` is returned, not raised."""
    if summary is not None:
        return summary, "after"
    if not facts.is_default:
        stored = preparation.saved_quality(workspace)
        if stored is not None and "score" in stored:
            return stored, "after"  # saved by module 04, after the current recipe
    try:
        frame, target = _raw_table(workspace, facts)
        report = quality.assess(frame, target=target if target in frame.columns else None)
    except DatalabError as exc:
        return exc, "before"
    return {**quality.summary(report), "scores": report.scores}, "before"


def _raw_table(workspace, facts: ProjectFacts):
    """The table the project starts from (before cleaning) and its target."""
    if facts.is_default:
        frame, target, _schema = chain.running_example()
        return frame, target
    choice, frame, _schema = chain.raw_table(workspace)
    return frame, choice.target or facts.model["target"]


def project_report(
    workspace,
    facts: ProjectFacts | None = None,
    *,
    interactive: bool = False,
    when: _dt.date | None = None,
    quality_summary: Mapping | None = None,
) -> str:
    """The learner's final report as one self-contained HTML document."""
    facts = facts or gather_facts(workspace)
    quality, quality_when = quality_facts(workspace, facts, quality_summary)
    saved = load_transparency(workspace)
    return report.build_report(
        facts,
        sheet=saved if saved is not None else transparency.generate(facts),
        sheet_saved=saved is not None,
        sheet_stale=transparency_stale(workspace) if saved is not None else None,
        quality=quality,
        quality_when=quality_when,
        interactive=interactive,
        when=when,
        cost_figure=cost_figure,
    )
