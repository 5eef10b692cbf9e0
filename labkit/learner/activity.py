"""What the learner's page notes for the facilitator's room view (:mod:`labkit.serve.room`).

``activity``: the module shown, and when the learner switched to it; ``last_error``: the last error
message shown, and whether a success followed it.
"""

from __future__ import annotations

import datetime as _dt

from labkit.workspace import Workspace

ACTIVITY_KEY = "activity"
LAST_ERROR_KEY = "last_error"


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def note_activity(workspace: Workspace, number: str) -> None:
    """The learner now shows module ``number`` (``"04"``)."""
    workspace.save(ACTIVITY_KEY, {"module": number, "at": _now().isoformat(timespec="seconds")})


def note_message(workspace: Workspace, module_id: str, kind: str, text: str) -> None:
    """A message was shown to the learner: keep the last error, and mark it resolved on a success."""
    if kind == "error":
        workspace.save(
            LAST_ERROR_KEY,
            {
                "text": str(text)[:500],
                "module": module_id,
                "at": _now().isoformat(timespec="seconds"),
                "resolved": False,
            },
        )
    elif kind == "success":
        stored = workspace.load(LAST_ERROR_KEY, None)
        if isinstance(stored, dict) and not stored.get("resolved"):
            workspace.save(LAST_ERROR_KEY, {**stored, "resolved": True})
