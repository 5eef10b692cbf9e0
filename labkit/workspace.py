"""The learner's workspace: everything a learner saves, shared between pages and sessions.

A learner is known by a pseudonym (no account). Their work lives in one folder,
``<root>/learners/<slug>/``, where ``slug`` is the pseudonym folded to lowercase ASCII. The root is
``$DATALAB_WORKSPACE`` or, by default, this copy's own ``workspace/`` folder (:func:`default_root`).

- Documents (``save``/``load``): JSON values by key (``canvas``, ``progress``, ``quiz``…), each in its
  own file wrapped in a versioned envelope. Writes are atomic (temporary file, fsync, rename) and the
  previous version is kept as ``<key>.prev.json``: a kernel killed mid-save loses nothing, and a file
  damaged by other means is set aside and its previous version used.
- Tables (``save_table``/``load_table``): pandas DataFrames as Parquet, keeping column types and
  index labels.
- Files (``save_file``/``read_file``): bytes (uploaded files, model files), by a checked name.
- Writes that belong together (a model file and its metadata, the parts of an imported bundle) go
  through :meth:`Workspace.together`: each file is staged beside its place, a journal lists them,
  then they are moved in; a process killed half-way is rolled forward when the workspace is next
  opened, so a reader never sees a model without its metadata or the reverse. A workspace import
  is written into a hidden folder first, then swapped in (the current work kept as a backup).
- A full disk or a read-only folder gives a French message, never a traceback.

**Projects.** A learner holds one or more projects (the running example is one, ``exemple``; their
own ones are ``projet-1``, ``projet-2``…), each a complete chain of work in its own folder,
``projects/<id>/``. What belongs to the learner rather than to one project (progress, quiz
answers, the files they uploaded, the module shown…) stays at the top; every other document, every
table and the project's files (its model) live in the *open* project's folder, named in the index
``projects.json``. :meth:`Workspace.open_project` switches by rewriting that index (one atomic
write: a process killed mid-switch leaves the previous project open, whole). A workspace saved
before projects existed is moved, once, into one project when opened (:meth:`_migrate_projects`).

No path built from what a person types reaches the file system unchecked: pseudonyms are folded to
a slug, and keys and names must match a strict pattern.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import io
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import platformdirs

from labkit import messages, paths

FORMAT = "datalab-workspace"
FORMAT_VERSION = 1
PSEUDONYM_MIN, PSEUDONYM_MAX = 2, 40
IMPORT_MAX_BYTES = 200 * 1024 * 1024
EXPORT_MAX_BYTES = IMPORT_MAX_BYTES  # what is exported can be imported again

JOURNAL = ".commit.json"  # the staged writes of an unfinished :meth:`Workspace.together`
LEFTOVER_SECONDS = 10 * 60  # temporary files older than this belong to a killed process
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")

# What belongs to the learner, not to one project (see the module docstring).
PROJECTS_KEY = "projects"
LEARNER_DOCUMENTS = frozenset(
    {"learner", "progress", "quiz", "activity", "last_error", "uploads", PROJECTS_KEY}
)
PROJECT_FILES = frozenset({"model.skops", "rapport-importe.html"})  # the rest: uploads
EXAMPLE_PROJECT = "exemple"
PROJECT_PREFIX = "projet-"
PROJECT_ID_RE = re.compile(rf"^(?:{EXAMPLE_PROJECT}|{PROJECT_PREFIX}[1-9][0-9]{{0,3}})$")
PROJECTS_MAX = 50
PROJECT_ARCHIVE_MARK = (
    "Un projet Datalab, exporté pour être importé dans un autre espace de travail.\n"
)
_PSEUDONYM_RE = re.compile(r"^[\w .'-]+$", re.UNICODE)
CACHE = "cache"  # the server's shared results beside ``learners/`` (labkit.roomcache.FOLDER)


def default_root() -> Path:
    """``$DATALAB_WORKSPACE``, else this copy's own folder ``workspace/`` (beside its
    ``notebooks/``): two copies of Datalab on one machine never share their learners, and a
    facilitator's room view shows only the learners of its own server (issue 24)."""
    env = os.environ.get("DATALAB_WORKSPACE")
    if env:
        return Path(env).expanduser()
    return paths.project_root() / "workspace"


