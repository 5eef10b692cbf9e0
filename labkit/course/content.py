"""Reading the YAML files a facilitator edits in ``content/``, with French messages when malformed."""

from __future__ import annotations

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
        return yaml.safe_load(path.read_text(encoding="utf-8"))
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
    names = {
        str: "un texte",
        int: "un nombre entier",
        list: "une liste",
        dict: "un ensemble de champs",
        bool: "oui ou non",
    }
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
            expected=" ou ".join(names.get(k, k.__name__) for k in kinds),
        )
    return value


def shown_path(path: Path) -> str:
    """``path`` as a facilitator finds it: relative to the project's folder when inside it."""
    return _shown(path)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root()))
    except ValueError:
        return path.name
