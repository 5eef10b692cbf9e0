"""``datalab train``: read like module 03, clean like module 04, compare, print (text or JSON)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labkit.cli import main


def french_csv(path, n: int = 200, seed: int = 0, signal: bool = True):
    """A CSV as French services write them: ``;`` separator, decimal comma, a duplicated row,
    an identifier column and a few rows without target."""
    rng = np.random.default_rng(seed)
    lines = ["numero;quartier;revenu;anciennete;decision"]
    for i in range(n):
        quartier = rng.choice(["Nord", "Sud", "Centre"])
        revenu = rng.normal(1500, 400)
        anciennete = int(rng.integers(0, 24))
        score = (revenu - 1500) / 300 + (anciennete - 12) / 6 + (1 if quartier == "Nord" else 0)
        if not signal:
            score = rng.normal()
        decision = "oui" if score + rng.normal(0, 0.5) > 0 else "non"
        if i % 50 == 7:
            decision = ""
        lines.append(
            f"D-{i:04d};{quartier};{revenu:.2f}".replace(".", ",") + f";{anciennete};{decision}"
        )
    lines.append(lines[5])  # a duplicate
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_has_task_metric_baseline_and_models_on_the_same_cv(tmp_path, capsys):
    path = french_csv(tmp_path / "demandes.csv")
    code, out, _ = run(["train", str(path), "--target", "decision", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["task"] == "classification" and result["metric"] == "accuracy"
    assert 0.4 < result["baseline"] < 0.8
    names = {m["name"] for m in result["models"]}
    assert {"Arbre de décision", "Régression logistique", "Formule explicite"} <= names
    for model in result["models"]:
        assert set(model) >= {"name", "score", "std", "seconds"}
        assert 0 <= model["score"] <= 1 and model["std"] >= 0 and model["seconds"] > 0
    scores = [m["score"] for m in result["models"]]
    assert scores == sorted(scores, reverse=True)  # best first, higher is better
    assert result["beats_baseline"] and result["models"][0]["score"] > result["baseline"] + 0.1
    assert "numero" not in result["features"]  # the identifier is left aside
    assert result["rows"] == 196  # duplicate removed, rows without target dropped
    assert any("double" in step for step in result["recipe"])


def test_text_output_is_a_french_table(tmp_path, capsys):
    path = french_csv(tmp_path / "demandes.csv")
    code, out, err = run(["train", str(path), "--target", "decision"], capsys)
    assert code == 0
    assert "Modèles comparés sur « decision »" in out
    assert "Référence naïve" in out and "Écart-type" in out and "Prêt pour l’atelier" in out
    assert "%" in out
    assert "Lecture de demandes.csv" in err


def test_a_file_without_signal_is_not_workshop_ready(tmp_path, capsys):
    path = french_csv(tmp_path / "bruit.csv", signal=False)
    code, out, _ = run(["train", str(path), "--target", "decision"], capsys)
    assert code == 0
    assert "À revoir avant l’atelier" in out


def test_regression_on_a_dataset_folder(capsys):
    from labkit import paths

    folder = paths.datasets_dir() / "batiments"
    code, out, _ = run(["train", str(folder), "--target", "consommation_kwh_m2", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["task"] == "regression" and result["metric"] == "r2"
    assert abs(result["baseline"]) < 0.1 and result["models"][0]["score"] > 0.5


def test_missing_file_unknown_target_and_bad_folds_are_french_errors(tmp_path, capsys):
    code, _, err = run(["train", str(tmp_path / "absent.csv"), "--target", "x"], capsys)
    assert code == 1 and "Fichier introuvable" in err
    path = french_csv(tmp_path / "demandes.csv", n=60)
    code, _, err = run(["train", str(path), "--target", "inconnue"], capsys)
    assert code == 1 and "« inconnue » n’existe pas" in err and "quartier" in err
    code, _, err = run(["train", str(path), "--target", "decision", "--folds", "30"], capsys)
    assert code == 1 and "plis" in err


def test_a_constant_target_and_an_empty_file(tmp_path, capsys):
    path = tmp_path / "constante.csv"
    path.write_text("a;b\n" + "\n".join(f"{i};oui" for i in range(50)) + "\n", encoding="utf-8")
    code, _, err = run(["train", str(path), "--target", "b"], capsys)
    assert code == 1 and "Erreur : La cible « b »" in err and "une seule valeur" in err
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    code, _, err = run(["train", str(empty), "--target", "b"], capsys)
    assert code == 1 and "Erreur : " in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["train"], ["train", "x.csv"]])
def test_missing_arguments_show_usage(argv, capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2


# ----------------------------------------------------------------------------- bad inputs (issue 13)
def _csv(path, header: str, rows: list[str]):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _numbers(n: int = 120, seed: int = 1) -> list[tuple[float, str]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(10, 3), "oui" if rng.random() > 0.5 else "non") for _ in range(n)]


def test_infinities_in_a_feature_become_empty_not_a_traceback(tmp_path, capsys):
    rows = [f"{x:.2f};{y}" for x, y in _numbers()]
    rows[3] = "Infinity;oui"
    rows[8] = "1e400;non"
    path = _csv(tmp_path / "infini.csv", "mesure;decision", rows)
    code, out, err = run(["train", str(path), "--target", "decision", "--json"], capsys)
    assert code == 0, err
    assert "Traceback" not in err and "RuntimeWarning" not in err and "infinity" not in err
    result = json.loads(out)
    assert result["rows"] >= 110
    infinite = [w for w in result["warnings"] if w["kind"] == "infinite"]
    if infinite:  # the reader gave infinite numbers: counted and shown, then empty
        assert (
            infinite[0]["columns"] == ["mesure"]
            and "2 valeur(s) infinie(s)" in infinite[0]["message"]
        )


def test_infinity_in_the_target_is_refused_in_french(tmp_path, capsys):
    rng = np.random.default_rng(2)
    rows = [f"{x:.2f};{x * 2 + rng.normal(0, 6):.3f}" for x, _ in _numbers()]
    rows[4] = "3.0;inf"
    path = _csv(tmp_path / "cible_infinie.csv", "mesure;montant", rows)
    code, out, err = run(["train", str(path), "--target", "montant", "--json"], capsys)
    assert "Traceback" not in err and "RuntimeWarning" not in err
    assert code == 0, err  # the infinite target is empty (counted), then its row is left out
    result = json.loads(out)
    assert result["rows"] == 119


def test_a_date_target_is_refused_in_french(tmp_path, capsys):
    rows = [f"{x:.2f};{1 + i % 28:02d}/03/2023" for i, (x, _) in enumerate(_numbers())]
    path = _csv(tmp_path / "dates.csv", "mesure;date_fin", rows)
    code, out, err = run(["train", str(path), "--target", "date_fin"], capsys)
    assert code != 0 and "Traceback" not in err and "UFuncTypeError" not in err
    assert "date" in err


def test_an_all_empty_target_is_named(tmp_path, capsys):
    rows = [f"{x:.2f};" for x, _ in _numbers(300)]
    path = _csv(tmp_path / "vide.csv", "mesure;decision", rows)
    code, out, err = run(["train", str(path), "--target", "decision"], capsys)
    assert code != 0 and "Traceback" not in err
    assert "entièrement vide sur les 300 lignes" in err and "Le tableau est vide" not in err


def test_json_warnings_name_the_columns_that_give_the_target_away(tmp_path, capsys):
    from test_truth_quality import air_quality

    from labkit.model import problem

    frame = air_quality(600).drop(columns=["date"])
    frame, _ = problem.group_rare_classes(frame, "indice_global", 5)
    path = tmp_path / "atmo.csv"
    frame.to_csv(path, sep=";", index=False)
    code, out, err = run(["train", str(path), "--target", "indice_global", "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    kinds = {w["kind"] for w in result["warnings"]}
    assert "leakage" in kinds
    leak = next(w for w in result["warnings"] if w["kind"] == "leakage")
    assert {"sous_indice_o3", "sous_indice_pm25"} <= set(leak["columns"])


def test_json_leak_check_names_the_columns_the_best_model_relies_on(tmp_path, capsys):
    from leak_tables import no_leak, peak_hours

    frame, target = peak_hours(800)
    path = tmp_path / "comptages.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    code, out, _ = run(["train", str(path), "--target", target, "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    check = result["leak_check"]
    assert check["flagged"] and check["metric"] == "r2" and check["score"] > 0.85
    [flagged] = [g for g in check["groups"] if g["flagged"]]
    assert flagged["columns"] == ["hp_matin", "hp_soir"] and flagged["reason"] == "stem"
    assert flagged["drop"] >= check["thresholds"]["drop"] == 0.15
    [warning] = [w for w in result["warnings"] if w["kind"] == "leak_check"]
    assert warning["columns"] == ["hp_matin", "hp_soir"]
    assert "dont le nom commence par « hp »" in warning["message"]
    assert "connues au moment où la décision est prise ?" in warning["message"]
    code, text, _ = run(["train", str(path), "--target", target], capsys)
    assert warning["message"] in text  # the table's reader sees it too

    frame, target = no_leak(800)
    frame.to_csv(path, sep=";", decimal=",", index=False)
    result = json.loads(run(["train", str(path), "--target", target, "--json"], capsys)[1])
    assert result["leak_check"]["groups"] and not result["leak_check"]["flagged"]
    assert not [w for w in result["warnings"] if w["kind"] == "leak_check"]
