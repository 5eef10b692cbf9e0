"""Time of the full quality report: every bundled dataset, every real file, a generated 10,000 × 30
table (goal: at most 300 ms for the latter). Prints a table; run with ``python benchmarks/bench_quality.py``.

Each figure is the best of ``REPEAT`` runs (the machine is shared; the best run is the least
disturbed). Imports and file reading are not counted; a declared schema is included.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from labkit import paths
from labkit.prepare import quality

REPEAT = 3
GOAL_MS = 300


def generated(rows: int = 10_000, columns: int = 30, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """Numbers of several shapes, categories (some misspelt), dates, a few defects, a target."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(columns - 1):
        kind = i % 6
        name = f"col_{i:02d}"
        if kind == 0:
            data[name] = rng.normal(50, 10, rows)
        elif kind == 1:
            data[name] = rng.lognormal(5, 1, rows)
        elif kind == 2:
            data[name] = rng.integers(0, 12, rows)
        elif kind == 3:
            values = rng.choice(["Centre", "Gare", "Port", "Plateau", "Vallée"], rows).astype(
                object
            )
            values[rng.choice(rows, 40, replace=False)] = "centre"
            data[name] = values
        elif kind == 4:
            data[name] = pd.Timestamp("2023-01-01") + pd.to_timedelta(
                rng.integers(0, 700, rows), unit="D"
            )
        else:
            values = rng.normal(100, 20, rows)
            values[rng.choice(rows, 300, replace=False)] = np.nan
            data[name] = values
    frame = pd.DataFrame(data)
    frame["cible"] = np.where(frame["col_00"] + rng.normal(0, 10, rows) > 50, "oui", "non")
    return frame, "cible"


def best_ms(function) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - start))
    return min(times), statistics.median(times)


def cases() -> list[tuple[str, pd.DataFrame, str | None, dict | None]]:
    from labkit.data import datapackage

    found = []
    for info in datapackage.list_datasets():
        dataset = datapackage.load_dataset(info.id)
        targets = getattr(dataset, "suggested_targets", None) or []
        first = targets[0] if targets else None
        target = first.get("column") if isinstance(first, dict) else getattr(first, "column", None)
        found.append((f"jeu {info.id}", dataset.table, target, dataset.schema))
    realdata = Path(paths.project_root()).parent / "shared" / "realdata"
    targets = {
        "dechetteries_nantes.csv": "Tout-venant",
        "arbres_urbains_sgl.csv": "classification_diagnostic",
        "subventions_cnds_2015_cp1252.csv": None,
    }
    if realdata.is_dir():
        from labkit.data.reader import read_table

        for name, target in targets.items():
            path = realdata / name
            if path.exists():
                frame = read_table(path.read_bytes(), name, None).frame
                found.append((f"réel {name}", frame, target, None))
    frame, target = generated()
    found.append(("généré 10 000 × 30", frame, target, None))
    return found


def main() -> int:
    rows = []
    for label, frame, target, schema in cases():
        quality.assess(frame, target=target, schema=schema)  # warm-up: imports, caches
        best, median = best_ms(
            lambda f=frame, t=target, s=schema: quality.assess(f, target=t, schema=s)
        )
        report = quality.assess(frame, target=target, schema=schema)
        rows.append(
            (
                label,
                f"{len(frame)} × {frame.shape[1]}",
                "oui" if schema else "non",
                len(report.findings),
                best,
                median,
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'tableau':<{width}}  {'taille':>12}  schéma  constats  meilleur (ms)  médiane (ms)")
    for label, size, schema, findings, best, median in rows:
        print(
            f"{label:<{width}}  {size:>12}  {schema:>6}  {findings:>8}  {best:>13.0f}  {median:>12.0f}"
        )
    generated_best = rows[-1][4]
    verdict = "OK" if generated_best <= GOAL_MS else "AU-DESSUS DE L’OBJECTIF"
    print(
        f"\nObjectif : tableau généré 10 000 × 30 en {GOAL_MS} ms au plus → {generated_best:.0f} ms ({verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
