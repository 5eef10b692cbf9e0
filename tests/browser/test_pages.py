"""Every page in Chromium: usable, accessible (axe-core, WCAG 2.1 A/AA), nothing from outside."""

from __future__ import annotations

import pytest
from support import ROOT, assert_accessible, open_module

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_page_is_accessible_with_a_learner(new_page, voila_server, notebook):
    page = open_module(new_page, voila_server, notebook, "Accessibilite")
    assert page.locator("h1").count() == 1
    assert page.locator(".jp-OutputArea-output pre").filter(has_text="Traceback").count() == 0
    assert page.locator(".dl-msg-error").count() == 0, page.locator(
        ".dl-msg-error"
    ).first.inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_page_without_pseudonym_asks_for_one(new_page, voila_server, notebook):
    page = open_module(new_page, voila_server, notebook)
    page.get_by_label("Votre pseudonyme").wait_for()
    assert_accessible(page)
