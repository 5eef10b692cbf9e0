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
import re
import sys
from pathlib import Path
from typing import Any

from labkit import messages, paths
from labkit.course import authoring
from labkit.data import datapackage, labels, reader
from labkit.data.catalogue import themes
from labkit.data.reader import ReadOptions, ReadResult
from labkit.errors import DatalabError


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"dataset_cli.{key}", **fields)


def register(subparsers) -> None:
    parser = subparsers.add_parser("dataset", help=_t("help"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    inspect = actions.add_parser("inspect", help=_t("inspect_help"))
    inspect.add_argument("path", help=_t("inspect_path_help"))
    inspect.add_argument("--json", action="store_true", help=_t("json_help"))
    inspect.add_argument("--target", help=_t("inspect_target_help"))
    _reading_options(inspect)
    inspect.set_defaults(handler=run_inspect)

    check = actions.add_parser("check", help=_t("check_help"))
    check.add_argument("folders", nargs="+", metavar="DIR", help=_t("folder_help"))
    check.set_defaults(handler=run_check)

    new = actions.add_parser("new", help=_t("new_help"))
    new.add_argument("file", help=_t("new_file_help"))
    new.add_argument("--dest", help=_t("dest_help"))
    new.add_argument("--id", dest="dataset_id", help=_t("id_help"))
    _describe_options(new)
    new.add_argument("--target", help=_t("new_target_help"))
    _card_options(new)
    new.add_argument("--force", action="store_true", help=_t("force_help"))
    _reading_options(new)
    new.set_defaults(handler=run_new)

    edit = actions.add_parser("edit", help=_t("edit_help"))
    edit.add_argument("folder", metavar="DIR", help=_t("folder_help"))
    _describe_options(edit)
    _card_options(edit)
    edit.set_defaults(handler=run_edit)

    parser.set_defaults(handler=lambda args: _help(parser))


def _describe_options(parser) -> None:
    """Title, description, licence, producer, theme and keywords (``new`` and ``edit``)."""
    parser.add_argument("--title", help=_t("title_help"))
    parser.add_argument("--description", help=_t("description_help"))
    parser.add_argument("--licence", help=_t("licence_help"))
    parser.add_argument("--producer", help=_t("producer_help"))
    parser.add_argument("--theme", help=_t("theme_help"))
    parser.add_argument("--keywords", help=_t("keywords_help"))


def _card_options(parser) -> None:
    """What a dataset's card says beyond its title: the data's own date, what they cover, the unit
    and meaning of each column (shared by ``new`` and ``edit``)."""
    parser.add_argument("--updated", help=_t("updated_help"))
    parser.add_argument("--spatial", help=_t("spatial_help"))
    parser.add_argument("--temporal", help=_t("temporal_help"))
    parser.add_argument(
        "--unit", action="append", default=[], metavar=_t("unit_metavar"), help=_t("unit_help")
    )
    parser.add_argument(
        "--column-description",
        action="append",
        default=[],
        metavar=_t("column_description_metavar"),
        help=_t("column_description_help"),
    )
    parser.add_argument(
        "--kind", action="append", default=[], metavar=_t("kind_metavar"), help=_t("kind_help")
    )


def _help(parser) -> int:
    parser.print_help()
    return 2


def _reading_options(parser) -> None:
    parser.add_argument("--sheet", help=_t("sheet_help"))
    parser.add_argument("--encoding", help=_t("encoding_help"))
    parser.add_argument("--separator", help=_t("separator_help"))
    parser.add_argument("--header-row", type=int, help=_t("header_row_help"))


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
def read_path(
    path: Path, options: ReadOptions | None = None, *, missing: str = "dataset_cli.no_file"
) -> tuple[ReadResult, Path, dict | None]:
    """A file, or a dataset folder's data file read through its Data Package (``options`` apply
    to a file only): what was read, the data file, and the Table Schema the folder declares (or
    ``None``). A missing file (message ``missing``) or a file too large is refused in French before
    anything is read. ``datalab dataset`` and ``datalab train`` read their input with it."""
    if path.is_dir():
        from labkit.data import datapackage

        descriptor = datapackage.read_descriptor(path)
        resource = datapackage.first_resource(descriptor, path)  # checked: a French refusal
        data_path = datapackage._data_path(path, resource)
        schema = resource.get("schema")
        result = datapackage.read_resource(data_path, resource)
        return result, data_path, schema if isinstance(schema, dict) else None
    if not path.is_file():
        raise messages.error(missing, path=str(path))
    size = path.stat().st_size
    limit = (options or ReadOptions()).max_bytes
    if size > limit:  # refuse before reading a huge file into memory
        raise messages.error(
            "reader.too_large",
            name=path.name,
            size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
            max=f"{limit / 1024 / 1024:.1f}".replace(".", ","),
        )
    return reader.read_table(path.read_bytes(), path.name, options), path, None


def inspect_quality(frame, target: str | None = None, schema: dict | None = None) -> dict:
    """The quality report of module 04 as plain values: ``{score, findings: [{kind, columns,
    count, message}]}`` (``score`` is ``None`` and ``error`` says why when it cannot be made)."""
    from labkit.prepare import quality

    try:
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
    result, data_path, schema = read_path(Path(path), options)
    detection, frame = result.detection, result.frame
    if target is not None and target not in frame.columns:
        raise messages.error(
            "dataset_cli.unknown_target", target=target, columns=", ".join(map(str, frame.columns))
        )
    fields = schema.get("fields") if schema is not None else None
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        schema = None  # none, or a malformed one: `dataset check` says what is wrong with it
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
    summary = inspect_summary(args.path, _options(args), getattr(args, "target", None))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        return 0
    print(format_summary(summary))
    return 0


def format_summary(summary: dict[str, Any]) -> str:
    """The inspection in plain French, for a terminal."""
    lines = [_t("file", path=summary["file"], format=summary["format"].upper())]
    if summary["format"] == "csv":
        lines.append(_t("encoding", value=summary["encoding"]))
        lines.append(_t("separator", value=labels.separator_label(summary["separator"])))
    else:
        sheets = ", ".join(summary["sheets"])
        lines.append(_t("sheet", value=summary["sheet"], sheets=sheets))
    lines.append(_t("header_row", value=summary["header_row"]))
    lines.append(_t("decimal", value=labels.decimal_label(summary["decimal"])))
    lines.append(_t("thousands", value=labels.thousands_label(summary["thousands"])))
    lines.append(_t("date_format", value=labels.date_format_label(summary["date_format"])))
    lines.append(_t("size", rows=summary["rows"], columns=len(summary["columns"])))
    width = max((len(c["name"]) for c in summary["columns"]), default=10)
    lines.append(_t("columns"))
    for column in summary["columns"]:
        kind = labels.type_label(column["type"])
        unit = f" ({column['unit']})" if column["unit"] else ""
        missing = _t("missing", count=column["missing"]) if column["missing"] else ""
        lines.append(f"  {column['name']:<{width}}  {kind}{unit}{missing}")
    if summary["warnings"]:
        lines.append(_t("warnings"))
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
        problems = datapackage.check_dataset_folder(folder)
        if problems:
            failed += 1
            print(_t("check_failed", folder=folder, count=len(problems)))
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(_t("check_ok", folder=folder))
    return 1 if failed else 0


# ============================================================================ new
def _ask(label: str, default: str | None, interactive: bool) -> str | None:
    if not interactive:
        return default
    shown = f" [{default}]" if default else ""
    try:
        answer = input(f"{label}{shown} : ").strip()
    except EOFError:
        return default
    return answer or default


def _say_written(written: authoring.Written, existing: list[str]) -> None:
    if written.new_theme:
        print(_t("new_theme", theme=written.theme, themes=", ".join(existing) or _t("no_themes")))
    if written.learnability is not None:
        print(written.learnability.message)
    else:
        print(messages.text("authoring.learn_none"))


def _card(args, *, interactive: bool = False, title=None, description=None) -> authoring.Card:
    """The card options (``_describe_options`` and ``_card_options``) as an authoring card; in a
    terminal, what was not given as an option is asked for."""

    def ask(key: str, given: str | None, **values: Any) -> str | None:
        return _ask(_t(f"ask_{key}", **values), given, interactive and not given)

    existing = ", ".join(themes()) or _t("no_themes")
    return authoring.Card(
        title=title if title is not None else args.title,
        description=description if description is not None else args.description,
        producer=ask("producer", args.producer),
        licence=ask("licence", args.licence),
        theme=ask("theme", args.theme, themes=existing),
        keywords=ask("keywords", args.keywords),
        updated=args.updated,
        spatial=args.spatial,
        temporal=args.temporal,
        units=_notes(args.unit, "--unit"),
        descriptions=_notes(args.column_description, "--column-description"),
        kinds={
            column: datapackage.kind_from_text(kind)
            for column, kind in _notes(args.kind, "--kind").items()
        },
    )


def _notes(pairs: list[str], option: str) -> dict[str, str]:
    """``["montant=euros", …]`` as ``{"montant": "euros"}`` (columns checked by the card)."""
    notes: dict[str, str] = {}
    for pair in pairs:
        column, sep, text = pair.partition("=")
        if not sep or not column.strip() or not text.strip():
            raise messages.error("dataset_cli.bad_column_note", option=option, value=pair[:80])
        notes[column.strip()] = text.strip()
    return notes


def run_new(args) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise messages.error("dataset_cli.no_file", path=str(source))
    read, _, _ = read_path(source, _options(args))
    interactive = sys.stdin.isatty()
    if interactive:
        print(_t("new_intro", name=source.name, rows=len(read.frame)))
    title = _ask(_t("ask_title"), args.title or source.stem, interactive)
    default_description = _t(
        "default_description", name=source.name, date=_dt.date.today().isoformat()
    )
    description = _ask(
        _t("ask_description"),
        args.description or default_description,
        interactive and not args.description,
    )
    card = _card(args, interactive=interactive, title=title, description=description)
    target = _ask(_t("ask_target"), args.target, interactive and not args.target)
    card.updated = _ask(_t("ask_updated"), args.updated, interactive and not args.updated)
    existing = themes()
    written = authoring.new_package(
        source,
        read,
        card,
        target=target,
        dataset_id=args.dataset_id,
        dest=Path(args.dest) if args.dest else None,
        force=args.force,
    )
    dest = written.folder
    if written.problems:
        print(_t("refused", path=str(dest), count=len(written.problems)))
        for problem in written.problems:
            print(f"  - {problem}")
        return 1
    print(_t("created", path=str(dest), rows=written.rows, columns=written.columns))
    _say_written(written, existing)
    if not card.licence:
        print(_t("licence_reminder"))
    if not card.updated:
        print(_t("updated_reminder", folder=dest))
    print(_t("check_ok", folder=dest))
    if dest.resolve().parent == paths.datasets_dir().resolve():
        print(_t("next_steps", id=dest.name))
    else:
        print(_t("next_steps_elsewhere", folder=paths.datasets_dir()))
    return 0


def run_edit(args) -> int:
    """Complete an existing dataset's card (see :func:`labkit.course.authoring.edit_package`)."""
    folder = Path(args.folder)
    if not folder.exists() and re.fullmatch(r"[A-Za-z0-9_.-]+", args.folder):
        folder = paths.datasets_dir() / args.folder
    existing = themes()
    written = authoring.edit_package(folder, _card(args))
    if written.problems:
        print(_t("edit_refused", path=str(folder), count=len(written.problems)))
        for problem in written.problems:
            print(f"  - {problem}")
        return 1
    _say_written(written, existing)
    print(_t("edited", path=str(folder)))
    return 0


__all__ = ["inspect_summary", "register", "run_check", "run_edit", "run_inspect", "run_new"]
