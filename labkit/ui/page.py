"""The base of every module page: header, pseudonym, navigation, messages, quiz, footer.

A module's app subclasses :class:`ModulePage`, sets ``module_id`` and adds one method per activity,
decorated with :func:`activity`. The notebook then reads::

    app = Module03App.for_request()
    app.header()
    ...
    app.catalogue()
    ...
    app.quiz()
    app.footer()
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

import ipywidgets as widgets

from labkit import messages
from labkit.course import quiz
from labkit.course.modules import get_module, load_modules
from labkit.data import selection
from labkit.learner import LearnerProject, roomlink
from labkit.learner.activity import note_message
from labkit.learner.course import set_status
from labkit.settings import load_settings
from labkit.ui import components
from labkit.ui.components import (
    MessageArea,
    esc,
    header_html,
    log,
    message_html,
    nav_html,
    page,
    pseudonym_form_html,
    styles,
)
from labkit.ui.session import app_project, open_workspace
from labkit.workspace import Workspace

DATASET_MODULE = "03_donnees"  # where the learner chooses the project's dataset


def activity(method: Callable) -> Callable:
    """Decorate a page method that builds a widget: without a pseudonym it shows what to do; if
    building fails, a French message replaces the widget (never a traceback)."""

    @functools.wraps(method)
    def wrapper(self: ModulePage, *args, **kwargs):
        if self.workspace is None:
            return page(widgets.HTML(message_html("info", messages.text("ui.need_pseudonym"))))
        area = MessageArea()
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
            area.show_exception(exc)
            return area

    return wrapper


def follow_messages(workspace: Workspace, module_id: str) -> None:
    """Record the messages this learner is shown from now on (the room view's last error), and
    on a JupyterHub with a room service, send the room view's row there (:mod:`labkit.learner.roomlink`)."""
    components.message_hook = functools.partial(note_message, workspace, module_id)
    roomlink.follow(workspace)


class ModulePage:
    module_id = ""
    # The links of the learner's project this page shows (see ``labkit.learner``): inside the
    # workbook app, a page built earlier is built again when one of them changed since.
    depends_on: tuple[str, ...] = ()
    # Pages that start from the learner's dataset read the running example while their kernel is
    # preheated: most learners keep it, and then their page is built from memory.
    uses_dataset = False
    # The page's screen state (a traitlets model its views observe), built from the workspace on
    # first use: ``self.state``.
    state_class: type | None = None

    def __init__(self, workspace: Workspace | None = None, *, pseudonym_error: str | None = None):
        self.modules = load_modules()
        self.module = get_module(self.module_id, self.modules)
        self.workspace = workspace
        self.messages = MessageArea()
        self.pseudonym_error = pseudonym_error
        shared = app_project()
        if workspace is not None:
            follow_messages(workspace, self.module_id)
        if workspace is None:
            self.project = None
        elif shared is not None and shared.workspace is workspace:
            self.project = shared
        else:
            self.project = LearnerProject(workspace)

    @classmethod
    def for_request(cls):
        """The page for the learner named in the address (``?pseudo=…``), if any."""
        if cls.uses_dataset:
            try:
                selection.default_choice()
            except Exception:  # noqa: BLE001 - only a head start: the page reports any problem
                log.warning("the running example could not be read in advance", exc_info=True)
        workspace, error = open_workspace()
        return cls(workspace, pseudonym_error=error)

    @property
    def state(self):
        if getattr(self, "_state", None) is None:
            self._state = self.state_class(self.workspace)
        return self._state

    @property
    def task_family(self) -> str | None:
        """The kind of target this page works with (« binary », « multiclass », « regression »),
        when it knows one: the workbook then offers only the steps meant for it
        (:mod:`labkit.ui.player`)."""
        return None

    @property
    def pseudonym(self) -> str | None:
        return self.workspace.pseudonym if self.workspace else None

    # ------------------------------------------------------------------ header
    def header(self) -> widgets.Widget:
        parts: list[widgets.Widget] = [
            styles(),
            widgets.HTML(header_html(self.module, self.modules)),
        ]
        parts.append(self.identity())
        if self.project is not None:
            from labkit.ui.projects import project_bar

            parts.append(project_bar(self.project))
            notices = self.project.take_notices()
            for notice in notices:
                self.messages.success(notice)
            if notices:  # the workbook app takes the focus there (it may be far from the click)
                self.notice_mark = f"dl-notice-{uuid.uuid4().hex[:8]}"
                self.messages.add_class(self.notice_mark)
        if self.workspace is not None:
            parts.append(widgets.HTML(nav_html(self.module, self.modules, self.pseudonym)))
            try:
                set_status(self.workspace, self.module.id, "in_progress")
            except Exception as exc:  # noqa: BLE001
                self.messages.show_exception(exc)
            for notice in self.workspace.notices:
                self.messages.warning(notice, keep=True)
        parts.append(self.messages)
        return page(*parts)

    def identity(self) -> widgets.Widget:
        """Who is working here, or the form to say so."""
        if self.workspace is not None:
            signed = messages.text("ui.signed_in", pseudonym=esc(self.workspace.pseudonym))
            return widgets.HTML(f'<p class="dl-muted">{signed}</p>')
        parts = []
        if self.pseudonym_error:
            parts.append(message_html("error", self.pseudonym_error))
        else:
            parts.append(message_html("info", messages.text("ui.need_pseudonym")))
        parts.append(pseudonym_form_html())
        return widgets.HTML("".join(parts))

    def default_dataset_notice(self, what: str) -> str:
        """The notice that the running example stands in for the dataset not yet chosen in the
        module « Trouver les données » (its title read from the module registry, which a
        facilitator may have left it out of)."""
        module = next((m for m in self.modules if m.id == DATASET_MODULE), None)
        if module is None:
            return messages.text("ui.default_used_no_module", what=what)
        return messages.text("ui.default_used", module=module.title, what=what)

    def example_story(self, name: str) -> widgets.Widget:
        """A passage of the running example's story (``textes`` of its file in
        ``content/exemples/``), shown as narrative; nothing when the story does not give it."""
        from labkit.ui.player import narrative

        text = load_settings().running_example.text(name)
        return narrative(text) if text else widgets.HTML("")

    # -------------------------------------------------------------------- quiz
    @activity
    def quiz(self) -> widgets.Widget:
        from labkit.ui.quiz_view import QuizView

        return QuizView(quiz.load_bank(self.module.id), self.workspace)

    # ------------------------------------------------------------------ footer
    def footer(self) -> widgets.Widget:
        if self.workspace is None:
            return page(widgets.HTML(nav_html(self.module, self.modules, None)))
        area = MessageArea()
        done = widgets.Button(description=messages.text("ui.mark_done"), button_style="success")

        def mark_done(_):
            set_status(self.workspace, self.module.id, "done")
            area.success(messages.text("ui.marked_done"))

        from labkit.ui.components import guarded

        done.on_click(guarded(area)(mark_done))
        return page(done, area, widgets.HTML(nav_html(self.module, self.modules, self.pseudonym)))
