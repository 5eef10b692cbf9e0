"""Authoring the catalogue: a dataset folder (Data Package) made from a file and a card.

Used by ``datalab dataset new`` / ``datalab dataset edit`` and by the facilitator's dataset pages
(``/animation/jeux``): both describe a dataset with a :class:`Card` (what a facilitator knows about
the data: title, producer, licence, theme, the data's own date, what they cover, the unit and
meaning of each column, known defects) and let :func:`new_package` / :func:`edit_package` write it.
Nothing is put in place before it passes the same check as ``datalab dataset check``: a refused or
interrupted run leaves the catalogue as it was.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import shutil
import tempfile
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit import messages, paths
from labkit.data import datapackage, kinds
from labkit.data.catalogue import fold, themes
from labkit.data.labels import type_label
from labkit.data.reader import ReadResult, read_table
from labkit.data.selection import guess_task
from labkit.errors import DatalabError
from labkit.prepare import quality

LOG = logging.getLogger(__name__)

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


@dataclass
class Card:
    """What a facilitator says about a dataset; ``None`` or blank means « not given »."""

    title: str | None = None
    description: str | None = None
    producer: str | None = None
    licence: str | None = None  # a short name (etalab-2.0, odbl, cc0…) or free text
    theme: str | None = None  # an existing theme whatever its accents and capitals, or a new one
    keywords: str | None = None  # comma-separated
    updated: str | None = None  # the data's own date: 08/01/2024 or 2024-01-08
    spatial: str | None = None
    temporal: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    defects: list[dict[str, Any]] | None = None  # replaces the documented defects when given
    group_columns: list[str] | None = None  # columns for the bias audit; replaces them when given
    kinds: dict[str, str] = field(default_factory=dict)  # what a column holds; "" = detected

    def check_kinds(self, columns: list[str]) -> None:
        """Every declared kind is one of :data:`labkit.data.kinds.COLUMN_KINDS` (or ``""``, back
        to automatic detection) and names an existing column (French error otherwise)."""
        for column, kind in self.kinds.items():
            if column not in columns:
                raise messages.error(
                    "datapackage.kind_unknown_column",
                    column=column,
                    columns=", ".join(map(str, columns)),
                )
            if kind and kind not in kinds.COLUMN_KINDS:
                raise messages.error(
                    "datapackage.bad_column_kind",
                    column=column,
                    kind=str(kind)[:40],
                    kinds=datapackage.kind_names(),
                )

    def check_columns(self, columns: list[str]) -> None:
        """Every column named by a unit or a description exists (French error otherwise)."""
        groups = dict.fromkeys(self.group_columns or [], "")
        for option, notes in (
            ("--unit", self.units),
            ("--column-description", self.descriptions),
            ("group_columns", groups),
        ):
            for column in notes:
                if column not in columns:
                    raise messages.error(
                        "dataset_cli.unknown_column_note",
                        option=option,
                        column=column,
                        columns=", ".join(map(str, columns)),
                    )


@dataclass
class Written:
    """The outcome of :func:`new_package` or :func:`edit_package`."""

    folder: Path
    problems: list[str]  # why the check refused it (nothing was put in place), empty when written
    theme: str = ""
    new_theme: bool = False  # the card's theme is not one of the catalogue's
    rows: int = 0
    columns: int = 0
    learnability: Learnability | None = None  # what the suitability check said, if it ran


def _given(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def dataset_id_of(title: str, given: str | None = None) -> str:
    """The folder name of a new dataset: the given identifier (checked) or the title's slug."""
    dataset_id = given or slug(title)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}", dataset_id):
        raise messages.error("dataset_cli.bad_id", value=dataset_id)
    return dataset_id


