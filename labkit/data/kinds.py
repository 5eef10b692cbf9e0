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

QUANTITY_WORDS = frozenset(
    {
        "nombre",
        "nb",
        "nbr",
        "nbre",
        "effectif",
        "effectifs",
        "montant",
        "total",
        "somme",
        "quantite",
    }
)
"""First words of a column name announcing a quantity: « Nombre d’élèves en CP » counts pupils of
the CP class, its « CP » is no code postal."""

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
    """Does the column name announce a code (postal, INSEE, département, SIREN…)? Not when it
    starts with a quantity (« Nombre d’élèves en CP », « montant_secteur »)."""
    first = re.match(r"[a-z]+", fold(name).lstrip(" _-'\"(["))
    if first and first.group(0) in QUANTITY_WORDS:
        return False
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


# ============================================================================ declared kinds
COLUMN_KINDS = ("number", "code", "identifier", "date", "category", "text")
"""What a facilitator may say a column holds, on a dataset's card: a quantity, a code (postal,
INSEE, account: digits that are labels), an identifier (a record number, one per row), a date, a
category (a few values that name groups, even written with digits) or free text."""

KIND_PROPERTY = "kind"
"""The Table Schema field property holding a declared kind (``{"name": "cp", "type": "string",
"kind": "code"}``); the field's ``type`` says the same to frictionless."""

KINDS_ATTR = "datalab_kinds"
"""The key of ``DataFrame.attrs`` holding the declared kinds of a table read from a dataset, so
that the quality report (module 04) and the model (module 05) see them with the table."""

READER_TYPES = {
    "number": "number",
    "code": "text",
    "identifier": "text",
    "date": "date",
    "category": "category",
    "text": "text",
}
"""The reader's column type (:mod:`labkit.data.columns`) for each declared kind."""

NOT_QUANTITIES = frozenset({"code", "identifier", "category", "text"})
"""Kinds whose digits are never a quantity: never summed, averaged, filled with a median nor
flagged as extreme."""


def declared_kinds(schema: dict | None) -> dict[str, str]:
    """``{column: kind}`` for the fields of a Table Schema that declare a known kind."""
    fields = (schema or {}).get("fields") if isinstance(schema, dict) else None
    return {
        str(spec["name"]): spec[KIND_PROPERTY]
        for spec in fields or []
        if isinstance(spec, dict) and spec.get("name") and spec.get(KIND_PROPERTY) in COLUMN_KINDS
    }


def kinds_of(frame) -> dict[str, str]:
    """The declared kinds a table carries (:data:`KINDS_ATTR`), for its columns still present."""
    kinds = getattr(frame, "attrs", {}).get(KINDS_ATTR) or {}
    return {c: k for c, k in kinds.items() if c in frame.columns and k in COLUMN_KINDS}


def with_kinds(frame, kinds: dict[str, str]):
    """``frame`` carrying ``kinds`` (:data:`KINDS_ATTR`), its code, identifier and category columns
    that were read as numbers (a table saved before the card said so) turned into text: labels,
    written as they were (``6411``, not ``6411.0``). Changes ``frame`` in place and returns it."""
    import pandas as pd

    if not kinds:
        return frame
    for name, kind in kinds.items():
        if name not in frame.columns or kind not in NOT_QUANTITIES - {"text"}:
            continue
        values = frame[name]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        present = values.dropna()
        whole = bool(len(present)) and bool((present % 1 == 0).all())
        texts = [None if pd.isna(v) else str(int(v) if whole else v) for v in values]
        frame[name] = pd.Series(texts, index=frame.index, dtype="str")
    frame.attrs[KINDS_ATTR] = {**(frame.attrs.get(KINDS_ATTR) or {}), **kinds}
    return frame


def declared_identifiers(frame) -> list[str]:
    """The columns a dataset's card says are identifiers: never a model's features."""
    return [c for c, k in kinds_of(frame).items() if k == "identifier"]


def without_identifiers(
    features: list[str], excluded: list[tuple[str, str]], frame, declared_in=None
) -> tuple[list[str], list[tuple[str, str]]]:
    """A model's features without the columns of ``frame`` the card declares identifiers (read
    from ``declared_in``, the table as read, when given), each added to ``excluded`` with its
    reason in French: an identifier is never offered as a feature."""
    from labkit import messages

    source = frame if declared_in is None else declared_in
    identifiers = [c for c in declared_identifiers(source) if c in frame.columns]
    if not identifiers:
        return list(features), list(excluded)
    reason = messages.text("datapackage.excluded_declared_identifier")
    named = {c for c, _ in excluded}
    extra = [(c, reason) for c in identifiers if c not in named]
    return [c for c in features if c not in identifiers], [*excluded, *extra]


__all__ = [
    "CODE_WORDS",
    "COLUMN_KINDS",
    "KINDS_ATTR",
    "KIND_PROPERTY",
    "declared_identifiers",
    "declared_kinds",
    "kinds_of",
    "with_kinds",
    "without_identifiers",
    "DATE_FORMATS",
    "NUMBER_WORDS",
    "fold",
    "is_code_name",
    "is_number_name",
    "looks_like_code",
    "looks_like_phone",
]
