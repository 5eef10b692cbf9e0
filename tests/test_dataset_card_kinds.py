"""The facilitator's dataset card (``/animation/jeux``, ``datalab dataset``): what each column holds
(its kind), defects removed from the card, and the suitability check run when the card is saved.

Everything goes through what a facilitator does: the form's POST to the pages served by tornado
(on a thread of its own, as in ``test_dataset_pages_errors``) and the ``datalab dataset``
command, on a project root of the test's own (the repository's ``datasets/`` is never written)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import dataset_pages

from labkit import paths
from labkit.cli import main
from labkit.commands.train import train_table
from labkit.data import catalogue, datapackage, selection
from labkit.data.reader import read_table
from labkit.learner import chain, preparation
from labkit.learner.dataset import save_choice
from labkit.prepare import quality
from labkit.prepare import recipe as rc
from labkit.serve import roomview

ROOT = paths.project_root()
SECRET = "jeux-natures-de-test"
ID = "mandats"


def csv_text(rows: int = 80, seed: int = 3) -> str:
    """Payments of a town hall: a record number, an accounting post written with digits (a code,
    one of them unusual, one missing), amounts written « ,35 » below one euro, and a yes/no
    answer drawn at random (nothing can predict it)."""
    rng = np.random.default_rng(seed)
    lines = ["numero;poste;montant;quartier;accord"]
    for i in range(rows):
        poste = str(rng.choice(["6411", "6413", "6451", "6532"]))
        poste = {7: "9971", 11: ""}.get(i, poste)
        cents = int(rng.integers(1, 400))
        amount = f"{cents // 100},{cents % 100:02d}".removeprefix("0")
        quarter = rng.choice(["Centre", "Gare", "Port"])
        lines.append(f"{1001 + i};{poste};{amount};{quarter};{rng.choice(['oui', 'non'])}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- the pages
@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project root whose ``datasets/`` belongs to the test (its content and notebooks are the
    repository's, only read)."""
    root = tmp_path / "projet"
    (root / "datasets").mkdir(parents=True)
    for name in ("content", "notebooks"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.setenv("DATALAB_ROOT", str(root))
    monkeypatch.setenv("DATALAB_WORKSPACE", str(tmp_path / "espace"))
    paths._find_root.cache_clear()
    yield root
    paths._find_root.cache_clear()


@pytest.fixture
def pages(project):
    with dataset_pages(SECRET) as url:
        yield url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _fetch(url: str, *, xsrf: str = "", data: bytes | None = None, kind: str | None = None):
    """(status, page, Location) of one request with the facilitator's cookie."""
    cookie = f"{roomview.COOKIE}={roomview.cookie_value(SECRET)}; _xsrf={xsrf}"
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie})
    if kind:
        request.add_header("Content-Type", kind)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.read().decode("utf-8"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), error.headers.get("Location", "")


def _token(url: str) -> str:
    code, page, _ = _fetch(url)
    assert code == 200, page[:300]
    return re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)


def _add(base: str, text: str, *, target: str = "accord") -> None:
    """The facilitator adds the file through « Ajouter un jeu de données »."""
    url = f"{base}/animation/jeux/nouveau"
    token = _token(url)
    boundary = uuid.uuid4().hex
    fields = {"_xsrf": token, "title": "Mandats", "licence": "etalab-2.0", "target": target}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; '
        f'filename="{ID}.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + text.encode("utf-8")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    code, page, where = _fetch(
        url, xsrf=token, data=b"".join(parts), kind=f"multipart/form-data; boundary={boundary}"
    )
    assert code == 303 and where.startswith(f"/animation/jeux/{ID}"), page[:2000]


