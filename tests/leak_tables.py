"""Tables that reproduce the leaks reported on real files, and one without a leak, for the tests
of :mod:`labkit.model.reliance` and ``benchmarks/bench_reliance.py`` (which puts ``tests/`` on
``sys.path``). Each function returns ``(frame, target)``; every table is reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd


def sum_of_parts(rows: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """A yearly total that is the sum of ten mostly-empty monthly parts (an empty cell is a zero),
    beside columns that honestly tell a good part of it."""
    rng = np.random.default_rng(seed)
    surface = rng.gamma(4, 300, rows).round(0)
    usage = rng.choice(["école", "gymnase", "mairie", "piscine"], rows)
    factor = pd.Series(usage).map({"école": 1.0, "gymnase": 1.3, "mairie": 0.8, "piscine": 2.5})
    expected = surface * factor.to_numpy() * 0.1
    frame = pd.DataFrame(
        {
            "surface_m2": surface,
            "usage": usage,
            "annee_construction": rng.integers(1950, 2020, rows),
        }
    )
    parts = []
    for month in range(1, 11):
        part = expected / 10 * rng.gamma(2, 0.5, rows)
        part = np.where(rng.random(rows) < 0.7, np.nan, part.round(1))  # mostly empty
        frame[f"conso_m{month:02d}"] = part
        parts.append(np.nan_to_num(part))
    frame["conso_totale"] = (np.sum(parts, axis=0) + expected * 0.35).round(1)
    return frame, "conso_totale"


def peak_hours(rows: int = 1000, seed: int = 1) -> tuple[pd.DataFrame, str]:
    """A daily mean of cyclists with the peak-hour counts measured the same day."""
    rng = np.random.default_rng(seed)
    site = rng.choice(["Pont", "Gare", "Quai", "Parc", "Lycée"], rows)
    level = pd.Series(site).map({"Pont": 300, "Gare": 500, "Quai": 200, "Parc": 150, "Lycée": 250})
    weekday = rng.integers(0, 7, rows)
    rain = rng.gamma(0.6, 3, rows).round(1)
    mean = level.to_numpy() * np.where(weekday >= 5, 0.7, 1.0) * rng.lognormal(0, 0.45, rows)
    mean = mean - 8 * rain
    frame = pd.DataFrame(
        {
            "compteur": site,
            "jour_semaine": weekday,
            "pluie_mm": rain,
            "temperature": rng.normal(14, 6, rows).round(1),
            "hp_matin": (mean * 2.1 * rng.lognormal(0, 0.25, rows)).round(0),
            "hp_soir": (mean * 2.4 * rng.lognormal(0, 0.25, rows)).round(0),
            "moyenne_jour": mean.round(1),
        }
    )
    return frame, "moyenne_jour"


def operator_power(rows: int = 1000, seed: int = 2) -> tuple[pd.DataFrame, str]:
    """A charger's power class that its operator nearly fixes (one charger in ten differs)."""
    rng = np.random.default_rng(seed)
    operators = [f"Opérateur {c}" for c in "ABCDEFGHIJ"]
    powers = np.array(["7 kW", "22 kW", "50 kW", "150 kW"])
    usual = rng.integers(0, len(powers), len(operators))
    operator = rng.integers(0, len(operators), rows)
    power = np.where(rng.random(rows) < 0.9, usual[operator], rng.integers(0, len(powers), rows))
    frame = pd.DataFrame(
        {
            "operateur": np.array(operators)[operator],
            "nb_points": rng.integers(1, 12, rows),
            "acces": rng.choice(["public", "réservé"], rows),
            "departement": rng.choice(["35", "44", "56", "29", "22"], rows),
            "puissance": powers[power],
        }
    )
    return frame, "puissance"


LABELS = np.array(["Bon", "Moyen", "Dégradé", "Mauvais"])


def max_of_sub_indices(rows: int = 1000, seed: int = 3) -> tuple[pd.DataFrame, str]:
    """An overall air-quality index that is the maximum of five sub-indices (never below
    « Bon », with one row in fifty recorded one level off), beside weather columns that tell a
    little about it."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 3, rows)
    pollutants = ("no2", "o3", "pm10", "pm25", "so2")
    subs = {p: base + rng.integers(0, 4, rows) for p in pollutants}
    overall = np.maximum(np.max(np.column_stack(list(subs.values())), axis=1), 2) - 2
    wrong = rng.random(rows) < 0.02
    overall = np.where(wrong, np.clip(overall + rng.choice([-1, 1], rows), 0, 3), overall)
    frame = pd.DataFrame(
        {
            "temperature": (rng.normal(4, 6, rows) + 2 * base).round(1),
            "vent_kmh": (rng.gamma(2, 6, rows) + 6 - 3 * base).round(1),
        }
    )
    for p, values in subs.items():
        frame[f"sous_indice_{p}"] = values + 1
    frame["indice_global"] = LABELS[overall]
    return frame, "indice_global"


def no_leak(rows: int = 1000, seed: int = 4) -> tuple[pd.DataFrame, str]:
    """A rent told a little by each of several unrelated columns: no group carries the score."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "surface": rng.normal(0, 1, rows),
            "etage": rng.integers(0, 8, rows),
            "quartier": rng.choice(["Nord", "Sud", "Est", "Ouest"], rows),
            "annee": rng.integers(1950, 2020, rows),
            "balcon": rng.choice(["oui", "non"], rows),
            "distance_tram": rng.gamma(2, 300, rows).round(0),
        }
    )
    effect = pd.Series(frame["quartier"]).map({"Nord": 0.4, "Sud": -0.4, "Est": 0.2, "Ouest": -0.2})
    frame["loyer"] = (
        800
        + 26 * frame["surface"]
        + 11.5 * frame["etage"]
        + 80 * effect
        + 1.3 * (frame["annee"] - 1985)
        + 52 * (frame["balcon"] == "oui")
        - 0.062 * frame["distance_tram"]
        + rng.normal(0, 60, rows)
    ).round(0)
    return frame, "loyer"


