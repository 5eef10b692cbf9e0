"""The lock files of exact versions follow pyproject.toml (refresh them with ./datalab.sh lock)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pinned(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


@pytest.mark.parametrize("lock, extras", [("run", []), ("test", ["test"])])
def test_every_declared_dependency_is_pinned(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    pins = _pinned(ROOT / "requirements" / f"{lock}.txt")
    missing = [_name(r) for r in wanted if _name(r) not in pins]
    assert not missing, f"not in requirements/{lock}.txt (run ./datalab.sh lock): {missing}"


def test_every_environment_installs_from_the_lock():
    assert "requirements/$1.txt" in (ROOT / "datalab.sh").read_text(encoding="utf-8")
    assert "../requirements/run.txt" in (ROOT / "binder" / "requirements.txt").read_text(
        encoding="utf-8"
    )
    assert "requirements/run.txt" in (ROOT / "deploy" / "tljh" / "README.md").read_text(
        encoding="utf-8"
    )
