"""Datalab's judgments against the truth of the real-data corpus (``tests/realdata/``).

Run: ``.venv/bin/python benchmarks/bench_truth.py [--details] [FILE ...]``.

For each real file, read by the product as a trainee's upload would be, its quality report for
each annotated target and its default recipe: every proposed change (merge of spellings, fill of
empty cells, cap of extreme values, type conversion, deleted rows, dropped columns, placeholders
emptied) and every value called impossible is judged against the card written by reading the
file; so are the values read (dates, decimals, codes with leading zeros) and the leaks found.
Prints precision per kind of proposal, leak and placeholder recall, values read wrong and rows
lost, against the goals of the corpus (``tests/test_truth_corpus.py`` holds them).

Libraries tried on this corpus and not adopted (measured once, in a throwaway environment, since
neither is a dependency):

- ``clevercsv`` 0.8.5 (dialect detection): the right separator on 25 of 25 real files, like our
  reader, whose records match a standard reading cell for cell on every one of them; but from a
  10,000-character sample it missed the quote on 5 files whose first quoted field comes later
  (wrong cells, and wrong rows on the budget annex), on the whole text it is 100 to 1,000 times
  slower (up to 13.5 s), it has no header detection nor decimal-comma conversion, and with a quote
  never closed in a quoted file it silently shortens the table or crashes. It was right where we
  were wrong on one synthetic case, a ``;`` file with a decimal comma per line and an unclosed
  quote: our separator is now judged with and without quotes, which fixed it.
- ``skrub.deduplicate`` 0.11.0 (grouping spellings), on the 140 category and text columns of the
  cards: 1,946 merges, 55 right (precision 0.03), 48 pairs the cards call distinct merged
  (Haut-Rhin / Bas-Rhin, public / private schools, 2018 / 2019), a crash on 82 columns; even told
  how many groups to make, 0.80. Our rule: 55 merges, 55 right, none distinct.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import truth  # noqa: E402

GOALS = {
    "precision": 0.95,  # every kind of proposed change
    "leak_recall": 0.9,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="card names to measure (default: all)")
    parser.add_argument("--details", action="store_true", help="list every wrong judgement")
    parser.add_argument(
        "--after-training",
        action="store_true",
        help="also train a model per annotated target and count the leaks its check names",
    )
    args = parser.parse_args(argv)
    cards = truth.load_cards()
    if args.files:
        cards = [c for c in cards if c.name in args.files or c.path.stem in args.files]
    started = time.perf_counter()
    results = [truth.measure(card) for card in cards]
    elapsed = time.perf_counter() - started
    table = truth.summarise(results)
    publishers = {c.data.get("publisher") for c in cards}
    print(f"Corpus: {table.files} files, {len(publishers)} publishers, {elapsed:.1f} s")
    print()
    print(f"{'proposal':<14}{'judged':>8}{'wrong':>8}{'precision':>11}{'goal':>8}")
    for kind, judged, wrong, precision in table.rows:
        shown = f"{precision:.3f}" if precision is not None else "—"
        goal = f"≥{GOALS['precision']}" if kind in truth.CHANGES or kind == "impossible" else ""
        print(f"{kind:<14}{judged:>8}{wrong:>8}{shown:>11}{goal:>8}")
    print()
    recall = table.leak_recall
    print(
        f"leaks found           {table.leaks_found}/{table.leaks_expected}"
        f"  recall {recall:.2f} (goal ≥ {GOALS['leak_recall']})"
        if recall is not None
        else "leaks found           — (no leak annotated)"
    )
    print(
        f"placeholders emptied  {table.placeholders_found}/{table.placeholders_expected}"
        "  (placeholders of the cards present in the files)"
    )
    print(f"distinct values merged      {table.distinct_merged:>4} (goal 0)")
    print(f"placeholders made plausible {table.placeholders_made_plausible:>4} (goal 0)")
    print(f"values read wrong           {table.misread:>4} (goal 0)")
    print(f"rows lost by the recipe     {table.rows_lost:>4} (goal 0, true duplicates excepted)")
    for error in table.errors:
        print(f"ERROR {error}")
    if args.after_training:
        _after_training(cards, args.details)
    if args.details:
        print()
        for result in results:
            for line in result.misread:
                print(f"READ   {result.card.name}: {line}")
            for line in result.leaks_missed:
                print(f"LEAK   {result.card.name}: missed {line}")
            for line in result.rows_lost_detail:
                print(f"ROWS   {result.card.name}: {line}")
        for j in truth.wrong_judgements(results):
            print(f"WRONG  {j.kind:<12} {j.file}: {j.column} {j.detail}")
    return 0


def _after_training(cards, details: bool) -> None:
    """Leaks found by module 04's report, by the check of the trained model, or by either."""
    started = time.perf_counter()
    results = [truth.measure_leaks(card) for card in cards]
    total = sum(len(r.expected) for r in results)
    report = sum(sum(r.by_report) for r in results)
    training = sum(sum(r.by_training) for r in results)
    either = sum(a or b for r in results for a, b in zip(r.by_report, r.by_training, strict=True))
    print()
    print(f"leaks (train per target, {time.perf_counter() - started:.0f} s): {total} annotated")
    for label, count in (("quality report (04)", report), ("trained model (05)", training)):
        print(f"  found by the {label:<22}{count:>4}  recall {count / max(total, 1):.2f}")
    print(f"  found by either{'':<20}{either:>4}  recall {either / max(total, 1):.2f} (goal ≥ 0.9)")
    slowest = max(results, key=lambda r: r.seconds, default=None)
    if slowest is not None:
        print(f"  slowest file: {slowest.card.name} {slowest.seconds:.1f} s")
    if details:
        for r in results:
            for (target, group), a, b in zip(r.expected, r.by_report, r.by_training, strict=True):
                if not (a or b):
                    print(f"MISSED {r.card.name}: {target} ← {group}")


if __name__ == "__main__":
    sys.exit(main())