TABLES = {
    "somme de parties": sum_of_parts,
    "heures de pointe": peak_hours,
    "opérateur → puissance": operator_power,
    "maximum de sous-indices": max_of_sub_indices,
    "sans fuite": no_leak,
}


# ------------------------------------------------------------ tables for module 04's leak checks
FIRST_NAMES = {
    "F": ["Marie", "Anne", "Sophie", "Isabelle", "Nathalie", "Catherine", "Sylvie", "Christine",
          "Valérie", "Sandrine", "Céline", "Julie", "Aurélie", "Émilie", "Camille", "Laure",
          "Hélène", "Claire", "Martine", "Françoise", "Monique", "Patricia", "Véronique",
          "Caroline", "Florence", "Delphine", "Agnès", "Brigitte", "Chantal", "Corinne"],
    "M": ["Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe",
          "Daniel", "Bernard", "Éric", "Laurent", "Frédéric", "Stéphane", "David", "Olivier",
          "Thierry", "Pascal", "Julien", "Sébastien", "François", "Jacques", "Gérard", "Denis",
          "Didier", "Bruno", "Thomas", "Vincent", "Antoine", "Guillaume"],
}  # fmt: skip
SURNAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
            "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
            "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez"]  # fmt: skip


def elected_officials(rows: int = 1200, seed: int = 5) -> tuple[pd.DataFrame, str]:
    """One row per elected official: the first name gives the sex away (a name shared by many
    people, never one person), beside columns that tell nothing of it."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows)
    first = [FIRST_NAMES[s][i] for s, i in zip(sex, rng.integers(0, 30, rows), strict=True)]
    frame = pd.DataFrame(
        {
            "Nom de l'élu": rng.choice(SURNAMES, rows),
            "Prénom de l'élu": first,
            "Code département": rng.choice(["35", "44", "49", "53", "72"], rows),
            "Année de naissance": rng.integers(1940, 2000, rows),
            "Code sexe": sex,
        }
    )
    return frame, "Code sexe"


def officials_each_year(people: int = 300, years: int = 4, seed: int = 6):
    """One row per official and year: each has a first name of his own (« Anne-Sophie »), which
    comes back every year with the same group, drawn at random: the name tells nothing of a new
    official's group, though it « gives it » on held-out rows that are the same people."""
    rng = np.random.default_rng(seed)
    compound = [f"{a}-{b}" for a in FIRST_NAMES["F"] for b in FIRST_NAMES["F"] if a != b]
    first = list(rng.choice(compound, people, replace=False))
    surname = [f"{s} {i}" for i, s in enumerate(rng.choice(SURNAMES, people))]
    group = rng.choice(["Majorité", "Opposition"], people)
    frame = pd.DataFrame(
        {
            "Année": np.repeat(np.arange(2019, 2019 + years), people),
            "Nom": np.tile(surname, years),
            "Prénom": np.tile(first, years),
            "Séances": rng.integers(0, 12, people * years),
            "Groupe": np.tile(group, years),
        }
    )
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True), "Groupe"


def records_and_equipments(rows: int = 1500, seed: int = 7, equal: float = 0.88):
    """A number of sports equipments per site and the number of its records, one record per
    equipment except on ``1 - equal`` of the sites where a record counts several."""
    rng = np.random.default_rng(seed)
    records = 1 + rng.geometric(0.35, rows) - 1 + rng.integers(0, 3, rows)
    extra = np.where(rng.random(rows) < equal, 0, rng.integers(1, 4, rows))
    frame = pd.DataFrame(
        {
            "Nombre de fiches": records,
            "Places de parking": rng.integers(0, 200, rows),
            "Département": rng.choice(["44", "49", "53", "72", "85"], rows),
            "Nombre d'équipements": records + extra,
        }
    )
    return frame, "Nombre d'équipements"


def bike_shelters(rows: int = 400, seed: int = 8, written: float = 0.6):
    """Bike shelters, « Consigne » or « Collectif »: the name of ``written`` of the collective ones
    says so (« Gare 12 collectif accès libre »), the others are place names; the capacity tells a
    little of the kind."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["Consigne", "Collectif"], rows, p=[0.6, 0.4])
    place = [f"{rng.choice(['Gare', 'Place', 'Mairie', 'Quai', 'Parc'])} {i}" for i in range(rows)]
    says = (kind == "Collectif") & (rng.random(rows) < written)
    name = [f"{p} collectif accès libre" if s else p for p, s in zip(place, says, strict=True)]
    capacity = np.where(kind == "Consigne", rng.integers(4, 12, rows), rng.integers(6, 60, rows))
    frame = pd.DataFrame(
        {
            "Nom": name,
            "Capacité": capacity,
            "Commune": rng.choice(["Nantes", "Rezé", "Orvault", "Vertou"], rows),
            "Modèle": kind,
        }
    )
    return frame, "Modèle"
