"""The exercise of module 04 « trouvez les défauts de l’exemple fil rouge », checked by the quiz
engine: tick every kind of defect the table has (the ones its data package documents)."""

from __future__ import annotations

from typing import Any

from labkit import messages
from labkit.course import quiz
from labkit.data.datapackage import DEFECT_KINDS


class DefectHunt(quiz.MultipleChoice):
    """A multiple choice over the kinds of defect, whose feedback counts what was found."""

    def _check(self, answer: Any) -> quiz.Feedback:
        try:
            chosen = {int(a) for a in answer}
        except (TypeError, ValueError):
            return quiz.Feedback(quiz.UNCHECKABLE, messages.text("quiz.uncheckable"))
        wanted = set(self.answer)
        if chosen == wanted:
            return self._correct()
        found = len(chosen & wanted)
        parts = [messages.text("quality.hunt_found", found=found, total=len(wanted))]
        extra = sorted(chosen - wanted)
        if extra:
            names = ", ".join(f"« {self.choices[i]} »" for i in extra)
            parts.append(messages.text("quality.hunt_extra", names=names))
        missed = sorted(wanted - chosen)
        if missed:
            parts.append(messages.text("quality.hunt_missed", count=len(missed)))
        return self._incorrect(" ".join(parts))


def defect_hunt(defects: list[dict], problem_id: str = "defauts_fil_rouge") -> DefectHunt:
    """The exercise for a table whose data package documents ``defects`` (dicts with ``kind`` and
    ``description``)."""
    expected = sorted(
        {DEFECT_KINDS.index(d["kind"]) for d in defects if d.get("kind") in DEFECT_KINDS}
    )
    documented = {d.get("kind"): d for d in defects}
    explanation = " ".join(
        f"{messages.text('quality.kind_' + k)} : {documented[k].get('description', '')}"
        for k in DEFECT_KINDS
        if k in documented
    )
    return DefectHunt(
        id=problem_id,
        prompt=messages.text("quality.hunt_prompt"),
        hints=[messages.text("quality.hunt_hint1"), messages.text("quality.hunt_hint2")],
        explanation=explanation,
        choices=[messages.text(f"quality.kind_{k}") for k in DEFECT_KINDS],
        answer=expected,
    )
