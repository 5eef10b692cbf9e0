"""Binder: the environment built from ``binder/`` alone opens the home page with Voilà.

As mybinder.org (repo2docker) would: a copy of the repository, a fresh virtualenv, ``pip install -r
binder/requirements.txt`` run from the repository root, then a Jupyter server started through
``binder/start`` (which only sets environment variables). The home page is rendered by Voilà's
server extension at ``/voila/render/notebooks/00_accueil.ipynb``, the URL of the README's badge.

Differences from repo2docker, for speed only: pip keeps its wheel cache and skips byte-compiling;
repo2docker's base image (conda, JupyterLab) is replaced by what our requirements install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from outside import token_get, watch
from support import wait_until_rendered

from labkit.serve.devserver import free_port

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
HOME_PAGE = "notebooks/00_accueil.ipynb"
APP_PAGE = "notebooks/datalab.ipynb"  # the workbook app, the first badge's page
PSEUDONYM = "binder-test"
TOKEN = "datalab-binder-test-token"
INSTALL_TIMEOUT = 1500  # seconds; a loaded shared machine is slow to unpack ~150 packages
BUILD_AND_RENDER_TIMEOUT = INSTALL_TIMEOUT + 600
# Skipped when copying the checkout (without git): environments, caches, built sites.
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "__pycache__", "*.egg-info", ".pytest_cache",
    ".ruff_cache", "site", "build", "workspace", ".ipynb_checkpoints",
)  # fmt: skip


# ------------------------------------------------------------------------- static checks
def test_runtime_is_python_311():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_requirements_install_the_project_from_the_repository_root():
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # repo2docker runs pip from the repository root: "." is the project, not binder/; the
    # versions are the lock's, as everywhere (a "-r" inside a requirements file is relative to it).
    assert lines == ["-r ../requirements/run.txt", "-e ."], lines
    assert (BINDER.parent / "requirements" / "run.txt").exists()


def test_start_only_sets_the_environment_then_runs_the_server():
    start = BINDER / "start"
    assert os.access(start, os.X_OK), "binder/start must be executable"
    text = start.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash")
    code = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    assert code[-1] == 'exec "$@"'
    for variable in (
        "DATALAB_ROOT",
        "JUPYTER_PATH",
        "DATALAB_WORKSPACE",
        "OMP_NUM_THREADS=1",
        "OPENBLAS_NUM_THREADS=1",
        "MKL_NUM_THREADS=1",
    ):
        assert variable in text, variable
    for heavy in ("pip ", "conda ", "jupyter ", "python "):  # nothing slow at start-up
        assert not any(line.startswith(heavy) for line in code), heavy


def test_start_sets_paths_from_its_own_location(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    output = subprocess.run(
        [str(BINDER / "start"), "env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    assert Path(values["DATALAB_ROOT"]) == ROOT
    assert values["JUPYTER_PATH"].split(os.pathsep)[0] == str(ROOT / "labkit/share/jupyter")
    assert (Path(values["JUPYTER_PATH"].split(os.pathsep)[0]) / "voila/templates/datalab").is_dir()
    assert values["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(BINDER)
    assert values["DATALAB_WORKSPACE"] == str(tmp_path / "datalab-travail")
    assert (tmp_path / "datalab-travail").is_dir()
    assert values["OMP_NUM_THREADS"] == values["OPENBLAS_NUM_THREADS"] == "1"
    assert values["MKL_NUM_THREADS"] == "1"


def test_server_config_sets_voila_french_culling_and_no_sources():
    config = json.loads((BINDER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    voila = config["VoilaConfiguration"]
    assert voila["template"] == "datalab"
    assert voila["strip_sources"] is True
    assert voila["show_tracebacks"] is False
    assert config["VoilaExporter"]["language_code"] == "fr"
    assert config["HTMLExporter"]["language_code"] == "fr"
    culling = config["MappingKernelManager"]
    assert 0 < culling["cull_idle_timeout"] <= 3600
    assert 0 < culling["cull_interval"] <= culling["cull_idle_timeout"]


def test_server_config_py_makes_voila_pages_offline(monkeypatch):
    """binder/jupyter_server_config.py gives Voilà's pages no MathJax address (they would ask
    cdnjs.cloudflare.com for it, inside a Jupyter server)."""
    from traitlets.config.loader import PyFileConfigLoader

    import labkit.serve.server
    from labkit.serve import jupyter

    monkeypatch.setattr(labkit.serve.server, "never_miss_kernel_replies", lambda: None)
    with warnings.catch_warnings():  # the filter it adds stays in this block
        config = PyFileConfigLoader("jupyter_server_config.py", str(BINDER)).load_config()
    hook = config.VoilaConfiguration.page_config_hook
    assert hook is jupyter.offline_page_config
    assert hook({"fullMathjaxUrl": "https://cdnjs…"})["fullMathjaxUrl"] is None


# ------------------------------------------------------------------ environment and server
def _repository_copy(dest: Path) -> Path:
    """The files a clone would hold: git's tracked and unignored files, else a filtered copy."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(ROOT, dest, ignore=IGNORED, symlinks=True)
        return dest
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest


