"""Issue 12's « Done when », without a browser: a trainee's own file walked through the workbook app
(module 03's reading, then modules 04, 05 and 06 opened in place, every step revealed, the buttons a
trainee would click clicked) reaches a saved model and a final report, and every text shown on the
way is checked against the file: the sub-indices that decide the target together, the winter
temperatures below zero, the double-encoded labels, the station codes 1–6, a class of 3 rows.

The file is made here (seeded): a CSV with « ; » and a decimal comma, its labels double-encoded
(« DÃ©gradÃ© ») as when a UTF-8 export was read as Windows-1252 and written back in UTF-8."""

from __future__ import annotations

import html as htmlmod
import re

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

from labkit.data import selection
from labkit.data.reader import read_table
from labkit.data.selection import DatasetChoice
from labkit.learner import model as saved_model
from labkit.learner.dataset import save_choice
from labkit.ui import session
from labkit.ui.module03 import _options_dict
from labkit.ui.workbook import WorkbookApp

TARGET = "qualite_air"
SUB_INDICES = [f"sous_indice_{p}" for p in ("o3", "no2", "pm10", "pm25")]
LABELS = ("Bon", "Moyen", "Dégradé", "Très dégradé")
RARE = "Très dégradé"
ENGLISH = re.compile(
    r"Traceback|Error\b|Exception|Warning:|\bnan\b|NaN|None\b|sklearn|pandas\.|numpy|"
    r"ValueError|KeyError|TypeError|could not|cannot|is not|must be|\bshould\b",
)


def mojibake(text: str) -> str:
    """« Dégradé » as a UTF-8 text read as Windows-1252: « DÃ©gradÃ© »."""
    return text.encode("utf-8").decode("cp1252")


def air_file(rows: int = 400, seed: int = 12) -> bytes:
    """Four sub-indices 1–6 whose maximum decides the air quality (« Très dégradé » only when one
    reaches 6: three rows), winter minimum temperatures, station codes 1–6 without leading zeros,
    a date, a count and columns that say nothing of the target."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 3, rows)
    subs = {c: np.clip(base + rng.integers(0, 3, rows) + 1, 1, 5) for c in SUB_INDICES}
    subs["sous_indice_pm10"][rng.choice(rows, 3, replace=False)] = 6
    high = np.max(np.column_stack(list(subs.values())), axis=1)
    labels = np.select([high <= 2, high <= 4, high == 5], LABELS[:3], RARE)
    frame = pd.DataFrame(
        {
            "date_mesure": pd.date_range("2021-01-04", periods=rows, freq="D").strftime("%d/%m/%Y"),
            "code_station": rng.integers(1, 7, rows),
            "commune": rng.choice(["Besançon", "Saint-Étienne", "Orléans", "Nîmes"], rows),
            "temperature_min": [f"{v:.1f}".replace(".", ",") for v in rng.normal(1, 5, rows)],
            "vent_kmh": [f"{v:.1f}".replace(".", ",") for v in rng.gamma(2, 6, rows)],
            "nb_mesures": rng.integers(0, 25, rows),
            "bruit": rng.integers(0, 1000, rows),
            **subs,
            TARGET: [mojibake(x) for x in labels],
        }
    )
    return frame.to_csv(sep=";", index=False).encode("utf-8")


# ----------------------------------------------------------------------------- widget helpers
def walk(widget):
    stack = [widget]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", ()) or ())


def shown_texts(widget) -> list[str]:
    """Every text a trainee can read: HTML and label values, text boxes, button descriptions and
    tooltips, the options of lists (their labels)."""
    parts = []
    for w in walk(widget):
        for name in ("value", "description", "tooltip", "placeholder"):
            value = getattr(w, name, None)
            if isinstance(value, str) and value:
                parts.append(value)
        for option in getattr(w, "options", None) or ():
            parts.append(str(option[0] if isinstance(option, tuple) else option))
    return parts


def plain(text: str) -> str:
    """The words of an HTML text, without tags, styles, scripts and embedded files."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"data:[^\"')\s]+", " ", text)
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text)


def page_text(app, number: str) -> str:
    return "\n".join(plain(t) for t in shown_texts(app.slots[number]))


def buttons(app, number: str, cls: str | None = None, text: str | None = None):
    return [
        w
        for w in walk(app.slots[number])
        if isinstance(w, widgets.Button)
        and (cls is None or cls in w._dom_classes)
        and (text is None or text in w.description)
    ]


