"""Where does the project sit in the EU AI Act's risk levels, and which ethical questions does it
raise? (module 02)

Pure code. The questions, the levels and the ethics checklist are data that a facilitator edits in
``content/risques.yaml``; :func:`load_questionnaire` validates them with French messages. The level
reached is the most severe level among the questions answered « oui » (levels are listed from the
most to the least severe), the default level when there is none. That level is never stated alone
while a « je ne sais pas » (or a missing answer) could make it more severe: :attr:`Assessment.label`
then names the possible level and what to check. Answers and checklist notes are
saved in the learner's workspace (key ``risk``); :func:`risk_summary` gives them as plain values
for the final report of module 06.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from labkit import frenchfmt, messages, paths
from labkit.course.content import load_yaml, require

KEY = "risk"
FORMAT_VERSION = 1
YES, NO, UNSURE = "oui", "non", "ne_sait_pas"
ANSWERS = (YES, NO, UNSURE)
NOTE_MAX = 1500


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    summary: str
    consequences: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    level: str  # the level reached when the answer is « oui »
    reason: str
    theme: str = ""
    help: str = ""
    example: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    title: str
    question: str
    help: str = ""


@dataclass(frozen=True)
class Questionnaire:
    title: str
    warning: str
    levels: tuple[Level, ...]
    questions: tuple[Question, ...]
    checklist: tuple[ChecklistItem, ...]
    default_level: str

    def level(self, level_id: str) -> Level:
        return next(level for level in self.levels if level.id == level_id)

    def severity(self, level_id: str) -> int:
        """0 for the most severe level, then 1, 2…"""
        return [level.id for level in self.levels].index(level_id)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise messages.error("risk.unknown_question", id=question_id)


def questionnaire_path() -> Path:
    return paths.content_dir() / "risques.yaml"


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """The questionnaire of ``content/risques.yaml``; a malformed file gives a French message."""
    path = path or questionnaire_path()
    data = load_yaml(path)
    shown = path.name
    title = require(data, "titre", str, path=path, where="le fichier")
    raw_levels = require(data, "niveaux", list, path=path, where="le fichier")
    if not raw_levels:
        raise messages.error("risk.no_levels", path=shown)
    levels = []
    for index, item in enumerate(raw_levels, start=1):
        where = f"le niveau n° {index}"
        level_id = require(item, "id", str, path=path, where=where)
        where = f"le niveau « {level_id} »"
        levels.append(
            Level(
                id=level_id,
                name=require(item, "nom", str, path=path, where=where),
                summary=require(item, "resume", str, path=path, where=where),
                consequences=str(item.get("consequences") or ""),
                examples=tuple(str(e) for e in (item.get("exemples") or [])),
            )
        )
    _unique([level.id for level in levels], shown, "niveaux")
    level_ids = [level.id for level in levels]
    raw_questions = require(data, "questions", list, path=path, where="le fichier")
    if not raw_questions:
        raise messages.error("risk.no_questions", path=shown)
    questions = []
    for index, item in enumerate(raw_questions, start=1):
        where = f"la question n° {index}"
        question_id = require(item, "id", str, path=path, where=where)
        where = f"la question « {question_id} »"
        level = require(item, "si_oui", str, path=path, where=where)
        if level not in level_ids:
            raise messages.error(
                "risk.unknown_level",
                path=shown,
                id=question_id,
                level=level,
                levels=", ".join(level_ids),
            )
        questions.append(
            Question(
                id=question_id,
                text=require(item, "question", str, path=path, where=where),
                level=level,
                reason=require(item, "raison", str, path=path, where=where),
                theme=str(item.get("theme") or ""),
                help=str(item.get("aide") or ""),
                example=str(item.get("exemple") or ""),
            )
        )
    _unique([q.id for q in questions], shown, "questions")
    checklist = []
    raw_checklist = require(data, "checklist", list, path=path, where="le fichier")
    for index, item in enumerate(raw_checklist, start=1):
        where = f"le point n° {index} de « checklist »"
        item_id = require(item, "id", str, path=path, where=where)
        where = f"le point « {item_id} » de « checklist »"
        checklist.append(
            ChecklistItem(
                id=item_id,
                title=require(item, "titre", str, path=path, where=where),
                question=require(item, "question", str, path=path, where=where),
                help=str(item.get("aide") or ""),
            )
        )
    _unique([c.id for c in checklist], shown, "checklist")
    default = data.get("niveau_par_defaut") or level_ids[-1]
    if default not in level_ids:
        raise messages.error(
            "risk.unknown_default", path=shown, level=default, levels=", ".join(level_ids)
        )
    return Questionnaire(
        title=title,
        warning=str(data.get("avertissement") or ""),
        levels=tuple(levels),
        questions=tuple(questions),
        checklist=tuple(checklist),
        default_level=default,
    )


def _unique(ids: list[str], path: str, list_name: str) -> None:
    seen = set()
    for item_id in ids:
        if item_id in seen:
            raise messages.error("risk.duplicate_id", path=path, id=item_id, list=list_name)
        seen.add(item_id)


# ------------------------------------------------------------------------------ assessment
@dataclass(frozen=True)
class Reason:
    question: str  # question id
    text: str  # the question
    reason: str
    level: str
    help: str = ""  # what to look at to answer the question


@dataclass(frozen=True)
class Assessment:
    level: Level
    reasons: list[Reason]  # questions answered « oui » that lead to the level reached
    other_yes: list[Reason]  # questions answered « oui » leading to a less severe level
    to_check: list[Reason]  # « je ne sais pas » answers that could raise the level
    possible_level: Level | None  # the level if every « je ne sais pas » were « oui »
    answered: int
    total: int
    answers: dict[str, str] = field(default_factory=dict)
    unanswered: list[Reason] = field(default_factory=list)  # unanswered, could raise the level

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def settled(self) -> bool:
        """True when no « je ne sais pas » and no missing answer could raise the level."""
        return not self.to_check and not self.unanswered

    @property
    def label(self) -> str:
        """The level as it may be stated: never a plain lower level while a « je ne sais pas »
        could make it more severe (then the possible level, to check), and qualified while
        unanswered questions could still raise it."""
        if self.to_check and self.possible_level is not None:
            return messages.text("risk.level_to_check", possible=self.possible_level.name)
        if self.unanswered:
            return messages.text(
                "risk.level_to_confirm", level=self.level.name, missing=len(self.unanswered)
            )
        return self.level.name

    @property
    def explanation(self) -> list[str]:
        """Why this level, in French sentences."""
        if not self.reasons:
            return [messages.text("risk.level_no_yes")]
        return [r.reason for r in self.reasons]


def check_answers(questionnaire: Questionnaire, answers: Mapping[str, Any] | None) -> dict:
    """The answers given by the learner, checked: a French error for an unknown question or value.
    Unanswered questions (``None`` or absent) are left out."""
    clean = {}
    for question_id, value in (answers or {}).items():
        questionnaire.question(question_id)  # raises for an unknown id
        if value is None or value == "":
            continue
        if value not in ANSWERS:
            raise messages.error("risk.bad_answer", id=question_id)
        clean[question_id] = value
    return clean


def assess(questionnaire: Questionnaire, answers: Mapping[str, Any] | None) -> Assessment:
    """The level reached by these answers, with its reasons."""
    clean = check_answers(questionnaire, answers)

    def reason(question: Question) -> Reason:
        return Reason(question.id, question.text, question.reason, question.level, question.help)

    yes = [q for q in questionnaire.questions if clean.get(q.id) == YES]
    if yes:
        worst = min(questionnaire.severity(q.level) for q in yes)
        level = questionnaire.levels[worst]
    else:
        level = questionnaire.level(questionnaire.default_level)
    rank = questionnaire.severity(level.id)
    unsure = [
        q
        for q in questionnaire.questions
        if clean.get(q.id) == UNSURE and questionnaire.severity(q.level) < rank
    ]
    possible = None
    if unsure:
        possible = questionnaire.levels[min(questionnaire.severity(q.level) for q in unsure)]
    return Assessment(
        level=level,
        reasons=[reason(q) for q in yes if q.level == level.id],
        other_yes=[reason(q) for q in yes if q.level != level.id],
        to_check=[reason(q) for q in unsure],
        possible_level=possible,
        answered=len(clean),
        total=len(questionnaire.questions),
        answers=clean,
        unanswered=[
            reason(q)
            for q in questionnaire.questions
            if q.id not in clean and questionnaire.severity(q.level) < rank
        ],
    )


# ---------------------------------------------------------------------------- persistence
def clean_note(value: Any) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    return text.strip()


def check_checklist(questionnaire: Questionnaire, notes: Mapping[str, Any] | None) -> dict:
    """The checklist notes, cleaned; a too long note is refused with a French message."""
    clean = {}
    known = {item.id: item for item in questionnaire.checklist}
    for item_id, value in (notes or {}).items():
        if item_id not in known:
            continue
        text = clean_note(value)
        if len(text) > NOTE_MAX:
            raise messages.error(
                "risk.note_too_long", title=known[item_id].title, length=len(text), max=NOTE_MAX
            )
        clean[item_id] = text
    return clean


def load_risk(workspace) -> tuple[dict[str, str], dict[str, str]]:
    """(answers, checklist notes) as saved; values a damaged file holds are dropped."""
    stored = workspace.load(KEY)
    if not isinstance(stored, Mapping):
        return {}, {}
    answers = stored.get("answers") if isinstance(stored.get("answers"), Mapping) else {}
    notes = stored.get("checklist") if isinstance(stored.get("checklist"), Mapping) else {}
    answers = {str(k): v for k, v in answers.items() if v in ANSWERS}
    notes = {str(k): clean_note(v)[:NOTE_MAX] for k, v in notes.items() if isinstance(v, str)}
    return answers, notes


def save_risk(
    workspace,
    answers: Mapping[str, Any] | None = None,
    checklist: Mapping[str, Any] | None = None,
    questionnaire: Questionnaire | None = None,
) -> Assessment:
    """Save the answers and/or the checklist notes (what is not given stays as saved)."""
    questionnaire = questionnaire or load_questionnaire()
    saved_answers, saved_notes = load_risk(workspace)
    if answers is not None:
        saved_answers = check_answers(questionnaire, answers)
    else:
        known = {q.id for q in questionnaire.questions}
        saved_answers = {k: v for k, v in saved_answers.items() if k in known}
    if checklist is not None:
        saved_notes = {**saved_notes, **check_checklist(questionnaire, checklist)}
    assessment = assess(questionnaire, saved_answers)
    workspace.save(
        KEY,
        {
            "version": FORMAT_VERSION,
            "answers": saved_answers,
            "checklist": saved_notes,
            "level": assessment.level.id,
            "saved_at": _dt.datetime.now().isoformat(timespec="seconds"),
        },
    )
    return assessment


def risk_summary(workspace, questionnaire: Questionnaire | None = None) -> dict[str, Any]:
    """Plain values for the final report: level, reasons, points to check, checklist notes."""
    questionnaire = questionnaire or load_questionnaire()
    stored = workspace.load(KEY)
    answers, notes = load_risk(workspace)
    known = {q.id for q in questionnaire.questions}
    assessment = assess(questionnaire, {k: v for k, v in answers.items() if k in known})
    saved = isinstance(stored, Mapping)
    assessed = saved and assessment.answered > 0
    level = assessment.level
    return {
        "saved": saved,
        "assessed": assessed,
        "level": level.id if assessed else None,
        "level_name": assessment.label if assessed else messages.text("risk.not_assessed"),
        "level_summary": _stated_summary(assessment) if assessed else "",
        "consequences": level.consequences if assessed and assessment.settled else "",
        "settled": assessed and assessment.settled,
        "reasons": assessment.explanation if assessed else [],
        "to_check": [r.text for r in assessment.to_check],
        "possible_level": assessment.possible_level.name if assessment.possible_level else None,
        "answered": assessment.answered,
        "total": assessment.total,
        "complete": assessment.complete,
        "answers": [
            {"id": q.id, "question": q.text, "answer": answers.get(q.id)}
            for q in questionnaire.questions
        ],
        "checklist": [
            {
                "id": item.id,
                "title": item.title,
                "question": item.question,
                "note": notes.get(item.id, ""),
            }
            for item in questionnaire.checklist
        ],
        "saved_at": stored.get("saved_at") if saved else None,
    }


def _stated_summary(assessment: Assessment) -> str:
    """The level's summary when it is settled; otherwise what remains to check."""
    if assessment.to_check and assessment.possible_level is not None:
        return messages.text("risk.to_check", level=assessment.possible_level.name)
    if assessment.unanswered:
        return messages.text("risk.incomplete")
    return assessment.level.summary


