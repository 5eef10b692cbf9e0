"""The facilitator's dataset pages at ``/animation/jeux``: add a dataset to the catalogue from a
file and complete any dataset's card with a form, without editing ``datapackage.json``.

Behind the room view's secret (the same cookie, :class:`labkit.serve.roomview._Base`); every POST
carries ``_xsrf``. The uploaded file goes to a temporary folder under a name of ours; the only
folders written are ``datasets/<identifier>`` (an identifier made by
:func:`labkit.course.authoring.dataset_id_of`) and an existing dataset folder picked by its name
among those of the catalogue. The writing itself is :mod:`labkit.course.authoring`, shared with
``datalab dataset new`` / ``edit``; pages are jinja2 templates with autoescape.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import jinja2
import tornado.ioloop
from jupyter_server.utils import url_path_join

from labkit import frenchfmt, messages, paths
from labkit.course import authoring
from labkit.data import catalogue, datapackage, kinds
from labkit.data.reader import ReadOptions, read_table
from labkit.errors import DatalabError
from labkit.serve import roomview

LOG = logging.getLogger(__name__)
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
)
CARD_FIELDS = (
    "title", "description", "producer", "licence", "theme", "keywords", "updated", "spatial",
    "temporal",
)  # fmt: skip
DEFECT_FIELDS = ("defect_kind", "defect_columns", "defect_count", "defect_description")
_ID = r"([A-Za-z0-9][A-Za-z0-9_-]{0,80})"
_SCHEMA_TYPES = {"string": "text", "datetime": "date", "integer": "integer", "number": "number"}


def _t(name: str, /, **values: Any) -> str:
    return messages.text(f"authoring.{name}", **values)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def licence_names() -> list[str]:
    """The licence short names a facilitator can type, one per licence (others are free text)."""
    names: dict[str, str] = {}
    for short, (name, _title, _url) in authoring.LICENCES.items():
        names.setdefault(name, short)
    return sorted(names.values())


def licence_shown(entry: dict) -> str:
    """How the form shows a descriptor's licence: its short name when it is a known licence
    (saved again unchanged), else its title."""
    known = {name: short for short, (name, _t, _u) in authoring.LICENCES.items()}
    wanted = str(entry.get("name") or "")
    short = wanted if wanted in authoring.LICENCES else known.get(wanted)
    return short or str(entry.get("title") or wanted)


def defect_kinds() -> list[tuple[str, str]]:
    return [(k, messages.text(f"catalogue.defect_{k}")) for k in datapackage.DEFECT_KINDS]


def kind_choices() -> list[tuple[str, str]]:
    """The natures a column may be given on the card, « détection automatique » first."""
    return [("", datapackage.kind_label(""))] + [
        (k, datapackage.kind_label(k)) for k in kinds.COLUMN_KINDS
    ]


def posted_kinds(values: dict[str, str], columns: list[str], posted: list[str]) -> dict[str, str]:
    """``{column: kind}`` from the form's ``kind-<i>`` fields (``""``: detected). A field for a
    column the dataset does not have is refused in French (nothing is saved)."""
    for name in posted:
        index = name.removeprefix("kind-")
        if name.startswith("kind-") and (not index.isdigit() or int(index) >= len(columns)):
            raise messages.error(
                "datapackage.kind_unknown_column",
                column=_t("column_number", number=index[:10]),
                columns=", ".join(columns),
            )
    # a column whose field was not sent keeps its kind (a form of an older page, a script)
    return {c: values[f"kind-{i}"].strip() for i, c in enumerate(columns) if f"kind-{i}" in posted}


def learnability_note(descriptor: dict) -> dict[str, Any] | None:
    """What the suitability check said when the card was last saved: message and whether it is a
    warning; ``None`` when it did not run."""
    found = descriptor.get("learnability")
    if not isinstance(found, dict) or not found.get("message"):
        return None
    return {"message": str(found["message"]), "warning": found.get("learnable") is not True}


def catalogue_rows(base_url: str) -> list[dict[str, str]]:
    """One row per dataset folder of the catalogue, for the list page."""
    return [
        {
            "id": info.id,
            "title": info.title,
            "theme": info.theme,
            "updated": catalogue.french_date(info.updated) if info.updated else _t("unknown_date"),
            "url": url_path_join(base_url, "animation", "jeux", info.id),
        }
        for info in datapackage.list_datasets()
    ]


def card_values(descriptor: dict) -> dict[str, str]:
    """A descriptor's card as the form shows it (what the facilitator typed, not JSON)."""
    licences = descriptor.get("licenses") or [{}]
    licence = licences[0] if isinstance(licences[0], dict) else {}
    coverage = descriptor.get("coverage") if isinstance(descriptor.get("coverage"), dict) else {}
    updated = str(descriptor.get("updated") or "")
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", updated)
    return {
        "title": str(descriptor.get("title") or ""),
        "description": str(descriptor.get("description") or ""),
        "producer": str(descriptor.get("producer") or ""),
        "licence": licence_shown(licence),
        "theme": str(descriptor.get("theme") or ""),
        "keywords": ", ".join(map(str, descriptor.get("keywords") or [])),
        "updated": f"{match[3]}/{match[2]}/{match[1]}" if match else updated,
        "spatial": str(coverage.get("spatial") or ""),
        "temporal": str(coverage.get("temporal") or ""),
    }


