"""Generate the simulated "waste collection tonnage" dataset (regression).

A fictional agglomeration around Bastia (Haute-Corse, département 2B) weighs every collection round
each week. Each row is one round (tournée) for one waste stream (flux) during one week of 2023; the
target ``tonnage_t`` is the weight collected, in tonnes. The question: plan trucks and crews, and
spot rounds whose tonnage drifts.

How the tonnage is drawn (written down in ``datapackage.json`` under ``drivers``):

    kg per household per week = {OMR: 4.2, emballages: 1.1, biodéchets: 0.9}[flux]
    habitat factor            = collectif {OMR 0.9, emballages 0.8, biodéchets 0.6},
                                pavillonnaire {1.05, 1.1, 1.3}, mixte {1, 1, 1}
    summer factor (July–August, tourists) = {OMR 1.3, emballages 1.4, biodéchets 1.1}
    tonnage_t = nb_foyers × kg × habitat × summer × (0.88 if a public holiday falls in the week)
                / 1000 × (1 + N(0, 0.06))

The crew leader's name and the round length have no effect.

Stored as a spreadsheet export: UTF-8 with a byte-order mark, ``;`` separator, decimal comma, dates
``jj/mm/aaaa``, households written with a non-breaking space as thousands separator (``1 250``);
INSEE codes of Corsica keep their letter (``2B033``). Deliberate defects are in ``datapackage.json``.

Run ``python datasets/collecte/generate.py`` to rewrite ``collecte.csv`` and ``datapackage.json``
byte for byte (seeded); ``--out DIR`` writes them elsewhere.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np

SEED = 20230102
HERE = Path(__file__).resolve().parent
CSV_NAME = "collecte.csv"
NBSP = "\u00a0"
ROUNDS = [  # code, commune, INSEE code, habitat, households served (OMR), length (km)
    ("T01", "Bastia", "2B033", "collectif", 3900, 14.0),
    ("T02", "Bastia", "2B033", "collectif", 3400, 12.5),
    ("T03", "Bastia", "2B033", "mixte", 2600, 18.0),
    ("T04", "Biguglia", "2B037", "pavillonnaire", 2300, 31.0),
    ("T05", "Furiani", "2B120", "mixte", 1700, 22.5),
    ("T06", "Ville-di-Pietrabugno", "2B353", "pavillonnaire", 1250, 19.0),
    ("T07", "San-Martino-di-Lota", "2B305", "pavillonnaire", 850, 24.0),
    ("T08", "Santa-Maria-di-Lota", "2B309", "pavillonnaire", 620, 21.0),
]
STREAMS = {"OMR": 4.2, "emballages": 1.1, "biodéchets": 0.9}
SHARE_SERVED = {"OMR": 1.0, "emballages": 1.0, "biodéchets": 0.55}  # households in the stream
HABITAT = {
    "collectif": {"OMR": 0.9, "emballages": 0.8, "biodéchets": 0.6},
    "pavillonnaire": {"OMR": 1.05, "emballages": 1.1, "biodéchets": 1.3},
    "mixte": {"OMR": 1.0, "emballages": 1.0, "biodéchets": 1.0},
}
SUMMER = {"OMR": 1.3, "emballages": 1.4, "biodéchets": 1.1}
PUBLIC_HOLIDAYS = [
    "2023-01-01", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-18", "2023-05-29",
    "2023-07-14", "2023-08-15", "2023-11-01", "2023-11-11", "2023-12-25",
]  # fmt: skip
MISSPELLINGS = {
    "OMR": ["Ordures ménagères", "omr", "O.M.R."],
    "emballages": ["Emballages", "EMBALLAGES", "emballage"],
    "biodéchets": ["biodechets", "Bio-déchets", "BIODECHETS"],
}
LEADERS = [
    "Paul Santini", "Marie-Ange Colonna", "Jean-Baptiste Filippi", "Antoine Leca",
    "Dominique Mattei", "Laetitia Casanova", "Pierre-Louis Giudicelli", "Sandrine Ottaviani",
]  # fmt: skip
COLUMNS = [
    "semaine_du",
    "num_semaine",
    "departement",
    "code_insee",
    "commune",
    "tournee",
    "flux",
    "habitat",
    "chef_equipe",
    "nb_foyers",
    "longueur_km",
    "jour_ferie_semaine",
    "saison",
    "tonnage_t",
    "cout_traitement",
]
PRICE_PER_TONNE = {"OMR": 145.0, "emballages": 60.0, "biodéchets": 85.0}


def fr_number(value: float, decimals: int, group: str = " ") -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", group)


def season(day: dt.date) -> str:
    if day.month in (7, 8):
        return "été (saison touristique)"
    if day.month in (12, 1, 2):
        return "hiver"
    if day.month in (3, 4, 5):
        return "printemps"
    if day.month == 6:
        return "printemps"
    return "automne"


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    monday = dt.date(2023, 1, 2)
    for week in range(1, 53):
        holiday = any(
            monday.isoformat() <= h <= (monday + dt.timedelta(days=6)).isoformat()
            for h in PUBLIC_HOLIDAYS
        )
        summer = monday.month in (7, 8)
        for code, commune, insee, habitat, households, length in ROUNDS:
            leader = LEADERS[int(code[1:]) - 1]
            if rng.random() < 0.12:  # replacement crew leader
                leader = LEADERS[int(rng.integers(0, len(LEADERS)))]
            for stream, kg in STREAMS.items():
                served = int(round(households * SHARE_SERVED[stream] * (1 + 0.002 * week)))
                tonnes = (
                    served
                    * kg
                    * HABITAT[habitat][stream]
                    * (SUMMER[stream] if summer else 1.0)
                    * (0.88 if holiday else 1.0)
                    / 1000
                    * (1 + rng.normal(0, 0.06))
                )
                rows.append(
                    {
                        "semaine_du": monday.strftime("%d/%m/%Y"),
                        "num_semaine": str(week),
                        "departement": "2B",
                        "code_insee": insee,
                        "commune": commune,
                        "tournee": code,
                        "flux": stream,
                        "habitat": habitat,
                        "chef_equipe": leader,
                        "nb_foyers": fr_number(served, 0, NBSP),
                        "longueur_km": fr_number(length * rng.uniform(0.97, 1.03), 1),
                        "jour_ferie_semaine": "oui" if holiday else "non",
                        "saison": season(monday),
                        "tonnage_t": fr_number(tonnes, 2),
                        "cout_traitement": fr_number(tonnes * PRICE_PER_TONNE[stream], 2, NBSP)
                        + " €",
                    }
                )
        monday += dt.timedelta(days=7)
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    missing = pick(22)
    for i in missing:
        rows[i]["tonnage_t"] = ""
        rows[i]["cout_traitement"] = ""
    not_omr = {i for i in range(n) if rows[i]["flux"] != "OMR"}
    shifted = pick(4, set(missing) | not_omr)  # on household waste, where ×10 is unmistakable
    for i in shifted:  # decimal comma typed one place too far: ×10
        value = float(rows[i]["tonnage_t"].replace(",", "."))
        rows[i]["tonnage_t"] = fr_number(value * 10, 2)
    negative = pick(1, set(missing) | set(shifted))
    for i in negative:
        rows[i]["tonnage_t"] = "-" + rows[i]["tonnage_t"]
    spelt = pick(36)
    for i in spelt:
        rows[i]["flux"] = str(rng.choice(MISSPELLINGS[rows[i]["flux"]]))
    text_length = pick(18)
    for i in text_length:
        rows[i]["longueur_km"] = rows[i]["longueur_km"] + " km"

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
            "columns": ["tonnage_t", "cout_traitement"],
            "rows": where(missing),
            "description": "Pesée manquante (pont-bascule en panne) : le tonnage, donc la cible, est vide.",
        },
        {
            "kind": "outliers",
            "columns": ["tonnage_t"],
            "rows": where(sorted(shifted + negative)),
            "description": "Tonnages aberrants : virgule décalée (valeur multipliée par 10) et un tonnage négatif.",
        },
        {
            "kind": "inconsistent_categories",
            "columns": ["flux"],
            "rows": where(spelt),
            "description": "Le même flux écrit de plusieurs façons (« OMR », « Ordures ménagères », « omr », « biodechets »…).",
        },
        {
            "kind": "wrong_type",
            "columns": ["longueur_km"],
            "rows": where(text_length),
            "description": "Longueur saisie avec son unité (« 14,2 km ») : la colonne n’est plus lue comme un nombre.",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "description": "Pesées enregistrées deux fois (même semaine, même tournée, même flux).",
        },
        {
            "kind": "constant",
            "columns": ["departement"],
            "count": len(final),
            "description": "Toutes les tournées sont en Haute-Corse (2B) : colonne constante.",
        },
        {
            "kind": "leakage",
            "columns": ["cout_traitement"],
            "count": len(final),
            "description": "Le coût de traitement est calculé à partir du tonnage pesé (prix à la tonne) : il donne la réponse.",
        },
        {
            "kind": "personal_data",
            "columns": ["chef_equipe"],
            "count": len(final),
            "description": "Nom et prénom du chef d’équipe (fictifs) : des données personnelles d’agents, inutiles pour la question.",
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
    return buffer.getvalue().encode("utf-8-sig")


def field(name, type_, title, description, unit=None, **extra) -> dict:
    spec = {"name": name, "type": type_, "title": title, "description": description}
    if unit:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def descriptor(defects: list[dict]) -> dict:
    number = {"decimalChar": ","}
    fields = [
        field(
            "semaine_du",
            "date",
            "Semaine du",
            "Lundi de la semaine de collecte (jj/mm/aaaa).",
            format="%d/%m/%Y",
        ),
        field(
            "num_semaine",
            "integer",
            "Numéro de semaine",
            "Numéro de la semaine dans l’année.",
            "semaine",
        ),
        field("departement", "string", "Département", "Code du département (texte : « 2B »)."),
        field(
            "code_insee",
            "string",
            "Code INSEE",
            "Code officiel géographique de la commune (« 2B033 » pour Bastia).",
        ),
        field("commune", "string", "Commune", "Commune desservie par la tournée."),
        field("tournee", "string", "Tournée", "Code de la tournée de collecte (un secteur)."),
        field(
            "flux",
            "string",
            "Flux",
            "Flux de déchets collecté : ordures ménagères résiduelles (OMR), emballages ou biodéchets.",
            constraints={"enum": list(STREAMS)},
        ),
        field(
            "habitat",
            "string",
            "Habitat",
            "Type d’habitat dominant du secteur.",
            constraints={"enum": list(HABITAT)},
        ),
        field("chef_equipe", "string", "Chef d’équipe", "Prénom et nom du chef d’équipe (fictif)."),
        field(
            "nb_foyers",
            "number",
            "Foyers desservis",
            "Nombre de foyers desservis par la tournée pour ce flux (nombre entier, écrit avec une espace insécable entre les milliers).",
            "foyers",
            groupChar=NBSP,
        ),
        field(
            "longueur_km", "number", "Longueur", "Longueur du circuit de collecte.", "km", **number
        ),
        field(
            "jour_ferie_semaine",
            "string",
            "Jour férié dans la semaine",
            "Un jour férié tombe-t-il dans la semaine ? (oui/non)",
            constraints={"enum": ["oui", "non"]},
        ),
        field(
            "saison",
            "string",
            "Saison",
            "Saison de la semaine de collecte (l’été est la saison touristique).",
        ),
        field(
            "tonnage_t",
            "number",
            "Tonnage",
            "Poids collecté par la tournée sur la semaine.",
            "tonnes",
            **number,
        ),
        field(
            "cout_traitement",
            "number",
            "Coût de traitement",
            "Coût du traitement des déchets collectés (prix à la tonne × tonnage).",
            "€",
            decimalChar=",",
            groupChar=NBSP,
            bareNumber=False,
        ),
    ]
    return {
        "name": "collecte",
        "title": "Tonnages de la collecte des déchets par tournée",
        "description": (
            "Poids des déchets collectés chaque semaine de 2023 par tournée et par flux (ordures "
            "ménagères résiduelles, emballages, biodéchets) dans une agglomération fictive autour de "
            "Bastia. Question : prévoir le tonnage pour dimensionner camions et équipes, surtout en "
            "saison touristique. Données simulées, export de tableur (point-virgule, virgule décimale, "
            "espaces insécables)."
        ),
        "keywords": [
            "déchets",
            "collecte",
            "tonnage",
            "ordures ménagères",
            "tournée",
            "biodéchets",
            "emballages",
        ],
        "theme": "Déchets et propreté",
        "producer": "Communauté d’agglomération de Bastia (fictive), service collecte",
        "coverage": {
            "spatial": "6 communes autour de Bastia (Haute-Corse)",
            "temporal": "2023, par semaine",
        },
        "updated": "2024-02-12",
        "licenses": [
            {
                "name": "odc-odbl",
                "title": "Open Database License (ODbL) 1.0",
                "path": "https://opendatacommons.org/licenses/odbl/1-0/",
            }
        ],
        "sources": [
            {"title": "Données simulées par Datalab (générateur fourni)", "path": "generate.py"}
        ],
        "simulated": True,
        "generator": "datasets/collecte/generate.py",
        "resources": [
            {
                "name": "collecte",
                "path": CSV_NAME,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";"},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [{"column": "tonnage_t", "task": "regression"}],
        "drivers": {
            "tonnage_t": [
                {
                    "column": "nb_foyers",
                    "effect": "Très fort : le tonnage est proportionnel au nombre de foyers desservis.",
                },
                {
                    "column": "flux",
                    "effect": "Très fort : un foyer produit environ 4,2 kg d’ordures résiduelles par semaine, contre 1,1 kg d’emballages et 0,9 kg de biodéchets.",
                },
                {
                    "column": "saison",
                    "effect": "Moyen : +30 à +40 % en juillet-août avec les touristes.",
                },
                {
                    "column": "habitat",
                    "effect": "Moyen : l’habitat pavillonnaire produit plus d’emballages et de biodéchets (jardins) que l’habitat collectif.",
                },
                {
                    "column": "jour_ferie_semaine",
                    "effect": "Faible : −12 % les semaines avec un jour férié (une collecte en moins).",
                },
            ]
        },
        "group_columns": ["commune", "habitat", "flux"],
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