def answer_label(value: str) -> str:
    return {
        YES: messages.text("risk.answer_yes"),
        NO: messages.text("risk.answer_no"),
        UNSURE: messages.text("risk.answer_unsure"),
    }[value]


# --------------------------------------------------------------------------------- figure
PYRAMID_COLOURS = ("#ce0500", "#b34d00", "#0063cb", "#18753c")
frenchfmt.register_template()  # the pyramid too uses the French template


def risk_pyramid_figure(questionnaire: Questionnaire, level_id: str | None) -> go.Figure:
    """The levels as a pyramid (most severe on top, widest at the bottom); the project's level is
    marked by a text label beside it and a thick outline, not by colour alone."""
    levels = list(questionnaire.levels)
    count = len(levels)
    widths = [2.4 + 0.9 * i for i in range(count)]  # narrow on top
    rows = list(range(count, 0, -1))
    colours = [PYRAMID_COLOURS[min(i, len(PYRAMID_COLOURS) - 1)] for i in range(count)]
    line_widths = [5 if level.id == level_id else 0 for level in levels]
    annotations = [
        {
            "x": width / 2 + 0.15,
            "y": row,
            "text": f"<b>{messages.text('risk.pyramid_here')}</b>",
            "showarrow": False,
            "xanchor": "left",
            "font": {"size": 15, "color": "#161616"},
        }
        for level, width, row in zip(levels, widths, rows, strict=True)
        if level.id == level_id
    ]
    return go.Figure(
        data=[
            go.Bar(
                x=widths,
                y=rows,
                base=[-w / 2 for w in widths],
                orientation="h",
                text=[level.name for level in levels],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "#ffffff", "size": 14},
                marker={"color": colours, "line": {"width": line_widths, "color": "#161616"}},
                hovertext=[level.summary for level in levels],
                hovertemplate="%{hovertext}<extra></extra>",
                name=messages.text("risk.pyramid_title"),
            )
        ],
        layout={
            "title": {"text": messages.text("risk.pyramid_title"), "font": {"size": 16}},
            "height": 340,
            "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
            "showlegend": False,
            "bargap": 0.08,
            "font": {"family": "Marianne, Segoe UI, Arial, sans-serif", "color": "#161616"},
            "xaxis": {"visible": False, "range": [-widths[-1] / 2 - 0.1, widths[-1] / 2 + 2.2]},
            "yaxis": {"visible": False},
            "annotations": annotations,
            "plot_bgcolor": "#ffffff",
            "paper_bgcolor": "#ffffff",
        },
    )
