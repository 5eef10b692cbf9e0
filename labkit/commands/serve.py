"""``datalab start`` (the workbook for trainees) and ``datalab lab`` (JupyterLab for facilitators)."""

from __future__ import annotations

import os
import secrets
import sys

from labkit import paths


def register(subparsers) -> None:
    start = subparsers.add_parser("start", help="démarrer l’atelier (pages Voilà)")
    start.add_argument("--port", type=int, default=8866, help="port du serveur (8866 par défaut)")
    start.add_argument(
        "--host",
        default="127.0.0.1",
        help="adresse d’écoute (127.0.0.1 par défaut ; 0.0.0.0 pour une salle)",
    )
    start.add_argument("--no-browser", action="store_true", help="ne pas ouvrir le navigateur")
    start.add_argument(
        "--room",
        type=int,
        default=1,
        help="stagiaires attendus en même temps : autant de pages prêtes d’avance (1 par défaut)",
    )
    start.add_argument(
        "--pool-size",
        type=int,
        default=0,
        help="pages prêtes d’avance pour chaque module ouvert seul (0 par défaut)",
    )
    start.add_argument(
        "--facilitator-token",
        default=None,
        help="jeton de la page d’animation /animation (sinon DATALAB_FACILITATOR_TOKEN, sinon tiré au sort)",
    )
    start.set_defaults(handler=run_start)

    lab = subparsers.add_parser("lab", help="ouvrir JupyterLab sur les notebooks (formateurs)")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--host", default="127.0.0.1")
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(handler=run_lab)


def run_start(args) -> int:
    from labkit import messages
    from labkit.serve.roomview import MIN_TOKEN_LENGTH
    from labkit.serve.server import serve

    address = f"http://{args.host if args.host != '0.0.0.0' else 'localhost'}:{args.port}"
    print(f"Datalab : {address}/  (Ctrl+C pour arrêter)")
    if args.room < 1 or args.room > 200 or args.pool_size < 0 or args.pool_size > 50:
        print("--room va de 1 à 200 et --pool-size de 0 à 50.", file=sys.stderr)
        return 2
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
    print("\nDatalab est arrêté. Le travail des stagiaires est enregistré.")
    return 0


def run_lab(args) -> int:
    from labkit.serve.server import template_environment

    env = {**os.environ, **template_environment()}
    env.setdefault("DATALAB_ROOT", str(paths.project_root()))
    env.setdefault("DATALAB_PSEUDONYM", "formateur")
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--notebook-dir={paths.project_root()}",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.ip={args.host}",
        "--LabApp.default_url=/lab/tree/notebooks/00_accueil.ipynb",
    ]
    if args.no_browser:
        argv.append("--no-browser")
    if os.geteuid() == 0:
        argv.append("--allow-root")
    os.execve(sys.executable, argv, env)
    return 0  # pragma: no cover
