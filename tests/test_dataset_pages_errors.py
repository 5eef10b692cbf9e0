"""The facilitator's dataset pages when the writer itself fails unexpectedly: a French page that
keeps what was typed, never a traceback, the failure kept in the server's log.

The pages run in a tornado server on a thread of its own (the browser tests keep an event loop
running in the main thread), with the writer replaced by one that fails."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid

import pytest
from support import dataset_pages

from labkit.course import authoring
from labkit.serve import roomview

SECRET = "jeux-secret-de-test"


@pytest.fixture
def pages(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disque plein (simulé)")

    monkeypatch.setattr(authoring, "new_package", broken)
    monkeypatch.setattr(authoring, "edit_package", broken)
    with dataset_pages(SECRET) as url:
        yield url


def _fetch(url: str, *, xsrf: str = "", data: bytes | None = None, kind: str | None = None):
    cookie = f"{roomview.COOKIE}={roomview.cookie_value(SECRET)}; _xsrf={xsrf}"
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie})
    if kind:
        request.add_header("Content-Type", kind)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _token(url: str) -> str:
    code, page = _fetch(url)
    assert code == 200, page[:300]
    return re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_adding_a_dataset(pages, caplog):
    url = f"{pages}/animation/jeux/nouveau"
    token = _token(url)
    body, kind = _multipart(
        {"_xsrf": token, "title": "Verre", "producer": "Service des déchets"},
        "verre.csv",
        b"a;b\n1;2\n3;4\n",
    )
    code, page = _fetch(url, xsrf=token, data=body, kind=kind)
    assert code == 400 and "Une erreur inattendue" in page
    assert 'value="Service des déchets"' in page and "Traceback" not in page
    assert "disque plein" not in page and "disque plein (simulé)" in caplog.text


def test_saving_a_card(pages, caplog):
    url = f"{pages}/animation/jeux/fuites"
    token = _token(url)
    code, page = _fetch(url, xsrf=token, data=f"_xsrf={token}&producer=Syndicat".encode())
    assert code == 400 and "Une erreur inattendue" in page
    assert 'value="Syndicat"' in page and "Traceback" not in page
    assert "disque plein (simulé)" in caplog.text
