"""The bundled datasets: one folder of ``datasets/`` per dataset, each a Frictionless Data Package.

A folder counts as a dataset as soon as it holds a ``datapackage.json`` (so a dataset a facilitator
adds, for instance with ``datalab dataset new``, is found without any code change). Besides the
standard keys (``title``, ``description``, ``keywords``, ``licenses``, ``sources``, ``resources``
with a Table Schema), Datalab reads these custom keys:

- ``theme``, ``producer``, ``coverage`` (``spatial``, ``temporal``), ``updated`` (ISO date);
- ``simulated`` (true for generated data) and ``generator`` (the generator's path);
- ``suggested_targets``: ``[{"column", "task": "classification" | "regression"}]``;
- ``drivers``: ``{target: [{"column", "effect"}]}``, the columns that drive each target and how;
- ``group_columns``: columns suitable for a bias audit;
- ``defects``: ``[{"kind", "columns", "rows", "count", "description"}]``, the deliberate quality
  defects; ``rows`` are 0-based positions in the table as loaded (header excluded), not the file
  rows its index holds (:mod:`labkit.data.rows`): ``table.index[rows]`` are those;
- ``dismissed_defects``: ``[{"kind", "columns"}]``, defects a facilitator removed from the card:
  module 04 no longer proposes to fix them;
- ``learnability``: ``{"target", "learnable", "message", "checked"}``, what ``datalab train``'s
  comparison said when the card was last saved (:func:`labkit.course.authoring.learnability`);
- on a schema field, ``kind``: what the column holds (:data:`labkit.data.kinds.COLUMN_KINDS`),
  read by the reader, the quality report and module 05.

``list_datasets()`` lists them (cheap: the data are not typed), ``load_dataset(id)`` reads one with
its table typed through :mod:`labkit.data.reader`, and ``check_dataset_folder(path)`` lists the problems
of a folder in French (an empty list means valid).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import warnings
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from labkit import messages, paths
from labkit.data import kinds
from labkit.data.decoding import decode
from labkit.data.labels import type_label
from labkit.data.reader import ReadOptions, ReadResult, read_table
from labkit.errors import DatalabError
from labkit.roomcache import shared

DESCRIPTOR = "datapackage.json"
DEFECT_KINDS = (
    "missing",
    "duplicates",
    "inconsistent_categories",
    "outliers",
    "wrong_type",
    "constant",
    "identifier",
    "leakage",
    "imbalance",
    "personal_data",
    "schema",
)
TASKS = ("classification", "regression")
SCHEMA_TYPES = {"string", "number", "integer", "date", "datetime", "boolean", "year", "time", "any"}
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
MAX_PROBLEM_ROWS = 5


# ============================================================================ data classes
@dataclass
class Described:
    """What a dataset's descriptor says of it (see :func:`_described`)."""

    id: str
    title: str
    description: str
    keywords: list[str]
    theme: str
    producer: str
    updated: str
    format: str
    simulated: bool
    defects: list[dict]
    suggested_targets: list[dict]
    path: Path


@dataclass
class DatasetInfo(Described):
    """What a catalogue card shows, read from the descriptor (the data are only counted)."""

    licence: str
    licence_url: str
    coverage: str
    rows: int | None
    columns: int
    fields: list[dict] = field(default_factory=list)  # the schema's fields (name, title…)
    learnability: dict = field(default_factory=dict)  # the suitability check of the last save

    @property
    def defect_kinds(self) -> list[str]:
        return sorted({d.get("kind", "") for d in self.defects if d.get("kind")})

    @property
    def learnability_warning(self) -> str:
        """French warning when the check run as the card was saved found that no model beats the
        naive reference (``""`` otherwise)."""
        found = self.learnability
        if found.get("learnable") is not False or not found.get("target"):
            return ""
        return messages.text("datapackage.learnability_warning", target=found["target"])


