"""The quiz widget: one block per question, with hints before the answer and feedback per answer.

Built on :mod:`labkit.course.quiz` (pure). Answers and outcomes are saved in the learner's workspace and
shown again when the page is reopened.
"""

from __future__ import annotations

import ipywidgets as widgets

from labkit import messages
from labkit.course import quiz
from labkit.learner import course
from labkit.ui.components import (
    MessageArea,
    element_id,
    esc,
    guarded,
    message_html,
    name_group,
    page,
)

_KIND_OF_FEEDBACK = {
    quiz.CORRECT: "success",
    quiz.INCORRECT: "error",
    quiz.NOT_ATTEMPTED: "info",
    quiz.UNCHECKABLE: "info",
}


class QuestionView(widgets.VBox):
    """One question: its input, the Vérifier / Indice / Voir la réponse buttons, and feedback."""

    def __init__(
        self, problem: quiz.Problem, number: int, on_answer, on_hint, stored: dict | None = None
    ):
        super().__init__()
        self.problem = problem
        self.on_answer = on_answer
        self.on_hint = on_hint
        stored = stored or {}
        self.hints_seen = int(stored.get("hints_seen", 0))
        self.attempts = int(stored.get("attempts", 0))
        self.errors = MessageArea()
        self.feedback = widgets.HTML()
        self.hint_box = widgets.HTML()
        self.solution = widgets.HTML()
        self.input = self._make_input(stored.get("answer"))
        prompt_id = element_id("dl-question")
        name_group(self.input, prompt_id)  # the choices, or the text field, named by the question
        check = widgets.Button(description=messages.text("ui.quiz_check"), button_style="primary")
        hint = widgets.Button(description=messages.text("ui.quiz_hint"))
        show = widgets.Button(description=messages.text("ui.quiz_show"))
        check.on_click(guarded(self.errors)(lambda _: self.check()))
        hint.on_click(guarded(self.errors)(lambda _: self.next_hint()))
        show.on_click(guarded(self.errors)(lambda _: self.show_solution()))
        self.buttons = widgets.HBox([check, hint, show])
        title = widgets.HTML(f'<h3 id="{prompt_id}">Question {number}. {esc(problem.prompt)}</h3>')
        self.children = [
            title,
            self.input,
            self.buttons,
            self.hint_box,
            self.feedback,
            self.solution,
            self.errors,
        ]
        self.add_class("dl-quiz-question")
        if self.hints_seen:
            self._render_hints()
        if stored.get("outcome") and stored.get("answer") not in (None, "", []):
            self._render_feedback(problem.check(stored.get("answer")))

    # ------------------------------------------------------------------ inputs
    def _make_input(self, previous):
        p = self.problem
        label = messages.text("ui.quiz_your_answer")
        if isinstance(p, quiz.SingleChoice):
            options = [(c, i) for i, c in enumerate(p.choices)]
            widget = widgets.RadioButtons(
                options=options, value=None, description="", layout={"width": "auto"}
            )
            widget.add_class("dl-radio")
            if isinstance(previous, int) and 0 <= previous < len(p.choices):
                widget.value = previous
            return widget
        if isinstance(p, quiz.MultipleChoice):
            chosen = set(previous or []) if isinstance(previous, list) else set()
            boxes = [
                widgets.Checkbox(
                    value=i in chosen, description=c, indent=False, layout={"width": "auto"}
                )
                for i, c in enumerate(p.choices)
            ]
            return widgets.VBox(boxes)
        if isinstance(p, quiz.OpenQuestion):
            return widgets.Textarea(
                value=str(previous or ""),
                placeholder=label,
                description="",
                layout={"width": "100%", "height": "5rem"},
            )
        return widgets.Text(
            value="" if previous is None else str(previous), placeholder=label, description=""
        )

    def answer(self):
        p = self.problem
        if isinstance(p, quiz.MultipleChoice):
            return [i for i, box in enumerate(self.input.children) if box.value]
        return self.input.value

    # ----------------------------------------------------------------- actions
    def check(self) -> quiz.Feedback:
        feedback = self.problem.check(self.answer())
        if feedback.outcome != quiz.NOT_ATTEMPTED:
            self.attempts += 1
            self.on_answer(self.problem, self.answer(), feedback)
        self._render_feedback(feedback)
        return feedback

    def next_hint(self) -> None:
        if self.hints_seen < len(self.problem.hints):
            self.hints_seen += 1
            self.on_hint(self.problem, self.hints_seen)
        self._render_hints()

    def show_solution(self) -> None:
        if self.attempts == 0 and self.hints_seen == 0 and self.problem.hints:
            self.solution.value = message_html("info", messages.text("ui.quiz_show_locked"))
            return
        self.solution.value = message_html(
            "info", self.problem.solution_text() or messages.text("quiz.uncheckable")
        )

    def _render_hints(self) -> None:
        if not self.problem.hints:
            self.hint_box.value = message_html("info", messages.text("ui.quiz_no_more_hints"))
            return
        # A word, not a glyph that needs an emoji font (an empty box without one).
        shown = "".join(
            f"<p><strong>{esc(messages.text('ui.quiz_hint_label', number=n))}</strong> {esc(h)}</p>"
            for n, h in enumerate(self.problem.hints[: self.hints_seen], start=1)
        )
        more = (
            ""
            if self.hints_seen < len(self.problem.hints)
            else f'<p class="dl-muted">{esc(messages.text("ui.quiz_no_more_hints"))}</p>'
        )
        self.hint_box.value = f'<div class="dl-msg dl-msg-info" role="status">{shown}{more}</div>'

    def _render_feedback(self, feedback: quiz.Feedback) -> None:
        reason = feedback.reason if feedback.outcome != quiz.CORRECT or feedback.reason else None
        self.feedback.value = message_html(
            _KIND_OF_FEEDBACK[feedback.outcome], feedback.message, reason
        )


class QuizView(widgets.VBox):
    """A module's quiz, from its bank in ``content/quiz/``."""

    def __init__(self, bank: quiz.Bank, workspace):
        super().__init__()
        self.bank = bank
        self.workspace = workspace
        stored = course.quiz_answers(workspace, bank.module_id)
        self.score = widgets.HTML()
        self.questions = [
            QuestionView(p, i, self._answered, self._hinted, stored.get(p.id))
            for i, p in enumerate(bank.problems, start=1)
        ]
        self.children = [
            page(
                widgets.HTML(f'<h3 class="dl-section-title">{esc(bank.title)}</h3>'),
                *self.questions,
                self.score,
            )
        ]
        self._update_score()

    def _answered(self, problem, answer, feedback) -> None:
        course.record_answer(self.workspace, self.bank.module_id, problem, answer, feedback)
        self._update_score()

    def _hinted(self, problem, count) -> None:
        course.record_hint(self.workspace, self.bank.module_id, problem.id, count)

    def _update_score(self) -> None:
        right, total = course.quiz_score(self.workspace, self.bank)
        self.score.value = f'<p class="dl-muted" role="status">{esc(messages.text("ui.quiz_score", right=right, total=total))}</p>'
