"""Module 06 "Appliquer à un cas d’usage": use the model, choose a threshold, be transparent, report.

The rules live in :mod:`labkit.use.usecase` (the model and its form), :mod:`labkit.use.whatif`,
:mod:`labkit.use.scoring`, :mod:`labkit.use.threshold`, :mod:`labkit.use.transparency`
(the fiche de transparence and the model card) and :mod:`labkit.use.report` (the final report); the
learner's side in :mod:`labkit.learner.sheets` and :mod:`labkit.learner.bundle`; the figures in :mod:`labkit.plots.usecase`. This file builds the widgets and calls
them. The learner's choices are saved under the workspace keys ``usecase`` and ``transparency``.
"""

from __future__ import annotations

import datetime as _dt
import logging

import ipywidgets as widgets
import pandas as pd

from labkit import messages
from labkit.data.rows import with_row_column
from labkit.learner import bundle, course, sheets
from labkit.learner import usecase as saved_usecase
from labkit.learner.project import is_example_project
from labkit.model.display import format_value, number
from labkit.plots import usecase as plots
from labkit.ui.components import (
    MessageArea,
    bullets_html,
    class_token,
    download_link,
    esc,
    file_upload,
    frame_html,
    guarded,
    html,
    message_html,
    page,
    paragraph,
    section_title,
    table_html,
    uploaded_file,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity
from labkit.ui.projects import framing_link
from labkit.use import scoring, threshold, transparency, usecase, whatif

FORM_CSS = """
<style>
.dl-uc-field.widget-inline-hbox { flex-direction: column; align-items: stretch; width: 100%; max-width: 40rem;
  height: auto !important; }
.dl-uc-field select { height: 2rem; flex: 0 0 auto; } /* in a column, a drop-down grew to 130 px */
.dl-uc-field .widget-label { width: auto !important; max-width: none; white-space: normal; font-weight: 600;
  font-size: 1rem; line-height: 1.4; margin: .2rem 0; text-align: left; }
.dl-uc-field input, .dl-uc-field select, .dl-uc-field textarea { font-size: 1rem; width: 100%; }
.dl-uc-text.widget-inline-hbox { flex-direction: column; align-items: stretch; width: 100%; max-width: 52rem;
  height: auto !important; }
.dl-uc-text textarea { min-height: 4.5rem; flex: none; }
.dl-uc-text .widget-label { width: auto !important; max-width: none; white-space: normal; font-weight: 600;
  font-size: 1rem; line-height: 1.4; margin: .2rem 0; text-align: left; }
.dl-uc-text textarea { font-size: 1rem; width: 100%; }
.dl-uc-box { border-left: 3px solid #e3e3fd; padding: .2rem 0 .4rem .8rem; margin: .3rem 0 .6rem; }
.dl-uc-box p { margin: .1rem 0; }
.dl-uc-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: .2rem 1.2rem; }
.dl-uc-result h4 { margin: .2rem 0 .4rem; color: #000091; font-size: 1.1rem; }
.dl-uc-prediction { font-size: 1.2rem; font-weight: 700; }
.dl-uc-links a { margin: .2rem .6rem .2rem 0; }
.dl-page a.dl-button-link, .dl-page a.dl-button-link:visited, .dl-page a.dl-button-link:hover,
.dl-page a.dl-button-link:active, .dl-page a.dl-button-link:focus { color: #fff; background: #000091; }
.dl-page a.dl-button-link:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
</style>
"""
TEXT = {"description_width": "initial"}
log = logging.getLogger(__name__)


def _t(key: str, **fields) -> str:
    return messages.text(f"usecase.{key}", **fields)


def _r(key: str, **fields) -> str:
    return messages.text(f"report.{key}", **fields)


def _size(count: int) -> str:
    if count < 2**20:
        return f"{number(count / 1024, 3)} ko"
    return f"{number(count / 2**20, 3)} Mo"


class Module06App(ModulePage):
    module_id = "06_usage"
    depends_on = ("dataset", "recipe", "model")
    uses_dataset = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._use: usecase.UseContext | None = None
        self._report_html: str | None = None

    def context(self) -> usecase.UseContext:
        """The model this page works with (loaded once per page)."""
        if self._use is None:
            self._use = saved_usecase.load_context(self.workspace)
        return self._use

    @property
    def task_family(self) -> str | None:
        if self.workspace is None:
            return None
        try:
            return self.context().trained.family
        except Exception:  # noqa: BLE001 - the activities say what is wrong; every step stays
            log.warning("the model's task is unknown", exc_info=True)
            return None

    def _model_block(self) -> list[widgets.Widget]:
        ctx = self.context()
        parts = [html(FORM_CSS)]
        if ctx.notice:
            parts.append(html(message_html("warning", ctx.notice)))
        intro = _t(
            "model_intro",
            name=esc(ctx.trained.name),
            target=esc(ctx.target),
            count=len(ctx.features),
        )
        parts.append(html(f'<p class="dl-muted">{intro}</p>'))
        if self.project is not None and not ctx.is_default:
            owner = _t("model_of_project", title=esc(self.project.title()))
            parts.append(html(f'<p class="dl-muted">{owner}</p>'))
        return parts

    # ------------------------------------------------------------------------ the what-if form
    def _field_widget(self, field: usecase.FormField, value) -> widgets.Widget:
        common = {"description": field.label, "style": TEXT}
        if field.kind == "integer":
            try:
                start = int(value)
            except (TypeError, ValueError):
                start = int(field.default or 0)
            widget = widgets.IntText(value=start, **common)
        elif field.kind == "number":
            try:
                start = float(value)
            except (TypeError, ValueError):
                start = float(field.default or 0.0)
            widget = widgets.FloatText(value=start, **common)
        elif field.kind == "category":
            options = list(field.categories) or [str(value or "")]
            widget = widgets.Dropdown(
                options=options, value=value if value in options else options[0], **common
            )
        elif field.kind == "boolean":
            widget = widgets.Checkbox(value=bool(value), indent=False, **common)
        else:
            try:
                start = pd.Timestamp(value).date()
            except (TypeError, ValueError):
                start = None
            widget = widgets.DatePicker(value=start, **common)
        widget.add_class("dl-uc-field")
        widget.add_class(f"dl-uc-input-{class_token(field.name)}")
        return widget

    @staticmethod
    def _widget_value(field: usecase.FormField, widget: widgets.Widget):
        value = widget.value
        if field.kind == "date":
            return value.isoformat() if isinstance(value, _dt.date) else None
        return value

    @activity
    def what_if(self) -> widgets.Widget:
        """One case at a time: a field per column, the prediction, its confidence and why."""
        area = MessageArea()
        ctx = self.context()
        fields = ctx.fields()
        saved = saved_usecase.load_usecase(self.workspace)
        start = usecase.default_case(fields)
        start.update({k: v for k, v in saved["case"].items() if k in start})
        inputs = {f.name: self._field_widget(f, start[f.name]) for f in fields}
        boxes = []
        for f in fields:
            box = widgets.VBox([inputs[f.name], paragraph(f.help, "dl-muted")])
            box.add_class("dl-uc-box")
            boxes.append(box)
        grid = widgets.Box(boxes)
        grid.add_class("dl-uc-grid")
        predict = widgets.Button(description=_t("ui_predict"), button_style="primary")
        predict.add_class("dl-uc-predict")
        reset = widgets.Button(description=_t("ui_reset_case"))
        result = html("", "dl-uc-result")
        figure_box = widgets.VBox()

        def values() -> dict:
            return {f.name: self._widget_value(f, inputs[f.name]) for f in fields}

        @guarded(area)
        def on_predict(_button) -> None:
            area.clear()
            case = values()
            threshold = saved_usecase.load_usecase(self.workspace)["threshold"]
            outcome = whatif.predict_case(ctx, case, threshold=threshold)
            saved_usecase.save_usecase(self.workspace, case=case)
            parts = [
                f"<h4>{esc(_t('ui_result_title'))}</h4>",
                f'<p class="dl-uc-prediction" role="status">{esc(outcome.text)}</p>',
            ]
            for text in (outcome.confidence_text, outcome.threshold_text, *outcome.notes):
                if text:
                    parts.append(f"<p>{esc(text)}</p>")
            parts.append(
                f"<p><strong>{esc(_t('case_why_title'))}</strong> {esc(_t('case_why_intro'))}</p>"
            )
            parts.append(bullets_html(outcome.reasons))
            if outcome.path:
                parts.append(f"<p><strong>{esc(_t('ui_path_title'))}</strong></p>")
                parts.append("<ol>" + "".join(f"<li>{esc(s)}</li>" for s in outcome.path) + "</ol>")
            result.value = '<div class="dl-card">' + "".join(parts) + "</div>"
            if any(abs(c.effect) >= 0.01 for c in outcome.contributions):
                figure_box.children = [LiveFigure(plots.contributions_figure(outcome))]
            else:
                figure_box.children = ()

        @guarded(area)
        def on_reset(_button) -> None:
            for f in fields:
                widget = inputs[f.name]
                if f.kind == "date":
                    widget.value = pd.Timestamp(f.default).date() if f.default else None
                elif f.default is not None:
                    widget.value = f.default
            area.info(_t("ui_case_reset"))

        predict.on_click(on_predict)
        reset.on_click(on_reset)
        return page(
            *self._model_block(),
            section_title(_t("ui_whatif_title")),
            paragraph(_t("ui_whatif_intro")),
            grid,
            widgets.HBox([predict, reset]),
            area,
            result,
            figure_box,
        )

    # ------------------------------------------------------------------------ batch scoring
    @activity
    def batch_scoring(self) -> widgets.Widget:
        """A whole file: read, cleaned by the recipe, checked, scored, downloadable as CSV."""
        area = MessageArea()
        ctx = self.context()
        columns = ", ".join(f"« {c} »" for c in scoring.expected_columns(ctx))
        example = download_link(
            saved_usecase.example_csv(ctx, self.workspace),
            "exemple-a-evaluer.csv",
            _t("ui_batch_example"),
            mime="text/csv",
        )
        example.add_class("dl-uc-example")
        upload = file_upload(
            _t("ui_batch_upload"), ".csv,.txt,.tsv,.xlsx,.xls,.ods", layout={"width": "auto"}
        )
        upload.add_class("dl-uc-upload")
        output = widgets.VBox()
        output.add_class("dl-uc-scoring")

        @guarded(area)
        def on_upload(_change) -> None:
            item = uploaded_file(upload)
            if item is None:
                return
            area.info(_t("ui_working"))
            output.children = ()
            name, data = item
            key = None
            if ctx.recipe is not None and ctx.recipe.needs_key():
                from labkit.learner.preparation import project_key

                key = project_key(self.workspace)
            threshold = saved_usecase.load_usecase(self.workspace)["threshold"]
            result = scoring.score_file(ctx, data, name, threshold=threshold, key=key)
            area.success(result.summary)
            for notice in result.notices:
                area.warning(notice, keep=True)
            link = download_link(
                result.csv_bytes(), result.filename, _t("ui_batch_download"), mime="text/csv"
            )
            link.add_class("dl-uc-download")
            shown = [c for c in result.table.columns if c not in ctx.features][:3]
            shown += [c for c in result.table.columns[-3:] if c not in shown]
            preview = frame_html(with_row_column(result.table[shown]), 8, _t("ui_batch_preview"))
            output.children = [
                html(preview),
                link,
                paragraph(_t("ui_batch_csv_note"), "dl-muted"),
            ]

        upload.observe(on_upload, names="value")
        return page(
            section_title(_t("ui_batch_title")),
            paragraph(_t("ui_batch_intro")),
            paragraph(_t("ui_batch_columns", columns=columns), "dl-muted"),
            example,
            html(f"<p><label>{esc(_t('ui_batch_upload_label'))}</label></p>"),
            upload,
            area,
            output,
        )

    # ------------------------------------------------------------------------ the threshold
    @activity
    def decision_threshold(self) -> widgets.Widget:
        """Costs of the two errors, the threshold, the counts and the expected cost."""
        area = MessageArea()
        ctx = self.context()
        title = section_title(_t("ui_threshold_title"))
        if not ctx.is_binary:
            trained = ctx.trained
            what = (
                _t("threshold_regression")
                if not trained.is_classification
                else _t("threshold_multiclass", count=len(trained.classes))
            )
            return page(title, html(message_html("info", _t("threshold_not_binary", what=what))))
        saved = saved_usecase.load_usecase(self.workspace)
        analysis = threshold.context_threshold(ctx, saved["cost_fp"], saved["cost_fn"])
        labels = analysis.labels()
        positive = format_value(analysis.positive)
        cost_fp = widgets.BoundedFloatText(
            value=saved["cost_fp"],
            min=0,
            max=1_000_000,
            step=1,
            description=f"{_t('ui_cost_fp')} ({labels['fp']})",
            style=TEXT,
        )
        cost_fn = widgets.BoundedFloatText(
            value=saved["cost_fn"],
            min=0,
            max=1_000_000,
            step=1,
            description=f"{_t('ui_cost_fn')} ({labels['fn']})",
            style=TEXT,
        )
        for widget in (cost_fp, cost_fn):
            widget.add_class("dl-uc-field")
        cost_fp.add_class("dl-uc-cost-fp")
        cost_fn.add_class("dl-uc-cost-fn")
        start = saved["threshold"] if saved["threshold"] is not None else analysis.best
        slider = widgets.FloatSlider(
            value=start,
            min=0.01,
            max=0.99,
            step=0.01,
            description=_t("ui_threshold_slider"),
            readout_format=".2f",
            continuous_update=False,
            style=TEXT,
            layout={"width": "36rem"},
        )
        slider.add_class("dl-uc-threshold")
        best_button = widgets.Button(description=_t("ui_threshold_best"))
        save = widgets.Button(description=_t("ui_threshold_save"), button_style="primary")
        save.add_class("dl-uc-threshold-save")
        counts = html("", "dl-uc-counts")
        texts = html("")
        state = {"analysis": analysis}
        figure = LiveFigure(plots.cost_figure(analysis, start))

        def show() -> None:
            current = state["analysis"]
            c = current.counts(slider.value)
            rows = [
                {_t("ui_counts_kind"): labels[k], _t("ui_counts_count"): c[k]}
                for k in ("tp", "fp", "fn", "tn")
            ]
            rows.append(
                {
                    _t("ui_counts_kind"): _t("ui_counts_cost"),
                    _t("ui_counts_count"): number(c["cost"], 6),
                }
            )
            counts.value = (
                f'<p role="status"><strong>{esc(current.counts_text(slider.value))}</strong></p>'
                + table_html(rows, caption=_t("ui_counts_caption", rows=current.rows))
            )
            texts.value = bullets_html(current.texts())
            figure.update(plots.cost_figure(current, slider.value))

        @guarded(area)
        def on_costs(_change) -> None:
            area.clear()
            state["analysis"] = threshold.context_threshold(ctx, cost_fp.value, cost_fn.value)
            show()

        @guarded(area)
        def on_slider(_change) -> None:
            show()

        @guarded(area)
        def on_best(_button) -> None:
            slider.value = state["analysis"].best

        @guarded(area)
        def on_save(_button) -> None:
            values = saved_usecase.save_usecase(
                self.workspace,
                cost_fp=cost_fp.value,
                cost_fn=cost_fn.value,
                threshold=round(float(slider.value), 2),
            )
            area.success(threshold.threshold_saved_text(values))

        cost_fp.observe(on_costs, names="value")
        cost_fn.observe(on_costs, names="value")
        slider.observe(on_slider, names="value")
        best_button.on_click(on_best)
        save.on_click(on_save)
        show()
        return page(
            title,
            paragraph(_t("ui_threshold_intro", positive=positive)),
            cost_fp,
            cost_fn,
            slider,
            widgets.HBox([best_button, save]),
            area,
            counts,
            figure,
            texts,
        )

    # ------------------------------------------------------------------------ transparency
    @activity
    def transparency_sheet(self) -> widgets.Widget:
        """The fiche de transparence and the model card: prefilled, edited, saved, exported."""
        area = MessageArea()
        saved = sheets.load_transparency(self.workspace)
        values = saved or {f.id: "" for f in transparency.FIELDS}
        inputs: dict[str, widgets.Textarea] = {}

        def field_box(spec: transparency.SheetField) -> widgets.Widget:
            box = widgets.Textarea(
                value=values.get(spec.id, ""),
                description=spec.label,
                style=TEXT,
                rows=max(3, spec.lines + 1),  # the box grows with its label (no fixed height)
                layout={"width": "100%"},
            )
            box.add_class("dl-uc-text")
            box.add_class(f"dl-uc-sheet-{spec.id}")
            inputs[spec.id] = box
            container = widgets.VBox([box, paragraph(spec.help, "dl-muted")])
            container.add_class("dl-uc-box")
            return container

        fiche = [field_box(f) for f in transparency.fields_of(transparency.FICHE)]
        carte = [field_box(f) for f in transparency.fields_of(transparency.CARTE)]
        generate = widgets.Button(description=_t("ui_transparency_generate"))
        generate.add_class("dl-uc-sheet-generate")
        save = widgets.Button(description=_t("ui_transparency_save"), button_style="primary")
        save.add_class("dl-uc-sheet-save")
        exports = widgets.VBox()
        exports.add_class("dl-uc-links")

        def title() -> str:
            return inputs["traitement"].value.strip() or None

        def refresh_exports(stored: dict | None) -> None:
            if stored is None:
                exports.children = [paragraph(_t("ui_transparency_not_saved"), "dl-muted")]
                return
            options = {
                "title": title(),
                "author": self.pseudonym,
                "default_model": self.context().is_default,
            }
            links = []
            for part, key in ((transparency.FICHE, "fiche"), (transparency.CARTE, "carte")):
                links.append(
                    download_link(
                        transparency.to_html(stored, part, **options).encode("utf-8"),
                        transparency.export_filename(part, title(), "html"),
                        _t(f"ui_export_{key}_html"),
                        mime="text/html",
                    )
                )
                links.append(
                    download_link(
                        transparency.to_markdown(stored, part, **options).encode("utf-8"),
                        transparency.export_filename(part, title(), "md"),
                        _t(f"ui_export_{key}_md"),
                        mime="text/markdown",
                    )
                )
            exports.children = [paragraph(_t("ui_transparency_exports")), *links]

        # said under its button: the sheet's own messages are 4,000 px lower, under « Enregistrer »
        drafted_area = MessageArea()

        @guarded(drafted_area)
        def on_generate(_button) -> None:
            drafted_area.info(_t("ui_working"))
            facts = sheets.gather_facts(self.workspace, self.context())
            drafted = transparency.generate(facts)
            for key, box in inputs.items():
                box.value = drafted.get(key, "")
            drafted_area.info(_r("sheet_generated"))

        @guarded(area)
        def on_save(_button) -> None:
            area.clear()
            stored = sheets.save_transparency(
                self.workspace, {k: box.value for k, box in inputs.items()}
            )
            area.success(_r("sheet_saved"))
            missing = transparency.to_complete(stored)
            if missing:
                area.warning(
                    _r("sheet_to_complete", count=len(missing), labels=", ".join(missing)),
                    keep=True,
                )
            refresh_exports(stored)

        generate.on_click(on_generate)
        save.on_click(on_save)
        stale = sheets.transparency_stale(self.workspace)
        if stale:
            area.warning(stale, keep=True)
        refresh_exports(saved)
        unframed = []
        if not is_example_project(self.workspace) and course.load_canvas(self.workspace) is None:
            # « Préremplir » has no framing to draw from: say so, and where to write it
            unframed = [html(f'<p class="dl-muted">{framing_link(self.pseudonym)}</p>')]
        return page(
            section_title(_t("ui_transparency_title")),
            paragraph(_t("ui_transparency_intro")),
            *unframed,
            generate,
            drafted_area,
            section_title(_t("ui_fiche_heading"), 4),
            *fiche,
            section_title(_t("ui_carte_heading"), 4),
            *carte,
            save,
            area,
            exports,
        )

    # ------------------------------------------------------------------------ report and bundle
    @activity
    def final_report(self) -> widgets.Widget:
        """The final report to download, and the export bundle to take elsewhere."""
        area = MessageArea()
        saved = saved_usecase.load_usecase(self.workspace)
        next_steps = widgets.Textarea(
            value=saved["next_steps"],
            description=_t("ui_next_steps"),
            placeholder=_r("next_steps_default"),
            style=TEXT,
            layout={"width": "100%", "height": "6rem"},
        )
        next_steps.add_class("dl-uc-text")
        interactive = widgets.Checkbox(
            value=saved["interactive_report"],
            description=_t("ui_interactive"),
            indent=False,
            layout={"width": "auto"},
        )
        build = widgets.Button(description=_t("ui_report_build"), button_style="primary")
        build.add_class("dl-uc-report-build")
        report_links = widgets.VBox()
        report_links.add_class("dl-uc-report")
        bundle_button = widgets.Button(description=_t("ui_bundle_build"))
        bundle_button.add_class("dl-uc-bundle-build")
        bundle_links = widgets.VBox()
        upload = file_upload(_t("ui_bundle_import"), ".zip", layout={"width": "auto"})
        upload.add_class("dl-uc-bundle-upload")

        @guarded(area)
        def on_build(_button) -> None:
            area.info(_t("ui_working"))
            report_links.children = ()
            saved_usecase.save_usecase(
                self.workspace, next_steps=next_steps.value, interactive_report=interactive.value
            )
            facts = sheets.gather_facts(self.workspace, self.context())
            document = sheets.project_report(self.workspace, facts, interactive=interactive.value)
            self._report_html = document
            data = document.encode("utf-8")
            link = download_link(
                data,
                f"rapport-{self.workspace.slug}.html",
                _t("ui_report_download"),
                mime="text/html",
            )
            link.add_class("dl-uc-report-link")
            report_links.children = [link]
            area.success(_r("report_ready", size=_size(len(data))))

        @guarded(area)
        def on_bundle(_button) -> None:
            area.info(_t("ui_working"))
            bundle_links.children = ()
            data = bundle.export_bundle(self.workspace, report_html=self._report_html)
            link = download_link(
                data,
                bundle.bundle_filename(self.workspace),
                _t("ui_bundle_download"),
                mime="application/zip",
            )
            link.add_class("dl-uc-bundle-link")
            bundle_links.children = [link]
            import io
            import zipfile

            count = len(zipfile.ZipFile(io.BytesIO(data)).namelist())
            area.success(_r("bundle_exported", count=count, size=_size(len(data))))

        @guarded(area)
        def on_import(_change) -> None:
            item = uploaded_file(upload)
            if item is None:
                return
            _name, data = item
            result = bundle.import_bundle(self.workspace, data)
            self._use = None  # the next activity uses the imported model
            area.success(result.message)

        build.on_click(on_build)
        bundle_button.on_click(on_bundle)
        upload.observe(on_import, names="value")
        return page(
            section_title(_t("ui_report_title")),
            paragraph(_t("ui_report_intro")),
            next_steps,
            interactive,
            build,
            report_links,
            bundle_button,
            bundle_links,
            paragraph(_t("ui_bundle_import_note"), "dl-muted"),
            html(f"<p><label>{esc(_t('ui_bundle_import_label'))}</label></p>"),
            upload,
            area,
        )

    # ------------------------------------------------------------------------ closing
    @activity
    def closing(self) -> widgets.Widget:
        """What the learner produced across the cycle, done or still to do."""
        from labkit.learner import model as saved_model

        ws = self.workspace
        steps = [
            ("ui_closing_canvas", ws.load("canvas") is not None),
            ("ui_closing_risk", ws.load("risk") is not None),
            ("ui_closing_dataset", ws.load("dataset") is not None),
            ("ui_closing_recipe", ws.load("recipe") is not None),
            ("ui_closing_model", saved_model.has_model(ws)),
            ("ui_closing_threshold", saved_usecase.load_usecase(ws)["threshold"] is not None),
            ("ui_closing_transparency", sheets.load_transparency(ws) is not None),
        ]
        if not self.context().is_binary:  # a threshold is chosen only for a yes/no decision
            steps = [step for step in steps if step[0] != "ui_closing_threshold"]
        rows = "".join(
            f"<li>{esc(_t(key))} : "
            f'<span class="dl-badge dl-badge-{"done" if done else "todo"}">'
            f"{esc(_t('ui_closing_done' if done else 'ui_closing_todo'))}</span></li>"
            for key, done in steps
        )
        return page(
            section_title(_t("ui_closing_title")),
            html(f"<p>{esc(_t('ui_closing_intro'))}</p><ul>{rows}</ul>"),
        )
