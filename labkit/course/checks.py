"""``datalab check``: one OK / FIX line per thing the workbook needs, for the day before a workshop."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from labkit import messages, paths
from labkit.course import quiz
from labkit.course.modules import load_modules
from labkit.data import datapackage
from labkit.data.datapackage import check_dataset_folder
from labkit.errors import DatalabError
from labkit.model.problem import FAMILIES
from labkit.settings import (
    TEXT_NAMES,
    RunningExample,
    example_leftovers,
    example_words,
    load_settings,
)
from labkit.yamlfile import load_yaml, shown_path

PACKAGES = [
    "voila",
    "ipywidgets",
    "pandas",
    "sklearn",
    "plotly",
    "frictionless",
    "skops",
    "fairlearn",
    "yaml",
    "pyarrow",
    "openpyxl",
]
DISTRIBUTIONS = {"sklearn": "scikit-learn", "yaml": "PyYAML"}


def _t(key: str, **fields) -> str:
    """The French text ``check.<key>`` of ``labkit/messages/check.yaml``."""
    return messages.text(f"check.{key}", **fields)


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str = ""
    fix: str = ""
    # Not a fault, something to know: an activity the running example does not offer.
    info: bool = False
    nested: bool = False  # a detail of the line above it (drawn indented)

    def line(self) -> str:
        status = "FIX " if not self.ok else "INFO" if self.info else "OK  "
        text = f"{status} {'  ' if self.nested else ''}{self.label}"
        if self.detail:
            text += f" : {self.detail}"
        if not self.ok and self.fix:
            text += f"\n     → {self.fix}"
        return text


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check(
        "Python",
        sys.version_info >= (3, 11),
        version,
        _t("python_fix"),
    )


def check_packages() -> list[Check]:
    results = []
    for name in PACKAGES:
        dist = DISTRIBUTIONS.get(name, name)
        try:
            importlib.import_module(name)
            version = importlib.metadata.version(dist)
            results.append(Check(_t("package", name=dist), True, version))
        except Exception as exc:  # noqa: BLE001 - any import failure is reported
            results.append(
                Check(_t("package", name=dist), False, type(exc).__name__, _t("package_fix"))
            )
    return results


def check_content() -> list[Check]:
    label = _t("modules_label")
    try:
        modules = load_modules()
    except DatalabError as error:
        return [Check(label, False, str(error), _t("fix_file"))]
    results = [Check(label, True, _t("modules_count", count=len(modules)))]
    for module in modules:
        notebook = paths.notebooks_dir() / module.notebook
        detail, fix = _notebook_problem(notebook)
        results.append(Check(_t("notebook", name=module.notebook), not detail, detail, fix))
        if quiz.bank_path(module.id).is_file():
            label = _t("quiz", id=module.id)
            try:
                count = len(quiz.load_bank(module.id).problems)
                results.append(Check(label, True, _t("quiz_count", count=count)))
            except DatalabError as error:
                results.append(Check(label, False, str(error), _t("quiz_fix")))
    return results


def _notebook_problem(path: Path) -> tuple[str, str]:
    """What keeps a module notebook from being played, and what to do (("", "") when nothing):
    missing, not a notebook, or a cell meant for a kind of target that does not exist
    (``{"datalab": {"tasks": […]}}``, :mod:`labkit.ui.player`)."""
    fix = _t("notebook_fix", name=path.name)
    if not path.is_file():
        return _t("notebook_missing"), fix
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for number, cell in enumerate(cells, start=1):
            told = (cell.get("metadata") or {}).get("datalab") or {}
            tasks = told.get("tasks") or ()
            tasks = (tasks,) if isinstance(tasks, str) else tasks
            unknown = [str(task) for task in tasks if task not in FAMILIES]
            if unknown:
                detail = _t("notebook_tasks", number=number, tasks=", ".join(unknown))
                return detail, _t("notebook_tasks_fix", families=", ".join(FAMILIES))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError):
        return _t("notebook_unreadable"), fix
    return "", ""


def check_content_files() -> list[Check]:
    """Every YAML file of ``content/`` parses (one FIX line per broken file, with its line)."""
    folder = paths.content_dir()
    files = sorted(folder.rglob("*.yaml"))
    broken = []
    for path in files:
        try:
            load_yaml(path)
        except DatalabError as error:
            label = _t("content_file", path=shown_path(path))
            broken.append(Check(label, False, str(error), _t("content_file_fix")))
    if broken:
        return broken
    return [Check(_t("content_files"), True, _t("content_files_count", count=len(files)))]


def check_accessibility_statement() -> list[Check]:
    """``content/accessibilite.yaml`` reads, and its headline is what the home page will say."""
    from labkit.course import accessibility

    label = _t("accessibility_label")
    try:
        statement = accessibility.load_statement()
    except DatalabError as error:
        return [Check(label, False, str(error), _t("accessibility_fix"))]
    return [Check(label, True, accessibility.headline(statement))]


def check_running_example() -> list[Check]:
    """The running example of ``content/settings.yaml`` names a dataset that exists and one of its
    columns as target."""
    label = _t("example_label")
    try:
        example = load_settings().running_example
    except DatalabError as error:
        return [Check(label, False, str(error), _t("fix_file"))]
    problems = running_example_problems(example)
    if problems:
        return [Check(label, False, problem, _t("example_fix")) for problem in problems]
    found = _t("example_found", name=example.name, dataset=example.dataset, target=example.target)
    results = [Check(label, True, found)]
    try:
        results += check_example_activities(example)
    except DatalabError as error:
        results.append(Check(_t("offer_label"), False, str(error), _t("fix_file")))
    return results + check_running_example_texts(example.name)


def check_example_activities(example: RunningExample) -> list[Check]:
    """What the running example offers each activity, and what it lacks (``INFO`` lines): the
    passages of its story the pages, quizzes and guide ask for, personal data to find and a leak
    of the target in module 04, the defects of the hunt, groups of people or places declared for
    the bias audit in module 05, a decision threshold in module 06."""
    from labkit.model import fairness, problem
    from labkit.prepare import privacy, quality

    def line(key: str, offered: bool, **fields) -> Check:
        state = "yes" if offered else "no"
        detail = _t(f"offer_{key}_{state}", **fields)
        return Check(_t(f"offer_{key}"), True, detail, info=not offered, nested=True)

    dataset = datapackage.load_dataset(example.dataset)
    frame, target = dataset.table, example.target

    def coverage(key: str, given: dict[str, bool]) -> Check:
        """How many of the passages (fields, questions…) asked for the story gives: ``given``
        maps each one, as named to the facilitator, to whether the story has it."""
        absent = [name for name, present in given.items() if not present]
        count, total = len(given) - len(absent), len(given)
        return line(key, not absent, count=count, total=total, missing=", ".join(absent))

    from labkit.course import canvas

    asked = {}
    for module in load_modules():
        try:
            for qid in quiz.example_question_ids(module.id):
                asked[f"{qid} ({module.id})"] = bool(example.quiz_question(module.id, qid))
        except DatalabError:  # a missing or broken quiz file has its own FIX line
            continue
    results = [
        coverage("texts", {name: bool(example.text(name)) for name in TEXT_NAMES}),
        coverage("canvas", {f.label: bool(example.canvas.get(f.id)) for f in canvas.FIELDS}),
        coverage("quiz", asked),
        coverage("guide", {name: name in example.guide for name in guide_passages()}),
    ]
    # What the card says is no defect (« dismissed_defects ») is not offered to the activity.
    descriptor = datapackage.read_descriptor(dataset.path)
    dismissed = [d for d in descriptor.get("dismissed_defects") or [] if isinstance(d, dict)]

    def kept(kind: str, columns: set[str]) -> tuple[list[str], str]:
        cleared = {
            str(c) for d in dismissed if d.get("kind") == kind for c in d.get("columns") or []
        }
        said = (
            _t("offer_dismissed", columns=_names(sorted(columns & cleared)))
            if columns & cleared
            else ""
        )
        return sorted(columns - cleared), said

    personal, cleared = kept("personal_data", {f.column for f in privacy.detect_personal(frame)})
    results.append(line("personal", bool(personal), columns=_names(personal), dismissed=cleared))
    report = quality.assess(frame, target=target, schema=dataset.schema)
    found = {c for f in report.findings if f.kind == "leakage" for c in f.columns}
    leaks, cleared = kept("leakage", found)
    results.append(line("leak", bool(leaks), columns=_names(leaks), dismissed=cleared))
    results.append(line("defects", bool(dataset.defects), count=len(dataset.defects)))
    # Groups of people or places, as the dataset's card declares them; the audit would otherwise
    # offer any column of few values (school holidays, a yes/no), which says nothing of fairness.
    declared = [c for c in dataset.group_columns if c in frame.columns and c != target]
    others = fairness.candidate_columns(frame, target)
    results.append(
        line("groups", bool(declared), columns=_names(declared), others=_names(others[:4]) or "—")
    )
    task = problem.detect_task(frame[target], target)
    family = task.family
    results.append(
        line(
            "threshold",
            family == "binary",
            kind=_t(f"offer_family_{family}", count=len(task.classes)),
        )
    )
    return results


def _names(columns: list[str]) -> str:
    return ", ".join(f"« {c} »" for c in columns)


def guide_passages() -> list[str]:
    """The running example's passages the guide's pages ask for (``<!-- datalab:exemple NAME -->``)."""
    import re

    docs = paths.project_root() / "facilitator-guide" / "docs"
    pattern = re.compile(r"<!--\s*datalab:exemple\s+([a-z0-9_]+)\s*-->")
    names: list[str] = []
    for page in sorted(docs.rglob("*.md")):
        for name in pattern.findall(page.read_text(encoding="utf-8")):
            if name not in names:
                names.append(name)
    return names


def running_example_problems(example: RunningExample) -> list[str]:
    """French problems of the running example: a dataset that is not a folder of ``datasets/``
    (with the valid names), a target that is not one of its columns (with its columns)."""
    folders = {folder.name: folder for folder in datapackage.dataset_folders()}
    if example.dataset not in folders:
        known = ", ".join(sorted(folders)) or _t("example_none_known")
        return [
            str(messages.error("content.example_dataset_unknown", id=example.dataset, known=known))
        ]
    try:
        info = datapackage.dataset_info(folders[example.dataset])
    except DatalabError as error:
        return [str(error)]
    columns = [str(field.get("name")) for field in info.fields]
    if example.target not in columns:
        suggested = ", ".join(
            str(t.get("column") or t.get("name") or "") for t in info.suggested_targets
        )
        return [
            str(
                messages.error(
                    "content.example_target_unknown",
                    id=example.dataset,
                    target=example.target,
                    columns=", ".join(columns),
                    suggested=suggested or _t("example_none_suggested"),
                )
            )
        ]
    return []


def check_running_example_texts(current: str) -> list[Check]:
    """Texts outside the story files that speak of a running example (the ``mots`` of its
    story file): one FIX line per file, its places « à adapter »."""
    label = _t("texts_label")
    try:
        words = example_words()
    except DatalabError as error:
        return [Check(label, False, str(error), _t("fix_file"))]
    leftovers = example_leftovers(words)
    if not leftovers:
        detail = _t("texts_clean")
        if not words.get(current):
            detail += _t("texts_add_words", example=current)
        return [Check(label, True, detail)]
    by_file: dict[str, list] = {}
    for leftover in leftovers:
        by_file.setdefault(leftover.file, []).append(leftover)
    return [
        Check(
            _t("texts_file", file=file),
            False,
            _t(
                "texts_places",
                example=places[0].example,
                places=", ".join(_t("texts_place", where=p.where, word=p.word) for p in places),
            ),
            _t("texts_fix"),
        )
        for file, places in by_file.items()
    ]


def check_datasets() -> list[Check]:
    folder = paths.datasets_dir()
    found = sorted(p.parent for p in folder.glob("*/datapackage.json"))
    if not found:
        label = _t("datasets_label")
        return [Check(label, False, _t("datasets_none", folder=folder), _t("datasets_fix"))]
    results = []
    for dataset in found:
        problems = check_dataset_folder(dataset)
        results.append(
            Check(
                _t("dataset", name=dataset.name),
                not problems,
                "; ".join(problems[:3]),
                _t("dataset_fix", folder=dataset),
            )
        )
    return results


def check_workspace(root: Path) -> Check:
    """The learners' workspaces can be written under ``root``."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".check-"):
            pass
        return Check(_t("workspace_label"), True, str(root))
    except OSError as exc:
        return Check(_t("workspace_label"), False, f"{root} ({exc.strerror})", _t("workspace_fix"))


def run_all(workspace_root: Path) -> list[Check]:
    """Every check, the learners' workspaces being under ``workspace_root``."""
    return [
        check_python(),
        *check_packages(),
        *check_content_files(),
        *check_content(),
        *check_running_example(),
        *check_accessibility_statement(),
        *check_datasets(),
        check_workspace(workspace_root),
    ]
