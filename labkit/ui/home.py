"""The home page (module 00): welcome, programme, pseudonym, project choice, progress, one's work."""

from __future__ import annotations

import ipywidgets as widgets

from labkit import messages
from labkit.course import accessibility
from labkit.errors import DatalabError
from labkit.learner.course import progress
from labkit.ui.components import (
    MessageArea,
    download_link,
    esc,
    file_upload,
    guarded,
    page,
    paragraph,
    section_title,
    status_badge,
    table_html,
    uploaded_file,
)
from labkit.ui.page import ModulePage, activity
from labkit.ui.projects import project_manager
from labkit.ui.session import page_link, sign_out_link


def _l(key: str, **fields) -> str:
    return messages.text(f"ui_labels.{key}", **fields)


class AccueilApp(ModulePage):
    module_id = "00_accueil"
    depends_on = ("progress", "project", "dataset")

    def identity(self) -> widgets.Widget:
        base = super().identity()
        if self.workspace is None:
            return base
        change = f'<a class="dl-link" href="{esc(sign_out_link(self.module.notebook))}">{esc(messages.text("ui.home_change_pseudonym"))}</a>'
        return widgets.VBox([base, widgets.HTML(f"<p>{change}</p>")])

    # -------------------------------------------------------------- programme
    def programme(self) -> widgets.Widget:
        rows = []
        for module in self.modules:
            if module.id == self.module.id:
                continue
            rows.append(
                {
                    _l("col_day"): _l("day", day=module.day),
                    _l("col_slot"): module.slot,
                    _l("col_module"): module.label,
                    _l("col_duration"): _l(
                        "duration_hours", hours=module.minutes // 60, minutes=module.minutes % 60
                    )
                    if module.minutes >= 60
                    else _l("duration_minutes", minutes=module.minutes),
                    _l("col_doing"): module.subtitle,
                }
            )
        return page(
            section_title(messages.text("ui.home_programme_title")),
            widgets.HTML(table_html(rows, caption=messages.text("ui.home_programme_title"))),
        )

    # ---------------------------------------------------------------- project
    @activity
    def project_choice(self) -> widgets.Widget:
        """The open project and the others, a new one, export and import (:mod:`labkit.ui.projects`)."""
        return project_manager(self.project)

    # --------------------------------------------------------------- progress
    @activity
    def progress(self) -> widgets.Widget:
        statuses = progress(self.workspace)
        items = []
        for module in self.modules:
            if module.id == self.module.id:
                continue
            link = page_link(module.notebook, self.pseudonym)
            items.append(
                f'<tr><th scope="row"><a class="dl-link" href="{esc(link)}">{esc(module.label)}</a></th>'
                f'<td class="dl-wrap">{esc(module.subtitle)}</td><td>{status_badge(statuses[module.id])}</td></tr>'
            )
        table = (
            f'<table class="dl-table"><caption>{esc(messages.text("ui.home_progress_title"))}</caption>'
            f'<thead><tr><th scope="col">{esc(_l("col_module"))}</th>'
            f'<th scope="col">{esc(_l("col_content"))}</th>'
            f'<th scope="col">{esc(_l("col_status"))}</th></tr></thead>'
            f"<tbody>{''.join(items)}</tbody></table>"
        )
        return page(section_title(messages.text("ui.home_progress_title")), widgets.HTML(table))

    # ---------------------------------------------------------------- my work
    @activity
    def my_work(self) -> widgets.Widget:
        area = MessageArea()
        export_box = widgets.VBox()

        def refresh_export():
            try:
                data = self.workspace.export_zip()
            except DatalabError as error:  # too large to export (and to import again)
                export_box.children = []
                area.show_exception(error)
                return
            export_box.children = [
                download_link(data, f"datalab-{self.workspace.slug}.zip", mime="application/zip")
            ]

        upload = file_upload(messages.text("ui.home_work_import_label"), ".zip")
        confirm = widgets.Checkbox(
            value=False,
            description=messages.text("ui.home_work_reset_confirm"),
            indent=False,
            layout={"width": "auto"},
        )
        reset = widgets.Button(
            description=messages.text("ui.home_work_reset"), button_style="danger"
        )

        @guarded(area)
        def on_upload(_):
            received = uploaded_file(upload)
            if received is None:
                area.warning(messages.text("ui.upload_empty"))
                return
            count = self.workspace.import_zip(received[1])
            upload.value = ()
            refresh_export()
            area.success(messages.text("ui.home_work_imported", count=count))

        @guarded(area)
        def on_reset(_):
            if not confirm.value:
                area.warning(messages.text("ui.home_work_reset_needs_confirm"))
                return
            self.workspace.reset()
            confirm.value = False
            refresh_export()
            area.success(messages.text("ui.home_work_reset_done"))

        upload.observe(on_upload, names="value")
        reset.on_click(on_reset)
        refresh_export()
        intro = paragraph(messages.text("ui.home_work_export_intro"))
        return page(
            section_title(messages.text("ui.home_work_title")),
            intro,
            export_box,
            upload,
            confirm,
            reset,
            area,
        )

    def accessibility_statement(self) -> widgets.Widget:
        """« Accessibilité : non conforme », as public bodies must say on their home page, and the
        statement it leads to (shown without a pseudonym too: it concerns everyone)."""
        area = MessageArea()
        try:
            statement = accessibility.load_statement()
        except DatalabError as error:
            area.show_exception(error)
            return area
        summary = (
            f"<strong>{esc(accessibility.headline(statement))}</strong> — "
            f"{esc(messages.text('accessibility.headline_more'))}"
        )
        box = widgets.HTML(
            f'<details class="dl-accessibility" id="dl-accessibilite"><summary>{summary}</summary>'
            f"{accessibility.statement_html(statement, heading_level=3)}</details>"
        )
        return page(box)
