"""``datalab lab``: the workbook app as inside any Jupyter server, and a quiet terminal.

It reads the Jupyter server settings of ``binder/`` (as Binder and JupyterHub do), so that the app
at ``/voila/render/notebooks/datalab.ipynb`` is French, on the ``datalab`` template, and loads
nothing from outside (the browser side is in ``tests/browser/test_lab_offline.py``). It prints, in
French, where to go (with the token), then only Jupyter's warnings and errors, and a French line
when stopped.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from outside import start_lab, stop_lab
from traitlets.config import Config

from labkit.serve import jupyter

ROOT = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"


# --------------------------------------------------------------------------- settings alone
def test_voila_pages_get_no_mathjax_address():
    page_config = {"fullMathjaxUrl": "https://cdnjs.cloudflare.com/…", "mathjaxConfig": "x", "a": 1}
    changed = jupyter.offline_page_config(page_config, notebook_path="notebooks/datalab.ipynb")
    # None: Voilà's page then uses the MathJax bundled in its own JavaScript, as datalab start's.
    assert changed == {"fullMathjaxUrl": None, "mathjaxConfig": None, "a": 1}


def test_configure_sets_the_hook_and_hides_only_traitlets_deprecations(monkeypatch):
    import labkit.serve.server

    patched = []
    monkeypatch.setattr(labkit.serve.server, "never_miss_kernel_replies", lambda: patched.append(1))
    config = Config()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        jupyter.configure(config)
        warnings.warn_explicit(
            "ServerApp.token config is deprecated in jupyter-server 2.0",
            DeprecationWarning,
            "traitlets.py",
            1,
            module="traitlets.traitlets",
        )
        warnings.warn_explicit("a real one", UserWarning, "traitlets.py", 1, module="traitlets")
        warnings.warn_explicit("elsewhere", DeprecationWarning, "x.py", 1, module="labkit.x")
    assert config.VoilaConfiguration.page_config_hook is jupyter.offline_page_config
    assert patched == [1]
    assert [str(w.message) for w in caught] == ["a real one", "elsewhere"]


def test_a_kernel_still_starting_is_listed_not_a_server_error():
    """jupyter/notebook#5345: a kernel is registered a moment before its activity is marked; the
    kernel kept ahead starts with the server, and ``/api/status`` asked then answered 500."""
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    manager = jupyter.WarmKernelManager(warm_kernels=0)
    manager._kernels["k"] = ServerKernelManager(kernel_name="python3")  # as registered, unmarked
    model = manager.kernel_model("k")
    assert model["id"] == "k" and model["execution_state"] == "starting"
    assert model["last_activity"].endswith("Z")
    assert [k["id"] for k in manager.list_kernels()] == ["k"]
    manager._kernels["k"].execution_state = "idle"  # a kernel already marked keeps its marks
    assert manager.kernel_model("k")["execution_state"] == "idle"


def test_lab_reads_the_settings_of_binder(monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/elsewhere")
    env = jupyter.lab_environment()
    assert env["JUPYTER_CONFIG_PATH"].split(":") == [str(ROOT / "binder"), "/elsewhere"]
    assert env["JUPYTER_PATH"].split(":")[0] == str(ROOT / "labkit" / "share" / "jupyter")
    arguments = jupyter.lab_arguments(8888, "127.0.0.1", False, "secret")
    assert "--ServerApp.log_level=WARN" in arguments and "--LabApp.log_level=WARN" in arguments
    assert "--ServerApp.port_retries=0" in arguments  # the printed address, or nothing
    assert "--KernelManager.transport=ipc" in arguments


# ------------------------------------------------------------------------- the real command
@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    """``datalab lab`` started, one page of the app rendered, then stopped with Ctrl+C."""
    lab = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        status, page = lab.get("/voila/render/notebooks/datalab.ipynb?pseudo=console")
    finally:
        code = stop_lab(lab)
    return lab, code, status, page


@pytest.mark.timeout(600)
def test_lab_serves_the_app_on_the_datalab_template(lab_run):
    _lab, _code, status, page = lab_run
    assert status == 200, page[-2000:]
    assert re.search(r'<html[^>]*\blang="fr"', page), page[:300]
    assert '<meta name="referrer" content="no-referrer">' in page  # the datalab template's head
    assert not re.search(r'<(?:link|script)[^>]+(?:href|src)="https?://', page)
    assert "AccueilApp" not in page and "from labkit" not in page  # strip_sources


@pytest.mark.timeout(600)
def test_lab_prints_where_to_go_in_french_and_nothing_of_jupyter(lab_run):
    lab, code, _status, _page = lab_run
    assert code == 0
    lines = [line for line in lab.stdout().splitlines() if line.strip()]
    assert lines == [
        f"JupyterLab (formateurs){NBSP}: {lab.url}/lab?token={lab.token}  (Ctrl+C pour arrêter)",
        f"Atelier dans ce serveur (pages Voilà){NBSP}: "
        f"{lab.url}/voila/render/notebooks/datalab.ipynb?token={lab.token}",
        "JupyterLab est arrêté.",
    ], lab.stdout()
    # Jupyter's log: warnings and errors only, and none at a quiet start, page and stop (no
    # « [I … ] » lines, no DeprecationWarning, no « not trusted », no kernel over TCP).
    assert lab.stderr().strip() == "", lab.stderr()[-3000:]
    assert len(lab.token) >= 24
