"""Reading a table a person brings: CSV (any French flavour), Excel ``.xlsx`` and OpenDocument ``.ods``.

``read_table(data, filename, options)`` returns a :class:`ReadResult`: the typed DataFrame and a
:class:`Detection` saying what was detected (encoding, separator, quote, header line, decimal mark,
thousands separator, date format, sheet, the type of each column) with French warnings. Every
detected value can be overridden with :class:`ReadOptions`.

What it handles, because French public data does it:

- encodings UTF-8 (with or without byte-order mark), UTF-16, Windows cp1252 / Latin-1, and files
  mixing UTF-8 and cp1252 lines (decoded line by line, with a warning);
- separators ``;`` ``,`` tab ``|``; quoted fields holding separators or line breaks; title lines
  above the header; notes below the table;
- numbers with a decimal comma, thousands separated by spaces, non-breaking spaces, narrow
  non-breaking spaces or dots (``1.234,56``), units ``€`` ``EUR`` ``%`` ``‰`` and ``°C``, the Unicode
  minus sign;
- dates ``jj/mm/aaaa`` (and ``jj-mm-aaaa``, ``jj.mm.aaaa``, ``jj/mm/aa``, ISO, with or without time);
- codes that look like numbers but are not quantities (code postal, code commune INSEE,
  département including 2A/2B, SIREN/SIRET, NIR, phone numbers): they stay text, leading zeros kept;
- cells starting with ``=``, ``+``, ``-`` or ``@`` that are not plain numbers (spreadsheet formulas,
  possibly malicious): never evaluated, kept as text.

It refuses, with a French :class:`~labkit.errors.DatalabError`, an empty file, a binary or non-table
file, a file over :data:`~labkit.data.limits.MAX_BYTES`, a header without rows, rows with a wrong number of fields (the
line is named) and an unreadable workbook. It never raises anything else for a bad file.

The frame's index labels are the rows of a spreadsheet opened on the file (the header on its row,
each record one row even when a quoted value holds a line break): :mod:`labkit.data.rows` is the one
row numbering every page, report and export uses. Messages about a row name that number too.

Column types are ``number``, ``integer``, ``text``, ``date``, ``boolean`` or ``category``. In the
frame: ``integer`` is ``int64`` (``float64`` when values are missing), ``number`` is ``float64``,
``date`` is ``datetime64``, ``boolean`` is ``bool`` (nullable ``boolean`` when values are missing),
``text`` and ``category`` are strings (``oui``/``non`` columns stay strings: they are categories).

This module reads a file from end to end; each step has its module: :mod:`~labkit.data.limits`
(what a file may hold), :mod:`~labkit.data.decoding` (bytes to text), :mod:`~labkit.data.dialect`
(separator, quote, header and rows of a CSV text), :mod:`~labkit.data.spreadsheet` (the cells of a
spreadsheet), :mod:`~labkit.data.numeric` (French numbers), :mod:`~labkit.data.columns` (the type of
each column), :mod:`~labkit.data.kinds` (codes and date formats) and :mod:`~labkit.data.labels`
(French names of what was detected).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from labkit import messages
from labkit.data.columns import (
    DETECTION_CELLS_PER_COLUMN,
    TYPES,
    ColumnDetection,
    first_strings,
    type_column,
)
from labkit.data.decoding import decode, looks_binary, repair_cells, repair_mojibake, utf16_bom
from labkit.data.dialect import (
    body_rows,
    detect_quote,
    detect_separator,
    find_header,
    header_width,
    modal_width,
    parse_records,
    unbalanced_quote,
)
from labkit.data.limits import Limits, megabytes
from labkit.data.numeric import detect_decimal, detect_thousands
from labkit.data.rows import file_rows
from labkit.data.spreadsheet import filled, ods_grid, xlsx_grid

HEADER_SAMPLE_ROWS = 500  # rows looked at to find the header (the table's usual width)
MAGIC = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x7fELF", None),  # an executable program (its French name is a message)
    (b"MZ", None),
]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc


@dataclass
class ReadOptions(Limits):
    """What a person overrides; ``None`` means "detect it" (and the limits of the reading)."""

    encoding: str | None = None
    separator: str | None = None
    quote: str | None = None  # "" for no quoting
    header_row: int | None = None  # 0-based index of the header line among the records
    decimal: str | None = None  # "," or "."
    thousands: str | None = None  # " ", "\u00a0", "\u202f", ".", ",", or "" for none
    date_format: str | None = None  # strptime format, e.g. "%d/%m/%Y"
    sheet: str | None = None
    column_types: dict[str, str] = field(default_factory=dict)


@dataclass
class Detection:
    format: str  # csv | xlsx | ods
    encoding: str | None
    separator: str | None
    quote: str | None
    header_row: int
    decimal: str
    thousands: str | None
    date_format: str | None
    sheet: str | None
    sheets: list[str]
    columns: list[ColumnDetection]
    rows: int
    warnings: list[str]
    repaired: int = 0  # lines or cells whose double-encoded accents were repaired

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def options(self) -> ReadOptions:
        """The options that reproduce this reading (a starting point for overrides)."""
        return ReadOptions(
            encoding=self.encoding,
            separator=self.separator,
            quote=self.quote,
            header_row=self.header_row,
            decimal=self.decimal,
            thousands=self.thousands,
            date_format=self.date_format,
            sheet=self.sheet,
        )


@dataclass
class ReadResult:
    frame: pd.DataFrame
    detection: Detection


def read_table(data: bytes, filename: str, options: ReadOptions | None = None) -> ReadResult:
    """Read a CSV, ``.xlsx`` or ``.ods`` file given as bytes; see the module docstring."""
    options = options or ReadOptions()
    name = filename or messages.text("reader.default_name")
    if data is None or len(data) == 0:
        raise messages.error("reader.empty", name=name)
    if len(data) > options.max_bytes:
        raise messages.error(
            "reader.too_large",
            name=name,
            size=megabytes(len(data)),
            max=megabytes(options.max_bytes),
        )
    kind = sniff_format(data, name)
    if kind == "csv":
        return _read_csv(data, name, options)
    read_sheet = xlsx_grid if kind == "xlsx" else ods_grid
    grid, sheet, sheets = read_sheet(data, name, options, options.sheet)
    return _read_grid(grid, name, options, kind, sheet, sheets)


def sniff_format(data: bytes, filename: str) -> str:
    """``csv``, ``xlsx`` or ``ods`` from the content (the extension only breaks ties); refuses
    binary files that are not tables."""
    head = data[:8]
    lower = filename.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise messages.error("reader.unreadable_workbook", name=filename) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and lower.endswith((".ods", ".ots")):
            return "ods"
        if "content.xml" in names:
            try:
                mimetype = zipfile.ZipFile(io.BytesIO(data)).read("mimetype")
            except KeyError:
                mimetype = b""
            if b"spreadsheet" in mimetype:
                return "ods"
        raise messages.error(
            "reader.not_table", name=filename, kind=messages.text("reader.kind_zip")
        )
    if head.startswith(OLE2):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise messages.error("reader.protected_workbook", name=filename)
        raise messages.error("reader.old_excel", name=filename)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            kind = kind or messages.text("reader.kind_executable")
            raise messages.error("reader.not_table", name=filename, kind=kind)
    if lower.endswith((".xlsx", ".xlsm", ".ods")):
        raise messages.error("reader.unreadable_workbook", name=filename)
    sample = data[:8192]
    if b"\x00" in sample and not utf16_bom(data):
        raise messages.error("reader.binary", name=filename)
    return "csv"


def _read_csv(data: bytes, name: str, options: ReadOptions) -> ReadResult:
    notes: list[str] = []
    text, encoding = decode(data, options.encoding, notes)
    if not text.strip():
        raise messages.error("reader.empty", name=name)
    if looks_binary(text):
        raise messages.error("reader.binary", name=name)
    text, repaired = repair_mojibake(text, notes)
    quote = options.quote if options.quote is not None else detect_quote(text)
    separator = options.separator or detect_separator(text, quote)
    records, lines = parse_records(text, separator, quote, name, options)
    if quote and options.quote is None:
        records, lines, separator, quote = unbalanced_quote(
            text,
            records,
            lines,
            separator,
            quote,
            name,
            options,
            notes,
            fixed=bool(options.separator),
        )
    width = modal_width(records)
    if width <= 1 and options.separator is None:
        notes.append(messages.text("reader.one_column"))
    header_row = options.header_row if options.header_row is not None else find_header(records)
    if header_row >= len(records) or not any(c.strip() for c in records[header_row]):
        raise messages.error("reader.bad_header_row", name=name, line=header_row + 1)
    header = header_width(records, header_row)
    # a record is one spreadsheet row, whatever line breaks its quoted values hold (labkit.data.rows)
    sheet_rows = list(range(1, len(records) + 1))
    body, body_lines = body_rows(records, sheet_rows, header_row, len(header), name, notes)
    found = {
        "format": "csv",
        "encoding": encoding,
        "separator": separator,
        "quote": quote,
        "header_row": header_row,
        "sheet": None,
        "sheets": [],
        "repaired": repaired,
    }
    return _finish(header, body, body_lines, name, options, notes, found)


def _read_grid(
    grid: list[list[Any]],
    name: str,
    options: ReadOptions,
    fmt: str,
    sheet: str,
    sheets: list[str],
) -> ReadResult:
    notes: list[str] = []
    if len(sheets) > 1:
        notes.append(messages.text("reader.several_sheets", sheet=sheet, count=len(sheets)))
    # blank cells (empty strings, NaN from ODS) become None once, so later tests are cheap
    grid = [[c if filled(c) else None for c in row] for row in grid]
    repaired = repair_cells(grid, notes)
    while grid and all(c is None for c in grid[-1]):
        grid.pop()
    if not grid:
        raise messages.error("reader.empty", name=name)
    width = 0
    for row in grid:
        last = len(row)
        while last > width and row[last - 1] is None:
            last -= 1
        width = max(width, last)
    grid = [(row + [None] * width)[:width] if len(row) != width else row for row in grid]
    head = grid[:HEADER_SAMPLE_ROWS]
    as_text = [["" if c is None else str(c) for c in row] for row in head]
    header_row = options.header_row if options.header_row is not None else find_header(as_text)
    if header_row >= len(grid) or all(c is None for c in grid[header_row]):
        raise messages.error("reader.bad_header_row", name=name, line=header_row + 1)
    header = [_cell_header(c) for c in grid[header_row]]
    body = []
    lines = []
    for index in range(header_row + 1, len(grid)):
        row = grid[index]
        if all(c is None for c in row):
            continue
        body.append(row)
        lines.append(index + 1)
    if not body:
        raise messages.error("reader.header_only", name=name)
    found = {
        "format": fmt,
        "encoding": None,
        "separator": None,
        "quote": None,
        "header_row": header_row,
        "sheet": sheet,
        "sheets": sheets,
        "repaired": repaired,
    }
    return _finish(header, body, lines, name, options, notes, found)


def _cell_header(value: Any) -> str:
    if not filled(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    return str(value)


def _finish(
    header: list[str],
    grid: list[list[Any]],
    lines: list[int],
    name: str,
    options: ReadOptions,
    notes: list[str],
    found: dict[str, Any],
) -> ReadResult:
    """Type the columns of the data rows under ``header``; ``found`` holds what the reading of the
    file detected (format, encoding, separator, quote, header row, sheets, repaired lines)."""
    fmt = found["format"]
    names, dropped = _column_names(header, grid, notes)
    if fmt == "csv":  # strings only: blank cells become missing, column by column
        columns_raw = [
            [v if v and not v.isspace() else None for v in column]
            for i, column in enumerate(zip(*grid, strict=True))
            if i not in dropped
        ]
    else:
        columns_raw = [[row[i] for row in grid] for i in range(len(header)) if i not in dropped]
    text_cells = [
        v for column in columns_raw for v in first_strings(column, DETECTION_CELLS_PER_COLUMN)
    ]
    decimal = options.decimal or detect_decimal(text_cells)
    thousands = (
        options.thousands
        if options.thousands is not None
        else detect_thousands(text_cells, decimal)
    )
    data: dict[str, pd.Series] = {}
    detected: list[ColumnDetection] = []
    for column_name, values in zip(names, columns_raw, strict=True):
        forced = options.column_types.get(column_name)
        if forced is not None and forced not in TYPES:
            raise messages.error("reader.bad_type", column=column_name, type=forced)
        series, info = type_column(
            column_name,
            values,
            lines,
            decimal=decimal,
            thousands=thousands,
            date_format=options.date_format,
            forced=forced,
            notes=notes,
            decimal_fixed=options.decimal is not None,
            native=fmt != "csv",
        )
        data[column_name] = series
        detected.append(info)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(grid)))
    frame.index = file_rows(lines)
    formats = Counter(c.date_format for c in detected if c.type == "date" and c.date_format)
    date_format = options.date_format or (formats.most_common(1)[0][0] if formats else None)
    detection = Detection(
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        columns=detected,
        rows=len(frame),
        warnings=notes,
        **found,
    )
    return ReadResult(frame=frame, detection=detection)


def _column_names(header: list[Any], grid: list[list[Any]], notes: list[str]):
    """Clean, unique names; an unnamed column that is empty everywhere is dropped."""
    names: list[str] = []
    dropped: set[int] = set()
    renamed = []
    seen: Counter = Counter()
    for index, raw in enumerate(header):
        text = " ".join(str(raw or "").replace("\ufeff", "").split())
        if not text:
            if all(row[index] is None for row in grid):
                dropped.add(index)
                continue
            text = messages.text("reader.unnamed_column", number=index + 1)
            renamed.append(text)
        seen[text] += 1
        if seen[text] > 1:
            new = f"{text}_{seen[text]}"
            while new in seen:
                seen[text] += 1
                new = f"{text}_{seen[text]}"
            seen[new] += 1
            renamed.append(new)
            text = new
        names.append(text)
    if renamed:
        notes.append(messages.text("reader.renamed_columns", names=", ".join(renamed)))
    if dropped:
        notes.append(messages.text("reader.empty_columns_dropped", count=len(dropped)))
    return names, dropped
