"""The ``datalab`` command. Each sub-command lives in a module of :mod:`labkit.commands` that
defines ``register(subparsers)``; this file only gathers them."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from labkit import __version__, commands, messages
from labkit.errors import DatalabError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datalab",
        description=messages.text("cli.description"),
    )
    parser.add_argument("--version", action="version", version=f"datalab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(subparsers)
    return parser


def _skip_iri_grammar() -> None:
    """jsonschema checks the ``iri`` format with rfc3987_syntax when it is installed, and importing
    that module compiles its grammars: about 1 s of CPU before any ``dataset`` command could start.
    Nothing here validates IRIs (frictionless validates descriptors without a format checker, and
    the ``iri`` format is only checked through one), so that module is left out, as in the pages
    (``labkit/ui/__init__.py``). A process that already imported it keeps it."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    _skip_iri_grammar()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except DatalabError as error:
        print(messages.text("cli.error", error=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
