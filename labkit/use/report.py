"""The final report of the project (module 06).

:func:`build_report` writes ONE self-contained HTML document from the project's facts
(:class:`labkit.use.facts.ProjectFacts`): the canvas, the data and their quality, the recipe, the
models compared, the chosen model and its results on held-out rows, what it learnt, the bias
audit, the decision threshold, risks, the fiche de transparence, the model card and the next
steps. It works offline (no external script, style or font; charts are inline SVG, or plotly with
its library embedded once when ``interactive=True``), prints well (a print style sheet) and
escapes every text a person typed (templates ``report*.j2`` of ``labkit/use/templates``, rendered
with autoescape). :func:`labkit.learner.sheets.project_report` gathers what it needs from the
learner's workspace.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from labkit import messages
from labkit.errors import DatalabError
from labkit.use import pages, transparency
from labkit.use.charts import Charts
from labkit.use.facts import ProjectFacts

SECTIONS = (
    ("canvas", "section_canvas"),
    ("donnees", "section_data"),
    ("recette", "section_recipe"),
    ("modeles", "section_models"),
    ("modele", "section_model"),
    ("explications", "section_explanations"),
    ("biais", "section_fairness"),
    ("seuil", "section_decision"),
    ("risques", "section_risks"),
    ("transparence", "section_transparency"),
    ("carte", "section_card"),
    ("suite", "section_next"),
)


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"report.{key}", **fields)


def _number(value: float, digits: int = 3) -> str:
    from labkit.model.learning import number

    return number(value, digits)


def _lines(text: Any, skip_blank: bool = False) -> list[str]:
    return [line for line in str(text).split("\n") if line.strip() or not skip_blank]


def build_report(
    facts: ProjectFacts,
    *,
    sheet: Mapping[str, str],
    sheet_saved: bool,
    sheet_stale: str | None = None,
    quality: Mapping | DatalabError,
    quality_when: str = "after",
    interactive: bool = False,
    when: _dt.date | None = None,
    cost_figure: Callable | None = None,
) -> str:
    """The final report as one self-contained HTML document (see the module docstring).

    ``sheet`` is the transparency sheet (``sheet_saved`` when the learner saved it, else a
    draft; ``sheet_stale`` says why a saved one is out of date); ``quality`` the data-quality summary measured ``quality_when`` (``"before"`` or
    ``"after"``) cleaning, or the error that prevented it; ``cost_figure(analysis, chosen)`` the
    plotly cost curve of an interactive report."""
    charts = Charts(interactive, cost_figure)
    date = (when or _dt.date.today()).strftime("%d/%m/%Y")
    sections = pages.environment().get_template("report_sections.html.j2").module
    body = {
        "canvas": sections.canvas(_canvas_view(facts)),
        "donnees": sections.data(_data_view(facts, charts, quality, quality_when)),
        "recette": sections.recipe(
            {"steps": facts.recipe_steps, "is_default": facts.recipe_is_default}
        ),
        "modeles": sections.models(_models_view(facts, charts)),
        "modele": sections.model(_model_view(facts)),
        "explications": sections.explanations(_explanations_view(facts, charts)),
        "biais": sections.fairness(_fairness_view(facts, charts)),
        "seuil": sections.decision(_decision_view(facts, charts)),
        "risques": sections.risks(_risk_view(facts.risk)),
        "transparence": sections.sheet(
            _sheet_view(sheet, sheet_saved, transparency.FICHE, sheet_stale)
        ),
        "carte": sections.sheet(_sheet_view(sheet, sheet_saved, transparency.CARTE, sheet_stale)),
        "suite": sections.next_steps(
            {"lines": _lines(facts.usecase.get("next_steps") or _t("next_steps_default"), True)}
        ),
    }
    return str(
        pages.render(
            "report.html.j2",
            title=_t("report_title", title=facts.title),
            author=facts.author,
            date=date,
            notice=facts.notice,  # the stand-in model, or a model trained on replaced data
            sections=SECTIONS,
            body=body,
        )
        + "\n"
    )


def _canvas_view(facts: ProjectFacts) -> dict:
    summary = facts.canvas
    fields = summary["fields"]
    intro = None
    if not summary.get("saved"):
        if facts.is_default:
            fields = [{**f, "value": facts.canvas_example.get(f["id"], "")} for f in fields]
        intro = _t("canvas_missing")
    elif not summary.get("complete"):
        intro = _t("canvas_incomplete", count=len(facts.canvas_missing))
    return {
        "intro": intro,
        "fields": [
            {"label": f["label"], "lines": _lines(f["value"]) if f["value"] else []} for f in fields
        ],
    }


def _data_view(facts: ProjectFacts, charts: Charts, summary, when: str) -> dict:
    from labkit.prepare import quality

    dataset = facts.dataset
    intro = []
    if dataset.get("name"):
        rows, columns = dataset.get("rows") or "—", dataset.get("columns") or "—"
        intro.append(_t("data_intro", name=dataset["name"], rows=rows, columns=columns))
    if dataset.get("producer") or dataset.get("licence"):
        producer, licence = dataset.get("producer") or "—", dataset.get("licence") or "—"
        intro.append(_t("data_producer", producer=producer, licence=licence))
    view: dict[str, Any] = {"intro": intro, "description": dataset.get("description")}
    if isinstance(summary, DatalabError):
        view["unavailable"] = _t("data_unavailable", reason=summary.message)
        return view
    scores = summary.get("scores") or {}
    dims = [
        (quality.dimension_label(d), v) for d, v in scores.items() if isinstance(v, (int, float))
    ]
    findings = [
        f.get("message", "") for f in summary.get("findings") or [] if isinstance(f, Mapping)
    ]
    return {
        **view,
        "unavailable": None,
        "score": _t("data_score", score=summary.get("score", "—")),
        "when": _t(f"data_score_{when}"),
        "chart": charts.bars(
            _t("quality_chart_title"),
            [d for d, _ in dims],
            [float(v) for _, v in dims],
            [_number(v, 3) for _, v in dims],
        ),
        "findings": findings[:10],
    }


def _score_text(value: Any, metric: str) -> str:
    from labkit.model.learning import format_score

    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return format_score(float(value), metric)


def _models_view(facts: ProjectFacts, charts: Charts) -> dict | None:
    from labkit.model.learning import metric_label

    rows = facts.comparison
    if not rows:
        return None
    metric = facts.metric
    ranked = sorted((r for r in rows if not r["baseline"]), key=lambda r: -float(r["score"]))
    ordered = [r for r in rows if r["baseline"]] + ranked
    names = [
        str(r.get("name") or r.get("key")) + (f" {_t('models_baseline')}" if r["baseline"] else "")
        for r in ordered
    ]
    scale = 100 if metric == "accuracy" else 1
    return {
        "intro": _t("models_intro", metric=metric_label(metric)),
        "rows": [
            [n, _score_text(r.get("score"), metric), _score_text(r.get("std"), metric)]
            for n, r in zip(names, ordered, strict=True)
        ],
        "head": [_t("models_col_model"), _t("models_col_score"), _t("models_col_std")],
        "verdict": _baseline_verdict(ordered, metric),
        "chart": charts.bars(
            _t("models_chart_title"),
            names,
            [float(r.get("score") or 0) * scale for r in ordered],
            [_score_text(r.get("score"), metric) for r in ordered],
        ),
    }


def _baseline_verdict(rows: Sequence[Mapping], metric: str) -> str:
    """What module 05 said of the comparison (:meth:`labkit.model.learning.Comparison.summary`, same
    rule): the best model clearly beats the naive baseline, or no model does."""
    from labkit.model.learning import format_score

    def score(row: Mapping, name: str) -> float | None:
        value = row.get(name)
        ok = isinstance(value, (int, float)) and math.isfinite(value)
        return float(value) if ok else None

    baseline = next((r for r in rows if r["baseline"]), None)
    models = [r for r in rows if not r["baseline"] and score(r, "score") is not None]
    if baseline is None or score(baseline, "score") is None or not models:
        return ""
    best = max(models, key=lambda r: score(r, "score"))
    margin = max(0.02, score(best, "std") or 0.0, score(baseline, "std") or 0.0)
    if score(best, "score") - score(baseline, "score") > margin:
        return messages.text(
            "learning.best_beats_baseline",
            name=str(best.get("name") or best.get("key")),
            score=format_score(score(best, "score"), metric),
            std=format_score(score(best, "std") or 0.0, metric),
            baseline=format_score(score(baseline, "score"), metric),
        )
    return messages.text(
        "learning.best_no_better", baseline=format_score(score(baseline, "score"), metric)
    )


def _model_view(facts: ProjectFacts) -> dict:
    model, evaluation = facts.model, facts.evaluation
    matrix = None
    if evaluation and evaluation.get("kind") == "classification":
        labels = evaluation["labels"]
        matrix = {
            "rows": [
                [_t("matrix_actual", label=label), *[str(v) for v in values]]
                for label, values in zip(labels, evaluation["matrix"], strict=True)
            ],
            "head": [_t("matrix_corner")] + [_t("matrix_predicted", label=lb) for lb in labels],
        }
    return {
        "intro": _t(
            "model_intro",
            name=model["name"],
            target=model["target"],
            task=_t(f"task_{model['task']}"),
            count=len(model["features"]),
            columns=", ".join(f"« {c} »" for c in model["features"]),
        ),
        "holdout_note": facts.holdout_note,
        "evaluation": evaluation,
        "matrix": matrix,
    }


def _explanations_view(facts: ProjectFacts, charts: Charts) -> dict:
    chart = None
    if facts.importance:
        shown = facts.importance[:12]
        scale = 100 if facts.metric == "accuracy" else 1
        chart = charts.bars(
            _t("importance_chart_title"),
            [str(r["column"]) for r in shown],
            [float(r["importance"]) * scale for r in shown],
            [_number(float(r["importance"]) * scale, 2) for r in shown],
        )
    unavailable = None
    if not (facts.importance or facts.rules or facts.formula):
        unavailable = "; ".join(facts.problems) or facts.holdout_note or "—"
    return {
        "chart": chart,
        "sentences": facts.importance_sentences,
        "rules": facts.rules,
        "formula": facts.formula,
        "unavailable": unavailable,
    }


def _fairness_view(facts: ProjectFacts, charts: Charts) -> dict:
    audit = facts.fairness
    if audit is None:
        return {"none": facts.fairness_problem or "—"}
    from labkit.model.fairness import RATE_METRICS
    from labkit.model.learning import number, percent

    keys = list(audit.metrics)
    rows = []
    for position, group in enumerate(audit.by_group.index):
        row = [str(group), str(int(audit.by_group.iloc[position]["count"]))]
        for key in keys:
            value = audit.by_group.iloc[position][key]
            if value != value:  # NaN
                row.append("—")
            else:
                row.append(percent(value) if key in RATE_METRICS else number(value, 3))
        rows.append(row)
    chart = Markup("")
    if "error" in keys:
        values = [float(v) for v in audit.by_group["error"]]
        chart = charts.bars(
            _t("fairness_chart_title", column=audit.column),
            [str(g) for g in audit.by_group.index],
            [100 * v if v == v else 0.0 for v in values],
            [percent(v) if v == v else "—" for v in values],
        )
    columns = audit.table.columns
    return {
        "none": None,
        "rows": rows,
        "head": [str(columns[0]), str(columns[1]), *[audit.metrics[k] for k in keys]],
        "column": audit.column,
        "chart": chart,
        "gaps": [g.text for g in audit.gaps],
        "readings": [*audit.readings, *audit.notes],
        "caution": audit.caution,
    }


def _decision_view(facts: ProjectFacts, charts: Charts) -> dict:
    values = facts.usecase
    threshold = facts.threshold
    trained = getattr(getattr(facts, "context", None), "trained", None)
    if trained is not None and (not trained.is_classification or len(trained.classes) != 2):
        what = (
            messages.text("usecase.threshold_regression")
            if not trained.is_classification
            else messages.text("usecase.threshold_multiclass", count=len(trained.classes))
        )
        return {"not_binary": what}
    if threshold is None:
        return {"not_binary": None, "none": True}
    analysis = threshold["analysis"]
    chosen = threshold["threshold"]
    labels = analysis.labels()
    return {
        "not_binary": None,
        "none": False,
        "costs": _t(
            "decision_costs",
            cost_fp=_number(values["cost_fp"], 6),
            cost_fn=_number(values["cost_fn"], 6),
        ),
        "counts": analysis.counts_text(chosen),
        "rows": [[labels[k], str(threshold[k])] for k in ("tp", "fp", "fn", "tn")],
        "head": [_t("decision_col_case"), _t("decision_col_count", threshold=_number(chosen, 2))],
        "chart": charts.cost_curve(analysis, chosen),
        "texts": analysis.texts(),
    }


def _risk_view(risk: Mapping) -> dict:
    return {
        "saved": bool(risk.get("saved")),
        "level_name": risk.get("level_name", ""),
        "level_summary": risk.get("level_summary"),
        "reasons": risk.get("reasons"),
        "to_check": risk.get("to_check"),
        "checklist": [
            {
                "title": item.get("title", ""),
                "lines": _lines(item["note"]) if item.get("note") else [],
            }
            for item in risk.get("checklist") or []
        ],
    }


def _sheet_view(sheet: Mapping[str, str], saved: bool, part: str, stale: str | None) -> dict:
    html = transparency.section_html(sheet, part, heading_level=3)
    return {"saved": saved, "stale": stale, "html": Markup(html)}  # escaped by its own template
