"""The first page of the workbook app inside a Jupyter server (JupyterHub, Binder, ``datalab lab``),
with and without the kernel kept ahead (``labkit.serve.jupyter.WarmKernelManager``).

For each run, ``datalab lab`` is started on an empty workspace (the single-user server of a hub
reads the same settings, ``binder/``), and as soon as it answers, Chromium opens the app
(``/voila/render/notebooks/datalab.ipynb?pseudo=…``) and the time until module 00 is on the page
(``[data-dl-module="00"]`` visible) is measured: "at once" is the user who clicks as soon as the
server is ready (the kernel kept ahead is still importing); "after 10 s" a user who arrives a
little later. Then the server is stopped. ``DATALAB_WARM_KERNELS=0`` turns the kernel kept ahead
off: Voilà's own behaviour, a kernel started for the page.

Run: ``.venv/bin/python benchmarks/lab_first_page.py [--runs N]``. Goal: the first usable page
within 2 s of the server being ready, with the kernel kept ahead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from outside import start_lab, stop_lab  # noqa: E402
from support import launch_chromium  # noqa: E402


def first_page(browser, warm: bool, wait: float, run: int) -> float:
    lab = start_lab(
        Path(tempfile.mkdtemp(prefix="datalab-lab-bench-")),
        extra_env={"DATALAB_WARM_KERNELS": "1" if warm else "0"},
    )
    try:
        time.sleep(wait)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(lab.app_url(f"mesure-{run}"), wait_until="commit", timeout=300_000)
        page.locator('[data-dl-module="00"]').wait_for(state="visible", timeout=300_000)
        seconds = time.perf_counter() - started
        context.close()
        return seconds
    finally:
        stop_lab(lab)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for warm in (False, True):
                for wait in (0.0, 10.0):
                    times = [first_page(browser, warm, wait, run) for run in range(args.runs)]
                    rows.append((warm, wait, times))
        finally:
            browser.close()
    print("kernel kept ahead  user arrives   first page (s): median   max    runs")
    for warm, wait, times in rows:
        arrives = "at once" if wait == 0 else f"after {wait:.0f} s"
        print(
            f"{'yes' if warm else 'no':<18} {arrives:<14} "
            f"{statistics.median(times):>22.2f} {max(times):>6.2f} {len(times):>6}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
