"""A room of learners on one Datalab server: N simulated learners in the workbook app, measured.

Each learner opens the app (``/?pseudo=…``, one Voilà page and one kernel per learner) on a server
started with ``--room R`` preheated app kernels (R = N unless ``--room`` says otherwise), then:

1. starts on the home page (module 00) with the running example, the project a new learner has
   open (nothing to choose since learners hold projects, issue 22);
2. walks the modules in place, 01 → 06, as the page does when ``location.hash`` changes: the
   router widget's ``route`` is set to ``"NN"`` and the kernel builds the module;
3. in module 05, reveals the steps one by one (« Étape suivante … ») until « Comparer les modèles »
   appears and clicks it (every model cross-validated on the running example), then reveals the next
   steps until « Enregistrer ce modèle » and clicks it;
4. after 06, goes back to 05 and to 00 (return visits), then closes the page;

with a random think time (seeded) before each switch and click. The script prints one table row
per room size::

    .venv/bin/python benchmarks/load.py --learners 5 15 30

Columns: time to a usable app page (p50, p95, max, seconds), module switch time for a first visit
(p50, p95, max) and a return visit (p95), action latency (p50, p95, for the two timed clicks),
« Étape suivante » p95, errors, work lost, peak memory of the server and its kernels (RSS, MiB),
the biggest kernel, then the kernels: the most alive at once (``ipykernel`` processes under the
server, preheated ones included) and that count per learner, the spare ones (kernels of no learner,
told apart by the kernel id each learner's page names) at the moment the most pages were open, and
the learners' kernels still alive after every learner closed their page ("left"); then CPU seconds
per learner, the room's wall time and the load average before and after.

Why the Voilà protocol, not N browsers. This machine has 2 cores shared with other work. Thirty
headless Chromium instances would spend most of the CPU rendering ~10 MB of JavaScript each, so the
figures would measure the browsers, not the server; in a room, each learner's browser runs on their
own computer. So each simulated learner speaks to the server as the app's page does:

1. GET ``/?pseudo=…`` (the app notebook runs in a preheated kernel and builds module 00; the HTML
   arrives when every cell has run);
2. GET every script, stylesheet and font a real Chromium loaded for that page (recorded once, at
   the start, by one real Chromium on an idle calibration server; later pages send conditional
   requests, as a browser with a cache does), then ``GET /api/kernels/<id>``;
3. open the kernel websocket, open the ``jupyter.widget.control`` comm and request the widget
   states: the page is *usable* when they have arrived and the router widget says module 00 is
   ready; like ``workbook.js``, the page then sets ``route`` to ``"00"`` and sends the router a
   ``ping`` custom message every 3 s (the two-tabs check);
4. a module switch sends the router widget the comm message ``{"method": "update", "state":
   {"route": "NN"}}`` and ends when the kernel is idle again after it, which is when the kernel has
   built the module, sent all its widgets and set ``ready["NN"]`` (checked: a switch after which
   ``ready`` lacks ``"NN"`` is an error). A return visit to a module still current is drawn by the
   browser at once, without the kernel: the time shown for it is the kernel's acknowledgement;
5. an action sends the widget messages the browser would send (``update`` of a value, ``custom``
   click event) to a widget of the shown module (found in the module's widget tree, from its root
   ``dl-module-NN``), and ends when the kernel is idle again; it succeeds if the page showed the
   expected message (``dl-msg-success`` / ``dl-msg-info``), fails on ``dl-msg-error`` or no message;
   « Étape suivante » clicks (button class ``dl-next-step-button``) are timed apart ("step");
6. closing the page sends the ``beforeunload`` beacon (``POST /voila/api/shutdown/<id>`` with the
   ``_xsrf`` cookie and field), as Voilà's page does.

What the protocol does not do: draw the widgets. So, before the rooms, on a calibration server of
its own (``--room 1``, stopped afterwards, so that every room starts with all its kernels
preheated), one real Chromium times the app page until ``[data-dl-module="00"]`` and each first
visit until ``[data-dl-module="NN"]``, and one simulated learner alone walks the same way without
think time; the output shows both side by side (the time a learner would see is about "protocol
time + what the browser adds"), and the CPU seconds each step costs the server. Work lost is
checked afterwards in each learner's workspace (project saved, module 05 marked as started, model
saved).

The shared cache (:mod:`labkit.roomcache`): the rooms' servers keep it on, as ``datalab start``
does, and with ``--room`` 2 or more the room starts once the server's warm-up has filled it
(:mod:`labkit.serve.warmup`). After the table, each room says how many of its kernels' cached calls
were hits and misses, per function, the seconds spent hashing arguments and reading entries, and
the warm-up's own seconds (spent once per server, before the room, so not in "CPU s/learner"; the
line says the figure with it counted). ``--no-cache`` runs the same rooms without it (the
"before" of issue 27). The calibration server (``--room 1``) has no warm-up.

Bounded: at most 60 learners, every request has a timeout, each room has a time limit
(``--time-limit``), and everything goes to a server on 127.0.0.1 started by
:mod:`labkit.serve.devserver` (a fresh server and workspace for each room size).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.simple_httpclient import SimpleAsyncHTTPClient
from tornado.websocket import WebSocketClosedError, websocket_connect

from labkit import roomcache
from labkit.serve import devserver
from labkit.serve.devserver import Server, cpu_seconds, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import launch_chromium  # noqa: E402 - tests/ is on the path just above

MIB = 2**20
MAX_LEARNERS = 60
PAGE_TIMEOUT = 300.0  # a learner who waited this long for a page has given up: an error
ACTION_TIMEOUT = 300.0
PING_SECONDS = 3.0  # workbook.js: the page asks the kernel whether it still holds the work
MAX_REVEALS = 12  # « Étape suivante » clicks to find a button, at most (module 05 has 9 steps)
MODULE_05 = "05_modele"
CONFIG_DATA = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')
MESSAGE = re.compile(r'class="dl-msg dl-msg-(\w+)"')  # a message shown (not the stylesheet)
NEXT_STEP_CLASS = "dl-next-step-button"
NEXT_STEP_LABEL = "Étape suivante"


# ------------------------------------------------------------------------------ actions
@dataclass(frozen=True)
class Step:
    """One widget message: ``click`` a button, or ``set`` a widget's state.

    The widget is found by its ``description`` or, for a choice, by one of its option labels, among
    the widgets of the module shown. A step with ``expect`` is a timed action: it must make the page
    show a message of one of those kinds (``dl-msg-success``, ``dl-msg-info``…), and never an error
    message. A step not yet on the page is looked for in the module's next steps (« Étape
    suivante »), as a learner reading on would."""

    kind: str  # "click" | "set"
    label: str
    state: dict | None = None  # for "set"; {"index": "@label"} picks the option containing label
    expect: tuple[str, ...] = ()


# What each learner does, in order: ("switch", "NN") opens module NN in place; ("act", Step) acts
# on the module shown.
WALK: tuple[tuple[str, object], ...] = (
    # A new learner's open project is the running example (issue 22): nothing to choose first.
    ("switch", "01"),
    ("switch", "02"),
    ("switch", "03"),
    ("switch", "04"),
    ("switch", "05"),
    # Compare every model on the same folds (a warning says none beats the naive baseline), then
    # save the best one with its recipe.
    ("act", Step("click", "Comparer les modèles", expect=("success", "warning"))),
    ("act", Step("click", "Enregistrer ce modèle", expect=("success",))),
    ("switch", "06"),
    ("switch", "05"),  # return visits
    ("switch", "00"),
)


# ------------------------------------------------------------------------ measurements
@dataclass
class Result:
    learner: str
    page_times: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)
    first_switches: list[float] = field(default_factory=list)
    return_switches: list[float] = field(default_factory=list)
    action_times: list[float] = field(default_factory=list)
    step_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0


KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def kernel_id_of(cmdline: list[str]) -> str | None:
    """The kernel id in an ``ipykernel`` command line (its connection file), else ``None``."""
    if not any("ipykernel" in part for part in cmdline):
        return None
    for part in cmdline:
        match = KERNEL_FILE.search(part)
        if match:
            return match.group(1)
    return ""


def alive_kernels(server: Server) -> set[str]:
    """The ids of the server's living kernels."""
    ids = set()
    for process in server.kernel_processes():
        try:
            kernel_id = kernel_id_of(process.cmdline())
        except psutil.Error:
            continue
        if kernel_id is not None:
            ids.add(kernel_id or str(process.pid))
    return ids


