"""A real JupyterHub on this machine, with Datalab's hub settings (deploy/tljh/jupyterhub_config.d),
started by ``hubserver.start_hub``. Three users log in in Chromium and land on the Voilà
home page; two save a project choice, the third finds nothing of theirs even when typing another
user's pseudonym, and cannot open another user's server; the server of a user who left is culled.
All along, the pages ask nothing of another machine than the hub, and the app's pages log no
console error (before issue 26, Voilà asked cdnjs.cloudflare.com for MathJax). A facilitator of the
« formateurs » group follows two learners through modules on the hub's room service and resets a
module, which the learner's own kernel does; a learner is refused the service (403).
"""

from __future__ import annotations

import json
import time

import pytest
from hubserver import (
    CULL_TIMEOUT,
    HOME_PATH,
    PASSWORD,
    SALLE,
    START_TIMEOUT,
    Hub,
    HubFailed,
    start_hub,
    stop,
)
from outside import watch
from playwright.sync_api import expect
from support import go_to_module, kernel_id_of, wait_until_rendered

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Hub:
    try:
        hub = start_hub(tmp_path_factory.mktemp("hub"))
    except HubFailed as exc:
        pytest.fail(str(exc))
    yield hub
    stop(hub.process)


@pytest.fixture
def chromium(browser):
    """The session's Chromium (one Playwright per test session: its loop is shared)."""
    return browser


def log_in(chromium, hub: Hub, name: str, pseudonym: str | None = None):
    """A user opens the hub (the home page's link if ``pseudonym`` is given, else the login page)
    and logs in; the hub starts their server. Returns without waiting for it."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(START_TIMEOUT * 1000)
    context.seen = watch(context, hub.url)  # what its pages ask of other machines
    page = context.new_page()
    if pseudonym:
        # The link a facilitator gives the whole room: the hub sends each user to their server.
        link = f"{hub.url}/hub/user-redirect/{HOME_PATH}?pseudo={pseudonym}"
        page.goto(link, wait_until="commit")
        page.wait_for_url("**/hub/login*")
    else:
        page.goto(f"{hub.url}/hub/login", wait_until="commit")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]", no_wait_after=True)
    return context, page


def landed(page, name: str) -> None:
    """Wait until the user's server has started and their home page is usable."""
    page.wait_for_url(
        f"**/user/{name}/{HOME_PATH}*", wait_until="commit", timeout=START_TIMEOUT * 1000
    )
    wait_until_rendered(page, timeout=START_TIMEOUT * 1000)


def assert_nothing_from_outside(context) -> None:
    """The context's pages asked nothing of another machine than the hub, and the app's pages
    (Voilà's, ``/voila/render/``) logged no console error."""
    assert context.seen.outside == [], f"requests outside the machine: {context.seen.outside}"
    errors = context.seen.errors_on("/voila/render/")
    assert errors == [], errors


def projects(hub: Hub, name: str) -> list[str]:
    """The learners who started a project of their own in this user's workspace."""
    folder = hub.workspace(name) / "learners"
    return sorted({p.parents[2].name for p in folder.glob("*/projects/*/project.json")})


def open_home(page, name: str, pseudonym: str, hub: Hub) -> None:
    page.goto(f"{hub.url}/user/{name}/{HOME_PATH}?pseudo={pseudonym}", wait_until="commit")
    wait_until_rendered(page, timeout=START_TIMEOUT * 1000)


@pytest.mark.timeout(900)
def test_three_users_work_apart_and_a_user_who_leaves_is_culled(hub, chromium):
    # Three users log in at once: Alice on the hub's login page (she lands on the default URL),
    # Bruno and Chloé through the home page's link given by the facilitator.
    alice_context, alice = log_in(chromium, hub, "alice")
    bruno_context, bruno = log_in(chromium, hub, "bruno", "bruno")
    chloe_context, chloe = log_in(chromium, hub, "chloe", "chloe")
    for name, page in (("alice", alice), ("bruno", bruno), ("chloe", chloe)):
        landed(page, name)
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_text("Vous travaillez sous le pseudonyme").wait_for()
        assert page.locator(".dl-page strong", has_text=name).count() >= 1
        page.wait_for_load_state("load")  # Voilà loads MathJax once the page has loaded
    chloe.wait_for_timeout(1500)
    for context in (alice_context, bruno_context, chloe_context):
        assert_nothing_from_outside(context)

    # Alice starts her own project, then leaves: her server is idle from now on.
    alice.get_by_label("Titre du nouveau projet").fill("Projet d’Alice")
    alice.get_by_role("button", name="Créer ce projet").click()
    alice.get_by_text("Projet créé et ouvert").first.wait_for()
    alice_context.close()
    left_at = time.monotonic()
    assert projects(hub, "alice") == ["alice"], "alice's work is not in her own folder"

    # Bruno saves his own project and finds it again at the address with his pseudonym.
    bruno.get_by_label("Titre du nouveau projet").fill("Prévoir les inscriptions")
    bruno.get_by_role("button", name="Créer ce projet").click()
    bruno.get_by_text("Projet créé et ouvert").first.wait_for()
    left = kernel_id_of(bruno)
    response = bruno.goto(f"{hub.url}/user/bruno/{HOME_PATH}?pseudo=bruno", wait_until="commit")
    assert response.status == 200
    wait_until_rendered(bruno, timeout=START_TIMEOUT * 1000)
    bruno.locator(".dl-project-line", has_text="Prévoir les inscriptions").first.wait_for()
    # Leaving the first page shut its kernel down: one open page, its kernel and the one kept
    # ahead for the next page.
    deadline = time.monotonic() + 60
    while left in hub.kernels("bruno") and time.monotonic() < deadline:
        time.sleep(1)
    assert left not in hub.kernels("bruno"), "the kernel of the page Bruno left is still running"
    assert kernel_id_of(bruno) in hub.kernels("bruno")
    assert len(hub.kernels("bruno")) == 2, hub.kernels("bruno")
    assert_nothing_from_outside(bruno_context)

    # Chloé types Alice's pseudonym: her server only knows her own folder, so nothing shows.
    open_home(chloe, "chloe", "alice", hub)
    chloe.get_by_text("Vous travaillez sous le pseudonyme").wait_for()
    chloe.locator(".dl-project-line", has_text="projet d’exemple").first.wait_for()
    assert chloe.get_by_text("Projet d’Alice").count() == 0
    assert_nothing_from_outside(chloe_context)
    # Nor can she open Bruno's server.
    response = chloe.goto(f"{hub.url}/user/bruno/{HOME_PATH}", wait_until="commit")
    reached = response is not None and response.status == 200 and "/user/bruno/" in chloe.url
    assert not reached, f"chloe reached bruno's server: {chloe.url}"
    assert chloe_context.seen.outside == [], chloe_context.seen.outside
    bruno_context.close()
    chloe_context.close()

    # Each user's work is in their own home folder, and only theirs.
    assert projects(hub, "alice") == ["alice"]
    assert projects(hub, "bruno") == ["bruno"]
    assert projects(hub, "chloe") == []

    # The idle culler stops Alice's server.
    deadline = left_at + CULL_TIMEOUT + 90
    while hub.server_state("alice") is not None and time.monotonic() < deadline:
        time.sleep(2)
    assert hub.server_state("alice") is None, "the server of a user who left is still running"


