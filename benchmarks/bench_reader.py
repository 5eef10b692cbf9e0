"""Read + detection time of :func:`labkit.data.reader.read_table` on real and generated files.

Run: ``.venv/bin/python benchmarks/bench_reader.py [--repeat N]``. Prints one line per file: size,
rows × columns, what was detected, and the best and median times of N reads (the first read also
pays the imports, so it is left out). Files: every CSV of ``../shared/realdata`` (when present),
the bundled datasets, and a generated 50,000-row French CSV (cp1252, ``;``, decimal comma,
thousands with spaces, dates ``jj/mm/aaaa``, codes with leading zeros, a few text cells in a number
column) plus the same table as ``.xlsx``, and a 5,000 × 9 table as ``.ods`` and ``.xlsx``
(``.ods`` files are read with python-calamine: 2.25 s with odfpy for that table, goal ≤ 1.5 s).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labkit import paths  # noqa: E402
from labkit.data.reader import read_table  # noqa: E402

ROWS = 50_000


def generated_csv(rows: int = ROWS, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")
    amounts = rng.lognormal(7, 1.2, rows)
    communes = np.array(["Orléans", "Tours", "Blois", "Châteauroux", "Bourges", "Chartres"])
    frame = pd.DataFrame(
        {
            "date": days.strftime("%d/%m/%Y"),
            "commune": communes[rng.integers(0, len(communes), rows)],
            "code_postal": [f"{c:05d}" for c in rng.integers(1000, 95999, rows)],
            "departement": rng.choice(["01", "2A", "2B", "45", "37", "974"], rows),
            "montant": [f"{a:,.2f} €".replace(",", " ").replace(".", ",") for a in amounts],
            "taux": [f"{x:.1f} %".replace(".", ",") for x in rng.uniform(0, 100, rows)],
            "quantite": rng.integers(0, 500, rows).astype(str),
            "temperature": [f"{x:.1f}".replace(".", ",") for x in rng.normal(15, 8, rows)],
            "categorie": rng.choice(["oui", "non"], rows),
            "commentaire": rng.choice(["", "RAS", "à revoir", "dossier complet; transmis"], rows),
        }
    )
    frame.loc[rng.choice(rows, 20, replace=False), "quantite"] = "n.c."
    frame.loc[rng.choice(rows, 15, replace=False), "temperature"] = "panne capteur"
    return frame.to_csv(sep=";", index=False).encode("cp1252")


def generated_xlsx(csv_bytes: bytes) -> bytes:
    frame = pd.read_csv(io.BytesIO(csv_bytes), sep=";", encoding="cp1252", dtype=str)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="donnees")
    return buffer.getvalue()


def generated_sheet(engine: str, rows: int = 5_000, seed: int = 1) -> bytes:
    """A 5,000 × 9 table of numbers, dates and labels as a workbook (``odf`` or ``openpyxl``)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=rows, freq="h"),
            "commune": rng.choice(["Nantes", "Rezé", "Saint-Herblain", "Orvault"], rows),
            "entrees": rng.integers(0, 900, rows),
            "recette": rng.normal(1000, 200, rows).round(2),
            "temperature": rng.normal(12, 6, rows).round(1),
            "code_postal": rng.choice(["44000", "44400", "01000"], rows),
            "ouvert": rng.choice(["oui", "non"], rows),
            "note": rng.integers(1, 6, rows),
            "part": rng.random(rows).round(3),
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, engine=engine, index=False, sheet_name="donnees")
    return buffer.getvalue()


def files() -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    realdata = paths.project_root().parent / "shared" / "realdata"
    if realdata.is_dir():
        found += [(p.name, p.read_bytes()) for p in sorted(realdata.glob("*.csv"))]
    else:
        print(f"({realdata} absent : fichiers réels ignorés)")
    for folder in sorted(paths.datasets_dir().glob("*/datapackage.json")):
        for data in sorted(folder.parent.iterdir()):
            if data.suffix in (".csv", ".xlsx", ".ods"):
                found.append((f"datasets/{folder.parent.name}/{data.name}", data.read_bytes()))
    csv_bytes = generated_csv()
    found.append((f"généré {ROWS // 1000} 000 lignes (.csv)", csv_bytes))
    found.append((f"généré {ROWS // 1000} 000 lignes (.xlsx)", generated_xlsx(csv_bytes)))
    found.append(("généré 5 000 × 9 (.ods)", generated_sheet("odf")))
    found.append(("généré 5 000 × 9 (.xlsx)", generated_sheet("openpyxl")))
    return found


def measure(name: str, data: bytes, repeat: int) -> dict:
    filename = name.split(" (")[0]
    if "généré" in name:
        filename = "g." + name.rsplit("(.", 1)[1].rstrip(")")
    read_table(data, filename)  # warm-up: imports, caches
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = read_table(data, filename)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    detection = result.detection
    detected = (
        f"{detection.encoding} {detection.separator!r} déc.{detection.decimal!r}"
        if detection.format == "csv"
        else f"feuille {detection.sheet}"
    )
    return {
        "name": name,
        "size": len(data),
        "shape": f"{detection.rows} × {len(detection.columns)}",
        "detected": detected,
        "best": min(times),
        "median": statistics.median(times),
        "cpu": min(cpu),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="reads per file (default 5)")
    args = parser.parse_args(argv)
    rows = [measure(name, data, args.repeat) for name, data in files()]
    header = (
        f"{'fichier':<42} {'taille':>9} {'lignes × col.':>14}  {'détecté':<26} "
        f"{'meilleur':>9} {'médian':>9} {'CPU':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['name']:<42} {row['size'] / 1024:>7.0f} ko {row['shape']:>14}  "
            f"{row['detected']:<26} {row['best'] * 1000:>6.0f} ms {row['median'] * 1000:>6.0f} ms"
            f" {row['cpu'] * 1000:>6.0f} ms"
        )
    print()
    print(
        "meilleur, médian : temps écoulé ; CPU : temps de calcul du meilleur essai (moins sensible"
    )
    print("à la charge d’une machine partagée). La première lecture (imports) n’est pas comptée.")


if __name__ == "__main__":
    main()
