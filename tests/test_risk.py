"""The risk questionnaire and the ethics checklist of module 02 (labkit/course/risk.py, content/risques.yaml)."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import pytest

from labkit.course import risk
from labkit.errors import DatalabError
from labkit.learner import course


@pytest.fixture(scope="module")
def questionnaire() -> risk.Questionnaire:
    return risk.load_questionnaire()


def all_no(q: risk.Questionnaire) -> dict[str, str]:
    return {question.id: risk.NO for question in q.questions}


# --------------------------------------------------------------------------- the shipped file
def test_the_shipped_questionnaire_covers_the_four_levels(questionnaire):
    ids = [level.id for level in questionnaire.levels]
    assert ids == ["interdit", "haut_risque", "risque_limite", "risque_minimal"]
    assert questionnaire.default_level == "risque_minimal"
    reached = {q.level for q in questionnaire.questions}
    assert reached == {"interdit", "haut_risque", "risque_limite"}
    for question in questionnaire.questions:
        assert question.text.endswith("?")
        assert question.reason and question.example
    for level in questionnaire.levels:
        assert level.summary and level.consequences and level.examples
    assert {c.id for c in questionnaire.checklist} == {
        "controle_humain",
        "biais",
        "donnees_personnelles",
        "transparence",
        "robustesse",
        "cout_environnemental",
    }


# ---------------------------------------------------------------------------------- the rules
def test_all_no_gives_minimal_risk(questionnaire):
    result = risk.assess(questionnaire, all_no(questionnaire))
    assert result.level.id == "risque_minimal"
    assert result.complete
    assert result.reasons == []
    assert "aucune question" in result.explanation[0]


@pytest.mark.parametrize(
    "question_id, expected",
    [
        ("notation_sociale", "interdit"),
        ("manipulation", "interdit"),
        ("prediction_infraction", "interdit"),
        ("biometrie_interdite", "interdit"),
        ("prestations_essentielles", "haut_risque"),
        ("emploi", "haut_risque"),
        ("education", "haut_risque"),
        ("infrastructures", "haut_risque"),
        ("urgences", "haut_risque"),
        ("police_justice", "haut_risque"),
        ("biometrie", "haut_risque"),
        ("produit_reglemente", "haut_risque"),
        ("dialogue", "risque_limite"),
        ("contenu_genere", "risque_limite"),
    ],
)
def test_each_yes_reaches_its_level_with_its_reason(questionnaire, question_id, expected):
    answers = all_no(questionnaire)
    answers[question_id] = risk.YES
    result = risk.assess(questionnaire, answers)
    assert result.level.id == expected
    assert [r.question for r in result.reasons] == [question_id]
    assert result.explanation == [questionnaire.question(question_id).reason]


def test_the_most_severe_yes_wins_and_the_others_are_kept(questionnaire):
    answers = all_no(questionnaire)
    answers.update(dialogue=risk.YES, prestations_essentielles=risk.YES, emploi=risk.YES)
    result = risk.assess(questionnaire, answers)
    assert result.level.id == "haut_risque"
    assert [r.question for r in result.reasons] == ["prestations_essentielles", "emploi"]
    assert [r.question for r in result.other_yes] == ["dialogue"]
    answers["notation_sociale"] = risk.YES
    assert risk.assess(questionnaire, answers).level.id == "interdit"


def test_the_running_example_is_high_risk(questionnaire):
    """Crèche places: access to an essential public service (Annex III, point 5)."""
    answers = all_no(questionnaire)
    answers["prestations_essentielles"] = risk.YES
    result = risk.assess(questionnaire, answers)
    assert result.level.name == "Haut risque"
    assert "annexe III" in result.explanation[0]


def test_unsure_answers_are_points_to_check_that_could_raise_the_level(questionnaire):
    answers = all_no(questionnaire)
    answers.update(dialogue=risk.YES, emploi=risk.UNSURE, contenu_genere=risk.UNSURE)
    result = risk.assess(questionnaire, answers)
    assert result.level.id == "risque_limite"
    # only the unsure answer that could make it worse is to check
    assert [r.question for r in result.to_check] == ["emploi"]
    assert result.possible_level.id == "haut_risque"


def test_unanswered_questions_make_an_incomplete_assessment(questionnaire):
    result = risk.assess(questionnaire, {"dialogue": risk.YES, "emploi": None})
    assert result.level.id == "risque_limite"
    assert result.answered == 1 and not result.complete
    assert risk.assess(questionnaire, None).level.id == "risque_minimal"


@pytest.mark.parametrize("bad", ["peut-être", "OUI", 1, True])
def test_a_bad_answer_gives_a_french_message(questionnaire, bad):
    with pytest.raises(DatalabError) as info:
        risk.assess(questionnaire, {"dialogue": bad})
    assert "oui, non ou je ne sais pas" in info.value.message


def test_an_unknown_question_gives_a_french_message(questionnaire):
    with pytest.raises(DatalabError) as info:
        risk.assess(questionnaire, {"question_inventee": risk.YES})
    assert "question_inventee" in info.value.message


# ------------------------------------------------------------------------------- persistence
def test_answers_and_checklist_are_saved_and_summarised(workspace, questionnaire):
    answers = all_no(questionnaire)
    answers["prestations_essentielles"] = risk.YES
    course.save_risk(workspace, answers=answers, questionnaire=questionnaire)
    course.save_risk(
        workspace,
        checklist={"biais": "Surveiller les écarts entre quartiers.\r\n", "inconnu": "ignoré"},
        questionnaire=questionnaire,
    )
    saved_answers, notes = course.load_risk(workspace)
    assert saved_answers == answers  # saving the checklist kept the answers
    assert notes == {"biais": "Surveiller les écarts entre quartiers."}
    summary = course.risk_summary(workspace, questionnaire)
    assert summary["saved"] is True and summary["assessed"] is True
    assert summary["level"] == "haut_risque"
    assert summary["level_name"] == "Haut risque"
    assert summary["complete"] is True
    assert summary["reasons"] and "annexe III" in summary["reasons"][0]
    assert {"id": "biais", "title": "Biais et discrimination"}.items() <= summary["checklist"][
        1
    ].items()
    assert summary["checklist"][1]["note"].startswith("Surveiller")
    assert all(isinstance(v, (str, int, bool, list, type(None))) for v in summary.values())


def test_summary_before_anything_is_saved(workspace, questionnaire):
    summary = course.risk_summary(workspace, questionnaire)
    assert summary["saved"] is False
    assert summary["level"] is None
    assert summary["level_name"] == "Questionnaire de risque non rempli."
    assert summary["answered"] == 0


def test_a_checklist_alone_does_not_make_a_level(workspace, questionnaire):
    course.save_risk(workspace, checklist={"biais": "À voir."}, questionnaire=questionnaire)
    summary = course.risk_summary(workspace, questionnaire)
    assert summary["saved"] is True and summary["assessed"] is False
    assert summary["level"] is None and summary["reasons"] == []
    assert summary["checklist"][1]["note"] == "À voir."


def test_a_too_long_note_is_refused_and_nothing_is_lost(workspace, questionnaire):
    course.save_risk(workspace, checklist={"biais": "court"}, questionnaire=questionnaire)
    with pytest.raises(DatalabError) as info:
        course.save_risk(
            workspace,
            checklist={"biais": "x" * (risk.NOTE_MAX + 1)},
            questionnaire=questionnaire,
        )
    assert "Biais et discrimination" in info.value.message
    assert course.load_risk(workspace)[1] == {"biais": "court"}


def test_a_damaged_saved_value_is_read_safely(workspace, questionnaire):
    workspace.save("risk", {"answers": {"dialogue": "peut-être", "emploi": "oui"}, "checklist": 3})
    answers, notes = course.load_risk(workspace)
    assert answers == {"emploi": "oui"} and notes == {}
    assert course.risk_summary(workspace, questionnaire)["level"] == "haut_risque"


# ------------------------------------------------------------------------- facilitator's YAML
def write(tmp_path, text: str):
    path = tmp_path / "risques.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """
    titre: "Test"
    niveaux:
      - {id: grave, nom: "Grave", resume: "r"}
      - {id: leger, nom: "Léger", resume: "r"}
    questions:
      - {id: q1, question: "Q1 ?", si_oui: grave, raison: "parce que"}
    checklist:
      - {id: c1, titre: "C1", question: "?"}
