"""Where does the project sit in the EU AI Act's risk levels, and which ethical questions does it
raise? (module 02)

Pure code. The questions, the levels and the ethics checklist are data that a facilitator edits in
``content/risques.yaml``; :func:`load_questionnaire` validates them with French messages. The level
reached is the most severe level among the questions answered « oui » (levels are listed from the
most to the least severe), the default level when there is none. That level is never stated alone
while a « je ne sais pas » (or a missing answer) could make it more severe: :attr:`Assessment.label`
then names the possible level and what to check. Answers and checklist notes are kept in the
learner's workspace (key ``risk``, by :mod:`labkit.learner.course`); :func:`summary` gives a saved
record as plain values for the final report of module 06.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from labkit import frenchfmt, messages, paths
from labkit.yamlfile import identified, load_yaml, require, where

KEY = "risk"
FORMAT_VERSION = 1
YES, NO, UNSURE = "oui", "non", "ne_sait_pas"
ANSWERS = (YES, NO, UNSURE)
# The questions of ``content/risques.yaml`` whose « oui » means that the system bears on decisions
# about persons (their rights, aids, jobs, schooling, policing, identification).
PEOPLE_QUESTIONS = (
    "notation_sociale",
    "prediction_infraction",
    "biometrie_interdite",
    "prestations_essentielles",
    "emploi",
    "education",
    "police_justice",
    "biometrie",
)


def decides_about_people(summary_values: Mapping[str, Any]) -> bool | None:
    """From a saved questionnaire's :func:`summary`: True when a question about persons is
    answered « oui », False when every such question asked is answered « non », else None (not
    known: the transparency sheet then keeps the persons' rights)."""
    answers = {a.get("id"): a.get("answer") for a in summary_values.get("answers") or []}
    asked = [q for q in PEOPLE_QUESTIONS if q in answers]
    if any(answers[q] == YES for q in asked):
        return True
    if asked and all(answers[q] == NO for q in asked):
        return False
    return None


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
    title = require(data, "titre", str, path=path, where=where("file"))

    def text(item: Any, name: str, place: str) -> str:
        return require(item, name, str, path=path, where=place)

    def level(level_id: str, item: Any, place: str) -> Level:
        return Level(
            id=level_id,
            name=text(item, "nom", place),
            summary=text(item, "resume", place),
            consequences=str(item.get("consequences") or ""),
            examples=tuple(str(e) for e in (item.get("exemples") or [])),
        )

    levels = _entries(data, "niveaux", path, "level", level, empty="risk.no_levels")
    level_ids = [level.id for level in levels]

    def question(question_id: str, item: Any, place: str) -> Question:
        reached = text(item, "si_oui", place)
        if reached not in level_ids:
            raise messages.error(
                "risk.unknown_level",
                path=path.name,
                id=question_id,
                level=reached,
                levels=", ".join(level_ids),
            )
        return Question(
            id=question_id,
            text=text(item, "question", place),
            level=reached,
            reason=text(item, "raison", place),
            theme=str(item.get("theme") or ""),
            help=str(item.get("aide") or ""),
            example=str(item.get("exemple") or ""),
        )

    def point(item_id: str, item: Any, place: str) -> ChecklistItem:
        return ChecklistItem(
            id=item_id,
            title=text(item, "titre", place),
            question=text(item, "question", place),
            help=str(item.get("aide") or ""),
        )

    questions = _entries(data, "questions", path, "question", question, empty="risk.no_questions")
    checklist = _entries(data, "checklist", path, "point", point)
    default = data.get("niveau_par_defaut") or level_ids[-1]
    if default not in level_ids:
        raise messages.error(
            "risk.unknown_default", path=path.name, level=default, levels=", ".join(level_ids)
        )
    return Questionnaire(
        title=title,
        warning=str(data.get("avertissement") or ""),
        levels=levels,
        questions=questions,
        checklist=checklist,
        default_level=default,
    )


def _entries(
    data: Any,
    name: str,
    path: Path,
    place: str,
    make: Callable[[str, Any, str], Any],
    empty: str | None = None,
) -> tuple:
    """The list ``name`` of the questionnaire, each item made by ``make(id, item, where)``: a
    French error when it is missing, empty (``empty``: the message key, when it must not be) or
    when two items have the same id."""
    items = require(data, name, list, path=path, where=where("file"))
    if not items and empty:
        raise messages.error(empty, path=path.name)
    made = tuple(make(*entry) for entry in identified(items, path=path, place=place))
    seen = set()
    for entry in made:
        if entry.id in seen:
            raise messages.error("risk.duplicate_id", path=path.name, id=entry.id, list=name)
        seen.add(entry.id)
    return made


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
        if not self.reasons and self.to_check and self.possible_level is not None:
            return [
                messages.text(
                    "risk.level_no_yes_but_unsure",
                    count=len(self.to_check),
                    level=self.possible_level.name,
                )
            ]
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


def from_record(stored: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(answers, checklist notes) of a saved record; values a damaged record holds are dropped."""
    if not isinstance(stored, Mapping):
        return {}, {}
    answers = stored.get("answers") if isinstance(stored.get("answers"), Mapping) else {}
    notes = stored.get("checklist") if isinstance(stored.get("checklist"), Mapping) else {}
    answers = {str(k): v for k, v in answers.items() if v in ANSWERS}
    notes = {str(k): clean_note(v)[:NOTE_MAX] for k, v in notes.items() if isinstance(v, str)}
    return answers, notes


def updated_record(
    questionnaire: Questionnaire,
    stored: Any,
    answers: Mapping[str, Any] | None,
    checklist: Mapping[str, Any] | None,
    when: _dt.datetime,
) -> tuple[dict[str, Any], Assessment]:
    """The record (workspace key ``risk``) once these answers and/or checklist notes are given
    (what is not given stays as in ``stored``), and the assessment it leads to."""
    saved_answers, saved_notes = from_record(stored)
    if answers is not None:
        saved_answers = check_answers(questionnaire, answers)
    else:
        known = {q.id for q in questionnaire.questions}
        saved_answers = {k: v for k, v in saved_answers.items() if k in known}
    if checklist is not None:
        saved_notes = {**saved_notes, **check_checklist(questionnaire, checklist)}
    assessment = assess(questionnaire, saved_answers)
    record = {
        "version": FORMAT_VERSION,
        "answers": saved_answers,
        "checklist": saved_notes,
        "level": assessment.level.id,
        "saved_at": when.isoformat(timespec="seconds"),
    }
    return record, assessment


def summary(questionnaire: Questionnaire, stored: Any) -> dict[str, Any]:
    """Plain values of a saved record for the final report: level, reasons, points to check,
    checklist notes."""
    answers, notes = from_record(stored)
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
