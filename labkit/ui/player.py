"""Play a module notebook inside the workbook app's kernel: narrative shown, code cells run, their
widgets collected, one step at a time.

The notebooks in ``notebooks/`` stay the only source of each module (they still open alone in Voilà
and JupyterLab). The app reads a notebook's cells (never code sent by the page: only the workbook's
own files, by module id) and splits them into *steps*: a run of narrative cells followed by the code
cells after it. The first step holds everything up to the module's first activity; each later step
is run when the learner reaches it, so that a page never draws more than one activity at a time.

A code cell with the metadata ``{"datalab": {"narrative": true}}`` only shows text (a passage of
the running example's story, ``app.example_story(…)``): it belongs to the narrative around it.

A cell with the metadata ``{"datalab": {"tasks": ["binary"]}}`` is shown only when the module's
page works with a target of one of those tasks (« binary », « multiclass », « regression »: see
:attr:`labkit.model.problem.Task.family`): 06's threshold is for yes/no answers, so a regression
never offers a step it could not do. The page says its task once its first step has run
(``ModulePage.task_family``); when it does not know (no model yet), every cell is shown. The
first step, which makes the page, is always shown whole.

A notebook can ask to be shown whole (the home page, with no figure) with the metadata
``{"datalab": {"one_step_at_a_time": false}}``.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from labkit import paths
from labkit.model.problem import FAMILIES
from labkit.ui.components import MessageArea


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" or "code"
    source: str
    # A code cell that only shows text (a passage of the running example's story): part of the
    # narrative, it neither ends a step nor starts one.
    narrative: bool = False
    # The tasks this cell is for (empty: every task).
    tasks: tuple[str, ...] = ()

    def shown_for(self, task: str | None) -> bool:
        return not self.tasks or task is None or task in self.tasks

    @property
    def is_activity(self) -> bool:
        return self.kind == "code" and not self.narrative


@dataclass
class Step:
    cells: list[Cell] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The step's first heading, as plain text ("" when it has none)."""
        for cell in self.cells:
            if cell.kind != "markdown":
                continue
            for line in cell.source.splitlines():
                if line.lstrip().startswith("#"):
                    return _plain(line.lstrip("# ").strip())
        return ""


@dataclass
class ModuleNotebook:
    module_id: str
    cells: list[Cell]
    one_step_at_a_time: bool = True
    task: str | None = None
    steps: list[Step] = field(init=False)

    def __post_init__(self) -> None:
        steps = _split(self.cells)
        if self.task is not None and steps:  # the first step makes the page: always whole
            kept = ([c for c in step.cells if c.shown_for(self.task)] for step in steps[1:])
            steps = [steps[0], *(Step(cells) for cells in kept if cells)]
        self.steps = steps

    def for_task(self, task: str | None) -> ModuleNotebook:
        """The same notebook with only the cells for ``task`` (see the module docstring)."""
        return ModuleNotebook(self.module_id, self.cells, self.one_step_at_a_time, task)


def _split(cells: list[Cell]) -> list[Step]:
    steps: list[Step] = [Step()]
    seen_markdown = False
    for cell in cells:
        current = steps[-1]
        if not cell.is_activity:
            after_activity = seen_markdown and current.cells and current.cells[-1].is_activity
            if after_activity:
                steps.append(Step())
            seen_markdown = True
        steps[-1].cells.append(cell)
    return [s for s in steps if s.cells]


def _plain(text: str) -> str:
    return text.replace("**", "").replace("*", "").replace("`", "").strip()


def notebook_path(module_id: str) -> Path:
    """The notebook of a module of the registry (ids come from ``content/modules.yaml`` only)."""
    folder = paths.notebooks_dir().resolve()
    path = (folder / f"{module_id}.ipynb").resolve()
    if path.parent != folder:
        raise ValueError(f"not a module notebook: {module_id!r}")
    return path


def read_module(module_id: str, path: Path | None = None) -> ModuleNotebook:
    """The module's notebook, split into steps (see the module docstring)."""
    notebook = json.loads((path or notebook_path(module_id)).read_text(encoding="utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        if cell.get("cell_type") in ("markdown", "code") and source.strip():
            told = (cell.get("metadata") or {}).get("datalab") or {}
            tasks = told.get("tasks") or ()
            if isinstance(tasks, str):
                tasks = (tasks,)
            unknown = set(tasks) - set(FAMILIES)
            if unknown:
                raise ValueError(f"unknown tasks {sorted(unknown)} in {module_id}")
            cells.append(
                Cell(
                    cell["cell_type"],
                    source,
                    narrative=bool(told.get("narrative")),
                    tasks=tuple(tasks),
                )
            )
    settings = (notebook.get("metadata") or {}).get("datalab") or {}
    return ModuleNotebook(
        module_id,
        cells,
        one_step_at_a_time=bool(settings.get("one_step_at_a_time", True)),
    )


_markdown = None


def markdown_html(source: str) -> str:
    """A markdown cell as HTML, as Voilà shows it (tables included)."""
    global _markdown
    if _markdown is None:
        import mistune

        _markdown = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    return _markdown(source)


def narrative(source: str) -> widgets.HTML:
    view = widgets.HTML(
        f'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown dl-narrative">'
        f"{markdown_html(source)}</div>"
    )
    view.add_class("dl-narrative-cell")
    return view


def run_code(source: str, namespace: dict[str, Any]) -> Any:
    """Run a code cell in ``namespace``; return the value of its last expression (as a notebook
    shows it), or ``None``."""
    tree = ast.parse(source, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<module cell>", "exec"), namespace)  # noqa: S102 - the workbook's own notebook
    if last is None:
        return None
    return eval(compile(last, "<module cell>", "eval"), namespace)  # noqa: S307 - same


def shown(value: Any) -> widgets.Widget | None:
    """What a cell's value puts on the page: the widget itself, anything else displayed."""
    if value is None:
        return None
    if isinstance(value, widgets.Widget):
        return value
    output = widgets.Output()
    output.append_display_data(value)
    return output


def play_step(step: Step, namespace: dict[str, Any]) -> list[widgets.Widget]:
    """The widgets of one step: narrative as HTML, each code cell's result; a cell that fails
    shows a French message in its place (never a traceback), and the rest still plays."""
    parts: list[widgets.Widget] = []
    for cell in step.cells:
        if cell.kind == "markdown":
            parts.append(narrative(cell.source))
            continue
        try:
            widget = shown(run_code(cell.source, namespace))
        except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
            area = MessageArea()
            area.show_exception(exc)
            widget = area
        if widget is not None:
            parts.append(widget)
    return parts
