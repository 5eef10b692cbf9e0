"""Module 04 "Préparer les données": quality report, fixes with preview and undo, personal data,
schema validation, exploration, the defect-hunt exercise, the recipe exported and the clean table
saved.

All data work is done by :mod:`labkit.prepare.quality`, :mod:`labkit.prepare.recipe`, :mod:`labkit.prepare.privacy` and
:mod:`labkit.data.schema_check`; the figures come from :mod:`labkit.plots.quality`. One :class:`_State`
per page holds the raw table, the recipe and the table it gives; every view listens to it.
"""

from __future__ import annotations

import json

import frictionless  # noqa: F401 - slow to import: loaded with the page (a preheated kernel absorbs it)
import ipywidgets as widgets
import pandas as pd
from ipywidgets.widgets.widget_string import HTMLStyle
from traitlets import Any, HasTraits, Instance

from labkit import csvsafe, messages
from labkit.data import schema_check
from labkit.data.rows import row_list, with_row_column
from labkit.frenchfmt import parse_number
from labkit.learner import chain, course, preparation
from labkit.plots import quality as plots
from labkit.prepare import export, privacy, quality
from labkit.prepare import recipe as rc
from labkit.prepare.findings import Finding
from labkit.prepare.recipe import Recipe, Step
from labkit.settings import load_settings
from labkit.ui.components import (
    MessageArea,
    describe_by,
    download_link,
    element_id,
    esc,
    file_upload,
    frame_html,
    guarded,
    html,
    message_html,
    named_by_tooltip,
    page,
    paragraph,
    section_title,
    table_html,
    when_changed,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity

STYLE = {"description_width": "initial"}
WIDE = {"width": "34rem"}
# Jupyter's own link colour would win over the theme's inside this box: restate it.
EXPORT_CSS = (
    "<style>.dl-export a.dl-button-link, .dl-export a.dl-button-link:visited,"
    " .dl-export a.dl-button-link:hover { color: #fff !important; background: #000091 !important;"
    " margin: .2rem 0; }</style>"
)
SEVERITIES = ("critical", "warning", "info")


def _l(key: str, **fields) -> str:
    return messages.text(f"ui_labels.{key}", **fields)


class _State(HasTraits):
    """The learner's table, recipe and report, shared by the views of the page.

    The views observe ``table``: it is set, with ``report``, each time the recipe changes (the
    recipe, the table it gives and its report are saved together first).
    """

    recipe = Instance(Recipe)
    table = Instance(pd.DataFrame)
    report = Instance(quality.QualityReport)
    # (table before, table after, what changed) of the last step added, shown under the form
    last_preview = Any(None, allow_none=True)

    def __init__(self, workspace):
        super().__init__()
        self.workspace = workspace
        self.choice, self.raw, self.schema = chain.raw_table(workspace)
        self.target = self.choice.target
        self.key = preparation.project_key(workspace)
        self.recipe = preparation.saved_recipe(workspace) or Recipe()
        self._show(*self._derive())

    # ------------------------------------------------------------------ derived
    def _derive(self) -> tuple[pd.DataFrame, quality.QualityReport]:
        """The table the recipe gives and its quality report."""
        table = self.recipe.apply(self.raw, self.key)
        target = self.target if self.target in table.columns else None
        report = quality.assess(
            table, target=target, schema=self.current_schema(table), recipe=self.recipe
        )
        return table, chain.fixes_kept(report, self.raw)  # not the defects the card removed

    def _show(self, table: pd.DataFrame, report: quality.QualityReport) -> None:
        with self.hold_trait_notifications():  # the views see the table with its report
            self.report = report
            self.table = table

    def current_schema(self, table: pd.DataFrame | None = None) -> dict | None:
        """The declared schema, limited to the columns still in the table (dropping a column on
        purpose is not a schema error)."""
        if not self.schema:
            return None
        columns = (self.table if table is None else table).columns
        fields = [f for f in self.schema.get("fields", []) if f.get("name") in columns]
        return {**self.schema, "fields": fields} if fields else None

    def save(self) -> None:
        """Save the recipe, the table it gives and its report, then show them to the views."""
        table, report = self._derive()
        # Saved before the views are told.
        summary = {**quality.summary(report), "scores": report.scores, "steps": len(self.recipe)}
        preparation.save_prepared(self.workspace, self.recipe, table, summary)
        self._show(table, report)

    # ------------------------------------------------------------------ actions
    def add(self, step: Step) -> Step:
        before = self.table
        fitted = fit_and_check(step, before, self.key)
        change = rc.effect(before, fitted, self.key)
        if change.nothing:  # a step that changes nothing is not added
            raise messages.error("recipe.no_change", label=fitted.title())
        old, new = rc.preview(before, fitted, self.key)
        self.recipe.steps.append(fitted)
        try:
            self.last_preview = (old, new, change.text())
            self.save()
        except Exception:
            self.recipe.steps.pop()
            self.last_preview = None
            raise
        return fitted

    def preview(self, step: Step) -> tuple[Step, pd.DataFrame, pd.DataFrame, str]:
        """What ``step`` would change, nothing applied: the fitted step, the rows it touches
        before and after, and how many cells or rows (French)."""
        fitted = fit_and_check(step, self.table, self.key)
        old, new = rc.preview(self.table, fitted, self.key)
        return fitted, old, new, rc.effect(self.table, fitted, self.key).text()

    def undo(self) -> Step:
        step = self.recipe.undo()
        self.last_preview = None
        self.save()
        return step

    def remove(self, index: int) -> Step:
        """Remove the step at ``index`` (0-based); the steps left must still replay on the raw
        table (French error otherwise, and nothing changes)."""
        steps = list(self.recipe.steps)
        removed = self.recipe.remove(index, self.raw, self.key)
        self.last_preview = None
        try:
            self.save()
        except Exception:
            self.recipe.steps = steps
            raise
        return removed

    def use_default(self) -> None:
        self.recipe = chain.default_recipe(self.raw, self.target, self.schema)
        self.last_preview = None
        self.save()

    def clear(self) -> None:
        self.recipe = Recipe()
        self.last_preview = None
        self.save()


def fit_and_check(step: Step, table: pd.DataFrame, key: bytes) -> Step:
    """The step fitted on ``table``; it must apply (French error otherwise)."""
    fitted = rc.fit_step(table, step)
    rc.apply_step(table, fitted, key)
    return fitted


class _CardLook:
    """The layout and styles the finding cards of one report share: ipywidgets makes a layout
    and a style model per widget otherwise, two thirds of the 412 models sent to the browser at
    each fix applied on the running example (issue 23). None is ever changed per card."""

    def __init__(self):
        self.layout = widgets.Layout()
        self.row = widgets.Layout(flex_flow="row wrap")
        self.html_style = HTMLStyle()
        self.button_style = widgets.ButtonStyle()

    def html(self, content: str) -> widgets.HTML:
        return widgets.HTML(content, layout=self.layout, style=self.html_style)

    def button(self, **options) -> widgets.Button:
        return widgets.Button(layout=self.layout, style=self.button_style, **options)


class Module04App(ModulePage):
    module_id = "04_preparation"
    depends_on = ("dataset",)
    uses_dataset = True
    state_class = _State

    # ------------------------------------------------------------------ data in use
    @activity
    def dataset(self) -> widgets.Widget:
        """Which table is examined, and a notice when it is the running example by default."""
        state = self.state
        parts = [section_title(messages.text("quality.ui_dataset_title"))]
        if state.choice.is_default:
            parts.append(
                html(
                    message_html(
                        "info",
                        self.default_dataset_notice(load_settings().running_example.description),
                    )
                )
            )
        target = state.target or "—"
        parts.append(
            html(
                "<p>"
                + messages.text(
                    "quality.ui_dataset_line",
                    name=esc(state.choice.name),
                    rows=len(state.raw),
                    columns=state.raw.shape[1],
                    target=esc(target),
                )
                + "</p>"
            )
        )
        if len(state.recipe):
            parts.append(
                html(
                    f'<p class="dl-muted">{esc(messages.text("quality.ui_recipe_resumed", steps=len(state.recipe)))}</p>'
                )
            )
        return page(*parts)

    # ------------------------------------------------------------------ report
    @activity
    def report(self) -> widgets.Widget:
        """The score per dimension and the findings, each with a fix to apply."""
        state = self.state
        area = MessageArea()
        # the chart above its explanation: side by side, the explanation was squeezed to one
        # letter per line (45 px wide, 4,800 px tall; issue 23)
        scores = widgets.VBox(layout={"width": "100%"})
        findings = widgets.VBox()
        findings.add_class("dl-findings")

        def render() -> None:
            report = state.report
            kind = "warning" if report.deductions else "info"
            scores.children = [
                LiveFigure(plots.scores_figure(report)),
                html(message_html(kind, report.score_explanation())),
            ]
            notes = "".join(
                f"<li><strong>{esc(quality.dimension_label(d))}</strong> : {esc(report.notes[d])}</li>"
                for d in quality.DIMENSIONS
            )
            notes += f"<li>{esc(messages.text('quality.about_findings'))}</li>"
            cards = [
                html(
                    f'<details class="dl-card"><summary>{esc(messages.text("quality.ui_how_measured"))}</summary>'
                    f"<ul>{notes}</ul></details>"
                )
            ]
            if not report.findings:
                cards.append(html(message_html("success", messages.text("quality.summary_none"))))
            look = _CardLook()
            for index, finding in enumerate(report.findings):
                cards.append(self._finding_card(index, finding, area, look))
            findings.children = cards

        when_changed(state, "table", area, render)
        render()
        return page(
            section_title(messages.text("quality.ui_report_title")),
            paragraph(messages.text("quality.ui_report_intro")),
            scores,
            area,
            findings,
        )

    def _finding_card(
        self, index: int, finding: Finding, area: MessageArea, look: _CardLook
    ) -> widgets.Widget:
        where = ", ".join(f"« {c} »" for c in finding.columns) or messages.text(
            "quality.ui_all_columns"
        )
        rows = ""
        if finding.rows:
            shown = row_list(finding.rows)
            rows = f'<p class="dl-muted">{esc(messages.text("quality.ui_rows", rows=shown))}</p>'
        badge = _l(f"severity_{finding.severity}") if finding.severity in SEVERITIES else ""
        body = (
            f'<div class="dl-card dl-finding dl-finding-{esc(finding.kind)}">'
            f'<h4>{esc(finding.title)} <span class="dl-badge dl-badge-todo">{esc(badge)}</span></h4>'
            f"<p>{esc(finding.message)}</p>"
            f'<p class="dl-muted">{esc(messages.text("quality.ui_where", where=where))}</p>{rows}'
            f"<p><strong>{esc(messages.text('quality.ui_why'))}</strong> {esc(finding.why)}</p>"
        )
        if finding.fix is None:
            body += f'<p class="dl-muted">{esc(messages.text("quality.ui_no_fix"))}</p></div>'
            return look.html(body)
        body += f"<p>{esc(messages.text('quality.ui_fix', label=finding.fix.title()))}</p></div>"
        button = look.button(
            description=messages.text("quality.ui_apply"),
            button_style="primary",
            tooltip=messages.text("quality.ui_apply_named", label=finding.fix.title()),
        )
        named_by_tooltip(button)  # nineteen « Appliquer la correction » would name no fix
        button.add_class("dl-fix-button")
        button.add_class(f"dl-fix-{finding.kind}")
        step = finding.fix
        preview_button = look.button(
            description=messages.text("quality.ui_fix_preview"),
            tooltip=messages.text("quality.ui_fix_preview_tooltip", label=finding.fix.title()),
        )
        named_by_tooltip(preview_button)
        preview_button.add_class("dl-fix-preview")
        shown = look.html("")

        @guarded(area)
        def apply(_button) -> None:
            fitted = self.state.add(step)
            shown.value = ""
            area.success(messages.text("quality.ui_applied", label=fitted.title()))

        @guarded(area)
        def preview(_button) -> None:
            """What the fix would change, before the learner decides (nothing is applied)."""
            _, old, new, change = self.state.preview(step)
            shown.value = _preview_html(old, new, change)

        button.on_click(apply)
        preview_button.on_click(preview)
        buttons = widgets.HBox([button, preview_button], layout=look.row)
        return widgets.VBox([look.html(body), buttons, shown], layout=look.layout)

    # ------------------------------------------------------------------ recipe
    @activity
    def recipe(self) -> widgets.Widget:
        """Build the recipe step by step: preview, add, undo, export, and the clean table."""
        state = self.state
        area = MessageArea()
        action = widgets.Dropdown(
            options=[(_l(f"action_{key}"), key) for key in rc.ACTIONS],
            value="fill_missing",
            description=messages.text("quality.ui_action"),
            style=STYLE,
            layout=WIDE,
        )
        column = widgets.Dropdown(
            description=messages.text("quality.ui_column"), style=STYLE, layout=WIDE
        )
        columns = widgets.SelectMultiple(
            description=messages.text("quality.ui_columns"),
            style=STYLE,
            layout={"width": "34rem", "height": "8rem"},
        )
        strategy = widgets.Dropdown(
            options=[
                (_l(f"strategy_{key}"), key)
                for key in ("median", "mean", "most_frequent", "constant")
            ],
            description=messages.text("quality.ui_strategy"),
            style=STYLE,
            layout=WIDE,
        )
        value = widgets.Text(
            description=messages.text("quality.ui_value"), style=STYLE, layout=WIDE
        )
        convert = widgets.Dropdown(
            options=[(_l(f"convert_{key}"), key) for key in rc.CONVERSIONS],
            description=messages.text("quality.ui_convert_to"),
            style=STYLE,
            layout=WIDE,
        )
        operator = widgets.Dropdown(
            options=[
                ("=", "=="),
                ("≠", "!="),
                ("<", "<"),
                ("≤", "<="),
                (">", ">"),
                ("≥", ">="),
                (_l("operator_missing"), "missing"),
                (_l("operator_not_missing"), "not_missing"),
            ],
            value=">=",
            description=messages.text("quality.ui_operator"),
            style=STYLE,
            layout=WIDE,
        )
        low = widgets.Text(description=messages.text("quality.ui_low"), style=STYLE, layout=WIDE)
        high = widgets.Text(description=messages.text("quality.ui_high"), style=STYLE, layout=WIDE)
        parts = widgets.SelectMultiple(
            options=[(messages.text(f"recipe.part_{p}"), p) for p in rc.DATE_PARTS],
            value=("year", "month", "weekday"),
            description=messages.text("quality.ui_parts"),
            style=STYLE,
            layout={"width": "34rem", "height": "7rem"},
        )
        merge_from = widgets.SelectMultiple(
            description=messages.text("quality.ui_merge_from"),
            style=STYLE,
            layout={"width": "34rem", "height": "8rem"},
        )
        fields = {
            "drop_column": [columns],
            "remove_personal": [columns],
            "pseudonymise": [columns],
            "fill_missing": [column, strategy, value],
            "merge_categories": [column, merge_from, value],
            "convert_type": [column, convert],
            "drop_duplicates": [],
            "cap_outliers": [column, low, high],
            "remove_outliers": [column, low, high],
            "filter_rows": [column, operator, value],
            "derive_from_date": [column, parts],
            "mark_missing": [column, value],
        }
        hint_id = element_id("dl-multiple-hint")
        multiple_hint = html(
            f'<p id="{hint_id}" class="dl-muted">{esc(messages.text("quality.ui_multiple_hint"))}</p>'
        )
        for several in (columns, parts, merge_from):
            describe_by(several, hint_id)
        form = widgets.VBox()
        preview_box = widgets.HTML()
        steps_box = widgets.VBox()
        steps_box.add_class("dl-recipe-list")
        steps_box.add_class("dl-card")
        export_box = widgets.VBox()
        export_box.add_class("dl-export")
        status = widgets.HTML()
        status.add_class("dl-recipe-status")
        preview_button = widgets.Button(description=messages.text("quality.ui_preview"))
        add_button = widgets.Button(
            description=messages.text("quality.ui_add"), button_style="primary"
        )
        add_button.add_class("dl-add-step")
        undo_button = widgets.Button(description=messages.text("quality.ui_undo"))
        undo_button.add_class("dl-undo")
        default_button = widgets.Button(description=messages.text("quality.ui_use_default"))
        clear_button = widgets.Button(
            description=messages.text("quality.ui_clear"), button_style="danger"
        )

        def refresh_choices(*_args) -> None:
            names = [str(c) for c in state.table.columns]
            current = column.value
            column.options = names
            if current in names:
                column.value = current
            elif names:  # a list showing nothing says nothing (issue 23)
                column.value = names[0]
            columns.options = names
            refresh_values()

        def refresh_values(*_args) -> None:
            if action.value == "merge_categories" and column.value in state.table.columns:
                counts = state.table[column.value].dropna().astype(str).value_counts().head(60)
                merge_from.options = [(f"{v} ({n})", v) for v, n in counts.items()]
            else:
                merge_from.options = []

        def show_form(*_args) -> None:
            shown = fields[action.value]
            several = any(isinstance(w, widgets.SelectMultiple) for w in shown)
            form.children = [*shown, multiple_hint] if several else shown
            refresh_values()

        def build() -> Step:
            kind = action.value
            params: dict = {}
            if kind in ("drop_column", "remove_personal", "pseudonymise"):
                params["columns"] = list(columns.value)
            elif kind != "drop_duplicates":
                params["column"] = column.value
            if kind == "fill_missing":
                params["strategy"] = strategy.value
                if strategy.value == "constant":
                    params["value"] = value.value
            elif kind == "merge_categories":
                params["mapping"] = {v: value.value.strip() for v in merge_from.value}
                if not value.value.strip():
                    raise messages.error("quality.ui_merge_target_needed")
            elif kind == "convert_type":
                params["to"] = convert.value
            elif kind in ("cap_outliers", "remove_outliers"):
                params["low"] = _bound(low.value, "low")
                params["high"] = _bound(high.value, "high")
            elif kind == "filter_rows":
                params["operator"] = operator.value
                params["value"] = (
                    value.value if operator.value not in ("missing", "not_missing") else None
                )
            elif kind == "derive_from_date":
                params["parts"] = list(parts.value)
            elif kind == "mark_missing":
                params["values"] = [v.strip() for v in value.value.split(";") if v.strip()]
            return Step(kind, params)

        def render() -> None:
            refresh_choices()
            heading = html(
                f"<h4>{esc(messages.text('quality.ui_recipe_steps', count=len(state.recipe)))}</h4>"
            )
            rows: list[widgets.Widget] = [heading]
            for index, step in enumerate(state.recipe.steps):
                label = html(
                    f'<ol class="dl-recipe-steps" start="{index + 1}">'
                    f"<li>{esc(step.title())}</li></ol>"
                )
                remove = widgets.Button(
                    description=messages.text("quality.ui_remove_step", number=index + 1),
                    tooltip=messages.text(
                        "quality.ui_remove_step_tooltip", number=index + 1, label=step.title()
                    ),
                    layout={"width": "max-content"},
                )
                remove.add_class("dl-remove-step")
                remove.on_click(lambda _b, i=index: on_remove(i))
                rows.append(widgets.HBox([label, remove], layout={"align_items": "center"}))
            if not state.recipe.steps:
                rows.append(paragraph(messages.text("quality.ui_recipe_empty")))
            steps_box.children = rows
            if state.last_preview is not None:
                old, new, text = state.last_preview
                preview_box.value = _preview_html(old, new, text)
            table = state.table
            status.value = f'<p role="status">{esc(messages.text("quality.ui_clean_status", rows=len(table), columns=table.shape[1], score=state.report.score))}</p>'
            code = export.to_python(
                state.recipe,
                source=state.choice.filename or f"{state.choice.dataset_id or 'donnees'}.csv",
                read_options=state.choice.read_options or {},
            )
            csv = csvsafe.to_csv_bytes(table, sep=";")
            export_box.children = [
                download_link(
                    code.encode("utf-8"),
                    "recette_nettoyage.py",
                    messages.text("quality.ui_download_code"),
                    "text/x-python",
                ),
                download_link(
                    json.dumps(state.recipe.to_dict(), ensure_ascii=False, indent=1).encode(
                        "utf-8"
                    ),
                    "recette.json",
                    messages.text("quality.ui_download_json"),
                    "application/json",
                ),
                download_link(
                    csv, "tableau_nettoye.csv", messages.text("quality.ui_download_csv"), "text/csv"
                ),
            ]
            undo_button.disabled = not len(state.recipe)

        @guarded(area)
        def on_preview(_button) -> None:
            step, old, new, change = state.preview(build())
            preview_box.value = _preview_html(old, new, change)
            area.info(messages.text("quality.ui_previewed", label=step.title()))

        @guarded(area)
        def on_add(_button) -> None:
            fitted = state.add(build())
            area.success(messages.text("quality.ui_applied", label=fitted.title()))

        @guarded(area)
        def on_undo(_button) -> None:
            step = state.undo()
            preview_box.value = ""
            area.info(messages.text("quality.ui_undone", label=step.title()))

        @guarded(area)
        def on_remove(index: int) -> None:
            step = state.remove(index)
            preview_box.value = ""
            area.info(messages.text("quality.ui_removed", number=index + 1, label=step.title()))

        @guarded(area)
        def on_default(_button) -> None:
            state.use_default()
            area.success(messages.text("quality.ui_default_done", steps=len(state.recipe)))

        @guarded(area)
        def on_clear(_button) -> None:
            state.clear()
            preview_box.value = ""
            area.info(messages.text("quality.ui_cleared"))

        action.observe(guarded(area)(show_form), names="value")
        column.observe(guarded(area)(refresh_values), names="value")
        preview_button.on_click(on_preview)
        add_button.on_click(on_add)
        undo_button.on_click(on_undo)
        default_button.on_click(on_default)
        clear_button.on_click(on_clear)
        when_changed(state, "table", area, render)
        show_form()
        render()
        return page(
            section_title(messages.text("quality.ui_recipe_title")),
            paragraph(messages.text("quality.ui_recipe_intro")),
            action,
            form,
            widgets.HBox([preview_button, add_button], layout={"flex_flow": "row wrap"}),
            area,
            preview_box,
            steps_box,
            widgets.HBox(
                [undo_button, default_button, clear_button], layout={"flex_flow": "row wrap"}
            ),
            status,
            html(EXPORT_CSS),
            section_title(messages.text("quality.ui_export_title"), 4),
            paragraph(messages.text("quality.ui_export_intro")),
            export_box,
        )

    # ------------------------------------------------------------------ personal data
    @activity
    def personal_data(self) -> widgets.Widget:
        """Columns holding personal data, with their evidence; pseudonymise or remove."""
        state = self.state
        area = MessageArea()
        box = widgets.VBox()

        def render() -> None:
            found = privacy.detect_personal(state.table)
            if not found:
                box.children = [
                    html(message_html("success", messages.text("quality.ui_no_personal")))
                ]
                return
            rows = [
                {
                    messages.text("quality.ui_col_column"): f.column,
                    messages.text("quality.ui_col_kind"): f.label,
                    messages.text("quality.ui_col_evidence"): f.evidence,
                }
                for f in found
            ]
            buttons = []
            for f in found:
                pseudo = widgets.Button(
                    description=messages.text("quality.ui_pseudonymise", column=f.column)
                )
                remove = widgets.Button(
                    description=messages.text("quality.ui_remove", column=f.column),
                    button_style="warning",
                )
                pseudo.on_click(guarded(area)(lambda _b, f=f: _protect(f, "pseudonymise")))
                remove.on_click(guarded(area)(lambda _b, f=f: _protect(f, "remove")))
                buttons.append(widgets.HBox([pseudo, remove], layout={"flex_flow": "row wrap"}))
            box.children = [
                html(table_html(rows, caption=messages.text("quality.ui_personal_caption"))),
                *buttons,
            ]

        def _protect(found, how: str) -> None:
            step = state.add(privacy.protection_step(found, how))
            area.success(messages.text("quality.ui_applied", label=step.title()))

        when_changed(state, "table", area, render)
        render()
        return page(
            section_title(messages.text("quality.ui_personal_title")),
            paragraph(privacy.explanation()),
            area,
            box,
        )

    # ------------------------------------------------------------------ schema
    @activity
    def schema_validation(self) -> widgets.Widget:
        """The table against its declared Table Schema (or one the learner uploads)."""
        state = self.state
        area = MessageArea()
        result = widgets.HTML()
        upload = file_upload(messages.text("quality.ui_schema_upload"), ".json")
        label = html(f"<label>{esc(messages.text('quality.ui_schema_upload_label'))}</label>")

        def show(schema: dict | None, origin: str) -> None:
            if not schema:
                result.value = message_html("info", messages.text("quality.ui_schema_none"))
                return
            report = schema_check.validate(state.raw, schema)
            rows = [
                {
                    messages.text("quality.ui_col_column"): i.column or "—",
                    messages.text("quality.ui_col_count"): i.count,
                    messages.text("quality.ui_col_problem"): i.message,
                }
                for i in report.issues
            ]
            kind = "success" if report.valid else "warning"
            result.value = message_html(kind, f"{origin} {report.summary()}") + table_html(
                rows, caption=messages.text("quality.ui_schema_caption")
            )

        @guarded(area)
        def on_upload(_change) -> None:
            if not upload.value:
                return
            item = upload.value[0]
            schema = schema_check.load_schema(
                bytes(item["content"]).decode("utf-8", errors="replace")
            )
            state.schema = schema
            show(
                schema,
                messages.text("quality.ui_schema_uploaded", name=item.get("name", "schema.json")),
            )
            state.save()

        upload.observe(on_upload, names="value")
        guarded(area)(show)(state.schema, messages.text("quality.ui_schema_declared"))
        return page(
            section_title(messages.text("quality.ui_schema_title")),
            paragraph(messages.text("quality.ui_schema_intro")),
            result,
            label,
            upload,
            area,
        )

    # ------------------------------------------------------------------ explore
    @activity
    def explore(self) -> widgets.Widget:
        """Distributions, missing values and the relation of each column with the target."""
        state = self.state
        area = MessageArea()
        chooser = widgets.Dropdown(
            description=messages.text("quality.ui_explore_column"), style=STYLE, layout=WIDE
        )
        chooser.add_class("dl-explore-column")
        figures = widgets.VBox()
        overview = widgets.VBox()

        def render_overview() -> None:
            if state.table.isna().to_numpy().any():
                parts = [LiveFigure(plots.missing_figure(state.table))]
            else:  # said in words: an empty chart with axes from -1 to 6 said nothing (issue 23)
                parts = [paragraph(messages.text("quality.ui_no_missing"), "dl-no-missing")]
            if state.target in state.table.columns:
                parts.append(LiveFigure(plots.associations_figure(state.table, state.target)))
            overview.children = parts
            names = [str(c) for c in state.table.columns if c != state.target]
            current = chooser.value
            # "" and not None: ipywidgets draws a list with nothing in it for None (issue 23)
            chooser.options = [(messages.text("donnees.no_target"), ""), *[(n, n) for n in names]]
            chooser.value = current if current in names else ""

        def render_column(*_args) -> None:
            name = chooser.value
            if not name or name not in state.table.columns:
                figures.children = []
                return
            parts = [LiveFigure(plots.distribution_figure(state.table, name))]
            if state.target in state.table.columns:
                parts.append(LiveFigure(plots.relation_figure(state.table, name, state.target)))
            figures.children = parts

        chooser.observe(guarded(area)(render_column), names="value")
        when_changed(state, "table", area, render_overview)
        render_overview()
        render_column()
        return page(
            section_title(messages.text("quality.ui_explore_title")),
            paragraph(messages.text("quality.ui_explore_intro")),
            overview,
            chooser,
            area,
            figures,
        )

    # ------------------------------------------------------------------ exercise
    @activity
    def exercise(self) -> widgets.Widget:
        """« Trouvez les défauts de l’exemple fil rouge », checked by the quiz engine."""
        from labkit.course.data_quiz import defect_hunt
        from labkit.data import datapackage
        from labkit.ui.quiz_view import QuestionView

        dataset = datapackage.load_dataset(load_settings().running_example.dataset)
        defects = [d if isinstance(d, dict) else vars(d) for d in dataset.defects]
        problem = defect_hunt(defects)
        stored = course.quiz_answers(self.workspace, self.module.id).get(problem.id)
        view = QuestionView(
            problem,
            1,
            lambda p, a, f: course.record_answer(self.workspace, self.module.id, p, a, f),
            lambda p, n: course.record_hint(self.workspace, self.module.id, p.id, n),
            stored,
        )
        return page(
            section_title(messages.text("quality.ui_exercise_title")),
            paragraph(
                load_settings().running_example.text("exercice")
                or messages.text("quality.ui_exercise_intro")
            ),
            view,
        )


def _bound(text: str, name: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    value = parse_number(text)
    if value is None:
        raise messages.error("quality.ui_bad_bound", value=text[:30])
    return value


def _preview_html(before: pd.DataFrame, after: pd.DataFrame, effect: str) -> str:
    old = frame_html(with_row_column(before), 8, messages.text("quality.ui_before"))
    new = (
        frame_html(with_row_column(after), 8, messages.text("quality.ui_after"))
        if len(after.columns) and len(after)
        else f"<p>{esc(messages.text('quality.ui_after_empty'))}</p>"
    )
    return (
        f'<div class="dl-card dl-preview" role="status"><p><strong>{esc(effect)}</strong></p>'
        f'<div style="display:flex;flex-wrap:wrap;gap:1rem"><div>{old}</div><div>{new}</div></div></div>'
    )
