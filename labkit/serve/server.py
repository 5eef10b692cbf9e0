"""Datalab's Voilà server: the notebooks as click-through pages, in French, with nothing from outside.

It is Voilà's standalone server with a few changes:

- the workbook app (``datalab.ipynb``: every module in one page and one kernel per learner, see
  ``labkit.ui.workbook``) answers at the server root; each module notebook still opens alone at
  ``/voila/render/NN_….ipynb``;
- the ``datalab`` template: ``lang="fr"``, no stylesheet from a CDN, Datalab's theme;
- the app runs on preheated kernels (imports done before anyone asks): as many as a room needs
  (``--room N``); the module pages alone get ``pool_size`` each;
- closing a page shuts its kernel down: Voilà's page sends the shutdown request with the ``_xsrf``
  cookie, which the standalone server never set, so the request was refused. Every page response now
  sets that cookie, and the shutdown handler keeps checking it (cross-site requests stay refused);
- idle kernels are culled as a safety net (a page left open but unused, a browser that crashed);
- every kernel shares one cache of results (:mod:`labkit.roomcache`), ``cache/`` in the workspace
  root, kept under its size limit; with ``--room N`` (N ≥ 2), once the app's kernels are preheated,
  a low-priority process fills it with the running example's results (:mod:`labkit.serve.warmup`),
  so that the room's first clicks find them ready;
- the page can neither read sources (no tree, no contents API, no ``.ipynb``/``.py`` files) nor run
  code (Voilà only forwards widget messages to the kernel).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import time
from pathlib import Path

import tornado.web
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler

from labkit import paths

APP_NOTEBOOK = "datalab.ipynb"
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent / "share" / "jupyter"

IOPUB_TIMEOUT = 60  # seconds a page waits for a cell's outputs after its reply
# Seconds a kernel may stay idle before it is shut down, and how often to look.
CULL_IDLE_TIMEOUT = 20 * 60
CULL_INTERVAL = 60


def template_environment() -> dict[str, str]:
    """Environment variables that make the ``datalab`` Voilà template findable."""
    current = os.environ.get("JUPYTER_PATH", "")
    parts = [str(TEMPLATE_ROOT)] + [p for p in current.split(os.pathsep) if p]
    return {"JUPYTER_PATH": os.pathsep.join(dict.fromkeys(parts))}


class NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self):
        raise tornado.web.HTTPError(404)


def _with_xsrf_cookie(handler_class: type) -> type:
    """A subclass of a page handler whose responses set the ``_xsrf`` cookie."""

    class PageHandler(handler_class):
        async def prepare(self, *args, **kwargs):
            result = super().prepare(*args, **kwargs)
            if inspect.isawaitable(result):
                await result
            self.xsrf_token  # noqa: B018 - reading the token sets the cookie

    PageHandler.__name__ = f"Xsrf{handler_class.__name__}"
    return PageHandler


class RequestInfoHandler(RequestInfoSocketHandler):
    """Voilà's hand-over of the page request to a preheated kernel, with its closing fixed.

    Voilà's ``on_close`` removes the last registered kernel when the closing socket is not among
    them, so that kernel's page would wait for its request forever.
    """

    def on_close(self) -> None:
        waiters = RequestInfoSocketHandler._waiters
        for kernel_id, waiter in list(waiters.items()):
            if waiter is self:
                del waiters[kernel_id]
                return


CACHE_CLEAN_SECONDS = 3600  # how often the shared cache is trimmed to its size limit
WARMUP_POLL_SECONDS = 2.0
WARMUP_ENV = "DATALAB_WARMUP"  # "off" (or 0, no…): no warm-up at start


def use_shared_cache() -> Path | None:
    """Point this process and the kernels it starts at the server's cache (``$DATALAB_CACHE``,
    by default ``cache/`` in the workspace root); trim it. ``None`` when the cache is off."""
    from labkit import roomcache
    from labkit.workspace import default_root

    os.environ.setdefault(roomcache.ENV, str(roomcache.default_folder(default_root())))
    location = roomcache.folder()
    if location is not None:
        roomcache.clean(location)
    return location


def _app_pool_ready(kernel_manager) -> bool:
    """The app's preheated kernels have all started and run the app notebook."""
    pool = getattr(kernel_manager, "_pools", None) or {}
    pool = pool.get(APP_NOTEBOOK, [])
    return bool(pool) and all(task.done() for task in pool)


