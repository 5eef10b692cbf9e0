"""``datalab dataset``: inspect a file, check a dataset folder, make a dataset folder from a file.

- ``datalab dataset inspect PATH [--json]``: what the reader detected and a summary of the table.
- ``datalab dataset check DIR…``: validate dataset folders (exit 0 when all are valid).
- ``datalab dataset new FILE [--title …] [--dest DIR] …``: a Data Package folder made from a CSV,
  ``.xlsx`` or ``.ods`` file, with its Table Schema inferred; the metadata not given as options are
  asked for when a terminal is attached (never in a script). The folder is then checked, and the
  catalogue of module 03 finds it without any code change.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
import warnings
from pathlib import Path
from typing import Any

from labkit import messages, paths
from labkit.data.reader import (
    ReadOptions,
    ReadResult,
    date_format_label,
    decimal_label,
    read_table,
    separator_label,
    thousands_label,
    type_label,
)
from labkit.errors import DatalabError

LICENCES = {
    "etalab-2.0": ("etalab-2.0", "Licence Ouverte / Open Licence 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
    "lo": ("etalab-2.0", "Licence Ouverte / Open Licence 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
    "licence ouverte": ("etalab-2.0", "Licence Ouverte / Open Licence 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"),
    "odbl": ("odc-odbl", "Open Database License (ODbL) 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "cc-by-4.0": ("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0": ("CC0-1.0", "Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "interne": ("other-closed", "Usage interne (données non ouvertes)", ""),
}  # fmt: skip
FRICTIONLESS_MISSING = sorted({"", "NA", "N/A", "n/a", "#N/A", "-", "nd", "n.d.", "nc", "n.c."})
MAX_DOCUMENTED_ROWS = 2000


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "dataset", help="inspecter un fichier, vérifier ou créer un jeu de données"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    inspect = actions.add_parser("inspect", help="ce que Datalab lit dans un fichier")
    inspect.add_argument("path", help="fichier CSV, .xlsx ou .ods, ou dossier de jeu de données")
    inspect.add_argument("--json", action="store_true", help="résultat au format JSON")
    inspect.add_argument(
        "--target", help="colonne à prédire, pour repérer les colonnes qui donnent la réponse"
    )
    _reading_options(inspect)
    inspect.set_defaults(handler=run_inspect)

    check = actions.add_parser("check", help="vérifier un ou plusieurs dossiers de jeu de données")
    check.add_argument("folders", nargs="+", metavar="DIR", help="dossier (ou nom d’un jeu)")
    check.set_defaults(handler=run_check)

    new = actions.add_parser("new", help="créer un jeu de données à partir d’un fichier")
    new.add_argument("file", help="fichier CSV, .xlsx ou .ods")
    new.add_argument("--dest", help="dossier à créer (par défaut datasets/<identifiant>)")
    new.add_argument("--id", dest="dataset_id", help="identifiant (nom du dossier)")
    _describe_options(new)
    new.add_argument("--target", help="colonne à prédire suggérée")
    _card_options(new)
    new.add_argument("--force", action="store_true", help="remplacer un dossier existant")
    _reading_options(new)
    new.set_defaults(handler=run_new)

    edit = actions.add_parser(
        "edit", help="compléter la fiche d’un jeu de données (sans éditer datapackage.json)"
    )
    edit.add_argument("folder", metavar="DIR", help="dossier (ou nom d’un jeu)")
    _describe_options(edit)
    _card_options(edit)
    edit.set_defaults(handler=run_edit)

    parser.set_defaults(handler=lambda args: _help(parser))


def _describe_options(parser) -> None:
    """Title, description, licence, producer, theme and keywords (``new`` and ``edit``)."""
    parser.add_argument("--title", help="titre du jeu de données")
    parser.add_argument("--description", help="description en quelques phrases")
    parser.add_argument(
        "--licence", help="licence : etalab-2.0 (Licence Ouverte), odbl, cc-by-4.0, cc0, interne…"
    )
    parser.add_argument("--producer", help="producteur des données (service, collectivité)")
    parser.add_argument("--theme", help="thème (par exemple « Mobilité »)")
    parser.add_argument("--keywords", help="mots-clés séparés par des virgules")


def _card_options(parser) -> None:
    """What a dataset's card says beyond its title: the data's own date, what they cover, the unit
    and meaning of each column (shared by ``new`` and ``edit``)."""
    parser.add_argument(
        "--updated", help="date de mise à jour des données elles-mêmes (jj/mm/aaaa ou aaaa-mm-jj)"
    )
    parser.add_argument("--spatial", help="territoire couvert (par exemple « Nantes Métropole »)")
    parser.add_argument("--temporal", help="période couverte (par exemple « 2019–2023 »)")
    parser.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="COLONNE=UNITÉ",
        help='unité d’une colonne (répétable) : --unit "montant=euros"',
    )
    parser.add_argument(
        "--column-description",
        action="append",
        default=[],
        metavar="COLONNE=TEXTE",
        help="ce que contient une colonne (répétable)",
    )


def _help(parser) -> int:
    parser.print_help()
    return 2


def _reading_options(parser) -> None:
    parser.add_argument("--sheet", help="feuille du classeur à lire")
    parser.add_argument("--encoding", help="encodage (utf-8, cp1252…)")
    parser.add_argument("--separator", help="séparateur (; , tab |)")
    parser.add_argument(
        "--header-row", type=int, help="numéro de la ligne d’en-tête (1 = première)"
    )


def _options(args) -> ReadOptions:
    separator = getattr(args, "separator", None)
    if separator in ("tab", "\\t", "tabulation"):
        separator = "\t"
    header = getattr(args, "header_row", None)
    if header is not None and header < 1:
        raise messages.error("dataset_cli.bad_header_row", value=header)
    return ReadOptions(
        encoding=getattr(args, "encoding", None),
        separator=separator,
        header_row=header - 1 if header else None,
        sheet=getattr(args, "sheet", None),
    )


# ============================================================================ inspect
def _read_path(path: Path, options: ReadOptions | None = None) -> tuple[ReadResult, Path]:
    if path.is_dir():
        from labkit.data import datapackage

        descriptor = datapackage.read_descriptor(path)
        resource = datapackage.first_resource(descriptor, path)
        data_path = datapackage._data_path(path, resource)
        return datapackage.read_resource(data_path, resource), data_path
    if not path.is_file():
        raise messages.error("dataset_cli.no_file", path=str(path))
    size = path.stat().st_size
    limit = (options or ReadOptions()).max_bytes
    if size > limit:  # refuse before reading a huge file into memory
        raise messages.error(
            "reader.too_large",
            name=path.name,
            size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
            max=f"{limit / 1024 / 1024:.1f}".replace(".", ","),
        )
    return read_table(path.read_bytes(), path.name, options), path


def inspect_quality(frame, target: str | None = None, schema: dict | None = None) -> dict:
    """The quality report of module 04 as plain values: ``{score, findings: [{kind, columns,
    count, message}]}`` (``score`` is ``None`` and ``error`` says why when it cannot be made)."""
    from labkit.prepare import quality

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = quality.assess(frame, target=target, schema=schema)
    except DatalabError as error:
        return {"score": None, "findings": [], "error": error.message}
    return {
        "score": int(report.score),
        "scores": {k: (None if v is None else round(float(v))) for k, v in report.scores.items()},
        "findings": [
            {
                "kind": f.kind,
                "columns": [str(c) for c in f.columns],
                "count": int(f.count),
                "message": f.message,
                "severity": f.severity,
            }
            for f in report.findings
        ],
    }


def inspect_summary(
    path: Path | str, options: ReadOptions | None = None, target: str | None = None
) -> dict[str, Any]:
    """What ``datalab dataset inspect --json`` prints: the detection, a summary of the table and
    its quality report (``target``: the column to predict, for the leak checks)."""
    result, data_path = _read_path(Path(path), options)
    detection, frame = result.detection, result.frame
    if target is not None and target not in frame.columns:
        raise messages.error(
            "dataset_cli.unknown_target", target=target, columns=", ".join(map(str, frame.columns))
        )
    schema = None
    if Path(path).is_dir():
        from labkit.data import datapackage

        resource = datapackage.first_resource(datapackage.read_descriptor(Path(path)), Path(path))
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            schema = None  # a malformed schema: `dataset check` says what is wrong with it
    return {
        "file": str(data_path),
        "format": detection.format,
        "encoding": detection.encoding,
        "separator": detection.separator,
        "quote": detection.quote,
        "decimal": detection.decimal,
        "thousands": detection.thousands,
        "date_format": detection.date_format,
        "header_row": detection.header_row + 1,
        "sheet": detection.sheet,
        "sheets": detection.sheets,
        "rows": int(len(frame)),
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "missing": int(c.missing),
                "unit": c.unit,
                "date_format": c.date_format,
                "examples": c.examples,
            }
            for c in detection.columns
        ],
        "warnings": list(detection.warnings),
        "quality": inspect_quality(frame, target, schema),
    }


def run_inspect(args) -> int:
    with warnings.catch_warnings():  # library warnings are for developers, not in a terminal
        warnings.simplefilter("ignore")
        summary = inspect_summary(args.path, _options(args), getattr(args, "target", None))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        return 0
    print(format_summary(summary))
    return 0


def format_summary(summary: dict[str, Any]) -> str:
    """The inspection in plain French, for a terminal."""
    t = messages.text
    lines = [t("dataset_cli.file", path=summary["file"], format=summary["format"].upper())]
    if summary["format"] == "csv":
        lines.append(t("dataset_cli.encoding", value=summary["encoding"]))
        lines.append(t("dataset_cli.separator", value=separator_label(summary["separator"])))
    else:
        sheets = ", ".join(summary["sheets"])
        lines.append(t("dataset_cli.sheet", value=summary["sheet"], sheets=sheets))
    lines.append(t("dataset_cli.header_row", value=summary["header_row"]))
    lines.append(t("dataset_cli.decimal", value=decimal_label(summary["decimal"])))
    lines.append(t("dataset_cli.thousands", value=thousands_label(summary["thousands"])))
    lines.append(t("dataset_cli.date_format", value=date_format_label(summary["date_format"])))
    lines.append(t("dataset_cli.size", rows=summary["rows"], columns=len(summary["columns"])))
    width = max((len(c["name"]) for c in summary["columns"]), default=10)
    lines.append(t("dataset_cli.columns"))
    for column in summary["columns"]:
        kind = type_label(column["type"])
        unit = f" ({column['unit']})" if column["unit"] else ""
        missing = t("dataset_cli.missing", count=column["missing"]) if column["missing"] else ""
        lines.append(f"  {column['name']:<{width}}  {kind}{unit}{missing}")
    if summary["warnings"]:
        lines.append(t("dataset_cli.warnings"))
        lines.extend(f"  - {w}" for w in summary["warnings"])
    return "\n".join(lines)


# ============================================================================ check
def run_check(args) -> int:
    from labkit.data import datapackage

    failed = 0
    for value in args.folders:
        folder = Path(value)
        if not folder.exists() and re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            folder = paths.datasets_dir() / value
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problems = datapackage.check_dataset_folder(folder)
        if problems:
            failed += 1
            print(messages.text("dataset_cli.check_failed", folder=folder, count=len(problems)))
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(messages.text("dataset_cli.check_ok", folder=folder))
    return 1 if failed else 0


# ============================================================================ new
def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return value[:60] or "jeu_de_donnees"


def _ask(label: str, default: str | None, interactive: bool) -> str | None:
    if not interactive:
        return default
    shown = f" [{default}]" if default else ""
    try:
        answer = input(f"{label}{shown} : ").strip()
    except EOFError:
        return default
    return answer or default


def data_date(value: str | None) -> str | None:
    """The data's own date as ISO (``2024-01-08``) from ``08/01/2024`` or ``2024-01-08``."""
    if not value or not value.strip():
        return None
    text = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return _dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise messages.error("dataset_cli.bad_updated", value=text[:40])


