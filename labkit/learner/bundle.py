"""The export bundle: a learner's whole project carried from one machine to another (module 06).

:func:`export_bundle` packs the learner's work into a ZIP — the model (skops), its metadata, the
recipe, the report, the canvas and the transparency sheet — with a manifest giving the SHA-256 of
each file. :func:`import_bundle` reloads it into another workspace after checking everything
first: only known file names (no folder, no path), every file listed in the manifest and matching
its hash, the model made only of trusted types, each JSON document valid. Anything wrong and
nothing is loaded. The manifest detects damage and careless edits; it is not a signature (anyone
can recompute the hashes), which is why the model's types are checked whatever the manifest says.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labkit import __version__, messages
from labkit.course import canvas
from labkit.errors import DatalabError
from labkit.learner import chain, course, preparation, sheets
from labkit.learner import model as saved_model
from labkit.model import model_store
from labkit.prepare.recipe import Recipe
from labkit.use import transparency
from labkit.workspace import json_default

BUNDLE_FORMAT = "datalab-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
BUNDLE_FILES = (
    "model.skops",
    "training.json",
    "recipe.json",
    "report.html",
    "canvas.json",
    "transparency.json",
)
REQUIRED_FILES = ("model.skops", "training.json", "recipe.json")
BUNDLE_MAX_BYTES = 100 * 1024 * 1024
IMPORTED_REPORT = "rapport-importe.html"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"report.{key}", **fields)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, default=json_default).encode("utf-8")


# ============================================================================ export
def export_bundle(workspace, *, report_html: str | None = None, facts=None) -> bytes:
    """The learner's model, recipe, report, canvas and transparency sheet as a ZIP with a
    manifest (SHA-256 of each file). Needs a model saved in module 05."""
    if not saved_model.has_model(workspace):
        raise messages.error("report.bundle_no_model")
    model_bytes = workspace.read_file(model_store.MODEL_FILE)
    meta = saved_model.load_metadata(workspace)
    if meta is None:
        raise messages.error("learning.store_metadata_missing")
    trained = model_store.from_parts(model_bytes, meta)  # never export an unsafe model
    recipe = Recipe.from_dict(trained.recipe) if trained.recipe else None
    if recipe is None:
        recipe, _is_default = chain.recipe_of(workspace)
    if report_html is None:
        report_html = sheets.project_report(workspace, facts)
    files: dict[str, bytes] = {
        "model.skops": model_bytes,
        "training.json": _json_bytes(meta),
        "recipe.json": _json_bytes(recipe.to_dict()),
        "report.html": report_html.encode("utf-8"),
    }
    canvas_values = course.load_canvas(workspace)
    if canvas_values is not None:
        files["canvas.json"] = _json_bytes(canvas_values)
    sheet = sheets.load_transparency(workspace)
    if sheet is not None:
        files["transparency.json"] = _json_bytes(sheet)
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "labkit_version": __version__,
        "model": {"name": trained.name, "target": trained.target},
        "files": {
            name: {"sha256": _sha256(data), "bytes": len(data)} for name, data in files.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json_bytes(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bundle_filename(workspace) -> str:
    return f"datalab-paquet-{workspace.slug}.zip"


# ============================================================================ checks
@dataclass
class BundleImport:
    """What an import loaded."""

    model_name: str
    target: str
    steps: int
    loaded: list[str]

    @property
    def message(self) -> str:
        extras = "".join(
            _t("bundle_imported_extra", what=_t(f"bundle_what_{name}"))
            for name in ("canvas", "transparency")
            if name in self.loaded
        )
        return _t(
            "bundle_imported",
            name=self.model_name,
            target=self.target,
            steps=self.steps,
            extras=extras,
        )


def _read_entries(data: bytes) -> dict[str, bytes]:
    """Every entry of the archive, checked by name and size before anything is read."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise messages.error("report.bundle_not_zip")
    if len(data) > BUNDLE_MAX_BYTES:
        raise messages.error("report.bundle_too_large", max_mb=BUNDLE_MAX_BYTES // 2**20)
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise messages.error("report.bundle_not_zip") from None
    allowed = {MANIFEST, *BUNDLE_FILES}
    seen: set[str] = set()
    total = 0
    for entry in entries:
        name = entry.filename
        if entry.is_dir() or name not in allowed or name in seen:
            raise messages.error("report.bundle_bad_entry", name=name[:80])
        seen.add(name)
        total += entry.file_size
    if total > BUNDLE_MAX_BYTES:
        raise messages.error("report.bundle_too_large", max_mb=BUNDLE_MAX_BYTES // 2**20)
    try:
        return {entry.filename: archive.read(entry) for entry in entries}
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        raise messages.error("report.bundle_not_zip") from None


def _load_json(name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise messages.error(
            "report.bundle_bad_json", name=name, detail=type(exc).__name__
        ) from exc


def _check_manifest(entries: Mapping[str, bytes]) -> dict:
    if MANIFEST not in entries:
        raise messages.error("report.bundle_no_manifest")
    manifest = _load_json(MANIFEST, entries[MANIFEST])
    if not isinstance(manifest, Mapping) or manifest.get("format") != BUNDLE_FORMAT:
        raise messages.error("report.bundle_bad_manifest", detail="format")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise messages.error("report.bundle_bad_manifest", detail="version")
    if version > BUNDLE_VERSION:
        raise messages.error("report.bundle_too_new", found=version, expected=BUNDLE_VERSION)
    files = manifest.get("files")
    if not isinstance(files, Mapping):
        raise messages.error("report.bundle_bad_manifest", detail="files")
    for name, info in files.items():
        if name not in BUNDLE_FILES:
            raise messages.error("report.bundle_bad_entry", name=str(name)[:80])
        digest = info.get("sha256") if isinstance(info, Mapping) else None
        if not isinstance(digest, str) or not _SHA256_RE.match(digest):
            raise messages.error("report.bundle_bad_manifest", detail=f"sha256 {name}")
        if name not in entries:
            raise messages.error("report.bundle_missing_entry", name=name)
    for name in entries:
        if name != MANIFEST and name not in files:
            raise messages.error("report.bundle_unlisted_entry", name=name)
    for name in REQUIRED_FILES:
        if name not in files:
            raise messages.error("report.bundle_missing_entry", name=name)
    for name, info in files.items():
        if _sha256(entries[name]) != info["sha256"]:
            raise messages.error("report.bundle_hash_mismatch", name=name)
    return dict(manifest)


def _checked_document(name: str, data: bytes, check) -> Any:
    """A JSON document of the bundle, checked by ``check``; its error names the file."""
    values = _load_json(name, data)
    try:
        return check(values)
    except DatalabError as exc:
        if exc.key and exc.key.startswith("report.bundle"):
            raise
        raise messages.error("report.bundle_bad_json", name=name, detail=exc.message) from exc


def _canvas_values(values: Any) -> dict[str, str]:
    if not isinstance(values, Mapping):
        raise messages.error("report.sheet_not_a_mapping")
    return canvas.normalise({k: v for k, v in values.items() if k in canvas.FIELD_IDS})


def check_bundle(data: bytes) -> dict[str, Any]:
    """Every check of :func:`import_bundle`, without writing anything: the parsed contents."""
    entries = _read_entries(data)
    _check_manifest(entries)
    meta = _load_json("training.json", entries["training.json"])
    try:
        trained = model_store.from_parts(entries["model.skops"], meta)
    except DatalabError as exc:
        raise messages.error("report.bundle_model_refused", reason=exc.message) from exc
    parsed: dict[str, Any] = {
        "trained": trained,
        "meta": meta,
        "model_bytes": entries["model.skops"],
        "recipe": _checked_document("recipe.json", entries["recipe.json"], Recipe.from_dict),
        "report": entries.get("report.html"),
    }
    if "canvas.json" in entries:
        parsed["canvas"] = _checked_document("canvas.json", entries["canvas.json"], _canvas_values)
    if "transparency.json" in entries:
        parsed["transparency"] = _checked_document(
            "transparency.json", entries["transparency.json"], transparency.check_values
        )
    return parsed


# ============================================================================ import
def import_bundle(workspace, data: bytes) -> BundleImport:
    """Check a bundle made by :func:`export_bundle`, then load it into ``workspace``: model and
    metadata, recipe, canvas and transparency sheet (previous versions are kept as backups by the
    workspace), the report as a file. Nothing is written unless every check passes."""
    parsed = check_bundle(data)
    loaded = ["model", "recipe"]
    # Every part lands together or none does: a process killed during the import leaves the
    # previous work whole (or the imported one), never a model from one bundle with another's data.
    with workspace.together():
        workspace.save(model_store.TRAINING_KEY, parsed["meta"])
        workspace.save_file(model_store.MODEL_FILE, parsed["model_bytes"])
        preparation.save_recipe(workspace, parsed["recipe"])
        if parsed.get("report") is not None:
            workspace.save_file(IMPORTED_REPORT, parsed["report"])
            loaded.append("report")
        if "canvas" in parsed:
            course.save_canvas(workspace, parsed["canvas"])
            loaded.append("canvas")
        if "transparency" in parsed:
            sheets.save_transparency(workspace, parsed["transparency"])
            loaded.append("transparency")
    trained = parsed["trained"]
    return BundleImport(trained.name, trained.target, len(parsed["recipe"]), loaded)
