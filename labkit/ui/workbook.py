"""The workbook app: one Voilà page and one kernel per learner, whose modules open in place.

``notebooks/datalab.ipynb`` shows :class:`WorkbookApp`; ``datalab start`` serves it at ``/``. The
address follows the learner (``/?pseudo=P#04`` opens module 04; back, forward and reload work), the
module notebooks are played inside this kernel (:mod:`labkit.ui.player`), and every module shares
one :class:`~labkit.learner.LearnerProject`. A module already built is shown again as it was, unless
a link of the project it depends on changed since (then it is built again). Each module shows its
first activity at once and the next ones on « Étape suivante ».

Two tabs of one learner: the newest holds the work; the older one is told so, and gives its kernel
back.
"""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from labkit import messages
from labkit.course.modules import Module, load_modules
from labkit.errors import DatalabError
from labkit.learner import LearnerProject, activity
from labkit.ui import session
from labkit.ui.components import MessageArea, esc, log, styles
from labkit.ui.page import ModulePage, follow_messages
from labkit.ui.player import ModuleNotebook, Step, play_step, read_module
from labkit.workspace import Workspace, atomic_write, normalize_pseudonym

_HERE = Path(__file__).resolve().parent
_serials = itertools.count(1)

APP_CSS = """
.dl-router { display: none !important; }
.dl-module-root[aria-busy="true"] { opacity: .65; cursor: progress; }
.dl-skip-link { position: absolute; left: -10000px; top: 0; z-index: 10001; background: #fff;
  color: #000091; padding: .5rem 1rem; font-size: 1rem; }
.dl-skip-link:focus { left: .5rem; top: .5rem; outline: 3px solid #0a76f6; }
.dl-overlay-button:focus-visible, .dl-paused button:focus-visible { outline: 3px solid #0a76f6;
  outline-offset: 3px; }
.dl-paused { position: sticky; top: 0; z-index: 10000; background: #fff4e5; color: #1b1b1b;
  border-bottom: 2px solid #b34000; padding: .5rem 1rem; display: flex; gap: 1rem;
  align-items: center; }
.dl-paused p { margin: 0; }
.dl-live { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.dl-module-root [tabindex="-1"]:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-overlay { position: fixed; inset: 0; z-index: 10000; background: rgba(20, 30, 45, .72);
  display: flex; align-items: center; justify-content: center; }
.dl-overlay-box { background: #fff; color: #1b1b1b; max-width: 34rem; padding: 1.5rem 2rem;
  border-radius: 6px; font-size: 1rem; line-height: 1.5; }
.dl-overlay-box h2 { margin-top: 0; font-size: 1.3rem; }
.dl-overlay-button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: 4px;
  background: #000091; color: #fff; cursor: pointer; }
"""


def _t(key: str, **values: Any) -> str:
    return messages.text(f"ui.workbook_{key}", **values)


class Router(anywidget.AnyWidget):
    """The page side of the app (``workbook.js``): address, visibility, usable marks, two tabs."""

    _esm = (_HERE / "workbook.js").read_text(encoding="utf-8")
    _css = APP_CSS
    modules = traitlets.List(traitlets.Unicode()).tag(sync=True)  # module numbers, "00"…"06"
    route = traitlets.Unicode("").tag(sync=True)  # the module the address asks for
    ready = traitlets.Dict().tag(sync=True)  # number → build whose widgets were all sent
    # "NN:build": the module the kernel last showed for the address, once it knows it is current
    # (the page keeps a module shown from before inert until then: never clicked, then replaced)
    served = traitlets.Unicode("").tag(sync=True)
    titles = traitlets.Dict().tag(sync=True)  # number → the page title while it is shown
    taken_over = traitlets.Bool(False).tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)


class Ownership:
    """Which page holds a learner's work: a small file per learner beside the workspaces."""

    def __init__(self, workspace: Workspace):
        self.path = workspace.folder.parent.parent / "sessions" / f"{workspace.slug}.owner"
        self.token = uuid.uuid4().hex

    def claim(self) -> None:
        atomic_write(self.path, self.token.encode("ascii"))

    def held(self) -> bool:
        try:
            return self.path.read_text(encoding="ascii").strip() == self.token
        except OSError:
            return True  # the file is gone (a reset of the root): nobody else claimed it


class _Shown:
    """A module on the page: its root box, its page object, what it showed, its next steps."""

    def __init__(self, module: Module, notebook: ModuleNotebook, root: widgets.VBox):
        self.module = module
        self.notebook = notebook
        self.root = root
        self.namespace: dict[str, Any] = {"__name__": f"datalab_{module.id}"}
        self.next_step = 0
        self.seen: dict[str, int] = {}
        self.depends_on: tuple[str, ...] = ()

    @property
    def page(self) -> ModulePage | None:
        return next((v for v in self.namespace.values() if isinstance(v, ModulePage)), None)


