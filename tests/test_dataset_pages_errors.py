"""The facilitator's dataset pages when the writer itself fails unexpectedly: a French page that
keeps what was typed, never a traceback, the failure kept in the server's log."""

from __future__ import annotations

import re
import uuid

import pytest
import tornado.testing
import tornado.web

from labkit.course import authoring
from labkit.serve import datasetview, roomview

SECRET = "jeux-secret-de-test"


class _Pages(tornado.testing.AsyncHTTPTestCase):
    def get_app(self):
        options = roomview.page_options("/", SECRET)
        return tornado.web.Application(datasetview.handlers("/", options), cookie_secret="x")

    def _headers(self, xsrf: str) -> dict[str, str]:
        cookie = f"{roomview.COOKIE}={roomview.cookie_value(SECRET)}; _xsrf={xsrf}"
        return {"Cookie": cookie}

    def _form_token(self, path: str) -> str:
        response = self.fetch(path, headers={"Cookie": self._headers("")["Cookie"]})
        assert response.code == 200, response.body[:300]
        return re.search(rb'name="_xsrf" value="([^"]+)"', response.body).group(1).decode()

    def _multipart(self, fields: dict[str, str], file: tuple[str, bytes]) -> tuple[bytes, str]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        name, data = file
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class TestUnexpectedFailures(_Pages):
    @pytest.fixture(autouse=True)
    def _broken_writer(self, monkeypatch, caplog):
        def broken(*args, **kwargs):
            raise RuntimeError("disque plein (simulé)")

        monkeypatch.setattr(authoring, "new_package", broken)
        monkeypatch.setattr(authoring, "edit_package", broken)
        self.caplog = caplog

    def test_adding_a_dataset(self):
        token = self._form_token("/animation/jeux/nouveau")
        body, kind = self._multipart(
            {"_xsrf": token, "title": "Verre", "producer": "Service des déchets"},
            ("verre.csv", b"a;b\n1;2\n3;4\n"),
        )
        response = self.fetch(
            "/animation/jeux/nouveau",
            method="POST",
            body=body,
            headers={**self._headers(token), "Content-Type": kind},
        )
        page = response.body.decode("utf-8")
        assert response.code == 400 and "Une erreur inattendue" in page
        assert 'value="Service des déchets"' in page and "Traceback" not in page
        assert "disque plein" not in page
        assert "disque plein (simulé)" in self.caplog.text

    def test_saving_a_card(self):
        token = self._form_token("/animation/jeux/fuites")
        response = self.fetch(
            "/animation/jeux/fuites",
            method="POST",
            body=f"_xsrf={token}&producer=Syndicat".encode(),
            headers=self._headers(token),
        )
        page = response.body.decode("utf-8")
        assert response.code == 400 and "Une erreur inattendue" in page
        assert 'value="Syndicat"' in page and "Traceback" not in page
