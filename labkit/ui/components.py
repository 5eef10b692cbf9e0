"""Shared page parts, written once: theme, message area, safe callbacks, header, navigation,
pseudonym form, download links, progress display."""

from __future__ import annotations

import base64
import functools
import html as _html
import itertools
import logging
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from traitlets import HasTraits

from labkit import frenchfmt, messages
from labkit.course.modules import STATUS_LABELS, Module
from labkit.errors import DatalabError

messages.preload()  # while a preheated kernel waits for its learner, not after

log = logging.getLogger("labkit")
if not log.handlers:
    _handler = logging.StreamHandler(sys.__stderr__)
    _handler.setFormatter(logging.Formatter("%(asctime)s labkit %(levelname)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

esc = _html.escape

THEME_CSS = """
<style>
.dl-page { --dl-blue: #000091; --dl-blue-light: #e3e3fd; --dl-green: #18753c; --dl-green-light: #b8fec9;
  --dl-red: #ce0500; --dl-red-light: #ffe9e9; --dl-orange: #8d4000; --dl-orange-light: #ffe9e6;
  --dl-info: #0063cb; --dl-info-light: #e8edff; --dl-grey: #3a3a3a; --dl-border: #929292;
  font-family: "Marianne", "Segoe UI", Arial, sans-serif; color: #161616; }
.dl-header { border-left: 6px solid var(--dl-blue); padding: .4rem 1rem .6rem; margin-bottom: 1rem; background: #f6f6f6; }
.dl-header h1 { color: var(--dl-blue); margin: .2rem 0 .1rem; font-size: 2rem; line-height: 1.2; }
.dl-header .dl-subtitle { font-size: 1.15rem; color: var(--dl-grey); margin: 0 0 .5rem; }
.dl-header .dl-meta { font-size: .95rem; color: var(--dl-grey); margin: .2rem 0; }
.dl-header ul { margin: .2rem 0 .4rem 1.2rem; padding: 0; }
.dl-msg { border-left: 5px solid; padding: .55rem .9rem; margin: .4rem 0; border-radius: 2px; line-height: 1.45; }
.dl-msg p { margin: 0; }
.dl-msg .dl-hint { margin-top: .25rem; }
.dl-msg-info { border-color: var(--dl-info); background: var(--dl-info-light); }
.dl-msg-success { border-color: var(--dl-green); background: #e6feda; }
.dl-msg-warning { border-color: var(--dl-orange); background: var(--dl-orange-light); }
.dl-msg-error { border-color: var(--dl-red); background: var(--dl-red-light); }
.dl-nav { display: flex; flex-wrap: wrap; gap: .6rem 1.5rem; align-items: center; padding: .6rem 0; margin: .5rem 0;
  border-top: 1px solid var(--dl-border); border-bottom: 1px solid var(--dl-border); }
.dl-nav a, .dl-link { color: var(--dl-blue); font-weight: 600; text-decoration: underline; }
.dl-nav a:focus, .dl-link:focus, .dl-form input:focus, .dl-form button:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: .5rem 0; }
.dl-form label { display: block; font-weight: 600; margin-bottom: .2rem; }
.dl-form input { font-size: 1rem; padding: .45rem .6rem; border: 1px solid #666; border-radius: 3px; min-width: 16rem; }
.dl-form button, .dl-button-link { font-size: 1rem; padding: .5rem 1rem; background: var(--dl-blue); color: #fff;
  border: none; border-radius: 3px; cursor: pointer; text-decoration: none; display: inline-block; }
.dl-form .dl-help { flex-basis: 100%; font-size: .9rem; color: var(--dl-grey); margin: 0; }
.dl-badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; }
.dl-badge-todo { background: #eee; color: #3a3a3a; }
.dl-badge-in_progress { background: var(--dl-info-light); color: #00306b; }
.dl-badge-done { background: #e6feda; color: #0f4a25; }
.dl-table { border-collapse: collapse; margin: .5rem 0; font-size: .95rem; }
.dl-table th, .dl-table td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
.dl-table th { background: #f0f0f0; }
.dl-card { border: 1px solid #ccc; border-radius: 4px; padding: .6rem .9rem; margin: .4rem 0; background: #fff; }
.dl-card h3, .dl-card h4 { margin: .1rem 0 .3rem; color: var(--dl-blue); }
.dl-muted { color: var(--dl-grey); font-size: .92rem; }
.dl-sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.dl-charts-ahead { position: absolute; left: -10000px; top: 0; width: 320px; height: 200px;
  overflow: hidden; visibility: hidden; }
.dl-figure .widget-output .jp-OutputArea, .dl-figure .widget-output .jp-OutputArea-child,
.dl-figure .widget-output .js-plotly-plot { display: block; height: 100%; }
.dl-figure .widget-output .js-plotly-plot { overflow: hidden; } /* plotly fits it to its box */
.dl-figure-data { margin: .3rem 0 .8rem; }
.dl-figure-scroll { overflow-x: auto; max-width: 100%; }
.dl-figure-scroll:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-figure-data > summary { cursor: pointer; color: var(--dl-blue, #000091); }
.dl-figure-data > summary:focus-visible { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-section-title { color: var(--dl-blue); font-size: 1.25rem; margin: 1.2rem 0 .4rem; }
.dl-quiz-question { border: 1px solid #ccc; border-radius: 4px; padding: .6rem .9rem; margin: .6rem 0; }
.dl-quiz-question h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
.dl-page .widget-button, .dl-page .jupyter-button { font-size: .95rem; height: auto; min-height: 2.2rem; padding: .3rem .9rem; }
.dl-page .mod-primary { background-color: var(--dl-blue); color: #fff; }
.dl-page .mod-danger { background-color: var(--dl-red); color: #fff; }
.dl-page .mod-success { background-color: var(--dl-green); color: #fff; }
.dl-page .mod-warning { background-color: var(--dl-orange); color: #fff; }
.dl-page .mod-info { background-color: var(--dl-info); color: #fff; }
.dl-page .widget-label, .dl-page .widget-label-basic { color: #161616; }
.dl-page .widget-radio-box label, .dl-page .widget-checkbox label { font-size: .95rem; }
/* Nothing cut: button and label texts wrap instead of ending in « … » (ipywidgets gives buttons a
   fixed width and labels a fixed width, both with text-overflow: ellipsis). */
.jupyter-widgets.widget-button, .jupyter-widgets.jupyter-button { width: auto; max-width: 100%;
  white-space: normal; overflow: visible; text-overflow: clip; height: auto; min-height: 2.2rem;
  line-height: 1.3; text-align: center; flex-shrink: 0; }
.jupyter-widgets .widget-label, .jupyter-widgets .widget-label-basic, .widget-inline-hbox .widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto; min-height: var(--jp-widgets-inline-height, 28px);
  line-height: 1.3; overflow-wrap: anywhere; }
.widget-inline-hbox { height: auto; min-height: var(--jp-widgets-inline-height, 28px); flex-wrap: wrap; max-width: 100%; }
.widget-radio-box label, .widget-checkbox label, .widget-checkbox .widget-label-basic { white-space: normal;
  overflow: visible; text-overflow: clip; height: auto; }
.widget-dropdown select, .widget-select select { max-width: 100%; text-overflow: clip; }
.widget-hbox { flex-wrap: wrap; max-width: 100%; }
.dl-page, .widget-vbox { max-width: 100%; min-width: 0; }
/* Wide tables scroll inside their own box instead of widening the page; their cells keep their
   words whole (a page-wide « overflow-wrap: anywhere » squeezed a preview of 23 columns to one
   letter per line: « Natu re », issue 23), and only long texts wrap, at a readable width. */
.dl-table { display: block; max-width: 100%; overflow-x: auto; }
.dl-table th, .dl-table td { white-space: nowrap; overflow-wrap: normal; }
.dl-table .dl-wrap { white-space: normal; min-width: 14em; max-width: 30em; }
.dl-scroll .dl-table, .dl-figure-scroll .dl-table { display: table; max-width: none; overflow: visible; }
.dl-table[data-dl-scrolls]:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-page .widget-html-content, .dl-page .widget-htmlmath-content { max-width: 100%; overflow-wrap: anywhere; }
/* A hint in an empty field does not look like a value typed in. */
.jupyter-widgets input::placeholder, .jupyter-widgets textarea::placeholder { color: #666; font-style: italic; opacity: 1; }
.jupyter-widgets textarea { min-height: 4.5rem; }
/* The glossary, reachable from every module header. */
.dl-glossary { margin: .5rem 0 .2rem; }
.dl-glossary summary { cursor: pointer; color: var(--dl-blue); font-weight: 600; }
.dl-glossary summary:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-glossary dl { margin: .4rem 0; max-height: 24rem; overflow-y: auto; background: #fff; border: 1px solid #ccc; padding: .4rem .8rem; }
.dl-glossary dt { font-weight: 700; margin-top: .4rem; }
.dl-glossary dd { margin: .1rem 0 .2rem 1rem; }
</style>
"""


def styles() -> widgets.HTML:
    """The theme, once per page (the header includes it)."""
    return widgets.HTML(THEME_CSS)


def html(content: str, *classes: str) -> widgets.HTML:
    widget = widgets.HTML(content)
    for cls in classes:
        widget.add_class(cls)
    return widget


def page(*children: widgets.Widget) -> widgets.VBox:
    """A block of the page, styled by the theme."""
    box = widgets.VBox(list(children))
    box.add_class("dl-page")
    return box


def paragraph(text: str, *classes: str) -> widgets.HTML:
    """A paragraph of plain text (escaped), with CSS ``classes`` on the ``<p>``."""
    klass = f' class="{" ".join(classes)}"' if classes else ""
    return widgets.HTML(f"<p{klass}>{esc(text)}</p>")


def bullets_html(items) -> str:
    """The non-empty ``items`` as a bulleted list (escaped); nothing when there are none."""
    items = [i for i in items if i]
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>" if items else ""


def status_html(text: str) -> str:
    """A card that screen readers read out when it changes (the result of an action)."""
    return f'<div class="dl-card" role="status" aria-live="polite"><p>{esc(text)}</p></div>'


def uploaded_file(upload: widgets.FileUpload) -> tuple[str, bytes] | None:
    """(name, content) of the last file given to a FileUpload widget, or None."""
    if not upload.value:
        return None
    item = upload.value[-1]
    return str(item["name"]), bytes(item["content"])


def section_title(text: str, level: int = 3) -> widgets.HTML:
    return widgets.HTML(f'<h{level} class="dl-section-title">{esc(text)}</h{level}>')


def message_html(kind: str, text: str, hint: str | None = None) -> str:
    role = "alert" if kind == "error" else "status"
    body = f"<p>{esc(text)}</p>" + (f'<p class="dl-hint">{esc(hint)}</p>' if hint else "")
    return f'<div class="dl-msg dl-msg-{kind}" role="{role}">{body}</div>'


# Called as ``message_hook(kind, text)`` for every message shown; the page that knows the learner
# sets it (``labkit.ui.page``) so that the facilitator's room view sees the last error.
message_hook: Callable[[str, str], None] | None = None


class MessageArea(widgets.VBox):
    """Where a page tells the learner what happened: info, success, warning or error, in French."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("dl-page")
        self.add_class("dl-messages")

    def show(self, kind: str, text: str, hint: str | None = None, *, keep: bool = False) -> None:
        widget = widgets.HTML(message_html(kind, text, hint))
        self.children = (*self.children, widget) if keep else (widget,)
        if message_hook is not None:
            try:
                message_hook(kind, text)
            except Exception:  # noqa: BLE001 - a record for the facilitator, never the learner's error
                log.warning("could not record the message shown", exc_info=True)

    def info(self, text: str, hint: str | None = None, **kw) -> None:
        self.show("info", text, hint, **kw)

    def success(self, text: str, hint: str | None = None, **kw) -> None:
        self.show("success", text, hint, **kw)

    def warning(self, text: str, hint: str | None = None, **kw) -> None:
        self.show("warning", text, hint, **kw)

    def error(self, text: str, hint: str | None = None, **kw) -> None:
        self.show("error", text, hint, **kw)

    def clear(self) -> None:
        self.children = ()

    def show_exception(self, exc: BaseException) -> None:
        """A :class:`DatalabError` as its message; anything else logged, with a generic message."""
        if isinstance(exc, DatalabError):
            self.error(exc.message, exc.hint)
            return
        ref = uuid.uuid4().hex[:8]
        log.error("unexpected error (ref %s)", ref, exc_info=exc)
        self.error(messages.text("ui.unexpected"), messages.hint("ui.unexpected", ref=ref))


def guarded(area: MessageArea) -> Callable:
    """Decorate a widget callback: any exception becomes a French message in ``area``."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
                area.show_exception(exc)
                return None

        return wrapper

    return decorate


def when_changed(
    model: HasTraits, names: str | tuple[str, ...], area: MessageArea, callback
) -> None:
    """Call ``callback()`` each time one of the traits ``names`` of ``model`` (a page's state)
    changes; an exception becomes a French message in ``area``."""
    model.observe(guarded(area)(lambda _change: callback()), names=list(_names(names)))


def _names(names: str | tuple[str, ...]) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else tuple(names)


def run_guarded(area: MessageArea, function: Callable, *args: Any, **kwargs: Any) -> Any:
    return guarded(area)(function)(*args, **kwargs)


def file_upload(description: str, accept: str, **options) -> widgets.FileUpload:
    """A button to choose one file, named by its label (also its tooltip: without one, the page
    gives it the title « null », which screen readers read out)."""
    return widgets.FileUpload(
        accept=accept,
        multiple=False,
        description=description,
        tooltip=description,
        icon="",
        **options,
    )


_ids = itertools.count(1)


def element_id(prefix: str = "dl") -> str:
    """An HTML id unique in the page (every module of the app shares one page and one kernel)."""
    return f"{prefix}-{next(_ids)}"


def name_group(group: widgets.Widget, label_id: str, hint_id: str | None = None) -> widgets.Widget:
    """Name a group of controls (radio buttons, check boxes) by the element ``label_id`` (its
    question), and describe it by ``hint_id``. Widgets cannot carry ARIA attributes: the page
    template turns these classes into ``role="radiogroup"``/``"group"`` with ``aria-labelledby``
    and ``aria-describedby`` (WCAG 1.3.1, 4.1.2)."""
    group.add_class(f"dl-labelledby-{label_id}")
    if hint_id:
        group.add_class(f"dl-describedby-{hint_id}")
    return group


def class_token(text: str) -> str:
    """``text`` (a column's name, which may hold spaces, accents or quotes) as one CSS class
    token: a class with a space made the page fail « Failed to execute 'add' on 'DOMTokenList' »
    (issue 23). Letters, digits, ``_`` and ``-`` are kept; anything else becomes ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(text)) or "-"


def describe_by(control: widgets.Widget, hint_id: str) -> widgets.Widget:
    """Link a control to the element ``hint_id`` that tells how to use it (aria-describedby,
    given by the page template as for :func:`name_group`)."""
    control.add_class(f"dl-describedby-{hint_id}")
    return control


def named_by_tooltip(widget: widgets.Widget) -> widgets.Widget:
    """A control whose short visible text needs its tooltip to make sense (a matrix cell's
    « 12 ligne(s) »): the page template makes the tooltip its accessible name."""
    widget.add_class("dl-named-by-tooltip")
    return widget


def download_link(
    data: bytes, filename: str, label: str | None = None, mime: str = "application/octet-stream"
) -> widgets.HTML:
    """A link that downloads ``data`` as ``filename``: built in the page, no server file involved."""
    encoded = base64.b64encode(data).decode("ascii")
    label = label or messages.text("ui.download", name=filename)
    return widgets.HTML(
        f'<a class="dl-button-link" download="{esc(filename)}" href="data:{mime};base64,{encoded}">{esc(label)}</a>'
    )


def table_html(
    rows: list[dict[str, Any]], columns: list[str] | None = None, caption: str | None = None
) -> str:
    """A small accessible HTML table (header cells with scope) from a list of dicts."""
    if not rows:
        return ""
    columns = columns or list(rows[0])
    head = "".join(f'<th scope="col"{_wrap(str(c))}>{esc(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{_wrap(text)}>{esc(text)}</td>" for text in (_fmt(r.get(c)) for c in columns)
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<table class="dl-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def frame_html(frame, max_rows: int = 10, caption: str | None = None) -> str:
    """The first rows of a DataFrame as an accessible HTML table (values escaped)."""
    shown = frame.head(max_rows)
    rows = [
        {str(c): v for c, v in zip(shown.columns, values, strict=True)}
        for values in shown.itertuples(index=False)
    ]
    return table_html(rows, [str(c) for c in shown.columns], caption)


# Characters: a longer cell text wraps (at 14 to 30 characters' width); a shorter one stays whole.
LONG_CELL = 32


def _wrap(text: str) -> str:
    """The class of a table cell whose text is long enough to wrap (the others stay on one line)."""
    return ' class="dl-wrap"' if len(text) > LONG_CELL else ""


def _fmt(value: Any) -> str:
    """A table cell in French: dates ``10/08/2021``, decimal comma, nothing for a missing value."""
    return frenchfmt.cell_text(value)


# ------------------------------------------------------------------ header, navigation
def header_html(module: Module, modules: list[Module] | None = None) -> str:
    objectives = "".join(f"<li>{esc(o)}</li>" for o in module.objectives)
    minutes = messages.text(
        "ui.minutes", teaching=module.teaching_minutes, exercise=module.exercise_minutes
    )
    day = messages.text("ui_labels.header_day", day=module.day, slot=module.slot, minutes=minutes)
    needs = ""
    if module.needs and modules:
        titles = [m.label for m in modules if m.id in module.needs]
        if titles:
            needs = f'<p class="dl-meta">{esc(messages.text("ui.needs_intro"))} {esc(", ".join(titles))}.</p>'
    number = (
        messages.text("ui_labels.module_number", number=module.number)
        if module.number != "00"
        else ""
    )
    return (
        f'<header class="dl-header"><h1>{esc(number + module.title)}</h1>'
        f'<p class="dl-subtitle">{esc(module.subtitle)}</p>'
        f'<p class="dl-meta">{esc(day)}</p>'
        f'<p class="dl-meta"><strong>{esc(messages.text("ui.objectives_intro"))}</strong></p><ul>{objectives}</ul>'
        f"{needs}{glossary_html()}</header>"
    )


# ------------------------------------------------------------------ glossary
def glossary_path():
    from labkit import paths

    return paths.content_dir() / "glossaire.yaml"


@functools.lru_cache(maxsize=4)
def _glossary(path_text: str, stamp: float) -> tuple[tuple[str, str], ...]:
    from pathlib import Path

    from labkit.yamlfile import load_yaml

    data = load_yaml(Path(path_text))
    entries = data.get("termes") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise messages.error("ui.glossary_malformed", path=Path(path_text).name)
    terms = []
    for index, item in enumerate(entries, start=1):
        term = item.get("terme") if isinstance(item, dict) else None
        definition = item.get("definition") if isinstance(item, dict) else None
        if not isinstance(term, str) or not isinstance(definition, str) or not term.strip():
            raise messages.error("ui.glossary_bad_entry", path=Path(path_text).name, index=index)
        terms.append((term.strip(), " ".join(definition.split())))
    return tuple(sorted(terms, key=lambda t: _sort_key(t[0])))


def _sort_key(term: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", term.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def glossary() -> tuple[tuple[str, str], ...]:
    """(term, definition) pairs of ``content/glossaire.yaml``, in alphabetical order."""
    path = glossary_path()
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    return _glossary(str(path), stamp)


def glossary_html() -> str:
    """The glossary as a native disclosure (``<details>``): keyboard and screen-reader friendly,
    closed until opened, the same in every module. A broken glossary file shows its French
    problem instead of the terms, never breaks the page."""
    title = esc(messages.text("ui.glossary_title"))
    try:
        terms = glossary()
    except DatalabError as error:
        return f'<details class="dl-glossary"><summary>{title}</summary>{message_html("warning", error.message)}</details>'
    items = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in terms)
    return (
        f'<details class="dl-glossary"><summary>{title}</summary>'
        f'<dl aria-label="{title}">{items}</dl></details>'
    )


def status_badge(status: str) -> str:
    return (
        f'<span class="dl-badge dl-badge-{status}">{esc(STATUS_LABELS.get(status, status))}</span>'
    )


def nav_html(module: Module, modules: list[Module], pseudonym: str | None) -> str:
    from labkit.course.modules import neighbours
    from labkit.ui.session import page_link

    previous, following = neighbours(module.id, modules)
    links = []
    if previous is not None and previous.id != modules[0].id:
        links.append(
            f'<a href="{esc(page_link(previous.notebook, pseudonym))}">{esc(messages.text("ui.nav_previous", title=previous.title))}</a>'
        )
    links.append(
        f'<a href="{esc(page_link(modules[0].notebook, pseudonym))}">{esc(messages.text("ui.nav_home"))}</a>'
    )
    if following is not None:
        links.append(
            f'<a href="{esc(page_link(following.notebook, pseudonym))}">{esc(messages.text("ui.nav_next", title=following.title))}</a>'
        )
    return f'<nav class="dl-nav" aria-label="{esc(messages.text("ui.nav_label"))}">{"".join(links)}</nav>'


def pseudonym_form_html(current: str | None = None, field_id: str = "dl-pseudo") -> str:
    """A plain GET form: submitting it reloads the page with ``?pseudo=…`` (no script needed)."""
    value = f' value="{esc(current)}"' if current else ""
    return (
        f'<form class="dl-form" method="get" action="">'
        f'<div><label for="{field_id}">{esc(messages.text("ui.pseudonym_label"))}</label>'
        f'<input id="{field_id}" name="pseudo" type="text" autocomplete="nickname" maxlength="40" required'
        f' aria-describedby="{field_id}-help"{value}></div>'
        f'<button type="submit">{esc(messages.text("ui.pseudonym_submit"))}</button>'
        f'<p id="{field_id}-help" class="dl-help">{esc(messages.text("ui.pseudonym_help"))}</p></form>'
    )
