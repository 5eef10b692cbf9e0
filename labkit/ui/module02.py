"""Module 02 "Cadrer le problème": the fiche projet, the risk questionnaire, the ethics checklist.

The rules live in :mod:`labkit.course.canvas` and :mod:`labkit.course.risk`; this file only builds the forms and
calls them. Everything is saved in the learner's workspace (keys ``canvas`` and ``risk``) and
comes back when the page is reopened.
"""

from __future__ import annotations

import ipywidgets as widgets

from labkit import messages
from labkit.course import canvas, risk
from labkit.learner import course
from labkit.learner.project import is_example_project
from labkit.ui.components import (
    MessageArea,
    download_link,
    element_id,
    esc,
    guarded,
    html,
    message_html,
    name_group,
    page,
    paragraph,
    section_title,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity

# Labels above their text box, on several lines (ipywidgets puts them on the left, truncated).
FORM_CSS = """
<style>
.dl-field.widget-inline-hbox { flex-direction: column; align-items: stretch; width: 100%; max-width: 52rem;
  height: auto !important; }
.dl-field textarea { min-height: 4.5rem; flex: none; }
.dl-field .widget-label { width: auto !important; max-width: none; white-space: normal;
  font-weight: 600; font-size: 1rem; line-height: 1.4; margin: .2rem 0; text-align: left; }
.dl-field textarea, .dl-field input { font-size: 1rem; width: 100%; }
.dl-field-help { max-width: 52rem; }
.dl-field-help p { margin: .15rem 0; }
.dl-field-box { border-left: 3px solid #e3e3fd; padding: .3rem 0 .5rem .8rem; margin: .4rem 0 .8rem; }
.dl-question { border: 1px solid #ccc; border-radius: 4px; padding: .4rem .9rem; margin: .4rem 0; max-width: 52rem; }
.dl-question p { margin: .2rem 0; }
.dl-risk-level { font-size: 1.15rem; }
</style>
"""
TEXT_LAYOUT = {"width": "100%"}


def _field_help(field: canvas.CanvasField) -> str:
    example = field.example
    shown = (
        f'<p class="dl-muted"><strong>{esc(messages.text("canvas.example_intro"))}</strong> '
        f"{esc(example)}</p>"
        if example
        else ""
    )
    return (
        f'<div class="dl-field-help"><p class="dl-muted"><strong>{esc(messages.text("canvas.help_intro"))}</strong> '
        f"{esc(field.help)}</p>{shown}</div>"
    )


def _field_label(field: canvas.CanvasField) -> str:
    mark = messages.text("canvas.required_mark" if field.required else "canvas.optional_mark")
    return f"{field.label} {mark}"


class Module02App(ModulePage):
    module_id = "02_cadrage"
    depends_on = ("project",)

    # ----------------------------------------------------------------------- fiche projet
    @activity
    def canvas_form(self) -> widgets.Widget:
        """The fiche projet: one labelled box per field, save, reopen, export."""
        area = MessageArea()
        saved = course.load_canvas(self.workspace)
        values = dict(saved or canvas.normalise({}))
        if not values["titre"]:
            project = course.load_project(self.workspace)
            if project is not None:
                values["titre"] = project.title[: canvas.TITLE_MAX]
        inputs: dict[str, widgets.Widget] = {}
        issues: dict[str, widgets.HTML] = {}
        boxes = []
        for field in canvas.FIELDS:
            kind = widgets.Text if field.lines == 1 else widgets.Textarea
            example = field.example[:90] + ("…" if len(field.example) > 90 else "")
            options = {} if field.lines == 1 else {"rows": field.lines + 1}
            box = kind(
                value=values.get(field.id, ""),
                description=_field_label(field),
                # Said to be an example, and drawn in grey italics (theme): not a value typed in.
                placeholder=messages.text("ui.placeholder_example", text=example)
                if example
                else "",
                style={"description_width": "initial"},
                layout=TEXT_LAYOUT,
                **options,
            )
            box.add_class("dl-field")
            box.add_class(f"dl-field-{field.id}")
            inputs[field.id] = box
            issues[field.id] = widgets.HTML()
            container = widgets.VBox([box, html(_field_help(field)), issues[field.id]])
            container.add_class("dl-field-box")
            boxes.append(container)

        save = widgets.Button(
            description=messages.text("canvas.save_button"), button_style="primary"
        )
        save.add_class("dl-canvas-save")
        fill = widgets.Button(description=messages.text("canvas.example_button"))
        if not any(canvas.example_values().values()):  # the running example gives no worked example
            fill.layout.display = "none"
        # The running example's framing fills blanks only in the example project.
        fill.layout.display = "" if is_example_project(self.workspace) else "none"
        exports = widgets.VBox()

        def current() -> dict[str, str]:
            return {field_id: box.value for field_id, box in inputs.items()}

        def show_issues(found: list[canvas.Issue]) -> None:
            by_field = {issue.field: issue for issue in found}
            for field_id, widget in issues.items():
                issue = by_field.get(field_id)
                kind = "error" if issue and issue.kind == "too_long" else "warning"
                widget.value = message_html(kind, issue.message) if issue else ""

        def refresh_exports(stored: dict[str, str] | None) -> None:
            if stored is None:
                exports.children = [paragraph(messages.text("canvas.export_none"), "dl-muted")]
                return
            author = self.pseudonym
            exports.children = [
                download_link(
                    canvas.to_html(stored, author=author).encode("utf-8"),
                    canvas.export_filename(stored, "html"),
                    messages.text("canvas.export_html"),
                    mime="text/html",
                ),
                download_link(
                    canvas.to_markdown(stored, author=author).encode("utf-8"),
                    canvas.export_filename(stored, "md"),
                    messages.text("canvas.export_markdown"),
                    mime="text/markdown",
                ),
            ]
            for link in exports.children:
                link.add_class("dl-canvas-export")

        @guarded(area)
        def on_save(_button) -> None:
            area.clear()
            values = current()
            show_issues(canvas.validate(values))
            result = course.save_canvas(self.workspace, values)
            for field_id, box in inputs.items():
                box.value = result.values[field_id]
            if result.complete:
                area.success(result.message)
            else:
                area.warning(result.message, result.hint)
            refresh_exports(result.values)

        @guarded(area)
        def on_fill(_button) -> None:
            filled = canvas.fill_blanks_with_example(current())
            for field_id, box in inputs.items():
                box.value = filled[field_id]
            show_issues([])
            area.info(messages.text("canvas.example_filled"))

        save.on_click(on_save)
        fill.on_click(on_fill)
        refresh_exports(saved)
        if saved is not None:
            area.info(messages.text("canvas.reloaded"))
        return page(
            widgets.HTML(FORM_CSS),
            section_title(messages.text("canvas.form_title")),
            paragraph(messages.text("canvas.form_intro")),
            *boxes,
            widgets.HBox([save, fill], layout={"flex_flow": "row wrap"}),
            area,
            section_title(messages.text("canvas.export_title"), level=4),
            paragraph(messages.text("canvas.export_intro")),
            exports,
        )

    # ------------------------------------------------------------------ risk questionnaire
    @activity
    def risk_questionnaire(self) -> widgets.Widget:
        """Questions with Oui / Non / Je ne sais pas; the level and its reasons, saved as you go."""
        area = MessageArea()
        questionnaire = risk.load_questionnaire()
        answers, _notes = course.load_risk(self.workspace)
        options = [(risk.answer_label(value), value) for value in risk.ANSWERS]
        radios: dict[str, widgets.RadioButtons] = {}
        parts: list[widgets.Widget] = []
        theme = None
        for number, question in enumerate(questionnaire.questions, start=1):
            if question.theme and question.theme != theme:
                theme = question.theme
                parts.append(section_title(theme, level=4))
            radio = widgets.RadioButtons(
                options=options,
                value=answers.get(question.id),
                description="",
                layout={"width": "auto"},
            )
            radio.add_class(f"dl-risk-{question.id}")
            radios[question.id] = radio
            question_id, hint_id = element_id("dl-risk-q"), element_id("dl-risk-hint")
            hints = (f'<p class="dl-muted">{esc(question.help)}</p>' if question.help else "") + (
                f'<p class="dl-muted"><em>{esc(messages.text("risk.question_example"))}</em> '
                f"{esc(question.example)}</p>"
                if question.example
                else ""
            )
            text = f'<p id="{question_id}"><strong>{number}. {esc(question.text)}</strong></p>' + (
                f'<div id="{hint_id}">{hints}</div>' if hints else ""
            )
            name_group(radio, question_id, hint_id if hints else None)
            box = widgets.VBox([html(text), radio])
            box.add_class("dl-question")
            parts.append(box)

        result = widgets.HTML()
        result.add_class("dl-risk-result")
        assessment = risk.assess(questionnaire, answers)
        pyramid = LiveFigure(risk.risk_pyramid_figure(questionnaire, _shown_level(assessment)))

        def render(current: risk.Assessment) -> None:
            result.value = _assessment_html(current)
            pyramid.update(risk.risk_pyramid_figure(questionnaire, _shown_level(current)))

        @guarded(area)
        def on_answer(_change) -> None:
            chosen = {qid: radio.value for qid, radio in radios.items()}
            render(course.save_risk(self.workspace, answers=chosen, questionnaire=questionnaire))
            area.clear()

        for radio in radios.values():
            radio.observe(on_answer, names="value")
        render(assessment)
        warning = (
            html(message_html("info", questionnaire.warning)) if questionnaire.warning else None
        )
        return page(
            widgets.HTML(FORM_CSS),
            section_title(questionnaire.title or messages.text("risk.questionnaire_title")),
            paragraph(messages.text("risk.questionnaire_intro")),
            *([warning] if warning else []),
            *parts,
            area,
            result,
            pyramid,
        )

    # ------------------------------------------------------------------------ checklist
    @activity
    def ethics_checklist(self) -> widgets.Widget:
        """One free-text answer per ethical question, saved for the final report."""
        area = MessageArea()
        questionnaire = risk.load_questionnaire()
        _answers, notes = course.load_risk(self.workspace)
        inputs: dict[str, widgets.Textarea] = {}
        boxes = []
        for item in questionnaire.checklist:
            box = widgets.Textarea(
                value=notes.get(item.id, ""),
                description=messages.text("risk.checklist_label", title=item.title),
                style={"description_width": "initial"},
                layout={**TEXT_LAYOUT, "height": "5.5rem"},
            )
            box.add_class("dl-field")
            box.add_class(f"dl-check-{item.id}")
            inputs[item.id] = box
            text = f"<p>{esc(item.question)}</p>" + (
                f'<p class="dl-muted">{esc(item.help)}</p>' if item.help else ""
            )
            container = widgets.VBox([html(f"<h4>{esc(item.title)}</h4>{text}"), box])
            container.add_class("dl-field-box")
            boxes.append(container)
        save = widgets.Button(
            description=messages.text("risk.checklist_save"), button_style="primary"
        )
        save.add_class("dl-checklist-save")

        @guarded(area)
        def on_save(_button) -> None:
            notes = {item_id: box.value for item_id, box in inputs.items()}
            course.save_risk(self.workspace, checklist=notes, questionnaire=questionnaire)
            filled = sum(1 for text in notes.values() if text.strip())
            area.success(messages.text("risk.checklist_saved", filled=filled, total=len(inputs)))

        save.on_click(on_save)
        return page(
            widgets.HTML(FORM_CSS),
            section_title(messages.text("risk.checklist_title")),
            paragraph(messages.text("risk.checklist_intro")),
            *boxes,
            save,
            area,
        )


def _shown_level(assessment: risk.Assessment) -> str | None:
    """The level to mark on the pyramid: none before the first answer; the possible level while a
    « je ne sais pas » could raise it (never a lower level that may be false)."""
    if not assessment.answered:
        return None
    if assessment.to_check and assessment.possible_level is not None:
        return assessment.possible_level.id
    return assessment.level.id


def _assessment_html(assessment: risk.Assessment) -> str:
    if assessment.answered == 0:
        return (
            '<div class="dl-card" role="status" aria-live="polite">'
            f"<p>{esc(messages.text('risk.no_answer_yet'))}</p></div>"
        )
    level = assessment.level
    reasons = "".join(f"<li>{esc(text)}</li>" for text in assessment.explanation)
    others = "".join(f"<li>{esc(r.reason)}</li>" for r in assessment.other_yes)
    headline = messages.text("risk.level_reached", level=assessment.label)
    parts = [
        '<div class="dl-card" role="status" aria-live="polite">',
        f'<h4 class="dl-risk-level">{esc(headline)}</h4>',
    ]
    unsure = bool(assessment.to_check and assessment.possible_level is not None)
    if unsure:
        possible = assessment.possible_level
        items = "".join(
            f"<li>{esc(r.text)}"
            + (f'<br><span class="dl-muted">{esc(r.help)}</span>' if r.help else "")
            + "</li>"
            for r in assessment.to_check
        )
        parts.append(
            message_html("warning", messages.text("risk.to_check", level=possible.name))
            + f"<ul>{items}</ul>"
        )
        if possible.consequences:
            parts.append(
                f"<p><strong>{esc(messages.text('risk.possible_consequences', level=possible.name))}"
                f"</strong> {esc(possible.consequences)}</p>"
            )
    else:
        parts.append(f"<p>{esc(level.summary)}</p>")
    if not unsure:
        because = messages.text("risk.level_because")
        parts.append(f"<p><strong>{esc(because)}</strong></p><ul>{reasons}{others}</ul>")
    elif assessment.reasons:
        because = messages.text("risk.level_yes_so_far")
        parts.append(f"<p><strong>{esc(because)}</strong></p><ul>{reasons}{others}</ul>")
    if not unsure and level.consequences:
        parts.append(
            f"<p><strong>{esc(messages.text('risk.consequences'))}</strong> {esc(level.consequences)}</p>"
        )
    if not unsure and level.examples:
        examples = "".join(f"<li>{esc(e)}</li>" for e in level.examples)
        parts.append(
            f"<p><strong>{esc(messages.text('risk.examples'))}</strong></p><ul>{examples}</ul>"
        )
    progress = messages.text("risk.progress", answered=assessment.answered, total=assessment.total)
    if not assessment.complete:
        progress += " " + messages.text("risk.incomplete")
    parts.append(f'<p class="dl-muted">{esc(progress)}</p></div>')
    return "".join(parts)
