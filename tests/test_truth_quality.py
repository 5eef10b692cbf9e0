"""What module 04's quality report says matches the data (issue 12 items 1, 2, 5), on tables made
here: a target decided by several columns together, signed measurements, capped values, scores
that show leaks, personal data and schema breaches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.prepare import cleaning, detectors, quality
from labkit.prepare import recipe as rc
from labkit.prepare.recipe import Recipe

TODAY = pd.Timestamp("2025-06-01")
LABELS = np.array(["Bon", "Moyen", "Dégradé", "Mauvais", "Très mauvais", "Extrêmement mauvais"])
POLLUTANTS = ("o3", "no2", "pm10", "pm25")


def air_quality(rows: int = 1000, seed: int = 0, as_text: bool = False) -> pd.DataFrame:
    """An overall air-quality index that is the maximum of four sub-indices, with weather columns
    that tell a little about it, as in the ATMO files of French air-quality networks."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 3, rows)
    subs = {p: np.clip(base + rng.integers(0, 4, rows), 0, 5) for p in POLLUTANTS}
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=rows, freq="h").strftime("%d/%m/%Y"),
            "temperature": (rng.normal(4, 6, rows)).round(1),  # winter: many below zero
            "vent_kmh": rng.gamma(2, 6, rows).round(1),
        }
    )
    for p, values in subs.items():
        frame[f"sous_indice_{p}"] = LABELS[values] if as_text else values + 1
    overall = np.max(np.column_stack(list(subs.values())), axis=1)
    frame["indice_global"] = LABELS[overall]
    return frame


@pytest.mark.parametrize("as_text", [False, True])
def test_a_target_decided_by_four_sub_indices_together_is_a_leak(as_text):
    frame = air_quality(as_text=as_text)
    report = quality.assess(frame, target="indice_global", today=TODAY)
    leaks = report.by_kind("leakage")
    assert leaks, [f.message for f in report.findings]
    named = {c for f in leaks for c in f.columns}
    assert named == {f"sous_indice_{p}" for p in POLLUTANTS}
    joint = next(f for f in leaks if f.details.get("joint"))
    assert joint.message.startswith("Prises ensemble, ces 4 colonnes donnent la cible")
    assert "maximum de sous-indices" in joint.message
    assert joint.fix.action == "drop_column" and set(joint.fix.params["columns"]) == named
    assert joint.severity == "critical"
    cleaned = cleaning.default_recipe(frame, report).apply(frame)
    assert not named & set(cleaned.columns)


def test_a_total_that_is_the_sum_of_its_parts_is_a_leak():
    rng = np.random.default_rng(1)
    rows = 800
    frame = pd.DataFrame(
        {
            "part_fonctionnement": rng.gamma(3, 1000, rows).round(2),
            "part_investissement": rng.gamma(2, 3000, rows).round(2),
            "part_personnel": rng.gamma(4, 2000, rows).round(2),
            "habitants": rng.integers(200, 20000, rows),
            "commune_type": rng.choice(["rurale", "urbaine", "périurbaine"], rows),
        }
    )
    frame["budget_total"] = frame[
        ["part_fonctionnement", "part_investissement", "part_personnel"]
    ].sum(axis=1)
    report = quality.assess(frame, target="budget_total", today=TODAY)
    joint = [f for f in report.by_kind("leakage") if f.details.get("joint")]
    assert joint and set(joint[0].columns) == {
        "part_fonctionnement",
        "part_investissement",
        "part_personnel",
    }
    assert "somme de ses parties" in joint[0].message


def test_a_learnable_but_noisy_target_is_not_called_a_leak():
    rng = np.random.default_rng(2)
    rows = 2000
    frame = pd.DataFrame({f"x{i}": rng.normal(0, 1, rows) for i in range(6)})
    frame["groupe"] = rng.choice(["a", "b", "c"], rows)
    frame["cible"] = np.where(frame["x0"] + frame["x1"] + rng.normal(0, 0.4, rows) > 0, "o", "n")
    assert not quality.assess(frame, target="cible", today=TODAY).by_kind("leakage")


# ----------------------------------------------------------------------------- signed quantities
def test_winter_temperatures_below_zero_are_not_impossible():
    frame = air_quality()
    report = quality.assess(frame, target="indice_global", today=TODAY)
    for finding in report.by_kind("outliers"):
        assert "impossible" not in finding.message, finding.message
        if finding.columns == ["temperature"]:
            assert finding.fix is None  # a real measurement is never clamped


