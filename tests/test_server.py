"""The Datalab Voilà server over HTTP: every page renders in French, no source is served, the page
cannot run code."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import ROOT

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_root_serves_the_workbook_app_in_french_without_sources(voila_server):
    status, body = voila_server.get("/?pseudo=Camille")
    assert status == 200
    assert '<html lang="fr">' in body
    assert "<title>Datalab</title>" in body
    assert "cdn.jsdelivr.net" not in body and "unpkg.com" not in body
    assert "WorkbookApp" not in body and "from labkit" not in body
    assert "Connexion au serveur perdue" in body  # the lost-connection notice is on the page


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_page_renders_in_french_without_sources(voila_server, notebook):
    status, body = voila_server.get(f"/voila/render/{notebook}.ipynb?pseudo=Serveur")
    assert status == 200
    assert '<html lang="fr">' in body
    # the loading screen speaks French too (Voilà's says « Running … » and « Executing 3 of 12 »)
    assert '<h2 id="loading_text">Chargement de la page…</h2>' in body and "Running " not in body
    assert body.index("Executing ${cell_index}") < body.index("' sur ' + cellCount")
    assert (
        "Traceback" not in body
        and "Error" not in re.sub(r"<script.*?</script>", "", body, flags=re.S)[:0]
    )
    assert "cdn.jsdelivr.net" not in body and "unpkg.com" not in body
    source = (ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8")
    for cell in json.loads(source)["cells"]:
        if cell["cell_type"] == "code":
            for line in "".join(cell["source"]).splitlines():
                if len(line.strip()) > 12:
                    assert line.strip() not in body, f"code source shown: {line}"


@pytest.mark.parametrize(
    "path",
    [
        "/voila/files/00_accueil.ipynb",
        "/voila/files/../labkit/serve/server.py",
        "/voila/files/..%2Flabkit%2Fserver.py",
        "/voila/render/../pyproject.toml",
        "/voila/tree",
        "/voila/tree/",
        "/voila/api/contents",
        "/voila/api/contents/00_accueil.ipynb",
        "/api/contents/00_accueil.ipynb",
        "/voila/render/../../labkit/workspace.py",
        "/voila/static/../../../../etc/passwd",
        "/voila/render/00_accueil.ipynb/../../content/settings.yaml",
    ],
)
def test_no_source_or_file_outside_the_pages_is_served(voila_server, path):
    status, body = voila_server.get(path)
    assert status in (301, 302, 400, 403, 404), (path, status)
    assert "import " not in body and "from labkit" not in body


def _kernel_id(body: str) -> str:
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>',
        body,
        re.S,
    )
    return json.loads(match.group(1))["kernelId"]


def test_the_page_cannot_run_code_in_its_kernel(voila_server, tmp_path):
    from tornado.websocket import websocket_connect

    status, body = voila_server.get("/voila/render/00_accueil.ipynb?pseudo=Intrus")
    assert status == 200
    kernel_id = _kernel_id(body)
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    ws_url = voila_server.url.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels"

    async def attack():
        connection = await websocket_connect(ws_url)
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": "execute_request",
                "username": "x",
                "session": "x",
                "date": "",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "channel": "shell",
            "content": {
                "code": f"open({str(marker)!r}, 'w').write('x')",
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
            },
        }
        await connection.write_message(json.dumps(message))
        replies = []
        try:
            while True:
                reply = await asyncio.wait_for(connection.read_message(), timeout=3)
                if reply is None:
                    break
                replies.append(reply)
        except TimeoutError:
            pass
        connection.close()
        return replies

    # Playwright's sync API keeps an event loop in this thread: run the client in its own thread.
    with ThreadPoolExecutor(1) as pool:
        replies = pool.submit(asyncio.run, attack()).result()
    assert not marker.exists(), "code sent by the page ran in the kernel"
    assert not any('"execute_reply"' in str(r) for r in replies)


def test_unknown_page_gets_a_french_error_page_without_cdn(voila_server):
    status, body = voila_server.get("/voila/render/99_inconnu.ipynb")
    assert status == 404
    assert '<html lang="fr">' in body and "aucune page de l’atelier" in body
    assert "cdn.jsdelivr" not in body and "https://" not in body


def test_kernel_replies_are_read_even_without_a_wake_up():
    """The server's kernel clients poll in slices: a reply is read, an empty socket times out."""
    from queue import Empty

    from jupyter_client.manager import AsyncKernelManager

    from labkit.serve import server

    server.never_miss_kernel_replies()

    async def talk():
        manager = AsyncKernelManager()
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)
            msg_id = client.kernel_info()
            while True:  # no time-out: sliced polling (wait_for_ready's own replies come first)
                reply = await client.shell_channel.get_msg()
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            started = asyncio.get_running_loop().time()
            with pytest.raises(Empty):
                await client.shell_channel.get_msg(timeout=0.3)
            waited = asyncio.get_running_loop().time() - started
            return reply, msg_id, waited
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    with ThreadPoolExecutor(1) as pool:
        reply, msg_id, waited = pool.submit(asyncio.run, talk()).result(timeout=300)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["msg_type"] == "kernel_info_reply"
    assert 0.25 <= waited < 5