@dataclass
class Dataset(Described):
    """One dataset, its metadata and its typed table."""

    licences: list[dict]
    sources: list[dict]
    coverage: dict
    generator: str | None
    table: pd.DataFrame
    schema: dict
    drivers: dict[str, list[dict]]
    group_columns: list[str]
    data_path: Path
    descriptor: dict = field(repr=False, default_factory=dict)
    detection: Any = field(repr=False, default=None)

    @property
    def licence(self) -> str:
        return licence_title(self.licences)

    def field(self, name: str) -> dict | None:
        return next((f for f in self.schema.get("fields", []) if f.get("name") == name), None)

    def data_dictionary(self) -> list[dict[str, str]]:
        """One row per column: name, title, type (in French), unit, description."""

        types = self.detection.types if self.detection is not None else {}

        def header(part: str) -> str:
            return messages.text(f"datapackage.dictionary_{part}")

        rows = []
        for spec in self.schema.get("fields", []):
            name = spec.get("name", "")
            kind = types.get(name)
            rows.append(
                {
                    header("column"): name,
                    header("title"): spec.get("title", ""),
                    header("type"): type_label(kind) if kind else spec.get("type", ""),
                    header("unit"): spec.get("unit", ""),
                    header("description"): spec.get("description", ""),
                }
            )
        return rows


# ============================================================================ listing
def datasets_root(root: Path | None = None) -> Path:
    return Path(root) if root is not None else paths.datasets_dir()


def dataset_folders(root: Path | None = None) -> list[Path]:
    folder = datasets_root(root)
    if not folder.is_dir():
        return []
    return sorted(
        p.parent
        for p in folder.glob(f"*/{DESCRIPTOR}")
        if p.is_file() and not p.parent.name.startswith(".")  # hidden: being written
    )


def list_datasets(root: Path | None = None) -> list[DatasetInfo]:
    """Every dataset folder with a readable ``datapackage.json`` (broken ones are left out:
    ``datalab check`` reports them)."""
    infos = []
    for folder in dataset_folders(root):
        try:
            infos.append(dataset_info(folder))
        except DatalabError:
            continue
    return infos


def dataset_info(folder: Path) -> DatasetInfo:
    descriptor = read_descriptor(folder)
    resource = _first_resource(descriptor, folder)
    data_path = folder / str(resource.get("path", ""))
    fields = _fields(resource)
    licences = [x for x in _as_list(descriptor.get("licenses")) if isinstance(x, dict)]
    coverage = descriptor.get("coverage") or {}
    return DatasetInfo(
        **_described(folder, descriptor, resource),
        licence=licence_title(licences),
        licence_url=str((licences[0] or {}).get("path", "")) if licences else "",
        coverage=coverage_text(coverage),
        rows=count_rows(data_path, resource),
        columns=len(fields),
        fields=fields,
        learnability=_as_dict(descriptor.get("learnability")),
    )


def _described(folder: Path, descriptor: dict, resource: dict) -> dict[str, Any]:
    """The fields of :class:`Described` (shared by :class:`DatasetInfo` and :class:`Dataset`)."""
    return {
        "id": folder.name,
        "title": str(descriptor.get("title") or folder.name),
        "description": str(descriptor.get("description") or ""),
        "keywords": [str(k) for k in _as_list(descriptor.get("keywords"))],
        "theme": str(descriptor.get("theme") or ""),
        "producer": producer_of(descriptor),
        "updated": str(descriptor.get("updated") or ""),
        "format": resource_format(resource),
        "simulated": bool(descriptor.get("simulated")),
        "defects": [d for d in _as_list(descriptor.get("defects")) if isinstance(d, dict)],
        "suggested_targets": [
            t for t in _as_list(descriptor.get("suggested_targets")) if isinstance(t, dict)
        ],
        "path": folder,
    }


