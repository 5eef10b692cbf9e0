"""The rules behind the bad-input suite, each on a small input: reading limits, double-encoded
text, legacy encodings, unbalanced quotes, codes, infinite numbers, malformed descriptors in French,
``dataset new`` writing only complete packages that pass ``check``, CSV safety, the export limit."""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from labkit import csvsafe
from labkit.cli import main
from labkit.data import datapackage
from labkit.data.reader import ReadOptions, read_table
from labkit.errors import DatalabError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bad_inputs import _ods, _ods_cell, _ods_rows, _sheet, _xlsx  # noqa: E402


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------- limits
def test_a_tiny_ods_declaring_millions_of_cells_is_refused_at_once():
    cells = (
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    data = _ods(f'<table:table-row table:number-rows-repeated="2000">{cells}</table:table-row>')
    assert len(data) < 2000
    start = time.monotonic()
    with pytest.raises(DatalabError, match="colonnes"):
        read_table(data, "bombe.ods")
    assert time.monotonic() - start < 2


def test_repeated_rows_of_values_count_but_trailing_empty_rows_do_not():
    rows = _ods_rows([["a", "b"]]) + (
        '<table:table-row table:number-rows-repeated="1000000">'
        + _ods_cell("1")
        + _ods_cell("2")
        + "</table:table-row>"
    )
    with pytest.raises(DatalabError, match="300\u00a0000 lignes"):
        read_table(_ods(rows), "lignes.ods")
    empty_tail = _ods(
        _ods_rows([["nom", "n"], ["x", "1"], ["y", "2"]])
        + '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert read_table(empty_tail, "ok.ods").frame.shape == (2, 2)


def test_a_million_row_workbook_is_refused_in_seconds():
    rows = b"".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'.encode() for i in range(1, 400_001)
    )
    data = _xlsx(_sheet(rows))
    start = time.monotonic()
    with pytest.raises(DatalabError, match="lignes"):
        read_table(data, "grand.xlsx")
    assert time.monotonic() - start < 5


def test_a_workbook_unpacking_past_the_limit_is_refused():
    shared = b"<sst><si><t>" + b" " * (2 * 2**20) + b"</t></si></sst>"
    data = _xlsx(_sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared)
    with pytest.raises(DatalabError, match="décompresse"):
        read_table(data, "bombe.xlsx", ReadOptions(max_unpacked_bytes=2**20))


def test_csv_rows_columns_and_cells_are_counted_while_reading():
    with pytest.raises(DatalabError, match="lignes"):
        read_table(b"n\n" + b"1\n" * 200, "a.csv", ReadOptions(max_rows=100))
    with pytest.raises(DatalabError, match="colonnes"):
        read_table((";".join("abc") + "\n1;2;3\n").encode(), "b.csv", ReadOptions(max_columns=2))
    with pytest.raises(DatalabError, match="cellules"):
        read_table(b"a;b\n" + b"1;2\n" * 100, "c.csv", ReadOptions(max_cells=50))


def test_a_password_protected_workbook_says_so():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(DatalabError, match="mot de passe"):
        read_table(data, "protege.xlsx")


# ---------------------------------------------------------------------------- silent wrong data
def test_double_encoded_text_is_repaired_and_reported():
    text = "etat;n\nDégradé;1\nTrès dégradé;2\nBon;3\n"
    garbled = text.encode("utf-8").decode("cp1252").encode("utf-8")
    result = read_table(garbled, "etat.csv")
    assert list(result.frame["etat"]) == ["Dégradé", "Très dégradé", "Bon"]
    assert result.detection.repaired == 2
    assert any("« DÃ©gradÃ© »" in w and "« Dégradé »" in w for w in result.detection.warnings)


def test_double_encoded_cells_of_a_workbook_are_repaired():
    rows = [["etat", "n"], ["DÃ©gradÃ©", "1"], ["Bon", "2"]]
    result = read_table(_ods(_ods_rows(rows)), "etat.ods")
    assert result.frame["etat"].tolist() == ["Dégradé", "Bon"]
    assert result.detection.repaired == 1


def test_correct_accents_are_left_alone():
    result = read_table("ville;n\nÂge d’or;1\nCréteil;2\n".encode(), "v.csv")
    assert result.detection.repaired == 0
    assert result.frame["ville"].tolist() == ["Âge d’or", "Créteil"]


def test_mac_roman_is_detected_and_named():
    text = "ville;n\n" + "".join(f"{v};{i}\n" for i, v in enumerate(["Besançon", "Orléans"] * 5))
    result = read_table(text.encode("mac_roman"), "mac.csv")
    assert result.detection.encoding == "mac_roman"
    assert "Besançon" in set(result.frame["ville"])
    assert any("Mac Roman" in w for w in result.detection.warnings)


def test_cp1252_stays_cp1252():
    text = "ville;montant\n" + "".join(f"Créteil à {i};{i} €\n" for i in range(10))
    result = read_table(text.encode("cp1252"), "w.csv")
    assert result.detection.encoding == "cp1252"
    assert not any("ancien encodage" in w for w in result.detection.warnings)


def test_an_unbalanced_quote_is_read_right_and_reported():
    text = 'nom;ville;n\nA;Lyon;1\nB;"Paris;2\n' + "".join(f"N{i};V{i};{i}\n" for i in range(20))
    result = read_table(text.encode(), "q.csv")
    assert result.frame.shape == (22, 3)
    assert result.frame["ville"].iloc[1] == '"Paris'
    assert any("Ligne 3" in w and "guillemet" in w for w in result.detection.warnings)


def test_balanced_quotes_with_line_breaks_are_not_reported():
    text = 'id;libelle\n1;"Saint-Denis; Réunion"\n2;"Ligne\nsur deux"\n3;simple\n'
    result = read_table(text.encode(), "ok.csv")
    assert result.frame["libelle"].tolist() == ["Saint-Denis; Réunion", "Ligne\nsur deux", "simple"]
    assert not any("guillemet" in w for w in result.detection.warnings)


def test_overflowing_numbers_are_never_infinite():
    text = "id;mesure\n" + "".join(f"{i};{i}.5\n" for i in range(20)) + "21;1e400\n"
    result = read_table(text.encode(), "inf.csv")
    assert result.frame["mesure"].dtype.kind != "f"  # kept as text, and reported
    assert any("1e400" in w for w in result.detection.warnings)


def test_leading_zeros_are_announced_only_when_there_are_some():
    small = read_table(
        ("code_etat;n\n" + "".join(f"{1 + i % 6};{i}\n" for i in range(30))).encode(), "a.csv"
    )
    assert not any("zéros de tête" in w for w in small.detection.warnings)
    assert any("code_etat" in w and "codes" in w for w in small.detection.warnings)
    postal = read_table(
        ("code_postal;n\n" + "".join(f"0{1000 + i};{i}\n" for i in range(30))).encode(), "b.csv"
    )
    assert any("zéros de tête" in w for w in postal.detection.warnings)
    assert postal.frame["code_postal"].iloc[0] == "01000"


# ---------------------------------------------------------------------------- descriptors
def _folder(tmp_path, descriptor) -> Path:
    folder = tmp_path / "jeu"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (folder / "d.csv").write_text("a;b\n1;2\n3;4\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "descriptor",
    [
        {"title": "x", "resources": "d.csv"},
        {"title": "x", "resources": ["d.csv"]},
        {"title": "x", "resources": [{"path": "d.csv", "schema": "a;b"}]},
        {"title": "x", "resources": [{"path": "d.csv", "schema": {"fields": ["a", "b"]}}]},
        {"title": "x", "resources": [{"path": "d.csv", "dialect": ";"}]},
        {"title": "x", "resources": [{"path": "d.csv", "dialect": {"headerRows": "un"}}]},
        {"title": "x", "resources": [{"path": ["d.csv"]}]},
        {"title": "x", "licenses": "etalab", "resources": [{"path": "d.csv"}]},
    ],
)
def test_malformed_descriptors_get_french_problems_never_a_traceback(tmp_path, capsys, descriptor):
    folder = _folder(tmp_path, descriptor)
    problems = datapackage.check_dataset_folder(folder)
    assert problems
    for problem in problems:
        assert "is not of type" not in problem and "has an error" not in problem
    code, _, err = run(capsys, "dataset", "inspect", str(folder))
    assert code in (0, 1)
    assert "Traceback" not in err
    datapackage.list_datasets(tmp_path)  # the catalogue skips it quietly


def test_frictionless_errors_are_translated():
    from frictionless import Package

    report = Package.validate_descriptor({"name": "x", "resources": "d.csv", "keywords": 3})
    texts = [datapackage.french_error(e) for e in report.errors]
    assert any("« resources » doit être une liste" in t for t in texts)
    assert any("« keywords »" in t for t in texts)


# ---------------------------------------------------------------------------- dataset new
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("doubles.csv", "age;age;ville\n" + "".join(f"{i};{i + 1};V{i}\n" for i in range(20))),
        ("vides.csv", "a;;c\n" + "".join(f"{i};{i};{i}\n" for i in range(20))),
        (
            "melange.csv",
            b"ville;n\n"
            + "".join(f"Évry {i};{i}\n" for i in range(5)).encode()
            + "".join(f"Sète {i};{i}\n" for i in range(5)).encode("cp1252"),
        ),
        (
            "milliers.csv",
            "id;montant;surface\n"
            + "".join(f"{i};{1 + i}.{234 + i:03d},50;{10 + i} {500 + i:03d}\n" for i in range(30)),
        ),
    ],
)
def test_new_writes_packages_that_pass_check(tmp_path, capsys, name, data):
    source = tmp_path / name
    source.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    dest = tmp_path / "jeu"
    code, out, _ = run(
        capsys, "dataset", "new", str(source), "--dest", str(dest), "--licence", "cc0"
    )
    assert code == 0, out
    assert run(capsys, "dataset", "check", str(dest))[0] == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_new_writes_the_repaired_text(tmp_path, capsys):
    text = "etat;n\n" + "".join(f"{e};{i}\n" for i, e in enumerate(["Dégradé", "Bon"] * 5))
    source = tmp_path / "etat.csv"
    source.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    dest = tmp_path / "jeu"
    assert run(capsys, "dataset", "new", str(source), "--dest", str(dest))[0] == 0
    written = next(dest.glob("*.csv")).read_text(encoding="utf-8")
    assert "Dégradé" in written and "Ã" not in written


