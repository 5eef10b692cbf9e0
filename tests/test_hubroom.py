"""The room view across a JupyterHub without a hub (issue 26): what a learner's kernel sends
(``room.row_summary``), what the service takes of it (``room.row_from_summary``, every field checked),
the room built from the rows (``room.PostedRoom``, « repartir de zéro » waiting for the learner's
kernel), the service's addresses (``labkit.serve.hubroom``, with the hub's answers stood in for),
and the kernel's side (``labkit.learner.roomlink``). The real hub is in tests/test_jupyterhub.py."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from jupyterhub.services.auth import HubOAuth
from support import served

from labkit.learner import activity, course, roomlink
from labkit.serve import hubroom, room
from labkit.workspace import Workspace

INTRO = "01_introduction"
PREFIX = "/services/datalab-salle/"
SCOPE = "access:services!service=datalab-salle"


@pytest.fixture
def busy(workspace_root):
    """A learner in module 03 with an error shown, module 01 done, one quiz answer."""
    workspace = Workspace.open("Dora", workspace_root)
    course.set_status(workspace, INTRO, "done")
    from labkit.course import quiz

    problem = quiz.load_bank(INTRO).problems[0]
    course.record_answer(workspace, INTRO, problem, problem.answer, problem.check(problem.answer))
    workspace.save("training", {"name": "Arbre", "metric": "accuracy", "test_score": 0.75})
    activity.note_activity(workspace, "03")
    activity.note_message(workspace, "03_donnees", "error", "Le fichier ne se lit pas.")
    return workspace


def test_a_row_goes_through_the_service_unchanged(busy, workspace_root):
    read = room.RoomReader(workspace_root).learner_row(busy.folder)
    sent = json.loads(json.dumps(room.row_summary(read)))
    back = room.row_from_summary("dora", "dora", sent)
    for name in (
        "statuses",
        "scores",
        "first_tries",
        "current",
        "project",
        "model",
        "model_metric",
        "model_score",
        "last_activity",
        "error",
        "error_module",
        "error_at",
        "error_resolved",
    ):
        assert getattr(back, name) == getattr(read, name), name
    assert back.current == "03" and back.statuses[INTRO] == "done" and back.scores[INTRO][0] == 1
    assert back.error == "Le fichier ne se lit pas." and not back.error_resolved
    # Names and scores only: nothing of the learner's files travels.
    assert set(sent) == {
        "statuses",
        "scores",
        "first_tries",
        "current",
        "project",
        "dataset",
        "model",
        "model_metric",
        "model_score",
        "last_activity",
        "error_at",
        "error",
        "error_module",
        "error_resolved",
        "notes",
    }


BAD_SUMMARIES = [
    ("not a dict", ["statuses"]),
    ("unknown status", {"statuses": {INTRO: "fini"}}),
    ("path as a module", {"statuses": {"../../etc": "done"}}),
    ("score above its total", {"scores": {INTRO: [5, 3]}}),
    ("score as text", {"scores": {INTRO: ["1", "2"]}}),
    ("try without outcome", {"first_tries": [[INTRO, "q1"]]}),
    ("time that is not one", {"last_activity": "hier"}),
    ("text as a number", {"current": 3}),
    ("score not a number", {"model_score": "0,8"}),
    ("score NaN", {"model_score": float("nan")}),
    ("resolved as text", {"error_resolved": "oui"}),
    ("notes as text", {"notes": "rien"}),
]


@pytest.mark.parametrize("data", [d for _, d in BAD_SUMMARIES], ids=[n for n, _ in BAD_SUMMARIES])
def test_what_a_kernel_sends_is_checked_field_by_field(data):
    with pytest.raises(ValueError):
        room.row_from_summary("x", "x", data)


def test_long_texts_are_cut():
    row = room.row_from_summary("x", "x", {"error": "é" * 5000, "project": "p" * 999})
    assert len(row.error) == 500 and len(row.project) == 120


def test_hub_names_become_distinct_room_addresses():
    names = ["dora", "Dora", "marie.dupont@ville.fr", "marie-dupont-ville-fr", "---", "élodie"]
    slugs = [room.hub_slug(name) for name in names]
    assert slugs[0] == "dora"
    assert len(set(slugs)) == len(slugs)
    assert all(room.SLUG_RE.match(slug) for slug in slugs)


def test_the_posted_room_and_a_reset_waiting_for_the_learner(busy, workspace_root):
    posted = room.PostedRoom()
    row = room.RoomReader(workspace_root).learner_row(busy.folder)
    assert posted.post("dora", room.row_summary(row)) == []
    assert posted.post("emile", {}) == []
    summary = posted.summary()
    assert [r.pseudonym for r in summary.learners] == ["dora", "emile"]
    assert summary.per_module[1]["done"] == 1  # module 01
    assert posted.knows("dora") and not posted.knows("fanny")
    assert posted.folder_of("dora") is None  # nothing of the learners' folders is here
    posted.reset("dora", INTRO)
    assert posted.pending("dora") == [INTRO]
    # The reset travels back once, in the answer to dora's next post, never to another user.
    assert posted.post("emile", {}) == []
    assert posted.post("dora", room.row_summary(row)) == [INTRO]
    assert posted.post("dora", room.row_summary(row)) == [] and posted.pending("dora") == []


# ---------------------------------------------------------------- the service's addresses
class FakeHub(HubOAuth):
    """The hub's answers: who a token belongs to, who a browser's cookie is."""

    users: dict = {}  # token → model
    browser: dict | None = None

    async def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        return self.users.get(token)

    def get_user(self, handler, **kwargs):
        return self.browser


def fake_hub() -> FakeHub:
    hub = FakeHub(
        api_token="service-token",
        api_url="http://127.0.0.1:1/hub/api",
        oauth_client_id="service-datalab-salle",
        oauth_redirect_uri=f"http://127.0.0.1{PREFIX}oauth_callback",
        access_scopes={SCOPE},
        base_url=PREFIX,
        hub_prefix="/hub/",
        login_url="/hub/api/oauth2/authorize",
    )
    hub.users = {
        "dora-token": {"kind": "user", "name": "dora", "scopes": []},
        "emile-token": {"kind": "user", "name": "emile", "scopes": []},
        "service-token": {"kind": "service", "name": "autre", "scopes": []},
    }
    return hub


@pytest.fixture
def service():
    """The service in a thread of the test process, with the hub's answers stood in for."""
    hub, made = fake_hub(), []
    with served(lambda: made.append(hubroom.make_app(PREFIX, hub)) or made[0]) as url:
        yield Service(url + PREFIX, hub, made[0].settings["room"])


