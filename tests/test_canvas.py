"""The fiche projet of module 02 (labkit/course/canvas.py): validation, saving, exports."""

from __future__ import annotations

import datetime as dt
import html.parser

import pytest

from labkit.course import canvas
from labkit.errors import DatalabError
from labkit.learner import course


def complete_values() -> dict[str, str]:
    return canvas.example_values()


def test_every_field_has_a_french_label_guidance_and_worked_example():
    assert len(canvas.FIELDS) >= 8
    for f in canvas.FIELDS:
        assert f.label and f.help and f.example
        assert "'" not in f.label + f.help + f.example  # typographic apostrophes only
    assert set(canvas.REQUIRED) >= {"probleme", "decision", "cible", "donnees", "critere"}
    assert "crèche" in canvas.field("probleme").example


def test_the_worked_example_is_complete():
    assert canvas.validate(complete_values()) == []
    assert canvas.is_complete(complete_values())


def test_empty_required_fields_are_reported_in_french():
    values = complete_values()
    values["cible"] = "   "
    values["decision"] = ""
    del values["donnees"]
    issues = canvas.validate(values)
    assert [i.field for i in issues] == ["decision", "cible", "donnees"]
    assert all(i.kind == "missing" for i in issues)
    assert issues[0].message == "Le champ « La décision à éclairer » est obligatoire."
    assert issues[0].hint


def test_empty_optional_fields_are_fine():
    values = complete_values()
    values["valeur"] = ""
    values["parties_prenantes"] = None
    assert canvas.validate(values) == []


def test_too_long_text_is_reported_and_not_saved(workspace):
    first = course.save_canvas(workspace, complete_values())
    assert first.complete
    values = complete_values()
    values["probleme"] = "x" * (canvas.TEXT_MAX + 1)
    issues = canvas.validate(values)
    assert [(i.field, i.kind) for i in issues] == [("probleme", "too_long")]
    assert str(canvas.TEXT_MAX) in issues[0].message
    with pytest.raises(DatalabError) as info:
        course.save_canvas(workspace, values)
    assert "caractères" in info.value.message
    assert "Rien n’a été enregistré" in info.value.hint
    # the canvas saved before is intact
    assert course.load_canvas(workspace) == canvas.normalise(complete_values())


def test_a_too_long_title_is_refused():
    values = complete_values()
    values["titre"] = "Titre " * 40
    issues = canvas.validate(values)
    assert issues and issues[0].field == "titre" and issues[0].kind == "too_long"


@pytest.mark.parametrize("bad", [["liste"], {"a": 1}, True, object()])
def test_non_text_values_give_a_french_message(bad):
    values = complete_values()
    values["cible"] = bad
    with pytest.raises(DatalabError) as info:
        canvas.validate(values)
    assert "texte" in info.value.message


def test_text_is_normalised():
    values = {
        "titre": "  Mon\n  projet\t ",
        "probleme": "ligne 1\r\nligne 2\x00\x07\r\n\n\n\nfin  ",
    }
    clean = canvas.normalise(values)
    assert clean["titre"] == "Mon projet"
    assert clean["probleme"] == "ligne 1\nligne 2\n\nfin"
    assert set(clean) == set(canvas.FIELD_IDS)
    assert canvas.normalise(None) == {f: "" for f in canvas.FIELD_IDS}


def test_a_draft_is_saved_with_what_is_missing(workspace):
    result = course.save_canvas(workspace, {"titre": "Piscine", "probleme": "Trop d’attente"})
    assert not result.complete
    assert "decision" in result.missing
    assert "brouillon" in result.message
    assert "« La décision à éclairer »" in result.message
    stored = workspace.load("canvas")
    assert stored["complete"] is False
    assert course.load_canvas(workspace)["probleme"] == "Trop d’attente"