def read_descriptor(folder: Path) -> dict:
    path = Path(folder) / DESCRIPTOR
    if not path.is_file():
        raise messages.error("datapackage.no_descriptor", folder=str(folder))
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise messages.error(
            "datapackage.bad_json", folder=Path(folder).name, line=exc.lineno, detail=exc.msg
        ) from None
    except UnicodeDecodeError:
        raise messages.error(
            "datapackage.bad_json",
            folder=Path(folder).name,
            line="?",
            detail=messages.text("datapackage.not_utf8"),
        ) from None
    if not isinstance(value, dict):
        raise messages.error(
            "datapackage.bad_json",
            folder=Path(folder).name,
            line=1,
            detail=messages.text("datapackage.object_expected"),
        )
    return value


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _fields(resource: dict) -> list[dict]:
    """The schema's fields that are objects (a malformed schema gives none)."""
    return [
        f for f in _as_list(_as_dict(resource.get("schema")).get("fields")) if isinstance(f, dict)
    ]


def first_resource(descriptor: dict, folder: Path) -> dict:
    """The descriptor's first resource, or a French refusal when there is none."""
    return _first_resource(descriptor, folder)


def _first_resource(descriptor: dict, folder: Path) -> dict:
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources or not isinstance(resources[0], dict):
        raise messages.error("datapackage.no_resource", folder=Path(folder).name)
    return resources[0]


def producer_of(descriptor: dict) -> str:
    if descriptor.get("producer"):
        return str(descriptor["producer"])
    for contributor in _as_list(descriptor.get("contributors")):
        if isinstance(contributor, dict) and contributor.get("role") in ("publisher", "author"):
            return str(contributor.get("title") or "")
    return ""


def licence_title(licences: list) -> str:
    if not isinstance(licences, list) or not licences:
        return messages.text("datapackage.no_licence")
    first = licences[0] if isinstance(licences[0], dict) else {}
    return str(first.get("title") or first.get("name") or first.get("path") or "")


def coverage_text(coverage: Any) -> str:
    if isinstance(coverage, str):
        return coverage
    if not isinstance(coverage, dict):
        return ""
    parts = [str(coverage.get(k)) for k in ("spatial", "temporal") if coverage.get(k)]
    return " · ".join(parts)


def resource_format(resource: dict) -> str:
    declared = str(resource.get("format") or "").lower()
    if declared:
        return declared
    suffix = Path(str(resource.get("path", ""))).suffix.lower().lstrip(".")
    return suffix or "csv"


def count_rows(data_path: Path, resource: dict) -> int | None:
    """Number of data rows, without typing (cached by file date and size)."""
    try:
        stat = data_path.stat()
    except OSError:
        return None
    try:
        return _count_rows(str(data_path), stat.st_mtime_ns, stat.st_size, _options_key(resource))
    except Exception:  # noqa: BLE001 - a card shows "?" rather than failing
        return None


def _options_key(resource: dict) -> tuple:
    options = resource_options(resource)
    return (
        str(options.encoding or ""),
        str(options.separator or ""),
        (options.header_row + 1,),
        str(options.sheet or ""),
    )


@lru_cache(maxsize=256)
@shared(ignore=())  # a catalogue's spreadsheet takes a second to count: once per server
def _count_rows(path: str, _mtime: int, _size: int, key: tuple) -> int:
    encoding, delimiter, header_rows, sheet = key
    data = Path(path).read_bytes()
    if Path(path).suffix.lower() in (".xlsx", ".ods"):
        options = ReadOptions(header_row=header_rows[0] - 1, sheet=sheet or None)
        return len(read_table(data, Path(path).name, options).frame)
    text, _ = decode(data, encoding or None, [])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",")
    rows = [r for r in reader if any(c.strip() for c in r)]
    return max(0, len(rows) - header_rows[0])


# ============================================================================ loading
def dataset_path(dataset_id: str, root: Path | None = None) -> Path:
    if not isinstance(dataset_id, str) or not _ID_RE.match(dataset_id) or ".." in dataset_id:
        raise messages.error("datapackage.unknown", id=str(dataset_id)[:60], known=_known(root))
    folder = datasets_root(root) / dataset_id
    if not (folder / DESCRIPTOR).is_file():
        raise messages.error("datapackage.unknown", id=dataset_id, known=_known(root))
    return folder


