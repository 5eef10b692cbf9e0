"""``datalab bundle export|import``: carry a learner's model, recipe, report and sheets between
workspaces (or machines) as one checked ZIP file."""

from __future__ import annotations

from pathlib import Path

from labkit import messages


def register(subparsers) -> None:
    parser = subparsers.add_parser("bundle", help=messages.text("report.cli_bundle_help"))
    actions = parser.add_subparsers(dest="bundle_action", metavar="ACTION", required=True)

    export = actions.add_parser("export", help=messages.text("report.cli_export_help"))
    export.add_argument("--pseudo", required=True, help=messages.text("report.cli_pseudo_help"))
    export.add_argument("--out", required=True, help=messages.text("report.cli_out_help"))
    export.set_defaults(handler=run_export)

    load = actions.add_parser("import", help=messages.text("report.cli_import_help"))
    load.add_argument("file", help=messages.text("report.cli_file_help"))
    load.add_argument("--pseudo", required=True, help=messages.text("report.cli_pseudo_help"))
    load.set_defaults(handler=run_import)


def _size(count: int) -> str:
    from labkit.model.display import number

    return f"{number(count / 1024, 3)} ko" if count < 2**20 else f"{number(count / 2**20, 3)} Mo"


def run_export(args) -> int:
    from labkit.learner.bundle import export_bundle
    from labkit.workspace import Workspace, atomic_write

    workspace = Workspace.open(args.pseudo)
    data = export_bundle(workspace)
    path = Path(args.out).expanduser()
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise messages.error("workspace.not_writable", path=str(path.parent)) from exc
    import io
    import zipfile

    count = len(zipfile.ZipFile(io.BytesIO(data)).namelist())
    print(messages.text("report.cli_exported", path=str(path), count=count, size=_size(len(data))))
    return 0


def run_import(args) -> int:
    from labkit.learner.bundle import import_bundle
    from labkit.workspace import Workspace

    path = Path(args.file).expanduser()
    try:
        data = path.read_bytes()
    except OSError:
        raise messages.error("report.cli_file_missing", path=str(path)) from None
    workspace = Workspace.open(args.pseudo)
    result = import_bundle(workspace, data)
    print(result.message)
    return 0
