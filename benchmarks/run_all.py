"""Every benchmark, one after the other, each printing its table.

Run: ``.venv/bin/python benchmarks/run_all.py [--quick] [--with-load]``.

- ``bench_reader.py``: reading each bundled and real file (module 03);
- ``bench_quality.py``: the full quality report (module 04);
- ``bench_learning.py``: the comparison of models and one model (module 05);
- ``bench_truth.py``: the judgments of modules 03–04 against the real corpus of ``tests/realdata/``
  (precision per kind of proposed change, leaks, placeholders, values read wrong);
- ``bench_reliance.py``: the check of what the model relies on, on 5,000 rows (module 05);
- ``bench_room.py``: the facilitator's room view refreshed with 30 learners;
- ``pages.py``: the workbook app in Chromium (first load of ``/``, first and return visit of each
  module in place, kernels per learner, the learner's kernel memory) next to a plain Voilà page;
  without ``--quick``, also each module notebook opened alone (``--pages``);
- ``lab_first_page.py``: the app's first page inside a Jupyter server (JupyterHub, Binder,
  ``datalab lab``), with and without the kernel kept ahead;
- ``hub_first_page.py``: the same on a real JupyterHub, from the login and from the server ready;
- ``clicks.py``: click to result for one learner, the walk of ``tests/browser/test_real_walk.py``
  (the running example and four real tables, every activity's main action) timed per module;
- ``load.py`` (with ``--with-load``): a room of 5, 15 and 30 simulated learners walking the app on
  one server (``--room N``); it takes from 10 to 30 minutes, so it is left out unless asked for.

``--quick`` runs fewer repetitions (a first look; the figures to report come from a full run on a
quiet machine). The exit code is the number of benchmarks that failed to run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(quick: bool, with_load: bool) -> list[list[str]]:
    """The scripts to run, with their arguments."""
    scripts = [
        ["bench_reader.py", "--repeat", "2" if quick else "5"],
        ["bench_quality.py"],
        ["bench_learning.py"],
        ["bench_reliance.py"],
        ["bench_truth.py"],
        ["bench_room.py"],
        ["pages.py", "--runs", "2"] if quick else ["pages.py", "--runs", "5", "--pages"],
        ["lab_first_page.py", "--runs", "1" if quick else "3"],
        ["hub_first_page.py", "--runs", "1" if quick else "3"],
        ["clicks.py"],
    ]
    if with_load:
        scripts.append(["load.py", "--learners", "5", "15", "30"])
    return scripts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--with-load", action="store_true", help="also run load.py (long)")
    args = parser.parse_args(argv)
    failed = []
    for script, *options in plan(args.quick, args.with_load):
        print(f"\n== {script} {' '.join(options)}".rstrip(), flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *options], cwd=HERE.parent)
        print(f"== {script}: exit code {code}, {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