def test_negative_values_are_impossible_only_where_the_meaning_forbids_them():
    rng = np.random.default_rng(4)
    rows = 400
    frame = pd.DataFrame(
        {
            "age": rng.integers(0, 95, rows).astype(float),
            "temperature_min": rng.normal(2, 5, rows).round(1),
            "solde_compte": rng.normal(100, 400, rows).round(2),
            "mesure_x": rng.normal(50, 5, rows).round(2),
        }
    )
    frame.loc[[5, 9], "age"] = [-3, -40]
    frame.loc[[5, 9], "mesure_x"] = [-3, -4]  # unknown meaning: extreme maybe, not impossible
    report = quality.assess(frame, today=TODAY)
    age = next(f for f in report.by_kind("outliers") if f.columns == ["age"])
    assert age.details["impossible"] == 2 and "impossible" in age.message
    assert age.fix.action == "cap_outliers" and age.fix.params["low"] == 0
    assert "temperature_min" not in report.columns_of("outliers")
    assert "solde_compte" not in report.columns_of("outliers")
    for finding in report.by_kind("outliers"):
        if finding.columns == ["mesure_x"]:
            assert finding.details["impossible"] == 0
    assert detectors.nonnegative("nb_places") and detectors.nonnegative("Durée (jours)")
    assert detectors.nonnegative("temperature") is False
    assert detectors.nonnegative("pourcentage_variation") is False
    assert detectors.nonnegative("code_commune") is None
    assert detectors.nonnegative("mesure", {"constraints": {"minimum": -50}}) is False
    assert detectors.nonnegative("mesure", {"constraints": {"minimum": 0}}) is True


def test_the_workbook_does_not_flag_its_own_capped_values():
    rng = np.random.default_rng(5)
    rows = 600
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 70, rows),
            "quotient_familial": rng.integers(300, 1800, rows),
            "cible": rng.choice(["oui", "non"], rows),
        }
    )
    frame.loc[[1, 2, 3], "age"] = [190, 205, 230]
    frame.loc[[4, 5, 6], "quotient_familial"] = [90_000, 95_000, 99_000]
    schema = {
        "fields": [
            {"name": "age", "type": "integer"},
            {"name": "quotient_familial", "type": "integer"},
            {"name": "cible", "type": "string"},
        ]
    }
    report = quality.assess(frame, target="cible", schema=schema, today=TODAY)
    recipe = Recipe()
    table = frame
    for finding in report.by_kind("outliers"):
        fitted = recipe.add(finding.fix, table)
        table = rc.apply_step(table, fitted)
    assert {s.params["column"] for s in recipe.steps} == {"age", "quotient_familial"}
    again = quality.assess(table, target="cible", schema=schema, today=TODAY, recipe=recipe)
    assert not again.by_kind("outliers"), [f.message for f in again.by_kind("outliers")]
    assert not again.by_kind("schema"), [f.message for f in again.by_kind("schema")]
    assert pd.api.types.is_integer_dtype(table["quotient_familial"])


# ----------------------------------------------------------------------------- scores
def test_a_leak_and_an_unprotected_social_security_number_weigh_on_the_global_score():
    frame = air_quality(600)
    rng = np.random.default_rng(6)
    frame["nir"] = [
        f"{rng.integers(1, 3)}{rng.integers(40, 99):02d}{rng.integers(1, 13):02d}"
        f"{rng.integers(1, 96):02d}{rng.integers(1, 999):03d}{rng.integers(1, 999):03d}"
        for _ in range(len(frame))
    ]
    nir = frame["nir"].astype("int64")
    frame["nir"] = frame["nir"] + (97 - nir % 97).map(lambda k: f"{k:02d}")
    report = quality.assess(frame, target="indice_global", today=TODAY)
    assert report.by_kind("personal_data") and report.by_kind("leakage")
    kinds = {kind for kind, _, _ in report.deductions}
    assert kinds == {"leakage", "personal_data"}
    assert report.score <= round(report.mean) - 35 and report.score < 65
    text = report.score_explanation()
    assert "points en moins pour la fuite de la cible" in text
    assert "points en moins pour les données personnelles non protégées" in text
    assert report.to_dict()["deductions"]


def test_a_dimension_with_findings_never_shows_100():
    rng = np.random.default_rng(7)
    rows = 3000
    frame = pd.DataFrame({f"mesure_{i}": rng.normal(10, 2, rows).round(2) for i in range(20)})
    frame["etat"] = rng.choice(["neuf", "usé", "hors service"], rows)
    frame.loc[:63, "etat"] = "cassé"  # 64 cells outside the schema's list
    schema = {
        "fields": [{"name": f"mesure_{i}", "type": "number"} for i in range(20)]
        + [
            {
                "name": "etat",
                "type": "string",
                "constraints": {"enum": ["neuf", "usé", "hors service"]},
            }
        ]
    }
    report = quality.assess(frame, schema=schema, today=TODAY)
    schema_findings = report.by_kind("schema")
    assert schema_findings and sum(f.count for f in schema_findings) == 64
    assert report.scores["validity"] <= 97
    assert report.score < 100
    clean = quality.assess(frame.iloc[64:], schema=schema, today=TODAY)
    assert clean.scores["validity"] == 100
