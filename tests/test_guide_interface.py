"""The facilitator guide names only what exists (issue 24): every label of the interface it quotes
(« Comparer les modèles », « Enregistrer ce choix pour mon projet », a message) is a text of the
product, and every page it sends to is served. (Commands and their options are run or parsed by
``test_doc_commands.py``.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

from labkit import messages
from labkit.serve import datasetview, roomview

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "facilitator-guide" / "docs"
QUOTE = re.compile(r"« ([^«»]{3,70}?) »")

# What the guide quotes that is not the product's: what trainees say or ask, a rule of thumb, a
# figure read on a screen as an example, the guide's own section names. Each is checked to be
# still in the guide (an entry no page holds any more is removed).
NOT_INTERFACE = {
    "Je ne vois pas de différence": "a trainee's remark (module 01)",
    "Pourquoi l'arbre ne fait pas mieux que ma règle ?": "a trainee's question (module 01)",
    "Le modèle aide, il ne décide pas": "a rule of thumb to discuss (module 02)",
    "Je corrige tout ce que le rapport propose": "a trainee's habit (module 04)",
    'Quand le modèle répond "oui", il a raison dans 78 % des cas': "a reading to say aloud (05)",
    "Le modèle a raison dans 85 % des cas": "a reading to say aloud (module 05)",
    "Le modèle à un voisin est le meilleur, il ne se trompe jamais": "a trainee's misreading (01)",
    "Le déroulé": "the section of each module page of this guide",
}


def _plain(text: str) -> str:
    text = text.replace("\u202f", " ").replace("\xa0", " ").replace("’", "'")
    return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"'))


def product_texts() -> str:
    """Every text the product shows: messages (fields as « X »), notebooks, content files, page
    templates and scripts, dataset cards, the launcher's French lines."""
    parts = []
    for key in messages.keys():
        entry = messages._entry(key)
        parts += [entry.get("message") or "", entry.get("hint") or ""]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        parts += ["".join(c["source"]) for c in json.loads(path.read_text("utf-8"))["cells"]]
    patterns = ("content/**/*.yaml", "labkit/**/*.py", "labkit/**/*.j2", "labkit/**/*.js")
    for pattern in (*patterns, "labkit/**/*.html", "datasets/*/datapackage.json"):
        parts += [p.read_text("utf-8") for p in sorted(ROOT.glob(pattern))]
    parts.append((ROOT / "datalab.sh").read_text("utf-8"))
    return re.sub(r"\{[a-z_]+\}", "X", _plain("\n".join(parts)))


def missing_labels(markdown: str, product: str) -> list[str]:
    """The labels quoted in ``markdown`` (« Capitalised text ») that the product never shows.
    « … » in a label stands for any text (a message's field), a number for any number."""
    missing = []
    for match in QUOTE.finditer(markdown):
        label = _plain(match.group(1))
        if not label[0].isupper() or label in NOT_INTERFACE or "<" in label:
            continue
        pattern = re.escape(label).replace("…", ".*?")
        pattern = re.sub(r"\d+(?:\\ \d+)*", r"(?:[\\d ,/]+|X|[nN])", pattern)
        if not re.search(pattern, product):
            missing.append(label)
    return missing


def test_every_interface_label_the_guide_quotes_exists():
    product = product_texts()
    found = {
        page.relative_to(DOCS).as_posix(): missing_labels(page.read_text("utf-8"), product)
        for page in sorted(DOCS.rglob("*.md"))
    }
    assert not {page: labels for page, labels in found.items() if labels}


def test_a_label_the_product_does_not_show_is_found():
    product = product_texts()
    text = "Cliquez sur « Comparer les modèles », puis sur « Valider la comparaison »."
    assert missing_labels(text, product) == ["Valider la comparaison"]
    said = "Le message « Le port 8866 est déjà utilisé » et « Étape suivante (2/5) : … »."
    assert missing_labels(said, product) == []


def test_the_quotes_that_are_not_interface_are_still_in_the_guide():
    guide = _plain(" ".join(p.read_text("utf-8") for p in DOCS.rglob("*.md")))
    assert [q for q in NOT_INTERFACE if f"« {q} »" not in guide] == []


def served(path: str) -> bool:
    """Is ``path`` (``/animation/jeux``, ``/voila/render/….ipynb``) a page of the server?"""
    path = path.split("?")[0]
    routes = [r[0] for r in roomview.handlers("/", None) + datasetview.handlers("/", {})]
    if any(re.fullmatch(route, path) for route in routes):
        return True
    notebook = re.fullmatch(r"/voila/render/(?:notebooks/)?([0-9a-z_]+)\.ipynb", path)
    return bool(notebook) and (ROOT / "notebooks" / f"{notebook.group(1)}.ipynb").is_file()


def test_every_page_the_guide_sends_to_is_served():
    pages = set()
    for page in DOCS.rglob("*.md"):
        text = page.read_text("utf-8")
        pages |= set(re.findall(r"`(/(?:animation|voila)[^`\s]*)`", text))
        pages |= set(re.findall(r":88\d\d(/(?:animation|voila)[^\s`)»]*)", text))
    assert "/animation/jeux" in pages
    pages = {p for p in pages if "…" not in p}  # « /voila/render/… »: any page, said in words
    assert [p for p in sorted(pages) if not served(p)] == []
    assert not served("/animation/inexistante") and not served("/voila/render/99_absent.ipynb")
