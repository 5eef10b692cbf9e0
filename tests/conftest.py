"""Shared fixtures: temporary workspaces, the real data folder, a running Datalab server, Chromium.

Browser fixtures use Playwright's sync API with Debian's Chromium (``/usr/bin/chromium``; Playwright
cannot download its own browser here) and axe-core from npm (``tests/browser/node_modules``).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from labkit.serve.devserver import Server, start_server, stop_server  # noqa: F401 - re-exported for tests

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
AXE_PATH = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 levels A and AA: the rules RGAA builds on.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# --------------------------------------------------------------------------- plain fixtures
@pytest.fixture
def workspace_root(tmp_path, monkeypatch) -> Path:
    """An empty workspace root, also set as ``DATALAB_WORKSPACE``."""
    root = tmp_path / "workspace"
    monkeypatch.setenv("DATALAB_WORKSPACE", str(root))
    return root


@pytest.fixture
def workspace(workspace_root):
    from labkit.workspace import Workspace

    return Workspace.open("Testeur", workspace_root)


@pytest.fixture
def realdata() -> Path:
    """The real French open-data files of ``../shared/realdata``."""
    if not REALDATA.is_dir():
        pytest.skip(
            f"{REALDATA} is absent: the real-data tests need the shared folder beside the checkout"
        )
    return REALDATA


# ---------------------------------------------------------------------------- the server
@pytest.fixture(scope="session")
def voila_server(tmp_path_factory) -> Server:
    """One Datalab server for the whole test session (preheated kernels, as in a workshop)."""
    server = start_server(tmp_path_factory.mktemp("server"))
    # Warm up: the first page waits for the preheated pools, which fill while the server starts.
    server.get("/voila/render/00_accueil.ipynb?pseudo=Echauffement", timeout=300)
    yield server
    stop_server(server)


# ---------------------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./datalab.sh test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class ForeignRequests(list):
    """Requests the page sent to any host but the local server."""


@pytest.fixture
def new_page(browser, voila_server):
    """A fresh page (French locale, downloads allowed). At the end of the test, asserts that the
    page sent no request to a host other than the local server."""
    context = browser.new_context(
        locale="fr-FR", accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(120_000)
    local = urlparse(voila_server.url).netloc
    foreign = ForeignRequests()

    def on_request(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != local:
            foreign.append(request.url)

    context.on("request", on_request)
    page = context.new_page()
    page.foreign_requests = foreign
    yield page
    context.close()
    assert not foreign, f"the page sent requests outside the machine: {foreign[:5]}"


def wait_until_rendered(page, timeout: float = 180_000) -> None:
    """Wait until Voilà has executed the notebook and the widgets are on screen."""
    page.wait_for_selector("#rendered_cells", state="visible", timeout=timeout)
    page.wait_for_selector(".dl-header h1", state="visible", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('#loading')", timeout=timeout)


def open_module(page, server: Server, module_id: str, pseudonym: str | None = None, **params: str):
    """Open a module page (as a learner named ``pseudonym``) and wait until it is usable."""
    # Voilà streams the page while the notebook runs: wait for the first bytes, then for the widgets.
    page.goto(server.page_url(module_id, pseudonym, **params), wait_until="commit", timeout=180_000)
    wait_until_rendered(page)
    return page


def kernel_id_of(page) -> str:
    return page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def assert_accessible(page, context: str | None = None) -> None:
    """Run axe-core on the page (WCAG 2.1 A and AA rules) and fail on any violation."""
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: ./datalab.sh test installs axe-core from npm")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate(
        "async ([ctx, tags]) => await axe.run(ctx ? document.querySelector(ctx) : document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [context, AXE_TAGS],
    )
    violations = result["violations"]
    if violations:
        lines = []
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:4]]
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
            )
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n" + "\n".join(lines)
        )


def widget_texts(notebook) -> list[str]:
    """Every HTML/Label value in the widget state stored by nbclient (``store_widget_state``)."""
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}
    )
    texts = []
    for model in state.get("state", {}).values():
        value = model.get("state", {}).get("value")
        if isinstance(value, str):
            texts.append(value)
    return texts


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
