"""The final report of the project, and the export bundle (module 06).

:func:`build_report` writes ONE self-contained HTML document: the canvas, the data and their
quality, the recipe, the models compared, the chosen model and its results on held-out rows, what
it learnt, the bias audit, the decision threshold, risks, the fiche de transparence, the model card
and the next steps. It works offline (no external script, style or font; charts are inline SVG,
or plotly with its library embedded once when ``interactive=True``), prints well (a print style
sheet) and escapes every text a person typed.

:func:`export_bundle` packs the learner's work into a ZIP — the model (skops), its metadata, the
recipe, the report, the canvas and the transparency sheet — with a manifest giving the SHA-256 of
each file. :func:`import_bundle` reloads it into another workspace after checking everything
first: only known file names (no folder, no path), every file listed in the manifest and matching
its hash, the model made only of trusted types, each JSON document valid. Anything wrong and
nothing is loaded. The manifest detects damage and careless edits; it is not a signature (anyone
can recompute the hashes), which is why the model's types are checked whatever the manifest says.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labkit import messages
from labkit.errors import DatalabError

BUNDLE_FORMAT = "datalab-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
BUNDLE_FILES = (
    "model.skops",
    "training.json",
    "recipe.json",
    "report.html",
    "canvas.json",
    "transparency.json",
)
REQUIRED_FILES = ("model.skops", "training.json", "recipe.json")
BUNDLE_MAX_BYTES = 100 * 1024 * 1024
IMPORTED_REPORT = "rapport-importe.html"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

BLUE, ORANGE, DARK, GRID = "#1f5fad", "#b34d00", "#161616", "#d9d9d9"


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"report.{key}", **fields)


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{esc(line)}</p>" for line in str(text).split("\n") if line.strip())


def _list(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    return f"<ul>{''.join(f'<li>{esc(i)}</li>' for i in items)}</ul>" if items else ""


def _table(rows: Sequence[Sequence[Any]], head: Sequence[str], caption: str = "") -> str:
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    header = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{esc(c)}</th>' if i == 0 else f"<td>{esc(c)}</td>")
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>{cap}<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


# ============================================================================ charts
class _Charts:
    """Charts of one report: inline SVG, or plotly (its library embedded in the first one)."""

    def __init__(self, interactive: bool):
        self.interactive = interactive
        self.count = 0

    def _plotly(self, figure) -> str:
        import plotly.io as pio

        first = self.count == 0
        self.count += 1
        return (
            '<div class="chart">'
            + pio.to_html(
                figure,
                include_plotlyjs=first,
                full_html=False,
                config={"displaylogo": False, "responsive": True},
            )
            + "</div>"
        )

    def bars(
        self, title: str, labels: Sequence[str], values: Sequence[float], texts: Sequence[str]
    ) -> str:
        if not labels:
            return ""
        if self.interactive:
            import plotly.graph_objects as go

            figure = go.Figure(
                go.Bar(
                    x=list(values)[::-1],
                    y=list(labels)[::-1],
                    orientation="h",
                    text=list(texts)[::-1],
                    textposition="outside",
                    marker={"color": BLUE},
                ),
                layout={
                    "title": {"text": title},
                    "height": 120 + 34 * len(labels),
                    "margin": {"l": 220, "r": 60, "t": 60, "b": 40},
                    "plot_bgcolor": "#ffffff",
                    "showlegend": False,
                },
            )
            return self._plotly(figure)
        self.count += 1
        return svg_bars(title, labels, values, texts, chart_id=f"chart-{self.count}")

    def figure_or_svg(self, figure_builder, svg_builder) -> str:
        if self.interactive:
            return self._plotly(figure_builder())
        self.count += 1
        return svg_builder(f"chart-{self.count}")


def svg_bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str],
    *,
    chart_id: str = "chart",
    width: int = 680,
) -> str:
    """Horizontal bars with their value written at the end (accessible inline SVG)."""
    row, left, top = 30, 230, 34
    height = top + row * len(labels) + 10
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    high = max([*finite, 0.0]) or 1.0
    room = width - left - 90
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t" width="100%"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="{DARK}">{esc(title)}</text>',
    ]
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = top + i * row
        size = 0.0
        if isinstance(value, (int, float)) and math.isfinite(value):
            size = max(value, 0.0) / high * room
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 19}" font-size="13" text-anchor="end"'
            f' fill="{DARK}">{esc(short)}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{size:.1f}" height="{row - 10}" fill="{BLUE}"/>'
            f'<text x="{left + size + 6:.1f}" y="{y + 19}" font-size="13"'
            f' fill="{DARK}">{esc(text)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 10}" stroke="{DARK}"/></svg>'
    )
    return "".join(parts)


def svg_cost_curve(analysis, chosen: float | None, *, chart_id: str = "chart") -> str:
    """The total cost of errors along the threshold, the cheapest point and the chosen one."""
    width, height = 680, 320
    left, right, top, bottom = 70, 20, 40, 50
    table = analysis.table
    xs, ys = table["threshold"].tolist(), table["cost"].tolist()
    high = max(max(ys), 1.0)

    def px(x: float) -> float:
        return left + x * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - y / high * (height - top - bottom)

    title = _t("cost_chart_title")
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t" width="100%"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="{DARK}">{esc(title)}</text>',
    ]
    for k in range(5):
        x = k / 4
        parts.append(
            f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{height - bottom}"'
            f' stroke="{GRID}"/><text x="{px(x):.1f}" y="{height - bottom + 18}" font-size="12"'
            f' text-anchor="middle" fill="{DARK}">{esc(_number(x, 2))}</text>'
        )
        y = high * k / 4
        parts.append(
            f'<text x="{left - 6}" y="{py(y) + 4:.1f}" font-size="12" text-anchor="end"'
            f' fill="{DARK}">{esc(_number(y, 3))}</text>'
        )
    points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
    best = analysis.best_counts
    bx, by = px(analysis.best), py(best["cost"])
    parts.append(
        f'<path d="M{bx:.1f},{by - 8:.1f} L{bx + 8:.1f},{by:.1f} L{bx:.1f},{by + 8:.1f}'
        f' L{bx - 8:.1f},{by:.1f} Z" fill="{DARK}"/>'
        f'<text x="{bx:.1f}" y="{by - 12:.1f}" font-size="12" text-anchor="middle"'
        f' fill="{DARK}">{esc(messages.text("usecase.plot_best", threshold=_number(analysis.best, 2)))}</text>'
    )
    if chosen is not None:
        cx = px(chosen)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{top}" x2="{cx:.1f}" y2="{height - bottom}"'
            f' stroke="{ORANGE}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{cx + 4:.1f}" y="{top + 12}" font-size="12" fill="{DARK}">'
            f"{esc(messages.text('usecase.plot_chosen', threshold=_number(chosen, 2)))}</text>"
        )
    parts.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 8}" font-size="13"'
        f' text-anchor="middle" fill="{DARK}">{esc(_t("cost_chart_x"))}</text></svg>'
    )
    return "".join(parts)


def _number(value: float, digits: int = 3) -> str:
    from labkit.model.learning import number

    return number(value, digits)


# ============================================================================ the report
_STYLE = """
:root { color-scheme: light; }
body { font-family: Marianne, "Segoe UI", Arial, sans-serif; color: #161616; background: #fff;
  max-width: 56rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { color: #000091; font-size: 1.8rem; margin-bottom: .3rem; }
h2 { color: #000091; font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #000091; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.meta { color: #3a3a3a; margin: .1rem 0; }
.warning { border-left: 5px solid #b34000; background: #fff4f0; padding: .5rem .9rem; }
.note { border-left: 5px solid #0063cb; background: #e8edff; padding: .5rem .9rem; }
.empty { color: #3a3a3a; font-style: italic; }
table { border-collapse: collapse; margin: .6rem 0; }
caption { text-align: left; font-weight: bold; margin-bottom: .3rem; }
th, td { border: 1px solid #929292; padding: .25rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eeeeee; }
dl dt { font-weight: bold; margin-top: .6rem; }
dl dd { margin-left: 1rem; }
svg.chart { max-width: 42rem; display: block; margin: .8rem 0; }
nav ul.toc { columns: 2; list-style: none; padding-left: 0; }
a { color: #000091; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  nav { display: none; }
  h2 { break-before: page; break-after: avoid; }
  section:first-of-type h2 { break-before: auto; }
  table, svg, .chart, dl { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .noprint { display: none; }
}
"""

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


def build_report(
    workspace,
    facts=None,
    *,
    interactive: bool = False,
    when: _dt.date | None = None,
    quality_summary: Mapping | None = None,
) -> str:
    """The final report as one self-contained HTML document (see the module docstring)."""
    from labkit.use import transparency

    facts = facts or transparency.gather_facts(workspace)
    charts = _Charts(interactive)
    when = when or _dt.date.today()
    body = {
        "canvas": _canvas_section(facts),
        "donnees": _data_section(workspace, facts, charts, quality_summary),
        "recette": _recipe_section(facts),
        "modeles": _models_section(facts, charts),
        "modele": _model_section(facts),
        "explications": _explanations_section(facts, charts),
        "biais": _fairness_section(facts, charts),
        "seuil": _decision_section(facts, charts),
        "risques": _risk_section(facts),
        "transparence": _sheet_section(workspace, facts, transparency.FICHE),
        "carte": _sheet_section(workspace, facts, transparency.CARTE),
        "suite": _next_section(facts),
    }
    title = _t("report_title", title=facts.title)
    toc = "".join(f'<li><a href="#{anchor}">{esc(_t(key))}</a></li>' for anchor, key in SECTIONS)
    sections = "".join(
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
        f'<h2 id="{anchor}-h">{esc(_t(key))}</h2>{body[anchor]}</section>'
        for anchor, key in SECTIONS
    )
    notice = ""
    if facts.is_default:
        notice = f'<p class="warning">{esc(facts.notice)}</p>'
    author = (
        f'<p class="meta">{esc(_t("doc_author", author=facts.author))}</p>' if facts.author else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1>"
        f'<p class="meta">{esc(_t("report_subtitle"))}</p>{author}'
        f'<p class="meta">{esc(_t("doc_date", date=when.strftime("%d/%m/%Y")))}</p>'
        f'<p class="meta noprint">{esc(_t("print_hint"))}</p>{notice}</header>\n'
        f'<nav aria-label="{esc(_t("report_toc"))}"><h2>{esc(_t("report_toc"))}</h2>'
        f'<ul class="toc">{toc}</ul></nav>\n<main>{sections}</main>\n'
        f'<footer><p class="meta">{esc(_t("report_footer", date=when.strftime("%d/%m/%Y")))}'
        "</p></footer>\n</body>\n</html>\n"
    )


def _text_block(text: str) -> str:
    lines = [line for line in str(text).split("\n")]
    return "<br>".join(esc(line) for line in lines)


def _canvas_section(facts) -> str:
    from labkit.course import canvas

    summary = facts.canvas
    fields = summary["fields"]
    intro = ""
    if not summary.get("saved"):
        if facts.is_default:
            examples = canvas.example_values()
            fields = [{**f, "value": examples.get(f["id"], "")} for f in fields]
        intro = f'<p class="note">{esc(_t("canvas_missing"))}</p>'
    elif not summary.get("complete"):
        missing = canvas.missing_fields({f["id"]: f["value"] for f in fields})
        intro = f'<p class="note">{esc(_t("canvas_incomplete", count=len(missing)))}</p>'
    items = "".join(
        f"<dt>{esc(f['label'])}</dt><dd>"
        + (
            _text_block(f["value"])
            if f["value"]
            else f'<span class="empty">{esc(_t("doc_empty"))}</span>'
        )
        + "</dd>"
        for f in fields
    )
    return f"{intro}<dl>{items}</dl>"


def _data_section(workspace, facts, charts: _Charts, quality_summary) -> str:
    from labkit.prepare import quality

    dataset = facts.dataset
    parts = []
    if dataset.get("name"):
        parts.append(
            f"<p>{esc(_t('data_intro', name=dataset['name'], rows=dataset.get('rows') or '—', columns=dataset.get('columns') or '—'))}</p>"
        )
    if dataset.get("producer") or dataset.get("licence"):
        parts.append(
            f"<p>{esc(_t('data_producer', producer=dataset.get('producer') or '—', licence=dataset.get('licence') or '—'))}</p>"
        )
    if dataset.get("description"):
        parts.append(f'<p class="meta">{esc(dataset["description"])}</p>')
    summary = quality_summary
    when = "data_score_after"
    if summary is None and not facts.is_default:
        stored = workspace.load("quality", None)
        if isinstance(stored, Mapping) and "score" in stored:
            summary = stored  # saved by module 04, after the current recipe
    try:
        if summary is None:
            frame, target = _raw_table(workspace, facts)
            report = quality.assess(frame, target=target if target in frame.columns else None)
            summary = {**quality.summary(report), "scores": report.scores}
            when = "data_score_before"
    except DatalabError as exc:
        parts.append(f'<p class="note">{esc(_t("data_unavailable", reason=exc.message))}</p>')
        return "".join(parts)
    score = _t("data_score", score=summary.get("score", "—"))
    parts.append(f"<p><strong>{esc(score)}</strong> {esc(_t(when))}</p>")
    scores = summary.get("scores") or {}
    dims = [
        (quality.dimension_label(d), v) for d, v in scores.items() if isinstance(v, (int, float))
    ]
    if dims:
        parts.append(
            charts.bars(
                _t("quality_chart_title"),
                [d for d, _ in dims],
                [float(v) for _, v in dims],
                [_number(v, 3) for _, v in dims],
            )
        )
    findings = [
        f.get("message", "") for f in summary.get("findings") or [] if isinstance(f, Mapping)
    ]
    if findings:
        parts.append(f"<p>{esc(_t('data_findings'))}</p>{_list(findings[:10])}")
    else:
        parts.append(f"<p>{esc(_t('data_no_findings'))}</p>")
    return "".join(parts)


def _raw_table(workspace, facts):
    """The table the project starts from (before cleaning) and its target."""
    from labkit.prepare import quality

    if facts.is_default:
        frame, target, _schema = quality.running_example()
        return frame, target
    frame, target, _schema = quality.chosen_table(workspace)
    return frame, target or facts.model["target"]


def _recipe_section(facts) -> str:
    if not facts.recipe_steps:
        return f"<p>{esc(_t('recipe_empty'))}</p>"
    note = f'<p class="note">{esc(_t("recipe_default"))}</p>' if facts.recipe_is_default else ""
    steps = "".join(f"<li>{esc(s)}</li>" for s in facts.recipe_steps)
    return f"{note}<p>{esc(_t('recipe_intro', count=len(facts.recipe_steps)))}</p><ol>{steps}</ol>"


def _score_text(value: Any, metric: str) -> str:
    from labkit.model.learning import format_score

    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return format_score(float(value), metric)


def _models_section(facts, charts: _Charts) -> str:
    from labkit.model.learning import metric_label

    rows = facts.comparison
    if not rows:
        return f"<p>{esc(_t('models_none'))}</p>"
    metric = facts.metric
    ranked = sorted((r for r in rows if not r["baseline"]), key=lambda r: -float(r["score"]))
    ordered = [r for r in rows if r["baseline"]] + ranked
    names = [
        str(r.get("name") or r.get("key")) + (f" {_t('models_baseline')}" if r["baseline"] else "")
        for r in ordered
    ]
    table = _table(
        [
            [n, _score_text(r.get("score"), metric), _score_text(r.get("std"), metric)]
            for n, r in zip(names, ordered, strict=True)
        ],
        [_t("models_col_model"), _t("models_col_score"), _t("models_col_std")],
    )
    scale = 100 if metric == "accuracy" else 1
    chart = charts.bars(
        _t("models_chart_title"),
        names,
        [float(r.get("score") or 0) * scale for r in ordered],
        [_score_text(r.get("score"), metric) for r in ordered],
    )
    verdict = _baseline_verdict(ordered, metric)
    verdict_html = f'<p class="note">{esc(verdict)}</p>' if verdict else ""
    return (
        f"<p>{esc(_t('models_intro', metric=metric_label(metric)))}</p>{table}{verdict_html}{chart}"
    )


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


def _model_section(facts) -> str:
    model, evaluation = facts.model, facts.evaluation
    parts = [
        "<p>"
        + esc(
            _t(
                "model_intro",
                name=model["name"],
                target=model["target"],
                task=_t(f"task_{model['task']}"),
                count=len(model["features"]),
                columns=", ".join(f"« {c} »" for c in model["features"]),
            )
        )
        + "</p>"
    ]
    if facts.holdout_note:
        parts.append(f'<p class="note">{esc(facts.holdout_note)}</p>')
    if not evaluation:
        return "".join(parts)
    parts.append(f"<p>{esc(_t('model_test', rows=evaluation['rows']))}</p>")
    parts.append(_list(evaluation.get("explanations", [])))
    if evaluation.get("kind") == "classification":
        labels = evaluation["labels"]
        rows = [
            [_t("matrix_actual", label=label), *[str(v) for v in values]]
            for label, values in zip(labels, evaluation["matrix"], strict=True)
        ]
        head = [_t("matrix_corner")] + [_t("matrix_predicted", label=label) for label in labels]
        parts.append(_table(rows, head, _t("matrix_caption")))
    return "".join(parts)


def _explanations_section(facts, charts: _Charts) -> str:
    parts = []
    if facts.importance:
        shown = facts.importance[:12]
        scale = 100 if facts.metric == "accuracy" else 1
        parts.append(f"<p>{esc(_t('explain_intro'))}</p>")
        parts.append(
            charts.bars(
                _t("importance_chart_title"),
                [str(r["column"]) for r in shown],
                [float(r["importance"]) * scale for r in shown],
                [_number(float(r["importance"]) * scale, 2) for r in shown],
            )
        )
        parts.append(_list(facts.importance_sentences))
    if facts.rules:
        parts.append(f"<h3>{esc(_t('parametres_rules_intro'))}</h3>{_list(facts.rules)}")
    elif facts.formula:
        parts.append(f"<h3>{esc(_t('parametres_formula_intro'))}</h3>{_list(facts.formula)}")
    if not parts:
        reason = "; ".join(facts.problems) or facts.holdout_note or "—"
        parts.append(f"<p>{esc(_t('explain_unavailable', reason=reason))}</p>")
    return "".join(parts)


def _fairness_section(facts, charts: _Charts) -> str:
    audit = facts.fairness
    if audit is None:
        return f"<p>{esc(_t('fairness_none', reason=facts.fairness_problem or '—'))}</p>"
    from labkit.model.fairness import RATE_METRICS
    from labkit.model.learning import number, percent

    table = audit.table
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
    head = [str(table.columns[0]), str(table.columns[1]), *[audit.metrics[k] for k in keys]]
    parts = [_table(rows, head, _t("fairness_caption", column=audit.column))]
    if "error" in keys:
        values = [float(v) for v in audit.by_group["error"]]
        parts.append(
            charts.bars(
                _t("fairness_chart_title", column=audit.column),
                [str(g) for g in audit.by_group.index],
                [100 * v if v == v else 0.0 for v in values],
                [percent(v) if v == v else "—" for v in values],
            )
        )
    parts.append(_list([g.text for g in audit.gaps]))
    parts.append(_list([*audit.readings, *audit.notes]))
    parts.append(f'<p class="note">{esc(audit.caution)}</p>')
    return "".join(parts)


def _decision_section(facts, charts: _Charts) -> str:
    values = facts.usecase
    threshold = facts.threshold
    trained = getattr(getattr(facts, "context", None), "trained", None)
    if trained is not None and (not trained.is_classification or len(trained.classes) != 2):
        what = (
            messages.text("usecase.threshold_regression")
            if not trained.is_classification
            else messages.text("usecase.threshold_multiclass", count=len(trained.classes))
        )
        return f"<p>{esc(_t('decision_not_binary', what=what))}</p>"
    if threshold is None:
        return f"<p>{esc(_t('decision_none'))}</p>"
    analysis = threshold["analysis"]
    chosen = threshold["threshold"]
    parts = [
        "<p>"
        + esc(
            _t(
                "decision_costs",
                cost_fp=_number(values["cost_fp"], 6),
                cost_fn=_number(values["cost_fn"], 6),
            )
        )
        + "</p>",
        f"<p><strong>{esc(analysis.counts_text(chosen))}</strong></p>",
    ]
    labels = analysis.labels()
    parts.append(
        _table(
            [[labels[k], str(threshold[k])] for k in ("tp", "fp", "fn", "tn")],
            [_t("decision_col_case"), _t("decision_col_count", threshold=_number(chosen, 2))],
        )
    )

    def figure():
        from labkit.plots.usecase import cost_figure

        return cost_figure(analysis, chosen)

    parts.append(
        charts.figure_or_svg(
            figure, lambda chart_id: svg_cost_curve(analysis, chosen, chart_id=chart_id)
        )
    )
    parts.append(_list(analysis.texts()))
    return "".join(parts)


def _risk_section(facts) -> str:
    risk = facts.risk
    parts = []
    if risk.get("saved"):
        parts.append(
            f"<p><strong>{esc(_t('risk_level', level=risk.get('level_name', '')))}</strong></p>"
        )
        if risk.get("level_summary"):
            parts.append(f"<p>{esc(risk['level_summary'])}</p>")
        if risk.get("reasons"):
            parts.append(f"<p>{esc(_t('risk_reasons'))}</p>{_list(risk['reasons'])}")
        if risk.get("to_check"):
            parts.append(f"<p>{esc(_t('risk_to_check'))}</p>{_list(risk['to_check'])}")
    else:
        parts.append(f"<p>{esc(_t('risk_missing'))}</p>")
    items = risk.get("checklist") or []
    if items:
        parts.append(f"<h3>{esc(_t('risk_checklist'))}</h3>")
        parts.append(
            "<dl>"
            + "".join(
                f"<dt>{esc(item.get('title', ''))}</dt><dd>"
                + (
                    _text_block(item["note"])
                    if item.get("note")
                    else f'<span class="empty">{esc(_t("risk_checklist_empty"))}</span>'
                )
                + "</dd>"
                for item in items
            )
            + "</dl>"
        )
    return "".join(parts)


def _sheet_section(workspace, facts, part: str) -> str:
    from labkit.use import transparency

    saved = transparency.load_transparency(workspace)
    values = saved if saved is not None else transparency.generate(facts)
    note = "" if saved is not None else f'<p class="note">{esc(_t("sheet_generated"))}</p>'
    return note + transparency.section_html(values, part, heading_level=3)


def _next_section(facts) -> str:
    text = facts.usecase.get("next_steps") or _t("next_steps_default")
    return _paragraphs(text)


# ============================================================================ the bundle
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    from labkit.workspace import _json_default

    return json.dumps(value, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")


def export_bundle(workspace, *, report_html: str | None = None, facts=None) -> bytes:
    """The learner's model, recipe, report, canvas and transparency sheet as a ZIP with a
    manifest (SHA-256 of each file). Needs a model saved in module 05."""
    from labkit.course import canvas
    from labkit.model import model_store
    from labkit.prepare.recipe import Recipe
    from labkit.use import transparency

    if not model_store.has_model(workspace):
        raise messages.error("report.bundle_no_model")
    model_bytes = workspace.read_file(model_store.MODEL_FILE)
    meta = model_store.load_metadata(workspace)
    if meta is None:
        raise messages.error("learning.store_metadata_missing")
    trained = model_store.from_parts(model_bytes, meta)  # never export an unsafe model
    recipe = Recipe.from_dict(trained.recipe) if trained.recipe else None
    if recipe is None:
        from labkit.prepare.recipe import load_recipe

        recipe, _is_default = load_recipe(workspace)
    if report_html is None:
        report_html = build_report(workspace, facts)
    files: dict[str, bytes] = {
        "model.skops": model_bytes,
        "training.json": _json_bytes(meta),
        "recipe.json": _json_bytes(recipe.to_dict()),
        "report.html": report_html.encode("utf-8"),
    }
    canvas_values = canvas.load_canvas(workspace)
    if canvas_values is not None:
        files["canvas.json"] = _json_bytes(canvas_values)
    sheet = transparency.load_transparency(workspace)
    if sheet is not None:
        files["transparency.json"] = _json_bytes(sheet)
    from labkit import __version__

    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "labkit_version": __version__,
        "model": {"name": trained.name, "target": trained.target},
        "files": {
            name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json_bytes(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bundle_filename(workspace) -> str:
    return f"datalab-paquet-{workspace.slug}.zip"


@dataclass
class BundleImport:
    """What an import loaded."""

    model_name: str
    target: str
    steps: int
    loaded: list[str]

    @property
    def message(self) -> str:
        extras = "".join(
            _t("bundle_imported_extra", what=_t(f"bundle_what_{name}"))
            for name in ("canvas", "transparency")
            if name in self.loaded
        )
        return _t(
            "bundle_imported",
            name=self.model_name,
            target=self.target,
            steps=self.steps,
            extras=extras,
        )


def _read_entries(data: bytes) -> dict[str, bytes]:
    """Every entry of the archive, checked by name and size before anything is read."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise messages.error("report.bundle_not_zip")
    if len(data) > BUNDLE_MAX_BYTES:
        raise messages.error("report.bundle_too_large", max_mb=BUNDLE_MAX_BYTES // 2**20)
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise messages.error("report.bundle_not_zip") from None
    allowed = {MANIFEST, *BUNDLE_FILES}
    seen: set[str] = set()
    total = 0
    for entry in entries:
        name = entry.filename
        if entry.is_dir() or name not in allowed or name in seen:
            raise messages.error("report.bundle_bad_entry", name=name[:80])
        seen.add(name)
        total += entry.file_size
    if total > BUNDLE_MAX_BYTES:
        raise messages.error("report.bundle_too_large", max_mb=BUNDLE_MAX_BYTES // 2**20)
    try:
        return {entry.filename: archive.read(entry) for entry in entries}
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        raise messages.error("report.bundle_not_zip") from None


def _load_json(name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise messages.error(
            "report.bundle_bad_json", name=name, detail=type(exc).__name__
        ) from exc


def _check_manifest(entries: Mapping[str, bytes]) -> dict:
    if MANIFEST not in entries:
        raise messages.error("report.bundle_no_manifest")
    manifest = _load_json(MANIFEST, entries[MANIFEST])
    if not isinstance(manifest, Mapping) or manifest.get("format") != BUNDLE_FORMAT:
        raise messages.error("report.bundle_bad_manifest", detail="format")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise messages.error("report.bundle_bad_manifest", detail="version")
    if version > BUNDLE_VERSION:
        raise messages.error("report.bundle_too_new", found=version, expected=BUNDLE_VERSION)
    files = manifest.get("files")
    if not isinstance(files, Mapping):
        raise messages.error("report.bundle_bad_manifest", detail="files")
    for name, info in files.items():
        if name not in BUNDLE_FILES:
            raise messages.error("report.bundle_bad_entry", name=str(name)[:80])
        digest = info.get("sha256") if isinstance(info, Mapping) else None
        if not isinstance(digest, str) or not _SHA256_RE.match(digest):
            raise messages.error("report.bundle_bad_manifest", detail=f"sha256 {name}")
        if name not in entries:
            raise messages.error("report.bundle_missing_entry", name=name)
    for name in entries:
        if name != MANIFEST and name not in files:
            raise messages.error("report.bundle_unlisted_entry", name=name)
    for name in REQUIRED_FILES:
        if name not in files:
            raise messages.error("report.bundle_missing_entry", name=name)
    for name, info in files.items():
        if _sha256(entries[name]) != info["sha256"]:
            raise messages.error("report.bundle_hash_mismatch", name=name)
    return dict(manifest)


def check_bundle(data: bytes) -> dict[str, Any]:
    """Every check of :func:`import_bundle`, without writing anything: the parsed contents."""
    from labkit.course import canvas
    from labkit.model import model_store
    from labkit.prepare.recipe import Recipe
    from labkit.use import transparency

    entries = _read_entries(data)
    _check_manifest(entries)
    meta = _load_json("training.json", entries["training.json"])
    try:
        trained = model_store.from_parts(entries["model.skops"], meta)
    except DatalabError as exc:
        raise messages.error("report.bundle_model_refused", reason=exc.message) from exc
    try:
        recipe = Recipe.from_dict(_load_json("recipe.json", entries["recipe.json"]))
    except DatalabError as exc:
        if exc.key and exc.key.startswith("report."):
            raise
        raise messages.error(
            "report.bundle_bad_json", name="recipe.json", detail=exc.message
        ) from exc
    parsed: dict[str, Any] = {
        "trained": trained,
        "meta": meta,
        "model_bytes": entries["model.skops"],
        "recipe": recipe,
        "report": entries.get("report.html"),
    }
    if "canvas.json" in entries:
        values = _load_json("canvas.json", entries["canvas.json"])
        try:
            if not isinstance(values, Mapping):
                raise messages.error("report.sheet_not_a_mapping")
            parsed["canvas"] = canvas.normalise(
                {k: v for k, v in values.items() if k in canvas.FIELD_IDS}
            )
        except DatalabError as exc:
            raise messages.error(
                "report.bundle_bad_json", name="canvas.json", detail=exc.message
            ) from exc
    if "transparency.json" in entries:
        values = _load_json("transparency.json", entries["transparency.json"])
        try:
            parsed["transparency"] = transparency.check_values(values)
        except DatalabError as exc:
            raise messages.error(
                "report.bundle_bad_json", name="transparency.json", detail=exc.message
            ) from exc
    return parsed


def import_bundle(workspace, data: bytes) -> BundleImport:
    """Check a bundle made by :func:`export_bundle`, then load it into ``workspace``: model and
    metadata, recipe, canvas and transparency sheet (previous versions are kept as backups by the
    workspace), the report as a file. Nothing is written unless every check passes."""
    from labkit.course import canvas
    from labkit.model import model_store
    from labkit.prepare.recipe import save_recipe
    from labkit.use import transparency

    parsed = check_bundle(data)
    loaded = ["model", "recipe"]
    # Every part lands together or none does: a process killed during the import leaves the
    # previous work whole (or the imported one), never a model from one bundle with another's data.
    with workspace.together():
        workspace.save(model_store.TRAINING_KEY, parsed["meta"])
        workspace.save_file(model_store.MODEL_FILE, parsed["model_bytes"])
        save_recipe(workspace, parsed["recipe"])
        if parsed.get("report") is not None:
            workspace.save_file(IMPORTED_REPORT, parsed["report"])
            loaded.append("report")
        if "canvas" in parsed:
            canvas.save_canvas(workspace, parsed["canvas"])
            loaded.append("canvas")
        if "transparency" in parsed:
            transparency.save_transparency(workspace, parsed["transparency"])
            loaded.append("transparency")
    trained = parsed["trained"]
    return BundleImport(trained.name, trained.target, len(parsed["recipe"]), loaded)
