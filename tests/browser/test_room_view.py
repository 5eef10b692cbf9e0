"""The facilitator's room view (/animation) on a real server, in Chromium.

Three learners prepared on disk (one stuck on an error, one who finished module 01, one idle) and
one real learner driving the workbook app: the view refuses without the secret (403, no pseudonym)
and with a wrong one, opens with the right one (the secret leaves the address and never reaches the
server's log), follows the real learner without a reload (module switch, then a quiz answer),
exports neutralised CSV, resets one module after a confirmation, and passes axe.

Set ``DATALAB_GUIDE_SHOTS=1`` to write the guide's screenshots (facilitator-guide/docs/img/).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import ROOT, assert_accessible

from labkit.course import quiz
from labkit.learner import activity, course
from labkit.serve.devserver import start_server, stop_server
from labkit.workspace import Workspace

pytestmark = pytest.mark.browser

TOKEN = "salle-jeton-de-test-4f7c2a"
WRONG = "mauvais-jeton-9d1e"
SLOW_MS = 180_000
INTRO = "01_introduction"
SHOTS = ROOT / "facilitator-guide" / "docs" / "img"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_server(
        tmp_path_factory.mktemp("room"),
        pool_size=0,
        room=1,
        extra_env={"DATALAB_FACILITATOR_TOKEN": TOKEN},
    )
    prepare_learners(server.workspace_root)
    yield server
    stop_server(server)
    log = server.log()
    assert TOKEN not in log and WRONG not in log and "jeton=" not in log


def prepare_learners(root: Path) -> None:
    stuck = Workspace.open("Camille", root)
    course.set_status(stuck, "03_donnees", "in_progress")
    activity.note_activity(stuck, "03")
    activity.note_message(
        stuck,
        "03_donnees",
        "error",
        "Le fichier « =inscriptions.csv » ne se lit pas : ce n’est pas un tableau CSV.",
    )
    stuck.save("dataset", {"source": "upload", "name": '=HYPERLINK("http://x")'})
    done = Workspace.open("Dominique", root)
    bank = quiz.load_bank(INTRO)
    for problem in bank.problems[:3]:
        right = problem.answer if hasattr(problem, "answer") else ""
        course.record_answer(done, INTRO, problem, right, problem.check(right))
    course.set_status(done, "00_accueil", "done")
    course.set_status(done, INTRO, "done")
    done.save("dataset", {"source": "catalogue", "dataset_id": "x", "name": "Cantines scolaires"})
    done.save("training", {"name": "Forêt aléatoire", "metric": "accuracy", "test_score": 0.84})
    activity.note_activity(done, "02")
    idle = Workspace.open("Sacha", root)
    course.set_status(idle, "00_accueil", "in_progress")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    idle.save(activity.ACTIVITY_KEY, {"module": "00", "at": long_ago})
    stamp = (dt.datetime.now() - dt.timedelta(hours=1)).timestamp()
    for path in idle.folder.glob("*.json"):
        os.utime(path, (stamp, stamp))


@pytest.fixture
def context(browser, server):
    context = browser.new_context(
        locale="fr-FR", accept_downloads=True, viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(SLOW_MS)
    yield context
    context.close()


def get(server, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def enter(page, server) -> None:
    page.goto(f"{server.url}/animation?jeton={TOKEN}")
    page.get_by_role("heading", name="Suivre la salle", level=1).wait_for()


def learner_row(page, pseudonym: str):
    return page.locator(
        "#salle tbody tr", has=page.get_by_role("rowheader", name=pseudonym, exact=True)
    )


@pytest.mark.parametrize(
    "path",
    [
        "/animation",
        "/animation/",
        "/animation/etat",
        "/animation/bilan",
        "/animation/export/stagiaires.csv",
        "/animation/stagiaire/camille",
        "/animation/stagiaire/camille/repartir/01_introduction",
        f"/animation?jeton={WRONG}",
    ],
)
def test_without_the_secret_403_in_french_and_no_pseudonym(server, path):
    status, body = get(server, path)
    assert status == 403
    assert "Accès réservé à l’équipe d’animation" in body and '<html lang="fr">' in body
    for name in ("Camille", "Dominique", "Sacha", "camille"):
        assert name not in body
    if "jeton=" in path:
        assert "Ce jeton n’est pas le bon." in body


def test_wrong_secret_in_the_form_then_right_one(context, server):
    page = context.new_page()
    page.goto(f"{server.url}/animation")
    assert_accessible(page)
    page.get_by_label("Jeton d’animation").fill(WRONG)
    page.get_by_role("button", name="Entrer").click()
    page.get_by_text("Ce jeton n’est pas le bon.").wait_for()
    assert "Camille" not in page.content()
    page.get_by_label("Jeton d’animation").fill(TOKEN)
    page.get_by_role("button", name="Entrer").click()
    page.get_by_role("heading", name="Suivre la salle", level=1).wait_for()
    assert page.url == f"{server.url}/animation"


def test_the_room_with_the_right_secret(context, server):
    page = context.new_page()
    enter(page, server)
    assert page.url == f"{server.url}/animation"  # the secret left the address bar
    cookie = next(c for c in context.cookies() if c["name"] == "datalab_animation")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and TOKEN not in cookie["value"]
    expect(learner_row(page, "Camille")).to_contain_text("Bloqué")
    expect(learner_row(page, "Camille")).to_contain_text("ne se lit pas")
    expect(learner_row(page, "Dominique")).to_contain_text("Actif")
    expect(learner_row(page, "Dominique")).to_contain_text("Forêt aléatoire (exactitude : 0,84)")
    expect(learner_row(page, "Dominique")).to_contain_text("2/7")
    expect(learner_row(page, "Sacha")).to_contain_text("Inactif")
    expect(learner_row(page, "Sacha")).to_contain_text("il y a 1 h")
    modules_table = page.get_by_role("table", name="Pour chaque module", exact=False)
    expect(modules_table).to_contain_text("01 · Introduction à l’IA")
    questions = page.get_by_role("table", name="du premier coup", exact=False)
    expect(questions).to_contain_text(quiz.load_bank(INTRO).problems[0].prompt)
    assert_accessible(page)
    if os.environ.get("DATALAB_GUIDE_SHOTS"):
        page.screenshot(path=str(SHOTS / "salle.png"), full_page=True)
    page.goto(f"{server.url}/animation/bilan")
    page.get_by_role("heading", name="Résumé de la salle", exact=False).wait_for()
    assert_accessible(page)


def test_live_update_after_a_module_switch_and_a_quiz(context, server):
    facilitator = context.new_page()
    enter(facilitator, server)
    facilitator.evaluate("() => { window.notReloaded = true; }")
    learner = context.new_page()
    learner.goto(server.app_url("Lou Direct", "00"), wait_until="commit", timeout=SLOW_MS)
    learner.locator('[data-dl-module="00"]').wait_for(state="visible")
    row = learner_row(facilitator, "Lou Direct")
    expect(row).to_contain_text("Accueil", timeout=60_000)
    learner.evaluate("() => { location.hash = '#01'; }")
    root = learner.locator('[data-dl-module="01"]')
    root.wait_for(state="visible")
    expect(row.locator("td").nth(1)).to_contain_text("01 · Introduction à l’IA", timeout=60_000)
    button = root.locator(".dl-next-step-button")
    while button.count():
        before = root.locator(".dl-narrative-cell").count()
        button.first.click()
        expect(root.locator(".dl-narrative-cell")).not_to_have_count(before)
    question = root.locator(".dl-quiz-question").first
    question.locator("input[type=radio]").first.check()
    question.get_by_role("button", name="Vérifier").click()
    expect(row).to_contain_text("01 : ", timeout=60_000)
    assert facilitator.evaluate("() => window.notReloaded === true")
    assert Workspace.open("Lou Direct", server.workspace_root).load("quiz")[INTRO]


def test_csv_export_is_neutralised(context, server):
    page = context.new_page()
    enter(page, server)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Les stagiaires (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("salle-stagiaires-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "Pseudonyme;État" in text
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text.replace('"', "")
    assert "Camille" in text and "Dominique" in text
    for name in ("modules", "questions"):
        response = page.request.get(f"{server.url}/animation/export/{name}.csv")
        assert response.status == 200 and "text/csv" in response.headers["content-type"]


def test_reset_one_module_with_confirmation(context, server):
    page = context.new_page()
    enter(page, server)
    page.get_by_role("link", name="Dominique", exact=True).click()
    page.get_by_role("heading", name="Progression de « Dominique »").wait_for()
    assert_accessible(page)
    page.get_by_role(
        "link", name="Repartir de zéro sur le module 01 · Introduction à l’IA pour Dominique"
    ).click()
    page.get_by_role("heading", name="Repartir de zéro", exact=False).wait_for()
    assert_accessible(page)
    if os.environ.get("DATALAB_GUIDE_SHOTS"):
        page.screenshot(path=str(SHOTS / "salle-repartir.png"), full_page=True)
    workspace = Workspace.open("Dominique", server.workspace_root)
    assert course.progress(workspace)[INTRO] == "done"  # nothing before the confirmation
    # A POST without the form's _xsrf value is refused.
    refused = page.request.post(page.url, form={"x": "1"})
    assert refused.status == 403
    assert course.progress(workspace)[INTRO] == "done"
    page.get_by_role("button", name="Oui, repartir de zéro sur ce module").click()
    page.get_by_text("est remis à zéro", exact=False).wait_for()
    assert course.progress(workspace)[INTRO] == "todo"
    assert course.progress(workspace)["00_accueil"] == "done"
    assert course.quiz_answers(workspace, INTRO) == {}
    assert workspace.load("training")["name"] == "Forêt aléatoire"


def test_a_cookie_from_another_secret_is_refused(browser, server):
    context = browser.new_context(locale="fr-FR")
    try:
        context.add_cookies(
            [{"name": "datalab_animation", "value": "0" * 64, "url": f"{server.url}/animation"}]
        )
        page = context.new_page()
        response = page.goto(f"{server.url}/animation/etat")
        assert response.status == 403
        assert "Camille" not in page.content()
    finally:
        context.close()


def test_the_page_loads_nothing_from_outside(context, server):
    page = context.new_page()
    outside = []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None
    )
    enter(page, server)
    page.wait_for_timeout(6_000)  # one refresh at least
    assert outside == []
    assert json.loads(page.request.get(f"{server.url}/animation/etat").text())["html"]