def reveal_all(app, number: str) -> None:
    """Open module ``number`` and click « Étape suivante » until every step is shown."""
    app.router.route = number
    for _ in range(40):
        following = [b for b in buttons(app, number, "dl-next-step-button") if not b.disabled]
        if not following:
            return
        following[0].click()
    raise AssertionError(f"module {number}: « Étape suivante » never ends")


def errors(app, number: str) -> list[str]:
    return [
        plain(w.value)
        for w in walk(app.slots[number])
        if isinstance(w, widgets.HTML) and "dl-msg dl-msg-error" in w.value
    ]


def mojibake_shown(said: str) -> list[str]:
    """Double-encoded words shown, except the glossary's own example of one (« Encodage »)."""
    said = said.replace("des textes comme « DÃ©gradÃ© » au lieu de « Dégradé »", "")
    return re.findall(r"\S*Ã\S*", said)


def namespace_app(app, number: str):
    """The module's own ``app`` object, as its notebook made it (``app = Module0NApp…``)."""
    return app.shown[number].namespace["app"]


# ----------------------------------------------------------------------------- the walk
@pytest.fixture
def app(workspace, monkeypatch):
    monkeypatch.setattr(session, "_in_app", False)
    monkeypatch.setattr(session, "_app_project", None)
    app = WorkbookApp(workspace)
    app.show()
    return app


