"""Reading the YAML files a facilitator edits (``content/``), with French messages when malformed.

Low in the package: :mod:`labkit.settings` and the course's content files (:mod:`labkit.course`)
read their files with :func:`load_yaml` and check their fields with :func:`require`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from labkit import messages, paths


def load_yaml(path: Path) -> Any:
    """Parse a content file; a missing or malformed file raises a French :class:`DatalabError`
    naming the line and column of the problem, with a plain French explanation."""
    shown = _shown(path)
    if not path.is_file():
        raise messages.error("content.file_missing", path=shown)
    try:
        return copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise messages.error(
            "content.yaml_invalid",
            path=shown,
            line=mark.line + 1 if mark is not None else "?",
            column=mark.column + 1 if mark is not None else "?",
            problem=explain_yaml_error(exc),
        ) from None
    except UnicodeDecodeError:
        raise messages.error("content.not_utf8", path=shown) from None


@lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """The parsed text of a file, kept by its text: a page kernel reads the same few files (the
    module list, the settings) dozens of times in a day, and parsing is what costs (about 0.8 s
    of CPU per learner's walk); reading the file each time keeps an edit visible at once. Callers
    get a copy (:func:`load_yaml`), free to change it."""
    return yaml.safe_load(text)


# PyYAML's problems (English) → the French explanation (messages of content.yaml), first match wins.
_YAML_PROBLEMS = [
    ("mapping values are not allowed", "content.yaml_colon"),
    ("found character '\\t'", "content.yaml_tab"),
    ("found a tab character", "content.yaml_tab"),
    ("cannot start any token", "content.yaml_bad_start"),
    ("found undefined alias", "content.yaml_bad_start"),
    ("while scanning a quoted scalar", "content.yaml_unclosed_quote"),
    ("could not find expected ':'", "content.yaml_missing_colon"),
    ("expected ',' or ']'", "content.yaml_unclosed_bracket"),
    ("expected ',' or '}'", "content.yaml_unclosed_brace"),
    ("but found '<scalar>'", "content.yaml_text_after_value"),
    ("did not find expected '-' indicator", "content.yaml_list_indent"),
    ("expected <block end>", "content.yaml_indent"),
    ("did not find expected key", "content.yaml_indent"),
]


def explain_yaml_error(exc: yaml.YAMLError) -> str:
    """A plain French explanation of a YAML parser error (its English text kept only when no
    explanation is known)."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    start = getattr(exc, "context_mark", None)
    fields = {
        "start": start.line + 1 if start is not None else "?",
        "char": problem.split("'")[1] if problem.count("'") >= 2 else "?",
    }
    if "alias" in problem:
        fields["char"] = "*"
    for pattern, key in _YAML_PROBLEMS:
        if pattern in problem or pattern in context:
            return messages.text(key, **fields)
    return messages.text("content.yaml_other", original=problem or context or str(exc))


def require(
    mapping: Any, field: str, expected: type | tuple[type, ...], *, path: Path, where: str
) -> Any:
    """``mapping[field]``, checked for presence and type, with a French message otherwise."""
    names = {str: "str", int: "int", list: "list", dict: "dict", bool: "bool"}
    if not isinstance(mapping, dict) or field not in mapping or mapping[field] is None:
        raise messages.error("content.field_missing", path=_shown(path), where=where, field=field)
    value = mapping[field]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        kinds = expected if isinstance(expected, tuple) else (expected,)
        raise messages.error(
            "content.field_type",
            path=_shown(path),
            field=field,
            where=where,
            expected=messages.text("content.types_or").join(
                messages.text(f"content.type_{names[k]}") if k in names else k.__name__
                for k in kinds
            ),
        )
    return value


def where(place: str, **fields: Any) -> str:
    """How a message names a place of a content file (``{where}`` of ``content.field_missing``):
    ``where("file")`` → « le fichier », ``where("module", id="01_intro")`` → « le module
    « 01_intro » » (``content.where_<place>`` of ``labkit/messages/content.yaml``)."""
    return messages.text(f"content.where_{place}", **fields)


def identified(items: list, *, path: Path, place: str) -> Iterator[tuple[str, Any, str]]:
    """``(id, item, where)`` for each item of a list whose items have an ``id`` field: its id
    (checked), the item, and how messages about its other fields name it (« la question « q1 » »).
    ``place``: ``module``, ``question``, ``level`` or ``point``."""
    for index, item in enumerate(items, start=1):
        item_id = require(item, "id", str, path=path, where=where(f"{place}_number", index=index))
        yield item_id, item, where(place, id=item_id)


def shown_path(path: Path) -> str:
    """``path`` as a facilitator finds it: relative to the project's folder when inside it."""
    return _shown(path)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root()))
    except ValueError:
        return path.name
