"""Module 05's check of what the model relies on (:mod:`labkit.model.reliance`), on 5,000 rows.

For each table of ``tests/leak_tables.py`` (the leaks reported on real files, and one table
without a leak) and each model of the comparison, the time of
:func:`labkit.model.reliance.check_reliance` as ``datalab train`` runs it (the model fitted once
with every column, then once without each group), the groups refitted, the test score with every
column and the flagged groups with their score without them. Goal: ≤ 5 s for 5,000 rows. Each time
is the best of 3 runs (``bench_learning.timed``: the machine is shared), with that run's CPU time beside it.
Run with ``python benchmarks/bench_reliance.py [--rows N] [--models tree forest …]``.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_learning import timed  # noqa: E402 - one timing for the benchmarks of module 05
from leak_tables import TABLES  # noqa: E402 - tests/ is on the path just above

from labkit.model import catalogue, learning, reliance  # noqa: E402

GOAL_S = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--models", nargs="*", default=list(catalogue.MODEL_KEYS))
    args = parser.parse_args(argv)
    header = (
        f"{'table':<24} {'modèle':<9} {'lignes':>6} {'contrôle s':>10} {'(cpu)':>6} "
        f"{'groupes':>7} {'score':>6}  colonnes signalées (score sans)"
    )
    print(header)
    print("-" * len(header))
    slow = 0
    for name, make in TABLES.items():
        frame, target = make(args.rows)
        comparison = learning.compare(frame, target, models=["tree"])  # the split and features
        for key in args.models:
            check = partial(
                reliance.check_reliance,
                frame,
                target,
                comparison.features,
                key,
                comparison.split,
            )
            result, seconds, cpu = timed(check)
            slow += seconds > GOAL_S
            flagged = "; ".join(
                f"{', '.join(g.group.columns)[:40]} ({100 * g.score:.0f})" for g in result.flagged()
            )
            unchecked = f" [+{len(result.unchecked)} non contrôlé(s)]" if result.unchecked else ""
            print(
                f"{name:<24} {key:<9} {len(frame):>6} {seconds:>10.2f} {cpu:>6.2f} "
                f"{len(result.groups):>7} {100 * result.score:>6.1f}  "
                f"{flagged or '—'}{unchecked}",
                flush=True,
            )
    print()
    print(f"Objectif : contrôle ≤ {GOAL_S:g} s pour {args.rows} lignes (scores en points).")
    return 0 if slow == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
