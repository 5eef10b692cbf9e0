"""The quality report: one test per finding kind (with bad values), false alarms measured on a clean
generated table, ground truth on every bundled dataset and on the real files of shared/realdata."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labkit import paths
from labkit.errors import DatalabError
from labkit.prepare import categories, cleaning, quality
from labkit.prepare.recipe import apply_step

TODAY = pd.Timestamp("2025-06-01")


def clean_table(rows: int = 2000, seed: int = 0) -> pd.DataFrame:
    """A table without any defect: varied distributions, tidy categories, a noisy target."""
    rng = np.random.default_rng(seed)
    quartiers = np.array(["Centre", "Gare", "Plateau", "Vallée", "Port"])
    surface = rng.lognormal(4, 0.6, rows).round(1)
    age = rng.integers(18, 90, rows)
    score = rng.normal(50, 10, rows).round(2)
    visits = rng.poisson(3, rows)
    quartier = rng.choice(quartiers, rows)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    logit = 0.03 * (age - 50) + 0.05 * (score - 50) + rng.normal(0, 1.5, rows)
    return pd.DataFrame(
        {
            "surface": surface,
            "age": age,
            "score": score,
            "visites": visits,
            "quartier": quartier,
            "categorie": rng.choice(["A", "B", "C"], rows, p=[0.5, 0.3, 0.2]),
            "date_visite": dates,
            "montant": rng.gamma(2.0, 300.0, rows).round(2),
            "reponse": np.where(logit > 0, "oui", "non"),
        }
    )


def kinds(report) -> list[str]:
    return [f.kind for f in report.findings]


# ----------------------------------------------------------------------------- clean table
def test_clean_table_raises_no_false_alarm():
    report = quality.assess(clean_table(), target="reponse", today=TODAY)
    found = kinds(report)
    for kind in (
        "missing",
        "duplicates",
        "inconsistent_categories",
        "wrong_type",
        "identifier",
        "leakage",
        "personal_data",
        "schema",
        "imbalance",
        "constant",
    ):
        assert kind not in found, [f.message for f in report.findings if f.kind == kind]
    assert found.count("outliers") <= 1  # the far tails of lognormal / gamma data are not flagged
    assert report.score >= 95
    assert all(v is None or v >= 95 for v in report.scores.values())


def test_clean_tables_of_other_seeds_stay_quiet():
    alarms = 0
    for seed in range(1, 6):
        report = quality.assess(clean_table(800, seed), target="reponse", today=TODAY)
        alarms += len(report.findings)
    assert alarms <= 3, alarms


# ----------------------------------------------------------------------------- each kind
def test_missing_values_per_column_and_target():
    frame = clean_table(300)
    frame.loc[[3, 10, 20], "score"] = np.nan
    frame.loc[[5, 6], "reponse"] = None
    report = quality.assess(frame, target="reponse", today=TODAY)
    score = next(f for f in report.by_kind("missing") if f.columns == ["score"])
    assert score.count == 3 and score.rows == [3, 10, 20]
    assert score.fix.action == "fill_missing" and score.fix.params["strategy"] == "median"
    assert "« score »" in score.message and score.why
    target = next(f for f in report.by_kind("missing") if f.details.get("target"))
    assert target.rows == [5, 6] and target.fix.params == {
        "column": "reponse",
        "operator": "not_missing",
        "value": None,
        "keep_missing": False,
    }
    assert report.scores["completeness"] < 100


def test_almost_empty_columns_are_grouped():
    frame = clean_table(300)
    frame["remarque"] = None
    frame.loc[:10, "remarque"] = "à revoir"
    frame["note_libre"] = np.nan
    frame.loc[:5, "note_libre"] = 1.0
    report = quality.assess(frame, today=TODAY)
    grouped = [f for f in report.by_kind("missing") if f.details.get("almost_empty")]
    assert len(grouped) == 1 and set(grouped[0].columns) == {"remarque", "note_libre"}
    assert grouped[0].fix.action == "drop_column"


def test_duplicates_exact_and_with_another_identifier():
    frame = clean_table(300)
    frame.insert(0, "numero", [f"D-{i:04d}" for i in range(len(frame))])
    copy = frame.iloc[[7, 8]].copy()
    copy.index = [300, 301]
    renamed = frame.iloc[[9]].copy()
    renamed.index = [302]
    renamed["numero"] = "D-9999"
    frame = pd.concat([frame, copy, renamed])
    report = quality.assess(frame, today=TODAY)
    exact = [f for f in report.by_kind("duplicates") if not f.columns]
    assert exact and exact[0].rows == [300, 301] and exact[0].fix.action == "drop_duplicates"
    loose = [f for f in report.by_kind("duplicates") if f.columns == ["numero"]]
    assert loose and loose[0].rows == [302]
    assert report.scores["uniqueness"] < 100


def test_inconsistent_spellings_are_grouped_as_one_category():
    frame = clean_table(400)
    frame["region"] = "Bretagne"
    frame.loc[:99, "region"] = "Île-de-France"
    frame.loc[[1, 2], "region"] = "ILE-DE-FRANCE"
    frame.loc[[3], "region"] = "Ile de France"
    frame.loc[[4], "region"] = "ILE-DE-France"
    frame.loc[[5], "region"] = "BRETAGNE"
    frame.loc[[6, 7], "region"] = "Provence-Alpes-Côte d’Azur"
    frame.loc[[8], "region"] = "PACA"
    frame.loc[[9], "region"] = "Bretagen"  # a typo
    report = quality.assess(frame, today=TODAY)
    found = next(f for f in report.by_kind("inconsistent_categories") if f.columns == ["region"])
    mapping = found.fix.params["mapping"]
    assert (
        mapping["ILE-DE-FRANCE"]
        == mapping["Ile de France"]
        == mapping["ILE-DE-France"]
        == "Île-de-France"
    )
    assert mapping["BRETAGNE"] == mapping["Bretagen"] == "Bretagne"
    assert mapping["PACA"] == "Provence-Alpes-Côte d’Azur"
    assert sorted(found.rows) == [1, 2, 3, 4, 5, 8, 9]
    assert "quartier" not in report.columns_of("inconsistent_categories")
    assert report.scores["consistency"] < 100


def test_fold_category_keeps_different_categories_apart():
    assert categories.fold_category("St-Martin") == categories.fold_category("saint martin")
    assert categories.fold_category("Les Côteaux") == categories.fold_category("Coteaux")
    assert categories.fold_category("Lorraine") != categories.fold_category("Touraine")
    values = pd.Series(["C1", "C2", "C3", "Lorraine", "Touraine", "Marne", "Manche"] * 5)
    assert categories.category_groups(values, None) == []


def _typos(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours is one typo), the slow way."""
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(
                rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def test_one_typo_apart_is_one_change_addition_removal_or_swap():
    rng = np.random.default_rng(3)
    for _ in range(3000):
        a = "".join(rng.choice(list("abcd"), rng.integers(0, 9)))
        b = list(a)
        for _ in range(rng.integers(0, 3)):
            at = int(rng.integers(0, len(b) + 1))
            change = rng.integers(0, 4)
            if change == 0:
                b.insert(at, str(rng.choice(list("abcd"))))
            elif b and change == 1:
                del b[min(at, len(b) - 1)]
            elif b and change == 2:
                b[min(at, len(b) - 1)] = str(rng.choice(list("abcd")))
            elif len(b) > 1:
                at = min(at, len(b) - 2)
                b[at], b[at + 1] = b[at + 1], b[at]
        b = "".join(b)
        assert categories._one_edit(a, b) == (_typos(a, b) <= 1), (a, b)
    assert categories._close("gymnasse", "gymnase") and categories._close("gmynase", "gymnase")
    assert not categories._close("mobilieres", "immobilieres")


def test_yes_no_spellings_are_one_answer_and_numbered_values_stay_apart():
    values = pd.Series(["true"] * 20 + ["True"] * 5 + ["TRUE", "1", "1"] + ["false"] * 9 + ["0"])
    groups = {
        retained: set(variants) for retained, variants in categories.category_groups(values, None)
    }
    assert groups == {"true": {"True", "TRUE", "1"}, "false": {"0"}}
    days = pd.Series(["relevé uniquement sur 1 jour"] * 30 + ["relevé uniquement sur 2 jours"] * 2)
    assert categories.category_groups(days, None) == []
    rents = pd.Series(["LOCATIONS IMMOBILIERES"] * 40 + ["LOCATIONS MOBILIERES"] * 3)
    assert categories.category_groups(rents, None) == []


def test_outliers_robust_to_skewed_data():
    frame = clean_table(1000)
    frame.loc[10, "montant"] = 1_000_000.0
    frame.loc[11, "age"] = 250
    frame.loc[12, "age"] = -3
    report = quality.assess(frame, today=TODAY)
    found = {f.columns[0]: f for f in report.by_kind("outliers")}
    assert 10 in found["montant"].rows and len(found["montant"].rows) <= 2
    assert sorted(found["age"].rows) == [11, 12]
    assert found["age"].fix.action == "cap_outliers" and found["age"].fix.params["low"] == 0
    assert "surface" not in found  # a lognormal tail is not an outlier
    capped = apply_step(frame, found["age"].fix)
    assert capped["age"].between(0, found["age"].fix.params["high"]).all()


def test_impossible_dates_are_reported():
    frame = clean_table(300)
    frame.loc[4, "date_visite"] = pd.Timestamp("2099-01-01")
    frame.loc[5, "date_visite"] = pd.Timestamp("1850-01-01")
    report = quality.assess(frame, today=TODAY)
    found = next(f for f in report.by_kind("outliers") if f.columns == ["date_visite"])
    assert sorted(found.rows) == [4, 5]


def test_wrong_types_numbers_and_dates_stored_as_text():
    frame = clean_table(300)
    frame["montant"] = frame["montant"].map(
        lambda v: f"{v:,.2f} €".replace(",", " ").replace(".", ",")
    )
    frame["jours"] = frame["visites"].astype(str)
    frame.loc[[1, 2], "jours"] = ["3 jours", "temps plein"]
    frame["date_texte"] = frame["date_visite"].dt.strftime("%d/%m/%Y")
    frame["code_postal"] = "0" + frame["visites"].astype(str) + "100"
    report = quality.assess(frame, today=TODAY)
    found = {f.columns[0]: f for f in report.by_kind("wrong_type")}
    assert found["montant"].count == 300 and found["montant"].fix.params["to"] == "number"
    assert found["jours"].rows == [1, 2]
    assert found["date_texte"].fix.params == {
        "column": "date_texte",
        "to": "date",
        "format": "%d/%m/%Y",
    }
    assert "code_postal" not in found  # a code is not a quantity
    converted = apply_step(frame, found["montant"].fix)
    assert converted["montant"].iloc[0] == pytest.approx(frame_value(frame["montant"].iloc[0]))


def frame_value(text: str) -> float:
    return float(text.replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", "."))


def test_constant_and_nearly_constant_columns():
    frame = clean_table(300)
    frame["commune"] = "Val-de-Loire"
    frame["pays"] = "France"
    frame["rare"] = "non"
    frame.loc[[1, 2], "rare"] = "oui"
    report = quality.assess(frame, today=TODAY)
    constant = [f for f in report.by_kind("constant") if not f.details.get("nearly")]
    assert constant and set(constant[0].columns) == {"commune", "pays"}
    assert constant[0].fix.action == "drop_column"
    nearly = [f for f in report.by_kind("constant") if f.details.get("nearly")]
    assert nearly and nearly[0].columns == ["rare"] and nearly[0].fix is None


def test_identifier_columns_codes_and_free_text():
    frame = clean_table(300)
    frame.insert(0, "id", range(1, 301))
    frame["reference"] = [f"REF-{i:05d}" for i in range(300)]
    frame["commentaire"] = [
        f"Dossier suivi par l’agent numéro {i} avec des remarques" for i in range(300)
    ]
    report = quality.assess(frame, today=TODAY)
    found = {f.columns[0]: f for f in report.by_kind("identifier")}
    assert set(found) == {"id", "reference", "commentaire"}
    assert found["commentaire"].details["free_text"] and not found["reference"].details["free_text"]
    assert (
        "surface" not in found and "score" not in found
    )  # unique measurements are not identifiers


def test_leakage_by_missing_pattern_and_by_values():
    frame = clean_table(600)
    yes = frame["reponse"] == "oui"
    frame["date_entree"] = frame["date_visite"].where(yes)
    frame["decision_code"] = np.where(yes, "ACC", "REF")
    frame["montant_verse"] = np.where(yes, frame["montant"] + 100, 0.0)
    report = quality.assess(frame, target="reponse", today=TODAY)
    found = {f.columns[0]: f for f in report.by_kind("leakage")}
    assert {"date_entree", "decision_code", "montant_verse"} <= set(found)
    assert found["date_entree"].details["reason"] == "missing"
    assert found["decision_code"].fix.action == "drop_column"
    assert "score" not in found and "age" not in found  # useful, honest features
    assert not [f for f in report.by_kind("missing") if f.columns == ["date_entree"]]


def test_leakage_for_a_numeric_target():
    frame = clean_table(400)
    frame["cout_total"] = frame["montant"] * 1.2 + 3
    report = quality.assess(frame, target="montant", today=TODAY)
    assert report.task == "regression"
    assert report.columns_of("leakage") == {"cout_total"}


def test_imbalance_of_the_target():
    frame = clean_table(500)
    frame["rare"] = "non"
    frame.loc[:14, "rare"] = "oui"
    report = quality.assess(frame, target="rare", today=TODAY)
    found = report.by_kind("imbalance")
    assert found and found[0].count == 15 and found[0].details["classes"] == {"non": 485, "oui": 15}
    assert "3 %" in found[0].message or "3,0 %" in found[0].message
    balanced = quality.assess(clean_table(500), target="reponse", today=TODAY)
    assert not balanced.by_kind("imbalance")


def test_personal_data_columns_are_found_with_evidence():
    frame = clean_table(200)
    frame["prenom"] = ["Camille", "Julien", "Sophie", "Karim"] * 50
    frame["courriel"] = [f"agent{i}@exemple.fr" for i in range(200)]
    report = quality.assess(frame, target="reponse", today=TODAY)
    found = {f.columns[0]: f for f in report.by_kind("personal_data")}
    assert set(found) == {"prenom", "courriel"}
    assert (
        "100 %" in found["courriel"].message and found["courriel"].fix.action == "remove_personal"
    )
    assert found["courriel"].details["examples"][0].startswith("ag…@")


def test_schema_breaks_are_findings_with_a_merge_fix():
    frame = clean_table(200)
    frame.loc[[0, 1], "quartier"] = ["centre", "PORT"]
    schema = {
        "fields": [
            {
                "name": "quartier",
                "type": "string",
                "constraints": {"enum": ["Centre", "Gare", "Plateau", "Vallée", "Port"]},
            },
            {"name": "age", "type": "integer", "constraints": {"minimum": 20}},
        ]
    }
    report = quality.assess(frame, schema=schema, today=TODAY)
    found = {f.details["rule"]: f for f in report.by_kind("schema")}
    assert sorted(found["enum"].rows) == [0, 1]
    assert found["enum"].fix.params["mapping"] == {"centre": "Centre", "PORT": "Port"}
    assert found["minimum"].count == int((frame["age"] < 20).sum())
    assert report.scores["validity"] < 100


def test_timeliness_from_dates_and_years():
    recent = quality.assess(clean_table(100), today=TODAY)
    assert recent.scores["timeliness"] == 100
    old = pd.DataFrame({"Année": [2012, 2013, 2014] * 10, "valeur": range(30)})
    report = quality.assess(old, today=TODAY)
    assert report.scores["timeliness"] < 50 and "31/12/2014" in report.notes["timeliness"]
    assert quality.assess(pd.DataFrame({"x": range(30)}), today=TODAY).scores["timeliness"] is None


# ----------------------------------------------------------------------------- API
def test_summary_is_the_short_json_form():
    frame = clean_table(200)
    frame.loc[[1, 2], "score"] = np.nan
    data = quality.summary(quality.assess(frame, today=TODAY))
    assert set(data) == {"score", "findings"} and 0 <= data["score"] <= 100
    assert data["findings"][0] == {
        "kind": "missing",
        "columns": ["score"],
        "count": 2,
        "message": data["findings"][0]["message"],
    }
    json.dumps(data)  # plain JSON values


def test_bad_input_gives_french_errors():
    with pytest.raises(DatalabError, match="vide ou illisible"):
        quality.assess("pas un tableau")
    with pytest.raises(DatalabError, match="vide ou illisible"):
        quality.assess(pd.DataFrame())
    with pytest.raises(DatalabError, match="n’est pas une colonne") as info:
        quality.assess(clean_table(50), target="absente")
    assert "« age »" in str(info.value)


def test_tiny_and_odd_tables_do_not_crash():
    for frame in [
        pd.DataFrame({"a": [1]}),
        pd.DataFrame({"a": [None, None]}),
        pd.DataFrame({"a": ["x", "y"], "b": [[1], [2]]}),
        pd.DataFrame({1: [1, 2, 3], 2: ["a", "b", "c"]}),
        pd.DataFrame({"t": pd.to_datetime(["2020-01-01", None], utc=True)}),
    ]:
        report = quality.assess(frame, today=TODAY)
        assert 0 <= report.score <= 100


def test_default_recipe_gives_a_table_a_model_can_use():
    frame = clean_table(400)
    frame.loc[[1, 2], "score"] = np.nan
    frame["courriel"] = [f"agent{i}@exemple.fr" for i in range(400)]
    frame["id"] = range(400)
    frame.loc[5, "age"] = 999
    report = quality.assess(frame, target="reponse", today=TODAY)
    recipe = cleaning.default_recipe(frame, report)
    cleaned = recipe.apply(frame)
    assert "courriel" not in cleaned.columns and "id" not in cleaned.columns
    assert cleaned.drop(columns=["reponse"]).isna().sum().sum() == 0
    assert cleaned["age"].max() < 999
    assert "date_visite_annee" in cleaned.columns and "reponse" in cleaned.columns


# ----------------------------------------------------------------------------- ground truth
def bundled_datasets() -> list:
    folder = paths.datasets_dir()
    return sorted(p.parent.name for p in folder.glob("*/datapackage.json"))


def read_bundled(name: str) -> tuple[pd.DataFrame, dict, dict]:
    """The dataset as a typed loader reads it: numbers with their declared decimal and group marks;
    a column where some values are not numbers stays text (that is a defect to find)."""
    folder = paths.datasets_dir() / name
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resource = package["resources"][0]
    dialect = resource.get("dialect") or {}
    path = folder / resource["path"]
    if path.suffix in (".xlsx", ".xls", ".ods"):
        header = (dialect.get("headerRows") or [1])[0] - 1
        sheet = (dialect.get("excel") or {}).get("sheet", 0)
        frame = pd.read_excel(path, sheet_name=sheet, header=header, dtype=str, engine="openpyxl")
    else:
        frame = pd.read_csv(
            path,
            sep=dialect.get("delimiter", ","),
            encoding=resource.get("encoding", "utf-8"),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
        )
    schema = resource.get("schema") or {}
    for spec in schema.get("fields", []):
        column = spec["name"]
        if column not in frame.columns or spec.get("type") not in ("number", "integer"):
            continue
        text = frame[column].astype("string").str.strip()
        group = spec.get("groupChar")
        if group:
            text = text.str.replace(group, "", regex=False).str.replace("\u202f", "", regex=False)
        if spec.get("bareNumber") is False:
            text = text.str.replace(r"[^\d,.\-]", "", regex=True)
        if spec.get("decimalChar", ".") != ".":
            text = text.str.replace(spec["decimalChar"], ".", regex=False)
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().sum() == frame[column].notna().sum():
            frame[column] = numbers.astype("float64")
            if spec["type"] == "integer" and frame[column].notna().all():
                frame[column] = frame[column].astype("int64")
    return frame, package, schema


def check_documented(report, defects, index=None) -> list[str]:
    """Every documented defect has a finding of its kind on its columns (the target aside: a
    leak « between the two possible targets » is reported on the other one) and its rows (the
    documented positions are the labels of ``index`` when the table has file rows as labels)."""
    problems = []
    for defect in defects:
        kind, columns = defect["kind"], set(defect.get("columns") or [])
        if kind == "leakage" and report.target:
            columns.discard(report.target)
        found = [f for f in report.by_kind(kind) if not columns or columns & set(f.columns)]
        if not found:
            problems.append(f"{kind} {sorted(columns)}: not found")
            continue
        covered = {c for f in found for c in f.columns}
        if not columns <= covered:
            problems.append(f"{kind}: columns {sorted(columns - covered)} not covered")
        rows = set(defect.get("rows") or [])
        if index is not None:
            rows = {index[r] for r in rows}
        seen = {r for f in found for r in f.rows}
        if rows and not rows <= seen:
            problems.append(f"{kind} {sorted(columns)}: rows {sorted(rows - seen)[:5]} missed")
    return problems


@pytest.mark.parametrize("name", bundled_datasets())
def test_every_documented_defect_of_every_bundled_dataset_is_found(name):
    frame, package, schema = read_bundled(name)
    targets = package.get("suggested_targets") or [{}]
    target = targets[0].get("column")
    report = quality.assess(frame, target=target, schema=schema, today=TODAY)
    defects = package.get("defects") or []
    assert defects, f"{name} documents no defect"
    assert check_documented(report, defects) == []
    # without drowning them: few findings that match no documented defect
    extras = [f.message for f in report.findings if not documents(f, defects)]
    assert len(extras) <= 6, extras


def documents(finding, defects) -> bool:
    return any(
        d["kind"] == finding.kind
        and (not d.get("columns") or set(d["columns"]) & set(finding.columns))
        for d in defects
    )


def test_bundled_datasets_through_the_data_package_loader():
    from labkit.data import datapackage

    for name in bundled_datasets():
        dataset = datapackage.load_dataset(name)
        targets = getattr(dataset, "suggested_targets", None) or [{}]
        first = targets[0]
        target = first.get("column") if isinstance(first, dict) else getattr(first, "column", None)
        report = quality.assess(dataset.table, target=target, schema=dataset.schema, today=TODAY)
        defects = [d if isinstance(d, dict) else vars(d) for d in dataset.defects]
        assert check_documented(report, defects, dataset.table.index) == [], name


def test_running_example_scores_and_default_recipe():
    frame, package, schema = read_bundled("creches")
    report = quality.assess(frame, target="place_attribuee", schema=schema, today=TODAY)
    # the dimensions are good, but a leak and unprotected personal data weigh on the global score
    assert report.mean >= 80
    assert {kind for kind, _, _ in report.deductions} == {"leakage", "personal_data"}
    assert report.score <= report.mean - 40 and report.score < 60
    assert "points en moins" in report.score_explanation()
    recipe = cleaning.default_recipe(frame, report)
    cleaned = recipe.apply(frame)
    personal = {"nom_parent", "prenom_parent", "email", "telephone", "adresse", "nir_parent"}
    assert not personal & set(cleaned.columns)
    assert "date_entree" not in cleaned.columns  # the leak is gone
    assert cleaned.drop(columns=["place_attribuee"]).isna().sum().sum() == 0
    assert set(cleaned["quartier"].unique()) <= {
        "Centre-ville",
        "Les Rives",
        "Saint-Martin",
        "La Plaine",
        "Bel-Air",
        "Les Coteaux",
    }
    assert len(cleaned) == len(frame) - 16
    after = quality.assess(cleaned, target="place_attribuee", today=TODAY, recipe=recipe)
    assert after.score >= 95 and not after.deductions


# ----------------------------------------------------------------------------- real files
def read_real(realdata, name: str) -> pd.DataFrame:
    from labkit.data.reader import read_table

    return read_table((realdata / name).read_bytes(), name, None).frame


@pytest.mark.realdata
def test_cnds_grants_region_spellings_and_amounts(realdata):
    frame = read_real(realdata, "subventions_cnds_2015_cp1252.csv")
    report = quality.assess(frame, today=TODAY)
    region = next(f for f in report.by_kind("inconsistent_categories") if f.columns == ["Region"])
    groups = {g["retained"]: set(g["variants"]) for g in region.details["groups"]}
    idf = next(v | {k} for k, v in groups.items() if "ILE-DE-FRANCE" in v | {k})
    assert {"Ile de France", "ILE-DE-FRANCE", "ILE-DE-France"} <= idf
    paca = next(v | {k} for k, v in groups.items() if "PACA" in v | {k})
    assert "PROVENCE-ALPES-COTE-D'AZUR" in paca
    midi = next(v | {k} for k, v in groups.items() if "Midi-Pyrénées" in v | {k})
    assert {"MIDI-PYRENEES", "MIDI-PYRENNES"} <= midi
    if frame["Montant_op"].dtype.kind not in "fi":  # the reader may already read the euros
        assert {"Montant_op", "Montant_acc"} <= report.columns_of("wrong_type")
    assert "n°SES" in report.columns_of("identifier")
    assert "Dep" not in report.columns_of("wrong_type")  # a department code is not a quantity
    assert len(report.findings) <= 9
    assert not report.by_kind("outliers") and not report.by_kind("personal_data")


@pytest.mark.realdata
def test_urban_trees_findings_a_careful_person_would_make(realdata):
    frame = read_real(realdata, "arbres_urbains_sgl.csv")
    report = quality.assess(frame, target="classification_diagnostic", today=TODAY)
    target = next(f for f in report.by_kind("missing") if f.details.get("target"))
    assert target.count == 10
    assert report.by_kind("imbalance")
    assert "ID_ARBRE" in report.columns_of("identifier")
    assert {"commune", "insecte_collet"} <= report.columns_of("constant")
    if not pd.api.types.is_datetime64_any_dtype(frame["date_diagnostic"]):
        assert "date_diagnostic" in report.columns_of("wrong_type")
    assert "type_sol" in report.columns_of("inconsistent_categories")  # « Gr » and « GR »
    assert "date_plantation" in report.columns_of("outliers")  # a year written « 200 »
    assert not report.by_kind("personal_data") and not report.by_kind("leakage")
    assert len(report.findings) <= 25
    assert len(report.by_kind("outliers")) <= 2


@pytest.mark.realdata
def test_recycling_centres_stay_quiet(realdata):
    frame = read_real(realdata, "dechetteries_nantes.csv")
    report = quality.assess(frame, target="Tout-venant", today=TODAY)
    assert report.task == "regression"
    assert len(report.findings) <= 4, [f.message for f in report.findings]
    assert not report.by_kind("leakage") and not report.by_kind("personal_data")
    assert not report.by_kind("inconsistent_categories")
    assert report.scores["timeliness"] is not None and report.scores["timeliness"] < 50  # 2017


def test_placeholders_are_proposed_as_empty_never_capped():
    """A 9 999 speed limit repeated on many rows, a latitude of 0, « - » and « ND » among
    categories: each is a way of writing « unknown » (issue 21: 9999 was capped to 8 055)."""
    rng = np.random.default_rng(3)
    rows = 400
    frame = pd.DataFrame(
        {
            "vitesse_max": rng.choice([30, 50, 70, 90], rows).astype(float),
            "latitude": rng.uniform(47.1, 47.6, rows).round(5),
            "nature": rng.choice(["Gymnase", "Stade", "Piscine"], rows).astype(object),
            "comptage": rng.integers(100, 2000, rows).astype(float),
        }
    )
    frame.loc[:20, "vitesse_max"] = 9999
    frame.loc[30:33, "latitude"] = 0
    frame.loc[40:44, "nature"] = "-"
    frame.loc[45, "nature"] = "ND"
    frame.loc[50, "comptage"] = 9999  # once: a typo among others, an extreme value
    report = quality.assess(frame, today=TODAY)
    steps = {f.columns[0]: f.fix for f in report.findings if f.fix is not None}
    assert steps["vitesse_max"].action == "mark_missing"
    assert steps["vitesse_max"].params["values"] == [9999.0]
    assert steps["latitude"].params["values"] == [0.0]
    assert steps["nature"].action == "mark_missing"
    assert set(steps["nature"].params["values"]) == {"-", "ND"}
    assert steps.get("comptage") is None or steps["comptage"].action != "mark_missing"
    cleaned = cleaning.default_recipe(frame, report).apply(frame)
    assert cleaned["vitesse_max"].max() == 90  # never capped to a plausible-looking value
    assert not cleaned["nature"].isin(["-", "ND"]).any()


def test_negative_surfaces_among_extreme_values_are_called_impossible():
    """Issue 21: negative surfaces were only « hors de l'intervalle plausible »."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"surface_m2": rng.gamma(4, 30, 600).round(1)})
    frame.loc[[3, 4], "surface_m2"] = [-12.0, -40.0]
    frame.loc[5, "surface_m2"] = 250_000.0
    found = quality.assess(frame, today=TODAY).by_kind("outliers")
    assert found and found[0].details["impossible"] == 2
    assert "2 sont impossibles pour cette grandeur" in found[0].message


def test_coordinates_and_dates_left_as_text_are_never_filled_with_an_invented_value():
    """Read on the Montpellier defibrillators file: « long_coor1 » was filled with its median
    (43,61: every unknown device put at one place); two dates in a cell were filled with
    « Non renseigné »."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "lat_coor1": rng.uniform(43.55, 43.65, 300).round(5),
            "long_coor1": rng.uniform(3.80, 3.95, 300).round(5),
            "date_solde": ["31/12/2018"] * 150 + ["2017-11-16\n2018-12-31"] * 150,
            "montant": rng.gamma(3, 1000, 300).round(2),
        }
    )
    frame.loc[:20, ["lat_coor1", "long_coor1", "date_solde", "montant"]] = np.nan
    report = quality.assess(frame, today=TODAY)
    fixes = {f.columns[0]: f.fix for f in report.by_kind("missing") if len(f.columns) == 1}
    assert fixes["lat_coor1"] is None and fixes["long_coor1"] is None
    assert fixes["date_solde"] is None
    assert fixes["montant"].params["strategy"] == "median"  # a quantity is still filled
    cleaned = cleaning.default_recipe(frame, report).apply(frame)
    kept = cleaned.loc[cleaned.index <= 20]  # the empty rows (alike, so one is kept)
    assert len(kept) and kept["long_coor1"].isna().all() and kept["lat_coor1"].isna().all()