def new_package(
    source: Path,
    read: ReadResult,
    card: Card,
    *,
    target: str | None = None,
    dataset_id: str | None = None,
    dest: Path | None = None,
    force: bool = False,
) -> Written:
    """Write a dataset folder for the file ``source`` (already read as ``read``) described by
    ``card``: in ``dest``, by default ``datasets/<identifier>``. Raises a French error for a bad
    card, target or identifier, or an existing folder without ``force``."""
    detection, frame = read.detection, read.frame
    columns = [str(c) for c in frame.columns]
    title = _given(card.title) or source.stem
    if target and target not in frame.columns:
        raise messages.error(
            "dataset_cli.unknown_target", target=target, columns=", ".join(columns)
        )
    card.check_columns(columns)
    card.check_kinds(columns)
    updated = data_date(card.updated)
    ident = dataset_id_of(title, dataset_id)
    dest = dest or paths.datasets_dir() / ident
    if dest.exists():
        if not force:
            raise messages.error("dataset_cli.exists", path=str(dest))
        if not (dest / "datapackage.json").is_file():
            raise messages.error("dataset_cli.not_a_dataset", path=str(dest))
    existing = themes()
    theme = known_theme(card.theme, existing)
    default_description = messages.text(
        "dataset_cli.default_description", name=source.name, date=_dt.date.today().isoformat()
    )
    metadata: dict[str, Any] = {
        "name": slug(ident).replace("_", "-"),
        "title": title,
        "description": _given(card.description) or default_description,
        "keywords": _keywords(card.keywords),
        "theme": theme,
        "producer": _given(card.producer) or "",
        "licenses": [licence_entry(_given(card.licence))],
        "sources": [{"title": messages.text("dataset_cli.source_title", name=source.name)}],
    }
    extra = {
        "suggested_targets": [{"column": target, "task": guess_task(frame[target])}]
        if target
        else [],
        "drivers": {},
        "group_columns": list(card.group_columns or []),
        "defects": card.defects
        if card.defects is not None
        else defects_from_quality(_declared(frame, card.kinds), target),
    }
    learned: list = []
    problems = _write_package(
        source,
        dest,
        detection,
        frame,
        metadata,
        extra,
        force,
        _card_changes(card, updated),
        learned,
    )
    return Written(
        dest,
        problems,
        theme=theme,
        new_theme=bool(theme) and theme not in existing,
        rows=len(frame),
        columns=frame.shape[1],
        learnability=learned[0] if learned else None,
    )


def _declared(frame, wanted: dict[str, str]):
    """The table as the quality report should see it once the card's kinds are stored (a code
    is never an extreme value): a copy carrying them, or ``frame`` itself when none is given."""
    given = {c: k for c, k in wanted.items() if k}
    return kinds.with_kinds(frame.copy(), given) if given else frame


def package_columns(descriptor: dict) -> list[str]:
    """The column names a dataset's descriptor declares (first resource first)."""
    return [
        str(f.get("name"))
        for r in descriptor.get("resources") or []
        if isinstance(r, dict)
        for f in (r.get("schema") or {}).get("fields") or []
        if isinstance(f, dict)
    ]


def edit_package(folder: Path, card: Card) -> Written:
    """Complete an existing dataset's card: what ``card`` gives replaces what the descriptor says
    (blank fields are left as they are). The descriptor is changed in a copy of the folder,
    checked, then put in place: a refused or interrupted edit changes nothing."""
    if not (folder / "datapackage.json").is_file():
        raise messages.error("dataset_cli.not_a_dataset", path=str(folder))
    descriptor = datapackage.read_descriptor(folder)
    columns = package_columns(descriptor)
    card.check_columns(columns)
    card.check_kinds(columns)
    updated = data_date(card.updated)
    existing = themes()
    for key in ("title", "description", "producer"):
        value = _given(getattr(card, key))
        if value:
            descriptor[key] = value
    theme = known_theme(card.theme, existing)
    if theme:
        descriptor["theme"] = theme
    if _given(card.keywords):
        descriptor["keywords"] = _keywords(card.keywords)
    if _given(card.licence):
        descriptor["licenses"] = [licence_entry(card.licence)]
    if card.defects is not None:
        _replace_defects(descriptor, card.defects)
    if card.group_columns is not None:
        descriptor["group_columns"] = list(card.group_columns)
    _apply_card(descriptor, _card_changes(card, updated))
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}-", suffix=".partiel", dir=folder.parent)
    )
    learnability = None
    try:
        shutil.copytree(folder, staging, dirs_exist_ok=True)
        apply_kinds(staging, descriptor, card.kinds)
        _write_descriptor(staging, descriptor)
        problems = [p.replace(staging.name, folder.name) for p in _checked(staging)]
        if not problems:
            learnability = record_learnability(staging, descriptor)
            os.replace(staging / "datapackage.json", folder / "datapackage.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(
        folder,
        problems,
        theme=theme,
        new_theme=bool(theme) and theme not in existing,
        learnability=learnability,
    )


