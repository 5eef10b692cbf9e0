"""Generated parts of the facilitator guide: the programme, module cards, quiz answer keys and the
list of messages a trainee can meet.

Everything here is pure: plain values in (modules from the registry, quiz banks, message
catalogues), Markdown out. The guide's mkdocs hook (``facilitator-guide/hooks.py``) calls these
functions at build time, so the guide always says what ``content/`` and ``labkit/messages/`` say.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from labkit import frenchfmt, messages
from labkit.course.modules import Module
from labkit.course.quiz import (
    Bank,
    MultipleChoice,
    NumberAnswer,
    OpenQuestion,
    Problem,
    SingleChoice,
)

MORNING, AFTERNOON = "morning", "afternoon"
HALF_DAYS = (MORNING, AFTERNOON)

# Opening times of each half-day, in minutes after midnight.
MORNING_START = 9 * 60
AFTERNOON_START = 14 * 60
# A half-day with more content than BREAK_AFTER minutes gets one break of BREAK_MINUTES, near its
# middle; a module cut by the break is shown in two parts unless a module boundary is close.
BREAK_AFTER = 100
BREAK_MINUTES = 15
SNAP_TO_BOUNDARY = 20
# The one-day variant: all modules, their durations scaled so the content fits in this many
# minutes (rounded to 5 minutes, at least MIN_MODULE_MINUTES each).
ONE_DAY_CONTENT_MINUTES = 330
MIN_MODULE_MINUTES = 10


def _t(key: str, **fields: Any) -> str:
    """The French text ``guide.<key>`` of ``labkit/messages/guide.yaml``."""
    return messages.text(f"guide.{key}", **fields)


def _columns(key: str) -> list[str]:
    """A table's header: the columns of ``guide.<key>``, separated by « | »."""
    return [column.strip() for column in _t(key).split("|")]


HALF_DAY_LABELS = {MORNING: _t("half_day_morning"), AFTERNOON: _t("half_day_afternoon")}
BREAK_LABEL = _t("break_label")
FIRST_PART = _t("first_part")
SECOND_PART = _t("second_part")


# ------------------------------------------------------------------------------------- schedule
@dataclass(frozen=True)
class Row:
    """One line of a schedule: a module (or part of it) or a break."""

    day: int
    half_day: str  # MORNING or AFTERNOON
    start: int  # minutes after midnight
    end: int
    module_id: str | None  # None for a break
    label: str
    part: str = ""  # "", FIRST_PART or SECOND_PART

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def is_break(self) -> bool:
        return self.module_id is None


def half_day_of(module: Module) -> str:
    """The registry's ``slot`` as MORNING or AFTERNOON (case and accents ignored)."""
    plain = _plain(module.slot).replace(" ", "-")
    for half_day, label in HALF_DAY_LABELS.items():
        if plain in (_plain(label), _plain(label).replace("-", "")):
            return half_day
    raise messages.error("guide.bad_slot", id=module.id, slot=module.slot)


def format_time(minutes: int) -> str:
    """``545`` → ``9 h 05`` (French style, non-breaking spaces)."""
    return f"{minutes // 60}\u00a0h\u00a0{minutes % 60:02d}"


def format_duration(minutes: int) -> str:
    """``90`` → ``1 h 30``, ``45`` → ``45 min``."""
    if minutes < 60:
        return f"{minutes}\u00a0min"
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u00a0h" + (f"\u00a0{rest:02d}" if rest else "")


# ---------------------------------------------------------------------------- déroulé
def render_deroule(module: Module) -> str:
    """The « déroulé » table of a module page, from ``content/modules.yaml`` (the module's
    ``schedule``; without one, its minutes of teaching and of activities), with its total."""
    parts = list(module.schedule) or [
        (module.teaching_minutes, _t("deroule_teaching")),
        (module.exercise_minutes, _t("deroule_exercise")),
    ]
    table = _table(
        [_t("deroule_time"), _t("deroule_what")],
        [[format_duration(m), what] for m, what in parts if m],
    )
    note = _t(
        "deroule_total",
        total=format_duration(module.minutes),
        teaching=format_duration(module.teaching_minutes),
        exercise=format_duration(module.exercise_minutes),
    )
    return f"{table}\n\n{note}"


