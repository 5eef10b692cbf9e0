"""Click to result for one learner: the walk of ``tests/browser/test_real_walk.py`` (the running
example and four real tables, every activity's main action clicked in Chromium) timed from each
click to its result on screen, printed as p50 / p95 per module and per action.

Run: ``.venv/bin/python benchmarks/clicks.py [--runs N]`` (about 6 minutes per run on 2 cores).
Goals (issue 23): p95 ≤ 1 s per click; the comparison of models ≤ 3 s. The walk records its times
in ``.test-artifacts/walk/<table>/timings.json``; this script runs it and reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WALK = ROOT / "tests" / "browser" / "test_real_walk.py"
GOAL_CLICK = 1.0  # seconds, p95 of one click
GOAL_COMPARE = 3.0  # seconds, the comparison of models


def run_walk(artifacts: Path) -> None:
    env = {**os.environ, "DATALAB_TEST_ARTIFACTS": str(artifacts)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(WALK)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-3000:])
        raise SystemExit(f"the walk failed (exit code {done.returncode})")


def timings(artifacts: Path) -> list[tuple[str, str, float]]:
    """(table, action, seconds) of every click recorded."""
    found = []
    for record in sorted(artifacts.glob("walk/*/timings.json")):
        for item in json.loads(record.read_text()):
            found.append((record.parent.name, item["action"], float(item["seconds"])))
    return found


def table(rows: list[tuple[str, str, float]]) -> str:
    by_module: dict[str, list[float]] = defaultdict(list)
    by_action: dict[str, list[float]] = defaultdict(list)
    for _table, action, seconds in rows:
        by_module[action[:2]].append(seconds)
        by_action[action].append(seconds)
    lines = [f"{'module / action':<18}{'clicks':>7}{'p50 s':>8}{'p95 s':>8}{'max s':>8}"]

    def line(name: str, values: list[float]) -> str:
        p50, p95 = np.percentile(values, [50, 95])
        return f"{name:<18}{len(values):>7}{p50:>8.2f}{p95:>8.2f}{max(values):>8.2f}"

    for module in sorted(by_module):
        lines.append(line(f"module {module}", by_module[module]))
    lines.append("")
    for action in sorted(by_action):
        lines.append(line(action, by_action[action]))
    clicks = [s for _t, a, s in rows if a != "05-compare"]
    compare = by_action.get("05-compare", [])
    lines.append("")
    if clicks:
        p95 = float(np.percentile(clicks, 95))
        lines.append(f"every click but the comparison: p95 {p95:.2f} s (goal ≤ {GOAL_CLICK} s)")
    if compare:
        lines.append(f"comparison of models: max {max(compare):.2f} s (goal ≤ {GOAL_COMPARE} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="walks to run (each about 6 min)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            run_walk(Path(folder))
            rows += timings(Path(folder))
    print(f"Click to result, one learner, {args.runs} walk(s) of 5 tables, 1366 px")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
