"""Personal data (RGPD): find the columns that hold it, show the evidence, pseudonymise or remove.

:func:`detect_personal` looks at each column's name and a sample of its values and recognises
first names, last names, full names, e-mail addresses, French phone numbers, postal addresses, NIR
(French social security numbers, checked with their key), IBAN (checked with their mod-97 key) and
dates of birth. Each detection carries its evidence: the share of values that match and a few
(masked) examples.

Pseudonymisation replaces a value by a code computed with HMAC-SHA256 and a secret key kept in the
learner's workspace (:func:`labkit.learner.preparation.project_key`): the same person always gets
the same code within the project, and nobody can go back from the code to the person without the
key. It is still personal data in the RGPD's sense; only anonymisation (no way back, even with
extra information) takes data out of the RGPD. :func:`explanation` gives the French text of that difference.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labkit import messages
from labkit.prepare.recipe import Step, detect_date_format, pseudonymise

SAMPLE_SIZE = 200
CATEGORIES = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "address",
    "nir",
    "iban",
    "birth_date",
)

FIRST_NAMES = frozenset(
    """
    adam adele adrien agathe agnes aicha alain alba albert alexandra alexandre alexis alice aline
    alix amandine amelie amina amir anais andre andrea angelique anne annie anthony antoine antonin
    arnaud arthur audrey augustin aurelie aurelien axel baptiste barbara bastien beatrice benjamin
    benoit bernard bertrand brigitte bruno camille caroline catherine cecile cedric celia celine
    charles charlotte chantal chloe christian christine christophe claire clara claude clement
    colette coralie corinne cyril damien daniel danielle david delphine denis denise didier
    dominique dylan eden edouard eleonore elias elise elodie eloise emilie emma emmanuel enzo eric
    estelle ethan eugenie eva fabien fabienne fabrice fanny fatima fatou florence florent florian
    francine francis francoise francois frederic gabriel gabrielle gael gaelle genevieve georges
    gerard gilbert gilles gisele guillaume guy helene henri herve hugo ibrahim ines irene isabelle
    jacqueline jacques jade jean jeanne jeremy jerome joel johan jonathan jordan joseph josiane
    julia julie julien juliette justine karim karine kevin lea lea leo leon leonie lina loic louis
    louise luc lucas lucie lucile ludovic lydie madeleine maelle manon marc marcel margaux marguerite
    marie marine marion martine mathieu mathilde matteo mehdi melanie melissa michel micheline
    michele mickael mohamed monique morgane moussa nadia nadine nathalie nathan nicolas nicole noah
    noemie oceane odette olivier pascal pascale patrice patricia patrick paul pauline philippe pierre
    quentin rachel raphael regis remi renee richard robert roger romain rose sabrina salome samir
    samuel sandra sandrine sarah sebastien serge simon simone solene sophie stephane stephanie suzanne
    sylvain sylvie theo therese thierry thomas timothee tom valentin valerie vanessa veronique victor
    vincent virginie xavier yann yannick yasmine yves yvette yvonne youssef zoe
    """.split()
)
LAST_NAMES = frozenset(
    """
    andre arnaud aubert bailly barbier baron bertrand bernard blanc blanchard boyer brun brunet
    carpentier caron chevalier clement colin david denis deschamps diallo dubois dufour dumas dumont
    dupont dupuis durand faure fabre fontaine fournier francois garnier gauthier gautier gerard
    girard giraud guerin guillaume henry hubert jacob joly lacroix lambert laurent lefebvre lefevre
    legrand lemaire lemoine leroy leroux lucas marchand marie martin martinez masson mathieu mercier
    meunier meyer michel moreau morel morin muller nguyen nicolas noel olivier perrin petit philippe
    picard pierre renard renaud rey richard robert robin roche rousseau roussel roux roy schmitt
    simon thomas vidal vincent benali traore haddad kaya ferreira silva payet leclerc leclercq
    rolland lecomte bourgeois gaillard riviere roger dupre fleury lopez garcia sanchez rodriguez
    fernandez gomez perez moulin lemaitre guillot collet prevost marechal charpentier benard
    """.split()
)
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}$")
_NIR = re.compile(r"^[1-478]\d{4}(?:\d{2}|2[AB])\d{6}\d{2}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_STREET_TYPES = (
    r"rue|avenue|av\.?|boulevard|bd|place|pl\.?|chemin|ch\.?|all[ée]e|impasse|imp\.?|route|rte"
    r"|quai|cours|square|passage|lieu[- ]dit|voie|r[ée]sidence|faubourg|rond[- ]point|chauss[ée]e"
    r"|sentier|hameau|esplanade|parvis|mont[ée]e|clos|cit[ée]|promenade|lotissement|domaine"
)
_ADDRESS = re.compile(
    rf"^\d{{1,4}}\s?(?:bis|ter|quater|[a-d])?\s*,?\s+(?:{_STREET_TYPES})\b", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
_PARTICLES = frozenset("da de del della di du el la le ben van von".split())
_NAME_TOKEN = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
_BIRTH_HINT = re.compile(
    r"naiss|nais\b|birth|\bdob\b|\bddn\b|ne_le|nee_le|date_nais", re.IGNORECASE
)
_FIRST_HINT = re.compile(r"pr[ée]nom|first", re.IGNORECASE)
_LAST_HINT = re.compile(r"(^|_|\s)nom($|_|\s)|surname|last_?name|patronyme", re.IGNORECASE)


def fold(text: str) -> str:
    """Lowercase ASCII form of a text: ``Élodie`` → ``elodie``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