def _schedule(blocks: list[tuple[int, str, Module, int]]) -> list[Row]:
    """Rows for (day, half-day, module, minutes) blocks, grouped by half-day, with breaks."""
    groups: dict[tuple[int, str], list[tuple[Module, int]]] = {}
    for day, half, module, minutes in blocks:
        groups.setdefault((day, half), []).append((module, minutes))
    rows: list[Row] = []
    for day, half in sorted(groups, key=lambda key: (key[0], HALF_DAYS.index(key[1]))):
        items = groups[(day, half)]
        total = sum(minutes for _, minutes in items)
        cut = _break_point(items, total) if total > BREAK_AFTER else None
        clock = MORNING_START if half == MORNING else AFTERNOON_START
        elapsed = 0
        for module, minutes in items:
            label = module.label
            if cut is not None and elapsed == cut:
                rows.append(Row(day, half, clock, clock + BREAK_MINUTES, None, BREAK_LABEL))
                clock += BREAK_MINUTES
            if cut is not None and elapsed < cut < elapsed + minutes:
                first = cut - elapsed
                rows.append(Row(day, half, clock, clock + first, module.id, label, FIRST_PART))
                clock += first
                rows.append(Row(day, half, clock, clock + BREAK_MINUTES, None, BREAK_LABEL))
                clock += BREAK_MINUTES
                second = minutes - first
                rows.append(Row(day, half, clock, clock + second, module.id, label, SECOND_PART))
                clock += second
            else:
                rows.append(Row(day, half, clock, clock + minutes, module.id, label))
                clock += minutes
            elapsed += minutes
    return rows


def _break_point(items: list[tuple[Module, int]], total: int) -> int:
    """Minutes of content before the break: near the middle, on a module boundary if one is close."""
    middle = 5 * math.ceil(total / 10)
    boundaries = []
    elapsed = 0
    for _, minutes in items[:-1]:
        elapsed += minutes
        boundaries.append(elapsed)
    near = [b for b in boundaries if abs(b - middle) <= SNAP_TO_BOUNDARY]
    if near:
        return min(near, key=lambda b: abs(b - middle))
    return middle


def programme_rows(modules: Iterable[Module]) -> list[Row]:
    """The three-day programme: each module on its day and half-day, in registry order."""
    return _schedule([(m.day, half_day_of(m), m, m.minutes) for m in modules])


def one_day_minutes(modules: Iterable[Module]) -> dict[str, int]:
    """Minutes per module in the one-day variant: durations scaled to ONE_DAY_CONTENT_MINUTES."""
    modules = list(modules)
    total = sum(m.minutes for m in modules) or 1
    factor = min(1.0, ONE_DAY_CONTENT_MINUTES / total)
    return {
        m.id: max(MIN_MODULE_MINUTES, 5 * round(m.minutes * factor / 5)) if m.minutes else 0
        for m in modules
    }


def one_day_rows(modules: Iterable[Module]) -> list[Row]:
    """The one-day variant: every module, shortened, the morning ending where the halves balance."""
    modules = list(modules)
    minutes = one_day_minutes(modules)
    total = sum(minutes.values())
    # The morning takes the first modules until adding one more would unbalance the day more.
    split, elapsed = len(modules), 0
    for index, module in enumerate(modules):
        if elapsed and abs(elapsed + minutes[module.id] - total / 2) > abs(elapsed - total / 2):
            split = index
            break
        elapsed += minutes[module.id]
    blocks = [
        (1, MORNING if index < split else AFTERNOON, module, minutes[module.id])
        for index, module in enumerate(modules)
    ]
    return _schedule(blocks)


def module_totals(rows: Iterable[Row]) -> dict[str, int]:
    """Minutes per module in a schedule (parts added up)."""
    totals: dict[str, int] = {}
    for row in rows:
        if not row.is_break:
            totals[row.module_id] = totals.get(row.module_id, 0) + row.minutes
    return totals


# ------------------------------------------------------------------------------------- Markdown
def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _module_link(module_id: str | None, label: str, link_prefix: str | None) -> str:
    if module_id is None or link_prefix is None:
        return label
    return f"[{label}]({link_prefix}{module_id}.md)"


