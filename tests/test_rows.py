"""One row numbering everywhere (labkit.data.rows): the row a record has in a spreadsheet opened on
the learner's file is the number modules 03, 04, 05 and 06 show for it, also after rows are removed,
and a workspace saved before the rows were kept opens with those numbers."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from labkit.data import rows, selection
from labkit.data.reader import read_table
from labkit.learner import chain
from labkit.learner import model as saved_model
from labkit.learner import usecase as saved_usecase
from labkit.learner.dataset import TABLE, keep_file, load_choice, save_choice
from labkit.learner.preparation import CLEAN_TABLE, save_prepared
from labkit.model import learning, problem
from labkit.prepare import quality
from labkit.prepare.recipe import Recipe, Step
from labkit.ui.module03 import detection_html
from labkit.use import scoring

TARGET = "accord"
RECORDS = 120
BROKEN = 3  # the record whose comment holds a quoted line break
CHOSEN = 42  # the record followed from page to page (« Nord », its « revenu » is empty)
# a title line on row 1, the header on row 2: record k is on row k + 3 of the spreadsheet, while
# its text line is k + 4 after the record holding a line break
CHOSEN_ROW = CHOSEN + 3


def file_bytes() -> bytes:
    rng = np.random.default_rng(7)
    lines = [
        "Demandes d’aide — export du 03/02/2025;;;;;",
        "dossier;age;quartier;revenu;commentaire;accord",
    ]
    for k in range(RECORDS):
        age = int(rng.integers(18, 80))
        quartier = ["Nord", "Sud", "Centre"][k % 3]
        revenu = "" if k == CHOSEN else f"{int(rng.integers(800, 3000))}"
        comment = '"appel le lundi\nrappel le mardi"' if k == BROKEN else "RAS"
        accord = "oui" if (age > 45) ^ (k % 7 == 0) else "non"
        lines.append(f"D{k:04d};{age};{quartier};{revenu};{comment};{accord}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def chosen_id() -> str:
    return f"D{CHOSEN:04d}"


def test_the_reader_numbers_records_as_spreadsheet_rows():
    frame = read_table(file_bytes(), "aides.csv").frame
    assert frame.index[0] == 3 and frame.loc[CHOSEN_ROW, "dossier"] == chosen_id()
    assert frame.loc[BROKEN + 3, "commentaire"] == "appel le lundi\nrappel le mardi"
    assert frame.loc[BROKEN + 4, "dossier"] == f"D{BROKEN + 1:04d}"  # one row, two text lines
    assert rows.row_text(CHOSEN_ROW) == f"ligne {CHOSEN_ROW} du fichier"


def test_blank_lines_are_rows_as_in_a_spreadsheet():
    frame = read_table(b"a;b\n1;2\n\n3;4\n", "t.csv").frame
    assert list(frame.index) == [2, 4]


def test_the_same_record_has_the_same_number_in_every_module(workspace):
    data = file_bytes()
    result = read_table(data, "aides.csv")
    frame = result.frame
    wanted = f"<tr><td>{CHOSEN_ROW}</td><td>{chosen_id()}</td>"

    # 03: the preview of the file read shows the row number first
    page = detection_html(result.detection, frame.loc[CHOSEN_ROW - 2 :])
    assert wanted in page

    # 03 saves the table, 04 reads it back from the workspace with the same numbers
    choice = selection.DatasetChoice(
        "upload", None, "aides.csv", TARGET, filename="aides.csv", read_options={"header_row": 1}
    )
    keep_file(workspace, "aides.csv", data)
    save_choice(workspace, choice, frame)
    raw = load_choice(workspace)[1]
    assert raw.loc[CHOSEN_ROW, "dossier"] == chosen_id()

    # 04: the finding about the empty « revenu » names that row
    report = quality.assess(raw, target=TARGET)
    missing = next(f for f in report.findings if f.kind == "missing" and "revenu" in f.columns)
    assert CHOSEN_ROW in missing.rows
    assert str(CHOSEN_ROW) in rows.row_list(missing.rows)

    # 04: a filter removes rows above it; the numbers do not move, also through the workspace
    recipe = Recipe()
    recipe.add(Step("fill_missing", {"column": "revenu", "strategy": "median"}), raw)
    recipe.add(Step("filter_rows", {"column": "quartier", "operator": "!=", "value": "Sud"}), raw)
    clean = recipe.apply(raw)
    assert len(clean) < len(raw) and clean.loc[CHOSEN_ROW, "dossier"] == chosen_id()
    save_prepared(workspace, recipe, clean, {})
    prepared = chain.prepared(workspace)
    assert prepared.clean.loc[CHOSEN_ROW, "dossier"] == chosen_id()
    clean = prepared.clean

    # 05: the held-out rows and the errors listed are file rows, not positions in the test set
    test_rows = [r for r in clean.index if r % 4 == 0 or r == CHOSEN_ROW]
    split = problem.Split(tuple(r for r in clean.index if r not in test_rows), tuple(test_rows))
    features = ["age", "quartier", "revenu"]
    trained = learning.train(clean, TARGET, features, "tree", split=split, recipe=recipe.to_dict())
    evaluated = learning.evaluate(trained, clean, split)
    assert CHOSEN_ROW in evaluated.actual.index
    shown = rows.with_row_column(clean.loc[[CHOSEN_ROW], ["dossier", *features]])
    assert shown.iloc[0, 0] == str(CHOSEN_ROW) and shown.columns[0] == "ligne du fichier"
    saved_model.save_model(workspace, trained, {"test_rows": list(split.test_index)})

    # 06: the held-out rows found again, and the scoring export numbers the rows of the file
    context = saved_usecase.load_context(workspace)
    holdout, _note = context.holdout()
    assert list(holdout.index) == test_rows
    scored = scoring.score_file(context, data, "aides.csv")
    lines = list(csv.reader(io.StringIO(scored.csv_bytes().decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "ligne du fichier"
    by_id = {line[1]: line for line in lines[1:]}
    assert by_id[chosen_id()][0] == str(CHOSEN_ROW)
    removed = next(n for n in scored.notices if "écartée" in n)
    first_sud = next(k for k in range(RECORDS) if k % 3 == 1) + 3
    assert f"Lignes du fichier : {first_sud}, " in removed
    assert by_id[f"D{first_sud - 3:04d}"][-1] == "ligne écartée par la recette de nettoyage"


@pytest.mark.parametrize("kept", [True, False])
def test_a_workspace_saved_before_the_rows_were_kept_opens_with_file_rows(workspace, kept):
    data = file_bytes()
    frame = read_table(data, "aides.csv").frame
    choice = selection.DatasetChoice(
        "upload", None, "aides.csv", TARGET, filename="aides.csv", read_options={"header_row": 1}
    )
    save_choice(workspace, choice, frame)
    if kept:
        keep_file(workspace, "aides.csv", data)
    # what the previous version wrote: positions 0, 1, 2… for the raw and the clean tables
    workspace.save_table(TABLE, frame.reset_index(drop=True))
    recipe = Recipe()
    recipe.add(Step("filter_rows", {"column": "quartier", "operator": "!=", "value": "Sud"}), frame)
    save_prepared(workspace, recipe, recipe.apply(frame), {})
    workspace.save_table(CLEAN_TABLE, recipe.apply(frame).reset_index(drop=True))

    raw = load_choice(workspace)[1]
    # the file kept in the workspace gives its exact rows; without it, the rows under the header
    assert list(raw.index) == list(frame.index)
    assert raw.loc[CHOSEN_ROW, "dossier"] == chosen_id()
    clean = chain.prepared(workspace).clean
    assert clean.loc[CHOSEN_ROW, "dossier"] == chosen_id()
    assert list(clean.index) == list(recipe.apply(frame).index)


def test_a_catalogue_workspace_saved_before_the_rows_were_kept(workspace):
    frame, target, _schema = chain.running_example()
    choice, _ = selection.default_choice()
    choice.is_default = False
    save_choice(workspace, choice, frame)
    workspace.save_table(TABLE, frame.reset_index(drop=True))
    assert list(load_choice(workspace)[1].index) == list(frame.index)
    assert frame.index[0] >= 2


def test_a_table_built_in_code_is_numbered_as_a_file_with_its_header_on_row_1():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    assert list(rows.numbered(frame).index) == [2, 3, 4]
    assert list(rows.numbered(frame, header_row=2).index) == [4, 5, 6]
    labelled = rows.numbered(frame)
    assert rows.numbered(labelled) is labelled and not rows.is_positional(labelled.index)
    assert rows.row_list(range(2, 30)).endswith(" …")