class Sampler(threading.Thread):
    """Samples the memory, the kernels and the CPU time of the server and its kernels every second.

    The learners record their kernel's id in ``learner_kernels`` and keep ``open_pages`` (their
    pages open now): at the sample with the most pages open, the kernels that belong to no learner
    are the preheated ones (``spare_at_busiest``)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.learner_kernels: set[str] = set()
        self.open_pages = 0
        self.stop_event = threading.Event()
        self.peak_total = 0.0
        self.peak_kernel = 0.0
        self.peak_kernels = 0
        self.busiest = 0  # pages open at once, at most
        self.spare_at_busiest = 0
        self.cpu: dict[int, float] = {}
        self.cpu_start: dict[int, float] = {}

    def snapshot(self) -> tuple[float, float, set[str], dict[int, float]]:
        processes = [self.root]
        try:
            processes += self.root.children(recursive=True)
        except psutil.Error:
            pass
        total, biggest, kernels, cpu = 0.0, 0.0, set(), {}
        for process in processes:
            try:
                with process.oneshot():
                    rss = process.memory_info().rss / MIB
                    times = process.cpu_times()
                    kernel_id = kernel_id_of(process.cmdline())
            except psutil.Error:
                continue
            total += rss
            cpu[process.pid] = times.user + times.system
            if kernel_id is not None:
                kernels.add(kernel_id or str(process.pid))
                biggest = max(biggest, rss)
        return total, biggest, kernels, cpu

    def run(self) -> None:
        self.machine_start, self.client_start = machine_busy(), client_cpu()
        self.started = time.monotonic()
        _, _, _, self.cpu_start = self.snapshot()
        while not self.stop_event.is_set():
            open_before = self.open_pages
            total, biggest, kernels, cpu = self.snapshot()
            self.peak_total = max(self.peak_total, total)
            self.peak_kernel = max(self.peak_kernel, biggest)
            self.peak_kernels = max(self.peak_kernels, len(kernels))
            if open_before == self.open_pages and open_before >= self.busiest:
                self.busiest = open_before
                self.spare_at_busiest = len(kernels - self.learner_kernels)
            self.cpu.update(cpu)
            self.stop_event.wait(1.0)

    def stop(self) -> float:
        """Stop sampling; return the CPU seconds the server and its kernels used since the start
        (``machine`` and ``client``: the whole machine's busy seconds and this script's)."""
        self.stop_event.set()
        self.join(timeout=10)
        self.machine = machine_busy() - self.machine_start
        self.sampled = time.monotonic() - self.started
        self.client = client_cpu() - self.client_start
        return sum(value - self.cpu_start.get(pid, 0.0) for pid, value in self.cpu.items())


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, every core)."""
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


