"""A real JupyterHub on this machine with Datalab's hub settings (deploy/tljh/jupyterhub_config.d),
for ``tests/test_jupyterhub.py`` and ``benchmarks/hub_first_page.py``.

The hub runs on loopback ports only, with configurable-http-proxy from npm (tests/browser), a local
process spawner that needs no system account (``SimpleLocalProcessSpawner``: each user's home is a
folder of the given temporary directory), the shared-password test login, jupyterhub-idle-culler,
and the room service ``datalab-salle`` with Fanny in its « formateurs » group.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from labkit.serve.devserver import free_port

ROOT = Path(__file__).resolve().parents[1]
HUB_CONFIG = ROOT / "deploy" / "tljh" / "jupyterhub_config.d" / "datalab.py"
PROXY = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "configurable-http-proxy"
HOME_PATH = "voila/render/notebooks/datalab.ipynb"  # the workbook app
PASSWORD = "atelier-datalab-test"
# Seconds without activity before the culler stops a user's server. Not less: while a page's first
# cell runs (imports, over a minute when three servers start at once on a loaded 2-core machine),
# the kernel sends no message, and the hub counts that time as idle.
CULL_TIMEOUT = 120
LEARNERS = ("alice", "bruno", "chloe", "dora", "emile")
FACILITATORS = ("fanny",)  # in the « formateurs » group: the room view across the hub
USERS = LEARNERS + FACILITATORS
SALLE = "services/datalab-salle/"
START_TIMEOUT = 300.0


@dataclass
class Hub:
    url: str
    token: str
    homes: Path
    process: subprocess.Popen
    log_path: Path

    def api(self, path: str, method: str = "GET", **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=30, **kwargs
        )

    def server_state(self, name: str) -> dict | None:
        """The user's default server as the hub sees it (None when it is stopped)."""
        response = self.api(f"/users/{name}")
        response.raise_for_status()
        return response.json().get("servers", {}).get("")

    def kernels(self, name: str) -> list[str]:
        """The kernels running in the user's Jupyter server: one per open Voilà page, and one
        kept ahead for the next page (``labkit.serve.jupyter.WarmKernelManager``)."""
        response = requests.get(
            f"{self.url}/user/{name}/api/kernels",
            headers={"Authorization": f"token {self.token}"},
            timeout=30,
        )
        response.raise_for_status()
        return [kernel["id"] for kernel in response.json()]

    def workspace(self, name: str) -> Path:
        return self.homes / name / "datalab-travail"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def hub_config(
    tmp: Path,
    port: int,
    hub_port: int,
    proxy_port: int,
    token: str,
    salle_port: int,
    users=USERS,
) -> str:
    """The test hub: Datalab's settings, then a local spawner, a test login, the idle culler."""
    singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
    args = ["--allow-root"] if os.geteuid() == 0 else []
    return f"""
import os, sys
os.environ["DATALAB_DIR"] = {str(ROOT)!r}
os.environ["DATALAB_SALLE_PORT"] = "{salle_port}"
load_subconfig({str(HUB_CONFIG)!r})

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.auth_token = {secrets.token_hex(16)!r}
c.JupyterHub.db_url = "sqlite:///{tmp / "hub.sqlite"}"
c.JupyterHub.cookie_secret = bytes.fromhex({secrets.token_hex(32)!r})
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(users)!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(tmp / "homes" / "{username}")!r}
c.Spawner.cmd = [{str(singleuser)!r}]
c.Spawner.args = {args!r}
c.Spawner.start_timeout = {int(START_TIMEOUT)}
c.LocalProcessSpawner.interrupt_timeout = 5
c.LocalProcessSpawner.term_timeout = 5
# Activity is reported every few seconds, so that a short culling timeout is meaningful.
c.JupyterHub.last_activity_interval = 5
c.Spawner.environment.update({{
    "JUPYTERHUB_ACTIVITY_INTERVAL": "5",
    "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]),
}})

c.JupyterHub.services.extend([
    {{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    "--timeout={CULL_TIMEOUT}", "--cull-every=10"],
    }},
    {{"name": "test", "api_token": {token!r}}},
])
# The room service's group (deploy/tljh): Fanny is a facilitator.
c.JupyterHub.load_groups.update({{"formateurs": {{"users": {list(FACILITATORS)!r}}}}})
c.JupyterHub.load_roles.extend([
    {{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }},
    {{
        "name": "test",
        "scopes": ["list:users", "read:users", "read:servers", "access:servers", "delete:servers"],
        "services": ["test"],
    }},
])
"""


class HubFailed(RuntimeError):
    """The hub did not start: the message ends with its log."""


def start_hub(tmp: Path, users=USERS, extra_env: dict | None = None) -> Hub:
    """A hub with Datalab's settings in ``tmp`` (its database, log and users' homes), answering;
    ``extra_env``: more variables for the users' servers."""
    if not PROXY.exists():
        raise HubFailed(
            f"{PROXY} is missing: ./datalab.sh test installs it with npm ci in tests/browser"
        )
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        raise HubFailed("jupyterhub is not installed in the virtualenv (pip install jupyterhub)")
    port, hub_port, proxy_port, salle_port = free_port(), free_port(), free_port(), free_port()
    token = secrets.token_hex(16)
    config = tmp / "jupyterhub_config.py"
    text = hub_config(tmp, port, hub_port, proxy_port, token, salle_port, users)
    if extra_env:
        text += f"\nc.Spawner.environment.update({extra_env!r})\n"
    config.write_text(text, encoding="utf-8")
    log_path = tmp / "hub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATALAB_", "JUPYTER"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(config)],
            cwd=tmp,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    hub = Hub(f"http://127.0.0.1:{port}", token, tmp / "homes", process, log_path)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise HubFailed(f"JupyterHub stopped:\n{hub.log()[-4000:]}")
        try:
            if hub.api("/").status_code == 200:
                return hub
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise HubFailed(f"JupyterHub did not answer within 120 s:\n{hub.log()[-4000:]}")
        time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
