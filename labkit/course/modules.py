"""The module registry: the workshop's modules in order, read from ``content/modules.yaml``.

The home page, the navigation bar and the facilitator guide all read it, so a facilitator changes a
title, a duration or the order in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from labkit import messages, paths
from labkit.yamlfile import identified, load_yaml, require, shown_path, where

STATUSES = ("todo", "in_progress", "done")
STATUS_LABELS = {status: messages.text(f"project.status_{status}") for status in STATUSES}


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    subtitle: str
    day: int
    slot: str
    teaching_minutes: int
    exercise_minutes: int
    objectives: tuple[str, ...]
    needs: tuple[str, ...] = field(default_factory=tuple)
    # The « déroulé » of the guide's module page: (minutes, what happens), adding up to the module
    schedule: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    @property
    def number(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def minutes(self) -> int:
        return self.teaching_minutes + self.exercise_minutes

    @property
    def notebook(self) -> str:
        return f"{self.id}.ipynb"

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}" if self.number != "00" else self.title


def registry_path() -> Path:
    return paths.content_dir() / "modules.yaml"


def load_modules(path: Path | None = None) -> list[Module]:
    """All modules in order; a malformed file raises a French :class:`DatalabError`."""
    path = path or registry_path()
    data = load_yaml(path)
    items = require(data, "modules", list, path=path, where=where("file"))
    modules: list[Module] = []
    seen: set[str] = set()
    for module_id, item, place in identified(items, path=path, place="module"):
        if module_id in seen:
            raise messages.error("content.duplicate_id", path=path.name, id=module_id)
        seen.add(module_id)
        objectives = require(item, "objectives", list, path=path, where=place)
        modules.append(
            Module(
                id=module_id,
                title=require(item, "title", str, path=path, where=place),
                subtitle=str(item.get("subtitle") or ""),
                day=require(item, "day", int, path=path, where=place),
                slot=require(item, "slot", str, path=path, where=place),
                teaching_minutes=require(item, "teaching_minutes", int, path=path, where=place),
                exercise_minutes=require(item, "exercise_minutes", int, path=path, where=place),
                objectives=tuple(str(o) for o in objectives),
                needs=tuple(str(n) for n in item.get("needs") or ()),
                schedule=_schedule(item, module_id, path=path, place=place),
            )
        )
    return modules


def _schedule(item: dict, module_id: str, *, path: Path, place: str) -> tuple[tuple[int, str], ...]:
    """A module's ``schedule`` (optional): each part's minutes and what happens, adding up to the
    module's ``teaching_minutes`` + ``exercise_minutes``."""
    if item.get("schedule") is None:
        return ()
    parts = require(item, "schedule", list, path=path, where=place)
    schedule = []
    for index, part in enumerate(parts, start=1):
        at = where("schedule_part", index=index, id=module_id)
        minutes = require(part, "minutes", int, path=path, where=at)
        what = require(part, "what", str, path=path, where=at)
        if minutes <= 0 or not what.strip():
            raise messages.error("content.schedule_part", path=shown_path(path), where=at)
        schedule.append((minutes, what.strip()))
    total = sum(m for m, _ in schedule)
    expected = item["teaching_minutes"] + item["exercise_minutes"]
    if total != expected:
        raise messages.error(
            "content.schedule_total",
            path=shown_path(path),
            id=module_id,
            total=total,
            expected=expected,
            teaching=item["teaching_minutes"],
            exercise=item["exercise_minutes"],
        )
    return tuple(schedule)


def get_module(module_id: str, modules: list[Module] | None = None) -> Module:
    for module in modules or load_modules():
        if module.id == module_id:
            return module
    raise messages.error("content.unknown_module", id=module_id)


def neighbours(
    module_id: str, modules: list[Module] | None = None
) -> tuple[Module | None, Module | None]:
    """The modules before and after ``module_id`` (``None`` at either end)."""
    modules = modules or load_modules()
    ids = [m.id for m in modules]
    index = ids.index(get_module(module_id, modules).id)
    previous = modules[index - 1] if index > 0 else None
    following = modules[index + 1] if index + 1 < len(modules) else None
    return previous, following


def statuses(stored: dict | None, modules: list[Module] | None = None) -> dict[str, str]:
    """Status of every module from a learner's stored progress (``{module id: {"status": …}}``):
    ``todo``, ``in_progress`` or ``done`` (``todo`` for anything else)."""
    stored = stored if isinstance(stored, dict) else {}
    result = {}
    for module in modules or load_modules():
        entry = stored.get(module.id)
        status = entry.get("status", "todo") if isinstance(entry, dict) else "todo"
        result[module.id] = status if status in STATUSES else "todo"
    return result


def next_status(current: str | None, status: str) -> str | None:
    """The status to record when a module is marked ``status`` while it is ``current``; ``None``
    when nothing changes (``in_progress`` never downgrades ``done``)."""
    if status not in STATUSES:
        raise ValueError(status)
    if status == "in_progress" and current == "done":
        return None
    return status