class Service:
    FACILITATOR = {"kind": "user", "name": "fanny", "scopes": [SCOPE], "groups": []}
    LEARNER = {"kind": "user", "name": "emile", "scopes": ["self"], "groups": []}

    def __init__(self, url: str, hub: FakeHub, room: room.PostedRoom):
        self.url, self.hub, self.room = url, hub, room
        self.browser = requests.Session()

    def send(self, token: str | None, body) -> tuple[int, dict]:
        """What a learner's kernel posts, with its token."""
        headers = {"Authorization": f"token {token}"} if token else {}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = requests.post(self.url + "activite", data=raw, headers=headers, timeout=10)
        return response.status_code, response.json()

    def page(self, path: str = "", user: dict | None = None, **kwargs) -> requests.Response:
        """A page as ``user``'s browser gets it (the hub's cookie stood in for)."""
        self.hub.browser = user
        return self.browser.get(self.url + path, allow_redirects=False, timeout=10, **kwargs)


def test_a_kernel_speaks_only_for_its_own_user(service):
    assert service.send(None, {})[0] == 401
    code, answer = service.send("volé", {})
    assert code == 403 and "pas celui d’un utilisateur" in answer["erreur"]
    assert service.send("service-token", {})[0] == 403  # a service is no learner
    code, answer = service.send("dora-token", {"current": "02"})
    assert code == 200 and answer == {"repartir": []}
    # Bad rows: a French answer, nothing kept, the service goes on.
    code, answer = service.send("emile-token", b"\xff{")
    assert code == 400 and "n’est pas lisible" in answer["erreur"]
    code, answer = service.send("emile-token", {"statuses": {INTRO: "fini"}})
    assert code == 400 and "statuses" in answer["erreur"]
    assert service.send("emile-token", {"notes": ["x" * 300] * 1000})[0] == 413  # too big
    assert service.send("dora-token", {"current": "03"})[0] == 200
    assert [row.pseudonym for row in service.room.summary().learners] == ["dora"]
    assert service.room.summary().learners[0].current == "03"


