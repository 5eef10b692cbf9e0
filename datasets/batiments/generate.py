"""Generate the simulated "energy use of public buildings" dataset (regression).

The communes of a fictional intercommunality of the Ardèche (département 07) pool the energy
records of their buildings (schools, town halls, gyms, libraries…) to decide which ones to renovate
first. Each row is one building with its type, age, surface, heating, insulation, altitude and hours
of use; the target ``consommation_kwh_m2`` is its yearly final energy use per square metre.

How the consumption is drawn (written down in ``datapackage.json`` under ``drivers``):

    kWh/m²/year = {école: 130, mairie: 140, médiathèque: 150, crèche: 170, gymnase: 110,
                   salle polyvalente: 100, centre technique: 120}[type_batiment]
                  × age factor {≤1948: 1.25, 1949–1974: 1.45, 1975–1988: 1.15, 1989–2005: 0.95,
                                2006 and later: 0.7}[annee_construction]
                  × {non: 1.3, partielle: 1.1, oui: 0.88}[isolation_toiture]
                  × {simple vitrage: 1.2, double vitrage ancien: 1.0,
                     double vitrage récent: 0.88}[menuiseries]
                  × (1 + 0.4 × altitude_m / 1000)
                  × (1 + 0.008 × (heures_occupation_semaine − 40))
                  × {fioul: 1.1, gaz naturel: 1.0, bois: 1.05, réseau de chaleur: 0.95,
                     électricité: 0.9}[energie_chauffage]
                  × lognormal(0, 0.1)

The surface, the commune and the owner's SIRET number have no effect.

Stored as a comma-separated file exported with French settings: decimal commas inside quoted fields
(``"142,7"``), département ``07`` and INSEE codes ``07186`` with their leading zero, SIRET numbers
(valid Luhn key) that must stay text. Deliberate defects are listed in ``datapackage.json``.

Run ``python datasets/batiments/generate.py`` to rewrite ``batiments.csv`` and ``datapackage.json``
byte for byte (seeded); ``--out DIR`` writes them elsewhere.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import numpy as np

SEED = 20220901
N_BUILDINGS = 460
HERE = Path(__file__).resolve().parent
CSV_NAME = "batiments.csv"
COMMUNES = {  # name: (INSEE code, altitude of the town centre in m)
    "Privas": ("07186", 300),
    "Aubenas": ("07019", 320),
    "Annonay": ("07010", 350),
    "Le Cheylard": ("07064", 440),
    "Lamastre": ("07131", 380),
    "Saint-Agrève": ("07204", 1050),
    "Vals-les-Bains": ("07331", 250),
    "Lalouvesc": ("07128", 1080),
    "Le Teil": ("07319", 80),
    "Bourg-Saint-Andéol": ("07042", 60),
}
TYPES = {
    "école": 130,
    "mairie": 140,
    "médiathèque": 150,
    "crèche": 170,
    "gymnase": 110,
    "salle polyvalente": 100,
    "centre technique": 120,
}
TYPE_WEIGHTS = [0.3, 0.12, 0.08, 0.07, 0.13, 0.2, 0.1]
SURFACES = {  # median surface (m²)
    "école": 1400,
    "mairie": 700,
    "médiathèque": 600,
    "crèche": 450,
    "gymnase": 1600,
    "salle polyvalente": 500,
    "centre technique": 900,
}
NAMES = {
    "école": [
        "École Jules-Ferry",
        "École du Centre",
        "École des Tilleuls",
        "Groupe scolaire Pasteur",
    ],
    "mairie": ["Hôtel de ville", "Mairie annexe"],
    "médiathèque": ["Médiathèque", "Bibliothèque municipale"],
    "crèche": ["Crèche Les Petits Pas", "Multi-accueil"],
    "gymnase": ["Gymnase municipal", "Halle des sports"],
    "salle polyvalente": ["Salle des fêtes", "Salle polyvalente", "Espace associatif"],
    "centre technique": ["Centre technique municipal", "Ateliers municipaux"],
}
MISSPELLINGS = {
    "école": ["Ecole", "ÉCOLE", "ecole"],
    "salle polyvalente": ["Salle polyvalente", "salle des fêtes", "SALLE POLYVALENTE"],
    "gymnase": ["Gymnase", "gymnase municipal"],
    "mairie": ["Mairie", "hôtel de ville"],
    "médiathèque": ["mediatheque", "Médiathèque"],
    "crèche": ["creche", "Crèche"],
    "centre technique": ["CTM", "Centre technique"],
}
ENERGIES = {
    "gaz naturel": 1.0,
    "fioul": 1.1,
    "électricité": 0.9,
    "bois": 1.05,
    "réseau de chaleur": 0.95,
}
ENERGY_WEIGHTS = [0.42, 0.18, 0.22, 0.1, 0.08]
INSULATION = {"non": 1.3, "partielle": 1.1, "oui": 0.88}
WINDOWS = {"simple vitrage": 1.2, "double vitrage ancien": 1.0, "double vitrage récent": 0.88}
COLUMNS = [
    "id_batiment",
    "nom_batiment",
    "type_batiment",
    "commune",
    "departement",
    "code_insee",
    "siret_proprietaire",
    "annee_construction",
    "surface_m2",
    "energie_chauffage",
    "isolation_toiture",
    "menuiseries",
    "altitude_m",
    "heures_occupation_semaine",
    "consommation_kwh_m2",
    "etiquette_energie",
]


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit (used by SIREN numbers)."""
    for check in range(10):
        candidate = digits + str(check)
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def siret(insee: str) -> str:
    """A fictional town-hall SIRET: SIREN "21" + INSEE code + "0" + Luhn key, then "0001" + key."""
    siren = luhn_complete("21" + insee + "0")
    return luhn_complete(siren + "0001")


