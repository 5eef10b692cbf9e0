"""Catalogue search: accents and case, French plurals, filters, ranking, cards, bad input."""

from __future__ import annotations

import json

import pytest

from labkit.data import catalogue
from labkit.errors import DatalabError


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("creches", "creche"),
        ("reseaux", "reseau"),
        ("eaux", "eau"),
        ("canaux", "canal"),
        ("hopitaux", "hopital"),
        ("feux", "feu"),
        ("fuites", "fuite"),
        ("batiments", "batiment"),
        ("bus", "bus"),
        ("classe", "classe"),
        ("2024", "2024"),
    ],
)
def test_plural_stemming(word, expected):
    assert catalogue.stem(word) == expected


def test_fold_removes_accents_case_and_punctuation():
    assert catalogue.fold("Crèches d’Île-de-France") == "creches d ile de france"
    assert catalogue.terms("Les réseaux d’eau potable") == ["reseau", "eau", "potable"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("crèche", "creches"),
        ("CRECHES", "creches"),
        ("Crèches petite enfance", "creches"),
        ("réseaux d'eau", "fuites"),
        ("fuite", "fuites"),
        ("canalisations", "fuites"),
        ("piscines", "piscine"),
        ("fréquentation météo", "piscine"),
        ("déchets", "collecte"),
        ("ordures ménagères", "collecte"),
        ("bâtiments énergie", "batiments"),
        ("demandes des usagers", "demandes"),
    ],
)
def test_search_is_accent_case_and_plural_insensitive(query, first):
    results = catalogue.search(query)
    assert results and results[0].id == first


def test_results_matching_every_word_come_first():
    results = catalogue.search("quartier crèche")
    assert results[0].id == "creches"
    assert results[0].matched == ["quartier", "creche"]
    assert {r.id for r in results} >= {"creches", "demandes"}  # demandes matches "quartier" only
    assert len(results[-1].matched) <= len(results[0].matched)


def test_no_match_and_empty_query():
    assert catalogue.search("zzzzz introuvable") == []
    everything = catalogue.search("")
    assert len(everything) >= 6
    titles = [catalogue.fold(c.title) for c in everything]
    assert titles == sorted(titles)


def test_filters_by_theme_and_format():
    assert catalogue.formats() == ["csv", "xlsx"]
    assert [c.id for c in catalogue.search(format="xlsx")] == ["demandes"]
    assert [c.id for c in catalogue.search(format=".XLSX")] == ["demandes"]
    themes = catalogue.themes()
    assert "Sport et équipements" in themes
    assert [c.id for c in catalogue.search(theme="sport et equipements")] == ["piscine"]
    assert catalogue.search("crèche", theme="Sport et équipements") == []
    assert catalogue.search(theme="thème inconnu") == []


def test_card_holds_what_a_catalogue_card_shows():
    card = catalogue.search("crèche")[0]
    assert card.title.startswith("Attribution des places")
    assert card.producer and card.licence.startswith("Licence Ouverte") and card.coverage
    assert card.size_text == "1\u202f216 lignes × 26 colonnes"
    assert card.updated_text == "15 janvier 2025"
    assert "données personnelles" in card.defects and "fuite de la cible" in card.defects
    assert card.suggested_targets[0]["column"] == "place_attribuee"
    assert card.simulated


def test_a_dataset_a_facilitator_adds_is_found(tmp_path):
    folder = tmp_path / "velos"
    folder.mkdir()
    (folder / "velos.csv").write_text("station,velos\nGare,12\nPort,3\n", "utf-8")
    package = {
        "title": "Vélos en libre-service",
        "description": "Disponibilité des vélos par station.",
        "keywords": ["mobilité", "vélo"],
        "theme": "Mobilité",
        "licenses": [{"name": "odc-odbl", "title": "ODbL"}],
        "resources": [{"name": "velos", "path": "velos.csv", "schema": {"fields": []}}],
    }
    (folder / "datapackage.json").write_text(json.dumps(package), "utf-8")
    results = catalogue.search("Vélos", root=tmp_path)
    assert [r.id for r in results] == ["velos"]
    assert results[0].rows == 2 and results[0].format == "csv"
    assert results[0].defects == []
    assert catalogue.themes(tmp_path) == ["Mobilité"]


@pytest.mark.parametrize("bad", [12, ["crèche"], "x" * 201])
def test_bad_queries_are_refused_in_french(bad):
    with pytest.raises(DatalabError) as info:
        catalogue.search(bad)
    assert info.value.message.startswith("La recherche")


def test_french_dates():
    assert catalogue.french_date("2024-08-01") == "1er août 2024"
    assert catalogue.french_date("hier") == "hier"
    assert catalogue.french_date("") == "date inconnue"