def _card_form(page: str) -> list[tuple[str, str]]:
    """The card's fields as the browser would send them unchanged (inputs and selected options)."""
    form = page[page.index("<form") :]
    sent = [
        (m["name"], m["value"])
        for m in re.finditer(
            r'<input[^>]*name="(?P<name>[^"]+)"[^>]*value="(?P<value>[^"]*)"', form
        )
        if 'type="checkbox"' not in m.group(0)
    ]
    for select in re.finditer(r'<select[^>]*name="(?P<name>[^"]+)".*?</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(0))
        sent.append((select["name"], chosen.group(1) if chosen else ""))
    for area in re.finditer(
        r'<textarea[^>]*name="(?P<name>[^"]+)"[^>]*>(?P<v>.*?)</textarea>', form, re.S
    ):
        sent.append((area["name"], area["v"]))
    return [(k, v) for k, v in sent if k != "_xsrf"]


def _save(base: str, changes: dict[str, str], extra: list[tuple[str, str]] = ()):
    """The facilitator opens the card, changes ``changes`` and presses « Enregistrer »."""
    url = f"{base}/animation/jeux/{ID}"
    code, page, _ = _fetch(url)
    assert code == 200
    token = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    sent = [(k, changes.get(k, v)) for k, v in _card_form(page)]
    sent += [(k, v) for k, v in changes.items() if k not in dict(sent)]
    sent += list(extra)
    body = urllib.parse.urlencode([("_xsrf", token), *sent]).encode()
    return _fetch(url, xsrf=token, data=body)


def _descriptor(project: Path) -> dict:
    return json.loads((project / "datasets" / ID / "datapackage.json").read_text("utf-8"))


def _fields(project: Path) -> dict[str, dict]:
    return {f["name"]: f for f in _descriptor(project)["resources"][0]["schema"]["fields"]}


def _widget_text(widget) -> str:
    """The descriptions of a page's check boxes (the columns offered as features)."""
    children = getattr(widget, "children", ())
    own = f"« {widget.description} »" if hasattr(widget, "indent") else ""
    return own + "".join(_widget_text(c) for c in children)


def _index(page: str, column: str) -> int:
    """The row of ``column`` in the card's table of columns."""
    names = re.findall(r'<tr><th scope="row">([^<]+)</th><td>', page)
    return names.index(column)


# ----------------------------------------------------------------------------- « ,03 »
def test_amounts_written_with_a_leading_comma_are_read_as_numbers():
    read = read_table(b"commune;montant\nA;,03\nB;1,25\nC;-,5\nD;12\n", "m.csv")
    assert read.detection.types["montant"] == "number"
    assert read.frame["montant"].tolist() == [0.03, 1.25, -0.5, 12.0]
    alone = read_table(b"commune;montant\nA;,03\nB;,5\nC;,25\n", "m.csv")
    assert alone.frame["montant"].tolist() == [0.03, 0.5, 0.25]


def test_a_dataset_added_through_the_form_reads_its_amounts_and_says_nothing_is_learnt(
    pages, project
):
    _add(pages, csv_text())
    assert _fields(project)["montant"]["type"] == "number"
    table = datapackage.load_dataset(ID).table
    assert table["montant"].dtype == "float64" and 0 < table["montant"].min() < 1
    # the suitability check ran when the card was saved: no model beats the naive reference
    found = _descriptor(project)["learnability"]
    assert found["target"] == "accord" and found["learnable"] is False
    code, page, _ = _fetch(f"{pages}/animation/jeux/{ID}?fait=created")
    assert code == 200 and "Un modèle peut-il apprendre de ce jeu ?" in page
    assert "aucun modèle ne fait nettement mieux que la référence naïve" in page.lower()
    # kept in the catalogue, with the warning on module 03's card
    from labkit.ui.module03 import card_html

    info = next(i for i in datapackage.list_datasets() if i.id == ID)
    shown = card_html(catalogue.card(info), None)
    assert "aucun modèle ne fait nettement mieux que la référence naïve" in shown
    assert "Traceback" not in page


# ----------------------------------------------------------------------------- kinds
def test_kinds_set_on_the_card_are_stored_and_used_by_the_reader_04_and_05(
    pages, project, workspace
):
    _add(pages, csv_text())
    table = datapackage.load_dataset(ID).table
    before = quality.assess(table, target="accord")
    assert any(f.kind == "outliers" and f.columns == ["poste"] for f in before.findings)

    code, page, _ = _fetch(f"{pages}/animation/jeux/{ID}")
    assert "Nature de la colonne poste" in page and "détection automatique" in page
    post, number = _index(page, "poste"), _index(page, "numero")
    code, page, where = _save(pages, {f"kind-{post}": "code", f"kind-{number}": "identifier"})
    assert code == 303, page[:3000]
    fields = _fields(project)
    assert (fields["poste"]["kind"], fields["poste"]["type"]) == ("code", "string")
    assert fields["numero"]["kind"] == "identifier" and "kind" not in fields["montant"]
    code, page, _ = _fetch(f"{pages}{where}")
    assert re.search(r'<option value="code" selected>code</option>', page)
    # a POST without the kinds (a script, a page of an older version) keeps them
    token = _token(f"{pages}/animation/jeux/{ID}")
    body = f"_xsrf={token}&producer=Finances".encode()
    assert _fetch(f"{pages}/animation/jeux/{ID}", xsrf=token, data=body)[0] == 303
    assert _fields(project)["poste"]["kind"] == "code"

    # the reader: the code stays a label, written as in the file
    dataset = datapackage.load_dataset(ID)
    assert dataset.table["poste"].tolist()[:3] == ["6532", "6411", "6411"]
    # module 04: never extreme, never filled with a median
    report = quality.assess(dataset.table, target="accord", schema=dataset.schema)
    for finding in report.findings:
        if "poste" in finding.columns:
            assert finding.kind != "outliers"
            assert finding.fix is None or finding.fix.params.get("strategy") != "median"
    # module 05: the identifier is neither a feature nor offered; the code is a category
    choice = selection.DatasetChoice("catalogue", ID, "Mandats", "accord")
    save_choice(workspace, choice, dataset.table)
    preparation.save_recipe(workspace, rc.Recipe())  # the learner kept every column in 04
    from labkit.ui.module05 import Module05App

    app = Module05App(workspace)
    assert "numero" in app.state.clean.columns and "numero" in app.state.identifiers
    assert "numero" not in app.state.features
    offered = _widget_text(app.choice())
    assert "« montant »" in offered and "« numero »" not in offered
    assert any(c == "numero" for c, _ in app.state.excluded)
    assert pd.api.types.is_string_dtype(app.state.clean["poste"])
    result = train_table(dataset.table, "accord", schema=dataset.schema)
    assert "numero" not in result["features"]


def test_bad_kinds_are_refused_in_french_and_nothing_is_lost(pages, project, capsys):
    _add(pages, csv_text())
    descriptor = project / "datasets" / ID / "datapackage.json"
    before = descriptor.read_bytes()
    code, page, _ = _fetch(f"{pages}/animation/jeux/{ID}")
    number = _index(page, "numero")
    code, page, _ = _save(pages, {f"kind-{number}": "quantite", "producer": "Service financier"})
    assert code == 400 and "Nature inconnue pour la colonne « numero » : « quantite »" in page
    assert 'value="Service financier"' in page and "Traceback" not in page
    code, page, _ = _save(pages, {"producer": "Service financier"}, [("kind-42", "code")])
    assert code == 400 and "n’existe pas dans ce jeu de données" in page
    assert 'value="Service financier"' in page
    assert descriptor.read_bytes() == before

    folder = str(project / "datasets" / ID)
    for argv, expected in (
        (["--kind", "inconnue=code"], "La colonne « inconnue » n’existe pas"),
        (["--kind", "numero=chiffre"], "Nature inconnue pour la colonne « numero »"),
        (["--kind", "numero"], "ne convient pas pour --kind"),
    ):
        code = main(["dataset", "edit", folder, *argv])
        out, err = capsys.readouterr()
        assert code == 1 and expected in out + err and "Traceback" not in out + err
    assert descriptor.read_bytes() == before
    hidden = [p.name for p in (project / "datasets").iterdir() if p.name.startswith(".")]
    assert hidden == []


def test_the_command_sets_kinds_by_their_french_names(pages, project, capsys):
    _add(pages, csv_text())
    folder = str(project / "datasets" / ID)
    code = main(["dataset", "edit", folder, "--kind", "poste=Code", "--kind", "numero=identifiant"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "aucun modèle ne fait nettement mieux que la référence naïve" in out.lower()
    fields = _fields(project)
    assert (fields["poste"]["kind"], fields["numero"]["kind"]) == ("code", "identifier")
    assert main(["dataset", "edit", folder, "--kind", "poste=auto"]) == 0
    assert "kind" not in _fields(project)["poste"]
    assert datapackage.check_dataset_folder(project / "datasets" / ID) == []


# ----------------------------------------------------------------------------- defects
def test_a_defect_removed_from_the_card_is_no_longer_proposed_as_a_fix(pages, project, workspace):
    _add(pages, csv_text())
    defects = _descriptor(project)["defects"]
    outlier = next(
        i for i, d in enumerate(defects) if d["kind"] == "outliers" and d["columns"] == ["poste"]
    )
    dataset = datapackage.load_dataset(ID)
    choice = selection.DatasetChoice("catalogue", ID, "Mandats", "accord")
    save_choice(workspace, choice, dataset.table)

    def capped(recipe) -> bool:
        return any(s.action == "cap_outliers" and s.params["column"] == "poste" for s in recipe)

    assert capped(chain.recipe_of(workspace)[0].steps)  # proposed while documented
    code, page, _ = _save(pages, {}, [("remove", str(outlier))])
    assert code == 303, page[:3000]
    descriptor = _descriptor(project)
    assert not any(d["kind"] == "outliers" for d in descriptor["defects"])
    assert descriptor["dismissed_defects"] == [{"kind": "outliers", "columns": ["poste"]}]

    from labkit.ui.module04 import _State

    state = _State(workspace)
    [finding] = [f for f in state.report.findings if f.kind == "outliers"]
    assert finding.fix is None and "aucune correction n’est proposée" in finding.message
    assert not capped(chain.recipe_of(workspace)[0].steps)
    state.use_default()
    assert not capped(state.recipe.steps)


def test_a_new_dataset_made_with_kinds_documents_no_extreme_code(project, tmp_path, capsys):
    source = tmp_path / f"{ID}.csv"
    source.write_text(csv_text(), encoding="utf-8")
    argv = ["dataset", "new", str(source), "--title", "Mandats", "--target", "accord"]
    assert main(argv) == 0
    documented = {(d["kind"], tuple(d["columns"])) for d in _descriptor(project)["defects"]}
    assert ("outliers", ("poste",)) in documented  # without its kind, the code looks extreme
    assert main([*argv, "--force", "--kind", "poste=code", "--kind", "numero=identifiant"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    documented = {(d["kind"], tuple(d["columns"])) for d in _descriptor(project)["defects"]}
    assert ("outliers", ("poste",)) not in documented
    fields = _fields(project)
    assert (fields["poste"]["kind"], fields["numero"]["kind"]) == ("code", "identifier")