def _known(root: Path | None) -> str:
    return ", ".join(f.name for f in dataset_folders(root)) or "aucun"


def load_dataset(dataset_id: str, root: Path | None = None) -> Dataset:
    """The dataset ``dataset_id`` (a folder name of ``datasets/``) with its typed table."""
    folder = dataset_path(dataset_id, root)
    descriptor = read_descriptor(folder)
    resource = _first_resource(descriptor, folder)
    data_path = _data_path(folder, resource)
    result = read_resource(data_path, resource)
    licences = [x for x in _as_list(descriptor.get("licenses")) if isinstance(x, dict)]
    return Dataset(
        **_described(folder, descriptor, resource),
        licences=licences,
        sources=[x for x in _as_list(descriptor.get("sources")) if isinstance(x, dict)],
        coverage=descriptor.get("coverage") if isinstance(descriptor.get("coverage"), dict) else {},
        generator=descriptor.get("generator"),
        table=result.frame,
        schema=resource.get("schema") or {"fields": []},
        drivers=descriptor.get("drivers") if isinstance(descriptor.get("drivers"), dict) else {},
        group_columns=[str(c) for c in _as_list(descriptor.get("group_columns"))],
        data_path=data_path,
        descriptor=descriptor,
        detection=result.detection,
    )


def _data_path(folder: Path, resource: dict) -> Path:
    value = resource.get("path")
    relative = value if isinstance(value, str) else ""
    if not isinstance(value, str):
        raise messages.error("datapackage.bad_path", folder=folder.name, path=str(value or "")[:80])
    candidate = (folder / relative).resolve()
    if not relative or "://" in relative or folder.resolve() not in candidate.parents:
        raise messages.error("datapackage.bad_path", folder=folder.name, path=relative)
    if not candidate.is_file():
        raise messages.error("datapackage.data_missing", folder=folder.name, path=relative)
    return candidate


def resource_options(resource: dict) -> ReadOptions:
    """Reader options from the resource's dialect and schema (encoding, separator, header line,
    sheet, decimal and group marks, a type per column)."""
    dialect = _as_dict(resource.get("dialect"))
    csv_dialect = _as_dict(dialect.get("csv"))
    fields = _fields(resource)

    def mark(key: str) -> str | None:
        value = next((f[key] for f in fields if f.get(key)), None)
        return value if isinstance(value, str) and len(value) == 1 else None

    dates = [f.get("format") for f in fields if f.get("type") == "date"]
    date_format = next((d for d in dates if isinstance(d, str) and d.startswith("%")), None)
    header_rows = dialect.get("headerRows", [1])
    try:
        header_row = int(header_rows[0]) - 1 if header_rows else 0
        if header_row < 0:
            raise ValueError
    except (TypeError, ValueError, IndexError, KeyError):
        raise messages.error("datapackage.bad_header_rows", value=str(header_rows)[:40]) from None
    sheet = _as_dict(dialect.get("excel")).get("sheet") or dialect.get("sheet")
    separator = dialect.get("delimiter") or csv_dialect.get("delimiter")
    encoding = resource.get("encoding")
    return ReadOptions(
        encoding=encoding if isinstance(encoding, str) and encoding else None,
        separator=separator if isinstance(separator, str) and len(separator) == 1 else None,
        header_row=header_row,
        decimal=mark("decimalChar"),
        thousands=mark("groupChar"),
        date_format=date_format,
        sheet=str(sheet) if sheet is not None else None,
    )


def read_resource(data_path: Path, resource: dict) -> ReadResult:
    """Read the resource's data: detected types, then the schema's types where the data allow
    (a column whose values break its declared type stays as read: that is a defect to find).

    A page reads the same dataset several times (its table, its checks): the result is kept for
    as long as the file and its description do not change, and each caller gets its own copy of
    the table."""
    stat = data_path.stat()
    key = (str(data_path), stat.st_mtime_ns, stat.st_size, json.dumps(resource, sort_keys=True))
    result = _READ_CACHE.get(key)
    if result is None:
        result = _read_resource(data_path, resource)
        while len(_READ_CACHE) >= 8:  # the oldest first: a page uses one or two datasets
            _READ_CACHE.pop(next(iter(_READ_CACHE)))
        _READ_CACHE[key] = result
    return dataclass_replace(result, frame=result.frame.copy())


