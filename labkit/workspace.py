"""The learner's workspace: everything a learner saves, shared between pages and sessions.

A learner is known by a pseudonym (no account). Their work lives in one folder,
``<root>/learners/<slug>/``, where ``slug`` is the pseudonym folded to lowercase ASCII. The root is
``$DATALAB_WORKSPACE`` or, by default, the per-user data folder (``~/.local/share/datalab``).

- Documents (``save``/``load``): JSON values by key (``canvas``, ``progress``, ``quiz``…), each in its
  own file wrapped in a versioned envelope. Writes are atomic (temporary file, fsync, rename) and the
  previous version is kept as ``<key>.prev.json``: a kernel killed mid-save loses nothing, and a file
  damaged by other means is set aside and its previous version used.
- Tables (``save_table``/``load_table``): pandas DataFrames as Parquet, keeping column types.
- Files (``save_file``/``read_file``): bytes (uploaded files, model files), by a checked name.

No path built from what a person types reaches the file system unchecked: pseudonyms are folded to
a slug, and keys and names must match a strict pattern.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import platformdirs

from labkit import messages

FORMAT = "datalab-workspace"
FORMAT_VERSION = 1
PSEUDONYM_MIN, PSEUDONYM_MAX = 2, 40
IMPORT_MAX_BYTES = 200 * 1024 * 1024
EXPORT_MAX_BYTES = IMPORT_MAX_BYTES  # what is exported can be imported again

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")
_PSEUDONYM_RE = re.compile(r"^[\w .'-]+$", re.UNICODE)


def default_root() -> Path:
    """``$DATALAB_WORKSPACE``, else the user's data folder."""
    env = os.environ.get("DATALAB_WORKSPACE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("datalab", appauthor=False))


def normalize_pseudonym(value: str | None) -> str:
    """Check a pseudonym typed by a person and return it trimmed; raise a French error otherwise."""
    value = " ".join((value or "").split())
    if not value:
        raise messages.error("workspace.pseudonym_empty")
    if len(value) > PSEUDONYM_MAX:
        raise messages.error("workspace.pseudonym_too_long", max=PSEUDONYM_MAX)
    if not _PSEUDONYM_RE.match(value):
        raise messages.error("workspace.pseudonym_invalid", value=value)
    if len(slugify(value)) < PSEUDONYM_MIN:
        raise messages.error("workspace.pseudonym_too_short", min=PSEUDONYM_MIN)
    return value


def slugify(value: str) -> str:
    """Fold a pseudonym to the folder name that stores its work (``Élodie B.`` → ``elodie-b``)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _KEY_RE.match(name) or ".." in name:
        raise messages.error("workspace.bad_name", name=str(name)[:60])
    return name


def _json_default(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):  # numpy arrays
        return value.tolist()
    raise TypeError(type(value).__name__)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _migrate(envelope: Any) -> Any:
    """Bring a stored document to the current format; returns the envelope."""
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        # Format 0: the bare value, written before envelopes existed.
        return {"format": FORMAT, "version": FORMAT_VERSION, "data": envelope}
    return envelope


class Workspace:
    """One learner's store. Create it with :meth:`open`."""

    def __init__(self, folder: Path, pseudonym: str):
        self.folder = folder
        self.pseudonym = pseudonym
        self.notices: list[str] = []  # French messages for the page: recovered files, etc.
        # Called with what changed after every write: "dataset" (a document), "table:raw",
        # "file:model.skops", or "*" (the whole workspace, after an import or a reset).
        self.listeners: list[Callable[[str], None]] = []

    def _changed(self, what: str) -> None:
        for listener in list(self.listeners):
            listener(what)

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, pseudonym: str, root: Path | str | None = None) -> Workspace:
        """The workspace of ``pseudonym`` (checked), created if new."""
        pseudonym = normalize_pseudonym(pseudonym)
        root = Path(root) if root is not None else default_root()
        folder = root / "learners" / slugify(pseudonym)
        workspace = cls(folder, pseudonym)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise messages.error("workspace.not_writable", path=str(root)) from exc
        if not (folder / "learner.json").exists():
            workspace.save("learner", {"pseudonym": pseudonym, "created": _now()})
        return workspace

    @property
    def slug(self) -> str:
        return self.folder.name

    # --------------------------------------------------------------- documents
    def _doc_path(self, key: str) -> Path:
        return self.folder / f"{_check_name(key)}.json"

    def save(self, key: str, value: Any) -> None:
        """Store a JSON-able value under ``key`` (atomic; the previous version is kept)."""
        path = self._doc_path(key)
        envelope = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "key": key,
            "saved": _now(),
            "data": value,
        }
        try:
            data = json.dumps(envelope, ensure_ascii=False, indent=1, default=_json_default)
        except (TypeError, ValueError) as exc:
            raise messages.error("workspace.not_serializable", key=key) from exc
        try:
            if path.exists():
                shutil.copyfile(path, path.with_suffix(".prev.json"))
            atomic_write(path, data.encode("utf-8"))
        except OSError as exc:
            raise messages.error("workspace.not_writable", path=str(self.folder)) from exc
        self._changed(key)

    def _read_envelope(self, path: Path) -> dict:
        envelope = _migrate(json.loads(path.read_text(encoding="utf-8")))
        if int(envelope.get("version", 0)) > FORMAT_VERSION:
            raise _TooNew(int(envelope["version"]))
        return envelope

    def load(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``. A damaged file is set aside, never lost."""
        path = self._doc_path(key)
        if not path.exists():
            return default
        try:
            return self._read_envelope(path)["data"]
        except _TooNew as exc:
            raise messages.error(
                "workspace.too_new", key=key, found=exc.version, expected=FORMAT_VERSION
            ) from None
        except (ValueError, UnicodeDecodeError, OSError):
            kept = self._set_aside(path)
            previous = path.with_suffix(".prev.json")
            try:
                value = self._read_envelope(previous)["data"]
            except (ValueError, UnicodeDecodeError, OSError, _TooNew):
                raise messages.error("workspace.corrupted", key=key, kept=kept.name) from None
            shutil.copyfile(previous, path)
            self.notices.append(
                messages.text("workspace.corrupted_recovered", key=key, kept=kept.name)
            )
            return value

    def _set_aside(self, path: Path) -> Path:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        kept = path.with_name(f"{path.name}.abime-{stamp}")
        os.replace(path, kept)
        return kept

    def delete(self, key: str) -> None:
        path = self._doc_path(key)
        if path.exists():
            path.unlink()
            self._changed(key)

    def keys(self) -> list[str]:
        return sorted(
            p.stem for p in self.folder.glob("*.json") if not p.name.endswith(".prev.json")
        )

    # ------------------------------------------------------------------ tables
    def _table_path(self, name: str) -> Path:
        return self.folder / "tables" / f"{_check_name(name)}.parquet"

    def save_table(self, name: str, table) -> None:
        """Store a DataFrame (atomic), keeping its column types."""
        buffer = io.BytesIO()
        frame = table.copy()
        frame.columns = [str(c) for c in frame.columns]
        frame.to_parquet(buffer, index=False)
        try:
            atomic_write(self._table_path(name), buffer.getvalue())
        except OSError as exc:
            raise messages.error("workspace.not_writable", path=str(self.folder)) from exc
        self._changed(f"table:{name}")

    def delete_table(self, name: str) -> None:
        path = self._table_path(name)
        if path.exists():
            path.unlink()
            self._changed(f"table:{name}")

    def has_table(self, name: str) -> bool:
        return self._table_path(name).exists()

    def load_table(self, name: str):
        import pandas as pd

        path = self._table_path(name)
        if not path.exists():
            raise messages.error("workspace.table_missing", name=name)
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            kept = self._set_aside(path)
            raise messages.error("workspace.table_unreadable", name=name, kept=kept.name) from exc

    # ------------------------------------------------------------------- files
    def _file_path(self, name: str) -> Path:
        return self.folder / "files" / _check_name(name)

    def save_file(self, name: str, data: bytes) -> Path:
        path = self._file_path(name)
        try:
            atomic_write(path, data)
        except OSError as exc:
            raise messages.error("workspace.not_writable", path=str(self.folder)) from exc
        self._changed(f"file:{name}")
        return path

    def read_file(self, name: str) -> bytes | None:
        path = self._file_path(name)
        return path.read_bytes() if path.exists() else None

    def file_path(self, name: str) -> Path:
        """Checked path of a stored file (it may not exist yet)."""
        return self._file_path(name)

    # ---------------------------------------------------------- export, reset
    def export_zip(self, max_bytes: int | None = None) -> bytes:
        """The learner's whole work as a ZIP archive (without backups of damaged files); refused
        in French when the files weigh more than ``max_bytes`` (:data:`EXPORT_MAX_BYTES`), so that
        an export never fills the server's memory, and so that it can be imported again."""
        limit = EXPORT_MAX_BYTES if max_bytes is None else max_bytes
        paths = [
            path
            for path in sorted(self.folder.rglob("*"))
            if path.is_file() and ".abime-" not in path.name and not path.name.endswith(".tmp")
        ]
        total = sum(path.stat().st_size for path in paths)
        if total > limit:
            raise messages.error(
                "workspace.export_too_large",
                size_mb=f"{total / 2**20:.1f}".replace(".", ","),
                max_mb=limit // 2**20,
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.relative_to(self.folder).as_posix())
        return buffer.getvalue()

    def import_zip(self, data: bytes) -> int:
        """Restore an archive made by :meth:`export_zip` over this workspace; returns files restored.

        Every entry is checked first (names, sizes): an archive with anything unexpected is refused
        whole, and the current work is kept as a backup before being replaced.
        """
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = archive.infolist()
        except (zipfile.BadZipFile, ValueError):
            raise messages.error("workspace.import_not_zip") from None
        allowed = re.compile(
            r"^(?:[a-z0-9][a-z0-9_.-]*\.json|(tables|files)/[a-z0-9][a-z0-9_.-]*)$"
        )
        total = 0
        for entry in entries:
            name = entry.filename
            if entry.is_dir() or not allowed.match(name) or ".." in name:
                raise messages.error("workspace.import_bad_entry", name=name[:80])
            total += entry.file_size
        if total > IMPORT_MAX_BYTES:
            raise messages.error("workspace.import_too_large", max_mb=IMPORT_MAX_BYTES // 2**20)
        if "learner.json" not in {e.filename for e in entries}:
            raise messages.error("workspace.import_not_zip")
        self.reset()
        for entry in entries:
            if entry.filename == "learner.json":
                continue  # the learner keeps their own pseudonym
            atomic_write(self.folder / entry.filename, archive.read(entry))
        self._changed("*")
        return len(entries) - 1

    def reset(self) -> Path | None:
        """Start afresh: the current work moves to a dated backup folder, nothing is deleted."""
        if not self.folder.exists():
            return None
        backups = self.folder.parent.parent / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = backups / f"{self.slug}-{stamp}"
        os.replace(self.folder, target)
        self.folder.mkdir(parents=True)
        self.save("learner", {"pseudonym": self.pseudonym, "created": _now()})
        self._changed("*")
        return target


class _TooNew(Exception):
    def __init__(self, version: int):
        self.version = version
