"""The ``datalab`` command. Each sub-command lives in a module of :mod:`labkit.commands` that
defines ``register(subparsers)``; this file only gathers them."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from labkit import __version__, commands
from labkit.errors import DatalabError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datalab",
        description="Datalab : atelier d’apprentissage automatique sur petites données.",
    )
    parser.add_argument("--version", action="version", version=f"datalab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except DatalabError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