_READ_CACHE: dict[tuple, ReadResult] = {}


def _read_resource(data_path: Path, resource: dict) -> ReadResult:
    options = resource_options(resource)
    if resource_format(resource) not in ("xlsx", "ods"):
        options.sheet = None
    data = data_path.read_bytes()
    result = read_table(data, data_path.name, options)
    fields = _fields(resource)
    detected = result.detection.types
    forced: dict[str, str] = {}
    declared = kinds.declared_kinds(_as_dict(resource.get("schema")))
    for spec in fields:
        name, kind = spec.get("name"), spec.get("type")
        if name not in detected:
            continue
        if name in declared:  # the card says what the column holds: read it so
            wanted = kinds.READER_TYPES[declared[name]]
            if detected[name] != wanted and not (
                wanted == "number" and detected[name] == "integer"
            ):
                forced[name] = wanted
            continue
        if kind == "string" and detected[name] not in ("text", "category"):
            has_enum = bool((spec.get("constraints") or {}).get("enum"))
            forced[name] = "category" if has_enum else "text"
    if forced:
        options.column_types = forced
        result = read_table(data, data_path.name, options)
    if declared:
        result.frame.attrs[kinds.KINDS_ATTR] = declared
    return result


def column_kind(spec: dict) -> str:
    """The kind a schema field declares (:data:`labkit.data.kinds.COLUMN_KINDS`), or ``""``."""
    value = spec.get(kinds.KIND_PROPERTY) if isinstance(spec, dict) else None
    return value if value in kinds.COLUMN_KINDS else ""


def kind_from_text(value: str) -> str:
    """A kind as typed: its name or its French label, whatever the accents and capitals
    (« identifiant », « Catégorie », « code »), ``""`` for « auto »; anything else as given (the
    card refuses it in French)."""
    wanted = kinds.fold(str(value).strip())
    if wanted in ("", "auto", "automatique", kinds.fold(kind_label(""))):
        return ""
    for kind in kinds.COLUMN_KINDS:
        if wanted in (kind, kinds.fold(kind_label(kind))):
            return kind
    return str(value).strip()


def kind_names() -> str:
    """The kinds a card accepts, as typed (« number (nombre), code (code)… »)."""
    return ", ".join(f"{k} ({kind_label(k)})" for k in kinds.COLUMN_KINDS)


def kind_label(kind: str) -> str:
    """A declared kind in French (« code », « identifiant »…); automatic detection for ``""``."""
    return messages.text(
        f"datapackage.column_kind_{kind if kind in kinds.COLUMN_KINDS else 'unset'}"
    )


# ============================================================================ checking
def check_dataset_folder(path: Path | str, *, validate_data: bool = True) -> list[str]:
    """The problems of a dataset folder, in French; an empty list means it is valid.

    Checks the descriptor with frictionless, Datalab's own keys (targets, drivers, groups,
    defects), that the data file is inside the folder and readable, that its columns are the
    schema's, and that the data match the schema apart from the documented defects."""
    folder = Path(path)
    if not folder.is_dir():
        return [messages.text("datapackage.not_a_folder", path=str(folder))]
    try:
        return _check_folder(folder, validate_data)
    except DatalabError as error:
        return [str(error)]
    except Exception:  # noqa: BLE001 - a descriptor of an unexpected shape is a problem, not a crash
        return [messages.text("datapackage.malformed", folder=folder.name)]


