"""``datalab train PATH --target COLUMN [--json]``: is this file ready for a workshop?

The file is read like module 03 does (:func:`labkit.reader.read_table`, or a dataset folder through
its Data Package), cleaned with module 04's default fixes (:func:`labkit.quality.default_recipe`),
then every model of module 05 is compared with the baseline on the same cross-validation
(:func:`labkit.learning.compare`). The table is printed in French; ``--json`` prints ``task``,
``metric``, ``baseline`` (its score) and ``models`` (``name``, ``score``, ``std``, ``seconds``),
higher being better for every score.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from labkit import messages


def _t(key: str, **fields) -> str:
    return messages.text(f"learning.{key}", **fields)


def register(subparsers) -> None:
    parser = subparsers.add_parser("train", help=_t("cli_help"))
    parser.add_argument("path", help=_t("cli_path_help"))
    parser.add_argument("--target", required=True, help=_t("cli_target_help"))
    parser.add_argument("--json", action="store_true", help=_t("cli_json_help"))
    parser.add_argument("--folds", type=int, default=5, help=_t("cli_folds_help"))
    parser.set_defaults(handler=run)


def read_path(path: Path):
    """(table, declared schema or None) for a file or a dataset folder."""
    from labkit import datapackage
    from labkit.reader import ReadOptions, read_table

    if path.is_dir():
        descriptor = datapackage.read_descriptor(path)
        resource = (descriptor.get("resources") or [{}])[0]
        result = datapackage.read_resource(datapackage._data_path(path, resource), resource)
        schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else None
        return result.frame, schema
    if not path.is_file():
        raise messages.error("learning.cli_no_file", path=str(path))
    limit = ReadOptions().max_bytes
    size = path.stat().st_size
    if size > limit:  # refuse before reading a huge file into memory
        raise messages.error(
            "reader.too_large",
            name=path.name,
            size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
            max=f"{limit / 1024 / 1024:.1f}".replace(".", ","),
        )
    return read_table(path.read_bytes(), path.name).frame, None


def train_file(path: Path | str, target: str, *, folds: int = 5, log=None) -> dict[str, Any]:
    """Read, clean and compare: the result as plain values (what ``--json`` prints)."""
    from labkit import learning, quality

    path = Path(path)
    say = log or (lambda _text: None)
    say(_t("cli_reading", name=path.name))
    frame, schema = read_path(path)
    if target not in frame.columns:
        raise messages.error(
            "learning.target_missing_column",
            target=target,
            columns=", ".join(map(str, frame.columns[:30])),
        )
    report = quality.assess(frame, target=target, schema=schema)
    recipe = quality.default_recipe(frame, report, target=target)
    say(_t("cli_cleaning", count=len(recipe)))
    clean = recipe.apply(frame)
    features, excluded = learning.default_features(clean, target)
    task = learning.check_choice(clean, target, features)
    plan = learning.plan_evaluation(clean, target, task, folds=folds)
    say(_t("cli_comparing"))
    comparison = learning.compare(clean, target, features, plan=plan)
    best = comparison.best()
    return {
        "task": comparison.task.kind,
        "metric": comparison.metric,
        "metric_label": comparison.metric_label,
        "target": target,
        "rows": int(len(clean)),
        "features": list(features),
        "excluded": [{"column": c, "reason": r} for c, r in excluded],
        "recipe": [step.title() for step in recipe.steps],
        "evaluation": plan.to_dict(),
        "baseline": round(comparison.baseline.score, 4),
        "baseline_std": round(comparison.baseline.std, 4),
        "models": [
            {
                k: v
                for k, v in m.to_dict().items()
                if k in ("key", "name", "score", "std", "seconds")
            }
            for m in comparison.ranked()
        ],
        "best": best.name,
        "beats_baseline": bool(comparison.beats_baseline()),
        "summary": comparison.summary(),
        "seconds": round(comparison.seconds, 2),
    }


def format_result(result: dict[str, Any]) -> str:
    from labkit.learning import CLASSIFICATION, format_score

    metric = result["metric"]
    rows = [
        (_t("model_baseline"), format_score(result["baseline"], metric),
         format_score(result["baseline_std"], metric), "")
    ]  # fmt: skip
    for model in result["models"]:
        rows.append(
            (
                model["name"],
                format_score(model["score"], metric),
                format_score(model["std"], metric),
                f"{model['seconds']:.2f}".replace(".", ","),
            )
        )
    head = (_t("cli_col_model"), _t("cli_col_score"), _t("cli_col_std"), _t("cli_col_seconds"))
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(4)]

    def line(cells) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    task = "classification" if result["task"] == CLASSIFICATION else "régression"
    out = [
        _t(
            "cli_heading",
            target=result["target"],
            rows=result["rows"],
            features=len(result["features"]),
        ),
        _t("cli_task", task=task, metric=result["metric_label"]),
        "",
        line(head),
        line(["-" * w for w in widths]),
        *(line(r) for r in rows),
        "",
        result["summary"],
    ]
    if result["excluded"]:
        columns = ", ".join(f"« {e['column']} » ({e['reason']})" for e in result["excluded"])
        out.append(_t("cli_excluded", columns=columns))
    out.append(_t("cli_ready") if result["beats_baseline"] else _t("cli_not_ready"))
    return "\n".join(out)


def run(args) -> int:
    quiet = args.json

    def log(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr)

    result = train_file(args.path, args.target, folds=args.folds, log=log)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(format_result(result))
    return 0