def card_from_form(values: dict[str, str]) -> authoring.Card:
    return authoring.Card(**{key: values.get(key) for key in CARD_FIELDS})


def added_defect(values: dict[str, str], columns: list[str]) -> dict[str, Any] | None:
    """The defect the form adds, if a kind was chosen (French error when it is incomplete)."""
    kind = values.get("defect_kind") or ""
    if not kind:
        return None
    if kind not in datapackage.DEFECT_KINDS:
        raise messages.error("datapackage.bad_defect_kind", number=1, kind=kind[:40], kinds="")
    description = (values.get("defect_description") or "").strip()
    if not description:
        raise DatalabError(_t("defect_needs_description"))
    named = [c.strip() for c in (values.get("defect_columns") or "").split(",") if c.strip()]
    for column in named:
        if column not in columns:
            raise DatalabError(
                _t("defect_unknown_column", column=column, columns=", ".join(columns))
            )
    count = frenchfmt.parse_number(values.get("defect_count"))
    if count is None or count < 0 or count != int(count):
        raise DatalabError(_t("defect_needs_count"))
    return {"kind": kind, "columns": named, "count": int(count), "description": description}


async def _aside(function, /, *args):
    """``function(*args)`` on a worker thread: writing a dataset trains models for its
    suitability check (seconds), and the server keeps answering the learners meanwhile."""
    return await tornado.ioloop.IOLoop.current().run_in_executor(None, function, *args)


class _Page(roomview._Base):
    """A facilitator page of the dataset section: rendered from a template."""

    def render_page(self, template: str, page_title: str, /, **values: Any) -> None:
        body = TEMPLATES.get_template(template).render(t=_t, xsrf=self.xsrf_form_html(), **values)
        self.finish(roomview.page_html(page_title, body))

    def form_values(self, names) -> dict[str, str]:
        return {name: self.get_body_argument(name, "") for name in names}


class DatasetListHandler(_Page):
    """``/animation/jeux``: the catalogue, a link to add a dataset, one to each card."""

    def get(self) -> None:
        self.render_page(
            "datasets.html.j2",
            _t("list_title"),
            datasets=catalogue_rows(self.base),
            room_url=self.url(),
            new_url=self.url("jeux", "nouveau"),
        )


