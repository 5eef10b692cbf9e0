"""What test files and benchmarks share (import it, never ``conftest``): the project root, Debian's
Chromium as Playwright launches it, a Datalab page in it, axe-core, and nbclient's widget state.

Chromium is Debian's (``/usr/bin/chromium``: Playwright cannot download its own browser here) and
axe-core comes from npm (``tests/browser/node_modules``). Benchmarks run as scripts, so they put
``tests/`` on ``sys.path`` before importing this module.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE_PATH = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA: the rules RGAA builds on.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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
KERNEL_ID_JS = (
    "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
)


# ------------------------------------------------------------------------------- Chromium
def launch_chromium(playwright):
    """Debian's headless Chromium, from a ``sync_playwright()`` (or async) Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


# ------------------------------------------------------------------------ a Datalab page
def wait_until_rendered(page, timeout: float = 180_000) -> None:
    """Wait until Voilà has executed the notebook and the widgets are on screen."""
    page.wait_for_selector("#rendered_cells", state="visible", timeout=timeout)
    page.wait_for_selector(".dl-header h1", state="visible", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('#loading')", timeout=timeout)


def open_module(page, server, module_id: str, pseudonym: str | None = None, **params: str):
    """Open a module page (as a learner named ``pseudonym``) and wait until it is usable."""
    # Voilà streams the page while the notebook runs: wait for the first bytes, then for the widgets.
    page.goto(server.page_url(module_id, pseudonym, **params), wait_until="commit", timeout=180_000)
    wait_until_rendered(page)
    return page


# ------------------------------------------------------------------ the workbook app (one page)
def module_shown(page, number: str, timeout: float = 180_000):
    """Module ``number`` of the workbook app, once shown and usable (``data-dl-module``)."""
    root = page.locator(f'[data-dl-module="{number}"]')
    root.wait_for(state="visible", timeout=timeout)
    return root


def go_to_module(page, number: str):
    """Go to module ``number`` in place, as a link of the page does (``#NN``)."""
    page.evaluate(f"() => {{ window.location.hash = '#{number}'; }}")
    return module_shown(page, number)


def build_of(page, number: str) -> str:
    """The build class (``dl-build-…``) of module ``number`` on the page: it changes when the
    kernel builds the module again."""
    classes = page.locator(f".dl-module-{number}").get_attribute("class") or ""
    return next(c for c in classes.split() if c.startswith("dl-build-"))


def reveal_all_steps(root) -> None:
    """Click « Étape suivante » until every step of the module is on the page."""
    from playwright.sync_api import expect

    button = root.locator(".dl-next-step-button")
    while button.count():
        before = root.locator(".dl-narrative-cell").count()
        button.first.click()
        expect(root.locator(".dl-narrative-cell")).not_to_have_count(before)


def kernel_id_of(page) -> str:
    """The id of the kernel the page talks to (Voilà writes it in ``#jupyter-config-data``)."""
    return page.evaluate(KERNEL_ID_JS)


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


# ---------------------------------------------------------------------- a run notebook
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


# ----------------------------------------------------------------- tornado pages, in-thread
@contextlib.contextmanager
def served(make_app):
    """The tornado application ``make_app()`` served in a thread of the test process (its own event
    loop: Playwright's runs in the main thread), so that a test may patch what it calls; yields the
    server's address."""
    import asyncio
    import threading

    import tornado.httpserver
    import tornado.ioloop
    import tornado.testing

    ready, held = threading.Event(), {}

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        sock, port = tornado.testing.bind_unused_port()
        server = tornado.httpserver.HTTPServer(make_app())
        server.add_sockets([sock])
        held.update(port=port, loop=tornado.ioloop.IOLoop.current())
        ready.set()
        held["loop"].start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        yield f"http://127.0.0.1:{held['port']}"
    finally:
        held["loop"].add_callback(held["loop"].stop)
        thread.join(10)


def dataset_pages(secret: str):
    """The facilitator's dataset pages (``/animation/jeux``), served in-thread (:func:`served`)."""
    import tornado.web

    from labkit.serve import datasetview, roomview

    return served(
        lambda: tornado.web.Application(
            datasetview.handlers("/", roomview.page_options("/", secret))
        )
    )