def row_of(page, name: str):
    """A learner's row in the room view's table of learners."""
    return page.locator("#salle tr", has=page.get_by_role("link", name=name, exact=True))


@pytest.mark.timeout(900)
def test_a_facilitator_follows_two_learners_across_the_hub(hub, chromium):
    """Issue 26, part 3: Fanny, in the « formateurs » group, watches Dora and Émile move through
    modules on the hub's room service (each learner's own kernel sends its row; the service reads
    nobody's folder), and asks a reset that Dora's kernel does in her own folder; Émile, a learner,
    is refused the service (403). No page asks anything of another machine."""
    dora_context, dora = log_in(chromium, hub, "dora", "dora")
    emile_context, emile = log_in(chromium, hub, "emile", "emile")
    fanny_context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    fanny_context.set_default_timeout(START_TIMEOUT * 1000)
    fanny_context.seen = watch(fanny_context, hub.url)
    fanny = fanny_context.new_page()
    # The facilitator's link: the hub's login, then the room (no server of her own is started).
    fanny.goto(f"{hub.url}/hub/login?next=/{SALLE}", wait_until="commit")
    fanny.fill("input[name=username]", "fanny")
    fanny.fill("input[name=password]", PASSWORD)
    fanny.click("input[type=submit], button[type=submit]")
    fanny.get_by_role("heading", name="Suivre la salle", exact=True).wait_for()
    assert fanny.url.rstrip("/").endswith(SALLE.rstrip("/")), fanny.url
    assert hub.server_state("fanny") is None
    for name, page in (("dora", dora), ("emile", emile)):
        landed(page, name)

    # The room refreshes itself: both learners appear on the home page, then move.
    timeout = {"timeout": 90_000}
    expect(row_of(fanny, "dora")).to_contain_text("Accueil", **timeout)
    expect(row_of(fanny, "emile")).to_contain_text("Accueil", **timeout)
    go_to_module(dora, "01")
    go_to_module(emile, "02")
    expect(row_of(fanny, "dora")).to_contain_text("01 · Introduction à l’IA", **timeout)
    expect(row_of(fanny, "emile")).to_contain_text("02 · Cadrer le problème", **timeout)
    go_to_module(dora, "03")
    expect(row_of(fanny, "dora")).to_contain_text("03 · Trouver les données", **timeout)
    # The same room in the exports.
    export = fanny.request.get(f"{hub.url}/{SALLE}export/stagiaires.csv")
    assert export.status == 200 and "dora" in export.text() and "emile" in export.text()

    # « Repartir de zéro » on Dora's module 01: asked here, done by Dora's own kernel.
    row_of(fanny, "dora").get_by_role("link", name="dora", exact=True).click()
    module_01 = fanny.locator("tr", has_text="01 · Introduction à l’IA")
    expect(module_01).to_contain_text("En cours")
    module_01.get_by_role("link", name="Repartir de zéro").click()
    fanny.get_by_role("button", name="Oui, repartir de zéro sur ce module").click()
    fanny.get_by_text("est demandée").wait_for()
    deadline = time.monotonic() + 90
    while "En cours" in module_01.inner_text() and time.monotonic() < deadline:
        fanny.wait_for_timeout(2000)
        fanny.reload()
    expect(module_01).to_contain_text("Pas commencé", timeout=1000)
    assert fanny.get_by_text("En attente de la page").count() == 0
    progress = hub.workspace("dora") / "learners" / "dora" / "progress.json"
    stored = json.loads(progress.read_text(encoding="utf-8"))["data"]
    assert stored["01_introduction"]["status"] == "todo"

    # A learner cannot open the room.
    response = emile.goto(f"{hub.url}/{SALLE}", wait_until="load")
    assert response is not None and response.status == 403, emile.url
    assert "dora" not in emile.content()
    for context in (dora_context, emile_context, fanny_context):
        assert_nothing_from_outside(context)
        context.close()
