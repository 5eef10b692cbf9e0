"""Shared fixtures: temporary workspaces, the real data folder, a running Datalab server, Chromium.

Helpers that test files import live in ``tests/support.py`` (a module of its own: conftest.py files
all import as ``conftest`` and would shadow each other). Browser-only fixtures (``new_page``,
``page``, ``open_page``) are in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import CHROMIUM, ROOT, launch_chromium

from labkit.serve.devserver import Server, start_server, stop_server

REALDATA = ROOT.parent / "shared" / "realdata"


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
    """Debian's headless Chromium for the whole session (one Playwright: its loop is shared)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./datalab.sh test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
