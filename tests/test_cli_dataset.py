"""``datalab dataset inspect | check | new``: JSON shape, French output, exit codes, bad input."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit import paths
from labkit.cli import main
from labkit.commands.dataset import inspect_summary
from labkit.course.authoring import licence_entry, slug
from labkit.data import catalogue, datapackage

TYPES = {"number", "integer", "text", "date", "boolean", "category"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- inspect
def test_inspect_json_has_the_documented_keys(capsys):
    path = paths.datasets_dir() / "piscine" / "piscine.csv"
    code, out, _ = run(capsys, "dataset", "inspect", str(path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["encoding"] == "cp1252"
    assert summary["separator"] == ";"
    assert summary["decimal"] == ","
    assert summary["rows"] == 702
    assert all({"name", "type"} <= set(c) for c in summary["columns"])
    assert {c["type"] for c in summary["columns"]} <= TYPES
    assert summary["columns"][0] == {**summary["columns"][0], "name": "date", "type": "date"}


def test_inspect_summary_is_one_function_returning_a_dict():
    summary = inspect_summary(paths.datasets_dir() / "demandes")
    assert summary["format"] == "xlsx" and summary["sheet"] == "demandes"
    assert summary["header_row"] == 3 and summary["rows"] == 1810
    json.dumps(summary)  # serialisable as is


@pytest.mark.realdata
def test_inspect_real_file_in_french(capsys, realdata):
    code, out, _ = run(
        capsys, "dataset", "inspect", str(realdata / "subventions_cnds_2015_cp1252.csv")
    )
    assert code == 0
    assert "Encodage : cp1252" in out
    assert "Séparateur : point-virgule (;)" in out
    assert "Montant_op" in out and "nombre entier (€)" in out


def test_inspect_with_overrides(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("titre\nx,y;z\n1,5;2\n", "utf-8")
    code, out, _ = run(
        capsys, "dataset", "inspect", str(path), "--json", "--separator", ",", "--header-row", "2"
    )
    assert code == 0
    assert [c["name"] for c in json.loads(out)["columns"]] == ["x", "y;z"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "vide"),
        (b"nom;valeur\n", "ligne d’en-tête"),
        (b"a;b\n1;2\n3;4;5\n", "ligne 3"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "pas un tableau"),
    ],
)
def test_inspect_bad_files_exit_1_with_a_french_message(capsys, tmp_path, content, expected):
    path = tmp_path / "mauvais.csv"
    path.write_bytes(content)
    code, out, err = run(capsys, "dataset", "inspect", str(path))
    assert code == 1 and out == ""
    assert err.startswith("Erreur : ") and expected in err
    assert "Traceback" not in err


def test_inspect_missing_file_and_bad_header_row(capsys, tmp_path):
    code, _, err = run(capsys, "dataset", "inspect", str(tmp_path / "absent.csv"))
    assert code == 1 and "introuvable" in err
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n", "utf-8")
    code, _, err = run(capsys, "dataset", "inspect", str(path), "--header-row", "0")
    assert code == 1 and "1 ou plus" in err


def test_inspect_refuses_a_file_over_the_limit_before_reading_it(capsys, tmp_path, monkeypatch):
    from labkit.commands import dataset as command
    from labkit.data.reader import ReadOptions

    path = tmp_path / "gros.csv"
    path.write_bytes(b"a;b\n" + b"1;2\n" * 1000)
    monkeypatch.setattr(command, "_options", lambda args: ReadOptions(max_bytes=100))
    code, _, err = run(capsys, "dataset", "inspect", str(path))
    assert code == 1 and "limite" in err and "Mo" in err


# ----------------------------------------------------------------------------- check
def test_check_valid_folders_exit_0(capsys):
    code, out, _ = run(capsys, "dataset", "check", "creches", str(paths.datasets_dir() / "fuites"))
    assert code == 0
    assert out.count("OK ") == 2


def test_check_invalid_folder_exits_1_with_a_french_list(capsys, tmp_path):
    folder = tmp_path / "creches"
    shutil.copytree(paths.datasets_dir() / "creches", folder)
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    descriptor["defects"][0]["kind"] = "bizarre"
    descriptor.pop("title")
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    code, out, _ = run(capsys, "dataset", "check", str(folder))
    assert code == 1
    assert "FIX" in out and "« title »" in out and "bizarre" in out
    code, out, _ = run(capsys, "dataset", "check", str(tmp_path / "absent"))
    assert code == 1 and "n’est pas un dossier" in out


# ----------------------------------------------------------------------------- new
@pytest.fixture
def datasets_root(tmp_path, monkeypatch) -> Path:
    """A project root with its own datasets/ folder, so nothing is written in the repository."""
    root = tmp_path / "projet"
    (root / "datasets").mkdir(parents=True)
    (root / "notebooks").mkdir()
    monkeypatch.setenv("DATALAB_ROOT", str(root))
    paths._find_root.cache_clear()
    yield root / "datasets"
    paths._find_root.cache_clear()


def test_new_from_a_french_csv_is_valid_and_found_by_the_catalogue(capsys, datasets_root, tmp_path):
    source = tmp_path / "Velos stations.csv"
    source.write_bytes(
        "station;date;velos;montant\nGare;01/02/2024;1 200;12,5 €\nMairie;02/02/2024;7;3,0 €\n"
        "Port;03/02/2024;3;0,5 €\n".encode("cp1252")
    )
    code, out, _ = run(
        capsys,
        "dataset",
        "new",
        str(source),
        "--title",
        "Vélos en libre-service",
        "--licence",
        "odbl",
        "--theme",
        "Mobilité",
        "--keywords",
        "vélo, mobilité",
        "--target",
        "velos",
    )
    assert code == 0, out
    folder = datasets_root / "velos_en_libre_service"
    assert "jeu de données valide" in out and "velos_en_libre_service" in out
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "odc-odbl"
    assert package["keywords"] == ["vélo", "mobilité"]
    assert package["suggested_targets"] == [{"column": "velos", "task": "classification"}]
    resource = package["resources"][0]
    assert resource["encoding"] == "cp1252" and resource["dialect"]["delimiter"] == ";"
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["date"]["type"] == "date" and fields["date"]["format"] == "%d/%m/%Y"
    assert fields["montant"]["decimalChar"] == "," and fields["montant"]["bareNumber"] is False
    assert (folder / resource["path"]).read_bytes() == source.read_bytes()  # the file as it was
    assert datapackage.check_dataset_folder(folder) == []
    assert [c.id for c in catalogue.search("vélos")] == ["velos_en_libre_service"]
    loaded = datapackage.load_dataset("velos_en_libre_service")
    assert loaded.table["velos"].tolist() == [1200, 7, 3]


def test_new_from_a_workbook_and_an_ods_file(capsys, datasets_root, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Lisez-moi"])
    data = book.create_sheet("Données")
    data.append(["service", "agents", "budget"])
    for row in (["voirie", 12, 1500.5], ["culture", 5, 800.0], ["sport", 7, 650.25]):
        data.append(row)
    xlsx = tmp_path / "services.xlsx"
    book.save(xlsx)
    code, out, _ = run(
        capsys, "dataset", "new", str(xlsx), "--id", "services", "--licence", "interne"
    )
    assert code == 0, out
    package = json.loads((datasets_root / "services" / "datapackage.json").read_text("utf-8"))
    assert package["resources"][0]["dialect"]["excel"]["sheet"] == "Données"
    assert package["licenses"][0]["name"] == "other-closed"

    ods = tmp_path / "communes.ods"
    pd.DataFrame(
        {"commune": ["Nîmes", "Orléans", "Tours"], "habitants": [148000, 116000, 136000]}
    ).to_excel(ods, engine="odf", index=False)
    code, out, _ = run(capsys, "dataset", "new", str(ods), "--id", "communes")
    assert code == 0, out
    assert "préciser la licence" in out
    folder = datasets_root / "communes"
    assert (folder / "communes.csv").is_file()  # converted: every Data Package tool reads CSV
    assert datapackage.load_dataset("communes").table["habitants"].tolist() == [
        148000,
        116000,
        136000,
    ]


def test_new_refuses_bad_input_without_writing_anything(capsys, datasets_root, tmp_path):
    source = tmp_path / "a.csv"
    source.write_text("a;b\n1;x\n2;y\n", "utf-8")
    code, _, err = run(capsys, "dataset", "new", str(source), "--target", "inconnue")
    assert code == 1 and "n’existe pas" in err
    code, _, err = run(capsys, "dataset", "new", str(source), "--id", "../evasion")
    assert code == 1 and "identifiant" in err
    code, _, err = run(capsys, "dataset", "new", str(tmp_path / "absent.csv"))
    assert code == 1 and "introuvable" in err
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "dataset", "new", str(empty))
    assert code == 1 and "vide" in err
    assert list(datasets_root.iterdir()) == []
    assert run(capsys, "dataset", "new", str(source), "--id", "essai")[0] == 0
    code, _, err = run(capsys, "dataset", "new", str(source), "--id", "essai")
    assert code == 1 and "existe déjà" in err
    assert run(capsys, "dataset", "new", str(source), "--id", "essai", "--force")[0] == 0


def test_new_asks_for_metadata_only_when_a_terminal_is_attached(
    capsys, datasets_root, tmp_path, monkeypatch
):
    source = tmp_path / "budget.csv"
    source.write_text("poste;montant\nsalaires;10\nachats;5\n", "utf-8")
    answers = iter(
        [
            "Budget 2024",
            "Le budget voté.",
            "Service finances",
            "etalab-2.0",
            "Finances",
            "budget, dépenses",
            "",
            "08/01/2024",
        ]
    )
    monkeypatch.setattr(sys, "stdin", _Tty())
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert run(capsys, "dataset", "new", str(source))[0] == 0
    package = json.loads((datasets_root / "budget_2024" / "datapackage.json").read_text("utf-8"))
    assert package["title"] == "Budget 2024" and package["producer"] == "Service finances"
    assert package["keywords"] == ["budget", "dépenses"] and package["theme"] == "Finances"
    assert package["updated"] == "2024-01-08"  # the data's date, asked, not the import's


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_new_without_a_terminal_never_waits_for_input(datasets_root, tmp_path):
    source = tmp_path / "budget.csv"
    source.write_text("poste;montant\nsalaires;10\nachats;5\n", "utf-8")
    env = {"DATALAB_ROOT": str(datasets_root.parent), "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(
        [sys.executable, "-m", "labkit.cli", "dataset", "new", str(source)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    package = json.loads((datasets_root / "budget" / "datapackage.json").read_text("utf-8"))
    assert package["title"] == "budget" and package["licenses"][0]["name"] == "notspecified"


def test_helpers():
    assert slug("Vélos en libre-service !") == "velos_en_libre_service"
    assert licence_entry("Licence Ouverte")["name"] == "etalab-2.0"
    assert licence_entry("Ma licence maison")["title"] == "Ma licence maison"


def test_inspect_json_has_the_quality_report(capsys, tmp_path):
    """``quality: {score, findings: [{kind, columns, count, message}]}``, with the leak checks
    when the target is given, and the same report as module 04."""
    from labkit.prepare import quality

    rows = 300
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "surface": rng.gamma(3, 40, rows).round(1),
            "quartier": rng.choice(["Centre", "Gare", "Port"], rows),
            "note": rng.choice(["A", "B", "C"], rows),
        }
    )
    frame["note_copie"] = frame["note"].map({"A": "x", "B": "y", "C": "z"})  # the answer
    frame.loc[:29, "surface"] = None
    path = tmp_path / "logements.csv"
    frame.to_csv(path, sep=";", index=False)

    code, out, _ = run(capsys, "dataset", "inspect", str(path), "--json")
    assert code == 0
    report = json.loads(out)["quality"]
    assert isinstance(report["score"], int) and 0 <= report["score"] <= 100
    assert report["findings"], report
    for finding in report["findings"]:
        assert {"kind", "columns", "count", "message"} <= set(finding)
        assert isinstance(finding["columns"], list) and isinstance(finding["count"], int)
    missing = [f for f in report["findings"] if f["kind"] == "missing"]
    assert missing and missing[0]["columns"] == ["surface"] and missing[0]["count"] == 30
    assert not any(f["kind"] == "leakage" for f in report["findings"])

    code, out, _ = run(capsys, "dataset", "inspect", str(path), "--json", "--target", "note")
    with_target = json.loads(out)["quality"]
    leaks = [f for f in with_target["findings"] if f["kind"] == "leakage"]
    assert leaks and "note_copie" in leaks[0]["columns"] and "« note_copie »" in leaks[0]["message"]
    expected = quality.assess(pd.read_csv(path, sep=";"), target="note")
    assert with_target["score"] == expected.score < report["score"]

    code, _, err = run(capsys, "dataset", "inspect", str(path), "--json", "--target", "absente")
    assert code != 0 and "« absente »" in err


# ------------------------------------------------------------------- the card, without JSON
def test_new_and_edit_fill_the_card_without_editing_json(capsys, datasets_root, tmp_path):
    source = tmp_path / "entrees.csv"
    source.write_text(
        "date;commune;montant;entrees\n01/02/2024;Nantes;12,5;10\n02/02/2024;Rezé;13,5;12\n"
        "03/02/2024;Orvault;9,0;8\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "dataset", "new", str(source), "--title", "Entrées", "--licence", "etalab-2.0",
        "--theme", "Culture", "--unit", "montant=euros", "--column-description",
        "entrees=Entrées du jour", "--spatial", "Nantes Métropole", "--temporal", "février 2024",
    )  # fmt: skip
    assert code == 0, out
    assert "Date des données non précisée" in out and "datalab dataset edit" in out
    folder = datasets_root / "entrees"
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert "updated" not in package  # not the day of the import
    assert package["coverage"] == {"spatial": "Nantes Métropole", "temporal": "février 2024"}
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["montant"]["unit"] == "euros"
    assert fields["entrees"]["description"] == "Entrées du jour"

    # an existing theme is recognised whatever its accents and capitals; a new one is said
    code, out, _ = run(
        capsys, "dataset", "edit", "entrees", "--updated", "08/01/2024", "--theme", "CULTURE",
        "--unit", "entrees=personnes",
    )  # fmt: skip
    assert code == 0 and "Fiche mise à jour" in out and "Nouveau thème" not in out
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["updated"] == "2024-01-08" and package["theme"] == "Culture"
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["entrees"]["unit"] == "personnes" and fields["montant"]["unit"] == "euros"
    assert datapackage.check_dataset_folder(folder) == []
    code, out, _ = run(capsys, "dataset", "edit", "entrees", "--theme", "Mobilité")
    assert code == 0 and "Nouveau thème « Mobilité »" in out and "Culture" in out


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--updated", "31/02/2024"], "n’est pas une date"),
        (["--unit", "inconnue=euros"], "la colonne « inconnue » n’existe pas"),
        (["--unit", "montant"], "écrivez « colonne=texte »"),
        (["--column-description", "=texte"], "écrivez « colonne=texte »"),
    ],
)
def test_edit_refuses_bad_values_in_french_and_changes_nothing(
    capsys, datasets_root, tmp_path, argv, expected
):
    source = tmp_path / "petit.csv"
    source.write_text("montant;cible\n1;a\n2;b\n3;a\n", encoding="utf-8")
    assert run(capsys, "dataset", "new", str(source), "--title", "Petit")[0] == 0
    descriptor = datasets_root / "petit" / "datapackage.json"
    before = descriptor.read_bytes()
    code, out, err = run(capsys, "dataset", "edit", "petit", *argv)
    assert code == 1 and expected in out + err and "Traceback" not in out + err
    assert descriptor.read_bytes() == before
    assert [p.name for p in datasets_root.iterdir() if p.name.startswith(".")] == []


def test_edit_of_a_folder_that_is_no_dataset_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, "dataset", "edit", str(tmp_path))
    assert code == 1 and "n’est pas un jeu de données" in out + err
