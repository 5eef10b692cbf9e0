"""Module 01 "Introduction à l’IA": learning from examples, felt with three small toys.

The data and models come from :mod:`labkit.course.toys`, the figures from :mod:`labkit.plots.intro`; this
file only wires widgets to them. Each figure sits in a :class:`~labkit.ui.figures.LiveFigure` that
is redrawn in place when a slider moves.
"""

from __future__ import annotations

import ipywidgets as widgets

from labkit import messages
from labkit.course import toys
from labkit.plots import intro as plots
from labkit.ui.components import (
    MessageArea,
    esc,
    guarded,
    html,
    page,
    paragraph,
    section_title,
    status_html,
    table_html,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity

RULE_SEEN_SEED, RULE_NEW_SEED = 0, 100
SLIDER_STYLE = {"description_width": "initial"}
BUTTON_LAYOUT = {"width": "auto"}


def _toy_controls(
    label: str, values: tuple[int, int, int], css: str, action: str
) -> tuple[widgets.IntSlider, widgets.Checkbox, widgets.Button]:
    """A toy's setting slider (``values``: start, lowest, highest), the box that shows the new
    points, and the toy's main button."""
    value, low, high = values
    slider = widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        step=1,
        description=label,
        continuous_update=False,
        style=SLIDER_STYLE,
        layout={"width": "28rem"},
    )
    slider.add_class(css)
    show_new = widgets.Checkbox(
        value=False,
        description=messages.text("intro.show_new_label"),
        indent=False,
        layout={"width": "auto"},
    )
    button = widgets.Button(description=action, button_style="primary", layout=BUTTON_LAYOUT)
    return slider, show_new, button