"""


def test_a_small_valid_file_loads_and_defaults_to_the_last_level(tmp_path):
    q = risk.load_questionnaire(write(tmp_path, GOOD))
    assert q.default_level == "leger"
    assert risk.assess(q, {"q1": "oui"}).level.id == "grave"
    assert risk.assess(q, {"q1": "non"}).level.id == "leger"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("titre: [pas fermé\n", "n’est pas un YAML valide"),
        (GOOD.replace("si_oui: grave", "si_oui: inconnu"), "n’existe pas"),
        (GOOD.replace("id: q1,", "id: q1, oups: 1,").replace(' raison: "parce que"', ""), "raison"),
        (GOOD.replace("{id: leger", "{id: grave"), "apparaît deux fois"),
        (GOOD.replace('    titre: "Test"\n', ""), "titre"),
        (
            GOOD.replace(
                'niveaux:\n      - {id: grave, nom: "Grave", resume: "r"}\n      - {id: leger, nom: "Léger", resume: "r"}',
                "niveaux: []",
            ),
            "au moins un niveau",
        ),
        (GOOD + "    niveau_par_defaut: moyen\n", "niveau_par_defaut"),
        (
            GOOD.replace(
                'checklist:\n      - {id: c1, titre: "C1", question: "?"}', "checklist: rien"
            ),
            "doit être une liste",
        ),
    ],
)
def test_a_malformed_file_gives_a_french_message(tmp_path, text, expected):
    with pytest.raises(DatalabError) as info:
        risk.load_questionnaire(write(tmp_path, text))
    assert expected in str(info.value)


def test_a_missing_file_gives_a_french_message(tmp_path):
    with pytest.raises(DatalabError) as info:
        risk.load_questionnaire(tmp_path / "absent.yaml")
    assert "introuvable" in info.value.message


# ----------------------------------------------------------------------------------- figure
def test_the_pyramid_marks_the_level_with_text(questionnaire):
    figure = risk.risk_pyramid_figure(questionnaire, "haut_risque")
    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].text) == [level.name for level in questionnaire.levels]
    assert len(figure.layout.annotations) == 1
    assert "votre projet" in figure.layout.annotations[0].text
    assert figure.layout.annotations[0].y == 3  # second level from the top
    assert not risk.risk_pyramid_figure(questionnaire, None).layout.annotations


# ------------------------------------------------------- a « je ne sais pas » never says « minimal »
def test_unsure_about_public_service_is_never_stated_minimal(questionnaire, workspace):
    answers = all_no(questionnaire)
    answers["prestations_essentielles"] = risk.UNSURE
    result = risk.assess(questionnaire, answers)
    assert result.level.id == "risque_minimal"  # what the other answers give…
    assert not result.settled
    assert "Risque minimal" not in result.label  # …is not what is stated
    assert "Haut risque" in result.label and "à vérifier" in result.label
    assert result.to_check[0].help.startswith("Regardez si le résultat du modèle")
    course.save_risk(workspace, answers=answers, questionnaire=questionnaire)
    summary = course.risk_summary(workspace, questionnaire)
    assert "Risque minimal" not in summary["level_name"]
    assert "Haut risque" in summary["level_summary"]
    assert summary["consequences"] == "" and summary["settled"] is False


def test_the_boundary_of_the_unsure_rule(questionnaire):
    base = all_no(questionnaire)
    # An unsure answer to a question of the level already reached, or lower, changes nothing.
    same = {**base, "prestations_essentielles": risk.YES, "emploi": risk.UNSURE}
    assert risk.assess(questionnaire, same).label == "Haut risque"
    lower = {**base, "dialogue": risk.YES, "contenu_genere": risk.UNSURE}
    assert risk.assess(questionnaire, lower).label == "Risque limité : obligations de transparence"
    # One level higher is enough to stop stating the lower one.
    higher = {**base, "dialogue": risk.YES, "emploi": risk.UNSURE}
    assert risk.assess(questionnaire, higher).label == "à vérifier, peut-être « Haut risque »"
    # The most severe possible level is named.
    worst = {**higher, "notation_sociale": risk.UNSURE}
    assert "Pratique interdite" in risk.assess(questionnaire, worst).label
    # Every answer « non »: minimal, settled.
    assert risk.assess(questionnaire, base).label == "Risque minimal"
    assert risk.assess(questionnaire, base).settled


def test_missing_answers_that_could_raise_the_level_are_said(questionnaire):
    result = risk.assess(questionnaire, {"emploi": risk.NO})
    assert result.label.startswith("Risque minimal, à confirmer")
    assert f"{len(questionnaire.questions) - 1} question(s) sans réponse" in result.label
    # Only the questions that could make the level more severe count.
    answers = all_no(questionnaire)
    answers["prestations_essentielles"] = risk.YES
    for question in questionnaire.questions:
        if question.level in ("risque_limite", "risque_minimal"):
            answers.pop(question.id)
    assert risk.assess(questionnaire, answers).label == "Haut risque"


def test_module02_shows_what_to_check_not_the_lower_level(questionnaire):
    from labkit.ui import module02

    answers = all_no(questionnaire)
    answers["prestations_essentielles"] = risk.UNSURE
    page = module02._assessment_html(risk.assess(questionnaire, answers))
    assert "Risque minimal" not in page and "Pas d’obligation particulière" not in page
    assert "peut-être « Haut risque »" in page and "Regardez si le résultat" in page
    assert module02._shown_level(risk.assess(questionnaire, answers)) == "haut_risque"