def _render_rows(rows: list[Row], link_prefix: str | None, heading: str) -> str:
    out: list[str] = []
    days = sorted({r.day for r in rows})
    for day in days:
        day_rows = [r for r in rows if r.day == day]
        if len(days) > 1:
            out.append(f"{heading} Jour {day}\n")
        for half in HALF_DAYS:
            half_rows = [r for r in day_rows if r.half_day == half]
            if not half_rows:
                continue
            span = f"{format_time(half_rows[0].start)} – {format_time(half_rows[-1].end)}"
            level = heading + "#" if len(days) > 1 else heading
            out.append(f"{level} {HALF_DAY_LABELS[half]} ({span})\n")
            table = []
            for row in half_rows:
                what = _module_link(row.module_id, row.label, link_prefix)
                if row.part:
                    what += f" ({row.part})"
                if row.is_break:
                    what = f"*{what}*"
                table.append(
                    [
                        f"{format_time(row.start)} – {format_time(row.end)}",
                        what,
                        format_duration(row.minutes),
                    ]
                )
            out.append(_table(_columns("schedule_columns"), table) + "\n")
    return "\n".join(out)


def render_programme_markdown(
    modules: Iterable[Module], link_prefix: str | None = "modules/", heading: str = "###"
) -> str:
    """The three-day programme as Markdown: one table per half-day, then durations per module."""
    modules = list(modules)
    rows = programme_rows(modules)
    out = [_render_rows(rows, link_prefix, heading)]
    out.append(f"{heading} {_t('durations_heading')}\n")
    table = []
    for module in modules:
        table.append(
            [
                _module_link(module.id, module.label, link_prefix),
                _t("durations_when", day=module.day, half_day=_half_day_text(module)),
                format_duration(module.teaching_minutes),
                format_duration(module.exercise_minutes),
                format_duration(module.minutes),
            ]
        )
    total_teaching = sum(m.teaching_minutes for m in modules)
    total_exercise = sum(m.exercise_minutes for m in modules)
    table.append(
        [
            f"**{_t('total')}**",
            "",
            f"**{format_duration(total_teaching)}**",
            f"**{format_duration(total_exercise)}**",
            f"**{format_duration(total_teaching + total_exercise)}**",
        ]
    )
    out.append(_table(_columns("durations_columns"), table))
    return "\n".join(out) + "\n"


def render_one_day_markdown(
    modules: Iterable[Module], link_prefix: str | None = "modules/", heading: str = "###"
) -> str:
    """The one-day variant as Markdown, with each module's time next to its three-day time."""
    modules = list(modules)
    rows = one_day_rows(modules)
    minutes = one_day_minutes(modules)
    out = [_render_rows(rows, link_prefix, heading)]
    out.append(f"{heading} {_t('one_day_heading')}\n")
    table = [
        [
            _module_link(m.id, m.label, link_prefix),
            format_duration(minutes[m.id]),
            format_duration(m.minutes),
        ]
        for m in modules
    ]
    table.append(
        [
            f"**{_t('total')}**",
            f"**{format_duration(sum(minutes.values()))}**",
            f"**{format_duration(sum(m.minutes for m in modules))}**",
        ]
    )
    out.append(_table(_columns("one_day_columns"), table))
    return "\n".join(out) + "\n"


def render_module_card(module: Module, modules: Iterable[Module]) -> str:
    """When, how long, what it needs and its objectives: the top of a module's page in the guide."""
    by_id = {m.id: m for m in modules}
    lines = [
        _t("card_when", day=module.day, half_day=_half_day_text(module)),
        _t(
            "card_duration",
            total=format_duration(module.minutes),
            teaching=format_duration(module.teaching_minutes),
            exercise=format_duration(module.exercise_minutes),
        ),
    ]
    if module.needs:
        needed = ", ".join(
            _module_link(n, by_id[n].label, "") if n in by_id else n for n in module.needs
        )
        lines.append(_t("card_needs", needs=needed))
    lines.append(_t("card_page", notebook=module.notebook))
    lines.append("")
    lines.append(_t("card_objectives"))
    lines.append("")
    lines += [f"- {objective}" for objective in module.objectives]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- answer keys
KIND_LABELS = {
    SingleChoice: _t("kind_single"),
    MultipleChoice: _t("kind_multiple"),
    NumberAnswer: _t("kind_number"),
    OpenQuestion: _t("kind_open"),
}
ANSWER_TITLE = _t("answer_title")
OPEN_TITLE = _t("open_title")


def _number(value: float) -> str:
    """An answer as the question writes it: « 1 200 » for a question about « 1 216 » lines."""
    return frenchfmt.number(value, 12)


def _numbers(indices: Iterable[int]) -> str:
    shown = [str(i + 1) for i in indices]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + _t("and") + shown[-1]


