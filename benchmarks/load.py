"""A room of learners on one Datalab server: N simulated learners at once, measured.

Each learner opens the home page under their own pseudonym, chooses the running example and saves
it ("Enregistrer ce choix"), opens module 05 and does its main action ("Comparer les modèles": every
model cross-validated on the running example, then "Enregistrer ce modèle"), with a random think
time (seeded) before each click, and closes each page as a browser does. The script prints one
table row per room size::

    .venv/bin/python benchmarks/load.py --learners 5 15 30

Columns: time to a usable page (p50, p95, max, in seconds), action latency (p50, p95: from a
click to the kernel's answer, for each of the three timed clicks), errors,
work lost, peak memory of the server and its kernels (RSS, MiB), peak kernels, kernels alive at the
end (after every learner closed their pages, beyond the preheated pool), CPU seconds used by the
server and its kernels per learner, and the load average of the machine before and after.

Why the Voilà protocol, not N browsers. This machine has 2 cores shared with other work. Thirty
headless Chromium instances on it would spend most of the CPU rendering ~10 MB of JavaScript each,
so the figures would measure the browsers, not the server; in a room, each learner's browser runs on
their own computer. So each simulated learner speaks to the server exactly as Voilà's page does:

1. GET the page (the notebook runs in its kernel; the HTML arrives when every cell has run);
2. GET every script, stylesheet and font a real Chromium loaded for that page (recorded once, at
   the start, by one real Chromium on the idle server; later pages send conditional requests, as a
   browser with a cache does), then ``GET /api/kernels/<id>``;
3. open the kernel websocket, open the ``jupyter.widget.control`` comm and request the widget
   states: the page is *usable* when they have arrived (the widgets can be drawn and clicked);
4. an action sends the widget messages the browser would send (``update`` of a value, ``custom``
   click event) and ends when the kernel is idle again; it succeeds if the page showed the expected
   message (``dl-msg-success`` / ``dl-msg-info``), fails on ``dl-msg-error`` or no message;
5. closing the page sends the ``beforeunload`` beacon (``POST /voila/api/shutdown/<id>`` with the
   ``_xsrf`` cookie and field), as Voilà's page does.

The one real Chromium also measures what the browser adds on top of the protocol on an idle server
(parsing and drawing the page): the table shows it beside the measured times, so the time a learner
would see is about "page p95 + browser". Work lost is checked afterwards in each learner's
workspace (project saved, module marked as started, model saved for module 05).

Bounded: at most 60 learners, every request has a timeout, each room has a time limit
(``--time-limit``), and everything goes to a server on 127.0.0.1 started by
:mod:`labkit.devserver` (a fresh server and workspace for each room size).
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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.simple_httpclient import SimpleAsyncHTTPClient
from tornado.websocket import websocket_connect

from labkit import devserver
from labkit.devserver import Server, cpu_seconds, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
HOME = "00_accueil"
MIB = 2**20
MAX_LEARNERS = 60
PAGE_TIMEOUT = 300.0  # a learner who waited this long for a page has given up: an error
ACTION_TIMEOUT = 300.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # the same as tests/conftest.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USABLE = ".dl-page button:not([disabled]), .dl-page input"
CONFIG_DATA = re.compile(
    r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S
)
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')


# ------------------------------------------------------------------------------ actions
@dataclass(frozen=True)
class Step:
    """One widget message: ``click`` a button, or ``set`` a widget's state.

    The widget is found by its ``description`` or, for a choice, by one of its option labels. A
    step with ``expect`` is a timed action: it must make the page show a message of one of those
    kinds (``dl-msg-success``, ``dl-msg-info``…), and never an error message."""

    kind: str  # "click" | "set"
    label: str
    state: dict | None = None  # for "set"; {"index": "@label"} picks the option containing label
    expect: tuple[str, ...] = ()


ACTIONS: dict[str, tuple[Step, ...]] = {
    # Choose the running example and save the choice.
    HOME: (
        Step("set", "fil rouge", {"index": "@fil rouge"}),
        Step("click", "Enregistrer ce choix", expect=("success",)),
    ),
    # Draw new points: the toy models are fitted again at every complexity level.
    "01_introduction": (Step("click", "Tirer de nouveaux points", expect=("info",)),),
    # Compare every model on the same folds (a warning says none beats the naive baseline), then
    # save the best one with its recipe.
    "05_modele": (
        Step("click", "Comparer les modèles", expect=("success", "warning")),
        Step("click", "Enregistrer ce modèle", expect=("success",)),
    ),
}


def default_module() -> str:
    """Module 05 (train and compare models) once its page exists, module 01 until then."""
    for candidate in ("05_modele", "01_introduction"):
        if (ROOT / "notebooks" / f"{candidate}.ipynb").exists():
            return candidate
    raise SystemExit("no module page with a known action in notebooks/")


# ------------------------------------------------------------------------ measurements
@dataclass
class Result:
    learner: str
    page_times: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)
    action_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Sampler(threading.Thread):
    """Samples the memory, kernel count and CPU time of the server and its kernels every second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.stop_event = threading.Event()
        self.peak_total = 0.0
        self.peak_kernel = 0.0
        self.peak_kernels = 0
        self.cpu: dict[int, float] = {}
        self.cpu_start: dict[int, float] = {}

    def snapshot(self) -> tuple[float, float, int, dict[int, float]]:
        processes = [self.root]
        try:
            processes += self.root.children(recursive=True)
        except psutil.Error:
            pass
        total, biggest, kernels, cpu = 0.0, 0.0, 0, {}
        for process in processes:
            try:
                with process.oneshot():
                    rss = process.memory_info().rss / MIB
                    times = process.cpu_times()
                    is_kernel = any("ipykernel" in part for part in process.cmdline())
            except psutil.Error:
                continue
            total += rss
            cpu[process.pid] = times.user + times.system
            if is_kernel:
                kernels += 1
                biggest = max(biggest, rss)
        return total, biggest, kernels, cpu

    def run(self) -> None:
        _, _, _, self.cpu_start = self.snapshot()
        while not self.stop_event.is_set():
            total, biggest, kernels, cpu = self.snapshot()
            self.peak_total = max(self.peak_total, total)
            self.peak_kernel = max(self.peak_kernel, biggest)
            self.peak_kernels = max(self.peak_kernels, kernels)
            self.cpu.update(cpu)
            self.stop_event.wait(1.0)

    def stop(self) -> float:
        """Stop sampling; return the CPU seconds used since the start."""
        self.stop_event.set()
        self.join(timeout=10)
        return sum(value - self.cpu_start.get(pid, 0.0) for pid, value in self.cpu.items())