def test_the_room_is_for_the_formateurs_group_only(service):
    service.send("dora-token", {"current": "02", "statuses": {INTRO: "done"}})
    response = service.page(user=Service.FACILITATOR)
    html = response.text
    assert response.status_code == 200 and "Suivre la salle" in html
    assert re.search(r'href="/services/datalab-salle/stagiaire/dora">dora</a>', html)
    assert "02 · Cadrer le problème" in html
    assert "/animation" not in html and "Jeux de données" not in html
    # The page's own refresh carries its form token, as the hub asks of a fetch.
    xsrf = re.search(r'data-xsrf="([^"]+)"', html).group(1)
    state = service.page("etat", Service.FACILITATOR, headers={"X-XSRFToken": xsrf})
    assert state.status_code == 200 and "dora" in state.json()["html"]
    export = service.page("export/stagiaires.csv", Service.FACILITATOR)
    assert export.status_code == 200 and "dora" in export.text
    for path in ("", "etat", "bilan", "export/stagiaires.csv", "stagiaire/dora"):
        refused = service.page(path, Service.LEARNER)
        assert refused.status_code == 403, path
        assert "dora" not in refused.text and "groupe « formateurs »" in refused.text
        anonymous = service.page(path, None)
        assert anonymous.status_code == 302, path
        assert anonymous.headers["Location"].startswith("/hub/api/oauth2/authorize")


def test_a_reset_is_asked_then_done_by_the_learners_kernel(service):
    service.send("dora-token", {"statuses": {INTRO: "done"}})
    asked = service.page(f"stagiaire/dora/repartir/{INTRO}", Service.FACILITATOR)
    assert asked.status_code == 200
    assert "la demande part vers le serveur du stagiaire" in asked.text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', asked.text).group(1)
    # Without the form's token, nothing is asked.
    forged = service.browser.post(f"{service.url}stagiaire/dora/repartir/{INTRO}", timeout=10)
    assert forged.status_code == 403
    assert service.room.pending("dora") == []
    done = service.browser.post(
        f"{service.url}stagiaire/dora/repartir/{INTRO}",
        data={"_xsrf": xsrf},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 303, done.text
    shown = service.page(done.headers["Location"].removeprefix(PREFIX), Service.FACILITATOR)
    assert "est demandée" in shown.text and "En attente de la page de « dora »" in shown.text
    assert service.send("emile-token", {}) == (200, {"repartir": []})
    assert service.send("dora-token", {"statuses": {INTRO: "done"}}) == (200, {"repartir": [INTRO]})
    assert "En attente" not in service.page("stagiaire/dora", Service.FACILITATOR).text


# ---------------------------------------------------------------- the kernel's side
def test_a_kernel_sends_its_row_and_resets_what_the_facilitator_asked(busy):
    sent: list[dict] = []
    answers = [{"repartir": [INTRO, "../learner", 3]}, {"repartir": []}]

    def send(url, token, body):
        assert url == "http://salle/services/datalab-salle/activite" and token == "jeton"
        sent.append(body)
        return answers.pop(0)

    link = roomlink.Link("http://salle/services/datalab-salle/", "jeton", send=send)
    link.workspace = busy
    assert link.send_now() == [INTRO]  # an unknown module or a path is not reset
    assert sent[0]["statuses"][INTRO] == "done"
    assert sent[1]["statuses"][INTRO] == "todo"  # sent again once reset
    assert course.progress(busy)[INTRO] == "todo"
    assert busy.load("training")["name"] == "Arbre"  # the rest of the work is kept


def test_a_change_of_the_learners_work_is_sent_soon_and_a_dead_service_costs_nothing(busy):
    import threading

    sent = threading.Event()
    calls = []

    def send(url, token, body):
        calls.append(body)
        if len(calls) == 1:
            raise OSError("the service does not answer")
        sent.set()
        return {}

    link = roomlink.Link("http://salle/", "jeton", send=send, heartbeat=60, quiet=0.05)
    link.follow(busy)  # sends at once: the service fails, nothing reaches the learner
    for _ in range(200):
        if calls:
            break
        time.sleep(0.05)
    assert len(calls) == 1
    busy.save("activity", {"module": "04", "at": "2026-12-06T09:00:00+00:00"})
    assert sent.wait(10), "the change was not sent"
    link.stop()
    assert calls[-1]["current"] == "04"


def test_nothing_is_sent_outside_a_hub_with_a_room_service(busy, monkeypatch):
    monkeypatch.delenv(roomlink.URL_ENV, raising=False)
    monkeypatch.setenv(roomlink.TOKEN_ENV, "jeton")
    assert roomlink.follow(busy) is None
    monkeypatch.setenv(roomlink.URL_ENV, "http://salle/")
    monkeypatch.delenv(roomlink.TOKEN_ENV)
    assert roomlink.follow(busy) is None


def test_the_service_never_lets_every_hub_user_in_when_no_scope_is_said():
    hub = fake_hub()
    hub.access_scopes = set()
    hubroom.make_app(PREFIX, hub)
    assert hub.access_scopes == {SCOPE}
