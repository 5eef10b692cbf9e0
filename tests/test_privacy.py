"""Personal data: value checks (NIR key with Corsica, IBAN mod 97), column detection with measured
precision and recall on a generated sample, keyed pseudonymisation, the workspace key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.prepare import privacy
from labkit.prepare.recipe import apply_step


def make_nir(rng, corsica: str | None = None) -> str:
    sex = rng.choice(["1", "2"])
    year = f"{rng.integers(40, 99):02d}"
    month = f"{rng.integers(1, 13):02d}"
    dept = corsica or f"{rng.integers(1, 96):02d}"
    rest = f"{rng.integers(1, 990):03d}{rng.integers(1, 999):03d}"
    body = sex + year + month + dept + rest
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


def make_iban(rng) -> str:
    bban = "".join(str(d) for d in rng.integers(0, 10, 23))
    moved = bban + "FR00"
    digits = "".join(str(int(c, 36)) for c in moved)
    check = 98 - int(digits) % 97
    return f"FR{check:02d}{bban}"


def test_nir_key_and_corsica():
    rng = np.random.default_rng(1)
    for _ in range(50):
        assert privacy.nir_is_valid(make_nir(rng))
    assert privacy.nir_is_valid(make_nir(rng, "2A")) and privacy.nir_is_valid(make_nir(rng, "2B"))
    good = make_nir(rng)
    spaced = f"{good[0]} {good[1:3]} {good[3:5]} {good[5:7]} {good[7:10]} {good[10:13]} {good[13:]}"
    assert privacy.nir_is_valid(spaced)
    wrong_key = good[:13] + f"{(int(good[13:]) + 1) % 97:02d}"
    assert not privacy.nir_is_valid(wrong_key)
    for bad in ["", "123", "5" + good[1:], "abcdefghijklmno", None, 12.5]:
        assert not privacy.nir_is_valid(bad)


def test_iban_check_digits():
    rng = np.random.default_rng(2)
    assert privacy.iban_is_valid("FR76 3000 6000 0112 3456 7890 189")  # the textbook example
    for _ in range(30):
        assert privacy.iban_is_valid(make_iban(rng))
    assert not privacy.iban_is_valid("FR76 3000 6000 0112 3456 7890 188")
    assert not privacy.iban_is_valid("pas un iban")


def test_phone_email_address_and_names():
    assert privacy.is_phone("06 12 34 56 78") and privacy.is_phone("+33 6 12 34 56 78")
    assert privacy.is_phone("01.23.45.67.89") and not privacy.is_phone("12 34 56")
    assert privacy.is_email("camille.martin@exemple.fr") and not privacy.is_email("camille@")
    assert privacy.is_address("12 rue de la Paix") and privacy.is_address("3 bis avenue Foch")
    assert not privacy.is_address("Rue de la Paix") and not privacy.is_address("12 pommes")
    assert privacy.is_first_name("Élodie") and privacy.is_first_name("Jean-Pierre")
    assert privacy.is_last_name("DUBOIS") and privacy.is_full_name("Camille Durand")
    assert not privacy.is_first_name("Saint-Martin") and not privacy.is_last_name("Déchèterie")


def generated_sample(rows: int = 300, seed: int = 0) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """A table with one column of each kind of personal data, and look-alike decoys."""
    rng = np.random.default_rng(seed)
    first = ["Camille", "Julien", "Sophie", "Karim", "Léa", "Thomas", "Inès", "Nicolas", "Emma"]
    last = ["Martin", "Bernard", "Dubois", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent"]
    streets = [
        "rue de la Paix",
        "avenue Foch",
        "place de la Mairie",
        "chemin des Vignes",
        "allée des Tilleuls",
    ]
    pick = lambda values: rng.choice(values, rows)  # noqa: E731
    frame = pd.DataFrame(
        {
            "prenom": pick(first),
            "nom": [s.upper() if i % 3 else s for i, s in enumerate(pick(last))],
            "contact": [f"{f} {n}" for f, n in zip(pick(first), pick(last), strict=True)],
            "courriel": [f"{f.lower()}.{i}@exemple.fr" for i, f in enumerate(pick(first))],
            "telephone": [
                f"0{rng.integers(1, 8)} {rng.integers(10, 99)} {rng.integers(10, 99)} {rng.integers(10, 99)} {rng.integers(10, 99)}"
                for _ in range(rows)
            ],
            "adresse": [f"{rng.integers(1, 200)} {s}" for s in pick(streets)],
            "nir": [make_nir(rng, "2A" if i % 10 == 0 else None) for i in range(rows)],
            "iban": [make_iban(rng) for _ in range(rows)],
            "date_naissance": pd.Timestamp("1980-01-01")
            + pd.to_timedelta(rng.integers(0, 12000, rows), unit="D"),
            # decoys: look alike, are not personal data
            "quartier": pick(["Saint-Martin", "Centre-ville", "Les Rives", "Bel-Air"]),
            "commune": pick(["Blois", "Tours", "Orléans", "Vendôme"]),
            "service": pick(["Voirie", "Espaces verts", "Propreté", "Urbanisme"]),
            "reference": [f"CR-2024-{i:05d}" for i in range(rows)],
            "siret": [f"{rng.integers(10**13, 10**14 - 1)}" for _ in range(rows)],
            "faux_nir": ["1" + f"{rng.integers(10**13, 10**14 - 1)}" for _ in range(rows)],
            "montant": [f"{rng.integers(100, 9999)} €" for _ in range(rows)],
            "date_demande": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, rows), unit="D"),
            "code_postal": pick(["41000", "37000", "45000"]),
            "equipement": pick(
                ["Piscine Simon", "Gymnase Martin Luther King", "Salle Paul Éluard"]
            ),
        }
    )
    truth = {
        "prenom": "first_name",
        "nom": "last_name",
        "contact": "full_name",
        "courriel": "email",
        "telephone": "phone",
        "adresse": "address",
        "nir": "nir",
        "iban": "iban",
        "date_naissance": "birth_date",
    }
    return frame, {c: truth.get(c) for c in frame.columns}


def test_detection_precision_and_recall_on_generated_samples():
    true_positive = false_positive = false_negative = right_category = 0
    for seed in range(3):
        frame, truth = generated_sample(seed=seed)
        found = {f.column: f for f in privacy.detect_personal(frame)}
        for column, expected in truth.items():
            if expected and column in found:
                true_positive += 1
                right_category += found[column].category == expected
            elif expected:
                false_negative += 1
            elif column in found:
                false_positive += 1
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    assert precision >= 0.95, (precision, false_positive)
    assert recall >= 0.95, (recall, false_negative)
    assert right_category / true_positive >= 0.9


def test_evidence_is_shown_and_masked():
    frame, _ = generated_sample(100)
    found = {f.column: f for f in privacy.detect_personal(frame)}
    nir = found["nir"]
    assert nir.share == 1.0 and nir.matches == nir.checked
    assert all("…" in e and len(e) <= 7 for e in nir.examples)
    assert "100 %" in nir.evidence and "NIR" in nir.evidence
    assert found["courriel"].examples[0].endswith("@exemple.fr")


def test_a_nir_column_with_wrong_keys_is_not_a_nir():
    rng = np.random.default_rng(3)
    values = [make_nir(rng) for _ in range(100)]
    broken = [v[:13] + f"{(int(v[13:]) + 7) % 97:02d}" for v in values]
    assert privacy.detect_column("numero", pd.Series(broken)) is None


def test_pseudonymise_same_person_same_code_and_other_key_other_code():
    frame = pd.DataFrame({"nom": ["Martin", "martin ", "Durand", None]})
    key = bytes(range(32))
    out = privacy.pseudonymise_columns(frame, ["nom"], key)
    assert out.loc[0, "nom"] == out.loc[1, "nom"] != out.loc[2, "nom"]
    assert pd.isna(out.loc[3, "nom"]) and frame.loc[0, "nom"] == "Martin"
    other = privacy.pseudonymise_columns(frame, ["nom"], bytes(32))
    assert other.loc[0, "nom"] != out.loc[0, "nom"]
    with pytest.raises(DatalabError, match="absente"):
        privacy.pseudonymise_columns(frame, ["prenom"], key)


def test_protection_steps_remove_or_pseudonymise():
    frame, _ = generated_sample(50)
    found = {f.column: f for f in privacy.detect_personal(frame)}
    removed = apply_step(frame, privacy.protection_step(found["courriel"], "remove"))
    assert "courriel" not in removed.columns
    step = privacy.protection_step([found["nom"], found["prenom"]], "pseudonymise")
    out = apply_step(frame, step, bytes(range(32)))
    assert out["nom"].str.startswith("P-").all()
    with pytest.raises(DatalabError, match="inconnu"):
        privacy.protection_step(found["nom"], "chiffrer")


def test_explanation_says_pseudonymisation_is_not_anonymisation():
    text = privacy.explanation()
    assert "Pseudonymiser" in text and "Anonymiser" in text and "RGPD" in text
