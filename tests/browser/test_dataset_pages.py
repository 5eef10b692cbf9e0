"""The facilitator's dataset pages (/animation/jeux) on a real server, in Chromium.

A facilitator adds a dataset from a CSV file with its card, completes the units and meanings of its
columns and a known defect, and module 03's catalogue reads it; bad files and bad fields get a
French message with what was typed kept; nothing is reachable without the facilitator's secret, and
every page passes axe. The server runs on a copy of the project's datasets (the repository's
``datasets/`` is never written).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import ROOT, assert_accessible

from labkit.data import catalogue, datapackage
from labkit.serve.devserver import start_server, stop_server

pytestmark = pytest.mark.browser

TOKEN = "jeux-jeton-de-test-8b2d"
SLOW_MS = 120_000
CSV = (
    "commune;date_releve;tonnage;nb_bacs\n"
    "Nantes;08/01/2024;12,5;40\n"
    "Rezé;09/01/2024;7,25;22\n"
    "Orvault;10/01/2024;3,75;11\n"
    "Saint-Herblain;11/01/2024;9,5;31\n"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project root whose datasets are a copy: what the pages write stays in the test."""
    root = tmp_path_factory.mktemp("projet")
    for name in ("notebooks", "content"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    (root / "datasets").mkdir()
    for name in ("fuites", "collecte"):
        shutil.copytree(ROOT / "datasets" / name, root / "datasets" / name)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, project):
    server = start_server(
        tmp_path_factory.mktemp("jeux"),
        pool_size=0,
        room=1,
        extra_env={"DATALAB_FACILITATOR_TOKEN": TOKEN, "DATALAB_ROOT": str(project)},
    )
    yield server
    stop_server(server)
    assert TOKEN not in server.log()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1300, "height": 900})
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    page.goto(f"{server.url}/animation?jeton={TOKEN}")
    page.get_by_role("heading", name="Suivre la salle", level=1).wait_for()
    yield page
    context.close()


