"""Generate the simulated "swimming-pool attendance" dataset (regression).

The Centre aquatique des Grèves (fictional, in the fictional commune of Val-de-Loire) counts its
entries every day. Each row is one opening day of 2022 and 2023 with the weather of the day, the
calendar (day of the week, school holidays of zone B, public holidays) and whether the outdoor pool
was open. The target ``frequentation`` is the number of entries.

How the number of entries is drawn (written down in ``datapackage.json`` under ``drivers``):

    base      = 300 on weekdays, 520 on Saturdays, 480 on Sundays
    base     ×= 1.35 during school holidays, × 1.25 on public holidays
    entries   = base
                + 6 × (temperature_max_c − 15)                    # indoor pool, all year
                + 28 × max(temperature_max_c − 20, 0) if the outdoor pool is open (15/06–15/09)
                − 10 × min(rain, 20) if the outdoor pool is open, − 2 × min(rain, 20) otherwise
    entries  ×= 1 + N(0, 0.07)

Sunshine hours and events have no direct effect (sunshine only follows the weather).

The file is stored the way many French open-data files are: Windows encoding (cp1252), ``;``
separator, decimal comma, dates ``jj/mm/aaaa``, amounts written ``2 345,50 €``. Deliberate defects
are listed in ``datapackage.json`` (``defects``).

Run ``python datasets/piscine/generate.py`` to rewrite ``piscine.csv`` and ``datapackage.json``
byte for byte (seeded); ``--out DIR`` writes them elsewhere.
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

SEED = 20230615
HERE = Path(__file__).resolve().parent
CSV_NAME = "piscine.csv"
ENCODING = "cp1252"
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
HOLIDAYS = [  # school holidays, zone B (first and last day off)
    ("2022-01-01", "2022-01-02"),
    ("2022-02-12", "2022-02-27"),
    ("2022-04-16", "2022-05-01"),
    ("2022-07-07", "2022-08-31"),
    ("2022-10-22", "2022-11-06"),
    ("2022-12-17", "2023-01-02"),
    ("2023-02-11", "2023-02-26"),
    ("2023-04-15", "2023-05-01"),
    ("2023-07-08", "2023-09-03"),
    ("2023-10-21", "2023-11-05"),
    ("2023-12-23", "2023-12-31"),
]
PUBLIC_HOLIDAYS = {
    "2022-01-01", "2022-04-18", "2022-05-01", "2022-05-08", "2022-05-26", "2022-06-06",
    "2022-07-14", "2022-08-15", "2022-11-01", "2022-11-11", "2022-12-25",
    "2023-01-01", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-18", "2023-05-29",
    "2023-07-14", "2023-08-15", "2023-11-01", "2023-11-11", "2023-12-25",
}  # fmt: skip
CLOSED = [("2022-09-05", "2022-09-18"), ("2023-09-04", "2023-09-17")]  # draining, each year
CLOSED_DAYS = {"2022-01-01", "2022-05-01", "2022-12-25", "2023-01-01", "2023-05-01", "2023-12-25"}
EVENTS = ["", "", "", "", "", "", "", "", "compétition", "animation", "nocturne"]
COLUMNS = [
    "date",
    "jour_semaine",
    "vacances_scolaires",
    "jour_ferie",
    "temperature_max_c",
    "precipitations_mm",
    "ensoleillement_h",
    "bassin_exterieur",
    "evenement",
    "code_equipement",
    "tarif_plein",
    "recette_jour",
    "frequentation",
]


def _in(day: dt.date, spans: list[tuple[str, str]]) -> bool:
    iso = day.isoformat()
    return any(start <= iso <= end for start, end in spans)


def fr_number(value: float, decimals: int) -> str:
    """``1234.5`` → ``1 234,50`` (space as thousands separator, decimal comma)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    day = dt.date(2022, 1, 1)
    anomaly = 0.0
    while day <= dt.date(2023, 12, 31):
        doy = day.timetuple().tm_yday
        anomaly = 0.7 * anomaly + rng.normal(0, 2.2)
        temp = 15.5 + 10.5 * math.sin(2 * math.pi * (doy - 110) / 365) + anomaly
        rain = 0.0 if rng.random() < 0.62 else float(rng.exponential(5.0))
        sun_max = 12.0 + 3.5 * math.sin(2 * math.pi * (doy - 80) / 365)
        sun = max(0.0, min(sun_max, sun_max * (0.75 - 0.04 * rain) + rng.normal(0, 1.5)))
        iso = day.isoformat()
        if not _in(day, CLOSED) and iso not in CLOSED_DAYS:
            weekday = day.weekday()
            holiday = _in(day, HOLIDAYS)
            public = iso in PUBLIC_HOLIDAYS
            outdoor = (6, 15) <= (day.month, day.day) <= (9, 15)
            base = 300.0 if weekday < 5 else 520.0 if weekday == 5 else 480.0
            base *= (1.35 if holiday else 1.0) * (1.25 if public else 1.0)
            entries = base + 6 * (temp - 15)
            if outdoor:
                entries += 28 * max(temp - 20, 0) - 10 * min(rain, 20)
            else:
                entries -= 2 * min(rain, 20)
            entries = max(40, round(entries * (1 + rng.normal(0, 0.07))))
            event = str(rng.choice(EVENTS))
            price = 4.5 if day.year == 2022 else 4.8
            takings = entries * price * rng.uniform(0.78, 0.86)
            rows.append(
                {
                    "date": day.strftime("%d/%m/%Y"),
                    "jour_semaine": DAYS[weekday],
                    "vacances_scolaires": "oui" if holiday else "non",
                    "jour_ferie": "oui" if public else "non",
                    "temperature_max_c": fr_number(temp, 1),
                    "precipitations_mm": fr_number(rain, 1),
                    "ensoleillement_h": fr_number(sun, 1),
                    "bassin_exterieur": "ouvert" if outdoor else "fermé",
                    "evenement": event,
                    "code_equipement": "EQ-41500-0007",
                    "tarif_plein": fr_number(price, 2) + " €",
                    "recette_jour": fr_number(takings, 2) + " €",
                    "frequentation": str(int(entries)),
                }
            )
        day += dt.timedelta(days=1)
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    missing_temp = pick(19)
    for i in missing_temp:
        rows[i]["temperature_max_c"] = ""
    dry = [i for i in range(n) if rows[i]["precipitations_mm"] == "0,0"]
    traces = sorted(int(i) for i in rng.choice(dry, size=12, replace=False))
    for i in traces:
        rows[i]["precipitations_mm"] = "traces"
    spelt = pick(21)
    for i in spelt:
        name = rows[i]["jour_semaine"]
        rows[i]["jour_semaine"] = str(rng.choice([name.capitalize(), name[:3] + ".", name.upper()]))
    typo = pick(2)
    for i, value in zip(typo, ["9999", "12850"], strict=True):
        rows[i]["frequentation"] = value
    zeros = pick(2, set(typo))
    for i in zeros:
        rows[i]["frequentation"] = "0"

    duplicated = set(pick(6))
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

    defects = [
        {
            "kind": "missing",
            "columns": ["temperature_max_c"],
            "rows": where(missing_temp),
            "description": "Température manquante : la station météo n’a pas transmis de relevé ces jours-là.",
        },
        {
            "kind": "wrong_type",
            "columns": ["precipitations_mm"],
            "rows": where(traces),
            "description": "« traces » écrit à la place d’une hauteur de pluie : la colonne n’est plus lue comme un nombre.",
        },
        {
            "kind": "inconsistent_categories",
            "columns": ["jour_semaine"],
            "rows": where(spelt),
            "description": "Jours de la semaine écrits de plusieurs façons (« Samedi », « sam. », « SAMEDI »).",
        },
        {
            "kind": "outliers",
            "columns": ["frequentation"],
            "rows": where(sorted(typo + zeros)),
            "description": "Fréquentations impossibles : 9 999 et 12 850 entrées (erreurs de saisie), 0 entrée un jour d’ouverture (compteur en panne).",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "description": "Journées saisies deux fois (même date, mêmes valeurs).",
        },
        {
            "kind": "constant",
            "columns": ["code_equipement"],
            "count": len(final),
            "description": "Le code de l’équipement est le même partout : la colonne n’apporte rien au modèle.",
        },
        {
            "kind": "leakage",
            "columns": ["recette_jour"],
            "count": len(final),
            "description": "La recette du jour découle directement du nombre d’entrées et n’est connue qu’en fin de journée : elle donne la réponse.",
        },
    ]
    for defect in defects:
        if "rows" in defect:
            defect["count"] = len(defect["rows"])
    return final, defects


