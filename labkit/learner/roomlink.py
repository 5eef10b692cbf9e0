"""A learner's kernel tells the room service of a JupyterHub what the facilitator's room view shows.

On JupyterHub each learner's work is on their own server, where the facilitator's room view cannot
read it (and must not: the hub keeps users apart). So the learner's own kernel sends it: the row
of the room view (:func:`labkit.serve.room.row_summary`: the module shown, each module's status,
quiz scores, the last error, the names of the project, dataset and model; never data, recipes or
models) to the hub's room service (:mod:`labkit.serve.hubroom`), with the server's own hub token.

It is sent a second after the learner's work changes (a burst of saves is sent once), and every
:data:`HEARTBEAT` seconds while the kernel lives: the answer carries the modules the facilitator
asked to start again from zero, which are reset here, in the learner's own folder.

Only when the hub says where the service is (``$DATALAB_SALLE_URL``) and gave the server its token
(``$JUPYTERHUB_API_TOKEN``); everywhere else nothing is sent. Sending runs in a thread of its own
and never reaches the page: a service that does not answer costs the learner nothing.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from labkit.workspace import Workspace

log = logging.getLogger(__name__)

URL_ENV = "DATALAB_SALLE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
HEARTBEAT = 20.0  # seconds between two sends when nothing changes
QUIET = 1.0  # seconds after a change before sending (one send for a burst of saves)
TIMEOUT = 10.0


def post_json(url: str, token: str, body: dict) -> Any:
    """POST ``body`` as JSON with the hub token; the JSON answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the hub's URL
        return json.loads(response.read() or b"{}")


class Link:
    """One kernel's link to the room service: follows the learner's workspace, sends its row."""

    def __init__(
        self,
        url: str,
        token: str,
        send: Callable[[str, str, dict], Any] = post_json,
        heartbeat: float = HEARTBEAT,
        quiet: float = QUIET,
    ):
        self.url = url.rstrip("/") + "/activite"
        self.token = token
        self.send = send
        self.heartbeat = heartbeat
        self.quiet = quiet
        self.workspace: Workspace | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reader = None

    def follow(self, workspace: Workspace) -> None:
        """Send this learner's row from now on (and at once)."""
        if workspace is not self.workspace:
            if self.workspace is not None and self._changed in self.workspace.listeners:
                self.workspace.listeners.remove(self._changed)
            self.workspace = workspace
            workspace.listeners.append(self._changed)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="datalab-salle", daemon=True)
            self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _changed(self, what: str) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.heartbeat):
                self._stop.wait(self.quiet)  # let a burst of saves end
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.send_now()
            except Exception:  # noqa: BLE001 - the room view must never cost the learner anything
                log.info("the room service did not take the activity", exc_info=True)

    def send_now(self) -> list[str]:
        """Send the learner's row; reset the modules the answer names (then send again)."""
        from labkit.serve import room

        workspace = self.workspace
        if workspace is None:
            return []
        if self._reader is None:
            self._reader = room.RoomReader(workspace.folder.parent.parent)
        row = self._reader.learner_row(workspace.folder)
        answer = self.send(self.url, self.token, room.row_summary(row))
        wanted = answer.get("repartir") if isinstance(answer, dict) else None
        modules = {module.id for module in self._reader.content.modules}
        done = [m for m in wanted or [] if isinstance(m, str) and m in modules]
        for module_id in done:
            room.reset_module(workspace.folder, module_id)
        if done:
            row = self._reader.learner_row(workspace.folder)
            self.send(self.url, self.token, room.row_summary(row))
        return done


_link: Link | None = None
_lock = threading.Lock()


def follow(workspace: Workspace) -> Link | None:
    """Send ``workspace``'s row to the hub's room service, when this kernel runs on a hub that has
    one (``$DATALAB_SALLE_URL`` and ``$JUPYTERHUB_API_TOKEN``); otherwise do nothing."""
    global _link
    url, token = os.environ.get(URL_ENV, ""), os.environ.get(TOKEN_ENV, "")
    if not url or not token:
        return None
    with _lock:
        if _link is None:
            _link = Link(url, token)
    _link.follow(workspace)
    return _link
