"""The bundled datasets: valid Data Packages, reproducible generators, documented defects that are
really in the data, and the loader / checker on good and bad folders."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit import paths
from labkit.data import datapackage
from labkit.data.numeric import parse_numbers
from labkit.errors import DatalabError

DATASETS = sorted(p.parent.name for p in paths.datasets_dir().glob("*/datapackage.json"))
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
PHONE = re.compile(r"^(\+33 ?[1-9]|0[1-9])([ .]?\d{2}){4}$")


def descriptor(name: str) -> dict:
    return json.loads((paths.datasets_dir() / name / "datapackage.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def loaded() -> dict[str, datapackage.Dataset]:
    return {name: datapackage.load_dataset(name) for name in DATASETS}


def nir_is_valid(nir: str) -> bool:
    body, key = nir[:13], nir[13:]
    number = body.replace("2A", "19") if body[5:7] == "2A" else body.replace("2B", "18")
    return len(nir) == 15 and key.isdigit() and int(key) == 97 - int(number) % 97


# ----------------------------------------------------------------------------- the collection
def test_at_least_six_datasets_covering_both_tasks_and_the_running_example(loaded):
    assert len(DATASETS) >= 6
    tasks = {t["task"] for d in loaded.values() for t in d.suggested_targets}
    assert tasks == {"classification", "regression"}
    creches = loaded["creches"]
    assert set(creches.table["place_attribuee"].dropna().unique()) == {"oui", "non"}
    assert {"quartier", "tranche_age"} <= set(creches.group_columns)
    assert creches.simulated and creches.drivers["place_attribuee"]
    for dataset in loaded.values():
        assert 300 <= len(dataset.table) <= 5000, dataset.id
        assert dataset.licence and dataset.theme and dataset.keywords and dataset.updated


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_folder_is_valid(name):
    assert datapackage.check_dataset_folder(paths.datasets_dir() / name) == []


@pytest.mark.parametrize("name", DATASETS)
def test_metadata_is_complete_and_in_french(name, loaded):
    dataset = loaded[name]
    for spec in dataset.schema["fields"]:
        assert spec.get("description"), (name, spec["name"])
        assert spec.get("title"), (name, spec["name"])
    for target in dataset.suggested_targets:
        assert target["column"] in dataset.table.columns
        assert target["column"] in dataset.drivers, "every suggested target has its drivers"
        for driver in dataset.drivers[target["column"]]:
            assert driver["column"] in dataset.table.columns
            assert re.search(r"[éèàûô’]|\b(le|la|les|des|plus)\b", driver["effect"]), driver
    for column in dataset.group_columns:
        assert 2 <= dataset.table[column].nunique() <= 30, (name, column)
    kinds = {d["kind"] for d in dataset.defects}
    assert kinds <= set(datapackage.DEFECT_KINDS)
    if dataset.simulated:  # defects made on purpose, to be found; a real file has those it has
        assert {"missing", "duplicates", "leakage"} & kinds, name
        assert len(kinds) >= 5, name
    else:
        assert kinds, name
        source = dataset.descriptor["sources"][0]
        assert source["path"].startswith("https://"), "a real file names where it comes from"
        assert dataset.descriptor["licenses"][0]["name"], "and its licence"
    if dataset.simulated:
        generator = paths.project_root() / dataset.generator
        assert generator.is_file() and generator.parent == dataset.path


def test_french_open_data_flavours_are_represented(loaded):
    encodings = {d.descriptor["resources"][0].get("encoding") for d in loaded.values()}
    separators = {
        (d.descriptor["resources"][0].get("dialect") or {}).get("delimiter")
        for d in loaded.values()
    }
    assert "cp1252" in encodings and ";" in separators
    decimals = {f.get("decimalChar") for d in loaded.values() for f in d.schema["fields"]}
    assert "," in decimals
    formats = {d.format for d in loaded.values()}
    assert {"csv", "xlsx"} <= formats
    codes = pd.concat(
        [d.table[c] for d in loaded.values() for c in d.table if c in ("code_insee", "departement")]
    )
    assert codes.str.startswith("0").any() and codes.str.contains("2B").any()


# ----------------------------------------------------------------------------- generators
SIMULATED = [name for name in DATASETS if descriptor(name).get("simulated")]


@pytest.mark.parametrize("name", SIMULATED)
def test_generator_reproduces_the_files_byte_for_byte(name, tmp_path, loaded):
    dataset = loaded[name]
    generator = paths.project_root() / dataset.generator
    subprocess.run(
        [sys.executable, str(generator), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (tmp_path / dataset.data_path.name).read_bytes() == dataset.data_path.read_bytes()
    assert (tmp_path / "datapackage.json").read_bytes() == (
        dataset.path / "datapackage.json"
    ).read_bytes()


# ----------------------------------------------------------------------------- defects
def _rows(defect, table) -> list[int]:
    """The labels (file rows) of the documented rows, which are positions."""
    rows = defect.get("rows")
    return list(table.index) if rows is None else list(table.index[rows])


def _check_defect(dataset, defect) -> None:  # noqa: C901 - one branch per kind, on purpose
    table, kind = dataset.table, defect["kind"]
    columns, rows = defect.get("columns") or [], _rows(defect, dataset.table)
    if "rows" in defect:
        assert defect["count"] == len(defect["rows"])
    if kind == "missing":
        for column in columns:
            assert table.loc[rows, column].isna().all(), column
    elif kind == "duplicates":
        duplicated = table.astype(str).duplicated(keep="first")
        assert duplicated[rows].all()
        assert duplicated.sum() == len(rows)
    elif kind in ("inconsistent_categories", "schema"):
        for column in columns:
            allowed = set((dataset.field(column).get("constraints") or {}).get("enum") or [])
            assert allowed, f"{column} declares its categories"
            assert not table.loc[rows, column].isin(allowed).any(), column
            others = table.drop(index=rows)[column].dropna()
            assert others.isin(allowed).all(), column
    elif kind == "outliers":
        for column in columns:
            values = pd.to_numeric(table[column], errors="coerce")
            others = values.drop(index=rows).dropna()
            low, high = others.quantile(0.001), others.quantile(0.999)
            flagged = values[rows]
            assert ((flagged < low) | (flagged > high) | (flagged <= 0)).all(), column
    elif kind == "wrong_type":
        for column in columns:
            assert dataset.detection.types[column] in ("text", "category"), column
            texts = table[column].dropna().astype(str).tolist()
            numbers, _, _ = parse_numbers(texts, ",", " ")
            dots, _, _ = parse_numbers(texts, ".", "")
            parsed = ~(np.isnan(numbers) & np.isnan(dots))
            assert (~parsed).sum() == len(rows), column
            bad = [str(v) for v in table.loc[rows, column]]
            assert all(np.isnan(parse_numbers([b], ",", " ")[0][0]) for b in bad)
    elif kind == "constant":
        for column in columns:
            assert table[column].nunique(dropna=False) == 1, column
    elif kind == "identifier":
        for column in columns:
            assert table[column].nunique() == len(table.astype(str).drop_duplicates()), column
    elif kind == "imbalance":
        share = table[columns[0]].value_counts(normalize=True).min()
        assert share < 0.3
    elif kind == "personal_data":
        for column in columns:
            values = table[column].dropna().astype(str)
            assert len(values) > 0
            if "mail" in column:
                assert values.map(lambda v: bool(EMAIL.match(v))).all()
            if "telephone" in column:
                assert values.map(lambda v: bool(PHONE.match(v))).all()
            if "nir" in column:
                assert values.map(nir_is_valid).all()
            if "naissance" in column:
                assert dataset.detection.types[column] == "date"
    elif kind == "leakage":
        _check_leak(dataset, defect)


def _check_leak(dataset, defect) -> None:
    """A one-column-at-a-time shallow tree on the leaking columns (plus the other dates, since a
    closing date leaks through the delay) predicts the first suggested target almost perfectly."""
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    table = dataset.table
    target = dataset.suggested_targets[0]
    outliers = {
        r
        for d in dataset.defects
        if d["kind"] == "outliers"
        for r in table.index[d.get("rows", [])]
    }
    usable = table.drop(index=sorted(outliers)).dropna(subset=[target["column"]])
    usable = usable.drop_duplicates()
    features = pd.DataFrame(index=usable.index)
    dates = [c for c in usable if dataset.detection.types.get(c) == "date"]
    for column in [*defect["columns"], *dates]:
        if column == target["column"]:
            continue
        values = usable[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = (values - pd.Timestamp("2000-01-01")).dt.days
        elif not pd.api.types.is_numeric_dtype(values):
            values = values.astype("category").cat.codes
        features[column] = pd.to_numeric(values).fillna(-1e9)
    if {"date_reception", "date_cloture"} <= set(features):
        features["ecart"] = features["date_cloture"] - features["date_reception"]
    y = usable[target["column"]]
    if target["task"] == "classification":
        score = cross_val_score(DecisionTreeClassifier(max_depth=4), features, y, cv=3).mean()
    else:
        score = cross_val_score(DecisionTreeRegressor(max_depth=6), features, y, cv=3).mean()
    assert score > 0.85, (dataset.id, defect["columns"], score)


@pytest.mark.parametrize("name", DATASETS)
def test_documented_defects_are_really_in_the_data(name, loaded):
    dataset = loaded[name]
    assert dataset.defects
    for defect in dataset.defects:
        _check_defect(dataset, defect)


def test_running_example_personal_data_and_group_attribute(loaded):
    creches = loaded["creches"].table
    assert creches["nir_parent"].map(nir_is_valid).all()
    assert creches["nir_parent"].str.contains("2A|2B").any()  # Corsican births: letters in a NIR
    assert creches["email"].dropna().str.contains("@").all()
    assert creches["date_entree"].notna().eq(creches["place_attribuee"].eq("oui")).all()
    rates = creches.groupby("fratrie_creche")["place_attribuee"].apply(lambda s: s.eq("oui").mean())
    assert rates["oui"] > rates["non"] + 0.25  # the first documented driver is visible


# ----------------------------------------------------------------------------- loader API
def test_load_dataset_types_the_table_per_schema(loaded):
    piscine = loaded["piscine"]
    assert piscine.table["temperature_max_c"].dtype == "float64"
    assert piscine.table["date"].dtype.kind == "M"
    assert piscine.table["recette_jour"].dtype.kind == "f"
    batiments = loaded["batiments"]
    assert batiments.table["departement"].eq("07").all()
    assert batiments.table["code_insee"].str.len().eq(5).all()
    demandes = loaded["demandes"]
    assert demandes.format == "xlsx" and demandes.detection.sheet == "demandes"
    assert demandes.table["date_reception"].dtype.kind == "M"
    dictionary = loaded["creches"].data_dictionary()
    assert dictionary[0]["colonne"] == "id_demande" and dictionary[0]["description"]


def test_list_datasets_gives_card_data():
    infos = {i.id: i for i in datapackage.list_datasets()}
    assert set(DATASETS) <= set(infos)
    card = infos["creches"]
    assert card.rows == 1216 and card.columns == 26
    assert card.licence.startswith("Licence Ouverte") and card.producer and card.coverage
    assert "leakage" in card.defect_kinds
    assert infos["demandes"].format == "xlsx" and infos["demandes"].rows == 1810


def test_a_folder_a_facilitator_adds_is_listed_and_loaded(tmp_path):
    folder = tmp_path / "velos"
    folder.mkdir()
    (folder / "velos.csv").write_text("station;velos\nGare;12\nMairie;7\nPort;3\n", "utf-8")
    package = {
        "name": "velos",
        "title": "Vélos en libre-service",
        "description": "Vélos disponibles par station.",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0"}],
        "resources": [
            {
                "name": "velos",
                "path": "velos.csv",
                "format": "csv",
                "dialect": {"delimiter": ";"},
                "schema": {
                    "fields": [
                        {"name": "station", "type": "string", "description": "Nom de la station."},
                        {"name": "velos", "type": "integer", "description": "Vélos disponibles."},
                    ]
                },
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package), "utf-8")
    (tmp_path / "pas-un-jeu").mkdir()
    infos = datapackage.list_datasets(tmp_path)
    assert [i.id for i in infos] == ["velos"]
    assert infos[0].rows == 3 and infos[0].columns == 2
    dataset = datapackage.load_dataset("velos", tmp_path)
    assert dataset.table["velos"].tolist() == [12, 7, 3]
    assert datapackage.check_dataset_folder(folder) == []


@pytest.mark.parametrize("bad_id", ["../etc", "inconnu", "", "a/b", "..", 42])
def test_unknown_dataset_ids_are_refused(bad_id):
    with pytest.raises(DatalabError) as info:
        datapackage.load_dataset(bad_id)
    assert "introuvable" in info.value.message


# ----------------------------------------------------------------------------- checker
@pytest.fixture
def copy_of_creches(tmp_path) -> Path:
    folder = tmp_path / "creches"
    shutil.copytree(paths.datasets_dir() / "creches", folder)
    return folder


def _edit_descriptor(folder: Path, change) -> None:
    path = folder / "datapackage.json"
    value = json.loads(path.read_text("utf-8"))
    change(value)
    path.write_text(json.dumps(value, ensure_ascii=False), "utf-8")


def test_check_reports_an_undocumented_data_problem(copy_of_creches):
    path = copy_of_creches / "creches.csv"
    lines = path.read_text("utf-8").split("\n")
    lines[3] = lines[3].replace(";non;non;", ";peut-être;non;", 1)
    path.write_text("\n".join(lines), "utf-8")
    problems = datapackage.check_dataset_folder(copy_of_creches)
    assert len(problems) == 1 and "fratrie_creche" in problems[0] and "lignes 2" in problems[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("title"), "« title »"),
        (lambda d: d.update(licenses=[]), "« licenses »"),
        (
            lambda d: d["defects"].append({"kind": "bizarre", "count": 1, "description": "x"}),
            "bizarre",
        ),
        (lambda d: d["defects"][0].update(rows=[99999]), "hors du tableau"),
        (
            lambda d: d["drivers"]["place_attribuee"].append({"column": "inconnue", "effect": "x"}),
            "inconnue",
        ),
        (
            lambda d: d["suggested_targets"].append({"column": "quartier", "task": "devinette"}),
            "devinette",
        ),
        (lambda d: d.update(updated="15/01/2025"), "aaaa-mm-jj"),
        (lambda d: d["resources"][0].update(path="../creches.csv"), "dossier lui-même"),
        (lambda d: d["resources"][0].update(path="absent.csv"), "introuvable"),
        (lambda d: d["resources"][0]["schema"]["fields"][1].update(type="nombre"), "nombre"),
        (lambda d: d["resources"][0]["schema"]["fields"].pop(), "place_attribuee"),
        (lambda d: d["resources"][0]["schema"]["fields"][0].pop("description"), "description"),
    ],
)
def test_check_reports_descriptor_problems_in_french(copy_of_creches, change, expected):
    _edit_descriptor(copy_of_creches, change)
    problems = datapackage.check_dataset_folder(copy_of_creches)
    assert problems and any(expected in p for p in problems), problems


def test_check_refuses_a_broken_descriptor_and_a_missing_folder(tmp_path, copy_of_creches):
    (copy_of_creches / "datapackage.json").write_text('{"title": "x",', "utf-8")
    problems = datapackage.check_dataset_folder(copy_of_creches)
    assert len(problems) == 1 and "mal formé" in problems[0]
    assert "n’est pas un dossier" in datapackage.check_dataset_folder(tmp_path / "absent")[0]
    (tmp_path / "vide").mkdir()
    assert "datapackage.json" in datapackage.check_dataset_folder(tmp_path / "vide")[0]


def test_a_dataset_read_twice_is_read_once_and_each_caller_gets_its_own_table(tmp_path):
    source = paths.datasets_dir() / "piscine"
    folder = tmp_path / "piscine"
    shutil.copytree(source, folder)
    first = datapackage.load_dataset("piscine", root=tmp_path)
    columns = list(first.table.columns)
    del first.table[columns[0]]  # a page changing its copy
    second = datapackage.load_dataset("piscine", root=tmp_path)
    assert list(second.table.columns) == columns

    # a file changed on disk is read again
    data = next(p for p in folder.iterdir() if p.suffix == ".csv")
    lines = data.read_bytes().splitlines(keepends=True)
    data.write_bytes(b"".join(lines[:-1]))
    third = datapackage.load_dataset("piscine", root=tmp_path)
    assert len(third.table) == len(second.table) - 1