class WorkbookApp:
    """The whole workbook for one learner (see the module docstring)."""

    def __init__(self, workspace: Workspace | None, *, pseudonym_error: str | None = None):
        self.modules = load_modules()
        self.numbers = {m.number: m for m in self.modules}
        self.project = LearnerProject(workspace) if workspace is not None else None
        self.ownership = Ownership(workspace) if workspace is not None else None
        if self.ownership is not None:
            try:
                self.ownership.claim()
            except OSError:
                log.warning("could not record which page holds the work", exc_info=True)
                self.ownership = None
        session.enter_app(self.project, pseudonym_error)
        self.router = Router(
            modules=[m.number for m in self.modules],
            texts={
                "taken_over_title": esc(_t("taken_over_title")),
                "taken_over_text": esc(_t("taken_over_text")),
                "taken_over_button": esc(_t("taken_over_button")),
                "skip_link": _t("skip_link"),
            },
            titles={m.number: _t("page_title", module=m.label) for m in self.modules},
        )
        self.stage = widgets.VBox()
        self.stage.add_class("dl-stage")
        self.slots = {m.number: widgets.VBox() for m in self.modules}
        for slot in self.slots.values():
            slot.add_class("dl-slot")
        self.stage.children = list(self.slots.values())
        self.shown: dict[str, _Shown] = {}
        self.current: str | None = None
        self.box: widgets.VBox | None = None  # what the notebook shows (:meth:`show`)
        self.router.observe(self._on_route, names="route")
        self.router.on_msg(self._on_message)
        if self.project is not None:
            self.project.subscribe(self._on_project_change)

    def _on_project_change(self, link: str) -> None:
        """Another project opened (or the whole work imported, reset): the module shown is built
        again for it now, at the learner's own request; the others when they are next opened."""
        if link == "all" and self.current in self.shown:
            self._build(self.numbers[self.current])
            self._serve(self.current)
            # « Nouveau projet créé et ouvert » is said at the module's top, thousands of pixels
            # above the button clicked: the focus is taken there (issue 23)
            mark = getattr(self.shown[self.current].page, "notice_mark", None)
            if mark:
                self.router.send({"focus": mark})

    @staticmethod
    def prepare() -> None:
        """Do the slow imports and reads now (while Voilà preheats the kernel), not on a click."""
        import importlib

        from labkit.data import selection

        for name in (
            "home",
            "module01",
            "module02",
            "module03",
            "module04",
            "module05",
            "module06",
        ):
            importlib.import_module(f"labkit.ui.{name}")
        try:
            selection.default_choice()
        except Exception:  # noqa: BLE001 - only a head start: module 03 reports any problem
            log.warning("the running example could not be read in advance", exc_info=True)
        import mistune  # noqa: F401 - the narrative's renderer

    @classmethod
    def for_request(cls) -> WorkbookApp:
        """The app for the learner named in the address (``?pseudo=…``), if any."""
        pseudonym = session.requested_pseudonym()
        if pseudonym is None:
            return cls(None)
        try:
            return cls(Workspace.open(normalize_pseudonym(pseudonym)))
        except DatalabError as error:
            return cls(None, pseudonym_error=str(error))

    def show(self) -> widgets.Widget:
        """What the notebook displays: the router, the theme and the modules' stage (and, once
        the page is up, an unseen chart: :func:`_charts_ahead`)."""
        box = widgets.VBox([self.router, styles(), self.stage])
        box.add_class("dl-workbook")
        self.box = box
        # The home page is built now, with the page: most learners arrive there (``/``); a deep
        # link (``#04``) then builds its module as soon as the page says so.
        self.open(self.modules[0].number)
        return box

    # ------------------------------------------------------------------ navigation
    def _on_route(self, change) -> None:
        self.open(change["new"])

    def open(self, number: str) -> None:
        """Show module ``number`` ("00"…): as it was if it is still current, else (re)built."""
        if number not in self.numbers:
            number = self.modules[0].number
        previous = self.shown.get(self.current) if self.current else None
        if previous is not None and self.current != number:
            previous.seen = self._revisions(previous)
        self.current = number
        if self.project is not None:  # for the facilitator's room view (``labkit.serve.room``)
            follow_messages(self.project.workspace, self.numbers[number].id)
            try:
                activity.note_activity(self.project.workspace, number)
            except DatalabError:
                log.warning("could not record the module shown", exc_info=True)
        shown = self.shown.get(number)
        if shown is None or self._stale(shown):
            self._build(self.numbers[number])
        self._serve(number)

    def _serve(self, number: str) -> None:
        self.router.served = f"{number}:{self.router.ready.get(number, '')}"

    def _revisions(self, shown: _Shown) -> dict[str, int]:
        if self.project is None:
            return {}
        links = {"all"}
        for link in shown.depends_on:
            links.update(self.project.upstream(link))
        return self.project.revisions(sorted(links))

    def _stale(self, shown: _Shown) -> bool:
        return self._revisions(shown) != shown.seen

    def _build(self, module: Module) -> None:
        serial = f"b{next(_serials)}"
        root = widgets.VBox()
        root.add_class("dl-module-root")
        root.add_class(f"dl-module-{module.number}")
        root.add_class(f"dl-build-{serial}")
        try:
            notebook = read_module(module.id)
        except (OSError, ValueError) as exc:
            log.error("module notebook unreadable: %s", module.id, exc_info=exc)
            area = MessageArea()
            area.error(_t("module_missing", title=module.title))
            root.children = [area, self._end()]
            self._place(module, root, serial)
            return
        shown = _Shown(module, notebook, root)
        old = self.shown.get(module.number)
        self.shown[module.number] = shown
        parts = self._play_next(shown)
        task = getattr(shown.page, "task_family", None)
        if task is not None:  # steps for another kind of target are not offered (06's threshold)
            shown.notebook = notebook.for_task(task)
            notebook = shown.notebook
        if not notebook.one_step_at_a_time:
            while shown.next_step < len(notebook.steps):
                parts += self._play_next(shown)
        page = shown.page
        shown.depends_on = tuple(page.depends_on) if page is not None else ()
        shown.seen = self._revisions(shown)
        root.children = [*parts, self._next_button(shown), self._end()]
        self._place(module, root, serial)
        if old is not None:
            _close_tree(old.root)

    def _place(self, module: Module, root: widgets.VBox, serial: str) -> None:
        self.slots[module.number].children = [root]
        self.router.ready = {**self.router.ready, module.number: serial}

    @staticmethod
    def _end() -> widgets.Widget:
        marker = widgets.HTML("")
        marker.add_class("dl-module-end")
        return marker

    # ----------------------------------------------------------------------- steps
    def _play_next(self, shown: _Shown) -> list[widgets.Widget]:
        step: Step = shown.notebook.steps[shown.next_step]
        shown.next_step += 1
        return play_step(step, shown.namespace)

    def _next_button(self, shown: _Shown) -> widgets.Widget:
        box = widgets.VBox()
        box.add_class("dl-next-step")
        steps = shown.notebook.steps
        if shown.next_step >= len(steps):
            return box
        following = steps[shown.next_step]
        button = widgets.Button(
            description=_t(
                "next_step",
                title=following.title or _t("next_step_untitled"),
                number=shown.next_step + 1,
                total=len(steps),
            ),
            button_style="primary",
            layout=widgets.Layout(width="auto", max_width="100%", align_self="flex-start"),
        )
        button.add_class("dl-next-step-button")
        area = MessageArea()

        def reveal(_):
            button.disabled = True
            try:
                parts = self._play_next(shown)
            except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
                area.show_exception(exc)
                button.disabled = False
                return
            children = list(shown.root.children)
            at = children.index(box)
            children[at : at + 1] = [*parts, self._next_button(shown)]
            if parts:  # the keyboard goes on from the step's heading, not from the page's top
                mark = f"dl-step-{next(_serials)}"
                parts[0].add_class(mark)
            shown.root.children = children
            _close_tree(box)
            if parts:
                self.router.send({"focus": mark})

        button.on_click(reveal)
        box.children = [button, area]
        return box

    # -------------------------------------------------------------------- two tabs
    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or "ping" not in content:
            return
        box = self.box
        if box is not None and not any("dl-charts-ahead" in w._dom_classes for w in box.children):
            # the page's first ping, 3 s after it came: the learner reads the page they opened
            box.children = [*box.children, _charts_ahead()]
        if self.ownership is not None and not self.ownership.held():
            self.router.taken_over = True
            self.router.send({"taken_over": True})
        else:
            self.router.send({"pong": content["ping"]})