def test_an_interrupted_new_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    from labkit.course import authoring

    source = tmp_path / "t.csv"
    source.write_text("a;b\n1;2\n3;4\n", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datapackage, "check_dataset_folder", interrupted)
    dest = tmp_path / "out" / "jeu"
    assert run(capsys, "dataset", "new", str(source), "--dest", str(dest))[0] == 130
    assert not dest.exists()
    assert list((tmp_path / "out").iterdir()) == []
    assert authoring.datapackage is datapackage  # the writer checks with the module patched above


# ---------------------------------------------------------------------------- CSV safety
@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12,5", "-12,5"),
        ("+33", "+33"),
        ("-1e3", "-1e3"),
        ("Dupont", "Dupont"),
        (12, 12),
    ],
)
def test_formula_looking_cells_are_neutralised(value, safe):
    assert csvsafe.neutralise(value) == safe


def test_a_written_csv_has_no_formula():
    frame = pd.DataFrame({"=nom": ["=1+2", "ok", None], "n": [-1.5, 2.0, 3.0]})
    text = csvsafe.to_csv_bytes(frame, sep=";").decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["'=nom", "n"]
    assert back["'=nom"].tolist() == ["'=1+2", "ok", ""]
    assert back["n"].tolist() == ["-1.5", "2.0", "3.0"]


# ---------------------------------------------------------------------------- workspace export
def test_the_workspace_export_has_a_size_limit(workspace):
    workspace.save("notes", {"texte": "x" * 5000})
    with pytest.raises(DatalabError, match="limite d’export"):
        workspace.export_zip(max_bytes=1000)
    archive = zipfile.ZipFile(io.BytesIO(workspace.export_zip()))
    assert "projects/exemple/notes.json" in archive.namelist()
