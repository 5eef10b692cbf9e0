"""The course's own records in the learner's workspace: module progress, quiz answers, the project
chosen on the home page, the project canvas and the risk questionnaire of module 02.

The rules (statuses, scores, validation, assessment) live in :mod:`labkit.course`; this module only
reads and writes the workspace entries ``progress``, ``quiz``, ``project``, ``canvas`` and ``risk``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from labkit.course import canvas, modules, quiz, risk
from labkit.course.project import Project, project_from_record, project_record

PROGRESS_KEY, QUIZ_KEY, PROJECT_KEY = "progress", "quiz", "project"


def _now() -> _dt.datetime:
    return _dt.datetime.now()


# ------------------------------------------------------------------------------ progress
def progress(workspace) -> dict[str, str]:
    """Status of every module for this learner: ``todo``, ``in_progress`` or ``done``."""
    return modules.statuses(workspace.load(PROGRESS_KEY, {}) or {})


def set_status(workspace, module_id: str, status: str) -> None:
    """Record a module's status; ``in_progress`` never downgrades ``done``."""
    stored = dict(workspace.load(PROGRESS_KEY, {}) or {})
    status = modules.next_status((stored.get(module_id) or {}).get("status"), status)
    if status is None:
        return
    stored[module_id] = {"status": status, "updated": _now().isoformat(timespec="seconds")}
    workspace.save(PROGRESS_KEY, stored)


# ---------------------------------------------------------------------------------- quiz
def record_answer(
    workspace, module_id: str, problem: quiz.Problem, answer: Any, feedback: quiz.Feedback
) -> None:
    """Keep the learner's answer and outcome (with the number of attempts)."""
    stored = dict(workspace.load(QUIZ_KEY, {}) or {})
    module = dict(stored.get(module_id) or {})
    previous = module.get(problem.id) or {}
    module[problem.id] = {
        "answer": answer,
        "outcome": feedback.outcome,
        "attempts": int(previous.get("attempts", 0)) + 1,
        "hints_seen": int(previous.get("hints_seen", 0)),
    }
    stored[module_id] = module
    workspace.save(QUIZ_KEY, stored)


def record_hint(workspace, module_id: str, problem_id: str, hints_seen: int) -> None:
    """Keep how many hints of a question the learner has seen (never fewer than before)."""
    stored = dict(workspace.load(QUIZ_KEY, {}) or {})
    module = dict(stored.get(module_id) or {})
    entry = dict(module.get(problem_id) or {"attempts": 0})
    entry["hints_seen"] = max(hints_seen, int(entry.get("hints_seen", 0)))
    module[problem_id] = entry
    stored[module_id] = module
    workspace.save(QUIZ_KEY, stored)


def quiz_answers(workspace, module_id: str) -> dict[str, dict]:
    """The learner's answers to a module's quiz: ``{problem id: {answer, outcome, attempts,
    hints_seen}}``."""
    return dict((workspace.load(QUIZ_KEY, {}) or {}).get(module_id) or {})


def quiz_score(workspace, bank: quiz.Bank) -> tuple[int, int]:
    """(correct answers, gradable questions) for this learner."""
    return quiz.score(bank, quiz_answers(workspace, bank.module_id))


# ------------------------------------------------------------------------------- project
def save_project(workspace, project: Project) -> None:
    workspace.save(PROJECT_KEY, project_record(project))


def load_project(workspace) -> Project | None:
    return project_from_record(workspace.load(PROJECT_KEY))


# -------------------------------------------------------------------------------- canvas
def save_canvas(workspace, values: Mapping[str, Any]) -> canvas.SaveResult:
    """Save the canvas, as a draft if required fields are empty.

    A too long field is refused with a French :class:`DatalabError` and nothing is written (the
    previously saved canvas stays as it was).
    """
    result = canvas.checked_for_saving(values)
    workspace.save(canvas.KEY, canvas.record(result, _now()))
    return result


def load_canvas(workspace) -> dict[str, str] | None:
    """The saved canvas (every field present, lengths capped), or ``None`` if never saved."""
    return canvas.from_record(workspace.load(canvas.KEY))


def canvas_saved_at(workspace) -> str | None:
    return canvas.saved_at(workspace.load(canvas.KEY))


def canvas_summary(workspace) -> dict[str, Any]:
    """Plain values for the final report of module 06."""
    return canvas.summary(workspace.load(canvas.KEY))


# ---------------------------------------------------------------------------------- risk
def load_risk(workspace) -> tuple[dict[str, str], dict[str, str]]:
    """(answers, checklist notes) as saved; values a damaged file holds are dropped."""
    return risk.from_record(workspace.load(risk.KEY))


def save_risk(
    workspace,
    answers: Mapping[str, Any] | None = None,
    checklist: Mapping[str, Any] | None = None,
    questionnaire: risk.Questionnaire | None = None,
) -> risk.Assessment:
    """Save the answers and/or the checklist notes (what is not given stays as saved)."""
    questionnaire = questionnaire or risk.load_questionnaire()
    stored = workspace.load(risk.KEY)
    record, assessment = risk.updated_record(questionnaire, stored, answers, checklist, _now())
    workspace.save(risk.KEY, record)
    return assessment


def risk_summary(workspace, questionnaire: risk.Questionnaire | None = None) -> dict[str, Any]:
    """Plain values for the final report: level, reasons, points to check, checklist notes."""
    return risk.summary(questionnaire or risk.load_questionnaire(), workspace.load(risk.KEY))