def _charts_ahead() -> widgets.Widget:
    """A chart of one point, drawn off screen and unseen (``visibility: hidden``: no screen
    reader reads it either), so that the browser loads and compiles the chart library (plotly,
    about 5 MB of JavaScript, loaded by the page the first time a chart is shown) while the
    learner reads the page they opened (the home page has no chart). Without it, the first module
    with charts paid for it: module 01's first visit took 1.7 s, 0.8 s with the library loaded
    (issue 23). Added at the page's first ping, not with the page: loaded with the page, it made
    the home page 0.85 s slower to come."""
    import plotly.graph_objects as go
    from IPython.display import display

    from labkit.ui import figures  # noqa: F401 - the offline renderer's settings

    ahead = widgets.Output()
    ahead.add_class("dl-charts-ahead")
    with ahead:
        display(go.Figure(go.Scatter(x=[0], y=[0]), layout={"width": 300, "height": 180}))
    return ahead


def _close_tree(widget: widgets.Widget) -> None:
    """Close a widget tree that left the page (frees its models in the kernel and the browser)."""
    stack = [widget]
    while stack:
        current = stack.pop()
        stack.extend(getattr(current, "children", ()) or ())
        try:
            current.close()
        except Exception:  # noqa: BLE001 - closing is a courtesy, never an error for the learner
            log.debug("could not close a widget", exc_info=True)
