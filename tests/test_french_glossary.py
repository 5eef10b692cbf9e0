"""Plain French for trainees: a glossary in every module header, no developer words, no emoji."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import labkit
from labkit import messages, paths
from labkit.course.modules import load_modules
from labkit.ui import components

REQUIRED = [
    "Médiane",
    "Validation croisée",
    "Pli",
    "Écart-type",
    "F1",
    "Gradient boosting",
    "Table Schema",
    "Data Package (Frictionless)",
]
# Message files written for trainees (the command-line ones speak to facilitators).
TRAINEE_MESSAGES = ["intro", "risk", "learning", "usecase", "ui", "quality"]
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff]")


def test_the_glossary_defines_the_terms_that_stay():
    terms = dict(components.glossary())
    for term in REQUIRED:
        assert term in terms, term
        assert len(terms[term]) > 40 and terms[term].endswith(".")
    names = [t for t, _ in components.glossary()]
    assert names == sorted(names, key=components._sort_key)


def test_every_module_header_carries_the_glossary():
    modules = load_modules()
    for module in modules:
        header = components.header_html(module, modules)
        assert '<details class="dl-glossary">' in header
        assert "<summary>Glossaire : les mots techniques expliqués</summary>" in header
        assert "<dt>Validation croisée</dt>" in header


def test_a_broken_glossary_gives_a_french_note_not_a_broken_page(tmp_path, monkeypatch):
    bad = tmp_path / "glossaire.yaml"
    bad.write_text("termes:\n  - terme: Médiane\n", encoding="utf-8")
    monkeypatch.setattr(components, "glossary_path", lambda: bad)
    html = components.glossary_html()
    assert "dl-msg-warning" in html and "l’entrée n° 1" in html


@pytest.mark.parametrize("name", TRAINEE_MESSAGES)
def test_no_developer_words_in_trainee_messages(name):
    text = (Path(labkit.__file__).parent / "messages" / f"{name}.yaml").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pandas" not in body.lower()
    assert "datalab dataset new" not in body


def test_no_glyph_that_needs_an_emoji_font():
    roots = [Path(labkit.__file__).parent, paths.content_dir()]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in {".py", ".yaml", ".js"} and "__pycache__" not in path.parts:
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if EMOJI.search(line):
                        found.append(f"{path.name}:{number}")
    assert not found, found


def test_the_quiz_hint_is_a_word():
    assert messages.text("ui.quiz_hint_label", number=1) == "Indice 1 :"