def client_cpu() -> float:
    """CPU seconds used by this script (the simulated learners), its threads included."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def wait_until_quiet(server: Server, expected_kernels: int, timeout: float = 300) -> None:
    """:func:`labkit.serve.devserver.wait_until_quiet`, saying when the server never became quiet."""
    if devserver.wait_until_quiet(server, expected_kernels, timeout) >= timeout:
        print(f"  (the server was not quiet after {timeout:.0f} s; going on anyway)", flush=True)


# ------------------------------------------------------------------ the simulated page
def _decode(frame: str | bytes) -> dict:
    """A kernel message from the websocket (JSON text, or the binary form with buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[0:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode("utf-8"))


class PageError(Exception):
    pass


class Browser:
    """One learner's browser: cookies, a cache of validators, six connections like Chromium."""

    def __init__(self, base: str, assets: list[str]):
        self.base = base
        self.assets = assets
        self.cookies: dict[str, str] = {}
        self.etags: dict[str, str] = {}
        self.client = SimpleAsyncHTTPClient(force_instance=True, max_clients=6)

    def close(self) -> None:
        self.client.close()

    def _headers(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep_cookies(self, headers) -> None:
        for value in headers.get_list("Set-Cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def fetch(self, path: str, **kwargs):
        kwargs.setdefault("request_timeout", PAGE_TIMEOUT)
        # Tornado drops a request that waited for a free connection longer than its connect
        # time-out (20 s by default, "Timeout in request queue"); Chromium keeps it queued.
        kwargs.setdefault("connect_timeout", kwargs["request_timeout"])
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        request = HTTPRequest(self.base + path, headers=headers, **kwargs)
        try:
            response = await self.client.fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError) as error:
            raise PageError(f"{path}: {error}") from error
        self._keep_cookies(response.headers)
        return response

    async def asset(self, path: str) -> None:
        headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
        # Queued behind the page and the other scripts (six connections): the page's deadline
        # applies, not one of its own.
        response = await self.fetch(path, headers=headers, request_timeout=3 * PAGE_TIMEOUT)
        if response.code == 200 and response.headers.get("Etag"):
            self.etags[path] = response.headers["Etag"]
        elif response.code not in (200, 304):
            raise PageError(f"{path}: HTTP {response.code}")

    async def open(self, pseudonym: str) -> AppPage:
        """Open the app as Chromium does; ``page.phases`` says where the time went. A page not
        usable within ``PAGE_TIMEOUT`` seconds is an error (the learner gave up)."""
        assets: list[asyncio.Task] = []
        try:
            return await asyncio.wait_for(self._open(pseudonym, assets), PAGE_TIMEOUT)
        except TimeoutError as error:
            raise PageError(f"the app: not usable within {PAGE_TIMEOUT:.0f} s") from error
        finally:
            for task in assets:
                task.cancel()
            await asyncio.gather(*assets, return_exceptions=True)

    async def _open(self, pseudonym: str, assets: list[asyncio.Task]) -> AppPage:
        start = time.perf_counter()
        chunks: list[bytes] = []

        def on_chunk(chunk: bytes) -> None:
            # The browser fetches the scripts as soon as the page's head arrives.
            if not chunks and self.assets:
                assets.extend(asyncio.ensure_future(self.asset(p)) for p in self.assets)
            chunks.append(chunk)

        response = await self.fetch(
            f"/?{urlencode({'pseudo': pseudonym})}", streaming_callback=on_chunk
        )
        html_done = time.perf_counter()
        if response.code != 200:
            raise PageError(f"the app: HTTP {response.code}")
        text = b"".join(chunks).decode("utf-8", "replace")
        if "Traceback" in text or re.search(r'class=\\?"dl-msg dl-msg-error', text):
            raise PageError("the app: the page shows an error")
        match = CONFIG_DATA.search(text)
        if not match:
            raise PageError("the app: no page configuration")
        kernel_id = json.loads(match.group(1))["kernelId"]
        if not assets:
            assets.extend(asyncio.ensure_future(self.asset(p)) for p in _assets_of(text))
        results = await asyncio.gather(*assets, return_exceptions=True)
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            raise PageError(str(failed[0]))
        assets_done = time.perf_counter()
        model = await self.fetch(f"/api/kernels/{kernel_id}?{int(time.time() * 1000)}")
        if model.code != 200:
            raise PageError(f"the app: kernel {kernel_id} answers HTTP {model.code}")
        page = AppPage(self, kernel_id)
        try:
            await page.connect()
        except BaseException:
            page.discard()
            raise
        end = time.perf_counter()
        page.phases = {
            "html": html_done - start,
            "assets": max(0.0, assets_done - html_done),
            "widgets": end - assets_done,
        }
        return page


def _assets_of(html: str) -> list[str]:
    paths = []
    for url in ASSET.findall(html):
        parsed = urlparse(url)
        if not parsed.netloc and parsed.path.startswith("/"):
            paths.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return paths


class AppPage:
    """The app page's kernel connection and its widgets, as Voilà's widget manager and
    ``workbook.js`` hold them."""

    def __init__(self, browser: Browser, kernel_id: str):
        self.browser = browser
        self.kernel_id = kernel_id
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.connection = None
        self.reader: asyncio.Task | None = None
        self.pinger: asyncio.Task | None = None
        self.waiters: dict[str, asyncio.Future] = {}
        self.messages_by_parent: dict[str, list[str]] = {}
        self.control_comm = uuid.uuid4().hex
        self.phases: dict[str, float] = {}
        self.router = ""
        self.route = ""
        self.last_action = 0.0  # seconds of the last action's own message
        self.connected = asyncio.Event()
        self.closing = False
        self.reconnects = 0  # times the server closed the socket and the page opened it again

    # ------------------------------------------------------------------ connection
    async def _open_socket(self) -> None:
        ws = self.browser.base.replace("http://", "ws://")
        request = HTTPRequest(
            f"{ws}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
            headers=self.browser._headers(),
            request_timeout=PAGE_TIMEOUT,
        )
        self.connection = await websocket_connect(request)
        self.connected.set()

    async def connect(self) -> None:
        await self._open_socket()
        self.reader = asyncio.ensure_future(self._read())
        states = await self.request(
            "comm_open",
            {"comm_id": self.control_comm, "target_name": "jupyter.widget.control", "data": {}},
            then=("comm_msg", {"comm_id": self.control_comm, "data": {"method": "request_states"}}),
            until="update_states",
        )
        for model_id, model in states.items():
            self.models.setdefault(model_id, {}).update(model.get("state", {}))
        self.router = next(
            (i for i, s in self.models.items() if "route" in s and "ready" in s and "modules" in s),
            "",
        )
        if not self.router:
            raise PageError("the app: no router widget on the page")
        if "00" not in self.ready:
            raise PageError("the app: module 00 is not ready when the page is")
        # workbook.js: the route follows the address (here "#00"), then a ping every 3 s.
        self.route = self.models[self.router].get("route", "")
        if self.route != "00":
            await self.send_and_wait({"method": "update", "state": {"route": "00"}}, self.router)
            self.route = "00"
        self.pinger = asyncio.ensure_future(self._ping())

    @property
    def ready(self) -> dict:
        return self.models.get(self.router, {}).get("ready") or {}

    def _message(self, msg_type: str, content: dict) -> dict:
        # The widget control comm checks its protocol version in the metadata.
        metadata = {"version": "1.0.0"} if msg_type == "comm_open" else {}
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "username": "learner",
                "session": self.session,
                "msg_type": msg_type,
                "version": "5.3",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            "parent_header": {},
            "metadata": metadata,
            "content": content,
            "channel": "shell",
            "buffers": [],
        }

    async def request(self, msg_type, content, then=None, until="idle") -> dict:
        """Send a message (and a second one); wait for the widget states or the kernel's idle."""
        first = self._message(msg_type, content)
        messages = [first]
        if then:
            messages.append(self._message(*then))
        last = messages[-1]["header"]["msg_id"]
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[f"{until}:{last}"] = waiter
        for message in messages:
            await self._write(message)
        try:
            return await asyncio.wait_for(waiter, ACTION_TIMEOUT)
        except TimeoutError as error:
            raise PageError(f"the app: no answer within {ACTION_TIMEOUT:.0f} s") from error
        finally:
            self.waiters.pop(f"{until}:{last}", None)

    async def send_and_wait(self, data: dict, model_id: str, what: str = "") -> list[str]:
        """Send a widget message; wait until the kernel is idle after it. Return the kinds of the
        messages the page showed meanwhile (``dl-msg-error`` → ``"error"``…)."""
        message = self._message("comm_msg", {"comm_id": model_id, "data": data})
        msg_id = message["header"]["msg_id"]
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[f"idle:{msg_id}"] = waiter
        await self._write(message)
        try:
            await asyncio.wait_for(waiter, ACTION_TIMEOUT)
        except TimeoutError as error:
            raise PageError(
                f"{what or 'the app'}: no answer within {ACTION_TIMEOUT:.0f} s"
            ) from error
        finally:
            self.waiters.pop(f"idle:{msg_id}", None)
        return self.messages_by_parent.pop(msg_id, [])

    async def _ping(self) -> None:
        pinged = 0
        while True:
            await asyncio.sleep(PING_SECONDS)
            pinged += 1
            message = self._message(
                "comm_msg",
                {"comm_id": self.router, "data": {"method": "custom", "content": {"ping": pinged}}},
            )
            try:
                await self._write(message)
            except PageError:  # the page lost its kernel: the learner's next step says so
                return

    async def _write(self, message: dict) -> None:
        """Send a message on the kernel socket, waiting for it to be open again if the server has
        just closed it (the reader opens it again)."""
        for _ in range(5):
            try:
                await asyncio.wait_for(self.connected.wait(), 60)
            except TimeoutError as error:
                raise PageError("the kernel connection closed and did not open again") from error
            try:
                await self.connection.write_message(json.dumps(message))
                return
            except (WebSocketClosedError, StreamClosedError):
                self.connected.clear()
                await asyncio.sleep(0.2)
        raise PageError("the kernel connection keeps closing")

    def _fail_waiters(self, reason: str) -> None:
        for waiter in self.waiters.values():
            if not waiter.done():
                waiter.set_exception(PageError(reason))

    async def _reconnect(self) -> bool:
        """What the page's kernel connection (``@jupyterlab/services``) does when the server closes
        the socket: open it again with the same session, a few times; the server replays the
        messages it kept for the session meanwhile."""
        self.connected.clear()
        self.reconnects += 1
        for attempt in range(7):
            await asyncio.sleep(min(0.5 * 2**attempt, 8.0) if attempt else 0.0)
            try:
                await self._open_socket()
                return True
            except (OSError, HTTPClientError, WebSocketClosedError, StreamClosedError):
                continue
        return False

    async def _read(self) -> None:
        while True:
            frame = await self.connection.read_message()
            if frame is None:
                if self.closing or not await self._reconnect():
                    self._fail_waiters("the kernel connection closed")
                    return
                continue
            message = _decode(frame)
            kind = message.get("msg_type") or message["header"]["msg_type"]
            parent = (message.get("parent_header") or {}).get("msg_id", "")
            content = message.get("content", {})
            if kind in ("comm_open", "comm_msg"):
                data = content.get("data", {})
                state = data.get("state")
                if data.get("method") == "update_states":
                    self._resolve(f"update_states:{parent}", data.get("states", {}))
                elif isinstance(state, dict):
                    self.models.setdefault(content.get("comm_id", ""), {}).update(state)
                    kinds = [
                        kind
                        for value in state.values()
                        if isinstance(value, str) and "dl-msg-" in value
                        for kind in MESSAGE.findall(value)
                    ]
                    self.messages_by_parent.setdefault(parent, []).extend(kinds)
            elif kind == "comm_close":
                self.models.pop(content.get("comm_id", ""), None)
            elif kind == "status" and content.get("execution_state") == "idle":
                self._resolve(f"idle:{parent}", {})

    def _resolve(self, key: str, value) -> None:
        waiter = self.waiters.get(key)
        if waiter and not waiter.done():
            waiter.set_result(value)

    # --------------------------------------------------------------------- modules
    async def switch(self, number: str) -> tuple[float, bool]:
        """Open module ``number`` in place (``location.hash = "#NN"``); return the seconds until
        the kernel has built it (or acknowledged a return visit), and whether it was a first
        visit."""
        first = number not in self.ready
        start = time.perf_counter()
        shown = await self.send_and_wait(
            {"method": "update", "state": {"route": number}, "buffer_paths": []},
            self.router,
            f"#{number}",
        )
        elapsed = time.perf_counter() - start
        self.route = number
        if number not in self.ready or not self.module_root(number):
            raise PageError(f"#{number}: the kernel did not set ready[{number!r}]")
        if "error" in shown:
            raise PageError(f"#{number}: the module shows an error message")
        return elapsed, first

    def module_root(self, number: str) -> str:
        """The model id of module ``number``'s root box of its current build ("" if absent)."""
        build = f"dl-build-{self.ready.get(number, '')}"
        for model_id, state in self.models.items():
            classes = state.get("_dom_classes") or ()
            if f"dl-module-{number}" in classes and build in classes:
                return model_id
        return ""

    def module_widgets(self, number: str) -> list[str]:
        """The model ids of the widgets of module ``number`` (its root's tree), in page order."""
        root = self.module_root(number)
        seen, order, stack = set(), [], [root] if root else []
        while stack:
            model_id = stack.pop()
            if model_id in seen or model_id not in self.models:
                continue
            seen.add(model_id)
            order.append(model_id)
            children = self.models[model_id].get("children") or ()
            stack.extend(
                child.removeprefix("IPY_MODEL_")
                for child in reversed(children)
                if isinstance(child, str)
            )
        return order

    def find(self, step: Step, number: str) -> tuple[str, dict] | None:
        for model_id in self.module_widgets(number):
            state = self.models[model_id]
            labels = state.get("_options_labels") or ()
            if step.kind == "click" and state.get("_model_name") != "ButtonModel":
                continue
            if state.get("description") == step.label or any(step.label in x for x in labels):
                return model_id, state
        return None

    def next_step_button(self, number: str) -> str:
        for model_id in self.module_widgets(number):
            state = self.models[model_id]
            if (
                state.get("_model_name") == "ButtonModel"
                and NEXT_STEP_CLASS in (state.get("_dom_classes") or ())
                and str(state.get("description", "")).startswith(NEXT_STEP_LABEL)
                and not state.get("disabled")
            ):
                return model_id
        return ""

    async def reveal(self, number: str) -> bool:
        """Click « Étape suivante » in module ``number``; False when there is no next step."""
        button = self.next_step_button(number)
        if not button:
            return False
        shown = await self.send_and_wait(
            {"method": "custom", "content": {"event": "click"}}, button, NEXT_STEP_LABEL
        )
        if "error" in shown:
            raise PageError(f"#{number}: « {NEXT_STEP_LABEL} » shows an error message")
        return True

    async def act(
        self,
        step: Step,
        on_reveal: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Send one step's widget message to the module shown and wait until the kernel is idle
        again (revealing the module's next steps until the widget is there); raise if the page
        shows an error, or not the expected message."""
        number = self.route
        found = self.find(step, number)
        for _ in range(MAX_REVEALS):
            if found:
                break
            start = time.perf_counter()
            if not await self.reveal(number):
                break
            if on_reveal is not None:
                await on_reveal(time.perf_counter() - start)
            found = self.find(step, number)
        if not found:
            raise PageError(f"#{number}: no widget « {step.label} », even after every step")
        model_id, state = found
        if step.kind == "click":
            data = {"method": "custom", "content": {"event": "click"}}
        else:
            new_state = {}
            for key, value in (step.state or {}).items():
                if isinstance(value, str) and value.startswith("@"):
                    labels = state.get("_options_labels") or ()
                    value = next(i for i, x in enumerate(labels) if value[1:] in x)
                new_state[key] = value
            data = {"method": "update", "state": new_state, "buffer_paths": []}
            state.update(new_state)
        start = time.perf_counter()
        shown = await self.send_and_wait(data, model_id, f"« {step.label} »")
        self.last_action = time.perf_counter() - start
        if "error" in shown:
            raise PageError(f"« {step.label} »: the page shows an error message")
        if step.expect and not any(kind in shown for kind in step.expect):
            raise PageError(f"« {step.label} »: the page did not confirm")

    def discard(self) -> None:
        """Stop the page's socket and tasks (a page that never became usable)."""
        self.closing = True
        for task in (self.pinger, self.reader):
            if task is not None:
                task.cancel()
        if self.connection is not None:
            self.connection.close()

    async def close(self) -> None:
        """What the page does on ``beforeunload``: the shutdown beacon, then the socket closes."""
        self.closing = True
        if self.pinger is not None:
            self.pinger.cancel()
        token = self.browser.cookies.get("_xsrf", "")
        await self.browser.fetch(
            f"/voila/api/shutdown/{self.kernel_id}",
            method="POST",
            body=urlencode({"_xsrf": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            request_timeout=30,
        )
        if self.connection is not None:
            self.connection.close()
        if self.reader is not None:
            self.reader.cancel()


# ---------------------------------------------------------------------------- a learner
async def learner(
    index: int, server: Server, assets: list[str], args, deadline: float, sampler: Sampler
) -> Result:
    rng = random.Random(args.seed * 1000 + index)
    pseudonym = f"Apprenant {index:02d}"
    result = Result(pseudonym)
    browser = Browser(server.url, assets)

    async def think(low: float, high: float) -> None:
        await asyncio.sleep(max(0.0, min(rng.uniform(low, high), deadline - time.monotonic())))

    async def on_reveal(elapsed: float) -> None:
        result.step_times.append(elapsed)
        await think(*args.think)  # the learner reads the new step

    try:
        await think(0, args.ramp)  # the room does not start in the same second
        start = time.perf_counter()
        page = await browser.open(pseudonym)
        sampler.learner_kernels.add(page.kernel_id)
        sampler.open_pages += 1
        result.page_times.append(time.perf_counter() - start)
        result.phases.append(page.phases)
        try:
            for kind, what in WALK:
                await think(*args.think)
                if kind == "switch":
                    elapsed, first = await page.switch(what)
                    (result.first_switches if first else result.return_switches).append(elapsed)
                    continue
                await page.act(what, on_reveal)
                if what.expect:  # the click alone, not the steps revealed and read before it
                    result.action_times.append(page.last_action)
            await think(*args.think)
        finally:
            sampler.open_pages -= 1
            result.reconnects = page.reconnects
            await page.close()
    except (PageError, HTTPClientError, OSError, WebSocketClosedError, StopIteration) as error:
        result.errors.append(f"{pseudonym}: {type(error).__name__}: {error}")
    except asyncio.CancelledError:
        result.errors.append(f"{pseudonym}: stopped by the time limit")
    finally:
        browser.close()
    return result


def lost_work(workspace_root: Path, results: list[Result]) -> list[str]:
    """Learners whose saved work is not in their workspace."""
    from labkit.learner.course import progress
    from labkit.workspace import EXAMPLE_PROJECT, Workspace

    lost = []
    for result in results:
        if result.errors:
            continue  # already counted as an error
        workspace = Workspace.open(result.learner, workspace_root)
        if workspace.project_id != EXAMPLE_PROJECT:
            lost.append(f"{result.learner}: the running example's project is not the open one")
        if progress(workspace).get(MODULE_05) not in ("in_progress", "done"):
            lost.append(f"{result.learner}: {MODULE_05} not marked as started")
        if workspace.load("training") is None or workspace.read_file("model.skops") is None:
            lost.append(f"{result.learner}: model not saved")
    return lost


# ---------------------------------------------------------------------- calibration
def record_browser(server: Server) -> tuple[list[str], dict[str, float]]:
    """One real Chromium on the idle server: the assets the app page loads, the time until module
    00 is usable, and each switch of the walk in place, until ``[data-dl-module="NN"]`` (no
    action: the modules as a learner who only reads them would see them)."""
    from playwright.sync_api import sync_playwright

    seen: list[str] = []
    usable: dict[str, float] = {}
    local = urlparse(server.url).netloc
    timeout = int(PAGE_TIMEOUT * 1000)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        context.set_default_timeout(timeout)
        page = context.new_page()

        def on_request(request):
            parsed = urlparse(request.url)
            if (
                parsed.netloc == local
                and request.method == "GET"
                and request.resource_type in ("script", "stylesheet", "font", "image")
            ):
                seen.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))

        page.on("request", on_request)
        start = time.perf_counter()
        page.goto(server.app_url("Calibrage"), wait_until="commit", timeout=timeout)
        page.wait_for_selector('[data-dl-module="00"]', state="visible")
        usable["app"] = time.perf_counter() - start
        page.wait_for_load_state("networkidle", timeout=60_000)
        page.remove_listener("request", on_request)
        visited = {"00"}
        for kind, number in WALK:
            if kind != "switch":
                continue
            name = f"back to #{number}" if number in visited else f"#{number}"
            visited.add(number)
            start = time.perf_counter()
            page.evaluate("(n) => { window.location.hash = '#' + n; }", number)
            page.wait_for_selector(f'[data-dl-module="{number}"]', state="visible")
            usable[name] = time.perf_counter() - start
            time.sleep(0.5)
        page.goto("about:blank")
        context.close()
        browser.close()
    return list(dict.fromkeys(seen)), usable


async def protocol_alone(
    server: Server, assets: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """One learner alone walks the app (no think time): the time of the page and of each switch
    and action, and the CPU seconds each costs the server (its kernel, plus the preheated kernel
    started to replace it for the page). CPU time, unlike wall time, hardly depends on what else
    the machine is doing."""
    browser = Browser(server.url, assets)
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    try:
        before = cpu_seconds(server)
        start = time.perf_counter()
        try:
            page = await browser.open("Calibrage protocole")
        except PageError as error:
            print(f"  (calibration: {error})")
            return times, cpu
        times["app"] = time.perf_counter() - start
        await loop.run_in_executor(None, wait_until_quiet, server, 1)
        cpu["app"] = cpu_seconds(server) - before
        try:
            for kind, what in WALK:
                before = cpu_seconds(server)
                if kind == "switch":
                    name = f"#{what}" if what not in page.ready else f"back to #{what}"
                    times[name], _ = await page.switch(what)
                else:
                    name = f"« {what.label} »"
                    reveals = []

                    async def on_reveal(elapsed: float, reveals=reveals) -> None:
                        reveals.append(elapsed)

                    await page.act(what, on_reveal)
                    times[name] = page.last_action
                    if reveals:
                        name += f" (+{len(reveals)} steps)"
                cpu[name] = cpu_seconds(server) - before
        except PageError as error:
            print(f"  (calibration: {error})")
        finally:
            await page.close()
    finally:
        browser.close()
    return times, cpu


# ------------------------------------------------------------------------------ a room
@dataclass
class Room:
    learners: int
    room: int
    page_times: list[float]
    phases: list[dict[str, float]]
    preheated: int
    first_switches: list[float]
    return_switches: list[float]
    action_times: list[float]
    step_times: list[float]
    errors: list[str]
    lost: list[str]
    reconnects: int
    peak_mib: float
    peak_kernel_mib: float
    peak_kernels: int
    left_alive: int
    spare_at_start: int
    spare_at_busiest: int
    spare_at_end: int
    busiest: int
    cpu_seconds: float
    cache: dict
    client_cpu: float  # this script's CPU seconds during the room
    other_cpu: float  # CPU seconds of every other process on the machine during the room
    sampled: float  # seconds over which the CPU seconds were measured
    wall: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def room_size(count: int, args) -> int:
    return args.room if args.room else count


def preheated_at_start(server: Server, room: int, args) -> int:
    """Kernels a fresh server preheats: ``room`` app kernels, plus ``--pool-size`` per module
    notebook opened alone."""
    modules = [n for n in server.notebooks if n != "datalab"]
    return room + args.pool_size * len(modules)


def start_quiet_server(folder: Path, room: int, args) -> Server:
    """A fresh server, once its preheated kernels are all started, its shared cache warmed (a
    room of two or more) and it is quiet."""
    extra_env = {roomcache.ENV: "off"} if args.no_cache else None
    server = start_server(folder, pool_size=args.pool_size, room=room, extra_env=extra_env)
    expected = preheated_at_start(server, room, args)
    # Each preheated kernel imports the libraries: several CPU seconds each on this machine.
    wait_until_quiet(server, expected, timeout=max(300, 15 * expected))
    if room >= 2 and not args.no_cache:
        # the warm-up starts once the kernels are preheated: wait for its report, then the calm
        report = warmup_report(server)
        deadline = time.monotonic() + 300
        while not report.exists() and time.monotonic() < deadline:
            time.sleep(1)
        wait_until_quiet(server, expected, timeout=300)
    return server


def cache_folder(server: Server) -> Path:
    return roomcache.default_folder(server.workspace_root)


def warmup_report(server: Server) -> Path:
    return cache_folder(server) / "warmup.json"


def cache_figures(server: Server) -> dict:
    """What the shared cache did: the learners' kernels' hits and misses (per function), the
    seconds they spent hashing arguments and reading entries, and the warm-up's report."""
    figures = {"hits": {}, "misses": {}, "hash": 0.0, "load": 0.0, "compute": 0.0, "kernels": 0}
    for stats in roomcache.room_stats(cache_folder(server)):
        if stats.get("role") == "warmup":
            continue
        figures["kernels"] += 1
        for kind in ("hits", "misses"):
            for name, count in stats.get(kind, {}).items():
                figures[kind][name] = figures[kind].get(name, 0) + count
        for kind in ("hash", "load", "compute"):
            figures[kind] += stats.get(kind, 0.0)
    try:
        figures["warmup"] = json.loads(warmup_report(server).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        figures["warmup"] = None
    return figures


def calibrate(args, tmp: Path) -> dict:
    """On a server of its own (``--room 1``, so that the rooms start with every kernel preheated):
    one real Chromium, then one simulated learner alone."""
    print("calibrating with one real Chromium and one simulated learner alone…", flush=True)
    server = start_quiet_server(tmp / "calibration", 1, args)
    try:
        load = os.getloadavg()
        assets, browser_usable = record_browser(server) if not args.no_browser else ([], {})
        wait_until_quiet(server, 1)
        proto, cpu = asyncio.run(protocol_alone(server, assets))
    finally:
        stop_server(server)
    return {
        "assets": assets,
        "browser": browser_usable,
        "protocol": proto,
        "cpu": cpu,
        "load": load,
    }


def run_room(count: int, args, tmp: Path, calibration: dict) -> Room:
    room = room_size(count, args)
    server = start_quiet_server(tmp / f"room-{count}", room, args)
    try:
        spare_at_start = len(alive_kernels(server))
        load_before = os.getloadavg()
        preheated_before = server.log().count("Using pre-heated kernel")
        sampler = Sampler(server.process.pid)
        sampler.start()
        start = time.monotonic()
        deadline = start + args.time_limit

        async def room_task() -> list[Result]:
            tasks = [
                asyncio.ensure_future(
                    learner(i + 1, server, calibration["assets"], args, deadline, sampler)
                )
                for i in range(count)
            ]
            done, pending = await asyncio.wait(tasks, timeout=args.time_limit)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for task in tasks:
                if not task.cancelled() and task.exception() is not None:
                    error = task.exception()
                    lost_learners.append(f"learner lost: {type(error).__name__}: {error}")
            return [t.result() for t in tasks if not t.cancelled() and t.exception() is None]

        lost_learners: list[str] = []
        results = asyncio.run(room_task())
        wall = time.monotonic() - start
        time.sleep(args.settle)  # the shutdown beacons are handled
        wait_until_quiet(server, 1, timeout=300)
        cpu = sampler.stop()
        others = max(0.0, sampler.machine - cpu - sampler.client)
        alive = alive_kernels(server)
        left = len(alive & sampler.learner_kernels)
        errors = [e for r in results for e in r.errors]
        errors += lost_learners
        errors += [
            "learner lost (stopped)" for _ in range(count - len(results) - len(lost_learners))
        ]
        return Room(
            learners=count,
            room=room,
            page_times=[t for r in results for t in r.page_times],
            phases=[p for r in results for p in r.phases],
            preheated=server.log().count("Using pre-heated kernel") - preheated_before,
            first_switches=[t for r in results for t in r.first_switches],
            return_switches=[t for r in results for t in r.return_switches],
            action_times=[t for r in results for t in r.action_times],
            step_times=[t for r in results for t in r.step_times],
            errors=errors,
            lost=lost_work(server.workspace_root, results),
            reconnects=sum(r.reconnects for r in results),
            peak_mib=sampler.peak_total,
            peak_kernel_mib=sampler.peak_kernel,
            peak_kernels=sampler.peak_kernels,
            left_alive=left,
            spare_at_start=spare_at_start,
            spare_at_busiest=sampler.spare_at_busiest,
            spare_at_end=len(alive) - left,
            busiest=sampler.busiest,
            cpu_seconds=cpu,
            cache=cache_figures(server),
            client_cpu=sampler.client,
            other_cpu=others,
            sampled=sampler.sampled,
            wall=wall,
            load_before=load_before,
            load_after=os.getloadavg(),
        )
    finally:
        stop_server(server)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_calibration(calibration: dict) -> None:
    protocol = calibration.get("protocol") or {}
    browser = calibration.get("browser") or {}
    if protocol or browser:
        names = list(dict.fromkeys([*protocol, *browser]))
        parts = []
        for name in names:
            chromium = f"{browser[name]:.2f}" if name in browser else "–"
            proto = f"{protocol[name]:.2f}" if name in protocol else "–"
            parts.append(f"{name} {chromium} / {proto}")
        print("One learner alone, seconds (Chromium drawing / protocol): " + ", ".join(parts))
    if calibration.get("cpu"):
        parts = ", ".join(f"{name} {value:.1f}" for name, value in calibration["cpu"].items())
        print(f"CPU seconds used by the server for one learner alone: {parts}")


def print_table(rooms: list[Room], args, calibration: dict) -> None:
    print(
        f"\nRoom load on the workbook app: open / (the running example's project), modules 01→06 "
        f"in place (05: compare and save a model), back to 05 and 00; think time "
        f"{args.think[0]:g}–{args.think[1]:g} s, arrivals over {args.ramp:g} s, "
        f"--room {'N' if not args.room else args.room}, --pool-size {args.pool_size}, "
        f"seed {args.seed}, shared cache {'off' if args.no_cache else 'on'}"
    )
    print_calibration(calibration)
    nan = float("nan")
    times = (
        f"{'N':>3} | {'page p50':>8} {'p95':>5} {'max':>5} | {'switch p50':>10} {'p95':>5} "
        f"{'max':>5} | {'return p95':>10} | {'action p50':>10} {'p95':>5} | {'step p95':>8} | "
        f"{'errors':>6} {'lost':>4} {'reconn.':>7}"
    )
    print("\nTimes (seconds), errors and lost work")
    print(times)
    print("-" * len(times))
    for room in rooms:
        print(
            f"{room.learners:>3} | {median(room.page_times):8.1f} "
            f"{percentile(room.page_times, 95):5.1f} {max(room.page_times or [nan]):5.1f} | "
            f"{median(room.first_switches):10.2f} {percentile(room.first_switches, 95):5.2f} "
            f"{max(room.first_switches or [nan]):5.2f} | "
            f"{percentile(room.return_switches, 95):10.2f} | "
            f"{median(room.action_times):10.2f} {percentile(room.action_times, 95):5.2f} | "
            f"{percentile(room.step_times, 95):8.2f} | "
            f"{len(room.errors):6d} {len(room.lost):4d} {room.reconnects:7d}"
        )
    resources = (
        f"{'N':>3} | {'peak MiB':>8} {'MiB/kernel':>10} | {'kernels':>7} {'k/learner':>9} "
        f"{'spare':>5} {'left':>4} | {'CPU s/learner':>13} | {'wall s':>6} | "
        "load avg before → after"
    )
    print("\nMemory, kernels, CPU")
    print(resources)
    print("-" * len(resources))
    for room in rooms:
        before = " ".join(f"{x:.1f}" for x in room.load_before)
        after = " ".join(f"{x:.1f}" for x in room.load_after)
        print(
            f"{room.learners:>3} | {room.peak_mib:8.0f} {room.peak_kernel_mib:10.0f} | "
            f"{room.peak_kernels:7d} {room.peak_kernels / room.learners:9.2f} "
            f"{room.spare_at_busiest:5d} {room.left_alive:4d} | "
            f"{room.cpu_seconds / room.learners:13.1f} | {room.wall:6.0f} | {before} → {after}"
        )
    print(
        "\npage: seconds from the request to usable widgets with module 00 ready (protocol, no "
        "browser drawing);\nswitch: first visit of a module, from the route message to the kernel "
        "idle with ready[NN] set;\nreturn: a module visited before (the browser shows it at once; "
        "this is the kernel's acknowledgement);\naction: from the click to the page's answer "
        "(« Comparer les modèles », « Enregistrer ce modèle »);\n"
        "step: a « Étape suivante » click;\nreconn.: times the server closed a page's kernel "
        "socket and the page opened it again (as Voilà's kernel connection does), all learners;\n"
        "MiB/kernel: the biggest kernel; memory is RSS of the server and all its kernels;\n"
        "kernels: the most kernels alive at once (ipykernel processes, preheated ones included), "
        "k/learner: that count / N;\nspare: kernels of no learner (preheated) at the moment the "
        "most pages were open;\nleft: learners' kernels (by id) still alive after every learner "
        "closed their page."
    )
    print(
        "Goals: 30 learners, no error, no lost work, page p95 ≤ 10 s, exactly one kernel per "
        "learner plus the preheated spare (k/learner close to 1), no kernel left; one learner "
        "alone: first visit ≤ 1.5 s, return ≤ 0.3 s (benchmarks/pages.py)."
    )
    print(
        "\nWhere the page time goes (p50 / p95 seconds), pages served by a preheated kernel, "
        "kernels of no learner at the start / when the most pages were open / at the end:"
    )
    for room in rooms:
        parts = []
        for phase in ("html", "assets", "widgets"):
            values = [p[phase] for p in room.phases]
            parts.append(f"{phase} {median(values):.1f} / {percentile(values, 95):.1f}")
        print(
            f"  N={room.learners} (--room {room.room}): "
            + ", ".join(parts)
            + f"; preheated {room.preheated} of {len(room.page_times)} pages; spare kernels "
            f"{room.spare_at_start} / {room.spare_at_busiest} (with {room.busiest} pages open) / "
            f"{room.spare_at_end}"
        )
    for room in rooms:
        print(
            f"\nCPU seconds during the room, N={room.learners}: the server and its kernels "
            f"{room.cpu_seconds:.0f}, this script's simulated learners {room.client_cpu:.0f}, "
            f"other processes on the machine {room.other_cpu:.0f} "
            f"({room.other_cpu / max(room.sampled, 1) / (os.cpu_count() or 1):.0%} of the cores "
            f"over the {room.sampled:.0f} s measured)"
        )
    for room in rooms:
        print_cache(room)
    for room in rooms:
        for line in (room.errors + room.lost)[:8]:
            print(f"  N={room.learners}: {line}")


def print_cache(room: Room) -> None:
    """The shared cache's figures for one room (labkit.roomcache)."""
    cache = room.cache
    hits, misses = sum(cache["hits"].values()), sum(cache["misses"].values())
    if not hits + misses and not cache.get("warmup"):
        print(f"\nShared cache, N={room.learners}: not used")
        return
    calls = hits + misses
    print(
        f"\nShared cache, N={room.learners}: {hits} hits, {misses} misses "
        f"({hits / calls:.0%} of {calls} calls, {cache['kernels']} kernels); hashing arguments "
        f"{cache['hash']:.2f} s in all ({1000 * cache['hash'] / max(calls, 1):.1f} ms a call), "
        f"reading entries {cache['load']:.2f} s, computing misses {cache['compute']:.1f} s"
    )
    for name in sorted({*cache["hits"], *cache["misses"]}):
        print(
            f"  {name.removeprefix('labkit.')}: {cache['hits'].get(name, 0)} hits, "
            f"{cache['misses'].get(name, 0)} misses"
        )
    warmup = cache.get("warmup")
    if warmup:
        said = f"error: {warmup['error'].strip().splitlines()[-1]}" if warmup["error"] else "ok"
        print(
            f"  warm-up at start (once per server, before the room): {warmup['seconds']:.1f} s, "
            f"{warmup['cpu_seconds']:.1f} CPU s, {said}; CPU s per learner with it counted: "
            f"{(room.cpu_seconds + warmup['cpu_seconds']) / room.learners:.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[5, 15, 30])
    parser.add_argument(
        "--room", type=int, default=0, help="app kernels preheated (default: as many as learners)"
    )
    parser.add_argument(
        "--pool-size", type=int, default=0, help="preheated kernels per module notebook alone"
    )
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    parser.add_argument("--ramp", type=float, default=30.0, help="arrivals spread over S seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per room size")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the last learner")
    parser.add_argument(
        "--no-browser", action="store_true", help="no Chromium calibration (assets from the HTML)"
    )
    parser.add_argument(
        "--calibrate-only", action="store_true", help="one learner alone: times and CPU seconds"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="servers without their shared cache (the before)"
    )
    parser.add_argument(
        "--record",
        type=Path,
        help="also keep each room's figures in this JSON record (by room size), which the "
        "facilitator guide's sizing is computed from (facilitator-guide/mesures-salle.json)",
    )
    args = parser.parse_args()
    # Stopped from outside: still stop the server (the finally clauses run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if any(n < 1 or n > MAX_LEARNERS for n in args.learners):
        parser.error(f"--learners: between 1 and {MAX_LEARNERS}")
    if args.room < 0 or args.room > MAX_LEARNERS or args.pool_size < 0 or args.pool_size > 3:
        parser.error(f"--room: 0 to {MAX_LEARNERS}; --pool-size: 0 to 3")
    AsyncHTTPClient.configure(SimpleAsyncHTTPClient)
    tmp = Path(tempfile.mkdtemp(prefix="datalab-load-"))
    calibration = calibrate(args, tmp)
    if args.calibrate_only:
        print_table([], args, calibration)
        print(f"load average at the start: {' '.join(f'{x:.1f}' for x in calibration['load'])}")
        return 0
    rooms = []
    for count in args.learners:
        print(f"{count} learners (--room {room_size(count, args)})…", flush=True)
        rooms.append(run_room(count, args, tmp, calibration))
    print_table(rooms, args, calibration)
    if args.record:
        record_rooms(args.record, rooms, args)
    return 0


def record_rooms(path: Path, rooms: list[Room], args) -> None:
    """Keep each room's figures in the JSON record ``path`` (one entry per room size, replaced
    by a new measure of the same size): what the guide's sizing is computed from."""
    record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"rooms": []}
    kept = {entry["learners"]: entry for entry in record.get("rooms", [])}
    for room in rooms:
        kept[room.learners] = {
            "learners": room.learners,
            "page_p95": round(percentile(room.page_times, 95), 2),
            "switch_p95": round(percentile(room.first_switches, 95), 2),
            "switch_max": round(max(room.first_switches or [0.0]), 2),
            "action_p95": round(percentile(room.action_times, 95), 2),
            "errors": len(room.errors),
            "lost": len(room.lost),
            "peak_mib": round(room.peak_mib),
            "kernels": room.peak_kernels,
            "cpu_per_learner": round(room.cpu_seconds / room.learners, 2),
            "shared_cache": not args.no_cache,
            "seed": args.seed,
            "measured": time.strftime("%Y-%m-%d"),
        }
    memory = psutil.virtual_memory().total / 1024**3
    record["machine"] = f"{os.cpu_count()} processeurs et {memory:.0f} Go"
    record["rooms"] = [kept[n] for n in sorted(kept)]
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"figures kept in {path}")


if __name__ == "__main__":
    sys.exit(main())