def known_theme(value: str | None, existing: list[str]) -> str:
    """An existing theme when ``value`` names it whatever its accents and capitals, else the
    value itself (a new theme)."""
    if not value or not value.strip():
        return ""
    from labkit.data.catalogue import fold

    wanted = fold(value)
    return next((t for t in existing if fold(t) == wanted), " ".join(value.split()))


def column_notes(pairs: list[str], columns: list[str], option: str) -> dict[str, str]:
    """``["montant=euros", …]`` as ``{"montant": "euros"}``, each column checked."""
    notes: dict[str, str] = {}
    for pair in pairs:
        column, sep, text = pair.partition("=")
        column, text = column.strip(), text.strip()
        if not sep or not column or not text:
            raise messages.error("dataset_cli.bad_column_note", option=option, value=pair[:80])
        if column not in columns:
            raise messages.error(
                "dataset_cli.unknown_column_note",
                option=option,
                column=column,
                columns=", ".join(map(str, columns)),
            )
        notes[column] = text
    return notes


def _card(args, columns: list[str], interactive: bool, existing_themes: list[str]) -> dict:
    """The card options (``_card_options``) as descriptor updates and per-column notes."""
    updated = data_date(
        _ask(
            messages.text("dataset_cli.ask_updated"),
            args.updated,
            interactive and not args.updated,
        )
    )
    coverage = {
        key: value
        for key, value in (("spatial", args.spatial), ("temporal", args.temporal))
        if value and value.strip()
    }
    return {
        "updated": updated,
        "coverage": coverage,
        "units": column_notes(args.unit, columns, "--unit"),
        "descriptions": column_notes(args.column_description, columns, "--column-description"),
    }


