"""The learner's project: the running example or their own (kept by
:mod:`labkit.learner.course`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from labkit import messages
from labkit.settings import load_settings

RUNNING_EXAMPLE, OWN = "fil_rouge", "propre"
TITLE_MAX = 120


@dataclass(frozen=True)
class Project:
    kind: str  # RUNNING_EXAMPLE or OWN
    title: str

    @property
    def is_running_example(self) -> bool:
        return self.kind == RUNNING_EXAMPLE


def make_project(kind: str, title: str | None = None) -> Project:
    """Check a choice made on the home page; a French error for a bad one."""
    if kind == RUNNING_EXAMPLE:
        return Project(RUNNING_EXAMPLE, load_settings().running_example.title)
    if kind != OWN:
        raise messages.error("project.unknown_kind")
    title = " ".join((title or "").split())
    if not title:
        raise messages.error("project.title_missing")
    if len(title) > TITLE_MAX:
        raise messages.error("project.title_too_long", max=TITLE_MAX)
    return Project(OWN, title)


def project_record(project: Project) -> dict:
    """What is kept of a project (workspace key ``project``)."""
    return asdict(project)


def project_from_record(stored) -> Project | None:
    """The project a record holds; ``None`` when it holds none (or a damaged one)."""
    if not isinstance(stored, dict) or stored.get("kind") not in (RUNNING_EXAMPLE, OWN):
        return None
    return Project(stored["kind"], str(stored.get("title") or ""))
