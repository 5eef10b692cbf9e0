"""The table reader: real French open-data files, French number and date formats, codes kept as
text, spreadsheets, overrides, and every bad file refused with a French message."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from labkit.data import labels, limits
from labkit.data.reader import ReadOptions, read_table
from labkit.errors import DatalabError


def read(text: str, name: str = "essai.csv", encoding: str = "utf-8", **options):
    return read_table(text.encode(encoding), name, ReadOptions(**options) if options else None)


def refused(data: bytes, name: str = "essai.csv", options: ReadOptions | None = None):
    with pytest.raises(DatalabError) as info:
        read_table(data, name, options)
    error = info.value
    assert error.key and error.key.startswith("reader.")
    assert error.message and "Traceback" not in error.message
    return error


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- real files
@pytest.mark.realdata
def test_cnds_grants_cp1252_amounts_departments_and_quoted_line_break(realdata):
    path = realdata / "subventions_cnds_2015_cp1252.csv"
    result = read_table(path.read_bytes(), path.name)
    frame, detection = result.frame, result.detection
    assert detection.encoding == "cp1252"
    assert detection.separator == ";"
    assert detection.thousands == " "
    assert frame.shape == (117, 9)
    assert list(frame.columns)[5] == "n°SES"
    assert "Mulhouse Alsace Agglomération" in set(frame["Porteur_projet"])
    assert any("Rénovation" in p for p in frame["Projet"])
    for column in ("Montant_op", "Montant_acc"):
        assert frame[column].dtype.kind in "fi"
        assert detection.types[column] in ("integer", "number")
        assert next(c for c in detection.columns if c.name == column).unit == "€"
    assert frame.index[0] == 2  # the spreadsheet row under the header (labkit.data.rows)
    assert frame.loc[2, "Montant_op"] == 2_466_555
    assert frame.loc[2, "Montant_acc"] == 450_000
    # the amount written across three physical lines inside quotes stays in its own field and row
    quoted = frame.loc[frame["n°SES"] == 13729].iloc[0]
    assert quoted["Montant_op"] == 8258 and quoted["Montant_acc"] == 1600
    assert quoted["Commune"] == "Nogent-sur-Seine"
    # department codes are text: "06" keeps its zero, "2A" is there, nothing became a number
    assert detection.types["Dep"] in ("text", "category")
    assert frame["Dep"].dtype.kind not in "fi"
    assert {"06", "2A", "974", "68"} <= set(frame["Dep"])


@pytest.mark.realdata
def test_nantes_recycling_centres_utf8_semicolon(realdata):
    path = realdata / "dechetteries_nantes.csv"
    result = read_table(path.read_bytes(), path.name)
    frame = result.frame
    assert result.detection.encoding == "utf-8"
    assert result.detection.separator == ";"
    assert frame.shape == (97, 21)
    assert "Année" in frame.columns and "Déchets verts" in frame.columns
    assert any(name.startswith("Déchèterie") for name in frame["Nom"])
    assert frame["Tout-venant"].dtype.kind == "f"
    assert result.detection.types["Année"] == "integer"
    assert frame["Année"].between(2012, 2017).all()


@pytest.mark.realdata
def test_saint_germain_trees_quoted_numbers_and_slash_dates(realdata):
    path = realdata / "arbres_urbains_sgl.csv"
    result = read_table(path.read_bytes(), path.name)
    frame, types = result.frame, result.detection.types
    assert result.detection.separator == ","
    assert frame.shape == (709, 57)
    assert types["date_diagnostic"] == "date"
    assert frame["date_diagnostic"].dropna().iloc[0] == pd.Timestamp("2020-10-22")
    assert types["diametre"] == "number" and types["hauteur"] == "integer"
    assert frame["classification_diagnostic"].isna().sum() == 10
    assert frame["circonference (en cm)"].iloc[0] == 100


# ----------------------------------------------------------------------------- French formats
def test_french_numbers_thousands_units_and_minus_signs():
    text = (
        "montant;taux;poids;solde\n"
        "1 234,56 €;12,5 %;1\u00a0200,5;−3,5\n"
        "2\u202f000,00 €;7 %;15,25;-12\n"
        "13,00 €;0,5 %;3\u00a0000;4\n"
    )
    result = read(text)
    frame, detection = result.frame, result.detection
    assert detection.decimal == ","
    assert frame["montant"].tolist() == [1234.56, 2000.0, 13.0]
    assert frame["taux"].tolist() == [12.5, 7.0, 0.5]
    assert frame["poids"].tolist() == [1200.5, 15.25, 3000.0]
    assert frame["solde"].tolist() == [-3.5, -12.0, 4.0]
    units = {c.name: c.unit for c in detection.columns}
    assert units["montant"] == "€" and units["taux"] == "%"


def test_dot_thousands_with_decimal_comma():
    result = read("libelle;montant\na;1.234,50\nb;12.000,00\nc;3,25\n")
    assert result.detection.decimal == ","
    assert result.detection.thousands == "."
    assert result.frame["montant"].tolist() == [1234.5, 12000.0, 3.25]


def test_quoted_decimal_commas_in_a_comma_separated_file():
    result = read('nom,valeur,nombre\na,"12,5",3\nb,"7,25",4\nc,"1000,0",5\n')
    assert result.detection.separator == ","
    assert result.detection.decimal == ","
    assert result.frame["valeur"].tolist() == [12.5, 7.25, 1000.0]
    assert result.frame["nombre"].dtype == "int64"


def test_french_dates_and_iso_dates():
    text = "jour;iso;heure\n01/02/2023;2023-02-01;01/02/2023 08:30\n31/12/2023;2023-12-31;31/12/2023 17:05\n"
    result = read(text)
    frame, columns = result.frame, {c.name: c for c in result.detection.columns}
    assert columns["jour"].type == "date" and columns["jour"].date_format == "%d/%m/%Y"
    assert frame["jour"].iloc[0] == pd.Timestamp("2023-02-01")  # day first, the French way
    assert columns["iso"].date_format == "%Y-%m-%d"
    assert frame["heure"].iloc[1] == pd.Timestamp("2023-12-31 17:05")
    assert result.detection.date_format == "%d/%m/%Y"


def test_codes_with_leading_zeros_stay_text():
    text = (
        "code_postal;code_insee;departement;siret;telephone;habitants\n"
        "01000;01053;01;21010530200017;0612345678;41000\n"
        "75001;2A004;2A;21750001600019;0239000000;2100000\n"
        "20200;2B033;2B;21200330700012;0495000000;45000\n"
    )
    result = read(text)
    frame, types = result.frame, result.detection.types
    for column in ("code_postal", "code_insee", "departement", "siret", "telephone"):
        assert types[column] in ("text", "category"), column
    assert frame["code_postal"].tolist() == ["01000", "75001", "20200"]
    assert frame["departement"].tolist() == ["01", "2A", "2B"]
    assert frame["siret"].iloc[0] == "21010530200017"
    assert frame["telephone"].iloc[0] == "0612345678"
    assert types["habitants"] == "integer"


def test_leading_zero_codes_are_kept_even_with_a_plain_column_name():
    result = read("commune;numero\nA;00123\nB;04567\nC;12345\n")
    assert result.frame["numero"].tolist() == ["00123", "04567", "12345"]


def test_cells_starting_with_formula_signs_are_kept_as_text_never_evaluated():
    text = (
        'nom;formule;solde\nA;=1+2;-12\nB;"=HYPERLINK(""http://exemple.fr"",""clic"")";+3\n'
        "C;@SUM(A1:A2);-4,5\nD;-2+3;7\n"
    )
    result = read(text)
    frame = result.frame
    assert result.detection.types["formule"] in ("text", "category")
    assert frame["formule"].tolist() == [
        "=1+2",
        '=HYPERLINK("http://exemple.fr","clic")',
        "@SUM(A1:A2)",
        "-2+3",
    ]
    assert frame["solde"].tolist() == [-12.0, 3.0, -4.5, 7.0]  # plain signed numbers stay numbers
    assert any("jamais calculées" in w for w in result.detection.warnings)


def test_a_column_mostly_numbers_with_some_text_stays_text_and_is_reported():
    rows = "\n".join(f"{i};{i % 5 + 1}" for i in range(30))
    result = read(f"id;jours\n{rows}\n30;4 jours\n")
    assert result.detection.types["jours"] in ("text", "category")
    column = next(c for c in result.detection.columns if c.name == "jours")
    assert column.not_matching == 1
    assert any("« 4 jours », ligne 32" in w for w in result.detection.warnings)


def test_oui_non_stays_text_and_vrai_faux_is_boolean():
    result = read("a;b;c\noui;VRAI;1\nnon;faux;2\noui;vrai;3\n")
    assert result.frame["a"].tolist() == ["oui", "non", "oui"]
    assert result.detection.types["a"] == "category"
    assert result.detection.types["b"] == "boolean"
    assert result.frame["b"].tolist() == [True, False, True]


def test_missing_value_markers_in_number_columns():
    result = read("x;y\n1,5;a\nNA;b\n;c\n-;d\n2;e\n")
    assert result.detection.types["x"] == "number"
    assert result.frame["x"].isna().sum() == 3
    assert result.frame["x"].dropna().tolist() == [1.5, 2.0]


def test_integers_with_missing_values_are_floats_and_whole_columns_int64():
    result = read("a;b\n1;1\n2;\n3;3\n")
    assert result.frame["a"].dtype == "int64"
    assert result.frame["b"].dtype == "float64"
    assert result.detection.types["b"] == "integer"


# ----------------------------------------------------------------------------- CSV structure
def test_title_lines_above_the_header_are_skipped():
    text = "Export du 01/02/2024;;\n;;\nnom;valeur;date\na;1;01/01/2024\nb;2;02/01/2024\n"
    result = read(text)
    assert result.detection.header_row == 2
    assert list(result.frame.columns) == ["nom", "valeur", "date"]
    assert len(result.frame) == 2


def test_quoted_fields_keep_separators_and_line_breaks():
    text = 'nom;commentaire\na;"un; deux"\nb;"ligne 1\nligne 2"\nc;simple\n'
    result = read(text)
    assert result.frame["commentaire"].tolist() == ["un; deux", "ligne 1\nligne 2", "simple"]


@pytest.mark.parametrize(("separator", "name"), [(",", ","), ("\t", "tab"), ("|", "|"), (";", ";")])
def test_separators_detected(separator, name):
    rows = [["a", "b", "c"], ["1", "x", "2,5" if separator != "," else "2.5"], ["3", "y", "4"]]
    text = "\n".join(separator.join(r) for r in rows) + "\n"
    result = read(text)
    assert result.detection.separator == separator
    assert result.frame.shape == (2, 3)


def test_notes_below_the_table_are_dropped_with_a_warning():
    result = read("a;b;c\n1;2;3\n4;5;6\n\nSource : INSEE\n")
    assert len(result.frame) == 2
    assert any("notes" in w for w in result.detection.warnings)


def test_duplicate_and_empty_column_names_are_renamed():
    result = read("a;a;;b\n1;2;3;4\n5;6;7;8\n")
    assert list(result.frame.columns) == ["a", "a_2", "colonne_3", "b"]
    assert result.detection.warnings


def test_trailing_separator_column_is_dropped():
    result = read("a;b;\n1;2;\n3;4;\n")
    assert list(result.frame.columns) == ["a", "b"]


def test_bom_utf16_and_crlf():
    utf8_bom = read_table("\ufeffnom;ville\nÉlodie;Orléans\r\n".encode("utf-8-sig"), "a.csv")
    assert utf8_bom.detection.encoding == "utf-8-sig"
    assert list(utf8_bom.frame.columns) == ["nom", "ville"]
    utf16 = read_table("nom;ville\r\nÉlodie;Orléans\r\n".encode("utf-16"), "b.csv")
    assert utf16.frame["ville"].tolist() == ["Orléans"]


def test_cp1252_file_is_detected():
    result = read("nom;montant\nRégion Île-de-France;12 €\nCœur de ville;3 €\n", encoding="cp1252")
    assert result.detection.encoding == "cp1252"
    assert result.frame["nom"].tolist() == ["Région Île-de-France", "Cœur de ville"]


def test_mixed_encodings_are_read_line_by_line():
    data = (
        b"commune;population\n"
        + "Orléans;116000\n".encode()
        + "Besançon;117000\n".encode("cp1252")
        + "Nîmes;148000\n".encode()
    )
    result = read_table(data, "mixte.csv")
    assert result.frame["commune"].tolist() == ["Orléans", "Besançon", "Nîmes"]
    assert result.detection.encoding == "utf-8+cp1252"
    assert any("deux encodages" in w for w in result.detection.warnings)


# ----------------------------------------------------------------------------- overrides
def test_every_detected_setting_can_be_overridden():
    text = "titre\na,b;c\n1,5;2\n"
    as_detected = read(text)
    assert as_detected.detection.separator == ";"
    overridden = read(text, separator=",", header_row=1, quote='"')
    assert overridden.detection.separator == ","
    assert list(overridden.frame.columns) == ["a", "b;c"]
    decimal = read("x;y\n1.234;a\n2.500;b\n", decimal=",", thousands=".")
    assert decimal.frame["x"].tolist() == [1234.0, 2500.0]
    dot = read("x;y\n1,5;a\n2,5;b\n", decimal=".")
    assert dot.detection.types["x"] in ("text", "category")  # a person's choice is respected


def test_forced_types_convert_and_report_values_that_do_not_fit():
    result = read(
        "code;jours;quand\n1;4;01/02/2024\n2;5 jours;03/02/2024\n3;2;pas de date\n",
        column_types={"code": "text", "jours": "integer", "quand": "date"},
        date_format="%d/%m/%Y",
    )
    frame, detection = result.frame, result.detection
    assert frame["code"].tolist() == ["1", "2", "3"]
    assert frame["jours"].tolist()[0] == 4 and np.isnan(frame["jours"].iloc[1])
    assert frame["quand"].iloc[0] == pd.Timestamp("2024-02-01") and pd.isna(frame["quand"].iloc[2])
    assert detection.types == {"code": "text", "jours": "integer", "quand": "date"}
    assert sum("ne conviennent pas" in w for w in detection.warnings) == 2


def test_unknown_forced_type_and_unknown_encoding_are_refused():
    with pytest.raises(DatalabError) as info:
        read("a;b\n1;2\n", column_types={"a": "nombre"})
    assert "n’existe pas" in info.value.message
    with pytest.raises(DatalabError) as info:
        read_table(b"a;b\n1;2\n", "a.csv", ReadOptions(encoding="klingon"))
    assert "klingon" in info.value.message


def test_wrong_encoding_override_warns_about_replaced_characters():
    data = "nom;ville\nÉlodie;Orléans\n".encode("cp1252")
    result = read_table(data, "a.csv", ReadOptions(encoding="utf-8"))
    assert "\ufffd" in result.frame["ville"].iloc[0]
    assert any("remplacés" in w for w in result.detection.warnings)


def test_detection_serialises_and_gives_back_its_options():
    result = read("a;b\n1,5;x\n2,5;y\n")
    assert json.loads(json.dumps(result.detection.to_dict()))["decimal"] == ","
    again = read_table(b"a;b\n1,5;x\n2,5;y\n", "a.csv", result.detection.options())
    assert again.frame.equals(result.frame)


# ----------------------------------------------------------------------------- refusals
def test_empty_and_blank_files_are_refused():
    assert "vide" in refused(b"").message
    assert "vide" in refused(b"  \n\n ").message


def test_binary_files_are_refused():
    assert refused(b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.csv").key == "reader.not_table"
    assert refused(b"%PDF-1.7 ...", "rapport.csv").key == "reader.not_table"
    assert refused(bytes(range(256)) * 10, "donnees.csv").key == "reader.binary"
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "vieux.xls").key == (
        "reader.old_excel"
    )


def test_a_zip_that_is_not_a_workbook_and_a_broken_workbook_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    assert refused(buffer.getvalue(), "archive.csv").key == "reader.not_table"
    assert refused(b"PK\x03\x04garbage", "classeur.xlsx").key == "reader.unreadable_workbook"
    assert refused(b"not a workbook at all", "classeur.xlsx").key == "reader.unreadable_workbook"


def test_header_only_is_refused():
    assert refused(b"nom;valeur;date\n").key == "reader.header_only"
    assert refused(b"nom;valeur;date\n\n\n").key == "reader.header_only"


def test_ragged_rows_are_refused_and_the_line_named():
    error = refused(b"a;b;c\n1;2;3\n4;5;6;7\n8;9;10\n")
    assert error.key == "reader.ragged"
    assert "ligne 3" in error.message and "4 valeur" in error.message
    short = refused(b"a;b;c\n1;2;3\n4;5\n8;9;10\n")
    assert short.key == "reader.ragged" and "ligne 3" in short.message


def test_files_over_the_size_limit_are_refused():
    assert limits.MAX_BYTES == 50 * 1024 * 1024
    data = b"a;b\n" + b"1;2\n" * 100
    error = refused(data, options=ReadOptions(max_bytes=200))
    assert error.key == "reader.too_large" and "Mo" in error.message


def test_a_header_row_beyond_the_file_is_refused():
    error = refused(b"a;b\n1;2\n", options=ReadOptions(header_row=10))
    assert error.key == "reader.bad_header_row"


# ----------------------------------------------------------------------------- spreadsheets
def test_workbook_with_several_sheets_and_sheet_choice():
    data = xlsx_bytes(
        {
            "Lisez-moi": [["Ce classeur contient les effectifs."]],
            "Effectifs": [
                ["Export du service RH"],
                [],
                ["service", "agents", "date", "code_insee"],
                ["voirie", 12, dt.datetime(2024, 1, 31), "01053"],
                ["espaces verts", 8.5, dt.datetime(2024, 2, 29), "2A004"],
            ],
            "Budget": [["poste", "montant"], ["salaires", "1 234,50"], ["achats", "99,90"]],
        }
    )
    result = read_table(data, "rh.xlsx")
    detection = result.detection
    assert detection.format == "xlsx"
    assert detection.sheets == ["Lisez-moi", "Effectifs", "Budget"]
    assert detection.sheet == "Effectifs"  # the first sheet that holds a table
    assert detection.header_row == 2
    assert result.frame["agents"].tolist() == [12.0, 8.5]
    assert detection.types["date"] == "date"
    assert result.frame["code_insee"].tolist() == ["01053", "2A004"]
    budget = read_table(data, "rh.xlsx", ReadOptions(sheet="Budget"))
    assert budget.frame["montant"].tolist() == [1234.5, 99.9]
    error = refused(data, "rh.xlsx", ReadOptions(sheet="Inconnue"))
    assert error.key == "reader.sheet_missing" and "Effectifs" in str(error)


def test_workbook_formulas_are_kept_as_text():
    data = xlsx_bytes({"calcul": [["a", "b", "total"], [1, 2, "=A2+B2"], [3, 4, "=A3+B3"]]})
    result = read_table(data, "calcul.xlsx")
    assert result.frame["total"].tolist() == ["=A2+B2", "=A3+B3"]
    assert result.frame["a"].tolist() == [1, 3]


def test_workbook_with_only_empty_sheets_is_refused():
    data = xlsx_bytes({"vide": [], "aussi": [[None]]})
    assert refused(data, "vide.xlsx").key in ("reader.no_sheet", "reader.empty")


def test_opendocument_spreadsheet(tmp_path):
    frame = pd.DataFrame(
        {"commune": ["Nîmes", "Orléans"], "population": [148000, 116000], "part": [0.5, 0.25]}
    )
    path = tmp_path / "communes.ods"
    frame.to_excel(path, engine="odf", index=False, sheet_name="communes")
    result = read_table(path.read_bytes(), path.name)
    assert result.detection.format == "ods"
    assert result.detection.sheets == ["communes"]
    assert result.frame["commune"].tolist() == ["Nîmes", "Orléans"]
    assert result.frame["population"].tolist() == [148000, 116000]
    assert result.detection.types["part"] == "number"


def test_labels_are_french():
    assert labels.separator_label(";").startswith("point-virgule")
    assert labels.decimal_label(",").startswith("virgule")
    assert labels.thousands_label("\u00a0").startswith("espace insécable")
    assert labels.type_label("integer") == "nombre entier"
    assert labels.date_format_label("%d/%m/%Y") == "jj/mm/aaaa"


def test_an_unclosed_quote_in_a_semicolon_file_with_decimal_commas_keeps_its_separator():
    """Each line of a ``;`` file holds one decimal comma; a quote opened on line 151 is never
    closed. Read with quotes, ``;`` swallows the rest of the file into one value and ``,`` looked
    more regular (two garbage columns, the first row taken for the header, no word): issue 21."""
    lines = ["id;nom;commune;surface;ouverture"]
    for i in range(1, 301):
        name = '"Mairie annexe' if i == 150 else f"Batiment {i}"
        lines.append(f"{i};{name};Rennes;{100 + i},{i % 10};02/03/2021")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    result = read_table(data, "batiments.csv")
    assert result.detection.separator == ";"
    assert list(result.frame.columns) == ["id", "nom", "commune", "surface", "ouverture"]
    assert len(result.frame) == 300
    assert result.frame["surface"].iloc[0] == 101.1
    assert any("guillemet" in w for w in result.detection.warnings)


def test_a_date_past_2262_is_read_as_it_is_written_and_called_impossible():
    """pandas' nanosecond dates end in 2262: an end date typed 2282-03-11 was shown as
    « 20/08/1697 » and its year extracted as 1 697 (issue 21)."""
    from labkit.prepare import quality

    rows = ["id;debut;fin"]
    rows += [f"{i};2020-01-{i % 28 + 1:02d};2021-0{i % 9 + 1}-11" for i in range(1, 40)]
    rows.append("40;2020-02-01;2282-03-11")
    frame = read_table("\n".join(rows).encode("utf-8"), "contrats.csv").frame
    assert frame["fin"].iloc[-1] == pd.Timestamp("2282-03-11")
    assert frame["fin"].dt.year.iloc[-1] == 2282
    report = quality.assess(frame, today=pd.Timestamp("2026-12-01"))
    assert any("11/03/2282" in f.message for f in report.by_kind("outliers"))


def test_module03_says_what_a_spreadsheet_decides_itself():
    """An .ods of numbers and date cells: 03 said « Séparateur décimal : point (12.5) » for a
    file whose numbers were shown with commas, and « Format des dates : aucune date » while two
    columns were read as dates (issues 21 and 23)."""
    from labkit.ui.module03 import detection_rows

    book = io.BytesIO()
    frame = pd.DataFrame(
        {"montant": [12.5, 3.25, 8.0] * 10, "date": pd.date_range("2024-01-01", periods=30)}
    )
    frame.to_excel(book, index=False)
    result = read_table(book.getvalue(), "montants.xlsx")
    shown = {
        tuple(row.values())[0]: tuple(row.values())[1] for row in detection_rows(result.detection)
    }
    assert shown["Séparateur décimal"].startswith("sans objet")
    assert shown["Format des dates"].startswith("dates lues comme des dates")


def test_timestamps_with_a_time_zone_are_dates_at_the_time_written():
    """Issue 21: a timestamp column (« 2024-03-01T10:00:00+01:00 ») was called an identifier."""
    from labkit.prepare import quality

    rows = ["capteur;horodatage;etat"]
    for i in range(200):
        offset = "+01:00" if i % 2 else "+02:00"  # winter and summer time in one column
        stamp = f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.5{offset}"
        rows.append(f"C{i % 7};{stamp};{'ouvert' if i % 3 else 'fermé'}")
    frame = read_table("\n".join(rows).encode("utf-8"), "capteurs.csv").frame
    assert pd.api.types.is_datetime64_any_dtype(frame["horodatage"])
    assert frame["horodatage"].iloc[1] == pd.Timestamp("2024-03-02 01:01:00.5")
    report = quality.assess(frame, target="etat")
    assert "horodatage" not in report.columns_of("identifier")


def test_dates_written_two_ways_in_one_column_are_all_read():
    """A spreadsheet's date cells (« 2017-06-27 ») beside dates typed as text (« 28/08/2017 »),
    as in the Mayenne grants file of the corpus: each read with its own format."""
    lines = ["id;date_convention"]
    lines += [
        f"{i};2017-06-{1 + i % 28:02d}" if i % 2 else f"{i};{1 + i % 28}/08/2017" for i in range(40)
    ]
    frame = read_table("\n".join(lines).encode("utf-8"), "conventions.csv").frame
    assert pd.api.types.is_datetime64_any_dtype(frame["date_convention"])
    assert frame["date_convention"].iloc[0] == pd.Timestamp("2017-08-01")
    assert frame["date_convention"].iloc[1] == pd.Timestamp("2017-06-02")