def expected_answer(problem: Problem) -> str:
    """The expected answer of a quiz question, as the guide's answer key titles it."""
    if isinstance(problem, SingleChoice):
        return ANSWER_TITLE + _t("answer_choice", choices=problem.answer + 1)
    if isinstance(problem, MultipleChoice):
        return ANSWER_TITLE + _t("answer_choice", choices=_numbers(problem.answer))
    if isinstance(problem, NumberAnswer):
        text = _number(problem.answer) + (f"\u00a0{problem.unit}" if problem.unit else "")
        if problem.tolerance:
            text += _t("answer_tolerance", tolerance=_number(problem.tolerance))
        return ANSWER_TITLE + text
    return OPEN_TITLE


def render_answer_key(bank: Bank) -> str:
    """The answer key of a quiz bank: each question with its choices marked, then the expected
    answer with the hints, the explanation and why each wrong choice is wrong."""
    count = len(bank.problems)
    out = [_t("key_count", title=bank.title, count=count, plural="s" if count > 1 else "") + "\n"]
    for number, problem in enumerate(bank.problems, start=1):
        kind = next(label for cls, label in KIND_LABELS.items() if isinstance(problem, cls))
        out.append(f"**{number}. {problem.prompt}** *({kind})*\n")
        if isinstance(problem, (SingleChoice, MultipleChoice)):
            right = problem.answer if isinstance(problem, MultipleChoice) else [problem.answer]
            for index, choice in enumerate(problem.choices):
                mark = _t("key_right") if index in right else _t("key_wrong")
                out.append(f"{index + 1}. {choice} — {mark}")
            out.append("")
        title = expected_answer(problem).replace('"', "«")
        kind_class = "note" if isinstance(problem, OpenQuestion) else "success"
        lines = []
        for hint_number, hint in enumerate(problem.hints, start=1):
            label = (
                _t("key_hint")
                if len(problem.hints) == 1
                else _t("key_hint_number", number=hint_number)
            )
            lines.append(f"- **{label}** : {hint}")
        if problem.explanation:
            lines.append(_t("key_explanation", text=problem.explanation))
        reasons = getattr(problem, "reasons", {}) or {}
        for index in sorted(reasons):
            if 0 <= index < len(problem.choices):
                lines.append(_t("key_if_answered", number=index + 1, reason=reasons[index]))
        block = [f'!!! {kind_class} "{title}"']
        block += [f"    {line}" for line in lines] or [f"    {_t('key_nothing')}"]
        out.append("\n".join(block) + "\n")
    return "\n".join(out)


# ------------------------------------------------------------------------------ dataset defects
def render_defects_markdown(package: Mapping[str, Any]) -> str:
    """The documented defects of a dataset (its ``datapackage.json``) as a Markdown table: kind,
    columns, count, description and what to do about it."""
    texts = load_message_domains()["guide"]["defects"]
    rows = []
    for defect in package.get("defects") or []:
        kind = str(defect.get("kind") or "other")
        text = texts.get(kind) or texts["other"]
        columns = ", ".join(f"`{c}`" for c in defect.get("columns") or []) or _t(
            "defects_all_columns"
        )
        count = defect.get("count")
        rows.append(
            [
                text["label"],
                columns,
                str(count) if count is not None else "",
                str(defect.get("description") or ""),
                text["fix"],
            ]
        )
    if not rows:
        return _t("defects_none") + "\n"
    return _table(_columns("defects_columns"), rows) + "\n"


