"""Generator of bad or tricky inputs for the bad-input suite (``tests/test_bad_input_suite.py``).

``generate(folder)`` writes every input into ``folder`` and returns the list of :class:`Case`:
files a person may bring (empty, binary, renamed images and archives, corrupt or protected
workbooks, ragged rows, over-size files, zip bombs in ``.xlsx``/``.ods``, unbalanced quotes, legacy
encodings, double-encoded text, odd numbers and dates, odd headers) and dataset folders with a
malformed ``datapackage.json``.

Each case says what a correct answer is:

- ``expect="refuse"``: a French refusal (exit code 1), nothing read;
- ``expect="read"``: the file is read; ``verify(frame, warnings)`` returns ``None`` when the reading
  is right, or a sentence saying what is wrong (a silent wrong reading);
- ``expect="either"``: a French refusal or a right reading (``verify`` still applies to a reading).

Run it alone to write the inputs somewhere and look at them:
``.venv/bin/python tests/bad_inputs.py /tmp/bad``.
"""

from __future__ import annotations

import io
import json
import math
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Verify = Callable[[object, list[str]], str | None]


@dataclass
class Case:
    name: str  # unique, also the file or folder name
    family: str
    path: Path
    expect: str  # refuse | read | either
    verify: Verify | None = None
    kind: str = "file"  # file | folder (a dataset folder) | bundle (a workspace ZIP)
    new: bool = True  # also run ``dataset new`` then ``check`` on it
    target: str | None = None  # the column ``datalab train`` predicts; default: the last one read
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- helpers
def _xlsx(sheet_xml: bytes, shared: bytes | None = None, *, level: int = 6) -> bytes:
    """A minimal .xlsx workbook around one sheet's XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if shared is not None
                else ""
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                if shared is not None
                else ""
            )
            + "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


def _sheet(rows_xml: bytes, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dim
        + b"<sheetData>"
        + rows_xml
        + b"</sheetData></worksheet>"
    )


def _ods(table_xml: str) -> bytes:
    """A minimal .ods document around one ``table:table`` body."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        + table_xml
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def _ods_cell(value: str) -> str:
    try:
        float(value)
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    except ValueError:
        return (
            f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )


def _ods_rows(rows: list[list[str]]) -> str:
    return "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _table(rows: int = 30) -> str:
    """A small well-formed French table (``;``, decimal comma)."""
    lines = ["commune;population;surface;date_maj"]
    for i in range(rows):
        lines.append(f"Commune {i};{1000 + 37 * i};{12.5 + i:.1f};{1 + i % 28:02d}/03/2023")
    return "\n".join(lines).replace(".", ",") + "\n"


def _column(frame, name):
    if name not in frame.columns:
        return None
    return frame[name]


# ---------------------------------------------------------------------------- verifications
def has_columns(*names: str) -> Verify:
    def verify(frame, warnings):
        got = [str(c) for c in frame.columns]
        if got != list(names):
            return f"colonnes lues {got}, attendues {list(names)}"
        return None

    return verify


def has_rows(count: int) -> Verify:
    def verify(frame, warnings):
        if len(frame) != count:
            return f"{len(frame)} lignes lues, {count} attendues"
        return None

    return verify


def values_contain(column: str, expected: str, *, or_warning: str | None = None) -> Verify:
    def verify(frame, warnings):
        series = _column(frame, column)
        if series is not None and expected in {str(v) for v in series.dropna()}:
            return None
        if or_warning and any(or_warning.lower() in w.lower() for w in warnings):
            return None
        shown = [] if series is None else [str(v) for v in series.dropna()[:3]]
        return f"« {expected} » attendu dans « {column} », lu {shown}"

    return verify


def no_infinite(frame, warnings):
    for name in frame.columns:
        series = frame[name]
        if series.dtype.kind == "f" and series.abs().eq(math.inf).any():
            return f"valeur infinie dans « {name} » sans avertissement"
    return None


def all_of(*checks: Verify) -> Verify:
    def verify(frame, warnings):
        for check in checks:
            problem = check(frame, warnings)
            if problem:
                return problem
        return None

    return verify


