"""One learner, several projects: each a whole chain in its own folder, never mixed (issue 22)."""

from __future__ import annotations

import html
import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit.course import canvas, risk
from labkit.data import selection
from labkit.errors import DatalabError
from labkit.learner import LearnerProject, course, sheets
from labkit.learner import model as saved_model
from labkit.learner import usecase as saved_usecase
from labkit.learner.dataset import forget_file, keep_file, kept_files, load_choice, save_choice
from labkit.model import learning, problem
from labkit.prepare.recipe import Recipe
from labkit.serve.room import RoomReader
from labkit.workspace import EXAMPLE_PROJECT, Workspace

BEFORE_PROJECTS = Path(__file__).parent / "fixtures" / "workspace-before-projects"


def table(kind: str, n: int = 90, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if kind == "traffic":
        frame = pd.DataFrame(
            {
                "station": rng.choice(["Nord", "Sud", "Est"], n),
                "heure": rng.integers(6, 22, n),
                "pluie": rng.integers(0, 2, n),
            }
        )
        frame["trafic"] = 100 + 9 * frame["heure"] - 30 * frame["pluie"] + rng.normal(0, 9, n)
        return frame.round(1)
    frame = pd.DataFrame(
        {
            "operateur": rng.choice(["Alpha", "Beta", "Gamma"], n),
            "prises": rng.integers(1, 8, n),
            "acces": rng.choice(["public", "prive"], n),
        }
    )
    frame["puissance"] = (7 + 11 * frame["prises"] + rng.normal(0, 3, n)).round(1)
    return frame


def choose(workspace, frame: pd.DataFrame, name: str, target: str) -> None:
    choice = selection.DatasetChoice("upload", None, name, target, filename=f"import-{name}")
    save_choice(workspace, choice, frame)


def train_and_save(workspace, frame: pd.DataFrame, target: str) -> dict:
    plan = problem.plan_evaluation(frame, target)
    split = problem.split_data(frame, target, plan)
    features = [c for c in frame.columns if c != target]
    trained = learning.train(
        frame, target, features, "tree", split=split, recipe=Recipe().to_dict()
    )
    name = (workspace.load("dataset") or {}).get("name")
    return saved_model.save_model(workspace, trained, {"dataset": {"name": name, "id": None}})


# ------------------------------------------------------------------------------ the store
def test_a_new_learner_starts_in_the_example_project_and_learner_records_stay_apart(workspace):
    assert workspace.project_ids() == [EXAMPLE_PROJECT]
    assert workspace.project_id == EXAMPLE_PROJECT
    course.save_canvas(workspace, {"titre": "x"})
    course.set_status(workspace, "03_donnees", "done")
    assert (workspace.folder / "projects" / EXAMPLE_PROJECT / "canvas.json").exists()
    assert (workspace.folder / "progress.json").exists()  # progress belongs to the learner
    assert not (workspace.folder / "canvas.json").exists()


def test_two_projects_keep_their_own_chain_and_the_open_one_survives_a_restart(workspace_root):
    workspace = Workspace.open("Camille", workspace_root)
    project = LearnerProject(workspace)
    traffic, charging = table("traffic"), table("charging")
    a = project.start_project("Trafic", lambda: choose(workspace, traffic, "trafic.csv", "trafic"))
    course.save_canvas(workspace, {"titre": "Trafic", "probleme": "Estimer le trafic."})
    train_and_save(workspace, traffic, "trafic")
    b = project.start_project(
        "Bornes", lambda: choose(workspace, charging, "bornes.csv", "puissance")
    )
    train_and_save(workspace, charging, "puissance")
    assert (a, b) == ("projet-1", "projet-2")
    assert course.load_canvas(workspace) is None  # B was not framed: nothing of A shows
    project.open_project(a)
    choice, frame = load_choice(workspace)
    assert choice.name == "trafic.csv" and list(frame.columns) == list(traffic.columns)
    assert saved_model.load_metadata(workspace)["target"] == "trafic"
    assert course.load_canvas(workspace)["probleme"] == "Estimer le trafic."
    again = Workspace.open("Camille", workspace_root)  # a reload, or another device
    assert again.project_id == a
    assert saved_model.load_metadata(again)["target"] == "trafic"
    entries = {e.id: e for e in LearnerProject(again).projects()}
    assert (
        entries[a].is_open and entries[a].title == "Trafic" and entries[a].dataset == "trafic.csv"
    )
    assert entries[b].title == "Bornes" and entries[b].dataset == "bornes.csv"
    assert entries[EXAMPLE_PROJECT].is_example and not entries[EXAMPLE_PROJECT].is_open


def test_opening_a_project_is_announced_once_to_every_module(workspace):
    project = LearnerProject(workspace)
    heard: list[str] = []
    project.subscribe(heard.append)
    project.start_project("Trafic", lambda: choose(workspace, table("traffic"), "t.csv", "trafic"))
    assert heard.count("all") == 1 and "dataset" in heard
    assert project.take_notices() == []  # no notice was asked for
    project.open_project(EXAMPLE_PROJECT, notice="ouvert")
    assert project.take_notices() == ["ouvert"]


def test_a_project_that_cannot_be_filled_is_not_left_half_made(workspace):
    project = LearnerProject(workspace)

    def bad_choice():
        choose(workspace, table("traffic"), "t.csv", "colonne_absente")

    heard: list[str] = []
    project.subscribe(heard.append)
    with pytest.raises(DatalabError):
        project.start_project("Trafic", bad_choice)
    assert workspace.project_ids() == [EXAMPLE_PROJECT]
    assert workspace.project_id == EXAMPLE_PROJECT
    assert heard == [], "nothing changed: the page is not rebuilt, and shows the French error"


def test_a_project_creation_killed_half_way_leaves_the_learner_where_she_was(workspace_root):
    workspace = Workspace.open("Camille", workspace_root)
    project = LearnerProject(workspace)

    def killed():
        choose(workspace, table("traffic"), "t.csv", "trafic")
        raise KeyboardInterrupt  # the kernel stopped in the middle of the first writes

    with pytest.raises(KeyboardInterrupt):
        project.start_project("Trafic", killed)
    assert workspace.project_ids() == [EXAMPLE_PROJECT] and workspace.project_id == EXAMPLE_PROJECT
    assert load_choice(workspace)[0].is_default
    # a process killed outright leaves its hidden folder: never listed, removed later
    partial = workspace.folder / "projects" / ".projet-1.nouveau"
    (partial / "tables").mkdir(parents=True)
    (partial / "dataset.json").write_text("{}", encoding="utf-8")
    again = Workspace.open("Camille", workspace_root)
    assert again.project_ids() == [EXAMPLE_PROJECT] and again.project_id == EXAMPLE_PROJECT
    old = time.time() - 3600
    os.utime(partial, (old, old))
    Workspace.open("Camille", workspace_root)
    assert not partial.exists()


@pytest.mark.parametrize("title", ["", "   ", "x" * 500])
def test_a_bad_project_title_gets_a_french_message_and_creates_nothing(workspace, title):
    with pytest.raises(DatalabError, match="titre"):
        LearnerProject(workspace).start_project(title)
    assert workspace.project_ids() == [EXAMPLE_PROJECT]


def test_unknown_projects_cannot_be_opened_and_the_example_cannot_be_deleted(workspace):
    with pytest.raises(DatalabError, match="n’existe pas"):
        workspace.open_project("projet-9")
    with pytest.raises(DatalabError, match="n’existe pas"):
        workspace.open_project("../autre")
    with pytest.raises(DatalabError, match="exemple ne peut pas"):
        workspace.delete_project(EXAMPLE_PROJECT)


def test_a_deleted_project_is_put_aside_and_the_example_opened(workspace):
    project = LearnerProject(workspace)
    own = project.start_project("Trafic")
    project.delete_project(own)
    assert workspace.project_ids() == [EXAMPLE_PROJECT] and workspace.project_id == EXAMPLE_PROJECT
    assert any(own in p.name for p in (workspace.folder.parent.parent / "backups").iterdir())


# ---------------------------------------------------------------------------- migration
def test_a_workspace_saved_before_projects_opens_as_one_project(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(BEFORE_PROJECTS, root)
    workspace = Workspace.open("Camille", root)
    assert workspace.project_ids() == [EXAMPLE_PROJECT, "projet-1"]
    assert workspace.project_id == "projet-1"  # it was her own project
    assert LearnerProject(workspace).title() == "Comptages vélo"
    choice, frame = load_choice(workspace)
    assert choice.name == "comptages.csv" and len(frame) == 80
    assert saved_model.load_model(workspace).target == "velos"
    assert course.load_canvas(workspace)["titre"] == "Comptages vélo"
    assert sheets.load_transparency(workspace)["traitement"] == "Comptages vélo"
    assert course.progress(workspace)["03_donnees"] == "done"
    assert [f["file"] for f in kept_files(workspace)] == ["import-comptages.csv"]
    top = {p.name for p in workspace.folder.iterdir()}
    assert top == {"learner.json", "progress.json", "projects.json", "projects", "files"}
    context = saved_usecase.load_context(workspace)
    assert not context.is_default and context.notice is None  # a model of before is not judged
    assert sheets.transparency_stale(workspace) is None


def test_a_migration_killed_half_way_is_finished_at_the_next_open(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(BEFORE_PROJECTS, root)
    folder = root / "learners" / "camille"
    staging = folder / "projects" / ".migration"
    (staging / "tables").mkdir(parents=True)
    for name in ("dataset.json", "project.json", "tables/raw.parquet"):  # moved before the kill
        (folder / name).rename(staging / name)
    workspace = Workspace.open("Camille", root)
    assert workspace.project_id == "projet-1" and not staging.exists()
    assert load_choice(workspace)[0].name == "comptages.csv"
    assert saved_model.load_metadata(workspace)["target"] == "velos"


def test_a_workspace_export_of_before_projects_is_imported_as_one_project(tmp_path):
    buffer = io.BytesIO()
    source = BEFORE_PROJECTS / "learners" / "camille"
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    workspace = Workspace.open("Dominique", tmp_path / "root")
    workspace.import_zip(buffer.getvalue())
    assert workspace.project_id == "projet-1"
    assert load_choice(workspace)[0].name == "comptages.csv"


def test_the_room_view_reads_each_learners_open_project(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(BEFORE_PROJECTS, root)
    before = RoomReader(root).summary().learner("camille")
    assert before.dataset == "comptages.csv"  # not migrated yet: read as it is, never written
    assert not (root / "learners" / "camille" / "projects.json").exists()
    workspace = Workspace.open("Camille", root)
    row = RoomReader(root).summary().learner("camille")
    assert (row.project, row.dataset) == ("Comptages vélo", "comptages.csv")
    workspace.open_project(EXAMPLE_PROJECT)
    row = RoomReader(root).summary().learner("camille")
    assert row.project == "Projet d’exemple" and row.dataset == ""


# ------------------------------------------------------------------------ export, import
def test_two_projects_exported_and_imported_into_another_workspace(workspace_root):
    workspace = Workspace.open("Camille", workspace_root)
    project = LearnerProject(workspace)
    archives = {}
    for title, kind, target in (
        ("Trafic", "traffic", "trafic"),
        ("Bornes", "charging", "puissance"),
    ):
        frame = table(kind)
        project.start_project(title, lambda f=frame, t=target: choose(workspace, f, f"{t}.csv", t))
        train_and_save(workspace, frame, target)
        archives[title] = workspace.export_project()
    other = LearnerProject(Workspace.open("Dominique", workspace_root))
    for title, target in (("Trafic", "trafic"), ("Bornes", "puissance")):
        project_id = other.import_project(archives[title])
        assert other.title(project_id) == title
        assert saved_model.load_model(other.workspace).target == target
        assert load_choice(other.workspace)[0].target == target
    assert other.workspace.project_ids() == [EXAMPLE_PROJECT, "projet-1", "projet-2"]


def test_the_example_project_exported_is_imported_as_an_own_copy(workspace_root):
    workspace = Workspace.open("Camille", workspace_root)
    course.save_canvas(workspace, {"titre": "Crèches", "probleme": "Attribuer les places."})
    archive = workspace.export_project()
    other = LearnerProject(Workspace.open("Dominique", workspace_root))
    project_id = other.import_project(archive)
    assert project_id == "projet-1" and not other.is_example
    assert other.title().endswith("(copie importée)")
    assert course.load_canvas(other.workspace)["probleme"] == "Attribuer les places."


def test_a_workspace_export_leaves_unfinished_writes_out_and_imports_again(workspace_root):
    workspace = Workspace.open("Camille", workspace_root)
    LearnerProject(workspace).start_project("Trafic")
    unfinished = workspace.folder / "projects" / ".projet-2.nouveau"
    unfinished.mkdir()
    (unfinished / "dataset.json").write_text("{}", encoding="utf-8")
    archive = workspace.export_zip()
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert "projects/projet-1/project.json" in names
    assert not any("/." in f"/{name}" for name in names)
    other = Workspace.open("Dominique", workspace_root)
    other.import_zip(archive)
    assert other.project_ids() == [EXAMPLE_PROJECT, "projet-1"]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MARK = "datalab-projet.txt"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"pas une archive", "pas un projet Datalab"),
        (_zip({"dataset.json": b"{}"}), "pas un projet Datalab"),  # a workspace, not a project
        (_zip({MARK: b"", "../evil.json": b"{}"}), "non accepté"),
        (
            _zip({MARK: b"", "progress.json": b"{}"}),
            "non accepté",
        ),  # the learner's, not a project's
        (_zip({MARK: b"", "files/import-x.csv": b"a"}), "non accepté"),
        (_zip({MARK: b"", "tables/sub/x.parquet": b"a"}), "non accepté"),
    ],
)
def test_a_bad_project_archive_is_refused_in_french_and_adds_nothing(workspace, data, expected):
    with pytest.raises(DatalabError, match=expected):
        LearnerProject(workspace).import_project(data)
    assert workspace.project_ids() == [EXAMPLE_PROJECT]
    assert not list((workspace.folder / "projects").glob(".*"))


# ----------------------------------------------------------------------- nothing stale
def test_replaced_data_mark_the_model_and_the_sheet_out_of_date(workspace):
    project = LearnerProject(workspace)
    traffic = table("traffic")
    project.start_project("Trafic", lambda: choose(workspace, traffic, "trafic.csv", "trafic"))
    train_and_save(workspace, traffic, "trafic")
    sheets.save_transparency(workspace, {"traitement": "Trafic"})
    assert sheets.transparency_stale(workspace) is None
    assert saved_usecase.load_context(workspace).notice is None
    choose(workspace, table("charging"), "bornes.csv", "puissance")  # « Remplacer les données »
    notice = saved_usecase.load_context(workspace).notice
    assert "entraîné sur « trafic.csv »" in notice and "« bornes.csv »" in notice
    assert "données du projet ont été remplacées" in sheets.transparency_stale(workspace)
    report = sheets.project_report(workspace)
    assert "données du projet ont été remplacées" in report
    assert "entraîné sur « trafic.csv »" in report  # the report says whose model it shows


def test_a_model_trained_again_marks_the_saved_sheet_out_of_date(workspace, monkeypatch):
    traffic = table("traffic")
    choose(workspace, traffic, "trafic.csv", "trafic")
    train_and_save(workspace, traffic, "trafic")
    sheets.save_transparency(workspace, {"traitement": "Trafic"})
    meta = dict(workspace.load("training"))
    meta["saved"] = "2099-01-01T00:00:00+00:00"  # trained again later
    workspace.save("training", meta)
    stale = sheets.transparency_stale(workspace)
    assert "réentraîné depuis cette fiche" in stale
    assert "réentraîné depuis cette fiche" in sheets.project_report(workspace)


def test_an_own_project_not_framed_never_shows_the_running_examples_framing(workspace):
    project = LearnerProject(workspace)
    project.start_project("Mon projet à moi")
    facts = sheets.gather_facts(workspace)
    draft = " ".join(sheets.current_values(workspace, facts)[0].values())
    report = sheets.project_report(workspace, facts)
    framing = [v for v in canvas.example_values().values() if len(v) > 12]
    assert framing, "the running example's canvas has texts to look for"
    for text in (draft, report, facts.title):
        for value in framing:
            assert html.escape(value, quote=False) not in text and value not in text
    assert facts.title == "Mon projet à moi"
    assert "Rapport de projet : Mon projet à moi" in report
    project.open_project(EXAMPLE_PROJECT)  # the example project keeps its framing as a stand-in
    facts = sheets.gather_facts(workspace)
    assert facts.title == canvas.example_values()["titre"]


# ------------------------------------------------------------------------- kept files
def test_uploaded_files_are_listed_for_every_project_and_can_be_deleted(workspace):
    keep_file(workspace, "import-trafic.csv", b"a;b\n1;2\n", original="Trafic 2024.csv", rows=1)
    LearnerProject(workspace).start_project("Autre")
    listed = kept_files(workspace)
    assert [(f["file"], f["name"], f["rows"]) for f in listed] == [
        ("import-trafic.csv", "Trafic 2024.csv", 1)
    ]
    forget_file(workspace, "import-trafic.csv")
    assert kept_files(workspace) == []
    with pytest.raises(DatalabError):
        forget_file(workspace, "../learner.json")


# -------------------------------------------------------------------------------- risk
def test_a_level_to_check_says_why_when_no_answer_is_yes():
    questionnaire = risk.load_questionnaire()
    first = questionnaire.questions[0].id
    answers = {q.id: risk.NO for q in questionnaire.questions} | {first: risk.UNSURE}
    assessment = risk.assess(questionnaire, answers)
    if assessment.possible_level is None:
        pytest.fail("the first question of the questionnaire should be able to raise the level")
    explanation = " ".join(assessment.explanation)
    assert "aucune question" in explanation and "je ne sais pas" in explanation
    assert assessment.possible_level.name in explanation
