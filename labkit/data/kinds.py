"""Shared rules about what a column holds, used by the reader (module 03) and the quality report
(module 04): codes that look like numbers but are not quantities, and the date formats read.

A **code** (code postal, code commune INSEE, département, SIREN/SIRET, NIR, telephone number, a
file or record number…) is written with digits but is not a quantity: it keeps its leading zeros,
stays text, and is never summed nor averaged. :func:`looks_like_code` is the one rule saying so,
from the column's name and its values.
"""

from __future__ import annotations

import re
import unicodedata

CODE_WORDS = frozenset(
    {
        "code",
        "cp",
        "insee",
        "cog",
        "dep",
        "dept",
        "departement",
        "siren",
        "siret",
        "nir",
        "tel",
        "telephone",
        "phone",
        "portable",
        "mobile",
        "iban",
        "postal",
        "zip",
        "uai",
        "finess",
        "rna",
        "naf",
        "ape",
        "secu",
        "secteur",
        "compte",
        "imputation",
        "nomenclature",
        "canton",
        "circonscription",
        "iris",
        "epci",
        "arrondissement",
        "depcom",
        "codgeo",
        "nature",
        "fonction",
        "sousfonction",
        "chapitre",
        "article",
        "voie",
    }
)
"""Words of a column name announcing a code (the name is folded: no accents, lower case)."""

NUMBER_WORDS = frozenset({"id", "num", "numero", "no", "ref", "reference", "matricule"})
"""Words of a column name announcing a record number or reference: an identifier, counted as a
code by the quality report, but a plain integer column for the reader when its values are."""

CODE_LENGTH = 9
"""Digit strings all this long or longer (SIREN, SIRET, NIR, telephone) are codes."""

CODE_LEADING_ZEROS = 0.05
"""Share of digit strings with a leading zero (``01053``, ``06``) from which the column is codes."""

_DIGITS = re.compile(r"\d+")
_LEADING_ZERO = re.compile(r"0\d+")
_DECIMAL = re.compile(r"[+\-−]?\d+[.,]\d+")
_CORSICA = re.compile(r"2[AB]\d{0,3}", re.IGNORECASE)

DATE_FORMATS = [
    # (strptime format, quick regex), French day-month order first
    ("%d/%m/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
    ("%d/%m/%Y %H:%M", r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$"),
    ("%d/%m/%Y %H:%M:%S", r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}$"),
    ("%d-%m-%Y", r"^\d{1,2}-\d{1,2}-\d{4}$"),
    ("%d.%m.%Y", r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
    ("%Y-%m-%d", r"^\d{4}-\d{1,2}-\d{1,2}$"),
    ("%Y-%m-%dT%H:%M:%S", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M:%S", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    ("%Y-%m-%d %H:%M", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
    ("%Y-%m-%dT%H:%M:%S.%f", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}$"),
    ("%Y-%m-%d %H:%M:%S.%f", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,6}$"),
    ("%Y-%m-%dT%H:%M", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"),
    ("%Y/%m/%d", r"^\d{4}/\d{1,2}/\d{1,2}$"),
    ("%d/%m/%y", r"^\d{1,2}/\d{1,2}/\d{2}$"),
    ("%m/%d/%Y", r"^\d{1,2}/\d{1,2}/\d{4}$"),
]
"""The date formats a table may use, with a quick regular expression each, in the order they are
tried (day before month: ``01/02/2024`` is the 1st of February)."""


def fold(text: str) -> str:
    """``text`` without accents, in lower case (``« Département »`` → ``departement``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def _name_words(name: str) -> set[str]:
    folded = fold(re.sub("[nN]°", " numero ", name))
    return set(re.findall(r"[a-z]+|[0-9]+", folded))  # « tel1 » is « tel » and « 1 »


def is_code_name(name: str) -> bool:
    """Does the column name announce a code (postal, INSEE, département, SIREN…)?"""
    return bool(_name_words(name) & CODE_WORDS)


def is_number_name(name: str) -> bool:
    """Does the column name announce a code or a record number (``id``, ``n°``, ``référence``…)?"""
    words = _name_words(name)
    return bool(words & (CODE_WORDS | NUMBER_WORDS)) or fold(name).startswith("id")


def looks_like_code(values: list[str], name: str | None = None) -> bool:
    """Do these values (stripped texts, missing ones left out) hold codes, not quantities?

    Yes when the name announces a code (:func:`is_code_name`) and the values are not mostly
    decimal numbers, or when the values are all digit
    strings with leading zeros in some of them (``01053``, ``06``) or all of one length of
    :data:`CODE_LENGTH` digits or more (SIREN, SIRET, NIR)."""
    if name is not None and is_code_name(name):
        # a code has no decimal part: « longueur_voie » written 120,5 is a length, not a code
        decimals = sum(1 for v in values if _DECIMAL.fullmatch(v))
        if not values or decimals < 0.5 * len(values):
            return True
    if not values or not all(_DIGITS.fullmatch(v) or _CORSICA.fullmatch(v) for v in values):
        return False
    if any(_CORSICA.fullmatch(v) for v in values):
        return True  # « 2A004 »: a commune or département of Corsica
    zeros = sum(1 for v in values if _LEADING_ZERO.fullmatch(v))
    if zeros and zeros >= CODE_LEADING_ZEROS * len(values):
        return True
    lengths = {len(v) for v in values}
    return len(lengths) == 1 and next(iter(lengths)) >= CODE_LENGTH


PHONE_WORDS = frozenset({"tel", "telephone", "phone", "portable", "mobile", "fax"})
_PHONE = re.compile(r"(\+33 ?|0)[1-9]([ .]?\d\d){4}")


def looks_like_phone(values: list[str], name: str | None = None) -> bool:
    """French telephone numbers (« 04 67 34 70 00 », « 0467347000 », « +33 4 67… »), from the
    column's name or from most of its values: a contact, neither a quantity nor a code of the
    INSEE kind."""
    if name is not None and _name_words(name) & PHONE_WORDS:
        return True
    present = [v.strip() for v in values if v and v.strip()]
    return bool(present) and sum(1 for v in present if _PHONE.fullmatch(v)) >= 0.9 * len(present)


__all__ = [
    "CODE_WORDS",
    "DATE_FORMATS",
    "NUMBER_WORDS",
    "fold",
    "is_code_name",
    "is_number_name",
    "looks_like_code",
    "looks_like_phone",
]
