"""The facilitator's room (labkit.serve.room) without a server: learners in different states, damaged
workspaces, question statistics, the reset of one module, the exports' safety, the page's escaping."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from labkit import csvsafe
from labkit.course import quiz
from labkit.learner import activity, course
from labkit.serve import room, roomview
from labkit.serve.devserver import free_port
from labkit.workspace import Workspace

INTRO = "01_introduction"


def answer(workspace, module_id: str, index: int, choice, times: int = 1) -> None:
    problem = quiz.load_bank(module_id).problems[index]
    for _ in range(times):
        course.record_answer(workspace, module_id, problem, choice, problem.check(choice))


def right_choice(module_id: str, index: int):
    problem = quiz.load_bank(module_id).problems[index]
    return problem.answer


@pytest.fixture
def three(workspace_root):
    """Stuck (an error in 03), done (module 01 and its quiz), idle (opened, nothing since)."""
    stuck = Workspace.open("Bloquée", workspace_root)
    activity.note_activity(stuck, "03")
    activity.note_message(stuck, "03_donnees", "error", "Le fichier « ventes.csv » ne se lit pas.")
    done = Workspace.open("Finisseur", workspace_root)
    course.set_status(done, INTRO, "done")
    answer(done, INTRO, 0, right_choice(INTRO, 0))
    answer(done, INTRO, 1, 0 if right_choice(INTRO, 1) != 0 else 1)
    done.save("dataset", {"source": "catalogue", "dataset_id": "x", "name": "Cantines"})
    done.save(
        "training",
        {"name": "Forêt aléatoire", "metric": "accuracy", "test_score": 0.8125, "features": ["a"]},
    )
    activity.note_activity(done, "01")
    idle = Workspace.open("Dormeur", workspace_root)
    return stuck, done, idle


def test_three_learners_in_three_states(three, workspace_root):
    reader = room.RoomReader(workspace_root)
    summary = reader.summary()
    rows = {row.pseudonym: row for row in summary.learners}
    assert list(rows) == ["Bloquée", "Dormeur", "Finisseur"]
    now = summary.generated
    assert rows["Bloquée"].state(now) == "stuck"
    assert rows["Bloquée"].current == "03" and rows["Bloquée"].error_module == "03_donnees"
    assert rows["Finisseur"].state(now) == "active"
    assert rows["Finisseur"].statuses[INTRO] == "done"
    assert rows["Finisseur"].scores[INTRO] == (
        1,
        course.quiz_score(Workspace.open("Finisseur"), quiz.load_bank(INTRO))[1],
    )
    assert rows["Finisseur"].dataset == "Cantines"
    assert rows["Finisseur"].model == "Forêt aléatoire" and rows["Finisseur"].model_score == 0.8125
    assert rows["Dormeur"].state(now) == "new"
    later = now + dt.timedelta(minutes=room.IDLE_MINUTES + 1)
    assert rows["Dormeur"].state(later) == "idle" and rows["Finisseur"].state(later) == "idle"
    assert rows["Bloquée"].state(later) == "stuck"  # stuck stays visible
    intro = next(item for item in summary.per_module if item["module"].id == INTRO)
    assert intro["done"] == 1 and intro["here"] == 1 and intro["total"] == 3
    assert summary.counts() == {"learners": 3, "active": 2, "stuck": 1, "idle": 0}
    assert summary.notes == []


def test_statuses_follow_the_rule_of_modules_progress(three, workspace_root):
    reader = room.RoomReader(workspace_root)
    for row in reader.summary().learners:
        assert row.statuses == course.progress(Workspace.open(row.pseudonym, workspace_root))


def test_a_success_after_the_error_clears_stuck(three, workspace_root):
    stuck = three[0]
    activity.note_message(stuck, "03_donnees", "success", "Jeu de données enregistré.")
    row = room.RoomReader(workspace_root).summary().learner("bloquee")
    assert row.error_resolved and row.state(dt.datetime.now(dt.UTC)) == "active"


def test_questions_worst_first_at_first_try(workspace_root):
    good = right_choice(INTRO, 0)
    bad = 0 if good != 0 else 1
    for index, name in enumerate(["Alice", "Bruno", "Chloé"]):
        workspace = Workspace.open(name, workspace_root)
        answer(workspace, INTRO, 0, good)  # everyone right at once
        # question 2: right at first try only for Alice; Bruno right at the second try
        if index == 0:
            answer(workspace, INTRO, 1, right_choice(INTRO, 1))
        elif index == 1:
            answer(workspace, INTRO, 1, bad)
            answer(workspace, INTRO, 1, right_choice(INTRO, 1))
        else:
            answer(workspace, INTRO, 1, bad)
    summary = room.RoomReader(workspace_root).summary()
    ids = [q["id"] for q in summary.questions]
    second = quiz.load_bank(INTRO).problems[1].id
    assert ids[0] == second
    assert summary.questions[0]["attempted"] == 3 and summary.questions[0]["first_try"] == 1
    assert summary.questions[-1]["share"] == 1.0


def test_damaged_and_missing_documents_never_crash_and_are_left_as_they_are(workspace_root):
    learners = workspace_root / "learners"
    Workspace.open("Sain", workspace_root)
    broken = Workspace.open("Abîmé", workspace_root)
    (broken.folder / "progress.json").write_text("{pas du json", encoding="utf-8")
    (broken.folder / "quiz.json").write_bytes(b"\xff\xfe\x00garbage")
    (broken.project_folder / "training.json").write_text(json.dumps({"data": 3}), encoding="utf-8")
    (broken.folder / "activity.json").write_text(json.dumps([1, 2]), encoding="utf-8")
    (broken.folder / "last_error.json").write_text(json.dumps({"text": 5}), encoding="utf-8")
    (broken.project_folder / "dataset.json").write_text(
        json.dumps({"format": "datalab-workspace", "version": 99, "data": {}}), encoding="utf-8"
    )
    nameless = learners / "sans-fiche"
    nameless.mkdir()
    (nameless / "learner.json").write_text("[", encoding="utf-8")
    (learners / "not-a-folder.txt").write_text("x", encoding="utf-8")
    (learners / "..bad").mkdir()
    before = sorted(p.name for p in broken.folder.iterdir())
    summary = room.RoomReader(workspace_root).summary()
    names = [row.pseudonym for row in summary.learners]
    assert names == ["Abîmé", "Sain", "sans-fiche"]
    notes = " ".join(summary.notes)
    assert "« progress » de « Abîmé » est illisible" in notes
    assert "« quiz » de « Abîmé »" in notes and "« dataset » de « Abîmé »" in notes
    assert "sans fiche lisible (« sans-fiche »)" in notes
    assert sorted(p.name for p in broken.folder.iterdir()) == before  # nothing moved aside
    html = roomview.room_html(summary, "/")
    assert "Abîmé" in html and "Remarques" in html


def test_no_workspace_root_at_all(tmp_path):
    summary = room.RoomReader(tmp_path / "absent").summary()
    assert summary.learners == [] and summary.questions == []
    assert "Personne n’a encore ouvert le cahier" in roomview.room_html(summary, "/")


def test_unchanged_learners_are_not_read_again(three, workspace_root, monkeypatch):
    reader = room.RoomReader(workspace_root)
    reader.summary()
    calls = []
    original = reader._read_learner
    monkeypatch.setattr(
        reader, "_read_learner", lambda folder: calls.append(folder.name) or original(folder)
    )
    reader.summary()
    assert calls == []
    activity.note_activity(three[2], "02")
    summary = reader.summary()
    assert calls == ["dormeur"]
    assert summary.learner("dormeur").current == "02"


def test_reset_one_module_keeps_the_rest(three, workspace_root):
    stuck, done, _ = three
    answer(done, "02_cadrage", 0, 0)
    course.set_status(done, "02_cadrage", "in_progress")
    room.reset_module(done.folder, INTRO)
    fresh = Workspace.open("Finisseur", workspace_root)
    assert course.progress(fresh)[INTRO] == "todo"
    assert course.progress(fresh)["02_cadrage"] == "in_progress"
    assert course.quiz_answers(fresh, INTRO) == {} and course.quiz_answers(fresh, "02_cadrage")
    assert fresh.load("dataset")["name"] == "Cantines" and fresh.load("training")
    assert (fresh.folder / "quiz.prev.json").exists()
    room.reset_module(stuck.folder, "03_donnees")
    assert Workspace.open("Bloquée", workspace_root).load(activity.LAST_ERROR_KEY) is None
    room.reset_module(stuck.folder, INTRO)  # an error elsewhere is not forgotten
    row = room.RoomReader(workspace_root).summary().learner("finisseur")
    assert row.statuses[INTRO] == "todo" and INTRO not in row.scores


def test_csv_export_is_neutralised(workspace_root):
    learner = Workspace.open("Formule", workspace_root)
    learner.save("dataset", {"source": "upload", "name": '=HYPERLINK("http://x")'})
    activity.note_message(learner, "03_donnees", "error", "+cmd|' /C calc'!A0")
    summary = room.RoomReader(workspace_root).summary()
    import pandas as pd

    text = csvsafe.to_csv_bytes(pd.DataFrame(room.learners_table(summary)), sep=";").decode(
        "utf-8-sig"
    )
    assert ";\"'=HYPERLINK" in text and "'+cmd" in text
    assert "Pseudonyme;État" in text


def test_the_page_escapes_what_learners_typed(workspace_root):
    learner = Workspace.open("Échappé", workspace_root)
    learner.save("dataset", {"source": "upload", "name": "<img src=x onerror=alert(1)>"})
    activity.note_message(learner, "03_donnees", "error", "<script>alert(1)</script>")
    html = roomview.room_html(room.RoomReader(workspace_root).summary(), "/")
    assert "<img" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_secret_checks():
    assert roomview.secret_matches("abcdefgh", "abcdefgh")
    assert not roomview.secret_matches("abcdefgx", "abcdefgh")
    assert not roomview.secret_matches("", "abcdefgh") and not roomview.secret_matches("x", None)
    assert "abcdefgh" not in roomview.cookie_value("abcdefgh")


def test_message_area_records_the_last_error_for_the_room(workspace_root, monkeypatch):
    from labkit.ui import components
    from labkit.ui.page import follow_messages

    monkeypatch.setattr(components, "message_hook", None)
    learner = Workspace.open("Messager", workspace_root)
    follow_messages(learner, "04_preparation")
    area = components.MessageArea()
    area.info("Rien de grave.")
    assert learner.load(activity.LAST_ERROR_KEY) is None
    area.error("La colonne « âge » n’existe plus.")
    stored = learner.load(activity.LAST_ERROR_KEY)
    assert stored["module"] == "04_preparation" and not stored["resolved"]
    area.success("Recette enregistrée.")
    assert learner.load(activity.LAST_ERROR_KEY)["resolved"]


START_PORT = free_port()


def start_args(token=None, port=None):
    import argparse

    return argparse.Namespace(
        host="0.0.0.0",
        port=port or START_PORT,
        room=1,
        pool_size=0,
        facilitator_token=token,
        no_browser=True,
    )


def test_start_prints_a_generated_token_and_never_a_chosen_one(monkeypatch, capsys):
    import labkit.serve.server
    from labkit.commands import serve

    given = {}
    monkeypatch.setattr(labkit.serve.server, "serve", lambda **kw: given.update(kw))
    monkeypatch.delenv("DATALAB_FACILITATOR_TOKEN", raising=False)
    assert serve.run_start(start_args()) == 0
    out = capsys.readouterr().out
    assert (
        f"Animation (formateur) : http://localhost:{START_PORT}/animation?jeton="
        f"{given['facilitator_token']}" in out
    )
    assert len(given["facilitator_token"]) >= roomview.MIN_TOKEN_LENGTH
    monkeypatch.setenv("DATALAB_FACILITATOR_TOKEN", "choisi-par-moi-42")
    assert serve.run_start(start_args()) == 0
    out = capsys.readouterr().out
    assert given["facilitator_token"] == "choisi-par-moi-42" and "choisi-par-moi-42" not in out
    assert serve.run_start(start_args("court")) == 2
    assert "au moins 8 caractères" in capsys.readouterr().err


def test_a_busy_port_is_refused_in_french_before_anything_is_printed(monkeypatch, capsys):
    """Issue 24: on a port in use, both addresses and a new secret were printed, then Voilà's
    English « no available port could be found »."""
    import socket

    import labkit.serve.server
    from labkit.commands import serve

    started = []
    monkeypatch.setattr(labkit.serve.server, "serve", lambda **kw: started.append(kw))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = start_args(port=port)
        args.host = "127.0.0.1"
        assert serve.run_start(args) == 2
        captured = capsys.readouterr()
        assert started == [] and captured.out == ""
        assert f"Le port {port} est déjà utilisé" in captured.err
        assert f"./datalab.sh start --port {port + 1}" in captured.err
        assert serve.run_lab(args) == 2
        assert f"datalab lab --port {port + 1}" in capsys.readouterr().err
