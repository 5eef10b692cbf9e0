"""Every place where Datalab relies on another library's internals, in one list.

Each :class:`Patch` says what Datalab does, which private part of which library it touches, why
(the upstream issue or the behaviour it works around) and how to tell that an upgrade broke it:
:func:`Patch.check` raises ``AssertionError`` when the internal it needs is gone or has changed
shape. ``tests/test_upstream.py`` runs every check, and ``deploy/check-upgrades.sh`` runs those tests
in a fresh environment with the newest versions ``pyproject.toml`` allows. The upper bounds in
``pyproject.toml`` are set for the libraries listed here.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    name: str
    where: str  # the Datalab code that relies on the internal
    library: str  # the distribution whose internals are used
    internal: str  # what is used
    why: str
    upstream: str  # the upstream issue, or what upstream does today
    check: Callable[[], None]


def _attribute(path: str):
    module_name, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _has_parameters(function, *names: str) -> None:
    parameters = inspect.signature(function).parameters
    missing = [n for n in names if n not in parameters]
    assert not missing, f"{function.__qualname__} lost its parameters {missing}"


def _check_kernel_channel() -> None:
    channel = _attribute("jupyter_client.channels.AsyncZMQSocketChannel")
    assert callable(getattr(channel, "_recv", None)), "AsyncZMQSocketChannel._recv is gone"
    _has_parameters(channel.get_msg, "self", "timeout")


def _check_request_waiters() -> None:
    handler = _attribute("voila.request_info_handler.RequestInfoSocketHandler")
    assert isinstance(getattr(handler, "_waiters", None), dict), "_waiters is no longer a dict"
    assert callable(getattr(handler, "send_updates", None))
    source = inspect.getsource(handler.on_close)
    assert "_waiters" in source, "on_close no longer manages _waiters: review RequestInfoHandler"


def _check_handler_names() -> None:
    from voila.app import Voila

    source = inspect.getsource(Voila.init_handlers)
    for name in ("VoilaTreeHandler", "VoilaHandler", "RequestInfoSocketHandler"):
        assert name in source, f"Voilà no longer registers {name}: review DatalabVoila"


def _check_kernel_pool() -> None:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    manager = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
    _has_parameters(manager.fill_if_needed, "delay", "notebook_name")
    source = inspect.getsource(manager)
    for internal in ("self._pools", "self.notebook_data[", '"kernel_ids"', "kernel_pools_config"):
        assert internal in source, f"Voilà's kernel manager no longer has {internal}"


def _check_request_protocol() -> None:
    from voila import utils

    source = inspect.getsource(utils.wait_for_request)
    assert "voila/query" in source and "VOILA_KERNEL_ID" in source, (
        "Voilà changed how a preheated kernel receives its request: review session.wait_for_request"
    )


def _check_plotly_renderers() -> None:
    renderers = importlib.import_module("plotly.io._renderers")
    assert hasattr(renderers, "renderers"), "plotly.io._renderers.renderers is gone"


def _check_sklearn_types() -> None:
    from labkit.model.model_store import TRUSTED_TYPES

    for path in TRUSTED_TYPES:
        if path.startswith("sklearn."):
            _attribute(path)  # raises if scikit-learn moved the type


def _check_kernel_app_log() -> None:
    from ipykernel.kernelapp import IPKernelApp

    assert callable(IPKernelApp.initialized) and callable(IPKernelApp.instance)
    source = inspect.getsource(importlib.import_module("ipykernel.kernelbase"))
    assert "Exception in message handler" in source, "ipykernel changed its handler error log"


def _check_websocket_ping() -> None:
    source = inspect.getsource(importlib.import_module("tornado.websocket"))
    assert "cannot be longer" in source and "de_dupe_gen_log" in source, (
        "tornado changed its ping time-out notice: review server._PingTimeoutNotice"
    )


def _check_closed_socket_errors() -> None:
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    assert issubclass(WebSocketClosedError, Exception) and issubclass(StreamClosedError, Exception)


PATCHES: tuple[Patch, ...] = (
    Patch(
        "kernel replies read in one-second slices",
        "labkit.serve.server.never_miss_kernel_replies",
        "jupyter_client",
        "AsyncZMQSocketChannel.get_msg and ._recv",
        "a lost ZeroMQ wake-up left a page loading forever (about one page in ten on 2 cores)",
        "https://github.com/zeromq/pyzmq/issues/2173 (missed wake-ups of zmq.asyncio, closed "
        "without a fix)",
        _check_kernel_channel,
    ),
    Patch(
        "request hand-over closing",
        "labkit.serve.server.RequestInfoHandler",
        "voila",
        "RequestInfoSocketHandler._waiters and on_close",
        "on_close removed the last registered kernel's waiter, not its own: that kernel's page "
        "never received its request",
        "voila 0.5.13 voila/request_info_handler.py on_close (no upstream issue found)",
        _check_request_waiters,
    ),
    Patch(
        "no tree, no contents API",
        "labkit.serve.server.DatalabVoila.init_handlers",
        "voila",
        "handler classes recognised by name in Voila.init_handlers",
        "the standalone server must not list or serve the notebooks' sources",
        "voila has no setting to turn the tree and contents handlers off",
        _check_handler_names,
    ),
    Patch(
        "app pool sized to the room",
        "labkit.serve.server.limit_app_pool",
        "voila",
        "VoilaKernelManager.fill_if_needed, _pools, notebook_data[…]['kernel_ids']",
        "Voilà refills a pool to its full size after each page: --room 30 would keep 60 kernels",
        "voila 0.5.13 voila/voila_kernel_manager.py fill_if_needed",
        _check_kernel_pool,
    ),
    Patch(
        "request received without importing voila",
        "labkit.ui.session.wait_for_request",
        "voila",
        "the preheated kernel's request protocol (websocket voila/query/<kernel id>)",
        "importing voila in every kernel costs about 4 s of CPU (jupyter_server, jsonschema)",
        "voila 0.5.13 voila/utils.py wait_for_request",
        _check_request_protocol,
    ),
    Patch(
        "plotly display path loaded while preheating",
        "labkit.ui (package import)",
        "plotly",
        "plotly.io._renderers",
        "the first figure of a page otherwise pays this import on the learner's click",
        "plotly loads its renderers lazily",
        _check_plotly_renderers,
    ),
    Patch(
        "scikit-learn types trusted when a model is read",
        "labkit.model.model_store.TRUSTED_TYPES",
        "scikit-learn",
        "private module paths of tree, ensemble, neighbours and metrics types",
        "skops refuses types it does not know; these paths move between scikit-learn versions",
        "https://skops.readthedocs.io/en/stable/persistence.html (trusted types)",
        _check_sklearn_types,
    ),
    Patch(
        "no ZeroMQ traceback from a preheated kernel shut down while waiting",
        "labkit.ui.session._quiet_shutdown_while_waiting",
        "ipykernel",
        "IPKernelApp.instance().log and its 'Exception in message handler' record",
        "Ctrl+C printed one traceback per waiting kernel in the facilitator's terminal",
        "ipykernel sends the reply of a cell whose kernel is shutting down",
        _check_kernel_app_log,
    ),
    Patch(
        "websocket ping time-out notice",
        "labkit.serve.server._PingTimeoutNotice",
        "tornado",
        "the 'tornado.general' log record of WebSocketProtocol.ping_timeout",
        "a warning at every start that nobody can act on: jupyter_server hands tornado its ping "
        "settings in milliseconds where tornado expects seconds (a time-out equal to the "
        "interval instead makes jupyter_server close every kernel socket after 30 s)",
        "jupyter_server base/websocket.py WebSocketMixin.ping_interval / ping_timeout",
        _check_websocket_ping,
    ),
    Patch(
        "closed page sockets are no error",
        "labkit.serve.server._quiet_closed_sockets",
        "tornado",
        "WebSocketClosedError and StreamClosedError raised in never-awaited tasks",
        "closing a page printed 'Task exception was never retrieved' tracebacks",
        "https://github.com/voila-dashboards/voila/issues/237",
        _check_closed_socket_errors,
    ),
)
