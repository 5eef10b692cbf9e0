"""labkit.course.authoring: a dataset folder from a file and a card, and a card completed later
(shared by ``datalab dataset new/edit`` and the facilitator's dataset pages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labkit.course import authoring
from labkit.data import datapackage
from labkit.data.reader import read_table
from labkit.errors import DatalabError

CSV = "commune;tonnage;nb_bacs\nNantes;12,5;40\nRezé;7,25;22\nOrvault;3,75;11\n"


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "verre.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _new(source: Path, dest: Path, card: authoring.Card, **options) -> authoring.Written:
    read = read_table(source.read_bytes(), source.name)
    return authoring.new_package(source, read, card, dest=dest, **options)


def _descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_a_new_package_carries_the_whole_card_and_passes_the_check(source, tmp_path):
    card = authoring.Card(
        title="Collecte du verre",
        producer="Direction des déchets",
        licence="odbl",
        theme="Déchets",
        keywords="verre, collecte",
        updated="15/01/2024",
        spatial="Nantes Métropole",
        temporal="janvier 2024",
        units={"tonnage": "tonnes"},
        descriptions={"nb_bacs": "Bacs vidés"},
    )
    written = _new(source, tmp_path / "verre", card, target="tonnage")
    assert written.problems == [] and (written.rows, written.columns) == (3, 3)
    descriptor = _descriptor(written.folder)
    assert descriptor["title"] == "Collecte du verre"
    assert descriptor["licenses"][0]["name"] == "odc-odbl"
    assert descriptor["keywords"] == ["verre", "collecte"]
    assert descriptor["updated"] == "2024-01-15"
    assert descriptor["coverage"] == {"spatial": "Nantes Métropole", "temporal": "janvier 2024"}
    assert descriptor["suggested_targets"] == [{"column": "tonnage", "task": "regression"}]
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert (
        fields["tonnage"]["unit"] == "tonnes" and fields["nb_bacs"]["description"] == "Bacs vidés"
    )
    assert datapackage.check_dataset_folder(written.folder) == []


@pytest.mark.parametrize(
    ("card", "options", "expected"),
    [
        (authoring.Card(title="x", updated="31/02/2024"), {}, "n’est pas une date"),
        (authoring.Card(title="x", units={"poids": "kg"}), {}, "« poids » n’existe pas"),
        (authoring.Card(title="x", group_columns=["quartier"]), {}, "« quartier » n’existe pas"),
        (authoring.Card(title="x"), {"target": "inconnue"}, "inconnue"),
        (authoring.Card(title="x"), {"dataset_id": "../sortie"}, "../sortie"),
    ],
)
def test_a_bad_card_is_refused_in_french_and_writes_nothing(
    source, tmp_path, card, options, expected
):
    dest = tmp_path / "jeux" / "verre"
    with pytest.raises(DatalabError) as error:
        _new(source, dest, card, **options)
    assert expected in error.value.message
    assert not dest.exists() and not (tmp_path / "jeux").exists()


def test_an_existing_folder_is_kept_unless_forced(source, tmp_path):
    dest = tmp_path / "verre"
    _new(source, dest, authoring.Card(title="Verre"))
    with pytest.raises(DatalabError, match="existe"):
        _new(source, dest, authoring.Card(title="Verre 2"))
    assert _descriptor(dest)["title"] == "Verre"
    _new(source, dest, authoring.Card(title="Verre 2"), force=True)
    assert _descriptor(dest)["title"] == "Verre 2"


def test_edit_changes_only_what_is_given_and_replaces_the_defects(source, tmp_path):
    dest = tmp_path / "verre"
    _new(source, dest, authoring.Card(title="Verre", producer="Service A", units={"tonnage": "t"}))
    defect = {
        "kind": "missing",
        "columns": ["tonnage"],
        "count": 2,
        "description": "Relevés oubliés.",
    }
    written = authoring.edit_package(
        dest, authoring.Card(producer="  ", temporal="2024", defects=[defect])
    )
    assert written.problems == []
    descriptor = _descriptor(dest)
    assert descriptor["title"] == "Verre" and descriptor["producer"] == "Service A"
    assert descriptor["coverage"] == {"temporal": "2024"} and descriptor["defects"] == [defect]
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["tonnage"]["unit"] == "t"


def test_a_refused_edit_leaves_the_descriptor_as_it_was(source, tmp_path):
    dest = tmp_path / "verre"
    _new(source, dest, authoring.Card(title="Verre"))
    before = (dest / "datapackage.json").read_bytes()
    bad = {"kind": "missing", "columns": ["inconnue"], "count": 1, "description": "x"}
    written = authoring.edit_package(dest, authoring.Card(title="Autre", defects=[bad]))
    assert written.problems and any("inconnue" in p for p in written.problems)
    assert (dest / "datapackage.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["verre", "verre.csv"]


def test_edit_of_a_folder_that_is_not_a_dataset(tmp_path):
    with pytest.raises(DatalabError):
        authoring.edit_package(tmp_path, authoring.Card(title="x"))
