"""The page's side of Voilà's request hand-over (labkit.ui.session.wait_for_request)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time

import pytest
from websockets.asyncio.server import serve

from labkit.serve.devserver import free_port
from labkit.ui import session


@pytest.fixture
def preheated(monkeypatch):
    port = free_port()
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return port


def run_server_later(port: int, delay: float, paths: list[str]) -> threading.Thread:
    """A Voilà-like query socket that starts listening only after ``delay`` seconds."""

    async def handler(websocket):
        paths.append(websocket.request.path)
        await websocket.send(json.dumps({"QUERY_STRING": "pseudo=Camille", "SERVER_PORT": "1"}))

    async def main():
        await asyncio.sleep(delay)
        async with serve(handler, "127.0.0.1", port):
            await asyncio.sleep(5)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    return thread


def test_outside_preheating_it_returns_at_once(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    start = time.monotonic()
    session.wait_for_request()
    assert time.monotonic() - start < 0.5


def test_the_request_arrives_even_when_the_server_is_slow_to_accept(preheated, monkeypatch):
    paths: list[str] = []
    run_server_later(preheated, delay=2.5, paths=paths)
    session.wait_for_request()
    assert paths == ["/voila/query/k-123"]
    assert os.environ["QUERY_STRING"] == "pseudo=Camille"


def test_without_a_server_it_gives_up_and_the_page_has_no_query_string(preheated, monkeypatch):
    monkeypatch.setattr(session, "REQUEST_WAIT_RETRIES", 1.5)
    start = time.monotonic()
    session.wait_for_request()
    assert 1.5 <= time.monotonic() - start < 10
    assert "QUERY_STRING" not in os.environ