def legacy_root() -> Path | None:
    """The folder every copy shared before each had its own (``~/.local/share/datalab``), when it
    still holds work and this copy's folder holds none: ``datalab start`` says where it is."""
    if os.environ.get("DATALAB_WORKSPACE"):
        return None
    old = Path(platformdirs.user_data_dir("datalab", appauthor=False))
    own = default_root()

    def has_work(folder: Path) -> bool:  # the server's shared cache is no one's work
        return folder.is_dir() and any(p.is_dir() and p.name != CACHE for p in folder.iterdir())

    return old if has_work(old) and not has_work(own) and old.resolve() != own.resolve() else None


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


def json_default(value: Any) -> Any:
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
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _copy_atomic(source: Path, target: Path) -> None:
    atomic_write(target, source.read_bytes())


def _fsync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``path`` (flushed to disk); its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_error(exc: OSError, path: Path | str):
    """The French error for a failed write: « disque plein » when it is, else « not writable »."""
    if getattr(exc, "errno", None) in _DISK_FULL:
        return messages.error("workspace.disk_full", path=str(path))
    return messages.error("workspace.not_writable", path=str(path))


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
        self._pending: list[tuple[Path, Path, str]] | None = None  # staged by together()
        self.project_id: str | None = None  # None: a folder saved before projects (read as is)
        self.project_folder = folder
        self._read_project_index()

    def _changed(self, what: str) -> None:
        for listener in list(self.listeners):
            listener(what)

    def _write(self, path: Path, data: bytes, what: str) -> None:
        """Write one file atomically, or stage it when inside :meth:`together`."""
        try:
            if self._pending is not None:
                self._pending.append((_stage(path, data), path, what))
                return
            atomic_write(path, data)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self._changed(what)

    @contextlib.contextmanager
    def together(self) -> Iterator[Workspace]:
        """Make every write of the block land together, or none of them (if the block raises).

        Files are staged beside their places; at the end a journal listing them is written, they
        are moved in and the journal removed. A process killed after the journal was written is
        completed by the next :meth:`open` (:meth:`_roll_forward`); killed before, nothing changed.
        """
        if self._pending is not None:  # nested: the outer block commits
            yield self
            return
        self._pending = pending = []
        try:
            yield self
        except BaseException:
            self._pending = None
            for tmp, _, _ in pending:
                tmp.unlink(missing_ok=True)
            raise
        self._pending = None
        if not pending:
            return
        journal = self.folder / JOURNAL
        moves = [
            [tmp.relative_to(self.folder).as_posix(), path.relative_to(self.folder).as_posix()]
            for tmp, path, _ in pending
        ]
        try:
            atomic_write(journal, json.dumps(moves).encode("utf-8"))
        except OSError as exc:
            for tmp, _, _ in pending:
                tmp.unlink(missing_ok=True)
            raise write_error(exc, self.folder) from exc
        try:
            for tmp, path, _ in pending:
                os.replace(tmp, path)
            for folder in {path.parent for _, path, _ in pending}:
                _fsync_dir(folder)
            journal.unlink(missing_ok=True)
        except OSError as exc:  # the journal stays: the next open finishes the moves
            raise write_error(exc, self.folder) from exc
        for _, _, what in pending:
            self._changed(what)

    def _roll_forward(self) -> None:
        """Finish the writes listed in an unfinished journal (see :meth:`together`)."""
        journal = self.folder / JOURNAL
        try:
            moves = json.loads(journal.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (ValueError, OSError):
            moves = []  # a journal is written atomically: unreadable means nothing to finish
        for move in moves if isinstance(moves, list) else []:
            try:
                tmp, target = (self.folder / str(part) for part in move)
            except (TypeError, ValueError):
                continue
            if ".." in str(move) or "'/" in str(move) or not tmp.name.endswith(".tmp"):
                continue  # only files staged inside this folder
            with contextlib.suppress(FileNotFoundError):  # already moved
                os.replace(tmp, target)
        for folder in self._data_folders():
            if folder.exists():
                _fsync_dir(folder)
        journal.unlink(missing_ok=True)

    def _data_folders(self) -> set[Path]:
        folders = {self.folder, self.folder / "tables", self.folder / "files"}
        projects = self.folder / "projects"
        for project in projects.iterdir() if projects.is_dir() else ():
            folders |= {project, project / "tables", project / "files"}
        return folders

    def _clean_leftovers(self) -> None:
        """Remove temporary files that a killed process left (older than a few minutes)."""
        limit = time.time() - LEFTOVER_SECONDS
        projects = self.folder / "projects"
        for partial in projects.glob(".projet-*") if projects.is_dir() else ():
            with contextlib.suppress(OSError):
                if partial.stat().st_mtime < limit:
                    shutil.rmtree(partial, ignore_errors=True)
        for folder in self._data_folders():
            for tmp in folder.glob(".*.tmp") if folder.exists() else ():
                with contextlib.suppress(OSError):
                    if tmp.stat().st_mtime < limit:
                        tmp.unlink()

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, pseudonym: str, root: Path | str | None = None) -> Workspace:
        """The workspace of ``pseudonym`` (checked), created if new."""
        pseudonym = normalize_pseudonym(pseudonym)
        root = Path(root) if root is not None else default_root()
        folder = root / "learners" / slugify(pseudonym)
        workspace = cls(folder, pseudonym)
        try:
            workspace._finish_import()
            folder.mkdir(parents=True, exist_ok=True)
            workspace._roll_forward()
            workspace._clean_leftovers()
            workspace._migrate_projects()
        except OSError as exc:
            raise write_error(exc, root) from exc
        if not (folder / "learner.json").exists():
            workspace.save("learner", {"pseudonym": pseudonym, "created": _now()})
        return workspace

    @property
    def slug(self) -> str:
        return self.folder.name

    # --------------------------------------------------------------- documents
    def _doc_path(self, key: str) -> Path:
        base = self.folder if key in LEARNER_DOCUMENTS else self.project_folder
        return base / f"{_check_name(key)}.json"

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
            data = json.dumps(envelope, ensure_ascii=False, indent=1, default=json_default)
        except (TypeError, ValueError) as exc:
            raise messages.error("workspace.not_serializable", key=key) from exc
        try:
            if path.exists():
                _copy_atomic(path, path.with_suffix(".prev.json"))
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self._write(path, data.encode("utf-8"), key)

    def _read_envelope(self, path: Path) -> dict:
        envelope = _migrate(json.loads(path.read_text(encoding="utf-8")))
        if int(envelope.get("version", 0)) > FORMAT_VERSION:
            raise TooNew(int(envelope["version"]))
        return envelope

    def load(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``. A damaged file is set aside, never lost."""
        path = self._doc_path(key)
        if not path.exists():
            return default
        try:
            return self._read_envelope(path)["data"]
        except TooNew as exc:
            raise messages.error(
                "workspace.too_new", key=key, found=exc.version, expected=FORMAT_VERSION
            ) from None
        except (ValueError, UnicodeDecodeError, OSError):
            kept = self._set_aside(path)
            previous = path.with_suffix(".prev.json")
            try:
                value = self._read_envelope(previous)["data"]
            except (ValueError, UnicodeDecodeError, OSError, TooNew):
                raise messages.error("workspace.corrupted", key=key, kept=kept.name) from None
            with contextlib.suppress(OSError):  # a full disk: the value is still given back
                _copy_atomic(previous, path)
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
            p.stem
            for p in {*self.folder.glob("*.json"), *self.project_folder.glob("*.json")}
            if not p.name.endswith(".prev.json") and not p.name.startswith(".")
        )

    # ------------------------------------------------------------------ tables
    def _table_path(self, name: str) -> Path:
        return self.project_folder / "tables" / f"{_check_name(name)}.parquet"

    def save_table(self, name: str, table) -> None:
        """Store a DataFrame (atomic), keeping its column types and its index labels (the rows of
        the learner's file, :mod:`labkit.data.rows`)."""
        buffer = io.BytesIO()
        frame = table.copy()
        frame.columns = [str(c) for c in frame.columns]
        frame.to_parquet(buffer, index=None)
        self._write(self._table_path(name), buffer.getvalue(), f"table:{name}")

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
        base = self.project_folder if name in PROJECT_FILES else self.folder
        return base / "files" / _check_name(name)

    def uploaded_files(self) -> list[dict[str, Any]]:
        """The files this learner uploaded or downloaded (kept for every project): name, size and
        when, newest first."""
        folder = self.folder / "files"
        found = []
        for path in folder.iterdir() if folder.is_dir() else ():
            if path.name.startswith(".") or path.name in PROJECT_FILES or not path.is_file():
                continue
            if not _KEY_RE.match(path.name):
                continue
            info = path.stat()
            stamp = _dt.datetime.fromtimestamp(info.st_mtime, _dt.UTC)
            found.append({"name": path.name, "bytes": info.st_size, "saved": stamp})
        return sorted(found, key=lambda item: item["saved"], reverse=True)

    def delete_file(self, name: str) -> None:
        path = self._file_path(name)
        if path.exists():
            try:
                path.unlink()
            except OSError as exc:
                raise write_error(exc, self.folder) from exc
            self._changed(f"file:{name}")

    def save_file(self, name: str, data: bytes) -> Path:
        path = self._file_path(name)
        self._write(path, data, f"file:{name}")
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
        return _zip_folder(self.folder, EXPORT_MAX_BYTES if max_bytes is None else max_bytes)

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
            rf"^(?:projects/(?:{EXAMPLE_PROJECT}|{PROJECT_PREFIX}[1-9][0-9]{{0,3}})/)?"
            r"(?:[a-z0-9][a-z0-9_.-]*\.json|(tables|files)/[a-z0-9][a-z0-9_.-]*)$"
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
        # Written whole into a hidden folder first, then swapped in: a process killed half-way
        # leaves either the previous work or the imported one (see _finish_import), never a mix.
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        staging = self.folder.parent / f".{self.slug}.import-{stamp}.partiel"
        try:
            staging.mkdir(parents=True)
            for entry in entries:
                if entry.filename == "learner.json":
                    continue  # the learner keeps their own pseudonym
                _stage_plain(staging / entry.filename, archive.read(entry))
            learner = {"pseudonym": self.pseudonym, "created": _now()}
            with contextlib.suppress(OSError, ValueError):
                mine = _migrate(json.loads((self.folder / "learner.json").read_text("utf-8")))
                if isinstance(mine.get("data"), dict):
                    learner = mine["data"]
            envelope = {"format": FORMAT, "version": FORMAT_VERSION, "key": "learner"}
            envelope |= {"saved": _now(), "data": learner}
            _stage_plain(
                staging / "learner.json",
                json.dumps(envelope, ensure_ascii=False, indent=1).encode("utf-8"),
            )
            _fsync_dir(staging)
            ready = staging.with_name(staging.name.removesuffix(".partiel") + ".pret")
            os.replace(staging, ready)
            _fsync_dir(self.folder.parent)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise write_error(exc, self.folder) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            self._finish_import()
            self._migrate_projects()  # an archive made before projects existed
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self._changed("*")
        return len(entries) - 1

    def _backup_target(self) -> Path:
        backups = self.folder.parent.parent / "backups"
        backups.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return backups / f"{self.slug}-{stamp}"

    def _finish_import(self) -> None:
        """Swap in a fully written import (``.<slug>.import-….pret``), the current work moving to a
        dated backup; called by :meth:`import_zip` and, after a process was killed during the swap,
        by :meth:`open`. Half-written imports (``….partiel``) of a killed process are removed."""
        parent = self.folder.parent
        if not parent.exists():
            return
        limit = time.time() - LEFTOVER_SECONDS
        for partial in parent.glob(f".{self.slug}.import-*.partiel"):
            with contextlib.suppress(OSError):
                if partial.stat().st_mtime < limit:
                    shutil.rmtree(partial, ignore_errors=True)
        for ready in sorted(parent.glob(f".{self.slug}.import-*.pret")):
            if self.folder.exists():
                os.replace(self.folder, self._backup_target())
            try:
                os.replace(ready, self.folder)
            except FileNotFoundError:
                continue  # another process finished it
            _fsync_dir(parent)

    def reset(self) -> Path | None:
        """Start afresh: the current work moves to a dated backup folder, nothing is deleted."""
        if not self.folder.exists():
            return None
        try:
            target = self._backup_target()
            os.replace(self.folder, target)
            self.folder.mkdir(parents=True)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self.save("learner", {"pseudonym": self.pseudonym, "created": _now()})
        self._migrate_projects()
        self._changed("*")
        return target

    # ---------------------------------------------------------------- projects
    def _read_project_index(self) -> None:
        """Route project entries to the open project's folder (see the module docstring)."""
        try:
            index = _migrate(json.loads((self.folder / f"{PROJECTS_KEY}.json").read_text("utf-8")))
        except (OSError, ValueError, UnicodeDecodeError):
            index = None
        data = index.get("data") if isinstance(index, dict) else None
        if not isinstance(data, dict):
            if (self.folder / f"{PROJECTS_KEY}.json").exists() or (
                self.folder / "projects"
            ).is_dir():
                self._route(EXAMPLE_PROJECT)  # an index damaged by other means: the example
            return
        opened = data.get("open")
        self._route(
            opened if isinstance(opened, str) and PROJECT_ID_RE.match(opened) else EXAMPLE_PROJECT
        )

    def _route(self, project_id: str) -> None:
        self.project_id = project_id
        self.project_folder = self.folder / "projects" / project_id

    def _legacy_entries(self) -> list[Path]:
        """The project entries of a folder saved before projects existed (at its top)."""
        found = []
        for path in self.folder.glob("*.json"):
            stem = path.name.removesuffix(".json").removesuffix(".prev")
            if not path.name.startswith(".") and stem not in LEARNER_DOCUMENTS:
                found.append(path)
        tables = self.folder / "tables"
        found += (
            [p for p in tables.iterdir() if not p.name.startswith(".")] if tables.is_dir() else []
        )
        found += [self.folder / "files" / name for name in PROJECT_FILES]
        return [path for path in found if path.is_file()]

    def _migrate_projects(self) -> None:
        """Move a folder saved before projects existed into one project, then write the index.

        Entries move one by one into a hidden folder, which is renamed into place, then the index
        is written: a process killed at any point is finished by the next :meth:`open`.
        """
        index = self.folder / f"{PROJECTS_KEY}.json"
        projects = self.folder / "projects"
        staging = projects / ".migration"
        legacy = self._legacy_entries()
        if index.exists() and not legacy and not staging.exists():
            self._read_project_index()
            return
        moved_to = None
        if legacy or staging.exists():
            staging.mkdir(parents=True, exist_ok=True)
            for path in legacy:
                target = staging / path.relative_to(self.folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            moved_to = self._free_project_id(staging)
            os.replace(staging, projects / moved_to)
            _fsync_dir(projects)
            with contextlib.suppress(OSError):  # emptied: only uploads stay at the top
                (self.folder / "tables").rmdir()
        self._route(moved_to or self.project_id or EXAMPLE_PROJECT)
        self.project_folder.mkdir(parents=True, exist_ok=True)
        self.save(PROJECTS_KEY, {"open": self.project_id})

    def _free_project_id(self, staging: Path) -> str:
        """Where migrated work goes: the example project when it was the running example's (or
        nothing says), else a new own project."""
        try:
            stored = _migrate(json.loads((staging / "project.json").read_text("utf-8")))
            kind = (stored.get("data") or {}).get("kind")
        except (OSError, ValueError, UnicodeDecodeError, AttributeError):
            kind = None
        if kind != "propre" and not (self.folder / "projects" / EXAMPLE_PROJECT).exists():
            return EXAMPLE_PROJECT
        return self._next_project_id()

    def _next_project_id(self) -> str:
        taken = {p.name for p in (self.folder / "projects").glob(f"{PROJECT_PREFIX}*")}
        number = 1
        while f"{PROJECT_PREFIX}{number}" in taken:
            number += 1
        return f"{PROJECT_PREFIX}{number}"

    def project_ids(self) -> list[str]:
        """Every project of this learner, the example first, then their own in creation order."""
        projects = self.folder / "projects"
        own = [
            p.name
            for p in (projects.iterdir() if projects.is_dir() else ())
            if p.is_dir() and PROJECT_ID_RE.match(p.name) and p.name != EXAMPLE_PROJECT
        ]
        own.sort(key=lambda name: int(name.removeprefix(PROJECT_PREFIX)))
        return [EXAMPLE_PROJECT, *own]

    def project_document(self, project_id: str, key: str, default: Any = None) -> Any:
        """A document of another project, read without opening it (for the project list)."""
        if project_id not in self.project_ids():
            return default
        path = self.folder / "projects" / project_id / f"{_check_name(key)}.json"
        try:
            return self._read_envelope(path)["data"]
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, TooNew):
            return default

    def open_project(self, project_id: str) -> None:
        """Make ``project_id`` the open project (it must exist; the example always does)."""
        if project_id not in self.project_ids():
            raise messages.error("workspace.project_unknown")
        if project_id == self.project_id:
            return
        folder = self.folder / "projects" / project_id
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self.save(PROJECTS_KEY, {"open": project_id})  # the one write that switches
        self._route(project_id)
        self._changed("*")

    def new_project(self, fill: Callable[[], object] | None = None) -> str:
        """Create an own project, run ``fill`` in it (its first writes), then open it; its id.

        The project is made in a hidden folder and renamed into place when ``fill`` has finished,
        then opened (one write of the index): a process killed half-way leaves the learner in the
        project they were in, and no half-made project (:meth:`_clean_leftovers` removes it); a
        ``fill`` that raises leaves nothing either.
        """
        if len(self.project_ids()) > PROJECTS_MAX:
            raise messages.error("workspace.projects_too_many", max=PROJECTS_MAX)
        project_id = self._next_project_id()
        previous = self.project_id or EXAMPLE_PROJECT
        staging = self.folder / "projects" / f".{project_id}.nouveau"
        try:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        self.project_id, self.project_folder = project_id, staging
        try:
            if fill is not None:
                fill()
            os.replace(staging, self.folder / "projects" / project_id)
            _fsync_dir(self.folder / "projects")
        except BaseException as exc:
            self._route(previous)
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise write_error(exc, self.folder) from exc
            raise
        self._route(previous)
        self.open_project(project_id)
        return project_id

    def delete_project(self, project_id: str) -> Path:
        """Put an own project aside (moved to the backups, never deleted); the example cannot be.
        When it was open, the example project is opened."""
        if project_id == EXAMPLE_PROJECT or project_id not in self.project_ids():
            raise messages.error("workspace.project_not_deletable")
        if project_id == self.project_id:
            self.open_project(EXAMPLE_PROJECT)
        try:
            target = self._backup_target()
            os.replace(
                self.folder / "projects" / project_id,
                target.with_name(f"{target.name}-{project_id}"),
            )
        except OSError as exc:
            raise write_error(exc, self.folder) from exc
        return target

    def export_project(self, max_bytes: int | None = None) -> bytes:
        """The open project alone as a ZIP archive (for :meth:`import_project`)."""
        limit = EXPORT_MAX_BYTES if max_bytes is None else max_bytes
        return _zip_folder(self.project_folder, limit, mark=PROJECT_ARCHIVE_MARK)

    def import_project(self, data: bytes) -> str:
        """Add a project exported by :meth:`export_project` as a new own project, and open it.

        Every entry is checked first (names, sizes): anything unexpected and nothing is added. The
        project is written into a hidden folder, then renamed into place.
        """
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = archive.infolist()
        except (zipfile.BadZipFile, ValueError):
            raise messages.error("workspace.import_project_not_zip") from None
        names = {entry.filename for entry in entries}
        if "datalab-projet.txt" not in names:
            raise messages.error("workspace.import_project_not_zip")
        allowed = re.compile(
            r"^(?:[a-z0-9][a-z0-9_.-]*\.json|(tables|files)/[a-z0-9][a-z0-9_.-]*)$"
        )
        total = 0
        for entry in entries:
            name = entry.filename
            if name == "datalab-projet.txt":
                continue
            if entry.is_dir() or not allowed.match(name) or ".." in name:
                raise messages.error("workspace.import_bad_entry", name=name[:80])
            if name.removesuffix(".json").removesuffix(".prev") in LEARNER_DOCUMENTS:
                raise messages.error("workspace.import_bad_entry", name=name[:80])
            if name.startswith("files/") and name.removeprefix("files/") not in PROJECT_FILES:
                raise messages.error("workspace.import_bad_entry", name=name[:80])
            total += entry.file_size
        if total > IMPORT_MAX_BYTES:
            raise messages.error("workspace.import_too_large", max_mb=IMPORT_MAX_BYTES // 2**20)
        if len(self.project_ids()) > PROJECTS_MAX:
            raise messages.error("workspace.projects_too_many", max=PROJECTS_MAX)
        project_id = self._next_project_id()
        staging = self.folder / "projects" / f".{project_id}.import"
        try:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for entry in entries:
                if entry.filename != "datalab-projet.txt":
                    _stage_plain(staging / entry.filename, archive.read(entry))
            os.replace(staging, self.folder / "projects" / project_id)
            _fsync_dir(self.folder / "projects")
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise write_error(exc, self.folder) from exc
        self.open_project(project_id)
        return project_id


def _zip_folder(folder: Path, limit: int, mark: str | None = None) -> bytes:
    """The files of ``folder`` as a ZIP archive, without hidden files or folders (unfinished
    writes) nor damaged files set aside; refused in French above ``limit`` bytes, so that an export
    never fills the server's memory and can be imported again. ``mark`` names a project archive."""
    paths = [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and ".abime-" not in path.name
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
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
        if mark is not None:
            archive.writestr("datalab-projet.txt", mark)
        for path in paths:
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _stage_plain(path: Path, data: bytes) -> None:
    """Write a file of a folder not in use yet (flushed to disk, no rename needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class TooNew(Exception):
    def __init__(self, version: int):
        self.version = version
