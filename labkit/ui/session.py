"""Who is on this page: the learner's pseudonym, from the page's address (``?pseudo=…``).

Voilà hands the query string to the kernel. With preheated kernels the notebook starts before anyone
asks for the page, so :func:`query_parameters` first waits for the request
(``voila.utils.wait_for_request``). Outside Voilà (JupyterLab, tests), ``DATALAB_PSEUDONYM`` gives
a pseudonym.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode

from labkit.errors import DatalabError
from labkit.workspace import Workspace, normalize_pseudonym

_cache: dict[str, list[str]] | None = None


def query_parameters() -> dict[str, list[str]]:
    """The page's query parameters (waits for the request when the kernel was preheated)."""
    global _cache
    if _cache is None:
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except ImportError:  # pragma: no cover - voila is a dependency
            pass
        _cache = parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return _cache


def requested_pseudonym() -> str | None:
    values = query_parameters().get("pseudo")
    if values:
        return values[-1]
    return os.environ.get("DATALAB_PSEUDONYM") or None


def open_workspace() -> tuple[Workspace | None, str | None]:
    """(workspace, None) for a valid pseudonym; (None, French error) or (None, None) if absent."""
    pseudonym = requested_pseudonym()
    if pseudonym is None:
        return None, None
    try:
        return Workspace.open(normalize_pseudonym(pseudonym)), None
    except DatalabError as error:
        return None, str(error)


def page_link(notebook: str, pseudonym: str | None, **extra: str) -> str:
    """Relative link to another page of the workbook, carrying the pseudonym."""
    params = {"pseudo": pseudonym} if pseudonym else {}
    params.update(extra)
    return f"./{notebook}" + (f"?{urlencode(params)}" if params else "")
