"""Validation against a Table Schema, with frictionless, in plain French."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labkit import paths
from labkit.data import schema_check
from labkit.errors import DatalabError

SCHEMA = {
    "fields": [
        {
            "name": "quartier",
            "type": "string",
            "constraints": {"required": True, "enum": ["Centre", "Gare", "Port"]},
        },
        {"name": "age", "type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
        {"name": "montant", "type": "number", "decimalChar": ","},
        {"name": "date", "type": "date", "format": "%d/%m/%Y"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[0-9]{5}"}},
    ]
}


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quartier": ["Centre", "Gare", "Port", "Centre"],
            "age": [34, 51, 8, 77],
            "montant": [12.5, 3.0, 100.25, 7.0],
            "date": pd.to_datetime(["2024-01-05", "2024-02-06", "2024-03-07", "2024-04-08"]),
            "code": ["41000", "37000", "45000", "41500"],
        }
    )


def test_a_conforming_table_is_valid():
    report = schema_check.validate(table(), SCHEMA)
    assert report.valid and not [i for i in report.issues if i.blocking]
    assert "respectent" in report.summary()


def test_each_rule_broken_gives_a_french_message_with_rows():
    frame = table()
    frame.loc[1, "quartier"] = "gare"
    frame.loc[2, "quartier"] = None
    frame["age"] = frame["age"].astype("object")
    frame.loc[0, "age"] = "trente"
    frame.loc[3, "age"] = 150
    frame.loc[1, "code"] = "4100"
    report = schema_check.validate(frame, SCHEMA)
    assert not report.valid
    issues = {(i.column, i.rule): i for i in report.issues}
    assert issues[("quartier", "enum")].rows == [1]
    assert "liste permise" in issues[("quartier", "enum")].message
    assert issues[("quartier", "required")].rows == [2]
    assert (
        issues[("age", "type")].rows == [0] and "nombre entier" in issues[("age", "type")].message
    )
    assert issues[("age", "maximum")].rows == [3] and "120" in issues[("age", "maximum")].message
    assert issues[("code", "pattern")].rows == [1]
    for issue in report.issues:
        assert issue.message and "constraint" not in issue.message and "cell" not in issue.message


def test_columns_are_matched_by_name_not_position():
    frame = table()[["code", "date", "montant", "age", "quartier"]]
    frame["extra"] = 1
    report = schema_check.validate(frame.drop(columns=["montant"]), SCHEMA)
    rules = {(i.column, i.rule) for i in report.issues}
    assert ("montant", "missing_column") in rules
    assert ("extra", "extra_column") in rules
    extra = next(i for i in report.issues if i.rule == "extra_column")
    assert not extra.blocking
    assert ("age", "type") not in rules  # the values were checked against the right field


def test_index_labels_are_reported():
    frame = table()
    frame.index = [10, 20, 30, 40]
    frame.loc[30, "quartier"] = "Plage"
    report = schema_check.validate(frame, SCHEMA)
    assert next(i for i in report.issues if i.rule == "enum").rows == [30]


def test_bad_schemas_and_tables_give_french_errors(tmp_path):
    for bad in [{}, {"fields": []}, {"fields": [{"type": "string"}]}, "{pas du json", "[]"]:
        with pytest.raises(DatalabError):
            schema_check.validate(table(), bad)
    with pytest.raises(DatalabError, match="illisible"):
        schema_check.validate("tableau", SCHEMA)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    assert schema_check.load_schema(path)["fields"][0]["name"] == "quartier"
    assert schema_check.load_schema(json.dumps(SCHEMA))["fields"]


def test_running_example_breaks_its_schema_where_documented():
    folder = paths.datasets_dir() / "creches"
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resource = package["resources"][0]
    frame = pd.read_csv(folder / resource["path"], sep=";")
    report = schema_check.validate(frame, resource["schema"])
    enum = next(i for i in report.issues if (i.column, i.rule) == ("quartier", "enum"))
    documented = next(d for d in package["defects"] if d["kind"] == "schema")
    assert sorted(enum.rows) == sorted(documented["rows"])
    assert schema_check.allowed_values(resource["schema"])["quartier"][0] == "Centre-ville"


def test_missing_values_are_not_type_errors():
    frame = table()
    frame.loc[0, "montant"] = np.nan
    frame.loc[1, "date"] = pd.NaT
    report = schema_check.validate(frame, SCHEMA)
    assert report.valid
