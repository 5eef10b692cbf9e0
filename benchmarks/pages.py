"""Page speed and memory of the workbook app, in Chromium, next to a plain Voilà page importing the
same libraries.

One learner (a new pseudonym for each run) opens the app at ``/?pseudo=P`` on a server whose
preheated pool is full and quiet (:func:`labkit.serve.devserver.wait_until_quiet`), and the script times:

- the first load of ``/``: from the navigation until module 00 is usable
  (``[data-dl-module="00"]``);
- the first visit of each module 01…06, in place, after :data:`READ_HOME` seconds on the home
  page: ``location.hash = "#NN"``, until
  ``[data-dl-module="NN"]`` (the kernel builds the module and the browser draws it);
- then the return visit of each module 00…06 (the same measure, the module is already built).

After the walk (page still open, server quiet again: the preheated pool refilled) it counts the
server's kernels and measures the learner's kernel memory (RSS of the kernel whose id the page's
``#jupyter-config-data`` names); after the page is closed, it checks that this kernel ended. How
kernels are counted: the ``ipykernel`` processes under the server; the preheated pool is counted on
the quiet server just before the learner arrives (``--room`` app kernels, plus one kernel per module
notebook with ``--pages``); kernels of the learner = kernels after the walk − that pool (exactly 1
expected: the seven modules open in the app's kernel).

The plain page (``voila plain.ipynb``: ipywidgets, pandas, scikit-learn and plotly imported, one
button) starts its kernel on request, as Voilà does without preheating; it is timed until its button
is visible.

``--pages`` also times each module notebook opened alone (``/voila/render/NN_….ipynb``, one
preheated kernel each) until its first usable widget, as before the app.

Run: ``.venv/bin/python benchmarks/pages.py [--runs N] [--pages]``. Goals: return visit ≤ 0.3 s,
first visit ≤ 1.5 s per module, first load of ``/`` no slower than the plain Voilà page, exactly one
kernel per learner, ≤ 450 MiB per learner after all modules.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

from labkit.serve.devserver import Server, free_port, start_server, stop_server, wait_until_quiet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support import kernel_id_of, launch_chromium  # noqa: E402 - tests/ is on the path just above

USABLE = (
    ".jupyter-widgets button:not([disabled]), .jupyter-widgets input, .dl-form input, .plain-ready"
)
MODULES = ["00", "01", "02", "03", "04", "05", "06"]
# seconds on the home page before module 01 (the page loads the chart library meanwhile, from its
# first ping at 3 s: labkit.ui.workbook._charts_ahead); 0.5 s before 2026-12-06
READ_HOME = 5.0
TIMEOUT_MS = 180_000
MIB = 2**20
APP_NOTEBOOK = "datalab"

# goals
RETURN_GOAL = 0.3
FIRST_VISIT_GOAL = 1.5
MIB_GOAL = 450


def kernel_rss(server_pid: int, kernel_id: str) -> float | None:
    for process in psutil.Process(server_pid).children(recursive=True):
        try:
            if any(kernel_id in part for part in process.cmdline()):
                return process.memory_info().rss / MIB
        except psutil.Error:
            continue
    return None


def kernel_count(server_pid: int) -> int:
    count = 0
    for process in psutil.Process(server_pid).children(recursive=True):
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                count += 1
        except psutil.Error:
            continue
    return count


def quiet(server: Server, kernels: int) -> None:
    if wait_until_quiet(server, kernels, timeout=300) >= 300:
        print("  (the server was not quiet after 300 s; going on anyway)", file=sys.stderr)


# --------------------------------------------------------------------------- the app
def kernel_alive(server_pid: int, kernel_id: str) -> bool:
    return kernel_rss(server_pid, kernel_id) is not None


def walk_app(browser, server: Server, pseudonym: str, settle: float) -> dict:
    """One learner: first load of ``/``, first visit of 01…06, return visit of 00…06; then the
    kernels and the learner's kernel memory, and the kernels left once the page is closed."""
    result: dict = {"first": {}, "return": {}, "pool": kernel_count(server.process.pid)}
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    closed: list[float] = []  # the kernel socket closed while the page was open

    def on_websocket(socket) -> None:
        if "/channels" in socket.url:
            socket.on("close", lambda _: closed.append(time.perf_counter()))

    page.on("websocket", on_websocket)
    try:
        start = time.perf_counter()
        page.goto(server.app_url(pseudonym), wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_selector('[data-dl-module="00"]', state="visible")
        result["load"] = time.perf_counter() - start
        kernel_id = kernel_id_of(page)
        time.sleep(READ_HOME)  # the learner reads the home page; the chart library loads

        def visit(number: str) -> float:
            start = time.perf_counter()
            page.evaluate("(n) => { window.location.hash = '#' + n; }", number)
            page.wait_for_selector(f'[data-dl-module="{number}"]', state="visible")
            elapsed = time.perf_counter() - start
            time.sleep(0.5)  # a learner reads; what the kernel still sends arrives
            return elapsed

        for number in MODULES[1:]:
            result["first"][number] = visit(number)
        for number in MODULES:
            result["return"][number] = visit(number)
        errors = page.locator(".dl-msg-error").count()
        result["errors"] = errors
        time.sleep(settle)
        quiet(server, 1)
        result["kernels"] = kernel_count(server.process.pid)
        result["rss"] = kernel_rss(server.process.pid, kernel_id)
        result["socket_closed"] = len(closed)
        result["page_seconds"] = time.perf_counter() - start
        page.goto("about:blank")  # Voilà's beacon shuts the kernel down
    finally:
        context.close()
    time.sleep(settle)
    quiet(server, 1)
    result["after_close"] = kernel_count(server.process.pid)
    result["still_alive"] = kernel_alive(server.process.pid, kernel_id)
    return result


# ------------------------------------------------------------- pages opened alone
def measure_page(
    browser, url: str, server_pid: int, settle: float, server: Server | None = None
) -> tuple[float, float | None]:
    """A page opened alone: seconds to its first usable widget, and its kernel's memory."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        # the first visible one: the first in the page may be hidden (a later step, a field
        # shown on demand)
        page.locator(USABLE).locator("visible=true").first.wait_for(
            state="visible", timeout=TIMEOUT_MS
        )
        elapsed = time.perf_counter() - start
        kernel_id = kernel_id_of(page)
        time.sleep(0.5)
        rss = kernel_rss(server_pid, kernel_id)
        page.goto("about:blank")
    finally:
        context.close()
    time.sleep(settle)  # the page's kernel is shut down, a new one starts preheating
    if server is not None:  # a learner arriving now finds the pool refilled
        quiet(server, 1)
    return elapsed, rss


def wait_for_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"nothing answers on port {port}")


def plain_page(folder: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets as widgets\nimport pandas, sklearn.ensemble, plotly.graph_objects\n"
            "button = widgets.Button(description='Prêt')\nbutton.add_class('plain-ready')\nbutton"
        )
    ]
    path = folder / "plain.ipynb"
    nbformat.write(notebook, path)
    return path


def measure_plain(browser, tmp: Path, runs: int) -> tuple[list[float], list[float]]:
    port = free_port()
    plain = subprocess.Popen(
        [sys.executable, "-m", "voila", str(plain_page(tmp)), "--no-browser", f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times, memories = [], []
    try:
        wait_for_port(port)
        for _ in range(runs):
            elapsed, rss = measure_page(browser, f"http://127.0.0.1:{port}/", plain.pid, 1.0)
            times.append(elapsed)
            if rss:
                memories.append(rss)
    finally:
        plain.terminate()
        plain.wait(timeout=30)
    return times, memories


# ------------------------------------------------------------------------- the table
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def worst(values: list[float]) -> float:
    return max(values) if values else float("nan")


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="learners walking the app, one by one")
    parser.add_argument("--room", type=int, default=1, help="app kernels preheated")
    parser.add_argument(
        "--pages", action="store_true", help="also time each module notebook opened alone"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds before waiting for the server to be quiet",
    )
    args = parser.parse_args()
    if args.runs < 1 or args.runs > 20:
        parser.error("--runs: between 1 and 20")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="datalab-bench-"))
    pool_size = 1 if args.pages else 0
    walks: list[dict] = []
    failures: list[str] = []
    page_rows = []
    server = start_server(tmp / "server", pool_size=pool_size, room=args.room)
    module_pages = [n for n in server.notebooks if n != APP_NOTEBOOK]
    pool = args.room + pool_size * len(module_pages)
    try:
        refill = wait_until_quiet(server, pool, timeout=300)
        pool_seen = kernel_count(server.process.pid)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for run in range(args.runs):
                try:
                    walks.append(walk_app(browser, server, f"Banc {run + 1}", args.settle))
                except Exception as exc:  # noqa: BLE001 - a failed run is reported, not fatal
                    failures.append(f"app run {run + 1}: {str(exc).splitlines()[0]}")
                    quiet(server, 1)
            if args.pages:
                for notebook in module_pages:
                    times, memories, failed = [], [], 0
                    for run in range(args.runs):
                        url = server.page_url(notebook, f"Page {run + 1}")
                        try:
                            elapsed, rss = measure_page(
                                browser, url, server.process.pid, args.settle, server
                            )
                        except Exception as exc:  # noqa: BLE001 - reported, not fatal
                            failed += 1
                            failures.append(f"{notebook} run {run + 1}: {str(exc).splitlines()[0]}")
                            continue
                        times.append(elapsed)
                        if rss:
                            memories.append(rss)
                    name = notebook + (f" ({failed} failed)" if failed else "")
                    page_rows.append((name, median(times), worst(times), max(memories or [0])))
            plain_times, plain_memories = measure_plain(browser, tmp, args.runs)
            browser.close()
    finally:
        stop_server(server)

    plain_median = median(plain_times)
    print(f"\nPreheated pool ({pool_seen} kernels) full and quiet {refill:.0f} s after the start.")
    print(
        f"Workbook app in Chromium: {len(walks)} learner(s) walking 00→06 then back over 00…06, "
        f"--room {args.room}; seconds (median / max over the learners)"
    )
    header = f"{'measure':44} {'median s':>9} {'max s':>7}  {'goal':22} {'':6}"
    print(header)
    print("-" * len(header))

    def row(name: str, values: list[float], goal: str, ok: bool | None) -> None:
        print(f"{name:44} {median(values):9.2f} {worst(values):7.2f}  {goal:22} {verdict(ok)}")

    loads = [w["load"] for w in walks]
    row(
        "first load of / until module 00 usable",
        loads,
        f"≤ plain page ({plain_median:.2f} s)",
        bool(loads) and median(loads) <= plain_median,
    )
    for number in MODULES[1:]:
        values = [w["first"][number] for w in walks]
        row(
            f"first visit #{number}",
            values,
            f"≤ {FIRST_VISIT_GOAL} s",
            bool(values) and worst(values) <= FIRST_VISIT_GOAL,
        )
    for number in MODULES:
        values = [w["return"][number] for w in walks]
        row(
            f"return visit #{number}",
            values,
            f"≤ {RETURN_GOAL} s",
            bool(values) and worst(values) <= RETURN_GOAL,
        )
    row("(plain Voilà page, same imports)", plain_times, "", None)
    print("-" * len(header))
    print(f"plain Voilà page: kernel {max(plain_memories or [0]):.0f} MiB after loading")
    for index, walk in enumerate(walks, 1):
        per_learner = walk["kernels"] - walk["pool"]
        rss = walk["rss"] or float("nan")
        print(
            f"learner {index}:\n"
            f"  kernels after the walk: {walk['kernels']} = pool {walk['pool']} + {per_learner} "
            f"for the learner (goal: exactly 1) {verdict(per_learner == 1)}\n"
            f"  learner's kernel after all modules: {rss:.0f} MiB (goal ≤ {MIB_GOAL} MiB) "
            f"{verdict(rss <= MIB_GOAL)}\n"
            f"  after closing the page, its kernel "
            f"{'is still alive' if walk['still_alive'] else 'ended'} "
            f"{verdict(not walk['still_alive'])} ({walk['after_close']} kernel(s) left in all)\n"
            f"  error messages on the page: {walk['errors']}; kernel socket closed by the server "
            f"{walk['socket_closed']} time(s) in {walk['page_seconds']:.0f} s"
            + (" (the page opened it again)" if walk["socket_closed"] else "")
        )
    if page_rows:
        print(
            f"\nModule notebooks opened alone (/voila/render/NN_….ipynb, one preheated kernel "
            f"each, {args.runs} run(s)): time to the first usable widget, kernel memory"
        )
        print(f"{'page':36} {'median s':>9} {'max s':>7} {'kernel MiB':>11}")
        for name, med, most, memory in page_rows:
            print(f"{name:36} {med:9.2f} {most:7.2f} {memory:11.0f}")
    print(
        "\nKernels: ipykernel processes under the server; pool = preheated kernels counted on the "
        "quiet server just before the learner arrived (--room app kernels"
        + (f" + {pool_size} per module notebook" if pool_size else "")
        + "); the learner's kernels = kernels after the walk − pool."
    )
    print(
        f"Goals: return visit ≤ {RETURN_GOAL} s; first visit ≤ {FIRST_VISIT_GOAL} s per module; "
        "first load of / no slower than the plain Voilà page; exactly one kernel per learner; "
        f"≤ {MIB_GOAL} MiB per learner after all modules."
    )
    for line in failures:
        print(f"FAILED: {line}")
    return 1 if failures or not walks else 0


if __name__ == "__main__":
    sys.exit(main())
