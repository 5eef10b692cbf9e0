"""data.gouv.fr client, against a local HTTP server replaying responses of the API's real shape
(the tests never touch the internet)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from labkit.data import opendata
from labkit.data.opendata import OfflineError, RemoteResource
from labkit.data.reader import read_table
from labkit.errors import DatalabError
from labkit.learner import dataset

CSV = "commune;code_insee;population\nBourg-en-Bresse;01053;41000\nPéronnas;01289;6600\n".encode(
    "cp1252"
)


def dataset_payload(base: str) -> dict:
    """One dataset as the API returns it (fields of udata's ``dataset_fields``)."""
    return {
        "id": "5e1f0b8a8b4c41234567890a",
        "title": "Population légale des communes de l’Ain",
        "slug": "population-legale-des-communes-de-l-ain",
        "acronym": None,
        "description": "Les **populations légales** 2021, [source INSEE](https://insee.fr).\n\n![logo](x.png)",
        "created_at": "2021-12-30T10:00:00.000000+00:00",
        "last_modified": "2024-01-02T09:30:00.000000+00:00",
        "last_update": "2024-01-02T09:30:00.000000+00:00",
        "deleted": None,
        "archived": None,
        "private": False,
        "tags": ["population", "communes"],
        "badges": [],
        "frequency": "annual",
        "license": "lov2",
        "organization": {
            "id": "534fff75a3a7292c64a77de4",
            "name": "Département de l’Ain",
            "slug": "departement-de-l-ain",
            "page": "https://www.data.gouv.fr/fr/organizations/departement-de-l-ain/",
            "uri": "https://www.data.gouv.fr/api/1/organizations/departement-de-l-ain/",
            "logo": None,
            "badges": [],
        },
        "owner": None,
        "page": "https://www.data.gouv.fr/fr/datasets/population-legale-des-communes-de-l-ain/",
        "uri": "https://www.data.gouv.fr/api/1/datasets/population-legale-des-communes-de-l-ain/",
        "temporal_coverage": None,
        "spatial": None,
        "metrics": {"views": 12, "followers": 0, "reuses": 0},
        "extras": {},
        "resources": [
            {
                "id": "0c1d2e3f-0000-4000-8000-000000000001",
                "title": "population-ain-2021.csv",
                "description": None,
                "filetype": "file",
                "type": "main",
                "format": "csv",
                "url": f"{base}/files/population-ain-2021.csv",
                "latest": f"{base}/datasets/r/0c1d2e3f",
                "checksum": {"type": "sha1", "value": "abc"},
                "filesize": len(CSV),
                "mime": "text/csv",
                "created_at": "2021-12-30T10:00:00.000000+00:00",
                "last_modified": "2024-01-02T09:30:00.000000+00:00",
                "metrics": {},
                "extras": {},
                "schema": {},
            },
            {
                "id": "0c1d2e3f-0000-4000-8000-000000000002",
                "title": "Notice méthodologique",
                "format": "pdf",
                "url": f"{base}/files/notice.pdf",
                "filesize": 120000,
                "mime": "application/pdf",
                "filetype": "file",
                "type": "documentation",
            },
            {
                "id": "0c1d2e3f-0000-4000-8000-000000000003",
                "title": "Très gros fichier",
                "format": "csv",
                "url": f"{base}/files/enorme.csv",
                "filesize": None,
                "mime": "text/csv",
                "filetype": "remote",
                "type": "main",
            },
        ],
        "community_resources": [],
    }


class Replay(BaseHTTPRequestHandler):
    requests_seen: list[str] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        Replay.requests_seen.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_port}"
        query = parse_qs(url.query)
        if url.path == "/api/1/datasets/":
            words = query.get("q", [""])[0]
            if words == "panne":
                return self._send(500, b"oops", "text/plain")
            if words == "lent":
                time.sleep(2)
            if words == "casse":
                return self._send(200, b"<html>not json</html>", "text/html")
            if words == "bizarre":
                return self._send(200, b'{"message": "no data key"}', "application/json")
            data = [dataset_payload(base)] if "population" in words else []
            page = {
                "data": data,
                "page": int(query.get("page", ["1"])[0]),
                "page_size": int(query.get("page_size", ["20"])[0]),
                "total": len(data),
                "next_page": None,
                "previous_page": None,
            }
            return self._send(200, json.dumps(page).encode(), "application/json")
        if url.path == "/files/population-ain-2021.csv":
            return self._send(
                200,
                CSV,
                "text/csv",
                {"Content-Disposition": 'attachment; filename="population-ain-2021.csv"'},
            )
        if url.path == "/files/enorme.csv":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()  # no length announced: the client must count
            for _ in range(200):
                self.wfile.write(b"a;b\n" * 1000)
            return None
        if url.path == "/files/vide.csv":
            return self._send(200, b"", "text/csv")
        return self._send(404, b"not found", "text/plain")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up on purpose (timeouts, size cap) is not an error here."""


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def api(server, monkeypatch):
    monkeypatch.setenv("DATALAB_DATAGOUV_URL", f"{server}/api/1")
    Replay.requests_seen.clear()
    return server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------- search
def test_base_url_is_configurable(monkeypatch):
    monkeypatch.delenv("DATALAB_DATAGOUV_URL", raising=False)
    assert opendata.base_url() == "https://www.data.gouv.fr/api/1"
    monkeypatch.setenv("DATALAB_DATAGOUV_URL", "http://localhost:9/api/1/")
    assert opendata.base_url() == "http://localhost:9/api/1"


def test_search_parses_the_api_page(api):
    page = opendata.search_datagouv("population communes", page=1, page_size=5)
    assert Replay.requests_seen[-1].startswith("/api/1/datasets/?q=population+communes")
    assert "page_size=5" in Replay.requests_seen[-1]
    assert page.total == 1 and page.page == 1 and page.page_size == 5
    dataset = page.datasets[0]
    assert dataset.title == "Population légale des communes de l’Ain"
    assert dataset.organization == "Département de l’Ain"
    assert dataset.licence == "Licence Ouverte / Open Licence 2.0"
    assert dataset.last_update == "2024-01-02"
    assert "populations légales" in dataset.description and "**" not in dataset.description
    assert "![logo]" not in dataset.description
    assert [r.table_format for r in dataset.resources] == ["csv", None, "csv"]
    assert [r.title for r in dataset.tables] == ["population-ain-2021.csv", "Très gros fichier"]
    assert dataset.resources[1].size_text == "117 ko"


def test_search_without_results(api):
    page = opendata.search_datagouv("aucun résultat ici")
    assert page.datasets == [] and page.total == 0


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("panne", "opendata.http_error"),
        ("casse", "opendata.bad_response"),
        ("bizarre", "opendata.bad_response"),
    ],
)
def test_search_errors_become_french_messages(api, query, key):
    with pytest.raises(DatalabError) as info:
        opendata.search_datagouv(query)
    assert info.value.key == key
    assert "data.gouv.fr" in info.value.message


def test_search_timeout_is_a_clear_notice(api):
    with pytest.raises(OfflineError) as info:
        opendata.search_datagouv("lent", timeout=(1, 0.3))
    assert info.value.key == "opendata.timeout" and "trop de temps" in info.value.message


def test_offline_is_a_clear_notice(monkeypatch):
    monkeypatch.setenv("DATALAB_DATAGOUV_URL", f"http://127.0.0.1:{closed_port()}/api/1")
    with pytest.raises(OfflineError) as info:
        opendata.search_datagouv("population", timeout=(1, 1))
    assert info.value.key == "opendata.offline"
    assert "n’est pas joignable" in info.value.message
    assert "catalogue" in (info.value.hint or "")


def test_unresolvable_host_is_offline(monkeypatch):
    monkeypatch.setenv("DATALAB_DATAGOUV_URL", "http://hote-inexistant.invalid/api/1")
    with pytest.raises(OfflineError):
        opendata.search_datagouv("population", timeout=(1, 1))


@pytest.mark.parametrize("query", ["", "   ", None, 42, "x" * 201])
def test_bad_queries_are_refused_before_any_request(api, query):
    with pytest.raises(DatalabError) as info:
        opendata.search_datagouv(query)
    assert info.value.key in ("opendata.empty_query", "opendata.query_too_long")
    assert Replay.requests_seen == []


def test_bad_page_is_refused(api):
    with pytest.raises(DatalabError):
        opendata.search_datagouv("population", page=0)


# ----------------------------------------------------------------------------- download
def test_download_into_the_workspace_and_read_it(api, workspace):
    resource = opendata.search_datagouv("population").datasets[0].tables[0]
    download = opendata.download_resource(resource)
    dataset.keep_file(workspace, download.name, download.data)
    assert download.name == "datagouv-population-ain-2021.csv"
    assert download.original_name == "population-ain-2021.csv"
    assert workspace.read_file(download.name) == CSV
    result = read_table(download.data, download.original_name)
    assert result.frame["commune"].tolist() == ["Bourg-en-Bresse", "Péronnas"]
    assert result.frame["code_insee"].tolist() == ["01053", "01289"]


def test_download_size_cap_without_announced_length(api):
    resource = opendata.search_datagouv("population").datasets[0].tables[1]
    with pytest.raises(DatalabError) as info:
        opendata.download_resource(resource, max_bytes=100_000)
    assert info.value.key == "opendata.too_large" and "trop gros" in info.value.message


def test_download_size_cap_from_the_declared_size(api):
    resource = RemoteResource(
        "x", "gros", "csv", f"{api}/files/population-ain-2021.csv", 10**9, "", ""
    )
    with pytest.raises(DatalabError) as info:
        opendata.download_resource(resource)
    assert info.value.key == "opendata.too_large"
    assert not any("population-ain" in r for r in Replay.requests_seen)  # refused before


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        (
            RemoteResource("x", "notice", "pdf", "http://exemple.fr/a.pdf", 10, "", ""),
            "opendata.not_a_table",
        ),
        (RemoteResource("x", "data", "csv", "file:///etc/passwd", 10, "", ""), "opendata.bad_url"),
        (
            RemoteResource("x", "data", "csv", "ftp://exemple.fr/a.csv", 10, "", ""),
            "opendata.bad_url",
        ),
    ],
)
def test_download_refuses_what_is_not_a_web_table(resource, key):
    with pytest.raises(DatalabError) as info:
        opendata.download_resource(resource)
    assert info.value.key == key


def test_download_errors(api):
    missing = RemoteResource("x", "absent", "csv", f"{api}/files/absent.csv", None, "", "")
    with pytest.raises(DatalabError) as info:
        opendata.download_resource(missing)
    assert info.value.key == "opendata.http_error" and "404" in info.value.message
    empty = RemoteResource("x", "vide", "csv", f"{api}/files/vide.csv", None, "", "")
    with pytest.raises(DatalabError) as info:
        opendata.download_resource(empty)
    assert info.value.key == "opendata.empty_download"
    offline = RemoteResource(
        "x", "a", "csv", f"http://127.0.0.1:{closed_port()}/a.csv", None, "", ""
    )
    with pytest.raises(OfflineError):
        opendata.download_resource(offline, timeout=(1, 1))


def test_names_and_sizes():
    assert opendata.workspace_name("Données 2024 (version finale).CSV", "csv") == (
        "datagouv-donnees-2024-version-finale.csv"
    )
    assert opendata.workspace_name("", "xlsx") == "datagouv-ressource.xlsx"
    assert opendata.human_size(None) == "taille inconnue"
    assert opendata.human_size(3_500_000) == "3,3 Mo"
    assert (
        RemoteResource("x", "t", "", "https://a.fr/b/fichier.xlsx", 1, "", "").table_format
        == "xlsx"
    )