def _check_folder(folder: Path, validate_data: bool) -> list[str]:
    descriptor = read_descriptor(folder)
    problems: list[str] = []
    problems += _frictionless_descriptor_problems(descriptor)
    problems += _metadata_problems(descriptor, folder)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources or not isinstance(resources[0], dict):
        return problems or [messages.text("datapackage.no_resource", folder=folder.name)]
    resource = resources[0]
    try:
        data_path = _data_path(folder, resource)
    except DatalabError as error:
        return [*problems, error.message]
    names = [f.get("name") for f in _fields(resource)]
    try:
        result = read_resource(data_path, resource)
    except DatalabError as error:
        return [*problems, messages.text("datapackage.data_unreadable", detail=error.message)]
    columns = [str(c) for c in result.frame.columns]
    missing = [n for n in names if n not in columns]
    extra = [c for c in columns if c not in names]
    if missing:
        problems.append(messages.text("datapackage.columns_missing", names=", ".join(missing)))
    if extra:
        problems.append(messages.text("datapackage.columns_extra", names=", ".join(extra)))
    problems += _custom_key_problems(descriptor, set(columns), len(result.frame))
    if validate_data and not missing and not problems:
        problems += _data_problems(folder, descriptor, resource)
    return problems


def _frictionless_descriptor_problems(descriptor: dict) -> list[str]:
    from frictionless import Package  # slow to import: only when a dataset is checked

    try:
        report = Package.validate_descriptor(descriptor)
    except Exception:  # noqa: BLE001 - frictionless may raise on odd input
        return [messages.text("datapackage.malformed", folder=str(descriptor.get("name") or ""))]
    return [
        messages.text("datapackage.frictionless_invalid", detail=french_error(error))
        for error in report.errors
    ]


_JSON_TYPES = {
    "array": "list",
    "object": "object",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}


def french_error(error: Any) -> str:
    """A French sentence for a frictionless error (its English text is never shown)."""
    kind = str(getattr(error, "type", "") or "")
    note = str(getattr(error, "note", "") or "")
    t = messages.text
    found = re.search(r"is not of type '(\w+)' at property '([^']*)'", note)
    if found:
        expected = t(f"datapackage.json_{_JSON_TYPES.get(found.group(1), 'other')}")
        return t("datapackage.fl_type", key=found.group(2) or "…", expected=expected)
    found = re.search(r"'([^']*)' is a required property(?: at property '([^']*)')?", note)
    if found:
        return t("datapackage.fl_required", key=found.group(1), where=found.group(2) or "…")
    found = re.search(r"at property '([^']*)'", note)
    if found:
        return t("datapackage.fl_shape", key=found.group(1) or "…")
    found = re.search(r'field type "([^"]*)" is not supported', note)
    if found:
        return t(
            "datapackage.fl_field_type", type=found.group(1), types=", ".join(sorted(SCHEMA_TYPES))
        )
    cells = {
        "encoding-error": "fl_encoding",
        "duplicate-label": "fl_duplicate_label",
        "blank-label": "fl_blank_label",
        "incorrect-label": "fl_incorrect_label",
        "missing-label": "fl_missing_label",
        "extra-label": "fl_extra_label",
        "extra-cell": "fl_extra_cell",
        "missing-cell": "fl_missing_cell",
        "blank-row": "fl_blank_row",
        "source-error": "fl_source",
        "scheme-error": "fl_source",
        "format-error": "fl_format",
        "primary-key": "fl_primary_key",
        "duplicate-row": "fl_duplicate_row",
        "type-error": "fl_cell_type",
        "constraint-error": "fl_constraint",
        "unique-error": "fl_unique",
        "foreign-key": "fl_foreign_key",
    }
    row = getattr(error, "row_number", None)
    label = getattr(error, "label", None)
    if kind in cells:
        return t(f"datapackage.{cells[kind]}", row=row or "?", label=label or "")
    area = kind.split("-")[0] if kind else ""
    return t(
        "datapackage.fl_other", area=t(f"datapackage.area_{area if area in _AREAS else 'table'}")
    )


_AREAS = {"package", "resource", "schema", "field", "dialect", "control", "check", "table"}


