"""``datalab check`` on the files facilitators edit: every YAML file of ``content/`` parses (French
explanations with line and column), and the running example names a dataset and a target that
exist. Each test works on a temporary copy of ``content/`` (``DATALAB_ROOT``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from labkit import yamlfile
from labkit.course import checks
from labkit.errors import DatalabError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A project root whose ``content/`` is a copy (notebooks and datasets are the real ones)."""
    project = tmp_path / "projet"
    project.mkdir()
    (project / "notebooks").symlink_to(ROOT / "notebooks")
    (project / "datasets").symlink_to(ROOT / "datasets")
    shutil.copytree(ROOT / "content", project / "content")
    monkeypatch.setenv("DATALAB_ROOT", str(project))
    return project


def fixes(results) -> list[str]:
    return [r.line() for r in results if not r.ok]


def test_the_real_content_passes(root):
    assert not fixes(checks.check_content_files())
    assert not fixes(checks.check_running_example())


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: 1\nb: Quoi: ça\n", 2, 8, "deux-points « : » inattendu"),
        ("a:\n\tb: 1\n", 2, 1, "tabulation"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "indentation"),
        ('a: "texte\nb: 2\n', 3, 1, "guillemet ouvert ligne 1"),
        ("a: 1\nb\nc: 2\n", 3, 1, "il manque le deux-points « : » après une clé (ligne 2)"),
        ("a: [1, 2\nb: 3\n", 2, 2, "crochet « [ » ouvert ligne 1"),
        ("a: {x: 1\n", 2, 1, "accolade « { » ouverte ligne 1"),
        ("a: 'l'exemple'\n", 1, 7, "apostrophe droite"),
        ("a: @x\n", 1, 4, "ne peut pas commencer par « @ »"),
        ("a: *x\n", 1, 4, "ne peut pas commencer par « * »"),
    ],
)
def test_yaml_errors_are_explained_in_french_with_line_and_column(
    tmp_path, text, line, column, words
):
    path = tmp_path / "fichier.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatalabError) as caught:
        yamlfile.load_yaml(path)
    message = str(caught.value)
    assert f"Ligne {line}, colonne {column} : " in message
    assert words in message
    for english in ("mapping values", "expected", "found", "while scanning"):
        assert english not in message


def test_the_line_and_column_are_the_parser_s():
    text = "questions:\n  - id: a\n    question: Quoi: ça\n"
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.safe_load(text)
    mark = caught.value.problem_mark
    assert (mark.line + 1, mark.column + 1) == (3, 19)


def test_a_file_not_in_utf8_is_named(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("titre: « crèche »\n".encode("latin-1"))
    with pytest.raises(DatalabError, match="pas enregistré en UTF-8"):
        yamlfile.load_yaml(path)


def test_check_names_each_broken_content_file_with_its_line(root):
    (root / "content" / "quiz" / "03_donnees.yaml").write_text(
        'title: "Quiz"\nquestions:\n  - id: a\n    question: Quoi: ça\n', encoding="utf-8"
    )
    (root / "content" / "risques.yaml").write_text("titre: x\n\tniveaux: []\n", encoding="utf-8")
    lines = fixes(checks.check_content_files())
    assert len(lines) == 2
    quiz_line = next(line for line in lines if "content/quiz/03_donnees.yaml" in line)
    assert "Ligne 4, colonne 19 : un deux-points « : » inattendu" in quiz_line
    risk_line = next(line for line in lines if "content/risques.yaml" in line)
    assert "Ligne 2, colonne 1 : une tabulation" in risk_line
    # the whole check says so too
    assert len(fixes(checks.run_all(root / "espaces"))) >= 2


def _set_example(root: Path, **values: str) -> None:
    path = root / "content" / "settings.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        old = {"jeu_de_donnees": "creches", "cible": "place_attribuee"}[key]
        text = text.replace(f"{key}: {old}", f"{key}: {value}")
    path.write_text(text, encoding="utf-8")


def test_a_misspelt_running_example_dataset_is_a_fix_listing_the_datasets(root):
    _set_example(root, jeu_de_donnees="creche")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "« jeu_de_donnees: creche »" in lines[0]
    assert "n’existe pas" in lines[0]
    assert "creches, demandes" in lines[0]


def test_a_misspelt_running_example_target_is_a_fix_listing_the_columns(root):
    _set_example(root, cible="place_attribue")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "« cible: place_attribue »" in lines[0]
    assert "n’est pas une colonne du jeu « creches »" in lines[0]
    assert "quartier" in lines[0] and "place_attribuee" in lines[0]


def test_another_existing_example_passes(root):
    _set_example(root, jeu_de_donnees="piscine", cible="frequentation")
    first = checks.check_running_example()[0]
    assert first.ok and "cible « frequentation »" in first.detail


def test_with_the_default_example_no_text_is_to_adapt(root):
    lines = [r.line() for r in checks.check_running_example()]
    assert any("aucun texte ne parle d’un autre exemple" in line for line in lines)


def test_switching_the_example_lists_every_text_still_about_the_old_one(root):
    (root / "facilitator-guide").symlink_to(ROOT / "facilitator-guide")
    _set_example(root, jeu_de_donnees="piscine", cible="frequentation")
    lines = fixes(checks.check_running_example())
    files = {re.match(r"FIX  à adapter : (\S+) :", line).group(1) for line in lines}
    for expected in (
        "content/risques.yaml",
        "content/settings.yaml",
        "labkit/messages/canvas.yaml",
        "labkit/messages/quality.yaml",
        "notebooks/02_cadrage.ipynb",
        "notebooks/03_donnees.ipynb",
        "notebooks/04_preparation.ipynb",
        "facilitator-guide/docs/modules/04_preparation.md",
    ):
        assert expected in files, (expected, files)
    risk_line = next(line for line in lines if "content/risques.yaml" in line)
    number = int(re.search(r"ligne (\d+) \(« crèche »\)", risk_line).group(1))
    risk_text = (root / "content" / "risques.yaml").read_text(encoding="utf-8").splitlines()
    assert "crèche" in risk_text[number - 1]
    notebook_line = next(line for line in lines if "notebooks/02_cadrage.ipynb" in line)
    assert "cellule 5 (« crèche »)" in notebook_line
    # once adapted, the file is no longer listed
    path = root / "content" / "risques.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("crèche", "piscine")
        .replace("commission d’attribution", "direction des sports"),
        encoding="utf-8",
    )
    lines = fixes(checks.check_running_example())
    assert not any("content/risques.yaml" in line for line in lines)


def test_a_new_example_without_its_words_is_told_where_to_add_them(root):
    (root / "content" / "exemples_fil_rouge.yaml").write_text(
        "autre:\n  mots: [mot_introuvable]\n", encoding="utf-8"
    )
    lines = [r.line() for r in checks.check_running_example()]
    assert lines[-1].startswith("OK")
    assert "ajoutez les mots propres à « creches »" in lines[-1]