def _apply_card(descriptor: dict, card: dict) -> None:
    """Put the card's date, coverage and column notes into a descriptor."""
    if card["updated"]:
        descriptor["updated"] = card["updated"]
    if card["coverage"]:
        descriptor["coverage"] = {**(descriptor.get("coverage") or {}), **card["coverage"]}
    for resource in descriptor.get("resources") or []:
        for field in (resource.get("schema") or {}).get("fields") or []:
            name = field.get("name")
            if name in card["units"]:
                field["unit"] = card["units"][name]
            if name in card["descriptions"]:
                field["description"] = card["descriptions"][name]


def _say_theme(theme: str, existing: list[str]) -> None:
    if theme and theme not in existing:
        print(
            messages.text(
                "dataset_cli.new_theme", theme=theme, themes=", ".join(existing) or "aucun"
            )
        )


def licence_entry(value: str | None) -> dict[str, str]:
    """A ``licenses`` entry from a short name (``etalab-2.0``, ``odbl``…) or free text."""
    if not value:
        return {"name": "notspecified", "title": messages.text("dataset_cli.no_licence_title")}
    key = value.strip().lower()
    if key in LICENCES:
        name, title, url = LICENCES[key]
        entry = {"name": name, "title": title}
        if url:
            entry["path"] = url
        return entry
    return {"name": slug(value).replace("_", "-"), "title": value.strip()}