def load_datapackages(folder: Path) -> dict[str, dict[str, Any]]:
    """``{folder name: datapackage.json content}`` for every dataset folder of ``folder``."""
    import json

    packages = {}
    for path in sorted(folder.glob("*/datapackage.json")):
        try:
            packages[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            packages[path.parent.name] = {"title": path.parent.name, "defects": []}
    return packages


def render_datasets_markdown(packages: Mapping[str, Mapping[str, Any]]) -> str:
    """The bundled datasets as a Markdown table: title, theme, suggested targets, licence."""
    rows = []
    for name, package in sorted(packages.items()):
        targets = []
        for target in package.get("suggested_targets") or []:
            tasks = {
                "classification": _t("task_classification"),
                "regression": _t("task_regression"),
            }
            task = tasks.get(str(target.get("task")), str(target.get("task") or ""))
            targets.append(f"`{target.get('column')}` ({task})" if task else f"`{target}`")
        licences = ", ".join(
            str(lic.get("title") or lic.get("name") or "") for lic in package.get("licenses") or []
        )
        title = str(package.get("title") or name)
        if package.get("simulated"):
            title += _t("simulated")
        rows.append(
            [
                f"`{name}`",
                title,
                str(package.get("theme") or ""),
                ", ".join(targets),
                licences,
                str(len(package.get("defects") or [])),
            ]
        )
    return _table(_columns("datasets_columns"), rows) + "\n"


# -------------------------------------------------------------------------------------- messages
TRAINEE, FACILITATOR = "trainee", "facilitator"
# Domains whose messages only a facilitator meets (files of content/, the command line).
FACILITATOR_DOMAINS = ("content", "guide", "dataset_cli", "datapackage", "commands", "cli")

_FIELD = re.compile(r"\{([a-z_0-9]+)\}")
_TAG = re.compile(r"<[^>]+>")
_KEY = r'"([a-z_]+\.[a-z0-9_]+)"'
# How code shows a message to a person: raised as an error, put in a message area, in a notice, or
# as quiz feedback.
_SHOWN_PATTERNS = (
    re.compile(r"\berror\(\s*" + _KEY),
    re.compile(r"\.(?:warning|error|info|success)\(\s*(?:messages\.)?text\(\s*" + _KEY),
    re.compile(r"message_html\(\s*\"[a-z]+\",\s*(?:messages\.)?text\(\s*" + _KEY),
    re.compile(r"Feedback\(\s*\w+,\s*(?:messages\.)?text\(\s*" + _KEY),
)


@dataclass(frozen=True)
class MessageEntry:
    domain: str
    key: str
    message: str
    hint: str = ""

    @property
    def full_key(self) -> str:
        return f"{self.domain}.{self.key}"


def load_message_domains(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The raw message files: ``{domain: {key: str | {message, hint}}}``, with each file's first
    comment line under the key ``""`` (its description)."""
    folder = folder or Path(messages.__file__).resolve().parent
    domains: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        first = next((line for line in text.splitlines() if line.strip()), "")
        description = first.lstrip("# ").strip() if first.startswith("#") else ""
        domains[path.stem] = {"": description, **data}
    return domains


def message_keys_in_code(sources: Iterable[str]) -> set[str]:
    """Message keys that code shows to a person (see ``_SHOWN_PATTERNS``), from source texts."""
    found: set[str] = set()
    for source in sources:
        for pattern in _SHOWN_PATTERNS:
            found.update(pattern.findall(source))
    return found


def load_code_sources(folder: Path | None = None) -> list[str]:
    """The text of every Python file of the ``labkit`` package."""
    folder = folder or Path(messages.__file__).resolve().parent.parent
    return [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))]


def all_message_keys(domains: Mapping[str, Mapping[str, Any]]) -> set[str]:
    return {f"{domain}.{key}" for domain, entries in domains.items() for key in entries if key}


def message_entries(
    domain: str, entries: Mapping[str, Any], shown: set[str] | frozenset[str] = frozenset()
) -> list[MessageEntry]:
    """The messages of a domain a person can meet: every message with a hint, and every key in
    ``shown`` (the keys code shows as a message); labels, help texts and titles are left out."""
    found = []
    for key, value in entries.items():
        if not key:
            continue
        if isinstance(value, Mapping):
            text, hint = str(value.get("message") or ""), str(value.get("hint") or "")
        else:
            text, hint = str(value), ""
        if text and (hint or f"{domain}.{key}" in shown):
            found.append(MessageEntry(domain, key, text, hint))
    return found


def shown_text(text: str) -> str:
    """A message as the guide shows it: tags removed, ``{field}`` as ``[field]``."""
    return _FIELD.sub(r"*[\1]*", _TAG.sub("", text)).strip()


def render_messages_markdown(
    domains: Mapping[str, Mapping[str, Any]],
    notes: Mapping[str, str] | None = None,
    audience: str | None = None,
    heading: str = "##",
    shown: Iterable[str] = (),
) -> str:
    """The messages per domain as Markdown tables: message, what the person can do, and the
    facilitator's note (``notes``: full key → text). ``shown``: keys code shows as messages (see
    :func:`message_keys_in_code`); keys with a note are shown too. ``audience`` keeps only TRAINEE
    or FACILITATOR domains."""
    notes = dict(notes or {})
    unknown = sorted(set(notes) - all_message_keys(domains))
    if unknown:
        raise messages.error("guide.unknown_note", keys=", ".join(unknown))
    titles = (domains.get("guide") or {}).get("domains") or {}
    order = {name: index for index, name in enumerate(titles)}
    out = []
    for domain in sorted(domains, key=lambda d: (order.get(d, len(order)), d)):
        kind = FACILITATOR if domain in FACILITATOR_DOMAINS else TRAINEE
        if audience and kind != audience:
            continue
        entries = message_entries(domain, domains[domain], set(shown) | set(notes))
        if not entries:
            continue
        title = titles.get(domain) or _t("domain_title", domain=domain)
        out.append(f"{heading} {title}\n")
        out.append(_t("domain_file", domain=domain) + "\n")
        rows = []
        for entry in entries:
            rows.append(
                [
                    f"{shown_text(entry.message)}<br>`{entry.full_key}`",
                    shown_text(entry.hint) or "—",
                    notes.get(entry.full_key, ""),
                ]
            )
        out.append(_table(_columns("messages_columns"), rows) + "\n")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------- utils
def _half_day_text(module: Module) -> str:
    """« matin » or « après-midi », as a sentence says it."""
    return HALF_DAY_LABELS[half_day_of(module)].lower()


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ------------------------------------------------------------------------ sizing a room's server
SIZING_ROOMS = (10, 20, 30)  # room sizes the guide's table gives, besides the rule for N
SIZING_MARGIN = 1.5  # memory to provision: the estimated peak with half again as margin


def room_sizing(record: Mapping[str, Any]) -> str:
    """The guide's sizing of a server for a room, computed from the measured rooms of
    ``benchmarks/load.py --record`` (``facilitator-guide/mesures-salle.json``): the measures as
    they are, then for 10, 20 and 30 people and for any N, the memory of a straight line fitted
    to the measured peaks (least squares) and the CPU seconds per person measured with the shared
    cache. Markdown, in French."""
    rooms = sorted(
        (r for r in record.get("rooms") or [] if r.get("learners") and r.get("peak_mib")),
        key=lambda r: r["learners"],
    )
    if len(rooms) < 2:
        raise ValueError("the sizing needs at least two measured rooms")
    sizes = [float(r["learners"]) for r in rooms]
    peaks = [r["peak_mib"] / 1024 for r in rooms]
    mean_n, mean_peak = sum(sizes) / len(sizes), sum(peaks) / len(peaks)
    slope = sum((n - mean_n) * (p - mean_peak) for n, p in zip(sizes, peaks, strict=True)) / sum(
        (n - mean_n) ** 2 for n in sizes
    )
    base = mean_peak - slope * mean_n
    cpu = [
        r["cpu_per_learner"] for r in rooms if r.get("cpu_per_learner") and r.get("shared_cache")
    ]
    per_person = max(cpu) if cpu else None

    def gb(value: float) -> str:
        return f"{frenchfmt.number(value, 2)} Go"

    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{frenchfmt.number(value, 2)} s"

    def day(value: str) -> str:
        return "/".join(reversed(value.split("-")))

    dates = sorted({str(r["measured"]) for r in rooms if r.get("measured")})
    lines = [
        _t(
            "sizing_measured",
            machine=record.get("machine") or "?",
            dates=", ".join(day(d) for d in dates) or "—",
        ),
        "",
        "| " + " | ".join(_columns("sizing_measured_columns")) + " |",
        "|" + "---|" * len(_columns("sizing_measured_columns")),
    ]
    for r in rooms:
        lines.append(
            f"| {r['learners']} | {seconds(r.get('page_p95'))} | {seconds(r.get('switch_p95'))} / "
            f"{seconds(r.get('switch_max'))} | {r.get('errors', 0)} | {r.get('lost', 0)} | "
            f"{gb(r['peak_mib'] / 1024)} | {seconds(r.get('cpu_per_learner'))} |"
        )
    lines += [
        "",
        _t("sizing_rule", per=frenchfmt.number(slope, 2), base=frenchfmt.number(base, 2)),
        "",
        "| " + " | ".join(_columns("sizing_rooms_columns")) + " |",
        "|" + "---|" * len(_columns("sizing_rooms_columns")),
    ]
    for n in SIZING_ROOMS:
        peak = base + slope * n
        planned = math.ceil(peak * SIZING_MARGIN)
        cpu_total = "—" if per_person is None else f"{frenchfmt.number(per_person * n, 3)} s"
        lines.append(f"| {n} | {gb(peak)} | {planned} Go | {cpu_total} |")
    return "\n".join(lines)
