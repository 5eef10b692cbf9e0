"""Fixtures of the browser tests: a fresh page that checks it stayed on the machine, the same page
with the test module's patience, and opening a module notebook in it.

A test module that asks for ``page`` or ``open_page`` sets ``SLOW_MS``: the milliseconds its pages
may take (the first page of a freshly started server waits for its preheated kernel, and a loaded
2-core machine is slow).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from support import wait_until_rendered


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


@pytest.fixture
def page(new_page, request):
    """``new_page`` whose default timeout is the test module's ``SLOW_MS``."""
    new_page.set_default_timeout(request.module.SLOW_MS)
    return new_page


@pytest.fixture
def open_page(page, voila_server, request):
    """``open_page(module_id, pseudonym, ready=None)``: open a module notebook as that learner, wait
    until Voilà has rendered it (the test module's ``SLOW_MS`` at most), then until the element
    ``ready`` (a selector) is there; returns the page."""
    slow_ms = request.module.SLOW_MS

    def open_(module_id: str, pseudonym: str, ready: str | None = None):
        page.goto(
            voila_server.page_url(module_id, pseudonym),
            wait_until="domcontentloaded",
            timeout=slow_ms,
        )
        wait_until_rendered(page, timeout=slow_ms)
        if ready:
            page.locator(ready).wait_for()
        return page

    return open_
