"""``datalab train PATH --target COLUMN [--json]``: is this file ready for a workshop?

The file is read like module 03 does (:func:`labkit.data.reader.read_table`, or a dataset folder through
its Data Package), cleaned with module 04's default fixes (:func:`labkit.prepare.cleaning.default_recipe`),
then every model of module 05 is compared with the baseline on the same cross-validation
(:func:`labkit.model.learning.compare`). The table is printed in French; ``--json`` prints ``task``,
``metric``, ``baseline`` (its score), ``models`` (``name``, ``score``, ``std``, ``seconds``),
higher being better for every score, ``warnings`` (``kind``, ``columns``, ``message``): the
leaks, personal data and imbalance of the quality report, a near-perfect score called suspicious,
and each group of columns the best model relies on too much (kind ``leak_check``), and
``leak_check``: the best model fitted again without a few groups of related columns on the same
split (:func:`labkit.model.reliance.check_reliance`; ``null`` when no model beats the baseline):
``model``, ``metric``, ``score`` and ``baseline`` on the test rows, ``near_perfect``, ``flagged``,
``groups`` (``columns``, ``reason``, ``score_without``, ``drop``, ``noise``, ``flagged``),
``unchecked``, ``seconds`` and ``thresholds``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from labkit import messages
from labkit.errors import DatalabError


def _t(key: str, **fields) -> str:
    return messages.text(f"learning.{key}", **fields)


def register(subparsers) -> None:
    parser = subparsers.add_parser("train", help=_t("cli_help"))
    parser.add_argument("path", help=_t("cli_path_help"))
    parser.add_argument("--target", required=True, help=_t("cli_target_help"))
    parser.add_argument("--json", action="store_true", help=_t("cli_json_help"))
    parser.add_argument("--folds", type=int, default=5, help=_t("cli_folds_help"))
    parser.set_defaults(handler=run)


def train_file(path: Path | str, target: str, *, folds: int = 5, log=None) -> dict[str, Any]:
    """Read, clean and compare: the result as plain values (what ``--json`` prints). numpy's
    floating-point errors never reach the terminal: every problem is a French message."""
    import numpy as np

    with np.errstate(all="ignore"):
        return _train_file(Path(path), target, folds, log)


def _train_file(path: Path, target: str, folds: int, log) -> dict[str, Any]:

    from labkit.commands.dataset import read_path

    say = log or (lambda _text: None)
    say(_t("cli_reading", name=path.name))
    read, _, schema = read_path(path, missing="learning.cli_no_file")
    return train_table(read.frame, target, schema=schema, folds=folds, log=log)


def train_table(
    frame, target: str, *, schema: dict | None = None, folds: int = 5, log=None
) -> dict[str, Any]:
    """Clean ``frame`` with its default recipe, compare the models and check what the best one
    relies on (the table of a file read by :func:`train_file`, or one a page holds)."""
    import numpy as np
    import pandas as pd

    from labkit.data import kinds
    from labkit.model import learning, problem, reliance
    from labkit.prepare import cleaning, quality

    say = log or (lambda _text: None)
    if target not in frame.columns:
        raise messages.error(
            "learning.target_missing_column",
            target=target,
            columns=", ".join(map(str, frame.columns[:30])),
        )
    infinite = []
    for column in frame.columns:  # « Infinity », « 1e400 » read as numbers: treated as empty
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            count = int(np.isinf(values.to_numpy(dtype="float64", na_value=np.nan)).sum())
            if count:
                frame[column] = values.where(~np.isinf(values.astype("float64")))
                infinite.append((str(column), count))
                say(_t("cli_infinite", column=column, count=count))
    if pd.api.types.is_datetime64_any_dtype(frame[target]):
        raise messages.error("learning.target_is_date", target=target)
    if len(frame) and frame[target].isna().all():
        raise messages.error("learning.target_all_empty", target=target, rows=len(frame))
    report = quality.assess(frame, target=target, schema=schema)
    recipe = cleaning.default_recipe(frame, report, target=target)
    say(_t("cli_cleaning", count=len(recipe)))
    clean = recipe.apply(frame)
    problem.check_cleaned(frame, clean, target)
    features, excluded = kinds.without_identifiers(
        *problem.default_features(clean, target), clean, declared_in=frame
    )
    task = problem.check_choice(clean, target, features)
    try:
        plan = problem.plan_evaluation(clean, target, task, folds=folds)
    except DatalabError as exc:
        if exc.key != "learning.too_few_rows_class":
            raise
        possible = problem.fewest_folds_possible(clean, target)
        hint = (
            _t("cli_rare_hint", folds=possible)
            if possible is not None
            else _t("cli_rare_hint_group")
        )
        raise DatalabError(exc.message, hint=hint, key=exc.key) from None
    say(_t("cli_comparing"))
    comparison = learning.compare(clean, target, features, plan=plan)
    best = comparison.best()
    warnings = [
        {"kind": f.kind, "columns": list(f.columns), "message": f.message}
        for f in report.findings
        if f.kind in ("leakage", "personal_data", "imbalance")
    ]
    warnings += [
        {"kind": "infinite", "columns": [c], "message": _t("cli_infinite", column=c, count=n)}
        for c, n in infinite
    ]
    leaks = [
        c for f in quality.leakage(clean, target) for c in f.columns if c in comparison.features
    ]
    suspicious = learning.suspicious_score(comparison, list(dict.fromkeys(leaks)))
    if suspicious:
        warnings.append({"kind": "suspicious_score", "columns": leaks, "message": suspicious})
    check = None
    if comparison.beats_baseline():
        say(_t("cli_reliance", name=best.name))
        check = reliance.check_reliance(
            clean, target, comparison.features, best.key, comparison.split, metric=comparison.metric
        )
        warnings += [
            {
                "kind": "leak_check",
                "columns": list(group.group.columns),
                "message": f"{check.sentence(group)} {reliance.question(group.group.columns)}",
            }
            for group in check.flagged()
        ]
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
        "warnings": warnings,
        "leak_check": check.to_dict() if check is not None else None,
    }


def format_result(result: dict[str, Any]) -> str:
    from labkit.model.display import format_score
    from labkit.model.problem import CLASSIFICATION

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

    kind = "classification" if result["task"] == CLASSIFICATION else "regression"
    task = messages.text(f"cli.train_task_{kind}")
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
    for warning in result.get("warnings", []):
        if warning["kind"] in ("leakage", "suspicious_score", "leak_check"):
            out.append(warning["message"])
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