# --------------------------------------------------------------------------- value checks
def nir_is_valid(value: object) -> bool:
    """A French NIR (15 characters, spaces allowed) whose key is 97 − (number mod 97).

    For people born in Corsica, ``2A`` and ``2B`` count as 19 and 18 in the computation.
    """
    text = re.sub(r"[\s.]", "", str(value)).upper()
    if not _NIR.match(text):
        return False
    body = text[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(text[13:])


def iban_is_valid(value: object) -> bool:
    """An IBAN whose check digits are right: the number read from its 5th character on, then its
    first four, letters counted A = 10 … Z = 35, leaves 1 when divided by 97."""
    text = re.sub(r"\s", "", str(value)).upper()
    if not _IBAN.match(text):
        return False
    moved = text[4:] + text[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def is_email(value: object) -> bool:
    return bool(_EMAIL.match(str(value).strip()))


def is_phone(value: object) -> bool:
    return bool(_PHONE.match(str(value).strip()))


def is_address(value: object) -> bool:
    return bool(_ADDRESS.match(str(value).strip()))


def _name_words(value: object) -> list[str]:
    words = str(value).strip().split()
    if not words or len(words) > 4 or not all(_NAME_TOKEN.match(w) for w in words):
        return []
    return [fold(w) for w in words]


def is_first_name(value: object) -> bool:
    words = _name_words(value)
    if len(words) != 1:
        return False
    return all(part in FIRST_NAMES for part in re.split(r"[-'’]", words[0]) if part)


def is_last_name(value: object) -> bool:
    words = _name_words(value)
    if len(words) == 1:
        return words[0] in LAST_NAMES
    return len(words) == 2 and words[0] in _PARTICLES and words[1] in LAST_NAMES


def is_full_name(value: object) -> bool:
    words = _name_words(value)
    if len(words) < 2:
        return False
    first, last = words[0], words[-1]
    return (first in FIRST_NAMES and (last in LAST_NAMES or last not in FIRST_NAMES)) or (
        last in FIRST_NAMES and first in LAST_NAMES
    )


_VALUE_CHECKS = {
    "email": is_email,
    "phone": is_phone,
    "nir": nir_is_valid,
    "iban": iban_is_valid,
    "address": is_address,
    "first_name": is_first_name,
    "last_name": is_last_name,
    "full_name": is_full_name,
}
# Share of sampled values that must match, per category (lower when the column's name agrees).
_THRESHOLDS = {
    "email": 0.5,
    "phone": 0.5,
    "nir": 0.5,
    "iban": 0.5,
    "address": 0.4,
    "first_name": 0.4,
    "last_name": 0.3,
    "full_name": 0.4,
}
_HINTED_THRESHOLDS = {"first_name": 0.2, "last_name": 0.15, "full_name": 0.2}


# --------------------------------------------------------------------------- detection
@dataclass
class PersonalColumn:
    """A column found to hold personal data, with its evidence."""

    column: str
    category: str
    share: float  # share of the sampled non-empty values that match
    matches: int
    checked: int
    examples: list[str] = field(default_factory=list)  # masked examples of matching values

    @property
    def label(self) -> str:
        return messages.text(f"privacy.category_{self.category}")

    @property
    def evidence(self) -> str:
        """A French sentence: what matched, how often, with examples."""
        shown = ", ".join(f"« {e} »" for e in self.examples)
        return messages.text(
            "privacy.evidence",
            share=round(100 * self.share),
            matches=self.matches,
            checked=self.checked,
            label=self.label,
            examples=shown or "—",
        )


def mask(value: object, category: str) -> str:
    """Enough of a value to recognise its kind, not enough to identify the person."""
    text = str(value).strip()
    if category == "email" and "@" in text:
        local, domain = text.split("@", 1)
        return f"{local[:2]}…@{domain}"
    if category in ("nir", "iban", "phone"):
        compact = re.sub(r"\s", "", text)
        return f"{compact[:3]}…{compact[-2:]}"
    if category == "address":
        return re.sub(r"^\d+", "…", text)
    if category == "birth_date":
        return text[:4] + "…" if len(text) > 4 else text
    return text[:1] + "…" if len(text) > 1 else text


def _sample(values: pd.Series, size: int) -> list[str]:
    """Up to ``size`` non-empty values as trimmed texts, spread evenly over the column."""
    values = values.dropna()
    if len(values) > size:
        values = values.iloc[np.linspace(0, len(values) - 1, size).astype(int)]
    items = (str(v).strip() for v in values.tolist())
    return [v for v in items if v]


def detect_column(
    name: str, values: pd.Series, sample_size: int = SAMPLE_SIZE
) -> PersonalColumn | None:
    """The personal-data category of one column, with evidence, or ``None``."""
    name = str(name)
    if pd.api.types.is_bool_dtype(values):
        return None
    if _BIRTH_HINT.search(name) and not pd.api.types.is_numeric_dtype(values):
        return _birth_dates(name, values, sample_size)
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return None
    sample = _sample(values, sample_size)
    if len(sample) < 3:
        return None
    counts = Counter(sample)
    total = len(sample)
    digits = sum(n for v, n in counts.items() if _DIGIT.search(v)) / total
    if pd.api.types.is_integer_dtype(values):
        candidates: tuple[str, ...] = ("nir",)  # a NIR without Corsica reads as a 15-digit integer
    else:
        candidates = ()
        if any("@" in v for v in counts):
            candidates += ("email",)
        if digits >= 0.3:
            candidates += ("phone", "nir", "iban")
            if any(v[:1].isdigit() for v in counts):
                candidates += ("address",)
        if digits < 0.2:
            names = sum(n for v, n in counts.items() if _name_words(v)) / total
            if names >= 0.8:
                candidates += ("first_name", "last_name", "full_name")
    best: PersonalColumn | None = None
    for category in candidates:
        check = _VALUE_CHECKS[category]
        matching = [v for v in counts if check(v)]
        matches = sum(counts[v] for v in matching)
        share = matches / total
        threshold = _THRESHOLDS[category]
        if category in _HINTED_THRESHOLDS and _hinted(name, category):
            threshold = _HINTED_THRESHOLDS[category]
        if share < threshold or matches < 3:
            continue
        examples = [mask(v, category) for v in matching[:3]]
        found = PersonalColumn(name, category, share, matches, total, examples)
        if best is None or _rank(found) > _rank(best):
            best = found
    return best


def _birth_dates(name: str, values: pd.Series, sample_size: int) -> PersonalColumn | None:
    """A column named like a date of birth whose values are dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        sample = _sample(values, sample_size)
        matches = len(sample)
    else:
        sample = _sample(values, sample_size)
        if not sample:
            return None
        date_format = detect_date_format(pd.Series(sample, dtype="object"))
        if date_format is None:
            return None
        parsed = pd.to_datetime(pd.Series(sample), format=date_format, errors="coerce")
        matches = int(parsed.notna().sum())
    if not sample or matches / len(sample) < 0.5:
        return None
    examples = [mask(v, "birth_date") for v in sample[:3]]
    return PersonalColumn(name, "birth_date", matches / len(sample), matches, len(sample), examples)


def _hinted(name: str, category: str) -> bool:
    if category == "first_name":
        return bool(_FIRST_HINT.search(name))
    if category == "last_name":
        return bool(_LAST_HINT.search(name)) and not _FIRST_HINT.search(name)
    return bool(_LAST_HINT.search(name))


def _rank(found: PersonalColumn) -> float:
    # Checked formats (NIR, IBAN, e-mail, phone) beat name lists, which overlap each other.
    strong = found.category in ("nir", "iban", "email", "phone", "address")
    return found.share + (1.0 if strong else 0.0)


def detect_personal(frame: pd.DataFrame, sample_size: int = SAMPLE_SIZE) -> list[PersonalColumn]:
    """Every column of ``frame`` that holds personal data, in the table's order."""
    found = []
    for column in frame.columns:
        result = detect_column(column, frame[column], sample_size)
        if result is not None:
            found.append(result)
    return found


# --------------------------------------------------------------------------- protection
def pseudonymise_columns(frame: pd.DataFrame, columns: list[str], key: bytes) -> pd.DataFrame:
    """``frame`` with each of ``columns`` replaced by keyed pseudonyms (a new DataFrame)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise messages.error("privacy.column_missing", column=missing[0])
    table = frame.copy()
    for column in columns:
        table[column] = pseudonymise(table[column], key)
    return table


def protection_step(found: PersonalColumn | list[PersonalColumn], how: str = "remove") -> Step:
    """The recipe step that protects the column(s): ``remove`` or ``pseudonymise``."""
    items = found if isinstance(found, list) else [found]
    columns = [f.column for f in items]
    if how == "pseudonymise":
        return Step("pseudonymise", {"columns": columns})
    if how == "remove":
        return Step("remove_personal", {"columns": columns})
    raise messages.error("privacy.bad_choice", choice=str(how)[:40])


def explanation() -> str:
    """Pseudonymisation vs anonymisation, in plain French."""
    return messages.text("privacy.explanation")
