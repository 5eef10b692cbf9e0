"""Live search of data.gouv.fr and download of a table resource into the learner's workspace.

It talks to data.gouv.fr's public API (``GET {base}/datasets/?q=…&page=…&page_size=…``, which
answers a page ``{"data": [...], "page", "page_size", "total", "next_page", "previous_page"}`` of
datasets, each with its ``organization``, ``license``, ``last_update`` and ``resources`` —
``{"id", "title", "format", "url", "filesize", "mime", "last_modified"…}``) with ``requests``,
short timeouts and a size cap on downloads. The base address is ``$DATALAB_DATAGOUV_URL`` (tests
point it to a local server) or ``https://www.data.gouv.fr/api/1``.

Without network, every call raises :class:`OfflineError` (a :class:`DatalabError`) whose message
says so plainly: the page shows it as a notice, and the bundled catalogue still works.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import requests

from labkit import messages
from labkit.errors import DatalabError

DEFAULT_URL = "https://www.data.gouv.fr/api/1"
TIMEOUT = (4.0, 15.0)  # seconds to connect, seconds between two bytes
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # a workshop file; the reader's own limit is larger
PAGE_SIZE = 10
TABLE_FORMATS = {"csv": "csv", "xlsx": "xlsx", "ods": "ods", "tsv": "csv", "txt": "csv"}
LICENCES = (
    "lov2",
    "fr-lo",
    "odc-odbl",
    "odc-by",
    "odc-pddl",
    "cc-by",
    "cc-by-sa",
    "cc-zero",
    "notspecified",
    "other-open",
    "other-at",
    "other-pd",
    "other-closed",
)
"""The licence identifiers of data.gouv.fr that have a French name (``opendata.licence_…``)."""
USER_AGENT = "Datalab/0.1 (atelier de formation)"


def licence_name(licence_id: str) -> str:
    """The French name of a data.gouv.fr licence identifier (the identifier when unknown)."""
    if licence_id not in LICENCES:
        return licence_id
    return messages.text("opendata.licence_" + licence_id.replace("-", "_"))


class OfflineError(DatalabError):
    """data.gouv.fr cannot be reached: no network, or the service does not answer."""


@dataclass
class RemoteResource:
    id: str
    title: str
    format: str
    url: str
    filesize: int | None
    mime: str
    last_modified: str

    @property
    def table_format(self) -> str | None:
        """``csv``, ``xlsx`` or ``ods`` when Datalab can read it, else ``None``."""
        declared = TABLE_FORMATS.get(self.format.lower().strip("."))
        if declared:
            return declared
        suffix = PurePosixPath(urlparse(self.url).path).suffix.lower().lstrip(".")
        return TABLE_FORMATS.get(suffix)

    @property
    def size_text(self) -> str:
        return human_size(self.filesize)


@dataclass
class RemoteDataset:
    id: str
    title: str
    description: str
    organization: str
    licence: str
    last_update: str
    page: str
    frequency: str
    resources: list[RemoteResource] = field(default_factory=list)

    @property
    def tables(self) -> list[RemoteResource]:
        return [r for r in self.resources if r.table_format]


@dataclass
class SearchPage:
    query: str
    datasets: list[RemoteDataset]
    total: int
    page: int
    page_size: int


@dataclass
class Download:
    name: str  # the workspace file name
    original_name: str
    data: bytes
    url: str
    format: str


def base_url() -> str:
    return os.environ.get("DATALAB_DATAGOUV_URL", DEFAULT_URL).rstrip("/")


def _session(session: requests.Session | None) -> requests.Session:
    if session is not None:
        return session
    created = requests.Session()
    created.headers["User-Agent"] = USER_AGENT
    created.trust_env = True
    return created


def _get(session: requests.Session, url: str, *, timeout, **kwargs) -> requests.Response:
    try:
        return session.get(url, timeout=timeout, **kwargs)
    except requests.exceptions.Timeout:
        raise OfflineError(
            messages.text("opendata.timeout"),
            hint=messages.hint("opendata.timeout"),
            key="opendata.timeout",
        ) from None
    except (requests.exceptions.ConnectionError, requests.exceptions.TooManyRedirects):
        raise OfflineError(
            messages.text("opendata.offline"),
            hint=messages.hint("opendata.offline"),
            key="opendata.offline",
        ) from None
    except requests.exceptions.RequestException as exc:
        raise messages.error("opendata.request_failed", detail=type(exc).__name__) from None


# ============================================================================ search
def search_datagouv(
    query: str,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    *,
    session: requests.Session | None = None,
    timeout: Any = TIMEOUT,
) -> SearchPage:
    """One page of data.gouv.fr datasets matching ``query``."""
    if not isinstance(query, str) or not query.strip():
        raise messages.error("opendata.empty_query")
    if len(query) > 200:
        raise messages.error("opendata.query_too_long", max=200)
    if not isinstance(page, int) or page < 1 or not isinstance(page_size, int):
        raise messages.error("opendata.bad_page")
    page_size = max(1, min(page_size, 50))
    response = _get(
        _session(session),
        f"{base_url()}/datasets/",
        params={"q": query.strip(), "page": page, "page_size": page_size},
        timeout=timeout,
    )
    if response.status_code >= 400:
        raise messages.error("opendata.http_error", status=response.status_code)
    try:
        payload = response.json()
    except ValueError:
        raise messages.error("opendata.bad_response") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise messages.error("opendata.bad_response")
    datasets = [parse_dataset(item) for item in payload["data"] if isinstance(item, dict)]
    return SearchPage(
        query=query.strip(),
        datasets=datasets,
        total=_int(payload.get("total"), len(datasets)),
        page=_int(payload.get("page"), page),
        page_size=_int(payload.get("page_size"), page_size),
    )


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_dataset(item: dict) -> RemoteDataset:
    organization = item.get("organization") if isinstance(item.get("organization"), dict) else {}
    owner = item.get("owner") if isinstance(item.get("owner"), dict) else {}
    person = " ".join(filter(None, [owner.get("first_name"), owner.get("last_name")]))
    producer = organization.get("name") or person
    licence_id = str(item.get("license") or "notspecified")
    resources = [
        RemoteResource(
            id=str(r.get("id") or ""),
            title=str(r.get("title") or r.get("id") or ""),
            format=str(r.get("format") or ""),
            url=str(r.get("url") or ""),
            filesize=r.get("filesize") if isinstance(r.get("filesize"), int) else None,
            mime=str(r.get("mime") or ""),
            last_modified=str(r.get("last_modified") or ""),
        )
        for r in item.get("resources") or []
        if isinstance(r, dict)
    ]
    return RemoteDataset(
        id=str(item.get("id") or ""),
        title=str(item.get("title") or ""),
        description=short_text(str(item.get("description") or "")),
        organization=producer or messages.text("opendata.unknown_producer"),
        licence=licence_name(licence_id),
        last_update=str(item.get("last_update") or item.get("last_modified") or "")[:10],
        page=str(item.get("page") or ""),
        frequency=str(item.get("frequency") or ""),
        resources=resources,
    )


def short_text(markdown: str, limit: int = 300) -> str:
    """The start of a Markdown description as plain text."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[#*_>`|]+", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# ============================================================================ download