def kernel_pids(server: Server) -> list[int]:
    try:
        return [p.pid for p in server.kernel_processes() if p.is_running()]
    except psutil.Error:
        return []


def wait_until_quiet(server: Server, expected_kernels: int, timeout: float = 300) -> None:
    """:func:`labkit.devserver.wait_until_quiet`, saying when the server never became quiet."""
    if devserver.wait_until_quiet(server, expected_kernels, timeout) >= timeout:
        print(f"  (the server was not quiet after {timeout:.0f} s; going on anyway)")


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

    def __init__(self, base: str, assets: dict[str, list[str]]):
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

    async def open(self, notebook: str, pseudonym: str) -> Page:
        """Open a page as Chromium does; ``page.phases`` says where the time went. A page not
        usable within ``PAGE_TIMEOUT`` seconds is an error (the learner gave up)."""
        assets: list[asyncio.Task] = []
        try:
            return await asyncio.wait_for(self._open(notebook, pseudonym, assets), PAGE_TIMEOUT)
        except TimeoutError as error:
            raise PageError(f"{notebook}: not usable within {PAGE_TIMEOUT:.0f} s") from error
        finally:
            for task in assets:
                task.cancel()
            await asyncio.gather(*assets, return_exceptions=True)

    async def _open(self, notebook: str, pseudonym: str, assets: list[asyncio.Task]) -> Page:
        start = time.perf_counter()
        query = urlencode({"pseudo": pseudonym})
        chunks: list[bytes] = []

        def on_chunk(chunk: bytes) -> None:
            # The browser fetches the scripts as soon as the page's head arrives.
            if not chunks and self.assets.get(notebook):
                assets.extend(asyncio.ensure_future(self.asset(p)) for p in self.assets[notebook])
            chunks.append(chunk)

        response = await self.fetch(
            f"/voila/render/{notebook}.ipynb?{query}", streaming_callback=on_chunk
        )
        html_done = time.perf_counter()
        if response.code != 200:
            raise PageError(f"{notebook}: HTTP {response.code}")
        text = b"".join(chunks).decode("utf-8", "replace")
        if "Traceback" in text or "dl-msg-error" in text:
            raise PageError(f"{notebook}: the page shows an error")
        match = CONFIG_DATA.search(text)
        if not match:
            raise PageError(f"{notebook}: no page configuration")
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
            raise PageError(f"{notebook}: kernel {kernel_id} answers HTTP {model.code}")
        page = Page(self, notebook, kernel_id)
        await page.connect()
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


