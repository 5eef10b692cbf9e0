"""Reading the YAML files a facilitator edits in ``content/``, with French messages when malformed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from labkit import messages, paths


def load_yaml(path: Path) -> Any:
    """Parse a content file; a missing or malformed file raises a French :class:`DatalabError`."""
    shown = _shown(path)
    if not path.is_file():
        raise messages.error("content.file_missing", path=shown)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or "syntaxe incorrecte"
        raise messages.error(
            "content.yaml_invalid", path=shown, line=line, problem=problem
        ) from None
    except UnicodeDecodeError:
        raise messages.error(
            "content.yaml_invalid", path=shown, line="?", problem="le fichier n’est pas en UTF-8"
        ) from None


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


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root()))
    except ValueError:
        return path.name
