"""``datalab check``: is this machine ready for a workshop?"""

from __future__ import annotations

from labkit import messages


def register(subparsers) -> None:
    parser = subparsers.add_parser("check", help=messages.text("cli.check_help"))
    parser.set_defaults(handler=run)


def run(args) -> int:
    from labkit.course.checks import run_all
    from labkit.workspace import default_root

    results = run_all(default_root())
    for result in results:
        print(result.line())
    failed = [r for r in results if not r.ok]
    print()
    if failed:
        print(messages.text("cli.check_to_fix", count=len(failed)))
    else:
        print(messages.text("cli.check_all_ready"))
    return 0 if not failed else 1