def infer_field(column, frame, detection) -> dict[str, Any]:
    """A Table Schema field for one read column, written so that frictionless reads the original
    file the same way (decimal and group marks, units, date formats)."""
    name = column.name
    values = frame[name]
    examples = ", ".join(f"« {e} »" for e in column.examples[:3])
    spec: dict[str, Any] = {
        "name": name,
        "type": "string",
        "title": name.replace("_", " ").strip().capitalize(),
        "description": messages.text(
            "dataset_cli.field_description", type=type_label(column.type), examples=examples or "—"
        ),
    }
    is_csv = detection.format == "csv"
    if column.type in ("integer", "number"):
        spec["type"] = column.type
        if column.unit:
            spec["unit"] = column.unit
        if is_csv:
            if detection.decimal != ".":
                spec["decimalChar"] = detection.decimal
            if detection.thousands:
                spec["type"] = "number"  # Table Schema integers have no group mark
                spec["groupChar"] = detection.thousands
            if column.unit:
                spec["bareNumber"] = False
    elif column.type == "date":
        fmt = column.date_format
        has_time = bool(fmt and "%H" in fmt) or (
            not is_csv and (values.dropna().dt.normalize() != values.dropna()).any()
        )
        spec["type"] = "datetime" if has_time else "date"
        if is_csv and fmt:
            spec["format"] = fmt
        elif not is_csv:
            spec["format"] = "any"
    elif column.type == "boolean":
        spec["type"] = "boolean"
        if is_csv:
            spec["trueValues"] = ["true", "True", "TRUE", "vrai", "Vrai", "VRAI"]
            spec["falseValues"] = ["false", "False", "FALSE", "faux", "Faux", "FAUX"]
    return spec


