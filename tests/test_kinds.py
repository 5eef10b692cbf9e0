"""The shared rules of labkit.data.kinds: codes that look like numbers, date formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from labkit.data.kinds import DATE_FORMATS, is_code_name, is_number_name, looks_like_code


def test_code_names_are_recognised_whatever_the_accents_and_case():
    for name in ("code_postal", "Code INSEE", "Département", "SIRET", "n° de téléphone", "CP"):
        assert is_code_name(name) or is_number_name(name), name
    for name in ("habitants", "montant", "Durée (jours)", "codepostal"):
        assert not is_code_name(name), name


def test_record_numbers_are_codes_for_the_quality_report_only():
    for name in ("id", "identifiant", "N° dossier", "numero", "référence", "matricule"):
        assert is_number_name(name) and not is_code_name(name), name


def test_values_with_leading_zeros_or_long_fixed_lengths_are_codes():
    assert looks_like_code(["01053", "75001", "20200"])
    assert looks_like_code(["21010530200017", "21750001600019"])  # SIRET, all 14 digits
    assert looks_like_code(["1", "2"], name="code_commune")
    assert not looks_like_code(["41000", "2100000", "45000"])  # quantities
    assert not looks_like_code(["12", "7", "0"])  # a lone zero is a number
    # Corsica's communes and départements (« 2A004 ») among INSEE codes: still codes, never a
    # column of numbers with a few unreadable values (issue 21: « DEPCOM » converted to numbers)
    assert looks_like_code(["01053", "2A004", "75056"])
    assert not looks_like_code(["01053", "B12"])  # other letters: the name decides
    assert not looks_like_code([])


def test_date_formats_try_the_french_day_month_order_first():
    formats = [f for f, _ in DATE_FORMATS]
    assert formats.index("%d/%m/%Y") < formats.index("%m/%d/%Y")
    for fmt, _ in DATE_FORMATS:
        dt.datetime.strptime(dt.datetime(2024, 2, 1, 8, 30).strftime(fmt), fmt)


def test_telephone_numbers_are_said_to_be_telephone_numbers():
    """Issue 21: a phone column was described as « des codes (postal, INSEE, SIRET…) »."""
    from labkit.data.kinds import looks_like_phone
    from labkit.data.reader import read_table

    assert looks_like_phone(["04 67 34 70 00", "0467347001", "+33 4 67 34 70 02"])
    assert looks_like_phone(["467347000"], name="tel1")
    assert not looks_like_phone(["01053", "75001", "34172"])  # INSEE codes
    lines = ["nom;tel"] + [f"Site {i};04 67 34 70 {i:02d}" for i in range(30)]
    result = read_table("\n".join(lines).encode("utf-8"), "sites.csv")
    notes = " ".join(result.detection.warnings)
    assert "numéros de téléphone" in notes and "INSEE" not in notes
    assert result.frame["tel"].iloc[0] == "04 67 34 70 00"


def test_a_name_announcing_a_code_does_not_make_decimal_numbers_codes():
    """« voie », « nature », « compte » announce codes (an account 6411, a road number); a
    « longueur_voie » of 120,5 m is still a length."""
    import pandas as pd

    from labkit.data.reader import read_table

    assert looks_like_code(["6411", "6574", "2031"], name="nature")
    assert not looks_like_code(["120,5", "88,25", "301,0"], name="longueur_voie")
    lines = ["longueur_voie;numero_voie"] + [f"{100 + i},5;{i + 1}" for i in range(30)]
    frame = read_table("\n".join(lines).encode("utf-8"), "voies.csv").frame
    assert pd.api.types.is_float_dtype(frame["longueur_voie"])
    assert frame["longueur_voie"].iloc[0] == 100.5
    assert not pd.api.types.is_numeric_dtype(frame["numero_voie"])  # a road number: a code


def test_a_count_named_after_a_class_level_is_no_postal_code():
    """« Nombre d’élèves en CP hors ULIS » (the schools' census of data.education.gouv.fr, in
    tests/realdata) counts the pupils of the CP class: its « CP » is no code postal, and the reader
    reads the column as a number; a name that is a code stays one."""
    from labkit.data.kinds import is_code_name, looks_like_code

    assert not is_code_name("Nombre d'élèves en CP hors ULIS")
    assert not looks_like_code(["56", "0", "29"], "Nombre d'élèves en CP hors ULIS")
    assert not is_code_name("nb_fuites_10ans") and not is_code_name("montant_secteur")
    for name in ("CP", "Code Postal", "code_insee", "Secteur", "Numéro de compte"):
        assert is_code_name(name), name
    import pandas as pd

    from labkit.data.reader import read_table

    path = Path(__file__).resolve().parent / "realdata" / "c_ecoles_effectifs_ille_et_vilaine.csv"
    frame = read_table(path.read_bytes(), path.name).frame
    assert pd.api.types.is_numeric_dtype(frame["Nombre d'élèves en CP hors ULIS"])
    assert frame["Nombre d'élèves en CP hors ULIS"].sum() > 10_000