def _metadata_problems(descriptor: dict, folder: Path) -> list[str]:
    problems = []
    for key in ("title", "description"):
        if not str(descriptor.get(key) or "").strip():
            problems.append(messages.text("datapackage.key_missing", key=key))
    licences = descriptor.get("licenses")
    if not isinstance(licences, list) or not licences:
        problems.append(messages.text("datapackage.key_missing", key="licenses"))
    elif not all(isinstance(x, dict) and (x.get("name") or x.get("path")) for x in licences):
        problems.append(messages.text("datapackage.bad_licence"))
    keywords = descriptor.get("keywords")
    if keywords is not None and not (
        isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)
    ):
        problems.append(messages.text("datapackage.bad_list", key="keywords"))
    updated = descriptor.get("updated")
    if updated is not None:
        try:
            _dt.date.fromisoformat(str(updated)[:10])
        except ValueError:
            problems.append(messages.text("datapackage.bad_date", key="updated", value=updated))
    if descriptor.get("simulated"):
        generator = descriptor.get("generator")
        if not generator:
            problems.append(messages.text("datapackage.generator_missing"))
        else:
            candidate = paths.project_root() / str(generator)
            local = folder / Path(str(generator)).name
            if not candidate.is_file() and not local.is_file():
                problems.append(
                    messages.text("datapackage.generator_not_found", path=str(generator))
                )
    resources = descriptor.get("resources") or []
    if isinstance(resources, list) and resources and isinstance(resources[0], dict):
        schema = resources[0].get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            problems.append(messages.text("datapackage.schema_missing"))
        else:
            for spec in schema["fields"]:
                if not isinstance(spec, dict) or not spec.get("name"):
                    problems.append(messages.text("datapackage.field_unnamed"))
                    continue
                if not str(spec.get("description") or "").strip():
                    problems.append(
                        messages.text("datapackage.field_undescribed", column=spec["name"])
                    )
                declared = spec.get(kinds.KIND_PROPERTY)
                if declared is not None and declared not in kinds.COLUMN_KINDS:
                    problems.append(
                        messages.text(
                            "datapackage.bad_column_kind", column=spec["name"], kind=declared
                        )
                        + " "
                        + messages.hint("datapackage.bad_column_kind", kinds=kind_names())
                    )
    return problems


def _custom_key_problems(descriptor: dict, columns: set[str], rows: int) -> list[str]:
    problems = []
    targets = descriptor.get("suggested_targets") or []
    if not isinstance(targets, list):
        problems.append(messages.text("datapackage.bad_list", key="suggested_targets"))
        targets = []
    for target in targets:
        column = target.get("column") if isinstance(target, dict) else None
        task = target.get("task") if isinstance(target, dict) else None
        if column not in columns:
            problems.append(
                messages.text("datapackage.unknown_column", key="suggested_targets", column=column)
            )
        if task not in TASKS:
            problems.append(messages.text("datapackage.bad_task", column=column, task=task))
    drivers = descriptor.get("drivers") or {}
    if not isinstance(drivers, dict):
        problems.append(messages.text("datapackage.bad_drivers"))
        drivers = {}
    for target, entries in drivers.items():
        if target not in columns:
            problems.append(
                messages.text("datapackage.unknown_column", key="drivers", column=target)
            )
        for entry in entries if isinstance(entries, list) else []:
            column = entry.get("column") if isinstance(entry, dict) else None
            if column not in columns:
                problems.append(
                    messages.text("datapackage.unknown_column", key="drivers", column=column)
                )
            elif not str(entry.get("effect") or "").strip():
                problems.append(messages.text("datapackage.driver_effect", column=column))
    groups = descriptor.get("group_columns") or []
    for column in groups if isinstance(groups, list) else []:
        if column not in columns:
            problems.append(
                messages.text("datapackage.unknown_column", key="group_columns", column=column)
            )
    defects = descriptor.get("defects") or []
    if not isinstance(defects, list):
        return [*problems, messages.text("datapackage.bad_list", key="defects")]
    for number, defect in enumerate(defects, start=1):
        if not isinstance(defect, dict):
            problems.append(messages.text("datapackage.bad_defect", number=number))
            continue
        kind = defect.get("kind")
        if kind not in DEFECT_KINDS:
            problems.append(
                messages.text(
                    "datapackage.bad_defect_kind",
                    number=number,
                    kind=kind,
                    kinds=", ".join(DEFECT_KINDS),
                )
            )
        for column in _as_list(defect.get("columns")):
            if column not in columns:
                problems.append(
                    messages.text("datapackage.unknown_column", key="defects", column=column)
                )
        listed = defect.get("rows")
        if listed is not None:
            if not isinstance(listed, list) or not all(
                isinstance(r, int) and 0 <= r < rows for r in listed
            ):
                problems.append(messages.text("datapackage.bad_rows", number=number, rows=rows))
        if listed is None and not isinstance(defect.get("count"), int):
            problems.append(messages.text("datapackage.defect_no_count", number=number))
        if not str(defect.get("description") or "").strip():
            problems.append(messages.text("datapackage.defect_undescribed", number=number))
    return problems


