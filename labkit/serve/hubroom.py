"""The facilitator's room view across a JupyterHub: a service the hub starts and guards.

On a hub each learner's work is on their own server, out of the facilitator's reach; the hub keeps
it so. This service never reads anyone's work: each learner's kernel sends it the row of the room
view (:mod:`labkit.learner.roomlink`), and it shows the room view's pages
(:mod:`labkit.serve.roomview`) built from those rows (:class:`labkit.serve.room.PostedRoom`).

- ``POST <prefix>activite``: a kernel sends its row, with its server's own hub token
  (``Authorization: token …``); the hub says whose token it is, and the row is kept under that user's
  name (a user can only speak for themselves). The answer lists the modules the facilitator asked to
  start again from zero for that user (``{"repartir": [...]}``), which their kernel resets.
- Every other address is the room view (the room, ``etat``, ``bilan``, the CSV exports, one learner,
  « repartir de zéro »), for hub users holding the service's access scope
  (``access:services!service=datalab-salle``), which the hub configuration grants to the
  « formateurs » group only. Anyone else is refused by the hub (403).

The hub starts it (``deploy/tljh/jupyterhub_config.d/datalab.py``)::

    python -m labkit.serve.hubroom

with the hub's service variables (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``,
``JUPYTERHUB_API_TOKEN``…). Rows are kept in memory: after a restart, each open page sends its own
again within :data:`labkit.learner.roomlink.HEARTBEAT` seconds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from html import escape as esc
from urllib.parse import urlparse

import tornado.web
from jupyter_server.utils import url_path_join
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from labkit.serve import room, roomview

log = logging.getLogger(__name__)

SERVICE_NAME = "datalab-salle"
MAX_BODY = 256 * 1024  # a row is a few kilobytes
TOKEN_RE = re.compile(r"^(?:token|bearer)\s+(\S+)$", re.IGNORECASE)


def _t(name: str, /, **values) -> str:
    return roomview._t(name, **values)


class HubAccess(HubOAuthenticated):
    """The room view's pages, for the hub users the service's access scope lets in: others are
    sent to the hub's login, which refuses (403) a user without the scope."""

    open_without_cookie = False  # no facilitator's secret here: the hub decides

    def allowed(self) -> bool:
        return self.current_user is not None

    def deny(self, reason: str | None = None) -> None:
        # Not logged in: to the hub's login (OAuth). Logged in without the scope: the hub's
        # mixin makes this redirect a 403, answered by ``write_error`` below.
        self.redirect(self.get_login_url())

    def check_form(self) -> bool:
        try:
            self.check_xsrf_cookie()
        except tornado.web.HTTPError:
            self.set_status(403)
            self.finish(roomview.page_html(_t("denied_title"), _t("forbidden_form")))
            return False
        return True

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code == 403:
            body = f"<h1>{esc(_t('denied_title'))}</h1><p>{esc(_t('denied_hub'))}</p>"
            self.finish(roomview.page_html(_t("denied_title"), body))
        else:
            super().write_error(status_code, **kwargs)


class ActivityHandler(tornado.web.RequestHandler):
    """``POST <prefix>activite``: one learner's row, from their own kernel."""

    def initialize(self, reader: room.PostedRoom, hub_auth: HubOAuth) -> None:
        self.reader = reader
        self.hub_auth = hub_auth

    def check_xsrf_cookie(self) -> None:  # a token in a header, never a cookie
        return None

    def _answer(self, status: int, **body) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    async def post(self) -> None:
        match = TOKEN_RE.match(self.request.headers.get("Authorization", "").strip())
        if match is None:
            self._answer(401, erreur=_t("activity_no_token"))
            return
        model = await self.hub_auth.user_for_token(match.group(1), sync=False)
        if not model or model.get("kind", "user") != "user" or not model.get("name"):
            self._answer(403, erreur=_t("activity_unknown_token"))
            return
        if len(self.request.body) > MAX_BODY:
            self._answer(413, erreur=_t("activity_bad", field="taille"))
            return
        try:
            data = json.loads(self.request.body.decode("utf-8"))
            resets = self.reader.post(model["name"], data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._answer(400, erreur=_t("activity_bad", field="json"))
            return
        except ValueError as exc:
            self._answer(400, erreur=_t("activity_bad", field=str(exc)))
            return
        self._answer(200, repartir=resets)


def _hub_version(handler: type, hub_auth: HubOAuth) -> type:
    """A room view handler behind the hub's OAuth (``hub_auth``) instead of the secret."""
    return type(f"Hub{handler.__name__}", (HubAccess, handler), {"_hub_auth": hub_auth})


def make_app(prefix: str, hub_auth: HubOAuth | None = None) -> tornado.web.Application:
    """The service's tornado application, under the hub's ``prefix`` (``/services/datalab-salle/``)."""
    hub_auth = hub_auth or HubOAuth.instance()
    if not hub_auth.access_scopes:
        # No scope said (an external service started without the hub's variables): never « every
        # hub user », always this service's own access scope.
        hub_auth.access_scopes = {f"access:services!service={SERVICE_NAME}"}
    reader = room.PostedRoom()
    options = {"secret": None, "reader": reader, "base": prefix, "home": prefix}
    routes = [
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (
            url_path_join(prefix, "activite"),
            ActivityHandler,
            {"reader": reader, "hub_auth": hub_auth},
        ),
        *roomview.routes(prefix, options, wrap=lambda h: _hub_version(h, hub_auth)),
    ]
    # ``room``: the rows, for tests
    return tornado.web.Application(routes, cookie_secret=secrets.token_bytes(32), room=reader)


def main() -> None:  # pragma: no cover - started by the hub (tests/test_jupyterhub.py)
    logging.basicConfig(level=logging.INFO, format="[datalab-salle] %(message)s")
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    address = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    server = HTTPServer(make_app(prefix), max_body_size=MAX_BODY, xheaders=True)
    server.listen(address.port or 80, address.hostname or "127.0.0.1")
    log.info("salle de formation : %s", prefix)
    IOLoop.current().start()


if __name__ == "__main__":  # pragma: no cover
    main()
