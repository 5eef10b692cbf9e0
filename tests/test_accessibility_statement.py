"""The accessibility statement (issue 25, item 6): built from content/accessibilite.yaml, with
the legal wording of its status, and every criterion said to be met checked by a named test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labkit.course import accessibility, checks
from labkit.errors import DatalabError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accessibilite.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def criterion(number, status, alternative="à la place, ceci"):
    alt = f'\n    alternative: "{alternative}"' if alternative else ""
    return (
        f'  - numero: "{number}"\n    intitule: "Question {number} ?"\n'
        f'    statut: {status}\n    comment: "Vérifié ainsi."{alt}\n'
    )


def test_the_workshop_statement_says_non_conforme_with_its_self_assessment_rate():
    statement = accessibility.load_statement()
    assert accessibility.headline(statement) == "Accessibilité : non conforme"
    applicable = [c for c in statement.criteria if c.status != "NA"]
    met = [c for c in applicable if c.status == "C"]
    assert statement.rate == len(met) * 100 // len(applicable)
    text = accessibility.statement_html(statement)
    assert f"{statement.rate} % sont respectés" in text
    assert f"sur {len(statement.criteria)} critères du RGAA sur 106" in text.replace("porté ", "")
    for failing in statement.failing:
        assert failing.alternative and f"Critère {failing.number}" in text
    assert "[" not in text, "no placeholder left for the organisation to fill in"
    assert "Défenseur des droits" in text


def test_every_criterion_said_met_names_a_test_that_exists():
    statement = accessibility.load_statement()
    named = [c for c in statement.criteria if c.test]
    assert len(named) >= len([c for c in statement.criteria if c.status == "C"]) - 1
    for c in named:
        file, _, name = c.test.partition("::")
        source = (ROOT / file).read_text(encoding="utf-8")
        if name:
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), c.test


@pytest.mark.parametrize(
    ("rate_met", "complete", "expected"),
    [
        (106, True, "totalement conforme"),
        (53, True, "partiellement conforme"),
        (52, True, "non conforme"),
        (20, False, "non conforme"),  # a partial self-assessment, even if all met, is no audit
    ],
)
def test_the_legal_status_follows_the_rgaa_rules(tmp_path, rate_met, complete, expected):
    total = 106 if complete else 20
    items = "".join(
        criterion(f"{i // 10}.{i % 10}", "C" if i < rate_met else "NC") for i in range(total)
    )
    statement = accessibility.load_statement(
        write(tmp_path, f"criteres:\n{items}"), organisation="Ville de Test"
    )
    assert statement.status == expected
    assert "Ville de Test s’engage" in accessibility.statement_html(statement)


def test_an_empty_contact_sends_to_the_room_and_a_given_one_is_quoted(tmp_path):
    body = "criteres:\n" + criterion("8.3", "C")
    plain = accessibility.load_statement(write(tmp_path, body), organisation="")
    text = accessibility.statement_html(plain)
    assert "L’organisme qui met cet atelier à disposition s’engage" in text
    assert "l’équipe qui anime l’atelier" in text
    given = accessibility.load_statement(
        write(tmp_path, 'contact: "a11y@ville.fr <b>"\nadresse: "https://x"\n' + body),
        organisation="Ville",
    )
    text = accessibility.statement_html(given)
    assert "contactez a11y@ville.fr &lt;b&gt;" in text, "escaped"
    assert "publié à l’adresse https://x" in text
    markdown = accessibility.statement_markdown(given)
    assert "| 8.3 | Question 8.3 ? | conforme |" in markdown


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("criteres:\n" + criterion("1.1", "OK"), "a le statut « OK »"),
        ("criteres:\n" + criterion("1.1", "C") + criterion("1.1", "NC"), "apparaît deux fois"),
        ("criteres:\n" + criterion("1.3", "NC", alternative=""), "ne dit pas quelle alternative"),
        ('criteres:\n  - numero: "1.1"\n    statut: C\n', "« intitule »"),
        ("contact: x\n", "« criteres »"),
        ("criteres: [\n", "Ligne 2"),
        ("- juste une liste\n", "« criteres »"),
    ],
)
def test_a_malformed_statement_gets_a_french_message(tmp_path, text, said):
    with pytest.raises(DatalabError) as raised:
        accessibility.load_statement(write(tmp_path, text), organisation="X")
    assert said in str(raised.value), str(raised.value)


def test_datalab_check_reads_the_statement():
    [result] = checks.check_accessibility_statement()
    assert result.ok and "Accessibilité : non conforme" in result.line()
