"""Generate the simulated "crèche places" dataset (the workshop's running example).

The commune of Val-de-Loire (fictional) receives more applications for crèche places than it has
places. Each row is one application examined by the yearly allocation committee (2022–2024); the
target ``place_attribuee`` says whether a place was given ("oui"/"non").

How the answer is drawn (a logistic model, written down in ``datapackage.json`` under ``drivers``):

    score = -2.0
            + 3.0 if a sibling already attends a municipal crèche (fratrie_creche = oui)
            + {tous en emploi: +1.6, un sur deux en emploi: +0.3, en formation: +0.5,
               sans emploi: -2.0}[situation_emploi]
            + 0.16 × (anciennete_demande_mois − 8)       # older applications come first
            + 0.07 × (places_quartier − 35)               # places freed in the quartier that year
            + 1.0 if single-parent family
            + 2.5 if the child has a disability (handicap_enfant = oui)
            + {moins d'1 an: −0.6, 1 à 2 ans: 0, 2 ans et plus: +0.3}[tranche_age]
    P(place) = 1 / (1 + exp(−score))

Everything else (names, contact details, NIR, quotient familial, days wanted, number of children)
has no effect. Personal data are fake: names drawn from common French names, e-mails on reserved
example domains, phone numbers in the ranges ARCEP keeps for fiction, NIR built with a valid key.

Deliberate defects are then added and listed in ``datapackage.json`` (``defects``): missing values,
duplicated applications, inconsistent spellings of ``quartier``, impossible values, a number column
polluted by text, a constant column, an identifier, a leaking column (``date_entree``, only filled
when a place was given), personal data.

Run ``python datasets/creches/generate.py`` to rewrite ``creches.csv`` and ``datapackage.json``
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

SEED = 20240301
N_APPLICATIONS = 1200
HERE = Path(__file__).resolve().parent
CSV_NAME = "creches.csv"

QUARTIERS = {  # name: places freed per year on average
    "Centre-ville": 55,
    "Les Rives": 45,
    "Saint-Martin": 38,
    "La Plaine": 30,
    "Bel-Air": 25,
    "Les Coteaux": 18,
}
QUARTIER_WEIGHTS = [0.2, 0.17, 0.17, 0.16, 0.15, 0.15]
MISSPELLINGS = {
    "Centre-ville": ["Centre ville", "CENTRE-VILLE", "centre-ville"],
    "Saint-Martin": ["St-Martin", "St Martin", "saint martin"],
    "Les Rives": ["LES RIVES", "Les rives"],
    "Les Coteaux": ["Coteaux", "Les Côteaux"],
    "Bel-Air": ["Bel Air", "BEL-AIR"],
    "La Plaine": ["La plaine"],
}
STREETS = {
    "Centre-ville": [
        "rue Nationale",
        "place de la Mairie",
        "rue du Commerce",
        "rue Porte-Chartraine",
    ],
    "Les Rives": ["quai de Loire", "rue des Mariniers", "allée des Saules", "chemin du Halage"],
    "Saint-Martin": ["rue Saint-Martin", "rue des Écoles", "impasse du Prieuré", "rue Basse"],
    "La Plaine": ["avenue de la Plaine", "rue des Blés", "rue Jean-Moulin", "allée des Vergers"],
    "Bel-Air": ["rue de Bel-Air", "rue des Tilleuls", "boulevard de l’Europe", "rue Pasteur"],
    "Les Coteaux": ["rue des Vignes", "chemin des Coteaux", "rue Victor-Hugo", "allée des Lilas"],
}
SITUATIONS = ["tous en emploi", "un sur deux en emploi", "en formation", "sans emploi"]
SITUATION_EFFECT = {
    "tous en emploi": 1.6,
    "un sur deux en emploi": 0.3,
    "en formation": 0.5,
    "sans emploi": -2.0,
}
TRANCHES = ["moins d’1 an", "1 à 2 ans", "2 ans et plus"]
TRANCHE_EFFECT = {"moins d’1 an": -0.6, "1 à 2 ans": 0.0, "2 ans et plus": 0.3}
LAST_NAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau "
    "Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François "
    "Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier "
    "Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard "
    "Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt "
    "Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier "
    "Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Diallo "
    "Nguyen Benali Traoré Haddad Kaya Ferreira Da Silva"
).split()
FIRST_NAMES_F = (
    "Camille Léa Manon Chloé Emma Inès Sarah Julie Laura Marine Pauline Anaïs Clara Lucie Mélanie "
    "Aurélie Émilie Céline Sophie Nadia Fatima Amina Yasmine Élodie Charlotte Justine Morgane Claire "
    "Hélène Aïcha"
).split()
FIRST_NAMES_M = (
    "Thomas Nicolas Julien Maxime Alexandre Kévin Romain Antoine Mathieu Guillaume Hugo Lucas "
    "Sébastien Karim Mehdi Olivier Jérôme Florian Damien Vincent Benoît Yann Samir Youssef Adrien "
    "Quentin Loïc Cédric François Rémi"
).split()
MAIL_DOMAINS = ["exemple.fr", "courriel.example", "messagerie.example.org", "exemple.com"]
BIRTH_DEPTS = ["41", "41", "41", "37", "45", "75", "69", "13", "59", "2A", "2B", "971", "33", "44"]
COLUMNS = [
    "id_demande",
    "commune",
    "annee_commission",
    "date_demande",
    "nom_parent",
    "prenom_parent",
    "email",
    "telephone",
    "adresse",
    "code_postal",
    "nir_parent",
    "date_naissance_enfant",
    "age_enfant_mois",
    "tranche_age",
    "quartier",
    "type_famille",
    "situation_emploi",
    "nb_enfants_foyer",
    "fratrie_creche",
    "handicap_enfant",
    "quotient_familial",
    "jours_souhaites",
    "anciennete_demande_mois",
    "places_quartier",
    "date_entree",
    "place_attribuee",
]


def strip_accents(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower().replace(" ", "-").replace("’", "")


def nir_key(body: str) -> int:
    """The two-digit key of a NIR body (13 characters); Corsica's 2A/2B count as 19/18."""
    number = body.replace("2A", "19", 1) if body[5:7] == "2A" else body
    number = number.replace("2B", "18", 1) if body[5:7] == "2B" else number
    return 97 - int(number) % 97


