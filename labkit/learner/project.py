"""The learner's project in memory: the chain dataset → recipe → model → use case, and who follows it.

One :class:`LearnerProject` per learner and kernel. It wraps the learner's workspace (the durable
copy on disk: reload, restart, another device) and counts a *revision* for each link of the chain,
raised whenever something writes that link. Views read :meth:`revisions` to know whether what they
show is still current, and may :meth:`subscribe` to hear about changes.

It holds the learner's *projects* (:meth:`projects`, :meth:`open_project`, :meth:`start_project`):
each is a whole chain in its own part of the workspace (:class:`labkit.workspace.Workspace`); opening
another one is announced as a change of every link.

It also owns one hand-off between modules: when the learner picks another dataset (module 03), the
recipe made for the previous one is set aside (and given back if they return to that dataset), with
the cleaned table derived from it, so that module 04 starts from the new table instead of refusing
an old recipe and module 05 never shows the old table's columns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from labkit import messages
from labkit.workspace import EXAMPLE_PROJECT, Workspace

# The links of the chain, in order, and the workspace entries that make each of them.
LINKS: dict[str, tuple[str, ...]] = {
    "project": ("project", "canvas", "risk"),
    "dataset": ("dataset", "table:raw"),
    "recipe": ("recipe", "table:clean", "quality"),
    "model": ("training", "file:model.skops"),
    "usecase": ("usecase", "transparency"),
    "progress": ("progress", "quiz"),
    "all": (),  # raised alone by an import or a reset of the whole workspace
}
CHAIN = ("dataset", "recipe", "model", "usecase")
KEPT_RECIPES = "recipes_kept"  # recipes set aside per dataset, and the dataset of the current one


def link_of(entry: str) -> str | None:
    """The link a workspace entry belongs to (``"table:clean"`` → ``"recipe"``), if any."""
    for link, entries in LINKS.items():
        if entry in entries:
            return link
    return None


def dataset_identity(stored_choice: dict | None) -> str:
    """A short name for the dataset of a saved choice (the running example when none is saved)."""
    if not isinstance(stored_choice, dict):
        from labkit.settings import load_settings

        return f"catalogue:{load_settings().running_example.dataset}"
    source = str(stored_choice.get("source") or "")
    which = (
        stored_choice.get("dataset_id")
        or stored_choice.get("url")
        or stored_choice.get("filename")
        or stored_choice.get("name")
    )
    return f"{source}:{which}"


@dataclass(frozen=True)
class ProjectEntry:
    """One project of the learner, as the project switcher lists it."""

    id: str
    title: str
    is_example: bool
    dataset: str  # the name of its dataset ("" when none was chosen yet)
    is_open: bool


def is_example_project(workspace) -> bool:
    """Whether the open project is the running example's (a workspace saved before projects
    existed, or none, counts as such)."""
    project_id = getattr(workspace, "project_id", None)
    return project_id in (None, EXAMPLE_PROJECT)


def example_title() -> str:
    from labkit.settings import load_settings

    return load_settings().running_example.title


class LearnerProject:
    """One learner's chain of work, held for the whole session (see the module docstring)."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._revisions = dict.fromkeys(LINKS, 0)
        self._subscribers: list[Callable[[str], None]] = []
        self._dataset = dataset_identity(workspace.load("dataset", None))
        self._handing_over = False
        self._quiet = False
        self.notices: list[str] = []  # French confirmations for the next page built
        workspace.listeners.append(self._on_workspace_change)

    @property
    def pseudonym(self) -> str:
        return self.workspace.pseudonym

    # ----------------------------------------------------------------- revisions
    def revisions(self, links: tuple[str, ...] | list[str] | None = None) -> dict[str, int]:
        """The current revision of each link (of ``links``, or of all)."""
        wanted = links if links is not None else tuple(LINKS)
        return {link: self._revisions[link] for link in wanted}

    def upstream(self, link: str) -> tuple[str, ...]:
        """``link`` and the links of the chain before it (a model depends on its dataset too)."""
        if link not in CHAIN:
            return (link,)
        return CHAIN[: CHAIN.index(link) + 1]

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(link)`` after each change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _bump(self, link: str) -> None:
        self._revisions[link] += 1
        for callback in list(self._subscribers):
            callback(link)

    def _on_workspace_change(self, entry: str) -> None:
        if self._quiet:
            return
        if entry == "*":  # an import or a reset: everything may have changed
            self._dataset = dataset_identity(self.workspace.load("dataset", None))
            for link in LINKS:
                self._bump(link)
            return
        link = link_of(entry)
        if link is None:
            return
        if entry == "dataset" and not self._handing_over:
            self._dataset_changed()
        elif entry == "recipe" and not self._handing_over:
            self._remember_recipe_dataset()
        self._bump(link)

    # ------------------------------------------------------------ dataset change
    def _remember_recipe_dataset(self) -> None:
        kept = dict(self.workspace.load(KEPT_RECIPES, None) or {})
        if kept.get("current") != self._dataset:
            kept["current"] = self._dataset
            self.workspace.save(KEPT_RECIPES, kept)

    def _dataset_changed(self) -> None:
        new = dataset_identity(self.workspace.load("dataset", None))
        previous, self._dataset = self._dataset, new
        if new == previous:
            return
        from labkit.learner.preparation import CLEAN_TABLE, QUALITY_KEY, RECIPE_KEY

        self._handing_over = True
        try:
            kept = dict(self.workspace.load(KEPT_RECIPES, None) or {})
            by_dataset = dict(kept.get("recipes") or {})
            current = self.workspace.load(RECIPE_KEY, None)
            made_for = kept.get("current") or previous
            if current is not None:
                by_dataset[made_for] = current
            restored = by_dataset.pop(new, None)
            if restored is not None:
                self.workspace.save(RECIPE_KEY, restored)
            else:
                self.workspace.delete(RECIPE_KEY)
            self.workspace.delete_table(CLEAN_TABLE)
            self.workspace.delete(QUALITY_KEY)
            self.workspace.save(KEPT_RECIPES, {"current": new, "recipes": by_dataset})
        finally:
            self._handing_over = False
        self._bump("recipe")

    # ------------------------------------------------------------------ projects
    @property
    def project_id(self) -> str:
        return self.workspace.project_id or EXAMPLE_PROJECT

    @property
    def is_example(self) -> bool:
        return self.project_id == EXAMPLE_PROJECT

    def title(self, project_id: str | None = None) -> str:
        """The title of a project: the learner's own, or the running example's."""
        project_id = project_id or self.project_id
        stored = self.workspace.project_document(project_id, "project", None)
        title = stored.get("title") if isinstance(stored, dict) else None
        if project_id == EXAMPLE_PROJECT:
            return example_title()
        return str(title or "").strip() or project_id

    def projects(self) -> list[ProjectEntry]:
        """Every project of the learner, the example first."""
        entries = []
        for project_id in self.workspace.project_ids():
            choice = self.workspace.project_document(project_id, "dataset", None)
            dataset = str(choice.get("name") or "") if isinstance(choice, dict) else ""
            entries.append(
                ProjectEntry(
                    project_id,
                    self.title(project_id),
                    project_id == EXAMPLE_PROJECT,
                    dataset,
                    project_id == self.project_id,
                )
            )
        return entries

    def open_project(self, project_id: str, notice: str | None = None) -> None:
        """Open another project: every link of the chain is announced as changed (``notice``: a
        confirmation shown by the page built for it)."""
        with self._announced_once(notice):
            self.workspace.open_project(project_id)

    @contextlib.contextmanager
    def _announced_once(self, notice: str | None = None) -> Iterator[None]:
        """Writes made inside are announced as one change of the whole project, at the end (with
        ``notice`` for the learner when they all succeeded)."""
        before = self.workspace.project_id
        self._quiet = True
        try:
            yield
        except BaseException:
            self._quiet = False
            if self.workspace.project_id != before:  # half done: the page must follow anyway
                self._on_workspace_change("*")
            raise  # else nothing changed: the page stays, and shows the error
        self._quiet = False
        if notice:
            self.notices.append(notice)
        self._on_workspace_change("*")

    def start_project(
        self, title: str, fill: Callable[[], object] | None = None, notice: str | None = None
    ) -> str:
        """Create an own project called ``title``, open it, and run ``fill`` in it (for example
        saving the dataset it starts from); the modules hear of it once, when it is complete."""
        from labkit.course.project import OWN, make_project
        from labkit.learner.course import save_project

        project = make_project(OWN, title)

        def first_writes() -> None:
            save_project(self.workspace, project)
            if fill is not None:
                fill()

        with self._announced_once(notice):
            return self.workspace.new_project(first_writes)

    def import_project(self, data: bytes, notice: str | None = None) -> str:
        """Add a project exported from Datalab (:meth:`labkit.workspace.Workspace.import_project`)
        and open it."""
        from labkit.course.project import OWN, make_project
        from labkit.learner.course import load_project, save_project

        with self._announced_once(notice):
            project_id = self.workspace.import_project(data)
            current = load_project(self.workspace)
            if current is None or current.kind != OWN:  # the example's work, now an own project
                title = messages.text("projects.imported_example_title", title=example_title())
                save_project(self.workspace, make_project(OWN, title))
            return project_id

    def delete_project(self, project_id: str) -> None:
        self.workspace.delete_project(project_id)

    def take_notices(self) -> list[str]:
        taken, self.notices = self.notices, []
        return taken

    def close(self) -> None:
        """Stop following the workspace (the project is no longer used)."""
        if self._on_workspace_change in self.workspace.listeners:
            self.workspace.listeners.remove(self._on_workspace_change)
        self._subscribers.clear()