def write_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue().encode(ENCODING)


def field(name, type_, title, description, unit=None, **extra) -> dict:
    spec = {"name": name, "type": type_, "title": title, "description": description}
    if unit:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def descriptor(defects: list[dict]) -> dict:
    number = {"decimalChar": ",", "groupChar": " "}
    fields = [
        field("date", "date", "Date", "Jour d’ouverture (jj/mm/aaaa).", format="%d/%m/%Y"),
        field(
            "jour_semaine",
            "string",
            "Jour de la semaine",
            "Jour de la semaine, en toutes lettres.",
            constraints={"enum": DAYS},
        ),
        field(
            "vacances_scolaires",
            "string",
            "Vacances scolaires",
            "Jour de vacances scolaires de la zone B (oui/non).",
            constraints={"enum": ["oui", "non"]},
        ),
        field(
            "jour_ferie",
            "string",
            "Jour férié",
            "Jour férié (oui/non).",
            constraints={"enum": ["oui", "non"]},
        ),
        field(
            "temperature_max_c",
            "number",
            "Température maximale",
            "Température maximale relevée sous abri à la station la plus proche.",
            "°C",
            **number,
        ),
        field(
            "precipitations_mm",
            "number",
            "Précipitations",
            "Hauteur de pluie sur la journée.",
            "mm",
            **number,
        ),
        field(
            "ensoleillement_h",
            "number",
            "Ensoleillement",
            "Durée d’ensoleillement sur la journée.",
            "heures",
            **number,
        ),
        field(
            "bassin_exterieur",
            "string",
            "Bassin extérieur",
            "Le bassin extérieur était-il ouvert ? (du 15 juin au 15 septembre)",
            constraints={"enum": ["ouvert", "fermé"]},
        ),
        field(
            "evenement",
            "string",
            "Événement",
            "Événement organisé ce jour-là (compétition, animation, nocturne), vide sinon.",
        ),
        field("code_equipement", "string", "Code de l’équipement", "Code de l’équipement sportif."),
        field(
            "tarif_plein",
            "number",
            "Tarif plein",
            "Prix d’une entrée au tarif plein.",
            "€",
            bareNumber=False,
            **number,
        ),
        field(
            "recette_jour",
            "number",
            "Recette du jour",
            "Recette de la billetterie sur la journée.",
            "€",
            bareNumber=False,
            **number,
        ),
        field(
            "frequentation",
            "integer",
            "Fréquentation",
            "Nombre d’entrées sur la journée (tous publics).",
            "entrées",
        ),
    ]
    return {
        "name": "piscine",
        "title": "Fréquentation journalière du centre aquatique",
        "description": (
            "Nombre d’entrées par jour au centre aquatique des Grèves (équipement fictif de "
            "Val-de-Loire) en 2022 et 2023, avec la météo, le calendrier scolaire et l’ouverture du "
            "bassin extérieur. Question : prévoir la fréquentation pour planifier le personnel "
            "(maîtres-nageurs, caisse). Données simulées, fichier au format Windows (cp1252) avec "
            "point-virgule et virgule décimale."
        ),
        "keywords": [
            "piscine",
            "centre aquatique",
            "fréquentation",
            "sport",
            "météo",
            "équipement",
        ],
        "theme": "Sport et équipements",
        "producer": "Commune de Val-de-Loire (fictive), direction des sports",
        "coverage": {"spatial": "Val-de-Loire (commune fictive)", "temporal": "2022–2023"},
        "updated": "2024-01-08",
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
        "generator": "datasets/piscine/generate.py",
        "resources": [
            {
                "name": "piscine",
                "path": CSV_NAME,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "cp1252",
                "dialect": {"delimiter": ";"},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [{"column": "frequentation", "task": "regression"}],
        "drivers": {
            "frequentation": [
                {
                    "column": "temperature_max_c",
                    "effect": "Très fort : chaque degré ajoute des entrées, beaucoup plus quand le bassin extérieur est ouvert et qu’il fait plus de 20 °C.",
                },
                {
                    "column": "jour_semaine",
                    "effect": "Fort : le samedi et le dimanche attirent bien plus que la semaine.",
                },
                {
                    "column": "vacances_scolaires",
                    "effect": "Fort : +35 % environ pendant les vacances scolaires.",
                },
                {"column": "bassin_exterieur", "effect": "Fort en été, combiné à la température."},
                {
                    "column": "precipitations_mm",
                    "effect": "Moyen : la pluie fait baisser la fréquentation, surtout quand le bassin extérieur est ouvert.",
                },
                {
                    "column": "jour_ferie",
                    "effect": "Faible : +25 % les jours fériés (peu nombreux).",
                },
            ]
        },
        "group_columns": ["jour_semaine", "vacances_scolaires", "bassin_exterieur"],
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
