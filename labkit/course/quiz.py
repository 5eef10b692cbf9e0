"""Quizzes and exercise checks, declaratively (in the style of Kaggle's learntools).

A :class:`Problem` knows its expected answer, its hints and its solution, and :meth:`Problem.check`
turns a learner's answer into a :class:`Feedback` with one of four outcomes: correct, incorrect (with
a reason), not attempted, or uncheckable. Quiz banks are YAML files in ``content/quiz/`` that a
facilitator edits; :func:`load_bank` turns one into problems, with French messages when malformed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit import messages, paths
from labkit.frenchfmt import parse_number
from labkit.yamlfile import identified, load_yaml, require, where

CORRECT, INCORRECT, NOT_ATTEMPTED, UNCHECKABLE = (
    "correct",
    "incorrect",
    "not_attempted",
    "uncheckable",
)
OUTCOMES = (CORRECT, INCORRECT, NOT_ATTEMPTED, UNCHECKABLE)


@dataclass(frozen=True)
class Feedback:
    outcome: str
    message: str
    reason: str = ""  # for an incorrect answer: why it is wrong

    @property
    def is_correct(self) -> bool:
        return self.outcome == CORRECT

    @property
    def text(self) -> str:
        return f"{self.message} {self.reason}".strip()


@dataclass
class Problem:
    """One question or exercise. Subclasses define :meth:`_check` and :meth:`solution_text`."""

    id: str
    prompt: str
    hints: list[str] = field(default_factory=list)
    explanation: str = ""

    def check(self, answer: Any) -> Feedback:
        if _is_blank(answer):
            return Feedback(NOT_ATTEMPTED, messages.text("quiz.not_attempted"))
        return self._check(answer)

    def _check(self, answer: Any) -> Feedback:  # pragma: no cover - abstract
        raise NotImplementedError

    def solution_text(self) -> str:
        return self.explanation

    def _correct(self) -> Feedback:
        return Feedback(CORRECT, messages.text("quiz.correct"), self.explanation)

    def _incorrect(self, reason: str = "") -> Feedback:
        return Feedback(INCORRECT, messages.text("quiz.incorrect"), reason)


@dataclass
class SingleChoice(Problem):
    choices: list[str] = field(default_factory=list)
    answer: int = 0
    reasons: dict[int, str] = field(default_factory=dict)  # why each wrong choice is wrong

    def _check(self, answer: Any) -> Feedback:
        try:
            index = int(answer)
        except (TypeError, ValueError):
            return Feedback(UNCHECKABLE, messages.text("quiz.uncheckable"))
        if index == self.answer:
            return self._correct()
        return self._incorrect(self.reasons.get(index, ""))

    def solution_text(self) -> str:
        answer = messages.text("quiz.answer_is", answer=self.choices[self.answer])
        return f"{answer} {self.explanation}".strip()


@dataclass
class MultipleChoice(Problem):
    choices: list[str] = field(default_factory=list)
    answer: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)

    def _check(self, answer: Any) -> Feedback:
        try:
            chosen = {int(a) for a in answer}
        except (TypeError, ValueError):
            return Feedback(UNCHECKABLE, messages.text("quiz.uncheckable"))
        expected = set(self.answer)
        if chosen == expected:
            return self._correct()
        extra = sorted(chosen - expected)
        if extra:
            reason = self.reasons.get(extra[0]) or messages.text("quiz.multiple_extra")
        else:
            reason = messages.text(
                "quiz.multiple_partial", found=len(chosen & expected), total=len(expected)
            )
        return self._incorrect(reason)

    def solution_text(self) -> str:
        answer = " ; ".join(self.choices[i] for i in self.answer)
        return f"{messages.text('quiz.answer_is', answer=answer)} {self.explanation}".strip()


@dataclass
class NumberAnswer(Problem):
    answer: float = 0.0
    tolerance: float = 0.0
    unit: str = ""

    def _check(self, answer: Any) -> Feedback:
        value = parse_number(answer)
        if value is None:
            return Feedback(
                INCORRECT, messages.text("quiz.incorrect"), messages.text("quiz.not_a_number")
            )
        if math.isclose(value, self.answer, abs_tol=self.tolerance or 1e-9):
            return self._correct()
        return self._incorrect()

    def solution_text(self) -> str:
        shown = f"{self.answer:g}".replace(".", ",") + (f" {self.unit}" if self.unit else "")
        return f"{messages.text('quiz.answer_is', answer=shown)} {self.explanation}".strip()


@dataclass
class OpenQuestion(Problem):
    """A question for reflection: any answer is kept, none is graded."""

    def _check(self, answer: Any) -> Feedback:
        return Feedback(UNCHECKABLE, messages.text("quiz.uncheckable"), self.explanation)


KINDS = {
    "choix_unique": SingleChoice,
    "choix_multiples": MultipleChoice,
    "nombre": NumberAnswer,
    "ouverte": OpenQuestion,
}


@dataclass
class Bank:
    module_id: str
    title: str
    problems: list[Problem]


def _is_blank(answer: Any) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, (list, tuple, set)):
        return len(answer) == 0
    return False


def bank_path(module_id: str) -> Path:
    return paths.content_dir() / "quiz" / f"{module_id}.yaml"


def load_bank(module_id: str, path: Path | None = None) -> Bank:
    """The quiz of a module, from ``content/quiz/<module_id>.yaml``. An item ``fil_rouge: <id>``
    stands for the running example's question ``<id>`` (its story file's ``quiz``), left out when
    the running example has none of that id."""
    path = path or bank_path(module_id)
    data = load_yaml(path)
    title = str((data or {}).get("title") or "Quiz") if isinstance(data, dict) else "Quiz"
    items = require(data, "questions", list, path=path, where=where("file"))
    if not items:
        raise messages.error("quiz.bank_few", path=path.name)
    problems = []
    for source, group in _with_example_questions(module_id, items, path):
        problems += [
            _problem(qid, item, place, source)
            for qid, item, place in identified(group, path=source, place="question")
        ]
    if not problems:
        raise messages.error("quiz.bank_few", path=path.name)
    ids = [p.id for p in problems]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise messages.error("content.duplicate_id", path=path.name, id=duplicate)
    return Bank(module_id=module_id, title=title, problems=problems)


def _with_example_questions(module_id: str, items: list, path: Path) -> list[tuple[Path, list]]:
    """The bank's items in order, in runs by the file they come from: the bank's own, and for each
    ``fil_rouge: <id>`` the running example's question of that id."""
    runs: list[tuple[Path, list]] = []
    example = None
    for item in items:
        source, chosen = path, item
        if isinstance(item, dict) and "fil_rouge" in item and "id" not in item:
            from labkit.settings import load_settings, story_path

            example = example or load_settings().running_example
            chosen = example.quiz_question(module_id, str(item["fil_rouge"]))
            if chosen is None:
                continue
            source = story_path(example.name)
        if runs and runs[-1][0] == source:
            runs[-1][1].append(chosen)
        else:
            runs.append((source, [chosen]))
    return runs


