"""The course's records as plain values (labkit/course/*): what labkit/learner/course.py keeps in
a learner's workspace, read and written without any workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from labkit.course import canvas, modules, quiz, risk
from labkit.course.checks import check_workspace
from labkit.course.project import OWN, Project, project_from_record, project_record
from labkit.errors import DatalabError
from labkit.yamlfile import identified, where

WHEN = dt.datetime(2026, 3, 2, 14, 30)


def test_statuses_fall_back_to_todo():
    listed = modules.load_modules()
    stored = {
        listed[0].id: {"status": "done"},
        listed[1].id: "abîmé",
        listed[2].id: {"status": "?"},
    }
    statuses = modules.statuses(stored, listed)
    assert statuses[listed[0].id] == "done"
    assert statuses[listed[1].id] == statuses[listed[2].id] == "todo"
    assert set(modules.statuses(None, listed).values()) == {"todo"}


def test_next_status_never_downgrades_done():
    assert modules.next_status("done", "in_progress") is None
    assert modules.next_status("done", "todo") == "todo"
    assert modules.next_status(None, "in_progress") == "in_progress"
    with pytest.raises(ValueError):
        modules.next_status(None, "fini")


def test_quiz_score_counts_gradable_questions():
    bank = quiz.Bank(
        "m",
        "Quiz",
        [
            quiz.SingleChoice(id="a", prompt="?", choices=["x", "y"], answer=0),
            quiz.NumberAnswer(id="b", prompt="?", answer=3.5),
            quiz.OpenQuestion(id="c", prompt="?"),
        ],
    )
    stored = {"a": {"outcome": quiz.CORRECT}, "b": {"outcome": quiz.INCORRECT}, "c": {}}
    assert quiz.score(bank, stored) == (1, 2)


def test_project_record_round_trip():
    project = Project(OWN, "Mon projet")
    assert project_from_record(project_record(project)) == project
    assert project_from_record({"kind": "autre"}) is None
    assert project_from_record("abîmé") is None


def test_canvas_record_round_trip():
    result = canvas.checked_for_saving({"titre": "Piscine", "probleme": "Trop d’attente"})
    record = canvas.record(result, WHEN)
    assert record["saved_at"] == "2026-03-02T14:30:00" and record["complete"] is False
    assert canvas.from_record(record) == result.values
    assert canvas.saved_at(record) == "2026-03-02T14:30:00"
    summary = canvas.summary(record)
    assert summary["saved"] and not summary["complete"]
    assert canvas.summary(None)["saved"] is False


def test_risk_record_keeps_what_is_not_given():
    questionnaire = risk.load_questionnaire()
    first_question = questionnaire.questions[0].id
    first_point = questionnaire.checklist[0].id
    record, _ = risk.updated_record(
        questionnaire, None, {first_question: risk.YES}, {first_point: "Noté."}, WHEN
    )
    record, assessment = risk.updated_record(questionnaire, record, None, None, WHEN)
    assert risk.from_record(record) == ({first_question: risk.YES}, {first_point: "Noté."})
    assert assessment.answered == 1
    assert risk.summary(questionnaire, record)["assessed"]


def test_identified_names_each_item_for_the_messages(tmp_path):
    path = tmp_path / "liste.yaml"
    found = list(identified([{"id": "a"}, {"id": "b"}], path=path, place="module"))
    assert [(i, place) for i, _item, place in found] == [
        ("a", "le module « a »"),
        ("b", "le module « b »"),
    ]
    with pytest.raises(DatalabError) as caught:
        list(identified([{"id": "a"}, {"titre": "sans id"}], path=path, place="question"))
    assert "la question n° 2" in caught.value.message
    assert where("file") == "le fichier"


def test_check_workspace_uses_the_root_it_is_given(tmp_path):
    assert check_workspace(tmp_path / "espaces").ok
    blocked = tmp_path / "fichier"
    blocked.write_text("x", encoding="utf-8")
    assert not check_workspace(Path(blocked) / "dessous").ok
