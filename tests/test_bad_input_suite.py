"""The bad-input suite: every input of ``tests/bad_inputs.py`` through the reader (the function the
upload of module 03 calls), ``datalab dataset inspect``, ``datalab dataset new`` then ``check``,
``datalab train PATH --target COLUMN`` (the column the input declares, else the last column the
reader found; a file to refuse must be refused, any other may train or be refused in French), and
a workspace import for bundles.

Each run happens in a forked child (the parent has already imported everything, so a fork costs
milliseconds), killed after :data:`LIMIT` seconds: a hang is reported as one instead of blocking the
suite. A few runs go through a real ``python -m labkit.cli`` subprocess too. For every input the
worst outcome of its runs is kept: ``clear`` (a French refusal, or a right reading), ``wrong`` (a
silent wrong reading, a refusal of a good file, an English or unclear message, a package that fails
its own check, a file left behind), ``traceback`` or ``hang``.

``BAD_INPUT_TABLE=path`` writes the table « family | inputs | clear | wrong | traceback | hang »
for every run, and the same table for the ``train`` runs alone (both are printed too).
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bad_inputs import Case, generate  # noqa: E402

LIMIT = 20.0  # seconds per run
ENGLISH = re.compile(
    r"\b(the|is|are|could|not|has|have|must|should|invalid|expected|cannot|failed|unable|"
    r"object|error|Error|does|found|Warning|warning|Traceback|of type|attribute)\b"
)
ORDER = ["clear", "wrong", "traceback", "hang"]


# ---------------------------------------------------------------------------- running in a child
def _child(job: dict, out: Path) -> None:
    """Run one job, write ``{code, stdout, stderr, problem}`` as JSON into ``out``."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code, problem, columns = 0, None, None
    os.chdir(job["cwd"])
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            import warnings

            warnings.simplefilter("default")  # library warnings show, as in a terminal
            if job["kind"] == "cli":
                from labkit.cli import main

                code = main(job["argv"])
            elif job["kind"] == "reader":
                from labkit.data.reader import read_table
                from labkit.errors import DatalabError

                data = Path(job["path"]).read_bytes()
                try:
                    result = read_table(data, Path(job["path"]).name)
                except DatalabError as error:
                    print(f"Erreur : {error}", file=sys.stderr)
                    code = 1
                else:
                    columns = [str(c) for c in result.frame.columns]
                    verify = job.get("verify")
                    if verify is not None:
                        problem = verify(result.frame, list(result.detection.warnings))
                    print("\n".join(result.detection.warnings))
            elif job["kind"] == "bundle":
                from labkit.errors import DatalabError
                from labkit.workspace import Workspace

                space = Workspace.open("Essai", Path(job["cwd"]) / "espace")
                try:
                    space.import_zip(Path(job["path"]).read_bytes())
                except DatalabError as error:
                    print(f"Erreur : {error}", file=sys.stderr)
                    code = 1
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:  # noqa: BLE001 - a traceback is what we measure
        stderr.write(traceback.format_exc())
        code = 99
    out.write_text(
        json.dumps(
            {
                "code": code,
                "stdout": stdout.getvalue()[-20_000:],
                "stderr": stderr.getvalue()[-20_000:],
                "problem": problem,
                "columns": columns,
            }
        )
    )


def run_job(job: dict, scratch: Path) -> dict:
    out = scratch / f"result-{time.monotonic_ns()}.json"
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_child, args=(job, out))
    start = time.monotonic()
    process.start()
    process.join(LIMIT)
    elapsed = time.monotonic() - start
    if process.is_alive():
        process.kill()
        process.join()
        return {
            "code": None,
            "stdout": "",
            "stderr": "",
            "problem": None,
            "hang": True,
            "seconds": elapsed,
        }
    if not out.exists():  # killed (memory) or crashed
        return {
            "code": process.exitcode,
            "stdout": "",
            "stderr": "crash",
            "problem": None,
            "hang": False,
            "crash": True,
            "seconds": elapsed,
        }
    result = json.loads(out.read_text())
    out.unlink()
    result["hang"] = False
    result["seconds"] = elapsed
    return result


# ---------------------------------------------------------------------------- judging
def english_in(text: str, *, scrub: list[str]) -> str | None:
    for value in sorted(scrub, key=len, reverse=True):
        text = text.replace(value, "")
    text = re.sub(r"« [^»]*»", "", text)  # quoted names and values are the person's own text
    match = ENGLISH.search(text)
    return None if match is None else text[max(0, match.start() - 60) : match.end() + 60]