def _defects_from_quality(frame, target: str | None) -> list[dict[str, Any]]:
    """The quality findings of module 04 as documented defects (best effort)."""
    try:
        from labkit.data.datapackage import DEFECT_KINDS
        from labkit.prepare import quality

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = quality.assess(frame, target=target)
    except Exception:  # noqa: BLE001 - the dataset is made without them
        return []
    defects = []
    for finding in report.findings:
        if finding.kind not in DEFECT_KINDS:
            continue
        entry: dict[str, Any] = {"kind": finding.kind, "columns": list(finding.columns)}
        rows = [int(r) for r in finding.rows if isinstance(r, int) and 0 <= r < len(frame)]
        if rows and len(rows) == finding.count and len(rows) <= MAX_DOCUMENTED_ROWS:
            entry["rows"] = rows
        entry["count"] = int(finding.count)
        entry["description"] = finding.message
        defects.append(entry)
    return defects


def _task_of(frame, target: str) -> str:
    values = frame[target].dropna()
    if values.dtype.kind in "fi" and values.nunique() > 10:
        return "regression"
    return "classification"


def run_new(args) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise messages.error("dataset_cli.no_file", path=str(source))
    result, _ = _read_path(source, _options(args))
    detection, frame = result.detection, result.frame
    interactive = sys.stdin.isatty()
    if interactive:
        print(messages.text("dataset_cli.new_intro", name=source.name, rows=len(frame)))
    title = _ask(messages.text("dataset_cli.ask_title"), args.title or source.stem, interactive)
    title = (title or source.stem).strip()
    default_description = messages.text(
        "dataset_cli.default_description", name=source.name, date=_dt.date.today().isoformat()
    )
    description = _ask(
        messages.text("dataset_cli.ask_description"),
        args.description or default_description,
        interactive and not args.description,
    )
    producer = _ask(
        messages.text("dataset_cli.ask_producer"), args.producer, interactive and not args.producer
    )
    licence = _ask(
        messages.text("dataset_cli.ask_licence"), args.licence, interactive and not args.licence
    )
    from labkit.data.catalogue import themes

    existing_themes = themes()
    theme = _ask(
        messages.text("dataset_cli.ask_theme", themes=", ".join(existing_themes) or "aucun"),
        args.theme,
        interactive and not args.theme,
    )
    theme = known_theme(theme, existing_themes)
    keywords = _ask(
        messages.text("dataset_cli.ask_keywords"), args.keywords, interactive and not args.keywords
    )
    target = _ask(
        messages.text("dataset_cli.ask_target"), args.target, interactive and not args.target
    )
    if target and target not in frame.columns:
        raise messages.error(
            "dataset_cli.unknown_target", target=target, columns=", ".join(map(str, frame.columns))
        )

    card = _card(args, [str(c) for c in frame.columns], interactive, existing_themes)

    dataset_id = args.dataset_id or slug(title)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}", dataset_id):
        raise messages.error("dataset_cli.bad_id", value=dataset_id)
    dest = Path(args.dest) if args.dest else paths.datasets_dir() / dataset_id
    if dest.exists():
        if not args.force:
            raise messages.error("dataset_cli.exists", path=str(dest))
        if not (dest / "datapackage.json").is_file():
            raise messages.error("dataset_cli.not_a_dataset", path=str(dest))
    metadata: dict[str, Any] = {
        "name": slug(dataset_id).replace("_", "-"),
        "title": title,
        "description": description or default_description,
        "keywords": [k.strip() for k in (keywords or "").split(",") if k.strip()],
        "theme": theme or "",
        "producer": producer or "",
        "licenses": [licence_entry(licence)],
        "sources": [{"title": messages.text("dataset_cli.source_title", name=source.name)}],
    }
    extra = {
        "suggested_targets": [{"column": target, "task": _task_of(frame, target)}]
        if target
        else [],
        "drivers": {},
        "group_columns": [],
        "defects": _defects_from_quality(frame, target),
    }
    problems = _write_package(source, dest, detection, frame, metadata, extra, args.force, card)
    if problems:
        print(messages.text("dataset_cli.refused", path=str(dest), count=len(problems)))
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        messages.text(
            "dataset_cli.created", path=str(dest), rows=len(frame), columns=frame.shape[1]
        )
    )
    _say_theme(theme, existing_themes)
    if not licence:
        print(messages.text("dataset_cli.licence_reminder"))
    if not card["updated"]:
        print(messages.text("dataset_cli.updated_reminder", folder=dest))
    print(messages.text("dataset_cli.check_ok", folder=dest))
    if dest.resolve().parent == paths.datasets_dir().resolve():
        print(messages.text("dataset_cli.next_steps", id=dest.name))
    else:
        print(messages.text("dataset_cli.next_steps_elsewhere", folder=paths.datasets_dir()))
    return 0