def _status(server, path: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(server.url + path, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.mark.parametrize(
    "path", ["/animation/jeux", "/animation/jeux/nouveau", "/animation/jeux/fuites"]
)
def test_nothing_without_the_secret(server, path):
    code, body = _status(server, path)
    assert code == 403 and "Accès réservé" in body and "Fuites" not in body
    code, _ = _status(server, path, data=b"title=x")
    assert code == 403


def test_add_a_dataset_then_complete_its_card(page, server, project, tmp_path):
    source = tmp_path / "collecte verre.csv"
    source.write_text(CSV, encoding="utf-8")
    page.get_by_role("link", name="gérer les jeux de données").click()
    page.get_by_role("heading", name="Jeux de données du catalogue", level=1).wait_for()
    expect(page.get_by_role("rowheader")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter un jeu de données").click()
    page.get_by_role("heading", name="Ajouter un jeu de données", level=1).wait_for()
    assert_accessible(page)
    page.get_by_label("Fichier (CSV").set_input_files(str(source))
    page.get_by_label("Titre").fill("Collecte du verre")
    page.get_by_label("Description").fill("Tonnages relevés par commune, chaque semaine.")
    page.get_by_label("Producteur").fill("Direction des déchets")
    page.get_by_label("Licence").fill("etalab-2.0")
    page.get_by_label("Thème").fill("déchets et propreté")  # an existing theme, other case
    page.get_by_label("Date des données").fill("15/01/2024")
    page.get_by_label("Territoire couvert").fill("Nantes Métropole")
    page.get_by_role("button", name="Créer le jeu de données").click()

    page.get_by_role("heading", name="Fiche : Collecte du verre", level=1).wait_for()
    expect(page.get_by_role("status").first).to_contain_text("4 lignes, 4 colonnes")
    assert_accessible(page)
    page.get_by_label("Unité de la colonne tonnage").fill("tonnes")
    page.get_by_label("Description de la colonne nb_bacs").fill("Bacs vidés ce jour-là")
    page.get_by_label("Proposer la colonne commune pour l’audit des biais").check()
    page.get_by_label("Type de défaut").select_option(label="valeurs manquantes")
    page.get_by_label("Colonne(s) concernée(s)").fill("tonnage")
    page.get_by_label("Nombre de lignes concernées").fill("2")
    page.get_by_label("Ce qu’il faut en savoir").fill("Relevés oubliés certains jours fériés.")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("status").first).to_contain_text("Fiche enregistrée")

    folder = project / "datasets" / "collecte_du_verre"
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["tonnage"]["unit"] == "tonnes"
    assert fields["nb_bacs"]["description"] == "Bacs vidés ce jour-là"
    assert descriptor["updated"] == "2024-01-15" and descriptor["group_columns"] == ["commune"]
    assert descriptor["coverage"]["spatial"] == "Nantes Métropole"
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert {"kind": "missing", "columns": ["tonnage"]}.items() <= descriptor["defects"][-1].items()
    assert datapackage.check_dataset_folder(folder) == []
    # module 03's catalogue finds it under the existing theme, with its card
    info = next(i for i in datapackage.list_datasets(project / "datasets") if i.id == folder.name)
    assert info.theme == "Déchets et propreté"  # the existing theme, not a new one
    assert catalogue.themes(project / "datasets").count("Déchets et propreté") == 1

    # a defect removed; the card keeps what was not touched
    page.get_by_label("Retirer le défaut 1").check()
    count = len(descriptor["defects"])
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("status").first).to_contain_text("Fiche enregistrée")
    after = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert len(after["defects"]) == count - 1 and after["title"] == "Collecte du verre"


@pytest.mark.parametrize(
    ("content", "name", "title", "expected"),
    [
        (b"\x00\x01\x02binaire" * 50, "image.csv", "Un essai", "n’est pas un tableau lisible"),
        (CSV.encode(), "ok.csv", "", "Donnez un titre"),
        (b"", "vide.csv", "Vide", "Choisissez un fichier"),
        (b"a;b\n" + b"1;2\n" * 13_500_000, "gros.csv", "Gros", "plus que la limite"),
        (CSV.encode(), "ok.csv", "Date fausse", "n’est pas une date"),
        (CSV.encode(), "ok.csv", "Cible absente", "inconnue"),
    ],
)
def test_a_bad_file_or_field_gets_a_french_message_and_keeps_what_was_typed(
    page, server, tmp_path, content, name, title, expected
):
    page.goto(f"{server.url}/animation/jeux/nouveau")
    source = tmp_path / name
    source.write_bytes(content)
    page.get_by_label("Fichier (CSV").set_input_files(str(source))
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Producteur").fill("Service des sports")
    if title == "Date fausse":
        page.get_by_label("Date des données").fill("32/13/2024")
    if title == "Cible absente":
        page.get_by_label("Colonne à prédire").fill("inconnue")
    if not title:  # the browser itself asks for the required title first
        page.get_by_label("Titre").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name="Créer le jeu de données").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(expected)
    expect(page.get_by_label("Producteur")).to_have_value("Service des sports")
    expect(page.get_by_text("Choisissez à nouveau le fichier")).to_be_visible()
    assert_accessible(page)


def test_a_bad_card_changes_nothing(page, server, project):
    before = (project / "datasets" / "fuites" / "datapackage.json").read_bytes()
    page.goto(f"{server.url}/animation/jeux/fuites")
    page.get_by_label("Date des données").fill("31/02/2024")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("n’est pas une date")
    expect(page.get_by_label("Date des données")).to_have_value("31/02/2024")
    page.get_by_label("Date des données").fill("")
    page.get_by_label("Type de défaut").select_option(label="valeurs manquantes")
    page.get_by_label("Colonne(s) concernée(s)").fill("colonne_inconnue")
    page.get_by_label("Nombre de lignes concernées").fill("3")
    page.get_by_label("Ce qu’il faut en savoir").fill("Un essai.")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("« colonne_inconnue » n’existe pas")
    page.get_by_label("Colonne(s) concernée(s)").fill("")
    page.get_by_label("Nombre de lignes concernées").fill("beaucoup")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("un nombre entier")
    expect(page.get_by_label("Ce qu’il faut en savoir")).to_have_value("Un essai.")
    page.get_by_label("Nombre de lignes concernées").fill("2")
    page.get_by_label("Ce qu’il faut en savoir").fill("")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("alert")).to_contain_text("Décrivez le défaut")
    assert (project / "datasets" / "fuites" / "datapackage.json").read_bytes() == before


def test_only_catalogue_folders_open(page, server):
    response = page.goto(f"{server.url}/animation/jeux/inconnu")
    assert response.status == 404
    expect(page.get_by_text("Ce jeu de données n’existe pas")).to_be_visible()
    for path in ("%2e%2e%2fcontent", "..%2F..%2Fnotebooks", "fuites%2F..%2F..%2Fcontent"):
        response = page.goto(f"{server.url}/animation/jeux/{path}")
        assert response.status == 404 and "Fiche" not in page.title()