def judge(result: dict, *, expect: str, scrub: list[str], step: str) -> tuple[str, str]:
    """``(outcome, why)`` of one run."""
    if result["hang"]:
        return "hang", f"{step}: plus de {LIMIT:.0f} s"
    output = result["stdout"] + result["stderr"]
    if result.get("crash"):
        return "traceback", f"{step}: processus tué (mémoire ?)"
    if result["code"] == 99 or "Traceback" in output:
        last = result["stderr"].strip().splitlines()[-1:] or [""]
        return "traceback", f"{step}: {last[0][:200]}"
    if result["code"] not in (0, 1):
        return "wrong", f"{step}: code de sortie {result['code']}"
    english = english_in(output if step != "inspect" else result["stderr"], scrub=scrub)
    if english:
        return "wrong", f"{step}: texte anglais « {english.strip()} »"
    if result["code"] == 1:
        if expect == "read":
            return "wrong", f"{step}: refusé ({result['stderr'].strip()[:200]})"
        if step != "check" and "Erreur :" not in result["stderr"]:
            return "wrong", f"{step}: refus sans message"
        return "clear", ""
    if expect == "refuse" and step in ("reader", "inspect", "train"):
        return "wrong", f"{step}: lu alors qu’il fallait refuser"
    if result.get("problem"):
        return "wrong", f"{step}: {result['problem']}"
    return "clear", ""


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return found


def folder_target(folder: Path) -> str:
    """The target a dataset folder suggests, else its last declared field (for ``train``)."""
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        targets = descriptor.get("suggested_targets") or []
        if targets and isinstance(targets[0], dict) and targets[0].get("column"):
            return str(targets[0]["column"])
        return str(descriptor["resources"][0]["schema"]["fields"][-1]["name"])
    except Exception:  # noqa: BLE001 - a malformed descriptor: any name will do
        return "cible"


def run_case(case: Case, work: Path, scratch: Path) -> tuple[str, list[str], dict, str]:
    """Every run of one input; the worst outcome, the reasons, the seconds per step, and the
    outcome of the ``train`` run alone."""
    sandbox = work / "sandbox" / case.name
    sandbox.mkdir(parents=True)
    inputs = case.path.parent
    before_inputs = snapshot(inputs)
    datasets_before = sorted(p.name for p in (ROOT / "datasets").iterdir())
    scrub = [str(work), str(case.path), case.path.name, str(inputs), case.path.stem]
    outcomes: list[tuple[str, str]] = []
    seconds: dict[str, float] = {}
    trained = ["clear"]

    def run(step: str, job: dict, expect: str) -> dict:
        job.setdefault("cwd", str(sandbox))
        result = run_job(job, scratch)
        seconds[step] = round(result["seconds"], 1)
        outcomes.append(judge(result, expect=expect, scrub=scrub, step=step))
        if step == "train":
            trained[0] = outcomes[-1][0]
        return result

    def train(target: str | None, expect: str) -> None:
        argv = ["train", str(case.path), "--target", case.target or target or "cible"]
        run("train", {"kind": "cli", "argv": argv}, expect)

    if case.kind == "folder":
        run("inspect", {"kind": "cli", "argv": ["dataset", "inspect", str(case.path)]}, "either")
        result = run(
            "check", {"kind": "cli", "argv": ["dataset", "check", str(case.path)]}, "refuse"
        )
        if result["code"] == 0:
            outcomes.append(("wrong", "check: dossier mal formé jugé valide"))
        train(folder_target(case.path), "either")  # the data may be fine, the metadata not
    elif case.kind == "bundle":
        run("import", {"kind": "bundle", "path": str(case.path)}, "refuse")
        run("inspect", {"kind": "cli", "argv": ["dataset", "inspect", str(case.path)]}, "refuse")
        train(None, "refuse")
    else:
        read = run(
            "reader", {"kind": "reader", "path": str(case.path), "verify": case.verify}, case.expect
        )
        columns = read.get("columns") or []
        train(columns[-1] if columns else None, "refuse" if case.expect == "refuse" else "either")
        run(
            "inspect",
            {"kind": "cli", "argv": ["dataset", "inspect", str(case.path), "--json"]},
            case.expect,
        )
        if case.new:
            dest = sandbox / "jeu"
            argv = [
                "dataset",
                "new",
                str(case.path),
                "--dest",
                str(dest),
                "--title",
                "Essai",
                "--licence",
                "etalab-2.0",
                "--producer",
                "Tests",
            ]
            result = run("new", {"kind": "cli", "argv": argv}, case.expect)
            if result["hang"]:
                pass
            elif result["code"] == 0:
                if case.expect == "refuse":
                    outcomes.append(("wrong", "new: jeu créé à partir d’un fichier à refuser"))
                run("check", {"kind": "cli", "argv": ["dataset", "check", str(dest)]}, "read")
            elif dest.exists():
                outcomes.append(("wrong", "new: dossier laissé après un échec"))
    after = snapshot(inputs)
    if after != before_inputs:
        changed = sorted(set(after.items()) ^ set(before_inputs.items()))[:3]
        outcomes.append(("wrong", f"fichiers modifiés hors destination : {changed}"))
    if sorted(p.name for p in (ROOT / "datasets").iterdir()) != datasets_before:
        outcomes.append(("wrong", "datasets/ du projet modifié"))
    outside = [
        p
        for p in sandbox.rglob("*")
        if p.is_file() and not str(p).startswith(str(sandbox / "jeu")) and "espace" not in p.parts
    ]
    if outside:
        outcomes.append(("wrong", f"fichiers écrits hors destination : {outside[:3]}"))
    worst = max(outcomes, key=lambda o: ORDER.index(o[0]))[0]
    reasons = [why for outcome, why in outcomes if outcome != "clear"]
    return worst, reasons, seconds, trained[0]


