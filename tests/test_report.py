"""The final report (self-contained, escaped) and the export bundle (round trip, tampering)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import numpy as np
import pytest
import skops.io as sio
from test_usecase import TARGET, learner, new_file, raw_table  # noqa: F401 - fixture

from labkit import cli
from labkit.data import selection
from labkit.errors import DatalabError
from labkit.learner import bundle as bundles
from labkit.learner import course, sheets, usecase
from labkit.learner import model as saved_model
from labkit.learner.chain import recipe_of
from labkit.learner.dataset import save_choice
from labkit.learner.preparation import save_recipe
from labkit.model import learning, model_store, problem
from labkit.prepare.recipe import Recipe
from labkit.use import report, scoring, transparency
from labkit.workspace import Workspace

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _external_references(page: str) -> list[str]:
    """Attributes and styles of the document that would load something from the network (the
    code inside inline scripts is left out: plotly's bundle holds URLs as plain strings)."""
    found = re.findall(r"<script\b[^>]*\bsrc\s*=[^>]*>", page, re.IGNORECASE)
    page = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", page, flags=re.DOTALL)
    found += EXTERNAL.findall(page)
    found += re.findall(r"@import|url\(\s*['\"]?(?:https?:)?//", page)
    found += re.findall(r"<link\b[^>]*>", page)
    return found


@pytest.fixture
def project(learner):  # noqa: F811 - the fixture imported above
    """The learner's project with a canvas, a threshold, a transparency sheet and next steps,
    some of it holding hostile text."""
    course.save_canvas(
        learner,
        {"titre": f"Accords {EVIL}", "probleme": f"Problème {EVIL}", "decision": "L’agent décide."},
    )
    usecase.save_usecase(
        learner, threshold=0.4, cost_fp=1, cost_fn=3, next_steps=f"Présenter au conseil {EVIL}"
    )
    values = transparency.generate(sheets.gather_facts(learner))
    values["contact"] = f"Mairie {EVIL}"
    sheets.save_transparency(learner, values)
    return learner


@pytest.fixture
def page(project):
    return sheets.project_report(project)


# ============================================================================ the report
def test_report_is_one_self_contained_document(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert _external_references(page) == []
    assert "<script" not in page, "the static report needs no script"
    assert "@media print" in page
    assert page.count("<svg") >= 3, "charts are inline SVG"


def test_report_has_every_section(page):
    for _anchor, key in report.SECTIONS:
        from labkit import messages

        assert messages.text(f"report.{key}") in page
    assert "Arbre de décision" in page
    assert "48 ligne(s) de test" in page
    assert "Matrice de confusion" in page
    assert "Au seuil 0,4" in page
    assert "Fiche de transparence" in page and "L311-3-1" in page


def test_report_escapes_the_learner_text(page):
    assert "<script>" not in page and "<img" not in page
    assert page.count("&lt;script&gt;") >= 4  # canvas title and problem, next steps, contact
    assert "Présenter au conseil &lt;script&gt;" in page
    assert "<title>Rapport de projet : Accords &lt;script&gt;" in page


def test_interactive_report_embeds_plotly_once_and_offline(project):
    page = sheets.project_report(project, interactive=True)
    assert _external_references(page) == []
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert page.count("window.PlotlyConfig") == 1, "plotly's library is embedded once"
    assert page.count("Plotly.newPlot") >= 3


def test_report_without_risk_or_threshold_says_so(learner):  # noqa: F811
    page = sheets.project_report(learner)
    assert "Le questionnaire de risques n’a pas été rempli" in page
    assert "Aucun seuil de décision n’a été choisi" in page
    assert "La fiche projet n’a pas été enregistrée" in page
    assert _external_references(page) == []


def test_report_uses_the_saved_quality_summary(learner):  # noqa: F811
    learner.save(
        "quality",
        {
            "score": 77,
            "findings": [{"message": "Trois <b>doublons</b>"}],
            "scores": {"uniqueness": 90},
        },
    )
    page = sheets.project_report(learner)
    assert "77 sur 100" in page and "Trois &lt;b&gt;doublons&lt;/b&gt;" in page


# ============================================================================ the bundle
def _bundle_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _repack(parts: dict[str, bytes], *, rehash: bool = True, extra_names: tuple = ()) -> bytes:
    """A bundle made of ``parts``; with ``rehash`` the manifest is rewritten to match (what a
    careful tamperer would do)."""
    parts = dict(parts)
    if rehash:
        manifest = json.loads(parts["manifest.json"])
        manifest["files"] = {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in parts.items()
            if name != "manifest.json" and name not in extra_names
        }
        parts["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def bundle(project):
    return bundles.export_bundle(project)


@pytest.fixture
def other(workspace_root):
    return Workspace.open("Collègue", workspace_root)


def assert_nothing_loaded(workspace) -> None:
    assert not saved_model.has_model(workspace)
    assert workspace.load(model_store.TRAINING_KEY) is None
    assert workspace.load("recipe") is None
    assert course.load_canvas(workspace) is None
    assert sheets.load_transparency(workspace) is None
    assert workspace.read_file(bundles.IMPORTED_REPORT) is None


def test_bundle_contents_and_manifest(bundle):
    parts = _bundle_parts(bundle)
    assert set(parts) == {"manifest.json", *bundles.BUNDLE_FILES}
    manifest = json.loads(parts["manifest.json"])
    assert manifest["format"] == "datalab-bundle" and manifest["version"] == 1
    for name, info in manifest["files"].items():
        assert info["sha256"] == hashlib.sha256(parts[name]).hexdigest()
        assert info["bytes"] == len(parts[name])
    assert parts["model.skops"][:2] == b"PK", "the model is a skops file, not a pickle"
    assert _external_references(parts["report.html"].decode()) == []


def test_bundle_round_trip(project, bundle, other):
    result = bundles.import_bundle(other, bundle)
    assert "Paquet importé" in result.message and TARGET in result.message
    assert set(result.loaded) == {"model", "recipe", "report", "canvas", "transparency"}
    original = saved_model.load_model(project)
    loaded = saved_model.load_model(other)
    rows = usecase.load_context(project).recipe.apply(new_file(20))
    assert list(loaded.predict(rows)) == list(original.predict(rows))
    recipe, is_default = recipe_of(other)
    assert not is_default and recipe.to_dict()["steps"] == original.recipe["steps"]
    assert course.load_canvas(other) == course.load_canvas(project)
    assert sheets.load_transparency(other) == sheets.load_transparency(project)
    assert other.read_file(bundles.IMPORTED_REPORT).startswith(b"<!DOCTYPE html>")
    # the other workspace can now use the model
    scored = scoring.score_file(
        usecase.load_context(other), new_file(5).to_csv(sep=";", index=False).encode(), "n.csv"
    )
    assert scored.scored == 5


def test_tampered_file_is_refused_and_nothing_loaded(bundle, other):
    parts = _bundle_parts(bundle)
    recipe = json.loads(parts["recipe.json"])
    recipe["steps"] = []
    parts["recipe.json"] = json.dumps(recipe).encode()
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(parts, rehash=False))
    assert "« recipe.json »" in caught.value.message and "modifié" in caught.value.message
    assert "Rien n’a été importé" in caught.value.message
    assert_nothing_loaded(other)


def test_tampered_model_is_refused(bundle, other):
    parts = _bundle_parts(bundle)
    parts["model.skops"] = parts["model.skops"][:-10] + b"0123456789"
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(parts, rehash=False))
    assert "« model.skops »" in caught.value.message
    assert_nothing_loaded(other)


class Untrusted:
    """Not a type Datalab trusts: a skops file holding it must be refused."""

    def __init__(self):
        self.payload = "anything"

    def predict(self, rows):
        return rows


def test_model_with_untrusted_types_is_refused_even_with_a_matching_manifest(bundle, other):
    parts = _bundle_parts(bundle)
    parts["model.skops"] = sio.dumps(Untrusted())
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(parts))
    assert "modèle du paquet a été refusé" in caught.value.message
    assert "Untrusted" in caught.value.message
    assert_nothing_loaded(other)