def make_nir(rng: np.random.Generator, sex: int, birth: dt.date) -> str:
    dept = str(rng.choice(BIRTH_DEPTS))
    if len(dept) == 3:  # overseas: 3-digit department, 2-digit commune
        place = dept + f"{int(rng.integers(1, 35)):02d}"
    else:
        place = dept + f"{int(rng.integers(1, 300)):03d}"
    body = f"{sex}{birth.year % 100:02d}{birth.month:02d}{place}{int(rng.integers(1, 999)):03d}"
    return f"{body}{nir_key(body):02d}"


def fr_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def phone(rng: np.random.Generator) -> str:
    # ARCEP ranges reserved for fiction: 06 39 98 xx xx (mobile), 02 61 91 xx xx (Centre-Ouest).
    prefix = "06 39 98" if rng.random() < 0.7 else "02 61 91"
    a, b = int(rng.integers(0, 100)), int(rng.integers(0, 100))
    number = f"{prefix} {a:02d} {b:02d}"
    style = rng.random()
    if style < 0.15:
        return number.replace(" ", "")
    if style < 0.25:
        return "+33 " + number[1:]
    if style < 0.32:
        return number.replace(" ", ".")
    return number


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    per_year_places = {
        (year, q): max(5, int(round(base * rng.uniform(0.85, 1.15))))
        for year in (2022, 2023, 2024)
        for q, base in QUARTIERS.items()
    }
    quartier_names = list(QUARTIERS)
    for i in range(N_APPLICATIONS):
        year = 2022 + i * 3 // N_APPLICATIONS
        commission = dt.date(year, 5, 15)
        quartier = quartier_names[int(rng.choice(len(quartier_names), p=QUARTIER_WEIGHTS))]
        anciennete = int(min(24, rng.gamma(2.2, 3.6)))
        applied = commission - dt.timedelta(days=int(anciennete * 30.4 + rng.integers(0, 30)))
        age_at_entry = int(rng.integers(3, 34))  # months, at the September entry
        entry = dt.date(year, 9, 1)
        birth = entry - dt.timedelta(days=int(age_at_entry * 30.4 + rng.integers(0, 28)))
        tranche = (
            TRANCHES[0] if age_at_entry < 12 else TRANCHES[1] if age_at_entry < 24 else TRANCHES[2]
        )
        single = rng.random() < 0.22
        if single:
            situation = str(
                rng.choice(["tous en emploi", "en formation", "sans emploi"], p=[0.6, 0.15, 0.25])
            )
        else:
            situation = str(rng.choice(SITUATIONS, p=[0.55, 0.27, 0.06, 0.12]))
        n_children = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.35, 0.15, 0.05]))
        sibling = n_children > 1 and rng.random() < 0.35
        disability = rng.random() < 0.03
        qf = int(round(rng.lognormal(math.log(1100), 0.45) / 10) * 10)
        days = int(rng.choice([2, 3, 4, 5], p=[0.08, 0.17, 0.35, 0.40]))
        places = per_year_places[(year, quartier)]
        score = (
            -2.0
            + (3.0 if sibling else 0.0)
            + SITUATION_EFFECT[situation]
            + 0.16 * (anciennete - 8)
            + 0.07 * (places - 35)
            + (1.0 if single else 0.0)
            + (2.5 if disability else 0.0)
            + TRANCHE_EFFECT[tranche]
        )
        given = rng.random() < 1 / (1 + math.exp(-score))
        sex = int(rng.choice([1, 2], p=[0.3, 0.7]))
        first = str(rng.choice(FIRST_NAMES_M if sex == 1 else FIRST_NAMES_F))
        last = str(rng.choice(LAST_NAMES))
        parent_birth = dt.date(int(rng.integers(1978, 2002)), int(rng.integers(1, 13)), 1)
        mail_style = rng.random()
        local = f"{strip_accents(first)}.{strip_accents(last)}"
        if mail_style < 0.3:
            local = f"{strip_accents(first)[0]}{strip_accents(last)}{int(rng.integers(1, 99))}"
        email = f"{local}@{rng.choice(MAIL_DOMAINS)}"
        street = str(rng.choice(STREETS[quartier]))
        rows.append(
            {
                "id_demande": f"CR-{year}-{i % 400 + 1:04d}",
                "commune": "Val-de-Loire",
                "annee_commission": str(year),
                "date_demande": fr_date(applied),
                "nom_parent": last.upper() if rng.random() < 0.5 else last,
                "prenom_parent": first,
                "email": email,
                "telephone": phone(rng),
                "adresse": f"{int(rng.integers(1, 120))} {street}",
                "code_postal": "41500",
                "nir_parent": make_nir(rng, sex, parent_birth),
                "date_naissance_enfant": fr_date(birth),
                "age_enfant_mois": str(age_at_entry),
                "tranche_age": tranche,
                "quartier": quartier,
                "type_famille": "monoparentale" if single else "couple",
                "situation_emploi": situation,
                "nb_enfants_foyer": str(n_children),
                "fratrie_creche": "oui" if sibling else "non",
                "handicap_enfant": "oui" if disability else "non",
                "quotient_familial": str(qf),
                "jours_souhaites": str(days),
                "anciennete_demande_mois": str(anciennete),
                "places_quartier": str(places),
                "date_entree": fr_date(entry + dt.timedelta(days=int(rng.integers(0, 10))))
                if given
                else "",
                "place_attribuee": "oui" if given else "non",
            }
        )
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Spoil a copy of the clean rows; return the rows and the defect list (0-based row positions
    in the final table)."""
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    # Values changed in place (positions in the clean table; shifted after duplicates are inserted).
    missing_qf = pick(72)
    for i in missing_qf:
        rows[i]["quotient_familial"] = ""
    missing_mail = pick(55)
    for i in missing_mail:
        rows[i]["email"] = ""
    missing_phone = pick(31)
    for i in missing_phone:
        rows[i]["telephone"] = ""
    misspelt = pick(48)
    for i in misspelt:
        options = MISSPELLINGS[rows[i]["quartier"]]
        rows[i]["quartier"] = str(rng.choice(options))
    outlier_qf = pick(3, set(missing_qf))
    for i, value in zip(outlier_qf, ["99999", "87000", "-150"], strict=True):
        rows[i]["quotient_familial"] = value
    outlier_age = pick(2)
    for i, value in zip(outlier_age, ["126", "-4"], strict=True):
        rows[i]["age_enfant_mois"] = value
    text_days = pick(14)
    for i in text_days:
        rows[i]["jours_souhaites"] = str(
            rng.choice(
                [
                    f"{rows[i]['jours_souhaites']} jours",
                    f"{rows[i]['jours_souhaites']}j",
                    "temps plein",
                ]
            )
        )

    # Duplicated applications (entered twice), each copy placed right after its original.
    duplicated = pick(16)
    final: list[dict] = []
    origin: list[int] = []  # for each final row, its row in the clean table
    copies: list[int] = []
    for i, row in enumerate(rows):
        final.append(row)
        origin.append(i)
        if i in duplicated:
            copies.append(len(final))
            final.append(dict(row))
            origin.append(i)

    def where(indices: list[int]) -> list[int]:
        """Final positions of the spoilt rows, their duplicated copies included."""
        chosen = set(indices)
        return [position for position, i in enumerate(origin) if i in chosen]

    given = sum(r["place_attribuee"] == "oui" for r in final)
    defects = [
        {
            "kind": "missing",
            "columns": ["quotient_familial"],
            "rows": where(missing_qf),
            "count": len(missing_qf),
            "description": "Quotient familial non renseigné : la famille n’a pas fourni son attestation CAF.",
        },
        {
            "kind": "missing",
            "columns": ["email"],
            "rows": where(missing_mail),
            "count": len(missing_mail),
            "description": "Adresse électronique absente (dossier déposé au guichet).",
        },
        {
            "kind": "missing",
            "columns": ["telephone"],
            "rows": where(missing_phone),
            "count": len(missing_phone),
            "description": "Numéro de téléphone absent.",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "count": len(copies),
            "description": "Dossiers saisis deux fois : la ligne est identique à la précédente, même numéro de demande.",
        },
        {
            "kind": "inconsistent_categories",
            "columns": ["quartier"],
            "rows": where(misspelt),
            "count": len(misspelt),
            "description": "Le même quartier écrit de plusieurs façons (« St Martin », « Centre ville », « LES RIVES »…).",
        },
        {
            "kind": "schema",
            "columns": ["quartier"],
            "rows": where(misspelt),
            "count": len(misspelt),
            "description": "Ces orthographes sortent de la liste des quartiers déclarée dans le schéma.",
        },
        {
            "kind": "outliers",
            "columns": ["quotient_familial"],
            "rows": where(outlier_qf),
            "count": len(outlier_qf),
            "description": "Quotients familiaux impossibles ou extrêmes (99 999 €, 87 000 €, −150 €) : erreurs de saisie.",
        },
        {
            "kind": "outliers",
            "columns": ["age_enfant_mois"],
            "rows": where(outlier_age),
            "count": len(outlier_age),
            "description": "Âges impossibles pour une entrée en crèche (126 mois, −4 mois).",
        },
        {
            "kind": "wrong_type",
            "columns": ["jours_souhaites"],
            "rows": where(text_days),
            "count": len(text_days),
            "description": "Nombre de jours saisi en texte libre (« 4 jours », « 5j », « temps plein ») : la colonne n’est plus lue comme un nombre.",
        },
        {
            "kind": "constant",
            "columns": ["commune", "code_postal"],
            "count": len(final),
            "description": "Même valeur sur toutes les lignes : ces colonnes n’apprennent rien au modèle.",
        },
        {
            "kind": "identifier",
            "columns": ["id_demande"],
            "count": len(final),
            "description": "Numéro de dossier : une valeur par demande, sans lien avec la décision.",
        },
        {
            "kind": "leakage",
            "columns": ["date_entree"],
            "count": given,
            "description": "La date d’entrée n’est remplie que si une place a été attribuée : elle donne la réponse et n’existe pas au moment du dépôt du dossier.",
        },
        {
            "kind": "personal_data",
            "columns": [
                "nom_parent",
                "prenom_parent",
                "email",
                "telephone",
                "adresse",
                "nir_parent",
                "date_naissance_enfant",
            ],
            "count": len(final),
            "description": "Données personnelles (fictives) : nom, prénom, courriel, téléphone, adresse, numéro de sécurité sociale (NIR), date de naissance de l’enfant.",
        },
    ]
    for defect in defects:  # counts include the duplicated copies of spoilt rows
        if "rows" in defect:
            defect["count"] = len(defect["rows"])
    return final, defects


def write_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
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


def descriptor(rows: list[dict], defects: list[dict]) -> dict:
    date_format = "%d/%m/%Y"
    fields = [
        field(
            "id_demande",
            "string",
            "Numéro de demande",
            "Identifiant du dossier de demande (CR-année-numéro).",
        ),
        field("commune", "string", "Commune", "Commune de résidence de la famille."),
        field(
            "annee_commission",
            "integer",
            "Année de la commission",
            "Année de la commission d’attribution (en mai).",
            "année",
        ),
        field(
            "date_demande",
            "date",
            "Date de la demande",
            "Date de dépôt du dossier (jj/mm/aaaa).",
            format=date_format,
        ),
        field(
            "nom_parent", "string", "Nom du parent", "Nom de famille du parent demandeur (fictif)."
        ),
        field(
            "prenom_parent", "string", "Prénom du parent", "Prénom du parent demandeur (fictif)."
        ),
        field(
            "email",
            "string",
            "Courriel",
            "Adresse électronique du parent (fictive, domaines réservés aux exemples).",
        ),
        field(
            "telephone",
            "string",
            "Téléphone",
            "Numéro de téléphone (fictif, plages réservées par l’ARCEP).",
        ),
        field("adresse", "string", "Adresse", "Numéro et voie du domicile."),
        field(
            "code_postal",
            "string",
            "Code postal",
            "Code postal du domicile (texte : garde ses zéros de tête).",
        ),
        field(
            "nir_parent",
            "string",
            "NIR du parent",
            "Numéro de sécurité sociale du parent (fictif, clé valide).",
        ),
        field(
            "date_naissance_enfant",
            "date",
            "Date de naissance de l’enfant",
            "Date de naissance de l’enfant (jj/mm/aaaa).",
            format=date_format,
        ),
        field(
            "age_enfant_mois",
            "integer",
            "Âge à l’entrée",
            "Âge de l’enfant à l’entrée souhaitée, le 1er septembre.",
            "mois",
        ),
        field(
            "tranche_age",
            "string",
            "Tranche d’âge",
            "Tranche d’âge de l’enfant à l’entrée.",
            constraints={"enum": TRANCHES},
        ),
        field(
            "quartier",
            "string",
            "Quartier",
            "Quartier du domicile ; chaque quartier a sa crèche municipale.",
            constraints={"enum": list(QUARTIERS)},
        ),
        field(
            "type_famille",
            "string",
            "Type de famille",
            "Couple ou famille monoparentale.",
            constraints={"enum": ["couple", "monoparentale"]},
        ),
        field(
            "situation_emploi",
            "string",
            "Situation des parents",
            "Situation d’emploi du ou des parents.",
            constraints={"enum": SITUATIONS},
        ),
        field(
            "nb_enfants_foyer",
            "integer",
            "Enfants du foyer",
            "Nombre d’enfants dans le foyer, y compris celui de la demande.",
            "enfants",
        ),
        field(
            "fratrie_creche",
            "string",
            "Fratrie en crèche",
            "Un frère ou une sœur fréquente déjà une crèche municipale (oui/non).",
            constraints={"enum": ["oui", "non"]},
        ),
        field(
            "handicap_enfant",
            "string",
            "Handicap de l’enfant",
            "L’enfant a un handicap reconnu (oui/non).",
            constraints={"enum": ["oui", "non"]},
        ),
        field(
            "quotient_familial",
            "integer",
            "Quotient familial",
            "Quotient familial CAF du foyer.",
            "€ par mois",
        ),
        field(
            "jours_souhaites",
            "integer",
            "Jours souhaités",
            "Nombre de jours d’accueil souhaités par semaine.",
            "jours par semaine",
        ),
        field(
            "anciennete_demande_mois",
            "integer",
            "Ancienneté de la demande",
            "Temps écoulé entre le dépôt du dossier et la commission.",
            "mois",
        ),
        field(
            "places_quartier",
            "integer",
            "Places libérées dans le quartier",
            "Places libérées cette année-là dans la crèche du quartier.",
            "places",
        ),
        field(
            "date_entree",
            "date",
            "Date d’entrée",
            "Date d’entrée effective en crèche (remplie après la décision).",
            format=date_format,
        ),
        field(
            "place_attribuee",
            "string",
            "Place attribuée",
            "Décision de la commission : une place a-t-elle été attribuée ? (oui/non)",
            constraints={"enum": ["oui", "non"]},
        ),
    ]
    return {
        "name": "creches",
        "title": "Attribution des places en crèche à Val-de-Loire",
        "description": (
            "Demandes de places en crèche municipale examinées par la commission d’attribution de "
            "Val-de-Loire (commune fictive) de 2022 à 2024, avec la décision prise. C’est l’exemple "
            "fil rouge de l’atelier : peut-on prévoir, dès le dépôt d’un dossier, ses chances "
            "d’aboutir ? Données simulées : les personnes n’existent pas."
        ),
        "keywords": ["crèche", "petite enfance", "attribution", "famille", "commission", "RGPD"],
        "theme": "Petite enfance et famille",
        "producer": "Commune de Val-de-Loire (fictive), service petite enfance",
        "coverage": {"spatial": "Val-de-Loire (commune fictive)", "temporal": "2022–2024"},
        "updated": "2025-01-15",
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "sources": [
            {
                "title": "Données simulées par Datalab (générateur fourni)",
                "path": "generate.py",
            }
        ],
        "simulated": True,
        "generator": "datasets/creches/generate.py",
        "resources": [
            {
                "name": "creches",
                "path": CSV_NAME,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ";"},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [{"column": "place_attribuee", "task": "classification"}],
        "drivers": {
            "place_attribuee": [
                {
                    "column": "fratrie_creche",
                    "effect": "Très fort : un frère ou une sœur déjà en crèche fait nettement monter les chances (priorité de fratrie).",
                },
                {
                    "column": "places_quartier",
                    "effect": "Moyen : moins de places libérées dans le quartier, moins de chances (Les Coteaux et Bel-Air sont défavorisés).",
                },
                {
                    "column": "situation_emploi",
                    "effect": "Fort : les familles où tous les parents travaillent passent en priorité ; « sans emploi » fait baisser les chances.",
                },
                {
                    "column": "anciennete_demande_mois",
                    "effect": "Fort : plus le dossier est ancien, plus les chances montent (environ +17 % de cote par mois d’attente).",
                },
                {
                    "column": "quartier",
                    "effect": "Moyen, à travers le nombre de places de chaque quartier.",
                },
                {
                    "column": "type_famille",
                    "effect": "Modéré : les familles monoparentales sont prioritaires.",
                },
                {
                    "column": "handicap_enfant",
                    "effect": "Fort mais rare : un handicap reconnu donne la priorité (3 % des dossiers).",
                },
                {
                    "column": "tranche_age",
                    "effect": "Faible : les bébés de moins d’un an ont un peu moins de chances (peu de places bébés).",
                },
            ]
        },
        "group_columns": ["quartier", "tranche_age", "type_famille"],
        "defects": defects,
    }


def build() -> tuple[bytes, bytes]:
    rng = np.random.default_rng(SEED)
    rows = draw(rng)
    rows, defects = add_defects(rng, rows)
    data = write_csv(rows)
    package = json.dumps(descriptor(rows, defects), ensure_ascii=False, indent=2) + "\n"
    return data, package.encode("utf-8")


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