# ---------------------------------------------------------------------------- the suite
@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    # import once in the parent: each fork then starts warm
    import frictionless  # noqa: F401
    import sklearn.ensemble  # noqa: F401

    import labkit.cli  # noqa: F401
    import labkit.commands.dataset  # noqa: F401
    import labkit.commands.train  # noqa: F401
    import labkit.data.datapackage  # noqa: F401
    import labkit.data.reader  # noqa: F401
    import labkit.model.learning  # noqa: F401
    import labkit.prepare.quality  # noqa: F401
    import labkit.workspace  # noqa: F401

    work = tmp_path_factory.mktemp("bad")
    scratch = work / "scratch"
    scratch.mkdir()
    _warm_up(work / "warm")
    cases = generate(work / "inputs")
    results = {}
    for case in cases:
        results[case.name] = (case, *run_case(case, work, scratch))
    table = _table(results) + "\n\n`datalab train` alone:\n\n" + _table(results, train=True)
    target = os.environ.get("BAD_INPUT_TABLE")
    if target:
        Path(target).write_text(table + "\n\n" + _details(results) + "\n", encoding="utf-8")
    print("\n" + table)
    return results


def _warm_up(folder: Path) -> None:
    """Make and check one small package in the parent, so that what frictionless and jsonschema
    build on first use (seconds of grammar compilation) is inherited by every fork."""
    import contextlib

    from labkit.cli import main

    folder.mkdir()
    source = folder / "t.csv"
    source.write_text("a;b\nx;1\ny;2\n", encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        main(["dataset", "new", str(source), "--dest", str(folder / "jeu"), "--licence", "cc0"])
        rows = "".join(f"{i};{'AB'[i % 2]};{i % 7}\n" for i in range(40))
        (folder / "u.csv").write_text("n;g;c\n" + rows, encoding="utf-8")
        main(["train", str(folder / "u.csv"), "--target", "c"])  # sklearn's first-use work


def _table(results, *, train: bool = False) -> str:
    """« family | inputs | clear | wrong | traceback | hang »: the worst outcome of each input, or
    of its ``train`` run alone."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for case, outcome, _, _, train_outcome in results.values():
        counts[case.family][train_outcome if train else outcome] += 1
    lines = ["| family | inputs | clear | wrong | traceback | hang |", "|---|---|---|---|---|---|"]
    total: Counter = Counter()
    for family, found in counts.items():
        total.update(found)
        lines.append(
            f"| {family} | {sum(found.values())} | "
            + " | ".join(str(found[o]) for o in ORDER)
            + " |"
        )
    lines.append(
        f"| **total** | {sum(total.values())} | " + " | ".join(str(total[o]) for o in ORDER) + " |"
    )
    return "\n".join(lines)


def _details(results) -> str:
    lines = []
    for name, (case, outcome, reasons, seconds, _) in results.items():
        lines.append(f"{outcome:9} {case.family:20} {name:32} {seconds} {' / '.join(reasons)}")
    return "\n".join(lines)


def test_at_least_sixty_inputs(suite):
    assert len(suite) >= 60


def test_every_input_gets_a_clear_french_answer_in_time(suite):
    bad = {
        name: (outcome, reasons)
        for name, (case, outcome, reasons, _, _) in suite.items()
        if outcome != "clear"
    }
    assert not bad, _details({n: suite[n] for n in bad})


@pytest.mark.parametrize(
    ("name", "argv_tail", "code"),
    [
        ("vide.csv", [], 1),
        ("table_correcte.csv", [], 0),
        ("bombe_colonnes.ods", [], 1),
    ],
)
def test_real_subprocess_runs(suite, tmp_path, name, argv_tail, code):
    """The same answers through a real ``python -m labkit.cli`` process."""
    path = suite[name][0].path
    done = subprocess.run(
        [sys.executable, "-m", "labkit.cli", "dataset", "inspect", str(path), *argv_tail],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code:
        assert done.stderr.startswith("Erreur : ")


def test_dataset_commands_skip_the_iri_grammar_and_still_validate(suite, tmp_path):
    """``datalab dataset …`` leaves out rfc3987_syntax (a second of grammar compilation at every
    start) and frictionless still refuses a malformed descriptor."""
    code = (
        "import sys\n"
        "from labkit.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print('rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None)\n"
        "sys.exit(status)\n"
    )
    path = suite["dp_licenses_texte"][0].path
    done = subprocess.run(
        [sys.executable, "-c", code, "dataset", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.strip().endswith("False")
    assert "Traceback" not in done.stderr