class Page:
    """A page's kernel connection and its widgets, as Voilà's widget manager holds them."""

    def __init__(self, browser: Browser, notebook: str, kernel_id: str):
        self.browser = browser
        self.notebook = notebook
        self.kernel_id = kernel_id
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.connection = None
        self.reader: asyncio.Task | None = None
        self.waiters: dict[str, asyncio.Future] = {}
        self.messages_by_parent: dict[str, list[str]] = {}
        self.control_comm = uuid.uuid4().hex
        self.phases: dict[str, float] = {}

    async def connect(self) -> None:
        ws = self.browser.base.replace("http://", "ws://")
        request = HTTPRequest(
            f"{ws}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
            headers=self.browser._headers(),
            request_timeout=PAGE_TIMEOUT,
        )
        self.connection = await websocket_connect(request)
        self.reader = asyncio.ensure_future(self._read())
        states = await self.request(
            "comm_open",
            {"comm_id": self.control_comm, "target_name": "jupyter.widget.control", "data": {}},
            then=("comm_msg", {"comm_id": self.control_comm, "data": {"method": "request_states"}}),
            until="update_states",
        )
        for model_id, model in states.items():
            self.models[model_id] = model.get("state", {})
        if not self.models:
            raise PageError(f"{self.notebook}: no widget on the page")

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
            await self.connection.write_message(json.dumps(message))
        try:
            return await asyncio.wait_for(waiter, ACTION_TIMEOUT)
        except TimeoutError as error:
            raise PageError(f"{self.notebook}: no answer within {ACTION_TIMEOUT:.0f} s") from error
        finally:
            self.waiters.pop(f"{until}:{last}", None)

    async def _read(self) -> None:
        while True:
            frame = await self.connection.read_message()
            if frame is None:
                for waiter in self.waiters.values():
                    if not waiter.done():
                        waiter.set_exception(PageError("the kernel connection closed"))
                return
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
                    self.models.setdefault(content["comm_id"], {}).update(state)
                    texts = [v for v in state.values() if isinstance(v, str) and "dl-msg-" in v]
                    self.messages_by_parent.setdefault(parent, []).extend(texts)
            elif kind == "status" and content.get("execution_state") == "idle":
                self._resolve(f"idle:{parent}", {})

    def _resolve(self, key: str, value) -> None:
        waiter = self.waiters.get(key)
        if waiter and not waiter.done():
            waiter.set_result(value)

    def find(self, step: Step) -> tuple[str, dict]:
        for model_id, state in self.models.items():
            labels = state.get("_options_labels") or ()
            if step.kind == "click" and state.get("_model_name") != "ButtonModel":
                continue
            if state.get("description") == step.label or any(step.label in x for x in labels):
                return model_id, state
        raise PageError(f"{self.notebook}: no widget « {step.label} »")

    async def act(self, step: Step) -> None:
        """Send one step's widget message and wait until the kernel is idle again; raise if the
        page shows an error, or not the expected message."""
        model_id, state = self.find(step)
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
        message = self._message("comm_msg", {"comm_id": model_id, "data": data})
        msg_id = message["header"]["msg_id"]
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[f"idle:{msg_id}"] = waiter
        await self.connection.write_message(json.dumps(message))
        try:
            await asyncio.wait_for(waiter, ACTION_TIMEOUT)
        except TimeoutError as error:
            raise PageError(f"« {step.label} »: no answer within {ACTION_TIMEOUT:.0f} s") from error
        finally:
            self.waiters.pop(f"idle:{msg_id}", None)
        shown = self.messages_by_parent.pop(msg_id, [])
        if any("dl-msg-error" in text for text in shown):
            raise PageError(f"« {step.label} »: the page shows an error message")
        if step.expect and not any(f"dl-msg-{kind}" in t for kind in step.expect for t in shown):
            raise PageError(f"« {step.label} »: the page did not confirm")

    async def close(self) -> None:
        """What the page does on ``beforeunload``: the shutdown beacon, then the socket closes."""
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
async def learner(index: int, server: Server, module: str, assets, args, deadline: float) -> Result:
    rng = random.Random(args.seed * 1000 + index)
    pseudonym = f"Apprenant {index:02d}"
    result = Result(pseudonym)
    browser = Browser(server.url, assets)

    async def think(low: float, high: float) -> None:
        await asyncio.sleep(max(0.0, min(rng.uniform(low, high), deadline - time.monotonic())))

    try:
        await think(0, args.ramp)  # the room does not start in the same second
        for notebook in (HOME, module):
            start = time.perf_counter()
            page = await browser.open(notebook, pseudonym)
            result.page_times.append(time.perf_counter() - start)
            result.phases.append(page.phases)
            try:
                for step in ACTIONS[notebook]:
                    await think(*args.think)
                    start = time.perf_counter()
                    await page.act(step)
                    if step.expect:
                        result.action_times.append(time.perf_counter() - start)
                await think(*args.think)
            finally:
                await page.close()
    except (PageError, HTTPClientError, OSError, StopIteration) as error:
        result.errors.append(f"{pseudonym}: {error}")
    except asyncio.CancelledError:
        result.errors.append(f"{pseudonym}: stopped by the time limit")
    finally:
        browser.close()
    return result


