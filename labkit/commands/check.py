"""``datalab check``: is this machine ready for a workshop?"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="vérifier que tout est prêt (une ligne OK / FIX par point)"
    )
    parser.set_defaults(handler=run)


def run(args) -> int:
    from labkit.course.checks import run_all

    results = run_all()
    for result in results:
        print(result.line())
    failed = [r for r in results if not r.ok]
    print()
    print("Tout est prêt." if not failed else f"{len(failed)} point(s) à corriger.")
    return 0 if not failed else 1
