"""The module registry: the workshop's modules in order, read from ``content/modules.yaml``.

The home page, the navigation bar and the facilitator guide all read it, so a facilitator changes a
title, a duration or the order in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from labkit import messages, paths
from labkit.course.content import load_yaml, require

STATUSES = ("todo", "in_progress", "done")
STATUS_LABELS = {"todo": "À faire", "in_progress": "En cours", "done": "Terminé"}


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
    items = require(data, "modules", list, path=path, where="le fichier")
    modules: list[Module] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        where = f"le module n° {index}"
        module_id = require(item, "id", str, path=path, where=where)
        where = f"le module « {module_id} »"
        if module_id in seen:
            raise messages.error("content.duplicate_id", path=path.name, id=module_id)
        seen.add(module_id)
        objectives = require(item, "objectives", list, path=path, where=where)
        modules.append(
            Module(
                id=module_id,
                title=require(item, "title", str, path=path, where=where),
                subtitle=str(item.get("subtitle") or ""),
                day=require(item, "day", int, path=path, where=where),
                slot=require(item, "slot", str, path=path, where=where),
                teaching_minutes=require(item, "teaching_minutes", int, path=path, where=where),
                exercise_minutes=require(item, "exercise_minutes", int, path=path, where=where),
                objectives=tuple(str(o) for o in objectives),
                needs=tuple(str(n) for n in item.get("needs") or ()),
            )
        )
    return modules


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


def progress(workspace) -> dict[str, str]:
    """Status of every module for this learner: ``todo``, ``in_progress`` or ``done``."""
    stored = workspace.load("progress", {}) or {}
    result = {}
    for module in load_modules():
        status = (stored.get(module.id) or {}).get("status", "todo")
        result[module.id] = status if status in STATUSES else "todo"
    return result


def set_status(workspace, module_id: str, status: str) -> None:
    """Record a module's status; ``in_progress`` never downgrades ``done``."""
    import datetime as dt

    if status not in STATUSES:
        raise ValueError(status)
    stored = dict(workspace.load("progress", {}) or {})
    current = (stored.get(module_id) or {}).get("status")
    if status == "in_progress" and current == "done":
        return
    stored[module_id] = {
        "status": status,
        "updated": dt.datetime.now().isoformat(timespec="seconds"),
    }
    workspace.save("progress", stored)