def lost_work(workspace_root: Path, results: list[Result], module: str) -> list[str]:
    """Learners whose saved work is not in their workspace."""
    from labkit.modules import progress
    from labkit.project import load_project
    from labkit.workspace import Workspace

    lost = []
    for result in results:
        if result.errors:
            continue  # already counted as an error
        workspace = Workspace.open(result.learner, workspace_root)
        project = load_project(workspace)
        if project is None or not project.is_running_example:
            lost.append(f"{result.learner}: project not saved")
        if progress(workspace).get(module) not in ("in_progress", "done"):
            lost.append(f"{result.learner}: {module} not marked as started")
        if module == "05_modele" and (
            workspace.load("training") is None or workspace.read_file("model.skops") is None
        ):
            lost.append(f"{result.learner}: model not saved")
    return lost


# ---------------------------------------------------------------------- calibration
def record_browser(server: Server, module: str) -> tuple[dict[str, list[str]], dict[str, float]]:
    """One real Chromium on the idle server: the assets each page loads, and its usable time."""
    from playwright.sync_api import sync_playwright

    assets: dict[str, list[str]] = {}
    usable: dict[str, float] = {}
    local = urlparse(server.url).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        for notebook in (HOME, module):
            seen: list[str] = []

            def on_request(request, seen=seen):
                parsed = urlparse(request.url)
                if (
                    parsed.netloc == local
                    and request.method == "GET"
                    and request.resource_type in ("script", "stylesheet", "font", "image")
                ):
                    seen.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))

            page.on("request", on_request)
            start = time.perf_counter()
            page.goto(server.page_url(notebook, "Calibrage"), wait_until="commit")
            page.wait_for_selector(USABLE, state="visible", timeout=int(PAGE_TIMEOUT * 1000))
            usable[notebook] = time.perf_counter() - start
            page.wait_for_load_state("networkidle", timeout=60_000)
            page.remove_listener("request", on_request)
            assets[notebook] = list(dict.fromkeys(seen))
        page.goto("about:blank")
        context.close()
        browser.close()
    return assets, usable


async def protocol_usable(
    server: Server, module: str, assets, pool: int
) -> tuple[dict[str, float], dict[str, float]]:
    """One learner alone: the usable time of each page, and the CPU seconds each page and each
    timed click costs the server (its kernel, plus the preheated kernel started to replace it).
    CPU time, unlike wall time, hardly depends on what else the machine is doing."""
    browser = Browser(server.url, assets)
    usable: dict[str, float] = {}
    cpu: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    try:
        for notebook in (HOME, module):
            before = cpu_seconds(server)
            start = time.perf_counter()
            try:
                page = await browser.open(notebook, "Calibrage protocole")
            except PageError as error:
                print(f"  (calibration: {error})")
                continue
            usable[notebook] = time.perf_counter() - start
            await loop.run_in_executor(None, wait_until_quiet, server, pool + 1)
            cpu[f"open {notebook}"] = cpu_seconds(server) - before
            for step in ACTIONS[notebook]:
                before = cpu_seconds(server)
                await page.act(step)
                if step.expect:
                    cpu[f"« {step.label} »"] = cpu_seconds(server) - before
            await page.close()
    finally:
        browser.close()
    return usable, cpu


