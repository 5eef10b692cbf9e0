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
from labkit.settings import load_settings

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


def _set_example(root: Path, name: str) -> None:
    path = root / "content" / "settings.yaml"
    text = path.read_text(encoding="utf-8").replace("fil_rouge: creches", f"fil_rouge: {name}")
    path.write_text(text, encoding="utf-8")


def _edit_story(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / "exemples" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_switching_is_one_line_of_the_settings(root):
    _set_example(root, "demandes")
    example = load_settings().running_example
    assert (example.name, example.dataset, example.target) == (
        "demandes",
        "demandes",
        "delai_depasse",
    )
    first = checks.check_running_example()[0]
    assert first.ok and "cible « delai_depasse »" in first.detail


def test_an_unknown_example_is_a_fix_listing_the_story_files(root):
    _set_example(root, "creche")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "l’exemple fil rouge « creche » n’a pas de fichier dans content/exemples/" in lines[0]
    assert "creches, demandes" in lines[0]


def test_a_story_naming_a_path_is_refused(root):
    _set_example(root, "../settings")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1 and "« ../settings »" in lines[0]


def test_a_misspelt_story_dataset_is_a_fix_listing_the_datasets(root):
    _edit_story(root, "creches", "jeu_de_donnees: creches", "jeu_de_donnees: creche")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "« jeu_de_donnees: creche »" in lines[0]
    assert "n’existe pas" in lines[0]
    assert "creches, demandes" in lines[0]


def test_a_misspelt_story_target_is_a_fix_listing_the_columns(root):
    _edit_story(root, "creches", "cible: place_attribuee", "cible: place_attribue")
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "« cible: place_attribue »" in lines[0]
    assert "n’est pas une colonne du jeu « creches »" in lines[0]
    assert "quartier" in lines[0] and "place_attribuee" in lines[0]


def test_an_unknown_passage_name_is_a_fix_naming_the_known_ones(root):
    _edit_story(root, "creches", '  cible: "Pour', '  cibles: "Pour')
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert "cibles" in lines[0] and "description, cadrage, cible, exercice" in lines[0]


# What each shipped example cannot show (INFO lines), read from its table and card: the schema
# passage of the guide needs a declared schema; the real school table has no personal data (the
# report's « Patronyme » is a school's name, dismissed on the card), no leak (the pupils
# enrolled are known in spring: dismissed too) and a number target (no threshold).
LACKING = {
    "creches": set(),
    "demandes": {"passages du guide d’animation"},
    "ecoles": {
        "passages du guide d’animation",
        "données personnelles à repérer (module 04)",
        "fuite de la cible à repérer (modules 04 et 05)",
        "seuil de décision (module 06)",
    },
}


@pytest.mark.parametrize("name", sorted(LACKING))
def test_each_shipped_example_offers_every_activity(root, name):
    """The shipped examples are complete: every passage, canvas field and quiz question the
    pages ask for; what an activity cannot show is said, never a FIX."""
    (root / "facilitator-guide").symlink_to(ROOT / "facilitator-guide")
    _set_example(root, name)
    results = checks.check_running_example()
    assert not fixes(results)
    offers = {r.label: r for r in results if r.nested}
    assert len(offers) == 9
    lacking = {label for label, r in offers.items() if r.info}
    assert lacking == LACKING[name], {label: offers[label].detail for label in lacking}
    for label in ("passages lus par les modules 02 à 04", "questions de quiz sur l’exemple"):
        assert offers[label].detail in ("4 sur 4", "6 sur 6")


def test_what_an_example_lacks_is_said_activity_by_activity(root):
    """A story with only its dataset and target: every passage is said to be missing, and the
    activities its table cannot show are INFO lines, never FIX."""
    (root / "content" / "exemples" / "piscine.yaml").write_text(
        'jeu_de_donnees: piscine\ncible: frequentation\ntitre: "La piscine"\n', encoding="utf-8"
    )
    _set_example(root, "piscine")
    results = checks.check_running_example()
    assert not fixes(results)
    lines = {r.label: r.line() for r in results if r.nested}
    for label in (
        "passages lus par les modules 02 à 04",
        "exemples de la fiche projet (module 02)",
        "questions de quiz sur l’exemple",
        "données personnelles à repérer (module 04)",
        "seuil de décision (module 06)",
    ):
        assert lines[label].startswith("INFO"), lines[label]
    assert (
        "0 sur 6 ; omises des quiz : decision (02_cadrage)"
        in lines["questions de quiz sur l’exemple"]
    )
    assert "une cible numérique (régression)" in lines["seuil de décision (module 06)"]
    assert "aucune : l’activité RGPD" in lines["données personnelles à repérer (module 04)"]
    assert lines["fuite de la cible à repérer (modules 04 et 05)"].startswith("OK")  # recette_jour
    # groups are those the dataset's card declares; without them, an INFO line
    assert "« jour_semaine »" in lines["groupes pour l’audit des biais (module 05)"]
    card = root / "datasets"
    card.unlink()
    shutil.copytree(ROOT / "datasets", card)
    descriptor = card / "piscine" / "datapackage.json"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace('"group_columns"', '"autre_rubrique"'),
        encoding="utf-8",
    )
    lines = {r.label: r.line() for r in checks.check_running_example() if r.nested}
    assert lines["groupes pour l’audit des biais (module 05)"].startswith("INFO")
    assert "ne déclare aucun groupe" in lines["groupes pour l’audit des biais (module 05)"]


