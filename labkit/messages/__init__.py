"""French texts shown to people, kept in YAML files (one per domain) beside this module.

``text("workspace.corrupted", name="canevas")`` returns the message with its fields filled in.
``error("workspace.corrupted", ...)`` returns a :class:`~labkit.errors.DatalabError` to raise.
A message may have a ``hint`` (what to do next): write it as a mapping with ``message`` and ``hint``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from labkit.errors import DatalabError

_HERE = Path(__file__).resolve().parent


# libyaml's parser when PyYAML has it: the files are ours, and it reads them ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _catalogue() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(_HERE.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
        for key, value in data.items():
            merged[f"{path.stem}.{key}"] = value
    return merged


def _entry(key: str) -> dict[str, str]:
    try:
        value = _catalogue()[key]
    except KeyError:
        raise KeyError(f"unknown message key {key!r}") from None
    if isinstance(value, str):
        return {"message": value}
    return value


def text(key: str, /, **fields: Any) -> str:
    """The French message for ``key``, its ``{fields}`` filled in."""
    return _entry(key)["message"].format(**fields)


def hint(key: str, /, **fields: Any) -> str | None:
    value = _entry(key).get("hint")
    return value.format(**fields) if value else None


def error(key: str, /, **fields: Any) -> DatalabError:
    """A :class:`DatalabError` carrying the message (and hint) of ``key``."""
    return DatalabError(text(key, **fields), hint=hint(key, **fields), key=key)


def preload() -> None:
    """Read every message file now (a preheated page does it before its learner arrives)."""
    _catalogue()


def keys() -> list[str]:
    return sorted(_catalogue())