def age_factor(year: int) -> float:
    if year <= 1948:
        return 1.25
    if year <= 1974:
        return 1.45
    if year <= 1988:
        return 1.15
    if year <= 2005:
        return 0.95
    return 0.7


def energy_label(kwh: float) -> str:
    for limit, label in [(50, "A"), (90, "B"), (150, "C"), (230, "D"), (330, "E"), (450, "F")]:
        if kwh <= limit:
            return label
    return "G"


def fr(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    communes = list(COMMUNES)
    types = list(TYPES)
    energies = list(ENERGIES)
    for i in range(N_BUILDINGS):
        commune = communes[int(rng.integers(0, len(communes)))]
        insee, town_altitude = COMMUNES[commune]
        kind = types[int(rng.choice(len(types), p=TYPE_WEIGHTS))]
        year = int(
            rng.choice(
                [int(rng.integers(1880, 1949)), int(rng.integers(1949, 2024))], p=[0.25, 0.75]
            )
        )
        surface = float(rng.lognormal(np.log(SURFACES[kind]), 0.35))
        energy = energies[int(rng.choice(len(energies), p=ENERGY_WEIGHTS))]
        renovated = rng.random() < (0.25 if year < 1990 else 0.8)
        insulation = "oui" if renovated else str(rng.choice(["non", "partielle"], p=[0.55, 0.45]))
        if year >= 2006:
            windows = "double vitrage récent"
        else:
            windows = str(rng.choice(list(WINDOWS), p=[0.25, 0.45, 0.3]))
        altitude = int(max(50, town_altitude + rng.normal(0, 60)))
        hours = int(np.clip(rng.normal(45 if kind != "salle polyvalente" else 25, 12), 6, 90))
        kwh = (
            TYPES[kind]
            * age_factor(year)
            * INSULATION[insulation]
            * WINDOWS[windows]
            * (1 + 0.4 * altitude / 1000)
            * (1 + 0.008 * (hours - 40))
            * ENERGIES[energy]
            * rng.lognormal(0, 0.1)
        )
        rows.append(
            {
                "id_batiment": f"BAT-{i + 1:04d}",
                "nom_batiment": f"{rng.choice(NAMES[kind])} ({commune})",
                "type_batiment": kind,
                "commune": commune,
                "departement": "07",
                "code_insee": insee,
                "siret_proprietaire": siret(insee),
                "annee_construction": str(year),
                "surface_m2": str(int(round(surface))),
                "energie_chauffage": energy,
                "isolation_toiture": insulation,
                "menuiseries": windows,
                "altitude_m": str(altitude),
                "heures_occupation_semaine": str(hours),
                "consommation_kwh_m2": fr(kwh, 1),
                "etiquette_energie": energy_label(kwh),
            }
        )
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    missing_year = pick(31)
    for i in missing_year:
        rows[i]["annee_construction"] = ""
    missing_hours = pick(17)
    for i in missing_hours:
        rows[i]["heures_occupation_semaine"] = ""
    spelt = pick(38)
    for i in spelt:
        rows[i]["type_batiment"] = str(rng.choice(MISSPELLINGS[rows[i]["type_batiment"]]))
    bad_surface = pick(3)
    for i, value in zip(bad_surface, ["0", "99999", "12"], strict=True):
        rows[i]["surface_m2"] = value
    text_surface = pick(11, set(bad_surface))
    for i in text_surface:
        rows[i]["surface_m2"] = f"{rows[i]['surface_m2']} m²"

    duplicated = set(pick(5))
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
            "columns": ["annee_construction"],
            "rows": where(missing_year),
            "description": "Année de construction inconnue (bâtiments anciens sans archives).",
        },
        {
            "kind": "missing",
            "columns": ["heures_occupation_semaine"],
            "rows": where(missing_hours),
            "description": "Heures d’occupation non renseignées par la commune.",
        },
        {
            "kind": "inconsistent_categories",
            "columns": ["type_batiment"],
            "rows": where(spelt),
            "description": "Le même type de bâtiment écrit de plusieurs façons (« école », « Ecole », « ÉCOLE », « CTM » pour centre technique…).",
        },
        {
            "kind": "outliers",
            "columns": ["surface_m2"],
            "rows": where(bad_surface),
            "description": "Surfaces impossibles (0 m², 12 m², 99 999 m²) : erreurs de saisie.",
        },
        {
            "kind": "wrong_type",
            "columns": ["surface_m2"],
            "rows": where(text_surface),
            "description": "Surface saisie avec son unité (« 850 m² ») : la colonne n’est plus lue comme un nombre.",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "description": "Bâtiments déclarés deux fois par leur commune.",
        },
        {
            "kind": "constant",
            "columns": ["departement"],
            "count": len(final),
            "description": "Tous les bâtiments sont en Ardèche (07) : colonne constante.",
        },
        {
            "kind": "identifier",
            "columns": ["id_batiment"],
            "count": len(final),
            "description": "Identifiant du bâtiment : une valeur par ligne.",
        },
        {
            "kind": "leakage",
            "columns": ["etiquette_energie"],
            "count": len(final),
            "description": "L’étiquette énergie est calculée à partir de la consommation (classes de A à G) : la garder revient à donner la réponse.",
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
    comma = {"decimalChar": ","}
    fields = [
        field(
            "id_batiment",
            "string",
            "Bâtiment",
            "Identifiant du bâtiment dans l’inventaire intercommunal.",
        ),
        field("nom_batiment", "string", "Nom", "Nom usuel du bâtiment et sa commune."),
        field(
            "type_batiment",
            "string",
            "Type de bâtiment",
            "Usage principal du bâtiment.",
            constraints={"enum": list(TYPES)},
        ),
        field("commune", "string", "Commune", "Commune propriétaire du bâtiment."),
        field(
            "departement",
            "string",
            "Département",
            "Code du département (texte : « 07 » garde son zéro).",
        ),
        field(
            "code_insee",
            "string",
            "Code INSEE",
            "Code officiel géographique de la commune (« 07186 » pour Privas).",
        ),
        field(
            "siret_proprietaire",
            "string",
            "SIRET du propriétaire",
            "Numéro SIRET de la commune propriétaire (14 chiffres, texte).",
        ),
        field(
            "annee_construction",
            "integer",
            "Année de construction",
            "Année de construction du bâtiment.",
            "année",
        ),
        field("surface_m2", "integer", "Surface", "Surface chauffée.", "m²"),
        field(
            "energie_chauffage",
            "string",
            "Énergie de chauffage",
            "Énergie principale du chauffage.",
            constraints={"enum": list(ENERGIES)},
        ),
        field(
            "isolation_toiture",
            "string",
            "Isolation de la toiture",
            "La toiture est-elle isolée ? (oui, partielle, non)",
            constraints={"enum": list(INSULATION)},
        ),
        field(
            "menuiseries",
            "string",
            "Menuiseries",
            "Type de fenêtres.",
            constraints={"enum": list(WINDOWS)},
        ),
        field("altitude_m", "integer", "Altitude", "Altitude du bâtiment.", "m"),
        field(
            "heures_occupation_semaine",
            "integer",
            "Heures d’occupation",
            "Heures d’occupation par semaine en période scolaire.",
            "heures par semaine",
        ),
        field(
            "consommation_kwh_m2",
            "number",
            "Consommation",
            "Consommation d’énergie finale sur l’année 2023, rapportée à la surface.",
            "kWh/m²/an",
            **comma,
        ),
        field(
            "etiquette_energie",
            "string",
            "Étiquette énergie",
            "Classe de consommation de A (sobre) à G, calculée à partir de la consommation.",
            constraints={"enum": list("ABCDEFG")},
        ),
    ]
    return {
        "name": "batiments",
        "title": "Consommation d’énergie des bâtiments publics",
        "description": (
            "Bâtiments communaux d’une communauté de communes fictive de l’Ardèche (écoles, mairies, "
            "gymnases, médiathèques…) avec leurs caractéristiques et leur consommation d’énergie en "
            "2023. Question : prévoir la consommation d’un bâtiment pour repérer ceux à rénover en "
            "priorité (décret tertiaire). Données simulées ; fichier séparé par des virgules avec des "
            "virgules décimales entre guillemets."
        ),
        "keywords": [
            "énergie",
            "bâtiment",
            "rénovation",
            "consommation",
            "patrimoine",
            "décret tertiaire",
            "chauffage",
        ],
        "theme": "Énergie et patrimoine bâti",
        "producer": "Communauté de communes des Boutières et du Vivarais (fictive)",
        "coverage": {"spatial": "10 communes de l’Ardèche (07)", "temporal": "2023"},
        "updated": "2024-06-30",
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
        "generator": "datasets/batiments/generate.py",
        "resources": [
            {
                "name": "batiments",
                "path": CSV_NAME,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ","},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [{"column": "consommation_kwh_m2", "task": "regression"}],
        "drivers": {
            "consommation_kwh_m2": [
                {
                    "column": "annee_construction",
                    "effect": "Fort : les bâtiments de 1949 à 1974 consomment le plus, ceux construits après 2005 le moins.",
                },
                {
                    "column": "isolation_toiture",
                    "effect": "Fort : une toiture non isolée fait consommer environ 45 % de plus qu’une toiture isolée.",
                },
                {
                    "column": "altitude_m",
                    "effect": "Moyen : +4 % par tranche de 100 m d’altitude (hivers plus froids).",
                },
                {
                    "column": "menuiseries",
                    "effect": "Moyen : le simple vitrage ajoute environ 20 %.",
                },
                {
                    "column": "type_batiment",
                    "effect": "Moyen : une crèche (chauffée toute la journée, à température élevée) consomme bien plus qu’une salle polyvalente.",
                },
                {
                    "column": "heures_occupation_semaine",
                    "effect": "Modéré : un bâtiment occupé plus longtemps consomme plus.",
                },
                {
                    "column": "energie_chauffage",
                    "effect": "Faible : le fioul consomme un peu plus, l’électricité un peu moins en énergie finale.",
                },
            ]
        },
        "group_columns": ["commune", "type_batiment"],
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