class NewDatasetHandler(_Page):
    """``/animation/jeux/nouveau``: a file and its card; GET shows the form, POST writes."""

    def get(self) -> None:
        self._form({}, [])

    def _form(self, values: dict[str, str], problems: list[str]) -> None:
        if problems:
            self.set_status(400)
        self.render_page(
            "dataset_new.html.j2",
            _t("new_title"),
            values={**dict.fromkeys((*CARD_FIELDS, "target"), ""), **values},
            problems=problems,
            themes=catalogue.themes(),
            licences=licence_names(),
            max_size=_megabytes(ReadOptions().max_bytes),
            action=self.url("jeux", "nouveau"),
            list_url=self.url("jeux"),
        )

    async def post(self) -> None:
        if not self.check_form():
            return
        values = self.form_values((*CARD_FIELDS, "target"))
        upload = (self.request.files.get("fichier") or [None])[0]
        if upload is None or not upload.get("body"):
            self._form(values, [_t("no_file")])
            return
        if not values["title"].strip():
            self._form(values, [_t("no_title")])
            return
        limit = ReadOptions().max_bytes
        name = Path(str(upload.get("filename") or "")).name
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "donnees.csv"
        if len(upload["body"]) > limit:
            size, most = _megabytes(len(upload["body"])), _megabytes(limit)
            self._form(values, [_t("too_large", name=name, size=size, max=most)])
            return
        folder = Path(tempfile.mkdtemp(prefix="datalab-ajout-"))
        try:
            source = folder / safe
            source.write_bytes(upload["body"])
            card, target = card_from_form(values), values["target"].strip() or None

            def write() -> authoring.Written:
                read = read_table(upload["body"], safe)
                return authoring.new_package(source, read, card, target=target)

            written = await _aside(write)
        except DatalabError as error:
            self._form(values, [error.message + (f" {error.hint}" if error.hint else "")])
            return
        except Exception:  # noqa: BLE001 - a French page, never a traceback; the log keeps it
            LOG.exception("adding a dataset failed")
            self._form(values, [_t("unexpected")])
            return
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if written.problems:
            self._form(values, [_t("refused", count=len(written.problems)), *written.problems])
            return
        notices = ["created"] + (["new_theme"] if written.new_theme else [])
        target = (
            self.url("jeux", written.folder.name) + "?" + "&".join(f"fait={n}" for n in notices)
        )
        self.redirect(target, status=303)


