"""The module registry, content files, settings and the project choice."""

from __future__ import annotations

import pytest

from labkit import paths
from labkit.course import modules
from labkit.course.project import OWN, RUNNING_EXAMPLE, make_project
from labkit.errors import DatalabError
from labkit.learner import course
from labkit.learner.course import load_project, save_project
from labkit.settings import load_settings
from labkit.yamlfile import load_yaml


def test_registry_lists_the_seven_pages_in_order():
    ids = [m.id for m in modules.load_modules()]
    assert ids == [
        "00_accueil",
        "01_introduction",
        "02_cadrage",
        "03_donnees",
        "04_preparation",
        "05_modele",
        "06_usage",
    ]
    for module in modules.load_modules():
        assert 2 <= len(module.objectives) <= 4, module.id
        assert module.minutes > 0 and module.day in (1, 2, 3)
        assert set(module.needs) <= set(ids)


def test_every_registered_module_has_its_notebook():
    for module in modules.load_modules():
        assert (paths.notebooks_dir() / module.notebook).is_file(), module.notebook


def test_neighbours():
    previous, following = modules.neighbours("03_donnees")
    assert previous.id == "02_cadrage" and following.id == "04_preparation"
    assert modules.neighbours("00_accueil")[0] is None
    assert modules.neighbours("06_usage")[1] is None


def test_unknown_module_is_a_french_error():
    with pytest.raises(DatalabError, match="Aucun module"):
        modules.get_module("99_inconnu")


BAD_REGISTRIES = {
    "tabs": "modules:\n\t- id: x\n",
    "not a list": "modules: oui\n",
    "missing title": "modules:\n  - {id: 00_a, day: 1, slot: matin, teaching_minutes: 1, exercise_minutes: 1, objectives: [a]}\n",
    "minutes as text": "modules:\n  - {id: 00_a, title: A, day: 1, slot: matin, teaching_minutes: dix, exercise_minutes: 1, objectives: [a]}\n",
    "duplicate": "modules:\n"
    + "  - {id: 00_a, title: A, day: 1, slot: matin, teaching_minutes: 1, exercise_minutes: 1, objectives: [a]}\n"
    * 2,
}


@pytest.mark.parametrize("name", sorted(BAD_REGISTRIES))
def test_malformed_registry_gives_a_french_message(tmp_path, name):
    path = tmp_path / "modules.yaml"
    path.write_text(BAD_REGISTRIES[name], encoding="utf-8")
    with pytest.raises(DatalabError) as info:
        modules.load_modules(path)
    assert "modules.yaml" in str(info.value)


def test_missing_and_non_utf8_content_files(tmp_path):
    with pytest.raises(DatalabError, match="introuvable"):
        load_yaml(tmp_path / "absent.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("titre: é".encode("latin-1"))
    with pytest.raises(DatalabError, match="UTF-8"):
        load_yaml(path)


def test_progress_statuses(workspace):
    assert set(course.progress(workspace).values()) == {"todo"}
    course.set_status(workspace, "03_donnees", "in_progress")
    course.set_status(workspace, "04_preparation", "done")
    course.set_status(workspace, "04_preparation", "in_progress")  # reopening keeps "done"
    statuses = course.progress(workspace)
    assert statuses["03_donnees"] == "in_progress" and statuses["04_preparation"] == "done"
    with pytest.raises(ValueError):
        course.set_status(workspace, "03_donnees", "fini")


def test_settings_name_the_running_example():
    example = load_settings().running_example
    assert example.dataset and example.target and example.title


@pytest.mark.parametrize(
    ("kind", "title"), [("autre", "x"), (OWN, ""), (OWN, "   "), (OWN, "x" * 121), (None, None)]
)
def test_bad_project_choices(kind, title):
    with pytest.raises(DatalabError):
        make_project(kind, title)


def test_project_round_trip(workspace):
    assert load_project(workspace) is None
    save_project(workspace, make_project(OWN, "  Prévoir   la fréquentation  "))
    project = load_project(workspace)
    assert project.kind == OWN and project.title == "Prévoir la fréquentation"
    save_project(workspace, make_project(RUNNING_EXAMPLE))
    assert load_project(workspace).is_running_example
    workspace.save("project", {"kind": "bizarre"})
    assert load_project(workspace) is None


def test_every_message_template_is_well_formed():
    import string

    from labkit import messages

    for key in messages.keys():
        entry = messages._entry(key)
        for part in (entry.get("message"), entry.get("hint")):
            if part:
                list(string.Formatter().parse(part))  # raises on a malformed template
                if "\n" not in part.strip():
                    assert "  " not in part, key


def test_a_content_file_is_parsed_once_yet_an_edit_shows_at_once(tmp_path):
    path = tmp_path / "reglages.yaml"
    path.write_text("cible: a\nlistes: [1, 2]\n", encoding="utf-8")
    first = load_yaml(path)
    first["listes"].append(3)  # a caller changing what it got changes nobody else's copy
    assert load_yaml(path) == {"cible": "a", "listes": [1, 2]}
    path.write_text("cible: b\nlistes: [1, 2]\n", encoding="utf-8")  # same size, same instant
    assert load_yaml(path)["cible"] == "b"
    path.write_text("cible: [b\n", encoding="utf-8")
    with pytest.raises(DatalabError):
        load_yaml(path)
