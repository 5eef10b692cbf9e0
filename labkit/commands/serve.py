"""``datalab start`` (the workbook for trainees) and ``datalab lab`` (JupyterLab for facilitators)."""

from __future__ import annotations

import os
import secrets
import socket
import sys

from labkit import messages


def _t(key: str, **fields) -> str:
    return messages.text(f"cli.{key}", **fields)


def register(subparsers) -> None:
    start = subparsers.add_parser("start", help=_t("start_help"))
    start.add_argument("--port", type=int, default=8866, help=_t("start_port_help"))
    start.add_argument("--host", default="127.0.0.1", help=_t("start_host_help"))
    start.add_argument("--no-browser", action="store_true", help=_t("start_no_browser_help"))
    start.add_argument("--room", type=int, default=1, help=_t("start_room_help"))
    start.add_argument("--pool-size", type=int, default=0, help=_t("start_pool_size_help"))
    start.add_argument("--facilitator-token", default=None, help=_t("start_token_help"))
    start.set_defaults(handler=run_start)

    lab = subparsers.add_parser("lab", help=_t("lab_help"))
    lab.add_argument("--port", type=int, default=8888, help=_t("lab_port_help"))
    lab.add_argument("--host", default="127.0.0.1", help=_t("lab_host_help"))
    lab.add_argument("--no-browser", action="store_true", help=_t("start_no_browser_help"))
    lab.set_defaults(handler=run_lab)


def port_in_use(host: str, port: int) -> bool:
    """Is ``port`` already taken on ``host`` (another Datalab, another program)? Checked before
    anything is printed, so that no address or secret of a server that never starts is shown."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, port))
    except OSError:
        return True
    return False


def _refuse_busy_port(args, command: str) -> bool:
    """Say in French that the port is taken and how to choose another; True when it is."""
    if not port_in_use(args.host, args.port):
        return False
    other = args.port + 1
    print(_t("port_busy", port=args.port, command=command, other=other), file=sys.stderr)
    return True


def run_start(args) -> int:
    from labkit.serve.roomview import MIN_TOKEN_LENGTH
    from labkit.serve.server import serve

    if args.room < 1 or args.room > 200 or args.pool_size < 0 or args.pool_size > 50:
        print(_t("start_bad_sizes"), file=sys.stderr)
        return 2
    if _refuse_busy_port(args, "./datalab.sh start"):
        return 2
    address = f"http://{args.host if args.host != '0.0.0.0' else 'localhost'}:{args.port}"
    print(_t("start_address", address=address), _t("start_stop_hint"), sep="  ")
    from labkit.workspace import legacy_root

    legacy = legacy_root()
    if legacy is not None:  # work saved before each copy had its own folder
        print(_t("start_legacy_workspace", folder=legacy))
    token = args.facilitator_token or os.environ.get("DATALAB_FACILITATOR_TOKEN") or ""
    if token and len(token) < MIN_TOKEN_LENGTH:
        print(messages.text("room.start_token_short", min=MIN_TOKEN_LENGTH), file=sys.stderr)
        return 2
    if token:  # chosen by the facilitator: never printed
        print(messages.text("room.start_address_given", url=f"{address}/animation"))
    else:
        token = secrets.token_urlsafe(18)
        print(messages.text("room.start_address", url=f"{address}/animation?jeton={token}"))
    serve(
        port=args.port,
        host=args.host,
        open_browser=not args.no_browser,
        pool_size=args.pool_size,
        room=args.room,
        facilitator_token=token,
    )
    print()
    print(_t("start_stopped"))
    return 0


def run_lab(args) -> int:
    from labkit.serve.jupyter import APP_PAGE, lab

    if _refuse_busy_port(args, "datalab lab"):
        return 2
    address = f"http://{args.host if args.host != '0.0.0.0' else 'localhost'}:{args.port}"
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    print(_t("lab_address", url=f"{address}/lab?token={token}"), _t("start_stop_hint"), sep="  ")
    print(_t("lab_app_address", url=f"{address}/{APP_PAGE}?token={token}"))
    lab(port=args.port, host=args.host, open_browser=not args.no_browser, token=token)
    print()
    print(_t("lab_stopped"))
    return 0