@pytest.mark.parametrize(
    "name", ["../evil.json", "/etc/passwd", "sub/model.skops", "extra.txt", "..\\evil.json"]
)
def test_unexpected_entries_are_refused(bundle, other, name):
    parts = _bundle_parts(bundle)
    parts[name] = b"{}"
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(parts))
    assert "élément non accepté" in caught.value.message
    assert_nothing_loaded(other)


def test_duplicate_entry_is_refused(bundle, other):
    parts = _bundle_parts(bundle)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning):
            archive.writestr("recipe.json", b'{"steps": []}')
    with pytest.raises(DatalabError):
        bundles.import_bundle(other, buffer.getvalue())
    assert_nothing_loaded(other)


def test_manifest_problems_are_refused(bundle, other):
    parts = _bundle_parts(bundle)
    without = {k: v for k, v in parts.items() if k != "manifest.json"}
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(without, rehash=False))
    assert "manifeste" in caught.value.message

    unlisted = dict(parts)
    manifest = json.loads(parts["manifest.json"])
    del manifest["files"]["canvas.json"]
    unlisted["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(unlisted, rehash=False))
    assert "« canvas.json »" in caught.value.message and "pas annoncé" in caught.value.message

    missing = {k: v for k, v in parts.items() if k != "transparency.json"}
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(missing, rehash=False))
    assert "« transparency.json »" in caught.value.message and "manque" in caught.value.message

    newer = dict(parts)
    manifest = json.loads(parts["manifest.json"])
    manifest["version"] = 99
    newer["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(newer, rehash=False))
    assert "plus récente" in caught.value.message
    assert_nothing_loaded(other)


def test_bad_json_documents_are_refused(bundle, other):
    parts = _bundle_parts(bundle)
    bad = dict(parts, **{"transparency.json": json.dumps({"pirate": "x"}).encode()})
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(bad))
    assert "« transparency.json »" in caught.value.message
    broken = dict(parts, **{"recipe.json": b"{not json"})
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, _repack(broken))
    assert "« recipe.json »" in caught.value.message
    assert_nothing_loaded(other)


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_not_a_bundle_is_refused(other, data):
    with pytest.raises(DatalabError) as caught:
        bundles.import_bundle(other, data)
    assert "paquet d’export Datalab" in caught.value.message
    assert_nothing_loaded(other)


