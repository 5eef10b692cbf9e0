"""Start a Datalab server in a subprocess, for the tests and the benchmarks.

Not used by the product itself: ``datalab start`` runs :func:`labkit.serve.server.serve` directly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from labkit import paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    workspace_root: Path
    process: subprocess.Popen
    log_path: Path
    notebooks: list[str] = field(default_factory=list)

    def page_url(self, module_id: str, pseudonym: str | None = None, **params: str) -> str:
        query = {"pseudo": pseudonym} if pseudonym else {}
        query.update(params)
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.url}/voila/render/{module_id}.ipynb{suffix}"

    def app_url(self, pseudonym: str | None = None, module: str | None = None) -> str:
        """The workbook app's address, for ``pseudonym``, opened on module number ``module``."""
        query = f"?{urlencode({'pseudo': pseudonym})}" if pseudonym else ""
        return f"{self.url}/{query}" + (f"#{module}" if module else "")

    def get(self, path: str, timeout: float = 120) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def kernel_alive(self, kernel_id: str) -> bool:
        status, _ = self.get(f"/api/kernels/{kernel_id}", timeout=10)
        return status == 200

    def kernel_processes(self) -> list:
        import psutil

        parent = psutil.Process(self.process.pid)
        return [
            p
            for p in parent.children(recursive=True)
            if any("ipykernel" in part for part in _cmdline(p))
        ]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def cpu_seconds(server: Server) -> float:
    """CPU time used so far by the server and its living kernels (user + system)."""
    import psutil

    total = 0.0
    root = psutil.Process(server.process.pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def wait_until_quiet(server: Server, expected_kernels: int, timeout: float = 300) -> float:
    """Wait until the preheated pool is full and nothing runs: over two windows of 2 s in a row,
    the server and its kernels used less than 0.15 CPU second per second (measured as CPU time,
    so that other work on the machine does not hide a kernel still starting). Return the seconds
    waited (``timeout`` or more when the server never became quiet)."""
    start = time.monotonic()
    calm = 0
    while time.monotonic() - start < timeout:
        before = cpu_seconds(server)
        time.sleep(2)
        busy = (cpu_seconds(server) - before) / 2
        if len(server.kernel_processes()) >= expected_kernels and busy < 0.15:
            calm += 1
            if calm >= 2:
                break
        else:
            calm = 0
    return time.monotonic() - start


def _cmdline(process) -> list[str]:
    try:
        return process.cmdline()
    except Exception:  # noqa: BLE001 - a process may end while we look
        return []


def start_server(
    tmp_dir: Path, pool_size: int = 1, extra_env: dict | None = None, room: int = 1
) -> Server:
    """Start ``datalab start`` on a free port with its own workspace; wait until it answers.

    ``room``: workbook app kernels preheated; ``pool_size``: preheated kernels per module page."""
    port = free_port()
    root = paths.project_root()
    workspace_root = tmp_dir / "workspace"
    log_path = tmp_dir / "server.log"
    env = {
        **os.environ,
        "DATALAB_WORKSPACE": str(workspace_root),
        "DATALAB_ROOT": str(root),
        "PYTHONUNBUFFERED": "1",
        "DATALAB_LOG_LEVEL": "INFO",  # benchmarks count the server's kernel messages
        **(extra_env or {}),
    }
    env.pop("DATALAB_PSEUDONYM", None)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labkit.cli",
            "start",
            "--no-browser",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--pool-size",
            str(pool_size),
            "--room",
            str(room),
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", workspace_root, process, log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Datalab server stopped:\n{server.log()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url + "/voila/static/voila.js", timeout=5):
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    else:
        stop_server(server)
        raise RuntimeError("the Datalab server did not answer within 120 s")
    server.notebooks = sorted(p.stem for p in (root / "notebooks").glob("*.ipynb"))
    return server


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