class DatasetCardHandler(_Page):
    """``/animation/jeux/<id>``: a dataset's card, its columns' units and meanings, its defects."""

    def _folder(self, dataset_id: str) -> Path | None:
        folder = paths.datasets_dir() / dataset_id
        if folder.resolve().parent != paths.datasets_dir().resolve():
            return None
        return folder if (folder / datapackage.DESCRIPTOR).is_file() else None

    def _missing(self) -> None:
        self.set_status(404)
        body = (
            f'<nav><a href="{escape(self.url("jeux"))}">{escape(_t("back_list"))}'
            f'</a></nav><p class="msg">{escape(_t("unknown_dataset"))}</p>'
        )
        self.finish(roomview.page_html(_t("list_title"), body))

    def get(self, dataset_id: str) -> None:
        folder = self._folder(dataset_id)
        if folder is None:
            self._missing()
            return
        descriptor = datapackage.read_descriptor(folder)
        notices = []
        for name in self.get_query_arguments("fait"):
            if name == "created":
                info = datapackage.list_datasets()
                row = next((i for i in info if i.id == dataset_id), None)
                notices.append(
                    _t(
                        "created",
                        rows=row.rows if row and row.rows is not None else "?",
                        columns=len(authoring.package_columns(descriptor)),
                        id=dataset_id,
                    )
                )
            elif name == "new_theme":
                others = [t for t in catalogue.themes() if t != descriptor.get("theme")]
                notices.append(
                    _t("new_theme", theme=descriptor.get("theme"), themes=", ".join(others))
                )
            elif name == "saved":
                notices.append(_t("saved"))
        self._card(folder, descriptor, card_values(descriptor), [], notices)

    def _card(self, folder, descriptor, values, problems, notices=()) -> None:
        if problems:
            self.set_status(400)
        fields = [
            f
            for r in descriptor.get("resources") or []
            if isinstance(r, dict)
            for f in (r.get("schema") or {}).get("fields") or []
            if isinstance(f, dict)
        ]
        groups = values.get("groups")
        if groups is None:
            groups = {str(c) for c in descriptor.get("group_columns") or []}
        columns = [
            {
                "name": str(f.get("name")),
                "type": messages.text(
                    f"reader.type_{_SCHEMA_TYPES.get(f.get('type'), f.get('type') or 'text')}"
                )
                if f.get("type") in (*_SCHEMA_TYPES, "date", "boolean")
                else str(f.get("type") or ""),
                "unit": values.get(f"unit-{i}", f.get("unit") or ""),
                "kind": values.get(f"kind-{i}", datapackage.column_kind(f)),
                "description": values.get(f"description-{i}", f.get("description") or ""),
                "group": str(f.get("name")) in groups,
            }
            for i, f in enumerate(fields)
        ]
        labels = dict(defect_kinds())
        defects = [
            {
                "label": labels.get(d.get("kind"), str(d.get("kind"))),
                "columns": ", ".join(map(str, d.get("columns") or [])),
                "description": str(d.get("description") or ""),
            }
            for d in descriptor.get("defects") or []
            if isinstance(d, dict)
        ]
        self.render_page(
            "dataset_card.html.j2",
            _t("card_title", title=descriptor.get("title") or folder.name),
            title=descriptor.get("title") or folder.name,
            values={**dict.fromkeys(DEFECT_FIELDS, ""), **values},
            problems=problems,
            notices=list(notices),
            columns=columns,
            defects=defects,
            defect_kinds=defect_kinds(),
            kind_choices=kind_choices(),
            learnability=learnability_note(descriptor),
            themes=catalogue.themes(),
            licences=licence_names(),
            action=self.url("jeux", folder.name),
            list_url=self.url("jeux"),
        )

    async def post(self, dataset_id: str) -> None:
        if not self.check_form():
            return
        folder = self._folder(dataset_id)
        if folder is None:
            self._missing()
            return
        descriptor = datapackage.read_descriptor(folder)
        columns = authoring.package_columns(descriptor)
        names = (*CARD_FIELDS, *DEFECT_FIELDS)
        values = self.form_values(names)
        values.update(
            {f"unit-{i}": self.get_body_argument(f"unit-{i}", "") for i in range(len(columns))}
        )
        values.update(
            {
                f"description-{i}": self.get_body_argument(f"description-{i}", "")
                for i in range(len(columns))
            }
        )
        card = card_from_form(values)
        if card.licence == card_values(descriptor)["licence"]:
            card.licence = None  # unchanged: kept as it is written in the descriptor
        card.units = {c: values[f"unit-{i}"] for i, c in enumerate(columns)}
        card.descriptions = {c: values[f"description-{i}"] for i, c in enumerate(columns)}
        posted = [n for n in self.request.body_arguments if n.startswith("kind-")]
        values.update({n: self.get_body_argument(n, "") for n in posted})
        chosen = {int(v) for v in self.get_body_arguments("group") if v.isdigit()}
        card.group_columns = [c for i, c in enumerate(columns) if i in chosen]
        values["groups"] = set(card.group_columns)
        removed = {int(v) for v in self.get_body_arguments("remove") if v.isdigit()}
        kept = [d for i, d in enumerate(descriptor.get("defects") or []) if i not in removed]
        try:
            card.kinds = posted_kinds(values, columns, posted)
            added = added_defect(values, columns)
            card.defects = kept + ([added] if added else [])
            written = await _aside(authoring.edit_package, folder, card)
        except DatalabError as error:
            self._card(
                folder,
                descriptor,
                values,
                [error.message + (f" {error.hint}" if error.hint else "")],
            )
            return
        except Exception:  # noqa: BLE001 - a French page, never a traceback; the log keeps it
            LOG.exception("saving a dataset card failed")
            self._card(folder, descriptor, values, [_t("unexpected")])
            return
        if written.problems:
            problems = [_t("refused", count=len(written.problems)), *written.problems]
            self._card(folder, descriptor, values, problems)
            return
        notices = ["saved"] + (["new_theme"] if written.new_theme else [])
        target = self.url("jeux", folder.name) + "?" + "&".join(f"fait={n}" for n in notices)
        self.redirect(target, status=303)


def handlers(base: str, options: dict) -> list[tuple]:
    """The routes of the dataset pages, with the room view's options (secret, base)."""
    return [
        (url_path_join(base, r"/animation/jeux/?"), DatasetListHandler, options),
        (url_path_join(base, r"/animation/jeux/nouveau"), NewDatasetHandler, options),
        (url_path_join(base, rf"/animation/jeux/{_ID}"), DatasetCardHandler, options),
    ]