def test_export_needs_a_model(other):
    with pytest.raises(DatalabError) as caught:
        bundles.export_bundle(other)
    assert "module 05" in caught.value.message


# ============================================================================ the command line
def test_cli_export_then_import(project, workspace_root, tmp_path, capsys):
    out = tmp_path / "paquet.zip"
    assert cli.main(["bundle", "export", "--pseudo", "Testeur", "--out", str(out)]) == 0
    assert "Paquet écrit" in capsys.readouterr().out
    assert zipfile.is_zipfile(out)
    assert cli.main(["bundle", "import", str(out), "--pseudo", "Nouvelle"]) == 0
    assert "Paquet importé" in capsys.readouterr().out
    assert saved_model.has_model(Workspace.open("Nouvelle", workspace_root))

    parts = _bundle_parts(out.read_bytes())
    parts["report.html"] = b"<html>autre</html>"
    tampered = tmp_path / "modifie.zip"
    tampered.write_bytes(_repack(parts, rehash=False))
    assert cli.main(["bundle", "import", str(tampered), "--pseudo", "Troisieme"]) == 1
    assert "« report.html »" in capsys.readouterr().err
    assert not saved_model.has_model(Workspace.open("Troisieme", workspace_root))
    assert cli.main(["bundle", "import", str(tmp_path / "absent.zip"), "--pseudo", "X y"]) == 1
    assert "n’existe pas" in capsys.readouterr().err


def test_report_for_a_regression_model(workspace):
    raw = raw_table()
    raw["montant"] = raw["age"] * 3.5 + np.random.default_rng(0).normal(0, 5, len(raw))
    raw = raw.drop(columns=[TARGET, "nom", "date_depot"])
    save_choice(workspace, selection.DatasetChoice("upload", None, "montants.csv", "montant"), raw)
    plan = problem.plan_evaluation(raw, "montant")
    split = problem.split_data(raw, "montant", plan)
    trained = learning.train(raw, "montant", ["age", "quartier", "revenu"], "linear", split=split)
    saved_model.save_model(workspace, trained)
    save_recipe(workspace, Recipe())  # module 04 saves its recipe with the clean table
    workspace.save_table("clean", raw)
    page = sheets.project_report(workspace)
    assert (
        "régression" in page
        and "Ce modèle prédit un nombre : il n’y a pas de seuil à choisir" in page
    )
    assert "erreur moyenne" in page.lower()
    assert _external_references(page) == []
    bundle = bundles.export_bundle(workspace, report_html=page)
    other = Workspace.open("Régression", workspace.folder.parent.parent)
    assert bundles.import_bundle(other, bundle).target == "montant"


def test_templates_ship_with_the_package():
    """Every template of the report and the sheet is covered by the package data of pyproject."""
    import fnmatch
    import tomllib
    from pathlib import Path

    import labkit

    package = Path(labkit.__file__).parent
    patterns = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"
    ]["setuptools"]["package-data"]["labkit"]
    templates = sorted((package / "use" / "templates").iterdir())
    assert templates
    for path in templates:
        name = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(name, p) for p in patterns), name
