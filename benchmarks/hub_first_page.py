"""The first page of the workbook app on a real JupyterHub (issue 26), with and without the kernel
kept ahead (``labkit.serve.jupyter.WarmKernelManager``; ``DATALAB_WARM_KERNELS=0`` turns it off).

A hub with Datalab's settings is started on this machine (``tests/hubserver.py``, the same as
``tests/test_jupyterhub.py``). Each run is a new user who opens the room's link
(``/hub/user-redirect/voila/render/notebooks/datalab.ipynb``), logs in, and follows the hub's spawn
page to the app; a thread asks the hub's API when their server is ready. Two figures per run:
from the click on « Se connecter » to module 00 on the page (the server's start included), and from
the moment the hub says the server is ready to module 00 on the page (the goal: 2 s). The user's
server is then stopped.

Run: ``.venv/bin/python benchmarks/hub_first_page.py [--runs N]``; prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from hubserver import HOME_PATH, PASSWORD, start_hub, stop  # noqa: E402
from support import launch_chromium  # noqa: E402

TIMEOUT = 300.0


def ready_time(hub, name: str, seen: dict, done: threading.Event) -> None:
    """Record when the hub first says ``name``'s server is ready."""
    while not done.is_set():
        try:
            state = hub.server_state(name)
        except Exception:  # noqa: BLE001 - the hub is busy: ask again
            state = None
        if state and state.get("ready"):
            seen["ready"] = time.perf_counter()
            return
        time.sleep(0.05)


def one_user(browser, hub, name: str) -> tuple[float, float]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT * 1000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/user-redirect/{HOME_PATH}", wait_until="commit")
    page.wait_for_url("**/hub/login*")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    seen: dict = {}
    done = threading.Event()
    watcher = threading.Thread(target=ready_time, args=(hub, name, seen, done), daemon=True)
    watcher.start()
    clicked = time.perf_counter()
    page.click("input[type=submit], button[type=submit]", no_wait_after=True)
    page.locator('[data-dl-module="00"]').wait_for(state="visible", timeout=TIMEOUT * 1000)
    shown = time.perf_counter()
    done.set()
    watcher.join(5)
    context.close()
    hub.api(f"/users/{name}/server", method="DELETE")
    return shown - clicked, shown - seen.get("ready", shown)


def figures(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="users per setting (default 3)")
    args = parser.parse_args()
    rows = []
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for warm in (True, False):
            users = [f"mesure{n}" for n in range(args.runs)]
            tmp = Path(tempfile.mkdtemp(prefix="datalab-hub-bench-"))
            hub = start_hub(tmp, users, extra_env={"DATALAB_WARM_KERNELS": "1" if warm else "0"})
            try:
                results = [one_user(browser, hub, name) for name in users]
            finally:
                stop(hub.process)
            rows.append((warm, [r[0] for r in results], [r[1] for r in results]))
        browser.close()
    print(f"\nFirst page of the app on a real JupyterHub, {args.runs} users per setting, seconds")
    print("median (min–max)\n")
    print("| kernel kept ahead | login → page usable | server ready → page usable |")
    print("|---|---|---|")
    for warm, total, after_ready in rows:
        print(f"| {'yes' if warm else 'no'} | {figures(total)} | {figures(after_ready)} |")
    print("\nGoal: the page usable within 2 s of the server being ready.")


if __name__ == "__main__":
    main()
