"""The facilitator's room view with 30 learners: CPU per refresh (goal: at most 100 ms).

Builds 30 realistic workspaces (progress, quiz answers in every module, a dataset, a saved model
whose metadata holds its comparison and test rows, an error shown to some), then measures:

- in this process, :class:`labkit.serve.room.RoomReader` and the page's HTML (``room_html``): a first
  view (every learner read), a refresh where nobody did anything, one where 5 learners did
  something (a usual 5 s in a room), and one where all 30 did;
- over HTTP, a real ``datalab start`` server answering ``/animation/etat`` (what the page asks every
  5 s): the server process's CPU per request, with 5 learners changing between requests.

Each figure is the median of ``REPEAT`` runs. Run with ``python benchmarks/bench_room.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from labkit.course import modules, quiz
from labkit.learner import activity, course
from labkit.serve import room, roomview
from labkit.workspace import Workspace

LEARNERS = 30
CHANGING = 5
REPEAT = 15
GOAL_MS = 100
TOKEN = "banc-de-mesure-salle-0001"


def build_room(root: Path) -> list[Workspace]:
    workspaces = []
    all_modules = modules.load_modules()
    banks = {m.id: quiz.load_bank(m.id) for m in all_modules if quiz.bank_path(m.id).is_file()}
    for n in range(LEARNERS):
        workspace = Workspace.open(f"Stagiaire {n:02d}", root)
        reached = n % len(all_modules)
        for module in all_modules[:reached]:
            course.set_status(workspace, module.id, "done")
        course.set_status(workspace, all_modules[reached].id, "in_progress")
        for module_id, bank in list(banks.items())[:reached]:
            for i, problem in enumerate(bank.problems):
                given = getattr(problem, "answer", "") if (n + i) % 3 else 0
                course.record_answer(workspace, module_id, problem, given, problem.check(given))
        workspace.save("dataset", {"source": "catalogue", "dataset_id": "x", "name": "Cantines"})
        if reached >= 5:
            workspace.save(
                "training",
                {
                    "name": "Forêt aléatoire",
                    "metric": "accuracy",
                    "test_score": 0.81,
                    "features": [f"col_{i}" for i in range(30)],
                    "test_index": list(range(2000)),
                    "comparison": {"rows": [{"key": f"m{i}", "score": 0.7} for i in range(8)]},
                    "profile": {f"col_{i}": {"min": 0, "max": 100} for i in range(30)},
                },
            )
        activity.note_activity(workspace, all_modules[reached].number)
        if n % 4 == 0:
            activity.note_message(
                workspace, all_modules[reached].id, "error", "Le fichier ne se lit pas."
            )
        workspace.listeners.clear()
        workspaces.append(workspace)
    return workspaces


def touch(workspaces: list[Workspace], count: int, step: int) -> None:
    for workspace in workspaces[:count]:
        activity.note_activity(workspace, f"0{step % 7}")


def measure(function) -> tuple[float, float]:
    """(median CPU ms, median wall ms) of ``function``."""
    cpu, wall = [], []
    for step in range(REPEAT):
        before_cpu, before = time.process_time(), time.perf_counter()
        function(step)
        cpu.append((time.process_time() - before_cpu) * 1000)
        wall.append((time.perf_counter() - before) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def in_process(root: Path, workspaces: list[Workspace]) -> list[tuple[str, float, float]]:
    rows = []

    def first_view(_step):
        roomview.room_html(room.RoomReader(root).summary(), "/")

    rows.append(("first view (30 read)", *measure(first_view)))
    reader = room.RoomReader(root)
    reader.summary()

    for changed, label in (
        (0, "nobody changed"),
        (CHANGING, f"{CHANGING} changed"),
        (LEARNERS, "all 30 changed"),
    ):
        cpu, wall = [], []
        for step in range(REPEAT):
            touch(workspaces, changed, step)
            before_cpu, before = time.process_time(), time.perf_counter()
            roomview.room_html(reader.summary(), "/")
            cpu.append((time.process_time() - before_cpu) * 1000)
            wall.append((time.perf_counter() - before) * 1000)
        rows.append((f"refresh, {label}", statistics.median(cpu), statistics.median(wall)))
    return rows


def over_http(workspaces: list[Workspace], tmp: Path) -> tuple[str, float, float]:
    import shutil

    import psutil

    from labkit.serve.devserver import start_server, stop_server

    server = start_server(
        tmp / "server", pool_size=0, room=1, extra_env={"DATALAB_FACILITATOR_TOKEN": TOKEN}
    )
    try:
        learners = server.workspace_root / "learners"
        shutil.copytree(workspaces[0].folder.parent, learners, dirs_exist_ok=True)
        moved = [Workspace(learners / w.slug, w.pseudonym) for w in workspaces]
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        opener.open(f"{server.url}/animation?jeton={TOKEN}").read()
        process = psutil.Process(server.process.pid)
        requests = REPEAT * 4
        wall = []
        cpu_before = sum(process.cpu_times()[:2])
        for step in range(requests):
            touch(moved, CHANGING, step)  # the learners' writes cost the kernels, not the server
            before = time.perf_counter()
            opener.open(f"{server.url}/animation/etat").read()
            wall.append((time.perf_counter() - before) * 1000)
        cpu = (sum(process.cpu_times()[:2]) - cpu_before) * 1000 / requests
        label = f"server /animation/etat, {CHANGING} changed"
        return (label, cpu, statistics.median(wall))
    finally:
        stop_server(server)


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        root = tmp / "workspace"
        workspaces = build_room(root)
        rows = in_process(root, workspaces)
        if "--no-server" not in sys.argv:
            rows.append(over_http(workspaces, tmp))
    print(
        f"Room view, {LEARNERS} learners (median of {REPEAT}; goal: CPU ≤ {GOAL_MS} ms per refresh)"
    )
    print(f"{'measure':<42} {'CPU ms':>8} {'wall ms':>8}  goal")
    failed = False
    for label, cpu, wall in rows:
        ok = cpu <= GOAL_MS
        failed |= not ok
        print(f"{label:<42} {cpu:>8.1f} {wall:>8.1f}  {'ok' if ok else 'OVER'}")
    print(f"(server: its process's CPU over {REPEAT * 4} requests, divided by their number)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
