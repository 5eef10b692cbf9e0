"""Module 03 "Trouver les données": the catalogue, data.gouv.fr, one's own file, and the choice.

The data work is done by :mod:`labkit.data.catalogue`, :mod:`labkit.data.datapackage`, :mod:`labkit.data.opendata`,
:mod:`labkit.data.reader` and :mod:`labkit.data.selection`; the figures come from :mod:`labkit.plots.datasets`.
One :class:`_State` per page holds the learner's saved choice and the *candidate* table (opened in
the catalogue, downloaded from data.gouv.fr or imported); the choice view listens to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd
from traitlets import HasTraits, Instance

from labkit import messages
from labkit.course.project import TITLE_MAX
from labkit.data import catalogue, datapackage, opendata, selection
from labkit.data.columns import TYPES
from labkit.data.labels import (
    date_format_label,
    decimal_label,
    separator_label,
    thousands_label,
    type_label,
)
from labkit.data.reader import Detection, ReadOptions, read_table
from labkit.data.rows import with_row_column
from labkit.frenchfmt import date_text, number
from labkit.learner import dataset_identity
from labkit.learner.dataset import forget_file, keep_file, kept_files, load_choice, save_choice
from labkit.plots import datasets as plots
from labkit.settings import load_settings
from labkit.ui.components import (
    MessageArea,
    element_id,
    esc,
    file_upload,
    frame_html,
    guarded,
    html,
    message_html,
    name_group,
    page,
    paragraph,
    section_title,
    table_html,
    when_changed,
)
from labkit.ui.figures import LiveFigure
from labkit.ui.page import ModulePage, activity

STYLE = {"description_width": "initial"}
WIDE = {"width": "32rem", "max_width": "100%"}
AUTO = {"width": "auto"}
PREVIEW_ROWS = 8
UPLOAD_ACCEPT = ".csv,.txt,.tsv,.xlsx,.ods"
CSS = """
<style>
.dl-scroll { overflow-x: auto; max-width: 100%; }
.dl-scroll:focus { outline: 3px solid #0a76f6; outline-offset: 2px; }
.dl-facts { margin: .2rem 0 .4rem 1.1rem; padding: 0; }
.dl-facts li { margin: .1rem 0; }
.dl-badge-example { background: #e3e3fd; color: #000091; }
.dl-badge-simulated { background: #eee; color: #3a3a3a; }
.dl-badge-default { background: #ffe9e6; color: #6e2c00; }
.dl-detail { border-left: 5px solid #000091; padding: .3rem 0 .6rem 1rem; margin: .6rem 0; }
.dl-settings td:first-child { font-weight: 600; }
</style>
"""


def t(key: str, **fields: Any) -> str:
    return messages.text(f"donnees.{key}", **fields)


def _l(key: str, **fields: Any) -> str:
    return messages.text(f"ui_labels.{key}", **fields)


def _scroll(inner: str, label: str) -> str:
    """A horizontally scrollable region, reachable with the keyboard."""
    return (
        f'<div class="dl-scroll" tabindex="0" role="region" aria-label="{esc(label)}">{inner}</div>'
    )


# « Détection automatique » in a drop-down: ipywidgets shows a drop-down whose value is None as
# blank (no option selected), so the automatic choice has a value of its own, read back as None.
AUTOMATIC = "\0auto"


def chosen(control: widgets.Dropdown):
    """The value of a drop-down of reading settings; None for « Détection automatique »."""
    return None if control.value == AUTOMATIC else control.value


def shown_as(value):
    """What a drop-down of reading settings shows for ``value`` (None: the automatic choice)."""
    return AUTOMATIC if value is None else value


def _button(text: str, style: str = "", css: str | None = None) -> widgets.Button:
    button = widgets.Button(description=text, button_style=style, layout=AUTO, tooltip=text)
    if css:
        button.add_class(css)
    return button


# ============================================================================ state
@dataclass(eq=False)  # each table proposed is news to the views, even the same one again
class Candidate:
    """A table the learner is looking at and may choose for the project."""

    source: str  # catalogue | upload | datagouv
    name: str
    frame: pd.DataFrame
    dataset_id: str | None = None
    detection: Detection | None = None
    filename: str | None = None
    url: str | None = None
    read_options: dict[str, Any] = field(default_factory=dict)
    suggested_target: str | None = None


class _State(HasTraits):
    """The learner's saved choice and the candidate table; the choice view observes both."""

    choice = Instance(selection.DatasetChoice)
    candidate = Instance(Candidate, allow_none=True)

    def __init__(self, workspace):
        super().__init__()
        self.workspace = workspace
        self.choice, self.frame = load_choice(workspace)

    def propose(self, candidate: Candidate) -> None:
        self.candidate = candidate

    def current(self) -> Candidate:
        """The candidate, or the saved choice (or the running example) as one."""
        if self.candidate is not None:
            return self.candidate
        choice = self.choice
        return Candidate(
            source=choice.source,
            name=choice.name,
            frame=self.frame,
            dataset_id=choice.dataset_id,
            filename=choice.filename,
            url=choice.url,
            read_options=dict(choice.read_options or {}),
            suggested_target=choice.target,
        )

    def save(self, target: str | None) -> selection.DatasetChoice:
        target = target or None  # "": no column chosen yet
        candidate = self.current()
        task = selection.guess_task(candidate.frame[target]) if target else None
        types = candidate.detection.types if candidate.detection is not None else {}
        if not types and self.candidate is None:
            types = dict(self.choice.column_types or {})
        choice = selection.DatasetChoice(
            source=candidate.source,
            dataset_id=candidate.dataset_id,
            name=candidate.name,
            target=target,
            filename=candidate.filename,
            url=candidate.url,
            read_options=candidate.read_options,
            column_types=types,
            task=task,
        )
        saved = save_choice(self.workspace, choice, candidate.frame)
        self.frame = candidate.frame
        with self.hold_trait_notifications():
            self.choice, self.candidate = saved, None
        return saved


def _options_dict(options: ReadOptions) -> dict[str, Any]:
    return {k: v for k, v in vars(options).items() if v not in (None, {}) and k != "max_bytes"}


# ============================================================================ pieces of HTML
def card_html(card: catalogue.Card, example_id: str | None) -> str:
    badges = []
    if card.id == example_id:
        badges.append(f'<span class="dl-badge dl-badge-example">{esc(t("badge_example"))}</span>')
    if card.simulated:
        badges.append(
            f'<span class="dl-badge dl-badge-simulated">{esc(t("badge_simulated"))}</span>'
        )
    defects = ", ".join(card.defects) if card.defects else t("no_defects")
    licence = esc(card.licence)
    if card.licence_url:
        licence = f'<a class="dl-link" href="{esc(card.licence_url)}" target="_blank" rel="noopener">{licence}</a>'
    facts = [
        (t("fact_producer"), esc(card.producer)),
        (t("fact_licence"), licence),
        (t("fact_coverage"), esc(card.coverage or "—")),
        (t("fact_size"), esc(card.size_text)),
        (t("fact_updated"), esc(card.updated_text)),
        (t("fact_format"), esc(card.format.upper())),
        (t("fact_defects"), esc(defects)),
    ]
    items = "".join(f"<li><strong>{esc(k)} :</strong> {v}</li>" for k, v in facts)
    warning = (
        f'<p class="dl-learnability-warning"><strong>{esc(card.learnability_warning)}</strong></p>'
        if card.learnability_warning
        else ""
    )
    return (
        f"<h4>{esc(card.title)} {' '.join(badges)}</h4>"
        f'<p class="dl-muted">{esc(card.theme)}</p>'
        f'<ul class="dl-facts">{items}</ul>{warning}'
    )


def detection_rows(detection: Detection) -> list[dict[str, str]]:
    """The detected settings in plain French (one row per setting)."""
    settings = [(t("setting_format"), detection.format.upper())]
    if detection.format == "csv":
        settings += [
            (t("setting_encoding"), detection.encoding or "—"),
            (t("setting_separator"), separator_label(detection.separator)),
            (t("setting_quote"), detection.quote or t("none")),
        ]
    else:
        settings.append((t("setting_sheet"), f"{detection.sheet} ({', '.join(detection.sheets)})"))
    spreadsheet = detection.format != "csv"
    has_dates = any(c.type == "date" for c in detection.columns)
    settings += [
        (t("setting_header_row"), t("line_number", n=detection.header_row + 1)),
        (
            t("setting_decimal"),
            # a spreadsheet stores numbers as numbers: its decimal mark is only the display's
            t("numbers_native")
            if spreadsheet and detection.decimal != ","
            else decimal_label(detection.decimal),
        ),
        (t("setting_thousands"), thousands_label(detection.thousands)),
        (
            t("setting_date_format"),
            t("dates_native")
            if not detection.date_format and has_dates
            else date_format_label(detection.date_format),
        ),
        (t("setting_size"), t("size", rows=detection.rows, columns=len(detection.columns))),
    ]
    setting, detected = _l("col_setting"), _l("col_detected")
    return [{setting: name, detected: value} for name, value in settings]


def detection_html(detection: Detection, frame: pd.DataFrame) -> str:
    settings = table_html(detection_rows(detection), caption=t("detection_caption"))
    columns = table_html(
        [
            {
                _l("col_column"): c.name,
                _l("col_type"): type_label(c.type) + (f" ({c.unit})" if c.unit else ""),
                _l("col_missing"): str(c.missing),
                _l("col_examples"): ", ".join(c.examples[:3]),
            }
            for c in detection.columns
        ],
        caption=t("columns_caption"),
    )
    warnings = ""
    if detection.warnings:
        warnings = "".join(message_html("warning", w) for w in detection.warnings)
    preview = frame_html(
        with_row_column(frame.head(PREVIEW_ROWS)),
        PREVIEW_ROWS,
        caption=t("preview_caption", n=PREVIEW_ROWS),
    )
    return (
        f'<div class="dl-settings">{settings}</div>{warnings}'
        f"{_scroll(columns, t('columns_caption'))}{_scroll(preview, t('preview_caption', n=PREVIEW_ROWS))}"
    )


# ============================================================================ the page
class Module03App(ModulePage):
    module_id = "03_donnees"
    depends_on = ("dataset",)
    uses_dataset = True
    state_class = _State

    # ------------------------------------------------------------------ catalogue
    @activity
    def catalogue(self) -> widgets.Widget:
        """Search the bundled datasets; open a card to see its preview and data dictionary."""
        area = MessageArea()
        example = load_settings().running_example.dataset
        query = widgets.Text(
            description=t("search_label"),
            placeholder=t("search_placeholder"),
            continuous_update=False,
            style=STYLE,
            layout=WIDE,
        )
        query.add_class("dl-catalogue-query")
        theme = widgets.Dropdown(
            options=[(t("all_themes"), "")] + [(x, x) for x in catalogue.themes()],
            description=t("theme_label"),
            style=STYLE,
            layout=WIDE,
        )
        fmt = widgets.Dropdown(
            options=[(t("all_formats"), "")] + [(x.upper(), x) for x in catalogue.formats()],
            description=t("format_label"),
            style=STYLE,
            layout=WIDE,
        )
        search = _button(t("search_button"), "primary", "dl-catalogue-search")
        count = widgets.HTML()
        results = widgets.VBox()
        detail = widgets.VBox()
        detail.add_class("dl-catalogue-detail")

        def open_card(card: catalogue.Card) -> None:
            dataset = datapackage.load_dataset(card.id)
            detail.children = [self._detail(dataset, area)]
            area.info(t("card_opened", title=card.title))

        def render() -> None:
            found = catalogue.search(
                query.value, theme=theme.value or None, format=fmt.value or None
            )
            count.value = f'<p role="status">{esc(t("results_count", count=len(found)))}</p>'
            boxes = []
            for card in found:
                button = _button(t("open_card", title=card.title), "", "dl-open-card")
                button.on_click(guarded(area)(lambda _b, card=card: open_card(card)))
                box = widgets.VBox([html(card_html(card, example)), button])
                box.add_class("dl-card")
                box.add_class(f"dl-card-{card.id}")
                boxes.append(box)
            results.children = boxes

        on_change = guarded(area)(lambda _change=None: render())
        search.on_click(on_change)
        for control in (query, theme, fmt):
            control.observe(on_change, names="value")
        render()
        return page(
            html(CSS),
            section_title(t("catalogue_title")),
            paragraph(t("catalogue_intro")),
            query,
            theme,
            fmt,
            search,
            count,
            area,
            results,
            detail,
        )

    def _detail(self, dataset: datapackage.Dataset, area: MessageArea) -> widgets.Widget:
        """An opened card: description, targets, preview, data dictionary, and "use it"."""
        targets = ", ".join(
            f"« {x['column']} » ({t('task_' + x['task'])})"
            for x in dataset.suggested_targets
            if x.get("task") in ("classification", "regression")
        )
        sources = "; ".join(s.get("title", "") for s in dataset.sources)
        intro = (
            f"<h4>{esc(dataset.title)}</h4><p>{esc(dataset.description)}</p>"
            f"<p><strong>{esc(t('suggested_targets'))} :</strong> {esc(targets or '—')}</p>"
            f'<p class="dl-muted">{esc(t("sources"))} : {esc(sources or "—")}</p>'
        )
        preview = frame_html(
            with_row_column(dataset.table.head(PREVIEW_ROWS)),
            PREVIEW_ROWS,
            caption=t("preview_caption", n=PREVIEW_ROWS),
        )
        dictionary = table_html(dataset.data_dictionary(), caption=t("dictionary_caption"))
        use = _button(t("use_dataset"), "primary", "dl-use-dataset")
        first_target = dataset.suggested_targets[0]["column"] if dataset.suggested_targets else None

        def choose(_button) -> None:
            self.state.propose(
                Candidate(
                    source="catalogue",
                    name=dataset.title,
                    frame=dataset.table,
                    dataset_id=dataset.id,
                    detection=dataset.detection,
                    suggested_target=first_target,
                )
            )
            area.success(t("candidate_ready", name=dataset.title))

        use.on_click(guarded(area)(choose))
        box = widgets.VBox(
            [
                html(intro),
                html(_scroll(preview, t("preview_caption", n=PREVIEW_ROWS))),
                html(_scroll(dictionary, t("dictionary_caption"))),
                use,
            ]
        )
        box.add_class("dl-detail")
        return box

    # ------------------------------------------------------------------ data.gouv.fr
    @activity
    def live_search(self) -> widgets.Widget:
        """Search data.gouv.fr (when online) and download a table resource into the workspace."""
        area = MessageArea()
        query = widgets.Text(
            description=t("live_label"),
            placeholder=t("live_placeholder"),
            style=STYLE,
            layout=WIDE,
        )
        query.add_class("dl-live-query")
        search = _button(t("live_button"), "primary", "dl-live-search")
        results = widgets.VBox()
        report = widgets.HTML()

        def download(dataset: opendata.RemoteDataset, resource: opendata.RemoteResource) -> None:
            area.info(t("live_downloading", title=resource.title))
            got = opendata.download_resource(resource)
            result = read_table(got.data, got.original_name)
            keep_file(
                self.workspace,
                got.name,
                got.data,
                original=got.original_name,
                rows=len(result.frame),
            )
            self.state.propose(
                Candidate(
                    source="datagouv",
                    name=dataset.title,
                    frame=result.frame,
                    detection=result.detection,
                    filename=got.name,
                    url=resource.url,
                )
            )
            report.value = (
                f"<h4>{esc(t('live_read_title', name=got.original_name))}</h4>"
                + detection_html(result.detection, result.frame)
            )
            area.success(t("live_downloaded", name=got.original_name, rows=len(result.frame)))

        def run(_button=None) -> None:
            report.value = ""
            page_ = opendata.search_datagouv(query.value)
            boxes = []
            for dataset in page_.datasets:
                others = len(dataset.resources) - len(dataset.tables)
                link = (
                    f' <a class="dl-link" href="{esc(dataset.page)}" target="_blank" rel="noopener">'
                    f"{esc(t('live_page_link'))}</a>"
                    if dataset.page
                    else ""
                )
                facts = (
                    f"<h4>{esc(dataset.title)}</h4>"
                    f'<p class="dl-muted">{esc(dataset.organization)} · {esc(dataset.licence)} · '
                    f"{esc(t('live_updated', date=catalogue.french_date(dataset.last_update)))}{link}</p>"
                    f"<p>{esc(dataset.description)}</p>"
                )
                if others:
                    facts += (
                        f'<p class="dl-muted">{esc(t("live_other_resources", count=others))}</p>'
                    )
                buttons = []
                for resource in dataset.tables[:6]:
                    button = _button(
                        t(
                            "live_download",
                            title=resource.title,
                            format=(resource.table_format or "").upper(),
                            size=resource.size_text,
                        ),
                        "",
                        "dl-live-download",
                    )
                    button.on_click(guarded(area)(lambda _b, d=dataset, r=resource: download(d, r)))
                    buttons.append(button)
                if not buttons:
                    facts += f"<p>{esc(t('live_no_table'))}</p>"
                box = widgets.VBox([html(facts), *buttons])
                box.add_class("dl-card")
                boxes.append(box)
            results.children = boxes
            if boxes:
                area.info(t("live_results", count=page_.total, shown=len(boxes)))
            else:
                area.info(t("live_nothing", query=query.value))

        def guarded_run(_button=None) -> None:
            area.clear()
            try:
                run()
            except opendata.OfflineError as exc:
                results.children = ()
                area.warning(exc.message, exc.hint)

        search.on_click(guarded(area)(guarded_run))
        return page(
            section_title(t("live_title")),
            paragraph(t("live_intro")),
            query,
            search,
            area,
            results,
            report,
        )

    # ------------------------------------------------------------------ own file
    @activity
    def import_file(self) -> widgets.Widget:
        """Import a CSV / Excel / ODS file: what was detected, and a control for each setting."""
        area = MessageArea()
        upload = file_upload(t("upload_button"), UPLOAD_ACCEPT, layout=AUTO)
        upload.add_class("dl-upload")
        report = widgets.HTML()
        figure_box = widgets.Box()
        loaded: dict[str, Any] = {}

        def dropdown(label: str, options, css: str) -> widgets.Dropdown:
            control = widgets.Dropdown(options=options, description=label, style=STYLE, layout=WIDE)
            control.add_class(css)
            return control

        auto = t("auto")
        encoding = dropdown(
            t("setting_encoding"),
            [
                (auto, AUTOMATIC),
                ("UTF-8", "utf-8"),
                (t("enc_cp1252"), "cp1252"),
                ("Latin-1 (ISO-8859-1)", "latin-1"),
                ("UTF-16", "utf-16"),
            ],
            "dl-opt-encoding",
        )
        separator = dropdown(
            t("setting_separator"),
            [(auto, AUTOMATIC)] + [(separator_label(s), s) for s in (";", ",", "\t", "|")],
            "dl-opt-separator",
        )
        quote = dropdown(
            t("setting_quote"),
            [
                (auto, AUTOMATIC),
                (t("quote_double"), '"'),
                (t("quote_single"), "'"),
                (t("none"), ""),
            ],
            "dl-opt-quote",
        )
        header = dropdown(t("setting_header_row"), [(auto, AUTOMATIC)], "dl-opt-header")
        decimal = dropdown(
            t("setting_decimal"),
            [(auto, AUTOMATIC), (decimal_label(","), ","), (decimal_label("."), ".")],
            "dl-opt-decimal",
        )
        thousands = dropdown(
            t("setting_thousands"),
            [(auto, AUTOMATIC)] + [(thousands_label(m), m) for m in ("", " ", "\u00a0", ".", ",")],
            "dl-opt-thousands",
        )
        date_format = dropdown(
            t("setting_date_format"),
            [(auto, AUTOMATIC)]
            + [
                (date_format_label(f), f)
                for f in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%m/%d/%Y")
            ],
            "dl-opt-date",
        )
        sheet = dropdown(t("setting_sheet"), [(auto, AUTOMATIC)], "dl-opt-sheet")
        column = dropdown(t("type_column"), [("—", AUTOMATIC)], "dl-opt-column")
        kind = dropdown(t("type_choice"), [(type_label(x), x) for x in TYPES], "dl-opt-type")
        set_type = _button(t("type_button"), "", "dl-set-type")
        reread = _button(t("reread_button"), "primary", "dl-reread")
        use = _button(t("use_file"), "primary", "dl-use-file")
        column_types: dict[str, str] = {}
        # what « Relire », « Changer le type » and « Utiliser ce fichier » say, under those buttons
        # (at the top of the activity it appeared about 3,000 px above them; issue 23)
        settings_area = MessageArea()
        overrides = widgets.VBox(
            [
                html(
                    f'<h4>{esc(t("overrides_title"))}</h4><p class="dl-muted">{esc(t("overrides_intro"))}</p>'
                ),
                encoding,
                separator,
                quote,
                header,
                sheet,
                decimal,
                thousands,
                date_format,
                paragraph(t("type_intro"), "dl-muted"),
                widgets.HBox([column, kind, set_type], layout={"flex_flow": "row wrap"}),
                widgets.HBox([reread, use], layout={"flex_flow": "row wrap"}),
                settings_area,
            ]
        )
        overrides.layout.display = "none"

        def current_options() -> ReadOptions:
            return ReadOptions(
                encoding=chosen(encoding),
                separator=chosen(separator),
                quote=chosen(quote),
                header_row=chosen(header),
                decimal=chosen(decimal),
                thousands=chosen(thousands),
                date_format=chosen(date_format),
                sheet=chosen(sheet),
                column_types=dict(column_types),
            )

        def show(result) -> None:
            detection, frame = result.detection, result.frame
            loaded["result"] = result
            report.value = (
                f"<h4>{esc(t('detection_title', name=loaded['name']))}</h4>"
                + detection_html(detection, frame)
            )
            header.options = [
                (t("auto_value", value=t("line_number", n=detection.header_row + 1)), AUTOMATIC)
            ] + [(t("line_number", n=i + 1), i) for i in range(0, 30)]
            header.value = shown_as(loaded["options"].header_row)
            if detection.format == "csv":
                sheet.layout.display = "none"
                for control in (encoding, separator, quote):
                    control.layout.display = None
            else:
                sheet.layout.display = None
                sheet.options = [(auto, AUTOMATIC)] + [(s, s) for s in detection.sheets]
                sheet.value = shown_as(loaded["options"].sheet)
                for control in (encoding, separator, quote):
                    control.layout.display = "none"
            column.options = [("—", AUTOMATIC)] + [(c.name, c.name) for c in detection.columns]
            figure_box.children = [LiveFigure(plots.types_figure(detection.types))]
            overrides.layout.display = None

        def read(options: ReadOptions) -> None:
            result = read_table(loaded["data"], loaded["name"], options)
            loaded["options"] = options
            show(result)

        def open_file(data: bytes, name: str, saved: str | None) -> None:
            area.clear()
            settings_area.clear()
            column_types.clear()
            for control in (encoding, separator, quote, decimal, thousands, date_format):
                control.value = AUTOMATIC
            loaded.update(data=data, name=name)
            read(ReadOptions())
            rows = len(loaded["result"].frame)
            if saved is None:
                saved = opendata.workspace_name(name, name.rsplit(".", 1)[-1].lower()).replace(
                    "datagouv-", "import-", 1
                )
                keep_file(self.workspace, saved, data, original=name, rows=rows)
                refresh_files()
            loaded["saved"] = saved
            area.success(t("file_read", name=name, rows=rows))

        def on_upload(change) -> None:
            value = change["new"]
            if not value:
                return
            item = value[0]
            open_file(bytes(item["content"]), str(item["name"]), None)

        files_table = widgets.HTML()
        files_pick = dropdown(t("files_pick"), [], "dl-files-pick")
        files_open = _button(t("files_open"), "", "dl-files-open")
        files_delete = _button(t("files_delete"), "", "dl-files-delete")
        files_box = widgets.VBox()

        def refresh_files() -> None:
            kept = kept_files(self.workspace)
            if not kept:
                files_box.children = ()
                return
            rows = [
                {
                    t("files_col_name"): item["name"],
                    t("files_col_saved"): date_text(item["saved"].astimezone()),
                    t("files_col_rows"): "—" if item["rows"] is None else number(item["rows"]),
                }
                for item in kept
            ]
            files_table.value = table_html(rows, caption=t("files_title"))
            before = files_pick.value
            files_pick.options = [(item["name"], item["file"]) for item in kept]
            # a list showing nothing says nothing (issue 23): the first file, or the one shown
            files = [item["file"] for item in kept]
            files_pick.value = before if before in files else files[0]
            files_box.children = (
                html(f"<h4>{esc(t('files_title'))}</h4>"),
                paragraph(t("files_intro"), "dl-muted"),
                files_table,
                widgets.HBox(
                    [files_pick, files_open, files_delete], layout={"flex_flow": "row wrap"}
                ),
            )

        def on_reopen(_button) -> None:
            if not files_pick.value:
                area.warning(t("files_none_picked"))
                return
            data = self.workspace.read_file(files_pick.value)
            if data is None:
                refresh_files()
                area.warning(t("files_gone"))
                return
            name = dict((v, k) for k, v in files_pick.options)[files_pick.value]
            open_file(data, name, files_pick.value)

        def on_delete(_button) -> None:
            if not files_pick.value:
                area.warning(t("files_none_picked"))
                return
            name = dict((v, k) for k, v in files_pick.options)[files_pick.value]
            forget_file(self.workspace, files_pick.value)
            refresh_files()
            area.success(t("files_deleted", name=name))

        def on_reread(_button) -> None:
            if "data" not in loaded:
                settings_area.warning(t("no_file_yet"))
                return
            read(current_options())
            settings_area.success(t("file_reread"))

        def on_type(_button) -> None:
            if chosen(column) is None:
                settings_area.warning(t("type_pick_column"))
                return
            column_types[column.value] = kind.value
            read(current_options())
            settings_area.success(
                t("type_changed", column=column.value, type=type_label(kind.value))
            )

        def on_use(_button) -> None:
            result = loaded.get("result")
            if result is None:
                settings_area.warning(t("no_file_yet"))
                return
            self.state.propose(
                Candidate(
                    source="upload",
                    name=loaded["name"],
                    frame=result.frame,
                    detection=result.detection,
                    filename=loaded.get("saved"),
                    read_options=_options_dict(loaded["options"]),
                )
            )
            settings_area.success(t("candidate_ready", name=loaded["name"]))

        upload.observe(guarded(area)(on_upload), names="value")
        files_open.on_click(guarded(area)(on_reopen))
        files_delete.on_click(guarded(area)(on_delete))
        refresh_files()
        reread.on_click(guarded(settings_area)(on_reread))
        set_type.on_click(guarded(settings_area)(on_type))
        use.on_click(guarded(settings_area)(on_use))
        return page(
            section_title(t("import_title")),
            paragraph(t("import_intro")),
            html(
                f'<p><strong>{esc(t("upload_label"))}</strong> <span class="dl-muted">{esc(t("upload_help"))}</span></p>'
            ),
            upload,
            files_box,
            area,
            report,
            figure_box,
            overrides,
        )

    # ------------------------------------------------------------------ choice
    @activity
    def choose(self) -> widgets.Widget:
        """The dataset and target of the project, saved for modules 04 to 06."""
        state = self.state
        area = MessageArea()
        status = widgets.HTML()
        status.add_class("dl-choice-status")
        target = widgets.Dropdown(description=t("target_label"), style=STYLE, layout=WIDE)
        target.add_class("dl-target")
        task = widgets.HTML()
        figure_box = widgets.Box()
        save = _button(t("save_choice"), "primary", "dl-save-choice")

        def refresh() -> None:
            candidate = state.current()
            choice = state.choice
            parts = []
            if choice.is_default:
                parts.append(
                    message_html(
                        "info",
                        t("default_notice", name=choice.name, target=choice.target or "—"),
                        t("default_hint"),
                    )
                )
                parts.append(
                    f'<p><span class="dl-badge dl-badge-default">{esc(t("badge_default"))}</span></p>'
                )
            else:
                parts.append(
                    message_html(
                        "success",
                        t(
                            "saved_notice",
                            name=choice.name,
                            target=choice.target or "—",
                            source=t("source_" + choice.source),
                        ),
                    )
                )
            if state.candidate is not None:
                parts.append(
                    "<p><strong>"
                    + esc(
                        t(
                            "candidate_line",
                            name=candidate.name,
                            source=t("source_" + candidate.source),
                        )
                    )
                    + "</strong> "
                    + esc(t("size", rows=len(candidate.frame), columns=candidate.frame.shape[1]))
                    + "</p>"
                )
            columns = [str(c) for c in candidate.frame.columns]
            wanted = candidate.suggested_target if candidate.suggested_target in columns else None
            busy["on"] = True
            try:
                # "" and not None: ipywidgets shows no option at all for None (a blank list)
                target.options = [(t("no_target"), "")] + [(c, c) for c in columns]
                target.value = wanted or ""
            finally:
                busy["on"] = False
            draw()
            status.value = "".join(parts)  # last: the status says the rest is up to date

        def draw() -> None:
            candidate = state.current()
            if not target.value:
                task.value = f'<p class="dl-muted">{esc(t("pick_target"))}</p>'
                figure_box.children = ()
                return
            values = candidate.frame[target.value]
            kind = selection.guess_task(values)
            task.value = (
                f"<p>{esc(t('task_line', task=t('task_' + kind), count=values.nunique()))}</p>"
            )
            figure_box.children = [LiveFigure(plots.target_figure(values, target.value, kind))]

        busy = {"on": False}

        def on_target(_change) -> None:
            if busy["on"]:
                return
            area.clear()
            draw()

        target.observe(guarded(area)(on_target), names="value")

        where = widgets.RadioButtons(
            options=[(t("where_new"), "new"), (t("where_replace"), "replace")],
            value="new",
            layout={"width": "auto", "display": "none"},
        )
        where.add_class("dl-choice-where")
        where_intro = widgets.HTML()
        where_id = element_id("dl-where")
        name_group(where, where_id)

        def show_where() -> None:
            """Ask whether other data start a new project or replace this project's."""
            question = self._where_question(state.current())
            where_intro.value = f'<div id="{where_id}">{question}</div>' if question else ""
            where.layout.display = "" if question and not self.project.is_example else "none"

        def on_save(_button) -> None:
            candidate = state.current()
            if self._where_question(candidate) and (
                self.project.is_example or where.value == "new"
            ):
                title = candidate.name[:TITLE_MAX]
                done = t("choice_saved_new_project", title=title)
                self.project.start_project(title, lambda: state.save(target.value), notice=done)
                area.success(done)  # a module opened alone is not built again
                return
            replaced = self._where_question(candidate) is not None
            saved = state.save(target.value)
            area.success(t("choice_saved", name=saved.name, target=saved.target or "—"))
            if replaced:
                area.warning(t("choice_replaced"))

        save.on_click(guarded(area)(on_save))
        when_changed(state, ("choice", "candidate"), area, refresh)
        when_changed(state, ("choice", "candidate"), area, show_where)
        refresh()
        show_where()
        return page(
            section_title(t("choose_title")),
            paragraph(t("choose_intro")),
            status,
            target,
            task,
            figure_box,
            where_intro,
            where,
            save,
            area,
        )

    def _where_question(self, candidate: Candidate) -> str | None:
        """The question asked before saving other data than this project's (``None`` when the
        data are this project's, or the project has none yet)."""
        if self.project is None:
            return None
        wanted = dataset_identity(
            {
                "source": candidate.source,
                "dataset_id": candidate.dataset_id,
                "url": candidate.url,
                "filename": candidate.filename,
                "name": candidate.name,
            }
        )
        if self.project.is_example:
            if wanted == dataset_identity(None):
                return None
            return message_html("info", t("where_example"))
        saved = self.workspace.load("dataset", None)
        if not isinstance(saved, dict) or dataset_identity(saved) == wanted:
            return None
        return f"<p><strong>{esc(t('where_question', name=saved.get('name') or '—'))}</strong></p>"
