"""The jinja2 templates of the pages module 06 writes (final report, transparency sheet, charts).

Every template lives in ``labkit/use/templates`` and is rendered with autoescape on: whatever a
person typed is escaped unless it was built by another template (:class:`markupsafe.Markup`).
In a template, ``t("key", …)`` is the French text ``report.key`` of ``labkit/messages``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from labkit import messages


def _text(key: str, **fields: Any) -> str:
    return messages.text(f"report.{key}", **fields)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("labkit.use", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["t"] = _text
    return env


def render(name: str, **context: Any) -> Markup:
    """The template ``name`` rendered with ``context`` (safe to put in another template)."""
    return Markup(environment().get_template(name).render(**context))