PLAIN_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"}
LEFTOVER_SECONDS = 5 * 60  # a hidden work folder older than this belongs to a killed run
_PARTIAL_RE = re.compile(r"^\..+-[A-Za-z0-9_]+\.partiel$")  # tempfile.mkdtemp's name
_OLD_RE = re.compile(r"^\.(?P<name>.+)-[0-9]+\.ancien$")  # the package replaced by --force


def clean_leftovers(folder: Path, *, older_than: float = LEFTOVER_SECONDS) -> None:
    """Tidy what a killed ``dataset new`` left in ``folder``: its hidden work folders
    (``.<name>-….partiel``, older than a few minutes, so that a run still going is left alone) are
    removed; a package it was replacing with ``--force`` (``.<name>-<pid>.ancien``) is put back
    when nothing took its place, removed otherwise."""
    if not folder.is_dir():
        return
    limit = time.time() - older_than
    for path in folder.iterdir():
        try:
            if not path.is_dir() or path.is_symlink() or path.stat().st_mtime >= limit:
                continue
            old = _OLD_RE.match(path.name)
            if old and not (folder / old["name"]).exists():
                os.replace(path, folder / old["name"])
            elif old or _PARTIAL_RE.match(path.name):
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue  # someone else's folder, or gone meanwhile: never fatal