async def keep_cache(app, room: int) -> None:
    """Warm the cache once the app's kernels are preheated (``room`` ≥ 2), then trim it every
    :data:`CACHE_CLEAN_SECONDS`."""
    import subprocess
    import sys

    from labkit import roomcache

    loop = asyncio.get_running_loop()
    warm = room >= 2 and os.environ.get(WARMUP_ENV, "on").strip().lower() not in roomcache.OFF
    if warm:
        # the kernel manager exists once the server has started
        while not _app_pool_ready(getattr(app, "kernel_manager", None)):
            await asyncio.sleep(WARMUP_POLL_SECONDS)
        process = subprocess.Popen(
            [sys.executable, "-m", "labkit.serve.warmup"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None:
            await asyncio.sleep(WARMUP_POLL_SECONDS)
    while True:
        await asyncio.sleep(CACHE_CLEAN_SECONDS)
        await loop.run_in_executor(None, roomcache.clean)


# How long the server waits on a kernel's socket before looking again (seconds).
KERNEL_POLL_SLICE = 1.0


def never_miss_kernel_replies() -> None:
    """Make the server's kernel clients look at their sockets again every second.

    ZeroMQ wakes an asyncio reader through an edge-triggered file descriptor. Now and then the
    wake-up for a kernel's reply is lost: the kernel has answered and is idle, and the reply sits in
    the socket while Voilà waits for it forever, so the page never finishes loading (measured: about
    one page in ten of module 01 on an idle 2-core machine). Polling in slices of a second checks the
    socket's state each time, so a missed wake-up costs at most a second.
    """
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    if getattr(AsyncZMQSocketChannel.get_msg, "datalab_sliced", False):
        return

    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = KERNEL_POLL_SLICE if deadline is None else deadline - time.monotonic()
            if await self.socket.poll(int(max(0.0, min(KERNEL_POLL_SLICE, left)) * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty

    get_msg.datalab_sliced = True
    AsyncZMQSocketChannel.get_msg = get_msg


class DatalabVoila(Voila):
    """Voilà with Datalab's handlers (see the module's docstring)."""

    name = "datalab"
    room = 1  # app kernels kept ready for learners arriving together (``--room``)
    facilitator_token: str | None = None  # the secret of ``/animation`` (``labkit.serve.roomview``)
    cache_keeper: asyncio.Task | None = None  # warms and trims the shared cache (keep_cache)

    def init_settings(self):
        settings = super().init_settings()
        if self.voila_configuration.preheat_kernel:
            limit_app_pool(self.kernel_manager, self.room)
        return settings

    def init_handlers(self):
        handlers = []
        app = None
        for pattern, handler, *rest in super().init_handlers():
            name = handler.__name__
            if name in {"VoilaTreeHandler", "TornadoVoilaTreeHandler", "VoilaContentsHandler"}:
                continue  # no listing of the notebooks folder, no contents API
            if name in {"VoilaHandler", "TornadoVoilaHandler"}:
                handler = _with_xsrf_cookie(handler)
                # The same page handler, always on the app's notebook, answers at the root.
                app = (handler, {**rest[0], "notebook_path": APP_NOTEBOOK})
            if handler is RequestInfoSocketHandler:
                handler = RequestInfoHandler
            handlers.append((pattern, handler, *rest))
        blocked = [
            (url_path_join(self.server_url, r"/voila/tree.*"), NotFoundHandler),
            (url_path_join(self.server_url, r"/voila/api/contents.*"), NotFoundHandler),
            (url_path_join(self.server_url, r"/api/contents.*"), NotFoundHandler),
        ]
        root = [(self.server_url.rstrip("/") + "/?", *app)] if app else []
        from labkit.serve import datasetview, roomview

        room = roomview.handlers(self.server_url, self.facilitator_token)
        room += datasetview.handlers(
            self.server_url, roomview.page_options(self.server_url, self.facilitator_token)
        )
        return root + room + blocked + handlers


def limit_app_pool(kernel_manager, room: int) -> None:
    """Keep ``room`` app kernels in all while a room arrives, and one spare beyond.

    Voilà refills a notebook's pool to its full size each time a page takes a kernel: with
    ``--room 30``, thirty learners in would leave thirty more kernels waiting (sixty in all, twice
    the memory). The app's pool is sized, at each refill, to the learners still expected.
    """
    original = kernel_manager.fill_if_needed

    def fill_if_needed(delay=None, notebook_name=None, **kwargs):
        if notebook_name == APP_NOTEBOOK:
            pool = kernel_manager._pools.get(APP_NOTEBOOK, [])
            pooled = {
                task.result().get("kernel_id")
                for task in pool
                if task.done() and not task.cancelled() and task.exception() is None
            }
            started = (kernel_manager.notebook_data.get(APP_NOTEBOOK) or {}).get("kernel_ids", ())
            in_use = len(set(started) - pooled)
            kernel_manager.kernel_pools_config = {
                **kernel_manager.kernel_pools_config,
                APP_NOTEBOOK: {"pool_size": max(1, room - in_use)},
            }
        return original(delay=delay, notebook_name=notebook_name, **kwargs)

    kernel_manager.fill_if_needed = fill_if_needed


def voila_arguments(
    port: int, host: str, open_browser: bool, pool_size: int = 0, room: int = 1
) -> list[str]:
    """Command-line arguments of the Datalab server (also used by the tests and benchmarks).

    ``room``: app kernels started in advance (one per learner arriving together);
    ``pool_size``: kernels started in advance for each module notebook opened alone.
    """
    notebooks = paths.notebooks_dir()
    return [
        str(notebooks),
        f"--port={port}",
        f"--Voila.ip={host}",
        f"--Voila.open_browser={open_browser}",
        "--Voila.port_retries=0",
        "--template=datalab",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--preheat_kernel=True",
        "--VoilaKernelManager.fill_delay=0",
        "--HTMLExporter.language_code=fr",
        "--VoilaExporter.language_code=fr",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        "--MappingKernelManager.cull_connected=False",
        # A cell's outputs may reach the server after its reply when the machine is saturated;
        # nbclient stops waiting for them after 4 s by default, and the page then lacks widgets.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
        f"--Voila.log_level={os.environ.get('DATALAB_LOG_LEVEL', 'WARN')}",
        # Kernels talk to the server through local sockets that only this user can open, instead
        # of unencrypted TCP ports that anyone on the machine could reach.
        "--KernelManager.transport=ipc",
    ]


def voila_config(pool_size: int = 0, room: int = 1):
    """The server's list and dict settings (traitlets deprecates them on the command line)."""
    from traitlets.config import Config

    config = Config()
    config.VoilaKernelManager.kernel_pools_config = {
        "default": {"pool_size": pool_size},
        APP_NOTEBOOK: {"pool_size": max(room, 1)},
    }
    config.VoilaConfiguration.file_allowlist = [r".*\.(png|jpg|jpeg|gif|svg|webp)"]
    config.VoilaConfiguration.file_denylist = [
        r".*\.(ipynb|py|yaml|yml|json|csv|parquet|skops|zip)"
    ]
    return config


class _PingTimeoutNotice(logging.Filter):
    """tornado warns at the first page that "websocket_ping_timeout (90000) cannot be longer than
    the websocket_ping_interval (30000)": jupyter_server's websocket handlers give tornado their
    ping settings in milliseconds where tornado expects seconds, and run their own pings anyway.
    Nothing to act on (and setting the time-out to the interval makes jupyter_server close every
    socket after 30 s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "websocket_ping_timeout" not in record.getMessage()


class _NotTrusted(logging.Filter):
    """Voilà warns that each notebook "is not trusted": trust only matters to Jupyter's own
    frontends (showing stored HTML outputs); Voilà runs the workbook's notebooks whatever it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is not trusted" not in record.getMessage()


def _quiet_closed_sockets(loop, context) -> None:
    """A page closed while the server wrote to it is no error: asyncio would print a traceback
    ("Task exception was never retrieved … WebSocketClosedError") in the facilitator's terminal."""
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError

    if isinstance(context.get("exception"), WebSocketClosedError | StreamClosedError):
        return
    loop.default_exception_handler(context)


def serve(
    port: int = 8866,
    host: str = "127.0.0.1",
    open_browser: bool = True,
    pool_size: int = 0,
    room: int = 1,
    facilitator_token: str | None = None,
) -> None:
    """Run the Datalab server until interrupted (``facilitator_token``: the room view's secret)."""
    os.environ.update(template_environment())
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # Pages start in the notebooks folder; labkit finds the project from there.
    os.environ.setdefault("DATALAB_ROOT", str(paths.project_root()))
    cache = use_shared_cache()  # before any kernel starts: they inherit the environment
    never_miss_kernel_replies()
    os.environ.pop("DATALAB_FACILITATOR_TOKEN", None)  # kernels inherit the environment: not this
    app = DatalabVoila(config=voila_config(pool_size, room))
    app.facilitator_token = facilitator_token
    app.initialize(voila_arguments(port, host, open_browser, pool_size, room))
    app.log.addFilter(_NotTrusted())
    logging.getLogger("tornado.general").addFilter(_PingTimeoutNotice())
    app.room = room
    loop = asyncio.get_event_loop_policy().get_event_loop()
    loop.set_exception_handler(_quiet_closed_sockets)
    if cache is not None:
        app.cache_keeper = loop.create_task(keep_cache(app, room))
    app.start()