class Module01App(ModulePage):
    module_id = "01_introduction"

    # ---------------------------------------------------------------------- classification
    @activity
    def classification_toy(self) -> widgets.Widget:
        """Leaks in a water network: a complexity slider, the boundary and the error on new points."""
        area = MessageArea()
        state = {"train_seed": 0, "new_seed": 100}
        train = toys.draw_leak_points(toys.TRAIN_SIZE, seed=state["train_seed"])
        new = toys.draw_leak_points(toys.NEW_SIZE, seed=state["new_seed"])
        data = {"train": train, "new": new}

        slider, show_new, new_points = _toy_controls(
            messages.text("intro.complexity_label"),
            (toys.DEFAULT_LEVEL, 1, toys.level_count()),
            "dl-complexity",
            messages.text("intro.new_points_button"),
        )
        new_sample = widgets.Button(
            description=messages.text("intro.new_sample_button"), layout=BUTTON_LAYOUT
        )
        readout = widgets.HTML()
        summary = widgets.HTML()
        summary.add_class("dl-classif-summary")

        result = toys.classification_state(train, new, slider.value)
        curve = toys.error_curve(train, new)
        boundary = LiveFigure(plots.boundary_figure(train, new, result, show_new.value))
        bars = LiveFigure(plots.errors_figure(result.train_error, result.new_error), width="50%")
        curve_fig = LiveFigure(plots.error_curve_figure(curve, slider.value), width="50%")

        def render(recompute_curve: bool = False, current=None) -> None:
            level = slider.value
            figures = current is None
            current = current or toys.classification_state(data["train"], data["new"], level)
            key = "intro.complexity_readout" if current.neighbours > 1 else "intro.complexity_one"
            readout.value = (
                "<p>"
                + messages.text(key, level=level, max=toys.level_count(), k=current.neighbours)
                + "</p>"
            )
            summary.value = status_html(current.summary)
            if not figures:
                return
            boundary.update(
                plots.boundary_figure(data["train"], data["new"], current, show_new.value)
            )
            bars.update(plots.errors_figure(current.train_error, current.new_error))
            if recompute_curve:
                data["curve"] = toys.error_curve(data["train"], data["new"])
            curve_fig.update(plots.error_curve_figure(data["curve"], level))

        data["curve"] = curve

        @guarded(area)
        def on_level(_change) -> None:
            area.clear()
            render()

        @guarded(area)
        def on_new_points(_button) -> None:
            state["new_seed"] += 1
            data["new"] = toys.draw_leak_points(toys.NEW_SIZE, seed=state["new_seed"])
            render(recompute_curve=True)
            area.info(messages.text("intro.new_points_drawn", count=toys.NEW_SIZE))

        @guarded(area)
        def on_new_sample(_button) -> None:
            state["train_seed"] += 1
            data["train"] = toys.draw_leak_points(toys.TRAIN_SIZE, seed=state["train_seed"])
            render(recompute_curve=True)
            area.info(messages.text("intro.new_sample_drawn"))

        slider.observe(on_level, names="value")
        show_new.observe(on_level, names="value")
        new_points.on_click(on_new_points)
        new_sample.on_click(on_new_sample)
        render(current=result)
        return page(
            section_title(messages.text("intro.classif_title")),
            paragraph(messages.text("intro.classif_intro")),
            paragraph(messages.text("intro.classif_how"), "dl-muted"),
            slider,
            readout,
            widgets.HBox([new_points, new_sample], layout={"flex_flow": "row wrap"}),
            show_new,
            summary,
            area,
            boundary,
            widgets.HBox([bars, curve_fig], layout={"flex_flow": "row wrap"}),
        )

    # -------------------------------------------------------------------------- regression
    @activity
    def regression_toy(self) -> widgets.Widget:
        """Pool attendance against temperature: a polynomial degree slider and new days."""
        area = MessageArea()
        state = {"new_seed": 100}
        data = {
            "train": toys.draw_attendance(toys.REGRESSION_TRAIN_SIZE, seed=0),
            "new": toys.draw_attendance(toys.REGRESSION_NEW_SIZE, seed=state["new_seed"]),
        }
        slider, show_new, new_days = _toy_controls(
            messages.text("intro.degree_label"),
            (toys.DEFAULT_DEGREE, 0, toys.MAX_DEGREE),
            "dl-degree",
            messages.text("intro.new_days_button"),
        )
        summary = widgets.HTML()
        summary.add_class("dl-regression-summary")
        result = toys.regression_state(data["train"], data["new"], slider.value)
        curve = LiveFigure(
            plots.regression_figure(data["train"], data["new"], result, False), width="100%"
        )
        bars = LiveFigure(plots.regression_errors_figure(result), width="50%")

        def render(current=None) -> None:
            figures = current is None
            current = current or toys.regression_state(data["train"], data["new"], slider.value)
            summary.value = status_html(current.summary)
            if not figures:
                return
            curve.update(
                plots.regression_figure(data["train"], data["new"], current, show_new.value)
            )
            bars.update(plots.regression_errors_figure(current))

        @guarded(area)
        def on_change(_change) -> None:
            area.clear()
            render()

        @guarded(area)
        def on_new_days(_button) -> None:
            state["new_seed"] += 1
            data["new"] = toys.draw_attendance(toys.REGRESSION_NEW_SIZE, seed=state["new_seed"])
            render()
            area.info(messages.text("intro.new_days_drawn"))

        slider.observe(on_change, names="value")
        show_new.observe(on_change, names="value")
        new_days.on_click(on_new_days)
        render(result)
        return page(
            section_title(messages.text("intro.regression_title")),
            paragraph(messages.text("intro.regression_intro")),
            slider,
            new_days,
            show_new,
            summary,
            area,
            widgets.HBox([curve, bars], layout={"flex_flow": "row wrap"}),
        )

    # ---------------------------------------------------------------------- rule or learnt?
    @activity
    def rule_or_learnt(self) -> widgets.Widget:
        """The trainee's two thresholds against a shallow tree learnt from last summer."""
        area = MessageArea()
        seen = toys.draw_pool_days(seed=RULE_SEEN_SEED)
        new = toys.draw_pool_days(seed=RULE_NEW_SEED)
        low, high = toys.THRESHOLD_RANGE

        def threshold_slider(key: str, value: float, css: str) -> widgets.FloatSlider:
            slider = widgets.FloatSlider(
                value=value,
                min=low,
                max=high,
                step=toys.THRESHOLD_STEP,
                description=messages.text(key),
                continuous_update=False,
                readout_format=".1f",
                style=SLIDER_STYLE,
                layout={"width": "28rem"},
            )
            slider.add_class(css)
            return slider

        weekday = threshold_slider("intro.rule_weekday_label", 25.0, "dl-rule-weekday")
        weekend = threshold_slider("intro.rule_weekend_label", 25.0, "dl-rule-weekend")
        rule_text = widgets.HTML()
        table = widgets.HTML()
        verdict = widgets.HTML()
        verdict.add_class("dl-rule-verdict")
        rule = toys.make_rule(weekday.value, weekend.value)
        tree = toys.learn_tree(seen)
        comparison = toys.compare_rule_and_tree(rule, seen, new, tree=tree)
        days_fig = LiveFigure(plots.rule_figure(seen, rule))
        bars = LiveFigure(plots.rule_errors_figure(comparison), width="50%")
        tree_rules = "".join(f"<li>{esc(s)}</li>" for s in comparison.tree_rules)
        tree_box = html(
            f'<div class="dl-card"><h4>{esc(messages.text("intro.tree_rules_title"))}</h4>'
            f"<ul>{tree_rules}</ul></div>"
        )
        tree_box.layout.width = "48%"

        def render(result=None) -> None:
            figures = result is None
            current = toys.make_rule(weekday.value, weekend.value)
            result = result or toys.compare_rule_and_tree(current, seen, new, tree=tree)
            rule_text.value = f"<p><strong>{esc(current.describe())}</strong></p>"
            table.value = table_html(result.rows(), caption=messages.text("intro.table_caption"))
            verdict.value = status_html(result.verdict)
            if not figures:
                return
            days_fig.update(plots.rule_figure(seen, current))
            bars.update(plots.rule_errors_figure(result))

        @guarded(area)
        def on_change(_change) -> None:
            area.clear()
            render()

        weekday.observe(on_change, names="value")
        weekend.observe(on_change, names="value")
        render(comparison)
        return page(
            section_title(messages.text("intro.rule_title")),
            paragraph(messages.text("intro.rule_intro")),
            weekday,
            weekend,
            rule_text,
            area,
            days_fig,
            verdict,
            table,
            widgets.HBox([bars, tree_box], layout={"flex_flow": "row wrap"}),
        )
