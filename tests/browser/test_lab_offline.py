"""``datalab lab`` in Chromium: the workbook app and a module notebook, as inside any Jupyter
server, ask nothing of another machine (a workshop room may have no Internet access).

Before issue 26, the app page of ``datalab lab`` asked cdn.jsdelivr.net for Font Awesome (Voilà's
default template: ``datalab lab`` did not read binder's settings) and cdnjs.cloudflare.com for
MathJax (Voilà's address of it inside a Jupyter server), with a console error for each.
"""

from __future__ import annotations

import json
import time

import pytest
from outside import start_lab, stop_lab, watch
from support import kernel_id_of, wait_until_rendered

pytestmark = pytest.mark.browser

SLOW_MS = 180_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = start_lab(tmp_path_factory.mktemp("lab"))
    yield lab
    stop_lab(lab)


def open_offline(browser, lab, url: str):
    """Open ``url`` in a fresh context, wait until rendered and loaded; the page and its watch."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(SLOW_MS)
    seen = watch(context, lab.url)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    wait_until_rendered(page, timeout=SLOW_MS)
    page.wait_for_load_state("load")  # Voilà loads MathJax once the page has loaded
    page.wait_for_timeout(1500)
    return page, seen


@pytest.mark.timeout(600)
def test_the_app_of_datalab_lab_loads_nothing_from_outside(browser, lab):
    page, seen = open_offline(browser, lab, lab.app_url("hors-ligne"))
    try:
        assert page.locator("html").get_attribute("lang") == "fr"
        # The datalab template (as datalab start's), not Voilà's default one.
        assert page.locator('meta[name="referrer"][content="no-referrer"]').count() == 1
        page.locator('[data-dl-module="00"]').wait_for(state="visible")
        assert seen.outside == [], f"requests outside the machine: {seen.outside}"
        assert seen.console_errors == [], seen.console_errors
    finally:
        page.context.close()


@pytest.mark.timeout(600)
def test_a_module_notebook_alone_loads_nothing_from_outside(browser, lab):
    page, seen = open_offline(browser, lab, lab.module_url("03_donnees.ipynb", "hors-ligne"))
    try:
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator('meta[name="referrer"][content="no-referrer"]').count() == 1
        assert seen.outside == [], f"requests outside the machine: {seen.outside}"
        assert seen.console_errors == [], seen.console_errors
    finally:
        page.context.close()


def _kernels(lab) -> set[str]:
    status, body = lab.get("/api/kernels", timeout=30)
    assert status == 200
    return {kernel["id"] for kernel in json.loads(body)}


def _settled(lab) -> set[str]:
    """The server's kernels once their number stops moving (the one kept ahead started)."""
    previous, since = None, time.monotonic()
    deadline = since + 120
    while time.monotonic() < deadline:
        kernels = _kernels(lab)
        if kernels != previous:
            previous, since = kernels, time.monotonic()
        elif kernels and time.monotonic() - since > 3:
            return kernels
        time.sleep(0.5)
    raise AssertionError(f"the kernels never settled: {previous}")


@pytest.mark.timeout(600)
def test_the_app_page_takes_the_kernel_kept_ahead_with_its_learner(browser, lab):
    """Inside a Jupyter server (JupyterHub, Binder, datalab lab) a kernel is started ahead and
    imports the workbook at once: the app page takes it, with the pseudonym of its own address,
    and another is started for the next page (issue 26)."""
    before = _settled(lab)
    page, _seen = open_offline(browser, lab, lab.app_url("Camille-Avance"))
    try:
        page.locator('[data-dl-module="00"]').wait_for(state="visible")
        assert kernel_id_of(page) in before  # not started for this page
        assert "Camille-Avance" in page.locator(".dl-muted strong").first.inner_text()
        assert _settled(lab) - before  # the next one, started ahead
    finally:
        page.context.close()
