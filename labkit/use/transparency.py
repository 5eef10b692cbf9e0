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

Pure code. :func:`generate` writes a draft of every field from the project's facts
(:class:`labkit.use.facts.ProjectFacts`, gathered by :func:`labkit.learner.sheets.gather_facts`);
the learner edits the fields, checked by :func:`check_values` (and saved by
:func:`labkit.learner.sheets.save_transparency`); :func:`to_markdown` and :func:`to_html` export
them, every learner text escaped (the HTML from the templates of ``labkit/use/templates``).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from labkit import messages
from labkit.course import risk
from labkit.errors import DatalabError
from labkit.use import pages
from labkit.use.facts import ProjectFacts

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


def who_phrase(text: str) -> str:
    """A person or body typed by the learner, made to read inside a sentence: trailing dots and
    spaces dropped, a leading determiner in small letters (« Les agents… » → « les agents… »);
    proper nouns and acronyms (« CCAS », « Madame Roux ») are left as typed."""
    determiners = set(_t("who_determiners").split())  # they take a small letter in a sentence
    text = " ".join(str(text).split()).rstrip(" .;:")
    match = re.match(r"^(\w+(?:[\u2019']|\b))", text)
    if match and match.group(1).lower() in determiners and match.group(1)[1:].islower():
        return text[0].lower() + text[1:]
    if match and match.group(1).lower().rstrip("\u2019'") + "\u2019" in determiners:
        return text[0].lower() + text[1:]
    return text


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
    from labkit.model.display import number, percent

    canvas_values = {f["id"]: f["value"] for f in facts.canvas["fields"]}
    if facts.is_default and not facts.canvas.get("saved"):
        canvas_values = dict(facts.canvas_example)  # the stand-in model is the running example's
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
            limits.append(_errors_sentence(evaluation, facts.threshold))
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
        # the persons' rights (L311-3-1, CADA) unless 02's answers say that the model decides
        # nothing about persons (traffic counts; issue 23)
        "droits": _t(
            "droits_no_people"
            if risk.decides_about_people(facts.risk) is False
            else "droits_default"
        ),
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


def lenient_values(raw: Mapping[str, Any]) -> dict[str, str]:
    """Every field of a stored sheet, a damaged value dropped (read back, never refused)."""
    values = {}
    for f in FIELDS:
        try:
            values[f.id] = clean_text(raw.get(f.id), f.id)
        except DatalabError:
            values[f.id] = ""
    return values


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


def _html_blocks(text: str) -> list[tuple[str, Any]]:
    """Learner's text for HTML: ``("p", line)`` blocks; lines starting with "- " become a
    ``("ul", items)`` list."""
    blocks: list[tuple[str, Any]] = []
    items: list[str] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(line[2:])
            continue
        if items:
            blocks.append(("ul", items))
            items = []
        if line.strip():
            blocks.append(("p", line))
    if items:
        blocks.append(("ul", items))
    return blocks


def _part_title(part: str) -> str:
    return _t("fiche_title" if part == FICHE else "carte_title")


@dataclass(frozen=True)
class _Document:
    """What both exports of one part say around its fields."""

    clean: dict[str, str]
    heading: str
    subtitle: str
    when: str
    author: str | None
    default_model: bool


def _document(
    values: Mapping[str, Any],
    part: str,
    *,
    title: str | None = None,
    author: str | None = None,
    when: _dt.date | None = None,
    default_model: bool = False,
) -> _Document:
    return _Document(
        clean=check_values(values),
        heading=_part_title(part) + (f" : {title}" if title else ""),
        subtitle=_t("fiche_subtitle" if part == FICHE else "carte_subtitle"),
        when=(when or _dt.date.today()).strftime("%d/%m/%Y"),
        author=author,
        default_model=default_model,
    )


def to_markdown(values: Mapping[str, Any], part: str = FICHE, **options: Any) -> str:
    """The part as Markdown, the learner's text made inert. ``options``: ``title``, ``author``,
    ``when`` (a date, today by default) and ``default_model`` (the running example's warning)."""
    doc = _document(values, part, **options)
    lines = [f"# {_markdown_text(doc.heading)}", "", f"*{doc.subtitle}*", ""]
    if doc.default_model:
        lines += [f"> {_t('doc_default_model')}", ""]
    for f in fields_of(part):
        text = doc.clean[f.id]
        lines += [f"## {f.label}", "", _markdown_text(text) if text else f"*{_t('doc_empty')}*", ""]
    lines.append(_t("doc_date", date=doc.when))
    if doc.author:
        lines += ["", _markdown_text(_t("doc_author", author=doc.author))]
    return "\n".join(lines).rstrip() + "\n"


def section_html(values: Mapping[str, Any], part: str = FICHE, heading_level: int = 3) -> str:
    """The fields of one part as HTML sections (for a page or the final report), escaped."""
    clean = check_values(values)
    fields = [{"label": f.label, "blocks": _html_blocks(clean[f.id])} for f in fields_of(part)]
    level = min(max(int(heading_level), 2), 6)
    return str(pages.render("sheet_sections.html.j2", fields=fields, level=level))


def to_html(values: Mapping[str, Any], part: str = FICHE, **options: Any) -> str:
    """A standalone HTML document (no script, no external file), every text escaped; the
    ``options`` of :func:`to_markdown`."""
    doc = _document(values, part, **options)
    body = Markup(section_html(doc.clean, part, heading_level=2))  # escaped by its template
    return str(pages.render("sheet.html.j2", doc=doc, body=body)) + "\n"


def export_filename(part: str, title: str | None, extension: str) -> str:
    import unicodedata

    base = "fiche-transparence" if part == FICHE else "carte-modele"
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"{base}-{slug or 'projet'}.{extension}"


def _errors_sentence(evaluation: dict, at_threshold: dict | None) -> str:
    """How often the model is wrong on the test rows, at the setting the sheet states: at the
    chosen threshold when there is one (the sheet names it), else with the model's own answers."""
    from labkit.model.display import number

    if at_threshold and {"fp", "fn", "threshold"} <= set(at_threshold):
        return _t(
            "limites_errors_threshold",
            errors=at_threshold["fp"] + at_threshold["fn"],
            rows=evaluation["rows"],
            threshold=number(at_threshold["threshold"], 2),
        )
    return _t("limites_errors", errors=evaluation["errors"], rows=evaluation["rows"])
