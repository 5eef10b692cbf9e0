"""The accessibility statement of the workshop (RGAA 4.1.2), from ``content/accessibilite.yaml``.

A French public body that publishes the workbook must publish an accessibility statement and say
on its home page « Accessibilité : non / partiellement / totalement conforme ». The statement is
built here from the self-assessment of that file (one entry per RGAA criterion checked: status,
how it was checked, the automated test that checks it, the alternative offered when it fails) and
from the organisation named in ``content/settings.yaml``:

- :func:`load_statement` reads and checks the file (French messages when malformed);
- :attr:`Statement.rate` is the share of applicable criteria assessed that are met;
- :attr:`Statement.status` is the legal wording: a self-assessment of part of the 106 criteria is
  no audit, so the workshop is « non conforme » until every criterion has been assessed;
- :func:`statement_html` (the home page) and :func:`statement_markdown` (the facilitator guide)
  render it. Pure: no widgets, no files written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from labkit import messages, paths
from labkit.yamlfile import load_yaml, require, where

STATEMENT_FILE = "accessibilite.yaml"
RGAA_CRITERIA = 106  # criteria of RGAA 4.1.2
STATUSES = ("C", "NC", "NA")


def _t(key: str, **fields) -> str:
    return messages.text(f"accessibility.{key}", **fields)


@dataclass(frozen=True)
class Criterion:
    number: str
    title: str
    status: str  # C, NC or NA
    comment: str
    alternative: str = ""
    test: str = ""  # "tests/…py::test_…" that checks it, when there is one


@dataclass(frozen=True)
class Statement:
    organisation: str
    contact: str
    address: str
    date: str
    criteria: tuple[Criterion, ...]

    @property
    def applicable(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status != "NA"]

    @property
    def rate(self) -> int:
        """Percentage of the applicable criteria assessed that are met (rounded down)."""
        applicable = self.applicable
        if not applicable:
            return 0
        met = sum(c.status == "C" for c in applicable)
        return met * 100 // len(applicable)

    @property
    def complete(self) -> bool:
        return len({c.number for c in self.criteria}) >= RGAA_CRITERIA

    @property
    def status(self) -> str:
        """« non conforme », « partiellement conforme » or « totalement conforme » (RGAA rules:
        100 % for total, 50 % at least for partial, and only after every criterion is assessed)."""
        if not self.complete or self.rate < 50:
            return _t("status_none")
        return _t("status_full") if self.rate == 100 else _t("status_partial")

    @property
    def failing(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == "NC"]


def statement_path() -> Path:
    return paths.content_dir() / STATEMENT_FILE


def load_statement(path: Path | None = None, organisation: str | None = None) -> Statement:
    """The statement of ``content/accessibilite.yaml``; a malformed file raises a French error."""
    path = Path(path) if path is not None else statement_path()
    data = load_yaml(path)
    top = where("file")
    if not isinstance(data, dict):
        raise messages.error("content.field_missing", path=path.name, where=top, field="criteres")
    items = require(data, "criteres", list, path=path, where=top)
    criteria, seen = [], set()
    for index, item in enumerate(items, start=1):
        place = _t("where_criterion", index=index)
        number = str(require(item, "numero", (str, int, float), path=path, where=place)).strip()
        status = str(require(item, "statut", str, path=path, where=place)).strip().upper()
        if status not in STATUSES:
            raise messages.error(
                "accessibility.bad_status", number=number, status=status, path=path.name
            )
        if number in seen:
            raise messages.error("accessibility.duplicate", number=number, path=path.name)
        seen.add(number)
        alternative = str(item.get("alternative") or "").strip()
        if status == "NC" and not alternative:
            raise messages.error("accessibility.no_alternative", number=number, path=path.name)
        criteria.append(
            Criterion(
                number=number,
                title=str(require(item, "intitule", str, path=path, where=place)).strip(),
                status=status,
                comment=str(require(item, "comment", str, path=path, where=place)).strip(),
                alternative=alternative,
                test=str(item.get("test") or "").strip(),
            )
        )
    if organisation is None:
        from labkit.settings import load_settings

        organisation = load_settings().organisation
    return Statement(
        organisation=(organisation or "").strip(),
        contact=str(data.get("contact") or "").strip(),
        address=str(data.get("adresse") or "").strip(),
        date=str(data.get("date") or "").strip(),
        criteria=tuple(criteria),
    )


def headline(statement: Statement) -> str:
    """« Accessibilité : non conforme », the words the home page must carry."""
    return _t("headline", status=statement.status)


def _paragraphs(statement: Statement) -> list[tuple[str, str]]:
    """The statement as (kind, text) parts: "h" a heading, "p" a paragraph, "li" a list item."""
    who = statement.organisation or _t("organisation_unknown")
    assessed = len({c.number for c in statement.criteria})
    parts = [
        ("p", _t("commitment", organisation=who)),
        ("p", _t("scope_address", address=statement.address) if statement.address else _t("scope")),
        ("h", _t("title_state")),
        ("p", _t("state_audited" if statement.complete else "state", status=statement.status)),
        ("h", _t("title_results")),
        (
            "p",
            _t(
                "results",
                assessed=assessed,
                total=RGAA_CRITERIA,
                applicable=len(statement.applicable),
                rate=statement.rate,
            ),
        ),
        ("h", _t("title_failing")),
    ]
    parts += [
        ("li", _t("failing_item", number=c.number, title=c.title, comment=c.comment,
                  alternative=c.alternative))
        for c in statement.failing
    ]  # fmt: skip
    parts += [
        ("h", _t("title_contact")),
        (
            "p",
            _t("contact", contact=statement.contact) if statement.contact else _t("contact_room"),
        ),
        ("h", _t("title_appeal")),
        ("p", _t("appeal")),
    ]
    if statement.date:
        parts.append(("p", _t("date", date=statement.date)))
    return parts


def statement_html(statement: Statement, heading_level: int = 3) -> str:
    """The statement in HTML (escaped), headings at ``heading_level``."""
    out, items = [], []

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for kind, text in _paragraphs(statement):
        if kind == "li":
            items.append(html.escape(text))
            continue
        flush()
        tag = f"h{heading_level}" if kind == "h" else "p"
        out.append(f"<{tag}>{html.escape(text)}</{tag}>")
    flush()
    return "".join(out)


def statement_markdown(statement: Statement) -> str:
    """The statement and its self-assessment table, in Markdown (the facilitator guide)."""
    lines = []
    for kind, text in _paragraphs(statement):
        if kind == "h":
            lines += ["", f"#### {text}", ""]
        elif kind == "li":
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    lines += ["", f"#### {_t('title_grid')}", ""]
    lines.append(
        f"| {_t('col_number')} | {_t('col_title')} | {_t('col_status')} | {_t('col_how')} |"
    )
    lines.append("|---|---|---|---|")
    for c in statement.criteria:
        how = c.comment + (f" ({_t('test_named', test=c.test)})" if c.test else "")
        if c.alternative:
            how += " " + _t("alternative", alternative=c.alternative)
        cells = (c.number, c.title, _t(f"label_{c.status}"), how)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines).strip() + "\n"