# ------------------------------------------------------------------------------ a room
@dataclass
class Room:
    learners: int
    page_times: list[float]
    phases: list[dict[str, float]]
    preheated: int
    action_times: list[float]
    errors: list[str]
    lost: list[str]
    peak_mib: float
    peak_kernel_mib: float
    peak_kernels: int
    left_alive: int
    pool: int
    cpu_seconds: float
    wall: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def run_room(count: int, module: str, args, tmp: Path, calibration: dict) -> Room:
    server = start_server(tmp / f"room-{count}", pool_size=args.pool_size)
    try:
        pool = len(server.notebooks) * args.pool_size
        wait_until_quiet(server, pool)
        if not calibration:
            print("  calibrating with one real Chromium…", flush=True)
            assets, browser_usable = (
                record_browser(server, module) if not args.no_browser else ({}, {})
            )
            wait_until_quiet(server, pool)
            proto, cpu = asyncio.run(protocol_usable(server, module, assets, pool))
            calibration.update(assets=assets, browser=browser_usable, protocol=proto, cpu=cpu)
            wait_until_quiet(server, pool)
        load_before = os.getloadavg()
        preheated_before = server.log().count("Using pre-heated kernel")
        sampler = Sampler(server.process.pid)
        sampler.start()
        start = time.monotonic()
        deadline = start + args.time_limit

        async def room() -> list[Result]:
            tasks = [
                asyncio.ensure_future(
                    learner(i + 1, server, module, calibration["assets"], args, deadline)
                )
                for i in range(count)
            ]
            done, pending = await asyncio.wait(tasks, timeout=args.time_limit)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            return [t.result() for t in tasks if not t.cancelled() and t.exception() is None]

        results = asyncio.run(room())
        wall = time.monotonic() - start
        time.sleep(args.settle)  # the shutdown beacons are handled, the pool refills
        wait_until_quiet(server, pool, timeout=120)
        cpu = sampler.stop()
        left = len(kernel_pids(server)) - pool
        errors = [e for r in results for e in r.errors]
        errors += ["learner lost (task failed)" for _ in range(count - len(results))]
        return Room(
            learners=count,
            page_times=[t for r in results for t in r.page_times],
            phases=[p for r in results for p in r.phases],
            preheated=server.log().count("Using pre-heated kernel") - preheated_before,
            action_times=[t for r in results for t in r.action_times],
            errors=errors,
            lost=lost_work(server.workspace_root, results, module),
            peak_mib=sampler.peak_total,
            peak_kernel_mib=sampler.peak_kernel,
            peak_kernels=sampler.peak_kernels,
            left_alive=left,
            pool=pool,
            cpu_seconds=cpu,
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


def print_table(rooms: list[Room], module: str, args, calibration: dict) -> None:
    print(
        f"\nRoom load: home page + {module}, think time {args.think[0]:g}–{args.think[1]:g} s, "
        f"arrivals over {args.ramp:g} s, pool {args.pool_size} per page, seed {args.seed}"
    )
    if calibration.get("browser"):
        extra = {
            nb: calibration["browser"][nb] - calibration["protocol"].get(nb, 0.0)
            for nb in calibration["browser"]
        }
        parts = ", ".join(
            f"{nb}: Chromium {calibration['browser'][nb]:.1f} s vs protocol "
            f"{calibration['protocol'].get(nb, float('nan')):.1f} s (browser adds {extra[nb]:+.1f} s)"
            for nb in calibration["browser"]
        )
        print(f"One learner alone, page usable after: {parts}")
    if calibration.get("cpu"):
        parts = ", ".join(f"{name} {value:.1f}" for name, value in calibration["cpu"].items())
        print(f"CPU seconds used by the server for one learner: {parts}")
    header = (
        f"{'N':>3} | {'page p50':>8} {'p95':>6} {'max':>6} | {'action p50':>10} {'p95':>6} | "
        f"{'errors':>6} {'lost':>4} | {'peak MiB':>8} {'MiB/kernel':>10} {'kernels':>7} | "
        f"{'left':>4} | {'CPU s/learner':>13} | {'wall s':>6} | load avg before → after"
    )
    print(header)
    print("-" * len(header))
    for room in rooms:
        before = " ".join(f"{x:.1f}" for x in room.load_before)
        after = " ".join(f"{x:.1f}" for x in room.load_after)
        print(
            f"{room.learners:>3} | {statistics.median(room.page_times or [float('nan')]):8.1f} "
            f"{percentile(room.page_times, 95):6.1f} {max(room.page_times or [float('nan')]):6.1f} | "
            f"{statistics.median(room.action_times or [float('nan')]):10.2f} "
            f"{percentile(room.action_times, 95):6.2f} | "
            f"{len(room.errors):6d} {len(room.lost):4d} | {room.peak_mib:8.0f} "
            f"{room.peak_kernel_mib:10.0f} {room.peak_kernels:7d} | {room.left_alive:4d} | "
            f"{room.cpu_seconds / room.learners:13.1f} | {room.wall:6.0f} | {before} → {after}"
        )
    print(
        "\npage: seconds from the request to usable widgets (protocol, no browser drawing); "
        "action: seconds from the click to the page's answer;\nleft: kernels still alive after "
        "every learner closed their pages, beyond the preheated pool; memory is RSS of the server "
        "and all its kernels."
    )
    print("Goals: 30 learners, no error, no lost work, page p95 ≤ 10 s, no kernel left.")
    print("\nWhere the page time goes (p50 / p95 seconds), and pages served by a preheated kernel:")
    for room in rooms:
        parts = []
        for phase in ("html", "assets", "widgets"):
            values = [p[phase] for p in room.phases]
            parts.append(
                f"{phase} {statistics.median(values or [float('nan')]):.1f} / "
                f"{percentile(values, 95):.1f}"
            )
        print(
            f"  N={room.learners}: " + ", ".join(parts) + f"; preheated {room.preheated} of "
            f"{len(room.page_times)} pages"
        )
    for room in rooms:
        for line in (room.errors + room.lost)[:8]:
            print(f"  N={room.learners}: {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[5, 15, 30])
    parser.add_argument("--module", default=None, help="module page (default: 05, else 01)")
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"))
    parser.add_argument("--ramp", type=float, default=30.0, help="arrivals spread over S seconds")
    parser.add_argument("--pool-size", type=int, default=1, help="preheated kernels per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per room size")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the last learner")
    parser.add_argument(
        "--no-browser", action="store_true", help="no Chromium calibration (assets from the HTML)"
    )
    parser.add_argument(
        "--calibrate-only", action="store_true", help="one learner alone: times and CPU seconds"
    )
    args = parser.parse_args()
    # Stopped from outside: still stop the server (the finally clauses run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if any(n < 1 or n > MAX_LEARNERS for n in args.learners):
        parser.error(f"--learners: between 1 and {MAX_LEARNERS}")
    module = args.module or default_module()
    if module not in ACTIONS:
        parser.error(f"--module: no action known for {module} (known: {', '.join(ACTIONS)})")
    AsyncHTTPClient.configure(SimpleAsyncHTTPClient)
    tmp = Path(tempfile.mkdtemp(prefix="datalab-load-"))
    calibration: dict = {}
    rooms = []
    if args.calibrate_only:
        server = start_server(tmp / "calibration", pool_size=args.pool_size)
        try:
            pool = len(server.notebooks) * args.pool_size
            wait_until_quiet(server, pool)
            load = os.getloadavg()
            assets, browser_usable = (
                record_browser(server, module) if not args.no_browser else ({}, {})
            )
            wait_until_quiet(server, pool)
            proto, cpu = asyncio.run(protocol_usable(server, module, assets, pool))
            calibration.update(assets=assets, browser=browser_usable, protocol=proto, cpu=cpu)
        finally:
            stop_server(server)
        print_table([], module, args, calibration)
        print(f"load average at the start: {' '.join(f'{x:.1f}' for x in load)}")
        return 0
    for count in args.learners:
        print(f"{count} learners…", flush=True)
        rooms.append(run_room(count, module, args, tmp, calibration))
    print_table(rooms, module, args, calibration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