def example_question_ids(module_id: str, path: Path | None = None) -> list[str]:
    """The ids of the running example's questions a module's quiz asks for (``fil_rouge: <id>``)."""
    data = load_yaml(path or bank_path(module_id))
    items = data.get("questions") if isinstance(data, dict) else None
    return [
        str(item["fil_rouge"])
        for item in items or []
        if isinstance(item, dict) and "fil_rouge" in item and "id" not in item
    ]


def _problem(qid: str, item: Any, place: str, path: Path) -> Problem:
    kind = require(item, "type", str, path=path, where=place)
    if kind not in KINDS:
        raise messages.error(
            "quiz.bank_kind", path=path.name, id=qid, kind=kind, kinds=", ".join(KINDS)
        )
    hints = item.get("indices") or ([item["indice"]] if item.get("indice") else [])
    common = dict(
        id=qid,
        prompt=require(item, "question", str, path=path, where=place),
        hints=[str(h) for h in hints],
        explanation=str(item.get("explication") or ""),
    )
    if kind == "ouverte":
        return OpenQuestion(**common)
    if kind == "nombre":
        answer = parse_number(item.get("reponse"))
        if answer is None:
            raise messages.error(
                "content.field_type",
                path=path.name,
                field="reponse",
                where=place,
                expected=messages.text("content.type_number"),
            )
        return NumberAnswer(
            **common,
            answer=answer,
            tolerance=float(item.get("tolerance") or 0),
            unit=str(item.get("unite") or ""),
        )
    choices = [str(c) for c in require(item, "choix", list, path=path, where=place)]
    reasons = {int(k) - 1: str(v) for k, v in (item.get("pourquoi_pas") or {}).items()}
    if kind == "choix_unique":
        answer = require(item, "reponse", int, path=path, where=place)
        if not 1 <= answer <= len(choices):
            raise messages.error("quiz.bank_answer", path=path.name, id=qid)
        return SingleChoice(**common, choices=choices, answer=answer - 1, reasons=reasons)
    answers = require(item, "reponse", list, path=path, where=place)
    if not answers or any(not isinstance(a, int) or not 1 <= a <= len(choices) for a in answers):
        raise messages.error("quiz.bank_answer", path=path.name, id=qid)
    return MultipleChoice(
        **common, choices=choices, answer=[a - 1 for a in answers], reasons=reasons
    )


# ----------------------------------------------------------------- learner's answers
def score(bank: Bank, stored: dict[str, dict]) -> tuple[int, int]:
    """(correct answers, gradable questions) given a learner's stored answers to ``bank``
    (``{problem id: {"outcome": …}}``)."""
    gradable = [p for p in bank.problems if not isinstance(p, OpenQuestion)]
    right = sum(1 for p in gradable if (stored.get(p.id) or {}).get("outcome") == CORRECT)
    return right, len(gradable)
