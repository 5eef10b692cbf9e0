"""The guide's sizing of a room's server is computed from the measured rooms (issue 24): the record
``benchmarks/load.py --record`` keeps, and the guide's marker turns into tables for 10, 20, 30
people and a rule for any N."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from labkit.course.guide import room_sizing

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "facilitator-guide" / "mesures-salle.json"


def room(learners: int, gib: float, cpu: float | None = None) -> dict:
    return {
        "learners": learners,
        "page_p95": 0.4,
        "switch_p95": 0.5,
        "switch_max": 0.7,
        "errors": 0,
        "lost": 0,
        "peak_mib": gib * 1024,
        "kernels": learners + 1,
        "cpu_per_learner": cpu,
        "shared_cache": cpu is not None,
        "measured": "2026-12-06",
    }


def test_the_rule_for_n_is_the_line_through_the_measures():
    text = room_sizing({"machine": "2 processeurs", "rooms": [room(10, 3.5), room(20, 6.5, 2.0)]})
    assert "**0,3 Go par personne plus 0,5 Go**" in text
    # 30 people: 0.5 + 0.3 × 30 = 9.5 GB at the peak, 14.25 with half again → 15 GB to provision
    assert "| 30 | 9,5 Go | 15 Go | 60 s |" in text
    assert "| 10 | 3,5 Go | 6 Go | 20 s |" in text
    assert "| 20 | 0,4 s | 0,5 s / 0,7 s | 0 | 0 | 6,5 Go | 2 s |" in text
    assert "(06/12/2026)" in text


def test_without_a_cpu_measure_with_the_shared_cache_the_cpu_is_not_guessed():
    text = room_sizing({"rooms": [room(5, 2.0), room(15, 5.0)]})
    assert "| 30 | 9,5 Go | 15 Go | — |" in text


def test_one_measured_room_is_not_enough():
    with pytest.raises(ValueError):
        room_sizing({"rooms": [room(30, 10.0, 2.0)]})


def test_the_record_the_guide_reads_is_the_measured_one():
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    sizes = [r["learners"] for r in record["rooms"]]
    assert sizes == sorted(sizes) and len(sizes) >= 2
    text = room_sizing(record)
    assert all(f"| {n} |" in text for n in (10, 20, 30))
    assert "Mémoire à prévoir" in text


def test_the_load_benchmark_keeps_its_rooms_in_the_record(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "tests"))
    import load

    measured = load.Room(
        learners=12, room=12, page_times=[0.2, 0.3], phases=[], preheated=12,
        first_switches=[0.4, 0.6], return_switches=[0.1], action_times=[0.2, 1.0],
        step_times=[0.1], errors=[], lost=[], reconnects=0, peak_mib=4300.0,
        peak_kernel_mib=300.0, peak_kernels=13, left_alive=0, spare_at_start=1,
        spare_at_busiest=1, spare_at_end=1, busiest=12, cpu_seconds=26.4, cache={},
        client_cpu=1.0, other_cpu=0.0, sampled=100.0, wall=120.0,
        load_before=(0.1, 0.1, 0.1), load_after=(1.0, 1.0, 1.0),
    )  # fmt: skip
    path = tmp_path / "mesures.json"
    path.write_text(json.dumps({"rooms": [room(12, 9.9), room(30, 10.0, 2.0)]}), encoding="utf-8")
    args = type("Args", (), {"no_cache": False, "seed": 3})()
    load.record_rooms(path, [measured], args)
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert [r["learners"] for r in kept["rooms"]] == [12, 30]
    twelve = kept["rooms"][0]
    assert twelve["peak_mib"] == 4300 and twelve["cpu_per_learner"] == 2.2
    assert twelve["shared_cache"] is True and twelve["seed"] == 3
    assert "processeurs" in kept["machine"]