def _python_311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if not found:
        pytest.fail("binder/runtime.txt asks for Python 3.11, and no python3.11 is on this machine")
    return found


@dataclass
class BinderServer:
    url: str
    home: Path
    log_path: Path
    process: subprocess.Popen

    def get(self, path: str, timeout: float = 300) -> tuple[int, str]:
        return token_get(self.url + path, TOKEN, timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _clean_environment(home: Path, venv: Path) -> dict[str, str]:
    """The test's environment without anything of Datalab, Jupyter or the project's virtualenv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATALAB_", "JUPYTER", "VIRTUAL_ENV", "PYTHON", "VOILA"))
    }
    path = [p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep) if ".venv" not in p]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="module")
def binder_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("binder")
    repo = _repository_copy(base / "repo")
    venv = base / "venv"
    home = base / "home"
    home.mkdir()
    log_path = base / "build.log"
    with open(log_path, "w", encoding="utf-8") as log:
        subprocess.run([_python_311(), "-m", "venv", str(venv)], check=True, stdout=log, stderr=log)
        # As repo2docker: pip install -r binder/requirements.txt, from the repository root. Unlike
        # repo2docker, keep pip's wheel cache (the real HOME) and skip byte-compiling, for speed.
        install_env = _clean_environment(Path.home(), venv)
        install = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--no-compile",
                "-r",
                "binder/requirements.txt",
            ],
            cwd=repo,
            env=install_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=INSTALL_TIMEOUT,
        )
    if install.returncode != 0:
        pytest.fail(
            f"pip install -r binder/requirements.txt failed:\n{log_path.read_text()[-4000:]}"
        )

    port = free_port()
    server_log = base / "server.log"
    command = [
        str(repo / "binder" / "start"),
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(server_log, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=repo,
            env=_clean_environment(home, venv),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = BinderServer(f"http://127.0.0.1:{port}", home, server_log, process)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"the Jupyter server stopped:\n{server.log()[-4000:]}")
            try:
                if server.get("/api/status", timeout=5)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the Jupyter server did not answer:\n{server.log()[-4000:]}")
            time.sleep(1)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started, and its kernels (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.mark.timeout(BUILD_AND_RENDER_TIMEOUT)
def test_home_page_renders_with_voila_in_the_binder_environment(binder_server):
    status, page = binder_server.get(f"/voila/render/{HOME_PAGE}?pseudo={PSEUDONYM}")
    assert status == 200, page[-3000:]
    assert re.search(r'<html[^>]*\blang="fr"', page), page[:500]
    assert "Traceback" not in page, binder_server.log()[-3000:]
    assert "dl-msg-error" not in page
    # No code source: the notebook's code cells are not in the page (strip_sources).
    for source in ("AccueilApp", "for_request", "from labkit"):
        assert source not in page, source
    # The datalab template (French, offline): no stylesheet or script from a CDN.
    assert not re.search(r'<(?:link|script)[^>]+(?:href|src)="https?://', page)
    # The pseudonym reached the kernel, which saved the learner's progress where binder/start says.
    learner = binder_server.home / "datalab-travail" / "learners" / PSEUDONYM
    deadline = time.monotonic() + 60
    while not learner.is_dir() and time.monotonic() < deadline:
        time.sleep(1)
    assert learner.is_dir(), sorted(p.name for p in binder_server.home.rglob("*"))[:20]


@pytest.mark.timeout(BUILD_AND_RENDER_TIMEOUT)
def test_jupyterlab_opens_for_the_second_badge(binder_server):
    status, page = binder_server.get("/lab")
    assert status == 200
    assert "JupyterLab" in page


@pytest.mark.browser
@pytest.mark.timeout(BUILD_AND_RENDER_TIMEOUT)
def test_the_app_asks_nothing_of_another_machine(binder_server, browser):
    """In Chromium, the workbook app of the Binder environment: every request goes to the
    Binder server (before issue 26: MathJax from cdnjs.cloudflare.com, and a console error)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(300_000)
    seen = watch(context, binder_server.url)
    try:
        page = context.new_page()
        page.goto(
            f"{binder_server.url}/voila/render/{APP_PAGE}?token={TOKEN}&pseudo={PSEUDONYM}",
            wait_until="commit",
        )
        wait_until_rendered(page, timeout=300_000)
        page.wait_for_load_state("load")  # Voilà loads MathJax once the page has loaded
        page.wait_for_timeout(1500)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert seen.outside == [], f"requests outside the machine: {seen.outside}"
        assert seen.console_errors == [], seen.console_errors
    finally:
        context.close()
