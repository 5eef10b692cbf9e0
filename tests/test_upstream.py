"""Every internal of another library that Datalab relies on is still there (``labkit.upstream``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labkit.upstream import PATCHES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_the_internal_is_still_there(patch):
    patch.check()


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name)
def test_the_library_has_an_upper_bound(patch):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    line = re.search(rf'^\s*"{re.escape(patch.library)}[^"]*"', pyproject, re.M)
    assert line, f"{patch.library} is not declared in pyproject.toml"
    assert "<" in line.group(0), f"{patch.library} has no upper bound: {line.group(0)}"


def test_a_check_fails_when_the_internal_is_gone(monkeypatch):
    from jupyter_client.channels import AsyncZMQSocketChannel

    patch = next(p for p in PATCHES if p.library == "jupyter_client")
    monkeypatch.setattr(AsyncZMQSocketChannel, "_recv", None)
    with pytest.raises(AssertionError):
        patch.check()
