"""Who is on this page: the learner's pseudonym, from the page's address (``?pseudo=…``).

Voilà hands the query string to the kernel. With preheated kernels the notebook starts before anyone
asks for the page, so :func:`query_parameters` first waits for the request (:func:`wait_for_request`,
Voilà's protocol). Outside Voilà (JupyterLab, tests), ``DATALAB_PSEUDONYM`` gives a pseudonym.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from urllib.parse import parse_qs, urlencode

from labkit.errors import DatalabError
from labkit.workspace import Workspace, normalize_pseudonym

_cache: dict[str, list[str]] | None = None
# Set by the workbook app (``labkit.ui.workbook``) while it plays a module notebook: the pages then
# share the app's learner project instead of opening their own, and link to each other in place.
_app_project = None
_app_pseudonym_error: str | None = None
_in_app = False
# Seconds a preheated page keeps trying to reach the server for its request when it fails.
REQUEST_WAIT_RETRIES = 120.0


def query_parameters() -> dict[str, list[str]]:
    """The page's query parameters (waits for the request when the kernel was preheated)."""
    global _cache
    if _cache is None:
        wait_for_request()
        _cache = parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return _cache


def take_request(environment: dict[str, str]) -> None:
    """A kernel started ahead of its page (``labkit.serve.jupyter.WarmKernelManager``) receives
    its request's environment (``QUERY_STRING``…) here, before the page's cells run: anything
    read of the request while it was waiting is forgotten."""
    global _cache
    os.environ.update(environment)
    _cache = None


def wait_for_request() -> None:
    """In a preheated kernel, wait until Voilà hands over the page's request, then put its details
    (``QUERY_STRING``…) in the environment; outside preheating, return at once.

    The same protocol as ``voila.utils.wait_for_request`` (a websocket to ``voila/query/<kernel>``
    that sends one JSON object), without importing ``voila``: that import pulls in the Jupyter
    server and its JSON-schema checks, about 4 s of CPU in every kernel on a small machine.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    _quiet_shutdown_while_waiting()
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = f"{protocol}://{host}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID')}"
    received: list[str] = []

    def receive() -> None:  # in its own thread: the kernel's own event loop is running
        from websockets.asyncio.client import connect
        from websockets.exceptions import WebSocketException

        async def until_received() -> None:
            # A busy server can take more than Voilà's 5 s to accept the socket: without the
            # request, the page would open without its learner's pseudonym. Try again for a while.
            give_up = time.monotonic() + REQUEST_WAIT_RETRIES
            while not received:
                try:
                    async with connect(url, open_timeout=30) as websocket:
                        received.append(await websocket.recv())
                except (OSError, TimeoutError, WebSocketException):
                    if time.monotonic() > give_up:
                        return  # no Voilà server: the page has no query string
                    await asyncio.sleep(1.0)

        asyncio.run(until_received())

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    thread.join()
    if received:
        for key, value in json.loads(received[0]).items():
            os.environ[key] = str(value)


class _ClosedOnShutdown:
    """A logging filter for the kernel: a preheated kernel that the server shuts down (the server
    stops, or its pool shrinks) while it waits for its request cannot send the reply of the cell
    that waited. ipykernel then prints a ZeroMQ traceback in the facilitator's terminal ("Socket
    operation on non-socket"): nothing is wrong, nobody was using that kernel."""

    def filter(self, record) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (
            error is not None and type(error).__name__ == "ZMQError" and "non-socket" in str(error)
        )


def quiet_shutdown_while_busy() -> None:
    """See :class:`_ClosedOnShutdown`: for a kernel kept ahead by a Jupyter server, which may be
    shut down while it imports (``labkit.serve.jupyter.WarmKernelManager``)."""
    _quiet_shutdown_while_waiting()


def _quiet_shutdown_while_waiting() -> None:
    import logging

    from ipykernel.kernelapp import IPKernelApp

    if IPKernelApp.initialized():
        loggers = {IPKernelApp.instance().log, logging.getLogger(IPKernelApp.__name__)}
        for logger in loggers:
            if not any(isinstance(f, _ClosedOnShutdown) for f in logger.filters):
                logger.addFilter(_ClosedOnShutdown())


def requested_pseudonym() -> str | None:
    values = query_parameters().get("pseudo")
    if values:
        return values[-1]
    return os.environ.get("DATALAB_PSEUDONYM") or None


def enter_app(project, pseudonym_error: str | None = None) -> None:
    """Pages built from now on belong to the workbook app, for this learner project (or none)."""
    global _app_project, _app_pseudonym_error, _in_app
    _in_app = True
    _app_project, _app_pseudonym_error = project, pseudonym_error


def in_app() -> bool:
    """True inside the workbook app: modules open in place (links ``#NN``)."""
    return _in_app


def app_project():
    """The workbook app's learner project (``None`` outside the app or without a pseudonym)."""
    return _app_project


def open_workspace() -> tuple[Workspace | None, str | None]:
    """(workspace, None) for a valid pseudonym; (None, French error) or (None, None) if absent."""
    if _in_app:
        return (_app_project.workspace if _app_project else None), _app_pseudonym_error
    pseudonym = requested_pseudonym()
    if pseudonym is None:
        return None, None
    try:
        return Workspace.open(normalize_pseudonym(pseudonym)), None
    except DatalabError as error:
        return None, str(error)


def page_link(notebook: str, pseudonym: str | None, **extra: str) -> str:
    """Relative link to another page of the workbook, carrying the pseudonym; inside the workbook
    app, the link to the module in place (``#NN``, the address keeps ``?pseudo=…``)."""
    if _in_app and not extra:
        return "#" + notebook.split("_", 1)[0]
    params = {"pseudo": pseudonym} if pseudonym else {}
    params.update(extra)
    return f"./{notebook}" + (f"?{urlencode(params)}" if params else "")


def sign_out_link(notebook: str) -> str:
    """The same page without a pseudonym (its form asks for one): the app's own address inside the
    workbook app, wherever it is served (``/`` or ``/voila/render/…/datalab.ipynb``)."""
    return "?" if _in_app else f"./{notebook}"
