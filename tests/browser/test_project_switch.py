"""Several projects of one learner in Chromium (issue 22): two own files, each its own project,
switched from the header, never mixed.

The walk: the example → file A (its own project) → file B (« Commencer un nouveau projet ») → a
model for each → back to A from the header: 03 shows A's data, 06 A's model (never B's), the
files are listed for reopening, 00 says A is not framed instead of telling the example's story,
and a reload keeps A open.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect
from support import assert_accessible, build_of, reveal_all_steps
from support import go_to_module as go
from support import module_shown as shown

from labkit.data import selection
from labkit.learner import model as saved_model
from labkit.model import learning, problem
from labkit.prepare.recipe import Recipe
from labkit.settings import load_settings
from labkit.workspace import Workspace

pytestmark = pytest.mark.browser

SLOW_MS = 180_000


def traffic() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "station": rng.choice(["Nord", "Sud", "Est"], 60),
            "heure": rng.integers(6, 22, 60),
            "pluie": rng.integers(0, 2, 60),
        }
    )
    noise = rng.normal(0, 9, 60)
    frame["trafic_moyen"] = (100 + 9 * frame["heure"] - 30 * frame["pluie"] + noise).round(1)
    return frame


def charging() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "operateur": rng.choice(["Alpha", "Beta", "Gamma"], 60),
            "prises": rng.integers(1, 8, 60),
        }
    )
    frame["puissance_nominale"] = (7 + 11 * frame["prises"] + rng.normal(0, 3, 60)).round(1)
    return frame


def rebuilt(page, number: str, build: str):
    page.wait_for_function(
        "([n, b]) => { const r = document.querySelector('.dl-module-' + n);"
        " return r && !r.classList.contains(b); }",
        arg=[number, build],
        timeout=SLOW_MS,
    )
    return shown(page, number)


def upload_and_choose(page, root, path, target: str):
    with page.expect_file_chooser() as chooser:
        root.get_by_role("button", name="Choisir un fichier").click()
    chooser.value.set_files(str(path))
    root.get_by_text(f"Ce que Datalab a détecté dans « {path.name} »").wait_for()
    root.get_by_role("button", name="Utiliser ce fichier pour mon projet").click()
    root.locator(".dl-choice-status").get_by_text(f"Jeu à enregistrer : « {path.name} »").wait_for()
    root.locator(".dl-target select").select_option(target)


def save_model_of_open_project(root_folder, pseudonym: str, target: str) -> None:
    """What module 05's « Enregistrer ce modèle » does, for the project open on the page."""
    workspace = Workspace.open(pseudonym, root_folder)
    choice = selection.DatasetChoice.from_dict(workspace.load("dataset"))
    frame = workspace.load_table("raw")
    split = problem.split_data(frame, target, problem.plan_evaluation(frame, target))
    features = [c for c in frame.columns if c != target]
    trained = learning.train(
        frame, target, features, "tree", split=split, recipe=Recipe().to_dict()
    )
    saved_model.save_model(workspace, trained, {"dataset": {"name": choice.name, "id": None}})


def test_two_own_files_are_two_projects_switched_from_the_header(page, voila_server, tmp_path):
    pseudonym = "Projets App"
    file_a, file_b = tmp_path / "trafic.csv", tmp_path / "bornes.csv"
    file_a.write_bytes(traffic().to_csv(sep=";", index=False).encode("utf-8"))
    file_b.write_bytes(charging().to_csv(sep=";", index=False).encode("utf-8"))
    page.goto(voila_server.app_url(pseudonym, "03"), wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "03")
    expect(root.locator(".dl-project-line")).to_contain_text("projet d’exemple")
    reveal_all_steps(root)

    # File A, from the example project: it opens a project of its own
    upload_and_choose(page, root, file_a, "trafic_moyen")
    root.get_by_text("ces données-là ouvriront un nouveau projet").wait_for()
    build = build_of(page, "03")
    root.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    root = rebuilt(page, "03", build)
    root.get_by_text("Nouveau projet créé et ouvert : « trafic.csv »").wait_for()
    expect(root.locator(".dl-project-line")).to_contain_text("trafic.csv")
    save_model_of_open_project(voila_server.workspace_root, pseudonym, "trafic_moyen")

    # File B, from project A: asked, and kept apart (« Commencer un nouveau projet »)
    reveal_all_steps(root)
    upload_and_choose(page, root, file_b, "puissance_nominale")
    root.get_by_text("Ce projet a déjà ses données (« trafic.csv »)").wait_for()
    expect(
        root.get_by_role("radio", name="Commencer un nouveau projet", exact=False)
    ).to_be_checked()
    build = build_of(page, "03")
    root.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    root = rebuilt(page, "03", build)
    root.get_by_text("Nouveau projet créé et ouvert : « bornes.csv »").wait_for()
    save_model_of_open_project(voila_server.workspace_root, pseudonym, "puissance_nominale")

    # Both files are kept, to reopen without uploading again
    reveal_all_steps(root)
    files = root.get_by_role("table", name="Vos fichiers déjà importés")
    expect(files).to_contain_text("trafic.csv")
    expect(files).to_contain_text("bornes.csv")

    # Back to A from the header: every module reads A only
    root.locator(".dl-project-pick select").select_option(label="trafic.csv (données : trafic.csv)")
    build = build_of(page, "03")
    root.get_by_role("button", name="Ouvrir ce projet").click()
    root = rebuilt(page, "03", build)
    root.get_by_text("Projet ouvert : « trafic.csv »").first.wait_for()
    reveal_all_steps(root)
    expect(root.locator(".dl-choice-status")).to_contain_text("trafic.csv")
    assert "bornes.csv" not in root.locator(".dl-choice-status").inner_text()

    root = go(page, "06")
    root.get_by_text("qui prédit « trafic_moyen »", exact=False).first.wait_for(timeout=SLOW_MS)
    root.get_by_text("Ce modèle est celui du projet ouvert, « trafic.csv »").wait_for()
    text = root.inner_text()
    assert "puissance_nominale" not in text and "Il manque au fichier" not in text
    assert root.locator(".dl-msg-error").count() == 0
    assert_accessible(page)

    # A's final report: A's title, target, data and model columns, nothing of B
    reveal_all_steps(root)
    root.get_by_role("button", name="Préparer le rapport final").click()
    link = root.locator(".dl-uc-report-link a")
    link.wait_for(timeout=SLOW_MS)
    href = link.get_attribute("href")
    report = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    assert "Rapport de projet : trafic.csv" in report
    for text in ("trafic_moyen", "station", "heure", "pluie"):
        assert text in report, text
    for text in ("puissance_nominale", "bornes.csv", "operateur", "Attribution des places"):
        assert text not in report, text

    root = go(page, "00")
    expect(root.locator(".dl-project-line").first).to_contain_text("trafic.csv")
    root.get_by_text("Vous n’avez pas encore cadré ce projet").wait_for()
    story = load_settings().running_example.story
    assert story and story not in root.inner_text()

    # A reload (or another device) opens the same project
    page.reload(wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "00")
    expect(root.locator(".dl-project-line").first).to_contain_text("trafic.csv")
