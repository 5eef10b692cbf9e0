"""Where the project's folders are: datasets, notebooks, editable content.

The project root is found, in order, from the ``DATALAB_ROOT`` environment variable, from the current
folder or its parents (a notebook runs in ``notebooks/``), then from this package's location (an
editable install). A folder counts as the root when it holds both ``notebooks/`` and ``datasets/``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


def _looks_like_root(path: Path) -> bool:
    return (path / "notebooks").is_dir() and (path / "datasets").is_dir()


@cache
def _find_root(env_value: str | None, cwd: str) -> Path:
    if env_value:
        return Path(env_value).expanduser().resolve()
    for start in (Path(cwd), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if _looks_like_root(candidate):
                return candidate
    return Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The folder that holds ``notebooks/``, ``datasets/`` and ``content/``."""
    return _find_root(os.environ.get("DATALAB_ROOT"), os.getcwd())


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def datasets_dir() -> Path:
    return project_root() / "datasets"


def content_dir() -> Path:
    """Texts and settings a facilitator edits: quiz banks, module list, settings."""
    return project_root() / "content"
