"""What a page asks of other machines, and ``datalab lab`` run as a facilitator runs it.

Import it (like ``support``) from the tests of Datalab inside a Jupyter server: ``datalab lab``
(``tests/test_lab_command.py``, ``tests/browser/test_lab_offline.py``), Binder (``test_binder.py``)
and JupyterHub (``test_jupyterhub.py``). A workshop room may have no Internet access: every request
of the workbook's pages must go to the server that served them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from labkit.serve.devserver import free_port

DATALAB = Path(sys.executable).with_name("datalab")


# --------------------------------------------------------------- requests and console errors
def token_get(url: str, token: str, timeout: float = 300) -> tuple[int, str]:
    """GET ``url`` from a Jupyter server with its token: (status, body), errors included."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@dataclass
class Watch:
    """The requests the pages of a browser context sent to another host than ``local`` (host and
    port), and the console errors of those pages, each with the page's address at that time."""

    local: str
    outside: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)

    def errors_on(self, fragment: str) -> list[str]:
        """The console errors of pages whose address held ``fragment``."""
        return [text for url, text in self.console_errors if fragment in url]


def watch(context, base_url: str) -> Watch:
    """Record, from now on, what the context's pages ask of other hosts than ``base_url``'s, and
    their console errors (of pages opened after this call)."""
    record = Watch(urlparse(base_url).netloc)

    def on_request(request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != record.local:
            record.outside.append(request.url)

    def on_page(page) -> None:
        def on_console(message) -> None:
            if message.type == "error":
                record.console_errors.append((page.url, message.text))

        page.on("console", on_console)

    context.on("request", on_request)
    context.on("page", on_page)
    return record


# ----------------------------------------------------------------------------- datalab lab
@dataclass
class Lab:
    """``datalab lab`` running in a subprocess; ``token`` read from the address it printed."""

    url: str
    token: str
    process: subprocess.Popen
    out_path: Path
    err_path: Path

    def app_url(self, pseudonym: str) -> str:
        return (
            f"{self.url}/voila/render/notebooks/datalab.ipynb?token={self.token}&pseudo={pseudonym}"
        )

    def module_url(self, notebook: str, pseudonym: str) -> str:
        return f"{self.url}/voila/render/notebooks/{notebook}?token={self.token}&pseudo={pseudonym}"

    def get(self, path: str, timeout: float = 300) -> tuple[int, str]:
        return token_get(self.url + path, self.token, timeout)

    def stdout(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")


def start_lab(folder: Path, timeout: float = 120, extra_env: dict | None = None) -> Lab:
    """Start ``datalab lab --no-browser`` on a free port, its workspace in ``folder`` (and
    ``extra_env``), and wait until the server answers with the token of the address it printed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "DATALAB_"))}
    env.update(
        DATALAB_WORKSPACE=str(folder / "workspace"),
        HOME=str(folder / "home"),  # Jupyter's runtime files, not the user's
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    (folder / "home").mkdir(parents=True, exist_ok=True)
    out_path, err_path = folder / "lab.out", folder / "lab.err"
    with open(out_path, "w", encoding="utf-8") as out, open(err_path, "w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [str(DATALAB), "lab", "--no-browser", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}", "", process, out_path, err_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"datalab lab stopped:\n{lab.stdout()}\n{lab.stderr()[-3000:]}")
        found = re.search(r"token=([\w-]+)", lab.stdout())
        if found:
            lab.token = found.group(1)
            try:
                if lab.get("/api/status", timeout=5)[0] == 200:
                    return lab
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        if time.monotonic() > deadline:
            stop_lab(lab)
            raise RuntimeError(f"datalab lab did not answer:\n{lab.stdout()}\n{lab.stderr()}")
        time.sleep(0.5)


def stop_lab(lab: Lab, timeout: float = 60) -> int:
    """Stop it as a facilitator does (Ctrl+C); its return code."""
    if lab.process.poll() is None:
        lab.process.send_signal(signal.SIGINT)
        try:
            lab.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait(timeout=30)
    return lab.process.returncode
