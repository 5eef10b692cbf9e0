"""Searching the bundled datasets (and any a facilitator adds) by keywords, theme and format.

The search folds accents and case (``Crèches`` finds ``creche``), reduces French plurals to their
singular (``réseaux`` → ``réseau``, ``canaux`` → ``canal``, ``fuites`` → ``fuite``), ignores small
words (``de``, ``la``, ``les``…) and ranks the datasets: first those matching every word, then by a
score weighting where a word matched (title and keywords count most, then theme, column names,
description and producer). Each result is a :class:`Card` carrying what a catalogue card shows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from labkit import messages
from labkit.data import datapackage

WEIGHTS = {
    "title": 4.0,
    "keywords": 3.0,
    "theme": 2.5,
    "columns": 1.5,
    "description": 1.0,
    "producer": 1.0,
}
PREFIX_FACTOR = 0.5  # a query word that starts a longer indexed word ("piscin" in "piscines")
STOPWORDS = set(
    """
    a au aux avec ce ces d da dans de des du en et l la le les leur leurs mais ne ou par pas
    pour qu que qui sa se ses son sur un une y est sont ete etre the of and to in
    """.split()
)
INVARIABLE = {"bus", "cours", "corps", "temps", "pays", "prix", "fois", "gaz", "tennis", "ors"}
AL_PLURALS = {"bals", "carnavals", "festivals", "chacals", "recitals", "regals"}


@dataclass
class Card:
    """One search result: what the catalogue card shows."""

    id: str
    title: str
    description: str
    producer: str
    licence: str
    licence_url: str
    coverage: str
    rows: int | None
    columns: int
    updated: str
    format: str
    theme: str
    keywords: list[str]
    simulated: bool
    defects: list[str]  # French labels of the documented defect kinds
    suggested_targets: list[dict]
    score: float = 0.0
    matched: list[str] = field(default_factory=list)
    learnability_warning: str = ""  # no model beat the naive reference when the card was saved

    @property
    def size_text(self) -> str:
        rows = "?" if self.rows is None else f"{self.rows:,}".replace(",", "\u202f")
        return messages.text("catalogue.size", rows=rows, columns=self.columns)

    @property
    def updated_text(self) -> str:
        return french_date(self.updated)


# ============================================================================ text
def fold(text: str) -> str:
    """Lowercase, without accents, apostrophes and punctuation turned into spaces."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def stem(word: str) -> str:
    """The singular of a French word, roughly, so that plural and singular meet."""
    if len(word) <= 3 or word in INVARIABLE or word.isdigit():
        return word
    if word.endswith("eaux"):
        return word[:-1]  # réseaux → reseau, eaux → eau
    if word.endswith("aux"):
        return word[:-3] + "al"  # canaux → canal, hopitaux → hopital
    if word.endswith("eux"):
        return word[:-1]  # feux → feu
    if word in AL_PLURALS:
        return word[:-1]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    if word.endswith("x") and word[-2] in "ou":
        return word[:-1]  # bijoux → bijou
    return word


def terms(text: str) -> list[str]:
    """Search terms of a text: folded words, stop words removed, plurals stemmed."""
    return [stem(w) for w in fold(text).split() if w not in STOPWORDS and len(w) > 1]


# ============================================================================ search
def themes(root: Path | None = None) -> list[str]:
    return sorted({i.theme for i in datapackage.list_datasets(root) if i.theme}, key=fold)


def formats(root: Path | None = None) -> list[str]:
    return sorted({i.format for i in datapackage.list_datasets(root) if i.format})


def search(
    query: str = "",
    *,
    theme: str | None = None,
    format: str | None = None,  # noqa: A002 - the word people use
    root: Path | None = None,
) -> list[Card]:
    """The datasets matching ``query`` (every word, or failing that some), best first, within
    ``theme`` and ``format`` when given. An empty query lists every dataset by title."""
    if query is not None and not isinstance(query, str):
        raise messages.error("catalogue.bad_query")
    if query and len(query) > 200:
        raise messages.error("catalogue.query_too_long", max=200)
    infos = datapackage.list_datasets(root)
    if theme:
        infos = [i for i in infos if fold(i.theme) == fold(theme)]
    if format:
        infos = [i for i in infos if i.format.lower() == format.lower().lstrip(".")]
    wanted = list(dict.fromkeys(terms(query or "")))
    if not wanted:
        return sorted((card(i) for i in infos), key=lambda c: fold(c.title))
    scored = []
    for info in infos:
        score, matched = _score(info, wanted)
        if matched:
            result = card(info)
            result.score = score
            result.matched = matched
            scored.append(result)
    scored.sort(key=lambda c: (-len(c.matched), -c.score, fold(c.title)))
    return scored


def _index(info: datapackage.DatasetInfo) -> dict[str, set[str]]:
    columns = " ".join(
        f"{f.get('name', '')} {f.get('title', '')}".replace("_", " ") for f in info.fields
    )
    return {
        "title": set(terms(info.title)),
        "keywords": set(terms(" ".join(info.keywords))),
        "theme": set(terms(info.theme)),
        "columns": set(terms(columns)),
        "description": set(terms(info.description)),
        "producer": set(terms(info.producer)),
    }


def _score(info: datapackage.DatasetInfo, wanted: list[str]) -> tuple[float, list[str]]:
    index = _index(info)
    total, matched = 0.0, []
    for word in wanted:
        best = 0.0
        for place, words in index.items():
            if word in words:
                best = max(best, WEIGHTS[place])
            elif len(word) >= 4 and any(w.startswith(word) for w in words):
                best = max(best, WEIGHTS[place] * PREFIX_FACTOR)
        if best:
            matched.append(word)
            total += best
    return total, matched


def card(info: datapackage.DatasetInfo) -> Card:
    return Card(
        id=info.id,
        title=info.title,
        description=info.description,
        producer=info.producer or messages.text("catalogue.unknown_producer"),
        licence=info.licence,
        licence_url=info.licence_url,
        coverage=info.coverage,
        rows=info.rows,
        columns=info.columns,
        updated=info.updated,
        format=info.format,
        theme=info.theme,
        keywords=info.keywords,
        simulated=info.simulated,
        defects=defect_labels(info.defects),
        suggested_targets=info.suggested_targets,
        learnability_warning=info.learnability_warning,
    )


def defect_labels(defects: list[dict]) -> list[str]:
    """French names of the documented defect kinds, in a stable order, each once."""
    kinds = []
    for defect in defects:
        kind = defect.get("kind")
        if kind in datapackage.DEFECT_KINDS and kind not in kinds:
            kinds.append(kind)
    order = {k: i for i, k in enumerate(datapackage.DEFECT_KINDS)}
    return [messages.text(f"catalogue.defect_{k}") for k in sorted(kinds, key=order.get)]


def french_date(iso: str) -> str:
    """``2025-01-15`` → ``15 janvier 2025``; anything else is returned as is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}).*", str(iso or ""))
    if not match:
        return str(iso or messages.text("catalogue.unknown_date"))
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return str(iso)
    first = "1er" if day == 1 else str(day)
    return f"{first} {messages.text('catalogue.months').split()[month - 1]} {year}"
