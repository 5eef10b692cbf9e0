"""Warm the server's shared cache before a room arrives (``datalab start --room N``, N ≥ 2).

Run as ``python -m labkit.serve.warmup`` by the server (:func:`labkit.serve.server.serve`) once its
preheated kernels are ready, in a process of its own at low priority: it walks the workbook app
headless, as a new learner on the running example does (module 01's toys, module 03's catalogue,
module 04's quality report and default recipe, module 05's comparison, every step, the
explanations and the learning curve), in a throwaway workspace outside the server's (so no
learner appears in the room view). It calls the very functions the learners' kernels call, with the same arguments, so their results
land in the cache (:mod:`labkit.roomcache`) under the keys the room's first clicks ask for.

It writes ``warmup.json`` in the cache folder: seconds, CPU seconds, the steps done and any
error (a failed warm-up only means the first learners compute what it did not).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

MODULES = ("01", "03", "04", "05")
# Module 05's buttons clicked, by their message keys (the labels a learner reads)
CLICKS_05 = ("ui_compare_button", "ui_learning_button", "ui_explain_button")
MAX_STEPS = 20


def _tree(widget) -> list:
    found, stack = [], [widget]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(getattr(current, "children", ()) or ()))
    return found


def _button(root, label: str | None = None, css: str | None = None):
    import ipywidgets as widgets

    for widget in _tree(root):
        if not isinstance(widget, widgets.Button) or widget.disabled:
            continue
        if css is not None and css not in widget._dom_classes:
            continue
        if label is not None and widget.description != label:
            continue
        return widget
    return None


def walk(done: list[str]) -> None:
    """The headless walk; ``done`` lists what was done, for the report."""
    from labkit import messages
    from labkit.ui.workbook import WorkbookApp
    from labkit.workspace import Workspace

    root = Path(tempfile.mkdtemp(prefix="datalab-warmup-"))
    try:
        app = WorkbookApp(Workspace.open("Préchauffage", root))
        app.show()
        for number in MODULES:
            app.router.route = number
            done.append(number)
        module = app.slots["05"]
        pending = [messages.text(f"learning.{key}") for key in CLICKS_05]
        for _ in range(MAX_STEPS):
            for label in list(pending):
                button = _button(module, label)
                if button is not None:
                    button.click()
                    pending.remove(label)
                    done.append(label)
            step = _button(module, css="dl-next-step-button")
            if step is None:
                break
            step.click()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    from labkit import roomcache

    location = roomcache.folder()
    if location is None:
        return 0
    os.environ[roomcache.ROLE_ENV] = "warmup"
    with contextlib.suppress(OSError):
        os.nice(10)  # the learners' kernels first
    started, cpu = time.monotonic(), time.process_time()
    done: list[str] = []
    error = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # figures print themselves outside Jupyter
            walk(done)
    except Exception:  # noqa: BLE001 - reported in warmup.json; the server goes on
        error = traceback.format_exc(limit=5)
    roomcache.flush_stats()
    report = {
        "seconds": round(time.monotonic() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "done": done,
        "error": error,
        "stats": roomcache.stats(),
    }
    with contextlib.suppress(OSError):
        location.mkdir(parents=True, exist_ok=True)
        (location / "warmup.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if error is None else 1


if __name__ == "__main__":
    sys.exit(main())
