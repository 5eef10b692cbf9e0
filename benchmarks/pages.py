"""Page speed and memory: for every page, the time from navigation to the first usable widget in
Chromium (median of several runs) and its kernel's memory, next to a plain Voilà page importing the
same libraries; then how many kernels are left after one learner walked through every page.

Run: ``.venv/bin/python benchmarks/pages.py [--runs 5]``. Goals: median ≤ 1.5 s, ≤ 200 MiB per page
kernel, at most one kernel per learner left alive (plus the preheated pool).
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

from labkit.devserver import Server, free_port, start_server, stop_server, wait_until_quiet

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USABLE = (
    ".jupyter-widgets button:not([disabled]), .jupyter-widgets input, .dl-form input, .plain-ready"
)
MIB = 2**20


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


def measure(
    browser, url: str, server_pid: int, settle: float, server: Server | None = None
) -> tuple[float, float | None]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(USABLE, state="visible", timeout=120_000)
    elapsed = time.perf_counter() - start
    kernel_id = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    time.sleep(0.5)
    rss = kernel_rss(server_pid, kernel_id)
    page.goto("about:blank")
    context.close()
    time.sleep(settle)  # the page's kernel is shut down, a new one starts preheating
    if server is not None:  # a learner arriving now finds the pool full
        wait_until_quiet(server, len(server.notebooks))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds before waiting for the pool to be idle"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="datalab-bench-"))
    rows = []
    server = start_server(tmp / "server")
    try:
        # the pool fills after start
        refill = wait_until_quiet(server, len(server.notebooks), timeout=300)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for notebook in server.notebooks:
                times, memories = [], []
                failures = 0
                for run in range(args.runs):
                    url = server.page_url(notebook, f"bench-{run}")
                    try:
                        elapsed, rss = measure(
                            browser, url, server.process.pid, args.settle, server
                        )
                    except Exception as exc:  # noqa: BLE001 - a failed run is reported, not fatal
                        failures += 1
                        print(
                            f"{notebook}: run {run} failed: {str(exc).splitlines()[0]}",
                            file=sys.stderr,
                        )
                        continue
                    times.append(elapsed)
                    if rss:
                        memories.append(rss)
                rows.append(
                    (
                        notebook + (f" ({failures} failed)" if failures else ""),
                        statistics.median(times) if times else float("nan"),
                        max(times) if times else float("nan"),
                        max(memories or [0]),
                    )
                )
            # One learner walks through every page in one tab.
            pool = kernel_count(server.process.pid)
            context = browser.new_context()
            page = context.new_page()
            for notebook in server.notebooks:
                page.goto(server.page_url(notebook, "walker"), wait_until="commit")
                page.wait_for_selector(USABLE, state="visible", timeout=120_000)
            time.sleep(args.settle)
            wait_until_quiet(server, pool)
            left = kernel_count(server.process.pid) - pool
            context.close()

            # A plain Voilà page importing the same libraries, without Datalab's server.
            port = free_port()
            plain = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "voila",
                    str(plain_page(tmp)),
                    "--no-browser",
                    f"--port={port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(port)
                times, memories = [], []
                for _ in range(args.runs):
                    elapsed, rss = measure(browser, f"http://127.0.0.1:{port}/", plain.pid, 1.0)
                    times.append(elapsed)
                    if rss:
                        memories.append(rss)
                rows.append(
                    (
                        "(plain Voilà page, same imports)",
                        statistics.median(times),
                        max(times),
                        max(memories or [0]),
                    )
                )
            finally:
                plain.terminate()
                plain.wait(timeout=30)
            browser.close()
    finally:
        stop_server(server)

    print(f"\nPreheated pool full and idle {refill:.0f} s after the server started.")
    print(
        f"Pages: time to first usable widget in Chromium ({args.runs} runs, each with the pool"
        " full) and kernel memory"
    )
    print(f"{'page':36} {'median s':>9} {'max s':>7} {'kernel MiB':>11}")
    for name, median, worst, memory in rows:
        print(f"{name:36} {median:9.2f} {worst:7.2f} {memory:11.0f}")
    print(
        f"\nKernels left alive after one learner walked through {len(server.notebooks)} pages: {left}"
        f" (preheated pool: {pool})"
    )
    print("Goals: median ≤ 1.5 s, ≤ 200 MiB per page kernel, ≤ 1 kernel per learner left alive.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
