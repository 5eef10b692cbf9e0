"""The one exception type that carries a message for a person.

Pure code raises :class:`DatalabError` with a French message (usually from :mod:`labkit.messages`);
the widget layer shows it in the page's message area. Any other exception is a bug: the widget layer
logs it and shows a generic French message, never a traceback.
"""

from __future__ import annotations


class DatalabError(Exception):
    """An error a trainee or facilitator can act on; ``str(error)`` is the French message."""

    def __init__(self, message: str, *, hint: str | None = None, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.key = key

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"
