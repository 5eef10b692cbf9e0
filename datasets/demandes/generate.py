"""Generate the simulated "citizens' requests" dataset (classification and regression), as .xlsx.

The fictional commune of Val-de-Loire records the requests its residents send (pothole, broken
street light, overflowing bin, noise…) in a citizen-relations tool, and exports them to Excel.
Each row is one request of 2023–2024, with its channel, category, neighbourhood, urgency and the
load of the service when it arrived. Two targets are possible: ``delai_depasse`` ("oui" when the
request took more than 15 days, classification) or ``delai_traitement_jours`` (regression) — never
both at once, since one gives the other away.

How the processing time is drawn (written down in ``datapackage.json`` under ``drivers``):

    days = {propreté: 3, stationnement: 6, bruit: 8, éclairage public: 9, espaces verts: 10,
            voirie: 14, urbanisme: 20}[categorie]
           × 0.5 if urgent
           × 1.3 if the request came by post (courrier)
           × 0.85 if a photo was attached
           × (1 + 0.02 × (demandes_en_cours_service − 30))     # backlog of the service
           × (6 / agents_service) ^ 0.6                          # staff available that week
           × lognormal(0, 0.3)
    delai_depasse = "oui" if days > 15

The neighbourhood, the kind of requester and the e-mail have no effect.

The workbook looks like a real export: a title line and a blank line above the header, dates as
Excel dates, and a second sheet "Lisez-moi" with notes. It is written with fixed timestamps and a fixed
compression level, so that it is byte-for-byte reproducible (with the same zlib). Deliberate defects are in
``datapackage.json``.

Run ``python datasets/demandes/generate.py`` to rewrite ``demandes.xlsx`` and ``datapackage.json``
byte for byte (seeded); ``--out DIR`` writes them elsewhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook

SEED = 20240520
N_REQUESTS = 1800
HERE = Path(__file__).resolve().parent
FILE_NAME = "demandes.xlsx"
SHEET = "demandes"
HEADER_ROW = 3  # 1-based: a title line and a blank line come first
FIXED_TIME = dt.datetime(2025, 1, 10, 9, 0, 0)
CATEGORIES = {
    "propreté": 3,
    "stationnement": 6,
    "bruit": 8,
    "éclairage public": 9,
    "espaces verts": 10,
    "voirie": 14,
    "urbanisme": 20,
}
CATEGORY_WEIGHTS = [0.24, 0.1, 0.08, 0.14, 0.14, 0.22, 0.08]
CHANNELS = ["formulaire web", "application mobile", "téléphone", "guichet", "courrier"]
CHANNEL_WEIGHTS = [0.38, 0.2, 0.22, 0.12, 0.08]
QUARTIERS = ["Centre-ville", "Les Rives", "Saint-Martin", "La Plaine", "Bel-Air", "Les Coteaux"]
REQUESTERS = ["particulier", "association", "entreprise"]
MISSPELLINGS = {
    "voirie": ["Voirie", "VOIRIE", "voirie "],
    "éclairage public": ["eclairage public", "Éclairage", "éclairage"],
    "propreté": ["proprete", "Propreté", "PROPRETE"],
    "espaces verts": ["Espaces Verts", "espace vert"],
    "stationnement": ["Stationnement"],
    "bruit": ["Bruit", "nuisances sonores"],
    "urbanisme": ["Urbanisme"],
}
NAMES = (
    "camille.roux lea.morel hugo.faure ines.garnier lucas.chevalier manon.blanc julien.perrin "
    "sarah.girard karim.benali nadia.haddad thomas.mercier emma.lambert"
).split()
COLUMNS = [
    "numero",
    "date_reception",
    "canal",
    "categorie",
    "quartier",
    "demandeur",
    "email_demandeur",
    "urgent",
    "photo_jointe",
    "demandes_en_cours_service",
    "agents_service",
    "date_cloture",
    "delai_traitement_jours",
    "delai_depasse",
]


def draw(rng: np.random.Generator) -> list[dict]:
    rows = []
    start = dt.date(2023, 1, 2)
    categories = list(CATEGORIES)
    staff = {c: 6 for c in categories}
    for i in range(N_REQUESTS):
        received = start + dt.timedelta(days=int(i * 728 / N_REQUESTS + rng.integers(0, 2)))
        category = categories[int(rng.choice(len(categories), p=CATEGORY_WEIGHTS))]
        channel = str(rng.choice(CHANNELS, p=CHANNEL_WEIGHTS))
        urgent = rng.random() < 0.12
        photo = channel in ("formulaire web", "application mobile") and rng.random() < 0.55
        backlog = int(max(2, rng.normal(32, 12)))
        if rng.random() < 0.05:
            staff[category] = int(np.clip(staff[category] + rng.choice([-1, 1]), 3, 9))
        agents = staff[category]
        days = (
            CATEGORIES[category]
            * (0.5 if urgent else 1.0)
            * (1.3 if channel == "courrier" else 1.0)
            * (0.85 if photo else 1.0)
            * (1 + 0.02 * (backlog - 30))
            * (6 / agents) ** 0.6
            * rng.lognormal(0, 0.3)
        )
        days = max(0, int(round(days)))
        email = ""
        if channel in ("formulaire web", "application mobile") or rng.random() < 0.2:
            email = f"{rng.choice(NAMES)}{int(rng.integers(1, 99))}@exemple.fr"
        rows.append(
            {
                "numero": f"DEM-{received.year}-{i + 1:05d}",
                "date_reception": received,
                "canal": channel,
                "categorie": category,
                "quartier": str(rng.choice(QUARTIERS)),
                "demandeur": str(rng.choice(REQUESTERS, p=[0.86, 0.06, 0.08])),
                "email_demandeur": email,
                "urgent": "oui" if urgent else "non",
                "photo_jointe": "oui" if photo else "non",
                "demandes_en_cours_service": backlog,
                "agents_service": agents,
                "date_cloture": received + dt.timedelta(days=days),
                "delai_traitement_jours": days,
                "delai_depasse": "oui" if days > 15 else "non",
            }
        )
    return rows


def add_defects(rng: np.random.Generator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    n = len(rows)

    def pick(count: int, exclude: set[int] | None = None) -> list[int]:
        pool = [i for i in range(n) if not exclude or i not in exclude]
        return sorted(int(i) for i in rng.choice(pool, size=count, replace=False))

    spelt = pick(70)
    for i in spelt:
        rows[i]["categorie"] = str(rng.choice(MISSPELLINGS[rows[i]["categorie"]]))
    missing_photo = pick(41)
    for i in missing_photo:
        rows[i]["photo_jointe"] = ""
    negative = pick(2)
    for i in negative:  # closing date typed before the reception date
        rows[i]["delai_traitement_jours"] = -int(rng.integers(2, 9))
        rows[i]["date_cloture"] = rows[i]["date_reception"] + dt.timedelta(
            days=rows[i]["delai_traitement_jours"]
        )
    forgotten = pick(3, set(negative))
    for i in forgotten:  # requests left open then closed in bulk
        rows[i]["delai_traitement_jours"] = int(rng.integers(380, 460))
        rows[i]["date_cloture"] = rows[i]["date_reception"] + dt.timedelta(
            days=rows[i]["delai_traitement_jours"]
        )
        rows[i]["delai_depasse"] = "oui"
    texts = pick(9)
    for i in texts:
        rows[i]["demandes_en_cours_service"] = f"environ {rows[i]['demandes_en_cours_service']}"

    duplicated = set(pick(10))
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

    late = sum(r["delai_depasse"] == "oui" for r in final)
    no_mail = [p for p, r in enumerate(final) if not r["email_demandeur"]]
    defects = [
        {
            "kind": "inconsistent_categories",
            "columns": ["categorie"],
            "rows": where(spelt),
            "description": "La même catégorie écrite de plusieurs façons (« voirie », « Voirie », « VOIRIE », « eclairage public », « nuisances sonores » pour « bruit »…).",
        },
        {
            "kind": "missing",
            "columns": ["photo_jointe"],
            "rows": where(missing_photo),
            "description": "Case « photo jointe » non remplie.",
        },
        {
            "kind": "missing",
            "columns": ["email_demandeur"],
            "rows": no_mail,
            "description": "Pas de courriel pour la plupart des demandes reçues par téléphone, au guichet ou par courrier : ce manque n’est pas dû au hasard.",
        },
        {
            "kind": "outliers",
            "columns": ["delai_traitement_jours"],
            "rows": where(sorted(negative + forgotten)),
            "description": "Délais impossibles ou extrêmes : négatifs (date de clôture saisie avant la réception) ou de plus d’un an (demandes oubliées puis clôturées en masse).",
        },
        {
            "kind": "wrong_type",
            "columns": ["demandes_en_cours_service"],
            "rows": where(texts),
            "description": "Nombre saisi en texte (« environ 35 ») : la colonne n’est plus lue comme un nombre.",
        },
        {
            "kind": "duplicates",
            "columns": [],
            "rows": copies,
            "description": "Demandes exportées deux fois (même numéro, mêmes valeurs).",
        },
        {
            "kind": "identifier",
            "columns": ["numero"],
            "count": len(final),
            "description": "Numéro de la demande : une valeur par ligne.",
        },
        {
            "kind": "leakage",
            "columns": ["date_cloture"],
            "count": len(final),
            "description": "La date de clôture n’est connue qu’une fois la demande traitée : avec la date de réception, elle donne le délai.",
        },
        {
            "kind": "leakage",
            "columns": ["delai_traitement_jours"],
            "count": len(final),
            "description": "Le délai en jours donne directement la cible « délai dépassé » (plus de 15 jours) : si l’une des deux est la cible, il faut retirer l’autre.",
        },
        {
            "kind": "personal_data",
            "columns": ["email_demandeur"],
            "count": len(final) - len(no_mail),
            "description": "Adresse électronique du demandeur (fictive).",
        },
    ]
    for defect in defects:
        if "rows" in defect:
            defect["count"] = len(defect["rows"])
    defects.append(
        {
            "kind": "imbalance",
            "columns": ["delai_depasse"],
            "count": late,
            "description": f"Cible « delai_depasse » déséquilibrée : {late} demandes sur {len(final)} dépassent 15 jours.",
        }
    )
    return final, defects


def write_xlsx(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["Export GRC — demandes des usagers, Val-de-Loire, 2023-2024"])
    sheet.append([])
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] if row[c] != "" else None for c in COLUMNS])
    for column in ("B", "L"):
        for cell in sheet[column][HEADER_ROW:]:
            cell.number_format = "DD/MM/YYYY"
    notes = book.create_sheet("Lisez-moi")
    for line in [
        "Export de l’outil de gestion de la relation citoyenne (fictif).",
        "Une ligne par demande. Délai en jours calendaires entre réception et clôture.",
        "Données simulées pour la formation Datalab.",
    ]:
        notes.append([line])
    book.properties.creator = "Datalab"
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite the workbook’s zip with fixed entry dates and a fixed modification time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return output.getvalue()


def field(name, type_, title, description, unit=None, **extra) -> dict:
    spec = {"name": name, "type": type_, "title": title, "description": description}
    if unit:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def descriptor(defects: list[dict]) -> dict:
    yes_no = {"constraints": {"enum": ["oui", "non"]}}
    fields = [
        field("numero", "string", "Numéro", "Numéro de la demande dans l’outil de gestion."),
        field("date_reception", "date", "Date de réception", "Date d’arrivée de la demande."),
        field(
            "canal",
            "string",
            "Canal",
            "Canal par lequel la demande est arrivée.",
            constraints={"enum": CHANNELS},
        ),
        field(
            "categorie",
            "string",
            "Catégorie",
            "Catégorie de la demande, choisie à l’enregistrement.",
            constraints={"enum": list(CATEGORIES)},
        ),
        field(
            "quartier",
            "string",
            "Quartier",
            "Quartier concerné par la demande.",
            constraints={"enum": QUARTIERS},
        ),
        field(
            "demandeur",
            "string",
            "Demandeur",
            "Type de demandeur.",
            constraints={"enum": REQUESTERS},
        ),
        field(
            "email_demandeur",
            "string",
            "Courriel du demandeur",
            "Adresse électronique du demandeur (fictive), quand il l’a donnée.",
        ),
        field(
            "urgent",
            "string",
            "Urgent",
            "Demande signalée comme urgente (danger, sécurité) : oui/non.",
            **yes_no,
        ),
        field(
            "photo_jointe",
            "string",
            "Photo jointe",
            "Une photo accompagne la demande : oui/non.",
            **yes_no,
        ),
        field(
            "demandes_en_cours_service",
            "integer",
            "Demandes en cours",
            "Nombre de demandes encore ouvertes dans le service le jour de la réception.",
            "demandes",
        ),
        field(
            "agents_service",
            "integer",
            "Agents disponibles",
            "Agents du service disponibles la semaine de la réception.",
            "agents",
        ),
        field(
            "date_cloture",
            "date",
            "Date de clôture",
            "Date de clôture de la demande (connue après traitement).",
        ),
        field(
            "delai_traitement_jours",
            "integer",
            "Délai de traitement",
            "Jours calendaires entre la réception et la clôture.",
            "jours",
        ),
        field(
            "delai_depasse",
            "string",
            "Délai dépassé",
            "La demande a-t-elle pris plus de 15 jours ? (oui/non)",
            **yes_no,
        ),
    ]
    return {
        "name": "demandes",
        "title": "Demandes des usagers et délais de traitement",
        "description": (
            "Demandes adressées par les habitants de Val-de-Loire (commune fictive) aux services "
            "techniques en 2023 et 2024 : voirie, éclairage, propreté, espaces verts… Question : "
            "repérer dès leur arrivée les demandes qui risquent d’attendre plus de 15 jours, ou prévoir "
            "leur délai. Données simulées, export Excel d’un outil de gestion de la relation citoyenne."
        ),
        "keywords": [
            "demandes",
            "usagers",
            "relation citoyenne",
            "GRC",
            "délai",
            "signalement",
            "services techniques",
        ],
        "theme": "Relation aux usagers",
        "producer": "Commune de Val-de-Loire (fictive), direction de la relation citoyenne",
        "coverage": {"spatial": "Val-de-Loire (commune fictive)", "temporal": "2023–2024"},
        "updated": "2025-01-10",
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
        "generator": "datasets/demandes/generate.py",
        "resources": [
            {
                "name": "demandes",
                "path": FILE_NAME,
                "format": "xlsx",
                "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "dialect": {"headerRows": [HEADER_ROW], "excel": {"sheet": SHEET}},
                "schema": {"fields": fields},
            }
        ],
        "suggested_targets": [
            {"column": "delai_depasse", "task": "classification"},
            {"column": "delai_traitement_jours", "task": "regression"},
        ],
        "drivers": {
            target: [
                {
                    "column": "categorie",
                    "effect": "Très fort : la propreté se traite en quelques jours, la voirie et l’urbanisme en plusieurs semaines.",
                },
                {
                    "column": "demandes_en_cours_service",
                    "effect": "Fort : plus le service a de demandes en attente, plus le délai s’allonge (+2 % par demande en cours au-delà de 30).",
                },
                {
                    "column": "urgent",
                    "effect": "Fort : une demande urgente est traitée deux fois plus vite.",
                },
                {
                    "column": "agents_service",
                    "effect": "Moyen : moins d’agents disponibles, délais plus longs.",
                },
                {"column": "canal", "effect": "Faible : le courrier ajoute environ 30 % de délai."},
                {
                    "column": "photo_jointe",
                    "effect": "Faible : une photo jointe fait gagner environ 15 % de délai.",
                },
            ]
            for target in ("delai_depasse", "delai_traitement_jours")
        },
        "group_columns": ["quartier", "canal", "demandeur"],
        "defects": defects,
    }


def build() -> tuple[bytes, bytes]:
    rng = np.random.default_rng(SEED)
    rows, defects = add_defects(rng, draw(rng))
    package = json.dumps(descriptor(defects), ensure_ascii=False, indent=2) + "\n"
    return write_xlsx(rows), package.encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    data, package = build()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / FILE_NAME).write_bytes(data)
    (args.out / "datapackage.json").write_bytes(package)
    print(f"{args.out / FILE_NAME}: {N_REQUESTS} demandes et leurs doublons")


if __name__ == "__main__":
    main()
