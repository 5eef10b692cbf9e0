"""Spellings of one category: « St-Martin », « SAINT MARTIN » and « saint-martin » are one place.

:func:`fold_category` gives the folded form of a value (case, accents, punctuation, leading
articles, plural marks, common abbreviations and synonyms removed); :func:`category_groups` also
joins acronyms (« OMR ») to their long form and spellings one typo apart, and names the spelling
to keep (the one a schema allows, else the most presentable and frequent).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any

import pandas as pd

_ARTICLES = frozenset({"le", "la", "les", "l"})
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "bd": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "pl": "place",
    "mt": "mont",
}


# Folded forms that name the same thing in local-government files (left: variant, right: form
# it is grouped with). Extend with care: only true synonyms.
_SYNONYMS = {
    "hotel de ville": "mairie",
    "salle de fete": "salle polyvalente",
    "salle des fete": "salle polyvalente",
    "nuisance sonore": "bruit",
    "polyethylene": "pehd",
    "polyethylene haute densite": "pehd",
    "ordure menagere": "omr",
    "ordure menagere residuelle": "omr",
    "centre technique municipal": "centre technique",
    "ctm": "centre technique",
}
# Words that only say which commune runs a place (« gymnase municipal » is « gymnase »): a value
# that adds one of them to another is a spelling of it; any other added word makes another
# category (« permis de construire modificatif » is not « permis de construire »). The short
# or the long form must be rare beside the other (« éclairage » among « éclairage public »,
# « gymnase municipal » among « gymnase »): where both are common (« école primaire » and
# « école primaire publique »), they are two things.
_QUALIFIERS = frozenset(
    {
        "municipal",
        "municipale",
        "municipau",
        "communal",
        "communale",
        "communau",
        "intercommunal",
        "intercommunale",
        "public",
        "publique",
    }
)
_SMALL_WORDS = frozenset(
    {"de", "du", "des", "d", "et", "en", "sur", "sous", "l", "la", "le", "les", "a", "au", "aux"}
)


def fold_category(value: Any) -> str:
    """The folded form of a category: ``« St-Martin »`` → ``saintmartin``, ``« Les Côteaux »`` →
    ``coteau``, ``« espaces verts »`` → ``espacevert``; spellings with the same folded form are
    the same category."""
    words = _stem_words(value)
    joined = " ".join(words)
    joined = _SYNONYMS.get(joined, joined)
    return joined.replace(" ", "")


def folded_words(value: Any) -> list[str]:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("œ", "oe").replace("æ", "ae").replace("+", " plus ")
    words = re.split(r"[^0-9a-z]+", text)
    return [_ABBREVIATIONS.get(w, w) for w in words if w]


def _stem_words(value: Any) -> list[str]:
    """Folded words without leading article, plural marks removed (French)."""
    words = folded_words(value)
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return [w[:-1] if len(w) > 3 and w[-1] in "sx" and not w.endswith("ss") else w for w in words]


def _capitals(spellings: list[str]) -> bool:
    """Is one of these spellings written in capital letters only (an acronym)?"""
    return any(s.strip().isalpha() and s.strip().isupper() for s in spellings)


def _acronym(value: Any) -> str:
    words = [w for w in folded_words(value) if w not in _SMALL_WORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


_DIGIT_RUNS = re.compile(r"\d+")


def _numbers(value: Any) -> list[str]:
    """The numbers written in a value (« relevé sur 2 jours » → ``["2"]``), leading zeros kept."""
    return _DIGIT_RUNS.findall(str(value))


def _close(a: str, b: str) -> bool:
    """One typo apart (swapping two letters counts as one), letters only: not another category.

    Two typos are never one: « mobilières » and « immobilières » are two different things."""
    if min(len(a), len(b)) < 7 or abs(len(a) - len(b)) > 1:
        return False
    if a[:2] != b[:2] and a[-2:] != b[-2:]:
        return False
    if _numbers(a) != _numbers(b):
        return False
    return _one_edit(a, b)


def _one_edit(a: str, b: str) -> bool:
    """At most one edit from ``a`` to ``b``: a letter changed, added or removed, or two
    neighbouring letters swapped (the optimal string alignment distance is 0 or 1)."""
    if len(a) > len(b):
        a, b = b, a
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):  # one letter more in b
        return a[first:] == b[first + 1 :]
    if first == len(a):
        return True
    return a[first + 1 :] == b[first + 1 :] or (
        a[first + 2 :] == b[first + 2 :] and a[first] == b[first + 1] and a[first + 1] == b[first]
    )


_YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1"})
_NO = frozenset({"non", "n", "no", "false", "faux", "0"})


def _yes_no_keys(keys: list[str]) -> tuple[list[str], list[str]] | None:
    """The folded spellings of yes and of no, when a column holds nothing else (both answers
    present, one of them in several spellings); ``None`` otherwise."""
    yes = [k for k in keys if k in _YES]
    no = [k for k in keys if k in _NO]
    if not yes or not no or len(yes) + len(no) != len(keys) or len(keys) < 3:
        return None
    if {k for k in keys} <= {"0", "1"}:
        return None
    return yes, no


def _short_word_differs(a: list[str], b: list[str]) -> bool:
    """Do two spellings differ in a word of one or two letters (a grade, a class letter)?"""
    if len(a) != len(b):
        return False
    return any(x != y and min(len(x), len(y)) <= 2 for x, y in zip(a, b, strict=True))


def _nice(value: str) -> tuple:
    """How presentable a spelling is: not shouting, with accents, no stray spaces."""
    letters = [c for c in value if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0
    accents = any(unicodedata.decomposition(c) for c in value)
    return (upper < 0.5, value == value.strip() and "  " not in value, accents)


def category_groups(values: pd.Series, allowed: list[str] | None) -> list[tuple[str, list[str]]]:
    """Groups of spellings of one category: (retained spelling, variants)."""
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return []
    keys: dict[str, list[str]] = defaultdict(list)
    for value in counts.index:
        keys[fold_category(value)].append(value)
    allowed_keys = {fold_category(v): v for v in allowed or []}
    # merge keys that are acronyms of others, or one typo apart
    key_list = sorted(keys, key=lambda k: -sum(counts[v] for v in keys[k]))
    parent = {k: k for k in key_list}
    size = {k: sum(counts[v] for v in keys[k]) for k in key_list}

    def root(k: str) -> str:
        while parent[k] != k:
            k = parent[k]
        return k

    every_key = list(key_list)
    yes_no = _yes_no_keys(key_list)
    if yes_no is not None:  # « true », « 1 », « Oui » are one answer; « false », « 0 » the other
        for group in yes_no:
            for key in group[1:]:
                parent[root(key)] = root(group[0])
        key_list = []  # nothing else to join in a yes/no column

    acronym_of = {key: _acronym(keys[key][0]) for key in key_list}  # once each, not per pair
    acronyms = {}
    for key in key_list:
        acronym = acronym_of[key]
        if acronym:
            acronyms.setdefault(acronym, key)
    for key in key_list:  # an acronym is written in capitals (« PACA », « OMR »)
        if len(key) >= 2 and key in acronyms and acronyms[key] != key and _capitals(keys[key]):
            parent[root(key)] = root(acronyms[key])
    words_of = {k: _stem_words(keys[k][0]) for k in key_list}
    for key in key_list:  # acronyms of the long form, possibly with one more letter (« OMR »)
        if len(key) > 5 or not key.isalpha() or not _capitals(keys[key]):
            continue
        for other in key_list:
            acronym = acronym_of[other]
            if (
                other != key
                and acronym
                and key.startswith(acronym)
                and len(key) - len(acronym) <= 1
            ):
                if len(acronym) >= 3 and root(key) != root(other):
                    parent[root(key)] = root(other)
                    break
    # the keys whose words start with a key's words and go on, in the keys' order (instead of
    # looking at every other key for each key)
    position = {k: i for i, k in enumerate(key_list)}
    extended: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for other in key_list:
        words = words_of[other]
        for length in range(1, len(words)):
            extended[tuple(words[:length])].append(other)
    for key in key_list:  # « sam. » for « samedi », « gymnase » for « gymnase municipal »
        words = words_of[key]
        if not key.isalpha():
            continue
        starting = extended.get(tuple(words), [])
        longer = [words_of[o][len(words) :] for o in starting]
        if any(not set(extra) <= _QUALIFIERS for extra in longer):
            continue  # « école primaire » beside « école primaire privée » and « … publique »
        completions = [
            other
            for other in starting
            if other != key
            and set(words_of[other][len(words) :]) <= _QUALIFIERS
            and 3 * min(size[key], size[other]) <= max(size[key], size[other])
        ]
        if 3 <= len(key) <= 4 and len(words) == 1:  # a word cut short: « sam. »
            completions += [
                other
                for other in key_list
                if other != key
                and other not in completions
                and len(words_of[other]) == 1
                and len(key) < len(other)
                and other.startswith(key)
                and 3 * size[key] <= size[other]
            ]
            completions.sort(key=position.__getitem__)
        if len({root(c) for c in completions}) == 1 and root(key) != root(completions[0]):
            if key in allowed_keys and completions[0] in allowed_keys:
                continue
            parent[root(key)] = root(completions[0])
    if len(key_list) <= 400:
        # only keys of 7 letters or more, one letter longer or shorter at most, can be one typo
        # apart (:func:`_close`): each key is set beside those, in the keys' order
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, key in enumerate(key_list):
            if len(key) >= 7:
                by_length[len(key)].append(i)
        for i, a in enumerate(key_list):
            if len(a) < 7:
                continue
            near = sorted(j for n in (-1, 0, 1) for j in by_length.get(len(a) + n, ()) if j > i)
            for b in (key_list[j] for j in near):
                if root(a) != root(b) and _close(a, b):
                    if a in allowed_keys and b in allowed_keys:
                        continue
                    if _short_word_differs(words_of[a], words_of[b]):
                        continue  # « catégorie A » and « catégorie B »: one letter is the value
                    if 4 * min(size[a], size[b]) > max(size[a], size[b]):
                        continue  # a typo is rare beside the right spelling (« Saint-Pern »
                        # and « Saint-Père » are two communes, each met a few times)
                    parent[root(b)] = root(a)
    merged: dict[str, list[str]] = defaultdict(list)
    for key in every_key:
        merged[root(key)].extend(keys[key])
    groups = []
    for spellings in merged.values():
        if len(spellings) < 2:
            continue
        retained = None
        for spelling in spellings:
            if spelling in (allowed or []):
                retained = spelling
                break
        if retained is None:
            for member in spellings:
                if fold_category(member) in allowed_keys:
                    retained = allowed_keys[fold_category(member)]
                    break
        if retained is None:
            retained = max(
                spellings, key=lambda s: (_nice(s)[0], counts[s], _nice(s)[2], _nice(s)[1])
            )
        variants = [s for s in spellings if s != retained]
        if variants:
            groups.append((retained, variants))
    return groups