def warns(word: str) -> Verify:
    def verify(frame, warnings):
        if any(word.lower() in w.lower() for w in warnings):
            return None
        return f"aucun avertissement contenant « {word} » ({warnings})"

    return verify


def no_code_note(column: str) -> Verify:
    def verify(frame, warnings):
        if any(column in w and "zéros de tête" in w for w in warnings):
            return f"« {column} » annoncée comme code à zéros de tête sans en avoir"
        return None

    return verify


def value_equals(column: str, row: int, expected) -> Verify:
    def verify(frame, warnings):
        series = _column(frame, column)
        if series is None or len(series) <= row:
            return f"colonne « {column} » absente ou trop courte"
        value = series.iloc[row]
        if str(value) == str(expected) or value == expected:
            return None
        return f"« {column} » ligne {row} : lu {value!r}, attendu {expected!r}"

    return verify


def not_date_value(column: str, wrong: str) -> Verify:
    def verify(frame, warnings):
        series = _column(frame, column)
        if series is None:
            return None
        if series.dtype.kind == "M" and (series.astype(str).str.startswith(wrong)).any():
            return f"date impossible lue comme {wrong}"
        return None

    return verify


# ---------------------------------------------------------------------------- the inputs
def generate(folder: Path) -> list[Case]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name, family, data, expect, verify=None, **extra) -> None:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(Case(name, family, path, expect, verify, **extra))

    # --- empty
    add("vide.csv", "vide", b"", "refuse")
    add("blancs.csv", "vide", b"  \n\n \t\n", "refuse")
    add("bom_seul.csv", "vide", b"\xef\xbb\xbf", "refuse")
    add("entete_seule.csv", "vide", "a;b;c\n", "refuse")
    add(
        "entete_seule.xlsx",
        "vide",
        _xlsx(_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>')),
        "refuse",
    )

    # --- binary and renamed files
    add("aleatoire.csv", "binaire", bytes(range(256)) * 40, "refuse")
    add("image.csv", "binaire", _png(), "refuse")
    add("image.xlsx", "binaire", _png(), "refuse")
    add(
        "document.ods", "binaire", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "refuse"
    )
    add("photo.csv", "binaire", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "refuse")
    add("programme.csv", "binaire", b"MZ\x90\x00" + bytes(300), "refuse")
    add("nul_au_milieu.csv", "binaire", b"a;b\n1;2\n" + b"\x00" * 3000 + b"\n3;4\n", "refuse")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "bonjour")
    add("archive.xlsx", "archive", archive.getvalue(), "refuse")
    add("archive.csv", "archive", archive.getvalue(), "refuse")
    add("compresse.csv", "archive", b"\x1f\x8b\x08\x00" + bytes(50), "refuse")
    add("archive.rar", "archive", b"Rar!\x1a\x07\x00" + bytes(50), "refuse")
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as z:
        z.writestr("../../evasion.json", "{}")
        z.writestr("learner.json", "{}")
    add("zip_slip.zip", "archive", slip.getvalue(), "refuse")
    cases[-1].kind = "bundle"
    add("zip_slip.csv", "archive", slip.getvalue(), "refuse")

    # --- corrupt or protected workbooks
    good_xlsx = _xlsx(
        _sheet(
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>valeur</t></is></c></row>'
            + b"".join(
                f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>n{i}</t></is></c>'
                f'<c r="B{i}"><v>{i}</v></c></row>'.encode()
                for i in range(2, 30)
            )
        )
    )
    add("tronque.xlsx", "classeur abîmé", good_xlsx[: len(good_xlsx) // 2], "refuse")
    add(
        "feuille_illisible.xlsx",
        "classeur abîmé",
        _xlsx(b"<worksheet><sheetData><row><c><v>1</v></sheetData>"),
        "refuse",
    )
    add(
        "protege.xlsx",
        "classeur abîmé",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(200)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(200),
        "refuse",
    )
    add("ancien.xls", "classeur abîmé", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "refuse")
    bad_ods = io.BytesIO()
    with zipfile.ZipFile(bad_ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content><pas fini")
    add("contenu_illisible.ods", "classeur abîmé", bad_ods.getvalue(), "refuse")
    add("texte.xlsx", "classeur abîmé", "a;b\n1;2\n", "refuse")

    # --- ragged rows
    add(
        "ligne_trop_longue.csv",
        "lignes irrégulières",
        "a;b;c\n1;2;3\n4;5;6;7;8\n9;10;11\n",
        "refuse",
    )
    add("ligne_courte_au_milieu.csv", "lignes irrégulières", "a;b;c\n1;2;3\n4\n5;6;7\n", "refuse")
    add(
        "une_colonne.csv",
        "lignes irrégulières",
        "valeur\n" + "\n".join(map(str, range(30))),
        "read",
        has_columns("valeur"),
    )

    # --- over-size and zip bombs
    big = folder / "trop_gros.csv"
    with big.open("wb") as handle:
        handle.write(b"a;b\n")
        line = b"123456789;abcdefghij\n" * 50_000
        for _ in range(52):
            handle.write(line)
    cases.append(Case("trop_gros.csv", "trop gros", big, "refuse"))
    rows = b"".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'.encode() for i in range(2, 1_048_577)
    )
    add(
        "million_lignes.xlsx",
        "trop gros",
        _xlsx(
            _sheet(
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>' + rows,
                "A1:A1048576",
            )
        ),
        "either",
        new=True,
    )
    del rows
    cells = "".join(
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    add(
        "bombe_colonnes.ods",
        "trop gros",
        _ods(f'<table:table-row table:number-rows-repeated="2000">{cells}</table:table-row>'),
        "refuse",
    )
    add(
        "bombe_lignes.ods",
        "trop gros",
        _ods(
            _ods_rows([["a", "b"]])
            + '<table:table-row table:number-rows-repeated="1000000">'
            + _ods_cell("1")
            + _ods_cell("2")
            + "</table:table-row>"
        ),
        "refuse",
    )
    add(
        "lignes_vides_repetees.ods",
        "trop gros",
        _ods(
            _ods_rows([["nom", "valeur"]] + [[f"n{i}", str(i)] for i in range(20)])
            + '<table:table-row table:number-rows-repeated="1048000">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        ),
        "read",
        has_columns("nom", "valeur"),
    )
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + b" " * 400_000_000
        + b"x</t></si></sst>"
    )
    add(
        "bombe_texte.xlsx",
        "trop gros",
        _xlsx(_sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared, level=1),
        "refuse",
    )
    del shared
    add(
        "colonnes_innombrables.csv",
        "trop gros",
        ";".join(f"c{i}" for i in range(20_000)) + "\n" + ";".join("1" * 20_000) + "\n",
        "refuse",
    )
    add("lignes_innombrables.csv", "trop gros", "n\n" + "1\n" * 3_000_000, "refuse")

    # --- quotes
    add(
        "guillemet_ouvert.csv",
        "guillemets",
        'nom;ville;montant\nDupont;Lyon;12\nMartin;"Paris;13\nDurand;Nantes;14\n'
        + "".join(f"Nom{i};Ville{i};{i}\n" for i in range(30)),
        "either",
        all_of(has_columns("nom", "ville", "montant"), has_rows(33), warns("guillemet")),
    )
    add(
        "guillemet_ouvert_virgule.csv",
        "guillemets",
        "nom,ville,montant\n"
        + "".join(f"Nom{i},Ville{i},{i}\n" for i in range(5))
        + 'Martin,"Paris,13\n'
        + "".join(f"Nom{i},Ville{i},{i}\n" for i in range(5, 40)),
        "either",
        all_of(has_columns("nom", "ville", "montant"), has_rows(41), warns("guillemet")),
    )
    add(
        "guillemet_dans_texte.csv",
        "guillemets",
        'id;libelle;n\n1;Le "grand" parc;3\n2;Rue du 8 mai;4\n3;Place "A;5\n'
        + "".join(f"{i};Libellé {i};{i}\n" for i in range(4, 30)),
        "either",
        all_of(has_columns("id", "libelle", "n"), has_rows(29)),
    )
    add(
        "guillemets_equilibres.csv",
        "guillemets",
        'id;libelle\n1;"Saint-Denis; Réunion"\n2;"Ligne\nsur deux"\n3;simple\n',
        "read",
        values_contain("libelle", "Saint-Denis; Réunion"),
    )

    # --- encodings
    mac = (
        "ville;population\n"
        + "".join(
            f"{v};{p}\n"
            for v, p in [
                ("Besançon", 117000),
                ("Orléans", 116000),
                ("Évreux", 47000),
                ("Nîmes", 148000),
                ("Périgueux", 29000),
                ("Sète", 44000),
            ]
            * 5
        )
    ).encode("mac_roman")
    add(
        "mac_roman.csv",
        "encodages",
        mac,
        "either",
        values_contain("ville", "Besançon", or_warning="Mac"),
    )
    mixed = (
        b"ville;note\n"
        + "".join(f"Évry {i};{i}\n" for i in range(10)).encode("utf-8")
        + "".join(f"Sète {i};{i}\n" for i in range(10)).encode("cp1252")
    )
    add(
        "encodages_melanges.csv",
        "encodages",
        mixed,
        "either",
        all_of(values_contain("ville", "Sète 3"), warns("encodages")),
    )
    mojibake = "etat;commune;n\n" + "".join(
        f"{e};{c};{i}\n"
        for i, (e, c) in enumerate(
            [("Dégradé", "Évreux"), ("Très dégradé", "Orléans"), ("Bon état", "Besançon")] * 10
        )
    )
    add(
        "double_encodage.csv",
        "encodages",
        mojibake.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"),
        "read",
        all_of(values_contain("etat", "Dégradé"), warns("réparé")),
    )
    add(
        "cp1252.csv",
        "encodages",
        _table().replace("Commune", "Créteil").encode("cp1252"),
        "read",
        values_contain("commune", "Créteil 1"),
        target="population",  # a number to predict: `train` really trains
    )
    add(
        "utf16_sans_bom.csv",
        "encodages",
        _table().encode("utf-16-le"),
        "either",
        has_columns("commune", "population", "surface", "date_maj"),
    )
    add(
        "utf16_bom.csv",
        "encodages",
        "\ufeff".encode("utf-16-le") + _table().encode("utf-16-le"),
        "read",
        has_columns("commune", "population", "surface", "date_maj"),
        target="population",  # a number to predict: `train` really trains
    )

    # --- values
    add(
        "infini.csv",
        "valeurs",
        "id;mesure\n" + "".join(f"{i};{i}.5\n" for i in range(20)) + "21;Infinity\n22;1e400\n",
        "read",
        no_infinite,
    )
    add(
        "infini_variable.csv",  # an infinity in a feature of a table that can be trained
        "valeurs",
        "mesure;classe\n"
        + "".join(f"{i}.5;{'AB'[i % 2]}\n" for i in range(40))
        + "Infinity;A\n1e400;B\n",
        "read",
        no_infinite,
        target="classe",
    )
    add(
        "infini_cible.csv",  # infinities in the target of a regression
        "valeurs",
        "x;mesure\n" + "".join(f"{i % 7};{2 * i}.5\n" for i in range(40)) + "1;Infinity\n2;1e400\n",
        "read",
        no_infinite,
        target="mesure",
    )
    add(
        "infini_seul.csv",
        "valeurs",
        "id;mesure\n" + "".join(f"{i};1e400\n" for i in range(20)),
        "either",
        no_infinite,
    )
    add(
        "moins_infini.csv",
        "valeurs",
        "id;mesure\n" + "".join(f"{i};{i}\n" for i in range(20)) + "21;-inf\n22;NaN\n",
        "read",
        no_infinite,
    )
    add(
        "exposant_virgule.csv",
        "valeurs",
        "id;valeur\n" + "".join(f"{i};{i},5\n" for i in range(10)) + "11;3,5e2\n",
        "read",
        value_equals("valeur", 10, 350.0),
    )
    add(
        "date_impossible.csv",
        "valeurs",
        "id;jour\n"
        + "".join(f"{i};{1 + i % 28:02d}/01/2023\n" for i in range(20))
        + "21;31/02/2023\n",
        "read",
        not_date_value("jour", "2023-02-01"),
    )
    add(
        "colonne_vide.csv",
        "valeurs",
        "id;vide;n\n" + "".join(f"{i};;{i}\n" for i in range(300)),
        "read",
        all_of(has_columns("id", "vide", "n"), warns("vide")),
        target="vide",  # an all-empty target: « vide », not « Le tableau est vide »
    )
    add(
        "tres_grand_nombre.csv",
        "valeurs",
        "id;n\n" + "".join(f"{i};{10**25 + i}\n" for i in range(20)),
        "read",
        no_infinite,
    )
    add("cellule_geante.csv", "valeurs", "id;texte\n1;" + "x" * 3_000_000 + "\n2;court\n", "either")
    add(
        "formules.csv",
        "valeurs",
        "id;f\n"
        + "".join(f'{i};"=HYPERLINK(""http://x"";""{i}"")"\n' for i in range(5))
        + "6;+cmd|' /C calc'!A0\n7;@SUM(1)\n",
        "read",
        has_columns("id", "f"),
    )
    add(
        "milliers_mixtes.csv",
        "valeurs",
        "id;montant;surface\n"
        + "".join(f"{i};{1 + i}.{234 + i:03d},50;{10 + i} {500 + i:03d}\n" for i in range(30)),
        "read",
        value_equals("surface", 0, 10500),
    )
    add(
        "codes_petits_entiers.csv",
        "valeurs",
        "code_etat;commune;n\n" + "".join(f"{1 + i % 6};C{i};{i}\n" for i in range(40)),
        "read",
        no_code_note("code_etat"),
    )
    add(
        "codes_postaux.csv",
        "valeurs",
        "code_postal;n\n" + "".join(f"0{1000 + i};{i}\n" for i in range(40)),
        "read",
        all_of(values_contain("code_postal", "01000"), warns("zéros de tête")),
    )
    add("controle.csv", "valeurs", "id;txt\n1;a\x07b\n2;c\x1bd\n3;ok\n", "either")

    # --- headers
    add(
        "entetes_doubles.csv",
        "en-têtes",
        "age;age;ville\n" + "".join(f"{20 + i};{30 + i};V{i}\n" for i in range(20)),
        "read",
    )
    add(
        "entetes_vides.csv",
        "en-têtes",
        "a;;c\n" + "".join(f"{i};{i * 2};{i * 3}\n" for i in range(20)),
        "read",
    )
    add(
        "entete_multiligne.csv",
        "en-têtes",
        '"nom\ncomplet";n\n' + "".join(f"x{i};{i}\n" for i in range(20)),
        "read",
    )
    add(
        "titre_au_dessus.csv",
        "en-têtes",
        "Export du 03/02/2024\n\n" + _table(),
        "read",
        has_columns("commune", "population", "surface", "date_maj"),
        target="population",  # a number to predict: `train` really trains
    )
    add(
        "entetes_numeriques.xlsx",
        "en-têtes",
        _xlsx(
            _sheet(
                b'<row r="1"><c r="A1"><v>2020</v></c><c r="B1"><v>2021</v></c></row>'
                + b"".join(
                    f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>{i * 2}</v></c>'
                    f"</row>".encode()
                    for i in range(2, 20)
                )
            )
        ),
        "read",
        has_columns("2020", "2021"),
    )

    # --- workbooks that are fine (controls)
    add("classeur_correct.xlsx", "témoins", good_xlsx, "read", has_columns("nom", "valeur"))
    add(
        "classeur_correct.ods",
        "témoins",
        _ods(_ods_rows([["nom", "valeur"]] + [[f"n{i}", str(i)] for i in range(20)])),
        "read",
        has_columns("nom", "valeur"),
    )
    add(
        "table_correcte.csv",
        "témoins",
        _table(),
        "read",
        has_columns("commune", "population", "surface", "date_maj"),
        target="population",  # a number to predict: `train` really trains
    )

    # --- dataset folders with a malformed datapackage.json
    data_csv = "ville;n\n" + "".join(f"V{i};{i}\n" for i in range(10))
    resource = {
        "name": "donnees",
        "path": "donnees.csv",
        "format": "csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ";"},
        "schema": {
            "fields": [
                {"name": "ville", "type": "string", "description": "Ville"},
                {"name": "n", "type": "integer", "description": "Nombre"},
            ]
        },
    }
    base = {
        "name": "essai",
        "title": "Essai",
        "description": "Un essai.",
        "licenses": [{"name": "etalab-2.0"}],
        "resources": [resource],
    }

    def package(name: str, descriptor, raw: str | bytes | None = None, data=data_csv) -> None:
        target = folder / name
        target.mkdir()
        if raw is not None:
            text = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        else:
            text = json.dumps(descriptor, ensure_ascii=False).encode("utf-8")
        (target / "datapackage.json").write_bytes(text)
        if data is not None:
            (target / "donnees.csv").write_text(data, encoding="utf-8")
        cases.append(Case(name, "datapackage", target, "refuse", kind="folder", new=False))

    def variant(**changes):
        value = json.loads(json.dumps(base))
        for key, new in changes.items():
            value[key] = new
        return value

    def resource_variant(**changes):
        value = json.loads(json.dumps(resource))
        for key, new in changes.items():
            value[key] = new
        return variant(resources=[value])

    package("dp_resources_texte", variant(resources="donnees.csv"))
    package("dp_resources_liste_de_textes", variant(resources=["donnees.csv"]))
    package("dp_resources_objet", variant(resources={"path": "donnees.csv"}))
    package("dp_resources_vide", variant(resources=[]))
    package("dp_json_invalide", None, raw='{"name": "x", "resources": [,]}')
    package("dp_liste", None, raw="[1, 2, 3]")
    package("dp_vide", None, raw="")
    package("dp_pas_utf8", None, raw='{"title": "Cr\xe9teil"}'.encode("latin-1"))
    package("dp_schema_texte", resource_variant(schema="ville;n"))
    package("dp_fields_textes", resource_variant(schema={"fields": ["ville", "n"]}))
    package("dp_fields_objet", resource_variant(schema={"fields": {"ville": "string"}}))
    package("dp_chemin_absolu", resource_variant(path="/etc/passwd"))
    package("dp_chemin_parent", resource_variant(path="../donnees.csv"))
    package("dp_chemin_url", resource_variant(path="https://exemple.fr/donnees.csv"))
    package("dp_chemin_liste", resource_variant(path=["donnees.csv"]))
    package("dp_donnees_absentes", base, data=None)
    package("dp_encodage_inconnu", resource_variant(encoding="klingon"))
    package("dp_dialect_texte", resource_variant(dialect=";"))
    package(
        "dp_headerrows_texte",
        resource_variant(dialect={"delimiter": ";", "headerRows": "premiere"}),
    )
    package(
        "dp_type_inconnu",
        resource_variant(
            schema={
                "fields": [
                    {"name": "ville", "type": "ville", "description": "Ville"},
                    {"name": "n", "type": "integer", "description": "Nombre"},
                ]
            }
        ),
    )
    package("dp_licenses_texte", variant(licenses="etalab"))
    package("dp_defects_texte", variant(defects="aucun"))
    package("dp_targets_textes", variant(suggested_targets=["n"]))
    package("dp_drivers_liste", variant(drivers=["n"]))
    package("dp_keywords_nombre", variant(keywords=12))
    package("dp_titre_absent", {k: v for k, v in base.items() if k != "title"})
    package(
        "dp_donnees_non_conformes",
        base,
        data="ville;n\n" + "".join(f"V{i};{i if i % 3 else 'beaucoup'}\n" for i in range(10)),
    )
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    found = generate(target)
    for case in found:
        print(f"{case.family:20} {case.expect:7} {case.name}")
    print(f"{len(found)} inputs in {target}")
