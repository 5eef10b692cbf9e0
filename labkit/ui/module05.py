"""Module 05 "Entraîner un modèle": target and features, honest evaluation, the comparison with a
progress bar, metrics on the learner's rows (confusion matrix cells list their rows), the
complexity slider and the learning curve, explanations, the bias audit, and the model saved.

All the work is done by :mod:`labkit.model.learning`, :mod:`labkit.model.explain`, :mod:`labkit.model.fairness` and
:mod:`labkit.model.model_store`; figures come from :mod:`labkit.plots.learning`. One :class:`_State` per
page holds the clean table, the choice, the comparison and the model examined; the views listen to
it (events ``choice``, ``compared``, ``model``).
"""

from __future__ import annotations

import logging

import ipywidgets as widgets
from traitlets import Any, Bool, CFloat, CInt, HasTraits, List, Unicode

from labkit import messages
from labkit.course import canvas
from labkit.data import kinds, selection
from labkit.data.rows import with_row_column
from labkit.errors import DatalabError
from labkit.learner import chain, course
from labkit.learner import model as saved_model
from labkit.model import (
    catalogue,
    curves,
    display,
    explain,
    fairness,
    learning,
    model_store,
    problem,
    reliance,
)
from labkit.plots import learning as plots
from labkit.prepare import quality
from labkit.prepare import recipe as rc
from labkit.prepare.findings import Finding
from labkit.settings import load_settings
from labkit.ui.components import (
    MessageArea,
    bullets_html,
    element_id,
    esc,
    frame_html,
    guarded,
    html,
    message_html,
    name_group,
    named_by_tooltip,
    page,
    paragraph,
    run_guarded,
    section_title,
    status_html,
    table_html,
    when_changed,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity
from labkit.ui.session import page_link

STYLE = {"description_width": "initial"}
BUTTON = {"width": "max-content"}
WIDE = {"width": "30rem"}
MAX_CELL_ROWS = 30
CURVE_MODELS = ("tree", "knn", "formula", "linear", "forest", "boosting")
EXPLAIN_DEPTH = 3
COMPARE_SHARE = 0.8  # of the progress bar: the comparison, then the check of what the best uses
CANVAS_MODULE = "02_cadrage"  # where the learner writes which data are known at decision time
LOG = logging.getLogger(__name__)
CHOICE = ("target", "features", "grouping")  # the traits of the state that make the choice
PAGE_CSS = """
<style>
.dl-features { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
  gap: 0 1rem; max-width: 60rem; }
.dl-features .widget-checkbox { width: auto; }
.dl-matrix { display: grid; gap: .3rem; align-items: center; max-width: 44rem; margin: .4rem 0; }
.dl-matrix .widget-button { width: auto; }
.dl-cell-right.widget-button { background: #e6feda; color: #0f4a25; border: 1px solid #18753c; }
.dl-cell-wrong.widget-button { background: #ffe9e6; color: #6e2a00; border: 1px solid #8d4000; }
.dl-cell-selected.widget-button { outline: 3px solid #000091; font-weight: 700; }
.dl-gap-large { font-weight: 600; }
</style>
"""


def _t(key: str, **fields) -> str:
    return messages.text(f"learning.{key}", **fields)


class _State(HasTraits):
    """The learner's clean table and everything module 05 builds from it.

    The views observe the choice (``target``, ``features``, ``grouping``), the comparison
    (``comparison``; then ``reliance``: what the best model relies on, checked once the results
    are shown, while ``checking``) and the model examined (``trained``, set with its ``result``).
    """

    target = Unicode(None, allow_none=True)
    features = List()
    grouping = Any(None, allow_none=True)  # the rare classes grouped, in this module only
    folds = CInt(5)
    test_share = CFloat(0.2)
    comparison = Any(None, allow_none=True)
    trained = Any(None, allow_none=True)
    result = Any(None, allow_none=True)
    reliance = Any(None, allow_none=True)  # labkit.model.reliance.Reliance of the best model
    checking = Bool(False)  # the check of what the best model relies on is running

    def __init__(self, workspace):
        super().__init__()
        self.workspace = workspace
        self.notices: list[str] = []
        prepared = chain.prepared(workspace)
        self.choice, self.recipe, self.clean = prepared.choice, prepared.recipe, prepared.clean
        raw = prepared.raw
        self.identifiers = kinds.declared_identifiers(raw)  # never offered as features
        if prepared.recipe_is_default:
            self.notices.append(_t("ui_default_recipe", count=len(self.recipe)))
        # why the clean table cannot be learnt from, if so: (message, hint)
        self.problem: tuple[str, str | None] | None = None
        try:
            problem.check_cleaned(raw, self.clean, self.choice.target)
        except DatalabError as exc:  # shown as a French message on the page
            self.problem = (exc.message, exc.hint)
        self.base_clean = self.clean  # before any grouping of rare classes
        self.leaks: list[Finding] = []
        self.excluded: list[tuple[str, str]] = []
        self.audited_column: str | None = None
        target = self.choice.target
        self.set_target(target if target in self.clean.columns else None)
        self._resume_saved_columns()

    def _resume_saved_columns(self) -> None:
        """Start from the columns of the model saved for this project (same target, same data),
        so that coming back to a project finds its column choice as it was."""
        meta = saved_model.load_metadata(self.workspace) if self.workspace is not None else None
        if not isinstance(meta, dict) or not self.target or meta.get("target") != self.target:
            return
        if saved_model.trained_on_other_data(self.workspace, meta):
            return
        kept = [
            c
            for c in meta.get("features") or []
            if c in self.clean.columns and c != self.target and c not in self.identifiers
        ]
        if kept and kept != list(self.features):
            self.set_features(kept)
            self.notices.append(_t("ui_columns_resumed", count=len(kept)))

    # ------------------------------------------------------------------ choice
    def set_target(self, target: str | None) -> None:
        with self.hold_trait_notifications():
            self.target = target or None
            self.clean, self.grouping = self.base_clean, None
            if self.target:
                features, self.excluded = kinds.without_identifiers(
                    *problem.default_features(self.clean, self.target), self.clean
                )
                self.leaks = quality.leakage(self.clean, self.target)
            else:
                features, self.excluded = [], []
                self.leaks = []
            self.features = features
            self.forget()

    def set_features(self, features: list[str]) -> None:
        with self.hold_trait_notifications():
            self.features = list(features)
            self.forget()

    def leak_columns(self) -> list[str]:
        """Columns the quality report says give the target away (alone or together)."""
        seen: list[str] = []
        for finding in self.leaks:
            for column in finding.columns:
                if column not in seen and column != self.target:
                    seen.append(column)
        return seen

    def uncheck_leaks(self) -> list[str]:
        leaking = set(self.leak_columns())
        removed = [c for c in self.features if c in leaking]
        self.set_features([c for c in self.features if c not in leaking])
        return removed

    def group_rare(self) -> problem.RareGrouping:
        """Group the classes too rare for the chosen folds into « Autres » (this module only)."""
        clean, grouping = problem.group_rare_classes(self.base_clean, self.target, self.folds)
        with self.hold_trait_notifications():
            self.clean, self.grouping = clean, grouping
            self.forget()
        return self.grouping

    def ungroup(self) -> None:
        with self.hold_trait_notifications():
            self.clean, self.grouping = self.base_clean, None
            self.forget()

    def model_recipe(self) -> dict:
        """The recipe saved with the model: module 04's, plus the grouping of rare classes."""
        steps = list(self.recipe.steps)
        if self.grouping is not None:
            mapping = {str(k): str(v) for k, v in self.grouping.mapping.items()}
            label = self.grouping.step_label(self.target)
            steps.append(
                rc.Step("merge_categories", {"column": self.target, "mapping": mapping}, label)
            )
        return rc.Recipe(steps).to_dict()

    def forget(self) -> None:
        """Drop the comparison and the model examined: the choice they were made on changed."""
        with self.hold_trait_notifications():
            self.comparison = self.trained = self.result = self.reliance = None
            self.checking = False

    def task(self) -> problem.Task:
        return problem.check_choice(self.clean, self.target, self.features)

    def plan(self) -> problem.EvaluationPlan:
        task = self.task()
        return problem.plan_evaluation(
            self.clean, self.target, task, folds=self.folds, test_share=self.test_share
        )

    # ------------------------------------------------------------------ models
    def compare(self, progress) -> learning.Comparison:
        """Compare the models and examine the best one (the views show them), then check which
        columns its score depends on (:func:`labkit.model.reliance.check_reliance`), which the
        views add to the results. The check refits the best model once per group of columns:
        the results no longer wait for it (0.4 to 0.7 s on the running example; issue 23)."""
        plan = self.plan()
        comparison = learning.compare(
            self.clean,
            self.target,
            self.features,
            plan=plan,
            progress=lambda fraction, text: (
                # its last step gives its duration, which ends before the page is drawn: not shown
                progress(COMPARE_SHARE * fraction, text) if fraction < 1 else None
            ),
        )
        trained, result = self._fit(comparison, comparison.best().key)
        checking = comparison.beats_baseline()
        with self.hold_trait_notifications():
            self.comparison, self.reliance, self.checking = comparison, None, checking
            self.result, self.trained = result, trained
        check = None
        if checking:
            try:
                check = reliance.check_reliance(
                    self.clean,
                    self.target,
                    comparison.features,
                    trained.key,
                    comparison.split,
                    trained=trained,
                    progress=lambda fraction, text: progress(
                        COMPARE_SHARE + (1 - COMPARE_SHARE) * fraction, text
                    ),
                )
            except Exception:  # noqa: BLE001 - the check adds a warning, it never stops the comparison
                LOG.exception("reliance check failed")
        progress(1.0, messages.text("learning.reliance_done"))
        with self.hold_trait_notifications():
            self.reliance, self.checking = check, False
        return comparison

    def examine(self, key: str) -> None:
        if self.comparison is None:
            raise messages.error("learning.not_compared")
        trained, result = self._fit(self.comparison, key)
        with self.hold_trait_notifications():  # the views see the model with its result
            self.result, self.trained = result, trained

    def _fit(self, comparison: learning.Comparison, key: str):
        """Model ``key`` fitted on the development rows, with its result on the test rows."""
        trained = learning.train(
            self.clean,
            self.target,
            self.features,
            key,
            split=comparison.split,
            recipe=self.model_recipe(),
        )
        result = learning.evaluate(trained, self.clean, comparison.split)
        scores = comparison.get(key)
        trained.info.update(
            {
                "cv_score": scores.score,
                "cv_std": scores.std,
                "test_score": float(result.score),
                "evaluation": comparison.plan.to_dict(),
            }
        )
        return trained, result

    def require_model(self) -> learning.TrainedModel:
        if self.comparison is None:
            raise messages.error("learning.not_compared")
        if self.trained is None:
            raise messages.error("learning.not_trained")
        return self.trained

    def save(self) -> dict:
        trained = self.require_model()
        comparison = self.comparison
        extra = {
            "comparison": comparison.to_dict(),
            "test": self.result.to_dict(),
            "test_rows": list(comparison.split.test_index),  # file rows (labkit.data.rows)
            "evaluation": comparison.plan.to_dict(),
            "cv_score": trained.info.get("cv_score"),
            "cv_std": trained.info.get("cv_std"),
            "test_score": trained.info.get("test_score"),
            "dataset": {"name": self.choice.name, "id": self.choice.dataset_id},
        }
        if self.audited_column:
            extra["fairness"] = {"column": self.audited_column}
        if self.grouping is not None:
            extra["rare_grouping"] = self.grouping.explanation(self.target)
        return saved_model.save_model(self.workspace, trained, extra)

    def group_columns(self) -> list[str]:
        preferred: list[str] = []
        dataset = selection.dataset_of(self.choice)
        if dataset is not None:
            preferred = list(dataset.group_columns)
        return fairness.candidate_columns(self.clean, self.target, preferred)


class Module05App(ModulePage):
    module_id = "05_modele"
    depends_on = ("dataset", "recipe")
    uses_dataset = True
    state_class = _State

    def _model_names(self) -> list[tuple[str, str]]:
        comparison = self.state.comparison
        if comparison is None:
            return []
        best = comparison.best().key
        return [
            (m.name + (f" {_t('ui_best_mark')}" if m.key == best else ""), m.key)
            for m in comparison.ranked()
        ]

    # ------------------------------------------------------------------ target and features
    @activity
    def choice(self) -> widgets.Widget:
        """The target (with the task explained) and the columns used to predict it."""
        state = self.state
        area = MessageArea()
        parts: list[widgets.Widget] = [html(PAGE_CSS), section_title(_t("ui_choice_title"))]
        notices = list(state.notices)
        if state.choice.is_default:
            example = load_settings().running_example
            what = _t(
                "ui_default_dataset_what", description=example.description, target=example.target
            )
            notices.insert(0, self.default_dataset_notice(what))
        for notice in notices:
            parts.append(html(message_html("info", notice)))
        if state.problem:
            parts.append(html(message_html("error", *state.problem)))
        parts.append(
            html(
                "<p>"
                + _t(
                    "ui_data_line",
                    rows=len(state.clean),
                    columns=state.clean.shape[1],
                    name=esc(state.choice.name),
                )
                + "</p>"
            )
        )
        options = [(_t("ui_target_none"), "")] + [(str(c), str(c)) for c in state.clean.columns]
        target = widgets.Dropdown(
            options=options,
            value=state.target or "",
            description=_t("ui_target_label"),
            style=STYLE,
            layout=WIDE,
        )
        task_box = widgets.HTML()
        boxes = widgets.Box()
        boxes.add_class("dl-features")
        features_id = element_id("dl-features")
        name_group(boxes, features_id)
        excluded = widgets.HTML()
        leak_text = widgets.HTML()
        leak_button = widgets.Button(
            description=_t("leak_uncheck"), button_style="warning", layout=BUTTON
        )
        leak_button.add_class("dl-uncheck-leaks")
        leak_box = widgets.VBox([leak_text, leak_button])
        leak_box.add_class("dl-leak-warning")
        check_all = widgets.Button(description=_t("ui_features_all"), layout=BUTTON)
        check_none = widgets.Button(description=_t("ui_features_none"), layout=BUTTON)
        checkboxes: dict[str, widgets.Checkbox] = {}
        busy = {"value": False}

        def render() -> None:
            busy["value"] = True
            try:
                columns = [
                    c
                    for c in state.clean.columns
                    if c != state.target and c not in state.identifiers
                ]
                checkboxes.clear()
                for column in columns:
                    box = widgets.Checkbox(
                        value=column in state.features,
                        description=str(column),
                        indent=False,
                    )
                    box.observe(on_feature, names="value")
                    checkboxes[column] = box
                boxes.children = list(checkboxes.values())
                if state.excluded:
                    items = [f"« {c} » : {reason}" for c, reason in state.excluded]
                    excluded.value = (
                        f'<p class="dl-muted"><strong>{esc(_t("ui_excluded_title"))}</strong></p>'
                        + bullets_html(items)
                    )
                else:
                    excluded.value = ""
                describe()
            finally:
                busy["value"] = False

        def show_leaks() -> None:
            leaking = [c for c in state.leak_columns() if c in state.features]
            if not leaking:
                leak_box.layout.display = "none"
                leak_text.value = ""
                return
            details = " ".join(f.message for f in state.leaks)
            text = _t(
                "leak_warning",
                columns=", ".join(f"« {c} »" for c in leaking),
                target=state.target,
                details=details,
            )
            leak_text.value = (
                f'<p class="dl-muted"><strong>{esc(_t("leak_title"))}</strong></p>'
                + message_html("warning", text)
            )
            leak_box.layout.display = None

        def describe() -> None:
            show_leaks()
            if not state.target or state.problem:  # the problem is already said above
                task_box.value = ""
                return
            try:
                task = state.task()
            except Exception as exc:  # noqa: BLE001 - shown as a French message
                task_box.value = ""
                area.show_exception(exc)
                return
            area.success(_t("ui_choice_ok", count=len(state.features), target=state.target))
            task_box.value = status_html(task.explanation)

        @guarded(area)
        def on_target(change) -> None:
            area.clear()
            state.set_target(change["new"])
            render()

        @guarded(area)
        def on_feature(_change) -> None:
            if busy["value"]:
                return
            area.clear()
            state.set_features([c for c, box in checkboxes.items() if box.value])
            describe()

        def set_all(value: bool) -> None:
            busy["value"] = True
            for box in checkboxes.values():
                box.value = value
            busy["value"] = False
            on_feature(None)

        @guarded(area)
        def on_uncheck(_button) -> None:
            removed = state.uncheck_leaks()
            render()
            area.info(_t("leak_unchecked", columns=", ".join(f"« {c} »" for c in removed)))

        leak_button.on_click(on_uncheck)
        target.observe(on_target, names="value")
        check_all.on_click(guarded(area)(lambda _b: set_all(True)))
        check_none.on_click(guarded(area)(lambda _b: set_all(False)))
        render()
        parts += [
            target,
            task_box,
            html(f'<p id="{features_id}">{esc(_t("ui_features_intro"))}</p>'),
            leak_box,
            widgets.HBox([check_all, check_none]),
            boxes,
            excluded,
            area,
        ]
        return page(*parts)

    # ------------------------------------------------------------------ evaluation
    @activity
    def evaluation(self) -> widgets.Widget:
        """How the models will be judged: a test set aside, then repeated cross-validation."""
        state = self.state
        area = MessageArea()
        folds = widgets.Dropdown(
            options=[("3", 3), ("5", 5), ("10", 10)],
            value=state.folds,
            description=_t("ui_folds_label"),
            style=STYLE,
        )
        share = widgets.Dropdown(
            options=[("20 %", 0.2), ("25 %", 0.25), ("30 %", 0.3)],
            value=state.test_share,
            description=_t("ui_test_label"),
            style=STYLE,
        )
        text = widgets.HTML()
        rare_text = widgets.HTML()
        group_button = widgets.Button(
            description=_t("rare_group_button", label=problem.OTHERS), layout=BUTTON
        )
        group_button.add_class("dl-group-rare")
        fewer_button = widgets.Button(layout=BUTTON)
        fewer_button.add_class("dl-fewer-folds")
        undo_group = widgets.Button(description=_t("rare_undo"), layout=BUTTON)
        undo_group.add_class("dl-ungroup-rare")
        rare_box = widgets.VBox([rare_text, widgets.HBox([group_button, fewer_button])])
        rare_box.add_class("dl-rare-classes")
        grouping_text = widgets.HTML()
        grouping_box = widgets.VBox([grouping_text, undo_group])
        possible = {"folds": None}
        busy = {"value": False}

        def show_rare() -> None:
            rare = problem.rare_classes(state.clean, state.target, state.folds)
            if not rare or not state.task().is_classification:
                rare_box.layout.display = "none"
                return
            names = ", ".join(f"« {display.format_value(v)} »" for v in rare)
            possible["folds"] = problem.fewest_folds_possible(state.clean, state.target)
            help_fewer = (
                _t("rare_folds_help") if possible["folds"] is not None else _t("rare_no_folds")
            )
            rare_text.value = (
                f"<p><strong>{esc(_t('rare_title'))}</strong></p>"
                f"<p>{esc(_t('rare_intro', classes=names, folds=state.folds, minimum=state.folds + 1))}</p>"
                + bullets_html([_t("rare_group_help"), help_fewer])
            )
            if possible["folds"] is not None:
                fewer_button.description = _t("rare_folds_button", folds=possible["folds"])
                fewer_button.layout.display = None
            else:
                fewer_button.layout.display = "none"
            rare_box.layout.display = None

        def render() -> None:
            area.clear()
            rare_box.layout.display = "none"
            if state.grouping is not None and state.target:
                grouping_text.value = message_html(
                    "info",
                    _t("rare_grouping_active", text=state.grouping.explanation(state.target)),
                )
                grouping_box.layout.display = None
            else:
                grouping_box.layout.display = "none"
            if not state.target:
                text.value = ""
                return
            try:
                plan = state.plan()
            except Exception as exc:  # noqa: BLE001 - shown as a French message
                text.value = ""
                area.show_exception(exc)
                if getattr(exc, "key", "") == "learning.too_few_rows_class":
                    show_rare()
                return
            text.value = status_html(plan.describe(len(state.clean)))

        @guarded(area)
        def on_change(_change) -> None:
            if busy["value"]:
                return
            state.folds, state.test_share = folds.value, share.value
            state.forget()
            render()

        @guarded(area)
        def on_group(_button) -> None:
            state.group_rare()  # the choice changed: the page renders again

        @guarded(area)
        def on_fewer(_button) -> None:
            number = possible["folds"]
            if number is None:
                return
            busy["value"] = True
            try:
                values = sorted({v for _, v in folds.options} | {number})
                folds.options = [(str(v), v) for v in values]
                folds.value = number
            finally:
                busy["value"] = False
            state.folds = number
            state.forget()
            render()

        @guarded(area)
        def on_ungroup(_button) -> None:
            state.ungroup()

        group_button.on_click(on_group)
        fewer_button.on_click(on_fewer)
        undo_group.on_click(on_ungroup)
        folds.observe(on_change, names="value")
        share.observe(on_change, names="value")
        when_changed(state, CHOICE, area, render)
        render()
        return page(
            section_title(_t("ui_evaluation_title")),
            widgets.HBox([folds, share]),
            text,
            area,
            rare_box,
            grouping_box,
        )

    # ------------------------------------------------------------------ comparison
    @activity
    def comparison(self) -> widgets.Widget:
        """Every model on the same folds, with a progress bar, then one table and one figure."""
        state = self.state
        area = MessageArea()
        button = widgets.Button(
            description=_t("ui_compare_button"), button_style="primary", layout=BUTTON
        )
        button.add_class("dl-compare")
        progress = widgets.IntProgress(
            value=0, min=0, max=100, description=_t("ui_progress_label"), style=STYLE
        )
        step = widgets.HTML()
        result = widgets.VBox([paragraph(_t("ui_compare_waiting"), "dl-muted")])
        result.add_class("dl-compare-result")
        # what the best model relies on: checked once the results are shown, then said above them
        relied_on = widgets.VBox()

        def show_step(message: str) -> None:
            step.value = f'<p class="dl-muted" aria-live="polite">{esc(message)}</p>'

        def on_progress(fraction: float, message: str) -> None:
            progress.value = int(round(100 * fraction))
            if fraction < 1:  # the end is said once the results are all on the page
                show_step(message)

        def show_reliance() -> None:
            if state.checking:  # the models' last progress line would still be said
                relied_on.children = [paragraph(_t("ui_compare_checking"), "dl-muted")]
                show_step(_t("ui_compare_checking_step"))
                return
            relied_on.children = self._reliance_parts(state.reliance)
            if state.comparison is not None:
                show_step(_t("ui_compare_shown"))

        def render() -> None:
            comparison = state.comparison
            if comparison is None:
                progress.value = 0
                step.value = ""
                result.children = [paragraph(_t("ui_compare_waiting"), "dl-muted")]
                return
            metric = comparison.metric
            rows = []
            for model in [comparison.baseline, *comparison.ranked()]:
                rows.append(
                    {
                        _t("ui_col_model"): model.name,
                        _t("ui_col_score"): display.format_score(model.score, metric),
                        _t("ui_col_std"): display.format_score(model.std, metric),
                        _t("ui_col_seconds"): display.number(model.seconds, 2),
                        _t("ui_col_description"): model.description,
                    }
                )
            caption = _t("ui_compare_table_caption", metric=comparison.metric_label)
            kind = "success" if comparison.beats_baseline() else "warning"
            leaking = [c for c in state.leak_columns() if c in comparison.features]
            suspicious = learning.suspicious_score(comparison, leaking)
            warning = [html(message_html("warning", suspicious))] if suspicious else []
            if suspicious:
                kind = "info"
            result.children = [
                *warning,
                relied_on,
                html(message_html(kind, comparison.summary())),
                paragraph(catalogue.metric_help(metric), "dl-muted"),
                html(table_html(rows, caption=caption)),
                LiveFigure(plots.comparison_figure(comparison)),
            ]
            show_reliance()  # said after the results: « terminée » once they are there

        @guarded(area)
        def run(_button) -> None:
            area.clear()
            button.disabled = True
            try:
                state.compare(on_progress)
            finally:
                button.disabled = False

        button.on_click(run)
        when_changed(state, "comparison", area, render)
        when_changed(state, ("reliance", "checking"), area, show_reliance)
        return page(
            section_title(_t("ui_compare_title")),
            button,
            widgets.HBox([progress, step]),
            area,
            result,
        )

    def _reliance_parts(self, check: reliance.Reliance | None) -> list[widgets.Widget]:
        """The groups of columns the best model relies on too much, both scores, and the question
        whether they are known when the decision is made, with what the learner wrote about it in
        her project canvas (module 02), or a link to it."""
        if check is None or not check.flagged():
            return []
        module = next((m for m in self.modules if m.id == CANVAS_MODULE), None)
        title = module.title if module is not None else ""
        context = canvas.decision_context(course.load_canvas(self.workspace))
        question = f"<p>{esc(reliance.question(check.flagged_columns()))}</p>"
        if context is not None and module is not None:
            field, text = context
            question += f"<p>{esc(_t(f'reliance_canvas_{field}', module=title, text=text))}</p>"
        elif module is not None:
            link = page_link(module.notebook, self.pseudonym)
            question += (
                f"<p>{esc(_t('reliance_canvas_none'))} "
                f'<a href="{esc(link)}">{esc(_t("reliance_canvas_link", module=title))}</a>.</p>'
            )
        box = html(
            f'<p class="dl-muted"><strong>{esc(_t("reliance_title"))}</strong></p>'
            + "".join(message_html("warning", s) for s in check.sentences())
            + question
        )
        box.add_class("dl-reliance")
        return [box]

    # ------------------------------------------------------------------ metrics
    @activity
    def metrics(self) -> widgets.Widget:
        """The examined model's metrics on the test rows; a confusion-matrix cell lists its rows."""
        state = self.state
        area = MessageArea()
        chooser = widgets.Dropdown(description=_t("ui_model_label"), style=STYLE, layout=WIDE)
        body = widgets.VBox([paragraph(_t("ui_compare_first"), "dl-muted")])
        figure_box = widgets.Box()
        matrix = widgets.GridBox()
        matrix.add_class("dl-matrix")
        rows_box = widgets.HTML()
        rows_box.add_class("dl-cell-rows")
        selected: dict = {"cell": None}
        busy = {"value": False}

        def fill_chooser() -> None:
            busy["value"] = True
            names = self._model_names()
            chooser.options = names
            if state.trained is not None and names:
                chooser.value = state.trained.key
            chooser.layout.display = "" if names else "none"  # never an empty list (issue 23)
            busy["value"] = False

        def show_cell(actual, predicted) -> None:
            result = state.result
            selected["cell"] = (actual, predicted)
            rows = result.cell_rows(actual, predicted)
            right = str(actual) == str(predicted)
            verdict = _t("cell_right") if right else _t("cell_wrong")
            text = _t(
                "ui_cell_rows",
                actual=display.format_value(actual),
                predicted=display.format_value(predicted),
                verdict=verdict,
                count=len(rows),
            )
            if not rows:
                rows_box.value = status_html(text) + f"<p>{esc(_t('ui_cell_empty'))}</p>"
            else:
                shown = state.clean.loc[
                    rows[:MAX_CELL_ROWS], [*state.trained.features, state.target]
                ]
                shown = shown.copy()
                shown.insert(0, _t("ui_prediction_column"), result.predicted.loc[shown.index])
                rows_box.value = status_html(text) + frame_html(
                    with_row_column(shown), MAX_CELL_ROWS, _t("ui_cell_caption", max=MAX_CELL_ROWS)
                )
            for button in matrix.children:
                if isinstance(button, widgets.Button):
                    if getattr(button, "cell", None) == (actual, predicted):
                        button.add_class("dl-cell-selected")
                    else:
                        button.remove_class("dl-cell-selected")
            draw_matrix_figure()

        def draw_matrix_figure() -> None:
            figure_box.children = [
                LiveFigure(plots.confusion_figure(state.result, selected["cell"]))
            ]

        def build_matrix() -> None:
            result = state.result
            labels = list(result.labels)
            cells = [widgets.HTML(f"<strong>{esc(_t('ui_matrix_actual'))}</strong>")]
            for label in labels:
                cells.append(
                    widgets.HTML(
                        f"<strong>{esc(_t('ui_matrix_predicted', label=display.format_value(label)))}</strong>"
                    )
                )
            for i, actual in enumerate(labels):
                cells.append(widgets.HTML(f"« {esc(display.format_value(actual))} »"))
                for j, predicted in enumerate(labels):
                    count = int(result.matrix[i, j])
                    # right and wrong cells differ in words, not in colour alone
                    verdict = _t("cell_right") if i == j else _t("cell_wrong")
                    button = widgets.Button(
                        description=_t(
                            "ui_cell_button",
                            count=count,
                            verdict=verdict,
                        ),
                        tooltip=_t(
                            "ui_cell_tooltip",
                            actual=display.format_value(actual),
                            predicted=display.format_value(predicted),
                            verdict=verdict,
                            count=count,
                        ),
                    )
                    named_by_tooltip(button)  # « 12 ligne(s) » alone names no cell
                    button.cell = (actual, predicted)
                    button.add_class("dl-cell")
                    button.add_class("dl-cell-right" if i == j else "dl-cell-wrong")
                    button.on_click(
                        guarded(area)(lambda _b, a=actual, p=predicted: show_cell(a, p))
                    )
                    cells.append(button)
            matrix.layout.grid_template_columns = f"12rem repeat({len(labels)}, minmax(10rem, 1fr))"
            matrix.children = cells

        def render() -> None:
            area.clear()
            fill_chooser()
            rows_box.value = ""
            selected["cell"] = None
            if state.trained is None or state.result is None:
                body.children = [paragraph(_t("ui_compare_first"), "dl-muted")]
                return
            result = state.result
            summary = status_html(learning.test_summary(state.trained, result))
            parts = [
                html(summary),
                paragraph(state.trained.metrics_reading()),
                paragraph(_t("ui_test_intro"), "dl-muted"),
                html(bullets_html(result.explanations)),
            ]
            if state.trained.is_classification:
                build_matrix()
                draw_matrix_figure()
                parts += [figure_box, paragraph(_t("ui_matrix_intro")), matrix, rows_box]
                if result.positive is None:
                    table = result.per_class().copy()
                    for column in table.columns[2:]:  # the rates, after the value and its rows
                        table[column] = table[column].map(display.percent)
                    parts.append(html(frame_html(table, 30, _t("ui_per_class_caption"))))
            else:
                parts.append(LiveFigure(plots.predicted_actual_figure(result, state.target)))
                errors = (result.predicted - result.actual).abs().sort_values(ascending=False)
                worst = state.clean.loc[errors.index[:10], [*state.trained.features, state.target]]
                worst = worst.copy()
                worst.insert(
                    0, _t("ui_prediction_column"), result.predicted.loc[worst.index].round(2)
                )
                parts.append(
                    html(
                        frame_html(
                            with_row_column(worst), 10, _t("ui_largest_errors_caption", count=10)
                        )
                    )
                )
            body.children = parts

        @guarded(area)
        def on_choose(change) -> None:
            if busy["value"] or not change["new"]:
                return
            if state.trained is not None and change["new"] == state.trained.key:
                return
            state.examine(change["new"])

        chooser.observe(on_choose, names="value")
        when_changed(state, "trained", area, render)
        when_changed(state, "comparison", area, fill_chooser)
        render()
        return page(section_title(_t("ui_metrics_title")), chooser, area, body)

    # ------------------------------------------------------------------ complexity
    @activity
    def complexity(self) -> widgets.Widget:
        """Train vs validation score along a complexity setting (slider), and the learning curve."""
        state = self.state
        area = MessageArea()

        def task_kind() -> str:
            """Regression or classification: the models are named for it (a regression is never
            offered « Régression logistique »), before any comparison too."""
            if state.comparison is not None:
                return state.comparison.task.kind
            try:
                return state.task().kind
            except Exception:  # noqa: BLE001 - no valid choice yet: said by the choice activity
                return problem.CLASSIFICATION

        options = [(catalogue.MODELS[k].name(task_kind()), k) for k in CURVE_MODELS]
        model = widgets.Dropdown(
            options=options, value="tree", description=_t("ui_complexity_model"), style=STYLE
        )
        slider_box = widgets.HBox()

        def new_slider(curve, start: int) -> widgets.SelectionSlider:
            """A fresh slider for each curve (the page's slider keeps the range it was drawn
            with). Its options are the setting's values, shown beside it and said by screen
            readers (aria-valuetext), not the position along the track; its value is the index."""
            slider = widgets.SelectionSlider(
                options=[(plots._shown(v), i) for i, v in enumerate(curve.values)],
                value=start,
                description=_t("ui_complexity_slider_named", label=curve.label),
                continuous_update=False,
                readout=True,
                style=STYLE,
                layout={"width": "40rem"},
            )
            slider.add_class("dl-complexity")
            slider.observe(on_slide, names="value")
            return slider

        progress = widgets.IntProgress(
            value=0, min=0, max=100, description=_t("ui_progress_label"), style=STYLE
        )
        readout = widgets.HTML()
        readout.add_class("dl-complexity-readout")
        curve_box = widgets.VBox([paragraph(_t("ui_compare_first"), "dl-muted")])
        learning_button = widgets.Button(description=_t("ui_learning_button"), layout=BUTTON)
        learning_box = widgets.VBox()
        data: dict = {"curve": None, "figure": None}
        busy = {"value": False}

        def names_for_task() -> None:
            task = task_kind()
            current = model.value
            busy["value"] = True
            model.options = [(catalogue.MODELS[k].name(task), k) for k in CURVE_MODELS]
            model.value = current
            busy["value"] = False

        def describe(index: int) -> None:
            curve = data["curve"]
            train, test = curve.train[index], curve.test[index]
            best = curve.best_index()
            if index == best:
                verdict = _t("ui_complexity_good")
            elif train - test > 0.1:
                verdict = _t("ui_complexity_over")
            elif test < curve.test[best] - 0.02 and index < best:
                verdict = _t("ui_complexity_under")
            else:
                verdict = _t("ui_complexity_ok")
            text = _t(
                "ui_complexity_readout",
                label=curve.label,
                value=plots._shown(curve.values[index]),
                train=display.format_score(train, curve.metric),
                test=display.format_score(test, curve.metric),
            )
            readout.value = status_html(text + " " + verdict)

        def compute() -> None:
            area.clear()
            if state.comparison is None:
                curve_box.children = [paragraph(_t("ui_compare_first"), "dl-muted")]
                data["curve"] = None
                return
            progress.value = 0
            curve = curves.complexity_curve(
                state.clean,
                state.target,
                state.features,
                model.value,
                plan=state.comparison.plan,
                split=state.comparison.split,
                progress=lambda f, _m: setattr(progress, "value", int(100 * f)),
            )
            data["curve"] = curve
            spec = catalogue.MODELS[model.value].setting
            start = curve.values.index(spec.default) if spec.default in curve.values else 0
            slider_box.children = [new_slider(curve, start)]
            data["figure"] = LiveFigure(plots.curve_figure(curve, start))
            curve_box.children = [data["figure"]]
            describe(start)

        @guarded(area)
        def on_slide(change) -> None:
            if busy["value"] or data["curve"] is None:
                return
            index = int(change["new"])
            data["figure"].update(plots.curve_figure(data["curve"], index))
            describe(index)

        @guarded(area)
        def on_model(_change) -> None:
            if not busy["value"]:
                compute()

        @guarded(area)
        def on_learning(_button) -> None:
            if state.comparison is None:
                raise messages.error("learning.not_compared")
            curve = curves.learning_curve(
                state.clean,
                state.target,
                state.features,
                model.value,
                plan=state.comparison.plan,
                split=state.comparison.split,
            )
            rising = curve.test[-1] - curve.test[-3] > max(0.01, curve.test_std[-1] / 2)
            reading = _t("ui_learning_rising") if rising else _t("ui_learning_flat")
            learning_box.children = [
                LiveFigure(plots.learning_curve_figure(curve)),
                paragraph(reading),
            ]

        def on_compared() -> None:
            names_for_task()
            learning_box.children = []
            compute()

        model.observe(on_model, names="value")
        learning_button.on_click(on_learning)
        when_changed(state, "comparison", area, on_compared)
        if state.comparison is not None:  # this step revealed after comparing (issue 23)
            run_guarded(area, on_compared)
        return page(
            section_title(_t("ui_complexity_title")),
            widgets.HBox([model, progress]),
            curve_box,
            slider_box,
            readout,
            area,
            learning_button,
            learning_box,
        )

    # ------------------------------------------------------------------ explanations
    @activity
    def explanations(self) -> widgets.Widget:
        """Permutation importance, a short tree's rules and the explicit model's formula."""
        state = self.state
        area = MessageArea()
        examined = widgets.HTML()
        button = widgets.Button(
            description=_t("ui_explain_button"), button_style="primary", layout=BUTTON
        )
        body = widgets.VBox()

        def on_model() -> None:
            body.children = []
            examined.value = (
                status_html(_t("ui_examined", name=state.trained.name)) if state.trained else ""
            )

        @guarded(area)
        def run(_button) -> None:
            area.clear()
            trained = state.require_model()
            split = state.comparison.split
            table = explain.importance(trained, state.clean, split)
            parts = [
                html(f"<h4>{esc(_t('ui_importance_title'))}</h4>"),
                LiveFigure(plots.importance_figure(table, trained.metric)),
                html(bullets_html(explain.importance_sentences(table, trained.metric))),
            ]
            tree = explain.shallow_tree(
                state.clean, state.target, state.features, split=split, depth=EXPLAIN_DEPTH
            )
            tree_result = learning.evaluate(tree, state.clean, split)
            rules = [r.text for r in explain.tree_rules(tree)]
            parts += [
                html(f"<h4>{esc(_t('ui_rules_title'))}</h4>"),
                paragraph(_t("ui_rules_intro", depth=EXPLAIN_DEPTH)),
                html(bullets_html(rules)),
                paragraph(
                    _t(
                        "ui_rules_score",
                        score=display.format_score(tree_result.score, trained.metric),
                    ),
                    "dl-muted",
                ),
            ]
            formula_model = trained
            if trained.key != "formula":
                formula_model = learning.train(
                    state.clean, state.target, state.features, "formula", split=split
                )
            formula = explain.formula(formula_model)
            formula_result = learning.evaluate(formula_model, state.clean, split)
            lines = "".join(f"<p><code>{esc(line)}</code></p>" for line in formula.lines)
            parts += [
                html(f"<h4>{esc(_t('ui_formula_title'))}</h4>"),
                html(f'<div class="dl-card dl-formula">{lines}</div>'),
                paragraph(formula.reading),
                html(bullets_html(formula.notes)),
                paragraph(
                    _t(
                        "ui_formula_score",
                        score=display.format_score(formula_result.score, trained.metric),
                    ),
                    "dl-muted",
                ),
            ]
            body.children = parts

        button.on_click(run)
        when_changed(state, "trained", area, on_model)
        on_model()
        return page(section_title(_t("ui_explain_title")), examined, button, area, body)

    # ------------------------------------------------------------------ fairness
    @activity
    def bias_audit(self) -> widgets.Widget:
        """The examined model's metrics per group of a chosen column, gaps and what they mean."""
        state = self.state
        area = MessageArea()
        column = widgets.Dropdown(description=_t("ui_fairness_column"), style=STYLE, layout=WIDE)
        button = widgets.Button(
            description=_t("ui_fairness_button"), button_style="primary", layout=BUTTON
        )
        metric = widgets.Dropdown(description=_t("ui_fairness_metric"), style=STYLE, layout=WIDE)
        metric.layout.display = "none"  # shown with the audit's measures
        figure_box = widgets.Box()
        body = widgets.VBox()
        data: dict = {"audit": None}
        busy = {"value": False}

        def fill() -> None:
            columns = state.group_columns() if state.target else []
            busy["value"] = True
            column.options = columns
            if columns:
                column.value = columns[0]
            busy["value"] = False
            body.children = []
            figure_box.children = []
            data["audit"] = None

        def draw() -> None:
            audit = data["audit"]
            if audit is not None and metric.value:
                figure_box.children = [LiveFigure(plots.gaps_figure(audit, metric.value))]

        @guarded(area)
        def run(_button) -> None:
            area.clear()
            trained = state.require_model()
            audit = fairness.audit_model(trained, state.clean, state.comparison.split, column.value)
            state.audited_column = column.value
            data["audit"] = audit
            table = audit.table.copy()
            for key, label in audit.metrics.items():
                if key in fairness.RATE_METRICS:
                    table[label] = table[label].map(display.percent)
                else:
                    table[label] = table[label].map(lambda v: display.number(v, 3))
            gaps = "".join(
                f'<li class="{"dl-gap-large" if g.large else ""}">'
                f"<strong>{esc(_t('fairness_gap_large') if g.large else _t('fairness_gap_small'))}</strong> — "
                f"{esc(g.text)}</li>"
                for g in audit.gaps
            )
            parts = [
                paragraph(_t("ui_fairness_intro"), "dl-muted"),
                html(frame_html(table, 30, _t("ui_fairness_caption", column=column.value))),
                html(f"<ul>{gaps}</ul>"),
            ]
            if audit.notes:
                parts.append(html(message_html("warning", " ".join(audit.notes))))
            parts.append(html(bullets_html(audit.readings)))
            parts.append(html(message_html("info", audit.caution)))
            body.children = parts
            busy["value"] = True
            metric.options = [(label, key) for key, label in audit.metrics.items()]
            metric.value = "error" if "error" in audit.metrics else next(iter(audit.metrics))
            metric.layout.display = ""
            busy["value"] = False
            draw()

        @guarded(area)
        def on_metric(_change) -> None:
            if not busy["value"]:
                draw()

        button.on_click(run)
        metric.observe(on_metric, names="value")
        when_changed(state, CHOICE, area, fill)

        def clear() -> None:
            body.children = []
            figure_box.children = []
            data["audit"] = None
            metric.layout.display = "none"  # no measure to show before an audit (issue 23)

        when_changed(state, "trained", area, clear)
        fill()
        return page(
            section_title(_t("ui_fairness_title")),
            widgets.HBox([column, button]),
            area,
            body,
            metric,
            figure_box,
        )

    # ------------------------------------------------------------------ save
    @activity
    def save(self) -> widgets.Widget:
        """Save the examined model with its recipe and what module 06 needs."""
        state = self.state
        area = MessageArea()
        current = widgets.HTML()
        will = widgets.HTML()
        button = widgets.Button(
            description=_t("ui_save_button"), button_style="success", layout=BUTTON
        )

        def show_current() -> None:
            meta = saved_model.load_metadata(self.workspace)
            if meta:
                date = str(meta.get("saved", ""))[:10]
                if len(date) == 10:
                    date = f"{date[8:10]}/{date[5:7]}/{date[0:4]}"
                current.value = status_html(
                    _t(
                        "ui_save_current",
                        name=meta.get("name", ""),
                        target=meta.get("target", ""),
                        date=date,
                    )
                )
            else:
                current.value = f'<p class="dl-muted">{esc(_t("ui_save_none"))}</p>'

        def on_model() -> None:
            area.clear()  # « … enregistré à partir de 12 colonne(s) » was the previous model's
            will.value = (
                f"<p>{esc(_t('ui_save_will', name=state.trained.name))}</p>"
                if state.trained
                else ""
            )
            button.disabled = state.trained is None

        @guarded(area)
        def run(_button) -> None:
            area.clear()
            state.save()
            area.success(model_store.saved_message(state.trained))
            show_current()

        button.on_click(run)
        when_changed(state, "trained", area, on_model)
        show_current()
        on_model()
        return page(section_title(_t("ui_save_title")), current, will, button, area)