def test_a_trainees_own_file_from_upload_to_report(app, workspace):
    # ------------------------------------------------ 03: the file read as module 03's upload does
    data = air_file()
    result = read_table(data, "mon_fichier.csv")
    frame, detection = result.frame, result.detection
    said_03 = " ".join(detection.warnings)
    assert "DÃ©gradÃ©" in said_03 and "réparés (« Dégradé »)" in said_03, said_03
    assert "zéros de tête" not in said_03  # codes 1–6: nothing to keep
    assert set(frame[TARGET]) == set(LABELS) and not frame[TARGET].str.contains("Ã").any()
    assert frame["temperature_min"].lt(0).sum() > 50  # decimal comma read, negatives kept
    choice = DatasetChoice(
        "upload",
        None,
        "mon_fichier.csv",
        TARGET,
        filename="import-mon_fichier.csv",
        read_options=_options_dict(detection.options()),
        column_types=detection.types,
        task=selection.guess_task(frame[TARGET]),
    )
    save_choice(workspace, choice, frame)

    # ------------------------------------------------ 04: quality report and recipe
    reveal_all(app, "04")
    said = page_text(app, "04")
    assert not errors(app, "04"), errors(app, "04")
    assert not mojibake_shown(said), mojibake_shown(said)
    # the joint leak of the four sub-indices is named, and weighs on the global score
    assert "Prises ensemble, ces 4 colonnes donnent la cible « qualite_air »" in said, said
    for column in SUB_INDICES:
        assert f"« {column} »" in said
    score = re.search(r"Score global : (\d+) / 100", said)
    assert score and int(score.group(1)) <= 80, score and score.group(0)
    assert "points en moins pour la fuite de la cible" in said
    # winter temperatures are measurements: never « impossible », never clamped to 0
    assert not re.search(r"impossible[^.]*temperature_min|temperature_min[^.]*impossible", said)
    assert "négative" not in said
    # the station codes have no leading zeros to keep
    assert "zéros de tête" not in said
    # the rare class is told, with its three rows
    assert f"« {RARE} » ne représente que 0,8 % des lignes (3 sur 400)" in said
    # the trainee applies the proposed fix of the leak: the four columns are dropped
    [fix] = buttons(app, "04", "dl-fix-leakage")
    fix.click()
    state04 = namespace_app(app, "04").state
    assert not set(SUB_INDICES) & set(state04.table.columns)
    assert [s.action for s in state04.recipe.steps] == ["drop_column"]
    said = page_text(app, "04")
    assert not errors(app, "04"), errors(app, "04")
    assert "Prises ensemble" not in said.split("La recette de nettoyage")[0]
    assert "points en moins pour la fuite" not in said

    # ------------------------------------------------ 05: rare class, comparison, saved model
    reveal_all(app, "05")
    said = page_text(app, "05")
    # before the trainee chooses what to do of the rare class, its error is the only one shown,
    # and it points to the fix below, in 05 itself
    for error in errors(app, "05"):
        assert f"La classe « {RARE} » de la cible ne compte que 3 ligne(s)" in error, error
        assert "le module 05 propose les deux juste en dessous" in error, error
    assert not mojibake_shown(said), mojibake_shown(said)
    assert "Des colonnes qui donnent la réponse" not in said  # gone with the recipe
    assert "Des classes trop rares pour cette évaluation" in said and f"« {RARE} »" in said
    assert "dans le module 04" not in said.split("Des classes trop rares")[1][:400]
    [group] = buttons(app, "05", "dl-group-rare")
    group.click()
    assert not errors(app, "05"), errors(app, "05")
    assert "Regroupement en cours. Les classes « Très dégradé », « Bon »" in page_text(app, "05")
    [compare] = buttons(app, "05", "dl-compare")
    compare.click()
    said = page_text(app, "05")
    assert not errors(app, "05"), errors(app, "05")
    assert "Score presque parfait" not in said
    assert "Comparaison terminée en" not in said
    [save] = buttons(app, "05", text="Enregistrer ce modèle")
    assert not save.disabled
    save.click()
    assert not errors(app, "05"), errors(app, "05")
    meta = saved_model.load_metadata(workspace)
    assert meta and meta.get("target") == TARGET
    said = page_text(app, "05")
    assert not mojibake_shown(said), mojibake_shown(said)
    assert not ENGLISH.search(said), ENGLISH.search(said)

    # ------------------------------------------------ 06: use case and final report
    reveal_all(app, "06")
    said = page_text(app, "06")
    assert not errors(app, "06"), errors(app, "06")
    assert not mojibake_shown(said), mojibake_shown(said)
    [build] = buttons(app, "06", "dl-uc-report-build")
    build.click()
    assert not errors(app, "06"), errors(app, "06")
    report = namespace_app(app, "06")._report_html
    assert report, "no report built"
    words = plain(report)
    assert not mojibake_shown(words), mojibake_shown(words)
    assert not ENGLISH.search(words), ENGLISH.search(words)  # no library text, no traceback
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", words)
    assert not re.search(r"\b(à|de) (Les|La|Le|Un|Une|Des)\b", words)
    assert "« Dégradé »" in words  # the repaired label, in the confusion matrix
    # the confusion matrix is module 05's: the test rows of the grouped classes are « Autres »
    # (they were left out, « Réalité : « Autres » 0 0 0 », when 06 read module 04's table alone)
    result = namespace_app(app, "05").state.result
    for label, counts in zip(result.labels, np.asarray(result.matrix), strict=True):
        row = f"Réalité : « {label} » " + " ".join(str(int(v)) for v in counts)
        assert row in words, (row, re.search(r"Matrice de confusion.{0,400}", words))
    assert f"Sur les {len(result.actual)} lignes de test" in words
    # 05's grouping of rare classes is told as such, not as spellings of one value
    assert "Regrouper les écritures de « qualite_air »" not in words
    assert "Regrouper les classes rares de « qualite_air » en « Autres »" in words
    # no model beats always answering « Moyen » once the leak is gone: the report says it
    assert "Aucun modèle ne fait nettement mieux que la référence naïve" in words
    # three classes: no threshold to choose, no « seuil habituel est 0,5 »
    assert "0,5" not in words.split("Le seuil de décision")[-1][:300]
    assert "il n’y a pas de seuil à choisir" in words


# ----------------------------------------------------------------------------- rules the walk found
@pytest.mark.parametrize("seed", range(12, 20))
def test_the_joint_leak_is_found_beside_columns_that_say_nothing(seed):
    """On 400 rows, a tree on every column (station codes, communes, wind…) can miss a test row or
    two; the sub-indices it uses most still decide the target alone and are named (seed 12 was
    missed before: « Score global : 94 / 100 » and no word of the leak)."""
    from labkit.prepare import quality

    frame = read_table(air_file(seed=seed), "mon_fichier.csv").frame
    report = quality.assess(frame, target=TARGET, today=pd.Timestamp("2022-03-01"))
    joint = [f for f in report.by_kind("leakage") if f.details.get("joint")]
    assert joint and set(joint[0].columns) == set(SUB_INDICES), [f.message for f in report.findings]
    clean = frame.drop(columns=SUB_INDICES)
    report = quality.assess(clean, target=TARGET, today=pd.Timestamp("2022-03-01"))
    assert not report.by_kind("leakage"), [f.message for f in report.by_kind("leakage")]