def download_resource(
    resource: RemoteResource,
    *,
    session: requests.Session | None = None,
    timeout: Any = TIMEOUT,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Download:
    """Download a table resource (CSV, .xlsx, .ods), refusing it beyond ``max_bytes``; the
    download is named for the learner's workspace (``datagouv-<name>``), where
    :func:`labkit.learner.dataset.keep_file` keeps it."""
    fmt = resource.table_format
    if not fmt:
        raise messages.error("opendata.not_a_table", format=resource.format or "?")
    parsed = urlparse(resource.url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise messages.error("opendata.bad_url", url=resource.url[:100])
    if resource.filesize and resource.filesize > max_bytes:
        raise messages.error(
            "opendata.too_large", size=human_size(resource.filesize), max=human_size(max_bytes)
        )
    response = _get(_session(session), resource.url, timeout=timeout, stream=True)
    with response:
        if response.status_code >= 400:
            raise messages.error("opendata.http_error", status=response.status_code)
        announced = _int(response.headers.get("Content-Length"), 0)
        if announced > max_bytes:
            raise messages.error(
                "opendata.too_large", size=human_size(announced), max=human_size(max_bytes)
            )
        chunks, received = [], 0
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                received += len(chunk)
                if received > max_bytes:
                    raise messages.error(
                        "opendata.too_large",
                        size=f"> {human_size(max_bytes)}",
                        max=human_size(max_bytes),
                    )
                chunks.append(chunk)
        except requests.exceptions.RequestException:
            raise OfflineError(
                messages.text("opendata.interrupted"), key="opendata.interrupted"
            ) from None
    data = b"".join(chunks)
    if not data:
        raise messages.error("opendata.empty_download")
    original = _original_name(response, resource, fmt)
    name = workspace_name(original, fmt)
    return Download(name=name, original_name=original, data=data, url=resource.url, format=fmt)


def _original_name(response, resource: RemoteResource, fmt: str) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", disposition)
    if match:
        return unquote(match.group(1)).strip()
    path_name = unquote(PurePosixPath(urlparse(resource.url).path).name)
    if path_name and "." in path_name:
        return path_name
    return f"{resource.title or 'ressource'}.{fmt}"


def workspace_name(original: str, fmt: str) -> str:
    """A workspace-safe file name (``datagouv-<ascii-name>.<ext>``)."""
    stem = PurePosixPath(original).stem or "ressource"
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:50] or "ressource"
    return f"datagouv-{slug}.{fmt}"


def human_size(size: int | None) -> str:
    if not size:
        return messages.text("opendata.unknown_size")
    if size < 1024:
        return f"{size} o"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} ko"
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")
