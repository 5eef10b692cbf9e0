"""Generate the simulated "water-network leaks" dataset (classification, imbalanced target).

A fictional water syndicate (Syndicat des eaux de la Veyle, Ain) keeps an inventory of its pipe
segments. Each row is one segment with its material, laying year, diameter, pressure, soil and leak
history; the target ``fuite_2024`` says whether a leak was repaired on it in 2024 ("oui"/"non").
The question: which segments to inspect or renew first?

How a leak is drawn (a logistic model, written down in ``datapackage.json`` under ``drivers``):

    age   = 2024 − annee_pose
    score = −8.3
            + 0.065 × age
            + {fonte grise: +2.0, amiante-ciment: +1.6, acier: +1.1, PVC: +0.7,
               fonte ductile: −0.7, PEHD: −1.1}[materiau]
            + 0.8 × (pression_bar − 5)
            + 1.0 × nb_fuites_10ans
            + 1.0 if diametre_mm ≤ 80
            + 0.6 if sol = argileux
    P(leak) = 1 / (1 + exp(−score))      → about 16 % of segments leak

Length, depth, road type and number of service connections have no effect in the model.

Stored as a plain UTF-8 CSV with ``,`` separator and decimal point; the INSEE commune codes of the
Ain keep their leading zero (``01053``). Deliberate defects are listed in ``datapackage.json``.

Run ``python datasets/fuites/generate.py`` to rewrite ``fuites.csv`` and ``datapackage.json`` byte
for byte (seeded); ``--out DIR`` writes them elsewhere.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np

SEED = 20240917
N_SEGMENTS = 2400
HERE = Path(__file__).resolve().parent
CSV_NAME = "fuites.csv"
COMMUNES = {  # name: INSEE code (Ain: leading zero)
    "Bourg-en-Bresse": "01053",
    "Péronnas": "01289",
    "Viriat": "01451",
    "Saint-Denis-lès-Bourg": "01344",
    "Attignat": "01024",
    "Montagnat": "01257",
    "Polliat": "01301",
    "Buellas": "01065",
}
COMMUNE_WEIGHTS = [0.34, 0.12, 0.12, 0.1, 0.09, 0.08, 0.08, 0.07]
MATERIALS = {  # name: (effect, first year used, last year used)
    "fonte grise": (2.0, 1930, 1975),
    "amiante-ciment": (1.6, 1950, 1996),
    "acier": (1.1, 1940, 1990),
    "PVC": (0.7, 1965, 2024),
    "fonte ductile": (-0.7, 1965, 2024),
    "PEHD": (-1.1, 1985, 2024),
}
MISSPELLINGS = {
    "PVC": ["pvc", "P.V.C.", "Pvc"],
    "fonte grise": ["Fonte grise", "FONTE GRISE", "fonte  grise"],
    "fonte ductile": ["Fonte ductile", "fonte-ductile", "FD"],
    "PEHD": ["PE-HD", "pehd", "Polyéthylène"],
    "amiante-ciment": ["amiante ciment", "Amiante-ciment", "AC"],
    "acier": ["Acier", "ACIER"],
}
DIAMETERS = [60, 80, 100, 125, 150, 200, 250, 300]
SOILS = ["argileux", "limoneux", "sableux", "caillouteux"]
ROADS = ["rue", "route départementale", "chemin rural", "trottoir", "terrain privé"]
COLUMNS = [
    "id_troncon",
    "gestionnaire",
    "commune",
    "code_insee",
    "materiau",
    "annee_pose",
    "diametre_mm",
    "longueur_m",
    "profondeur_m",
    "pression_bar",
    "sol",
    "type_voirie",
    "nb_branchements",
    "nb_fuites_10ans",
    "date_derniere_reparation",
    "fuite_2024",
]


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    names = list(COMMUNES)
    materials = list(MATERIALS)
    for i in range(N_SEGMENTS):
        commune = names[int(rng.choice(len(names), p=COMMUNE_WEIGHTS))]
        year = int(np.clip(rng.normal(1978, 18), 1930, 2023))
        usable = [m for m in materials if MATERIALS[m][1] <= year <= MATERIALS[m][2]]
        material = str(rng.choice(usable))
        diameter = int(rng.choice(DIAMETERS, p=[0.1, 0.18, 0.24, 0.14, 0.14, 0.1, 0.06, 0.04]))
        pressure = float(np.clip(rng.normal(5.2, 1.3), 1.5, 10.0))
        soil = str(rng.choice(SOILS, p=[0.3, 0.35, 0.2, 0.15]))
        age = 2024 - year
        history = int(rng.poisson(0.15 + 0.012 * age + (0.4 if material == "fonte grise" else 0)))
        score = (
            -8.3
            + 0.065 * age
            + MATERIALS[material][0]
            + 0.8 * (pressure - 5)
            + 1.0 * history
            + (1.0 if diameter <= 80 else 0.0)
            + (0.6 if soil == "argileux" else 0.0)
        )
        leak = rng.random() < 1 / (1 + math.exp(-score))
        repair = ""
        if leak:
            repair = (
                dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 366)))
            ).isoformat()
        rows.append(
            {
                "id_troncon": f"TR-{i + 1:05d}",
                "gestionnaire": "Syndicat des eaux de la Veyle",
                "commune": commune,
                "code_insee": COMMUNES[commune],
                "materiau": material,
                "annee_pose": str(year),
                "diametre_mm": str(diameter),
                "longueur_m": f"{rng.lognormal(math.log(120), 0.6):.1f}",
                "profondeur_m": f"{rng.uniform(0.8, 1.6):.2f}",
                "pression_bar": f"{pressure:.1f}",
                "sol": soil,
                "type_voirie": str(rng.choice(ROADS, p=[0.45, 0.2, 0.15, 0.12, 0.08])),
                "nb_branchements": str(int(rng.poisson(6))),
                "nb_fuites_10ans": str(history),
                "date_derniere_reparation": repair,
                "fuite_2024": "oui" if leak else "non",
            }
        )
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    missing_year = pick(118)
    for i in missing_year:
        rows[i]["annee_pose"] = ""
    missing_soil = pick(64)
    for i in missing_soil:
        rows[i]["sol"] = ""
    spelt = pick(96)
    for i in spelt:
        rows[i]["materiau"] = str(rng.choice(MISSPELLINGS[rows[i]["materiau"]]))
    bad_year = pick(3, set(missing_year))
    for i, value in zip(bad_year, ["1850", "2099", "19"], strict=True):
        rows[i]["annee_pose"] = value
    bad_diameter = pick(4)
    for i, value in zip(bad_diameter, ["0", "0", "1000", "8000"], strict=True):
        rows[i]["diametre_mm"] = value

    duplicated = set(pick(12))
    final: list[dict] = []
    origin: list[int] = []
    copies: list[int] = []
    for i, row in enumerate(rows):
        final.append(row)
        origin.append(i)
        if i in duplicated:
            copies.append(len(final))
            final.append(dict(row))
            origin.append(i)

    def where(indices: list[int]) -> list[int]:
        chosen = set(indices)
        return [position for position, i in enumerate(origin) if i in chosen]

    leaks = sum(r["fuite_2024"] == "oui" for r in final)
    defects = [
        {
            "kind": "missing",
            "columns": ["annee_pose"],
            "rows": where(missing_year),
            "description": "Année de pose inconnue : tronçons repris d’un ancien réseau sans archives.",
        },
        {
            "kind": "missing",
            "columns": ["sol"],
            "rows": where(missing_soil),
            "description": "Nature du sol non relevée.",
        },
        {
            "kind": "inconsistent_categories",
            "columns": ["materiau"],
            "rows": where(spelt),
            "description": "Le même matériau écrit de plusieurs façons (« PVC », « pvc », « P.V.C. », « FD » pour fonte ductile, « AC » pour amiante-ciment…).",
        },
        {
            "kind": "outliers",
            "columns": ["annee_pose"],
            "rows": where(bad_year),
            "description": "Années de pose impossibles (1850, 2099, 19).",
        },
        {
            "kind": "outliers",
            "columns": ["diametre_mm"],
            "rows": where(bad_diameter),
            "description": "Diamètres impossibles pour une conduite de distribution (0 mm, 1 000 mm, 8 000 mm).",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "description": "Tronçons importés deux fois depuis le SIG (même identifiant, mêmes valeurs).",
        },
        {
            "kind": "constant",
            "columns": ["gestionnaire"],
            "count": len(final),
            "description": "Un seul gestionnaire pour tout le fichier.",
        },
        {
            "kind": "identifier",
            "columns": ["id_troncon"],
            "count": len(final),
            "description": "Identifiant du tronçon dans le SIG : une valeur par ligne.",
        },
        {
            "kind": "leakage",
            "columns": ["date_derniere_reparation"],
            "count": leaks,
            "description": "La date de réparation n’est remplie que pour les tronçons qui ont fui en 2024 : elle donne la réponse après coup.",
        },
        {
            "kind": "imbalance",
            "columns": ["fuite_2024"],
            "count": leaks,
            "description": f"Cible déséquilibrée : {leaks} tronçons sur {len(final)} ont fui ({100 * leaks / len(final):.0f} %). Un modèle qui répond toujours « non » paraît juste dans plus de 8 cas sur 10.",
        },
    ]
    for defect in defects:
        if "rows" in defect:
            defect["count"] = len(defect["rows"])
    return final, defects


def write_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def field(name, type_, title, description, unit=None, **extra) -> dict:
    spec = {"name": name, "type": type_, "title": title, "description": description}
    if unit:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def descriptor(defects: list[dict]) -> dict:
    fields = [
        field("id_troncon", "string", "Tronçon", "Identifiant du tronçon de conduite dans le SIG."),
        field("gestionnaire", "string", "Gestionnaire", "Service gestionnaire du réseau."),
        field("commune", "string", "Commune", "Commune traversée par le tronçon."),
        field(
            "code_insee",
            "string",
            "Code INSEE",
            "Code officiel géographique de la commune (texte : « 01053 » garde son zéro).",
            constraints={"pattern": "[0-9][0-9AB][0-9]{3}"},
        ),
        field(
            "materiau",
            "string",
            "Matériau",
            "Matériau de la conduite.",
            constraints={"enum": list(MATERIALS)},
        ),
        field("annee_pose", "integer", "Année de pose", "Année de pose de la conduite.", "année"),
        field("diametre_mm", "integer", "Diamètre", "Diamètre nominal de la conduite.", "mm"),
        field("longueur_m", "number", "Longueur", "Longueur du tronçon.", "m"),
        field("profondeur_m", "number", "Profondeur", "Profondeur moyenne de pose.", "m"),
        field("pression_bar", "number", "Pression", "Pression de service moyenne.", "bar"),
        field(
            "sol",
            "string",
            "Nature du sol",
            "Nature du sol autour de la conduite.",
            constraints={"enum": SOILS},
        ),
        field(
            "type_voirie",
            "string",
            "Type de voirie",
            "Voirie sous laquelle passe la conduite.",
            constraints={"enum": ROADS},
        ),
        field(
            "nb_branchements",
            "integer",
            "Branchements",
            "Nombre de branchements d’abonnés sur le tronçon.",
            "branchements",
        ),
        field(
            "nb_fuites_10ans",
            "integer",
            "Fuites sur 10 ans",
            "Nombre de fuites réparées sur le tronçon de 2014 à 2023.",
            "fuites",
        ),
        field(
            "date_derniere_reparation",
            "date",
            "Date de réparation",
            "Date de la réparation de fuite en 2024, vide s’il n’y en a pas eu.",
        ),
        field(
            "fuite_2024",
            "string",
            "Fuite en 2024",
            "Une fuite a-t-elle été réparée sur ce tronçon en 2024 ? (oui/non)",
            constraints={"enum": ["oui", "non"]},
        ),
    ]
    return {
        "name": "fuites",
        "title": "Fuites sur les conduites d’un réseau d’eau potable",
        "description": (
            "Inventaire des tronçons de conduites d’eau potable d’un syndicat intercommunal (fictif) "
            "de l’Ain, avec leurs caractéristiques et l’historique de fuites. Question : repérer les "
            "tronçons les plus à risque pour cibler la recherche de fuites et le renouvellement. "
            "Données simulées ; la cible est déséquilibrée (peu de fuites)."
        ),
        "keywords": [
            "eau potable",
            "fuite",
            "réseau",
            "canalisation",
            "conduite",
            "patrimoine",
            "renouvellement",
        ],
        "theme": "Eau et assainissement",
        "producer": "Syndicat des eaux de la Veyle (fictif)",
        "coverage": {
            "spatial": "8 communes autour de Bourg-en-Bresse (Ain)",
            "temporal": "inventaire 2024, historique 2014–2024",
        },
        "updated": "2025-02-03",
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "sources": [
            {"title": "Données simulées par Datalab (générateur fourni)", "path": "generate.py"}
        ],
        "simulated": True,
        "generator": "datasets/fuites/generate.py",
        "resources": [
            {
                "name": "fuites",
                "path": CSV_NAME,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ","},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [{"column": "fuite_2024", "task": "classification"}],
        "drivers": {
            "fuite_2024": [
                {
                    "column": "nb_fuites_10ans",
                    "effect": "Très fort : un tronçon qui a déjà fui a bien plus de risques de fuir encore.",
                },
                {
                    "column": "annee_pose",
                    "effect": "Fort : plus la conduite est ancienne, plus le risque monte.",
                },
                {
                    "column": "materiau",
                    "effect": "Fort : la fonte grise et l’amiante-ciment fuient le plus, le PEHD et la fonte ductile le moins.",
                },
                {
                    "column": "pression_bar",
                    "effect": "Moyen : une pression plus forte fatigue la conduite.",
                },
                {
                    "column": "diametre_mm",
                    "effect": "Modéré : les petites conduites (80 mm ou moins) cassent plus souvent.",
                },
                {
                    "column": "sol",
                    "effect": "Faible : un sol argileux (qui bouge avec la sécheresse) augmente un peu le risque.",
                },
            ]
        },
        "group_columns": ["commune", "materiau"],
        "defects": defects,
    }


def build() -> tuple[bytes, bytes]:
    rng = np.random.default_rng(SEED)
    rows, defects = add_defects(rng, draw(rng))
    package = json.dumps(descriptor(defects), ensure_ascii=False, indent=2) + "\n"
    return write_csv(rows), package.encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    data, package = build()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / CSV_NAME).write_bytes(data)
    (args.out / "datapackage.json").write_bytes(package)
    lines = data.count(b"\n") - 1
    print(f"{args.out / CSV_NAME}: {lines} lignes")


if __name__ == "__main__":
    main()
