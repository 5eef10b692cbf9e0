"""Datalab inside a Jupyter server: Binder, JupyterHub (``deploy/``) and ``datalab lab``.

There the workbook app is Voilà's server extension at ``/voila/render/notebooks/datalab.ipynb``
(each module notebook alone at ``/voila/render/notebooks/NN_….ipynb``), beside JupyterLab. The
three read the same settings, through ``JUPYTER_CONFIG_PATH``: ``binder/jupyter_server_config.json``
(Voilà's ``datalab`` template, French, no sources, culling) and ``binder/jupyter_server_config.py``
(what needs code: :func:`configure`). So the app is the one ``datalab start`` serves, and like it
loads nothing from outside the machine.

``datalab lab`` runs JupyterLab in its own process (:func:`lab`): the facilitator reads the address
to open in French, and Jupyter's log only for warnings and errors.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
import warnings

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer, Unicode

from labkit import paths

APP_PAGE = "voila/render/notebooks/datalab.ipynb"
# What a kernel kept ahead imports (the workbook app's first cell does the same).
# A kernel shut down while it works (the server stops) prints no ZeroMQ traceback.
WARM_CODE = (
    "from labkit.ui import session\n"
    "session.quiet_shutdown_while_busy()\n"
    "from labkit.ui.workbook import WorkbookApp\n"
    "WorkbookApp.prepare()"
)
LAB_PAGE = "lab/tree/notebooks/00_accueil.ipynb"  # where JupyterLab opens


def config_dir():
    """The folder of the Jupyter server settings shared by Binder, JupyterHub and ``datalab lab``."""
    return paths.project_root() / "binder"


def offline_page_config(page_config: dict, **_context) -> dict:
    """Voilà's ``page_config_hook``: MathJax from Voilà's own JavaScript, not from a CDN.

    Inside a Jupyter server, Voilà looks for MathJax's address in the server's settings, finds none,
    and gives the page ``cdnjs.cloudflare.com``'s (a request that fails offline and logs a console
    error). Voilà's standalone server (``datalab start``) gives none, and the page then uses the
    MathJax bundled with Voilà: the same here.
    """
    return {**page_config, "fullMathjaxUrl": None, "mathjaxConfig": None}


def quiet_traitlets_deprecations() -> None:
    """Keep the DeprecationWarnings of other libraries' traitlets out of the server's terminal.

    Importing Voilà turns on, for the whole server, the DeprecationWarnings that traitlets raises
    (Python hides them outside ``__main__``), and three show at every start: « ServerApp.token config
    is deprecated » (notebook_shim, a JupyterLab dependency, lists the server's attributes when it
    links) and two from jupyter_lsp's classes (« Keyword `trait` is deprecated », « Traits should be
    given as instances »). None is Datalab's, none is anything a facilitator can act on. This puts
    Python's default back for those alone: DeprecationWarnings attributed to traitlets; every other
    warning still shows. Voilà must be imported first (its filter would come before this one).
    """
    import voila  # noqa: F401 - its filter first, so that this one comes before it

    warnings.filterwarnings("ignore", category=DeprecationWarning, module="traitlets")


class WarmKernelManager(AsyncMappingKernelManager):
    """The kernels of a Jupyter server serving Datalab, with one kept ahead for the next page.

    Voilà's preheated kernels exist only in its own server (``datalab start``); inside a Jupyter
    server (JupyterHub, Binder, ``datalab lab``) each page starts a kernel and imports pandas,
    scikit-learn, plotly and the workbook: five seconds or so before the first page is usable.
    Here :attr:`warm_kernels` kernels are started with the server, in the notebooks' folder, and
    import the workbook app's libraries at once (:data:`WARM_CODE`). A Voilà page of that folder
    takes one (still importing, or done): its request's environment (``QUERY_STRING``: the
    learner's pseudonym, Voilà's addresses) is first set in the kernel, as a kernel started for
    the request would have had it, and another kernel is started for the next page. Kernels kept
    ahead are never culled for being idle; any other request (JupyterLab's kernels) starts its own.
    """

    warm_kernels = Integer(
        1, config=True, help="kernels kept started ahead for the next Voilà page"
    )
    warm_path = Unicode(
        "notebooks", config=True, help="the folder (API path) of the app's notebook"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._warm: list[str] = []
        self._filling = False
        self._imports: set = set()  # the warm-ups running (kept from the garbage collector)
        # One conversation at a time with a kernel kept ahead: two clients talking to it at once
        # lost a reply (the page that took a kernel still importing waited for ever).
        self._talking: dict[str, asyncio.Lock] = {}
        if self.warm_kernels > 0:
            from tornado.ioloop import IOLoop

            IOLoop.current().add_callback(self._refill)

    async def _refill(self) -> None:
        if self._filling:
            return
        self._filling = True
        try:
            self._warm = [k for k in self._warm if k in self]
            while len(self._warm) < self.warm_kernels:
                kernel_id = await super().start_kernel(path=self.warm_path)
                self._warm.append(kernel_id)  # a page may take it while it imports
                # Not waited for: a page that takes the kernel meanwhile runs after the imports.
                task = asyncio.ensure_future(self._warm_up(kernel_id))
                self._imports.add(task)
                task.add_done_callback(self._imports.discard)
        except Exception:  # noqa: BLE001 - only a head start: pages start their own kernels
            self.log.warning("Datalab: no kernel could be kept ahead", exc_info=True)
        finally:
            self._filling = False

    async def _warm_up(self, kernel_id: str) -> None:
        try:
            await self._run(kernel_id, WARM_CODE)
        except Exception:  # noqa: BLE001 - a kernel shut down while importing (its page left)
            self.log.debug("Datalab: a kernel kept ahead stopped while importing", exc_info=True)

    async def _run(self, kernel_id: str, code: str, timeout: float = 300) -> None:
        """Run ``code`` in the kernel, silently, and wait until it is done (after any other code
        sent by this manager)."""
        async with self._talking.setdefault(kernel_id, asyncio.Lock()):
            await self._talk(kernel_id, code, timeout)

    async def _talk(self, kernel_id: str, code: str, timeout: float) -> None:
        client = self.get_kernel(kernel_id).client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=timeout)
            sent = client.execute(code, silent=True, store_history=False)
            while True:
                reply = await client.get_shell_msg(timeout=timeout)
                if reply.get("parent_header", {}).get("msg_id") == sent:
                    content = reply.get("content", {})
                    if content.get("status") == "error":
                        self.log.warning(
                            "Datalab: %s in a kernel kept ahead: %s",
                            content.get("ename"),
                            content.get("evalue"),
                        )
                    return
        finally:
            client.stop_channels()

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        env = kwargs.get("env") or {}
        wanted = kwargs.get("kernel_name") in (None, self.default_kernel_name)
        if kernel_id is None and "VOILA_REQUEST_URL" in env and path == self.warm_path and wanted:
            from tornado.ioloop import IOLoop

            # whatever happens below, the next page finds a kernel kept ahead
            IOLoop.current().add_callback(self._refill)
            while self._warm:
                taken = self._warm.pop(0)
                if taken not in self:
                    continue
                # Voilà's keys are members of a str Enum: their value is the variable's name
                changed = {
                    str(getattr(k, "value", k)): str(v)
                    for k, v in env.items()
                    if os.environ.get(str(getattr(k, "value", k))) != str(v)
                }
                try:
                    await self._run(
                        taken, f"from labkit.ui import session\nsession.take_request({changed!r})"
                    )
                except Exception:  # noqa: BLE001 - gone meanwhile: the next one, or a new one
                    self.log.warning("Datalab: a kernel kept ahead did not answer", exc_info=True)
                    continue
                finally:
                    self._talking.pop(taken, None)
                return taken
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

    def kernel_model(self, kernel_id):
        # A kernel is listed as soon as it is registered, a moment before the server marks its
        # activity (jupyter/notebook#5345): ``/api/status`` or ``/api/kernels`` asked then failed
        # with « 'last_activity' … expected a datetime » (a 500 and a traceback in the
        # facilitator's terminal). The kernel kept ahead starts with the server, so it is often
        # then. A kernel still starting is listed as such.
        kernel = self._kernels.get(kernel_id)
        if kernel is not None and not kernel.trait_has_value("last_activity"):
            from jupyter_server._tz import utcnow

            kernel.last_activity = utcnow()
            if kernel.execution_state is None:
                kernel.execution_state = "starting"
        return super().kernel_model(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id in self._warm:
            return None
        return await super().cull_kernel_if_idle(kernel_id)


def configure(c) -> None:
    """The settings of ``binder/jupyter_server_config.py`` that need code (``c``: its config)."""
    from labkit.serve.server import never_miss_kernel_replies

    c.ServerApp.kernel_manager_class = WarmKernelManager
    # DATALAB_WARM_KERNELS=0: no kernel kept ahead (to compare, benchmarks/lab_first_page.py)
    c.WarmKernelManager.warm_kernels = int(os.environ.get("DATALAB_WARM_KERNELS") or 1)
    c.VoilaConfiguration.page_config_hook = offline_page_config
    quiet_traitlets_deprecations()
    never_miss_kernel_replies()


def lab_environment() -> dict[str, str]:
    """Environment variables of ``datalab lab``: the ``datalab`` template and the shared settings."""
    from labkit.serve.server import template_environment

    current = os.environ.get("JUPYTER_CONFIG_PATH", "")
    parts = [str(config_dir())] + [p for p in current.split(os.pathsep) if p]
    env = {
        **template_environment(),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(parts)),
        "DATALAB_ROOT": os.environ.get("DATALAB_ROOT") or str(paths.project_root()),
        "DATALAB_PSEUDONYM": os.environ.get("DATALAB_PSEUDONYM") or "formateur",
    }
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def lab_arguments(port: int, host: str, open_browser: bool, token: str) -> list[str]:
    """JupyterLab's command-line settings for ``datalab lab``."""
    level = os.environ.get("DATALAB_LOG_LEVEL", "WARN")
    argv = [
        f"--ServerApp.root_dir={paths.project_root()}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={host}",
        "--ServerApp.port_retries=0",  # the address printed is the one served, or nothing
        f"--ServerApp.open_browser={open_browser}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.default_url=/{LAB_PAGE}",
        # Warnings and errors only: the address to open is printed in French (commands/serve.py).
        f"--ServerApp.log_level={level}",
        f"--LabApp.log_level={level}",
        # Kernels talk to the server through local sockets that only this user can open (as with
        # datalab start), not unencrypted TCP ports: each kernel warned about them at start.
        "--KernelManager.transport=ipc",
    ]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def lab(port: int, host: str, open_browser: bool, token: str) -> None:
    """Run JupyterLab on the project until Ctrl+C (or SIGTERM), then shut its kernels down."""
    os.environ.update(lab_environment())
    from jupyterlab.labapp import LabApp

    # Jupyter's runtime files (the kernels' connection files and sockets among them) in a short
    # folder of /tmp that only this user can open, as Voilà's: a socket's path may not exceed 107
    # characters, which ~/.local/share/jupyter/runtime/kernel-<uuid>-ipc-1 may.
    runtime = tempfile.mkdtemp(prefix="datalab_lab_")
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime
    try:
        _run_lab(LabApp, lab_arguments(port, host, open_browser, token))
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def _run_lab(lab_app, argv: list[str]) -> None:
    from labkit.serve.server import _NotTrusted, _PingTimeoutNotice

    server = lab_app.initialize_server(argv=argv)
    # Two warnings with nothing to act on, hidden as datalab start hides them (labkit.serve.server).
    server.log.addFilter(_NotTrusted())
    logging.getLogger("tornado.general").addFilter(_PingTimeoutNotice())

    def stop(_signum, _frame) -> None:
        # Jupyter asks « Shut down this Jupyter server (y/[n])? » at the first Ctrl+C, in English,
        # and logs each signal: here Ctrl+C stops, once, silently.
        if not getattr(server, "_stopping", False):
            server.stop(from_signal=True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server.start()
