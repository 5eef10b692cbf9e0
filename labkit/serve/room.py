"""The facilitator's room: every learner's workspace read into the tables of the room view.

Pure: no tornado, no widgets. :class:`RoomReader` reads ``<root>/learners/*/`` and builds a
:class:`Room`: one :class:`LearnerRow` per pseudonym (current module, each module's status, quiz
score per module, dataset, saved model and its score, last activity, last error shown), and for the
room, per module and per quiz question. Reading never writes to a learner's folder (a damaged
document is skipped with a French note, not set aside as the learner's own page would), and a
learner whose documents did not change since the last refresh is not read again.

Two small documents written by the learner's page feed it (:mod:`labkit.learner.activity`):
``activity`` (the module shown, when the learner switched to it) and ``last_error`` (the last error
message shown, and whether a success followed it).

:func:`reset_module` is the one write: the facilitator's « repartir de zéro » on one module.

On a JupyterHub the learners' folders are out of reach: :class:`PostedRoom` builds the same room
from the rows the learners' own kernels send (:func:`row_summary`, checked by
:func:`row_from_summary`), and a reset waits there until that learner's kernel takes it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit import messages, paths
from labkit.course import quiz
from labkit.course.modules import STATUSES, Module, load_modules, registry_path
from labkit.learner.activity import ACTIVITY_KEY, LAST_ERROR_KEY
from labkit.learner.course import quiz_answers, quiz_score, set_status
from labkit.settings import examples_dir
from labkit.workspace import EXAMPLE_PROJECT, TooNew, Workspace, default_root

# The keys other modules write (their functions import pandas or scikit-learn, which the server
# does not need): ``labkit.learner.dataset.KEY`` and ``labkit.model.model_store.TRAINING_KEY``.
DATASET_KEY = "dataset"
TRAINING_KEY = "training"
IDLE_MINUTES = 10  # no activity for this long: « Inactif »
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def _t(name: str, /, **values: Any) -> str:
    return messages.text(f"room.{name}", **values)


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _parse_time(value: Any) -> _dt.datetime | None:
    """An ISO time as stored by the workspace (UTC) or by ``set_status`` (local, naive)."""
    if not isinstance(value, str):
        return None
    try:
        moment = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(_dt.UTC) if moment.tzinfo is None else moment.astimezone(_dt.UTC)


# ------------------------------------------------------------------- reading, never writing
class _Unreadable(Exception):
    def __init__(self, key: str):
        self.key = key


class ReadOnlyWorkspace(Workspace):
    """A learner's workspace as the facilitator reads it: documents are read once each, a damaged
    one raises :class:`_Unreadable` (nothing is moved or repaired), and nothing is written."""

    def __init__(self, folder: Path, pseudonym: str):
        super().__init__(folder, pseudonym)
        self._read: dict[str, Any] = {}

    def load(self, key: str, default: Any = None) -> Any:
        if key not in self._read:
            path = self._doc_path(key)
            if not path.exists():
                self._read[key] = None
            else:
                try:
                    self._read[key] = self._read_envelope(path)["data"]
                except (ValueError, UnicodeDecodeError, OSError, KeyError, TypeError, TooNew):
                    raise _Unreadable(key) from None
        value = self._read[key]
        return default if value is None else value

    def save(self, key: str, value: Any) -> None:  # pragma: no cover - a programming error
        raise PermissionError("the room view never writes a learner's work")


# ------------------------------------------------------------------------- the tables
@dataclass
class LearnerRow:
    slug: str
    pseudonym: str
    statuses: dict[str, str] = field(default_factory=dict)  # module id → todo/in_progress/done
    scores: dict[str, tuple[int, int]] = field(default_factory=dict)  # module id → (right, total)
    first_tries: dict[tuple[str, str], bool] = field(default_factory=dict)  # (module, question)
    current: str = ""  # module number shown
    project: str = ""  # the title of the project open on the learner's page
    dataset: str = ""
    model: str = ""
    model_metric: str = ""
    model_score: float | None = None
    last_activity: _dt.datetime | None = None
    error: str = ""
    error_module: str = ""
    error_at: _dt.datetime | None = None
    error_resolved: bool = True
    notes: list[str] = field(default_factory=list)

    def state(self, now: _dt.datetime) -> str:
        """``stuck``, ``idle``, ``new`` or ``active``."""
        if self.error and not self.error_resolved:
            return "stuck"
        if self.last_activity is None or now - self.last_activity > _dt.timedelta(
            minutes=IDLE_MINUTES
        ):
            return "idle"
        if not any(s != "todo" for s in self.statuses.values()) and not self.current:
            return "new"
        return "active"

    def done_count(self) -> int:
        return sum(1 for s in self.statuses.values() if s == "done")


@dataclass
class Room:
    generated: _dt.datetime
    modules: list[Module]
    learners: list[LearnerRow]
    per_module: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    notes: list[str]
    quiz_modules: list[str] = field(default_factory=list)  # ids of the modules with a quiz

    def counts(self) -> dict[str, int]:
        states = [row.state(self.generated) for row in self.learners]
        return {
            "learners": len(self.learners),
            "active": states.count("active") + states.count("new"),
            "stuck": states.count("stuck"),
            "idle": states.count("idle"),
        }

    def learner(self, slug: str) -> LearnerRow | None:
        return next((row for row in self.learners if row.slug == slug), None)


class _Content:
    """The modules and quiz banks, read again only when their files change."""

    def __init__(self):
        self.signature: tuple | None = None
        self.modules: list[Module] = []
        self.banks: dict[str, quiz.Bank] = {}
        self.notes: list[str] = []

    def refresh(self) -> None:
        # The quizzes ask the running example's questions too: its story file and the settings
        # that name it count.
        files = [
            registry_path(),
            *sorted(quiz.bank_path("x").parent.glob("*.yaml")),
            paths.content_dir() / "settings.yaml",
            *sorted(examples_dir().glob("*.yaml")),
        ]
        signature = tuple(_stat(path) for path in files)
        if signature == self.signature:
            return
        self.signature, self.notes, self.banks = signature, [], {}
        try:
            self.modules = load_modules()
        except Exception as exc:  # noqa: BLE001 - a facilitator's edit must not break the view
            self.modules = []
            self.notes.append(_t("note_content", error=str(exc)))
            return
        for module in self.modules:
            if not quiz.bank_path(module.id).is_file():
                continue
            try:
                self.banks[module.id] = quiz.load_bank(module.id)
            except Exception:  # noqa: BLE001 - same
                self.notes.append(_t("note_bank", module=module.label))


def _stat(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), info.st_mtime_ns, info.st_size)


class RoomReader:
    """Builds the :class:`Room` of a workspace root; keeps each learner's row until their
    documents change (a refresh reads only the learners who did something since the last one)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.content = _Content()
        self._rows: dict[str, tuple[tuple, LearnerRow]] = {}

    def summary(self, now: _dt.datetime | None = None) -> Room:
        now = now or _now()
        self.content.refresh()
        notes = list(self.content.notes)
        rows = self._rows_now(notes)
        rows.sort(key=lambda r: r.pseudonym.casefold())
        return Room(
            generated=now,
            modules=list(self.content.modules),
            learners=rows,
            per_module=self._per_module(rows),
            questions=self._questions(rows),
            notes=notes,
            quiz_modules=[m.id for m in self.content.modules if m.id in self.content.banks],
        )

    def _rows_now(self, notes: list[str]) -> list[LearnerRow]:
        """Every learner's row, read again only for the learners whose documents changed."""
        rows: list[LearnerRow] = []
        seen: set[str] = set()
        for folder in self._folders():
            seen.add(folder.name)
            try:
                signature = _signature(folder)
            except OSError:
                notes.append(_t("note_unreadable_folder", slug=folder.name))
                continue
            cached = self._rows.get(folder.name)
            if cached is None or cached[0] != (signature, self.content.signature):
                row = self._read_learner(folder)
                self._rows[folder.name] = ((signature, self.content.signature), row)
            else:
                row = cached[1]
            rows.append(row)
            notes.extend(row.notes)
        for gone in set(self._rows) - seen:
            del self._rows[gone]
        return rows

    def learner_row(self, folder: Path) -> LearnerRow:
        """One learner's row, read from their folder now (what a learner's own kernel sends to the
        room service of a JupyterHub, :mod:`labkit.learner.roomlink`)."""
        self.content.refresh()
        return self._read_learner(folder)

    # The room view's two questions about one learner, and its one write.
    remote = False  # the learners' folders are not on this machine (JupyterHub's room service)

    def knows(self, slug: str) -> bool:
        return self.folder_of(slug) is not None

    def pending(self, slug: str) -> list[str]:
        """The modules whose reset was asked and is not done yet (none: it is done at once)."""
        return []

    def reset(self, slug: str, module_id: str) -> None:
        """« Repartir de zéro » on one module for one learner (see :func:`reset_module`)."""
        folder = self.folder_of(slug)
        if folder is not None:
            reset_module(folder, module_id)

    # ---------------------------------------------------------------- one learner
    def _folders(self) -> list[Path]:
        learners = self.root / "learners"
        try:
            return sorted(p for p in learners.iterdir() if p.is_dir() and SLUG_RE.match(p.name))
        except OSError:
            return []

    def folder_of(self, slug: str) -> Path | None:
        if not SLUG_RE.match(slug or ""):
            return None
        folder = self.root / "learners" / slug
        return folder if folder.is_dir() else None

    def _read_learner(self, folder: Path) -> LearnerRow:
        notes: list[str] = []
        pseudonym = folder.name
        try:
            stored = ReadOnlyWorkspace(folder, folder.name).load("learner", {})
            if isinstance(stored, dict) and isinstance(stored.get("pseudonym"), str):
                pseudonym = stored["pseudonym"]
            else:
                notes.append(_t("note_no_pseudonym", slug=folder.name))
        except _Unreadable:
            notes.append(_t("note_no_pseudonym", slug=folder.name))
        workspace = ReadOnlyWorkspace(folder, pseudonym)
        row = LearnerRow(slug=folder.name, pseudonym=pseudonym, notes=notes)

        def read(what, reader):
            try:
                reader()
            except _Unreadable as exc:
                notes.append(_t("note_unreadable", key=exc.key, pseudonym=pseudonym))
            except (AttributeError, TypeError, ValueError, KeyError):
                notes.append(_t("note_unreadable", key=what, pseudonym=pseudonym))

        read("progress", lambda: self._read_progress(workspace, row))
        read("quiz", lambda: self._read_quiz(workspace, row))
        read(ACTIVITY_KEY, lambda: self._read_activity(workspace, row))
        read("project", lambda: self._read_project(workspace, row))
        read(DATASET_KEY, lambda: self._read_dataset(workspace, row))
        read(TRAINING_KEY, lambda: self._read_model(workspace, row))
        read(LAST_ERROR_KEY, lambda: self._read_error(workspace, row))
        row.last_activity = _latest(row.last_activity, _last_write(folder))
        return row

    def _read_progress(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        # The rule of ``labkit.learner.course.progress`` (same statuses, same fallback), over the modules
        # read once per refresh: ``progress`` reads modules.yaml again for every learner (7 ms).
        stored = workspace.load("progress", {}) or {}
        if not isinstance(stored, dict):
            raise _Unreadable("progress")
        latest: tuple[_dt.datetime, str] | None = None
        for module in self.content.modules:
            entry = stored.get(module.id) or {}
            status = entry.get("status", "todo") if isinstance(entry, dict) else "todo"
            row.statuses[module.id] = status if status in STATUSES else "todo"
            when = _parse_time(entry.get("updated")) if isinstance(entry, dict) else None
            if when is not None and (latest is None or when > latest[0]):
                latest = (when, module.number)
        if latest is not None:
            row.current = latest[1]  # until ``activity`` says better (module pages opened alone)

    def _read_quiz(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        if not isinstance(workspace.load("quiz", {}), dict):
            raise _Unreadable("quiz")
        for module_id, bank in self.content.banks.items():
            answered = quiz_answers(workspace, module_id)
            if not answered:
                continue
            row.scores[module_id] = quiz_score(workspace, bank)
            for problem in bank.problems:
                entry = answered.get(problem.id)
                if isinstance(problem, quiz.OpenQuestion) or not isinstance(entry, dict):
                    continue
                if int(entry.get("attempts", 0) or 0) < 1:
                    continue  # only a hint seen
                first = entry.get("outcome") == quiz.CORRECT and int(entry["attempts"]) == 1
                row.first_tries[(module_id, problem.id)] = first

    def _read_activity(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        stored = workspace.load(ACTIVITY_KEY, None)
        if isinstance(stored, dict):
            if isinstance(stored.get("module"), str):
                row.current = stored["module"]
            row.last_activity = _latest(row.last_activity, _parse_time(stored.get("at")))

    def _read_project(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        if workspace.project_id in (None, EXAMPLE_PROJECT):
            row.project = _t("project_example")
            return
        stored = workspace.load("project", None)
        title = stored.get("title") if isinstance(stored, dict) else None
        row.project = str(title or workspace.project_id)[:120]

    def _read_dataset(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        stored = workspace.load(DATASET_KEY, None)
        if isinstance(stored, dict):
            row.dataset = str(stored.get("name") or "")[:120]

    def _read_model(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        stored = workspace.load(TRAINING_KEY, None)
        if not isinstance(stored, dict):
            return
        row.model = str(stored.get("name") or stored.get("model") or "")[:80]
        row.model_metric = str(stored.get("metric") or "")
        for key in ("test_score", "cv_score"):
            value = stored.get(key)
            if value is None and isinstance(stored.get("info"), dict):
                value = stored["info"].get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                row.model_score = float(value)
                break

    def _read_error(self, workspace: ReadOnlyWorkspace, row: LearnerRow) -> None:
        stored = workspace.load(LAST_ERROR_KEY, None)
        if isinstance(stored, dict) and stored.get("text"):
            row.error = str(stored["text"])[:500]
            row.error_module = str(stored.get("module") or "")
            row.error_at = _parse_time(stored.get("at"))
            row.error_resolved = bool(stored.get("resolved"))

    # ------------------------------------------------------------------- the room
    def _per_module(self, rows: list[LearnerRow]) -> list[dict[str, Any]]:
        table = []
        for module in self.content.modules:
            statuses = [row.statuses.get(module.id, "todo") for row in rows]
            table.append(
                {
                    "module": module,
                    "here": sum(1 for row in rows if row.current == module.number),
                    "in_progress": statuses.count("in_progress"),
                    "done": statuses.count("done"),
                    "total": len(rows),
                }
            )
        return table

    def _questions(self, rows: list[LearnerRow]) -> list[dict[str, Any]]:
        table = []
        for module in self.content.modules:
            bank = self.content.banks.get(module.id)
            if bank is None:
                continue
            for problem in bank.problems:
                tries = [
                    row.first_tries[(module.id, problem.id)]
                    for row in rows
                    if (module.id, problem.id) in row.first_tries
                ]
                if not tries:
                    continue
                table.append(
                    {
                        "module": module,
                        "id": problem.id,
                        "prompt": problem.prompt,
                        "attempted": len(tries),
                        "first_try": sum(tries),
                        "share": sum(tries) / len(tries),
                    }
                )
        table.sort(key=lambda q: (q["share"], -q["attempted"]))
        return table


def _signature(folder: Path) -> tuple:
    """What changes when the learner's page writes a document."""
    entries = []
    folders = [folder]
    projects = folder / "projects"
    if projects.is_dir():
        folders += [p for p in projects.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for where in folders:
        with os.scandir(where) as listing:
            for entry in listing:
                if entry.name.endswith(".json") and not entry.name.endswith(".prev.json"):
                    info = entry.stat()
                    entries.append((f"{where.name}/{entry.name}", info.st_mtime_ns, info.st_size))
    return tuple(sorted(entries))


def _last_write(folder: Path) -> _dt.datetime | None:
    times = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.name.endswith(".json") and not entry.name.endswith(".prev.json"):
                    times.append(entry.stat().st_mtime)
    except OSError:
        return None
    return _dt.datetime.fromtimestamp(max(times), _dt.UTC) if times else None


def _latest(*moments: _dt.datetime | None) -> _dt.datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


# ------------------------------------------------------- the room of a JupyterHub
# What a learner's kernel sends to the hub's room service: the row of the room view, never data,
# recipes or models (names and scores only). Every field is checked and cut to a size when it comes
# in: the service takes it from any logged-in user of the hub.
_TEXT_LIMITS = {
    "current": 8,
    "project": 120,
    "dataset": 120,
    "model": 80,
    "model_metric": 40,
    "error": 500,
    "error_module": 60,
}
_ID_RE = re.compile(r"^[0-9A-Za-z_.-]{1,80}$")
MAX_NOTES = 20


def row_summary(row: LearnerRow) -> dict[str, Any]:
    """A learner's row as JSON (what :mod:`labkit.learner.roomlink` posts)."""

    def when(moment: _dt.datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "statuses": dict(row.statuses),
        "scores": {module: list(score) for module, score in row.scores.items()},
        "first_tries": [[m, q, ok] for (m, q), ok in row.first_tries.items()],
        **{name: getattr(row, name) for name in _TEXT_LIMITS},
        "model_score": row.model_score,
        "last_activity": when(row.last_activity),
        "error_at": when(row.error_at),
        "error_resolved": row.error_resolved,
        "notes": row.notes[:MAX_NOTES],
    }


def row_from_summary(slug: str, pseudonym: str, data: Any) -> LearnerRow:
    """The row a learner's kernel sent, checked; :class:`ValueError` names the first bad field."""
    if not isinstance(data, dict):
        raise ValueError("summary")
    row = LearnerRow(slug=slug, pseudonym=pseudonym)
    statuses = data.get("statuses") or {}
    if not isinstance(statuses, dict) or len(statuses) > 100:
        raise ValueError("statuses")
    for module, status in statuses.items():
        if not _ID_RE.match(str(module)) or status not in STATUSES:
            raise ValueError("statuses")
        row.statuses[module] = status
    scores = data.get("scores") or {}
    if not isinstance(scores, dict) or len(scores) > 100:
        raise ValueError("scores")
    for module, score in scores.items():
        if (
            not _ID_RE.match(str(module))
            or not isinstance(score, list)
            or len(score) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in score)
            or not 0 <= score[0] <= score[1] <= 1000
        ):
            raise ValueError("scores")
        row.scores[module] = (score[0], score[1])
    tries = data.get("first_tries") or []
    if not isinstance(tries, list) or len(tries) > 2000:
        raise ValueError("first_tries")
    for entry in tries:
        if (
            not isinstance(entry, list)
            or len(entry) != 3
            or not all(isinstance(part, str) and _ID_RE.match(part) for part in entry[:2])
            or not isinstance(entry[2], bool)
        ):
            raise ValueError("first_tries")
        row.first_tries[(entry[0], entry[1])] = entry[2]
    for name, limit in _TEXT_LIMITS.items():
        value = data.get(name) or ""
        if not isinstance(value, str):
            raise ValueError(name)
        setattr(row, name, value[:limit])
    score = data.get("model_score")
    if score is not None and (
        not isinstance(score, (int, float)) or isinstance(score, bool) or score != score
    ):
        raise ValueError("model_score")
    row.model_score = None if score is None else float(score)
    for name in ("last_activity", "error_at"):
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or _parse_time(value) is None):
            raise ValueError(name)
        setattr(row, name, _parse_time(value))
    if not isinstance(data.get("error_resolved", True), bool):
        raise ValueError("error_resolved")
    row.error_resolved = data.get("error_resolved", True)
    notes = data.get("notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ValueError("notes")
    row.notes = [note[:300] for note in notes[:MAX_NOTES]]
    return row


def hub_slug(name: str) -> str:
    """The room's address for a JupyterHub user name (any characters the hub allows)."""
    folded = re.sub(r"[^a-z0-9-]+", "-", name.casefold()).strip("-")[:60] or "x"
    if folded != name:
        folded += "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return folded


class PostedRoom(RoomReader):
    """The room of a JupyterHub: each learner's folder is on their own server, out of reach, and
    their kernel posts its row to the hub's room service (:mod:`labkit.serve.hubroom`). The
    facilitator's « repartir de zéro » waits here until that learner's kernel posts again, and
    travels back in the answer; the learner's own kernel applies it (:func:`reset_module`)."""

    remote = True

    def __init__(self):
        self.content = _Content()
        self._posted: dict[str, LearnerRow] = {}
        self._pending: dict[str, set[str]] = {}

    def post(self, user: str, data: Any) -> list[str]:
        """Keep what ``user``'s kernel sent; the modules to reset in their work, once."""
        slug = hub_slug(user)
        self._posted[slug] = row_from_summary(slug, user, data)
        return sorted(self._pending.pop(slug, set()))

    def pending(self, slug: str) -> list[str]:
        return sorted(self._pending.get(slug, set()))

    def _rows_now(self, notes: list[str]) -> list[LearnerRow]:
        return list(self._posted.values())

    def folder_of(self, slug: str) -> Path | None:
        return None

    def knows(self, slug: str) -> bool:
        return slug in self._posted

    def reset(self, slug: str, module_id: str) -> None:
        self._pending.setdefault(slug, set()).add(module_id)


# ----------------------------------------------------------------------- the one write
def reset_module(folder: Path, module_id: str) -> None:
    """« Repartir de zéro » on one module for one learner: its status back to « todo », its quiz
    answers (and hints seen) removed, and the last error forgotten if it was shown in that module.
    Everything else is kept; the workspace keeps the previous versions (``*.prev.json``)."""
    reader = ReadOnlyWorkspace(folder, folder.name)
    try:
        stored = reader.load("learner", {})
        pseudonym = stored.get("pseudonym") if isinstance(stored, dict) else None
    except _Unreadable:
        pseudonym = None
    workspace = Workspace(folder, pseudonym or folder.name)
    set_status(workspace, module_id, "todo")
    answers = dict(workspace.load("quiz", {}) or {})
    if module_id in answers:
        del answers[module_id]
        workspace.save("quiz", answers)
    error = workspace.load(LAST_ERROR_KEY, None)
    if isinstance(error, dict) and error.get("module") == module_id:
        workspace.delete(LAST_ERROR_KEY)


# ------------------------------------------------------------------------ plain values
def metric_name(metric: str) -> str:
    key = f"room.metric_{metric}"
    return messages.text(key) if key in messages.keys() else metric


def learners_table(room: Room) -> list[dict[str, Any]]:
    """One dict per learner, French column names: the CSV export and the summary page."""
    table = []
    for row in room.learners:
        entry = {
            _t("col_pseudonym"): row.pseudonym,
            _t("col_state"): _t(f"state_{row.state(room.generated)}"),
            _t("col_current"): row.current,
        }
        for module in room.modules:
            entry[module.label] = _t(f"status_{row.statuses.get(module.id, 'todo')}")
        for module in room.modules:
            if module.id in room.quiz_modules:
                right, total = row.scores.get(module.id, (None, None))
                entry[_t("col_quiz_module", number=module.number)] = (
                    "" if right is None else _t("quiz_cell", right=right, total=total)
                )
        entry[_t("col_project")] = row.project
        entry[_t("col_dataset")] = row.dataset
        entry[_t("col_model")] = row.model
        entry[_t("col_model_score")] = "" if row.model_score is None else round(row.model_score, 3)
        entry[_t("col_activity")] = (
            row.last_activity.astimezone().strftime("%d/%m/%Y %H:%M") if row.last_activity else ""
        )
        entry[_t("col_error")] = row.error if not row.error_resolved else ""
        table.append(entry)
    return table


def modules_table(room: Room) -> list[dict[str, Any]]:
    return [
        {
            _t("col_module"): item["module"].label,
            _t("col_here"): item["here"],
            _t("col_in_progress"): item["in_progress"],
            _t("col_done"): item["done"],
            _t("col_total"): item["total"],
        }
        for item in room.per_module
    ]


def questions_table(room: Room) -> list[dict[str, Any]]:
    return [
        {
            _t("col_module"): item["module"].label,
            _t("col_question"): item["prompt"],
            _t("col_attempted"): item["attempted"],
            _t("col_first_try"): item["first_try"],
            _t("col_share"): round(100 * item["share"]),
        }
        for item in room.questions
    ]


def ago(moment: _dt.datetime | None, now: _dt.datetime) -> str:
    """« il y a 4 min »."""
    if moment is None:
        return _t("never")
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return _t("ago_now")
    minutes = seconds // 60
    if minutes < 60:
        return _t("ago_minutes", minutes=minutes)
    if minutes < 24 * 60:
        return _t("ago_hours", hours=minutes // 60, minutes=minutes % 60)
    return _t("ago_days", date=moment.astimezone().strftime("%d/%m %H:%M"))
