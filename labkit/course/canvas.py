"""The *fiche projet* (project canvas) of module 02: from a public-service problem to a question a
model can answer.

Pure code: the fields (their French label, guidance and worked example live in
``labkit/messages/canvas.yaml``), their validation, the record kept in the learner's workspace
(key ``canvas``, written by :mod:`labkit.learner.course`) and the exports (Markdown, standalone
HTML). Text typed by the learner is never trusted: it is normalised, its length is capped, and it
is escaped in every export.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from labkit import messages

KEY = "canvas"
FORMAT_VERSION = 1
TITLE_MAX = 120
TEXT_MAX = 1500


@dataclass(frozen=True)
class CanvasField:
    id: str
    required: bool
    max_length: int = TEXT_MAX
    lines: int = 4  # height of the text box, in lines

    @property
    def label(self) -> str:
        return messages.text(f"canvas.{self.id}_label")

    @property
    def help(self) -> str:
        return messages.text(f"canvas.{self.id}_help")

    @property
    def example(self) -> str:
        """The running example's text for this field (its story file's ``canevas``), or ""."""
        from labkit.settings import load_settings

        return load_settings().running_example.canvas.get(self.id, "")


FIELDS: tuple[CanvasField, ...] = (
    CanvasField("titre", True, TITLE_MAX, 1),
    CanvasField("probleme", True),
    CanvasField("decision", True),
    CanvasField("utilisateurs", True, lines=3),
    CanvasField("cible", True, lines=3),
    CanvasField("donnees", True),
    CanvasField("critere", True),
    CanvasField("valeur", False, lines=3),
    CanvasField("regle_simple", True),
    CanvasField("parties_prenantes", False, lines=3),
)
FIELD_IDS = tuple(f.id for f in FIELDS)
REQUIRED = tuple(f.id for f in FIELDS if f.required)
_BY_ID = {f.id: f for f in FIELDS}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029]")


def field(field_id: str) -> CanvasField:
    return _BY_ID[field_id]


def clean_text(value: Any, field_id: str) -> str:
    """One field's text: Unicode-normalised, Windows/Mac line ends unified, control characters
    removed, spaces trimmed (a title is kept on one line). ``None`` is an empty field."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise messages.error("canvas.not_text", label=field(field_id).label)
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub("", text)
    if field(field_id).lines == 1:
        text = " ".join(text.split())
    else:
        lines = [line.rstrip() for line in text.split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip()


def normalise(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Every field of the canvas (empty when absent); unknown keys are dropped."""
    values = values if isinstance(values, Mapping) else {}
    return {f.id: clean_text(values.get(f.id), f.id) for f in FIELDS}


@dataclass(frozen=True)
class Issue:
    field: str
    kind: str  # "missing" or "too_long"
    message: str
    hint: str | None = None


def validate(values: Mapping[str, Any]) -> list[Issue]:
    """What is wrong with the canvas, field by field, in French (empty list: all good)."""
    clean = normalise(values)
    issues = []
    for f in FIELDS:
        text = clean[f.id]
        if f.required and not text:
            issues.append(
                Issue(
                    f.id,
                    "missing",
                    messages.text("canvas.missing", label=f.label),
                    messages.hint("canvas.missing", label=f.label),
                )
            )
        elif len(text) > f.max_length:
            fields = {"label": f.label, "length": len(text), "max": f.max_length}
            issues.append(
                Issue(
                    f.id,
                    "too_long",
                    messages.text("canvas.too_long", **fields),
                    messages.hint("canvas.too_long", **fields),
                )
            )
    return issues


def missing_fields(values: Mapping[str, Any]) -> list[str]:
    return [i.field for i in validate(values) if i.kind == "missing"]


def is_complete(values: Mapping[str, Any]) -> bool:
    return not validate(values)


@dataclass(frozen=True)
class SaveResult:
    values: dict[str, str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def message(self) -> str:
        if self.complete:
            return messages.text("canvas.saved")
        labels = ", ".join(f"« {field(f).label} »" for f in self.missing)
        return messages.text("canvas.saved_incomplete", count=len(self.missing), fields=labels)

    @property
    def hint(self) -> str | None:
        return None if self.complete else messages.hint("canvas.saved_incomplete")


def checked_for_saving(values: Mapping[str, Any]) -> SaveResult:
    """The canvas as it is saved (a draft if required fields are empty).

    A too long field is refused with a French :class:`DatalabError` (nothing is to be written).
    """
    clean = normalise(values)
    issues = validate(clean)
    too_long = [i for i in issues if i.kind == "too_long"]
    if too_long:
        f = field(too_long[0].field)
        raise messages.error(
            "canvas.too_long", label=f.label, length=len(clean[f.id]), max=f.max_length
        )
    return SaveResult(clean, [i.field for i in issues if i.kind == "missing"])


def record(result: SaveResult, when: _dt.datetime) -> dict[str, Any]:
    """What is kept of a saved canvas (workspace key ``canvas``)."""
    return {
        "version": FORMAT_VERSION,
        "fields": result.values,
        "complete": result.complete,
        "saved_at": when.isoformat(timespec="seconds"),
    }


def from_record(stored: Any) -> dict[str, str] | None:
    """The canvas a record holds (every field present, lengths capped), ``None`` if there is
    none."""
    if not isinstance(stored, Mapping):
        return None
    raw = stored.get("fields") if isinstance(stored.get("fields"), Mapping) else stored
    values = {}
    for f in FIELDS:
        try:
            text = clean_text(raw.get(f.id), f.id)
        except Exception:  # noqa: BLE001 - a damaged field is dropped, not fatal
            text = ""
        values[f.id] = text[: f.max_length]
    return values


def saved_at(stored: Any) -> str | None:
    """When the canvas of this record was saved (ISO text), if known."""
    if isinstance(stored, Mapping) and isinstance(stored.get("saved_at"), str):
        return stored["saved_at"]
    return None


def example_values() -> dict[str, str]:
    """The worked example of every field, from the running example's story ("" when it has none)."""
    return {f.id: f.example for f in FIELDS}


def fill_blanks_with_example(values: Mapping[str, Any]) -> dict[str, str]:
    """The canvas with each empty field replaced by its worked example (filled fields are kept)."""
    clean = normalise(values)
    example = example_values()
    return {k: v or example[k] for k, v in clean.items()}


def summary(stored: Any) -> dict[str, Any]:
    """Plain values of a canvas record for the final report of module 06."""
    values = from_record(stored)
    return {
        "saved": values is not None,
        "complete": values is not None and is_complete(values),
        "saved_at": saved_at(stored),
        "fields": [
            {"id": f.id, "label": f.label, "value": (values or {}).get(f.id, "")} for f in FIELDS
        ],
    }


QUOTE_MAX = 300  # characters of a field quoted in another module


def decision_context(values: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """What the learner wrote about the data known when the decision is made (field
    ``donnees``), else about the decision itself (``decision``), to quote in module 05: (field
    id, text on one line, cut to :data:`QUOTE_MAX` characters); ``None`` when neither is written."""
    clean = normalise(values)
    for field_id in ("donnees", "decision"):
        text = " ".join(clean[field_id].split())
        if text:
            if len(text) > QUOTE_MAX:
                text = text[: QUOTE_MAX - 1].rstrip() + "…"
            return field_id, text
    return None


# ------------------------------------------------------------------------------------ exports
@dataclass(frozen=True)
class _Document:
    """The texts of an exported canvas, before any escaping (the same for every format)."""

    title: str  # the project's title (or « à compléter »)
    subtitle: str
    author: str  # « Rédigée par : … » or empty
    date: str
    status: str
    empty: str  # what an empty section shows
    sections: list[tuple[str, str]]  # (label, text) of every field after the title

    @property
    def heading(self) -> str:
        return f"{messages.text('canvas.doc_title')} : {self.title}"


def _document(values: Mapping[str, Any], author: str | None, when: _dt.date | None) -> _Document:
    clean = normalise(values)
    missing = missing_fields(clean)
    empty = messages.text("canvas.doc_empty")
    return _Document(
        title=clean["titre"] or empty,
        subtitle=messages.text("canvas.doc_subtitle"),
        author=messages.text("canvas.doc_author", author=author) if author else "",
        date=messages.text("canvas.doc_date", date=(when or _dt.date.today()).strftime("%d/%m/%Y")),
        status=messages.text("canvas.doc_status_complete")
        if not missing
        else messages.text("canvas.doc_status_incomplete", count=len(missing)),
        empty=empty,
        sections=[(f.label, clean[f.id]) for f in FIELDS[1:]],
    )


def _markdown_text(text: str) -> str:
    """Learner's text for Markdown: no raw HTML (``<`` and ``>`` escaped), line breaks kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "  \n".join(text.split("\n"))


def to_markdown(
    values: Mapping[str, Any], author: str | None = None, when: _dt.date | None = None
) -> str:
    doc = _document(values, author, when)
    lines = [f"# {messages.text('canvas.doc_title')} : {_markdown_text(doc.title)}", ""]
    lines.append(f"*{doc.subtitle}*  ")
    if doc.author:
        lines.append(f"{_markdown_text(doc.author)}  ")
    lines += [doc.date, "", f"> {doc.status}", ""]
    for label, text in doc.sections:
        lines += [f"## {label}", "", _markdown_text(text) if text else f"*{doc.empty}*", ""]
    return "\n".join(lines).rstrip() + "\n"


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("labkit.course", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def to_html(
    values: Mapping[str, Any], author: str | None = None, when: _dt.date | None = None
) -> str:
    """A standalone HTML document (no script, no external file), every text escaped
    (``labkit/course/templates/canvas.html.j2``, autoescaped)."""
    document = (
        _templates().get_template("canvas.html.j2").render(doc=_document(values, author, when))
    )
    return document.rstrip("\n") + "\n"


def export_filename(values: Mapping[str, Any], extension: str) -> str:
    """``fiche-projet-<title>.<extension>``, with a safe ASCII name."""
    title = normalise(values)["titre"]
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"fiche-projet-{slug or 'sans-titre'}.{extension}"
