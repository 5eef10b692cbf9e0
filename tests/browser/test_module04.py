"""Module 04 in Chromium: apply two fixes from the quality report, undo one, export the recipe as
Python code; the recipe and the clean table are saved in the learner's workspace."""

from __future__ import annotations

import pytest
from support import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]

# A fresh server waits for its preheated kernel; on a loaded machine this takes a while.
SLOW_MS = 240_000
READY = ".dl-fix-button >> nth=0"  # the page is usable once it shows this


def recipe_steps(page) -> list[str]:
    return page.locator(".dl-recipe-steps li").all_inner_texts()


def test_apply_two_fixes_undo_one_and_export(page, open_page, voila_server):
    open_page("04_preparation", "Recette Navigateur", READY)
    assert page.locator(".dl-finding-leakage").count() >= 1  # the leak is reported
    assert page.locator(".dl-finding-personal_data").count() >= 1

    page.locator("button.dl-fix-duplicates").first.click()
    page.get_by_text("Étape ajoutée à la recette : Supprimer les lignes en double").wait_for()
    page.locator(".dl-recipe-steps li").first.wait_for()
    page.get_by_text("ligne(s) supprimée(s)").first.wait_for()  # the before / after preview

    page.locator("button.dl-fix-inconsistent_categories").first.click()
    page.get_by_text("Étape ajoutée à la recette : Regrouper les écritures").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('.dl-recipe-steps li').length === 2")
    steps = recipe_steps(page)
    assert steps[0].startswith("Supprimer les lignes en double")
    assert steps[1].startswith("Regrouper les écritures de « quartier »")

    page.locator("button.dl-undo").click()
    page.get_by_text("Étape annulée : Regrouper les écritures").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.dl-recipe-steps li').length === 1")
    status = page.locator(".dl-recipe-status").inner_text()
    assert "1200 lignes" in status

    link = page.get_by_role("link", name="Télécharger la recette en Python (recette_nettoyage.py)")
    with page.expect_download() as info:
        link.click()
    code = open(info.value.path(), encoding="utf-8").read()
    assert "# Étape 1 : Supprimer les lignes en double" in code
    assert "table = table.drop_duplicates()" in code and "Regrouper" not in code
    assert page.locator(".dl-msg-error").count() == 0

    from labkit.workspace import Workspace

    workspace = Workspace.open("Recette Navigateur", voila_server.workspace_root)
    saved = workspace.load("recipe")
    assert [s["action"] for s in saved["steps"]] == ["drop_duplicates"]
    assert len(workspace.load_table("clean")) == 1200
    assert_accessible(page)
