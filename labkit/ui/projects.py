"""The learner's projects on the page: the bar that says which one is open and opens another.

Every module's header carries :func:`project_bar`; the home page adds the list, the creation of a
project, its export and import (:func:`project_manager`). Opening a project goes through
:class:`labkit.learner.LearnerProject`, which announces it to the app: the module shown is built
again for the project opened, the others when the learner goes to them.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from labkit import messages
from labkit.course.modules import load_modules
from labkit.learner import LearnerProject
from labkit.learner.course import load_canvas
from labkit.settings import load_settings
from labkit.ui.components import (
    MessageArea,
    download_link,
    esc,
    file_upload,
    guarded,
    html,
    page,
    paragraph,
    section_title,
    uploaded_file,
)
from labkit.ui.session import page_link

FRAMING_MODULE = "02_cadrage"


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"projects.{key}", **fields)


def _open_line(project: LearnerProject) -> str:
    entry = next(e for e in project.projects() if e.is_open)
    dataset = entry.dataset or (_t("dataset_example") if entry.is_example else _t("dataset_none"))
    kind = _t("kind_example") if entry.is_example else _t("kind_own")
    return _t("open_line", title=esc(entry.title), kind=kind, dataset=esc(dataset))


def _choices(project: LearnerProject) -> list[tuple[str, str]]:
    return [
        (
            _t("option", title=e.title, dataset=e.dataset or _t("dataset_none"))
            if not e.is_example
            else _t("option_example", title=e.title),
            e.id,
        )
        for e in project.projects()
    ]


def project_bar(project: LearnerProject) -> widgets.Widget:
    """« Projet ouvert : … » and, when the learner has several, a list to open another one."""
    line = widgets.HTML(f'<p class="dl-project-line">{_open_line(project)}</p>')
    entries = project.projects()
    if len(entries) < 2:
        box = widgets.VBox([line])
        box.add_class("dl-project-bar")
        return box
    area = MessageArea()
    pick = widgets.Dropdown(
        options=_choices(project),
        value=project.project_id,
        description=_t("switch_label"),
        style={"description_width": "initial"},
        layout={"width": "auto", "max_width": "100%"},
    )
    pick.add_class("dl-project-pick")
    go = widgets.Button(description=_t("switch_button"), layout={"width": "auto"})
    go.add_class("dl-project-open")

    @guarded(area)
    def on_open(_):
        if pick.value == project.project_id:
            area.info(_t("already_open"))
            return
        title = project.title(pick.value)
        project.open_project(pick.value, notice=_t("opened", title=title))
        area.success(_t("opened", title=title))  # a module opened alone is not built again

    go.on_click(on_open)
    box = widgets.VBox([line, widgets.HBox([pick, go]), area])
    box.add_class("dl-project-bar")
    return box


def framing_link(pseudonym: str | None) -> str:
    module = next((m for m in load_modules() if m.id == FRAMING_MODULE), None)
    if module is None:
        return esc(_t("frame_it_no_module"))
    link = page_link(module.notebook, pseudonym)
    return _t("frame_it", link=esc(link), module=esc(module.title))


def project_story(project: LearnerProject) -> str:
    """What the open project is about: the running example's story, or the learner's own framing
    (its problem as written in module 02), or a pointer to module 02 when not framed yet."""
    if project.is_example:
        return f'<p class="dl-muted">{esc(load_settings().running_example.story)}</p>'
    canvas = load_canvas(project.workspace) or {}
    problem = (canvas.get("probleme") or "").strip()
    if problem:
        return f"<p>{esc(_t('own_problem', problem=problem))}</p>"
    return f'<p class="dl-muted">{framing_link(project.pseudonym)}</p>'


def project_manager(project: LearnerProject) -> widgets.Widget:
    """The home page's section: the open project, the others, a new one, export and import."""
    area = MessageArea()
    story = widgets.HTML(project_story(project))
    title = widgets.Text(
        description=_t("new_label"),
        style={"description_width": "initial"},
        layout={"width": "36rem", "max_width": "100%"},
    )
    title.add_class("dl-project-title")
    create = widgets.Button(description=_t("new_button"), button_style="primary")
    create.add_class("dl-project-create")
    upload = file_upload(_t("import_label"), ".zip")
    export_box = widgets.VBox()
    try:
        data = project.workspace.export_project()
        name = f"datalab-{project.workspace.slug}-{project.project_id}.zip"
        export_box.children = [
            html(f"<p>{esc(_t('export_intro'))}</p>"),
            download_link(data, name, mime="application/zip"),
        ]
    except Exception as exc:  # noqa: BLE001 - too large: said, the rest of the page works
        area.show_exception(exc)

    @guarded(area)
    def on_create(_):
        done = _t("created", title=" ".join(title.value.split()))
        project.start_project(title.value, notice=done)
        area.success(done)

    @guarded(area)
    def on_import(_):
        received = uploaded_file(upload)
        if received is None:
            area.warning(messages.text("ui.upload_empty"))
            return
        upload.value = ()
        project_id = project.import_project(received[1], notice=_t("imported_unnamed"))
        area.success(_t("imported", title=project.title(project_id)))

    create.on_click(on_create)
    upload.observe(on_import, names="value")
    return page(
        section_title(_t("section_title")),
        widgets.HTML(f"<p>{_open_line(project)}</p>"),
        story,
        html(f"<p><strong>{esc(_t('new_question'))}</strong></p>"),
        paragraph(_t("new_intro"), "dl-muted"),
        title,
        create,
        export_box,
        html(f"<p>{esc(_t('import_intro'))}</p>"),
        upload,
        area,
    )