def run_edit(args) -> int:
    """Complete an existing dataset's card: the descriptor is changed in a copy of the folder,
    checked, then put in place (a refused or interrupted edit changes nothing)."""
    from labkit.data import datapackage
    from labkit.data.catalogue import themes

    folder = Path(args.folder)
    if not folder.exists() and re.fullmatch(r"[A-Za-z0-9_.-]+", args.folder):
        folder = paths.datasets_dir() / args.folder
    if not (folder / "datapackage.json").is_file():
        raise messages.error("dataset_cli.not_a_dataset", path=str(folder))
    descriptor = datapackage.read_descriptor(folder)
    columns = [
        str(f.get("name"))
        for r in descriptor.get("resources") or []
        if isinstance(r, dict)
        for f in (r.get("schema") or {}).get("fields") or []
        if isinstance(f, dict)
    ]
    existing_themes = themes()
    card = _card(args, columns, False, existing_themes)
    changes = {
        "title": args.title,
        "description": args.description,
        "producer": args.producer,
    }
    for key, value in changes.items():
        if value and value.strip():
            descriptor[key] = value.strip()
    theme = known_theme(args.theme, existing_themes)
    if theme:
        descriptor["theme"] = theme
    if args.keywords:
        descriptor["keywords"] = [k.strip() for k in args.keywords.split(",") if k.strip()]
    if args.licence:
        descriptor["licenses"] = [licence_entry(args.licence)]
    _apply_card(descriptor, card)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}-", suffix=".partiel", dir=folder.parent)
    )
    try:
        shutil.copytree(folder, staging, dirs_exist_ok=True)
        (staging / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problems = datapackage.check_dataset_folder(staging)
        if problems:
            print(messages.text("dataset_cli.edit_refused", path=str(folder), count=len(problems)))
            for problem in problems:
                print(f"  - {problem.replace(staging.name, folder.name)}")
            return 1
        os.replace(staging / "datapackage.json", folder / "datapackage.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _say_theme(theme, existing_themes)
    print(messages.text("dataset_cli.edited", path=str(folder)))
    return 0


def _write_package(
    source, dest, detection, frame, metadata, extra, force, card: dict | None = None
) -> list[str]:
    """Write the package into a hidden folder beside ``dest``, check it, and move it into place
    only when it passes ``dataset check``: an interrupted or refused run leaves nothing behind.

    The data file is first kept as it is; a file the checker would not read as Datalab did
    (duplicate or empty column names, marks that differ between columns, quotes…) or a reading
    that changed the text (mixed encodings, repaired accents, a legacy encoding) is written again
    as a plain UTF-8 CSV of the table as read. Returns the problems when even that fails."""
    from labkit.data import datapackage

    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(dest.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", suffix=".partiel", dir=dest.parent))
    try:
        must_rewrite = detection.format == "csv" and (
            detection.encoding not in PLAIN_ENCODINGS or detection.repaired
        )
        attempts = [True] if must_rewrite else [False, True]
        problems: list[str] = []
        for rewrite in attempts:
            for child in staging.iterdir():
                child.unlink()
            resource = _resource(source, staging, detection, frame, rewrite=rewrite)
            package = {**metadata, "resources": [resource], **extra}
            if card is not None:
                _apply_card(package, card)
            (staging / "datapackage.json").write_text(
                json.dumps(package, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problems = datapackage.check_dataset_folder(staging)
            problems = [p.replace(staging.name, dest.name) for p in problems]
            if not problems:
                break
        if problems:
            return problems
        if dest.exists() and force:
            old = dest.with_name(f".{dest.name}-{os.getpid()}.ancien")
            os.replace(dest, old)
            os.replace(staging, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, dest)
        return []
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _resource(source: Path, dest: Path, detection, frame, *, rewrite: bool = False) -> dict:
    """Write the data into ``dest`` and describe it. CSV and .xlsx files are kept as they are (with
    their French formats); an .ods file, or any file when ``rewrite``, is written as a plain UTF-8
    CSV of the table as read, which every Data Package tool reads."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", source.name).strip("_") or "donnees.csv"
    if detection.format == "ods" or rewrite:
        safe_name = Path(safe_name).stem + ".csv"
        data = _plain_csv(frame)
        (dest / safe_name).write_bytes(data)
        converted = read_table(data, safe_name)
        detection, frame = converted.detection, converted.frame
    else:
        shutil.copyfile(source, dest / safe_name)
    fields = [infer_field(c, frame, detection) for c in detection.columns]
    _group_marks(fields, frame, detection)
    resource: dict[str, Any] = {
        "name": slug(Path(safe_name).stem).replace("_", "-"),
        "path": safe_name,
        "format": detection.format,
        "schema": {"fields": fields, "missingValues": FRICTIONLESS_MISSING},
    }
    if detection.format == "csv":
        encoding = detection.encoding if detection.encoding != "utf-8+cp1252" else "utf-8"
        resource["mediatype"] = "text/csv"
        resource["encoding"] = encoding
        dialect: dict[str, Any] = {"delimiter": detection.separator}
        if detection.header_row:
            dialect["headerRows"] = [detection.header_row + 1]
        if detection.quote and detection.quote != '"':
            dialect["quoteChar"] = detection.quote
        resource["dialect"] = dialect
    else:
        resource["mediatype"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        resource["dialect"] = {
            "headerRows": [detection.header_row + 1],
            "excel": {"sheet": detection.sheet},
        }
    return resource


def _plain_csv(frame) -> bytes:
    """The table as a plain CSV (comma, decimal point, ISO dates, UTF-8)."""
    with_time = any(
        (frame[c].dropna().dt.normalize() != frame[c].dropna()).any()
        for c in frame.columns
        if frame[c].dtype.kind == "M"
    )
    date_format = "%Y-%m-%dT%H:%M:%S" if with_time else "%Y-%m-%d"
    return frame.to_csv(index=False, date_format=date_format).encode("utf-8")


def _group_marks(fields: list[dict], frame, detection) -> None:
    """A CSV's thousands mark is detected for the whole file, but columns may differ (« 1.234,50 »
    here, « 10 500 » there): give each number column the mark its own values use, or none."""
    if detection.format != "csv" or not detection.thousands:
        return
    raw = {c.name: c.examples for c in detection.columns}
    for spec in fields:
        if spec.get("groupChar") is None:
            continue
        examples = [str(e) for e in raw.get(spec["name"], [])]
        marks = {m for e in examples for m in (" ", "\u00a0", "\u202f", ".", ",") if m in e}
        marks.discard(detection.decimal)
        if marks and detection.thousands not in marks:
            spec["groupChar"] = sorted(marks)[0]
        elif not marks:
            spec.pop("groupChar")


__all__ = ["inspect_summary", "register", "run_check", "run_inspect", "run_new"]
