"""Every shell command the README and the facilitator guide show works as written.

Commands are taken from fenced ``bash`` blocks and from inline code that starts with
``./datalab.sh``, ``datalab `` or ``.venv/bin/``. Those that run quickly here are run exactly as
written (with a temporary ``DATALAB_WORKSPACE``); the others (start a server, install, the whole
test suite) are checked: the line parses (``bash -n``), the program exists, and for ``datalab`` and
``./datalab.sh`` the sub-command and every option exist.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "facilitator-guide" / "docs").rglob("*.md"))]
VENV_BIN = Path(sys.executable).parent
FENCE = re.compile(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", re.S | re.M)
INLINE = re.compile(r"`([^`]+)`")
PREFIXES = ("./datalab.sh ", "datalab ", ".venv/bin/")
PLACEHOLDER = re.compile(r"<[^>]+>|…|\b[A-Z]{3,}\b")
# Sub-commands quick enough to run here (a few seconds each), as written.
RUNNABLE = (("check",), ("dataset", "check"), ("dataset", "inspect"))
# Placeholders of the guide filled with real values, so that the template runs too.
EXAMPLES = {"<nom>": "creches"}


def _bash_lines(block: str) -> list[str]:
    """The commands of a bash block: continuation lines joined, comments dropped."""
    commands, current = [], ""
    for line in block.splitlines():
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        text = _strip_comment(current).strip()
        if text:
            commands.append(text)
        current = ""
    return commands


def _strip_comment(line: str) -> str:
    """``line`` without its trailing ``# comment`` (a ``#`` outside quotes, after a space)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def doc_commands() -> list[tuple[str, str]]:
    """``(where, command)`` for every command shown, deduplicated, in reading order."""
    found: dict[str, str] = {}
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for match in FENCE.finditer(text):
            if match.group(2) in ("bash", "sh", "shell"):
                for command in _bash_lines(match.group(3)):
                    found.setdefault(command, where)
        prose = FENCE.sub("", text)
        for match in INLINE.finditer(prose):
            command = " ".join(match.group(1).split())
            if command.startswith(PREFIXES) or command == "datalab":
                found.setdefault(command, where)
    return [(where, command) for command, where in found.items()]


COMMANDS = doc_commands()


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings}


def check_datalab_words(words: list[str]) -> tuple[str, ...]:
    """Assert that the sub-command path and each ``--option`` of ``datalab …`` exist; return the
    sub-command path."""
    parser, path = build_parser(), []
    for word in words:
        if word.startswith("-"):
            break
        children = _subparsers(parser)
        if not children:
            break
        assert word in children, f"« datalab {' '.join(path + [word])} » : sous-commande inconnue"
        parser, path = children[word], [*path, word]
    for word in words:
        if word.startswith("-") and word not in ("-", "--"):
            option = word.split("=", 1)[0]
            assert option in _options(parser), (
                f"« datalab {' '.join(path)} » n’a pas d’option {option}"
            )
    return tuple(path)


def datalab_sh_cases() -> set[str]:
    text = (ROOT / "datalab.sh").read_text(encoding="utf-8")
    body = text[text.index('case "$cmd" in') :]
    return set(re.findall(r"^  ([a-z]+)\)", body, re.M))


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATALAB_WORKSPACE"] = str(tmp_path / "espace")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("DATALAB_ROOT", None)
    return env


def _runnable(path: tuple[str, ...], words: list[str], command: str) -> bool:
    if PLACEHOLDER.search(command) or any(c in command for c in "|;&><$"):
        return False
    if "--help" in words or "-h" in words:
        return True
    try:  # a mention such as « datalab dataset check » (its folder left out) is not run
        build_parser().parse_args(words)
    except SystemExit:
        return False
    if path not in RUNNABLE:
        return False
    files = [w for w in words[len(path) :] if not w.startswith("-")]
    return all((ROOT / f).exists() for f in files)


def test_the_docs_show_the_commands_this_test_knows():
    shown = {command for _, command in COMMANDS}
    assert "./datalab.sh start" in shown
    assert "./datalab.sh guide" in shown
    assert ".venv/bin/datalab check" in shown
    assert not any("mkdocs build" in c for c in shown), "the guide is built by ./datalab.sh guide"


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_doc_command(where, command, tmp_path):
    bash = shutil.which("bash") or "/bin/bash"
    for placeholder, value in EXAMPLES.items():
        command = command.replace(placeholder, value)
    filled = re.sub(r"<([^>]+)>", r"\1", command)  # other placeholders: only checked
    syntax = subprocess.run([bash, "-n", "-c", filled], capture_output=True, text=True)
    assert syntax.returncode == 0, f"{where} : « {command} » : {syntax.stderr}"
    words = shlex.split(filled)
    if words[0] == "export":
        return
    program, args = words[0], words[1:]
    if program == "./datalab.sh":
        assert (ROOT / "datalab.sh").is_file()
        check = subprocess.run([bash, "-n", str(ROOT / "datalab.sh")], capture_output=True)
        assert check.returncode == 0
        assert args and args[0] in datalab_sh_cases(), f"{where} : « {command} »"
        if args[0] == "start":  # passed on to `datalab start`
            check_datalab_words(args)
        if args[0] == "guide" and args[1:]:
            assert args[1:2] == ["serve"], f"{where} : « {command} »"
        return
    if program in ("datalab", ".venv/bin/datalab"):
        assert (VENV_BIN / "datalab").is_file()
        path = check_datalab_words(args)
        if not _runnable(path, args, command):
            return
        result = subprocess.run(
            command,
            shell=True,
            executable=bash,
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{where} : « {command} »\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
        return
    if program.startswith(".venv/bin/"):
        assert (VENV_BIN / Path(program).name).exists(), f"{where} : « {command} »"
        if Path(program).name.startswith("python") and args and args[0].endswith(".py"):
            assert (ROOT / args[0]).is_file(), f"{where} : « {command} » : {args[0]} introuvable"
        return
    assert shutil.which(program) or (ROOT / program).exists(), f"{where} : « {command} »"