def _write_descriptor(folder: Path, descriptor: dict) -> None:
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )


def _defect_key(defect: dict) -> tuple[str, tuple[str, ...]]:
    columns = defect.get("columns") if isinstance(defect.get("columns"), list) else []
    return str(defect.get("kind") or ""), tuple(sorted(map(str, columns)))


def _replace_defects(descriptor: dict, defects: list[dict[str, Any]]) -> None:
    """The card's defects replace the documented ones; a defect removed from the card is kept in
    ``dismissed_defects`` (kind and columns): module 04 no longer proposes to fix it. A defect
    documented again is no longer dismissed."""
    before = [d for d in descriptor.get("defects") or [] if isinstance(d, dict)]
    kept = {_defect_key(d) for d in defects if isinstance(d, dict)}
    dismissed = {
        _defect_key(d): d for d in descriptor.get("dismissed_defects") or [] if isinstance(d, dict)
    }
    for defect in before:
        key = _defect_key(defect)
        if key not in kept and key[0]:
            dismissed[key] = {"kind": key[0], "columns": list(key[1])}
    descriptor["defects"] = defects
    remaining = [d for key, d in dismissed.items() if key not in kept]
    if remaining:
        descriptor["dismissed_defects"] = remaining
    else:
        descriptor.pop("dismissed_defects", None)


_TYPE_KEYS = (
    "type",
    "format",
    "decimalChar",
    "groupChar",
    "bareNumber",
    "trueValues",
    "falseValues",
)


def apply_kinds(folder: Path, descriptor: dict, wanted: dict[str, str]) -> list[str]:
    """Put the declared kinds of ``wanted`` (``{column: kind}``, ``""`` for none) into the
    descriptor of the dataset in ``folder``, and the field types that read each column so
    (« ,03 » as a number, a code as text), inferred again from the data. Returns the columns
    whose kind changed."""
    resource = datapackage.first_resource(descriptor, folder)
    fields = {str(f.get("name")): f for f in datapackage._fields(resource)}
    changed = []
    for column, kind in wanted.items():
        spec = fields.get(column)
        if spec is None or datapackage.column_kind(spec) == (kind or ""):
            continue
        if kind:
            spec[kinds.KIND_PROPERTY] = kind
        else:
            spec.pop(kinds.KIND_PROPERTY, None)
        changed.append(column)
    if not changed:
        return []
    data_path = datapackage._data_path(folder, resource)
    read = datapackage._read_resource(data_path, resource)
    detected = {c.name: c for c in read.detection.columns}
    for column in changed:
        if column not in detected:
            continue
        inferred = infer_field(detected[column], read.frame, read.detection)
        _group_marks([inferred], read.frame, read.detection)
        spec = fields[column]
        for key in _TYPE_KEYS:
            spec.pop(key, None)
            if key in inferred:
                spec[key] = inferred[key]
        if inferred.get("unit") and not spec.get("unit"):
            spec["unit"] = inferred["unit"]
    return changed


@dataclass
class Learnability:
    """Whether a model can learn anything from a dataset (``datalab train`` on its target)."""

    target: str
    learnable: bool | None  # None: the check could not be run
    message: str  # French

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "learnable": self.learnable,
            "message": self.message,
            "checked": _dt.date.today().isoformat(),
        }


def learnability(folder: Path, descriptor: dict) -> Learnability | None:
    """``datalab train`` on the dataset in ``folder`` for its first suggested target: does the
    best model beat the naive reference? ``None`` when no target is suggested."""
    from labkit.commands.train import train_table

    targets = [t for t in descriptor.get("suggested_targets") or [] if isinstance(t, dict)]
    target = str(targets[0].get("column") or "") if targets else ""
    if not target:
        return None
    try:
        resource = datapackage.first_resource(descriptor, folder)
        read = datapackage._read_resource(datapackage._data_path(folder, resource), resource)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = train_table(read.frame.copy(), target, schema=resource.get("schema"))
    except DatalabError as error:
        reason = error.message + (f" {error.hint}" if error.hint else "")
        return Learnability(
            target, False, messages.text("authoring.learn_failed", target=target, reason=reason)
        )
    except Exception:  # noqa: BLE001 - the card is saved all the same; the log keeps it
        LOG.exception("the learnability check of %s failed", folder.name)
        return Learnability(target, None, messages.text("authoring.learn_unchecked", target=target))
    key = "authoring.learn_yes" if result["beats_baseline"] else "authoring.learn_no"
    return Learnability(
        target,
        bool(result["beats_baseline"]),
        messages.text(key, target=target, summary=result["summary"]),
    )