def test_with_the_default_example_no_text_is_to_adapt(root):
    (root / "facilitator-guide").symlink_to(ROOT / "facilitator-guide")
    lines = [r.line() for r in checks.check_running_example()]
    assert any("aucun texte, hors de content/exemples/, ne parle" in line for line in lines)


def test_a_text_outside_the_story_files_naming_an_example_is_listed(root):
    """Whichever example is followed, a text outside content/exemples/ that speaks of one is « à
    adapter », with its file and line (or notebook cell); once made general, it is no longer."""
    (root / "facilitator-guide").symlink_to(ROOT / "facilitator-guide")
    _set_example(root, "demandes")
    path = root / "content" / "risques.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace("inscriptions à la cantine scolaire", "places en crèche"), encoding="utf-8"
    )
    lines = fixes(checks.check_running_example())
    assert len(lines) == 1
    assert lines[0].startswith(
        "FIX  à adapter : content/risques.yaml : parle de l’exemple « creches »"
    )
    number = int(re.search(r"ligne (\d+) \(« crèche »\)", lines[0]).group(1))
    assert "crèche" in path.read_text(encoding="utf-8").splitlines()[number - 1]
    path.write_text(original, encoding="utf-8")
    assert not fixes(checks.check_running_example())


def test_a_new_example_without_its_words_is_told_where_to_add_them(root):
    _edit_story(root, "creches", "mots:\n", "autres_mots:\n")
    lines = [r.line() for r in checks.check_running_example()]
    assert lines[-1].startswith("OK")
    assert "ajoutez les mots propres à « creches »" in lines[-1]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- une liste\n- pas un exemple\n", "n’a pas de champ « jeu_de_donnees »"),
        ("jeu_de_donnees: creches\ncible: place_attribuee\n", "n’a pas de champ « titre »"),
        ("jeu_de_donnees: creches\ncible: x\ntitre: T\nquiz: [1]\n", "« quiz »"),
        ("jeu_de_donnees: [creches\n", "n’est pas un YAML valide"),
    ],
)
def test_a_broken_story_file_is_a_french_fix_line(root, text, said):
    (root / "content" / "exemples" / "creches.yaml").write_text(text, encoding="utf-8")
    lines = fixes(checks.check_running_example())
    assert lines and said in lines[0], lines
    assert "Traceback" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("tasks", "said"),
    [
        (["binaire"], "cellule 9 : « binaire » n’est pas un type de cible connu"),
        ("oui/non", "cellule 9 : « oui/non » n’est pas un type de cible connu"),
        (None, ""),
    ],
)
def test_a_module_cell_for_an_unknown_kind_of_target_is_a_fix(root, tasks, said):
    """06's threshold cells say ``{"datalab": {"tasks": ["binary"]}}``: a misspelt kind would
    keep the module from opening, so ``datalab check`` names the cell."""
    import json

    (root / "notebooks").unlink()
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    path = root / "notebooks" / "06_usage.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["cells"][8]["metadata"]["datalab"] == {"tasks": ["binary"]}
    if tasks is not None:
        notebook["cells"][8]["metadata"]["datalab"]["tasks"] = tasks
    path.write_text(json.dumps(notebook), encoding="utf-8")
    lines = fixes(checks.check_content())
    if not said:
        assert not lines
        return
    assert len(lines) == 1 and "06_usage.ipynb" in lines[0] and said in lines[0]
    assert "binary, multiclass, regression" in lines[0]
    path.write_text("{ pas un notebook", encoding="utf-8")
    assert "illisible" in fixes(checks.check_content())[0]