def _data_problems(folder: Path, descriptor: dict, resource: dict) -> list[str]:
    """Frictionless validation of the data, minus what the documented defects explain."""
    from frictionless import Package

    try:
        with warnings.catch_warnings():  # its own notices, not the facilitator's business
            warnings.filterwarnings("ignore", module=r"frictionless\.")
            package = Package(descriptor, basepath=str(folder))
            report = package.validate(limit_errors=100_000)
    except Exception as exc:  # noqa: BLE001
        errors = getattr(getattr(exc, "error", None), "note", None)
        detail = french_error(exc.error) if errors else messages.text("datapackage.fl_unreadable")
        return [messages.text("datapackage.frictionless_invalid", detail=detail)]
    header = resource_options(resource).header_row + 1
    explained = _explained_cells(descriptor)
    grouped: dict[tuple[str, str], list[int]] = {}
    problems = []
    errors = [e for task in report.tasks for e in task.errors] + list(report.errors)
    for error in errors:
        field_name = getattr(error, "field_name", None)
        row_number = getattr(error, "row_number", None)
        if field_name is None or row_number is None:
            if error.type in ("primary-key", "duplicate-row"):
                if any(k == "duplicates" for k, _ in explained):
                    continue
            problems.append(messages.text("datapackage.data_error", detail=french_error(error)))
            continue
        row = int(row_number) - header - 1
        whole, rows = explained.get(("*", field_name), (False, set()))
        if whole or row in rows:
            continue
        grouped.setdefault((field_name, error.type), []).append(row)
    for (field_name, kind), rows in grouped.items():
        shown = ", ".join(str(r) for r in rows[:MAX_PROBLEM_ROWS])
        key = "datapackage.cells_type" if kind == "type-error" else "datapackage.cells_constraint"
        problems.append(messages.text(key, column=field_name, count=len(rows), rows=shown))
    return problems


def _explained_cells(descriptor: dict) -> dict:
    """``("*", column) → (whole column explained, rows explained)`` from the documented defects;
    also ``(kind, None)`` entries to know which kinds are documented."""
    explained: dict[Any, Any] = {}
    for defect in _as_list(descriptor.get("defects")):
        if not isinstance(defect, dict):
            continue
        explained[(defect.get("kind"), None)] = True
        for column in _as_list(defect.get("columns")):
            whole, rows = explained.get(("*", column), (False, set()))
            listed = defect.get("rows")
            if listed is None:
                whole = True
            else:
                rows = rows | {r for r in listed if isinstance(r, int)}
            explained[("*", column)] = (whole, rows)
    return explained


def table_info(frame: pd.DataFrame) -> dict[str, int]:
    return {"rows": int(len(frame)), "columns": int(frame.shape[1])}


__all__ = [
    "DEFECT_KINDS",
    "Dataset",
    "DatasetInfo",
    "check_dataset_folder",
    "dataset_folders",
    "dataset_info",
    "list_datasets",
    "load_dataset",
    "read_descriptor",
    "resource_options",
]