def test_save_and_reopen_round_trip(workspace, workspace_root):
    values = complete_values()
    values["valeur"] = "Des familles prévenues plus tôt ; « moins d’appels »."
    result = course.save_canvas(workspace, values)
    assert result.complete and result.message.startswith("Fiche projet enregistrée")
    from labkit.workspace import Workspace

    reopened = Workspace.open("Testeur", workspace_root)
    assert course.load_canvas(reopened) == canvas.normalise(values)
    summary = course.canvas_summary(reopened)
    assert summary["saved"] and summary["complete"]
    assert summary["fields"][0]["label"] == "Titre du projet"


def test_nothing_saved_yet(workspace):
    assert course.load_canvas(workspace) is None
    summary = course.canvas_summary(workspace)
    assert summary["saved"] is False and summary["complete"] is False


def test_a_tampered_saved_canvas_is_read_safely(workspace):
    workspace.save(
        "canvas",
        {"fields": {"titre": "T" * 500, "probleme": ["pas", "du", "texte"], "intrus": "x"}},
    )
    values = course.load_canvas(workspace)
    assert len(values["titre"]) == canvas.TITLE_MAX
    assert values["probleme"] == ""
    assert "intrus" not in values
    workspace.save("canvas", "n’importe quoi")
    assert course.load_canvas(workspace) is None


def test_fill_blanks_keeps_what_the_learner_wrote():
    filled = canvas.fill_blanks_with_example({"titre": "Mon titre"})
    assert filled["titre"] == "Mon titre"
    assert filled["cible"] == canvas.field("cible").example


INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_export_is_standalone_and_escapes_injection():
    values = complete_values()
    values["titre"] = "Projet <b>gras</b> & co"
    values["probleme"] = INJECTION + "\nDeuxième ligne"
    document = canvas.to_html(values, author="Camille", when=dt.date(2026, 3, 2))
    assert document.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in document
    assert "<script" not in document and "<img" not in document and "<b>" not in document
    assert "&lt;script&gt;" in document
    assert "&amp; co" in document
    assert "http" not in document  # nothing loaded from outside
    parser = _Collector()
    parser.feed(document)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert parser.tags.count("h2") == len(canvas.FIELDS) - 1
    text = "".join(parser.text)
    assert INJECTION in text  # shown as text, exactly as typed
    assert "Deuxième ligne" in text and "Rédigée par : Camille" in text and "02/03/2026" in text


def test_markdown_export_has_one_section_per_field_and_no_raw_html():
    values = complete_values()
    values["regle_simple"] = INJECTION
    values["valeur"] = ""
    text = canvas.to_markdown(values, author="Camille", when=dt.date(2026, 3, 2))
    assert text.startswith("# Fiche projet : ")
    assert text.count("\n## ") == len(canvas.FIELDS) - 1
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "*(à compléter)*" in text
    assert "Fiche complète." in text


def test_incomplete_exports_say_so():
    text = canvas.to_markdown({"titre": "Brouillon"})
    assert "Brouillon : " in text and "rubrique(s) obligatoire(s)" in text
    assert "(à compléter)" in canvas.to_html({})


def test_export_filename_is_safe():
    assert canvas.export_filename({"titre": "Crèches : l’été / 2026 <b>"}, "html") == (
        "fiche-projet-creches-lete-2026-b.html"
    )
    assert canvas.export_filename({}, "md") == "fiche-projet-sans-titre.md"


def test_what_is_known_at_decision_time_is_quoted_on_one_line_and_cut():
    from labkit.course.canvas import QUOTE_MAX, decision_context

    assert decision_context(None) is None
    assert decision_context({"titre": "Piscine"}) is None
    assert decision_context({"decision": "L’agent\n  propose un créneau."}) == (
        "decision",
        "L’agent propose un créneau.",
    )
    both = {"decision": "Une décision.", "donnees": "Le dossier au dépôt."}
    assert decision_context(both) == ("donnees", "Le dossier au dépôt.")
    field, text = decision_context({"donnees": "mot " * 200})
    assert field == "donnees" and len(text) == QUOTE_MAX and text.endswith("…")