def record_learnability(folder: Path, descriptor: dict) -> Learnability | None:
    """Run :func:`learnability` and keep its outcome in the descriptor (``learnability``) written
    in ``folder``: the card and module 03 show it. The dataset is kept whatever it says."""
    found = learnability(folder, descriptor)
    if found is None:
        descriptor.pop("learnability", None)
    else:
        descriptor["learnability"] = found.to_dict()
    _write_descriptor(folder, descriptor)
    return found


def _keywords(text: str | None) -> list[str]:
    return [k.strip() for k in (text or "").split(",") if k.strip()]


def _card_changes(card: Card, updated: str | None) -> dict:
    """The part of a card that :func:`_apply_card` puts into a descriptor."""
    coverage = {
        key: value.strip()
        for key, value in (("spatial", card.spatial), ("temporal", card.temporal))
        if value and value.strip()
    }
    return {
        "updated": updated,
        "coverage": coverage,
        "units": {c: t.strip() for c, t in card.units.items() if t and t.strip()},
        "descriptions": {c: t.strip() for c, t in card.descriptions.items() if t and t.strip()},
        "kinds": dict(card.kinds),
    }


def _checked(folder: Path) -> list[str]:
    """``datalab dataset check`` on a folder; frictionless' own notices are not the user's."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="frictionless")
        return datapackage.check_dataset_folder(folder)


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return value[:60] or "jeu_de_donnees"


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
    wanted = fold(value)
    return next((t for t in existing if fold(t) == wanted), " ".join(value.split()))


def _apply_card(descriptor: dict, card: dict) -> None:
    """Put the card's date, coverage and column notes into a descriptor."""
    if card["updated"]:
        descriptor["updated"] = card["updated"]
    if card["coverage"]:
        descriptor["coverage"] = {**(descriptor.get("coverage") or {}), **card["coverage"]}
    for resource in descriptor.get("resources") or []:
        for spec in (resource.get("schema") or {}).get("fields") or []:
            name = spec.get("name")
            if name in card["units"]:
                spec["unit"] = card["units"][name]
            if name in card["descriptions"]:
                spec["description"] = card["descriptions"][name]


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


def defects_from_quality(frame, target: str | None) -> list[dict[str, Any]]:
    """The quality findings of module 04 as documented defects (best effort)."""
    try:
        report = quality.assess(frame, target=target)
    except Exception:  # noqa: BLE001 - the dataset is made without them
        return []
    defects = []
    for finding in report.findings:
        if finding.kind not in datapackage.DEFECT_KINDS:
            continue
        entry: dict[str, Any] = {"kind": finding.kind, "columns": list(finding.columns)}
        # findings name file rows (the frame's labels); a data package documents positions
        rows = [int(p) for p in frame.index.get_indexer(finding.rows) if p >= 0]
        if rows and len(rows) == finding.count and len(rows) <= MAX_DOCUMENTED_ROWS:
            entry["rows"] = rows
        entry["count"] = int(finding.count)
        entry["description"] = finding.message
        defects.append(entry)
    return defects


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


def _write_package(
    source,
    dest,
    detection,
    frame,
    metadata,
    extra,
    force,
    card: dict | None = None,
    learned_out: list | None = None,
) -> list[str]:
    """Write the package into a hidden folder beside ``dest``, check it, and move it into place
    only when it passes ``dataset check``: an interrupted or refused run leaves nothing behind.

    The data file is first kept as it is; a file the checker would not read as Datalab did
    (duplicate or empty column names, marks that differ between columns, quotes…) or a reading
    that changed the text (mixed encodings, repaired accents, a legacy encoding) is written again
    as a plain UTF-8 CSV of the table as read. Returns the problems when even that fails."""
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
                apply_kinds(staging, package, card.get("kinds") or {})
            _write_descriptor(staging, package)
            problems = _checked(staging)
            problems = [p.replace(staging.name, dest.name) for p in problems]
            if not problems:
                break
        if problems:
            return problems
        learned = record_learnability(staging, package)
        if learned_out is not None:
            learned_out.append(learned)
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
