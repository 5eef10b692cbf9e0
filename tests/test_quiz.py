"""The quiz engine: four outcomes, hints, banks a facilitator edits, answers kept."""

from __future__ import annotations

import pytest

from labkit.course import quiz
from labkit.course.modules import load_modules
from labkit.errors import DatalabError
from labkit.frenchfmt import parse_number
from labkit.learner import course

SINGLE = quiz.SingleChoice(
    id="q",
    prompt="?",
    hints=["indice"],
    explanation="parce que",
    choices=["a", "b", "c"],
    answer=1,
    reasons={0: "a est faux car…"},
)
MULTI = quiz.MultipleChoice(id="m", prompt="?", choices=["a", "b", "c"], answer=[0, 2])
NUMBER = quiz.NumberAnswer(id="n", prompt="?", answer=12.5, tolerance=0.1, unit="%")
OPEN = quiz.OpenQuestion(id="o", prompt="?", explanation="à discuter")


@pytest.mark.parametrize(
    ("problem", "answer", "outcome"),
    [
        (SINGLE, 1, quiz.CORRECT),
        (SINGLE, 0, quiz.INCORRECT),
        (SINGLE, None, quiz.NOT_ATTEMPTED),
        (SINGLE, "pas un indice", quiz.UNCHECKABLE),
        (MULTI, [0, 2], quiz.CORRECT),
        (MULTI, [2, 0], quiz.CORRECT),
        (MULTI, [0], quiz.INCORRECT),
        (MULTI, [0, 1, 2], quiz.INCORRECT),
        (MULTI, [], quiz.NOT_ATTEMPTED),
        (MULTI, ["x"], quiz.UNCHECKABLE),
        (NUMBER, "12,5", quiz.CORRECT),
        (NUMBER, "12,55 %", quiz.CORRECT),
        (NUMBER, 13, quiz.INCORRECT),
        (NUMBER, "douze", quiz.INCORRECT),
        (NUMBER, "  ", quiz.NOT_ATTEMPTED),
        (OPEN, "une réflexion", quiz.UNCHECKABLE),
        (OPEN, "", quiz.NOT_ATTEMPTED),
    ],
)
def test_four_outcomes(problem, answer, outcome):
    assert problem.check(answer).outcome == outcome


def test_feedback_carries_the_reason_of_a_wrong_choice():
    feedback = SINGLE.check(0)
    assert feedback.reason == "a est faux car…"
    assert "pas la bonne réponse" in feedback.text
    assert SINGLE.check(1).reason == "parce que"
    assert "b" in SINGLE.solution_text()


def test_partial_multiple_choice_says_how_many_were_found():
    assert "1 bonne(s) réponse(s) sur 2" in MULTI.check([0]).reason


def test_number_answer_explains_what_to_type():
    assert "Saisissez un nombre" in NUMBER.check("douze").reason


@pytest.mark.parametrize("typed", ["12,5", "12,5 %", "12.5", " 12,5\u202f% ", 12.5])
def test_number_answer_reads_what_people_type(typed):
    assert NUMBER.check(typed).is_correct
    percent = quiz.NumberAnswer(id="p", prompt="?", answer=83, unit="%")
    assert percent.check("83 %").is_correct and percent.check("83").is_correct


@pytest.mark.parametrize(
    ("text", "number"),
    [("3,5", 3.5), ("1 200", 1200), ("1\u202f200,5", 1200.5), ("12 %", 12), (7, 7.0)],
)
def test_parse_number_reads_french_numbers(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", True, None, "1,2,3"])
def test_parse_number_refuses_non_numbers(text):
    assert parse_number(text) is None


def test_every_module_bank_that_exists_is_valid():
    for module in load_modules():
        if quiz.bank_path(module.id).exists():
            bank = quiz.load_bank(module.id)
            assert 3 <= len(bank.problems) <= 6, module.id
            for problem in bank.problems:
                assert problem.prompt.strip()
                if not isinstance(problem, quiz.OpenQuestion):
                    assert problem.hints, f"{module.id}/{problem.id} needs a hint before the answer"


BAD_BANKS = {
    "syntax": "questions: [\n  - id: x\n",
    "no questions": "title: Quiz\n",
    "empty": "questions: []\n",
    "bad kind": "questions:\n  - {id: a, type: vrai_faux, question: '?'}\n",
    "answer out of range": "questions:\n  - {id: a, type: choix_unique, question: '?', choix: [x, y], reponse: 3}\n",
    "answer not a number": "questions:\n  - {id: a, type: nombre, question: '?', reponse: beaucoup}\n",
    "no prompt": "questions:\n  - {id: a, type: ouverte}\n",
    "duplicate ids": "questions:\n  - {id: a, type: ouverte, question: '?'}\n  - {id: a, type: ouverte, question: '?'}\n",
    "multiple empty": "questions:\n  - {id: a, type: choix_multiples, question: '?', choix: [x], reponse: []}\n",
}


@pytest.mark.parametrize("name", sorted(BAD_BANKS))
def test_malformed_banks_give_french_messages(tmp_path, name):
    path = tmp_path / "bank.yaml"
    path.write_text(BAD_BANKS[name], encoding="utf-8")
    with pytest.raises(DatalabError) as info:
        quiz.load_bank("01_introduction", path)
    assert "bank.yaml" in str(info.value)


def test_a_valid_bank_with_every_kind(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(
        """
title: "Quiz test"
questions:
  - id: un
    type: choix_unique
    question: "Laquelle ?"
    choix: ["A", "B"]
    reponse: 2
    indice: "Pas A."
    pourquoi_pas: {1: "A est un piège."}
  - id: deux
    type: choix_multiples
    question: "Lesquelles ?"
    choix: ["A", "B", "C"]
    reponse: [1, 3]
    indices: ["Deux réponses.", "Pas B."]
  - id: trois
    type: nombre
    question: "Combien ?"
    reponse: "3,5"
    tolerance: 0.01
  - id: quatre
    type: ouverte
    question: "Qu’en pensez-vous ?"
""",
        encoding="utf-8",
    )
    bank = quiz.load_bank("01_introduction", path)
    assert bank.title == "Quiz test"
    one, two, three, four = bank.problems
    assert one.check(1).outcome == quiz.CORRECT and one.check(0).reason == "A est un piège."
    assert two.hints == ["Deux réponses.", "Pas B."] and two.check([0, 2]).is_correct
    assert three.check("3,5").is_correct
    assert four.check("oui").outcome == quiz.UNCHECKABLE


def test_answers_and_hints_are_recorded_and_scored(workspace):
    bank = quiz.Bank("01_introduction", "Quiz", [SINGLE, MULTI, OPEN])
    course.record_answer(workspace, bank.module_id, SINGLE, 0, SINGLE.check(0))
    course.record_answer(workspace, bank.module_id, SINGLE, 1, SINGLE.check(1))
    course.record_hint(workspace, bank.module_id, "m", 1)
    stored = course.quiz_answers(workspace, bank.module_id)
    assert stored["q"] == {"answer": 1, "outcome": "correct", "attempts": 2, "hints_seen": 0}
    assert stored["m"]["hints_seen"] == 1
    assert course.quiz_score(workspace, bank) == (1, 2)
