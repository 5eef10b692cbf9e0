"""The running example is content (issue 24): everything the workbook says that is specific to it
lives in its story file, ``content/exemples/<name>.yaml``, and ``content/settings.yaml`` names it
in one line. These tests switch the example as a facilitator does (that one line) and read what
the pages, quizzes and guide then say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.course import canvas, quiz
from labkit.settings import example_leftovers, example_words, load_settings, story_names
from labkit.ui import player

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "facilitator-guide"
SHIPPED = ["creches", "demandes", "ecoles"]


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A project root whose ``content/`` is a copy (notebooks, datasets and guide are the real ones)."""
    project = tmp_path / "projet"
    project.mkdir()
    for folder in ("notebooks", "datasets", "facilitator-guide"):
        (project / folder).symlink_to(ROOT / folder)
    shutil.copytree(ROOT / "content", project / "content")
    monkeypatch.setenv("DATALAB_ROOT", str(project))
    return project


def follow(root: Path, name: str) -> None:
    """Switch the running example as the guide says: one line of ``content/settings.yaml``."""
    path = root / "content" / "settings.yaml"
    text = re.sub(
        r"^fil_rouge: .*$", f"fil_rouge: {name}", path.read_text(encoding="utf-8"), flags=re.M
    )
    path.write_text(text, encoding="utf-8")


def test_the_shipped_examples_each_have_a_story_with_their_words():
    assert set(SHIPPED) <= set(story_names())
    words = example_words()
    for name in SHIPPED:
        assert len(words[name]) >= 4, name


def test_no_notebook_message_quiz_or_guide_page_names_an_example():
    """Outside the story files, no text names an example's words (its columns, places, story):
    every notebook, message, quiz, content file and guide page is searched."""
    leftovers = example_leftovers(example_words())
    assert not leftovers, [(x.file, x.where, x.word) for x in leftovers[:10]]


def test_the_search_finds_a_word_put_back_in_a_notebook(root):
    """The search above can fail: an example's column named in a notebook's text is found."""
    notebooks = root / "notebooks"
    notebooks.unlink()
    shutil.copytree(ROOT / "notebooks", notebooks)
    path = notebooks / "05_modele.ipynb"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "## Audit des biais", "## Audit des biais (delai_depasse)"
        ),
        encoding="utf-8",
    )
    found = example_leftovers(example_words())
    assert [(x.file, x.word, x.example) for x in found] == [
        ("notebooks/05_modele.ipynb", "delai_depasse", "demandes")
    ]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_quizzes_ask_the_followed_example_s_questions(root, name):
    follow(root, name)
    story = load_settings().running_example
    for module_id in ("02_cadrage", "03_donnees", "04_preparation", "05_modele", "06_usage"):
        bank = quiz.load_bank(module_id)
        ids = [p.id for p in bank.problems]
        for qid in quiz.example_question_ids(module_id):
            assert qid in ids
            asked = next(p for p in bank.problems if p.id == qid)
            assert asked.prompt == story.quiz_question(module_id, qid)["question"]
    decision = next(p for p in quiz.load_bank("02_cadrage").problems if p.id == "decision")
    other = "crèche" if name == "demandes" else "demandes des habitants"
    assert other not in decision.prompt


def test_a_question_the_example_does_not_give_is_left_out(root):
    path = root / "content" / "exemples" / "creches.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    - id: decision\n", "    - id: decision_ancienne\n"
    )
    path.write_text(text, encoding="utf-8")
    ids = [p.id for p in quiz.load_bank("02_cadrage").problems]
    assert "decision" not in ids and "decision_ancienne" not in ids
    assert ids[0] == "donnees_au_moment"


def test_a_quiz_left_with_no_question_says_so_in_french(root):
    (root / "content" / "quiz" / "02_cadrage.yaml").write_text(
        'title: "Quiz"\nquestions:\n  - fil_rouge: inconnue\n', encoding="utf-8"
    )
    from labkit.errors import DatalabError

    with pytest.raises(DatalabError, match="02_cadrage.yaml"):
        quiz.load_bank("02_cadrage")


def test_a_broken_story_question_names_the_story_file(root):
    path = root / "content" / "exemples" / "creches.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "      type: choix_unique\n", "      type: choix_unik\n", 1
    )
    path.write_text(text, encoding="utf-8")
    from labkit.errors import DatalabError

    with pytest.raises(DatalabError, match="creches.yaml"):
        quiz.load_bank("02_cadrage")


@pytest.mark.parametrize("name", SHIPPED)
def test_the_project_canvas_shows_the_followed_example(root, name):
    follow(root, name)
    story = load_settings().running_example
    examples = canvas.example_values()
    assert examples == {f.id: story.canvas[f.id] for f in canvas.FIELDS}
    assert story.target in examples["cible"]


def test_an_example_without_canvas_examples_shows_none(root):
    path = root / "content" / "exemples" / "essai.yaml"
    path.write_text(
        'jeu_de_donnees: piscine\ncible: frequentation\ntitre: "Essai"\n', encoding="utf-8"
    )
    follow(root, "essai")
    assert set(canvas.example_values().values()) == {""}
    assert canvas.fill_blanks_with_example({})["titre"] == ""


def test_a_story_passage_is_narrative_and_keeps_the_module_s_steps():
    """The notebooks read the story's passages through a narrative code cell: the steps are
    those the text cells make, as before the passages moved out."""
    steps = player.read_module("02_cadrage").steps
    first = steps[0]
    sources = [c.source for c in first.cells]
    assert any('app.example_story("cadrage")' in s for s in sources)
    assert first.cells[-1].source.strip() == "app.canvas_form()"
    assert [c.narrative for c in first.cells if "example_story" in c.source] == [True]
    cible = next(s for s in player.read_module("03_donnees").steps if s.title.startswith("Choisir"))
    assert [c.source.strip() for c in cible.cells if c.kind == "code"] == [
        'app.example_story("cible")',
        "app.choose()",
    ]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_pages_read_the_followed_example_s_passages(root, name, workspace):
    from labkit.ui.module02 import Module02App
    from labkit.use.usecase import example_notice

    follow(root, name)
    story = load_settings().running_example
    shown = Module02App(workspace).example_story("cadrage").value
    assert story.text("cadrage").splitlines()[0].lstrip("# ") in shown
    assert Module02App(workspace).example_story("absent").value == ""
    assert story.text("description") in example_notice("Trouver les données", story.target)


def test_the_guide_follows_the_example(root, tmp_path):
    """Built with the other example, the guide's module pages give its passages and no word of the
    first (the catalogue of module 03 lists every dataset, the crèches one included)."""
    follow(root, "demandes")
    site = tmp_path / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(GUIDE / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DATALAB_ROOT": str(root)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    story = load_settings().running_example
    page = (site / "modules" / "04_preparation.html").read_text(encoding="utf-8")
    assert "delai_traitement_jours" in page and "date_entree" not in page
    creches = [w.lower() for w in example_words()["creches"]]
    for module in ("02_cadrage", "04_preparation", "05_modele", "06_usage"):
        text = (site / "modules" / f"{module}.html").read_text(encoding="utf-8").lower()
        assert not [w for w in creches if w in text], module
    adapter = (site / "adapter.html").read_text(encoding="utf-8")
    assert "<code>demandes</code> (suivi aujourd’hui)" in adapter
    assert story.title in adapter
